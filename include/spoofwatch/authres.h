/* Authentication-Results (RFC 8601) and ARC-Authentication-Results (RFC 8617 §4.1.1).
 *
 * Parses one field body into the authserv-id, the version and an ordered list of method
 * results with their reason, properties and comment. Three modes:
 *   - SW_AR_STRICT: RFC 8601 syntax only, result keywords checked against the registry;
 *   - default (no mode bit): what real receivers write, e.g. an unquoted IPv6 value;
 *   - SW_AR_RELAXED: also Microsoft's forms: no authserv-id, `action=`, `compauth=`,
 *     `dmarc=bestguesspass`, `dkim=timeout`, stray `; host;` fragments (skipped, flagged).
 * SW_AR_I18N allows RFC 8616 UTF-8 in quoted strings, comments and property values.
 * spoofwatch reads mail with SW_AR_RELAXED | SW_AR_I18N.
 *
 * Whether a header is trustworthy is not decided here (see detect/trust). All strings live
 * in the caller's arena. At most SW_MAX_AUTHRES_RESULTS results and SW_MAX_AUTHRES_PROPS
 * properties per result are kept; more sets SW_AR_TRUNCATED. */
#ifndef SPOOFWATCH_AUTHRES_H
#define SPOOFWATCH_AUTHRES_H

#include <stddef.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"

enum {
    SW_AR_STRICT = 1u << 0,
    SW_AR_RELAXED = 1u << 1,
    SW_AR_I18N = 1u << 2,
    SW_AR_ARC = 1u << 3 /* ARC-Authentication-Results: expect "i=N;" first */
};

/* Parse outcome flags. */
enum {
    SW_ARF_NO_AUTHSERV_ID = 1u << 0, /* Microsoft form */
    SW_ARF_SKIPPED = 1u << 1,        /* a fragment that is not method=result was skipped */
    SW_ARF_TRUNCATED = 1u << 2,
    SW_ARF_NONE = 1u << 3 /* "authserv-id; none" */
};

typedef struct sw_authres_prop {
    const char *ptype;    /* lower-cased: smtp, header, body, policy, ... */
    const char *property; /* lower-cased */
    const char *value;    /* unquoted */
} sw_authres_prop;

typedef struct sw_authres_result {
    const char *method;  /* lower-cased */
    int method_version;  /* 0 when absent */
    const char *result;  /* lower-cased */
    const char *reason;  /* NULL when absent */
    const char *action;  /* Microsoft `action=`, NULL when absent */
    const char *comment; /* first comment after the result, e.g. "sender IP is ..." */
    sw_authres_prop *props;
    size_t nprops;
} sw_authres_result;

typedef struct sw_authres {
    const char *authserv_id; /* "" for the Microsoft form */
    int version;             /* 1 when absent */
    int arc_instance;        /* i= of an AAR, -1 when absent */
    sw_authres_result *results;
    size_t count;
    unsigned flags; /* SW_ARF_* */
} sw_authres;

/* Returns SW_OK, SW_EFORMAT (with a message naming the byte position), or SW_ENOMEM. */
int sw_authres_parse(sw_arena *a, const char *s, size_t n, unsigned mode, sw_authres *out,
                     sw_error *err);
/* The value of ptype.property in r, or NULL. */
const char *sw_authres_prop_get(const sw_authres_result *r, const char *ptype,
                                const char *property);

#endif
