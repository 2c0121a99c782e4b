/* Microsoft 365 / Exchange transport and anti-spam headers.
 *
 * Decodes X-Forefront-Antispam-Report (SCL, SFV, CAT, IPV, DIR, CIP, CTRY, LANG, H, PTR,
 * SFTY, SRV, PCL, SFS, ...), X-Microsoft-Antispam (BCL, PCL),
 * X-Microsoft-Antispam-Mailbox-Delivery (dest:), and the X-MS-Exchange-Organization-* and
 * CrossTenant stamps (Network-Message-Id, AuthAs, AuthSource, MessageDirectionality, SCL).
 * The -Untrusted copy that another tenant wrote is kept apart and never read as this
 * tenant's verdict. Each code has a meaning for the explanation (sw_ms_meaning).
 * Strings live in the caller's arena. */
#ifndef SPOOFWATCH_MSTRANSPORT_H
#define SPOOFWATCH_MSTRANSPORT_H

#include <stddef.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/header.h"

typedef struct sw_ms_pair {
    const char *key; /* upper-cased as written, e.g. SFV */
    const char *value;
} sw_ms_pair;

typedef struct sw_ms_antispam {
    sw_ms_pair *pairs;
    size_t count;
    long field_index; /* -1 when the header is absent */
} sw_ms_antispam;

typedef struct sw_ms_transport {
    int present;                        /* any Microsoft header seen */
    sw_ms_antispam forefront;           /* X-Forefront-Antispam-Report (this tenant) */
    sw_ms_antispam forefront_untrusted; /* X-Forefront-Antispam-Report-Untrusted */
    sw_ms_antispam antispam;            /* X-Microsoft-Antispam (BCL, PCL) */
    const char *mailbox_delivery;       /* raw X-Microsoft-Antispam-Mailbox-Delivery */
    const char *delivery_dest;          /* its dest: value (I, J, C, ...) */
    const char *network_message_id;     /* X-MS-Exchange-Organization-Network-Message-Id */
    const char *crosstenant_network_message_id;
    const char *auth_as; /* X-MS-Exchange-Organization-AuthAs */
    const char *auth_source;
    const char *directionality; /* X-MS-Exchange-Organization-MessageDirectionality */
    const char *org_scl;        /* X-MS-Exchange-Organization-SCL */
    const char *crosstenant_original_arrival;
    const char *external_original_sender; /* X-MS-Exchange-ExternalOriginalInternetSender */
} sw_ms_transport;

/* Fills out from the header block. Returns 0, or SW_ENOMEM. */
int sw_ms_transport_collect(sw_arena *a, const sw_header_block *h, sw_ms_transport *out);
/* Value of KEY in a decoded report, or NULL. */
const char *sw_ms_get(const sw_ms_antispam *r, const char *key);
/* Human meaning of a KEY:value code (e.g. "SFV","SPM" -> "spam"), or NULL when unknown. */
const char *sw_ms_meaning(const char *key, const char *value);
/* Meaning of a KEY itself (e.g. "SCL" -> "spam confidence level"), or NULL. */
const char *sw_ms_key_name(const char *key);

#endif
