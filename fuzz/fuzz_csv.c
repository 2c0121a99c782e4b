/* libFuzzer target for the CSV reader (src/readers/logs/csv.c) alone.
 *
 * Each input is read to the end twice (plain, and with '#' lines as comments), each time
 * with a fresh arena reset per record and freed before returning; the first line is also
 * used as a header and looked up. Besides memory errors (ASan/UBSan) it checks the
 * reader's promises: it always moves forward (so it ends), a record's line numbers never
 * go back, its offset lies inside the text, it has between 1 and SW_MAX_CSV_FIELDS fields,
 * each a NUL-terminated string, and a failure carries a message. A broken promise aborts
 * so that the fuzzer records the input. It also runs the sniffer on the input. */
#include "spoofwatch/arena.h"
#include "spoofwatch/csv.h"
#include "spoofwatch/error.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/logsource.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SW_FUZZ_ARENA (4u << 20)

static void sw_fuzz_read(const uint8_t *data, size_t size, unsigned flags)
{
    sw_csv r;
    sw_error err;
    sw_error_clear(&err);
    if (sw_csv_open(&r, (const char *)data, size, flags, &err)) {
        if (!err.message[0])
            abort();
        return;
    }
    sw_arena a;
    sw_arena_init(&a, SW_FUZZ_ARENA);
    sw_csv_header h;
    sw_csv_header_init(&h);
    int have_header = 0;
    uint64_t last_line = 0;
    volatile size_t sum = 0;
    for (;;) {
        size_t before = r.pos;
        sw_arena_reset(&a);
        sw_csv_record rec;
        sw_error_clear(&err);
        int rc = sw_csv_next(&r, &a, &rec, &err);
        if (rc == SW_ENOTFOUND)
            break;
        if (r.pos <= before || r.pos > r.len)
            abort();
        if (rec.line < last_line || rec.line == 0)
            abort();
        last_line = rec.line;
        if (rc == SW_EFORMAT) {
            if (!err.message[0])
                abort();
            continue;
        }
        if (rc)
            break; /* arena full: the cap itself is exercised */
        if (rec.offset >= r.len || rec.nfields == 0 || rec.nfields > SW_MAX_CSV_FIELDS)
            abort();
        for (size_t i = 0; i < rec.nfields; i++)
            sum += strlen(rec.fields[i]);
        if (!have_header && !rec.comment) {
            have_header = 1;
            if (sw_csv_header_set(&h, rec.fields, rec.nfields) == SW_OK && h.count) {
                int col = sw_csv_col(&h, h.names[h.count - 1]);
                if (col < 0)
                    abort();
            }
        } else if (have_header) {
            for (size_t i = 0; i < h.count; i++) {
                const char *v = sw_csv_cell(&rec, (int)i);
                if (!v)
                    abort();
                sum += strlen(v);
            }
        }
    }
    (void)sum;
    sw_csv_header_free(&h);
    sw_arena_free(&a);
    sw_csv_close(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_fuzz_read(data, size, 0);
    sw_fuzz_read(data, size, SW_CSV_HASH_LINES);
    char head[256];
    size_t n = sw_csv_head((const char *)data, size, head, sizeof head);
    if (n >= sizeof head || head[n] != '\0')
        abort();
    sw_format f = sw_log_sniff_csv((const char *)data, size);
    if (f != SW_FMT_UNKNOWN && f != SW_FMT_CSVLOG && f != SW_FMT_TRACKLOG)
        abort();
    return 0;
}
