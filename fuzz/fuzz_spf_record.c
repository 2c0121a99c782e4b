/* libFuzzer target for the SPF record parser (src/auth/spf_record.c) and, through it, the
 * evaluator (src/auth/spf.c).
 *
 * Each input is parsed as a record as it stands and with "v=spf1 " put in front, each time
 * in a fresh arena freed before returning. The parser's promises are checked: a success has
 * at most SW_MAX_SPF_TERMS terms, each with its text, prefix lengths inside 0..32 / 0..128
 * and domain-specs that pass the macro syntax check; a failure names its reason. Then the
 * input is published as the TXT record of a fixture zone (which also answers a few A/MX
 * names) and check_host() runs over it, for an IPv4 and an IPv6 client: the outcome must
 * keep the limits (at most 11 DNS-querying terms and 3 void lookups are ever counted). A
 * broken promise aborts so that the fuzzer records the input. */
#include "spoofwatch/arena.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/spf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SW_FUZZ_ARENA (8u << 20)

static void parse_one(const char *text, size_t len)
{
    sw_arena a;
    sw_arena_init(&a, SW_FUZZ_ARENA);
    sw_spf_record rec;
    const char *why = NULL;
    int rc = sw_spf_record_parse(&a, text, len, &rec, &why);
    if (rc == 0) {
        if (rec.nterms > SW_MAX_SPF_TERMS)
            abort();
        for (size_t i = 0; i < rec.nterms; i++) {
            const sw_spf_term *t = &rec.terms[i];
            if (!t->text || t->cidr4 > 32 || t->cidr6 > 128)
                abort();
            if (t->domain_spec && sw_spf_macro_check(t->domain_spec, strlen(t->domain_spec),
                                                     SW_SPF_MACRO_DOMAIN))
                abort();
        }
        if (rec.redirect && !rec.redirect[0])
            abort();
    } else if (rc == SW_EFORMAT && !why) {
        abort();
    }
    sw_arena_free(&a);
}

static void evaluate(const char *text, const char *ip)
{
    sw_resolver *r = sw_dns_fixture_new();
    if (!r)
        return;
    const char *parts[1] = {text};
    sw_dns_fixture_add_txt(r, "fuzz.example", parts, 1);
    sw_dns_fixture_add_txt(r, "inc.example", parts, 1);
    sw_dns_fixture_add(r, "fuzz.example", SW_DNS_A, "192.0.2.1");
    sw_dns_fixture_add(r, "fuzz.example", SW_DNS_AAAA, "2001:db8::1");
    sw_dns_fixture_add(r, "fuzz.example", SW_DNS_MX, "10 mx.fuzz.example");
    sw_dns_fixture_add(r, "mx.fuzz.example", SW_DNS_A, "192.0.2.2");
    sw_dns_fixture_add(r, "1.2.0.192.in-addr.arpa", SW_DNS_PTR, "fuzz.example");
    sw_arena a;
    sw_arena_init(&a, SW_FUZZ_ARENA);
    sw_spf_request req = {.ip = ip, .mailfrom = "user+tag@fuzz.example", .helo = "helo.example",
                          .receiver = "mx.receiver.example", .now = 1};
    sw_spf_outcome o;
    int rc = sw_spf_verify(r, &a, &req, SW_SPF_ID_MAILFROM, &o);
    if (rc == 0) {
        if (o.dns_terms > SW_SPF_MAX_DNS_TERMS + 1 || o.void_lookups > SW_SPF_MAX_VOID + 1)
            abort();
        if (!o.evidence || o.nrecords > SW_MAX_SPF_RECORDS_USED)
            abort();
        if (o.explanation && o.result != SW_SPF_FAIL)
            abort();
    } else if (rc != SW_ENOMEM) {
        abort();
    }
    sw_arena_free(&a);
    sw_resolver_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 * SW_MAX_SPF_RECORD)
        return 0;
    parse_one((const char *)data, size);
    char *buf = malloc(size + 8);
    if (!buf)
        return 0;
    memcpy(buf, "v=spf1 ", 7);
    memcpy(buf + 7, data, size);
    buf[size + 7] = '\0';
    parse_one(buf, size + 7);
    /* the input itself when it is a record, else the prefixed copy (the fixture takes C
     * strings: a NUL ends the published text) */
    const char *rec = size >= 6 && !memcmp(data, "v=spf1", 6) ? buf + 7 : buf;
    evaluate(rec, "192.0.2.1");
    evaluate(rec, "2001:db8::1");
    free(buf);
    return 0;
}
