/* One message's independent verification: see include/spoofwatch/verify.h.
 *
 * Order matters only for DMARC, which needs the SPF and DKIM outcomes; each step's DNS
 * questions go to the same resolver, whose log becomes the message's DNS evidence. DKIM
 * and ARC share the message's body hashes (dkim_internal.h's set, here on the stack) and
 * the caller's key cache (opts.dkim.keys). */
#include "spoofwatch/verify.h"
#include "spoofwatch/input.h"
#include "spoofwatch/json.h"
#include "dkim_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void sw_verify_opts_default(sw_verify_opts *o)
{
    memset(o, 0, sizeof *o);
    o->method = SW_DMARC_METHOD_TREEWALK;
    o->now = (int64_t)time(NULL);
    sw_dkim_opts_default(&o->dkim);
}

/* The SMTP transaction that brought the message in: options first, else the inbound hop. */
static void transaction(const sw_verify_opts *o, sw_arena *a, const sw_record *rec, long hop,
                        sw_verification *v)
{
    v->spf_mailfrom = o->mailfrom ? o->mailfrom : rec->envelope_from;
    if (o->client_ip) {
        v->spf_ip = o->client_ip;
        v->spf_helo = o->helo;
        v->spf_source = "options";
        return;
    }
    if (hop < 0 || (size_t)hop >= rec->nreceived) {
        v->spf_skipped = "no Received hop of the receiving organisation names the client "
                         "(give --client-ip and --helo)";
        return;
    }
    const sw_received_hop *h = &rec->received[hop];
    if (!h->from_ip) {
        v->spf_skipped = sw_arena_printf(a, "the receiving hop (Received #%ld, by %s) names no "
                                            "client address (give --client-ip)",
                                         hop + 1, h->by ? h->by : "?");
        return;
    }
    v->spf_ip = h->from_ip;
    v->spf_helo = o->helo ? o->helo : h->from_helo;
    v->spf_source = sw_arena_printf(a, "Received #%ld (by %s)", hop + 1, h->by ? h->by : "?");
}

static const char *domain_of(const char *addr)
{
    if (!addr || !*addr)
        return NULL;
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : addr;
}

int sw_verify_message(const sw_verify_opts *o, sw_arena *a, const char *msg, size_t len,
                      const sw_record *rec, long inbound_hop, sw_verification *out)
{
    memset(out, 0, sizeof *out);
    sw_resolver *dns = o->dns;
    sw_dns_log_reset(dns);

    /* DKIM over the body as it was sent: mboxrd ">From " quoting undone first */
    const char *body_msg = msg;
    size_t body_len = len;
    if (rec->mbox_quoted) {
        /* only the body is unquoted: the header block points into the original bytes and
         * its body offset must hold for the copy, even when a (hostile) header line starts
         * with ">From " */
        size_t off = rec->headers.body_offset <= len ? rec->headers.body_offset : len, blen;
        const char *body = sw_mbox_unquote(a, msg + off, len - off, &blen);
        if (body != msg + off) {
            char *cp = sw_arena_alloc(a, off + blen + 1);
            if (!cp)
                return SW_ENOMEM;
            memcpy(cp, msg, off);
            memcpy(cp + off, body, blen);
            body_msg = cp;
            body_len = off + blen;
        }
    }
    /* One body-hash set for DKIM and ARC (a relaxed/sha256 signature and a relaxed AMS, as
     * Microsoft 365 sends, hash the body once), and ARC's keys through DKIM's cache. The
     * set is on the stack, not in the arena: a message near the arena's cap must fail
     * where it did when each check kept its own set on the heap. */
    sw_dkim_bodyhashes bhs;
    sw_dkim_bodyhashes *bh = &bhs;
    sw_dkim_bodyhashes_init(bh);
    sw_dkim_opts dko = o->dkim;
    dko.bodyhashes = bh;
    int rc = sw_dkim_verify(a, body_msg, body_len, &rec->headers, dns, o->now, &dko, &out->dkim);
    if (rc)
        return rc;
    if (rec->narc) {
        sw_arc_opts ao;
        sw_arc_opts_default(&ao);
        ao.keys = o->dkim.keys;
        ao.bodyhashes = bh;
        rc = sw_arc_verify(a, body_msg, body_len, &rec->headers, dns, o->now, &ao, &out->arc);
        if (rc)
            return rc;
    }
    out->body_hashes = sw_dkim_bodyhashes_computed(bh);

    transaction(o, a, rec, inbound_hop, out);
    if (out->spf_ip) {
        const sw_received_hop *h =
            inbound_hop >= 0 && (size_t)inbound_hop < rec->nreceived ? &rec->received[inbound_hop]
                                                                     : NULL;
        sw_spf_request req = {.ip = out->spf_ip,
                              .mailfrom = out->spf_mailfrom,
                              .helo = out->spf_helo,
                              .receiver = o->receiver ? o->receiver : h ? h->by : NULL,
                              .now = o->now};
        rc = sw_spf_verify(dns, a, &req, SW_SPF_ID_MAILFROM, &out->spf);
        if (rc == SW_EINVAL) {
            out->spf_skipped = sw_arena_printf(a, "client address %s is not an IP address",
                                               out->spf_ip);
        } else if (rc) {
            return rc;
        } else {
            out->spf_checked = 1;
        }
    }

    const char *from_domain =
        rec->has_from ? (rec->from.domain_ascii ? rec->from.domain_ascii : rec->from.domain)
                      : NULL;
    if (from_domain) {
        sw_dmarc_dkim_input *dk = NULL;
        if (out->dkim.nsigs) {
            dk = sw_arena_alloc(a, out->dkim.nsigs * sizeof *dk);
            if (!dk)
                return SW_ENOMEM;
            for (size_t i = 0; i < out->dkim.nsigs; i++) {
                const sw_dkim_sigresult *s = &out->dkim.sigs[i];
                dk[i] = (sw_dmarc_dkim_input){.domain = s->sig.d,
                                              .selector = s->sig.s,
                                              .result = sw_dkim_result_name(s->result)};
            }
        }
        sw_dmarc_input in = {.from_domain = from_domain, .dkim = dk, .ndkim = out->dkim.nsigs,
                             .pct_roll = -1};
        if (out->spf_checked) {
            /* a null reverse-path was checked as postmaster@HELO (RFC 7208 §2.4) */
            int null_path = !out->spf_mailfrom || !*out->spf_mailfrom;
            in.spf.domain = null_path ? out->spf_helo : domain_of(out->spf_mailfrom);
            in.spf.result = sw_spf_result_name(out->spf.result);
            in.spf.helo = null_path;
        }
        rc = sw_dmarc_eval(dns, o->psl, a, o->method, &in, &out->dmarc);
        if (rc)
            return rc;
        out->dmarc_checked = 1;
    }
    out->dns = dns->log;
    out->dns_queries = dns->nqueries;
    return 0;
}

static void write_dns(sw_json *j, const sw_dns_logentry *e)
{
    SW_JSON_KEY(j, "dns");
    sw_json_array_begin(j);
    const sw_dns_logentry *asked[256];
    size_t n = sw_dns_log_in_order(e, asked, sizeof asked / sizeof asked[0]);
    for (size_t qi = 0; qi < n; qi++) {
        const sw_dns_logentry *q = asked[qi];
        sw_json_object_begin(j);
        SW_JSON_KV_STRING(j, "name", q->name);
        SW_JSON_KV_STRING(j, "type", sw_dns_type_name(q->type));
        SW_JSON_KV_STRING(j, "status", sw_dns_status_name(q->answer.status));
        SW_JSON_KEY(j, "answers");
        sw_json_array_begin(j);
        for (size_t i = 0; i < q->answer.n; i++)
            sw_json_string_n(j, q->answer.rrs[i].text, q->answer.rrs[i].text_len);
        sw_json_array_end(j);
        sw_json_object_end(j);
    }
    sw_json_array_end(j);
}

void sw_verification_write_json(const sw_verification *v, sw_json *j)
{
    SW_JSON_KEY(j, "verification");
    sw_json_object_begin(j);
    SW_JSON_KEY(j, "spf");
    sw_json_object_begin(j);
    if (v->spf_checked) {
        const sw_spf_outcome *s = &v->spf;
        SW_JSON_KV_STRING(j, "result", sw_spf_result_name(s->result));
        SW_JSON_KV_STRING(j, "domain", s->domain);
        SW_JSON_KV_STRING(j, "client_ip", v->spf_ip);
        SW_JSON_KV_STRING(j, "helo", v->spf_helo);
        SW_JSON_KV_STRING(j, "mailfrom", v->spf_mailfrom);
        SW_JSON_KV_STRING(j, "transaction_from", v->spf_source);
        SW_JSON_KV_STRING(j, "mechanism", s->mechanism);
        SW_JSON_KV_STRING(j, "match_domain", s->match_domain);
        SW_JSON_KV_STRING(j, "problem", s->problem);
        SW_JSON_KV_STRING(j, "explanation", s->explanation);
        SW_JSON_KV_INT(j, "dns_terms", s->dns_terms);
        SW_JSON_KV_INT(j, "void_lookups", s->void_lookups);
    } else {
        SW_JSON_KV_STRING(j, "result", "not_checked");
        SW_JSON_KV_STRING(j, "why", v->spf_skipped);
    }
    sw_json_object_end(j);

    SW_JSON_KEY(j, "dkim");
    sw_json_array_begin(j);
    for (size_t i = 0; i < v->dkim.nsigs; i++) {
        const sw_dkim_sigresult *s = &v->dkim.sigs[i];
        sw_json_object_begin(j);
        SW_JSON_KV_STRING(j, "result", sw_dkim_result_name(s->result));
        SW_JSON_KV_STRING(j, "d", s->sig.d);
        SW_JSON_KV_STRING(j, "s", s->sig.s);
        SW_JSON_KV_STRING(j, "a", s->sig.a);
        SW_JSON_KV_STRING(j, "reason", s->reason);
        SW_JSON_KV_STRING(j, "key", s->key_name);
        SW_JSON_KV_STRING(j, "key_type", s->key_type);
        if (s->key_bits)
            SW_JSON_KV_INT(j, "key_bits", s->key_bits);
        SW_JSON_KV_STRING(j, "bh_expected", s->bh_expected);
        SW_JSON_KV_STRING(j, "bh_computed", s->bh_computed);
        sw_json_object_end(j);
    }
    sw_json_array_end(j);

    SW_JSON_KEY(j, "arc");
    sw_json_object_begin(j);
    SW_JSON_KV_STRING(j, "result", sw_arc_result_name(v->arc.result));
    if (v->arc.count) {
        SW_JSON_KV_INT(j, "instances", v->arc.count);
        SW_JSON_KV_STRING(j, "reason", v->arc.reason);
        if (v->arc.fail_instance)
            SW_JSON_KV_INT(j, "fail_instance", v->arc.fail_instance);
        SW_JSON_KEY(j, "sealers");
        sw_json_array_begin(j);
        for (size_t i = 0; i < v->arc.nsets; i++)
            sw_json_string(j, v->arc.sets[i].seal_d);
        sw_json_array_end(j);
    }
    sw_json_object_end(j);

    SW_JSON_KEY(j, "dmarc");
    sw_json_object_begin(j);
    if (v->dmarc_checked) {
        const sw_dmarc_eval_result *d = &v->dmarc;
        SW_JSON_KV_STRING(j, "result", sw_dmarc_result_name(d->result));
        SW_JSON_KV_STRING(j, "domain", d->author_domain);
        SW_JSON_KV_STRING(j, "method", sw_dmarc_method_name(d->method));
        SW_JSON_KV_STRING(j, "policy_domain", d->discovery.policy_domain);
        SW_JSON_KV_STRING(j, "record", d->discovery.record ? d->discovery.record->raw : NULL);
        SW_JSON_KV_STRING(j, "policy", sw_dmarc_policy_name(d->policy));
        SW_JSON_KV_STRING(j, "disposition", sw_dmarc_policy_name(d->disposition));
        SW_JSON_KV_STRING(j, "dkim_aligned", d->dkim.aligned_domain);
        SW_JSON_KV_STRING(j, "spf_aligned", d->spf.aligned_domain);
        SW_JSON_KEY(j, "steps");
        sw_json_array_begin(j);
        for (size_t i = 0; i < d->nsteps; i++)
            sw_json_string(j, d->steps[i]);
        sw_json_array_end(j);
    } else {
        SW_JSON_KV_STRING(j, "result", "not_checked");
        SW_JSON_KV_STRING(j, "why", "no From domain");
    }
    sw_json_object_end(j);
    SW_JSON_KV_INT(j, "dns_queries", (int64_t)v->dns_queries);
    write_dns(j, v->dns);
    sw_json_object_end(j);
}
