/* Generates ARC-sealed copies of one DKIM-signed message, for measuring what verifying a
 * message with a DKIM signature and an ARC set costs (Microsoft 365 inbound mail: a
 * relaxed/sha256 signature and a relaxed AMS over the same body).
 * usage: gen_arc SIGNED_MBOX SIGNED_ZONE OUT_MBOX OUT_ZONE COPIES
 * Takes the first message of gen_signed's mbox that carries an rsa-sha256 signature, seals
 * it once with sw_arc_seal (sealer arc.example, selector arc, a new RSA-2048 key) and
 * writes it COPIES times; OUT_ZONE is SIGNED_ZONE plus the sealer's key. Keys are new each
 * run: the zone goes with the mbox. */
#include "spoofwatch/arc.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/error.h"
#include "spoofwatch/header.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file in a malloc'd NUL-terminated buffer, or NULL. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) {
        p[n] = '\0';
        *len = (size_t)n;
    }
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: gen_arc SIGNED_MBOX SIGNED_ZONE OUT_MBOX OUT_ZONE COPIES\n");
        return 2;
    }
    size_t ml, zl;
    char *mbox = slurp(argv[1], &ml), *zone_in = slurp(argv[2], &zl);
    long copies = atol(argv[5]);
    if (!mbox || !zone_in || copies <= 0)
        return 1;
    /* the first message with an RSA signature: its "From " line and the bytes up to the
     * next one (gen_signed's bodies never start a line with "From ") */
    char *msg = NULL, *end = NULL;
    for (char *p = mbox; p && *p; p = end) {
        char *next = strstr(p + 1, "\nFrom ");
        end = next ? next + 1 : p + strlen(p);
        char *sig = strstr(p, "a=rsa-sha256");
        if (sig && sig < end) {
            msg = p;
            break;
        }
    }
    if (!msg)
        return 1;
    char *nl = strchr(msg, '\n');
    const char *from_line = msg;
    size_t from_len = (size_t)(nl + 1 - msg);
    const char *m = nl + 1;
    size_t len = (size_t)(end - m);

    EVP_PKEY *pk = EVP_RSA_gen(2048);
    BIO *b = BIO_new(BIO_s_mem());
    char *pem = NULL;
    long pem_len = pk && b && PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL) == 1
                       ? BIO_get_mem_data(b, &pem)
                       : 0;
    unsigned char *der = NULL;
    int dl = pem_len > 0 ? i2d_PUBKEY(pk, &der) : -1;
    if (dl <= 0)
        return 1;
    char *pub = malloc(4 * ((size_t)dl + 2) / 3 + 1);
    EVP_EncodeBlock((unsigned char *)pub, der, dl);

    sw_arena a;
    sw_arena_init(&a, 64 << 20);
    sw_header_block hb;
    sw_error e;
    sw_error_clear(&e);
    sw_resolver *r = sw_dns_fixture_new(); /* no chain yet: sealing asks nothing */
    sw_arc_seal_params sp = {"arc.example", "arc", pem, (size_t)pem_len, "mx.corp.example",
                             "from:to:subject:date:message-id", 1704103300};
    sw_arc_sealed out;
    if (!r || sw_header_scan(&a, m, len, &hb, &e) ||
        sw_arc_seal(&a, m, len, &hb, r, 1704103300, &sp, &out) || !out.sealed) {
        fprintf(stderr, "gen_arc: sealing failed\n");
        return 1;
    }
    FILE *mb = fopen(argv[3], "w"), *zone = fopen(argv[4], "w");
    if (!mb || !zone)
        return 1;
    for (long k = 0; k < copies; k++) {
        fwrite(from_line, 1, from_len, mb);
        fprintf(mb, "ARC-Seal: %s\nARC-Message-Signature: %s\nARC-Authentication-Results: %s\n",
                out.as, out.ams, out.aar);
        fwrite(m, 1, len, mb);
    }
    fwrite(zone_in, 1, zl, zone);
    fprintf(zone, "arc._domainkey.arc.example TXT \"v=DKIM1; k=rsa; p=%s\"\n", pub);
    sw_arena_free(&a);
    sw_resolver_free(r);
    OPENSSL_free(der);
    BIO_free(b);
    EVP_PKEY_free(pk);
    free(pub);
    free(mbox);
    free(zone_in);
    return fclose(mb) || fclose(zone) ? 1 : 0;
}
