/* The JSON log family: JSON Lines or one JSON document, records routed to the sources of
 * sw_json_sources[] (json_sources.c).
 *
 * A file is JSON Lines when its first line is a whole JSON value and more follows;
 * otherwise it is one document (an array, a wrapper object such as {"records":[...]} or
 * {"Schema":...,"Results":[...]}, or a single pretty-printed record). A record nobody
 * claims is unwrapped once more when it is itself a wrapper, or when it carries the
 * original event as JSON text (Elastic's event.original); what is still unclaimed is
 * counted, and a file with no record of a known source is reported. */
#include "spoofwatch/logsource.h"
#include "spoofwatch/utf8.h"
#include "spoofwatch/limits.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arrays that hold the records in the shapes the sources are delivered in. */
static const char *const wrappers[] = {"records", "Results", "results", "value", "events",
                                       "items",   "rows",    "data",    NULL};

const char *sw_log_jtext_scalar(sw_arena *a, const sw_jv *v)
{
    switch (v->type) {
    case SW_J_STRING:
        return v->u.s;
    case SW_J_INT: { /* counts and ids on every row: cheaper than printf */
        /* most counts are one digit (EmailEvents' AttachmentCount, UrlCount,
         * BulkComplaintLevel): the text is a constant, nothing to copy */
        static const char digit[10][2] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
        if (v->u.i >= 0 && v->u.i < 10)
            return digit[v->u.i];
        char buf[24], *p = buf + sizeof buf;
        uint64_t u = v->u.i < 0 ? 0 - (uint64_t)v->u.i : (uint64_t)v->u.i;
        *--p = '\0';
        do
            *--p = (char)('0' + u % 10);
        while (u /= 10);
        if (v->u.i < 0)
            *--p = '-';
        size_t n = (size_t)(buf + sizeof buf - p); /* with the NUL */
        char *out = sw_arena_alloc(a, n);
        return out ? memcpy(out, p, n) : NULL;
    }
    case SW_J_DOUBLE:
        return sw_arena_printf(a, "%.17g", v->u.d);
    case SW_J_BOOL:
        return v->u.b ? "true" : "false";
    default:
        return NULL;
    }
}

const char *sw_log_jget_text(sw_arena *a, const sw_jv *obj, const char *key)
{
    return sw_log_jtext(a, sw_jget(obj, key));
}

typedef struct jrun {
    sw_logctx *c;
    uint64_t claimed, unclaimed;
    uint64_t base_line; /* JSON Lines: the line; one document: 0 (records are numbered) */
    /* one document: the wrapper its records came from, and BigQuery's "schema" beside
     * "rows" (copied into each record's arena by sw_jeach) */
    const char *wrapper;
    const sw_jv *schema;
} jrun;

static const sw_jv *with_schema(sw_arena *a, const sw_jv *row, const sw_jv *schema, sw_jv *out);

/* unwrapped: rec lives in json_unwrap's tree, which must not be parsed over while in use */
static int route(jrun *j, const sw_jv *rec, uint64_t line, int depth, int unwrapped)
{
    sw_logctx *c = j->c;
    for (const sw_json_source *const *s = sw_json_sources; *s; s++) {
        if ((*s)->claims(rec)) {
            j->claimed++;
            (*s)->read(c, rec, line);
            return c->stop;
        }
    }
    if (depth < 2 && rec->type == SW_J_OBJECT) {
        for (const char *const *w = wrappers; *w; w++) {
            const sw_jv *arr = sw_jget(rec, *w);
            if (arr && arr->type == SW_J_ARRAY) {
                int numbered = depth == 0 && c->unit && !strcmp(c->unit, "record");
                const sw_jv *schema = !strcmp(*w, "rows") ? sw_jget(rec, "schema") : NULL;
                for (uint32_t i = 0; i < arr->len && !c->stop; i++) {
                    sw_jv wrapped;
                    const sw_jv *item = &arr->u.items[i];
                    if (schema)
                        item = with_schema(c->row_arena, item, schema, &wrapped);
                    route(j, item, numbered ? (uint64_t)i + 1 : line, depth + 1, unwrapped);
                }
                return c->stop;
            }
        }
        /* OData verbose JSON: {"d":{"results":[...]}} (v2) or {"d":[...]} (v1). Rows of a
         * whole document are numbered like the rows of a top-level array. */
        const sw_jv *d = sw_jget(rec, "d");
        if (d && d->type == SW_J_OBJECT)
            d = sw_jget(d, "results");
        if (d && d->type == SW_J_ARRAY) {
            int numbered = depth == 0 && c->unit && !strcmp(c->unit, "record");
            for (uint32_t i = 0; i < d->len && !c->stop; i++)
                route(j, &d->u.items[i], numbered ? (uint64_t)i + 1 : line, depth + 1, unwrapped);
            return c->stop;
        }
        const char *orig = sw_jstr(sw_jpath(rec, "event.original"));
        if (orig) {
            const sw_jv *inner;
            sw_error err;
            if (!unwrapped &&
                sw_jparse(c->json_unwrap, c->row_arena, orig, strlen(orig), &inner, &err) == 0)
                return route(j, inner, line, depth + 1, 1);
        }
    }
    j->unclaimed++;
    return 0;
}

/* Each row of {"schema":…,"rows":[…]} goes on as {"row":…,"schema":…}, the shape BigQuery's
 * JSON Lines exports use, so the row can be named by its columns. */
static const sw_jv *with_schema(sw_arena *a, const sw_jv *row, const sw_jv *schema, sw_jv *out)
{
    sw_jmember *pair = sw_arena_alloc(a, 2 * sizeof *pair);
    if (!pair)
        return row;
    pair[0] = (sw_jmember){"row", 3, *row};
    pair[1] = (sw_jmember){"schema", 6, *schema};
    *out = (sw_jv){.type = SW_J_OBJECT, .len = 2, .u.members = pair};
    return out;
}

static int on_doc_record(const sw_jv *rec, size_t index, void *ctx)
{
    jrun *j = ctx;
    sw_jv wrapped;
    if (j->schema && j->wrapper && !strcmp(j->wrapper, "rows"))
        rec = with_schema(j->c->row_arena, rec, j->schema, &wrapped);
    return route(j, rec, index + 1, 0, 0);
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static void read_lines(jrun *j)
{
    sw_logctx *c = j->c;
    const char *p = c->data, *end = c->data + c->len;
    uint64_t line = 0;
    while (p < end && !c->stop) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        line++;
        const char *s = p;
        p = nl ? nl + 1 : end;
        if (line == 1 && e - s >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
            s += 3;
        while (s < e && is_space(*s))
            s++;
        const char *t = e;
        while (t > s && is_space(t[-1]))
            t--;
        if (s == t)
            continue;
        if ((size_t)(t - s) > SW_MAX_LOG_LINE) {
            sw_log_bad(c, line, "line of %zu bytes is over the %u MiB cap; skipped",
                       (size_t)(t - s), SW_MAX_LOG_LINE >> 20);
            continue;
        }
        sw_arena_reset(c->row_arena);
        c->row_offset = c->offsets_unknown ? 0 : (uint64_t)(s - c->data);
        if ((line & 1023) == 0)
            sw_log_advance(c, (size_t)(s - c->data));
        const sw_jv *rec;
        sw_error err;
        /* the line is parsed in the file's buffer when the padding simdjson reads past
         * its end is there (all lines but the last few): copying it first cost a pass */
        int rc = (size_t)(end - t) >= SW_JSON_PADDING
                     ? sw_jparse_padded(c->json, c->row_arena, s, (size_t)(t - s), &rec, &err)
                     : sw_jparse(c->json, c->row_arena, s, (size_t)(t - s), &rec, &err);
        if (rc) {
            sw_log_bad(c, line, "%s; line skipped", err.message);
            continue;
        }
        route(j, rec, line, 0, 0);
    }
}

/* JSON Lines when the first non-blank line is a complete value and something follows. */
static int looks_like_lines(sw_logctx *c)
{
    const char *p = c->data, *end = c->data + c->len;
    if (end - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    while (p < end && is_space(*p))
        p++;
    if (p == end || *p != '{')
        return 0;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        return 0;
    const char *rest = nl + 1;
    while (rest < end && is_space(*rest))
        rest++;
    if (rest == end)
        return 0;
    const sw_jv *v;
    sw_error err;
    sw_arena_reset(c->row_arena);
    return sw_jparse(c->json, c->row_arena, p, (size_t)(nl - p), &v, &err) == 0;
}

static int read_utf8(sw_logctx *c);

/* UTF-16 (Windows PowerShell 5.1 writes `ConvertTo-Json > file` so) is read from its UTF-8
 * conversion; offsets then count in the converted text, so rows report lines only. */
int sw_logjson_read(sw_logctx *c)
{
    int bom = sw_utf16_bom(c->data, c->len);
    if (!bom)
        return read_utf8(c);
    char *text;
    size_t n;
    sw_error err;
    if (sw_utf16_to_utf8(c->data + 2, c->len - 2, bom == 2, "UTF-16 JSON", &text, &n, &err)) {
        sw_log_bad(c, 0, "%s", err.message);
        return 0;
    }
    const char *data = c->data;
    size_t len = c->len;
    c->data = text;
    c->len = n;
    c->offsets_unknown = 1;
    int rc = read_utf8(c);
    c->data = data;
    c->len = len;
    c->offsets_unknown = 0;
    free(text);
    return rc;
}

static int read_utf8(sw_logctx *c)
{
    jrun j = {.c = c};
    if (looks_like_lines(c)) {
        read_lines(&j);
    } else {
        c->unit = "record";
        sw_error err;
        sw_error_clear(&err);
        /* a UTF-8 BOM, as Windows PowerShell 5.1 writes with -Encoding UTF8 */
        size_t bom = c->len >= 3 && !memcmp(c->data, "\xEF\xBB\xBF", 3) ? 3 : 0;
        int rc = sw_jeach(c->json, c->row_arena, c->data + bom, c->len - bom, wrappers,
                          &j.wrapper, "schema", &j.schema, on_doc_record, &j, &err);
        if (rc < 0)
            sw_log_bad(c, 0, "%s", err.message);
        c->unit = "line";
    }
    if (!j.claimed && !c->bad)
        sw_log_bad(c, 0, "JSON with no record of a log source spoofwatch reads (%" PRIu64
                         " records; see docs/sources.md)",
                   j.unclaimed);
    c->skipped += j.unclaimed;
    return 0;
}
