/* Short copies without a library call.
 *
 * Names, keywords and short values, most under 32 bytes, are copied by the hundred per
 * message. memcpy with a length unknown at compile time is a library call; two fixed-size
 * moves that overlap cover any length of a size class, and the compiler emits them inline.
 * Owns nothing. */
#ifndef SPOOFWATCH_COPY_H
#define SPOOFWATCH_COPY_H

#include <stddef.h>
#include <string.h>

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

#endif
