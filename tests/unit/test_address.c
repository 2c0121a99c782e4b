/* Unit tests: RFC 5322 address lists and the ambiguity classes. */
#include "test.h"
#include "spoofwatch/address.h"
#include "spoofwatch/idn.h"
#include "spoofwatch/limits.h"

#include <stdio.h>

static sw_arena A;

static sw_address_list parse(const char *s)
{
    sw_address_list l;
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    sw_address_parse(&A, s, strlen(s), &l);
    return l;
}

SW_TEST(address_display_name_and_angle)
{
    sw_address_list l = parse("\"Doe, Jane\" <Jane.Doe@Example.COM>");
    CHECK(l.count == 1);
    CHECK_STR(l.items[0].display_name, "Doe, Jane");
    CHECK_STR(l.items[0].address, "Jane.Doe@example.com");
    CHECK_STR(l.items[0].domain, "example.com");
    CHECK(!(l.flags & SW_ADDR_MULTIPLE));
    sw_arena_free(&A);
}

SW_TEST(address_bare_and_old_comment_form)
{
    sw_address_list l = parse("user@host.example (Real Name)");
    CHECK(l.count == 1);
    CHECK_STR(l.items[0].address, "user@host.example");
    CHECK_STR(l.items[0].display_name, "Real Name");
    sw_arena_free(&A);
}

SW_TEST(address_several_mailboxes_flagged)
{
    sw_address_list l = parse("a@one.example, \"B\" <b@two.example>");
    CHECK(l.count == 2);
    CHECK(l.flags & SW_ADDR_MULTIPLE);
    CHECK_STR(l.items[1].domain, "two.example");
    sw_arena_free(&A);
}

SW_TEST(address_display_name_carrying_an_address)
{
    sw_address_list l = parse("\"security@paypal.com\" <phish@evil.example>");
    CHECK(l.count == 1);
    CHECK(l.items[0].flags & SW_ADDR_DISPLAY_HAS_ADDRESS);
    CHECK_STR(l.items[0].domain, "evil.example");
    /* an address in front of the angle address */
    l = parse("admin@bank.example <x@evil.example>");
    CHECK(l.count == 1);
    CHECK(l.items[0].flags & SW_ADDR_DISPLAY_HAS_ADDRESS);
    CHECK_STR(l.items[0].address, "x@evil.example");
    sw_arena_free(&A);
}

SW_TEST(address_encoded_word_hiding_an_address)
{
    /* =?utf-8?B?PGFkbWluQGxlZ2l0aW1hdGUuY29tPg==?= is "<admin@legitimate.com>" */
    sw_address_list l =
        parse("=?utf-8?B?PGFkbWluQGxlZ2l0aW1hdGUuY29tPg==?= <attacker@evil.example>");
    CHECK(l.count == 1);
    CHECK(l.items[0].flags & SW_ADDR_ENCODED_ADDRESS);
    CHECK(l.items[0].flags & SW_ADDR_DISPLAY_HAS_ADDRESS);
    CHECK_STR(l.items[0].display_name, "<admin@legitimate.com>");
    CHECK_STR(l.items[0].domain, "evil.example");
    sw_arena_free(&A);
}

SW_TEST(address_comment_with_address)
{
    sw_address_list l = parse("Foo (foo@bar.example) <baz@baz.example>");
    CHECK(l.count == 1);
    CHECK(l.items[0].flags & SW_ADDR_COMMENT_HAS_ADDRESS);
    CHECK_STR(l.items[0].address, "baz@baz.example");
    CHECK_STR(l.items[0].display_name, "Foo");
    sw_arena_free(&A);
}

SW_TEST(address_group_syntax)
{
    sw_address_list l = parse("Team: a@x.example, b@y.example;, c@z.example");
    CHECK(l.count == 3);
    CHECK(l.flags & SW_ADDR_GROUP);
    CHECK_STR(l.items[0].group, "Team");
    CHECK_STR(l.items[1].group, "Team");
    CHECK(l.items[2].group == NULL);
    l = parse("undisclosed-recipients:;");
    CHECK(l.count == 0);
    CHECK(l.flags & SW_ADDR_GROUP);
    CHECK(l.flags & SW_ADDR_EMPTY);
    sw_arena_free(&A);
}

SW_TEST(address_obsolete_route_and_quoted_local)
{
    sw_address_list l = parse("<@relay.example,@b.example:user@c.example>");
    CHECK(l.count == 1);
    CHECK(l.items[0].flags & SW_ADDR_ROUTE);
    CHECK_STR(l.items[0].address, "user@c.example");
    l = parse("\"admin@bank.example\"@evil.example");
    CHECK(l.count == 1);
    CHECK(l.items[0].flags & SW_ADDR_QUOTED_LOCAL);
    CHECK_STR(l.items[0].domain, "evil.example");
    sw_arena_free(&A);
}

SW_TEST(address_unbalanced_and_escaped_comma)
{
    sw_address_list l = parse("Name <a@x.example");
    CHECK(l.flags & SW_ADDR_UNBALANCED);
    CHECK(l.count == 1);
    CHECK_STR(l.items[0].address, "a@x.example");
    l = parse("<a@x.example>\\,<b@y.example>");
    CHECK(l.flags & SW_ADDR_ESCAPED_SPECIAL);
    sw_arena_free(&A);
}

SW_TEST(idn_is_idn_finds_8bit_bytes_and_a_labels_anywhere)
{
    static const struct {
        const char *d;
        int want;
    } cases[] = {
        {"", 0}, {"a.b", 0}, {"xn--a.b", 1}, {"a.xn--b", 1}, {"a.XN--b", 1}, {"a.xn-b", 0},
        {"axn--b.c", 0}, {"a.b.xn--", 1}, {"a.b.xn-", 0}, {"a..xn--z", 1}, {"x.n--", 0},
        {"mail.example.com", 0}, {"mail.example.co\xc3\xa9", 1}, {"\xc3\xa9xample.com", 1},
        {"long-label-without-anything.example", 0}, {"long-label.example.x\x80", 1},
        {"aaaaaaa\xff" "bbbbbbbb", 1}, {"aaaaaaaabbbbbbbbxn--", 0}, {"aaaaaaaabbbbbbb.xn--", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(sw_idn_is_idn(cases[i].d, strlen(cases[i].d)) == cases[i].want);
    CHECK(sw_idn_is_idn("xn--", 3) == 0); /* only the first n bytes count */
}

/* sw_idn_is_idn's 16-byte screen against the rule itself, byte by byte: for every length
 * up to 80 (short copies, whole steps, the overlapping last step) a '-' pair, an "xn--"
 * at and off a label start, or an 8-bit byte at every position, with bytes past n that
 * would change the answer if they were read. */
static int idn_reference(const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)d[i] >= 0x80)
            return 1;
    for (size_t i = 0; i + 4 <= n; i++)
        if ((i == 0 || d[i - 1] == '.') && (d[i] | 0x20) == 'x' && (d[i + 1] | 0x20) == 'n' &&
            d[i + 2] == '-' && d[i + 3] == '-')
            return 1;
    return 0;
}

SW_TEST(idn_is_idn_screen_matches_reference)
{
    static const char *const marks[] = {"xn--", "XN--", "--", "-", ".xn--", "x\0--", "\x80",
                                        "\xff", "a--b", "xn-"};
    char buf[128];
    size_t bad = 0;
    for (size_t n = 0; n <= 80; n++)
        for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++)
            for (size_t at = 0; at <= n; at++) {
                for (size_t i = 0; i < sizeof buf; i++)
                    buf[i] = i % 7 == 6 ? '.' : 'a';
                size_t ml = marks[m][0] == 'x' && marks[m][1] == '\0' ? 5 : strlen(marks[m]);
                for (size_t i = 0; i < ml && at + i < sizeof buf; i++)
                    buf[at + i] = marks[m][i];
                memcpy(buf + n, "-xn--\x80", 7); /* past the end: must not count */
                if (sw_idn_is_idn(buf, n) != idn_reference(buf, n))
                    bad++;
            }
    CHECK(bad == 0);
}

SW_TEST(address_idn_and_multiple_at)
{
    sw_address_list l = parse("Bob <bob@b\xc3\xbc"
                              "cher.example>");
    CHECK(l.items[0].flags & SW_ADDR_IDN);
    l = parse("<user@legit.example@evil.example>");
    CHECK(l.items[0].flags & SW_ADDR_MULTIPLE_AT);
    CHECK_STR(l.items[0].domain, "evil.example");
    l = parse("x@xn--80ak6aa92e.com");
    CHECK(l.items[0].flags & SW_ADDR_IDN);
    sw_arena_free(&A);
}

SW_TEST(address_encoded_display_name_decoded)
{
    sw_address_list l = parse("=?UTF-8?Q?J=C3=BCrgen?= <j@example.de>");
    CHECK_STR(l.items[0].display_name, "J\xc3\xbcrgen");
    CHECK(l.items[0].flags & SW_ADDR_DISPLAY_ENCODED);
    CHECK(!(l.items[0].flags & SW_ADDR_DISPLAY_HAS_ADDRESS));
    sw_arena_free(&A);
}

SW_TEST(address_idn_domains_get_both_forms)
{
    /* Cyrillic "а" in place of Latin "a": the classic lookalike, written as an A-label */
    sw_address_list l = parse("Apple <support@xn--pple-43d.com>");
    CHECK_STR(l.items[0].domain_ascii, "xn--pple-43d.com");
    CHECK_STR(l.items[0].domain_unicode, "\xd0\xb0pple.com");
    l = parse("<bob@B\xc3\x9c"
              "CHER.example>");
    CHECK_STR(l.items[0].domain_ascii, "xn--bcher-kva.example");
    CHECK_STR(l.items[0].domain_unicode, "b\xc3\xbc"
                                         "cher.example");
    l = parse("x@example.com");
    CHECK(l.items[0].domain_ascii == NULL);
    /* punycode that does not decode is rejected by IDNA and flagged */
    l = parse("x@xn--a-ecp.xn--.com");
    CHECK(l.items[0].flags & SW_ADDR_IDN_INVALID);
    sw_arena_free(&A);
}

/* Local parts and domains of one token are used as spans of the value; these are the
 * one-token shapes that are not plain atoms, whose text the copy's strlen or the buffer
 * decides. */
SW_TEST(address_single_token_parts)
{
    sw_address_list l;
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    /* a quoted-pair NUL as the whole local part: the address is cut at the NUL */
    static const char nul_local[] = "\\\0@Example.COM";
    CHECK(sw_address_parse(&A, nul_local, sizeof nul_local - 1, &l) == 0);
    CHECK(l.count == 1);
    CHECK_STR(l.items[0].address, "@example.com");
    CHECK(l.flags & SW_ADDR_ESCAPED_SPECIAL);
    /* a domain literal keeps its brackets; comments around the parts are dropped */
    l = parse("(c) user (d) @ (e) [192.0.2.1] (f)");
    CHECK(l.count == 1);
    CHECK_STR(l.items[0].address, "user@[192.0.2.1]");
    CHECK(l.items[0].flags & SW_ADDR_DOMAIN_LITERAL);
    /* a quoted local part is still rewritten with its quotes */
    l = parse("\"a b\"@Example.com");
    CHECK(l.count == 1);
    CHECK_STR(l.items[0].address, "\"a b\"@example.com");
    CHECK(l.items[0].flags & SW_ADDR_QUOTED_LOCAL);
    /* an encoded word as the local part */
    l = parse("=?utf-8?q?x?=@example.com");
    CHECK(l.count == 1);
    CHECK(l.items[0].flags & SW_ADDR_ENCODED_IN_ADDR);
    sw_arena_free(&A);
}

SW_TEST(address_one_token_parts_share_a_copy)
{
    sw_address_list l;
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    /* a NUL inside a domain literal: the domain keeps it, the address is cut there */
    static const char nul_dom[] = "u@[192.0\0.2.1]";
    CHECK(sw_address_parse(&A, nul_dom, sizeof nul_dom - 1, &l) == 0);
    CHECK(l.count == 1);
    CHECK_STR(l.items[0].local, "u");
    CHECK(memcmp(l.items[0].domain, "[192.0\0.2.1]", 13) == 0);
    CHECK_STR(l.items[0].address, "u@[192.0");
    /* no '@': the local part alone is the address */
    l = parse("Postmaster");
    CHECK(l.count == 1);
    CHECK_STR(l.items[0].local, "Postmaster");
    CHECK_STR(l.items[0].address, "Postmaster");
    CHECK(l.items[0].domain == NULL);
    CHECK(l.items[0].flags & SW_ADDR_NO_DOMAIN);
    /* an '@' with nothing after it */
    l = parse("<user@>");
    CHECK(l.count == 1);
    CHECK_STR(l.items[0].address, "user");
    CHECK(l.items[0].flags & SW_ADDR_NO_DOMAIN);
    /* parts longer than the short-copy sizes, mixed case in the domain only lowered */
    l = parse("Very.Long.Local.Part.Of.An.Address.0123456789@Sub.Domain.Of.A.Long.Example.ORG, "
              "b@c.d");
    CHECK(l.count == 2);
    CHECK_STR(l.items[0].local, "Very.Long.Local.Part.Of.An.Address.0123456789");
    CHECK_STR(l.items[0].domain, "sub.domain.of.a.long.example.org");
    CHECK_STR(l.items[0].address,
              "Very.Long.Local.Part.Of.An.Address.0123456789@sub.domain.of.a.long.example.org");
    CHECK_STR(l.items[1].address, "b@c.d");
    /* every length of local part and domain around the copy sizes */
    for (size_t ln = 1; ln <= 40; ln++) {
        for (size_t dn = 1; dn <= 40; dn++) {
            char in[100], want[100];
            memset(in, 'L', ln);
            in[ln] = '@';
            memset(in + ln + 1, 'D', dn);
            in[ln + 1 + dn] = '\0';
            memset(want, 'L', ln);
            want[ln] = '@';
            memset(want + ln + 1, 'd', dn);
            want[ln + 1 + dn] = '\0';
            l = parse(in);
            CHECK(l.count == 1);
            CHECK_STR(l.items[0].address, want);
            CHECK(strlen(l.items[0].local) == ln && strlen(l.items[0].domain) == dn);
        }
    }
    sw_arena_free(&A);
}

/* sw_address_parse_names leaves out flag tests only: every mailbox and every string the
 * recipients keep must be those of sw_address_parse. */
SW_TEST(address_parse_names_same_mailboxes)
{
    static const char *const lists[] = {
        "\"Doe, Jane\" <Jane.Doe@Example.COM>, bob@example.org",
        "=?utf-8?q?Caf=C3=A9?= <x@b\xc3\xbc" "cher.example>, =?utf-8?q?a?=@example.com",
        "\"security@paypal.com\" <phish@evil.example>, admin@bank.example <x@evil.example>",
        "user@host.example (Real Name), other@host.example (a@b.example)",
        "Team: a@x.example, \"B\" <b@xn--bcher-kva.example>;, c@y.example",
        "<@route.example:u@z.example>, \"a b\"@Example.com, \\@x.example, (c) u (d) @ [1.2.3.4]",
        "no-domain, <>, , ,\"unterminated <a@b.example",
    };
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        sw_address_list full, names;
        size_t n = strlen(lists[i]);
        CHECK(sw_address_parse(&A, lists[i], n, &full) == 0);
        CHECK(sw_address_parse_names(&A, lists[i], n, &names) == 0);
        CHECK(full.count == names.count);
        for (size_t k = 0; k < full.count; k++) {
            const sw_mailbox *f = &full.items[k], *m = &names.items[k];
            CHECK_STR(m->address, f->address);
            CHECK_STR(m->local, f->local);
            CHECK_STR(m->domain, f->domain);
            CHECK_STR(m->display_name, f->display_name);
            CHECK_STR(m->display_raw, f->display_raw);
            CHECK_STR(m->comment, f->comment);
            CHECK_STR(m->group, f->group);
        }
    }
    sw_arena_free(&A);
}

/* Atoms end exactly at their first special or space wherever it falls in the lexer's
 * 16-byte tests, with rarer atom text ('_', '=', 8-bit) anywhere inside. */
SW_TEST(address_atom_ends)
{
    static const char rare[] = {'_', '=', '\xc3'};
    for (size_t len = 1; len <= 40; len++)
        for (size_t r = 0; r <= sizeof rare; r++)
            for (size_t pos = 0; pos < len; pos++) {
                char local[48], text[160];
                memset(local, 'a' + (char)(len % 26), len);
                local[len] = '\0';
                if (r < sizeof rare)
                    local[pos] = rare[r];
                else if (pos)
                    break; /* plain atoms once per length */
                snprintf(text, sizeof text, "<%s@Ex-ample.COM>,%s@d.example", local, local);
                sw_address_list l = parse(text);
                CHECK(l.count == 2);
                CHECK_STR(l.items[0].local, local);
                CHECK_STR(l.items[0].domain, "ex-ample.com");
                CHECK_STR(l.items[1].local, local);
                CHECK_STR(l.items[1].domain, "d.example");
            }
}

SW_TEST(address_one_byte_specials)
{
    /* Each one-byte special read off the class table: the strays mark the list
     * unbalanced, the others split it as their kind says. */
    sw_address_list l = parse("a@b.example)");
    CHECK(l.flags & SW_ADDR_UNBALANCED);
    l = parse("a@b.example]");
    CHECK(l.flags & SW_ADDR_UNBALANCED);
    sw_arena_free(&A);
    sw_arena_init(&A, SW_MAX_ARENA);
    static const char nul[] = "a@b.example\0";
    CHECK(sw_address_parse(&A, nul, sizeof nul - 1, &l) == 0);
    CHECK(l.flags & SW_ADDR_UNBALANCED);
    CHECK_STR(l.items[0].address, "a@b.example");
    l = parse("G: a@b.example, <c@d.example>; e@f.example");
    CHECK(l.count == 3);
    CHECK(!(l.flags & SW_ADDR_UNBALANCED));
    CHECK(l.flags & SW_ADDR_GROUP);
    CHECK_STR(l.items[0].group, "G");
    CHECK_STR(l.items[1].address, "c@d.example");
    CHECK_STR(l.items[1].group, "G");
    CHECK(l.items[2].group == NULL);
    CHECK_STR(l.items[2].address, "e@f.example");
    sw_arena_free(&A);
}

static int same_lists(const sw_address_list *x, const sw_address_list *y)
{
    if (x->count != y->count || x->flags != y->flags)
        return 0;
    for (size_t k = 0; k < x->count; k++) {
        const sw_mailbox *a = &x->items[k], *b = &y->items[k];
        const char *const sa[] = {a->display_name, a->display_raw, a->local, a->domain,
                                  a->domain_ascii, a->domain_unicode, a->address, a->comment,
                                  a->group};
        const char *const sb[] = {b->display_name, b->display_raw, b->local, b->domain,
                                  b->domain_ascii, b->domain_unicode, b->address, b->comment,
                                  b->group};
        if (a->flags != b->flags)
            return 0;
        for (size_t i = 0; i < sizeof sa / sizeof sa[0]; i++)
            if ((sa[i] == NULL) != (sb[i] == NULL) || (sa[i] && strcmp(sa[i], sb[i])))
                return 0;
    }
    return 1;
}

/* One mailbox of the common shapes is read without the lexer (plain_mailbox): it must be
 * the list the general path makes. A space after '<' and before '>', or before a bare
 * addr-spec's '@', gives the lexer the same tokens but sends the value the general way,
 * so each value is compared with that twin, in both modes. */
SW_TEST(address_plain_mailbox_same_as_general)
{
#define V(s) {s, sizeof s - 1}
    static const struct {
        const char *s;
        size_t n;
    } values[] = {
        V("user0@corp.example"),
        V("  <bounce-0@Mail.Example.ORG>\r\n\t"),
        V("\"Sender 0\" <sender0@example.com>"),
        V("Sender \t  Zero\r\n <s@X.example>"),
        V("\"a\"b\"c\" d <s@x.example>"),
        V("\"\" <s@x.example>"),
        V("=?utf-8?q?Caf=C3=A9?= <x@b\xc3\xbc" "cher.example>"),
        V("=?utf-8?b?YUBiLmV4YW1wbGU=?= <x@evil.example>"),
        V("=?bogus?q?x?= <x@evil.example>"),
        V("\"security@paypal.com\" <phish@evil.example>"),
        V("\"weird <x@y.example>\" <a@b.example>"),
        V("\"a\0b\" <x@y.example>"),
        V("Name\x01" "Ctl <a@b.example>"),
        V("x@xn--bcher-kva.example"),
        V("x@xn--invalid-.example"),
        V("=?x?q?y?=@b.example"),
        V("a@b"),
        V("averyveryverylonglocalpart.with.dots@a.very.long.domain.name.example"),
        V("<a@b.example>"),
        V("Z <a@b.example>"),
    };
#undef V
    char big[400];
    for (size_t i = 0; i < sizeof values / sizeof values[0] + 3; i++) {
        const char *s;
        size_t n;
        if (i < sizeof values / sizeof values[0]) {
            s = values[i].s;
            n = values[i].n;
        } else {
            /* display names about the plain path's 256-byte buffer */
            size_t dn = i == sizeof values / sizeof values[0] ? 240 : i % 2 ? 255 : 300;
            memset(big, 'w', dn);
            for (size_t k = 7; k < dn; k += 9)
                big[k] = ' ';
            memcpy(big + dn, " <a@b.example>", 15);
            s = big;
            n = dn + 14;
        }
        /* the twin: spaces inside the brackets, or before a bare '@' */
        char twin[512];
        const char *gt = NULL, *at = NULL;
        for (size_t k = 0; k < n; k++) {
            if (s[k] == '>')
                gt = s + k;
            if (s[k] == '@')
                at = s + k;
        }
        size_t tn = 0;
        if (gt) {
            const char *lt = gt;
            while (*lt != '<')
                lt--;
            size_t a = (size_t)(lt - s) + 1, b = (size_t)(gt - s);
            memcpy(twin, s, a);
            twin[a] = ' ';
            memcpy(twin + a + 1, s + a, b - a);
            twin[b + 1] = ' ';
            memcpy(twin + b + 2, s + b, n - b);
            tn = n + 2;
        } else {
            size_t a = (size_t)(at - s);
            memcpy(twin, s, a);
            twin[a] = ' ';
            memcpy(twin + a + 1, s + a, n - a);
            tn = n + 1;
        }
        for (int full = 0; full < 2; full++) {
            sw_address_list x, y;
            sw_arena_free(&A);
            sw_arena_init(&A, SW_MAX_ARENA);
            int (*fn)(sw_arena *, const char *, size_t, sw_address_list *) =
                full ? sw_address_parse : sw_address_parse_names;
            CHECK(fn(&A, s, n, &x) == 0);
            CHECK(fn(&A, twin, tn, &y) == 0);
            CHECK(x.count == 1);
            CHECK(same_lists(&x, &y));
        }
    }
    sw_arena_free(&A);
}
