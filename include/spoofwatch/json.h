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
    /* The fast paths write when out->len + what they write <= fast_end: the least of the
     * cap and the allocation less 17 (each may scribble 16 bytes past what it writes, and
     * the NUL), or 0 on an error or outside depths 1 to SW_JSON_MAX_DEPTH - 2. One compare
     * then stands for the status, depth, allocation and cap tests of every member. The
     * writer sets it after whatever moves any of them; the allocation only grows, so a
     * buffer appended to between calls keeps it true (freeing the buffer or lowering its
     * cap while a writer is on it does not). */
    size_t fast_end;
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
/* "key":"value" for a key key[0..kn) and a value s[0..vn) (neither NULL nor necessarily
 * NUL-terminated), both escaped as needed. */
void sw_json_kv_string_nn(sw_json *j, const char *key, size_t kn, const char *s, size_t vn);
/* "key":"value" for a key key[0..kn) (not NULL nor necessarily NUL-terminated), escaped
 * as needed, and a NUL-terminated s (not NULL), measured as it is copied. */
void sw_json_kv_string_kn(sw_json *j, const char *key, size_t kn, const char *s);
/* Shorthands for "key": value; the string forms skip the member when s is NULL. The tests
 * for NULL and the key's strlen are the caller's, so that the writer is leaf code on its
 * fast path (saving and restoring registers around them cost a fifth of a member). */
static inline void sw_json_kv_string(sw_json *j, const char *key, const char *s)
{
    if (s)
        sw_json_kv_string_kn(j, key, __builtin_strlen(key), s);
}
void sw_json_kv_int(sw_json *j, const char *key, int64_t v);
void sw_json_kv_bool(sw_json *j, const char *key, int v);
/* sw_json_kv_string for a key of known length (NUL-terminated or not), escaped as needed. */
static inline void sw_json_kv_string_key_n(sw_json *j, const char *key, size_t kn, const char *s)
{
    if (s)
        sw_json_kv_string_kn(j, key, kn, s);
}
/* sw_json_kv_string for a key from the input, measured as it is copied (no strlen first) */
void sw_json_kv_string_cc_(sw_json *j, const char *key, const char *s);
static inline void sw_json_kv_string_cc(sw_json *j, const char *key, const char *s)
{
    if (s)
        sw_json_kv_string_cc_(j, key, s);
}
/* sw_json_kv_string for the key "prefix.name" ("name" when prefix is empty), each part
 * NUL-terminated and cut at SW_JSON_PART_MAX bytes, escaped as needed: the A-R property
 * keys ("header.d"), written without building the key first. */
#define SW_JSON_PART_MAX 63
void sw_json_kv_string_dotted_(sw_json *j, const char *prefix, const char *name, const char *s);
static inline void sw_json_kv_string_dotted(sw_json *j, const char *prefix, const char *name,
                                            const char *s)
{
    if (s)
        sw_json_kv_string_dotted_(j, prefix, name, s);
}
/* Keys that are string literals in spoofwatch's own code need no escaping and no strlen:
 * the macros below pass each key as the bytes it is written as, quotes, colon and what
 * follows (`"key":` for SW_JSON_KEY, `"key":"` for a string, `"key":{` to open an object),
 * with SW_JSON_LIT_PAD_ after it, so that the writer copies it in whole 16-byte blocks
 * instead of choosing a copy by its length (records write ~150 members each). `m` is the
 * length without the padding; the forms refuse anything that is not a literal. */
#define SW_JSON_LIT_PAD_ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
#define SW_JSON_LIT_(lit, tail) ("\"" lit "\"" tail SW_JSON_LIT_PAD_), (sizeof(lit) + sizeof(tail))
void sw_json_key_lit(sw_json *j, const char *qkey, size_t m);      /* `"key":` */
void sw_json_key_open_lit(sw_json *j, const char *qkey, size_t m); /* `"key":{` or `"key":[` */
/* `"key":"` and a NUL-terminated s (not NULL), measured as it is copied */
void sw_json_kv_string_lit(sw_json *j, const char *qkey, size_t m, const char *s);
void sw_json_kv_int_lit(sw_json *j, const char *qkey, size_t m, int64_t v);        /* `"key":` */
void sw_json_kv_bool_lit(sw_json *j, const char *qkey, size_t m, int v);           /* `"key":` */
/* sw_json_kv_string_lit for a value s[0..vn) (not NULL, need not be NUL-terminated). */
void sw_json_kv_string_lit_n(sw_json *j, const char *qkey, size_t m, const char *s, size_t vn);
/* The macros' form: NULL is tested in the caller, where it costs no call (a third of the
 * string members of a record are absent). */
static inline void sw_json_kv_cstr_lit_(sw_json *j, const char *qkey, size_t m, const char *s)
{
    if (s)
        sw_json_kv_string_lit(j, qkey, m, s);
}
/* sw_json_kv_string_lit, then sw_json_object_end: an object's last member and its close
 * in one call; the macro's form closes the object alone for a NULL s. */
void sw_json_kv_string_end_lit(sw_json *j, const char *qkey, size_t m, const char *s);
static inline void sw_json_kv_cstr_end_(sw_json *j, const char *qkey, size_t m, const char *s)
{
    if (s)
        sw_json_kv_string_end_lit(j, qkey, m, s);
    else
        sw_json_object_end(j);
}
/* `"key":null` from the `"key":"` form (the schema's members that are null when absent) */
void sw_json_kv_null_lit(sw_json *j, const char *qkey, size_t m);
static inline void sw_json_kv_cstr_or_null_(sw_json *j, const char *qkey, size_t m,
                                            const char *s)
{
    if (s)
        sw_json_kv_string_lit(j, qkey, m, s);
    else
        sw_json_kv_null_lit(j, qkey, m);
}
/* A container opened together with its first member, a string: qkey is `{"key":"` (the
 * container a value) or `"outer":{"key":"` (a member), the one call standing for
 * sw_json_object_begin or SW_JSON_KEY_OBJECT and the member's. sw_json_open_lit opens the
 * container alone (for a NULL s), sw_json_open_kv_null_lit with `"key":null` in it. */
void sw_json_open_kv_string_lit(sw_json *j, const char *qkey, size_t m, const char *s);
void sw_json_open_lit(sw_json *j, const char *qkey, size_t m);
void sw_json_open_kv_null_lit(sw_json *j, const char *qkey, size_t m);
static inline void sw_json_open_kv_cstr_(sw_json *j, const char *qkey, size_t m, const char *s)
{
    if (s)
        sw_json_open_kv_string_lit(j, qkey, m, s);
    else
        sw_json_open_lit(j, qkey, m);
}
static inline void sw_json_open_kv_cstr_or_null_(sw_json *j, const char *qkey, size_t m,
                                                 const char *s)
{
    if (s)
        sw_json_open_kv_string_lit(j, qkey, m, s);
    else
        sw_json_open_kv_null_lit(j, qkey, m);
}
#define SW_JSON_LITS_(text) (text SW_JSON_LIT_PAD_), (sizeof(text) - 1)
/* sw_json_object_begin, then SW_JSON_KV_STRING or SW_JSON_KV_STRING_OR_NULL */
#define SW_JSON_OBJECT_KV_STRING(j, lit, s)                                                       \
    sw_json_open_kv_cstr_((j), SW_JSON_LITS_("{\"" lit "\":\""), (s))
#define SW_JSON_OBJECT_KV_STRING_OR_NULL(j, lit, s)                                               \
    sw_json_open_kv_cstr_or_null_((j), SW_JSON_LITS_("{\"" lit "\":\""), (s))
/* SW_JSON_KEY_OBJECT(j, outer), then SW_JSON_KV_STRING(j, lit, s) */
#define SW_JSON_KEY_OBJECT_KV_STRING(j, outer, lit, s)                                            \
    sw_json_open_kv_cstr_((j), SW_JSON_LITS_("\"" outer "\":{\"" lit "\":\""), (s))
/* A whole value or member that is a literal of the macros' form written as it is, with
 * its separator: a string value known at compile time (SW_JSON_STRING_LIT), or a member
 * whose value is (SW_JSON_KV_RAW: `"sender":null`, `"anomalies":[]`), in one call instead
 * of the key's and the value's (or the container's opening and closing). */
void sw_json_raw_lit(sw_json *j, const char *lit, size_t m);
#define SW_JSON_STRING_LIT(j, lit) sw_json_raw_lit((j), SW_JSON_LITS_("\"" lit "\""))
#define SW_JSON_KV_RAW(j, lit, raw) sw_json_raw_lit((j), SW_JSON_LITS_("\"" lit "\":" raw))
#define SW_JSON_KEY(j, lit) sw_json_key_lit((j), SW_JSON_LIT_(lit, ":"))
/* SW_JSON_KEY and sw_json_object_begin / sw_json_array_begin in one call */
#define SW_JSON_KEY_OBJECT(j, lit) sw_json_key_open_lit((j), SW_JSON_LIT_(lit, ":{"))
#define SW_JSON_KEY_ARRAY(j, lit) sw_json_key_open_lit((j), SW_JSON_LIT_(lit, ":["))
#define SW_JSON_KV_STRING(j, lit, s) sw_json_kv_cstr_lit_((j), SW_JSON_LIT_(lit, ":\""), (s))
/* SW_JSON_KV_STRING, then sw_json_object_end */
#define SW_JSON_KV_STRING_END(j, lit, s) sw_json_kv_cstr_end_((j), SW_JSON_LIT_(lit, ":\""), (s))
/* SW_JSON_KV_STRING that writes null for a NULL s instead of leaving the member out */
#define SW_JSON_KV_STRING_OR_NULL(j, lit, s)                                                      \
    sw_json_kv_cstr_or_null_((j), SW_JSON_LIT_(lit, ":\""), (s))
#define SW_JSON_KV_INT(j, lit, v) sw_json_kv_int_lit((j), SW_JSON_LIT_(lit, ":"), (v))
/* SW_JSON_KV_INT, then sw_json_object_end: an object's last member and its close in one
 * call (the offset that ends a hop's, a signature's, an A-R fact's origin) */
void sw_json_kv_int_end_lit(sw_json *j, const char *qkey, size_t m, int64_t v);
#define SW_JSON_KV_INT_END(j, lit, v) sw_json_kv_int_end_lit((j), SW_JSON_LIT_(lit, ":"), (v))
#define SW_JSON_KV_BOOL(j, lit, v) sw_json_kv_bool_lit((j), SW_JSON_LIT_(lit, ":"), (v))
/* Escapes s[0..n) as JSON string content (no quotes) onto b. */
int sw_json_escape(sw_buf *b, const char *s, size_t n);

#endif
