/* The message record: the one contract between readers and every later stage.
 *
 * A reader hands sw_record_from_mail() the bytes of one message and where they came from;
 * the record keeps the identities (From with display name, Return-Path, Sender, Reply-To),
 * ids, recipients, every authentication fact with the header it came from, the Received
 * path and every parsing anomaly. Nothing here judges: trust and verdicts come later.
 *
 * Memory: every pointer in the record lives in the arena passed in (or in the message
 * bytes / source strings, which the caller keeps alive until the record is written).
 * Reset the arena to drop the record. JSON form: sw_record_write_json(), schema in
 * docs/record-schema.md. */
#ifndef SPOOFWATCH_RECORD_H
#define SPOOFWATCH_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/address.h"
#include "spoofwatch/arena.h"
#include "spoofwatch/authres.h"
#include "spoofwatch/buf.h"
#include "spoofwatch/header.h"
#include "spoofwatch/mailctx.h"
#include "spoofwatch/received.h"
#include "spoofwatch/tags.h"
#include "spoofwatch/mstransport.h"

/* Where a message came from, for evidence. Strings are owned by the reader. */
typedef struct sw_source {
    const char *path;   /* file path, or "-" for stdin */
    uint64_t offset;    /* byte offset of the message in that file (after decompression) */
    uint64_t length;    /* bytes of the message */
    const char *format; /* eml, mbox, maildir, emlx, partial-emlx */
    int compressed;     /* read through gzip */
    long index;         /* n-th message in the file (mbox), 0-based */
} sw_source;

typedef struct sw_recipient {
    const char *address;
    const char *display_name;
    const char *field; /* to, cc, bcc, delivered-to, x-original-to, envelope-to */
} sw_recipient;

/* One authentication result, from whichever header stated it. */
typedef struct sw_auth_fact {
    const char *method, *result, *reason, *action, *comment;
    const char *origin;      /* header name as spoofwatch names it, e.g. Authentication-Results */
    int origin_index;        /* 0 = topmost header of that name */
    size_t field_index;      /* position in the header block */
    uint64_t offset;         /* byte offset of that header in the message */
    const char *authserv_id; /* "" for the Microsoft form */
    int arc_instance;        /* AAR i=, -1 otherwise */
    const sw_authres_prop *props;
    size_t nprops;
} sw_auth_fact;

/* One Authentication-Results-like header as a whole (its results are in `auth`). Kept so
 * that trust can be decided per header, including headers with no results ("; none") and
 * headers that did not parse. */
typedef struct sw_authres_header {
    const char *origin; /* header name */
    int origin_index;   /* 0 = topmost of that name */
    size_t field_index;
    uint64_t offset;
    const char *authserv_id; /* "" for the Microsoft form, NULL when it did not parse */
    size_t first_fact;       /* index of its first entry in `auth` */
    size_t nfacts;
    int parsed;
} sw_authres_header;

typedef struct sw_anomaly {
    const char *id;     /* stable name, e.g. multiple_from_headers */
    const char *detail; /* human text with the value concerned */
    uint64_t offset;    /* in the message */
} sw_anomaly;

typedef struct sw_record {
    sw_source source;
    sw_header_block headers;

    const char *message_id; /* as written, brackets kept */
    const char *subject;    /* RFC 2047-decoded */
    const char *date;       /* as written */
    int64_t date_epoch;     /* UTC seconds, valid when has_date */
    int date_offset_min;
    int has_date;

    sw_mailbox from; /* first mailbox with a domain in the first From header */
    int has_from;
    sw_address_list from_all; /* every mailbox of the first From header */
    size_t from_header_count;
    sw_address_list sender;
    sw_address_list reply_to;
    const char *envelope_from; /* Return-Path address ("" for the null sender <>), NULL if none */
    size_t return_path_count;

    sw_recipient *recipients;
    size_t nrecipients;

    sw_auth_fact *auth;
    size_t nauth;
    sw_authres_header *arh; /* every A-R / AAR / A-R-Original header, in header order */
    size_t narh;

    sw_received_hop *received; /* index 0 = topmost (newest) */
    size_t nreceived;

    sw_dkim_sig *dkim; /* DKIM-Signature headers, topmost first */
    size_t ndkim;
    sw_arc_set *arc; /* ARC sets by instance, ascending */
    size_t narc;

    sw_ms_transport ms; /* Microsoft anti-spam / transport headers */
    sw_list_info list;  /* List-* headers */

    sw_anomaly *anomalies;
    size_t nanomalies;

    sw_mail_context ctx; /* Apple Mail account/mailbox/user and plist facts */
    int has_ctx;
} sw_record;

/* Parses msg[0..len) into rec. Never fails on hostile input (anomalies are recorded);
 * returns SW_ENOMEM only when the arena cap is reached. */
int sw_record_from_mail(sw_arena *a, const char *msg, size_t len, const sw_source *src,
                        sw_record *rec, sw_error *err);
int sw_record_add_anomaly(sw_arena *a, sw_record *rec, const char *id, uint64_t offset,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Appends the record as one JSON object (no newline). */
int sw_record_write_json(const sw_record *rec, sw_buf *out);
/* Writes the record's members into an object the caller opened, so later stages (the
 * verdict) can add theirs to the same object. */
struct sw_json;
void sw_record_write_json_members(const sw_record *rec, struct sw_json *j);

#endif
