/* Differential fuzz target for DKIM canonicalization (include/spoofwatch/canon.h).
 *
 * The input is taken once as a message body and once as one raw header field. The
 * batched, block-scanning sw_canon_body (simple and relaxed, under several l= limits)
 * and sw_canon_header (simple and relaxed, with and without the final CRLF) must give
 * exactly the bytes and lengths the byte-at-a-time references below give: RFC 6376
 * §3.4.1-§3.4.4 with a bare LF read as a line end, as CRLF (canon.h). Any difference,
 * and any write callback with n == 0, aborts. */
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

static int wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* §3.4.3 / §3.4.4 one byte at a time, into out (room for 2 * n + 2). Returns the length. */
static size_t ref_body(sw_canon_mode m, const char *b, size_t n, char *out, char *line)
{
    size_t k = 0, pending = 0, i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && b[e] != '\n')
            e++;
        size_t ce = e;
        if (e < n && ce > i && b[ce - 1] == '\r') /* CRLF; a bare LF ends the line too */
            ce--;
        size_t ln = 0;
        if (m == SW_CANON_RELAXED) {
            int ws = 0;
            for (size_t j = i; j < ce; j++) {
                if (wsp(b[j])) {
                    ws = 1;
                    continue;
                }
                if (ws)
                    line[ln++] = ' ';
                ws = 0;
                line[ln++] = b[j];
            }
        } else {
            for (size_t j = i; j < ce; j++)
                line[ln++] = b[j];
        }
        if (ln == 0) {
            pending++;
        } else {
            for (; pending; pending--) {
                out[k++] = '\r';
                out[k++] = '\n';
            }
            for (size_t j = 0; j < ln; j++)
                out[k++] = line[j];
            out[k++] = '\r';
            out[k++] = '\n';
        }
        i = e < n ? e + 1 : n;
    }
    if (m == SW_CANON_SIMPLE && k == 0) {
        out[k++] = '\r';
        out[k++] = '\n';
    }
    return k;
}

/* simple (§3.4.1): the field as it is, every bare LF written as CRLF. */
static size_t ref_hdr_simple(const char *r, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i] == '\n' && (i == 0 || r[i - 1] != '\r'))
            out[k++] = '\r';
        out[k++] = r[i];
    }
    return k;
}

/* relaxed (§3.4.2): name lower-cased without WSP (or line ends) before the colon, the
 * value unfolded (every CRLF or bare LF removed), WSP runs as one SP, no WSP at either end
 * of the value. A field without a colon goes as simple does. */
static size_t ref_hdr_relaxed(const char *r, size_t n, char *out)
{
    size_t colon = 0;
    while (colon < n && r[colon] != ':')
        colon++;
    if (colon == n)
        return ref_hdr_simple(r, n, out);
    size_t ne = colon;
    while (ne > 0 && (wsp(r[ne - 1]) || r[ne - 1] == '\r' || r[ne - 1] == '\n'))
        ne--;
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        out[k++] = (r[i] >= 'A' && r[i] <= 'Z') ? (char)(r[i] + 32) : r[i];
    out[k++] = ':';
    int ws = 0, started = 0;
    for (size_t i = colon + 1; i < n; i++) {
        if (r[i] == '\r' && i + 1 < n && r[i + 1] == '\n') {
            i++; /* CRLF: unfolded away */
            continue;
        }
        if (r[i] == '\n')
            continue;
        if (wsp(r[i])) {
            ws = 1;
            continue;
        }
        if (ws && started)
            out[k++] = ' ';
        ws = 0;
        started = 1;
        out[k++] = r[i];
    }
    return k;
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
        size_t wn = ref_body(m, in, size, want, line);
        const uint64_t limits[] = {UINT64_MAX, 0, 1, 2, 3, 17, size / 2, size,
                                   wn ? wn - 1 : 0, wn, (uint64_t)wn + 1, 2047, 2048, 2049,
                                   4095, 4096, 4097};
        for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
            check_body(m, in, size, want, wn, limits[i], &s);
    }

    size_t hn = ref_hdr_simple(in, size, want);
    check_hdr(SW_CANON_SIMPLE, in, size, want, hn, &s);
    hn = ref_hdr_relaxed(in, size, want);
    check_hdr(SW_CANON_RELAXED, in, size, want, hn, &s);

    free(s.buf);
    free(line);
    free(want);
    free(in);
    return 0;
}
