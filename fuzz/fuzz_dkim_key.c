/* libFuzzer target for DKIM key records (src/auth/dkimkey.c) and the base64 decoder.
 *
 * Each input is parsed as a key record and decoded as base64, each time in a fresh arena
 * freed before returning. Besides memory errors (ASan/UBSan) it checks the parser's
 * promises: a failure always names a reason, a parsed key is revoked or has key bytes,
 * an Ed25519 key is exactly 32 bytes, and decoded base64 is at most 3/4 of the input and
 * exactly what the byte-at-a-time reference decoder of tests/reference gives. A broken
 * promise aborts so that the fuzzer records the input. The input is also handed, as p=,
 * to OpenSSL's SPKI parser the way dkim.c does, and the key is freed. Finally the input is verified as a
 * whole message against the RFC 8463 keys and the project's own test key of
 * tests/fixtures/verify (fixture DNS; the seed msg-signed-ed25519 is that message), which
 * drives signature tags, canonicalization and both crypto paths on hostile bytes: every
 * signature must get a result word and a reason. */
#include "dkim_ref.h"
#include "spoofwatch/arena.h"
#include "spoofwatch/dkim.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/error.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SW_FUZZ_ARENA (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_FUZZ_ARENA);
    sw_dkim_key k;
    const char *why = NULL;
    int rc = sw_dkim_key_parse(&a, (const char *)data, size, &k, &why);
    if (rc == SW_OK) {
        if (!k.revoked && (!k.p || !k.p_len))
            abort();
        if (k.ktype == SW_DKIM_K_ED25519 && !k.revoked && k.p_len != 32)
            abort();
        volatile unsigned sum = 0;
        for (size_t i = 0; i < k.p_len; i++)
            sum += k.p[i];
        if (k.g)
            sum += (unsigned)strlen(k.g);
        (void)sum;
        if (!k.revoked && k.ktype == SW_DKIM_K_RSA) {
            const unsigned char *pp = k.p;
            EVP_PKEY *pk = d2i_PUBKEY(NULL, &pp, (long)k.p_len);
            if (pk && EVP_PKEY_base_id(pk) == EVP_PKEY_RSA && EVP_PKEY_get_bits(pk) <= 0)
                abort();
            EVP_PKEY_free(pk);
            ERR_clear_error();
        }
    } else if (rc == SW_EFORMAT) {
        if (!why || !*why)
            abort();
    } else if (rc != SW_ENOMEM) {
        abort();
    }
    unsigned char *o;
    size_t n;
    rc = sw_dkim_base64_decode(&a, (const char *)data, size, &o, &n);
    if (rc == SW_OK && n > size / 4 * 3)
        abort();
    {
        unsigned char *want = malloc(size / 4 * 3 + 3);
        size_t wn = 0;
        if (!want)
            abort();
        int wr = sw_ref_base64_decode((const char *)data, size, want, &wn);
        if (rc != SW_ENOMEM && (rc != wr || (rc == SW_OK && (n != wn || memcmp(o, want, n)))))
            abort();
        free(want);
    }
    sw_arena_reset(&a);

    sw_resolver *r = sw_dns_fixture_new();
    if (!r)
        abort();
    sw_dns_fixture_add(r, "brisbane._domainkey.football.example.com", SW_DNS_TXT,
                       "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    sw_dns_fixture_add(r, "ed._domainkey.sender.example", SW_DNS_TXT,
                       "v=DKIM1; k=ed25519; p=DXVQdU4IAKXSN+71gmA1dmubPloVhoqUCrKJlYeI47A=");
    sw_dns_fixture_add(r, "test._domainkey.football.example.com", SW_DNS_TXT,
                       "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"
                       "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
                       "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
                       "Ip3G+2kryOTIKT+l/K4w3QIDAQAB");
    sw_header_block h;
    sw_error err;
    sw_error_clear(&err);
    if (sw_header_scan(&a, (const char *)data, size, &h, &err) == SW_OK) {
        sw_dkim_report rep;
        if (sw_dkim_verify(&a, (const char *)data, size, &h, r, 1528637909, NULL, &rep) ==
            SW_OK) {
            if (rep.nsigs > SW_MAX_DKIM_SIGS)
                abort();
            for (size_t i = 0; i < rep.nsigs; i++) {
                if (rep.sigs[i].result == SW_DKIM_NONE || !rep.sigs[i].reason)
                    abort();
                const char *ev = sw_dkim_evidence(&a, &rep.sigs[i]);
                if (ev && !*ev)
                    abort();
            }
            if ((rep.nsigs == 0) != (rep.result == SW_DKIM_NONE))
                abort();
        }
    }
    sw_resolver_free(r);
    sw_arena_free(&a);
    return 0;
}
