/* JSON reading: the one C++ shim over simdjson (DESIGN.md §4), with a C API.
 *
 * A reader wraps a simdjson parser (its buffers are reused from document to document).
 * Documents are turned into a small tree of C structs in the caller's arena, so C code never
 * touches C++ objects. The tree's strings and keys point into the reader's string buffer:
 * they are NUL-terminated (they may also hold NUL bytes: `len` is authoritative) and live
 * until the same reader parses its next document. Copy what must outlive that.
 *
 * Two ways in: sw_jparse() gives the tree of one document (a JSON Lines line, or JSON
 * text found inside a string field); sw_jeach() walks the records of a container document
 * (a top-level array, or the array under one of the given wrapper keys) and hands out one
 * record tree at a time, resetting the arena between records, so a large export costs one
 * record of arena. A callback of sw_jeach() must not use the same reader: nested JSON text
 * (EmailEvents AuthenticationDetails, Elastic's event.original) needs a second reader.
 *
 * Caps: SW_MAX_JSON_DOC bytes and SW_MAX_JSON_DEPTH levels per document (SW_ELIMIT). */
#ifndef SPOOFWATCH_JSONREAD_H
#define SPOOFWATCH_JSONREAD_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sw_jtype {
    SW_J_NULL,
    SW_J_BOOL,
    SW_J_INT,    /* fits int64 */
    SW_J_DOUBLE, /* any other number, including integers above INT64_MAX */
    SW_J_STRING,
    SW_J_ARRAY,
    SW_J_OBJECT
} sw_jtype;

typedef struct sw_jmember sw_jmember;
typedef struct sw_jv {
    sw_jtype type;
    uint32_t len; /* string bytes, array items or object members */
    union {
        int b;
        int64_t i;
        double d;
        const char *s;
        const struct sw_jv *items;
        const sw_jmember *members;
    } u;
} sw_jv;

struct sw_jmember {
    const char *key; /* NUL-terminated */
    uint32_t keylen;
    sw_jv value;
};

typedef struct sw_jreader sw_jreader;

sw_jreader *sw_jreader_new(void);
void sw_jreader_free(sw_jreader *r);

/* Parses one document into a tree in a. */
int sw_jparse(sw_jreader *r, sw_arena *a, const char *text, size_t len, const sw_jv **out,
              sw_error *err);

/* sw_jparse() for text that has at least SW_JSON_PADDING readable bytes after text + len
 * (any content: a JSON Lines line inside the file's buffer): it is parsed where it lies
 * instead of being copied to a padded buffer first. */
#define SW_JSON_PADDING 64
int sw_jparse_padded(sw_jreader *r, sw_arena *a, const char *text, size_t len,
                     const sw_jv **out, sw_error *err);

/* Calls fn once per record: the elements of a top-level array; else the elements of the
 * array under the first of `wrappers` (a NULL-terminated list of keys, may be NULL) that
 * the top-level object has; else the document itself (index 0). The arena is reset
 * before each record. fn returns 0 to go on, non-zero to stop (that value is returned).
 * Returns SW_EFORMAT / SW_ELIMIT for a document that cannot be parsed, SW_ENOMEM when
 * one record does not fit the arena cap. *wrapper_used (may be NULL) names the key used.
 * sibling_key (may be NULL): a member beside the wrapper array that every record needs
 * (BigQuery's "schema" beside "rows") is copied into each record's arena and *sibling points
 * to it during fn (NULL when absent). */
int sw_jeach(sw_jreader *r, sw_arena *a, const char *text, size_t len,
             const char *const *wrappers, const char **wrapper_used, const char *sibling_key,
             const sw_jv **sibling, int (*fn)(const sw_jv *rec, size_t index, void *ctx),
             void *ctx, sw_error *err);

/* Many keys of one object at once: a row reader names the columns it wants in a key set
 * and gets every value in one pass over the object's members, instead of one linear
 * lookup per column. The key set's index is built on first use (keep the set static or in
 * a long-lived context); each call then updates its record of the last object's key order,
 * so a set is used by one thread at a time. */
typedef struct sw_jkeyset {
    const char *const *keys; /* exact key names */
    size_t n;                /* at most 255 */
    int built;
    unsigned char slot[512]; /* hash -> key index + 1; 0 = empty */
    uint32_t len[255];       /* strlen of each key */
    /* key index + 1 that the member at each position of the last object matched (0: none):
     * rows of one table carry their columns in one order, so that key is tried first */
    unsigned char last[256];
} sw_jkeyset;
#define SW_JKEYSET(arr) {(arr), sizeof(arr) / sizeof((arr)[0]), 0, {0}, {0}, {0}}
/* out[i] = value of keys[i] in obj, NULL when absent (first occurrence wins). */
void sw_jfields(const sw_jv *obj, sw_jkeyset *ks, const sw_jv **out);

/* Navigation. All accept NULL and return NULL / 0 when the shape does not fit. */
/* obj's member named key[0..n) exactly (key[0] is read even when n is 0) */
const sw_jv *sw_jget_n(const sw_jv *obj, const char *key, size_t n);
/* Exact key. Inline so that a literal key's length is a constant: source detection and
 * the row readers look up several keys per row, and the strlen was a sixth of each. */
static inline const sw_jv *sw_jget(const sw_jv *obj, const char *key)
{
    return key ? sw_jget_n(obj, key, __builtin_strlen(key)) : NULL;
}
const sw_jv *sw_jget_ci(const sw_jv *obj, const char *key); /* ASCII case-insensitive */
/* Dotted path of keys, exact: "properties.NetworkMessageId". */
const sw_jv *sw_jpath(const sw_jv *v, const char *path);
const sw_jv *sw_jindex(const sw_jv *arr, size_t i);
/* The string of a string value; NULL for anything else (null included). Inline: row
 * readers call it for every column of every row. */
static inline const char *sw_jstr(const sw_jv *v)
{
    return v && v->type == SW_J_STRING ? v->u.s : NULL;
}
/* String of obj[key], NULL when absent, null or not a string. */
static inline const char *sw_jget_str(const sw_jv *obj, const char *key)
{
    return sw_jstr(sw_jget(obj, key));
}
/* Integer from an integer, an integral double, or a decimal string ("1753594930801601",
 * as BigQuery sends them). Returns 0 and sets *out, or -1. */
int sw_jint(const sw_jv *v, int64_t *out);
/* Boolean from true/false or the strings "true"/"false" (any case). 0 ok, -1 absent. */
int sw_jbool(const sw_jv *v, int *out);

#ifdef __cplusplus
}
#endif

#endif
