/* Baselines for make bench: the same mbox read and split into messages by spoofwatch's own
 * reader, with no parsing and no output (scan minus this is the cost of the record); with
 * --headers, also each message's header block scanned (unfolded, capped, indexed by name),
 * the header scanner that DESIGN.md's limits name, and nothing built from it.
 * usage: split_mbox [--headers] FILE */
#include "spoofwatch/header.h"
#include "spoofwatch/input.h"
#include "spoofwatch/limits.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    int headers = argc == 3 && !strcmp(argv[1], "--headers");
    if (argc != 2 + headers) {
        fprintf(stderr, "usage: split_mbox [--headers] FILE\n");
        return 2;
    }
    sw_input in;
    sw_error err;
    if (sw_input_open(&in, argv[argc - 1], SW_FMT_AUTO, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    sw_arena a, fields;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_arena_init(&fields, SW_MAX_ARENA);
    sw_message m;
    unsigned long long n = 0, bytes = 0, nfields = 0;
    while (sw_input_next(&in, &a, &m, &err) != SW_ENOTFOUND) {
        n++;
        bytes += m.len;
        if (headers) {
            sw_header_block h;
            sw_arena_reset(&fields);
            if (sw_header_scan(&fields, m.data, m.len, &h, &err) == SW_OK)
                nfields += h.count;
        }
    }
    sw_input_close(&in);
    sw_arena_free(&a);
    sw_arena_free(&fields);
    printf("%llu messages, %llu bytes, %llu header fields\n", n, bytes, nfields);
    return 0;
}
