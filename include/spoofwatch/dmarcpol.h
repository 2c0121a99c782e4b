/* DMARC policy evaluation (RFC 7489 and RFC 9989): record parsing, policy discovery,
 * identifier alignment, result and disposition. (DMARC *reports* are dmarc.h.)
 *
 * Contract:
 *   - The caller gives the RFC 5322.From domain (A-labels), the SPF result with the domain
 *     it authenticated (MAIL FROM, or HELO for a null path) and each DKIM signature's result
 *     with its d=. Only "pass" results can align; the others are kept as evidence.
 *   - Discovery is by one of two methods, chosen per call and recorded in the output:
 *     SW_DMARC_METHOD_PSL (RFC 7489 §6.6.3: author domain, then its Public Suffix List
 *     organizational domain) or SW_DMARC_METHOD_TREEWALK (RFC 9989: the DNS tree walk, at
 *     most 8 queries per walk, with psd=, np= and t=).
 *   - Every DNS question goes through the sw_resolver given (dns.h), so the resolver's log
 *     holds the records the verdict rests on; `dns_log` in the result points at it.
 *   - DNS failures (timeout, SERVFAIL, deny-network) that decide the outcome give
 *     temperror, never "no record".
 *
 * Memory: every string and array of a result lives in the arena passed in (the message's
 * arena); nothing is freed separately. The PSL context (orgdomain.h) and the resolver are
 * the caller's and must outlive the call. Nothing here keeps state between calls. */
#ifndef SPOOFWATCH_DMARCPOL_H
#define SPOOFWATCH_DMARCPOL_H

#include <stddef.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/orgdomain.h"

typedef enum sw_dmarc_method {
    SW_DMARC_METHOD_PSL = 1,     /* RFC 7489: Public Suffix List */
    SW_DMARC_METHOD_TREEWALK = 2 /* RFC 9989: DNS tree walk */
} sw_dmarc_method;

typedef enum sw_dmarc_result {
    SW_DMARC_NONE = 0, /* no policy record, or no usable author domain */
    SW_DMARC_PASS,
    SW_DMARC_FAIL,
    SW_DMARC_TEMPERROR, /* a DNS failure decided the outcome */
    SW_DMARC_PERMERROR  /* the From domain is not a domain name (empty label, bad byte) */
} sw_dmarc_result;

typedef enum sw_dmarc_policy {
    SW_DMARC_POLICY_UNSET = 0, /* absent, or not a valid keyword */
    SW_DMARC_POLICY_NONE,
    SW_DMARC_POLICY_QUARANTINE,
    SW_DMARC_POLICY_REJECT
} sw_dmarc_policy;

/* ---- record parsing ---- */

typedef struct sw_dmarc_policy_record {
    const char *raw; /* the record as published, character-strings joined */
    size_t raw_len;
    sw_dmarc_policy p, sp, np;   /* UNSET when absent or invalid */
    int p_present, sp_present, np_present;
    int p_invalid, sp_invalid, np_invalid; /* present but not none/quarantine/reject */
    char adkim, aspf;            /* 'r' or 's' (default 'r'; an invalid value keeps it) */
    int pct;                     /* 0..100; 100 when absent or invalid (RFC 7489 §6.3) */
    int pct_present, pct_invalid;
    char psd;                    /* 'y', 'n' or 'u' (default) */
    int testing;                 /* t=y */
    const char *rua, *ruf, *fo, *rf; /* values as published (case kept); NULL = absent */
    unsigned long ri;            /* 86400 when absent */
    int ri_present;
    int rua_valid;               /* rua holds at least one syntactically valid URI */
    unsigned unknown_tags;       /* ignored, as both RFCs require */
    unsigned malformed_tags;     /* "tagonly", "=value": ignored, counted */
    unsigned duplicate_tags;     /* later copies ignored, counted */
} sw_dmarc_policy_record;

/* Parses one TXT record. 0 when it is a DMARC record (first tag v=DMARC1, the value exact
 * and case-sensitive, *WSP allowed around '='); SW_ENOTFOUND when it is not one (another
 * TXT record, v=dmarc1, v=DMARC1x); SW_ELIMIT past SW_DMARC_MAX_RECORD bytes; SW_ENOMEM.
 * Malformed or unknown tags after v= never invalidate the record: they are ignored and
 * counted (RFC 7489 §6.3, RFC 9989 §4.7). Strings point into `a`. */
int sw_dmarc_policy_parse(sw_arena *a, const char *txt, size_t len, sw_dmarc_policy_record *out);
const char *sw_dmarc_policy_name(sw_dmarc_policy p); /* "none", ..., "" for UNSET */
const char *sw_dmarc_result_name(sw_dmarc_result r); /* RFC 8601 words */
const char *sw_dmarc_method_name(sw_dmarc_method m); /* "psl", "treewalk" (RFC 9990) */

/* ---- policy discovery ---- */

typedef struct sw_dmarc_policy_discovery {
    sw_dmarc_method method;
    sw_dmarc_result status; /* NONE (no usable record), PASS (= a record), TEMPERROR */
    const char *domain;     /* the domain discovery started from (normalised) */
    const sw_dmarc_policy_record *record; /* the record that applies, NULL when none */
    const char *policy_domain;            /* where that record was published */
    int from_org;  /* the record is not the domain's own (org domain or PSD) */
    int from_psd;  /* the record is a public suffix domain's (psd=y, RFC 9989) */
    const char *org_domain; /* organizational domain of `domain`; NULL when not needed
                               or not known (a DNS failure above the author record) */
    int org_failed;         /* the walk for org_domain hit a DNS failure */
    const char *psl_source, *psl_date; /* PSL method: which list decided */
    unsigned queries;       /* _dmarc TXT queries made by this discovery */
    const char *why;        /* one line: what was found, or why nothing applies */
} sw_dmarc_policy_discovery;

/* Discovers the record that applies to `domain` (RFC 7489 §6.6.3 or RFC 9989 §4.10).
 * `psl` is required for the PSL method (may be NULL for the tree walk). With the tree walk
 * the organizational domain is always determined (the walk runs to its end); with the PSL
 * it is the list's answer. Returns 0 or SW_ENOMEM / SW_EINVAL; the outcome is in *out. */
int sw_dmarc_policy_discover(sw_resolver *r, sw_orgdomain_ctx *psl, sw_arena *a,
                             const char *domain, sw_dmarc_method method,
                             sw_dmarc_policy_discovery *out);

/* Alignment of two domains by the Public Suffix List (RFC 7489 §3.1): strict = equal,
 * relaxed = same organizational domain; case-insensitive, compared on label boundaries,
 * leading and trailing dots ignored. 1 aligned, 0 not. No DNS. */
int sw_dmarc_aligned_psl(sw_orgdomain_ctx *psl, sw_arena *a, const char *from_domain,
                         const char *auth_domain, int strict);

/* ---- evaluation ---- */

typedef struct sw_dmarc_spf_input {
    const char *domain; /* the domain SPF checked (MAIL FROM, or HELO for a null path) */
    const char *result; /* RFC 8601 word from the SPF verifier; NULL = not checked */
    int helo;           /* the domain is the HELO identity */
} sw_dmarc_spf_input;

typedef struct sw_dmarc_dkim_input {
    const char *domain;   /* d= */
    const char *selector; /* s=, for evidence; may be NULL */
    const char *result;   /* RFC 8601 word from the DKIM verifier */
} sw_dmarc_dkim_input;

typedef struct sw_dmarc_input {
    const char *from_domain; /* RFC 5322.From domain; trailing dot ignored */
    sw_dmarc_spf_input spf;
    const sw_dmarc_dkim_input *dkim;
    size_t ndkim; /* signatures past SW_DMARC_MAX_DKIM are counted, not checked */
    /* RFC 7489 pct sampling: this message's draw in 0..99 (e.g. a hash of its
     * Message-ID); a failing message with pct_roll >= pct gets the next-lower policy.
     * -1: no draw, every failing message is sampled in. Ignored by RFC 9989. */
    int pct_roll;
} sw_dmarc_input;

typedef struct sw_dmarc_alignment {
    int strict;                 /* the record asks for strict alignment */
    const char *aligned_domain; /* the passing identifier that aligned, NULL when none */
    const char *aligned_org;    /* the organizational domain it shares with the author
                                   (the author domain itself when identical or strict) */
    int unknown;                /* an org-domain lookup failed for some identifier */
} sw_dmarc_alignment;

typedef struct sw_dmarc_eval_result {
    sw_dmarc_result result;
    sw_dmarc_method method;     /* which discovery method decided */
    const char *author_domain;  /* normalised From domain (header.from) */
    sw_dmarc_policy_discovery discovery;
    const char *policy_tag;     /* "p", "sp" or "np": which tag gave `requested` */
    sw_dmarc_policy requested;  /* the published policy that applies */
    sw_dmarc_policy policy;     /* after RFC 9989 t=y (reject->quarantine->none) */
    int testing;                /* t=y lowered the policy */
    int author_exists;          /* RFC 9989 np test: 1 exists, 0 NXDOMAIN, -1 not asked */
    int pct;                    /* pct of the record (100 when absent) */
    int pct_applied;            /* RFC 7489 sampling changed the disposition */
    sw_dmarc_policy disposition; /* what to do with this message: none unless it fails */
    sw_dmarc_alignment dkim, spf;
    size_t dkim_skipped;        /* signatures beyond SW_DMARC_MAX_DKIM */
    const char *const *steps;   /* human evidence, one line per step, in order */
    size_t nsteps;
    const sw_dns_logentry *dns_log; /* the resolver's log after the call (newest first) */
} sw_dmarc_eval_result;

/* Evaluates DMARC for one author domain. `psl` is required for the PSL method; the tree
 * walk does not use it (may be NULL). Returns 0, or SW_ENOMEM / SW_EINVAL; the DMARC
 * outcome (including temperror) is in *out. Several From domains: call once per domain;
 * the strictest failing outcome is the message's (verification.md §4.2). */
int sw_dmarc_eval(sw_resolver *r, sw_orgdomain_ctx *psl, sw_arena *a, sw_dmarc_method method,
                  const sw_dmarc_input *in, sw_dmarc_eval_result *out);

#endif
