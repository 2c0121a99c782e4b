/* Fuzz target: the whole record builder and its JSON form on one raw message. */
#include "spoofwatch/limits.h"
#include "spoofwatch/record.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    sw_record r;
    sw_source src = {.path = "fuzz", .format = "eml", .index = -1};
    if (sw_record_from_mail(&a, s, size, &src, &r, NULL) == 0) {
        sw_buf b;
        sw_buf_init(&b, SW_MAX_RECORD_JSON);
        sw_record_write_json(&r, &b);
        sw_buf_free(&b);
    }
    sw_arena_free(&a);
    return 0;
}
