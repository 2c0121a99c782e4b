/* Google Workspace Email Log Search export (formats.md §5.3): "gmail-log-search".
 *
 * The admin console's CSV: one row per message and event. Only the leading columns are
 * documented (Message ID, Start date, End date, Sender, Message size, Subject, Direction,
 * Attachments, Recipient address, Event target); the event columns after them are read
 * by the names the export is reported to use, every one optional. Rows merge on Message ID
 * with the sender; a placeholder id (SMTPIN_ADDED_REJECT_SESSION, anything without an
 * '@') is not a message's id, so such a row stays a record of its own. Strings point into
 * ctx->row_arena. */
#include "spoofwatch/csv.h"
#include "spoofwatch/logsource.h"

#include <string.h>
#include <strings.h>

#define SOURCE "gmail-log-search"


/* the first of several spellings a column is reported under */
static const char *get_any(const sw_csv_header *h, const sw_csv_record *rec,
                           const char *const *names)
{
    for (; *names; names++) {
        const char *v = sw_csv_get(h, rec, *names);
        if (v)
            return v;
    }
    return NULL;
}

static const char *const status_cols[] = {"Event status", "Status", "Event", NULL};
static const char *const date_cols[] = {"Event date", "Date", "Start date", NULL};
static const char *const ip_cols[] = {"Target IP", "Target IP address", "IP address", NULL};
static const char *const code_cols[] = {"SMTP reply code", "SMTP response code", NULL};
static const char *const desc_cols[] = {"SMTP reply description", "SMTP response",
                                        "Description", NULL};

static int read_row(sw_logctx *c, const sw_csv_header *h, const sw_csv_record *rec)
{
    sw_arena *a = c->row_arena;
    sw_log_row *row = c->row;
    sw_log_row_init(row, SOURCE, rec->line);
    const char *msgid = sw_csv_get(h, rec, "Message ID");
    const char *sender = sw_csv_get(h, rec, "Sender");
    if (msgid && strchr(msgid, '@'))
        row->merge_key = sw_arena_printf(a, "%s|%s", msgid, sender ? sender : "");
    row->message_id = msgid && strchr(msgid, '@') ? msgid : NULL;
    row->subject = sw_csv_get(h, rec, "Subject");
    /* which identity "Sender" is is not documented; the console searches the envelope */
    row->envelope_from = sender;
    sw_log_facts *f = &row->facts;
    f->absent = SW_LOG_NO_AUTH | SW_LOG_NO_HEADER_FROM;
    if (!sender)
        f->absent |= SW_LOG_NO_ENVELOPE_FROM;

    const char *target = sw_csv_get(h, rec, "Event target");
    const char *status = get_any(h, rec, status_cols);
    const char *rcpts = sw_csv_get(h, rec, "Recipient address");
    char *list = rcpts ? sw_arena_strndup(a, rcpts, strlen(rcpts)) : NULL;
    char *save = NULL;
    int outcome = SW_DELIVERED_UNKNOWN;
    for (char *addr = list ? strtok_r(list, ",; ", &save) : NULL; addr;
         addr = strtok_r(NULL, ",; ", &save)) {
        sw_recipient *rc = sw_log_row_recipient(row, addr, "Recipient address");
        if (!rc)
            continue;
        rc->status = status;
        /* only a mailbox target says where the message ended up; SMTP_IN and the list
         * and archive servers are steps on the way, kept as evidence, and leave the
         * outcome of another row of the message alone */
        int mailbox = target && (!strcasecmp(target, "GMAIL_INBOX") ||
                                 !strcasecmp(target, "GMAIL_SPAM"));
        if (mailbox)
            rc->delivery_location = target;
        if (sw_log_delivered(status, NULL) == SW_DELIVERED_BLOCKED)
            rc->delivered = SW_DELIVERED_BLOCKED;
        else if (mailbox)
            rc->delivered = sw_log_delivered(NULL, target);
        if (rc->delivered)
            outcome = rc->delivered;
    }
    if (!outcome)
        f->absent |= SW_LOG_NO_DELIVERY;
    if (target && !strcasecmp(target, "GMAIL_SPAM")) {
        f->flags |= SW_LOGF_PROVIDER_SPAM;
        f->provider_verdict = target;
    }
    f->time = get_any(h, rec, date_cols);
    f->direction = sw_csv_get(h, rec, "Direction");
    f->sender_ip = NULL; /* the target IP is where Gmail sent it, not who connected */
    sw_log_row_field(row, "Message ID", msgid);
    sw_log_row_field(row, "Event target", target);
    sw_log_row_field(row, "Target IP", get_any(h, rec, ip_cols));
    sw_log_row_field(row, "SMTP reply code", get_any(h, rec, code_cols));
    sw_log_row_field(row, "SMTP reply description", get_any(h, rec, desc_cols));
    static const char *const kept[] = {"Start date", "End date", "Message size", "Attachments",
                                       NULL};
    for (const char *const *k = kept; *k; k++)
        sw_log_row_field(row, *k, sw_csv_get(h, rec, *k));
    return sw_log_emit(c, row);
}

static const char *const columns[] = {"Message ID", "Sender", "Recipient address",
                                      "Event target", NULL};

const sw_csv_source sw_csv_gmail_logsearch = {SOURCE, columns, read_row};
