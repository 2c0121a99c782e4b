/* Batch: run the readers over files, directories and stdin, build one record per message
 * and hand it to a callback. Bad input never stops a batch: each unreadable file or
 * message is reported through on_error (with path and byte offset) and counted.
 *
 * The record passed to on_record lives until the callback returns (its arena is reset
 * for the next message). The batch owns its arena; the caller owns the options. */
#ifndef SPOOFWATCH_BATCH_H
#define SPOOFWATCH_BATCH_H

#include <stdint.h>
#include "spoofwatch/input.h"
#include "spoofwatch/progress.h"
#include "spoofwatch/record.h"

typedef struct sw_batch_stats {
    uint64_t files;    /* files opened as mail */
    uint64_t messages; /* records produced */
    uint64_t log_records; /* of those, records read from logs */
    uint64_t bytes;    /* bytes of input read (after decompression) */
    uint64_t errors;   /* files or messages that could not be read */
    uint64_t not_mail; /* files skipped inside directory walks: not a mail format */
    uint64_t with_anomalies;
} sw_batch_stats;

typedef struct sw_batch {
    sw_format format; /* SW_FMT_AUTO to sniff */
    int progress;     /* -1 auto, 0 off, 1 on */
    /* a: the message's arena, for whatever the callback derives from the record */
    int (*on_record)(const sw_record *rec, sw_arena *a, void *ctx); /* non-zero stops */
    void (*on_error)(const char *message, void *ctx);
    void *ctx;
    sw_batch_stats stats;
} sw_batch;

/* Processes every path ("-" = stdin). Returns 0 when everything was read, 1 when some
 * input could not be read, or the callback's stop value. */
int sw_batch_run(sw_batch *b, char *const *paths, int npaths);

#endif
