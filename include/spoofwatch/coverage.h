/* Coverage: which facts the evidence carries, per source and per day, and the blind spots
 * that follow.
 *
 * The store keeps one sw_coverage_cell per (source, day): how many records it took in and
 * how many of them carry each SW_EV_* fact. sw_coverage_report() turns the cells into what
 * an admin proving their logging acts on:
 *   - per source: first and last day, records, the share of records carrying each fact;
 *   - gaps: runs of days inside a source's span with no record at all;
 *   - blind spots: runs of days (inside the whole store's span) where no source at all
 *     carries a fact, named by the sources that were present, e.g. "message trace only:
 *     no authentication results for 2024-03-01..2024-03-09".
 * The report lives in the arena passed in. Days are UTC days since 1970-01-01. */
#ifndef SPOOFWATCH_COVERAGE_H
#define SPOOFWATCH_COVERAGE_H
#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/buf.h"
#include "spoofwatch/evidence.h"

typedef struct sw_coverage_cell {
    const char *source; /* record format: mbox, defender-emailevents, ... */
    int64_t day;        /* UTC day number; records without a time are not counted here */
    uint64_t records;
    uint64_t facts[SW_EV_NFACTS]; /* index = bit number of SW_EV_* */
} sw_coverage_cell;

typedef struct sw_coverage_gap {
    const char *source; /* NULL for a blind spot across all sources */
    int64_t first_day, last_day;
    unsigned missing; /* blind spots: the SW_EV_* facts no source carried */
    const char *present; /* blind spots: "message trace only", "mbox, message trace" */
    const char *const *present_ids; /* blind spots: the raw source ids present, sorted */
    size_t npresent;
    const char *text; /* blind spots: the whole sentence, "message trace only: no
                       * authentication results for 2024-03-01..2024-03-09" */
} sw_coverage_gap;

typedef struct sw_coverage_source {
    const char *source;
    int64_t first_day, last_day;
    uint64_t days_with_records;
    uint64_t records;
    uint64_t facts[SW_EV_NFACTS];
} sw_coverage_source;

typedef struct sw_coverage_report {
    sw_coverage_source *sources; /* sorted by name */
    size_t nsources;
    sw_coverage_gap *gaps; /* per source, by source then day */
    size_t ngaps;
    sw_coverage_gap *blind_spots; /* by day */
    size_t nblind_spots;
    int64_t first_day, last_day;
    uint64_t undated; /* records without a time */
} sw_coverage_report;

/* Builds the report from cells in any order. Returns 0 or SW_ENOMEM. */
int sw_coverage_report_build(sw_arena *a, const sw_coverage_cell *cells, size_t ncells,
                             uint64_t undated, sw_coverage_report *out);
/* Human text (a table per source, then gaps, then blind spots), and JSON (one object). */
int sw_coverage_write_text(const sw_coverage_report *r, sw_buf *out);
int sw_coverage_write_json(const sw_coverage_report *r, sw_buf *out);

#endif
