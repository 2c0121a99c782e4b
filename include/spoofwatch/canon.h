/* DKIM canonicalization (RFC 6376 §3.4): "simple" and "relaxed" for header fields and
 * bodies, shared by DKIM (auth/dkim.c) and ARC (RFC 8617 uses the same algorithms).
 *
 * Input is the message as stored: lines may end in CRLF or in a bare LF (mbox, Maildir,
 * .emlx and most fixtures); a bare LF is read as CRLF, so LF-stored mail canonicalizes as
 * if it had been converted first, without copying it. Output goes to a write callback
 * (normally a hash update) in as few calls as the input allows. Nothing here allocates
 * except sw_canon_strip_b, which copies into the caller's arena. */
#ifndef SPOOFWATCH_CANON_H
#define SPOOFWATCH_CANON_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"

typedef enum sw_canon_mode { SW_CANON_SIMPLE = 0, SW_CANON_RELAXED = 1 } sw_canon_mode;

/* Receives canonical bytes; called with n > 0 only. */
typedef void (*sw_canon_write_fn)(void *ctx, const void *p, size_t n);

/* Parses a c= value: "" or NULL -> simple/simple; "x" -> x/simple; "x/y". Names are
 * case-sensitive as RFC 6376 writes them. 0, or -1 for anything else. */
int sw_canon_parse(const char *c, sw_canon_mode *header, sw_canon_mode *body);
const char *sw_canon_name(sw_canon_mode m); /* "simple" / "relaxed" */

/* One header field: raw[0..n) is the field as in the message, from its name to the last
 * byte before its final line end (sw_header_field.raw). Appends CRLF when crlf is set
 * (every signed field but the signature's own, RFC 6376 §3.7). */
void sw_canon_header(sw_canon_mode m, const char *raw, size_t n, int crlf, sw_canon_write_fn w,
                     void *ctx);

/* A copy of the raw signature field with the value of its b= tag removed (the text after
 * "b=" up to the next ';' or the end), everything else kept byte for byte (RFC 6376
 * §3.7). When no b= tag is found the copy is unchanged. 0 or SW_ENOMEM. */
int sw_canon_strip_b(sw_arena *a, const char *raw, size_t n, const char **out, size_t *out_len);

/* The body body[0..n). Emits at most `limit` canonical bytes (UINT64_MAX: no l=) and
 * returns the length of the whole canonical body, so a caller can tell content beyond l=
 * (returned length > limit) from an l= longer than the body (returned length < limit).
 * simple: trailing empty lines dropped, an empty body becomes CRLF, a last line without
 * a line end gets one; relaxed: additionally WSP runs become one SP and WSP at line ends
 * goes, an empty body stays empty. */
uint64_t sw_canon_body(sw_canon_mode m, const char *body, size_t n, uint64_t limit,
                       sw_canon_write_fn w, void *ctx);

#endif
