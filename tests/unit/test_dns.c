/* Unit tests: the resolver front and the fixture / deny-network backends. */
#include "test.h"
#include "spoofwatch/dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Loads text as a zone; the error message, or "" when it loaded. */
static const char *load_zone(const char *text, sw_error *err)
{
    char path[] = "/tmp/sw-dns-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    sw_resolver *r = sw_dns_fixture_new();
    sw_error_clear(err);
    int rc = sw_dns_fixture_load(r, path, err);
    sw_resolver_free(r);
    remove(path);
    return rc ? err->message : "";
}

SW_TEST(dns_fixture_zone_file_refuses_what_it_would_cut)
{
    sw_error err;
    CHECK_STR(load_zone("a.example TXT \"v=spf1 \\\"x\\\" -all\" \"more\"\n", &err), "");
    /* an unclosed quote, a string over 4095 bytes, 17 strings, a line over 8190 bytes:
     * each once loaded as a shorter record (or, for the long line, two records) */
    CHECK(strstr(load_zone("a.example TXT \"v=spf1 -all\n", &err), ":1: TXT strings"));
    char *big = malloc(9000 + 64);
    strcpy(big, "# c\na.example TXT \"");
    memset(big + strlen(big), 'x', 4200);
    strcpy(big + 20 + 4200, "\"\n");
    CHECK(strstr(load_zone(big, &err), ":2: TXT strings"));
    CHECK(strstr(load_zone("a.example TXT a b c d e f g h i j k l m n o p q\n", &err),
                 ":1: TXT strings"));
    strcpy(big, "a.example TXT ");
    memset(big + 14, 'x', 8500);
    strcpy(big + 14 + 8500, "\nb.example A 192.0.2.1\n");
    CHECK(strstr(load_zone(big, &err), ":1: line longer than"));
    free(big);
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

/* ---- the live backend's wire reader, on packets a hostile server could send ---- */

typedef struct pkt {
    unsigned char b[1024];
    size_t n;
} pkt;

static void put_bytes(pkt *p, const void *s, size_t n)
{
    memcpy(p->b + p->n, s, n);
    p->n += n;
}

static void put16(pkt *p, unsigned v)
{
    unsigned char s[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    put_bytes(p, s, 2);
}

/* header (id 1, QR RD RA, NOERROR), one question "ex.org" of type qtype */
static void pkt_start(pkt *p, unsigned an, unsigned qtype)
{
    p->n = 0;
    put16(p, 1);
    put16(p, 0x8180);
    put16(p, 1);
    put16(p, an);
    put16(p, 0);
    put16(p, 0);
    put_bytes(p, "\2ex\3org\0", 8);
    put16(p, qtype);
    put16(p, 1);
}

/* one answer RR owned by the question name (pointer to offset 12) */
static void pkt_rr(pkt *p, unsigned type, unsigned ttl_hi, const void *rd, unsigned rdlen)
{
    put_bytes(p, "\xc0\x0c", 2);
    put16(p, type);
    put16(p, 1);
    put16(p, ttl_hi);
    put16(p, 300);
    put16(p, rdlen);
    put_bytes(p, rd, rdlen);
}

static sw_dns_status parse(sw_arena *a, const pkt *p, sw_dns_type t, sw_dns_answer *ans)
{
    uint32_t ttl;
    if (sw_dns_parse_answer(a, p->b, p->n, t, ans, &ttl) != 0)
        return (sw_dns_status)-1; /* matches no status the checks expect */
    return ans->status;
}

SW_TEST(dns_wire_reader_good_answers)
{
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    pkt p;
    sw_dns_answer ans;
    uint32_t ttl = 0;
    pkt_start(&p, 3, SW_DNS_TXT);
    pkt_rr(&p, SW_DNS_CNAME, 0, "\3txt\xc0\x0f", 6); /* a followed CNAME: skipped */
    pkt_rr(&p, SW_DNS_TXT, 0, "\7v=spf1 \4-all", 13);
    pkt_rr(&p, SW_DNS_TXT, 0x8000, "\0", 1); /* TTL top bit set: zero (RFC 2181 §8) */
    CHECK(sw_dns_parse_answer(&a, p.b, p.n, SW_DNS_TXT, &ans, &ttl) == 0);
    CHECK(ans.status == SW_DNS_OK && ans.n == 2);
    CHECK_STR(ans.rrs[0].text, "v=spf1 -all");
    CHECK(ans.rrs[0].nstrings == 2 && ans.rrs[0].text_len == 11);
    CHECK_STR(ans.rrs[0].strings[1], "-all");
    CHECK(ans.rrs[1].text_len == 0 && ans.rrs[1].ttl == 0 && ttl == 0);
    pkt_start(&p, 1, SW_DNS_MX);
    pkt_rr(&p, SW_DNS_MX, 0, "\0\12\2mx\xc0\x0c", 7);
    CHECK(parse(&a, &p, SW_DNS_MX, &ans) == SW_DNS_OK && ans.n == 1);
    CHECK(ans.rrs[0].preference == 10);
    CHECK_STR(ans.rrs[0].text, "mx.ex.org");
    pkt_start(&p, 1, SW_DNS_A);
    pkt_rr(&p, SW_DNS_AAAA, 0, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
    CHECK(parse(&a, &p, SW_DNS_A, &ans) == SW_DNS_NODATA); /* nothing of the asked type */
    CHECK(parse(&a, &p, SW_DNS_AAAA, &ans) == SW_DNS_OK);
    CHECK_STR(ans.rrs[0].text, "2001:db8::1");
    sw_arena_free(&a);
}

SW_TEST(dns_wire_reader_hostile_packets)
{
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    pkt p;
    sw_dns_answer ans;
    /* shorter than a header; header only with counts promising more */
    CHECK(sw_dns_parse_answer(&a, (const unsigned char *)"\0\1", 2, SW_DNS_TXT, &ans, NULL) ==
          0);
    CHECK(ans.status == SW_DNS_TEMPFAIL);
    pkt_start(&p, 5, SW_DNS_TXT);
    p.n = 12;
    CHECK(parse(&a, &p, SW_DNS_TXT, &ans) == SW_DNS_TEMPFAIL);
    /* a good record, then an answer count promising a second that is not there: the
     * packet is damaged, so not even the first record is believed */
    pkt_start(&p, 2, SW_DNS_TXT);
    pkt_rr(&p, SW_DNS_TXT, 0, "\3abc", 4);
    CHECK(parse(&a, &p, SW_DNS_TXT, &ans) == SW_DNS_TEMPFAIL && ans.n == 0);
    /* rdlength past the end */
    pkt_start(&p, 1, SW_DNS_TXT);
    pkt_rr(&p, SW_DNS_TXT, 0, "\3abc", 4);
    p.b[p.n - 5] = 200;
    CHECK(parse(&a, &p, SW_DNS_TXT, &ans) == SW_DNS_TEMPFAIL);
    /* a character-string longer than its rdata */
    pkt_start(&p, 1, SW_DNS_TXT);
    pkt_rr(&p, SW_DNS_TXT, 0, "\11abc", 4);
    CHECK(parse(&a, &p, SW_DNS_TXT, &ans) == SW_DNS_TEMPFAIL);
    /* compression: a pointer to itself, a two-pointer loop, a pointer past the end */
    static const char *const owners[] = {"\xc0\x18", "\xc0\x1a", "\xff\xff"};
    for (size_t k = 0; k < 3; k++) {
        pkt_start(&p, 1, SW_DNS_TXT); /* the answer starts at offset 12 + 8 + 4 = 0x18 */
        put_bytes(&p, owners[k], 2);
        if (k == 1)
            put_bytes(&p, "\xc0\x18", 2);
        CHECK(parse(&a, &p, SW_DNS_TXT, &ans) == SW_DNS_TEMPFAIL);
    }
    /* a question name looping on itself */
    p.n = 0;
    put_bytes(&p, "\0\1\x81\x80\0\1\0\1\0\0\0\0\xc0\x0c\0\x10\0\1", 18);
    CHECK(parse(&a, &p, SW_DNS_TXT, &ans) == SW_DNS_TEMPFAIL);
    /* an MX target running out of its rdata into the next record */
    pkt_start(&p, 2, SW_DNS_MX);
    pkt_rr(&p, SW_DNS_MX, 0, "\0\12\2mx", 5);
    pkt_rr(&p, SW_DNS_TXT, 0, "\0", 1);
    CHECK(parse(&a, &p, SW_DNS_MX, &ans) == SW_DNS_TEMPFAIL);
    /* an A record of the wrong size; a record of another class */
    pkt_start(&p, 1, SW_DNS_A);
    pkt_rr(&p, SW_DNS_A, 0, "\xc0\0\2\1\0", 5);
    CHECK(parse(&a, &p, SW_DNS_A, &ans) == SW_DNS_TEMPFAIL);
    pkt_start(&p, 1, SW_DNS_A);
    pkt_rr(&p, SW_DNS_A, 0, "\xc0\0\2\1", 4);
    p.b[p.n - 4 - 7] = 3; /* class CH */
    CHECK(parse(&a, &p, SW_DNS_A, &ans) == SW_DNS_NODATA);
    /* every truncation of a good answer either parses or fails cleanly (ASan watches) */
    pkt_start(&p, 2, SW_DNS_TXT);
    pkt_rr(&p, SW_DNS_TXT, 0, "\7v=spf1 \4-all", 13);
    pkt_rr(&p, SW_DNS_TXT, 0, "\3abc", 4);
    for (size_t cut = 0; cut < p.n; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1);
        memcpy(copy, p.b, cut);
        CHECK(sw_dns_parse_answer(&a, copy, cut, SW_DNS_TXT, &ans, NULL) == 0);
        CHECK(ans.status == SW_DNS_TEMPFAIL);
        free(copy);
    }
    sw_arena_free(&a);
}

SW_TEST(dns_log_in_the_order_asked)
{
    sw_resolver *r = sw_dns_fixture_new();
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_dns_answer ans;
    CHECK(sw_dns_query(r, &a, "one.example", SW_DNS_TXT, &ans) == 0);
    CHECK(sw_dns_query(r, &a, "two.example", SW_DNS_TXT, &ans) == 0);
    CHECK(sw_dns_query(r, &a, "three.example", SW_DNS_TXT, &ans) == 0);
    const sw_dns_logentry *q[2];
    CHECK(sw_dns_log_in_order(r->log, q, 2) == 2); /* the newest two, oldest of them first */
    CHECK_STR(q[0]->name, "two.example");
    CHECK_STR(q[1]->name, "three.example");
    const sw_dns_logentry *all[8];
    CHECK(sw_dns_log_in_order(r->log, all, 8) == 3);
    CHECK_STR(all[0]->name, "one.example");
    sw_arena_free(&a);
    sw_resolver_free(r);
}
