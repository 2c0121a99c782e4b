/* Fuzz target: RFC 2047 decoding of one unstructured field. Text without an encoded-word
 * start is copied as is, and its flags (tested a word at a time) must be the bytewise ones:
 * CONTROL for a byte below 0x20 other than TAB or 0x7F, INVALID_UTF8 when not UTF-8. */
#include "spoofwatch/limits.h"
#include "spoofwatch/rfc2047.h"
#include "spoofwatch/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    sw_decoded d;
    int rc = sw_rfc2047_decode(&a, s, size, &d);
    if (rc == 0 && (size < 2 || !sw_rfc2047_has_start(s, size))) {
        int control = 0;
        for (size_t i = 0; i < size; i++) {
            unsigned char c = (unsigned char)s[i];
            control |= (c < 0x20 && c != '\t') || c == 0x7F;
        }
        if (!!(d.flags & SW_2047_CONTROL) != control ||
            !!(d.flags & SW_2047_INVALID_UTF8) != !sw_utf8_valid(s, size) ||
            (d.len == size && memcmp(d.text, s, size) != 0))
            abort();
    }
    sw_arena_free(&a);
    return 0;
}
