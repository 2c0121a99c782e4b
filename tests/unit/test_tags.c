/* Unit tests for src/mail/tags.c: RFC 6376 tag lists, DKIM-Signature / ARC headers,
 * ARC set grouping, Received-SPF and List-* headers. Header blocks are built with
 * sw_header_scan on literal messages; signatures are made-up base64 except the
 * RFC 8463 Appendix A example. */
#include "test.h"

#include "spoofwatch/dkim.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One arena for the running test: a failed CHECK returns early, so the arena is freed
 * when the next test starts (and at exit) instead of at the end of each test. */
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

static int scan(sw_arena *a, const char *msg, sw_header_block *h)
{
    sw_error err;
    return sw_header_scan(a, msg, strlen(msg), h, &err);
}

static int parse_str(sw_arena *a, const char *s, sw_taglist *t)
{
    return sw_taglist_parse(a, s, strlen(s), t);
}

/* ---- sw_taglist_parse ---- */

SW_TEST(tags_basic_list)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    CHECK(parse_str(a, "v=1; a=rsa-sha256; d=example.com", &t) == SW_OK);
    CHECK(t.count == 3);
    CHECK(t.flags == 0);
    CHECK_STR(t.tags[0].name, "v");
    CHECK_STR(t.tags[0].value, "1");
    CHECK_STR(t.tags[1].name, "a");
    CHECK_STR(sw_taglist_get(&t, "a"), "rsa-sha256");
    CHECK_STR(sw_taglist_get(&t, "d"), "example.com");
    CHECK(sw_taglist_get(&t, "s") == NULL);
}

SW_TEST(tags_trailing_semicolon_and_fws_around_names)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    CHECK(parse_str(a, "  v = 1 ;\r\n\ta\t=\trsa-sha256 ;  ", &t) == SW_OK);
    CHECK(t.count == 2);
    CHECK(t.flags == 0);
    CHECK_STR(sw_taglist_get(&t, "v"), "1");
    CHECK_STR(sw_taglist_get(&t, "a"), "rsa-sha256");
}

SW_TEST(tags_bh_loses_all_whitespace_others_keep_inner)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    const char *s = "h=from : to : subject; bh= 2jUSOH9N htVGCQWN\r\n r9BrIAPr=;"
                    " b=AbC\tdEf\r\n gHi =; z=x y";
    CHECK(parse_str(a, s, &t) == SW_OK);
    CHECK(t.flags == 0);
    CHECK_STR(sw_taglist_get(&t, "h"), "from : to : subject");
    CHECK_STR(sw_taglist_get(&t, "bh"), "2jUSOH9NhtVGCQWNr9BrIAPr=");
    CHECK_STR(sw_taglist_get(&t, "b"), "AbC\tdEf\r\n gHi =");
    CHECK_STR(sw_taglist_get(&t, "z"), "x y");
}

SW_TEST(tags_duplicate_keeps_first)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    CHECK(parse_str(a, "d=good.example; s=sel; d=evil.example", &t) == SW_OK);
    CHECK(t.flags == SW_TAG_DUPLICATE);
    CHECK(t.count == 2);
    CHECK_STR(sw_taglist_get(&t, "d"), "good.example");
}

SW_TEST(tags_names_are_case_sensitive)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    CHECK(parse_str(a, "d=a.example; D=b.example", &t) == SW_OK);
    CHECK(t.flags == 0);
    CHECK(t.count == 2);
    CHECK_STR(sw_taglist_get(&t, "d"), "a.example");
    CHECK_STR(sw_taglist_get(&t, "D"), "b.example");
}

SW_TEST(tags_fragment_without_equals_is_skipped)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    CHECK(parse_str(a, "v=1; junk; a=rsa-sha256", &t) == SW_OK);
    CHECK(t.flags == SW_TAG_SYNTAX);
    CHECK(t.count == 2);
    CHECK_STR(t.tags[1].name, "a");
}

SW_TEST(tags_bad_names_are_skipped)
{
    const char *bad[] = {"1a=x", "a-b=x", "=x", "a b=x", "_a=x", "a.b=x", "\xc3\xa9=x"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        sw_arena *a = fresh_arena();
        sw_taglist t;
        char buf[64];
        snprintf(buf, sizeof buf, "v=1; %s; s=sel", bad[k]);
        CHECK(parse_str(a, buf, &t) == SW_OK);
        if (t.flags != SW_TAG_SYNTAX || t.count != 2)
            printf("    bad name case: %s\n", bad[k]);
        CHECK(t.flags == SW_TAG_SYNTAX);
        CHECK(t.count == 2);
    }
}

SW_TEST(tags_underscore_and_digits_in_name)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    CHECK(parse_str(a, "x_y=1; ab9=2; Z_=3", &t) == SW_OK);
    CHECK(t.flags == 0);
    CHECK(t.count == 3);
    CHECK_STR(sw_taglist_get(&t, "x_y"), "1");
    CHECK_STR(sw_taglist_get(&t, "ab9"), "2");
    CHECK_STR(sw_taglist_get(&t, "Z_"), "3");
}

SW_TEST(tags_empty_value_and_equals_in_value)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    CHECK(parse_str(a, "l=; z=From:a=3Db; q= dns/txt ", &t) == SW_OK);
    CHECK(t.flags == 0);
    CHECK_STR(sw_taglist_get(&t, "l"), "");
    CHECK_STR(sw_taglist_get(&t, "z"), "From:a=3Db");
    CHECK_STR(sw_taglist_get(&t, "q"), "dns/txt");
}

SW_TEST(tags_empty_fragment_before_semicolon_is_syntax)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    CHECK(parse_str(a, "v=1;; a=x", &t) == SW_OK);
    CHECK(t.flags == SW_TAG_SYNTAX);
    CHECK(t.count == 2);
    CHECK(parse_str(a, "; v=1", &t) == SW_OK);
    CHECK(t.flags == SW_TAG_SYNTAX);
    CHECK(parse_str(a, "v=1; a=x;\r\n ", &t) == SW_OK);
    CHECK(t.flags == 0);
}

SW_TEST(tags_empty_input)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    CHECK(sw_taglist_parse(a, "", 0, &t) == SW_OK);
    CHECK(t.count == 0);
    CHECK(t.flags == 0);
    CHECK(sw_taglist_parse(a, NULL, 0, &t) == SW_OK);
    CHECK(t.count == 0);
    CHECK(sw_taglist_get(&t, "v") == NULL);
}

SW_TEST(tags_truncated_past_max)
{
    sw_arena *a = fresh_arena();
    char buf[2048];
    size_t n = 0;
    for (int k = 0; k < SW_MAX_TAGS + 6; k++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "t%d=%d;", k, k);
    sw_taglist t;
    CHECK(sw_taglist_parse(a, buf, n, &t) == SW_OK);
    CHECK(t.count == SW_MAX_TAGS);
    CHECK(t.flags & SW_TAG_TRUNCATED);
    char last[16];
    snprintf(last, sizeof last, "%d", SW_MAX_TAGS - 1);
    CHECK_STR(t.tags[SW_MAX_TAGS - 1].value, last);
}

SW_TEST(tags_exactly_max_is_not_truncated)
{
    sw_arena *a = fresh_arena();
    char buf[2048];
    size_t n = 0;
    for (int k = 0; k < SW_MAX_TAGS; k++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "t%d=%d;", k, k);
    sw_taglist t;
    CHECK(sw_taglist_parse(a, buf, n, &t) == SW_OK);
    CHECK(t.count == SW_MAX_TAGS);
    CHECK(t.flags == 0);
}

/* An exact-size heap copy without a NUL, so ASan reports any read past n. Results live
 * in the arena, so the copy can be freed right after parsing. */
static char *exact_copy(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    if (p)
        memcpy(p, s, n);
    return p;
}

SW_TEST(tags_length_bounds_the_input)
{
    /* The bytes after n must not be read: "256; d=evil" lies past the length. */
    sw_arena *a = fresh_arena();
    char *s = exact_copy("v=1; a=rsa-sha256; d=evil.example", 14); /* "v=1; a=rsa-sha" */
    CHECK(s != NULL);
    sw_taglist t;
    int rc = sw_taglist_parse(a, s, 14, &t);
    free(s);
    CHECK(rc == SW_OK);
    CHECK(t.count == 2);
    CHECK_STR(sw_taglist_get(&t, "a"), "rsa-sha");
    CHECK(sw_taglist_get(&t, "d") == NULL);
}

/* The tag list as tags.h words it, read a byte at a time: fragments split on ';' and
 * trimmed of FWS; an empty one before a ';', one without '=' or with a bad name is a
 * syntax error; the first of two equal names is kept; at most SW_MAX_TAGS; bh= loses
 * every FWS byte. Returns 1 when t is exactly that. */
static int ref_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int ref_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int taglist_matches_reference(const char *s, size_t n, const sw_taglist *t)
{
    unsigned flags = 0;
    size_t count = 0, i = 0;
    char v[4096];
    while (i < n) {
        size_t fb = i, fe = i;
        while (fe < n && s[fe] != ';')
            fe++;
        int semi = fe < n;
        i = semi ? fe + 1 : n;
        while (fb < fe && ref_ws(s[fb]))
            fb++;
        while (fe > fb && ref_ws(s[fe - 1]))
            fe--;
        if (fb == fe) {
            flags |= semi ? SW_TAG_SYNTAX : 0;
            continue;
        }
        size_t eq = fb;
        while (eq < fe && s[eq] != '=')
            eq++;
        size_t ne = eq;
        while (ne > fb && ref_ws(s[ne - 1]))
            ne--;
        int good = eq < fe && ne > fb && ref_alpha(s[fb]);
        for (size_t k = fb + 1; good && k < ne; k++)
            good = ref_alpha(s[k]) || (s[k] >= '0' && s[k] <= '9') || s[k] == '_';
        if (!good) {
            flags |= SW_TAG_SYNTAX;
            continue;
        }
        size_t nlen = ne - fb, dup = 0;
        for (size_t k = 0; k < count && !dup; k++)
            dup = strlen(t->tags[k].name) == nlen && !memcmp(t->tags[k].name, s + fb, nlen);
        if (dup) {
            flags |= SW_TAG_DUPLICATE;
            continue;
        }
        if (count == SW_MAX_TAGS) {
            flags |= SW_TAG_TRUNCATED;
            break;
        }
        size_t vb = eq + 1, vn = 0;
        while (vb < fe && ref_ws(s[vb]))
            vb++;
        int strip = nlen == 2 && s[fb] == 'b' && s[fb + 1] == 'h';
        for (size_t k = vb; k < fe && vn < sizeof v; k++)
            if (!strip || !ref_ws(s[k]))
                v[vn++] = s[k];
        if (count >= t->count || strlen(t->tags[count].name) != nlen ||
            memcmp(t->tags[count].name, s + fb, nlen) || memcmp(t->tags[count].value, v, vn) ||
            t->tags[count].value[vn] != '\0')
            return 0;
        count++;
    }
    return count == t->count && flags == t->flags;
}

SW_TEST(tags_match_reference_on_generated_lists)
{
    /* Pieces that meet every branch of the parser: folds inside and around names and
     * values, b= and bh= (stripped) and look-alikes, empty fragments, missing '=' or ';', bad
     * names, NUL and other control bytes, duplicates, and long base64 runs that cross the
     * 16-byte steps of the vector search. */
    static const char *const piece[] = {
        "v=1",  "b=",   "bh=",     "b",     "bh",    "bhx=",   "B=",    "d=",   "a_9=",  "9a=",
        "=",    ";",    "; ",      " ;",    "\r\n\t", " ",     "\t",    "\r\n ", "abc",   "==",
        "x y=", "x= y", "\x01",    "\x1f",  "\x7f",  "\xc3\xa9", "_=",  "Z=",   "s=sel", "h=from:to",
        "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3",
        "0123456789abcdef", "0123456789abcde;", "0123456789abcd\r\n\tef", "+/+/=",
    };
    const size_t npiece = sizeof piece / sizeof piece[0];
    uint32_t seed = 12345;
    char buf[3000];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        int parts = (int)(seed % 40);
        for (int k = 0; k < parts; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *pc = piece[(seed >> 16) % npiece];
            size_t pl = strlen(pc);
            if ((seed >> 8) % 17 == 0 && n < sizeof buf)
                buf[n++] = '\0'; /* a NUL byte inside the list */
            if (n + pl > sizeof buf)
                break;
            memcpy(buf + n, pc, pl);
            n += pl;
        }
        seed = seed * 1103515245u + 12345u;
        sw_arena *a = fresh_arena();
        /* an exact-size heap copy: ASan sees any read past n */
        char *in = malloc(n ? n : 1);
        CHECK(in != NULL);
        memcpy(in, buf, n);
        sw_taglist t;
        int rc = sw_taglist_parse(a, in, n, &t);
        int same = rc == SW_OK && taglist_matches_reference(in, n, &t);
        free(in);
        if (!same)
            fprintf(stderr, "tags_match_reference: round %d differs\n", round);
        CHECK(same);
    }
}

SW_TEST(tags_folded_b_values_at_every_offset)
{
    /* A fold, a NUL-free control byte and the closing ';' placed at each offset of a
     * base64 run longer than the vector step, with and without a following tag: bh= comes
     * out stripped, b= with its folds (trimmed at both ends), and b= decodes to the same
     * bytes as the stripped text, which is what verification reads. */
    const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ABCDEFGHIJ";
    size_t bl = strlen(b64);
    for (size_t cut = 0; cut <= bl; cut++) {
        for (int tail = 0; tail < 3; tail++) {
            for (int tag = 0; tag < 2; tag++) {
                char in[256];
                int n = snprintf(in, sizeof in, "v=1; %s= %.*s\r\n\t%s \t%s", tag ? "b" : "bh",
                                 (int)cut, b64, b64 + cut,
                                 tail == 0 ? "" : tail == 1 ? "; d=x.example" : " ;");
                sw_arena *a = fresh_arena();
                sw_taglist t;
                CHECK(sw_taglist_parse(a, in, (size_t)n, &t) == SW_OK);
                CHECK(taglist_matches_reference(in, (size_t)n, &t));
                CHECK(t.flags == 0);
                if (!tag) {
                    CHECK_STR(sw_taglist_get(&t, "bh"), b64);
                    continue;
                }
                char want[128]; /* the folds inside kept, those at either end trimmed */
                snprintf(want, sizeof want, "%.*s%s%s", (int)cut, b64,
                         cut && cut < bl ? "\r\n\t" : "", b64 + cut);
                const char *b = sw_taglist_get(&t, "b");
                CHECK_STR(b, want);
                unsigned char *got, *ref;
                size_t gl, rl;
                int rr = sw_dkim_base64_decode(a, b64, 72, &ref, &rl); /* 18 whole quads */
                CHECK(rr == SW_OK);
                if (cut <= 72) { /* the fold among the quads: the same 54 bytes */
                    CHECK(sw_dkim_base64_decode(a, b, strlen(b) - 2, &got, &gl) == SW_OK);
                    CHECK(gl == rl && memcmp(got, ref, rl) == 0);
                }
            }
        }
    }
}

/* Verification reads b= through sw_dkim_base64_decode, which skips FWS: folded or
 * stripped, a value decodes alike or fails alike (padding, junk, data after padding). */
SW_TEST(tags_b_folds_decode_as_stripped)
{
    static const char *const vals[] = {
        "QUJD", "QU\r\n JD", "QUI=", "QU\tI=", "QUI =", "QU==", "Q U = =", "QUI=QUJD",
        "QUI=\r\n\tQUJD", "QU*D", "QU \x01D", "Q", "", " ", "QUJDRA\r\n\t==",
    };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char in[64], stripped[64];
        int n = snprintf(in, sizeof in, "b= %s ;v=1", vals[i]);
        size_t sn = 0;
        for (const char *p = vals[i]; *p; p++)
            if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
                stripped[sn++] = *p;
        stripped[sn] = '\0';
        sw_arena *a = fresh_arena();
        sw_taglist t;
        CHECK(sw_taglist_parse(a, in, (size_t)n, &t) == SW_OK);
        const char *b = sw_taglist_get(&t, "b");
        CHECK(b != NULL);
        if (!b)
            continue;
        CHECK((*b == '\0') == (sn == 0)); /* "required b= is empty" reads the same */
        unsigned char *x, *y;
        size_t xl, yl;
        int rx = sw_dkim_base64_decode(a, b, strlen(b), &x, &xl);
        int ry = sw_dkim_base64_decode(a, stripped, sn, &y, &yl);
        CHECK(rx == ry);
        CHECK(rx != SW_OK || (xl == yl && memcmp(x, y, yl) == 0));
    }
}

SW_TEST(tags_huge_value)
{
    /* A 200 KB folded bh= (under SW_MAX_FIELD_VALUE) and a value of the same size unstripped. */
    size_t n = 200000;
    char *in = malloc(n);
    CHECK(in != NULL);
    memcpy(in, "z=", 2);
    for (size_t i = 2; i < n; i++)
        in[i] = (i % 77 == 0) ? '\n' : (i % 77 == 1) ? '\t' : (char)('A' + i % 26);
    sw_arena *a = fresh_arena();
    sw_taglist t;
    /* the last byte is a letter, so the value is all of it after "z=" */
    int ok = sw_taglist_parse(a, in, n, &t) == SW_OK && t.count == 1 && t.flags == 0 &&
             strlen(t.tags[0].value) == n - 2 && memcmp(t.tags[0].value, in + 2, n - 2) == 0;
    in[0] = 'b';
    in[1] = 'h';
    in[2] = '=';
    ok = ok && sw_taglist_parse(a, in, n, &t) == SW_OK && t.count == 1 &&
         strlen(t.tags[0].value) == n - 3 - 2 * ((n - 2) / 77);
    free(in);
    CHECK(ok);
}

SW_TEST(tags_nul_bytes_and_missing_semicolon)
{
    sw_arena *a = fresh_arena();
    sw_taglist t;
    /* NUL in a value stays in the copy (readers see the text before it); NUL in a name
     * makes a bad name; the last fragment needs no ';'. */
    static const char in[] = "a=x\0y; b\0c=1; d = e  ";
    CHECK(sw_taglist_parse(a, in, sizeof in - 1, &t) == SW_OK);
    CHECK(taglist_matches_reference(in, sizeof in - 1, &t));
    CHECK(t.count == 2);
    CHECK(t.flags == SW_TAG_SYNTAX);
    CHECK(memcmp(t.tags[0].value, "x\0y", 4) == 0);
    CHECK_STR(sw_taglist_get(&t, "d"), "e");
    /* a name then the end: no '=' */
    CHECK(parse_str(a, "v=1; abc", &t) == SW_OK);
    CHECK(t.count == 1 && t.flags == SW_TAG_SYNTAX);
    CHECK(parse_str(a, "v=1; abc \r\n", &t) == SW_OK);
    CHECK(t.count == 1 && t.flags == SW_TAG_SYNTAX);
    /* empty values, and a value that is all FWS */
    CHECK(parse_str(a, "b=;bh=\r\n\t;c=  ", &t) == SW_OK);
    CHECK(t.count == 3 && t.flags == 0);
    CHECK_STR(sw_taglist_get(&t, "b"), "");
    CHECK_STR(sw_taglist_get(&t, "bh"), "");
    CHECK_STR(sw_taglist_get(&t, "c"), "");
}

SW_TEST(tags_long_duplicate_names)
{
    /* Names longer than any real one still compare whole. */
    char in[1600];
    char name[500];
    memset(name, 'q', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    int n = snprintf(in, sizeof in, "%s=1; %s=2; %sr=3", name, name, name);
    sw_arena *a = fresh_arena();
    sw_taglist t;
    CHECK(sw_taglist_parse(a, in, (size_t)n, &t) == SW_OK);
    CHECK(t.count == 2);
    CHECK(t.flags == SW_TAG_DUPLICATE);
    CHECK_STR(t.tags[0].value, "1");
    CHECK_STR(t.tags[1].value, "3");
}

/* ---- sw_dkim_sig_parse ---- */

/* A Gmail-style signature folded over lines (values made up). */
static const char gmail_msg[] =
    "X-Test: a\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    "        d=gmail.com; s=20230601; t=1700000000; x=1700604800; darn=example.org;\r\n"
    "        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject\r\n"
    "         :date:message-id:reply-to;\r\n"
    "        bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=;\r\n"
    "        b=Xq3bT0pN8yZ1Wv5mKc7Lr2Hs9Ue4Jd6Fa0Gb1Ic2Nd3Oe4Pf5Qg6Rh7Si8Tj9Uk0\r\n"
    "         Vl1Wm2Xn3Yo4Zp5Aq6Br7Cs8Dt9Eu0Fv1Gw2Hx3Iy4Jz5Ka6Lb7Mc8Nd9Oe0Pf1Q\r\n"
    "         g2Rh3Si4Tj5Uk6Vl7Wm8Xn9Yo0Zp1Aq2Br3Cs4Dt5Eu6Fv7Gw8Hx9Iy0Jz1Ka2L==\r\n"
    "From: Alice <alice@gmail.com>\r\n"
    "\r\n"
    "body\r\n";

SW_TEST(dkim_gmail_folded_signature)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a, gmail_msg, &h) == SW_OK);
    long fi = sw_header_find(&h, "DKIM-Signature", 0);
    CHECK(fi == 1);
    sw_dkim_sig sig;
    CHECK(sw_dkim_sig_parse(a, &h.fields[fi], (size_t)fi, &sig) == SW_OK);
    CHECK(sig.tags.flags == 0);
    CHECK_STR(sig.v, "1");
    CHECK_STR(sig.a, "rsa-sha256");
    CHECK_STR(sig.c, "relaxed/relaxed");
    CHECK_STR(sig.d, "gmail.com");
    CHECK_STR(sig.s, "20230601");
    CHECK_STR(sig.h, "to:subject:message-id:date:from:mime-version:from:to:cc:subject"
                     "         :date:message-id:reply-to");
    CHECK_STR(sig.bh, "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
    /* b= keeps the folds the header unfolded to spaces */
    CHECK_STR(sig.b, "Xq3bT0pN8yZ1Wv5mKc7Lr2Hs9Ue4Jd6Fa0Gb1Ic2Nd3Oe4Pf5Qg6Rh7Si8Tj9Uk0"
                     "         Vl1Wm2Xn3Yo4Zp5Aq6Br7Cs8Dt9Eu0Fv1Gw2Hx3Iy4Jz5Ka6Lb7Mc8Nd9Oe0Pf1Q"
                     "         g2Rh3Si4Tj5Uk6Vl7Wm8Xn9Yo0Zp1Aq2Br3Cs4Dt5Eu6Fv7Gw8Hx9Iy0Jz1Ka2L==");
    CHECK_STR(sw_taglist_get(&sig.tags, "darn"), "example.org");
    CHECK(sig.has_t && sig.t == 1700000000);
    CHECK(sig.has_x && sig.x == 1700604800);
    CHECK(!sig.has_l);
    CHECK(sig.i == NULL);
    CHECK(sig.q == NULL);
    CHECK(sig.cv == NULL);
    CHECK(sig.instance == -1);
    CHECK(sig.offset == 11);
    CHECK(sig.field_index == 1);
}

/* RFC 8463 Appendix A.3 (the ed25519 signature of the worked example). */
static const char rfc8463_msg[] = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\n"
                                  " d=football.example.com; i=@football.example.com;\n"
                                  " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\n"
                                  " subject : date : message-id : from : subject : date;\n"
                                  " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
                                  " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\n"
                                  " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\n"
                                  "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
                                  " d=football.example.com; i=@football.example.com;\n"
                                  " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\n"
                                  " date : message-id : from : subject : date;\n"
                                  " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
                                  " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\n"
                                  " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\n"
                                  " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\n"
                                  "From: Joe SixPack <joe@football.example.com>\n"
                                  "To: Suzie Q <suzie@shopping.example.net>\n"
                                  "Subject: Is dinner ready?\n"
                                  "\n"
                                  "Hi.\n";

SW_TEST(dkim_rfc8463_ed25519_example)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a, rfc8463_msg, &h) == SW_OK);
    CHECK(sw_header_count(&h, "DKIM-Signature") == 2);
    sw_dkim_sig ed, rsa;
    CHECK(sw_dkim_sig_parse(a, &h.fields[0], 0, &ed) == SW_OK);
    CHECK(sw_dkim_sig_parse(a, &h.fields[1], 1, &rsa) == SW_OK);
    CHECK(ed.tags.flags == 0);
    CHECK_STR(ed.a, "ed25519-sha256");
    CHECK_STR(ed.d, "football.example.com");
    CHECK_STR(ed.i, "@football.example.com");
    CHECK_STR(ed.q, "dns/txt");
    CHECK_STR(ed.s, "brisbane");
    CHECK_STR(ed.h, "from : to : subject : date : message-id : from : subject : date");
    CHECK_STR(ed.bh, "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
    CHECK_STR(ed.b, "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus"
                    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw=="); /* the fold kept */
    CHECK(ed.has_t && ed.t == 1528637909);
    CHECK(!ed.has_x && !ed.has_l);
    CHECK(ed.instance == -1);
    CHECK(ed.offset == 0);
    CHECK_STR(rsa.a, "rsa-sha256");
    CHECK_STR(rsa.s, "test");
    size_t b64n = 0; /* base64 characters, the kept folds aside */
    for (const char *p = rsa.b; *p; p++)
        b64n += *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n';
    CHECK(b64n == 172);
    CHECK(rsa.offset == h.fields[1].offset);
    CHECK(rsa.field_index == 1);
}

SW_TEST(dkim_domain_lowercased_tag_list_as_written)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a, "DKIM-Signature: v=1; d=Mail.EXAMPLE.Com; s=Sel\r\n\r\n", &h) == SW_OK);
    sw_dkim_sig sig;
    CHECK(sw_dkim_sig_parse(a, &h.fields[0], 0, &sig) == SW_OK);
    CHECK_STR(sig.d, "mail.example.com");
    CHECK_STR(sw_taglist_get(&sig.tags, "d"), "Mail.EXAMPLE.Com");
    CHECK_STR(sig.s, "Sel");
}

SW_TEST(dkim_numbers_reject_non_digits_and_overflow)
{
    struct {
        const char *text;
        int has;
        int64_t want;
    } cases[] = {
        {"l=0", 1, 0},
        {"l=12a", 0, 0},
        {"l=", 0, 0},
        {"l=-5", 0, 0},
        {"l=+5", 0, 0},
        {"l=1 2", 0, 0},
        {"l=0x10", 0, 0},
        {"l=9223372036854775807", 1, INT64_MAX},
        {"l=9223372036854775808", 0, 0},
        {"l=99999999999999999999999", 0, 0},
        {"l= 42 ", 1, 42},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sw_arena *a = fresh_arena();
        char msg[128];
        snprintf(msg, sizeof msg, "DKIM-Signature: v=1; %s; t=1x; x=7\r\n\r\n", cases[k].text);
        sw_header_block h;
        CHECK(scan(a, msg, &h) == SW_OK);
        sw_dkim_sig sig;
        CHECK(sw_dkim_sig_parse(a, &h.fields[0], 0, &sig) == SW_OK);
        if (sig.has_l != cases[k].has)
            printf("    case %s\n", cases[k].text);
        CHECK(sig.has_l == cases[k].has);
        if (cases[k].has)
            CHECK(sig.l == cases[k].want);
        CHECK(!sig.has_t);
        CHECK(sig.has_x && sig.x == 7);
    }
}

SW_TEST(dkim_arc_instance_from_name)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a,
               "arc-seal: i=2; a=rsa-sha256; cv=pass; d=google.com; s=arc-20160816; b=QUJD\r\n"
               "ARC-Message-Signature: i=x; a=rsa-sha256; d=google.com\r\n"
               "DKIM-Signature: v=1; i=7; d=example.com\r\n"
               "\r\n",
               &h) == SW_OK);
    sw_dkim_sig s0, s1, s2;
    CHECK(sw_dkim_sig_parse(a, &h.fields[0], 0, &s0) == SW_OK);
    CHECK(sw_dkim_sig_parse(a, &h.fields[1], 1, &s1) == SW_OK);
    CHECK(sw_dkim_sig_parse(a, &h.fields[2], 2, &s2) == SW_OK);
    CHECK(s0.instance == 2);
    CHECK_STR(s0.cv, "pass");
    CHECK(s1.instance == 0);
    CHECK(s2.instance == -1);
    CHECK_STR(s2.i, "7");
}

/* ---- sw_arc_collect ---- */

/* Two ARC sets, headers shuffled the way relays and archives leave them. */
static const char arc2_msg[] =
    "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=lists.example.org;\r\n"
    "\ts=arc1; t=1700000100; h=from:to:subject:date:message-id;\r\n"
    "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=TWVzc2FnZVNpZzE=\r\n"
    "Received: from lists.example.org by mx.google.com; Tue, 14 Nov 2023 22:15:00 +0000\r\n"
    "ARC-Seal: i=2; a=rsa-sha256; t=1700000200; cv=pass;\r\n"
    "        d=google.com; s=arc-20160816;\r\n"
    "        b=U2VhbDI=\r\n"
    "ARC-Authentication-Results: i=1; lists.example.org;\r\n"
    "       dkim=pass header.d=example.com; spf=pass smtp.mailfrom=example.com\r\n"
    "ARC-Message-Signature: i=2; a=rsa-sha256; c=relaxed/relaxed; d=google.com;\r\n"
    "        s=arc-20160816; h=to:subject:from; "
    "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
    "        b=TWVzc2FnZVNpZzI=\r\n"
    "ARC-Authentication-Results: i=2; mx.google.com;\r\n"
    "       dkim=pass header.i=@example.com; arc=pass (i=1 spf=pass dkim=pass)\r\n"
    "ARC-Seal: i=1; a=rsa-sha256; t=1700000100; cv=none; d=lists.example.org; s=arc1;\r\n"
    "\tb=U2VhbDE=\r\n"
    "From: Bob <bob@example.com>\r\n"
    "\r\n";

SW_TEST(arc_two_sets_shuffled)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a, arc2_msg, &h) == SW_OK);
    sw_arc_set *sets;
    size_t n;
    CHECK(sw_arc_collect(a, &h, &sets, &n) == SW_OK);
    CHECK(n == 2);
    CHECK(sets[0].instance == 1);
    CHECK(sets[0].flags == 0);
    CHECK_STR(sets[0].seal.cv, "none");
    CHECK_STR(sets[0].seal.d, "lists.example.org");
    CHECK_STR(sets[0].seal.b, "U2VhbDE=");
    CHECK(sets[0].seal.field_index == 6);
    CHECK_STR(sets[0].ams.d, "lists.example.org");
    CHECK_STR(sets[0].ams.b, "TWVzc2FnZVNpZzE=");
    CHECK(sets[0].ams.field_index == 0);
    CHECK(sets[0].ams.has_t && sets[0].ams.t == 1700000100);
    CHECK(sets[0].aar_field == 3);
    CHECK(sets[1].instance == 2);
    CHECK(sets[1].flags == 0);
    CHECK_STR(sets[1].seal.cv, "pass");
    CHECK(sets[1].seal.field_index == 2);
    CHECK(sets[1].seal.offset == h.fields[2].offset);
    CHECK_STR(sets[1].ams.h, "to:subject:from");
    CHECK(sets[1].ams.instance == 2);
    CHECK(sets[1].aar_field == 5);
}

SW_TEST(arc_missing_ams)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a,
               "ARC-Seal: i=2; a=rsa-sha256; t=1700000200; cv=pass; d=google.com; s=arc-20160816; "
               "b=U2VhbDI=\r\n"
               "ARC-Authentication-Results: i=2; mx.google.com; arc=pass\r\n"
               "ARC-Seal: i=1; a=rsa-sha256; t=1700000100; cv=none; d=lists.example.org; s=arc1; "
               "b=U2VhbDE=\r\n"
               "ARC-Message-Signature: i=1; a=rsa-sha256; d=lists.example.org; s=arc1; h=from; "
               "bh=Ymg=; b=QU1TMQ==\r\n"
               "ARC-Authentication-Results: i=1; lists.example.org; spf=pass "
               "smtp.mailfrom=example.com\r\n"
               "\r\n",
               &h) == SW_OK);
    sw_arc_set *sets;
    size_t n;
    CHECK(sw_arc_collect(a, &h, &sets, &n) == SW_OK);
    CHECK(n == 2);
    CHECK(sets[0].instance == 1 && sets[0].flags == 0);
    CHECK(sets[1].instance == 2);
    CHECK(sets[1].flags == SW_ARC_MISSING_AMS);
    CHECK(sets[1].ams.d == NULL);
    CHECK(sets[1].aar_field == 1);
}

SW_TEST(arc_missing_seal_and_aar)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a, "ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example; b=QQ==\r\n\r\n", &h) ==
          SW_OK);
    sw_arc_set *sets;
    size_t n;
    CHECK(sw_arc_collect(a, &h, &sets, &n) == SW_OK);
    CHECK(n == 1);
    CHECK(sets[0].flags == (SW_ARC_MISSING_SEAL | SW_ARC_MISSING_AAR));
    CHECK(sets[0].aar_field == -1);
    CHECK_STR(sets[0].ams.d, "x.example");
}

SW_TEST(arc_duplicate_keeps_topmost)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a,
               "ARC-Seal: i=1; cv=none; d=first.example; b=AA==\r\n"
               "ARC-Message-Signature: i=1; d=first.example; b=AA==\r\n"
               "ARC-Authentication-Results: i=1; first.example; none\r\n"
               "ARC-Seal: i=1; cv=none; d=second.example; b=AA==\r\n"
               "\r\n",
               &h) == SW_OK);
    sw_arc_set *sets;
    size_t n;
    CHECK(sw_arc_collect(a, &h, &sets, &n) == SW_OK);
    CHECK(n == 1);
    CHECK(sets[0].flags == SW_ARC_DUPLICATE);
    CHECK_STR(sets[0].seal.d, "first.example");
    CHECK(sets[0].seal.field_index == 0);
}

SW_TEST(arc_bad_instances_go_to_set_zero)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a,
               "ARC-Seal: i=51; cv=none; d=a.example; b=AA==\r\n"
               "ARC-Message-Signature: i=0; d=b.example; b=AA==\r\n"
               "ARC-Authentication-Results: i=abc; c.example; none\r\n"
               "ARC-Seal: cv=none; d=d.example; b=AA==\r\n"
               "ARC-Seal: i=1; cv=none; d=good.example; b=AA==\r\n"
               "ARC-Message-Signature: i=1; d=good.example; b=AA==\r\n"
               "ARC-Authentication-Results: i=1; good.example; none\r\n"
               "\r\n",
               &h) == SW_OK);
    sw_arc_set *sets;
    size_t n;
    CHECK(sw_arc_collect(a, &h, &sets, &n) == SW_OK);
    CHECK(n == 2);
    CHECK(sets[0].instance == 0);
    CHECK(sets[0].flags & SW_ARC_BAD_INSTANCE);
    CHECK(sets[0].flags & SW_ARC_DUPLICATE); /* two bad seals */
    CHECK(sets[0].seal.instance == 51);
    CHECK_STR(sets[0].seal.d, "a.example");
    CHECK(sets[0].ams.instance == 0);
    CHECK(sets[0].aar_field == 2);
    CHECK(sets[1].instance == 1);
    CHECK(sets[1].flags == 0);
}

SW_TEST(arc_aar_instance_forms)
{
    struct {
        const char *value;
        int good;
    } cases[] = {
        {"i=3; mx.example.net; spf=pass", 1},
        {" i = 3 ; mx.example.net", 1},
        {"i=3", 1},
        {"i=3 mx.example.net", 0},
        {"i=; mx.example.net", 0},
        {"I=3; mx.example.net", 0},
        {"mx.example.net; i=3", 0},
        {"i=-3; mx", 0},
        {"i=99999999999; mx", 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sw_arena *a = fresh_arena();
        char msg[160];
        snprintf(msg, sizeof msg, "ARC-Authentication-Results: %s\r\n\r\n", cases[k].value);
        sw_header_block h;
        CHECK(scan(a, msg, &h) == SW_OK);
        sw_arc_set *sets;
        size_t n;
        CHECK(sw_arc_collect(a, &h, &sets, &n) == SW_OK);
        CHECK(n == 1);
        if (sets[0].instance != (cases[k].good ? 3 : 0))
            printf("    AAR case: %s\n", cases[k].value);
        CHECK(sets[0].instance == (cases[k].good ? 3 : 0));
        CHECK(!!(sets[0].flags & SW_ARC_BAD_INSTANCE) == !cases[k].good);
        CHECK(sets[0].aar_field == 0);
    }
}

SW_TEST(arc_none_and_malformed_names)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a,
               "From: a@example.com\r\n"
               "ARC-Seal : i=1; cv=none; d=evil.example; b=AA==\r\n"
               "X-ARC-Seal: i=1\r\n"
               "\r\n",
               &h) == SW_OK);
    sw_arc_set *sets = (sw_arc_set *)&h;
    size_t n = 99;
    CHECK(sw_arc_collect(a, &h, &sets, &n) == SW_OK);
    CHECK(n == 0);
    CHECK(sets == NULL);
}

SW_TEST(arc_fifty_sets_sorted)
{
    sw_arena *a = fresh_arena();
    static char msg[64 * 1024];
    size_t len = 0;
    for (int k = SW_ARC_MAX_INSTANCE; k >= 1; k--)
        len += (size_t)snprintf(msg + len, sizeof msg - len,
                                "ARC-Seal: i=%d; cv=pass; d=s%d.example; b=AA==\r\n"
                                "ARC-Message-Signature: i=%d; d=s%d.example; b=AA==\r\n"
                                "ARC-Authentication-Results: i=%d; s%d.example; none\r\n",
                                k, k, k, k, k, k);
    len += (size_t)snprintf(msg + len, sizeof msg - len, "\r\n");
    sw_header_block h;
    CHECK(scan(a, msg, &h) == SW_OK);
    sw_arc_set *sets;
    size_t n;
    CHECK(sw_arc_collect(a, &h, &sets, &n) == SW_OK);
    CHECK(n == SW_ARC_MAX_INSTANCE);
    for (size_t k = 0; k < n; k++) {
        CHECK(sets[k].instance == (int)k + 1);
        CHECK(sets[k].flags == 0);
    }
    CHECK_STR(sets[49].seal.d, "s50.example");
}

/* ---- sw_received_spf_parse ---- */

static int spf_str(sw_arena *a, const char *s, sw_received_spf *r)
{
    return sw_received_spf_parse(a, s, strlen(s), r);
}

SW_TEST(spf_gmail)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a,
               "Received-SPF: pass (google.com: domain of alice@example.com designates\r\n"
               " 2607:f8b0:4864:20::b2f as permitted sender) client-ip=2607:f8b0:4864:20::b2f;\r\n"
               "\r\n",
               &h) == SW_OK);
    sw_received_spf r;
    CHECK(sw_received_spf_parse(a, h.fields[0].value, h.fields[0].value_len, &r) == SW_OK);
    CHECK_STR(r.result, "pass");
    CHECK_STR(r.comment, "google.com: domain of alice@example.com designates"
                         " 2607:f8b0:4864:20::b2f as permitted sender");
    CHECK_STR(r.client_ip, "2607:f8b0:4864:20::b2f");
    CHECK(r.envelope_from == NULL && r.helo == NULL && r.receiver == NULL);
}

SW_TEST(spf_microsoft_softfail_comment_only)
{
    sw_arena *a = fresh_arena();
    sw_received_spf r;
    CHECK(spf_str(a,
                  "SoftFail (protection.outlook.com: domain of transitioning example.com "
                  "discourages use of 192.0.2.7 as permitted sender)",
                  &r) == SW_OK);
    CHECK_STR(r.result, "softfail");
    CHECK_STR(r.comment, "protection.outlook.com: domain of transitioning example.com "
                         "discourages use of 192.0.2.7 as permitted sender");
    CHECK(r.client_ip == NULL);
}

SW_TEST(spf_microsoft_pass_with_pairs)
{
    sw_arena *a = fresh_arena();
    sw_received_spf r;
    CHECK(spf_str(a,
                  "Pass (protection.outlook.com: domain of example.com designates 209.85.220.41 "
                  "as permitted sender) receiver=protection.outlook.com; client-ip=209.85.220.41; "
                  "helo=mail-sor-f41.google.com; pr=C",
                  &r) == SW_OK);
    CHECK_STR(r.result, "pass");
    CHECK_STR(r.receiver, "protection.outlook.com");
    CHECK_STR(r.client_ip, "209.85.220.41");
    CHECK_STR(r.helo, "mail-sor-f41.google.com");
    CHECK(r.identity == NULL);
}

SW_TEST(spf_rfc7208_examples)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a,
               "Received-SPF: pass (mybox.example.org: domain of\r\n"
               " myname@example.com designates 192.0.2.1 as permitted sender)\r\n"
               "    receiver=mybox.example.org; client-ip=192.0.2.1;\r\n"
               "    envelope-from=\"myname@example.com\"; helo=foo.example.com;\r\n"
               "Received-SPF: fail (mybox.example.org: domain of\r\n"
               "                  myname@example.com does not designate\r\n"
               "                  192.0.2.1 as permitted sender)\r\n"
               "                  identity=mailfrom; client-ip=192.0.2.1;\r\n"
               "                  envelope-from=\"myname@example.com\";\r\n"
               "\r\n",
               &h) == SW_OK);
    sw_received_spf r;
    CHECK(sw_received_spf_parse(a, h.fields[0].value, h.fields[0].value_len, &r) == SW_OK);
    CHECK_STR(r.result, "pass");
    CHECK_STR(r.receiver, "mybox.example.org");
    CHECK_STR(r.client_ip, "192.0.2.1");
    CHECK_STR(r.envelope_from, "myname@example.com");
    CHECK_STR(r.helo, "foo.example.com");
    CHECK(sw_received_spf_parse(a, h.fields[1].value, h.fields[1].value_len, &r) == SW_OK);
    CHECK_STR(r.result, "fail");
    CHECK_STR(r.identity, "mailfrom");
    CHECK_STR(r.envelope_from, "myname@example.com");
    CHECK(r.helo == NULL);
}

SW_TEST(spf_nested_comment_quoted_values_uppercase_keys)
{
    sw_arena *a = fresh_arena();
    sw_received_spf r;
    CHECK(spf_str(a,
                  "PermError (mx.example.net: (nested (twice)) \\) escaped) "
                  "CLIENT-IP=198.51.100.9; Mechanism=\"include:_spf.example.com\"; "
                  "problem=\"too many \\\"DNS\\\" lookups; limit 10\"; identity=helo; "
                  "helo=[198.51.100.9]",
                  &r) == SW_OK);
    CHECK_STR(r.result, "permerror");
    CHECK_STR(r.comment, "mx.example.net: (nested (twice)) \\) escaped");
    CHECK_STR(r.client_ip, "198.51.100.9");
    CHECK_STR(r.mechanism, "include:_spf.example.com");
    CHECK_STR(r.problem, "too many \"DNS\" lookups; limit 10");
    CHECK_STR(r.identity, "helo");
    CHECK_STR(r.helo, "[198.51.100.9]");
}

SW_TEST(spf_first_key_wins_and_junk_skipped)
{
    sw_arena *a = fresh_arena();
    sw_received_spf r;
    CHECK(spf_str(a,
                  "neutral junk ;; =x; client-ip=192.0.2.1 (c) ; client-ip=203.0.113.5 "
                  "helo = relay.example.net",
                  &r) == SW_OK);
    CHECK_STR(r.result, "neutral");
    CHECK(r.comment == NULL);
    CHECK_STR(r.client_ip, "192.0.2.1");
    CHECK_STR(r.helo, "relay.example.net");
}

SW_TEST(spf_result_only_empty_and_unbalanced)
{
    sw_arena *a = fresh_arena();
    sw_received_spf r;
    CHECK(spf_str(a, "None", &r) == SW_OK);
    CHECK_STR(r.result, "none");
    CHECK(r.comment == NULL);
    CHECK(spf_str(a, "", &r) == SW_OK);
    CHECK(r.result == NULL);
    CHECK(sw_received_spf_parse(a, NULL, 0, &r) == SW_OK);
    CHECK(r.result == NULL);
    CHECK(spf_str(a, "TempError (dns timeout client-ip=192.0.2.1;", &r) == SW_OK);
    CHECK_STR(r.result, "temperror");
    CHECK_STR(r.comment, "dns timeout client-ip=192.0.2.1;");
    CHECK(r.client_ip == NULL);
    CHECK(spf_str(a, "fail;client-ip=192.0.2.8", &r) == SW_OK);
    CHECK_STR(r.result, "fail");
    CHECK_STR(r.client_ip, "192.0.2.8");
}

SW_TEST(spf_length_bounds_the_input)
{
    sw_arena *a = fresh_arena();
    char *s = exact_copy("pass client-ip=192.0.2.1; helo=evil.example", 24); /* to "2.1" */
    CHECK(s != NULL);
    sw_received_spf r;
    int rc = sw_received_spf_parse(a, s, 24, &r);
    free(s);
    CHECK(rc == SW_OK);
    CHECK_STR(r.client_ip, "192.0.2.1");
    CHECK(r.helo == NULL);
}

/* ---- sw_list_info_collect ---- */

SW_TEST(list_info_full_list_message)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a,
               "From: Dev <dev@example.com>\r\n"
               "List-Id: Linux Integrity <Linux-Integrity.vger.kernel.org>\r\n"
               "List-Id: <second.example.org>\r\n"
               "List-Post: <mailto:linux-integrity@vger.kernel.org>\r\n"
               "List-Unsubscribe: <mailto:linux-integrity+unsubscribe@vger.kernel.org>,\r\n"
               " <https://lists.example.org/unsub?u=1>\r\n"
               "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
               "List-Archive: <https://lore.kernel.org/linux-integrity/>\r\n"
               "List-Help: <mailto:linux-integrity+help@vger.kernel.org>\r\n"
               "List-Owner: <mailto:owner@vger.kernel.org>\r\n"
               "List-Subscribe: <mailto:linux-integrity+subscribe@vger.kernel.org>\r\n"
               "Precedence: bulk\r\n"
               "\r\n",
               &h) == SW_OK);
    sw_list_info li;
    sw_list_info_collect(a, &h, &li);
    CHECK(li.present == 1);
    CHECK_STR(li.id, "linux-integrity.vger.kernel.org");
    CHECK_STR(li.id_raw, "Linux Integrity <Linux-Integrity.vger.kernel.org>");
    CHECK_STR(li.post, "<mailto:linux-integrity@vger.kernel.org>");
    CHECK_STR(li.unsubscribe, "<mailto:linux-integrity+unsubscribe@vger.kernel.org>, "
                              "<https://lists.example.org/unsub?u=1>");
    CHECK_STR(li.unsubscribe_post, "List-Unsubscribe=One-Click");
    CHECK_STR(li.archive, "<https://lore.kernel.org/linux-integrity/>");
    CHECK_STR(li.help, "<mailto:linux-integrity+help@vger.kernel.org>");
    CHECK_STR(li.owner, "<mailto:owner@vger.kernel.org>");
    CHECK_STR(li.subscribe, "<mailto:linux-integrity+subscribe@vger.kernel.org>");
    CHECK_STR(li.precedence, "bulk");
}

SW_TEST(list_info_id_without_brackets_or_unclosed)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a, "list-id:   Announce.Example.ORG  \r\n\r\n", &h) == SW_OK);
    sw_list_info li;
    sw_list_info_collect(a, &h, &li);
    CHECK(li.present);
    CHECK_STR(li.id, "announce.example.org");
    CHECK(scan(a, "List-Id: Name <Open.example\r\n\r\n", &h) == SW_OK);
    sw_list_info_collect(a, &h, &li);
    CHECK_STR(li.id, "name <open.example");
    CHECK(scan(a, "List-Id: Empty < >\r\n\r\n", &h) == SW_OK);
    sw_list_info_collect(a, &h, &li);
    CHECK(li.id == NULL);
    CHECK(li.present);
}

SW_TEST(list_info_absent_and_malformed_name)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a, "From: a@example.com\r\nList-Id : <evil.example>\r\nPrecedence: bulk\r\n\r\n",
               &h) == SW_OK);
    sw_list_info li;
    sw_list_info_collect(a, &h, &li);
    CHECK(li.present == 0);
    CHECK(li.id == NULL && li.id_raw == NULL && li.post == NULL && li.unsubscribe == NULL);
    CHECK_STR(li.precedence, "bulk");
}

SW_TEST(list_info_precedence_list_alone)
{
    sw_arena *a = fresh_arena();
    sw_header_block h;
    CHECK(scan(a, "Precedence: List\r\n\r\n", &h) == SW_OK);
    sw_list_info li;
    sw_list_info_collect(a, &h, &li);
    CHECK(li.present == 1);
    CHECK(li.id == NULL);
}

/* A value ends at its first ';' or the input's end wherever that falls: within the first
 * 16-byte step, or past it where the rest is found by memchr and copied whole. */
SW_TEST(tags_long_values_end_at_every_offset)
{
    char in[200], want[200];
    for (size_t len = 0; len < 120; len++)
        for (int last = 0; last < 2; last++) {
            size_t n = (size_t)snprintf(in, sizeof in, "h=");
            for (size_t k = 0; k < len; k++)
                want[k] = in[n++] = (char)('a' + (k * 7) % 26);
            want[len] = '\0';
            if (!last)
                n += (size_t)snprintf(in + n, sizeof in - n, ";d=x.example; z=%s", "tail");
            sw_arena *a = fresh_arena();
            char *heap = malloc(n);
            CHECK(heap != NULL);
            memcpy(heap, in, n);
            sw_taglist t;
            int rc = sw_taglist_parse(a, heap, n, &t);
            free(heap);
            CHECK(rc == SW_OK);
            CHECK(t.count == (last ? 1u : 3u));
            CHECK_STR(t.tags[0].name, "h");
            CHECK_STR(t.tags[0].value, want);
            if (!last) {
                CHECK_STR(t.tags[1].value, "x.example");
                CHECK_STR(t.tags[2].value, "tail");
            }
        }
}
