/* macOS unified-log events (formats.md §3.3) in the three shapes fleets ship them:
 *
 *   macos-unified-log    `log show|stream --style ndjson` objects (timestamp, eventMessage,
 *                        processImagePath, subsystem, ...), one per line or in an array
 *   jamf-unified-log     Jamf Compliance Reporter {"header":{"event_name":"UNIFIED_LOG_EVENT",
 *                        ...},"host_info":{...},"event_attributes":{<the ndjson keys>}}
 *   osquery-unified-log  osquery results-log lines of a unified_log query: differential
 *                        {"hostIdentifier",...,"columns":{...},"action"}, snapshot
 *                        {...,"snapshot":[{...}]} and batched {...,"diffResults":{"added":[...]}}
 *
 * These logs carry no sender, recipient or authentication, so an event is worth a record
 * only when it concerns Mail (is_mail_event(): the rule is in docs/sources.md). Every such
 * event is its own record (no merge key: no documented field joins events of one message);
 * the others are counted in c->skipped. Field names in log.fields are the same for the
 * three shapes (process, subsystem, category, message, user, userID, host, ...), so
 * devctx.c can index the records of any of them.
 *
 * Memory: everything lives in c->row_arena, as for every source. */
#include "spoofwatch/datetime.h"
#include "spoofwatch/logsource.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#define SRC_NDJSON "macos-unified-log"
#define SRC_JAMF "jamf-unified-log"
#define SRC_OSQUERY "osquery-unified-log"

/* ---- the mail rule ---- */

static const char *base_name(const char *path)
{
    if (!path)
        return NULL;
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int starts_ci(const char *s, const char *prefix)
{
    return s && !strncasecmp(s, prefix, strlen(prefix));
}

/* Mail's own processes and frameworks. Kept narrow on purpose: "mail" as a substring would
 * take mDNSResponder lines about mail servers, Messages.app, and every browser tab named
 * Gmail. */
static int is_mail_process(const char *name)
{
    if (!name || !*name)
        return 0;
    static const char *const exact[] = {"Mail", "maild", "MailCacheDelete", NULL};
    for (const char *const *e = exact; *e; e++)
        if (!strcmp(name, *e))
            return 1;
    /* MailService, MailShortcutsExtension, com.apple.MailServiceAgent, ... */
    return !strncmp(name, "Mail", 4) || starts_ci(name, "com.apple.mail");
}

static int is_mail_image(const char *path)
{
    if (!path)
        return 0;
    static const char *const parts[] = {"/Mail.app/", "/MailCore.framework/",
                                        "/EmailCore.framework/", "/Message.framework/",
                                        "/EmailDaemon.framework/", NULL};
    for (const char *const *p = parts; *p; p++)
        if (strstr(path, *p))
            return 1;
    return is_mail_process(base_name(path));
}

static int is_mail_event(const char *process, const char *process_path, const char *sender_path,
                         const char *subsystem)
{
    return starts_ci(subsystem, "com.apple.mail") || starts_ci(subsystem, "com.apple.email") ||
           is_mail_process(process) || is_mail_image(process_path) || is_mail_image(sender_path);
}

/* ---- one event, whatever the shape ---- */

typedef struct event {
    const char *time;     /* as logged; or formatted from epoch seconds */
    const char *process;  /* short name */
    const char *process_path, *sender_path;
    const char *sender; /* osquery: the sender image by name, not path */
    const char *subsystem, *category, *message, *level, *type;
    const char *pid, *uid, *user, *host, *host_uuid;
    const char *query; /* osquery: the scheduled query's name */
} event;

static const char *utc_text(sw_arena *a, int64_t epoch)
{
    char buf[32];
    sw_datetime_format_utc(epoch, buf);
    return sw_arena_strndup(a, buf, strlen(buf));
}

static int emit_event(sw_logctx *c, const char *source, const event *e, uint64_t line,
                      const sw_jv *extra, const char *const *extra_keys)
{
    if (!is_mail_event(e->process, e->process_path, e->sender_path ? e->sender_path : e->sender,
                       e->subsystem)) {
        c->skipped++;
        return 0;
    }
    sw_log_row *row = c->row;
    sw_log_row_init(row, source, line);
    row->facts.time = e->time;
    row->facts.absent =
        SW_LOG_NO_AUTH | SW_LOG_NO_HEADER_FROM | SW_LOG_NO_ENVELOPE_FROM | SW_LOG_NO_DELIVERY;
    const char *process = e->process ? e->process : base_name(e->process_path);
    sw_log_row_field(row, "process", process);
    sw_log_row_field(row, "processImagePath", e->process_path);
    sw_log_row_field(row, "senderImagePath", e->sender_path);
    sw_log_row_field(row, "sender", e->sender);
    sw_log_row_field(row, "subsystem", e->subsystem);
    sw_log_row_field(row, "category", e->category);
    sw_log_row_field(row, "message", e->message);
    sw_log_row_field(row, "messageType", e->level);
    sw_log_row_field(row, "eventType", e->type);
    sw_log_row_field(row, "processID", e->pid);
    sw_log_row_field(row, "userID", e->uid);
    sw_log_row_field(row, "user", e->user);
    sw_log_row_field(row, "host", e->host);
    sw_log_row_field(row, "host_uuid", e->host_uuid);
    sw_log_row_field(row, "query", e->query);
    for (const char *const *k = extra_keys; extra && *k; k++)
        sw_log_row_field(row, *k, sw_log_jget_text(c->row_arena, extra, *k));
    return sw_log_emit(c, row);
}

/* The ndjson keys, shared by `log --style ndjson` and Jamf's event_attributes. */
static const char *const ndjson_extra[] = {"formatString", "traceID", "threadID",
                                           "activityIdentifier", "machTimestamp", "bootUUID",
                                           "timezoneName", NULL};

static void read_ndjson_keys(sw_arena *a, const sw_jv *r, event *e)
{
    e->time = sw_jget_str(r, "timestamp");
    e->process_path = sw_jget_str(r, "processImagePath");
    e->sender_path = sw_jget_str(r, "senderImagePath");
    e->process = base_name(e->process_path);
    e->subsystem = sw_jget_str(r, "subsystem");
    e->category = sw_jget_str(r, "category");
    e->message = sw_jget_str(r, "eventMessage");
    e->level = sw_jget_str(r, "messageType");
    e->type = sw_jget_str(r, "eventType");
    e->pid = sw_log_jget_text(a, r, "processID");
    e->uid = sw_log_jget_text(a, r, "userID");
}

static int bad_time(sw_logctx *c, const event *e, uint64_t line)
{
    int64_t t;
    if (e->time && sw_log_time(e->time, &t) == 0)
        return 0;
    sw_log_bad(c, line, "unified-log event without a readable time (%s); skipped",
               e->time ? e->time : "no timestamp");
    return 1;
}

/* ---- macos-unified-log ---- */

static int ndjson_claims(const sw_jv *rec)
{
    return rec && rec->type == SW_J_OBJECT && sw_jget(rec, "eventMessage") &&
           sw_jget(rec, "timestamp") &&
           (sw_jget(rec, "processImagePath") || sw_jget(rec, "machTimestamp") ||
            sw_jget(rec, "senderImagePath"));
}

static int ndjson_read(sw_logctx *c, const sw_jv *rec, uint64_t line)
{
    event e = {0};
    read_ndjson_keys(c->row_arena, rec, &e);
    if (bad_time(c, &e, line))
        return SW_EFORMAT;
    return emit_event(c, SRC_NDJSON, &e, line, rec, ndjson_extra);
}

/* ---- jamf-unified-log ---- */

static int jamf_claims(const sw_jv *rec)
{
    const char *name = sw_jstr(sw_jpath(rec, "header.event_name"));
    return name && !strcmp(name, "UNIFIED_LOG_EVENT");
}

static int jamf_read(sw_logctx *c, const sw_jv *rec, uint64_t line)
{
    const sw_jv *attr = sw_jget(rec, "event_attributes");
    if (!attr || attr->type != SW_J_OBJECT) {
        sw_log_bad(c, line, "UNIFIED_LOG_EVENT without event_attributes; skipped");
        return SW_EFORMAT;
    }
    event e = {0};
    read_ndjson_keys(c->row_arena, attr, &e);
    int64_t t;
    if (!e.time && sw_jint(sw_jpath(rec, "header.time_seconds_epoch"), &t) == 0)
        e.time = utc_text(c->row_arena, t); /* when the search ran, not the event itself */
    if (bad_time(c, &e, line))
        return SW_EFORMAT;
    const sw_jv *host = sw_jget(rec, "host_info");
    e.host = sw_jget_str(host, "host_name");
    e.host_uuid = sw_jget_str(host, "host_uuid");
    return emit_event(c, SRC_JAMF, &e, line, attr, ndjson_extra);
}

/* ---- osquery-unified-log ---- */

/* A unified_log row: the table's own columns (osquery specs/darwin/unified_log.table). */
static int osq_row(const sw_jv *r)
{
    return r && r->type == SW_J_OBJECT && sw_jget(r, "message") &&
           (sw_jget(r, "subsystem") || sw_jget(r, "process")) &&
           (sw_jget(r, "timestamp") || sw_jget(r, "storage") || sw_jget(r, "sender"));
}

static const sw_jv *osq_rows(const sw_jv *rec, int *many)
{
    const sw_jv *v = sw_jget(rec, "columns");
    *many = 0;
    if (v && v->type == SW_J_OBJECT)
        return v;
    *many = 1;
    v = sw_jget(rec, "snapshot");
    if (v && v->type == SW_J_ARRAY)
        return v;
    v = sw_jpath(rec, "diffResults.added");
    if (v && v->type == SW_J_ARRAY)
        return v;
    return NULL;
}

static int osquery_claims(const sw_jv *rec)
{
    if (!rec || rec->type != SW_J_OBJECT || !sw_jget(rec, "hostIdentifier"))
        return 0;
    int many;
    const sw_jv *rows = osq_rows(rec, &many);
    if (!rows)
        return 0;
    const char *name = sw_jget_str(rec, "name");
    if (name && strstr(name, "unified_log"))
        return 1;
    return osq_row(many ? sw_jindex(rows, 0) : rows);
}

static int osquery_one(sw_logctx *c, const sw_jv *rec, const sw_jv *r, uint64_t line)
{
    sw_arena *a = c->row_arena;
    if (!osq_row(r)) {
        c->skipped++; /* a row of another table under the same query name */
        return 0;
    }
    event e = {0};
    int64_t t;
    /* osquery sends every column as a string; timestamp is Unix seconds */
    if (sw_jint(sw_jget(r, "timestamp"), &t) == 0)
        e.time = utc_text(a, t);
    else if (sw_jint(sw_jget(rec, "unixTime"), &t) == 0)
        e.time = utc_text(a, t); /* when the query ran */
    if (bad_time(c, &e, line))
        return SW_EFORMAT;
    e.process = sw_jget_str(r, "process");
    e.sender = sw_jget_str(r, "sender"); /* the library, by name (e.g. MailCore) */
    e.subsystem = sw_jget_str(r, "subsystem");
    e.category = sw_jget_str(r, "category");
    e.message = sw_jget_str(r, "message");
    e.level = sw_jget_str(r, "level");
    e.pid = sw_log_jget_text(a, r, "pid");
    e.host = sw_jget_str(rec, "hostIdentifier");
    const sw_jv *dec = sw_jget(rec, "decorations");
    e.user = sw_jget_str(dec, "username");
    if (!e.user)
        e.user = sw_jget_str(dec, "user");
    e.host_uuid = sw_jget_str(dec, "host_uuid");
    e.query = sw_jget_str(rec, "name");
    static const char *const extra[] = {"storage", "activity", "tid", NULL};
    return emit_event(c, SRC_OSQUERY, &e, line, r, extra);
}

static int osquery_read(sw_logctx *c, const sw_jv *rec, uint64_t line)
{
    int many;
    const sw_jv *rows = osq_rows(rec, &many);
    if (!many)
        return osquery_one(c, rec, rows, line);
    int rc = 0;
    for (uint32_t i = 0; i < rows->len && !c->stop; i++)
        if (osquery_one(c, rec, &rows->u.items[i], line))
            rc = SW_EFORMAT;
    return rc;
}

const sw_json_source sw_src_macos_unified_log = {SRC_NDJSON, ndjson_claims, ndjson_read};
const sw_json_source sw_src_jamf_unified_log = {SRC_JAMF, jamf_claims, jamf_read};
const sw_json_source sw_src_osquery_unified_log = {SRC_OSQUERY, osquery_claims, osquery_read};
