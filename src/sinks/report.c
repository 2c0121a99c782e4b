/* Text and JSON forms of stored evidence and campaigns: see include/spoofwatch/report.h.
 *
 * Text output is printed to terminals, so control bytes from hostile headers are shown as
 * '?' rather than passed through (an escape sequence in a subject must not repaint the
 * analyst's screen). */
#include "spoofwatch/report.h"
#include "spoofwatch/datetime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void safe(sw_buf *b, const char *s)
{
    if (!s) {
        sw_buf_putc(b, '-');
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        /* C1 controls in UTF-8 (U+0080..U+009F: U+009B is a CSI to xterm) and the bidi
         * overrides and isolates (U+202A..U+202E, U+2066..U+2069), which reorder the rest
         * of the line, are as unsafe as C0 */
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            sw_buf_putc(b, '?');
            p++;
            continue;
        }
        if (p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
                             (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9))) {
            sw_buf_putc(b, '?');
            p += 2;
            continue;
        }
        sw_buf_putc(b, (*p < 0x20 || *p == 0x7f) ? '?' : (char)*p);
    }
}

static void put_time(sw_buf *b, int has, int64_t t)
{
    char ts[32];
    if (!has) {
        sw_buf_puts(b, "(no time)");
        return;
    }
    sw_datetime_format_utc(t, ts);
    sw_buf_puts(b, ts);
}

static void json_time(sw_json *j, const char *key, int has, int64_t t)
{
    if (!has)
        return;
    char ts[32];
    sw_datetime_format_utc(t, ts);
    sw_json_kv_string(j, key, ts);
}

static void json_auth(sw_json *j, const char *key, const sw_ev_auth *o)
{
    if (!o->result)
        return;
    sw_json_key(j, key);
    sw_json_object_begin(j);
    SW_JSON_KV_STRING(j, "result", o->result);
    SW_JSON_KV_STRING(j, "domain", o->domain);
    SW_JSON_KV_STRING(j, "origin", o->origin);
    sw_json_object_end(j);
}

void sw_evidence_write_json_members(const sw_evidence *ev, sw_json *j)
{
    SW_JSON_KV_STRING(j, "observation", ev->key);
    SW_JSON_KEY(j, "source");
    sw_json_object_begin(j);
    SW_JSON_KV_STRING(j, "path", ev->path);
    SW_JSON_KV_STRING(j, "format", ev->format);
    if (ev->from_log)
        SW_JSON_KV_INT(j, "line", (int64_t)ev->line);
    else
        SW_JSON_KV_INT(j, "offset", (int64_t)ev->offset);
    sw_json_object_end(j);
    json_time(j, "time", ev->has_time, ev->time);
    SW_JSON_KV_STRING(j, "message_id", ev->message_id);
    SW_JSON_KV_STRING(j, "network_message_id", ev->network_message_id);
    SW_JSON_KV_STRING(j, "verdict", sw_verdict_name(ev->verdict));
    SW_JSON_KV_INT(j, "score", ev->score);
    SW_JSON_KEY(j, "from");
    sw_json_object_begin(j);
    SW_JSON_KV_STRING(j, "address", ev->from_address);
    SW_JSON_KV_STRING(j, "display_name", ev->from_display);
    SW_JSON_KV_STRING(j, "domain", ev->from_domain);
    SW_JSON_KV_STRING(j, "org_domain", ev->from_org);
    sw_json_object_end(j);
    SW_JSON_KV_STRING(j, "envelope_from", ev->envelope_from);
    SW_JSON_KV_STRING(j, "reply_to", ev->reply_to);
    SW_JSON_KV_STRING(j, "subject", ev->subject);
    SW_JSON_KV_STRING(j, "client_ip", ev->client_ip);
    SW_JSON_KV_STRING(j, "direction", ev->direction);
    SW_JSON_KV_STRING(j, "campaign", ev->campaign);
    if (ev->count > 1)
        SW_JSON_KV_INT(j, "count", (int64_t)ev->count);
    SW_JSON_KEY(j, "auth");
    sw_json_object_begin(j);
    json_auth(j, "spf", &ev->spf);
    json_auth(j, "dkim", &ev->dkim);
    json_auth(j, "dmarc", &ev->dmarc);
    json_auth(j, "compauth", &ev->compauth);
    json_auth(j, "arc", &ev->arc);
    SW_JSON_KV_STRING(j, "dmarc_policy", ev->dmarc_policy);
    sw_json_object_end(j);
    SW_JSON_KEY(j, "recipients");
    sw_json_array_begin(j);
    for (size_t i = 0; i < ev->nrecipients; i++) {
        const sw_ev_recipient *r = &ev->recipients[i];
        sw_json_object_begin(j);
        SW_JSON_KV_STRING(j, "address", r->address);
        SW_JSON_KV_STRING(j, "field", r->field);
        SW_JSON_KV_STRING(j, "action", r->action);
        SW_JSON_KV_STRING(j, "location", r->location);
        SW_JSON_KV_STRING(j, "delivered", r->delivered);
        sw_json_object_end(j);
    }
    sw_json_array_end(j);
    SW_JSON_KEY(j, "signals");
    sw_json_array_begin(j);
    for (size_t i = 0; i < ev->nsignals; i++) {
        sw_json_object_begin(j);
        SW_JSON_KV_STRING(j, "id", ev->signals[i].id);
        SW_JSON_KV_INT(j, "weight", ev->signals[i].weight);
        SW_JSON_KV_STRING(j, "evidence", ev->signals[i].evidence);
        sw_json_object_end(j);
    }
    sw_json_array_end(j);
}

/* Distinct messages among observations sorted by message (as the store returns them). */
static size_t count_messages(const sw_evidence *obs, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += i == 0 || obs[i].message != obs[i - 1].message;
    return m;
}

int sw_trace_write_json(const char *id, const sw_evidence *obs, size_t n, sw_buf *out)
{
    sw_json j;
    sw_json_init(&j, out);
    sw_json_object_begin(&j);
    SW_JSON_KV_STRING(&j, "trace", id);
    SW_JSON_KV_INT(&j, "messages", (int64_t)count_messages(obs, n));
    SW_JSON_KEY(&j, "observations");
    sw_json_array_begin(&j);
    for (size_t i = 0, m = 0; i < n; i++) {
        m += i == 0 || obs[i].message != obs[i - 1].message;
        sw_json_object_begin(&j);
        SW_JSON_KV_INT(&j, "message", (int64_t)m);
        sw_evidence_write_json_members(&obs[i], &j);
        sw_json_object_end(&j);
    }
    sw_json_array_end(&j);
    sw_json_object_end(&j);
    return j.status;
}

static void source_label(sw_buf *b, const sw_evidence *ev)
{
    safe(b, ev->format);
    sw_buf_puts(b, " ");
    safe(b, ev->path);
    if (ev->from_log)
        sw_buf_printf(b, ":%llu", (unsigned long long)ev->line);
    else
        sw_buf_printf(b, " @%llu", (unsigned long long)ev->offset);
}

static void auth_line(sw_buf *b, const char *method, const sw_ev_auth *o)
{
    if (!o->result)
        return;
    sw_buf_printf(b, "    %-9s ", method);
    safe(b, o->result);
    if (o->domain) {
        sw_buf_puts(b, " (");
        safe(b, o->domain);
        sw_buf_puts(b, ")");
    }
    sw_buf_puts(b, "   from ");
    safe(b, o->origin);
    sw_buf_putc(b, '\n');
}

/* A recipient of one observation, for grouping the trace's recipient lines by address. */
typedef struct rcpt_ref {
    const sw_ev_recipient *r;
    size_t obs;          /* observation index */
    size_t order, group; /* position in the trace; the first position of its address */
} rcpt_ref;

static int by_address(const void *pa, const void *pb)
{
    const rcpt_ref *a = pa, *b = pb;
    const char *x = a->r->address ? a->r->address : "", *y = b->r->address ? b->r->address : "";
    int c = strcasecmp(x, y);
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

static int by_group(const void *pa, const void *pb)
{
    const rcpt_ref *a = pa, *b = pb;
    if (a->group != b->group)
        return (a->group > b->group) - (a->group < b->group);
    return (a->order > b->order) - (a->order < b->order);
}

static void recipient_line(sw_buf *out, const sw_ev_recipient *r, size_t i, const char *format)
{
    sw_buf_puts(out, "    ");
    safe(out, r->address);
    sw_buf_puts(out, "  ");
    safe(out, r->delivered);
    if (r->action || r->location) {
        sw_buf_puts(out, " (");
        safe(out, r->action);
        if (r->location) {
            sw_buf_puts(out, ", ");
            safe(out, r->location);
        }
        sw_buf_puts(out, ")");
    }
    sw_buf_printf(out, "  [%zu] ", i + 1);
    safe(out, format);
    sw_buf_putc(out, '\n');
}

int sw_trace_write_text(const char *id, const sw_evidence *obs, size_t n, sw_buf *out)
{
    sw_buf_puts(out, "trace ");
    safe(out, id);
    sw_buf_printf(out, ": %zu observation%s\n", n, n == 1 ? "" : "s");
    size_t nmsg = count_messages(obs, n);
    if (nmsg > 1)
        sw_buf_printf(out,
                      "warning: %zu different messages carry this id (their From or "
                      "NetworkMessageId differ): a copied Message-ID is itself a spoofing tell\n",
                      nmsg);
    for (size_t i = 0, m = 0; i < n; i++) {
        const sw_evidence *ev = &obs[i];
        if (nmsg > 1 && (i == 0 || ev->message != obs[i - 1].message))
            sw_buf_printf(out, "\n== message %zu of %zu\n", ++m, nmsg);
        sw_buf_printf(out, "\n[%zu] ", i + 1);
        source_label(out, ev);
        sw_buf_puts(out, "\n    time      ");
        put_time(out, ev->has_time, ev->time);
        sw_buf_printf(out, "\n    verdict   %s (score %d)\n", sw_verdict_name(ev->verdict),
                      ev->score);
        if (ev->campaign)
            sw_buf_printf(out, "    campaign  %s\n", ev->campaign);
        if (ev->from_address) {
            sw_buf_puts(out, "    from      ");
            if (ev->from_display) {
                sw_buf_putc(out, '"');
                safe(out, ev->from_display);
                sw_buf_puts(out, "\" ");
            }
            safe(out, ev->from_address);
            sw_buf_putc(out, '\n');
        }
        if (ev->envelope_from) {
            sw_buf_puts(out, "    envelope  ");
            safe(out, ev->envelope_from);
            sw_buf_putc(out, '\n');
        }
        if (ev->client_ip) {
            sw_buf_puts(out, "    client    ");
            safe(out, ev->client_ip);
            sw_buf_putc(out, '\n');
        }
        if (ev->subject) {
            sw_buf_puts(out, "    subject   ");
            safe(out, ev->subject);
            sw_buf_putc(out, '\n');
        }
        if (!ev->spf.result && !ev->dkim.result && !ev->dmarc.result && !ev->compauth.result)
            sw_buf_puts(out, "    auth      none in this source\n");
        auth_line(out, "spf", &ev->spf);
        auth_line(out, "dkim", &ev->dkim);
        auth_line(out, "dmarc", &ev->dmarc);
        auth_line(out, "compauth", &ev->compauth);
        auth_line(out, "arc", &ev->arc);
        for (size_t k = 0; k < ev->nsignals; k++) {
            sw_buf_printf(out, "    signal    %s (+%d): ", ev->signals[k].id,
                          ev->signals[k].weight);
            safe(out, ev->signals[k].evidence);
            sw_buf_putc(out, '\n');
        }
    }
    /* Whom it reached: each recipient's lines together (in the order first seen), one per
     * source that named them, with what that source said. */
    sw_buf_puts(out, "\nrecipients\n");
    size_t total = 0, shown = 0;
    for (size_t i = 0; i < n; i++)
        total += obs[i].nrecipients;
    /* sorted, not compared pairwise: a Message-ID reused by many hostile messages joins
     * them all into one trace */
    rcpt_ref *refs = total ? calloc(total, sizeof *refs) : NULL;
    if (total && !refs)
        return SW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < obs[i].nrecipients; k++, shown++)
            refs[shown] = (rcpt_ref){&obs[i].recipients[k], i, shown, shown};
    if (total) {
        qsort(refs, total, sizeof *refs, by_address);
        for (size_t j = 1; j < total; j++)
            if (refs[j].r->address && refs[j - 1].r->address &&
                !strcasecmp(refs[j].r->address, refs[j - 1].r->address))
                refs[j].group = refs[j - 1].group;
        qsort(refs, total, sizeof *refs, by_group);
    }
    for (size_t j = 0; j < total; j++)
        recipient_line(out, refs[j].r, refs[j].obs, obs[refs[j].obs].format);
    free(refs);
    if (!shown)
        sw_buf_puts(out, "    none recorded\n");
    return 0;
}

int sw_evidence_write_line(const sw_evidence *ev, sw_buf *out)
{
    put_time(out, ev->has_time, ev->time);
    sw_buf_printf(out, "  %-10s %3d  ", sw_verdict_name(ev->verdict), ev->score);
    safe(out, ev->from_address);
    sw_buf_puts(out, "  ");
    safe(out, ev->subject);
    sw_buf_puts(out, "  ");
    safe(out, ev->message_id);
    sw_buf_puts(out, "  ");
    source_label(out, ev);
    return sw_buf_putc(out, '\n');
}

static void json_counts(sw_json *j, const char *key, const sw_count *c, size_t n)
{
    sw_json_key(j, key);
    sw_json_object_begin(j);
    for (size_t i = 0; i < n; i++)
        sw_json_kv_int(j, c[i].name ? c[i].name : "", (int64_t)c[i].n);
    sw_json_object_end(j);
}

static void json_strings(sw_json *j, const char *key, const char *const *v, size_t n)
{
    sw_json_key(j, key);
    sw_json_array_begin(j);
    for (size_t i = 0; i < n; i++)
        sw_json_string(j, v[i]);
    sw_json_array_end(j);
}

int sw_campaign_write_json(const sw_campaign *c, sw_buf *out)
{
    sw_json j;
    sw_json_init(&j, out);
    sw_json_object_begin(&j);
    SW_JSON_KV_STRING(&j, "campaign", c->id);
    SW_JSON_KV_STRING(&j, "key", c->key);
    SW_JSON_KV_STRING(&j, "from_org", c->from_org);
    SW_JSON_KV_STRING(&j, "subject", c->subject);
    SW_JSON_KV_STRING(&j, "network", c->network);
    json_time(&j, "window_start", c->window_end != 0, c->window_start);
    json_time(&j, "window_end", c->window_end != 0, c->window_end);
    json_time(&j, "first_seen", c->window_end != 0, c->first_seen);
    json_time(&j, "last_seen", c->window_end != 0, c->last_seen);
    SW_JSON_KV_STRING(&j, "worst_verdict", sw_verdict_name((sw_verdict)c->worst_verdict));
    SW_JSON_KV_INT(&j, "messages", (int64_t)c->messages);
    SW_JSON_KV_INT(&j, "observations", (int64_t)c->observations);
    SW_JSON_KV_INT(&j, "recipients", (int64_t)c->recipients);
    SW_JSON_KV_INT(&j, "spoofed", (int64_t)c->spoofed);
    SW_JSON_KV_INT(&j, "suspicious", (int64_t)c->suspicious);
    json_counts(&j, "auth", c->auth_mix, c->nauth_mix);
    json_counts(&j, "delivery", c->delivery_mix, c->ndelivery_mix);
    json_counts(&j, "top_signals", c->top_signals, c->ntop_signals);
    json_strings(&j, "message_ids", c->message_ids, c->nmessage_ids);
    SW_JSON_KV_INT(&j, "message_ids_total", (int64_t)c->message_ids_total);
    json_strings(&j, "recipient_addresses", c->recipient_addrs, c->nrecipient_addrs);
    sw_json_object_end(&j);
    return j.status;
}

static void text_counts(sw_buf *b, const char *label, const sw_count *c, size_t n)
{
    sw_buf_printf(b, "    %-11s", label);
    for (size_t i = 0; i < n; i++) {
        sw_buf_puts(b, i ? ", " : "");
        safe(b, c[i].name);
        sw_buf_printf(b, " %llu", (unsigned long long)c[i].n);
    }
    if (!n)
        sw_buf_puts(b, "-");
    sw_buf_putc(b, '\n');
}

int sw_campaign_write_text(const sw_campaign *c, sw_buf *out)
{
    sw_buf_printf(out, "campaign %s  %s: %llu message%s to %llu recipient%s\n", c->id,
                  sw_verdict_name((sw_verdict)c->worst_verdict), (unsigned long long)c->messages,
                  c->messages == 1 ? "" : "s", (unsigned long long)c->recipients,
                  c->recipients == 1 ? "" : "s");
    sw_buf_puts(out, "    key        ");
    safe(out, c->key);
    sw_buf_puts(out, "\n    seen       ");
    put_time(out, c->window_end != 0, c->first_seen);
    sw_buf_puts(out, " .. ");
    put_time(out, c->window_end != 0, c->last_seen);
    sw_buf_printf(out, "\n    verdicts   %llu spoofed, %llu suspicious (%llu observation%s)\n",
                  (unsigned long long)c->spoofed, (unsigned long long)c->suspicious,
                  (unsigned long long)c->observations, c->observations == 1 ? "" : "s");
    text_counts(out, "auth", c->auth_mix, c->nauth_mix);
    text_counts(out, "delivery", c->delivery_mix, c->ndelivery_mix);
    text_counts(out, "signals", c->top_signals, c->ntop_signals);
    sw_buf_puts(out, "    messages   ");
    for (size_t i = 0; i < c->nmessage_ids && i < 5; i++) {
        sw_buf_puts(out, i ? ", " : "");
        safe(out, c->message_ids[i]);
    }
    if (c->message_ids_total > 5)
        sw_buf_printf(out, " (+%llu more)", (unsigned long long)(c->message_ids_total - 5));
    /* who received it: the first thing a responder acts on (notify, purge) */
    sw_buf_puts(out, "\n    recipients ");
    for (size_t i = 0; i < c->nrecipient_addrs && i < 5; i++) {
        sw_buf_puts(out, i ? ", " : "");
        safe(out, c->recipient_addrs[i]);
    }
    if (!c->nrecipient_addrs)
        sw_buf_puts(out, "-");
    if (c->recipients > 5)
        sw_buf_printf(out, " (+%llu more)", (unsigned long long)(c->recipients - 5));
    return sw_buf_putc(out, '\n');
}
