/* Unit tests: ARC chain validation and sealing (src/auth/arc.c).
 *
 * Each test makes its own RSA keys with OpenSSL, publishes them in a fixture zone and
 * seals messages hop by hop with sw_arc_seal, so every chain here is real and checked by
 * sw_arc_verify; tampering tests change bytes of a sealed message. Nothing reaches the
 * network (fixture resolver: absent names are NXDOMAIN). */
#include "test.h"
#include "spoofwatch/arc.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/record.h"
#include "spoofwatch/verify.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1735689600

typedef struct keypair {
    char pem[4096];
    size_t pem_len;
} keypair;

/* A fresh RSA key; its public half goes into r as <sel>._domainkey.<dom>. */
static int make_key(sw_resolver *r, const char *sel, const char *dom, unsigned bits, keypair *k)
{
    EVP_PKEY *pk = EVP_RSA_gen(bits);
    if (!pk)
        return -1;
    BIO *b = BIO_new(BIO_s_mem());
    int ok = b && PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL) == 1;
    char *p = NULL;
    long n = ok ? BIO_get_mem_data(b, &p) : 0;
    ok = ok && n > 0 && (size_t)n < sizeof k->pem;
    if (ok) {
        memcpy(k->pem, p, (size_t)n);
        k->pem_len = (size_t)n;
    }
    BIO_free(b);
    unsigned char *der = NULL;
    int dl = ok ? i2d_PUBKEY(pk, &der) : -1;
    EVP_PKEY_free(pk);
    if (dl <= 0)
        return -1;
    char *txt = malloc(4 * ((size_t)dl + 2) / 3 + 64);
    int hl = sprintf(txt, "v=DKIM1; k=rsa; p=");
    EVP_EncodeBlock((unsigned char *)txt + hl, der, dl);
    OPENSSL_free(der);
    char name[256];
    snprintf(name, sizeof name, "%s._domainkey.%s", sel, dom);
    int rc = sw_dns_fixture_add(r, name, SW_DNS_TXT, txt);
    free(txt);
    return rc;
}

static const char base_msg[] =
    "Authentication-Results: mx.hop.example; spf=pass smtp.mailfrom=a.example;\n"
    "  dkim=pass header.d=a.example; dmarc=pass header.from=a.example\n"
    "Authentication-Results: other.example; spf=fail\n"
    "From: Alice <alice@a.example>\n"
    "To: bob@b.example\n"
    "Subject: hello\n"
    "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
    "\n"
    "Hi Bob,\n"
    "this is  the body.\n";

/* Seals msg (malloc'd text) as one hop and returns the new message, or NULL. */
static char *hop_h(sw_resolver *r, const char *msg, const keypair *k, const char *dom,
                   const char *srv, int64_t t, const char *hlist, sw_arc_sealed *out_copy)
{
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_header_block hb;
    sw_error e;
    sw_error_clear(&e);
    char *res = NULL;
    sw_arc_seal_params p = {dom, "s1", k->pem, k->pem_len, srv, hlist, t};
    sw_arc_sealed out;
    if (sw_header_scan(&a, msg, strlen(msg), &hb, &e) == 0 &&
        sw_arc_seal(&a, msg, strlen(msg), &hb, r, NOW, &p, &out) == 0) {
        if (out_copy) {
            memset(out_copy, 0, sizeof *out_copy);
            out_copy->sealed = out.sealed;
            out_copy->instance = out.instance;
            out_copy->cv = out.cv;
        }
        if (out.sealed) {
            size_t n = strlen(out.as) + strlen(out.ams) + strlen(out.aar) + strlen(msg) + 100;
            res = malloc(n);
            snprintf(res, n,
                     "ARC-Seal: %s\nARC-Message-Signature: %s\nARC-Authentication-Results: "
                     "%s\n%s",
                     out.as, out.ams, out.aar, msg);
        }
    }
    sw_arena_free(&a);
    return res;
}

static char *hop(sw_resolver *r, const char *msg, const keypair *k, const char *dom,
                 const char *srv, int64_t t, sw_arc_sealed *out_copy)
{
    return hop_h(r, msg, k, dom, srv, t, "from:to:subject:date", out_copy);
}

typedef struct checked {
    sw_arc_result result;
    sw_arc_step step;
    int fail_instance, count, oldest_pass, temperror;
    char sealer[64];
    char reason[512];
    char evidence[2048];
    int trusted;
} checked;

static void check_msg(sw_resolver *r, const char *msg, checked *c)
{
    memset(c, 0, sizeof *c);
    c->result = (sw_arc_result)-1;
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_header_block hb;
    sw_error e;
    sw_error_clear(&e);
    sw_arc_report rep;
    if (sw_header_scan(&a, msg, strlen(msg), &hb, &e) == 0 &&
        sw_arc_verify(&a, msg, strlen(msg), &hb, r, NOW, NULL, &rep) == 0) {
        c->result = rep.result;
        c->step = rep.step;
        c->fail_instance = rep.fail_instance;
        c->count = rep.count;
        c->oldest_pass = rep.oldest_pass;
        c->temperror = rep.temperror;
        if (rep.nsets && rep.sets[rep.nsets - 1].seal_d)
            snprintf(c->sealer, sizeof c->sealer, "%s", rep.sets[rep.nsets - 1].seal_d);
        snprintf(c->reason, sizeof c->reason, "%s", rep.reason ? rep.reason : "");
        const char *ev = sw_arc_evidence(&a, &rep);
        snprintf(c->evidence, sizeof c->evidence, "%s", ev ? ev : "");
        const char *trust[] = {"other.example", ".Fwd.Example"};
        c->trusted = sw_arc_sealer_trusted(&rep, trust, 2);
    }
    sw_arena_free(&a);
}

/* Replaces the first `from` in s by `to` (same or other length); a new malloc'd copy. */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    if (!p)
        return NULL;
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *o = malloc(n);
    snprintf(o, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
    return o;
}

SW_TEST(arc_none_without_headers)
{
    sw_resolver *r = sw_dns_fixture_new();
    checked c;
    check_msg(r, base_msg, &c);
    CHECK(c.result == SW_ARC_NONE && c.count == 0);
    sw_resolver_free(r);
}

SW_TEST(arc_two_hops_pass_and_sealers)
{
    sw_resolver *r = sw_dns_fixture_new();
    keypair k1, k2;
    CHECK(make_key(r, "s1", "list.example", 1024, &k1) == 0);
    CHECK(make_key(r, "s1", "mx.fwd.example", 2048, &k2) == 0);
    sw_arc_sealed s;
    char *m1 = hop(r, base_msg, &k1, "list.example", "mx.hop.example", 1000, &s);
    CHECK(m1 && s.instance == 1 && s.cv == SW_ARC_NONE);
    /* the AAR consolidates only the sealer's own Authentication-Results */
    CHECK(strstr(m1, "ARC-Authentication-Results: i=1; mx.hop.example; spf=pass "
                     "smtp.mailfrom=a.example; dkim=pass header.d=a.example; dmarc=pass "
                     "header.from=a.example\n"));
    CHECK(!strstr(m1, "spf=fail\nFrom") || strstr(m1, "other.example; spf=fail"));
    checked c;
    check_msg(r, m1, &c);
    CHECK(c.result == SW_ARC_PASS && c.count == 1 && c.oldest_pass == 0);
    CHECK_STR(c.sealer, "list.example");
    CHECK(!c.trusted);
    char *m2 = hop(r, m1, &k2, "mx.fwd.example", "mx.fwd.example", 2000, &s);
    CHECK(m2 && s.instance == 2 && s.cv == SW_ARC_PASS);
    CHECK(strstr(m2, "ARC-Authentication-Results: i=2; mx.fwd.example; none\n"));
    check_msg(r, m2, &c);
    CHECK(c.result == SW_ARC_PASS && c.count == 2 && c.oldest_pass == 0);
    CHECK_STR(c.sealer, "mx.fwd.example");
    CHECK(c.trusted); /* ".Fwd.Example" covers the subdomain, case-insensitively */
    CHECK(strstr(c.evidence, "i=1 sealer=list.example") &&
          strstr(c.evidence, "i=2 sealer=mx.fwd.example"));
    free(m1);
    free(m2);
    sw_resolver_free(r);
}

SW_TEST(arc_tampering_is_located)
{
    sw_resolver *r = sw_dns_fixture_new();
    keypair k;
    CHECK(make_key(r, "s1", "list.example", 1024, &k) == 0);
    char *m1 = hop(r, base_msg, &k, "list.example", "mx.hop.example", 1000, NULL);
    char *m2 = hop(r, m1, &k, "list.example", "list.example", 2000, NULL);
    CHECK(m1 && m2);
    checked c;
    /* a body change breaks the newest AMS */
    char *t = replace(m2, "this is  the body.", "this is a new body.");
    check_msg(r, t, &c);
    CHECK(c.result == SW_ARC_FAIL && c.step == SW_ARC_STEP_AMS && c.fail_instance == 2);
    CHECK(strstr(c.reason, "body hash"));
    free(t);
    /* an edited AAR 1 breaks seal 2, which covers every set */
    t = replace(m2, "i=1; mx.hop.example; spf=pass", "i=1; mx.hop.example; spf=none");
    check_msg(r, t, &c);
    CHECK(c.result == SW_ARC_FAIL && c.step == SW_ARC_STEP_SEAL && c.fail_instance == 2);
    free(t);
    /* a header the newest AMS does not sign changed after hop 2 (a list tagging the
     * subject after sealing): the chain passes, oldest-pass says where AMS coverage
     * ends */
    char *m3 = hop_h(r, m1, &k, "list.example", "list.example", 3000, "from:to:date", NULL);
    t = replace(m3, "Subject: hello", "Subject: [list] hello");
    check_msg(r, t, &c);
    CHECK(c.result == SW_ARC_PASS && c.count == 2 && c.oldest_pass == 2);
    free(t);
    free(m3);
    free(m1);
    free(m2);
    sw_resolver_free(r);
}

SW_TEST(arc_structure_and_cv)
{
    sw_resolver *r = sw_dns_fixture_new();
    keypair k;
    CHECK(make_key(r, "s1", "list.example", 1024, &k) == 0);
    char *m1 = hop(r, base_msg, &k, "list.example", "mx.hop.example", 1000, NULL);
    CHECK(m1);
    checked c;
    /* i=1 renumbered to 2 in all three headers: a gap */
    char *t1 = replace(m1, "i=1;", "i=2;");
    char *t2 = replace(t1, "i=1;", "i=2;");
    char *t3 = replace(t2, "i=1;", "i=2;");
    check_msg(r, t3, &c);
    CHECK(c.result == SW_ARC_FAIL && c.step == SW_ARC_STEP_STRUCTURE);
    free(t1);
    free(t2);
    free(t3);
    /* i=51 is outside 1..50 */
    t1 = replace(m1, "ARC-Seal: a=rsa-sha256; b=", "ARC-Seal: i=51; a=rsa-sha256; b=");
    check_msg(r, t1, &c);
    CHECK(c.result == SW_ARC_FAIL && c.step == SW_ARC_STEP_STRUCTURE);
    free(t1);
    /* a second ARC-Seal for i=1 */
    size_t n = strlen(m1) + 200;
    char *dup = malloc(n);
    snprintf(dup, n, "ARC-Seal: a=rsa-sha256; b=AAAA; cv=none; d=x.example; i=1; s=s1\n%s", m1);
    check_msg(r, dup, &c);
    CHECK(c.result == SW_ARC_FAIL && c.step == SW_ARC_STEP_STRUCTURE);
    free(dup);
    /* cv=pass at i=1 */
    t1 = replace(m1, "cv=none", "cv=pass");
    check_msg(r, t1, &c);
    CHECK(c.result == SW_ARC_FAIL && c.step == SW_ARC_STEP_CV && c.fail_instance == 1);
    free(t1);
    /* an AS carrying h= is invalid even if everything else holds */
    t1 = replace(m1, "cv=none;", "cv=none; h=from;");
    check_msg(r, t1, &c);
    CHECK(c.result == SW_ARC_FAIL && c.step == SW_ARC_STEP_SEAL && strstr(c.reason, "h="));
    free(t1);
    /* an AMS signing ARC-Seal is invalid */
    t1 = replace(m1, "h=from:to:subject:date;", "h=from:to:subject:date:arc-seal;");
    check_msg(r, t1, &c);
    CHECK(c.result == SW_ARC_FAIL && c.step == SW_ARC_STEP_AMS && strstr(c.reason, "ARC-Seal"));
    free(t1);
    /* rsa-sha1 is not an ARC algorithm */
    t1 = replace(m1, "ARC-Message-Signature: a=rsa-sha256", "ARC-Message-Signature: a=rsa-sha1");
    check_msg(r, t1, &c);
    CHECK(c.result == SW_ARC_FAIL && c.step == SW_ARC_STEP_AMS && strstr(c.reason, "rsa-sha1"));
    free(t1);
    free(m1);
    sw_resolver_free(r);
}

SW_TEST(arc_failed_chain_sealed_once)
{
    sw_resolver *r = sw_dns_fixture_new();
    keypair k;
    CHECK(make_key(r, "s1", "list.example", 1024, &k) == 0);
    char *m1 = hop(r, base_msg, &k, "list.example", "mx.hop.example", 1000, NULL);
    char *t = replace(m1, "this is  the body.", "changed.");
    sw_arc_sealed s;
    char *m2 = hop(r, t, &k, "list.example", "list.example", 2000, &s);
    CHECK(m2 && s.instance == 2 && s.cv == SW_ARC_FAIL);
    CHECK(strstr(m2, "cv=fail"));
    checked c;
    check_msg(r, m2, &c);
    CHECK(c.result == SW_ARC_FAIL && c.step == SW_ARC_STEP_CV_FAIL && c.fail_instance == 2);
    /* nobody seals on top of cv=fail */
    char *m3 = hop(r, m2, &k, "list.example", "list.example", 3000, &s);
    CHECK(!m3 && !s.sealed);
    free(t);
    free(m1);
    free(m2);
    sw_resolver_free(r);
}

SW_TEST(arc_keys_and_dns)
{
    sw_resolver *r = sw_dns_fixture_new();
    keypair k, weak;
    CHECK(make_key(r, "s1", "list.example", 1024, &k) == 0);
    CHECK(make_key(r, "s1", "weak.example", 512, &weak) == 0);
    char *m1 = hop(r, base_msg, &weak, "weak.example", "mx.hop.example", 1000, NULL);
    CHECK(m1);
    checked c;
    check_msg(r, m1, &c);
    CHECK(c.result == SW_ARC_FAIL && strstr(c.reason, "512 bits"));
    free(m1);
    /* the key of a sealer that vanished, and one whose DNS times out */
    m1 = hop(r, base_msg, &k, "list.example", "mx.hop.example", 1000, NULL);
    char *t = replace(m1, "d=list.example; i=1; s=s1", "d=gone.example; i=1; s=s1");
    check_msg(r, t, &c);
    CHECK(c.result == SW_ARC_FAIL && strstr(c.reason, "NXDOMAIN") && !c.temperror);
    free(t);
    CHECK(sw_dns_fixture_fail(r, "s1._domainkey.list.example", 0, SW_DNS_TEMPFAIL) == 0);
    check_msg(r, m1, &c);
    CHECK(c.result == SW_ARC_FAIL && c.temperror);
    free(m1);
    sw_resolver_free(r);
}

/* An RSA public key with a modulus of `bits` bits (2^(bits-1) + 1, not a real key: only its
 * size matters) published as <sel>._domainkey.<dom>. */
static int publish_big_modulus(sw_resolver *r, const char *sel, const char *dom, int bits)
{
    BIGNUM *n = BN_new(), *e = BN_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *par = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pk = NULL;
    int ok = n && e && bld && pc && BN_set_bit(n, bits - 1) && BN_set_bit(n, 0) &&
             BN_set_word(e, 65537) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
             (par = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(pc) > 0 &&
             EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_PUBLIC_KEY, par) > 0;
    unsigned char *der = NULL;
    int dl = ok ? i2d_PUBKEY(pk, &der) : -1;
    OSSL_PARAM_free(par);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(pk);
    BN_free(n);
    BN_free(e);
    if (dl <= 0)
        return -1;
    char *txt = malloc(4 * ((size_t)dl + 2) / 3 + 64);
    int hl = sprintf(txt, "v=DKIM1; k=rsa; p=");
    EVP_EncodeBlock((unsigned char *)txt + hl, der, dl);
    OPENSSL_free(der);
    char name[256];
    snprintf(name, sizeof name, "%s._domainkey.%s", sel, dom);
    int rc = sw_dns_fixture_add(r, name, SW_DNS_TXT, txt);
    free(txt);
    return rc;
}

/* Keys over SW_MAX_DKIM_RSA_BITS are refused before any RSA work, as in DKIM. */
SW_TEST(arc_oversized_key_refused)
{
    sw_resolver *r = sw_dns_fixture_new();
    keypair k;
    CHECK(make_key(r, "s1", "list.example", 1024, &k) == 0);
    CHECK(publish_big_modulus(r, "s1", "big.example", SW_MAX_DKIM_RSA_BITS + 8) == 0);
    char *m1 = hop(r, base_msg, &k, "list.example", "mx.hop.example", 1000, NULL);
    CHECK(m1);
    char *t = replace(m1, "d=list.example; i=1; s=s1", "d=big.example; i=1; s=s1");
    checked c;
    check_msg(r, t, &c);
    CHECK(c.result == SW_ARC_FAIL && strstr(c.reason, "limit"));
    free(t);
    free(m1);
    sw_resolver_free(r);
}

SW_TEST(arc_many_body_lengths_are_not_an_error)
{
    /* ten sets whose older AMS carry nine different l= values: more body hashes than the
     * cache keeps (SW_MAX_ARC_BODY_HASHES) must still be computed, not reported as OOM */
    sw_resolver *r = sw_dns_fixture_new();
    keypair k;
    CHECK(make_key(r, "s1", "list.example", 1024, &k) == 0);
    char *m = strdup(base_msg);
    for (int i = 1; i <= 10 && m; i++) {
        char *n = hop(r, m, &k, "list.example", "list.example", 1000 * i, NULL);
        free(m);
        m = n;
    }
    CHECK(m);
    for (int i = 1; i <= 9; i++) {
        char from[64], to[64];
        snprintf(from, sizeof from, "h=from:to:subject:date; i=%d;", i);
        snprintf(to, sizeof to, "h=from:to:subject:date; i=%d; l=%d;", i, i);
        char *n = replace(m, from, to);
        CHECK(n);
        free(m);
        m = n;
    }
    checked c;
    check_msg(r, m, &c);
    CHECK(c.result == SW_ARC_FAIL && c.count == 10 && c.oldest_pass == 10);
    CHECK(c.step == SW_ARC_STEP_SEAL && c.fail_instance == 10);
    free(m);
    sw_resolver_free(r);
}

/* base_msg sealed once by list.example, whose key s1 goes into r; NULL on failure. */
static char *sealed_once(sw_resolver *r, keypair *k)
{
    if (make_key(r, "s1", "list.example", 1024, k))
        return NULL;
    return hop(r, base_msg, k, "list.example", "mx.hop.example", 1000, NULL);
}

/* sw_arc_verify of msg with options ao, its header block in a; 0, or -1 when the header
 * scan or the call failed. */
static int verify_with(sw_arena *a, sw_resolver *r, const char *msg, const sw_arc_opts *ao,
                       sw_arc_report *rep)
{
    sw_header_block hb;
    sw_error e;
    sw_error_clear(&e);
    if (sw_header_scan(a, msg, strlen(msg), &hb, &e))
        return -1;
    return sw_arc_verify(a, msg, strlen(msg), &hb, r, NOW, ao, rep) ? -1 : 0;
}

/* m with a DKIM-Signature (d=list.example s=s1, relaxed/sha256 like the AMS) on top whose
 * bh= is the AMS's (the same relaxed body) and whose b= cannot verify: DKIM still hashes
 * the body before it checks b=. malloc'd. */
static char *with_dkim(const char *m)
{
    const char *bh = strstr(m, "; bh=");
    if (!bh)
        return NULL;
    bh += 5;
    size_t bl = strcspn(bh, ";");
    size_t n = strlen(m) + bl + 200;
    char *o = malloc(n);
    snprintf(o, n,
             "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=list.example; s=s1;\n"
             " h=from:to; bh=%.*s; b=AAAA\n%s",
             (int)bl, bh, m);
    return o;
}

/* sw_verify_message hands DKIM and ARC one body-hash set and the key cache: a relaxed
 * sha256 DKIM signature and a relaxed AMS hash the body once, and ARC's key is parsed into
 * the cache, where the next message finds it (the record is still queried for the
 * evidence). */
SW_TEST(arc_shares_body_hashes_and_keys_with_dkim)
{
    sw_resolver *r = sw_dns_fixture_new();
    keypair k;
    char *m1 = sealed_once(r, &k);
    CHECK(m1);
    char *m = with_dkim(m1);
    CHECK(m);
    sw_verify_opts o;
    sw_verify_opts_default(&o);
    o.dns = r;
    o.now = NOW;
    o.dkim.keys = sw_dkim_keycache_new();
    CHECK(o.dkim.keys);
    sw_source src = {.path = "t.eml", .format = "eml", .index = -1};
    size_t queries[2] = {0, 0};
    for (int round = 0; round < 2; round++) {
        sw_arena a;
        sw_arena_init(&a, 1 << 20);
        sw_record rec;
        sw_verification v;
        CHECK(sw_record_from_mail(&a, m, strlen(m), &src, &rec, NULL) == 0);
        CHECK(sw_verify_message(&o, &a, m, strlen(m), &rec, -1, &v) == 0);
        CHECK(v.dkim.nsigs == 1 && v.dkim.sigs[0].result == SW_DKIM_FAIL);
        CHECK(strstr(v.dkim.sigs[0].reason, "RSA verification failed")); /* past bh= */
        CHECK(v.arc.result == SW_ARC_PASS && v.arc.nsets == 1);
        CHECK_STR(v.dkim.sigs[0].bh_computed, v.arc.sets[0].ams_bh_computed);
        CHECK(v.dkim.body_hashes == 1 && v.arc.body_hashes == 0);
        CHECK(v.body_hashes == 1); /* 2 when ARC hashed the body again */
        CHECK(sw_dkim_keycache_count(o.dkim.keys) == 1);
        queries[round] = v.dns_queries;
        sw_arena_free(&a);
    }
    CHECK(queries[0] == queries[1] && queries[0] >= 1);
    sw_dkim_keycache_free(o.dkim.keys);

    /* ARC alone: its key goes into the cache (without sharing: 0), and a second message
     * finds it there instead of adding another entry */
    sw_dkim_keycache *kc = sw_dkim_keycache_new();
    sw_arc_opts ao;
    sw_arc_opts_default(&ao);
    ao.keys = kc;
    for (int round = 0; round < 2; round++) {
        sw_arena a;
        sw_arena_init(&a, 1 << 20);
        sw_arc_report rep;
        CHECK(verify_with(&a, r, m1, &ao, &rep) == 0 && rep.result == SW_ARC_PASS);
        CHECK(sw_dkim_keycache_count(kc) == 1);
        sw_arena_free(&a);
    }
    sw_dkim_keycache_free(kc);

    /* a shared set is bound to its body: another body (here a tampered one) is hashed
     * anew, not answered from the first message's entries */
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_dkim_bodyhashes *bh = sw_dkim_bodyhashes_new(&a);
    CHECK(bh);
    ao.keys = NULL;
    ao.bodyhashes = bh;
    char *t = replace(m1, "this is  the body.", "this is  the b0dy.");
    const char *msgs[2] = {m1, t};
    for (int i = 0; i < 2; i++) {
        sw_arc_report rep;
        CHECK(verify_with(&a, r, msgs[i], &ao, &rep) == 0);
        CHECK(rep.result == (i ? SW_ARC_FAIL : SW_ARC_PASS));
        CHECK(!i || (rep.step == SW_ARC_STEP_AMS && strstr(rep.reason, "body hash did not")));
        CHECK(rep.body_hashes == 1);
        CHECK(sw_dkim_bodyhashes_computed(bh) == (size_t)i + 1);
    }
    CHECK(sw_dkim_bodyhashes_computed(bh) == 2);
    sw_arena_free(&a);
    free(t);
    free(m);
    free(m1);
    sw_resolver_free(r);
}
