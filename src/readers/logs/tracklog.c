/* Exchange Server message tracking logs (MSGTRK*.LOG, formats.md §4.4): the
 * "exchange-tracking" family, and the event row shared with the EXO extended report
 * (exo_csv.c), whose columns are the same with '_' for '-'.
 *
 * A file is W3C-style CSV: '#' lines (#Software, #Version, #Log-type, #Date, #Fields) and
 * event records. #Fields names the columns and is re-read whenever it appears again
 * (concatenated logs; Exchange 2010 writes 26 fields, 2013+ 30). A file that starts with
 * events and no #Fields (shipping agents strip the header) is read with the documented
 * 2013+ list.
 *
 * One row per event; the events of one message merge on network-message-id plus
 * message-id (see merge_key below). Memory: the #Fields header is in its own arena
 * (sw_csv_header), each record in ctx->row_arena, reset per record. */
#include "spoofwatch/csv.h"
#include "spoofwatch/logsource.h"
#include "spoofwatch/limits.h"

#include <string.h>
#include <strings.h>

#define SOURCE "exchange-tracking"

/* Exchange 2013/2016/2019 field order (formats.md §4.4), for headerless files. */
static const char *const fields_2013[] = {
    "date-time", "client-ip", "client-hostname", "server-ip", "server-hostname",
    "source-context", "connector-id", "source", "event-id", "internal-message-id",
    "message-id", "network-message-id", "recipient-address", "recipient-status",
    "total-bytes", "recipient-count", "related-recipient-address", "reference",
    "message-subject", "sender-address", "return-path", "message-info", "directionality",
    "tenant-id", "original-client-ip", "original-server-ip", "custom-data",
    "transport-traffic-type", "log-id", "schema-version"};

/* A cell, NULL when the column is absent or the cell empty. */

/* What an event says about the recipients' delivery. HAREDIRECTFAIL is shadow redundancy
 * ("no suitable shadow servers"), not a failed delivery, so it says nothing; RECEIVE,
 * AGENTINFO, EXPAND, RESOLVE, ... are steps on the way. */
static int event_outcome(const char *ev)
{
    static const char *const delivered[] = {"DELIVER", "SEND", "SENDEXTERNAL",
                                            "DUPLICATEDELIVER", "TRANSFER", NULL};
    static const char *const blocked[] = {"FAIL", "DROP", "BADMAIL", "POISONMESSAGE",
                                          "MODERATORREJECT", "SUBMITFAIL", "MODERATIONEXPIRE",
                                          NULL};
    if (!ev)
        return -1;
    for (const char *const *e = delivered; *e; e++)
        if (!strcasecmp(ev, *e))
            return SW_DELIVERED_INBOX;
    for (const char *const *e = blocked; *e; e++)
        if (!strcasecmp(ev, *e))
            return SW_DELIVERED_BLOCKED;
    return -1;
}

/* ---- Microsoft custom data ---- */

static int has(const char *s, const char *w)
{
    return s && strcasestr(s, w);
}

/* CAT, the protection that applied (formats.md §2.7). The impersonation codes count as the
 * provider's spoof verdict, as they do for CAT in X-Forefront-Antispam-Report
 * (detect/signals.c); codes are matched whole, not as substrings. */
static unsigned cat_flags(const char *cat)
{
    static const struct {
        const char *code;
        unsigned flag;
    } cats[] = {
        {"SPOOF", SW_LOGF_PROVIDER_SPOOF}, {"DIMP", SW_LOGF_PROVIDER_SPOOF},
        {"UIMP", SW_LOGF_PROVIDER_SPOOF},  {"BIMP", SW_LOGF_PROVIDER_SPOOF},
        {"GIMP", SW_LOGF_PROVIDER_SPOOF},  {"PHSH", SW_LOGF_PROVIDER_PHISH},
        {"HPHSH", SW_LOGF_PROVIDER_PHISH}, {"HPHISH", SW_LOGF_PROVIDER_PHISH},
        {"INTOS", SW_LOGF_PROVIDER_PHISH}, {"MALW", SW_LOGF_PROVIDER_MALWARE},
        {"SPM", SW_LOGF_PROVIDER_SPAM},    {"HSPM", SW_LOGF_PROVIDER_SPAM},
        {"OSPM", SW_LOGF_PROVIDER_SPAM},   {"BULK", SW_LOGF_PROVIDER_SPAM},
    };
    if (!cat)
        return 0;
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
        if (!strcasecmp(cat, cats[i].code))
            return cats[i].flag;
    return 0;
}

void sw_log_ms_custom_data(sw_logctx *c, sw_log_row *row, const char *cd)
{
    if (!cd || !*cd)
        return;
    sw_arena *a = c->row_arena;
    char *copy = sw_arena_strndup(a, cd, strlen(cd));
    if (!copy)
        return;
    const char *sfv = NULL, *scl = NULL, *cat = NULL, *srv = NULL;
    /* entries are ';'-separated "S:key=value"; an agent entry (S:SFA=SUM|SFV=SPM|...)
     * holds further '|'-separated pairs */
    char *save_entry = NULL;
    for (char *entry = strtok_r(copy, ";", &save_entry); entry;
         entry = strtok_r(NULL, ";", &save_entry)) {
        while (*entry == ' ')
            entry++;
        if (entry[0] && entry[1] == ':')
            entry += 2; /* S: */
        /* anti-malware and transport-rule entries are kept whole: their pairs (action=,
         * ruleId=) mean something only together */
        if (!strncasecmp(entry, "AMA=", 4) || !strncasecmp(entry, "TRA=", 4)) {
            sw_log_row_field(row, entry[0] == 'A' || entry[0] == 'a' ? "custom-data.AMA"
                                                                      : "custom-data.TRA",
                             entry + 4);
            continue;
        }
        char *save_pair = NULL;
        for (char *pair = strtok_r(entry, "|", &save_pair); pair;
             pair = strtok_r(NULL, "|", &save_pair)) {
            char *eq = strchr(pair, '=');
            if (!eq)
                continue;
            *eq = '\0';
            const char *k = pair, *v = eq + 1;
            if (!strcasecmp(k, "SFV"))
                sfv = v;
            else if (!strcasecmp(k, "SCL"))
                scl = v;
            else if (!strcasecmp(k, "CAT"))
                cat = v;
            else if (!strcasecmp(k, "SRV"))
                srv = v;
            static const char *const kept[] = {
                "SFV", "SCL", "CAT", "IPV", "SRV", "CTRY", "PCL", "BCL", "SFTY",
                "OriginalFromAddress", "FromEntity", "ProxiedClientIPAddress",
                "ProxiedClientHostname", "DeliveryPriority", NULL};
            for (const char *const *kk = kept; *kk; kk++)
                if (!strcasecmp(k, *kk))
                    sw_log_row_field(row, sw_arena_printf(a, "custom-data.%s", *kk), v);
        }
    }
    sw_log_facts *f = &row->facts;
    /* SFV: SPM spam; SKS/BLK/SKB marked spam before filtering or by a block list;
     * SFE/SKA/SKN skipped filtering because of an allow list or rule (§2.7) */
    if (sfv && (!strcasecmp(sfv, "SPM") || !strcasecmp(sfv, "SKS") ||
                !strcasecmp(sfv, "BLK") || !strcasecmp(sfv, "SKB")))
        f->flags |= SW_LOGF_PROVIDER_SPAM;
    if (sfv && (!strcasecmp(sfv, "SFE") || !strcasecmp(sfv, "SKA") || !strcasecmp(sfv, "SKN")))
        f->flags |= SW_LOGF_OVERRIDE_ALLOW;
    if (scl) {
        int n = 0;
        for (const char *p = scl; *p >= '0' && *p <= '9' && n < 100; p++)
            n = n * 10 + (*p - '0');
        if (*scl >= '0' && *scl <= '9' && n >= 5)
            f->flags |= SW_LOGF_PROVIDER_SPAM;
    }
    f->flags |= cat_flags(cat);
    if (has(srv, "BULK"))
        f->flags |= SW_LOGF_PROVIDER_SPAM;
    if (sfv || scl || cat)
        f->provider_verdict = sw_arena_printf(a, "SFV=%s SCL=%s CAT=%s", sfv ? sfv : "-",
                                              scl ? scl : "-", cat ? cat : "-");
}

/* ---- one event ---- */

static const char *envelope(sw_arena *a, const char *rp)
{
    if (!rp)
        return NULL;
    size_t n = strlen(rp);
    if (n >= 2 && rp[0] == '<' && rp[n - 1] == '>')
        return sw_arena_strndup(a, rp + 1, n - 2); /* "<>" is the null sender "" */
    return rp;
}

/* Where a recipient-status item starts: an SMTP reply code, a DEFER's "[{LRT=...}]", or
 * nothing (an empty item). */
static int status_starts(const char *p)
{
    while (*p == ' ')
        p++;
    return !*p || *p == ';' || *p == '[' || (*p >= '0' && *p <= '9');
}

/* Splits a ';'-separated list in place into at most max items, trimmed of spaces; items
 * past max are dropped (a row holds SW_LOG_MAX_ROW_RECIPIENTS). Empty items are kept, so
 * that the n-th recipient-status stays with the n-th recipient. With `statuses`, a ';'
 * inside [...] or followed by words ("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found") is
 * part of the text, not a separator, and the last item takes the rest. */
static size_t split_list(char *s, char **items, size_t max, int statuses)
{
    size_t n = 0;
    int depth = 0;
    char *item = s;
    for (char *p = s;; p++) {
        if (statuses && *p == '[')
            depth++;
        else if (statuses && *p == ']' && depth)
            depth--;
        int cut = *p == ';' && (!statuses || (n + 1 < max && !depth && status_starts(p + 1)));
        if (!*p || cut) {
            int end = !*p || n + 1 == max;
            *p = '\0';
            while (*item == ' ')
                item++;
            for (char *e = p; e > item && e[-1] == ' ';)
                *--e = '\0';
            items[n++] = item;
            if (end)
                return n;
            item = p + 1;
        }
    }
}

/* The merge key. message-id alone is written by the sender: two messages may share it, so
 * it never merges on its own. network-message-id (2013+) is Exchange's own id, the same on
 * every server and every event of the message in the organisation, so it leads; Exchange
 * 2010 has only internal-message-id, which is per server (a log file is one server's).
 * The message-id is kept in the key so that a reused or forged GUID cannot join two
 * different messages. */
static const char *merge_key(sw_arena *a, const char *nmid, const char *imid, const char *msgid)
{
    if (nmid)
        return sw_arena_printf(a, "n:%s|%s", nmid, msgid ? msgid : "");
    if (imid)
        return sw_arena_printf(a, "i:%s|%s", imid, msgid ? msgid : "");
    return msgid ? sw_arena_printf(a, "m:%s", msgid) : NULL;
}

int sw_tracklog_event(sw_logctx *c, const char *source, const char *recipient_field,
                      const sw_csv_header *h, const sw_csv_record *rec)
{
    sw_arena *a = c->row_arena;
    const char *msgid = sw_csv_get(h, rec, "message-id");
    const char *nmid = sw_csv_get(h, rec, "network-message-id");
    const char *imid = sw_csv_get(h, rec, "internal-message-id");
    const char *from = sw_csv_get(h, rec, "sender-address");
    const char *rp = sw_csv_get(h, rec, "return-path");
    if (!msgid && !nmid && !imid) {
        /* NOTIFYMAPI and other mailbox events name no message (the sample's NOTIFYMAPI has
         * a sender-address and nothing to join it to) */
        c->skipped++;
        return 0;
    }
    sw_log_row *row = c->row;
    sw_log_row_init(row, source, rec->line);
    row->merge_key = merge_key(a, nmid, imid, msgid);
    row->message_id = msgid;
    row->subject = sw_csv_get(h, rec, "message-subject");
    row->from_address = from;
    row->envelope_from = envelope(a, rp);
    sw_log_facts *f = &row->facts;
    f->absent = SW_LOG_NO_AUTH;
    if (!from)
        f->absent |= SW_LOG_NO_HEADER_FROM;
    if (!rp)
        f->absent |= SW_LOG_NO_ENVELOPE_FROM;

    const char *ev = sw_csv_get(h, rec, "event-id");
    int outcome = event_outcome(ev);
    const char *rcpts = sw_csv_get(h, rec, "recipient-address");
    const char *stats = sw_csv_get(h, rec, "recipient-status");
    char *rl = rcpts ? sw_arena_strndup(a, rcpts, strlen(rcpts)) : NULL;
    char *sl = stats ? sw_arena_strndup(a, stats, strlen(stats)) : NULL;
    char *addrs[SW_LOG_MAX_ROW_RECIPIENTS], *sts[SW_LOG_MAX_ROW_RECIPIENTS];
    size_t naddr = rl ? split_list(rl, addrs, SW_LOG_MAX_ROW_RECIPIENTS, 0) : 0;
    size_t nst = sl ? split_list(sl, sts, naddr > 1 ? SW_LOG_MAX_ROW_RECIPIENTS : 1, 1) : 0;
    for (size_t i = 0; i < naddr; i++) {
        sw_recipient *rc = sw_log_row_recipient(row, addrs[i], recipient_field);
        if (!rc || outcome < 0)
            continue;
        const char *st = i < nst && *sts[i] ? sts[i] : NULL;
        /* only outcome events set the action, so a later step (AGENTINFO) keeps it */
        rc->delivery_action = ev;
        rc->status = st;
        rc->delivered = outcome;
        /* a permanent SMTP failure for this recipient overrides the event's outcome */
        if (st && st[0] == '5' && st[1] >= '0' && st[1] <= '9')
            rc->delivered = SW_DELIVERED_BLOCKED;
    }
    if (outcome < 0 || !row->nrecipients)
        f->absent |= SW_LOG_NO_DELIVERY;

    f->time = sw_csv_get(h, rec, "date-time");
    if (!f->time)
        f->time = sw_csv_get(h, rec, "date-time-utc"); /* EXO extended report */
    f->network_message_id = nmid;
    f->direction = sw_csv_get(h, rec, "directionality");
    /* the connecting host is only known on RECEIVE; a front end that proxied the session
     * writes the real client in original-client-ip */
    if (ev && !strcasecmp(ev, "RECEIVE")) {
        f->sender_ip = sw_csv_get(h, rec, "original-client-ip");
        if (!f->sender_ip)
            f->sender_ip = sw_csv_get(h, rec, "client-ip");
    }
    sw_log_ms_custom_data(c, row, sw_csv_get(h, rec, "custom-data"));

    static const char *const kept[] = {
        "source", "internal-message-id", "client-ip", "client-hostname",
        "server-ip", "server-hostname", "original-client-ip", "original-server-ip",
        "connector-id", "source-context", "message-info", "tenant-id", "total-bytes",
        "related-recipient-address", "reference", "transport-traffic-type", NULL};
    for (const char *const *k = kept; *k; k++)
        sw_log_row_field(row, *k, sw_csv_get(h, rec, *k));
    return sw_log_emit(c, row);
}

/* ---- the family reader ---- */

/* An event-id is an upper-case word (RECEIVE, HAREDIRECTFAIL, ...). */
static int is_event_id(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!(*s >= 'A' && *s <= 'Z') && !(*s >= 'a' && *s <= 'z'))
            return 0;
    return 1;
}

/* "#Fields: a,b,c" (the comment record's own arena copy, split in place) into the header.
 * An empty name keeps its place, so the columns after it stay where they are. */
static int set_fields(sw_csv_header *h, char *line)
{
    char *names[SW_MAX_CSV_FIELDS];
    size_t n = 0;
    for (char *p = line + 8;;) {
        if (n == SW_MAX_CSV_FIELDS)
            return SW_ELIMIT;
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        names[n++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    return sw_csv_header_set(h, names, n);
}

int sw_tracklog_read(sw_logctx *c)
{
    sw_csv r;
    sw_error err;
    sw_error_clear(&err);
    if (sw_csv_open(&r, c->data, c->len, SW_CSV_HASH_LINES, &err)) {
        sw_log_bad(c, 0, "%s", err.message);
        return 0;
    }
    sw_csv_header h;
    sw_csv_header_init(&h);
    int have_fields = 0, guessed = 0, skipping = 0;
    uint64_t events = 0;
    while (!c->stop) {
        sw_arena_reset(c->row_arena);
        sw_csv_record rec;
        int rc = sw_csv_next(&r, c->row_arena, &rec, &err);
        if (rc == SW_ENOTFOUND)
            break;
        if (rc == SW_EFORMAT) {
            sw_log_bad(c, rec.line, "%s; line skipped", err.message);
            continue;
        }
        if (rc) {
            sw_log_bad(c, rec.line, "%s", err.message);
            break;
        }
        c->row_offset = r.owned ? 0 : rec.offset;
        if (!r.owned && (rec.line & 1023) == 0)
            sw_log_advance(c, (size_t)rec.offset);
        if (rec.comment) {
            if (!strncasecmp(rec.fields[0], "#Fields:", 8)) {
                /* a #Fields line that cannot be read must not leave the previous one (or
                 * the guessed list) naming this log's columns */
                have_fields = set_fields(&h, rec.fields[0]) == SW_OK;
                skipping = !have_fields;
                if (skipping)
                    sw_log_bad(c, rec.line, "#Fields line names more than %u columns; events "
                                            "up to the next #Fields line skipped",
                               (unsigned)SW_MAX_CSV_FIELDS);
            }
            continue;
        }
        if (skipping)
            continue;
        if (!have_fields) {
            char *names[sizeof fields_2013 / sizeof fields_2013[0]];
            for (size_t i = 0; i < sizeof fields_2013 / sizeof fields_2013[0]; i++)
                names[i] = (char *)fields_2013[i];
            sw_csv_header_set(&h, names, sizeof names / sizeof names[0]);
            have_fields = guessed = 1;
        }
        if (sw_csv_col(&h, "date-time") < 0 || sw_csv_col(&h, "event-id") < 0) {
            sw_log_bad(c, rec.line, "#Fields names no date-time and event-id: not a message "
                                    "tracking log; file skipped");
            break;
        }
        const char *when = sw_csv_get(&h, &rec, "date-time");
        int64_t epoch;
        if (!is_event_id(sw_csv_get(&h, &rec, "event-id")) || !when || sw_log_time(when, &epoch)) {
            if (guessed && !events) {
                /* sniffed by a leading time only: some other CSV, say so once */
                sw_log_bad(c, rec.line, "no #Fields line and no tracking-log event (date-time "
                                        "and event-id of the 2013+ fields); file skipped");
                break;
            }
            sw_log_bad(c, rec.line, "not a tracking-log event (no event-id or date-time); "
                                    "line skipped");
            continue;
        }
        events++;
        sw_tracklog_event(c, SOURCE, "recipient-address", &h, &rec);
    }
    sw_csv_header_free(&h);
    sw_csv_close(&r);
    return 0;
}
