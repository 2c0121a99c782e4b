/* Apple Mail .emlx / .partial.emlx reader: see include/spoofwatch/emlx.h and
 * docs/formats.md §3.1-3.2 in the shared folder.
 *
 * Contract: sw_emlx_parse() reads only data[0..len); out->msg points into data (the caller
 * keeps the bytes alive), remote_id is copied into the arena. The plist is read by a small
 * hand-written scanner rather than libxml2 because we need five scalar keys out of a
 * trailer Apple writes in one fixed shape, and a scanner that cannot expand entities, load
 * DTDs or recurse without bound is easier to make safe than a configured XML library.
 * Caps: the plist may not exceed SW_EMLX_MAX_PLIST bytes nor nest deeper than
 * SW_EMLX_MAX_DEPTH. Nothing here allocates outside the caller's arena. */
#include "spoofwatch/emlx.h"

#include <string.h>

/* Apple writes plists of a few hundred bytes; 1 MiB leaves room for odd keys while
 * bounding how far the backward "<?xml" search and the scanner may walk. */
#define SW_EMLX_MAX_PLIST (1u << 20)
/* Nested dicts/arrays under the top dict are skipped, never interpreted. */
#define SW_EMLX_MAX_DEPTH 32
/* The count line is "<digits><spaces>\n"; Apple pads to 10 characters. */
#define SW_EMLX_MAX_COUNT_LINE 64

static const char SW_APPLE_MAIL[] = "apple-mail";

static int sw_is_xml_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int sw_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Bounded prefix test: never reads at or past end. */
static int sw_starts(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* Finds lit in [p, end) without relying on memmem. */
static const char *sw_find(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    while ((size_t)(end - p) >= n) {
        const char *q = memchr(p, lit[0], (size_t)(end - p) - n + 1);
        if (!q)
            return NULL;
        if (memcmp(q, lit, n) == 0)
            return q;
        p = q + 1;
    }
    return NULL;
}

/* ---------------------------------------------------------------- value parsing */

static void sw_trim(const char **s, size_t *n)
{
    while (*n && sw_is_xml_ws(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && sw_is_xml_ws((*s)[*n - 1]))
        (*n)--;
}

/* Decimal integer with optional sign. *mag gets the magnitude (full 64 bits), *neg the
 * sign. Returns 0 when the text is not an integer or does not fit 64 bits. */
static int sw_parse_int(const char *s, size_t n, uint64_t *mag, int *neg)
{
    sw_trim(&s, &n);
    *neg = 0;
    if (n && (*s == '+' || *s == '-')) {
        *neg = *s == '-';
        s++;
        n--;
    }
    if (!n)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!sw_is_digit(s[i]))
            return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *mag = v;
    return 1;
}

static int sw_parse_i64(const char *s, size_t n, int64_t *out)
{
    uint64_t mag;
    int neg;
    if (!sw_parse_int(s, n, &mag, &neg))
        return 0;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return 0;
        *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return 0;
        *out = (int64_t)mag;
    }
    return 1;
}

/* A plist <real> truncated toward zero to whole seconds. Written by hand because strtod
 * depends on the process locale (a "," decimal point would silently change results). */
static int sw_parse_real_secs(const char *s, size_t n, int64_t *out)
{
    char dig[64];
    size_t nd = 0, i = 0;
    long intlen = 0;
    int neg = 0, any = 0;
    sw_trim(&s, &n);
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    /* Integer digits, leading zeros dropped so that they do not use up dig[]. */
    for (; i < n && sw_is_digit(s[i]); i++) {
        any = 1;
        if (nd == 0 && s[i] == '0')
            continue;
        if (nd == sizeof dig)
            return 0; /* more than 64 integer digits cannot fit int64 */
        dig[nd++] = s[i];
        intlen++;
    }
    if (i < n && s[i] == '.') {
        i++;
        for (; i < n && sw_is_digit(s[i]); i++) {
            any = 1;
            if (nd == 0 && s[i] == '0') {
                intlen--; /* 0.05: the first significant digit sits one place lower */
                continue;
            }
            if (nd < sizeof dig)
                dig[nd++] =
                    s[i]; /* digits past 64 cannot change the whole part of a value that fits */
        }
    }
    if (!any)
        return 0;
    long exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0, edig = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (; i < n && sw_is_digit(s[i]); i++) {
            edig = 1;
            if (exp < 100000)
                exp = exp * 10 + (s[i] - '0');
        }
        if (!edig)
            return 0;
        if (eneg)
            exp = -exp;
    }
    if (i != n)
        return 0;
    long whole = intlen + exp; /* number of digits left of the point */
    uint64_t v = 0;
    if (nd && whole > 0) {
        if (whole > 19)
            return 0;
        for (long k = 0; k < whole; k++) {
            unsigned d = (size_t)k < nd ? (unsigned)(dig[k] - '0') : 0;
            if (v > (UINT64_MAX - d) / 10)
                return 0;
            v = v * 10 + d;
        }
    }
    if (v > (uint64_t)INT64_MAX)
        return 0;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 1;
}

/* Copies text decoding only the five predefined XML entities; any other '&' sequence is
 * kept literally because we never expand DTD-declared or numeric references. */
static char *sw_xml_text_dup(sw_arena *a, const char *s, size_t n)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
    char *out = sw_arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == '&') {
            size_t k;
            for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
                size_t el = strlen(ents[k].ent);
                if (n - i >= el && memcmp(s + i, ents[k].ent, el) == 0) {
                    out[o++] = ents[k].c;
                    i += el;
                    break;
                }
            }
            if (k < sizeof ents / sizeof ents[0])
                continue;
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    return out;
}

/* ---------------------------------------------------------------- plist scanner */

typedef struct sw_px {
    const char *p;
    const char *end;
    const char *why; /* first problem, NULL while fine */
    const char *at;
} sw_px;

typedef struct sw_tag {
    const char *name;
    size_t nlen;
    int close; /* </name> */
    int empty; /* <name/> */
} sw_tag;

static int sw_px_fail(sw_px *x, const char *why)
{
    if (!x->why) {
        x->why = why;
        x->at = x->p;
    }
    return 0;
}

static int sw_tag_is(const sw_tag *t, const char *name)
{
    return t->nlen == strlen(name) && memcmp(t->name, name, t->nlen) == 0;
}

/* Skips whitespace and comments between elements. */
static int sw_px_skip_misc(sw_px *x)
{
    for (;;) {
        while (x->p < x->end && sw_is_xml_ws(*x->p))
            x->p++;
        if (!sw_starts(x->p, x->end, "<!--"))
            return 1;
        const char *c = sw_find(x->p + 4, x->end, "-->");
        if (!c)
            return sw_px_fail(x, "unterminated comment");
        x->p = c + 3;
    }
}

/* Skips the prolog: XML declaration, processing instructions, comments and a DOCTYPE.
 * A DOCTYPE's internal subset is skipped unread, so its entities are never defined. */
static int sw_px_prolog(sw_px *x)
{
    for (;;) {
        if (!sw_px_skip_misc(x))
            return 0;
        if (sw_starts(x->p, x->end, "<?")) {
            const char *q = sw_find(x->p + 2, x->end, "?>");
            if (!q)
                return sw_px_fail(x, "unterminated processing instruction");
            x->p = q + 2;
        } else if (sw_starts(x->p, x->end, "<!DOCTYPE")) {
            const char *q = x->p + 9;
            char quote = 0;
            int subset = 0;
            for (; q < x->end; q++) {
                if (quote) {
                    if (*q == quote)
                        quote = 0;
                } else if (*q == '"' || *q == '\'') {
                    quote = *q;
                } else if (*q == '[') {
                    subset = 1;
                } else if (*q == ']') {
                    subset = 0;
                } else if (*q == '>' && !subset) {
                    break;
                }
            }
            if (q >= x->end)
                return sw_px_fail(x, "unterminated DOCTYPE");
            x->p = q + 1;
        } else {
            return 1;
        }
    }
}

/* Reads one tag at x->p (which must be '<'). Attributes are skipped, quotes honoured. */
static int sw_px_tag(sw_px *x, sw_tag *t)
{
    const char *q = x->p;
    if (q >= x->end)
        return sw_px_fail(x, "unexpected end of the property list");
    if (*q != '<')
        return sw_px_fail(x, "expected a tag");
    q++;
    t->close = 0;
    t->empty = 0;
    if (q < x->end && *q == '/') {
        t->close = 1;
        q++;
    }
    t->name = q;
    while (q < x->end && !sw_is_xml_ws(*q) && *q != '/' && *q != '>' && *q != '<')
        q++;
    t->nlen = (size_t)(q - t->name);
    if (!t->nlen)
        return sw_px_fail(x, "tag without a name");
    char quote = 0;
    for (; q < x->end; q++) {
        if (quote) {
            if (*q == quote)
                quote = 0;
        } else if (*q == '"' || *q == '\'') {
            quote = *q;
        } else if (*q == '<') {
            return sw_px_fail(x, "'<' inside a tag");
        } else if (*q == '>') {
            break;
        }
    }
    if (q >= x->end)
        return sw_px_fail(x, "unterminated tag");
    if (!t->close && q[-1] == '/' && q - 1 >= t->name + t->nlen)
        t->empty = 1;
    if (t->close && t->empty)
        return sw_px_fail(x, "malformed closing tag");
    x->p = q + 1;
    return 1;
}

/* Text content of a leaf element whose open tag was just read, up to its closing tag. */
static int sw_px_text(sw_px *x, const sw_tag *open, const char **s, size_t *n)
{
    const char *lt = memchr(x->p, '<', (size_t)(x->end - x->p));
    if (!lt)
        return sw_px_fail(x, "unterminated element");
    *s = x->p;
    *n = (size_t)(lt - x->p);
    x->p = lt;
    sw_tag t;
    if (!sw_px_tag(x, &t))
        return 0;
    if (!t.close || t.nlen != open->nlen || memcmp(t.name, open->name, t.nlen) != 0) {
        x->p = lt;
        return sw_px_fail(x, "element not closed by its own end tag");
    }
    return 1;
}

/* Skips a nested <dict> or <array> (its open tag already read) with a bounded stack of
 * open element names, so that mismatched or endless nesting fails instead of recursing. */
static int sw_px_skip_nested(sw_px *x, const sw_tag *open)
{
    sw_tag stack[SW_EMLX_MAX_DEPTH];
    size_t depth = 1;
    stack[0] = *open;
    while (depth) {
        const char *lt = memchr(x->p, '<', (size_t)(x->end - x->p));
        if (!lt)
            return sw_px_fail(x, "unterminated nested element");
        x->p = lt;
        if (sw_starts(x->p, x->end, "<!--")) {
            if (!sw_px_skip_misc(x))
                return 0;
            continue;
        }
        if (sw_starts(x->p, x->end, "<!") || sw_starts(x->p, x->end, "<?"))
            return sw_px_fail(x, "markup declaration inside the property list");
        sw_tag t;
        if (!sw_px_tag(x, &t))
            return 0;
        if (t.empty)
            continue;
        if (t.close) {
            const sw_tag *top = &stack[depth - 1];
            if (t.nlen != top->nlen || memcmp(t.name, top->name, t.nlen) != 0)
                return sw_px_fail(x, "mismatched end tag");
            depth--;
            continue;
        }
        if (depth == SW_EMLX_MAX_DEPTH)
            return sw_px_fail(x, "property list nested too deeply");
        stack[depth++] = t;
    }
    return 1;
}

static int sw_key_is(const char *k, size_t kn, const char *name)
{
    return kn == strlen(name) && memcmp(k, name, kn) == 0;
}

/* Records one top-dict pair; values of unexpected types or unparseable text are ignored
 * (the message itself is still good evidence). Returns SW_OK or SW_ENOMEM. */
static int sw_px_apply(sw_arena *a, sw_mail_context *ctx, const char *k, size_t kn,
                       const sw_tag *vt, const char *v, size_t vn)
{
    int is_int = sw_tag_is(vt, "integer"), is_real = sw_tag_is(vt, "real");
    int64_t i64;
    if (sw_key_is(k, kn, "date-received") || sw_key_is(k, kn, "date-last-viewed")) {
        int ok =
            (is_int && sw_parse_i64(v, vn, &i64)) || (is_real && sw_parse_real_secs(v, vn, &i64));
        if (!ok)
            return SW_OK;
        if (sw_key_is(k, kn, "date-received")) {
            ctx->date_received = i64;
            ctx->has_date_received = 1;
        } else {
            ctx->date_last_viewed = i64;
            ctx->has_date_last_viewed = 1;
        }
    } else if (sw_key_is(k, kn, "flags")) {
        uint64_t mag;
        int neg;
        if (!is_int || !sw_parse_int(v, vn, &mag, &neg))
            return SW_OK;
        /* A negative value is a signed writer's view of the same 64 bits. */
        ctx->flags = neg ? (uint64_t)0 - mag : mag;
        ctx->has_flags = 1;
    } else if (sw_key_is(k, kn, "remote-id")) {
        if (!sw_tag_is(vt, "string") && !is_int)
            return SW_OK;
        if (is_int)
            sw_trim(&v, &vn);
        char *s = sw_xml_text_dup(a, v, vn);
        if (!s)
            return SW_ENOMEM;
        ctx->remote_id = s;
    }
    return SW_OK;
}

/* Scans a plist starting at x->p; on success x->p is just past "</plist>". Returns SW_OK,
 * SW_EFORMAT (x->why set) or SW_ENOMEM. */
static int sw_px_plist(sw_arena *a, sw_px *x, sw_mail_context *ctx)
{
    sw_tag t;
    if (!sw_px_prolog(x) || !sw_px_tag(x, &t))
        return SW_EFORMAT;
    if (t.close || t.empty || !sw_tag_is(&t, "plist")) {
        sw_px_fail(x, "expected <plist>");
        return SW_EFORMAT;
    }
    if (!sw_px_skip_misc(x) || !sw_px_tag(x, &t))
        return SW_EFORMAT;
    if (t.close || !sw_tag_is(&t, "dict")) {
        sw_px_fail(x, "top element is not a <dict>");
        return SW_EFORMAT;
    }
    /* "<dict/>" is an empty top dict; otherwise read pairs until "</dict>". */
    while (!t.empty) {
        sw_tag kt;
        if (!sw_px_skip_misc(x) || !sw_px_tag(x, &kt))
            return SW_EFORMAT;
        if (kt.close && sw_tag_is(&kt, "dict"))
            break;
        if (kt.close || !sw_tag_is(&kt, "key")) {
            sw_px_fail(x, "expected <key> in the top dict");
            return SW_EFORMAT;
        }
        const char *k = "";
        size_t kn = 0;
        if (!kt.empty && !sw_px_text(x, &kt, &k, &kn))
            return SW_EFORMAT;
        sw_tag vt;
        if (!sw_px_skip_misc(x) || !sw_px_tag(x, &vt))
            return SW_EFORMAT;
        if (vt.close) {
            sw_px_fail(x, "key without a value");
            return SW_EFORMAT;
        }
        const char *v = "";
        size_t vn = 0;
        if (sw_tag_is(&vt, "dict") || sw_tag_is(&vt, "array")) {
            if (!vt.empty && !sw_px_skip_nested(x, &vt))
                return SW_EFORMAT;
            continue;
        }
        if (sw_tag_is(&vt, "integer") || sw_tag_is(&vt, "real") || sw_tag_is(&vt, "string") ||
            sw_tag_is(&vt, "date") || sw_tag_is(&vt, "data")) {
            if (!vt.empty && !sw_px_text(x, &vt, &v, &vn))
                return SW_EFORMAT;
        } else if (sw_tag_is(&vt, "true") || sw_tag_is(&vt, "false")) {
            if (!vt.empty && !sw_px_text(x, &vt, &v, &vn))
                return SW_EFORMAT;
        } else {
            sw_px_fail(x, "unknown value element");
            return SW_EFORMAT;
        }
        int rc = sw_px_apply(a, ctx, k, kn, &vt, v, vn);
        if (rc)
            return rc;
    }
    if (!sw_px_skip_misc(x) || !sw_px_tag(x, &t))
        return SW_EFORMAT;
    if (!t.close || !sw_tag_is(&t, "plist")) {
        sw_px_fail(x, "expected </plist> after the top dict");
        return SW_EFORMAT;
    }
    return SW_OK;
}

/* ---------------------------------------------------------------- file layout */

/* Wipes the half-filled result so that a failed parse never looks usable, then sets err. */
#define SW_EMLX_FAIL(code, ...)                                                                    \
    (memset(out, 0, sizeof *out), sw_error_set(err, (code), __VA_ARGS__))

int sw_emlx_parse(sw_arena *a, const char *data, size_t len, int partial, sw_emlx *out,
                  sw_error *err)
{
    typedef unsigned long long ull;
    memset(out, 0, sizeof *out);
    if (!data || !len)
        return SW_EMLX_FAIL(SW_EFORMAT, "empty file: no byte-count line at offset 0");

    /* Line 1: optional padding, decimal count, padding, LF or CRLF. */
    size_t i = 0, lim = len < SW_EMLX_MAX_COUNT_LINE ? len : SW_EMLX_MAX_COUNT_LINE;
    while (i < lim && (data[i] == ' ' || data[i] == '\t'))
        i++;
    size_t dstart = i;
    uint64_t count = 0;
    for (; i < lim && sw_is_digit(data[i]); i++) {
        unsigned d = (unsigned)(data[i] - '0');
        if (count > (UINT64_MAX - d) / 10)
            return SW_EMLX_FAIL(SW_EFORMAT, "byte count at offset %llu does not fit 64 bits",
                                (ull)dstart);
        count = count * 10 + d;
    }
    if (i == dstart) {
        if (i >= lim)
            return SW_EMLX_FAIL(SW_EFORMAT, "no byte-count line: only padding up to offset %llu",
                                (ull)i);
        return SW_EMLX_FAIL(SW_EFORMAT,
                            "no byte-count line: byte 0x%02x at offset %llu is not a digit",
                            (unsigned)(unsigned char)data[i], (ull)i);
    }
    while (i < lim && (data[i] == ' ' || data[i] == '\t'))
        i++;
    if (i < lim && data[i] == '\r')
        i++;
    if (i >= lim || data[i] != '\n')
        return SW_EMLX_FAIL(SW_EFORMAT,
                            "no byte-count line: the count at offset %llu is not followed by a "
                            "line end (offset %llu)",
                            (ull)dstart, (ull)i);
    size_t off = i + 1;
    size_t rest = len - off;

    sw_mail_context *ctx = &out->ctx;
    ctx->client = SW_APPLE_MAIL;
    ctx->partial = partial ? 1 : 0;
    ctx->declared_length = count;

    size_t pstart;
    if (!partial) {
        /* Plain .emlx: the count is exact and the plist follows at once. */
        if (count > rest)
            return SW_EMLX_FAIL(SW_EFORMAT,
                                "byte count %llu overruns the file (%llu bytes follow the count "
                                "line at offset %llu)",
                                (ull)count, (ull)rest, (ull)off);
        out->msg_len = (size_t)count;
        pstart = off + (size_t)count;
        while (pstart < len && sw_is_xml_ws(data[pstart]))
            pstart++;
        if (!sw_starts(data + pstart, data + len, "<?xml") &&
            !sw_starts(data + pstart, data + len, "<plist"))
            return SW_EMLX_FAIL(SW_EFORMAT,
                                "no property list at offset %llu (after the %llu-byte message)",
                                (ull)pstart, (ull)count);
        if (len - pstart > SW_EMLX_MAX_PLIST)
            return SW_EMLX_FAIL(SW_ELIMIT,
                                "property list at offset %llu is %llu bytes, over the %u-byte cap",
                                (ull)pstart, (ull)(len - pstart), SW_EMLX_MAX_PLIST);
    } else {
        /* .partial.emlx: the count may include detached parts, so find the trailer from
         * the end: the file must end in "</plist>", the plist starts at the last "<?xml"
         * before it, searched no further back than the plist cap. */
        size_t e = len;
        while (e > off && sw_is_xml_ws(data[e - 1]))
            e--;
        if (e - off < 8 || memcmp(data + e - 8, "</plist>", 8) != 0)
            return SW_EMLX_FAIL(SW_EFORMAT,
                                "no property list: the file does not end in </plist> (offset %llu)",
                                (ull)e);
        size_t close = e - 8;
        size_t lo = e - off > SW_EMLX_MAX_PLIST ? e - SW_EMLX_MAX_PLIST : off;
        size_t found = SIZE_MAX;
        if (close >= lo + 5) {
            for (size_t c = close - 5 + 1; c-- > lo;) {
                if (memcmp(data + c, "<?xml", 5) == 0) {
                    found = c;
                    break;
                }
            }
        }
        if (found == SIZE_MAX)
            return SW_EMLX_FAIL(SW_EFORMAT,
                                "no property list: no \"<?xml\" in the %llu bytes before </plist> "
                                "at offset %llu",
                                (ull)(close - lo), (ull)close);
        pstart = found;
        out->msg_len = pstart - off;
    }
    out->msg = data + off;
    out->msg_offset = off;

    sw_px x = {.p = data + pstart, .end = data + len, .why = NULL, .at = NULL};
    int rc = sw_px_plist(a, &x, ctx);
    if (rc == SW_ENOMEM)
        return SW_EMLX_FAIL(SW_ENOMEM, "arena full reading the property list at offset %llu",
                            (ull)pstart);
    if (rc)
        return SW_EMLX_FAIL(SW_EFORMAT, "malformed property list at offset %llu: %s",
                            (ull)(x.at ? x.at - data : (ptrdiff_t)pstart),
                            x.why ? x.why : "unreadable");
    while (x.p < x.end && sw_is_xml_ws(*x.p))
        x.p++;
    if (x.p != x.end)
        return SW_EMLX_FAIL(SW_EFORMAT, "trailing data at offset %llu after </plist>",
                            (ull)(x.p - data));
    return SW_OK;
}

/* ---------------------------------------------------------------- path context */

typedef struct sw_seg {
    const char *p;
    size_t n;
    int last; /* no '/' after it: the leaf (a file name) */
} sw_seg;

/* Next non-empty path segment at or after *s; returns 0 at the end. */
static int sw_next_seg(const char **s, sw_seg *g)
{
    const char *p = *s;
    while (*p == '/')
        p++;
    if (!*p)
        return 0;
    const char *q = strchr(p, '/');
    g->p = p;
    g->n = q ? (size_t)(q - p) : strlen(p);
    g->last = !q || !q[strspn(q, "/")];
    *s = p + g->n;
    return 1;
}

/* Position of "Library/Mail/V<digits>" starting a segment of path, or NULL. */
static const char *sw_find_mail_root(const char *path, size_t *vlen)
{
    for (const char *p = path; (p = strstr(p, "Library/Mail/V")) != NULL; p++) {
        if (p != path && p[-1] != '/')
            continue;
        const char *v = p + 13; /* at 'V' */
        size_t n = 1;
        while (sw_is_digit(v[n]))
            n++;
        if (n > 1 && (v[n] == '/' || v[n] == '\0')) {
            *vlen = n;
            return p;
        }
    }
    return NULL;
}

void sw_emlx_context_from_path(sw_arena *a, const char *path, sw_mail_context *ctx)
{
    ctx->client = SW_APPLE_MAIL;
    ctx->user = NULL;
    ctx->mail_version = NULL;
    ctx->account = NULL;
    ctx->mailbox = NULL;
    if (!path)
        return;
    size_t vlen = 0;
    const char *lib = sw_find_mail_root(path, &vlen);
    if (!lib)
        return;

    /* User: the segment right before Library, when it sits under Users/ or home/. */
    if (lib > path) {
        const char *ue = lib - 1; /* the '/' before Library */
        while (ue > path && ue[-1] == '/')
            ue--;
        const char *us = ue;
        while (us > path && us[-1] != '/')
            us--;
        const char *pe = us;
        while (pe > path && pe[-1] == '/')
            pe--;
        const char *ps = pe;
        while (ps > path && ps[-1] != '/')
            ps--;
        size_t pn = (size_t)(pe - ps);
        if (ue > us &&
            ((pn == 5 && memcmp(ps, "Users", 5) == 0) || (pn == 4 && memcmp(ps, "home", 4) == 0)))
            ctx->user = sw_arena_strndup(a, us, (size_t)(ue - us));
    }

    const char *v = lib + 13;
    ctx->mail_version = sw_arena_strndup(a, v, vlen);
    const char *s = v + vlen;
    sw_seg g;
    /* The account is a directory: a leaf here would be a file in the root itself, and
     * MailData holds the Envelope Index, not an account. */
    if (!sw_next_seg(&s, &g) || g.last || (g.n == 8 && memcmp(g.p, "MailData", 8) == 0))
        return;
    ctx->account = sw_arena_strndup(a, g.p, g.n);

    /* Mailbox: the run of *.mbox segments after the account (nested boxes), joined. */
    const char *mstart = s;
    size_t total = 0, nbox = 0;
    while (sw_next_seg(&s, &g) && g.n > 5 && memcmp(g.p + g.n - 5, ".mbox", 5) == 0) {
        total += g.n - 5 + 1;
        nbox++;
    }
    if (!nbox)
        return;
    char *box = sw_arena_alloc(a, total);
    if (!box)
        return;
    size_t o = 0;
    s = mstart;
    for (size_t k = 0; k < nbox && sw_next_seg(&s, &g); k++) {
        if (o)
            box[o++] = '/';
        memcpy(box + o, g.p, g.n - 5);
        o += g.n - 5;
    }
    box[o] = '\0';
    ctx->mailbox = box;
}

/* ---------------------------------------------------------------- flags */

size_t sw_emlx_flag_names(uint64_t flags, const char **names, size_t max)
{
    /* Bits 10-22 are the attachment count and priority fields, not flags. */
    static const struct {
        unsigned bit;
        const char *name;
    } tab[] = {{0, "read"},    {1, "deleted"}, {2, "answered"}, {3, "encrypted"}, {4, "flagged"},
               {5, "recent"},  {6, "draft"},   {7, "initial"},  {8, "forwarded"}, {9, "redirected"},
               {23, "signed"}, {24, "junk"},   {25, "not_junk"}};
    size_t n = 0;
    for (size_t k = 0; k < sizeof tab / sizeof tab[0] && n < max; k++)
        if (flags & ((uint64_t)1 << tab[k].bit))
            names[n++] = tab[k].name;
    return n;
}
