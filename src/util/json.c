/* Streaming JSON writer: see include/spoofwatch/json.h. */
#include "spoofwatch/json.h"
#include "spoofwatch/utf8.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void sw_json_init(sw_json *j, sw_buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

static void sw_json_put(sw_json *j, const char *s, size_t n)
{
    if (!j->status)
        j->status = sw_buf_add(j->out, s, n);
}

/* Called before every value or key: writes the comma that separates siblings. */
static void sw_json_sep(sw_json *j)
{
    if (j->depth > 0 && j->depth < SW_JSON_MAX_DEPTH) {
        if (j->need_comma[j->depth])
            sw_json_put(j, ",", 1);
        j->need_comma[j->depth] = 1;
    }
}

static void sw_json_open(sw_json *j, const char *c)
{
    sw_json_sep(j);
    sw_json_put(j, c, 1);
    j->depth++;
    if (j->depth < SW_JSON_MAX_DEPTH)
        j->need_comma[j->depth] = 0;
}

static void sw_json_close(sw_json *j, const char *c)
{
    sw_json_put(j, c, 1);
    if (j->depth > 0)
        j->depth--;
}

void sw_json_object_begin(sw_json *j) { sw_json_open(j, "{"); }
void sw_json_object_end(sw_json *j) { sw_json_close(j, "}"); }
void sw_json_array_begin(sw_json *j) { sw_json_open(j, "["); }
void sw_json_array_end(sw_json *j) { sw_json_close(j, "]"); }

int sw_json_escape(sw_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    int rc = 0;
    while (p < end && !rc) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        if (p > run)
            rc = sw_buf_add(b, run, (size_t)(p - run));
        if (p >= end || rc)
            break;
        unsigned char c = *p;
        if (c >= 0x80) {
            size_t len = sw_utf8_valid_prefix(p, (size_t)(end - p));
            if (len) {
                rc = sw_buf_append(b, p, len);
                p += len;
            } else {
                rc = sw_buf_append(b, "\xEF\xBF\xBD", 3);
                p++;
            }
            continue;
        }
        char esc[7];
        switch (c) {
        case '"': rc = sw_buf_append(b, "\\\"", 2); break;
        case '\\': rc = sw_buf_append(b, "\\\\", 2); break;
        case '\n': rc = sw_buf_append(b, "\\n", 2); break;
        case '\r': rc = sw_buf_append(b, "\\r", 2); break;
        case '\t': rc = sw_buf_append(b, "\\t", 2); break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            rc = sw_buf_append(b, esc, 6);
        }
        p++;
    }
    return rc;
}

void sw_json_key(sw_json *j, const char *key)
{
    sw_json_sep(j);
    sw_json_put(j, "\"", 1);
    if (!j->status)
        j->status = sw_json_escape(j->out, key, strlen(key));
    sw_json_put(j, "\":", 2);
    /* The value that follows must not get a comma of its own. */
    if (j->depth > 0 && j->depth < SW_JSON_MAX_DEPTH)
        j->need_comma[j->depth] = 0;
}

/* After a key, the value resets need_comma to 1 through sw_json_sep. */
void sw_json_string_n(sw_json *j, const char *s, size_t n)
{
    sw_json_sep(j);
    sw_json_put(j, "\"", 1);
    if (!j->status)
        j->status = sw_json_escape(j->out, s, n);
    sw_json_put(j, "\"", 1);
}

void sw_json_string(sw_json *j, const char *s)
{
    if (!s) {
        sw_json_null(j);
        return;
    }
    sw_json_string_n(j, s, strlen(s));
}

void sw_json_int(sw_json *j, int64_t v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    sw_json_sep(j);
    sw_json_put(j, tmp, (size_t)n);
}

void sw_json_uint(sw_json *j, uint64_t v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    sw_json_sep(j);
    sw_json_put(j, tmp, (size_t)n);
}

void sw_json_double(sw_json *j, double v)
{
    char tmp[64];
    int n = isfinite(v) ? snprintf(tmp, sizeof tmp, "%.17g", v) : snprintf(tmp, sizeof tmp, "null");
    sw_json_sep(j);
    sw_json_put(j, tmp, (size_t)n);
}

void sw_json_bool(sw_json *j, int v)
{
    sw_json_sep(j);
    if (v)
        sw_json_put(j, "true", 4);
    else
        sw_json_put(j, "false", 5);
}

void sw_json_null(sw_json *j)
{
    sw_json_sep(j);
    sw_json_put(j, "null", 4);
}

void sw_json_kv_string(sw_json *j, const char *key, const char *s)
{
    if (!s)
        return;
    sw_json_key(j, key);
    sw_json_string(j, s);
}

void sw_json_kv_int(sw_json *j, const char *key, int64_t v)
{
    sw_json_key(j, key);
    sw_json_int(j, v);
}

void sw_json_kv_bool(sw_json *j, const char *key, int v)
{
    sw_json_key(j, key);
    sw_json_bool(j, v);
}
