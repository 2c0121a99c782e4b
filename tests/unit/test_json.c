/* Unit tests: the record's JSON form where it reuses work between members. */
#include "test.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/json.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/record.h"

#include <stdio.h>

/* The record's times reuse the text of the month before them (record_json.c's time
 * cache): every time must still read as sw_datetime_format_utc writes it, across days,
 * month ends, leap days, years, 1970, times before it and years past 9999. */
SW_TEST(json_record_times_match_the_formatter_in_any_order)
{
    static const int64_t t[] = {
        1704482079,   /* 2024-01-05 */
        1704482079,   /* the same second */
        1705129439,   /* 2024-01-13, same month */
        1706745599,   /* 2024-01-31T23:59:59 */
        1706745600,   /* 2024-02-01T00:00:00 */
        1709164800,   /* 2024-02-29 (leap day) */
        1709251199,   /* 2024-02-29T23:59:59 */
        1709251200,   /* 2024-03-01 */
        1677628799,   /* 2023-02-28T23:59:59 */
        1677628800,   /* 2023-03-01 */
        1704067199,   /* 2023-12-31T23:59:59 */
        1704067200,   /* 2024-01-01 */
        1706659200,   /* 2024-01-31 after another month */
        0,            /* 1970-01-01 */
        2678399,      /* 1970-01-31T23:59:59 */
        -1,           /* 1969-12-31T23:59:59 */
        -86400 * 31,  /* 1969-12-01 */
        253402300799, /* 9999-12-31T23:59:59 */
        253402300800, /* 10000-01-01: the longer form */
        253402300801,
        951782400,  /* 2000-02-29 */
        951868800,  /* 2000-03-01 */
        4107542400, /* 2100-03-01 (2100 is no leap year) */
        4107456000, /* 2100-02-28 */
    };
    enum { N = sizeof t / sizeof t[0] };
    sw_received_hop hops[N];
    memset(hops, 0, sizeof hops);
    for (size_t i = 0; i < N; i++) {
        hops[i].has_time = 1;
        hops[i].epoch = t[i];
        hops[i].offset = i;
    }
    sw_record r;
    memset(&r, 0, sizeof r);
    r.source.path = "t.eml";
    r.source.format = "eml";
    r.source.index = -1;
    r.has_date = 1;
    r.date_epoch = t[0];
    r.received = hops;
    r.nreceived = N;
    sw_buf b;
    sw_buf_init(&b, SW_MAX_RECORD_JSON);
    CHECK(sw_record_write_json(&r, &b) == 0);
    const char *p = strstr(b.data, "\"date_utc\":\"");
    CHECK(p != NULL);
    char want[32], got[32];
    sw_datetime_format_utc(t[0], want);
    p += strlen("\"date_utc\":\"");
    CHECK(strlen(p) > strlen(want) && p[strlen(want)] == '"');
    memcpy(got, p, strlen(want));
    got[strlen(want)] = '\0';
    CHECK_STR(got, want);
    for (size_t i = 0; i < N; i++) {
        p = strstr(p, "\"time_utc\":\"");
        CHECK(p != NULL);
        p += strlen("\"time_utc\":\"");
        sw_datetime_format_utc(t[i], want);
        size_t n = strlen(want);
        CHECK(strlen(p) > n && p[n] == '"');
        memcpy(got, p, n);
        got[n] = '\0';
        CHECK_STR(got, want);
    }
    sw_buf_free(&b);
}

/* Integer members below 10^4 take the digit-pair table, one or two pairs: every value to
 * past the last of them, and their negatives (the general digits), as printf writes them. */
SW_TEST(json_small_integers_every_value)
{
    sw_buf b;
    sw_buf_init(&b, 1024);
    for (int64_t v = -10001; v <= 10001; v++) {
        sw_buf_clear(&b);
        sw_json j;
        sw_json_init(&j, &b);
        sw_json_object_begin(&j);
        SW_JSON_KV_INT(&j, "offset", v);
        SW_JSON_KV_INT(&j, "v", v);
        sw_json_object_end(&j);
        char want[64];
        snprintf(want, sizeof want, "{\"offset\":%lld,\"v\":%lld}", (long long)v, (long long)v);
        CHECK(j.status == 0);
        CHECK_STR(b.data, want);
    }
    sw_buf_free(&b);
}

/* SW_JSON_KV_INT_END writes the member and its object's close as the two calls do: in an
 * array of objects, as an object's only member, at the outermost object (the general path)
 * and under every cap around the document's length (each bound then falls on it). */
SW_TEST(json_int_member_closing_its_object)
{
    static const int64_t values[] = {0, 7, 99, 100, 9999, 10000, 1704103200, -5, INT64_MIN};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        int64_t v = values[i];
        char want[256];
        int n = snprintf(want, sizeof want,
                         "{\"a\":[{\"x\":\"s\",\"offset\":%lld},{\"offset\":%lld}],\"b\":{\"c\":"
                         "{\"offset\":%lld}},\"z\":%lld}",
                         (long long)v, (long long)v, (long long)v, (long long)v);
        for (size_t cap = 0; cap <= (size_t)n + 40; cap++) {
            sw_buf b;
            sw_buf_init(&b, cap);
            sw_json j;
            sw_json_init(&j, &b);
            sw_json_object_begin(&j);
            SW_JSON_KEY_ARRAY(&j, "a");
            SW_JSON_OBJECT_KV_STRING(&j, "x", "s");
            SW_JSON_KV_INT_END(&j, "offset", v);
            sw_json_object_begin(&j);
            SW_JSON_KV_INT_END(&j, "offset", v);
            sw_json_array_end(&j);
            SW_JSON_KEY_OBJECT(&j, "b");
            SW_JSON_KEY_OBJECT(&j, "c");
            SW_JSON_KV_INT_END(&j, "offset", v);
            sw_json_object_end(&j);
            SW_JSON_KV_INT_END(&j, "z", v); /* the outermost object's close */
            if (cap >= (size_t)n) {
                CHECK(j.status == 0);
                CHECK_STR(b.data, want);
            } else {
                CHECK(j.status != 0);
                CHECK(b.len <= cap);
            }
            sw_buf_free(&b);
        }
    }
}

/* SW_JSON_KV_STRING_END as SW_JSON_KV_STRING then sw_json_object_end: values short, long,
 * needing escapes and NULL (the close alone), nested and outermost, under every cap around
 * the document's length. */
SW_TEST(json_string_member_closing_its_object)
{
    static const char *const values[] = {
        "",
        "s",
        "mx.corp.example",
        "0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-long",
        "q\"\\\n",
        "caf\xc3\xa9",
        "bad\xff",
        NULL};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        const char *v = values[i];
        sw_buf w;
        sw_buf_init(&w, 1 << 16);
        sw_json r;
        sw_json_init(&r, &w); /* the reference: the two calls */
        sw_json_object_begin(&r);
        SW_JSON_KEY_ARRAY(&r, "a");
        SW_JSON_OBJECT_KV_STRING(&r, "x", "s");
        SW_JSON_KV_STRING(&r, "display_name", v);
        sw_json_object_end(&r);
        sw_json_object_begin(&r);
        SW_JSON_KV_STRING(&r, "comment", v);
        sw_json_object_end(&r);
        sw_json_array_end(&r);
        SW_JSON_KV_STRING(&r, "z", v);
        sw_json_object_end(&r);
        CHECK(r.status == 0);
        for (size_t cap = 0; cap <= w.len + 40; cap++) {
            sw_buf b;
            sw_buf_init(&b, cap);
            sw_json j;
            sw_json_init(&j, &b);
            sw_json_object_begin(&j);
            SW_JSON_KEY_ARRAY(&j, "a");
            SW_JSON_OBJECT_KV_STRING(&j, "x", "s");
            SW_JSON_KV_STRING_END(&j, "display_name", v);
            sw_json_object_begin(&j);
            SW_JSON_KV_STRING_END(&j, "comment", v);
            sw_json_array_end(&j);
            SW_JSON_KV_STRING_END(&j, "z", v); /* the outermost object's close */
            if (cap >= w.len) {
                CHECK(j.status == 0);
                CHECK_STR(b.data, w.data);
            } else {
                CHECK(j.status != 0);
                CHECK(b.len <= cap);
            }
            sw_buf_free(&b);
        }
        sw_buf_free(&w);
    }
}
