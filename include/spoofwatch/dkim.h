/* DKIM verification (RFC 6376, RFC 8301, RFC 8463) and DKIM key records.
 *
 * sw_dkim_verify() checks every DKIM-Signature of one message (up to SW_MAX_DKIM_SIGS)
 * and returns one result per signature plus the best of them. Algorithms: rsa-sha256 and
 * rsa-sha1 with OpenSSL libcrypto (p= is a SubjectPublicKeyInfo DER), ed25519-sha256 with
 * libsodium (p= is the raw 32-byte key). Canonicalization is include/spoofwatch/canon.h.
 * Each body hash is computed once per (body canonicalization, hash, l=) and shared by
 * every signature asking for it. Keys are fetched through the given resolver, whose log
 * is the DNS evidence; a key fetched twice in one message is parsed once.
 *
 * Results are RFC 8601 words. A signature that verifies but carries something weak
 * (rsa-sha1, an RSA key under 1024 bits, l= shorter than the body, a t=y key, an unsigned
 * instance of a signed header) is a pass with the reason in `flags`; options.policy names
 * the flags that turn such a pass into `policy` (by default rsa-sha1 and short keys, as
 * RFC 8301 demands). Malformed or unsupported signatures are `neutral` (RFC 8601 §2.7.1);
 * what RFC 6376 §6.1 calls PERMFAIL on a well-formed signature (i= outside d=, From not
 * signed, expired or future-dated, missing/revoked/mismatched key) is `permerror`; DNS
 * failures are `temperror`, a broken body hash or signature `fail`.
 *
 * Memory: everything in the result lives in the caller's arena (the message's), and the
 * message bytes and header block must outlive it. Nothing is freed by the caller but the
 * arena; OpenSSL objects made during verification are released before returning. */
#ifndef SPOOFWATCH_DKIM_H
#define SPOOFWATCH_DKIM_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/canon.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/header.h"
#include "spoofwatch/tags.h"

typedef enum sw_dkim_result {
    SW_DKIM_NONE = 0, /* no signature */
    SW_DKIM_PASS,
    SW_DKIM_FAIL,      /* body hash or signature did not verify */
    SW_DKIM_POLICY,    /* verified, rejected by local policy (see flags) */
    SW_DKIM_NEUTRAL,   /* malformed or unsupported signature */
    SW_DKIM_TEMPERROR, /* key lookup failed for now */
    SW_DKIM_PERMERROR  /* missing/revoked/unusable key, expired signature */
} sw_dkim_result;

const char *sw_dkim_result_name(sw_dkim_result r); /* "pass", "fail", ... */

/* Per-signature flags: facts worth an analyst's eye; options.policy picks which of them
 * demote a pass. */
enum {
    SW_DKIM_F_WEAK_HASH = 1u << 0,    /* a=rsa-sha1 (RFC 8301: must not be relied on) */
    SW_DKIM_F_WEAK_KEY = 1u << 1,     /* RSA key under 1024 bits */
    SW_DKIM_F_PARTIAL_BODY = 1u << 2, /* l= covers less than the body: content beyond l= */
    SW_DKIM_F_TESTING = 1u << 3,      /* key t=y: treat as unsigned (RFC 6376 §3.6.1) */
    SW_DKIM_F_UNSIGNED_DUP = 1u << 4, /* more instances of a signed header than h= covers */
    SW_DKIM_F_PRESTANDARD = 1u << 5   /* v= absent or a draft version (legacy mode only) */
};

/* The flags that demote a pass by default (RFC 8301). */
#define SW_DKIM_POLICY_DEFAULT (SW_DKIM_F_WEAK_HASH | SW_DKIM_F_WEAK_KEY)

/* Legacy compatibility (the pre-RFC 6376 Mail::DKIM corpus), off by default. */
enum {
    SW_DKIM_LEGACY_DRAFTS = 1u << 0,     /* accept a missing v= or v=0.5, and q=dns */
    SW_DKIM_LEGACY_GRANULARITY = 1u << 1 /* enforce RFC 4871 key g= against i= */
};

/* Parsed keys kept across messages (a scan meets the same few selectors again and again):
 * the record is still looked up for every message, for the evidence and for freshness,
 * and the parse and the OpenSSL key are reused when its text is the same. Owned by the
 * caller; one per thread. */
typedef struct sw_dkim_keycache sw_dkim_keycache;
sw_dkim_keycache *sw_dkim_keycache_new(void);
void sw_dkim_keycache_free(sw_dkim_keycache *kc);

/* The body hashes of one message, one per (body canonicalization, hash, l=), shared by
 * its DKIM signatures and ARC-Message-Signatures: Microsoft 365 signs relaxed/sha256 and
 * seals with a relaxed AMS, and hashing the body is the largest cost of both after RSA.
 * A set belongs to one message: it is bound to the address and length of the body it
 * was first used for and starts over when asked about another, but cannot notice other
 * bytes at the same address (a recycled buffer), so make one per message, as
 * sw_verify_message does. sw_dkim_bodyhashes_new makes one in an arena (nothing to free). */
typedef struct sw_dkim_bodyhashes sw_dkim_bodyhashes;
/* A new, empty set in a; NULL when the arena is full. */
sw_dkim_bodyhashes *sw_dkim_bodyhashes_new(sw_arena *a);
/* How many body hashes the set has computed since it was made (a set that started over
 * for another body keeps counting). */
size_t sw_dkim_bodyhashes_computed(const sw_dkim_bodyhashes *bh);

/* How many parsed keys kc holds (0 for NULL). */
size_t sw_dkim_keycache_count(const sw_dkim_keycache *kc);

typedef struct sw_dkim_opts {
    sw_dkim_keycache *keys; /* NULL: keys are parsed per message */
    sw_dkim_bodyhashes *bodyhashes; /* NULL: the call keeps its own */
    int64_t skew;        /* seconds allowed on x= and t= (default 300) */
    unsigned policy;     /* SW_DKIM_F_* that turn a pass into policy */
    unsigned legacy;     /* SW_DKIM_LEGACY_* */
    size_t max_sigs;     /* 0: SW_MAX_DKIM_SIGS */
} sw_dkim_opts;

/* Defaults: skew 300, policy SW_DKIM_POLICY_DEFAULT, no legacy. */
void sw_dkim_opts_default(sw_dkim_opts *o);

/* ---- key records (<s>._domainkey.<d> TXT, RFC 6376 §3.6.1, RFC 8463) ---- */

enum { SW_DKIM_HASH_SHA1 = 1u << 0, SW_DKIM_HASH_SHA256 = 1u << 1 };
typedef enum sw_dkim_ktype { SW_DKIM_K_RSA = 0, SW_DKIM_K_ED25519 } sw_dkim_ktype;
enum { SW_DKIM_KEY_TESTING = 1u << 0, SW_DKIM_KEY_STRICT = 1u << 1 }; /* t=y, t=s */

typedef struct sw_dkim_key {
    sw_dkim_ktype ktype;
    unsigned hashes;          /* h=: SW_DKIM_HASH_* listed; all when has_h is 0 */
    int has_h;
    unsigned flags;           /* SW_DKIM_KEY_* */
    const char *g;            /* RFC 4871 granularity as written, NULL when absent */
    const unsigned char *p;   /* decoded p= (SPKI DER for RSA, raw key for Ed25519) */
    size_t p_len;
    int revoked;              /* p= empty */
} sw_dkim_key;

/* Parses one key record txt[0..n). 0 with *out set (a revoked key is a successful
 * parse with revoked=1); SW_EFORMAT with *why naming the problem (syntax error, v= not
 * DKIM1 or not first, unknown k=, s= without email, missing p=, p= not base64,
 * Ed25519 key not 32 bytes); SW_ENOMEM. */
int sw_dkim_key_parse(sw_arena *a, const char *txt, size_t n, sw_dkim_key *out,
                      const char **why);

/* Base64 (RFC 4648) with FWS ignored anywhere, as b=, bh= and p= are folded. Decodes
 * s[0..n) into the arena: 0 with *out and *out_len, SW_EFORMAT for a bad character, bad
 * padding or a length that is not whole quanta, SW_ENOMEM. */
int sw_dkim_base64_decode(sw_arena *a, const char *s, size_t n, unsigned char **out,
                          size_t *out_len);

/* ---- helpers shared with ARC (arc.c) ---- */

/* One key record as fetched for a signature or a seal: the DNS outcome, the first TXT
 * record that parses as a key (or why none did), and for RSA the OpenSSL key. */
struct evp_pkey_st;
typedef struct sw_dkim_fetched {
    const char *name; /* <s>._domainkey.<d>, lower-cased */
    sw_dns_status status;
    int parsed;      /* 1: key below is usable as parsed; 0: no record parsed (why) */
    const char *why; /* the first record's parse problem, when none parsed */
    const char *record;
    size_t record_len;
    sw_dkim_key key;
    struct evp_pkey_st *pkey; /* RSA keys (SubjectPublicKeyInfo), else NULL; owned: see
                               * sw_dkim_fetched_release */
    const char *pkey_err;     /* why an RSA p= gave no key */
    struct sw_dkim_cached_key *cached; /* the key cache's entry for this record, or NULL */
} sw_dkim_fetched;
/* "<s>._domainkey.<d>" lower-cased in the arena, NULL when it is full. */
char *sw_dkim_key_name(sw_arena *a, const char *s, const char *d);
/* Asks r for name's TXT records and parses them (kc may be NULL: no reuse across messages).
 * 0, or SW_ENOMEM; the outcome is in *out, which holds a reference to out->pkey. */
int sw_dkim_key_fetch(sw_arena *a, sw_resolver *r, sw_dkim_keycache *kc, const char *name,
                      sw_dkim_fetched *out);
void sw_dkim_fetched_release(sw_dkim_fetched *f);

/* 1 when s can be (part of) a DNS name built from d= and s=: labels of letters, digits,
 * '-' and '_', 1..63 bytes each, 253 in all, no empty label. */
int sw_dkim_dns_name_ok(const char *s);
/* Splits an h= value into header names (FWS trimmed, empty items dropped, as "from:to::date"
 * is valid) in the arena. SW_ELIMIT past SW_MAX_DKIM_HNAMES names, SW_ENOMEM. */
int sw_dkim_split_h(sw_arena *a, const char *h, const char ***out, size_t *n);

/* ---- verification ---- */

typedef struct sw_dkim_sigresult {
    sw_dkim_result result;
    const char *reason; /* human text: what verified or why not */
    unsigned flags;     /* SW_DKIM_F_* */
    sw_dkim_sig sig;    /* the tags as written (d lower-cased) */
    size_t field_index; /* of the DKIM-Signature in the header block */
    const char *auid;   /* i= decoded, or "@" d= */
    sw_canon_mode hcanon, bcanon;
    const char *key_name;   /* <s>._domainkey.<d>, NULL when never looked up */
    const char *key_record; /* the TXT record used */
    const char *key_type;   /* "rsa" / "ed25519" */
    unsigned key_bits;
    unsigned key_flags;     /* SW_DKIM_KEY_* */
    const char *bh_expected, *bh_computed; /* base64; computed NULL when not reached */
    uint64_t body_len;      /* canonical body length (for l= comparison) */
    size_t unsigned_dups;   /* instances of signed header names not covered by h= */
} sw_dkim_sigresult;

typedef struct sw_dkim_report {
    sw_dkim_result result;  /* best over all signatures: pass > policy > fail > temperror >
                               permerror > neutral > none */
    long best;              /* index into sigs of that signature, -1 when none */
    sw_dkim_sigresult *sigs;
    size_t nsigs;
    size_t skipped;         /* signatures beyond max_sigs, not verified */
    size_t body_hashes;     /* body hashes this call computed (with a shared set: not
                               the ones it found already there) */
} sw_dkim_report;

/* Verifies every DKIM-Signature in h (the header block of msg[0..len)); the body is
 * msg + h->body_offset. now is the clock for x= and t= (Unix seconds; for archived mail
 * pass the time it was received, or every x= has long passed). opts may be NULL
 * (defaults). Returns 0 (results in *out, even when every signature failed) or
 * SW_ENOMEM / SW_EINVAL. */
int sw_dkim_verify(sw_arena *a, const char *msg, size_t len, const sw_header_block *h,
                   sw_resolver *r, int64_t now, const sw_dkim_opts *opts, sw_dkim_report *out);

/* One line of evidence for a signature: d=, s=, a=, c=, h=, l= against the body, t=/x=,
 * key, expected and computed bh=, result and reason. In a; NULL when full. */
const char *sw_dkim_evidence(sw_arena *a, const sw_dkim_sigresult *s);

#endif
