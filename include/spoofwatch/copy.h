/* Short copies and compares without a library call.
 *
 * Names, keywords and short values, most under 32 bytes, are copied and compared by the
 * hundred per message. memcpy or memcmp with a length unknown at compile time is a library
 * call; two fixed-size loads or moves that overlap cover any length of a size class, and the
 * compiler emits them inline. Owns nothing. */
#ifndef SPOOFWATCH_COPY_H
#define SPOOFWATCH_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Copies n <= 32 bytes from s to d (which must not overlap). */
static inline void sw_copy_upto32(char *d, const char *s, size_t n)
{
    if (n >= 16) {
        memcpy(d, s, 16);
        memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n) {
        d[0] = s[0];
        d[n / 2] = s[n / 2];
        d[n - 1] = s[n - 1];
    }
}

/* Copies n bytes from s to d (which must not overlap): inline up to 32, memcpy past that. */
static inline void sw_copy_short(char *d, const char *s, size_t n)
{
    if (n <= 32)
        sw_copy_upto32(d, s, n);
    else
        memcpy(d, s, n);
}

#if defined(__SSE2__)
static inline int sw_block16_differs(const char *a, const char *b)
{
    __m128i x = _mm_loadu_si128((const __m128i *)a), y = _mm_loadu_si128((const __m128i *)b);
    return _mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) != 0xffff;
}
#endif

/* a[0..n) == b[0..n), for header names and JSON keys (a few dozen bytes). Loads stay inside
 * both spans: the last block or word overlaps the one before it. */
static inline int sw_same_short(const char *a, const char *b, size_t n)
{
#if defined(__SSE2__)
    if (n >= 16) {
        for (size_t i = 0; i + 16 < n; i += 16)
            if (sw_block16_differs(a + i, b + i))
                return 0;
        return !sw_block16_differs(a + n - 16, b + n - 16);
    }
#endif
    uint64_t x, y;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y)
                return 0;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    uint32_t u, v;
    if (n >= 4) {
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        if (u != v)
            return 0;
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return u == v;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

#endif
