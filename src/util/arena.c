/* Per-message bump allocator: see include/spoofwatch/arena.h. */
#include "spoofwatch/arena.h"

#include <stdio.h>
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
    n = (n + 7u) & ~(size_t)7u;
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

char *sw_arena_strndup(sw_arena *a, const char *s, size_t n)
{
    char *p = sw_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sw_arena_strndup_lower(sw_arena *a, const char *s, size_t n)
{
    char *p = sw_arena_strndup(a, s, n);
    if (p)
        for (size_t i = 0; i < n; i++)
            if (p[i] >= 'A' && p[i] <= 'Z')
                p[i] = (char)(p[i] - 'A' + 'a');
    return p;
}

void sw_arena_reset(sw_arena *a)
{
    sw_arena_block *b = a->head;
    if (!b)
        return;
    /* Keep the oldest (last) block of the smallest size, free the others. */
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

char *sw_arena_vprintf(sw_arena *a, const char *fmt, va_list ap)
{
    char text[1024];
    int n = vsnprintf(text, sizeof text, fmt, ap);
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
