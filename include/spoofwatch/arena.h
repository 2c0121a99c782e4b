/* Arena: one bump allocator per message, freed at once.
 *
 * Everything decoded from one message (unfolded headers, parsed addresses, results) is
 * allocated here, so a record is released with one sw_arena_reset(). The arena owns its
 * blocks; pointers into it die at reset/free. Total size is capped (SW_MAX_ARENA): past
 * the cap allocation returns NULL and the caller reports SW_ELIMIT. */
#ifndef SPOOFWATCH_ARENA_H
#define SPOOFWATCH_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sw_arena_block sw_arena_block;

typedef struct sw_arena {
    sw_arena_block *head; /* current block, newest first */
    size_t used_total;    /* bytes handed out since the last reset */
    size_t cap;           /* hard limit on used_total */
    char *next, *end;     /* free space of the current block */
} sw_arena;

void sw_arena_init(sw_arena *a, size_t cap);
/* New block and the cap check: the rare path of sw_arena_alloc. */
void *sw_arena_alloc_slow(sw_arena *a, size_t n);
/* Whether n bytes (rounded to 8) fit the current block and the cap. */
static inline int sw_arena_fits(const sw_arena *a, size_t n)
{
    return n <= (size_t)(a->end - a->next) && a->used_total + n <= a->cap;
}
/* Takes n bytes (rounded to 8) that sw_arena_fits said fit. */
static inline void *sw_arena_take(sw_arena *a, size_t n)
{
    void *p = a->next;
    a->next += n;
    a->used_total += n;
    return p;
}
/* n rounded up to 8; a size no arena holds when rounding would wrap past SIZE_MAX, which
 * would otherwise hand back a few bytes for a request of nearly all memory. */
static inline size_t sw_arena_round(size_t n)
{
    return n <= SIZE_MAX - 7u ? (n + 7u) & ~(size_t)7u : SIZE_MAX;
}
/* 8-byte aligned, uninitialised. Inline: a message makes hundreds of small allocations. */
static inline void *sw_arena_alloc(sw_arena *a, size_t n)
{
    n = sw_arena_round(n);
    return sw_arena_fits(a, n) ? sw_arena_take(a, n) : sw_arena_alloc_slow(a, n);
}
void *sw_arena_calloc(sw_arena *a, size_t n);
char *sw_arena_strndup(sw_arena *a, const char *s, size_t n); /* NUL-terminated copy */
/* The same, ASCII letters lower-cased (domains, result keywords). */
char *sw_arena_strndup_lower(sw_arena *a, const char *s, size_t n);
/* Formatted text (at most 1023 bytes, cut beyond) copied into the arena; NULL when full. */
char *sw_arena_printf(sw_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sw_arena_vprintf(sw_arena *a, const char *fmt, va_list ap);
/* Keeps one block of the smallest size for reuse, frees the rest. */
void sw_arena_reset(sw_arena *a);
void sw_arena_free(sw_arena *a);

#endif
