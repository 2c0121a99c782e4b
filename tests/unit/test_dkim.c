/* Unit tests for src/auth/canon.c, dkimkey.c and dkim.c: canonicalization (the RFC 6376
 * §3.4.6 example, LF-stored mail, l=), b= stripping, base64, key records, and
 * verification against fixture DNS: the RFC 8463 Appendix A message (published keys and
 * signatures), then signatures made here with libsodium (the RFC 8463 A.1 Ed25519 seed)
 * and a throw-away OpenSSL RSA key to reach each rule (x=, t=, l=, i=, t=s, k=, h=,
 * revoked, DNS errors, rsa-sha1 policy, over-signing). */
#include "test.h"
#include "dkim_ref.h"

#include "spoofwatch/base64.h"
#include "spoofwatch/canon.h"
#include "spoofwatch/dkim.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sw_arena t_arena;
static int t_arena_live;

static sw_arena *fresh_arena(void)
{
    if (t_arena_live)
        sw_arena_free(&t_arena);
    sw_arena_init(&t_arena, SW_MAX_ARENA);
    t_arena_live = 1;
    return &t_arena;
}

__attribute__((destructor)) static void free_arena(void)
{
    if (t_arena_live)
        sw_arena_free(&t_arena);
}

/* a + b + c in the arena (sw_arena_printf stops at 1023 bytes) */
static char *cat(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *o = sw_arena_alloc(&t_arena, la + lb + lc + 1);
    memcpy(o, a, la);
    memcpy(o + la, b, lb);
    memcpy(o + la + lb, c, lc + 1);
    return o;
}

typedef struct sink {
    char buf[4096];
    size_t n;
} sink;

static void sink_write(void *ctx, const void *p, size_t n)
{
    sink *s = ctx;
    if (s->n + n < sizeof s->buf) {
        memcpy(s->buf + s->n, p, n);
        s->n += n;
    }
    s->buf[s->n] = '\0';
}

static const char *canon_body(sw_canon_mode m, const char *body, uint64_t limit, uint64_t *total)
{
    static sink s;
    s.n = 0;
    s.buf[0] = '\0';
    *total = sw_canon_body(m, body, strlen(body), limit, sink_write, &s);
    return s.buf;
}

static const char *canon_hdr(sw_canon_mode m, const char *raw, int crlf)
{
    static sink s;
    s.n = 0;
    s.buf[0] = '\0';
    sw_canon_header(m, raw, strlen(raw), crlf, sink_write, &s);
    return s.buf;
}

SW_TEST(canon_rfc6376_example)
{
    /* RFC 6376 §3.4.6 */
    CHECK_STR(canon_hdr(SW_CANON_RELAXED, "A: X", 1), "a:X\r\n");
    CHECK_STR(canon_hdr(SW_CANON_RELAXED, "B : Y\t\r\n\tZ  ", 1), "b:Y Z\r\n");
    CHECK_STR(canon_hdr(SW_CANON_SIMPLE, "B : Y\t\r\n\tZ  ", 1), "B : Y\t\r\n\tZ  \r\n");
    uint64_t t;
    CHECK_STR(canon_body(SW_CANON_RELAXED, " C \r\nD \t E\r\n\r\n\r\n", UINT64_MAX, &t),
              " C\r\nD E\r\n");
    CHECK(t == 9);
    CHECK_STR(canon_body(SW_CANON_SIMPLE, " C \r\nD \t E\r\n\r\n\r\n", UINT64_MAX, &t),
              " C \r\nD \t E\r\n");
}

SW_TEST(canon_lf_and_edges)
{
    uint64_t t;
    /* LF-stored mail canonicalizes as if converted to CRLF */
    CHECK_STR(canon_body(SW_CANON_SIMPLE, "a\nb  c\n\n", UINT64_MAX, &t), "a\r\nb  c\r\n");
    CHECK_STR(canon_hdr(SW_CANON_SIMPLE, "Subject: a\n b", 1), "Subject: a\r\n b\r\n");
    CHECK_STR(canon_hdr(SW_CANON_RELAXED, "Subject:\ta\n  b ", 0), "subject:a b");
    /* empty bodies: simple gives CRLF, relaxed nothing */
    CHECK_STR(canon_body(SW_CANON_SIMPLE, "", UINT64_MAX, &t), "\r\n");
    CHECK_STR(canon_body(SW_CANON_SIMPLE, "\r\n\r\n", UINT64_MAX, &t), "\r\n");
    CHECK_STR(canon_body(SW_CANON_RELAXED, " \r\n\t\r\n", UINT64_MAX, &t), "");
    CHECK(t == 0);
    /* a last line without a line end gets one; empty lines inside are kept */
    CHECK_STR(canon_body(SW_CANON_RELAXED, "x\r\n\r\ny", UINT64_MAX, &t), "x\r\n\r\ny\r\n");
    /* l= emits only the first bytes but reports the whole length */
    CHECK_STR(canon_body(SW_CANON_SIMPLE, "hello\r\nworld\r\n", 5, &t), "hello");
    CHECK(t == 14);
    sw_canon_mode h, b;
    CHECK(sw_canon_parse(NULL, &h, &b) == 0 && h == SW_CANON_SIMPLE && b == SW_CANON_SIMPLE);
    CHECK(sw_canon_parse("relaxed", &h, &b) == 0 && h == SW_CANON_RELAXED &&
          b == SW_CANON_SIMPLE);
    CHECK(sw_canon_parse("simple/relaxed", &h, &b) == 0 && b == SW_CANON_RELAXED);
    CHECK(sw_canon_parse("future", &h, &b) == -1);
    CHECK(sw_canon_parse("relaxed/", &h, &b) == -1);
}

typedef struct bigsink {
    char buf[1 << 16];
    size_t n;
} bigsink;

static void bigsink_write(void *ctx, const void *p, size_t n)
{
    bigsink *s = ctx;
    if (s->n + n <= sizeof s->buf) {
        memcpy(s->buf + s->n, p, n);
        s->n += n;
    }
}

SW_TEST(canon_body_matches_reference)
{
    /* Random bodies from an alphabet heavy in what canonicalization touches (tabs, runs
     * of spaces, CR, bare LF, CRLF, trailing WSP, empty lines at the end), with lines
     * from empty to longer than the emitter's buffer, under random l= limits. */
    static const char alpha[] = " \t\r\nab \t\r\nxyz  AB==+/";
    static char body[12000], want[2 * sizeof body + 2], line[sizeof body];
    static bigsink got;
    uint32_t seed = 12345;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 8) & 0xffffff)
    for (int iter = 0; iter < 4000; iter++) {
        size_t n = RND() % (iter < 3000 ? 200 : sizeof body);
        unsigned style = RND() % 4;
        for (size_t i = 0; i < n; i++) {
            unsigned r = RND();
            if (style == 0) /* anything from the alphabet */
                body[i] = alpha[r % (sizeof alpha - 1)];
            else if (style == 1) /* base64-like lines of 76, LF or CRLF */
                body[i] = (i % 77 == 76) ? '\n' : (r % 97 == 0 ? '\r' : "QUJD+/9z"[r % 8]);
            else if (style == 2) /* text: words, single and double spaces, tabs */
                body[i] = r % 9 == 0 ? ' ' : r % 61 == 0 ? '\t' : r % 53 == 0 ? '\n'
                                                                 : "wordsAZ"[r % 7];
            else /* long lines with rare WSP, past the 4 KB buffer */
                body[i] = r % 2999 == 0 ? '\n' : r % 301 == 0 ? ' ' : r % 503 == 0 ? '\t' : 'q';
        }
        if (n && RND() % 3 == 0) /* empty lines and trailing WSP at the end */
            for (size_t j = RND() % 6; j-- && n < sizeof body - 2;)
                body[n++] = "\n \t\r"[RND() % 4];
        for (int mode = 0; mode < 2; mode++) {
            sw_canon_mode m = mode ? SW_CANON_RELAXED : SW_CANON_SIMPLE;
            uint64_t limit = RND() % 3 == 0 ? RND() % (n + 8) : UINT64_MAX;
            uint64_t wt = sw_ref_canon_body(m, body, n, want, line);
            size_t wn = wt < limit ? (size_t)wt : (size_t)limit;
            got.n = 0;
            uint64_t gt = sw_canon_body(m, body, n, limit, bigsink_write, &got);
            CHECK(gt == wt);
            CHECK(got.n == wn);
            CHECK(!memcmp(got.buf, want, wn));
        }
    }
#undef RND
}

SW_TEST(base64_decode_matches_reference)
{
    static const char alpha[] = "QUJDRA+/09az==  \t\r\n=-*.\x80";
    uint32_t seed = 777;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 8) & 0xffffff)
    for (int iter = 0; iter < 20000; iter++) {
        sw_arena *a = iter % 1000 ? &t_arena : fresh_arena();
        char s[64];
        size_t n = RND() % sizeof s;
        unsigned mostly_valid = RND() % 2;
        for (size_t i = 0; i < n; i++)
            s[i] = mostly_valid && RND() % 16 ? "QUJDRA+/09az"[RND() % 12]
                                              : alpha[RND() % (sizeof alpha - 1)];
        if (mostly_valid && n >= 2 && RND() % 2) /* padding at the end */
            s[n - 1] = '=', s[n - 2] = RND() % 2 ? '=' : 'A';
        unsigned char want[64], *got;
        size_t wn = 0, gn = 0;
        int wr = sw_ref_base64_decode(s, n, want, &wn);
        int gr = sw_dkim_base64_decode(a, s, n, &got, &gn);
        CHECK(gr == wr);
        if (wr == SW_OK)
            CHECK(gn == wn && !memcmp(got, want, wn));
    }
#undef RND
    unsigned char *o;
    size_t on;
    /* every byte value alone in a quantum: only the alphabet decodes */
    for (int c = 0; c < 256; c++) {
        char q[4] = {(char)c, 'A', 'A', 'A'};
        int rc = sw_dkim_base64_decode(fresh_arena(), q, 4, &o, &on);
        CHECK((rc == SW_OK) == (sw_base64_value((unsigned char)c) >= 0));
    }
}

SW_TEST(canon_strip_b)
{
    sw_arena *a = fresh_arena();
    const char *raw = "DKIM-Signature: v=1; bh=KEEP; b=abc\r\n def ;d=x";
    const char *out;
    size_t n;
    CHECK(sw_canon_strip_b(a, raw, strlen(raw), &out, &n) == 0);
    CHECK_STR(out, "DKIM-Signature: v=1; bh=KEEP; b=;d=x");
    raw = "DKIM-Signature: v=1; b =\r\n xyz";
    CHECK(sw_canon_strip_b(a, raw, strlen(raw), &out, &n) == 0);
    CHECK_STR(out, "DKIM-Signature: v=1; b =");
}

SW_TEST(dkim_base64)
{
    sw_arena *a = fresh_arena();
    unsigned char *o;
    size_t n;
    CHECK(sw_dkim_base64_decode(a, "aGVs\r\n bG8=", 11, &o, &n) == 0);
    CHECK(n == 5 && !memcmp(o, "hello", 5));
    CHECK(sw_dkim_base64_decode(a, "aGVsbA==", 8, &o, &n) == 0 && n == 4);
    CHECK(sw_dkim_base64_decode(a, "aGVsb", 5, &o, &n) == SW_EFORMAT);
    CHECK(sw_dkim_base64_decode(a, "aG=s", 4, &o, &n) == SW_EFORMAT);
    CHECK(sw_dkim_base64_decode(a, "aGVsbA==aGVs", 12, &o, &n) == SW_EFORMAT);
    CHECK(sw_dkim_base64_decode(a, "a!Vs", 4, &o, &n) == SW_EFORMAT);
}

static int key(const char *txt, sw_dkim_key *k, const char **why)
{
    return sw_dkim_key_parse(&t_arena, txt, strlen(txt), k, why);
}

SW_TEST(dkim_key_records)
{
    fresh_arena();
    sw_dkim_key k;
    const char *why;
    CHECK(key("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", &k, &why) == 0);
    CHECK(k.ktype == SW_DKIM_K_ED25519 && k.p_len == 32 && !k.revoked && !k.has_h);
    CHECK(key("k=rsa; t=y:s; h=sha256:md5; p=", &k, &why) == 0);
    CHECK(k.revoked && (k.flags & SW_DKIM_KEY_TESTING) && (k.flags & SW_DKIM_KEY_STRICT));
    CHECK(k.has_h && k.hashes == SW_DKIM_HASH_SHA256);
    CHECK(key("k=rsa; h=bad; p=", &k, &why) == 0 && k.has_h && k.hashes == 0);
    CHECK(key("k=rsa; v=DKIM1; p=", &k, &why) == SW_EFORMAT && strstr(why, "first"));
    CHECK(key("v=DKIM3; p=", &k, &why) == SW_EFORMAT && strstr(why, "version"));
    CHECK(key("k=foobar; p=", &k, &why) == SW_EFORMAT && strstr(why, "k="));
    CHECK(key("s=chat; p=", &k, &why) == SW_EFORMAT && strstr(why, "s="));
    CHECK(key("s=email:web; p=", &k, &why) == 0);
    CHECK(key("k=rsa; t; p=", &k, &why) == SW_EFORMAT && strstr(why, "syntax"));
    CHECK(key("v=DKIM1; k=rsa", &k, &why) == SW_EFORMAT && strstr(why, "p="));
    CHECK(key("p=###", &k, &why) == SW_EFORMAT && strstr(why, "base64"));
    /* RFC 8463: an SPKI-wrapped Ed25519 key (44 bytes) is not a DKIM Ed25519 key */
    CHECK(key("k=ed25519; p=MCowBQYDK2VwAyEA3SUqa9UbfciWkk7tlcJ9P1VD5pXAasg0JUn/OgjVbKE=", &k,
              &why) == SW_EFORMAT &&
          strstr(why, "32"));
    CHECK(key("", &k, &why) == SW_EFORMAT);
}

/* ---- verification ---- */

static const char rfc8463_msg[] =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\n"
    " d=football.example.com; i=@football.example.com;\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\n"
    " subject : date : message-id : from : subject : date;\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
    " d=football.example.com; i=@football.example.com;\n"
    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\n"
    " date : message-id : from : subject : date;\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\n"
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\n"
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\n"
    "From: Joe SixPack <joe@football.example.com>\n"
    "To: Suzie Q <suzie@shopping.example.net>\n"
    "Subject: Is dinner ready?\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\n"
    "\n"
    "Hi.\n"
    "\n"
    "We lost the game.  Are you hungry yet?\n"
    "\n"
    "Joe.\n";

static sw_resolver *rfc8463_dns(void)
{
    sw_resolver *r = sw_dns_fixture_new();
    sw_dns_fixture_add(r, "brisbane._domainkey.football.example.com", SW_DNS_TXT,
                       "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    const char *rsa[] = {"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR",
                         "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC",
                         "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3",
                         "Ip3G+2kryOTIKT+l/K4w3QIDAQAB"};
    sw_dns_fixture_add_txt(r, "test._domainkey.football.example.com", rsa, 4);
    return r;
}

static int verify(const char *msg, sw_resolver *r, int64_t now, const sw_dkim_opts *o,
                  sw_dkim_report *rep)
{
    sw_header_block h;
    sw_error err;
    if (sw_header_scan(&t_arena, msg, strlen(msg), &h, &err))
        return -1;
    return sw_dkim_verify(&t_arena, msg, strlen(msg), &h, r, now, o, rep);
}

#define RFC8463_T 1528637909

SW_TEST(dkim_rfc8463_vector)
{
    fresh_arena();
    sw_resolver *r = rfc8463_dns();
    sw_dkim_report rep;
    int rc = verify(rfc8463_msg, r, RFC8463_T, NULL, &rep);
    sw_resolver_free(r);
    CHECK(rc == 0 && rep.nsigs == 2);
    CHECK(rep.sigs[0].result == SW_DKIM_PASS && rep.sigs[1].result == SW_DKIM_PASS);
    CHECK(rep.result == SW_DKIM_PASS && rep.best == 0);
    /* one relaxed SHA-256 body hash serves both signatures */
    CHECK(rep.body_hashes == 1);
    CHECK_STR(rep.sigs[0].bh_computed, "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
    CHECK(rep.sigs[1].key_bits == 1024 && rep.sigs[0].key_bits == 256);
    CHECK_STR(rep.sigs[0].auid, "@football.example.com");
    CHECK(rep.sigs[0].flags == 0);
    const char *ev = sw_dkim_evidence(&t_arena, &rep.sigs[1]);
    CHECK(ev && strstr(ev, "dkim=pass d=football.example.com s=test a=rsa-sha256"));
    CHECK(strstr(ev, "key=rsa/1024"));
}

SW_TEST(dkim_rfc8463_tampered)
{
    fresh_arena();
    sw_resolver *r = rfc8463_dns();
    sw_dkim_report rep;
    /* a footer added by a list: body hash fails, with both hashes in the reason */
    char *m = cat(rfc8463_msg, "-- \nlist footer\n", "");
    CHECK(verify(m, r, RFC8463_T, NULL, &rep) == 0 && rep.result == SW_DKIM_FAIL);
    CHECK(strstr(rep.sigs[0].reason, "expected bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="));
    CHECK(strstr(rep.sigs[0].reason, rep.sigs[0].bh_computed));
    /* a second From above the signed one: h= over-signs from, so both break */
    m = cat("From: ceo@football.example.com\n", rfc8463_msg, "");
    CHECK(verify(m, r, RFC8463_T, NULL, &rep) == 0);
    CHECK(rep.sigs[0].result == SW_DKIM_FAIL && rep.sigs[1].result == SW_DKIM_FAIL);
    CHECK(strstr(rep.sigs[1].reason, "message has been altered"));
    /* an unrelated header added on the way keeps both */
    m = cat("Received: by mx.example.net\n", rfc8463_msg, "");
    CHECK(verify(m, r, RFC8463_T, NULL, &rep) == 0 && rep.sigs[0].result == SW_DKIM_PASS &&
          rep.sigs[1].result == SW_DKIM_PASS);
    /* stored with CRLF it verifies just the same */
    size_t n = strlen(rfc8463_msg), k = 0;
    char *crlf = sw_arena_alloc(&t_arena, 2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        if (rfc8463_msg[i] == '\n')
            crlf[k++] = '\r';
        crlf[k++] = rfc8463_msg[i];
    }
    crlf[k] = '\0';
    CHECK(verify(crlf, r, RFC8463_T, NULL, &rep) == 0 && rep.sigs[0].result == SW_DKIM_PASS &&
          rep.sigs[1].result == SW_DKIM_PASS);
    /* a clock before t= (beyond the skew): timestamp in the future */
    CHECK(verify(rfc8463_msg, r, RFC8463_T - 3600, NULL, &rep) == 0 &&
          rep.result == SW_DKIM_PERMERROR && strstr(rep.sigs[0].reason, "future"));
    sw_resolver_free(r);
}

/* ---- signatures made here ---- */

typedef struct signer {
    unsigned char ed_pk[32], ed_sk[64];
    EVP_PKEY *rsa;
} signer;

static void md_write(void *ctx, const void *p, size_t n)
{
    EVP_DigestUpdate(ctx, p, n);
}

static const char *b64(const unsigned char *p, size_t n)
{
    char *o = sw_arena_alloc(&t_arena, 4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)o, p, (int)n);
    return o;
}

static signer s_signer;
static int s_ready;

static signer *signer_get(void)
{
    signer *sp = &s_signer;
    if (!s_ready) {
        /* RFC 8463 A.1 private key (the seed) */
        unsigned char seed[32];
        size_t n;
        if (sodium_init() < 0)
            return NULL;
        sodium_base642bin(seed, sizeof seed, "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=", 44,
                          NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL);
        crypto_sign_seed_keypair(sp->ed_pk, sp->ed_sk, seed);
        sp->rsa = EVP_RSA_gen(1024);
        s_ready = 1;
    }
    return sp;
}

__attribute__((destructor)) static void signer_free(void)
{
    if (s_ready)
        EVP_PKEY_free(s_signer.rsa);
}

/* A message "From/Subject + body" signed over h=from:subject with c=relaxed/relaxed and
 * the extra tags given; a is "ed25519-sha256", "rsa-sha256" or "rsa-sha1"; lbody, when
 * not NULL, is the body the bh= covers (to test l=, the caller passes l= in extra). */
static const char *sign(const char *a, const char *extra, const char *body, uint64_t l)
{
    signer *sg = signer_get();
    int sha1 = !strcmp(a, "rsa-sha1");
    const EVP_MD *mdt = sha1 ? EVP_sha1() : EVP_sha256();
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char bh[32], hh[32];
    unsigned bl, hl;
    EVP_DigestInit_ex(md, mdt, NULL);
    sw_canon_body(SW_CANON_RELAXED, body, strlen(body), l, md_write, md);
    EVP_DigestFinal_ex(md, bh, &bl);
    const char *from = "From: Joe <joe@example.com>", *subj = "Subject: test";
    const char *sig = sw_arena_printf(&t_arena,
                                      "DKIM-Signature: v=1; a=%s; c=relaxed/relaxed; d=example.com;"
                                      " s=%s; h=from:subject; %s%sbh=%s; b=",
                                      a, a[0] == 'e' ? "ed" : "rsa", extra, *extra ? "; " : "",
                                      b64(bh, bl));
    EVP_DigestInit_ex(md, mdt, NULL);
    sw_canon_header(SW_CANON_RELAXED, from, strlen(from), 1, md_write, md);
    sw_canon_header(SW_CANON_RELAXED, subj, strlen(subj), 1, md_write, md);
    sw_canon_header(SW_CANON_RELAXED, sig, strlen(sig), 0, md_write, md);
    EVP_DigestFinal_ex(md, hh, &hl);
    EVP_MD_CTX_free(md);
    unsigned char b[256];
    size_t blen = sizeof b;
    if (a[0] == 'e') {
        unsigned long long sl;
        crypto_sign_detached(b, &sl, hh, hl, sg->ed_sk);
        blen = (size_t)sl;
    } else {
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(sg->rsa, NULL);
        EVP_PKEY_sign_init(pc);
        EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING);
        EVP_PKEY_CTX_set_signature_md(pc, mdt);
        EVP_PKEY_sign(pc, b, &blen, hh, hl);
        EVP_PKEY_CTX_free(pc);
    }
    const char *hdrs = sw_arena_printf(&t_arena, "\r\n%s\r\n%s\r\n\r\n", from, subj);
    return cat(cat(sig, b64(b, blen), hdrs), body, "");
}

/* ed._domainkey.example.com and rsa._domainkey.example.com with extra key tags. */
static sw_resolver *keys(const char *ed_extra, const char *rsa_extra)
{
    signer *sg = signer_get();
    sw_resolver *r = sw_dns_fixture_new();
    sw_dns_fixture_add(r, "ed._domainkey.example.com", SW_DNS_TXT,
                       sw_arena_printf(&t_arena, "v=DKIM1; k=ed25519; %sp=%s", ed_extra,
                                       b64(sg->ed_pk, 32)));
    unsigned char der[1024], *p = der;
    int n = i2d_PUBKEY(sg->rsa, &p);
    sw_dns_fixture_add(r, "rsa._domainkey.example.com", SW_DNS_TXT,
                       sw_arena_printf(&t_arena, "v=DKIM1; k=rsa; %sp=%s", rsa_extra,
                                       b64(der, (size_t)n)));
    return r;
}

#define NOW 1700000000

static sw_dkim_result one(const char *msg, sw_resolver *r, const sw_dkim_opts *o,
                          sw_dkim_sigresult *out)
{
    sw_dkim_report rep;
    if (verify(msg, r, NOW, o, &rep) || rep.nsigs != 1)
        return SW_DKIM_NONE;
    *out = rep.sigs[0];
    return rep.result;
}

SW_TEST(dkim_signed_here_pass_and_flags)
{
    fresh_arena();
    sw_resolver *r = keys("", "");
    sw_dkim_sigresult s;
    CHECK(one(sign("ed25519-sha256", "", "hello\r\n", UINT64_MAX), r, NULL, &s) == SW_DKIM_PASS);
    CHECK(one(sign("rsa-sha256", "", "hello\r\n", UINT64_MAX), r, NULL, &s) == SW_DKIM_PASS);
    CHECK(s.key_bits == 1024 && s.flags == 0);
    /* rsa-sha1 verifies but RFC 8301 policy demotes it; without the policy it is a pass
     * that still says it is weak */
    CHECK(one(sign("rsa-sha1", "", "hello\r\n", UINT64_MAX), r, NULL, &s) == SW_DKIM_POLICY);
    CHECK((s.flags & SW_DKIM_F_WEAK_HASH) && strstr(s.reason, "rsa-sha1"));
    sw_dkim_opts o;
    sw_dkim_opts_default(&o);
    o.policy = 0;
    CHECK(one(sign("rsa-sha1", "", "hello\r\n", UINT64_MAX), r, &o, &s) == SW_DKIM_PASS);
    CHECK(s.flags & SW_DKIM_F_WEAK_HASH);
    /* l=: content appended beyond l= still verifies and is flagged */
    const char *m = sign("ed25519-sha256", "l=7", "hello\r\n", 7);
    m = cat(m, "appended by an attacker\r\n", "");
    CHECK(one(m, r, NULL, &s) == SW_DKIM_PASS && (s.flags & SW_DKIM_F_PARTIAL_BODY));
    CHECK(s.body_len > 7);
    o.policy = SW_DKIM_F_PARTIAL_BODY;
    CHECK(one(m, r, &o, &s) == SW_DKIM_POLICY);
    /* l= beyond the body */
    CHECK(one(sign("ed25519-sha256", "l=100", "hello\r\n", 100), r, NULL, &s) == SW_DKIM_FAIL);
    CHECK(strstr(s.reason, "l=100"));
    /* i= a subdomain of d= is fine, dkim-quoted-printable decoded */
    CHECK(one(sign("ed25519-sha256", "i=joe=40mail.example.com", "x\r\n", UINT64_MAX), r, NULL,
              &s) == SW_DKIM_PASS);
    CHECK_STR(s.auid, "joe@mail.example.com");
    sw_resolver_free(r);
}

SW_TEST(dkim_signed_here_rejections)
{
    fresh_arena();
    sw_resolver *r = keys("", "");
    sw_dkim_sigresult s;
    CHECK(one(sign("ed25519-sha256", "x=1600000000; t=1500000000", "x\r\n", UINT64_MAX), r, NULL,
              &s) == SW_DKIM_PERMERROR);
    CHECK(strstr(s.reason, "expired"));
    CHECK(one(sign("ed25519-sha256", "t=1800000000", "x\r\n", UINT64_MAX), r, NULL, &s) ==
          SW_DKIM_PERMERROR);
    CHECK(strstr(s.reason, "future"));
    CHECK(one(sign("ed25519-sha256", "t=1700000100", "x\r\n", UINT64_MAX), r, NULL, &s) ==
          SW_DKIM_PASS); /* within the skew */
    CHECK(one(sign("ed25519-sha256", "t=20; x=10", "x\r\n", UINT64_MAX), r, NULL, &s) ==
          SW_DKIM_NEUTRAL);
    CHECK(one(sign("ed25519-sha256", "i=joe@example.org", "x\r\n", UINT64_MAX), r, NULL, &s) ==
          SW_DKIM_PERMERROR);
    CHECK(strstr(s.reason, "i= domain"));
    CHECK(one(sign("ed25519-sha256", "i=joe@badexample.com", "x\r\n", UINT64_MAX), r, NULL,
              &s) == SW_DKIM_PERMERROR);
    /* v= is required outside legacy mode */
    const char *m = sign("ed25519-sha256", "", "x\r\n", UINT64_MAX);
    char *nov = cat(m, "", "");
    memcpy(strstr(nov, "v=1;"), "z=1;", 4);
    CHECK(one(nov, r, NULL, &s) == SW_DKIM_NEUTRAL && strstr(s.reason, "v="));
    /* From must be signed (RFC 6376 §5.4) */
    char *nofrom = cat(m, "", "");
    memcpy(strstr(nofrom, "h=from:"), "h=date:", 7);
    CHECK(one(nofrom, r, NULL, &s) == SW_DKIM_PERMERROR && strstr(s.reason, "From"));
    /* the key says the other algorithm */
    char *swapped = cat(m, "", "");
    memcpy(strstr(swapped, "s=ed;"), "s=rs", 4);
    /* "s=rs" names no key: NXDOMAIN */
    CHECK(one(swapped, r, NULL, &s) == SW_DKIM_PERMERROR && strstr(s.reason, "NXDOMAIN"));
    sw_resolver_free(r);
    fresh_arena();

    /* key-side rules */
    r = keys("t=s; ", "h=sha1; ");
    CHECK(one(sign("ed25519-sha256", "i=@mail.example.com", "x\r\n", UINT64_MAX), r, NULL, &s) ==
          SW_DKIM_PERMERROR);
    CHECK(strstr(s.reason, "t=s"));
    CHECK(one(sign("ed25519-sha256", "i=joe@example.com", "x\r\n", UINT64_MAX), r, NULL, &s) ==
          SW_DKIM_PASS);
    CHECK(one(sign("rsa-sha256", "", "x\r\n", UINT64_MAX), r, NULL, &s) == SW_DKIM_PERMERROR);
    CHECK(strstr(s.reason, "h="));
    sw_resolver_free(r);

    r = sw_dns_fixture_new();
    sw_dns_fixture_add(r, "ed._domainkey.example.com", SW_DNS_TXT, "v=DKIM1; k=ed25519; p=");
    sw_dns_fixture_fail(r, "rsa._domainkey.example.com", 0, SW_DNS_TEMPFAIL);
    CHECK(one(sign("ed25519-sha256", "", "x\r\n", UINT64_MAX), r, NULL, &s) == SW_DKIM_PERMERROR);
    CHECK(strstr(s.reason, "revoked"));
    CHECK(one(sign("rsa-sha256", "", "x\r\n", UINT64_MAX), r, NULL, &s) == SW_DKIM_TEMPERROR);
    CHECK(r->nqueries >= 1 && r->log != NULL);
    sw_resolver_free(r);

    /* RSA p= that is not an RSA SubjectPublicKeyInfo: an Ed25519 SPKI, a truncated key,
     * trailing bytes after the key */
    signer *sg = signer_get();
    unsigned char der[1024], *dp = der;
    int dn = i2d_PUBKEY(sg->rsa, &dp);
    const char *bad[] = {"MCowBQYDK2VwAyEA3SUqa9UbfciWkk7tlcJ9P1VD5pXAasg0JUn/OgjVbKE=",
                         b64(der, (size_t)dn - 1), NULL};
    der[dn] = 0;
    bad[2] = b64(der, (size_t)dn + 1);
    for (size_t i = 0; i < 3; i++) {
        r = sw_dns_fixture_new();
        sw_dns_fixture_add(r, "rsa._domainkey.example.com", SW_DNS_TXT,
                           sw_arena_printf(&t_arena, "k=rsa; p=%s", bad[i]));
        sw_dkim_result res = one(sign("rsa-sha256", "", "x\r\n", UINT64_MAX), r, NULL, &s);
        sw_resolver_free(r);
        CHECK(res == SW_DKIM_PERMERROR && strstr(s.reason, "SubjectPublicKeyInfo"));
    }

    /* an RSA key where the signature says ed25519 */
    r = sw_dns_fixture_new();
    const char *m2 = sign("ed25519-sha256", "", "x\r\n", UINT64_MAX);
    sw_resolver *k2 = keys("", "");
    sw_dns_answer ans;
    sw_dns_query(k2, &t_arena, "rsa._domainkey.example.com", SW_DNS_TXT, &ans);
    sw_dns_fixture_add(r, "ed._domainkey.example.com", SW_DNS_TXT, ans.rrs[0].text);
    CHECK(one(m2, r, NULL, &s) == SW_DKIM_PERMERROR && strstr(s.reason, "does not match"));
    sw_resolver_free(k2);
    sw_resolver_free(r);
}

SW_TEST(dkim_none_and_cap)
{
    fresh_arena();
    sw_resolver *r = keys("", "");
    sw_dkim_report rep;
    CHECK(verify("From: a@b.example\r\n\r\nbody\r\n", r, NOW, NULL, &rep) == 0);
    CHECK(rep.result == SW_DKIM_NONE && rep.nsigs == 0 && rep.best == -1);
    /* more signatures than the cap: the rest are counted, not verified */
    const char *m = sign("ed25519-sha256", "", "x\r\n", UINT64_MAX);
    const char *sigline = "DKIM-Signature: v=1; a=rsa-md5; d=example.com; s=x; h=from; bh=; b=\r\n";
    size_t sl = strlen(sigline), ml = strlen(m);
    char *big = sw_arena_alloc(&t_arena, 40 * sl + ml + 1);
    for (int k = 0; k < 40; k++)
        memcpy(big + k * sl, sigline, sl);
    memcpy(big + 40 * sl, m, ml + 1);
    CHECK(verify(big, r, NOW, NULL, &rep) == 0);
    CHECK(rep.nsigs == SW_MAX_DKIM_SIGS && rep.skipped == 41 - SW_MAX_DKIM_SIGS);
    CHECK(rep.result == SW_DKIM_NEUTRAL);
    sw_resolver_free(r);
}

/* Keys kept across messages: reused while the record is the same, never once it changed. */
SW_TEST(dkim_keycache_reuses_and_follows_the_record)
{
    fresh_arena();
    sw_dkim_opts o;
    sw_dkim_opts_default(&o);
    o.keys = sw_dkim_keycache_new();
    CHECK(o.keys);
    sw_resolver *r = keys("", "");
    sw_dkim_sigresult s;
    const char *m_rsa = sign("rsa-sha256", "", "hello\r\n", UINT64_MAX);
    const char *m_ed = sign("ed25519-sha256", "", "hello\r\n", UINT64_MAX);
    for (int round = 0; round < 3; round++) {
        CHECK(one(m_rsa, r, &o, &s) == SW_DKIM_PASS);
        CHECK(s.key_bits == 1024);
        CHECK(one(m_ed, r, &o, &s) == SW_DKIM_PASS);
    }
    sw_resolver_free(r);
    /* the same names now publish other keys: the cached ones must not be used */
    sw_resolver *other = sw_dns_fixture_new();
    sw_dns_fixture_add(other, "ed._domainkey.example.com", SW_DNS_TXT,
                       "v=DKIM1; k=ed25519; p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    CHECK(one(m_ed, other, &o, &s) == SW_DKIM_FAIL);
    sw_resolver_free(other);
    sw_dkim_keycache_free(o.keys);
}

/* A name with two key records: the first one is used whether or not an earlier message
 * left the second in the cache (the cache must not make the answer depend on history). */
SW_TEST(dkim_keycache_keeps_the_first_of_several_records)
{
    fresh_arena();
    const char *other = "v=DKIM1; k=ed25519; p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    sw_resolver *k = keys("", "");
    sw_dns_answer ans;
    CHECK(sw_dns_query(k, &t_arena, "ed._domainkey.example.com", SW_DNS_TXT, &ans) == 0);
    CHECK(ans.status == SW_DNS_OK && ans.n == 1);
    const char *real = ans.rrs[0].text;
    const char *m_ed = sign("ed25519-sha256", "", "hello\r\n", UINT64_MAX);
    /* the second record alone: it parses, fails the signature, and is cached */
    sw_resolver *only_other = sw_dns_fixture_new();
    sw_dns_fixture_add(only_other, "ed._domainkey.example.com", SW_DNS_TXT, other);
    /* both records, the signer's first */
    sw_resolver *both = sw_dns_fixture_new();
    sw_dns_fixture_add(both, "ed._domainkey.example.com", SW_DNS_TXT, real);
    sw_dns_fixture_add(both, "ed._domainkey.example.com", SW_DNS_TXT, other);
    CHECK(sw_dns_query(both, &t_arena, "ed._domainkey.example.com", SW_DNS_TXT, &ans) == 0);
    CHECK(ans.n == 2 && !strcmp(ans.rrs[0].text, real));
    sw_dkim_sigresult s;
    CHECK(one(m_ed, both, NULL, &s) == SW_DKIM_PASS); /* no cache: the first record */
    sw_dkim_opts o;
    sw_dkim_opts_default(&o);
    o.keys = sw_dkim_keycache_new();
    CHECK(o.keys);
    CHECK(one(m_ed, only_other, &o, &s) == SW_DKIM_FAIL);
    CHECK(one(m_ed, both, &o, &s) == SW_DKIM_PASS);
    CHECK(s.key_record && !strcmp(s.key_record, real));
    CHECK(one(m_ed, both, &o, &s) == SW_DKIM_PASS); /* now both records are cached */
    sw_dkim_keycache_free(o.keys);
    sw_resolver_free(both);
    sw_resolver_free(only_other);
    sw_resolver_free(k);
}

/* A cached key's bytes must stay valid for the whole message even when the cache fills
 * up during it: the three-signature message below has its first and third signatures on
 * the same cached Ed25519 key and its second on a new RSA record. Each round adds three
 * records (the Ed25519 one, that RSA one, one more RSA one from a message of its own), so
 * a cache that started over when its 4096th record came in would do so at the second
 * signature and leave the third with freed key bytes. */
SW_TEST(dkim_keycache_full_inside_one_message)
{
    sw_dkim_opts o;
    sw_dkim_opts_default(&o);
    o.keys = sw_dkim_keycache_new();
    CHECK(o.keys);
    int bad = 0;
    for (int i = 0; i < 1400 && !bad; i++) { /* 1400 * 3 > 4096 */
        fresh_arena();
        sw_resolver *r = keys(sw_arena_printf(&t_arena, "n=%d; ", i),
                              sw_arena_printf(&t_arena, "n=%d; ", i));
        sw_resolver *r2 = keys("", sw_arena_printf(&t_arena, "m=%d; ", i));
        const char *m_ed = sign("ed25519-sha256", "", "hello\r\n", UINT64_MAX);
        const char *m_rsa = sign("rsa-sha256", "", "hello\r\n", UINT64_MAX);
        size_t el = (size_t)(strstr(m_ed, "\r\n") + 2 - m_ed);
        size_t rl = (size_t)(strstr(m_rsa, "\r\n") + 2 - m_rsa);
        char *m = sw_arena_alloc(&t_arena, el + rl + strlen(m_ed) + 1);
        memcpy(m, m_ed, el);
        memcpy(m + el, m_rsa, rl);
        strcpy(m + el + rl, m_ed);
        sw_dkim_sigresult s;
        sw_dkim_report rep;
        bad = one(m_ed, r, &o, &s) != SW_DKIM_PASS; /* caches the Ed25519 record */
        if (!bad && (verify(m, r, NOW, &o, &rep) || rep.nsigs != 3))
            bad = 2;
        for (size_t k = 0; !bad && k < rep.nsigs; k++)
            bad = rep.sigs[k].result != SW_DKIM_PASS ? 3 : 0;
        if (!bad)
            bad = one(m_rsa, r2, &o, &s) != SW_DKIM_PASS ? 4 : 0;
        if (bad)
            fprintf(stderr, "round %d: check %d failed\n", i, bad);
        sw_resolver_free(r);
        sw_resolver_free(r2);
    }
    CHECK(!bad);
    sw_dkim_keycache_free(o.keys);
}
