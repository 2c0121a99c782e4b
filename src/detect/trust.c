/* Which Authentication-Results to believe, and what they say about the From identity.
 *
 * Trust (verification.md §6): configured authserv-ids ("x" exact, "@x" x and subdomains);
 * otherwise the topmost block stamped by the receiving organisation. The receiving
 * organisation is the one that added the newest Received hops (big providers count as
 * one organisation across their domains); a header is stamped by it when its
 * authserv-id names the receiver, when it sits above the receiver's own inbound hop, or
 * when it is Microsoft's id-less form at a Microsoft receiver above the first hop added
 * outside Microsoft. Of those, the newest header's authserv-id is trusted, with the contiguous
 * run of siblings sharing its organizational domain (iCloud writes one per milter);
 * Microsoft's id-less form trusts only the topmost id-less header. An unparsable newest
 * candidate trusts nothing (fail closed). Alignment is then recomputed from the
 * identities these headers name, not taken from their dmarc= claim. */
#include "internal.h"
#include "spoofwatch/copy.h"
#include "spoofwatch/idn.h"

#include <ctype.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#if defined(__SSE2__)
/* out[0..16) = d[0..16) with ASCII capitals lowered; *high and *hyphen gain the bytes'
 * masks of 0x80 and up and of '-' */
static inline void lower16(const char *d, char *out, unsigned *high, unsigned *hyphen)
{
    __m128i v = _mm_loadu_si128((const __m128i *)d);
    /* signed compares: bytes of 0x80 and up are negative, below 'A' */
    __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    _mm_storeu_si128((__m128i *)out, _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
    *high |= (unsigned)_mm_movemask_epi8(v);
    *hyphen |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
}
#endif

const char *sw_det_domain_of(det *x, const char *addr)
{
    if (!addr || !*addr)
        return NULL;
    const char *at = strrchr(addr, '@');
    const char *d = at ? at + 1 : addr;
    size_t n = strlen(d);
    while (n && (d[n - 1] == '>' || d[n - 1] == '.' || d[n - 1] == ' '))
        n--;
    if (!n)
        return NULL;
    /* The lower-cased copy and sw_idn_is_idn's test in one pass: detection asks for a
     * dozen domains per message. An IDN has a byte >= 0x80 or a label starting "xn--". */
    /* room for a whole 16-byte block: a short name is lowered straight into it */
    char *out = sw_arena_alloc(x->a, n < 16 ? 16 : n + 1);
    if (!out)
        return NULL;
    unsigned high = 0;
    int alabel = 0;
#if defined(__SSE2__)
    /* 16 bytes at a time (~10 Ir a byte before): the "xn--" test needs a '-', which most
     * domains lack, so it runs only when the blocks saw one */
    unsigned hyphen = 0;
    if (n >= 16) {
        for (size_t i = 0; i + 16 < n; i += 16)
            lower16(d + i, out + i, &high, &hyphen);
        lower16(d + n - 16, out + n - 16, &high, &hyphen); /* overlaps: same bytes again */
    } else {
        char in[16] = {0};
        sw_copy_upto32(in, d, n);
        lower16(in, out, &high, &hyphen);
    }
    for (size_t i = 0; hyphen && !high && i + 4 <= n; i++)
        if ((d[i] | 0x20) == 'x' && (i == 0 || d[i - 1] == '.') && (d[i + 1] | 0x20) == 'n' &&
            d[i + 2] == '-' && d[i + 3] == '-')
            alabel = 1;
#else
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        high |= c & 0x80;
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        if ((c | 0x20) == 'x' && (i == 0 || d[i - 1] == '.') && n - i >= 4 &&
            (d[i + 1] | 0x20) == 'n' && d[i + 2] == '-' && d[i + 3] == '-')
            alabel = 1;
    }
#endif
    out[n] = '\0';
    if (high || alabel) {
        const char *ascii = NULL;
        if (sw_idn_convert(x->a, out, n, &ascii, NULL) == 0 && ascii)
            return ascii;
    }
    return out;
}

static inline uint64_t load_folded(const char *s, size_t k)
{
    uint64_t v = 0;
    memcpy(&v, s, k);
    return v | 0x2020202020202020u; /* ASCII letters compare without case */
}

/* Hash for sw_det_org's per-message cache: the length and the first and last 8 bytes,
 * case-folded. Equal texts (ignoring case) get equal hashes, which is all the cache needs
 * (strcasecmp decides); a per-byte hash cost more than the lookups it saved. */
static uint32_t org_cache_hash(const char *domain, size_t n)
{
    uint64_t h = n;
    if (n >= 8)
        h ^= load_folded(domain, 8) * 3 ^ load_folded(domain + n - 8, 8);
    else
        h ^= load_folded(domain, n) * 3;
    h *= 0x9e3779b97f4a7c15u;
    return (uint32_t)(h >> 32);
}

const char *sw_det_org(det *x, const char *domain)
{
    if (!domain || !*domain)
        return NULL;
    /* Most asks repeat a name already asked about, but in a fresh lower-cased copy: the
     * same pointer is rare, so one walk tests it beside the hash rather than a walk of its
     * own first. The length is measured once, for the hash, the comparisons and
     * sw_orgdomain; equal bytes settle most matches before strcasecmp. No name is longer
     * than the 4 GiB a slot's length holds (header values are capped). */
    size_t n = strlen(domain);
    uint32_t h = org_cache_hash(domain, n);
    for (size_t i = 0; i < x->norg_cache; i++)
        if (x->org_cache[i].hash == h && x->org_cache[i].len == n &&
            (x->org_cache[i].domain == domain || !memcmp(x->org_cache[i].domain, domain, n) ||
             !strcasecmp(x->org_cache[i].domain, domain)))
            return x->org_cache[i].org;
    const char *org = sw_orgdomain_n(&x->d->psl, x->a, domain, n);
    if (x->norg_cache < sizeof x->org_cache / sizeof x->org_cache[0] && n <= UINT32_MAX) {
        x->org_cache[x->norg_cache].domain = domain;
        x->org_cache[x->norg_cache].org = org;
        x->org_cache[x->norg_cache].hash = h;
        x->org_cache[x->norg_cache].len = (uint32_t)n;
        x->norg_cache++;
    }
    return org;
}

int sw_det_aligned(det *x, const char *d1, const char *d2)
{
    if (!d1 || !d2 || !*d1 || !*d2)
        return 0;
    if (!strcasecmp(d1, d2))
        return 1;
    /* d2 is mostly the From domain, whose organizational domain sw_det_evaluate looked up
     * first of all (sw_det_org would hand out the same pointer) */
    const char *o1 = sw_det_org(x, d1);
    const char *o2 = d2 == x->from_domain && x->as->from_org_domain ? x->as->from_org_domain
                                                                    : sw_det_org(x, d2);
    return o1 && o2 && !strcasecmp(o1, o2);
}

static int authserv_matches(const char *pattern, const char *id)
{
    if (!id)
        return 0;
    if (pattern[0] == '@') {
        const char *p = pattern + 1;
        size_t pn = strlen(p), in = strlen(id);
        if (!strcasecmp(p, id))
            return 1;
        return in > pn && id[in - pn - 1] == '.' && !strcasecmp(id + in - pn, p);
    }
    return !strcasecmp(pattern, id);
}

static int is_ar(const sw_authres_header *h)
{
    return !strcmp(h->origin, "Authentication-Results");
}

/* Providers that stamp mail under several registrable domains. */
#define FAMILY(org, family) {org, family, sizeof org - 1}
static const struct {
    const char *org, *family;
    size_t len; /* strlen(org): only names of the same length are compared */
} families[] = {
    FAMILY("outlook.com", "microsoft"),   FAMILY("office365.com", "microsoft"),
    FAMILY("office.com", "microsoft"),    FAMILY("microsoft.com", "microsoft"),
    FAMILY("exchangelabs.com", "microsoft"), FAMILY("hotmail.com", "microsoft"),
    FAMILY("live.com", "microsoft"),      FAMILY("msn.com", "microsoft"),
    FAMILY("google.com", "google"),       FAMILY("gmail.com", "google"),
    FAMILY("googlemail.com", "google"),   FAMILY("1e100.net", "google"),
    FAMILY("icloud.com", "apple"),        FAMILY("me.com", "apple"),
    FAMILY("mac.com", "apple"),           FAMILY("apple.com", "apple"),
    FAMILY("yahoo.com", "yahoo"),         FAMILY("yahoodns.net", "yahoo"),
    FAMILY("aol.com", "yahoo"),
};
#undef FAMILY

static const char *provider_family(const char *org)
{
    if (!org)
        return NULL;
    /* every entry is a .com or .net name: most organizations are rejected by their end */
    size_t n = strlen(org);
    if (n < 5 || org[n - 4] != '.')
        return org;
    /* (c | 0x20) == 'c' holds for 'c' and 'C' alone, as strcasecmp would compare them */
    const char *t = org + n - 3;
    int com = (t[0] | 0x20) == 'c' && (t[1] | 0x20) == 'o' && (t[2] | 0x20) == 'm';
    int net = (t[0] | 0x20) == 'n' && (t[1] | 0x20) == 'e' && (t[2] | 0x20) == 't';
    if (!com && !net)
        return org;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (families[i].len == n && !strcasecmp(org, families[i].org))
            return families[i].family;
    return org;
}

/* Names equal but for ASCII case; NULL equals nothing. The same pointer is the common case:
 * the per-message cache hands out one organizational domain for every spelling of a name. */
static int same_name(const char *a, const char *b)
{
    return a && b && (a == b || !strcasecmp(a, b));
}

static int is_host_name(const char *s)
{
    return s && strchr(s, '.') && !strchr(s, ':') &&
           !(s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789.") == strlen(s));
}

/* Whether name[0..n) is s[0..m) or ends in "." s, ignoring ASCII case. */
static int ends_in_labels(const char *name, size_t n, const char *s, size_t m)
{
    return m <= n && (m == n || name[n - m - 1] == '.') && !strncasecmp(name + n - m, s, m);
}

/* Whether the host named d can be of family fam. The family of a host is its organizational
 * domain, or the provider that domain belongs to, and sw_det_org answers a tail of whole
 * labels of the name it is asked (less one trailing root dot, in any case): a host that ends
 * in neither fam nor, for a provider, one of its domains is of another family, which is
 * settled without the Public Suffix List walk that the first hop from outside cost. */
static int may_be_family(const char *d, const char *fam)
{
    size_t n = strlen(d), m = strlen(fam);
    if (n && d[n - 1] == '.')
        n--;
    if (!m || ends_in_labels(d, n, fam, m))
        return 1;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if ((families[i].family[0] | 0x20) == (fam[0] | 0x20) &&
            !strcasecmp(families[i].family, fam) &&
            ends_in_labels(d, n, families[i].org, families[i].len))
            return 1;
    return 0;
}

/* The receiving organisation: the family of the newest hop's `by` host, the field index
 * of its lowest (inbound) hop, and of the first hop added by someone else. */
typedef struct receiver {
    const char *family;
    long lowest_own_field;
    long first_external_field;
} receiver;

static void find_receiver(det *x, receiver *rv)
{
    const sw_record *r = x->r;
    rv->family = NULL;
    rv->lowest_own_field = -1;
    rv->first_external_field = -1;
    /* A receiver's hops mostly name the same `by` host, and the family depends on that
     * text alone: the previous host name's answer is reused for the same text, which is a
     * host name too (prev_by is one), so it is not tested again either. */
    const char *prev_by = NULL, *prev_fam = NULL;
    for (size_t i = 0; i < r->nreceived; i++) {
        const sw_received_hop *h = &r->received[i];
        const char *fam;
        if (prev_by && h->by && !strcmp(prev_by, h->by)) {
            fam = prev_fam;
        } else if (!is_host_name(h->by)) {
            if (rv->family)
                rv->lowest_own_field = (long)h->field_index;
            continue; /* "by 2002:a05:..." or a bare name: cannot tell, treat as inside */
        } else {
            const char *d = sw_det_domain_of(x, h->by);
            if (rv->family && d && !may_be_family(d, rv->family)) {
                rv->first_external_field = (long)h->field_index;
                return;
            }
            fam = provider_family(sw_det_org(x, d));
        }
        prev_by = h->by;
        prev_fam = fam;
        if (!rv->family) {
            rv->family = fam;
        } else if (!same_name(fam, rv->family)) {
            rv->first_external_field = (long)h->field_index;
            return;
        }
        rv->lowest_own_field = (long)h->field_index;
    }
}

long sw_det_inbound_hop(det *x)
{
    receiver rv;
    find_receiver(x, &rv);
    if (rv.lowest_own_field < 0)
        return -1;
    for (size_t i = 0; i < x->r->nreceived; i++)
        if ((long)x->r->received[i].field_index == rv.lowest_own_field)
            return (long)i;
    return -1;
}

static int stamped_by_receiver(det *x, const receiver *rv, const sw_authres_header *h)
{
    if (!x->r->nreceived || !rv->family)
        return 1; /* no trace fields (a client export): position cannot be checked */
    /* Named for the receiver: trusted wherever it sits (some receivers, Proton Mail for
     * one, append their results below the trace fields). */
    if (h->authserv_id && *h->authserv_id) {
        const char *fam = provider_family(sw_det_org(x, h->authserv_id));
        if (same_name(fam, rv->family))
            return 1;
    }
    /* Otherwise the position must show the receiver wrote it: above its inbound hop, or,
     * for Microsoft's id-less form at a Microsoft receiver, above the first hop added
     * outside Microsoft. */
    if ((long)h->field_index < rv->lowest_own_field)
        return 1;
    return (!h->authserv_id || !*h->authserv_id) && !strcmp(rv->family, "microsoft") &&
           (rv->first_external_field < 0 || (long)h->field_index < rv->first_external_field);
}

static void choose_trusted(det *x)
{
    const sw_record *r = x->r;
    sw_assessment *as = x->as;
    x->trusted_arh = sw_arena_calloc(x->a, r->narh ? r->narh : 1);
    x->boundary_field = -1;
    if (!x->trusted_arh)
        return;
    const sw_strlist *ids = &x->cfg->trusted_authserv_ids;
    if (r->has_log) {
        /* A provider's log is the receiver's own verdict: nothing upstream can write it. */
        for (size_t i = 0; i < r->narh; i++)
            if (r->arh[i].from_log) {
                x->trusted_arh[i] = 1;
                if (!as->trusted_authserv_id)
                    as->trusted_authserv_id = r->arh[i].authserv_id;
            }
        as->trust_rule = "authentication results from the provider's own log";
    } else if (ids->count) {
        as->trust_rule = "configured authserv-id";
        for (size_t i = 0; i < r->narh; i++) {
            const sw_authres_header *h = &r->arh[i];
            if (!is_ar(h) || !h->parsed)
                continue;
            for (size_t k = 0; k < ids->count; k++)
                if (authserv_matches(ids->items[k], h->authserv_id)) {
                    x->trusted_arh[i] = 1;
                    if (!as->trusted_authserv_id)
                        as->trusted_authserv_id = h->authserv_id;
                    break;
                }
        }
    } else {
        receiver rv;
        find_receiver(x, &rv);
        long top = -1, any = -1;
        for (size_t i = 0; i < r->narh && top < 0; i++) {
            const sw_authres_header *h = &r->arh[i];
            if (!is_ar(h))
                continue;
            if (any < 0)
                any = (long)i;
            /* An unparsable header where the receiver's would be: its id is unknown, so
             * nothing below it can be trusted either (fail closed). */
            if (!h->parsed &&
                (rv.first_external_field < 0 || (long)h->field_index < rv.first_external_field)) {
                top = (long)i;
                break;
            }
            if (stamped_by_receiver(x, &rv, h))
                top = (long)i;
        }
        if (top < 0) {
            if (any >= 0)
                as->trust_rule = "no Authentication-Results stamped by the receiving "
                                 "organisation (the headers present were added upstream)";
            return;
        }
        const sw_authres_header *t = &r->arh[top];
        if (!t->parsed) {
            as->trust_rule = "newest header unparsable: nothing trusted";
            return;
        }
        as->trusted_authserv_id = t->authserv_id;
        if (!*t->authserv_id) {
            as->trust_rule = "newest header stamped by the receiving organisation (Microsoft "
                             "form, no authserv-id)";
            x->trusted_arh[top] = 1;
        } else {
            as->trust_rule = "newest header stamped by the receiving organisation";
            int contiguous = 1;
            for (size_t i = (size_t)top; i < r->narh; i++) {
                const sw_authres_header *h = &r->arh[i];
                if (!is_ar(h))
                    continue;
                /* the top one was found stamped by the receiver above */
                if (i != (size_t)top && !stamped_by_receiver(x, &rv, h)) {
                    contiguous = 0;
                    continue;
                }
                int same = h->parsed && same_name(h->authserv_id, t->authserv_id);
                /* Siblings (iCloud's one id per milter) only when the trace fields show
                 * they belong to the receiver: a subdomain's id alone proves nothing. Asked
                 * only of a header that is not the same id already. */
                int sibling = 0;
                if (!same && contiguous) {
                    const char *fam = h->parsed && *h->authserv_id
                                          ? provider_family(sw_det_org(x, h->authserv_id))
                                          : NULL;
                    sibling = same_name(fam, rv.family) &&
                              same_name(sw_det_org(x, h->authserv_id),
                                        sw_det_org(x, t->authserv_id));
                }
                if (same || sibling)
                    x->trusted_arh[i] = 1;
                else
                    contiguous = 0;
            }
        }
    }
    as->trusted_arh = x->trusted_arh;
    for (size_t i = 0; i < r->narh; i++)
        if (x->trusted_arh[i]) {
            as->trusted_headers++;
            if ((long)r->arh[i].field_index > x->boundary_field)
                x->boundary_field = (long)r->arh[i].field_index;
        }
}

static const char *prop(const sw_auth_fact *f, const char *ptype, const char *property)
{
    /* the first bytes tell most properties apart ("smtp" and "header", "d" and "s")
     * before the strcmp calls */
    for (size_t i = 0; i < f->nprops; i++) {
        const sw_authres_prop *p = &f->props[i];
        if (p->ptype[0] == ptype[0] && p->property[0] == property[0] &&
            !strcmp(p->ptype, ptype) && !strcmp(p->property, property))
            return p->value;
    }
    return NULL;
}

static void set_outcome(sw_auth_outcome *o, const sw_auth_fact *f, const char *domain,
                        const char *detail)
{
    o->result = f->result;
    o->domain = domain;
    o->origin = f->origin;
    o->origin_index = f->origin_index;
    o->detail = detail;
}

/* "p=REJECT sp=REJECT dis=NONE" (Gmail's comment) or policy.published-domain-policy. */
static const char *policy_of(det *x, const sw_auth_fact *f)
{
    const char *p = prop(f, "policy", "published-domain-policy");
    if (p)
        return p;
    if (f->comment) {
        const char *c = strstr(f->comment, "p=");
        if (c && (c == f->comment || c[-1] == ' ' || c[-1] == '(')) {
            c += 2;
            size_t n = 0;
            while (c[n] && isalpha((unsigned char)c[n]))
                n++;
            return sw_arena_strndup_lower(x->a, c, n);
        }
    }
    return NULL;
}

static void read_outcomes(det *x)
{
    const sw_record *r = x->r;
    sw_assessment *as = x->as;
    for (size_t i = 0; i < r->narh; i++) {
        if (!x->trusted_arh[i])
            continue;
        const sw_authres_header *h = &r->arh[i];
        for (size_t k = h->first_fact; k < h->first_fact + h->nfacts && k < r->nauth; k++) {
            const sw_auth_fact *f = &r->auth[k];
            const char *m = f->method;
            if (is(m, "spf") && !as->spf.result) {
                const char *mf = prop(f, "smtp", "mailfrom");
                const char *helo = prop(f, "smtp", "helo");
                x->spf_domain_text = mf ? mf : helo;
                set_outcome(&as->spf, f, sw_det_domain_of(x, x->spf_domain_text), NULL);
            } else if (is(m, "dkim")) {
                const char *d = prop(f, "header", "d");
                const char *ii = prop(f, "header", "i");
                /* Microsoft writes "header.d=none" for unsigned mail: no domain at all */
                if (d && !strcasecmp(d, "none"))
                    d = NULL;
                const char *dom = sw_det_domain_of(x, d ? d : ii);
                const char *result = f->result;
                const char *why = f->reason ? f->reason : f->comment;
                /* RFC 6376 §3.5: i= must be d= or a subdomain of it. A pass that says
                 * otherwise cannot be a valid signature, whoever claims it. */
                const char *idom = d ? sw_det_domain_of(x, ii) : dom; /* dom is i='s without d= */
                if (!strcmp(result, "pass") && d && idom) {
                    const char *dd = dom; /* d='s domain */
                    size_t il = strlen(idom), dl = dd ? strlen(dd) : 0;
                    if (dd && strcmp(idom, dd) &&
                        !(il > dl && idom[il - dl - 1] == '.' && !strcmp(idom + il - dl, dd))) {
                        result = "permerror";
                        why = "AUID is not in a subdomain of SDID";
                    }
                }
                /* not zeroed: set_outcome fills every member of each entry it hands out,
                 * and nothing reads past ndkim_results */
                if (!as->dkim_results)
                    as->dkim_results = sw_arena_alloc(x->a, 32 * sizeof *as->dkim_results);
                if (as->dkim_results && as->ndkim_results < 32) {
                    sw_auth_outcome *o = &as->dkim_results[as->ndkim_results++];
                    set_outcome(o, f, dom, why);
                    o->result = result;
                }
                if (strcmp(result, "pass")) {
                    if (!strcmp(result, "fail") || !strcmp(result, "permerror"))
                        x->dkim_any_fail = 1;
                    if (!as->dkim.result) {
                        set_outcome(&as->dkim, f, dom, why);
                        as->dkim.result = result;
                    }
                } else {
                    if (dom && x->ndkim_pass < 16)
                        x->dkim_pass_domains[x->ndkim_pass++] = dom;
                    /* the outcome shown is the best one: an aligned pass beats any other */
                    if (!as->dkim.result || strcmp(as->dkim.result, "pass") ||
                        (x->from_domain && sw_det_aligned(x, dom, x->from_domain) &&
                         !sw_det_aligned(x, as->dkim.domain, x->from_domain)))
                        set_outcome(&as->dkim, f, dom, NULL);
                }
            } else if (is(m, "dmarc") && !as->dmarc.result) {
                set_outcome(&as->dmarc, f, sw_det_domain_of(x, prop(f, "header", "from")),
                            f->action);
                as->dmarc_policy = policy_of(x, f);
            } else if (is(m, "compauth") && !as->compauth.result) {
                set_outcome(&as->compauth, f, NULL, f->reason);
            } else if (is(m, "arc") && !as->arc.result) {
                set_outcome(&as->arc, f, NULL, f->comment);
            }
        }
    }
    /* Received-SPF from the receiving hop: only the topmost, only above the second
     * Received header (i.e. written by one of the last two hops), and only when no
     * trusted A-R gave an SPF result. */
    if (!as->spf.result) {
        long rspf = sw_header_find(&r->headers, "Received-SPF", 0);
        long second_rcv = sw_header_find(&r->headers, "Received", 1);
        if (rspf >= 0 && (second_rcv < 0 || rspf < second_rcv)) {
            for (size_t k = 0; k < r->nauth; k++) {
                const sw_auth_fact *f = &r->auth[k];
                if (strcmp(f->origin, "Received-SPF") || f->field_index != (size_t)rspf)
                    continue;
                const char *mf = prop(f, "smtp", "mailfrom");
                x->spf_domain_text = mf ? mf : r->envelope_from;
                set_outcome(&as->spf, f, sw_det_domain_of(x, x->spf_domain_text), NULL);
                break;
            }
        }
    }
}

/* --verify: spoofwatch's own results replace the headers' (kept for the disagreement
 * signal); alignment below is then recomputed from them. */
static void prefer_verified(det *x)
{
    const sw_verified *v = x->verified;
    sw_assessment *as = x->as;
    as->verified = 1;
    as->header_spf = as->spf;
    as->header_dkim = as->dkim;
    as->header_dmarc = as->dmarc;
    static const char origin[] = "spoofwatch verification";
    if (v->spf_result) {
        x->spf_domain_text = v->spf_domain;
        as->spf = (sw_auth_outcome){.result = v->spf_result,
                                    .domain = sw_det_domain_of(x, v->spf_domain),
                                    .origin = origin,
                                    .detail = v->spf_detail};
    }
    if (v->dkim_result) {
        as->dkim = (sw_auth_outcome){.result = v->dkim_result,
                                     .domain = sw_det_domain_of(x, v->dkim_domain),
                                     .origin = origin,
                                     .detail = v->dkim_detail};
        x->ndkim_pass = 0;
        for (size_t i = 0; i < v->ndkim_pass && i < 16; i++)
            x->dkim_pass_domains[x->ndkim_pass++] = sw_det_domain_of(x, v->dkim_pass_domains[i]);
        x->dkim_any_fail = v->dkim_any_fail;
        as->ndkim_results = 0; /* the header's per-signature list no longer applies */
    }
    if (v->arc_result)
        as->arc = (sw_auth_outcome){.result = v->arc_result, .origin = origin,
                                    .detail = v->arc_detail};
    if (v->dmarc_result) {
        as->dmarc = (sw_auth_outcome){.result = v->dmarc_result,
                                      .domain = v->dmarc_domain,
                                      .origin = origin,
                                      .detail = v->dmarc_detail};
        as->dmarc_policy = v->dmarc_policy;
    }
}

void sw_det_evaluate(det *x)
{
    const sw_record *r = x->r;
    sw_assessment *as = x->as;
    as->psl_date = x->d->psl.list_date[0] ? x->d->psl.list_date : NULL;
    if (r->has_from && r->from.domain)
        x->from_domain =
            r->from.domain_ascii ? r->from.domain_ascii : sw_det_domain_of(x, r->from.domain);
    as->from_org_domain = sw_det_org(x, x->from_domain);
    choose_trusted(x);
    read_outcomes(x);
    if (x->verified)
        prefer_verified(x);
    /* The SPF identity: what the trusted receiver checked, else the Return-Path. */
    if (as->spf.domain) {
        as->mailfrom_domain = as->spf.domain;
        x->mailfrom_text = x->spf_domain_text;
    } else {
        as->mailfrom_domain = sw_det_domain_of(x, r->envelope_from);
        x->mailfrom_text = r->envelope_from;
    }
    as->mailfrom_org_domain = sw_det_org(x, as->mailfrom_domain);
    as->spf_aligned =
        as->spf.result && !strcmp(as->spf.result, "pass") &&
        sw_det_aligned(x, as->spf.domain ? as->spf.domain : as->mailfrom_domain, x->from_domain);
    for (size_t i = 0; i < x->ndkim_pass; i++)
        if (sw_det_aligned(x, x->dkim_pass_domains[i], x->from_domain)) {
            as->dkim_aligned = 1;
            as->dkim_aligned_domain = x->dkim_pass_domains[i];
            break;
        }
    as->has_auth_evidence =
        as->spf.result || as->dkim.result || as->dmarc.result || as->compauth.result;
}
