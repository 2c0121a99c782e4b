/* Unit tests: RFC 2047 decoding. */
#include "test.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/rfc2047.h"
#include "spoofwatch/utf8.h"

#include <stdint.h>
#include <stdio.h>

static sw_decoded dec(sw_arena *a, const char *s)
{
    sw_decoded d;
    sw_rfc2047_decode(a, s, strlen(s), &d);
    return d;
}

SW_TEST(rfc2047_adjacent_padded_b_words_keep_all_text)
{
    /* "Pay" + "Pal" each base64-padded: joining payloads first would lose "Pal". */
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_decoded d = dec(&a, "=?UTF-8?B?UGF5?= =?UTF-8?B?UGFs?= Support");
    CHECK_STR(d.text, "PayPal Support");
    CHECK(d.words == 2);
    d = dec(&a, "=?utf-8?B?QQ==?=\r\n =?utf-8?B?Qg==?=");
    CHECK_STR(d.text, "AB");
    sw_arena_free(&a);
}

SW_TEST(rfc2047_q_encoding_and_latin1)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_decoded d = dec(&a, "=?ISO-8859-1?Q?Caf=E9_cr=E8me?=");
    CHECK_STR(d.text, "Caf\xc3\xa9 cr\xc3\xa8me");
    d = dec(&a, "Re: =?utf-8?q?=C3=BCber?= alles");
    CHECK_STR(d.text, "Re: \xc3\xbc"
                      "ber alles");
    sw_arena_free(&a);
}

SW_TEST(rfc2047_other_charsets_via_iconv)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    /* windows-1251 "Привет" */
    sw_decoded d = dec(&a, "=?windows-1251?B?z/Do4uXy?=");
    CHECK_STR(d.text, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
    CHECK(!(d.flags & SW_2047_UNKNOWN_CHARSET));
    sw_arena_free(&a);
}

SW_TEST(rfc2047_unknown_charset_is_kept_and_reported)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_decoded d = dec(&a, "=?x-made-up?B?SGVsbG8=?= there");
    CHECK(d.flags & SW_2047_UNKNOWN_CHARSET);
    CHECK_STR(d.unknown_charset, "x-made-up");
    CHECK_STR(d.text, "=?x-made-up?B?SGVsbG8=?= there");
    sw_arena_free(&a);
}

SW_TEST(rfc2047_control_characters_flagged)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_decoded d = dec(&a, "=?utf-8?B?YQ1iCmM=?=");
    CHECK(d.flags & SW_2047_CONTROL);
    sw_arena_free(&a);
}

SW_TEST(rfc2047_plain_text_untouched_and_malformed_words_literal)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_decoded d = dec(&a, "plain =?broken text");
    CHECK_STR(d.text, "plain =?broken text");
    CHECK(!(d.flags & SW_2047_ENCODED));
    /* whitespace between a word and plain text is kept */
    d = dec(&a, "=?utf-8?Q?a?= b");
    CHECK_STR(d.text, "a b");
    sw_arena_free(&a);
}

/* The byte-by-byte definition of SW_2047_CONTROL: a C0 control other than TAB, or DEL. */
static int has_control_bytewise(const char *s, size_t n)
{
    int control = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        control |= (c < 0x20 && c != '\t') || c == 0x7F;
    }
    return control;
}

/* Mostly letters, so that a single odd byte from the pool lands anywhere in a word. */
static unsigned mostly_letter(uint32_t *seed, const unsigned char *pool, size_t npool)
{
    *seed = *seed * 1103515245u + 12345u;
    unsigned x = *seed >> 16;
    return x % 8 ? 'a' + x % 26 : pool[(x >> 3) % npool];
}

/* Text without an encoded word is tested eight bytes at a time for control bytes and 8-bit
 * bytes: the flags must be those of the byte-by-byte definition, wherever in a word the
 * byte sits. */
SW_TEST(rfc2047_plain_text_flags_match_bytewise)
{
    static const unsigned char pool[] = {'a', 'Z', ' ', '\t', 0x00, 0x01, 0x1F, 0x20, 0x7E,
                                         0x7F, 0x80, 0xC3, 0xA9, 0xFF, '?', '<'};
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    uint32_t seed = 7;
    char s[48];
    for (int r = 0; r < 50000; r++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % sizeof s;
        for (size_t i = 0; i < n; i++)
            s[i] = (char)mostly_letter(&seed, pool, sizeof pool);
        int control = has_control_bytewise(s, n);
        sw_decoded d;
        CHECK(sw_rfc2047_decode(&a, s, n, &d) == 0);
        CHECK(!(d.flags & SW_2047_CONTROL) == !control);
        CHECK(!(d.flags & SW_2047_INVALID_UTF8) == !!sw_utf8_valid(s, n));
        CHECK(d.len == n && memcmp(d.text, s, n) == 0);
        sw_arena_reset(&a);
    }
    sw_arena_free(&a);
}

/* Decoded text gets the same eight-bytes-a-round test: its flags must be those of the
 * byte-by-byte definition over the text the decoder returns. */
SW_TEST(rfc2047_decoded_text_flags_match_bytewise)
{
    static const unsigned char pool[] = {'a',  'Z',  ' ',  '\t', 0x00, 0x01, 0x1F,
                                         0x7E, 0x7F, 0x80, 0xC3, 0xA9, 0xFF};
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    uint32_t seed = 11;
    char s[200];
    for (int r = 0; r < 20000; r++) {
        seed = seed * 1103515245u + 12345u;
        size_t k = (seed >> 16) % 40, n = (size_t)sprintf(s, "=?utf-8?Q?");
        for (size_t i = 0; i < k; i++)
            n += (size_t)sprintf(s + n, "=%02X", mostly_letter(&seed, pool, sizeof pool));
        n += (size_t)sprintf(s + n, "?=");
        sw_decoded d;
        CHECK(sw_rfc2047_decode(&a, s, n, &d) == 0);
        int control = has_control_bytewise(d.text, d.len);
        CHECK(d.flags & SW_2047_ENCODED);
        CHECK(!(d.flags & SW_2047_CONTROL) == !control);
        CHECK(!(d.flags & SW_2047_INVALID_UTF8) == !!sw_utf8_valid(d.text, d.len));
        sw_arena_reset(&a);
    }
    sw_arena_free(&a);
}

/* The B payload rules read a character at a time: stop at '=', skip (and flag) anything
 * not in the alphabet, emit a byte for every 8 bits gathered. One slice of a payload. */
static size_t ref_b_decode(const char *s, size_t n, char *out, int *junk)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;
    *junk = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        const char *at = s[i] ? strchr(alpha, s[i]) : NULL;
        if (!at) {
            *junk = 1;
            continue;
        }
        acc = acc << 6 | (unsigned)(at - alpha);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xFF);
        }
    }
    return o;
}

SW_TEST(rfc2047_b_payloads_match_reference)
{
    /* Payloads of every length up to a few hundred (past the 384-byte slices), with '=',
     * junk bytes and 8-bit bytes at random places, decoded as one word. */
    static const char pick[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                               "QUJDRA==!*-.\x80\xff";
    uint32_t seed = 99;
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    for (int round = 0; round < 3000; round++) {
        char payload[900], in[1000], want[900];
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 8) % 800;
        int clean = round % 3 == 0; /* only alphabet characters: every quad whole */
        for (size_t k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            payload[k] = pick[(seed >> 16) % (clean ? 64 : sizeof pick - 1)];
        }
        payload[n] = '\0';
        /* the decoder takes the payload in slices of 384 characters, each on its own */
        int junk = 0;
        size_t wn = 0;
        for (size_t off = 0; off < n; off += 384) {
            int j;
            wn += ref_b_decode(payload + off, n - off < 384 ? n - off : 384, want + wn, &j);
            junk |= j;
        }
        snprintf(in, sizeof in, "=?us-ascii?B?%s?=", payload);
        sw_decoded d;
        CHECK(sw_rfc2047_decode(&a, in, strlen(in), &d) == SW_OK);
        CHECK(d.words == 1);
        CHECK(d.len == wn);
        CHECK(memcmp(d.text, want, wn) == 0);
        CHECK(!!(d.flags & SW_2047_MALFORMED) == junk);
        sw_arena_reset(&a);
    }
    sw_arena_free(&a);
}

/* parse_word's payload scan (16 positions a step while 17 bytes remain, then byte by
 * byte) against the rule: the payload ends at the first "?=", and whitespace before it
 * means there is no word. Every payload length to 60 with a mark at every position:
 * whitespace of each kind, a NUL, a lone '?' or '=', and an early "?=". */
static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

SW_TEST(rfc2047_payload_scan_matches_reference)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    static const char *const marks[] = {" ", "\t", "\r", "\n", "\0", "?", "=", "?=", "x"};
    size_t bad = 0;
    for (size_t len = 0; len <= 60; len++)
        for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++)
            for (size_t at = 0; at <= len; at++) {
                char in[128];
                size_t pre = (size_t)snprintf(in, sizeof in, "=?utf-8?q?");
                size_t n = pre;
                for (size_t k = 0; k < len; k++)
                    in[n++] = (char)('a' + k % 6); /* a-f: an '=' before two is an escape */
                size_t ml = m == 4 ? 1 : strlen(marks[m]);
                if (at < len)
                    memcpy(in + pre + at, marks[m], ml < len - at ? ml : len - at);
                in[n++] = '?';
                in[n++] = '=';
                /* the rule, byte by byte */
                size_t j = pre;
                int word = 0;
                for (; j + 1 < n; j++) {
                    if (in[j] == ' ' || in[j] == '\t' || in[j] == '\r' || in[j] == '\n')
                        break;
                    if (in[j] == '?' && in[j + 1] == '=') {
                        word = 1;
                        break;
                    }
                }
                char want[128];
                size_t wn = 0;
                if (word) {
                    for (size_t k = pre; k < j; k++) {
                        int h = k + 1 < j ? hexv(in[k + 1]) : -1;
                        int l = k + 2 < j ? hexv(in[k + 2]) : -1;
                        if (in[k] == '_')
                            want[wn++] = ' ';
                        else if (in[k] == '=' && h >= 0 && l >= 0) {
                            want[wn++] = (char)(h * 16 + l);
                            k += 2;
                        } else
                            want[wn++] = in[k];
                    }
                    memcpy(want + wn, in + j + 2, n - (j + 2));
                    wn += n - (j + 2);
                } else {
                    memcpy(want, in, n);
                    wn = n;
                }
                sw_decoded d;
                if (sw_rfc2047_decode(&a, in, n, &d) != SW_OK || d.words != (size_t)word ||
                    d.len != wn || memcmp(d.text, want, wn) != 0)
                    bad++;
            }
    CHECK(bad == 0);
    sw_arena_free(&a);
}

/* Text between words goes out in runs that end at whitespace or '=': a '=' that opens no
 * word, text right against a word and whitespace on either side keep their bytes. */
SW_TEST(rfc2047_text_runs_between_words)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    static const char *const cases[][2] = {
        {"abc =?utf-8?q?x?= def", "abc x def"},
        {"a=b=?utf-8?q?x?=c", "a=bxc"},
        {"=?utf-8?q?x?= =?utf-8?q?y?=", "xy"},
        {"x\t=?utf-8?q?y?=\r\n z", "x\ty\r\n z"},
        {"== ?= =?utf-8?q?y?==", "== ?= y="},
        {"Re: =?utf-8?B?UmU6IHF1YXJ0ZXJseSByZXBvcnQ=?= 0", "Re: Re: quarterly report 0"},
        {"=?utf-8?q?a?=longer text past sixteen bytes=?", "alonger text past sixteen bytes=?"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_decoded d = dec(&a, cases[i][0]);
        CHECK_STR(d.text, cases[i][1]);
        CHECK(d.len == strlen(cases[i][1]));
        CHECK(d.flags & SW_2047_ENCODED);
    }
    sw_arena_free(&a);
}
