/* UTF-8 validation: see include/spoofwatch/utf8.h. */
#include "spoofwatch/utf8.h"
#include "spoofwatch/limits.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

size_t sw_utf8_valid_prefix(const unsigned char *p, size_t n)
{
    if (!n)
        return 0;
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (n >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && p[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && p[1] < 0x90)
            return 0;
        if (c == 0xF4 && p[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

int sw_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = sw_utf8_valid_prefix(p + i, n - i);
        if (!len)
            return 0;
        i += len;
    }
    return 1;
}

int sw_utf16_bom(const char *data, size_t len)
{
    if (len < 2)
        return 0;
    unsigned char a = (unsigned char)data[0], b = (unsigned char)data[1];
    return a == 0xFF && b == 0xFE ? 1 : a == 0xFE && b == 0xFF ? 2 : 0;
}

int sw_utf16_to_utf8(const char *data, size_t len, int big_endian, const char *what, char **out,
                     size_t *out_len, sw_error *err)
{
    *out = NULL;
    *out_len = 0;
    if (len > SW_MAX_UTF16_INPUT)
        return sw_error_set(err, SW_ELIMIT,
                            "%s of %zu bytes is over the %u MiB cap; convert it to UTF-8 first "
                            "(iconv -f UTF-16 -t UTF-8)",
                            what, len, SW_MAX_UTF16_INPUT >> 20);
    iconv_t cd = iconv_open("UTF-8", big_endian ? "UTF-16BE" : "UTF-16LE");
    if (cd == (iconv_t)-1)
        return sw_error_set(err, SW_EFORMAT, "%s: iconv cannot convert from UTF-16", what);
    /* 2 bytes give at most 3; a surrogate pair's 4 give 4 */
    size_t cap = len / 2 * 3 + 4;
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return sw_error_set(err, SW_ENOMEM, "%s: out of memory converting %zu bytes", what, len);
    }
    char *in = (char *)data, *o = buf;
    size_t inleft = len, outleft = cap - 1;
    while (inleft >= 2) {
        if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1)
            break;
        if (errno == EILSEQ && outleft >= 3) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            outleft -= 3;
            in += 2;
            inleft -= 2;
            continue;
        }
        break; /* EINVAL: a truncated pair at the end */
    }
    iconv_close(cd);
    *o = '\0';
    *out = buf;
    *out_len = (size_t)(o - buf);
    return SW_OK;
}
