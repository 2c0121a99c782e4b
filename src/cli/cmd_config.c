/* spoofwatch config check FILE: validate a configuration and say what it configures. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void config_usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch config check FILE\n"
               "\n"
               "Validates a detection configuration (YAML). Errors name the line; warnings\n"
               "(an expired exception) are printed but do not fail the check.\n"
               "\n"
               "exit status: 0 valid, 1 invalid, 2 usage\n");
}

int sw_cmd_config(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        config_usage(stdout);
        return SW_EXIT_OK;
    }
    if (argc != 3 || strcmp(argv[1], "check")) {
        config_usage(stderr);
        return SW_EXIT_USAGE;
    }
    sw_cli_detect d;
    if (sw_cli_detect_open(&d, argv[2], NULL))
        return SW_EXIT_INPUT;
    const sw_config *c = &d.config;
    printf("%s: valid\n", argv[2]);
    printf("  protected domains %zu, VIP names %zu, brand domains %zu, free-mail domains %zu\n",
           c->protected_domains.count, c->vip_names.count, c->brand_domains.count,
           c->freemail_domains.count);
    printf("  trusted authserv-ids %zu%s, trusted ARC sealers %zu\n", c->trusted_authserv_ids.count,
           c->trusted_authserv_ids.count ? "" : " (the newest header's id is trusted)",
           c->trusted_arc_sealers.count);
    printf("  forwarders %zu, third-party senders %zu, exceptions %zu, phishing simulations %zu\n",
           c->nforwarders, c->nthird_party, c->nexceptions, c->nsimulations);
    printf("  weight overrides %zu; thresholds suspicious %d, spoofed %d\n", c->nweights,
           c->threshold_suspicious, c->threshold_spoofed);
    printf("  Public Suffix List: %s, dated %s\n", d.detector.psl.source,
           d.detector.psl.list_date[0] ? d.detector.psl.list_date : "unknown");
    sw_cli_detect_close(&d);
    return SW_EXIT_OK;
}
