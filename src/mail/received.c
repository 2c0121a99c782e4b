/* Received field parser: see include/spoofwatch/received.h.
 *
 * Three linear passes over the value, none of which recurses:
 *   1. find the date: the last ';' outside comments (or, when there is none, as when
 *      comments are unbalanced, the last ';' at all), so a ';' in "(version=TLS1_2; ...)"
 *      never hides it;
 *   2. split the text before it into words and comments; a word equal to a clause keyword
 *      (from/by/via/with/id/for, any case) starts that clause;
 *   pass 2 runs first, up to the last ';', which is the date's unless it falls inside a
 *   comment: only then is pass 1 needed;
 *   3. scan each comment of the from clause for the connecting IP, the reverse-DNS name
 *      and an explicit HELO, in the shapes MTAs actually write:
 *        Postfix   "helo (rdns [ip])", "helo (unknown [ip])"
 *        Sendmail  "helo (user@rdns [ip] (may be forged))"
 *        Exim      "rdns ([ip]:port helo=name)", "[ip] (helo=name)"
 *        qmail     "unknown (HELO name) (user@ip)"
 *        Exchange  "host (2603:10a6:208:1::1)", "host ([fe80::1])"
 *        zmailer   "rdns ([ip]:port "EHLO name" ...)"
 * When several comments hold an address, the last one wins: MTAs append their own comment
 * after the client-supplied HELO, which may itself contain a fake "(x [ip])".
 * Every output string is a NUL-terminated arena copy capped at SW_RCV_CLAUSE_MAX bytes. */
#include "spoofwatch/received.h"
#include "spoofwatch/hex.h"
#include "spoofwatch/copy.h"
#include "spoofwatch/error.h"
#include "spoofwatch/datetime.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Longest clause value kept; real ones are under 300 bytes, hostile ones are cut here. */
#define SW_RCV_CLAUSE_MAX 1024

enum rcv_clause { CL_FROM, CL_BY, CL_VIA, CL_WITH, CL_ID, CL_FOR, CL_COUNT };

/* A span of the input. */
typedef struct rcv_span {
    const char *p;
    size_t n;
} rcv_span;

/* What the from clause's comments told us. */
typedef struct rcv_from_info {
    char ip[INET6_ADDRSTRLEN];
    unsigned char bin[16]; /* ip in binary, for the private-address test */
    int have_ip;
    int ip_v6;
    unsigned char ip_len; /* strlen(ip) */
    rcv_span rdns; /* name written next to the bracketed IP */
    rcv_span helo; /* explicit "helo=x", "(HELO x)", "EHLO x" */
} rcv_from_info;

/* Byte classes for the scanning loops: one table lookup per byte instead of a chain of
 * comparisons (Received parsing was the largest per-message cost of a scan). */
enum {
    RC_WS = 1,
    RC_OPEN = 2,
    RC_CLOSE = 4,
    RC_SEMI = 8,
    RC_BSLASH = 16,
    RC_QUOTE = 32,
    RC_HOST = 64,
    RC_IP6 = 128
};
static const unsigned char rcv_class[256] = {
    /* NUL counts as a separator so no output word carries an embedded NUL. */
    [0] = RC_WS,     [' '] = RC_WS,    ['\t'] = RC_WS,  ['\r'] = RC_WS,     ['\n'] = RC_WS,
    ['('] = RC_OPEN, [')'] = RC_CLOSE, [';'] = RC_SEMI, ['\\'] = RC_BSLASH, ['"'] = RC_QUOTE,
    /* host name characters; RC_IP6 marks those an IPv6 or IPv4 text can start with */
    ['a' ... 'f'] = RC_HOST | RC_IP6, ['g' ... 'z'] = RC_HOST,
    ['A' ... 'F'] = RC_HOST | RC_IP6, ['G' ... 'Z'] = RC_HOST,
    ['0' ... '9'] = RC_HOST | RC_IP6, ['-'] = RC_HOST, ['.'] = RC_HOST, ['_'] = RC_HOST,
    [':'] = RC_IP6,
};

#if defined(__SSE2__)
/* Bit k set when byte k of the 16 at p is <= ')' or is ';'. */
static inline unsigned rcv_low_or_semi(const char *p)
{
    const __m128i close = _mm_set1_epi8(')'), semi = _mm_set1_epi8(';');
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, close), v); /* v <= ')' unsigned */
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(v, semi)));
}
#endif

/* Index of the first byte at or after i whose class is in mask (n when none); mask may
 * hold RC_WS, RC_OPEN, RC_CLOSE, RC_SEMI and RC_QUOTE. Every such byte is <= ')' or is ';',
 * so 16 bytes at a time are screened for those and only the rare hits (words hold few
 * bytes below ')') are checked against the table. This runs over every word of every
 * Received value. The last word before n (of a comment, of the clauses) is mostly fewer
 * than 16 bytes from it: those are screened with the 16 bytes that end at n, the ones
 * before i shifted out, rather than one byte at a time. Inlined at each call for its
 * constant mask. */
static inline __attribute__((always_inline)) size_t rcv_span_end(const char *s, size_t i,
                                                                  size_t n, unsigned mask)
{
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        for (unsigned hits = rcv_low_or_semi(s + i); hits; hits &= hits - 1) {
            size_t k = i + (size_t)__builtin_ctz(hits);
            if (rcv_class[(unsigned char)s[k]] & mask)
                return k;
        }
    }
    if (i < n && n >= 16) {
        size_t b = n - 16; /* b < i, as i + 16 > n */
        for (unsigned hits = rcv_low_or_semi(s + b) >> (i - b); hits; hits &= hits - 1) {
            size_t k = i + (size_t)__builtin_ctz(hits);
            if (rcv_class[(unsigned char)s[k]] & mask)
                return k;
        }
        return n;
    }
#endif
    while (i < n && !(rcv_class[(unsigned char)s[i]] & mask))
        i++;
    return i;
}

static int rcv_is_ws(unsigned char c)
{
    return rcv_class[c] & RC_WS;
}

static int rcv_is_host_char(unsigned char c)
{
    return rcv_class[c] & RC_HOST;
}

/* Strict dotted-quad IPv4, as inet_pton accepts it (no leading zeros), without the copy
 * and the libc call: nearly every Received hop has one, and this ran on every candidate. */
static int rcv_ipv4_bin(const char *p, size_t n, unsigned char bin[4])
{
    /* "0.0.0.0" to "255.255.255.255": anything else (most host names) is out by length. */
    if (n - 7 > 8)
        return 0;
    /* Read from a copy in 16 zero bytes, so no read needs an end test: a zero is neither a
     * digit nor a dot, and octet k starts at byte 4k at most, so no read passes byte 14. */
    unsigned char b[16] = {0};
    sw_copy_upto32((char *)b, p, n);
    const unsigned char *s = b;
    for (int octet = 0; octet < 4; octet++) {
        /* one to three digits, a leading zero only alone */
        unsigned v = (unsigned)s[0] - '0', d;
        if (v > 9)
            return 0;
        if ((d = (unsigned)s[1] - '0') > 9) {
            s += 1;
        } else {
            if (v == 0)
                return 0;
            v = v * 10 + d;
            if ((d = (unsigned)s[2] - '0') > 9) {
                s += 2;
            } else {
                v = v * 10 + d;
                if (v > 255)
                    return 0;
                s += 3;
            }
        }
        bin[octet] = (unsigned char)v;
        if (octet < 3 && *s++ != '.')
            return 0;
    }
    return (size_t)(s - b) == n;
}

/* Hex digits for the IPv6 reader: 0x20 | value, and 0x10 more for 'A'-'F' (so that a text
 * with an upper-case digit is known not to be inet_ntop's own); 0 for every other byte. */
static const unsigned char rcv_hex6[256] = {
    ['0'] = 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
    ['a'] = 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F,
    ['A'] = 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
};

/* A group of k hex digits below rcv_ip6_lead[k] was written with a leading zero. */
static const unsigned rcv_ip6_lead[5] = {0, 0, 0x10, 0x100, 0x1000};

/* Bit k set when group k of the 16-byte address is zero. */
static unsigned rcv_ip6_zero_groups(const unsigned char bin[16])
{
#if defined(__SSE2__)
    /* the zero bytes, then the pairs of them that make a group, gathered to bits 0-7 */
    unsigned m = (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)bin), _mm_setzero_si128()));
    m &= m >> 1 & 0x5555;
    m = (m | m >> 1) & 0x3333;
    m = (m | m >> 2) & 0x0F0F;
    return (m | m >> 4) & 0xFF;
#else
    unsigned z = 0;
    for (int k = 0; k < 8; k++)
        z |= (unsigned)((bin[2 * k] | bin[2 * k + 1]) == 0) << k;
    return z;
#endif
}

/* The first longest run of two or more zero groups, the one inet_ntop writes as "::": its
 * first group to *best and its length (0 when there is none). Bit k of r is set while
 * groups k to k + len - 1 are all zero, so the run is where r last was not empty. */
static void rcv_ip6_zero_run(unsigned z, int *best, int *len)
{
    int l = 0;
    unsigned last = 0;
    for (unsigned r = z & z >> 1; r; r &= r >> 1, l++)
        last = r;
    *len = l ? l + 1 : 0;
    *best = l ? __builtin_ctz(last) : -1;
}

/* IPv6 text as glibc's inet_pton(AF_INET6) reads it, step for step, without the copy to a
 * NUL-terminated buffer and the libc call (Exchange chains carry several addresses a hop):
 * groups of 1-4 hex digits, one "::", and an optional dotted quad in place of the last two
 * groups. p holds no NUL (words are cut at NUL; sw_ip_is_private measures with strlen), so
 * reading to n is reading to the terminator. The unit tests compare it with inet_pton.
 * *canon is set when p is already the text inet_ntop writes for the address (lower case, no
 * leading zeros, "::" for exactly the run it would pick, no dotted quad): nearly every
 * address in real mail is, and copying it is cheaper than writing it. Kept out of line: most
 * candidates never get here, and rcv_ip_bin_v4 stays small enough to inline for them. */
static __attribute__((noinline)) int rcv_ipv6_bin(const char *p, size_t n, unsigned char bin[16],
                                                   int *canon)
{
    unsigned char tmp[16] = {0};
    size_t tp = 0, colonp = 16, xdigits = 0, curtok = 0, i = 0;
    unsigned val = 0, seen = 0, odd = 0;
    int have_colonp = 0;
    if (n == 0)
        return 0;
    if (p[0] == ':' && (n < 2 || p[1] != ':'))
        return 0;
    if (p[0] == ':')
        i = curtok = 1;
    while (i < n) {
        unsigned char ch = (unsigned char)p[i++];
        unsigned digit = rcv_hex6[ch];
        if (digit) {
            if (xdigits == 4)
                return 0;
            seen |= digit;
            val = val << 4 | (digit & 15);
            xdigits++;
            continue;
        }
        if (ch == ':') {
            curtok = i;
            if (xdigits == 0) {
                if (have_colonp)
                    return 0;
                have_colonp = 1;
                colonp = tp;
                continue;
            }
            if (i == n || tp + 2 > 16)
                return 0;
            odd |= val < rcv_ip6_lead[xdigits]; /* a leading zero */
            tmp[tp++] = (unsigned char)(val >> 8);
            tmp[tp++] = (unsigned char)val;
            xdigits = 0;
            val = 0;
            continue;
        }
        if (ch == '.' && tp + 4 <= 16 && rcv_ipv4_bin(p + curtok, n - curtok, tmp + tp)) {
            tp += 4;
            xdigits = 0;
            odd = 1;
            break;
        }
        return 0;
    }
    if (xdigits) {
        if (tp + 2 > 16)
            return 0;
        odd |= val < rcv_ip6_lead[xdigits];
        tmp[tp++] = (unsigned char)(val >> 8);
        tmp[tp++] = (unsigned char)val;
    }
    size_t filled = 0; /* zero bytes "::" stands for */
    if (have_colonp) {
        /* "::" stands for at least one zero group */
        if (tp == 16)
            return 0;
        size_t tail = tp - colonp;
        filled = 16 - tp;
        memmove(tmp + 16 - tail, tmp + colonp, tail);
        memset(tmp + colonp, 0, 16 - tail - colonp);
        tp = 16;
    }
    if (tp != 16)
        return 0;
    memcpy(bin, tmp, 16);
    *canon = 0;
    if (!odd && !(seen & 0x10)) {
        int best, len;
        rcv_ip6_zero_run(rcv_ip6_zero_groups(tmp), &best, &len);
        /* inet_ntop writes the last 32 bits as a dotted quad after these runs */
        int dotted = best == 0 && (len == 6 || (len == 5 && tmp[10] == 0xFF && tmp[11] == 0xFF));
        *canon = !dotted && (have_colonp ? len && (size_t)best == colonp / 2 &&
                                               (size_t)len == filled / 2
                                         : len == 0);
    }
    return 1;
}

/* Parses an IP address written as text, tolerating "[...]", an "IPv6:" tag and a "%zone"
 * suffix. On success stores the binary form (4 or 16 bytes) and returns AF_INET/AF_INET6;
 * for AF_INET, *v4 is the dotted quad read (what is left of p without the brackets, tag and
 * zone), and for AF_INET6 the same when that text is inet_ntop's own (v4->p NULL when not). */
static int rcv_ip_bin_v4(const char *p, size_t n, unsigned char bin[16], rcv_span *v4)
{
    if (n && p[0] == '[') {
        p++;
        n--;
        /* "[a.b.c.d]", nearly every hop: a dotted quad is digits and dots, so when the text
         * before a closing ']' is one, that ']' is the first and memchr would cut there. */
        if (n && p[n - 1] == ']' && rcv_ipv4_bin(p, n - 1, bin)) {
            v4->p = p;
            v4->n = n - 1;
            return AF_INET;
        }
        const char *close = memchr(p, ']', n);
        if (close)
            n = (size_t)(close - p);
    }
    /* A plain dotted quad, the usual case, has neither the tag nor a zone to cut. */
    if (n < INET6_ADDRSTRLEN && rcv_ipv4_bin(p, n, bin)) {
        v4->p = p;
        v4->n = n;
        return AF_INET;
    }
    if (n >= 5 && (p[0] == 'I' || p[0] == 'i') && strncasecmp(p, "IPv6:", 5) == 0) {
        p += 5;
        n -= 5;
    }
    /* Both forms left start with a digit, a hex letter or ':' (a '%' first leaves nothing
     * to read): most host names, tried as bare addresses on every hop, stop here. */
    if (n == 0 || !(rcv_class[(unsigned char)p[0]] & RC_IP6))
        return 0;
    const char *pct = memchr(p, '%', n);
    if (pct)
        n = (size_t)(pct - p);
    if (n == 0 || n >= INET6_ADDRSTRLEN)
        return 0;
    if (rcv_ipv4_bin(p, n, bin)) {
        v4->p = p;
        v4->n = n;
        return AF_INET;
    }
    int canon;
    if (rcv_ipv6_bin(p, n, bin, &canon)) {
        v4->p = canon ? p : NULL;
        v4->n = n;
        return AF_INET6;
    }
    return 0;
}

static int rcv_ip_bin(const char *p, size_t n, unsigned char bin[16])
{
    rcv_span v4;
    return rcv_ip_bin_v4(p, n, bin, &v4);
}

_Static_assert(SW_IP6_TEXT_MAX == INET6_ADDRSTRLEN, "IPv6 text buffer size");

static const char rcv_hex[16] = "0123456789abcdef";

/* Dotted quad of 4 bytes; returns the end (a NUL is written there). */
static char *rcv_v4_text(const unsigned char *b, char *o)
{
    for (int k = 0; k < 4; k++) {
        /* two divisions an octet (each a multiply by the compiler), not one per digit */
        unsigned v = b[k], t = v / 10, h = t / 10;
        if (k)
            *o++ = '.';
        if (h)
            *o++ = (char)('0' + h);
        if (t)
            *o++ = (char)('0' + (t - h * 10));
        *o++ = (char)('0' + (v - t * 10));
    }
    *o = '\0';
    return o;
}

/* The text glibc's inet_ntop writes for an IPv6 address, built here because glibc formats
 * every group with sprintf (3.5 k instructions an address; real Received chains carry
 * several). Its rules: lower-case hex without leading zeros; the first longest run of two
 * or more zero groups becomes "::"; a run of exactly the first six groups, or of the first
 * five followed by ffff, writes the last 32 bits as a dotted quad ("::a.b.c.d",
 * "::ffff:a.b.c.d"). The unit tests compare it with inet_ntop. */
static char *rcv_ip6_text(const unsigned char bin[16], char out[SW_IP6_TEXT_MAX])
{
    unsigned words[8];
    for (int i = 0; i < 8; i++)
        words[i] = (unsigned)bin[2 * i] << 8 | bin[2 * i + 1];
    int best, best_len;
    rcv_ip6_zero_run(rcv_ip6_zero_groups(bin), &best, &best_len);
    char *o = out;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            *o++ = ':';
            i += best_len - 1;
            continue;
        }
        if (i)
            *o++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)))
            return rcv_v4_text(bin + 12, o);
        unsigned w = words[i];
        if (w >= 0x1000)
            *o++ = rcv_hex[w >> 12];
        if (w >= 0x100)
            *o++ = rcv_hex[w >> 8 & 15];
        if (w >= 0x10)
            *o++ = rcv_hex[w >> 4 & 15];
        *o++ = rcv_hex[w & 15];
    }
    if (best >= 0 && best + best_len == 8)
        *o++ = ':';
    *o = '\0';
    return o;
}

void sw_ip6_text(const unsigned char bin[16], char out[SW_IP6_TEXT_MAX])
{
    rcv_ip6_text(bin, out);
}

/* Like rcv_ip_bin, but writes the canonical text form (lower case, shortest IPv6) so that
 * the same address written two ways compares equal downstream, and its length to *len
 * (for the copy into the hop, without a strlen). */
static int rcv_ip_text(const char *p, size_t n, char out[INET6_ADDRSTRLEN], unsigned char bin[16],
                       unsigned char *len)
{
    rcv_span v4;
    int af = rcv_ip_bin_v4(p, n, bin, &v4);
    /* A dotted quad rcv_ipv4_bin accepts (decimal octets, no leading zeros) is already in
     * the one canonical form, the text rcv_v4_text would write from bin, and so is most
     * IPv6 text in mail (rcv_ipv6_bin tells): copy it. */
    if (af == AF_INET) {
        sw_copy_upto32(out, v4.p, v4.n); /* at most 15 bytes */
        out[v4.n] = '\0';
        *len = (unsigned char)v4.n;
    } else if (af == AF_INET6 && v4.p) {
        sw_copy_short(out, v4.p, v4.n); /* under INET6_ADDRSTRLEN bytes */
        out[v4.n] = '\0';
        *len = (unsigned char)v4.n;
    } else if (af == AF_INET6)
        *len = (unsigned char)(rcv_ip6_text(bin, out) - out);
    return af;
}

static int rcv_v4_private(const unsigned char *b)
{
    return b[0] == 10 || b[0] == 127 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xF0) == 16) ||
           (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
           (b[0] == 100 && (b[1] & 0xC0) == 64) ||
           b[0] >= 224; /* multicast, reserved and broadcast: never a real SMTP client */
}

/* The private/special-use test on a parsed address (AF_INET: 4 bytes, AF_INET6: 16). */
static int rcv_bin_is_private(int af, const unsigned char *b)
{
    if (af == AF_INET)
        return rcv_v4_private(b);
    if (af != AF_INET6)
        return 0;
    static const unsigned char zero[16];
    if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
        return 1; /* :: and ::1 */
    if ((b[0] & 0xFE) == 0xFC)
        return 1; /* fc00::/7 unique local */
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
        return 1; /* fe80::/10 link-local */
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)
        return 1; /* fec0::/10 deprecated site-local */
    if (b[0] == 0xFF)
        return 1; /* multicast */
    if (memcmp(b, zero, 10) == 0 && b[10] == 0xFF && b[11] == 0xFF)
        return rcv_v4_private(b + 12); /* ::ffff:a.b.c.d */
    return 0;
}

int sw_ip_is_private(const char *ip)
{
    if (!ip)
        return 0;
    unsigned char b[16];
    return rcv_bin_is_private(rcv_ip_bin(ip, strlen(ip), b), b);
}

/* A copy capped at SW_RCV_CLAUSE_MAX, cut at a UTF-8 boundary when the cut falls inside a
 * sequence. NULL only when the arena is exhausted. */
static char *rcv_dup(sw_arena *a, const char *p, size_t n)
{
    if (n > SW_RCV_CLAUSE_MAX) {
        n = SW_RCV_CLAUSE_MAX;
        for (int k = 0; k < 3 && n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80; k++)
            n--;
    }
    return sw_arena_strndup(a, p, n);
}

/* word is lower-case ASCII; ASCII letters fold with |0x20 (no locale, no libc call). */
static int rcv_eq_nocase(const char *p, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n && word[i]; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c | 0x20);
        if (c != (unsigned char)word[i])
            return 0;
    }
    return i == n && word[i] == '\0';
}

/* The word's first n (<= 4) bytes, little-endian, each ORed with 0x20. A byte ORed with 0x20
 * is a lower-case letter exactly when the byte is a letter, so comparing this with a packed
 * lower-case keyword is the same test as rcv_eq_nocase, without a loop per keyword. */
static uint32_t rcv_fold4(const char *p, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Four bytes, the usual case (every word tested for "from"/"with", every comment word
     * for "helo"/"ehlo"), in one load. */
    if (n == 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        return w | 0x20202020u;
    }
#endif
    uint32_t v = 0;
    for (size_t k = 0; k < n; k++)
        v |= (uint32_t)((unsigned char)p[k] | 0x20) << (8 * k);
    return v;
}

#define RCV_PACK2(a, b) ((uint32_t)(a) | (uint32_t)(b) << 8)
#define RCV_PACK3(a, b, c) (RCV_PACK2(a, b) | (uint32_t)(c) << 16)
#define RCV_PACK4(a, b, c, d) (RCV_PACK3(a, b, c) | (uint32_t)(d) << 24)

/* Drops an ident/user prefix ("user@rdns", "IDENT:x@rdns"): everything up to the last '@'. */
static rcv_span rcv_strip_user(rcv_span t)
{
    const char *at = t.n ? memrchr(t.p, '@', t.n) : NULL;
    if (at) {
        t.n -= (size_t)(at + 1 - t.p);
        t.p = at + 1;
    }
    return t;
}

/* Whether every byte of p[0..n) is a host name character (RC_HOST). Names of 16 bytes and
 * more (most reverse-DNS names) are tested 16 bytes at a time, the last block overlapping
 * the one before: a letter is a byte that ORed with 0x20 is in 'a'..'z'; '-', '.' and the
 * digits are '-'..'9' without '/'; and '_'. */
static int rcv_all_host(const char *p, size_t n)
{
#if defined(__SSE2__)
    if (n >= 16) {
        const __m128i a = _mm_set1_epi8('a'), z = _mm_set1_epi8('z' - 'a'),
                      dash = _mm_set1_epi8('-'), nine = _mm_set1_epi8('9' - '-'),
                      slash = _mm_set1_epi8('/'), under = _mm_set1_epi8('_'),
                      case_bit = _mm_set1_epi8(0x20);
        for (size_t i = 0;; i += 16) {
            if (i + 16 > n)
                i = n - 16;
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            __m128i x = _mm_sub_epi8(_mm_or_si128(v, case_bit), a);
            __m128i y = _mm_sub_epi8(v, dash);
            __m128i ok = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, z), x),
                                      _mm_andnot_si128(_mm_cmpeq_epi8(v, slash),
                                                       _mm_cmpeq_epi8(_mm_min_epu8(y, nine), y)));
            ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, under));
            if (_mm_movemask_epi8(ok) != 0xFFFF)
                return 0;
            if (i + 16 >= n)
                return 1;
        }
    }
#endif
    for (size_t k = 0; k < n; k++)
        if (!rcv_is_host_char((unsigned char)p[k]))
            return 0;
    return 1;
}

/* A name that can stand for a reverse-DNS result: host characters only, not the "unknown"
 * Postfix and qmail write when there is none, and not an IP address in disguise. */
static int rcv_is_rdns_name(rcv_span t)
{
    if (t.n == 0 || rcv_eq_nocase(t.p, t.n, "unknown") || !rcv_all_host(t.p, t.n))
        return 0;
    /* Host characters leave out ':', '[' and '%', so of the forms rcv_ip_bin reads only a
     * dotted quad remains possible. */
    unsigned char bin[4];
    return !rcv_ipv4_bin(t.p, t.n, bin);
}

/* The DNS root dot ("mail-sor-f41.google.com.") is not part of the name users compare. */
static rcv_span rcv_trim_root_dot(rcv_span t)
{
    if (t.n > 1 && t.p[t.n - 1] == '.')
        t.n--;
    return t;
}

static int rcv_comment_sep(unsigned char c)
{
    return rcv_class[c] & (RC_WS | RC_OPEN | RC_CLOSE | RC_QUOTE);
}

/* Where a comment word holds '@', '[' and ':': bit k of each mask for byte k. */
typedef struct rcv_marks {
    uint32_t at, lb, colon;
} rcv_marks;

/* The marks of p[0..n), read 16 bytes at a time from [base, lim), which holds p[0..n) and is
 * readable: every word of a from comment was three libc calls (memrchr for the user's '@',
 * memchr for the '[', and for the bare forms memchr for ':'), each longer than this for
 * words this short. 0 when the word is over 32 bytes or the readable span under 16 (or
 * without SSE2): the caller searches with the libc calls then. */
static int rcv_word_marks(const char *p, size_t n, const char *base, const char *lim,
                          rcv_marks *m)
{
#if defined(__SSE2__)
    if (n > 32 || lim - base < 16)
        return 0;
    const __m128i at = _mm_set1_epi8('@'), lb = _mm_set1_epi8('['), colon = _mm_set1_epi8(':');
    uint32_t a = 0, l = 0, c = 0;
    for (size_t off = 0; off < n; off += 16) {
        /* the 16 bytes from p + off, or, near lim, the 16 that end there, shifted so that
         * bit 0 is still p[off] (the bytes past lim, shifted out, are not the word's) */
        const char *q = p + off;
        unsigned sh = 0;
        if (q + 16 > lim) {
            sh = (unsigned)(q - (lim - 16));
            q = lim - 16;
        }
        __m128i v = _mm_loadu_si128((const __m128i *)q);
        a |= ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, at)) >> sh) << off;
        l |= ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lb)) >> sh) << off;
        c |= ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, colon)) >> sh) << off;
    }
    uint32_t keep = n == 32 ? ~(uint32_t)0 : ((uint32_t)1 << n) - 1;
    m->at = a & keep;
    m->lb = l & keep;
    m->colon = c & keep;
    return 1;
#else
    (void)p, (void)n, (void)base, (void)lim, (void)m;
    return 0;
#endif
}

/* Scans the inside of one top-level comment of the from clause (nested comments included,
 * their parentheses treated as separators); [base, lim) is the readable text around it. */
static void rcv_scan_from_comment(const char *p, size_t n, const char *base, const char *lim,
                                  rcv_from_info *fi)
{
    char ip[INET6_ADDRSTRLEN];
    unsigned char bin[16], ip_len = 0;
    int af = 0;
    rcv_span rdns = {NULL, 0};
    rcv_span prev = {NULL, 0};
    int want_helo = 0;
    size_t i = 0;

    while (i < n) {
        if (rcv_comment_sep((unsigned char)p[i])) {
            i++;
            continue;
        }
        rcv_span t = {p + i, 0};
        i = rcv_span_end(p, i, n, RC_WS | RC_OPEN | RC_CLOSE | RC_QUOTE);
        t.n = (size_t)(p + i - t.p);

        if (want_helo) {
            fi->helo = t;
            want_helo = 0;
            prev.p = NULL;
            continue;
        }
        uint32_t head = t.n >= 4 ? rcv_fold4(t.p, 4) : 0;
        if (t.n == 4 &&
            (head == RCV_PACK4('h', 'e', 'l', 'o') || head == RCV_PACK4('e', 'h', 'l', 'o'))) {
            want_helo = 1;
            continue;
        }
        if (t.n > 5 && head == RCV_PACK4('h', 'e', 'l', 'o') && t.p[4] == '=') {
            fi->helo.p = t.p + 5;
            fi->helo.n = t.n - 5;
            prev.p = NULL;
            continue;
        }
        if (!af) {
            rcv_marks mk;
            rcv_span a;
            const char *lb, *colon;
            int marked = rcv_word_marks(t.p, t.n, base, lim, &mk);
            if (marked) {
                /* the text after the last '@', and its first '[' and ':' */
                a = t;
                if (mk.at) {
                    unsigned skip = 32 - (unsigned)__builtin_clz(mk.at); /* up to the '@' */
                    a.p += skip;
                    a.n -= skip;
                    /* a 64-bit shift: skip is 32 for an '@' that ends a 32-byte word */
                    mk.lb = (uint32_t)((uint64_t)mk.lb >> skip);
                    mk.colon = (uint32_t)((uint64_t)mk.colon >> skip);
                }
                lb = mk.lb ? a.p + __builtin_ctz(mk.lb) : NULL;
                colon = mk.colon ? a.p + __builtin_ctz(mk.colon) : NULL;
            } else {
                a = rcv_strip_user(t);
                lb = a.n ? memchr(a.p, '[', a.n) : NULL;
                colon = NULL; /* searched below, when needed */
            }
            if (lb == a.p) {
                /* "[ip]" or "[ip]:port"; the name just before it is the reverse DNS (prev
                 * holds it with any user part stripped already). */
                af = rcv_ip_text(a.p, a.n, ip, bin, &ip_len);
                if (af && prev.p) {
                    rcv_span r = rcv_trim_root_dot(prev);
                    if (rcv_is_rdns_name(r))
                        rdns = r;
                }
            } else if (lb) {
                /* Glued "name[ip]" (Postfix log style, Exchange "Not Verified[ip]"): the
                 * prefix is a host name only when it looks like one with a dot. */
                af = rcv_ip_text(lb, a.n - (size_t)(lb - a.p), ip, bin, &ip_len);
                rcv_span r = {a.p, (size_t)(lb - a.p)};
                r = rcv_trim_root_dot(r);
                if (af && memchr(r.p, '.', r.n) && rcv_is_rdns_name(r))
                    rdns = r;
            } else if (a.n) {
                /* Bare address: qmail "(user@ip)", Exchange "(2603:...)" and "(10.1.2.3)". */
                af = rcv_ip_text(a.p, a.n, ip, bin, &ip_len);
                if (!af) {
                    /* ipv4:port: one ':' only */
                    int one;
                    if (marked) {
                        one = colon && !(mk.colon & (mk.colon - 1));
                    } else {
                        colon = memchr(a.p, ':', a.n);
                        one = colon && !memchr(colon + 1, ':', a.n - (size_t)(colon + 1 - a.p));
                    }
                    if (one)
                        af = rcv_ip_text(a.p, (size_t)(colon - a.p), ip, bin, &ip_len);
                    if (af != AF_INET)
                        af = 0;
                }
            }
            prev = a;
        }
    }
    if (af) {
        memcpy(fi->ip, ip, sizeof ip);
        memcpy(fi->bin, bin, sizeof bin);
        fi->have_ip = 1;
        fi->ip_v6 = af == AF_INET6;
        fi->ip_len = ip_len;
        fi->rdns = rdns;
    }
}

/* Index of the next '(', ')', ';' or '\\' at or after i (n when none). Received values are
 * mostly host names and ids, so this skips 16 plain bytes at a time. */
static size_t rcv_next_special(const char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i o = _mm_set1_epi8('('), c = _mm_set1_epi8(')'), sc = _mm_set1_epi8(';'),
                  bs = _mm_set1_epi8('\\');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, o), _mm_cmpeq_epi8(v, c)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, sc), _mm_cmpeq_epi8(v, bs)));
        int mask = _mm_movemask_epi8(hit);
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
    if (i < n && n >= 16) {
        /* the last bytes: the 16 that end at n, those before i shifted out */
        size_t b = n - 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(s + b));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, o), _mm_cmpeq_epi8(v, c)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, sc), _mm_cmpeq_epi8(v, bs)));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit) >> (i - b);
        return mask ? i + (size_t)__builtin_ctz(mask) : n;
    }
#endif
    while (i < n && !(rcv_class[(unsigned char)s[i]] & (RC_OPEN | RC_CLOSE | RC_SEMI | RC_BSLASH)))
        i++;
    return i;
}

/* Runs on every word of every Received value: one switch on the length and one compare
 * instead of six string comparisons. */
static int rcv_keyword(const char *p, size_t n)
{
    /* Keywords are 2 to 4 letters: most words (host names, ids) are rejected here. */
    if (n < 2 || n > 4)
        return -1;
    uint32_t v = rcv_fold4(p, n);
    switch (n) {
    case 2:
        return v == RCV_PACK2('b', 'y') ? CL_BY : v == RCV_PACK2('i', 'd') ? CL_ID : -1;
    case 3:
        return v == RCV_PACK3('v', 'i', 'a') ? CL_VIA : v == RCV_PACK3('f', 'o', 'r') ? CL_FOR : -1;
    default:
        return v == RCV_PACK4('f', 'r', 'o', 'm')   ? CL_FROM
               : v == RCV_PACK4('w', 'i', 't', 'h') ? CL_WITH
                                                    : -1;
    }
}

/* Appends a word to a space-joined clause buffer, dropping what does not fit. */
static void rcv_append(char *buf, size_t *len, const char *p, size_t n)
{
    if (*len && *len < SW_RCV_CLAUSE_MAX)
        buf[(*len)++] = ' ';
    size_t room = SW_RCV_CLAUSE_MAX - *len;
    if (n > room)
        n = room;
    memcpy(buf + *len, p, n);
    *len += n;
}

/* Index of the last ';' outside comments; when comments never close, the last ';' at all,
 * because a truncated comment is likelier than a date inside one. n when there is none. */
static size_t rcv_find_date_semicolon(const char *s, size_t n)
{
    size_t top = n, any = n, depth = 0;
    for (size_t i = rcv_next_special(s, 0, n); i < n; i = rcv_next_special(s, i + 1, n)) {
        char ch = s[i];
        if (ch == ';')
            any = i;
        if (depth) {
            if (ch == '\\')
                i++;
            else if (ch == '(')
                depth++;
            else if (ch == ')')
                depth--;
        } else if (ch == '(') {
            depth = 1;
        } else if (ch == ';') {
            top = i;
        }
    }
    return top < n ? top : any;
}

/* What the clause pass (pass 2) read. */
typedef struct rcv_clauses {
    rcv_span first[CL_COUNT]; /* first word of each clause */
    rcv_from_info fi;
    size_t with_len, via_len;
    int lit_af; /* an address literal outside comments in the from clause */
    /* left uncleared: read only as far as lit_af, with_len and via_len say */
    char lit_ip[INET6_ADDRSTRLEN];
    unsigned char lit_bin[16], lit_len;
    char with_buf[SW_RCV_CLAUSE_MAX], via_buf[SW_RCV_CLAUSE_MAX];
} rcv_clauses;

/* Pass 2 over value[0..end): words and comments; a word equal to a clause keyword starts
 * that clause. Returns 1 when end falls inside a comment that is still open there. */
static int rcv_read_clauses(const char *value, size_t end, rcv_clauses *cl)
{
    memset(cl, 0, offsetof(rcv_clauses, lit_ip));
    int seen[CL_COUNT] = {0};
    int cur = -1;     /* clause being read; -1 none */
    int skipping = 0; /* inside a repeated clause, whose words are ignored */
    int open = 0;     /* the last comment read ran into end */
    size_t i = 0;

    while (i < end) {
        unsigned char c = (unsigned char)value[i];
        if (rcv_class[c] & (RC_WS | RC_CLOSE)) {
            /* Unfolded values keep the folding space ("\r\n        id"): a whole run is
             * skipped here rather than one byte a pass of the loop. */
            do
                i++;
            while (i < end && rcv_class[(unsigned char)value[i]] & (RC_WS | RC_CLOSE));
            continue;
        }
        if (c == ';') {
            cur = -1;
            i++;
            continue;
        }
        if (c == '(') {
            size_t start = ++i, depth = 1;
            /* Comments are long ("(Postfix)", "(host [ip])", TLS details): jump between the
             * bytes that matter. */
            for (i = rcv_next_special(value, i, end); i < end;
                 i = rcv_next_special(value, i, end)) {
                char d = value[i];
                if (d == '\\') {
                    i += 2;
                    continue;
                }
                if (d == '(') {
                    depth++;
                } else if (d == ')' && --depth == 0) {
                    break;
                }
                i++;
            }
            open = i >= end;
            if (i > end)
                i = end;
            if (cur == CL_FROM && !skipping)
                rcv_scan_from_comment(value + start, i - start, value, value + end, &cl->fi);
            i++;
            continue;
        }
        size_t start = i;
        i = rcv_span_end(value, i, end, RC_WS | RC_OPEN | RC_CLOSE | RC_SEMI);
        const char *w = value + start;
        size_t wn = i - start;
        int k = rcv_keyword(w, wn);
        if (k >= 0) {
            /* The first occurrence of a clause counts; a repeat is most often junk. */
            cur = k;
            skipping = seen[k];
            seen[k] = 1;
            continue;
        }
        if (cur < 0 || skipping)
            continue;
        if (!cl->first[cur].p) {
            cl->first[cur].p = w;
            cl->first[cur].n = wn;
        } else if (cur == CL_FROM && !cl->lit_af && wn && w[0] == '[') {
            /* "from helo [ip]" with the literal outside any comment (older Sendmail,
             * several spam tools): weaker than a comment, stronger than the HELO. */
            cl->lit_af = rcv_ip_text(w, wn, cl->lit_ip, cl->lit_bin, &cl->lit_len);
        }
        /* "with Microsoft SMTP Server", "via Frontend Transport": several words. */
        if (cur == CL_WITH)
            rcv_append(cl->with_buf, &cl->with_len, w, wn);
        else if (cur == CL_VIA)
            rcv_append(cl->via_buf, &cl->via_len, w, wn);
    }
    return open;
}

/* The clause strings of one hop, copied into one arena block: one room check and no call
 * per string (a hop has up to eight, and rcv_dup was a call each). */
#define RCV_OUT_MAX 8
typedef struct rcv_out {
    const char **dst[RCV_OUT_MAX];
    const char *p[RCV_OUT_MAX];
    size_t n[RCV_OUT_MAX];
    size_t count, total;
} rcv_out;

/* Queues a copy of p[0..n) for *dst, capped as rcv_dup caps it. */
static void rcv_want(rcv_out *o, const char **dst, const char *p, size_t n)
{
    if (n > SW_RCV_CLAUSE_MAX) {
        n = SW_RCV_CLAUSE_MAX;
        for (int k = 0; k < 3 && n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80; k++)
            n--;
    }
    o->dst[o->count] = dst;
    o->p[o->count] = p;
    o->n[o->count] = n;
    o->count++;
    o->total += n + 1;
}

/* Makes the queued copies, each NUL-terminated. SW_ENOMEM when the arena is exhausted
 * (then none is set). */
static int rcv_flush(sw_arena *a, rcv_out *o)
{
    if (!o->count)
        return 0;
    char *b = sw_arena_alloc(a, o->total);
    if (!b)
        return SW_ENOMEM;
    for (size_t k = 0; k < o->count; k++) {
        size_t n = o->n[k];
        sw_copy_short(b, o->p[k], n);
        b[n] = '\0';
        *o->dst[k] = b;
        b += n + 1;
    }
    return 0;
}

#define RCV_DUP(dst, p, n)                                                                         \
    do {                                                                                           \
        if (!((dst) = rcv_dup(a, (p), (n))))                                                       \
            return SW_ENOMEM;                                                                      \
    } while (0)

/* stable: value[n] is NUL and value outlives the hop, so spans ending at n need no copy. */
static int received_parse(sw_arena *a, const char *value, size_t n, sw_received_hop *out,
                          int stable)
{
    /* The caller may have set these before calling; everything else starts empty. */
    uint64_t offset = out->offset;
    size_t field_index = out->field_index;
    memset(out, 0, sizeof *out);
    out->offset = offset;
    out->field_index = field_index;
    if (!value) {
        n = 0;
        stable = 0;
    }

    if (stable)
        out->raw = value;
    else if (!(out->raw = sw_arena_strndup(a, n ? value : "", n)))
        return SW_ENOMEM;

    /* Passes 1 and 2 at once, nearly always: the date's ';' is the last ';' of the value
     * unless that one is inside a comment, and pass 2 up to it tells which (it ends in an
     * open comment). Only then is pass 1 run, and pass 2 again if the ';' is another. */
    rcv_clauses cl;
    const char *last = n ? memrchr(value, ';', n) : NULL;
    size_t semi = last ? (size_t)(last - value) : n;
    if (rcv_read_clauses(value, semi, &cl)) {
        size_t s1 = rcv_find_date_semicolon(value, n);
        if (s1 != semi) {
            semi = s1;
            rcv_read_clauses(value, semi, &cl);
        }
    }

    /* The from clause. An explicit HELO in a comment means the leading name is the MTA's
     * own view of the client (reverse DNS, an address literal, or "unknown"). */
    rcv_out o;
    o.count = o.total = 0;
    rcv_span fname = cl.first[CL_FROM];
    if (cl.fi.helo.p && cl.fi.helo.n) {
        rcv_want(&o, &out->from_helo, cl.fi.helo.p, cl.fi.helo.n);
        rcv_span r = cl.fi.rdns.p ? cl.fi.rdns : rcv_trim_root_dot(fname);
        if (r.p && rcv_is_rdns_name(r))
            rcv_want(&o, &out->from_rdns, r.p, r.n);
    } else {
        if (fname.p)
            rcv_want(&o, &out->from_helo, fname.p, fname.n);
        if (cl.fi.rdns.p)
            rcv_want(&o, &out->from_rdns, cl.fi.rdns.p, cl.fi.rdns.n);
    }
    /* The address's text and binary form where they were written, and copied from there
     * (by rcv_flush, below, while they are still in scope). */
    char fname_ip[INET6_ADDRSTRLEN];
    unsigned char fname_bin[16], ip_len = 0;
    const char *ip = NULL;
    const unsigned char *bin = NULL;
    int af = 0;
    if (cl.fi.have_ip) {
        ip = cl.fi.ip;
        ip_len = cl.fi.ip_len;
        bin = cl.fi.bin;
        af = cl.fi.ip_v6 ? AF_INET6 : AF_INET;
    } else if (cl.lit_af) {
        ip = cl.lit_ip;
        ip_len = cl.lit_len;
        bin = cl.lit_bin;
        af = cl.lit_af;
    } else if (fname.p && fname.n && (fname.p[0] == '[' || (cl.fi.helo.p && cl.fi.helo.n))) {
        /* "from [192.0.2.1]" with no address in a comment: the literal is all there is
         * (Exim writes the connecting address here when it has no reverse DNS). A bare
         * address counts only when a comment names the HELO separately ("from 192.0.2.1
         * (EHLO x)"), since otherwise it is just what the client claimed. */
        af = rcv_ip_text(fname.p, fname.n, fname_ip, fname_bin, &ip_len);
        ip = fname_ip;
        bin = fname_bin;
    }
    if (af) {
        rcv_want(&o, &out->from_ip, ip, ip_len);
        if (af == AF_INET6)
            out->flags |= SW_RCV_IPV6;
        /* The binary form is at hand: no second parse of the text (sw_ip_is_private). */
        if (rcv_bin_is_private(af, bin))
            out->flags |= SW_RCV_PRIVATE_IP;
    }

    if (cl.first[CL_BY].p)
        rcv_want(&o, &out->by, cl.first[CL_BY].p, cl.first[CL_BY].n);
    if (cl.first[CL_ID].p)
        rcv_want(&o, &out->id, cl.first[CL_ID].p, cl.first[CL_ID].n);
    if (cl.with_len)
        rcv_want(&o, &out->with, cl.with_buf, cl.with_len);
    if (cl.via_len)
        rcv_want(&o, &out->via, cl.via_buf, cl.via_len);
    if (cl.first[CL_FOR].p) {
        rcv_span f = cl.first[CL_FOR];
        while (f.n && f.p[0] == '<') {
            f.p++;
            f.n--;
        }
        while (f.n && (f.p[f.n - 1] == '>' || f.p[f.n - 1] == ','))
            f.n--;
        if (f.n)
            rcv_want(&o, &out->for_addr, f.p, f.n);
    }
    if (rcv_flush(a, &o))
        return SW_ENOMEM;

    /* The date. */
    if (semi >= n) {
        out->flags |= SW_RCV_NO_DATE;
        return 0;
    }
    size_t ds = semi + 1, de = n;
    while (ds < de && rcv_is_ws((unsigned char)value[ds]))
        ds++;
    while (de > ds && rcv_is_ws((unsigned char)value[de - 1]))
        de--;
    if (ds == de) {
        out->flags |= SW_RCV_NO_DATE;
        return 0;
    }
    if (stable && de == n && de - ds <= SW_RCV_CLAUSE_MAX)
        out->date = value + ds; /* what rcv_dup would copy, already NUL-terminated */
    else
        RCV_DUP(out->date, value + ds, de - ds);
    int64_t epoch;
    int off;
    if (sw_datetime_parse_rfc5322(value + ds, de - ds, &epoch, &off) == 0) {
        out->has_time = 1;
        out->epoch = epoch;
        out->tz_offset_min = off;
    } else {
        out->flags |= SW_RCV_BAD_DATE;
    }
    return 0;
}

int sw_received_parse(sw_arena *a, const char *value, size_t n, sw_received_hop *out)
{
    return received_parse(a, value, n, out, 0);
}

int sw_received_parse_stable(sw_arena *a, const char *value, size_t n, sw_received_hop *out)
{
    return received_parse(a, value, n, out, 1);
}
