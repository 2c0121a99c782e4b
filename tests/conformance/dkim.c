/* DKIM conformance runner: the Mail::DKIM corpus and the RFC 8463 Appendix A vector.
 *
 * Reads, at run time, $SW_SHARED_DIR (default SW_SOURCE_ROOT "/../shared")
 * conformance/dkim/mail-dkim (the corpus/ messages, FAKE_DNS.dat, expected.tsv) and
 * conformance/dkim/rfc8463 (signed.eml, rfc8463-A.3-key_algo_mismatch.eml, dns.json,
 * expected.yaml); a missing folder is one skipped case. Prints
 * "dkim-mail-dkim: N passed, N failed, N skipped" and "dkim-rfc8463: ...".
 *
 * Mail::DKIM profile (docs/conformance.md, "DKIM"): the corpus predates RFC 6376, so it is
 * verified with SW_DKIM_LEGACY_DRAFTS | SW_DKIM_LEGACY_GRANULARITY and no policy
 * demotion, against `expected`; rows with a `strict_expected` run again with the RFC 8301
 * policy (rsa-sha1 and short keys demoted), where upstream's strict fail/invalid is our
 * `policy`. DomainKeys-only messages (RFC 4870) are expected to give `none`. The five
 * ietf00 drafts (no bh=; upstream skips them too) count as skipped when they do not pass.
 * A name missing from FAKE_DNS.dat (upstream would go to live DNS) answers NXDOMAIN
 * through a wrapper resolver and fails the case, except for the one case built on an
 * absent key (badkey4_ed25519: selector "2023-05-ed25519-does-not-exist", "missing key").
 *
 * Memory: one arena per case, reset between cases; file buffers are malloc'd and freed. */
#include "spoofwatch/arena.h"
#include "spoofwatch/dkim.h"
#include "spoofwatch/dns.h"
#include "spoofwatch/header.h"
#include "spoofwatch/jsonread.h"
#include "yamltree.h"

#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* The pinned clock for the Mail::DKIM corpus: 2025-01-01T00:00:00Z (any current clock
 * works; ignore_7 expired in 2007). */
#define MAIL_DKIM_NOW 1735689600

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        *len = n;
    }
    return b;
}

/* ---- a resolver that answers only names the fixture file lists ---- */

typedef struct listed {
    sw_resolver base;
    sw_resolver *inner;
    char **names;
    size_t n, cap;
    int missing; /* queries for names not in the file, this case */
    char last_missing[256];
} listed;

static int listed_lookup(sw_resolver *r, sw_arena *a, const char *name, sw_dns_type type,
                         sw_dns_answer *out)
{
    listed *l = (listed *)r;
    for (size_t k = 0; k < l->n; k++)
        if (!strcmp(l->names[k], name))
            return l->inner->lookup(l->inner, a, name, type, out);
    /* counted (a case fails on it unless it is meant to be absent), answered NXDOMAIN as
     * live DNS would */
    l->missing++;
    snprintf(l->last_missing, sizeof l->last_missing, "%s", name);
    memset(out, 0, sizeof *out);
    out->status = SW_DNS_NXDOMAIN;
    return 0;
}

static void listed_destroy(sw_resolver *r)
{
    listed *l = (listed *)r;
    for (size_t k = 0; k < l->n; k++)
        free(l->names[k]);
    free(l->names);
    sw_resolver_free(l->inner);
    free(l);
}

static int listed_add(listed *l, const char *name)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        char **nn = realloc(l->names, nc * sizeof *nn);
        if (!nn)
            return -1;
        l->names = nn;
        l->cap = nc;
    }
    char *c = strdup(name);
    if (!c)
        return -1;
    for (char *p = c; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    size_t cl = strlen(c);
    if (cl && c[cl - 1] == '.')
        c[cl - 1] = '\0';
    l->names[l->n++] = c;
    return 0;
}

/* FAKE_DNS.dat: "name<WS>value"; NXDOMAIN; ~~error~~; anything else is the TXT record. */
static listed *load_fake_dns(const char *path, char *err, size_t errlen)
{
    size_t len;
    char *text = read_all(path, &len);
    if (!text) {
        snprintf(err, errlen, "cannot read %.400s", path);
        return NULL;
    }
    listed *l = calloc(1, sizeof *l);
    l->inner = sw_dns_fixture_new();
    l->base.lookup = listed_lookup;
    l->base.destroy = listed_destroy;
    int lineno = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        lineno++;
        size_t ll = strlen(line);
        while (ll && (line[ll - 1] == '\r' || line[ll - 1] == ' ' || line[ll - 1] == '\t'))
            line[--ll] = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#' || *p == ';')
            continue;
        char *name = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        char *value = p;
        int rc = listed_add(l, name);
        size_t vl = strlen(value);
        if (!rc && !strcmp(value, "NXDOMAIN"))
            ; /* the fixture answers NXDOMAIN for a listed name without records */
        else if (!rc && vl >= 4 && !strncmp(value, "~~", 2) && !strcmp(value + vl - 2, "~~"))
            rc = sw_dns_fixture_fail(l->inner, name, 0, SW_DNS_TEMPFAIL);
        else if (!rc && !strcmp(value, "\"\""))
            rc = sw_dns_fixture_add(l->inner, name, SW_DNS_TXT, "");
        else if (!rc)
            rc = sw_dns_fixture_add(l->inner, name, SW_DNS_TXT, value);
        if (rc) {
            snprintf(err, errlen, "%.400s:%d: cannot load", path, lineno);
            free(text);
            listed_destroy(&l->base);
            return NULL;
        }
    }
    free(text);
    return l;
}

/* ---- checking ---- */

typedef struct suite {
    const char *name;
    int passed, failed, skipped;
} suite;

static void fail(suite *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(suite *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL %s ", s->name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    s->failed++;
}

/* Does result r belong to the Mail::DKIM word w? invalid = no usable signature. */
static int word_matches(const char *w, sw_dkim_result r, int dns_error_case)
{
    if (!strcmp(w, "pass"))
        return r == SW_DKIM_PASS;
    if (!strcmp(w, "fail"))
        return r == SW_DKIM_FAIL;
    if (!strcmp(w, "invalid"))
        return dns_error_case ? r == SW_DKIM_TEMPERROR
                              : (r == SW_DKIM_PERMERROR || r == SW_DKIM_NEUTRAL);
    if (!strcmp(w, "none"))
        return r == SW_DKIM_NONE;
    if (!strcmp(w, "policy"))
        return r == SW_DKIM_POLICY;
    return 0;
}

/* Each /re/flags in spec must match text; "(optional)" specs are not enforced. */
static int detail_ok(const char *spec, const char *text, char *why, size_t whylen)
{
    if (!strcmp(spec, "-") || strstr(spec, "(optional)"))
        return 1;
    const char *p = spec;
    while ((p = strchr(p, '/'))) {
        const char *e = strchr(p + 1, '/');
        if (!e)
            break;
        char re[256];
        snprintf(re, sizeof re, "%.*s", (int)(e - p - 1), p + 1);
        int icase = e[1] == 'i';
        regex_t rx;
        if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0))) {
            snprintf(why, whylen, "bad pattern /%s/", re);
            return 0;
        }
        int m = regexec(&rx, text ? text : "", 0, NULL, 0) == 0;
        regfree(&rx);
        if (!m) {
            snprintf(why, whylen, "detail \"%s\" does not match /%s/", text ? text : "", re);
            return 0;
        }
        p = e + 1 + icase;
    }
    return 1;
}

static int verify_file(sw_arena *a, const char *path, sw_resolver *r, int64_t now,
                       const sw_dkim_opts *o, sw_dkim_report *rep, char **buf)
{
    size_t len;
    *buf = read_all(path, &len);
    if (!*buf)
        return -1;
    sw_header_block h;
    sw_error err;
    sw_error_clear(&err);
    if (sw_header_scan(a, *buf, len, &h, &err))
        return -1;
    sw_dns_log_reset(r);
    return sw_dkim_verify(a, *buf, len, &h, r, now, o, rep);
}

static void split_tabs(char *line, char **col, int ncol)
{
    for (int k = 0; k < ncol; k++) {
        col[k] = line ? line : (char *)"";
        char *t = line ? strchr(line, '\t') : NULL;
        if (t)
            *t++ = '\0';
        line = t;
    }
}

static void run_mail_dkim(const char *shared)
{
    suite s = {"dkim-mail-dkim", 0, 0, 0};
    char dir[4096], path[4400];
    snprintf(dir, sizeof dir, "%s/conformance/dkim/mail-dkim", shared);
    snprintf(path, sizeof path, "%s/expected.tsv", dir);
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("%s: 0 passed, 0 failed, 1 skipped\n", s.name);
        return;
    }
    size_t tlen;
    char *tsv = read_all(path, &tlen);
    char err[512];
    snprintf(path, sizeof path, "%s/FAKE_DNS.dat", dir);
    listed *dns = load_fake_dns(path, err, sizeof err);
    if (!tsv || !dns) {
        fail(&s, "%s", tsv ? err : "cannot read expected.tsv");
        printf("%s: %d passed, %d failed, %d skipped\n", s.name, s.passed, s.failed, s.skipped);
        free(tsv);
        if (dns)
            listed_destroy(&dns->base);
        return;
    }
    sw_dkim_opts legacy, strict;
    sw_dkim_opts_default(&legacy);
    legacy.policy = 0;
    legacy.legacy = SW_DKIM_LEGACY_DRAFTS | SW_DKIM_LEGACY_GRANULARITY;
    strict = legacy;
    strict.policy = SW_DKIM_POLICY_DEFAULT;
    sw_arena a;
    sw_arena_init(&a, 64u << 20);
    int rows = 0, dflt[SW_DKIM_PERMERROR + 1] = {0};
    char *save = NULL;
    strtok_r(tsv, "\n", &save); /* header row */
    for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *col[8];
        split_tabs(line, col, 8);
        const char *file = col[0], *expected = col[1], *strict_expected = col[2];
        const char *run = col[3], *per_sig = col[4], *detail = col[5], *sigs = col[6];
        rows++;
        int dk_only = !strstr(sigs, "DKIM ");
        int upstream_skip = !strncmp(run, "skipped", 7);
        int dns_err = !strcmp(file, "badkey_14.txt") || !strcmp(file, "badkey_15.txt");
        const char *want = dk_only ? "none" : expected;
        {
            /* the same file under spoofwatch's default profile, for the INFO line */
            sw_arena_reset(&a);
            snprintf(path, sizeof path, "%s/corpus/%s", dir, file);
            sw_dkim_report rep;
            char *buf = NULL;
            if (verify_file(&a, path, &dns->base, MAIL_DKIM_NOW, NULL, &rep, &buf) == 0) {
                dflt[rep.result]++;
                if (getenv("SW_DKIM_VERBOSE"))
                    printf("DEFAULT %s %s: %s\n", file, sw_dkim_result_name(rep.result),
                           rep.best >= 0 ? rep.sigs[rep.best].reason : "no signature");
            }
            free(buf);
        }
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1 && !strcmp(strict_expected, "-"))
                break;
            sw_arena_reset(&a);
            dns->missing = 0;
            snprintf(path, sizeof path, "%s/corpus/%s", dir, file);
            sw_dkim_report rep;
            char *buf = NULL;
            int rc = verify_file(&a, path, &dns->base, MAIL_DKIM_NOW, pass ? &strict : &legacy,
                                 &rep, &buf);
            const char *label = pass ? "[strict]" : "";
            if (rc) {
                fail(&s, "%s%s: cannot read or verify (%d)", file, label, rc);
                free(buf);
                continue;
            }
            const char *reason = rep.best >= 0 ? rep.sigs[rep.best].reason : "no signature";
            const char *w = want;
            if (pass)
                w = !strcmp(strict_expected, "pass") ? "pass" : "policy";
            char why[600] = "";
            int ok = word_matches(w, rep.result, dns_err);
            if (!ok)
                snprintf(why, sizeof why, "got %s (%s), want %s", sw_dkim_result_name(rep.result),
                         reason, w);
            if (ok && pass && rep.result == SW_DKIM_POLICY &&
                !(rep.sigs[rep.best].flags & SW_DKIM_POLICY_DEFAULT)) {
                ok = 0;
                snprintf(why, sizeof why, "policy without a weak algorithm or key");
            }
            if (ok && !pass && !dk_only && strcmp(per_sig, "-")) {
                char ps[256];
                snprintf(ps, sizeof ps, "%s", per_sig);
                size_t k = 0;
                char *sv = NULL;
                for (char *t = strtok_r(ps, ",", &sv); ok && t; t = strtok_r(NULL, ",", &sv), k++)
                    if (k >= rep.nsigs || !word_matches(t, rep.sigs[k].result, 0)) {
                        ok = 0;
                        snprintf(why, sizeof why, "signature %zu is %s (%s), want %s", k,
                                 k < rep.nsigs ? sw_dkim_result_name(rep.sigs[k].result) : "-",
                                 k < rep.nsigs ? rep.sigs[k].reason : "", t);
                    }
            }
            if (ok && !pass && !dk_only && !detail_ok(detail, reason, why, sizeof why))
                ok = 0;
            if (ok && dns->missing && strcmp(file, "badkey4_ed25519.txt")) {
                ok = 0;
                snprintf(why, sizeof why, "queried %s, which FAKE_DNS.dat does not list",
                         dns->last_missing);
            }
            if (ok) {
                s.passed++;
            } else if (upstream_skip && !dk_only) {
                printf("SKIP %s %s%s: %s (%s upstream)\n", s.name, file, label, why, run);
                s.skipped++;
            } else {
                fail(&s, "%s%s: %s", file, label, why);
            }
            free(buf);
        }
    }
    printf("INFO %s under the default (RFC 8301) profile: pass %d, policy %d, fail %d, neutral %d, "
           "permerror %d, temperror %d, none %d\n",
           s.name, dflt[SW_DKIM_PASS], dflt[SW_DKIM_POLICY], dflt[SW_DKIM_FAIL],
           dflt[SW_DKIM_NEUTRAL], dflt[SW_DKIM_PERMERROR], dflt[SW_DKIM_TEMPERROR],
           dflt[SW_DKIM_NONE]);
    if (rows != 79)
        fail(&s, "expected.tsv has %d rows, SOURCE.md says 79", rows);
    sw_arena_free(&a);
    listed_destroy(&dns->base);
    free(tsv);
    printf("%s: %d passed, %d failed, %d skipped\n", s.name, s.passed, s.failed, s.skipped);
}

/* ---- RFC 8463 ---- */

static int load_dns_json(sw_resolver *r, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *text = read_all(path, &len);
    if (!text) {
        snprintf(err, errlen, "cannot read %.400s", path);
        return -1;
    }
    sw_jreader *jr = sw_jreader_new();
    sw_arena a;
    sw_arena_init(&a, 16u << 20);
    const sw_jv *doc;
    sw_error e;
    sw_error_clear(&e);
    int rc = sw_jparse(jr, &a, text, len, &doc, &e);
    if (!rc && doc->type != SW_J_OBJECT)
        rc = -1;
    for (uint32_t k = 0; !rc && k < doc->len; k++) {
        const sw_jmember *m = &doc->u.members[k];
        const sw_jv *txt = sw_jget(&m->value, "TXT");
        for (uint32_t j = 0; txt && txt->type == SW_J_ARRAY && j < txt->len && !rc; j++) {
            const sw_jv *rec = &txt->u.items[j];
            const char *strs[64];
            size_t ns = 0;
            for (uint32_t q = 0; rec->type == SW_J_ARRAY && q < rec->len && ns < 64; q++)
                if (sw_jstr(&rec->u.items[q]))
                    strs[ns++] = sw_jstr(&rec->u.items[q]);
            rc = sw_dns_fixture_add_txt(r, m->key, strs, ns);
        }
    }
    if (rc)
        snprintf(err, errlen, "%.200s: %.200s", path, e.message[0] ? e.message : "not a zone map");
    sw_arena_free(&a);
    sw_jreader_free(jr);
    free(text);
    return rc;
}

static void run_rfc8463(const char *shared)
{
    suite s = {"dkim-rfc8463", 0, 0, 0};
    char dir[4096], path[4400];
    snprintf(dir, sizeof dir, "%s/conformance/dkim/rfc8463", shared);
    snprintf(path, sizeof path, "%s/expected.yaml", dir);
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("%s: 0 passed, 0 failed, 1 skipped\n", s.name);
        return;
    }
    char err[512];
    yt_doc *doc = yt_load_file(path, err, sizeof err);
    sw_resolver *r = sw_dns_fixture_new();
    snprintf(path, sizeof path, "%s/dns.json", dir);
    char jerr[512] = "";
    int jrc = load_dns_json(r, path, jerr, sizeof jerr);
    const yt_node *cases = doc ? yt_get(yt_root(doc), "cases") : NULL;
    if (!doc || jrc || !yt_is_seq(cases) || yt_len(cases) == 0) {
        fail(&s, "%s", !doc ? err : jrc ? jerr : "expected.yaml has no cases");
        yt_free(doc);
        sw_resolver_free(r);
        printf("%s: %d passed, %d failed, %d skipped\n", s.name, s.passed, s.failed, s.skipped);
        return;
    }
    sw_arena a;
    sw_arena_init(&a, 16u << 20);
    for (size_t i = 0; i < yt_len(cases); i++) {
        const yt_node *c = yt_at(cases, i);
        const char *file = yt_str(yt_get(c, "file"));
        int64_t now = yt_int(yt_get(c, "now"), 0);
        const char *overall = yt_str(yt_get(c, "expected_overall"));
        const yt_node *sigs = yt_get(c, "signatures");
        sw_arena_reset(&a);
        snprintf(path, sizeof path, "%s/%s", dir, file ? file : "");
        sw_dkim_report rep;
        char *buf = NULL;
        if (!file || verify_file(&a, path, r, now, NULL, &rep, &buf)) {
            fail(&s, "%s: cannot read or verify", file ? file : "(no file)");
            free(buf);
            continue;
        }
        /* overall: "pass", or "fail" meaning no signature verified */
        int ok = overall && (!strcmp(overall, "pass") ? rep.result == SW_DKIM_PASS
                                                      : rep.result != SW_DKIM_PASS &&
                                                            rep.result != SW_DKIM_POLICY &&
                                                            rep.result != SW_DKIM_NONE);
        if (ok)
            s.passed++;
        else
            fail(&s, "%s: overall %s, want %s", file, sw_dkim_result_name(rep.result),
                 overall ? overall : "?");
        if (yt_len(sigs) != rep.nsigs)
            fail(&s, "%s: %zu signatures, expected.yaml lists %zu", file, rep.nsigs,
                 yt_len(sigs));
        for (size_t k = 0; k < yt_len(sigs); k++) {
            const yt_node *e = yt_at(sigs, k);
            long long idx = yt_int(yt_get(e, "index"), -1);
            if (idx < 0 || (size_t)idx >= rep.nsigs) {
                fail(&s, "%s[%lld]: no such signature", file, idx);
                continue;
            }
            const sw_dkim_sigresult *sr = &rep.sigs[idx];
            char why[700] = "";
            const char *want = yt_str(yt_get(e, "expected"));
            if (!want || strcmp(want, sw_dkim_result_name(sr->result)))
                snprintf(why, sizeof why, "result %s (%s), want %s",
                         sw_dkim_result_name(sr->result), sr->reason, want ? want : "?");
            const char *fields[][2] = {{"a", sr->sig.a}, {"d", sr->sig.d}, {"s", sr->sig.s},
                                       {"i", sr->sig.i}, {"bh", sr->sig.bh}};
            for (size_t f = 0; !why[0] && f < 5; f++) {
                const char *v = yt_str(yt_get(e, fields[f][0]));
                if (v && (!fields[f][1] || strcmp(v, fields[f][1])))
                    snprintf(why, sizeof why, "%s= is %s, want %s", fields[f][0],
                             fields[f][1] ? fields[f][1] : "(none)", v);
            }
            const yt_node *t = yt_get(e, "t");
            if (!why[0] && t && !yt_is_null(t) && (!sr->sig.has_t || sr->sig.t != yt_int(t, -1)))
                snprintf(why, sizeof why, "t= differs");
            const yt_node *x = yt_get(e, "x");
            if (!why[0] && x && yt_is_null(x) && sr->sig.has_x)
                snprintf(why, sizeof why, "x= present, expected none");
            /* a passing signature's body hash is the one we computed */
            if (!why[0] && sr->result == SW_DKIM_PASS &&
                (!sr->bh_computed || strcmp(sr->bh_computed, sr->sig.bh)))
                snprintf(why, sizeof why, "computed bh %s differs",
                         sr->bh_computed ? sr->bh_computed : "(none)");
            const yt_node *kb = yt_get(e, "key_bits");
            if (!why[0] && kb && sr->key_bits != (unsigned)yt_int(kb, 0))
                snprintf(why, sizeof why, "key of %u bits, want %lld", sr->key_bits,
                         yt_int(kb, 0));
            const char *kr = yt_str(yt_get(e, "key_record"));
            if (!why[0] && kr && (!sr->key_name || strcmp(kr, sr->key_name)))
                snprintf(why, sizeof why, "key name %s, want %s",
                         sr->key_name ? sr->key_name : "(none)", kr);
            const yt_node *sh = yt_get(e, "signed_headers");
            if (!why[0] && yt_is_seq(sh)) {
                /* h= as a list, compared name by name */
                char hl[1024];
                snprintf(hl, sizeof hl, "%s", sr->sig.h ? sr->sig.h : "");
                size_t n = 0;
                char *sv = NULL;
                for (char *tok = strtok_r(hl, ":", &sv); tok && !why[0];
                     tok = strtok_r(NULL, ":", &sv), n++) {
                    while (*tok == ' ')
                        tok++;
                    for (size_t tl = strlen(tok); tl && (tok[tl - 1] == ' ' || tok[tl - 1] == '\t');)
                        tok[--tl] = '\0';
                    const char *w = yt_str(yt_at(sh, n));
                    if (!w || strcasecmp(w, tok))
                        snprintf(why, sizeof why, "h= item %zu is %s, want %s", n, tok,
                                 w ? w : "(end)");
                }
                if (!why[0] && n != yt_len(sh))
                    snprintf(why, sizeof why, "h= has %zu names, want %zu", n, yt_len(sh));
            }
            if (why[0])
                fail(&s, "%s[%lld]: %s", file, idx, why);
            else
                s.passed++;
        }
        free(buf);
    }
    /* the same vector with a clock before t=: both signatures are from the future */
    sw_arena_reset(&a);
    snprintf(path, sizeof path, "%s/signed.eml", dir);
    sw_dkim_report rep;
    char *buf = NULL;
    if (verify_file(&a, path, r, 1528637909 - 3600, NULL, &rep, &buf) == 0 && rep.nsigs == 2 &&
        rep.sigs[0].result == SW_DKIM_PERMERROR && rep.sigs[1].result == SW_DKIM_PERMERROR)
        s.passed++;
    else
        fail(&s, "signed.eml an hour before t=: want permerror (timestamp in the future)");
    free(buf);
    sw_arena_free(&a);
    sw_resolver_free(r);
    yt_free(doc);
    printf("%s: %d passed, %d failed, %d skipped\n", s.name, s.passed, s.failed, s.skipped);
}

int main(void)
{
    const char *env = getenv("SW_SHARED_DIR");
    const char *shared = env && *env ? env : SW_SOURCE_ROOT "/../shared";
    run_mail_dkim(shared);
    run_rfc8463(shared);
    return 0;
}
