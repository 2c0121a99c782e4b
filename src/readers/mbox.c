/* mbox splitting and unquoting (mboxo, mboxrd; RFC 4155).
 *
 * A separator is a line starting with "From " that either follows an empty line or carries
 * a postmark time (hh:mm); the second rule keeps unquoted "From " lines in bodies of
 * sloppy mboxes from splitting a message when no blank line precedes them. */
#include "spoofwatch/input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* How far ahead find_line_start asks for bytes. The hardware prefetcher follows a stream
 * only within a 4 KiB page, and page-cache pages are scattered in memory, so each new page
 * of a mapped mbox started with a stall; asking one page ahead measured ~10 % off read +
 * split (a prefetch never faults, so running past the mapping's end is harmless). */
#define SW_MBOX_PREFETCH 4096

/* First '\n' in p[0..n) that is followed by c, or NULL. The body of a message is most of
 * an mbox, so this is the loop that sets scan speed: with SSE2 it tests 32 line ends at
 * once instead of calling memchr once per line. */
static const char *find_line_start(const char *p, size_t n, char c)
{
    size_t i = 0;
#if defined(__SSE2__)
    /* A line end and the byte after it are tested together (the second pair of loads is
     * one byte on): the mask is non-zero only at a line that starts with c, which body text
     * seldom does, so the loop's one branch is nearly always taken the same way. Testing
     * each line end by hand, every ~70 bytes, mispredicted often. An AVX2 variant measured
     * no faster: this loop runs at memory speed already. */
    const __m128i nl = _mm_set1_epi8('\n'), vc = _mm_set1_epi8(c);
    for (; i + 33 <= n; i += 32) {
        if (!(i & 32)) /* once per 64-byte line */
            __builtin_prefetch(p + i + SW_MBOX_PREFETCH);
        __m128i v0 = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i v1 = _mm_loadu_si128((const __m128i *)(p + i + 16));
        __m128i w0 = _mm_loadu_si128((const __m128i *)(p + i + 1));
        __m128i w1 = _mm_loadu_si128((const __m128i *)(p + i + 17));
        __m128i s0 = _mm_and_si128(_mm_cmpeq_epi8(v0, nl), _mm_cmpeq_epi8(w0, vc));
        __m128i s1 = _mm_and_si128(_mm_cmpeq_epi8(v1, nl), _mm_cmpeq_epi8(w1, vc));
        unsigned mask = (unsigned)_mm_movemask_epi8(s0) | ((unsigned)_mm_movemask_epi8(s1) << 16);
        if (mask)
            return p + i + (size_t)__builtin_ctz(mask);
    }
#endif
    for (; i + 1 < n; i++)
        if (p[i] == '\n' && p[i + 1] == c)
            return p + i;
    return NULL;
}

static int has_clock(const char *p, size_t n)
{
    for (size_t i = 0; i + 4 < n; i++)
        if (p[i] >= '0' && p[i] <= '9' && p[i + 1] >= '0' && p[i + 1] <= '9' && p[i + 2] == ':' &&
            p[i + 3] >= '0' && p[i + 3] <= '9' && p[i + 4] >= '0' && p[i + 4] <= '9')
            return 1;
    return 0;
}

/* Is the line at data[s] ("From ...") a message separator? 1 or 0; SEP_UNKNOWN when the
 * bytes up to len cannot tell and more follow (!at_eof). */
#define SEP_UNKNOWN (-1)
static int is_separator(const char *data, size_t len, size_t s, int at_eof)
{
    if (len - s < 5)
        return at_eof ? 0 : SEP_UNKNOWN;
    if (memcmp(data + s, "From ", 5) != 0)
        return 0;
    if (s == 0)
        return 1;
    /* previous line empty: "\n\n" or "\n\r\n" before s */
    if (s >= 2 && data[s - 2] == '\n')
        return 1;
    if (s >= 3 && data[s - 2] == '\r' && data[s - 3] == '\n')
        return 1;
    const char *eol = memchr(data + s, '\n', len - s);
    size_t n = eol ? (size_t)(eol - (data + s)) : len - s;
    if (!eol && n < 200 && !at_eof)
        return SEP_UNKNOWN; /* the postmark time may be in the rest of the line */
    return has_clock(data + s, n > 200 ? 200 : n);
}

int sw_mbox_split(const char *data, size_t len, int at_eof, size_t pos, size_t *resume,
                  size_t *msg_start, size_t *msg_end, size_t *next)
{
    if (pos >= len)
        return at_eof ? SW_ENOTFOUND : SW_MBOX_MORE;
    size_t start = pos;
    if (len - pos < 5 && !at_eof)
        return SW_MBOX_MORE; /* whether a "From " line starts here is not known yet */
    if (len - pos >= 5 && memcmp(data + pos, "From ", 5) == 0) {
        const char *eol = memchr(data + pos, '\n', len - pos);
        if (!eol && !at_eof)
            return SW_MBOX_MORE;
        start = eol ? (size_t)(eol - data) + 1 : len;
    }
    size_t at = start ? start - 1 : 0; /* the '\n' ending the From line, if any */
    if (*resume > at)
        at = *resume; /* the bytes before were searched on an earlier call */
    size_t sep = len;
    while (at < len) {
        const char *nl = find_line_start(data + at, len - at, 'F');
        if (!nl)
            break;
        size_t s = (size_t)(nl - data) + 1;
        if (s > start) {
            int v = is_separator(data, len, s, at_eof);
            if (v == SEP_UNKNOWN) {
                *resume = s - 1;
                return SW_MBOX_MORE;
            }
            if (v) {
                sep = s;
                break;
            }
        }
        at = s;
    }
    if (sep == len && !at_eof) {
        /* every line end was tested but the last byte's, whose next byte is still to come */
        *resume = len - 1 > at ? len - 1 : at;
        return SW_MBOX_MORE;
    }
    size_t end = sep;
    if (sep < len) {
        /* The empty line before a separator belongs to the mbox, not the message. */
        if (end >= 2 && data[end - 1] == '\n' && data[end - 2] == '\n')
            end--;
        else if (end >= 4 && data[end - 1] == '\n' && data[end - 2] == '\r' &&
                 data[end - 3] == '\n' && data[end - 4] == '\r')
            end -= 2;
    }
    *msg_start = start;
    *msg_end = end;
    *next = sep;
    return SW_OK;
}

int sw_mbox_next(const char *data, size_t len, size_t pos, size_t *msg_start, size_t *msg_end,
                 size_t *next)
{
    size_t resume = 0;
    return sw_mbox_split(data, len, 1, pos, &resume, msg_start, msg_end, next);
}

/* ---- the window over a file ---- */

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
/* Bytes before the current message are dead: a span kept past the next call reads them,
 * which a sanitizer build then reports instead of reading another message's bytes. */
#define WINDOW_DEAD(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define WINDOW_LIVE(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define WINDOW_DEAD(p, n) ((void)(p), (void)(n))
#define WINDOW_LIVE(p, n) ((void)(p), (void)(n))
#endif

void sw_mbox_stream_init(sw_mbox_stream *s, sw_mbox_read_fn read, void *ctx, uint64_t from,
                         uint64_t size, size_t chunk, size_t max_window)
{
    memset(s, 0, sizeof *s);
    s->read = read;
    s->ctx = ctx;
    s->base = from;
    s->size = size;
    s->chunk = chunk ? chunk : 1;
    s->max_window = max_window > s->chunk ? max_window : s->chunk;
    s->eof = from >= size;
}

/* Makes room and reads the next bytes. The window only grows when the message being split
 * fills more than half of it, so most reads go to a buffer that stays in cache. */
static int window_fill(sw_mbox_stream *s, sw_error *err)
{
    if (s->tail == s->cap) {
        size_t live = s->tail - s->head;
        if (s->cap < s->max_window && (s->cap == 0 || live > s->cap / 2)) {
            size_t cap = s->cap ? s->cap * 2 : 4 * s->chunk;
            if (cap > s->max_window)
                cap = s->max_window;
            WINDOW_LIVE(s->buf, s->cap);
            char *nb = realloc(s->buf, cap);
            if (!nb)
                return sw_error_set(err, SW_ENOMEM, "out of memory for a %zu-byte window", cap);
            s->buf = nb;
            s->cap = cap;
        } else if (s->head == 0) {
            return SW_ELIMIT; /* one message fills the largest window: read it another way */
        }
        if (s->head > 0) {
            WINDOW_LIVE(s->buf, s->cap);
            memmove(s->buf, s->buf + s->head, live);
            s->base += s->head;
            s->resume = s->resume > s->head ? s->resume - s->head : 0;
            s->tail = live;
            s->head = 0;
        }
    }
    uint64_t left = s->size - (s->base + s->tail);
    size_t want = s->cap - s->tail < s->chunk ? s->cap - s->tail : s->chunk;
    if (want > left)
        want = (size_t)left;
    size_t got = 0;
    int e = s->read(s->ctx, s->buf + s->tail, want, s->base + s->tail, &got);
    if (e)
        return sw_error_set(err, SW_EIO, "read error at byte %llu: %s",
                            (unsigned long long)(s->base + s->tail), strerror(e));
    if (got == 0 && want > 0) {
        /* the file shrank since it was opened (a mail client compacting the mailbox):
         * what was read is split, and the shortfall is reported after it */
        s->shrunk = 1;
        s->size = s->base + s->tail;
    }
    s->tail += got;
    if (s->base + s->tail >= s->size)
        s->eof = 1;
    return SW_OK;
}
/* Lines ">From ", ">>From "... lose one '>' (mboxrd); mboxo's ">From " is undone too. */
static int quoted_at(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] == '>')
        i++;
    return i > 0 && n - i >= 5 && memcmp(p + i, "From ", 5) == 0;
}

const char *sw_mbox_unquote(sw_arena *a, const char *msg, size_t len, size_t *out_len)
{
    /* Most bodies have no line starting with '>': one pass tells, before any copy. */
    int any = len > 0 && quoted_at(msg, len);
    for (const char *p = msg; !any && (p = find_line_start(p, len - (size_t)(p - msg), '>'));) {
        p++;
        any = quoted_at(p, len - (size_t)(p - msg));
    }
    if (!any) {
        *out_len = len;
        return msg;
    }
    char *out = sw_arena_alloc(a, len ? len : 1);
    if (!out) {
        *out_len = len;
        return msg;
    }
    size_t o = 0, i = 0;
    while (i < len) {
        if ((i == 0 || msg[i - 1] == '\n') && msg[i] == '>' && quoted_at(msg + i, len - i))
            i++; /* drop one '>' */
        const char *nl = memchr(msg + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (msg + i)) + 1 : len - i;
        memcpy(out + o, msg + i, n);
        o += n;
        i += n;
    }
    *out_len = o;
    return out;
}

int sw_mbox_stream_next(sw_mbox_stream *s, sw_mbox_span *out, sw_error *err)
{
    for (;;) {
        size_t start, end, next;
        int rc = sw_mbox_split(s->buf, s->tail, s->eof, s->head, &s->resume, &start, &end, &next);
        if (rc == SW_OK) {
            out->data = s->buf + start;
            out->len = end - start;
            out->offset = s->base + start;
            out->index = s->index++;
            s->head = next;
            s->resume = 0;
            WINDOW_DEAD(s->buf, start);
            return SW_OK;
        }
        if (rc == SW_ENOTFOUND) {
            if (s->shrunk) {
                s->shrunk = 0;
                return sw_error_set(err, SW_EIO,
                                    "the file ended at byte %llu, before the size it had when "
                                    "opened: it changed during the scan",
                                    (unsigned long long)s->size);
            }
            return SW_ENOTFOUND;
        }
        if ((rc = window_fill(s, err)))
            return rc;
    }
}

uint64_t sw_mbox_stream_offset(const sw_mbox_stream *s)
{
    return s->base + s->head;
}

void sw_mbox_stream_free(sw_mbox_stream *s)
{
    WINDOW_LIVE(s->buf, s->cap);
    free(s->buf);
    s->buf = NULL;
    s->cap = s->head = s->tail = 0;
}
