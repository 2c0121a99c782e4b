/* Text explanation: see include/spoofwatch/explain.h. */
#include "spoofwatch/explain.h"
#include "spoofwatch/verify.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/emlx.h"

#include <inttypes.h>
#include <string.h>

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static void section(FILE *o, const char *title)
{
    fprintf(o, "\n%s\n", title);
}

static void mailbox_line(FILE *o, const char *label, const sw_mailbox *m)
{
    if (m->display_name && *m->display_name)
        fprintf(o, "  %-14s \"%s\" <%s>\n", label, m->display_name, or_dash(m->address));
    else
        fprintf(o, "  %-14s <%s>\n", label, or_dash(m->address));
}

static void identities(const sw_record *r, FILE *o)
{
    section(o, "Identities");
    if (r->has_from)
        mailbox_line(o, "From:", &r->from);
    else
        fprintf(o, "  %-14s (none)\n", "From:");
    if (r->from_header_count > 1)
        fprintf(o, "  %-14s %zu From headers: receivers may show a different one\n", "",
                r->from_header_count);
    for (size_t i = 1; i < r->from_all.count; i++)
        mailbox_line(o, "  also From:", &r->from_all.items[i]);
    if (r->sender.count)
        mailbox_line(o, "Sender:", &r->sender.items[0]);
    fprintf(o, "  %-14s %s\n", "Return-Path:",
            r->envelope_from ? (*r->envelope_from ? r->envelope_from : "<> (null sender)")
                             : "(none)");
    for (size_t i = 0; i < r->reply_to.count; i++)
        mailbox_line(o, "Reply-To:", &r->reply_to.items[i]);
    fprintf(o, "  %-14s %s\n", "Message-ID:", or_dash(r->message_id));
    fprintf(o, "  %-14s %s\n", "Subject:", or_dash(r->subject));
    if (r->has_date) {
        char t[32];
        sw_datetime_format_utc(r->date_epoch, t);
        fprintf(o, "  %-14s %s (%s)\n", "Date:", r->date, t);
    } else {
        fprintf(o, "  %-14s %s\n", "Date:", or_dash(r->date));
    }
    for (size_t i = 0; i < r->nrecipients; i++) {
        const sw_recipient *rc = &r->recipients[i];
        fprintf(o, "  %-14s %s", i == 0 ? "Recipients:" : "", rc->address);
        if (rc->delivery_action || rc->delivery_location || rc->status || rc->delivered)
            fprintf(o, "  -> %s (%s%s%s%s%s)", sw_delivered_name(rc->delivered),
                    or_dash(rc->delivery_action ? rc->delivery_action : rc->status),
                    rc->delivery_location ? ", " : "",
                    rc->delivery_location ? rc->delivery_location : "",
                    rc->latest_location ? ", now " : "",
                    rc->latest_location ? rc->latest_location : "");
        fputc('\n', o);
    }
}

/* What only the provider's log says, and what it cannot say. */
static void log_facts(const sw_record *r, FILE *o)
{
    if (!r->has_log)
        return;
    const sw_log_facts *l = &r->log;
    section(o, "Log facts");
    fprintf(o, "  time %s, %u row%s merged\n", or_dash(l->time), l->rows, l->rows == 1 ? "" : "s");
    if (l->network_message_id)
        fprintf(o, "  NetworkMessageId %s\n", l->network_message_id);
    if (l->direction || l->sender_ip)
        fprintf(o, "  direction %s, sender IP %s\n", or_dash(l->direction), or_dash(l->sender_ip));
    if (l->provider_verdict || l->detection)
        fprintf(o, "  provider verdict %s, detection %s\n", or_dash(l->provider_verdict),
                or_dash(l->detection));
    if (l->overrides)
        fprintf(o, "  overrides: %s\n", l->overrides);
    if (l->count)
        fprintf(o, "  stands for %" PRIu64 " messages\n", l->count);
    for (unsigned bit = 1; bit && bit <= 1u << 15; bit <<= 1)
        if ((l->absent & bit) && sw_log_absent_words(bit))
            fprintf(o, "  not in this source: %s\n", sw_log_absent_words(bit));
    for (size_t i = 0; i < l->nfields; i++)
        fprintf(o, "  %-22s %s\n", l->fields[i].key, l->fields[i].value);
}

static void auth(const sw_record *r, FILE *o)
{
    if (r->has_log) {
        section(o, "Authentication results (as the provider logged them)");
        if (!r->nauth)
            fprintf(o, "  none in this row\n");
        for (size_t i = 0; i < r->nauth; i++) {
            const sw_auth_fact *a = &r->auth[i];
            fprintf(o, "    %-9s %-13s [%s]%s%s%s\n", a->method, a->result, a->origin,
                    a->comment ? "  (" : "", a->comment ? a->comment : "", a->comment ? ")" : "");
        }
        return;
    }
    section(o, "Authentication results (as stated by headers, newest first; not yet verified)");
    if (!r->nauth) {
        fprintf(o, "  none: no Authentication-Results, ARC-Authentication-Results or "
                   "Received-SPF header\n");
        return;
    }
    const char *last_origin = NULL;
    int last_index = -1;
    for (size_t i = 0; i < r->nauth; i++) {
        const sw_auth_fact *a = &r->auth[i];
        if (a->origin != last_origin || a->origin_index != last_index) {
            fprintf(o, "  %s #%d", a->origin, a->origin_index + 1);
            if (a->arc_instance >= 0)
                fprintf(o, " (i=%d)", a->arc_instance);
            const char *unnamed = strcmp(a->origin, "Received-SPF")
                                      ? "(no authserv-id: Microsoft form)"
                                      : "(receiver not stated)";
            fprintf(o, " by %s, header at byte %" PRIu64 "\n",
                    a->authserv_id && *a->authserv_id ? a->authserv_id : unnamed, a->offset);
            last_origin = a->origin;
            last_index = a->origin_index;
        }
        fprintf(o, "    %-9s %-13s", a->method, a->result);
        for (size_t p = 0; p < a->nprops; p++)
            fprintf(o, " %s%s%s=%s", a->props[p].ptype, a->props[p].ptype[0] ? "." : "",
                    a->props[p].property, a->props[p].value);
        if (a->reason)
            fprintf(o, " reason=%s", a->reason);
        if (a->action)
            fprintf(o, " action=%s", a->action);
        if (a->comment)
            fprintf(o, "  (%s)", a->comment);
        fputc('\n', o);
    }
}

static void signatures(const sw_record *r, FILE *o)
{
    if (!r->ndkim && !r->narc)
        return;
    section(o, "Signatures (tags as written)");
    for (size_t i = 0; i < r->ndkim; i++) {
        const sw_dkim_sig *s = &r->dkim[i];
        fprintf(o, "  DKIM-Signature d=%s s=%s a=%s c=%s", or_dash(s->d), or_dash(s->s),
                or_dash(s->a), or_dash(s->c));
        if (s->has_l)
            fprintf(o, " l=%" PRId64 " (body beyond l= is unsigned)", s->l);
        fprintf(o, "\n    h=%s\n", or_dash(s->h));
    }
    for (size_t i = 0; i < r->narc; i++) {
        const sw_arc_set *s = &r->arc[i];
        fprintf(o, "  ARC set i=%d", s->instance);
        if (!(s->flags & SW_ARC_MISSING_SEAL))
            fprintf(o, " sealed by d=%s s=%s cv=%s", or_dash(s->seal.d), or_dash(s->seal.s),
                    or_dash(s->seal.cv));
        if (s->flags & SW_ARC_MISSING_SEAL)
            fprintf(o, " [no ARC-Seal]");
        if (s->flags & SW_ARC_MISSING_AMS)
            fprintf(o, " [no ARC-Message-Signature]");
        if (s->flags & SW_ARC_MISSING_AAR)
            fprintf(o, " [no ARC-Authentication-Results]");
        if (s->flags & SW_ARC_DUPLICATE)
            fprintf(o, " [duplicate instance]");
        fputc('\n', o);
    }
}

static void received(const sw_record *r, FILE *o)
{
    section(o, "Received path (oldest hop first)");
    if (!r->nreceived) {
        fprintf(o, "  no Received headers\n");
        return;
    }
    for (size_t k = r->nreceived; k-- > 0;) {
        const sw_received_hop *h = &r->received[k];
        fprintf(o, "  %2zu. from %s", r->nreceived - k, or_dash(h->from_helo));
        if (h->from_rdns && h->from_ip)
            fprintf(o, " (%s [%s])", h->from_rdns, h->from_ip);
        else if (h->from_ip)
            fprintf(o, " [%s]", h->from_ip);
        else if (h->from_rdns)
            fprintf(o, " (%s)", h->from_rdns);
        fprintf(o, " by %s", or_dash(h->by));
        if (h->with)
            fprintf(o, " with %s", h->with);
        if (h->has_time) {
            char t[32];
            sw_datetime_format_utc(h->epoch, t);
            fprintf(o, "\n      at %s", t);
            if (k + 1 < r->nreceived && r->received[k + 1].has_time) {
                int64_t d = h->epoch - r->received[k + 1].epoch;
                fprintf(o, "  (+%" PRId64 "s%s)", d, d < 0 ? ": earlier than the hop before" : "");
            }
        } else if (h->flags & SW_RCV_BAD_DATE) {
            fprintf(o, "\n      date unreadable: %s", or_dash(h->date));
        }
        if (h->flags & SW_RCV_PRIVATE_IP)
            fprintf(o, "  [private address]");
        fputc('\n', o);
    }
}

static void ms_pairs(FILE *o, const char *title, const sw_ms_antispam *a)
{
    if (a->field_index < 0)
        return;
    fprintf(o, "  %s\n", title);
    for (size_t i = 0; i < a->count; i++) {
        const char *kn = sw_ms_key_name(a->pairs[i].key);
        const char *m = sw_ms_meaning(a->pairs[i].key, a->pairs[i].value);
        fprintf(o, "    %-5s %-22s %s%s%s\n", a->pairs[i].key, or_dash(a->pairs[i].value),
                kn ? kn : "", m ? ": " : "", m ? m : "");
    }
}

static void microsoft(const sw_record *r, FILE *o)
{
    const sw_ms_transport *m = &r->ms;
    if (!m->present)
        return;
    section(o, "Microsoft 365 transport");
    if (m->network_message_id)
        fprintf(o, "  NetworkMessageId: %s\n", m->network_message_id);
    if (m->auth_as) {
        const char *mean = sw_ms_meaning("AuthAs", m->auth_as);
        fprintf(o, "  AuthAs: %s%s%s\n", m->auth_as, mean ? ": " : "", mean ? mean : "");
    }
    if (m->directionality)
        fprintf(o, "  Directionality: %s\n", m->directionality);
    if (m->delivery_dest) {
        const char *mean = sw_ms_meaning("dest", m->delivery_dest);
        fprintf(o, "  Mailbox delivery dest: %s%s%s\n", m->delivery_dest, mean ? ": " : "",
                mean ? mean : "");
    }
    ms_pairs(o, "X-Forefront-Antispam-Report:", &m->forefront);
    ms_pairs(o, "X-Microsoft-Antispam:", &m->antispam);
    ms_pairs(o,
             "X-Forefront-Antispam-Report-Untrusted (written by another tenant: not this "
             "tenant's verdict):",
             &m->forefront_untrusted);
}

static void context(const sw_record *r, FILE *o)
{
    if (r->list.present) {
        section(o, "Mailing list");
        fprintf(o, "  List-Id: %s\n", or_dash(r->list.id));
        if (r->list.post)
            fprintf(o, "  List-Post: %s\n", r->list.post);
    }
    if (!r->has_ctx)
        return;
    const sw_mail_context *c = &r->ctx;
    section(o, "Apple Mail context");
    fprintf(o, "  user %s, account %s, mailbox %s\n", or_dash(c->user), or_dash(c->account),
            or_dash(c->mailbox));
    if (c->has_date_received) {
        char t[32];
        sw_datetime_format_utc(c->date_received, t);
        fprintf(o, "  received %s\n", t);
    }
    if (c->has_flags) {
        const char *names[16];
        size_t n = sw_emlx_flag_names(c->flags, names, 16);
        fprintf(o, "  flags:");
        for (size_t i = 0; i < n; i++)
            fprintf(o, " %s", names[i]);
        fprintf(o, "%s\n", (c->flags & SW_EMLX_JUNK) ? "  (the user or Mail marked it junk)" : "");
    }
    if (c->partial)
        fprintf(o, "  partial message: body parts are stored under Attachments/\n");
    if (c->has_device_context) {
        fprintf(o, "  device events (--context): %zu", c->ndevice_events);
        if (c->device_events_omitted)
            fprintf(o, ", %zu more not shown", (size_t)c->device_events_omitted);
        fputc('\n', o);
        for (size_t i = 0; i < c->ndevice_events; i++) {
            const sw_device_event *e = &c->device_events[i];
            fprintf(o, "    %s  %s%s%s [%s] %s\n", or_dash(e->time), or_dash(e->process),
                    e->device ? " on " : "", e->device ? e->device : "", or_dash(e->match),
                    or_dash(e->message));
        }
    }
}

static void anomalies(const sw_record *r, FILE *o)
{
    section(o, "Anomalies");
    if (!r->nanomalies) {
        fprintf(o, "  none\n");
        return;
    }
    for (size_t i = 0; i < r->nanomalies; i++)
        fprintf(o, "  %-34s %s (byte %" PRIu64 ")\n", r->anomalies[i].id, r->anomalies[i].detail,
                r->anomalies[i].offset);
}

void sw_explain_record(const sw_record *r, FILE *o)
{
    fprintf(o, "Message %s", or_dash(r->source.path));
    if (r->source.index > 0 || !strcmp(or_dash(r->source.format), "mbox"))
        fprintf(o, " #%ld", r->source.index + 1);
    if (r->has_log)
        fprintf(o, " (%s, line %" PRIu64 ", byte %" PRIu64 ")\n", or_dash(r->source.format),
                r->source.line, r->source.offset);
    else
        fprintf(o, " (%s, byte %" PRIu64 ", %" PRIu64 " bytes)\n", or_dash(r->source.format),
                r->source.offset, r->source.length);
    identities(r, o);
    auth(r, o);
    log_facts(r, o);
    if (r->has_log) { /* a log row has no header block to show */
        anomalies(r, o);
        return;
    }
    signatures(r, o);
    received(r, o);
    microsoft(r, o);
    context(r, o);
    anomalies(r, o);
}

static void outcome_line(FILE *o, const char *name, const sw_auth_outcome *x)
{
    if (!x->result) {
        fprintf(o, "    %-9s (no trusted result)\n", name);
        return;
    }
    fprintf(o, "    %-9s %-13s", name, x->result);
    if (x->domain)
        fprintf(o, " for %s", x->domain);
    /* what the detail is: Microsoft's action= for DMARC, the reason code for compauth */
    const char *what = !strcmp(name, "dmarc")      ? "action="
                       : !strcmp(name, "compauth") ? "reason="
                                                   : "";
    if (x->detail)
        fprintf(o, " (%s%s)", what, x->detail);
    fprintf(o, "  [%s #%d]\n", x->origin, x->origin_index + 1);
}

void sw_explain_assessment(const sw_assessment *as, FILE *o)
{
    static const char *const meaning[] = {
        [SW_VERDICT_UNKNOWN] = "no trusted authentication evidence",
        [SW_VERDICT_PASS] = "nothing suspicious in what the headers show",
        [SW_VERDICT_SUSPICIOUS] = "signals worth a look, not proof of forgery",
        [SW_VERDICT_SPOOFED] = "the From identity failed authentication and other signals agree",
    };
    fprintf(o, "Verdict: %s (score %d): %s\n", sw_verdict_name(as->verdict), as->score,
            meaning[as->verdict]);
    if (as->nsignals) {
        fprintf(o, "\nSignals\n");
        for (size_t i = 0; i < as->nsignals; i++) {
            const sw_signal *s = &as->signals[i];
            if (s->suppressed_by)
                fprintf(o, "  %-28s  +0 (was %d, suppressed by %s)\n      %s\n", s->id,
                        s->base_weight, s->suppressed_by, s->evidence);
            else
                fprintf(o, "  %-28s %+3d  %s\n", s->id, s->weight, s->evidence);
        }
    }
    if (as->nsuppressors) {
        fprintf(o, "\nSuppressors\n");
        for (size_t i = 0; i < as->nsuppressors; i++)
            fprintf(o, "  %-28s %s%s\n", as->suppressors[i].id,
                    as->suppressors[i].warning ? "WARNING: " : "", as->suppressors[i].evidence);
    }
    fprintf(o, "\nEvaluation\n");
    if (as->trusted_authserv_id)
        fprintf(o, "  trusted Authentication-Results: %s (%s, %zu header%s)\n",
                *as->trusted_authserv_id ? as->trusted_authserv_id : "(no authserv-id)",
                as->trust_rule, as->trusted_headers, as->trusted_headers == 1 ? "" : "s");
    else
        fprintf(o, "  trusted Authentication-Results: none (%s)\n",
                as->trust_rule ? as->trust_rule : "no Authentication-Results header");
    outcome_line(o, "spf", &as->spf);
    outcome_line(o, "dkim", &as->dkim);
    outcome_line(o, "dmarc", &as->dmarc);
    if (as->compauth.result)
        outcome_line(o, "compauth", &as->compauth);
    if (as->arc.result)
        outcome_line(o, "arc", &as->arc);
    fprintf(o, "  From organizational domain %s; SPF identity %s (%s): %s; DKIM: %s%s%s\n",
            or_dash(as->from_org_domain), or_dash(as->mailfrom_domain),
            or_dash(as->mailfrom_org_domain), as->spf_aligned ? "aligned pass" : "not aligned",
            as->dkim_aligned ? "aligned pass by " : "no aligned pass",
            as->dkim_aligned ? as->dkim_aligned_domain : "", "");
    if (as->dmarc_policy)
        fprintf(o, "  published DMARC policy (%s): p=%s\n",
                as->verified ? "as spoofwatch found it in DNS" : "as the receiver reported it",
                as->dmarc_policy);
    fprintf(o, "  Public Suffix List dated %s\n\n", or_dash(as->psl_date));
}

/* Evidence text is one step per line: indented under its method. */
static void indented(FILE *o, const char *text, const char *indent)
{
    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        if (n)
            fprintf(o, "%s%.*s\n", indent, (int)n, text);
        text = nl ? nl + 1 : NULL;
    }
}

void sw_explain_verification(const sw_verification *v, FILE *o)
{
    section(o, "Verification (computed by spoofwatch, preferred to the headers)");
    if (v->spf_checked) {
        fprintf(o, "  spf       %-10s for %s, client %s, HELO %s (from %s)\n",
                sw_spf_result_name(v->spf.result), or_dash(v->spf.domain), or_dash(v->spf_ip),
                or_dash(v->spf_helo), or_dash(v->spf_source));
        indented(o, v->spf.evidence, "              ");
    } else {
        fprintf(o, "  spf       not checked: %s\n", or_dash(v->spf_skipped));
    }
    if (!v->dkim.nsigs)
        fprintf(o, "  dkim      none: no DKIM-Signature\n");
    for (size_t i = 0; i < v->dkim.nsigs; i++) {
        const sw_dkim_sigresult *s = &v->dkim.sigs[i];
        fprintf(o, "  dkim      %-10s d=%s s=%s a=%s: %s\n", sw_dkim_result_name(s->result),
                or_dash(s->sig.d), or_dash(s->sig.s), or_dash(s->sig.a), or_dash(s->reason));
        if (s->bh_computed && s->bh_expected && strcmp(s->bh_computed, s->bh_expected))
            fprintf(o, "              body hash: signed %s, computed %s\n", s->bh_expected,
                    s->bh_computed);
        if (s->key_record)
            fprintf(o, "              key %s: %s\n", or_dash(s->key_name), s->key_record);
    }
    if (v->arc.count)
        fprintf(o, "  arc       %-10s %d set%s: %s\n", sw_arc_result_name(v->arc.result),
                v->arc.count, v->arc.count == 1 ? "" : "s", or_dash(v->arc.reason));
    if (v->dmarc_checked) {
        const sw_dmarc_eval_result *d = &v->dmarc;
        fprintf(o, "  dmarc     %-10s for %s (%s discovery), policy %s, disposition %s\n",
                sw_dmarc_result_name(d->result), or_dash(d->author_domain),
                sw_dmarc_method_name(d->method), or_dash(sw_dmarc_policy_name(d->policy)),
                or_dash(sw_dmarc_policy_name(d->disposition)));
        for (size_t i = 0; i < d->nsteps; i++)
            fprintf(o, "              %s\n", d->steps[i]);
    } else {
        fprintf(o, "  dmarc     not checked: no From domain\n");
    }
    fprintf(o, "  DNS (%zu queries, in the order asked):\n", v->dns_queries);
    const sw_dns_logentry *asked[256];
    size_t n = sw_dns_log_in_order(v->dns, asked, sizeof asked / sizeof asked[0]);
    for (size_t qi = 0; qi < n; qi++) {
        const sw_dns_logentry *q = asked[qi];
        fprintf(o, "    %s %s -> %s", q->name, sw_dns_type_name(q->type),
                sw_dns_status_name(q->answer.status));
        for (size_t i = 0; i < q->answer.n && i < 4; i++)
            fprintf(o, "%s\"%.*s\"", i ? ", " : " ", (int)q->answer.rrs[i].text_len,
                    q->answer.rrs[i].text);
        if (q->answer.n > 4)
            fprintf(o, ", ... (%zu answers)", q->answer.n);
        fputc('\n', o);
    }
}
