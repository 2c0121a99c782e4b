/* Fuzz target: RFC 5322 address-list parsing. */
#include "spoofwatch/limits.h"
#include "spoofwatch/address.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    sw_address_list l;
    if (sw_address_parse(&a, s, size, &l) == 0) {
        const char *names[32];
        sw_address_flag_names(l.flags, names, 32);
    }
    sw_arena_free(&a);
    return 0;
}
