/* Builds the message record from raw mail: see include/spoofwatch/record.h.
 *
 * Reads the header block once, then each identity, id and authentication header in turn.
 * Everything odd is kept as an anomaly with the header's byte offset: the record is
 * evidence, so nothing is smoothed over. */
#include "spoofwatch/record.h"
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

static void add_recipients(sw_arena *a, sw_record *rec, const char *header, const char *field)
{
    sw_header_key key = sw_header_key_of(header);
    long idx = -1;
    while ((idx = sw_header_next_key(&rec->headers, &key, idx)) >= 0) {
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

static void add_authres_facts(sw_arena *a, sw_record *rec, const char *header, unsigned mode)
{
    sw_header_key key = sw_header_key_of(header);
    long idx = -1;
    for (size_t k = 0; (idx = sw_header_next_key(&rec->headers, &key, idx)) >= 0; k++) {
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

static void add_received_spf_facts(sw_arena *a, sw_record *rec)
{
    const sw_header_key key = sw_header_key_of("Received-SPF");
    long idx = -1;
    for (size_t k = 0; (idx = sw_header_next_key(&rec->headers, &key, idx)) >= 0; k++) {
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

static void add_received(sw_arena *a, sw_record *rec)
{
    const sw_header_key key = sw_header_key_of("Received");
    size_t total = sw_header_count_key(&rec->headers, &key);
    if (!total)
        return;
    size_t n = total < MAX_HOPS ? total : MAX_HOPS;
    rec->received = sw_arena_calloc(a, n * sizeof *rec->received);
    if (!rec->received)
        return;
    long idx = -1;
    for (size_t k = 0; k < n && (idx = sw_header_next_key(&rec->headers, &key, idx)) >= 0; k++) {
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

static void add_dkim(sw_arena *a, sw_record *rec)
{
    const sw_header_key key = sw_header_key_of("DKIM-Signature");
    long idx = -1;
    while (rec->ndkim < MAX_DKIM && (idx = sw_header_next_key(&rec->headers, &key, idx)) >= 0) {
        sw_dkim_sig *d = grow(a, rec->dkim, rec->ndkim, sizeof *d);
        if (!d)
            return;
        rec->dkim = d;
        if (sw_dkim_sig_parse(a, &rec->headers.fields[idx], (size_t)idx, &d[rec->ndkim]) == 0)
            rec->ndkim++;
    }
}

/* One-per-message fields (RFC 5322 §3.6): a second instance is a spoofing tell. */
static void check_singletons(sw_arena *a, sw_record *rec)
{
    static const char *const once[] = {"From",    "Sender", "Reply-To",   "To", "Cc",
                                       "Subject", "Date",   "Message-ID", NULL};
    for (size_t i = 0; once[i]; i++) {
        sw_header_key key = sw_header_key_of(once[i]);
        size_t c = sw_header_count_key(&rec->headers, &key);
        if (c > 1) {
            char id[64];
            snprintf(id, sizeof id, "multiple_%s_headers", once[i]);
            for (char *p = id; *p; p++)
                *p = (*p == '-') ? '_' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
            long second = sw_header_find_key(&rec->headers, &key, 1);
            sw_record_add_anomaly(a, rec, sw_arena_strndup(a, id, strlen(id)),
                                  rec->headers.fields[second].offset, "%zu %s headers", c, once[i]);
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
    for (size_t i = 0; i < h->count; i++) {
        const sw_header_field *f = &h->fields[i];
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

/* Inline so that the literal names of the callers fold into constant keys. */
static inline __attribute__((always_inline)) const char *
first_value(const sw_record *rec, const char *name, const sw_header_field **f)
{
    const sw_header_field *first = sw_header_first(&rec->headers, name);
    if (first && f)
        *f = first;
    return first ? first->value : NULL;
}

static void fill_identities(sw_arena *a, sw_record *rec)
{
    const sw_header_field *f = NULL;
    const sw_header_key from_key = sw_header_key_of("From");
    rec->from_header_count = sw_header_count_key(&rec->headers, &from_key);
    if (first_value(rec, "From", &f)) {
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
    if (first_value(rec, "Sender", &f)) {
        sw_address_parse(a, f->value, f->value_len, &rec->sender);
        add_address_anomalies(a, rec, "sender", &rec->sender, f);
    }
    if (first_value(rec, "Reply-To", &f)) {
        sw_address_parse(a, f->value, f->value_len, &rec->reply_to);
        add_address_anomalies(a, rec, "reply_to", &rec->reply_to, f);
    }
    const sw_header_key rp_key = sw_header_key_of("Return-Path");
    rec->return_path_count = sw_header_count_key(&rec->headers, &rp_key);
    if (first_value(rec, "Return-Path", &f)) {
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
    rec->message_id = first_value(rec, "Message-ID", NULL);
    if (!rec->message_id)
        sw_record_add_anomaly(a, rec, "no_message_id", 0, "the message has no Message-ID");
    const char *subj = first_value(rec, "Subject", &f);
    if (subj) {
        sw_decoded d;
        if (sw_rfc2047_decode(a, subj, f->value_len, &d) == 0) {
            rec->subject = d.text;
            if (d.flags & SW_2047_UNKNOWN_CHARSET)
                sw_record_add_anomaly(a, rec, "unknown_charset", f->offset,
                                      "Subject uses charset \"%s\"", d.unknown_charset);
        }
    }
    rec->date = first_value(rec, "Date", &f);
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
    check_block(a, rec);
    fill_identities(a, rec);
    check_singletons(a, rec);
    add_recipients(a, rec, "To", "to");
    add_recipients(a, rec, "Cc", "cc");
    add_recipients(a, rec, "Bcc", "bcc");
    add_recipients(a, rec, "Delivered-To", "delivered-to");
    add_recipients(a, rec, "X-Original-To", "x-original-to");
    add_recipients(a, rec, "Envelope-To", "envelope-to");
    unsigned mode = SW_AR_RELAXED | SW_AR_I18N;
    add_authres_facts(a, rec, "Authentication-Results", mode);
    add_authres_facts(a, rec, "Authentication-Results-Original", mode);
    add_authres_facts(a, rec, "X-Original-Authentication-Results", mode);
    add_authres_facts(a, rec, "ARC-Authentication-Results", mode | SW_AR_ARC);
    add_received_spf_facts(a, rec);
    add_received(a, rec);
    add_dkim(a, rec);
    sw_arc_collect(a, &rec->headers, &rec->arc, &rec->narc);
    sw_ms_transport_collect(a, &rec->headers, &rec->ms);
    sw_list_info_collect(a, &rec->headers, &rec->list);
    if (a->used_total >= a->cap)
        return sw_error_set(err, SW_ENOMEM, "message needs more than %zu bytes of memory", a->cap);
    return SW_OK;
}
