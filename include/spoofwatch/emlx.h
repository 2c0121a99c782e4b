/* Apple Mail .emlx and .partial.emlx (see docs/formats.md in shared: §3.1).
 *
 * Layout: a decimal byte-count line, that many bytes of RFC 5322 message, then an XML
 * property list. A plain .emlx whose count overruns the file is truncated and rejected;
 * in a .partial.emlx the count may exceed the bytes present (it counts detached parts), so
 * the plist is found by scanning back for "<?xml" ... "</plist>" and the count is a hint.
 * The plist is read with a small bounded scanner (only <key>, <integer>, <real>, <string>
 * inside the top <dict>; only the five predefined XML entities are decoded, never DTD ones).
 *
 * The message span points into the caller's bytes; context strings live in the arena. */
#ifndef SPOOFWATCH_EMLX_H
#define SPOOFWATCH_EMLX_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"
#include "spoofwatch/mailctx.h"

typedef struct sw_emlx {
    const char *msg; /* the RFC 5322 message inside data */
    size_t msg_len;
    uint64_t msg_offset; /* offset of msg in data (after the count line) */
    sw_mail_context ctx; /* plist facts; path facts are added by sw_emlx_context_from_path */
} sw_emlx;

/* Parses a whole file image. partial: the file name ends in .partial.emlx. Returns SW_OK,
 * or SW_EFORMAT with a message naming the byte offset ("no byte-count line", "byte count
 * 497 overruns the file (495 bytes follow the count line)", "no property list"...). */
int sw_emlx_parse(sw_arena *a, const char *data, size_t len, int partial, sw_emlx *out,
                  sw_error *err);
/* Fills user, mail_version, account and mailbox from a path such as
 * /Users/ann/Library/Mail/V10/<account>/INBOX.mbox/<uuid>/Data/1/Messages/12.emlx.
 * Leaves fields NULL when the path does not have that shape. */
void sw_emlx_context_from_path(sw_arena *a, const char *path, sw_mail_context *ctx);
/* Names of set flag bits ("read", "junk", "not_junk", ...); returns the count written. */
size_t sw_emlx_flag_names(uint64_t flags, const char **names, size_t max);

#endif
