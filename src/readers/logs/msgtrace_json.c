/* Exchange Online message trace as JSON (formats.md §4.3 (a)): Get-MessageTrace /
 * Get-MessageTraceV2 output through ConvertTo-Json (an array, or one object for a single
 * row), the legacy Reporting Web Service MessageTrace feed (OData verbose
 * {"d":{"results":[...]}} with __metadata, OData JSON light {"odata.metadata":...,
 * "value":[...]}) and the rows Elastic's integration stores, one per line.
 *
 * A row is one recipient of one message. Message trace carries no authentication result and
 * no header From at all: every record says so in log.absent, so detection reports those
 * facts as absent instead of reading the envelope sender as the From.
 *
 * Memory: row strings point into the row's tree or c->row_arena (formatted times). */
#include "spoofwatch/datetime.h"
#include "spoofwatch/logsource.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define SOURCE "exo-message-trace"

static int claims(const sw_jv *rec)
{
    if (!rec || rec->type != SW_J_OBJECT || sw_jget(rec, "RecordType"))
        return 0;
    return sw_jget(rec, "SenderAddress") && sw_jget(rec, "RecipientAddress") &&
           (sw_jget(rec, "MessageTraceId") || sw_jget(rec, "Received") || sw_jget(rec, "Status"));
}

/* Windows PowerShell 5.1's ConvertTo-Json and OData verbose JSON write a DateTime as
 * "/Date(<ms since the epoch>[+-hhmm])/"; the milliseconds are UTC whatever the offset says.
 * Returns "YYYY-MM-DDTHH:MM:SSZ" in the arena, or NULL when s is not that form. */
static const char *dotnet_date(sw_arena *a, const char *s)
{
    if (strncmp(s, "/Date(", 6))
        return NULL;
    const char *p = s + 6;
    int neg = *p == '-';
    if (neg)
        p++;
    int64_t ms = 0;
    int n = 0;
    /* 14 digits reach past the year 9999: longer is not a date */
    while (isdigit((unsigned char)*p) && n < 14) {
        ms = ms * 10 + (*p++ - '0');
        n++;
    }
    if (!n || isdigit((unsigned char)*p))
        return NULL;
    if (*p == '+' || *p == '-') {
        p++;
        for (int i = 0; i < 4; i++, p++)
            if (!isdigit((unsigned char)*p))
                return NULL;
    }
    if (strcmp(p, ")/"))
        return NULL;
    /* floor, not C's truncation: -1500 ms is 23:59:58.5 on the day before the epoch */
    int64_t signed_ms = neg ? -ms : ms;
    int64_t sec = signed_ms / 1000 - (signed_ms % 1000 < 0);
    char out[32];
    sw_datetime_format_utc(sec, out);
    return sw_arena_strndup(a, out, strlen(out));
}

static int read_row(sw_logctx *c, const sw_jv *r, uint64_t line)
{
    sw_arena *a = c->row_arena;
    sw_log_row *row = c->row;
    sw_log_row_init(row, SOURCE, line);
    const char *sender = sw_jget_str(r, "SenderAddress");
    const char *message_id = sw_jget_str(r, "MessageId");
    /* The merge key is MessageTraceId: Get-MessageTraceDetail(V2) takes it together with
     * -RecipientAddress to pick one row, so the id names the message and is shared by its
     * recipient rows. MessageId is the fallback for exports that dropped the column; it is
     * written by the sender and need not be unique, so it is paired with the sender. With
     * neither, the row is a record of its own. */
    row->merge_key = sw_jget_str(r, "MessageTraceId");
    if ((!row->merge_key || !*row->merge_key) && message_id && *message_id)
        row->merge_key = sw_arena_printf(a, "%s %s", message_id, sender ? sender : "");
    /* P1 by common usage; Microsoft does not say which identity SenderAddress is */
    row->envelope_from = sender;
    row->message_id = message_id;
    row->subject = sw_jget_str(r, "Subject");
    row->facts.absent |= SW_LOG_NO_AUTH | SW_LOG_NO_HEADER_FROM;
    if (!sender)
        row->facts.absent |= SW_LOG_NO_ENVELOPE_FROM;

    const char *status = sw_log_jget_text(a, r, "Status");
    sw_recipient *rc =
        sw_log_row_recipient(row, sw_jget_str(r, "RecipientAddress"), "RecipientAddress");
    if (rc) {
        rc->status = status;
        /* Delivered; Failed and Quarantined never reached the mailbox; FilteredAsSpam went
         * to Junk; Pending, Expanded (a group), GettingStatus and None say nothing yet */
        rc->delivered = sw_log_delivered(status, NULL);
    }
    if (!rc || !status || !*status)
        row->facts.absent |= SW_LOG_NO_DELIVERY;

    sw_log_facts *f = &row->facts;
    const sw_jv *rv = sw_jget(r, "Received");
    /* PowerShell 5.1 writes a DateTime it was handed directly as {"value":..,"DateTime":..} */
    const char *received = sw_jstr(rv && rv->type == SW_J_OBJECT ? sw_jget(rv, "value") : rv);
    f->time = received;
    if (received) {
        const char *iso = dotnet_date(a, received);
        if (iso) {
            f->time = iso;
            sw_log_row_field(row, "Received", received);
        }
    }
    f->sender_ip = sw_jget_str(r, "FromIP");

    static const char *const kept[] = {"Size", "ToIP", "MessageTraceId", "Organization", NULL};
    for (const char *const *k = kept; *k; k++)
        sw_log_row_field(row, *k, sw_log_jget_text(a, r, *k));
    return sw_log_emit(c, row);
}

const sw_json_source sw_src_msgtrace_json = {SOURCE, claims, read_row};
