/* Unit tests: the coverage report (per-source facts, gaps, blind spots) from hand-built
 * store cells, as text and as JSON read back. */
#include "test.h"
#include "spoofwatch/coverage.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/error.h"
#include "spoofwatch/jsonread.h"

#include <stdint.h>
#include <stdio.h>

#define ALL_FACTS ((1u << SW_EV_NFACTS) - 1u)
#define AUTH (SW_EV_SPF | SW_EV_DKIM | SW_EV_DMARC)

static int64_t march(unsigned d)
{
    return sw_days_from_civil(2024, 3, d);
}

/* A cell of n records, every one carrying the facts in mask. */
static sw_coverage_cell cell(const char *source, int64_t day, uint64_t n, unsigned mask)
{
    sw_coverage_cell c;
    memset(&c, 0, sizeof c);
    c.source = source;
    c.day = day;
    c.records = n;
    for (unsigned b = 0; b < SW_EV_NFACTS; b++)
        c.facts[b] = mask & (1u << b) ? n : 0;
    return c;
}

/* Message trace carries everything but authentication results. */
#define TRACE_FACTS (ALL_FACTS & ~AUTH)

static int build(sw_arena *a, const sw_coverage_cell *c, size_t n, uint64_t undated,
                 sw_coverage_report *r)
{
    sw_arena_init(a, 1u << 22);
    return sw_coverage_report_build(a, c, n, undated, r);
}

SW_TEST(coverage_fact_names)
{
    CHECK_STR(sw_evidence_fact_name(SW_EV_SPF), "spf");
    CHECK_STR(sw_evidence_fact_name(SW_EV_ENVELOPE), "envelope_from");
    CHECK_STR(sw_evidence_fact_name(SW_EV_MESSAGE_ID), "message_id");
    CHECK_STR(sw_evidence_fact_name(SW_EV_CLIENT_IP), "client_ip");
    CHECK(sw_evidence_fact_name(0) == NULL);
    CHECK(sw_evidence_fact_name(SW_EV_SPF | SW_EV_DKIM) == NULL);
    CHECK(sw_evidence_fact_name(1u << SW_EV_NFACTS) == NULL);
}

SW_TEST(coverage_message_trace_only_has_no_auth)
{
    sw_coverage_cell c[9];
    for (unsigned d = 1; d <= 9; d++)
        c[d - 1] = cell("exo-message-trace", march(10 - d), 40, TRACE_FACTS); /* reversed */
    sw_arena a;
    sw_coverage_report r;
    CHECK(build(&a, c, 9, 2, &r) == SW_OK);
    CHECK(r.nsources == 1 && r.ngaps == 0);
    CHECK(r.first_day == march(1) && r.last_day == march(9));
    CHECK(r.sources[0].days_with_records == 9 && r.sources[0].records == 360);
    CHECK(r.sources[0].facts[3] == 360 && r.sources[0].facts[0] == 0);
    CHECK(r.nblind_spots == 1);
    const sw_coverage_gap *g = &r.blind_spots[0];
    CHECK(g->first_day == march(1) && g->last_day == march(9));
    CHECK(g->missing == AUTH);
    CHECK_STR(g->present, "message trace only");
    CHECK(g->npresent == 1);
    CHECK_STR(g->present_ids[0], "exo-message-trace");
    CHECK_STR(g->text, "message trace only: no authentication results for 2024-03-01..2024-03-09");

    sw_buf t;
    sw_buf_init(&t, 1u << 20);
    CHECK(sw_coverage_write_text(&r, &t) == SW_OK);
    CHECK(strstr(t.data, "  message trace only: no authentication results for "
                         "2024-03-01..2024-03-09 (9 days)\n"));
    /* the table row: 360 records over 9 of 9 days, no SPF at all, every envelope sender */
    CHECK(strstr(t.data, "exo-message-trace        360  2024-03-01  2024-03-09        9/9"
                         "    0%    0%    0%  100%"));
    CHECK(strstr(t.data, "Undated records: 2 "));
    sw_buf_free(&t);
    sw_arena_free(&a);
}

/* EmailEvents stops for three days; message trace goes on but has no authentication
 * results, so those three days (and only those) are a blind spot, and EmailEvents has a
 * gap. */
static size_t two_sources(sw_coverage_cell *c)
{
    size_t n = 0;
    for (unsigned d = 1; d <= 9; d++) {
        c[n++] = cell("exo-message-trace", march(d), 50, TRACE_FACTS);
        if (d < 4 || d > 6)
            c[n++] = cell("defender-emailevents", march(d), 45, ALL_FACTS);
    }
    return n;
}

SW_TEST(coverage_second_source_fills_gap_and_gap_reported)
{
    sw_coverage_cell c[32];
    size_t n = two_sources(c);
    sw_arena a;
    sw_coverage_report r;
    CHECK(build(&a, c, n, 0, &r) == SW_OK);
    CHECK(r.nsources == 2);
    CHECK_STR(r.sources[0].source, "defender-emailevents"); /* sorted by name */
    CHECK(r.sources[0].days_with_records == 6 && r.sources[0].records == 270);
    CHECK(r.sources[0].first_day == march(1) && r.sources[0].last_day == march(9));
    CHECK(r.ngaps == 1);
    CHECK_STR(r.gaps[0].source, "defender-emailevents");
    CHECK(r.gaps[0].first_day == march(4) && r.gaps[0].last_day == march(6));
    /* days 1-3 and 7-9 have EmailEvents' authentication results: no blind spot there */
    CHECK(r.nblind_spots == 1);
    CHECK(r.blind_spots[0].first_day == march(4) && r.blind_spots[0].last_day == march(6));
    CHECK_STR(r.blind_spots[0].text,
              "message trace only: no authentication results for 2024-03-04..2024-03-06");

    sw_buf t;
    sw_buf_init(&t, 1u << 20);
    CHECK(sw_coverage_write_text(&r, &t) == SW_OK);
    CHECK(strstr(t.data, "  defender-emailevents: no records 2024-03-04..2024-03-06 (3 days)\n"));
    CHECK(strstr(t.data, "Coverage 2024-03-01..2024-03-09 (9 days): 2 sources, 720 dated "
                         "records, 0 undated\n"));
    sw_buf_free(&t);
    sw_arena_free(&a);
}

SW_TEST(coverage_duplicate_cells_are_summed)
{
    sw_coverage_cell c[4];
    c[0] = cell("o365-timaildata", march(2), 3, ALL_FACTS);
    c[1] = cell("o365-timaildata", march(1), 10, ALL_FACTS);
    c[2] = cell("o365-timaildata", march(2), 4, ALL_FACTS);
    c[2].facts[0] = 1; /* only one of these four has SPF */
    c[3] = cell("o365-timaildata", march(2), 0, ALL_FACTS); /* no records: not a day */
    sw_arena a;
    sw_coverage_report r;
    CHECK(build(&a, c, 4, 0, &r) == SW_OK);
    CHECK(r.nsources == 1);
    CHECK(r.sources[0].days_with_records == 2);
    CHECK(r.sources[0].records == 17);
    CHECK(r.sources[0].facts[0] == 14); /* 10 + 3 + 1 */
    CHECK(r.sources[0].facts[1] == 17);
    CHECK(r.ngaps == 0 && r.nblind_spots == 0);
    sw_arena_free(&a);
}

SW_TEST(coverage_days_without_any_source)
{
    /* mail never carries a delivery outcome; eml and mbox are both "mail headers" */
    unsigned mail = ALL_FACTS & ~SW_EV_DELIVERY;
    sw_coverage_cell c[] = {
        cell("mbox", march(1), 5, mail), cell("mbox", march(2), 5, mail),
        cell("eml", march(5), 1, mail), cell("mbox", march(5), 2, mail)};
    sw_arena a;
    sw_coverage_report r;
    CHECK(build(&a, c, 4, 0, &r) == SW_OK);
    CHECK(r.nsources == 2 && r.ngaps == 1); /* mbox: 3-4 */
    CHECK(r.nblind_spots == 3);
    CHECK_STR(r.blind_spots[0].text,
              "mail headers only: no delivery outcomes for 2024-03-01..2024-03-02");
    CHECK(r.blind_spots[0].missing == SW_EV_DELIVERY);
    const sw_coverage_gap *none = &r.blind_spots[1];
    CHECK(none->first_day == march(3) && none->last_day == march(4));
    CHECK(none->missing == ALL_FACTS && none->npresent == 0);
    CHECK_STR(none->present, "no source");
    CHECK_STR(none->text, "no source: no records for 2024-03-03..2024-03-04");
    /* a different set of sources starts a new run, even with the same missing facts */
    CHECK(r.blind_spots[2].npresent == 2);
    CHECK_STR(r.blind_spots[2].present_ids[0], "eml");
    CHECK_STR(r.blind_spots[2].text, "mail headers only: no delivery outcomes for 2024-03-05");
    sw_arena_free(&a);
}

SW_TEST(coverage_partial_auth_and_several_sources)
{
    unsigned no_dkim = ALL_FACTS & ~SW_EV_DKIM;
    sw_coverage_cell c[] = {cell("gmail-log-search", march(1), 7, no_dkim),
                            cell("mbox", march(1), 3, no_dkim & ~SW_EV_DELIVERY),
                            cell("dmarc-aggregate", march(2), 3, AUTH | SW_EV_FROM),
                            cell("gmail-log-search", march(2), 7, ALL_FACTS & ~SW_EV_FROM)};
    sw_arena a;
    sw_coverage_report r;
    CHECK(build(&a, c, 4, 0, &r) == SW_OK);
    /* day 2 misses nothing that counts: From is informational and dmarc-aggregate has it */
    CHECK(r.nblind_spots == 1);
    CHECK_STR(r.blind_spots[0].text, "Gmail logs, mail headers: no DKIM results for 2024-03-01");
    sw_arena_free(&a);

    /* From and client IP alone are not reported; with another hole they are named */
    sw_coverage_cell d[] = {cell("exo-report", march(1), 4, ALL_FACTS & ~SW_EV_FROM),
                            cell("exo-report", march(2), 4,
                                 ALL_FACTS & ~(SW_EV_FROM | SW_EV_DMARC | SW_EV_SPF))};
    CHECK(build(&a, d, 2, 0, &r) == SW_OK);
    CHECK(r.nblind_spots == 1);
    CHECK_STR(r.blind_spots[0].text,
              "message trace report only: no SPF/DMARC results or header From for 2024-03-02");
    sw_arena_free(&a);
}

SW_TEST(coverage_json_reads_back)
{
    sw_coverage_cell c[32];
    size_t n = two_sources(c);
    sw_arena a;
    sw_coverage_report r;
    CHECK(build(&a, c, n, 5, &r) == SW_OK);
    sw_buf out;
    sw_buf_init(&out, 1u << 20);
    CHECK(sw_coverage_write_json(&r, &out) == SW_OK);

    sw_jreader *jr = sw_jreader_new();
    CHECK(jr);
    sw_arena ja;
    sw_arena_init(&ja, 1u << 22);
    const sw_jv *doc = NULL;
    int rc = sw_jparse(jr, &ja, out.data, out.len, &doc, NULL);
    int64_t v = -1;
    const sw_jv *src0 = sw_jindex(sw_jget(doc, "sources"), 0);
    const sw_jv *gap0 = sw_jindex(sw_jget(doc, "gaps"), 0);
    const sw_jv *bs = sw_jget(doc, "blind_spots");
    const sw_jv *bs0 = sw_jindex(bs, 0);
    int ok = rc == 0 && doc && doc->type == SW_J_OBJECT;
    ok = ok && !strcmp(sw_jget_str(doc, "first_day"), "2024-03-01");
    ok = ok && !strcmp(sw_jget_str(doc, "last_day"), "2024-03-09");
    ok = ok && sw_jint(sw_jget(doc, "undated"), &v) == 0 && v == 5;
    ok = ok && sw_jget(doc, "sources")->len == 2;
    ok = ok && !strcmp(sw_jget_str(src0, "source"), "defender-emailevents");
    ok = ok && !strcmp(sw_jget_str(src0, "first"), "2024-03-01");
    ok = ok && sw_jint(sw_jget(src0, "days"), &v) == 0 && v == 6;
    ok = ok && sw_jint(sw_jget(src0, "records"), &v) == 0 && v == 270;
    ok = ok && sw_jint(sw_jpath(src0, "facts.dmarc"), &v) == 0 && v == 270;
    ok = ok && sw_jint(sw_jpath(src0, "facts.client_ip"), &v) == 0 && v == 270;
    ok = ok && !strcmp(sw_jget_str(gap0, "first"), "2024-03-04");
    ok = ok && sw_jint(sw_jget(gap0, "days"), &v) == 0 && v == 3;
    ok = ok && bs && bs->len == 1;
    ok = ok && !strcmp(sw_jget_str(bs0, "last"), "2024-03-06");
    ok = ok && sw_jint(sw_jget(bs0, "days"), &v) == 0 && v == 3;
    const sw_jv *miss = sw_jget(bs0, "missing");
    ok = ok && miss && miss->len == 3 && !strcmp(sw_jstr(sw_jindex(miss, 0)), "spf") &&
         !strcmp(sw_jstr(sw_jindex(miss, 2)), "dmarc");
    const sw_jv *pres = sw_jget(bs0, "present");
    ok = ok && pres && pres->len == 1 &&
         !strcmp(sw_jstr(sw_jindex(pres, 0)), "exo-message-trace");
    ok = ok && !strcmp(sw_jget_str(bs0, "text"),
                       "message trace only: no authentication results for 2024-03-04..2024-03-06");
    sw_jreader_free(jr);
    sw_arena_free(&ja);
    sw_buf_free(&out);
    sw_arena_free(&a);
    CHECK(ok);
}

SW_TEST(coverage_long_span_is_capped)
{
    sw_coverage_cell c[] = {cell("mbox", 0, 1, ALL_FACTS), cell("mbox", 5000, 1, ALL_FACTS)};
    sw_arena a;
    sw_coverage_report r;
    CHECK(build(&a, c, 2, 0, &r) == SW_OK);
    CHECK(r.ngaps == 1 && r.gaps[0].last_day == 4999); /* gaps are complete */
    CHECK(r.nblind_spots == 1);
    CHECK(r.blind_spots[0].first_day == 1 && r.blind_spots[0].last_day == 3659);
    sw_buf t;
    sw_buf_init(&t, 1u << 20);
    CHECK(sw_coverage_write_text(&r, &t) == SW_OK);
    CHECK(strstr(t.data, "blind spots were checked for the first 3660 days only (through "
                         "1980-01-08)"));
    sw_buf_clear(&t);
    CHECK(sw_coverage_write_json(&r, &t) == SW_OK);
    CHECK(strstr(t.data, "\"truncated\":true"));
    sw_buf_free(&t);
    sw_arena_free(&a);
}

SW_TEST(coverage_hostile_cells)
{
    /* extreme days, a NULL source, a control byte in a name, facts above the record count */
    sw_coverage_cell c[] = {cell("evil\n\x1b[31m", INT64_MIN, 1, ALL_FACTS),
                            cell("evil\n\x1b[31m", INT64_MAX, UINT64_MAX, ALL_FACTS),
                            cell("evil\n\x1b[31m", INT64_MAX, UINT64_MAX, ALL_FACTS),
                            cell(NULL, 0, 2, 0)};
    c[3].facts[0] = 50;
    sw_arena a;
    sw_coverage_report r;
    CHECK(build(&a, c, 4, 0, &r) == SW_OK);
    CHECK(r.nsources == 2);
    CHECK_STR(r.sources[0].source, "(unknown)");
    CHECK(r.sources[0].facts[0] == 2); /* capped at its records */
    CHECK(r.sources[1].records == UINT64_MAX); /* saturated, not wrapped */
    CHECK(r.ngaps == 1);
    CHECK(r.nblind_spots >= 1);
    sw_buf t;
    sw_buf_init(&t, 1u << 20);
    CHECK(sw_coverage_write_text(&r, &t) == SW_OK);
    CHECK(!strchr(t.data, '\x1b'));
    sw_buf_clear(&t);
    CHECK(sw_coverage_write_json(&r, &t) == SW_OK);
    sw_jreader *jr = sw_jreader_new();
    sw_arena ja;
    sw_arena_init(&ja, 1u << 22);
    const sw_jv *doc = NULL;
    int rc = jr ? sw_jparse(jr, &ja, t.data, t.len, &doc, NULL) : -1;
    sw_jreader_free(jr);
    sw_arena_free(&ja);
    sw_buf_free(&t);
    sw_arena_free(&a);
    CHECK(rc == 0);
}

SW_TEST(coverage_small_arena_fails_cleanly)
{
    sw_coverage_cell c[32];
    size_t n = two_sources(c);
    for (size_t cap = 64; cap < 8192; cap *= 2) {
        sw_arena a;
        sw_arena_init(&a, cap);
        sw_coverage_report r;
        int rc = sw_coverage_report_build(&a, c, n, 0, &r);
        sw_arena_free(&a);
        CHECK(rc == SW_ENOMEM || rc == SW_OK);
        if (cap == 64)
            CHECK(rc == SW_ENOMEM);
    }
}

SW_TEST(coverage_empty)
{
    sw_arena a;
    sw_coverage_report r;
    CHECK(build(&a, NULL, 0, 3, &r) == SW_OK);
    CHECK(r.nsources == 0 && r.undated == 3);
    sw_buf t;
    sw_buf_init(&t, 4096);
    CHECK(sw_coverage_write_json(&r, &t) == SW_OK);
    CHECK_STR(t.data, "{\"first_day\":null,\"last_day\":null,\"undated\":3,\"sources\":[],"
                      "\"gaps\":[],\"blind_spots\":[]}");
    sw_buf_free(&t);
    sw_arena_free(&a);
}
