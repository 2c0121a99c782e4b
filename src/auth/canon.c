/* DKIM canonicalization: see include/spoofwatch/canon.h.
 *
 * Owns nothing: bytes are read from the caller's message and written through the
 * caller's callback, batched in a stack buffer so a hash sees a few large updates rather
 * than one per line. A bare LF ends a line exactly as CRLF does (LF-stored mail). */
#include "spoofwatch/canon.h"
#include "spoofwatch/error.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct emitter {
    sw_canon_write_fn w;
    void *ctx;
    uint64_t limit; /* bytes still allowed through are limit - total */
    uint64_t total; /* canonical bytes produced, emitted or not */
    size_t used;
    char buf[4096];
} emitter;

static void em_init(emitter *e, sw_canon_write_fn w, void *ctx, uint64_t limit)
{
    e->w = w;
    e->ctx = ctx;
    e->limit = limit;
    e->total = 0;
    e->used = 0;
}

static void em_flush(emitter *e)
{
    if (e->used) {
        e->w(e->ctx, e->buf, e->used);
        e->used = 0;
    }
}

static void em_put(emitter *e, const char *p, size_t n)
{
    uint64_t room = e->total < e->limit ? e->limit - e->total : 0;
    e->total += n;
    if ((uint64_t)n > room)
        n = (size_t)room;
    if (!n)
        return;
    if (n > sizeof e->buf / 2) { /* long runs skip the copy */
        em_flush(e);
        e->w(e->ctx, p, n);
        return;
    }
    if (e->used + n > sizeof e->buf)
        em_flush(e);
    memcpy(e->buf + e->used, p, n);
    e->used += n;
}

/* One body line and its CRLF. Both fitting in the buffer under the limit is the common
 * case, and it then takes one check and one copy instead of two em_put calls: this runs
 * once per body line. */
static void em_line(emitter *e, const char *p, size_t n)
{
    if (e->total < e->limit && e->limit - e->total >= (uint64_t)n + 2 &&
        n + 2 <= sizeof e->buf - e->used) {
        char *o = e->buf + e->used;
        memcpy(o, p, n);
        o[n] = '\r';
        o[n + 1] = '\n';
        e->used += n + 2;
        e->total += n + 2;
        return;
    }
    em_put(e, p, n);
    em_put(e, "\r\n", 2);
}

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

int sw_canon_parse(const char *c, sw_canon_mode *header, sw_canon_mode *body)
{
    *header = *body = SW_CANON_SIMPLE;
    if (!c || !*c)
        return 0;
    const char *slash = strchr(c, '/');
    size_t n1 = slash ? (size_t)(slash - c) : strlen(c);
    sw_canon_mode m[2];
    const char *part[2] = {c, slash ? slash + 1 : NULL};
    size_t len[2] = {n1, slash ? strlen(slash + 1) : 0};
    for (int k = 0; k < 2; k++) {
        if (!part[k]) {
            m[k] = SW_CANON_SIMPLE;
            continue;
        }
        if (len[k] == 6 && !memcmp(part[k], "simple", 6))
            m[k] = SW_CANON_SIMPLE;
        else if (len[k] == 7 && !memcmp(part[k], "relaxed", 7))
            m[k] = SW_CANON_RELAXED;
        else
            return -1;
    }
    *header = m[0];
    *body = m[1];
    return 0;
}

const char *sw_canon_name(sw_canon_mode m)
{
    return m == SW_CANON_RELAXED ? "relaxed" : "simple";
}

/* Bytes with every bare LF written as CRLF (simple keeps everything else). */
static void put_crlf_fixed(emitter *e, const char *p, size_t n)
{
    const char *end = p + n;
    while (p < end) {
        const char *lf = memchr(p, '\n', (size_t)(end - p));
        if (!lf) {
            em_put(e, p, (size_t)(end - p));
            return;
        }
        if (lf > p && lf[-1] == '\r') {
            em_put(e, p, (size_t)(lf + 1 - p));
        } else {
            em_put(e, p, (size_t)(lf - p));
            em_put(e, "\r\n", 2);
        }
        p = lf + 1;
    }
}

void sw_canon_header(sw_canon_mode m, const char *raw, size_t n, int crlf, sw_canon_write_fn w,
                     void *ctx)
{
    emitter e;
    em_init(&e, w, ctx, UINT64_MAX);
    const char *colon = memchr(raw, ':', n);
    if (m == SW_CANON_SIMPLE || !colon) {
        put_crlf_fixed(&e, raw, n);
    } else {
        /* relaxed (§3.4.2): lower-case name, no WSP around the colon, unfolded value
         * with WSP runs as one SP and none at either end */
        const char *ne = colon;
        while (ne > raw && (is_wsp(ne[-1]) || ne[-1] == '\r' || ne[-1] == '\n'))
            ne--;
        char low[64];
        for (const char *p = raw; p < ne;) {
            size_t k = 0;
            while (p < ne && k < sizeof low) {
                char c = *p++;
                low[k++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
            }
            em_put(&e, low, k);
        }
        em_put(&e, ":", 1);
        const char *p = colon + 1, *end = raw + n;
        int space = 0, started = 0;
        while (p < end) {
            /* a run of text without WSP, CR or LF goes out whole; a byte above SP (nearly
             * every byte of a header) is part of it after one test */
            const char *q = p;
            while (q < end && ((unsigned char)*q > ' ' ||
                               (!is_wsp(*q) && *q != '\n' &&
                                !(*q == '\r' && q + 1 < end && q[1] == '\n'))))
                q++;
            if (q > p) {
                if (space && started)
                    em_put(&e, " ", 1);
                em_put(&e, p, (size_t)(q - p));
                started = 1;
                space = 0;
            }
            p = q;
            while (p < end && (is_wsp(*p) || *p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))) {
                if (is_wsp(*p))
                    space = 1;
                p++;
            }
        }
    }
    if (crlf)
        em_put(&e, "\r\n", 2);
    em_flush(&e);
}

int sw_canon_strip_b(sw_arena *a, const char *raw, size_t n, const char **out, size_t *out_len)
{
    const char *end = raw + n;
    const char *p = memchr(raw, ':', n);
    const char *vb = NULL, *ve = NULL;
    if (p) {
        p++;
        while (p < end) {
            while (p < end && (is_wsp(*p) || *p == '\r' || *p == '\n'))
                p++;
            const char *nb = p;
            while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                               (*p >= '0' && *p <= '9') || *p == '_'))
                p++;
            const char *nend = p;
            while (p < end && (is_wsp(*p) || *p == '\r' || *p == '\n'))
                p++;
            const char *semi = memchr(p, ';', (size_t)(end - p));
            if (p < end && *p == '=' && nend - nb == 1 && *nb == 'b') {
                vb = p + 1;
                ve = semi ? semi : end;
                break;
            }
            p = semi ? semi + 1 : end;
        }
    }
    size_t len = vb ? n - (size_t)(ve - vb) : n;
    char *c = sw_arena_alloc(a, len + 1);
    if (!c)
        return SW_ENOMEM;
    if (vb) {
        size_t head = (size_t)(vb - raw);
        memcpy(c, raw, head);
        memcpy(c + head, ve, (size_t)(end - ve));
    } else {
        memcpy(c, raw, n);
    }
    c[len] = '\0';
    *out = c;
    *out_len = len;
    return SW_OK;
}

/* The end of the line at p (its LF, or end when it has none), with *inner set when a tab
 * or two spaces in a row come before it: relaxed canonicalization changes nothing else
 * inside a line (base64 attachments and most text), and trailing WSP is cut by the
 * caller. This runs once per body line, so one 16-byte block test looks for all three
 * bytes at once where a memchr each for LF, tab and space went over the line three times.
 * *inner may be set for a line that turns out unchanged; never the other way round. */
static const char *scan_line(const char *p, const char *end, int *inner)
{
    unsigned dirty = 0, prev_sp = 0; /* prev_sp: the byte before p is a space */
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n'), sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    for (; end - p >= 16; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        /* no byte at or below SP (most blocks of base64): nothing to look at */
        if (!_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, sp), v))) {
            prev_sp = 0;
            continue;
        }
        unsigned l = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
        unsigned s = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp));
        unsigned t = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab));
        unsigned m = t | (s & ((s << 1) | prev_sp)); /* bit i: a tab, or a space after one */
        if (l) {
            *inner = dirty || (m & ((l & -l) - 1)); /* only what lies before the LF */
            return p + __builtin_ctz(l);
        }
        dirty |= m;
        prev_sp = s >> 15;
    }
#endif
    for (; p < end && *p != '\n'; p++) {
        if (*p == '\t' || (*p == ' ' && prev_sp))
            dirty = 1;
        prev_sp = *p == ' ';
    }
    *inner = dirty != 0;
    return p;
}

/* One relaxed body line without its line end and trailing WSP: inner WSP runs become
 * one SP; a lone SP between non-WSP bytes is already canonical and stays in the run. */
static void put_relaxed_line(emitter *e, const char *p, const char *ce)
{
    const char *run = p;
    while (p < ce) {
        if (!is_wsp(*p)) {
            p++;
            continue;
        }
        if (*p == ' ' && p + 1 < ce && !is_wsp(p[1])) {
            p++;
            continue;
        }
        em_put(e, run, (size_t)(p - run));
        em_put(e, " ", 1);
        while (p < ce && is_wsp(*p))
            p++;
        run = p;
    }
    em_put(e, run, (size_t)(ce - run));
}

uint64_t sw_canon_body(sw_canon_mode m, const char *body, size_t n, uint64_t limit,
                       sw_canon_write_fn w, void *ctx)
{
    emitter e;
    em_init(&e, w, ctx, limit);
    const char *p = body, *end = body + n;
    uint64_t pending = 0; /* empty lines held back until a non-empty line follows */
    while (p < end) {
        int inner = 0; /* relaxed: the line has WSP runs or tabs to rewrite */
        const char *lf;
        if (m == SW_CANON_RELAXED) {
            lf = scan_line(p, end, &inner);
            if (lf == end)
                lf = NULL;
        } else {
            lf = memchr(p, '\n', (size_t)(end - p));
        }
        const char *ce = lf ? lf : end;
        if (lf && ce > p && ce[-1] == '\r')
            ce--;
        if (m == SW_CANON_RELAXED)
            while (ce > p && is_wsp(ce[-1]))
                ce--;
        if (ce == p) {
            pending++;
        } else {
            for (; pending; pending--)
                em_put(&e, "\r\n", 2);
            if (inner) {
                put_relaxed_line(&e, p, ce);
                em_put(&e, "\r\n", 2);
            } else {
                em_line(&e, p, (size_t)(ce - p));
            }
        }
        p = lf ? lf + 1 : end;
    }
    if (m == SW_CANON_SIMPLE && e.total == 0)
        em_put(&e, "\r\n", 2);
    em_flush(&e);
    return e.total;
}
