/* Unit tests: Authentication-Results in the forms real receivers write. The RFC and
 * cross-implementation cases live in the conformance runner (tests/conformance/authres.c). */
#include "test.h"
#include "spoofwatch/authres.h"
#include "spoofwatch/limits.h"

#include <stdio.h>

static sw_arena A;

static int parse(const char *s, unsigned mode, sw_authres *ar)
{
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    return sw_authres_parse(&A, s, strlen(s), mode, ar, NULL);
}

SW_TEST(authres_gmail_with_policy_comment)
{
    sw_authres ar;
    CHECK(parse("mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=sel "
                "header.b=AbCdEfGh;\r\n       spf=pass (google.com: domain of x@example.com "
                "designates 192.0.2.1 as permitted sender) smtp.mailfrom=x@example.com;\r\n"
                "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com",
                SW_AR_RELAXED | SW_AR_I18N, &ar) == 0);
    CHECK_STR(ar.authserv_id, "mx.google.com");
    CHECK(ar.count == 3);
    CHECK_STR(ar.results[2].method, "dmarc");
    CHECK_STR(ar.results[2].comment, "p=REJECT sp=REJECT dis=NONE");
    CHECK_STR(sw_authres_prop_get(&ar.results[1], "smtp", "mailfrom"), "x@example.com");
    CHECK_STR(sw_authres_prop_get(&ar.results[0], "header", "s"), "sel");
    sw_arena_free(&A);
}

SW_TEST(authres_microsoft_without_authserv_id)
{
    sw_authres ar;
    CHECK(parse("spf=fail (sender IP is 198.51.100.7) smtp.mailfrom=evil.example; dkim=none "
                "(message not signed) header.d=none;dmarc=fail action=oreject "
                "header.from=bank.example;compauth=fail reason=000",
                SW_AR_RELAXED, &ar) == 0);
    CHECK(ar.flags & SW_ARF_NO_AUTHSERV_ID);
    CHECK_STR(ar.authserv_id, "");
    CHECK(ar.count == 4);
    CHECK_STR(ar.results[2].action, "oreject");
    CHECK_STR(ar.results[3].method, "compauth");
    CHECK_STR(ar.results[3].reason, "000");
    CHECK_STR(ar.results[0].comment, "sender IP is 198.51.100.7");
    /* RFC 8601 lets CFWS stand between a method and its "=": a comment, or a bare CR
     * left in the value, is still the id-less form, not an authserv-id named "spf" */
    CHECK(parse("spf (checked by EOP) = pass smtp.mailfrom=a.example", SW_AR_RELAXED, &ar) == 0);
    CHECK(ar.flags & SW_ARF_NO_AUTHSERV_ID);
    CHECK(ar.count == 1);
    CHECK_STR(ar.results[0].result, "pass");
    CHECK(parse("spf\r=pass smtp.mailfrom=a.example", SW_AR_RELAXED, &ar) == 0);
    CHECK(ar.flags & SW_ARF_NO_AUTHSERV_ID);
    CHECK_STR(ar.results[0].method, "spf");
    /* an authserv-id with a comment after it is still one */
    CHECK(parse("mx.example.org (v=1) ; spf=pass", SW_AR_RELAXED, &ar) == 0);
    CHECK_STR(ar.authserv_id, "mx.example.org");
    CHECK(!(ar.flags & SW_ARF_NO_AUTHSERV_ID));
    /* strict RFC 8601 mode refuses the same header */
    CHECK(parse("spf=pass smtp.mailfrom=a.example", SW_AR_STRICT, &ar) != 0);
    sw_arena_free(&A);
}

SW_TEST(authres_icloud_split_headers_and_none)
{
    sw_authres ar;
    CHECK(parse("mr21p00im-dmarcmilter008.me.com; dmarc=none", SW_AR_RELAXED, &ar) == 0);
    CHECK_STR(ar.authserv_id, "mr21p00im-dmarcmilter008.me.com");
    CHECK(ar.count == 1);
    CHECK(parse("mx.example.org; none", SW_AR_RELAXED, &ar) == 0);
    CHECK(ar.flags & SW_ARF_NONE);
    CHECK(ar.count == 0);
    sw_arena_free(&A);
}

SW_TEST(authres_arc_instance)
{
    sw_authres ar;
    CHECK(parse("i=2; lists.example.org; arc=pass (i=1 spf=pass)", SW_AR_RELAXED | SW_AR_ARC,
                &ar) == 0);
    CHECK(ar.arc_instance == 2);
    CHECK_STR(ar.authserv_id, "lists.example.org");
    CHECK_STR(ar.results[0].result, "pass");
    sw_arena_free(&A);
}

SW_TEST(authres_garbage_is_an_error_not_a_crash)
{
    sw_authres ar;
    sw_error err;
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    const char *bad = "example.com; dkim=pass (unclosed comment";
    CHECK(sw_authres_parse(&A, bad, strlen(bad), SW_AR_RELAXED, &ar, &err) == SW_EFORMAT);
    CHECK(strstr(err.message, "comment") != NULL);
    CHECK(parse(";;;===", SW_AR_RELAXED, &ar) != 0 || ar.count == 0);
    sw_arena_free(&A);
}

SW_TEST(authres_pvalue_ends_at_every_length)
{
    /* Unquoted values of every length around the 16-byte screen, each ended by one of
     * the bytes that end a value (or by the end of the field), and control or 8-bit
     * bytes inside, which only strict mode refuses. */
    static const char *const ends[] = {" ", "\t", "\r\n ", ";", "(c)", ""};
    for (size_t len = 1; len <= 40; len++) {
        for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++) {
            for (int odd = 0; odd < 2; odd++) {
                char want[64], in[160];
                for (size_t k = 0; k < len; k++)
                    want[k] = (char)('a' + k % 26);
                if (odd && len > 2) {
                    want[len / 2] = '\x01';
                    want[1] = '\xc3';
                }
                want[len] = '\0';
                snprintf(in, sizeof in, "mx.example; spf=pass smtp.mailfrom=%s%s", want, ends[e]);
                sw_authres ar;
                CHECK(parse(in, SW_AR_RELAXED | SW_AR_I18N, &ar) == SW_OK);
                CHECK(ar.count == 1);
                CHECK(ar.results[0].nprops == 1);
                CHECK_STR(ar.results[0].props[0].value, want);
            }
        }
    }
    sw_arena_free(&A);
}

SW_TEST(authres_keywords_lower_cased_shared_or_copied)
{
    /* Common keywords come back as shared literals, others as copies: either way lower-
     * cased, whole, and near the end of the field (fewer than 8 bytes left) too. */
    sw_authres ar;
    CHECK(parse("mx.example; SPF=SoftFail SMTP.MailFrom=a@b.example SMTP.Helo=h;"
                " DKIM=Pass HEADER.D=b.example Header.I=@b.example header.S=sel header.B=x"
                " header.A=rsa-sha256 BODY.x=1 Policy.Auth=y Header.From=b.example;"
                " dkimx=neutralx smtpy.mailfromz=q header.dd=1; arc=NONE; dmarc=FAIL;"
                " compauth=Neutral; AUTH=pass",
                SW_AR_RELAXED | SW_AR_I18N, &ar) == SW_OK);
    CHECK(ar.count == 7);
    CHECK_STR(ar.results[0].method, "spf");
    CHECK_STR(ar.results[0].result, "softfail");
    CHECK_STR(ar.results[0].props[0].ptype, "smtp");
    CHECK_STR(ar.results[0].props[0].property, "mailfrom");
    CHECK_STR(ar.results[0].props[1].property, "helo");
    CHECK_STR(ar.results[1].method, "dkim");
    CHECK_STR(ar.results[1].result, "pass");
    static const char *const props[] = {"d", "i", "s", "b", "a", "x", "auth", "from"};
    static const char *const ptypes[] = {"header", "header", "header", "header",
                                         "header", "body",   "policy", "header"};
    CHECK(ar.results[1].nprops == 8);
    for (size_t k = 0; k < 8; k++) {
        CHECK_STR(ar.results[1].props[k].property, props[k]);
        CHECK_STR(ar.results[1].props[k].ptype, ptypes[k]);
    }
    CHECK_STR(ar.results[2].method, "dkimx");
    CHECK_STR(ar.results[2].result, "neutralx");
    CHECK_STR(ar.results[2].props[0].ptype, "smtpy");
    CHECK_STR(ar.results[2].props[0].property, "mailfromz");
    CHECK_STR(ar.results[2].props[1].property, "dd");
    CHECK_STR(ar.results[3].method, "arc");
    CHECK_STR(ar.results[3].result, "none");
    CHECK_STR(ar.results[4].method, "dmarc");
    CHECK_STR(ar.results[4].result, "fail");
    CHECK_STR(ar.results[5].method, "compauth");
    CHECK_STR(ar.results[5].result, "neutral");
    CHECK_STR(ar.results[6].method, "auth");
    CHECK_STR(ar.results[6].result, "pass"); /* the last 4 bytes of the field */
    sw_arena_free(&A);
}

/* The method keyword is read once, by the look that decides a resinfo is one: whatever
 * CFWS lies between the method and its '=' or '/' (none, folding, a comment, several),
 * the method, version, result and comment come out as when it was read twice, in every
 * mode; a comment before the '=' is not the result's comment; a keyword at the end of
 * the field, or one followed by an unbalanced comment, is no result. */
SW_TEST(authres_method_read_once_across_cfws)
{
    static const unsigned modes[] = {SW_AR_RELAXED, SW_AR_RELAXED | SW_AR_I18N, SW_AR_STRICT};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        sw_authres ar;
        CHECK(parse("mx.example; DKIM=pass header.d=a.example; spf (why) =fail (c1) "
                    "smtp.mailfrom=b.example; dmarc\r\n\t/1 = none; arc(x)(y)\r\n =none",
                    modes[m], &ar) == 0);
        CHECK(ar.count == 4);
        if (ar.count != 4)
            continue;
        CHECK_STR(ar.results[0].method, "dkim");
        CHECK_STR(ar.results[0].result, "pass");
        CHECK_STR(ar.results[1].method, "spf");
        CHECK_STR(ar.results[1].result, "fail");
        CHECK_STR(ar.results[1].comment, "c1");
        CHECK_STR(ar.results[2].method, "dmarc");
        CHECK(ar.results[2].method_version == 1);
        CHECK_STR(ar.results[2].result, "none");
        CHECK_STR(ar.results[3].method, "arc");
        CHECK(ar.results[3].comment == NULL);
    }
    sw_authres ar;
    CHECK(parse("spf (a) = pass; dkim=none", SW_AR_RELAXED, &ar) == 0);
    CHECK(ar.flags & SW_ARF_NO_AUTHSERV_ID);
    CHECK(ar.count == 2);
    CHECK_STR(ar.results[0].method, "spf");
    CHECK(ar.results[0].comment == NULL);
    CHECK(parse("mx.example; dkim", SW_AR_RELAXED, &ar) == 0);
    CHECK(ar.count == 0 && (ar.flags & SW_ARF_SKIPPED));
    CHECK(parse("mx.example; dkim (open = pass", SW_AR_RELAXED, &ar) == 0);
    CHECK(ar.count == 0 && (ar.flags & SW_ARF_SKIPPED));
    CHECK(parse("mx.example; dkim (open = pass", SW_AR_STRICT, &ar) != 0);
    sw_arena_free(&A);
}

/* Keywords end at their first byte that is no letter, digit, '-' or '_', wherever it falls
 * in keyword_end's 16-byte steps, and at the end of the input; every keyword byte class is
 * met at every position. More than SW_MAX_AUTHRES_PROPS properties keep the first ones. */
SW_TEST(authres_keyword_ends_and_property_cap)
{
    static const char cls[] = {'a', 'Z', '7', '-', '_'};
    static const char ends[] = {'=', ' ', '.', '\0'};
    for (size_t pre = 0; pre < 20; pre++)
        for (size_t len = 1; len <= 34; len++)
            for (size_t e = 0; e < sizeof ends; e++) {
                char kw[40], want[40], text[160];
                for (size_t k = 0; k < len; k++)
                    kw[k] = k ? cls[(k + pre) % sizeof cls] : 'M';
                kw[len] = '\0';
                for (size_t k = 0; k <= len; k++)
                    want[k] = (char)(kw[k] >= 'A' && kw[k] <= 'Z' ? kw[k] + 32 : kw[k]);
                /* the prefix moves the keyword across the 16-byte steps */
                int w = snprintf(text, sizeof text, "%.*s; x=pass p.%s%s%s", (int)pre + 1,
                                 "abcdefghijklmnopqrstuvwxyz", kw,
                                 ends[e] == '=' ? "=v" : ends[e] == ' ' ? " =v" : "",
                                 ends[e] == '.' ? ".q=v" : "");
                CHECK(w > 0 && (size_t)w < sizeof text);
                sw_authres ar;
                int rc = parse(text, SW_AR_RELAXED | SW_AR_I18N, &ar);
                if (ends[e] == '=' || ends[e] == ' ') {
                    CHECK(rc == 0);
                    CHECK(ar.count == 1);
                    CHECK(ar.results[0].nprops == 1);
                    CHECK_STR(ar.results[0].props[0].ptype, "p");
                    CHECK_STR(ar.results[0].props[0].property, want);
                } else {
                    /* "p.<kw>" then '.' or the end: no '=' after the property */
                    CHECK(rc != 0);
                }
                /* the method keyword, read the same way */
                snprintf(text, sizeof text, "%.*s; %s=Pass", (int)pre + 1,
                         "abcdefghijklmnopqrstuvwxyz", kw);
                CHECK(parse(text, SW_AR_RELAXED | SW_AR_I18N, &ar) == 0);
                CHECK(ar.count == 1);
                CHECK_STR(ar.results[0].method, want);
                CHECK_STR(ar.results[0].result, "pass");
            }
    char many[2048];
    size_t o = (size_t)snprintf(many, sizeof many, "id; spf=pass");
    for (int k = 0; k < SW_MAX_AUTHRES_PROPS + 5; k++)
        o += (size_t)snprintf(many + o, sizeof many - o, " smtp.p%d=v%d", k, k);
    sw_authres ar;
    CHECK(parse(many, SW_AR_RELAXED, &ar) == 0);
    CHECK(ar.count == 1);
    CHECK(ar.results[0].nprops == SW_MAX_AUTHRES_PROPS);
    CHECK_STR(ar.results[0].props[0].property, "p0");
    CHECK_STR(ar.results[0].props[SW_MAX_AUTHRES_PROPS - 1].value, "v31");
    CHECK(parse("id; spf=pass", SW_AR_RELAXED, &ar) == 0);
    CHECK(ar.results[0].nprops == 0 && ar.results[0].props == NULL);
    sw_arena_free(&A);
}

/* Unquoted values, the authserv-id, reasons and comments end in place in one copy of the
 * body: a NUL written after one must never cut another, however tightly they sit. */
SW_TEST(authres_values_ended_in_place)
{
    sw_authres ar;
    CHECK(parse("mx.example;spf=pass(c1(nested))smtp.mailfrom=a@b.example(after)"
                "smtp.helo=;dkim=fail reason=bad(why)header.d=d.example header.s=;x=y",
                SW_AR_RELAXED | SW_AR_I18N, &ar) == 0);
    CHECK_STR(ar.authserv_id, "mx.example");
    CHECK(ar.count == 3);
    CHECK_STR(ar.results[0].comment, "c1(nested)");
    CHECK_STR(sw_authres_prop_get(&ar.results[0], "smtp", "mailfrom"), "a@b.example");
    CHECK_STR(sw_authres_prop_get(&ar.results[0], "smtp", "helo"), "");
    CHECK_STR(ar.results[1].reason, "bad");
    CHECK(ar.results[1].comment == NULL);
    CHECK_STR(sw_authres_prop_get(&ar.results[1], "header", "d"), "d.example");
    CHECK_STR(sw_authres_prop_get(&ar.results[1], "header", "s"), "");
    CHECK_STR(ar.results[2].method, "x");
    CHECK_STR(ar.results[2].result, "y");
    /* a value running to the very end of the body, and one quoted, then the "none" form */
    CHECK(parse("id.example; spf=pass smtp.mailfrom=\"q;(x)\" smtp.helo=h.example",
                SW_AR_RELAXED, &ar) == 0);
    CHECK_STR(sw_authres_prop_get(&ar.results[0], "smtp", "mailfrom"), "q;(x)");
    CHECK_STR(sw_authres_prop_get(&ar.results[0], "smtp", "helo"), "h.example");
    CHECK(parse("id.example; NoNe", SW_AR_RELAXED, &ar) == 0);
    CHECK(ar.flags & SW_ARF_NONE);
    CHECK(parse("id.example; nonf", SW_AR_RELAXED, &ar) == 0);
    CHECK(!(ar.flags & SW_ARF_NONE));
    sw_arena_free(&A);
}
