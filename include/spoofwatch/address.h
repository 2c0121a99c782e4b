/* RFC 5322 §3.4 address lists: mailboxes, display names, groups, obsolete forms.
 *
 * Parses strictly and records every mailbox found, and every construct that parsers are
 * known to disagree on, as flags: the caller (detection) decides what is suspicious. The
 * display name is RFC 2047-decoded. Domains are lower-cased; an IDN domain (non-ASCII or
 * xn--) is flagged and also given in both its A-label and U-label forms (idn.h). All strings live
 * in the caller's arena; the list holds at most SW_MAX_ADDRESSES mailboxes (more sets
 * SW_ADDR_TOO_MANY). */
#ifndef SPOOFWATCH_ADDRESS_H
#define SPOOFWATCH_ADDRESS_H

#include <stddef.h>
#include "spoofwatch/arena.h"

/* Flags on a mailbox, and OR-ed into the list. */
enum {
    SW_ADDR_DISPLAY_HAS_ADDRESS = 1u << 0,  /* display name (decoded) contains user@domain */
    SW_ADDR_ENCODED_ADDRESS = 1u << 1,      /* ...and that address came out of an encoded word */
    SW_ADDR_COMMENT_HAS_ADDRESS = 1u << 2,  /* "Foo (foo@bar) <baz@baz>" */
    SW_ADDR_ENCODED_IN_ADDR = 1u << 3,      /* "=?" inside the addr-spec itself */
    SW_ADDR_QUOTED_LOCAL = 1u << 4,         /* quoted local part */
    SW_ADDR_ROUTE = 1u << 5,                /* obsolete route <@a,@b:user@c> */
    SW_ADDR_MULTIPLE_AT = 1u << 6,          /* more than one @ in the addr-spec */
    SW_ADDR_MULTIPLE_ANGLE = 1u << 7,       /* more than one <...> in one mailbox */
    SW_ADDR_UNBALANCED = 1u << 8,           /* unbalanced <>, quotes or comments */
    SW_ADDR_NO_DOMAIN = 1u << 9,            /* no @domain */
    SW_ADDR_DOMAIN_LITERAL = 1u << 10,      /* user@[192.0.2.1] */
    SW_ADDR_IDN = 1u << 11,                 /* non-ASCII or xn-- domain */
    SW_ADDR_ESCAPED_SPECIAL = 1u << 12,     /* quoted-pair outside a quoted string (a\,b) */
    SW_ADDR_TRAILING_TEXT = 1u << 13,       /* text after the closing > */
    SW_ADDR_INVALID = 1u << 14,             /* nothing usable */
    SW_ADDR_DISPLAY_ENCODED = 1u << 15,     /* the display name used RFC 2047 */
    SW_ADDR_DISPLAY_BAD_CHARSET = 1u << 16, /* ...with an unknown charset or broken word */
    SW_ADDR_DISPLAY_CONTROL = 1u << 17,     /* decoded display name holds control characters */
    SW_ADDR_IDN_INVALID = 1u << 18,         /* an IDN domain that IDNA rejects (bad punycode...) */
    /* list-level only */
    SW_ADDR_MULTIPLE = 1u << 20, /* more than one mailbox */
    SW_ADDR_GROUP = 1u << 21,    /* group syntax */
    SW_ADDR_EMPTY = 1u << 22,    /* no mailbox at all */
    SW_ADDR_TOO_MANY = 1u << 23
};

typedef struct sw_mailbox {
    const char *display_name;   /* decoded UTF-8, NULL when absent */
    const char *display_raw;    /* as written, NULL when absent */
    const char *local;          /* local part as written (quotes kept) */
    const char *domain;         /* lower-cased as written; NULL when absent */
    const char *domain_ascii;   /* IDN only: A-label form (xn--...), NULL otherwise */
    const char *domain_unicode; /* IDN only: U-label form, NULL otherwise */
    const char *address;        /* local@domain, or the local part alone */
    const char *comment;        /* the first comment, NULL when none */
    const char *group;          /* group name when inside a group */
    unsigned flags;
} sw_mailbox;

typedef struct sw_address_list {
    sw_mailbox *items;
    size_t count;
    unsigned flags; /* OR of the mailbox flags plus list-level flags */
} sw_address_list;

int sw_address_parse(sw_arena *a, const char *s, size_t n, sw_address_list *out);
/* The same mailboxes with the same addresses, local parts, domains, display names, comments
 * and groups, for callers that want no more (recipient lists, which can be long): the tests
 * that only raise flags (encoded words in the address, IDN domains, addresses in the display
 * name) are skipped, so those flags are missing and domain_ascii/domain_unicode are NULL. */
int sw_address_parse_names(sw_arena *a, const char *s, size_t n, sw_address_list *out);
/* Names of flags, for evidence and JSON; fills up to max names and returns the count. */
size_t sw_address_flag_names(unsigned flags, const char **names, size_t max);
/* 1 when text contains something shaped like user@host.tld. */
int sw_looks_like_address(const char *s, size_t n);

#endif
