/* libFuzzer target for the Exchange tracking-log reader (src/readers/logs/tracklog.c),
 * through sw_log_read() on an in-memory sw_input whose format is set to SW_FMT_TRACKLOG
 * (and, on the same bytes, SW_FMT_CSVLOG, for the CSV sources that share its event row).
 *
 * Records are checked and released by the callback; the record arena is freed before
 * returning. Besides memory errors (ASan/UBSan) it checks what the merger promises
 * downstream: every record has a source format and a 1-based line, its recipients have
 * addresses, and the records and errors counted match what the callbacks saw. A broken
 * promise aborts so that the fuzzer records the input. */
#include "spoofwatch/arena.h"
#include "spoofwatch/input.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/logsource.h"
#include "spoofwatch/record.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct seen {
    uint64_t records, errors;
} seen;

static int on_record(const sw_record *rec, sw_arena *a, void *ctx)
{
    (void)a;
    seen *s = ctx;
    s->records++;
    if (!rec->has_log || !rec->source.format || rec->source.line == 0)
        abort();
    volatile size_t sum = 0;
    for (size_t i = 0; i < rec->nrecipients; i++) {
        if (!rec->recipients[i].address)
            abort();
        sum += strlen(rec->recipients[i].address);
    }
    for (size_t i = 0; i < rec->log.nfields; i++)
        sum += strlen(rec->log.fields[i].key) + strlen(rec->log.fields[i].value);
    if (rec->message_id)
        sum += strlen(rec->message_id);
    if (rec->envelope_from)
        sum += strlen(rec->envelope_from);
    (void)sum;
    return 0;
}

static void on_error(const char *message, void *ctx)
{
    seen *s = ctx;
    s->errors++;
    if (!message || strncmp(message, "fuzz:", 5) != 0)
        abort(); /* every message names the file first */
}

static void sw_fuzz_read(const uint8_t *data, size_t size, sw_format format)
{
    sw_input in;
    memset(&in, 0, sizeof in);
    in.path = "fuzz";
    in.data = (const char *)data;
    in.len = size;
    in.format = format;
    in.fd = -1;
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    seen s = {0, 0};
    uint64_t records = 0, errors = 0;
    sw_log_read(&in, &a, on_record, &s, on_error, &records, &errors);
    if (records != s.records || errors != s.errors)
        abort();
    sw_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_fuzz_read(data, size, SW_FMT_TRACKLOG);
    sw_fuzz_read(data, size, SW_FMT_CSVLOG);
    return 0;
}
