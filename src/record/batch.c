/* Batch processing: see include/spoofwatch/batch.h. */
#include "spoofwatch/batch.h"
#include "spoofwatch/dmarc.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/logsource.h"
#include "spoofwatch/walk.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct run {
    sw_batch *b;
    sw_arena arena;
    sw_progress progress;
    uint64_t file_base; /* bytes of the files before the current one */
    int stop;
} run;

static void report(run *r, const char *fmt_path, const char *msg)
{
    char line[4800];
    if (fmt_path)
        snprintf(line, sizeof line, "%s: %s", fmt_path, msg);
    else
        snprintf(line, sizeof line, "%s", msg);
    if (r->b->on_error)
        r->b->on_error(line, r->b->ctx);
}

/* Log records pass through here on their way to the caller, for the progress bar. */
static int on_log_record(const sw_record *rec, sw_arena *a, void *ctx)
{
    run *r = ctx;
    int stop = r->b->on_record ? r->b->on_record(rec, a, r->b->ctx) : 0;
    sw_progress_update(&r->progress, r->file_base + rec->source.offset,
                       r->b->stats.messages + 1);
    return stop;
}

static void on_log_error(const char *message, void *ctx)
{
    run *r = ctx;
    if (r->b->on_error)
        r->b->on_error(message, r->b->ctx);
}

/* in_walk: files met while walking a directory; non-mail ones are counted, not errors. */
static void process_file(run *r, const char *path, sw_format format, int in_walk)
{
    sw_batch *b = r->b;
    sw_input in;
    sw_error err;
    sw_error_clear(&err);
    int rc = sw_input_open(&in, path, format, &err);
    if (rc) {
        if (in_walk && rc == SW_EFORMAT && strstr(err.message, "not a mail format")) {
            b->stats.not_mail++;
            return;
        }
        b->stats.errors++;
        report(r, NULL, err.message);
        return;
    }
    b->stats.files++;
    if (sw_format_is_log(in.format)) {
        uint64_t before = b->stats.messages;
        sw_arena_reset(&r->arena);
        r->file_base = b->stats.bytes;
        r->stop = sw_log_read(&in, &r->arena, on_log_record, r, on_log_error, &b->stats.messages,
                              &b->stats.errors);
        b->stats.log_records += b->stats.messages - before;
        b->stats.bytes += in.len;
        sw_progress_update(&r->progress, b->stats.bytes, b->stats.messages);
        sw_input_close(&in);
        return;
    }
    for (;;) {
        sw_message m;
        sw_arena_reset(&r->arena);
        sw_error_clear(&err);
        rc = sw_input_next(&in, &r->arena, &m, &err);
        if (rc == SW_ENOTFOUND)
            break;
        if (rc) {
            b->stats.errors++;
            report(r, NULL, err.message);
            continue;
        }
        sw_source src = {.path = path,
                         .offset = m.offset,
                         .length = m.len,
                         .format = sw_format_name(in.format),
                         .compressed = in.compressed,
                         .index = in.format == SW_FMT_MBOX ? m.index : -1,
                         .line = 0};
        sw_record rec;
        rc = sw_record_from_mail(&r->arena, m.data, m.len, &src, &rec, &err);
        if (rc) {
            b->stats.errors++;
            char where[4200];
            snprintf(where, sizeof where, "%s: message at byte %llu", path,
                     (unsigned long long)m.offset);
            report(r, where, err.message);
            continue;
        }
        rec.mbox_quoted = m.mbox_quoted;
        if (m.has_ctx) {
            rec.ctx = m.ctx;
            rec.has_ctx = 1;
        }
        /* A DMARC report carried in mail (include/spoofwatch/dmarc.h) stands for what it
         * reports: its aggregate rows, or a failure report's enclosed message, are recorded
         * instead of the carrier message. */
        sw_dmarc_sink sink = {.on_record = on_log_record, .on_error = on_log_error, .ctx = r};
        if (sw_dmarc_mail(&r->arena, &rec, m.data, m.len, &sink)) {
            b->stats.messages += sink.records;
            b->stats.log_records += sink.records;
            b->stats.errors += sink.errors;
            if ((r->stop = sink.stop))
                break;
            continue;
        }
        /* A header block cut at the cap could hide a later From: the message was not
         * fully read, so it counts as an error as well as being recorded. */
        if (rec.headers.anomalies & SW_HB_TRUNCATED) {
            b->stats.errors++;
            char where[4200], msg[200];
            snprintf(where, sizeof where, "%s: message at byte %llu", path,
                     (unsigned long long)m.offset);
            snprintf(msg, sizeof msg, "header block longer than %u bytes; read up to the cap",
                     SW_MAX_HEADER_BLOCK);
            report(r, where, msg);
        }
        b->stats.messages++;
        if (rec.nanomalies)
            b->stats.with_anomalies++;
        if (b->on_record && (r->stop = b->on_record(&rec, &r->arena, b->ctx)))
            break;
        sw_progress_update(&r->progress, b->stats.bytes + m.offset + m.len, b->stats.messages);
    }
    b->stats.bytes += in.len;
    sw_input_close(&in);
}

static int on_walk(const char *path, sw_walk_kind kind, const char *error, void *ctx)
{
    run *r = ctx;
    if (kind == SW_WALK_ERROR) {
        r->b->stats.errors++;
        report(r, path, error);
        return 0;
    }
    process_file(r, path,
                 kind == SW_WALK_MAILDIR_FILE && r->b->format == SW_FMT_AUTO ? SW_FMT_AUTO
                                                                             : r->b->format,
                 1);
    return r->stop;
}

static uint64_t total_size(char *const *paths, int n)
{
    uint64_t t = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") && stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
            t += (uint64_t)st.st_size;
        else
            return 0; /* directories and pipes: size unknown, show counts only */
    }
    return t;
}

int sw_batch_run(sw_batch *b, char *const *paths, int npaths)
{
    run r = {.b = b};
    sw_arena_init(&r.arena, SW_MAX_ARENA);
    sw_progress_init(&r.progress, b->progress, total_size(paths, npaths));
    for (int i = 0; i < npaths && !r.stop; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") && stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            sw_walk(paths[i], on_walk, &r);
        else
            process_file(&r, paths[i], b->format, 0);
    }
    sw_progress_finish(&r.progress);
    sw_arena_free(&r.arena);
    if (r.stop)
        return r.stop;
    return b->stats.errors ? 1 : 0;
}
