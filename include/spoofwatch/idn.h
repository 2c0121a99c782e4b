/* Internationalized domain names (IDNA 2008 / UTS #46, through ICU's uidna).
 *
 * Converts a domain between its Unicode form (U-labels) and its ASCII form (A-labels,
 * "xn--..."), so that a From domain written either way compares equal and an analyst sees
 * both spellings of a lookalike. Results live in the caller's arena. A name that IDNA
 * rejects (invalid punycode, disallowed code points, empty labels) returns SW_EFORMAT;
 * that rejection is itself evidence for the caller. No global state: the ICU converter is
 * opened per call, which only happens for the rare non-ASCII or xn-- domain. */
#ifndef SPOOFWATCH_IDN_H
#define SPOOFWATCH_IDN_H

#include <stddef.h>
#include "spoofwatch/arena.h"

/* 1 when the domain needs IDN handling: non-ASCII bytes or an "xn--" label. */
int sw_idn_is_idn(const char *domain, size_t n);
/* Both forms of domain[0..n), lower-cased by UTS #46 mapping. Either out may be NULL. */
int sw_idn_convert(sw_arena *a, const char *domain, size_t n, const char **ascii_out,
                   const char **unicode_out);

#endif
