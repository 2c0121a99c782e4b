/* Unit tests: SPF record parser, macro expander (RFC 7208 §7.4 examples) and check_host()
 * over fixture and deny-network resolvers, including the evidence it reports. */
#include "test.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/spf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *expand(sw_arena *a, const sw_spf_macro_ctx *m, const char *in,
                          sw_spf_macro_kind kind)
{
    char *out = NULL;
    int rc = sw_spf_macro_expand(a, m, in, strlen(in), kind, &out);
    return rc ? "(error)" : out;
}

SW_TEST(spf_macro_rfc7208_examples)
{
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_spf_macro_ctx m = {.s = "strong-bad@email.example.com", .l = "strong-bad",
                          .o = "email.example.com", .d = "email.example.com",
                          .h = "mx.example.org", .ip = {192, 0, 2, 3}};
    const struct {
        const char *in, *out;
    } v4[] = {
        {"%{s}", "strong-bad@email.example.com"},
        {"%{o}", "email.example.com"},
        {"%{d}", "email.example.com"},
        {"%{d4}", "email.example.com"},
        {"%{d3}", "email.example.com"},
        {"%{d2}", "example.com"},
        {"%{d1}", "com"},
        {"%{dr}", "com.example.email"},
        {"%{d2r}", "example.email"},
        {"%{l}", "strong-bad"},
        {"%{l-}", "strong.bad"},
        {"%{lr}", "strong-bad"},
        {"%{lr-}", "bad.strong"},
        {"%{l1r-}", "strong"},
        {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
        {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
        {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
        {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
        {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
        {"a%%b%_c%-d.example.com", "a%b c%20d.example.com"},
        {"%{h}.example.com", "mx.example.org.example.com"},
        {"%{p}.example.com", "unknown.example.com"}, /* no validated name */
    };
    for (size_t i = 0; i < sizeof v4 / sizeof v4[0]; i++)
        CHECK_STR(expand(&a, &m, v4[i].in, SW_SPF_MACRO_DOMAIN), v4[i].out);
    /* upper case URL-escapes (RFC 3986 unreserved kept) */
    m.l = "~jack&jill=up-a_b3.c";
    CHECK_STR(expand(&a, &m, "%{L}", SW_SPF_MACRO_EXPLAIN), "~jack%26jill%3Dup-a_b3.c");
    /* explanation-only letters */
    m.r = NULL;
    m.t = 1234;
    CHECK_STR(expand(&a, &m, "%{c} %{r} %{t}", SW_SPF_MACRO_EXPLAIN), "192.0.2.3 unknown 1234");
    CHECK_STR(expand(&a, &m, "%{c}.example.com", SW_SPF_MACRO_DOMAIN), "(error)");
    /* IPv6 */
    sw_spf_macro_ctx m6 = m;
    m6.ip_v6 = 1;
    const unsigned char ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcb, 0x01};
    memcpy(m6.ip, ip6, 16);
    m6.o = m6.d = "email.example.com";
    CHECK_STR(expand(&a, &m6, "%{ir}.%{v}._spf.%{d2}", SW_SPF_MACRO_DOMAIN),
              "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
    CHECK_STR(expand(&a, &m6, "%{c}", SW_SPF_MACRO_EXPLAIN), "2001:db8::cb01");
    sw_arena_free(&a);
}

SW_TEST(spf_macro_syntax_errors)
{
    const char *bad[] = {"%", "foo%", "%x.example.com", "%{x}.example.com", "%{d0}.example.com",
                         "%{d", "%(ir).example.com", "foo%.example.com", "example",
                         "a.123", "example.-com", "", "a b.example.com", "museum."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(sw_spf_macro_check(bad[i], strlen(bad[i]), SW_SPF_MACRO_DOMAIN) == SW_EFORMAT);
    const char *good[] = {"example.com", "example.com.", "%{d}", "%{ir}.%{v}._spf.%{d2}",
                          "foo:bar/baz.example.com", "foo.example.xn--zckzah", "%{d}.",
                          "macro%%percent%_%_space%-url-space.example.com"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(sw_spf_macro_check(good[i], strlen(good[i]), SW_SPF_MACRO_DOMAIN) == 0);
    CHECK(sw_spf_macro_check("The %{x}-files.", 15, SW_SPF_MACRO_EXPLAIN) == SW_EFORMAT);
    CHECK(sw_spf_macro_check("Hi %{r} at %{t}", 15, SW_SPF_MACRO_EXPLAIN) == 0);
}

SW_TEST(spf_domain_finish_truncates)
{
    char name[600];
    size_t o = 0; /* 40 labels of 8 octets: 359 octets */
    for (int i = 0; i < 40; i++)
        o += (size_t)snprintf(name + o, sizeof name - o, "%slabel%03d", i ? "." : "", i);
    CHECK(o > 253);
    CHECK(sw_spf_domain_finish(name) == 1);
    CHECK(strlen(name) <= 253);
    CHECK(strstr(name, "label039") != NULL && strstr(name, "label000") == NULL);
    char dot[] = "example.com.";
    CHECK(sw_spf_domain_finish(dot) == 1);
    CHECK_STR(dot, "example.com");
    char empty[] = "mail.example...com";
    CHECK(sw_spf_domain_finish(empty) == 0);
    char longlab[80];
    memset(longlab, 'a', 70);
    strcpy(longlab + 70, ".com");
    CHECK(sw_spf_domain_finish(longlab) == 0);
}

SW_TEST(spf_record_parse_terms)
{
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_spf_record rec;
    const char *why;
    const char *txt = "v=spf1 +a/24//64 -mx:mail.example.com ~ip4:192.0.2.0/24 "
                      "?ip6:2001:db8::/32 ptr include:_spf.example.com exists:%{i}.x.example "
                      "all redirect=example.net exp=exp.example.net moo.cow-far=x";
    CHECK(sw_spf_record_parse(&a, txt, strlen(txt), &rec, &why) == 0);
    CHECK(rec.nterms == 8);
    CHECK(rec.terms[0].mech == SW_SPF_A && rec.terms[0].cidr4 == 24 && rec.terms[0].cidr6 == 64);
    CHECK(rec.terms[0].qualifier == '+' && rec.terms[0].domain_spec == NULL);
    CHECK(rec.terms[1].mech == SW_SPF_MX && rec.terms[1].qualifier == '-');
    CHECK_STR(rec.terms[1].domain_spec, "mail.example.com");
    CHECK(rec.terms[2].mech == SW_SPF_IP4 && rec.terms[2].cidr4 == 24 &&
          rec.terms[2].addr[0] == 192);
    CHECK(rec.terms[3].mech == SW_SPF_IP6 && rec.terms[3].cidr6 == 32 &&
          rec.terms[3].addr[1] == 0x01);
    CHECK(rec.terms[4].mech == SW_SPF_PTR && rec.terms[5].mech == SW_SPF_INCLUDE);
    CHECK(rec.terms[6].mech == SW_SPF_EXISTS && rec.terms[7].mech == SW_SPF_ALL);
    CHECK_STR(rec.terms[2].text, "~ip4:192.0.2.0/24");
    CHECK_STR(rec.redirect, "example.net");
    CHECK_STR(rec.exp, "exp.example.net");
    const char *bad[] = {"v=spf1 ip4:1.2.3.4/33",  "v=spf1 ip4:1.2.3.4/032", "v=spf1 ip6::/129",
                         "v=spf1 a/24/64",         "v=spf1 foo",             "v=spf1 -all.",
                         "v=spf1 redirect=a.com redirect=b.com",             "v=spf1 exp=",
                         "v=spf1 include",         "v=spf1 ptr/0",           "v=spf1 1up=foo",
                         "v=spf1 =all",            "v=spf1 foo=%abc",        "v=spf1 a:foo-bar",
                         "v=spf1 ip4:1.2.3",       "v=spf1 redirect:x.com",  "v=spf1 mx/33",
                         "v=spf1 moo.cow/far_out=man:dog/cat"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        CHECK(sw_spf_record_parse(&a, bad[i], strlen(bad[i]), &rec, &why) == SW_EFORMAT);
        CHECK(why != NULL);
    }
    /* a NUL byte is a syntax error, not the end of the record */
    const char nul[] = "v=spf1 a:foo.example.com\0";
    CHECK(sw_spf_record_parse(&a, nul, sizeof nul - 1, &rec, &why) == SW_EFORMAT);
    CHECK(sw_spf_is_record("v=spf1", 6) && sw_spf_is_record("V=SPF1 -all", 11));
    CHECK(!sw_spf_is_record("v=spf10", 7) && !sw_spf_is_record("v=spf1mx", 8));
    sw_arena_free(&a);
}

static sw_resolver *zone(void)
{
    sw_resolver *r = sw_dns_fixture_new();
    sw_dns_fixture_add(r, "example.com", SW_DNS_TXT,
                       "v=spf1 ip4:198.51.100.0/24 include:_spf.example.net a:%{h} -all "
                       "exp=why.example.com");
    sw_dns_fixture_add(r, "example.com", SW_DNS_TXT, "google-site-verification=xyz");
    sw_dns_fixture_add(r, "_spf.example.net", SW_DNS_TXT, "v=spf1 mx ~all");
    sw_dns_fixture_add(r, "_spf.example.net", SW_DNS_MX, "10 mx1.example.net");
    sw_dns_fixture_add(r, "mx1.example.net", SW_DNS_A, "192.0.2.25");
    sw_dns_fixture_add(r, "why.example.com", SW_DNS_TXT, "%{i} may not send for %{d}");
    sw_dns_fixture_add(r, "helo.example.org", SW_DNS_TXT, "v=spf1 a -all");
    sw_dns_fixture_add(r, "helo.example.org", SW_DNS_A, "203.0.113.9");
    sw_dns_fixture_add(r, "two.example.com", SW_DNS_TXT, "v=spf1 -all");
    sw_dns_fixture_add(r, "two.example.com", SW_DNS_TXT, "v=spf1 +all");
    sw_dns_fixture_add(r, "only99.example.com", SW_DNS_SPF, "v=spf1 +all");
    sw_dns_fixture_fail(r, "slow.example.com", SW_DNS_TXT, SW_DNS_TEMPFAIL);
    return r;
}

SW_TEST(spf_check_host_evidence)
{
    sw_resolver *r = zone();
    sw_arena a;
    sw_arena_init(&a, 4 << 20);
    sw_spf_request req = {.ip = "192.0.2.25", .mailfrom = "alice@example.com",
                          .helo = "helo.example.org"};
    sw_spf_outcome o;
    CHECK(sw_spf_verify(r, &a, &req, SW_SPF_ID_MAILFROM, &o) == 0);
    CHECK(o.result == SW_SPF_PASS);
    CHECK_STR(o.identity, "mailfrom");
    CHECK_STR(o.mechanism, "include:_spf.example.net");
    CHECK_STR(o.match_domain, "example.com");
    CHECK(o.dns_terms == 2 && o.void_lookups == 0 && o.limit_hit == NULL);
    CHECK(o.nrecords == 2);
    CHECK_STR(o.records[1].domain, "_spf.example.net");
    CHECK_STR(o.records[1].text, "v=spf1 mx ~all");
    CHECK(strstr(o.evidence, "mx: A mx1.example.net: 1 address(es), match") != NULL);
    CHECK(r->nqueries == 4); /* TXT, TXT, MX, A: the resolver log holds them all */
    /* fail: the explanation is expanded with the current domain */
    sw_dns_log_reset(r);
    req.ip = "203.0.113.77";
    CHECK(sw_spf_verify(r, &a, &req, SW_SPF_ID_MAILFROM, &o) == 0);
    CHECK(o.result == SW_SPF_FAIL);
    CHECK_STR(o.mechanism, "-all");
    CHECK_STR(o.explanation, "203.0.113.77 may not send for example.com");
    CHECK(o.dns_terms == 3); /* include, a:%{h}; exp= does not count */
    /* a:%{h} matched via the HELO macro */
    req.ip = "203.0.113.9";
    CHECK(sw_spf_verify(r, &a, &req, SW_SPF_ID_MAILFROM, &o) == 0);
    CHECK(o.result == SW_SPF_PASS);
    CHECK_STR(o.mechanism, "a:%{h}");
    /* HELO identity and the null sender both check postmaster@helo */
    CHECK(sw_spf_verify(r, &a, &req, SW_SPF_ID_HELO, &o) == 0);
    CHECK(o.result == SW_SPF_PASS);
    CHECK_STR(o.identity, "helo");
    CHECK_STR(o.sender, "postmaster@helo.example.org");
    sw_spf_request null = {.ip = "203.0.113.10", .mailfrom = "", .helo = "helo.example.org"};
    CHECK(sw_spf_verify(r, &a, &null, SW_SPF_ID_MAILFROM, &o) == 0);
    CHECK(o.result == SW_SPF_FAIL);
    CHECK_STR(o.domain, "helo.example.org");
    CHECK_STR(o.sender, "postmaster@helo.example.org");
    sw_arena_free(&a);
    sw_resolver_free(r);
}

SW_TEST(spf_check_host_errors)
{
    sw_resolver *r = zone();
    sw_arena a;
    sw_arena_init(&a, 4 << 20);
    sw_spf_request req = {.ip = "192.0.2.1", .helo = "h.example.org"};
    sw_spf_outcome o;
    CHECK(sw_spf_check_host(r, &a, &req, "two.example.com", "x@two.example.com", &o) == 0);
    CHECK(o.result == SW_SPF_PERMERROR && o.problem && strstr(o.problem, "2 SPF records"));
    CHECK(o.mechanism == NULL);
    CHECK(sw_spf_check_host(r, &a, &req, "only99.example.com", "x@only99.example.com", &o) == 0);
    CHECK(o.result == SW_SPF_NONE); /* type 99 is never asked for */
    CHECK(sw_spf_check_host(r, &a, &req, "slow.example.com", "x@slow.example.com", &o) == 0);
    CHECK(o.result == SW_SPF_TEMPERROR);
    CHECK(sw_spf_check_host(r, &a, &req, "nowhere.example.com", "x@nowhere.example.com", &o) == 0);
    CHECK(o.result == SW_SPF_NONE);
    CHECK(sw_spf_check_host(r, &a, &req, "[192.0.2.1]", "x@[192.0.2.1]", &o) == 0);
    CHECK(o.result == SW_SPF_NONE);
    req.ip = "not-an-ip";
    CHECK(sw_spf_check_host(r, &a, &req, "example.com", "x@example.com", &o) == SW_EINVAL);
    sw_arena_free(&a);
    sw_resolver_free(r);
}

SW_TEST(spf_limits_reported)
{
    sw_resolver *r = sw_dns_fixture_new();
    /* a chain of 11 includes: the 11th DNS-querying term is a permerror */
    char name[64], rec[128];
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof name, "l%d.example.com", i);
        snprintf(rec, sizeof rec, "v=spf1 include:l%d.example.com", i + 1);
        sw_dns_fixture_add(r, name, SW_DNS_TXT, rec);
    }
    sw_dns_fixture_add(r, "void.example.com", SW_DNS_TXT,
                       "v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com ?all");
    sw_arena a;
    sw_arena_init(&a, 4 << 20);
    sw_spf_request req = {.ip = "192.0.2.1", .helo = "h.example.org"};
    sw_spf_outcome o;
    CHECK(sw_spf_check_host(r, &a, &req, "l0.example.com", "x@l0.example.com", &o) == 0);
    CHECK(o.result == SW_SPF_PERMERROR);
    CHECK(o.dns_terms == 11);
    CHECK_STR(o.limit_hit, "include:l11.example.com"); /* the 11th, in l10 */
    CHECK(o.problem && strstr(o.problem, "more than 10 DNS-querying terms"));
    CHECK(o.nrecords == 11);
    CHECK(sw_spf_check_host(r, &a, &req, "void.example.com", "x@void.example.com", &o) == 0);
    CHECK(o.result == SW_SPF_PERMERROR && o.void_lookups == 3);
    CHECK_STR(o.limit_hit, "a:n3.example.com");
    sw_arena_free(&a);
    sw_resolver_free(r);
}

/* A resolver whose TXT answer carries a real NUL byte (the fixture API takes C strings). */
static int nul_lookup(sw_resolver *r, sw_arena *a, const char *name, sw_dns_type type,
                      sw_dns_answer *out)
{
    (void)r;
    (void)name;
    static const char text[] = "v=spf1 a:foo.example.com\0";
    if (type != SW_DNS_TXT) {
        out->status = SW_DNS_NXDOMAIN;
        return 0;
    }
    sw_dns_rr *rr = sw_arena_calloc(a, sizeof *rr);
    if (!rr)
        return SW_ENOMEM;
    rr->type = SW_DNS_TXT;
    rr->text = text;
    rr->text_len = sizeof text - 1;
    out->status = SW_DNS_OK;
    out->rrs = rr;
    out->n = 1;
    return 0;
}

static void count_denied(const char *name, sw_dns_type t, void *ctx)
{
    (void)name;
    (void)t;
    (*(int *)ctx)++;
}

SW_TEST(spf_nul_record_and_denied_network)
{
    sw_resolver nul = {.lookup = nul_lookup};
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_spf_request req = {.ip = "192.0.2.1", .mailfrom = "x@e3.example.com", .helo = "h.example"};
    sw_spf_outcome o;
    CHECK(sw_spf_verify(&nul, &a, &req, SW_SPF_ID_MAILFROM, &o) == 0);
    CHECK(o.result == SW_SPF_PERMERROR);
    CHECK(o.problem && strstr(o.problem, "invalid byte 0x00"));
    int denied = 0;
    sw_resolver *deny = sw_dns_deny_new(count_denied, &denied);
    CHECK(sw_spf_verify(deny, &a, &req, SW_SPF_ID_MAILFROM, &o) == 0);
    CHECK(o.result == SW_SPF_TEMPERROR && denied == 1);
    sw_resolver_free(deny);
    sw_arena_free(&a);
}
