/* The CSV log family: a header row names the source (sw_csv_sources[], csv_sources.c),
 * every further record is one of its rows. Also the sniffer for CSV and tracking logs.
 *
 * The header is the first record of the file (after a BOM and an Export-Csv "#TYPE"
 * line); the first source whose columns it all names reads the rest. A header naming no
 * source is reported once and the file is skipped. The header's names live in their own
 * arena (sw_csv_header); each record lives in ctx->row_arena, reset per record. */
#include "spoofwatch/csv.h"
#include "spoofwatch/logsource.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/utf8.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const sw_csv_source *source_for(const sw_csv_header *h)
{
    for (const sw_csv_source *const *s = sw_csv_sources; *s; s++) {
        const char *const *col = (*s)->columns;
        while (*col && sw_csv_col(h, *col) >= 0)
            col++;
        if (!*col)
            return *s;
    }
    return NULL;
}

int sw_logcsv_read(sw_logctx *c)
{
    sw_csv r;
    sw_error err;
    sw_error_clear(&err);
    if (sw_csv_open(&r, c->data, c->len, 0, &err)) {
        sw_log_bad(c, 0, "%s", err.message);
        return 0;
    }
    sw_csv_header h;
    sw_csv_header_init(&h);
    const sw_csv_source *src = NULL;
    int have_header = 0;
    for (;;) {
        if (c->stop)
            break;
        sw_arena_reset(c->row_arena);
        sw_csv_record rec;
        int rc = sw_csv_next(&r, c->row_arena, &rec, &err);
        if (rc == SW_ENOTFOUND)
            break;
        if (rc == SW_EFORMAT) {
            /* a broken first record: the next one is tried as the header (a stray first
             * line), and if that is a data row its "names no log source" follows this */
            sw_log_bad(c, rec.line, "%s; %s", err.message,
                       have_header ? "record skipped" : "header row skipped, the next record "
                                                         "is taken as the header");
            continue;
        }
        if (rc) {
            sw_log_bad(c, rec.line, "%s", err.message);
            break;
        }
        c->row_offset = r.owned ? 0 : rec.offset;
        if (!r.owned && (rec.line & 1023) == 0)
            sw_log_advance(c, (size_t)rec.offset);
        if (!have_header) {
            have_header = 1;
            if (sw_csv_header_set(&h, rec.fields, rec.nfields)) {
                sw_log_bad(c, rec.line, "header row too large");
                break;
            }
            src = source_for(&h);
            if (!src) {
                sw_log_bad(c, rec.line, "CSV header names no log source spoofwatch reads "
                                        "(see docs/sources.md); file skipped");
                break;
            }
            continue;
        }
        src->read(c, &h, &rec);
    }
    sw_csv_header_free(&h);
    sw_csv_close(&r);
    return 0;
}

/* ---- sniffing ---- */

/* The first line as a header: comma-separated names, quotes dropped. */
static void header_of(char *line, sw_csv_header *h)
{
    char *names[SW_MAX_CSV_FIELDS];
    size_t n = 0;
    char *p = line;
    while (n < SW_MAX_CSV_FIELDS) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        char *s = p;
        size_t m = strlen(s);
        if (m >= 2 && s[0] == '"' && s[m - 1] == '"') {
            s[m - 1] = '\0';
            s++;
        }
        names[n++] = s;
        if (!comma)
            break;
        p = comma + 1;
    }
    sw_csv_header_set(h, names, n);
}

/* "2024-01-25T15:16:09.843Z," : an ISO 8601 date-time, then a comma */
static int iso_time_then_comma(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i = 0;
    for (; shape[i]; i++) {
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return 0;
    }
    if (s[i] == '.')
        for (i++; isdigit((unsigned char)s[i]); i++)
            ;
    if (s[i] == 'Z')
        i++;
    return s[i] == ',';
}

/* Line n (0-based) of text into out, without its line end. */
static void nth_line(const char *text, int n, char *out, size_t cap)
{
    const char *p = text;
    for (int i = 0; i < n && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    size_t m = 0;
    if (p) {
        /* up to the line end, the text's end or cap - 1 bytes, whichever comes first */
        m = strnlen(p, cap - 1);
        const char *nl = memchr(p, '\n', m);
        if (nl)
            m = (size_t)(nl - p);
    }
    if (m && p[m - 1] == '\r')
        m--;
    if (p)
        memcpy(out, p, m);
    out[m] = '\0';
}

sw_format sw_log_sniff_csv(const char *data, size_t len)
{
    char text[16384], line[8192];
    /* Only the first two lines are looked at, so only they are copied: every mail file of a
     * Maildir walk comes through here. (UTF-16 keeps the byte cap: its line ends are two
     * bytes.) */
    size_t head = len;
    if (!sw_utf16_bom(data, len)) {
        const char *nl = memchr(data, '\n', len < sizeof text ? len : sizeof text);
        if (nl)
            nl = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - data));
        if (nl)
            head = (size_t)(nl + 1 - data);
    }
    sw_csv_head(data, head, text, sizeof text);
    nth_line(text, 0, line, sizeof line);
    if (!strncasecmp(line, "#Software: Microsoft Exchange", 29) ||
        !strncasecmp(line, "#Fields: ", 9))
        return SW_FMT_TRACKLOG;
    if (iso_time_then_comma(line))
        return SW_FMT_TRACKLOG;
    /* Export-Csv's "#TYPE ..." line comes before the header */
    if (!strncmp(line, "#TYPE ", 6))
        nth_line(text, 1, line, sizeof line);
    /* a header row has commas and no colon: that keeps every mail header line out */
    if (!strchr(line, ',') || strchr(line, ':'))
        return SW_FMT_UNKNOWN;
    sw_csv_header h;
    sw_csv_header_init(&h);
    header_of(line, &h);
    const sw_csv_source *src = source_for(&h);
    sw_csv_header_free(&h);
    return src ? SW_FMT_CSVLOG : SW_FMT_UNKNOWN;
}

const sw_jv *sw_log_csv_as_json(sw_arena *a, const sw_csv_header *h, const sw_csv_record *rec)
{
    sw_jmember *m = sw_arena_alloc(a, (h->count ? h->count : 1) * sizeof *m);
    sw_jv *obj = sw_arena_alloc(a, sizeof *obj);
    if (!m || !obj)
        return NULL;
    uint32_t n = 0;
    for (size_t i = 0; i < h->count; i++) {
        const char *v = sw_csv_cell(rec, (int)i);
        if (!v || !*v)
            continue;
        const char *name = h->names[i];
        size_t len = strlen(name);
        if (len > 6 && !strcmp(name + len - 6, " [UTC]"))
            name = sw_arena_strndup(a, name, len -= 6);
        if (!name)
            return NULL;
        m[n].key = name;
        m[n].keylen = (uint32_t)len;
        m[n].value = (sw_jv){.type = SW_J_STRING, .len = (uint32_t)strlen(v), .u.s = v};
        n++;
    }
    *obj = (sw_jv){.type = SW_J_OBJECT, .len = n, .u.members = m};
    return obj;
}
