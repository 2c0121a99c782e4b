/* DMARC internals shared by dmarc_discover.c (policy discovery) and dmarc.c (evaluation,
 * which discovers the author's policy and each identifier's organizational domain); not
 * public API. */
#ifndef SW_DMARC_INTERNAL_H
#define SW_DMARC_INTERNAL_H

#include "spoofwatch/dmarcpol.h"
#include "spoofwatch/limits.h"

/* sw_dmarc_norm_domain outcomes */
enum { DOM_OK = 0, DOM_LITERAL = 1, DOM_INVALID = -1, DOM_NOMEM = -2 };

typedef struct fetched {
    const char *domain;
    sw_dns_status status;
    size_t ndmarc; /* DMARC records at the name (several = all discarded) */
    const sw_dmarc_policy_record *rec; /* the record when ndmarc == 1 */
} fetched;

typedef struct ectx {
    sw_resolver *r;
    sw_orgdomain_ctx *psl;
    sw_arena *a;
    sw_dmarc_method method;
    fetched cache[SW_DMARC_MAX_CACHE];
    size_t ncache;
    const char *steps[SW_DMARC_MAX_STEPS];
    size_t nsteps, steps_dropped;
    unsigned queries;
    int nomem;
} ectx;

typedef struct walk {
    const fetched *found[SW_DMARC_WALK_QUERIES]; /* names with one valid record, longest first */
    size_t nfound;
    int failed;      /* a query failed: what lies above is unknown */
    unsigned queries; /* names asked (or reused) by this walk */
} walk;

/* Lower-case A-label form of in, root dot(s) dropped (and leading dots when `lenient`:
 * OpenDMARC's alignment normalisation), in the arena: DOM_*. */
int sw_dmarc_norm_domain(sw_arena *a, const char *in, int lenient, const char **out);
/* 1 when the top-level label is all digits: an address written as a name. */
int sw_dmarc_numeric_tld(const char *d);

/* Adds an evidence line (kept up to SW_DMARC_MAX_STEPS; c->nomem when the arena is full). */
void sw_dmarc_step(ectx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A DNS outcome that leaves the answer unknown (timeout, SERVFAIL, denied). */
int sw_dmarc_failed_status(sw_dns_status s);
/* Fields set for a context that has fetched nothing yet. */
void sw_dmarc_ectx_init(ectx *c, sw_resolver *r, sw_orgdomain_ctx *psl, sw_arena *a,
                        sw_dmarc_method method);

/* RFC 9989 §4.8 from start into *w; 0, or SW_ENOMEM. */
int sw_dmarc_tree_walk(ectx *c, const char *start, walk *w);
/* RFC 9989 §4.10.2: the organizational domain from a walk that started at start. */
const char *sw_dmarc_walk_org(const walk *w, const char *start);
/* The PSL organizational domain, NULL for an address (or with c->nomem set). */
const char *sw_dmarc_psl_org(ectx *c, const char *domain);

/* A discovery result for domain with nothing found yet. */
void sw_dmarc_disc_init(ectx *c, sw_dmarc_policy_discovery *d, const char *domain);
/* Fill d for d->domain by c's method: 0 (the outcome in d), or SW_ENOMEM. need_org: walk
 * for the organizational domain even when the domain has its own record. */
int sw_dmarc_discover_psl(ectx *c, sw_dmarc_policy_discovery *d);
int sw_dmarc_discover_walk(ectx *c, sw_dmarc_policy_discovery *d, int need_org);

#endif
