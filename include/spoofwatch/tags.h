/* Tag lists (RFC 6376 §3.2) and the headers built on them: DKIM-Signature, ARC-Seal,
 * ARC-Message-Signature; ARC set grouping (RFC 8617); Received-SPF (RFC 7208 §9.1);
 * List-* headers (RFC 2369, RFC 2919).
 *
 * Tag values are kept as written minus surrounding whitespace; for bh= internal folding
 * whitespace is removed. b= keeps its inner FWS (the longest value of a signature: not
 * copying it stripped saves a pass per signature), which base64 decoding must skip, as
 * sw_dkim_base64_decode does. Duplicate tags and syntax errors are flagged, never
 * fatal: DKIM verification (auth/) decides what they mean. Strings live in the arena. */
#ifndef SPOOFWATCH_TAGS_H
#define SPOOFWATCH_TAGS_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/header.h"

enum {
    SW_TAG_DUPLICATE = 1u << 0, /* a tag name appears twice (invalid per RFC 6376) */
    SW_TAG_SYNTAX = 1u << 1,    /* a fragment without '=' or with a bad name */
    SW_TAG_TRUNCATED = 1u << 2  /* more than SW_MAX_TAGS */
};

typedef struct sw_tag {
    const char *name;
    const char *value;
} sw_tag;

typedef struct sw_taglist {
    sw_tag *tags;
    size_t count;
    unsigned flags;
} sw_taglist;

/* s[0..n) need not be NUL-terminated. Names are case-sensitive; the first of two equal
 * names is kept. Fragments without '=', with a bad name, or empty before a ';' set
 * SW_TAG_SYNTAX and are skipped. Returns SW_OK or SW_ENOMEM. */
int sw_taglist_parse(sw_arena *a, const char *s, size_t n, sw_taglist *out);
const char *sw_taglist_get(const sw_taglist *t, const char *name);

/* DKIM-Signature or ARC-Message-Signature (no v=), or ARC-Seal (no h=, c=). */
typedef struct sw_dkim_sig {
    sw_taglist tags;
    const char *v, *a, *d, *s, *c, *h, *i, *bh, *b, *q, *cv; /* b with its folds */
    int64_t l, t, x; /* valid when the has_ flag is set */
    int has_l, has_t, has_x;
    int instance;    /* ARC i=, -1 for DKIM */
    uint64_t offset; /* of the header in the message */
    size_t field_index;
} sw_dkim_sig;

/* Parses f->value as a tag list. d is lower-cased (the tag list keeps it as written);
 * l/t/x are set only for plain unsigned decimals that fit int64. For fields named
 * ARC-* instance is the i= number (0 when absent or not a number), else -1. */
int sw_dkim_sig_parse(sw_arena *a, const sw_header_field *f, size_t field_index, sw_dkim_sig *out);

/* One ARC set: the three headers sharing one i=. */
enum {
    SW_ARC_MISSING_SEAL = 1u << 0,
    SW_ARC_MISSING_AMS = 1u << 1,
    SW_ARC_MISSING_AAR = 1u << 2,
    SW_ARC_DUPLICATE = 1u << 3,
    SW_ARC_BAD_INSTANCE = 1u << 4 /* i= missing, not a number, or outside 1..50 */
};

typedef struct sw_arc_set {
    int instance;
    sw_dkim_sig seal; /* valid when !(flags & SW_ARC_MISSING_SEAL) */
    sw_dkim_sig ams;  /* valid when !(flags & SW_ARC_MISSING_AMS) */
    long aar_field;   /* index of the ARC-Authentication-Results field, -1 if none */
    unsigned flags;
} sw_arc_set;

/* Highest ARC instance RFC 8617 allows. */
#define SW_ARC_MAX_INSTANCE 50

/* Groups the ARC headers of a block into sets sorted by instance. Headers whose i= is
 * missing, not a number or outside 1..SW_ARC_MAX_INSTANCE all go into one set with
 * instance 0 and SW_ARC_BAD_INSTANCE (so it sorts first); its seal/ams keep the i= they
 * were written with in sig.instance (0 when unparsable). In every set the topmost header
 * of each kind is kept and a second one sets SW_ARC_DUPLICATE. Malformed names
 * ("ARC-Seal :") are ignored, as sw_header_find ignores them. *out is NULL and *count 0
 * when the block has no ARC header. */
int sw_arc_collect(sw_arena *a, const sw_header_block *h, sw_arc_set **out, size_t *count);

/* Received-SPF: result, comment and key=value pairs. The first comment is kept without
 * its outer parentheses (an unterminated one runs to the end); quoted values are
 * unquoted; unknown keys are ignored; the first instance of a key wins. */
typedef struct sw_received_spf {
    const char *result; /* lower-cased */
    const char *comment;
    const char *client_ip, *envelope_from, *helo, *receiver, *identity, *mechanism, *problem;
} sw_received_spf;

int sw_received_spf_parse(sw_arena *a, const char *s, size_t n, sw_received_spf *out);

/* List-* headers (the first instance of each). id is NULL when the label is empty;
 * present is set by any List-* header above or by "Precedence: list". */
typedef struct sw_list_info {
    const char *id;     /* the <list-label> inside List-Id, lower-cased */
    const char *id_raw; /* whole List-Id value */
    const char *post, *unsubscribe, *unsubscribe_post, *archive, *help, *owner, *subscribe;
    const char *precedence; /* Precedence: list / bulk / junk */
    int present;
} sw_list_info;

void sw_list_info_collect(sw_arena *a, const sw_header_block *h, sw_list_info *out);

#endif
