/* Fuzz target: mbox splitting and >From unquoting. */
#include "spoofwatch/limits.h"
#include "spoofwatch/input.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    size_t pos = 0, start, end, next;
    int guard = 0;
    while (sw_mbox_next(s, size, pos, &start, &end, &next) == 0 && guard++ < 100000) {
        size_t n;
        sw_mbox_unquote(&a, s + start, end - start, &n);
        if (next <= pos)
            abort(); /* no progress would hang a scan */
        pos = next;
    }
    (void)sw_sniff("x.eml", s, size);
    sw_arena_free(&a);
    return 0;
}
