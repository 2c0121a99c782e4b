/* Unit tests: arena, capped buffer, short copies and compares, short-text formatting, JSON
 * writer, UTF-8. */
#include "test.h"
#include "spoofwatch/arena.h"
#include "spoofwatch/buf.h"
#include "spoofwatch/copy.h"
#include "spoofwatch/error.h"
#include "spoofwatch/fmt.h"
#include "spoofwatch/json.h"
#include "spoofwatch/utf8.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

SW_TEST(arena_refuses_past_its_cap)
{
    sw_arena a;
    sw_arena_init(&a, 1000);
    CHECK(sw_arena_alloc(&a, 600) != NULL);
    CHECK(sw_arena_alloc(&a, 600) == NULL);
    sw_arena_reset(&a);
    CHECK(sw_arena_alloc(&a, 600) != NULL);
    /* sizes whose rounding to 8 would wrap to a few bytes (a computed size gone wrong) */
    for (size_t k = 0; k < 8; k++)
        CHECK(sw_arena_alloc(&a, SIZE_MAX - k) == NULL);
    CHECK(sw_arena_alloc(&a, 16) != NULL);
    sw_arena_free(&a);
}

SW_TEST(arena_strndup_terminates)
{
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    char *s = sw_arena_strndup(&a, "abcdef", 3);
    CHECK_STR(s, "abc");
    /* a big allocation gets its own block and still works after reset */
    CHECK(sw_arena_alloc(&a, 200000) != NULL);
    sw_arena_reset(&a);
    CHECK(a.used_total == 0);
    sw_arena_free(&a);
}

SW_TEST(buf_append_past_cap_fails_and_keeps_content)
{
    sw_buf b;
    sw_buf_init(&b, 8);
    CHECK(sw_buf_puts(&b, "12345") == SW_OK);
    CHECK(sw_buf_puts(&b, "6789") == SW_ELIMIT);
    CHECK_STR(b.data, "12345");
    CHECK(sw_buf_printf(&b, "%d", 678) == SW_OK);
    CHECK_STR(b.data, "12345678");
    /* the allocation (256 bytes) has room, the cap does not */
    CHECK(sw_buf_putc(&b, '9') == SW_ELIMIT);
    CHECK(b.len == 8);
    sw_buf_free(&b);
}

SW_TEST(buf_local_storage_grows_to_heap_and_keeps_content)
{
    char mem[4];
    sw_buf b;
    sw_buf_init_local(&b, 64, mem, sizeof mem);
    CHECK(b.data == mem && b.len == 0 && b.data[0] == '\0');
    CHECK(sw_buf_putc(&b, 'a') == SW_OK);
    CHECK(sw_buf_puts(&b, "bc") == SW_OK);
    CHECK(b.data == mem); /* "abc" and its NUL fit */
    CHECK_STR(b.data, "abc");
    CHECK(sw_buf_puts(&b, "defgh") == SW_OK);
    CHECK(b.data != mem);
    CHECK_STR(b.data, "abcdefgh");
    CHECK_STR(mem, "abc"); /* the caller's bytes are left as they were */
    sw_buf_clear(&b);
    CHECK(sw_buf_puts(&b, "x") == SW_OK);
    CHECK_STR(b.data, "x");
    sw_buf_free(&b); /* frees the heap copy only (ASan would object otherwise) */
    CHECK(b.data == NULL && b.len == 0);

    sw_buf_init_local(&b, 3, mem, sizeof mem);
    CHECK(sw_buf_puts(&b, "abcd") == SW_ELIMIT);
    CHECK(sw_buf_puts(&b, "ab") == SW_OK);
    CHECK_STR(b.data, "ab");
    sw_buf_free(&b); /* nothing on the heap: nothing freed */
}

SW_TEST(json_escapes_controls_quotes_and_invalid_utf8)
{
    sw_buf b;
    sw_buf_init(&b, 1 << 16);
    sw_json j;
    sw_json_init(&j, &b);
    sw_json_object_begin(&j);
    sw_json_kv_string(&j, "a", "q\"\\\n\x01");
    sw_json_key(&j, "b");
    sw_json_string_n(&j, "ok\xff\xc3\xa9", 5);
    sw_json_key(&j, "c");
    sw_json_array_begin(&j);
    sw_json_int(&j, -5);
    sw_json_bool(&j, 1);
    sw_json_null(&j);
    sw_json_array_end(&j);
    sw_json_object_end(&j);
    CHECK(j.status == 0);
    CHECK_STR(b.data, "{\"a\":\"q\\\"\\\\\\n\\u0001\",\"b\":\"ok\xEF\xBF\xBD\xC3\xA9\","
                      "\"c\":[-5,true,null]}");
    sw_buf_free(&b);
}

/* The member fast path copies values (and input keys) by overlapping 16-, 8- and 4-byte
 * loads by length: every length and every position of a byte that needs escaping must
 * come out as sw_json_escape writes it, for values and for keys of known length. */
SW_TEST(json_member_every_length_and_position)
{
    static const char specials[] = {'"', '\\', '\n', 0x01, 0x1f, (char)0x80, (char)0xff, 0};
    for (size_t len = 0; len <= 40; len++)
        for (size_t pos = 0; pos <= len; pos++)
            for (size_t k = 0; k < sizeof specials; k++) {
                char in[64];
                for (size_t i = 0; i < len; i++)
                    in[i] = (char)('a' + i % 26);
                if (pos < len && specials[k])
                    in[pos] = specials[k];
                in[len] = '\0';
                sw_buf want;
                sw_buf_init(&want, 4096);
                CHECK(sw_buf_puts(&want, "{\"x\":1,\"") == 0);
                CHECK(sw_json_escape(&want, in, len) == 0);
                CHECK(sw_buf_puts(&want, "\":\"") == 0);
                CHECK(sw_json_escape(&want, in, len) == 0);
                CHECK(sw_buf_puts(&want, "\",\"v\":\"") == 0);
                CHECK(sw_json_escape(&want, in, len) == 0);
                CHECK(sw_buf_puts(&want, "\",\"") == 0);
                CHECK(sw_json_escape(&want, in, len) == 0);
                CHECK(sw_buf_puts(&want, "\":\"") == 0);
                CHECK(sw_json_escape(&want, in, len) == 0);
                CHECK(sw_buf_puts(&want, "\"}") == 0);
                sw_buf got;
                sw_buf_init(&got, 4096);
                sw_json j;
                sw_json_init(&j, &got);
                sw_json_object_begin(&j);
                SW_JSON_KV_INT(&j, "x", 1);
                /* the key is not NUL-terminated at its length */
                char key[64];
                memcpy(key, in, len);
                key[len] = 'Z';
                sw_json_kv_string_key_n(&j, key, len, in);
                SW_JSON_KV_STRING(&j, "v", in);
                sw_json_kv_string_cc(&j, in, in); /* a NUL-terminated key */
                sw_json_kv_string_cc(&j, in, NULL);
                sw_json_object_end(&j);
                int same = j.status == 0 && got.len == want.len &&
                           memcmp(got.data, want.data, want.len) == 0;
                sw_buf_free(&got);
                sw_buf_free(&want);
                if (!same) {
                    printf("    len %zu pos %zu special 0x%02x\n", len, pos,
                           (unsigned char)specials[k]);
                    CHECK(0);
                }
            }
}

/* Numbers are written two digits at a time: every digit count and both ends of the range. */
/* Every byte value at every position of every length class, against a byte-at-a-time
 * reference: the vector tests flag exactly controls, '"', '\\' and bytes from 0x80 (a lone
 * one between ASCII letters is invalid UTF-8, written as U+FFFD). */
SW_TEST(json_string_every_byte_value_matches_a_reference)
{
    for (int c = 1; c < 256; c++)
        for (size_t len = 1; len <= 34; len++)
            for (size_t pos = 0; pos < len; pos++) {
                char in[40];
                memset(in, 'a', len);
                in[pos] = (char)c;
                in[len] = '\0';
                char want[128];
                size_t w = 0;
                memcpy(want, "{\"v\":\"", 6);
                w = 6;
                for (size_t i = 0; i < len; i++) {
                    unsigned char b = (unsigned char)in[i];
                    if (b == '"' || b == '\\') {
                        want[w++] = '\\';
                        want[w++] = (char)b;
                    } else if (b == '\n' || b == '\r' || b == '\t') {
                        want[w++] = '\\';
                        want[w++] = b == '\n' ? 'n' : b == '\r' ? 'r' : 't';
                    } else if (b < 0x20) {
                        w += (size_t)snprintf(want + w, 8, "\\u%04x", b);
                    } else if (b >= 0x80) {
                        memcpy(want + w, "\xEF\xBF\xBD", 3);
                        w += 3;
                    } else {
                        want[w++] = (char)b;
                    }
                }
                memcpy(want + w, "\"}", 3);
                sw_buf b;
                sw_buf_init(&b, 4096);
                sw_json j;
                sw_json_init(&j, &b);
                sw_json_object_begin(&j);
                SW_JSON_KV_STRING(&j, "v", in);
                sw_json_object_end(&j);
                if (strcmp(b.data, want) != 0) {
                    printf("    byte 0x%02x len %zu pos %zu\n", c, len, pos);
                    CHECK(0);
                    sw_buf_free(&b);
                    return;
                }
                sw_buf_free(&b);
            }
}

SW_TEST(json_integers_every_digit_count)
{
    static const int64_t values[] = {0, 7, 10, 99, 100, 101, 999, 1000, 12345, 1704103200,
                                     -1, -10, -99, -100, -2103325, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        sw_buf b;
        sw_buf_init(&b, 256);
        sw_json j;
        sw_json_init(&j, &b);
        sw_json_object_begin(&j);
        SW_JSON_KV_INT(&j, "v", values[i]);
        sw_json_key(&j, "u");
        sw_json_uint(&j, (uint64_t)values[i]);
        sw_json_object_end(&j);
        char want[128];
        snprintf(want, sizeof want, "{\"v\":%lld,\"u\":%llu}", (long long)values[i],
                 (unsigned long long)(uint64_t)values[i]);
        CHECK_STR(b.data, want);
        sw_buf_free(&b);
    }
}

/* Numbers go straight into the buffer with their digit count worked out first: both sides
 * of every power of ten, each sign, and a cap that leaves room for exactly the text (the
 * fast path's room test takes the longest number, so the general path must write it). */
SW_TEST(json_integers_at_every_power_of_ten_and_the_cap)
{
    for (int k = 0; k <= 18; k++) {
        int64_t p = 1; /* 10^k, made without the 10^19 that a running product would overflow to */
        for (int e = 0; e < k; e++)
            p *= 10;
        const int64_t values[] = {p - 1, p, p + 1, -(p - 1), -p, -p - 1};
        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
            char want[128];
            int n = snprintf(want, sizeof want, "{\"key\":%lld,\"v\":%lld}", (long long)values[i],
                             (long long)values[i]);
            for (size_t cap = (size_t)n; cap <= (size_t)n + 24; cap += 24) {
                sw_buf b;
                sw_buf_init(&b, cap);
                sw_json j;
                sw_json_init(&j, &b);
                sw_json_object_begin(&j);
                SW_JSON_KV_INT(&j, "key", values[i]);
                SW_JSON_KV_INT(&j, "v", values[i]);
                sw_json_object_end(&j);
                CHECK(j.status == 0);
                CHECK_STR(b.data, want);
                sw_buf_free(&b);
            }
        }
    }
}

/* A record-like document of every member form, nested, written under every cap from 0 to
 * past its length and with first storage of every size around it (so that the allocation
 * and the cap each bound the fast paths in turn): at or above the length it comes out
 * whole, below it the writer fails with SW_ELIMIT and the buffer never holds more than the
 * cap. */
static void write_doc(sw_json *j)
{
    sw_json_object_begin(j);
    SW_JSON_KV_STRING(j, "schema", "spoofwatch.record/1");
    SW_JSON_KEY_OBJECT(j, "source");
    SW_JSON_KV_INT(j, "offset", 1234567);
    SW_JSON_KV_INT(j, "index", -7);
    SW_JSON_KV_BOOL(j, "gzip", 1);
    sw_json_object_end(j);
    SW_JSON_KV_STRING_OR_NULL(j, "subject", NULL);
    SW_JSON_KV_STRING(j, "escaped", "a\"b\\c\n");
    SW_JSON_KV_STRING(j, "long", "a value of more than the two blocks of the fast path");
    SW_JSON_KV_STRING(j, "short", "0123456789abcdef012345678901234");
    SW_JSON_KEY(j, "from");
    sw_json_null(j);
    SW_JSON_KEY_ARRAY(j, "list");
    for (int i = 0; i < 3; i++) {
        sw_json_object_begin(j);
        sw_json_kv_string(j, "input.key", "an input value of some length");
        sw_json_kv_string_cc(j, "measured.key", "another input value");
        sw_json_kv_string_dotted(j, "header", "d", "example.com");
        sw_json_kv_string_dotted(j, "", "a_property_name_longer_than_the_fast_path_s", "x");
        SW_JSON_KV_STRING(j, "a_longer_literal_key_than_sixteen", "v");
        SW_JSON_KV_INT(j, "n", i);
        sw_json_object_end(j);
        sw_json_string(j, "bare");
        sw_json_int(j, 42);
    }
    sw_json_array_end(j);
    SW_JSON_KEY_ARRAY(j, "empty");
    sw_json_array_end(j);
    SW_JSON_KV_RAW(j, "raw_empty", "[]");
    SW_JSON_KV_RAW(j, "raw_null", "null");
    SW_JSON_KEY_ARRAY(j, "literals");
    SW_JSON_STRING_LIT(j, "missing_arc_authentication_results");
    SW_JSON_STRING_LIT(j, "x");
    sw_json_array_end(j);
    SW_JSON_KEY_OBJECT_KV_STRING(j, "opened", "first", "a value");
    SW_JSON_KEY_OBJECT_KV_STRING(j, "inner", "first", NULL);
    sw_json_object_end(j);
    SW_JSON_KEY_ARRAY(j, "objects");
    SW_JSON_OBJECT_KV_STRING(j, "k", "v");
    sw_json_object_end(j);
    SW_JSON_OBJECT_KV_STRING_OR_NULL(j, "k", NULL);
    sw_json_object_end(j);
    SW_JSON_OBJECT_KV_STRING(j, "k", "esc\"aped");
    SW_JSON_KV_INT(j, "n", 7);
    sw_json_object_end(j);
    sw_json_array_end(j);
    sw_json_object_end(j);
    sw_json_object_end(j);
}

/* A container opened with its first member writes what the two calls it stands for write,
 * at every depth up to past the writer's limit, escaped or not, present or NULL. */
static void open_forms(sw_json *j, int joined, int depth, const char *v)
{
    sw_json_object_begin(j);
    for (int d = 0; d < depth; d++)
        SW_JSON_KEY_ARRAY(j, "a");
    if (joined) {
        SW_JSON_OBJECT_KV_STRING(j, "k", v);
        SW_JSON_KEY_OBJECT_KV_STRING(j, "o", "k", v);
        sw_json_object_end(j);
        sw_json_object_end(j);
        SW_JSON_OBJECT_KV_STRING_OR_NULL(j, "k", v);
    } else {
        sw_json_object_begin(j);
        SW_JSON_KV_STRING(j, "k", v);
        SW_JSON_KEY_OBJECT(j, "o");
        SW_JSON_KV_STRING(j, "k", v);
        sw_json_object_end(j);
        sw_json_object_end(j);
        sw_json_object_begin(j);
        SW_JSON_KV_STRING_OR_NULL(j, "k", v);
    }
    SW_JSON_KV_INT(j, "n", 1);
    sw_json_object_end(j);
    for (int d = 0; d < depth; d++)
        sw_json_array_end(j);
    sw_json_object_end(j);
}

/* Raw literals write what the calls they stand for write, at every depth. */
SW_TEST(json_raw_literals_match_the_calls)
{
    for (int depth = 0; depth <= SW_JSON_MAX_DEPTH + 2; depth++) {
        sw_buf a, b;
        sw_buf_init(&a, 1 << 14);
        sw_buf_init(&b, 1 << 14);
        sw_json ja, jb;
        sw_json_init(&ja, &a);
        sw_json_init(&jb, &b);
        sw_json_object_begin(&ja);
        sw_json_object_begin(&jb);
        for (int d = 0; d < depth; d++) {
            SW_JSON_KEY_OBJECT(&ja, "o");
            SW_JSON_KEY_OBJECT(&jb, "o");
        }
        SW_JSON_KV_RAW(&ja, "n", "null");
        SW_JSON_KV_RAW(&ja, "e", "[]");
        SW_JSON_KEY_ARRAY(&ja, "s");
        SW_JSON_STRING_LIT(&ja, "one");
        SW_JSON_STRING_LIT(&ja, "two");
        sw_json_array_end(&ja);
        SW_JSON_KEY(&jb, "n");
        sw_json_null(&jb);
        SW_JSON_KEY_ARRAY(&jb, "e");
        sw_json_array_end(&jb);
        SW_JSON_KEY_ARRAY(&jb, "s");
        sw_json_string(&jb, "one");
        sw_json_string(&jb, "two");
        sw_json_array_end(&jb);
        for (int d = 0; d <= depth; d++) {
            sw_json_object_end(&ja);
            sw_json_object_end(&jb);
        }
        int same = ja.status == jb.status && a.len == b.len &&
                   (!a.len || memcmp(a.data, b.data, a.len) == 0);
        sw_buf_free(&a);
        sw_buf_free(&b);
        if (!same) {
            printf("    depth %d\n", depth);
            CHECK(0);
            return;
        }
    }
}

SW_TEST(json_open_with_first_member_matches_the_two_calls)
{
    const char *values[] = {"v", "", "esc\"aped", "a value longer than the two blocks of 32", NULL};
    for (int depth = 0; depth <= SW_JSON_MAX_DEPTH + 2; depth++)
        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
            sw_buf a, b;
            sw_buf_init(&a, 1 << 14);
            sw_buf_init(&b, 1 << 14);
            sw_json ja, jb;
            sw_json_init(&ja, &a);
            sw_json_init(&jb, &b);
            open_forms(&ja, 1, depth, values[i]);
            open_forms(&jb, 0, depth, values[i]);
            int same = ja.status == jb.status && ja.depth == jb.depth && a.len == b.len &&
                       (!a.len || memcmp(a.data, b.data, a.len) == 0);
            sw_buf_free(&a);
            sw_buf_free(&b);
            if (!same) {
                printf("    depth %d value %zu\n", depth, i);
                CHECK(0);
                return;
            }
        }
}

SW_TEST(json_fast_paths_at_every_cap_and_allocation)
{
    sw_buf ref;
    sw_buf_init(&ref, 1 << 16);
    sw_json j;
    sw_json_init(&j, &ref);
    write_doc(&j);
    CHECK(j.status == 0);
    for (size_t cap = 0; cap <= ref.len + 40; cap++)
        for (size_t local = 1; local <= ref.len + 40; local += local < 64 ? 1 : 13) {
            char mem[1024];
            if (local > sizeof mem)
                break;
            sw_buf b;
            sw_buf_init_local(&b, cap, mem, local);
            sw_json_init(&j, &b);
            write_doc(&j);
            int ok = cap >= ref.len ? j.status == 0 && b.len == ref.len &&
                                          memcmp(b.data, ref.data, ref.len) == 0
                                    : j.status == SW_ELIMIT && b.len <= cap;
            sw_buf_free(&b);
            if (!ok) {
                printf("    cap %zu first storage %zu status %d\n", cap, local, j.status);
                CHECK(0);
                sw_buf_free(&ref);
                return;
            }
        }
    sw_buf_free(&ref);
}

/* String members are measured as they are copied, by whole 16-byte blocks that may reach
 * past the NUL (and keys from the input past their length): values and keys that end at
 * every distance from the end of a page followed by an unmapped one (which a read past the
 * page would fault on) come out whole, escaped or not. */
SW_TEST(json_values_at_the_end_of_a_page)
{
    long page = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    CHECK(map != MAP_FAILED);
    if (map == MAP_FAILED)
        return;
    CHECK(mprotect(map + page, (size_t)page, PROT_NONE) == 0);
    char *edge = map + page;
    for (size_t len = 0; len <= 40; len++)
        for (size_t gap = 0; gap <= 40; gap++)
            for (int esc = 0; esc < 2; esc++) {
                char *s = edge - 1 - gap - len;
                for (size_t i = 0; i < len; i++)
                    s[i] = (char)('a' + i % 26);
                if (esc && len)
                    s[len / 2] = '"';
                s[len] = '\0';
                sw_buf want, got;
                sw_buf_init(&want, 4096);
                CHECK(sw_buf_puts(&want, "{\"x\":1,\"v\":\"") == 0);
                CHECK(sw_json_escape(&want, s, len) == 0);
                CHECK(sw_buf_puts(&want, "\",\"in.key\":\"") == 0);
                CHECK(sw_json_escape(&want, s, len) == 0);
                CHECK(sw_buf_puts(&want, "\",\"") == 0);
                CHECK(sw_json_escape(&want, s, len) == 0);
                CHECK(sw_buf_puts(&want, "\":\"k\",\"") == 0);
                CHECK(sw_json_escape(&want, s, len) == 0);
                CHECK(sw_buf_puts(&want, "\":\"k\"}") == 0);
                sw_buf_init(&got, 4096);
                sw_json j;
                sw_json_init(&j, &got);
                sw_json_object_begin(&j);
                SW_JSON_KV_INT(&j, "x", 1);
                SW_JSON_KV_STRING(&j, "v", s);
                sw_json_kv_string(&j, "in.key", s);
                sw_json_kv_string_key_n(&j, s, len, "k");
                sw_json_kv_string_cc(&j, s, "k");
                sw_json_object_end(&j);
                int same = j.status == 0 && got.len == want.len &&
                           memcmp(got.data, want.data, want.len) == 0;
                sw_buf_free(&got);
                sw_buf_free(&want);
                if (!same) {
                    printf("    len %zu gap %zu escape %d\n", len, gap, esc);
                    CHECK(0);
                }
            }
    munmap(map, (size_t)page * 2);
}

/* Dotted keys ("header.d") are measured part by part as they are copied, by two blocks
 * each: every length of both parts across the fast path's 31 bytes and the 63-byte cut, a
 * byte that needs escaping, and parts that end at every distance from an unmapped page. */
static void want_dotted(sw_buf *want, const char *p, const char *n, const char *v)
{
    size_t pn = strnlen(p, SW_JSON_PART_MAX), nn = strnlen(n, SW_JSON_PART_MAX);
    CHECK(sw_buf_puts(want, "{\"x\":1,\"") == 0);
    CHECK(sw_json_escape(want, p, pn) == 0);
    if (pn)
        CHECK(sw_buf_puts(want, ".") == 0);
    CHECK(sw_json_escape(want, n, nn) == 0);
    CHECK(sw_buf_puts(want, "\":\"") == 0);
    CHECK(sw_json_escape(want, v, strlen(v)) == 0);
    CHECK(sw_buf_puts(want, "\"}") == 0);
}

static int got_dotted(const sw_buf *want, const char *p, const char *n, const char *v)
{
    sw_buf got;
    sw_buf_init(&got, 4096);
    sw_json j;
    sw_json_init(&j, &got);
    sw_json_object_begin(&j);
    SW_JSON_KV_INT(&j, "x", 1);
    sw_json_kv_string_dotted(&j, p, n, v);
    sw_json_kv_string_dotted(&j, p, n, NULL); /* no member */
    sw_json_object_end(&j);
    int same =
        j.status == 0 && got.len == want->len && memcmp(got.data, want->data, want->len) == 0;
    sw_buf_free(&got);
    return same;
}

SW_TEST(json_dotted_keys_every_length_escape_and_page_end)
{
    char p[80], n[80];
    for (size_t pl = 0; pl <= 70; pl++)
        for (size_t nl = 0; nl <= 70; nl += nl < 40 ? 1 : 7)
            for (int esc = 0; esc < 3; esc++) {
                for (size_t i = 0; i < pl; i++)
                    p[i] = (char)('a' + i % 26);
                for (size_t i = 0; i < nl; i++)
                    n[i] = (char)('A' + i % 26);
                p[pl] = n[nl] = '\0';
                if (esc == 1 && pl)
                    p[pl - 1] = '"';
                if (esc == 2 && nl)
                    n[nl / 2] = (char)0xff;
                sw_buf want;
                sw_buf_init(&want, 4096);
                want_dotted(&want, p, n, "value");
                int same = got_dotted(&want, p, n, "value");
                sw_buf_free(&want);
                if (!same) {
                    printf("    prefix %zu name %zu escape %d\n", pl, nl, esc);
                    CHECK(0);
                    return;
                }
            }
    long page = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    CHECK(map != MAP_FAILED);
    if (map == MAP_FAILED)
        return;
    CHECK(mprotect(map + page, (size_t)page, PROT_NONE) == 0);
    for (size_t len = 0; len <= 40; len++)
        for (size_t gap = 0; gap <= 40; gap++)
            for (int which = 0; which < 2; which++) {
                char *s = map + page - 1 - gap - len;
                for (size_t i = 0; i < len; i++)
                    s[i] = (char)('a' + i % 26);
                s[len] = '\0';
                const char *pp = which ? "header" : s, *nn = which ? s : "d";
                sw_buf want;
                sw_buf_init(&want, 4096);
                want_dotted(&want, pp, nn, "v");
                int same = got_dotted(&want, pp, nn, "v");
                sw_buf_free(&want);
                if (!same) {
                    printf("    len %zu gap %zu part %d\n", len, gap, which);
                    CHECK(0);
                }
            }
    munmap(map, (size_t)page * 2);
}

/* Numbers from 100 up are written eight digits at a time from lanes of one word: values
 * of every magnitude from a fixed pseudo-random sequence, against snprintf. */
SW_TEST(json_integers_of_every_magnitude)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t v = (int64_t)(x >> (i % 64)); /* every bit length, both signs */
        if (i & 1)
            v = -v;
        char want[64];
        snprintf(want, sizeof want, "{\"n\":%lld}", (long long)v);
        sw_buf b;
        sw_buf_init(&b, 1024);
        sw_json j;
        sw_json_init(&j, &b);
        sw_json_object_begin(&j);
        SW_JSON_KV_INT(&j, "n", v);
        sw_json_object_end(&j);
        int same = j.status == 0 && strcmp(b.data, want) == 0;
        if (!same)
            printf("    %lld: %s\n", (long long)v, b.data ? b.data : "(null)");
        sw_buf_free(&b);
        if (!same) {
            CHECK(0);
            return;
        }
    }
}

SW_TEST(utf8_rejects_overlongs_and_surrogates)
{
    CHECK(sw_utf8_valid("h\xc3\xa9llo", 6));
    CHECK(!sw_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    CHECK(!sw_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    CHECK(!sw_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    CHECK(sw_utf8_valid("\xf0\x9f\x98\x80", 4));
    CHECK(!sw_utf8_valid("\xe2\x82", 2)); /* truncated */
}

/* Every length and position of a byte that needs escaping, against a plain reference: the
 * writer scans 16 bytes at a time with an overlapping tail, so boundaries matter. */
SW_TEST(json_escape_every_position)
{
    static const char specials[] = {'"', '\\', '\n', 0x01, 0x1f};
    for (size_t len = 1; len <= 40; len++)
        for (size_t pos = 0; pos < len; pos++)
            for (size_t k = 0; k < sizeof specials; k++) {
                char in[64];
                memset(in, 'a', len);
                in[pos] = specials[k];
                sw_buf got;
                sw_buf_init(&got, 1024);
                CHECK(sw_json_escape(&got, in, len) == 0);
                char want[256];
                size_t w = 0;
                for (size_t i = 0; i < len; i++) {
                    unsigned char c = (unsigned char)in[i];
                    if (c == '"' || c == '\\') {
                        want[w++] = '\\';
                        want[w++] = (char)c;
                    } else if (c == '\n') {
                        want[w++] = '\\';
                        want[w++] = 'n';
                    } else if (c < 0x20) {
                        w += (size_t)snprintf(want + w, sizeof want - w, "\\u%04x", c);
                    } else {
                        want[w++] = (char)c;
                    }
                }
                want[w] = '\0';
                int same = got.len == w && memcmp(got.data, want, w) == 0;
                sw_buf_free(&got);
                if (!same) {
                    printf("    len %zu pos %zu special 0x%02x\n", len, pos,
                           (unsigned char)specials[k]);
                    CHECK(0);
                }
            }
}

/* sw_arena_strndup and sw_arena_strndup_lower copy in word-sized pieces: every length up
 * to past the word and block sizes, every byte value, must give what a byte loop gives. */
SW_TEST(arena_strndup_lower_matches_a_byte_loop)
{
    sw_arena a;
    sw_arena_init(&a, 1u << 24);
    char src[80], want[81];
    for (int round = 0; round < 256; round++) {
        for (size_t k = 0; k < sizeof src; k++)
            src[k] = (char)((round * 7 + k * 13 + (k * k) % 5) & 0xFF);
        src[round % sizeof src] = (char)round; /* every byte value somewhere */
        for (size_t n = 0; n <= sizeof src; n++) {
            for (size_t k = 0; k < n; k++)
                want[k] = src[k] >= 'A' && src[k] <= 'Z' ? (char)(src[k] + 32) : src[k];
            want[n] = '\0';
            char *low = sw_arena_strndup_lower(&a, src, n);
            char *dup = sw_arena_strndup(&a, src, n);
            CHECK(low && memcmp(low, want, n + 1) == 0);
            CHECK(dup && memcmp(dup, src, n) == 0 && dup[n] == '\0');
        }
        sw_arena_reset(&a);
    }
    sw_arena_free(&a);
}

/* sw_vformat against glibc's vsnprintf: the same bytes and return value for every
 * conversion it handles itself, the ones it hands on, and truncation at any size. */
static int fmt_both(char *mine, char *libc, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fmt_both(char *mine, char *libc, size_t cap, const char *fmt, ...)
{
    va_list a, b;
    va_start(a, fmt);
    va_copy(b, a);
    int m = sw_vformat(mine, cap, fmt, a);
    int l = vsnprintf(libc, cap, fmt, b);
    va_end(a);
    va_end(b);
    return m == l && (cap == 0 || !strcmp(mine, libc));
}

SW_TEST(vformat_matches_vsnprintf)
{
    char m[64], l[64];
    const char *volatile none = NULL; /* a NULL %s the compiler cannot see */
    for (size_t cap = 0; cap <= 40; cap++) {
        memset(m, 'x', sizeof m);
        memset(l, 'x', sizeof l);
        CHECK(fmt_both(m, l, cap, "plain text, no conversion"));
        CHECK(fmt_both(m, l, cap, "%s TXT: %s (%zu)", "_dmarc.example.com", "NXDOMAIN",
                       (size_t)3));
        CHECK(fmt_both(m, l, cap, "d=%d u=%u ld=%ld lld=%lld llu=%llu %%", INT_MIN, UINT_MAX,
                       LONG_MIN, LLONG_MIN, ULLONG_MAX));
        CHECK(fmt_both(m, l, cap, "%d %d %lld %zu", 0, -7, 1704103200LL, (size_t)0));
        CHECK(fmt_both(m, l, cap, "rec \"%.*s\"%s", 5, "v=DMARC1; p=none", "!"));
        CHECK(fmt_both(m, l, cap, "%.*s|%.*s", 0, "abc", 10, "ab"));
        CHECK(fmt_both(m, l, cap, "%s|%.*s", none, -1, "neg"));
        CHECK(fmt_both(m, l, cap, "0x%02x %5s %-3d %c", 7, "w", 4, 'c'));
        CHECK(fmt_both(m, l, cap, "%s", ""));
        CHECK(fmt_both(m, l, cap, "weight %+d, %+d, %+d; %+lld %+lld", 15, 0, -20, 3LL, LLONG_MIN));
        CHECK(fmt_both(m, l, cap, "%+5d|%+.3d", 7, -2)); /* a width after '+': handed on */
        CHECK(m[cap] == 'x' || cap == sizeof m); /* nothing written past cap */
    }
}

/* Pieces of every length up to past the inline copies' 32, at every offset and cap. */
SW_TEST(vformat_pieces_of_every_length_match_vsnprintf)
{
    static const char text[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP";
    char m[160], l[160];
    for (int len = 0; len <= 40; len++)
        for (size_t cap = 0; cap <= 120; cap += 7) {
            memset(m, 'x', sizeof m);
            memset(l, 'x', sizeof l);
            CHECK(fmt_both(m, l, cap, "%.*s-%s-%.*s=%d", len, text, text + 40 - len, len / 2,
                           text + 3, len));
            CHECK(m[cap] == 'x');
        }
}

/* In place or through the copy (a block nearly full, the cap near): the same text, cut at
 * 1023 bytes, and the arena bumped by what sw_arena_strndup would allocate. */
SW_TEST(arena_printf_in_place_and_copied_agree)
{
    char big[2000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    for (size_t pre = 0; pre <= 70000; pre += 7000) {
        sw_arena a;
        sw_arena_init(&a, 1 << 20);
        CHECK(sw_arena_alloc(&a, pre + 1) != NULL);
        size_t used = a.used_total;
        char *s = sw_arena_printf(&a, "%s=%d", "key", 42);
        CHECK_STR(s, "key=42");
        CHECK(a.used_total == used + 8);
        char *t = sw_arena_printf(&a, "<%s>", big);
        CHECK(t && strlen(t) == 1023 && t[0] == '<' && t[1022] == 'q');
        char *u = sw_arena_strndup(&a, "after", 5);
        CHECK_STR(s, "key=42");
        CHECK(t[1023] == '\0' && u && u != t);
        sw_arena_free(&a);
    }
    /* the cap: in place needs room for the longest text, the copy only for its own */
    sw_arena a;
    sw_arena_init(&a, 1000);
    CHECK(sw_arena_alloc(&a, 600) != NULL);
    CHECK_STR(sw_arena_printf(&a, "%s %zu", "short", (size_t)7), "short 7");
    CHECK(a.used_total == 608);
    sw_arena_free(&a);
}

/* Every length a header name or JSON key takes, equal and with one byte changed at each
 * position, both spans placed at the end of their page so a load past them would fault. */
SW_TEST(same_short_tells_one_byte_off_at_every_length_and_position)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t len = (size_t)page * 4;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    if (m == MAP_FAILED)
        return;
    CHECK(mprotect(m + page, (size_t)page, PROT_NONE) == 0);
    CHECK(mprotect(m + 3 * page, (size_t)page, PROT_NONE) == 0);
    for (size_t n = 0; n <= 80; n++) {
        char *a = m + page - n, *b = m + 3 * page - n;
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] = (char)('a' + (i * 7) % 26);
        CHECK(sw_same_short(a, b, n));
        for (size_t i = 0; i < n; i++) {
            b[i] ^= 0x20;
            CHECK(!sw_same_short(a, b, n));
            CHECK(!sw_same_short(b, a, n));
            b[i] ^= 0x20;
        }
    }
    munmap(m, len);
}
