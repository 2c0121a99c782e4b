/* Unit tests: arena, capped buffer, JSON writer, UTF-8. */
#include "test.h"
#include "spoofwatch/arena.h"
#include "spoofwatch/buf.h"
#include "spoofwatch/error.h"
#include "spoofwatch/json.h"
#include "spoofwatch/utf8.h"

SW_TEST(arena_refuses_past_its_cap)
{
    sw_arena a;
    sw_arena_init(&a, 1000);
    CHECK(sw_arena_alloc(&a, 600) != NULL);
    CHECK(sw_arena_alloc(&a, 600) == NULL);
    sw_arena_reset(&a);
    CHECK(sw_arena_alloc(&a, 600) != NULL);
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
    sw_buf_free(&b);
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

SW_TEST(utf8_rejects_overlongs_and_surrogates)
{
    CHECK(sw_utf8_valid("h\xc3\xa9llo", 6));
    CHECK(!sw_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    CHECK(!sw_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    CHECK(!sw_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    CHECK(sw_utf8_valid("\xf0\x9f\x98\x80", 4));
    CHECK(!sw_utf8_valid("\xe2\x82", 2)); /* truncated */
}
