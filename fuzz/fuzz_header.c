/* Fuzz target: the header block scanner on arbitrary bytes. */
#include "spoofwatch/limits.h"
#include "spoofwatch/header.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    sw_header_block h;
    if (sw_header_scan(&a, s, size, &h, NULL) == 0)
        for (size_t i = 0; i < h.count; i++)
            (void)sw_header_find(&h, h.fields[i].name, 0);
    sw_arena_free(&a);
    return 0;
}
