/* SPF verification (RFC 7208): check_host() against an sw_resolver, with its evidence.
 *
 * Contract:
 *   - sw_spf_verify() checks one identity of one SMTP transaction: the MAIL FROM identity
 *     (with a null reverse-path it checks postmaster@<helo>, RFC 7208 §2.4) or the HELO
 *     identity. sw_spf_check_host() is the bare RFC function.
 *   - Every DNS question goes through sw_dns_query(), so the resolver's log holds the
 *     records the result rests on; only TXT is asked for policies (the SPF RR type 99 is
 *     never queried, RFC 7208 §3.1).
 *   - Limits of RFC 7208 §4.6.4 are enforced exactly: at most 10 DNS-querying terms
 *     (include, a, mx, ptr, exists, redirect; exp= does not count) over the whole
 *     evaluation, at most 2 void lookups, at most 10 MX names per mx (more is permerror),
 *     at most 10 PTR names per ptr or %{p} (the rest are ignored). Hard caps on record
 *     length, terms and macro expansion are in limits.h.
 *   - Domains are ASCII (IDNs as A-labels). The checked domain must be a host name with a
 *     dot and 1..63-octet labels, else the result is none (RFC 7208 §4.3).
 *   - The outcome carries the RFC 8601 result word, the identity, the matching term and
 *     the domain whose record held it, the term and void counts, the limit hit (if any),
 *     the records used, the explanation (exp=, after fail) and one evidence text.
 *
 * Memory: everything in the outcome lives in the arena given to the call (the message's
 * arena); nothing needs freeing on its own. The resolver stays the caller's. */
#ifndef SPOOFWATCH_SPF_H
#define SPOOFWATCH_SPF_H

#include <stddef.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/dns.h"

typedef enum sw_spf_result {
    SW_SPF_NONE = 0,
    SW_SPF_NEUTRAL,
    SW_SPF_PASS,
    SW_SPF_FAIL,
    SW_SPF_SOFTFAIL,
    SW_SPF_TEMPERROR,
    SW_SPF_PERMERROR
} sw_spf_result;

/* "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror" (RFC 8601). */
const char *sw_spf_result_name(sw_spf_result r);

typedef enum sw_spf_identity {
    SW_SPF_ID_MAILFROM = 0, /* MAIL FROM; postmaster@helo when the reverse-path is null */
    SW_SPF_ID_HELO
} sw_spf_identity;

/* One SMTP transaction as seen by the receiver. */
typedef struct sw_spf_request {
    const char *ip;       /* client address, IPv4 or IPv6 text (IPv4-mapped IPv6 is IPv4) */
    const char *mailfrom; /* reverse-path without <>; NULL or "" for the null sender */
    const char *helo;     /* HELO/EHLO argument */
    const char *receiver; /* %{r} in explanations; NULL -> "unknown" */
    long long now;        /* %{t} in explanations (seconds since the epoch) */
} sw_spf_request;

/* A policy record that the evaluation read. */
typedef struct sw_spf_record_used {
    const char *domain;
    const char *text;
} sw_spf_record_used;

typedef struct sw_spf_outcome {
    sw_spf_result result;
    const char *identity;      /* "mailfrom" (also for a null sender, checked as
                                * postmaster@helo) or "helo" */
    const char *domain;        /* the domain check_host() started from */
    const char *sender;        /* <sender> as used (postmaster@... when no local part) */
    const char *mechanism;     /* matching term as written ("-all", "include:x"); NULL when
                                * no term matched (neutral by default, none, errors) */
    const char *match_domain;  /* domain whose record held the matching term */
    const char *explanation;   /* exp= text after fail, NULL when there is none */
    const char *problem;       /* why permerror/temperror/none; NULL for a term result */
    const char *limit_hit;     /* the term that exceeded a limit, or NULL */
    unsigned dns_terms;        /* DNS-querying terms evaluated (limit 10) */
    unsigned void_lookups;     /* NXDOMAIN/empty answers (limit 2) */
    sw_spf_record_used *records; /* in the order read */
    size_t nrecords;
    const char *evidence;      /* human text: every step, one per line */
} sw_spf_outcome;

/* Checks req's identity. Returns 0 (the verdict is in out->result; DNS trouble is a
 * temperror result, not a return code) or SW_ENOMEM / SW_EINVAL (NULL ip, bad ip text). */
int sw_spf_verify(sw_resolver *r, sw_arena *a, const sw_spf_request *req, sw_spf_identity id,
                  sw_spf_outcome *out);

/* check_host(ip, domain, sender) of RFC 7208 §4; helo feeds %{h}, receiver/now as above
 * (req->mailfrom is ignored: sender is given). Returns as sw_spf_verify(). */
int sw_spf_check_host(sw_resolver *r, sw_arena *a, const sw_spf_request *req,
                      const char *domain, const char *sender, sw_spf_outcome *out);

/* ---- the record parser (spf_record.c), public for tests and fuzzing ---- */

typedef enum sw_spf_mech {
    SW_SPF_ALL = 0,
    SW_SPF_INCLUDE,
    SW_SPF_A,
    SW_SPF_MX,
    SW_SPF_PTR,
    SW_SPF_IP4,
    SW_SPF_IP6,
    SW_SPF_EXISTS
} sw_spf_mech;

typedef struct sw_spf_term {
    char qualifier;          /* '+', '-', '~', '?' */
    sw_spf_mech mech;
    const char *text;        /* the term as written */
    const char *domain_spec; /* a, mx, ptr, include, exists: the unexpanded target or NULL */
    unsigned cidr4, cidr6;   /* a, mx, ip4, ip6: prefix lengths (defaults 32 / 128) */
    unsigned char addr[16];  /* ip4 (first 4 bytes), ip6 */
} sw_spf_term;

typedef struct sw_spf_record {
    sw_spf_term *terms; /* directives, in order */
    size_t nterms;
    const char *redirect; /* domain-spec of redirect=, or NULL */
    const char *exp;      /* domain-spec of exp=, or NULL */
} sw_spf_record;

/* 1 when text (len bytes, may hold NULs) is an SPF version 1 record: "v=spf1" in any case,
 * then a space or the end (RFC 7208 §4.5). */
int sw_spf_is_record(const char *text, size_t len);
/* Parses a whole record; any syntax error anywhere is SW_EFORMAT with *why set (a static
 * or arena string naming the term), which check_host reports as permerror. SW_ELIMIT when
 * a cap in limits.h is passed, SW_ENOMEM when a is full. */
int sw_spf_record_parse(sw_arena *a, const char *text, size_t len, sw_spf_record *out,
                        const char **why);

/* ---- macro expansion (spf_macro.c, RFC 7208 §7) ---- */

typedef struct sw_spf_macro_ctx {
    const char *s, *l, *o, *d, *h; /* sender, local part, sender domain, domain, HELO */
    const char *r;                 /* receiver; NULL -> "unknown" */
    long long t;
    int ip_v6;               /* 0: IPv4 (addr[0..3]), 1: IPv6 */
    unsigned char ip[16];
    /* %{p}: the validated name for domain d, or NULL for "unknown"; NULL callback: unknown.
     * Returns 0 or a negative SW_E* that aborts the expansion. */
    int (*ptr_name)(void *ctx, const char *d, const char **name);
    void *ptr_ctx;
} sw_spf_macro_ctx;

/* Where the macro string stands, which decides the letters allowed. */
typedef enum sw_spf_macro_kind {
    SW_SPF_MACRO_DOMAIN = 0, /* domain-spec: c, r, t are errors; ends in a domain-end */
    SW_SPF_MACRO_MODIFIER,   /* unknown-modifier value: any letter, no domain-end */
    SW_SPF_MACRO_EXPLAIN     /* explanation text: spaces allowed, c, r, t allowed */
} sw_spf_macro_kind;

/* Syntax only (no expansion): 0 or SW_EFORMAT. */
int sw_spf_macro_check(const char *in, size_t len, sw_spf_macro_kind kind);
/* Expands in into an arena string (*out). Domains are not shortened here (see
 * sw_spf_domain_finish). SW_EFORMAT on a syntax error, SW_ELIMIT when the result would
 * pass SW_MAX_SPF_EXPANSION, SW_ENOMEM, or the callback's error. */
int sw_spf_macro_expand(sw_arena *a, const sw_spf_macro_ctx *ctx, const char *in, size_t len,
                        sw_spf_macro_kind kind, char **out);
/* Makes an expanded domain-spec a query name in place: drops one trailing dot and, past
 * 253 octets, labels from the left (RFC 7208 §7.3). Returns 1 when the result is a name
 * that can exist (labels of 1..63 octets), else 0. */
int sw_spf_domain_finish(char *name);

#endif
