/* IDN conversion through ICU: see include/spoofwatch/idn.h. */
#include "spoofwatch/idn.h"
#include "spoofwatch/copy.h"
#include "spoofwatch/error.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unicode/uidna.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__SSE2__)
/* One 16-byte step of the screen: its 8-bit bytes, and its "--" pairs (one that straddles
 * two steps is found through *carry, the last step's final byte being a '-'). */
static inline void idn_screen16(const char *p, unsigned *high, unsigned *pairs, unsigned *carry)
{
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
    *high |= (unsigned)_mm_movemask_epi8(v);
    *pairs |= (m & (m >> 1)) | (m & *carry);
    *carry = m >> 15;
}
#endif

int sw_idn_is_idn(const char *domain, size_t n)
{
#if defined(__SSE2__)
    /* This runs on every domain of every address, and nearly every one is ASCII without
     * an A-label: a screen 16 bytes at a time for 8-bit bytes and for "--" (which every
     * "xn--" has, and a plain name nearly never) answers those. The last step of a long
     * name overlaps the one before it, which at worst reports a "--" that is not there;
     * a short name is screened from a zeroed copy. Only a "--" goes on to the exact
     * test below. */
    unsigned high = 0, pairs = 0, carry = 0;
    if (n >= 16) {
        for (size_t i = 0; i + 16 < n; i += 16)
            idn_screen16(domain + i, &high, &pairs, &carry);
        idn_screen16(domain + n - 16, &high, &pairs, &carry);
    } else {
        char in[16] = {0};
        sw_copy_upto32(in, domain, n);
        idn_screen16(in, &high, &pairs, &carry);
    }
    if (high)
        return 1;
    if (!pairs)
        return 0;
#endif
    /* 8-bit bytes looked for eight at a time, and "xn--" only where a label starts,
     * hopping between the dots. */
    uint64_t high8 = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, domain + i, 8);
        high8 |= x;
    }
    for (; i < n; i++)
        high8 |= (unsigned char)domain[i];
    if (high8 & 0x8080808080808080u)
        return 1;
    /* an A-label "xn--" at the start of a label */
    const char *p = domain, *end = domain + n;
    while (p < end) {
        if (end - p >= 4 && (p[0] | 0x20) == 'x' && (p[1] | 0x20) == 'n' && p[2] == '-' &&
            p[3] == '-')
            return 1;
        const char *dot = memchr(p, '.', (size_t)(end - p));
        if (!dot)
            break;
        p = dot + 1;
    }
    return 0;
}

/* Domains are at most 253 bytes in ASCII; the Unicode form of one is at most 4x that. */
#define SW_IDN_MAX 1024

static int convert(UIDNA *idna, int to_ascii, const char *in, size_t n, char *out, int cap)
{
    UErrorCode st = U_ZERO_ERROR;
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    int32_t len = to_ascii ? uidna_nameToASCII_UTF8(idna, in, (int32_t)n, out, cap, &info, &st)
                           : uidna_nameToUnicodeUTF8(idna, in, (int32_t)n, out, cap, &info, &st);
    if (U_FAILURE(st) || len >= cap)
        return -1;
    /* Errors that IDNA reports per label (bad punycode, disallowed characters, bidi). The
     * length-related ones do not apply to mail domains we only display and compare. */
    uint32_t fatal =
        info.errors & ~(uint32_t)(UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG |
                                  UIDNA_ERROR_DOMAIN_NAME_TOO_LONG);
    if (fatal)
        return -1;
    out[len] = '\0';
    return len;
}

int sw_idn_convert(sw_arena *a, const char *domain, size_t n, const char **ascii_out,
                   const char **unicode_out)
{
    if (ascii_out)
        *ascii_out = NULL;
    if (unicode_out)
        *unicode_out = NULL;
    if (n == 0 || n >= SW_IDN_MAX / 4)
        return SW_EFORMAT;
    UErrorCode st = U_ZERO_ERROR;
    UIDNA *idna = uidna_openUTS46(
        UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE | UIDNA_CHECK_BIDI, &st);
    if (U_FAILURE(st))
        return SW_ENOMEM;
    char buf[SW_IDN_MAX];
    int rc = SW_OK;
    int len = convert(idna, 1, domain, n, buf, (int)sizeof buf);
    if (len < 0) {
        rc = SW_EFORMAT;
    } else if (ascii_out && !(*ascii_out = sw_arena_strndup(a, buf, (size_t)len))) {
        rc = SW_ENOMEM;
    }
    if (rc == SW_OK) {
        len = convert(idna, 0, domain, n, buf, (int)sizeof buf);
        if (len < 0)
            rc = SW_EFORMAT;
        else if (unicode_out && !(*unicode_out = sw_arena_strndup(a, buf, (size_t)len)))
            rc = SW_ENOMEM;
    }
    uidna_close(idna);
    return rc;
}
