/* DKIM internals shared by dkim.c (verification) and dkim_keycache.c (key fetching and
 * the key cache kept across messages); not public API. The cache's layout is here rather
 * than opaque because verification borrows from it: the fetched SHA-1 and SHA-256, the
 * one digest context, and each key's RSA verify contexts (see the fields below). */
#ifndef SW_DKIM_INTERNAL_H
#define SW_DKIM_INTERNAL_H

#include "spoofwatch/dkim.h"

#include <openssl/evp.h>

/* 1024 hash buckets holding up to 4096 records and 8 MiB of record text and key bytes;
 * longer records (a 8192-bit RSA record is about 1.4 KB) are parsed each time. A full
 * cache starts over, but only between messages (sw_dkim_verify start): within one
 * message keyents point into cached entries. */
#define KEYCACHE_SLOTS 1024
#define KEYCACHE_MAX_KEYS (KEYCACHE_SLOTS * 4)
#define KEYCACHE_MAX_BYTES (8u << 20)
#define KEYCACHE_MAX_RECORD 4096

typedef struct sw_dkim_cached_key {
    char *record; /* the TXT text the parse came from */
    size_t record_len;
    sw_dkim_key key; /* p points into `p` below */
    unsigned char *p;
    EVP_PKEY *pkey; /* RSA, or NULL */
    const char *pkey_err;
    /* Verify contexts for pkey set up for rsa-sha1 and rsa-sha256 (PKCS#1 v1.5), made on
     * first use: setting one up (key management and signature fetches, padding and digest
     * parameters) cost 33 k instructions, a third of the RSA verification itself. */
    EVP_PKEY_CTX *verify[2];
    struct sw_dkim_cached_key *next;
} cached_key;

struct sw_dkim_keycache {
    cached_key *slots[KEYCACHE_SLOTS];
    size_t count;
    size_t bytes; /* record and p= bytes held */
    /* SHA-1 and SHA-256 fetched from the default provider once: EVP_sha256() is a legacy
     * handle that EVP_DigestInit_ex looks up by name on every call (3 k instructions, two
     * hashes a signature). NULL when a fetch failed: the legacy handle is used. */
    EVP_MD *md[2];
    EVP_MD_CTX *mdctx; /* lent to each sw_dkim_verify for its hashes; made on first use */
};

/* 1 when the cache holds as many keys or bytes as it may; it then takes no more. */
int sw_dkim_keycache_full(const sw_dkim_keycache *kc);
/* Frees every entry. Only between messages: a message's sw_dkim_fetched point into
 * entries (sw_dkim_verify clears a full cache before it starts). */
void sw_dkim_keycache_clear(sw_dkim_keycache *kc);

#endif
