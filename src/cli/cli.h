/* Command-line layer: one file per subcommand, sharing the helpers in options.c.
 * Exit codes: 0 all input read; 1 some input could not be read; 2 usage error. */
#ifndef SPOOFWATCH_CLI_H
#define SPOOFWATCH_CLI_H

#include "spoofwatch/config.h"
#include "spoofwatch/detect.h"
#include "spoofwatch/devctx.h"
#include "spoofwatch/input.h"
#include "spoofwatch/store.h"
#include "spoofwatch/verify.h"

#define SW_EXIT_OK 0
#define SW_EXIT_INPUT 1
#define SW_EXIT_USAGE 2

extern const char *sw_prog;

int sw_cmd_scan(int argc, char **argv);
int sw_cmd_check(int argc, char **argv);
int sw_cmd_config(int argc, char **argv);
int sw_cmd_ingest(int argc, char **argv);
int sw_cmd_trace(int argc, char **argv);
int sw_cmd_campaigns(int argc, char **argv);
int sw_cmd_search(int argc, char **argv);
int sw_cmd_coverage(int argc, char **argv);
int sw_cmd_alerts(int argc, char **argv);
int sw_cmd_prune(int argc, char **argv);

/* The configuration and detector a command runs with: --config FILE (or
 * $SPOOFWATCH_CONFIG) over the defaults, --psl-file FILE for a newer suffix list. */
typedef struct sw_cli_detect {
    sw_config config;
    sw_detector detector;
} sw_cli_detect;

/* --config FILE / -c FILE and --psl-file FILE, shared by every command that detects:
 * 1 consumed, 0 not one of them, -1 missing value. */
int sw_cli_detect_option(int argc, char **argv, int *i, const char **config_path,
                         const char **psl_file);
/* Prints what went wrong and returns non-zero when the config cannot be used. */
int sw_cli_detect_open(sw_cli_detect *d, const char *config_path, const char *psl_file);
void sw_cli_detect_close(sw_cli_detect *d);
/* Appends one JSON object: the record's members, the verification's (ver may be NULL) and
 * the assessment's. Returns the JSON writer status (non-zero when the buffer's cap was
 * reached). */
int sw_cli_write_record(sw_buf *out, const sw_record *rec, const sw_verification *ver,
                        const sw_assessment *as);

/* --verify and its options (verify_cli.c): --verify, --dns-fixture FILE, --dns-server LIST,
 * --now TIME, --client-ip IP, --helo NAME, --mailfrom ADDR, --dmarc-discovery psl|treewalk
 * (any of them turns verification on). */
typedef struct sw_cli_verify {
    int on;
    const char *dns_fixture, *dns_servers, *now, *client_ip, *helo, *mailfrom, *discovery;
    sw_verify_opts opts;
    sw_resolver *dns; /* owned */
} sw_cli_verify;
/* 1 consumed, 0 not one of them, -1 missing value. */
int sw_cli_verify_option(int argc, char **argv, int *i, sw_cli_verify *v);
/* Builds the resolver and the options (the detector's Public Suffix List); prints what
 * went wrong and returns -1 when they cannot be used. Nothing to do without --verify. */
int sw_cli_verify_open(sw_cli_verify *v, sw_detector *d);
void sw_cli_verify_close(sw_cli_verify *v);
/* Detection of one record, verifying it first when --verify is on and the record is a
 * message (log rows are not); *ver gets the verification (in a) or NULL. */
void sw_cli_assess(sw_detector *d, sw_cli_verify *v, sw_arena *a, const sw_record *rec,
                   sw_assessment *as, const sw_verification **ver);

/* Device context for scan and check (include/spoofwatch/devctx.h): --context FILE
 * (repeatable; loaded at once, errors printed), --context-user UID=NAME,
 * --context-window SECONDS. *d is created on first use. 1 consumed, 0 not one of them,
 * -1 missing or bad value. */
int sw_cli_context_option(int argc, char **argv, int *i, sw_devctx **d);
/* One summary line about the context on stderr; 1 when some context could not be read. */
int sw_cli_context_summary(const sw_devctx *d, int quiet);

/* The evidence store for a command (store_cli.c): --store FILE (default
 * sw_store_default_path()), --campaign-key LIST and --campaign-window DURATION (ingest only:
 * they regroup the store). */
typedef struct sw_cli_store {
    const char *path;
    char default_path[4096];
    unsigned parts;
    int64_t window;
    int set_key, set_window;
    uint64_t batch; /* --commit-every N, 0 = default */
    sw_store *store; /* owned once opened */
} sw_cli_store;
/* 1 consumed, 0 not one of them, -1 missing or bad value. */
int sw_cli_store_option(int argc, char **argv, int *i, sw_cli_store *cs);
/* Opens cs->store (SW_STORE_READ or SW_STORE_WRITE); prints why not and returns -1. */
int sw_cli_store_open(sw_cli_store *cs, int mode);
void sw_cli_store_close(sw_cli_store *cs);
/* Puts one assessed record's evidence into the open run, with its JSON when flagged: json
 * (json_len bytes) when the caller already wrote it, else written here. Prints the error and
 * returns -1 when the store failed. */
int sw_cli_store_put(sw_cli_store *cs, const sw_evidence *ev, const sw_record *rec,
                     const sw_verification *ver, const sw_assessment *as, const char *json,
                     size_t json_len);
/* Options of the store's query commands: --store, --json, and the filters a command
 * allows (SW_Q_* bits): --since, --until, --limit, --sender-domain, --recipient,
 * --verdict LIST, --signal ID, --subject QUERY (full text), --campaign ID. */
enum {
    SW_Q_SINCE = 1u << 0,
    SW_Q_UNTIL = 1u << 1,
    SW_Q_LIMIT = 1u << 2,
    SW_Q_SENDER = 1u << 3,
    SW_Q_RECIPIENT = 1u << 4,
    SW_Q_VERDICT = 1u << 5,
    SW_Q_SIGNAL = 1u << 6,
    SW_Q_TEXT = 1u << 7,
    SW_Q_CAMPAIGN = 1u << 8,
};
typedef struct sw_cli_query {
    sw_cli_store store;
    sw_store_filter filter;
    int json;
} sw_cli_query;
/* 1 consumed, 0 not one of them, -1 bad value (printed). */
int sw_cli_query_option(int argc, char **argv, int *i, unsigned allowed, sw_cli_query *q);
/* "spoofed,suspicious" -> bits (1 << sw_verdict); prints and returns -1 on a bad name. */
int sw_cli_verdicts(const char *v, unsigned *out);
/* Writes b to stdout and clears it; -1 (printed) on a write error. */
int sw_cli_write_out(sw_buf *b);
/* Parses a time for --since/--until: 2024-03-01, 2024-03-01T10:00:00Z, or a duration
 * back from now (7d, 24h). -1 when unreadable. */
int sw_cli_time_arg(const char *v, int64_t *out);

/* Prints "spoofwatch: <msg>" to stderr. */
void sw_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses a --format value; prints the error and returns -1 when unknown. */
int sw_cli_format(const char *value, sw_format *out);
/* 1 when argv[i] is --name or -x; takes the value of "--name=value" or the next arg. */
int sw_cli_opt_value(int argc, char **argv, int *i, const char *lng, char shrt, const char **value);

#endif
