/* Received header fields (RFC 5321 §4.4, RFC 5322 §3.6.7): one trace hop each.
 *
 * Parses the clauses "from", "by", "via", "with", "id", "for" and the date after the last
 * ';', plus the connecting IP address and reverse-DNS name found in the from clause's
 * comment (Postfix "(rdns [ip])", Exchange "(2603:10b6:...)", qmail "invoked from network").
 * Forms vary widely, so every clause is optional and the unfolded text is kept.
 * All strings live in the caller's arena. */
#ifndef SPOOFWATCH_RECEIVED_H
#define SPOOFWATCH_RECEIVED_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"

enum {
    SW_RCV_NO_DATE = 1u << 0,    /* no ';' date part */
    SW_RCV_BAD_DATE = 1u << 1,   /* a date part that does not parse */
    SW_RCV_PRIVATE_IP = 1u << 2, /* from_ip is private, loopback or link-local */
    SW_RCV_IPV6 = 1u << 3
};

typedef struct sw_received_hop {
    const char *raw;       /* the unfolded field value */
    const char *from_helo; /* name given after "from" (the HELO/EHLO) */
    const char *from_rdns; /* reverse-DNS name from the comment, when present */
    const char *from_ip;   /* connecting IP (IPv4 dotted or IPv6 text), NULL if none */
    const char *by;
    const char *via;
    const char *with;
    const char *id;
    const char *for_addr;
    const char *date; /* text after the last ';' */
    int64_t epoch;    /* valid when has_time */
    int tz_offset_min;
    int has_time;
    unsigned flags;     /* SW_RCV_* */
    uint64_t offset;    /* set by the caller: the header's byte offset */
    size_t field_index; /* set by the caller */
} sw_received_hop;

/* Parses one Received value. Returns 0, or SW_ENOMEM when the arena is exhausted. */
int sw_received_parse(sw_arena *a, const char *value, size_t n, sw_received_hop *out);
/* The same result for a value that is NUL-terminated at n and outlives the hop (a header
 * field's value in the same arena): raw, and a date that ends the value, point into it
 * instead of being copied. */
int sw_received_parse_stable(sw_arena *a, const char *value, size_t n, sw_received_hop *out);
/* Room for the longest IPv6 text, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" and NUL
 * (INET6_ADDRSTRLEN). */
#define SW_IP6_TEXT_MAX 46
/* Writes the IPv6 address bin as text, exactly as glibc's inet_ntop(AF_INET6) does. */
void sw_ip6_text(const unsigned char bin[16], char out[SW_IP6_TEXT_MAX]);
/* 1 when the textual IP address is private, loopback, link-local or otherwise not routable. */
int sw_ip_is_private(const char *ip);

#endif
