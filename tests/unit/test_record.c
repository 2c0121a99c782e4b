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

/* record.c finds its fields in one walk of the block: the same fields, in the same order,
 * as the by-name lookups, whatever the case, with "Name :" fields never matching and
 * look-alike names of the same length (a different hash, or the same hash and other bytes)
 * not taken. */
SW_TEST(record_field_walk_matches_lookups)
{
    static const char MSG[] = "received: by b.example; Mon, 1 Jan 2024 10:00:03 +0000\r\n"
                              "RECEIVED: by a.example; Mon, 1 Jan 2024 10:00:02 +0000\r\n"
                              "Received : by fake.example; Mon, 1 Jan 2024 10:00:01 +0000\r\n"
                              "Recieved: by typo.example; Mon, 1 Jan 2024 10:00:00 +0000\r\n"
                              /* the hash sees the length and the first and last two bytes:
                               * these match Received's and A-R's, and only the bytes tell */
                              "Rexeived: by odd.example; Mon, 1 Jan 2024 10:00:00 +0000\r\n"
                              "Authentication-Xesults: bad.example; spf=pass\r\n"
                              "DKIM-Sxgnature: v=1; a=rsa-sha256; d=y.example; s=s; h=from; bh=; b=\r\n"
                              "authentication-results: one.example; spf=pass\r\n"
                              "ARC-Authentication-Results: i=1; arc.example; dkim=pass\r\n"
                              "Authentication-Results: two.example; dkim=fail\r\n"
                              "X-Original-Authentication-Results: three.example; dmarc=none\r\n"
                              "Authentication-Results-Original: four.example; spf=none\r\n"
                              "Received-SPF: pass (x) client-ip=192.0.2.1; envelope-from=a@b.example\r\n"
                              "fROM: a@one.example\r\n"
                              "From : b@two.example\r\n"
                              "Fr0m: c@three.example\r\n"
                              "cc: c1@x.example\r\n"
                              "tO: t1@x.example\r\n"
                              "Bcc: b1@x.example\r\n"
                              "TO: t2@x.example\r\n"
                              "Delivered-To: d1@x.example\r\n"
                              "X-Original-To: o1@x.example\r\n"
                              "Envelope-To: e1@x.example\r\n"
                              "return-path: <r1@x.example>\r\n"
                              "Return-Path: <r2@x.example>\r\n"
                              "Sender: s@x.example\r\n"
                              "reply-to: rt@x.example\r\n"
                              "SUBJECT: one\r\n"
                              "Subject: two\r\n"
                              "date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
                              "message-id: <m1@x.example>\r\n"
                              "Message-ID: <m2@x.example>\r\n"
                              "dkim-signature: v=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=; b=\r\n"
                              "\r\n";
    sw_record r;
    build(MSG, &r);
    const sw_header_block *h = &r.headers;
    CHECK(r.from_header_count == sw_header_count(h, "From") && r.from_header_count == 1);
    CHECK_STR(r.from.address, "a@one.example");
    CHECK(r.return_path_count == 2);
    CHECK_STR(r.envelope_from, "r1@x.example");
    CHECK_STR(r.message_id, "<m1@x.example>");
    CHECK_STR(r.subject, "one");
    CHECK(r.has_date);
    CHECK(r.sender.count == 1 && r.reply_to.count == 1);
    CHECK(has_anomaly(&r, "multiple_to_headers"));
    CHECK(has_anomaly(&r, "multiple_subject_headers"));
    CHECK(has_anomaly(&r, "multiple_message_id_headers"));
    CHECK(has_anomaly(&r, "multiple_return_path_headers"));
    CHECK(!has_anomaly(&r, "multiple_from_headers"));
    /* recipients: all To, then Cc, Bcc, Delivered-To, X-Original-To, Envelope-To */
    static const char *const rcpt[] = {"t1@x.example", "t2@x.example", "c1@x.example",
                                       "b1@x.example", "d1@x.example", "o1@x.example",
                                       "e1@x.example"};
    CHECK(r.nrecipients == 7);
    for (size_t i = 0; i < r.nrecipients && i < 7; i++)
        CHECK_STR(r.recipients[i].address, rcpt[i]);
    /* hops in field order; the "Received :" and "Recieved" fields are not hops */
    CHECK(r.nreceived == 2 && sw_header_count(h, "Received") == 2);
    CHECK(r.nreceived == 2 && r.received[0].field_index == 0 && r.received[1].field_index == 1);
    /* A-R headers by name in the record's order, each with its own numbering */
    static const char *const origin[] = {"Authentication-Results", "Authentication-Results",
                                         "Authentication-Results-Original",
                                         "X-Original-Authentication-Results",
                                         "ARC-Authentication-Results"};
    static const int nth[] = {0, 1, 0, 0, 0};
    CHECK(r.narh == 5);
    for (size_t i = 0; i < r.narh && i < 5; i++) {
        CHECK_STR(r.arh[i].origin, origin[i]);
        CHECK(r.arh[i].origin_index == nth[i]);
        CHECK((long)r.arh[i].field_index == sw_header_find(h, origin[i], (size_t)nth[i]));
    }
    CHECK(r.nauth == 6);
    CHECK(r.nauth == 6 && !strcmp(r.auth[5].origin, "Received-SPF"));
    CHECK(r.ndkim == 1);
    /* names of one length are told apart by their hashes */
    CHECK(sw_header_name_hash_inline("To", 2) != sw_header_name_hash_inline("Cc", 2));
    CHECK(sw_header_name_hash_inline("From", 4) != sw_header_name_hash_inline("Date", 4));
    CHECK(sw_header_name_hash_inline("Reply-To", 8) != sw_header_name_hash_inline("Received", 8));
    CHECK(sw_header_name_hash_inline("Return-Path", 11) !=
          sw_header_name_hash_inline("Envelope-To", 11));
    CHECK(sw_header_name_hash_inline("Delivered-To", 12) !=
          sw_header_name_hash_inline("Received-SPF", 12));
    sw_arena_free(&A);
}

/* check_block's per-field anomalies are read only when some field has a flag for one:
 * each kind must still be reported, in field order, and a clean block must have none. */
SW_TEST(record_field_flag_anomalies)
{
    sw_record r;
    build("From: a@x.example\r\nSubject: plain\r\nMessage-ID: <1@x.example>\r\n\r\nbody\r\n", &r);
    CHECK(r.nanomalies == 0);
    static const char MSG[] = "From: a@x.example\r\n"
                              "Message-ID: <1@x.example>\r\n"
                              "X-Note : spaced\r\n"
                              "X-Bytes: caf\xe9\r\n"
                              "X-Zero: a\0b\r\n"
                              "X-\x01Name: odd\r\n"
                              "\r\n"
                              "body\r\n";
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_source src = {.path = "t.eml", .format = "eml", .index = -1};
    sw_record_from_mail(&A, MSG, sizeof MSG - 1, &src, &r, NULL);
    CHECK(has_anomaly(&r, "space_before_colon"));
    CHECK(has_anomaly(&r, "invalid_utf8_header"));
    CHECK(has_anomaly(&r, "nul_in_header"));
    CHECK(has_anomaly(&r, "invalid_header_name"));
    /* in field order, after the block's own anomalies */
    size_t sp = 0, u8 = 0;
    for (size_t i = 0; i < r.nanomalies; i++) {
        if (!strcmp(r.anomalies[i].id, "space_before_colon"))
            sp = i;
        if (!strcmp(r.anomalies[i].id, "invalid_utf8_header"))
            u8 = i;
    }
    CHECK(sp < u8);
    sw_arena_free(&A);
}

/* A record's times share the calendar part of their text when they fall on one day: every
 * hop's time comes out whole anyway, on the same day (seconds, minutes, hours apart), the
 * next day, a day back, years on, and across the turn of a year. */
SW_TEST(record_json_times_of_one_day_and_others)
{
    static const char msg[] =
        "Received: from a.example by b.example; Mon, 1 Jan 2024 10:00:05 +0000\r\n"
        "Received: from a.example by b.example; Mon, 1 Jan 2024 10:00:04 +0000\r\n"
        "Received: from a.example by b.example; Mon, 1 Jan 2024 09:59:59 +0000\r\n"
        "Received: from a.example by b.example; Mon, 1 Jan 2024 23:59:59 +0000\r\n"
        "Received: from a.example by b.example; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
        "Received: from a.example by b.example; Tue, 2 Jan 2024 00:00:00 +0000\r\n"
        "Received: from a.example by b.example; Sun, 31 Dec 2023 23:59:59 +0000\r\n"
        "Received: from a.example by b.example; Sun, 31 Dec 2023 07:08:09 +0100\r\n"
        "Received: from a.example by b.example; Thu, 1 Jan 1970 00:00:00 +0000\r\n"
        "Received: from a.example by b.example; Fri, 31 Dec 9999 23:59:59 +0000\r\n"
        "From: <a@a.example>\r\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
        "\r\nbody\r\n";
    sw_record r;
    build(msg, &r);
    sw_buf b;
    sw_buf_init(&b, SW_MAX_RECORD_JSON);
    CHECK(sw_record_write_json(&r, &b) == 0);
    const char *need[] = {"\"date_utc\":\"2024-01-01T10:00:00Z\"",
                          "\"time_utc\":\"2024-01-01T10:00:05Z\"",
                          "\"time_utc\":\"2024-01-01T10:00:04Z\"",
                          "\"time_utc\":\"2024-01-01T09:59:59Z\"",
                          "\"time_utc\":\"2024-01-01T23:59:59Z\"",
                          "\"time_utc\":\"2024-01-01T00:00:00Z\"",
                          "\"time_utc\":\"2024-01-02T00:00:00Z\"",
                          "\"time_utc\":\"2023-12-31T23:59:59Z\"",
                          "\"time_utc\":\"2023-12-31T06:08:09Z\"",
                          "\"time_utc\":\"1970-01-01T00:00:00Z\"",
                          "\"time_utc\":\"9999-12-31T23:59:59Z\"",
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
