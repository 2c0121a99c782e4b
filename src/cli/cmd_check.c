/* spoofwatch check: explain one message (text), or print its record (--json). */
#include "cli.h"
#include "spoofwatch/batch.h"
#include "spoofwatch/detect.h"
#include "spoofwatch/explain.h"
#include "spoofwatch/limits.h"

#include <stdio.h>
#include <string.h>

static void check_usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch check [options] FILE|-\n"
               "\n"
               "Explains one message: identities, every authentication result and the header\n"
               "it came from, the Received path with per-hop delays, decoded Microsoft\n"
               "anti-spam fields and every parsing anomaly. An mbox with several messages\n"
               "is explained message by message.\n"
               "\n"
               "options:\n"
               "      --json          print the JSON record instead of the explanation\n"
               "  -f, --format FMT    auto (default), eml, mbox, emlx, partial-emlx, json, csv,\n"
               "                      exchange-tracking, dmarc-xml\n"
               "  -c, --config FILE   detection configuration (YAML; default $SPOOFWATCH_CONFIG)\n"
               "      --psl-file FILE a newer Public Suffix List\n"
               "      --context FILE  macOS unified-log events attached to an .emlx message\n"
               "                      of the same user (repeatable; see scan --help)\n"
               "      --context-user UID=NAME, --context-window SECONDS  as for scan\n"
               "      --verify        verify SPF, DKIM and DMARC here, each step explained with\n"
               "                      its DNS answers; --dns-fixture, --dns-server, --now,\n"
               "                      --client-ip, --helo, --mailfrom, --dmarc-discovery as\n"
               "                      for scan\n"
               "  -h, --help          this text\n"
               "\n"
               "exit status: 0 read, 1 could not be read, 2 usage\n");
}

typedef struct check_ctx {
    int json;
    int count;
    sw_detector *detector;
    sw_devctx *devctx; /* --context, NULL without */
    sw_cli_verify verify_opts; /* --verify and its options, owned here */
    sw_cli_verify *verify;     /* the same, for the record callback */
} check_ctx;

static int show(const sw_record *rec, sw_arena *a, void *p)
{
    check_ctx *c = p;
    sw_record with_ctx;
    if (c->devctx && rec->has_ctx) {
        with_ctx = *rec; /* a copy: see cmd_scan.c emit() */
        sw_devctx_attach(c->devctx, &with_ctx, a);
        rec = &with_ctx;
    }
    sw_assessment as;
    const sw_verification *ver;
    sw_cli_assess(c->detector, c->verify, a, rec, &as, &ver);
    if (c->json) {
        sw_buf b;
        sw_buf_init(&b, SW_MAX_RECORD_JSON);
        if (sw_cli_write_record(&b, rec, ver, &as) == 0)
            printf("%s\n", b.data);
        sw_buf_free(&b);
    } else {
        if (c->count)
            printf("\n----------------------------------------------------------------\n");
        sw_explain_assessment(&as, stdout);
        if (ver)
            sw_explain_verification(ver, stdout);
        sw_explain_record(rec, stdout);
    }
    c->count++;
    return 0;
}

static void on_error(const char *message, void *p)
{
    (void)p;
    sw_cli_warn("error: %s", message);
}

static int check_run(int argc, char **argv, check_ctx *pc)
{
    sw_batch b = {.format = SW_FMT_AUTO, .progress = 0};
    check_ctx c = *pc;
    char *path = NULL;
    const char *config_path = NULL, *psl_file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            check_usage(stdout);
            return SW_EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            c.json = 1;
        } else if ((r = sw_cli_opt_value(argc, argv, &i, "format", 'f', &v))) {
            if (r < 0 || sw_cli_format(v, &b.format))
                return SW_EXIT_USAGE;
        } else if ((r = sw_cli_detect_option(argc, argv, &i, &config_path, &psl_file))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else if ((r = sw_cli_context_option(argc, argv, &i, &pc->devctx))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else if ((r = sw_cli_verify_option(argc, argv, &i, &pc->verify_opts))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            sw_cli_warn("check: unknown option '%s'", argv[i]);
            check_usage(stderr);
            return SW_EXIT_USAGE;
        } else if (!path) {
            path = argv[i];
        } else {
            sw_cli_warn("check: one FILE at a time (use scan for many)");
            return SW_EXIT_USAGE;
        }
    }
    if (!path) {
        sw_cli_warn("check: no FILE given (use - for stdin)");
        check_usage(stderr);
        return SW_EXIT_USAGE;
    }
    sw_cli_detect det;
    if (sw_cli_detect_open(&det, config_path, psl_file))
        return SW_EXIT_USAGE;
    if (sw_cli_verify_open(&pc->verify_opts, &det.detector)) {
        sw_cli_detect_close(&det);
        return SW_EXIT_USAGE;
    }
    c.detector = &det.detector;
    c.devctx = pc->devctx;
    c.verify = &pc->verify_opts;
    b.on_record = show;
    b.on_error = on_error;
    b.ctx = &c;
    int rc = sw_batch_run(&b, &path, 1);
    sw_cli_detect_close(&det);
    if (sw_cli_context_summary(c.devctx, 0))
        rc = 1;
    if (!c.count && !rc) {
        sw_cli_warn("%s: no message found", path);
        return SW_EXIT_INPUT;
    }
    return rc ? SW_EXIT_INPUT : SW_EXIT_OK;
}

int sw_cmd_check(int argc, char **argv)
{
    check_ctx c = {0};
    int rc = check_run(argc, argv, &c);
    sw_devctx_free(c.devctx);
    sw_cli_verify_close(&c.verify_opts);
    return rc;
}
