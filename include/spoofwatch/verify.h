/* Independent verification of one message: SPF, DKIM and DMARC computed by spoofwatch
 * itself (`check --verify`, `scan --verify`), with the DNS answers they rest on.
 *
 * sw_verify_message() runs the verifiers of src/auth/ in order: DKIM over every signature,
 * ARC over the chain (when the message carries one), SPF for the MAIL FROM (or HELO)
 * identity of the transaction that brought the message into the receiving organisation,
 * then DMARC from the From domain and the SPF and DKIM results. Whether an ARC sealer is
 * trusted to rescue a DMARC failure is the verdict engine's call (trusted_arc_sealers). The transaction (client IP, HELO, MAIL FROM) comes from the caller: the options
 * when the user gave them, else the receiver's inbound Received hop that detection finds
 * (sw_detect_inbound_hop) and the Return-Path. Without a client IP SPF is not checked,
 * and the verification says so.
 *
 * Memory: every result lives in the message's arena; the resolver and the Public Suffix
 * List context are the caller's. The resolver's evidence log is reset at the start of each
 * message and kept in the result (dns). */
#ifndef SPOOFWATCH_VERIFY_H
#define SPOOFWATCH_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arc.h"
#include "spoofwatch/dkim.h"
#include "spoofwatch/dmarcpol.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/orgdomain.h"
#include "spoofwatch/record.h"
#include "spoofwatch/spf.h"

typedef struct sw_verify_opts {
    sw_resolver *dns;        /* fixture, live or deny-network */
    sw_orgdomain_ctx *psl;   /* for DMARC's RFC 7489 discovery and relaxed alignment */
    sw_dmarc_method method;  /* DMARC policy discovery: tree walk (RFC 9989) or PSL */
    int64_t now;             /* clock for DKIM x=/t= and SPF %{t} */
    const char *client_ip;   /* override of the transaction; NULL: from the Received hop */
    const char *helo;
    const char *mailfrom;    /* NULL: the Return-Path */
    const char *receiver;    /* SPF %{r}; NULL: the receiving hop's "by" */
    sw_dkim_opts dkim;
} sw_verify_opts;

/* Defaults: tree walk, now = time(NULL), DKIM defaults, no overrides. */
void sw_verify_opts_default(sw_verify_opts *o);

typedef struct sw_verification {
    /* SPF */
    int spf_checked;          /* 0: no client IP known (spf_skipped says why) */
    const char *spf_skipped;
    const char *spf_ip, *spf_helo, *spf_mailfrom; /* the transaction used */
    const char *spf_source;   /* "options" or "Received hop N (by ...)" */
    sw_spf_outcome spf;
    /* DKIM */
    sw_dkim_report dkim;
    /* ARC (result none when the message has no ARC headers) */
    sw_arc_report arc;
    /* DMARC */
    int dmarc_checked;        /* 0: no From domain */
    sw_dmarc_eval_result dmarc;
    /* every DNS exchange, newest first */
    const sw_dns_logentry *dns;
    size_t dns_queries;
    size_t body_hashes; /* body hashes computed for DKIM and ARC together (not in the JSON) */
} sw_verification;

/* Verifies rec (read from msg[0..len)); inbound_hop is the index in rec->received of the
 * hop that brought the message into the receiving organisation, -1 when unknown. Returns
 * 0 (outcomes, including temperrors, are in *out) or SW_ENOMEM. */
int sw_verify_message(const sw_verify_opts *o, sw_arena *a, const char *msg, size_t len,
                      const sw_record *rec, long inbound_hop, sw_verification *out);

struct sw_json;
/* The "verification" member of a record's JSON. */
void sw_verification_write_json(const sw_verification *v, struct sw_json *j);

#endif
