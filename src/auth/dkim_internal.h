/* DKIM internals shared by dkim.c (verification) and dkim_keycache.c (key fetching and
 * the key cache kept across messages), and with arc.c and arc_seal.c, which hash, fetch
 * keys and verify RSA as DKIM does (the helpers at the end) and share a message's body
 * hashes with it (sw_dkim_bodyhashes, defined in dkim.c); not public API. The cache's
 * layout is here rather than opaque because verification borrows from it: the fetched
 * SHA-1 and SHA-256, the one digest context, and each key's RSA verify contexts (see the
 * fields below). */
#ifndef SW_DKIM_INTERNAL_H
#define SW_DKIM_INTERNAL_H

#include "spoofwatch/dkim.h"
#include "spoofwatch/limits.h"

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

/* A message's body hashes (dkim.h: sw_dkim_bodyhashes). Room for a hash per DKIM
 * signature and as many again as ARC keeps for its AMS headers: neither check can fill it
 * alone, and once it is full the last entry is recomputed in place, so an entry is only
 * good until the next lookup (every caller uses one at once). */
#define BODYHASH_SLOTS (SW_MAX_DKIM_SIGS + SW_MAX_ARC_BODY_HASHES)

typedef struct sw_dkim_bodyhash {
    sw_canon_mode mode;
    int sha256; /* 0: SHA-1 */
    int has_l;
    uint64_t l;
    unsigned char dig[32]; /* t is SHA-1 or SHA-256 */
    unsigned dlen;
    uint64_t total; /* whole canonical body length */
} sw_dkim_bodyhash;

struct sw_dkim_bodyhashes {
    const char *body; /* what the entries were computed over (NULL: not yet bound) */
    size_t body_len;
    size_t n;
    size_t computed;
    sw_dkim_bodyhash e[BODYHASH_SLOTS];
};

/* Empties bh (after a plain declaration or malloc: the entries are not zeroed). */
void sw_dkim_bodyhashes_init(sw_dkim_bodyhashes *bh);
/* The hash of body[0..len) for canonicalization m, SHA-256 (sha256) or SHA-1 and l=
 * (has_l), from bh or computed into it with *mdctx (made on first need, the caller's to
 * free) and the digest t of that hash. A set bound to another body starts over. NULL
 * when the digest fails. */
const sw_dkim_bodyhash *sw_dkim_body_hash(sw_dkim_bodyhashes *bh, const char *body, size_t len,
                                          sw_canon_mode m, int sha256, int has_l, uint64_t l,
                                          EVP_MD_CTX **mdctx, const EVP_MD *t);

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
