/* Suppressors, the score and the verdict; the detector's entry points and JSON form.
 *
 * Combination rules (docs/signals.md):
 *   score      = sum of the weights of signals no suppressor cancelled;
 *   spoofed    = score >= threshold_spoofed, at least two counting signals, and at least
 *                one of them says the From identity failed authentication;
 *   suspicious = score >= threshold_suspicious;
 *   pass       = trusted authentication evidence exists and neither threshold was met;
 *   unknown    = no trusted authentication evidence and nothing reached suspicious. */
#include "internal.h"
#include "spoofwatch/limits.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *sw_verdict_name(sw_verdict v)
{
    switch (v) {
    case SW_VERDICT_PASS: return "pass";
    case SW_VERDICT_SUSPICIOUS: return "suspicious";
    case SW_VERDICT_SPOOFED: return "spoofed";
    case SW_VERDICT_UNKNOWN: break;
    }
    return "unknown";
}

#define MAX_SUPPRESSORS 16

static int configured_weight(const sw_config *c, const char *id, int dflt)
{
    for (size_t i = 0; i < c->nweights; i++)
        if (!strcmp(c->weights[i].signal, id))
            return c->weights[i].weight;
    return dflt;
}

void sw_det_signal(det *x, const char *id, int weight, unsigned flags, const char *fmt, ...)
{
    sw_assessment *as = x->as;
    /* Uninitialised: nothing reads past nsignals, and zeroing all 64 slots up front cost
     * more than the few signals a message has. */
    if (!as->signals)
        as->signals = sw_arena_alloc(x->a, SW_MAX_SIGNALS * sizeof *as->signals);
    if (!as->signals || as->nsignals >= SW_MAX_SIGNALS)
        return;
    va_list ap;
    va_start(ap, fmt);
    sw_signal *s = &as->signals[as->nsignals++];
    *s = (sw_signal){0};
    s->id = id;
    s->base_weight = s->weight = configured_weight(x->cfg, id, weight);
    s->evidence = sw_arena_vprintf(x->a, fmt, ap);
    s->flags = flags;
    va_end(ap);
}

/* The text sw_det_text began, now in the arena (NULL when it is full, as for a format). */
static const char *text_take(det *x)
{
    size_t n = sw_text_end(&x->text);
    if (x->text_in_arena)
        return sw_arena_take(x->a, sw_arena_round(n + 1)); /* fits: the room was tested */
    return sw_arena_strndup(x->a, x->scratch, n);
}

void sw_det_signal_text(det *x, const char *id, int weight, unsigned flags)
{
    /* the text first: the signal table, when this is the first, is allocated after it */
    const char *evidence = text_take(x);
    sw_assessment *as = x->as;
    if (!as->signals)
        as->signals = sw_arena_alloc(x->a, SW_MAX_SIGNALS * sizeof *as->signals);
    if (!as->signals || as->nsignals >= SW_MAX_SIGNALS)
        return;
    sw_signal *s = &as->signals[as->nsignals++];
    *s = (sw_signal){0};
    s->id = id;
    s->base_weight = s->weight = configured_weight(x->cfg, id, weight);
    s->evidence = evidence;
    s->flags = flags;
}

void sw_det_suppressor_text(det *x, const char *id, int warning)
{
    const char *evidence = text_take(x);
    sw_assessment *as = x->as;
    if (!as->suppressors)
        as->suppressors = sw_arena_alloc(x->a, MAX_SUPPRESSORS * sizeof *as->suppressors);
    if (!as->suppressors || as->nsuppressors >= MAX_SUPPRESSORS)
        return;
    sw_suppressor *s = &as->suppressors[as->nsuppressors++];
    *s = (sw_suppressor){0};
    s->id = id;
    s->evidence = evidence;
    s->warning = warning;
}

void sw_det_suppressor(det *x, const char *id, int warning, const char *fmt, ...)
{
    sw_assessment *as = x->as;
    if (!as->suppressors)
        as->suppressors = sw_arena_alloc(x->a, MAX_SUPPRESSORS * sizeof *as->suppressors);
    if (!as->suppressors || as->nsuppressors >= MAX_SUPPRESSORS)
        return;
    va_list ap;
    va_start(ap, fmt);
    sw_suppressor *s = &as->suppressors[as->nsuppressors++];
    *s = (sw_suppressor){0};
    s->id = id;
    s->evidence = sw_arena_vprintf(x->a, fmt, ap);
    s->warning = warning;
    va_end(ap);
}

const sw_signal *sw_det_find_signal(const det *x, const char *id)
{
    for (size_t i = 0; i < x->as->nsignals; i++)
        if (!strcmp(x->as->signals[i].id, id))
            return &x->as->signals[i];
    return NULL;
}

/* Cancels the listed signals (NULL-terminated), or all signals when list is NULL. */
static void cancel(det *x, const char *by, const char *const *list)
{
    for (size_t i = 0; i < x->as->nsignals; i++) {
        sw_signal *s = &x->as->signals[i];
        if (s->suppressed_by)
            continue;
        int hit = !list;
        for (size_t k = 0; list && list[k] && !hit; k++)
            hit = !strcmp(list[k], s->id);
        if (hit) {
            s->suppressed_by = by;
            s->weight = 0;
        }
    }
}

/* Signals that forwarding and list processing cause by themselves. */
static const char *const relay_effects[] = {
    "dmarc_fail",   "dmarc_fail_policy_none", "dmarc_fail_sampled_out", "dkim_fail",     "spf_fail",
    "spf_softfail", "from_not_aligned",       "return_path_mismatch",   "compauth_fail", NULL};

static int arc_sealer_trusted(det *x, const char **sealer)
{
    const sw_record *r = x->r;
    if (!r->narc)
        return 0;
    /* The newest set's sealer vouches for the chain (chain validity itself is checked by
     * --verify; here we rely on the trusted receiver's arc= result). */
    const sw_arc_set *top = &r->arc[r->narc - 1];
    if (top->flags & (SW_ARC_MISSING_SEAL | SW_ARC_BAD_INSTANCE))
        return 0;
    *sealer = top->seal.d;
    return top->seal.d && sw_strlist_has_domain(&x->cfg->trusted_arc_sealers, top->seal.d);
}

static int from_matches(det *x, const char *pattern)
{
    if (!pattern || !x->from_domain)
        return 0;
    if (!strcmp(pattern, "*"))
        return 1;
    sw_strlist one = {&pattern, 1};
    return sw_strlist_has_domain(&one, x->from_domain);
}

/* Does the message authenticate (SPF pass or DKIM pass) as `via` or its subdomains? */
static int authenticated_as(det *x, const char *via)
{
    sw_strlist one = {&via, 1};
    sw_assessment *as = x->as;
    if (as->spf.result && !strcmp(as->spf.result, "pass") &&
        sw_strlist_has_domain(&one, as->spf.domain ? as->spf.domain : as->mailfrom_domain))
        return 1;
    for (size_t i = 0; i < x->ndkim_pass; i++)
        if (sw_strlist_has_domain(&one, x->dkim_pass_domains[i]))
            return 1;
    return 0;
}

/* Whether name's organisational domain can be org: what sw_det_org answers is a tail of
 * the name it is asked (less one trailing root dot, in any case), so a name that does not
 * end in org cannot have it, and the PSL walk for the List-Id (most of the cost of the
 * suppressors) is left out for lists that are not the envelope sender's. */
static int may_have_org(const char *name, const char *org)
{
    size_t n = strlen(name), m = strlen(org);
    if (n && name[n - 1] == '.')
        n--;
    return m <= n && !strncasecmp(name + n - m, org, m);
}

static void suppressors(det *x)
{
    const sw_record *r = x->r;
    const sw_config *c = x->cfg;
    sw_assessment *as = x->as;
    /* Phishing simulations: deliberate spoofing the organisation ordered. */
    for (size_t i = 0; i < c->nsimulations; i++) {
        const sw_simulation *s = &c->simulations[i];
        int by_header = s->header && sw_header_find(&r->headers, s->header, 0) >= 0;
        int by_envelope = 0;
        if (!by_header && s->return_path && as->mailfrom_domain) {
            const char *rp = s->return_path;
            sw_strlist one = {&rp, 1};
            by_envelope = sw_strlist_has_domain(&one, as->mailfrom_domain);
        }
        if (by_header || by_envelope) {
            if (by_header)
                sw_det_suppressor(x, "phishing_simulation", 0, "%s: header %s present", s->name,
                                  s->header);
            else
                sw_det_suppressor(x, "phishing_simulation", 0, "%s: envelope sender %s",
                                  s->name, as->mailfrom_domain);
            cancel(x, "phishing_simulation", NULL);
            return;
        }
    }
    /* The provider's own exemption policies (EmailEvents OrgLevelPolicy "Phishing
     * simulation", "SecOps Mailbox"): the tenant declared this mail deliberate. */
    if (r->has_log && (r->log.flags & SW_LOGF_POLICY_EXEMPT)) {
        sw_det_suppressor(x, "provider_policy_exempt", 0, "%s: %s", r->source.format,
                          r->log.overrides ? r->log.overrides : "exemption policy");
        cancel(x, "provider_policy_exempt", NULL);
        return;
    }
    /* Exceptions with an owner and an expiry. */
    time_t now = c->nexceptions ? time(NULL) : 0; /* only expiries read it */
    for (size_t i = 0; i < c->nexceptions; i++) {
        const sw_exception *e = &c->exceptions[i];
        int hit = (e->from_address && x->r->from.address &&
                   !strcasecmp(e->from_address, x->r->from.address)) ||
                  (e->from_domain && from_matches(x, e->from_domain));
        if (!hit)
            continue;
        if (e->expires && e->expires < now) {
            sw_det_suppressor(x, "exception_expired", 1,
                              "exception %s (owner %s: %s) matched but expired; not applied",
                              e->id ? e->id : "?", e->owner ? e->owner : "?",
                              e->reason ? e->reason : "");
            continue;
        }
        sw_det_suppressor(x, "exception", 0, "exception %s (owner %s: %s)", e->id ? e->id : "?",
                          e->owner ? e->owner : "?", e->reason ? e->reason : "");
        cancel(x, "exception", NULL);
        return;
    }
    /* Third-party senders: allowed to send as from_domain if they authenticate as via. */
    for (size_t i = 0; i < c->nthird_party; i++) {
        const sw_sender_rule *t = &c->third_party[i];
        if (from_matches(x, t->from_domain) && t->via && authenticated_as(x, t->via)) {
            sw_det_suppressor(x, "third_party_sender", 0, "%s sends as %s and authenticated as %s",
                              t->name ? t->name : t->via, x->from_domain, t->via);
            static const char *const effects[] = {"dmarc_fail",
                                                  "dmarc_fail_policy_none",
                                                  "dmarc_fail_sampled_out",
                                                  "from_not_aligned",
                                                  "return_path_mismatch",
                                                  "compauth_fail",
                                                  "own_domain_unauthenticated",
                                                  NULL};
            cancel(x, "third_party_sender", effects);
            break;
        }
    }
    /* Configured forwarders: SPF breaks by design, so only DKIM can still authenticate. */
    for (size_t i = 0; i < c->nforwarders; i++) {
        const sw_sender_rule *fw = &c->forwarders[i];
        const char *via = fw->via;
        sw_strlist via_list = {&via, 1};
        int via_seen =
            via && (authenticated_as(x, via) ||
                    (as->mailfrom_domain && sw_strlist_has_domain(&via_list, as->mailfrom_domain)));
        if (via_seen && from_matches(x, fw->from_domain ? fw->from_domain : "*")) {
            sw_det_suppressor(x, "forwarder", 0, "forwarded by %s (%s)",
                              fw->name ? fw->name : fw->via, fw->via);
            static const char *const effects[] = {"spf_fail", "spf_softfail",
                                                  "return_path_mismatch", NULL};
            cancel(x, "forwarder", effects);
            break;
        }
    }
    /* Mailing lists: List-Id plus an ARC chain sealed by a trusted sealer that the trusted
     * receiver found valid. */
    if (r->list.present && r->list.id) {
        const char *sealer = NULL;
        int arc_ok = as->arc.result && !strcmp(as->arc.result, "pass");
        if (arc_sealer_trusted(x, &sealer) && arc_ok) {
            sw_det_suppressor(x, "mailing_list_arc", 0,
                              "List-Id %s; ARC sealed by trusted %s and arc=pass", r->list.id,
                              sealer);
            cancel(x, "mailing_list_arc", relay_effects);
        } else {
            /* Without a trusted chain, a list that resent the message with its own
             * envelope explains the envelope rewrite, and the failures a list causes
             * (footer, subject tag) cannot make the verdict worse than suspicious; a
             * forger who adds a List-Id still gets flagged. */
            const char *lo = as->mailfrom_org_domain &&
                                     may_have_org(r->list.id, as->mailfrom_org_domain)
                                 ? sw_det_org(x, r->list.id)
                                 : NULL;
            if (lo && !strcasecmp(lo, as->mailfrom_org_domain)) {
                sw_text *t = sw_det_text(x);
                SW_TEXT_LIT(t, "List-Id ");
                sw_text_str(t, r->list.id);
                SW_TEXT_LIT(t, " and the envelope sender ");
                sw_text_str(t, as->mailfrom_domain);
                SW_TEXT_LIT(t, " belong to the list");
                if (sealer) {
                    SW_TEXT_LIT(t, "; ARC sealer not trusted: ");
                    sw_text_str(t, sealer);
                }
                sw_det_suppressor_text(x, "mailing_list_envelope", 0);
                static const char *const effects[] = {"return_path_mismatch", NULL};
                cancel(x, "mailing_list_envelope", effects);
                x->verdict_cap = "mailing_list_envelope";
            }
        }
    }
}

static void decide(det *x)
{
    sw_assessment *as = x->as;
    int score = 0, counting = 0, auth_failure = 0;
    for (size_t i = 0; i < as->nsignals; i++) {
        const sw_signal *s = &as->signals[i];
        if (s->suppressed_by || s->weight <= 0)
            continue;
        score += s->weight;
        counting++;
        if (s->flags & SW_SIG_AUTH_FAILURE)
            auth_failure = 1;
    }
    as->score = score;
    const sw_config *c = x->cfg;
    if (score >= c->threshold_spoofed && counting >= 2 && auth_failure && !x->verdict_cap)
        as->verdict = SW_VERDICT_SPOOFED;
    else if (score >= c->threshold_suspicious)
        as->verdict = SW_VERDICT_SUSPICIOUS;
    else if (as->has_auth_evidence)
        as->verdict = SW_VERDICT_PASS;
    else
        as->verdict = SW_VERDICT_UNKNOWN;
}

void sw_det_suppress_and_decide(det *x)
{
    suppressors(x);
    decide(x);
}

int sw_detector_init(sw_detector *d, const sw_config *config, sw_error *err)
{
    memset(d, 0, sizeof *d);
    d->config = config;
    sw_arena_init(&d->arena, 16u << 20);
    int rc = sw_orgdomain_open(&d->psl, config->psl_file, err);
    if (rc == SW_OK)
        rc = sw_lookalike_init(&d->lookalike, config, &d->psl, &d->arena, err);
    return rc;
}

void sw_detector_close(sw_detector *d)
{
    sw_lookalike_free(&d->lookalike);
    sw_orgdomain_close(&d->psl);
    sw_arena_free(&d->arena);
}

/* Everything before the lookup cache zeroed (see det.org_cache), then the borrowed parts. */
static void det_init(det *x, sw_detector *d, sw_arena *a, const sw_record *rec, sw_assessment *as,
                     const sw_verified *v)
{
    memset(x, 0, offsetof(det, org_cache));
    x->d = d;
    x->cfg = d->config;
    x->a = a;
    x->r = rec;
    x->as = as;
    x->verified = v;
}

int sw_detect_verified(sw_detector *d, sw_arena *a, const sw_record *rec, const sw_verified *v,
                       sw_assessment *out)
{
    memset(out, 0, sizeof *out);
    det x;
    det_init(&x, d, a, rec, out, v);
    sw_det_evaluate(&x);
    sw_det_signals(&x);
    sw_det_suppress_and_decide(&x);
    return SW_OK;
}

int sw_detect(sw_detector *d, sw_arena *a, const sw_record *rec, sw_assessment *out)
{
    return sw_detect_verified(d, a, rec, NULL, out);
}

long sw_detect_inbound_hop(sw_detector *d, sw_arena *a, const sw_record *rec)
{
    sw_assessment scratch;
    memset(&scratch, 0, sizeof scratch);
    det x;
    det_init(&x, d, a, rec, &scratch, NULL);
    return sw_det_inbound_hop(&x);
}

static void write_outcome(sw_json *j, const char *qkey, size_t m, const sw_auth_outcome *o)
{
    if (!o->result)
        return;
    sw_json_open_kv_string_lit(j, qkey, m, o->result);
    SW_JSON_KV_STRING(j, "domain", o->domain);
    SW_JSON_KV_STRING(j, "detail", o->detail);
    SW_JSON_KV_STRING(j, "origin", o->origin);
    SW_JSON_KV_INT_END(j, "origin_index", o->origin_index);
}
/* The keys are literals, with the first member's, in the form sw_json_open_kv_string_lit
 * takes them. */
#define WRITE_OUTCOME(j, lit, o)                                                                  \
    write_outcome((j), SW_JSON_LITS_("\"" lit "\":{\"result\":\""), (o))

void sw_assessment_write_json(const sw_assessment *as, sw_json *j)
{
    SW_JSON_KV_STRING(j, "verdict", sw_verdict_name(as->verdict));
    SW_JSON_KV_INT(j, "score", as->score);
    SW_JSON_KEY_ARRAY(j, "signals");
    for (size_t i = 0; i < as->nsignals; i++) {
        const sw_signal *s = &as->signals[i];
        SW_JSON_OBJECT_KV_STRING(j, "id", s->id);
        SW_JSON_KV_INT(j, "weight", s->weight);
        if (s->suppressed_by) {
            SW_JSON_KV_STRING(j, "evidence", s->evidence);
            SW_JSON_KV_INT(j, "base_weight", s->base_weight);
            SW_JSON_KV_STRING_END(j, "suppressed_by", s->suppressed_by);
        } else {
            SW_JSON_KV_STRING_END(j, "evidence", s->evidence);
        }
    }
    sw_json_array_end(j);
    if (!as->nsuppressors) {
        SW_JSON_KV_RAW(j, "suppressors", "[]"); /* most messages' */
    } else {
        SW_JSON_KEY_ARRAY(j, "suppressors");
        for (size_t i = 0; i < as->nsuppressors; i++) {
            SW_JSON_OBJECT_KV_STRING(j, "id", as->suppressors[i].id);
            if (as->suppressors[i].warning) {
                SW_JSON_KV_STRING(j, "evidence", as->suppressors[i].evidence);
                SW_JSON_KV_BOOL(j, "warning", 1);
                sw_json_object_end(j);
            } else {
                SW_JSON_KV_STRING_END(j, "evidence", as->suppressors[i].evidence);
            }
        }
        sw_json_array_end(j);
    }
    SW_JSON_KEY_OBJECT_KV_STRING(j, "evaluation", "trusted_authserv_id", as->trusted_authserv_id);
    SW_JSON_KV_STRING(j, "trust_rule", as->trust_rule);
    SW_JSON_KV_INT(j, "trusted_headers", (int64_t)as->trusted_headers);
    WRITE_OUTCOME(j, "spf", &as->spf);
    WRITE_OUTCOME(j, "dkim", &as->dkim);
    if (as->ndkim_results > 1) {
        SW_JSON_KEY_ARRAY(j, "dkim_results");
        for (size_t i = 0; i < as->ndkim_results; i++) {
            const sw_auth_outcome *o = &as->dkim_results[i];
            SW_JSON_OBJECT_KV_STRING(j, "result", o->result);
            SW_JSON_KV_STRING(j, "domain", o->domain);
            SW_JSON_KV_STRING(j, "detail", o->detail);
            SW_JSON_KV_INT_END(j, "origin_index", o->origin_index);
        }
        sw_json_array_end(j);
    }
    WRITE_OUTCOME(j, "dmarc", &as->dmarc);
    WRITE_OUTCOME(j, "compauth", &as->compauth);
    WRITE_OUTCOME(j, "arc", &as->arc);
    if (as->verified) {
        /* the outcomes above are spoofwatch's own; what the trusted headers said: */
        SW_JSON_KV_BOOL(j, "verified", 1);
        WRITE_OUTCOME(j, "header_spf", &as->header_spf);
        WRITE_OUTCOME(j, "header_dkim", &as->header_dkim);
        WRITE_OUTCOME(j, "header_dmarc", &as->header_dmarc);
    }
    SW_JSON_KV_STRING(j, "dmarc_policy", as->dmarc_policy);
    SW_JSON_KV_STRING(j, "from_org_domain", as->from_org_domain);
    SW_JSON_KV_STRING(j, "mailfrom_domain", as->mailfrom_domain);
    SW_JSON_KV_STRING(j, "mailfrom_org_domain", as->mailfrom_org_domain);
    /* the two alignments as one member of the four literals */
    if (as->spf_aligned && as->dkim_aligned)
        SW_JSON_KV_RAW(j, "spf_aligned", "true,\"dkim_aligned\":true");
    else if (as->spf_aligned)
        SW_JSON_KV_RAW(j, "spf_aligned", "true,\"dkim_aligned\":false");
    else if (as->dkim_aligned)
        SW_JSON_KV_RAW(j, "spf_aligned", "false,\"dkim_aligned\":true");
    else
        SW_JSON_KV_RAW(j, "spf_aligned", "false,\"dkim_aligned\":false");
    SW_JSON_KV_STRING(j, "dkim_aligned_domain", as->dkim_aligned_domain);
    SW_JSON_KV_STRING_END(j, "psl_date", as->psl_date);
}
