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
    const char *format; /* eml, mbox, maildir, emlx, partial-emlx; for logs the source id
                         * (defender-emailevents, o365-timaildata, ...: docs/sources.md) */
    int compressed;     /* read through gzip */
    long index;         /* n-th message in the file (mbox), 0-based; -1 when not counted */
    uint64_t line;      /* logs: 1-based line (or record number) of the first row; 0 for mail */
} sw_source;

typedef struct sw_recipient {
    const char *address;
    const char *display_name;
    const char *field; /* to, cc, bcc, delivered-to, x-original-to, envelope-to; logs: the
                        * source's column, e.g. RecipientEmailAddress */
    /* Delivery outcome for this recipient, as the log wrote it (NULL when not logged):
     * EmailEvents DeliveryAction/DeliveryLocation/LatestDelivery*, TIMailData
     * DeliveryAction/Original-/LatestDeliveryLocation, trace Status, tracking-log
     * event-id/recipient-status, Gmail event_info.success/is_spam. */
    const char *delivery_action;
    const char *delivery_location;
    const char *latest_location;
    const char *status;
    int delivered; /* SW_DELIVERED_* from the fields above */
} sw_recipient;

enum { SW_DELIVERED_UNKNOWN = 0, SW_DELIVERED_INBOX, SW_DELIVERED_JUNK, SW_DELIVERED_BLOCKED };

/* Facts only a log carries: one record's worth, merged over its rows. Strings are as
 * logged (evidence), in the record's arena. */
typedef struct sw_log_kv {
    const char *key, *value;
} sw_log_kv;

enum {
    /* what the provider itself concluded */
    SW_LOGF_PROVIDER_SPOOF = 1u << 0, /* detection names spoofing (Spoof DMARC, ...) */
    SW_LOGF_PROVIDER_PHISH = 1u << 1, /* verdict or threat type phish */
    SW_LOGF_PROVIDER_SPAM = 1u << 2,  /* spam / bulk / Gmail is_spam */
    SW_LOGF_PROVIDER_MALWARE = 1u << 3,
    SW_LOGF_OVERRIDE_ALLOW = 1u << 4,  /* delivered because an allow rule overrode a verdict */
    SW_LOGF_POLICY_EXEMPT = 1u << 5,   /* phishing simulation / SecOps mailbox policy */
    SW_LOGF_DMARC_AGGREGATE = 1u << 6, /* a DMARC aggregate-report row, not one message */
};

enum {
    /* facts this source cannot carry, so signals say "absent" instead of guessing */
    SW_LOG_NO_AUTH = 1u << 0,          /* no SPF/DKIM/DMARC results at all */
    SW_LOG_NO_HEADER_FROM = 1u << 1,   /* no RFC 5322 From (P2) */
    SW_LOG_NO_ENVELOPE_FROM = 1u << 2, /* no MAIL FROM (P1) */
    SW_LOG_NO_DELIVERY = 1u << 3,      /* no delivery outcome */
    SW_LOG_NO_DKIM_DOMAIN = 1u << 4,   /* DKIM result without the signing domain */
};

typedef struct sw_log_facts {
    const char *time; /* the log's event time, as logged */
    int64_t time_epoch;
    int has_time;
    const char *network_message_id;
    const char *direction;        /* Inbound, Outbound, Intra-org, ... */
    const char *sender_ip;        /* last relay before the provider */
    const char *provider_verdict; /* Verdict / ThreatTypes / spam classification, as logged */
    const char *detection;        /* DetectionMethods / ThreatsAndDetectionTech, as logged */
    const char *overrides;        /* SystemOverrides / OrgLevelPolicy / allow rules, as logged */
    unsigned flags;               /* SW_LOGF_* */
    unsigned absent;              /* SW_LOG_NO_* */
    uint64_t count;               /* messages the row stands for (DMARC aggregate); 0 = 1 */
    unsigned rows;                /* rows merged into this record */
    sw_log_kv *fields;            /* further source facts, kept as evidence */
    size_t nfields;
} sw_log_facts;

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
    int from_log; /* written by the provider's own log: trusted as the receiver's verdict */
} sw_authres_header;

typedef struct sw_anomaly {
    const char *id;     /* stable name, e.g. multiple_from_headers */
    const char *detail; /* human text with the value concerned */
    uint64_t offset;    /* in the message */
} sw_anomaly;

typedef struct sw_record {
    sw_source source;
    sw_header_block headers;
    /* The message bytes the record was read from (NULL for log records); like the header
     * fields they point into, valid only while the reader's callback runs. mbox_quoted:
     * an mbox body that may carry ">From " quoting (sw_mbox_unquote before hashing it). */
    const char *msg;
    size_t msg_len;
    int mbox_quoted;

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
    sw_authres_header *arh; /* every A-R / AAR / A-R-Original header, in header order; for
                             * logs one entry per logged authentication field */
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

    sw_log_facts log; /* records read from logs (has_log): what the provider logged */
    int has_log;
} sw_record;

/* Parses msg[0..len) into rec. Never fails on hostile input (anomalies are recorded);
 * returns SW_ENOMEM only when the arena cap is reached. */
int sw_record_from_mail(sw_arena *a, const char *msg, size_t len, const sw_source *src,
                        sw_record *rec, sw_error *err);
int sw_record_add_anomaly(sw_arena *a, sw_record *rec, const char *id, uint64_t offset,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Names of one SW_LOGF_* bit (its JSON id) and of one SW_LOG_NO_* bit (JSON id, and words
 * for text); NULL for a bit without a name. Bits run from 1u << 0 to 1u << 15. */
const char *sw_log_flag_name(unsigned bit);
const char *sw_log_absent_name(unsigned bit);
const char *sw_log_absent_words(unsigned bit);
/* "delivered", "junk", "blocked", "unknown" for SW_DELIVERED_*. */
const char *sw_delivered_name(int delivered);
/* Appends the record as one JSON object (no newline). */
int sw_record_write_json(const sw_record *rec, sw_buf *out);
/* Writes the record's members into an object the caller opened, so later stages (the
 * verdict) can add theirs to the same object. */
struct sw_json;
void sw_record_write_json_members(const sw_record *rec, struct sw_json *j);

#endif
