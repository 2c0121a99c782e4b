/* Unit tests: the message record built from raw mail. */
#include "test.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/record.h"

#include <stdio.h>

static sw_arena A;

static int has_anomaly(const sw_record *r, const char *id)
{
    for (size_t i = 0; i < r->nanomalies; i++)
        if (!strcmp(r->anomalies[i].id, id))
            return 1;
    return 0;
}

static void build(const char *msg, sw_record *r)
{
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_source src = {.path = "t.eml", .format = "eml", .index = -1};
    sw_record_from_mail(&A, msg, strlen(msg), &src, r, NULL);
}

static const char SPOOF[] =
    "Return-Path: <bounce@mailer.evil.example>\r\n"
    "Authentication-Results: mx.victim.example; spf=pass smtp.mailfrom=mailer.evil.example;\r\n"
    " dkim=none; dmarc=fail (p=REJECT sp=REJECT dis=QUARANTINE) header.from=bank.example\r\n"
    "Received: from mailer.evil.example (mailer.evil.example [198.51.100.7]) by\r\n"
    " mx.victim.example with ESMTPS id 123 for <ann@victim.example>;\r\n"
    " Mon, 1 Jan 2024 10:00:05 +0000\r\n"
    "From: \"Bank Security\" <security@bank.example>\r\n"
    "From: other@evil.example\r\n"
    "Reply-To: collect@freemail.example\r\n"
    "To: Ann <ann@victim.example>, bob@victim.example\r\n"
    "Subject: =?utf-8?B?VXJnZW50?=\r\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    "Message-ID: <abc@evil.example>\r\n"
    "\r\n"
    "pay now\r\n";

SW_TEST(record_identities_and_ids)
{
    sw_record r;
    build(SPOOF, &r);
    CHECK(r.has_from);
    CHECK_STR(r.from.address, "security@bank.example");
    CHECK_STR(r.from.display_name, "Bank Security");
    CHECK_STR(r.from.domain, "bank.example");
    CHECK_STR(r.envelope_from, "bounce@mailer.evil.example");
    CHECK(r.reply_to.count == 1);
    CHECK_STR(r.reply_to.items[0].domain, "freemail.example");
    CHECK_STR(r.message_id, "<abc@evil.example>");
    CHECK_STR(r.subject, "Urgent");
    CHECK(r.has_date && r.date_epoch == 1704103200);
    CHECK(r.nrecipients == 2);
    CHECK_STR(r.recipients[1].address, "bob@victim.example");
    CHECK_STR(r.recipients[0].field, "to");
    sw_arena_free(&A);
}

SW_TEST(record_auth_facts_name_their_header)
{
    sw_record r;
    build(SPOOF, &r);
    CHECK(r.nauth == 3);
    CHECK_STR(r.auth[2].method, "dmarc");
    CHECK_STR(r.auth[2].result, "fail");
    CHECK_STR(r.auth[2].origin, "Authentication-Results");
    CHECK_STR(r.auth[2].authserv_id, "mx.victim.example");
    CHECK(r.auth[2].offset == strlen("Return-Path: <bounce@mailer.evil.example>\r\n"));
    CHECK(r.nreceived == 1);
    CHECK_STR(r.received[0].from_ip, "198.51.100.7");
    sw_arena_free(&A);
}

SW_TEST(record_multiple_from_is_an_anomaly)
{
    sw_record r;
    build(SPOOF, &r);
    CHECK(r.from_header_count == 2);
    CHECK(has_anomaly(&r, "multiple_from_headers"));
    sw_arena_free(&A);
}

SW_TEST(record_without_from_or_message_id)
{
    sw_record r;
    build("Subject: hi\n\nbody\n", &r);
    CHECK(!r.has_from);
    CHECK(has_anomaly(&r, "no_from_header"));
    CHECK(has_anomaly(&r, "no_message_id"));
    sw_arena_free(&A);
}

SW_TEST(record_json_has_the_fixed_names)
{
    sw_record r;
    build(SPOOF, &r);
    sw_buf b;
    sw_buf_init(&b, SW_MAX_RECORD_JSON);
    CHECK(sw_record_write_json(&r, &b) == 0);
    const char *need[] = {"\"source\":{\"path\":\"t.eml\",\"offset\":0",
                          "\"message_id\":\"<abc@evil.example>\"",
                          "\"from\":{\"address\":\"security@bank.example\","
                          "\"display_name\":\"Bank Security\",\"domain\":\"bank.example\"}",
                          "\"envelope_from\":\"bounce@mailer.evil.example\"",
                          "\"reply_to\":[{\"address\":\"collect@freemail.example\"",
                          "\"recipients\":[{\"address\":\"ann@victim.example\"",
                          "\"auth\":[{\"method\":\"spf\",\"result\":\"pass\",\"origin\":{"
                          "\"header\":\"Authentication-Results\"",
                          "\"received\":[{\"from\":\"mailer.evil.example\"",
                          "\"anomalies\":[",
                          NULL};
    for (size_t i = 0; need[i]; i++) {
        if (!strstr(b.data, need[i])) {
            printf("    missing %s in %s\n", need[i], b.data);
            CHECK(0);
        }
    }
    sw_buf_free(&b);
    sw_arena_free(&A);
}
