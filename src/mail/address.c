/* Address-list parser: see include/spoofwatch/address.h.
 *
 * Two passes: a tokenizer that knows quoted strings, nested comments, domain literals and
 * quoted-pairs, then a parser over tokens that splits mailboxes at top-level commas and
 * handles groups and angle addresses. Whitespace is remembered per token so display names
 * keep their spacing. */
#include "spoofwatch/address.h"
#include "spoofwatch/buf.h"
#include "spoofwatch/copy.h"
#include "spoofwatch/error.h"
#include "spoofwatch/idn.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/rfc2047.h"

#include <ctype.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum tok_kind {
    T_ATOM,
    T_QSTRING,
    T_COMMENT,
    T_LT,
    T_GT,
    T_AT,
    T_COMMA,
    T_COLON,
    T_SEMI,
    T_DLITERAL,
    T_OTHER
};

typedef struct tok {
    enum tok_kind kind;
    const char *p; /* span in the input (quoted strings: without the quotes) */
    size_t n;
    int space_before;
    int escaped; /* contains quoted-pairs */
} tok;

#define MAX_TOKENS 4096

typedef struct lexer {
    tok *t;
    size_t count;
    unsigned flags;
} lexer;

/* RFC 5322 specials (plus NUL, which must never join a word). */
/* Byte classes for the lexer: one lookup per byte of every atom. A special that is a token
 * of one byte also carries that token's kind (above AC_KIND_SHIFT), so the lexer reads it
 * off the same lookup; the others, which open a longer token or are stray, carry T_OTHER. */
enum { AC_SPECIAL = 1, AC_WS = 2, AC_KIND_SHIFT = 2 };
#define AC_ONE(kind) (AC_SPECIAL | (kind) << AC_KIND_SHIFT)
static const unsigned char addr_class[256] = {
    ['('] = AC_ONE(T_OTHER), [')'] = AC_ONE(T_OTHER), ['<'] = AC_ONE(T_LT),
    ['>'] = AC_ONE(T_GT),    ['['] = AC_ONE(T_OTHER), [']'] = AC_ONE(T_OTHER),
    [':'] = AC_ONE(T_COLON), [';'] = AC_ONE(T_SEMI),  ['@'] = AC_ONE(T_AT),
    ['\\'] = AC_ONE(T_OTHER), [','] = AC_ONE(T_COMMA), ['"'] = AC_ONE(T_OTHER),
    ['\0'] = AC_ONE(T_OTHER), [' '] = AC_WS,          ['\t'] = AC_WS,
    ['\r'] = AC_WS,          ['\n'] = AC_WS,
};
#undef AC_ONE

#if defined(__SSE2__)
/* Bit k set when p[k] is not a letter, digit or one of "-./" (one range): those are most
 * atom bytes, and each of them is atom text. */
static inline unsigned not_plain_atext(const char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i letter = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    __m128i digit = _mm_sub_epi8(v, _mm_set1_epi8('-'));
    __m128i ok =
        _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8('z' - 'a')), letter),
                     _mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8('9' - '-')), digit));
    return (unsigned)_mm_movemask_epi8(ok) ^ 0xFFFFu;
}
#endif

/* The end of the atom s[i..j) goes on from j: the first byte of s[j..n) that is special or
 * whitespace (addr_class), or n. */
static size_t atom_end(const char *s, size_t j, size_t n)
{
#if defined(__SSE2__)
    /* Sixteen bytes are tested at once for plain atom text; the first other byte is an end
     * (looked up here) or rarer atom text, from which the loops below go on. */
    for (; j + 16 <= n; j += 16) {
        unsigned other = not_plain_atext(s + j);
        if (other) {
            j += (size_t)__builtin_ctz(other);
            if (addr_class[(unsigned char)s[j]])
                return j;
            break;
        }
    }
#endif
    /* four table lookups a round, then the byte that ends the atom one at a time */
    while (j + 4 <= n &&
           !((addr_class[(unsigned char)s[j]] | addr_class[(unsigned char)s[j + 1]] |
              addr_class[(unsigned char)s[j + 2]] | addr_class[(unsigned char)s[j + 3]])))
        j += 4;
    while (j < n && !addr_class[(unsigned char)s[j]])
        j++;
    return j;
}

static void lex(const char *s, size_t n, lexer *L, size_t max_tokens)
{
    size_t i = 0;
    int space = 0;
    while (i < n && L->count < max_tokens) {
        char c = s[i];
        /* one lookup tells whitespace, atoms (most tokens) and the rest apart */
        unsigned cls = addr_class[(unsigned char)c];
        if (cls & AC_WS) {
            space = 1;
            i++;
            continue;
        }
        /* every branch below sets kind, p and n */
        tok *t = &L->t[L->count];
        t->escaped = 0;
        t->space_before = space;
        space = 0;
        if (!cls) {
            /* atoms are most of the bytes of a list */
            size_t j = atom_end(s, i + 1, n);
            t->kind = T_ATOM;
            t->p = s + i;
            t->n = j - i;
            i = j;
        } else if (c == '"') {
            size_t j = i + 1;
            while (j < n && s[j] != '"') {
                if (s[j] == '\\' && j + 1 < n) {
                    t->escaped = 1;
                    j++;
                }
                j++;
            }
            if (j >= n)
                L->flags |= SW_ADDR_UNBALANCED;
            t->kind = T_QSTRING;
            t->p = s + i + 1;
            t->n = (j < n ? j : n) - (i + 1);
            i = j < n ? j + 1 : n;
        } else if (c == '(') {
            int depth = 1;
            size_t j = i + 1;
            while (j < n && depth) {
                if (s[j] == '\\' && j + 1 < n)
                    j++;
                else if (s[j] == '(')
                    depth++;
                else if (s[j] == ')')
                    depth--;
                j++;
            }
            if (depth)
                L->flags |= SW_ADDR_UNBALANCED;
            t->kind = T_COMMENT;
            t->p = s + i + 1;
            t->n = (depth ? j : j - 1) - (i + 1);
            i = j;
        } else if (c == '[') {
            size_t j = i + 1;
            while (j < n && s[j] != ']')
                j++;
            if (j >= n)
                L->flags |= SW_ADDR_UNBALANCED;
            t->kind = T_DLITERAL;
            t->p = s + i;
            t->n = (j < n ? j + 1 : n) - i;
            i = j < n ? j + 1 : n;
        } else if (c == '\\') {
            L->flags |= SW_ADDR_ESCAPED_SPECIAL;
            t->kind = T_ATOM;
            t->escaped = 1;
            t->p = s + i + (i + 1 < n);
            t->n = i + 1 < n ? 1 : 0;
            i += 2;
        } else {
            t->p = s + i;
            t->n = 1;
            t->kind = (enum tok_kind)(cls >> AC_KIND_SHIFT);
            if (t->kind == T_OTHER) /* ')', ']' or NUL */
                L->flags |= SW_ADDR_UNBALANCED;
            i++;
        }
        L->count++;
    }
    if (i < n)
        L->flags |= SW_ADDR_TOO_MANY;
}

int sw_looks_like_address(const char *s, size_t n)
{
    /* This runs on every display name and comment, which seldom hold an '@': memchr jumps
     * from one to the next instead of a test per byte. */
    for (size_t i = 1; i + 3 < n; i++) {
        const char *at = memchr(s + i, '@', n - 3 - i);
        if (!at)
            return 0;
        i = (size_t)(at - s);
        unsigned char before = (unsigned char)s[i - 1];
        if (before == ' ' || before == '<' || before == '"' || before == '(')
            continue;
        /* a dot inside the following host name */
        size_t j = i + 1;
        int dot = 0, chars = 0;
        while (j < n) {
            unsigned char c = (unsigned char)s[j];
            if (c == '.' && chars) {
                dot = 1;
            } else if (!(isalnum(c) || c == '-' || c >= 0x80)) {
                break;
            }
            chars++;
            j++;
        }
        if (dot && s[j - 1] != '.')
            return 1;
    }
    return 0;
}

/* Appends a token's text, removing quoted-pair backslashes from quoted strings. */
static void put_tok_text(sw_buf *b, const tok *t, int keep_quotes)
{
    if (t->kind == T_QSTRING && keep_quotes)
        sw_buf_putc(b, '"');
    if (t->escaped && t->kind == T_QSTRING) {
        for (size_t k = 0; k < t->n; k++) {
            if (t->p[k] == '\\' && k + 1 < t->n)
                k++;
            sw_buf_putc(b, t->p[k]);
        }
    } else {
        sw_buf_append(b, t->p, t->n);
    }
    if (t->kind == T_QSTRING && keep_quotes)
        sw_buf_putc(b, '"');
}

/* tolower in the C locale (spoofwatch never calls setlocale) folds only A-Z, which is what
 * sw_arena_strndup_lower does without a libc call per byte. */
static char *lower_dup(sw_arena *a, const char *s, size_t n)
{
    return sw_arena_strndup_lower(a, s, n);
}

static int has_8bit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

/* The one token of t[from..to) that is not a comment, when it can stand for the text
 * put_tok_text would build from the range (it is no quoted string, whose quotes and
 * quoted-pairs that rewrites, and fits the buffer's cap): NULL otherwise. */
static const tok *sole_plain_token(const tok *t, size_t from, size_t to)
{
    const tok *sole = NULL;
    for (size_t i = from; i < to; i++) {
        if (t[i].kind == T_COMMENT)
            continue;
        if (sole)
            return NULL;
        sole = &t[i];
    }
    if (!sole || sole->kind == T_QSTRING || sole->kind == T_AT || sole->n > SW_MAX_FIELD_VALUE)
        return NULL;
    return sole;
}

/* The domain's facts once m->domain (dn bytes, lower-cased) is set from dp[0..dn). */
static void domain_facts(sw_arena *a, const char *dp, size_t dn, sw_mailbox *m, int full)
{
    /* sw_idn_is_idn also finds every 8-bit byte (lower-casing leaves them as they are), so
     * the domain is looked at once; dp only when the copy failed. */
    if (full && (m->domain ? sw_idn_is_idn(m->domain, dn) : has_8bit(dp, dn)))
        m->flags |= SW_ADDR_IDN;
    if ((m->flags & SW_ADDR_IDN) && m->domain &&
        sw_idn_convert(a, m->domain, dn, &m->domain_ascii, &m->domain_unicode) == SW_EFORMAT)
        m->flags |= SW_ADDR_IDN_INVALID;
    if (full && sw_rfc2047_has_start(dp, dn))
        m->flags |= SW_ADDR_ENCODED_IN_ADDR;
}

/* parse_addr_spec when the local part is one token and the domain one token or absent (d
 * NULL), as in nearly every address: the strings are the token spans, the local part and
 * local@domain share one allocation, and no buffer is set up. The same strings and flags
 * as the general path. */
static int addr_spec_plain(sw_arena *a, const tok *l, const tok *d, sw_mailbox *m, int full)
{
    const char *lp = l->p;
    size_t ln = l->n;
    if (full && ln >= 2 && sw_rfc2047_has_start(lp, ln))
        m->flags |= SW_ADDR_ENCODED_IN_ADDR;
    size_t dn = d ? d->n : 0;
    if (d && d->kind == T_DLITERAL)
        m->flags |= SW_ADDR_DOMAIN_LITERAL;
    if (dn == 0) {
        m->flags |= SW_ADDR_NO_DOMAIN;
    } else {
        m->domain = lower_dup(a, d->p, dn);
        domain_facts(a, d->p, dn, m, full);
    }
    /* An atom holds no NUL (the lexer ends atoms there), so a string's strlen is its n;
     * other tokens (a quoted-pair, a domain literal) may hold one, and the address is
     * built from the strings as C strings. */
    size_t ll = l->kind == T_ATOM && !l->escaped ? ln : strnlen(lp, ln);
    size_t dl = !m->domain                            ? 0
                : d->kind == T_ATOM && !d->escaped ? dn
                                                      : strnlen(m->domain, dn);
    size_t total = ll + (m->domain ? 1 + dl : 0);
    char *local = sw_arena_alloc(a, ln + 1 + total + 1);
    if (!local)
        return -1;
    sw_copy_short(local, lp, ln);
    local[ln] = '\0';
    char *addr = local + ln + 1;
    sw_copy_short(addr, lp, ll);
    if (m->domain) {
        addr[ll] = '@';
        sw_copy_short(addr + ll + 1, m->domain, dl);
    }
    addr[total] = '\0';
    m->local = local;
    m->address = addr;
    return 0;
}

/* Fills local/domain/address from addr-spec tokens t[0..k). Nearly every addr-spec is one
 * atom, "@" and one atom: then the local part and the domain are token spans, used as they
 * are instead of being assembled in a buffer. Without full, the encoded-word and IDN facts
 * (flags and the IDN forms) are not worked out. */
static int parse_addr_spec(sw_arena *a, const tok *t, size_t k, sw_mailbox *m, int full)
{
    long last_at = -1;
    int ats = 0;
    for (size_t i = 0; i < k; i++)
        if (t[i].kind == T_AT) {
            last_at = (long)i;
            ats++;
        }
    if (ats > 1)
        m->flags |= SW_ADDR_MULTIPLE_AT;
    {
        size_t lend = last_at >= 0 ? (size_t)last_at : k;
        const tok *l = sole_plain_token(t, 0, lend);
        const tok *d = last_at >= 0 ? sole_plain_token(t, (size_t)last_at + 1, k) : NULL;
        /* within the buffer's cap (always, for header values) the general path builds the
         * same address; past it, its truncation is kept */
        if (l && (last_at < 0 || d) && l->n + 1 + (d ? d->n : 0) <= SW_MAX_FIELD_VALUE)
            return addr_spec_plain(a, l, d, m, full);
    }
    /* Most values fit the stack buffer: no malloc/free per use. */
    char b_mem[256];
    sw_buf b;
    sw_buf_init_local(&b, SW_MAX_FIELD_VALUE, b_mem, sizeof b_mem);
    size_t local_end = last_at >= 0 ? (size_t)last_at : k;
    const tok *sole = sole_plain_token(t, 0, local_end);
    /* An atom holds no NUL (the lexer ends atoms there), so its copy's strlen is its n; a
     * quoted-pair ("\\x", also an atom) may be one. */
    int local_atom = sole && sole->kind == T_ATOM && !sole->escaped;
    const char *lp;
    size_t ln;
    if (sole) {
        lp = sole->p;
        ln = sole->n;
    } else {
        for (size_t i = 0; i < local_end; i++) {
            if (t[i].kind == T_COMMENT)
                continue;
            if (t[i].kind == T_QSTRING)
                m->flags |= SW_ADDR_QUOTED_LOCAL;
            if (t[i].kind == T_AT)
                sw_buf_putc(&b, '@');
            else
                put_tok_text(&b, &t[i], 1);
        }
        lp = b.data ? b.data : "";
        ln = b.len;
    }
    if (full && ln >= 2 && sw_rfc2047_has_start(lp, ln))
        m->flags |= SW_ADDR_ENCODED_IN_ADDR;
    m->local = sw_arena_strndup(a, lp, ln);
    sw_buf_clear(&b);
    int domain_atom = 0;
    size_t dn = 0;
    if (last_at >= 0) {
        sole = sole_plain_token(t, (size_t)last_at + 1, k);
        const char *dp;
        if (sole) {
            if (sole->kind == T_DLITERAL)
                m->flags |= SW_ADDR_DOMAIN_LITERAL;
            domain_atom = sole->kind == T_ATOM && !sole->escaped;
            dp = sole->p;
            dn = sole->n;
        } else {
            for (size_t i = (size_t)last_at + 1; i < k; i++) {
                if (t[i].kind == T_COMMENT)
                    continue;
                if (t[i].kind == T_DLITERAL)
                    m->flags |= SW_ADDR_DOMAIN_LITERAL;
                put_tok_text(&b, &t[i], 0);
            }
            dp = b.data;
            dn = b.len;
        }
        if (dn == 0) {
            m->flags |= SW_ADDR_NO_DOMAIN;
        } else {
            m->domain = lower_dup(a, dp, dn);
            domain_facts(a, dp, dn, m, full);
        }
    } else {
        m->flags |= SW_ADDR_NO_DOMAIN;
    }
    if (m->local) {
        /* local@domain assembled in place; within the buffer's cap (always, for header
         * values) this is exactly what the buffer below would build, without its copies. */
        size_t ll = local_atom ? ln : strlen(m->local);
        size_t dl = !m->domain ? 0 : domain_atom ? dn : strlen(m->domain);
        size_t total = ll + (m->domain ? 1 + dl : 0);
        if (total <= SW_MAX_FIELD_VALUE) {
            sw_buf_free(&b);
            char *addr = sw_arena_alloc(a, total + 1);
            if (addr) {
                memcpy(addr, m->local, ll);
                if (m->domain) {
                    addr[ll] = '@';
                    memcpy(addr + ll + 1, m->domain, dl);
                }
                addr[total] = '\0';
            }
            m->address = addr;
            return m->address ? 0 : -1;
        }
    }
    sw_buf_clear(&b);
    if (m->local) {
        sw_buf_puts(&b, m->local);
        if (m->domain) {
            sw_buf_putc(&b, '@');
            sw_buf_puts(&b, m->domain);
        }
    }
    m->address = sw_arena_strndup(a, b.data ? b.data : "", b.len);
    sw_buf_free(&b);
    return m->local && m->address ? 0 : -1;
}

/* The display name's strings and facts from its text as written, text[0..n). */
static int display_facts(sw_arena *a, const char *text, size_t n, sw_mailbox *m, int full)
{
    m->display_raw = sw_arena_strndup(a, text, n);
    sw_decoded d;
    if (sw_rfc2047_decode(a, text, n, &d))
        return -1;
    m->display_name = d.text;
    if (d.flags & SW_2047_ENCODED)
        m->flags |= SW_ADDR_DISPLAY_ENCODED;
    if (d.flags & (SW_2047_UNKNOWN_CHARSET | SW_2047_MALFORMED))
        m->flags |= SW_ADDR_DISPLAY_BAD_CHARSET;
    if (d.flags & SW_2047_CONTROL)
        m->flags |= SW_ADDR_DISPLAY_CONTROL;
    if (full && (sw_looks_like_address(d.text, d.len) || memchr(d.text, '<', d.len))) {
        if (sw_looks_like_address(d.text, d.len))
            m->flags |= SW_ADDR_DISPLAY_HAS_ADDRESS;
        if ((d.flags & SW_2047_ENCODED) && !sw_looks_like_address(text, n))
            m->flags |= SW_ADDR_ENCODED_ADDRESS | SW_ADDR_DISPLAY_HAS_ADDRESS;
    }
    return 0;
}

/* The display name before an angle address; without full, only its text. */
static int set_display(sw_arena *a, const tok *t, size_t k, sw_mailbox *m, int full)
{
    char b_mem[256];
    sw_buf b;
    sw_buf_init_local(&b, SW_MAX_FIELD_VALUE, b_mem, sizeof b_mem);
    int any = 0;
    for (size_t i = 0; i < k; i++) {
        if (t[i].kind == T_COMMENT)
            continue;
        if (any && t[i].space_before)
            sw_buf_putc(&b, ' ');
        put_tok_text(&b, &t[i], 0);
        any = 1;
    }
    int rc = any ? display_facts(a, b.data ? b.data : "", b.len, m, full) : 0;
    sw_buf_free(&b);
    return rc;
}

static void set_comment(sw_arena *a, const tok *t, size_t k, sw_mailbox *m)
{
    for (size_t i = 0; i < k; i++) {
        if (t[i].kind != T_COMMENT)
            continue;
        if (sw_looks_like_address(t[i].p, t[i].n))
            m->flags |= SW_ADDR_COMMENT_HAS_ADDRESS;
        if (!m->comment)
            m->comment = sw_arena_strndup(a, t[i].p, t[i].n);
    }
}

/* One mailbox from tokens t[0..k). Returns 0 when it produced a mailbox, 1 when empty. */
static int parse_mailbox(sw_arena *a, const tok *t, size_t k, sw_mailbox *m, int full)
{
    memset(m, 0, sizeof *m);
    /* One pass for every fact of the token kinds: mailboxes of a long To list are parsed
     * one after another, and most hold no comment. */
    size_t meaningful = 0, comments = 0;
    long lt = -1, gt = -1;
    int angles = 0, stray = 0; /* stray: a '>' or other special outside an angle address */
    for (size_t i = 0; i < k; i++) {
        enum tok_kind kind = t[i].kind;
        if (kind == T_COMMENT) {
            comments++;
            continue;
        }
        meaningful++;
        if (kind == T_LT) {
            if (lt < 0)
                lt = (long)i;
            angles++;
        } else if (kind == T_GT) {
            if (lt >= 0 && gt < 0)
                gt = (long)i;
            stray = 1;
        } else if (kind == T_OTHER) {
            stray = 1;
        }
    }
    if (!meaningful)
        return 1;
    if (angles > 1)
        m->flags |= SW_ADDR_MULTIPLE_ANGLE;
    if (comments)
        set_comment(a, t, k, m);
    if (lt >= 0) {
        if (gt < 0) {
            m->flags |= SW_ADDR_UNBALANCED;
            gt = (long)k;
        }
        if (set_display(a, t, (size_t)lt, m, full))
            return -1;
        size_t s = (size_t)lt + 1;
        /* obs-route: "@a,@b:" before the addr-spec */
        if (s < (size_t)gt && t[s].kind == T_AT) {
            size_t j = s;
            while (j < (size_t)gt && t[j].kind != T_COLON)
                j++;
            if (j < (size_t)gt) {
                m->flags |= SW_ADDR_ROUTE;
                s = j + 1;
            }
        }
        if (parse_addr_spec(a, t + s, (size_t)gt - s, m, full))
            return -1;
        for (size_t i = (size_t)gt + 1; i < k; i++)
            if (t[i].kind != T_COMMENT) {
                m->flags |= SW_ADDR_TRAILING_TEXT;
                break;
            }
        /* "a@x.example <b@y.example>": an address in front of the angle address */
        if (full && m->display_raw && sw_looks_like_address(m->display_raw, strlen(m->display_raw)))
            m->flags |= SW_ADDR_DISPLAY_HAS_ADDRESS;
    } else {
        if (stray) /* without a '<' every '>' is one */
            m->flags |= SW_ADDR_UNBALANCED;
        if (parse_addr_spec(a, t, k, m, full))
            return -1;
        /* old form "user@host (Real Name)": the comment is the name */
        if (m->comment && !(m->flags & SW_ADDR_COMMENT_HAS_ADDRESS)) {
            sw_decoded d;
            if (sw_rfc2047_decode(a, m->comment, strlen(m->comment), &d) == 0)
                m->display_name = d.text;
            m->display_raw = m->comment;
        }
    }
    if (!m->domain && (!m->local || !m->local[0]))
        m->flags |= SW_ADDR_INVALID;
    return 0;
}

/* The value when it is one mailbox of the shapes nearly every header holds: an addr-spec
 * of one atom, "@" and one atom, bare or in angle brackets, the latter after a display
 * name of atoms and quoted strings (no quoted-pairs) apart from whitespace; whitespace
 * also around the whole, none inside the brackets. Those are read here in one pass, with
 * no token array and no walks over it, into the list the general path makes of them: its
 * tokens would be [ATOM AT ATOM] or [words LT ATOM AT ATOM GT], which parse_mailbox
 * hands to set_display (the words) and addr_spec_plain as done below. Returns 1 for any
 * other value (nothing allocated), else the general path's result. */
static int plain_mailbox(sw_arena *a, const char *s, size_t n, sw_address_list *out, int full)
{
    size_t i = 0;
    while (i < n && (addr_class[(unsigned char)s[i]] & AC_WS))
        i++;
    while (n > i && (addr_class[(unsigned char)s[n - 1]] & AC_WS))
        n--;
    if (i == n)
        return 1;
    /* the display name's text as set_display joins it: a space where whitespace came
     * between two words, quoted strings without their quotes */
    char disp[256];
    size_t dl = 0;
    int words = 0;
    if (s[n - 1] == '>') {
        for (;;) {
            int space = 0;
            while (i < n && (addr_class[(unsigned char)s[i]] & AC_WS)) {
                space = 1;
                i++;
            }
            if (s[i] == '<')
                break;
            const char *w;
            size_t wn;
            if (!addr_class[(unsigned char)s[i]]) {
                size_t j = atom_end(s, i + 1, n);
                w = s + i;
                wn = j - i;
                i = j;
            } else if (s[i] == '"') {
                const char *q = memchr(s + i + 1, '"', n - i - 1);
                if (!q)
                    return 1;
                w = s + i + 1;
                wn = (size_t)(q - w);
                if (memchr(w, '\\', wn))
                    return 1;
                i = (size_t)(q - s) + 1;
            } else {
                return 1;
            }
            if (dl + 1 + wn > sizeof disp)
                return 1;
            if (words++ && space)
                disp[dl++] = ' ';
            memcpy(disp + dl, w, wn);
            dl += wn;
        }
        i++;
        n--;
    }
    /* local "@" domain, each one atom, filling s[i..n) */
    if (i >= n || addr_class[(unsigned char)s[i]])
        return 1;
    size_t le = atom_end(s, i + 1, n);
    if (le + 1 >= n || s[le] != '@' || addr_class[(unsigned char)s[le + 1]])
        return 1;
    size_t de = atom_end(s, le + 2, n);
    if (de != n || (le - i) + 1 + (de - le - 1) > SW_MAX_FIELD_VALUE)
        return 1;
    sw_mailbox *m = sw_arena_alloc(a, sizeof *m);
    if (!m)
        return -4;
    memset(m, 0, sizeof *m);
    if (words && display_facts(a, disp, dl, m, full))
        return -4;
    const tok l = {.kind = T_ATOM, .p = s + i, .n = le - i};
    const tok d = {.kind = T_ATOM, .p = s + le + 1, .n = de - le - 1};
    if (addr_spec_plain(a, &l, &d, m, full))
        return -4;
    /* strlen, as parse_mailbox: a quoted string may hold a NUL */
    if (full && m->display_raw && sw_looks_like_address(m->display_raw, strlen(m->display_raw)))
        m->flags |= SW_ADDR_DISPLAY_HAS_ADDRESS;
    if (!m->domain && (!m->local || !m->local[0]))
        m->flags |= SW_ADDR_INVALID;
    out->items = m;
    out->count = 1;
    out->flags = m->flags;
    return 0;
}

static int address_parse(sw_arena *a, const char *s, size_t n, sw_address_list *out, int full)
{
    memset(out, 0, sizeof *out);
    int prc = plain_mailbox(a, s, n, out, full);
    if (prc <= 0)
        return prc;
    lexer L = {0};
    size_t max_tokens = n + 1 < MAX_TOKENS ? n + 1 : MAX_TOKENS;
    L.t = sw_arena_alloc(a, max_tokens * sizeof(tok));
    if (!L.t)
        return -4;
    lex(s, n, &L, max_tokens);
    out->flags = L.flags;
    out->items = sw_arena_alloc(a, 8 * sizeof(sw_mailbox));
    size_t cap = 8;
    if (!out->items)
        return -4;
    const char *group = NULL;
    size_t i = 0;
    while (i < L.count) {
        /* Find the end of this element: a top-level comma, or ';' closing a group. */
        size_t j = i;
        int in_angle = 0;
        long colon = -1;
        while (j < L.count) {
            enum tok_kind k = L.t[j].kind;
            if (k == T_LT)
                in_angle = 1;
            else if (k == T_GT)
                in_angle = 0;
            else if (!in_angle && k == T_COMMA)
                break;
            else if (!in_angle && k == T_SEMI && group)
                break;
            else if (!in_angle && k == T_COLON && !group && colon < 0) {
                /* group "name:" unless it is an obs-route inside <> (handled above) */
                colon = (long)j;
                break;
            }
            j++;
        }
        if (colon >= 0) {
            char b_mem[256];
            sw_buf b;
            sw_buf_init_local(&b, SW_MAX_FIELD_VALUE, b_mem, sizeof b_mem);
            for (size_t g = i; g < (size_t)colon; g++) {
                if (L.t[g].kind == T_COMMENT)
                    continue;
                if (b.len && L.t[g].space_before)
                    sw_buf_putc(&b, ' ');
                put_tok_text(&b, &L.t[g], 0);
            }
            group = sw_arena_strndup(a, b.data ? b.data : "", b.len);
            sw_buf_free(&b);
            out->flags |= SW_ADDR_GROUP;
            i = (size_t)colon + 1;
            continue;
        }
        if (out->count >= SW_MAX_ADDRESSES) {
            out->flags |= SW_ADDR_TOO_MANY;
            break;
        }
        if (out->count == cap) {
            sw_mailbox *nm = sw_arena_alloc(a, cap * 2 * sizeof *nm);
            if (!nm)
                return -4;
            memcpy(nm, out->items, cap * sizeof *nm);
            out->items = nm;
            cap *= 2;
        }
        sw_mailbox *m = &out->items[out->count];
        int rc = parse_mailbox(a, L.t + i, j - i, m, full);
        if (rc < 0)
            return -4;
        if (rc == 0) {
            m->group = group;
            out->flags |= m->flags;
            out->count++;
        }
        if (j < L.count && L.t[j].kind == T_SEMI)
            group = NULL;
        i = j + 1;
    }
    if (group)
        out->flags |= SW_ADDR_UNBALANCED; /* group never closed */
    if (out->count > 1)
        out->flags |= SW_ADDR_MULTIPLE;
    if (out->count == 0)
        out->flags |= SW_ADDR_EMPTY;
    return 0;
}

int sw_address_parse(sw_arena *a, const char *s, size_t n, sw_address_list *out)
{
    return address_parse(a, s, n, out, 1);
}

int sw_address_parse_names(sw_arena *a, const char *s, size_t n, sw_address_list *out)
{
    return address_parse(a, s, n, out, 0);
}

size_t sw_address_flag_names(unsigned flags, const char **names, size_t max)
{
    static const struct {
        unsigned bit;
        const char *name;
    } table[] = {
        {SW_ADDR_DISPLAY_HAS_ADDRESS, "display_name_has_address"},
        {SW_ADDR_ENCODED_ADDRESS, "encoded_word_address"},
        {SW_ADDR_COMMENT_HAS_ADDRESS, "comment_has_address"},
        {SW_ADDR_ENCODED_IN_ADDR, "encoded_word_in_address"},
        {SW_ADDR_QUOTED_LOCAL, "quoted_local_part"},
        {SW_ADDR_ROUTE, "obsolete_route"},
        {SW_ADDR_MULTIPLE_AT, "multiple_at"},
        {SW_ADDR_MULTIPLE_ANGLE, "multiple_angle_addresses"},
        {SW_ADDR_UNBALANCED, "unbalanced_brackets"},
        {SW_ADDR_NO_DOMAIN, "no_domain"},
        {SW_ADDR_DOMAIN_LITERAL, "domain_literal"},
        {SW_ADDR_IDN, "idn_domain"},
        {SW_ADDR_ESCAPED_SPECIAL, "escaped_special"},
        {SW_ADDR_TRAILING_TEXT, "text_after_address"},
        {SW_ADDR_INVALID, "invalid_mailbox"},
        {SW_ADDR_DISPLAY_ENCODED, "display_name_encoded"},
        {SW_ADDR_DISPLAY_BAD_CHARSET, "display_name_bad_encoding"},
        {SW_ADDR_DISPLAY_CONTROL, "display_name_control_chars"},
        {SW_ADDR_IDN_INVALID, "invalid_idn_domain"},
        {SW_ADDR_MULTIPLE, "multiple_mailboxes"},
        {SW_ADDR_GROUP, "group_syntax"},
        {SW_ADDR_EMPTY, "no_mailbox"},
        {SW_ADDR_TOO_MANY, "too_many_addresses"},
    };
    size_t n = 0;
    /* stops at the last flag set: most lists have none or one */
    for (size_t i = 0; i < sizeof table / sizeof table[0] && n < max && flags; i++)
        if (flags & table[i].bit) {
            names[n++] = table[i].name;
            flags &= ~table[i].bit;
        }
    return n;
}
