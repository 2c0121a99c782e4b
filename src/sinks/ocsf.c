/* OCSF alerts: see include/spoofwatch/ocsf.h and docs/alerts.md.
 *
 * Owns nothing: every string is read from the evidence or campaign passed in and written
 * through the sw_json writer into the caller's buffer; the only other memory is the fixed
 * summary line on the stack. Members are written in one fixed order and nothing depends on
 * the clock or on the environment, so the same input gives the same bytes (only
 * metadata.product.version changes with the build). On failure the buffer is put back as
 * it was, so a caller never ships half an alert. */
#include "spoofwatch/ocsf.h"
#include "spoofwatch/error.h"
#include "spoofwatch/json.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#ifndef SW_VERSION
#define SW_VERSION "unknown"
#endif

/* The schema version every alert claims (metadata.version). 1.6.0 has email_auth, the
 * email object's delivered_to_list and the security_control profile's is_alert. */
#define OCSF_VERSION "1.6.0"
#define OCSF_CLASS_UID 4009 /* Email Activity */
#define OCSF_CATEGORY_UID 4 /* Network Activity */
#define OCSF_ACTIVITY_SCAN 3 /* "Email being scanned (example: security scanning)" */

/* Caps: one hostile string (a 256 KiB subject) must not make an alert the size of the
 * message, and a log row with thousands of recipients must not make it unbounded. */
#define OCSF_MAX_TEXT 2048   /* bytes of any one string value */
#define OCSF_MAX_LIST 256    /* items of any one array */
#define OCSF_MAX_DEDUP 1024  /* recipients looked at when building email.to/cc/... */
#define OCSF_SUMMARY 1024    /* bytes of the one-line message */
#define OCSF_TOP_SIGNALS 3   /* signals named in the message */

/* ---- bounded strings ---- */

/* Length of s[0..n) cut to at most max bytes without splitting a UTF-8 sequence (a cut
 * inside one would only become U+FFFD, but a clean cut keeps the last character). */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    for (int back = 0; back < 3 && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80; back++)
        k--;
    return k;
}

static const char *opt(const char *s)
{
    return s && *s ? s : NULL;
}

static void str(sw_json *j, const char *s)
{
    size_t n = strlen(s);
    sw_json_string_n(j, s, utf8_cut(s, n, OCSF_MAX_TEXT));
}

/* "key": "s", skipped for NULL and "" (an empty value is no fact). */
static void kv(sw_json *j, const char *key, const char *s)
{
    if (!opt(s))
        return;
    sw_json_key(j, key);
    str(j, s);
}

/* ---- the summary line ---- */

typedef struct line {
    char s[OCSF_SUMMARY];
    size_t n;
} line;

/* Appends at most max bytes of s, each control byte as a space so the message stays one
 * line whatever a subject or display name holds. Never past the line's end. */
static void line_add_n(line *l, const char *s, size_t max)
{
    if (!s)
        return;
    size_t room = sizeof l->s - 1 - l->n;
    if (max > room)
        max = room;
    size_t n = utf8_cut(s, strlen(s), max);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        l->s[l->n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    l->s[l->n] = '\0';
}

static void line_add(line *l, const char *s)
{
    line_add_n(l, s, sizeof l->s);
}

static void line_u64(line *l, uint64_t v)
{
    char t[24];
    snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    line_add(l, t);
}

/* ---- enumerations ---- */

static void severity(sw_verdict v, int *id, const char **name)
{
    switch (v) {
    case SW_VERDICT_SPOOFED: *id = 4, *name = "High"; return;
    case SW_VERDICT_SUSPICIOUS: *id = 3, *name = "Medium"; return;
    case SW_VERDICT_PASS: *id = 1, *name = "Informational"; return;
    case SW_VERDICT_UNKNOWN: break;
    }
    *id = 0, *name = "Unknown";
}

static int flagged(sw_verdict v)
{
    return v == SW_VERDICT_SPOOFED || v == SW_VERDICT_SUSPICIOUS;
}

/* The logs' own words (Defender "Intra-org", TIMailData "IntraOrg") to direction_id; a
 * direction that fits none is Other (99) with the logged text as its caption. */
static void direction(const char *raw, int *id, const char **name)
{
    if (!opt(raw)) {
        *id = 0, *name = "Unknown";
    } else if (!strcasecmp(raw, "inbound")) {
        *id = 1, *name = "Inbound";
    } else if (!strcasecmp(raw, "outbound")) {
        *id = 2, *name = "Outbound";
    } else if (!strcasecmp(raw, "intra-org") || !strcasecmp(raw, "intraorg") ||
               !strcasecmp(raw, "internal") || !strcasecmp(raw, "intra_org")) {
        *id = 3, *name = "Internal";
    } else {
        *id = 99, *name = raw;
    }
}

/* UTC seconds to OCSF milliseconds; 0 when the product would overflow (a hostile Date). */
static int to_ms(int64_t sec, int64_t *ms)
{
    if (sec > INT64_MAX / 1000 || sec < INT64_MIN / 1000)
        return 0;
    *ms = sec * 1000;
    return 1;
}

static void kv_ms(sw_json *j, const char *key, int64_t sec)
{
    int64_t ms;
    if (to_ms(sec, &ms))
        sw_json_kv_int(j, key, ms);
}

/* metadata.uid: the first 128 bits of SHA-256(prefix || id) in hex. The prefix keeps a
 * message and a campaign that happened to share an id from sharing an alert id. */
static int alert_uid(const char *prefix, const char *id, size_t idlen, char out[33])
{
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned dlen = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(md, prefix, strlen(prefix)) && EVP_DigestUpdate(md, id, idlen) &&
             EVP_DigestFinal_ex(md, dig, &dlen) && dlen >= 16;
    EVP_MD_CTX_free(md);
    if (!ok)
        return SW_ENOMEM;
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[dig[i] >> 4];
        out[2 * i + 1] = hex[dig[i] & 15];
    }
    out[32] = '\0';
    return SW_OK;
}

/* ---- shared parts ---- */

/* The class, activity and severity members every alert opens with. */
static void head(sw_json *j, sw_verdict v, const char *raw_direction)
{
    int sev, dir;
    const char *sevname, *dirname;
    severity(v, &sev, &sevname);
    direction(raw_direction, &dir, &dirname);
    SW_JSON_KV_INT(j, "activity_id", OCSF_ACTIVITY_SCAN);
    SW_JSON_KV_STRING(j, "activity_name", "Scan");
    SW_JSON_KV_INT(j, "category_uid", OCSF_CATEGORY_UID);
    SW_JSON_KV_STRING(j, "category_name", "Network Activity");
    SW_JSON_KV_INT(j, "class_uid", OCSF_CLASS_UID);
    SW_JSON_KV_STRING(j, "class_name", "Email Activity");
    SW_JSON_KV_INT(j, "type_uid", OCSF_CLASS_UID * 100 + OCSF_ACTIVITY_SCAN);
    SW_JSON_KV_STRING(j, "type_name", "Email Activity: Scan");
    SW_JSON_KV_INT(j, "severity_id", sev);
    SW_JSON_KV_STRING(j, "severity", sevname);
    SW_JSON_KV_INT(j, "direction_id", dir);
    kv(j, "direction", dirname);
    /* security_control profile: spoofwatch detects, it never blocks or moves mail, so the
     * disposition is Detected and what the mail system did stays per recipient */
    SW_JSON_KV_BOOL(j, "is_alert", flagged(v));
    if (flagged(v)) {
        SW_JSON_KV_INT(j, "disposition_id", 15);
        SW_JSON_KV_STRING(j, "disposition", "Detected");
    }
}

/* correlation_uid (may be NULL): the campaign a message alert belongs to, so a SIEM can
 * group message alerts with their campaign's. */
static void metadata(sw_json *j, const char *uid, const char *correlation_uid)
{
    SW_JSON_KEY(j, "metadata");
    sw_json_object_begin(j);
    SW_JSON_KV_STRING(j, "version", OCSF_VERSION);
    SW_JSON_KV_STRING(j, "uid", uid);
    SW_JSON_KV_STRING(j, "correlation_uid", correlation_uid);
    SW_JSON_KEY(j, "product");
    sw_json_object_begin(j);
    SW_JSON_KV_STRING(j, "name", "spoofwatch");
    SW_JSON_KV_STRING(j, "vendor_name", "spoofwatch");
    SW_JSON_KV_STRING(j, "version", SW_VERSION);
    sw_json_object_end(j);
    SW_JSON_KEY(j, "profiles");
    sw_json_array_begin(j);
    sw_json_string(j, "security_control");
    sw_json_array_end(j);
    sw_json_object_end(j);
}

/* Which email member a recipient's field feeds. Log columns (RecipientEmailAddress ...)
 * name the recipient the message was for, which is what email.to holds for a reader. */
enum { R_TO, R_CC, R_DELIVERED, R_SMTP, R_NONE, R_NCLASS };
static int recipient_class(const char *field)
{
    if (!field || !strcasecmp(field, "to"))
        return R_TO;
    if (!strcasecmp(field, "cc"))
        return R_CC;
    if (!strcasecmp(field, "bcc"))
        return R_NONE; /* no OCSF member; still under unmapped.recipients */
    if (!strcasecmp(field, "delivered-to"))
        return R_DELIVERED;
    if (!strcasecmp(field, "x-original-to") || !strcasecmp(field, "envelope-to") ||
        !strcasecmp(field, "original-rcpt-to"))
        return R_SMTP;
    return R_TO;
}

/* One address list of the email object: each address once (ASCII case ignored), in the
 * order seen, at most OCSF_MAX_LIST; the member is left out when it has none. */
static void address_list(sw_json *j, const char *key, const sw_evidence *ev, int cls)
{
    size_t n = ev->nrecipients < OCSF_MAX_DEDUP ? ev->nrecipients : OCSF_MAX_DEDUP, written = 0;
    for (size_t i = 0; i < n && written < OCSF_MAX_LIST; i++) {
        const sw_ev_recipient *r = &ev->recipients[i];
        if (!opt(r->address) || recipient_class(r->field) != cls)
            continue;
        int dup = 0;
        for (size_t k = 0; k < i && !dup; k++)
            dup = recipient_class(ev->recipients[k].field) == cls && ev->recipients[k].address &&
                  !strcasecmp(ev->recipients[k].address, r->address);
        if (dup)
            continue;
        if (!written++) {
            sw_json_key(j, key);
            sw_json_array_begin(j);
        }
        str(j, r->address);
    }
    if (written)
        sw_json_array_end(j);
}

static void email_object(sw_json *j, const sw_evidence *ev)
{
    SW_JSON_KEY(j, "email");
    sw_json_object_begin(j);
    if (ev) {
        kv(j, "from", ev->from_address);
        kv(j, "reply_to", ev->reply_to);
        kv(j, "smtp_from", ev->envelope_from);
        address_list(j, "to", ev, R_TO);
        address_list(j, "cc", ev, R_CC);
        address_list(j, "smtp_to", ev, R_SMTP);
        address_list(j, "delivered_to_list", ev, R_DELIVERED);
        kv(j, "subject", ev->subject);
        kv(j, "message_uid", ev->message_id);
        kv(j, "uid", ev->network_message_id);
        if (opt(ev->client_ip)) {
            SW_JSON_KEY(j, "x_originating_ip");
            sw_json_array_begin(j);
            str(j, ev->client_ip);
            sw_json_array_end(j);
        }
    }
    sw_json_object_end(j);
}

static void email_auth_object(sw_json *j, const sw_evidence *ev)
{
    if (!opt(ev->spf.result) && !opt(ev->dkim.result) && !opt(ev->dmarc.result))
        return;
    SW_JSON_KEY(j, "email_auth");
    sw_json_object_begin(j);
    kv(j, "spf", ev->spf.result);
    kv(j, "dkim", ev->dkim.result);
    kv(j, "dkim_domain", ev->dkim.domain);
    kv(j, "dmarc", ev->dmarc.result);
    kv(j, "dmarc_policy", ev->dmarc_policy);
    sw_json_object_end(j);
}

static void src_endpoint(sw_json *j, const sw_evidence *ev)
{
    if (!opt(ev->client_ip))
        return;
    SW_JSON_KEY(j, "src_endpoint");
    sw_json_object_begin(j);
    kv(j, "ip", ev->client_ip);
    sw_json_object_end(j);
}

static void observable(sw_json *j, int *open, const char *name, int type_id, const char *type,
                       const char *value)
{
    if (!opt(value))
        return;
    if (!*open) {
        SW_JSON_KEY(j, "observables");
        sw_json_array_begin(j);
        *open = 1;
    }
    sw_json_object_begin(j);
    sw_json_kv_string(j, "name", name);
    SW_JSON_KV_INT(j, "type_id", type_id);
    sw_json_kv_string(j, "type", type);
    kv(j, "value", value);
    sw_json_object_end(j);
}

/* The identities an analyst pivots on, as OCSF observables (type_id 5 Email Address,
 * 2 IP Address), named by where they sit in this alert. */
static void observables(sw_json *j, const sw_evidence *ev)
{
    int open = 0;
    observable(j, &open, "email.from", 5, "Email Address", ev->from_address);
    observable(j, &open, "email.smtp_from", 5, "Email Address", ev->envelope_from);
    observable(j, &open, "email.reply_to", 5, "Email Address", ev->reply_to);
    observable(j, &open, "email.x_originating_ip", 2, "IP Address", ev->client_ip);
    if (open)
        sw_json_array_end(j);
}

static void auth_detail(sw_json *j, const char *key, const sw_ev_auth *a)
{
    if (!opt(a->result))
        return;
    sw_json_key(j, key);
    sw_json_object_begin(j);
    kv(j, "result", a->result);
    kv(j, "domain", a->domain);
    kv(j, "origin", a->origin);
    sw_json_object_end(j);
}

static void source_object(sw_json *j, const sw_evidence *ev)
{
    SW_JSON_KEY(j, "source");
    sw_json_object_begin(j);
    kv(j, "path", ev->path);
    kv(j, "format", ev->format);
    if (ev->from_log) {
        SW_JSON_KEY(j, "line");
        sw_json_uint(j, ev->line);
    } else {
        SW_JSON_KEY(j, "offset");
        sw_json_uint(j, ev->offset);
    }
    sw_json_object_end(j);
}

/* ---- message alerts ---- */

/* Indices of the heaviest signals, ties in assessment order. Returns how many. */
static size_t top_signals(const sw_evidence *ev, size_t top[OCSF_TOP_SIGNALS])
{
    size_t n = 0;
    while (n < OCSF_TOP_SIGNALS) {
        size_t best = ev->nsignals;
        for (size_t i = 0; i < ev->nsignals; i++) {
            int taken = 0;
            for (size_t k = 0; k < n; k++)
                taken |= top[k] == i;
            if (!taken && opt(ev->signals[i].id) &&
                (best == ev->nsignals || ev->signals[i].weight > ev->signals[best].weight))
                best = i;
        }
        if (best == ev->nsignals)
            break;
        top[n++] = best;
    }
    return n;
}

/* "spoofed message from security@bank.example to 2 recipients (score 85): dmarc_fail,
 * from_lookalike, reply_to_freemail (+1 more)" */
static void message_summary(const sw_evidence *ev, line *l)
{
    line_add(l, sw_verdict_name(ev->verdict));
    line_add(l, " message from ");
    line_add_n(l, opt(ev->from_address) ? ev->from_address : "an unknown sender", 256);
    if (ev->nrecipients) {
        line_add(l, " to ");
        line_u64(l, ev->nrecipients);
        line_add(l, ev->nrecipients == 1 ? " recipient" : " recipients");
    }
    line_add(l, " (score ");
    char t[16];
    snprintf(t, sizeof t, "%d", ev->score);
    line_add(l, t);
    line_add(l, ")");
    size_t top[OCSF_TOP_SIGNALS];
    size_t n = top_signals(ev, top);
    for (size_t i = 0; i < n; i++) {
        line_add(l, i ? ", " : ": ");
        line_add_n(l, ev->signals[top[i]].id, 64);
    }
    if (ev->nsignals > n && n) {
        line_add(l, " (+");
        line_u64(l, ev->nsignals - n);
        line_add(l, " more)");
    }
}

static void recipients_detail(sw_json *j, const sw_evidence *ev)
{
    SW_JSON_KEY(j, "recipients");
    sw_json_array_begin(j);
    for (size_t i = 0; i < ev->nrecipients && i < OCSF_MAX_LIST; i++) {
        const sw_ev_recipient *r = &ev->recipients[i];
        sw_json_object_begin(j);
        kv(j, "address", r->address);
        kv(j, "field", r->field);
        kv(j, "action", r->action);
        kv(j, "location", r->location);
        kv(j, "delivered", r->delivered);
        sw_json_object_end(j);
    }
    sw_json_array_end(j);
    SW_JSON_KV_INT(j, "recipients_total", (int64_t)ev->nrecipients);
}

static void signals_detail(sw_json *j, const sw_evidence *ev)
{
    SW_JSON_KEY(j, "signals");
    sw_json_array_begin(j);
    for (size_t i = 0; i < ev->nsignals && i < OCSF_MAX_LIST; i++) {
        const sw_ev_signal *s = &ev->signals[i];
        sw_json_object_begin(j);
        kv(j, "id", s->id);
        SW_JSON_KV_INT(j, "weight", s->weight);
        kv(j, "evidence", s->evidence);
        sw_json_object_end(j);
    }
    sw_json_array_end(j);
}

static int finish(sw_json *j, sw_buf *out, size_t start)
{
    if (j->status) { /* take back the partial object */
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    return j->status;
}

int sw_ocsf_write_message_alert(const sw_evidence *ev, sw_buf *out)
{
    size_t klen = strnlen(ev->key, sizeof ev->key - 1);
    if (!klen)
        return SW_EINVAL; /* without its observation key the alert could not be deduplicated */
    char uid[33];
    int rc = alert_uid("message:", ev->key, klen, uid);
    if (rc)
        return rc;

    size_t start = out->len;
    sw_json j;
    sw_json_init(&j, out);
    sw_json_object_begin(&j);
    head(&j, ev->verdict, ev->direction);
    if (ev->has_time)
        kv_ms(&j, "time", ev->time);
    line sum = {.n = 0};
    sum.s[0] = '\0';
    message_summary(ev, &sum);
    kv(&j, "message", sum.s);
    metadata(&j, uid, ev->campaign);
    email_object(&j, ev);
    email_auth_object(&j, ev);
    src_endpoint(&j, ev);
    observables(&j, ev);

    SW_JSON_KEY(&j, "unmapped");
    sw_json_object_begin(&j);
    SW_JSON_KV_STRING(&j, "verdict", sw_verdict_name(ev->verdict));
    SW_JSON_KV_INT(&j, "score", ev->score);
    SW_JSON_KV_STRING(&j, "key", ev->key);
    kv(&j, "from_display", ev->from_display);
    kv(&j, "from_domain", ev->from_domain);
    kv(&j, "from_org", ev->from_org);
    kv(&j, "envelope_domain", ev->envelope_domain);
    kv(&j, "direction", ev->direction);
    if (opt(ev->spf.result) || opt(ev->dkim.result) || opt(ev->dmarc.result) ||
        opt(ev->compauth.result) || opt(ev->arc.result)) {
        SW_JSON_KEY(&j, "auth");
        sw_json_object_begin(&j);
        auth_detail(&j, "spf", &ev->spf);
        auth_detail(&j, "dkim", &ev->dkim);
        auth_detail(&j, "dmarc", &ev->dmarc);
        auth_detail(&j, "compauth", &ev->compauth);
        auth_detail(&j, "arc", &ev->arc);
        sw_json_object_end(&j);
    }
    recipients_detail(&j, ev);
    signals_detail(&j, ev);
    source_object(&j, ev);
    sw_json_object_end(&j);

    sw_json_object_end(&j);
    return finish(&j, out, start);
}

/* ---- campaign alerts ---- */

/* "campaign of 12 messages to 40 recipients from bank.example: invoice # (worst spoofed;
 * 8 spoofed, 4 suspicious; top signals: dmarc_fail, from_lookalike)" */
static void campaign_summary(const sw_campaign *c, const sw_evidence *first, line *l)
{
    const char *org = opt(c->from_org) ? c->from_org : first ? opt(first->from_org) : NULL;
    const char *subject = opt(c->subject) ? c->subject : first ? opt(first->subject) : NULL;
    line_add(l, "campaign of ");
    line_u64(l, c->messages);
    line_add(l, c->messages == 1 ? " message to " : " messages to ");
    line_u64(l, c->recipients);
    line_add(l, c->recipients == 1 ? " recipient from " : " recipients from ");
    line_add_n(l, org ? org : "unknown senders", 256);
    if (subject) {
        line_add(l, ": ");
        line_add_n(l, subject, 160);
    }
    line_add(l, " (worst ");
    line_add(l, sw_verdict_name((sw_verdict)c->worst_verdict));
    line_add(l, "; ");
    line_u64(l, c->spoofed);
    line_add(l, " spoofed, ");
    line_u64(l, c->suspicious);
    line_add(l, " suspicious");
    size_t named = 0;
    for (size_t i = 0; i < c->ntop_signals && named < OCSF_TOP_SIGNALS; i++) {
        if (!opt(c->top_signals[i].name))
            continue;
        line_add(l, named++ ? ", " : "; top signals: ");
        line_add_n(l, c->top_signals[i].name, 64);
    }
    line_add(l, ")");
}

/* {"spf=fail": 3, ...}: a mix as an object, so a query can ask for one outcome by name. */
static void count_object(sw_json *j, const char *key, const sw_count *v, size_t n)
{
    sw_json_key(j, key);
    sw_json_object_begin(j);
    for (size_t i = 0; i < n && i < OCSF_MAX_LIST; i++) {
        if (!opt(v[i].name))
            continue;
        sw_json_key(j, v[i].name);
        sw_json_uint(j, v[i].n);
    }
    sw_json_object_end(j);
}

static void string_list(sw_json *j, const char *key, const char *const *v, size_t n)
{
    sw_json_key(j, key);
    sw_json_array_begin(j);
    for (size_t i = 0; i < n && i < OCSF_MAX_LIST; i++)
        if (opt(v[i]))
            str(j, v[i]);
    sw_json_array_end(j);
}

int sw_ocsf_write_campaign_alert(const sw_campaign *c, const sw_evidence *samples,
                                 size_t nsamples, sw_buf *out)
{
    size_t idlen = strnlen(c->id, sizeof c->id - 1);
    if (!idlen)
        return SW_EINVAL;
    char uid[33];
    int rc = alert_uid("campaign:", c->id, idlen, uid);
    if (rc)
        return rc;
    const sw_evidence *first = samples && nsamples ? &samples[0] : NULL;
    sw_verdict worst = (sw_verdict)c->worst_verdict;

    size_t start = out->len;
    sw_json j;
    sw_json_init(&j, out);
    sw_json_object_begin(&j);
    head(&j, worst, first ? first->direction : NULL);
    /* 0 is how the store says "undated" (a campaign of messages without a Date) */
    if (c->first_seen || c->last_seen) {
        kv_ms(&j, "time", c->last_seen);
        kv_ms(&j, "start_time", c->first_seen);
        kv_ms(&j, "end_time", c->last_seen);
    }
    SW_JSON_KEY(&j, "count");
    sw_json_uint(&j, c->messages);
    line sum = {.n = 0};
    sum.s[0] = '\0';
    campaign_summary(c, first, &sum);
    kv(&j, "message", sum.s);
    metadata(&j, uid, c->id);
    email_object(&j, first);
    if (first) {
        email_auth_object(&j, first);
        src_endpoint(&j, first);
        observables(&j, first);
    }

    SW_JSON_KEY(&j, "unmapped");
    sw_json_object_begin(&j);
    SW_JSON_KV_STRING(&j, "verdict", sw_verdict_name(worst));
    SW_JSON_KEY(&j, "campaign");
    sw_json_object_begin(&j);
    SW_JSON_KV_STRING(&j, "id", c->id);
    kv(&j, "key", c->key);
    kv_ms(&j, "window_start", c->window_start);
    kv_ms(&j, "window_end", c->window_end);
    SW_JSON_KEY(&j, "messages");
    sw_json_uint(&j, c->messages);
    if (c->observations) {
        SW_JSON_KEY(&j, "observations");
        sw_json_uint(&j, c->observations);
    }
    SW_JSON_KEY(&j, "recipients");
    sw_json_uint(&j, c->recipients);
    SW_JSON_KEY(&j, "spoofed");
    sw_json_uint(&j, c->spoofed);
    SW_JSON_KEY(&j, "suspicious");
    sw_json_uint(&j, c->suspicious);
    kv(&j, "from_org", c->from_org);
    kv(&j, "subject", c->subject);
    kv(&j, "network", c->network);
    count_object(&j, "auth_mix", c->auth_mix, c->nauth_mix);
    count_object(&j, "delivery_mix", c->delivery_mix, c->ndelivery_mix);
    SW_JSON_KEY(&j, "top_signals");
    sw_json_array_begin(&j);
    for (size_t i = 0; i < c->ntop_signals && i < OCSF_MAX_LIST; i++) {
        if (!opt(c->top_signals[i].name))
            continue;
        sw_json_object_begin(&j);
        kv(&j, "id", c->top_signals[i].name);
        SW_JSON_KEY(&j, "count");
        sw_json_uint(&j, c->top_signals[i].n);
        sw_json_object_end(&j);
    }
    sw_json_array_end(&j);
    string_list(&j, "message_ids", c->message_ids, c->nmessage_ids);
    SW_JSON_KEY(&j, "message_ids_total");
    sw_json_uint(&j, c->message_ids_total);
    string_list(&j, "recipients_sample", c->recipient_addrs, c->nrecipient_addrs);
    sw_json_object_end(&j);
    if (nsamples && samples) {
        /* which observations the email object and the samples came from */
        SW_JSON_KEY(&j, "samples");
        sw_json_array_begin(&j);
        for (size_t i = 0; i < nsamples && i < OCSF_MAX_LIST; i++) {
            sw_json_object_begin(&j);
            kv(&j, "key", samples[i].key);
            SW_JSON_KV_STRING(&j, "verdict", sw_verdict_name(samples[i].verdict));
            kv(&j, "message_uid", samples[i].message_id);
            source_object(&j, &samples[i]);
            sw_json_object_end(&j);
        }
        sw_json_array_end(&j);
    }
    sw_json_object_end(&j);

    sw_json_object_end(&j);
    return finish(&j, out, start);
}
