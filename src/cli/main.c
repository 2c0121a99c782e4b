/* spoofwatch: find spoofed email in mailboxes and mail logs. Dispatches subcommands. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

const char *sw_prog = "spoofwatch";

static void usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch <command> [options] [PATH...]\n"
               "\n"
               "commands:\n"
               "  check FILE|-     explain one message: identities, authentication results and\n"
               "                   the header each came from, Received path, anti-spam fields\n"
               "  scan PATH...     one JSON record per message (files, directories, mbox,\n"
               "                   Maildir, Apple Mail .emlx, gzip, - for stdin)\n"
               "  ingest PATH...   keep the evidence of the same inputs in the store\n"
               "  trace ID         every source's record of one message, to each recipient\n"
               "  campaigns        spoofed and suspicious messages grouped into campaigns\n"
               "  search           stored records by sender, recipient, verdict, signal, subject\n"
               "  coverage         which facts each source carries per day; blind spots\n"
               "  alerts           OCSF Email Activity alerts per campaign or message\n"
               "  prune            retention: delete stored evidence older than a duration\n"
               "  config check F   validate a detection configuration file\n"
               "  help [COMMAND]   this text, or a command's options\n"
               "  version          print the version\n"
               "\n"
               "Run 'spoofwatch <command> --help' for a command's options; see spoofwatch(1).\n");
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} store_commands[] = {{"ingest", sw_cmd_ingest},       {"trace", sw_cmd_trace},
                      {"campaigns", sw_cmd_campaigns}, {"search", sw_cmd_search},
                      {"coverage", sw_cmd_coverage},   {"alerts", sw_cmd_alerts},
                      {"prune", sw_cmd_prune}};

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SW_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "scan"))
        return sw_cmd_scan(argc - 1, argv + 1);
    if (!strcmp(cmd, "check"))
        return sw_cmd_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "config"))
        return sw_cmd_config(argc - 1, argv + 1);
    for (size_t k = 0; k < sizeof store_commands / sizeof store_commands[0]; k++)
        if (!strcmp(cmd, store_commands[k].name))
            return store_commands[k].run(argc - 1, argv + 1);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        if (argc > 2) {
            char *help_argv[] = {argv[2], "--help", NULL};
            if (!strcmp(argv[2], "scan"))
                return sw_cmd_scan(2, help_argv);
            if (!strcmp(argv[2], "check"))
                return sw_cmd_check(2, help_argv);
            if (!strcmp(argv[2], "config"))
                return sw_cmd_config(2, help_argv);
            for (size_t k = 0; k < sizeof store_commands / sizeof store_commands[0]; k++)
                if (!strcmp(argv[2], store_commands[k].name))
                    return store_commands[k].run(2, help_argv);
        }
        usage(stdout);
        return SW_EXIT_OK;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("spoofwatch %s\n", SW_VERSION);
        return SW_EXIT_OK;
    }
    sw_cli_warn("unknown command '%s'", cmd);
    usage(stderr);
    return SW_EXIT_USAGE;
}
