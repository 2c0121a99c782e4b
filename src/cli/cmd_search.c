/* spoofwatch search: observations in the store matching filters, newest first. */
#include "cli.h"
#include "spoofwatch/report.h"

#include <stdio.h>
#include <string.h>

static void search_usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch search [options]\n"
               "\n"
               "Lists stored observations matching every filter given, newest first: a line\n"
               "each, or with --json one JSON object each (the full record for flagged ones\n"
               "with --records).\n"
               "\n"
               "filters:\n"
               "      --sender-domain D   From domain or its organizational domain\n"
               "      --recipient ADDR    a recipient address, @domain (addresses ending in\n"
               "                          it), or a part without @ (addresses containing it)\n"
               "      --verdict LIST      spoofed, suspicious, pass, unknown\n"
               "      --signal ID         a signal that counted (docs/signals.md)\n"
               "      --subject QUERY     full-text search on subjects (words, \"phrases\",\n"
               "                          prefix*, AND/OR/NOT: SQLite FTS5 syntax)\n"
               "      --campaign ID       members of a campaign\n"
               "      --since T, --until T  2024-03-01, 2024-03-01T10:00:00Z, or 30d back\n"
               "      --limit N\n"
               "options:\n"
               "      --store FILE    the store (default: see spoofwatch ingest --help)\n"
               "      --json          JSON lines instead of text\n"
               "      --records       with --json: the stored record of flagged observations\n"
               "  -h, --help          this text\n"
               "\n"
               "exit status: 0 ok (also when nothing matched), 1 the store cannot be read, 2 usage\n");
}

typedef struct search_ctx {
    sw_buf out;
    int json, records;
    uint64_t hits;
    int failed;
} search_ctx;

static int on_hit(const sw_evidence *ev, const char *record, void *p)
{
    search_ctx *c = p;
    c->hits++;
    int w;
    if (c->json && c->records && record) {
        w = sw_buf_puts(&c->out, record) || sw_buf_putc(&c->out, '\n');
    } else if (c->json) {
        sw_json j;
        sw_json_init(&j, &c->out);
        sw_json_object_begin(&j);
        sw_evidence_write_json_members(ev, &j);
        sw_json_object_end(&j);
        w = j.status || sw_buf_putc(&c->out, '\n');
    } else {
        w = sw_evidence_write_line(ev, &c->out);
    }
    if (w || (c->out.len > (1u << 20) && sw_cli_write_out(&c->out))) {
        c->failed = 1;
        return 1;
    }
    return 0;
}

int sw_cmd_search(int argc, char **argv)
{
    sw_cli_query q = {0};
    search_ctx c = {.json = 0};
    unsigned allowed = SW_Q_SINCE | SW_Q_UNTIL | SW_Q_LIMIT | SW_Q_SENDER | SW_Q_RECIPIENT |
                       SW_Q_VERDICT | SW_Q_SIGNAL | SW_Q_TEXT | SW_Q_CAMPAIGN;
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            search_usage(stdout);
            return SW_EXIT_OK;
        } else if (!strcmp(argv[i], "--records")) {
            c.records = 1;
        } else if ((r = sw_cli_query_option(argc, argv, &i, allowed, &q))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else {
            sw_cli_warn("search: unknown option or argument '%s'", argv[i]);
            search_usage(stderr);
            return SW_EXIT_USAGE;
        }
    }
    if (sw_cli_store_open(&q.store, SW_STORE_READ))
        return SW_EXIT_INPUT;
    c.json = q.json;
    sw_buf_init(&c.out, 64u << 20);
    sw_error err;
    sw_error_clear(&err);
    int rc = SW_EXIT_OK;
    if (sw_store_search(q.store.store, &q.filter, on_hit, &c, &err) && !c.failed) {
        sw_cli_warn("%s", err.message);
        rc = err.code == SW_EINVAL ? SW_EXIT_USAGE : SW_EXIT_INPUT; /* a bad --subject */
    }
    if (c.failed || sw_cli_write_out(&c.out))
        rc = SW_EXIT_INPUT;
    if (!q.json)
        fprintf(stderr, "spoofwatch: %llu match%s\n", (unsigned long long)c.hits,
                c.hits == 1 ? "" : "es");
    sw_buf_free(&c.out);
    sw_cli_store_close(&q.store);
    return rc;
}
