/* Exchange Online CSV (formats.md §4.3): Get-MessageTrace(V2) | Export-Csv
 * ("exo-message-trace") and the downloadable enhanced summary and extended reports
 * ("exo-report").
 *
 * Message trace: one row per recipient, merged on MessageTraceId (Microsoft's per-message
 * id), else MessageId with the sender. Enhanced summary: one row per message, every
 * recipient and its events in recipient_status ("a@x##Receive, Deliver;b@y##Receive,
 * Fail"). Extended report: one row per event with the tracking log's columns, read by the
 * tracking-log event row (tracklog.c). Strings point into ctx->row_arena. */
#include "spoofwatch/csv.h"
#include "spoofwatch/logsource.h"

#include <string.h>
#include <strings.h>


static int contains(const char *s, const char *w)
{
    return s && strcasestr(s, w);
}

/* ---- exo-message-trace ---- */

static int read_trace(sw_logctx *c, const sw_csv_header *h, const sw_csv_record *rec)
{
    sw_arena *a = c->row_arena;
    sw_log_row *row = c->row;
    sw_log_row_init(row, "exo-message-trace", rec->line);
    const char *tid = sw_csv_get(h, rec, "MessageTraceId");
    const char *msgid = sw_csv_get(h, rec, "MessageId");
    const char *sender = sw_csv_get(h, rec, "SenderAddress");
    if (tid)
        row->merge_key = sw_arena_printf(a, "t:%s", tid);
    else if (msgid)
        row->merge_key = sw_arena_printf(a, "m:%s|%s", msgid, sender ? sender : "");
    row->message_id = msgid;
    row->subject = sw_csv_get(h, rec, "Subject");
    /* SenderAddress is the envelope sender by common usage (§1.1); no header From */
    row->envelope_from = sender;
    sw_log_facts *f = &row->facts;
    f->absent = SW_LOG_NO_AUTH | SW_LOG_NO_HEADER_FROM;
    if (!sender)
        f->absent |= SW_LOG_NO_ENVELOPE_FROM;
    const char *status = sw_csv_get(h, rec, "Status");
    sw_recipient *rc = sw_log_row_recipient(row, sw_csv_get(h, rec, "RecipientAddress"),
                                            "RecipientAddress");
    if (rc) {
        rc->status = status;
        rc->delivery_action = status;
    }
    if (!rc || !status || !sw_log_delivered(status, NULL))
        f->absent |= SW_LOG_NO_DELIVERY;
    if (contains(status, "spam"))
        f->flags |= SW_LOGF_PROVIDER_SPAM;
    if (status && (contains(status, "spam") || contains(status, "quarantine")))
        f->provider_verdict = status;
    f->time = sw_csv_get(h, rec, "Received");
    f->sender_ip = sw_csv_get(h, rec, "FromIP");
    static const char *const kept[] = {"MessageTraceId", "Organization", "ToIP", "FromIP",
                                       "Size", "StartDate", "EndDate", "Index", NULL};
    for (const char *const *k = kept; *k; k++)
        sw_log_row_field(row, *k, sw_csv_get(h, rec, *k));
    return sw_log_emit(c, row);
}

/* ---- exo-report ---- */

static int read_extended(sw_logctx *c, const sw_csv_header *h, const sw_csv_record *rec)
{
    return sw_tracklog_event(c, "exo-report", "recipient_address", h, rec);
}

/* "Receive, Deliver" -> "Deliver": the last event says where the message ended up */
static const char *last_event(sw_arena *a, const char *events)
{
    const char *comma = strrchr(events, ',');
    const char *s = comma ? comma + 1 : events;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    return sw_arena_strndup(a, s, n);
}

static int read_summary(sw_logctx *c, const sw_csv_header *h, const sw_csv_record *rec)
{
    sw_arena *a = c->row_arena;
    sw_log_row *row = c->row;
    sw_log_row_init(row, "exo-report", rec->line);
    const char *msgid = sw_csv_get(h, rec, "message_id");
    const char *nmid = sw_csv_get(h, rec, "network_message_id");
    /* the same key as the extended report's events (tracklog.c), so both merge */
    if (nmid)
        row->merge_key = sw_arena_printf(a, "n:%s|%s", nmid, msgid ? msgid : "");
    else if (msgid)
        row->merge_key = sw_arena_printf(a, "m:%s", msgid);
    row->message_id = msgid;
    row->subject = sw_csv_get(h, rec, "message_subject");
    row->from_address = sw_csv_get(h, rec, "sender_address");
    row->envelope_from = sw_csv_get(h, rec, "return_path");
    sw_log_facts *f = &row->facts;
    f->absent = SW_LOG_NO_AUTH;
    if (!row->from_address)
        f->absent |= SW_LOG_NO_HEADER_FROM;
    if (!row->envelope_from)
        f->absent |= SW_LOG_NO_ENVELOPE_FROM;

    int any_outcome = 0;
    const char *rs = sw_csv_get(h, rec, "recipient_status");
    char *list = rs ? sw_arena_strndup(a, rs, strlen(rs)) : NULL;
    char *save = NULL;
    for (char *item = list ? strtok_r(list, ";", &save) : NULL; item;
         item = strtok_r(NULL, ";", &save)) {
        char *sep = strstr(item, "##");
        if (sep)
            *sep = '\0';
        while (*item == ' ')
            item++;
        sw_recipient *rc = sw_log_row_recipient(row, item, "recipient_status");
        if (!rc || !sep || !sep[2])
            continue;
        rc->status = sep + 2;
        rc->delivery_action = last_event(a, sep + 2);
        rc->delivered = sw_log_delivered(rc->delivery_action, NULL);
        any_outcome |= rc->delivered != SW_DELIVERED_UNKNOWN;
    }
    if (!any_outcome)
        f->absent |= SW_LOG_NO_DELIVERY;

    f->time = sw_csv_get(h, rec, "origin_timestamp_utc");
    if (!f->time)
        f->time = sw_csv_get(h, rec, "origin_timestamp");
    f->network_message_id = nmid;
    f->sender_ip = sw_csv_get(h, rec, "original_client_ip");
    const char *dir = sw_csv_get(h, rec, "directionality");
    f->direction = dir && !strcmp(dir, "1") ? "Inbound" : dir && !strcmp(dir, "2") ? "Outbound"
                                                                                    : dir;
    sw_log_ms_custom_data(c, row, sw_csv_get(h, rec, "custom_data"));
    static const char *const kept[] = {"directionality", "connector_id", "delivery_priority",
                                       "total_bytes", "tenant_id", NULL};
    for (const char *const *k = kept; *k; k++)
        sw_log_row_field(row, *k, sw_csv_get(h, rec, *k));
    return sw_log_emit(c, row);
}

static const char *const trace_cols[] = {"SenderAddress", "RecipientAddress", NULL};
static const char *const extended_cols[] = {"event_id", "sender_address", "message_id",
                                            "recipient_address", NULL};
static const char *const summary_cols[] = {"sender_address", "message_id", "recipient_status",
                                           NULL};

const sw_csv_source sw_csv_exo_trace = {"exo-message-trace", trace_cols, read_trace};
const sw_csv_source sw_csv_exo_extended = {"exo-report", extended_cols, read_extended};
const sw_csv_source sw_csv_exo_summary = {"exo-report", summary_cols, read_summary};
