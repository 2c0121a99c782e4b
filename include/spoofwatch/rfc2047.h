/* RFC 2047 encoded-word decoding for unstructured text and display names.
 *
 * Each encoded word is decoded on its own and the decoded bytes are joined; whitespace
 * between two adjacent encoded words is dropped (RFC 2047 §6.2). Libraries that join the
 * base64 payloads first lose text after "=" padding; we never do. Charsets go through
 * iconv to UTF-8. A word in an unknown charset is kept verbatim and reported, never
 * dropped. The result lives in the caller's arena. */
#ifndef SPOOFWATCH_RFC2047_H
#define SPOOFWATCH_RFC2047_H

#include <stddef.h>
#include "spoofwatch/arena.h"

enum {
    SW_2047_ENCODED = 1u << 0,         /* at least one encoded word was decoded */
    SW_2047_UNKNOWN_CHARSET = 1u << 1, /* a word's charset is unknown to iconv: kept raw */
    SW_2047_MALFORMED = 1u << 2,       /* bad base64 / Q escape / unterminated word */
    SW_2047_CONTROL = 1u << 3,         /* decoded text holds CR, LF, NUL or other controls */
    SW_2047_INVALID_UTF8 = 1u << 4,    /* bytes that are not UTF-8 remain */
    SW_2047_TRUNCATED = 1u << 5        /* output reached SW_MAX_DECODED */
};

typedef struct sw_decoded {
    char *text; /* arena, NUL-terminated UTF-8 (invalid bytes passed through) */
    size_t len;
    unsigned flags;
    unsigned words;           /* number of encoded words seen */
    char unknown_charset[48]; /* the first unknown charset name, if any */
} sw_decoded;

/* Decodes in[0..n). Returns 0, or SW_ENOMEM when the arena is exhausted. */
int sw_rfc2047_decode(sw_arena *a, const char *in, size_t n, sw_decoded *out);

/* 1 when s[0..n) holds "=?", where an encoded word could start: a cheap test before
 * decoding, or before looking for encoded words where RFC 2047 forbids them. */
int sw_rfc2047_has_start(const char *s, size_t n);

#endif
