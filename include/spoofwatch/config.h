/* Detection configuration: the organisation's domains and people, whom to trust, what
 * to suppress, and the weights and thresholds of the verdict.
 *
 * sw_config_defaults() gives a usable configuration with no file at all; sw_config_load()
 * overlays a YAML file (docs/configuration.md, examples/spoofwatch.yaml) and reports errors
 * with their line numbers. The config owns every string (in its own arena): free it with
 * sw_config_free(). Read-only once loaded; detectors share it. */
#ifndef SPOOFWATCH_CONFIG_H
#define SPOOFWATCH_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"

typedef struct sw_strlist {
    const char **items;
    size_t count;
} sw_strlist;

/* A legitimate sender that mails as someone else's domain: it must still align on `via`. */
typedef struct sw_sender_rule {
    const char *name;        /* for evidence */
    const char *from_domain; /* the From domain it sends as ("*" = any) */
    const char *via;         /* the domain it must authenticate as (SPF or DKIM d=) */
} sw_sender_rule;

/* A configured exception: suppresses every signal for matching mail until it expires. */
typedef struct sw_exception {
    const char *id;
    const char *from_domain;  /* matched against the From domain or its org domain */
    const char *from_address; /* exact From address, optional */
    const char *owner;
    const char *reason;
    int64_t expires; /* Unix seconds, 0 = never (discouraged: warned about) */
    int line;        /* where it was written, for messages */
} sw_exception;

/* Phishing-simulation vendor traffic, recognised by a header and/or the envelope domain. */
typedef struct sw_simulation {
    const char *name;
    const char *header;      /* header name that marks it, e.g. X-PHISHTEST */
    const char *return_path; /* envelope sender domain, optional */
} sw_simulation;

typedef struct sw_weight {
    const char *signal;
    int weight;
} sw_weight;

typedef struct sw_config {
    sw_arena arena;
    sw_strlist protected_domains;    /* the organisation's own domains */
    sw_strlist vip_names;            /* display names worth protecting ("Jane Doe") */
    sw_strlist brand_domains;        /* brands that are impersonated (paypal.com, ...) */
    sw_strlist trusted_authserv_ids; /* "x" exact, "@x" x and its subdomains */
    sw_strlist trusted_arc_sealers;  /* ARC d= domains whose chains may rescue DMARC */
    sw_strlist freemail_domains;
    sw_sender_rule *forwarders;
    size_t nforwarders;
    sw_sender_rule *third_party;
    size_t nthird_party;
    sw_exception *exceptions;
    size_t nexceptions;
    sw_simulation *simulations;
    size_t nsimulations;
    sw_weight *weights; /* overrides of the built-in weights */
    size_t nweights;
    int threshold_suspicious;
    int threshold_spoofed;
    const char *psl_file;
    const char *path; /* file it was loaded from, NULL for defaults */
} sw_config;

void sw_config_defaults(sw_config *c);
/* Loads path over the defaults. On error, err says "path:line: what"; *c stays usable
 * (defaults) and must still be freed. Non-fatal findings (an expired exception) are
 * reported through warn (may be NULL). */
int sw_config_load(sw_config *c, const char *path, void (*warn)(const char *msg, void *ctx),
                   void *warn_ctx, sw_error *err);
void sw_config_free(sw_config *c);
/* 1 when domain (lower-case) is in the list, or a subdomain of an entry. */
int sw_strlist_has_domain(const sw_strlist *l, const char *domain);

#endif
