/* Byte-at-a-time DKIM references: see dkim_ref.h. Deliberately plain: one byte per step,
 * no batching, no block tests, so that they can be read against the RFC text. */
#include "dkim_ref.h"
#include "spoofwatch/base64.h"
#include "spoofwatch/error.h"

#include <stdint.h>

static int wsp(char c)
{
    return c == ' ' || c == '\t';
}

size_t sw_ref_canon_body(sw_canon_mode m, const char *b, size_t n, char *out, char *line)
{
    size_t k = 0, pending = 0, i = 0; /* pending: empty lines held until a non-empty one */
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

size_t sw_ref_canon_header_simple(const char *r, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i] == '\n' && (i == 0 || r[i - 1] != '\r'))
            out[k++] = '\r';
        out[k++] = r[i];
    }
    return k;
}

size_t sw_ref_canon_header_relaxed(const char *r, size_t n, char *out)
{
    size_t colon = 0;
    while (colon < n && r[colon] != ':')
        colon++;
    if (colon == n)
        return sw_ref_canon_header_simple(r, n, out);
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

int sw_ref_base64_decode(const char *s, size_t n, unsigned char *o, size_t *out_len)
{
    size_t k = 0, q = 0, pad = 0;
    uint32_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        int v = sw_base64_value((unsigned char)c);
        if (c == '=') {
            if (++pad > 2)
                return SW_EFORMAT;
        } else if (v < 0 || pad) {
            return SW_EFORMAT;
        }
        acc = (acc << 6) | (uint32_t)(c == '=' ? 0 : v);
        if (++q == 4) {
            o[k++] = (unsigned char)(acc >> 16);
            if (pad < 2)
                o[k++] = (unsigned char)(acc >> 8);
            if (pad < 1)
                o[k++] = (unsigned char)acc;
            q = 0;
            acc = 0;
            if (pad)
                pad = 3; /* a padded quantum ends the data */
        }
    }
    *out_len = k;
    return q ? SW_EFORMAT : SW_OK;
}
