/* Look-alike domains: see include/spoofwatch/lookalike.h. */
#include "spoofwatch/lookalike.h"
#include "spoofwatch/idn.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/uspoof.h>

/* The second-level label: the organizational domain up to its first dot. */
static size_t sld_len(const char *org)
{
    const char *dot = strchr(org, '.');
    return dot ? (size_t)(dot - org) : strlen(org);
}

int sw_lookalike_skeleton(const sw_lookalike *l, const char *label, size_t n, char *out, size_t cap)
{
    if (n == 0 || n > 63 || cap < 2)
        return -1;
    char sk[512];
    int32_t len = 0;
    /* UTS #39's skeleton is NFD, each character replaced by its prototype, NFD again. NFD
     * leaves ASCII as it is, so the skeleton of a label of ASCII characters whose
     * prototypes are ASCII is those prototypes in a row: read from the table init made
     * with ICU, without ICU's conversions (most of a new domain's cost). */
    size_t k = 0, at = 0;
    for (; at < n; at++) {
        unsigned char ch = (unsigned char)label[at];
        size_t pn = ch < 128 ? l->ascii_skel_len[ch] : 0;
        if (!pn)
            break;
        if (k + pn < sizeof sk) /* a longer one is refused below, as ICU's would be */
            memcpy(sk + k, l->ascii_skel[ch], pn);
        k += pn;
    }
    if (at == n) {
        if (k >= sizeof sk)
            return -1;
        len = (int32_t)k;
    } else {
        UErrorCode st = U_ZERO_ERROR;
        len = uspoof_getSkeletonUTF8((const USpoofChecker *)l->checker, 0, label, (int32_t)n, sk,
                                     (int32_t)sizeof sk, &st);
        if (U_FAILURE(st) || len < 0 || len >= (int32_t)sizeof sk)
            return -1;
    }
    size_t o = 0;
    for (int32_t i = 0; i < len && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)tolower((unsigned char)sk[i]);
        /* The fold layer: characters readers take for one another that UTS #39 keeps
         * apart (documented in docs/signals.md, with test pairs in test_detect.c). */
        if (c == '0')
            c = 'o';
        else if (c == '1' || c == 'i' || c == '|')
            c = 'l';
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps), capped. */
static int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63)
        return 99;
    int d[64][64];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

static int add_refs(sw_lookalike *l, const sw_strlist *list, int own, sw_orgdomain_ctx *psl,
                    sw_arena *scratch, size_t *k)
{
    for (size_t i = 0; i < list->count; i++) {
        const char *dom = list->items[i];
        const char *org = sw_orgdomain(psl, scratch, dom);
        if (!org)
            continue;
        sw_lookalike_ref *r = &l->refs[*k];
        const char *uni = NULL;
        if (sw_idn_is_idn(org, strlen(org)))
            sw_idn_convert(scratch, org, strlen(org), NULL, &uni);
        const char *label = uni ? uni : org;
        size_t ln = sld_len(label);
        if (ln >= sizeof r->label ||
            sw_lookalike_skeleton(l, label, ln, r->skeleton, sizeof r->skeleton))
            continue;
        memcpy(r->label, label, ln);
        r->label[ln] = '\0';
        r->own = own;
        r->domain = dom;
        r->org_len = strlen(org);
        r->org = sw_arena_strndup(scratch, org, r->org_len);
        (*k)++;
    }
    return 0;
}

int sw_lookalike_init(sw_lookalike *l, const sw_config *c, sw_orgdomain_ctx *psl, sw_arena *scratch,
                      sw_error *err)
{
    memset(l, 0, sizeof *l);
    UErrorCode st = U_ZERO_ERROR;
    USpoofChecker *sc = uspoof_open(&st);
    if (U_FAILURE(st))
        return sw_error_set(err, SW_ENOMEM, "ICU spoof checker: %s", u_errorName(st));
    l->checker = sc;
    for (int ch = 0x21; ch < 0x7f; ch++) {
        char in[1] = {(char)ch}, out[16];
        UErrorCode cst = U_ZERO_ERROR;
        int32_t pn = uspoof_getSkeletonUTF8(sc, 0, in, 1, out, (int32_t)sizeof out, &cst);
        int ascii = U_SUCCESS(cst) && pn >= 1 && pn < (int32_t)sizeof l->ascii_skel[ch];
        for (int32_t k = 0; ascii && k < pn; k++)
            ascii = (unsigned char)out[k] > 0x20 && (unsigned char)out[k] < 0x7f;
        if (ascii) {
            memcpy(l->ascii_skel[ch], out, (size_t)pn);
            l->ascii_skel_len[ch] = (unsigned char)pn;
        }
    }
    uspoof_setChecks(sc, USPOOF_RESTRICTION_LEVEL | USPOOF_MIXED_NUMBERS, &st);
    uspoof_setRestrictionLevel(sc, USPOOF_HIGHLY_RESTRICTIVE);
    if (U_FAILURE(st))
        return sw_error_set(err, SW_EINVAL, "ICU spoof checker: %s", u_errorName(st));
    size_t total = c->protected_domains.count + c->brand_domains.count;
    l->refs = sw_arena_calloc(scratch, (total ? total : 1) * sizeof *l->refs);
    if (!l->refs)
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    size_t k = 0;
    add_refs(l, &c->protected_domains, 1, psl, scratch, &k);
    add_refs(l, &c->brand_domains, 0, psl, scratch, &k);
    l->nrefs = k;
    l->first_words = (k + 63) / 64;
    l->by_first = sw_arena_calloc(scratch, (256 * l->first_words + 1) * sizeof *l->by_first);
    if (!l->by_first)
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    for (size_t i = 0; i < k; i++) {
        const sw_lookalike_ref *r = &l->refs[i];
        if (!r->own && strlen(r->label) >= 3)
            l->by_first[(unsigned char)r->label[0] * l->first_words + i / 64] |= 1ull << (i % 64);
    }
    l->cache = calloc(SW_LOOKALIKE_CACHE, sizeof *l->cache);
    if (!l->cache)
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    return SW_OK;
}

static int find_uncached(const sw_lookalike *l, const char *org_unicode, const char *org_ascii,
                         sw_lookalike_match *m);

void sw_lookalike_free(sw_lookalike *l)
{
    if (l->checker)
        uspoof_close((USpoofChecker *)l->checker);
    l->checker = NULL;
    free(l->cache);
    l->cache = NULL;
}

int sw_lookalike_find(sw_lookalike *l, const char *org_unicode, const char *org_ascii,
                      sw_lookalike_match *m)
{
    const char *key = org_ascii ? org_ascii : org_unicode;
    size_t kn = key ? strlen(key) : 0;
    if (!l->cache || !key || kn >= sizeof l->cache[0].org)
        return find_uncached(l, org_unicode, org_ascii, m);
    /* the slot from the length and the first and last eight bytes (a byte loop over the
     * name cost more than the rest of a hit); strcmp decides */
    uint64_t w0 = 0, w1 = 0;
    memcpy(&w0, key, kn < 8 ? kn : 8);
    if (kn > 8)
        memcpy(&w1, key + (kn < 16 ? 8 : kn - 8), kn < 16 ? kn - 8 : 8);
    uint64_t h = ((w0 * 0x9e3779b97f4a7c15u) ^ w1 ^ kn) * 0xff51afd7ed558ccdu;
    sw_lookalike_cached *slot = &l->cache[(h >> 32) % SW_LOOKALIKE_CACHE];
    /* the match is copied only when there is one: m is read only then */
    if (!strcmp(slot->org, key)) {
        if (slot->matched)
            *m = slot->match;
        return slot->matched;
    }
    int matched = find_uncached(l, org_unicode, org_ascii, m);
    memcpy(slot->org, key, kn + 1);
    slot->matched = matched;
    if (matched)
        slot->match = *m;
    return matched;
}

static int find_uncached(const sw_lookalike *l, const char *org_unicode, const char *org_ascii,
                         sw_lookalike_match *m)
{
    memset(m, 0, sizeof *m);
    if (!org_unicode || !l->checker)
        return 0;
    /* One of the references itself is no look-alike: settled first, by length and then
     * strcasecmp, since the skeleton (an ICU call) is most of the cost of a new name. The
     * match is read only when one is found, so its skeleton may stay empty then. */
    if (org_ascii) {
        size_t an = strlen(org_ascii);
        for (size_t i = 0; i < l->nrefs; i++)
            if (l->refs[i].org_len == an && !strcasecmp(org_ascii, l->refs[i].org))
                return 0;
    }
    size_t n = sld_len(org_unicode);
    if (sw_lookalike_skeleton(l, org_unicode, n, m->skeleton, sizeof m->skeleton))
        return 0;
    char label[128];
    if (n >= sizeof label)
        return 0;
    for (size_t i = 0; i < n; i++)
        label[i] = (char)tolower((unsigned char)org_unicode[i]);
    label[n] = '\0';
    size_t cl = strlen(m->skeleton);
    for (size_t i = 0; i < l->nrefs; i++) {
        const sw_lookalike_ref *r = &l->refs[i];
        if (m->skeleton[0] == r->skeleton[0] && !strcmp(m->skeleton, r->skeleton)) {
            /* the same label under another suffix (paypal.de) is the brand, not a fake */
            if (!strcmp(label, r->label))
                continue;
            m->ref = r;
            m->kind = "confusable";
            return 1;
        }
        if (r->own && cl >= 4 && strlen(r->skeleton) >= 4 &&
            edit_distance(m->skeleton, r->skeleton) == 1) {
            m->ref = r;
            m->kind = "edit_distance";
            m->distance = 1;
            return 1;
        }
    }
    return 0;
}

static int has_byte(const uint64_t present[4], unsigned char c)
{
    return (int)(present[c >> 6] >> (c & 63)) & 1;
}

const sw_lookalike_ref *sw_lookalike_brand_in(const sw_lookalike *l, const char *name)
{
    char lower[512];
    /* which bytes the name holds: a label with a byte the name lacks cannot be in it, which
     * spares most of the strstr calls (one per brand) */
    uint64_t present[4] = {0};
    size_t dl = strlen(name);
    if (dl >= sizeof lower)
        dl = sizeof lower - 1;
    for (size_t i = 0; i < dl; i++) {
        unsigned char c = (unsigned char)tolower((unsigned char)name[i]);
        lower[i] = (char)c;
        present[c >> 6] |= 1ull << (c & 63);
    }
    lower[dl] = '\0';
    /* Only brands whose label starts with a byte of the name are looked at, in the order of
     * the references: the candidates of each 64 come from the name's distinct bytes. */
    for (size_t w = 0; w < l->first_words; w++) {
        uint64_t cand = 0;
        for (unsigned k = 0; k < 4; k++)
            for (uint64_t bits = present[k]; bits; bits &= bits - 1)
                cand |=
                    l->by_first[(k * 64 + (unsigned)__builtin_ctzll(bits)) * l->first_words + w];
        for (; cand; cand &= cand - 1) {
            const sw_lookalike_ref *ref = &l->refs[w * 64 + (unsigned)__builtin_ctzll(cand)];
            /* the label's length, stopping at its first byte the name lacks: then it cannot
             * be in the name, and no strstr is needed */
            size_t bl = 1;
            while (ref->label[bl] && has_byte(present, (unsigned char)ref->label[bl]))
                bl++;
            if (ref->label[bl])
                continue;
            /* whole word */
            const char *hit = strstr(lower, ref->label);
            if (!hit || (hit > lower && isalnum((unsigned char)hit[-1])) ||
                isalnum((unsigned char)hit[bl]))
                continue;
            return ref;
        }
    }
    return NULL;
}

int sw_lookalike_mixed_script(const sw_lookalike *l, const char *label, size_t n)
{
    if (!l->checker || n == 0 || n > 255)
        return 0;
    UErrorCode st = U_ZERO_ERROR;
    int32_t r = uspoof_checkUTF8((const USpoofChecker *)l->checker, label, (int32_t)n, NULL, &st);
    return U_SUCCESS(st) && r != 0;
}
