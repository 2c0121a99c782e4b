/* Organizational domains: known answers from the Public Suffix List, and sw_orgdomain's
 * cached walk giving exactly what libpsl's psl_registrable_domain gives, name for name. */
#include "test.h"

#include "spoofwatch/orgdomain.h"

#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>

SW_TEST(orgdomain_known_answers)
{
    sw_orgdomain_ctx c;
    sw_error err;
    CHECK(sw_orgdomain_open(&c, NULL, &err) == 0);
    sw_arena a;
    sw_arena_init(&a, 1u << 20);
    static const char *const cases[][2] = {
        {"example.com", "example.com"},
        {"mail.example.com", "example.com"},
        {"a.b.c.example.co.uk", "example.co.uk"},
        {"co.uk", "co.uk"},                                 /* a public suffix: itself */
        {"com", "com"},
        {"example.com.", "example.com"},                    /* the root dot */
        {"x.y.forgot.his.name", "y.forgot.his.name"},       /* a rule below a gap */
        {"his.name", "his.name"},
        {"a.b.city.kawasaki.jp", "city.kawasaki.jp"},       /* exception to a wildcard */
        {"a.b.other.kawasaki.jp", "b.other.kawasaki.jp"},   /* the wildcard */
        {"mx1.mail.protection.outlook.com", "outlook.com"},
    };
    /* twice: the second round is answered from the caches */
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            CHECK_STR(sw_orgdomain(&c, &a, cases[i][0]), cases[i][1]);
    sw_arena_free(&a);
    sw_orgdomain_close(&c);
}

/* A name is the same name in any ASCII case (RFC 4343), and its answer must not depend on
 * which spelling was asked first: libpsl matches rules byte for byte ("forgOt.his.name" is
 * not its rule "forgot.his.name"), and the caches keep the answer of the first spelling. */
SW_TEST(orgdomain_ignores_case_and_order)
{
    static const char *const spellings[][3] = {
        {"forgot.his.name", "forgOt.His.NAME", "forgot.his.name"},
        {"www.example.co.uk", "WWW.Example.CO.UK.", "example.co.uk"},
        {"a.b.City.Kawasaki.JP", "a.b.city.kawasaki.jp", "city.kawasaki.jp"},
    };
    for (int order = 0; order < 2; order++) {
        sw_orgdomain_ctx c;
        sw_error err;
        CHECK(sw_orgdomain_open(&c, NULL, &err) == 0);
        sw_arena a;
        sw_arena_init(&a, 1u << 20);
        for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
            CHECK_STR(sw_orgdomain(&c, &a, spellings[i][order]), spellings[i][2]);
            CHECK_STR(sw_orgdomain(&c, &a, spellings[i][1 - order]), spellings[i][2]);
        }
        sw_arena_free(&a);
        sw_orgdomain_close(&c);
    }
}

/* Names built from the list's awkward places (wildcards, exceptions, gaps, multi-label
 * rules) with ordinary and random labels in front, more of them than the public-suffix
 * cache holds, so that it is also emptied and refilled on the way. */
SW_TEST(orgdomain_matches_libpsl)
{
    sw_orgdomain_ctx c;
    sw_error err;
    CHECK(sw_orgdomain_open(&c, NULL, &err) == 0);
    sw_arena a;
    sw_arena_init(&a, 1u << 20);
    static const char *const tails[] = {
        "com", "co.uk", "uk", "kawasaki.jp", "city.kawasaki.jp", "jp", "ck", "www.ck",
        "his.name", "forgot.his.name", "name", "compute.amazonaws.com", "s3.amazonaws.com",
        "amazonaws.com", "blogspot.com", "github.io", "outlook.com", "protection.outlook.com",
        "xn--p1ai", "example", "local", "nom.br", "sch.uk", "bd", "mm", "er", "kobe.jp",
        "gov.uk", "pvt.k12.ma.us", "k12.ma.us", "ma.us", "us", "ac.jp", "appspot.com"};
    static const char *const heads[] = {"", "a.", "www.", "mail.", "a.b.", "x.y.z.", "mx1.prod."};
    unsigned seed = 12345;
    char name[300];
    size_t checked = 0;
    for (int pass = 0; pass < 700; pass++) {
        for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
            const char *head = heads[(size_t)pass % (sizeof heads / sizeof heads[0])];
            seed = seed * 1103515245u + 12345u;
            if (pass < 7)
                snprintf(name, sizeof name, "%s%s", head, tails[t]);
            else /* a fresh label each time: new tails for the cache */
                snprintf(name, sizeof name, "h%u.%s%s", seed >> 8, head, tails[t]);
            sw_arena_reset(&a);
            const char *want = psl_registrable_domain(c.psl, name);
            const char *got = sw_orgdomain(&c, &a, name);
            CHECK_STR(got, want ? want : name);
            checked++;
        }
    }
    CHECK(checked > SW_PS_CACHE_SLOTS);
    sw_arena_free(&a);
    sw_orgdomain_close(&c);
}

/* The hash reads a name eight bytes at a time, the last word cut from the name's final
 * eight bytes: a capital in any position of a name of any length must still be seen (the
 * name is then looked up lower-cased), and sw_orgdomain_n answers as sw_orgdomain does. */
SW_TEST(orgdomain_capitals_anywhere)
{
    sw_orgdomain_ctx c;
    sw_error err;
    CHECK(sw_orgdomain_open(&c, NULL, &err) == 0);
    sw_arena a;
    sw_arena_init(&a, 1u << 20);
    char name[64], want[64];
    for (size_t k = 1; k <= 17; k++) {
        /* "hhh.example.com" with one capital at each position in turn */
        size_t n = (size_t)snprintf(want, sizeof want, "%.*s.example.com", (int)k,
                                    "hhhhhhhhhhhhhhhhhhhh");
        for (size_t pos = 0; pos < n; pos++) {
            memcpy(name, want, n + 1);
            if (name[pos] == '.')
                continue;
            name[pos] = (char)(name[pos] - 32);
            CHECK_STR(sw_orgdomain(&c, &a, name), "example.com");
            CHECK_STR(sw_orgdomain_n(&c, &a, name, n), "example.com");
        }
    }
    /* shorter than one word */
    CHECK_STR(sw_orgdomain(&c, &a, "A.com"), "a.com");
    CHECK_STR(sw_orgdomain(&c, &a, "a.coM"), "a.com");
    CHECK_STR(sw_orgdomain(&c, &a, "COM"), "com");
    CHECK_STR(sw_orgdomain_n(&c, &a, "b.co.uK", 7), "b.co.uk");
    sw_arena_free(&a);
    sw_orgdomain_close(&c);
}
