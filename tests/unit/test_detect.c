/* Unit tests: detection. Every signal and every suppressor on a project-written message,
 * the trust rules, and the combination rules of the verdict. */
#include "test.h"
#include "spoofwatch/detect.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/idn.h"
#include "spoofwatch/lookalike.h"
#include "spoofwatch/orgdomain.h"
#include "../../src/detect/internal.h" /* sw_det_domain_of */

#include <stdio.h>
#include <time.h>

static sw_arena A;
static sw_record R;
static sw_assessment AS;

/* A message as the receiver mx.victim.example delivered it. */
static char *mail(const char *return_path, const char *authres, const char *headers)
{
    static char buf[8192];
    snprintf(buf, sizeof buf,
             "Return-Path: <%s>\n"
             "Received: from mta.sender.example (mta.sender.example [192.0.2.10])\n"
             "\tby mx.victim.example with ESMTPS id 4711; Mon, 1 Jan 2024 10:00:05 +0000\n"
             "Authentication-Results: mx.victim.example; %s\n"
             "%s"
             "To: ann@victim.example\n"
             "Subject: test\n"
             "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
             "\n"
             "body\n",
             return_path, authres, headers);
    return buf;
}

static const sw_assessment *run_cfg(const char *msg, sw_config *cfg)
{
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_source src = {.path = "t.eml", .format = "eml", .index = -1};
    sw_record_from_mail(&A, msg, strlen(msg), &src, &R, NULL);
    sw_detector d;
    sw_error err;
    if (sw_detector_init(&d, cfg, &err))
        return NULL;
    sw_detect(&d, &A, &R, &AS);
    sw_detector_close(&d);
    return &AS;
}

static sw_config CFG;

static const sw_assessment *run(const char *msg)
{
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    return run_cfg(msg, &CFG);
}

static const sw_signal *sig(const sw_assessment *as, const char *id)
{
    for (size_t i = 0; as && i < as->nsignals; i++)
        if (!strcmp(as->signals[i].id, id))
            return &as->signals[i];
    return NULL;
}

static int counts(const sw_assessment *as, const char *id)
{
    const sw_signal *s = sig(as, id);
    return s && !s->suppressed_by && s->weight > 0;
}

static const sw_suppressor *supp(const sw_assessment *as, const char *id)
{
    for (size_t i = 0; as && i < as->nsuppressors; i++)
        if (!strcmp(as->suppressors[i].id, id))
            return &as->suppressors[i];
    return NULL;
}

#define GOOD_AR                                                                                    \
    "spf=pass smtp.mailfrom=bank.example; dkim=pass header.d=bank.example; "                       \
    "dmarc=pass header.from=bank.example"

SW_TEST(detect_clean_aligned_mail_passes)
{
    const sw_assessment *as = run(mail("bounce@bank.example", GOOD_AR,
                                       "From: Bank <news@bank.example>\n"
                                       "Message-ID: <1@bank.example>\n"));
    CHECK(as);
    CHECK(as->verdict == SW_VERDICT_PASS);
    CHECK(as->score == 0);
    CHECK(as->spf_aligned && as->dkim_aligned);
    CHECK_STR(as->trusted_authserv_id, "mx.victim.example");
}

SW_TEST(detect_dmarc_fail_enforced_with_corroboration_is_spoofed)
{
    const sw_assessment *as =
        run(mail("x@evil.example",
                 "spf=pass smtp.mailfrom=evil.example; dkim=none; dmarc=fail (p=REJECT sp=REJECT "
                 "dis=REJECT) header.from=bank.example",
                 "From: Bank <security@bank.example>\nMessage-ID: <2@evil.example>\n"));
    CHECK(counts(as, "dmarc_fail"));
    CHECK(strstr(sig(as, "dmarc_fail")->evidence, "p=reject") != NULL);
    CHECK(counts(as, "from_not_aligned"));
    CHECK(counts(as, "return_path_mismatch"));
    CHECK(as->verdict == SW_VERDICT_SPOOFED);
    CHECK_STR(as->dmarc_policy, "reject");
}

SW_TEST(detect_dmarc_policy_none_and_sampled_out_are_distinct)
{
    const sw_assessment *as = run(mail("x@bank.example",
                                       "spf=fail smtp.mailfrom=bank.example; dmarc=fail (p=NONE "
                                       "sp=NONE dis=NONE) header.from=bank.example",
                                       "From: <a@bank.example>\n"));
    CHECK(counts(as, "dmarc_fail_policy_none"));
    CHECK(!sig(as, "dmarc_fail"));
    as = run(mail("x@bank.example",
                  "spf=fail smtp.mailfrom=bank.example; dmarc=fail action=pct.quarantine "
                  "header.from=bank.example",
                  "From: <a@bank.example>\n"));
    CHECK(counts(as, "dmarc_fail_sampled_out"));
    as = run(mail("x@bank.example", "dmarc=temperror header.from=bank.example",
                  "From: <a@bank.example>\n"));
    CHECK(counts(as, "dmarc_temperror"));
    as = run(mail("x@bank.example", "dmarc=permerror header.from=bank.example",
                  "From: <a@bank.example>\n"));
    CHECK(counts(as, "dmarc_permerror"));
}

SW_TEST(detect_microsoft_compauth_with_reason_meaning)
{
    const char *m =
        "Received: from AM0PR02MB1.eurprd02.prod.outlook.com (2603:10a6:208:1::12) by\n"
        " DB9PR02MB2.eurprd02.prod.outlook.com with HTTPS; Mon, 1 Jan 2024 10:00:07 +0000\n"
        "Authentication-Results: spf=fail (sender IP is 203.0.113.9)\n"
        " smtp.mailfrom=evil.example; dkim=none (message not signed)\n"
        " header.d=none;dmarc=fail action=oreject header.from=bank.example;compauth=fail\n"
        " reason=000\n"
        "Received: from evil.example (203.0.113.9) by\n"
        " AM0PR02MB1.mail.protection.outlook.com (10.0.0.1) with Microsoft SMTP Server;\n"
        " Mon, 1 Jan 2024 10:00:06 +0000\n"
        "Received: from mta.evil.example by evil.example; Mon, 1 Jan 2024 10:00:01 +0000\n"
        "Authentication-Results: evil.example; dmarc=pass header.from=bank.example\n"
        "X-Forefront-Antispam-Report: CIP:203.0.113.9;SFV:SPM;CAT:SPOOF;DIR:INB\n"
        "From: Bank <security@bank.example>\n"
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
        "Message-ID: <3@evil.example>\n\nbody\n";
    const sw_assessment *as = run(m);
    CHECK(counts(as, "compauth_fail"));
    CHECK(strstr(sig(as, "compauth_fail")->evidence, "explicit") != NULL);
    CHECK(counts(as, "dmarc_fail"));
    CHECK(counts(as, "microsoft_spoof_verdict"));
    /* the attacker's own A-R further down claims dmarc=pass */
    CHECK(counts(as, "untrusted_authres_pass"));
    CHECK_STR(as->trusted_authserv_id, "");
    CHECK(as->trusted_headers == 1);
    CHECK(as->verdict == SW_VERDICT_SPOOFED);
}

SW_TEST(detect_spf_and_dkim_results)
{
    const sw_assessment *as = run(mail("a@other.example",
                                       "spf=fail smtp.mailfrom=other.example; dkim=fail (bad "
                                       "signature) header.d=other.example",
                                       "From: <a@other.example>\n"));
    CHECK(counts(as, "spf_fail"));
    CHECK(counts(as, "dkim_fail"));
    as = run(mail("a@other.example", "spf=softfail smtp.mailfrom=other.example",
                  "From: <a@other.example>\n"));
    CHECK(counts(as, "spf_softfail"));
    as = run(mail("a@other.example",
                  "spf=temperror smtp.mailfrom=other.example; dkim=temperror "
                  "header.d=other.example",
                  "From: <a@other.example>\n"));
    CHECK(counts(as, "spf_temperror"));
    CHECK(counts(as, "dkim_temperror"));
    as = run(mail("a@other.example", "spf=permerror smtp.mailfrom=other.example",
                  "From: <a@other.example>\n"));
    CHECK(counts(as, "spf_permerror"));
}

SW_TEST(detect_single_weak_indicator_never_spoofed)
{
    /* SPF softfail for the From domain alone: weak, not spoofed */
    const sw_assessment *as = run(mail("a@bank.example",
                                       "spf=softfail smtp.mailfrom=bank.example; dkim=pass "
                                       "header.d=bank.example; dmarc=pass header.from=bank.example",
                                       "From: <a@bank.example>\n"));
    CHECK(as->verdict == SW_VERDICT_PASS);
    /* a huge weight on one signal still needs a second one to make spoofed */
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    sw_weight w = {"authres_from_mismatch", 500};
    CFG.weights = &w;
    CFG.nweights = 1;
    as = run_cfg(mail("a@bank.example", GOOD_AR, "From: <a@bank.example>\n"), &CFG);
    CHECK(as->verdict == SW_VERDICT_PASS);
    CFG.weights = NULL;
    CFG.nweights = 0;
}

SW_TEST(detect_authres_header_from_mismatch)
{
    const sw_assessment *as = run(mail("a@evil.example",
                                       "spf=pass smtp.mailfrom=evil.example; dmarc=pass "
                                       "header.from=evil.example",
                                       "From: <ceo@bank.example>\n"));
    CHECK(counts(as, "authres_from_mismatch"));
}

SW_TEST(detect_own_domain_unauthenticated)
{
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    const char *own[] = {"victim.example"};
    CFG.protected_domains.items = own;
    CFG.protected_domains.count = 1;
    const sw_assessment *as = run_cfg(mail("a@mailer.example",
                                           "spf=none smtp.mailfrom=mailer.example; dkim=none; "
                                           "dmarc=none header.from=victim.example",
                                           "From: IT <it@victim.example>\n"),
                                      &CFG);
    CHECK(counts(as, "own_domain_unauthenticated"));
    CFG.protected_domains.count = 0;
}

SW_TEST(detect_return_path_rules)
{
    const sw_assessment *as = run(mail("SRS0=abcd=AB=bank.example=a@forwarder.example",
                                       "spf=pass smtp.mailfrom=forwarder.example; dkim=pass "
                                       "header.d=bank.example; dmarc=pass header.from=bank.example",
                                       "From: <a@bank.example>\n"));
    CHECK(!sig(as, "return_path_mismatch")); /* SRS is a bounce scheme */
    as = run(mail("bounce@bounces.bank.example", GOOD_AR, "From: <a@bank.example>\n"));
    CHECK(!sig(as, "return_path_mismatch")); /* same organizational domain */
    as = run(mail("x@esp.example", GOOD_AR, "From: <a@bank.example>\n"));
    CHECK(counts(as, "return_path_mismatch"));
    CHECK(as->verdict == SW_VERDICT_PASS); /* alone it is weak */
}

/* Every bounce scheme in either case, and addresses that start like one but are not. */
SW_TEST(detect_bounce_schemes)
{
    static const struct {
        const char *rp;
        int bounce;
    } cases[] = {
        {"SRS0=abcd=AB=bank.example=a@fwd.example", 1}, {"srs1=x=fwd2=abcd=AB=b=a@fwd.example", 1},
        {"prvs=1234abcd=a@fwd.example", 1},            {"PRVS=1234abcd=a@fwd.example", 1},
        {"msprvs1=abc=a@fwd.example", 1},              {"BTV1==abc==a@fwd.example", 1},
        {"a+caf_=b=bank.example@fwd.example", 1},      {"srs2=x@fwd.example", 0},
        {"prv=1@fwd.example", 0},                      {"msprvs2=x@fwd.example", 0},
        {"btv1=x@fwd.example", 0},                     {"zed@fwd.example", 0},
        {"s@fwd.example", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sw_assessment *as = run(mail(cases[i].rp, GOOD_AR, "From: <a@bank.example>\n"));
        CHECK(as && (!sig(as, "return_path_mismatch")) == cases[i].bounce);
    }
}

/* The default lists carry their entries' lengths; a list built elsewhere does not. Both
 * must answer alike: whole names and subdomains, any case, nothing else. */
SW_TEST(detect_strlist_has_domain)
{
    sw_config c;
    sw_config_defaults(&c);
    CHECK(sw_strlist_has_domain(&c.freemail_domains, "gmail.com"));
    CHECK(sw_strlist_has_domain(&c.freemail_domains, "GMail.COM"));
    CHECK(sw_strlist_has_domain(&c.freemail_domains, "eu.free.fr"));
    CHECK(sw_strlist_has_domain(&c.freemail_domains, "yahoo.co.uk"));
    CHECK(!sw_strlist_has_domain(&c.freemail_domains, "notgmail.com"));
    CHECK(!sw_strlist_has_domain(&c.freemail_domains, "gmail.co"));
    CHECK(!sw_strlist_has_domain(&c.freemail_domains, "com"));
    CHECK(!sw_strlist_has_domain(&c.freemail_domains, ""));
    CHECK(!sw_strlist_has_domain(&c.freemail_domains, NULL));
    CHECK(sw_strlist_has_domain(&c.brand_domains, "irs.gov"));
    CHECK(sw_strlist_has_domain(&c.brand_domains, "www.PayPal.com"));
    CHECK(!sw_strlist_has_domain(&c.brand_domains, "paypal.com.evil.example"));
    /* the last entry of each default list, and a shortened list (as a loader might leave) */
    CHECK(sw_strlist_has_domain(&c.freemail_domains, "free.fr"));
    sw_strlist shorter = {c.freemail_domains.items, 1};
    CHECK(sw_strlist_has_domain(&shorter, "gmail.com"));
    CHECK(!sw_strlist_has_domain(&shorter, "free.fr"));
    const char *own[] = {"Corp.Example", "x", ""};
    sw_strlist l = {own, 3};
    CHECK(sw_strlist_has_domain(&l, "corp.example"));
    CHECK(sw_strlist_has_domain(&l, "mail.CORP.example"));
    CHECK(sw_strlist_has_domain(&l, "a.x"));
    CHECK(!sw_strlist_has_domain(&l, "ax"));
    /* an empty entry matches the empty name and a name ending in a dot, as it always did */
    CHECK(sw_strlist_has_domain(&l, ""));
    CHECK(sw_strlist_has_domain(&l, "trailing."));
    sw_config_free(&c);
}

/* RFC 6376 §3.5: header.i must be d= or below it; a pass whose i= is elsewhere is not a
 * valid signature. Without d=, i='s domain is the signing domain. */
SW_TEST(detect_dkim_auid_rule)
{
    const sw_assessment *as =
        run(mail("a@bank.example", "dkim=pass header.d=bank.example header.i=@Mail.Bank.Example",
                 "From: <a@bank.example>\n"));
    CHECK(as && as->ndkim_results == 1);
    CHECK(as && as->ndkim_results == 1 && !strcmp(as->dkim_results[0].result, "pass"));
    CHECK(as && as->dkim_aligned);
    as = run(mail("a@bank.example", "dkim=pass header.d=bank.example header.i=@evil.example",
                  "From: <a@bank.example>\n"));
    CHECK(as && as->ndkim_results == 1 && !strcmp(as->dkim_results[0].result, "permerror"));
    CHECK(as && as->ndkim_results == 1 &&
          !strcmp(as->dkim_results[0].detail, "AUID is not in a subdomain of SDID"));
    CHECK(as && !as->dkim_aligned);
    as = run(mail("a@bank.example", "dkim=pass header.d=bank.example header.i=@xbank.example",
                  "From: <a@bank.example>\n"));
    CHECK(as && as->ndkim_results == 1 && !strcmp(as->dkim_results[0].result, "permerror"));
    as = run(mail("a@bank.example", "dkim=pass header.i=@Bank.Example",
                  "From: <a@bank.example>\n"));
    CHECK(as && as->ndkim_results == 1 && !strcmp(as->dkim_results[0].result, "pass"));
    CHECK(as && as->ndkim_results == 1 && as->dkim_results[0].domain &&
          !strcmp(as->dkim_results[0].domain, "bank.example"));
}

SW_TEST(detect_reply_to_rules)
{
    const sw_assessment *as =
        run(mail("a@bank.example", GOOD_AR, "From: <a@bank.example>\nReply-To: <pay@gmail.com>\n"));
    CHECK(counts(as, "reply_to_freemail"));
    as = run(
        mail("a@bank.example", GOOD_AR, "From: <a@bank.example>\nReply-To: <pay@other.example>\n"));
    CHECK(counts(as, "reply_to_mismatch"));
    as = run(mail("a@bank.example", GOOD_AR,
                  "From: <a@bank.example>\nReply-To: <help@support.bank.example>\n"));
    CHECK(!sig(as, "reply_to_mismatch"));
}

SW_TEST(detect_display_name_signals)
{
    const sw_assessment *as = run(mail("a@evil.example", "spf=pass smtp.mailfrom=evil.example",
                                       "From: \"service@paypal.com\" <a@evil.example>\n"));
    CHECK(counts(as, "display_name_address"));
    CHECK(sig(as, "display_name_address")->weight == 40); /* a brand's address */
    as = run(mail("a@evil.example", "spf=pass smtp.mailfrom=evil.example",
                  "From: \"PayPal Service\" <a@evil.example>\n"));
    CHECK(counts(as, "display_name_brand"));
    as = run(mail("a@paypal.com", "spf=pass smtp.mailfrom=paypal.com",
                  "From: \"PayPal Service\" <a@paypal.com>\n"));
    CHECK(!sig(as, "display_name_brand"));
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    const char *vips[] = {"Jane Doe"};
    CFG.vip_names.items = vips;
    CFG.vip_names.count = 1;
    as = run_cfg(mail("a@gmail.com", "spf=pass smtp.mailfrom=gmail.com",
                      "From: \"Jane Doe CEO\" <jane.doe.ceo@gmail.com>\n"),
                 &CFG);
    CHECK(counts(as, "display_name_vip"));
    CFG.vip_names.count = 0;
}

/* The brand a display name names is the first in configuration order, also past the first
 * 64 references (the first-byte index is a bit set per 64). */
SW_TEST(detect_display_name_brand_order)
{
    static char names[70][32];
    static const char *brands[70];
    for (int i = 0; i < 70; i++) {
        snprintf(names[i], sizeof names[i], "brand%02d.example", i);
        brands[i] = names[i];
    }
    brands[66] = "zeta.example"; /* in the second 64, and the name's only brand */
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    CFG.brand_domains.items = brands;
    CFG.brand_domains.count = 70;
    const sw_assessment *as = run_cfg(mail("a@evil.example", "spf=pass smtp.mailfrom=evil.example",
                                           "From: \"Zeta Support\" <a@evil.example>\n"),
                                      &CFG);
    CHECK(sig(as, "display_name_brand") &&
          strstr(sig(as, "display_name_brand")->evidence, "names zeta.example"));
    /* two brands in the name: the earlier reference wins, not the earlier word */
    as = run_cfg(mail("a@evil.example", "spf=pass smtp.mailfrom=evil.example",
                      "From: \"zeta brand07 desk\" <a@evil.example>\n"),
                 &CFG);
    CHECK(sig(as, "display_name_brand") &&
          strstr(sig(as, "display_name_brand")->evidence, "names brand07.example"));
    /* a label only as part of a word is no brand */
    as = run_cfg(mail("a@evil.example", "spf=pass smtp.mailfrom=evil.example",
                      "From: \"Zetas\" <a@evil.example>\n"),
                 &CFG);
    CHECK(!sig(as, "display_name_brand"));
    CFG.brand_domains.count = 0;
}

SW_TEST(detect_parser_ambiguity_signals)
{
    static const struct {
        const char *from_headers, *signal;
    } cases[] = {
        {"From: <a@bank.example>\nFrom: <b@evil.example>\n", "multiple_from_headers"},
        {"From: a@bank.example, b@evil.example\n", "from_multiple_mailboxes"},
        {"From: =?utf-8?B?PGNlb0BiYW5rLmV4YW1wbGU+?= <x@evil.example>\n", "encoded_word_address"},
        {"From: <=?utf-8?Q?ceo?=@bank.example>\n", "encoded_word_in_address"},
        {"From : <ceo@bank.example>\nFrom: <x@evil.example>\n", "malformed_from_header"},
        /* an unrelated malformed name first must not hide the From one */
        {"X-Tag : 1\nFROM : <ceo@bank.example>\nFrom: <x@evil.example>\n", "malformed_from_header"},
        {"To: a@b.example\nFrom\n : <ceo@bank.example>\nFrom: <x@evil.example>\n",
         "malformed_from_header"},
        {"From: \"ceo@bank.example\"@evil.example\n", "quoted_local_part"},
        {"From: <@relay.example:ceo@bank.example>\n", "obsolete_route"},
        {"From: CEO <ceo@bank.example> <x@evil.example>\n", "multiple_angle_addresses"},
        {"From: CEO (ceo@bank.example) <x@evil.example>\n", "comment_address"},
        {"From: <ceo@bank.example@evil.example>\n", "multiple_at"},
        {"From: <ceo@bank.example> extra\n", "text_after_address"},
        {"X-Other: no from at all\n", "no_from"},
    };
    /* too many fields: the ones beyond the cap are never read */
    static char padded[64 * 1024];
    size_t o = 0;
    for (int k = 0; k < SW_MAX_HEADER_FIELDS + 5; k++)
        o += (size_t)snprintf(padded + o, sizeof padded - o, "X-P: %d\n", k);
    snprintf(padded + o, sizeof padded - o, "From: <a@bank.example>\n\nbody\n");
    const sw_assessment *pas = run(padded);
    CHECK(counts(pas, "oversized_header_block"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sw_assessment *as = run(
            mail("x@evil.example", "spf=pass smtp.mailfrom=evil.example", cases[i].from_headers));
        if (!counts(as, cases[i].signal)) {
            printf("    no %s for: %s", cases[i].signal, cases[i].from_headers);
            CHECK(0);
        }
    }
}

SW_TEST(detect_other_author_unauthenticated)
{
    const sw_assessment *as = run(mail("x@evil.example",
                                       "spf=pass smtp.mailfrom=evil.example; dkim=pass "
                                       "header.d=evil.example; dmarc=pass header.from=evil.example",
                                       "From: <x@evil.example>\nFrom: CEO <ceo@bank.example>\n"));
    CHECK(counts(as, "other_author_unauthenticated"));
    CHECK(counts(as, "multiple_from_headers"));
    CHECK(as->verdict == SW_VERDICT_SPOOFED);
}

SW_TEST(detect_provider_and_time_signals)
{
    const sw_assessment *as =
        run(mail("x@gmail.com", "spf=pass smtp.mailfrom=gmail.com",
                 "From: <boss@gmail.com>\nMessage-ID: <1234@evil.example>\n"));
    CHECK(counts(as, "message_id_provider_mismatch"));
    as = run(mail("x@gmail.com", "spf=pass smtp.mailfrom=gmail.com",
                  "From: <boss@gmail.com>\nMessage-ID: <CAF=x@mail.gmail.com>\n"));
    CHECK(!sig(as, "message_id_provider_mismatch"));
    const char *m = "Received: from b by mx.victim.example; Mon, 1 Jan 2024 10:00:00 +0000\n"
                    "Received: from c by b; Mon, 1 Jan 2024 14:00:00 +0000\n"
                    "Authentication-Results: mx.victim.example; spf=pass smtp.mailfrom=a.example\n"
                    "From: <x@a.example>\nDate: Fri, 5 Jan 2024 10:00:00 +0000\n\n";
    as = run(m);
    CHECK(counts(as, "impossible_hop_timing"));
    CHECK(counts(as, "date_received_skew"));
}

SW_TEST(detect_lookalike_domains)
{
    const sw_assessment *as = run(mail("x@paypa1.com",
                                       "spf=pass smtp.mailfrom=paypa1.com; "
                                       "dkim=pass header.d=paypa1.com; dmarc=pass "
                                       "header.from=paypa1.com",
                                       "From: <service@paypa1.com>\n"));
    CHECK(counts(as, "lookalike_domain"));
    CHECK(strstr(sig(as, "lookalike_domain")->evidence, "paypal.com") != NULL);
    CHECK(as->verdict == SW_VERDICT_SUSPICIOUS); /* authenticated, but not who it claims */
    /* Cyrillic а, р, palochka: аррӏе.com */
    as = run(mail("x@xn--80ak6aa92e.com", "spf=pass smtp.mailfrom=xn--80ak6aa92e.com",
                  "From: <id@xn--80ak6aa92e.com>\n"));
    CHECK(counts(as, "lookalike_domain"));
    CHECK(!sig(as, "idn_mixed_script")); /* whole-script Cyrillic is not mixed */
    /* a brand's own country domain is not a look-alike */
    as = run(mail("x@paypal.de", "spf=pass smtp.mailfrom=paypal.de", "From: <a@paypal.de>\n"));
    CHECK(!sig(as, "lookalike_domain"));
    /* the brands themselves, in any case, are no look-alikes; a name of a brand's length
     * that is not one still is */
    as = run(mail("x@paypal.com", "spf=pass smtp.mailfrom=paypal.com", "From: <a@paypal.com>\n"));
    CHECK(!sig(as, "lookalike_domain"));
    as = run(mail("x@mail.PayPal.COM", "spf=pass smtp.mailfrom=paypal.com",
                  "From: <a@mail.PayPal.COM>\n"));
    CHECK(!sig(as, "lookalike_domain"));
    as = run(mail("x@irs.gov", "spf=pass smtp.mailfrom=irs.gov", "From: <a@irs.gov>\n"));
    CHECK(!sig(as, "lookalike_domain"));
    as = run(mail("x@paypai.com", "spf=pass smtp.mailfrom=paypai.com", "From: <a@paypai.com>\n"));
    CHECK(counts(as, "lookalike_domain"));
    /* edit distance applies to the organisation's own domains */
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    const char *own[] = {"contoso.example"};
    CFG.protected_domains.items = own;
    CFG.protected_domains.count = 1;
    as = run_cfg(mail("x@contosso.example", "spf=pass smtp.mailfrom=contosso.example",
                      "From: <cfo@contosso.example>\n"),
                 &CFG);
    CHECK(counts(as, "lookalike_domain"));
    CHECK(strstr(sig(as, "lookalike_domain")->evidence, "edit_distance") != NULL);
    CFG.protected_domains.count = 0;
    as = run(mail("x@xn--pple-43d.com", "spf=pass smtp.mailfrom=xn--pple-43d.com",
                  "From: <id@xn--pple-43d.com>\n"));
    CHECK(counts(as, "idn_mixed_script"));
}

/* --- trust ------------------------------------------------------------------------ */

SW_TEST(detect_trust_configured_authserv_ids)
{
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    const char *ids[] = {"@victim.example"};
    CFG.trusted_authserv_ids.items = ids;
    CFG.trusted_authserv_ids.count = 1;
    const sw_assessment *as =
        run_cfg(mail("a@bank.example", GOOD_AR, "From: <a@bank.example>\n"), &CFG);
    CHECK_STR(as->trust_rule, "configured authserv-id");
    CHECK(as->trusted_headers == 1);
    const char *other[] = {"mx.other.example"};
    CFG.trusted_authserv_ids.items = other;
    as = run_cfg(mail("a@bank.example", GOOD_AR, "From: <a@bank.example>\n"), &CFG);
    CHECK(as->trusted_headers == 0);
    CHECK(as->verdict == SW_VERDICT_UNKNOWN);
    CFG.trusted_authserv_ids.count = 0;
}

SW_TEST(detect_trust_ignores_results_added_upstream)
{
    /* the only A-R sits below a hop added by another organisation: the sender's own */
    const char *m = "Received: from relay.list.example by mx.victim.example; Mon, 1 Jan 2024 "
                    "10:00:05 +0000\n"
                    "Received: from out.sender.example by relay.list.example; Mon, 1 Jan 2024 "
                    "10:00:03 +0000\n"
                    "Authentication-Results: out.sender.example; dmarc=fail "
                    "header.from=sender.example\n"
                    "From: <a@sender.example>\n\n";
    const sw_assessment *as = run(m);
    CHECK(as->trusted_headers == 0);
    CHECK(as->verdict == SW_VERDICT_UNKNOWN);
    CHECK(!sig(as, "dmarc_fail"));
}

SW_TEST(detect_trust_icloud_split_milters)
{
    const char *m =
        "Received: from x by mr21p00im-smtpin001.me.com; Mon, 1 Jan 2024 10:00:05 +0000\n"
        "Authentication-results: mr21p00im-dmarcmilter008.me.com; dmarc=fail "
        "header.from=apple.com\n"
        "Authentication-results: mr21p00im-spfmilter010.me.com; spf=softfail "
        "smtp.mailfrom=evil.example\n"
        "Authentication-results: mr21p00im-dkimmilter009.me.com; dkim=none\n"
        "From: <support@apple.com>\n\n";
    const sw_assessment *as = run(m);
    CHECK(as->trusted_headers == 3);
    CHECK_STR(as->spf.result, "softfail");
    CHECK_STR(as->dmarc.result, "fail");
}

SW_TEST(detect_trust_fails_closed_on_unparsable_newest)
{
    const char *m = "Received: from x by mx.victim.example; Mon, 1 Jan 2024 10:00:05 +0000\n"
                    "Authentication-Results: mx.victim.example; dkim=pass (unclosed\n"
                    "Authentication-Results: mx.victim.example; dmarc=pass header.from=a.example\n"
                    "From: <a@a.example>\n\n";
    const sw_assessment *as = run(m);
    CHECK(as->trusted_headers == 0);
    CHECK(strstr(as->trust_rule, "unparsable") != NULL);
}

/* --- suppressors -------------------------------------------------------------------- */

#define LIST_MAIL(ar, arc_sealer)                                                                  \
    "Return-Path: <dev-bounces@lists.example.org>\n"                                               \
    "Received: from lists.example.org by mx.victim.example; Mon, 1 Jan 2024 10:00:05 +0000\n"      \
    "Authentication-Results: mx.victim.example; " ar "\n"                                          \
    "ARC-Seal: i=1; a=rsa-sha256; t=1; cv=none; d=" arc_sealer "; s=arc; b=AAAA\n"                 \
    "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=" arc_sealer                   \
    "; s=arc; h=from; bh=AAAA; b=AAAA\n"                                                           \
    "ARC-Authentication-Results: i=1; " arc_sealer "; dmarc=pass header.from=sender.example\n"     \
    "List-Id: <dev.lists.example.org>\n"                                                           \
    "From: Dana <dana@sender.example>\n"                                                           \
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n\nbody\n"

#define LIST_AR                                                                                    \
    "spf=pass smtp.mailfrom=lists.example.org; dkim=fail (body hash did not "                      \
    "verify) header.d=sender.example; dmarc=fail (p=REJECT) "                                      \
    "header.from=sender.example; arc=pass"

SW_TEST(detect_suppress_mailing_list_with_trusted_arc)
{
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    const char *sealers[] = {"lists.example.org"};
    CFG.trusted_arc_sealers.items = sealers;
    CFG.trusted_arc_sealers.count = 1;
    const sw_assessment *as = run_cfg(LIST_MAIL(LIST_AR, "lists.example.org"), &CFG);
    CHECK(supp(as, "mailing_list_arc"));
    CHECK(sig(as, "dmarc_fail") && sig(as, "dmarc_fail")->suppressed_by);
    CHECK(as->verdict == SW_VERDICT_PASS);
    CFG.trusted_arc_sealers.count = 0;
    /* the same list without a trusted sealer: flagged, but never more than suspicious */
    as = run_cfg(LIST_MAIL(LIST_AR, "lists.example.org"), &CFG);
    CHECK(!supp(as, "mailing_list_arc"));
    CHECK(supp(as, "mailing_list_envelope"));
    CHECK(as->verdict == SW_VERDICT_SUSPICIOUS);
}

/* The envelope suppressor asks the List-Id's organisational domain only of names that end
 * in the envelope's: names in other case or with a root dot still match, names of other
 * domains (one that merely ends in the same letters too) do not. */
#define LIST_ID_MAIL(list_id)                                                                      \
    "Return-Path: <dev-bounces@lists.example.org>\n"                                               \
    "Received: from lists.example.org by mx.victim.example; Mon, 1 Jan 2024 10:00:05 +0000\n"      \
    "Authentication-Results: mx.victim.example; " LIST_AR "\n"                                     \
    "List-Id: " list_id "\n"                                                                       \
    "From: Dana <dana@sender.example>\n"                                                           \
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n\nbody\n"

SW_TEST(detect_suppress_mailing_list_envelope_by_list_id)
{
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    CHECK(supp(run_cfg(LIST_ID_MAIL("<dev.lists.example.org>"), &CFG), "mailing_list_envelope"));
    CHECK(supp(run_cfg(LIST_ID_MAIL("<Dev.Lists.EXAMPLE.Org>"), &CFG), "mailing_list_envelope"));
    CHECK(supp(run_cfg(LIST_ID_MAIL("<dev.lists.example.org.>"), &CFG), "mailing_list_envelope"));
    CHECK(supp(run_cfg(LIST_ID_MAIL("<example.org>"), &CFG), "mailing_list_envelope"));
    CHECK(!supp(run_cfg(LIST_ID_MAIL("<dev.otherexample.org>"), &CFG), "mailing_list_envelope"));
    CHECK(!supp(run_cfg(LIST_ID_MAIL("<dev.lists.example.net>"), &CFG), "mailing_list_envelope"));
    CHECK(!supp(run_cfg(LIST_ID_MAIL("<org>"), &CFG), "mailing_list_envelope"));
    CHECK(!supp(run_cfg(LIST_ID_MAIL("<>"), &CFG), "mailing_list_envelope"));
}

SW_TEST(detect_suppress_forwarder_and_third_party)
{
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    sw_sender_rule fw = {"alumni forwarding", "*", "alumni.example.edu"};
    CFG.forwarders = &fw;
    CFG.nforwarders = 1;
    const sw_assessment *as =
        run_cfg(mail("fwd@alumni.example.edu",
                     "spf=fail smtp.mailfrom=alumni.example.edu; dkim=pass header.d=bank.example; "
                     "dmarc=pass header.from=bank.example",
                     "From: <a@bank.example>\n"),
                &CFG);
    CHECK(supp(as, "forwarder"));
    CHECK(sig(as, "spf_fail") && sig(as, "spf_fail")->suppressed_by);
    CFG.nforwarders = 0;
    sw_sender_rule tp = {"newsletter ESP", "victim.example", "esp.example"};
    CFG.third_party = &tp;
    CFG.nthird_party = 1;
    as = run_cfg(mail("b@esp.example",
                      "spf=pass smtp.mailfrom=esp.example; dkim=pass header.d=esp.example; "
                      "dmarc=fail header.from=victim.example",
                      "From: News <news@victim.example>\n"),
                 &CFG);
    CHECK(supp(as, "third_party_sender"));
    CHECK(sig(as, "dmarc_fail")->suppressed_by);
    /* it must still align on via: without the ESP's authentication, nothing is suppressed */
    as = run_cfg(mail("b@evil.example",
                      "spf=pass smtp.mailfrom=evil.example; dmarc=fail "
                      "header.from=victim.example",
                      "From: News <news@victim.example>\n"),
                 &CFG);
    CHECK(!supp(as, "third_party_sender"));
    CFG.nthird_party = 0;
}

SW_TEST(detect_suppress_exceptions_and_simulations)
{
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    sw_exception ex = {"EXC-1",
                       "scanner.example",
                       NULL,
                       "it@victim.example",
                       "on-prem scanner without DKIM",
                       (int64_t)time(NULL) + 86400,
                       1};
    CFG.exceptions = &ex;
    CFG.nexceptions = 1;
    const char *m = mail("a@scanner.example",
                         "spf=fail smtp.mailfrom=scanner.example; dmarc=fail "
                         "header.from=scanner.example",
                         "From: <scan@scanner.example>\n");
    const sw_assessment *as = run_cfg(m, &CFG);
    CHECK(supp(as, "exception"));
    CHECK(as->score == 0);
    ex.expires = 1000; /* long expired: reported, not applied */
    as = run_cfg(m, &CFG);
    CHECK(supp(as, "exception_expired") && supp(as, "exception_expired")->warning);
    CHECK(as->score > 0);
    CFG.nexceptions = 0;
    sw_simulation sim = {"Phish test vendor", "X-PHISHTEST", NULL};
    CFG.simulations = &sim;
    CFG.nsimulations = 1;
    as = run_cfg(mail("a@evil.example", "dmarc=fail header.from=bank.example",
                      "From: <ceo@bank.example>\nX-PHISHTEST: campaign 7\n"),
                 &CFG);
    CHECK(supp(as, "phishing_simulation"));
    CHECK(strstr(supp(as, "phishing_simulation")->evidence, "X-PHISHTEST") != NULL);
    CHECK(as->score == 0);
    sw_simulation by_env = {"second vendor", NULL, "sim.vendor.example"};
    CFG.simulations = &by_env;
    as = run_cfg(mail("t@sim.vendor.example",
                      "spf=pass smtp.mailfrom=sim.vendor.example; "
                      "dmarc=fail header.from=bank.example",
                      "From: <ceo@bank.example>\n"),
                 &CFG);
    CHECK(supp(as, "phishing_simulation"));
    CHECK(strstr(supp(as, "phishing_simulation")->evidence, "envelope sender") != NULL);
    CFG.nsimulations = 0;
}

SW_TEST(detect_json_has_verdict_score_signals_suppressors)
{
    const sw_assessment *as = run(mail("x@evil.example", "dmarc=fail header.from=bank.example",
                                       "From: Bank <security@bank.example>\n"));
    sw_buf b;
    sw_buf_init(&b, 1 << 20);
    sw_json j;
    sw_json_init(&j, &b);
    sw_json_object_begin(&j);
    sw_assessment_write_json(as, &j);
    sw_json_object_end(&j);
    CHECK(strstr(b.data, "\"verdict\":\"") != NULL);
    CHECK(strstr(b.data, "\"score\":") != NULL);
    CHECK(strstr(b.data, "\"signals\":[{\"id\":\"dmarc_fail\",\"weight\":40,\"evidence\":") !=
          NULL);
    CHECK(strstr(b.data, "\"suppressors\":[]") != NULL);
    sw_buf_free(&b);
    sw_arena_free(&A);
    sw_config_free(&CFG);
}

/* --verify: verified results replace the trusted header's, and a disagreement is said. */
SW_TEST(detect_prefers_verified_results)
{
    const char *msg = mail("bounce@sender.example",
                           "spf=pass smtp.mailfrom=sender.example; dkim=pass header.d=sender.example; "
                           "dmarc=pass header.from=sender.example",
                           "From: <ceo@sender.example>\n");
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_source src = {.path = "t.eml", .format = "eml", .index = -1};
    CHECK(sw_record_from_mail(&A, msg, strlen(msg), &src, &R, NULL) == 0);
    sw_detector d;
    sw_error err;
    CHECK(sw_detector_init(&d, &CFG, &err) == 0);
    /* the inbound hop is the one hop mx.victim.example added */
    CHECK(sw_detect_inbound_hop(&d, &A, &R) == 0);
    sw_verified v = {.spf_result = "fail", .spf_domain = "sender.example",
                     .dkim_result = "fail", .dkim_domain = "sender.example",
                     .dkim_detail = "body hash did not verify", .dkim_any_fail = 1,
                     .dmarc_result = "fail", .dmarc_domain = "sender.example",
                     .dmarc_policy = "reject"};
    CHECK(sw_detect_verified(&d, &A, &R, &v, &AS) == 0);
    sw_detector_close(&d);
    CHECK(AS.verified);
    CHECK_STR(AS.dmarc.result, "fail");
    CHECK_STR(AS.header_dmarc.result, "pass");
    CHECK_STR(AS.dmarc.origin, "spoofwatch verification");
    CHECK(sig(&AS, "dmarc_fail") != NULL);
    const sw_signal *s = sig(&AS, "verification_disagrees");
    CHECK(s && s->weight == 15);
    CHECK(strstr(s->evidence, "says spf=pass, but spoofwatch verified spf=fail"));
    CHECK(AS.verdict == SW_VERDICT_SPOOFED);
    /* without verification the same message passes on its header */
    CHECK(run(msg)->verdict == SW_VERDICT_PASS);
}

/* sw_det_domain_of lowers and IDN-tests 16 bytes at a time: every length, with a capital,
 * a '-', an "xn--" label or a byte >= 0x80 at every position, must give what the former
 * byte loop gave. */
static const char *domain_of_bytewise(sw_arena *a, const char *addr)
{
    if (!addr || !*addr)
        return NULL;
    const char *at = strrchr(addr, '@');
    const char *d = at ? at + 1 : addr;
    size_t n = strlen(d);
    while (n && (d[n - 1] == '>' || d[n - 1] == '.' || d[n - 1] == ' '))
        n--;
    if (!n)
        return NULL;
    char *out = sw_arena_alloc(a, n + 1);
    unsigned high = 0;
    int alabel = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        high |= c;
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        if ((c | 0x20) == 'x' && (i == 0 || d[i - 1] == '.') && n - i >= 4 &&
            (d[i + 1] | 0x20) == 'n' && d[i + 2] == '-' && d[i + 3] == '-')
            alabel = 1;
    }
    out[n] = '\0';
    if ((high & 0x80) || alabel) {
        const char *ascii = NULL;
        if (sw_idn_convert(a, out, n, &ascii, NULL) == 0 && ascii)
            return ascii;
    }
    return out;
}

SW_TEST(detect_domain_of_every_length_and_position)
{
    static const char *const inserts[] = {"Q", "-", "xn--", "XN--", ".xn--", "\xc3\xa9", "\xff", ">"};
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    det x;
    memset(&x, 0, sizeof x);
    x.a = &a;
    for (size_t len = 1; len <= 40; len++)
        for (size_t pos = 0; pos <= len; pos++)
            for (size_t k = 0; k < sizeof inserts / sizeof inserts[0]; k++) {
                char in[96] = "user@";
                size_t o = 5;
                for (size_t i = 0; i < len; i++) {
                    if (i == pos)
                        for (const char *s = inserts[k]; *s; s++)
                            in[o++] = *s;
                    in[o++] = (char)(i % 7 == 3 ? '.' : 'a' + i % 26 - (i % 5 == 1 ? 32 : 0));
                }
                in[o] = '\0';
                const char *want = domain_of_bytewise(&a, in), *got = sw_det_domain_of(&x, in);
                int same = (!want && !got) || (want && got && !strcmp(want, got));
                if (!same) {
                    printf("    %s: want %s got %s\n", in, want ? want : "(null)",
                           got ? got : "(null)");
                    CHECK(0);
                }
                sw_arena_reset(&a);
            }
    sw_arena_free(&a);
}

/* The skeleton of an ASCII label comes from a per-character table made with ICU at start:
 * it must be ICU's own answer (with the fold applied) for any label, and labels the table
 * does not cover (non-ASCII, a character whose prototype is not ASCII) still go to ICU. */
SW_TEST(detect_ascii_skeleton_table_matches_icu)
{
    sw_config c;
    sw_config_defaults(&c);
    sw_orgdomain_ctx psl;
    sw_error err;
    CHECK(sw_orgdomain_open(&psl, NULL, &err) == 0);
    sw_arena scratch;
    sw_arena_init(&scratch, 1u << 20);
    static sw_lookalike l, icu_only;
    CHECK(sw_lookalike_init(&l, &c, &psl, &scratch, &err) == 0);
    icu_only = l;
    memset(icu_only.ascii_skel_len, 0, sizeof icu_only.ascii_skel_len);
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789-_|.!$%&'*+/=?^`{}~"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ\"#(),:;<>@[\\]";
    unsigned seed = 777;
    char label[80];
    size_t covered = 0;
    for (int round = 0; round < 3000; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 16) % 70; /* past the 63 bytes the skeleton accepts */
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            label[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        char want[128], got[128];
        int rw = sw_lookalike_skeleton(&icu_only, label, n, want, sizeof want);
        int rg = sw_lookalike_skeleton(&l, label, n, got, sizeof got);
        CHECK(rw == rg);
        if (rw == 0 && rg == 0)
            CHECK_STR(got, want);
        covered += rw == 0;
    }
    CHECK(covered > 1000);
    /* the classic pairs, and non-ASCII labels */
    static const char *const labels[] = {"paypa1", "rnicrosoft", "arnazon", "g00gle", "аррӏе",
                                         "pаypal", "xn--80ak6aa92e", "straße", "a", "m"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        char want[128], got[128];
        size_t n = strlen(labels[i]);
        CHECK(sw_lookalike_skeleton(&icu_only, labels[i], n, want, sizeof want) == 0);
        CHECK(sw_lookalike_skeleton(&l, labels[i], n, got, sizeof got) == 0);
        CHECK_STR(got, want);
    }
    /* a small output buffer cuts both alike */
    char w4[4], g4[4];
    CHECK(sw_lookalike_skeleton(&icu_only, "rnrnrn", 6, w4, sizeof w4) ==
          sw_lookalike_skeleton(&l, "rnrnrn", 6, g4, sizeof g4));
    CHECK_STR(g4, w4);
    sw_lookalike_free(&l);
    sw_arena_free(&scratch);
    sw_orgdomain_close(&psl);
    sw_config_free(&c);
}

/* Evidence appended piece by piece is what the format gave: the same bytes, cut at the same
 * place (a 1023-byte text and one piece past it), NULL as "(null)", numbers with signs. */
SW_TEST(detect_text_pieces_match_format)
{
    char big[1500];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    static const size_t cuts[] = {0, 1, 31, 32, 33, 900, 1000, 1017, 1018, 1019, 1023, 1499};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        const char *s = big + sizeof big - 1 - cuts[c]; /* cuts[c] bytes */
        char buf[SW_DET_TEXT_MAX], want[SW_DET_TEXT_MAX];
        sw_text t = {buf, 0, sizeof buf};
        SW_TEXT_LIT(&t, "Date ");
        sw_text_str(&t, s);
        SW_TEXT_LIT(&t, " is ");
        sw_text_int(&t, -179, 1);
        SW_TEXT_LIT(&t, " hours, ");
        sw_text_int(&t, 0, 1);
        SW_TEXT_LIT(&t, " ");
        sw_text_int(&t, INT64_MIN, 0);
        SW_TEXT_LIT(&t, " ");
        sw_text_uint(&t, UINT64_MAX);
        SW_TEXT_LIT(&t, " ");
        sw_text_str(&t, NULL);
        size_t n = sw_text_end(&t);
        /* glibc prints a NULL %s as "(null)" */
        snprintf(want, sizeof want, "Date %s is %+lld hours, %+lld %lld %llu (null)", s, -179ll,
                 0ll, (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
        CHECK_STR(buf, want);
        CHECK(n == strlen(want));
        CHECK(n <= sizeof buf - 1);
    }
    /* a text that is full takes nothing more, literal or not */
    char small[8];
    sw_text t = {small, 0, sizeof small};
    SW_TEXT_LIT(&t, "abcdef");
    SW_TEXT_LIT(&t, "gh");
    sw_text_str(&t, "ij");
    sw_text_uint(&t, 42);
    CHECK(sw_text_end(&t) == 7);
    CHECK_STR(small, "abcdefg");
}

/* The receiver's hops end at the first hop of another family, whether a provider's domains
 * or one organizational domain make it; a name that only ends in the same letters is not
 * in it (nor is the wrong case a reason to leave it). */
static long inbound_hop(const char *msg)
{
    sw_config_free(&CFG);
    sw_config_defaults(&CFG);
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_source src = {.path = "t.eml", .format = "eml", .index = -1};
    sw_record_from_mail(&A, msg, strlen(msg), &src, &R, NULL);
    sw_detector d;
    sw_error err;
    if (sw_detector_init(&d, &CFG, &err))
        return -2;
    long hop = sw_detect_inbound_hop(&d, &A, &R);
    sw_detector_close(&d);
    return hop;
}

SW_TEST(detect_receiver_family_ends_at_another)
{
#define HOP(by) "Received: from x by " by "; Mon, 1 Jan 2024 10:00:05 +0000\n"
    CHECK(inbound_hop(HOP("mx.google.com") HOP("mail-wr1.1E100.NET") HOP("smtp.notgoogle.com")
                          HOP("mx.google.com") "From: <a@b.example>\n\n") == 1);
    CHECK(inbound_hop(HOP("mx.google.com") HOP("2002:a05:6000::1") HOP("Google.Com.")
                          HOP("mx.gmail.com") HOP("out.evil.example") "From: <a@b.example>\n\n") ==
          3);
    CHECK(inbound_hop(HOP("mx.victim.example") HOP("relay.VICTIM.example.")
                          HOP("mx.evictim.example") "From: <a@b.example>\n\n") == 1);
    CHECK(inbound_hop(HOP("mx.victim.example") HOP("victim.example") HOP("a.b.victim.example")
                          "From: <a@b.example>\n\n") == 2);
#undef HOP
}
