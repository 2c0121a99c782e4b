/* Builds the message record from raw mail: see include/spoofwatch/record.h.
 *
 * Reads the header block once, then each identity, id and authentication header in turn.
 * Everything odd is kept as an anomaly with the header's byte offset: the record is
 * evidence, so nothing is smoothed over. */
#include "spoofwatch/record.h"
#include "spoofwatch/copy.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/rfc2047.h"
#include "spoofwatch/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_ANOMALIES 128
#define MAX_RECIPIENTS 1024
#define MAX_AUTH_FACTS 256
#define MAX_HOPS 128
#define MAX_DKIM 64

int sw_record_add_anomaly(sw_arena *a, sw_record *rec, const char *id, uint64_t offset,
                          const char *fmt, ...)
{
    if (rec->nanomalies >= MAX_ANOMALIES)
        return SW_ELIMIT;
    if (rec->nanomalies % 16 == 0) {
        sw_anomaly *n = sw_arena_alloc(a, (rec->nanomalies + 16) * sizeof *n);
        if (!n)
            return SW_ENOMEM;
        if (rec->nanomalies)
            memcpy(n, rec->anomalies, rec->nanomalies * sizeof *n);
        rec->anomalies = n;
    }
    va_list ap;
    va_start(ap, fmt);
    sw_anomaly *an = &rec->anomalies[rec->nanomalies++];
    an->id = id;
    an->detail = sw_arena_vprintf(a, fmt, ap);
    an->offset = offset;
    va_end(ap);
    return an->detail ? SW_OK : SW_ENOMEM;
}

/* Grows an arena array by 16 elements when full (arrays are append-only per record). */
static void *grow(sw_arena *a, void *arr, size_t count, size_t elem)
{
    if (count % 16)
        return arr;
    void *n = sw_arena_alloc(a, (count + 16) * elem);
    if (n && count)
        memcpy(n, arr, count * elem);
    return n;
}

/* The fields this file reads, found in one walk of the header block: by name they took
 * some thirty lookups per message (a find, then a count, then a walk of the same name's
 * chain), each a call and a bucket-chain walk. The first eight are the one-per-message
 * fields check_singletons() tests, in its order. */
enum {
    F_FROM,
    F_SENDER,
    F_REPLY_TO,
    F_TO,
    F_CC,
    F_SUBJECT,
    F_DATE,
    F_MESSAGE_ID,
    F_RETURN_PATH,
    F_BCC,
    F_DELIVERED_TO,
    F_X_ORIGINAL_TO,
    F_ENVELOPE_TO,
    F_AR,
    F_AR_ORIGINAL,
    F_X_ORIGINAL_AR,
    F_ARC_AR,
    F_RECEIVED_SPF,
    F_RECEIVED,
    F_DKIM,
    F_NAMES
};

static const char *const field_names[F_NAMES] = {
    "From",          "Sender",
    "Reply-To",      "To",
    "Cc",            "Subject",
    "Date",          "Message-ID",
    "Return-Path",   "Bcc",
    "Delivered-To",  "X-Original-To",
    "Envelope-To",   "Authentication-Results",
    "Authentication-Results-Original", "X-Original-Authentication-Results",
    "ARC-Authentication-Results",      "Received-SPF",
    "Received",      "DKIM-Signature"};

/* Per name: the first matching field, how many match, and each match's successor. */
typedef struct field_index {
    int32_t first[F_NAMES];
    uint32_t count[F_NAMES];
    /* next[i]: the next field with field i's name, or -1 (set for matches only);
     * sw_header_scan keeps no more fields than this */
    int32_t next[SW_MAX_HEADER_FIELDS];
} field_index;

/* The name's hash, folded to a constant for a literal. */
#define H(lit) sw_header_name_hash_inline(lit, sizeof lit - 1)

/* Which of field_names a field's (length, hash) can be, or -1: the equality test follows.
 * Hashes of a length's names differ (the test in test_record.c checks every name). */
static int candidate_name(const sw_header_field *f)
{
    uint32_t h = f->name_hash;
    switch (f->name_len) {
    case 2: return h == H("To") ? F_TO : h == H("Cc") ? F_CC : -1;
    case 3: return h == H("Bcc") ? F_BCC : -1;
    case 4: return h == H("From") ? F_FROM : h == H("Date") ? F_DATE : -1;
    case 6: return h == H("Sender") ? F_SENDER : -1;
    case 7: return h == H("Subject") ? F_SUBJECT : -1;
    case 8: return h == H("Reply-To") ? F_REPLY_TO : h == H("Received") ? F_RECEIVED : -1;
    case 10: return h == H("Message-ID") ? F_MESSAGE_ID : -1;
    case 11:
        return h == H("Return-Path") ? F_RETURN_PATH : h == H("Envelope-To") ? F_ENVELOPE_TO : -1;
    case 12:
        return h == H("Delivered-To") ? F_DELIVERED_TO : h == H("Received-SPF") ? F_RECEIVED_SPF
                                                                                : -1;
    case 13: return h == H("X-Original-To") ? F_X_ORIGINAL_TO : -1;
    case 14: return h == H("DKIM-Signature") ? F_DKIM : -1;
    case 22: return h == H("Authentication-Results") ? F_AR : -1;
    case 26: return h == H("ARC-Authentication-Results") ? F_ARC_AR : -1;
    case 31: return h == H("Authentication-Results-Original") ? F_AR_ORIGINAL : -1;
    case 33: return h == H("X-Original-Authentication-Results") ? F_X_ORIGINAL_AR : -1;
    }
    return -1;
}
#undef H

/* The same matches as sw_header_find / _count / _next by each name: equal names but for
 * ASCII case, and never a field with whitespace before its colon. */
static void index_fields(const sw_header_block *h, field_index *ix)
{
    int32_t last[F_NAMES];
    for (size_t k = 0; k < F_NAMES; k++) {
        ix->first[k] = -1;
        ix->count[k] = 0;
    }
    for (size_t i = 0; i < h->count && i < SW_MAX_HEADER_FIELDS; i++) {
        const sw_header_field *f = &h->fields[i];
        int k = candidate_name(f);
        if (k < 0 || (f->flags & SW_HF_SPACE_BEFORE_COLON))
            continue;
        const char *name = field_names[k];
        if (!sw_same_short(f->name, name, f->name_len) && strncasecmp(f->name, name, f->name_len))
            continue;
        ix->next[i] = -1;
        if (ix->count[k]++)
            ix->next[last[k]] = (int32_t)i;
        else
            ix->first[k] = (int32_t)i;
        last[k] = (int32_t)i;
    }
}

/* The field after `idx` with the same name (-1 from the start), or -1. */
static inline long next_of(const field_index *ix, int k, long idx)
{
    return idx < 0 ? ix->first[k] : ix->next[idx];
}

static const char *quote_short(char *buf, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (n < size) {
        memcpy(buf, s, n + 1);
    } else {
        memcpy(buf, s, size - 4);
        memcpy(buf + size - 4, "...", 4);
    }
    return buf;
}

static void add_address_anomalies(sw_arena *a, sw_record *rec, const char *field,
                                  const sw_address_list *l, const sw_header_field *f)
{
    /* Flags worth an anomaly: the parser-ambiguity classes. */
    unsigned worth = SW_ADDR_DISPLAY_HAS_ADDRESS | SW_ADDR_ENCODED_ADDRESS |
                     SW_ADDR_COMMENT_HAS_ADDRESS | SW_ADDR_ENCODED_IN_ADDR | SW_ADDR_QUOTED_LOCAL |
                     SW_ADDR_ROUTE | SW_ADDR_MULTIPLE_AT | SW_ADDR_MULTIPLE_ANGLE |
                     SW_ADDR_UNBALANCED | SW_ADDR_NO_DOMAIN | SW_ADDR_ESCAPED_SPECIAL |
                     SW_ADDR_TRAILING_TEXT | SW_ADDR_INVALID | SW_ADDR_DISPLAY_BAD_CHARSET |
                     SW_ADDR_DISPLAY_CONTROL | SW_ADDR_GROUP | SW_ADDR_EMPTY | SW_ADDR_TOO_MANY |
                     SW_ADDR_IDN_INVALID;
    if (strcmp(field, "from") == 0)
        worth |= SW_ADDR_MULTIPLE | SW_ADDR_DOMAIN_LITERAL | SW_ADDR_IDN;
    const char *names[32];
    size_t n = sw_address_flag_names(l->flags & worth, names, 32);
    char v[160];
    for (size_t i = 0; i < n; i++) {
        char id[96];
        snprintf(id, sizeof id, "%s_%s", field, names[i]);
        sw_record_add_anomaly(a, rec, sw_arena_strndup(a, id, strlen(id)), f->offset, "%s: %s",
                              f->name, quote_short(v, sizeof v, f->value));
    }
}

static void add_recipients(sw_arena *a, sw_record *rec, const field_index *ix, int name,
                           const char *field)
{
    long idx = -1;
    while ((idx = next_of(ix, name, idx)) >= 0) {
        const sw_header_field *f = &rec->headers.fields[idx];
        sw_address_list l;
        /* only the address and the display name are kept: no flag tests on long lists */
        if (sw_address_parse_names(a, f->value, f->value_len, &l))
            return;
        for (size_t i = 0; i < l.count && rec->nrecipients < MAX_RECIPIENTS; i++) {
            if (!l.items[i].address || !l.items[i].address[0])
                continue;
            sw_recipient *r = grow(a, rec->recipients, rec->nrecipients, sizeof *r);
            if (!r)
                return;
            rec->recipients = r;
            r[rec->nrecipients] = (sw_recipient){.address = l.items[i].address,
                                                 .display_name = l.items[i].display_name,
                                                 .field = field};
            rec->nrecipients++;
        }
    }
}

static void add_authres_facts(sw_arena *a, sw_record *rec, const field_index *ix, int name,
                              unsigned mode)
{
    const char *header = field_names[name];
    long idx = -1;
    for (size_t k = 0; (idx = next_of(ix, name, idx)) >= 0; k++) {
        const sw_header_field *f = &rec->headers.fields[idx];
        sw_authres ar;
        sw_error err;
        sw_error_clear(&err);
        int prc = sw_authres_parse(a, f->value, f->value_len, mode, &ar, &err);
        sw_authres_header *hh = grow(a, rec->arh, rec->narh, sizeof *hh);
        if (hh) {
            rec->arh = hh;
            hh = &rec->arh[rec->narh++];
            memset(hh, 0, sizeof *hh);
            hh->origin = header;
            hh->origin_index = (int)k;
            hh->field_index = (size_t)idx;
            hh->offset = f->offset;
            hh->authserv_id = prc ? NULL : ar.authserv_id;
            hh->parsed = prc == 0;
            hh->first_fact = rec->nauth;
        }
        if (prc) {
            sw_record_add_anomaly(a, rec, "unparsable_authentication_results", f->offset,
                                  "%s #%zu: %s", header, k + 1, err.message);
            continue;
        }
        if (ar.flags & SW_ARF_SKIPPED)
            sw_record_add_anomaly(a, rec, "authentication_results_fragment_skipped", f->offset,
                                  "%s #%zu: a part that is not method=result was skipped", header,
                                  k + 1);
        for (size_t i = 0; i < ar.count && rec->nauth < MAX_AUTH_FACTS; i++) {
            sw_auth_fact *fa = grow(a, rec->auth, rec->nauth, sizeof *fa);
            if (!fa)
                return;
            rec->auth = fa;
            sw_auth_fact *x = &fa[rec->nauth++];
            const sw_authres_result *r = &ar.results[i];
            memset(x, 0, sizeof *x);
            x->method = r->method;
            x->result = r->result;
            x->reason = r->reason;
            x->action = r->action;
            x->comment = r->comment;
            x->origin = header;
            x->origin_index = (int)k;
            x->field_index = (size_t)idx;
            x->offset = f->offset;
            x->authserv_id = ar.authserv_id;
            x->arc_instance = ar.arc_instance;
            x->props = r->props;
            x->nprops = r->nprops;
        }
        if (hh)
            hh->nfacts = rec->nauth - hh->first_fact;
    }
}

static void add_received_spf_facts(sw_arena *a, sw_record *rec, const field_index *ix)
{
    long idx = -1;
    for (size_t k = 0; (idx = next_of(ix, F_RECEIVED_SPF, idx)) >= 0; k++) {
        if (rec->nauth >= MAX_AUTH_FACTS)
            return;
        const sw_header_field *f = &rec->headers.fields[idx];
        sw_received_spf spf;
        if (sw_received_spf_parse(a, f->value, f->value_len, &spf) || !spf.result)
            continue;
        sw_auth_fact *fa = grow(a, rec->auth, rec->nauth, sizeof *fa);
        if (!fa)
            return;
        rec->auth = fa;
        sw_auth_fact *x = &fa[rec->nauth++];
        memset(x, 0, sizeof *x);
        x->method = "spf";
        x->result = spf.result;
        x->comment = spf.comment;
        x->origin = "Received-SPF";
        x->origin_index = (int)k;
        x->field_index = (size_t)idx;
        x->offset = f->offset;
        x->arc_instance = -1;
        x->authserv_id = spf.receiver ? spf.receiver : "";
        /* Keep the pairs as smtp.* properties so every origin reads the same way. */
        sw_authres_prop *p = sw_arena_calloc(a, 4 * sizeof *p);
        size_t n = 0;
        if (p && spf.envelope_from)
            p[n++] = (sw_authres_prop){"smtp", "mailfrom", spf.envelope_from};
        if (p && spf.helo)
            p[n++] = (sw_authres_prop){"smtp", "helo", spf.helo};
        if (p && spf.client_ip)
            p[n++] = (sw_authres_prop){"smtp", "remote-ip", spf.client_ip};
        if (p && spf.identity)
            p[n++] = (sw_authres_prop){"smtp", "identity", spf.identity};
        x->props = p;
        x->nprops = n;
    }
}

static void add_received(sw_arena *a, sw_record *rec, const field_index *ix)
{
    size_t total = ix->count[F_RECEIVED];
    if (!total)
        return;
    size_t n = total < MAX_HOPS ? total : MAX_HOPS;
    rec->received = sw_arena_calloc(a, n * sizeof *rec->received);
    if (!rec->received)
        return;
    long idx = -1;
    for (size_t k = 0; k < n && (idx = next_of(ix, F_RECEIVED, idx)) >= 0; k++) {
        const sw_header_field *f = &rec->headers.fields[idx];
        sw_received_hop *h = &rec->received[rec->nreceived];
        /* the value is the header block's arena copy, NUL-terminated and kept with it */
        if (sw_received_parse_stable(a, f->value, f->value_len, h))
            return;
        h->offset = f->offset;
        h->field_index = (size_t)idx;
        rec->nreceived++;
    }
    if (total > MAX_HOPS)
        sw_record_add_anomaly(a, rec, "too_many_received", 0, "%zu Received headers, %d kept",
                              total, MAX_HOPS);
}

static void add_dkim(sw_arena *a, sw_record *rec, const field_index *ix)
{
    long idx = -1;
    while (rec->ndkim < MAX_DKIM && (idx = next_of(ix, F_DKIM, idx)) >= 0) {
        sw_dkim_sig *d = grow(a, rec->dkim, rec->ndkim, sizeof *d);
        if (!d)
            return;
        rec->dkim = d;
        if (sw_dkim_sig_parse(a, &rec->headers.fields[idx], (size_t)idx, &d[rec->ndkim]) == 0)
            rec->ndkim++;
    }
}

/* One-per-message fields (RFC 5322 §3.6): a second instance is a spoofing tell. */
static void check_singletons(sw_arena *a, sw_record *rec, const field_index *ix)
{
    /* From through Message-ID: the first entries of field_names */
    for (int i = F_FROM; i <= F_MESSAGE_ID; i++) {
        size_t c = ix->count[i];
        if (c > 1) {
            char id[64];
            snprintf(id, sizeof id, "multiple_%s_headers", field_names[i]);
            for (char *p = id; *p; p++)
                *p = (*p == '-') ? '_' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
            long second = ix->next[ix->first[i]];
            sw_record_add_anomaly(a, rec, sw_arena_strndup(a, id, strlen(id)),
                                  rec->headers.fields[second].offset, "%zu %s headers", c,
                                  field_names[i]);
        }
    }
}

static void check_block(sw_arena *a, sw_record *rec)
{
    const sw_header_block *h = &rec->headers;
    for (unsigned bit = 1; bit && bit <= SW_HB_EMPTY; bit <<= 1) {
        if (!(h->anomalies & bit))
            continue;
        const char *detail = "";
        if (bit == SW_HB_FOLDED_NAME && h->folded_name)
            detail = h->folded_name;
        sw_record_add_anomaly(a, rec, sw_header_anomaly_name(bit), h->first_anomaly_offset,
                              "%s%s%s", sw_header_anomaly_name(bit), *detail ? ": " : "", detail);
    }
    int eightbit = 0;
    const unsigned noted = SW_HF_SPACE_BEFORE_COLON | SW_HF_VALUE_TRUNCATED | SW_HF_NUL |
                           SW_HF_NON_ASCII_NAME | SW_HF_EIGHTBIT;
    /* most blocks have no field with these flags: the scanner kept their union */
    for (size_t i = 0; (h->field_flags & noted) && i < h->count; i++) {
        const sw_header_field *f = &h->fields[i];
        if (!(f->flags & noted))
            continue; /* most fields: one test instead of five */
        if (f->flags & SW_HF_SPACE_BEFORE_COLON)
            sw_record_add_anomaly(a, rec, "space_before_colon", f->offset,
                                  "header \"%s :\" has whitespace before its colon", f->name);
        if (f->flags & SW_HF_VALUE_TRUNCATED)
            sw_record_add_anomaly(a, rec, "header_value_truncated", f->offset,
                                  "%s value longer than %u bytes was cut", f->name,
                                  SW_MAX_FIELD_VALUE);
        if (f->flags & SW_HF_NUL)
            sw_record_add_anomaly(a, rec, "nul_in_header", f->offset, "%s contains NUL bytes",
                                  f->name);
        if (f->flags & SW_HF_NON_ASCII_NAME)
            sw_record_add_anomaly(a, rec, "invalid_header_name", f->offset,
                                  "header name with control or non-ASCII bytes");
        if ((f->flags & SW_HF_EIGHTBIT) && !eightbit && !sw_utf8_valid(f->value, f->value_len)) {
            eightbit = 1;
            sw_record_add_anomaly(a, rec, "invalid_utf8_header", f->offset,
                                  "%s holds bytes that are not UTF-8", f->name);
        }
    }
}

static inline const char *first_value(const sw_record *rec, const field_index *ix, int name,
                                      const sw_header_field **f)
{
    if (ix->first[name] < 0)
        return NULL;
    const sw_header_field *first = &rec->headers.fields[ix->first[name]];
    if (f)
        *f = first;
    return first->value;
}

static void fill_identities(sw_arena *a, sw_record *rec, const field_index *ix)
{
    const sw_header_field *f = NULL;
    rec->from_header_count = ix->count[F_FROM];
    if (first_value(rec, ix, F_FROM, &f)) {
        sw_address_parse(a, f->value, f->value_len, &rec->from_all);
        /* "Team, jehd <a@b.example>" is strictly two mailboxes, the first without a domain;
         * clients show the one with an address, so that is the From we evaluate. The
         * split itself stays visible as from_multiple_mailboxes / from_no_domain. */
        for (size_t i = 0; i < rec->from_all.count && !rec->has_from; i++)
            if (rec->from_all.items[i].domain) {
                rec->from = rec->from_all.items[i];
                rec->has_from = 1;
            }
        if (!rec->has_from && rec->from_all.count) {
            rec->from = rec->from_all.items[0];
            rec->has_from = 1;
        }
        add_address_anomalies(a, rec, "from", &rec->from_all, f);
    } else {
        sw_record_add_anomaly(a, rec, "no_from_header", 0, "the message has no From header");
    }
    if (first_value(rec, ix, F_SENDER, &f)) {
        sw_address_parse(a, f->value, f->value_len, &rec->sender);
        add_address_anomalies(a, rec, "sender", &rec->sender, f);
    }
    if (first_value(rec, ix, F_REPLY_TO, &f)) {
        sw_address_parse(a, f->value, f->value_len, &rec->reply_to);
        add_address_anomalies(a, rec, "reply_to", &rec->reply_to, f);
    }
    rec->return_path_count = ix->count[F_RETURN_PATH];
    if (first_value(rec, ix, F_RETURN_PATH, &f)) {
        /* "<>" is the null reverse-path of bounces: keep it as the empty string. */
        const char *v = f->value;
        if (!strcmp(v, "<>")) {
            rec->envelope_from = "";
        } else {
            /* only the address is kept: the flag-raising tests of the full parse would be
             * thrown away */
            sw_address_list rp;
            sw_address_parse_names(a, f->value, f->value_len, &rp);
            if (rp.count && rp.items[0].address)
                rec->envelope_from = rp.items[0].address;
        }
        if (rec->return_path_count > 1)
            sw_record_add_anomaly(a, rec, "multiple_return_path_headers", f->offset,
                                  "%zu Return-Path headers", rec->return_path_count);
    }
    rec->message_id = first_value(rec, ix, F_MESSAGE_ID, NULL);
    if (!rec->message_id)
        sw_record_add_anomaly(a, rec, "no_message_id", 0, "the message has no Message-ID");
    const char *subj = first_value(rec, ix, F_SUBJECT, &f);
    if (subj) {
        sw_decoded d;
        if (sw_rfc2047_decode(a, subj, f->value_len, &d) == 0) {
            rec->subject = d.text;
            if (d.flags & SW_2047_UNKNOWN_CHARSET)
                sw_record_add_anomaly(a, rec, "unknown_charset", f->offset,
                                      "Subject uses charset \"%s\"", d.unknown_charset);
        }
    }
    rec->date = first_value(rec, ix, F_DATE, &f);
    if (rec->date) {
        if (sw_datetime_parse_rfc5322(rec->date, strlen(rec->date), &rec->date_epoch,
                                      &rec->date_offset_min) == 0)
            rec->has_date = 1;
        else
            sw_record_add_anomaly(a, rec, "unparsable_date", f->offset, "Date: %s", rec->date);
    }
}

int sw_record_from_mail(sw_arena *a, const char *msg, size_t len, const sw_source *src,
                        sw_record *rec, sw_error *err)
{
    memset(rec, 0, sizeof *rec);
    rec->source = *src;
    rec->source.length = len;
    rec->msg = msg;
    rec->msg_len = len;
    int rc = sw_header_scan(a, msg, len, &rec->headers, err);
    if (rc)
        return rc;
    field_index ix; /* uninitialised but for what index_fields() sets: next[] is 8 KB */
    index_fields(&rec->headers, &ix);
    check_block(a, rec);
    fill_identities(a, rec, &ix);
    check_singletons(a, rec, &ix);
    add_recipients(a, rec, &ix, F_TO, "to");
    add_recipients(a, rec, &ix, F_CC, "cc");
    add_recipients(a, rec, &ix, F_BCC, "bcc");
    add_recipients(a, rec, &ix, F_DELIVERED_TO, "delivered-to");
    add_recipients(a, rec, &ix, F_X_ORIGINAL_TO, "x-original-to");
    add_recipients(a, rec, &ix, F_ENVELOPE_TO, "envelope-to");
    unsigned mode = SW_AR_RELAXED | SW_AR_I18N;
    add_authres_facts(a, rec, &ix, F_AR, mode);
    add_authres_facts(a, rec, &ix, F_AR_ORIGINAL, mode);
    add_authres_facts(a, rec, &ix, F_X_ORIGINAL_AR, mode);
    add_authres_facts(a, rec, &ix, F_ARC_AR, mode | SW_AR_ARC);
    add_received_spf_facts(a, rec, &ix);
    add_received(a, rec, &ix);
    add_dkim(a, rec, &ix);
    sw_arc_collect(a, &rec->headers, &rec->arc, &rec->narc);
    sw_ms_transport_collect(a, &rec->headers, &rec->ms);
    sw_list_info_collect(a, &rec->headers, &rec->list);
    if (a->used_total >= a->cap)
        return sw_error_set(err, SW_ENOMEM, "message needs more than %zu bytes of memory", a->cap);
    return SW_OK;
}
