/* Evidence: the flat facts the store, trace, campaigns, alerts and coverage keep of one
 * record.
 *
 * sw_evidence_from() distils a record and its assessment into ids, identities, the
 * authentication outcomes the verdict relied on (each with the header or log field it came
 * from), every recipient's delivery outcome, the signals that counted, the join keys, the
 * campaign key parts and the coverage bits (which facts the record carries at all).
 *
 * Memory: strings point into the record, the assessment or the arena passed in; the
 * evidence lives as long as they do. The observation key is inline.
 * Readers of the store (src/store/query.c) fill the same struct from its rows, with strings
 * in their own arena. */
#ifndef SPOOFWATCH_EVIDENCE_H
#define SPOOFWATCH_EVIDENCE_H
#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/detect.h"
#include "spoofwatch/record.h"

/* Which facts a record carries (coverage counts them per source and day). */
enum {
    SW_EV_SPF = 1u << 0,        /* an SPF result */
    SW_EV_DKIM = 1u << 1,       /* a DKIM result */
    SW_EV_DMARC = 1u << 2,      /* a DMARC result */
    SW_EV_ENVELOPE = 1u << 3,   /* the envelope sender (MAIL FROM / Return-Path) */
    SW_EV_RECIPIENTS = 1u << 4, /* at least one recipient */
    SW_EV_MESSAGE_ID = 1u << 5, /* an Internet Message-ID */
    SW_EV_DELIVERY = 1u << 6,   /* a delivery outcome for some recipient */
    SW_EV_FROM = 1u << 7,       /* the header From */
    SW_EV_CLIENT_IP = 1u << 8,  /* the sending IP */
};
#define SW_EV_NFACTS 9
/* "spf", "dkim", "dmarc", "envelope_from", "recipients", "message_id", "delivery", "from",
 * "client_ip" for one SW_EV_* bit (JSON and column names); NULL for other bits. */
const char *sw_evidence_fact_name(unsigned bit);

/* One authentication outcome (NULL result: the record has none for that method). */
typedef struct sw_ev_auth {
    const char *result;
    const char *domain; /* the identity it is about (smtp.mailfrom domain, header.d, From) */
    const char *origin; /* header or log field it came from, "spoofwatch" when verified */
} sw_ev_auth;

typedef struct sw_ev_recipient {
    const char *address;
    const char *field;    /* to, cc, delivered-to, RecipientEmailAddress ... */
    const char *action;   /* as logged: Delivered, Blocked, Junked ... (NULL for mail) */
    const char *location; /* as logged: Inbox/folder, Quarantine ... */
    const char *delivered; /* sw_delivered_name(): delivered, junk, blocked, unknown */
} sw_ev_recipient;

typedef struct sw_ev_signal {
    const char *id;
    int weight;
    const char *evidence;
} sw_ev_signal;

typedef struct sw_evidence {
    /* What the record is and where it came from. */
    char key[33];       /* observation id: hex of 128 bits of SHA-256 over the record's
                         * content (the message bytes; for logs the logged facts), so the
                         * same input stored twice is one observation */
    const char *path;   /* source file */
    uint64_t offset;    /* byte offset (mail) */
    uint64_t line;      /* 1-based line or record number (logs), 0 for mail */
    const char *format; /* eml, mbox, ..., defender-emailevents, o365-timaildata ... */
    int from_log;
    int64_t time; /* event time (log) or Date (mail), UTC seconds; valid when has_time */
    int has_time;
    /* Ids. The *_key forms are the join keys: Message-ID without angle brackets and
     * surrounding space, lower-cased; NetworkMessageId lower-cased. NULL when absent. */
    const char *message_id;
    const char *message_id_key;
    const char *network_message_id;
    const char *network_message_id_key;
    /* Identities. */
    const char *from_address, *from_display, *from_domain, *from_org;
    const char *envelope_from, *envelope_domain;
    const char *reply_to; /* first Reply-To address */
    const char *subject;
    const char *client_ip; /* inbound hop's IP (mail) or the log's sender IP */
    const char *direction; /* logs: Inbound, Outbound, ... */
    /* The verdict. */
    sw_verdict verdict;
    int score;
    sw_ev_auth spf, dkim, dmarc, compauth, arc;
    const char *dmarc_policy; /* p= the receiver applied or logged (reject, quarantine, none) */
    sw_ev_recipient *recipients;
    size_t nrecipients;
    sw_ev_signal *signals; /* counted ones (weight > 0, not suppressed), as assessed */
    size_t nsignals;
    unsigned facts; /* SW_EV_* */
    uint64_t count; /* messages the record stands for: 1, or a DMARC aggregate row's count */
    const char *campaign; /* read from the store: the campaign id of a flagged observation
                           * (NULL for live records and clean ones) */
    int64_t message;      /* read from the store: the joined message it belongs to */
} sw_evidence;

/* Fills ev from rec and as; d (may be NULL) finds the inbound hop whose IP is the mail's
 * client_ip. Returns 0, or SW_ENOMEM when the arena is exhausted. */
int sw_evidence_from(sw_detector *d, sw_arena *a, const sw_record *rec, const sw_assessment *as,
                     sw_evidence *ev);

/* Join key of a Message-ID as written: "<Abc@X.example>" -> "abc@x.example" in a. NULL for
 * NULL or an empty id. */
const char *sw_evidence_message_id_key(sw_arena *a, const char *message_id);

#endif
