/* Office 365 Management Activity API audit records (formats.md §4.2): RecordType 28
 * ThreatIntelligence, Operation TIMailData, the EOP / Defender for Office 365 verdict on one
 * message. Content blobs are JSON arrays; JSON Lines, a single record, Elastic's
 * event.original wrapper (unwrapped by logjson.c) and Search-UnifiedAuditLog objects whose
 * AuditData holds the record as JSON text are read too.
 *
 * One record is one message with all its recipients (Recipients[]); records of one message
 * (a later ZAP or delayed detection, or the API delivering a record twice) merge on
 * NetworkMessageId. Every other RecordType on the same feed (2/3/50 mailbox audit, 41 Safe
 * Links, 47, 64, 65, ...) is recognised by the common schema and counted as skipped: those
 * records describe mailbox access or investigations, not the delivery of one message.
 *
 * Memory: every string of the row points into the record tree or into c->row_arena (joined
 * texts); sw_log_emit() copies what it keeps. The scratch sw_buf of join() is freed before
 * it returns. */
#include "spoofwatch/buf.h"
#include "spoofwatch/logsource.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define SOURCE "o365-timaildata"

/* Joined evidence texts (detections, overrides, attachments) are for a reader, not for
 * data: past this many bytes a list is cut and says so. */
#define JOIN_CAP (16u << 10)

static int is_audit_record(const sw_jv *rec)
{
    const sw_jv *rt = sw_jget(rec, "RecordType");
    if (!rt || (rt->type != SW_J_INT && rt->type != SW_J_STRING))
        return 0;
    /* the common schema of every audit record: CreationTime with Operation or Workload */
    return sw_jget(rec, "CreationTime") && (sw_jget(rec, "Operation") || sw_jget(rec, "Workload"));
}

/* Search-UnifiedAuditLog output (ConvertTo-Json): CreationDate, Operations, RecordType and
 * the audit record itself as JSON text in AuditData. */
static int is_unified_search_row(const sw_jv *rec)
{
    return sw_jget_str(rec, "AuditData") && sw_jget(rec, "RecordType") &&
           (sw_jget(rec, "Operations") || sw_jget(rec, "CreationDate"));
}

static int claims(const sw_jv *rec)
{
    if (!rec || rec->type != SW_J_OBJECT)
        return 0;
    return is_audit_record(rec) || is_unified_search_row(rec);
}

static int is_type_28(const sw_jv *rt)
{
    int64_t n;
    if (sw_jint(rt, &n) == 0)
        return n == 28;
    /* PowerShell writes the enum's name */
    const char *s = sw_jstr(rt);
    return s && !strcasecmp(s, "ThreatIntelligence");
}

static int is_timaildata(const sw_jv *r)
{
    const char *op = sw_jget_str(r, "Operation");
    if (!is_type_28(sw_jget(r, "RecordType")) && !(op && !strncasecmp(op, "TIMailData", 10)))
        return 0;
    /* RecordType 28 without any mail field describes no message */
    return sw_jget(r, "NetworkMessageId") || sw_jget(r, "P1Sender") || sw_jget(r, "P2Sender") ||
           sw_jget(r, "Recipients");
}

/* ---- evidence text ---- */

typedef struct joiner {
    sw_buf b;
    int cut;
} joiner;

static void put(joiner *j, const char *sep, const char *s)
{
    if (j->cut || !s || !*s)
        return;
    size_t before = j->b.len;
    if ((before && sw_buf_puts(&j->b, sep)) || sw_buf_puts(&j->b, s)) {
        j->b.len = before;
        if (j->b.data)
            j->b.data[before] = '\0';
        j->cut = 1;
    }
}

/* "Key=value, Key=value" for the scalar members of an object, in logged order. */
static const char *object_text(sw_arena *a, const sw_jv *obj)
{
    joiner j = {.cut = 0};
    sw_buf_init(&j.b, JOIN_CAP);
    for (uint32_t i = 0; i < obj->len; i++) {
        const sw_jmember *m = &obj->u.members[i];
        const char *v = sw_log_jtext(a, &m->value);
        if (v && *v)
            put(&j, ", ", sw_arena_printf(a, "%s=%s", m->key, v));
    }
    const char *out = j.b.len ? sw_arena_strndup(a, j.b.data, j.b.len) : NULL;
    sw_buf_free(&j.b);
    return out;
}

static const char *item_text(sw_arena *a, const sw_jv *v)
{
    if (v && v->type == SW_J_OBJECT)
        return object_text(a, v);
    return sw_log_jtext(a, v);
}

/* Appends the text of v (a scalar, an object, or an array of either) to j. */
static void put_value(joiner *j, sw_arena *a, const char *sep, const sw_jv *v)
{
    if (v && v->type == SW_J_ARRAY) {
        for (uint32_t i = 0; i < v->len; i++)
            put(j, sep, item_text(a, &v->u.items[i]));
    } else {
        put(j, sep, item_text(a, v));
    }
}

static const char *finish(joiner *j, sw_arena *a)
{
    if (j->cut)
        sw_buf_puts(&j->b, " [cut]"); /* may fail at the cap: the text is cut either way */
    const char *out = j->b.len ? sw_arena_strndup(a, j->b.data, j->b.len) : NULL;
    sw_buf_free(&j->b);
    return out;
}

static const char *join(sw_arena *a, const sw_jv *v, const char *sep)
{
    if (!v)
        return NULL;
    joiner j = {.cut = 0};
    sw_buf_init(&j.b, JOIN_CAP);
    put_value(&j, a, sep, v);
    return finish(&j, a);
}

static int contains(const char *s, const char *w)
{
    return s && strcasestr(s, w);
}

/* ---- authentication ---- */

/* AuthDetails name to method: "SPF", "DKIM", "DMARC", "Comp Auth" (with a space) and, in
 * case the space goes, "CompAuth". Spaces are ignored in the comparison. */
static const char *auth_method(const char *name)
{
    char n[16];
    size_t o = 0;
    for (const char *p = name; *p && o < sizeof n - 1; p++)
        if (*p != ' ' && *p != '_' && *p != '-')
            n[o++] = (char)tolower((unsigned char)*p);
    n[o] = '\0';
    static const char *const known[] = {"spf", "dkim", "dmarc", "compauth", "arc"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(n, known[i]))
            return known[i];
    return NULL;
}

static void read_auth(sw_logctx *c, sw_log_row *row, const sw_jv *v)
{
    if (!v || v->type != SW_J_ARRAY) {
        /* absent, null, or a shape nobody documented: keep the text, trust none of it */
        sw_log_row_field(row, "AuthDetails", join(c->row_arena, v, "; "));
        row->facts.absent |= SW_LOG_NO_AUTH;
        return;
    }
    row->auth_field = "TIMailData.AuthDetails";
    int dkim = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        const sw_jv *e = &v->u.items[i];
        const char *name = sw_jget_str(e, "Name");
        const char *value = sw_log_jtext(c->row_arena, sw_jget(e, "Value"));
        if (!name || !value)
            continue;
        const char *method = auth_method(name);
        if (!method) {
            /* a check Microsoft adds later: evidence, not a result spoofwatch knows */
            sw_log_row_field(row, sw_arena_printf(c->row_arena, "AuthDetails.%s", name), value);
            continue;
        }
        size_t before = row->nauth;
        sw_log_row_auth(row, method, value, NULL);
        if (row->nauth > before && !strcmp(method, "dkim"))
            dkim = 1;
    }
    if (!row->nauth)
        row->facts.absent |= SW_LOG_NO_AUTH;
    if (dkim)
        row->facts.absent |= SW_LOG_NO_DKIM_DOMAIN;
}

/* ---- overrides ---- */

static int is_yes(const char *s)
{
    return s && (!strcasecmp(s, "yes") || !strcasecmp(s, "true"));
}

/* SystemOverrides: [{"Details","FinalOverride","Result","Source"}]. The entry that decided
 * (FinalOverride Yes) allowed delivery when its Result says allow, or, with no Result, when
 * the message was delivered anyway. */
static void read_overrides(sw_arena *a, sw_log_row *row, const sw_jv *v, const char *action)
{
    if (!v)
        return;
    row->facts.overrides = join(a, v, "; ");
    if (v->type != SW_J_ARRAY)
        return;
    for (uint32_t i = 0; i < v->len; i++) {
        const sw_jv *e = &v->u.items[i];
        if (!is_yes(sw_log_jtext(a, sw_jget(e, "FinalOverride"))))
            continue;
        const char *result = sw_log_jtext(a, sw_jget(e, "Result"));
        if (result ? contains(result, "allow")
                   : contains(action, "deliver") && !contains(action, "spam"))
            row->facts.flags |= SW_LOGF_OVERRIDE_ALLOW;
    }
}

/* ---- the row ---- */

static int read_mail(sw_logctx *c, const sw_jv *r, uint64_t line)
{
    sw_arena *a = c->row_arena;
    sw_log_row *row = c->row;
    sw_log_row_init(row, SOURCE, line);
    row->merge_key = sw_jget_str(r, "NetworkMessageId");
    row->envelope_from = sw_jget_str(r, "P1Sender");
    row->from_address = sw_jget_str(r, "P2Sender");
    row->message_id = sw_jget_str(r, "InternetMessageId");
    row->subject = sw_jget_str(r, "Subject");
    if (!row->from_address)
        row->facts.absent |= SW_LOG_NO_HEADER_FROM;
    if (!row->envelope_from)
        row->facts.absent |= SW_LOG_NO_ENVELOPE_FROM;

    const char *action = sw_jget_str(r, "DeliveryAction");
    const char *original = sw_jget_str(r, "OriginalDeliveryLocation");
    const char *latest = sw_jget_str(r, "LatestDeliveryLocation");
    const sw_jv *rcpts = sw_jget(r, "Recipients");
    size_t n = rcpts && rcpts->type == SW_J_ARRAY ? rcpts->len : 1;
    for (size_t i = 0; i < n; i++) {
        /* an array of addresses; a lone string in hand-made exports */
        const char *addr = sw_jstr(rcpts && rcpts->type == SW_J_ARRAY ? &rcpts->u.items[i] : rcpts);
        sw_recipient *rc = sw_log_row_recipient(row, addr, "Recipients");
        if (!rc)
            continue;
        rc->delivery_action = action;
        rc->delivery_location = original;
        rc->latest_location = latest;
    }
    /* the logged count when not every entry became a recipient (cap, duplicates, non-text) */
    if (rcpts && rcpts->type == SW_J_ARRAY && rcpts->len > row->nrecipients)
        sw_log_row_field(row, "RecipientCount", sw_arena_printf(a, "%u", rcpts->len));
    if (!row->nrecipients || (!action && !original && !latest))
        row->facts.absent |= SW_LOG_NO_DELIVERY;

    read_auth(c, row, sw_jget(r, "AuthDetails"));

    sw_log_facts *f = &row->facts;
    f->time = sw_jget_str(r, "MessageTime");
    if (!f->time)
        f->time = sw_jget_str(r, "CreationTime");
    f->network_message_id = row->merge_key;
    f->direction = sw_jget_str(r, "Directionality");
    f->sender_ip = sw_jget_str(r, "SenderIp");
    f->provider_verdict = sw_log_jget_text(a, r, "Verdict");

    /* DetectionMethod (one text) and ThreatsAndDetectionTech (the list Microsoft recommends
     * over it) side by side, as logged */
    joiner j = {.cut = 0};
    sw_buf_init(&j.b, JOIN_CAP);
    put_value(&j, a, "; ", sw_jget(r, "DetectionMethod"));
    put_value(&j, a, "; ", sw_jget(r, "ThreatsAndDetectionTech"));
    f->detection = finish(&j, a);

    const char *policy = sw_log_jget_text(a, r, "Policy");
    /* the anti-spoofing policy acting is the provider's spoof verdict too */
    if (contains(f->detection, "spoof") || (policy && !strcasecmp(policy, "Spoof")))
        f->flags |= SW_LOGF_PROVIDER_SPOOF;
    if (contains(f->provider_verdict, "phish"))
        f->flags |= SW_LOGF_PROVIDER_PHISH;
    if (contains(f->provider_verdict, "spam") || contains(f->provider_verdict, "bulk"))
        f->flags |= SW_LOGF_PROVIDER_SPAM;
    if (contains(f->provider_verdict, "malware"))
        f->flags |= SW_LOGF_PROVIDER_MALWARE;
    read_overrides(a, row, sw_jget(r, "SystemOverrides"), action);

    sw_log_row_field(row, "Policy", policy);
    static const char *const kept[] = {"PolicyAction", "PhishConfidenceLevel", "DetectionType",
                                       "Connector",    "Connectors",           "EventDeepLink",
                                       "Id",           "OrganizationId",       "CreationTime",
                                       NULL};
    for (const char *const *k = kept; *k; k++)
        sw_log_row_field(row, *k, sw_log_jget_text(a, r, *k));
    sw_log_row_field(row, "AttachmentData", join(a, sw_jget(r, "AttachmentData"), "; "));
    sw_log_row_field(row, "AdditionalActionsAndResults",
                     join(a, sw_jget(r, "AdditionalActionsAndResults"), "; "));
    return sw_log_emit(c, row);
}

static int read_record(sw_logctx *c, const sw_jv *rec, uint64_t line)
{
    const sw_jv *r = rec;
    if (!is_audit_record(rec) && is_unified_search_row(rec)) {
        const char *text = sw_jget_str(rec, "AuditData");
        sw_error err;
        if (sw_jparse(c->json_inner, c->row_arena, text, strlen(text), &r, &err) ||
            r->type != SW_J_OBJECT) {
            sw_log_bad(c, line, "AuditData is not a JSON object; record skipped");
            return SW_EFORMAT;
        }
    }
    if (!is_timaildata(r)) {
        c->skipped++;
        return 0;
    }
    return read_mail(c, r, line);
}

const sw_json_source sw_src_timaildata = {SOURCE, claims, read_record};
