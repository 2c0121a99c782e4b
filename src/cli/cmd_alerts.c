/* spoofwatch alerts: OCSF Email Activity alerts from the store, one NDJSON line each: one per
 * campaign (default) or one per flagged message. Alert ids are deterministic, so a SIEM that
 * receives the same alert twice can drop the second. */
#include "cli.h"
#include "spoofwatch/ocsf.h"

#include <stdio.h>
#include <string.h>

static void alerts_usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch alerts [options]\n"
               "\n"
               "Writes OCSF Email Activity (class 4009) alerts as NDJSON: by default one per\n"
               "campaign, with its recipients, message ids, authentication outcomes and\n"
               "delivery status; with --per-message one per spoofed or suspicious message.\n"
               "metadata.uid is derived from the campaign or observation, so re-running never\n"
               "duplicates an alert (docs/alerts.md).\n"
               "\n"
               "options:\n"
               "      --store FILE        the store (default: see spoofwatch ingest --help)\n"
               "      --per-message       one alert per flagged message instead of per campaign\n"
               "      --verdict LIST      with --per-message: which verdicts (default\n"
               "                          spoofed,suspicious)\n"
               "      --sender-domain D, --since T, --until T, --limit N: as for search\n"
               "  -h, --help              this text\n"
               "\n"
               "exit status: 0 ok, 1 the store cannot be read, 2 usage\n");
}

typedef struct alert_ctx {
    sw_buf out;
    uint64_t n;
    int failed;
} alert_ctx;

static int on_message(const sw_evidence *ev, const char *record, void *p)
{
    (void)record;
    alert_ctx *c = p;
    if (sw_ocsf_write_message_alert(ev, &c->out) || sw_buf_putc(&c->out, '\n') ||
        (c->out.len > (1u << 20) && sw_cli_write_out(&c->out))) {
        c->failed = 1;
        return 1;
    }
    c->n++;
    return 0;
}

int sw_cmd_alerts(int argc, char **argv)
{
    sw_cli_query q = {0};
    int per_message = 0;
    unsigned allowed = SW_Q_SINCE | SW_Q_UNTIL | SW_Q_LIMIT | SW_Q_SENDER | SW_Q_VERDICT;
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            alerts_usage(stdout);
            return SW_EXIT_OK;
        } else if (!strcmp(argv[i], "--per-message")) {
            per_message = 1;
        } else if ((r = sw_cli_query_option(argc, argv, &i, allowed, &q))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else {
            sw_cli_warn("alerts: unknown option or argument '%s'", argv[i]);
            alerts_usage(stderr);
            return SW_EXIT_USAGE;
        }
    }
    if (sw_cli_store_open(&q.store, SW_STORE_READ))
        return SW_EXIT_INPUT;
    alert_ctx c = {.n = 0};
    sw_buf_init(&c.out, 64u << 20);
    sw_error err;
    sw_error_clear(&err);
    int rc = SW_EXIT_OK;
    if (per_message) {
        if (!q.filter.verdicts)
            q.filter.verdicts = (1u << SW_VERDICT_SPOOFED) | (1u << SW_VERDICT_SUSPICIOUS);
        if (sw_store_search(q.store.store, &q.filter, on_message, &c, &err) && !c.failed) {
            sw_cli_warn("%s", err.message);
            rc = SW_EXIT_INPUT;
        }
    } else {
        sw_arena a;
        sw_arena_init(&a, 256u << 20);
        sw_campaign *cs;
        size_t n;
        if (sw_store_campaigns(q.store.store, &a, &q.filter, &cs, &n, &err)) {
            sw_cli_warn("%s", err.message);
            rc = SW_EXIT_INPUT;
        }
        for (size_t i = 0; rc == SW_EXIT_OK && i < n; i++) {
            /* the campaign's newest member gives the alert its email object */
            sw_store_filter one = {.campaign = cs[i].id, .limit = 1};
            sw_arena sa;
            sw_arena_init(&sa, 64u << 20);
            size_t ns = 0;
            sw_evidence *obs = NULL;
            if (sw_store_select(q.store.store, &sa, &one, &obs, &ns, &err)) {
                sw_cli_warn("campaign %s: its newest message cannot be read (%s); the alert "
                            "has no email object",
                            cs[i].id, err.message);
                ns = 0;
            }
            if (sw_ocsf_write_campaign_alert(&cs[i], obs, ns, &c.out) ||
                sw_buf_putc(&c.out, '\n') || sw_cli_write_out(&c.out))
                rc = SW_EXIT_INPUT;
            else
                c.n++;
            sw_arena_free(&sa);
        }
        sw_arena_free(&a);
    }
    if (c.failed || sw_cli_write_out(&c.out))
        rc = SW_EXIT_INPUT;
    fprintf(stderr, "spoofwatch: %llu alert%s\n", (unsigned long long)c.n, c.n == 1 ? "" : "s");
    sw_buf_free(&c.out);
    sw_cli_store_close(&q.store);
    return rc;
}
