/* Tag lists and the headers built on them: see include/spoofwatch/tags.h.
 *
 * Contract: every parser here takes untrusted bytes (pointer + length, never assumed
 * NUL-terminated), never fails on malformed input (it flags and skips), allocates only
 * from the caller's arena and returns SW_OK or SW_ENOMEM. Nothing here verifies
 * signatures; it only tells auth/ what was written. */
#include "spoofwatch/tags.h"
#include "spoofwatch/copy.h"
#include "spoofwatch/limits.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* RFC 6376 FWS after unfolding is SP/HTAB; CR and LF are accepted too because callers
 * may hand us folded text straight from the message. */
static int is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void trim(const char **b, const char **e)
{
    while (*b < *e && is_fws(**b))
        (*b)++;
    while (*e > *b && is_fws((*e)[-1]))
        (*e)--;
}

/* Byte classes of the tag-list grammar, one load per byte instead of a ladder of tests. */
enum { TC_FWS = 1, TC_ALPHA = 2, TC_NAME = 4 /* ALPHA / DIGIT / "_" */ };

static const unsigned char tag_class[256] = {
    [' '] = TC_FWS, ['\t'] = TC_FWS, ['\r'] = TC_FWS, ['\n'] = TC_FWS, ['_'] = TC_NAME,
#define D(c) [c] = TC_NAME
    D('0'), D('1'), D('2'), D('3'), D('4'), D('5'), D('6'), D('7'), D('8'), D('9'),
#undef D
#define L(c) [c] = TC_ALPHA | TC_NAME, [c - 'a' + 'A'] = TC_ALPHA | TC_NAME
    L('a'), L('b'), L('c'), L('d'), L('e'), L('f'), L('g'), L('h'), L('i'), L('j'), L('k'),
    L('l'), L('m'), L('n'), L('o'), L('p'), L('q'), L('r'), L('s'), L('t'), L('u'), L('v'),
    L('w'), L('x'), L('y'), L('z'),
#undef L
};

static int tc(const char *p, unsigned cls)
{
    return tag_class[(unsigned char)*p] & cls;
}

/* The value copies below write a value to the list's buffer at its own offset in the
 * input (a stripped one only ends up shorter) and move 16 bytes at a time while 16 input
 * bytes remain. A move may so write up to 15 bytes past the value's end: they land on
 * buffer bytes of later tags, each written when the parse reaches it, and never past the
 * buffer, whose offsets mirror the input's. */

/* Copies [p, first ';' or e) to o and returns where it stopped (the ';' or e). Most
 * values end within one 16-byte step; past it the value is a long one (b=, h=), which
 * libc's memchr and memcpy, several times wider a step, scan and copy for less. */
static const char *copy_to_semi(char *o, const char *p, const char *e)
{
    const char *b = p;
#if defined(__SSE2__)
    if (e - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        _mm_storeu_si128((__m128i *)o, v);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(';')));
        if (m)
            return p + __builtin_ctz(m);
        p += 16;
    }
    if (e - p >= 16) {
        const char *q = memchr(p, ';', (size_t)(e - p));
        const char *stop = q ? q : e;
        memcpy(o + (p - b), p, (size_t)(stop - p));
        return stop;
    }
#endif
    for (; p < e && *p != ';'; p++)
        o[p - b] = *p;
    return p;
}

/* The same dropping every FWS byte (bh= is base64 that signers fold anywhere, RFC 6376
 * §3.5, and the record prints it); *len gets the number of bytes kept. FWS bytes are all
 * <= ' ' and base64 has none, so a step screens its 16 bytes for ';' and bytes <= ' ' and
 * moves them whole when there is neither, as nearly every step of the value does. */
static const char *copy_to_semi_stripped(char *o, const char *p, const char *e, size_t *len)
{
    char *o0 = o;
#if defined(__SSE2__)
    const __m128i semi = _mm_set1_epi8(';'), space = _mm_set1_epi8(' ');
    while (e - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        _mm_storeu_si128((__m128i *)o, v);
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, semi),
                                   _mm_cmpeq_epi8(_mm_min_epu8(v, space), v));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (!m) {
            p += 16;
            o += 16;
            continue;
        }
        unsigned k = (unsigned)__builtin_ctz(m);
        p += k;
        o += k;
        if (*p == ';') {
            *len = (size_t)(o - o0);
            return p;
        }
        if (!is_fws(*p)) {
            o++; /* another control byte: kept, and already moved */
            p++;
            continue;
        }
        while (p < e && is_fws(*p)) /* a fold is a few FWS bytes in a row */
            p++;
    }
#endif
    for (; p < e && *p != ';'; p++)
        if (!is_fws(*p))
            *o++ = *p;
    *len = (size_t)(o - o0);
    return p;
}

/* Every name and value is written to one arena buffer of n + 1 bytes at its own offset
 * in the input and made a string by a NUL just past it, on a byte that belongs to no
 * name or value (FWS, the '=', a ';' or the buffer's last byte): one allocation for the
 * list instead of two per tag, and each value is copied by the pass that finds its end. */
int sw_taglist_parse(sw_arena *a, const char *s, size_t n, sw_taglist *out)
{
    memset(out, 0, sizeof *out);
    if (!s)
        n = 0;
    char *buf = sw_arena_alloc(a, n + 1);
    if (!buf)
        return SW_ENOMEM;

    /* Tags are collected on the stack and copied to an arena array of exactly their
     * number at the end (a hostile list costs at most SW_MAX_TAGS entries). */
    const char *end = s + n;
    sw_tag tags[SW_MAX_TAGS];
    size_t nlens[SW_MAX_TAGS];
    uint64_t first_seen[2] = {0, 0};
    const char *p = s;
    while (p < end) {
        while (p < end && tc(p, TC_FWS))
            p++;
        if (p == end)
            break; /* only the text after the last ';' may be empty */
        if (*p == ';') {
            /* an empty fragment before a ';' (";;", "; ;") breaks the grammar */
            out->flags |= SW_TAG_SYNTAX;
            p++;
            continue;
        }
        /* tag-name = ALPHA *ALNUMPUNC, ALNUMPUNC = ALPHA / DIGIT / "_" (RFC 6376 §3.2),
         * then FWS and '='; anything else makes the fragment a syntax error. */
        const char *nb = p;
        if (tc(p, TC_ALPHA))
            for (p++; p < end && tc(p, TC_NAME); p++)
                ;
        const char *ne = p;
        while (p < end && tc(p, TC_FWS))
            p++;
        if (ne == nb || p == end || *p != '=') {
            out->flags |= SW_TAG_SYNTAX;
            const char *semi = p < end ? memchr(p, ';', (size_t)(end - p)) : NULL;
            p = semi ? semi + 1 : end;
            continue;
        }
        const char *vb = p + 1;
        while (vb < end && tc(vb, TC_FWS))
            vb++;
        size_t nlen = (size_t)(ne - nb);
        char *name = buf + (nb - s), *value = buf + (vb - s);
        /* b= keeps its folds: it is the longest value of a signature, nothing prints it,
         * and its one reader, sw_dkim_base64_decode, skips FWS as the strip would */
        int strip = nlen == 2 && nb[0] == 'b' && nb[1] == 'h';
        size_t len;
        const char *ve;
        if (strip) {
            ve = copy_to_semi_stripped(value, vb, end, &len);
        } else {
            ve = copy_to_semi(value, vb, end);
            const char *vt = ve;
            while (vt > vb && tc(vt - 1, TC_FWS))
                vt--;
            len = (size_t)(vt - vb);
        }
        p = ve < end ? ve + 1 : end;

        /* Tag names are case-sensitive (RFC 6376 §3.2), so "d" and "D" differ. */
        int dup = 0;
        /* The first letters of the names kept so far: a name whose first letter is new
         * cannot be a duplicate, which spares the walk over the earlier tags nearly always. */
        unsigned char first = (unsigned char)nb[0]; /* ALPHA, so below 128 */
        int maybe_dup = (int)(first_seen[first >> 6] >> (first & 63) & 1);
        for (size_t i = 0; maybe_dup && i < out->count; i++) {
            const char *seen = tags[i].name;
            /* names are short: compare the first byte before anything else */
            if (seen[0] == nb[0] && nlens[i] == nlen && memcmp(seen, nb, nlen) == 0) {
                dup = 1;
                break;
            }
        }
        if (dup) {
            out->flags |= SW_TAG_DUPLICATE;
            continue;
        }
        if (out->count == SW_MAX_TAGS) {
            out->flags |= SW_TAG_TRUNCATED;
            break;
        }
        /* the value is in place; a duplicate's or one past the cap is left as junk */
        sw_copy_short(name, nb, nlen);
        name[nlen] = '\0';
        value[len] = '\0';
        tags[out->count].name = name;
        tags[out->count].value = value;
        nlens[out->count] = nlen;
        out->count++;
        first_seen[first >> 6] |= (uint64_t)1 << (first & 63);
    }
    out->tags = sw_arena_alloc(a, (out->count ? out->count : 1) * sizeof *out->tags);
    if (!out->tags) {
        out->count = 0;
        return SW_ENOMEM;
    }
    memcpy(out->tags, tags, out->count * sizeof *tags);
    return SW_OK;
}

const char *sw_taglist_get(const sw_taglist *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->tags[i].name, name) == 0)
            return t->tags[i].value;
    return NULL;
}

/* Unsigned decimal into int64; 0 on anything but 1*DIGIT that fits. */
static int parse_u64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return 0;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (!is_digit(*p))
            return 0;
        /* overflow tests without a division per digit */
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p - '0', &v))
            return 0;
    }
    *out = v;
    return 1;
}

/* ARC instance number as written, or 0 when i= is absent or not a plain number. Values
 * outside 1..50 are returned as they are; sw_arc_collect decides they are bad. */
static int arc_instance_number(const char *s)
{
    int64_t v;
    if (!parse_u64(s, &v) || v > 1000000)
        return 0;
    return (int)v;
}

/* "ARC-" in any case, read in place (a library call cost more than the test): x | 0x20
 * equals a lower-case letter only for that letter and its upper-case twin. */
static int is_arc_name(const char *name)
{
    return (name[0] | 0x20) == 'a' && (name[1] | 0x20) == 'r' && (name[2] | 0x20) == 'c' &&
           name[3] == '-';
}

int sw_dkim_sig_parse(sw_arena *a, const sw_header_field *f, size_t field_index, sw_dkim_sig *out)
{
    memset(out, 0, sizeof *out);
    out->offset = f->offset;
    out->field_index = field_index;
    out->instance = -1;
    int rc = sw_taglist_parse(a, f->value, f->value ? f->value_len : 0, &out->tags);
    if (rc)
        return rc;
    const sw_taglist *t = &out->tags;
    /* One pass over the tags (names are case-sensitive, duplicates were dropped by the
     * tag-list parser, so the first one wins as sw_taglist_get would have it). */
    const char *d = NULL, *l = NULL, *tt = NULL, *x = NULL;
    for (size_t k = 0; k < t->count; k++) {
        const char *nm = t->tags[k].name, *v = t->tags[k].value;
        if (nm[0] && nm[1] == '\0') {
            switch (nm[0]) {
            case 'v': out->v = v; break;
            case 'a': out->a = v; break;
            case 's': out->s = v; break;
            case 'c': out->c = v; break;
            case 'h': out->h = v; break;
            case 'i': out->i = v; break;
            case 'b': out->b = v; break;
            case 'q': out->q = v; break;
            case 'd': d = v; break;
            case 'l': l = v; break;
            case 't': tt = v; break;
            case 'x': x = v; break;
            default: break;
            }
        } else if (nm[1] && nm[2] == '\0') {
            if (nm[0] == 'b' && nm[1] == 'h')
                out->bh = v;
            else if (nm[0] == 'c' && nm[1] == 'v')
                out->cv = v;
        }
    }

    /* DNS names compare case-insensitively; a lower-cased copy keeps the tag list as
     * written for evidence while alignment code gets one spelling. */
    if (d) {
        size_t dl = strlen(d);
        /* tolower in the C locale (spoofwatch never calls setlocale) folds only A-Z */
        char *ld = sw_arena_strndup_lower(a, d, dl);
        if (!ld)
            return SW_ENOMEM;
        out->d = ld;
    }
    out->has_l = parse_u64(l, &out->l);
    out->has_t = parse_u64(tt, &out->t);
    out->has_x = parse_u64(x, &out->x);
    if (f->name && is_arc_name(f->name))
        out->instance = arc_instance_number(out->i);
    return SW_OK;
}

/* "i=N;" at the start of an ARC-Authentication-Results value (RFC 8617 §4.1.1). The
 * AAR body after the ';' is RFC 8601 text, not a tag list, so it is read directly.
 * Returns the number, or 0 when the prefix is malformed. */
static int aar_instance(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_fws(s[i]))
        i++;
    if (i >= n || s[i] != 'i')
        return 0;
    i++;
    while (i < n && is_fws(s[i]))
        i++;
    if (i >= n || s[i] != '=')
        return 0;
    i++;
    while (i < n && is_fws(s[i]))
        i++;
    size_t start = i;
    long v = 0;
    while (i < n && is_digit(s[i])) {
        if (i - start >= 6)
            return 0;
        v = v * 10 + (s[i] - '0');
        i++;
    }
    if (i == start)
        return 0;
    while (i < n && is_fws(s[i]))
        i++;
    if (i < n && s[i] != ';')
        return 0;
    return (int)v;
}

enum { ARC_KIND_SEAL, ARC_KIND_AMS, ARC_KIND_AAR };

/* Slot 0 collects every header whose instance is missing, unparsable or outside 1..50;
 * slots 1..50 are the real instances. */
#define SW_ARC_SLOTS (SW_ARC_MAX_INSTANCE + 1)

int sw_arc_collect(sw_arena *a, const sw_header_block *h, sw_arc_set **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    /* Most mail carries no ARC: do not pay for the slot table then. */
    size_t fi0 = 0;
    while (fi0 < h->count &&
           ((h->fields[fi0].name[0] | 0x20) != 'a' || !is_arc_name(h->fields[fi0].name)))
        fi0++;
    if (fi0 == h->count)
        return SW_OK;
    sw_arc_set slots[SW_ARC_SLOTS]; /* a slot is initialised when first seen */
    unsigned seen[SW_ARC_SLOTS];    /* bit per kind: which members a slot holds */
    uint64_t used = 0;              /* bit per slot: seen[] is set only where this is */
    size_t n = 0;                   /* slots in use (a popcount is a libgcc call here) */
    _Static_assert(SW_ARC_SLOTS <= 64, "one bit per ARC slot");

    for (size_t fi = fi0; fi < h->count; fi++) {
        const sw_header_field *f = &h->fields[fi];
        /* A malformed "ARC-Seal :" is not an ARC-Seal, as sw_header_find also holds. */
        if (f->flags & SW_HF_SPACE_BEFORE_COLON || (f->name[0] | 0x20) != 'a')
            continue; /* every ARC header starts with "ARC-": most fields stop here */
        /* past "ARC-" (which also proves name[4] readable) one byte tells which of the
         * three the name can be: one comparison instead of up to three */
        if (!is_arc_name(f->name))
            continue;
        int kind;
        char c4 = (char)(f->name[4] | 0x20);
        if (c4 == 's' && strcasecmp(f->name, "ARC-Seal") == 0)
            kind = ARC_KIND_SEAL;
        else if (c4 == 'm' && strcasecmp(f->name, "ARC-Message-Signature") == 0)
            kind = ARC_KIND_AMS;
        else if (c4 == 'a' && strcasecmp(f->name, "ARC-Authentication-Results") == 0)
            kind = ARC_KIND_AAR;
        else
            continue;

        int inst;
        sw_dkim_sig sig;
        if (kind == ARC_KIND_AAR) {
            inst = aar_instance(f->value, f->value_len);
        } else {
            int rc = sw_dkim_sig_parse(a, f, fi, &sig);
            if (rc)
                return rc;
            inst = sig.instance;
        }
        size_t slot = (inst >= 1 && inst <= SW_ARC_MAX_INSTANCE) ? (size_t)inst : 0;
        sw_arc_set *set = &slots[slot];
        if (!(used >> slot & 1)) {
            used |= (uint64_t)1 << slot;
            n++;
            seen[slot] = 0;
            memset(set, 0, sizeof *set);
            set->instance = (int)slot;
            set->aar_field = -1;
        }
        if (seen[slot] & (1u << kind)) {
            /* Keep the topmost (first) one: it is the one a verifier meets first. */
            set->flags |= SW_ARC_DUPLICATE;
            continue;
        }
        seen[slot] |= 1u << kind;
        if (kind == ARC_KIND_SEAL)
            set->seal = sig;
        else if (kind == ARC_KIND_AMS)
            set->ams = sig;
        else
            set->aar_field = (long)fi;
    }

    /* the sets in instance order, walked by the bits of the slots in use */
    if (n == 0)
        return SW_OK;
    sw_arc_set *sets = sw_arena_alloc(a, n * sizeof *sets);
    if (!sets)
        return SW_ENOMEM;
    size_t j = 0;
    for (uint64_t bits = used; bits; bits &= bits - 1) {
        size_t k = (size_t)__builtin_ctzll(bits);
        sw_arc_set *set = &slots[k];
        if (!(seen[k] & (1u << ARC_KIND_SEAL)))
            set->flags |= SW_ARC_MISSING_SEAL;
        if (!(seen[k] & (1u << ARC_KIND_AMS)))
            set->flags |= SW_ARC_MISSING_AMS;
        if (!(seen[k] & (1u << ARC_KIND_AAR)))
            set->flags |= SW_ARC_MISSING_AAR;
        if (k == 0)
            set->flags |= SW_ARC_BAD_INSTANCE;
        sets[j++] = *set;
    }
    *out = sets;
    *count = n;
    return SW_OK;
}

/* ---- Received-SPF (RFC 7208 §9.1) ---- */

typedef struct spf_cursor {
    const char *s;
    size_t n, i;
} spf_cursor;

static void spf_skip_ws(spf_cursor *c)
{
    while (c->i < c->n && is_fws(c->s[c->i]))
        c->i++;
}

/* At '(' : skips a comment, nested and with quoted-pairs, and returns its inner span.
 * An unterminated comment runs to the end of the input. */
static void spf_comment(spf_cursor *c, size_t *b, size_t *e)
{
    int depth = 0;
    *b = c->i + 1;
    while (c->i < c->n) {
        char ch = c->s[c->i];
        if (ch == '\\' && c->i + 1 < c->n) {
            c->i += 2;
            continue;
        }
        if (ch == '(') {
            depth++;
        } else if (ch == ')' && --depth == 0) {
            *e = c->i;
            c->i++;
            return;
        }
        c->i++;
    }
    *e = c->n;
}

/* Skips whitespace and comments between tokens. */
static void spf_skip_cfws(spf_cursor *c)
{
    for (;;) {
        spf_skip_ws(c);
        if (c->i >= c->n || c->s[c->i] != '(')
            return;
        size_t b, e;
        spf_comment(c, &b, &e);
    }
}

static int spf_key_char(char ch)
{
    return is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '_' || ch == '.';
}

/* tolower in the C locale (spoofwatch never calls setlocale) folds only A-Z */
static char *lower_dup(sw_arena *a, const char *s, size_t n)
{
    return sw_arena_strndup_lower(a, s, n);
}

/* Value after '=': a quoted-string (unquoted here) or a run up to ';', WSP or '('. */
static char *spf_value(sw_arena *a, spf_cursor *c)
{
    if (c->i < c->n && c->s[c->i] == '"') {
        c->i++;
        char *out = sw_arena_alloc(a, c->n - c->i + 1);
        if (!out)
            return NULL;
        size_t k = 0;
        while (c->i < c->n && c->s[c->i] != '"') {
            if (c->s[c->i] == '\\' && c->i + 1 < c->n)
                c->i++;
            out[k++] = c->s[c->i++];
        }
        if (c->i < c->n)
            c->i++; /* closing quote; an unterminated one runs to the end */
        out[k] = '\0';
        return out;
    }
    size_t b = c->i;
    while (c->i < c->n && c->s[c->i] != ';' && c->s[c->i] != '(' && !is_fws(c->s[c->i]))
        c->i++;
    return sw_arena_strndup(a, c->s + b, c->i - b);
}

int sw_received_spf_parse(sw_arena *a, const char *s, size_t n, sw_received_spf *out)
{
    memset(out, 0, sizeof *out);
    if (!s)
        n = 0;
    spf_cursor c = {s, n, 0};

    spf_skip_ws(&c);
    size_t rb = c.i;
    while (c.i < c.n && !is_fws(c.s[c.i]) && c.s[c.i] != '(' && c.s[c.i] != ';')
        c.i++;
    if (c.i > rb) {
        out->result = lower_dup(a, c.s + rb, c.i - rb);
        if (!out->result)
            return SW_ENOMEM;
    }
    spf_skip_ws(&c);
    if (c.i < c.n && c.s[c.i] == '(') {
        size_t b, e;
        spf_comment(&c, &b, &e);
        const char *cb = c.s + b, *ce = c.s + e;
        trim(&cb, &ce);
        out->comment = sw_arena_strndup(a, cb, (size_t)(ce - cb));
        if (!out->comment)
            return SW_ENOMEM;
    }

    /* key-value-list. Stacks differ (some separate pairs by spaces only), so each pair
     * is read wherever a key '=' starts, and junk is skipped up to the next separator. */
    while (c.i < c.n) {
        spf_skip_cfws(&c);
        if (c.i < c.n && c.s[c.i] == ';') {
            c.i++;
            continue;
        }
        if (c.i >= c.n)
            break;
        size_t kb = c.i;
        while (c.i < c.n && spf_key_char(c.s[c.i]))
            c.i++;
        size_t kl = c.i - kb;
        spf_skip_cfws(&c);
        if (kl == 0 || c.i >= c.n || c.s[c.i] != '=') {
            /* Not a pair: resynchronise after the next ';' or whitespace. */
            if (kl == 0)
                c.i++;
            while (c.i < c.n && c.s[c.i] != ';' && !is_fws(c.s[c.i]))
                c.i++;
            continue;
        }
        c.i++; /* '=' */
        spf_skip_cfws(&c);
        const char *key = c.s + kb;
        const char **slot = NULL;
        if (kl == 9 && strncasecmp(key, "client-ip", kl) == 0)
            slot = &out->client_ip;
        else if (kl == 13 && strncasecmp(key, "envelope-from", kl) == 0)
            slot = &out->envelope_from;
        else if (kl == 4 && strncasecmp(key, "helo", kl) == 0)
            slot = &out->helo;
        else if (kl == 8 && strncasecmp(key, "receiver", kl) == 0)
            slot = &out->receiver;
        else if (kl == 8 && strncasecmp(key, "identity", kl) == 0)
            slot = &out->identity;
        else if (kl == 9 && strncasecmp(key, "mechanism", kl) == 0)
            slot = &out->mechanism;
        else if (kl == 7 && strncasecmp(key, "problem", kl) == 0)
            slot = &out->problem;
        char *v = spf_value(a, &c);
        if (!v)
            return SW_ENOMEM;
        /* The first instance of a key wins, as for every repeated header datum. */
        if (slot && !*slot)
            *slot = v;
    }
    return SW_OK;
}

/* ---- List-* headers (RFC 2369, RFC 2919) ---- */

void sw_list_info_collect(sw_arena *a, const sw_header_block *h, sw_list_info *out)
{
    memset(out, 0, sizeof *out);
    out->id_raw = sw_header_first_value(h, "List-Id");
    out->post = sw_header_first_value(h, "List-Post");
    out->unsubscribe = sw_header_first_value(h, "List-Unsubscribe");
    out->unsubscribe_post = sw_header_first_value(h, "List-Unsubscribe-Post");
    out->archive = sw_header_first_value(h, "List-Archive");
    out->help = sw_header_first_value(h, "List-Help");
    out->owner = sw_header_first_value(h, "List-Owner");
    out->subscribe = sw_header_first_value(h, "List-Subscribe");
    out->precedence = sw_header_first_value(h, "Precedence");

    out->present = out->id_raw || out->post || out->unsubscribe || out->unsubscribe_post ||
                   out->archive || out->help || out->owner || out->subscribe;
    /* "Precedence: list" is a list marker on its own; "bulk"/"junk" are not (newsletters
     * and autoresponders use them). */
    if (out->precedence) {
        const char *pb = out->precedence, *pe = pb + strlen(pb);
        trim(&pb, &pe);
        if (pe - pb == 4 && strncasecmp(pb, "list", 4) == 0)
            out->present = 1;
    }

    if (out->id_raw) {
        const char *b = out->id_raw, *e = b + strlen(b);
        const char *lt = memchr(b, '<', (size_t)(e - b));
        const char *gt = lt ? memchr(lt + 1, '>', (size_t)(e - lt - 1)) : NULL;
        if (lt && gt) {
            b = lt + 1;
            e = gt;
        }
        trim(&b, &e);
        if (b < e)
            out->id = lower_dup(a, b, (size_t)(e - b));
    }
}
