/* Detection internals shared by trust.c, signals.c and verdict.c (not public API).
 * One `det` per message: it borrows the detector, record and arena and fills the
 * assessment; nothing outlives the message's arena. */
#ifndef SW_DETECT_INTERNAL_H
#define SW_DETECT_INTERNAL_H

#include "spoofwatch/detect.h"
#include "spoofwatch/fmt.h"

#include <string.h>

#define SW_DET_TEXT_MAX 1024u

typedef struct det {
    sw_detector *d;
    const sw_config *cfg;
    sw_arena *a;
    const sw_record *r;
    sw_assessment *as;
    /* which A-R headers are trusted (indices into r->arh) */
    unsigned char *trusted_arh;
    long boundary_field; /* field index of the lowest trusted A-R; -1 when none */
    /* DKIM results from trusted headers */
    const char *dkim_pass_domains[16];
    size_t ndkim_pass;
    int dkim_any_fail;
    const char *from_domain; /* A-label form of the From domain */
    /* the texts the SPF domain and the mailfrom domain were read from (sw_det_domain_of's
     * answer depends on the text alone: the Return-Path's is mostly the SPF identity's) */
    const char *spf_domain_text, *mailfrom_text;
    const char *verdict_cap; /* suppressor that limits the verdict to suspicious, or NULL */
    const sw_verified *verified; /* --verify results preferred to headers, or NULL */
    /* Organizational domains already looked up for this message: one message asks for
     * the same few domains many times, and a Public Suffix List lookup is the most
     * expensive step of detection. Last, and left uninitialised by det_init(): nothing
     * reads past norg_cache, and zeroing the slots cost more than most messages' lookups. */
    size_t norg_cache;
    struct {
        const char *domain, *org;
        uint32_t hash, len; /* len: strlen(domain) */
    } org_cache[32];
    /* The evidence being built (sw_det_text): in the arena's free space when a whole text
     * fits there, else in scratch; cut where sw_arena_printf cuts (1023 bytes). */
    sw_text text;
    int text_in_arena;
    char scratch[SW_DET_TEXT_MAX];
} det;

/* Equal strings, NULL equal to nothing. Most tests are of a result or method against a
 * keyword it is not ("pass" vs "fail"): the first byte settles them without a strcmp call. */
static inline int is(const char *a, const char *b)
{
    return a && b && a[0] == b[0] && !strcmp(a, b);
}

/* trust.c: choose trusted headers and fill the outcomes and alignment. */
void sw_det_evaluate(det *x);
long sw_det_inbound_hop(det *x);
/* signals.c */
void sw_det_signals(det *x);
/* verdict.c */
void sw_det_suppress_and_decide(det *x);

/* Adds a signal; the weight is the configured override when there is one. */
void sw_det_signal(det *x, const char *id, int weight, unsigned flags, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void sw_det_suppressor(det *x, const char *id, int warning, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Evidence from its pieces, for the signals most mail has: sw_det_text starts a text,
 * SW_TEXT_LIT, sw_text_str... append to it, and sw_det_signal_text or
 * sw_det_suppressor_text adds it with the same text sw_det_signal's format would give.
 * Nothing may allocate from the arena in between: the text sits in its free space. */
static inline sw_text *sw_det_text(det *x)
{
    x->text_in_arena = sw_arena_fits(x->a, SW_DET_TEXT_MAX);
    x->text = (sw_text){x->text_in_arena ? x->a->next : x->scratch, 0, SW_DET_TEXT_MAX};
    return &x->text;
}
void sw_det_signal_text(det *x, const char *id, int weight, unsigned flags);
void sw_det_suppressor_text(det *x, const char *id, int warning);
const sw_signal *sw_det_find_signal(const det *x, const char *id);
/* Domain part of an address or of "@domain" / "domain", lower-cased, arena copy. */
const char *sw_det_domain_of(det *x, const char *addr);
/* Organizational domain helpers bound to the detector's list. */
const char *sw_det_org(det *x, const char *domain);
int sw_det_aligned(det *x, const char *d1, const char *d2);

#endif
