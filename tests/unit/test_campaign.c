/* Unit tests: campaign keys (src/correlate/campaign.c): part lists, durations, subject and
 * network normalization, and the stability of the campaign id. */
#include "test.h"
#include "spoofwatch/campaign.h"
#include "spoofwatch/error.h"
#include "spoofwatch/input.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/orgdomain.h"
#include "spoofwatch/record.h"
#include "spoofwatch/store.h"

#include "../../src/store/internal.h" /* the handle, to make one insert fail */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static sw_arena A;

static void fresh(void)
{
    sw_arena_free(&A);
    sw_arena_init(&A, 64u << 20);
}

SW_TEST(campaign_subject_table)
{
    static const struct {
        const char *in, *want;
    } t[] = {
        {"Invoice 4711 overdue", "invoice # overdue"},
        {"Re: Invoice 4711 overdue", "invoice # overdue"},
        {"RE: Re: Fwd: Invoice 12 overdue", "invoice # overdue"},
        {"Fw: FW: fwd: payment", "payment"},
        {"AW: WG: Rechnung 2024-03-01", "rechnung #-#-#"},
        {"SV: VS: Antw: faktura", "faktura"},
        {"Re[2]: Re(3): meeting", "meeting"},
        {"RE : réunion", "réunion"},
        {"[EXTERNAL] Re: [SPAM] (EXT) Wire transfer", "wire transfer"},
        {"  \t Urgent\r\n   request \t ", "urgent request"},
        {"Review: the draft", "review: the draft"},
        {"Reply: to all", "reply: to all"},
        {"Re:Re:Re:", ""},
        {"Re: ", ""},
        {"", ""},
        {"ÜBERWEISUNG Nr. 55 ÄNDERUNG", "Überweisung nr. # Änderung"},
        {"inv\x01oi\x7f" "ce 1\x02" "2", "invoice #"},
        {"\x01\x02\x03", ""},
        {"Re: [unterminated tag", "[unterminated tag"},
        {"[a] [b] [c] x", "x"},
        {"Order #123 / ref 00042", "order ## / ref #"},
        {"re：お知らせ 3", "お知らせ #"},
        {"Invoice Re: 5", "invoice re: #"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        fresh();
        CHECK_STR(sw_campaign_subject(&A, t[i].in), t[i].want);
    }
    CHECK_STR(sw_campaign_subject(&A, NULL), "");
    sw_arena_free(&A);
}

/* Normalizing what was normalized changes nothing for ordinary subjects, so the store can
 * keep the normalized form and compare it again later. */
SW_TEST(campaign_subject_is_stable)
{
    static const char *in[] = {"Re: Invoice 4711 overdue", "[EXT] Fwd: PAYMENT  due 3/4",
                               "AW: Überweisung 12"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        fresh();
        const char *once = sw_campaign_subject(&A, in[i]);
        CHECK(once);
        CHECK_STR(sw_campaign_subject(&A, once), once);
    }
    sw_arena_free(&A);
}

SW_TEST(campaign_subject_hostile)
{
    fresh();
    size_t big = 1u << 20;
    char *s = malloc(big + 1);
    CHECK(s);
    /* 1 MB of one word: capped at 1024 bytes */
    memset(s, 'A', big);
    s[big] = '\0';
    const char *out = sw_campaign_subject(&A, s);
    CHECK(out && strlen(out) == 1024);
    for (size_t i = 0; i < 1024; i++)
        CHECK(out[i] == 'a');
    /* 1 MB of prefixes: all stripped within the cap, nothing left */
    for (size_t i = 0; i + 4 <= big; i += 4)
        memcpy(s + i, "Re: ", 4);
    out = sw_campaign_subject(&A, s);
    CHECK_STR(out, "");
    /* 1 MB of digits: one '#' */
    memset(s, '7', big);
    CHECK_STR(sw_campaign_subject(&A, s), "#");
    /* a multi-byte character across the cap is not cut in half */
    memset(s, 'x', big);
    memcpy(s + 1022, "\xc3\xa9", 2); /* ends at 1024: kept */
    memcpy(s + 1023 + 2, "\xe2\x82\xac", 3);
    s[1024] = 'y';
    out = sw_campaign_subject(&A, s);
    CHECK(out && strlen(out) == 1024);
    CHECK(!memcmp(out + 1022, "\xc3\xa9", 2));
    memset(s, 'x', big);
    memcpy(s + 1023, "\xe2\x82\xac", 3); /* straddles 1024: dropped whole */
    out = sw_campaign_subject(&A, s);
    CHECK(out && strlen(out) == 1023);
    /* every byte value but NUL, in one subject: no crash, no control byte survives */
    char all[256];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    out = sw_campaign_subject(&A, all);
    CHECK(out);
    for (const unsigned char *p = (const unsigned char *)out; *p; p++)
        CHECK(*p >= 0x20 && *p != 0x7f && !(*p >= 'A' && *p <= 'Z'));
    free(s);
    sw_arena_free(&A);
}

SW_TEST(campaign_network)
{
    fresh();
    CHECK_STR(sw_campaign_network(&A, "198.51.100.7"), "198.51.100.0/24");
    CHECK_STR(sw_campaign_network(&A, " 203.0.113.255\n"), "203.0.113.0/24");
    CHECK_STR(sw_campaign_network(&A, "2001:db8:1:2:3::4"), "2001:db8:1::/48");
    CHECK_STR(sw_campaign_network(&A, "2001:DB8:0:ffff::1"), "2001:db8::/48");
    CHECK_STR(sw_campaign_network(&A, "::1"), "::/48");
    CHECK_STR(sw_campaign_network(&A, "::ffff:192.0.2.33"), "192.0.2.0/24");
    CHECK_STR(sw_campaign_network(&A, "::FFFF:c000:0221"), "192.0.2.0/24");
    CHECK(sw_campaign_network(&A, NULL) == NULL);
    CHECK(sw_campaign_network(&A, "") == NULL);
    CHECK(sw_campaign_network(&A, "mail.example.com") == NULL);
    CHECK(sw_campaign_network(&A, "1.2.3") == NULL);
    CHECK(sw_campaign_network(&A, "256.1.1.1") == NULL);
    CHECK(sw_campaign_network(&A, "010.1.1.1") == NULL);
    CHECK(sw_campaign_network(&A, "198.51.100.7:25") == NULL);
    CHECK(sw_campaign_network(&A, "[198.51.100.7]") == NULL);
    CHECK(sw_campaign_network(&A, "2001:db8::1%eth0") == NULL);
    CHECK(sw_campaign_network(&A, "1111:2222:3333:4444:5555:6666:7777:8888:9999") == NULL);
    /* leading space does not make room for trailing junk to be cut off unseen */
    CHECK(sw_campaign_network(&A, "          2001:db8::1                          junk") == NULL);
    CHECK_STR(sw_campaign_network(&A, "          2001:db8::1                          "),
              "2001:db8::/48");
    char padded[300];
    memset(padded, ' ', sizeof padded - 1);
    padded[sizeof padded - 1] = '\0';
    memcpy(padded, "192.0.2.1", 9);
    memcpy(padded + sizeof padded - 5, "junk", 4);
    CHECK(sw_campaign_network(&A, padded) == NULL);
    char longip[200];
    memset(longip, '1', sizeof longip - 1);
    longip[sizeof longip - 1] = '\0';
    CHECK(sw_campaign_network(&A, longip) == NULL);
    sw_arena_free(&A);
}

SW_TEST(campaign_parts)
{
    unsigned p = 0;
    CHECK(sw_campaign_parse_parts("from_org,subject,network", &p) == 0);
    CHECK(p == SW_CK_DEFAULT);
    CHECK(sw_campaign_parse_parts("network, Subject ,from_org", &p) == 0);
    CHECK(p == SW_CK_DEFAULT);
    CHECK(sw_campaign_parse_parts("from_address,display_name,envelope_org", &p) == 0);
    CHECK(p == (SW_CK_FROM_ADDRESS | SW_CK_DISPLAY_NAME | SW_CK_ENVELOPE_ORG));
    p = 77;
    CHECK(sw_campaign_parse_parts("from_org,sender_ip", &p) == -1);
    CHECK(sw_campaign_parse_parts("", &p) == -1);
    CHECK(sw_campaign_parse_parts("from_org,", &p) == -1);
    CHECK(sw_campaign_parse_parts("from_org,,subject", &p) == -1);
    CHECK(sw_campaign_parse_parts("from_org subject", &p) == -1);
    CHECK(sw_campaign_parse_parts("from", &p) == -1);
    CHECK(sw_campaign_parse_parts(NULL, &p) == -1);
    CHECK(p == 77); /* untouched on error */
    fresh();
    CHECK_STR(sw_campaign_parts_text(&A, SW_CK_DEFAULT), "from_org,subject,network");
    CHECK_STR(sw_campaign_parts_text(&A, SW_CK_FROM_ADDRESS | SW_CK_FROM_ORG),
              "from_org,from_address");
    /* the text parses back to the same parts */
    unsigned all = (1u << 6) - 1, back = 0;
    CHECK(sw_campaign_parse_parts(sw_campaign_parts_text(&A, all), &back) == 0 && back == all);
    sw_arena_free(&A);
}

SW_TEST(campaign_durations)
{
    CHECK(sw_duration_parse("90d") == 90 * 86400);
    CHECK(sw_duration_parse("24h") == 86400);
    CHECK(sw_duration_parse("30m") == 1800);
    CHECK(sw_duration_parse("45s") == 45);
    CHECK(sw_duration_parse("3600") == 3600);
    CHECK(sw_duration_parse("2w") == 14 * 86400);
    CHECK(sw_duration_parse("007d") == 7 * 86400);
    CHECK(sw_duration_parse("9223372036854775807") == INT64_MAX);
    CHECK(sw_duration_parse("0") == -1);
    CHECK(sw_duration_parse("0d") == -1);
    CHECK(sw_duration_parse("-5d") == -1);
    CHECK(sw_duration_parse("+5d") == -1);
    CHECK(sw_duration_parse("9223372036854775808") == -1);
    CHECK(sw_duration_parse("15250284452472w") == -1); /* > INT64_MAX seconds */
    CHECK(sw_duration_parse("99999999999999999999999d") == -1);
    CHECK(sw_duration_parse("5x") == -1);
    CHECK(sw_duration_parse("5dd") == -1);
    CHECK(sw_duration_parse("5 d") == -1);
    CHECK(sw_duration_parse("5d ") == -1);
    CHECK(sw_duration_parse(" 5d") == -1);
    CHECK(sw_duration_parse("d") == -1);
    CHECK(sw_duration_parse("") == -1);
    CHECK(sw_duration_parse("1.5h") == -1);
    CHECK(sw_duration_parse(NULL) == -1);
}

/* Evidence of one flagged message: only the fields campaign keys read, plus others that
 * must not matter. */
static sw_evidence sample(void)
{
    sw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.from_org = "corp.example";
    ev.from_address = "ceo@corp.example";
    ev.from_display = "  The   CEO ";
    ev.envelope_domain = "bounce.evil.example";
    ev.subject = "Re: Invoice 4711 overdue";
    ev.client_ip = "198.51.100.23";
    ev.time = 1709630000; /* 2024-03-05 */
    ev.has_time = 1;
    ev.message_id = "<a1@evil.example>";
    ev.verdict = SW_VERDICT_SPOOFED;
    ev.score = 90;
    return ev;
}

SW_TEST(campaign_key_text_and_bucket)
{
    fresh();
    sw_evidence ev = sample();
    sw_campaign_keyspec spec = {SW_CK_DEFAULT, SW_CAMPAIGN_DEFAULT_WINDOW};
    char id[33];
    const char *text = NULL;
    int64_t start = -1;
    CHECK(sw_campaign_key(&A, &spec, &ev, id, &text, &start) == SW_OK);
    CHECK_STR(text, "from_org=corp.example subject=invoice # overdue network=198.51.100.0/24");
    CHECK(strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32);
    CHECK(start == 1709164800 && start % (7 * 86400) == 0); /* Thu 2024-02-29 00:00 */
    CHECK(start <= ev.time && ev.time < start + 7 * 86400);
    /* missing parts render empty, every part in bit order */
    spec.parts = (1u << 6) - 1;
    ev.client_ip = "not an ip";
    ev.subject = NULL;
    CHECK(sw_campaign_key(&A, &spec, &ev, id, &text, &start) == SW_OK);
    CHECK_STR(text, "from_org=corp.example subject= network= envelope_org=bounce.evil.example "
                    "display_name=the ceo from_address=ceo@corp.example");
    /* floor division for times before 1970 */
    spec.window = 100;
    ev.time = -1;
    CHECK(sw_campaign_key(&A, &spec, &ev, id, NULL, &start) == SW_OK && start == -100);
    ev.time = -100;
    CHECK(sw_campaign_key(&A, &spec, &ev, id, NULL, &start) == SW_OK && start == -100);
    ev.time = INT64_MIN;
    CHECK(sw_campaign_key(&A, &spec, &ev, id, NULL, &start) == SW_OK && start == INT64_MIN);
    ev.time = INT64_MAX;
    CHECK(sw_campaign_key(&A, &spec, &ev, id, NULL, &start) == SW_OK);
    CHECK(start <= INT64_MAX && INT64_MAX - start < 100);
    ev.has_time = 0;
    CHECK(sw_campaign_key(&A, &spec, &ev, id, NULL, &start) == SW_OK && start == 0);
    spec.window = 0;
    CHECK(sw_campaign_key(&A, &spec, &ev, id, NULL, &start) == SW_EINVAL);
    sw_arena_free(&A);
}

static int key_of(const sw_campaign_keyspec *spec, const sw_evidence *ev, char id[33])
{
    return sw_campaign_key(&A, spec, ev, id, NULL, NULL);
}

SW_TEST(campaign_key_stability)
{
    fresh();
    sw_campaign_keyspec spec = {SW_CK_DEFAULT, SW_CAMPAIGN_DEFAULT_WINDOW};
    sw_evidence ev = sample();
    char id1[33], id2[33];
    CHECK(key_of(&spec, &ev, id1) == SW_OK);
    /* the default key under a NULL spec */
    CHECK(key_of(NULL, &ev, id2) == SW_OK);
    CHECK_STR(id2, id1);
    /* the same campaign: another recipient, id, verdict, envelope, later in the week,
     * another host of the /24, another number and reply prefix in the subject */
    sw_evidence other = sample();
    other.from_address = "finance@corp.example";
    other.from_display = "Finance";
    other.envelope_domain = "x.example";
    other.message_id = "<b2@evil.example>";
    other.verdict = SW_VERDICT_SUSPICIOUS;
    other.score = 40;
    other.subject = "FW: [EXTERNAL] invoice 99  OVERDUE";
    other.client_ip = "198.51.100.200";
    other.time = ev.time + 86400; /* 2024-03-06: the window runs to 03-07 */
    CHECK(key_of(&spec, &other, id2) == SW_OK);
    CHECK_STR(id2, id1);
    /* the id does not depend on the arena or on a previous call */
    sw_arena_free(&A);
    fresh();
    CHECK(key_of(&spec, &ev, id2) == SW_OK);
    CHECK_STR(id2, id1);
    /* a pinned value, recomputed outside C from the encoding documented in campaign.c and
     * docs/campaigns.md: changing the encoding changes every stored campaign id */
    CHECK_STR(id1, "e8744907233cc5d11bc0dc6f5b696389");
    /* another window bucket: another campaign */
    other = sample();
    other.time = ev.time + 7 * 86400;
    CHECK(key_of(&spec, &other, id2) == SW_OK);
    CHECK(strcmp(id1, id2) != 0);
    /* the same bucket under another window length: another campaign */
    sw_campaign_keyspec spec14 = {SW_CK_DEFAULT, 14 * 86400};
    CHECK(key_of(&spec14, &ev, id2) == SW_OK);
    CHECK(strcmp(id1, id2) != 0);
    /* another network, org or subject: another campaign */
    other = sample();
    other.client_ip = "198.51.101.23";
    CHECK(key_of(&spec, &other, id2) == SW_OK && strcmp(id1, id2) != 0);
    other = sample();
    other.from_org = "corp2.example";
    CHECK(key_of(&spec, &other, id2) == SW_OK && strcmp(id1, id2) != 0);
    other = sample();
    other.subject = "Invoice 4711 paid";
    CHECK(key_of(&spec, &other, id2) == SW_OK && strcmp(id1, id2) != 0);
    /* undated messages share a bucket, apart from a dated one whose window starts at 0 */
    sw_evidence u1 = sample(), u2 = sample(), z = sample();
    u1.has_time = 0;
    u2.has_time = 0;
    u2.time = 123456789; /* ignored without has_time */
    z.time = 5;
    char iu1[33], iu2[33], iz[33];
    CHECK(key_of(&spec, &u1, iu1) == SW_OK && key_of(&spec, &u2, iu2) == SW_OK);
    CHECK_STR(iu1, iu2);
    int64_t zs = -1;
    CHECK(sw_campaign_key(&A, &spec, &z, iz, NULL, &zs) == SW_OK && zs == 0);
    CHECK(strcmp(iu1, iz) != 0);
    sw_arena_free(&A);
}

SW_TEST(campaign_key_is_length_prefixed)
{
    fresh();
    sw_campaign_keyspec spec = {SW_CK_FROM_ORG | SW_CK_SUBJECT, 86400};
    sw_evidence a = sample(), b = sample();
    a.from_org = "a";
    a.subject = "bc";
    b.from_org = "ab";
    b.subject = "c";
    char ia[33], ib[33];
    CHECK(key_of(&spec, &a, ia) == SW_OK && key_of(&spec, &b, ib) == SW_OK);
    CHECK(strcmp(ia, ib) != 0);
    /* a part missing is not the same as the part belonging to the next one */
    sw_campaign_keyspec spec2 = {SW_CK_FROM_ORG | SW_CK_NETWORK, 86400};
    a = sample();
    b = sample();
    a.from_org = NULL;
    b.client_ip = NULL;
    CHECK(key_of(&spec2, &a, ia) == SW_OK && key_of(&spec2, &b, ib) == SW_OK);
    CHECK(strcmp(ia, ib) != 0);
    /* two messages lacking the same part still group */
    b = sample();
    b.from_org = "";
    CHECK(key_of(&spec2, &b, ib) == SW_OK);
    CHECK_STR(ib, ia);
    /* the parts chosen are hashed: a key of from_org alone differs from from_org + an
     * empty subject */
    sw_campaign_keyspec org = {SW_CK_FROM_ORG, 86400};
    sw_campaign_keyspec org_subj = {SW_CK_FROM_ORG | SW_CK_SUBJECT, 86400};
    a = sample();
    a.subject = "";
    CHECK(key_of(&org, &a, ia) == SW_OK && key_of(&org_subj, &a, ib) == SW_OK);
    CHECK(strcmp(ia, ib) != 0);
    sw_arena_free(&A);
}

SW_TEST(campaign_key_hostile_parts)
{
    fresh();
    size_t big = 1u << 20;
    char *s = malloc(big + 1);
    CHECK(s);
    memset(s, 'Q', big);
    s[big] = '\0';
    sw_evidence ev = sample();
    ev.from_org = s;
    ev.subject = s;
    ev.from_display = s;
    ev.from_address = s;
    ev.envelope_domain = s;
    ev.client_ip = s;
    sw_campaign_keyspec spec = {(1u << 6) - 1, SW_CAMPAIGN_DEFAULT_WINDOW};
    char id[33];
    const char *text = NULL;
    CHECK(sw_campaign_key(&A, &spec, &ev, id, &text, NULL) == SW_OK);
    CHECK(text && strlen(text) < 6 * 1100);
    /* bytes past the cap do not change the key */
    char id2[33];
    s[big - 1] = 'R';
    CHECK(sw_campaign_key(&A, &spec, &ev, id2, NULL, NULL) == SW_OK);
    CHECK_STR(id2, id);
    free(s);
    sw_arena_free(&A);
}

/* tests/fixtures/store/campaign.mbox under the default key: the seven fabrikam.example
 * messages form the two campaigns its README names (5 from 198.51.100.0/24, 2 from
 * 192.0.2.0/24), and without the network part they are one. The evidence is filled here
 * the way the store fills it: From's organizational domain, the decoded subject, the
 * inbound hop's IP, the Date. */
SW_TEST(campaign_fixture_mbox_groups_as_documented)
{
    char path[512];
    snprintf(path, sizeof path, "%s/store/campaign.mbox", sw_test_fixture_dir());
    sw_input in;
    sw_error err;
    CHECK(sw_input_open(&in, path, SW_FMT_AUTO, &err) == SW_OK);
    sw_orgdomain_ctx org;
    CHECK(sw_orgdomain_open(&org, NULL, &err) == SW_OK);
    fresh();
    sw_arena ra;
    sw_arena_init(&ra, SW_MAX_ARENA);
    static const struct {
        const char *id;
        int want;
    } camp[] = {{"aba9545facd0091d3e50c3d9db035bc5", 5}, {"98af2026b70e2c25950a3833ace00287", 2}};
    int got[2] = {0, 0}, other = 0, total = 0, flat = 0;
    char flat_id[33] = "";
    sw_campaign_keyspec nonet = {SW_CK_FROM_ORG | SW_CK_SUBJECT, SW_CAMPAIGN_DEFAULT_WINDOW};
    sw_message m;
    while (sw_input_next(&in, &ra, &m, &err) == SW_OK) {
        sw_record r;
        sw_source src = {.path = path, .format = "mbox", .index = m.index};
        CHECK(sw_record_from_mail(&ra, m.data, m.len, &src, &r, NULL) == SW_OK);
        total++;
        if (!r.has_from || strcmp(r.from.domain, "fabrikam.example"))
            continue;
        sw_evidence ev;
        memset(&ev, 0, sizeof ev);
        ev.from_org = sw_orgdomain(&org, &A, r.from.domain);
        ev.subject = r.subject;
        ev.client_ip = r.nreceived ? r.received[r.nreceived - 1].from_ip : NULL;
        ev.time = r.date_epoch;
        ev.has_time = r.has_date;
        char id[33];
        int64_t start;
        CHECK(sw_campaign_key(&A, NULL, &ev, id, NULL, &start) == SW_OK);
        CHECK(start == 1709164800);
        int k = !strcmp(id, camp[0].id) ? 0 : !strcmp(id, camp[1].id) ? 1 : -1;
        if (k < 0)
            other++;
        else
            got[k]++;
        CHECK(sw_campaign_key(&A, &nonet, &ev, id, NULL, NULL) == SW_OK);
        if (!flat_id[0])
            memcpy(flat_id, id, sizeof id);
        flat += !strcmp(id, flat_id);
    }
    sw_input_close(&in);
    sw_orgdomain_close(&org);
    sw_arena_free(&ra);
    sw_arena_free(&A);
    CHECK(total == 8);
    CHECK(other == 0);
    CHECK(got[0] == camp[0].want && got[1] == camp[1].want);
    CHECK(flat == 7);
}

/* A flagged spoof of corp.example for the store tests: key from n, one recipient. */
static void store_ev(sw_evidence *ev, sw_ev_recipient *r, int n, const char *subject)
{
    memset(ev, 0, sizeof *ev);
    snprintf(ev->key, sizeof ev->key, "%032d", n);
    ev->format = "eml";
    ev->path = "t.eml";
    ev->from_org = "corp.example";
    ev->subject = subject;
    ev->client_ip = "203.0.113.77";
    ev->has_time = 1;
    ev->time = 1709633702 + n;
    ev->verdict = SW_VERDICT_SPOOFED;
    *r = (sw_ev_recipient){.address = "ann@corp.example"};
    ev->recipients = r;
    ev->nrecipients = 1;
}

static uint64_t store_campaign_obs(sw_store *s)
{
    sw_arena a;
    sw_arena_init(&a, 1u << 20);
    sw_store_filter f = {.limit = 10};
    sw_campaign *cs = NULL;
    size_t n = 0;
    sw_error err;
    uint64_t total = 0;
    if (sw_store_campaigns(s, &a, &f, &cs, &n, &err) == 0)
        for (size_t i = 0; i < n; i++)
            total += cs[i].observations;
    sw_arena_free(&a);
    return total;
}

/* A put that fails after the campaign sums took it (here the insert, made to fail) rolls the
 * transaction back: a stopped run commits no campaign counts for a record it did not store,
 * and one too large for the store changes nothing at all. */
SW_TEST(store_failed_put_counts_nothing)
{
    sw_store *s = NULL;
    sw_error err;
    sw_error_clear(&err);
    CHECK(sw_store_open(&s, ":memory:", SW_STORE_WRITE, &err) == SW_OK);
    CHECK(sw_store_exec(s, "CREATE TEMP TRIGGER boom BEFORE INSERT ON observations"
                           " WHEN new.subject = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END;",
                        &err) == SW_OK);
    sw_store_set_batch(s, 1);
    CHECK(sw_store_run_begin(s, "test", &err) == SW_OK);
    sw_evidence ev;
    sw_ev_recipient r;
    store_ev(&ev, &r, 1, "wire transfer");
    CHECK(sw_store_put(s, &ev, NULL, 0, &err) == 1);
    sw_store_set_batch(s, 100);
    store_ev(&ev, &r, 2, "boom");
    CHECK(sw_store_put(s, &ev, NULL, 0, &err) < 0);
    /* too large for the recipients column (1 MB) */
    char *big = malloc(3u << 20);
    CHECK(big);
    memset(big, 'a', (3u << 20) - 1);
    big[(3u << 20) - 1] = '\0';
    store_ev(&ev, &r, 3, "wire transfer");
    r.address = big;
    int rc = sw_store_put(s, &ev, NULL, 0, &err);
    free(big);
    CHECK(rc < 0);
    CHECK(sw_store_run_stop(s, &err) == SW_OK);
    CHECK(sw_store_run_stats(s)->stored == 1);
    CHECK(store_campaign_obs(s) == 1);
    sw_store_close(s);
}

/* A store file and its WAL and shared-memory files. */
static void remove_store_files(const char *path)
{
    char side[64];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* Rows another connection sees in a store file: what has been committed. */
static int committed_observations(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int n = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM observations", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* A transaction's in-memory sums are bounded whatever the records per commit: records that
 * bring many distinct keys (here one campaign mailed to 2,000 new recipients a message)
 * commit early once the sums hold SW_STORE_SUMS_COMMIT keys, and every sum still comes
 * out whole at the end. */
SW_TEST(store_commits_early_when_sums_grow)
{
    char path[] = "/tmp/sw-store-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    unlink(path);
    enum { PER = 2000, MSGS = SW_STORE_SUMS_COMMIT / PER + 8 };
    sw_ev_recipient *rs = calloc(PER, sizeof *rs);
    char(*addr)[32] = calloc((size_t)PER * MSGS, sizeof *addr);
    CHECK(rs && addr);
    sw_store *s = NULL;
    sw_error err;
    sw_error_clear(&err);
    CHECK(sw_store_open(&s, path, SW_STORE_WRITE, &err) == SW_OK);
    sw_store_set_batch(s, 1000000);
    CHECK(sw_store_run_begin(s, "test", &err) == SW_OK);
    int early = -1; /* observations committed by the time the last record was put */
    for (int m = 0; m < MSGS; m++) {
        sw_evidence ev;
        sw_ev_recipient r;
        store_ev(&ev, &r, m + 1, "wire transfer");
        for (int i = 0; i < PER; i++) {
            snprintf(addr[m * PER + i], sizeof addr[0], "u%d@corp.example", m * PER + i);
            rs[i] = (sw_ev_recipient){.address = addr[m * PER + i]};
        }
        ev.recipients = rs;
        ev.nrecipients = PER;
        CHECK(sw_store_put(s, &ev, NULL, 0, &err) == 1);
        if (m == MSGS - 1)
            early = committed_observations(path);
    }
    CHECK(sw_store_run_end(s, &err) == SW_OK);
    /* the sums reached the limit after about SW_STORE_SUMS_COMMIT / PER records */
    CHECK(early >= SW_STORE_SUMS_COMMIT / PER - 1 && early < MSGS);
    CHECK(committed_observations(path) == MSGS);
    sw_arena a;
    sw_arena_init(&a, 1u << 20);
    sw_store_filter f = {.limit = 10};
    sw_campaign *cs = NULL;
    size_t n = 0;
    CHECK(sw_store_campaigns(s, &a, &f, &cs, &n, &err) == SW_OK);
    CHECK(n == 1);
    if (n == 1) {
        CHECK(cs[0].observations == MSGS);
        CHECK(cs[0].recipients == (uint64_t)PER * MSGS);
    }
    sw_arena_free(&a);
    sw_store_close(s);
    free(rs);
    free(addr);
    remove_store_files(path);
}

/* The cache of earlier runs' baselines is bounded: past SW_STORE_TABLE_SLOTS / 2 sender
 * domains in one run it stops caching, and the answers, now read from the store each time,
 * stay right. */
SW_TEST(store_history_cache_is_bounded)
{
    sw_store *s = NULL;
    sw_error err;
    sw_error_clear(&err);
    CHECK(sw_store_open(&s, ":memory:", SW_STORE_WRITE, &err) == SW_OK);
    CHECK(sw_store_run_begin(s, "first", &err) == SW_OK);
    sw_evidence ev;
    sw_ev_recipient r;
    store_ev(&ev, &r, 1, "wire transfer");
    CHECK(sw_store_put(s, &ev, NULL, 0, &err) == 1);
    CHECK(sw_store_run_end(s, &err) == SW_OK);
    CHECK(sw_store_run_begin(s, "second", &err) == SW_OK);
    sw_arena a;
    sw_arena_init(&a, 1u << 20);
    sw_history h;
    char org[48];
    for (int i = 0; i < SW_STORE_TABLE_SLOTS / 2 + 1000; i++) {
        snprintf(org, sizeof org, "sender%d.example", i);
        CHECK(sw_store_history_lookup(s, &a, org, NULL, &h) == SW_OK);
        if (h.domain_seen)
            break;
    }
    CHECK(s->seen.n <= SW_STORE_TABLE_SLOTS / 2 && s->seen.cap <= SW_STORE_TABLE_SLOTS);
    CHECK(sw_store_history_lookup(s, &a, "corp.example", NULL, &h) == SW_OK);
    CHECK(h.established && h.domain_seen);
    CHECK(sw_store_history_lookup(s, &a, "elsewhere.example", NULL, &h) == SW_OK);
    CHECK(h.established && !h.domain_seen);
    sw_arena_free(&a);
    CHECK(sw_store_run_end(s, &err) == SW_OK);
    sw_store_close(s);
}

/* The write path refuses what the read path refuses: a newer schema, and an SQLite file
 * that is some other program's (it must not get the store's tables). */
SW_TEST(store_write_refuses_newer_or_foreign)
{
    char path[] = "/tmp/sw-store-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE moz_places(id INTEGER)", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    sw_store *s = NULL;
    sw_error err;
    sw_error_clear(&err);
    int rc = sw_store_open(&s, path, SW_STORE_WRITE, &err);
    CHECK(rc != SW_OK && s == NULL);
    CHECK(strstr(err.message, "not a spoofwatch store") != NULL);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    int tables = -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        tables = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK(tables == 1);

    unlink(path);
    CHECK(sw_store_open(&s, path, SW_STORE_WRITE, &err) == SW_OK);
    CHECK(sw_store_exec(s, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", &err) ==
          SW_OK);
    sw_store_close(s);
    s = NULL;
    sw_error_clear(&err);
    rc = sw_store_open(&s, path, SW_STORE_WRITE, &err);
    CHECK(rc != SW_OK && s == NULL);
    CHECK(strstr(err.message, "newer") != NULL && strstr(err.message, path) != NULL);
    remove_store_files(path);
}

/* No statement is left on a row between puts: one would hold a read snapshot (WAL
 * checkpoints stall, a second ingest's BEGIN IMMEDIATE fails busy). */
SW_TEST(store_leaves_no_statement_on_a_row)
{
    sw_store *s = NULL;
    sw_error err;
    sw_error_clear(&err);
    CHECK(sw_store_open(&s, ":memory:", SW_STORE_WRITE, &err) == SW_OK);
    sw_evidence ev;
    sw_ev_recipient r;
    for (int run = 0; run < 2; run++) {
        CHECK(sw_store_run_begin(s, "test", &err) == SW_OK);
        store_ev(&ev, &r, 1, "wire transfer");
        ev.verdict = SW_VERDICT_PASS;
        sw_arena a;
        sw_arena_init(&a, 1u << 16);
        sw_history h;
        const sw_history_source *hs = sw_store_history(s);
        CHECK(hs->lookup(hs->ctx, &a, "corp.example", "203.0.113.77", &h) == 0);
        sw_arena_free(&a);
        CHECK(sw_store_put(s, &ev, NULL, 0, &err) == (run == 0 ? 1 : 0));
        /* the store's own cached statements (FTS5 keeps statements of its own) */
        sqlite3_stmt *mine[] = {s->obs_exists, s->hist_domain, s->hist_networks,
                                s->hist_network};
        for (size_t k = 0; k < sizeof mine / sizeof mine[0]; k++)
            CHECK(!mine[k] || !sqlite3_stmt_busy(mine[k]));
        CHECK(run == 0 || s->hist_domain);
        CHECK(sw_store_run_end(s, &err) == SW_OK);
    }
    sw_store_close(s);
}
