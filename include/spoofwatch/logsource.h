/* Log sources: provider logs read into the same message record as raw mail.
 *
 * Flow: the batch opens a file (sw_input) and sniffs a log family (JSON, CSV, Exchange
 * tracking log, DMARC XML); sw_log_read() runs that family's reader. A family reader
 * splits the file into rows, decides which source each row is (EmailEvents, TIMailData,
 * message trace, Gmail, ...) and that source's row function fills an sw_log_row and calls
 * sw_log_emit(). The merger joins the rows of one message (rows are per recipient) by
 * their merge key and hands finished records to the batch's callback, with the same
 * detection as raw mail downstream. docs/sources.md says which field fills what.
 *
 * Memory: a row and everything it points to live in ctx->row_arena, reset by the family
 * reader between rows; sw_log_emit() copies what it keeps into the pending record's own
 * arena. At most SW_LOG_MERGE_WINDOW records are pending; the rest of the file streams.
 *
 * Bad rows: sw_log_bad() reports "path:line: why", counts an error, and the reader goes
 * on with the next row. */
#ifndef SPOOFWATCH_LOGSOURCE_H
#define SPOOFWATCH_LOGSOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"
#include "spoofwatch/input.h"
#include "spoofwatch/jsonread.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/record.h"

/* One authentication result as a log states it. */
typedef struct sw_log_auth {
    const char *method;    /* spf, dkim, dmarc, compauth, arc (lower case) */
    const char *result;    /* normalised with sw_log_auth_result(): pass, fail, permerror... */
    const char *as_logged; /* the source's spelling ("Permanent error", "true"), evidence */
    const char *domain;    /* dkim: signing domain; spf: checked domain; NULL when not logged */
    const char *selector;  /* dkim, when logged */
} sw_log_auth;

#define SW_LOG_MAX_ROW_AUTH 16
#define SW_LOG_MAX_ROW_RECIPIENTS 256

typedef struct sw_log_row {
    const char *source;    /* stable source id (docs/sources.md), also sw_source.format */
    const char *merge_key; /* rows of one message share it (NetworkMessageId, ...); NULL:
                            * the row is a record of its own */
    uint64_t line;         /* 1-based line or record number where the row starts */
    uint64_t offset;       /* byte offset of the row in the file, when known */

    /* identities; NULL = not in this row */
    const char *from_address; /* P2, header From */
    const char *from_display;
    const char *from_domain;   /* header From domain when the source logs only the domain
                                * (DMARC aggregate header_from); used when from_address is
                                * NULL: the record gets from.domain and no from.address */
    const char *envelope_from; /* P1, MAIL FROM ("" = null sender) */
    const char *sender;        /* Sender header, when logged */
    const char *reply_to;
    const char *message_id; /* as logged (brackets kept; see sw_log_message_id) */
    const char *subject;

    sw_recipient recipients[SW_LOG_MAX_ROW_RECIPIENTS];
    size_t nrecipients;

    /* authentication as the provider logged it; auth_field names where (for evidence and
     * for the record's trusted origin), e.g. "AuthenticationDetails" */
    sw_log_auth auth[SW_LOG_MAX_ROW_AUTH];
    size_t nauth;
    const char *auth_field;

    sw_log_facts facts; /* fields[] may point into the row arena; rows is ignored */
    sw_log_kv fields[SW_MAX_LOG_FIELDS];
    size_t nfields;
} sw_log_row;

typedef struct sw_logmerge sw_logmerge;

/* What a family reader works with. Filled by sw_log_read(); readers only read it, except
 * the counters which the helpers below keep. */
typedef struct sw_logctx {
    const char *path;
    const char *data; /* the whole (decompressed) file */
    size_t len;
    sw_arena *row_arena;           /* per row, reset by the reader */
    /* JSON readers; a tree lives until its reader parses again, so each level has its own:
     * json for the file's documents, json_unwrap for a wrapped original event (Elastic's
     * event.original), json_inner for JSON text inside a field (AuthenticationDetails) */
    sw_jreader *json, *json_unwrap, *json_inner;
    sw_logmerge *merge;
    sw_log_row *row; /* scratch row, reused for every row (it is large) */
    int compressed;
    uint64_t rows;    /* rows emitted */
    uint64_t bad;     /* rows reported as bad */
    uint64_t skipped; /* rows of a known source that carry no message (other tables) */
    int stop;         /* the record callback asked to stop */
    const char *unit; /* what `line` counts in messages: "line" (default) or "record" */
    uint64_t row_offset; /* byte offset of the current row, set by the family reader; used
                          * for a row whose offset is 0 */
    int offsets_unknown; /* data is a conversion (UTF-16 input): offsets would not point
                          * into the file, so rows carry lines only */
    sw_input *input;     /* the mapped file, for sw_log_advance() */
    void (*on_error)(const char *message, void *ctx);
    void *error_ctx;
    /* EmailEvents' AuthenticationDetails values per text seen (emailevents.c): allocated
     * there on first use, freed by sw_log_read() */
    struct sw_log_authmemo *auth_memo;
} sw_logctx;

/* Clears a row (cheap: the big arrays are not wiped) and sets its source and line. */
void sw_log_row_init(sw_log_row *row, const char *source, uint64_t line);
/* Appends a recipient (deduplicated by address and field); NULL/empty address ignored. */
sw_recipient *sw_log_row_recipient(sw_log_row *row, const char *address, const char *field);
/* Appends an auth result; result is normalised here (as_logged keeps the input). */
void sw_log_row_auth(sw_log_row *row, const char *method, const char *result_as_logged,
                     const char *domain);
/* Keeps a further source fact as evidence (NULL/empty values skipped). Inline: readers
 * keep a dozen or two columns of every row this way. */
static inline void sw_log_row_field(sw_log_row *row, const char *key, const char *value)
{
    if (!key || !value || !*value || row->nfields == SW_MAX_LOG_FIELDS)
        return;
    row->fields[row->nfields].key = key;
    row->fields[row->nfields].value = value;
    row->nfields++;
}

/* Merges the row into its message record (or emits it when it has no merge key). */
int sw_log_emit(sw_logctx *c, const sw_log_row *row);
/* A line-by-line family reader calls this with the byte offset it has read up to, so that
 * the file's pages are released behind it (sw_input_advance). */
void sw_log_advance(sw_logctx *c, size_t offset);
/* Reports a bad row: "path:line: <fmt>", counted as an error. */
void sw_log_bad(sw_logctx *c, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Text of a scalar JSON value (strings as they are, numbers and booleans formatted into
 * the arena); NULL for null, arrays and objects. */
const char *sw_log_jtext_scalar(sw_arena *a, const sw_jv *v); /* v not NULL, not a string */
/* Inline for the common case, a string or an absent column: readers ask for every column
 * of every row, and the call was most of what it cost. */
static inline const char *sw_log_jtext(sw_arena *a, const sw_jv *v)
{
    if (!v)
        return NULL;
    return v->type == SW_J_STRING ? v->u.s : sw_log_jtext_scalar(a, v);
}
/* obj[key] as text (sw_log_jtext), NULL when absent. */
const char *sw_log_jget_text(sw_arena *a, const sw_jv *obj, const char *key);

/* Normalised result for a logged value: lower case; "Permanent error" -> permerror,
 * "Temporary error" -> temperror, "true"/"false" (Gmail booleans) -> pass/fail,
 * "bestguesspass"/"softpass" kept; NULL or empty -> NULL. Static strings or arena copies. */
const char *sw_log_auth_result(sw_arena *a, const char *as_logged);
/* Message-ID with Microsoft's literal "\u003c...\u003e" brackets turned into "<...>". */
const char *sw_log_message_id(sw_arena *a, const char *as_logged);
/* ISO 8601 / RFC 3339 time ("2022-11-22T06:19:40Z", zone-less = UTC, fractions, offsets,
 * a space for the T) to Unix seconds. 0 ok, -1 not a time. */
int sw_log_time(const char *s, int64_t *epoch);
/* SW_DELIVERED_* for a delivery action / location text ("Delivered", "Inbox/folder",
 * "Junked", "JunkFolder", "Quarantine", "Blocked", "Failed", "Dropped", ...). */
int sw_log_delivered(const char *action, const char *location);

/* ---- JSON family: one table of sources, routed per record ---- */

typedef struct sw_json_source {
    const char *id; /* stable source id */
    /* 1 when rec is one of this source's records */
    int (*claims)(const sw_jv *rec);
    /* Fills and emits the row(s) of rec; 0, or SW_EFORMAT after sw_log_bad(). Rows of a
     * sibling table that hold no message (EmailAttachmentInfo, ...) are counted in
     * c->skipped and return 0. */
    int (*read)(sw_logctx *c, const sw_jv *rec, uint64_t line);
} sw_json_source;

/* Every JSON source, NULL-terminated (src/readers/logs/json_sources.c). */
extern const sw_json_source *const sw_json_sources[];

/* ---- CSV family (logcsv.c) and Exchange tracking log (tracklog.c) ---- */

struct sw_csv_header;
struct sw_csv_record;

typedef struct sw_csv_source {
    const char *id; /* stable source id */
    /* the header names every one of these columns (sw_csv_col matching), NULL-terminated */
    const char *const *columns;
    /* Fills and emits the row(s) of one record; 0, or SW_EFORMAT after sw_log_bad(). */
    int (*read)(sw_logctx *c, const struct sw_csv_header *h, const struct sw_csv_record *rec);
} sw_csv_source;

/* Every CSV source, NULL-terminated, tried in order against the header row
 * (src/readers/logs/csv_sources.c). */
extern const sw_csv_source *const sw_csv_sources[];

/* SW_FMT_CSVLOG when the first line is the header row of a CSV source, SW_FMT_TRACKLOG for
 * an Exchange message tracking log (a "#Software: Microsoft Exchange" or "#Fields:" line,
 * or a headerless file whose first line starts with an ISO 8601 time and a comma),
 * otherwise SW_FMT_UNKNOWN. UTF-16 with a BOM is recognised too. */
sw_format sw_log_sniff_csv(const char *data, size_t len);

/* A CSV record as a JSON object of string members named by the header (empty cells left
 * out; a " [UTC]" suffix, as Log Analytics exports write, dropped from names), so a source
 * written for JSON rows reads the same table exported as CSV. In the arena; NULL when full. */
const sw_jv *sw_log_csv_as_json(sw_arena *a, const struct sw_csv_header *h,
                                const struct sw_csv_record *rec);

/* One tracking-log event (Exchange Server MSGTRK, EXO extended report: the same columns
 * with '_' for '-') to a row and sw_log_emit(); recipient_field names the recipient
 * column in the record. Rows that name no message (NOTIFYMAPI) are counted as skipped. */
int sw_tracklog_event(sw_logctx *c, const char *source, const char *recipient_field,
                      const struct sw_csv_header *h, const struct sw_csv_record *rec);
/* Microsoft custom data ("S:SFA=SUM|SFV=SPM|SCL=9", "S:OriginalFromAddress=a@b;S:...") into
 * the row: provider flags and verdict from SFV/SCL/CAT, evidence fields. */
void sw_log_ms_custom_data(sw_logctx *c, sw_log_row *row, const char *custom_data);

/* ---- entry point ---- */

/* Reads a log file already opened and sniffed as a log family. Records go to on_record
 * (same contract as sw_batch); returns 0, or the callback's non-zero stop value. Bad rows
 * are reported and counted in *errors; *records counts records handed out. */
int sw_log_read(sw_input *in, sw_arena *record_arena,
                int (*on_record)(const sw_record *rec, sw_arena *a, void *ctx), void *ctx,
                void (*on_error)(const char *message, void *ctx), uint64_t *records,
                uint64_t *errors);

#endif
