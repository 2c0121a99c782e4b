/* Unit tests: the mbox window (sw_mbox_stream) splits exactly as the whole-buffer split
 * does, however the bytes arrive; sw_input's move from a mapping to the window and back,
 * and a file cut short while it is read. */
#include "test.h"
#include "spoofwatch/input.h"
#include "spoofwatch/limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* An mbox with what makes splitting hard: separators after blank and CRLF blank lines, a
 * "From " body line with a postmark time but no blank line before it (a separator), one
 * without (body text), a quoted ">From ", a long From line, a separator right after a
 * separator, bodies of many sizes and a last message without a final newline. */
static char *make_mbox(size_t *len, unsigned seed, int messages)
{
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    for (int m = 0; m < messages && s; m++) {
        char head[600];
        int k = snprintf(head, sizeof head, "From sender%d@example.com%s Mon Jan  1 00:%02d:00 2024\n"
                         "From: <s%d@example.com>\nSubject: m%d\n\n",
                         m, m % 7 == 3 ? " (a very long envelope comment that runs on and on and on)"
                                       : "",
                         m % 60, m, m);
        seed = seed * 1103515245u + 12345u;
        size_t body = (seed >> 8) % (m % 5 == 0 ? 20000 : 700);
        if (n + (size_t)k + body + 200 > cap) {
            cap = (n + (size_t)k + body + 200) * 2;
            s = realloc(s, cap);
            if (!s)
                return NULL;
        }
        if (m % 11 == 4) /* a separator line right after another */
            k = snprintf(head, sizeof head, "From empty@example.com Mon Jan  1 00:00:00 2024\n");
        memcpy(s + n, head, (size_t)k);
        n += (size_t)k;
        if (m % 11 == 4)
            continue;
        for (size_t i = 0; i < body; i++)
            s[n++] = i % 71 == 70 ? '\n' : (char)('a' + (i * 7 + seed) % 26);
        if (m % 3 == 1)
            n += (size_t)sprintf(s + n, "\n>From a quoted line\nFrom a body line\n");
        if (m % 13 == 6)
            n += (size_t)sprintf(s + n, "\nFrom postmark@example.com Mon Jan  1 12:34:56 2024\n");
        if (m + 1 < messages)
            n += (size_t)sprintf(s + n, m % 4 == 2 ? "\r\n\r\n" : "\n\n");
    }
    *len = n;
    return s;
}

/* Messages the whole-buffer split finds: not quite those make_mbox wrote, as a postmarked
 * body line starts a message and a "From " line right after a separator is not one. */
static int count_messages(const char *box, size_t len)
{
    size_t pos = 0, start, end, next;
    int n = 0;
    while (sw_mbox_next(box, len, pos, &start, &end, &next) == SW_OK) {
        pos = next;
        n++;
    }
    return n;
}

typedef struct mem_src {
    const char *data;
    size_t len;
    size_t cut; /* pretend the file ends here (a file truncated while read) */
    int fail_at_call, calls;
} mem_src;

static int mem_read(void *ctx, char *buf, size_t n, uint64_t offset, size_t *got)
{
    mem_src *m = ctx;
    if (++m->calls == m->fail_at_call)
        return EIO;
    size_t end = m->cut ? m->cut : m->len;
    size_t k = offset < end ? end - (size_t)offset : 0;
    if (k > n)
        k = n;
    memcpy(buf, m->data + offset, k);
    *got = k;
    return 0;
}

/* Every message of the stream matches the whole-buffer split, for chunks from 1 byte up. */
SW_TEST(mbox_window_splits_as_the_whole_buffer_does)
{
    size_t len;
    char *box = make_mbox(&len, 7, 120);
    CHECK(box);
    static const size_t chunks[] = {1, 2, 5, 13, 64, 199, 4096, 65536};
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        mem_src src = {.data = box, .len = len};
        sw_mbox_stream s;
        sw_mbox_stream_init(&s, mem_read, &src, 0, len, chunks[c], 1 << 20);
        size_t pos = 0, start, end, next;
        int n = 0;
        sw_mbox_span sp;
        sw_error err;
        while (sw_mbox_next(box, len, pos, &start, &end, &next) == SW_OK) {
            CHECK(sw_mbox_stream_next(&s, &sp, &err) == SW_OK);
            CHECK(sp.offset == start);
            CHECK(sp.len == end - start);
            CHECK(memcmp(sp.data, box + start, sp.len) == 0);
            CHECK(sp.index == n);
            pos = next;
            n++;
        }
        CHECK(n == count_messages(box, len) && n > 100);
        CHECK(sw_mbox_stream_next(&s, &sp, &err) == SW_ENOTFOUND);
        sw_mbox_stream_free(&s);
    }
    free(box);
}

/* A message larger than the largest window stops the stream at its "From " line; a new
 * stream from there (or a mapping) goes on with the same messages. */
SW_TEST(mbox_window_hands_over_a_message_too_large_for_it)
{
    size_t len;
    char *box = make_mbox(&len, 3, 40);
    CHECK(box);
    mem_src src = {.data = box, .len = len};
    sw_mbox_stream s;
    sw_mbox_stream_init(&s, mem_read, &src, 0, len, 512, 8192);
    size_t pos = 0, start, end, next;
    sw_mbox_span sp;
    sw_error err;
    int handed = 0, n = 0;
    while (sw_mbox_next(box, len, pos, &start, &end, &next) == SW_OK) {
        int rc = sw_mbox_stream_next(&s, &sp, &err);
        if (rc == SW_ELIMIT) {
            CHECK(end - start > 4096); /* a window grows while a message fills half of it */
            CHECK(sw_mbox_stream_offset(&s) == pos);
            sw_mbox_stream_free(&s);
            sw_mbox_stream_init(&s, mem_read, &src, next, len, 512, 8192);
            handed++;
        } else {
            CHECK(rc == SW_OK);
            CHECK(sp.offset == start && sp.len == end - start);
        }
        pos = next;
        n++;
    }
    CHECK(n == count_messages(box, len) && n > 30);
    CHECK(handed > 0);
    CHECK(sw_mbox_stream_next(&s, &sp, &err) == SW_ENOTFOUND);
    sw_mbox_stream_free(&s);
    free(box);
}

/* A source that ends early: the messages read are handed out, then one error saying so. */
SW_TEST(mbox_window_reports_a_file_cut_short)
{
    size_t len;
    char *box = make_mbox(&len, 11, 30);
    CHECK(box);
    mem_src src = {.data = box, .len = len, .cut = len / 2};
    sw_mbox_stream s;
    sw_mbox_stream_init(&s, mem_read, &src, 0, len, 1000, 1 << 20);
    sw_mbox_span sp;
    sw_error err;
    sw_error_clear(&err);
    int n = 0, rc;
    uint64_t last_end = 0;
    while ((rc = sw_mbox_stream_next(&s, &sp, &err)) == SW_OK) {
        last_end = sp.offset + sp.len;
        n++;
    }
    CHECK(n > 0 && n < count_messages(box, len));
    CHECK(last_end == len / 2); /* the last message runs to where the bytes stopped */
    CHECK(rc == SW_EIO);
    CHECK(strstr(err.message, "changed during the scan") != NULL);
    CHECK(sw_mbox_stream_next(&s, &sp, &err) == SW_ENOTFOUND);
    sw_mbox_stream_free(&s);

    src.cut = 0;
    src.fail_at_call = 3;
    src.calls = 0;
    sw_mbox_stream_init(&s, mem_read, &src, 0, len, 1000, 1 << 20);
    while ((rc = sw_mbox_stream_next(&s, &sp, &err)) == SW_OK)
        ;
    CHECK(rc == SW_EIO);
    CHECK(strstr(err.message, "read error at byte 2000") != NULL);
    sw_mbox_stream_free(&s);
    free(box);
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

static int write_temp(char *path, const char *data, size_t len)
{
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return write_file(path, data, len);
}

/* sw_input moves from the mapping to the window mid-file (as it does when mapping proves
 * costly): the messages and their offsets are those of the whole-file split throughout. A
 * file cut short while the window reads it gives an error naming it, not SIGBUS. */
SW_TEST(input_moves_from_mapping_to_window_mid_file)
{
    size_t len;
    char *box = make_mbox(&len, 5, 2000);
    CHECK(box && len > 3000000);
    char path[] = "/tmp/sw-window-XXXXXX";
    CHECK(write_temp(path, box, len) == 0);
    sw_input in;
    sw_error err;
    CHECK(sw_input_open(&in, path, SW_FMT_AUTO, &err) == SW_OK);
    CHECK(in.format == SW_FMT_MBOX && in.mapped);
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_message m;
    size_t pos = 0, start, end, next;
    int n = 0;
    while (sw_mbox_next(box, len, pos, &start, &end, &next) == SW_OK) {
        if (n == 10)
            in.to_window = 1;
        CHECK(sw_input_next(&in, &a, &m, &err) == SW_OK);
        CHECK(in.windowed == (n >= 10));
        CHECK(m.offset == start && m.len == end - start);
        CHECK(memcmp(m.data, box + start, m.len) == 0);
        CHECK(m.index == n);
        pos = next;
        n++;
    }
    CHECK(n == count_messages(box, len) && n > 1800);
    CHECK(sw_input_next(&in, &a, &m, &err) == SW_ENOTFOUND);
    sw_input_close(&in);

    CHECK(sw_input_open(&in, path, SW_FMT_AUTO, &err) == SW_OK);
    in.to_window = 1;
    CHECK(sw_input_next(&in, &a, &m, &err) == SW_OK); /* one chunk read, well short of len/2 */
    CHECK(truncate(path, (off_t)(len / 2)) == 0);
    int rc;
    while ((rc = sw_input_next(&in, &a, &m, &err)) == SW_OK)
        CHECK(m.offset + m.len <= len / 2);
    CHECK(rc == SW_EIO);
    CHECK(strstr(err.message, path) != NULL);
    CHECK(strstr(err.message, "changed during the scan") != NULL);
    CHECK(sw_input_next(&in, &a, &m, &err) == SW_ENOTFOUND);
    sw_input_close(&in);
    sw_arena_free(&a);
    unlink(path);
    free(box);
}

/* A message larger than SW_MAX_MBOX_WINDOW is split from a mapping of the file, and the
 * messages after it too, with the same spans. */
SW_TEST(input_maps_a_message_too_large_for_the_window)
{
    size_t small_len;
    char *small = make_mbox(&small_len, 9, 20);
    CHECK(small);
    size_t big = SW_MAX_MBOX_WINDOW + (1u << 20);
    size_t len = small_len * 2 + big + 200;
    char *box = malloc(len);
    CHECK(box);
    size_t n = 0;
    memcpy(box, small, small_len);
    n += small_len;
    n += (size_t)sprintf(box + n, "\n\nFrom big@example.com Mon Jan  1 00:00:00 2024\n"
                                  "Subject: big\n\n");
    for (size_t i = 0; i < big; i++)
        box[n++] = i % 77 == 76 ? '\n' : 'x';
    n += (size_t)sprintf(box + n, "\n\n");
    memcpy(box + n, small, small_len);
    n += small_len;
    len = n;
    char path[] = "/tmp/sw-window-XXXXXX";
    CHECK(write_temp(path, box, len) == 0);
    sw_input in;
    sw_error err;
    CHECK(sw_input_open(&in, path, SW_FMT_AUTO, &err) == SW_OK);
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_message m;
    size_t pos = 0, start, end, next;
    int count = 0, mapped_after = 0;
    in.to_window = 1;
    while (sw_mbox_next(box, len, pos, &start, &end, &next) == SW_OK) {
        CHECK(sw_input_next(&in, &a, &m, &err) == SW_OK);
        CHECK(m.offset == start && m.len == end - start);
        CHECK(m.data[0] == box[start] && m.data[m.len - 1] == box[end - 1]);
        if (m.len > SW_MAX_MBOX_WINDOW)
            CHECK(in.mapped && !in.windowed);
        mapped_after += count > 21 && in.mapped;
        pos = next;
        count++;
    }
    CHECK(count == 41);
    CHECK(mapped_after == 19);
    CHECK(sw_input_next(&in, &a, &m, &err) == SW_ENOTFOUND);
    sw_input_close(&in);
    sw_arena_free(&a);
    unlink(path);
    free(box);
    free(small);
}
