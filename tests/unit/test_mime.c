/* Unit tests for the MIME walker (src/mail/mime.c): nesting, boundaries, parameters
 * (quoted, RFC 2231 continuations and %-encoding), transfer decodings and the caps.
 * Inputs are C strings written here; each walk uses its own arena, freed at the end. */
#include "test.h"

#include "spoofwatch/mime.h"

#include <stdio.h>
#include <string.h>

static const char nested[] =
    "From: a@example.com\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=inner\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=C3=A9 =\r\n"
    "au lait\r\n"
    "--inner--\r\n"
    "--outer\r\n"
    "Content-Type: application/gzip; name=\"r.xml.gz\"\r\n"
    "Content-Disposition: ATTACHMENT;\r\n"
    " filename*0*=us-ascii''a%21b;\r\n"
    " filename*1=\".xml.gz\"\r\n"
    "Content-Transfer-Encoding: BASE64\r\n"
    "\r\n"
    "SGVs\r\n"
    "bG8=\r\n"
    "--outer--\r\n"
    "epilogue\r\n";

SW_TEST(mime_nested_parts_and_decoding)
{
    sw_arena a;
    sw_arena_init(&a, 1u << 20);
    sw_mime m;
    CHECK(sw_mime_parse(&a, nested, strlen(nested), &m) == 0);
    CHECK(m.nparts == 4);
    CHECK_STR(m.parts[0].type, "multipart/mixed");
    CHECK_STR(m.parts[0].boundary, "outer");
    CHECK_STR(m.parts[1].type, "multipart/alternative");
    CHECK(m.parts[1].parent == 0 && m.parts[1].depth == 1);
    CHECK_STR(m.parts[2].type, "text/plain");
    CHECK(m.parts[2].parent == 1 && m.parts[2].depth == 2);
    CHECK_STR(m.parts[2].charset, "utf-8");
    const char *out;
    size_t len;
    CHECK(sw_mime_decode(&a, &m.parts[2], &out, &len) == 0);
    CHECK_STR(out, "caf\xC3\xA9 au lait");
    CHECK_STR(m.parts[3].type, "application/gzip");
    CHECK_STR(m.parts[3].disposition, "attachment");
    CHECK_STR(m.parts[3].filename, "a!b.xml.gz");
    CHECK_STR(m.parts[3].name, "r.xml.gz");
    CHECK_STR(m.parts[3].encoding, "base64");
    CHECK(sw_mime_decode(&a, &m.parts[3], &out, &len) == 0);
    CHECK(len == 5 && !memcmp(out, "Hello", 5));
    CHECK(m.flags == 0);
    sw_arena_free(&a);
}

SW_TEST(mime_params)
{
    sw_arena a;
    sw_arena_init(&a, 1u << 16);
    const char *v = "multipart/report; report-type=feedback-report;\tboundary=\"a\\\"b; c\"";
    CHECK_STR(sw_mime_param(&a, v, "report-type"), "feedback-report");
    CHECK_STR(sw_mime_param(&a, v, "boundary"), "a\"b; c");
    CHECK(sw_mime_param(&a, v, "charset") == NULL);
    CHECK(sw_mime_param(&a, "text/plain", "charset") == NULL);
    CHECK_STR(sw_mime_param(&a, "x/y; name*=utf-8'en'r%C3%A9sum%C3%A9.zip", "name"),
              "r\xC3\xA9sum\xC3\xA9.zip");
    /* a longer parameter name is not the one asked for */
    CHECK_STR(sw_mime_param(&a, "x/y; filenamex=no; filename=yes", "filename"), "yes");
    sw_arena_free(&a);
}

SW_TEST(mime_hostile_structure)
{
    sw_arena a;
    sw_arena_init(&a, 8u << 20);
    sw_mime m;
    /* no closing boundary: the last part runs to the end and the walk says so */
    const char *open = "Content-Type: multipart/mixed; boundary=z\n\n--z\n\nbody\n";
    CHECK(sw_mime_parse(&a, open, strlen(open), &m) == 0);
    CHECK(m.nparts == 2 && (m.flags & SW_MIME_NO_CLOSE));
    CHECK(m.parts[1].body_len == 5 && !memcmp(m.parts[1].body, "body\n", 5));
    /* a multipart type without a boundary is a leaf */
    const char *nob = "Content-Type: multipart/mixed\n\n--z\n\nx\n--z--\n";
    CHECK(sw_mime_parse(&a, nob, strlen(nob), &m) == 0);
    CHECK(m.nparts == 1 && (m.flags & SW_MIME_NO_BOUNDARY));
    /* nesting deeper than the cap stops at the cap */
    char deep[8192];
    size_t at = 0;
    for (int i = 0; i < SW_MIME_MAX_DEPTH + 5; i++)
        at += (size_t)snprintf(deep + at, sizeof deep - at,
                               "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
    CHECK(sw_mime_parse(&a, deep, at, &m) == 0);
    CHECK(m.flags & SW_MIME_TOO_DEEP);
    CHECK(m.nparts == SW_MIME_MAX_DEPTH + 1);
    sw_arena_free(&a);
}
