/* Coverage report: see include/spoofwatch/coverage.h.
 *
 * Owns the fact names of evidence.h (sw_evidence_fact_name) and the turning of the store's
 * (source, day) cells into the report an admin uses to prove their logging has no blind
 * spots (MITRE AN1205). Everything the report points to lives in the arena passed to
 * sw_coverage_report_build(): the merged cells, the source names (copied, so the report
 * outlives the caller's cells), the gaps, the blind spots and their sentences. Nothing is
 * freed here; the arena's owner frees it all at once. The writers only append to the
 * caller's buffer.
 *
 * Blind spots are computed day by day over the whole span, capped at the first
 * SW_COVERAGE_MAX_DAYS days so that one absurd date in a hostile log cannot make the
 * report allocate a day array for centuries; gaps need no day array and are always
 * complete. */
#include "spoofwatch/coverage.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/error.h"
#include "spoofwatch/json.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ten years of days: enough for any retention an admin has to prove. */
#define SW_COVERAGE_MAX_DAYS 3660
/* Longest source id kept; a store row with a longer one is cut (it is a format name). */
#define SW_COVERAGE_MAX_SOURCE 128
/* Sentence buffer: the present list is cut well before this so the fact list still fits. */
#define SW_COVERAGE_TEXT 768
#define SW_COVERAGE_PRESENT_MAX 320

#define EV_ALL ((1u << SW_EV_NFACTS) - 1u)
#define EV_AUTH (SW_EV_SPF | SW_EV_DKIM | SW_EV_DMARC)
/* A run is reported when one of these is missing: the evidence AN1205 asks a responder to
 * have (authentication outcomes, sender, recipients, message identifiers, delivery status).
 * From and the client IP are informational: they are in every run's missing mask, named in
 * a reported run's list and sentence, and shown per source in the table, but a run
 * missing only them is not reported: neither is on that list, and what the verdict draws
 * from them (alignment, sending network) is judged through the authentication results. */
#define EV_REPORTED                                                                                \
    (EV_AUTH | SW_EV_ENVELOPE | SW_EV_RECIPIENTS | SW_EV_MESSAGE_ID | SW_EV_DELIVERY)

static const char *const fact_names[SW_EV_NFACTS] = {
    "spf", "dkim", "dmarc", "envelope_from", "recipients", "message_id", "delivery", "from",
    "client_ip"};

const char *sw_evidence_fact_name(unsigned bit)
{
    /* exactly one known bit: a mask of several has no single name */
    if (!bit || (bit & (bit - 1u)) || !(bit & EV_ALL))
        return NULL;
    return fact_names[__builtin_ctz(bit)];
}

/* ---- building ---------------------------------------------------------------------------- */

typedef struct cov_cell {
    const char *source; /* the caller's string until sources are copied */
    int64_t day;
    uint64_t records;
    uint64_t facts[SW_EV_NFACTS];
    size_t src; /* index into the report's sources */
} cov_cell;

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Days from a to b inclusive, b >= a, without signed overflow; the full int64 range
 * saturates. */
static uint64_t days_between(int64_t a, int64_t b)
{
    uint64_t d = (uint64_t)b - (uint64_t)a;
    return d == UINT64_MAX ? UINT64_MAX : d + 1;
}

static int cmp_cell(const void *x, const void *y)
{
    const cov_cell *a = x, *b = y;
    int c = strcmp(a->source, b->source);
    if (c)
        return c;
    return a->day < b->day ? -1 : a->day > b->day;
}

/* Bounded sentence builder on the stack: appends are cut at the buffer's end, never past. */
typedef struct tbuf {
    char s[SW_COVERAGE_TEXT];
    size_t n;
} tbuf;

static void tb_put(tbuf *t, const char *s)
{
    size_t room = sizeof t->s - 1 - t->n, k = strlen(s);
    if (k > room) {
        k = room;
        /* never leave half a UTF-8 sequence at the cut */
        while (k && ((unsigned char)s[k] & 0xC0u) == 0x80u)
            k--;
    }
    memcpy(t->s + t->n, s, k);
    t->n += k;
    t->s[t->n] = '\0';
}

/* "2024-03-04" for a UTC day number; days whose year would not print as a date say so. */
static void day_str(int64_t day, char out[32])
{
    if (day > INT64_C(1000000000000) || day < -INT64_C(1000000000000)) {
        snprintf(out, 32, "day %" PRId64, day);
        return;
    }
    sw_datetime_format_utc(day * 86400, out);
    char *t = strchr(out, 'T');
    if (t)
        *t = '\0';
}

/* "2024-03-04..2024-03-06", or one date for a single day. */
static void range_str(int64_t first, int64_t last, char out[80])
{
    char a[32], b[32];
    day_str(first, a);
    if (first == last) {
        snprintf(out, 80, "%s", a);
        return;
    }
    day_str(last, b);
    snprintf(out, 80, "%s..%s", a, b);
}

/* What an admin calls the source. Ids checked against the readers (src/readers/logs and
 * sniff.c's format names); an unknown id is shown as it is. */
static const struct {
    const char *id;
    int prefix;
    const char *name;
} friendly_names[] = {
    {"defender-emailevents", 0, "EmailEvents"},
    {"o365-timaildata", 0, "TIMailData"},
    {"exo-message-trace", 1, "message trace"},
    {"exo-report", 0, "message trace report"},
    {"gmail", 1, "Gmail logs"},
    {"exchange-tracking", 0, "Exchange tracking log"},
    {"eml", 0, "mail headers"},
    {"mbox", 0, "mail headers"},
    {"maildir", 0, "mail headers"},
    {"emlx", 0, "mail headers"},
    {"partial-emlx", 0, "mail headers"},
};
#define NFRIENDLY (sizeof friendly_names / sizeof friendly_names[0])

/* Index into friendly_names, or -1. */
static int friendly(const char *id)
{
    for (size_t i = 0; i < NFRIENDLY; i++) {
        size_t k = strlen(friendly_names[i].id);
        if (friendly_names[i].prefix ? !strncmp(id, friendly_names[i].id, k)
                                     : !strcmp(id, friendly_names[i].id))
            return (int)i;
    }
    return -1;
}

/* "message trace only", "EmailEvents, mail headers", "no source": friendly names, each
 * once (eml and mbox are both "mail headers"), cut with "and N more" when long. The ids
 * are the report's distinct sources, so only names from the table can repeat. */
static void present_text(const char *const *ids, size_t n, tbuf *t)
{
    const char *seen[NFRIENDLY];
    size_t nseen = 0, distinct = 0, shown = 0;
    if (!n) {
        tb_put(t, "no source");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int k = friendly(ids[i]);
        const char *name = k < 0 ? ids[i] : friendly_names[k].name;
        if (k >= 0) {
            int dup = 0;
            for (size_t q = 0; q < nseen && !dup; q++)
                dup = !strcmp(seen[q], name);
            if (dup)
                continue;
            seen[nseen++] = name;
        }
        distinct++;
        if (t->n < SW_COVERAGE_PRESENT_MAX) {
            if (shown)
                tb_put(t, ", ");
            tb_put(t, name);
            shown++;
        }
    }
    if (distinct == 1) {
        tb_put(t, " only");
    } else if (shown < distinct) {
        char more[48];
        snprintf(more, sizeof more, " and %zu more", distinct - shown);
        tb_put(t, more);
    }
}

/* "authentication results", "DKIM/DMARC results", then the other missing facts, joined
 * "a, b or c". */
static void missing_text(unsigned missing, tbuf *t)
{
    static const char *const other[SW_EV_NFACTS] = {
        NULL, NULL, NULL, "envelope sender", "recipients", "Message-IDs", "delivery outcomes",
        "header From", "sending IP"};
    static const char *const auth_upper[3] = {"SPF", "DKIM", "DMARC"};
    const char *items[SW_EV_NFACTS];
    size_t n = 0;
    char auth[48] = "";
    if ((missing & EV_AUTH) == EV_AUTH) {
        items[n++] = "authentication results";
    } else if (missing & EV_AUTH) {
        size_t k = 0, len = 0;
        unsigned m = missing & EV_AUTH;
        for (unsigned b = 0; b < 3; b++) {
            if (!(m & (1u << b)))
                continue;
            len += (size_t)snprintf(auth + len, sizeof auth - len, "%s%s", k ? "/" : "",
                                    auth_upper[b]);
            k++;
        }
        snprintf(auth + len, sizeof auth - len, " results");
        items[n++] = auth;
    }
    for (unsigned b = 3; b < SW_EV_NFACTS; b++)
        if (missing & (1u << b))
            items[n++] = other[b];
    for (size_t i = 0; i < n; i++) {
        if (i)
            tb_put(t, i + 1 == n ? " or " : ", ");
        tb_put(t, items[i]);
    }
}

/* Fills one blind spot for days [d0, d1] of the checked window. */
static int blind_spot(sw_arena *a, const sw_coverage_report *r, int64_t first, size_t d0,
                      size_t d1, unsigned missing, const size_t *ids, size_t nids,
                      sw_coverage_gap *g)
{
    memset(g, 0, sizeof *g);
    g->first_day = first + (int64_t)d0;
    g->last_day = first + (int64_t)d1;
    g->missing = missing;
    const char **pid = NULL;
    if (nids) {
        pid = sw_arena_alloc(a, nids * sizeof *pid);
        if (!pid)
            return SW_ENOMEM;
        for (size_t i = 0; i < nids; i++)
            pid[i] = r->sources[ids[i]].source;
    }
    g->present_ids = pid;
    g->npresent = nids;

    tbuf t = {.n = 0};
    t.s[0] = '\0';
    present_text(pid, nids, &t);
    g->present = sw_arena_strndup(a, t.s, t.n);
    if (!g->present)
        return SW_ENOMEM;
    char range[80];
    range_str(g->first_day, g->last_day, range);
    tb_put(&t, ": no ");
    if (nids)
        missing_text(missing, &t);
    else
        tb_put(&t, "records"); /* no source at all: everything is missing */
    tb_put(&t, " for ");
    tb_put(&t, range);
    g->text = sw_arena_strndup(a, t.s, t.n);
    return g->text ? SW_OK : SW_ENOMEM;
}

/* The day-by-day pass: for each day of the window, the facts some source carried and the
 * sources present (as slices of one index array, ascending source order), then runs of
 * equal days. */
static int blind_spots(sw_arena *a, const cov_cell *c, size_t nc, sw_coverage_report *r)
{
    uint64_t span = days_between(r->first_day, r->last_day);
    size_t nd = span > SW_COVERAGE_MAX_DAYS ? SW_COVERAGE_MAX_DAYS : (size_t)span;
    unsigned *carried = sw_arena_calloc(a, nd * sizeof *carried);
    size_t *start = sw_arena_calloc(a, (nd + 1) * sizeof *start);
    size_t *fill = sw_arena_alloc(a, nd * sizeof *fill);
    if (!carried || !start || !fill)
        return SW_ENOMEM;
    for (size_t i = 0; i < nc; i++) {
        uint64_t off = (uint64_t)c[i].day - (uint64_t)r->first_day;
        if (off >= nd)
            continue;
        start[off + 1]++;
        for (unsigned b = 0; b < SW_EV_NFACTS; b++)
            if (c[i].facts[b])
                carried[off] |= 1u << b;
    }
    for (size_t d = 0; d < nd; d++)
        start[d + 1] += start[d];
    size_t total = start[nd];
    size_t *ids = sw_arena_alloc(a, (total ? total : 1) * sizeof *ids);
    if (!ids)
        return SW_ENOMEM;
    memcpy(fill, start, nd * sizeof *fill);
    /* cells are sorted by source, so each day's slice comes out in source order */
    for (size_t i = 0; i < nc; i++) {
        uint64_t off = (uint64_t)c[i].day - (uint64_t)r->first_day;
        if (off < nd)
            ids[fill[off]++] = c[i].src;
    }

    /* two passes over the runs: count, then fill */
    for (int pass = 0; pass < 2; pass++) {
        size_t n = 0;
        for (size_t d = 0; d < nd;) {
            size_t e = d, len = start[d + 1] - start[d];
            while (e + 1 < nd && carried[e + 1] == carried[d] &&
                   start[e + 2] - start[e + 1] == len &&
                   !memcmp(ids + start[e + 1], ids + start[d], len * sizeof *ids))
                e++;
            unsigned missing = EV_ALL & ~carried[d];
            if (missing & EV_REPORTED) {
                if (pass == 1) {
                    int rc = blind_spot(a, r, r->first_day, d, e, missing, ids + start[d], len,
                                        &r->blind_spots[n]);
                    if (rc)
                        return rc;
                }
                n++;
            }
            d = e + 1;
        }
        if (pass == 0) {
            if (!n)
                return SW_OK;
            r->blind_spots = sw_arena_alloc(a, n * sizeof *r->blind_spots);
            if (!r->blind_spots)
                return SW_ENOMEM;
        }
        r->nblind_spots = n;
    }
    return SW_OK;
}

int sw_coverage_report_build(sw_arena *a, const sw_coverage_cell *cells, size_t ncells,
                             uint64_t undated, sw_coverage_report *out)
{
    memset(out, 0, sizeof *out);
    out->undated = undated;
    if (!ncells)
        return SW_OK;
    if (ncells > SIZE_MAX / sizeof(cov_cell))
        return SW_ENOMEM;
    cov_cell *c = sw_arena_alloc(a, ncells * sizeof *c);
    if (!c)
        return SW_ENOMEM;
    size_t nc = 0;
    for (size_t i = 0; i < ncells; i++) {
        const sw_coverage_cell *in = &cells[i];
        if (!in->records) /* a day without records is not a day the source was present */
            continue;
        cov_cell *o = &c[nc++];
        o->source = in->source && *in->source ? in->source : "(unknown)";
        o->day = in->day;
        o->records = in->records;
        /* a cell cannot carry a fact on more records than it has */
        for (unsigned b = 0; b < SW_EV_NFACTS; b++)
            o->facts[b] = in->facts[b] < in->records ? in->facts[b] : in->records;
        o->src = 0;
    }
    if (!nc)
        return SW_OK;
    qsort(c, nc, sizeof *c, cmp_cell);

    /* the same (source, day) twice is one day: sum it */
    size_t m = 0, nsrc = 0;
    for (size_t i = 0; i < nc; i++) {
        if (m && c[m - 1].day == c[i].day && !strcmp(c[m - 1].source, c[i].source)) {
            c[m - 1].records = sat_add(c[m - 1].records, c[i].records);
            for (unsigned b = 0; b < SW_EV_NFACTS; b++)
                c[m - 1].facts[b] = sat_add(c[m - 1].facts[b], c[i].facts[b]);
            continue;
        }
        if (!m || strcmp(c[m - 1].source, c[i].source))
            nsrc++;
        c[m++] = c[i];
    }
    nc = m;

    out->sources = sw_arena_calloc(a, nsrc * sizeof *out->sources);
    if (!out->sources)
        return SW_ENOMEM;
    size_t ngaps = 0, s = 0;
    for (size_t i = 0; i < nc; i++) {
        if (i && strcmp(c[i - 1].source, c[i].source))
            s++;
        sw_coverage_source *src = &out->sources[s];
        if (!src->source) {
            size_t len = strnlen(c[i].source, SW_COVERAGE_MAX_SOURCE);
            src->source = sw_arena_strndup(a, c[i].source, len);
            if (!src->source)
                return SW_ENOMEM;
            src->first_day = c[i].day;
        } else if ((uint64_t)c[i].day - (uint64_t)src->last_day > 1) {
            ngaps++;
        }
        src->last_day = c[i].day;
        src->days_with_records++;
        src->records = sat_add(src->records, c[i].records);
        for (unsigned b = 0; b < SW_EV_NFACTS; b++)
            src->facts[b] = sat_add(src->facts[b], c[i].facts[b]);
        c[i].src = s;
    }
    out->nsources = nsrc;
    out->first_day = out->sources[0].first_day;
    out->last_day = out->sources[0].last_day;
    for (size_t i = 1; i < nsrc; i++) {
        if (out->sources[i].first_day < out->first_day)
            out->first_day = out->sources[i].first_day;
        if (out->sources[i].last_day > out->last_day)
            out->last_day = out->sources[i].last_day;
    }

    if (ngaps) {
        out->gaps = sw_arena_alloc(a, ngaps * sizeof *out->gaps);
        if (!out->gaps)
            return SW_ENOMEM;
        size_t g = 0;
        for (size_t i = 1; i < nc; i++) {
            if (c[i].src != c[i - 1].src || (uint64_t)c[i].day - (uint64_t)c[i - 1].day <= 1)
                continue;
            sw_coverage_gap *gp = &out->gaps[g++];
            memset(gp, 0, sizeof *gp);
            gp->source = out->sources[c[i].src].source;
            gp->first_day = c[i - 1].day + 1;
            gp->last_day = c[i].day - 1;
        }
        out->ngaps = g;
    }
    return blind_spots(a, c, nc, out);
}

/* ---- text -------------------------------------------------------------------------------- */

/* Source ids come from the store: control bytes are shown as '?', and a name longer than
 * max is cut (on a UTF-8 boundary); pad > 0 fills with spaces to that width so the table
 * stays a table. */
static int put_name(sw_buf *o, const char *s, size_t max, size_t pad)
{
    size_t n = strnlen(s, max);
    if (s[n])
        while (n && ((unsigned char)s[n] & 0xC0u) == 0x80u)
            n--;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char ch = (unsigned char)s[i];
        rc = sw_buf_putc(o, ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
    }
    for (size_t i = n; i < pad && !rc; i++)
        rc = sw_buf_putc(o, ' ');
    return rc;
}

/* 0% only when none and 100% only when all, so a rounded figure never hides a hole. */
static unsigned percent(uint64_t n, uint64_t d)
{
    if (!d || !n)
        return 0;
    if (n >= d)
        return 100;
    double p = (double)n * 100.0 / (double)d + 0.5;
    unsigned v = (unsigned)p;
    return v < 1 ? 1 : v > 99 ? 99 : v;
}

static int days_word(sw_buf *o, uint64_t n)
{
    return sw_buf_printf(o, "%" PRIu64 " day%s", n, n == 1 ? "" : "s");
}

static uint64_t checked_days(const sw_coverage_report *r)
{
    uint64_t span = days_between(r->first_day, r->last_day);
    return span > SW_COVERAGE_MAX_DAYS ? SW_COVERAGE_MAX_DAYS : span;
}

int sw_coverage_write_text(const sw_coverage_report *r, sw_buf *o)
{
    static const char *const cols[SW_EV_NFACTS] = {"spf",   "dkim",  "dmarc", "env", "rcpt",
                                                   "msgid", "deliv", "from",  "ip"};
    int rc = 0;
    char range[80], f[32], l[32];
    if (!r->nsources) {
        rc |= sw_buf_printf(o, "Coverage: no dated records.\n");
        rc |= sw_buf_printf(o, "Undated records: %" PRIu64 "\n", r->undated);
        return rc ? SW_ELIMIT : SW_OK;
    }
    uint64_t span = days_between(r->first_day, r->last_day), dated = 0;
    for (size_t i = 0; i < r->nsources; i++)
        dated = sat_add(dated, r->sources[i].records);
    range_str(r->first_day, r->last_day, range);
    rc |= sw_buf_printf(o, "Coverage %s (", range);
    rc |= days_word(o, span);
    rc |= sw_buf_printf(o, "): %zu source%s, %" PRIu64 " dated record%s, %" PRIu64
                           " undated\n",
                        r->nsources, r->nsources == 1 ? "" : "s", dated, dated == 1 ? "" : "s",
                        r->undated);

    size_t w = 6;
    for (size_t i = 0; i < r->nsources; i++) {
        size_t k = strnlen(r->sources[i].source, 40);
        if (k > w)
            w = k;
    }
    rc |= sw_buf_printf(o, "\nSources (share of each source's records carrying the fact)\n  ");
    rc |= put_name(o, "source", w, w);
    rc |= sw_buf_printf(o, " %10s  %-10s  %-10s  %9s", "records", "first", "last", "days");
    for (unsigned b = 0; b < SW_EV_NFACTS; b++)
        rc |= sw_buf_printf(o, " %5s", cols[b]);
    rc |= sw_buf_putc(o, '\n');
    for (size_t i = 0; i < r->nsources; i++) {
        const sw_coverage_source *s = &r->sources[i];
        char days[48];
        day_str(s->first_day, f);
        day_str(s->last_day, l);
        snprintf(days, sizeof days, "%" PRIu64 "/%" PRIu64, s->days_with_records,
                 days_between(s->first_day, s->last_day));
        rc |= sw_buf_puts(o, "  ");
        rc |= put_name(o, s->source, w, w);
        rc |= sw_buf_printf(o, " %10" PRIu64 "  %-10s  %-10s  %9s", s->records, f, l, days);
        for (unsigned b = 0; b < SW_EV_NFACTS; b++)
            rc |= sw_buf_printf(o, " %4u%%", percent(s->facts[b], s->records));
        rc |= sw_buf_putc(o, '\n');
    }
    rc |= sw_buf_puts(o, "  days: days with records / days from first to last; env: envelope "
                         "sender, rcpt: recipients,\n  msgid: Message-ID, deliv: delivery "
                         "outcome, from: header From, ip: sending IP\n");

    rc |= sw_buf_puts(o, "\nGaps (days inside a source's span with no records from it)\n");
    if (!r->ngaps)
        rc |= sw_buf_puts(o, "  none\n");
    for (size_t i = 0; i < r->ngaps; i++) {
        const sw_coverage_gap *g = &r->gaps[i];
        range_str(g->first_day, g->last_day, range);
        rc |= sw_buf_puts(o, "  ");
        rc |= put_name(o, g->source, SW_COVERAGE_MAX_SOURCE, 0);
        rc |= sw_buf_printf(o, ": no records %s (", range);
        rc |= days_word(o, days_between(g->first_day, g->last_day));
        rc |= sw_buf_puts(o, ")\n");
    }

    rc |= sw_buf_puts(o, "\nBlind spots (days on which no source carried a fact: that evidence is "
                         "missing for every message of those days)\n");
    if (!r->nblind_spots)
        rc |= sw_buf_puts(o, "  none: every day had authentication results, envelope sender, "
                             "recipients, Message-IDs and delivery outcomes from some source\n");
    for (size_t i = 0; i < r->nblind_spots; i++) {
        const sw_coverage_gap *g = &r->blind_spots[i];
        rc |= sw_buf_puts(o, "  ");
        rc |= put_name(o, g->text ? g->text : "", SW_COVERAGE_TEXT, 0);
        rc |= sw_buf_puts(o, " (");
        rc |= days_word(o, days_between(g->first_day, g->last_day));
        rc |= sw_buf_puts(o, ")\n");
    }
    if (span > SW_COVERAGE_MAX_DAYS) {
        day_str(r->first_day + SW_COVERAGE_MAX_DAYS - 1, l);
        rc |= sw_buf_printf(o, "  note: the span is %" PRIu64 " days; blind spots were checked "
                               "for the first %d days only (through %s)\n",
                            span, SW_COVERAGE_MAX_DAYS, l);
    }

    rc |= sw_buf_printf(o, "\nUndated records: %" PRIu64 "%s\n", r->undated,
                        r->undated ? " (no event time or Date header: counted in no day above)"
                                   : "");
    return rc ? SW_ELIMIT : SW_OK;
}

/* ---- JSON -------------------------------------------------------------------------------- */

static void json_day(sw_json *j, const char *key, int64_t day)
{
    char d[32];
    day_str(day, d);
    sw_json_kv_string(j, key, d);
}

static void json_missing(sw_json *j, unsigned missing)
{
    SW_JSON_KEY(j, "missing");
    sw_json_array_begin(j);
    for (unsigned b = 0; b < SW_EV_NFACTS; b++)
        if (missing & (1u << b))
            sw_json_string(j, fact_names[b]);
    sw_json_array_end(j);
}

int sw_coverage_write_json(const sw_coverage_report *r, sw_buf *out)
{
    sw_json j;
    sw_json_init(&j, out);
    sw_json_object_begin(&j);
    if (r->nsources) {
        json_day(&j, "first_day", r->first_day);
        json_day(&j, "last_day", r->last_day);
        SW_JSON_KEY(&j, "span_days");
        sw_json_uint(&j, days_between(r->first_day, r->last_day));
        json_day(&j, "checked_through", r->first_day + (int64_t)checked_days(r) - 1);
        SW_JSON_KV_BOOL(&j, "truncated",
                        days_between(r->first_day, r->last_day) > SW_COVERAGE_MAX_DAYS);
    } else {
        SW_JSON_KEY(&j, "first_day");
        sw_json_null(&j);
        SW_JSON_KEY(&j, "last_day");
        sw_json_null(&j);
    }
    SW_JSON_KEY(&j, "undated");
    sw_json_uint(&j, r->undated);

    SW_JSON_KEY(&j, "sources");
    sw_json_array_begin(&j);
    for (size_t i = 0; i < r->nsources; i++) {
        const sw_coverage_source *s = &r->sources[i];
        sw_json_object_begin(&j);
        SW_JSON_KV_STRING(&j, "source", s->source);
        json_day(&j, "first", s->first_day);
        json_day(&j, "last", s->last_day);
        SW_JSON_KEY(&j, "days");
        sw_json_uint(&j, s->days_with_records);
        SW_JSON_KEY(&j, "records");
        sw_json_uint(&j, s->records);
        SW_JSON_KEY(&j, "facts");
        sw_json_object_begin(&j);
        for (unsigned b = 0; b < SW_EV_NFACTS; b++) {
            sw_json_key(&j, fact_names[b]);
            sw_json_uint(&j, s->facts[b]);
        }
        sw_json_object_end(&j);
        sw_json_object_end(&j);
    }
    sw_json_array_end(&j);

    SW_JSON_KEY(&j, "gaps");
    sw_json_array_begin(&j);
    for (size_t i = 0; i < r->ngaps; i++) {
        const sw_coverage_gap *g = &r->gaps[i];
        sw_json_object_begin(&j);
        SW_JSON_KV_STRING(&j, "source", g->source);
        json_day(&j, "first", g->first_day);
        json_day(&j, "last", g->last_day);
        SW_JSON_KEY(&j, "days");
        sw_json_uint(&j, days_between(g->first_day, g->last_day));
        sw_json_object_end(&j);
    }
    sw_json_array_end(&j);

    SW_JSON_KEY(&j, "blind_spots");
    sw_json_array_begin(&j);
    for (size_t i = 0; i < r->nblind_spots; i++) {
        const sw_coverage_gap *g = &r->blind_spots[i];
        sw_json_object_begin(&j);
        json_day(&j, "first", g->first_day);
        json_day(&j, "last", g->last_day);
        SW_JSON_KEY(&j, "days");
        sw_json_uint(&j, days_between(g->first_day, g->last_day));
        json_missing(&j, g->missing);
        SW_JSON_KEY(&j, "present");
        sw_json_array_begin(&j);
        for (size_t k = 0; k < g->npresent; k++)
            sw_json_string(&j, g->present_ids[k]);
        sw_json_array_end(&j);
        SW_JSON_KV_STRING(&j, "text", g->text);
        sw_json_object_end(&j);
    }
    sw_json_array_end(&j);
    sw_json_object_end(&j);
    return j.status;
}
