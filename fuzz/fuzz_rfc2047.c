/* Fuzz target: RFC 2047 decoding of one unstructured field. */
#include "spoofwatch/limits.h"
#include "spoofwatch/rfc2047.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    sw_decoded d;
    sw_rfc2047_decode(&a, s, size, &d);
    sw_arena_free(&a);
    return 0;
}
