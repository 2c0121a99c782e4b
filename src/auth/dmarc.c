/* DMARC policy evaluation: record parsing, policy discovery by the Public Suffix List
 * (RFC 7489) or the DNS tree walk (RFC 9989), alignment, result and disposition. See
 * include/spoofwatch/dmarcpol.h for the contract.
 *
 * One evaluation keeps a small context on the stack: the _dmarc answers already fetched
 * (a tree walk for an identifier reuses the author's answers, as RFC 9989 §4.10.2
 * suggests) and the evidence lines. Everything handed out lives in the caller's arena. */
#include "spoofwatch/dmarcpol.h"

#include "spoofwatch/idn.h"
#include "spoofwatch/limits.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- names ---- */

const char *sw_dmarc_policy_name(sw_dmarc_policy p)
{
    switch (p) {
    case SW_DMARC_POLICY_NONE: return "none";
    case SW_DMARC_POLICY_QUARANTINE: return "quarantine";
    case SW_DMARC_POLICY_REJECT: return "reject";
    case SW_DMARC_POLICY_UNSET: break;
    }
    return "";
}

const char *sw_dmarc_result_name(sw_dmarc_result r)
{
    switch (r) {
    case SW_DMARC_NONE: return "none";
    case SW_DMARC_PASS: return "pass";
    case SW_DMARC_FAIL: return "fail";
    case SW_DMARC_TEMPERROR: return "temperror";
    case SW_DMARC_PERMERROR: return "permerror";
    }
    return "?";
}

const char *sw_dmarc_method_name(sw_dmarc_method m)
{
    return m == SW_DMARC_METHOD_PSL ? "psl" : m == SW_DMARC_METHOD_TREEWALK ? "treewalk" : "?";
}

/* ---- record parsing ---- */

static int is_wsp(char c)
{
    /* tag-list FWS: folded records arrive with CR LF too */
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && is_wsp(**s))
        (*s)++;
    while (*e > *s && is_wsp((*e)[-1]))
        (*e)--;
}

static int eq_ci(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && !strncasecmp(s, lit, n);
}

static sw_dmarc_policy policy_word(const char *s, size_t n)
{
    if (eq_ci(s, n, "none"))
        return SW_DMARC_POLICY_NONE;
    if (eq_ci(s, n, "quarantine"))
        return SW_DMARC_POLICY_QUARANTINE;
    if (eq_ci(s, n, "reject"))
        return SW_DMARC_POLICY_REJECT;
    return SW_DMARC_POLICY_UNSET;
}

/* Decimal, digits only, at most `maxdigits`; -1 when not one. */
static long long decimal(const char *s, size_t n, size_t maxdigits)
{
    if (!n || n > maxdigits)
        return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* At least one syntactically valid URI (RFC 3986 scheme ":" something) in a
 * comma-separated DMARC URI list; a "!size" suffix (RFC 7489) is allowed. */
static int uri_list_valid(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *q = memchr(p, ',', (size_t)(end - p));
        const char *ue = q ? q : end, *us = p;
        trim(&us, &ue);
        size_t i = 0, len = (size_t)(ue - us);
        int ok = len > 0 && ((us[0] | 32) >= 'a' && (us[0] | 32) <= 'z');
        for (i = 1; ok && i < len && us[i] != ':'; i++) {
            char c = us[i];
            if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9') && c != '+' &&
                c != '-' && c != '.')
                ok = 0;
        }
        if (ok && i < len && us[i] == ':' && i + 1 < len) {
            int clean = 1;
            for (size_t k = i + 1; k < len; k++)
                if (is_wsp(us[k]) || (unsigned char)us[k] < 0x21)
                    clean = 0;
            if (clean && us[i + 1] != '!')
                return 1;
        }
        p = q ? q + 1 : end;
    }
    return 0;
}

enum {
    T_P = 1 << 0, T_SP = 1 << 1, T_NP = 1 << 2, T_ADKIM = 1 << 3, T_ASPF = 1 << 4,
    T_PCT = 1 << 5, T_PSD = 1 << 6, T_T = 1 << 7, T_RUA = 1 << 8, T_RUF = 1 << 9,
    T_FO = 1 << 10, T_RF = 1 << 11, T_RI = 1 << 12, T_V = 1 << 13
};

static const struct {
    const char *name;
    unsigned bit;
} known_tags[] = {{"p", T_P},     {"sp", T_SP},   {"np", T_NP},   {"adkim", T_ADKIM},
                  {"aspf", T_ASPF}, {"pct", T_PCT}, {"psd", T_PSD}, {"t", T_T},
                  {"rua", T_RUA}, {"ruf", T_RUF}, {"fo", T_FO},   {"rf", T_RF},
                  {"ri", T_RI},   {"v", T_V}};

int sw_dmarc_policy_parse(sw_arena *a, const char *txt, size_t len, sw_dmarc_policy_record *out)
{
    memset(out, 0, sizeof *out);
    out->adkim = out->aspf = 'r';
    out->pct = 100;
    out->psd = 'u';
    out->ri = 86400;
    if (!txt)
        return SW_ENOTFOUND;
    if (len > SW_DMARC_MAX_RECORD)
        return SW_ELIMIT;
    const char *p = txt, *end = txt + len;
    unsigned seen = 0;
    int first = 1;
    while (p <= end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *s = p, *e = semi ? semi : end;
        p = semi ? semi + 1 : end + 1;
        trim(&s, &e);
        if (s == e) {
            if (first)
                return SW_ENOTFOUND; /* the record must open with v= */
            continue;                /* empty segment, e.g. a trailing ';' */
        }
        const char *eq = memchr(s, '=', (size_t)(e - s));
        const char *ns = s, *ne = eq ? eq : e, *vs = eq ? eq + 1 : e, *ve = e;
        trim(&ns, &ne);
        trim(&vs, &ve);
        size_t nl = (size_t)(ne - ns), vl = (size_t)(ve - vs);
        if (first) {
            /* v is an ABNF literal (case-insensitive name), DMARC1 an exact value */
            if (!eq || !eq_ci(ns, nl, "v") || vl != 6 || memcmp(vs, "DMARC1", 6))
                return SW_ENOTFOUND;
            first = 0;
            seen |= T_V;
            continue;
        }
        if (!eq || nl == 0) {
            out->malformed_tags++;
            continue;
        }
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof known_tags / sizeof known_tags[0]; i++)
            if (eq_ci(ns, nl, known_tags[i].name))
                bit = known_tags[i].bit;
        if (!bit) {
            out->unknown_tags++;
            continue;
        }
        if (seen & bit) {
            out->duplicate_tags++; /* the first copy stands */
            continue;
        }
        seen |= bit;
        char *val = sw_arena_strndup(a, vs, vl);
        if (!val)
            return SW_ENOMEM;
        switch (bit) {
        case T_P:
        case T_SP:
        case T_NP: {
            sw_dmarc_policy pol = policy_word(vs, vl);
            if (bit == T_P) {
                out->p_present = 1;
                out->p = pol;
                out->p_invalid = pol == SW_DMARC_POLICY_UNSET;
            } else if (bit == T_SP) {
                out->sp_present = 1;
                out->sp = pol;
                out->sp_invalid = pol == SW_DMARC_POLICY_UNSET;
            } else {
                out->np_present = 1;
                out->np = pol;
                out->np_invalid = pol == SW_DMARC_POLICY_UNSET;
            }
            break;
        }
        case T_ADKIM:
        case T_ASPF:
            if (vl == 1 && ((vs[0] | 32) == 'r' || (vs[0] | 32) == 's')) {
                if (bit == T_ADKIM)
                    out->adkim = (char)(vs[0] | 32);
                else
                    out->aspf = (char)(vs[0] | 32);
            }
            break;
        case T_PCT: {
            long long v = decimal(vs, vl, 3);
            out->pct_present = 1;
            if (v < 0 || v > 100)
                out->pct_invalid = 1; /* RFC 7489 §6.3: syntax errors fall back to defaults */
            else
                out->pct = (int)v;
            break;
        }
        case T_PSD:
            if (vl == 1 && ((vs[0] | 32) == 'y' || (vs[0] | 32) == 'n' || (vs[0] | 32) == 'u'))
                out->psd = (char)(vs[0] | 32);
            break;
        case T_T:
            if (vl == 1 && ((vs[0] | 32) == 'y' || (vs[0] | 32) == 'n'))
                out->testing = (vs[0] | 32) == 'y';
            break;
        case T_RUA:
            out->rua = val;
            out->rua_valid = uri_list_valid(vs, vl);
            break;
        case T_RUF: out->ruf = val; break;
        case T_FO: out->fo = val; break;
        case T_RF: out->rf = val; break;
        case T_RI: {
            long long v = decimal(vs, vl, 10);
            if (v >= 0 && v <= 0xffffffffLL) {
                out->ri = (unsigned long)v;
                out->ri_present = 1;
            }
            break;
        }
        }
    }
    if (first)
        return SW_ENOTFOUND;
    if (!(out->raw = sw_arena_strndup(a, txt, len)))
        return SW_ENOMEM;
    out->raw_len = len;
    return 0;
}

/* ---- domains ---- */

enum { DOM_OK = 0, DOM_LITERAL = 1, DOM_INVALID = -1, DOM_NOMEM = -2 };

/* Lower-case A-label form of a domain, root dot(s) dropped (and leading dots when
 * `lenient`: OpenDMARC's alignment normalisation). */
static int norm_domain(sw_arena *a, const char *in, int lenient, const char **out)
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
static int numeric_tld(const char *d)
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

/* d equals parent, or is a subdomain of it (label boundary). */
static int within(const char *d, const char *parent)
{
    size_t n = strlen(d), m = strlen(parent);
    if (n == m)
        return !strcasecmp(d, parent);
    return n > m && d[n - m - 1] == '.' && !strcasecmp(d + n - m, parent);
}

/* ---- evaluation context ---- */

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

static void step(ectx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void step(ectx *c, const char *fmt, ...)
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

static int failed_status(sw_dns_status s)
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
    if (failed_status(ans.status))
        step(c, "%s TXT: %s (DNS failure)", qname, sw_dns_status_name(ans.status));
    else if (f->ndmarc == 1)
        step(c, "%s TXT: DMARC record \"%.*s\"%s", qname, (int)(f->rec->raw_len > 600 ? 600
                                                                  : f->rec->raw_len),
             f->rec->raw, other ? " (other TXT records ignored)" : "");
    else if (f->ndmarc > 1)
        step(c, "%s TXT: %zu DMARC records, all discarded", qname, f->ndmarc);
    else if (ans.status == SW_DNS_OK)
        step(c, "%s TXT: %zu TXT record(s), none a DMARC record", qname, other);
    else
        step(c, "%s TXT: %s", qname, sw_dns_status_name(ans.status));
    if (f->ndmarc != 1)
        f->rec = NULL;
    if (cached)
        c->ncache++;
    return f;
}

/* ---- RFC 9989 tree walk ---- */

typedef struct walk {
    const fetched *found[SW_DMARC_WALK_QUERIES]; /* names with one valid record, longest first */
    size_t nfound;
    int failed;      /* a query failed: what lies above is unknown */
    unsigned queries; /* names asked (or reused) by this walk */
} walk;

/* RFC 9989 §4.8: the start name, then (8 labels or more) its 7-label suffix, then one label
 * less each time, at most 8 names; stops at a single record with psd=n (or psd=y above the
 * start). */
static int tree_walk(ectx *c, const char *start, walk *w)
{
    memset(w, 0, sizeof *w);
    const char *target = start;
    size_t labels = count_labels(start);
    int numeric = numeric_tld(start);
    for (;;) {
        const fetched *f = fetch(c, target);
        if (!f)
            return SW_ENOMEM;
        w->queries++;
        if (failed_status(f->status)) {
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
static const char *walk_org(const walk *w, const char *start)
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

static void disc_init(ectx *c, sw_dmarc_policy_discovery *d, const char *domain)
{
    memset(d, 0, sizeof *d);
    d->method = c->method;
    d->domain = domain;
    if (c->method == SW_DMARC_METHOD_PSL && c->psl) {
        d->psl_source = c->psl->source;
        d->psl_date = c->psl->list_date;
    }
}

static const char *psl_org(ectx *c, const char *domain)
{
    if (numeric_tld(domain))
        return NULL; /* an address, not a name: the list has no answer */
    const char *org = sw_orgdomain(c->psl, c->a, domain);
    if (!org)
        c->nomem = 1;
    return org;
}

/* RFC 7489 §6.6.3 steps 1-4. */
static int discover_psl(ectx *c, sw_dmarc_policy_discovery *d)
{
    const fetched *f = fetch(c, d->domain);
    if (!f)
        return SW_ENOMEM;
    const char *org = psl_org(c, d->domain);
    if (c->nomem)
        return SW_ENOMEM;
    d->org_domain = org;
    step(c, "organizational domain of %s by the Public Suffix List (%s, %s): %s", d->domain,
         c->psl->source, c->psl->list_date[0] ? c->psl->list_date : "date unknown",
         org ? org : "none (an address, or a public suffix)");
    if (failed_status(f->status)) {
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
    if (failed_status(o->status)) {
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
static int discover_walk(ectx *c, sw_dmarc_policy_discovery *d, int need_org)
{
    const fetched *f = fetch(c, d->domain);
    if (!f)
        return SW_ENOMEM;
    if (failed_status(f->status)) {
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
    if (tree_walk(c, d->domain, &w))
        return SW_ENOMEM;
    if (w.failed) {
        d->org_failed = 1;
        step(c, "tree walk from %s: DNS failure after %u name(s); organizational domain "
                "unknown", d->domain, w.queries);
        if (!f->rec) {
            d->status = SW_DMARC_TEMPERROR;
            d->why = "DNS failure during the tree walk";
        }
        return 0;
    }
    d->org_domain = walk_org(&w, d->domain);
    step(c, "tree walk from %s: %u name(s), %zu with a record; organizational domain %s",
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

static void ectx_init(ectx *c, sw_resolver *r, sw_orgdomain_ctx *psl, sw_arena *a,
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
    ectx_init(c, r, psl, a, method);
    const char *dom;
    int nd = norm_domain(a, domain, 0, &dom);
    disc_init(c, out, dom);
    int rc = 0;
    if (nd == DOM_NOMEM) {
        rc = SW_ENOMEM;
    } else if (nd != DOM_OK) {
        out->status = SW_DMARC_NONE;
        out->why = nd == DOM_LITERAL ? "an address literal has no DMARC record"
                                     : "not a domain name";
    } else {
        rc = method == SW_DMARC_METHOD_PSL ? discover_psl(c, out) : discover_walk(c, out, 1);
        if (!rc && c->nomem)
            rc = SW_ENOMEM;
    }
    out->queries = c->queries;
    free(c);
    return rc;
}

/* ---- alignment ---- */

int sw_dmarc_aligned_psl(sw_orgdomain_ctx *psl, sw_arena *a, const char *from_domain,
                         const char *auth_domain, int strict)
{
    const char *f, *d;
    if (norm_domain(a, from_domain, 1, &f) != DOM_OK || norm_domain(a, auth_domain, 1, &d))
        return 0;
    if (!strcmp(f, d))
        return 1;
    if (strict || !psl || numeric_tld(f) || numeric_tld(d))
        return 0;
    const char *of = sw_orgdomain(psl, a, f), *od = sw_orgdomain(psl, a, d);
    return of && od && !strcmp(of, od);
}

typedef enum { AL_NO = 0, AL_YES = 1, AL_UNKNOWN = 2 } aligned_t;

static int is_pass(const char *result)
{
    return result && !strcasecmp(result, "pass");
}

static int is_temperror(const char *result)
{
    return result && !strcasecmp(result, "temperror");
}

/* One identifier against the author domain under the record's mode. */
static aligned_t align_one(ectx *c, const sw_dmarc_policy_discovery *d, const char *id,
                           int strict)
{
    if (!strcmp(id, d->domain))
        return AL_YES;
    if (strict)
        return AL_NO;
    if (c->method == SW_DMARC_METHOD_PSL) {
        if (numeric_tld(id) || !d->org_domain)
            return AL_NO;
        const char *o = psl_org(c, id);
        return o && !strcmp(o, d->org_domain) ? AL_YES : AL_NO;
    }
    if (d->org_failed || !d->org_domain)
        return AL_UNKNOWN;
    /* An identifier's org domain is one of its own suffixes: outside the author's org
     * domain it cannot match, and no walk is needed (RFC 9989 §4.10.2 note). */
    if (!within(id, d->org_domain))
        return AL_NO;
    walk w;
    if (tree_walk(c, id, &w))
        return AL_UNKNOWN;
    if (w.failed) {
        step(c, "tree walk from %s: DNS failure; its organizational domain is unknown", id);
        return AL_UNKNOWN;
    }
    const char *org = walk_org(&w, id);
    step(c, "tree walk from %s: organizational domain %s", id, org);
    return !strcmp(org, d->org_domain) ? AL_YES : AL_NO;
}

/* What an aligned identifier shares with the author: the org domain, or under strict
 * alignment (or with no org domain needed, RFC 9989 §4.10.2 note) the author domain. */
static const char *aligned_org(const sw_dmarc_policy_discovery *d, int strict)
{
    if (strict || !d->org_domain || d->org_failed)
        return d->domain;
    return d->org_domain;
}

/* ---- evaluation ---- */

static sw_dmarc_policy lower(sw_dmarc_policy p)
{
    return p == SW_DMARC_POLICY_REJECT ? SW_DMARC_POLICY_QUARANTINE : SW_DMARC_POLICY_NONE;
}

static void finish(ectx *c, sw_dmarc_eval_result *out)
{
    if (c->steps_dropped)
        c->steps[c->nsteps++] = sw_arena_printf(c->a, "(%zu more steps not kept)",
                                                c->steps_dropped);
    const char **steps = sw_arena_alloc(c->a, (c->nsteps ? c->nsteps : 1) * sizeof *steps);
    if (steps) {
        size_t k = 0;
        for (size_t i = 0; i < c->nsteps; i++)
            if (c->steps[i])
                steps[k++] = c->steps[i];
        out->steps = steps;
        out->nsteps = k;
    }
    out->discovery.queries = c->queries;
    out->dns_log = c->r->log;
}

static int evaluate(ectx *c, const sw_dmarc_input *in, sw_dmarc_eval_result *out)
{
    const char *author;
    int nd = norm_domain(c->a, in->from_domain, 0, &author);
    if (nd == DOM_NOMEM)
        return SW_ENOMEM;
    const char *shown = author ? author : in->from_domain ? in->from_domain : "(none)";
    step(c, "DMARC for From domain %s by %s", shown,
         c->method == SW_DMARC_METHOD_PSL ? "the Public Suffix List (RFC 7489)"
                                          : "the DNS tree walk (RFC 9989)");
    out->author_domain = author;
    disc_init(c, &out->discovery, author);
    if (nd != DOM_OK) {
        out->result = nd == DOM_LITERAL ? SW_DMARC_NONE : SW_DMARC_PERMERROR;
        out->discovery.why = nd == DOM_LITERAL ? "an address literal has no DMARC record"
                                               : "the From domain is not a domain name";
        step(c, "%s: %s", sw_dmarc_result_name(out->result), out->discovery.why);
        return 0;
    }

    /* Passing identifiers, normalised; the others are only evidence. */
    const char *spf_id = NULL;
    const char *temp_ids[SW_DMARC_MAX_DKIM + 1]; /* checks that ended in temperror */
    int temp_dkim[SW_DMARC_MAX_DKIM + 1];
    size_t ntemp = 0;
    if (in->spf.domain || in->spf.result)
        step(c, "SPF %s for %s%s", in->spf.result ? in->spf.result : "(not checked)",
             in->spf.domain ? in->spf.domain : "(no domain)", in->spf.helo ? " (HELO)" : "");
    if (is_pass(in->spf.result) && in->spf.domain &&
        norm_domain(c->a, in->spf.domain, 0, &spf_id) == DOM_NOMEM)
        return SW_ENOMEM;
    if (is_temperror(in->spf.result) && in->spf.domain) {
        const char *t;
        if (norm_domain(c->a, in->spf.domain, 0, &t) == DOM_NOMEM)
            return SW_ENOMEM;
        if (t) {
            temp_dkim[ntemp] = 0;
            temp_ids[ntemp++] = t;
        }
    }
    size_t ndkim = in->ndkim < SW_DMARC_MAX_DKIM ? in->ndkim : SW_DMARC_MAX_DKIM;
    out->dkim_skipped = in->ndkim - ndkim;
    const char *dkim_ids[SW_DMARC_MAX_DKIM];
    int all_same = !spf_id || !strcmp(spf_id, author);
    for (size_t i = 0; i < ndkim; i++) {
        const sw_dmarc_dkim_input *k = &in->dkim[i];
        dkim_ids[i] = NULL;
        step(c, "DKIM %s for d=%s%s%s", k->result ? k->result : "(no result)",
             k->domain ? k->domain : "(none)", k->selector ? " s=" : "",
             k->selector ? k->selector : "");
        if (is_pass(k->result) && k->domain &&
            norm_domain(c->a, k->domain, 0, &dkim_ids[i]) == DOM_NOMEM)
            return SW_ENOMEM;
        if (dkim_ids[i] && strcmp(dkim_ids[i], author))
            all_same = 0;
        if (is_temperror(k->result) && k->domain) {
            const char *t;
            if (norm_domain(c->a, k->domain, 0, &t) == DOM_NOMEM)
                return SW_ENOMEM;
            if (t) {
                temp_dkim[ntemp] = 1;
                temp_ids[ntemp++] = t;
            }
        }
    }
    for (size_t i = 0; i < ntemp; i++)
        if (strcmp(temp_ids[i], author))
            all_same = 0;
    if (out->dkim_skipped)
        step(c, "%zu DKIM signature(s) beyond the cap of %d not considered", out->dkim_skipped,
             SW_DMARC_MAX_DKIM);

    /* Discovery. The tree walk for the author's org domain is skipped when every passing
     * identifier equals the author domain (RFC 9989 §4.10.2 note). */
    sw_dmarc_policy_discovery *d = &out->discovery;
    int rc = c->method == SW_DMARC_METHOD_PSL ? discover_psl(c, d) : discover_walk(c, d, 0);
    if (rc)
        return rc;
    if (c->method == SW_DMARC_METHOD_TREEWALK && d->record && !d->from_org && !all_same &&
        !(d->record->adkim == 's' && d->record->aspf == 's')) {
        if ((rc = discover_walk(c, d, 1)))
            return rc;
    }
    if (d->status == SW_DMARC_TEMPERROR) {
        out->result = SW_DMARC_TEMPERROR;
        step(c, "temperror: %s", d->why);
        return 0;
    }
    if (!d->record) {
        out->result = SW_DMARC_NONE;
        step(c, "none: %s", d->why);
        return 0;
    }
    const sw_dmarc_policy_record *rec = d->record;
    step(c, "policy record from %s (%s)", d->policy_domain, d->why);

    /* A record without a usable policy: p=none if it asks for reports, else nothing
     * (RFC 7489 §6.6.3 step 6, RFC 9989 §4.10.1; np counts only under RFC 9989). */
    int bad = !rec->p_present || rec->p_invalid || rec->sp_invalid ||
              (c->method == SW_DMARC_METHOD_TREEWALK && rec->np_invalid);
    sw_dmarc_policy p = rec->p, sp = rec->sp, np = rec->np;
    if (bad) {
        if (!rec->rua_valid) {
            out->result = SW_DMARC_NONE;
            step(c, "none: the record has no valid policy and no valid rua, so DMARC does "
                    "not apply");
            return 0;
        }
        p = SW_DMARC_POLICY_NONE;
        sp = np = SW_DMARC_POLICY_UNSET;
        step(c, "the record has no valid policy but a valid rua: treated as p=none");
    }

    /* Alignment. */
    out->dkim.strict = rec->adkim == 's';
    out->spf.strict = rec->aspf == 's';
    for (size_t i = 0; i < ndkim && !out->dkim.aligned_domain; i++) {
        if (!dkim_ids[i])
            continue;
        aligned_t al = align_one(c, d, dkim_ids[i], out->dkim.strict);
        if (c->nomem)
            return SW_ENOMEM;
        if (al == AL_YES) {
            out->dkim.aligned_domain = dkim_ids[i];
            out->dkim.aligned_org = aligned_org(d, out->dkim.strict);
        } else if (al == AL_UNKNOWN) {
            out->dkim.unknown = 1;
        }
        step(c, "DKIM d=%s %s with %s (%s)", dkim_ids[i],
             al == AL_YES ? "aligns" : al == AL_NO ? "does not align" : "alignment unknown",
             author, out->dkim.strict ? "strict" : "relaxed");
    }
    if (spf_id) {
        aligned_t al = align_one(c, d, spf_id, out->spf.strict);
        if (c->nomem)
            return SW_ENOMEM;
        if (al == AL_YES) {
            out->spf.aligned_domain = spf_id;
            out->spf.aligned_org = aligned_org(d, out->spf.strict);
        } else if (al == AL_UNKNOWN) {
            out->spf.unknown = 1;
        }
        step(c, "SPF domain %s %s with %s (%s)", spf_id,
             al == AL_YES ? "aligns" : al == AL_NO ? "does not align" : "alignment unknown",
             author, out->spf.strict ? "strict" : "relaxed");
    }
    if (out->dkim.aligned_domain || out->spf.aligned_domain)
        out->result = SW_DMARC_PASS;
    else if (out->dkim.unknown || out->spf.unknown)
        out->result = SW_DMARC_TEMPERROR;
    else
        out->result = SW_DMARC_FAIL;
    /* Nothing passed, but a check that could have given an aligned pass failed for a
     * temporary reason: no permanent failure can be concluded (RFC 7489 §6.6.2, RFC 9989
     * "Determine Handling Policy"). */
    for (size_t i = 0; out->result == SW_DMARC_FAIL && i < ntemp; i++) {
        aligned_t al = align_one(c, d, temp_ids[i], temp_dkim[i] ? out->dkim.strict
                                                                 : out->spf.strict);
        if (c->nomem)
            return SW_ENOMEM;
        if (al != AL_NO) {
            out->result = SW_DMARC_TEMPERROR;
            step(c, "%s %s had a temporary error and could have aligned",
                 temp_dkim[i] ? "DKIM d=" : "SPF for", temp_ids[i]);
        }
    }

    /* Policy: p for the domain's own record; for an inherited one sp, or under RFC 9989
     * np when the author domain does not exist (NXDOMAIN, RFC 8020). */
    out->requested = p;
    out->policy_tag = "p";
    if (d->from_org) {
        int exists = 1;
        if (c->method == SW_DMARC_METHOD_TREEWALK) {
            sw_dns_answer ans;
            if (sw_dns_query(c->r, c->a, author, SW_DNS_A, &ans))
                return SW_ENOMEM;
            if (failed_status(ans.status)) {
                out->author_exists = -1;
                step(c, "%s A: %s: whether the domain exists is unknown", author,
                     sw_dns_status_name(ans.status));
                if (out->result == SW_DMARC_FAIL) {
                    out->result = SW_DMARC_TEMPERROR;
                    step(c, "temperror: the existence test decides between sp and np");
                    return 0;
                }
            } else {
                exists = ans.status != SW_DNS_NXDOMAIN;
                out->author_exists = exists;
                step(c, "%s A: %s: the domain %s", author, sw_dns_status_name(ans.status),
                     exists ? "exists" : "does not exist");
            }
        } else {
            out->author_exists = -1;
        }
        if (!exists && np != SW_DMARC_POLICY_UNSET) {
            out->requested = np;
            out->policy_tag = "np";
        } else if (sp != SW_DMARC_POLICY_UNSET) {
            out->requested = sp;
            out->policy_tag = "sp";
        }
    } else {
        out->author_exists = -1;
    }
    out->policy = out->requested;
    out->pct = rec->pct;
    if (c->method == SW_DMARC_METHOD_TREEWALK) {
        if (rec->testing && out->requested != SW_DMARC_POLICY_NONE) {
            out->policy = lower(out->requested);
            out->testing = 1;
        }
        step(c, "policy %s=%s%s%s", out->policy_tag, sw_dmarc_policy_name(out->requested),
             out->testing ? ", lowered by t=y to " : "",
             out->testing ? sw_dmarc_policy_name(out->policy) : "");
        if (rec->pct_present && rec->pct_invalid)
            step(c, "pct (invalid) ignored (historic in RFC 9989)");
        else if (rec->pct_present)
            step(c, "pct=%d ignored (historic in RFC 9989)", rec->pct);
    } else {
        step(c, "policy %s=%s%s", out->policy_tag, sw_dmarc_policy_name(out->requested),
             rec->pct < 100 ? " (pct sampling applies)" : "");
    }

    out->disposition = SW_DMARC_POLICY_NONE;
    if (out->result == SW_DMARC_FAIL) {
        out->disposition = out->policy;
        if (c->method == SW_DMARC_METHOD_PSL && rec->pct < 100 &&
            out->policy != SW_DMARC_POLICY_NONE) {
            if (in->pct_roll >= 0 && in->pct_roll >= rec->pct) {
                out->disposition = lower(out->policy);
                out->pct_applied = 1;
                step(c, "pct=%d: this message (draw %d) is sampled out: %s instead of %s",
                     rec->pct, in->pct_roll, sw_dmarc_policy_name(out->disposition),
                     sw_dmarc_policy_name(out->policy));
            } else {
                step(c, "pct=%d: this message is sampled in%s", rec->pct,
                     in->pct_roll < 0 ? " (no draw given)" : "");
            }
        }
    }
    step(c, "%s: disposition %s", sw_dmarc_result_name(out->result),
         sw_dmarc_policy_name(out->disposition));
    return 0;
}

int sw_dmarc_eval(sw_resolver *r, sw_orgdomain_ctx *psl, sw_arena *a, sw_dmarc_method method,
                  const sw_dmarc_input *in, sw_dmarc_eval_result *out)
{
    memset(out, 0, sizeof *out);
    if (!r || !a || !in || (method == SW_DMARC_METHOD_PSL && !psl) ||
        (method != SW_DMARC_METHOD_PSL && method != SW_DMARC_METHOD_TREEWALK))
        return SW_EINVAL;
    ectx *c = malloc(sizeof *c);
    if (!c)
        return SW_ENOMEM;
    ectx_init(c, r, psl, a, method);
    out->method = method;
    out->author_exists = -1;
    int rc = evaluate(c, in, out);
    if (!rc && c->nomem)
        rc = SW_ENOMEM;
    finish(c, out);
    free(c);
    return rc;
}
