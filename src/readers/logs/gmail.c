/* Gmail logs (formats.md §5.1, §5.2): two sources over one field mapping.
 *
 *   gmail-bigquery: BigQuery rows as JSON export writes them (legacy daily tables with
 *     top-level event_info / message_info; activity-table rows with the same records beside
 *     the common columns, or under "gmail"), positional tabledata.list rows
 *     ({"f":[{"v":...}]}, alone, in {"kind":"bigquery#tableDataList","rows":[...]}, or one per
 *     line as {"row":{"f":[...]},"schema":{...}}), and Elastic's google_workspace.gmail.*
 *     documents, which are BigQuery rows after its pipeline.
 *   gmail-reports: Admin SDK Reports API activities (applicationName gmail) with typed
 *     events[].parameters, and SIEM forms where those parameters became nested objects
 *     (parameters.message_info.connection_info.dmarc_pass).
 *
 * Every shape is brought to the named BigQuery tree (gmail_tree.c) and read by fill_row();
 * one log event is one row, and the several events Gmail logs per message (SMTP receipt,
 * delivery, post-delivery actions) merge into one record.
 *
 * Memory: the named tree and every text made for a row live in a scratch arena of the row's
 * own, freed (or reset, per Reports event) once sw_log_emit() has copied what it keeps. Not
 * the row arena: the rows of one document (a tableDataList's rows[], query results) share
 * it with the whole parsed document, and a few KiB per row there would add up until the
 * later rows no longer fit. */
#include "gmail.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/logsource.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SRC_BQ "gmail-bigquery"
#define SRC_REPORTS "gmail-reports"

/* Where the Gmail records sit in one document: base object and a key prefix. */
typedef struct gview {
    sw_arena *a;
    const sw_jv *base;
    const char *prefix; /* "", "gmail.", "google_workspace.gmail.", "parameters." */
    int ecs;            /* Elastic document: ECS fields fill what its pipeline moved out */
} gview;

static const sw_jv *gv(const gview *g, const char *path)
{
    char key[192];
    snprintf(key, sizeof key, "%s%s", g->prefix, path);
    return sw_gmail_get(g->base, key);
}

/* A common column of the activity table (email, event_id, time_usec, ...): beside the gmail
 * record in a full row, inside it where the records were selected or moved together. */
static const sw_jv *gcol(const gview *g, const char *path)
{
    const sw_jv *v = gv(g, path);
    return v ? v : sw_gmail_get(g->base, path);
}

/* Text of a scalar; "" counts as absent except where said. */
static const char *gtext(const gview *g, const char *path)
{
    const char *s = sw_log_jtext(g->a, gv(g, path));
    return s && *s ? s : NULL;
}

static int gbool(const gview *g, const char *path, int *out)
{
    return sw_jbool(gv(g, path), out);
}

static int gint(const gview *g, const char *path, int64_t *out)
{
    return sw_jint(gv(g, path), out);
}

/* The prefix under which a document holds message_info / event_info, or NULL. */
static const char *const prefixes[] = {"google_workspace.gmail.", "gmail.", "", NULL};

static const char *find_prefix(const sw_jv *rec, const char *const *list)
{
    char key[64];
    for (const char *const *p = list; *p; p++) {
        static const char *const recs[] = {"message_info", "event_info"};
        for (size_t i = 0; i < 2; i++) {
            snprintf(key, sizeof key, "%s%s", *p, recs[i]);
            const sw_jv *v = sw_gmail_get(rec, key);
            if (v && v->type == SW_J_OBJECT)
                return *p;
            snprintf(key, sizeof key, "%s%s.", *p, recs[i]);
            if (sw_gmail_has_prefix(rec, key))
                return *p;
        }
    }
    return NULL;
}

/* ---- small text helpers ---- */

typedef struct tbuf {
    char s[512];
    size_t n;
} tbuf;

static void tadd(tbuf *b, const char *key, const char *val)
{
    if (!val)
        return;
    int w = snprintf(b->s + b->n, sizeof b->s - b->n, "%s%s=%s", b->n ? " " : "", key, val);
    if (w > 0)
        b->n = b->n + (size_t)w < sizeof b->s ? b->n + (size_t)w : sizeof b->s - 1;
}

/* The values of key in each object of an array, comma-joined ("24,9"). */
static const char *join_each(sw_arena *a, const sw_jv *arr, const char *key)
{
    if (!arr || arr->type != SW_J_ARRAY || !arr->len)
        return NULL;
    tbuf b = {.n = 0};
    b.s[0] = '\0';
    for (uint32_t i = 0; i < arr->len; i++) {
        const sw_jv *it = &arr->u.items[i];
        const char *v = key ? sw_log_jtext(a, sw_gmail_get(it, key)) : sw_log_jtext(a, it);
        if (!v)
            continue;
        int w = snprintf(b.s + b.n, sizeof b.s - b.n, "%s%s", b.n ? "," : "", v);
        if (w < 0 || b.n + (size_t)w >= sizeof b.s)
            break;
        b.n += (size_t)w;
    }
    return b.n ? sw_arena_strndup(a, b.s, b.n) : NULL;
}

/* An array as the repeated field, or a lone object as one item (flattened exports). */
static uint32_t items_of(const sw_jv *v, const sw_jv **items)
{
    if (v && v->type == SW_J_ARRAY) {
        *items = v->u.items;
        return v->len;
    }
    if (v && v->type == SW_J_OBJECT) {
        *items = v;
        return 1;
    }
    return 0;
}

/* Microseconds since the epoch as an ISO 8601 UTC string, for log.time. */
static const char *usec_time(sw_arena *a, int64_t usec)
{
    if (usec <= 0 || usec / 1000000 >= INT64_C(253402300800)) /* past 9999-12-31 */
        return NULL;
    char day[32];
    sw_datetime_format_utc(usec / 1000000, day);
    return sw_arena_printf(a, "%.19s.%06dZ", day, (int)(usec % 1000000));
}

/* BigQuery BYTES arrive base64: the activity table's ip_address is the ASCII address. */
static const char *unbase64_ip(sw_arena *a, const char *s)
{
    if (!s || strchr(s, '.') || strchr(s, ':'))
        return s;
    size_t n = strlen(s);
    if (!n || n % 4 || n > 64)
        return s;
    char out[64];
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        const char *al = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *p = strchr(al, s[i]);
        if (!p || !s[i])
            return s;
        acc = (acc << 6) | (unsigned)(p - al);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            char ch = (char)((acc >> bits) & 0xff);
            if (!isxdigit((unsigned char)ch) && ch != '.' && ch != ':')
                return s;
            out[o++] = ch;
        }
    }
    return o ? sw_arena_strndup(a, out, o) : s;
}

static char *lower_dup(sw_arena *a, const char *s)
{
    return sw_arena_strndup_lower(a, s, strlen(s));
}

/* ---- the mapping ---- */

/* authenticated_domain[].type is not documented (formats.md §5.1 [unverified]). In every
 * public sample type 1 is the envelope (bounce) domain, the one SPF checked, and type 2 the
 * header-signing domain (google.com on Google's own mail, signed d=google.com); type 6
 * repeats the bounce domain. So 1 names the SPF domain and 2 the DKIM domain; other types
 * are kept as evidence only. */
enum { AUTH_DOMAIN_SPF = 1, AUTH_DOMAIN_DKIM = 2 };

static void read_auth(const gview *g, sw_log_row *row)
{
    const sw_jv *doms = NULL;
    uint32_t ndoms = items_of(gv(g, "message_info.connection_info.authenticated_domain"), &doms);
    static const struct {
        const char *method, *path;
        int type;
    } m[] = {{"spf", "message_info.connection_info.spf_pass", AUTH_DOMAIN_SPF},
             {"dkim", "message_info.connection_info.dkim_pass", AUTH_DOMAIN_DKIM},
             {"dmarc", "message_info.connection_info.dmarc_pass", 0}};
    int present = 0;
    for (size_t i = 0; i < 3; i++) {
        /* absent (or null) is unknown, never fail: no entry at all */
        const sw_jv *v = gv(g, m[i].path);
        const char *as_logged = sw_log_jtext(g->a, v);
        int b;
        if (!as_logged || !*as_logged)
            continue;
        if (sw_jbool(v, &b)) {
            /* not a boolean: kept as evidence, but no result can be read from it */
            sw_log_row_field(row, m[i].path + strlen("message_info."), as_logged);
            continue;
        }
        present++;
        size_t before = row->nauth;
        /* one entry per authenticated domain, but a slot stays free for each later method:
         * a sender who adds many valid DKIM signatures must not crowd out dmarc_pass */
        size_t room = SW_LOG_MAX_ROW_AUTH - before - (2 - i);
        if (m[i].type) {
            for (uint32_t d = 0; d < ndoms && row->nauth - before < room; d++) {
                int64_t t;
                const char *name = sw_log_jtext(g->a, sw_gmail_get(&doms[d], "name"));
                if (name && *name && sw_jint(sw_gmail_get(&doms[d], "type"), &t) == 0 &&
                    t == m[i].type)
                    sw_log_row_auth(row, m[i].method, as_logged, name);
            }
        } else {
            sw_log_row_auth(row, m[i].method, as_logged,
                            gtext(g, "message_info.connection_info.dmarc_published_domain"));
        }
        if (row->nauth == before) {
            sw_log_row_auth(row, m[i].method, as_logged, NULL);
            if (m[i].type == AUTH_DOMAIN_DKIM)
                row->facts.absent |= SW_LOG_NO_DKIM_DOMAIN;
        }
    }
    if (!present)
        row->facts.absent |= SW_LOG_NO_AUTH;
    else
        row->auth_field = "message_info.connection_info";
    sw_log_row_field(
        row, "connection_info.authenticated_domain",
        join_each(g->a, gv(g, "message_info.connection_info.authenticated_domain"), "name"));
    sw_log_row_field(
        row, "connection_info.authenticated_domain.type",
        join_each(g->a, gv(g, "message_info.connection_info.authenticated_domain"), "type"));
}

/* One outcome for the whole event: Gmail logs success / is_spam per event, not per
 * destination. mail_event_type 4 (marked spam after delivery) and 5 (quarantined) are the
 * provider's own later decisions and win over the stage's flags. */
static int outcome(const gview *g, const char **status)
{
    int success = 0, spam = 0;
    int has_success = gbool(g, "event_info.success", &success) == 0;
    int has_spam = gbool(g, "message_info.is_spam", &spam) == 0;
    int64_t met = -1;
    gint(g, "event_info.mail_event_type", &met);
    if (!has_success && g->ecs) {
        /* Elastic's pipeline moves event_info.success into event.outcome */
        const char *o = sw_log_jtext(g->a, sw_gmail_get(g->base, "event.outcome"));
        if (o && (!strcmp(o, "success") || !strcmp(o, "failure"))) {
            has_success = 1;
            success = !strcmp(o, "success");
        }
    }
    tbuf b = {.n = 0};
    b.s[0] = '\0';
    tadd(&b, "success", has_success ? (success ? "true" : "false") : NULL);
    tadd(&b, "is_spam", has_spam ? (spam ? "true" : "false") : NULL);
    tadd(&b, "mail_event_type", gtext(g, "event_info.mail_event_type"));
    tadd(&b, "message_set", join_each(g->a, gv(g, "message_info.message_set"), "type"));
    tadd(&b, "spam_info.disposition", gtext(g, "message_info.spam_info.disposition"));
    *status = b.n ? sw_arena_strndup(g->a, b.s, b.n) : NULL;
    if (met == 5)
        return SW_DELIVERED_BLOCKED;
    if (met == 4)
        return SW_DELIVERED_JUNK;
    if (has_success && !success)
        return SW_DELIVERED_BLOCKED; /* "false if the message was rejected by a policy" */
    if (has_spam && spam)
        return SW_DELIVERED_JUNK;
    if (has_success)
        return SW_DELIVERED_INBOX;
    return SW_DELIVERED_UNKNOWN;
}

static void add_recipient(sw_log_row *row, const char *addr, const char *service,
                          const char *status, int delivered)
{
    sw_recipient *r = sw_log_row_recipient(row, addr, "destination");
    if (!r)
        return;
    if (service)
        r->delivery_location = service;
    r->status = status;
    r->delivered = delivered;
}

static void read_recipients(const gview *g, sw_log_row *row)
{
    const char *status;
    int delivered = outcome(g, &status);
    const sw_jv *dst = NULL;
    uint32_t n = items_of(gv(g, "message_info.destination"), &dst);
    for (uint32_t i = 0; i < n; i++)
        add_recipient(row, sw_log_jtext(g->a, sw_gmail_get(&dst[i], "address")),
                      sw_log_jtext(g->a, sw_gmail_get(&dst[i], "service")), status, delivered);
    /* "service:selector:address,..." fills in when destination[] lost its addresses */
    const char *flat = gtext(g, "message_info.flattened_destinations");
    if (!row->nrecipients && flat) {
        char *copy = sw_arena_strndup(g->a, flat, strlen(flat)), *save = NULL;
        for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t;
             t = strtok_r(NULL, ",", &save)) {
            char *last = strrchr(t, ':'), *first = strchr(t, ':');
            if (!last)
                continue;
            *first = '\0';
            add_recipient(row, last + 1, *t ? t : NULL, status, delivered);
        }
    }
    if (!row->nrecipients && g->ecs) {
        const sw_jv *to = NULL;
        uint32_t k = items_of(sw_gmail_get(g->base, "email.to.address"), &to);
        const sw_jv *one = sw_gmail_get(g->base, "email.to.address");
        if (one && one->type == SW_J_STRING)
            add_recipient(row, one->u.s, NULL, status, delivered);
        for (uint32_t i = 0; i < k; i++)
            add_recipient(row, sw_jstr(&to[i]), NULL, status, delivered);
    }
    if (!row->nrecipients || !status)
        row->facts.absent |= SW_LOG_NO_DELIVERY;
}

static void read_verdict(const gview *g, sw_log_row *row)
{
    sw_log_facts *f = &row->facts;
    int spam = 0;
    int64_t met = -1;
    if (gbool(g, "message_info.is_spam", &spam) == 0 && spam)
        f->flags |= SW_LOGF_PROVIDER_SPAM;
    if (gint(g, "event_info.mail_event_type", &met) == 0 && met == 4)
        f->flags |= SW_LOGF_PROVIDER_SPAM;
    /* a textual classification (SIEM exports) names spam or phishing itself; Gmail's own
     * integer codes are not documented and are kept as logged */
    const char *cls = gtext(g, "message_info.spam_info.classification");
    if (cls && strcasestr(cls, "phish"))
        f->flags |= SW_LOGF_PROVIDER_PHISH;
    if (cls && strcasestr(cls, "spam"))
        f->flags |= SW_LOGF_PROVIDER_SPAM;
    static const char *const att[] = {"message_info.attachment",
                                      "message_info.post_delivery_info.interaction.attachment"};
    for (size_t k = 0; k < 2; k++) {
        const sw_jv *it = NULL;
        uint32_t n = items_of(gv(g, att[k]), &it);
        for (uint32_t i = 0; i < n; i++) {
            int64_t fam;
            if (sw_jint(sw_gmail_get(&it[i], "malware_family"), &fam) == 0 && fam > 0)
                f->flags |= SW_LOGF_PROVIDER_MALWARE;
        }
    }
    /* only an event that says something about spam fills it: the merged record keeps the
     * first verdict, and a stage's plain is_spam=false would hide a later event's spam */
    const char *reason = gtext(g, "message_info.spam_info.classification_reason");
    const char *disp = gtext(g, "message_info.spam_info.disposition");
    if (!spam && !cls && !reason && !disp)
        return;
    tbuf b = {.n = 0};
    b.s[0] = '\0';
    tadd(&b, "classification", cls);
    tadd(&b, "is_spam", gtext(g, "message_info.is_spam"));
    tadd(&b, "classification_reason", reason);
    tadd(&b, "disposition", disp);
    f->provider_verdict = b.n ? sw_arena_strndup(g->a, b.s, b.n) : NULL;
}

/* Merge key: §1.2 offers only the RFC 5322 Message-ID for Gmail (no provider message id
 * is logged; event_id / unique_identifier name one event, and the same event can be
 * logged twice). The Message-ID is attacker-chosen, so it is qualified by the P1 and P2
 * addresses the same rows carry: a spoof that copies a real message's Message-ID under
 * other senders stays a record of its own. Brackets stripped and case folded, so the
 * bracketless ECS form and the \u003c-escaped form meet the plain one. */
static const char *merge_key(sw_arena *a, const sw_log_row *row)
{
    if (!row->message_id)
        return NULL;
    const char *id = row->message_id; /* \u003c brackets already turned back */
    while (*id == ' ' || *id == '<')
        id++;
    size_t n = strlen(id);
    while (n && (id[n - 1] == ' ' || id[n - 1] == '>'))
        n--;
    if (!n)
        return NULL;
    char *key = sw_arena_printf(a, "%.*s\x1f%s\x1f%s", (int)n, id,
                                row->envelope_from ? row->envelope_from : "",
                                row->from_address ? row->from_address : "");
    return key ? lower_dup(a, key) : NULL;
}

static const char *const kept[][2] = {
    {"event_info.mail_event_type", "event_info.mail_event_type"},
    {"message_info.action_type", "message_info.action_type"},
    {"message_info.flattened_destinations", "message_info.flattened_destinations"},
    {"message_info.payload_size", "message_info.payload_size"},
    {"message_info.num_message_attachments", "message_info.num_message_attachments"},
    {"message_info.is_spam", "message_info.is_spam"},
    {"message_info.description", "message_info.description"},
    {"message_info.source.service", "message_info.source.service"},
    {"message_info.connection_info.dmarc_published_domain", "dmarc_published_domain"},
    {"message_info.connection_info.smtp_reply_code", "smtp_reply_code"},
    {"message_info.connection_info.smtp_response_reason", "smtp_response_reason"},
    {"message_info.connection_info.smtp_user_agent_ip", "smtp_user_agent_ip"},
    {"message_info.connection_info.is_internal", "is_internal"},
    {"message_info.connection_info.is_intra_domain", "is_intra_domain"},
    {"message_info.connection_info.ip_geo_country", "ip_geo_country"},
    {"message_info.connection_info.smtp_tls_state", "smtp_tls_state"},
    {"message_info.spam_info.classification_reason", "spam_info.classification_reason"},
    {"message_info.spam_info.disposition", "spam_info.disposition"},
    {"message_info.flattened_triggered_rule_info", "flattened_triggered_rule_info"},
};

/* the activity table's own columns, kept as evidence */
static const char *const kept_columns[] = {"email", "event_id", "unique_identifier", "domain_name",
                                           NULL};

/* activity: the Reports API activity the event came from (its ids are kept), or NULL. */
static int fill_row(sw_logctx *c, const char *source, const gview *g, uint64_t line,
                    const char *fallback_time, const sw_jv *activity)
{
    sw_arena *a = g->a;
    sw_log_row *row = c->row;
    sw_log_row_init(row, source, line);

    /* P1 may be "" (null sender): kept as logged */
    row->envelope_from = sw_log_jtext(a, gv(g, "message_info.source.address"));
    row->from_address = gtext(g, "message_info.source.from_header_address");
    row->from_display = gtext(g, "message_info.source.from_header_displayname");
    row->message_id = gtext(g, "message_info.rfc2822_message_id");
    row->subject = sw_log_jtext(a, gv(g, "message_info.subject"));
    if (g->ecs) {
        /* Elastic moves source.address to email.from.address[] and the Message-ID (without
         * its brackets) and subject to email.* */
        const sw_jv *from = sw_gmail_get(g->base, "email.from.address");
        if (!row->envelope_from)
            row->envelope_from =
                from && from->type == SW_J_ARRAY ? sw_jstr(sw_jindex(from, 0)) : sw_jstr(from);
        if (!row->message_id)
            row->message_id = sw_jget_str(sw_jget(g->base, "email"), "message_id");
        if (!row->subject)
            row->subject = sw_jget_str(sw_jget(g->base, "email"), "subject");
    }
    if (!row->from_address)
        row->facts.absent |= SW_LOG_NO_HEADER_FROM;
    if (!row->envelope_from)
        row->facts.absent |= SW_LOG_NO_ENVELOPE_FROM;
    if (row->message_id)
        row->message_id = sw_log_message_id(a, row->message_id);
    row->merge_key = merge_key(a, row);

    read_recipients(g, row);
    read_auth(g, row);
    read_verdict(g, row);

    sw_log_facts *f = &row->facts;
    /* the event's own time, else the activity row's; a 0 or out-of-range one is no time */
    int64_t usec;
    if (gint(g, "event_info.timestamp_usec", &usec) == 0)
        f->time = usec_time(a, usec);
    if (!f->time && sw_jint(gcol(g, "time_usec"), &usec) == 0)
        f->time = usec_time(a, usec);
    if (!f->time)
        f->time = fallback_time;
    if (!f->time && g->ecs)
        f->time = sw_jget_str(g->base, "@timestamp");
    f->sender_ip = gtext(g, "message_info.connection_info.client_ip");
    if (!f->sender_ip)
        f->sender_ip = gtext(g, "message_info.connection_info.smtp_in_connect_ip");
    if (!f->sender_ip && g->ecs)
        f->sender_ip = sw_jget_str(sw_jget(g->base, "client"), "ip");
    int internal = 0;
    const char *service = gtext(g, "message_info.source.service");
    if (gbool(g, "message_info.connection_info.is_internal", &internal) == 0 && internal)
        f->direction = "Intra-org";
    else if (service && !strcmp(service, "smtp-inbound"))
        f->direction = "Inbound";

    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        sw_log_row_field(row, kept[i][1], gtext(g, kept[i][0]));
    const sw_jv *att = gv(g, "message_info.attachment");
    if (att && att->type == SW_J_ARRAY)
        sw_log_row_field(row, "attachment_count", sw_arena_printf(a, "%u", att->len));
    sw_log_row_field(row, "attachment.file_name",
                     join_each(a, gv(g, "message_info.attachment"), "file_name"));
    for (const char *const *k = kept_columns; *k; k++)
        sw_log_row_field(row, *k, sw_log_jtext(a, gcol(g, *k)));
    sw_log_row_field(row, "ip_address", unbase64_ip(a, sw_log_jtext(a, gcol(g, "ip_address"))));
    if (activity) {
        sw_log_row_field(row, "id.uniqueQualifier",
                         sw_log_jtext(a, sw_gmail_get(activity, "id.uniqueQualifier")));
        sw_log_row_field(row, "id.customerId", sw_jstr(sw_gmail_get(activity, "id.customerId")));
        sw_log_row_field(row, "actor.email", sw_jstr(sw_gmail_get(activity, "actor.email")));
        sw_log_row_field(row, "ownerDomain", sw_jget_str(activity, "ownerDomain"));
    }
    return sw_log_emit(c, row);
}

/* ---- gmail-bigquery ---- */

/* A positional row: {"f":[...]} or {"row":{"f":[...]},"schema":{...}}. Without a schema it
 * must be the activity table's (record_type "gmail" at position 7); with one, the schema
 * must name message_info or a gmail record. */
static const sw_jv *positional_cells(const sw_jv *rec, const sw_jv **schema)
{
    const sw_jv *row = sw_jget(rec, "row");
    const sw_jv *host = row && row->type == SW_J_OBJECT ? row : rec;
    const sw_jv *f = sw_jget(host, "f");
    *schema = sw_jpath(rec, "schema.fields");
    return f && f->type == SW_J_ARRAY ? f : NULL;
}

static int schema_is_gmail(const sw_jv *fields)
{
    for (uint32_t i = 0; fields && fields->type == SW_J_ARRAY && i < fields->len; i++) {
        const char *n = sw_jget_str(&fields->u.items[i], "name");
        if (n && (!strcmp(n, "message_info") || !strcmp(n, "gmail")))
            return 1;
    }
    return 0;
}

static int bq_claims(const sw_jv *rec)
{
    if (!rec || rec->type != SW_J_OBJECT)
        return 0;
    const sw_jv *schema;
    const sw_jv *f = positional_cells(rec, &schema);
    if (f) {
        if (schema)
            return schema_is_gmail(schema);
        const char *rt = sw_jstr(sw_jget(sw_jindex(f, 7), "v"));
        return rt && !strcmp(rt, "gmail");
    }
    const char *kind = sw_jget_str(rec, "kind");
    if (kind && !strncmp(kind, "admin#reports", 13))
        return 0;
    return find_prefix(rec, prefixes) != NULL;
}

static int bq_row(sw_logctx *c, sw_arena *scratch, const sw_jv *rec, uint64_t line)
{
    gview g = {.a = scratch, .base = rec, .prefix = ""};
    const sw_jv *schema;
    const sw_jv *f = positional_cells(rec, &schema);
    if (f) {
        const char *why;
        g.base = sw_gmail_positional(scratch, f, schema, &why);
        if (!g.base) {
            sw_log_bad(c, line, "Gmail BigQuery row: %s; skipped", why ? why : "arena full");
            return SW_EFORMAT;
        }
    }
    g.prefix = find_prefix(g.base, prefixes);
    if (!g.prefix) {
        /* a positional row of the activity table for another application's record */
        c->skipped++;
        return 0;
    }
    g.ecs = !strcmp(g.prefix, "google_workspace.gmail.");
    const sw_jv *mi = gv(&g, "message_info"), *ei = gv(&g, "event_info");
    if ((mi && mi->type != SW_J_OBJECT && mi->type != SW_J_NULL) ||
        (ei && ei->type != SW_J_OBJECT && ei->type != SW_J_NULL)) {
        sw_log_bad(c, line,
                   "Gmail BigQuery row: message_info or event_info is not a record; "
                   "skipped");
        return SW_EFORMAT;
    }
    return fill_row(c, SRC_BQ, &g, line, NULL, NULL);
}

static int bq_read(sw_logctx *c, const sw_jv *rec, uint64_t line)
{
    sw_arena scratch;
    sw_arena_init(&scratch, SW_MAX_ARENA);
    int rc = bq_row(c, &scratch, rec, line);
    sw_arena_free(&scratch);
    return rc;
}

const sw_json_source sw_src_gmail_bigquery = {SRC_BQ, bq_claims, bq_read};

/* ---- gmail-reports ---- */

static int is_gmail_activity(const sw_jv *rec)
{
    const char *app = sw_jstr(sw_gmail_get(rec, "id.applicationName"));
    if (!app)
        app = sw_jget_str(rec, "applicationName");
    return app && !strcasecmp(app, "gmail");
}

static int rp_claims(const sw_jv *rec)
{
    return rec && rec->type == SW_J_OBJECT && is_gmail_activity(rec) &&
           (sw_jget(rec, "events") || sw_gmail_get(rec, "parameters") ||
            sw_gmail_has_prefix(rec, "parameters."));
}

static const char *const param_prefixes[] = {"parameters.", "", NULL};

static int rp_event(sw_logctx *c, sw_arena *scratch, const sw_jv *rec, const sw_jv *params,
                    uint64_t line)
{
    gview g = {.a = scratch, .base = params, .prefix = ""};
    g.prefix = find_prefix(params, param_prefixes);
    if (!g.prefix) {
        c->skipped++; /* an event that is not about a message */
        return 0;
    }
    return fill_row(c, SRC_REPORTS, &g, line, sw_jstr(sw_gmail_get(rec, "id.time")), rec);
}

static int rp_activity(sw_logctx *c, sw_arena *scratch, const sw_jv *rec, uint64_t line)
{
    const sw_jv *events = sw_jget(rec, "events");
    if (!events) {
        /* SIEM forms: the event's parameters beside the activity's own fields, as nested
         * objects or still as the typed list */
        const sw_jv *p = sw_jget(rec, "parameters");
        if (p && p->type == SW_J_ARRAY) {
            const sw_jv *named = sw_gmail_params(scratch, p);
            if (!named) {
                sw_log_bad(c, line,
                           "Gmail Reports activity: parameters cannot be read; "
                           "skipped");
                return SW_EFORMAT;
            }
            return rp_event(c, scratch, rec, named, line);
        }
        return rp_event(c, scratch, rec, rec, line);
    }
    if (events->type != SW_J_ARRAY) {
        sw_log_bad(c, line, "Gmail Reports activity: events is not an array; skipped");
        return SW_EFORMAT;
    }
    int rc = 0;
    for (uint32_t i = 0; i < events->len && !c->stop; i++) {
        const sw_jv *ev = &events->u.items[i];
        const sw_jv *p = sw_jget(ev, "parameters");
        sw_arena_reset(scratch);
        const sw_jv *named = p && p->type == SW_J_ARRAY ? sw_gmail_params(scratch, p) : p;
        if (!named || named->type != SW_J_OBJECT) {
            sw_log_bad(c, line, "Gmail Reports activity: event %u has no parameters; skipped",
                       i + 1);
            rc = SW_EFORMAT;
            continue;
        }
        if (rp_event(c, scratch, rec, named, line))
            rc = SW_EFORMAT;
    }
    return rc;
}

static int rp_read(sw_logctx *c, const sw_jv *rec, uint64_t line)
{
    sw_arena scratch;
    sw_arena_init(&scratch, SW_MAX_ARENA);
    int rc = rp_activity(c, &scratch, rec, line);
    sw_arena_free(&scratch);
    return rc;
}

const sw_json_source sw_src_gmail_reports = {SRC_REPORTS, rp_claims, rp_read};
