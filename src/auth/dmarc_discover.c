/* DMARC policy discovery: the _dmarc lookups, the organizational domain by the Public
 * Suffix List (RFC 7489 §6.6.3) or the DNS tree walk (RFC 9989 §4.8, §4.10), and
 * sw_dmarc_policy_discover(); see include/spoofwatch/dmarcpol.h.
 *
 * Works on the evaluation context of dmarc_internal.h, whose answer cache and evidence
 * lines it fills; dmarc.c's evaluation calls in here for the author's policy and for each
 * identifier's organizational domain. Records are parsed by dmarc_record.c, names go
 * through idn.h. Answers, records and evidence live in the caller's arena; the context
 * of sw_dmarc_policy_discover is malloc'd and freed here. */
#include "spoofwatch/dmarcpol.h"
#include "spoofwatch/error.h"
#include "spoofwatch/idn.h"
#include "spoofwatch/limits.h"
#include "dmarc_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- domains ---- */

/* Lower-case A-label form of a domain, root dot(s) dropped (and leading dots when
 * `lenient`: OpenDMARC's alignment normalisation). */
int sw_dmarc_norm_domain(sw_arena *a, const char *in, int lenient, const char **out)
{
    *out = NULL;
    if (!in)
        return DOM_INVALID;
    size_t n = strlen(in);
    while (n && in[n - 1] == '.')
        n--;
    if (lenient)
        while (n && in[0] == '.') {
            in++;
            n--;
        }
    if (n && in[0] == '[')
        return DOM_LITERAL; /* user@[192.0.2.1]: no DMARC domain */
    if (!n || n > 253)
        return DOM_INVALID;
    if (sw_idn_is_idn(in, n)) {
        const char *ascii = NULL;
        if (sw_idn_convert(a, in, n, &ascii, NULL) || !ascii)
            return DOM_INVALID;
        in = ascii;
        n = strlen(ascii);
        if (!n || n > 253)
            return DOM_INVALID;
    }
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (!label && !lenient)
                return DOM_INVALID;
            label = 0;
            continue;
        }
        if (++label > 63)
            return DOM_INVALID;
        if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9') && c != '-' &&
            c != '_')
            return DOM_INVALID;
    }
    char *s = sw_arena_strndup_lower(a, in, n);
    if (!s)
        return DOM_NOMEM;
    *out = s;
    return DOM_OK;
}

static size_t count_labels(const char *d)
{
    size_t n = 1;
    for (; *d; d++)
        n += *d == '.';
    return n;
}

/* The suffix of d with `keep` labels (d itself when it has no more). */
static const char *suffix_labels(const char *d, size_t keep)
{
    size_t n = count_labels(d);
    while (n > keep) {
        const char *dot = strchr(d, '.');
        if (!dot)
            break;
        d = dot + 1;
        n--;
    }
    return d;
}

/* A top-level label made of digits: an address written as a name (192.0.2.1). TLDs are
 * alphabetic (RFC 3696 §2), so such a name has no parent worth asking about. */
int sw_dmarc_numeric_tld(const char *d)
{
    const char *dot = strrchr(d, '.');
    const char *t = dot ? dot + 1 : d;
    if (!*t)
        return 0;
    for (; *t; t++)
        if (*t < '0' || *t > '9')
            return 0;
    return 1;
}

/* ---- evaluation context ---- */

void sw_dmarc_step(ectx *c, const char *fmt, ...)
{
    if (c->nsteps >= SW_DMARC_MAX_STEPS - 1) {
        c->steps_dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *s = sw_arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    if (!s) {
        c->nomem = 1;
        return;
    }
    c->steps[c->nsteps++] = s;
}

int sw_dmarc_failed_status(sw_dns_status s)
{
    return s == SW_DNS_TEMPFAIL || s == SW_DNS_DENIED;
}

/* The _dmarc TXT answer for domain, reduced to its DMARC records; remembered for the rest
 * of the evaluation. NULL only when out of memory. */
static const fetched *fetch(ectx *c, const char *domain)
{
    for (size_t i = 0; i < c->ncache; i++)
        if (!strcmp(c->cache[i].domain, domain))
            return &c->cache[i];
    /* cache full: the answer lives in the arena instead and is not remembered */
    int cached = c->ncache < SW_DMARC_MAX_CACHE;
    fetched *f = cached ? &c->cache[c->ncache] : sw_arena_alloc(c->a, sizeof *f);
    if (!f) {
        c->nomem = 1;
        return NULL;
    }
    memset(f, 0, sizeof *f);
    f->domain = domain;
    char *qname = sw_arena_printf(c->a, "_dmarc.%s", domain);
    sw_dns_answer ans;
    if (!qname || sw_dns_query(c->r, c->a, qname, SW_DNS_TXT, &ans)) {
        c->nomem = 1;
        return NULL;
    }
    c->queries++;
    f->status = ans.status;
    size_t other = 0;
    if (ans.status == SW_DNS_OK) {
        for (size_t i = 0; i < ans.n; i++) {
            sw_dmarc_policy_record *rec = sw_arena_alloc(c->a, sizeof *rec);
            if (!rec) {
                c->nomem = 1;
                return NULL;
            }
            int rc = sw_dmarc_policy_parse(c->a, ans.rrs[i].text, ans.rrs[i].text_len, rec);
            if (rc == SW_ENOMEM) {
                c->nomem = 1;
                return NULL;
            }
            if (rc == 0) {
                if (++f->ndmarc == 1)
                    f->rec = rec;
            } else {
                other++;
            }
        }
    }
    if (sw_dmarc_failed_status(ans.status))
        sw_dmarc_step(c, "%s TXT: %s (DNS failure)", qname, sw_dns_status_name(ans.status));
    else if (f->ndmarc == 1)
        sw_dmarc_step(c, "%s TXT: DMARC record \"%.*s\"%s", qname,
                      (int)(f->rec->raw_len > 600 ? 600 : f->rec->raw_len), f->rec->raw,
                      other ? " (other TXT records ignored)" : "");
    else if (f->ndmarc > 1)
        sw_dmarc_step(c, "%s TXT: %zu DMARC records, all discarded", qname, f->ndmarc);
    else if (ans.status == SW_DNS_OK)
        sw_dmarc_step(c, "%s TXT: %zu TXT record(s), none a DMARC record", qname, other);
    else
        sw_dmarc_step(c, "%s TXT: %s", qname, sw_dns_status_name(ans.status));
    if (f->ndmarc != 1)
        f->rec = NULL;
    if (cached)
        c->ncache++;
    return f;
}

/* ---- RFC 9989 tree walk ---- */

/* RFC 9989 §4.8: the start name, then (8 labels or more) its 7-label suffix, then one label
 * less each time, at most 8 names; stops at a single record with psd=n (or psd=y above the
 * start). */
int sw_dmarc_tree_walk(ectx *c, const char *start, walk *w)
{
    memset(w, 0, sizeof *w);
    const char *target = start;
    size_t labels = count_labels(start);
    int numeric = sw_dmarc_numeric_tld(start);
    for (;;) {
        const fetched *f = fetch(c, target);
        if (!f)
            return SW_ENOMEM;
        w->queries++;
        if (sw_dmarc_failed_status(f->status)) {
            w->failed = 1;
            return 0;
        }
        if (f->rec) {
            w->found[w->nfound++] = f;
            if (f->rec->psd == 'n' || (f->rec->psd == 'y' && target != start))
                return 0;
        }
        if (labels <= 1 || numeric || w->queries >= SW_DMARC_WALK_QUERIES)
            return 0;
        size_t next = labels >= SW_DMARC_WALK_QUERIES && target == start
                          ? SW_DMARC_WALK_QUERIES - 1
                          : labels - 1;
        target = suffix_labels(target, next);
        labels = next;
    }
}

/* RFC 9989 §4.10.2: organizational domain from a walk that started at `start`. */
const char *sw_dmarc_walk_org(const walk *w, const char *start)
{
    for (size_t i = 0; i < w->nfound; i++) {
        const fetched *f = w->found[i];
        if (f->rec->psd == 'n')
            return f->domain;
        if (f->rec->psd == 'y' && strcmp(f->domain, start))
            return suffix_labels(start, count_labels(f->domain) + 1);
    }
    return w->nfound ? w->found[w->nfound - 1]->domain : start;
}

/* ---- discovery ---- */

void sw_dmarc_disc_init(ectx *c, sw_dmarc_policy_discovery *d, const char *domain)
{
    memset(d, 0, sizeof *d);
    d->method = c->method;
    d->domain = domain;
    if (c->method == SW_DMARC_METHOD_PSL && c->psl) {
        d->psl_source = c->psl->source;
        d->psl_date = c->psl->list_date;
    }
}

const char *sw_dmarc_psl_org(ectx *c, const char *domain)
{
    if (sw_dmarc_numeric_tld(domain))
        return NULL; /* an address, not a name: the list has no answer */
    const char *org = sw_orgdomain(c->psl, c->a, domain);
    if (!org)
        c->nomem = 1;
    return org;
}

/* RFC 7489 §6.6.3 steps 1-4. */
int sw_dmarc_discover_psl(ectx *c, sw_dmarc_policy_discovery *d)
{
    const fetched *f = fetch(c, d->domain);
    if (!f)
        return SW_ENOMEM;
    const char *org = sw_dmarc_psl_org(c, d->domain);
    if (c->nomem)
        return SW_ENOMEM;
    d->org_domain = org;
    sw_dmarc_step(c, "organizational domain of %s by the Public Suffix List (%s, %s): %s",
                  d->domain, c->psl->source,
                  c->psl->list_date[0] ? c->psl->list_date : "date unknown",
                  org ? org : "none (an address, or a public suffix)");
    if (sw_dmarc_failed_status(f->status)) {
        d->status = SW_DMARC_TEMPERROR;
        d->why = "DNS failure at the author domain";
        return 0;
    }
    if (f->rec) {
        d->status = SW_DMARC_PASS;
        d->record = f->rec;
        d->policy_domain = f->domain;
        d->why = "record at the domain itself";
        return 0;
    }
    if (f->ndmarc > 1) {
        d->status = SW_DMARC_NONE;
        d->why = "several DMARC records at the domain: discovery ends (RFC 7489 §6.6.3)";
        return 0;
    }
    if (!org || !strcmp(org, d->domain)) {
        d->status = SW_DMARC_NONE;
        d->why = "no record, and no organizational domain above the domain";
        return 0;
    }
    const fetched *o = fetch(c, org);
    if (!o)
        return SW_ENOMEM;
    if (sw_dmarc_failed_status(o->status)) {
        d->status = SW_DMARC_TEMPERROR;
        d->why = "DNS failure at the organizational domain";
        return 0;
    }
    if (!o->rec) {
        d->status = SW_DMARC_NONE;
        d->why = o->ndmarc > 1 ? "several DMARC records at the organizational domain"
                               : "no record at the domain or its organizational domain";
        return 0;
    }
    d->status = SW_DMARC_PASS;
    d->record = o->rec;
    d->policy_domain = o->domain;
    d->from_org = 1;
    d->why = "record at the organizational domain";
    return 0;
}

/* RFC 9989 §4.10: policy from the author domain, its organizational domain, or its PSD.
 * `need_org`: run the walk even when the author publishes a record (for relaxed
 * alignment); otherwise it is run only when the author has no record. */
int sw_dmarc_discover_walk(ectx *c, sw_dmarc_policy_discovery *d, int need_org)
{
    const fetched *f = fetch(c, d->domain);
    if (!f)
        return SW_ENOMEM;
    if (sw_dmarc_failed_status(f->status)) {
        d->status = SW_DMARC_TEMPERROR;
        d->why = "DNS failure at the author domain";
        return 0;
    }
    if (f->rec) {
        d->status = SW_DMARC_PASS;
        d->record = f->rec;
        d->policy_domain = f->domain;
        d->why = "record at the domain itself";
        if (!need_org)
            return 0;
    }
    walk w;
    if (sw_dmarc_tree_walk(c, d->domain, &w))
        return SW_ENOMEM;
    if (w.failed) {
        d->org_failed = 1;
        sw_dmarc_step(c,
                      "tree walk from %s: DNS failure after %u name(s); organizational domain "
                      "unknown",
                      d->domain, w.queries);
        if (!f->rec) {
            d->status = SW_DMARC_TEMPERROR;
            d->why = "DNS failure during the tree walk";
        }
        return 0;
    }
    d->org_domain = sw_dmarc_walk_org(&w, d->domain);
    sw_dmarc_step(c, "tree walk from %s: %u name(s), %zu with a record; organizational domain %s",
                  d->domain, w.queries, w.nfound, d->org_domain);
    if (f->rec)
        return 0;
    for (size_t i = 0; i < w.nfound; i++)
        if (!strcmp(w.found[i]->domain, d->org_domain)) {
            d->status = SW_DMARC_PASS;
            d->record = w.found[i]->rec;
            d->policy_domain = w.found[i]->domain;
            d->from_org = 1;
            d->why = "record at the organizational domain";
            return 0;
        }
    for (size_t i = 0; i < w.nfound; i++)
        if (w.found[i]->rec->psd == 'y') {
            d->status = SW_DMARC_PASS;
            d->record = w.found[i]->rec;
            d->policy_domain = w.found[i]->domain;
            d->from_org = d->from_psd = 1;
            d->why = "record at the public suffix domain (psd=y)";
            return 0;
        }
    d->status = SW_DMARC_NONE;
    d->why = f->ndmarc > 1 ? "several DMARC records at the domain (discarded), and no "
                             "record above it"
                           : "no record found by the tree walk";
    return 0;
}

void sw_dmarc_ectx_init(ectx *c, sw_resolver *r, sw_orgdomain_ctx *psl, sw_arena *a,
                        sw_dmarc_method method)
{
    /* Field by field rather than a memset: the answer cache and the step list are 5 KB
     * that are only ever read below ncache / nsteps, and zeroing them cost more than the
     * rest of a typical evaluation's bookkeeping. */
    c->r = r;
    c->psl = psl;
    c->a = a;
    c->method = method;
    c->ncache = 0;
    c->nsteps = c->steps_dropped = 0;
    c->queries = 0;
    c->nomem = 0;
}

int sw_dmarc_policy_discover(sw_resolver *r, sw_orgdomain_ctx *psl, sw_arena *a,
                             const char *domain, sw_dmarc_method method,
                             sw_dmarc_policy_discovery *out)
{
    memset(out, 0, sizeof *out);
    if (!r || !a || (method == SW_DMARC_METHOD_PSL && !psl) ||
        (method != SW_DMARC_METHOD_PSL && method != SW_DMARC_METHOD_TREEWALK))
        return SW_EINVAL;
    ectx *c = malloc(sizeof *c); /* the answer cache is too big for small stacks */
    if (!c)
        return SW_ENOMEM;
    sw_dmarc_ectx_init(c, r, psl, a, method);
    const char *dom;
    int nd = sw_dmarc_norm_domain(a, domain, 0, &dom);
    sw_dmarc_disc_init(c, out, dom);
    int rc = 0;
    if (nd == DOM_NOMEM) {
        rc = SW_ENOMEM;
    } else if (nd != DOM_OK) {
        out->status = SW_DMARC_NONE;
        out->why = nd == DOM_LITERAL ? "an address literal has no DMARC record"
                                     : "not a domain name";
    } else {
        rc = method == SW_DMARC_METHOD_PSL ? sw_dmarc_discover_psl(c, out)
                                           : sw_dmarc_discover_walk(c, out, 1);
        if (!rc && c->nomem)
            rc = SW_ENOMEM;
    }
    out->queries = c->queries;
    free(c);
    return rc;
}
