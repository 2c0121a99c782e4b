/* IDN conversion through ICU: see include/spoofwatch/idn.h. */
#include "spoofwatch/idn.h"
#include "spoofwatch/error.h"

#include <string.h>
#include <strings.h>
#include <unicode/uidna.h>

int sw_idn_is_idn(const char *domain, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)domain[i];
        if (c >= 0x80)
            return 1;
        /* an A-label "xn--" at the start of a label */
        if ((c | 0x20) == 'x' && (i == 0 || domain[i - 1] == '.') && n - i >= 4 &&
            (domain[i + 1] | 0x20) == 'n' && domain[i + 2] == '-' && domain[i + 3] == '-')
            return 1;
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
