/* Campaign keys: see include/spoofwatch/campaign.h.
 *
 * This file owns the pure, deterministic half of campaigns: parsing the key configuration
 * (part names, window durations), normalizing the key parts of one message (subject,
 * network, display name) and hashing them into the campaign id. Nothing here reads the
 * store or depends on input order; the store groups messages by the id computed here.
 *
 * Memory: every string returned lives in the arena passed in; nothing is freed here. Every
 * key part is capped at SW_CAMPAIGN_MAX_PART bytes before it is normalized or hashed, so a
 * hostile 1 MB subject costs one bounded pass and can never grow the key text unbounded.
 *
 * Hash input (version 1), all integers big-endian:
 *   "spoofwatch-campaign-1" NUL, parts (u32),
 *   for each SW_CK_* bit set, in bit order: length (u32) then the value's bytes,
 *   window (i64), dated (u8: 1 when the message has a time), bucket_start (i64).
 * Lengths make the encoding unambiguous ("a" + "bc" != "ab" + "c"); the dated byte keeps
 * the undated bucket (start 0) apart from a dated message of the 1970-01-01 window. */
#include "spoofwatch/campaign.h"
#include "spoofwatch/error.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

/* Bytes of one key part kept (the brief's cap on subjects; domains and addresses are
 * far shorter when honest). */
#define SW_CAMPAIGN_MAX_PART 1024
/* Longest leading bracketed tag stripped from a subject ("[EXTERNAL]", "(EXT)"): longer
 * bracketed text is taken for part of the subject. */
#define SW_CAMPAIGN_MAX_TAG 64

/* Names of the SW_CK_* bits, in bit order (the hash order). */
static const char *const part_names[] = {
    "from_org", "subject", "network", "envelope_org", "display_name", "from_address",
};
#define NPARTS (sizeof part_names / sizeof part_names[0])

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ASCII control bytes other than the whitespace above (and DEL): invisible in a mail
 * client, so an attacker can sprinkle them to split one campaign into many. Dropped. */
static int is_ctl(unsigned char c)
{
    return (c < 0x20 && !is_ws(c)) || c == 0x7f;
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Length of s capped at max, backed off so a multi-byte UTF-8 sequence is not cut in half
 * (the cut text stays valid UTF-8 when the input was). */
static size_t capped_len(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max)
        return n;
    n = max;
    /* at most 3 continuation bytes precede the byte that starts the cut character */
    for (int k = 0; k < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; k++)
        n--;
    return n;
}

int sw_campaign_parse_parts(const char *list, unsigned *parts)
{
    if (!list || !parts)
        return -1;
    unsigned out = 0;
    const char *p = list;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *start = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t)(p - start);
        while (*p == ' ' || *p == '\t')
            p++;
        if (n == 0)
            return -1; /* "", ",subject", "from_org,,network" */
        size_t i = 0;
        while (i < NPARTS && !(strlen(part_names[i]) == n && !strncasecmp(start, part_names[i], n)))
            i++;
        if (i == NPARTS)
            return -1;
        out |= 1u << i;
        if (*p == '\0')
            break;
        if (*p != ',')
            return -1; /* "from_org subject": names are separated by commas */
        p++;
    }
    *parts = out;
    return 0;
}

const char *sw_campaign_parts_text(sw_arena *a, unsigned parts)
{
    size_t len = 0;
    for (size_t i = 0; i < NPARTS; i++)
        if (parts & (1u << i))
            len += strlen(part_names[i]) + 1;
    char *out = sw_arena_alloc(a, len + 1);
    if (!out)
        return NULL;
    char *w = out;
    for (size_t i = 0; i < NPARTS; i++) {
        if (!(parts & (1u << i)))
            continue;
        if (w != out)
            *w++ = ',';
        size_t n = strlen(part_names[i]);
        memcpy(w, part_names[i], n);
        w += n;
    }
    *w = '\0';
    return out;
}

int64_t sw_duration_parse(const char *s)
{
    if (!s || *s < '0' || *s > '9')
        return -1; /* empty, "-5d", "+5d", " 5d" */
    int64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        int d = *s - '0';
        if (v > (INT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    int64_t mult;
    switch (*s) {
    case '\0': mult = 1; break;
    case 's': mult = 1; break;
    case 'm': mult = 60; break;
    case 'h': mult = 3600; break;
    case 'd': mult = 86400; break;
    case 'w': mult = 7 * 86400; break;
    default: return -1;
    }
    if (*s && s[1] != '\0')
        return -1; /* "5dd", "5d ", "5min" */
    if (v == 0 || v > INT64_MAX / mult)
        return -1;
    return v * mult;
}

/* Reply/forward markers of the common clients and languages: English Re/Fwd/Fw, German
 * AW (Antwort) / WG (Weitergeleitet), Scandinavian SV / VS, Dutch Antw. */
static const char *const reply_words[] = {"re", "fwd", "fw", "aw", "wg", "sv", "vs", "antw"};

/* Length of a reply/forward prefix at s ("Re:", "RE :", "Re[2]:", "Fwd(3):"), 0 if none.
 * The word must be one of reply_words, whole (so "Review:" is not "Re" + "view:"). */
static size_t reply_prefix(const unsigned char *s, size_t n)
{
    size_t w = 0;
    while (w < n && w < 5 && ((s[w] | 0x20) >= 'a' && (s[w] | 0x20) <= 'z'))
        w++;
    if (w == 0 || w > 4)
        return 0;
    size_t k = 0;
    while (k < sizeof reply_words / sizeof reply_words[0] &&
           !(strlen(reply_words[k]) == w && !strncasecmp((const char *)s, reply_words[k], w)))
        k++;
    if (k == sizeof reply_words / sizeof reply_words[0])
        return 0;
    size_t i = w;
    /* a reply counter: "Re[2]:" (Outlook, Thunderbird) or "Re(2):" */
    if (i < n && (s[i] == '[' || s[i] == '(')) {
        unsigned char close = s[i] == '[' ? ']' : ')';
        size_t j = i + 1;
        while (j < n && j - i <= 10 && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j == i + 1 || j >= n || s[j] != close)
            return 0;
        i = j + 1;
    }
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++; /* French clients write "RE : " */
    if (i < n && s[i] == ':')
        return i + 1;
    /* full-width colon U+FF1A, written by CJK clients ("回复：" aside, "Re：" occurs) */
    if (i + 2 < n && s[i] == 0xef && s[i + 1] == 0xbc && s[i + 2] == 0x9a)
        return i + 3;
    return 0;
}

/* Length of a leading bracketed tag at s ("[EXTERNAL]", "[SPAM]", "(EXT)"), 0 if none:
 * up to SW_CAMPAIGN_MAX_TAG bytes of content without nested brackets or line breaks. */
static size_t bracket_tag(const unsigned char *s, size_t n)
{
    if (n == 0 || (s[0] != '[' && s[0] != '('))
        return 0;
    unsigned char close = s[0] == '[' ? ']' : ')';
    for (size_t i = 1; i < n && i <= SW_CAMPAIGN_MAX_TAG + 1; i++) {
        if (s[i] == close)
            return i + 1;
        if (s[i] == '[' || s[i] == '(' || s[i] == ']' || s[i] == ')' || s[i] == '\r' ||
            s[i] == '\n')
            return 0;
    }
    return 0;
}

/* Copies s[0..n) into out: ASCII lower-cased, digit runs as '#' when digits, whitespace
 * runs as one space, control bytes dropped, trimmed; other bytes (UTF-8) unchanged.
 * Returns the length written (never more than n). */
static size_t fold(const unsigned char *s, size_t n, int digits, char *out)
{
    size_t w = 0;
    int pending_space = 0, in_digits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (is_ctl(c))
            continue; /* dropped without ending a word or a digit run */
        if (is_ws(c)) {
            pending_space = w > 0;
            in_digits = 0;
            continue;
        }
        if (pending_space) {
            out[w++] = ' ';
            pending_space = 0;
        }
        if (digits && c >= '0' && c <= '9') {
            if (!in_digits)
                out[w++] = '#';
            in_digits = 1;
            continue;
        }
        in_digits = 0;
        out[w++] = (char)lower(c);
    }
    out[w] = '\0';
    return w;
}

const char *sw_campaign_subject(sw_arena *a, const char *subject)
{
    if (!subject)
        return sw_arena_strndup(a, "", 0);
    size_t n = capped_len(subject, SW_CAMPAIGN_MAX_PART);
    const unsigned char *s = (const unsigned char *)subject;
    /* Strip any number of prefixes; each round consumes at least one byte, so the loop is
     * linear in the capped length. Whitespace and control bytes between prefixes go too. */
    size_t i = 0;
    for (;;) {
        while (i < n && (is_ws(s[i]) || is_ctl(s[i])))
            i++;
        size_t k = reply_prefix(s + i, n - i);
        if (!k)
            k = bracket_tag(s + i, n - i);
        if (!k)
            break;
        i += k;
    }
    char *out = sw_arena_alloc(a, n - i + 1);
    if (!out)
        return NULL;
    fold(s + i, n - i, 1, out);
    return out;
}

const char *sw_campaign_network(sw_arena *a, const char *ip)
{
    if (!ip)
        return NULL;
    /* room for the longest IPv6 text form; anything longer is not an address */
    char buf[INET6_ADDRSTRLEN + 1];
    const char *p = ip;
    while (is_ws((unsigned char)*p))
        p++;
    /* measured after the leading space; longer than an address with some trailing space
     * is not an address (a cut could hide trailing junk) */
    const size_t lim = sizeof buf + 64;
    size_t n = strnlen(p, lim);
    if (n == lim)
        return NULL;
    while (n > 0 && is_ws((unsigned char)p[n - 1]))
        n--;
    if (n == 0 || n >= sizeof buf)
        return NULL;
    memcpy(buf, p, n);
    buf[n] = '\0';

    unsigned char v4[4];
    unsigned char v6[16];
    if (inet_pton(AF_INET, buf, v4) == 1)
        return sw_arena_printf(a, "%u.%u.%u.0/24", v4[0], v4[1], v4[2]);
    if (inet_pton(AF_INET6, buf, v6) != 1)
        return NULL;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(v6, mapped, sizeof mapped)) /* ::ffff:a.b.c.d is the IPv4 sender */
        return sw_arena_printf(a, "%u.%u.%u.0/24", v6[12], v6[13], v6[14]);
    memset(v6 + 6, 0, 10);
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(AF_INET6, v6, text, sizeof text))
        return NULL;
    return sw_arena_printf(a, "%s/48", text);
}

/* Domain or address as compared: trimmed, ASCII lower-cased, capped. "" for NULL. */
static const char *plain_part(sw_arena *a, const char *s)
{
    if (!s)
        s = "";
    size_t n = capped_len(s, SW_CAMPAIGN_MAX_PART);
    char *out = sw_arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    fold((const unsigned char *)s, n, 0, out);
    return out;
}

/* The value of one key part for ev ("" when the message lacks it). */
static const char *part_value(sw_arena *a, unsigned bit, const sw_evidence *ev)
{
    switch (bit) {
    case SW_CK_FROM_ORG: return plain_part(a, ev->from_org);
    case SW_CK_SUBJECT: return sw_campaign_subject(a, ev->subject);
    case SW_CK_NETWORK: {
        const char *net = sw_campaign_network(a, ev->client_ip);
        return net ? net : "";
    }
    /* The evidence carries no organizational domain of the envelope sender, and this
     * function has no Public Suffix List: the envelope domain stands in for it as given
     * (lower-cased), so bounce.evil.example and mail.evil.example are two keys. */
    case SW_CK_ENVELOPE_ORG: return plain_part(a, ev->envelope_domain);
    case SW_CK_DISPLAY_NAME: return plain_part(a, ev->from_display);
    case SW_CK_FROM_ADDRESS: return plain_part(a, ev->from_address);
    }
    return "";
}

static int put_u32(EVP_MD_CTX *md, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    return EVP_DigestUpdate(md, b, sizeof b);
}

static int put_i64(EVP_MD_CTX *md, int64_t s)
{
    uint64_t v = (uint64_t)s;
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (56 - 8 * i));
    return EVP_DigestUpdate(md, b, sizeof b);
}

/* Start of the window holding t: t - (t mod w) with the floor modulus, so negative times
 * fall into the window before zero. A start below INT64_MIN is clamped to it. */
static int64_t bucket_of(int64_t t, int64_t w)
{
    int64_t r = t % w;
    if (r < 0)
        r += w;
    if (t < INT64_MIN + r)
        return INT64_MIN;
    return t - r;
}

int sw_campaign_key(sw_arena *a, const sw_campaign_keyspec *spec, const sw_evidence *ev,
                    char id[33], const char **text, int64_t *bucket_start)
{
    /* NULL spec: the default key (from_org, subject, network over 7 days) */
    sw_campaign_keyspec def = {SW_CK_DEFAULT, SW_CAMPAIGN_DEFAULT_WINDOW};
    if (!spec)
        spec = &def;
    if (spec->window <= 0)
        return SW_EINVAL;
    unsigned parts = spec->parts & ((1u << NPARTS) - 1);

    const char *vals[NPARTS];
    size_t text_len = 0;
    for (size_t i = 0; i < NPARTS; i++) {
        vals[i] = NULL;
        if (!(parts & (1u << i)))
            continue;
        vals[i] = part_value(a, 1u << i, ev);
        if (!vals[i])
            return SW_ENOMEM;
        text_len += strlen(part_names[i]) + 2 + strlen(vals[i]);
    }
    int64_t start = ev->has_time ? bucket_of(ev->time, spec->window) : 0;

    EVP_MD_CTX *md = EVP_MD_CTX_new();
    static const char tag[] = "spoofwatch-campaign-1";
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(md, tag, sizeof tag) && put_u32(md, parts);
    for (size_t i = 0; ok && i < NPARTS; i++) {
        if (!vals[i])
            continue;
        size_t n = strlen(vals[i]);
        ok = put_u32(md, (uint32_t)n) && EVP_DigestUpdate(md, vals[i], n);
    }
    unsigned char dated = ev->has_time ? 1 : 0;
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned dlen = 0;
    ok = ok && put_i64(md, spec->window) && EVP_DigestUpdate(md, &dated, 1) &&
         put_i64(md, start) && EVP_DigestFinal_ex(md, dig, &dlen) && dlen >= 16;
    EVP_MD_CTX_free(md);
    if (!ok)
        return SW_ENOMEM; /* EVP fails only when it cannot allocate */

    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        id[2 * i] = hex[dig[i] >> 4];
        id[2 * i + 1] = hex[dig[i] & 15];
    }
    id[32] = '\0';

    if (text) {
        char *t = sw_arena_alloc(a, text_len + 1);
        if (!t)
            return SW_ENOMEM;
        char *w = t;
        for (size_t i = 0; i < NPARTS; i++) {
            if (!vals[i])
                continue;
            if (w != t)
                *w++ = ' ';
            size_t n = strlen(part_names[i]);
            memcpy(w, part_names[i], n);
            w += n;
            *w++ = '=';
            n = strlen(vals[i]);
            memcpy(w, vals[i], n);
            w += n;
        }
        *w = '\0';
        *text = t;
    }
    if (bucket_start)
        *bucket_start = start;
    return SW_OK;
}
