/* Minimal streaming JSON writer into an sw_buf.
 *
 * The writer tracks nesting so that commas are placed automatically; the caller opens and
 * closes objects and arrays in order. Strings are escaped for JSON and any invalid UTF-8
 * byte is written as U+FFFD, so output is always valid JSON even from hostile headers.
 * The writer owns nothing; the buffer belongs to the caller. */
#ifndef SPOOFWATCH_JSON_H
#define SPOOFWATCH_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/buf.h"

#define SW_JSON_MAX_DEPTH 32

typedef struct sw_json {
    sw_buf *out;
    int depth;
    unsigned char need_comma[SW_JSON_MAX_DEPTH];
    int status; /* first error from the buffer, sticky */
} sw_json;

void sw_json_init(sw_json *j, sw_buf *out);
void sw_json_object_begin(sw_json *j);
void sw_json_object_end(sw_json *j);
void sw_json_array_begin(sw_json *j);
void sw_json_array_end(sw_json *j);
void sw_json_key(sw_json *j, const char *key);
void sw_json_string(sw_json *j, const char *s); /* NULL writes null */
void sw_json_string_n(sw_json *j, const char *s, size_t n);
void sw_json_int(sw_json *j, int64_t v);
void sw_json_uint(sw_json *j, uint64_t v);
void sw_json_double(sw_json *j, double v);
void sw_json_bool(sw_json *j, int v);
void sw_json_null(sw_json *j);
/* Shorthands for "key": value; the string forms skip the member when s is NULL. */
void sw_json_kv_string(sw_json *j, const char *key, const char *s);
void sw_json_kv_int(sw_json *j, const char *key, int64_t v);
void sw_json_kv_bool(sw_json *j, const char *key, int v);
/* sw_json_kv_string for a key of known length (NUL-terminated or not), escaped as needed. */
void sw_json_kv_string_key_n(sw_json *j, const char *key, size_t kn, const char *s);
/* Keys that are string literals in spoofwatch's own code need no escaping and no strlen:
 * the macros below pass the literal's length, and refuse anything that is not a literal. */
void sw_json_key_lit(sw_json *j, const char *key, size_t n);
void sw_json_kv_string_lit(sw_json *j, const char *key, size_t n, const char *s);
void sw_json_kv_int_lit(sw_json *j, const char *key, size_t n, int64_t v);
void sw_json_kv_bool_lit(sw_json *j, const char *key, size_t n, int v);
/* sw_json_kv_string_lit for a value s[0..vn) (not NULL, need not be NUL-terminated). */
void sw_json_kv_string_lit_n(sw_json *j, const char *key, size_t n, const char *s, size_t vn);
/* The macro's form of sw_json_kv_string_lit: the strlen happens here, in the caller, so the
 * writer is a leaf function on its fast path and saves no registers (records write ~100
 * string members each, and the call with its register saves was a third of their cost). */
static inline void sw_json_kv_cstr_lit_(sw_json *j, const char *key, size_t n, const char *s)
{
    if (s)
        sw_json_kv_string_lit_n(j, key, n, s, __builtin_strlen(s));
}
#define SW_JSON_KEY(j, lit) sw_json_key_lit((j), "" lit "", sizeof(lit) - 1)
#define SW_JSON_KV_STRING(j, lit, s) sw_json_kv_cstr_lit_((j), "" lit "", sizeof(lit) - 1, (s))
#define SW_JSON_KV_INT(j, lit, v) sw_json_kv_int_lit((j), "" lit "", sizeof(lit) - 1, (v))
#define SW_JSON_KV_BOOL(j, lit, v) sw_json_kv_bool_lit((j), "" lit "", sizeof(lit) - 1, (v))
/* Escapes s[0..n) as JSON string content (no quotes) onto b. */
int sw_json_escape(sw_buf *b, const char *s, size_t n);

#endif
