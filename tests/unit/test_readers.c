/* Unit tests: mbox splitting and unquoting, sniffing, gzip and directory inputs. */
#include "test.h"
#include "spoofwatch/input.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char MBOX[] = "From alice@example.com Thu Jan  4 10:00:00 2024\n"
                           "From: alice@example.com\n"
                           "Subject: one\n"
                           "\n"
                           "body one\n"
                           ">From the start\n"
                           ">>From deeper\n"
                           "\n"
                           "From bob@example.org Thu Jan  4 11:00:00 2024\n"
                           "From: bob@example.org\n"
                           "\n"
                           "body two\n"
                           "From here without a blank line is body text\n";

SW_TEST(mbox_splits_on_separators_only)
{
    size_t start, end, next, len = strlen(MBOX);
    CHECK(sw_mbox_next(MBOX, len, 0, &start, &end, &next) == 0);
    CHECK(strncmp(MBOX + start, "From: alice", 11) == 0);
    CHECK(strncmp(MBOX + next, "From bob@", 9) == 0);
    CHECK(MBOX[end - 1] == '\n' && MBOX[end - 2] == 'r'); /* blank separator line dropped */
    CHECK(sw_mbox_next(MBOX, len, next, &start, &end, &next) == 0);
    CHECK(strncmp(MBOX + start, "From: bob", 9) == 0);
    CHECK(next == len);
    CHECK(end == len); /* "From here" had no blank line before it and no postmark time */
}

SW_TEST(mbox_unquotes_from_lines)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *m = "A: b\n\n>From x\n>>From y\n>Fromage\n";
    size_t n;
    const char *u = sw_mbox_unquote(&a, m, strlen(m), &n);
    CHECK(n == strlen(m) - 2);
    CHECK(strncmp(u, "A: b\n\nFrom x\n>From y\n>Fromage\n", n) == 0);
    const char *plain = "A: b\n\nno quoting\n";
    CHECK(sw_mbox_unquote(&a, plain, strlen(plain), &n) == plain);
    /* replies quoted with '>' are not mbox quoting: the span comes back as it is */
    const char *reply = "A: b\n\n> quoted reply line, long enough for a block\n>Fromage\n";
    CHECK(sw_mbox_unquote(&a, reply, strlen(reply), &n) == reply);
    /* a quoted line found only after the first 32-byte blocks, and at the very end */
    const char *late = "A: b\n\n> a reply line that fills the first blocks\n>From late";
    u = sw_mbox_unquote(&a, late, strlen(late), &n);
    CHECK(n == strlen(late) - 1);
    CHECK(strncmp(u, "A: b\n\n> a reply line that fills the first blocks\nFrom late", n) == 0);
    sw_arena_free(&a);
}

SW_TEST(sniff_formats)
{
    CHECK(sw_sniff("x.eml", "Received: x\n", 12) == SW_FMT_EML);
    CHECK(sw_sniff(NULL, "From a@b Sat Jan  1 00:00:00 2000\n", 34) == SW_FMT_MBOX);
    CHECK(sw_sniff("1.emlx", "123 \nFrom: x\n", 13) == SW_FMT_EMLX);
    CHECK(sw_sniff("1.partial.emlx", "123\nFrom: x\n", 12) == SW_FMT_PARTIAL_EMLX);
    CHECK(sw_sniff("x.bin",
                   "\x7f"
                   "ELF\x02\x01",
                   6) == SW_FMT_UNKNOWN);
    CHECK(sw_sniff("x.txt", "just some words\n", 16) == SW_FMT_UNKNOWN);
    CHECK(sw_sniff("x.eml",
                   "\xEF\xBB\xBF"
                   "From: a@b\n",
                   13) == SW_FMT_EML);
}

static char tmpdir[256];

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sw-test-XXXXXX");
    if (!mkdtemp(tmpdir))
        abort();
}

static void rm_tree(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", tmpdir);
}

SW_TEST(input_reads_gzip_mbox_with_offsets)
{
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/box.mbox.gz", tmpdir);
    gzFile g = gzopen(path, "wb");
    gzwrite(g, MBOX, (unsigned)strlen(MBOX));
    gzclose(g);
    sw_input in;
    sw_error err;
    CHECK(sw_input_open(&in, path, SW_FMT_AUTO, &err) == 0);
    CHECK(in.compressed);
    CHECK(in.format == SW_FMT_MBOX);
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_message m;
    int count = 0;
    uint64_t second_offset = 0;
    while (sw_input_next(&in, &a, &m, &err) == 0) {
        if (count == 1)
            second_offset = m.offset;
        count++;
    }
    CHECK(count == 2);
    CHECK(second_offset == (uint64_t)(strstr(MBOX, "From: bob") - MBOX));
    sw_input_close(&in);
    sw_arena_free(&a);
    rm_tree();
}

SW_TEST(input_rejects_empty_and_non_mail_files_with_path)
{
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/empty.eml", tmpdir);
    write_file(path, "", 0);
    sw_input in;
    sw_error err;
    CHECK(sw_input_open(&in, path, SW_FMT_AUTO, &err) == SW_EFORMAT);
    CHECK(strstr(err.message, "empty.eml") != NULL);
    snprintf(path, sizeof path, "%s/garbage.bin", tmpdir);
    write_file(path, "\x00\x01\x02garbage", 10);
    CHECK(sw_input_open(&in, path, SW_FMT_AUTO, &err) == SW_EFORMAT);
    CHECK(strstr(err.message, "not a mail format") != NULL);
    snprintf(path, sizeof path, "%s/truncated.gz", tmpdir);
    write_file(path, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
    CHECK(sw_input_open(&in, path, SW_FMT_AUTO, &err) != 0);
    CHECK(strstr(err.message, "gzip") != NULL);
    rm_tree();
}

typedef struct seen {
    int files, maildir_files;
    char names[16][64];
} seen;

static int collect(const char *path, sw_walk_kind kind, const char *error, void *ctx)
{
    seen *s = ctx;
    if (kind == SW_WALK_ERROR)
        return 0;
    if (s->files < 16)
        snprintf(s->names[s->files], 64, "%s", strrchr(path, '/') + 1);
    s->files++;
    if (kind == SW_WALK_MAILDIR_FILE)
        s->maildir_files++;
    return 0;
}

SW_TEST(walk_maildir_skips_tmp_and_hidden_files)
{
    make_tmpdir();
    char p[512];
    const char *dirs[] = {"md", "md/cur", "md/new", "md/tmp", "other"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", tmpdir, dirs[i]);
        mkdir(p, 0700);
    }
    const char *files[] = {"md/cur/2:2,S", "md/new/1",        "md/tmp/inflight",
                           "other/b.eml",  "other/.DS_Store", "other/a.eml"};
    for (size_t i = 0; i < 6; i++) {
        snprintf(p, sizeof p, "%s/%s", tmpdir, files[i]);
        write_file(p, "From: a@b.example\n\n", 19);
    }
    seen s = {0};
    sw_walk(tmpdir, collect, &s);
    CHECK(s.files == 4);
    CHECK(s.maildir_files == 2);
    CHECK(!strcmp(s.names[0], "2:2,S"));
    CHECK(!strcmp(s.names[2], "a.eml")); /* sorted */
    rm_tree();
}
