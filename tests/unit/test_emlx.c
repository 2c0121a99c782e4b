/* Unit tests for the Apple Mail .emlx reader (src/readers/emlx.c).
 *
 * Fixtures are project-written: C strings assembled at run time (so the count line always
 * matches what the test means it to say) and two files in tests/fixtures/emlx/. Every
 * parse runs on an exact-size heap copy so that ASan reports any read past the input.
 * sw_t_parse() owns that copy and the arena; the next sw_t_parse() or sw_t_done() frees
 * them (a test that fails a CHECK early leaks its last one, which is harmless). */
#include "test.h"

#include "spoofwatch/emlx.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sw_t_state {
    char *buf;
    size_t len;
    sw_arena arena;
    int have_arena;
    sw_emlx e;
    sw_error err;
} sw_t_state;

static sw_t_state st;

static void sw_t_done(void)
{
    free(st.buf);
    st.buf = NULL;
    if (st.have_arena)
        sw_arena_free(&st.arena);
    st.have_arena = 0;
}

/* Parses bytes[0..n) from a fresh exact-size copy; results are in st. */
static int sw_t_parse(const char *bytes, size_t n, int partial)
{
    sw_t_done();
    st.buf = malloc(n ? n : 1);
    if (n)
        memcpy(st.buf, bytes, n);
    st.len = n;
    sw_arena_init(&st.arena, 1u << 24);
    st.have_arena = 1;
    sw_error_clear(&st.err);
    memset(&st.e, 0x5a, sizeof st.e); /* the parser must set every field */
    return sw_emlx_parse(&st.arena, st.buf, n, partial, &st.e, &st.err);
}

/* "<count line><msg><tail>" with the count line printed from fmt (one %zu or %llu). */
static char *sw_t_build(const char *fmt, unsigned long long count, const char *msg,
                        const char *tail, size_t *len)
{
    char line[256];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int ln = snprintf(line, sizeof line, fmt, count);
#pragma GCC diagnostic pop
    size_t ml = strlen(msg), tl = strlen(tail);
    char *b = malloc((size_t)ln + ml + tl + 1);
    memcpy(b, line, (size_t)ln);
    memcpy(b + ln, msg, ml);
    memcpy(b + ln + ml, tail, tl + 1);
    *len = (size_t)ln + ml + tl;
    return b;
}

static int sw_t_build_parse(const char *fmt, unsigned long long count, const char *msg,
                            const char *tail, int partial)
{
    size_t n;
    char *b = sw_t_build(fmt, count, msg, tail, &n);
    int rc = sw_t_parse(b, n, partial);
    free(b);
    return rc;
}

static const char MSG[] = "From: \"Example Bank\" <alerts@example.com>\n"
                          "To: ann@example.org\n"
                          "Subject: Your statement\n"
                          "Message-ID: <stmt-1@example.com>\n"
                          "\n"
                          "Hello.\n";

#define PLIST_HEAD                                                                                 \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "                                      \
    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"                                        \
    "<plist version=\"1.0\">\n<dict>\n"
#define PLIST_TAIL "</dict>\n</plist>\n"

static const char PLIST[] =
    PLIST_HEAD "\t<key>conversation-id</key>\n\t<integer>123456</integer>\n"
               "\t<key>date-last-viewed</key>\n\t<integer>1581111111</integer>\n"
               "\t<key>date-received</key>\n\t<integer>1581000000</integer>\n"
               "\t<key>flags</key>\n\t<integer>8623489089</integer>\n"
               "\t<key>remote-id</key>\n\t<string>789</string>\n" PLIST_TAIL;

static int sw_t_contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

static int sw_t_has_name(uint64_t flags, const char *name)
{
    const char *names[32];
    size_t n = sw_emlx_flag_names(flags, names, 32);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

SW_TEST(emlx_valid)
{
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, PLIST, 0) == SW_OK);
    size_t cl = (size_t)snprintf(NULL, 0, "%zu\n", strlen(MSG));
    CHECK(st.e.msg == st.buf + cl);
    CHECK(st.e.msg_offset == cl);
    CHECK(st.e.msg_len == strlen(MSG));
    CHECK(memcmp(st.e.msg, MSG, strlen(MSG)) == 0);
    CHECK_STR(st.e.ctx.client, "apple-mail");
    CHECK(st.e.ctx.declared_length == strlen(MSG));
    CHECK(st.e.ctx.partial == 0);
    CHECK(st.e.ctx.has_date_received && st.e.ctx.date_received == 1581000000);
    CHECK(st.e.ctx.has_date_last_viewed && st.e.ctx.date_last_viewed == 1581111111);
    CHECK(st.e.ctx.has_flags && st.e.ctx.flags == 8623489089ull);
    CHECK_STR(st.e.ctx.remote_id, "789");
    /* Path facts are not the parser's job. */
    CHECK(st.e.ctx.user == NULL && st.e.ctx.account == NULL && st.e.ctx.mailbox == NULL);
    CHECK(st.e.ctx.mail_version == NULL);
    sw_t_done();
}

SW_TEST(emlx_space_padded_count)
{
    CHECK(sw_t_build_parse("%-10llu\n", strlen(MSG), MSG, PLIST, 0) == SW_OK);
    CHECK(st.e.msg_offset == 11);
    CHECK(st.e.msg_len == strlen(MSG));
    CHECK(st.e.ctx.declared_length == strlen(MSG));
    /* Left padding and tabs are tolerated the same way. */
    CHECK(sw_t_build_parse("  %llu\t \n", strlen(MSG), MSG, PLIST, 0) == SW_OK);
    CHECK(st.e.msg_len == strlen(MSG));
    CHECK(memcmp(st.e.msg, "From:", 5) == 0);
    sw_t_done();
}

SW_TEST(emlx_crlf_count_line)
{
    CHECK(sw_t_build_parse("%llu\r\n", strlen(MSG), MSG, PLIST, 0) == SW_OK);
    CHECK(st.e.msg_offset == (uint64_t)snprintf(NULL, 0, "%zu\r\n", strlen(MSG)));
    CHECK(memcmp(st.e.msg, "From:", 5) == 0);
    CHECK(st.e.msg_len == strlen(MSG));
    CHECK(sw_t_build_parse("%-10llu\r\n", strlen(MSG), MSG, PLIST, 0) == SW_OK);
    CHECK(st.e.msg_offset == 12);
    /* A CR alone is not a line end. */
    CHECK(sw_t_build_parse("%llu\rX\n", strlen(MSG), MSG, PLIST, 0) == SW_EFORMAT);
    sw_t_done();
}

SW_TEST(emlx_partial_count_larger)
{
    unsigned long long big = strlen(MSG) + 4000;
    CHECK(sw_t_build_parse("%-10llu\n", big, MSG, PLIST, 1) == SW_OK);
    CHECK(st.e.ctx.partial == 1);
    CHECK(st.e.ctx.declared_length == big);
    CHECK(st.e.msg_offset == 11);
    CHECK(st.e.msg_len == strlen(MSG));
    CHECK(memcmp(st.e.msg, MSG, strlen(MSG)) == 0);
    CHECK(st.e.ctx.has_flags && st.e.ctx.flags == 8623489089ull);
    CHECK_STR(st.e.ctx.remote_id, "789");
    /* The same bytes as a plain .emlx are a truncated file. */
    CHECK(sw_t_build_parse("%-10llu\n", big, MSG, PLIST, 0) == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "overruns"));
    /* A count smaller than the message is only a hint for .partial.emlx too. */
    CHECK(sw_t_build_parse("%llu\n", 3, MSG, PLIST, 1) == SW_OK);
    CHECK(st.e.msg_len == strlen(MSG));
    CHECK(st.e.ctx.declared_length == 3);
    sw_t_done();
}

SW_TEST(emlx_partial_xml_in_body)
{
    /* An XML part inside the message must not be taken for the trailer. */
    static const char body[] =
        "Subject: x\n\n<?xml version=\"1.0\"?><plist><dict></dict></plist>\n";
    CHECK(sw_t_build_parse("%llu\n", 99999, body, PLIST, 1) == SW_OK);
    CHECK(st.e.msg_len == strlen(body));
    CHECK(st.e.ctx.date_received == 1581000000);
    sw_t_done();
}

SW_TEST(emlx_partial_fixture_file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/emlx/count-larger.partial.emlx", sw_test_fixture_dir());
    FILE *f = fopen(path, "rb");
    if (!f)
        SKIP("tests/fixtures/emlx/count-larger.partial.emlx absent");
    char raw[4096];
    size_t n = fread(raw, 1, sizeof raw, f);
    fclose(f);
    CHECK(n > 0 && n < sizeof raw);
    CHECK(sw_t_parse(raw, n, 1) == SW_OK);
    CHECK(st.e.ctx.declared_length == 264 + 4000);
    CHECK(st.e.msg_len == 264);
    CHECK(st.e.ctx.flags == 25803358209ull);
    CHECK(sw_t_has_name(st.e.ctx.flags, "read") && sw_t_has_name(st.e.ctx.flags, "not_junk"));
    CHECK(sw_t_parse(raw, n, 0) == SW_EFORMAT);
    sw_t_done();
}

SW_TEST(emlx_valid_fixture_file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/emlx/valid.emlx", sw_test_fixture_dir());
    FILE *f = fopen(path, "rb");
    if (!f)
        SKIP("tests/fixtures/emlx/valid.emlx absent");
    char raw[4096];
    size_t n = fread(raw, 1, sizeof raw, f);
    fclose(f);
    CHECK(n > 0 && n < sizeof raw);
    CHECK(sw_t_parse(raw, n, 0) == SW_OK);
    CHECK(st.e.ctx.declared_length == 241 && st.e.msg_len == 241);
    CHECK(st.e.msg[st.e.msg_len - 1] == '\n');
    CHECK(st.e.ctx.date_received == 1700000000 && st.e.ctx.date_last_viewed == 1700000100);
    CHECK_STR(st.e.ctx.remote_id, "4242");
    sw_t_done();
}

SW_TEST(emlx_truncated)
{
    /* broken1-style: the count promises two bytes more than the file has, no plist. */
    CHECK(sw_t_build_parse("%-10llu\n", strlen(MSG) + 2, MSG, "", 0) == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "overruns"));
    CHECK(sw_t_contains(st.err.message, "offset 11"));
    CHECK(st.err.code == SW_EFORMAT);
    /* A failed parse leaves nothing that looks usable. */
    CHECK(st.e.msg == NULL && st.e.msg_len == 0 && st.e.ctx.client == NULL);
    /* broken3-style: count far beyond the bytes present, plist included. */
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG) + 500, MSG, PLIST, 0) == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "overruns"));
    sw_t_done();
}

SW_TEST(emlx_no_count_line)
{
    size_t n;
    char *b = sw_t_build("%.0llu", 0, MSG, PLIST, &n); /* headers first, no count */
    int rc = sw_t_parse(b, n, 0);
    free(b);
    CHECK(rc == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "no byte-count line"));
    CHECK(sw_t_contains(st.err.message, "offset 0"));
    static const char text[] = "this is an invalid .emlx structure\n";
    CHECK(sw_t_parse(text, strlen(text), 0) == SW_EFORMAT);
    CHECK(sw_t_parse(text, strlen(text), 1) == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "no byte-count line"));
    CHECK(sw_t_parse("", 0, 0) == SW_EFORMAT);
    CHECK(st.err.message[0] != '\0');
    CHECK(sw_t_parse("   \n", 4, 0) == SW_EFORMAT);
    CHECK(sw_t_parse("12", 2, 0) == SW_EFORMAT); /* count without a line end */
    CHECK(sw_t_parse("12x\n", 4, 0) == SW_EFORMAT);
    static const char huge[] = "99999999999999999999999\n";
    CHECK(sw_t_parse(huge, strlen(huge), 1) == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "64 bits"));
    /* Padding beyond the count-line cap is not a count line. */
    char pad[200];
    memset(pad, ' ', sizeof pad);
    pad[0] = '5';
    pad[sizeof pad - 1] = '\n';
    CHECK(sw_t_parse(pad, sizeof pad, 0) == SW_EFORMAT);
    sw_t_done();
}

SW_TEST(emlx_missing_plist)
{
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, "", 0) == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "no property list"));
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, "\n\n  \n", 0) == SW_EFORMAT);
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, "", 1) == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "no property list"));
    /* "</plist>" at the end but no "<?xml" start. */
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, "<plist><dict></dict></plist>\n", 1) ==
          SW_EFORMAT);
    /* A plain .emlx whose count is too small: the plist does not start after the count. */
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG) - 3, MSG, PLIST, 0) == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "no property list at offset"));
    sw_t_done();
}

SW_TEST(emlx_real_dates)
{
    static const char pl[] =
        PLIST_HEAD "<key>date-last-viewed</key><real>0.0</real>\n"
                   "<key>date-received</key><real>1565148386</real>\n" PLIST_TAIL;
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, pl, 0) == SW_OK);
    CHECK(st.e.ctx.has_date_last_viewed && st.e.ctx.date_last_viewed == 0);
    CHECK(st.e.ctx.has_date_received && st.e.ctx.date_received == 1565148386);
    CHECK(!st.e.ctx.has_flags && st.e.ctx.remote_id == NULL);
    static const char pl2[] =
        PLIST_HEAD "<key>date-received</key><real> 1.5651483869E9 </real>\n"
                   "<key>date-last-viewed</key><real>-12.75</real>\n" PLIST_TAIL;
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, pl2, 0) == SW_OK);
    CHECK(st.e.ctx.date_received == 1565148386);
    CHECK(st.e.ctx.date_last_viewed == -12);
    /* Unparseable numbers leave the field unset instead of inventing a time. */
    static const char pl3[] =
        PLIST_HEAD "<key>date-received</key><real>nan</real>\n"
                   "<key>date-last-viewed</key><integer>12abc</integer>\n" PLIST_TAIL;
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, pl3, 0) == SW_OK);
    CHECK(!st.e.ctx.has_date_received && !st.e.ctx.has_date_last_viewed);
    sw_t_done();
}

SW_TEST(emlx_huge_flags)
{
    uint64_t want = 1 | (1ull << 25) | (1ull << 33) | (1ull << 34);
    char pl[512];
    snprintf(pl, sizeof pl, PLIST_HEAD "<key>flags</key><integer>%" PRIu64 "</integer>" PLIST_TAIL,
             want);
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, pl, 0) == SW_OK);
    CHECK(st.e.ctx.has_flags);
    CHECK(st.e.ctx.flags == want);
    CHECK(st.e.ctx.flags >> 33 == 3);
    const char *names[16];
    CHECK(sw_emlx_flag_names(st.e.ctx.flags, names, 16) == 2);
    CHECK_STR(names[0], "read");
    CHECK_STR(names[1], "not_junk");
    static const char max[] =
        PLIST_HEAD "<key>flags</key><integer>18446744073709551615</integer>" PLIST_TAIL;
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, max, 0) == SW_OK);
    CHECK(st.e.ctx.flags == UINT64_MAX);
    static const char over[] =
        PLIST_HEAD "<key>flags</key><integer>18446744073709551616</integer>" PLIST_TAIL;
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, over, 0) == SW_OK);
    CHECK(!st.e.ctx.has_flags);
    sw_t_done();
}

SW_TEST(emlx_junk_bit)
{
    char pl[512];
    snprintf(pl, sizeof pl, PLIST_HEAD "<key>flags</key><integer>%llu</integer>" PLIST_TAIL,
             (unsigned long long)SW_EMLX_JUNK);
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, pl, 0) == SW_OK);
    CHECK(st.e.ctx.flags == (1ull << 24));
    const char *names[16];
    CHECK(sw_emlx_flag_names(st.e.ctx.flags, names, 16) == 1);
    CHECK_STR(names[0], "junk");
    CHECK(!sw_t_has_name(st.e.ctx.flags, "not_junk"));
    CHECK(sw_t_has_name(SW_EMLX_NOT_JUNK, "not_junk") && !sw_t_has_name(SW_EMLX_NOT_JUNK, "junk"));
    sw_t_done();
}

SW_TEST(emlx_flag_names_table)
{
    static const char *const want[] = {"read",   "deleted", "answered", "encrypted", "flagged",
                                       "recent", "draft",   "initial",  "forwarded", "redirected",
                                       "signed", "junk",    "not_junk"};
    const char *names[32];
    size_t n = sw_emlx_flag_names(UINT64_MAX, names, 32);
    CHECK(n == sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++)
        CHECK_STR(names[i], want[i]);
    /* Attachment count (10-15), priority (16-22) and bits 26+ are not flags. */
    CHECK(sw_emlx_flag_names(0x7ffc00ull | (UINT64_MAX << 26), names, 32) == 0);
    CHECK(sw_emlx_flag_names(SW_EMLX_SIGNED, names, 32) == 1);
    CHECK_STR(names[0], "signed");
    /* max bounds what is written. */
    CHECK(sw_emlx_flag_names(UINT64_MAX, names, 2) == 2);
    CHECK_STR(names[1], "deleted");
    CHECK(sw_emlx_flag_names(UINT64_MAX, names, 0) == 0);
}

SW_TEST(emlx_entities)
{
    static const char pl[] =
        PLIST_HEAD "<key>remote-id</key><string>a&lt;b&gt;c&amp;d&quot;e&apos;f&#65;&x;&amp</"
                   "string>" PLIST_TAIL;
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, pl, 0) == SW_OK);
    CHECK_STR(st.e.ctx.remote_id, "a<b>c&d\"e'f&#65;&x;&amp");
    /* Entities declared in an internal DTD subset are never expanded. */
    static const char dtd[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE plist [ <!ENTITY x \"boom\"> <!ENTITY y '>'> ]>\n"
        "<plist version=\"1.0\"><dict><key>remote-id</key><string>&x;</string></dict></plist>";
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, dtd, 0) == SW_OK);
    CHECK_STR(st.e.ctx.remote_id, "&x;");
    sw_t_done();
}

SW_TEST(emlx_value_kinds)
{
    /* Other value types, comments and nested containers are skipped, never misread: the
     * nested "flags" must not become the message's flags. */
    static const char pl[] =
        PLIST_HEAD "<!-- a comment -->\n"
                   "<key>color</key><string>000000</string>\n"
                   "<key>b</key><true/>\n<key>c</key><false/>\n<key>e</key><string/>\n"
                   "<key>d</key><date>2020-01-01T00:00:00Z</date>\n<key>f</key><data>AAEC</data>\n"
                   "<key>nested</key><dict><key>flags</key><integer>16777216</integer>"
                   "<key>arr</key><array><dict/><array><string>x</string></array></array></dict>\n"
                   "<key>empty</key><array/>\n"
                   "<key>flags</key><integer>1</integer>\n"
                   "<key>remote-id</key><integer> 77 </integer>\n" PLIST_TAIL;
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, pl, 0) == SW_OK);
    CHECK(st.e.ctx.has_flags && st.e.ctx.flags == 1);
    CHECK_STR(st.e.ctx.remote_id, "77");
    /* An empty top dict is fine. */
    static const char empty[] = "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>";
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, empty, 0) == SW_OK);
    CHECK(!st.e.ctx.has_flags && !st.e.ctx.has_date_received);
    /* A plist without the XML declaration still starts with <plist. */
    static const char bare[] =
        "<plist version=\"1.0\"><dict><key>flags</key><integer>2</integer></dict></plist>";
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, bare, 0) == SW_OK);
    CHECK(st.e.ctx.flags == 2);
    sw_t_done();
}

static char *sw_t_nested(int depth)
{
    size_t cap = (size_t)depth * 16 + 512;
    char *p = malloc(cap);
    size_t o = (size_t)snprintf(p, cap, "%s<key>deep</key>", PLIST_HEAD);
    for (int i = 0; i < depth; i++)
        o += (size_t)snprintf(p + o, cap - o, "<array>");
    for (int i = 0; i < depth; i++)
        o += (size_t)snprintf(p + o, cap - o, "</array>");
    snprintf(p + o, cap - o, "<key>flags</key><integer>4</integer>%s", PLIST_TAIL);
    return p;
}

SW_TEST(emlx_deep_nesting)
{
    char *ok = sw_t_nested(20);
    int rc = sw_t_build_parse("%llu\n", strlen(MSG), MSG, ok, 0);
    free(ok);
    CHECK(rc == SW_OK);
    CHECK(st.e.ctx.flags == 4);
    char *deep = sw_t_nested(5000);
    rc = sw_t_build_parse("%llu\n", strlen(MSG), MSG, deep, 0);
    free(deep);
    CHECK(rc == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "nested too deeply"));
    sw_t_done();
}

SW_TEST(emlx_malformed_plist)
{
    static const char *const bad[] = {
        PLIST_HEAD "<key>flags</key><integer>1</integer></dict>",       /* no </plist> */
        PLIST_HEAD "<key>flags</key><integer>1</integer>",              /* unterminated */
        PLIST_HEAD "<key>flags</key></dict></plist>",                   /* key without value */
        PLIST_HEAD "<key>flags</key><integer>1</real>" PLIST_TAIL,      /* mismatched close */
        PLIST_HEAD "<integer>1</integer>" PLIST_TAIL,                   /* value without key */
        PLIST_HEAD "<key>a</key><dict><key>b</key></array>" PLIST_TAIL, /* mismatched nesting */
        PLIST_HEAD "<key>a</key><blob>1</blob>" PLIST_TAIL,             /* unknown element */
        PLIST_HEAD "<!-- open comment",
        "<?xml version=\"1.0\"?><plist><array></array></plist>",             /* top is not a dict */
        "<?xml version=\"1.0\"?><!DOCTYPE plist [ <!ENTITY x \"y\"> ",       /* open DOCTYPE */
        PLIST_HEAD "<key>flags</key><integer>1</integer>" PLIST_TAIL "junk", /* trailing data */
        PLIST_HEAD "<key a=\"1>" PLIST_TAIL,                                 /* open quote in tag */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = sw_t_build_parse("%llu\n", strlen(MSG), MSG, bad[i], 0);
        if (rc != SW_EFORMAT || !st.err.message[0])
            printf("    malformed plist %zu: rc %d (%s)\n", i, rc, st.err.message);
        CHECK(rc == SW_EFORMAT);
        CHECK(sw_t_contains(st.err.message, "offset"));
    }
    CHECK(sw_t_build_parse("%llu\n", strlen(MSG), MSG, bad[3], 0) == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "malformed property list at offset"));
    sw_t_done();
}

SW_TEST(emlx_plist_cap)
{
    size_t fill = (1u << 20) + 100;
    char *pl = malloc(fill + 512);
    size_t o = (size_t)snprintf(pl, 512, "%s<key>x</key><string>", PLIST_HEAD);
    memset(pl + o, 'a', fill);
    o += fill;
    snprintf(pl + o, 512, "</string>%s", PLIST_TAIL);
    int rc = sw_t_build_parse("%llu\n", strlen(MSG), MSG, pl, 0);
    CHECK(rc == SW_ELIMIT);
    CHECK(st.err.message[0] != '\0');
    /* For .partial.emlx the backward search stops at the cap. */
    rc = sw_t_build_parse("%llu\n", strlen(MSG), MSG, pl, 1);
    free(pl);
    CHECK(rc == SW_EFORMAT);
    CHECK(sw_t_contains(st.err.message, "no property list"));
    sw_t_done();
}

SW_TEST(emlx_path_context)
{
    sw_arena a;
    sw_arena_init(&a, 1u << 20);
    sw_mail_context c;
    memset(&c, 0, sizeof c);
    sw_emlx_context_from_path(
        &a,
        "/Users/ann/Library/Mail/V10/1C2D3E4F-0000-4000-8000-123456789ABC/INBOX.mbox/"
        "9F8E7D6C-1111-4222-8333-444455556666/Data/1/2/Messages/123.emlx",
        &c);
    CHECK_STR(c.client, "apple-mail");
    CHECK_STR(c.user, "ann");
    CHECK_STR(c.mail_version, "V10");
    CHECK_STR(c.account, "1C2D3E4F-0000-4000-8000-123456789ABC");
    CHECK_STR(c.mailbox, "INBOX");

    /* Stale values are cleared when the shape is absent. */
    sw_emlx_context_from_path(
        &a, "~/Library/Mail/V9/acct/Archive.mbox/2024.mbox/S/Data/Messages/1.emlx", &c);
    CHECK(c.user == NULL);
    CHECK_STR(c.mail_version, "V9");
    CHECK_STR(c.account, "acct");
    CHECK_STR(c.mailbox, "Archive/2024");

    sw_emlx_context_from_path(
        &a, "/home/bob//Library/Mail/V10/a/Sent Messages.mbox/s/Data/Messages/9.partial.emlx", &c);
    CHECK_STR(c.user, "bob");
    CHECK_STR(c.account, "a");
    CHECK_STR(c.mailbox, "Sent Messages");

    sw_emlx_context_from_path(&a, "/Volumes/Backup/Users/carol/Library/Mail/V8/acc/INBOX.mbox", &c);
    CHECK_STR(c.user, "carol");
    CHECK_STR(c.mail_version, "V8");
    CHECK_STR(c.mailbox, "INBOX");

    sw_emlx_context_from_path(&a, "/Users/ann/Library/Mail/V10/MailData/Envelope Index", &c);
    CHECK_STR(c.mail_version, "V10");
    CHECK(c.account == NULL && c.mailbox == NULL);

    sw_emlx_context_from_path(&a, "/Users/ann/Library/Mail/V10", &c);
    CHECK_STR(c.user, "ann");
    CHECK_STR(c.mail_version, "V10");
    CHECK(c.account == NULL);

    sw_emlx_context_from_path(&a, "/srv/mail/Library/Mail/V10/acc/Data/Messages/1.emlx", &c);
    CHECK(c.user == NULL);
    CHECK_STR(c.account, "acc");
    CHECK(c.mailbox == NULL);

    static const char *const none[] = {"/tmp/x.emlx",
                                       "/Users/ann/Library/Mail/Vx/a/INBOX.mbox/1.emlx",
                                       "/Users/ann/MyLibrary/Mail/V10/a/INBOX.mbox/1.emlx",
                                       "/Users/ann/Library/Mail/V/a/b.mbox/1.emlx",
                                       "",
                                       "relative.emlx",
                                       "/Users/ann/Library/Mail/V10x/a/b.mbox/1.emlx"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        sw_emlx_context_from_path(&a, none[i], &c);
        CHECK_STR(c.client, "apple-mail");
        CHECK(c.user == NULL && c.mail_version == NULL && c.account == NULL && c.mailbox == NULL);
    }
    sw_arena_free(&a);
}
