/* Unit tests: header block scanner. */
#include "test.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"

#include <stdio.h>
#include <stdlib.h>

static sw_arena A;

static void scan(const char *msg, sw_header_block *h)
{
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_header_scan(&A, msg, strlen(msg), h, NULL);
}

SW_TEST(header_unfolds_crlf_continuations)
{
    sw_header_block h;
    scan("Subject: hello\r\n  world\r\nFrom: a@b.example\r\n\r\nbody", &h);
    CHECK(h.count == 2);
    CHECK_STR(h.fields[0].name, "Subject");
    CHECK_STR(h.fields[0].value, "hello  world");
    CHECK(h.crlf);
    CHECK(h.body_offset == strlen("Subject: hello\r\n  world\r\nFrom: a@b.example\r\n\r\n"));
    CHECK(h.anomalies == 0);
    sw_arena_free(&A);
}

/* Folded fields are copied from the line runs the scan records (up to a fixed number, then
 * split again): both ways must unfold alike, the CR of a CRLF dropped, a bare CR kept. */
SW_TEST(header_unfolds_many_continuations_and_mixed_line_ends)
{
    char msg[2048], want[2048];
    sw_header_block h;
    for (int lines = 1; lines <= 40; lines += 13) {
        size_t m = 0, w = 0;
        m += (size_t)sprintf(msg + m, "X-Long: v0\r\n");
        w += (size_t)sprintf(want + w, "v0");
        for (int k = 1; k <= lines; k++) {
            const char *mid = k == 1 ? "\rz" : ""; /* a bare CR inside the value */
            m += (size_t)sprintf(msg + m, " %d%s%s", k, mid, k % 3 ? "\r\n" : "\n");
            w += (size_t)sprintf(want + w, " %d%s", k, mid);
        }
        sprintf(msg + m, "From: a@b.example\n\n");
        scan(msg, &h);
        CHECK(h.count == 2);
        CHECK_STR(h.fields[0].value, want);
        CHECK(h.fields[0].flags & SW_HF_BARE_CR);
        CHECK_STR(h.fields[1].value, "a@b.example");
    }
    scan("A: x\r\n y\r\n\tz", &h); /* the last line has no line end */
    CHECK(h.count == 1);
    CHECK_STR(h.fields[0].value, "x y\tz");
    CHECK(h.anomalies & SW_HB_NO_SEPARATOR);
    sw_arena_free(&A);
}

/* Name bytes are checked eight at a time: every length and position must still count. */
SW_TEST(header_bad_name_byte_found_at_any_position)
{
    static const unsigned char bad[] = {0x01, 0x1f, ' ', 0x7f, 0x80, 0xff};
    char msg[64];
    sw_header_block h;
    for (size_t len = 1; len <= 20; len++) {
        memset(msg, 'x', len);
        msg[0] = '!'; /* 33 and 126, the ends of the range, are good */
        msg[len - 1] = '~';
        memcpy(msg + len, ": v\n\n", 6);
        scan(msg, &h);
        CHECK(h.count == 1 && !(h.fields[0].flags & SW_HF_NON_ASCII_NAME));
        for (size_t pos = 0; pos < len; pos++)
            for (size_t b = 0; b < sizeof bad; b++) {
                if (bad[b] == ' ' && (pos == 0 || pos == len - 1))
                    continue; /* a leading space is a continuation, a trailing one trimmed */
                char keep = msg[pos];
                msg[pos] = (char)bad[b];
                scan(msg, &h);
                CHECK(h.count == 1 && (h.fields[0].flags & SW_HF_NON_ASCII_NAME));
                msg[pos] = keep;
            }
    }
    sw_arena_free(&A);
}

SW_TEST(header_space_before_colon_is_not_a_from)
{
    sw_header_block h;
    scan("From : evil@attacker.example\nFrom: real@bank.example\n\n", &h);
    CHECK(h.count == 2);
    CHECK(h.fields[0].flags & SW_HF_SPACE_BEFORE_COLON);
    CHECK(sw_header_find(&h, "from", 0) == 1);
    CHECK(sw_header_count(&h, "FROM") == 1);
    sw_arena_free(&A);
}

/* Name and value share one arena copy: the name's NUL takes the place of its colon, or the
 * name is copied alone when spaces stand before the colon. */
SW_TEST(header_names_and_values_copied_apart)
{
    sw_header_block h;
    scan("Subject :  spaced\nX-Empty:\nX-Fold:\n second\n third\nTo:x@y.example\n\n", &h);
    CHECK(h.count == 4);
    CHECK_STR(h.fields[0].name, "Subject");
    CHECK(h.fields[0].name_len == 7);
    CHECK_STR(h.fields[0].value, "spaced");
    CHECK_STR(h.fields[1].name, "X-Empty");
    CHECK_STR(h.fields[1].value, "");
    CHECK_STR(h.fields[2].name, "X-Fold");
    CHECK_STR(h.fields[2].value, "second third");
    CHECK_STR(h.fields[3].name, "To");
    CHECK_STR(h.fields[3].value, "x@y.example");
    CHECK(h.fields[3].value_len == 11);
    CHECK(h.fields[3].raw_len == strlen("To:x@y.example"));
    sw_arena_free(&A);
}

SW_TEST(header_folded_name_is_recorded)
{
    sw_header_block h;
    scan("To: x@y.example\nFrom\n : evil@attacker.example\n\n", &h);
    CHECK(h.anomalies & SW_HB_FOLDED_NAME);
    CHECK_STR(h.folded_name, "From");
    CHECK(sw_header_find(&h, "From", 0) < 0);
    sw_arena_free(&A);
}

SW_TEST(header_leading_space_and_colonless_lines)
{
    sw_header_block h;
    scan(" From: a@b.example\nnot a header line\nTo: c@d.example\n\n", &h);
    CHECK(h.anomalies & SW_HB_LEADING_WSP);
    CHECK(h.anomalies & SW_HB_LINE_NO_COLON);
    CHECK(h.count == 1);
    CHECK_STR(h.fields[0].name, "To");
    sw_arena_free(&A);
}

SW_TEST(header_without_body_separator)
{
    sw_header_block h;
    scan("From: a@b.example\nSubject: x", &h);
    CHECK(h.count == 2);
    CHECK(h.anomalies & SW_HB_NO_SEPARATOR);
    CHECK_STR(h.fields[1].value, "x");
    sw_arena_free(&A);
}

SW_TEST(header_nul_bytes_flagged)
{
    const char msg[] = "From: a\0b@c.example\nTo: d@e.example\n\nbody";
    sw_header_block h;
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_header_scan(&A, msg, sizeof msg - 1, &h, NULL);
    CHECK(h.anomalies & SW_HB_NUL);
    CHECK(h.fields[0].flags & SW_HF_NUL);
    CHECK(h.count == 2);
    sw_arena_free(&A);
}

SW_TEST(header_huge_block_is_cut_at_cap)
{
    size_t n = SW_MAX_HEADER_BLOCK + 1000;
    char *m = malloc(n + 1);
    memcpy(m, "X-Pad: ", 7);
    memset(m + 7, 'a', n - 7);
    m[n] = '\0';
    sw_header_block h;
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_header_scan(&A, m, n, &h, NULL);
    CHECK(h.anomalies & SW_HB_TRUNCATED);
    CHECK(h.count == 1);
    CHECK(h.fields[0].flags & SW_HF_VALUE_TRUNCATED);
    CHECK(h.fields[0].value_len + 1 >= SW_MAX_FIELD_VALUE); /* less the space after ":" */
    free(m);
    sw_arena_free(&A);
}

SW_TEST(header_field_count_capped)
{
    size_t n = (SW_MAX_HEADER_FIELDS + 10) * 8 + 2;
    char *m = malloc(n + 1);
    size_t o = 0;
    for (int i = 0; i < SW_MAX_HEADER_FIELDS + 10; i++) {
        memcpy(m + o, "X-A: 1\n", 7);
        o += 7;
    }
    m[o++] = '\n';
    sw_header_block h;
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_header_scan(&A, m, o, &h, NULL);
    CHECK(h.count == SW_MAX_HEADER_FIELDS);
    CHECK(h.dropped == 10);
    CHECK(h.anomalies & SW_HB_TOO_MANY_FIELDS);
    free(m);
    sw_arena_free(&A);
}

SW_TEST(header_nul_in_the_last_field_and_in_stray_lines)
{
    const char last[] = "To: d@e.example\nFrom: a\0b@c.example\n\n";
    sw_header_block h;
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_header_scan(&A, last, sizeof last - 1, &h, NULL);
    CHECK(h.anomalies & SW_HB_NUL);
    CHECK(h.fields[1].flags & SW_HF_NUL);
    const char stray[] = "To: d@e.example\nno colon\0here\n\n";
    sw_header_scan(&A, stray, sizeof stray - 1, &h, NULL);
    CHECK(h.anomalies & SW_HB_NUL);
    CHECK(h.count == 1 && !(h.fields[0].flags & SW_HF_NUL));
    const char clean[] = "To: d@e.example\nFrom: a@c.example\n\nbody\0\n";
    sw_header_scan(&A, clean, sizeof clean - 1, &h, NULL);
    CHECK(!(h.anomalies & SW_HB_NUL)); /* a NUL in the body is not a header anomaly */
    sw_arena_free(&A);
}

/* Field names are tested for bytes outside 33..126 eight or sixteen at a time, the last
 * block overlapping, or (names under 16 bytes on longer lines) in the block read to find the
 * colon: every byte value at every position of names of the lengths around
 * those blocks must give the flag the bytewise definition gives. */
SW_TEST(header_name_bad_byte_every_position)
{
    static const size_t lens[] = {1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 47};
    char msg[128];
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t len = lens[li];
        for (size_t pos = 0; pos < len; pos++) {
            for (unsigned b = 0; b < 256; b++) {
                /* bytes that would end the line or the name, or start a continuation */
                if (b == ':' || b == '\n' ||
                    ((b == ' ' || b == '\t') && (pos == 0 || pos == len - 1)))
                    continue;
                /* a short line, and one of 16 bytes and more whose first block (read with
                 * the colon) holds bad bytes after the name */
                static const char *const tails[] = {": v\r\n\r\n",
                                                    ": \x01\xff\x7f vvvvvvvvvvvvvvvv\r\n\r\n"};
                for (size_t t = 0; t < 2; t++) {
                    memset(msg, 'X', len);
                    msg[pos] = (char)b;
                    size_t tl = strlen(tails[t]);
                    memcpy(msg + len, tails[t], tl);
                    sw_header_block h;
                    sw_arena_reset(&A);
                    CHECK(sw_header_scan(&A, msg, len + tl, &h, NULL) == 0);
                    CHECK(h.count == 1);
                    int want = b < 33 || b > 126;
                    CHECK(!(h.fields[0].flags & SW_HF_NON_ASCII_NAME) == !want);
                }
            }
        }
    }
    sw_arena_free(&A);
}

/* Values are tested 16 bytes at a time for NUL, CR and 8-bit bytes (NUL and CR through one
 * running minimum): every byte value at every position of values around the block sizes
 * must give the flags the bytewise definition gives. */
SW_TEST(header_value_flags_every_position)
{
    static const size_t lens[] = {1, 15, 16, 17, 31, 32, 47, 63, 64, 65, 80, 127, 128, 129};
    char msg[192];
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t len = lens[li];
        for (size_t pos = 0; pos < len; pos++) {
            for (unsigned b = 0; b < 256; b++) {
                if (b == '\n')
                    continue;
                memcpy(msg, "X:", 2);
                memset(msg + 2, 'v', len);
                msg[2 + pos] = (char)b;
                memcpy(msg + 2 + len, "\r\n\r\n", 4);
                sw_header_block h;
                sw_arena_reset(&A);
                CHECK(sw_header_scan(&A, msg, len + 6, &h, NULL) == 0);
                CHECK(h.count == 1);
                unsigned want = (b == 0 ? SW_HF_NUL : 0) | (b == '\r' ? SW_HF_BARE_CR : 0) |
                                (b >= 0x80 ? SW_HF_EIGHTBIT : 0);
                CHECK((h.fields[0].flags & (SW_HF_NUL | SW_HF_BARE_CR | SW_HF_EIGHTBIT)) == want);
            }
        }
    }
    sw_arena_free(&A);
}

/* The colon is looked for in the first 16 bytes of a line with one block test, then with
 * memchr: names of every length around the block, with values short and long, and a line
 * without a colon, must split as before. */
SW_TEST(header_colon_every_position)
{
    char msg[128];
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    for (size_t nl = 1; nl <= 40; nl++) {
        for (size_t vl = 0; vl <= 20; vl += 4) {
            memset(msg, 'N', nl);
            msg[nl] = ':';
            memset(msg + nl + 1, 'v', vl);
            memcpy(msg + nl + 1 + vl, "\r\nnocolon", 9);
            memset(msg + nl + 10 + vl, 'x', nl);
            memcpy(msg + 2 * nl + 10 + vl, "\r\n\r\n", 4);
            sw_header_block h;
            sw_arena_reset(&A);
            CHECK(sw_header_scan(&A, msg, 2 * nl + 14 + vl, &h, NULL) == 0);
            CHECK(h.count == 1);
            CHECK(h.fields[0].name_len == nl);
            CHECK(h.fields[0].value_len == vl);
            CHECK(h.anomalies & SW_HB_LINE_NO_COLON);
        }
    }
    sw_arena_free(&A);
}

/* Line ends are found 64 bytes at a time: lines of every length put them (and the CR of a
 * CRLF, and the empty line) at every offset of a window and across window edges, and the
 * input ends at every offset, with and without a final line end. */
SW_TEST(header_line_ends_at_every_window_offset)
{
    char msg[4096];
    sw_header_block h;
    for (size_t first = 0; first < 70; first++) {
        for (int eol = 0; eol < 2; eol++) {
            const char *nl = eol ? "\r\n" : "\n";
            size_t m = 0;
            int fields = 0;
            m += (size_t)sprintf(msg + m, "A: %.*s%s", (int)first,
                                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                 nl);
            fields++;
            for (size_t k = 1; k < 40; k++, fields++)
                m += (size_t)sprintf(msg + m, "B%zu: %zu%s", k % 10, k * 7919 % 1000, nl);
            size_t head = m + strlen(nl);
            sprintf(msg + m, "%sbody\n", nl);
            scan(msg, &h);
            CHECK(h.count == (size_t)fields);
            CHECK(h.header_len == head);
            CHECK(h.anomalies == 0);
            CHECK(h.crlf == eol);
            CHECK(h.fields[0].value_len == first);
            char want[16];
            for (size_t k = 1; k < 40 && k < h.count; k++) {
                snprintf(want, sizeof want, "%zu", k * 7919 % 1000);
                CHECK_STR(h.fields[k].value, want);
            }
            /* the same block cut short: no empty line, the last field without its line end */
            for (size_t cut = m - 20; cut <= m; cut++) {
                sw_arena_free(&A);
                sw_arena_init(&A, SW_MAX_ARENA);
                char *copy = malloc(cut ? cut : 1);
                memcpy(copy, msg, cut);
                sw_header_scan(&A, copy, cut, &h, NULL);
                free(copy);
                CHECK(h.anomalies & SW_HB_NO_SEPARATOR);
                CHECK(h.header_len == cut);
                CHECK(h.count >= (size_t)fields - 3 && h.count <= (size_t)fields);
            }
        }
    }
    /* inputs shorter than a window */
    scan("A: b\n\n", &h);
    CHECK(h.count == 1 && h.header_len == 6 && h.anomalies == 0);
    scan("A: b", &h);
    CHECK(h.count == 1 && (h.anomalies & SW_HB_NO_SEPARATOR));
    CHECK_STR(h.fields[0].value, "b");
    scan("", &h);
    CHECK(h.count == 0 && (h.anomalies & SW_HB_EMPTY));
    sw_arena_free(&A);
}

/* field_flags is the union of the kept fields' flags, which lets callers skip a walk over
 * the fields: checked against the fields themselves, in the last field and in none. */
SW_TEST(header_block_field_flags_is_the_union)
{
    sw_header_block h;
    const char *msgs[] = {
        "From: a@b.example\nTo: c@d.example\n\n",
        "From: a@b.example\nFrom : evil@x.example\n\n",
        "From : evil@x.example\nTo: c\n\n",
        "Subject: caf\xc3\xa9\nX-A\x01: v\n\n",
        "A: b\n c\n d\nB: \xff\n\n",
        "A: b",
        "",
        "no colon line\n\n",
    };
    for (size_t m = 0; m < sizeof msgs / sizeof msgs[0]; m++) {
        scan(msgs[m], &h);
        unsigned all = 0;
        for (size_t i = 0; i < h.count; i++)
            all |= h.fields[i].flags;
        CHECK(h.field_flags == all);
    }
    scan("From: a@b.example\nTo: c@d.example\n\n", &h);
    CHECK(!(h.field_flags & SW_HF_SPACE_BEFORE_COLON));
    scan("From: a@b.example\nReply-To  : evil@x.example\n\n", &h);
    CHECK(h.field_flags & SW_HF_SPACE_BEFORE_COLON);
    sw_arena_free(&A);
}

/* sw_header_find_key is inlined at its callers: literal and variable keys, case, nth, names
 * sharing a bucket and the malformed "From :" all give sw_header_find's answers. */
SW_TEST(header_find_key_inline_matches_find)
{
    sw_header_block h;
    scan("Received: a\nFROM : x\nfrom: y\nReceived: b\nX-Foo: 1\nList-Id: l\nreceived: c\n\n", &h);
    CHECK(h.count == 7);
    CHECK(sw_header_first(&h, "From") == &h.fields[2]);
    CHECK_STR(sw_header_first_value(&h, "FROM"), "y");
    CHECK_STR(sw_header_first_value(&h, "list-id"), "l");
    CHECK(sw_header_first(&h, "X-Fo") == NULL);
    CHECK(sw_header_first(&h, "X-Foo2") == NULL);
    CHECK(sw_header_first(&h, "Subject") == NULL);
    const sw_header_key rk = sw_header_key_of("Received");
    CHECK(sw_header_find_key(&h, &rk, 0) == 0);
    CHECK(sw_header_find_key(&h, &rk, 1) == 3);
    CHECK(sw_header_find_key(&h, &rk, 2) == 6);
    CHECK(sw_header_find_key(&h, &rk, 3) == -1);
    char name[16];
    snprintf(name, sizeof name, "%s", "x-FOO");
    const sw_header_key vk = sw_header_key_of(name);
    CHECK(sw_header_find_key(&h, &vk, 0) == 4 && sw_header_find(&h, name, 0) == 4);
    /* every name of every field, looked up by key and by name */
    for (size_t i = 0; i < h.count; i++) {
        const sw_header_key k = sw_header_key_of(h.fields[i].name);
        for (size_t nth = 0; nth < 4; nth++)
            CHECK(sw_header_find_key(&h, &k, nth) == sw_header_find(&h, h.fields[i].name, nth));
    }
    /* an empty (zeroed) block */
    sw_header_block z;
    memset(&z, 0, sizeof z);
    CHECK(sw_header_first(&z, "From") == NULL);
    sw_arena_free(&A);
}

/* The fields of m[0..n) the plain way, for the test below: lines split at LF (the CR of a
 * CRLF dropped), continuation lines appended, values trimmed of SP, HTAB and CR. */
typedef struct ref_field {
    char name[32];
    char *value;
    size_t len;
} ref_field;

static size_t ref_fields(const char *m, size_t n, ref_field *out, size_t max)
{
    size_t count = 0, at = 0;
    while (at < n) {
        const char *nl = memchr(m + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - m) : n, len = end - at;
        if (nl && len && m[end - 1] == '\r')
            len--;
        if (!len && nl)
            break;
        if (m[at] == ' ' || m[at] == '\t') {
            ref_field *f = &out[count - 1];
            memcpy(f->value + f->len, m + at, len);
            f->len += len;
        } else if (count < max) {
            const char *colon = memchr(m + at, ':', len);
            ref_field *f = &out[count++];
            size_t nlen = (size_t)(colon - (m + at));
            memcpy(f->name, m + at, nlen);
            f->name[nlen] = '\0';
            f->value = malloc(n + 1);
            f->len = len - nlen - 1;
            memcpy(f->value, colon + 1, f->len);
        }
        at = nl ? end + 1 : n;
    }
    for (size_t i = 0; i < count; i++) {
        ref_field *f = &out[i];
        size_t s = 0, e = f->len;
        while (s < e && (f->value[s] == ' ' || f->value[s] == '\t' || f->value[s] == '\r'))
            s++;
        while (e > s &&
               (f->value[e - 1] == ' ' || f->value[e - 1] == '\t' || f->value[e - 1] == '\r'))
            e--;
        memmove(f->value, f->value + s, e - s);
        f->len = e - s;
        f->value[f->len] = '\0';
    }
    return count;
}

/* Names and values are made in a copy of the block the line scan writes as it reads; a
 * block longer than the first copy moves on to larger ones, carrying the field being
 * collected. Blocks of many sizes, with short and long fields, folded fields of few and of
 * more than 64 lines (CRLF and LF) and 8-bit bytes, whole and cut short anywhere near the
 * moves, must give the fields the plain unfolding gives. */
SW_TEST(header_fields_across_copy_moves)
{
    enum { MAXF = 4000 };
    static ref_field ref[MAXF];
    size_t cap = 400000;
    char *m = malloc(cap);
    uint32_t seed = 12345;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 8) & 0xffffffu)
    for (int round = 0; round < 24; round++) {
        size_t o = 0, target = 2000 + (size_t)round * 9000;
        int nf = 0;
        while (o < target) {
            o += (size_t)sprintf(m + o, "X-F%d:", nf++);
            unsigned kind = RND() % 8;
            size_t lines = kind == 0 ? 70 + RND() % 60 : kind < 3 ? 1 + RND() % 6 : 1;
            if (round % 5 == 4 && nf == 3)
                lines = 1500; /* one field of about 100 KB that moves with the copy */
            for (size_t k = 0; k < lines; k++) {
                if (k)
                    m[o++] = RND() % 2 ? ' ' : '\t';
                else if (RND() % 4)
                    m[o++] = ' ';
                size_t len = RND() % (kind == 7 ? 400 : 90);
                for (size_t j = 0; j < len; j++) {
                    unsigned r = RND() % 97;
                    m[o++] = r == 0 ? (char)0xc3 : r < 5 ? ' ' : (char)('a' + r % 26);
                }
                if (RND() % 3 == 0)
                    m[o++] = '\r';
                m[o++] = '\n';
            }
        }
        memcpy(m + o, "\nbody\n", 6);
        size_t whole = o + 6;
        /* whole, then cut at points around the copy's first size and further on */
        size_t cuts[] = {whole, o - 1, o / 2, 16383, 16384, 16385, 16447, 32769, o - 200};
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            size_t n = cuts[c];
            if (n > whole || n < 8)
                continue;
            char *in = malloc(n); /* exactly n bytes: reading past them would be caught */
            memcpy(in, m, n);
            sw_header_block h;
            sw_arena_free(&A);
            sw_arena_init(&A, SW_MAX_ARENA);
            CHECK(sw_header_scan(&A, in, n, &h, NULL) == 0);
            size_t nref = ref_fields(in, n, ref, MAXF);
            CHECK(h.count == nref);
            for (size_t i = 0; i < nref; i++) {
                CHECK_STR(h.fields[i].name, ref[i].name);
                CHECK(h.fields[i].value_len == ref[i].len);
                CHECK(memcmp(h.fields[i].value, ref[i].value, ref[i].len + 1) == 0);
                int eight = memchr(ref[i].value, 0xc3, ref[i].len) != NULL;
                CHECK(!(h.fields[i].flags & SW_HF_EIGHTBIT) == !eight);
                free(ref[i].value);
            }
            CHECK(c != 0 || h.header_len == o + 1);
            free(in);
        }
    }
#undef RND
    free(m);
    sw_arena_free(&A);
}
