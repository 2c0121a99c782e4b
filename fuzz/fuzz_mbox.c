/* Fuzz target: mbox splitting (whole buffer, and through the window with the bytes arriving
 * in small chunks, which must agree) and >From unquoting. */
#include "spoofwatch/limits.h"
#include "spoofwatch/input.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct mem_src {
    const char *data;
    size_t len;
} mem_src;

static int mem_read(void *ctx, char *buf, size_t n, uint64_t offset, size_t *got)
{
    const mem_src *m = ctx;
    size_t k = offset < m->len ? m->len - (size_t)offset : 0;
    *got = k < n ? k : n;
    memcpy(buf, m->data + offset, *got);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    /* the window's chunk and largest size come from the first byte, so that the corpus
     * covers refills at every offset and messages handed over for being too large */
    size_t chunk = size ? 1 + data[0] % 61 : 1, max_window = size && data[0] & 0x80 ? 256 : 1 << 20;
    mem_src src = {s, size};
    sw_mbox_stream st;
    sw_mbox_stream_init(&st, mem_read, &src, 0, size, chunk, max_window);
    size_t pos = 0, start, end, next;
    int guard = 0;
    while (sw_mbox_next(s, size, pos, &start, &end, &next) == 0 && guard++ < 100000) {
        size_t n;
        sw_mbox_unquote(&a, s + start, end - start, &n);
        if (next <= pos)
            abort(); /* no progress would hang a scan */
        sw_mbox_span sp;
        int rc = sw_mbox_stream_next(&st, &sp, NULL);
        if (rc == SW_ELIMIT) {
            if (sw_mbox_stream_offset(&st) != pos)
                abort();
            sw_mbox_stream_free(&st);
            sw_mbox_stream_init(&st, mem_read, &src, next, size, chunk, max_window);
        } else if (rc != SW_OK || sp.offset != start || sp.len != end - start ||
                   memcmp(sp.data, s + start, sp.len)) {
            abort(); /* the window split differently from the whole buffer */
        }
        pos = next;
    }
    sw_mbox_span sp;
    if (guard <= 100000 && sw_mbox_stream_next(&st, &sp, NULL) != SW_ENOTFOUND)
        abort();
    sw_mbox_stream_free(&st);
    (void)sw_sniff("x.eml", s, size);
    sw_arena_free(&a);
    return 0;
}
