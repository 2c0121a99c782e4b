/* DNS for verification: one resolver interface, several backends.
 *
 * SPF, DKIM, DMARC and ARC ask their questions through an sw_resolver. Backends: the fixture
 * backend (zone data held in memory: tests, conformance suites, `--dns-fixture FILE`), the
 * deny-network backend (every query fails loudly: the default in tests, so nothing ever
 * touches the network), and a live backend (dns_live.c, on c-ares, with a cache and
 * timeouts) for real use. Every query made through sw_dns_query() is appended to the
 * resolver's evidence log: the records a verdict rests on can be shown and re-checked.
 *
 * Memory: answers and log entries live in the arena given to the query (the message's
 * arena); the resolver owns its zone data and cache. sw_resolver_free() releases a backend. */
#ifndef SPOOFWATCH_DNS_H
#define SPOOFWATCH_DNS_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"

typedef enum sw_dns_type {
    SW_DNS_A = 1,
    SW_DNS_CNAME = 5,
    SW_DNS_PTR = 12,
    SW_DNS_MX = 15,
    SW_DNS_TXT = 16,
    SW_DNS_AAAA = 28,
    SW_DNS_SPF = 99 /* obsolete type 99; some SPF suite cases still publish it */
} sw_dns_type;

typedef enum sw_dns_status {
    SW_DNS_OK = 0,   /* answers (n may still be 0 only for NODATA) */
    SW_DNS_NXDOMAIN, /* the name does not exist */
    SW_DNS_NODATA,   /* the name exists, no record of this type */
    SW_DNS_TEMPFAIL, /* timeout, SERVFAIL: try later (SPF/DKIM temperror) */
    SW_DNS_DENIED    /* deny-network mode, or a fixture without the name in strict mode */
} sw_dns_status;

typedef struct sw_dns_rr {
    sw_dns_type type;
    /* A, AAAA: the address as text ("192.0.2.1", "2001:db8::1"); MX, PTR, CNAME: the
     * target name without a trailing dot; TXT/SPF: the character-strings concatenated
     * without separators (RFC 7208 §3.3, RFC 6376 §3.6.2.2). */
    const char *text;
    size_t text_len;            /* TXT may hold NUL bytes */
    const char *const *strings; /* TXT/SPF: the character-strings as published */
    size_t nstrings;
    unsigned short preference; /* MX */
    uint32_t ttl;
} sw_dns_rr;

typedef struct sw_dns_answer {
    sw_dns_status status;
    const sw_dns_rr *rrs;
    size_t n;
} sw_dns_answer;

/* One query as asked and answered, for evidence. */
typedef struct sw_dns_logentry {
    const char *name;
    sw_dns_type type;
    sw_dns_answer answer;
    struct sw_dns_logentry *next;
} sw_dns_logentry;

typedef struct sw_resolver sw_resolver;
struct sw_resolver {
    /* Backend: fills *out (in a) for name/type; returns 0, or SW_ENOMEM. The status is in
     * out->status, never in the return value. name is lower-case, no trailing dot. */
    int (*lookup)(sw_resolver *r, sw_arena *a, const char *name, sw_dns_type type,
                  sw_dns_answer *out);
    void (*destroy)(sw_resolver *r);
    void *backend;
    /* evidence of the current message, newest first; reset with sw_dns_log_reset() */
    sw_dns_logentry *log;
    size_t nqueries;
};

/* Asks r (normalising name: lower case, trailing dot dropped) and logs the exchange in a.
 * Returns 0 or SW_ENOMEM; the DNS outcome is in out->status. */
int sw_dns_query(sw_resolver *r, sw_arena *a, const char *name, sw_dns_type type,
                 sw_dns_answer *out);
/* The log's newest `max` entries in the order they were asked (the log itself is newest
 * first), for evidence; returns how many were put in out. */
size_t sw_dns_log_in_order(const sw_dns_logentry *log, const sw_dns_logentry **out, size_t max);
/* Forgets the evidence log (call when the message's arena is reset). */
void sw_dns_log_reset(sw_resolver *r);
void sw_resolver_free(sw_resolver *r);
const char *sw_dns_type_name(sw_dns_type t);       /* "TXT", ... */
const char *sw_dns_status_name(sw_dns_status s);   /* "ok", "nxdomain", ... */
int sw_dns_type_from_name(const char *name, sw_dns_type *out); /* 0, or -1 unknown */

/* ---- deny-network backend ---- */

/* Every query answers SW_DNS_DENIED; `on_denied` (may be NULL) hears each name, so tests
 * fail loudly when code reaches for the network. */
sw_resolver *sw_dns_deny_new(void (*on_denied)(const char *name, sw_dns_type t, void *ctx),
                             void *ctx);

/* ---- fixture backend ---- */

/* An empty zone. Names not in it answer NXDOMAIN; a name present without the asked type
 * answers NODATA (CNAMEs are followed, at most 8 deep). */
sw_resolver *sw_dns_fixture_new(void);
/* Adds one record. value: see sw_dns_rr.text; for MX "10 mx.example.org"; for TXT one
 * character-string (call sw_dns_fixture_add_txt for several). 0, or SW_ENOMEM/SW_EINVAL. */
int sw_dns_fixture_add(sw_resolver *r, const char *name, sw_dns_type type, const char *value);
int sw_dns_fixture_add_txt(sw_resolver *r, const char *name, const char *const *strings,
                           size_t nstrings);
/* Makes every query of name (any type when type is 0) answer status (e.g. a TIMEOUT). */
int sw_dns_fixture_fail(sw_resolver *r, const char *name, sw_dns_type type,
                        sw_dns_status status);
/* Loads zone lines "name TYPE value" ('#' comments; TXT values may be quoted strings,
 * several per line; "name TYPE TIMEOUT" / "SERVFAIL" make a failure). Errors name the file
 * and line. */
int sw_dns_fixture_load(sw_resolver *r, const char *path, sw_error *err);

/* ---- live backend (dns_live.c, on c-ares) ---- */

typedef struct sw_dns_live_opts {
    /* Servers as "192.0.2.53,[2001:db8::53]:53"; NULL or "" = the system's
     * /etc/resolv.conf. Queries go to a recursive resolver (RD set, no search list). */
    const char *servers;
    unsigned timeout_ms;   /* one try; 0 = 2000 */
    unsigned tries;        /* 0 = 2; the query's whole budget is timeout_ms * tries */
    unsigned negative_ttl; /* seconds NXDOMAIN/NODATA are remembered; 0 = 60 */
    unsigned max_ttl;      /* longest positive TTL honoured; 0 = SW_DNS_LIVE_MAX_TTL */
    int no_cache;          /* ask every time (timeouts are never cached anyway) */
} sw_dns_live_opts;

typedef struct sw_dns_live_stats {
    unsigned long long queries, hits, misses, flushes;
} sw_dns_live_stats;

/* A resolver on the network. opts may be NULL (defaults). Reads the system configuration
 * but sends nothing until the first query. NULL on failure, with err set. Answers are
 * cached by (name, type) for their TTL (positive) or negative_ttl (NXDOMAIN, NODATA);
 * timeouts and SERVFAIL answer SW_DNS_TEMPFAIL and are not cached. Answers handed out are
 * copies in the query's arena. Not thread-safe: one resolver per thread. */
sw_resolver *sw_dns_live_new(const sw_dns_live_opts *opts, sw_error *err);
/* Counters of a live resolver; zeros for any other backend. */
void sw_dns_live_get_stats(const sw_resolver *r, sw_dns_live_stats *out);
/* The live backend's reader of a server's response (wire form, RFC 1035 §4): the records of
 * type in its answer section (class IN; CNAMEs of a followed chain skipped), at most
 * SW_DNS_LIVE_MAX_RRS, copied into a; *min_ttl (may be NULL) is their lowest TTL. A
 * malformed message (bad or looping compression, a count or rdlength past the end, rdata
 * not of its type's shape) answers SW_DNS_TEMPFAIL, never part of its records. Returns 0 or
 * SW_ENOMEM. Exposed for tests and fuzzing: it reads bytes straight off the network. */
int sw_dns_parse_answer(sw_arena *a, const unsigned char *abuf, size_t alen, sw_dns_type type,
                        sw_dns_answer *out, uint32_t *min_ttl);

#endif
