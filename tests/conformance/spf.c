/* Conformance runner for the openspf test suites in <shared>/conformance/spf:
 * rfc7208-tests.yml (line "spf-rfc7208: ...") and rfc4408-tests.yml ("spf-rfc4408: ...").
 *
 * Each scenario (one YAML document) gets a fresh fixture resolver loaded from its zonedata
 * with the suite's runner rules (pyspf test/testspf.py semantics, see SOURCE.md there):
 *   - records are one-key maps; TXT/SPF values are a string or a list of strings;
 *   - type SPF is also published as TXT unless the name has its own TXT entry; the SPF
 *     records stay in the zone as type 99, which spoofwatch never asks for;
 *   - `TXT: NONE` is no TXT record (and stops the copy); a typed `TIMEOUT` times out that
 *     type; a bare `TIMEOUT` times out every type no record of which was listed before it;
 *   - absent names are NXDOMAIN, present names without the type NODATA (the fixture).
 * Then every test runs sw_spf_verify() (MAIL FROM; an empty mailfrom is the null sender,
 * checked as postmaster@helo) and compares the result (one word, or a list of acceptable
 * words) and, when given, the explanation ("DEFAULT" = no exp= text).
 *
 * One runner adaptation: the fixture API takes C strings, so a NUL byte inside a zone string
 * (the a-null and mx-null cases) is published as DEL (0x7f), a byte that is just as invalid
 * in a record (RFC 7208 §4.6.1; the unit tests check a real NUL). Deliberate differences are
 * listed in docs/conformance.md and in `differences` below.
 *
 * libyaml's document loader reads one document per call, so each scenario is copied into a
 * temporary file and loaded alone. SW_SPF_VERBOSE=1 prints the evidence of failures and the answer given where several
 * are acceptable. The
 * shared dir is $SW_SHARED_DIR or SW_SOURCE_ROOT "/../shared"; a missing suite counts as
 * one skipped case. */
#include "yamltree.h"

#include "spoofwatch/dns.h"
#include "spoofwatch/spf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SW_SOURCE_ROOT
#define SW_SOURCE_ROOT "."
#endif

typedef struct counts {
    int passed, failed, skipped;
} counts;

/* Cases where spoofwatch deliberately answers differently: checked with the stated rule. */
static const struct {
    const char *suite, *test;
    const char *rule; /* "exp-nocase": the explanation is compared ignoring ASCII case */
} differences[] = {
    /* %{i} of an IPv6 client: RFC 7208 §7.4's example writes the nibbles in lower case;
     * the suite expects upper case ("...E.B.A.B.E.F.A.C.ip6.arpa") */
    {"spf-rfc7208", "v-macro-ip6", "exp-nocase"},
    {"spf-rfc4408", "v-macro-ip6", "exp-nocase"},
};

static const char *difference(const char *suite, const char *test)
{
    for (size_t i = 0; i < sizeof differences / sizeof differences[0]; i++)
        if (!strcmp(differences[i].suite, suite) && !strcmp(differences[i].test, test))
            return differences[i].rule;
    return NULL;
}

/* A scalar's bytes as a C string; NUL bytes (YAML "\0") become DEL, see above. */
static char *scalar_copy(const yt_node *n)
{
    const char *s = yt_str(n);
    size_t len = yt_len(n);
    char *c = malloc(len + 1);
    if (!c)
        return NULL;
    for (size_t i = 0; i < len; i++)
        c[i] = s[i] ? s[i] : 0x7f;
    c[len] = '\0';
    return c;
}

/* A TXT record from a string or a list of character-strings. */
static int add_txt(sw_resolver *r, const char *name, const yt_node *v)
{
    const char *parts[64];
    char *owned[64];
    size_t n = 0;
    if (yt_is_seq(v)) {
        for (size_t i = 0; i < yt_len(v) && n < 64; i++) {
            owned[n] = scalar_copy(yt_at(v, i));
            parts[n] = owned[n] ? owned[n] : "";
            n++;
        }
    } else {
        owned[0] = scalar_copy(v);
        parts[0] = owned[0] ? owned[0] : "";
        n = 1;
    }
    int rc = sw_dns_fixture_add_txt(r, name, parts, n);
    for (size_t i = 0; i < n; i++)
        free(owned[i]);
    return rc;
}

static const sw_dns_type timeout_types[] = {SW_DNS_A, SW_DNS_AAAA, SW_DNS_MX, SW_DNS_PTR,
                                            SW_DNS_TXT};

static int load_zone(sw_resolver *r, const yt_node *zone, char *err, size_t errlen)
{
    for (size_t i = 0; i < yt_len(zone); i++) {
        const char *name = yt_key_at(zone, i);
        const yt_node *recs = yt_at(zone, i);
        int has_txt = 0;
        for (size_t k = 0; k < yt_len(recs); k++)
            if (yt_get(yt_at(recs, k), "TXT"))
                has_txt = 1;
        int seen[5] = {0}; /* types of timeout_types listed so far */
        for (size_t k = 0; k < yt_len(recs); k++) {
            const yt_node *rec = yt_at(recs, k);
            if (yt_is_scalar(rec) && !strcmp(yt_str(rec), "TIMEOUT")) {
                int any = 0;
                for (size_t t = 0; t < 5; t++)
                    any |= seen[t];
                if (!any) {
                    sw_dns_fixture_fail(r, name, 0, SW_DNS_TEMPFAIL);
                } else {
                    for (size_t t = 0; t < 5; t++)
                        if (!seen[t] &&
                            sw_dns_fixture_fail(r, name, timeout_types[t], SW_DNS_TEMPFAIL)) {
                            snprintf(err, errlen, "%s: too many TIMEOUT types", name);
                            return -1;
                        }
                }
                break; /* nothing after a bare TIMEOUT can be answered */
            }
            if (!yt_is_map(rec) || yt_len(rec) != 1) {
                snprintf(err, errlen, "%s: record %zu is not a one-key map", name, k);
                return -1;
            }
            const char *tname = yt_key_at(rec, 0);
            const yt_node *v = yt_at(rec, 0);
            sw_dns_type type;
            if (sw_dns_type_from_name(tname, &type)) {
                snprintf(err, errlen, "%s: unknown type %s", name, tname);
                return -1;
            }
            if (yt_is_scalar(v) && !strcmp(yt_str(v), "TIMEOUT")) {
                sw_dns_fixture_fail(r, name, type, SW_DNS_TEMPFAIL);
                continue;
            }
            int rc = 0;
            if (type == SW_DNS_TXT) {
                if (yt_is_scalar(v) && !strcmp(yt_str(v), "NONE"))
                    continue;
                rc = add_txt(r, name, v);
            } else if (type == SW_DNS_SPF) {
                /* the type-99 record itself (one string; never queried), and its TXT copy */
                if (yt_is_scalar(v)) {
                    char *one = scalar_copy(v);
                    rc = one ? sw_dns_fixture_add(r, name, SW_DNS_SPF, one) : -1;
                    free(one);
                }
                if (!rc && !has_txt) {
                    rc = add_txt(r, name, v);
                    seen[4] = 1;
                }
            } else if (type == SW_DNS_MX) {
                char buf[1024];
                snprintf(buf, sizeof buf, "%s %s", yt_str(yt_at(v, 0)),
                         yt_str(yt_at(v, 1)) ? yt_str(yt_at(v, 1)) : "");
                rc = sw_dns_fixture_add(r, name, type, buf);
            } else {
                rc = sw_dns_fixture_add(r, name, type, yt_str(v) ? yt_str(v) : "");
            }
            if (rc) {
                snprintf(err, errlen, "%s: cannot add %s record", name, tname);
                return -1;
            }
            for (size_t t = 0; t < 5; t++)
                if (timeout_types[t] == type)
                    seen[t] = 1;
        }
    }
    return 0;
}

static int result_ok(const yt_node *want, const char *got)
{
    if (yt_is_scalar(want))
        return !strcasecmp(yt_str(want), got);
    for (size_t i = 0; i < yt_len(want); i++)
        if (!strcasecmp(yt_str(yt_at(want, i)), got))
            return 1;
    return 0;
}

static void want_text(const yt_node *want, char *buf, size_t cap)
{
    if (yt_is_scalar(want)) {
        snprintf(buf, cap, "%s", yt_str(want));
        return;
    }
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < yt_len(want) && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? "|" : "", yt_str(yt_at(want, i)));
}

static void run_test(const char *suite, const char *scen, const char *test, const yt_node *t,
                     sw_resolver *r, counts *c)
{
    sw_arena a;
    sw_arena_init(&a, 16u << 20);
    sw_dns_log_reset(r);
    sw_spf_request req = {.ip = yt_str(yt_get(t, "host")),
                          .mailfrom = yt_str(yt_get(t, "mailfrom")),
                          .helo = yt_str(yt_get(t, "helo")),
                          .receiver = "receiver.example",
                          .now = 1700000000};
    sw_spf_outcome out;
    int rc = sw_spf_verify(r, &a, &req, SW_SPF_ID_MAILFROM, &out);
    const char *why = NULL;
    char wbuf[256];
    want_text(yt_get(t, "result"), wbuf, sizeof wbuf);
    const char *got = rc ? "(error)" : sw_spf_result_name(out.result);
    if (rc)
        why = "sw_spf_verify failed";
    else if (!result_ok(yt_get(t, "result"), got))
        why = "result";
    const yt_node *wexp = yt_get(t, "explanation");
    const char *rule = difference(suite, test);
    if (!why && wexp) {
        const char *e = out.explanation ? out.explanation : "DEFAULT";
        int same = rule && !strcmp(rule, "exp-nocase") ? !strcasecmp(e, yt_str(wexp))
                                                       : !strcmp(e, yt_str(wexp));
        if (!same)
            why = "explanation";
    }
    if (why) {
        c->failed++;
        printf("FAIL %s %s/%s: %s: got %s want %s", suite, scen, test, why, got, wbuf);
        if (!rc && wexp)
            printf(" (explanation got \"%s\" want \"%s\")",
                   out.explanation ? out.explanation : "DEFAULT", yt_str(wexp));
        if (!rc && out.problem)
            printf(" [%s]", out.problem);
        printf("\n");
        const char *v = getenv("SW_SPF_VERBOSE");
        if (!rc && v && *v == '1')
            printf("%s", out.evidence);
    } else {
        c->passed++;
        const char *v = getenv("SW_SPF_VERBOSE");
        if (v && *v == '1' && yt_is_seq(yt_get(t, "result")))
            printf("note %s %s/%s: accepts %s, got %s\n", suite, scen, test, wbuf, got);
    }
    sw_arena_free(&a);
}

static void run_scenario(const char *suite, const char *path, int index, counts *c)
{
    char err[512];
    yt_doc *doc = yt_load_file(path, err, sizeof err);
    if (!doc) {
        c->failed++;
        printf("FAIL %s scenario %d: %s\n", suite, index, err);
        return;
    }
    const yt_node *root = yt_root(doc);
    const char *desc = yt_str(yt_get(root, "description"));
    const yt_node *tests = yt_get(root, "tests");
    sw_resolver *r = sw_dns_fixture_new();
    if (!r || load_zone(r, yt_get(root, "zonedata"), err, sizeof err)) {
        c->failed++;
        printf("FAIL %s scenario \"%s\": zone: %s\n", suite, desc ? desc : "?",
               r ? err : "out of memory");
    } else {
        for (size_t i = 0; i < yt_len(tests); i++)
            run_test(suite, desc ? desc : "?", yt_key_at(tests, i), yt_at(tests, i), r, c);
    }
    sw_resolver_free(r);
    yt_free(doc);
}

/* Splits the multi-document file at "---" lines; each document goes through a temp file. */
static void run_suite(const char *suite, const char *path)
{
    counts c = {0, 0, 0};
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("%s: 0 passed, 0 failed, 1 skipped\n", suite);
        return;
    }
    char tmp[] = "/tmp/sw-spf-scenario-XXXXXX";
    int fd = mkstemp(tmp);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!out) {
        printf("FAIL %s: cannot make a temporary file\n%s: 0 passed, 1 failed\n", suite, suite);
        fclose(f);
        return;
    }
    char line[65536];
    int index = 0, started = 0;
    for (;;) {
        char *l = fgets(line, sizeof line, f);
        if (!l || !strncmp(line, "---", 3)) {
            if (started) {
                fflush(out);
                run_scenario(suite, tmp, index, &c);
            }
            if (!l)
                break;
            started = 1;
            index++;
            if (ftruncate(fileno(out), 0) || fseek(out, 0, SEEK_SET))
                break;
            continue;
        }
        if (started)
            fputs(line, out);
    }
    fclose(out);
    unlink(tmp);
    fclose(f);
    if (!index) {
        printf("FAIL %s: no scenarios in %s\n", suite, path);
        c.failed++;
    }
    printf("%s: %d passed, %d failed, %d skipped\n", suite, c.passed, c.failed, c.skipped);
}

int main(void)
{
    const char *env = getenv("SW_SHARED_DIR");
    char p7208[4200], p4408[4200];
    const char *base = env && *env ? env : SW_SOURCE_ROOT "/../shared";
    snprintf(p7208, sizeof p7208, "%s/conformance/spf/rfc7208-tests.yml", base);
    snprintf(p4408, sizeof p4408, "%s/conformance/spf/rfc4408-tests.yml", base);
    run_suite("spf-rfc7208", p7208);
    run_suite("spf-rfc4408", p4408);
    return 0;
}
