/* SPF macro syntax and expansion (RFC 7208 §7), see include/spoofwatch/spf.h.
 *
 * Owns nothing: expansions are built in a fixed stack buffer of SW_MAX_SPF_EXPANSION bytes
 * and copied into the caller's arena, so a hostile record (libspf2's CVE-2021-20314 was an
 * overflow right here) can at worst make an expansion fail with SW_ELIMIT. */
#include "spoofwatch/spf.h"
#include "spoofwatch/limits.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int is_delim(int c)
{
    return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

/* macro-literal = %x21-24 / %x26-7E; explanation text adds SP. */
static int is_literal(int c, sw_spf_macro_kind kind)
{
    if (c == ' ')
        return kind == SW_SPF_MACRO_EXPLAIN;
    return c >= 0x21 && c <= 0x7e && c != '%';
}

static int letter_ok(int c, sw_spf_macro_kind kind)
{
    switch (tolower(c)) {
    case 's': case 'l': case 'o': case 'd': case 'i': case 'p': case 'h': case 'v':
        return 1;
    case 'c': case 'r': case 't': /* only in explanations (RFC 7208 §7.2) */
        return kind != SW_SPF_MACRO_DOMAIN;
    }
    return 0;
}

/* One "%{...}" starting at in[i] == '{' (after '%'): fills letter, digits, reverse and the
 * delimiter span; returns the index after '}' or 0 on a syntax error. */
typedef struct macro_tok {
    char letter;
    unsigned keep; /* 0: all parts */
    int reverse;
    const char *delims;
    size_t ndelims;
} macro_tok;

static size_t parse_braced(const char *in, size_t len, size_t i, sw_spf_macro_kind kind,
                           macro_tok *t)
{
    memset(t, 0, sizeof *t);
    i++; /* '{' */
    if (i >= len || !letter_ok((unsigned char)in[i], kind) || !isalpha((unsigned char)in[i]))
        return 0;
    t->letter = in[i++];
    if (i < len && isdigit((unsigned char)in[i])) {
        unsigned long v = 0;
        while (i < len && isdigit((unsigned char)in[i])) {
            if (v < 100000)
                v = v * 10 + (unsigned)(in[i] - '0');
            i++;
        }
        if (v == 0) /* "If a DIGIT is specified, the value MUST be nonzero." */
            return 0;
        t->keep = v > 100000 ? 100000 : (unsigned)v;
    }
    if (i < len && (in[i] == 'r' || in[i] == 'R')) {
        t->reverse = 1;
        i++;
    }
    t->delims = in + i;
    while (i < len && is_delim((unsigned char)in[i]))
        i++;
    t->ndelims = (size_t)(in + i - t->delims);
    if (i >= len || in[i] != '}')
        return 0;
    return i + 1;
}

static int is_alnum(int c)
{
    return isalnum(c) && c < 0x80;
}

/* toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int is_toplabel(const char *s, size_t n)
{
    if (!n)
        return 0;
    int alpha = 0, dash = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '-')
            dash = 1;
        else if (!is_alnum(c))
            return 0;
        else if (isalpha(c))
            alpha = 1;
    }
    if (!dash)
        return alpha;
    return is_alnum((unsigned char)s[0]) && is_alnum((unsigned char)s[n - 1]);
}

int sw_spf_macro_check(const char *in, size_t len, sw_spf_macro_kind kind)
{
    size_t tail = 0; /* start of the literal text after the last macro-expand */
    int ends_in_macro = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 1 >= len)
                return SW_EFORMAT; /* a trailing '%' */
            char n = in[i + 1];
            if (n == '%' || n == '_' || n == '-') {
                i += 2;
            } else if (n == '{') {
                macro_tok t;
                size_t e = parse_braced(in, len, i + 1, kind, &t);
                if (!e)
                    return SW_EFORMAT;
                i = e;
            } else {
                return SW_EFORMAT;
            }
            tail = i;
            ends_in_macro = 1;
            continue;
        }
        if (!is_literal(c, kind))
            return SW_EFORMAT;
        ends_in_macro = 0;
        i++;
    }
    if (kind != SW_SPF_MACRO_DOMAIN)
        return 0;
    /* domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) /
     * macro-expand. One trailing dot is allowed after a macro too (a written FQDN). */
    if (!len)
        return SW_EFORMAT;
    if (ends_in_macro)
        return 0;
    size_t end = len;
    if (in[end - 1] == '.')
        end--;
    if (end == tail && tail > 0)
        return 0; /* "%{d}." */
    size_t dot = end;
    while (dot > tail && in[dot - 1] != '.')
        dot--;
    if (dot == tail) /* no "." before the last label (or an empty tail) */
        return SW_EFORMAT;
    return is_toplabel(in + dot, end - dot) ? 0 : SW_EFORMAT;
}

/* The value of one macro letter, in buf (cap bytes); *v points at it. */
static int letter_value(const sw_spf_macro_ctx *ctx, char letter, char *buf, size_t cap,
                        const char **v)
{
    *v = "";
    switch (tolower((unsigned char)letter)) {
    case 's': *v = ctx->s ? ctx->s : ""; return 0;
    case 'l': *v = ctx->l ? ctx->l : ""; return 0;
    case 'o': *v = ctx->o ? ctx->o : ""; return 0;
    case 'd': *v = ctx->d ? ctx->d : ""; return 0;
    case 'h': *v = ctx->h ? ctx->h : ""; return 0;
    case 'r': *v = ctx->r ? ctx->r : "unknown"; return 0;
    case 'v': *v = ctx->ip_v6 ? "ip6" : "in-addr"; return 0;
    case 't': snprintf(buf, cap, "%lld", ctx->t); *v = buf; return 0;
    case 'c':
        if (!inet_ntop(ctx->ip_v6 ? AF_INET6 : AF_INET, ctx->ip, buf, (socklen_t)cap))
            buf[0] = '\0';
        *v = buf;
        return 0;
    case 'i':
        if (!ctx->ip_v6) {
            snprintf(buf, cap, "%u.%u.%u.%u", ctx->ip[0], ctx->ip[1], ctx->ip[2], ctx->ip[3]);
        } else {
            /* 32 nibbles, dot-separated (RFC 7208 §7.3) */
            static const char hex[] = "0123456789abcdef";
            size_t o = 0;
            for (int k = 0; k < 16 && o + 4 < cap; k++) {
                buf[o++] = hex[ctx->ip[k] >> 4];
                buf[o++] = '.';
                buf[o++] = hex[ctx->ip[k] & 15];
                buf[o++] = '.';
            }
            buf[o ? o - 1 : 0] = '\0';
        }
        *v = buf;
        return 0;
    case 'p': {
        const char *name = NULL;
        if (ctx->ptr_name) {
            int rc = ctx->ptr_name(ctx->ptr_ctx, ctx->d ? ctx->d : "", &name);
            if (rc)
                return rc;
        }
        *v = name ? name : "unknown";
        return 0;
    }
    }
    return SW_EFORMAT;
}

typedef struct outbuf {
    char data[SW_MAX_SPF_EXPANSION + 1];
    size_t len;
    int over;
} outbuf;

static void put(outbuf *o, const char *s, size_t n)
{
    if (o->over || n > SW_MAX_SPF_EXPANSION - o->len) {
        o->over = 1;
        return;
    }
    memcpy(o->data + o->len, s, n);
    o->len += n;
}

static int unreserved(unsigned char c)
{
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Appends one part, URL-escaped when the macro letter was upper case. */
static void put_part(outbuf *o, const char *s, size_t n, int escape)
{
    if (!escape) {
        put(o, s, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c)) {
            put(o, (const char *)&c, 1);
        } else {
            char e[4];
            snprintf(e, sizeof e, "%%%02X", c);
            put(o, e, 3);
        }
    }
}

static int expand_one(sw_arena *a, const sw_spf_macro_ctx *ctx, const macro_tok *t, outbuf *o)
{
    char vbuf[128];
    const char *v;
    int rc = letter_value(ctx, t->letter, vbuf, sizeof vbuf, &v);
    if (rc)
        return rc;
    size_t vlen = strlen(v);
    if (vlen > SW_MAX_SPF_EXPANSION) /* could never fit; bounds the part arrays below */
        return SW_ELIMIT;
    int escape = isupper((unsigned char)t->letter);
    const char *delims = t->ndelims ? t->delims : ".";
    size_t ndelims = t->ndelims ? t->ndelims : 1;
    /* part boundaries: at most vlen + 1 parts */
    size_t *starts = sw_arena_alloc(a, (vlen + 1) * 2 * sizeof *starts);
    if (!starts)
        return SW_ENOMEM;
    size_t *lens = starts + vlen + 1;
    size_t np = 0, b = 0;
    for (size_t i = 0; i <= vlen; i++)
        if (i == vlen || memchr(delims, v[i], ndelims)) {
            starts[np] = b;
            lens[np] = i - b;
            np++;
            b = i + 1;
        }
    size_t first = 0; /* in output order: keep the right-most `keep` parts */
    if (t->keep && t->keep < np)
        first = np - t->keep;
    for (size_t k = first; k < np; k++) {
        size_t idx = t->reverse ? np - 1 - k : k;
        if (k > first)
            put(o, ".", 1);
        put_part(o, v + starts[idx], lens[idx], escape);
    }
    return 0;
}

int sw_spf_macro_expand(sw_arena *a, const sw_spf_macro_ctx *ctx, const char *in, size_t len,
                        sw_spf_macro_kind kind, char **out)
{
    *out = NULL;
    int rc = sw_spf_macro_check(in, len, kind);
    if (rc)
        return rc;
    outbuf ob, *o = &ob;
    o->len = 0;
    o->over = 0;
    for (size_t i = 0; i < len;) {
        if (in[i] != '%') {
            size_t j = i;
            while (j < len && in[j] != '%')
                j++;
            put(o, in + i, j - i);
            i = j;
            continue;
        }
        char n = in[i + 1]; /* checked above: a '%' is never last */
        if (n == '%') {
            put(o, "%", 1);
            i += 2;
        } else if (n == '_') {
            put(o, " ", 1);
            i += 2;
        } else if (n == '-') {
            put(o, "%20", 3);
            i += 2;
        } else {
            macro_tok t;
            size_t e = parse_braced(in, len, i + 1, kind, &t);
            if (!e)
                return SW_EFORMAT;
            if ((rc = expand_one(a, ctx, &t, o)))
                return rc;
            i = e;
        }
        if (o->over)
            return SW_ELIMIT;
    }
    if (o->over)
        return SW_ELIMIT;
    *out = sw_arena_strndup(a, o->data, o->len);
    return *out ? 0 : SW_ENOMEM;
}

int sw_spf_domain_finish(char *name)
{
    size_t n = strlen(name);
    if (n && name[n - 1] == '.')
        name[--n] = '\0';
    size_t off = 0;
    while (n - off > 253) { /* drop labels from the left (RFC 7208 §7.3) */
        char *dot = memchr(name + off, '.', n - off);
        if (!dot)
            return 0;
        off = (size_t)(dot - name) + 1;
    }
    if (off)
        memmove(name, name + off, n - off + 1);
    n -= off;
    if (!n)
        return 0;
    size_t lab = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || name[i] == '.') {
            if (lab == 0 || lab > 63)
                return 0;
            lab = 0;
        } else {
            lab++;
        }
    }
    return 1;
}
