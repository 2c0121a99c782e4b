/* Streaming JSON writer: see include/spoofwatch/json.h. */
#include "spoofwatch/json.h"
#include "spoofwatch/utf8.h"

#include <inttypes.h>
#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <string.h>

void sw_json_init(sw_json *j, sw_buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

/* fast_end (json.h) for the writer's state now: called after whatever may have moved the
 * status, the depth or the allocation (the general paths, which are rare enough not to mind) */
static void set_fast_end(sw_json *j)
{
    const sw_buf *b = j->out;
    size_t end = 0;
    if (!j->status && (unsigned)j->depth - 1u < SW_JSON_MAX_DEPTH - 2u && b->alloc > 17) {
        end = b->alloc - 17;
        if (end > b->cap)
            end = b->cap;
    }
    j->fast_end = end;
}

static void sw_json_put(sw_json *j, const char *s, size_t n)
{
    if (!j->status)
        j->status = sw_buf_add(j->out, s, n);
    set_fast_end(j);
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

static __attribute__((noinline)) void open_slow(sw_json *j, const char *c)
{
    sw_json_sep(j);
    sw_json_put(j, c, 1);
    j->depth++;
    if (j->depth < SW_JSON_MAX_DEPTH)
        j->need_comma[j->depth] = 0;
    set_fast_end(j);
}

static inline void sw_json_open(sw_json *j, const char *c)
{
    /* the common case, inside an object or array with room: separator and bracket at once,
     * as leaf code (records open ~25 containers each; with the general path inline, every
     * open saved and restored two registers) */
    sw_buf *b = j->out;
    if (b->len + 2 <= j->fast_end && j->depth < SW_JSON_MAX_DEPTH - 2) {
        char *o = b->data + b->len;
        *o = ',';
        o += j->need_comma[j->depth];
        j->need_comma[j->depth] = 1;
        *o++ = *c;
        *o = '\0';
        b->len = (size_t)(o - b->data);
        j->need_comma[++j->depth] = 0;
        return;
    }
    open_slow(j, c);
}

static __attribute__((noinline)) void close_slow(sw_json *j, const char *c)
{
    sw_json_put(j, c, 1);
    if (j->depth > 0)
        j->depth--;
    set_fast_end(j);
}

static inline void sw_json_close(sw_json *j, const char *c)
{
    /* the common case as leaf code (records close ~40 containers each): with the call to
     * sw_buf_append inline on its path, every close saved and restored a register */
    sw_buf *b = j->out;
    size_t len = b->len;
    if (len + 1 <= j->fast_end && j->depth > 1) { /* the outermost close takes the general path */
        /* both bytes at once, from locals: a byte store may alias data and len, which were
         * read again after each */
        char *o = b->data + len;
        o[0] = *c;
        o[1] = '\0';
        b->len = len + 1;
        j->depth--;
        return;
    }
    close_slow(j, c);
}

void sw_json_object_begin(sw_json *j)
{
    sw_json_open(j, "{");
}
void sw_json_object_end(sw_json *j)
{
    sw_json_close(j, "}");
}
void sw_json_array_begin(sw_json *j)
{
    sw_json_open(j, "[");
}
void sw_json_array_end(sw_json *j)
{
    sw_json_close(j, "]");
}

/* Decimal digits of v, written backwards from end; returns the first digit. Records carry
 * many offsets and times, and snprintf was a tenth of the cost of writing one. */
/* two digits per division: offsets and times have 3 to 10 */
static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                            "25262728293031323334353637383940414243444546474849"
                            "50515253545556575859606162636465666768697071727374"
                            "75767778798081828384858687888990919293949596979899";

static char *format_u64(uint64_t v, char *end)
{
    char *p = end;
    while (v >= 100) {
        p -= 2;
        memcpy(p, pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

static char *format_i64(int64_t v, char *end)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = format_u64(mag, end);
    if (v < 0)
        *--p = '-';
    return p;
}

/* 1 for bytes that go into a JSON string as they are: printable ASCII but '"' and '\\'. */
static const unsigned char json_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

#if defined(__SSE2__)
/* One bit per byte of v that needs escaping: below 0x20, 0x80 and up, '"' and '\\'. With
 * bit 1 flipped, '"' (0x22) becomes 0x20 and the bytes below 0x20 stay below it, so one
 * signed "0x21 > v ^ 2" takes controls, '"' and the bytes from 0x80 (negative as signed
 * bytes) at once; '\\' is the one compare more. */
static inline int escape_mask(__m128i v)
{
    const __m128i two = _mm_set1_epi8(2), lim = _mm_set1_epi8(0x21), bslash = _mm_set1_epi8('\\');
    return _mm_movemask_epi8(
        _mm_or_si128(_mm_cmpgt_epi8(lim, _mm_xor_si128(v, two)), _mm_cmpeq_epi8(v, bslash)));
}
#endif

/* Length of the leading run of bytes that need no escaping: printable ASCII other than
 * '"' and '\\'. Header text is nearly all such bytes, so this is tested 16 at a time. */
static size_t plain_run(const unsigned char *p, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        int mask = escape_mask(_mm_loadu_si128((const __m128i *)(p + i)));
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
    if (n >= 16 && i < n) {
        /* the tail as one overlapping block: bytes before i are plain, so the first
         * flagged byte of the block is the first one of the run */
        int mask = escape_mask(_mm_loadu_si128((const __m128i *)(p + n - 16)));
        return mask ? n - 16 + (size_t)__builtin_ctz((unsigned)mask) : n;
    }
#endif
    while (i < n && json_plain[p[i]])
        i++;
    return i;
}

#if !defined(__SSE2__)
/* Non-zero when one of the eight bytes of x needs escaping (below 0x20, 0x80 and up, '"',
 * '\\'): the usual has-a-zero-byte tests, which are exact as to whether any byte matches
 * (not which one, which copy_plain does not need). */
static inline uint64_t escape_bits8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return (x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high;
}
#endif

static inline uint64_t load8(const char *s)
{
    uint64_t x;
    memcpy(&x, s, 8);
    return x;
}

static inline uint32_t load4(const char *s)
{
    uint32_t x;
    memcpy(&x, s, 4);
    return x;
}

/* Copies s[0..n) to o when every byte is plain; returns 0, or -1 when a byte needs
 * escaping, with o partly written (the caller has not committed it). o has room for n.
 * Records hold ~120 strings, most under 32 bytes: each length class is taken as two
 * overlapping loads (16, 8 or 4 bytes: the first and the last), checked and stored as they
 * are, so a short value costs a few instructions and no loop. */
static inline int copy_plain(char *o, const char *s, size_t n)
{
#if defined(__SSE2__)
    if (n >= 16) {
        size_t i = 0;
        for (; i + 16 < n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
            if (escape_mask(v))
                return -1;
            _mm_storeu_si128((__m128i *)(o + i), v);
        }
        __m128i v = _mm_loadu_si128((const __m128i *)(s + n - 16));
        if (escape_mask(v))
            return -1;
        _mm_storeu_si128((__m128i *)(o + n - 16), v);
        return 0;
    }
    /* the short classes in SSE registers too: the 64-bit bit tricks below need a handful of
     * general registers per word, which made every caller save and restore six of its own */
    if (n >= 8) {
        __m128i x = _mm_loadl_epi64((const __m128i *)s),
                y = _mm_loadl_epi64((const __m128i *)(s + n - 8));
        if (escape_mask(_mm_unpacklo_epi64(x, y)))
            return -1;
        _mm_storel_epi64((__m128i *)o, x);
        _mm_storel_epi64((__m128i *)(o + n - 8), y);
        return 0;
    }
    if (n >= 4) {
        uint32_t x = load4(s), y = load4(s + n - 4);
        /* only the low eight bytes hold text (the zeros above would count as controls) */
        if (escape_mask(_mm_cvtsi64_si128((long long)((uint64_t)x | (uint64_t)y << 32))) & 0xff)
            return -1;
        memcpy(o, &x, 4);
        memcpy(o + n - 4, &y, 4);
        return 0;
    }
    /* 1 to 3 bytes: the first, middle and last cover them all, gathered into one word and
     * checked as the classes above are (three bytes and three table lookups live at once
     * made the string writer save and restore three registers on every member) */
    if (n) {
        uint32_t x = (uint32_t)(unsigned char)s[0] | (uint32_t)(unsigned char)s[n >> 1] << 8 |
                     (uint32_t)(unsigned char)s[n - 1] << 16;
        if (escape_mask(_mm_cvtsi32_si128((int)x)) & 7)
            return -1;
        o[0] = (char)x;
        o[n >> 1] = (char)(x >> 8);
        o[n - 1] = (char)(x >> 16);
    }
    return 0;
#else
    for (; n > 16; n -= 8, s += 8, o += 8) {
        uint64_t x = load8(s);
        if (escape_bits8(x))
            return -1;
        memcpy(o, &x, 8);
    }
    if (n >= 8) {
        uint64_t x = load8(s), y = load8(s + n - 8);
        if (escape_bits8(x) | escape_bits8(y))
            return -1;
        memcpy(o, &x, 8);
        memcpy(o + n - 8, &y, 8);
        return 0;
    }
    if (n >= 4) {
        uint32_t x = load4(s), y = load4(s + n - 4);
        if (escape_bits8((uint64_t)x | (uint64_t)y << 32))
            return -1;
        memcpy(o, &x, 4);
        memcpy(o + n - 4, &y, 4);
        return 0;
    }
    /* 1 to 3 bytes: the first, middle and last cover them all */
    if (n) {
        unsigned char c0 = (unsigned char)s[0], c1 = (unsigned char)s[n >> 1],
                      c2 = (unsigned char)s[n - 1];
        if (!(json_plain[c0] & json_plain[c1] & json_plain[c2]))
            return -1;
        o[0] = (char)c0;
        o[n >> 1] = (char)c1;
        o[n - 1] = (char)c2;
    }
    return 0;
#endif
}

/* memcpy for the short keys of spoofwatch's own literals, without the library call a
 * length unknown at compile time costs: overlapping loads as in copy_plain. */
static inline void copy_key(char *o, const char *k, size_t n)
{
    if (n >= 8) {
        for (; n > 16; n -= 8, k += 8, o += 8)
            memcpy(o, k, 8);
        uint64_t x = load8(k), y = load8(k + n - 8);
        memcpy(o, &x, 8);
        memcpy(o + n - 8, &y, 8);
    } else if (n >= 4) {
        uint32_t x = load4(k), y = load4(k + n - 4);
        memcpy(o, &x, 4);
        memcpy(o + n - 4, &y, 4);
    } else if (n) {
        /* not a loop, which the compiler would make a memcpy call of */
        o[0] = k[0];
        o[n >> 1] = k[n >> 1];
        o[n - 1] = k[n - 1];
    }
}

/* Copies a key literal of json.h's macros, m bytes followed by SW_JSON_LIT_PAD_, in whole
 * blocks: the padding makes each block readable, and o must have room for m + 15 (the bytes
 * past m are scratch that what follows overwrites or leaves past the buffer's length). */
static inline void copy_lit(char *o, const char *lit, size_t m)
{
    /* m >= 1 (a literal holds its quotes at least), so the first block is copied before
     * any test: nine in ten keys fit it, and then the loop is one compare */
#if defined(__SSE2__)
    size_t i = 0;
    do
        _mm_storeu_si128((__m128i *)(o + i), _mm_loadu_si128((const __m128i *)(lit + i)));
    while ((i += 16) < m);
#else
    size_t i = 0;
    do
        memcpy(o + i, lit + i, 8);
    while ((i += 8) < m);
#endif
}

int sw_json_escape(sw_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    int rc = 0;
    while (p < end && !rc) {
        const unsigned char *run = p;
        p += plain_run(p, (size_t)(end - p));
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

/* Writes "key": with a trusted (plain ASCII) key. */
static void put_plain_key(sw_json *j, const char *key, size_t n)
{
    sw_buf *b = j->out;
    if (!j->status && b->alloc && n + 3 < b->alloc - b->len && b->len + n + 3 <= b->cap) {
        char *o = b->data + b->len;
        o[0] = '"';
        copy_key(o + 1, key, n);
        o[n + 1] = '"';
        o[n + 2] = ':';
        b->len += n + 3;
        b->data[b->len] = '\0';
    } else {
        sw_json_put(j, "\"", 1);
        sw_json_put(j, key, n);
        sw_json_put(j, "\":", 2);
    }
    /* The value that follows must not get a comma of its own. */
    if (j->depth > 0 && j->depth < SW_JSON_MAX_DEPTH)
        j->need_comma[j->depth] = 0;
}

/* The general paths below are out of line and tail-called, so that the fast paths of the
 * writers are leaf code: with a call on their slow path, GCC saved and restored five or six
 * registers on every member. */
static __attribute__((noinline)) void key_lit_slow(sw_json *j, const char *key, size_t n)
{
    sw_json_sep(j);
    put_plain_key(j, key, n);
}

/* The fast path of both key writers: `,"key":` (opens 0) or `,"key":{` / `,"key":[`
 * (opens 1) with one capacity check, as put_member writes it. A key alone leaves the
 * value's own separator none; a key that opens a container marks its member written and
 * enters the container, whose first member needs no comma. 0 when the general path must
 * run (an error, the depth limit, no room). Inlined with a constant `opens`. */
static inline __attribute__((always_inline)) int key_fast(sw_json *j, const char *qkey,
                                                          size_t m, int opens)
{
    sw_buf *b = j->out;
    if (b->len + m + 1 > j->fast_end || (opens && j->depth >= SW_JSON_MAX_DEPTH - 2))
        return 0;
    char *o = b->data + b->len;
    *o = ',';
    o += j->need_comma[j->depth];
    j->need_comma[j->depth] = (unsigned char)opens;
    copy_lit(o, qkey, m);
    o += m;
    *o = '\0';
    b->len = (size_t)(o - b->data);
    if (opens)
        j->need_comma[++j->depth] = 0;
    return 1;
}

void sw_json_key_lit(sw_json *j, const char *qkey, size_t m)
{
    if (!key_fast(j, qkey, m, 0))
        key_lit_slow(j, qkey + 1, m - 3);
}

static __attribute__((noinline)) void key_open_slow(sw_json *j, const char *qkey, size_t m)
{
    key_lit_slow(j, qkey + 1, m - 4);
    sw_json_open(j, qkey + m - 1);
}

void sw_json_key_open_lit(sw_json *j, const char *qkey, size_t m)
{
    /* the member and the container it opens at once */
    if (!key_fast(j, qkey, m, 1))
        key_open_slow(j, qkey, m);
}

/* A key from the input, escaped when it needs it. */
static void json_key_n(sw_json *j, const char *key, size_t n)
{
    sw_json_sep(j);
    sw_buf *b = j->out;
    /* with room, the key is checked as it is copied */
    if (!j->status && n + 3 < b->alloc - b->len && b->len + n + 3 <= b->cap &&
        copy_plain(b->data + b->len + 1, key, n) == 0) {
        char *o = b->data + b->len;
        o[0] = '"';
        o[n + 1] = '"';
        o[n + 2] = ':';
        b->len += n + 3;
        b->data[b->len] = '\0';
        if (j->depth > 0 && j->depth < SW_JSON_MAX_DEPTH)
            j->need_comma[j->depth] = 0;
        return;
    }
    if (plain_run((const unsigned char *)key, n) == n) {
        put_plain_key(j, key, n);
        return;
    }
    sw_json_put(j, "\"", 1);
    if (!j->status)
        j->status = sw_json_escape(j->out, key, n);
    sw_json_put(j, "\":", 2); /* (which sets fast_end after the escape too) */
    if (j->depth > 0 && j->depth < SW_JSON_MAX_DEPTH)
        j->need_comma[j->depth] = 0;
}

void sw_json_key(sw_json *j, const char *key)
{
    json_key_n(j, key, strlen(key));
}

/* The common member, `,"key":value` with a key and a value that need no escaping, written
 * with one capacity check: the key from the input, checked as it is copied. Returns 0 when
 * it was written, -1 when the caller must take the general path (nothing committed then). */
static int put_member(sw_json *j, const char *key, size_t n, const char *value, size_t vn)
{
    sw_buf *b = j->out;
    size_t need = n + vn + 6;
    if (b->len + need > j->fast_end)
        return -1;
    char *o = b->data + b->len;
    unsigned char comma = j->need_comma[j->depth];
    *o = ',';
    o += comma;
    *o++ = '"';
    if (copy_plain(o, key, n))
        return -1;
    o += n;
    *o++ = '"';
    *o++ = ':';
    *o++ = '"';
    if (copy_plain(o, value, vn))
        return -1; /* nothing committed: the general path writes the member again */
    o += vn;
    *o++ = '"';
    *o = '\0';
    j->need_comma[j->depth] = 1;
    b->len = (size_t)(o - b->data);
    return 0;
}

/* `,"key":` and an unquoted value (a number, true, false) of vn <= 24 bytes, from a key
 * literal: one capacity check. Returns 0 when written, -1 for the general path. */
static inline int put_lit_member(sw_json *j, const char *qkey, size_t m, const char *value,
                                 size_t vn)
{
    sw_buf *b = j->out;
    if (b->len + m + vn + 1 > j->fast_end)
        return -1;
    char *o = b->data + b->len;
    *o = ',';
    o += j->need_comma[j->depth];
    j->need_comma[j->depth] = 1;
    copy_lit(o, qkey, m);
    o += m;
    copy_key(o, value, vn);
    o += vn;
    *o = '\0';
    b->len = (size_t)(o - b->data);
    return 0;
}

static __attribute__((noinline)) void raw_lit_slow(sw_json *j, const char *lit, size_t m)
{
    sw_json_sep(j);
    sw_json_put(j, lit, m);
}

/* A whole value or member from a literal, as it is: its separator and a copy. */
void sw_json_raw_lit(sw_json *j, const char *lit, size_t m)
{
    if (put_lit_member(j, lit, m, "", 0))
        raw_lit_slow(j, lit, m);
}

/* Out of line so that the fast path of its caller, which tail-calls it, needs no stack frame. */
static __attribute__((noinline)) void kv_string_slow(sw_json *j, const char *qkey, size_t m,
                                                    const char *s, size_t vn)
{
    key_lit_slow(j, qkey + 1, m - 4);
    sw_json_string_n(j, s, vn);
}

/* The rest of a string member whose `,"key":"` is written: the value escaped, and its quote. */
static __attribute__((noinline)) void string_rest(sw_json *j, const char *s, size_t vn)
{
    if (!j->status)
        j->status = sw_json_escape(j->out, s, vn);
    sw_json_put(j, "\"", 1);
}

/* `,"key":"value"`, written out so that few values are live at once (the key is done with
 * before the value is copied): the fast path then fits the scratch registers. */
void sw_json_kv_string_lit_n(sw_json *j, const char *qkey, size_t m, const char *s, size_t vn)
{
    sw_buf *b = j->out;
    if (b->len + m + vn + 2 > j->fast_end) {
        kv_string_slow(j, qkey, m, s, vn);
        return;
    }
    char *o = b->data + b->len;
    *o = ',';
    /* depth read again after the store (which may alias it): kept from the test above, it
     * was one value too many for the scratch registers, and one more was saved and restored */
    unsigned char *comma = &j->need_comma[j->depth];
    o += *comma;
    *comma = 1;
    copy_lit(o, qkey, m);
    o += m;
    if (copy_plain(o, s, vn)) {
        /* the same bytes as the general path: `,"key":"` stays, the value is escaped */
        *o = '\0';
        b->len = (size_t)(o - b->data);
        string_rest(j, s, vn);
        return;
    }
    o += vn;
    memcpy(o, "\"", 2); /* with the NUL */
    b->len = (size_t)(o + 1 - b->data);
}

/* The general path of sw_json_kv_string_lit: the length measured, the member written anew
 * (nothing of the fast path's was committed). Out of line, so the fast path is leaf code. */
static __attribute__((noinline)) void kv_cstr_slow(sw_json *j, const char *qkey, size_t m,
                                                  const char *s)
{
    sw_json_kv_string_lit_n(j, qkey, m, s, strlen(s));
}

/* Whether s's bytes may be read in whole 16-byte blocks past its NUL, up to the end of its
 * page (which the reads never cross, so they cannot fault): not under AddressSanitizer,
 * which would rightly see them as reading past the object. */
#if defined(__SSE2__) && !defined(__SANITIZE_ADDRESS__)
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SW_JSON_NO_OVERREAD
#endif
#endif
#else
#define SW_JSON_NO_OVERREAD
#endif

#if !defined(SW_JSON_NO_OVERREAD)
/* A NUL-terminated value copied to o as it is measured, for the string members: 16-byte
 * blocks of it are loaded, checked and stored whole, and the first byte flagged in them is
 * its NUL (a NUL is one of the bytes escape_mask flags) unless it needs escaping. Where
 * strlen then copy_plain went over the value twice and chose a copy by its length in
 * between, this is one pass without a branch on the length for the nine in ten values of
 * a record that are under 32 bytes. The bytes past the NUL are scratch past the buffer's
 * length. o must lie 33 bytes or more before j's fast_end: blocks are stored while they
 * end within the 16 bytes past it that fast_end keeps clear, and read while they stay
 * inside s's page, so they cannot fault. Returns the value's length, which leaves room for
 * a closing quote before fast_end; or -1 when the value needs escaping, would take more
 * room or nears the end of its page (the caller takes its general path then). Inlined
 * into its callers, which stay leaf code. */
static inline __attribute__((always_inline)) size_t copy_cstr(const sw_json *j, char *o,
                                                              const char *s)
{
    if (((uintptr_t)s & 4095) > 4096 - 32)
        return (size_t)-1;
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    unsigned mask = (unsigned)escape_mask(v);
    _mm_storeu_si128((__m128i *)o, v);
    if (!mask) {
        v = _mm_loadu_si128((const __m128i *)(s + 16));
        mask = (unsigned)escape_mask(v) << 16;
        _mm_storeu_si128((__m128i *)(o + 16), v);
        if (!mask) {
            /* a longer value (evidence, comments: one in twenty), block by block */
            size_t room = (size_t)(j->out->data + j->fast_end - o) - 1,
                   page = 4096 - 16 - ((uintptr_t)s & 4095), last = room < page ? room : page;
            for (size_t i = 32;; i += 16) {
                if (i > last)
                    return (size_t)-1;
                v = _mm_loadu_si128((const __m128i *)(s + i));
                mask = (unsigned)escape_mask(v);
                _mm_storeu_si128((__m128i *)(o + i), v);
                if (mask) {
                    i += (size_t)__builtin_ctz(mask);
                    return s[i] || i >= room ? (size_t)-1 : i;
                }
            }
        }
    }
    size_t i = (size_t)__builtin_ctz(mask);
    return s[i] ? (size_t)-1 : i;
}

/* The value and closing quote of a string member whose key o already follows: the value
 * measured as it is copied (copy_cstr), the member committed. 0 when the general path must
 * run instead (nothing committed then). */
static inline __attribute__((always_inline)) int put_cstr_value(sw_json *j, char *o,
                                                                unsigned char *comma,
                                                                const char *s)
{
    size_t vn = copy_cstr(j, o, s);
    if (vn == (size_t)-1)
        return 0;
    *comma = 1;
    o += vn;
    memcpy(o, "\"", 2); /* with the NUL */
    j->out->len = (size_t)(o + 1 - j->out->data);
    return 1;
}

/* put_cstr_value with the object's `}` after the quote, as sw_json_object_end writes it.
 * copy_cstr leaves room for the quote before fast_end; o must lie one byte further from
 * it than copy_cstr asks (34 bytes) for the brace to fit too. */
static inline __attribute__((always_inline)) int
put_cstr_value_end(sw_json *j, char *o, unsigned char *comma, const char *s)
{
    size_t vn = copy_cstr(j, o, s);
    if (vn == (size_t)-1)
        return 0;
    *comma = 1;
    o += vn;
    memcpy(o, "\"}", 3); /* with the NUL */
    j->out->len = (size_t)(o + 2 - j->out->data);
    j->depth--;
    return 1;
}
#endif

/* The fast path of the string members from a literal: `,"key":"value"` for a
 * NUL-terminated value (not NULL), measured as it is copied (copy_cstr); with opens, the
 * literal also opened a container (`{"key":"`, `"outer":{"key":"`), which the member is the
 * first of. 0 when the general path must run (nothing committed then). Inlined with a
 * constant `opens`. */
static inline __attribute__((always_inline)) int kv_cstr_fast(sw_json *j, const char *qkey,
                                                              size_t m, const char *s, int opens)
{
#if !defined(SW_JSON_NO_OVERREAD)
    sw_buf *b = j->out;
    if (b->len + m + 33 > j->fast_end || (opens && j->depth >= SW_JSON_MAX_DEPTH - 2))
        return 0;
    char *o = b->data + b->len;
    *o = ',';
    unsigned char *comma = &j->need_comma[j->depth];
    o += *comma;
    copy_lit(o, qkey, m);
    o += m;
    if (!put_cstr_value(j, o, comma, s))
        return 0;
    if (opens) {
        comma[1] = 1; /* the container's first member is written */
        j->depth++;
    }
    return 1;
#else
    (void)j, (void)qkey, (void)m, (void)s, (void)opens;
    return 0;
#endif
}

/* Records write ~120 string members each. */
void sw_json_kv_string_lit(sw_json *j, const char *qkey, size_t m, const char *s)
{
    if (!kv_cstr_fast(j, qkey, m, s, 0))
        kv_cstr_slow(j, qkey, m, s);
}

static __attribute__((noinline)) void kv_cstr_end_slow(sw_json *j, const char *qkey, size_t m,
                                                       const char *s)
{
    kv_cstr_slow(j, qkey, m, s);
    sw_json_object_end(j);
}

void sw_json_kv_string_end_lit(sw_json *j, const char *qkey, size_t m, const char *s)
{
#if !defined(SW_JSON_NO_OVERREAD)
    sw_buf *b = j->out;
    /* one byte more than kv_cstr_fast's for the brace; the outermost close takes the
     * general path, as in sw_json_close */
    if (b->len + m + 34 <= j->fast_end && j->depth > 1) {
        char *o = b->data + b->len;
        *o = ',';
        unsigned char *comma = &j->need_comma[j->depth];
        o += *comma;
        copy_lit(o, qkey, m);
        o += m;
        if (put_cstr_value_end(j, o, comma, s))
            return;
    }
#endif
    kv_cstr_end_slow(j, qkey, m, s);
}

/* The container of an opening literal (`{` or `"outer":{`, up to its first '{', which no
 * key of spoofwatch's holds) opened on its own; returns the bytes of qkey it took. */
static size_t open_lit_prefix(sw_json *j, const char *qkey, size_t m)
{
    if (qkey[0] == '{') {
        sw_json_object_begin(j);
        return 1;
    }
    const char *brace = memchr(qkey, '{', m);
    size_t k = brace ? (size_t)(brace - qkey) + 1 : m;
    sw_json_key_open_lit(j, qkey, k);
    return k;
}

void sw_json_open_lit(sw_json *j, const char *qkey, size_t m)
{
    open_lit_prefix(j, qkey, m);
}

static __attribute__((noinline)) void open_kv_cstr_slow(sw_json *j, const char *qkey, size_t m,
                                                       const char *s)
{
    size_t k = open_lit_prefix(j, qkey, m);
    /* the rest, `"key":"`, is a literal of the macros' form still (its padding follows) */
    sw_json_kv_string_lit(j, qkey + k, m - k, s);
}

void sw_json_open_kv_string_lit(sw_json *j, const char *qkey, size_t m, const char *s)
{
    if (!kv_cstr_fast(j, qkey, m, s, 1))
        open_kv_cstr_slow(j, qkey, m, s);
}

void sw_json_open_kv_null_lit(sw_json *j, const char *qkey, size_t m)
{
    size_t k = open_lit_prefix(j, qkey, m);
    sw_json_kv_null_lit(j, qkey + k, m - k);
}

static __attribute__((noinline)) void kv_int_slow(sw_json *j, const char *qkey, size_t m,
                                                 int64_t v)
{
    key_lit_slow(j, qkey + 1, m - 3);
    sw_json_int(j, v);
}

/* Decimal digits of v written forwards at o, as many as it has; returns their count. The
 * count comes first (from the bit length, one table compare), so the digits go straight
 * into the output instead of through a scratch buffer and a copy of variable length. */
static size_t put_u64(char *o, uint64_t v)
{
    static const uint64_t pow10[20] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull,
                                       10000000000000000000ull};
    /* digits: floor(log10) from the bit length (1233/4096 ~ log10(2)), then one step up;
     * v | 1 has v's digit count and makes 0 count as one digit */
    unsigned t = ((unsigned)(64 - __builtin_clzll(v | 1)) * 1233u) >> 12;
    size_t n = t + ((v | 1) >= pow10[t]);
    format_u64(v, o + n);
    return n;
}

/* The eight decimal digits of v < 10^8, leading zeros included, as the bytes of one word,
 * the first digit in the lowest byte (as it is stored), before '0' is added: v split in
 * two lanes of four digits, each lane in two of two, each of those in two digits, every
 * step one multiply for all the lanes at once (no product reaches the next lane). Where
 * the pair table took a division, a load and a store per two digits in a loop, the offsets
 * and times of a record (5 to 10 digits) take one straight run. */
static inline uint64_t digits8(uint64_t v)
{
    uint64_t x = v / 10000 | (v % 10000) << 32;                     /* 4 + 4 */
    uint64_t y = (x * 10486) >> 20 & 0x0000007F0000007Fu;           /* the upper two of each */
    y |= (x - y * 100) << 16;                                       /* 2 + 2 + 2 + 2 */
    uint64_t z = (y * 103) >> 10 & 0x000F000F000F000Fu;             /* the tens of each */
    return z | (y - z * 10) << 8;                                   /* and the ones */
}

/* Decimal digits of v >= 1 written forwards at o, as many as it has (o has room for 24);
 * returns their count. Up to 16 digits as one or two words of digits8, stored whole: the
 * leading zero digits of the first are its low zero bytes, shifted off. */
static inline __attribute__((always_inline)) size_t put_digits(char *o, uint64_t v)
{
    const uint64_t zeros = 0x3030303030303030u;
    if (v < 100000000u) {
        uint64_t d = digits8(v);
        unsigned lead = (unsigned)__builtin_ctzll(d) >> 3; /* d != 0 as v >= 1 */
        d = (d >> (8 * lead)) | zeros;
        memcpy(o, &d, 8);
        return 8 - lead;
    }
    if (v < 10000000000000000u) {
        uint64_t d = digits8(v / 100000000u), e = digits8(v % 100000000u) | zeros;
        unsigned lead = (unsigned)__builtin_ctzll(d) >> 3; /* the upper half is >= 1 */
        d = (d >> (8 * lead)) | zeros;
        memcpy(o, &d, 8);
        memcpy(o + 8 - lead, &e, 8);
        return 16 - lead;
    }
    return put_u64(o, v);
}

/* Room for the longest int64 (a sign and 19 digits) */
#define INT_TEXT_MAX 20

/* `,"key":` and the digits of v with one room test; with closes, the object's `}` after
 * them, as sw_json_object_end writes it. 0 when the general path must run (nothing
 * committed then). Inlined with a constant `closes`. */
static inline __attribute__((always_inline)) int kv_int_fast(sw_json *j, const char *qkey, size_t m,
                                                             int64_t v, int closes)
{
    sw_buf *b = j->out;
    /* the room test takes the longest number: one test before the digits are known */
    if (b->len + m + 1 + INT_TEXT_MAX + (size_t)closes > j->fast_end || (closes && j->depth <= 1))
        return 0; /* (the outermost close takes the general path) */
    char *o = b->data + b->len;
    *o = ',';
    o += j->need_comma[j->depth];
    j->need_comma[j->depth] = 1;
    copy_lit(o, qkey, m);
    o += m;
    /* most of a record's numbers are under 100 (indices, offsets of log facts, weights,
     * counts): two bytes of the table stored, one or two of them kept */
    if ((uint64_t)v < 100) {
        memcpy(o, pairs + 2 * v + (v < 10), 2);
        o += 1 + (v >= 10);
    } else if ((uint64_t)v < 10000) {
        /* the offsets of headers in a message: the upper pair as above, then the lower */
        unsigned hi = (unsigned)v / 100, lo = (unsigned)v % 100;
        memcpy(o, pairs + 2 * hi + (hi < 10), 2);
        o += 1 + (hi >= 10);
        memcpy(o, pairs + 2 * lo, 2);
        o += 2;
    } else {
        uint64_t mag = (uint64_t)v;
        if (v < 0) {
            *o++ = '-';
            mag = (uint64_t)0 - mag;
        }
        o += put_digits(o, mag);
    }
    if (closes) {
        *o++ = '}';
        j->depth--;
    }
    *o = '\0';
    b->len = (size_t)(o - b->data);
    return 1;
}

void sw_json_kv_int_lit(sw_json *j, const char *qkey, size_t m, int64_t v)
{
    if (!kv_int_fast(j, qkey, m, v, 0))
        kv_int_slow(j, qkey, m, v);
}

static __attribute__((noinline)) void kv_int_end_slow(sw_json *j, const char *qkey, size_t m,
                                                      int64_t v)
{
    kv_int_slow(j, qkey, m, v);
    sw_json_object_end(j);
}

void sw_json_kv_int_end_lit(sw_json *j, const char *qkey, size_t m, int64_t v)
{
    if (!kv_int_fast(j, qkey, m, v, 1))
        kv_int_end_slow(j, qkey, m, v);
}

static __attribute__((noinline)) void kv_null_slow(sw_json *j, const char *qkey, size_t m)
{
    key_lit_slow(j, qkey + 1, m - 4);
    sw_json_null(j);
}

void sw_json_kv_null_lit(sw_json *j, const char *qkey, size_t m)
{
    /* qkey is `"key":"`: all but its opening quote of the value */
    if (put_lit_member(j, qkey, m - 1, "null", 4) == 0)
        return;
    kv_null_slow(j, qkey, m);
}

static __attribute__((noinline)) void kv_bool_slow(sw_json *j, const char *qkey, size_t m,
                                                  int v)
{
    key_lit_slow(j, qkey + 1, m - 3);
    sw_json_bool(j, v);
}

void sw_json_kv_bool_lit(sw_json *j, const char *qkey, size_t m, int v)
{
    if (put_lit_member(j, qkey, m, v ? "true" : "false", v ? 4 : 5) == 0)
        return;
    kv_bool_slow(j, qkey, m, v);
}

/* After a key, the value resets need_comma to 1 through sw_json_sep. */
void sw_json_string_n(sw_json *j, const char *s, size_t n)
{
    sw_json_sep(j);
    sw_buf *b = j->out;
    /* Plain text with room to spare: one copy, quotes included. */
    if (!j->status && b->alloc && n + 2 < b->alloc - b->len && b->len + n + 2 <= b->cap &&
        copy_plain(b->data + b->len + 1, s, n) == 0) {
        char *o = b->data + b->len;
        o[0] = '"';
        o[n + 1] = '"';
        b->len += n + 2;
        b->data[b->len] = '\0';
        return;
    }
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
    char tmp[24];
    char *end = tmp + sizeof tmp;
    char *p = format_i64(v, end);
    sw_json_sep(j);
    sw_json_put(j, p, (size_t)(end - p));
}

void sw_json_uint(sw_json *j, uint64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof tmp;
    char *p = format_u64(v, end);
    sw_json_sep(j);
    sw_json_put(j, p, (size_t)(end - p));
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

static __attribute__((noinline)) void kv_string_nn_slow(sw_json *j, const char *key, size_t kn,
                                                        const char *s, size_t vn)
{
    json_key_n(j, key, kn);
    sw_json_string_n(j, s, vn);
}

void sw_json_kv_string_nn(sw_json *j, const char *key, size_t kn, const char *s, size_t vn)
{
    /* keys from the input (A-R properties, anti-spam pairs) are checked as they are copied,
     * like the value */
    if (put_member(j, key, kn, s, vn))
        kv_string_nn_slow(j, key, kn, s, vn);
}

static __attribute__((noinline)) void kv_string_kn_slow(sw_json *j, const char *key, size_t kn,
                                                        const char *s)
{
    sw_json_kv_string_nn(j, key, kn, s, strlen(s));
}

/* `,"key":"value"` for a key from the input of known length, checked as it is copied, and
 * a NUL-terminated value measured as it is copied (copy_cstr) */
void sw_json_kv_string_kn(sw_json *j, const char *key, size_t kn, const char *s)
{
#if !defined(SW_JSON_NO_OVERREAD)
    sw_buf *b = j->out;
    if (b->len + kn + 38 > j->fast_end) {
        kv_string_kn_slow(j, key, kn, s);
        return;
    }
    char *o = b->data + b->len;
    *o = ',';
    unsigned char *comma = &j->need_comma[j->depth];
    o += *comma;
    *o++ = '"';
    /* the key as two whole blocks too, checked to its length (keys from the input are
     * short: A-R property names, anti-spam report tags), which leaves no length classes to
     * choose between; what the blocks hold past the key is overwritten */
    if (kn > 32 || ((uintptr_t)key & 4095) > 4096 - 32) {
        kv_string_kn_slow(j, key, kn, s);
        return;
    }
    __m128i k0 = _mm_loadu_si128((const __m128i *)key),
            k1 = _mm_loadu_si128((const __m128i *)(key + 16));
    _mm_storeu_si128((__m128i *)o, k0);
    _mm_storeu_si128((__m128i *)(o + 16), k1);
    uint64_t flagged = (uint64_t)(unsigned)escape_mask(k0) |
                       (uint64_t)(unsigned)escape_mask(k1) << 16;
    if (flagged & (((uint64_t)1 << kn) - 1)) {
        kv_string_kn_slow(j, key, kn, s);
        return;
    }
    o += kn;
    memcpy(o, "\":\"", 3);
    o += 3;
    if (!put_cstr_value(j, o, comma, s))
        kv_string_kn_slow(j, key, kn, s);
#else
    kv_string_kn_slow(j, key, kn, s);
#endif
}

/* The general path of sw_json_kv_string_dotted_: the key built whole (each part cut at
 * SW_JSON_PART_MAX bytes), then written as an input key. */
static __attribute__((noinline)) void kv_dotted_slow(sw_json *j, const char *prefix,
                                                    const char *name, const char *s)
{
    char key[2 * SW_JSON_PART_MAX + 2 + 32]; /* 32 more: kv_string_kn reads whole blocks */
    size_t pn = strnlen(prefix, SW_JSON_PART_MAX), nn = strnlen(name, SW_JSON_PART_MAX), k = pn;
    memcpy(key, prefix, pn);
    if (pn)
        key[k++] = '.';
    memcpy(key + k, name, nn);
    k += nn;
    memset(key + k, 0, sizeof key - k);
    sw_json_kv_string_kn(j, key, k, s);
}

#if !defined(SW_JSON_NO_OVERREAD)
/* A NUL-terminated key part of up to 31 bytes copied to o as it is measured, as two whole
 * blocks (o has room for 32); its length, or -1 when it is longer, needs escaping or nears
 * the end of its page. */
static inline __attribute__((always_inline)) size_t copy_part(char *o, const char *s)
{
    if (((uintptr_t)s & 4095) > 4096 - 32)
        return (size_t)-1;
    __m128i v0 = _mm_loadu_si128((const __m128i *)s),
            v1 = _mm_loadu_si128((const __m128i *)(s + 16));
    _mm_storeu_si128((__m128i *)o, v0);
    _mm_storeu_si128((__m128i *)(o + 16), v1);
    unsigned mask = (unsigned)escape_mask(v0) | (unsigned)escape_mask(v1) << 16;
    if (!mask)
        return (size_t)-1;
    size_t i = (size_t)__builtin_ctz(mask);
    return s[i] ? (size_t)-1 : i;
}

/* copy_part for a part of up to 15 bytes, in one block (o has room for 16): the A-R
 * property types ("smtp", "header", "policy") */
static inline __attribute__((always_inline)) size_t copy_short_part(char *o, const char *s)
{
    if (((uintptr_t)s & 4095) > 4096 - 16)
        return (size_t)-1;
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    _mm_storeu_si128((__m128i *)o, v);
    unsigned mask = (unsigned)escape_mask(v);
    if (!mask)
        return (size_t)-1;
    size_t i = (size_t)__builtin_ctz(mask);
    return s[i] ? (size_t)-1 : i;
}
#endif

/* `,"prefix.name":"value"` with both parts measured as they are copied (copy_part) and the
 * value as the string members' is (copy_cstr): no key built first. */
void sw_json_kv_string_dotted_(sw_json *j, const char *prefix, const char *name, const char *s)
{
#if !defined(SW_JSON_NO_OVERREAD)
    sw_buf *b = j->out;
    /* the most the key's blocks may reach (`,"` 2, 31 + 1 + 31 + `":"` 3) and copy_cstr's 33 */
    if (b->len + 101 > j->fast_end) {
        kv_dotted_slow(j, prefix, name, s);
        return;
    }
    char *o = b->data + b->len;
    *o = ',';
    unsigned char *comma = &j->need_comma[j->depth];
    o += *comma;
    *o++ = '"';
    size_t pn = copy_short_part(o, prefix); /* a longer prefix takes the general path */
    if (pn == (size_t)-1) {
        kv_dotted_slow(j, prefix, name, s);
        return;
    }
    o += pn;
    *o = '.'; /* kept only after a prefix */
    o += pn != 0;
    /* property names ("d", "from", "mailfrom") nearly all fit one block too */
    size_t nn = copy_short_part(o, name);
    if (nn == (size_t)-1 && (nn = copy_part(o, name)) == (size_t)-1) {
        kv_dotted_slow(j, prefix, name, s);
        return;
    }
    o += nn;
    memcpy(o, "\":\"", 3);
    o += 3;
    if (!put_cstr_value(j, o, comma, s))
        kv_dotted_slow(j, prefix, name, s);
#else
    kv_dotted_slow(j, prefix, name, s);
#endif
}

static __attribute__((noinline)) void kv_cc_slow(sw_json *j, const char *key, const char *s)
{
    sw_json_kv_string_kn(j, key, strlen(key), s);
}

/* `,"key":"value"` for a NUL-terminated key from the input, measured as it is copied
 * (copy_part) instead of by a strlen first, and the value as the string members' is */
void sw_json_kv_string_cc_(sw_json *j, const char *key, const char *s)
{
#if !defined(SW_JSON_NO_OVERREAD)
    sw_buf *b = j->out;
    /* the key's blocks reach 2 + 32, then `":"` and copy_cstr's 33 past a key of 31 */
    if (b->len + 69 > j->fast_end) {
        kv_cc_slow(j, key, s);
        return;
    }
    char *o = b->data + b->len;
    *o = ',';
    unsigned char *comma = &j->need_comma[j->depth];
    o += *comma;
    *o++ = '"';
    /* the keys of anti-spam reports and log fields nearly all fit one block */
    size_t kn = copy_short_part(o, key);
    if (kn == (size_t)-1 && (kn = copy_part(o, key)) == (size_t)-1) {
        kv_cc_slow(j, key, s);
        return;
    }
    o += kn;
    memcpy(o, "\":\"", 3);
    o += 3;
    if (!put_cstr_value(j, o, comma, s))
        kv_cc_slow(j, key, s);
#else
    kv_cc_slow(j, key, s);
#endif
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
