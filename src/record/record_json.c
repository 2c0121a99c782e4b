/* The record's JSON form (docs/record-schema.md). Field names are a public contract for
 * SIEM users: add fields, never rename or remove them. */
#include "spoofwatch/datetime.h"
#include "spoofwatch/emlx.h"
#include "spoofwatch/json.h"
#include "spoofwatch/record.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SW_RECORD_SCHEMA "spoofwatch.record/1"

/* qkey opens the object with its first member (`{"address":"`, or `"from":{"address":"` as
 * a member), as the SW_JSON_LITS_ forms of json.h are written */
static void write_mailbox(sw_json *j, const char *qkey, size_t qm, const sw_mailbox *m)
{
    sw_json_open_kv_cstr_or_null_(j, qkey, qm, m->address);
    SW_JSON_KV_STRING_OR_NULL(j, "display_name", m->display_name);
    SW_JSON_KV_STRING_OR_NULL(j, "domain", m->domain);
    SW_JSON_KV_STRING(j, "domain_ascii", m->domain_ascii);
    if (m->group) {
        SW_JSON_KV_STRING(j, "domain_unicode", m->domain_unicode);
        SW_JSON_KV_STRING_END(j, "group", m->group);
    } else {
        SW_JSON_KV_STRING_END(j, "domain_unicode", m->domain_unicode);
    }
}

static void write_mailbox_list(sw_json *j, const char *qkey, size_t m, const sw_address_list *l)
{
    sw_json_key_open_lit(j, qkey, m);
    for (size_t i = 0; i < l->count; i++)
        write_mailbox(j, SW_JSON_LITS_("{\"address\":\""), &l->items[i]);
    sw_json_array_end(j);
}

/* The month a record's times were last formatted in, and the text: a record's times (its
 * Date, every hop's) nearly all fall in one month, mostly on one day, and the calendar
 * part of the text is most of the cost of making it, so a time of the same month
 * rewrites the day of the month and the time of day alone. */
typedef struct time_cache {
    int64_t first; /* the days since 1970 of the text's month's first day */
    uint64_t days; /* its length in days; 0 when the text is not of the 20-byte form */
    char text[32];
} time_cache;

/* "00" to "99": the two digits of a field of the time by one load */
static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                            "25262728293031323334353637383940414243444546474849"
                            "50515253545556575859606162636465666768697071727374"
                            "75767778798081828384858687888990919293949596979899";

static void put2(char *o, unsigned v)
{
    memcpy(o, pairs + 2 * v, 2);
}

/* A time of another month than tc's: the whole text made, kept for reuse in the 20-byte
 * form (years past 9999 are longer) with its month's first day and length; returns its
 * length. Out of line, being the rarer case, so that the callers of write_time stay as
 * they were with it inline. */
static __attribute__((noinline)) size_t time_text(int64_t epoch, time_cache *tc)
{
    char *t = tc->text;
    sw_datetime_format_utc(epoch, t);
    size_t n = t[20] ? strlen(t) : 20;
    tc->days = 0;
    if (epoch >= 0 && n == 20) {
        unsigned y = (unsigned)((t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 +
                                (t[3] - '0')),
                 m = (unsigned)((t[5] - '0') * 10 + (t[6] - '0')),
                 d = (unsigned)((t[8] - '0') * 10 + (t[9] - '0'));
        tc->first = (int64_t)((uint64_t)epoch / 86400) - (int64_t)(d - 1);
        tc->days =
            (uint64_t)(sw_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - tc->first);
    }
    return n;
}

static inline void write_time(sw_json *j, const char *qkey, size_t m, int64_t epoch, time_cache *tc)
{
    char *t = tc->text;
    uint64_t day = (uint64_t)epoch / 86400, dom = day - (uint64_t)tc->first;
    size_t n = 20;
    if (epoch >= 0 && dom < tc->days) {
        /* the same arithmetic as sw_datetime_format_utc's for the time of day */
        uint32_t rem = (uint32_t)((uint64_t)epoch - day * 86400), mins = rem / 60;
        put2(t + 8, (unsigned)dom + 1);
        put2(t + 11, mins / 60);
        put2(t + 14, mins % 60);
        put2(t + 17, rem - mins * 60);
    } else {
        n = time_text(epoch, tc);
    }
    sw_json_kv_string_lit_n(j, qkey, m, t, n);
}
#define WRITE_TIME(j, lit, epoch) write_time((j), SW_JSON_LIT_(lit, ":\""), (epoch), tc)
#define WRITE_MAILBOX_LIST(j, lit, l) write_mailbox_list((j), SW_JSON_LIT_(lit, ":["), (l))
#define WRITE_PAIRS(j, lit, a) write_pairs((j), SW_JSON_LIT_(lit, ":{"), (a))

static void write_auth(sw_json *j, const sw_record *r)
{
    SW_JSON_KEY_ARRAY(j, "auth");
    for (size_t i = 0; i < r->nauth; i++) {
        const sw_auth_fact *a = &r->auth[i];
        SW_JSON_OBJECT_KV_STRING(j, "method", a->method);
        SW_JSON_KV_STRING(j, "result", a->result);
        SW_JSON_KV_STRING(j, "reason", a->reason);
        SW_JSON_KV_STRING(j, "action", a->action);
        SW_JSON_KEY_OBJECT_KV_STRING(j, "origin", "header", a->origin);
        SW_JSON_KV_INT(j, "index", a->origin_index);
        SW_JSON_KV_STRING(j, "authserv_id", a->authserv_id);
        if (a->arc_instance >= 0)
            SW_JSON_KV_INT(j, "arc_instance", a->arc_instance);
        SW_JSON_KV_INT_END(j, "offset", (int64_t)a->offset);
        if (a->nprops) {
            SW_JSON_KEY_OBJECT(j, "properties");
            for (size_t p = 0; p < a->nprops; p++) {
                /* "ptype.property", each part cut at 63 bytes (SW_JSON_PART_MAX) */
                const sw_authres_prop *pr = &a->props[p];
                sw_json_kv_string_dotted(j, pr->ptype, pr->property, pr->value);
            }
            sw_json_object_end(j);
        }
        SW_JSON_KV_STRING_END(j, "comment", a->comment);
    }
    sw_json_array_end(j);
}

static void write_received(sw_json *j, const sw_record *r, time_cache *tc)
{
    SW_JSON_KEY_ARRAY(j, "received");
    for (size_t i = 0; i < r->nreceived; i++) {
        const sw_received_hop *h = &r->received[i];
        SW_JSON_OBJECT_KV_STRING(j, "from", h->from_helo);
        SW_JSON_KV_STRING(j, "rdns", h->from_rdns);
        SW_JSON_KV_STRING(j, "ip", h->from_ip);
        SW_JSON_KV_STRING(j, "by", h->by);
        SW_JSON_KV_STRING(j, "via", h->via);
        SW_JSON_KV_STRING(j, "with", h->with);
        SW_JSON_KV_STRING(j, "id", h->id);
        SW_JSON_KV_STRING(j, "for", h->for_addr);
        SW_JSON_KV_STRING(j, "date", h->date);
        if (h->has_time) {
            WRITE_TIME(j, "time_utc", h->epoch);
            /* Delay of this hop: its time minus the time of the hop below it (older). */
            if (i + 1 < r->nreceived && r->received[i + 1].has_time)
                SW_JSON_KV_INT(j, "delay_s", h->epoch - r->received[i + 1].epoch);
        }
        if (h->flags & SW_RCV_PRIVATE_IP)
            SW_JSON_KV_BOOL(j, "private_ip", 1);
        SW_JSON_KV_INT_END(j, "offset", (int64_t)h->offset);
    }
    sw_json_array_end(j);
}

/* The members after "d", which opens the signature's object with its own member. */
static void write_sig_common(sw_json *j, const sw_dkim_sig *s)
{
    SW_JSON_KV_STRING(j, "s", s->s);
    SW_JSON_KV_STRING(j, "a", s->a);
}

static void write_dkim(sw_json *j, const sw_record *r)
{
    SW_JSON_KEY_ARRAY(j, "dkim_signatures");
    for (size_t i = 0; i < r->ndkim; i++) {
        const sw_dkim_sig *s = &r->dkim[i];
        SW_JSON_OBJECT_KV_STRING(j, "d", s->d);
        write_sig_common(j, s);
        SW_JSON_KV_STRING(j, "c", s->c);
        SW_JSON_KV_STRING(j, "i", s->i);
        SW_JSON_KV_STRING(j, "h", s->h);
        if (s->has_l)
            SW_JSON_KV_INT(j, "l", s->l);
        if (s->has_t)
            SW_JSON_KV_INT(j, "t", s->t);
        if (s->has_x)
            SW_JSON_KV_INT(j, "x", s->x);
        SW_JSON_KV_STRING(j, "bh", s->bh);
        SW_JSON_KV_INT_END(j, "offset", (int64_t)s->offset);
    }
    sw_json_array_end(j);
}

static void write_arc(sw_json *j, const sw_record *r)
{
    SW_JSON_KEY_ARRAY(j, "arc");
    for (size_t i = 0; i < r->narc; i++) {
        const sw_arc_set *s = &r->arc[i];
        sw_json_object_begin(j);
        SW_JSON_KV_INT(j, "instance", s->instance);
        if (!(s->flags & SW_ARC_MISSING_SEAL)) {
            SW_JSON_KV_STRING(j, "cv", s->seal.cv);
            SW_JSON_KEY_OBJECT_KV_STRING(j, "seal", "d", s->seal.d);
            write_sig_common(j, &s->seal);
            sw_json_object_end(j);
        }
        if (!(s->flags & SW_ARC_MISSING_AMS)) {
            SW_JSON_KEY_OBJECT_KV_STRING(j, "message_signature", "d", s->ams.d);
            write_sig_common(j, &s->ams);
            SW_JSON_KV_STRING(j, "h", s->ams.h);
            sw_json_object_end(j);
        }
        if (!(s->flags & (SW_ARC_MISSING_SEAL | SW_ARC_MISSING_AMS | SW_ARC_MISSING_AAR |
                          SW_ARC_DUPLICATE | SW_ARC_BAD_INSTANCE))) {
            SW_JSON_KV_RAW(j, "problems", "[]");
        } else {
            SW_JSON_KEY_ARRAY(j, "problems");
            if (s->flags & SW_ARC_MISSING_SEAL)
                SW_JSON_STRING_LIT(j, "missing_arc_seal");
            if (s->flags & SW_ARC_MISSING_AMS)
                SW_JSON_STRING_LIT(j, "missing_arc_message_signature");
            if (s->flags & SW_ARC_MISSING_AAR)
                SW_JSON_STRING_LIT(j, "missing_arc_authentication_results");
            if (s->flags & SW_ARC_DUPLICATE)
                SW_JSON_STRING_LIT(j, "duplicate_instance");
            if (s->flags & SW_ARC_BAD_INSTANCE)
                SW_JSON_STRING_LIT(j, "bad_instance");
            sw_json_array_end(j);
        }
        sw_json_object_end(j);
    }
    sw_json_array_end(j);
}

static void write_pairs(sw_json *j, const char *qkey, size_t m, const sw_ms_antispam *a)
{
    if (a->field_index < 0)
        return;
    sw_json_key_open_lit(j, qkey, m);
    for (size_t i = 0; i < a->count; i++)
        sw_json_kv_string_cc(j, a->pairs[i].key, a->pairs[i].value);
    sw_json_object_end(j);
}

static void write_microsoft(sw_json *j, const sw_ms_transport *m)
{
    if (!m->present)
        return;
    SW_JSON_KEY_OBJECT_KV_STRING(j, "microsoft", "network_message_id", m->network_message_id);
    SW_JSON_KV_STRING(j, "crosstenant_network_message_id", m->crosstenant_network_message_id);
    SW_JSON_KV_STRING(j, "auth_as", m->auth_as);
    SW_JSON_KV_STRING(j, "auth_source", m->auth_source);
    SW_JSON_KV_STRING(j, "directionality", m->directionality);
    SW_JSON_KV_STRING(j, "organization_scl", m->org_scl);
    SW_JSON_KV_STRING(j, "delivery_dest", m->delivery_dest);
    SW_JSON_KV_STRING(j, "external_original_sender", m->external_original_sender);
    WRITE_PAIRS(j, "antispam_report", &m->forefront);
    WRITE_PAIRS(j, "antispam_report_untrusted", &m->forefront_untrusted);
    WRITE_PAIRS(j, "microsoft_antispam", &m->antispam);
    sw_json_object_end(j);
}

static void write_list(sw_json *j, const sw_list_info *l)
{
    if (!l->present)
        return;
    SW_JSON_KEY_OBJECT_KV_STRING(j, "list", "id", l->id);
    SW_JSON_KV_STRING(j, "post", l->post);
    SW_JSON_KV_STRING(j, "unsubscribe", l->unsubscribe);
    SW_JSON_KV_STRING(j, "unsubscribe_post", l->unsubscribe_post);
    SW_JSON_KV_STRING(j, "archive", l->archive);
    SW_JSON_KV_STRING(j, "owner", l->owner);
    SW_JSON_KV_STRING_END(j, "precedence", l->precedence);
}

static void write_context(sw_json *j, const sw_record *r, time_cache *tc)
{
    if (!r->has_ctx)
        return;
    const sw_mail_context *c = &r->ctx;
    SW_JSON_KEY_OBJECT_KV_STRING(j, "mail_client", "client", c->client);
    SW_JSON_KV_STRING(j, "user", c->user);
    SW_JSON_KV_STRING(j, "mail_version", c->mail_version);
    SW_JSON_KV_STRING(j, "account", c->account);
    SW_JSON_KV_STRING(j, "mailbox", c->mailbox);
    if (c->has_date_received)
        WRITE_TIME(j, "date_received", c->date_received);
    if (c->has_date_last_viewed && c->date_last_viewed > 0)
        WRITE_TIME(j, "date_last_viewed", c->date_last_viewed);
    if (c->has_flags) {
        SW_JSON_KEY(j, "flags");
        sw_json_uint(j, c->flags);
        const char *names[16];
        size_t n = sw_emlx_flag_names(c->flags, names, 16);
        SW_JSON_KEY_ARRAY(j, "flag_names");
        for (size_t i = 0; i < n; i++)
            sw_json_string(j, names[i]);
        sw_json_array_end(j);
        SW_JSON_KV_BOOL(j, "junk", (c->flags & SW_EMLX_JUNK) != 0);
        SW_JSON_KV_BOOL(j, "not_junk", (c->flags & SW_EMLX_NOT_JUNK) != 0);
    }
    SW_JSON_KV_STRING(j, "remote_id", c->remote_id);
    SW_JSON_KV_BOOL(j, "partial", c->partial);
    if (c->has_device_context) {
        /* scan --context: the same user's Mail events around date-received (devctx.c) */
        SW_JSON_KEY_ARRAY(j, "device_events");
        for (size_t i = 0; i < c->ndevice_events; i++) {
            const sw_device_event *e = &c->device_events[i];
            SW_JSON_OBJECT_KV_STRING(j, "time", e->time);
            WRITE_TIME(j, "time_utc", e->time_epoch);
            SW_JSON_KV_STRING(j, "match", e->match);
            SW_JSON_KV_STRING(j, "process", e->process);
            SW_JSON_KV_STRING(j, "subsystem", e->subsystem);
            SW_JSON_KV_STRING(j, "message", e->message);
            SW_JSON_KV_STRING(j, "device", e->device);
            SW_JSON_KV_STRING(j, "source", e->source);
            sw_json_object_end(j);
        }
        sw_json_array_end(j);
        if (c->device_events_omitted)
            SW_JSON_KV_INT(j, "device_events_omitted", (int64_t)c->device_events_omitted);
    }
    sw_json_object_end(j);
}

const char *sw_log_flag_name(unsigned bit)
{
    switch (bit) {
    case SW_LOGF_PROVIDER_SPOOF: return "provider_spoof";
    case SW_LOGF_PROVIDER_PHISH: return "provider_phish";
    case SW_LOGF_PROVIDER_SPAM: return "provider_spam";
    case SW_LOGF_PROVIDER_MALWARE: return "provider_malware";
    case SW_LOGF_OVERRIDE_ALLOW: return "override_allow";
    case SW_LOGF_POLICY_EXEMPT: return "policy_exempt";
    case SW_LOGF_DMARC_AGGREGATE: return "dmarc_aggregate";
    default: return NULL;
    }
}

static const struct {
    unsigned bit;
    const char *name, *words;
} absent_names[] = {{SW_LOG_NO_AUTH, "authentication", "authentication results"},
                    {SW_LOG_NO_HEADER_FROM, "header_from", "the header From (P2)"},
                    {SW_LOG_NO_ENVELOPE_FROM, "envelope_from", "the envelope sender (P1)"},
                    {SW_LOG_NO_DELIVERY, "delivery", "the delivery outcome"},
                    {SW_LOG_NO_DKIM_DOMAIN, "dkim_domain", "the DKIM signing domain"}};

const char *sw_log_absent_name(unsigned bit)
{
    for (size_t i = 0; i < sizeof absent_names / sizeof absent_names[0]; i++)
        if (absent_names[i].bit == bit)
            return absent_names[i].name;
    return NULL;
}

const char *sw_log_absent_words(unsigned bit)
{
    for (size_t i = 0; i < sizeof absent_names / sizeof absent_names[0]; i++)
        if (absent_names[i].bit == bit)
            return absent_names[i].words;
    return NULL;
}

const char *sw_delivered_name(int delivered)
{
    switch (delivered) {
    case SW_DELIVERED_INBOX: return "delivered";
    case SW_DELIVERED_JUNK: return "junk";
    case SW_DELIVERED_BLOCKED: return "blocked";
    default: return "unknown";
    }
}

/* A recipient's members from display_name on, and its close: the delivery object is its
 * last member when it has one, display_name (closing it in the same call) when not. */
static void write_delivery(sw_json *j, const sw_recipient *rc)
{
    if (!rc->delivery_action && !rc->delivery_location && !rc->latest_location && !rc->status &&
        !rc->delivered) {
        SW_JSON_KV_STRING_END(j, "display_name", rc->display_name);
        return;
    }
    SW_JSON_KV_STRING(j, "display_name", rc->display_name);
    SW_JSON_KEY_OBJECT_KV_STRING(j, "delivery", "outcome", sw_delivered_name(rc->delivered));
    SW_JSON_KV_STRING(j, "action", rc->delivery_action);
    SW_JSON_KV_STRING(j, "location", rc->delivery_location);
    SW_JSON_KV_STRING(j, "latest_location", rc->latest_location);
    SW_JSON_KV_STRING_END(j, "status", rc->status);
    sw_json_object_end(j);
}

static void write_log(sw_json *j, const sw_record *r, time_cache *tc)
{
    if (!r->has_log)
        return;
    const sw_log_facts *l = &r->log;
    SW_JSON_KEY_OBJECT_KV_STRING(j, "log", "time", l->time);
    if (l->has_time)
        WRITE_TIME(j, "time_utc", l->time_epoch);
    SW_JSON_KV_STRING(j, "network_message_id", l->network_message_id);
    SW_JSON_KV_STRING(j, "direction", l->direction);
    SW_JSON_KV_STRING(j, "sender_ip", l->sender_ip);
    SW_JSON_KV_STRING(j, "provider_verdict", l->provider_verdict);
    SW_JSON_KV_STRING(j, "detection", l->detection);
    SW_JSON_KV_STRING(j, "overrides", l->overrides);
    SW_JSON_KEY_ARRAY(j, "flags");
    for (unsigned bit = 1; bit && bit <= 1u << 15; bit <<= 1)
        if ((l->flags & bit) && sw_log_flag_name(bit))
            sw_json_string(j, sw_log_flag_name(bit));
    sw_json_array_end(j);
    SW_JSON_KEY_ARRAY(j, "absent");
    for (unsigned bit = 1; bit && bit <= 1u << 15; bit <<= 1)
        if ((l->absent & bit) && sw_log_absent_name(bit))
            sw_json_string(j, sw_log_absent_name(bit));
    sw_json_array_end(j);
    if (l->count)
        SW_JSON_KV_INT(j, "count", (int64_t)l->count);
    SW_JSON_KV_INT(j, "rows", l->rows);
    if (l->nfields) {
        SW_JSON_KEY_OBJECT(j, "fields");
        for (size_t i = 0; i < l->nfields; i++)
            sw_json_kv_string_cc(j, l->fields[i].key, l->fields[i].value);
        sw_json_object_end(j);
    }
    sw_json_object_end(j);
}

int sw_record_write_json(const sw_record *r, sw_buf *out)
{
    sw_json j;
    sw_json_init(&j, out);
    sw_json_object_begin(&j);
    sw_record_write_json_members(r, &j);
    sw_json_object_end(&j);
    return j.status;
}

void sw_record_write_json_members(const sw_record *r, sw_json *j)
{
    time_cache one = {0, 0, {0}}, *tc = &one;
    SW_JSON_KV_STRING(j, "schema", SW_RECORD_SCHEMA);
    SW_JSON_KEY_OBJECT_KV_STRING(j, "source", "path", r->source.path);
    SW_JSON_KV_INT(j, "offset", (int64_t)r->source.offset);
    SW_JSON_KV_INT(j, "length", (int64_t)r->source.length);
    SW_JSON_KV_STRING(j, "format", r->source.format);
    if (r->source.index >= 0)
        SW_JSON_KV_INT(j, "index", r->source.index);
    if (r->source.line)
        SW_JSON_KV_INT(j, "line", (int64_t)r->source.line);
    if (r->source.compressed)
        SW_JSON_KV_BOOL(j, "gzip", 1);
    sw_json_object_end(j);

    SW_JSON_KV_STRING_OR_NULL(j, "message_id", r->message_id);
    SW_JSON_KV_STRING_OR_NULL(j, "subject", r->subject);
    SW_JSON_KV_STRING_OR_NULL(j, "date", r->date);
    if (r->has_date)
        WRITE_TIME(j, "date_utc", r->date_epoch);

    if (r->has_from) {
        write_mailbox(j, SW_JSON_LITS_("\"from\":{\"address\":\""), &r->from);
    } else {
        SW_JSON_KV_RAW(j, "from", "null");
    }
    SW_JSON_KV_INT(j, "from_header_count", (int64_t)r->from_header_count);
    if (r->from_all.count > 1)
        WRITE_MAILBOX_LIST(j, "from_mailboxes", &r->from_all);
    if (r->sender.count) {
        write_mailbox(j, SW_JSON_LITS_("\"sender\":{\"address\":\""), &r->sender.items[0]);
    } else {
        SW_JSON_KV_RAW(j, "sender", "null");
    }
    SW_JSON_KV_STRING_OR_NULL(j, "envelope_from", r->envelope_from);
    if (r->reply_to.count)
        WRITE_MAILBOX_LIST(j, "reply_to", &r->reply_to);
    else
        SW_JSON_KV_RAW(j, "reply_to", "[]");

    SW_JSON_KEY_ARRAY(j, "recipients");
    for (size_t i = 0; i < r->nrecipients; i++) {
        SW_JSON_OBJECT_KV_STRING(j, "address", r->recipients[i].address);
        SW_JSON_KV_STRING(j, "field", r->recipients[i].field);
        write_delivery(j, &r->recipients[i]);
    }
    sw_json_array_end(j);

    write_auth(j, r);
    write_received(j, r, tc);
    write_dkim(j, r);
    write_arc(j, r);
    write_microsoft(j, &r->ms);
    write_list(j, &r->list);
    write_context(j, r, tc);
    write_log(j, r, tc);

    if (!r->nanomalies) {
        SW_JSON_KV_RAW(j, "anomalies", "[]");
        return;
    }
    SW_JSON_KEY_ARRAY(j, "anomalies");
    for (size_t i = 0; i < r->nanomalies; i++) {
        SW_JSON_OBJECT_KV_STRING(j, "id", r->anomalies[i].id);
        SW_JSON_KV_STRING(j, "detail", r->anomalies[i].detail);
        SW_JSON_KV_INT_END(j, "offset", (int64_t)r->anomalies[i].offset);
    }
    sw_json_array_end(j);
}
