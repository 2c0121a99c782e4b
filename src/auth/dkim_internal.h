/* DKIM internals shared by dkim.c (verification) and dkim_keycache.c (key fetching and
 * the key cache kept across messages), and with arc.c and arc_seal.c, which hash, fetch
 * keys and verify RSA as DKIM does (the helpers at the end); not public API. The cache's
 * layout is here rather than opaque because verification borrows from it: the fetched
 * SHA-1 and SHA-256, the one digest context, and each key's RSA verify contexts (see the
 * fields below). */
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
} sw_dkim_cached_key;

struct sw_dkim_keycache {
    sw_dkim_cached_key *slots[KEYCACHE_SLOTS];
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

/* ---- helpers shared with ARC, whose AMS and seals are DKIM-style signatures ----
 * Defined in dkim.c. All but the callback are inline there and forced into its callers,
 * so that a signature costs the instructions it did when they were dkim.c's static
 * functions (out of line, the calls and the spills around them showed in scripts/cost.sh);
 * arc.c calls the external definitions. */

/* Canonicalization output (sw_canon_body, sw_canon_header) into an EVP_MD_CTX (ctx). */
void sw_dkim_md_write(void *ctx, const void *p, size_t n);
/* p[0..n) as base64 in the arena, NULL when it is full. */
const char *sw_dkim_b64(sw_arena *a, const unsigned char *p, size_t n);
/* RSA PKCS#1 v1.5 verification of sig[0..siglen) over the digest dig[0..dlen) made with
 * mdt: 1 verified, 0 not. keep: where the key cache holds a verify context for this key
 * and digest (made here when empty), or NULL for a context made and freed here. why: on
 * failure a reason in the arena that tells a wrong key or mangled signature from altered
 * input, or NULL when the caller words its own (the diagnosis is then skipped). */
int sw_dkim_rsa_verify(sw_arena *a, EVP_PKEY *pk, const EVP_MD *mdt, EVP_PKEY_CTX **keep,
                       const unsigned char *sig, size_t siglen, const unsigned char *dig,
                       unsigned dlen, const char **why);
/* A message's key table, keys[0..*nkeys) of room cap: the entry for <s>._domainkey.<d>,
 * fetched (sw_dkim_key_fetch, through kc, which may be NULL) into the next slot the first
 * time the name is asked for, so that one key name costs one query and one parse per
 * message. NULL with *oom set when the arena is full, NULL with *oom clear when the table
 * is. The caller releases keys[0..*nkeys) with sw_dkim_fetched_release. */
sw_dkim_fetched *sw_dkim_key_get(sw_arena *a, sw_resolver *r, sw_dkim_keycache *kc,
                                 sw_dkim_fetched *keys, size_t *nkeys, size_t cap,
                                 const char *s, const char *d, int *oom);

#endif
