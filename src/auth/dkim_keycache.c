/* DKIM keys as fetched for a signature or a seal, and the cache that keeps them across
 * messages: see include/spoofwatch/dkim.h (sw_dkim_key_fetch, sw_dkim_keycache).
 *
 * A fetch asks the resolver for <s>._domainkey.<d>, parses the records with dkimkey.c and
 * for RSA unpacks p= into an OpenSSL key; dkim.c (signatures) and arc.c (AMS and seals)
 * both fetch through here. A sw_dkim_fetched holds one reference to its pkey, dropped by
 * sw_dkim_fetched_release, and may point into a cache entry. The cache belongs to its
 * caller (one per thread) and owns copies of everything it keeps, freed when it is
 * cleared or freed; its layout is in dkim_internal.h, as dkim.c borrows from it. */
#include "spoofwatch/dkim.h"
#include "spoofwatch/error.h"
#include "dkim_internal.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* One DER TLV at *p (before end): definite lengths only, at most 4 length bytes. Sets
 * *v and *vlen to the contents and advances *p past them; 0, or -1 when malformed. */
static int der_tlv(const unsigned char **p, const unsigned char *end, unsigned char tag,
                   const unsigned char **v, size_t *vlen)
{
    const unsigned char *q = *p;
    if (end - q < 2 || *q++ != tag)
        return -1;
    size_t len = *q++;
    if (len & 0x80) {
        size_t nb = len & 0x7f;
        if (nb == 0 || nb > 4 || (size_t)(end - q) < nb)
            return -1;
        len = 0;
        while (nb--)
            len = (len << 8) | *q++;
    }
    if (len > (size_t)(end - q))
        return -1;
    *v = q;
    *vlen = len;
    *p = q + len;
    return 0;
}

/* p= of an RSA key: SubjectPublicKeyInfo { AlgorithmIdentifier { rsaEncryption, NULL },
 * BIT STRING { RSAPublicKey } }. The wrapper is unpacked here and only the RSAPublicKey
 * goes to OpenSSL: d2i_PUBKEY runs OpenSSL 3's decoder framework, about 80 times slower
 * (160 us against 2 us per key on the project machine), which alone would cap
 * verification far below the 20k messages/s target. NULL when it is not that shape. */
static EVP_PKEY *rsa_from_spki(const unsigned char *der, size_t n)
{
    static const unsigned char rsa_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
    const unsigned char *p = der, *end = der + n, *spki, *alg, *oid, *bits, *ap;
    size_t spki_len, alg_len, oid_len, bits_len;
    if (der_tlv(&p, end, 0x30, &spki, &spki_len) || p != end)
        return NULL;
    p = spki;
    end = spki + spki_len;
    if (der_tlv(&p, end, 0x30, &alg, &alg_len))
        return NULL;
    ap = alg;
    if (der_tlv(&ap, alg + alg_len, 0x06, &oid, &oid_len) || oid_len != sizeof rsa_oid ||
        memcmp(oid, rsa_oid, sizeof rsa_oid))
        return NULL;
    if (ap != alg + alg_len && !(alg + alg_len - ap == 2 && ap[0] == 0x05 && ap[1] == 0x00))
        return NULL; /* parameters must be NULL or absent */
    if (der_tlv(&p, end, 0x03, &bits, &bits_len) || p != end || bits_len < 2 || bits[0] != 0)
        return NULL;
    const unsigned char *q = bits + 1;
    EVP_PKEY *pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)(bits_len - 1));
    if (pk && q != bits + bits_len) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    return pk;
}

/* ---- keys kept across messages ---- */

sw_dkim_keycache *sw_dkim_keycache_new(void)
{
    sw_dkim_keycache *kc = calloc(1, sizeof(sw_dkim_keycache));
    if (kc) {
        kc->md[0] = EVP_MD_fetch(NULL, "SHA1", NULL);
        kc->md[1] = EVP_MD_fetch(NULL, "SHA256", NULL);
        ERR_clear_error();
    }
    return kc;
}

void sw_dkim_keycache_clear(sw_dkim_keycache *kc)
{
    for (size_t i = 0; i < KEYCACHE_SLOTS; i++) {
        for (sw_dkim_cached_key *e = kc->slots[i], *n; e; e = n) {
            n = e->next;
            EVP_PKEY_CTX_free(e->verify[0]);
            EVP_PKEY_CTX_free(e->verify[1]);
            EVP_PKEY_free(e->pkey);
            free(e->record);
            free(e->p);
            free(e);
        }
        kc->slots[i] = NULL;
    }
    kc->count = 0;
    kc->bytes = 0;
}

void sw_dkim_keycache_free(sw_dkim_keycache *kc)
{
    if (!kc)
        return;
    sw_dkim_keycache_clear(kc);
    EVP_MD_CTX_free(kc->mdctx);
    EVP_MD_free(kc->md[0]);
    EVP_MD_free(kc->md[1]);
    free(kc);
}

/* Every signature hashes its key record (400 bytes for a 2048-bit RSA key) to look it
 * up, so eight bytes go in per step (multiply, then fold the high bits down, as the low
 * bits of a product see only the low bits of its factors). */
static unsigned record_slot(const char *t, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, t + i, 8);
        h = (h ^ w) * 0x100000001b3u;
        h ^= h >> 32;
    }
    for (; i < n; i++)
        h = (h ^ (unsigned char)t[i]) * 0x100000001b3u;
    h ^= h >> 29;
    return (unsigned)(h % KEYCACHE_SLOTS);
}

static sw_dkim_cached_key *keycache_find(sw_dkim_keycache *kc, const char *t, size_t n)
{
    for (sw_dkim_cached_key *e = kc->slots[record_slot(t, n)]; e; e = e->next)
        if (e->record_len == n && !memcmp(e->record, t, n))
            return e;
    return NULL;
}

size_t sw_dkim_keycache_count(const sw_dkim_keycache *kc)
{
    return kc ? kc->count : 0;
}

int sw_dkim_keycache_full(const sw_dkim_keycache *kc)
{
    return kc->count >= KEYCACHE_MAX_KEYS || kc->bytes >= KEYCACHE_MAX_BYTES;
}

/* Keeps a parsed key (a copy of everything it points to); failures just skip caching, and
 * so does a full cache: it is emptied only before a message (see sw_dkim_verify), as
 * keyents of the message being verified may point into its entries. */
static sw_dkim_cached_key *keycache_put(sw_dkim_keycache *kc, const sw_dkim_fetched *ke)
{
    size_t n = ke->record_len;
    if (sw_dkim_keycache_full(kc) || n > KEYCACHE_MAX_RECORD)
        return NULL;
    sw_dkim_cached_key *e = calloc(1, sizeof *e);
    if (!e || !(e->record = malloc(n + 1)) || !(e->p = malloc(ke->key.p_len + 1))) {
        if (e)
            free(e->record);
        free(e);
        return NULL;
    }
    memcpy(e->record, ke->record, n);
    e->record[n] = '\0';
    e->record_len = n;
    e->key = ke->key;
    if (ke->key.p_len)
        memcpy(e->p, ke->key.p, ke->key.p_len);
    e->key.p = e->p;
    if (ke->pkey) {
        if (!EVP_PKEY_up_ref(ke->pkey)) { /* a hit would find neither key nor reason */
            free(e->record);
            free(e->p);
            free(e);
            return NULL;
        }
        e->pkey = ke->pkey;
    }
    e->pkey_err = ke->pkey_err;
    unsigned s = record_slot(e->record, n);
    e->next = kc->slots[s];
    kc->slots[s] = e;
    kc->count++;
    kc->bytes += n + ke->key.p_len;
    return e;
}

char *sw_dkim_key_name(sw_arena *a, const char *s, const char *d)
{
    char *name = sw_arena_printf(a, "%s._domainkey.%s", s, d);
    for (char *p = name; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return name;
}

int sw_dkim_key_fetch(sw_arena *a, sw_resolver *r, sw_dkim_keycache *kc, const char *name,
                      sw_dkim_fetched *ke)
{
    memset(ke, 0, sizeof *ke);
    ke->name = name;
    sw_dns_answer ans;
    if (sw_dns_query(r, a, name, SW_DNS_TXT, &ans))
        return SW_ENOMEM;
    ke->status = ans.status;
    if (ans.status == SW_DNS_OK && ans.n == 0)
        ke->status = SW_DNS_NODATA;
    /* Several records: the first that parses as a key is used (RFC 6376 §3.6.2.2 lets
     * a verifier pick); the reason reported is the first record's. A record an earlier
     * message brought is taken from the cache, parse and key. Only records that parsed are
     * cached, so asking the cache record by record, in order, picks the record a fresh
     * parse would, whatever other messages left there. */
    for (size_t k = 0; ke->status == SW_DNS_OK && k < ans.n; k++) {
        const sw_dns_rr *rr = &ans.rrs[k];
        if (rr->type != SW_DNS_TXT)
            continue;
        sw_dkim_cached_key *e = kc ? keycache_find(kc, rr->text, rr->text_len) : NULL;
        if (e && (!e->pkey || EVP_PKEY_up_ref(e->pkey))) {
            ke->parsed = 1;
            ke->key = e->key;
            ke->record = rr->text;
            ke->record_len = rr->text_len;
            ke->pkey = e->pkey;
            ke->pkey_err = e->pkey_err;
            ke->why = NULL;
            ke->cached = e;
            return SW_OK;
        }
        sw_dkim_key key;
        const char *why;
        int rc = sw_dkim_key_parse(a, rr->text, rr->text_len, &key, &why);
        if (rc == SW_ENOMEM)
            return SW_ENOMEM;
        if (rc == SW_OK) {
            ke->parsed = 1;
            ke->key = key;
            ke->record = rr->text;
            ke->record_len = rr->text_len;
            ke->why = NULL;
            break;
        }
        if (!ke->why) {
            ke->why = why;
            ke->record = rr->text;
        }
    }
    if (ke->parsed && !ke->key.revoked && ke->key.ktype == SW_DKIM_K_RSA) {
        ke->pkey = rsa_from_spki(ke->key.p, ke->key.p_len);
        if (!ke->pkey || EVP_PKEY_base_id(ke->pkey) != EVP_PKEY_RSA) {
            EVP_PKEY_free(ke->pkey);
            ke->pkey = NULL;
            ke->pkey_err = "p= is not an RSA SubjectPublicKeyInfo";
        }
        ERR_clear_error();
    }
    if (kc && ke->parsed && !ke->key.g)
        ke->cached = keycache_put(kc, ke);
    return SW_OK;
}

void sw_dkim_fetched_release(sw_dkim_fetched *f)
{
    EVP_PKEY_free(f->pkey);
    f->pkey = NULL;
}
