/* RFC 2047 decoding: see include/spoofwatch/rfc2047.h. */
#include "spoofwatch/rfc2047.h"
#include "spoofwatch/hex.h"
#include "spoofwatch/base64.h"
#include "spoofwatch/buf.h"
#include "spoofwatch/error.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Base64 character values plus one (sw_base64_value + 1), 0 for every other byte ('='
 * included): one lookup a character instead of the ladder of range tests. */
static const unsigned char b64_plus1[256] = {
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 63,  0,  0,  0, 64,
    53, 54, 55, 56, 57, 58, 59, 60, 61, 62,  0,  0,  0,  0,  0,  0,
     0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,  0,  0,  0,  0,  0,
     0, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
    42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,  0,  0,  0,  0,  0,
};

/* Decodes one word's payload to raw charset bytes in out (capacity >= n). */
static size_t decode_payload(char enc, const char *s, size_t n, char *out, unsigned *flags)
{
    size_t o = 0;
    if (enc == 'B' || enc == 'b') {
        unsigned acc = 0;
        int bits = 0;
        for (size_t i = 0; i < n; i++) {
            /* Whole quads of base64 characters, nearly all of a payload, make three bytes
             * at once. Only at a quad boundary (bits 0), where the bytes still to come owe
             * nothing to acc; a quad with '=' or junk in it goes the byte-wise way. */
            while (bits == 0 && i + 4 <= n) {
                unsigned a0 = b64_plus1[(unsigned char)s[i]],
                         a1 = b64_plus1[(unsigned char)s[i + 1]],
                         a2 = b64_plus1[(unsigned char)s[i + 2]],
                         a3 = b64_plus1[(unsigned char)s[i + 3]];
                if (!a0 || !a1 || !a2 || !a3)
                    break;
                unsigned q = (a0 - 1) << 18 | (a1 - 1) << 12 | (a2 - 1) << 6 | (a3 - 1);
                out[o] = (char)(q >> 16);
                out[o + 1] = (char)(q >> 8 & 0xFF);
                out[o + 2] = (char)(q & 0xFF);
                o += 3;
                i += 4;
            }
            if (i >= n)
                break;
            unsigned char c = (unsigned char)s[i];
            if (c == '=')
                break;
            int v = (int)b64_plus1[c] - 1;
            if (v < 0) {
                *flags |= SW_2047_MALFORMED;
                continue;
            }
            acc = (acc << 6) | (unsigned)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (char)((acc >> bits) & 0xFF);
            }
        }
        return o;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '_') {
            out[o++] = ' ';
        } else if (c == '=') {
            int h = i + 1 < n ? sw_hex_value((unsigned char)s[i + 1]) : -1;
            int l = i + 2 < n ? sw_hex_value((unsigned char)s[i + 2]) : -1;
            if (h < 0 || l < 0) {
                *flags |= SW_2047_MALFORMED;
                out[o++] = c;
            } else {
                out[o++] = (char)(h * 16 + l);
                i += 2;
            }
        } else {
            out[o++] = c;
        }
    }
    return o;
}

static int is_utf8_name(const char *cs)
{
    return !strcasecmp(cs, "utf-8") || !strcasecmp(cs, "utf8") || !strcasecmp(cs, "us-ascii") ||
           !strcasecmp(cs, "ascii");
}

/* Appends raw charset bytes converted to UTF-8. Returns 1 when the charset is unknown. */
static int append_converted(sw_buf *out, const char *charset, const char *raw, size_t n,
                            unsigned *flags)
{
    if (is_utf8_name(charset)) {
        sw_buf_add(out, raw, n);
        return 0;
    }
    if (!strcasecmp(charset, "iso-8859-1") || !strcasecmp(charset, "latin1")) {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)raw[i];
            if (c < 0x80) {
                sw_buf_putc(out, (char)c);
            } else {
                char two[2] = {(char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F))};
                sw_buf_add(out, two, 2);
            }
        }
        return 0;
    }
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return 1;
    char tmp[1024];
    char *in = (char *)raw;
    size_t inleft = n;
    while (inleft > 0) {
        char *o = tmp;
        size_t oleft = sizeof tmp;
        size_t r = iconv(cd, &in, &inleft, &o, &oleft);
        sw_buf_add(out, tmp, (size_t)(o - tmp));
        if (r == (size_t)-1) {
            if (errno == E2BIG)
                continue;
            /* Invalid or incomplete sequence: mark it, emit U+FFFD, skip one byte. */
            *flags |= SW_2047_MALFORMED;
            sw_buf_add(out, "\xEF\xBF\xBD", 3);
            in++;
            inleft--;
        }
    }
    iconv_close(cd);
    return 0;
}

/* Parses "=?charset?E?payload?=" at s (s[0]=='=' && s[1]=='?'). On success fills the parts
 * and returns the length of the word; 0 when it is not a well-formed encoded word. */
static size_t parse_word(const char *s, size_t n, const char **cs, size_t *cs_len, char *enc,
                         const char **pl, size_t *pl_len)
{
    if (n < 8 || s[0] != '=' || s[1] != '?')
        return 0;
    size_t i = 2;
    while (i < n && s[i] != '?' && s[i] != ' ' && s[i] != '\t')
        i++;
    if (i >= n || s[i] != '?' || i == 2)
        return 0;
    *cs = s + 2;
    *cs_len = i - 2;
    if (i + 2 >= n || s[i + 2] != '?')
        return 0;
    *enc = s[i + 1];
    if (!*enc || !strchr("BbQq", *enc))
        return 0;
    size_t start = i + 3, j = start;
#if defined(__SSE2__)
    /* The payload ends at the first "?=", and whitespace before it means no word. Payloads
     * are a few dozen bytes of base64 or QP: while 17 bytes remain, a step screens 16
     * positions for both at once (a "?=" from the bytes at j and at j + 1), and the first
     * position found decides, as it does in the loop below. */
    for (; j + 17 <= n; j += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + j));
        __m128i w = _mm_loadu_si128((const __m128i *)(s + j + 1));
        __m128i ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                               _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
                                  _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
                                               _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
        __m128i end = _mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('?')),
                                    _mm_cmpeq_epi8(w, _mm_set1_epi8('=')));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(ws, end));
        if (m) {
            j += (size_t)__builtin_ctz(m);
            break;
        }
    }
#endif
    for (; j + 1 < n; j++) {
        if (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')
            return 0;
        if (s[j] == '?' && s[j + 1] == '=') {
            *pl = s + start;
            *pl_len = j - start;
            return j + 2;
        }
    }
    return 0;
}

/* memchr for '=' is cheaper than memmem for a two-byte needle, and most values asked
 * about (every display name, subject and address) have few '=' or none. */
int sw_rfc2047_has_start(const char *s, size_t n)
{
    const char *end = s + n;
    for (const char *q = s; q < end && (q = memchr(q, '=', (size_t)(end - q))); q++)
        if (end - q >= 2 && q[1] == '?')
            return 1;
    return 0;
}

static int is_control(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

/* Whether s[0..n) has a control byte other than TAB (SW_2047_CONTROL), and in *eightbit
 * whether it has an 8-bit byte. This runs on every display name and subject; they are
 * nearly always plain ASCII, so eight bytes are tested at a time: "some byte < 0x20" and
 * "some byte is 0x7F" are exact word tests, and only a word that passes one (a TAB, most
 * often) is looked at byte by byte. Inlined at both uses: the plain path runs on every
 * display name, where a call costs as much as a short name's test. */
static inline __attribute__((always_inline)) int plain_text_scan(const char *s, size_t n,
                                                                 int *eightbit)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t seen = 0;
    int control = 0;
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t x, del;
        memcpy(&x, s + k, 8);
        seen |= x;
        del = x ^ (0x7F * ones);
        if (!control && (((x - 0x20 * ones) & ~x) | ((del - ones) & ~del)) & high)
            for (size_t j = k; j < k + 8; j++)
                control |= is_control((unsigned char)s[j]);
    }
    for (; k < n; k++) {
        seen |= (unsigned char)s[k];
        control |= is_control((unsigned char)s[k]);
    }
    *eightbit = (seen & high) != 0;
    return control;
}

int sw_rfc2047_decode(sw_arena *a, const char *in, size_t n, sw_decoded *out)
{
    memset(out, 0, sizeof *out);
    if (n < 2 || !sw_rfc2047_has_start(in, n)) {
        /* No encoded word: the common case, copied as is. ASCII is valid UTF-8. */
        int eightbit;
        if (plain_text_scan(in, n, &eightbit))
            out->flags |= SW_2047_CONTROL;
        if (eightbit && !sw_utf8_valid(in, n))
            out->flags |= SW_2047_INVALID_UTF8;
        out->len = n < SW_MAX_DECODED ? n : SW_MAX_DECODED;
        if (out->len < n)
            out->flags |= SW_2047_TRUNCATED;
        out->text = sw_arena_strndup(a, in, out->len);
        return out->text ? SW_OK : SW_ENOMEM;
    }
    /* Most values fit the stack buffer: no malloc/free per use. */
    char b_mem[256];
    sw_buf b;
    sw_buf_init_local(&b, SW_MAX_DECODED, b_mem, sizeof b_mem);
    char raw[512];
    size_t i = 0;
    int last_was_word = 0;
    while (i < n) {
        const char *cs, *pl;
        size_t cs_len, pl_len;
        char enc;
        size_t wl = parse_word(in + i, n - i, &cs, &cs_len, &enc, &pl, &pl_len);
        if (wl) {
            char charset[48];
            size_t cl = cs_len < sizeof charset - 1 ? cs_len : sizeof charset - 1;
            memcpy(charset, cs, cl);
            charset[cl] = '\0';
            char *star = strchr(charset, '*'); /* RFC 2231 language suffix */
            if (star)
                *star = '\0';
            out->words++;
            const char *payload = pl;
            size_t plen = pl_len;
            while (plen > 0) {
                /* Slices of 384 keep raw[] bounded and base64 quads whole. */
                size_t take = plen > 384 ? 384 : plen;
                size_t dn = decode_payload(enc, payload, take, raw, &out->flags);
                if (append_converted(&b, charset, raw, dn, &out->flags)) {
                    out->flags |= SW_2047_UNKNOWN_CHARSET;
                    if (!out->unknown_charset[0])
                        memcpy(out->unknown_charset, charset, strlen(charset) + 1);
                    sw_buf_add(&b, in + i, wl);
                    break;
                }
                payload += take;
                plen -= take;
            }
            out->flags |= SW_2047_ENCODED;
            i += wl;
            last_was_word = 1;
            continue;
        }
        if (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n') {
            size_t s = i;
            while (i < n && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n'))
                i++;
            /* Linear whitespace between two encoded words is not displayed (§6.2). */
            if (last_was_word && i < n &&
                parse_word(in + i, n - i, &cs, &cs_len, &enc, &pl, &pl_len))
                continue;
            sw_buf_add(&b, in + s, i - s);
            last_was_word = 0;
            continue;
        }
        /* Text up to the next whitespace or '=' (where a word may start) is no word and
         * goes out as it is, in one append instead of a failed look and a byte a time. */
        size_t j = i + 1;
        while (j < n && in[j] != '=' && in[j] != ' ' && in[j] != '\t' && in[j] != '\r' &&
               in[j] != '\n')
            j++;
        last_was_word = 0;
        sw_buf_add(&b, in + i, j - i);
        i = j;
    }
    if (b.len >= SW_MAX_DECODED)
        out->flags |= SW_2047_TRUNCATED;
    /* the decoded text is tested as plain text is: eight bytes a round, and UTF-8 rules
     * only when there is an 8-bit byte */
    int eightbit;
    if (plain_text_scan(b.data ? b.data : "", b.len, &eightbit))
        out->flags |= SW_2047_CONTROL;
    if (eightbit && !sw_utf8_valid(b.data, b.len))
        out->flags |= SW_2047_INVALID_UTF8;
    out->text = sw_arena_strndup(a, b.data ? b.data : "", b.len);
    out->len = b.len;
    sw_buf_free(&b);
    return out->text ? SW_OK : SW_ENOMEM;
}
