/* DMARC evaluation: alignment, result and disposition (RFC 7489, RFC 9989). See
 * include/spoofwatch/dmarcpol.h for the contract.
 *
 * One evaluation keeps a context on the heap (dmarc_internal.h): the _dmarc answers
 * already fetched, so that a tree walk for an identifier reuses the author's answers as
 * RFC 9989 §4.10.2 suggests, and the evidence lines. Finding the policy record and the
 * organizational domains is dmarc_discover.c's, parsing a record dmarc_record.c's; this
 * file decides which identifiers align and what the record asks for this message.
 * Everything handed out lives in the caller's arena. */
#include "spoofwatch/dmarcpol.h"
#include "spoofwatch/error.h"
#include "spoofwatch/limits.h"
#include "dmarc_internal.h"

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

/* ---- alignment ---- */

int sw_dmarc_aligned_psl(sw_orgdomain_ctx *psl, sw_arena *a, const char *from_domain,
                         const char *auth_domain, int strict)
{
    const char *f, *d;
    if (sw_dmarc_norm_domain(a, from_domain, 1, &f) != DOM_OK ||
        sw_dmarc_norm_domain(a, auth_domain, 1, &d))
        return 0;
    if (!strcmp(f, d))
        return 1;
    if (strict || !psl || sw_dmarc_numeric_tld(f) || sw_dmarc_numeric_tld(d))
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

/* d equals parent, or is a subdomain of it (label boundary). */
static int within(const char *d, const char *parent)
{
    size_t n = strlen(d), m = strlen(parent);
    if (n == m)
        return !strcasecmp(d, parent);
    return n > m && d[n - m - 1] == '.' && !strcasecmp(d + n - m, parent);
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
        if (sw_dmarc_numeric_tld(id) || !d->org_domain)
            return AL_NO;
        const char *o = sw_dmarc_psl_org(c, id);
        return o && !strcmp(o, d->org_domain) ? AL_YES : AL_NO;
    }
    if (d->org_failed || !d->org_domain)
        return AL_UNKNOWN;
    /* An identifier's org domain is one of its own suffixes: outside the author's org
     * domain it cannot match, and no walk is needed (RFC 9989 §4.10.2 note). */
    if (!within(id, d->org_domain))
        return AL_NO;
    walk w;
    if (sw_dmarc_tree_walk(c, id, &w))
        return AL_UNKNOWN;
    if (w.failed) {
        sw_dmarc_step(c, "tree walk from %s: DNS failure; its organizational domain is unknown",
                      id);
        return AL_UNKNOWN;
    }
    const char *org = sw_dmarc_walk_org(&w, id);
    sw_dmarc_step(c, "tree walk from %s: organizational domain %s", id, org);
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
    int nd = sw_dmarc_norm_domain(c->a, in->from_domain, 0, &author);
    if (nd == DOM_NOMEM)
        return SW_ENOMEM;
    const char *shown = author ? author : in->from_domain ? in->from_domain : "(none)";
    sw_dmarc_step(c, "DMARC for From domain %s by %s", shown,
                  c->method == SW_DMARC_METHOD_PSL ? "the Public Suffix List (RFC 7489)"
                                                   : "the DNS tree walk (RFC 9989)");
    out->author_domain = author;
    sw_dmarc_disc_init(c, &out->discovery, author);
    if (nd != DOM_OK) {
        out->result = nd == DOM_LITERAL ? SW_DMARC_NONE : SW_DMARC_PERMERROR;
        out->discovery.why = nd == DOM_LITERAL ? "an address literal has no DMARC record"
                                               : "the From domain is not a domain name";
        sw_dmarc_step(c, "%s: %s", sw_dmarc_result_name(out->result), out->discovery.why);
        return 0;
    }

    /* Passing identifiers, normalised; the others are only evidence. */
    const char *spf_id = NULL;
    const char *temp_ids[SW_DMARC_MAX_DKIM + 1]; /* checks that ended in temperror */
    int temp_dkim[SW_DMARC_MAX_DKIM + 1];
    size_t ntemp = 0;
    if (in->spf.domain || in->spf.result)
        sw_dmarc_step(c, "SPF %s for %s%s", in->spf.result ? in->spf.result : "(not checked)",
                      in->spf.domain ? in->spf.domain : "(no domain)",
                      in->spf.helo ? " (HELO)" : "");
    if (is_pass(in->spf.result) && in->spf.domain &&
        sw_dmarc_norm_domain(c->a, in->spf.domain, 0, &spf_id) == DOM_NOMEM)
        return SW_ENOMEM;
    if (is_temperror(in->spf.result) && in->spf.domain) {
        const char *t;
        if (sw_dmarc_norm_domain(c->a, in->spf.domain, 0, &t) == DOM_NOMEM)
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
        sw_dmarc_step(c, "DKIM %s for d=%s%s%s", k->result ? k->result : "(no result)",
                      k->domain ? k->domain : "(none)", k->selector ? " s=" : "",
                      k->selector ? k->selector : "");
        if (is_pass(k->result) && k->domain &&
            sw_dmarc_norm_domain(c->a, k->domain, 0, &dkim_ids[i]) == DOM_NOMEM)
            return SW_ENOMEM;
        if (dkim_ids[i] && strcmp(dkim_ids[i], author))
            all_same = 0;
        if (is_temperror(k->result) && k->domain) {
            const char *t;
            if (sw_dmarc_norm_domain(c->a, k->domain, 0, &t) == DOM_NOMEM)
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
        sw_dmarc_step(c, "%zu DKIM signature(s) beyond the cap of %d not considered",
                      out->dkim_skipped, SW_DMARC_MAX_DKIM);

    /* Discovery. The tree walk for the author's org domain is skipped when every passing
     * identifier equals the author domain (RFC 9989 §4.10.2 note). */
    sw_dmarc_policy_discovery *d = &out->discovery;
    int rc = c->method == SW_DMARC_METHOD_PSL ? sw_dmarc_discover_psl(c, d)
                                              : sw_dmarc_discover_walk(c, d, 0);
    if (rc)
        return rc;
    if (c->method == SW_DMARC_METHOD_TREEWALK && d->record && !d->from_org && !all_same &&
        !(d->record->adkim == 's' && d->record->aspf == 's')) {
        if ((rc = sw_dmarc_discover_walk(c, d, 1)))
            return rc;
    }
    if (d->status == SW_DMARC_TEMPERROR) {
        out->result = SW_DMARC_TEMPERROR;
        sw_dmarc_step(c, "temperror: %s", d->why);
        return 0;
    }
    if (!d->record) {
        out->result = SW_DMARC_NONE;
        sw_dmarc_step(c, "none: %s", d->why);
        return 0;
    }
    const sw_dmarc_policy_record *rec = d->record;
    sw_dmarc_step(c, "policy record from %s (%s)", d->policy_domain, d->why);

    /* A record without a usable policy: p=none if it asks for reports, else nothing
     * (RFC 7489 §6.6.3 step 6, RFC 9989 §4.10.1; np counts only under RFC 9989). */
    int bad = !rec->p_present || rec->p_invalid || rec->sp_invalid ||
              (c->method == SW_DMARC_METHOD_TREEWALK && rec->np_invalid);
    sw_dmarc_policy p = rec->p, sp = rec->sp, np = rec->np;
    if (bad) {
        if (!rec->rua_valid) {
            out->result = SW_DMARC_NONE;
            sw_dmarc_step(c, "none: the record has no valid policy and no valid rua, so DMARC does "
                             "not apply");
            return 0;
        }
        p = SW_DMARC_POLICY_NONE;
        sp = np = SW_DMARC_POLICY_UNSET;
        sw_dmarc_step(c, "the record has no valid policy but a valid rua: treated as p=none");
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
        sw_dmarc_step(c, "DKIM d=%s %s with %s (%s)", dkim_ids[i],
                      al == AL_YES  ? "aligns"
                      : al == AL_NO ? "does not align"
                                    : "alignment unknown",
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
        sw_dmarc_step(c, "SPF domain %s %s with %s (%s)", spf_id,
                      al == AL_YES  ? "aligns"
                      : al == AL_NO ? "does not align"
                                    : "alignment unknown",
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
            sw_dmarc_step(c, "%s %s had a temporary error and could have aligned",
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
            if (sw_dmarc_failed_status(ans.status)) {
                out->author_exists = -1;
                sw_dmarc_step(c, "%s A: %s: whether the domain exists is unknown", author,
                              sw_dns_status_name(ans.status));
                if (out->result == SW_DMARC_FAIL) {
                    out->result = SW_DMARC_TEMPERROR;
                    sw_dmarc_step(c, "temperror: the existence test decides between sp and np");
                    return 0;
                }
            } else {
                exists = ans.status != SW_DNS_NXDOMAIN;
                out->author_exists = exists;
                sw_dmarc_step(c, "%s A: %s: the domain %s", author, sw_dns_status_name(ans.status),
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
        sw_dmarc_step(c, "policy %s=%s%s%s", out->policy_tag, sw_dmarc_policy_name(out->requested),
                      out->testing ? ", lowered by t=y to " : "",
                      out->testing ? sw_dmarc_policy_name(out->policy) : "");
        if (rec->pct_present && rec->pct_invalid)
            sw_dmarc_step(c, "pct (invalid) ignored (historic in RFC 9989)");
        else if (rec->pct_present)
            sw_dmarc_step(c, "pct=%d ignored (historic in RFC 9989)", rec->pct);
    } else {
        sw_dmarc_step(c, "policy %s=%s%s", out->policy_tag, sw_dmarc_policy_name(out->requested),
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
                sw_dmarc_step(c, "pct=%d: this message (draw %d) is sampled out: %s instead of %s",
                              rec->pct, in->pct_roll, sw_dmarc_policy_name(out->disposition),
                              sw_dmarc_policy_name(out->policy));
            } else {
                sw_dmarc_step(c, "pct=%d: this message is sampled in%s", rec->pct,
                              in->pct_roll < 0 ? " (no draw given)" : "");
            }
        }
    }
    sw_dmarc_step(c, "%s: disposition %s", sw_dmarc_result_name(out->result),
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
    sw_dmarc_ectx_init(c, r, psl, a, method);
    out->method = method;
    out->author_exists = -1;
    int rc = evaluate(c, in, out);
    if (!rc && c->nomem)
        rc = SW_ENOMEM;
    finish(c, out);
    free(c);
    return rc;
}
