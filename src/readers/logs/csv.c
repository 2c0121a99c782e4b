/* RFC 4180 CSV reader: see include/spoofwatch/csv.h.
 *
 * A record is read in two passes over its bytes: the first finds where it ends, counts its
 * fields and checks its quoting (nothing is allocated for a malformed or oversized
 * record), the second copies the unquoted fields into one arena block. The UTF-16
 * conversion is the only copy of the file and is freed by sw_csv_close(). */
#include "spoofwatch/csv.h"
#include "spoofwatch/limits.h"

#include <ctype.h>
#include <errno.h>
#include "spoofwatch/utf8.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int from_utf16(sw_csv *r, const char *data, size_t len, int big_endian, sw_error *err)
{
    int rc = sw_utf16_to_utf8(data, len, big_endian, "UTF-16 CSV", &r->owned, &r->len, err);
    r->data = r->owned;
    return rc;
}

int sw_csv_open(sw_csv *r, const char *data, size_t len, unsigned flags, sw_error *err)
{
    memset(r, 0, sizeof *r);
    r->flags = flags;
    r->line = 1;
    if (len >= 2 && (unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE) {
        r->encoding = SW_CSV_UTF16LE;
        int rc = from_utf16(r, data + 2, len - 2, 0, err);
        if (rc)
            return rc;
    } else if (len >= 2 && (unsigned char)data[0] == 0xFE && (unsigned char)data[1] == 0xFF) {
        r->encoding = SW_CSV_UTF16BE;
        int rc = from_utf16(r, data + 2, len - 2, 1, err);
        if (rc)
            return rc;
    } else {
        r->data = data;
        r->len = len;
    }
    if (r->len >= 3 && !memcmp(r->data, "\xEF\xBB\xBF", 3))
        r->pos = 3;
    /* Export-Csv without -NoTypeInformation writes "#TYPE Selected.System.Object" first */
    if (r->len - r->pos >= 6 && !memcmp(r->data + r->pos, "#TYPE ", 6)) {
        const char *nl = memchr(r->data + r->pos, '\n', r->len - r->pos);
        r->pos = nl ? (size_t)(nl + 1 - r->data) : r->len;
        r->line = 2;
    }
    return SW_OK;
}

void sw_csv_close(sw_csv *r)
{
    free(r->owned);
    r->owned = NULL;
    r->data = NULL;
    r->len = 0;
}

/* Offset just past the line end of the physical line holding p (or the end). */
static size_t line_after(const sw_csv *r, size_t p, uint64_t *lines)
{
    const char *nl = memchr(r->data + p, '\n', r->len - p);
    if (!nl)
        return r->len;
    (*lines)++;
    return (size_t)(nl + 1 - r->data);
}

typedef struct scan {
    size_t end;    /* first byte after the record's content (before its line end) */
    size_t next;   /* start of the following record */
    size_t nfields;
    uint64_t newlines; /* line ends inside and after the record */
    const char *why;   /* malformed: the reason */
} scan;

/* Pass 1: where the record at p ends, and whether it is well formed. */
static void scan_record(const sw_csv *r, size_t p, scan *s)
{
    const char *d = r->data;
    size_t n = r->len, start = p;
    memset(s, 0, sizeof *s);
    s->nfields = 1;
    for (;;) {
        if (p - start > SW_MAX_LOG_LINE) {
            s->why = "record over the SW_MAX_LOG_LINE cap (16 MiB)";
            return;
        }
        if (p < n && d[p] == '"') {
            p++;
            for (;;) {
                /* look no further than the cap: an open quote in a huge file costs at
                 * most SW_MAX_LOG_LINE bytes before it is reported */
                if (p - start > SW_MAX_LOG_LINE) {
                    s->why = "record over the SW_MAX_LOG_LINE cap (16 MiB)";
                    return;
                }
                size_t room = start + SW_MAX_LOG_LINE + 1 - p;
                const char *q = memchr(d + p, '"', n - p < room ? n - p : room);
                if (!q) {
                    s->why = n - p < room ? "quoted field not closed before the end of the file"
                                          : "record over the SW_MAX_LOG_LINE cap (16 MiB)";
                    return;
                }
                for (const char *c = d + p; c < q; c++) {
                    if (!*c) {
                        s->why = "NUL byte in a record";
                        return;
                    }
                    s->newlines += *c == '\n';
                }
                p = (size_t)(q - d) + 1;
                if (p < n && d[p] == '"') {
                    p++;
                    continue;
                }
                break;
            }
            if (p < n && d[p] != ',' && d[p] != '\n' && !(d[p] == '\r' && (p + 1 == n ||
                                                                             d[p + 1] == '\n'))) {
                s->why = "characters after a closing quote";
                return;
            }
        } else {
            while (p < n && d[p] != ',' && d[p] != '\n') {
                if (!d[p]) {
                    s->why = "NUL byte in a record";
                    return;
                }
                p++;
                if (p - start > SW_MAX_LOG_LINE) {
                    s->why = "record over the SW_MAX_LOG_LINE cap (16 MiB)";
                    return;
                }
            }
        }
        if (p < n && d[p] == ',') {
            if (++s->nfields > SW_MAX_CSV_FIELDS) {
                s->why = "more fields than SW_MAX_CSV_FIELDS (1024)";
                return;
            }
            p++;
            continue;
        }
        /* end of record: CRLF, LF or the end of the file (a CR before the LF of an unquoted
         * last field is part of the line end, not of the field) */
        if (p < n && d[p] == '\r') {
            s->end = p;
            s->next = p + 1 < n ? p + 2 : n;
            s->newlines += p + 1 < n;
            return;
        }
        s->end = p > start && d[p - 1] == '\r' ? p - 1 : p;
        s->next = p < n ? p + 1 : n;
        s->newlines += p < n;
        return;
    }
}

/* Pass 2: the fields of a well-formed record, unquoted, into the arena. */
static int copy_fields(const sw_csv *r, size_t p, const scan *s, sw_arena *a, sw_csv_record *rec)
{
    const char *d = r->data;
    char **fields = sw_arena_alloc(a, s->nfields * sizeof *fields);
    char *buf = sw_arena_alloc(a, s->end - p + s->nfields);
    if (!fields || !buf)
        return SW_ENOMEM;
    size_t nf = 0;
    for (;;) {
        fields[nf++] = buf;
        if (p < s->end && d[p] == '"') {
            p++;
            for (;;) {
                if (d[p] == '"') {
                    if (p + 1 < s->end && d[p + 1] == '"') {
                        *buf++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *buf++ = d[p++];
            }
        } else {
            while (p < s->end && d[p] != ',')
                *buf++ = d[p++];
        }
        *buf++ = '\0';
        if (p < s->end && d[p] == ',' && nf < s->nfields) {
            p++;
            continue;
        }
        break;
    }
    /* a record whose last field is empty ("a,b,") still has that field */
    while (nf < s->nfields) {
        *buf = '\0';
        fields[nf++] = buf++;
    }
    rec->fields = fields;
    rec->nfields = nf;
    return SW_OK;
}

int sw_csv_next(sw_csv *r, sw_arena *a, sw_csv_record *rec, sw_error *err)
{
    memset(rec, 0, sizeof *rec);
    const char *d = r->data;
    /* blank lines */
    while (r->pos < r->len && (d[r->pos] == '\n' || d[r->pos] == '\r')) {
        if (d[r->pos] == '\n')
            r->line++;
        r->pos++;
    }
    if (r->pos >= r->len)
        return SW_ENOTFOUND;
    size_t p = r->pos;
    rec->line = r->line;
    rec->offset = p;
    if ((r->flags & SW_CSV_HASH_LINES) && d[p] == '#') {
        uint64_t nl = 0;
        size_t next = line_after(r, p, &nl);
        size_t end = next;
        while (end > p && (d[end - 1] == '\n' || d[end - 1] == '\r'))
            end--;
        r->pos = next;
        r->line += nl;
        if (end - p > SW_MAX_LOG_LINE)
            return sw_error_set(err, SW_EFORMAT, "comment line over the SW_MAX_LOG_LINE cap");
        if (memchr(d + p, '\0', end - p))
            return sw_error_set(err, SW_EFORMAT, "NUL byte in a comment line");
        char **f = sw_arena_alloc(a, sizeof *f);
        char *s = f ? sw_arena_strndup(a, d + p, end - p) : NULL;
        if (!s)
            return SW_ENOMEM;
        f[0] = s;
        rec->fields = f;
        rec->nfields = 1;
        rec->comment = 1;
        return SW_OK;
    }
    scan s;
    scan_record(r, p, &s);
    if (s.why) {
        /* resume on the line after the one the record starts on */
        uint64_t nl = 0;
        r->pos = line_after(r, p, &nl);
        r->line += nl;
        return sw_error_set(err, SW_EFORMAT, "%s", s.why);
    }
    int rc = copy_fields(r, p, &s, a, rec);
    r->pos = s.next;
    r->line += s.newlines;
    if (rc)
        return sw_error_set(err, rc, "out of memory reading a CSV record");
    return SW_OK;
}

size_t sw_csv_head(const char *data, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    if (!cap)
        return 0;
    if (len >= 2 && (((unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE) ||
                     ((unsigned char)data[0] == 0xFE && (unsigned char)data[1] == 0xFF))) {
        int be = (unsigned char)data[0] == 0xFE;
        for (size_t i = 2; i + 1 < len && o + 1 < cap; i += 2) {
            unsigned u = be ? ((unsigned)(unsigned char)data[i] << 8 | (unsigned char)data[i + 1])
                            : ((unsigned)(unsigned char)data[i + 1] << 8 |
                               (unsigned char)data[i]);
            out[o++] = u && u < 0x80 ? (char)u : '?';
        }
    } else {
        /* a copy, then the NULs found by memchr: every file of a Maildir walk is sniffed,
         * and a test per byte was most of it */
        size_t i = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
        o = len - i < cap - 1 ? len - i : cap - 1;
        memcpy(out, data + i, o);
        for (char *z = memchr(out, '\0', o); z; z = memchr(z + 1, '\0', o - (size_t)(z + 1 - out)))
            *z = '?';
    }
    out[o] = '\0';
    return o;
}

/* ---- header ---- */

void sw_csv_header_init(sw_csv_header *h)
{
    memset(h, 0, sizeof *h);
    sw_arena_init(&h->arena, SW_MAX_LOG_LINE + (SW_MAX_CSV_FIELDS + 16) * sizeof(char *) * 2);
}

int sw_csv_header_set(sw_csv_header *h, char *const *names, size_t n)
{
    sw_arena_reset(&h->arena);
    h->count = 0;
    h->names = sw_arena_alloc(&h->arena, (n ? n : 1) * sizeof *h->names);
    if (!h->names)
        return SW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *s = names[i];
        while (*s == ' ' || *s == '\t')
            s++;
        size_t m = strlen(s);
        while (m && (s[m - 1] == ' ' || s[m - 1] == '\t'))
            m--;
        char *c = sw_arena_strndup(&h->arena, s, m);
        if (!c)
            return SW_ENOMEM;
        h->names[h->count++] = c;
    }
    return SW_OK;
}

void sw_csv_header_free(sw_csv_header *h)
{
    sw_arena_free(&h->arena);
    h->names = NULL;
    h->count = 0;
}

static int fold(int c)
{
    if (c == '-' || c == ' ')
        return '_';
    return tolower(c);
}

int sw_csv_col(const sw_csv_header *h, const char *name)
{
    for (size_t i = 0; i < h->count; i++) {
        const unsigned char *a = (const unsigned char *)h->names[i];
        const unsigned char *b = (const unsigned char *)name;
        while (*a && *b && fold(*a) == fold(*b)) {
            a++;
            b++;
        }
        if (!*a && !*b)
            return (int)i;
    }
    return -1;
}

const char *sw_csv_cell(const sw_csv_record *rec, int col)
{
    if (col < 0)
        return NULL;
    if ((size_t)col >= rec->nfields)
        return "";
    return rec->fields[col];
}

const char *sw_csv_get(const sw_csv_header *h, const sw_csv_record *rec, const char *name)
{
    const char *v = sw_csv_cell(rec, sw_csv_col(h, name));
    return v && *v ? v : NULL;
}
