/* libFuzzer target for the JSON log family (src/readers/logs/logjson.c and every source of
 * json_sources.c: EmailEvents, TIMailData, message trace, ...).
 *
 * The input bytes are a whole log file: an sw_input is filled by hand (no file, no sniffing)
 * and handed to sw_log_read(), so JSON Lines detection, wrappers, routing, the row
 * functions and the merger all run. Each record is written as JSON, which reads every string
 * it holds, so ASan sees any pointer that outlived its arena. Besides memory errors it checks
 * the family's promises: a record names its source and its file, says it came from a log and
 * from at least one row, every recipient has an address, every auth result has a method and
 * a result, the JSON writer succeeds on it with one object the project's JSON reader parses
 * back and that is valid UTF-8, and every reported error carries a message. A
 * broken promise aborts so that the fuzzer records the input. The arena and the buffer are
 * freed before returning. */
#include "spoofwatch/arena.h"
#include "spoofwatch/buf.h"
#include "spoofwatch/input.h"
#include "spoofwatch/jsonread.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/logsource.h"
#include "spoofwatch/record.h"
#include "spoofwatch/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Small enough that the cap itself gets exercised, large enough for any seed. */
#define SW_FUZZ_ARENA (8u << 20)

static sw_jreader *reader;

/* The record's JSON must parse back as one object and be valid UTF-8 (json.h). */
static void check_json(const sw_buf *b)
{
    if (!reader && !(reader = sw_jreader_new()))
        abort();
    sw_arena ja;
    sw_arena_init(&ja, SW_MAX_ARENA);
    const sw_jv *v = NULL;
    int rc = sw_jparse(reader, &ja, b->data, b->len, &v, NULL);
    if ((rc == 0 && (!v || v->type != SW_J_OBJECT)) ||
        (rc != 0 && rc != SW_ENOMEM && rc != SW_ELIMIT) || !sw_utf8_valid(b->data, b->len))
        abort();
    sw_arena_free(&ja);
}

__attribute__((destructor)) static void teardown(void)
{
    sw_jreader_free(reader);
}

typedef struct fuzz_ctx {
    sw_buf out;
    uint64_t seen;
} fuzz_ctx;

static int on_record(const sw_record *rec, sw_arena *a, void *ctx)
{
    fuzz_ctx *f = ctx;
    (void)a;
    if (!rec->source.format || !*rec->source.format || !rec->source.path ||
        strcmp(rec->source.path, "fuzz") || !rec->has_log || rec->log.rows == 0)
        abort();
    for (size_t i = 0; i < rec->nrecipients; i++)
        if (!rec->recipients[i].address)
            abort();
    for (size_t i = 0; i < rec->nauth; i++)
        if (!rec->auth[i].method || !rec->auth[i].result)
            abort();
    for (size_t i = 0; i < rec->log.nfields; i++)
        if (!rec->log.fields[i].key || !rec->log.fields[i].value)
            abort();
    sw_buf_clear(&f->out);
    if (sw_record_write_json(rec, &f->out) == 0) {
        if (!f->out.len || f->out.data[0] != '{' || f->out.data[f->out.len - 1] != '}')
            abort();
        check_json(&f->out);
    }
    f->seen++;
    return 0;
}

static void on_error(const char *message, void *ctx)
{
    (void)ctx;
    if (!message || !*message)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_input in;
    memset(&in, 0, sizeof in);
    in.path = "fuzz";
    in.data = (const char *)data;
    in.len = size;
    in.format = SW_FMT_JSONLOG;
    in.fd = -1;

    sw_arena a;
    sw_arena_init(&a, SW_FUZZ_ARENA);
    fuzz_ctx f;
    f.seen = 0;
    sw_buf_init(&f.out, SW_MAX_RECORD_JSON);
    uint64_t records = 0, errors = 0;
    sw_log_read(&in, &a, on_record, &f, on_error, &records, &errors);
    if (records != f.seen)
        abort();
    sw_buf_free(&f.out);
    sw_arena_free(&a);
    return 0;
}
