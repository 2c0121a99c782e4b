/* Unit tests: the resolver front and the fixture / deny-network backends. */
#include "test.h"
#include "spoofwatch/dns.h"

#include <stdio.h>
#include <stdlib.h>

SW_TEST(dns_fixture_answers_and_logs)
{
    sw_resolver *r = sw_dns_fixture_new();
    CHECK(r);
    CHECK(sw_dns_fixture_add(r, "Example.COM.", SW_DNS_TXT, "v=spf1 -all") == 0);
    const char *parts[] = {"v=DKIM1; k=rsa; p=MIGf", "MA0GCSqG"};
    CHECK(sw_dns_fixture_add_txt(r, "sel._domainkey.example.com", parts, 2) == 0);
    CHECK(sw_dns_fixture_add(r, "example.com", SW_DNS_MX, "10 mx.example.com.") == 0);
    CHECK(sw_dns_fixture_add(r, "mx.example.com", SW_DNS_A, "192.0.2.10") == 0);
    CHECK(sw_dns_fixture_add(r, "alias.example.com", SW_DNS_CNAME, "mx.example.com") == 0);
    CHECK(sw_dns_fixture_fail(r, "slow.example.com", 0, SW_DNS_TEMPFAIL) == 0);
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_dns_answer ans;
    CHECK(sw_dns_query(r, &a, "EXAMPLE.com.", SW_DNS_TXT, &ans) == 0);
    CHECK(ans.status == SW_DNS_OK && ans.n == 1);
    CHECK_STR(ans.rrs[0].text, "v=spf1 -all");
    CHECK(sw_dns_query(r, &a, "sel._domainkey.example.com", SW_DNS_TXT, &ans) == 0);
    CHECK(ans.n == 1 && ans.rrs[0].nstrings == 2);
    CHECK_STR(ans.rrs[0].text, "v=DKIM1; k=rsa; p=MIGfMA0GCSqG"); /* joined, no separator */
    CHECK(sw_dns_query(r, &a, "example.com", SW_DNS_MX, &ans) == 0);
    CHECK(ans.n == 1 && ans.rrs[0].preference == 10);
    CHECK_STR(ans.rrs[0].text, "mx.example.com");
    CHECK(sw_dns_query(r, &a, "alias.example.com", SW_DNS_A, &ans) == 0);
    CHECK(ans.status == SW_DNS_OK && ans.n == 1); /* through the CNAME */
    CHECK_STR(ans.rrs[0].text, "192.0.2.10");
    CHECK(sw_dns_query(r, &a, "example.com", SW_DNS_AAAA, &ans) == 0);
    CHECK(ans.status == SW_DNS_NODATA);
    CHECK(sw_dns_query(r, &a, "nowhere.example", SW_DNS_TXT, &ans) == 0);
    CHECK(ans.status == SW_DNS_NXDOMAIN);
    CHECK(sw_dns_query(r, &a, "slow.example.com", SW_DNS_TXT, &ans) == 0);
    CHECK(ans.status == SW_DNS_TEMPFAIL);
    /* the evidence: every query, newest first */
    CHECK(r->nqueries == 7);
    CHECK_STR(r->log->name, "slow.example.com");
    CHECK(r->log->answer.status == SW_DNS_TEMPFAIL);
    sw_dns_log_reset(r);
    CHECK(r->nqueries == 0 && r->log == NULL);
    sw_arena_free(&a);
    sw_resolver_free(r);
}

SW_TEST(dns_fixture_zone_file)
{
    char path[] = "/tmp/sw-dns-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "# a zone\n"
               "example.org TXT \"v=spf1 \" \"ip4:192.0.2.0/24 -all\"\n"
               "example.org MX 5 mail.example.org\n"
               "broken.example.org TXT TIMEOUT\n");
    fclose(f);
    sw_resolver *r = sw_dns_fixture_new();
    sw_error err;
    CHECK(sw_dns_fixture_load(r, path, &err) == 0);
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_dns_answer ans;
    CHECK(sw_dns_query(r, &a, "example.org", SW_DNS_TXT, &ans) == 0);
    CHECK_STR(ans.rrs[0].text, "v=spf1 ip4:192.0.2.0/24 -all");
    CHECK(sw_dns_query(r, &a, "broken.example.org", SW_DNS_TXT, &ans) == 0);
    CHECK(ans.status == SW_DNS_TEMPFAIL);
    sw_arena_free(&a);
    sw_resolver_free(r);
    f = fopen(path, "w");
    fprintf(f, "example.org BOGUS x\n");
    fclose(f);
    r = sw_dns_fixture_new();
    sw_error_clear(&err);
    CHECK(sw_dns_fixture_load(r, path, &err) != 0);
    CHECK(strstr(err.message, ":1: expected"));
    sw_resolver_free(r);
    remove(path);
}

static void count_denied(const char *name, sw_dns_type t, void *ctx)
{
    (void)name;
    (void)t;
    (*(int *)ctx)++;
}

SW_TEST(dns_deny_network_fails_loudly)
{
    int denied = 0;
    sw_resolver *r = sw_dns_deny_new(count_denied, &denied);
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_dns_answer ans;
    CHECK(sw_dns_query(r, &a, "example.com", SW_DNS_TXT, &ans) == 0);
    CHECK(ans.status == SW_DNS_DENIED && denied == 1);
    sw_arena_free(&a);
    sw_resolver_free(r);
}
