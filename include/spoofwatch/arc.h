/* ARC (RFC 8617): chain validation and sealing.
 *
 * sw_arc_verify() validates the Authenticated Received Chain of one message as RFC 8617
 * §5.2 orders it: collect the sets (sw_arc_collect, tags.h), check their structure
 * (instances 1..N without gaps or duplicates, N <= SW_ARC_MAX_INSTANCE, exactly one
 * ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results per instance), stop at a
 * newest cv=fail, check cv= (none for i=1, pass above), verify the newest AMS like a DKIM
 * signature, walk the older AMS headers down for oldest-pass, then verify every ARC-Seal
 * from N to 1. The result is an RFC 8601 `arc=` word (none, pass, fail) with the failing
 * instance, the reason, and per instance the sealer (AS d=/s=), the AMS signer, cv= and
 * the AAR text, so the verdict engine can check the sealers against its trusted list
 * (sw_arc_sealer_trusted) and read the original results from a trusted sealer's AAR.
 *
 * Tag rules (RFC 8617 §4.1, as the ValiMail suite enforces them): tag names are
 * case-sensitive and a duplicate or an empty fragment (";;") makes the header invalid;
 * a= must be rsa-sha256 (rsa-sha1 and unknown algorithms fail); the AMS has no v=, its i=
 * is the instance, c= defaults to simple/simple but may not be empty, h= may be empty but
 * must not name ARC-Seal; the AS has no h= (present: invalid) and takes cv= none, pass or
 * fail; t= is optional but must be a number when present. Keys are DKIM key records
 * (dkim.h) of at least SW_ARC_MIN_RSA_BITS. Canonicalization is canon.h; the seal is
 * always relaxed, over AAR, AMS, AS of instances 1..i in order with the verified seal's
 * b= emptied and without its trailing CRLF.
 *
 * sw_arc_seal() adds a set to a message (the ValiMail sign suite): it validates the
 * existing chain, refuses to seal a chain whose newest seal already says cv=fail or that
 * is full, builds the AAR from the Authentication-Results headers carrying the sealer's
 * authserv-id, signs the AMS (relaxed/relaxed, rsa-sha256) and the AS (over every set, or
 * over the new set alone when cv=fail, RFC 8617 §5.1.1) with OpenSSL. Output layout:
 * tags in alphabetical order, "; " between them, b= never folded (RSA PKCS#1 v1.5 is
 * deterministic, so the suite's b= values come out byte for byte). The key is not
 * size-checked when sealing (tests seal with short keys); validators reject keys under
 * SW_ARC_MIN_RSA_BITS.
 *
 * Memory: everything in a report lives in the caller's arena (the message's); the message
 * bytes and header block must outlive it. OpenSSL objects are freed before returning. */
#ifndef SPOOFWATCH_ARC_H
#define SPOOFWATCH_ARC_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/dkim.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/header.h"
#include "spoofwatch/tags.h"

typedef enum sw_arc_result { SW_ARC_NONE = 0, SW_ARC_PASS, SW_ARC_FAIL } sw_arc_result;

const char *sw_arc_result_name(sw_arc_result r); /* "none", "pass", "fail" */

/* Which step of RFC 8617 §5.2 decided a failure. */
typedef enum sw_arc_step {
    SW_ARC_STEP_NONE = 0,
    SW_ARC_STEP_STRUCTURE, /* missing/duplicate member, bad i=, gap, too many sets */
    SW_ARC_STEP_CV_FAIL,   /* the newest seal says cv=fail */
    SW_ARC_STEP_CV,        /* cv= not none at i=1 / not pass above / malformed */
    SW_ARC_STEP_AMS,       /* the newest ARC-Message-Signature did not verify */
    SW_ARC_STEP_SEAL       /* an ARC-Seal did not verify */
} sw_arc_step;

const char *sw_arc_step_name(sw_arc_step s); /* "structure", "cv", "ams", "seal", ... */

/* One ARC instance as found and as far as it was checked. */
typedef struct sw_arc_instance {
    int instance;
    const char *seal_d, *seal_s; /* the sealer: AS d= (lower-cased) and s= */
    const char *ams_d, *ams_s;   /* AMS d= (lower-cased) and s= */
    const char *cv;              /* AS cv= as written, NULL when absent */
    const char *aar;             /* the AAR value (after "i=N;"), NULL when absent */
    /* The AMS and the AS outcome, in DKIM's words (dkim.h) with a reason; NONE when
     * not checked (older AMS are checked only for oldest-pass; seals only when every
     * earlier step passed). */
    sw_dkim_result ams_result, seal_result;
    const char *ams_reason, *seal_reason;
    unsigned ams_key_bits, seal_key_bits;
    const char *ams_bh_computed; /* base64 body hash computed for this AMS, NULL if none */
} sw_arc_instance;

typedef struct sw_arc_report {
    sw_arc_result result;
    sw_arc_step step;      /* what failed, SW_ARC_STEP_NONE on pass/none */
    int fail_instance;     /* the instance that failed, 0 when none or not one instance */
    const char *reason;    /* human text: what passed or why not */
    int temperror;         /* a DNS timeout/SERVFAIL caused the failure: may pass later */
    int count;             /* N: the highest instance (0 without ARC headers) */
    int oldest_pass;       /* RFC 8617 §5.2 step 6: lowest instance whose AMS and every
                              newer one verify; 0 when all do; -1 when not computed */
    sw_arc_instance *sets; /* by instance, sets[k].instance == k + 1 when structure is ok */
    size_t nsets;
    size_t body_hashes;    /* body hashes sw_arc_verify computed (not the ones it found in
                              a shared set, opts.bodyhashes) */
} sw_arc_report;

typedef struct sw_arc_opts {
    int64_t skew;       /* seconds allowed on a t= in the future (default 300); < 0: no
                           t= check at all (fixtures with t=1 .. t=12349 pass either way) */
    int oldest_pass;    /* compute oldest-pass by verifying older AMS headers (default 1) */
    unsigned min_bits;  /* RSA keys below this fail (default SW_ARC_MIN_RSA_BITS) */
    /* DKIM's (dkim.h), so that a message's DKIM check and its ARC check share them:
     * parsed keys kept across messages (NULL: parsed per call; a full cache is emptied
     * at the start of the call, as sw_dkim_verify does) and the message's body hashes
     * (NULL: the call keeps its own). Default NULL. */
    sw_dkim_keycache *keys;
    sw_dkim_bodyhashes *bodyhashes;
} sw_arc_opts;

/* RFC 8301 / RFC 8617 §4.1: keys under 1024 bits are not acceptable. */
#define SW_ARC_MIN_RSA_BITS 1024

void sw_arc_opts_default(sw_arc_opts *o);

/* Validates the chain in h (the header block of msg[0..len)). now is the clock for t=.
 * opts may be NULL. Returns 0 with *out filled (also for none and fail), or SW_ENOMEM /
 * SW_EINVAL. DNS queries go through r and land in its evidence log. */
int sw_arc_verify(sw_arena *a, const char *msg, size_t len, const sw_header_block *h,
                  sw_resolver *r, int64_t now, const sw_arc_opts *opts, sw_arc_report *out);

/* One line of evidence: arc=<result>, N, oldest-pass, each instance's sealer, signer,
 * cv=, outcomes, and the reason. In a; NULL when the arena is full. */
const char *sw_arc_evidence(sw_arena *a, const sw_arc_report *rep);

/* Is the newest sealer (AS d= of instance N) one of trusted[0..n) (exact domain, ASCII
 * case-insensitive, or a subdomain when the entry starts with '.')? 0 when the chain
 * did not pass. The caller decides whether a pass from this sealer may rescue DMARC. */
int sw_arc_sealer_trusted(const sw_arc_report *rep, const char *const *trusted, size_t n);

/* ---- sealing ---- */

typedef struct sw_arc_seal_params {
    const char *domain;      /* d= of AMS and AS */
    const char *selector;    /* s= */
    const char *key_pem;     /* RSA private key, PEM (PKCS#1 or PKCS#8) */
    size_t key_pem_len;
    const char *authserv_id; /* the Authentication-Results to consolidate into the AAR */
    const char *headers;     /* the AMS h= list, colon-separated as it will be written */
    int64_t timestamp;       /* t= */
} sw_arc_seal_params;

typedef struct sw_arc_sealed {
    int sealed;          /* 1 when a set was produced */
    int instance;        /* i= of the new set */
    sw_arc_result cv;    /* chain status sealed as cv= */
    const char *reason;  /* why not sealed, or what was sealed */
    /* header values (the text after "Name:"), one line each; the caller prepends them
     * to the message in the order AS, AMS, AAR */
    const char *aar, *ams, *as;
    sw_arc_report chain; /* the incoming chain's validation */
} sw_arc_sealed;

/* Seals msg. The incoming chain is validated through r first (now is its clock).
 * Returns 0 with *out filled (sealed == 0 with a reason when the chain must not be
 * sealed), SW_EFORMAT when the key cannot be read or is not RSA, SW_EINVAL for missing
 * parameters, SW_ENOMEM. */
int sw_arc_seal(sw_arena *a, const char *msg, size_t len, const sw_header_block *h,
                sw_resolver *r, int64_t now, const sw_arc_seal_params *p, sw_arc_sealed *out);

#endif
