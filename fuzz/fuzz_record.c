/* Fuzz target: the whole record builder and its JSON form on one raw message. The JSON the
 * writer reports as written must be one document the project's JSON reader parses back as
 * an object (the writer copies key literals in blocks and formats numbers from tables), and
 * valid UTF-8 (json.h: invalid bytes are written as U+FFFD). */
#include "spoofwatch/jsonread.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/record.h"
#include "spoofwatch/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static sw_jreader *reader;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!reader && !(reader = sw_jreader_new()))
        abort();
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    sw_record r;
    sw_source src = {.path = "fuzz", .format = "eml", .index = -1};
    if (sw_record_from_mail(&a, s, size, &src, &r, NULL) == 0) {
        sw_buf b;
        sw_buf_init(&b, SW_MAX_RECORD_JSON);
        if (sw_record_write_json(&r, &b) == 0) {
            sw_arena ja;
            sw_arena_init(&ja, SW_MAX_ARENA);
            const sw_jv *v = NULL;
            int rc = sw_jparse(reader, &ja, b.data, b.len, &v, NULL);
            if ((rc == 0 && (!v || v->type != SW_J_OBJECT)) ||
                (rc != 0 && rc != SW_ENOMEM && rc != SW_ELIMIT))
                abort();
            if (!sw_utf8_valid(b.data, b.len))
                abort();
            sw_arena_free(&ja);
        }
        sw_buf_free(&b);
    }
    sw_arena_free(&a);
    return 0;
}

__attribute__((destructor)) static void teardown(void)
{
    sw_jreader_free(reader);
}
