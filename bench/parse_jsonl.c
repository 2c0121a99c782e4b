/* Baseline for make bench's log figure: every line of a JSON Lines file parsed into
 * spoofwatch's JSON tree (simdjson behind include/spoofwatch/jsonread.h) and nothing else:
 * no field extraction, merging, detection or output. scan of the same file minus this is
 * what turning events into verdicts costs.
 * usage: parse_jsonl FILE */
#include "spoofwatch/input.h"
#include "spoofwatch/jsonread.h"
#include "spoofwatch/limits.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: parse_jsonl FILE\n");
        return 2;
    }
    sw_input in;
    sw_error err;
    if (sw_input_open(&in, argv[1], SW_FMT_AUTO, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    sw_jreader *r = sw_jreader_new();
    if (!r)
        return 1;
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    unsigned long lines = 0, bad = 0;
    const char *p = in.data, *end = in.data + in.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t at = (size_t)(p - in.data);
        sw_input_advance(&in, at); /* pages released behind, as the readers do */
        if (n) {
            const sw_jv *doc;
            sw_arena_reset(&a);
            if (sw_jparse(r, &a, p, n, &doc, &err))
                bad++;
            lines++;
        }
        p += n + 1;
    }
    sw_jreader_free(r);
    sw_arena_free(&a);
    sw_input_close(&in);
    printf("%lu lines, %lu not JSON\n", lines, bad);
    return 0;
}
