/* spoofwatch prune --older-than 90d: retention for the evidence store. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void prune_usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch prune --older-than DURATION [options]\n"
               "\n"
               "Deletes observations older than DURATION (by their event time; records without\n"
               "one by when they were ingested), the messages and coverage days left without\n"
               "them and baselines not seen since, then regroups campaigns.\n"
               "\n"
               "options:\n"
               "      --older-than D  90d, 12w, 24h ... (required)\n"
               "      --store FILE    the store (default: see spoofwatch ingest --help)\n"
               "  -h, --help          this text\n"
               "\n"
               "exit status: 0 ok, 1 the store cannot be changed, 2 usage\n");
}

int sw_cmd_prune(int argc, char **argv)
{
    sw_cli_store cs = {0};
    int64_t age = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            prune_usage(stdout);
            return SW_EXIT_OK;
        } else if ((r = sw_cli_opt_value(argc, argv, &i, "older-than", 0, &v))) {
            if (r < 0 || (age = sw_duration_parse(v)) <= 0) {
                sw_cli_warn("prune: --older-than takes a duration such as 90d");
                return SW_EXIT_USAGE;
            }
        } else if ((r = sw_cli_store_option(argc, argv, &i, &cs))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else {
            sw_cli_warn("prune: unknown option or argument '%s'", argv[i]);
            prune_usage(stderr);
            return SW_EXIT_USAGE;
        }
    }
    if (!age) {
        sw_cli_warn("prune: --older-than is required");
        prune_usage(stderr);
        return SW_EXIT_USAGE;
    }
    if (sw_cli_store_open(&cs, SW_STORE_WRITE))
        return SW_EXIT_INPUT;
    uint64_t deleted = 0;
    sw_error err;
    sw_error_clear(&err);
    int rc = SW_EXIT_OK;
    if (sw_store_prune(cs.store, (int64_t)time(NULL) - age, &deleted, &err)) {
        sw_cli_warn("%s", err.message);
        rc = SW_EXIT_INPUT;
    } else {
        fprintf(stderr, "spoofwatch: %s: %llu observation%s deleted\n", sw_store_path(cs.store),
                (unsigned long long)deleted, deleted == 1 ? "" : "s");
    }
    sw_cli_store_close(&cs);
    return rc;
}
