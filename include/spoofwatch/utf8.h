/* UTF-8 validation helpers (no allocation). */
#ifndef SPOOFWATCH_UTF8_H
#define SPOOFWATCH_UTF8_H

#include <stddef.h>

/* Length (1-4) of the valid UTF-8 sequence at p, or 0 when p does not start one
 * (overlongs, surrogates and code points past U+10FFFF are invalid). */
size_t sw_utf8_valid_prefix(const unsigned char *p, size_t n);
/* 1 when all of s[0..n) is valid UTF-8. */
int sw_utf8_valid(const char *s, size_t n);

#endif
