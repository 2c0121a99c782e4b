/* Option helpers shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sw_cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", sw_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int sw_cli_format(const char *value, sw_format *out)
{
    sw_format f = sw_format_from_name(value);
    if (f == SW_FMT_UNKNOWN) {
        sw_cli_warn("unknown --format '%s' (known: auto, eml, mbox, maildir, emlx, "
                    "partial-emlx, json, csv, exchange-tracking, dmarc-xml)",
                    value);
        return -1;
    }
    *out = f;
    return 0;
}

int sw_cli_opt_value(int argc, char **argv, int *i, const char *lng, char shrt, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(lng);
    if (a[0] == '-' && a[1] == '-' && !strncmp(a + 2, lng, n)) {
        if (a[2 + n] == '=') {
            *value = a + 3 + n;
            return 1;
        }
        if (a[2 + n] != '\0')
            return 0;
    } else if (!(shrt && a[0] == '-' && a[1] == shrt && a[2] == '\0')) {
        return 0;
    }
    if (*i + 1 >= argc) {
        sw_cli_warn("option %s needs a value", a);
        *value = NULL;
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int sw_cli_detect_option(int argc, char **argv, int *i, const char **config_path,
                         const char **psl_file)
{
    const char *v;
    int r = sw_cli_opt_value(argc, argv, i, "config", 'c', &v);
    if (r > 0)
        *config_path = v;
    if (r)
        return r;
    r = sw_cli_opt_value(argc, argv, i, "psl-file", 0, &v);
    if (r > 0)
        *psl_file = v;
    return r;
}

static void print_warning(const char *msg, void *ctx)
{
    (void)ctx;
    sw_cli_warn("warning: %s", msg);
}

int sw_cli_detect_open(sw_cli_detect *d, const char *config_path, const char *psl_file)
{
    sw_config_defaults(&d->config);
    if (!config_path)
        config_path = getenv("SPOOFWATCH_CONFIG");
    sw_error err;
    sw_error_clear(&err);
    if (config_path && *config_path &&
        sw_config_load(&d->config, config_path, print_warning, NULL, &err)) {
        sw_cli_warn("%s", err.message);
        sw_config_free(&d->config);
        return -1;
    }
    if (psl_file)
        d->config.psl_file = psl_file;
    if (sw_detector_init(&d->detector, &d->config, &err)) {
        sw_cli_warn("%s", err.message);
        sw_detector_close(&d->detector); /* what init got before failing (cache, arena) */
        sw_config_free(&d->config);
        return -1;
    }
    return 0;
}

void sw_cli_detect_close(sw_cli_detect *d)
{
    sw_detector_close(&d->detector);
    sw_config_free(&d->config);
}

int sw_cli_write_record(sw_buf *out, const sw_record *rec, const sw_verification *ver,
                        const sw_assessment *as)
{
    sw_json j;
    sw_json_init(&j, out);
    sw_json_object_begin(&j);
    sw_record_write_json_members(rec, &j);
    if (ver)
        sw_verification_write_json(ver, &j);
    sw_assessment_write_json(as, &j);
    sw_json_object_end(&j);
    return j.status;
}

static void context_error(const char *msg, void *ctx)
{
    (void)ctx;
    sw_cli_warn("error: %s", msg);
}

int sw_cli_context_option(int argc, char **argv, int *i, sw_devctx **d)
{
    const char *v;
    int which = 0, r;
    if ((r = sw_cli_opt_value(argc, argv, i, "context", 0, &v)))
        which = 1;
    else if ((r = sw_cli_opt_value(argc, argv, i, "context-user", 0, &v)))
        which = 2;
    else if ((r = sw_cli_opt_value(argc, argv, i, "context-window", 0, &v)))
        which = 3;
    if (r <= 0)
        return r;
    if (!*d && !(*d = sw_devctx_new())) {
        sw_cli_warn("out of memory");
        return -1;
    }
    if (which == 1) {
        sw_devctx_load(*d, v, context_error, NULL); /* errors are counted in the stats */
    } else if (which == 2) {
        if (sw_devctx_map_user(*d, v)) {
            sw_cli_warn("--context-user wants UID=NAME (e.g. 501=alice), not '%s'", v);
            return -1;
        }
    } else {
        char *end;
        errno = 0;
        long long s = strtoll(v, &end, 10);
        if (errno || end == v || *end || s < 0 || s > 366LL * 86400) {
            sw_cli_warn("--context-window wants seconds (0 to 31622400), not '%s'", v);
            return -1;
        }
        sw_devctx_set_window(*d, s);
    }
    return 1;
}

int sw_cli_context_summary(const sw_devctx *d, int quiet)
{
    if (!d)
        return 0;
    const sw_devctx_stats *s = sw_devctx_stats_get(d);
    if (!quiet)
        fprintf(stderr,
                "%s: context: %llu mail events from %llu files, %llu attached, %llu without a "
                "user name (map ids with --context-user UID=NAME), %llu dropped at the cap, "
                "%llu errors\n",
                sw_prog, (unsigned long long)s->events, (unsigned long long)s->files,
                (unsigned long long)s->attached, (unsigned long long)s->unattributed,
                (unsigned long long)s->dropped, (unsigned long long)s->errors);
    return s->errors != 0;
}
