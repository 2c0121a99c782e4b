/* Header block scanner (RFC 5322 §2.2, §3.6).
 *
 * Splits the bytes before the first empty line into fields, unfolds each value and keeps
 * every instance in order. It never normalises a malformed field into a valid one: a name
 * with a space before the colon, a folded name, a line without a colon, NUL bytes, a
 * leading space before the first field are each recorded as anomalies (they are the
 * "Composition Kills" spoofing tricks, not noise). Accepts CRLF and LF.
 *
 * Memory: field array and unfolded values live in the caller's arena; `raw` spans point
 * into the message bytes, which must outlive the block. Caps: SW_MAX_HEADER_BLOCK,
 * SW_MAX_HEADER_FIELDS, SW_MAX_FIELD_VALUE (reaching one sets an anomaly, never fails). */
#ifndef SPOOFWATCH_HEADER_H
#define SPOOFWATCH_HEADER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"

/* Per-field flags. */
enum {
    SW_HF_SPACE_BEFORE_COLON = 1u << 0, /* "From : x" (name stored without the space) */
    SW_HF_VALUE_TRUNCATED = 1u << 1,    /* value longer than SW_MAX_FIELD_VALUE */
    SW_HF_NUL = 1u << 2,                /* NUL byte inside the field */
    SW_HF_NON_ASCII_NAME = 1u << 3,     /* name has bytes outside printable ASCII */
    SW_HF_BARE_CR = 1u << 4,            /* CR not followed by LF inside the field */
    SW_HF_EIGHTBIT = 1u << 5            /* raw 8-bit bytes in the value */
};

/* Block-level anomalies. */
enum {
    SW_HB_TRUNCATED = 1u << 0,       /* header block longer than SW_MAX_HEADER_BLOCK */
    SW_HB_TOO_MANY_FIELDS = 1u << 1, /* more than SW_MAX_HEADER_FIELDS; extra ones dropped */
    SW_HB_LEADING_WSP = 1u << 2,     /* the first line starts with whitespace */
    SW_HB_LINE_NO_COLON = 1u << 3,   /* a line that is neither field nor continuation */
    SW_HB_FOLDED_NAME = 1u << 4,     /* "From" CRLF " : value" */
    SW_HB_NO_SEPARATOR = 1u << 5,    /* no empty line: the message has no body */
    SW_HB_MIXED_EOL = 1u << 6,       /* both CRLF and bare LF line ends */
    SW_HB_NUL = 1u << 7,             /* NUL bytes in the header block */
    SW_HB_EMPTY = 1u << 8            /* no header field at all */
};

typedef struct sw_header_field {
    const char *name;  /* arena, NUL-terminated, case as written */
    const char *value; /* arena, unfolded, leading/trailing WSP trimmed, NUL-terminated */
    size_t value_len;
    const char *raw; /* the whole field in the message, name to last byte before EOL */
    size_t raw_len;
    uint64_t offset;    /* of the field's first byte, from the start of the message */
    unsigned flags;     /* SW_HF_* */
    uint32_t name_hash; /* sw_header_name_hash(name): lookups compare this first */
    size_t name_len;
    int32_t next_in_bucket; /* next field (any name) in the same lookup bucket, or -1 */
} sw_header_field;

/* Lookup buckets: every find is a short chain walk instead of a scan of all fields. */
#define SW_HEADER_BUCKETS 64

typedef struct sw_header_block {
    sw_header_field *fields;
    size_t count;
    size_t dropped;                /* fields beyond SW_MAX_HEADER_FIELDS */
    size_t header_len;             /* bytes up to and including the empty line */
    size_t body_offset;            /* == header_len; body = msg + body_offset */
    unsigned anomalies;            /* SW_HB_* */
    unsigned field_flags;          /* union of every kept field's SW_HF_* flags: a caller can
                                    * skip a walk over the fields for a flag none of them has */
    uint64_t first_anomaly_offset; /* where the first block anomaly was seen */
    int crlf;                      /* 1 when the first line ends in CRLF */
    const char *folded_name;       /* arena: the name of the first folded-name field, if any */
    int32_t bucket_head[SW_HEADER_BUCKETS]; /* first field index per bucket, -1 if empty */
    int32_t bucket_tail[SW_HEADER_BUCKETS];
} sw_header_block;

/* Scans msg[0..len). Returns SW_OK, or SW_ENOMEM when the arena cap is reached. */
int sw_header_scan(sw_arena *arena, const char *msg, size_t len, sw_header_block *out,
                   sw_error *err);

/* Case-insensitive name match; fields flagged SW_HF_SPACE_BEFORE_COLON never match, so a
 * malformed "From :" is never taken for the From field. Returns the index of the n-th
 * (0-based) match or -1. */
long sw_header_find(const sw_header_block *h, const char *name, size_t nth);
size_t sw_header_count(const sw_header_block *h, const char *name);
/* Index of the first field named `name` after index `after` (-1 to start), or -1. Use it
 * to walk every instance in order without rescanning from the top. */
long sw_header_next(const sw_header_block *h, const char *name, long after);
/* Case-insensitive FNV-1a hash of a field name. */
uint32_t sw_header_name_hash(const char *name, size_t n);

/* The same hash, inline: with a literal name it folds to a constant at compile time. */
static inline uint32_t sw_header_name_hash_inline(const char *name, size_t n)
{
    /* Length and the first, second and last two bytes (ASCII-lowered with |0x20) tell
     * header names apart well enough for bucketing; equality is checked anyway. */
    if (n == 0)
        return 0;
    uint32_t h = (uint32_t)n * 0x9E3779B1u;
    h ^= ((uint32_t)name[0] | 0x20) * 0x85EBCA77u;
    h ^= ((uint32_t)name[n > 1] | 0x20) * 0xC2B2AE3Du;
    h ^= ((uint32_t)name[n - 1] | 0x20) * 0x27D4EB2Fu;
    h ^= ((uint32_t)name[n >= 2 ? n - 2 : 0] | 0x20) * 0x165667B1u;
    return h ^ (h >> 15);
}

/* A field name with its length and hash worked out once. The lookups above run strlen and
 * the hash on every call; a key built with sw_header_key_of from a literal costs nothing at
 * run time, and one built from a variable serves a whole loop of sw_header_next_key. */
typedef struct sw_header_key {
    const char *name;
    size_t len;
    uint32_t hash;
} sw_header_key;

static inline sw_header_key sw_header_key_of(const char *name)
{
    sw_header_key k;
    k.name = name;
    k.len = __builtin_strlen(name);
    k.hash = sw_header_name_hash_inline(name, k.len);
    return k;
}

/* Whether field f is named k (sw_header_find's match): fields flagged
 * SW_HF_SPACE_BEFORE_COLON never match, so "From :" is not a From. Names are nearly always
 * written in the case the caller asks for: memcmp settles those, strncasecmp the rest. */
static inline __attribute__((always_inline)) int sw_header_key_matches(const sw_header_field *f,
                                                                       const sw_header_key *k)
{
    return f->name_hash == k->hash && f->name_len == k->len &&
           !(f->flags & SW_HF_SPACE_BEFORE_COLON) &&
           (memcmp(f->name, k->name, k->len) == 0 || strncasecmp(f->name, k->name, k->len) == 0);
}

/* sw_header_find, sw_header_count and sw_header_next with a prepared key: same results.
 * sw_header_find_key is inlined: with a key made from a literal, the bucket, hash and
 * length are constants at the call, and a miss (most lookups: the X-MS-Exchange-* and
 * List-* names of other mail) is a load and a compare or two, with no call. */
static inline __attribute__((always_inline)) long
sw_header_find_key(const sw_header_block *h, const sw_header_key *k, size_t nth)
{
    if (!h->count) /* also a zeroed block: a record read from a log has no headers */
        return -1;
    /* One walk of the chain, which is in field order, for any nth. */
    for (int32_t i = h->bucket_head[k->hash % SW_HEADER_BUCKETS]; i >= 0;
         i = h->fields[i].next_in_bucket)
        if (sw_header_key_matches(&h->fields[i], k) && nth-- == 0)
            return (long)i;
    return -1;
}
size_t sw_header_count_key(const sw_header_block *h, const sw_header_key *k);
long sw_header_next_key(const sw_header_block *h, const sw_header_key *k, long after);

/* The first field named name, or NULL. Always inlined, so that a literal name folds into a
 * constant key at each call site. */
static inline __attribute__((always_inline)) const sw_header_field *
sw_header_first(const sw_header_block *h, const char *name)
{
    const sw_header_key key = sw_header_key_of(name);
    long i = sw_header_find_key(h, &key, 0);
    return i < 0 ? NULL : &h->fields[i];
}

/* The value of the first field named name, or NULL. */
static inline __attribute__((always_inline)) const char *
sw_header_first_value(const sw_header_block *h, const char *name)
{
    const sw_header_field *f = sw_header_first(h, name);
    return f ? f->value : NULL;
}
/* Names of block anomalies, for evidence and JSON. */
const char *sw_header_anomaly_name(unsigned bit);

#endif
