/* Unit tests for src/util/datetime.c (RFC 5322 dates) and src/mail/received.c (Received
 * hops). Every input is handed over as an exact-size heap copy without a NUL, and freed
 * before the results are checked, so ASan reports both over-reads and outputs that point
 * into the input instead of the arena. Expected epochs were computed independently
 * (Python email.utils.mktime_tz). */
#include "test.h"

#include "spoofwatch/arena.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/error.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/received.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------------------- */

static int dt_n(const char *s, size_t n, int64_t *epoch, int *off)
{
    char *copy = malloc(n ? n : 1);
    if (n)
        memcpy(copy, s, n);
    int rc = sw_datetime_parse_rfc5322(copy, n, epoch, off);
    free(copy);
    return rc;
}

static int dt(const char *s, int64_t *epoch, int *off)
{
    return dt_n(s, strlen(s), epoch, off);
}

/* One arena for the whole file, reset per parse: the reachable block keeps LeakSanitizer
 * quiet when a CHECK returns early. */
static sw_arena rcv_arena;
static int rcv_arena_ready;

static int rcv_n(const char *s, size_t n, sw_received_hop *h)
{
    if (!rcv_arena_ready) {
        sw_arena_init(&rcv_arena, SW_MAX_ARENA);
        rcv_arena_ready = 1;
    }
    sw_arena_reset(&rcv_arena);
    memset(h, 0, sizeof *h);
    char *copy = malloc(n ? n : 1);
    if (n)
        memcpy(copy, s, n);
    int rc = sw_received_parse(&rcv_arena, copy, n, h);
    free(copy);
    return rc;
}

static int rcv(const char *s, sw_received_hop *h)
{
    return rcv_n(s, strlen(s), h);
}

/* ---- datetime --------------------------------------------------------------------------- */

SW_TEST(datetime_numeric_zones)
{
    int64_t e = 0;
    int off = 99;
    CHECK(dt("Tue, 30 Apr 2019 02:09:00 +0000", &e, &off) == 0);
    CHECK(e == 1556590140);
    CHECK(off == 0);
    CHECK(dt("Mon, 27 Nov 2023 14:12:01 -0500", &e, &off) == 0);
    CHECK(e == 1701112321);
    CHECK(off == -300);
    CHECK(dt("Sat, 11 Dec 2010 02:07:06 +0530", &e, &off) == 0);
    CHECK(e == 1292013426);
    CHECK(off == 330);
    /* "-0000" is UTC with an unknown local zone. */
    CHECK(dt("29 Apr 2012 23:34:45 -0000", &e, &off) == 0);
    CHECK(e == 1335742485);
    CHECK(off == 0);
}

SW_TEST(datetime_obsolete_zone_names)
{
    static const struct {
        const char *zone;
        int minutes;
    } z[] = {{"UT", 0},     {"GMT", 0},    {"Z", 0},      {"EST", -300}, {"EDT", -240},
             {"CST", -360}, {"CDT", -300}, {"MST", -420}, {"MDT", -360}, {"PST", -480},
             {"PDT", -420}, {"gmt", 0},    {"pdt", -420}, {"UTC", 0}};
    for (size_t k = 0; k < sizeof z / sizeof z[0]; k++) {
        char buf[64];
        snprintf(buf, sizeof buf, "Fri, 21 Nov 1997 09:55:06 %s", z[k].zone);
        int64_t e = 0;
        int off = 12345;
        CHECK(dt(buf, &e, &off) == 0);
        CHECK(off == z[k].minutes);
        CHECK(e == 880106106 - (int64_t)z[k].minutes * 60);
    }
}

SW_TEST(datetime_military_and_unknown_zones_are_utc)
{
    /* RFC 5322 §4.3: military letters and unknown names are treated as -0000. */
    static const char *const zones[] = {"A", "M", "N", "Y", "z", "J", "CEST", "JST"};
    for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++) {
        char buf[64];
        snprintf(buf, sizeof buf, "21 Nov 1997 09:55:06 %s", zones[k]);
        int64_t e = 0;
        int off = 77;
        CHECK(dt(buf, &e, &off) == 0);
        CHECK(off == 0);
        CHECK(e == 880106106);
    }
}

SW_TEST(datetime_missing_zone_and_day_name)
{
    int64_t e = 0;
    int off = 5;
    CHECK(dt("Fri, 21 Nov 1997 09:55:06", &e, &off) == 0);
    CHECK(e == 880106106);
    CHECK(off == 0);
    CHECK(dt("21 Nov 1997 09:55:06 -0600", &e, &off) == 0);
    CHECK(e == 880106106 + 6 * 3600);
    /* Day name without the comma, seconds omitted. */
    CHECK(dt("Tue 30 Apr 2019 02:09 +0000", &e, &off) == 0);
    CHECK(e == 1556590140);
    /* Full day and month names, any case. */
    CHECK(dt("TUESDAY, 30 april 2019 02:09:00 GMT", &e, &off) == 0);
    CHECK(e == 1556590140);
    CHECK(dt("tue, 30 APR 2019 02:09:00 +0000", &e, &off) == 0);
    CHECK(e == 1556590140);
}

SW_TEST(datetime_two_and_three_digit_years)
{
    int64_t e = 0;
    int off;
    CHECK(dt("1 Jan 49 00:00:00 +0000", &e, &off) == 0);
    CHECK(e == 2493072000); /* 2049 */
    CHECK(dt("1 Jan 50 00:00:00 +0000", &e, &off) == 0);
    CHECK(e == -631152000); /* 1950 */
    CHECK(dt("1 Jan 00 00:00:00 +0000", &e, &off) == 0);
    CHECK(e == 946684800); /* 2000 */
    CHECK(dt("1 Jan 103 00:00:00 +0000", &e, &off) == 0);
    CHECK(e == 1041379200); /* 1900 + 103 */
    CHECK(dt("Tue, 30 Apr 19 02:09:00 +0000", &e, &off) == 0);
    CHECK(e == 1556590140);
}

SW_TEST(datetime_comments_and_folding)
{
    int64_t e = 0;
    int off = 0;
    /* RFC 5322 appendix A.5, with CFWS between every token. */
    CHECK(dt("Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n"
             "               -0330 (Newfoundland Time)",
             &e, &off) == 0);
    CHECK(e == -27723480);
    CHECK(off == -210);
    CHECK(dt("Tue, 30 Apr 2019 02:09:00 +0000 (UTC)", &e, &off) == 0);
    CHECK(e == 1556590140);
    CHECK(dt("(sent) Tue, (x) 30 (y) Apr ((nested) c) 2019 02 (h) : 09 : (m) 00 +0000", &e, &off) ==
          0);
    CHECK(e == 1556590140);
    /* Trailing noise after a complete date is ignored, as real MTAs write it. */
    CHECK(dt("Sat, 11 Dec 2010 02:07:06 +0530 id 0F1BC0E0.4D025E3A", &e, &off) == 0);
    CHECK(e == 1292013426);
    CHECK(dt("Tue, 30 Apr 2019 02:09:00 +0000 (envelope-from <a@b.example>)", &e, &off) == 0);
    CHECK(e == 1556590140);
}

SW_TEST(datetime_real_world_junk)
{
    int64_t e = 0;
    int off = 1;
    /* SendGrid writes milliseconds. */
    CHECK(dt("Sun, 03 Sep 2023 08:13:49.306 +0000 (UTC)", &e, &off) == 0);
    CHECK(e == 1693728829);
    /* A zero-padded day seen in Gmail bounces. */
    CHECK(dt("Tue, 029 Apr 2019 23:34:45 -0800 (PST)", &e, &off) == 0);
    CHECK(e == 1556609685);
    CHECK(off == -480);
    /* asctime order. */
    CHECK(dt("Apr 29 23:34:45 2005 +0000", &e, &off) == 0);
    CHECK(e == 1114817685);
    CHECK(dt("Fri Apr 29 23:34:45 2005", &e, &off) == 0);
    CHECK(e == 1114817685);
    /* ISO-style "+hh:mm". */
    CHECK(dt("Mon, 27 Nov 2023 14:12:01 -05:00", &e, &off) == 0);
    CHECK(e == 1701112321);
    CHECK(off == -300);
}

SW_TEST(datetime_rejects_invalid)
{
    static const char *const bad[] = {
        "",
        "   ",
        "(only a comment)",
        "garbage",
        "2019-04-30 02:09:00",              /* ISO is not RFC 5322 */
        "Tue, 30 Foo 2019 02:09:00 +0000",  /* month name */
        "Tue, 0 Apr 2019 02:09:00 +0000",   /* day 0 */
        "Tue, 32 Jan 2019 02:09:00 +0000",  /* day 32 */
        "Tue, 31 Apr 2019 02:09:00 +0000",  /* April has 30 days */
        "Tue, 30 Apr 2019 24:00:00 +0000",  /* hour */
        "Tue, 30 Apr 2019 02:60:00 +0000",  /* minute */
        "Tue, 30 Apr 2019 02:09:61 +0000",  /* second */
        "Tue, 30 Apr 2019 02:09:00 +2400",  /* zone hour */
        "Tue, 30 Apr 2019 02:09:00 +0060",  /* zone minute */
        "Tue, 30 Apr 2019 02:09:00 +05",    /* short zone */
        "Tue, 30 Apr 2019 02:09:00 -",      /* sign only */
        "Tue, 30 Apr 9 02:09:00 +0000",     /* one-digit year */
        "Tue, 30 Apr 20190 02:09:00 +0000", /* five-digit year */
        "Tue, 30 Apr 2019",                 /* no time */
        "Tue, 30 Apr 2019 02",              /* no minutes */
        "Tue, 30 Apr 2019 02:",             /* colon at the end */
        "Tue, Apr 2019 02:09:00 +0000",     /* no day */
        "Xyz, 30 Apr 2019 02:09:00 +0000",  /* unknown day name */
        "Tue, 30 Apr 2019 02:09:00 +0000"   /* (valid, checked below) */
    };
    size_t count = sizeof bad / sizeof bad[0] - 1;
    for (size_t k = 0; k < count; k++) {
        int64_t e = 42;
        int off = 42;
        if (dt(bad[k], &e, &off) != SW_EFORMAT) {
            sw_test_fail(__FILE__, __LINE__, bad[k]);
            return;
        }
        /* Outputs stay untouched on failure. */
        CHECK(e == 42 && off == 42);
    }
    int64_t e;
    int off;
    CHECK(dt(bad[count], &e, &off) == 0);
    CHECK(sw_datetime_parse_rfc5322(NULL, 0, &e, &off) == SW_EFORMAT);
}

SW_TEST(datetime_leap_years)
{
    int64_t e = 0;
    int off;
    CHECK(dt("Sat, 29 Feb 2020 12:00:00 +0000", &e, &off) == 0);
    CHECK(e == 1582977600);
    CHECK(dt("Tue, 29 Feb 2000 00:00:00 +0000", &e, &off) == 0); /* divisible by 400 */
    CHECK(e == 951782400);
    CHECK(dt("29 Feb 2019 00:00:00 +0000", &e, &off) == SW_EFORMAT);
    CHECK(dt("29 Feb 1900 00:00:00 +0000", &e, &off) == SW_EFORMAT); /* divisible by 100 */
    CHECK(dt("29 Feb 2100 00:00:00 +0000", &e, &off) == SW_EFORMAT);
    CHECK(dt("30 Feb 2020 00:00:00 +0000", &e, &off) == SW_EFORMAT);
    /* A leap second is a valid RFC 5322 time. */
    CHECK(dt("31 Dec 2016 23:59:60 +0000", &e, &off) == 0);
    CHECK(e == 1483228799 + 1);
}

SW_TEST(datetime_never_reads_past_n)
{
    const char *full = "Tue, 30 Apr 2019 02:09:00 +0000";
    int64_t e = 0;
    int off = 9;
    /* Cut inside the zone: a sign without four digits is malformed. */
    CHECK(dt_n(full, strlen(full) - 2, &e, &off) == SW_EFORMAT);
    /* Cut before the zone: a zone-less date is UTC. */
    CHECK(dt_n(full, strlen(full) - 6, &e, &off) == 0);
    CHECK(e == 1556590140);
    CHECK(off == 0);
    /* Cut before the seconds' digits. */
    CHECK(dt_n(full, strlen("Tue, 30 Apr 2019 02:09:"), &e, &off) == SW_EFORMAT);
    /* Unterminated comment and a trailing backslash stay inside the buffer. */
    CHECK(dt("Tue, 30 Apr 2019 02:09:00 +0000 (open \\", &e, &off) == 0);
    CHECK(dt("(\\", &e, &off) == SW_EFORMAT);
}

/* The usual shape is read by fixed positions; a byte off that shape goes to the general
 * reader, which must still give the same answer. */
SW_TEST(datetime_fixed_shape_edges)
{
    int64_t e = 0;
    int off = 9;
    CHECK(dt("Tue, 30 Apr 2019 02:09:00+0000", &e, &off) == 0); /* no space before zone */
    CHECK(e == 1556590140 && off == 0);
    CHECK(dt("Tue, 30 Apr 2019 02:09:00.25 -0100", &e, &off) == 0);
    CHECK(e == 1556590140 + 3600 && off == -60);
    CHECK(dt("Tue,  30 Apr 2019 02:09:00 +0000", &e, &off) == 0);
    CHECK(e == 1556590140);
    CHECK(dt("Tue, 30 Apr 2019 02:09:00", &e, &off) == 0);
    CHECK(e == 1556590140);
    CHECK(dt("Tue, 30 Apr 2019 02:09:000 +0000", &e, &off) == SW_EFORMAT);
    CHECK(dt("Tue, 30 Apr 2019 02:09:00 +00000", &e, &off) == SW_EFORMAT);
    CHECK(dt("Tue, 30 Apr 2019 02:09:00 +2400", &e, &off) == SW_EFORMAT);
    /* Every cut of a fixed-shape date stays inside its exact-size copy. */
    const char *full = "Tue, 30 Apr 2019 02:09:00 +0000";
    for (size_t n = 0; n <= strlen(full); n++)
        dt_n(full, n, &e, &off);
}
SW_TEST(datetime_days_from_civil)
{
    CHECK(sw_days_from_civil(1970, 1, 1) == 0);
    CHECK(sw_days_from_civil(1969, 12, 31) == -1);
    CHECK(sw_days_from_civil(2000, 2, 29) == 11016);
    CHECK(sw_days_from_civil(2000, 3, 1) == 11017);
    CHECK(sw_days_from_civil(2038, 1, 19) == 24855);
    CHECK(sw_days_from_civil(1600, 1, 1) == -135140);
    CHECK(sw_days_from_civil(1, 1, 1) == -719162);
    CHECK(sw_days_from_civil(9999, 12, 31) == 2932896);
}

SW_TEST(datetime_format_utc)
{
    char out[32];
    sw_datetime_format_utc(0, out);
    CHECK_STR(out, "1970-01-01T00:00:00Z");
    sw_datetime_format_utc(1556590140, out);
    CHECK_STR(out, "2019-04-30T02:09:00Z");
    sw_datetime_format_utc(951782400, out);
    CHECK_STR(out, "2000-02-29T00:00:00Z");
    sw_datetime_format_utc(-1, out);
    CHECK_STR(out, "1969-12-31T23:59:59Z");
    sw_datetime_format_utc(-27723480, out);
    CHECK_STR(out, "1969-02-14T03:02:00Z");
    sw_datetime_format_utc(253402300799, out);
    CHECK_STR(out, "9999-12-31T23:59:59Z");
    /* Extremes must not overflow the buffer (ASan watches). */
    sw_datetime_format_utc(INT64_MIN, out);
    CHECK(strlen(out) < 32);
    sw_datetime_format_utc(INT64_MAX, out);
    CHECK(strlen(out) < 32);
}

SW_TEST(datetime_format_and_civil_round_trip)
{
    /* Every 7th day over 1200 years: formatting a day and reading the date back through
     * sw_days_from_civil must give the same day number. */
    for (int64_t d = -300000; d <= 150000; d += 7) {
        char out[32];
        sw_datetime_format_utc(d * 86400 + 3723, out);
        long long y;
        unsigned m, dd, hh, mi, ss;
        CHECK(sscanf(out, "%lld-%u-%uT%u:%u:%uZ", &y, &m, &dd, &hh, &mi, &ss) == 6);
        CHECK(hh == 1 && mi == 2 && ss == 3);
        if (sw_days_from_civil(y, m, dd) != d) {
            sw_test_fail(__FILE__, __LINE__, out);
            return;
        }
    }
}

/* ---- Received: real-world formats ------------------------------------------------------- */

SW_TEST(received_postfix_rdns)
{
    sw_received_hop h;
    CHECK(rcv("from mail.example.com (mail.example.com [192.0.2.1])\r\n"
              "\tby mx.example.net (Postfix) with ESMTPS id 4XyzAbCdEf\r\n"
              "\tfor <user@example.net>; Mon, 21 Sep 2026 10:00:00 +0000 (UTC)",
              &h) == 0);
    CHECK_STR(h.from_helo, "mail.example.com");
    CHECK_STR(h.from_rdns, "mail.example.com");
    CHECK_STR(h.from_ip, "192.0.2.1");
    CHECK_STR(h.by, "mx.example.net");
    CHECK_STR(h.with, "ESMTPS");
    CHECK_STR(h.id, "4XyzAbCdEf");
    CHECK_STR(h.for_addr, "user@example.net");
    CHECK(h.via == NULL);
    CHECK_STR(h.date, "Mon, 21 Sep 2026 10:00:00 +0000 (UTC)");
    CHECK(h.has_time);
    CHECK(h.epoch == 1789984800);
    CHECK(h.tz_offset_min == 0);
    CHECK(h.flags == 0);
}

SW_TEST(received_postfix_unknown_rdns)
{
    sw_received_hop h;
    CHECK(rcv("from helo.example.org (unknown [198.51.100.7]) by mx.example.net (Postfix) "
              "with ESMTP id 4XyzAbCdEf for <user@example.net>; Mon, 21 Sep 2026 10:00:00 "
              "+0000 (UTC)",
              &h) == 0);
    CHECK_STR(h.from_helo, "helo.example.org");
    CHECK(h.from_rdns == NULL); /* "unknown" means no reverse DNS */
    CHECK_STR(h.from_ip, "198.51.100.7");
    CHECK(h.epoch == 1789984800);
}

SW_TEST(received_postfix_tls_comments)
{
    /* The "with" inside the TLS comment must not start a clause. */
    sw_received_hop h;
    CHECK(rcv("from smtp.subspace.kernel.org (wormhole.subspace.kernel.org [52.25.139.140]) "
              "(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)) (No "
              "client certificate requested) by sy.mirrors.kernel.org (Postfix) with ESMTPS "
              "id C0B9CB20C54 for <lists+linux-integrity@lfdr.de>; Wed, 22 Nov 2023 13:18:46 "
              "+0000 (UTC)",
              &h) == 0);
    CHECK_STR(h.from_helo, "smtp.subspace.kernel.org");
    CHECK_STR(h.from_rdns, "wormhole.subspace.kernel.org");
    CHECK_STR(h.from_ip, "52.25.139.140");
    CHECK_STR(h.by, "sy.mirrors.kernel.org");
    CHECK_STR(h.with, "ESMTPS");
    CHECK_STR(h.id, "C0B9CB20C54");
    CHECK_STR(h.for_addr, "lists+linux-integrity@lfdr.de");
    CHECK(h.epoch == 1700659126);
}

SW_TEST(received_postfix_ipv6_literal)
{
    sw_received_hop h;
    CHECK(rcv("from out1.vger.email (out1.vger.email [IPv6:2620:137:e000::1:20]) by "
              "mail.lfdr.de (Postfix) with ESMTP id D491D70E6D3 for "
              "<lists+linux-integrity@lfdr.de>; Tue, 23 May 2023 22:46:55 +0200 (CEST)",
              &h) == 0);
    CHECK_STR(h.from_ip, "2620:137:e000::1:20");
    CHECK_STR(h.from_rdns, "out1.vger.email");
    CHECK(h.flags == SW_RCV_IPV6);
    CHECK(h.tz_offset_min == 120);
    CHECK(h.epoch == 1684874815);
}

SW_TEST(received_exchange_online_frontend)
{
    sw_received_hop h;
    CHECK(rcv("from SA2PEPF000015CC.namprd03.prod.outlook.com (2603:10b6:510:2cf:cafe::a4) "
              "by PH8PR07CA0034.outlook.office365.com (2603:10b6:510:2cf::15) with Microsoft "
              "SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id "
              "15.20.7046.24 via Frontend Transport; Fri, 1 Dec 2023 18:52:19 +0000",
              &h) == 0);
    CHECK_STR(h.from_helo, "SA2PEPF000015CC.namprd03.prod.outlook.com");
    CHECK(h.from_rdns == NULL);
    CHECK_STR(h.from_ip, "2603:10b6:510:2cf:cafe::a4");
    CHECK_STR(h.by, "PH8PR07CA0034.outlook.office365.com");
    CHECK_STR(h.with, "Microsoft SMTP Server");
    CHECK_STR(h.id, "15.20.7046.24");
    CHECK_STR(h.via, "Frontend Transport");
    CHECK(h.flags == SW_RCV_IPV6);
    CHECK(h.epoch == 1701456739);
}

SW_TEST(received_exchange_inbound_ipv4)
{
    /* The by clause's own address (10.167.249.21) must not be taken as the client's. */
    sw_received_hop h;
    CHECK(rcv("from mail-qt1-f199.google.com (209.85.160.199) by "
              "BL6PEPF00020E60.mail.protection.outlook.com (10.167.249.21) with Microsoft SMTP "
              "Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.9678.18 via "
              "Frontend Transport; Sun, 8 Mar 2026 20:58:57 +0000",
              &h) == 0);
    CHECK_STR(h.from_helo, "mail-qt1-f199.google.com");
    CHECK_STR(h.from_ip, "209.85.160.199");
    CHECK(h.flags == 0);
    CHECK_STR(h.by, "BL6PEPF00020E60.mail.protection.outlook.com");
    CHECK(h.epoch == 1773003537);
}

SW_TEST(received_exchange_mapi_link_local)
{
    sw_received_hop h;
    CHECK(rcv("from DM6PR12MB3834.namprd12.prod.outlook.com ([fe80::2d79:7f96:6406:6c76]) by "
              "DM6PR12MB3834.namprd12.prod.outlook.com ([fe80::2d79:7f96:6406:6c76%3]) with mapi "
              "id 15.20.3305.025; Wed, 19 Aug 2020 12:02:40 +0000",
              &h) == 0);
    CHECK_STR(h.from_ip, "fe80::2d79:7f96:6406:6c76");
    CHECK(h.flags == (SW_RCV_IPV6 | SW_RCV_PRIVATE_IP));
    CHECK_STR(h.with, "mapi");
    CHECK_STR(h.id, "15.20.3305.025");
    CHECK(h.epoch == 1597838560);
}

SW_TEST(received_exchange_https_loopback)
{
    sw_received_hop h;
    CHECK(rcv("from DS0PR19MB7537.namprd19.prod.outlook.com (::1) by "
              "MN0PR19MB6312.namprd19.prod.outlook.com with HTTPS; Mon, 22 May 2023 10:57:19 "
              "+0000",
              &h) == 0);
    CHECK_STR(h.from_ip, "::1");
    CHECK(h.flags == (SW_RCV_IPV6 | SW_RCV_PRIVATE_IP));
    CHECK_STR(h.with, "HTTPS");
    CHECK(h.id == NULL);
    CHECK(h.epoch == 1684753039);
}

SW_TEST(received_gmail)
{
    sw_received_hop h;
    CHECK(rcv("from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n"
              "        by mx.google.com with SMTPS id "
              "a640c23a62f3a-a9a1234567sor1234567.66.2026.09.21.03.00.00\r\n"
              "        for <user@example.net>\r\n"
              "        (Google Transport Security);\r\n"
              "        Mon, 21 Sep 2026 03:00:00 -0700 (PDT)",
              &h) == 0);
    CHECK_STR(h.from_helo, "mail-sor-f41.google.com");
    CHECK_STR(h.from_rdns, "mail-sor-f41.google.com"); /* root dot dropped */
    CHECK_STR(h.from_ip, "209.85.220.41");
    CHECK_STR(h.by, "mx.google.com");
    CHECK_STR(h.with, "SMTPS");
    CHECK_STR(h.id, "a640c23a62f3a-a9a1234567sor1234567.66.2026.09.21.03.00.00");
    CHECK_STR(h.for_addr, "user@example.net");
    CHECK(h.tz_offset_min == -420);
    CHECK(h.epoch == 1789984800);
}

SW_TEST(received_gmail_internal_hop_has_no_from)
{
    sw_received_hop h;
    CHECK(rcv("by 2002:a17:902:aa49:: with SMTP id c9mr3004666plr.145; Tue, 30 Apr 2019 "
              "02:09:00 -0700 (PDT)",
              &h) == 0);
    CHECK(h.from_helo == NULL && h.from_ip == NULL && h.from_rdns == NULL);
    CHECK_STR(h.by, "2002:a17:902:aa49::");
    CHECK_STR(h.id, "c9mr3004666plr.145");
    CHECK(h.flags == 0);
    CHECK(h.epoch == 1556590140 + 7 * 3600);
}

SW_TEST(received_qmail_helo_and_ip)
{
    sw_received_hop h;
    CHECK(rcv("from unknown (HELO mail.example.org) (192.0.2.5)\r\n  by mx.example.net with "
              "SMTP; 21 Sep 2026 10:00:00 -0000",
              &h) == 0);
    CHECK_STR(h.from_helo, "mail.example.org");
    CHECK(h.from_rdns == NULL);
    CHECK_STR(h.from_ip, "192.0.2.5");
    CHECK_STR(h.by, "mx.example.net");
    CHECK_STR(h.with, "SMTP");
    CHECK(h.epoch == 1789984800);

    /* With a reverse name and an ident user. */
    CHECK(rcv("from mail.example.org (HELO claimed.example) (joe@192.0.2.5) by mx.example.net "
              "with SMTP; 21 Sep 2026 10:00:00 -0000",
              &h) == 0);
    CHECK_STR(h.from_helo, "claimed.example");
    CHECK_STR(h.from_rdns, "mail.example.org");
    CHECK_STR(h.from_ip, "192.0.2.5");
}

SW_TEST(received_qmail_invoked_from_network)
{
    /* "from" inside a comment is not a clause. */
    sw_received_hop h;
    CHECK(rcv("(qmail 22022 invoked from network); 29 Apr 2012 23:34:45 -0000", &h) == 0);
    CHECK(h.from_helo == NULL);
    CHECK(h.from_ip == NULL);
    CHECK(h.by == NULL);
    CHECK(h.has_time);
    CHECK(h.epoch == 1335742485);
}

SW_TEST(received_sendmail_may_be_forged)
{
    sw_received_hop h;
    CHECK(rcv("from helo.example (rdns.example [192.0.2.10] (may be forged))\r\n"
              "\tby mx.example.net (8.17.1/8.17.1) with ESMTP id 48LA0000012345\r\n"
              "\tfor <user@example.net>; Mon, 21 Sep 2026 10:00:00 GMT",
              &h) == 0);
    CHECK_STR(h.from_helo, "helo.example");
    CHECK_STR(h.from_rdns, "rdns.example");
    CHECK_STR(h.from_ip, "192.0.2.10");
    CHECK_STR(h.id, "48LA0000012345");
    CHECK(h.epoch == 1789984800);
}

SW_TEST(received_sendmail_ident_user)
{
    sw_received_hop h;
    CHECK(rcv("from helo.example (user@rdns.example [192.0.2.10]) by mx.example.net "
              "(8.17.1/8.17.1) with ESMTP id 48LA0000012345; Mon, 21 Sep 2026 10:00:00 GMT",
              &h) == 0);
    CHECK_STR(h.from_rdns, "rdns.example");
    CHECK_STR(h.from_ip, "192.0.2.10");
}

SW_TEST(received_exim_helo_in_comment)
{
    sw_received_hop h;
    CHECK(rcv("from mail.example.org ([192.0.2.10]:40000 helo=claimed.example)\r\n"
              "\tby mx.example.net with esmtp (Exim 4.96)\r\n"
              "\t(envelope-from <a@example.org>)\r\n"
              "\tid 1abcDE-000001-AB\r\n"
              "\tfor user@example.net;\r\n"
              "\tMon, 21 Sep 2026 10:00:00 +0000",
              &h) == 0);
    CHECK_STR(h.from_helo, "claimed.example");
    CHECK_STR(h.from_rdns, "mail.example.org");
    CHECK_STR(h.from_ip, "192.0.2.10");
    CHECK_STR(h.with, "esmtp");
    CHECK_STR(h.id, "1abcDE-000001-AB");
    CHECK_STR(h.for_addr, "user@example.net");
    CHECK(h.epoch == 1789984800);
}

SW_TEST(received_exim_literal_without_rdns)
{
    /* The helo= literal is the client's claim; the leading literal is the real peer. */
    sw_received_hop h;
    CHECK(rcv("from [192.0.2.66] (helo=[203.0.113.5]) by mx.example.net with esmtp (Exim "
              "4.96) (envelope-from <ceo@bank.example>) id 1abcDE-000001-AB; Mon, 21 Sep 2026 "
              "10:00:00 +0000",
              &h) == 0);
    CHECK_STR(h.from_ip, "192.0.2.66");
    CHECK_STR(h.from_helo, "[203.0.113.5]");
    CHECK(h.from_rdns == NULL);
}

SW_TEST(received_bare_literal_helo)
{
    sw_received_hop h;
    CHECK(rcv("from [192.0.2.1] by mx.example.net with SMTP; Mon, 21 Sep 2026 10:00:00 +0000",
              &h) == 0);
    CHECK_STR(h.from_helo, "[192.0.2.1]");
    CHECK_STR(h.from_ip, "192.0.2.1");
    CHECK(h.from_rdns == NULL);
    CHECK_STR(h.by, "mx.example.net");
}

SW_TEST(received_helo_literal_with_real_peer)
{
    /* Postfix: HELO was an address literal, the comment holds the real peer. */
    sw_received_hop h;
    CHECK(rcv("from [10.137.114.52] (unknown [131.107.159.180]) by linux.microsoft.com "
              "(Postfix) with ESMTPSA id 2826D20B74C0; Fri, 17 Nov 2023 14:41:45 -0800 (PST)",
              &h) == 0);
    CHECK_STR(h.from_helo, "[10.137.114.52]");
    CHECK_STR(h.from_ip, "131.107.159.180");
    CHECK(h.flags == 0); /* the private HELO literal is not the peer */
    CHECK(h.tz_offset_min == -480);
}

SW_TEST(received_helo_with_fake_comment)
{
    /* A HELO carrying "([ip])" must not beat the comment the MTA appended itself. */
    sw_received_hop h;
    CHECK(rcv("from x([203.0.113.5]) (unknown [198.51.100.7]) by mx.example.net (Postfix) "
              "with ESMTP id 4XyzAbCdEf; Mon, 21 Sep 2026 10:00:00 +0000 (UTC)",
              &h) == 0);
    CHECK_STR(h.from_helo, "x");
    CHECK_STR(h.from_ip, "198.51.100.7");
}

SW_TEST(received_zmailer_semicolon_in_comment)
{
    /* vger.kernel.org: the ';' inside "(ORCPT <rfc822;...>)" is not the date separator. */
    sw_received_hop h;
    CHECK(rcv("from us-smtp-2.mimecast.com ([205.139.110.61]:46254 \"EHLO "
              "us-smtp-delivery-1.mimecast.com\" rhost-flags-OK-OK-OK-FAIL) by vger.kernel.org "
              "with ESMTP id S1728267AbgGJSDv (ORCPT <rfc822;linux-integrity@vger.kernel.org>); "
              "Fri, 10 Jul 2020 14:03:51 -0400",
              &h) == 0);
    CHECK_STR(h.from_helo, "us-smtp-delivery-1.mimecast.com");
    CHECK_STR(h.from_rdns, "us-smtp-2.mimecast.com");
    CHECK_STR(h.from_ip, "205.139.110.61");
    CHECK_STR(h.by, "vger.kernel.org");
    CHECK_STR(h.id, "S1728267AbgGJSDv");
    CHECK_STR(h.date, "Fri, 10 Jul 2020 14:03:51 -0400");
    CHECK(h.epoch == 1594404231);
    CHECK(h.tz_offset_min == -240);
}

SW_TEST(received_exchange_onprem_not_verified)
{
    sw_received_hop h;
    CHECK(rcv("from hqpgpgate101.nvidia.com (Not Verified[216.228.121.13]) by "
              "hqnvemgate25.nvidia.com id <B5f3d155e0000>; Wed, 19 Aug 2020 05:02:22 -0700",
              &h) == 0);
    CHECK_STR(h.from_ip, "216.228.121.13");
    CHECK(h.from_rdns == NULL); /* "Verified" is not a host name */
    CHECK_STR(h.id, "<B5f3d155e0000>");
}

SW_TEST(received_literal_outside_comment)
{
    sw_received_hop h;
    CHECK(rcv("from client1.football.example.com  [192.0.2.1] by mx.example.net with ESMTP id "
              "X1; Thu, 29 Apr 2010 23:34:45 +0900",
              &h) == 0);
    CHECK_STR(h.from_helo, "client1.football.example.com");
    CHECK_STR(h.from_ip, "192.0.2.1");
}

SW_TEST(received_localhost_is_private)
{
    sw_received_hop h;
    CHECK(rcv("from localhost.localdomain (localhost.localdomain [127.0.0.1]) by "
              "smtp.subspace.kernel.org (Postfix) with ESMTP id E366E3EA71; Mon, 27 Nov 2023 "
              "19:20:07 +0000 (UTC)",
              &h) == 0);
    CHECK_STR(h.from_ip, "127.0.0.1");
    CHECK(h.flags == SW_RCV_PRIVATE_IP);
}

SW_TEST(received_keywords_any_case)
{
    sw_received_hop h;
    CHECK(rcv("FROM a.example (a.example [192.0.2.9]) BY b.example WITH SMTP ID x1 VIA tcp FOR "
              "<u@b.example>; Tue, 30 Apr 2019 02:09:00 +0000",
              &h) == 0);
    CHECK_STR(h.from_helo, "a.example");
    CHECK_STR(h.by, "b.example");
    CHECK_STR(h.with, "SMTP");
    CHECK_STR(h.id, "x1");
    CHECK_STR(h.via, "tcp");
    CHECK_STR(h.for_addr, "u@b.example");
    CHECK(h.epoch == 1556590140);
}

SW_TEST(received_ipv6_text_is_canonical)
{
    sw_received_hop h;
    CHECK(rcv("from a.example (a.example [IPv6:2001:0DB8:0000::0001]) by b.example; Tue, 30 "
              "Apr 2019 02:09:00 +0000",
              &h) == 0);
    CHECK_STR(h.from_ip, "2001:db8::1");
    CHECK(h.flags == SW_RCV_IPV6);
    CHECK(rcv("from a.example (a.example [IPv6:::ffff:10.1.2.3]) by b.example; Tue, 30 Apr "
              "2019 02:09:00 +0000",
              &h) == 0);
    CHECK_STR(h.from_ip, "::ffff:10.1.2.3");
    CHECK(h.flags == (SW_RCV_IPV6 | SW_RCV_PRIVATE_IP));
}

SW_TEST(received_rejects_non_addresses)
{
    static const char *const cases[] = {
        "from a.example (a.example [999.1.1.1]) by b.example; Tue, 30 Apr 2019 02:09:00 +0000",
        "from df.example.jp (df.example.jp [local]) by df.example.jp (OpenSMTPD) with ESMTPA; "
        "Fri, 21 Jun 2024 04:57:58 +0000 (UTC)",
        "from a.example (unknown [1.2.3]) by b.example; Tue, 30 Apr 2019 02:09:00 +0000",
        "from a.example (PRIMARY_HOSTNAME [PUBLIC_IP]) by b.example; Tue, 30 Apr 2019 "
        "02:09:00 +0000",
        "from 192.0.2.1 by b.example; Tue, 30 Apr 2019 02:09:00 +0000", /* a bare HELO claim */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sw_received_hop h;
        CHECK(rcv(cases[k], &h) == 0);
        if (h.from_ip != NULL) {
            sw_test_fail_str(__FILE__, __LINE__, cases[k], h.from_ip, "(null)");
            return;
        }
        CHECK(h.has_time);
        CHECK((h.flags & (SW_RCV_IPV6 | SW_RCV_PRIVATE_IP)) == 0);
    }
}

SW_TEST(received_repeated_clause_keeps_first)
{
    sw_received_hop h;
    CHECK(rcv("from a.example by first.example by second.example with SMTP; Tue, 30 Apr 2019 "
              "02:09:00 +0000",
              &h) == 0);
    CHECK_STR(h.by, "first.example");
    CHECK_STR(h.with, "SMTP");
    /* A second with/from clause neither extends the first nor replaces its address. */
    CHECK(rcv("from a.example (a.example [192.0.2.1]) by b.example with SMTP from c.example "
              "(c.example [198.51.100.1]) with ESMTP; Tue, 30 Apr 2019 02:09:00 +0000",
              &h) == 0);
    CHECK_STR(h.with, "SMTP");
    CHECK_STR(h.from_helo, "a.example");
    CHECK_STR(h.from_ip, "192.0.2.1");
}

/* ---- Received: dates, limits and hostile input ----------------------------------------- */

SW_TEST(received_no_date)
{
    sw_received_hop h;
    CHECK(rcv("from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net", &h) == 0);
    CHECK(h.flags == SW_RCV_NO_DATE);
    CHECK(!h.has_time);
    CHECK(h.date == NULL);
    CHECK_STR(h.from_ip, "192.0.2.1");
    CHECK_STR(h.by, "mx.example.net");

    /* A ';' with nothing after it is no date either. */
    CHECK(rcv("by mx.example.net with SMTP id 1;  \r\n ", &h) == 0);
    CHECK(h.flags == SW_RCV_NO_DATE);
    CHECK(h.date == NULL);
    CHECK_STR(h.id, "1");
}

SW_TEST(received_bad_date)
{
    sw_received_hop h;
    CHECK(rcv("from a.example (a.example [192.0.2.1]) by b.example; yesterday at noon", &h) == 0);
    CHECK(h.flags == SW_RCV_BAD_DATE);
    CHECK(!h.has_time);
    CHECK_STR(h.date, "yesterday at noon");
    CHECK_STR(h.from_ip, "192.0.2.1");
}

SW_TEST(received_date_after_last_semicolon)
{
    sw_received_hop h;
    CHECK(rcv("by mx.example.net id 1; Mon, 1 Jan 2001 00:00:00 +0000; Tue, 30 Apr 2019 "
              "02:09:00 +0000",
              &h) == 0);
    CHECK(h.has_time);
    CHECK(h.epoch == 1556590140);
    CHECK_STR(h.id, "1");
    /* A ';' inside a comment after the date does not move the date. */
    CHECK(rcv("by mx.example.net id 1; Tue, 30 Apr 2019 02:09:00 +0000 (ORCPT "
              "<rfc822;u@example.net>)",
              &h) == 0);
    CHECK(h.has_time);
    CHECK(h.epoch == 1556590140);
    CHECK_STR(h.date, "Tue, 30 Apr 2019 02:09:00 +0000 (ORCPT <rfc822;u@example.net>)");
}

SW_TEST(received_unbalanced_comment_still_finds_date)
{
    sw_received_hop h;
    CHECK(rcv("from a.example (unknown [192.0.2.1] by mx.example.net; Tue, 30 Apr 2019 "
              "02:09:00 +0000",
              &h) == 0);
    CHECK_STR(h.from_helo, "a.example");
    CHECK_STR(h.from_ip, "192.0.2.1");
    CHECK(h.has_time);
    CHECK(h.epoch == 1556590140);
}

/* The clauses are read up to the value's last ';' and pass 1 runs only when that one turns
 * out to be inside a comment: each shape of that rare path, and the usual one next to it. */
SW_TEST(received_date_semicolon_inside_comments)
{
    sw_received_hop h;
    /* usual: a ';' in a comment before the date's */
    CHECK(rcv("from a.example (a.example [192.0.2.1]) (version=TLS1_2; c=x) by b.example with "
              "ESMTPS id 7; Tue, 30 Apr 2019 02:09:00 +0000",
              &h) == 0);
    CHECK_STR(h.by, "b.example");
    CHECK_STR(h.with, "ESMTPS");
    CHECK_STR(h.id, "7");
    CHECK_STR(h.date, "Tue, 30 Apr 2019 02:09:00 +0000");
    CHECK(h.epoch == 1556590140);
    /* the last ';' escaped inside a comment after the date: the date's ';' is the earlier */
    CHECK(rcv("by b.example id 2; Tue, 30 Apr 2019 02:09:00 +0000 (x \\; y)", &h) == 0);
    CHECK_STR(h.id, "2");
    CHECK_STR(h.date, "Tue, 30 Apr 2019 02:09:00 +0000 (x \\; y)");
    CHECK(h.has_time);
    CHECK(h.epoch == 1556590140);
    /* no ';' outside comments: the last one at all starts the date, clauses stop there */
    CHECK(rcv("from a.example (x; y) by b.example id 3", &h) == 0);
    CHECK_STR(h.from_helo, "a.example");
    CHECK(h.by == NULL);
    CHECK(h.id == NULL);
    CHECK_STR(h.date, "y) by b.example id 3");
    CHECK(h.flags & SW_RCV_BAD_DATE);
    /* ... and an escaped one is not a ';' */
    CHECK(rcv("from a.example (x; y \\; z) by b.example id 4", &h) == 0);
    CHECK(h.by == NULL);
    CHECK_STR(h.date, "y \\; z) by b.example id 4");
    CHECK(rcv("from a.example (x \\; y) by b.example id 5", &h) == 0);
    CHECK_STR(h.by, "b.example");
    CHECK_STR(h.id, "5");
    CHECK(h.date == NULL);
    CHECK(h.flags & SW_RCV_NO_DATE);
    /* a keyword after the date's ';' is not a clause, inside a comment or not */
    CHECK(rcv("from a.example by b.example; Tue, 30 Apr 2019 02:09:00 +0000 (id 9; for x)",
              &h) == 0);
    CHECK(h.id == NULL);
    CHECK(h.for_addr == NULL);
    CHECK(h.epoch == 1556590140);
    CHECK(rcv("from a.example by b.example; id 9 (z;", &h) == 0);
    CHECK(h.id == NULL);
    CHECK_STR(h.date, "id 9 (z;");
    /* an open comment holding the last ';' and no ';' before it: that one is the date's */
    CHECK(rcv("from a.example (a.example [192.0.2.1] by b.example id 6; Tue, 30 Apr 2019 "
              "02:09:00 +0000",
              &h) == 0);
    CHECK_STR(h.from_ip, "192.0.2.1");
    CHECK(h.by == NULL);
    CHECK(h.epoch == 1556590140);
    /* a ';' as the very first and the very last byte */
    CHECK(rcv(";", &h) == 0);
    CHECK(h.flags & SW_RCV_NO_DATE);
    CHECK(rcv("by b.example;", &h) == 0);
    CHECK_STR(h.by, "b.example");
    CHECK(h.flags & SW_RCV_NO_DATE);
}

/* Words end wherever they end relative to the 16-byte blocks the scanners screen, and the
 * last one before a ';' or a comment's end is screened with the block ending there: every
 * length and position of the last word, with bytes below ')' that separate nothing ('!',
 * '#', '$', '&', '\'', '*' and a control byte) inside it. */
SW_TEST(received_last_word_at_every_length)
{
    static const char fill[] = "a!b#c$d&e'f*g\x01h-i.j_k0l1m2n3o4p5q6r7s8t9u.v.w.x.y.z.abcdefghijk";
    sw_received_hop h;
    for (size_t len = 1; len + 1 < sizeof fill; len++) {
        char word[sizeof fill], v[700];
        memcpy(word, fill + sizeof fill - 1 - len, len);
        word[len] = '\0';
        for (size_t pad = 0; pad < 20; pad += 3) {
            /* the by clause's one word right before the date's ';' */
            int k = snprintf(v, sizeof v, "by %.*s%s; Tue, 30 Apr 2019 02:09:00 +0000",
                             (int)pad, "xxxxxxxxxxxxxxxxxxxx", word);
            CHECK(k > 0 && (size_t)k < sizeof v);
            CHECK(rcv(v, &h) == 0);
            char want[600];
            snprintf(want, sizeof want, "%.*s%s", (int)pad, "xxxxxxxxxxxxxxxxxxxx", word);
            CHECK_STR(h.by, want);
            CHECK(h.epoch == 1556590140);
            /* ... and with nothing after it */
            snprintf(v, sizeof v, "id %s", want);
            CHECK(rcv(v, &h) == 0);
            CHECK_STR(h.id, want);
            CHECK(h.flags & SW_RCV_NO_DATE);
            /* the last word of a from comment, and the comment's end after it */
            snprintf(v, sizeof v, "from h.example (%.*s[192.0.2.1] %s) by b", (int)pad,
                     "x.xxxxxxxxxxxxxxxxxxx", word);
            CHECK(rcv(v, &h) == 0);
            CHECK_STR(h.from_ip, "192.0.2.1");
            CHECK_STR(h.by, "b");
            snprintf(v, sizeof v, "from h.example (%.*s %s [192.0.2.7]) by b", (int)pad,
                     "xxxxxxxxxxxxxxxxxxxx", word);
            CHECK(rcv(v, &h) == 0);
            CHECK_STR(h.from_ip, "192.0.2.7");
            /* the name before the address is a reverse-DNS name only with host bytes */
            if (strpbrk(word, "!#$&'*\x01"))
                CHECK(h.from_rdns == NULL);
            else
                CHECK_STR(h.from_rdns, word);
            CHECK_STR(h.by, "b");
        }
    }
}

/* The reverse-DNS name's host-character test runs 16 bytes at a time from 16 bytes on: every
 * length around the block sizes, with each byte next to a range edge at every position. */
SW_TEST(received_rdns_host_bytes_at_every_position)
{
    static const char base[] = "mail-sor-f41.google.EXAMPLE.com_09az-AZ.mx.example.org";
    static const unsigned char good[] = {'a', 'z', 'A', 'Z', '0', '9', '-', '.', '_'};
    static const unsigned char bad[] = {'/', ',', '`', '{', '^', ':', '+', '=', '~', '!', '*',
                                        '@' - 1, 'Z' + 1, 0x7F, 0x80, 0xC1, 0xDA, 0xE1, 0xFA,
                                        0x01, 0x1A};
    sw_received_hop h;
    for (size_t len = 1; len < sizeof base - 1; len++) {
        unsigned char last = (unsigned char)((unsigned char)base[len - 1] | 0x20);
        if (last < 'a' || last > 'z')
            continue; /* a name ending in '.' loses it (the root dot) */
        for (size_t pos = 0; pos + 1 < len; pos++) { /* the last byte stays a letter */
            char name[sizeof base], v[256];
            for (size_t g = 0; g <= sizeof bad; g++) {
                memcpy(name, base, len);
                name[len] = '\0';
                int is_good = g < sizeof good;
                if (g < sizeof good)
                    name[pos] = (char)good[g];
                else if (g - sizeof good < sizeof bad)
                    name[pos] = (char)bad[g - sizeof good];
                else
                    break;
                snprintf(v, sizeof v, "from h.example (%s [192.0.2.1]) by b", name);
                CHECK(rcv(v, &h) == 0);
                CHECK_STR(h.from_ip, "192.0.2.1");
                if (is_good)
                    CHECK_STR(h.from_rdns, name);
                else
                    CHECK(h.from_rdns == NULL);
            }
        }
    }
}

SW_TEST(received_keeps_raw_and_caller_fields)
{
    const char *v = "from a.example (a.example [192.0.2.1]) by b.example; Tue, 30 Apr 2019 "
                    "02:09:00 +0000";
    sw_received_hop h;
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    /* Not NUL-terminated: the value is followed by more text in the caller's buffer. */
    char buf[256];
    size_t n = strlen(v);
    memcpy(buf, v, n);
    memcpy(buf + n, " TRAILING", 10);
    memset(&h, 0, sizeof h);
    h.offset = 4242;
    h.field_index = 7;
    int rc = sw_received_parse(&a, buf, n, &h);
    int ok = rc == 0 && h.offset == 4242 && h.field_index == 7 && h.raw && strcmp(h.raw, v) == 0 &&
             h.has_time && h.epoch == 1556590140;
    sw_arena_free(&a);
    CHECK(ok);
}

SW_TEST(received_clause_length_is_capped)
{
    size_t big = 5000;
    char *v = malloc(big + 200);
    CHECK(v != NULL);
    memcpy(v, "from ", 5);
    memset(v + 5, 'a', big);
    const char *tail = " (x.example [192.0.2.1]) by b.example; Tue, 30 Apr 2019 02:09:00 +0000";
    memcpy(v + 5 + big, tail, strlen(tail) + 1);
    sw_received_hop h;
    int rc = rcv(v, &h);
    free(v);
    CHECK(rc == 0);
    CHECK(h.from_helo != NULL);
    CHECK(strlen(h.from_helo) == 1024);
    CHECK_STR(h.from_ip, "192.0.2.1");
    CHECK(h.epoch == 1556590140);
}

SW_TEST(received_cap_respects_utf8)
{
    /* 1023 ASCII bytes then a two-byte character: the cut must not split it. */
    char v[1100];
    memcpy(v, "from ", 5);
    memset(v + 5, 'a', 1023);
    memcpy(v + 5 + 1023, "\xc3\xa9\xc3\xa9 by b.example", 18);
    sw_received_hop h;
    CHECK(rcv_n(v, 5 + 1023 + 17, &h) == 0);
    CHECK(strlen(h.from_helo) == 1023);
    CHECK_STR(h.by, "b.example");
}

SW_TEST(received_hostile_inputs)
{
    static const char *const cases[] = {
        "",
        ";",
        ";;;;",
        "(",
        ")",
        "((((((((",
        "))))))) from",
        "from",
        "from (",
        "from a (\\",
        "from a (b [",
        "from a (b [1.2.3.4",
        "from a ([IPv6:]) by",
        "from [",
        "from []",
        "from [IPv6:",
        "for <",
        "for <>",
        "for >",
        "from a (HELO",
        "from a (helo=",
        "\"from a (b [1.2.3.4]) by c; Tue, 30 Apr 2019 02:09:00 +0000",
        "from a ( unknown [ 1.2.3.4 ] ) by b",
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sw_received_hop h;
        CHECK(rcv(cases[k], &h) == 0);
        CHECK_STR(h.raw, cases[k]);
    }
    sw_received_hop h;
    /* Only ';': the date part is empty. */
    CHECK(rcv(";", &h) == 0);
    CHECK(h.flags == SW_RCV_NO_DATE);
    /* Embedded NUL bytes separate words and never reach an output string. */
    const char nul[] = "from a\0b (c [192.0.2.1]) by d\0e; Tue, 30 Apr 2019 02:09:00 +0000";
    CHECK(rcv_n(nul, sizeof nul - 1, &h) == 0);
    CHECK_STR(h.from_helo, "a");
    CHECK_STR(h.by, "d");
    CHECK_STR(h.from_ip, "192.0.2.1");
    CHECK(h.epoch == 1556590140);
}

SW_TEST(received_deep_nesting)
{
    /* 200 000 nested comments: no recursion, no crash, and the date is still found. */
    size_t depth = 200000;
    const char *head = "from a.example ";
    const char *tail = " by b.example; Tue, 30 Apr 2019 02:09:00 +0000";
    size_t n = strlen(head) + 2 * depth + strlen(tail);
    char *v = malloc(n);
    CHECK(v != NULL);
    size_t p = 0;
    memcpy(v + p, head, strlen(head));
    p += strlen(head);
    memset(v + p, '(', depth);
    p += depth;
    memset(v + p, ')', depth);
    p += depth;
    memcpy(v + p, tail, strlen(tail));
    sw_received_hop h;
    int rc = rcv_n(v, n, &h);
    free(v);
    CHECK(rc == 0);
    CHECK_STR(h.from_helo, "a.example");
    CHECK_STR(h.by, "b.example");
    CHECK(h.epoch == 1556590140);
}

SW_TEST(received_arena_exhaustion)
{
    sw_arena a;
    sw_arena_init(&a, 16); /* too small for even the raw copy */
    sw_received_hop h;
    memset(&h, 0, sizeof h);
    const char *v = "from a.example by b.example; Tue, 30 Apr 2019 02:09:00 +0000";
    int rc = sw_received_parse(&a, v, strlen(v), &h);
    sw_arena_free(&a);
    CHECK(rc == SW_ENOMEM);
}

/* ---- sw_ip_is_private ------------------------------------------------------------------- */

SW_TEST(ip_is_private_ranges)
{
    static const struct {
        const char *ip;
        int want;
    } t[] = {
        {"10.0.0.1", 1},
        {"10.255.255.255", 1},
        {"9.255.255.255", 0},
        {"172.15.255.255", 0},
        {"172.16.0.1", 1},
        {"172.31.255.255", 1},
        {"172.32.0.1", 0},
        {"192.168.1.1", 1},
        {"192.169.0.1", 0},
        {"127.0.0.1", 1},
        {"127.255.0.9", 1},
        {"169.254.10.1", 1},
        {"169.253.0.1", 0},
        {"100.64.0.1", 1},
        {"100.127.255.255", 1},
        {"100.63.255.255", 0},
        {"100.128.0.1", 0},
        {"0.0.0.0", 1},
        {"0.1.2.3", 1},
        {"8.8.8.8", 0},
        {"192.0.2.1", 0},
        {"209.85.220.41", 0},
        {"255.255.255.255", 1},
        {"::1", 1},
        {"::", 1},
        {"::2", 0},
        {"fc00::1", 1},
        {"fdff:ffff::1", 1},
        {"fe00::1", 0},
        {"fe80::1", 1},
        {"febf::1", 1},
        {"2001:db8::1", 0},
        {"2603:10a6:208:1::1", 0},
        {"::ffff:10.0.0.1", 1},
        {"::ffff:192.168.0.1", 1},
        {"::ffff:8.8.8.8", 0},
        {"[10.0.0.1]", 1},
        {"[IPv6:fe80::1]", 1},
        {"fe80::1%eth0", 1},
        {"not-an-ip", 0},
        {"", 0},
        {"10.0.0", 0},
        {"10.0.0.1.5", 0},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        if (sw_ip_is_private(t[k].ip) != t[k].want) {
            sw_test_fail(__FILE__, __LINE__, t[k].ip);
            return;
        }
    }
    CHECK(sw_ip_is_private(NULL) == 0);
}

/* The stable variant points into the value instead of copying: same hop either way. */
SW_TEST(received_stable_variant_gives_the_same_hop)
{
    static const char *const values[] = {
        ("from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net with ESMTPS"
         " id abc123 for <u@example.net>; Tue, 1 Dec 2026 14:24:30 +0000"), /* one value */
        "from x by y; Tue, 1 Dec 2026 14:24:30 +0000 (UTC)",
        "by mx.example.net with LMTP; garbage date",
        "from a by b",
        "from a by b;   ",
        "",
    };
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        size_t n = strlen(values[i]);
        sw_received_hop h1, h2;
        memset(&h1, 0, sizeof h1);
        memset(&h2, 0, sizeof h2);
        CHECK(sw_received_parse(&a, values[i], n, &h1) == 0);
        CHECK(sw_received_parse_stable(&a, values[i], n, &h2) == 0);
        CHECK(h2.raw == values[i]);
        CHECK_STR(h2.raw, h1.raw);
        CHECK_STR(h2.from_helo, h1.from_helo);
        CHECK_STR(h2.from_rdns, h1.from_rdns);
        CHECK_STR(h2.from_ip, h1.from_ip);
        CHECK_STR(h2.by, h1.by);
        CHECK_STR(h2.via, h1.via);
        CHECK_STR(h2.with, h1.with);
        CHECK_STR(h2.id, h1.id);
        CHECK_STR(h2.for_addr, h1.for_addr);
        CHECK_STR(h2.date, h1.date);
        CHECK(h2.flags == h1.flags && h2.has_time == h1.has_time && h2.epoch == h1.epoch &&
              h2.tz_offset_min == h1.tz_offset_min);
    }
    /* a date longer than the clause cap is still cut as before */
    char big[3000];
    int m = snprintf(big, sizeof big, "from a by b; ");
    memset(big + m, 'x', sizeof big - (size_t)m - 1);
    big[sizeof big - 1] = '\0';
    sw_received_hop h1, h2;
    memset(&h1, 0, sizeof h1);
    memset(&h2, 0, sizeof h2);
    CHECK(sw_received_parse(&a, big, strlen(big), &h1) == 0);
    CHECK(sw_received_parse_stable(&a, big, strlen(big), &h2) == 0);
    CHECK(strlen(h2.date) == 1024);
    CHECK_STR(h2.date, h1.date);
    sw_arena_free(&a);
}

/* sw_ip6_text must write what glibc's inet_ntop writes (from_ip is output and compared
 * downstream): every pattern of zero and non-zero groups, each with small, 0xffff and
 * random values, the embedded-IPv4 shapes, and random addresses. */
static int ip6_same(const unsigned char bin[16])
{
    char want[INET6_ADDRSTRLEN], got[SW_IP6_TEXT_MAX];
    if (!inet_ntop(AF_INET6, bin, want, sizeof want))
        return 0;
    sw_ip6_text(bin, got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "sw_ip6_text: got %s, inet_ntop %s\n", got, want);
        return 0;
    }
    return 1;
}

SW_TEST(received_ip6_text_matches_inet_ntop)
{
    static const unsigned vals[] = {1, 0xf, 0x10, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0xabcd};
    unsigned char bin[16];
    uint32_t seed = 12345;
    for (unsigned mask = 0; mask < 256; mask++) {
        for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
            for (int g = 0; g < 8; g++) {
                unsigned w = 0;
                if (mask & (1u << g)) {
                    seed = seed * 1103515245u + 12345u;
                    w = v + 1 < sizeof vals / sizeof vals[0] ? vals[(v + (size_t)g) % 9]
                                                             : (seed >> 8 & 0xffff) | 1;
                }
                bin[2 * g] = (unsigned char)(w >> 8);
                bin[2 * g + 1] = (unsigned char)w;
            }
            CHECK(ip6_same(bin));
            /* the ::ffff:a.b.c.d shape: group 5 is ffff */
            bin[10] = bin[11] = 0xff;
            CHECK(ip6_same(bin));
        }
    }
    /* embedded IPv4 with zero and small octets */
    for (unsigned k = 0; k < 4096; k++) {
        memset(bin, 0, sizeof bin);
        if (k & 1)
            bin[10] = bin[11] = 0xff;
        bin[12] = (unsigned char)(k >> 1 & 7) * 37;
        bin[13] = (unsigned char)((k >> 4 & 7) * 9);
        bin[14] = (unsigned char)(k >> 7 & 3);
        bin[15] = (unsigned char)((k >> 9) * 31);
        CHECK(ip6_same(bin));
    }
    /* random addresses, dense and with zero bytes likely */
    for (int r = 0; r < 200000; r++) {
        for (int i = 0; i < 16; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned x = seed >> 16;
            bin[i] = (unsigned char)(r & 1 ? x : (x & 3) == 0 ? x >> 2 : 0);
        }
        CHECK(ip6_same(bin));
    }
}

/* The IPv6 reader must accept exactly what glibc's inet_pton accepts: a bare address in a
 * from comment becomes from_ip only when it reads, so from_ip is compared with what
 * inet_pton and inet_ntop make of the same text, over mutations of typical shapes. */
SW_TEST(received_ip6_reader_matches_inet_pton)
{
    static const char *const seeds[] = {"::",
                                        "::1",
                                        "1::",
                                        "2603:10a6:208:1::1",
                                        "::ffff:1.2.3.4",
                                        "1:2:3:4:5:6:7:8",
                                        "1:2:3:4:5:6:1.2.3.4",
                                        "a:b:c:d:e:f:a:b",
                                        "abcd::",
                                        "1::2::3",
                                        "1:2:3:4:5:6:7::",
                                        "::1:2:3:4:5:6:7",
                                        "fe80::1:0:0:1",
                                        "0:0:0:0:0:0:0:0"};
    static const char alphabet[] = "0123456789abcdefABCDEF::..g";
    uint32_t seed = 777;
    char text[64], value[128];
    for (int r = 0; r < 100000; r++) {
        seed = seed * 1103515245u + 12345u;
        const char *sd = seeds[(seed >> 8) % (sizeof seeds / sizeof seeds[0])];
        size_t n = strlen(sd);
        memcpy(text, sd, n);
        for (int m = (int)(seed >> 20 & 3); m > 0; m--) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % (n + 1);
            char ch = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
            if ((seed & 3) == 0 && pos < n)
                text[pos] = ch;
            else if ((seed & 3) == 1 && n < 48) {
                memmove(text + pos + 1, text + pos, n - pos);
                text[pos] = ch;
                n++;
            } else if (pos < n) {
                memmove(text + pos, text + pos + 1, n - pos - 1);
                n--;
            }
        }
        text[n] = '\0';
        unsigned char bin[16];
        char want[INET6_ADDRSTRLEN];
        int ok = strchr(text, ':') && inet_pton(AF_INET6, text, bin) == 1 &&
                 inet_ntop(AF_INET6, bin, want, sizeof want);
        snprintf(value, sizeof value, "from h.example (%s) by mx.example; Tue, 30 Apr 2019", text);
        sw_received_hop h;
        CHECK(rcv(value, &h) == 0);
        if (ok ? !h.from_ip || strcmp(h.from_ip, want) != 0 : h.from_ip && strchr(h.from_ip, ':')) {
            sw_test_fail(__FILE__, __LINE__, text);
            return;
        }
    }
}

/* The dotted-quad reader must accept exactly what inet_pton(AF_INET) accepts, at every
 * length (it reads from a zero-padded copy of 7 to 15 bytes): compared through from_ip,
 * bracketed and bare, over mutations of typical shapes. */
SW_TEST(received_ip4_reader_matches_inet_pton)
{
    static const char *const seeds[] = {"1.2.3.4",         "0.0.0.0",     "255.255.255.255",
                                        "10.0.0.1",        "192.168.1.20", "198.51.112.51",
                                        "100.200.250.199", "9.99.199.255"};
    static const char alphabet[] = "0123456789...a";
    uint32_t seed = 4242;
    char text[64], value[160];
    for (int r = 0; r < 100000; r++) {
        seed = seed * 1103515245u + 12345u;
        const char *sd = seeds[(seed >> 8) % (sizeof seeds / sizeof seeds[0])];
        size_t n = strlen(sd);
        memcpy(text, sd, n);
        for (int m = (int)(seed >> 20 & 3); m > 0; m--) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % (n + 1);
            char ch = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
            if ((seed & 3) == 0 && pos < n)
                text[pos] = ch;
            else if ((seed & 3) == 1 && n < 20) {
                memmove(text + pos + 1, text + pos, n - pos);
                text[pos] = ch;
                n++;
            } else if (pos < n) {
                memmove(text + pos, text + pos + 1, n - pos - 1);
                n--;
            }
        }
        text[n] = '\0';
        unsigned char bin[4];
        int ok = inet_pton(AF_INET, text, bin) == 1;
        for (int form = 0; form < 2; form++) {
            snprintf(value, sizeof value,
                     form ? "from h.example (%s) by mx.example; Tue, 30 Apr 2019"
                          : "from h.example (h.example [%s]) by mx.example; Tue, 30 Apr 2019",
                     text);
            sw_received_hop h;
            CHECK(rcv(value, &h) == 0);
            if (ok ? !h.from_ip || strcmp(h.from_ip, text) != 0 : h.from_ip != NULL) {
                sw_test_fail(__FILE__, __LINE__, text);
                return;
            }
        }
    }
}

/* From-comment words are searched for '@', '[' and ':' 16 bytes at a time, up to 32 bytes,
 * with the last 16 bytes of the value standing in near its end: users, names and ports of
 * every length across those sizes, the comment last in the value (no date) or not. */
SW_TEST(received_from_comment_word_lengths)
{
    char user[48], name[48], value[256];
    for (size_t un = 0; un <= 40; un++) {
        for (size_t nn = 3; nn <= 40; nn += 1) {
            memset(user, 'u', un);
            user[un] = '\0';
            memset(name, 'n', nn);
            memcpy(name + nn - 3, ".ex", 3);
            name[nn] = '\0';
            for (int form = 0; form < 4; form++) {
                const char *tail = form & 1 ? "" : " by mx.example; Tue, 30 Apr 2019";
                if (form < 2)
                    snprintf(value, sizeof value, "from h (%s%s%s [192.0.2.7])%s", user,
                             un ? "@" : "", name, tail);
                else
                    snprintf(value, sizeof value, "from h (%s%s192.0.2.7:25)%s", user,
                             un ? "@" : "", tail);
                sw_received_hop h;
                CHECK(rcv(value, &h) == 0);
                int ok = h.from_ip && strcmp(h.from_ip, "192.0.2.7") == 0;
                if (form < 2)
                    ok = ok && h.from_rdns && strcmp(h.from_rdns, name) == 0;
                if (!ok) {
                    sw_test_fail(__FILE__, __LINE__, value);
                    return;
                }
            }
        }
    }
    /* "[" before the last '@' is the user's; a second ':' is no port */
    sw_received_hop h;
    CHECK(rcv("from h (a[b@192.0.2.8) by x", &h) == 0);
    CHECK(h.from_ip && strcmp(h.from_ip, "192.0.2.8") == 0);
    CHECK(rcv("from h (192.0.2.8:25:1) by x", &h) == 0);
    CHECK(h.from_ip == NULL);
    CHECK(rcv("from h (uuuuuuuuuuuuuuuuuuuuuuuuuuuuuu@[192.0.2.9]) by x", &h) == 0);
    CHECK(h.from_ip && strcmp(h.from_ip, "192.0.2.9") == 0);
}

/* IPv6 text already in inet_ntop's form is copied, any other is written from the binary:
 * the cases on either side of that test. */
SW_TEST(received_ip6_canonical_copy)
{
    static const char *const cases[] = {
        "2603:10a6:208:1::1", "2603:10A6:208:1::1", "2603:010a6:208:1::1", "2603:0a6:208:1::1",
        "1:0:0:2::3",         "1::2:0:0:3",         "1:0::2",              "1::0:2",
        "1::2:3:4:5:6:7",     "1:2:3:4:5:6:7:0",    "1:2:3:4:5:6:0:0",     "1:2:3:4:5:6::",
        "::ffff:102:304",     "::102:304",          "::1",                 "::",
        "0::1",               "::ffff:1.2.3.4",     "1:0:0:2:0:0:0:3",     "1::2:0:0:0:3",
        "fe80::1:0:0:1",      "0:0:1::",            "::1:0:0:0:0:0:0",     "1:0:0::",
        "::2:0:0:1",          "0:0:0:0:0:1::",      "::0.0.0.1",           "abcd:ef::",
    };
    char value[160];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        unsigned char bin[16];
        char want[INET6_ADDRSTRLEN];
        int ok = inet_pton(AF_INET6, cases[k], bin) == 1 &&
                 inet_ntop(AF_INET6, bin, want, sizeof want);
        snprintf(value, sizeof value, "from h.example (%s) by mx.example; Tue, 30 Apr 2019",
                 cases[k]);
        sw_received_hop h;
        CHECK(rcv(value, &h) == 0);
        if (ok ? !h.from_ip || strcmp(h.from_ip, want) != 0 : h.from_ip != NULL) {
            sw_test_fail(__FILE__, __LINE__, cases[k]);
            return;
        }
    }
}

/* The zone after the fixed shape is read by position when it is " +hhmm": a second space
 * before it sends it to the general reader, and both must agree on every zone text. */
SW_TEST(datetime_fixed_zone_matches_general)
{
    static const char *const zones[] = {
        "+0000", "-0000", "+0130", "-0800", "+2359", "+2400", "-0060", "+1260", "+12345",
        "+123",  "+12",   "+01:00", "+0100 (CET)", "+0100x", "+010a", "-", "+", "+ 0100",
        "GMT",   "+0a00", "+:000", "+0100\t", "+9999", "-2300", "+0/00", "+00:0",
    };
    static const char alphabet[] = "0123456789+-: (a";
    uint32_t seed = 99;
    char zone[32], fast[96], slow[96];
    for (int r = 0; r < 20000; r++) {
        seed = seed * 1103515245u + 12345u;
        const char *z = zones[(seed >> 8) % (sizeof zones / sizeof zones[0])];
        size_t n = strlen(z);
        memcpy(zone, z, n);
        if (r >= (int)(sizeof zones / sizeof zones[0]) && n) {
            seed = seed * 1103515245u + 12345u;
            zone[(seed >> 8) % n] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        zone[n] = '\0';
        snprintf(fast, sizeof fast, "Tue, 30 Apr 2019 23:59:58 %s", zone);
        snprintf(slow, sizeof slow, "Tue, 30 Apr 2019 23:59:58  %s", zone);
        int64_t e1 = 0, e2 = 0;
        int o1 = 0, o2 = 0;
        int r1 = dt(fast, &e1, &o1), r2 = dt(slow, &e2, &o2);
        if (r1 != r2 || (r1 == 0 && (e1 != e2 || o1 != o2))) {
            sw_test_fail(__FILE__, __LINE__, fast);
            return;
        }
    }
    int64_t e;
    int off;
    CHECK(dt("Tue, 30 Apr 2019 23:59:58 -0130", &e, &off) == 0 && off == -90 &&
          e == 1556668798 + 90 * 60);
    CHECK(dt("Tue, 30 Apr 2019 23:59:58 +2400", &e, &off) == SW_EFORMAT);
}

/* The general forms of the civil-calendar conversions (as datetime.c has them for the days
 * outside its 32-bit fast paths), to compare the fast paths with. */
static int64_t ref_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t mm = m, dd = d;
    y -= mm <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mm > 2 ? mm - 3 : mm + 9) + 2) / 5 + dd - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void ref_civil_from_days(int64_t z, long long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = (long long)(yoe + era * 400 + (*m <= 2));
}

static void ref_format_day(int64_t day, unsigned sec, char out[64])
{
    long long y;
    unsigned m, d;
    ref_civil_from_days(day, &y, &m, &d);
    snprintf(out, 64, "%04lld-%02u-%02uT%02u:%02u:%02uZ", y, m, d, sec / 3600, sec / 60 % 60,
             sec % 60);
}

/* sw_datetime_format_utc's 32-bit day split: every day from year -200 to 11000, and the days
 * around the end of its range (z = 2^30 days after 0000-03-01), against the general form. */
SW_TEST(datetime_format_fast_path_every_day)
{
    char out[32], want[64];
    int bad = 0;
    for (int64_t day = -800000; day <= 3300000 && bad < 5; day++) {
        unsigned sec = (unsigned)(day * 7919 % 86400 + 86400) % 86400;
        sw_datetime_format_utc(day * 86400 + sec, out);
        ref_format_day(day, sec, want);
        if (strcmp(out, want)) {
            bad++;
            CHECK_STR(out, want);
        }
    }
    const int64_t edge = ((int64_t)1 << 30) - 719468;
    for (int64_t day = edge - 3000; day <= edge + 3000; day++) {
        sw_datetime_format_utc(day * 86400 + 59, out);
        ref_format_day(day, 59, want);
        CHECK_STR(out, want);
    }
    for (int64_t day = -719468 - 3000; day <= -719468 + 3000; day++) {
        sw_datetime_format_utc(day * 86400 + 86399, out);
        ref_format_day(day, 86399, want);
        CHECK_STR(out, want);
    }
    CHECK(!bad);
}

/* sw_days_from_civil's 32-bit path against the general form, at its edges (years 1 and a
 * million, month and day 0 and past the end) and for every day of years -500 to 12000. */
SW_TEST(datetime_days_from_civil_fast_path)
{
    int bad = 0;
    static const int64_t years[] = {-400, -1, 0, 1, 2, 3, 4, 99, 100, 399, 400, 401,
                                    1969, 1970, 2000, 2100, 9999, 10000, 999999, 1000000,
                                    1000001, 4000000};
    for (size_t k = 0; k < sizeof years / sizeof years[0]; k++)
        for (unsigned m = 0; m <= 14; m++)
            for (unsigned d = 0; d <= 33; d++)
                if (sw_days_from_civil(years[k], m, d) != ref_days_from_civil(years[k], m, d))
                    bad++;
    CHECK(sw_days_from_civil(2024, 0xFFFFFFFFu, 1) == ref_days_from_civil(2024, 0xFFFFFFFFu, 1));
    CHECK(sw_days_from_civil(2024, 3, 0xFFFFFFFFu) == ref_days_from_civil(2024, 3, 0xFFFFFFFFu));
    for (int64_t y = -500; y <= 12000; y++)
        for (unsigned m = 1; m <= 12; m++)
            for (unsigned d = 1; d <= 31; d++)
                if (sw_days_from_civil(y, m, d) != ref_days_from_civil(y, m, d))
                    bad++;
    CHECK(bad == 0);
}

/* The fixed-shape reader turns each two-digit field and the year into numbers by byte
 * arithmetic: every hour, minute and second, and years 1000-9999, read back exactly. */
SW_TEST(datetime_fixed_shape_every_field_value)
{
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    int64_t e;
    int off;
    int bad = 0;
    for (unsigned t = 0; t < 86400; t += 1) {
        unsigned h = t / 3600, mi = t / 60 % 60, s = t % 60;
        snprintf(buf, sizeof buf, "Wed, 7 Mar 2012 %02u:%02u:%02u +0000", h, mi, s);
        if (dt(buf, &e, &off) != 0 || e != ref_days_from_civil(2012, 3, 7) * 86400 + t)
            bad++;
    }
    /* second 60 (a leap second) is accepted as the general reader accepts it */
    CHECK(dt("Wed, 7 Mar 2012 23:59:60 +0000", &e, &off) == 0);
    CHECK(e == ref_days_from_civil(2012, 3, 8) * 86400);
    CHECK(dt("Wed, 7 Mar 2012 24:00:00 +0000", &e, &off) == SW_EFORMAT);
    CHECK(dt("Wed, 7 Mar 2012 23:60:00 +0000", &e, &off) == SW_EFORMAT);
    CHECK(dt("Wed, 7 Mar 2012 99:99:99 +0000", &e, &off) == SW_EFORMAT);
    for (unsigned y = 1000; y <= 9999; y++)
        for (unsigned m = 0; m < 12; m += 5) {
            unsigned d = 1 + y % 28;
            snprintf(buf, sizeof buf, "%u %s %u 09:08:07 -0130", d, mon[m], y);
            if (dt(buf, &e, &off) != 0 ||
                e != ref_days_from_civil(y, m + 1, d) * 86400 + 9 * 3600 + 8 * 60 + 7 + 90 * 60 ||
                off != -90)
                bad++;
        }
    CHECK(bad == 0);
}

/* The clause strings of a hop share one arena block: all eight at once, each at the cap
 * (one cut back at a UTF-8 boundary), each NUL-terminated apart from its neighbours, and an
 * arena that holds the raw copy but not the block. */
SW_TEST(received_clause_strings_in_one_block)
{
    sw_received_hop h;
    CHECK(rcv("from helo.example (user@rdns.example [192.0.2.7] helo=real.example)"
              " by mx.example via Frontend Transport with ESMTPS x id ABC123"
              " for <u@example.net>; Tue, 30 Apr 2019 02:09:00 +0000",
              &h) == 0);
    CHECK_STR(h.from_helo, "real.example");
    CHECK_STR(h.from_rdns, "rdns.example");
    CHECK_STR(h.from_ip, "192.0.2.7");
    CHECK_STR(h.by, "mx.example");
    CHECK_STR(h.via, "Frontend Transport");
    CHECK_STR(h.with, "ESMTPS x");
    CHECK_STR(h.id, "ABC123");
    CHECK_STR(h.for_addr, "u@example.net");
    CHECK(h.epoch == 1556590140);
    /* every clause longer than the cap: each is cut to 1024 bytes, the by clause back to
     * 1023 before a two-byte character */
    size_t big = 1500, cap = 0;
    char *v = malloc(8 * (big + 16) + 100);
    CHECK(v != NULL);
    static const char *const kw[] = {"from ", " by ", " via ", " with ", " id ", " for "};
    for (size_t k = 0; k < 6; k++) {
        memcpy(v + cap, kw[k], strlen(kw[k]));
        cap += strlen(kw[k]);
        memset(v + cap, (int)('a' + k), big);
        if (k == 1)
            memcpy(v + cap + 1023, "\xc3\xa9", 2);
        cap += big;
    }
    memcpy(v + cap, "; Tue, 30 Apr 2019 02:09:00 +0000", 33);
    cap += 33;
    CHECK(rcv_n(v, cap, &h) == 0);
    free(v);
    CHECK(h.from_helo && strlen(h.from_helo) == 1024 && h.from_helo[1023] == 'a');
    CHECK(h.by && strlen(h.by) == 1023 && h.by[1022] == 'b');
    CHECK(h.via && strlen(h.via) == 1024 && h.via[0] == 'c');
    CHECK(h.with && strlen(h.with) == 1024 && h.with[1023] == 'd');
    CHECK(h.id && strlen(h.id) == 1024 && h.id[0] == 'e');
    CHECK(h.for_addr && strlen(h.for_addr) == 1024 && h.for_addr[1023] == 'f');
    CHECK(h.epoch == 1556590140);
    /* room for the raw copy, not for the clauses */
    sw_arena a;
    const char *w = "from a.example by b.example with ESMTP id 1; Tue, 30 Apr 2019 02:09:00 +0000";
    for (size_t room = 64; room < 512; room += 8) {
        sw_arena_init(&a, room);
        memset(&h, 0, sizeof h);
        int rc = sw_received_parse(&a, w, strlen(w), &h);
        CHECK(rc == 0 || rc == SW_ENOMEM);
        if (rc == 0)
            CHECK(h.by && !strcmp(h.by, "b.example") && h.id && !strcmp(h.id, "1"));
        sw_arena_free(&a);
    }
}

/* "[a.b.c.d]" is read without looking for the ']' first: the same addresses as before for
 * a closing bracket, a doubled one, a port, a missing one and non-addresses. */
SW_TEST(received_bracketed_ipv4_shapes)
{
    static const struct {
        const char *lit, *want;
    } t[] = {
        {"[192.0.2.1]", "192.0.2.1"},
        {"[192.0.2.1]]", "192.0.2.1"},
        {"[192.0.2.1]:25", "192.0.2.1"},
        {"[192.0.2.1", "192.0.2.1"},
        {"[255.255.255.255]", "255.255.255.255"},
        {"[0.0.0.0]", "0.0.0.0"},
        {"[192.0.2.1]x]", "192.0.2.1"},
        {"[192.0.2.01]", NULL},
        {"[192.0.2.256]", NULL},
        {"[192.0.2]", NULL},
        {"[192.0.2.1.5]", NULL},
        {"[]", NULL},
        {"[]]", NULL},
        {"[", NULL},
        {"[IPv6:2001:db8::1]", "2001:db8::1"},
        {"[::ffff:192.0.2.1]", "::ffff:192.0.2.1"},
        {"[192.0.2.1%eth0]", "192.0.2.1"},
    };
    char buf[160];
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        snprintf(buf, sizeof buf, "from h.example (r.example %s) by mx.example; "
                 "Tue, 30 Apr 2019 02:09:00 +0000", t[k].lit);
        sw_received_hop h;
        CHECK(rcv(buf, &h) == 0);
        if (t[k].want ? !h.from_ip || strcmp(h.from_ip, t[k].want) : h.from_ip != NULL)
            sw_test_fail(__FILE__, __LINE__, t[k].lit);
    }
}
