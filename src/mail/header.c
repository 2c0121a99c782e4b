/* Header block scanner: see include/spoofwatch/header.h.
 *
 * One pass over the lines, whose ends one vector scan finds 64 bytes at a time. A field
 * starts at a line that begins with a non-WSP byte; continuation lines (leading SP/HTAB)
 * are appended after dropping the line break, which is exactly RFC 5322 unfolding. */
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct line {
    const char *p; /* start */
    size_t len;    /* without the line end */
    size_t next;   /* offset of the next line */
    int crlf;      /* ended in CRLF */
    int eof;       /* no line end: last bytes of the input */
} line;

/* The line ends of msg[0..limit), found 64 bytes at a time: one vector pass over the block
 * instead of a memchr call per line (a header block has dozens of short lines). The lines
 * are taken in order, so each window's bits are handed out lowest first.
 *
 * The same pass copies every window it reads into the arena (the loads are made anyway,
 * the stores are four more instructions a window): the fields' names and values are then
 * made in that copy, most of them in place (a NUL written over the colon and over the line
 * end), instead of one allocation and one copy per field. The copy starts as one block
 * (most header blocks fit); when the block is longer it moves on to a larger one, taking
 * along only the bytes from the start of the field being collected. */
typedef struct eol_scan {
    const char *msg;
    size_t limit;
    size_t base;     /* offset of the 64-byte window bits describe */
    uint64_t bits;   /* bit k: msg[base + k] is a '\n' not handed out yet */
    size_t end;      /* windows at offsets below it are read: limit once the copy reaches
                      * limit, else the last offset the copy has room for, plus one */
    uintptr_t delta; /* the copy of msg byte p is at p + delta (held as an integer: the
                      * copy is another object) */
} eol_scan;

/* Where msg byte p, in a window read since the copy last moved, is in the copy. */
static inline char *copy_of(const eol_scan *e, const char *p)
{
    return (char *)((uintptr_t)p + e->delta);
}

/* eol_window one byte at a time: the last window, fewer than 64 bytes before limit (once
 * per block at most), and every window without SSE2. Copies the bytes to dst. */
static __attribute__((noinline)) uint64_t eol_tail(const char *msg, size_t base, size_t limit,
                                                   char *dst)
{
    uint64_t bits = 0;
    for (size_t k = 0; k < 64 && base + k < limit; k++) {
        dst[k] = msg[base + k];
        if (msg[base + k] == '\n')
            bits |= (uint64_t)1 << k;
    }
    return bits;
}

/* Bit k set when msg[base + k] is '\n', for the bytes of the window below limit; the
 * window's bytes are copied to dst. */
static inline __attribute__((always_inline)) uint64_t eol_window(const char *msg, size_t base,
                                                                 size_t limit, char *dst)
{
#if defined(__SSE2__)
    if (base + 64 <= limit) {
        const __m128i nl = _mm_set1_epi8('\n');
        const char *p = msg + base;
        const __m128i v0 = _mm_loadu_si128((const __m128i *)p);
        const __m128i v1 = _mm_loadu_si128((const __m128i *)(p + 16));
        const __m128i v2 = _mm_loadu_si128((const __m128i *)(p + 32));
        const __m128i v3 = _mm_loadu_si128((const __m128i *)(p + 48));
        _mm_storeu_si128((__m128i *)dst, v0);
        _mm_storeu_si128((__m128i *)(dst + 16), v1);
        _mm_storeu_si128((__m128i *)(dst + 32), v2);
        _mm_storeu_si128((__m128i *)(dst + 48), v3);
        uint64_t b0 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, nl));
        uint64_t b1 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, nl));
        uint64_t b2 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v2, nl));
        uint64_t b3 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v3, nl));
        return b0 | b1 << 16 | b2 << 32 | b3 << 48;
    }
#endif
    return eol_tail(msg, base, limit, dst);
}

/* Points e at a copy of size bytes (and one more, for the NUL of a value that ends at
 * limit) that starts at message offset from: e->end and e->delta. */
static void copy_set(eol_scan *e, char *copy, size_t from, size_t size)
{
    size_t room_end = from + size;
    e->end = room_end >= e->limit ? e->limit : room_end - 63;
    e->delta = (uintptr_t)copy - ((uintptr_t)e->msg + from);
}

/* A first copy of this size holds nearly every real header block. */
#define COPY_FIRST (16u << 10)

static int eol_init(eol_scan *e, sw_arena *a, const char *msg, size_t limit, size_t *copy_size)
{
    e->msg = msg;
    e->limit = limit;
    e->base = 0;
    *copy_size = limit < COPY_FIRST ? limit : COPY_FIRST;
    char *copy = sw_arena_alloc(a, *copy_size + 1);
    if (!copy)
        return -1;
    copy_set(e, copy, 0, *copy_size);
    e->bits = limit ? eol_window(msg, 0, limit, copy) : 0;
    return 0;
}

/* The copy of a block longer than the one it has: a new arena block, at least twice the
 * size, that starts at offset keep (the bytes before it are done with) and holds what was
 * read. Rare: out of line, and taking e's fields by value keeps e in registers. */
static __attribute__((noinline)) char *copy_grow(sw_arena *a, const char *msg, size_t limit,
                                                 size_t keep, size_t base, size_t *copy_size)
{
    size_t carry = base + 64 - keep; /* the window at base is whole: more follows it */
    size_t size = 2 * *copy_size;
    if (size < carry + 64)
        size = carry + 64;
    if (size > limit - keep)
        size = limit - keep;
    char *copy = sw_arena_alloc(a, size + 1);
    if (copy) {
        memcpy(copy, msg + keep, carry);
        *copy_size = size;
    }
    return copy;
}

/* The next line end not handed out yet, or NULL when msg[..limit) has no more or the copy
 * has no room for the next window (then base + 64 < limit). */
static inline __attribute__((always_inline)) const char *eol_next(eol_scan *e)
{
    while (!e->bits) {
        if (e->base + 64 >= e->end)
            return NULL;
        e->base += 64;
        e->bits = eol_window(e->msg, e->base, e->limit, copy_of(e, e->msg + e->base));
    }
    size_t k = (size_t)__builtin_ctzll(e->bits);
    e->bits &= e->bits - 1;
    return e->msg + e->base + k;
}

/* The line at offset at, which is where the previous line ended (lines are read in order
 * from offset 0, so the next line end is the next one e holds). */
static void next_line(eol_scan *e, const char *msg, size_t len, size_t at, line *l)
{
    const char *p = msg + at;
    const char *nl = eol_next(e);
    l->p = p;
    if (!nl) {
        l->len = len - at;
        l->next = len;
        l->crlf = 0;
        l->eof = 1;
        return;
    }
    l->eof = 0;
    l->len = (size_t)(nl - p);
    l->next = (size_t)(nl - msg) + 1;
    l->crlf = l->len > 0 && p[l->len - 1] == '\r';
    if (l->crlf)
        l->len--;
}

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static void note(sw_header_block *h, unsigned bit, size_t at)
{
    if (!h->anomalies)
        h->first_anomaly_offset = at;
    h->anomalies |= bit;
}

/* The SW_HF_NUL / SW_HF_BARE_CR / SW_HF_EIGHTBIT facts of a value byte, for the tail loop. */
static const unsigned char value_class[256] = {
    [0] = SW_HF_NUL,
    ['\r'] = SW_HF_BARE_CR,
#define V8(b) [b] = SW_HF_EIGHTBIT, [b + 1] = SW_HF_EIGHTBIT, [b + 2] = SW_HF_EIGHTBIT, \
              [b + 3] = SW_HF_EIGHTBIT, [b + 4] = SW_HF_EIGHTBIT, [b + 5] = SW_HF_EIGHTBIT, \
              [b + 6] = SW_HF_EIGHTBIT, [b + 7] = SW_HF_EIGHTBIT
    V8(0x80), V8(0x88), V8(0x90), V8(0x98), V8(0xA0), V8(0xA8), V8(0xB0), V8(0xB8),
    V8(0xC0), V8(0xC8), V8(0xD0), V8(0xD8), V8(0xE0), V8(0xE8), V8(0xF0), V8(0xF8),
#undef V8
};

/* The bytes trimmed from both ends of a value: SP, HTAB and CR. */
static const unsigned char trim_byte[256] = {[' '] = 1, ['\t'] = 1, ['\r'] = 1};

/* The flags of s[0..n) one byte at a time. */
static unsigned value_flags_bytewise(const char *s, size_t n)
{
    unsigned flags = 0;
    for (size_t i = 0; i < n; i++)
        flags |= value_class[(unsigned char)s[i]];
    return flags;
}

#if defined(__SSE2__)
typedef struct value_acc {
    __m128i nul_cr, high;
} value_acc;

/* min(v, v ^ CR) is 0 exactly where v is NUL or CR (TAB, common in folded values, gives
 * 4), so one running minimum finds both; 8-bit bytes are ORed up. */
static inline void value_acc_block(value_acc *acc, const char *s)
{
    const __m128i v = _mm_loadu_si128((const __m128i *)s);
    const __m128i x = _mm_min_epu8(v, _mm_xor_si128(v, _mm_set1_epi8('\r')));
    acc->nul_cr = _mm_min_epu8(acc->nul_cr, x);
    acc->high = _mm_or_si128(acc->high, v);
}
#endif

/* NUL, bare CR and 8-bit bytes of a value in one pass (they were three: two memchr and a
 * byte loop, over every header byte). Real header blocks are ~10 KB, so this runs 64 bytes
 * a round (the loop control is as costly as a block's tests) and ends with one block that
 * overlaps the one before: bytes seen twice change nothing. A value with a NUL or a CR (rare)
 * is looked at again byte by byte to tell the two apart. */
static unsigned value_flags(const char *s, size_t n)
{
#if defined(__SSE2__)
    if (n >= 16) {
        value_acc acc = {_mm_set1_epi8(-1), _mm_setzero_si128()};
        size_t i = 0;
        for (; i + 64 <= n; i += 64) {
            value_acc_block(&acc, s + i);
            value_acc_block(&acc, s + i + 16);
            value_acc_block(&acc, s + i + 32);
            value_acc_block(&acc, s + i + 48);
        }
        for (; i + 16 <= n; i += 16)
            value_acc_block(&acc, s + i);
        if (i < n)
            value_acc_block(&acc, s + n - 16);
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(acc.nul_cr, _mm_setzero_si128())))
            return value_flags_bytewise(s, n);
        return _mm_movemask_epi8(acc.high) ? SW_HF_EIGHTBIT : 0;
    }
#endif
    return value_flags_bytewise(s, n);
}

/* Whether a byte of s[0..n) is outside 33..126 (control, space, DEL or 8-bit): eight bytes
 * at a time, the last eight overlapping, since this runs on every field name. The two word
 * tests are exact for "some byte < 33" and "some byte > 126" (each byte's top bit is set
 * only for bytes of that kind: a borrow can only start at such a byte). */
static int name_has_bad_byte(const char *s, size_t n)
{
    if (n < 8) {
        unsigned bad = 0;
        for (size_t i = 0; i < n; i++)
            bad |= (unsigned char)((unsigned char)s[i] - 33) > 126 - 33;
        return bad != 0;
    }
#if defined(__SSE2__)
    if (n >= 16) {
        /* 16 at a time (Exchange's names run to 40 bytes and more): a byte is in 33..126
         * exactly when (byte + 95) as a signed byte is at most -35. */
        const __m128i bias = _mm_set1_epi8(95), limit = _mm_set1_epi8(-35);
        __m128i bad = _mm_setzero_si128();
        for (size_t i = 0;; i += 16) {
            if (i + 16 > n)
                i = n - 16;
            __m128i v = _mm_add_epi8(_mm_loadu_si128((const __m128i *)(s + i)), bias);
            bad = _mm_or_si128(bad, _mm_cmpgt_epi8(v, limit));
            if (i + 16 >= n)
                break;
        }
        return _mm_movemask_epi8(bad) != 0;
    }
#endif
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t bad = 0;
    for (size_t i = 0;; i += 8) {
        if (i + 8 > n)
            i = n - 8;
        uint64_t x;
        memcpy(&x, s + i, 8);
        bad |= ((x - 33 * ones) & ~x) | ((x + (127 - 126) * ones) | x);
        if (i + 8 >= n)
            break;
    }
    return (bad & high) != 0;
}

/* memchr(s, ':', n). The colon ends the field name, nearly always within 16 bytes: one
 * block test finds it there without the call. The same block tells the name's bytes
 * outside 33..126 (name_has_bad_byte's test) for names under 16 bytes, most of them: bit k
 * of *bad16 is set when s[k] is such a byte, and bit 16 when the block was read (*bad16 is
 * 0 when it was not). */
static const char *find_colon(const char *s, size_t n, unsigned *bad16)
{
    *bad16 = 0;
#if defined(__SSE2__)
    if (n >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)s);
        /* as in name_has_bad_byte: in 33..126 exactly when (byte + 95) as a signed byte is
         * at most -35 */
        *bad16 = (unsigned)_mm_movemask_epi8(
                     _mm_cmpgt_epi8(_mm_add_epi8(v, _mm_set1_epi8(95)), _mm_set1_epi8(-35))) |
                 1u << 16;
        unsigned hit = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
        if (hit)
            return s + __builtin_ctz(hit);
        return memchr(s + 16, ':', n - 16);
    }
#endif
    return memchr(s, ':', n);
}

/* Line runs of a folded field, as the scan found them: [start, end) without the line end.
 * Up to FOLD_RUNS are kept; the lines after those are split again with memchr. Real mail
 * has fields of dozens of lines (Exchange's anti-spam blobs), hence the size. */
#define FOLD_RUNS 64
typedef struct fold_runs {
    size_t n; /* runs recorded; FOLD_RUNS + 1 once they did not fit */
    const char *start[FOLD_RUNS], *end[FOLD_RUNS];
} fold_runs;

/* The length of a folded field's value, unfolded at out (where its first run already
 * is), at most cap. Out of line: the unfolded fields, most, need none of it. */
static __attribute__((noinline)) size_t unfold_runs(char *out, const char *vstart, const char *vend,
                                                    size_t cap, const fold_runs *runs)
{
    size_t kept = runs->n <= FOLD_RUNS ? runs->n : FOLD_RUNS;
    size_t n = (size_t)(runs->end[0] - vstart); /* the first run starts at vstart */
    if (n > cap)
        n = cap;
    for (size_t k = 1; k < kept; k++) { /* once n reaches cap the rest copy nothing */
        size_t len = (size_t)(runs->end[k] - runs->start[k]);
        if (len > cap - n)
            len = cap - n;
        memcpy(out + n, runs->start[k], len);
        n += len;
    }
    if (runs->n > FOLD_RUNS) {
        /* More lines than were recorded: go on after the line end of the last recorded
         * run (it ends at the CR of a CRLF or at the LF). */
        const char *p = runs->end[FOLD_RUNS - 1];
        if (*p == '\r')
            p++;
        p++;
        while (p < vend && n < cap) {
            const char *nl = memchr(p, '\n', (size_t)(vend - p));
            const char *stop = nl ? nl : vend;
            const char *run_end = stop;
            if (nl && run_end > p && run_end[-1] == '\r')
                run_end--;
            size_t len = (size_t)(run_end - p);
            if (len > cap - n)
                len = cap - n;
            memcpy(out + n, p, len);
            n += len;
            p = nl ? nl + 1 : vend;
        }
    }
    return n;
}

/* Makes the field's name and its value, unfolded, in the scan's copy of the block: the name
 * ends with a NUL written over the first byte after it (the colon, or the space before
 * it), the value with one written after its last byte, which is at most the line end of
 * its last line, so nothing of the next field is touched. A field without continuation
 * lines (most) is already in place. For a folded field the first line stays where it is
 * and each further run is copied down over the line break before it, which is exactly RFC
 * 5322 unfolding: the runs the scan recorded are taken as they are (it already found every
 * line end, and its line ends drop the CR of a CRLF exactly as the loop below does). The
 * runs are read from the message, so the copy's bytes ahead of the write are never needed. */
static inline __attribute__((always_inline)) void
finish_field(sw_header_field *f, char *name, char *out, const char *vstart, const char *vend,
             int folded, const fold_runs *runs, unsigned *field_flags)
{
    size_t cap = (size_t)(vend - vstart);
    if (cap > SW_MAX_FIELD_VALUE) {
        cap = SW_MAX_FIELD_VALUE;
        f->flags |= SW_HF_VALUE_TRUNCATED;
    }
    size_t n = folded ? unfold_runs(out, vstart, vend, cap, runs) : cap;
    name[f->name_len] = '\0';
    f->name = name;
    f->flags |= value_flags(out, n);
    size_t s = 0;
    while (s < n && trim_byte[(unsigned char)out[s]])
        s++;
    while (n > s && trim_byte[(unsigned char)out[n - 1]])
        n--;
    f->value = out + s;
    f->value_len = n - s;
    out[n] = '\0';
    f->raw_len = (size_t)(vend - f->raw);
    *field_flags |= f->flags;
}

int sw_header_scan(sw_arena *a, const char *msg, size_t len, sw_header_block *h, sw_error *err)
{
    /* the bucket arrays, last in the block, are all set to -1 below */
    _Static_assert(offsetof(sw_header_block, bucket_tail) + sizeof h->bucket_tail == sizeof *h,
                   "bucket arrays end the block");
    memset(h, 0, offsetof(sw_header_block, bucket_head));
    memset(h->bucket_head, 0xff, sizeof h->bucket_head);
    memset(h->bucket_tail, 0xff, sizeof h->bucket_tail);
    size_t limit = len;
    if (limit > SW_MAX_HEADER_BLOCK)
        limit = SW_MAX_HEADER_BLOCK;

    size_t cap_fields = 64;
    h->fields = sw_arena_alloc(a, cap_fields * sizeof *h->fields);
    if (!h->fields)
        return sw_error_set(err, SW_ENOMEM, "arena exhausted");

    size_t at = 0;
    int saw_crlf = 0, saw_lf = 0, ended = 0;
    line l;
    /* The field being collected: start of value and end of its last line. */
    sw_header_field *cur = NULL;
    const char *vstart = NULL, *vend = NULL;
    int folded = 0; /* the field has continuation lines */
    fold_runs runs;
    runs.n = 0;
    unsigned field_flags = 0; /* every SW_HF_* flag of the fields finished */
    const char *pending_name = NULL; /* a colon-less line that may be a folded name */
    size_t pending_name_len = 0;

    eol_scan eol;
    size_t copy_size;
    if (eol_init(&eol, a, msg, limit, &copy_size))
        return sw_error_set(err, SW_ENOMEM, "arena exhausted");
    while (at < limit) {
        next_line(&eol, msg, limit, at, &l);
        if (l.eof) {
            if (eol.base + 64 < limit) {
                /* Not the end: the copy is full. The scan still needs the field being
                 * collected, or else this line. */
                size_t keep = cur ? (size_t)(cur->raw - msg) : at;
                char *copy = copy_grow(a, msg, limit, keep, eol.base, &copy_size);
                if (!copy)
                    return sw_error_set(err, SW_ENOMEM, "arena exhausted");
                copy_set(&eol, copy, keep, copy_size);
                continue;
            }
            /* The cap cut this line: the block is longer than we accept. */
            if (limit < len)
                note(h, SW_HB_TRUNCATED, at);
        } else {
            if (l.crlf)
                saw_crlf = 1;
            else
                saw_lf = 1;
        }
        if (l.len == 0 && !l.eof) {
            at = l.next;
            ended = 1;
            break;
        }
        /* NUL bytes: fields are checked once, when their value is copied (finish_field);
         * lines that belong to no field are checked here. */
        if (is_wsp(l.p[0])) {
            if (!cur && memchr(l.p, '\0', l.len))
                note(h, SW_HB_NUL, at);
            if (cur) {
                if (!folded) {
                    runs.start[0] = vstart;
                    runs.end[0] = vend;
                    runs.n = 1;
                }
                if (runs.n < FOLD_RUNS) {
                    runs.start[runs.n] = l.p;
                    runs.end[runs.n] = l.p + l.len;
                    runs.n++;
                } else {
                    runs.n = FOLD_RUNS + 1;
                }
                vend = l.p + l.len;
                folded = 1;
            } else if (pending_name) {
                /* "From" CRLF " : value": a name folded away from its colon. */
                const char *q = l.p;
                while (q < l.p + l.len && is_wsp(*q))
                    q++;
                if (q < l.p + l.len && *q == ':') {
                    note(h, SW_HB_FOLDED_NAME, at);
                    if (!h->folded_name)
                        h->folded_name = sw_arena_strndup(a, pending_name, pending_name_len);
                }
                pending_name = NULL;
            } else if (h->count == 0 && at == 0) {
                note(h, SW_HB_LEADING_WSP, at);
            }
            at = l.next;
            continue;
        }

        /* A new field starts: finish the previous one. */
        if (cur)
            finish_field(cur, copy_of(&eol, cur->raw), copy_of(&eol, vstart), vstart, vend, folded,
                         &runs, &field_flags);
        cur = NULL;
        pending_name = NULL;

        unsigned bad16;
        const char *colon = find_colon(l.p, l.len, &bad16);
        if ((!colon || h->count >= SW_MAX_HEADER_FIELDS) && memchr(l.p, '\0', l.len))
            note(h, SW_HB_NUL, at); /* a line no field will keep */
        if (!colon) {
            note(h, SW_HB_LINE_NO_COLON, at);
            pending_name = l.p;
            pending_name_len = l.len;
            at = l.next;
            continue;
        }
        const char *name_end = colon;
        unsigned flags = 0;
        while (name_end > l.p && is_wsp(name_end[-1])) {
            name_end--;
            flags |= SW_HF_SPACE_BEFORE_COLON;
        }
        size_t name_len = (size_t)(name_end - l.p);
        if (name_len == 0 || name_len > SW_MAX_FIELD_NAME) {
            if (memchr(l.p, '\0', l.len))
                note(h, SW_HB_NUL, at);
            note(h, SW_HB_LINE_NO_COLON, at);
            at = l.next;
            continue;
        }
        if (name_len < 16 && bad16 ? (bad16 & ((1u << name_len) - 1)) != 0
                                   : name_has_bad_byte(l.p, name_len)) {
            flags |= SW_HF_NON_ASCII_NAME;
            if (memchr(l.p, '\0', name_len))
                note(h, SW_HB_NUL, at);
        }

        if (h->count >= SW_MAX_HEADER_FIELDS) {
            h->dropped++;
            note(h, SW_HB_TOO_MANY_FIELDS, at);
            at = l.next;
            continue;
        }
        if (h->count == cap_fields) {
            size_t ncap = cap_fields * 2;
            sw_header_field *nf = sw_arena_alloc(a, ncap * sizeof *nf);
            if (!nf)
                return sw_error_set(err, SW_ENOMEM, "arena exhausted");
            memcpy(nf, h->fields, h->count * sizeof *nf);
            h->fields = nf;
            cap_fields = ncap;
        }
        /* every member is set here or by finish_field, which each kept field reaches */
        cur = &h->fields[h->count++];
        cur->name_len = name_len;
        cur->name_hash = sw_header_name_hash_inline(l.p, name_len);
        cur->next_in_bucket = -1;
        {
            /* append to its bucket's chain, which therefore stays in field order */
            size_t bk = cur->name_hash % SW_HEADER_BUCKETS;
            int32_t me = (int32_t)(h->count - 1);
            if (h->bucket_tail[bk] < 0)
                h->bucket_head[bk] = me;
            else
                h->fields[h->bucket_tail[bk]].next_in_bucket = me;
            h->bucket_tail[bk] = me;
        }
        cur->raw = l.p;
        cur->offset = at;
        cur->flags = flags;
        vstart = colon + 1;
        vend = l.p + l.len;
        folded = 0;
        at = l.next;
    }
    if (cur)
        finish_field(cur, copy_of(&eol, cur->raw), copy_of(&eol, vstart), vstart, vend, folded,
                     &runs, &field_flags);
    /* the first field with a NUL, looked for only when there is one */
    for (size_t i = 0; (field_flags & SW_HF_NUL) && i < h->count && !(h->anomalies & SW_HB_NUL);
         i++)
        if (h->fields[i].flags & SW_HF_NUL)
            note(h, SW_HB_NUL, h->fields[i].offset);
    if (!ended && limit < len)
        note(h, SW_HB_TRUNCATED, limit);
    else if (!ended)
        note(h, SW_HB_NO_SEPARATOR, len);
    if (saw_crlf && saw_lf)
        note(h, SW_HB_MIXED_EOL, 0);
    if (h->count == 0)
        note(h, SW_HB_EMPTY, 0);
    h->field_flags = field_flags;
    h->crlf = saw_crlf && !saw_lf;
    h->header_len = at;
    h->body_offset = at;
    return SW_OK;
}

uint32_t sw_header_name_hash(const char *name, size_t n)
{
    return sw_header_name_hash_inline(name, n);
}

static int name_matches(const sw_header_field *f, const char *name, size_t n, uint32_t hash)
{
    const sw_header_key k = {name, n, hash};
    return sw_header_key_matches(f, &k);
}

/* Walks the bucket chain of `name` once, from field index `after` on: next field named
 * `name` after `after`, or -1. The name is hashed once per walk. */
static long next_match(const sw_header_block *h, const char *name, size_t n, uint32_t hash,
                       long after)
{
    if (!h->count) /* also a zeroed block: a record read from a log has no headers */
        return -1;
    for (int32_t i = h->bucket_head[hash % SW_HEADER_BUCKETS]; i >= 0;
         i = h->fields[i].next_in_bucket)
        if (i > after && name_matches(&h->fields[i], name, n, hash))
            return (long)i;
    return -1;
}

long sw_header_next_key(const sw_header_block *h, const sw_header_key *k, long after)
{
    return next_match(h, k->name, k->len, k->hash, after);
}

long sw_header_next(const sw_header_block *h, const char *name, long after)
{
    sw_header_key k = sw_header_key_of(name);
    return sw_header_next_key(h, &k, after);
}

long sw_header_find(const sw_header_block *h, const char *name, size_t nth)
{
    sw_header_key k = sw_header_key_of(name);
    return sw_header_find_key(h, &k, nth);
}

size_t sw_header_count_key(const sw_header_block *h, const sw_header_key *k)
{
    size_t count = 0;
    if (!h->count)
        return 0;
    /* one walk of the chain, not one walk from its head per match */
    for (int32_t i = h->bucket_head[k->hash % SW_HEADER_BUCKETS]; i >= 0;
         i = h->fields[i].next_in_bucket)
        count += (size_t)name_matches(&h->fields[i], k->name, k->len, k->hash);
    return count;
}

size_t sw_header_count(const sw_header_block *h, const char *name)
{
    sw_header_key k = sw_header_key_of(name);
    return sw_header_count_key(h, &k);
}

const char *sw_header_anomaly_name(unsigned bit)
{
    switch (bit) {
    case SW_HB_TRUNCATED: return "header_block_truncated";
    case SW_HB_TOO_MANY_FIELDS: return "too_many_header_fields";
    case SW_HB_LEADING_WSP: return "leading_whitespace";
    case SW_HB_LINE_NO_COLON: return "header_line_without_colon";
    case SW_HB_FOLDED_NAME: return "folded_header_name";
    case SW_HB_NO_SEPARATOR: return "no_body_separator";
    case SW_HB_MIXED_EOL: return "mixed_line_endings";
    case SW_HB_NUL: return "nul_in_headers";
    case SW_HB_EMPTY: return "no_header_fields";
    }
    return "unknown";
}
