/* DMARC reports carried in mail: see include/spoofwatch/dmarc.h.
 *
 * Aggregate reports (source "dmarc-aggregate"): every attachment that is zip, gzip or XML
 * by Content-Type or by file name and whose bytes hold a <feedback> report is read with
 * the dmarc-xml family reader through sw_log_read(), as if it were a file at the mail's
 * path; those records replace the carrier's.
 *
 * Failure reports (source "dmarc-failure", formats.md §6.2): the record is the enclosed
 * original (message/rfc822, text/rfc822-headers) read with sw_record_from_mail(), so its
 * own From, Message-ID and headers are the evidence, and the message/feedback-report
 * fields become log facts: Source-IP as sender_ip, Arrival-Date as the time,
 * Original-Mail-From as the envelope sender when the original has no Return-Path,
 * Original-Rcpt-To with Delivery-Result as a recipient, the report's
 * Authentication-Results and Auth-Failure as results from the receiver's log, the rest as
 * fields. A plain-text report with no ARF part (Exim) is read from its "Name: value"
 * summary lines and the header block pasted after them.
 *
 * Memory: everything for a failure record is in the caller's arena; aggregate records use
 * a row arena of their own, freed here. */
#include "spoofwatch/authres.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/dmarc.h"
#include "spoofwatch/error.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/logsource.h"
#include "spoofwatch/mime.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define FAILURE "dmarc-failure"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

static int report_type_of(const char *t)
{
    static const char *const types[] = {"application/zip", "application/x-zip-compressed",
                                        "application/gzip", "application/x-gzip",
                                        "text/xml", "application/xml", NULL};
    for (const char *const *k = types; *k; k++)
        if (!strcmp(t, *k))
            return 1;
    return 0;
}

static int report_name(const char *n)
{
    return n && (ends_with(n, ".xml") || ends_with(n, ".xml.gz") || ends_with(n, ".zip") ||
                 ends_with(n, ".gz"));
}

static void mail_error(sw_dmarc_sink *s, const char *fmt, const char *path, const char *what)
{
    char msg[1200];
    snprintf(msg, sizeof msg, fmt, path, what);
    s->errors++;
    if (s->on_error)
        s->on_error(msg, s->ctx);
}

/* ---- aggregate attachments ---- */

static int read_aggregates(sw_arena *a, const sw_record *carrier, const sw_mime *m,
                           sw_dmarc_sink *sink)
{
    int handled = 0;
    for (size_t i = 0; i < m->nparts && !sink->stop; i++) {
        const sw_mime_part *p = &m->parts[i];
        if (!strncmp(p->type, "multipart/", 10) || !strncmp(p->type, "message/", 8))
            continue;
        if (!report_type_of(p->type) && !report_name(p->filename) && !report_name(p->name))
            continue;
        const char *data;
        size_t len;
        if (sw_mime_decode(a, p, &data, &len) || !sw_dmarc_is_aggregate(data, len))
            continue;
        handled = 1;
        sw_input in;
        memset(&in, 0, sizeof in);
        in.path = carrier->source.path;
        in.data = data;
        in.len = len;
        in.format = SW_FMT_DMARCXML;
        in.compressed = carrier->source.compressed;
        in.fd = -1;
        sw_arena rows;
        sw_arena_init(&rows, SW_MAX_ARENA);
        int stop = sw_log_read(&in, &rows, sink->on_record, sink->ctx, sink->on_error,
                               &sink->records, &sink->errors);
        sw_arena_free(&rows);
        if (stop)
            sink->stop = stop;
    }
    return handled;
}

/* ---- failure reports ---- */

typedef struct kvs {
    sw_log_kv *items;
    size_t n, cap;
} kvs;

/* Adds a field; the first of a name wins, except Original-Rcpt-To, which RFC 5965 §3.2
 * allows more than once: those are joined with ", " (apply_report splits them again). */
static void kv_add(sw_arena *a, kvs *k, const char *key, const char *value)
{
    if (!key || !value || !*value)
        return;
    for (size_t i = 0; i < k->n; i++)
        if (!strcasecmp(k->items[i].key, key)) {
            if (!strcasecmp(key, "Original-Rcpt-To")) {
                const char *j = sw_arena_printf(a, "%s, %s", k->items[i].value, value);
                if (j)
                    k->items[i].value = j;
            }
            return;
        }
    if (k->n == SW_MAX_LOG_FIELDS)
        return;
    if (!k->items) {
        k->items = sw_arena_alloc(a, SW_MAX_LOG_FIELDS * sizeof *k->items);
        if (!k->items)
            return;
    }
    k->items[k->n].key = key;
    k->items[k->n].value = value;
    k->n++;
}

static const char *kv_get(const kvs *k, const char *key)
{
    for (size_t i = 0; i < k->n; i++)
        if (!strcasecmp(k->items[i].key, key))
            return k->items[i].value;
    return NULL;
}

/* "10.10.10.10 (mail.example)" -> "10.10.10.10"; brackets around literals dropped. */
static const char *first_token(sw_arena *a, const char *v)
{
    if (!v)
        return NULL;
    while (*v == ' ' || *v == '[')
        v++;
    size_t n = strcspn(v, " \t(;,]");
    return n ? sw_arena_strndup(a, v, n) : NULL;
}

/* "<a@b>" -> "a@b" ("<>" -> "", the null sender). */
static const char *path_addr(sw_arena *a, const char *v)
{
    if (!v)
        return NULL;
    while (*v == ' ')
        v++;
    const char *lt = strchr(v, '<');
    if (lt) {
        const char *gt = strchr(lt, '>');
        return gt ? sw_arena_strndup(a, lt + 1, (size_t)(gt - lt - 1)) : NULL;
    }
    return first_token(a, v);
}

/* Appends the results of one report field to rec as a trusted log header. */
static void add_results(sw_arena *a, sw_record *rec, const char *origin, sw_auth_fact *facts,
                        size_t nfacts)
{
    if (!nfacts)
        return;
    sw_auth_fact *f = sw_arena_alloc(a, (rec->nauth + nfacts) * sizeof *f);
    sw_authres_header *h = sw_arena_alloc(a, (rec->narh + 1) * sizeof *h);
    if (!f || !h)
        return;
    if (rec->nauth)
        memcpy(f, rec->auth, rec->nauth * sizeof *f);
    if (rec->narh)
        memcpy(h, rec->arh, rec->narh * sizeof *h);
    size_t first = rec->nauth;
    for (size_t i = 0; i < nfacts; i++) {
        f[first + i] = facts[i];
        f[first + i].origin = origin;
        f[first + i].origin_index = 0;
        f[first + i].arc_instance = -1;
    }
    sw_authres_header *x = &h[rec->narh];
    memset(x, 0, sizeof *x);
    x->origin = origin;
    x->authserv_id = facts[0].authserv_id ? facts[0].authserv_id : FAILURE;
    x->first_fact = first;
    x->nfacts = nfacts;
    x->parsed = 1;
    x->from_log = 1;
    rec->auth = f;
    rec->nauth += nfacts;
    rec->arh = h;
    rec->narh++;
}

static sw_authres_prop *one_prop(sw_arena *a, const char *ptype, const char *prop,
                                 const char *value)
{
    if (!value || !*value)
        return NULL;
    sw_authres_prop *p = sw_arena_calloc(a, sizeof *p);
    if (p) {
        p->ptype = ptype;
        p->property = prop;
        p->value = value;
    }
    return p;
}

static void report_auth(sw_arena *a, sw_record *rec, const kvs *k)
{
    const char *ar = kv_get(k, "Authentication-Results");
    if (ar) {
        sw_authres res;
        sw_error err;
        sw_error_clear(&err);
        if (sw_authres_parse(a, ar, strlen(ar), SW_AR_RELAXED | SW_AR_I18N, &res, &err) ==
                SW_OK &&
            res.count) {
            sw_auth_fact *f = sw_arena_calloc(a, res.count * sizeof *f);
            if (f) {
                for (size_t i = 0; i < res.count; i++) {
                    const sw_authres_result *r = &res.results[i];
                    f[i].method = r->method;
                    f[i].result = r->result;
                    f[i].reason = r->reason;
                    f[i].comment = r->comment;
                    f[i].props = r->props;
                    f[i].nprops = r->nprops;
                    f[i].authserv_id = res.authserv_id;
                }
                add_results(a, rec, "dmarc-failure.Authentication-Results", f, res.count);
            }
        }
    }
    /* Auth-Failure names what failed (RFC 6591 §3.2.2); stated as results only where the
     * report's Authentication-Results did not already say so */
    const char *af = kv_get(k, "Auth-Failure");
    if (!af)
        return;
    sw_auth_fact f[3];
    size_t n = 0;
    memset(f, 0, sizeof f);
    int has[3] = {0, 0, 0};
    static const char *const m3[3] = {"dmarc", "spf", "dkim"};
    for (size_t i = 0; i < rec->narh; i++) {
        if (!rec->arh[i].from_log)
            continue;
        for (size_t j = 0; j < rec->arh[i].nfacts; j++)
            for (int t = 0; t < 3; t++)
                if (rec->auth[rec->arh[i].first_fact + j].method &&
                    !strcasecmp(rec->auth[rec->arh[i].first_fact + j].method, m3[t]))
                    has[t] = 1;
    }
    const char *comment = sw_arena_printf(a, "Auth-Failure: %s", af);
    if (strcasestr(af, "dmarc") && !has[0]) {
        f[n].method = "dmarc";
        f[n].props = one_prop(a, "header", "from", kv_get(k, "Reported-Domain"));
        f[n].nprops = f[n].props ? 1 : 0;
        f[n++].result = "fail";
    }
    if (strcasestr(af, "spf") && !has[1]) {
        f[n].method = "spf";
        f[n++].result = "fail";
    }
    if ((strcasestr(af, "signature") || strcasestr(af, "bodyhash") || strcasestr(af, "revoked")) &&
        !has[2]) {
        f[n].method = "dkim";
        f[n].props = one_prop(a, "header", "d", kv_get(k, "DKIM-Domain"));
        f[n].nprops = f[n].props ? 1 : 0;
        f[n++].result = strcasestr(af, "revoked") ? "permerror" : "fail";
    }
    for (size_t i = 0; i < n; i++) {
        f[i].comment = comment;
        f[i].authserv_id = FAILURE;
    }
    add_results(a, rec, "dmarc-failure.Auth-Failure", f, n);
}

/* Each address of the (joined) Original-Rcpt-To fields as a recipient of rec, with the
 * report's Delivery-Result. */
static void add_report_recipients(sw_arena *a, sw_record *rec, const char *list, const char *dr)
{
    size_t n = 0;
    for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        n++;
    if (!n)
        return;
    sw_recipient *r = sw_arena_alloc(a, (rec->nrecipients + n) * sizeof *r);
    if (!r)
        return;
    if (rec->nrecipients)
        memcpy(r, rec->recipients, rec->nrecipients * sizeof *r);
    size_t at = rec->nrecipients;
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *one = sw_arena_strndup(a, p, len);
        const char *addr = path_addr(a, one);
        if (addr && *addr) {
            sw_recipient *x = &r[at++];
            memset(x, 0, sizeof *x);
            x->address = addr;
            x->field = "Original-Rcpt-To";
            x->delivery_action = dr;
            x->delivered = sw_log_delivered(dr, NULL);
        }
        p = comma ? comma + 1 : NULL;
    }
    rec->recipients = r;
    rec->nrecipients = at;
}

/* Log facts from the report's fields onto the enclosed message's record. */
static void apply_report(sw_arena *a, sw_record *rec, kvs *k)
{
    sw_log_facts *lf = &rec->log;
    rec->has_log = 1;
    lf->rows = 1;
    lf->sender_ip = first_token(a, kv_get(k, "Source-IP"));
    const char *arrival = kv_get(k, "Arrival-Date");
    if (arrival) {
        lf->time = arrival;
        int off;
        if (!sw_datetime_parse_rfc5322(arrival, strlen(arrival), &lf->time_epoch, &off))
            lf->has_time = 1;
    }
    lf->detection = kv_get(k, "Auth-Failure");
    lf->provider_verdict = kv_get(k, "Delivery-Result");
    const char *mf = path_addr(a, kv_get(k, "Original-Mail-From"));
    if (!rec->envelope_from && mf) {
        rec->envelope_from = mf;
        rec->return_path_count = 1;
    }
    if (!rec->envelope_from)
        lf->absent |= SW_LOG_NO_ENVELOPE_FROM;
    if (!rec->has_from)
        lf->absent |= SW_LOG_NO_HEADER_FROM;
    const char *dr = kv_get(k, "Delivery-Result");
    add_report_recipients(a, rec, kv_get(k, "Original-Rcpt-To"), dr);
    if (!dr)
        lf->absent |= SW_LOG_NO_DELIVERY;
    report_auth(a, rec, k);
    if (!rec->nauth)
        lf->absent |= SW_LOG_NO_AUTH;
    lf->fields = k->items;
    lf->nfields = k->n;
}

/* Fields of a message/feedback-report body (header syntax). */
static void arf_fields(sw_arena *a, const char *body, size_t len, kvs *k)
{
    sw_header_block h;
    sw_error err;
    sw_error_clear(&err);
    if (sw_header_scan(a, body, len, &h, &err))
        return;
    for (size_t i = 0; i < h.count; i++)
        kv_add(a, k, h.fields[i].name, h.fields[i].value);
}

/* Exim-style text: "  Sender IP Address: 203.0.113.68" lines, then the original headers
 * after a blank line. Returns where the pasted header block starts, or NULL. */
static const char *text_report(sw_arena *a, const char *t, size_t n, kvs *k)
{
    static const struct {
        const char *label, *field;
    } map[] = {
        {"Sender IP Address", "Source-IP"},      {"Source IP", "Source-IP"},
        {"Sender Domain", "Reported-Domain"},    {"Received date", "Arrival-Date"},
        {"SPF Alignment", "SPF-Alignment"},      {"DKIM Alignment", "DKIM-Alignment"},
        {"DMARC Results", "DMARC-Results"},
    };
    const char *end = t + n, *hdr = NULL;
    int blank = 1;
    for (const char *p = t; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *s = p;
        while (s < le && (*s == ' ' || *s == '\t'))
            s++;
        size_t ll = (size_t)(le - s);
        while (ll && (s[ll - 1] == '\r' || s[ll - 1] == ' '))
            ll--;
        if (!ll) {
            blank = 1;
        } else {
            /* a header block pasted in: a field line right after a blank line */
            if (blank && s == p && !hdr) {
                static const char *const starts[] = {"Received:", "Return-Path:", "From:",
                                                     "Message-ID:", "DKIM-Signature:",
                                                     "Authentication-Results:", NULL};
                for (const char *const *st = starts; *st && !hdr; st++)
                    if (ll >= strlen(*st) && !strncasecmp(s, *st, strlen(*st)))
                        hdr = p;
            }
            if (!hdr)
                for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
                    size_t ml = strlen(map[i].label);
                    if (ll > ml + 1 && !strncasecmp(s, map[i].label, ml) && s[ml] == ':') {
                        const char *v = s + ml + 1;
                        while (*v == ' ')
                            v++;
                        kv_add(a, k, map[i].field, sw_arena_strndup(a, v, (size_t)(s + ll - v)));
                    }
                }
            blank = 0;
        }
        p = nl ? nl + 1 : end;
    }
    return hdr;
}

static int is_dmarc_text(const char *t, size_t n)
{
    size_t m = n < 8192 ? n : 8192;
    char buf[8193];
    memcpy(buf, t, m);
    buf[m] = '\0';
    for (size_t i = 0; i < m; i++)
        if (!buf[i])
            buf[i] = ' ';
    return strcasestr(buf, "DMARC") != NULL;
}

static int read_failure(sw_arena *a, const sw_record *carrier, const char *msg, size_t len,
                        const sw_mime *m, sw_dmarc_sink *sink)
{
    const sw_mime_part *arf = NULL, *orig = NULL, *text = NULL;
    for (size_t i = 1; i < m->nparts; i++) {
        const sw_mime_part *p = &m->parts[i];
        if (!arf && !strcmp(p->type, "message/feedback-report"))
            arf = p;
        else if (!orig && (!strcmp(p->type, "message/rfc822") ||
                           !strcmp(p->type, "text/rfc822-headers") ||
                           !strcmp(p->type, "message/rfc822-headers")))
            orig = p;
        else if (!text && !strcmp(p->type, "text/plain"))
            text = p;
    }
    const sw_mime_part *top = &m->parts[0];
    kvs k = {0};
    const char *omsg = NULL;
    size_t olen = 0;
    uint64_t ooff = 0;
    if (arf) {
        const char *body;
        size_t bl;
        if (sw_mime_decode(a, arf, &body, &bl))
            return 0;
        arf_fields(a, body, bl, &k);
        if (!kv_get(&k, "Feedback-Type") && !kv_get(&k, "Auth-Failure") &&
            !kv_get(&k, "Source-IP"))
            return 0; /* not a feedback report after all */
        kv_add(a, &k, "arf_part", "message/feedback-report");
    } else {
        /* no ARF part: a multipart/report that is not a DSN or MDN, whose text is a DMARC
         * report */
        if (strcmp(top->type, "multipart/report") || !text)
            return 0;
        if (top->report_type && strcmp(top->report_type, "feedback-report"))
            return 0;
        const char *body;
        size_t bl;
        if (sw_mime_decode(a, text, &body, &bl) || !is_dmarc_text(body, bl))
            return 0;
        const char *hdr = text_report(a, body, bl, &k);
        if (!kv_get(&k, "Source-IP") && !hdr)
            return 0;
        /* the text says what failed: a message failing the published DMARC policy */
        kv_add(a, &k, "Feedback-Type", "auth-failure");
        kv_add(a, &k, "arf_part", "absent (plain-text report; fields read from its text)");
        if (hdr && !orig) {
            omsg = hdr;
            olen = bl - (size_t)(hdr - body);
            ooff = 0; /* decoded text: no byte offset in the file */
        }
    }
    if (orig) {
        if (sw_mime_decode(a, orig, &omsg, &olen))
            omsg = NULL;
        else if (!strcmp(orig->encoding, "7bit") || !strcmp(orig->encoding, "8bit") ||
                 !strcmp(orig->encoding, "binary"))
            ooff = (uint64_t)(orig->body - msg);
    }
    long f;
    if ((f = sw_header_find(&carrier->headers, "From", 0)) >= 0)
        kv_add(a, &k, "report_from", carrier->headers.fields[f].value);
    kv_add(a, &k, "report_subject", carrier->subject);
    kv_add(a, &k, "report_message_id", carrier->message_id);

    sw_source src = carrier->source;
    src.format = FAILURE;
    src.offset = carrier->source.offset + ooff;
    src.length = omsg ? olen : len;
    sw_record rec;
    sw_error err;
    sw_error_clear(&err);
    if (!omsg || !olen) {
        /* no original enclosed: the report's own facts on an otherwise empty record */
        kv_add(a, &k, "original_message", "not enclosed");
        omsg = "";
        olen = 0;
    }
    if (sw_record_from_mail(a, omsg, olen, &src, &rec, &err)) {
        mail_error(sink, "%s: DMARC failure report: %s", carrier->source.path, err.message);
        return 1;
    }
    apply_report(a, &rec, &k);
    sink->records++;
    if (sink->on_record)
        sink->stop = sink->on_record(&rec, a, sink->ctx);
    return 1;
}

/* strcasestr(s, "report domain") || strcasestr(s, "dmarc") in one pass: every multipart
 * message's Subject is tested, and the two strcasestr calls were most of what a message that
 * is no report paid here. Only an 'r' or a 'd' is looked at further (the C locale, which
 * spoofwatch never leaves, folds only A-Z: c | 0x20 is 'r' for 'r' and 'R' alone). */
static int subject_says_report(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s | 0x20;
        if (c == 'r' && !strncasecmp(s, "report domain", 13))
            return 1;
        if (c == 'd' && !strncasecmp(s, "dmarc", 5))
            return 1;
    }
    return 0;
}

int sw_dmarc_mail(sw_arena *a, const sw_record *carrier, const char *msg, size_t len,
                  sw_dmarc_sink *sink)
{
    long ct = sw_header_find(&carrier->headers, "Content-Type", 0);
    if (ct < 0)
        return 0;
    const char *v = carrier->headers.fields[ct].value;
    while (*v == ' ' || *v == '\t')
        v++;
    /* The cheap test every message pays, so that a header scan does not walk bodies: a
     * report is an archive or XML as the whole body, a multipart/report (ARF), or another
     * multipart whose Subject says it is one (RFC 7489 §7.2.1.1 "Report Domain: ...",
     * and the "DMARC ... Report" subjects failure reporters write). */
    int whole = !strncasecmp(v, "application/", 12) || !strncasecmp(v, "text/xml", 8);
    int arf = !strncasecmp(v, "multipart/report", 16);
    if (!whole && !arf) {
        if (strncasecmp(v, "multipart/", 10) || !carrier->subject ||
            !subject_says_report(carrier->subject))
            return 0;
    }
    sw_mime m;
    if (sw_mime_parse(a, msg, len, &m) || !m.nparts)
        return 0;
    if (read_aggregates(a, carrier, &m, sink))
        return 1;
    return read_failure(a, carrier, msg, len, &m, sink);
}
