/* Detection: from one message record to a verdict with its reasons.
 *
 * sw_detect() decides which Authentication-Results to trust, recomputes DMARC alignment
 * with organizational domains, emits named signals (each with a weight and an evidence
 * string naming the header or field and the value), applies suppressors (mailing lists
 * with trusted ARC, configured forwarders, third-party senders, exceptions, phishing
 * simulations), and decides a verdict from documented combination rules (docs/signals.md):
 *
 *   spoofed     the From identity failed authentication AND the score reached the spoofed
 *               threshold AND at least two independent signals agree;
 *   suspicious  the score reached the suspicious threshold;
 *   pass        authentication evidence exists and the score stayed below both;
 *   unknown     no trusted authentication evidence, and nothing suspicious.
 *
 * A detector holds the configuration, the Public Suffix List with its lookup cache and the
 * look-alike tables; sw_detect() updates the cache, so use one detector per thread. The
 * assessment lives in the arena passed to sw_detect() (the message's arena) and dies with
 * the record. */
#ifndef SPOOFWATCH_DETECT_H
#define SPOOFWATCH_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/config.h"
#include "spoofwatch/json.h"
#include "spoofwatch/lookalike.h"
#include "spoofwatch/orgdomain.h"
#include "spoofwatch/record.h"

typedef enum sw_verdict {
    SW_VERDICT_UNKNOWN = 0,
    SW_VERDICT_PASS,
    SW_VERDICT_SUSPICIOUS,
    SW_VERDICT_SPOOFED
} sw_verdict;

const char *sw_verdict_name(sw_verdict v);
/* 1 when id names a signal spoofwatch can emit (configuration validation). */
int sw_signal_known(const char *id);

typedef struct sw_signal {
    const char *id;            /* stable name, documented in docs/signals.md */
    int weight;                /* after configuration overrides; 0 when suppressed */
    int base_weight;           /* before suppression */
    const char *evidence;      /* header or field and value */
    const char *suppressed_by; /* suppressor id, NULL when it counts */
    unsigned flags;            /* SW_SIG_* */
} sw_signal;

enum {
    SW_SIG_AUTH_FAILURE = 1u << 0, /* says the From identity failed authentication */
    SW_SIG_STRUCTURAL = 1u << 1,   /* parser ambiguity / header structure */
    SW_SIG_IDENTITY = 1u << 2      /* identity mismatch / impersonation */
};

typedef struct sw_suppressor {
    const char *id;
    const char *evidence;
    int warning; /* e.g. an expired exception: reported, not applied */
} sw_suppressor;

/* One authentication outcome that the verdict relied on. */
typedef struct sw_auth_outcome {
    const char *result; /* NULL when absent */
    const char *domain; /* the identity it refers to (smtp.mailfrom domain, header.d...) */
    const char *origin; /* header name */
    int origin_index;
    const char *detail; /* reason, action or policy text */
} sw_auth_outcome;

typedef struct sw_assessment {
    sw_verdict verdict;
    int score;
    sw_signal *signals;
    size_t nsignals;
    sw_suppressor *suppressors;
    size_t nsuppressors;

    /* The evaluation behind the signals. */
    const char *trusted_authserv_id; /* NULL when no A-R was trusted */
    const char *trust_rule;          /* how it was chosen: configured, newest, newest-id-less */
    size_t trusted_headers;
    const unsigned char *trusted_arh; /* per record->arh entry: 1 when trusted */
    sw_auth_outcome spf, dkim, dmarc, compauth, arc;
    sw_auth_outcome *dkim_results; /* every trusted DKIM result, re-checked, header order */
    size_t ndkim_results;
    const char *dmarc_policy; /* p= from a receiver's comment or policy.* property */
    const char *from_org_domain;
    const char *mailfrom_domain; /* SPF identity used for alignment */
    const char *mailfrom_org_domain;
    int spf_aligned, dkim_aligned; /* recomputed, relaxed */
    const char *dkim_aligned_domain;
    int has_auth_evidence;
    const char *psl_date;
    /* with --verify: the trusted headers' own outcomes, kept beside the verified ones that
     * replaced them above (verified = 1) */
    int verified;
    sw_auth_outcome header_spf, header_dkim, header_dmarc;
} sw_assessment;

/* What spoofwatch computed itself (--verify, src/auth/verify.c), in the verdict engine's
 * terms. NULL results were not computed (no client IP for SPF, no From for DMARC). */
#define SW_VERIFIED_MAX_DKIM 16
typedef struct sw_verified {
    const char *spf_result, *spf_domain, *spf_detail;
    const char *dkim_result, *dkim_domain, *dkim_detail; /* the best signature */
    const char *dkim_pass_domains[SW_VERIFIED_MAX_DKIM];
    size_t ndkim_pass;
    int dkim_any_fail;
    const char *dmarc_result, *dmarc_domain, *dmarc_policy, *dmarc_detail;
    const char *arc_result, *arc_detail; /* NULL when the message has no ARC chain */
} sw_verified;

/* Baselines (kept by the evidence store, src/store/): what earlier runs saw of a sender.
 * When a detector has a history source, detection asks it about the From organizational
 * domain and the sending IP, and emits first_seen_sender and new_sending_ip. */
typedef struct sw_history {
    int established;       /* earlier runs exist: without them nothing can be "new" */
    int domain_seen;       /* the From organizational domain appeared in an earlier run */
    uint64_t domain_networks; /* networks seen sending authenticated mail for the domain */
    int network_seen;      /* this message's network is one of them */
    const char *network;   /* the message's network (198.51.100.0/24), in the arena */
} sw_history;
typedef struct sw_history_source {
    /* Fills *out for (from_org, ip); ip may be NULL. Strings go to arena a. Non-zero when
     * the lookup failed (no baseline signals then). */
    int (*lookup)(void *ctx, sw_arena *a, const char *from_org, const char *ip,
                  sw_history *out);
    void *ctx;
} sw_history_source;

typedef struct sw_detector {
    const sw_config *config;
    const sw_history_source *history; /* NULL: no baselines (scan without a store) */
    sw_orgdomain_ctx psl;
    sw_lookalike lookalike;
    sw_arena arena; /* reference tables built at init */
} sw_detector;

/* The detector borrows config, which must outlive it. */
int sw_detector_init(sw_detector *d, const sw_config *config, sw_error *err);
void sw_detector_close(sw_detector *d);
int sw_detect(sw_detector *d, sw_arena *a, const sw_record *rec, sw_assessment *out);
/* sw_detect() preferring verified results to the headers' (v may be NULL); a trusted
 * header that disagrees with them is itself a signal (verification_disagrees). */
int sw_detect_verified(sw_detector *d, sw_arena *a, const sw_record *rec, const sw_verified *v,
                       sw_assessment *out);
/* Index in rec->received of the hop that brought the message into the receiving
 * organisation (its "from" part names the SMTP client SPF checks), -1 when unknown. */
long sw_detect_inbound_hop(sw_detector *d, sw_arena *a, const sw_record *rec);

/* Writes "verdict", "score", "signals", "suppressors", "evaluation" members into an open
 * JSON object (the record's). */
void sw_assessment_write_json(const sw_assessment *as, sw_json *j);

#endif
