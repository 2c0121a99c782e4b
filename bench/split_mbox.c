/* Baseline for make bench: the same mbox read and split into messages by spoofwatch's own
 * reader, with no header parsing and no output. scan minus this is the cost of the record.
 * usage: split_mbox FILE */
#include "spoofwatch/input.h"
#include "spoofwatch/limits.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: split_mbox FILE\n");
        return 2;
    }
    sw_input in;
    sw_error err;
    if (sw_input_open(&in, argv[1], SW_FMT_AUTO, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_message m;
    unsigned long long n = 0, bytes = 0;
    while (sw_input_next(&in, &a, &m, &err) != SW_ENOTFOUND) {
        n++;
        bytes += m.len;
    }
    sw_input_close(&in);
    sw_arena_free(&a);
    printf("%llu messages, %llu bytes\n", n, bytes);
    return 0;
}
