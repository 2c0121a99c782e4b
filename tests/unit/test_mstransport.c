/* Unit tests for src/mail/mstransport.c: X-Forefront-Antispam-Report (and -Untrusted),
 * X-Microsoft-Antispam, X-Microsoft-Antispam-Mailbox-Delivery, Exchange stamps, and the
 * code meanings from shared/docs/formats.md §2.7. Headers are self-written in the shape
 * Exchange Online writes them; addresses and ids are made up. */
#include "test.h"

#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/mstransport.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* See test_tags.c: the arena is freed when the next test starts, so a failed CHECK
 * does not leak it. */
static sw_arena t_arena;
static int t_arena_live;

static sw_arena *fresh_arena(void)
{
    if (t_arena_live)
        sw_arena_free(&t_arena);
    sw_arena_init(&t_arena, SW_MAX_ARENA);
    t_arena_live = 1;
    return &t_arena;
}

__attribute__((destructor)) static void free_arena(void)
{
    if (t_arena_live)
        sw_arena_free(&t_arena);
    t_arena_live = 0;
}

static int collect(sw_arena *a, const char *msg, sw_header_block *h, sw_ms_transport *t)
{
    sw_error err;
    int rc = sw_header_scan(a, msg, strlen(msg), h, &err);
    if (rc)
        return rc;
    return sw_ms_transport_collect(a, h, t);
}

/* An EOP verdict on a message spoofing an outside domain (compauth fail, spoof
 * intelligence), delivered to Junk. */
static const char spoof_msg[] =
    "Received: from AM4PEPF00027A5F.eurprd04.prod.outlook.com (2603:10a6:20b:4f::12) by\r\n"
    " DB9PR04MB8420.eurprd04.prod.outlook.com with HTTPS; Tue, 14 Nov 2023 22:15:04 +0000\r\n"
    "Authentication-Results: spf=fail (sender IP is 203.0.113.45)\r\n"
    " smtp.mailfrom=contoso.com; dkim=none (message not signed)\r\n"
    " header.d=none;dmarc=fail action=quarantine header.from=contoso.com;compauth=fail "
    "reason=000\r\n"
    "Received-SPF: Fail (protection.outlook.com: domain of contoso.com does not\r\n"
    " designate 203.0.113.45 as permitted sender) receiver=protection.outlook.com;\r\n"
    " client-ip=203.0.113.45; helo=mail.contoso-billing.ru;\r\n"
    "X-MS-Exchange-Organization-Network-Message-Id: 5d3f1c2a-7b4e-4f0a-9c1d-08dbe5a1b2c3\r\n"
    "X-MS-Exchange-Organization-AuthSource: AM4PEPF00027A5F.eurprd04.prod.outlook.com\r\n"
    "X-MS-Exchange-Organization-AuthAs: Anonymous\r\n"
    "X-MS-Exchange-Organization-MessageDirectionality: Incoming\r\n"
    "X-MS-Exchange-Organization-SCL: 5\r\n"
    "X-Microsoft-Antispam: BCL:0;ARA:13230031|1800799015|376005|69100299015;\r\n"
    "X-Forefront-Antispam-Report:\r\n"
    " CIP:203.0.113.45;CTRY:RU;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:mail.contoso-billing.ru;"
    "PTR:mail.contoso-billing.ru;CAT:SPOOF;SFS:(13230031)(4636009)(376005)(69100299015)"
    "(1800799015);DIR:INB;SFTY:9.25;\r\n"
    "X-MS-Exchange-CrossTenant-OriginalArrivalTime: 14 Nov 2023 22:15:03.1234 (UTC)\r\n"
    "X-MS-Exchange-CrossTenant-Network-Message-Id: 5d3f1c2a-7b4e-4f0a-9c1d-08dbe5a1b2c3\r\n"
    "X-MS-Exchange-ExternalOriginalInternetSender: ip=[198.51.100.20] "
    "helo=[gw.fabrikam.example]\r\n"
    "X-Microsoft-Antispam-Mailbox-Delivery:\r\n"
    "\tucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;ENG:(5062000305)(90000117)(91005020);"
    "RF:JunkEmail;\r\n"
    "From: \"Contoso Billing\" <billing@contoso.com>\r\n"
    "\r\n"
    "Please pay.\r\n";

SW_TEST(ms_forefront_spoof_verdict)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a, spoof_msg, &h, &t) == SW_OK);
    CHECK(t.present == 1);
    CHECK(t.forefront.field_index == sw_header_find(&h, "X-Forefront-Antispam-Report", 0));
    CHECK(t.forefront.field_index >= 0);
    CHECK(t.forefront.count == 13);
    CHECK_STR(t.forefront.pairs[0].key, "CIP");
    CHECK_STR(t.forefront.pairs[0].value, "203.0.113.45");
    CHECK_STR(sw_ms_get(&t.forefront, "CTRY"), "RU");
    CHECK_STR(sw_ms_get(&t.forefront, "LANG"), "en");
    CHECK_STR(sw_ms_get(&t.forefront, "SCL"), "5");
    CHECK_STR(sw_ms_get(&t.forefront, "SRV"), "");
    CHECK_STR(sw_ms_get(&t.forefront, "IPV"), "NLI");
    CHECK_STR(sw_ms_get(&t.forefront, "SFV"), "SPM");
    CHECK_STR(sw_ms_get(&t.forefront, "H"), "mail.contoso-billing.ru");
    CHECK_STR(sw_ms_get(&t.forefront, "PTR"), "mail.contoso-billing.ru");
    CHECK_STR(sw_ms_get(&t.forefront, "CAT"), "SPOOF");
    CHECK_STR(sw_ms_get(&t.forefront, "SFS"),
              "(13230031)(4636009)(376005)(69100299015)(1800799015)");
    CHECK_STR(sw_ms_get(&t.forefront, "DIR"), "INB");
    CHECK_STR(sw_ms_get(&t.forefront, "SFTY"), "9.25");
    CHECK_STR(sw_ms_get(&t.forefront, "sfv"), "SPM"); /* lookups ignore case */
    CHECK(sw_ms_get(&t.forefront, "PCL") == NULL);
    CHECK_STR(sw_ms_meaning("CAT", sw_ms_get(&t.forefront, "CAT")), "spoofing");
    CHECK_STR(sw_ms_meaning("SFV", sw_ms_get(&t.forefront, "SFV")), "spam");
    /* No -Untrusted copy in this message. */
    CHECK(t.forefront_untrusted.field_index == -1);
    CHECK(t.forefront_untrusted.count == 0);
    CHECK(sw_ms_get(&t.forefront_untrusted, "SFV") == NULL);
}

SW_TEST(ms_antispam_and_mailbox_delivery)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a, spoof_msg, &h, &t) == SW_OK);
    CHECK(t.antispam.field_index == sw_header_find(&h, "X-Microsoft-Antispam", 0));
    CHECK(t.antispam.count == 2);
    CHECK_STR(sw_ms_get(&t.antispam, "BCL"), "0");
    CHECK_STR(sw_ms_get(&t.antispam, "ARA"), "13230031|1800799015|376005|69100299015");
    CHECK_STR(t.mailbox_delivery, "ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;"
                                  "ENG:(5062000305)(90000117)(91005020);RF:JunkEmail;");
    CHECK_STR(t.delivery_dest, "J");
    CHECK_STR(sw_ms_meaning("dest", t.delivery_dest), "delivered to the Junk Email folder");
}

SW_TEST(ms_exchange_stamps)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a, spoof_msg, &h, &t) == SW_OK);
    CHECK_STR(t.network_message_id, "5d3f1c2a-7b4e-4f0a-9c1d-08dbe5a1b2c3");
    CHECK_STR(t.crosstenant_network_message_id, "5d3f1c2a-7b4e-4f0a-9c1d-08dbe5a1b2c3");
    CHECK_STR(t.auth_as, "Anonymous");
    CHECK_STR(t.auth_source, "AM4PEPF00027A5F.eurprd04.prod.outlook.com");
    CHECK_STR(t.directionality, "Incoming");
    CHECK_STR(t.org_scl, "5");
    CHECK_STR(t.crosstenant_original_arrival, "14 Nov 2023 22:15:03.1234 (UTC)");
    CHECK_STR(t.external_original_sender, "ip=[198.51.100.20] helo=[gw.fabrikam.example]");
    CHECK(sw_ms_meaning("AuthAs", t.auth_as) != NULL);
}

SW_TEST(ms_ipv6_cip_splits_on_first_colon)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a,
                  "X-Forefront-Antispam-Report: CIP:2a01:111:f403:c200::1;CTRY:IE;LANG:en;"
                  "SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:EUR02-VI1-obe.outbound.protection.outlook.com;"
                  "PTR:mail-vi1eur02on2071.outbound.protection.outlook.com;CAT:NONE;"
                  "SFS:(13230031)(1800799015);DIR:INB;\r\n\r\n",
                  &h, &t) == SW_OK);
    CHECK_STR(sw_ms_get(&t.forefront, "CIP"), "2a01:111:f403:c200::1");
    CHECK_STR(sw_ms_get(&t.forefront, "SFV"), "NSPM");
    CHECK_STR(sw_ms_get(&t.forefront, "H"), "EUR02-VI1-obe.outbound.protection.outlook.com");
    CHECK(t.forefront.count == 12);
}

/* Cross-tenant delivery: the sender's tenant verdict is kept under -Untrusted, the
 * receiving tenant's own report sits above it. */
static const char crosstenant_msg[] =
    "X-Forefront-Antispam-Report: CIP:40.107.22.91;CTRY:NL;LANG:en;SCL:1;SRV:;IPV:NLI;"
    "SFV:NSPM;H:EUR05-AM6-obe.outbound.protection.outlook.com;"
    "PTR:mail-am6eur05on2091.outbound.protection.outlook.com;CAT:NONE;"
    "SFS:(13230031)(1800799015);DIR:INB;\r\n"
    "X-MS-Exchange-Transport-CrossTenantHeadersStamped: AS8PR03MB8690\r\n"
    "X-Forefront-Antispam-Report-Untrusted:\r\n"
    " CIP:255.255.255.255;CTRY:;LANG:en;SCL:-1;SRV:;IPV:CAL;SFV:SKN;"
    "H:AS8PR03MB8690.eurprd03.prod.outlook.com;PTR:;CAT:NONE;SFS:(13230031)(366004);"
    "DIR:OUT;SFP:1101;\r\n"
    "\r\n";

SW_TEST(ms_untrusted_kept_apart)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a, crosstenant_msg, &h, &t) == SW_OK);
    CHECK(t.forefront.field_index == 0);
    CHECK(t.forefront_untrusted.field_index == 2);
    CHECK_STR(sw_ms_get(&t.forefront, "CIP"), "40.107.22.91");
    CHECK_STR(sw_ms_get(&t.forefront, "SFV"), "NSPM");
    CHECK_STR(sw_ms_get(&t.forefront_untrusted, "CIP"), "255.255.255.255");
    CHECK_STR(sw_ms_get(&t.forefront_untrusted, "SFV"), "SKN");
    CHECK_STR(sw_ms_get(&t.forefront_untrusted, "CTRY"), "");
    CHECK_STR(sw_ms_get(&t.forefront_untrusted, "DIR"), "OUT");
    CHECK_STR(sw_ms_get(&t.forefront_untrusted, "SFP"), "1101");
    CHECK(sw_ms_get(&t.forefront, "SFP") == NULL);
    CHECK(t.present);
}

SW_TEST(ms_untrusted_only_is_not_a_verdict)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a,
                  "X-Forefront-Antispam-Report-Untrusted: CIP:255.255.255.255;SCL:-1;SFV:SKN;\r\n"
                  "\r\n",
                  &h, &t) == SW_OK);
    CHECK(t.forefront.field_index == -1);
    CHECK(t.forefront.count == 0);
    CHECK(sw_ms_get(&t.forefront, "SFV") == NULL);
    CHECK_STR(sw_ms_get(&t.forefront_untrusted, "SFV"), "SKN");
    CHECK(t.present);
}

SW_TEST(ms_topmost_instance_wins)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a,
                  "X-Forefront-Antispam-Report: CIP:192.0.2.1;SFV:SPM;\r\n"
                  "X-Microsoft-Antispam: BCL:7;\r\n"
                  "X-Microsoft-Antispam-Mailbox-Delivery: dest:J;\r\n"
                  "X-MS-Exchange-Organization-AuthAs: Anonymous\r\n"
                  "X-Forefront-Antispam-Report: CIP:198.51.100.1;SFV:SKA;\r\n"
                  "X-Microsoft-Antispam: BCL:0;\r\n"
                  "X-Microsoft-Antispam-Mailbox-Delivery: dest:I;\r\n"
                  "X-MS-Exchange-Organization-AuthAs: Internal\r\n"
                  "\r\n",
                  &h, &t) == SW_OK);
    CHECK(t.forefront.field_index == 0);
    CHECK_STR(sw_ms_get(&t.forefront, "SFV"), "SPM");
    CHECK_STR(sw_ms_get(&t.antispam, "BCL"), "7");
    CHECK_STR(t.delivery_dest, "J");
    CHECK_STR(t.auth_as, "Anonymous");
}

SW_TEST(ms_pair_syntax_edges)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a,
                  "X-Forefront-Antispam-Report: ;; sfv : nspm ;SRV:;noColon; :orphan;"
                  "ARC:AAR=pass;  SCL:1  \r\n\r\n",
                  &h, &t) == SW_OK);
    CHECK(t.forefront.count == 6);
    CHECK_STR(t.forefront.pairs[0].key, "SFV");
    CHECK_STR(t.forefront.pairs[0].value, "nspm");
    CHECK_STR(t.forefront.pairs[1].key, "SRV");
    CHECK_STR(t.forefront.pairs[1].value, "");
    CHECK_STR(t.forefront.pairs[2].key, "NOCOLON");
    CHECK_STR(t.forefront.pairs[2].value, "");
    CHECK_STR(t.forefront.pairs[3].key, "");
    CHECK_STR(t.forefront.pairs[3].value, "orphan");
    CHECK_STR(sw_ms_get(&t.forefront, "ARC"), "AAR=pass");
    CHECK_STR(sw_ms_get(&t.forefront, "SCL"), "1");
}

/* The pair reading as the header comment of parse_pairs words it, a byte at a time:
 * fragments split on ';' and trimmed, empty ones skipped, the key up to the first ':'
 * (trimmed, upper-cased), the value after it (trimmed), no ':' meaning an empty value. */
static int pairs_match_reference(const char *s, size_t n, const sw_ms_antispam *r)
{
    size_t count = 0, i = 0;
    while (i < n && count < r->count + 1) {
        size_t fb = i, fe = i;
        while (fe < n && s[fe] != ';')
            fe++;
        i = fe < n ? fe + 1 : n;
        while (fb < fe && (s[fb] == ' ' || s[fb] == '\t' || s[fb] == '\r' || s[fb] == '\n'))
            fb++;
        while (fe > fb && (s[fe - 1] == ' ' || s[fe - 1] == '\t' || s[fe - 1] == '\r' ||
                           s[fe - 1] == '\n'))
            fe--;
        if (fb == fe)
            continue;
        size_t colon = fb;
        while (colon < fe && s[colon] != ':')
            colon++;
        size_t ke = colon, vb = colon < fe ? colon + 1 : fe, ve = fe;
        while (ke > fb && (s[ke - 1] == ' ' || s[ke - 1] == '\t' || s[ke - 1] == '\r' ||
                           s[ke - 1] == '\n'))
            ke--;
        while (vb < ve && (s[vb] == ' ' || s[vb] == '\t' || s[vb] == '\r' || s[vb] == '\n'))
            vb++;
        char key[600], val[600];
        size_t kn = 0, vn = 0;
        for (size_t k = fb; k < ke && kn < sizeof key - 1; k++)
            key[kn++] = (char)(s[k] >= 'a' && s[k] <= 'z' ? s[k] - 'a' + 'A' : s[k]);
        key[kn] = '\0';
        for (size_t k = vb; k < ve && vn < sizeof val - 1; k++)
            val[vn++] = s[k];
        val[vn] = '\0';
        if (count >= r->count || strcmp(r->pairs[count].key, key) ||
            strcmp(r->pairs[count].value, val))
            return 0;
        count++;
    }
    return count == r->count;
}

SW_TEST(ms_pairs_match_reference_on_generated_reports)
{
    static const char *const piece[] = {
        "CIP", ":",  ";",   " ",          "\t", "sfv", "Ab", "x:y", "CIP:2001:db8::1",
        "SFS:(13230031)(4636009)", "0123456789abcdef", "0123456789abcde;", "::", ";;",
        "\xc3\xa9", "zZ", "@", "H:mx.example.com", "  :v", "k: v ;", "\r\n\t", "a\r\n :b",
    };
    const size_t npiece = sizeof piece / sizeof piece[0];
    uint32_t seed = 777;
    char val[1200], msg[1400];
    for (int round = 0; round < 5000; round++) {
        size_t n = 0;
        int parts = (int)(seed % 30) + 1;
        for (int k = 0; k < parts; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *pc = piece[(seed >> 16) % npiece];
            size_t pl = strlen(pc);
            if (n + pl >= sizeof val)
                break;
            memcpy(val + n, pc, pl);
            n += pl;
        }
        seed = seed * 1103515245u + 12345u;
        val[n] = '\0';
        /* a value that starts with a letter, so the header scanner keeps all of it */
        snprintf(msg, sizeof msg, "X-Forefront-Antispam-Report: A%s\r\n\r\n", val);
        sw_arena *a = fresh_arena();
        sw_header_block h;
        sw_ms_transport t;
        CHECK(collect(a, msg, &h, &t) == SW_OK);
        CHECK(t.forefront.field_index >= 0);
        const sw_header_field *f = &h.fields[t.forefront.field_index];
        int same = pairs_match_reference(f->value, f->value_len, &t.forefront);
        if (!same)
            fprintf(stderr, "ms_pairs_match_reference: round %d differs: %s\n", round, val);
        CHECK(same);
    }
}

/* sw_ms_get against strcasecmp over every stored key: the query is folded once and the
 * stored keys (upper-cased by the parse) compared byte for byte, which must give the same
 * answer for any case, prefix, empty key, 8-bit byte, a NUL inside a key, and a query
 * longer than the fold buffer. */
static const char *get_reference(const sw_ms_antispam *r, const char *key)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcasecmp(r->pairs[i].key, key) == 0)
            return r->pairs[i].value;
    return NULL;
}

SW_TEST(ms_get_matches_strcasecmp)
{
    sw_arena *a = fresh_arena();
    char longkey[200];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    char value[400];
    snprintf(value, sizeof value,
             "CIP:1;ctry:2;Cat:3;CA:4;CATS:5;\xe9T:6;:7;%s:8;%.64s:9;%.63s:10;h", longkey,
             longkey, longkey);
    size_t n = strlen(value);
    memcpy(value + n, ";N\0UL:11", 9); /* a NUL inside a key: the key ends there */
    n += 9;
    char msg[800];
    int hn = snprintf(msg, sizeof msg, "X-Forefront-Antispam-Report: ");
    memcpy(msg + hn, value, n);
    memcpy(msg + hn + n, "\r\n\r\n", 5);
    sw_header_block h;
    sw_error err;
    CHECK(sw_header_scan(a, msg, (size_t)hn + n + 4, &h, &err) == SW_OK);
    sw_ms_transport t;
    CHECK(sw_ms_transport_collect(a, &h, &t) == SW_OK);
    CHECK(t.forefront.count >= 12);
    char k64[65], k63[64], k65[66];
    memset(k64, 'K', 64);
    k64[64] = '\0';
    memset(k63, 'k', 63);
    k63[63] = '\0';
    memset(k65, 'k', 65);
    k65[65] = '\0';
    const char *queries[] = {"CAT", "cat", "cAt",  "CA",   "C",   "CATS", "cats", "CIP",
                             "CTRY", "\xe9t", "\xe9T", "",     "H",   "h",    "N",    "N\0UL",
                             longkey, k64,   k63,   k65,    "ZZZ", "CATX", "CI"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        const char *want = get_reference(&t.forefront, queries[i]);
        const char *got = sw_ms_get(&t.forefront, queries[i]);
        CHECK(want == got);
    }
    CHECK_STR(sw_ms_get(&t.forefront, "cat"), "3");
    CHECK_STR(sw_ms_get(&t.forefront, ""), "7");
    CHECK_STR(sw_ms_get(&t.forefront, k64), "9");
    CHECK_STR(sw_ms_get(&t.forefront, k63), "10");
    CHECK_STR(sw_ms_get(&t.forefront, longkey), "8");
    CHECK(sw_ms_get(&t.forefront, k65) == NULL);
    sw_ms_antispam empty = {NULL, 0, -1};
    CHECK(sw_ms_get(&empty, "CAT") == NULL);
}

/* The presence walk gates each group of lookups on its prefix: a block with only one of
 * the three prefixes gets that group's values and none of the others', a malformed name
 * ("X-MS-Exchange-... :") neither sets present nor is read, and a stamp that comes after
 * all the others is still found. */
SW_TEST(ms_lookups_gated_by_prefix)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a, "X-MS-Exchange-Organization-AuthAs: Internal\r\n\r\n", &h, &t) ==
          SW_OK);
    CHECK(t.present);
    CHECK_STR(t.auth_as, "Internal");
    CHECK(t.forefront.field_index == -1 && t.forefront.count == 0);
    CHECK(t.forefront_untrusted.field_index == -1);
    CHECK(t.antispam.field_index == -1 && t.antispam.count == 0);
    CHECK(t.mailbox_delivery == NULL && t.delivery_dest == NULL);

    a = fresh_arena();
    CHECK(collect(a,
                  "x-microsoft-antispam-mailbox-delivery: ucf:0;dest:C;\r\n"
                  "X-MS-Exchange-Organization-SCL : 9\r\n\r\n",
                  &h, &t) == SW_OK);
    CHECK(t.present);
    CHECK_STR(t.delivery_dest, "C");
    CHECK(t.antispam.field_index == -1);
    CHECK(t.org_scl == NULL);

    a = fresh_arena();
    CHECK(collect(a, "X-MS-Exchange-Organization-SCL : 9\r\nX-Forefront: x\r\n\r\n", &h,
                  &t) == SW_OK);
    CHECK(!t.present);
    CHECK(t.org_scl == NULL);

    a = fresh_arena();
    CHECK(collect(a,
                  "X-Forefront-Antispam-Report-Untrusted: SFV:SPM\r\n"
                  "X-Microsoft-Antispam: BCL:3;\r\n"
                  "From: a@b.example\r\n"
                  "X-MS-Exchange-Organization-MessageDirectionality: Originating\r\n"
                  "X-Forefront-Antispam-Report: SFV:NSPM;CAT:NONE\r\n"
                  "X-MS-Exchange-CrossTenant-Network-Message-Id: abc\r\n\r\n",
                  &h, &t) == SW_OK);
    CHECK(t.present);
    CHECK(t.forefront.field_index == 4);
    CHECK(t.forefront_untrusted.field_index == 0);
    CHECK_STR(sw_ms_get(&t.forefront, "cat"), "NONE");
    CHECK_STR(sw_ms_get(&t.forefront_untrusted, "SFV"), "SPM");
    CHECK_STR(sw_ms_get(&t.antispam, "BCL"), "3");
    CHECK_STR(t.directionality, "Originating");
    CHECK_STR(t.crosstenant_network_message_id, "abc");
    CHECK(t.auth_as == NULL);
}

SW_TEST(ms_pairs_capped)
{
    sw_arena *a = fresh_arena();
    static char msg[8192];
    size_t n = (size_t)snprintf(msg, sizeof msg, "X-Microsoft-Antispam: ");
    for (int k = 0; k < 300; k++)
        n += (size_t)snprintf(msg + n, sizeof msg - n, "K%d:%d;", k, k);
    snprintf(msg + n, sizeof msg - n, "\r\n\r\n");
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a, msg, &h, &t) == SW_OK);
    CHECK(t.antispam.count > 0);
    CHECK(t.antispam.count < 300);
    CHECK_STR(sw_ms_get(&t.antispam, "K0"), "0");
}

SW_TEST(ms_delivery_dest_inbox_and_absent)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a,
                  "X-Microsoft-Antispam-Mailbox-Delivery:\r\n"
                  "\twl:1;pcwl:1;ucf:0;jmr:0;ex:0;auth:0;dest:I;OFR:TrustedSenderList;"
                  "ENG:(5062000305)(920221119095);\r\n\r\n",
                  &h, &t) == SW_OK);
    CHECK_STR(t.delivery_dest, "I");
    CHECK(t.present);
    CHECK(collect(a, "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;\r\n\r\n", &h, &t) ==
          SW_OK);
    CHECK_STR(t.mailbox_delivery, "ucf:0;jmr:0;");
    CHECK(t.delivery_dest == NULL);
}

SW_TEST(ms_no_microsoft_headers)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a,
                  "From: a@example.com\r\n"
                  "X-Forefront-Antispam-Report : SFV:SKA\r\n" /* malformed name never counts */
                  "X-Mailer: Microsoft Outlook 16.0\r\n"
                  "\r\n",
                  &h, &t) == SW_OK);
    CHECK(t.present == 0);
    CHECK(t.forefront.field_index == -1);
    CHECK(t.forefront_untrusted.field_index == -1);
    CHECK(t.antispam.field_index == -1);
    CHECK(t.mailbox_delivery == NULL && t.delivery_dest == NULL);
    CHECK(t.network_message_id == NULL && t.auth_as == NULL && t.org_scl == NULL);
}

SW_TEST(ms_other_exchange_header_sets_present)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a, "X-MS-Exchange-Transport-EndToEndLatency: 00:00:01.2345678\r\n\r\n", &h, &t) ==
          SW_OK);
    CHECK(t.present == 1);
    CHECK(t.forefront.field_index == -1);
}

/* ---- meanings ---- */

SW_TEST(ms_meaning_sfv_codes)
{
    const char *codes[] = {"BLK", "NSPM", "SFE", "SKA", "SKB", "SKN",
                           "SKQ", "SKS",  "SPM", "SKI", "DMS"};
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++) {
        if (!sw_ms_meaning("SFV", codes[k]))
            printf("    SFV:%s has no meaning\n", codes[k]);
        CHECK(sw_ms_meaning("SFV", codes[k]) != NULL);
    }
    CHECK_STR(sw_ms_meaning("SFV", "SPM"), "spam");
    CHECK_STR(sw_ms_meaning("SFV", "NSPM"), "not spam");
    CHECK_STR(sw_ms_meaning("SFV", "SKQ"), "released from quarantine");
    CHECK(strstr(sw_ms_meaning("SFV", "SFE"), "Safe Senders") != NULL);
    CHECK(strstr(sw_ms_meaning("SFV", "BLK"), "Blocked Senders") != NULL);
    CHECK(strstr(sw_ms_meaning("SFV", "SKB"), "block list") != NULL);
    CHECK(strstr(sw_ms_meaning("SFV", "SKA"), "allow list") != NULL);
    CHECK(sw_ms_meaning("SFV", "SPAM") == NULL);
    CHECK(sw_ms_meaning("SFV", "") == NULL);
    CHECK_STR(sw_ms_meaning("sfv", "spm"), "spam");
}

SW_TEST(ms_meaning_cat_codes)
{
    static const struct {
        const char *code, *meaning;
    } want[] = {
        {"AMP", "anti-malware"},
        {"BIMP", "brand impersonation"},
        {"BULK", "bulk"},
        {"DIMP", "domain impersonation"},
        {"FTBP", "anti-malware common attachments filter"},
        {"GIMP", "mailbox intelligence impersonation"},
        {"HPHSH", "high confidence phishing"},
        {"HPHISH", "high confidence phishing"},
        {"HSPM", "high confidence spam"},
        {"INTOS", "intra-organisation phishing"},
        {"MALW", "malware"},
        {"OSPM", "outbound spam"},
        {"PHSH", "phishing"},
        {"SAP", "Safe Attachments"},
        {"SPM", "spam"},
        {"SPOOF", "spoofing"},
        {"UIMP", "user impersonation"},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        CHECK_STR(sw_ms_meaning("CAT", want[k].code), want[k].meaning);
    /* NONE is common in real headers but undocumented: no guessed meaning. */
    CHECK(sw_ms_meaning("CAT", "NONE") == NULL);
}

SW_TEST(ms_meaning_ipv_dir_sfty_srv)
{
    CHECK(strstr(sw_ms_meaning("IPV", "CAL"), "IP Allow List") != NULL);
    CHECK(strstr(sw_ms_meaning("IPV", "NLI"), "not found") != NULL);
    CHECK(sw_ms_meaning("IPV", "BLK") == NULL);
    CHECK_STR(sw_ms_meaning("DIR", "INB"), "inbound message");
    CHECK_STR(sw_ms_meaning("DIR", "OUT"), "outbound message");
    CHECK_STR(sw_ms_meaning("DIR", "INT"), "internal message");
    CHECK(sw_ms_meaning("DIR", "IN") == NULL);
    CHECK(strstr(sw_ms_meaning("SFTY", "9.19"), "domain impersonation") != NULL);
    CHECK(strstr(sw_ms_meaning("SFTY", "9.20"), "user impersonation") != NULL);
    CHECK(strstr(sw_ms_meaning("SFTY", "9.25"), "first contact") != NULL);
    CHECK(sw_ms_meaning("SFTY", "9.1") == NULL);
    CHECK(sw_ms_meaning("SFTY", "") == NULL);
    CHECK(strstr(sw_ms_meaning("SRV", "BULK"), "bulk") != NULL);
    CHECK(sw_ms_meaning("SRV", "") == NULL);
}

SW_TEST(ms_meaning_scl)
{
    CHECK(strstr(sw_ms_meaning("SCL", "-1"), "skipped") != NULL);
    CHECK_STR(sw_ms_meaning("SCL", "0"), "not spam");
    CHECK_STR(sw_ms_meaning("SCL", "1"), "not spam");
    CHECK_STR(sw_ms_meaning("SCL", "2"), "not spam (low)");
    CHECK_STR(sw_ms_meaning("SCL", "3"), "not spam (low)");
    CHECK_STR(sw_ms_meaning("SCL", "4"), "not spam (low)");
    CHECK_STR(sw_ms_meaning("SCL", "5"), "spam");
    CHECK_STR(sw_ms_meaning("SCL", "6"), "spam");
    CHECK_STR(sw_ms_meaning("SCL", "7"), "spam");
    CHECK_STR(sw_ms_meaning("SCL", "8"), "spam");
    CHECK_STR(sw_ms_meaning("SCL", "9"), "high confidence spam");
    const char *bad[] = {"10", "-2", "", "-", "5a", " 5", "+5", "0x5", "99999"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        if (sw_ms_meaning("SCL", bad[k]))
            printf("    SCL:\"%s\" has a meaning\n", bad[k]);
        CHECK(sw_ms_meaning("SCL", bad[k]) == NULL);
    }
}

SW_TEST(ms_meaning_bcl)
{
    CHECK_STR(sw_ms_meaning("BCL", "0"), "not from a bulk sender");
    for (int v = 1; v <= 9; v++) {
        char s[16];
        snprintf(s, sizeof s, "%d", v);
        const char *m = sw_ms_meaning("BCL", s);
        CHECK(m != NULL);
        CHECK(strstr(m, "bulk sender") != NULL);
        /* MHA flags 6-9; lower levels must not read as noteworthy. */
        CHECK((strstr(m, "noteworthy") != NULL) == (v >= 6));
    }
    CHECK(strstr(sw_ms_meaning("BCL", "9"), "high number") != NULL);
    CHECK(sw_ms_meaning("BCL", "10") == NULL);
    CHECK(sw_ms_meaning("BCL", "-1") == NULL);
}

SW_TEST(ms_meaning_dest_authas_directionality)
{
    CHECK_STR(sw_ms_meaning("dest", "I"), "delivered to the Inbox");
    CHECK_STR(sw_ms_meaning("dest", "J"), "delivered to the Junk Email folder");
    CHECK_STR(sw_ms_meaning("DEST", "C"), "delivered to a custom folder");
    CHECK(sw_ms_meaning("dest", "D") == NULL); /* not documented: unknown */
    CHECK(sw_ms_meaning("dest", "") == NULL);
    const char *auth[] = {"Anonymous", "Internal", "Partner", "External"};
    for (size_t k = 0; k < 4; k++)
        CHECK(sw_ms_meaning("AuthAs", auth[k]) != NULL);
    CHECK(strstr(sw_ms_meaning("AuthAs", "Anonymous"), "not authenticated") != NULL);
    CHECK(sw_ms_meaning("AuthAs", "Guest") == NULL);
    CHECK(sw_ms_meaning("MessageDirectionality", "Incoming") != NULL);
    CHECK(sw_ms_meaning("MessageDirectionality", "Originating") != NULL);
}

SW_TEST(ms_meaning_unknown_and_null)
{
    CHECK(sw_ms_meaning("CIP", "192.0.2.1") == NULL);
    CHECK(sw_ms_meaning("SFS", "(13230031)") == NULL);
    CHECK(sw_ms_meaning("XYZ", "SPM") == NULL);
    CHECK(sw_ms_meaning(NULL, "SPM") == NULL);
    CHECK(sw_ms_meaning("SFV", NULL) == NULL);
}

SW_TEST(ms_key_names)
{
    const char *keys[] = {"CIP", "CTRY", "LANG", "H",   "PTR", "SCL", "PCL", "SFV",
                          "IPV", "CAT",  "SFTY", "SRV", "DIR", "SFS", "ARC", "BCL"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        if (!sw_ms_key_name(keys[k]))
            printf("    key %s has no name\n", keys[k]);
        CHECK(sw_ms_key_name(keys[k]) != NULL);
    }
    CHECK_STR(sw_ms_key_name("SCL"), "spam confidence level");
    CHECK_STR(sw_ms_key_name("PCL"), "phishing confidence level");
    CHECK_STR(sw_ms_key_name("BCL"), "bulk complaint level");
    CHECK_STR(sw_ms_key_name("CIP"), "connecting IP address");
    CHECK_STR(sw_ms_key_name("SFV"), "spam filtering verdict");
    CHECK_STR(sw_ms_key_name("scl"), "spam confidence level");
    CHECK(sw_ms_key_name("SFP") == NULL);
    CHECK(sw_ms_key_name("ARA") == NULL);
    CHECK(sw_ms_key_name(NULL) == NULL);
}

SW_TEST(ms_every_documented_pair_of_spoof_report_explained)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    sw_ms_transport t;
    CHECK(collect(a, spoof_msg, &h, &t) == SW_OK);
    for (size_t k = 0; k < t.forefront.count; k++) {
        const sw_ms_pair *p = &t.forefront.pairs[k];
        CHECK(sw_ms_key_name(p->key) != NULL);
        /* Coded keys with a non-empty value must decode. */
        if (!strcmp(p->key, "SFV") || !strcmp(p->key, "CAT") || !strcmp(p->key, "IPV") ||
            !strcmp(p->key, "DIR") || !strcmp(p->key, "SCL") || !strcmp(p->key, "SFTY"))
            CHECK(sw_ms_meaning(p->key, p->value) != NULL);
    }
}
