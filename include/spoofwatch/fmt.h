/* Formatting short texts (explanations, evidence) without stdio.
 *
 * A message builds dozens of small formatted strings (signal evidence, DKIM/SPF/DMARC/ARC
 * reasons, DMARC steps), and glibc's vsnprintf sets up a FILE per call and runs a generic
 * conversion engine: it cost more than the checks that asked for the text. sw_vformat does
 * the conversions those texts use itself, byte for byte as glibc prints them: %s, %.*s, %d,
 * %+d, %u, %ld, %zu, %lld, %+lld, %llu and %%. Any other format, and a NULL %s (glibc has its
 * own way with it), goes to vsnprintf, so the result is always vsnprintf's. Owns nothing. */
#ifndef SPOOFWATCH_FMT_H
#define SPOOFWATCH_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* vsnprintf's contract: writes at most cap - 1 bytes and a NUL (when cap > 0) and returns
 * the length of the whole text, or -1 on an error vsnprintf reports. ap is consumed. */
int sw_vformat(char *buf, size_t cap, const char *fmt, va_list ap);

#endif
