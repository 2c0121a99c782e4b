/* Unit tests for the CSV reader (src/readers/logs/csv.c) and the CSV / tracking-log
 * sniffer (logcsv.c): RFC 4180 quoting, line ends, BOMs, UTF-16, #TYPE and '#' lines,
 * malformed records and where reading resumes, header lookup. Inputs are literals. */
#include "test.h"

#include "spoofwatch/csv.h"
#include "spoofwatch/input.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/logsource.h"

#include <stdlib.h>
#include <string.h>

static sw_arena t_arena;
static int t_arena_live;
static sw_csv t_csv;
static int t_csv_live;

static sw_arena *fresh_arena(void)
{
    if (t_arena_live)
        sw_arena_free(&t_arena);
    sw_arena_init(&t_arena, SW_MAX_ARENA);
    t_arena_live = 1;
    return &t_arena;
}

/* Opens text (len bytes) in the test's reader, closing the previous one. */
static sw_csv *open_csv(const char *text, size_t len, unsigned flags)
{
    if (t_csv_live)
        sw_csv_close(&t_csv);
    sw_error err;
    t_csv_live = sw_csv_open(&t_csv, text, len, flags, &err) == SW_OK;
    return t_csv_live ? &t_csv : NULL;
}

__attribute__((destructor)) static void free_all(void)
{
    if (t_arena_live)
        sw_arena_free(&t_arena);
    if (t_csv_live)
        sw_csv_close(&t_csv);
    t_arena_live = t_csv_live = 0;
}

SW_TEST(csv_quotes_doubled_quotes_and_line_breaks)
{
    const char *t = "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",,last\n";
    sw_arena *a = fresh_arena();
    sw_csv *r = open_csv(t, strlen(t), 0);
    CHECK(r);
    sw_csv_record rec;
    sw_error err;
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK(rec.nfields == 3 && rec.line == 1);
    CHECK_STR(rec.fields[1], "b,c");
    CHECK_STR(rec.fields[2], "say \"hi\"");
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK(rec.line == 2 && rec.nfields == 3);
    CHECK_STR(rec.fields[0], "multi\nline");
    CHECK_STR(rec.fields[1], "");
    CHECK_STR(rec.fields[2], "last");
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_ENOTFOUND);
}

SW_TEST(csv_trailing_empty_field_and_no_final_newline)
{
    const char *t = "x,y,\r\nlast,row";
    sw_arena *a = fresh_arena();
    sw_csv *r = open_csv(t, strlen(t), 0);
    sw_csv_record rec;
    sw_error err;
    CHECK(r && sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK(rec.nfields == 3);
    CHECK_STR(rec.fields[2], "");
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK_STR(rec.fields[1], "row");
    CHECK(rec.line == 2);
}

SW_TEST(csv_bom_and_type_line_skipped)
{
    const char *t = "\xEF\xBB\xBF#TYPE Selected.System.Object\n\"A\",\"B\"\n1,2\n";
    sw_arena *a = fresh_arena();
    sw_csv *r = open_csv(t, strlen(t), 0);
    sw_csv_record rec;
    sw_error err;
    CHECK(r && sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK(rec.line == 2);
    CHECK_STR(rec.fields[0], "A");
}

SW_TEST(csv_utf16_le_and_be_converted)
{
    /* "Ä,b\n" with a BOM, both byte orders */
    const char le[] = "\xFF\xFE\xC4\x00,\x00\x62\x00\n\x00";
    const char be[] = "\xFE\xFF\x00\xC4\x00,\x00\x62\x00\n";
    const char *in[2] = {le, be};
    for (int i = 0; i < 2; i++) {
        sw_arena *a = fresh_arena();
        sw_csv *r = open_csv(in[i], sizeof le - 1, 0);
        sw_csv_record rec;
        sw_error err;
        CHECK(r && sw_csv_next(r, a, &rec, &err) == SW_OK);
        CHECK(r->encoding == (i ? SW_CSV_UTF16BE : SW_CSV_UTF16LE));
        CHECK(rec.nfields == 2);
        CHECK_STR(rec.fields[0], "\xC3\x84");
        CHECK_STR(rec.fields[1], "b");
    }
}

SW_TEST(csv_malformed_records_reported_and_neighbours_read)
{
    const char *t = "ok,1\n\"bad\"x,2\nok,3\n\"open,4\nok,5\n";
    sw_arena *a = fresh_arena();
    sw_csv *r = open_csv(t, strlen(t), 0);
    sw_csv_record rec;
    sw_error err;
    CHECK(r && sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_EFORMAT);
    CHECK(rec.line == 2);
    CHECK(strstr(err.message, "after a closing quote"));
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK_STR(rec.fields[1], "3");
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_EFORMAT);
    CHECK(rec.line == 4);
    CHECK(strstr(err.message, "not closed"));
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK(rec.line == 5);
    CHECK_STR(rec.fields[1], "5");
}

SW_TEST(csv_field_count_capped)
{
    size_t n = SW_MAX_CSV_FIELDS + 10;
    char *t = malloc(n * 2 + 8);
    CHECK(t);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        t[o++] = 'x';
        t[o++] = i + 1 < n ? ',' : '\n';
    }
    memcpy(t + o, "a,b\n", 5);
    sw_arena *a = fresh_arena();
    sw_csv *r = open_csv(t, strlen(t), 0);
    sw_csv_record rec;
    sw_error err;
    int first = r ? sw_csv_next(r, a, &rec, &err) : SW_EINVAL;
    int second = r ? sw_csv_next(r, a, &rec, &err) : SW_EINVAL;
    size_t nf = rec.nfields;
    sw_csv_close(&t_csv);
    t_csv_live = 0;
    free(t);
    CHECK(first == SW_EFORMAT);
    CHECK(second == SW_OK && nf == 2);
}

SW_TEST(csv_hash_lines_as_comments)
{
    const char *t = "#Fields: a,b\r\n1,2\n";
    sw_arena *a = fresh_arena();
    sw_csv *r = open_csv(t, strlen(t), SW_CSV_HASH_LINES);
    sw_csv_record rec;
    sw_error err;
    CHECK(r && sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK(rec.comment && rec.nfields == 1);
    CHECK_STR(rec.fields[0], "#Fields: a,b");
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK(!rec.comment && rec.line == 2);
}

SW_TEST(csv_header_lookup_ignores_case_and_separators)
{
    sw_csv_header h;
    sw_csv_header_init(&h);
    char *names[] = {" Message ID ", "recipient_address", "date-time"};
    int ok = sw_csv_header_set(&h, names, 3) == SW_OK;
    int c1 = sw_csv_col(&h, "message-id"), c2 = sw_csv_col(&h, "Recipient Address");
    int c3 = sw_csv_col(&h, "DATE_TIME"), c4 = sw_csv_col(&h, "date");
    sw_csv_header_free(&h);
    CHECK(ok);
    CHECK(c1 == 0 && c2 == 1 && c3 == 2 && c4 == -1);
    char *cells[] = {"only"};
    sw_csv_record rec = {.fields = cells, .nfields = 1};
    CHECK_STR(sw_csv_cell(&rec, 0), "only");
    CHECK_STR(sw_csv_cell(&rec, 5), "");
    CHECK(sw_csv_cell(&rec, -1) == NULL);
}

SW_TEST(csv_sniff_sources_and_mail)
{
    const char *trace = "\"Received\",\"SenderAddress\",\"RecipientAddress\"\n";
    CHECK(sw_sniff("x", trace, strlen(trace)) == SW_FMT_CSVLOG);
    const char *typed = "#TYPE Foo\nSenderAddress,RecipientAddress\n";
    CHECK(sw_sniff("x", typed, strlen(typed)) == SW_FMT_CSVLOG);
    const char *mail = "Received: from a (b [192.0.2.1]), SenderAddress,RecipientAddress\n";
    CHECK(sw_sniff("x", mail, strlen(mail)) == SW_FMT_EML);
    const char *trk = "#Software: Microsoft Exchange Server\n";
    CHECK(sw_sniff("x", trk, strlen(trk)) == SW_FMT_TRACKLOG);
    const char *bare = "2024-01-25T15:16:09.843Z,,,,exchange-mail\n";
    CHECK(sw_sniff("x", bare, strlen(bare)) == SW_FMT_TRACKLOG);
    const char *other = "a,b,c\n";
    CHECK(sw_sniff("x", other, strlen(other)) == SW_FMT_UNKNOWN);
    const char u16[] = "\xFF\xFEs\0e\0n\0d\0e\0r\0_\0a\0d\0d\0r\0e\0s\0s\0,\0m\0e\0s\0s\0a\0g\0e\0"
                       "_\0i\0d\0,\0r\0e\0c\0i\0p\0i\0e\0n\0t\0_\0s\0t\0a\0t\0u\0s\0\n\0";
    CHECK(sw_sniff("x", u16, sizeof u16 - 1) == SW_FMT_CSVLOG);
    CHECK(sw_format_from_name("csv") == SW_FMT_CSVLOG);
    CHECK(sw_format_from_name("exchange-tracking") == SW_FMT_TRACKLOG);
    CHECK(sw_format_is_log(SW_FMT_TRACKLOG) && sw_format_is_log(SW_FMT_CSVLOG));
}

SW_TEST(csv_nul_byte_is_malformed_not_a_short_field)
{
    /* a NUL would end the C string early and drop the rest of the field without a word */
    const char t[] = "a,b\0hidden,c\n\"q\0x\",d\nok,1\n";
    sw_arena *a = fresh_arena();
    sw_csv *r = open_csv(t, sizeof t - 1, 0);
    sw_csv_record rec;
    sw_error err;
    CHECK(r && sw_csv_next(r, a, &rec, &err) == SW_EFORMAT);
    CHECK(rec.line == 1 && strstr(err.message, "NUL byte"));
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_EFORMAT);
    CHECK(rec.line == 2 && strstr(err.message, "NUL byte"));
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK(rec.line == 3);
    CHECK_STR(rec.fields[1], "1");
    const char c[] = "#Fields: a\0b\nx\n";
    r = open_csv(c, sizeof c - 1, SW_CSV_HASH_LINES);
    CHECK(r && sw_csv_next(r, a, &rec, &err) == SW_EFORMAT);
    CHECK(strstr(err.message, "NUL byte"));
    CHECK(sw_csv_next(r, a, &rec, &err) == SW_OK);
    CHECK(rec.line == 2 && !rec.comment);
}

SW_TEST(csv_open_quote_stops_at_the_cap_and_reading_resumes)
{
    /* an opening quote with no closing one in the next 17 MiB: reported at the cap (the
     * scan does not run to the end of the file), and the line after it is read */
    size_t big = SW_MAX_LOG_LINE + (1u << 20);
    char *t = malloc(big + 16);
    CHECK(t);
    memcpy(t, "\"open\n", 6);
    memset(t + 6, 'x', big);
    memcpy(t + 6 + big, "\n", 1);
    sw_arena *a = fresh_arena();
    sw_csv *r = open_csv(t, big + 7, 0);
    sw_csv_record rec;
    sw_error err;
    int first = r ? sw_csv_next(r, a, &rec, &err) : SW_EINVAL;
    int capped = first == SW_EFORMAT && strstr(err.message, "SW_MAX_LOG_LINE") != NULL;
    int second = r ? sw_csv_next(r, a, &rec, &err) : SW_EINVAL;
    int second_capped = second == SW_EFORMAT && rec.line == 2;
    sw_csv_close(&t_csv);
    t_csv_live = 0;
    free(t);
    CHECK(capped);
    /* the unquoted 17 MiB line after it is over the cap too */
    CHECK(second_capped);
}
