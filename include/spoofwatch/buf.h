/* Growable byte buffer that cannot be made without its limit.
 *
 * The caller owns the struct and frees the bytes with sw_buf_free(). Appends past `cap`
 * fail with SW_ELIMIT and leave the buffer unchanged, so a hostile input can never make it
 * grow without bound. `data` is always NUL-terminated after a successful append. */
#ifndef SPOOFWATCH_BUF_H
#define SPOOFWATCH_BUF_H

#include <stddef.h>

typedef struct sw_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
    char *local; /* the caller's first storage (sw_buf_init_local), never freed; or NULL */
} sw_buf;

void sw_buf_init(sw_buf *b, size_t cap);
/* The same, but the first `size` bytes live in the caller's `mem` (a stack array that
 * outlives the buffer): short-lived buffers of parsers then cost no malloc/free. Growing
 * past it moves to the heap; sw_buf_free frees only the heap copy. size must be >= 1. */
void sw_buf_init_local(sw_buf *b, size_t cap, char *mem, size_t size);
int sw_buf_append(sw_buf *b, const void *p, size_t n);
int sw_buf_puts(sw_buf *b, const char *s);
int sw_buf_putc(sw_buf *b, char c);
int sw_buf_printf(sw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sw_buf_clear(sw_buf *b);

/* Inline fast path for the many small appends of the JSON writer. */
static inline int sw_buf_add(sw_buf *b, const void *p, size_t n)
{
    if (b->alloc && n < b->alloc - b->len && b->len + n <= b->cap) {
        __builtin_memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return sw_buf_append(b, p, n);
}
void sw_buf_free(sw_buf *b);

#endif
