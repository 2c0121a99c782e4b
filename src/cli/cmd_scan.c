/* spoofwatch scan: one JSON record per message on stdout (or -o FILE), a summary on
 * stderr, a progress bar when stderr is a terminal. --store also keeps the evidence,
 * --alerts writes OCSF alerts instead of records.
 * spoofwatch ingest: the same run into the evidence store only. */
#include "cli.h"
#include "spoofwatch/batch.h"
#include "spoofwatch/detect.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/logsource.h"
#include "spoofwatch/ocsf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void scan_usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch scan [options] PATH...\n"
               "\n"
               "Reads .eml files, mbox files, Maildir folders, Apple Mail .emlx trees,\n"
               "provider logs (Defender EmailEvents, TIMailData, message trace, Exchange\n"
               "tracking logs, Gmail logs, DMARC reports, macOS unified logs: docs/sources.md),\n"
               "gzip-compressed files and - (stdin), and writes one JSON record per message\n"
               "(schema: docs/record-schema.md).\n"
               "\n"
               "options:\n"
               "  -o, --output FILE   write records to FILE instead of stdout\n"
               "      --store FILE    also keep the evidence in this store (default\n"
               "                      $SPOOFWATCH_STORE or ~/.local/share/spoofwatch/evidence.db\n"
               "                      with --store-default); see spoofwatch ingest\n"
               "      --alerts        write one OCSF Email Activity alert per spoofed or\n"
               "                      suspicious message instead of records (docs/alerts.md)\n"
               "      --only LIST     write only these verdicts (spoofed,suspicious,pass,unknown);\n"
               "                      the summary still counts every message\n"
               "      --verify        verify SPF, DKIM and DMARC here and prefer the results to\n"
               "                      the headers'; DNS from --dns-fixture FILE (offline zone\n"
               "                      lines) or live (--dns-server LIST); --now TIME pins the\n"
               "                      clock; --client-ip/--helo/--mailfrom give the SMTP\n"
               "                      transaction; --dmarc-discovery treewalk (RFC 9989,\n"
               "                      default) or psl (RFC 7489)\n"
               "  -f, --format FMT    auto (default), eml, mbox, maildir, emlx, partial-emlx,\n"
               "                      json, csv, exchange-tracking, dmarc-xml\n"
               "  -c, --config FILE   detection configuration (YAML; default $SPOOFWATCH_CONFIG)\n"
               "      --psl-file FILE a newer Public Suffix List\n"
               "      --context FILE  macOS unified-log events (log show ndjson, Jamf, osquery)\n"
               "                      attached to the same user's .emlx messages (repeatable)\n"
               "      --context-user UID=NAME   events logged with userID UID are NAME's\n"
               "      --context-window SECONDS  window around date-received (default 600)\n"
               "      --progress      always show the progress bar\n"
               "      --no-progress   never show it (default: only on a terminal)\n"
               "  -q, --quiet         no summary line\n"
               "  -h, --help          this text\n"
               "\n"
               "exit status: 0 all input read, 1 some input could not be read, 2 usage\n");
}

/* Records are written into one buffer and flushed in large writes: a record is a few KB,
 * and a write per record cost more than building it. */
#define SW_SCAN_FLUSH (1u << 20)

typedef struct scan_ctx {
    FILE *out;
    sw_buf pending;
    int write_failed;
    sw_detector *detector;
    sw_devctx *devctx; /* --context, NULL without */
    uint64_t verdicts[4];
    unsigned only; /* --only: bit (1 << verdict) per verdict written; 0 = all */
    sw_cli_verify *verify;
    sw_cli_store *store; /* --store / ingest, NULL without */
    int alerts;          /* --alerts */
    int no_records;      /* ingest: nothing on stdout */
} scan_ctx;

static int flush_pending(scan_ctx *c)
{
    if (c->pending.len && fwrite(c->pending.data, 1, c->pending.len, c->out) != c->pending.len) {
        sw_cli_warn("write error: %s", strerror(errno));
        c->write_failed = 1;
        return 3;
    }
    sw_buf_clear(&c->pending);
    return 0;
}

static int emit(const sw_record *rec, sw_arena *a, void *p)
{
    scan_ctx *c = p;
    size_t mark = c->pending.len;
    sw_record with_ctx;
    if (c->devctx && rec->has_ctx) {
        /* device context goes on a copy: the reader's record stays as it was read */
        with_ctx = *rec;
        sw_devctx_attach(c->devctx, &with_ctx, a);
        rec = &with_ctx;
    }
    sw_assessment as;
    const sw_verification *ver;
    sw_cli_assess(c->detector, c->verify, a, rec, &as, &ver);
    c->verdicts[as.verdict]++;
    int flagged = as.verdict == SW_VERDICT_SPOOFED || as.verdict == SW_VERDICT_SUSPICIOUS;
    /* The evidence serves both the store and the alert; computed once (it hashes the
     * message and finds its inbound hop). */
    sw_evidence ev;
    if ((c->store || (c->alerts && flagged)) && sw_evidence_from(c->detector, a, rec, &as, &ev)) {
        sw_cli_warn("%s: message at byte %llu: out of memory for its evidence", rec->source.path,
                    (unsigned long long)rec->source.offset);
        return c->store ? 3 : 0;
    }
    int write = !c->no_records && (!c->only || (c->only & (1u << as.verdict))) &&
                (!c->alerts || flagged);
    int wrc = 0, record_written = 0;
    if (write && c->alerts) {
        wrc = sw_ocsf_write_message_alert(&ev, &c->pending);
    } else if (write) {
        wrc = sw_cli_write_record(&c->pending, rec, ver, &as);
        record_written = !wrc;
    }
    if (write && (wrc || sw_buf_putc(&c->pending, '\n'))) {
        c->pending.len = mark; /* drop the partial record, keep the ones before it */
        c->pending.data[mark] = '\0';
        record_written = 0;
        sw_cli_warn("%s: message at byte %llu: record larger than %u bytes, not written",
                    rec->source.path, (unsigned long long)rec->source.offset, SW_MAX_RECORD_JSON);
    }
    /* the store keeps the record JSON just written (without its newline) rather than a
     * second copy of it */
    if (c->store && sw_cli_store_put(c->store, &ev, rec, ver, &as,
                                     record_written ? c->pending.data + mark : NULL,
                                     record_written ? c->pending.len - mark - 1 : 0)) {
        c->pending.len = mark; /* the store failed: stop, as if the record was never read */
        if (c->pending.data)
            c->pending.data[mark] = '\0';
        return 3;
    }
    return c->pending.len >= SW_SCAN_FLUSH ? flush_pending(c) : 0;
}

static void on_error(const char *message, void *p)
{
    (void)p;
    sw_cli_warn("error: %s", message);
}

static void ingest_usage(FILE *o)
{
    fprintf(o, "usage: spoofwatch ingest [options] PATH...\n"
               "\n"
               "Reads the same inputs as scan and keeps their evidence in the store: every\n"
               "spoofed or suspicious record with its signals, JSON and source position, and a\n"
               "compact row for clean ones. Records of one message from different sources are\n"
               "joined on Message-ID and NetworkMessageId; campaigns, coverage and baselines\n"
               "are updated as records arrive. Ingesting the same input again stores nothing\n"
               "twice; a killed ingest keeps what it committed, and re-running it completes it.\n"
               "\n"
               "options:\n"
               "      --store FILE    the store (default $SPOOFWATCH_STORE, else\n"
               "                      $XDG_DATA_HOME/spoofwatch/evidence.db, else\n"
               "                      ~/.local/share/spoofwatch/evidence.db)\n"
               "      --campaign-key LIST   what groups flagged messages into campaigns:\n"
               "                      from_org, subject, network, envelope_org, display_name,\n"
               "                      from_address (default from_org,subject,network)\n"
               "      --campaign-window DURATION  campaign time window (default 7d)\n"
               "      --commit-every N  records per transaction (default 100000): what a crash\n"
               "                      can cost at most\n"
               "  -f, --format FMT, -c, --config FILE, --psl-file FILE, --verify and its\n"
               "  options, --context FILE ...: as for scan (spoofwatch scan --help)\n"
               "      --progress / --no-progress, -q / --quiet: as for scan\n"
               "  -h, --help          this text\n"
               "\n"
               "exit status: 0 all input read, 1 some input could not be read (or the store\n"
               "failed), 2 usage\n");
}

/* The scan itself; *devctx is freed by the caller on every path. ingest: store only. */
static int scan_run(int argc, char **argv, sw_devctx **devctxp, int ingest)
{
    sw_batch b = {.format = SW_FMT_AUTO, .progress = -1};
    const char *output = NULL, *config_path = NULL, *psl_file = NULL;
    int quiet = 0;
    unsigned only = 0;
    sw_cli_verify verify = {0};
    sw_cli_store store = {0};
    int use_store = ingest, alerts = 0;
    char *paths[4096];
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            if (ingest)
                ingest_usage(stdout);
            else
                scan_usage(stdout);
            return SW_EXIT_OK;
        } else if ((r = sw_cli_store_option(argc, argv, &i, &store))) {
            if (r < 0)
                return SW_EXIT_USAGE;
            if (store.path)
                use_store = 1;
        } else if (!strcmp(argv[i], "--store-default")) {
            use_store = 1;
        } else if (!ingest && !strcmp(argv[i], "--alerts")) {
            alerts = 1;
        } else if ((r = sw_cli_opt_value(argc, argv, &i, "output", 'o', &v))) {
            if (r < 0)
                return SW_EXIT_USAGE;
            output = v;
        } else if ((r = sw_cli_opt_value(argc, argv, &i, "only", 0, &v))) {
            if (r < 0 || sw_cli_verdicts(v, &only))
                return SW_EXIT_USAGE;
        } else if ((r = sw_cli_opt_value(argc, argv, &i, "format", 'f', &v))) {
            if (r < 0 || sw_cli_format(v, &b.format))
                return SW_EXIT_USAGE;
        } else if ((r = sw_cli_detect_option(argc, argv, &i, &config_path, &psl_file))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else if ((r = sw_cli_context_option(argc, argv, &i, devctxp))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else if ((r = sw_cli_verify_option(argc, argv, &i, &verify))) {
            if (r < 0)
                return SW_EXIT_USAGE;
        } else if (!strcmp(argv[i], "--progress")) {
            b.progress = 1;
        } else if (!strcmp(argv[i], "--no-progress")) {
            b.progress = 0;
        } else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
            quiet = 1;
        } else if (!strcmp(argv[i], "--")) {
            for (i++; i < argc && npaths < 4096; i++)
                paths[npaths++] = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            sw_cli_warn("%s: unknown option '%s'", ingest ? "ingest" : "scan", argv[i]);
            if (ingest)
                ingest_usage(stderr);
            else
                scan_usage(stderr);
            return SW_EXIT_USAGE;
        } else if (npaths < 4096) {
            paths[npaths++] = argv[i];
        } else {
            sw_cli_warn("scan: too many paths (4096 at most; pass a directory instead)");
            return SW_EXIT_USAGE;
        }
    }
    if (!npaths) {
        sw_cli_warn("%s: no PATH given (use - for stdin)", ingest ? "ingest" : "scan");
        if (ingest)
            ingest_usage(stderr);
        else
            scan_usage(stderr);
        return SW_EXIT_USAGE;
    }
    if (!use_store && (store.set_key || store.set_window)) {
        sw_cli_warn("scan: --campaign-key and --campaign-window need --store");
        return SW_EXIT_USAGE;
    }
    sw_cli_detect det;
    if (sw_cli_detect_open(&det, config_path, psl_file))
        return SW_EXIT_USAGE;
    if (sw_cli_verify_open(&verify, &det.detector)) {
        sw_cli_verify_close(&verify);
        sw_cli_detect_close(&det);
        return SW_EXIT_USAGE;
    }
    /* the output first: a run begun in the store and then abandoned would stay behind as
     * an unfinished run */
    FILE *out = stdout;
    if (output && !(out = fopen(output, "w"))) {
        sw_cli_warn("cannot write %s: %s", output, strerror(errno));
        sw_cli_verify_close(&verify);
        sw_cli_detect_close(&det);
        return SW_EXIT_USAGE;
    }
    sw_error serr;
    sw_error_clear(&serr);
    if (use_store && (sw_cli_store_open(&store, SW_STORE_WRITE) ||
                      sw_store_run_begin(store.store, ingest ? "ingest" : "scan", &serr))) {
        if (serr.message[0])
            sw_cli_warn("%s", serr.message);
        sw_cli_store_close(&store);
        sw_cli_verify_close(&verify);
        sw_cli_detect_close(&det);
        if (output)
            fclose(out);
        return SW_EXIT_INPUT;
    }
    if (use_store)
        det.detector.history = sw_store_history(store.store);
    sw_devctx *devctx = *devctxp;
    scan_ctx c = {.out = out, .detector = &det.detector, .devctx = devctx, .only = only,
                  .verify = &verify, .store = use_store ? &store : NULL, .alerts = alerts,
                  .no_records = ingest};
    sw_buf_init(&c.pending, SW_SCAN_FLUSH + SW_MAX_RECORD_JSON);
    b.on_record = emit;
    b.on_error = on_error;
    b.ctx = &c;
    double t0 = sw_now();
    int rc = sw_batch_run(&b, paths, npaths);
    double el = sw_now() - t0;
    flush_pending(&c);
    if (fflush(c.out) != 0 || (output && fclose(c.out) != 0)) {
        sw_cli_warn("write error: %s", strerror(errno));
        c.write_failed = 1;
    }
    sw_buf_free(&c.pending);
    int store_failed = 0;
    if (use_store) {
        /* A stopped run still commits what it stored; only a finished one is marked so. */
        if (rc == 3 ? sw_store_run_stop(store.store, &serr)
                    : sw_store_run_end(store.store, &serr)) {
            sw_cli_warn("%s", serr.message);
            store_failed = 1;
        }
        if (!quiet) {
            const sw_store_stats *st = sw_store_run_stats(store.store);
            fprintf(stderr,
                    "spoofwatch: store %s: %llu new observations (%llu flagged, %llu joined "
                    "to messages already stored), %llu already there\n",
                    sw_store_path(store.store), (unsigned long long)st->stored,
                    (unsigned long long)st->flagged, (unsigned long long)st->joined,
                    (unsigned long long)st->duplicates);
        }
        sw_cli_store_close(&store);
    }
    sw_cli_verify_close(&verify);
    sw_cli_detect_close(&det);
    if (!quiet)
        fprintf(stderr,
                "spoofwatch: %llu messages from %llu files, %llu errors, %llu with anomalies, "
                "%llu non-mail files skipped; verdicts: %llu spoofed, %llu suspicious, "
                "%llu pass, %llu unknown; %.1f MB in %.2fs\n",
                (unsigned long long)b.stats.messages, (unsigned long long)b.stats.files,
                (unsigned long long)b.stats.errors, (unsigned long long)b.stats.with_anomalies,
                (unsigned long long)b.stats.not_mail,
                (unsigned long long)c.verdicts[SW_VERDICT_SPOOFED],
                (unsigned long long)c.verdicts[SW_VERDICT_SUSPICIOUS],
                (unsigned long long)c.verdicts[SW_VERDICT_PASS],
                (unsigned long long)c.verdicts[SW_VERDICT_UNKNOWN], (double)b.stats.bytes / 1e6,
                el);
    int ctx_failed = sw_cli_context_summary(devctx, quiet);
    if (c.write_failed || ctx_failed || store_failed)
        return SW_EXIT_INPUT;
    return rc ? SW_EXIT_INPUT : SW_EXIT_OK;
}

int sw_cmd_scan(int argc, char **argv)
{
    sw_devctx *devctx = NULL;
    int rc = scan_run(argc, argv, &devctx, 0);
    sw_devctx_free(devctx);
    return rc;
}

int sw_cmd_ingest(int argc, char **argv)
{
    sw_devctx *devctx = NULL;
    int rc = scan_run(argc, argv, &devctx, 1);
    sw_devctx_free(devctx);
    return rc;
}
