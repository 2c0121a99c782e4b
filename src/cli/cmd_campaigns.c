/* spoofwatch campaigns: the store's campaigns, most recently active first. */
#include "cli.h"
#include "spoofwatch/report.h"

#include <stdio.h>
#include <string.h>

static void campaigns_usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch campaigns [options]\n"
               "\n"
               "Lists campaigns: spoofed and suspicious messages grouped by the store's\n"
               "campaign key (default: From organizational domain + normalized subject +\n"
               "sending network, in 7-day windows; change it with ingest --campaign-key and\n"
               "--campaign-window). Each shows first and last seen, message and recipient\n"
               "counts, the mix of authentication and delivery outcomes, the top signals and\n"
               "its message ids (docs/campaigns.md).\n"
               "\n"
               "options:\n"
               "      --store FILE        the store (default: see spoofwatch ingest --help)\n"
               "      --json              one JSON object per campaign\n"
               "      --sender-domain D   campaigns of this From organizational domain\n"
               "      --campaign ID       one campaign\n"
               "      --since T, --until T  active in this time range (2024-03-01, 30d)\n"
               "      --limit N           at most N campaigns (default 50; 0 is refused)\n"
               "  -h, --help              this text\n"
               "\n"
               "exit status: 0 ok, 1 the store cannot be read, 2 usage\n");
}

int sw_cmd_campaigns(int argc, char **argv)
{
    sw_cli_query q = {0};
    unsigned allowed = SW_Q_SINCE | SW_Q_UNTIL | SW_Q_LIMIT | SW_Q_SENDER | SW_Q_CAMPAIGN;
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            campaigns_usage(stdout);
            return SW_EXIT_OK;
        } else if ((r = sw_cli_query_option(argc, argv, &i, allowed, &q))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else {
            sw_cli_warn("campaigns: unknown option or argument '%s'", argv[i]);
            campaigns_usage(stderr);
            return SW_EXIT_USAGE;
        }
    }
    if (!q.filter.limit)
        q.filter.limit = 50;
    if (sw_cli_store_open(&q.store, SW_STORE_READ))
        return SW_EXIT_INPUT;
    sw_arena a;
    sw_arena_init(&a, 256u << 20);
    sw_campaign *cs;
    size_t n;
    sw_error err;
    sw_error_clear(&err);
    int rc = SW_EXIT_OK;
    if (sw_store_campaigns(q.store.store, &a, &q.filter, &cs, &n, &err)) {
        sw_cli_warn("%s", err.message);
        rc = SW_EXIT_INPUT;
    } else {
        sw_buf out;
        sw_buf_init(&out, 1u << 30);
        for (size_t i = 0; i < n && rc == SW_EXIT_OK; i++) {
            int w = q.json ? sw_campaign_write_json(&cs[i], &out) || sw_buf_putc(&out, '\n')
                           : (i && sw_buf_putc(&out, '\n')) || sw_campaign_write_text(&cs[i], &out);
            if (w || sw_cli_write_out(&out))
                rc = SW_EXIT_INPUT;
        }
        if (!q.json)
            fprintf(stderr, "spoofwatch: %zu campaign%s\n", n, n == 1 ? "" : "s");
        sw_buf_free(&out);
    }
    sw_arena_free(&a);
    sw_cli_store_close(&q.store);
    return rc;
}
