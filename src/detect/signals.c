/* The signals: each one names what it saw, where, and the value (docs/signals.md).
 * Weights here are defaults; the configuration may override any of them. Signals only
 * observe; suppressors and the verdict are in verdict.c. */
#include "internal.h"
#include "spoofwatch/idn.h"
#include "spoofwatch/mstransport.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *or_none(const char *s)
{
    return s && *s ? s : "(none)";
}

static const char *compauth_meaning(const char *reason)
{
    if (!reason || strlen(reason) != 3)
        return "no reason code";
    if (!strcmp(reason, "000"))
        return "explicit: DMARC failed and the domain publishes p=quarantine or p=reject";
    if (!strcmp(reason, "001"))
        return "implicit: no or weak authentication records for the From domain";
    if (!strcmp(reason, "002"))
        return "the organisation prohibits this sender/domain pair";
    if (!strcmp(reason, "010"))
        return "DMARC failed with p=quarantine/reject on one of the tenant's own domains";
    if (reason[0] == '6')
        return "implicit failure on one of the tenant's own domains";
    if (reason[0] == '1' || reason[0] == '7')
        return "passed";
    if (reason[0] == '2')
        return "soft pass";
    if (reason[0] == '3')
        return "not checked";
    if (reason[0] == '4' || reason[0] == '9')
        return "checking bypassed";
    return "undocumented reason code";
}

/* --- authentication results ------------------------------------------------------- */

/* "%s #%d: ", the header and its number that evidence about a result starts with. */
static sw_text *origin_text(det *x, const sw_auth_outcome *o)
{
    sw_text *t = sw_det_text(x);
    sw_text_str(t, o->origin);
    SW_TEXT_LIT(t, " #");
    sw_text_int(t, o->origin_index + 1, 0);
    SW_TEXT_LIT(t, ": ");
    return t;
}

static void auth_signals(det *x)
{
    sw_assessment *as = x->as;
    const char *pol = as->dmarc_policy;
    if (is(as->dmarc.result, "fail")) {
        /* Kept apart because they mean different things to the domain owner: an enforced
         * policy, p=none (monitoring only), and a failure sampled out by pct<100. */
        const char *act = as->dmarc.detail;
        int enforcing = is(pol, "reject") || is(pol, "quarantine") || is(act, "reject") ||
                        is(act, "quarantine") || is(act, "oreject");
        int sampled = act && !strncmp(act, "pct.", 4);
        /* Microsoft's action=none says nothing was done, not why (p=none, an override):
         * only a stated p=none makes this a monitoring-only failure. */
        int monitor = !enforcing && !sampled && is(pol, "none");
        const char *id = sampled   ? "dmarc_fail_sampled_out"
                         : monitor ? "dmarc_fail_policy_none"
                                   : "dmarc_fail";
        int weight = sampled ? 40 : monitor ? 25 : enforcing ? 50 : 40;
        /* "%s #%d: dmarc=fail header.from=%s (%s%s%s)%s%s" */
        sw_text *t = origin_text(x, &as->dmarc);
        SW_TEXT_LIT(t, "dmarc=fail header.from=");
        sw_text_str(t, or_none(as->dmarc.domain));
        if (pol) {
            SW_TEXT_LIT(t, " (published p=");
            sw_text_str(t, pol);
        } else {
            SW_TEXT_LIT(t, " (policy not stated");
        }
        if (enforcing)
            SW_TEXT_LIT(t, ", enforced");
        else if (sampled)
            SW_TEXT_LIT(t, ", sampled out by pct");
        SW_TEXT_LIT(t, ")");
        if (act) {
            SW_TEXT_LIT(t, " action=");
            sw_text_str(t, act);
        }
        sw_det_signal_text(x, id, weight, SW_SIG_AUTH_FAILURE);
    } else if (is(as->dmarc.result, "temperror") || is(as->dmarc.result, "permerror")) {
        /* "%s #%d: dmarc=%s header.from=%s" */
        sw_text *t = origin_text(x, &as->dmarc);
        SW_TEXT_LIT(t, "dmarc=");
        sw_text_str(t, as->dmarc.result);
        SW_TEXT_LIT(t, " header.from=");
        sw_text_str(t, or_none(as->dmarc.domain));
        sw_det_signal_text(x,
                           is(as->dmarc.result, "temperror") ? "dmarc_temperror" : "dmarc_permerror",
                           is(as->dmarc.result, "temperror") ? 10 : 8, 0);
    }
    if (is(as->compauth.result, "fail")) {
        const char *reason = as->compauth.detail;
        int w = 35;
        if (reason && !strcmp(reason, "000"))
            w = 45;
        else if (reason && !strcmp(reason, "001"))
            w = 30;
        else if (reason && (!strcmp(reason, "010") || reason[0] == '6'))
            w = 50;
        else if (reason && !strcmp(reason, "002"))
            w = 40;
        /* "%s #%d: compauth=fail reason=%s (%s)" */
        sw_text *t = origin_text(x, &as->compauth);
        SW_TEXT_LIT(t, "compauth=fail reason=");
        sw_text_str(t, or_none(reason));
        SW_TEXT_LIT(t, " (");
        sw_text_str(t, compauth_meaning(reason));
        SW_TEXT_LIT(t, ")");
        sw_det_signal_text(x, "compauth_fail", w, SW_SIG_AUTH_FAILURE);
    }
    const char *spf = as->spf.result;
    /* SPF speaks for the From identity only when it checked an aligned domain. */
    unsigned spf_flags = sw_det_aligned(x, as->spf.domain, x->from_domain) && !as->dmarc.result
                             ? SW_SIG_AUTH_FAILURE
                             : 0;
    /* "%s #%d: spf=%s smtp.mailfrom=%s", the result being the keyword the id names */
    const char *spf_id = is(spf, "fail")        ? "spf_fail"
                         : is(spf, "softfail")  ? "spf_softfail"
                         : is(spf, "temperror") ? "spf_temperror"
                         : is(spf, "permerror") ? "spf_permerror"
                                                : NULL;
    if (spf_id) {
        sw_text *t = origin_text(x, &as->spf);
        SW_TEXT_LIT(t, "spf=");
        sw_text_str(t, spf);
        SW_TEXT_LIT(t, " smtp.mailfrom=");
        sw_text_str(t, or_none(as->spf.domain));
        int fail = spf_id[4] == 'f', soft = spf_id[4] == 's';
        sw_det_signal_text(x, spf_id, fail ? 15 : soft ? 8 : 5, fail || soft ? spf_flags : 0);
    }
    /* "%s #%d: dkim=%s header.d=%s", and " (%s)" with the detail of a failure */
    int dkim_failed = x->dkim_any_fail && !x->ndkim_pass;
    if (dkim_failed || is(as->dkim.result, "temperror") || is(as->dkim.result, "timeout")) {
        sw_text *t = origin_text(x, &as->dkim);
        SW_TEXT_LIT(t, "dkim=");
        sw_text_str(t, dkim_failed ? or_none(as->dkim.result) : as->dkim.result);
        SW_TEXT_LIT(t, " header.d=");
        sw_text_str(t, or_none(as->dkim.domain));
        if (dkim_failed && as->dkim.detail) {
            SW_TEXT_LIT(t, " (");
            sw_text_str(t, as->dkim.detail);
            SW_TEXT_LIT(t, ")");
        }
        if (dkim_failed)
            sw_det_signal_text(x, "dkim_fail", 10, 0);
        else
            sw_det_signal_text(x, "dkim_temperror", 5, 0);
    }

    /* Recomputed alignment: nothing authenticated the From domain. "bestguesspass" is
     * Microsoft's "no DMARC record, but it would have passed": aligned in effect. */
    int dmarc_ok = is(as->dmarc.result, "pass") || is(as->dmarc.result, "bestguesspass");
    /* A log that records "DKIM pass" without the signing domain: it may well be aligned. */
    int dkim_domain_unknown = x->r->has_log && (x->r->log.absent & SW_LOG_NO_DKIM_DOMAIN) &&
                              is(as->dkim.result, "pass");
    if (as->has_auth_evidence && x->from_domain && !as->spf_aligned && !as->dkim_aligned &&
        !dmarc_ok && !is(as->compauth.result, "pass") && dkim_domain_unknown)
        sw_det_signal(x, "alignment_unknown", 0, 0,
                      "DKIM passed but %s does not log the signing domain, so whether it "
                      "authenticates From domain %s cannot be recomputed",
                      x->r->source.format, x->from_domain);
    else if (as->has_auth_evidence && x->from_domain && !as->spf_aligned && !as->dkim_aligned &&
             !dmarc_ok && !is(as->compauth.result, "pass")) {
        /* Without a DMARC policy (dmarc=none or absent) the domain owner asked for no
         * protection: unauthenticated mail is weaker evidence then. */
        int no_policy = !as->dmarc.result || is(as->dmarc.result, "none");
        sw_text *t = sw_det_text(x);
        SW_TEXT_LIT(t, "From domain ");
        sw_text_str(t, x->from_domain);
        SW_TEXT_LIT(t, " (organizational domain ");
        sw_text_str(t, or_none(as->from_org_domain));
        SW_TEXT_LIT(t, ") is authenticated by neither SPF (spf=");
        sw_text_str(t, or_none(as->spf.result));
        SW_TEXT_LIT(t, " for ");
        sw_text_str(t, or_none(as->mailfrom_domain));
        SW_TEXT_LIT(t, ") nor an aligned DKIM signature (");
        sw_text_uint(t, x->ndkim_pass);
        SW_TEXT_LIT(t, " passing, none for ");
        sw_text_str(t, or_none(as->from_org_domain));
        SW_TEXT_LIT(t, ")");
        sw_det_signal_text(x, "from_not_aligned", no_policy ? 10 : 20, SW_SIG_AUTH_FAILURE);
    }
    /* The receiver evaluated DMARC for a different From than the one we parsed: the
     * authenticator and the mail client disagree about who the author is. */
    if (as->dmarc.domain && x->from_domain && strcasecmp(as->dmarc.domain, x->from_domain) &&
        !sw_det_aligned(x, as->dmarc.domain, x->from_domain)) {
        sw_text *t = origin_text(x, &as->dmarc);
        SW_TEXT_LIT(t, "dmarc header.from=");
        sw_text_str(t, as->dmarc.domain);
        SW_TEXT_LIT(t, " but the From header says ");
        sw_text_str(t, x->from_domain);
        sw_det_signal_text(x, "authres_from_mismatch", 40,
                           SW_SIG_AUTH_FAILURE | SW_SIG_STRUCTURAL);
    }
    /* DMARC applies to every author domain (RFC 7489 §6.6.1): a second From header or a
     * second mailbox whose domain nothing authenticates is the forged author. */
    const sw_record *r = x->r;
    for (long idx = (r->from_header_count > 1 || r->from_all.count > 1)
                        ? sw_header_find(&r->headers, "From", 0)
                        : -1;
         idx >= 0; idx = sw_header_next(&r->headers, "From", idx)) {
        const sw_header_field *f = &r->headers.fields[idx];
        sw_address_list l;
        if (sw_address_parse(x->a, f->value, f->value_len, &l))
            break;
        int reported = 0;
        for (size_t i = 0; i < l.count && !reported; i++) {
            const char *d = sw_det_domain_of(x, l.items[i].domain);
            if (!d || !x->from_domain || !strcasecmp(d, x->from_domain))
                continue;
            int ok = as->spf.result && !strcmp(as->spf.result, "pass") &&
                     sw_det_aligned(x, as->spf.domain ? as->spf.domain : as->mailfrom_domain, d);
            for (size_t k = 0; k < x->ndkim_pass && !ok; k++)
                ok = sw_det_aligned(x, x->dkim_pass_domains[k], d);
            if (!ok) {
                sw_det_signal(x, "other_author_unauthenticated", 35, SW_SIG_AUTH_FAILURE,
                              "another author, %s (From header at byte %llu), is authenticated "
                              "by neither SPF nor DKIM",
                              l.items[i].address ? l.items[i].address : d,
                              (unsigned long long)f->offset);
                reported = 1;
            }
        }
        if (reported)
            break;
    }
    /* The organisation's own domain, from outside, without authentication. */
    if (x->from_domain && sw_strlist_has_domain(&x->cfg->protected_domains, x->from_domain) &&
        !dmarc_ok && !as->spf_aligned && !as->dkim_aligned)
        sw_det_signal(x, "own_domain_unauthenticated", 40, SW_SIG_AUTH_FAILURE,
                      "From %s is one of the organisation's domains but no aligned SPF or "
                      "DKIM pass authenticates it",
                      x->from_domain);
}

/* A-R headers below the trust boundary that claim pass while trusted ones do not. */
static void untrusted_pass(det *x)
{
    const sw_record *r = x->r;
    sw_assessment *as = x->as;
    int trusted_ok = is(as->dmarc.result, "pass") || as->dkim_aligned || as->spf_aligned;
    if (trusted_ok || x->boundary_field < 0)
        return;
    for (size_t i = 0; i < r->narh; i++) {
        const sw_authres_header *h = &r->arh[i];
        if (x->trusted_arh[i] || strcmp(h->origin, "Authentication-Results") ||
            (long)h->field_index <= x->boundary_field)
            continue;
        for (size_t k = h->first_fact; k < h->first_fact + h->nfacts; k++) {
            const sw_auth_fact *f = &r->auth[k];
            if (is(f->result, "pass") && (is(f->method, "dmarc") || is(f->method, "dkim"))) {
                sw_det_signal(x, "untrusted_authres_pass", 15, SW_SIG_STRUCTURAL,
                              "Authentication-Results #%d by %s, below the trusted header, "
                              "claims %s=pass",
                              h->origin_index + 1, or_none(h->authserv_id), f->method);
                return;
            }
        }
    }
}

/* --- identities --------------------------------------------------------------------- */

/* Bounce-address schemes rewrite the envelope sender on purpose (detection.md §3.3). */
static int bounce_scheme(const char *addr)
{
    if (!addr)
        return 0;
    /* The prefixes start with s, p, m or b: the first byte (c | 0x20 is 's' for 'S' and 's'
     * alone, as strncasecmp would compare them) picks the one or two worth comparing. */
    int prefixed = 0;
    switch (addr[0] | 0x20) {
    case 's': prefixed = !strncasecmp(addr, "SRS0=", 5) || !strncasecmp(addr, "SRS1=", 5); break;
    case 'p': prefixed = !strncasecmp(addr, "prvs=", 5); break;
    case 'm': prefixed = !strncasecmp(addr, "msprvs1=", 8); break;
    case 'b': prefixed = !strncasecmp(addr, "btv1==", 6); break;
    }
    return prefixed || strstr(addr, "+caf_=") != NULL;
}

static void identity_signals(det *x)
{
    const sw_record *r = x->r;
    sw_assessment *as = x->as;
    const char *from_org = as->from_org_domain;
    if (!from_org)
        return;
    /* the envelope's domain, and its organizational domain, as sw_det_evaluate found them
     * when it read the mailfrom domain from the same text */
    int same = x->mailfrom_text && r->envelope_from &&
               (x->mailfrom_text == r->envelope_from || !strcmp(x->mailfrom_text, r->envelope_from));
    const char *p1 = same ? as->mailfrom_domain : sw_det_domain_of(x, r->envelope_from);
    const char *p1_org = same ? as->mailfrom_org_domain : sw_det_org(x, p1);
    if (p1 && p1_org && strcasecmp(p1_org, from_org) && !bounce_scheme(r->envelope_from)) {
        sw_text *t = sw_det_text(x);
        SW_TEXT_LIT(t, "Return-Path ");
        sw_text_str(t, r->envelope_from);
        SW_TEXT_LIT(t, " (organizational domain ");
        sw_text_str(t, p1_org);
        SW_TEXT_LIT(t, ") differs from From ");
        sw_text_str(t, r->from.address);
        SW_TEXT_LIT(t, " (");
        sw_text_str(t, from_org);
        SW_TEXT_LIT(t, ")");
        sw_det_signal_text(x, "return_path_mismatch", 8, SW_SIG_IDENTITY);
    }
    for (size_t i = 0; i < r->reply_to.count; i++) {
        const sw_mailbox *m = &r->reply_to.items[i];
        const char *rd = sw_det_domain_of(x, m->domain);
        const char *ro = sw_det_org(x, rd);
        if (!ro || !strcasecmp(ro, from_org))
            continue;
        int freemail = sw_strlist_has_domain(&x->cfg->freemail_domains, rd) &&
                       !sw_strlist_has_domain(&x->cfg->freemail_domains, x->from_domain);
        sw_text *t = sw_det_text(x);
        SW_TEXT_LIT(t, "Reply-To ");
        sw_text_str(t, or_none(m->address));
        if (freemail) {
            SW_TEXT_LIT(t, " is a free-mail address while From is ");
        } else {
            SW_TEXT_LIT(t, " (organizational domain ");
            sw_text_str(t, ro);
            SW_TEXT_LIT(t, ") differs from From ");
        }
        sw_text_str(t, r->from.address);
        if (freemail)
            sw_det_signal_text(x, "reply_to_freemail", 20, SW_SIG_IDENTITY);
        else
            sw_det_signal_text(x, "reply_to_mismatch", 8, SW_SIG_IDENTITY);
        break;
    }
    const sw_mailbox *f = &r->from;
    /* A different address shown in the display name ("service@paypal.com" <x@evil>). */
    if (f->display_name && (f->flags & SW_ADDR_DISPLAY_HAS_ADDRESS)) {
        const char *dn = f->display_name;
        const char *at = strchr(dn, '@');
        const char *s = at, *e = at;
        while (s && s > dn && !strchr(" <\"'(", s[-1]))
            s--;
        while (e && *e && !strchr(" >\"')", *e))
            e++;
        const char *shown = at ? sw_arena_strndup(x->a, s, (size_t)(e - s)) : NULL;
        const char *sd = sw_det_domain_of(x, shown);
        const char *so = sw_det_org(x, sd);
        if (so && strcasecmp(so, from_org)) {
            int w = (sw_strlist_has_domain(&x->cfg->protected_domains, sd) ||
                     sw_strlist_has_domain(&x->cfg->brand_domains, sd))
                        ? 40
                        : 30;
            sw_text *t = sw_det_text(x);
            SW_TEXT_LIT(t, "display name shows ");
            sw_text_str(t, shown);
            SW_TEXT_LIT(t, " but the address is ");
            sw_text_str(t, f->address);
            sw_det_signal_text(x, "display_name_address", w, SW_SIG_IDENTITY);
        }
    }
    /* Brands and VIPs in the display name, sent from elsewhere. The brand labels were
     * lower-cased once, at detector start (lookalike references). */
    if (f->display_name && *f->display_name) {
        const sw_lookalike_ref *ref = sw_lookalike_brand_in(&x->d->lookalike, f->display_name);
        if (ref && strcasecmp(ref->org, from_org)) {
            sw_text *t = sw_det_text(x);
            SW_TEXT_LIT(t, "display name \"");
            sw_text_str(t, f->display_name);
            SW_TEXT_LIT(t, "\" names ");
            sw_text_str(t, ref->domain);
            SW_TEXT_LIT(t, " but the mail is from ");
            sw_text_str(t, x->from_domain);
            sw_det_signal_text(x, "display_name_brand", 25, SW_SIG_IDENTITY);
        }
        for (size_t i = 0; i < x->cfg->vip_names.count; i++) {
            const char *v = x->cfg->vip_names.items[i];
            size_t vl = strlen(v);
            if (strncasecmp(f->display_name, v, vl) ||
                (f->display_name[vl] && isalnum((unsigned char)f->display_name[vl])))
                continue;
            if (!sw_strlist_has_domain(&x->cfg->protected_domains, x->from_domain))
                sw_det_signal(x, "display_name_vip", 35, SW_SIG_IDENTITY,
                              "display name \"%s\" is the protected name \"%s\" but the mail "
                              "is from %s",
                              f->display_name, v, x->from_domain);
            break;
        }
    }
}

/* --- parser ambiguity (detection.md §3.10) -------------------------------------------- */

static int has_anomaly(const sw_record *r, const char *id, const char **detail)
{
    for (size_t i = 0; i < r->nanomalies; i++)
        if (!strcmp(r->anomalies[i].id, id)) {
            if (detail)
                *detail = r->anomalies[i].detail;
            return 1;
        }
    return 0;
}

static void structural_signals(det *x)
{
    const sw_record *r = x->r;
    static const struct {
        const char *anomaly, *signal;
        int weight;
        const char *what;
    } table[] = {
        {"multiple_from_headers", "multiple_from_headers", 35,
         "more than one From header: the authenticator and the mail client may pick different "
         "ones"},
        {"from_multiple_mailboxes", "from_multiple_mailboxes", 20, "From holds several mailboxes"},
        {"from_encoded_word_address", "encoded_word_address", 35,
         "an encoded word in the display name decodes to an address"},
        {"from_encoded_word_in_address", "encoded_word_in_address", 30,
         "an encoded word inside the From address"},
        {"leading_whitespace", "malformed_from_header", 20, "whitespace before the first header"},
        {"from_quoted_local_part", "quoted_local_part", 15, "a quoted local part in From"},
        {"from_obsolete_route", "obsolete_route", 20, "an obsolete route in From"},
        {"from_multiple_angle_addresses", "multiple_angle_addresses", 25,
         "several <addresses> in one From mailbox"},
        {"from_comment_has_address", "comment_address", 15, "a comment in From holds an address"},
        {"from_multiple_at", "multiple_at", 20, "an address with more than one @"},
        {"from_text_after_address", "text_after_address", 15, "text after the From address"},
    };
    /* Malformed names count only for headers a client could take for an author: read from
     * the header block itself, since the record keeps one anomaly per kind. They go first: a
     * malformed From outweighs leading whitespace, and one signal carries the weight. */
    for (size_t i = 0; (r->headers.field_flags & SW_HF_SPACE_BEFORE_COLON) && i < r->headers.count;
         i++) {
        const sw_header_field *f = &r->headers.fields[i];
        if ((f->flags & SW_HF_SPACE_BEFORE_COLON) &&
            (!strcasecmp(f->name, "From") || !strcasecmp(f->name, "Sender") ||
             !strcasecmp(f->name, "Reply-To"))) {
            sw_det_signal(x, "malformed_from_header", 30, SW_SIG_STRUCTURAL,
                          "a header name with whitespace before the colon (\"%s :\" at byte "
                          "%llu)",
                          f->name, (unsigned long long)f->offset);
            break;
        }
    }
    const char *folded = r->headers.folded_name;
    if (folded && strcasestr(folded, "from") && !sw_det_find_signal(x, "malformed_from_header"))
        sw_det_signal(x, "malformed_from_header", 30, SW_SIG_STRUCTURAL,
                      "a header name folded onto the next line (\"%s\" CRLF \" : ...\")", folded);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const char *detail = NULL;
        if (!has_anomaly(r, table[i].anomaly, &detail))
            continue;
        if (sw_det_find_signal(x, table[i].signal))
            continue;
        sw_text *t = sw_det_text(x); /* "%s (%s)" */
        sw_text_str(t, table[i].what);
        SW_TEXT_LIT(t, " (");
        sw_text_str(t, detail ? detail : table[i].anomaly);
        SW_TEXT_LIT(t, ")");
        sw_det_signal_text(x, table[i].signal, table[i].weight, SW_SIG_STRUCTURAL);
    }
    /* A log that does not carry the header From says nothing about it (log_facts_absent
     * reports the gap); a DMARC aggregate row names only the From domain. */
    int from_not_logged = r->has_log && ((r->log.absent & SW_LOG_NO_HEADER_FROM) ||
                                         (r->log.flags & SW_LOGF_DMARC_AGGREGATE));
    if (!r->has_from && !from_not_logged)
        sw_det_signal(x, "no_from", 20, SW_SIG_STRUCTURAL, "the message has no usable From");
    /* Padding the header past what a scanner reads can hide a From or an
     * Authentication-Results that a mail client still shows. */
    if (r->headers.anomalies & (SW_HB_TRUNCATED | SW_HB_TOO_MANY_FIELDS))
        sw_det_signal(x, "oversized_header_block", 30, SW_SIG_STRUCTURAL,
                      "the header block %s: fields beyond it were not read",
                      (r->headers.anomalies & SW_HB_TRUNCATED) ? "exceeds 4 MiB"
                                                               : "has more than 2000 fields");
}

/* --- provider fingerprints and time ----------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

static void provider_signals(det *x)
{
    const sw_record *r = x->r;
    if (!x->from_domain || !r->message_id)
        return;
    /* Big providers write Message-IDs in known forms; mail "from" them without one was
     * not written by them (detection.md §3.15). Most mail is from none of them: that is
     * settled before the Message-ID is copied. */
    const char *fd = x->from_domain;
    int google = is(fd, "gmail.com") || is(fd, "googlemail.com");
    int microsoft =
        !google && (is(fd, "outlook.com") || is(fd, "hotmail.com") || is(fd, "live.com"));
    if (!google && !microsoft)
        return;
    char mid[512];
    size_t n = strnlen(r->message_id, sizeof mid - 1); /* cut as snprintf would */
    memcpy(mid, r->message_id, n);
    mid[n] = '\0';
    while (n && (mid[n - 1] == '>' || mid[n - 1] == ' '))
        mid[--n] = '\0';
    const char *dom = strrchr(mid, '@');
    if (!dom)
        return;
    dom++;
    int mismatch = google ? !ends_with(dom, "mail.gmail.com") && !ends_with(dom, "gmail.com")
                          : !ends_with(dom, ".outlook.com") && !ends_with(dom, "outlook.com") &&
                                !ends_with(dom, "hotmail.com") && !ends_with(dom, "phx.gbl");
    if (mismatch) {
        sw_text *t = sw_det_text(x);
        SW_TEXT_LIT(t, "From is ");
        sw_text_str(t, x->from_domain);
        SW_TEXT_LIT(t, " but Message-ID ");
        sw_text_str(t, r->message_id);
        SW_TEXT_LIT(t, " was not written by that provider");
        sw_det_signal_text(x, "message_id_provider_mismatch", 15, SW_SIG_IDENTITY);
    }
}

static void time_signals(det *x)
{
    const sw_record *r = x->r;
    if (!r->nreceived)
        return;
    /* Date vs the newest hop: a Date days away from delivery is forged or replayed. */
    const sw_received_hop *top = &r->received[0];
    if (r->has_date && top->has_time) {
        int64_t skew = r->date_epoch - top->epoch;
        if (skew > 2 * 3600 || skew < -7 * 86400) {
            sw_text *t = sw_det_text(x);
            SW_TEXT_LIT(t, "Date ");
            sw_text_str(t, r->date);
            SW_TEXT_LIT(t, " is ");
            sw_text_int(t, (long long)(skew / 3600), 1);
            SW_TEXT_LIT(t, " hours from the newest Received time");
            sw_det_signal_text(x, "date_received_skew", 10, 0);
        }
    }
    /* A hop stamped well before the hop it came from. */
    for (size_t i = 0; i + 1 < r->nreceived; i++) {
        const sw_received_hop *h = &r->received[i], *below = &r->received[i + 1];
        /* Server clocks drift by minutes (vger.kernel.org's by 40): only hours count. */
        if (h->has_time && below->has_time && below->epoch - h->epoch > 2 * 3600) {
            sw_text *t = sw_det_text(x);
            SW_TEXT_LIT(t, "Received hop ");
            sw_text_uint(t, r->nreceived - i);
            SW_TEXT_LIT(t, " (by ");
            sw_text_str(t, or_none(h->by));
            SW_TEXT_LIT(t, ") is ");
            sw_text_int(t, (long long)((below->epoch - h->epoch) / 60), 0);
            SW_TEXT_LIT(t, " minutes earlier than the hop before it");
            sw_det_signal_text(x, "impossible_hop_timing", 10, 0);
            break;
        }
    }
}

/* Forefront CAT values that name spoofing, impersonation or phishing. */
static int spoof_category(const char *cat)
{
    static const char *const cats[] = {"SPOOF", "DIMP",  "UIMP",   "BIMP", "GIMP",
                                       "INTOS", "HPHSH", "HPHISH", "PHSH"};
    /* most mail says CAT:NONE or SPM: a first letter (either case) no entry has rules it
     * out without nine strcasecmp calls */
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
        if ((cat[0] | 0x20) == (cats[i][0] | 0x20) && !strcasecmp(cat, cats[i]))
            return 1;
    return 0;
}

static void vendor_signals(det *x)
{
    const sw_ms_transport *ms = &x->r->ms;
    const char *cat = sw_ms_get(&ms->forefront, "CAT");
    if (cat && spoof_category(cat))
        sw_det_signal(x, "microsoft_spoof_verdict", 20, 0,
                      "X-Forefront-Antispam-Report: CAT:%s (%s)", cat,
                      sw_ms_meaning("CAT", cat) ? sw_ms_meaning("CAT", cat) : "");
}

/* Look-alikes of the organisation's and brands' domains, and mixed-script IDN labels. */
static void lookalike_signals(det *x)
{
    const char *org = x->as->from_org_domain;
    if (!org)
        return;
    const char *uni = NULL;
    if (sw_idn_is_idn(org, strlen(org)))
        sw_idn_convert(x->a, org, strlen(org), NULL, &uni);
    sw_lookalike_match m;
    if (sw_lookalike_find(&x->d->lookalike, uni ? uni : org, org, &m))
        sw_det_signal(x, "lookalike_domain", 35, SW_SIG_IDENTITY,
                      "From domain %s%s%s%s looks like %s (%s: skeleton \"%s\" vs \"%s\")", org,
                      uni ? " (" : "", uni ? uni : "", uni ? ")" : "", m.ref->domain, m.kind,
                      m.skeleton, m.ref->skeleton);
    if (uni) {
        const char *dot = strchr(uni, '.');
        size_t n = dot ? (size_t)(dot - uni) : strlen(uni);
        if (sw_lookalike_mixed_script(&x->d->lookalike, uni, n))
            sw_det_signal(x, "idn_mixed_script", 20, SW_SIG_IDENTITY,
                          "From domain %s is %s: its label mixes scripts (UTS #39 highly "
                          "restrictive level)",
                          org, uni);
    }
}

/* --- facts only a provider's log carries ------------------------------------------ */

static int any_auth_failure(const det *x)
{
    for (size_t i = 0; i < x->as->nsignals; i++)
        if (x->as->signals[i].flags & SW_SIG_AUTH_FAILURE)
            return 1;
    return 0;
}

/* Appends s to the text[0..*len) of a cap-byte buffer, cut as snprintf would cut it. */
static void text_append(char *text, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s), room = cap - 1 - *len;
    if (n > room)
        n = room;
    memcpy(text + *len, s, n);
    *len += n;
    text[*len] = '\0';
}

/* Which facts the source lacks, in words, for the evidence of absent-fact signals. */
static const char *absent_facts(det *x, unsigned absent)
{
    char text[256] = "";
    size_t len = 0;
    for (unsigned bit = 1; bit && bit <= 1u << 15; bit <<= 1)
        if ((absent & bit) && sw_log_absent_words(bit)) {
            if (len)
                text_append(text, sizeof text, &len, ", ");
            text_append(text, sizeof text, &len, sw_log_absent_words(bit));
        }
    return sw_arena_strndup(x->a, text, len);
}

static void log_signals(det *x)
{
    const sw_record *r = x->r;
    const sw_log_facts *l = &r->log;
    const char *src = r->source.format;
    if (l->flags & SW_LOGF_PROVIDER_SPOOF) {
        sw_text *t = sw_det_text(x);
        sw_text_str(t, src);
        SW_TEXT_LIT(t, ": the provider's own detection names spoofing (");
        sw_text_str(t, or_none(l->detection));
        SW_TEXT_LIT(t, ")");
        sw_det_signal_text(x, "provider_spoof_detection", 30, SW_SIG_AUTH_FAILURE);
    }
    else if (l->flags & SW_LOGF_PROVIDER_PHISH)
        sw_det_signal(x, "provider_phish_verdict", 10, 0,
                      "%s: the provider classified the message as phishing (%s%s%s)", src,
                      or_none(l->provider_verdict), l->detection ? "; " : "",
                      l->detection ? l->detection : "");
    /* Missing facts are said, not guessed: these carry no weight. */
    unsigned missing = l->absent & (SW_LOG_NO_AUTH | SW_LOG_NO_HEADER_FROM);
    if (missing && !(l->flags & SW_LOGF_DMARC_AGGREGATE))
        sw_det_signal(x, "log_facts_absent", 0, 0,
                      "%s does not carry %s: join it with EmailEvents, TIMailData, Gmail logs or "
                      "the message's headers for a verdict on the sender",
                      src, absent_facts(x, missing));
    if (!any_auth_failure(x))
        return;
    if (l->flags & SW_LOGF_OVERRIDE_ALLOW)
        sw_det_signal(x, "override_allowed_failure", 10, 0,
                      "%s: an allow rule overrode the verdict on mail that failed "
                      "authentication (%s)",
                      src, or_none(l->overrides));
    /* Whom it reached: the impact, for the responder. */
    size_t inbox = 0, wl = 0;
    char who[512] = "";
    for (size_t i = 0; i < r->nrecipients; i++) {
        const sw_recipient *rc = &r->recipients[i];
        if (rc->delivered != SW_DELIVERED_INBOX)
            continue;
        if (inbox++ < 5) {
            if (wl)
                text_append(who, sizeof who, &wl, ", ");
            text_append(who, sizeof who, &wl, rc->address ? rc->address : "(null)");
        }
    }
    if (inbox) {
        sw_text *t = sw_det_text(x);
        sw_text_uint(t, inbox);
        SW_TEXT_LIT(t, " of ");
        sw_text_uint(t, r->nrecipients);
        SW_TEXT_LIT(t, " recipients got it delivered despite the authentication failure: ");
        sw_text_put(t, who, wl);
        if (inbox > 5)
            SW_TEXT_LIT(t, ", ...");
        sw_det_signal_text(x, "delivered_despite_auth_failure", 15, 0);
    }
}

/* --verify: a trusted header that says the opposite of spoofwatch's own result. A header
 * pass that does not verify is the stronger case (a forged or replayed result, or a body
 * changed after delivery, which the evidence lets an analyst tell apart). */
static void verification_signals(det *x)
{
    const sw_assessment *as = x->as;
    const struct {
        const char *method;
        const sw_auth_outcome *header, *own;
    } pairs[] = {{"spf", &as->header_spf, &as->spf},
                 {"dkim", &as->header_dkim, &as->dkim},
                 {"dmarc", &as->header_dmarc, &as->dmarc}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const sw_auth_outcome *h = pairs[i].header, *o = pairs[i].own;
        if (!h->result || !o->result || o->origin == h->origin)
            continue;
        int hp = is(h->result, "pass"), op = is(o->result, "pass");
        int of = is(o->result, "fail") || is(o->result, "permerror") ||
                 is(o->result, "softfail");
        int hf = is(h->result, "fail") || is(h->result, "permerror") ||
                 is(h->result, "softfail");
        if ((hp && of) || (hf && op))
            sw_det_signal(x, "verification_disagrees", hp ? 15 : 5, 0,
                          "%s #%d says %s=%s, but spoofwatch verified %s=%s%s%s%s",
                          or_none(h->origin), h->origin_index + 1, pairs[i].method, h->result,
                          pairs[i].method, o->result, o->detail ? " (" : "",
                          o->detail ? o->detail : "", o->detail ? ")" : "");
    }
}

/* Baselines from earlier runs: weak on their own (a new partner, a new ESP), telling beside
 * an authentication failure. */
static void history_signals(det *x)
{
    const sw_history_source *h = x->d->history;
    const char *org = x->as->from_org_domain;
    if (!org)
        return;
    const char *ip = NULL;
    if (x->r->has_log) {
        ip = x->r->log.sender_ip;
    } else {
        long hop = sw_det_inbound_hop(x);
        if (hop >= 0)
            ip = x->r->received[hop].from_ip;
    }
    sw_history hi;
    memset(&hi, 0, sizeof hi);
    if (h->lookup(h->ctx, x->a, org, ip, &hi) || !hi.established)
        return;
    if (!hi.domain_seen)
        sw_det_signal(x, "first_seen_sender", 5, SW_SIG_IDENTITY,
                      "From organizational domain %s never appeared in earlier runs of the store",
                      org);
    else if (hi.network && hi.domain_networks && !hi.network_seen)
        sw_det_signal(x, "new_sending_ip", 5, SW_SIG_IDENTITY,
                      "%s sent authenticated mail from %llu network%s before, never from %s (%s)",
                      org, (unsigned long long)hi.domain_networks,
                      hi.domain_networks == 1 ? "" : "s", hi.network, ip);
}

void sw_det_signals(det *x)
{
    lookalike_signals(x);
    auth_signals(x);
    untrusted_pass(x);
    identity_signals(x);
    structural_signals(x);
    provider_signals(x);
    time_signals(x);
    vendor_signals(x);
    if (x->as->verified)
        verification_signals(x);
    if (x->d->history)
        history_signals(x);
    if (x->r->has_log)
        log_signals(x); /* last: it weighs what the others found */
}

/* Every signal id this file can emit; the configuration refuses weights for others. */
static const char *const known_signals[] = {"dmarc_fail",
                                            "first_seen_sender",
                                            "new_sending_ip",
                                            "dmarc_fail_policy_none",
                                            "dmarc_fail_sampled_out",
                                            "dmarc_temperror",
                                            "dmarc_permerror",
                                            "compauth_fail",
                                            "spf_fail",
                                            "spf_softfail",
                                            "spf_temperror",
                                            "spf_permerror",
                                            "dkim_fail",
                                            "dkim_temperror",
                                            "from_not_aligned",
                                            "authres_from_mismatch",
                                            "own_domain_unauthenticated",
                                            "untrusted_authres_pass",
                                            "return_path_mismatch",
                                            "reply_to_freemail",
                                            "reply_to_mismatch",
                                            "display_name_address",
                                            "display_name_brand",
                                            "display_name_vip",
                                            "multiple_from_headers",
                                            "from_multiple_mailboxes",
                                            "encoded_word_address",
                                            "encoded_word_in_address",
                                            "malformed_from_header",
                                            "quoted_local_part",
                                            "obsolete_route",
                                            "multiple_angle_addresses",
                                            "comment_address",
                                            "multiple_at",
                                            "text_after_address",
                                            "no_from",
                                            "other_author_unauthenticated",
                                            "lookalike_domain",
                                            "idn_mixed_script",
                                            "message_id_provider_mismatch",
                                            "date_received_skew",
                                            "impossible_hop_timing",
                                            "microsoft_spoof_verdict",
                                            "alignment_unknown",
                                            "provider_spoof_detection",
                                            "provider_phish_verdict",
                                            "log_facts_absent",
                                            "override_allowed_failure",
                                            "delivered_despite_auth_failure",
                                            "verification_disagrees",
                                            NULL};

int sw_signal_known(const char *id)
{
    for (size_t i = 0; known_signals[i]; i++)
        if (!strcmp(known_signals[i], id))
            return 1;
    return 0;
}
