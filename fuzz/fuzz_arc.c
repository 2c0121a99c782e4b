/* Fuzz target for src/auth/arc.c: ARC tag lists and chain structure.
 *
 * Contract: the input is scanned as a message; its ARC sets go through sw_arc_verify
 * (fixture DNS holding one key, s1._domainkey.fuzz.example, so seeds sealed with the key
 * below reach the RSA checks; any other name is NXDOMAIN) and the message is then sealed
 * with sw_arc_seal (AAR consolidation of hostile Authentication-Results, AMS over hostile
 * h= lists). Each call uses a fresh arena capped at SW_MAX_ARENA and frees it before
 * returning; the resolver is made once and kept (its log is reset per input). Every string
 * handed back is read to its NUL so ASan sees any bad pointer.
 *
 * The key is a test-only 1024-bit RSA key made for this target (openssl genrsa); it signs
 * nothing but fuzz seeds. */
#include "spoofwatch/arc.h"
#include "spoofwatch/arena.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char fuzz_key[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIICXAIBAAKBgQDX1aRd1y+sKLCl9BqSJ//AYTHz/f4r3iXFxETUI7VHUR76T1D1\n"
    "wMLebTpTO2B4oXOLeqqi/k//AIrq5j0HbBJHdGQR4fg0d7AmKtSa/o3+LmoPTKGj\n"
    "fCiNQ4B9qq+0UAPU31y1IHtrA+9uilmOgviyTuNpQaIcJUucKFmxGrOClwIDAQAB\n"
    "AoGATpk0hB/q8mzW93hPfM4oKqy6fjoOp3b8lmqFDiP6zf/SoiDkQLpzvIBWbxz+\n"
    "Yq+Y3kBLh5PJGfnenPA/ZUaL2OHg8m0+Ijt51bS9705UrByw2vU4+CQQkIFu9lam\n"
    "rOk0KbnWONrprTMa41LFHMPah9GTlWs6FMSGHmjKerJO11ECQQD+i7YqqCClrMtO\n"
    "3HukQZIpzYOF7/2bEf51X8mXReBjZbEfDzsMX6C9LHJiR3JKA7MVcqIePluHvrdP\n"
    "jcVREff1AkEA2RFQIR0RSweGjZVaESpDivZERad8a7Xnyu/bbMwx7uFXn/OwK878\n"
    "nlUTes+L1SopSvPjfZV7FFOlouAXrBhU2wJAWRdZSRDTbGlQN2fgNptkpxDxSb23\n"
    "y8C+iSJfkny4jtGW7sIL7sbBobSezFspW1J0KbuXlnJI4vgTfNqoBzn8yQJBAJuX\n"
    "TVhu/XZKbqgN5gFnygJRg55p70VFnmBYjW/u7dvMqoJ8qkq8k1bqpIvjONgS4IZZ\n"
    "Szc5bn+jdZbKCi3RQwECQDy3Qcyq3pvyqfgEOYn5qKInM8/TH+L7N0Xw8RFpjHQh\n"
    "MGS7DoV0q+1fbuF9K12/m67kGnS7wpny1YEBYR8B3P4=\n"
    "-----END RSA PRIVATE KEY-----\n";

static volatile size_t sink;

static void touch(const char *s)
{
    if (s)
        sink += strlen(s);
}

static sw_resolver *resolver(void)
{
    static sw_resolver *r;
    if (r)
        return r;
    r = sw_dns_fixture_new();
    BIO *b = BIO_new_mem_buf(fuzz_key, (int)sizeof fuzz_key - 1);
    EVP_PKEY *pk = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    unsigned char *der = NULL;
    int dl = pk ? i2d_PUBKEY(pk, &der) : -1;
    EVP_PKEY_free(pk);
    if (dl > 0) {
        char *txt = malloc(4 * ((size_t)dl + 2) / 3 + 32);
        memcpy(txt, "v=DKIM1; p=", 11);
        EVP_EncodeBlock((unsigned char *)txt + 11, der, dl);
        sw_dns_fixture_add(r, "s1._domainkey.fuzz.example", SW_DNS_TXT, txt);
        free(txt);
    }
    OPENSSL_free(der);
    return r;
}

static void touch_report(const sw_arc_report *rep)
{
    touch(rep->reason);
    for (size_t k = 0; k < rep->nsets; k++) {
        const sw_arc_instance *in = &rep->sets[k];
        touch(in->seal_d), touch(in->seal_s), touch(in->ams_d), touch(in->ams_s);
        touch(in->cv), touch(in->aar), touch(in->ams_reason), touch(in->seal_reason);
        touch(in->ams_bh_computed);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    sw_resolver *r = resolver();
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_header_block hb;
    sw_error e;
    sw_error_clear(&e);
    if (sw_header_scan(&a, s, size, &hb, &e) == 0) {
        sw_arc_report rep;
        if (sw_arc_verify(&a, s, size, &hb, r, 1735689600, NULL, &rep) == 0) {
            touch_report(&rep);
            touch(sw_arc_evidence(&a, &rep));
            const char *trusted[] = {"fuzz.example", ".example"};
            sink += (size_t)sw_arc_sealer_trusted(&rep, trusted, 2);
        }
        sw_arc_seal_params p = {"fuzz.example", "s1", fuzz_key, sizeof fuzz_key - 1,
                                "mx.fuzz.example", "from:to:subject:arc-authentication-results",
                                1700000000};
        sw_arc_sealed out;
        if (sw_arc_seal(&a, s, size, &hb, r, 1735689600, &p, &out) == 0) {
            touch(out.reason), touch(out.aar), touch(out.ams), touch(out.as);
            touch_report(&out.chain);
        }
    }
    sw_dns_log_reset(r);
    sw_arena_free(&a);
    return 0;
}
