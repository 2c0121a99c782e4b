/* Unit tests: the JSON reading shim and the log-row helpers every log source relies on. */
#include "test.h"
#include "spoofwatch/jsonread.h"
#include "spoofwatch/logsource.h"

#include <stdio.h>
#include <stdlib.h>

static const sw_jv *parse(sw_jreader *r, sw_arena *a, const char *text, sw_error *err)
{
    const sw_jv *v = NULL;
    if (sw_jparse(r, a, text, strlen(text), &v, err))
        return NULL;
    return v;
}

SW_TEST(jsonread_tree_navigation)
{
    sw_jreader *r = sw_jreader_new();
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_error err;
    const sw_jv *v = parse(r, &a,
                           "{\"a\":{\"b\":[1,\"2\",true,null,1.5,18446744073709551615]},"
                           "\"Mixed\":\"x\",\"s\":\"nul\\u0000in\"}",
                           &err);
    CHECK(v && v->type == SW_J_OBJECT && v->len == 3);
    const sw_jv *b = sw_jpath(v, "a.b");
    CHECK(b && b->type == SW_J_ARRAY && b->len == 6);
    int64_t i;
    CHECK(sw_jint(sw_jindex(b, 0), &i) == 0 && i == 1);
    CHECK(sw_jint(sw_jindex(b, 1), &i) == 0 && i == 2); /* BigQuery's string integers */
    int flag;
    CHECK(sw_jbool(sw_jindex(b, 2), &flag) == 0 && flag == 1);
    CHECK(sw_jindex(b, 3)->type == SW_J_NULL && sw_jstr(sw_jindex(b, 3)) == NULL);
    CHECK(sw_jint(sw_jindex(b, 4), &i) == -1); /* not integral */
    CHECK(sw_jindex(b, 5)->type == SW_J_DOUBLE);
    CHECK(sw_jindex(b, 6) == NULL);
    CHECK(sw_jget(v, "mixed") == NULL);
    CHECK_STR(sw_jstr(sw_jget_ci(v, "mixed")), "x");
    const sw_jv *s = sw_jget(v, "s");
    CHECK(s && s->len == 6 && s->u.s[3] == '\0'); /* an embedded NUL keeps its length */
    sw_arena_free(&a);
    sw_jreader_free(r);
}

SW_TEST(jsonread_refuses_bad_and_deep_documents)
{
    sw_jreader *r = sw_jreader_new();
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_error err;
    sw_error_clear(&err);
    CHECK(parse(r, &a, "{\"a\":", &err) == NULL);
    CHECK(err.code == SW_EFORMAT && strstr(err.message, "not valid JSON"));
    char deep[600];
    size_t n = 0;
    for (int k = 0; k < 200; k++)
        deep[n++] = '[';
    for (int k = 0; k < 200; k++)
        deep[n++] = ']';
    deep[n] = '\0';
    sw_error_clear(&err);
    CHECK(parse(r, &a, deep, &err) == NULL);
    CHECK(err.code == SW_ELIMIT);
    /* the reader is still usable after an error */
    CHECK(parse(r, &a, "[1]", &err) != NULL);
    sw_arena_free(&a);
    sw_jreader_free(r);
}

SW_TEST(jsonread_fields_in_one_pass)
{
    static const char *const keys[] = {"NetworkMessageId", "Subject", "Missing", "SenderIPv4",
                                       "SenderIPv6"};
    static sw_jkeyset set = SW_JKEYSET(keys);
    sw_jreader *r = sw_jreader_new();
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_error err;
    const sw_jv *v = parse(r, &a,
                           "{\"Subject\":\"hi\",\"SenderIPv6\":\"2001:db8::1\",\"x\":1,"
                           "\"NetworkMessageId\":\"n\",\"Subject\":\"second\",\"SenderIPv\":\"no\"}",
                           &err);
    const sw_jv *col[5];
    sw_jfields(v, &set, col);
    CHECK_STR(sw_jstr(col[0]), "n");
    CHECK_STR(sw_jstr(col[1]), "hi"); /* the first occurrence wins */
    CHECK(col[2] == NULL && col[3] == NULL);
    CHECK_STR(sw_jstr(col[4]), "2001:db8::1");
    sw_jfields(NULL, &set, col);
    CHECK(col[0] == NULL);
    sw_arena_free(&a);
    sw_jreader_free(r);
}

static int count_records(const sw_jv *rec, size_t index, void *ctx)
{
    size_t *n = ctx;
    (void)rec;
    (void)index;
    (*n)++;
    return 0;
}

SW_TEST(jsonread_each_record_of_a_wrapper)
{
    static const char *const wrappers[] = {"records", "Results", NULL};
    sw_jreader *r = sw_jreader_new();
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    sw_error err;
    const char *used = NULL;
    size_t n = 0;
    const char *doc = "{\"Schema\":[],\"Results\":[{},{},{}]}";
    CHECK(sw_jeach(r, &a, doc, strlen(doc), wrappers, &used, NULL, NULL, count_records, &n, &err) == 0);
    CHECK(n == 3);
    CHECK_STR(used, "Results");
    n = 0;
    CHECK(sw_jeach(r, &a, "[{},{}]", 7, wrappers, &used, NULL, NULL, count_records, &n, &err) == 0);
    CHECK(n == 2 && used == NULL);
    n = 0;
    CHECK(sw_jeach(r, &a, "{\"a\":1}", 7, wrappers, &used, NULL, NULL, count_records, &n, &err) == 0);
    CHECK(n == 1);
    /* a member beside the array, handed to every record in that record's arena */
    const sw_jv *schema = NULL;
    n = 0;
    const char *bq = "{\"schema\":{\"fields\":[1,2]},\"Results\":[{},{}]}";
    CHECK(sw_jeach(r, &a, bq, strlen(bq), wrappers, &used, "schema", &schema, count_records, &n,
                   &err) == 0);
    CHECK(n == 2 && schema && schema->type == SW_J_OBJECT);
    CHECK(sw_jindex(sw_jget(schema, "fields"), 1)->u.i == 2);
    sw_arena_free(&a);
    sw_jreader_free(r);
}

SW_TEST(log_auth_results_normalised)
{
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    CHECK_STR(sw_log_auth_result(&a, "Permanent error"), "permerror");
    CHECK_STR(sw_log_auth_result(&a, "Temporary error"), "temperror");
    CHECK_STR(sw_log_auth_result(&a, "Pass"), "pass");
    CHECK_STR(sw_log_auth_result(&a, "true"), "pass");
    CHECK_STR(sw_log_auth_result(&a, "false"), "fail");
    CHECK_STR(sw_log_auth_result(&a, "SoftFail"), "softfail");
    CHECK_STR(sw_log_auth_result(&a, "Weird Value"), "weird value");
    CHECK(sw_log_auth_result(&a, "") == NULL);
    CHECK(sw_log_auth_result(&a, NULL) == NULL);
    sw_arena_free(&a);
}

SW_TEST(log_message_id_brackets_restored)
{
    sw_arena a;
    sw_arena_init(&a, 1 << 20);
    CHECK_STR(sw_log_message_id(&a, "\\u003cabc@x.example\\u003e"), "<abc@x.example>");
    CHECK_STR(sw_log_message_id(&a, "<plain@x.example>"), "<plain@x.example>");
    sw_arena_free(&a);
}

SW_TEST(log_times_to_epoch)
{
    int64_t t;
    CHECK(sw_log_time("2022-11-22T06:19:40Z", &t) == 0 && t == 1669097980);
    CHECK(sw_log_time("2022-11-22T06:19:40.0675195Z", &t) == 0 && t == 1669097980);
    CHECK(sw_log_time("2023-07-04T11:16:04", &t) == 0 && t == 1688469364); /* zone-less: UTC */
    CHECK(sw_log_time("2019-10-15 13:57:31.053209-0400", &t) == 0 && t == 1571162251);
    CHECK(sw_log_time("2019-10-15T13:57:31+02:00", &t) == 0 && t == 1571140651);
    CHECK(sw_log_time("2019-13-15T13:57:31Z", &t) == -1);
    CHECK(sw_log_time("yesterday", &t) == -1);
    CHECK(sw_log_time("2019-10-15T13:57:31Zjunk", &t) == -1);
}

SW_TEST(log_delivery_outcomes)
{
    CHECK(sw_log_delivered("Delivered", "Inbox/folder") == SW_DELIVERED_INBOX);
    CHECK(sw_log_delivered("Junked", "Junk") == SW_DELIVERED_JUNK);
    CHECK(sw_log_delivered("DeliveredAsSpam", "JunkFolder") == SW_DELIVERED_JUNK);
    CHECK(sw_log_delivered("Blocked", "Quarantine") == SW_DELIVERED_BLOCKED);
    CHECK(sw_log_delivered("Delivered", "Quarantine") == SW_DELIVERED_BLOCKED);
    CHECK(sw_log_delivered("Delivered", NULL) == SW_DELIVERED_INBOX);
    CHECK(sw_log_delivered(NULL, "On-premises/External") == SW_DELIVERED_INBOX);
    CHECK(sw_log_delivered("Pending", NULL) == SW_DELIVERED_UNKNOWN);
    CHECK(sw_log_delivered(NULL, NULL) == SW_DELIVERED_UNKNOWN);
}
