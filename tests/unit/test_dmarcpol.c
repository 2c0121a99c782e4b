/* Unit tests: DMARC record parsing, policy discovery (PSL and tree walk), alignment and
 * evaluation (dmarcpol.h), all against fixture DNS; and that the live resolver can be
 * created and destroyed without asking anything. */
#include "test.h"
#include "spoofwatch/dmarcpol.h"
#include "spoofwatch/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(sw_arena *a, const char *txt, sw_dmarc_policy_record *rec)
{
    return sw_dmarc_policy_parse(a, txt, strlen(txt), rec);
}

SW_TEST(dmarcpol_parse_tags)
{
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_dmarc_policy_record r;
    CHECK(parse(&a, "v=DMARC1; p=Quarantine; sp=reject; np=none; adkim=S; aspf=r; pct=25; "
                    "psd=n; t=y; rua=mailto:Agg@Example.COM; ruf=mailto:f@example.com; fo=1:d; "
                    "rf=afrf; ri=3600; future=x",
                &r) == 0);
    CHECK(r.p == SW_DMARC_POLICY_QUARANTINE && r.sp == SW_DMARC_POLICY_REJECT);
    CHECK(r.np == SW_DMARC_POLICY_NONE && r.np_present);
    CHECK(r.adkim == 's' && r.aspf == 'r' && r.pct == 25 && r.pct_present);
    CHECK(r.psd == 'n' && r.testing && r.ri == 3600 && r.ri_present);
    CHECK_STR(r.rua, "mailto:Agg@Example.COM");
    CHECK_STR(r.fo, "1:d");
    CHECK(r.rua_valid && r.unknown_tags == 1);
    /* defaults */
    CHECK(parse(&a, "v=DMARC1", &r) == 0);
    CHECK(r.p == SW_DMARC_POLICY_UNSET && !r.p_present && r.adkim == 'r' && r.pct == 100);
    CHECK(r.psd == 'u' && !r.testing && r.ri == 86400);
    /* not DMARC records */
    CHECK(parse(&a, "v=dmarc1; p=reject", &r) == SW_ENOTFOUND);
    CHECK(parse(&a, "v=DMARC1x; p=reject", &r) == SW_ENOTFOUND);
    CHECK(parse(&a, "p=reject; v=DMARC1", &r) == SW_ENOTFOUND);
    CHECK(parse(&a, "v=spf1 -all", &r) == SW_ENOTFOUND);
    CHECK(parse(&a, "", &r) == SW_ENOTFOUND);
    CHECK(parse(&a, "; v=DMARC1", &r) == SW_ENOTFOUND);
    /* whitespace, case of names, tolerated junk */
    CHECK(parse(&a, " V = DMARC1 ;P = REJECT ; tagonly; =value;; pct=abc; adkim=x; p=none;", &r) ==
          0);
    CHECK(r.p == SW_DMARC_POLICY_REJECT); /* the first p stands */
    CHECK(r.duplicate_tags == 1 && r.malformed_tags == 2);
    CHECK(r.pct == 100 && r.pct_invalid && r.adkim == 'r');
    CHECK(parse(&a, "v=DMARC1; p=bogus; pct=101", &r) == 0);
    CHECK(r.p_present && r.p_invalid && r.pct == 100 && r.pct_invalid);
    /* rua validity */
    CHECK(parse(&a, "v=DMARC1; rua=not a uri, also-not", &r) == 0 && !r.rua_valid);
    CHECK(parse(&a, "v=DMARC1; rua=junk, mailto:a@example.com!10m", &r) == 0 && r.rua_valid);
    CHECK(parse(&a, "v=DMARC1; rua=mailto:", &r) == 0 && !r.rua_valid);
    /* hard cap */
    size_t big = SW_DMARC_MAX_RECORD + 1;
    char *huge = malloc(big + 1);
    CHECK(huge);
    memset(huge, 'x', big);
    memcpy(huge, "v=DMARC1; p=none; x=", 20);
    huge[big] = '\0';
    int rc = sw_dmarc_policy_parse(&a, huge, big, &r);
    free(huge);
    CHECK(rc == SW_ELIMIT);
    /* NUL bytes inside a TXT record are data, not the end */
    CHECK(sw_dmarc_policy_parse(&a, "v=DMARC1; p=reject\0junk", 23, &r) == 0);
    CHECK(r.raw_len == 23);
    sw_arena_free(&a);
}

typedef struct env {
    sw_resolver *r;
    sw_orgdomain_ctx psl;
    sw_arena a;
} env;

static int env_open(env *e)
{
    memset(e, 0, sizeof *e);
    sw_arena_init(&e->a, 8 << 20);
    e->r = sw_dns_fixture_new();
    sw_error err;
    sw_error_clear(&err);
    return e->r && sw_orgdomain_open(&e->psl, NULL, &err) == 0;
}

static void env_close(env *e)
{
    sw_orgdomain_close(&e->psl);
    sw_resolver_free(e->r);
    sw_arena_free(&e->a);
}

static void txt(env *e, const char *name, const char *value)
{
    sw_dns_fixture_add(e->r, name, SW_DNS_TXT, value);
}

static size_t dmarc_queries(const sw_resolver *r, const char **names, size_t cap)
{
    size_t n = 0;
    for (const sw_dns_logentry *l = r->log; l; l = l->next)
        if (l->type == SW_DNS_TXT && n < cap)
            names[n++] = l->name;
    for (size_t i = 0; i < n / 2; i++) { /* oldest first */
        const char *t = names[i];
        names[i] = names[n - 1 - i];
        names[n - 1 - i] = t;
    }
    return n;
}

SW_TEST(dmarcpol_tree_walk_sequence)
{
    env e;
    CHECK(env_open(&e));
    /* fewer than 8 labels: one label less at each step, down to the TLD */
    sw_dmarc_policy_discovery d;
    CHECK(sw_dmarc_policy_discover(e.r, NULL, &e.a, "a.b.c.example.org.", SW_DMARC_METHOD_TREEWALK,
                                   &d) == 0);
    CHECK(d.status == SW_DMARC_NONE && !d.record);
    const char *q[16];
    CHECK(dmarc_queries(e.r, q, 16) == 5);
    CHECK_STR(q[0], "_dmarc.a.b.c.example.org");
    CHECK_STR(q[1], "_dmarc.b.c.example.org");
    CHECK_STR(q[4], "_dmarc.org");
    CHECK(d.queries == 5);
    CHECK_STR(d.org_domain, "a.b.c.example.org"); /* no record: its own org domain */
    /* exactly 8 labels: the jump to 7 labels is one label less anyway */
    sw_dns_log_reset(e.r);
    CHECK(sw_dmarc_policy_discover(e.r, NULL, &e.a, "1.2.3.4.5.6.example.org",
                                   SW_DMARC_METHOD_TREEWALK, &d) == 0);
    CHECK(dmarc_queries(e.r, q, 16) == 8);
    CHECK_STR(q[1], "_dmarc.2.3.4.5.6.example.org");
    CHECK_STR(q[7], "_dmarc.org");
    /* psd=n stops the walk and names the org domain */
    txt(&e, "_dmarc.b.c.example.org", "v=DMARC1; p=reject; psd=n");
    txt(&e, "_dmarc.example.org", "v=DMARC1; p=none");
    sw_dns_log_reset(e.r);
    CHECK(sw_dmarc_policy_discover(e.r, NULL, &e.a, "a.b.c.example.org", SW_DMARC_METHOD_TREEWALK,
                                   &d) == 0);
    CHECK(dmarc_queries(e.r, q, 16) == 2);
    CHECK(d.status == SW_DMARC_PASS && d.from_org);
    CHECK_STR(d.policy_domain, "b.c.example.org");
    CHECK_STR(d.org_domain, "b.c.example.org");
    /* an address written as a name is asked once and has no parent */
    sw_dns_log_reset(e.r);
    CHECK(sw_dmarc_policy_discover(e.r, NULL, &e.a, "192.0.2.1", SW_DMARC_METHOD_TREEWALK, &d) ==
          0);
    CHECK(dmarc_queries(e.r, q, 16) == 1);
    /* bad input */
    CHECK(sw_dmarc_policy_discover(e.r, NULL, &e.a, "x.example", SW_DMARC_METHOD_PSL, &d) ==
          SW_EINVAL);
    CHECK(sw_dmarc_policy_discover(e.r, NULL, &e.a, "a..example", SW_DMARC_METHOD_TREEWALK, &d) ==
          0);
    CHECK(d.status == SW_DMARC_NONE && d.queries == 0);
    env_close(&e);
}

SW_TEST(dmarcpol_psd_policy)
{
    env e;
    CHECK(env_open(&e));
    /* only the PSD publishes: its policy applies, the org domain is one label below it */
    txt(&e, "_dmarc.bank.example", "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=y");
    sw_dns_fixture_add(e.r, "shop.bank.example", SW_DNS_A, "192.0.2.7");
    sw_dmarc_dkim_input dk = {.domain = "shop.bank.example", .result = "pass"};
    sw_dmarc_input in = {.from_domain = "news.shop.bank.example", .dkim = &dk, .ndkim = 1,
                         .pct_roll = -1};
    sw_dmarc_eval_result out;
    CHECK(sw_dmarc_eval(e.r, NULL, &e.a, SW_DMARC_METHOD_TREEWALK, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_PASS);
    CHECK(out.discovery.from_psd && out.discovery.from_org);
    CHECK_STR(out.discovery.policy_domain, "bank.example");
    CHECK_STR(out.discovery.org_domain, "shop.bank.example");
    CHECK_STR(out.dkim.aligned_domain, "shop.bank.example");
    CHECK_STR(out.dkim.aligned_org, "shop.bank.example");
    /* news.shop.bank.example does not exist: np */
    CHECK(out.author_exists == 0);
    CHECK_STR(out.policy_tag, "np");
    CHECK(out.policy == SW_DMARC_POLICY_REJECT && out.disposition == SW_DMARC_POLICY_NONE);
    /* two registrants under one PSD never align */
    sw_dns_log_reset(e.r);
    dk.domain = "other.bank.example";
    in.from_domain = "shop.bank.example";
    CHECK(sw_dmarc_eval(e.r, NULL, &e.a, SW_DMARC_METHOD_TREEWALK, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_FAIL && !out.dkim.aligned_domain);
    CHECK(out.author_exists == 1);
    CHECK_STR(out.policy_tag, "sp");
    CHECK(out.disposition == SW_DMARC_POLICY_QUARANTINE);
    CHECK(out.nsteps > 3 && out.dns_log != NULL);
    env_close(&e);
}

SW_TEST(dmarcpol_testing_and_pct)
{
    env e;
    CHECK(env_open(&e));
    txt(&e, "_dmarc.example.com", "v=DMARC1; p=reject; pct=20; t=y");
    sw_dmarc_spf_input spf = {.domain = "bounce.other.example", .result = "pass"};
    sw_dmarc_input in = {.from_domain = "Example.COM.", .spf = spf, .pct_roll = 50};
    sw_dmarc_eval_result out;
    /* RFC 9989: t=y lowers reject to quarantine; pct is ignored */
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_TREEWALK, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_FAIL && out.method == SW_DMARC_METHOD_TREEWALK);
    CHECK_STR(out.author_domain, "example.com");
    CHECK(out.requested == SW_DMARC_POLICY_REJECT && out.policy == SW_DMARC_POLICY_QUARANTINE);
    CHECK(out.testing && !out.pct_applied && out.disposition == SW_DMARC_POLICY_QUARANTINE);
    /* RFC 7489: t is unknown; pct=20 samples a draw of 50 out */
    sw_dns_log_reset(e.r);
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_PSL, &in, &out) == 0);
    CHECK(out.policy == SW_DMARC_POLICY_REJECT && !out.testing);
    CHECK(out.pct_applied && out.disposition == SW_DMARC_POLICY_QUARANTINE);
    in.pct_roll = 10; /* sampled in */
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_PSL, &in, &out) == 0);
    CHECK(!out.pct_applied && out.disposition == SW_DMARC_POLICY_REJECT);
    in.pct_roll = -1; /* no draw: sampled in */
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_PSL, &in, &out) == 0);
    CHECK(out.disposition == SW_DMARC_POLICY_REJECT);
    env_close(&e);
}

SW_TEST(dmarcpol_dns_failures)
{
    env e;
    CHECK(env_open(&e));
    txt(&e, "_dmarc.mail.example.com", "v=DMARC1; p=reject");
    sw_dns_fixture_fail(e.r, "_dmarc.example.com", 0, SW_DNS_TEMPFAIL);
    /* a failure above a found author record does not spoil an identical-domain pass */
    sw_dmarc_dkim_input dk[2] = {{.domain = "example.com", .result = "pass"},
                                 {.domain = "mail.example.com", .result = "pass"}};
    sw_dmarc_input in = {.from_domain = "mail.example.com", .dkim = dk, .ndkim = 2,
                         .pct_roll = -1};
    sw_dmarc_eval_result out;
    CHECK(sw_dmarc_eval(e.r, NULL, &e.a, SW_DMARC_METHOD_TREEWALK, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_PASS && out.discovery.org_failed);
    CHECK_STR(out.dkim.aligned_domain, "mail.example.com");
    CHECK(out.dkim.unknown); /* example.com could not be judged */
    /* ... but when only the unjudged identifier could align, the result is temperror */
    in.ndkim = 1;
    CHECK(sw_dmarc_eval(e.r, NULL, &e.a, SW_DMARC_METHOD_TREEWALK, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_TEMPERROR);
    /* the author has no record and the walk fails: temperror, never "none" */
    in.from_domain = "other.example.com";
    CHECK(sw_dmarc_eval(e.r, NULL, &e.a, SW_DMARC_METHOD_TREEWALK, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_TEMPERROR);
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_PSL, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_TEMPERROR);
    /* deny-network: a refused query is a failure too */
    sw_resolver *deny = sw_dns_deny_new(NULL, NULL);
    CHECK(deny);
    CHECK(sw_dmarc_eval(deny, NULL, &e.a, SW_DMARC_METHOD_TREEWALK, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_TEMPERROR);
    sw_resolver_free(deny);
    env_close(&e);
}

SW_TEST(dmarcpol_temporary_auth_errors)
{
    env e;
    CHECK(env_open(&e));
    txt(&e, "_dmarc.example.com", "v=DMARC1; p=reject");
    /* an SPF temperror for an aligned domain: no permanent failure can be concluded */
    sw_dmarc_dkim_input dk = {.domain = "unrelated.example", .result = "temperror"};
    sw_dmarc_input in = {.from_domain = "news.example.com", .dkim = &dk, .ndkim = 1,
                         .spf = {.domain = "example.com", .result = "temperror"},
                         .pct_roll = -1};
    sw_dmarc_eval_result out;
    for (int m = SW_DMARC_METHOD_PSL; m <= SW_DMARC_METHOD_TREEWALK; m++) {
        CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, (sw_dmarc_method)m, &in, &out) == 0);
        CHECK(out.result == SW_DMARC_TEMPERROR);
        CHECK(out.disposition == SW_DMARC_POLICY_NONE);
    }
    /* a temperror that could never align does not hold back the failure */
    in.spf.result = "fail";
    for (int m = SW_DMARC_METHOD_PSL; m <= SW_DMARC_METHOD_TREEWALK; m++) {
        CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, (sw_dmarc_method)m, &in, &out) == 0);
        CHECK(out.result == SW_DMARC_FAIL && out.disposition == SW_DMARC_POLICY_REJECT);
    }
    env_close(&e);
}

SW_TEST(dmarcpol_author_domains)
{
    env e;
    CHECK(env_open(&e));
    txt(&e, "_dmarc.example.com", "v=DMARC1; p=reject");
    sw_dmarc_input in = {.from_domain = "[192.0.2.1]", .pct_roll = -1};
    sw_dmarc_eval_result out;
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_PSL, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_NONE && e.r->nqueries == 0);
    in.from_domain = "bad..example.com";
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_PSL, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_PERMERROR && e.r->nqueries == 0);
    in.from_domain = "sp ace.example.com";
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_TREEWALK, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_PERMERROR);
    /* U-labels are looked up as A-labels */
    txt(&e, "_dmarc.xn--bcher-kva.example", "v=DMARC1; p=quarantine");
    in.from_domain = "bücher.example";
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_PSL, &in, &out) == 0);
    CHECK_STR(out.author_domain, "xn--bcher-kva.example");
    CHECK(out.result == SW_DMARC_FAIL && out.policy == SW_DMARC_POLICY_QUARANTINE);
    /* failing results never align; the DKIM cap is counted */
    sw_dmarc_dkim_input dk[SW_DMARC_MAX_DKIM + 2];
    for (size_t i = 0; i < SW_DMARC_MAX_DKIM + 2; i++)
        dk[i] = (sw_dmarc_dkim_input){.domain = "example.com", .result = "fail"};
    dk[SW_DMARC_MAX_DKIM + 1].result = "pass"; /* beyond the cap: not considered */
    in.from_domain = "example.com";
    in.dkim = dk;
    in.ndkim = SW_DMARC_MAX_DKIM + 2;
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_PSL, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_FAIL && out.dkim_skipped == 2);
    CHECK(out.disposition == SW_DMARC_POLICY_REJECT);
    dk[0].result = "PASS";
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_PSL, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_PASS && out.disposition == SW_DMARC_POLICY_NONE);
    env_close(&e);
}

SW_TEST(dmarcpol_multiple_records)
{
    env e;
    CHECK(env_open(&e));
    txt(&e, "_dmarc.mail.example.com", "v=DMARC1; p=reject");
    txt(&e, "_dmarc.mail.example.com", "v=DMARC1; p=quarantine");
    txt(&e, "_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine");
    sw_dmarc_input in = {.from_domain = "mail.example.com", .pct_roll = -1};
    sw_dmarc_eval_result out;
    /* RFC 7489: discovery ends at the author's set of several records */
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_PSL, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_NONE && !out.discovery.record);
    /* RFC 9989: the set is discarded and the walk goes on to the org domain */
    CHECK(sw_dmarc_eval(e.r, &e.psl, &e.a, SW_DMARC_METHOD_TREEWALK, &in, &out) == 0);
    CHECK(out.result == SW_DMARC_FAIL);
    CHECK_STR(out.discovery.policy_domain, "example.com");
    CHECK_STR(out.policy_tag, "sp");
    CHECK(out.policy == SW_DMARC_POLICY_QUARANTINE);
    env_close(&e);
}

SW_TEST(dmarcpol_alignment_psl)
{
    env e;
    CHECK(env_open(&e));
    CHECK(sw_dmarc_aligned_psl(&e.psl, &e.a, "a.example.co.uk", "b.example.co.uk", 0));
    CHECK(!sw_dmarc_aligned_psl(&e.psl, &e.a, "a.example.co.uk", "b.example.co.uk", 1));
    CHECK(!sw_dmarc_aligned_psl(&e.psl, &e.a, "example.co.uk", "other.co.uk", 0));
    CHECK(!sw_dmarc_aligned_psl(&e.psl, &e.a, "oooo.com", "ooo.com", 0));
    CHECK(sw_dmarc_aligned_psl(&e.psl, &e.a, "EXAMPLE.com.", "example.COM", 1));
    CHECK(!sw_dmarc_aligned_psl(&e.psl, &e.a, "192.0.2.1", "2.1", 0));
    CHECK(!sw_dmarc_aligned_psl(&e.psl, &e.a, NULL, "example.com", 0));
    env_close(&e);
}

SW_TEST(dmarcpol_names)
{
    CHECK_STR(sw_dmarc_result_name(SW_DMARC_TEMPERROR), "temperror");
    CHECK_STR(sw_dmarc_policy_name(SW_DMARC_POLICY_QUARANTINE), "quarantine");
    CHECK_STR(sw_dmarc_policy_name(SW_DMARC_POLICY_UNSET), "");
    CHECK_STR(sw_dmarc_method_name(SW_DMARC_METHOD_TREEWALK), "treewalk");
}

SW_TEST(dns_live_create_destroy_without_querying)
{
    sw_error err;
    sw_error_clear(&err);
    sw_resolver *r = sw_dns_live_new(NULL, &err);
    CHECK(r);
    sw_dns_live_stats st;
    sw_dns_live_get_stats(r, &st);
    CHECK(st.queries == 0 && st.hits == 0 && st.misses == 0);
    CHECK(r->log == NULL && r->nqueries == 0);
    sw_resolver_free(r);
    /* explicit servers (a documentation address: nothing is sent before a query) */
    sw_dns_live_opts o = {.servers = "192.0.2.53,[2001:db8::53]:5353", .timeout_ms = 500,
                          .tries = 1, .negative_ttl = 30, .max_ttl = 600};
    r = sw_dns_live_new(&o, &err);
    CHECK(r);
    sw_resolver_free(r);
    o.servers = "not an address";
    sw_error_clear(&err);
    CHECK(sw_dns_live_new(&o, &err) == NULL);
    CHECK(err.message[0] != '\0');
    /* other backends report no live counters */
    sw_resolver *fx = sw_dns_fixture_new();
    CHECK(fx);
    st.queries = 7;
    sw_dns_live_get_stats(fx, &st);
    CHECK(st.queries == 0);
    sw_resolver_free(fx);
}
