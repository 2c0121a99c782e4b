/* Microsoft Defender XDR EmailEvents (formats.md §4.1): Advanced Hunting rows, Streaming
 * API records ({"category":"AdvancedHunting-EmailEvents","properties":{row}}), storage
 * JSON Lines and Sentinel exports (flat rows with Type "EmailEvents").
 *
 * A row is one recipient of one message; rows merge on NetworkMessageId. EmailPostDeliveryEvents
 * rows on the same stream (ZAP, admin or user remediation after delivery) merge into the same
 * message and update that recipient's latest location. Other sibling tables
 * (EmailAttachmentInfo, EmailUrlInfo, UrlClickEvents) are recognised and skipped: they carry no
 * sender identity, verdict or delivery of their own. */
#include "spoofwatch/csv.h"
#include "spoofwatch/logsource.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SOURCE "defender-emailevents"

static const sw_jv *row_of(const sw_jv *rec, const char **category)
{
    *category = sw_jget_str(rec, "category");
    const sw_jv *props = sw_jget(rec, "properties");
    if (*category && props && props->type == SW_J_OBJECT)
        return props;
    return rec;
}

static int claims(const sw_jv *rec)
{
    if (!rec || rec->type != SW_J_OBJECT)
        return 0;
    const char *cat = sw_jget_str(rec, "category");
    if (cat)
        return !strncasecmp(cat, "AdvancedHunting-Email", 21) ||
               !strncasecmp(cat, "AdvancedHunting-UrlClickEvents", 30);
    const char *type = sw_jget_str(rec, "Type");
    if (type && !strcmp(type, "EmailEvents"))
        return 1;
    /* an Advanced Hunting row: NetworkMessageId with EmailEvents' sender columns (TIMailData
     * has NetworkMessageId too, but P1Sender/P2Sender and a RecordType) */
    return sw_jget(rec, "NetworkMessageId") && !sw_jget(rec, "RecordType") &&
           (sw_jget(rec, "SenderFromAddress") || sw_jget(rec, "SenderMailFromAddress")) &&
           (sw_jget(rec, "RecipientEmailAddress") || sw_jget(rec, "DeliveryAction") ||
            sw_jget(rec, "AuthenticationDetails"));
}

static const char *const auth_keys[][2] = {
    {"SPF", "spf"}, {"DKIM", "dkim"}, {"DMARC", "dmarc"}, {"CompAuth", "compauth"}};

/* AuthenticationDetails texts repeat from row to row (a stream carries a handful of verdict
 * combinations), and parsing each row's copy was a simdjson document of its own, ~1.4 k Ir
 * a row. What is read from a text depends on its bytes alone, so the values of the last
 * few texts are kept for the file, keyed by the whole text. */
#define AUTH_MEMO 4
#define AUTH_MEMO_TEXT 256
#define NAUTH_KEYS (sizeof auth_keys / sizeof auth_keys[0])

typedef struct sw_log_authmemo {
    struct {
        size_t len; /* of text; 0: unused */
        int object; /* the text was a JSON object (else: no auth) */
        const char *val[NAUTH_KEYS]; /* per auth_keys[], as sw_log_jtext gave it; in store */
        char text[AUTH_MEMO_TEXT];
        char store[2 * AUTH_MEMO_TEXT];
    } e[AUTH_MEMO];
    unsigned next; /* the entry replaced next */
} sw_log_authmemo;

static void memo_keep(sw_logctx *c, const char *text, size_t n, int object, const char **val)
{
    if (n >= AUTH_MEMO_TEXT)
        return;
    if (!c->auth_memo && !(c->auth_memo = calloc(1, sizeof *c->auth_memo)))
        return;
    sw_log_authmemo *m = c->auth_memo;
    unsigned i = m->next;
    m->e[i].len = 0; /* until filled */
    size_t used = 0;
    for (size_t k = 0; k < NAUTH_KEYS; k++) {
        m->e[i].val[k] = NULL;
        if (!val[k])
            continue;
        size_t vn = strlen(val[k]) + 1;
        if (vn > sizeof m->e[i].store - used)
            return;
        m->e[i].val[k] = memcpy(m->e[i].store + used, val[k], vn);
        used += vn;
    }
    memcpy(m->e[i].text, text, n);
    m->e[i].len = n;
    m->e[i].object = object;
    m->next = (i + 1) % AUTH_MEMO;
}

/* The values of auth_keys[] in the JSON text[0..n) (NULL: absent), and whether it is an
 * object. -1 when it is not JSON. */
static int auth_values(sw_logctx *c, const char *text, size_t n, int *object, const char **val)
{
    const sw_log_authmemo *m = c->auth_memo;
    for (unsigned i = 0; m && i < AUTH_MEMO; i++) {
        if (m->e[i].len == n && !memcmp(m->e[i].text, text, n)) {
            *object = m->e[i].object;
            memcpy(val, m->e[i].val, sizeof m->e[i].val);
            return 0;
        }
    }
    const sw_jv *obj;
    sw_error err;
    if (sw_jparse(c->json_inner, c->row_arena, text, n, &obj, &err))
        return -1;
    *object = obj->type == SW_J_OBJECT;
    for (size_t k = 0; k < NAUTH_KEYS; k++)
        val[k] = *object ? sw_log_jtext(c->row_arena, sw_jget_ci(obj, auth_keys[k][0])) : NULL;
    memo_keep(c, text, n, *object, val);
    return 0;
}

/* AuthenticationDetails: JSON text inside the string (or, in some exports, an object). */
static void read_auth(sw_logctx *c, sw_log_row *row, const sw_jv *v, uint64_t line)
{
    const char *val[NAUTH_KEYS];
    int object = v && v->type == SW_J_OBJECT;
    const char *text = sw_jstr(v);
    if (text && *text) {
        if (auth_values(c, text, strlen(text), &object, val)) {
            sw_log_row_field(row, "AuthenticationDetails", text);
            object = 0;
        }
    } else if (object) {
        for (size_t k = 0; k < NAUTH_KEYS; k++)
            val[k] = sw_log_jtext(c->row_arena, sw_jget_ci(v, auth_keys[k][0]));
    }
    if (!object) {
        row->facts.absent |= SW_LOG_NO_AUTH;
        return;
    }
    row->auth_field = "EmailEvents.AuthenticationDetails";
    for (size_t k = 0; k < NAUTH_KEYS; k++)
        sw_log_row_auth(row, auth_keys[k][1], val[k], NULL);
    if (!row->nauth)
        row->facts.absent |= SW_LOG_NO_AUTH;
    row->facts.absent |= SW_LOG_NO_DKIM_DOMAIN;
    (void)line;
}

static int contains(const char *s, const char *w)
{
    return s && strcasestr(s, w);
}

/* The columns read, in one pass over each row (sw_jfields). The K_ names index cols[]. */
enum {
    K_NMID, K_FROM, K_DISPLAY, K_MAILFROM, K_MSGID, K_SUBJECT, K_RCPT, K_ACTION, K_LOCATION,
    K_LATEST_LOCATION, K_LATEST_ACTION, K_AUTH, K_TIMESTAMP, K_TIMEGENERATED, K_DIRECTION,
    K_IPV4, K_IPV6, K_THREATS, K_DETECTION, K_ORG_ACTION, K_ORG_POLICY, K_USER_ACTION,
    K_USER_POLICY,
    K_KEPT /* from here on: kept as evidence in log.fields, by their column name */
};
static const char *const columns[] = {
    "NetworkMessageId", "SenderFromAddress", "SenderDisplayName", "SenderMailFromAddress",
    "InternetMessageId", "Subject", "RecipientEmailAddress", "DeliveryAction", "DeliveryLocation",
    "LatestDeliveryLocation", "LatestDeliveryAction", "AuthenticationDetails", "Timestamp",
    "TimeGenerated", "EmailDirection", "SenderIPv4", "SenderIPv6", "ThreatTypes",
    "DetectionMethods", "OrgLevelAction", "OrgLevelPolicy", "UserLevelAction", "UserLevelPolicy",
    /* K_KEPT */
    "SenderFromDomain", "SenderMailFromDomain", "EmailClusterId", "ConfidenceLevel",
    "BulkComplaintLevel", "EmailAction", "EmailActionPolicy", "ThreatNames", "Connectors",
    "AttachmentCount", "UrlCount", "EmailLanguage", "ReportId", "SenderObjectId", "IsFirstContact",
    "ExchangeTransportRule", "ForwardingInformation", "TenantId"};
#define NCOLUMNS (sizeof columns / sizeof columns[0])
static sw_jkeyset column_set = SW_JKEYSET(columns);

/* EmailPostDeliveryEvents: what happened to one recipient's copy after delivery. The row
 * names no sender, so it only adds to the message's record (or stands alone, saying so). */
static int read_post_delivery(sw_logctx *c, const sw_jv *r, uint64_t line)
{
    sw_log_row *row = c->row;
    sw_log_row_init(row, SOURCE, line);
    row->merge_key = sw_jget_str(r, "NetworkMessageId");
    row->message_id = sw_jget_str(r, "InternetMessageId");
    row->facts.absent = SW_LOG_NO_AUTH | SW_LOG_NO_HEADER_FROM | SW_LOG_NO_ENVELOPE_FROM;
    row->facts.network_message_id = row->merge_key;
    sw_recipient *rc = sw_log_row_recipient(row, sw_jget_str(r, "RecipientEmailAddress"),
                                            "RecipientEmailAddress");
    const char *action = sw_jget_str(r, "Action"), *type = sw_jget_str(r, "ActionType");
    const char *result = sw_jget_str(r, "ActionResult");
    if (rc) {
        rc->latest_location = sw_jget_str(r, "DeliveryLocation");
        rc->status = sw_arena_printf(c->row_arena, "%s (%s%s%s)", action ? action : "post-delivery",
                                     type ? type : "?", result ? ", " : "", result ? result : "");
        /* only a remediation that succeeded moved the copy */
        if (result && strcasecmp(result, "Success"))
            rc->latest_location = NULL;
    }
    sw_log_row_field(row, "PostDeliveryAction", action);
    sw_log_row_field(row, "PostDeliveryActionType", type);
    sw_log_row_field(row, "PostDeliveryActionTrigger", sw_jget_str(r, "ActionTrigger"));
    sw_log_row_field(row, "PostDeliveryActionResult", result);
    return sw_log_emit(c, row);
}

static int read_row(sw_logctx *c, const sw_jv *rec, uint64_t line)
{
    sw_arena *a = c->row_arena;
    const char *category;
    const sw_jv *r = row_of(rec, &category);
    if (category && !strcasecmp(category, "AdvancedHunting-EmailPostDeliveryEvents"))
        return read_post_delivery(c, r, line);
    if (category && strcasecmp(category, "AdvancedHunting-EmailEvents")) {
        c->skipped++;
        return 0;
    }
    const sw_jv *col[NCOLUMNS];
    sw_jfields(r, &column_set, col);
    sw_log_row *row = c->row;
    sw_log_row_init(row, SOURCE, line);
    row->merge_key = sw_jstr(col[K_NMID]);
    row->from_address = sw_jstr(col[K_FROM]);
    row->from_display = sw_jstr(col[K_DISPLAY]);
    row->envelope_from = sw_jstr(col[K_MAILFROM]);
    row->message_id = sw_jstr(col[K_MSGID]);
    row->subject = sw_jstr(col[K_SUBJECT]);
    if (!row->from_address)
        row->facts.absent |= SW_LOG_NO_HEADER_FROM;
    if (!row->envelope_from)
        row->facts.absent |= SW_LOG_NO_ENVELOPE_FROM;

    sw_recipient *rc = sw_log_row_recipient(row, sw_jstr(col[K_RCPT]), "RecipientEmailAddress");
    if (rc) {
        rc->delivery_action = sw_jstr(col[K_ACTION]);
        rc->delivery_location = sw_jstr(col[K_LOCATION]);
        rc->latest_location = sw_jstr(col[K_LATEST_LOCATION]);
        rc->status = sw_jstr(col[K_LATEST_ACTION]);
    }
    if (!rc || (!rc->delivery_action && !rc->delivery_location))
        row->facts.absent |= SW_LOG_NO_DELIVERY;

    read_auth(c, row, col[K_AUTH], line);

    sw_log_facts *f = &row->facts;
    f->time = sw_jstr(col[K_TIMESTAMP]);
    if (!f->time)
        f->time = sw_jstr(col[K_TIMEGENERATED]);
    f->network_message_id = row->merge_key;
    f->direction = sw_jstr(col[K_DIRECTION]);
    f->sender_ip = sw_jstr(col[K_IPV4]);
    if (!f->sender_ip)
        f->sender_ip = sw_jstr(col[K_IPV6]);
    f->provider_verdict = sw_jstr(col[K_THREATS]);
    f->detection = sw_log_jtext(a, col[K_DETECTION]);
    if (contains(f->detection, "spoof"))
        f->flags |= SW_LOGF_PROVIDER_SPOOF;
    if (contains(f->provider_verdict, "phish"))
        f->flags |= SW_LOGF_PROVIDER_PHISH;
    if (contains(f->provider_verdict, "spam"))
        f->flags |= SW_LOGF_PROVIDER_SPAM;
    if (contains(f->provider_verdict, "malware"))
        f->flags |= SW_LOGF_PROVIDER_MALWARE;

    const char *org_action = sw_jstr(col[K_ORG_ACTION]);
    const char *org_policy = sw_jstr(col[K_ORG_POLICY]);
    const char *user_action = sw_jstr(col[K_USER_ACTION]);
    const char *user_policy = sw_jstr(col[K_USER_POLICY]);
    if (contains(org_policy, "phishing simulation") || contains(org_policy, "secops"))
        f->flags |= SW_LOGF_POLICY_EXEMPT;
    if (contains(org_action, "allow") || contains(user_action, "allow"))
        f->flags |= SW_LOGF_OVERRIDE_ALLOW;
    if (org_action || user_action)
        f->overrides = sw_arena_printf(a, "OrgLevelAction=%s OrgLevelPolicy=%s "
                                          "UserLevelAction=%s UserLevelPolicy=%s",
                                       org_action ? org_action : "-",
                                       org_policy ? org_policy : "-",
                                       user_action ? user_action : "-",
                                       user_policy ? user_policy : "-");
    for (size_t k = K_KEPT; k < NCOLUMNS; k++)
        sw_log_row_field(row, columns[k], sw_log_jtext(a, col[k]));
    sw_log_row_field(row, "tenantId", sw_jget_str(rec, "tenantId"));
    return sw_log_emit(c, row);
}

const sw_json_source sw_src_emailevents = {SOURCE, claims, read_row};

/* The same table exported as CSV (the Defender portal's hunting export, Sentinel / Log
 * Analytics exports): each record read as the JSON row it was. */
static int read_csv(sw_logctx *c, const sw_csv_header *h, const sw_csv_record *rec)
{
    const sw_jv *row = sw_log_csv_as_json(c->row_arena, h, rec);
    if (!row) {
        sw_log_bad(c, rec->line, "EmailEvents row larger than the arena cap; skipped");
        return SW_EFORMAT;
    }
    return read_row(c, row, rec->line);
}

static const char *const csv_columns[] = {"NetworkMessageId", "SenderFromAddress",
                                          "RecipientEmailAddress", NULL};
const sw_csv_source sw_csv_emailevents = {SOURCE, csv_columns, read_csv};
