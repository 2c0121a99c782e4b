/* Organizational domains (RFC 7489 §3.2) through the Public Suffix List (libpsl).
 *
 * The list is the newest of libpsl's built-in copy and the system's publicsuffix package,
 * or a file given with --psl-file; its date is kept so that evidence can say which list
 * decided (stale lists misjudge new suffixes). The context owns the libpsl handle; free it
 * with sw_orgdomain_close(). Results are arena strings. */
#ifndef SPOOFWATCH_ORGDOMAIN_H
#define SPOOFWATCH_ORGDOMAIN_H

#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"

#define SW_ORG_CACHE_SLOTS 4096
#define SW_PS_CACHE_SLOTS 16384 /* a power of two */

typedef struct sw_orgdomain_ctx {
    void *psl;          /* psl_ctx_t */
    int owned;          /* loaded from a file: freed at close */
    char source[256];   /* "builtin", "system", or the file path */
    char list_date[32]; /* YYYY-MM-DD of the list, "" when unknown */
    /* Lookups are cached across messages: a mailbox names the same relays and senders
     * over and over, and one libpsl lookup costs thousands of instructions. The cache is
     * bounded: when its arena fills, it is emptied. */
    struct {
        char *domain, *org; /* org: the tail of domain that is its answer */
    } * slots;
    sw_arena cache_arena;
    /* A miss above walks the domain's tails as libpsl's own registrable-domain walk does,
     * asking libpsl "is this a public suffix?" of each (~5 k instructions a question). The
     * answers are kept here by exact text: the tails of a mailbox's host names repeat
     * ("prod.outlook.com") where whole names do not. Emptied when full. */
    struct sw_ps_slot {
        const char *text; /* NULL: free */
        uint32_t hash, len;
        int public_suffix;
    } * ps_slots;
    size_t ps_used;
    sw_arena ps_arena;
} sw_orgdomain_ctx;

/* psl_file NULL: newest built-in or system list. */
int sw_orgdomain_open(sw_orgdomain_ctx *c, const char *psl_file, sw_error *err);
void sw_orgdomain_close(sw_orgdomain_ctx *c);
/* Registrable domain of an ASCII (A-label) domain, in lower case (a name with capitals is
 * looked up lower-cased); the domain itself when it is a public suffix or not a name
 * libpsl knows. Never NULL for a non-empty input. The result is copied into `a` (or
 * points into `domain`). */
const char *sw_orgdomain(sw_orgdomain_ctx *c, sw_arena *a, const char *domain);
/* The same, for a caller that has measured the domain: n == strlen(domain). */
const char *sw_orgdomain_n(sw_orgdomain_ctx *c, sw_arena *a, const char *domain, size_t n);

#endif
