/* Baseline for make bench's verification figure: the public-key operations and body hashes
 * that verifying the signed corpus cannot avoid, and nothing else. DESIGN.md §5 calls this
 * "crypto + body hashing alone"; scan --verify is judged beside it.
 * usage: crypto_floor MBOX ZONE
 *
 * Per message: one SHA-256 over the body for each distinct bh= (what sw_dkim_verify shares
 * among signatures), and per DKIM-Signature one SHA-256 over the signature field (standing
 * in for the header hash, which covers a few hundred bytes) and one RSA or Ed25519
 * verification of b= under the key the zone publishes. Whether the signature verifies does
 * not matter for the cost, so canonicalization, DNS, SPF, DMARC and all output are left
 * out. Keys are parsed once, before the clock starts. */
#include "spoofwatch/dkim.h"
#include "spoofwatch/header.h"
#include "spoofwatch/input.h"
#include "spoofwatch/limits.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_KEYS 256

typedef struct key {
    char name[128]; /* <s>._domainkey.<d> */
    sw_dkim_ktype type;
    EVP_PKEY *rsa;
    unsigned char ed[32];
} key;

static key keys[MAX_KEYS];
static size_t nkeys;

/* Lines of the zone gen_signed writes: NAME TXT "v=DKIM1; ...". */
static int load_zone(const char *path, sw_arena *a)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[8192];
    while (fgets(line, sizeof line, f) && nkeys < MAX_KEYS) {
        char *sp = strchr(line, ' '), *q1 = strchr(line, '"'), *q2 = strrchr(line, '"');
        if (!sp || !q1 || q2 <= q1 || !strstr(line, "v=DKIM1") || (size_t)(sp - line) >= 128)
            continue;
        sw_dkim_key k;
        const char *why;
        if (sw_dkim_key_parse(a, q1 + 1, (size_t)(q2 - q1 - 1), &k, &why))
            continue;
        key *o = &keys[nkeys];
        memcpy(o->name, line, (size_t)(sp - line));
        o->name[sp - line] = '\0';
        o->type = k.ktype;
        if (k.ktype == SW_DKIM_K_RSA) {
            const unsigned char *der = k.p;
            if (!(o->rsa = d2i_PUBKEY(NULL, &der, (long)k.p_len)))
                continue;
        } else if (k.p_len == sizeof o->ed) {
            memcpy(o->ed, k.p, sizeof o->ed);
        } else {
            continue;
        }
        nkeys++;
    }
    fclose(f);
    return 0;
}

static const key *find_key(const char *s, const char *d)
{
    char name[128];
    snprintf(name, sizeof name, "%s._domainkey.%s", s, d);
    for (size_t i = 0; i < nkeys; i++)
        if (!strcmp(keys[i].name, name))
            return &keys[i];
    return NULL;
}

static void sha256(const void *p, size_t n, unsigned char out[32])
{
    unsigned len = 32;
    EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: crypto_floor MBOX ZONE\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    sw_arena keyarena;
    sw_arena_init(&keyarena, 16u << 20);
    if (load_zone(argv[2], &keyarena) || !nkeys) {
        fprintf(stderr, "crypto_floor: no DKIM keys in %s\n", argv[2]);
        return 1;
    }
    sw_input in;
    sw_error err;
    if (sw_input_open(&in, argv[1], SW_FMT_AUTO, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_message m;
    unsigned long messages = 0, signatures = 0, body_hashes = 0;
    double t0 = now();
    while (sw_input_next(&in, &a, &m, &err) != SW_ENOTFOUND) {
        sw_arena_reset(&a);
        sw_header_block h;
        if (sw_header_scan(&a, m.data, m.len, &h, &err))
            continue;
        messages++;
        const char *body = m.data + h.body_offset;
        size_t body_len = m.len - h.body_offset;
        const char *hashed[SW_MAX_DKIM_SIGS];
        size_t nhashed = 0;
        for (size_t nth = 0; nth < SW_MAX_DKIM_SIGS; nth++) {
            long fi = sw_header_find(&h, "DKIM-Signature", nth);
            if (fi < 0)
                break;
            sw_dkim_sig sig;
            if (sw_dkim_sig_parse(&a, &h.fields[fi], (size_t)fi, &sig) || !sig.b || !sig.s ||
                !sig.d || !sig.bh)
                continue;
            const key *k = find_key(sig.s, sig.d);
            unsigned char *b;
            size_t blen;
            if (!k || sw_dkim_base64_decode(&a, sig.b, strlen(sig.b), &b, &blen))
                continue;
            unsigned char digest[32];
            size_t i = 0;
            while (i < nhashed && strcmp(hashed[i], sig.bh))
                i++;
            if (i == nhashed) {
                sha256(body, body_len, digest);
                hashed[nhashed++] = sig.bh;
                body_hashes++;
            }
            sha256(h.fields[fi].raw, h.fields[fi].raw_len, digest);
            if (k->type == SW_DKIM_K_RSA) {
                EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(k->rsa, NULL);
                if (pc && EVP_PKEY_verify_init(pc) > 0 &&
                    EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) > 0)
                    (void)EVP_PKEY_verify(pc, b, blen, digest, sizeof digest);
                EVP_PKEY_CTX_free(pc);
            } else if (blen == crypto_sign_BYTES) {
                /* the digest is a stand-in, so this fails, after the full work */
                int failed = crypto_sign_verify_detached(b, digest, sizeof digest, k->ed);
                (void)failed;
            }
            signatures++;
        }
    }
    double t = now() - t0;
    sw_input_close(&in);
    sw_arena_free(&a);
    sw_arena_free(&keyarena);
    for (size_t i = 0; i < nkeys; i++)
        EVP_PKEY_free(keys[i].rsa);
    printf("%lu messages, %lu signatures, %lu body hashes, %.3f s\n", messages, signatures,
           body_hashes, t);
    return 0;
}
