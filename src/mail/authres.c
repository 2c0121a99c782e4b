/* Authentication-Results parser: see include/spoofwatch/authres.h.
 *
 * A recursive-descent parser over the field body with a cursor. CFWS (whitespace,
 * folding, nested comments) may appear between any two tokens, as RFC 8601 allows. */
#include "spoofwatch/authres.h"
#include "spoofwatch/buf.h"
#include "spoofwatch/limits.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct cursor {
    const char *s;
    size_t n, i;
    unsigned mode;
    sw_arena *a;
    sw_error *err;
    const char *last_comment; /* text of the most recent comment (first one kept per result) */
    size_t last_comment_len;
    char *copy; /* the field body copied once: unquoted values end in place there */
} cursor;

/* s[b..e) as a string: its bytes in c->copy, ended by a NUL at e. The parser reads c->s,
 * never c->copy, and keeps spans in order of position, each ending before the next starts
 * (e is the byte that ended the span: ';', '(', ')', whitespace), so no NUL cuts another.
 * One copy of the body per header instead of one allocation and copy per value. */
static char *span(cursor *c, size_t b, size_t e)
{
    c->copy[e] = '\0';
    return c->copy + b;
}

static int fail(cursor *c, const char *what)
{
    return sw_error_set(c->err, SW_EFORMAT, "Authentication-Results: %s at byte %zu", what, c->i);
}

static int at_end(const cursor *c)
{
    return c->i >= c->n;
}

static char peek(const cursor *c)
{
    return c->i < c->n ? c->s[c->i] : '\0';
}

/* Index of the next '(', ')' or '\\' in s[i..n), or of the next 8-bit byte too when high is
 * set (n when none). Comments here are long prose ("(corp.example: domain of x designates
 * 192.0.2.1 as permitted sender)") that was walked a byte at a time. */
static size_t next_comment_special(const char *s, size_t i, size_t n, int high)
{
#if defined(__SSE2__)
    const __m128i open = _mm_set1_epi8('('), close = _mm_set1_epi8(')'),
                  bs = _mm_set1_epi8('\\');
    const int hmask = high ? 0xFFFF : 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, open), _mm_cmpeq_epi8(v, close)),
                                   _mm_cmpeq_epi8(v, bs));
        int mask = _mm_movemask_epi8(hit) | (_mm_movemask_epi8(v) & hmask);
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) {
        char ch = s[i];
        if (ch == '(' || ch == ')' || ch == '\\' || (high && (unsigned char)ch >= 0x80))
            return i;
    }
    return n;
}

/* Skips whitespace and comments. Returns SW_EFORMAT on an unbalanced comment. */
static int skip_cfws_slow(cursor *c)
{
    for (;;) {
        while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\r' ||
                               c->s[c->i] == '\n'))
            c->i++;
        if (peek(c) != '(')
            return SW_OK;
        size_t start = c->i + 1;
        int depth = 0;
        int strict8 = !(c->mode & SW_AR_I18N) && (c->mode & SW_AR_STRICT);
        while (c->i < c->n) {
            /* only '(', ')', '\\' and (in strict mode) 8-bit bytes matter inside */
            if (c->s[c->i] != '(' &&
                (c->i = next_comment_special(c->s, c->i, c->n, strict8)) >= c->n)
                break;
            char ch = c->s[c->i];
            if (ch == '\\' && c->i + 1 < c->n) {
                c->i += 2;
                continue;
            }
            if (ch == '(')
                depth++;
            else if (ch == ')' && --depth == 0)
                break;
            if ((unsigned char)ch >= 0x80 && !(c->mode & SW_AR_I18N) && (c->mode & SW_AR_STRICT))
                return fail(c, "non-ASCII byte in comment");
            c->i++;
        }
        if (depth != 0)
            return fail(c, "unbalanced comment");
        if (!c->last_comment) {
            c->last_comment = c->s + start;
            c->last_comment_len = c->i - start;
        }
        c->i++; /* ')' */
    }
}

/* Called two dozen times per field, nearly always right before a token or after a single
 * space: decide those cases with a byte test or two (whitespace is all <= ' ') and leave
 * the loop to the rest. */
static inline int skip_cfws(cursor *c)
{
    if (c->i >= c->n)
        return SW_OK;
    unsigned char ch = (unsigned char)c->s[c->i];
    if (ch > ' ' && ch != '(')
        return SW_OK;
    if (ch == ' ' && c->i + 1 < c->n) {
        ch = (unsigned char)c->s[c->i + 1];
        if (ch > ' ' && ch != '(') {
            c->i++;
            return SW_OK;
        }
    }
    return skip_cfws_slow(c);
}

/* Character classes, one table lookup per byte (these ran isalnum and strchr per byte). */
enum { AR_KEYWORD = 1, AR_TOKEN = 2, AR_PVALUE_END = 4 };
static const unsigned char ar_class[256] = {
    /* keyword: ALPHA / DIGIT / "-" / "_" (isalnum in the C locale) */
    /* RFC 2045 token: 33..126 except tspecials ()<>@,;:\"/[]?= */
    ['!'] = AR_TOKEN, ['#' ... '\''] = AR_TOKEN, ['*' ... '+'] = AR_TOKEN,
    ['-'] = AR_TOKEN | AR_KEYWORD, ['.'] = AR_TOKEN, ['0' ... '9'] = AR_TOKEN | AR_KEYWORD,
    ['A' ... 'Z'] = AR_TOKEN | AR_KEYWORD, ['^'] = AR_TOKEN, ['_'] = AR_TOKEN | AR_KEYWORD,
    ['`'] = AR_TOKEN, ['a' ... 'z'] = AR_TOKEN | AR_KEYWORD, ['{' ... '~'] = AR_TOKEN,
    /* bytes that end an unquoted property value */
    [' '] = AR_PVALUE_END, ['\t'] = AR_PVALUE_END, ['\r'] = AR_PVALUE_END, ['\n'] = AR_PVALUE_END,
    [';'] = AR_PVALUE_END, ['('] = AR_PVALUE_END,
};

static int is_keyword_char(char ch)
{
    return ar_class[(unsigned char)ch] & AR_KEYWORD;
}

/* RFC 2045 token character. */
static int is_token_char(unsigned char ch)
{
    return ar_class[ch] & AR_TOKEN;
}

/* Eight bytes' ASCII A-Z lower-cased at once: a byte gets 0x20 added exactly when it is
 * below 0x80, at least 'A' and at most 'Z' (each test read off the byte's top bit). */
static inline uint64_t lower8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t low7 = x & ~high;
    uint64_t ge_a = low7 + (0x80 - 'A') * ones;
    uint64_t gt_z = low7 + (0x7F - 'Z') * ones;
    return x | (((ge_a & ~gt_z) & ~x & high) >> 2);
}

/* The methods, results, ptypes and properties nearly every header uses, lower-cased, each
 * with its bytes as a little-endian word (zero-padded), at the slot a multiplicative hash
 * of that word picks: the multiplier was chosen so that these words fall in distinct
 * slots. A keyword holds no NUL, so equal words mean equal keywords. */
#define KW_HASH(x) ((size_t)(((x) * 0x08ca60a3cd1a9917u) >> 59))
static const struct {
    uint64_t word;
    const char *s;
} known_keywords[32] = {
    [0] = {0x006c61727475656eu, "neutral"},   [5] = {0x0000000068747561u, "auth"},
    [6] = {0x000000006f6c6568u, "helo"},      [8] = {0x000000006d6f7266u, "from"},
    [9] = {0x0000000079646f62u, "body"},      [10] = {0x0000000000000061u, "a"},
    [11] = {0x0000000000000062u, "b"},        [12] = {0x000000006d696b64u, "dkim"},
    [13] = {0x0000000000000064u, "d"},        [14] = {0x00007963696c6f70u, "policy"},
    [15] = {0x0000006372616d64u, "dmarc"},    [16] = {0x0000000073736170u, "pass"},
    [17] = {0x68747561706d6f63u, "compauth"}, [18] = {0x0000000070746d73u, "smtp"},
    [19] = {0x0000000000000069u, "i"},        [21] = {0x00000000656e6f6eu, "none"},
    [23] = {0x6c69616674666f73u, "softfail"}, [25] = {0x0000726564616568u, "header"},
    [26] = {0x0000000000637261u, "arc"},      [28] = {0x6d6f72666c69616du, "mailfrom"},
    [29] = {0x000000006c696166u, "fail"},     [30] = {0x0000000000000073u, "s"},
    [31] = {0x0000000000667073u, "spf"},
};

/* The literal for the keyword p[0..n) (1 <= n <= 8, 8 bytes readable at p) when it is one
 * of known_keywords in any case, else NULL. */
static const char *known_keyword(const char *p, size_t n)
{
    uint64_t x;
    memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x); /* the table's words, and the mask below, are little-endian */
#endif
    x = lower8(x) & (~(uint64_t)0 >> (64 - 8 * n));
    size_t k = KW_HASH(x);
    return known_keywords[k].word == x ? known_keywords[k].s : NULL;
}
#undef KW_HASH

/* Keywords lower-cased. tolower in the C locale (spoofwatch never calls setlocale) folds
 * only A-Z, as sw_arena_strndup_lower and lower8 do. The common ones are the literals of
 * known_keyword, shared by every header instead of copied into the arena; nothing writes
 * to these strings. */
static const char *dup_lower(cursor *c, const char *p, size_t n)
{
    if (n - 1 < 8 && (size_t)(c->s + c->n - p) >= 8) {
        const char *k = known_keyword(p, n);
        if (k)
            return k;
    }
    return sw_arena_strndup_lower(c->a, p, n);
}

/* The end of the keyword characters from s[i] on (n when they run to the end). Keywords
 * (methods, results, ptypes, properties: a dozen and a half per header) are a few bytes:
 * while 16 bytes remain, one step tests them all at once for letters, digits, '-', '_'. */
static size_t keyword_end(const char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i letter = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
        __m128i digit = _mm_sub_epi8(v, _mm_set1_epi8('0'));
        __m128i ok = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(25)), letter),
                         _mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8(9)), digit)),
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8('_'))));
        unsigned m = (unsigned)_mm_movemask_epi8(ok) ^ 0xFFFFu;
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < n && is_keyword_char(s[i]))
        i++;
    return i;
}

static int read_keyword(cursor *c, const char **out, size_t *len)
{
    size_t s = c->i;
    c->i = keyword_end(c->s, c->i, c->n);
    *out = c->s + s;
    *len = c->i - s;
    return *len ? SW_OK : SW_ENOTFOUND;
}

/* quoted-string: returns the unescaped content. */
static int read_quoted(cursor *c, char **out)
{
    /* Most values fit the stack buffer: no malloc/free per use. */
    char b_mem[256];
    sw_buf b;
    sw_buf_init_local(&b, SW_MAX_FIELD_VALUE, b_mem, sizeof b_mem);
    c->i++; /* opening quote */
    while (c->i < c->n && c->s[c->i] != '"') {
        char ch = c->s[c->i];
        if (ch == '\\' && c->i + 1 < c->n) {
            c->i++;
            ch = c->s[c->i];
        } else if ((unsigned char)ch >= 0x80 && (c->mode & SW_AR_STRICT) &&
                   !(c->mode & SW_AR_I18N)) {
            sw_buf_free(&b);
            return fail(c, "non-ASCII byte in quoted string");
        }
        if (ch != '\r' && ch != '\n')
            sw_buf_putc(&b, ch);
        c->i++;
    }
    if (at_end(c)) {
        sw_buf_free(&b);
        return fail(c, "unterminated quoted string");
    }
    c->i++;
    *out = sw_arena_strndup(c->a, b.data ? b.data : "", b.len);
    sw_buf_free(&b);
    return *out ? SW_OK : SW_ENOMEM;
}

/* value = token / quoted-string (authserv-id, reason). */
static int read_value(cursor *c, char **out)
{
    if (peek(c) == '"')
        return read_quoted(c, out);
    size_t s = c->i;
    while (c->i < c->n) {
        unsigned char ch = (unsigned char)c->s[c->i];
        if (is_token_char(ch))
            c->i++;
        else if (ch >= 0x80 && !(c->mode & SW_AR_STRICT))
            c->i++;
        else if (!(c->mode & SW_AR_STRICT) &&
                 (ch == '/' || ch == ':' || ch == '@' || ch == '?' || ch == '[' || ch == ']'))
            c->i++;
        else
            break;
    }
    if (c->i == s) {
        if (c->i < c->n && (unsigned char)c->s[c->i] >= 0x80)
            return fail(c, "non-ASCII byte in token");
        return fail(c, "expected a value");
    }
    *out = span(c, s, c->i);
    return SW_OK;
}

/* The authserv-id is what trust is decided on, so it is read as an RFC 2045 token or a
 * quoted string in every mode ("example/net" is an error, not an id); SW_AR_I18N also
 * takes the unquoted U-labels real receivers write, outside strict mode. */
static int read_authserv_id(cursor *c, char **out)
{
    if (peek(c) == '"')
        return read_quoted(c, out);
    size_t s = c->i;
    int utf8 = (c->mode & SW_AR_I18N) && !(c->mode & SW_AR_STRICT);
    while (c->i < c->n) {
        unsigned char ch = (unsigned char)c->s[c->i];
        if (is_token_char(ch) || (utf8 && ch >= 0x80))
            c->i++;
        else
            break;
    }
    if (c->i == s) {
        if (c->i < c->n && (unsigned char)c->s[c->i] >= 0x80)
            return fail(c, "non-ASCII byte in the authserv-id");
        return fail(c, "expected an authserv-id");
    }
    *out = span(c, s, c->i);
    return SW_OK;
}

/* Index of the first byte of s[i..n) that ends an unquoted property value (AR_PVALUE_END:
 * whitespace, ';', '('), or n. Values are addresses and host names on every result: 16
 * bytes are screened at a time while 16 remain. */
static size_t pvalue_end(const char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
                         _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')))),
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(';')),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8('('))));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < n && !(ar_class[(unsigned char)s[i]] & AR_PVALUE_END))
        i++;
    return i;
}

/* pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS] */
static int read_pvalue(cursor *c, char **out)
{
    if (peek(c) == '"')
        return read_quoted(c, out);
    size_t s = c->i;
    int strict = (c->mode & SW_AR_STRICT) != 0;
    /* Outside strict mode no byte of the value is an error: only its end is looked for. */
    if (!strict)
        c->i = pvalue_end(c->s, c->i, c->n);
    while (strict && c->i < c->n) {
        unsigned char ch = (unsigned char)c->s[c->i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == ';' || ch == '(')
            break;
        if (ch >= 0x80) {
            if (strict && !(c->mode & SW_AR_I18N))
                return fail(c, "non-ASCII byte in property value");
        } else if (strict && !is_token_char(ch) && ch != '@') {
            return fail(c, "character not allowed in an unquoted property value");
        } else if (ch == '"' || ch == ')') {
            if (strict)
                return fail(c, "stray quote or parenthesis");
        }
        c->i++;
    }
    *out = span(c, s, c->i);
    return SW_OK;
}

static int result_allowed(const char *method, const char *result, const char *raw, size_t rawlen)
{
    static const char *const spf[] = {"none",      "neutral",   "pass",   "fail", "softfail",
                                      "temperror", "permerror", "policy", NULL};
    static const char *const dkim[] = {"none",    "pass",      "fail",      "policy",
                                       "neutral", "temperror", "permerror", NULL};
    static const char *const dmarc[] = {"none", "pass", "fail", "temperror", "permerror", NULL};
    const char *const *set = NULL;
    if (!strcmp(method, "spf"))
        set = spf;
    else if (!strcmp(method, "dkim")) {
        set = dkim;
        /* keywords are compared as written for dkim: "Pass" is not a registered result */
        for (size_t i = 0; i < rawlen; i++)
            if (isupper((unsigned char)raw[i]))
                return 0;
    } else if (!strcmp(method, "dmarc"))
        set = dmarc;
    if (!set)
        return 1;
    for (size_t i = 0; set[i]; i++)
        if (!strcmp(set[i], result))
            return 1;
    return 0;
}

/* A result's properties are collected on the stack (at most SW_MAX_AUTHRES_PROPS, the
 * rest dropped) and copied to an arena array of exactly their number once the result is
 * read: one allocation per result instead of one per doubling. */
typedef struct prop_list {
    sw_authres_prop p[SW_MAX_AUTHRES_PROPS];
    size_t n;
} prop_list;

static void add_prop(prop_list *l, const char *ptype, const char *property, const char *value)
{
    if (l->n >= SW_MAX_AUTHRES_PROPS)
        return;
    l->p[l->n++] = (sw_authres_prop){ptype, property, value};
}

static int keep_props(cursor *c, sw_authres_result *r, const prop_list *l)
{
    if (!l->n)
        return SW_OK;
    sw_authres_prop *p = sw_arena_alloc(c->a, l->n * sizeof *p);
    if (!p)
        return SW_ENOMEM;
    memcpy(p, l->p, l->n * sizeof *p);
    r->props = p;
    r->nprops = l->n;
    return SW_OK;
}

/* Skips to the next top-level ';' (relaxed recovery). */
static void skip_to_semicolon(cursor *c)
{
    while (c->i < c->n && c->s[c->i] != ';') {
        if (c->s[c->i] == '"') {
            char *tmp;
            if (read_quoted(c, &tmp))
                return;
            continue;
        }
        c->i++;
    }
}

/* Does the text at the cursor look like "method=" or "method/1=" (no authserv-id)? When it
 * does, the index of its '=' or '/' (after the CFWS), and in *kw_end where the method
 * keyword ends: parse_resinfo then reads neither again. 0 when it does not. */
static size_t looks_like_methodspec(const cursor *c, size_t *kw_end)
{
    /* a trial cursor: RFC 8601 allows CFWS between the method and its "=" (any whitespace
     * or a comment, as skip_cfws reads them), and a failed look must report nothing */
    cursor t = *c;
    t.err = NULL;
    t.i = keyword_end(t.s, t.i, t.n);
    *kw_end = t.i;
    if (t.i == c->i || skip_cfws(&t) != SW_OK)
        return 0;
    return peek(&t) == '=' || peek(&t) == '/' ? t.i : 0;
}

/* methodspec [reasonspec] [1*propspec], cursor after CFWS at the method keyword. spec is
 * what looks_like_methodspec returned (its '=' or '/', kw_end the keyword's end), or 0
 * when it was not asked or said no, and the method is read here. Both ways give the same
 * cursor: the trial read the same bytes, and the CFWS it skipped had no error and left no
 * comment that anything reads (the result's comment is looked for after the result). */
static int parse_resinfo(cursor *c, sw_authres_result *r, size_t spec, size_t kw_end)
{
    memset(r, 0, sizeof *r);
    const char *kw;
    size_t kwlen;
    int rc;
    if (spec) {
        kw = c->s + c->i;
        kwlen = kw_end - c->i;
        r->method = dup_lower(c, kw, kwlen);
        c->i = spec;
    } else {
        if (read_keyword(c, &kw, &kwlen))
            return fail(c, "expected a method name");
        r->method = dup_lower(c, kw, kwlen);
        if ((rc = skip_cfws(c)))
            return rc;
    }
    if (peek(c) == '/') {
        c->i++;
        if ((rc = skip_cfws(c)))
            return rc;
        /* digits by hand: the input is not NUL-terminated, so no strtol */
        size_t s = c->i;
        long v = 0;
        while (c->i < c->n && isdigit((unsigned char)c->s[c->i])) {
            if (v < 100000)
                v = v * 10 + (c->s[c->i] - '0');
            c->i++;
        }
        if (c->i == s)
            return fail(c, "expected a method version");
        r->method_version = (int)v;
        if ((rc = skip_cfws(c)))
            return rc;
    }
    if (peek(c) != '=')
        return fail(c, "expected '=' after the method");
    c->i++;
    if ((rc = skip_cfws(c)))
        return rc;
    const char *res;
    size_t reslen;
    if (read_keyword(c, &res, &reslen))
        return fail(c, "expected a result keyword");
    r->result = dup_lower(c, res, reslen);
    if (!r->method || !r->result)
        return SW_ENOMEM;
    if ((c->mode & SW_AR_STRICT) && !result_allowed(r->method, r->result, res, reslen))
        return fail(c, "result keyword not registered for this method");
    c->last_comment = NULL;
    if ((rc = skip_cfws(c)))
        return rc;
    if (c->last_comment) {
        size_t b = (size_t)(c->last_comment - c->s);
        r->comment = span(c, b, b + c->last_comment_len);
    }
    prop_list props;
    props.n = 0;
    while (!at_end(c) && peek(c) != ';') {
        size_t save = c->i;
        const char *ptype;
        size_t plen;
        if (read_keyword(c, &ptype, &plen)) {
            if (c->mode & SW_AR_STRICT)
                return fail(c, "expected a property");
            c->i = save;
            skip_to_semicolon(c);
            break;
        }
        if ((rc = skip_cfws(c)))
            return rc;
        if (peek(c) == '=') {
            /* reason=..., or Microsoft's action=... (no ptype) */
            c->i++;
            if ((rc = skip_cfws(c)))
                return rc;
            char *v;
            if (plen == 6 && !strncasecmp(ptype, "reason", 6)) {
                if ((rc = read_value(c, &v)))
                    return rc;
                r->reason = v;
            } else if (c->mode & SW_AR_STRICT) {
                return fail(c, "property without a ptype");
            } else {
                if ((rc = read_pvalue(c, &v)))
                    return rc;
                if (plen == 6 && !strncasecmp(ptype, "action", 6)) {
                    r->action = v;
                } else {
                    const char *name = dup_lower(c, ptype, plen);
                    if (!name)
                        return SW_ENOMEM;
                    add_prop(&props, "", name, v);
                }
            }
        } else if (peek(c) == '.') {
            c->i++;
            if ((rc = skip_cfws(c)))
                return rc;
            const char *prop;
            size_t proplen;
            if (read_keyword(c, &prop, &proplen))
                return fail(c, "expected a property name");
            if ((rc = skip_cfws(c)))
                return rc;
            if (peek(c) != '=')
                return fail(c, "expected '=' after the property");
            c->i++;
            if ((rc = skip_cfws(c)))
                return rc;
            char *v;
            if ((rc = read_pvalue(c, &v)))
                return rc;
            if ((c->mode & SW_AR_STRICT) && !(plen == 4 && !strncasecmp(ptype, "smtp", 4)) &&
                !(plen == 6 && !strncasecmp(ptype, "header", 6)) &&
                !(plen == 4 && !strncasecmp(ptype, "body", 4)) &&
                !(plen == 6 && !strncasecmp(ptype, "policy", 6)))
                return fail(c, "unknown property type");
            const char *pt = dup_lower(c, ptype, plen), *pn = dup_lower(c, prop, proplen);
            if (!pt || !pn)
                return SW_ENOMEM;
            add_prop(&props, pt, pn, v);
        } else {
            if (c->mode & SW_AR_STRICT)
                return fail(c, "expected '.' or '=' after a property type");
            c->i = save;
            skip_to_semicolon(c);
            break;
        }
        if ((rc = skip_cfws(c)))
            return rc;
    }
    return keep_props(c, r, &props);
}


int sw_authres_parse(sw_arena *a, const char *s, size_t n, unsigned mode, sw_authres *out,
                     sw_error *err)
{
    memset(out, 0, sizeof *out);
    out->version = 1;
    out->arc_instance = -1;
    out->authserv_id = "";
    cursor c = {.s = s, .n = n, .mode = mode, .a = a, .err = err};
    if (!(c.copy = sw_arena_alloc(a, n + 1)))
        return SW_ENOMEM;
    memcpy(c.copy, s, n);
    c.copy[n] = '\0';
    int rc = skip_cfws(&c);
    if (rc)
        return rc;
    if (at_end(&c)) {
        if (mode & SW_AR_STRICT)
            return fail(&c, "empty field");
        return SW_OK;
    }
    /* ARC: "i=N;" precedes the authserv-id. */
    if ((mode & SW_AR_ARC) && c.i + 1 < n && (s[c.i] == 'i' || s[c.i] == 'I')) {
        size_t save = c.i;
        c.i++;
        if ((rc = skip_cfws(&c)))
            return rc;
        if (peek(&c) == '=') {
            c.i++;
            skip_cfws(&c);
            size_t d = c.i;
            long v = 0;
            while (c.i < n && isdigit((unsigned char)s[c.i]) && v < 100000)
                v = v * 10 + (s[c.i++] - '0');
            if (c.i == d)
                return fail(&c, "expected an ARC instance number");
            out->arc_instance = (int)v;
            if ((rc = skip_cfws(&c)))
                return rc;
            if (peek(&c) != ';')
                return fail(&c, "expected ';' after the ARC instance");
            c.i++;
            if ((rc = skip_cfws(&c)))
                return rc;
        } else {
            c.i = save;
        }
    }
    size_t cap = 0;
    int first = 1;
    size_t kw_end;
    if (!(mode & SW_AR_STRICT) && looks_like_methodspec(&c, &kw_end)) {
        /* Microsoft 365: no authserv-id, the first result follows directly. */
        out->flags |= SW_ARF_NO_AUTHSERV_ID;
        first = 0;
    } else {
        char *id;
        if ((rc = read_authserv_id(&c, &id)))
            return rc;
        out->authserv_id = id;
        if ((rc = skip_cfws(&c)))
            return rc;
        if (isdigit((unsigned char)peek(&c))) {
            long v = 0;
            while (c.i < n && isdigit((unsigned char)s[c.i]) && v < 100000)
                v = v * 10 + (s[c.i++] - '0');
            out->version = (int)v;
            if ((rc = skip_cfws(&c)))
                return rc;
        }
        if (at_end(&c)) {
            if (mode & SW_AR_STRICT)
                return fail(&c, "expected ';' after the authserv-id");
            return SW_OK;
        }
        if (peek(&c) != ';')
            return fail(&c, "expected ';' after the authserv-id");
    }
    for (;;) {
        if (first) {
            c.i++; /* ';' */
            if ((rc = skip_cfws(&c)))
                return rc;
            first = 0;
            /* "authserv-id; none" */
            if (n - c.i >= 4 && (s[c.i] | 0x20) == 'n' && (s[c.i + 1] | 0x20) == 'o' &&
                (s[c.i + 2] | 0x20) == 'n' && (s[c.i + 3] | 0x20) == 'e') {
                size_t save = c.i;
                c.i += 4;
                skip_cfws(&c);
                if (at_end(&c) || peek(&c) == ';') {
                    out->flags |= SW_ARF_NONE;
                    return SW_OK;
                }
                c.i = save;
            }
        }
        if (at_end(&c)) {
            if ((mode & SW_AR_STRICT))
                return fail(&c, "trailing ';' without a result");
            break;
        }
        if (peek(&c) == ';') {
            /* empty resinfo "; ;" */
            if (mode & SW_AR_STRICT)
                return fail(&c, "empty result");
            c.i++;
            skip_cfws(&c);
            continue;
        }
        size_t spec = looks_like_methodspec(&c, &kw_end);
        if (!spec && !(mode & SW_AR_STRICT)) {
            /* e.g. Exchange writes "; lists.example.org;" between results */
            out->flags |= SW_ARF_SKIPPED;
            skip_to_semicolon(&c);
        } else {
            if (out->count >= SW_MAX_AUTHRES_RESULTS) {
                out->flags |= SW_ARF_TRUNCATED;
                break;
            }
            if (out->count == cap) {
                size_t ncap = cap ? cap * 2 : 4;
                sw_authres_result *nr = sw_arena_alloc(a, ncap * sizeof *nr);
                if (!nr)
                    return SW_ENOMEM;
                if (out->count)
                    memcpy(nr, out->results, out->count * sizeof *nr);
                out->results = nr;
                cap = ncap;
            }
            if ((rc = parse_resinfo(&c, &out->results[out->count], spec, kw_end)))
                return rc;
            out->count++;
        }
        if (at_end(&c))
            break;
        if (peek(&c) != ';')
            return fail(&c, "expected ';' between results");
        c.i++;
        if ((rc = skip_cfws(&c)))
            return rc;
    }
    return SW_OK;
}

const char *sw_authres_prop_get(const sw_authres_result *r, const char *ptype, const char *property)
{
    for (size_t i = 0; i < r->nprops; i++)
        if (!strcmp(r->props[i].ptype, ptype) && !strcmp(r->props[i].property, property))
            return r->props[i].value;
    return NULL;
}
