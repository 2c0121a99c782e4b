/* Explanation text of the verification path: DKIM/SPF/DMARC/ARC reasons, DMARC steps, SPF
 * evidence lines. A verified message builds a dozen or more such strings, and glibc's
 * vsnprintf (a FILE set up per call, then a generic conversion engine) cost more than the
 * DMARC evaluation that asked for them. These handle the conversions that text uses, %s,
 * %.*s, %d, %u, %ld, %zu, %lld, %llu and %%, byte for byte as glibc prints them, and hand
 * any other format (and a NULL %s, which glibc prints in its own way) to vsnprintf.
 * Implemented in src/auth/dns.c, the base every auth module links with. */
#ifndef SPOOFWATCH_AUTHFMT_H
#define SPOOFWATCH_AUTHFMT_H

#include <stdarg.h>
#include <stddef.h>
#include "spoofwatch/arena.h"

/* vsnprintf's contract: writes at most cap - 1 bytes and a NUL (cap > 0), returns the
 * length the whole text has, or -1 on an error vsnprintf reports. */
int sw_auth_vformat(char *buf, size_t cap, const char *fmt, va_list ap);

/* sw_arena_printf's contract: the text in a, cut at 1023 bytes; NULL when a is full. */
char *sw_auth_vprintf(sw_arena *a, const char *fmt, va_list ap);
char *sw_auth_printf(sw_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
