/* spoofwatch coverage: which facts the stored evidence carries per source and day, its time
 * gaps and the blind spots that follow (include/spoofwatch/coverage.h). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void coverage_usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch coverage [options]\n"
               "\n"
               "Reports, per source and per day, how many stored records carry each fact (SPF,\n"
               "DKIM and DMARC results, envelope sender, recipients, message ids, delivery\n"
               "status), the days a source has no records, and the blind spots: days on which\n"
               "no source at all carries a fact (docs/coverage.md).\n"
               "\n"
               "options:\n"
               "      --store FILE    the store (default: see spoofwatch ingest --help)\n"
               "      --json          one JSON object instead of text\n"
               "      --since T, --until T  only these days (2024-03-01, 30d back): the report\n"
               "                      spans at most 3660 days from the first, so one absurd\n"
               "                      date in a log would otherwise push the real ones out\n"
               "  -h, --help          this text\n"
               "\n"
               "exit status: 0 ok, 1 the store cannot be read, 2 usage\n");
}

int sw_cmd_coverage(int argc, char **argv)
{
    sw_cli_query q = {0};
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            coverage_usage(stdout);
            return SW_EXIT_OK;
        } else if ((r = sw_cli_query_option(argc, argv, &i, SW_Q_SINCE | SW_Q_UNTIL, &q))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else {
            sw_cli_warn("coverage: unknown option or argument '%s'", argv[i]);
            coverage_usage(stderr);
            return SW_EXIT_USAGE;
        }
    }
    if (sw_cli_store_open(&q.store, SW_STORE_READ))
        return SW_EXIT_INPUT;
    sw_arena a;
    sw_arena_init(&a, 256u << 20);
    sw_coverage_cell *cells;
    size_t n;
    uint64_t undated;
    sw_coverage_report rep;
    sw_error err;
    sw_error_clear(&err);
    int rc = SW_EXIT_OK;
    int bad = sw_store_coverage(q.store.store, &a, &cells, &n, &undated, &err);
    if (!bad && (q.filter.has_since || q.filter.has_until)) {
        /* whole UTC days: the one --since falls in counts, the one --until falls in not */
        size_t k = 0;
        for (size_t j = 0; j < n; j++) {
            int64_t start = cells[j].day * 86400;
            if ((q.filter.has_since && start + 86400 <= q.filter.since) ||
                (q.filter.has_until && start >= q.filter.until))
                continue;
            cells[k++] = cells[j];
        }
        n = k;
    }
    if (bad) {
        sw_cli_warn("%s", err.message);
        rc = SW_EXIT_INPUT;
    } else if (sw_coverage_report_build(&a, cells, n, undated, &rep)) {
        sw_cli_warn("coverage: out of memory");
        rc = SW_EXIT_INPUT;
    } else {
        sw_buf out;
        sw_buf_init(&out, 1u << 30);
        int w = q.json ? sw_coverage_write_json(&rep, &out) || sw_buf_putc(&out, '\n')
                       : sw_coverage_write_text(&rep, &out);
        if (w || sw_cli_write_out(&out))
            rc = SW_EXIT_INPUT;
        sw_buf_free(&out);
    }
    sw_arena_free(&a);
    sw_cli_store_close(&q.store);
    return rc;
}
