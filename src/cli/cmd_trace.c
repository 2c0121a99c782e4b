/* spoofwatch trace <message-id>: every observation of one message in the store, from its
 * authentication results to every recipient's delivery status, each fact with its source. */
#include "cli.h"
#include "spoofwatch/report.h"

#include <stdio.h>
#include <string.h>

static void trace_usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch trace [options] MESSAGE-ID|NETWORK-MESSAGE-ID\n"
               "\n"
               "Shows every record of one message the store holds (raw headers, EmailEvents,\n"
               "TIMailData, message trace, Gmail logs ...), joined on the Internet Message-ID\n"
               "(angle brackets optional, any case) or Microsoft's NetworkMessageId: the\n"
               "identities and authentication results each source gave, the signals, and\n"
               "whom the message reached with each recipient's delivery status.\n"
               "\n"
               "options:\n"
               "      --store FILE    the store (default: see spoofwatch ingest --help)\n"
               "      --json          one JSON object instead of text\n"
               "  -h, --help          this text\n"
               "\n"
               "exit status: 0 found, 1 not in the store (or the store cannot be read), 2 usage\n");
}

int sw_cmd_trace(int argc, char **argv)
{
    sw_cli_query q = {0};
    const char *id = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            trace_usage(stdout);
            return SW_EXIT_OK;
        } else if ((r = sw_cli_query_option(argc, argv, &i, 0, &q))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            sw_cli_warn("trace: unknown option '%s'", argv[i]);
            trace_usage(stderr);
            return SW_EXIT_USAGE;
        } else if (!id) {
            id = argv[i];
        } else {
            sw_cli_warn("trace: one message id at a time");
            return SW_EXIT_USAGE;
        }
    }
    if (!id) {
        trace_usage(stderr);
        return SW_EXIT_USAGE;
    }
    if (sw_cli_store_open(&q.store, SW_STORE_READ))
        return SW_EXIT_INPUT;
    sw_arena a;
    sw_arena_init(&a, 256u << 20);
    sw_evidence *obs;
    size_t n;
    sw_error err;
    sw_error_clear(&err);
    int rc = SW_EXIT_OK;
    if (sw_store_trace(q.store.store, &a, id, &obs, &n, &err)) {
        sw_cli_warn("%s", err.message);
        rc = err.code == SW_EINVAL ? SW_EXIT_USAGE : SW_EXIT_INPUT; /* "<>": no id at all */
    } else if (!n) {
        sw_cli_warn("trace: %s is not in %s", id, sw_store_path(q.store.store));
        rc = SW_EXIT_INPUT;
    } else {
        sw_buf out;
        sw_buf_init(&out, 1u << 30);
        int w = q.json ? sw_trace_write_json(id, obs, n, &out) || sw_buf_putc(&out, '\n')
                       : sw_trace_write_text(id, obs, n, &out);
        if (w || sw_cli_write_out(&out))
            rc = SW_EXIT_INPUT;
        sw_buf_free(&out);
    }
    sw_arena_free(&a);
    sw_cli_store_close(&q.store);
    return rc;
}
