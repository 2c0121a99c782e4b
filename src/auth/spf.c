/* SPF check_host() (RFC 7208 §4 and §5) over an sw_resolver, see include/spoofwatch/spf.h.
 *
 * One evaluation state walks the record, its includes and redirects, counting DNS-querying
 * terms and void lookups across all of them. The outcome (strings, records used, evidence)
 * lives in the caller's arena; the evidence text is built in a capped sw_buf that is freed
 * here before returning. The record parser is spf_record.c, macros are spf_macro.c. */
#include "spoofwatch/spf.h"
#include "spoofwatch/buf.h"
#include "spoofwatch/fmt.h"
#include "spoofwatch/limits.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Recursion guard on top of the term limit (which already stops loops at depth 11). */
#define SPF_MAX_DEPTH 24

typedef struct spf_eval {
    sw_resolver *r;
    sw_arena *a;
    const sw_spf_request *req;
    int v6;
    unsigned char ip[16];
    const char *sender, *local, *sender_domain;
    unsigned dns_terms, voids;
    const char *problem, *limit_hit, *mechanism, *match_domain;
    sw_spf_record_used recs[SW_MAX_SPF_RECORDS_USED];
    size_t nrecs;
    sw_buf ev;
    /* the validated PTR names of the client address, looked up once (ptr, %{p}) */
    int ptr_done;
    int ptr_void;      /* the PTR query itself was NXDOMAIN / empty */
    int ptr_error;     /* the PTR query failed */
    const char *ptr_valid[SW_SPF_MAX_PTR];
    size_t nptr_valid;
} spf_eval;

const char *sw_spf_result_name(sw_spf_result r)
{
    switch (r) {
    case SW_SPF_NONE: return "none";
    case SW_SPF_NEUTRAL: return "neutral";
    case SW_SPF_PASS: return "pass";
    case SW_SPF_FAIL: return "fail";
    case SW_SPF_SOFTFAIL: return "softfail";
    case SW_SPF_TEMPERROR: return "temperror";
    case SW_SPF_PERMERROR: return "permerror";
    }
    return "?";
}

static void note(spf_eval *e, int depth, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(spf_eval *e, int depth, const char *fmt, ...)
{
    char line[768];
    va_list ap;
    va_start(ap, fmt);
    sw_vformat(line, sizeof line, fmt, ap);
    va_end(ap);
    /* the evidence is capped: once full, further lines are dropped, never the verdict */
    for (int i = 0; i < depth && i < 12; i++)
        sw_buf_puts(&e->ev, "  ");
    sw_buf_puts(&e->ev, line);
    sw_buf_putc(&e->ev, '\n');
}

static sw_spf_result qualifier_result(char q)
{
    switch (q) {
    case '-': return SW_SPF_FAIL;
    case '~': return SW_SPF_SOFTFAIL;
    case '?': return SW_SPF_NEUTRAL;
    }
    return SW_SPF_PASS;
}

static int dns_failed(const sw_dns_answer *ans)
{
    return ans->status == SW_DNS_TEMPFAIL || ans->status == SW_DNS_DENIED;
}

/* A void lookup (RFC 7208 §4.6.4): NXDOMAIN, or NOERROR with no answers. */
static int dns_void(const sw_dns_answer *ans)
{
    return ans->status == SW_DNS_NXDOMAIN || ans->status == SW_DNS_NODATA ||
           (ans->status == SW_DNS_OK && ans->n == 0);
}

static int cidr_match(const unsigned char *x, const unsigned char *y, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;
    if (memcmp(x, y, full))
        return 0;
    if (!rest)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (x[full] & mask) == (y[full] & mask);
}

/* Does the A/AAAA text rr equal the client address within the prefix? */
static int addr_match(const spf_eval *e, const sw_dns_rr *rr, unsigned cidr4, unsigned cidr6)
{
    char buf[64];
    unsigned char addr[16];
    if (!rr->text || rr->text_len >= sizeof buf)
        return 0;
    memcpy(buf, rr->text, rr->text_len);
    buf[rr->text_len] = '\0';
    if (!e->v6)
        return rr->type == SW_DNS_A && inet_pton(AF_INET, buf, addr) == 1 &&
               cidr_match(addr, e->ip, cidr4);
    return rr->type == SW_DNS_AAAA && inet_pton(AF_INET6, buf, addr) == 1 &&
           cidr_match(addr, e->ip, cidr6);
}

static int query(spf_eval *e, const char *name, sw_dns_type t, sw_dns_answer *ans)
{
    return sw_dns_query(e->r, e->a, name, t, ans);
}

/* Counts one DNS-querying term; 1 when that passes the limit (permerror). */
static int over_term_limit(spf_eval *e, const char *term)
{
    if (++e->dns_terms <= SW_SPF_MAX_DNS_TERMS)
        return 0;
    e->limit_hit = term;
    e->problem = sw_arena_printf(e->a, "more than %d DNS-querying terms (at \"%s\")",
                                 SW_SPF_MAX_DNS_TERMS, term);
    return 1;
}

static int over_void_limit(spf_eval *e, const char *term)
{
    if (++e->voids <= SW_SPF_MAX_VOID)
        return 0;
    e->limit_hit = term;
    e->problem = sw_arena_printf(e->a, "more than %d void lookups (at \"%s\")", SW_SPF_MAX_VOID,
                                 term);
    return 1;
}

static void reverse_name(const spf_eval *e, char *buf, size_t cap)
{
    if (!e->v6) {
        snprintf(buf, cap, "%u.%u.%u.%u.in-addr.arpa", e->ip[3], e->ip[2], e->ip[1], e->ip[0]);
        return;
    }
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int k = 15; k >= 0 && o + 4 < cap; k--) {
        buf[o++] = hex[e->ip[k] & 15];
        buf[o++] = '.';
        buf[o++] = hex[e->ip[k] >> 4];
        buf[o++] = '.';
    }
    snprintf(buf + o, cap - o, "ip6.arpa");
}

/* The validated names of the client (RFC 7208 §5.5): PTR names (at most 10, the rest are
 * ignored) whose A/AAAA records include the client address. Errors skip a name. */
static int ptr_lookup(spf_eval *e, int depth)
{
    if (e->ptr_done)
        return 0;
    e->ptr_done = 1;
    char rev[128];
    reverse_name(e, rev, sizeof rev);
    sw_dns_answer ans;
    int rc = query(e, rev, SW_DNS_PTR, &ans);
    if (rc)
        return rc;
    if (dns_failed(&ans)) {
        e->ptr_error = 1;
        note(e, depth, "PTR %s: %s", rev, sw_dns_status_name(ans.status));
        return 0;
    }
    if (dns_void(&ans)) {
        e->ptr_void = 1;
        note(e, depth, "PTR %s: %s", rev, sw_dns_status_name(ans.status));
        return 0;
    }
    size_t n = ans.n;
    if (n > SW_SPF_MAX_PTR) {
        note(e, depth, "PTR %s: %zu names, only the first %d considered", rev, n, SW_SPF_MAX_PTR);
        n = SW_SPF_MAX_PTR;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = ans.rrs[i].text;
        sw_dns_answer aa;
        if ((rc = query(e, name, e->v6 ? SW_DNS_AAAA : SW_DNS_A, &aa)))
            return rc;
        int ok = 0;
        for (size_t k = 0; aa.status == SW_DNS_OK && k < aa.n && !ok; k++)
            ok = addr_match(e, &aa.rrs[k], 32, 128);
        note(e, depth, "PTR name %s: %s", name,
             ok ? "validated" : dns_failed(&aa) ? sw_dns_status_name(aa.status) : "not validated");
        if (ok)
            e->ptr_valid[e->nptr_valid++] = name;
    }
    return 0;
}

/* name is domain, or a subdomain of it (case-insensitive). */
static int in_domain(const char *name, const char *domain)
{
    size_t n = strlen(name), d = strlen(domain);
    while (n && name[n - 1] == '.')
        n--;
    while (d && domain[d - 1] == '.')
        d--;
    if (n < d || strncasecmp(name + n - d, domain, d))
        return 0;
    return n == d || name[n - d - 1] == '.';
}

typedef struct ptr_cb {
    spf_eval *e;
    int depth;
} ptr_cb;

static int ptr_macro(void *ctx, const char *d, const char **name)
{
    ptr_cb *c = ctx;
    int rc = ptr_lookup(c->e, c->depth);
    if (rc)
        return rc;
    *name = NULL;
    /* prefer <domain> itself, then a subdomain of it, then any validated name (§7.3) */
    for (size_t i = 0; i < c->e->nptr_valid && !*name; i++)
        if (!strcasecmp(c->e->ptr_valid[i], d))
            *name = c->e->ptr_valid[i];
    for (size_t i = 0; i < c->e->nptr_valid && !*name; i++)
        if (in_domain(c->e->ptr_valid[i], d))
            *name = c->e->ptr_valid[i];
    if (!*name && c->e->nptr_valid)
        *name = c->e->ptr_valid[0];
    return 0;
}

static void macro_ctx(spf_eval *e, const char *domain, ptr_cb *cb, sw_spf_macro_ctx *m)
{
    memset(m, 0, sizeof *m);
    m->s = e->sender;
    m->l = e->local;
    m->o = e->sender_domain;
    m->d = domain;
    m->h = e->req->helo;
    m->r = e->req->receiver;
    m->t = e->req->now;
    m->ip_v6 = e->v6;
    memcpy(m->ip, e->ip, 16);
    m->ptr_name = ptr_macro;
    m->ptr_ctx = cb;
}

/* Expands a domain-spec into a query name. *name NULL: the name cannot exist. Returns 0,
 * SW_ENOMEM, or SW_EFORMAT / SW_ELIMIT (permerror, problem set). */
static int target(spf_eval *e, int depth, const char *domain, const char *spec, const char *term,
                  char **name)
{
    *name = NULL;
    if (!spec) {
        *name = sw_arena_strndup(e->a, domain, strlen(domain));
        return *name ? 0 : SW_ENOMEM;
    }
    sw_spf_macro_ctx m;
    ptr_cb cb = {e, depth};
    macro_ctx(e, domain, &cb, &m);
    char *out;
    int rc = sw_spf_macro_expand(e->a, &m, spec, strlen(spec), SW_SPF_MACRO_DOMAIN, &out);
    if (rc == SW_EFORMAT || rc == SW_ELIMIT) {
        e->problem = sw_arena_printf(e->a, "cannot expand \"%s\"", term);
        return rc;
    }
    if (rc)
        return rc;
    if (!sw_spf_domain_finish(out)) {
        note(e, depth, "%s: \"%s\" is not a name that can exist", term, out);
        return 0;
    }
    *name = out;
    return 0;
}

/* exp= after a fail (RFC 7208 §6.2): any trouble just means no explanation. */
static int explain(spf_eval *e, int depth, const char *domain, const sw_spf_record *rec,
                   const char **exp)
{
    *exp = NULL;
    if (!rec->exp)
        return 0;
    char *name;
    int rc = target(e, depth, domain, rec->exp, "exp=", &name);
    if (rc == SW_ENOMEM)
        return rc;
    if (rc) {
        e->problem = NULL; /* an unusable exp= never changes the result */
        note(e, depth, "exp=%s: cannot expand, no explanation", rec->exp);
        return 0;
    }
    if (!name)
        return 0;
    sw_dns_answer ans;
    if ((rc = query(e, name, SW_DNS_TXT, &ans)))
        return rc;
    if (ans.status != SW_DNS_OK || ans.n != 1) {
        note(e, depth, "exp=%s: TXT %s gave %s (%zu records), no explanation", rec->exp, name,
             sw_dns_status_name(ans.status), ans.n);
        return 0;
    }
    sw_spf_macro_ctx m;
    ptr_cb cb = {e, depth};
    macro_ctx(e, domain, &cb, &m);
    char *text;
    rc = sw_spf_macro_expand(e->a, &m, ans.rrs[0].text, ans.rrs[0].text_len,
                             SW_SPF_MACRO_EXPLAIN, &text);
    if (rc == SW_ENOMEM)
        return rc;
    if (rc) {
        note(e, depth, "exp=%s: explanation text of %s is not a valid macro string", rec->exp,
             name);
        return 0;
    }
    note(e, depth, "explanation: %s", text);
    *exp = text;
    return 0;
}

/* Initial processing (RFC 7208 §4.3): a name of 1..63-octet labels with at least one dot;
 * the top-level identity must also be a host name (letters, digits, '-', '_'), so that
 * domain literals and HELO junk give none. */
static int valid_domain(const char *d, int top)
{
    size_t n = strlen(d);
    if (n && d[n - 1] == '.')
        n--;
    if (!n || n > 253 || !memchr(d, '.', n))
        return 0;
    size_t lab = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)d[i] : '.';
        if (c == '.') {
            if (!lab || lab > 63)
                return 0;
            lab = 0;
            continue;
        }
        if (top && !(isalnum(c) || c == '-' || c == '_'))
            return 0;
        if (c <= 0x20 || c >= 0x7f)
            return 0;
        lab++;
    }
    return 1;
}

static int check_host(spf_eval *e, const char *domain, int depth, sw_spf_result *res,
                      const char **exp);

static void keep_record(spf_eval *e, const char *domain, const sw_dns_rr *rr)
{
    if (e->nrecs >= SW_MAX_SPF_RECORDS_USED)
        return;
    const char *text = sw_arena_strndup(e->a, rr->text, rr->text_len);
    if (!text)
        return;
    e->recs[e->nrecs].domain = domain;
    e->recs[e->nrecs].text = text;
    e->nrecs++;
}

/* Looks up the address records of name for a/mx; *matched when one is inside the prefix.
 * Returns 0, SW_ENOMEM, or 1 for temperror (problem set). *void_out: NXDOMAIN / empty. */
static int match_addrs(spf_eval *e, int depth, const sw_spf_term *m, const char *name,
                       int *matched, int *void_out)
{
    *matched = 0;
    *void_out = 0;
    sw_dns_answer ans;
    sw_dns_type t = e->v6 ? SW_DNS_AAAA : SW_DNS_A;
    int rc = query(e, name, t, &ans);
    if (rc)
        return rc;
    if (dns_failed(&ans)) {
        e->problem = sw_arena_printf(e->a, "%s %s: %s", sw_dns_type_name(t), name,
                                     sw_dns_status_name(ans.status));
        note(e, depth, "%s: %s", m->text, e->problem);
        return 1;
    }
    if (dns_void(&ans)) {
        *void_out = 1;
        note(e, depth, "%s: %s %s %s", m->text, sw_dns_type_name(t), name,
             sw_dns_status_name(ans.status));
        return 0;
    }
    for (size_t i = 0; i < ans.n && !*matched; i++)
        *matched = addr_match(e, &ans.rrs[i], m->cidr4, m->cidr6);
    note(e, depth, "%s: %s %s: %zu address(es), %s", m->text, sw_dns_type_name(t), name, ans.n,
         *matched ? "match" : "no match");
    return 0;
}

/* One directive: *matched, or *err (temperror/permerror, problem set) that ends the check. */
static int eval_term(spf_eval *e, int depth, const char *domain, const sw_spf_term *m,
                     int *matched, sw_spf_result *err)
{
    *matched = 0;
    *err = SW_SPF_NONE; /* NONE: no error */
    int rc, isvoid = 0;
    char *name = NULL;
    switch (m->mech) {
    case SW_SPF_ALL:
        *matched = 1;
        return 0;
    case SW_SPF_IP4:
        *matched = !e->v6 && cidr_match(m->addr, e->ip, m->cidr4);
        note(e, depth, "%s: %s", m->text, *matched ? "match" : "no match");
        return 0;
    case SW_SPF_IP6:
        *matched = e->v6 && cidr_match(m->addr, e->ip, m->cidr6);
        note(e, depth, "%s: %s", m->text, *matched ? "match" : "no match");
        return 0;
    default:
        break;
    }
    if (over_term_limit(e, m->text)) {
        *err = SW_SPF_PERMERROR;
        note(e, depth, "%s: %s", m->text, e->problem);
        return 0;
    }
    rc = target(e, depth, domain, m->domain_spec, m->text, &name);
    if (rc == SW_ENOMEM)
        return rc;
    if (rc) {
        *err = SW_SPF_PERMERROR;
        return 0;
    }
    if (!name) {
        if (m->mech == SW_SPF_INCLUDE) {
            e->problem = sw_arena_printf(e->a, "%s: target cannot exist", m->text);
            *err = SW_SPF_PERMERROR;
        }
        return 0; /* a name that cannot exist matches nothing */
    }
    switch (m->mech) {
    case SW_SPF_INCLUDE: {
        note(e, depth, "%s: evaluating %s", m->text, name);
        sw_spf_result r;
        const char *inner_exp, *saved_mech = e->mechanism, *saved_dom = e->match_domain;
        if ((rc = check_host(e, name, depth + 1, &r, &inner_exp)))
            return rc;
        /* RFC 7208 §5.2: pass matches; fail, softfail, neutral do not; temperror stays;
         * permerror and none are permerror */
        if (r == SW_SPF_PASS) {
            *matched = 1;
        } else if (r == SW_SPF_TEMPERROR) {
            *err = SW_SPF_TEMPERROR;
        } else if (r == SW_SPF_PERMERROR || r == SW_SPF_NONE) {
            if (r == SW_SPF_NONE)
                e->problem = sw_arena_printf(e->a, "%s: %s has no SPF record", m->text, name);
            *err = SW_SPF_PERMERROR;
        } else {
            e->mechanism = saved_mech;
            e->match_domain = saved_dom;
        }
        note(e, depth, "%s: included result %s, %s", m->text, sw_spf_result_name(r),
             *matched ? "match" : *err ? "error" : "no match");
        return 0;
    }
    case SW_SPF_A:
        rc = match_addrs(e, depth, m, name, matched, &isvoid);
        if (rc == 1) {
            *err = SW_SPF_TEMPERROR;
            return 0;
        }
        if (rc)
            return rc;
        break;
    case SW_SPF_MX: {
        sw_dns_answer mx;
        if ((rc = query(e, name, SW_DNS_MX, &mx)))
            return rc;
        if (dns_failed(&mx)) {
            e->problem = sw_arena_printf(e->a, "MX %s: %s", name, sw_dns_status_name(mx.status));
            note(e, depth, "%s: %s", m->text, e->problem);
            *err = SW_SPF_TEMPERROR;
            return 0;
        }
        if (dns_void(&mx)) {
            isvoid = 1;
            note(e, depth, "%s: MX %s %s", m->text, name, sw_dns_status_name(mx.status));
            break;
        }
        if (mx.n > SW_SPF_MAX_MX) { /* RFC 7208 §4.6.4: more than 10 MX names is permerror */
            e->limit_hit = m->text;
            e->problem = sw_arena_printf(e->a, "%s: %zu MX names, more than %d", m->text, mx.n,
                                         SW_SPF_MAX_MX);
            note(e, depth, "%s", e->problem);
            *err = SW_SPF_PERMERROR;
            return 0;
        }
        note(e, depth, "%s: MX %s: %zu name(s)", m->text, name, mx.n);
        for (size_t i = 0; i < mx.n && !*matched; i++) {
            int v;
            if (!mx.rrs[i].text || !mx.rrs[i].text[0])
                continue; /* a null MX (RFC 7505) names no host */
            rc = match_addrs(e, depth + 1, m, mx.rrs[i].text, matched, &v);
            if (rc == 1) {
                *err = SW_SPF_TEMPERROR;
                return 0;
            }
            if (rc)
                return rc;
        }
        break;
    }
    case SW_SPF_PTR: {
        if ((rc = ptr_lookup(e, depth)))
            return rc;
        isvoid = e->ptr_void;
        for (size_t i = 0; i < e->nptr_valid && !*matched; i++)
            *matched = in_domain(e->ptr_valid[i], name);
        note(e, depth, "%s: %zu validated name(s), %s", m->text, e->nptr_valid,
             *matched ? "match" : "no match");
        break;
    }
    case SW_SPF_EXISTS: {
        sw_dns_answer ans;
        if ((rc = query(e, name, SW_DNS_A, &ans))) /* always A, whatever the client (§5.7) */
            return rc;
        if (dns_failed(&ans)) {
            e->problem = sw_arena_printf(e->a, "A %s: %s", name, sw_dns_status_name(ans.status));
            note(e, depth, "%s: %s", m->text, e->problem);
            *err = SW_SPF_TEMPERROR;
            return 0;
        }
        isvoid = dns_void(&ans);
        *matched = !isvoid;
        note(e, depth, "%s: A %s: %s", m->text, name, *matched ? "exists" : "does not exist");
        break;
    }
    default:
        break;
    }
    if (isvoid && over_void_limit(e, m->text)) {
        *matched = 0;
        *err = SW_SPF_PERMERROR;
        note(e, depth, "%s", e->problem);
    }
    return 0;
}

static int check_host(spf_eval *e, const char *domain, int depth, sw_spf_result *res,
                      const char **exp)
{
    *exp = NULL;
    *res = SW_SPF_NONE;
    if (!valid_domain(domain, depth == 0)) {
        e->problem = sw_arena_printf(e->a, "\"%s\" is not a valid domain name", domain);
        note(e, depth, "check_host(%s): %s -> none", domain, e->problem);
        return 0;
    }
    if (depth > SPF_MAX_DEPTH) {
        e->problem = "include/redirect nesting too deep";
        *res = SW_SPF_PERMERROR;
        return 0;
    }
    sw_dns_answer ans;
    int rc = query(e, domain, SW_DNS_TXT, &ans);
    if (rc)
        return rc;
    if (dns_failed(&ans)) {
        e->problem = sw_arena_printf(e->a, "TXT %s: %s", domain, sw_dns_status_name(ans.status));
        note(e, depth, "check_host(%s): %s -> temperror", domain, e->problem);
        *res = SW_SPF_TEMPERROR;
        return 0;
    }
    const sw_dns_rr *rr = NULL;
    size_t nspf = 0;
    for (size_t i = 0; ans.status == SW_DNS_OK && i < ans.n; i++)
        if (sw_spf_is_record(ans.rrs[i].text, ans.rrs[i].text_len)) {
            rr = &ans.rrs[i];
            nspf++;
            keep_record(e, domain, rr);
        }
    if (nspf == 0) {
        e->problem = sw_arena_printf(e->a, "no SPF record at %s (TXT %s)", domain,
                                     sw_dns_status_name(ans.status));
        note(e, depth, "check_host(%s): %s -> none", domain, e->problem);
        return 0;
    }
    if (nspf > 1) {
        e->problem = sw_arena_printf(e->a, "%zu SPF records at %s", nspf, domain);
        note(e, depth, "check_host(%s): %s -> permerror", domain, e->problem);
        *res = SW_SPF_PERMERROR;
        return 0;
    }
    note(e, depth, "check_host(%s): \"%.*s\"", domain, (int)(rr->text_len > 600 ? 600 : rr->text_len),
         rr->text);
    sw_spf_record rec;
    const char *why;
    rc = sw_spf_record_parse(e->a, rr->text, rr->text_len, &rec, &why);
    if (rc == SW_ENOMEM)
        return rc;
    if (rc) {
        e->problem = sw_arena_printf(e->a, "%s: %s", domain, why ? why : "unreadable record");
        note(e, depth, "%s -> permerror", e->problem);
        *res = SW_SPF_PERMERROR;
        return 0;
    }
    for (size_t i = 0; i < rec.nterms; i++) {
        const sw_spf_term *m = &rec.terms[i];
        int matched;
        sw_spf_result err;
        if ((rc = eval_term(e, depth, domain, m, &matched, &err)))
            return rc;
        if (err != SW_SPF_NONE) {
            *res = err;
            return 0;
        }
        if (!matched)
            continue;
        *res = qualifier_result(m->qualifier);
        e->mechanism = m->text;
        e->match_domain = domain;
        e->problem = NULL;
        note(e, depth, "match: %s -> %s", m->text, sw_spf_result_name(*res));
        if (*res == SW_SPF_FAIL)
            return explain(e, depth, domain, &rec, exp);
        return 0;
    }
    if (!rec.redirect) {
        note(e, depth, "no term matched -> neutral");
        *res = SW_SPF_NEUTRAL;
        return 0;
    }
    /* redirect= (RFC 7208 §6.1): the target's result is the result */
    const char *term = sw_arena_printf(e->a, "redirect=%s", rec.redirect);
    if (!term)
        return SW_ENOMEM;
    if (over_term_limit(e, term)) {
        note(e, depth, "%s", e->problem);
        *res = SW_SPF_PERMERROR;
        return 0;
    }
    char *name;
    rc = target(e, depth, domain, rec.redirect, term, &name);
    if (rc == SW_ENOMEM)
        return rc;
    if (rc || !name) {
        if (!rc)
            e->problem = sw_arena_printf(e->a, "%s: target cannot exist", term);
        *res = SW_SPF_PERMERROR;
        return 0;
    }
    note(e, depth, "%s: evaluating %s", term, name);
    if ((rc = check_host(e, name, depth + 1, res, exp)))
        return rc;
    if (*res == SW_SPF_NONE) {
        e->problem = sw_arena_printf(e->a, "%s: %s has no SPF record", term, name);
        note(e, depth, "%s -> permerror", e->problem);
        *res = SW_SPF_PERMERROR;
    }
    return 0;
}

static int parse_ip(const char *text, int *v6, unsigned char ip[16])
{
    memset(ip, 0, 16);
    if (inet_pton(AF_INET, text, ip) == 1) {
        *v6 = 0;
        return 0;
    }
    unsigned char b[16];
    if (inet_pton(AF_INET6, text, b) != 1)
        return SW_EINVAL;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(b, mapped, 12)) { /* IPv4-mapped: evaluated as IPv4 */
        *v6 = 0;
        memcpy(ip, b + 12, 4);
        return 0;
    }
    *v6 = 1;
    memcpy(ip, b, 16);
    return 0;
}

static int run(sw_resolver *r, sw_arena *a, const sw_spf_request *req, const char *identity,
               const char *domain, const char *sender, sw_spf_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (!r || !a || !req || !req->ip || !domain || !sender)
        return SW_EINVAL;
    spf_eval *e = sw_arena_calloc(a, sizeof *e);
    if (!e)
        return SW_ENOMEM;
    e->r = r;
    e->a = a;
    e->req = req;
    if (parse_ip(req->ip, &e->v6, e->ip))
        return SW_EINVAL;
    /* <sender>: local-part "postmaster" when there is none (RFC 7208 §4.3) */
    const char *at = strrchr(sender, '@');
    const char *sdom = at ? at + 1 : sender;
    size_t llen = at ? (size_t)(at - sender) : 0;
    e->local = llen ? sw_arena_strndup(a, sender, llen) : "postmaster";
    e->sender_domain = sw_arena_strndup(a, sdom, strlen(sdom));
    e->sender = llen ? sw_arena_strndup(a, sender, strlen(sender))
                     : sw_arena_printf(a, "postmaster@%s", sdom);
    const char *dom = sw_arena_strndup(a, domain, strlen(domain));
    if (!e->local || !e->sender_domain || !e->sender || !dom)
        return SW_ENOMEM;
    sw_buf_init(&e->ev, SW_MAX_SPF_EVIDENCE);
    note(e, 0, "SPF %s check: client %s, domain %s, sender %s", identity, req->ip, dom, e->sender);
    sw_spf_result res;
    const char *exp;
    int rc = check_host(e, dom, 0, &res, &exp);
    if (!rc) {
        int term_result = e->mechanism && res != SW_SPF_NONE && res != SW_SPF_TEMPERROR &&
                          res != SW_SPF_PERMERROR;
        if (term_result)
            note(e, 0, "result %s by \"%s\" in %s", sw_spf_result_name(res), e->mechanism,
                 e->match_domain);
        else
            note(e, 0, "result %s%s%s%s", sw_spf_result_name(res), e->problem ? " (" : "",
                 e->problem ? e->problem : "", e->problem ? ")" : "");
        note(e, 0, "DNS-querying terms %u/%d, void lookups %u/%d", e->dns_terms,
             SW_SPF_MAX_DNS_TERMS, e->voids, SW_SPF_MAX_VOID);
        out->result = res;
        out->identity = identity;
        out->domain = dom;
        out->sender = e->sender;
        out->mechanism = term_result ? e->mechanism : NULL;
        out->match_domain = term_result ? e->match_domain : NULL;
        out->explanation = exp;
        out->problem = term_result ? NULL : e->problem;
        out->limit_hit = e->limit_hit;
        out->dns_terms = e->dns_terms;
        out->void_lookups = e->voids;
        out->nrecords = e->nrecs;
        out->records = sw_arena_alloc(a, (e->nrecs ? e->nrecs : 1) * sizeof *out->records);
        out->evidence = sw_arena_strndup(a, e->ev.data ? e->ev.data : "", e->ev.len);
        if (!out->records || !out->evidence)
            rc = SW_ENOMEM;
        else
            memcpy(out->records, e->recs, e->nrecs * sizeof *out->records);
    }
    sw_buf_free(&e->ev);
    return rc;
}

int sw_spf_check_host(sw_resolver *r, sw_arena *a, const sw_spf_request *req,
                      const char *domain, const char *sender, sw_spf_outcome *out)
{
    return run(r, a, req, "mailfrom", domain, sender, out);
}

int sw_spf_verify(sw_resolver *r, sw_arena *a, const sw_spf_request *req, sw_spf_identity id,
                  sw_spf_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (!req || !a)
        return SW_EINVAL;
    const char *helo = req->helo ? req->helo : "";
    if (id == SW_SPF_ID_HELO || !req->mailfrom || !req->mailfrom[0]) {
        /* HELO identity, and MAIL FROM with a null reverse-path: postmaster@<helo> */
        const char *sender = sw_arena_printf(a, "postmaster@%s", helo);
        if (!sender)
            return SW_ENOMEM;
        return run(r, a, req, id == SW_SPF_ID_HELO ? "helo" : "mailfrom", helo, sender, out);
    }
    const char *at = strrchr(req->mailfrom, '@');
    const char *domain = at ? at + 1 : req->mailfrom;
    return run(r, a, req, "mailfrom", domain, req->mailfrom, out);
}
