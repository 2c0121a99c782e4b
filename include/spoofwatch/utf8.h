/* UTF-8 validation helpers (no allocation), and the one UTF-16 conversion (allocates). */
#ifndef SPOOFWATCH_UTF8_H
#define SPOOFWATCH_UTF8_H

#include <stddef.h>
#include "spoofwatch/error.h"

/* Length (1-4) of the valid UTF-8 sequence at p, or 0 when p does not start one
 * (overlongs, surrogates and code points past U+10FFFF are invalid). */
size_t sw_utf8_valid_prefix(const unsigned char *p, size_t n);
/* 1 when all of s[0..n) is valid UTF-8. */
int sw_utf8_valid(const char *s, size_t n);

/* 1 (little-endian) or 2 (big-endian) when data starts with a UTF-16 byte-order mark, else
 * 0. Windows exports (PowerShell 5.1 redirection, EXO reports) are UTF-16 with a BOM. */
int sw_utf16_bom(const char *data, size_t len);
/* Converts UTF-16 text (after its BOM) to UTF-8 with iconv into a malloc'd, NUL-terminated
 * buffer the caller frees. A unit that does not convert (a lone surrogate) becomes U+FFFD
 * and the rest is still read; an odd trailing byte is dropped. `what` names the input in
 * errors; inputs over SW_MAX_UTF16_INPUT bytes are refused (SW_ELIMIT). */
int sw_utf16_to_utf8(const char *data, size_t len, int big_endian, const char *what, char **out,
                     size_t *out_len, sw_error *err);

#endif
