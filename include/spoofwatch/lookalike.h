/* Look-alike domains: a From domain that imitates one of the organisation's or a brand's.
 *
 * Each reference domain's second-level label is reduced once, at start, to a folded
 * confusable skeleton: ICU's UTS #39 skeleton (uspoof), lower-cased, then a small fold
 * table for what the skeleton leaves apart but readers do not (0->o, 1->l, i->l, which
 * also catches the Cyrillic palochka that UTS #39 maps to i). A candidate domain matches
 * when its label differs from a reference's but their skeletons are equal (a confusable,
 * e.g. paypa1.com, аррӏе.com), or, for the organisation's own domains only, when the
 * skeletons are one edit apart (Damerau-Levenshtein, labels of 4+ characters, e.g.
 * c0rpp.example); and its organizational domain is not a reference's own. Brands get no
 * edit-distance match: too many honest domains sit one letter from a short brand name. The matcher
 * owns the ICU checker and the reference table; free it with sw_lookalike_free(). */
#ifndef SPOOFWATCH_LOOKALIKE_H
#define SPOOFWATCH_LOOKALIKE_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/config.h"
#include "spoofwatch/error.h"
#include "spoofwatch/orgdomain.h"

typedef struct sw_lookalike_ref {
    const char *domain; /* as configured */
    const char *org;    /* its organizational domain */
    size_t org_len;     /* strlen(org) */
    char label[128];    /* the second-level label, lower-case Unicode */
    char skeleton[128]; /* folded skeleton of the second-level label */
    int own;            /* one of the organisation's domains (edit distance applies) */
} sw_lookalike_ref;

typedef struct sw_lookalike_match {
    const sw_lookalike_ref *ref;
    const char *kind; /* "confusable" or "edit_distance" */
    int distance;
    char skeleton[128]; /* the candidate's folded skeleton, for evidence */
} sw_lookalike_match;

#define SW_LOOKALIKE_CACHE 1024

/* A verdict on an organizational domain already looked at: a mailbox repeats its senders,
 * and a UTS #39 skeleton costs thousands of instructions. */
typedef struct sw_lookalike_cached {
    char org[96];
    int matched;
    sw_lookalike_match match;
} sw_lookalike_cached;

typedef struct sw_lookalike {
    void *checker; /* USpoofChecker */
    sw_lookalike_ref *refs;
    size_t nrefs;
    sw_lookalike_cached *cache; /* SW_LOOKALIKE_CACHE slots, owned; updated by find */
    /* Brands by the first byte of their label: bit i % 64 of by_first[c * first_words +
     * i / 64] is set when refs[i] is a brand whose label (3 bytes or more) starts with c. */
    uint64_t *by_first;
    size_t first_words;
    /* ICU's skeleton of each printable ASCII character, where that is printable ASCII
     * too (ascii_skel_len 0: it is not, and a label holding the character goes to ICU) */
    unsigned char ascii_skel_len[128];
    char ascii_skel[128][8];
} sw_lookalike;

int sw_lookalike_init(sw_lookalike *l, const sw_config *c, sw_orgdomain_ctx *psl, sw_arena *scratch,
                      sw_error *err);
void sw_lookalike_free(sw_lookalike *l);
/* Folded skeleton of a UTF-8 label into out (cap bytes). Returns 0 or -1. */
int sw_lookalike_skeleton(const sw_lookalike *l, const char *label, size_t n, char *out,
                          size_t cap);
/* Matches an organizational domain given in Unicode form (U-labels or ASCII). Returns 1 and
 * fills m on a match, 0 otherwise. */
int sw_lookalike_find(sw_lookalike *l, const char *org_unicode, const char *org_ascii,
                      sw_lookalike_match *m);
/* The first brand, in configuration order, whose label is a whole word of a display name
 * (ASCII case ignored, the name's first 511 bytes); NULL when none. */
const sw_lookalike_ref *sw_lookalike_brand_in(const sw_lookalike *l, const char *name);
/* 1 when a Unicode label mixes scripts in a way UTS #39's highly restrictive level
 * refuses (Latin with Cyrillic, digits from several systems...). */
int sw_lookalike_mixed_script(const sw_lookalike *l, const char *label, size_t n);

#endif
