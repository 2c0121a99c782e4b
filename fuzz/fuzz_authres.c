/* Fuzz target: Authentication-Results parsing in every mode. */
#include "spoofwatch/limits.h"
#include "spoofwatch/authres.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    static const unsigned modes[] = {0, SW_AR_STRICT, SW_AR_RELAXED | SW_AR_I18N,
                                     SW_AR_RELAXED | SW_AR_ARC, SW_AR_STRICT | SW_AR_I18N};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        sw_authres ar;
        sw_authres_parse(&a, s, size, modes[m], &ar, NULL);
        sw_arena_reset(&a);
    }
    sw_arena_free(&a);
    return 0;
}
