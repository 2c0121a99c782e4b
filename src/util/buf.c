/* Capped growable buffer: see include/spoofwatch/buf.h. */
#include "spoofwatch/buf.h"
#include "spoofwatch/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sw_buf_init(sw_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
    b->local = NULL;
}

void sw_buf_init_local(sw_buf *b, size_t cap, char *mem, size_t size)
{
    mem[0] = '\0';
    b->data = mem;
    b->len = 0;
    b->alloc = size;
    b->cap = cap;
    b->local = mem;
}

static int sw_buf_reserve(sw_buf *b, size_t extra)
{
    if (extra > b->cap || b->len > b->cap - extra)
        return SW_ELIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return SW_OK;
    size_t n = b->alloc ? b->alloc : 256;
    while (n < need)
        n *= 2;
    char *p;
    if (b->data && b->data == b->local) {
        /* leaving the caller's storage: it is not ours to realloc */
        p = malloc(n);
        if (p)
            memcpy(p, b->data, b->len + 1);
    } else {
        p = realloc(b->data, n);
    }
    if (!p)
        return SW_ENOMEM;
    b->data = p;
    b->alloc = n;
    return SW_OK;
}

int sw_buf_append(sw_buf *b, const void *p, size_t n)
{
    int rc = sw_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return SW_OK;
}

int sw_buf_puts(sw_buf *b, const char *s)
{
    return sw_buf_append(b, s, strlen(s));
}

int sw_buf_putc(sw_buf *b, char c)
{
    /* the allocation doubles past the cap: both are checked, as in sw_buf_add */
    if (b->len + 1 < b->alloc && b->len < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return SW_OK;
    }
    return sw_buf_append(b, &c, 1);
}

int sw_buf_printf(sw_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SW_EINVAL;
    if ((size_t)n < sizeof small)
        return sw_buf_append(b, small, (size_t)n);
    int rc = sw_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return SW_OK;
}

void sw_buf_clear(sw_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void sw_buf_free(sw_buf *b)
{
    if (b->data != b->local)
        free(b->data);
    sw_buf_init(b, b->cap);
}
