/* Differential fuzz target for DKIM canonicalization (include/spoofwatch/canon.h).
 *
 * The input is taken once as a message body and once as one raw header field. The
 * batched, block-scanning sw_canon_body (simple and relaxed, under several l= limits)
 * and sw_canon_header (simple and relaxed, with and without the final CRLF) must give
 * exactly the bytes and lengths the byte-at-a-time references of tests/reference give:
 * RFC 6376 §3.4.1-§3.4.4 with a bare LF read as a line end, as CRLF (canon.h). Any
 * difference, and any write callback with n == 0, aborts. */
#include "dkim_ref.h"
#include "spoofwatch/canon.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct sink {
    char *buf;
    size_t cap, n;
} sink;

static void sink_write(void *ctx, const void *p, size_t n)
{
    sink *s = ctx;
    if (n == 0 || s->n + n > s->cap) /* canon.h: n > 0 only; never more than asked */
        abort();
    memcpy(s->buf + s->n, p, n);
    s->n += n;
}

static void check_body(sw_canon_mode m, const char *b, size_t n, const char *want, size_t wn,
                       uint64_t limit, sink *s)
{
    s->n = 0;
    uint64_t total = sw_canon_body(m, b, n, limit, sink_write, s);
    size_t exp = (uint64_t)wn < limit ? wn : (size_t)limit;
    if (total != (uint64_t)wn || s->n != exp || memcmp(s->buf, want, exp) != 0)
        abort();
}

static void check_hdr(sw_canon_mode m, const char *r, size_t n, const char *want, size_t wn,
                      sink *s)
{
    for (int crlf = 0; crlf < 2; crlf++) {
        s->n = 0;
        sw_canon_header(m, r, n, crlf, sink_write, s);
        if (s->n != wn + (crlf ? 2 : 0) || memcmp(s->buf, want, wn) != 0 ||
            (crlf && memcmp(s->buf + wn, "\r\n", 2) != 0))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy so that reading one byte past the input is caught */
    char *in = malloc(size ? size : 1);
    size_t cap = 2 * size + 4;
    char *want = malloc(cap), *line = malloc(size + 1);
    sink s = {malloc(cap), cap, 0};
    if (!in || !want || !line || !s.buf)
        abort();
    memcpy(in, data, size);

    for (int mode = 0; mode < 2; mode++) {
        sw_canon_mode m = mode ? SW_CANON_RELAXED : SW_CANON_SIMPLE;
        size_t wn = sw_ref_canon_body(m, in, size, want, line);
        const uint64_t limits[] = {UINT64_MAX, 0, 1, 2, 3, 17, size / 2, size,
                                   wn ? wn - 1 : 0, wn, (uint64_t)wn + 1, 2047, 2048, 2049,
                                   4095, 4096, 4097};
        for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
            check_body(m, in, size, want, wn, limits[i], &s);
    }

    size_t hn = sw_ref_canon_header_simple(in, size, want);
    check_hdr(SW_CANON_SIMPLE, in, size, want, hn, &s);
    hn = sw_ref_canon_header_relaxed(in, size, want);
    check_hdr(SW_CANON_RELAXED, in, size, want, hn, &s);

    free(s.buf);
    free(line);
    free(want);
    free(in);
    return 0;
}
