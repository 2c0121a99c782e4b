/* Per-message bump allocator: see include/spoofwatch/arena.h. */
#include "spoofwatch/arena.h"
#include "spoofwatch/copy.h"
#include "spoofwatch/fmt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SW_ARENA_BLOCK_MIN (64u << 10)

struct sw_arena_block {
    sw_arena_block *next;
    size_t size;
    size_t used;
    max_align_t data[];
};

/* The inline fast path bumps a->next; a block's own `used` is only brought up to date
 * when the arena moves to another block. */
void sw_arena_init(sw_arena *a, size_t cap)
{
    a->head = NULL;
    a->used_total = 0;
    a->cap = cap;
    a->next = a->end = NULL;
}

void *sw_arena_alloc_slow(sw_arena *a, size_t n)
{
    n = sw_arena_round(n);
    if (n > a->cap || a->used_total > a->cap - n)
        return NULL;
    sw_arena_block *b = a->head;
    if (b)
        b->used = (size_t)(a->next - (char *)b->data);
    if (!b || b->size - b->used < n) {
        size_t size = n > SW_ARENA_BLOCK_MIN ? n : SW_ARENA_BLOCK_MIN;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    a->used_total += n;
    a->next = (char *)b->data + b->used;
    a->end = (char *)b->data + b->size;
    return p;
}

void *sw_arena_calloc(sw_arena *a, size_t n)
{
    void *p = sw_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

/* Copies n bytes and the NUL after them. A message makes ~150 copies, nearly all of names
 * and short values under 32 bytes: two fixed-size moves that overlap cover any length in a
 * range, which the compiler emits inline, so the common copy makes no call to memcpy. A
 * longer one is a tail call (the NUL goes first). */
static inline char *copy_nul(char *d, const char *s, size_t n)
{
    d[n] = '\0';
    if (n > 32)
        return memcpy(d, s, n);
    sw_copy_upto32(d, s, n);
    return d;
}

/* ASCII A-Z of eight bytes lower-cased at once: a byte gets 0x20 added exactly when it is
 * below 0x80, at least 'A' and at most 'Z' (each test read off the byte's top bit). */
static inline uint64_t lower8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t low7 = x & ~high;
    uint64_t ge_a = low7 + (0x80 - 'A') * ones;  /* top bit: low7 >= 'A' */
    uint64_t gt_z = low7 + (0x7F - 'Z') * ones;  /* top bit: low7 > 'Z' */
    uint64_t upper = (ge_a & ~gt_z) & ~x & high; /* and the byte itself is ASCII */
    return x | (upper >> 2);
}

/* Domains and result keywords, a dozen per message: copied and folded eight bytes at a
 * time (the last word overlaps the one before) instead of a test per byte. */
static inline char *copy_lower_nul(char *p, const char *s, size_t n)
{
    if (n >= 8) {
        for (size_t i = 0;; i += 8) {
            if (i + 8 > n)
                i = n - 8;
            uint64_t x;
            memcpy(&x, s + i, 8);
            x = lower8(x);
            memcpy(p + i, &x, 8);
            if (i + 8 >= n)
                break;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            p[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    }
    p[n] = '\0';
    return p;
}

/* The copies when the allocation needs sw_arena_alloc_slow: out of line, so that the
 * common path of the two below calls nothing and keeps no stack frame. */
static __attribute__((noinline)) char *strndup_slow(sw_arena *a, const char *s, size_t n,
                                                   size_t size, int lower)
{
    char *p = sw_arena_alloc_slow(a, size);
    if (!p)
        return NULL;
    return lower ? copy_lower_nul(p, s, n) : copy_nul(p, s, n);
}

/* Room for n bytes and a NUL, rounded as sw_arena_alloc does. n counts the bytes of an
 * object in memory, so n + 8 cannot wrap (sw_arena_alloc's sizes may be computed, and are
 * checked). */
static inline size_t copy_size(size_t n)
{
    return (n + 8) & ~(size_t)7u;
}

char *sw_arena_strndup(sw_arena *a, const char *s, size_t n)
{
    size_t size = copy_size(n);
    if (!sw_arena_fits(a, size))
        return strndup_slow(a, s, n, size, 0);
    return copy_nul(sw_arena_take(a, size), s, n);
}

char *sw_arena_strndup_lower(sw_arena *a, const char *s, size_t n)
{
    size_t size = copy_size(n);
    if (!sw_arena_fits(a, size))
        return strndup_slow(a, s, n, size, 1);
    return copy_lower_nul(sw_arena_take(a, size), s, n);
}

void sw_arena_reset(sw_arena *a)
{
    sw_arena_block *b = a->head;
    if (!b)
        return;
    /* Keep one block of the smallest size (the newest such: the list starts with the
     * newest) for the next message, free the others. */
    sw_arena_block *keep = NULL;
    while (b) {
        sw_arena_block *next = b->next;
        if (!keep && b->size == SW_ARENA_BLOCK_MIN) {
            keep = b;
        } else {
            free(b);
        }
        b = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
        a->next = (char *)keep->data;
        a->end = (char *)keep->data + keep->size;
    } else {
        a->next = a->end = NULL;
    }
    a->head = keep;
    a->used_total = 0;
}

void sw_arena_free(sw_arena *a)
{
    sw_arena_block *b = a->head;
    while (b) {
        sw_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used_total = 0;
    a->next = a->end = NULL;
}

/* Evidence and reasons, a few per message: with room for the longest text in the current
 * block (and under the cap), formatted in place and the arena bumped by what was written;
 * otherwise into a buffer and copied, as sw_arena_strndup allocates. Either way the text is
 * the first 1023 bytes. */
#define SW_ARENA_TEXT_MAX 1024u

char *sw_arena_vprintf(sw_arena *a, const char *fmt, va_list ap)
{
    if (sw_arena_fits(a, SW_ARENA_TEXT_MAX)) {
        char *p = a->next;
        int n = sw_vformat(p, SW_ARENA_TEXT_MAX, fmt, ap);
        if (n < 0)
            return NULL;
        size_t len = (size_t)n < SW_ARENA_TEXT_MAX ? (size_t)n : SW_ARENA_TEXT_MAX - 1;
        /* the allocation sw_arena_alloc makes for len + 1: it fits, being at most the room
         * tested above */
        return sw_arena_take(a, sw_arena_round(len + 1));
    }
    char text[SW_ARENA_TEXT_MAX];
    int n = sw_vformat(text, sizeof text, fmt, ap);
    if (n < 0)
        return NULL;
    size_t len = (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
    return sw_arena_strndup(a, text, len);
}

char *sw_arena_printf(sw_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = sw_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}
