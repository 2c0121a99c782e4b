/* Campaigns: deterministic grouping of flagged messages.
 *
 * A campaign key is built from configured parts of the evidence (by default the From
 * organizational domain, the normalized subject and the sending network) plus a time
 * window: the window is a fixed bucket of the message's time (floor(time / window)), not a
 * gap from the previous message, so a campaign's id depends only on the message itself and
 * never on input order or on which run saw it first. The id is the hex of 128 bits of
 * SHA-256 over the key parts and the bucket.
 *
 * sw_campaign is the summary the store returns and the alert writer reads; its strings and
 * arrays live in the arena of the query that filled it. */
#ifndef SPOOFWATCH_CAMPAIGN_H
#define SPOOFWATCH_CAMPAIGN_H
#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/evidence.h"

/* Key parts, in the order they are hashed. */
enum {
    SW_CK_FROM_ORG = 1u << 0,     /* organizational domain of the header From */
    SW_CK_SUBJECT = 1u << 1,      /* normalized subject (sw_campaign_subject) */
    SW_CK_NETWORK = 1u << 2,      /* sending network: IPv4 /24, IPv6 /48 */
    SW_CK_ENVELOPE_ORG = 1u << 3, /* organizational domain of the envelope sender */
    SW_CK_DISPLAY_NAME = 1u << 4, /* display name, lower-cased, spaces collapsed */
    SW_CK_FROM_ADDRESS = 1u << 5, /* the whole From address */
};
#define SW_CK_DEFAULT (SW_CK_FROM_ORG | SW_CK_SUBJECT | SW_CK_NETWORK)
#define SW_CAMPAIGN_DEFAULT_WINDOW (7 * 86400)

typedef struct sw_campaign_keyspec {
    unsigned parts;  /* SW_CK_* */
    int64_t window;  /* seconds, > 0 */
} sw_campaign_keyspec;

/* "from_org,subject,network" -> parts; -1 on an unknown name. */
int sw_campaign_parse_parts(const char *list, unsigned *parts);
/* The canonical text of parts ("from_org,subject,network"), for the store's metadata. */
const char *sw_campaign_parts_text(sw_arena *a, unsigned parts);
/* "7d", "24h", "3600" (seconds), "90m" -> seconds; -1 when not a positive duration. */
int64_t sw_duration_parse(const char *s);

/* Subject as campaigns compare it: reply/forward prefixes (Re:, Fwd:, FW:, AW:, WG:, SV:,
 * and bracketed tags like [EXTERNAL]) removed, lower-cased, digit runs replaced by '#',
 * whitespace collapsed. In a. "" for NULL. */
const char *sw_campaign_subject(sw_arena *a, const char *subject);
/* "198.51.100.0/24" or "2001:db8:1::/48" for an IP; NULL when ip is NULL or not an IP. */
const char *sw_campaign_network(sw_arena *a, const char *ip);

/* The key of one message under spec: id (33 bytes, hex), the human-readable key text
 * ("from_org=example.com subject=invoice # network=198.51.100.0/24") in *text, and the
 * window's start in *bucket_start (0 for messages without a time: they share one
 * "undated" bucket per key). Returns 0, or SW_ENOMEM. */
int sw_campaign_key(sw_arena *a, const sw_campaign_keyspec *spec, const sw_evidence *ev,
                    char id[33], const char **text, int64_t *bucket_start);

/* One name with a count: an outcome ("dmarc=fail"), a delivery ("junk"), a signal. */
typedef struct sw_count {
    const char *name;
    uint64_t n;
} sw_count;

typedef struct sw_campaign {
    char id[33];
    const char *key; /* human-readable key text */
    int64_t window_start, window_end;
    int64_t first_seen, last_seen;
    uint64_t messages;     /* distinct messages (observations of one message joined) */
    uint64_t observations; /* flagged records in the campaign, from every source */
    uint64_t recipients; /* distinct recipient addresses */
    uint64_t spoofed, suspicious;
    sw_count *auth_mix; /* "spf=fail", "dkim=pass", "dmarc=fail", "compauth=fail" ... */
    size_t nauth_mix;
    sw_count *delivery_mix; /* delivered, junk, blocked, unknown: per recipient */
    size_t ndelivery_mix;
    sw_count *top_signals; /* most frequent counted signals first */
    size_t ntop_signals;
    const char **message_ids; /* a sample, sorted; message_ids_total says how many */
    size_t nmessage_ids;
    uint64_t message_ids_total;
    const char **recipient_addrs; /* a sample, sorted */
    size_t nrecipient_addrs;
    const char *from_org, *subject, *network; /* the key parts, when in the key */
    int worst_verdict;                       /* sw_verdict */
} sw_campaign;

#endif
