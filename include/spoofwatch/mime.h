/* A small MIME walker: enough structure to reach report attachments and ARF parts.
 *
 * sw_mime_parse() splits a message into its parts in document order (pre-order: a
 * multipart comes before its children). Each part keeps its own header block, its
 * Content-Type (lower-cased type/subtype and the parameters spoofwatch uses),
 * Content-Disposition and filename, transfer encoding, and the span of its still-encoded
 * body inside the message. Multiparts are split on their boundary and walked down to
 * SW_MIME_MAX_DEPTH; message/rfc822 and every other message type is a leaf (their body is the
 * enclosed message, for whoever reads it as mail). sw_mime_decode() undoes base64 or
 * quoted-printable into the arena, capped at SW_MIME_MAX_DECODED.
 *
 * Nothing here fails on hostile input: missing or wrong boundaries make the part a leaf,
 * an unterminated multipart ends at the end of its parent, and the caps set flags.
 *
 * Memory: the part array, parameter values and decoded bodies live in the arena; header
 * and body spans point into the message, which the caller keeps alive. */
#ifndef SPOOFWATCH_MIME_H
#define SPOOFWATCH_MIME_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/header.h"

#define SW_MIME_MAX_DEPTH 16
#define SW_MIME_MAX_PARTS 256
#define SW_MIME_MAX_DECODED (64u << 20)

enum {
    SW_MIME_TOO_DEEP = 1u << 0,       /* multiparts nested past SW_MIME_MAX_DEPTH */
    SW_MIME_TOO_MANY_PARTS = 1u << 1, /* parts past SW_MIME_MAX_PARTS were not listed */
    SW_MIME_NO_CLOSE = 1u << 2,       /* a multipart without its closing boundary */
    SW_MIME_NO_BOUNDARY = 1u << 3,    /* a multipart type without a boundary parameter */
};

typedef struct sw_mime_part {
    const char *type;        /* "text/plain" lower case; "text/plain" when absent */
    const char *boundary;    /* multipart only */
    const char *charset;     /* as written */
    const char *report_type; /* multipart/report report-type, lower case */
    const char *name;        /* Content-Type name= */
    const char *disposition; /* "attachment", "inline", lower case; NULL when absent */
    const char *filename;    /* Content-Disposition filename= (RFC 2231 form decoded) */
    const char *encoding;    /* Content-Transfer-Encoding lower case; "7bit" when absent */
    sw_header_block headers; /* the part's own header fields (the message's for part 0) */
    const char *body;        /* encoded body span in the message */
    size_t body_len;
    uint64_t offset; /* of the part's first header byte in the message */
    int depth;       /* 0 = the message itself */
    int parent;      /* index of the enclosing multipart, -1 for the message */
} sw_mime_part;

typedef struct sw_mime {
    sw_mime_part *parts; /* parts[0] is the message itself */
    size_t nparts;
    unsigned flags; /* SW_MIME_* */
} sw_mime;

/* Walks msg[0..len). Returns SW_OK, or SW_ENOMEM when the arena cap is reached. */
int sw_mime_parse(sw_arena *a, const char *msg, size_t len, sw_mime *out);

/* The part's body with its transfer encoding undone (base64, quoted-printable; other
 * encodings as they are), NUL-terminated in the arena. 0, or -1 when the arena is full or
 * the encoded body passes SW_MIME_MAX_DECODED (decoding never grows a body, so the decoded
 * size stays under it too). */
int sw_mime_decode(sw_arena *a, const sw_mime_part *p, const char **out, size_t *out_len);

/* A parameter of a structured field value ("type/sub; a=b; c=\"d\""), NULL when absent.
 * RFC 2231 name*=charset'lang'%xx and name*0= continuations are joined and decoded. */
const char *sw_mime_param(sw_arena *a, const char *value, const char *name);

/* Base64 decoding that skips whitespace and stops at padding or junk; the number of bytes
 * written to out (which holds at least n * 3 / 4 + 3 bytes). */
size_t sw_mime_base64(const char *in, size_t n, unsigned char *out);

#endif
