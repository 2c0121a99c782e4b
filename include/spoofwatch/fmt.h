/* Formatting short texts (explanations, evidence) without stdio.
 *
 * A message builds dozens of small formatted strings (signal evidence, DKIM/SPF/DMARC/ARC
 * reasons, DMARC steps), and glibc's vsnprintf sets up a FILE per call and runs a generic
 * conversion engine: it cost more than the checks that asked for the text. sw_vformat does
 * the conversions those texts use itself, byte for byte as glibc prints them: %s, %.*s, %d,
 * %+d, %u, %ld, %zu, %lld, %+lld, %llu and %%. Any other format, and a NULL %s (glibc has its
 * own way with it), goes to vsnprintf, so the result is always vsnprintf's. A caller that
 * knows its pieces (detection's evidence) appends them to an sw_text instead, with no format
 * to parse. Owns nothing. */
#ifndef SPOOFWATCH_FMT_H
#define SPOOFWATCH_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include "spoofwatch/copy.h"

/* vsnprintf's contract: writes at most cap - 1 bytes and a NUL (when cap > 0) and returns
 * the length of the whole text, or -1 on an error vsnprintf reports. ap is consumed. */
int sw_vformat(char *buf, size_t cap, const char *fmt, va_list ap);

/* A text appended piece by piece, for a caller that knows its pieces: no format is parsed
 * and a literal's length is known at compile time. The text is cut at cap - 1 bytes, as
 * sw_vformat would cut the same text; sw_text_end adds the NUL. buf holds cap bytes. */
typedef struct sw_text {
    char *buf;
    size_t len; /* at most cap - 1 */
    size_t cap; /* at least 1 */
} sw_text;

static inline void sw_text_put(sw_text *t, const char *s, size_t n)
{
    size_t room = t->cap - 1 - t->len;
    if (n > room)
        n = room;
    sw_copy_short(t->buf + t->len, s, n);
    t->len += n;
}
/* sw_text_put out of line: a literal's rare path, where it is cut. */
void sw_text_put_cut(sw_text *t, const char *s, size_t n);
/* A literal's bytes, whole when they fit (the common case). Always inlined: the length is a
 * constant only at the call, where the copy is then a few moves of fixed size. */
static inline __attribute__((always_inline)) void sw_text_lit_(sw_text *t, const char *s,
                                                              size_t n)
{
    if (n <= t->cap - 1 - t->len) {
        memcpy(t->buf + t->len, s, n);
        t->len += n;
    } else {
        sw_text_put_cut(t, s, n);
    }
}
#define SW_TEXT_LIT(t, lit) sw_text_lit_((t), "" lit, sizeof(lit) - 1)
/* %s: NULL is "(null)", as glibc prints it. */
static inline void sw_text_str(sw_text *t, const char *s)
{
    if (!s)
        s = "(null)";
    sw_text_put(t, s, strlen(s));
}
/* %lld (and %d, %ld), with a sign for positive values when plus (%+lld). */
void sw_text_int(sw_text *t, long long v, int plus);
/* %llu (and %u, %zu). */
void sw_text_uint(sw_text *t, unsigned long long v);
/* NUL-terminates the text; its length. */
static inline size_t sw_text_end(sw_text *t)
{
    t->buf[t->len] = '\0';
    return t->len;
}

#endif
