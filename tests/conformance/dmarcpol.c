/* Conformance runner for DMARC policy evaluation: <shared>/conformance/dmarc/cases.yaml
 * (mailauth's RFC 9989, verify and record tests, OpenDMARC's alignment table; see that
 * folder's SOURCE.md) through dmarcpol.h. Prints "dmarc: N passed, N failed, N skipped".
 *
 * Each case runs under the method(s) it is marked for, and each run counts once:
 * spec both -> the PSL (RFC 7489) and the tree walk (RFC 9989); spec rfc9989 or discovery
 * tree-walk -> the tree walk; spec rfc7489 or discovery psl -> the PSL. Every run gets a
 * fixture resolver built from the case's `dns` (absent name NXDOMAIN, name without the
 * type NODATA) wrapped so that `dns_default` answers the absent names instead; nothing
 * reaches the network. Input forms: header_from + dkim/spf pass domains -> sw_dmarc_eval;
 * domain -> sw_dmarc_policy_discover; from_domain + auth_domain + mode ->
 * sw_dmarc_aligned_psl.
 *
 * Expectation keys are checked as the case file defines them; `alignment.*.aligned_domain`
 * is mailauth's aligned (organizational) domain, compared with aligned_org; pct_reported
 * false means pct did not change the outcome (RFC 9989). An expectation key this runner
 * does not know fails the case, so a newer file cannot pass unchecked. Deliberate
 * differences are listed below with their reason (docs/conformance.md) and counted as
 * skipped. The shared dir is $SW_SHARED_DIR or SW_SOURCE_ROOT "/../shared"; when the file
 * is absent the runner reports one skipped case and exits 0. Per-run memory is one arena
 * and one resolver, freed after the run. */
#include "yamltree.h"

#include "spoofwatch/dmarcpol.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifndef SW_SOURCE_ROOT
#define SW_SOURCE_ROOT "."
#endif

static const struct {
    const char *id;
    sw_dmarc_method method; /* 0: every method */
    const char *why;
} deviations[] = {
    {"rfc9989-0005", SW_DMARC_METHOD_TREEWALK,
     "RFC 9989 §4.8 step 2 discards a set of several records and the walk goes on, so the "
     "organizational domain's p=none applies (dmarc=fail, policy none); mailauth ends "
     "discovery there as RFC 7489 does (the PSL run checks that)"},
    {"verify-0024", 0,
     "several From addresses: spoofwatch evaluates each author domain (one sw_dmarc_eval "
     "each, strictest failure wins) instead of returning no result"},
    {"record-0011", 0,
     "pct=invalid keeps the default pct=100 (RFC 7489 §6.3: syntax errors fall back to "
     "defaults); 0 is mailauth's own choice"},
};

static int n_passed, n_failed, n_skipped;

typedef struct run {
    const char *id;
    const char *method;
    int failed;
} run;

static void fail(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(run *r, const char *fmt, ...)
{
    if (!r->failed)
        printf("FAIL dmarc %s [%s]: ", r->id, r->method);
    else
        printf("  also: ");
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    r->failed = 1;
}

/* ---- the case's DNS: a fixture with a default for absent names ---- */

typedef enum { DEF_NXDOMAIN, DEF_TIMEOUT, DEF_NODATA, DEF_EMPTY, DEF_ANY_TXT } dns_default;

typedef struct wrapped {
    sw_resolver *fixture;
    dns_default def;
    const yt_node *any_txt;
} wrapped;

static int wrapped_lookup(sw_resolver *res, sw_arena *a, const char *name, sw_dns_type type,
                          sw_dns_answer *out)
{
    wrapped *w = res->backend;
    int rc = w->fixture->lookup(w->fixture, a, name, type, out);
    if (rc || out->status != SW_DNS_NXDOMAIN || w->def == DEF_NXDOMAIN)
        return rc;
    memset(out, 0, sizeof *out);
    switch (w->def) {
    case DEF_TIMEOUT: out->status = SW_DNS_TEMPFAIL; break;
    case DEF_NODATA: out->status = SW_DNS_NODATA; break;
    case DEF_EMPTY: out->status = SW_DNS_OK; break;
    case DEF_ANY_TXT: {
        if (type != SW_DNS_TXT) {
            out->status = SW_DNS_NODATA;
            break;
        }
        size_t n = yt_len(w->any_txt);
        sw_dns_rr *rrs = sw_arena_calloc(a, (n ? n : 1) * sizeof *rrs);
        if (!rrs)
            return SW_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            const yt_node *rec = yt_at(w->any_txt, i);
            char *joined = sw_arena_printf(a, "%s", "");
            for (size_t k = 0; joined && k < yt_len(rec); k++)
                joined = sw_arena_printf(a, "%s%s", joined, yt_str(yt_at(rec, k)));
            if (!joined)
                return SW_ENOMEM;
            rrs[i].type = SW_DNS_TXT;
            rrs[i].text = joined;
            rrs[i].text_len = strlen(joined);
        }
        out->status = SW_DNS_OK;
        out->rrs = rrs;
        out->n = n;
        break;
    }
    case DEF_NXDOMAIN: break;
    }
    return 0;
}

static void wrapped_destroy(sw_resolver *res)
{
    wrapped *w = res->backend;
    sw_resolver_free(w->fixture);
    free(w);
    free(res);
}

static sw_resolver *case_resolver(const yt_node *c, run *r)
{
    sw_resolver *fx = sw_dns_fixture_new();
    sw_resolver *res = calloc(1, sizeof *res);
    wrapped *w = calloc(1, sizeof *w);
    if (!fx || !res || !w) {
        sw_resolver_free(fx);
        free(res);
        free(w);
        return NULL;
    }
    w->fixture = fx;
    res->backend = w;
    res->lookup = wrapped_lookup;
    res->destroy = wrapped_destroy;
    const char *def = yt_str(yt_get(c, "dns_default"));
    if (def) {
        if (!strcmp(def, "TIMEOUT"))
            w->def = DEF_TIMEOUT;
        else if (!strcmp(def, "NODATA"))
            w->def = DEF_NODATA;
        else if (!strcmp(def, "EMPTY"))
            w->def = DEF_EMPTY;
        else if (!strcmp(def, "ANY_TXT"))
            w->def = DEF_ANY_TXT;
        else
            fail(r, "unknown dns_default %s", def);
        w->any_txt = yt_get(c, "dns_any_txt");
    }
    const yt_node *zone = yt_get(c, "dns");
    for (size_t i = 0; i < yt_len(zone) && yt_is_map(zone); i++) {
        const char *name = yt_key_at(zone, i);
        const yt_node *types = yt_at(zone, i);
        for (size_t t = 0; t < yt_len(types); t++) {
            const char *tname = yt_key_at(types, t);
            const yt_node *vals = yt_at(types, t);
            sw_dns_type type;
            if (sw_dns_type_from_name(tname, &type)) {
                fail(r, "unknown record type %s at %s", tname, name);
                continue;
            }
            for (size_t k = 0; k < yt_len(vals); k++) {
                const yt_node *v = yt_at(vals, k);
                int rc = 0;
                if (type == SW_DNS_TXT) {
                    const char *parts[64];
                    size_t np = 0;
                    if (yt_is_scalar(v))
                        parts[np++] = yt_str(v);
                    for (size_t p = 0; yt_is_seq(v) && p < yt_len(v) && np < 64; p++)
                        parts[np++] = yt_str(yt_at(v, p));
                    rc = sw_dns_fixture_add_txt(fx, name, parts, np);
                } else if (type == SW_DNS_MX && yt_is_map(v)) {
                    char buf[600];
                    snprintf(buf, sizeof buf, "%lld %s", yt_int(yt_get(v, "priority"), 0),
                             yt_str(yt_get(v, "exchange")) ? yt_str(yt_get(v, "exchange"))
                                                           : "");
                    rc = sw_dns_fixture_add(fx, name, type, buf);
                } else {
                    rc = sw_dns_fixture_add(fx, name, type, yt_str(v) ? yt_str(v) : "");
                }
                if (rc)
                    fail(r, "cannot load %s %s", name, tname);
            }
        }
    }
    return res;
}

/* ---- comparisons ---- */

static const char *deviation(const char *id, sw_dmarc_method m)
{
    for (size_t i = 0; i < sizeof deviations / sizeof deviations[0]; i++)
        if (!strcmp(deviations[i].id, id) && (!deviations[i].method || deviations[i].method == m))
            return deviations[i].why;
    return NULL;
}

static const char *bool_name(int b)
{
    return b ? "true" : "false";
}

static void check_str(run *r, const char *what, const char *got, const yt_node *want)
{
    const char *w = yt_is_null(want) ? NULL : yt_str(want);
    if ((got == NULL) != (w == NULL) || (got && strcasecmp(got, w)))
        fail(r, "%s: got %s, expected %s", what, got ? got : "null", w ? w : "null");
}

static void check_bool(run *r, const char *what, int got, const yt_node *want)
{
    int w = yt_bool(want, -1);
    if (w < 0)
        fail(r, "%s: expectation is not a boolean", what);
    else if (!!got != w)
        fail(r, "%s: got %s, expected %s", what, bool_name(got), bool_name(w));
}

/* `record` expectation: false (no usable record) or the parsed tags. */
static void check_record(run *r, const sw_dmarc_policy_record *rec, const yt_node *want)
{
    if (yt_is_scalar(want)) {
        int w = yt_bool(want, -1);
        if (w != 0)
            fail(r, "record: unexpected expectation %s", yt_str(want));
        else if (rec)
            fail(r, "record: got \"%.*s\", expected no usable record", (int)rec->raw_len,
                 rec->raw);
        return;
    }
    if (!rec) {
        fail(r, "record: got no record, expected one");
        return;
    }
    for (size_t i = 0; i < yt_len(want); i++) {
        const char *k = yt_key_at(want, i);
        const yt_node *v = yt_at(want, i);
        char buf[64];
        const char *got = NULL;
        if (!strcmp(k, "v"))
            got = "DMARC1"; /* a record is only ever one with v=DMARC1 */
        else if (!strcmp(k, "p"))
            got = sw_dmarc_policy_name(rec->p);
        else if (!strcmp(k, "sp"))
            got = rec->sp_present ? sw_dmarc_policy_name(rec->sp) : NULL;
        else if (!strcmp(k, "np"))
            got = rec->np_present ? sw_dmarc_policy_name(rec->np) : NULL;
        else if (!strcmp(k, "pct"))
            snprintf(buf, sizeof buf, "%d", rec->pct), got = buf;
        else if (!strcmp(k, "ri"))
            snprintf(buf, sizeof buf, "%lu", rec->ri), got = buf;
        else if (!strcmp(k, "adkim"))
            snprintf(buf, sizeof buf, "%c", rec->adkim), got = buf;
        else if (!strcmp(k, "aspf"))
            snprintf(buf, sizeof buf, "%c", rec->aspf), got = buf;
        else if (!strcmp(k, "psd"))
            snprintf(buf, sizeof buf, "%c", rec->psd), got = buf;
        else if (!strcmp(k, "t"))
            got = rec->testing ? "y" : "n";
        else if (!strcmp(k, "fo"))
            got = rec->fo;
        else if (!strcmp(k, "rf"))
            got = rec->rf;
        else if (!strcmp(k, "rua") || !strcmp(k, "ruf")) {
            got = k[2] == 'a' ? rec->rua : rec->ruf;
            const char *w = yt_str(v);
            if (!got || !w || strcmp(got, w)) /* URIs keep their case */
                fail(r, "record.%s: got %s, expected %s", k, got ? got : "null", w ? w : "null");
            continue;
        } else {
            fail(r, "record: unknown tag expectation %s", k);
            continue;
        }
        char what[64];
        snprintf(what, sizeof what, "record.%s", k);
        check_str(r, what, got, v);
    }
}

/* The _dmarc TXT queries in the order they were asked. */
static void check_queries(run *r, const sw_dns_logentry *log, const yt_node *want)
{
    const char *got[64];
    size_t n = 0;
    for (const sw_dns_logentry *e = log; e; e = e->next)
        if (e->type == SW_DNS_TXT && !strncmp(e->name, "_dmarc.", 7) && n < 64)
            got[n++] = e->name;
    /* the log is newest first */
    for (size_t i = 0; i < n / 2; i++) {
        const char *t = got[i];
        got[i] = got[n - 1 - i];
        got[n - 1 - i] = t;
    }
    size_t m = yt_len(want);
    for (size_t i = 0; i < (n > m ? n : m); i++) {
        const char *w = i < m ? yt_str(yt_at(want, i)) : NULL;
        const char *g = i < n ? got[i] : NULL;
        if (!w || !g || strcasecmp(w, g)) {
            fail(r, "queries[%zu]: got %s, expected %s (%zu queries, expected %zu)", i,
                 g ? g : "none", w ? w : "none", n, m);
            return;
        }
    }
}

static void check_alignment(run *r, const sw_dmarc_eval_result *out, const yt_node *want)
{
    for (size_t i = 0; i < yt_len(want); i++) {
        const char *k = yt_key_at(want, i);
        const yt_node *v = yt_at(want, i);
        const sw_dmarc_alignment *al =
            !strcmp(k, "dkim") ? &out->dkim : !strcmp(k, "spf") ? &out->spf : NULL;
        if (!al) {
            fail(r, "alignment: unknown identifier %s", k);
            continue;
        }
        for (size_t j = 0; j < yt_len(v); j++) {
            const char *f = yt_key_at(v, j);
            char what[64];
            snprintf(what, sizeof what, "alignment.%s.%s", k, f);
            if (!strcmp(f, "strict"))
                check_bool(r, what, al->strict, yt_at(v, j));
            else if (!strcmp(f, "aligned_domain"))
                check_str(r, what, al->aligned_org, yt_at(v, j));
            else
                fail(r, "%s: unknown expectation", what);
        }
    }
}

/* Expectations common to evaluation and discovery. `out` is NULL for discovery. */
static void check_expect(run *r, const yt_node *expect, const sw_dmarc_eval_result *out,
                         const sw_dmarc_policy_discovery *d, const sw_dns_logentry *log)
{
    for (size_t i = 0; i < yt_len(expect); i++) {
        const char *k = yt_key_at(expect, i);
        const yt_node *v = yt_at(expect, i);
        if (!strcmp(k, "result") && out)
            check_str(r, k, sw_dmarc_result_name(out->result), v);
        else if (!strcmp(k, "policy") && out)
            check_str(r, k, out->discovery.record ? sw_dmarc_policy_name(out->policy) : NULL, v);
        else if (!strcmp(k, "no_policy"))
            check_bool(r, k, d->record == NULL, v);
        else if (!strcmp(k, "policy_domain") || !strcmp(k, "ar_header_d"))
            check_str(r, k, d->policy_domain, v);
        else if (!strcmp(k, "ar_header_from") && out)
            check_str(r, k, out->author_domain, v);
        else if (!strcmp(k, "alignment") && out)
            check_alignment(r, out, v);
        else if (!strcmp(k, "queries"))
            check_queries(r, log, v);
        else if (!strcmp(k, "record"))
            check_record(r, d->record, v);
        else if (!strcmp(k, "record_still_valid"))
            check_bool(r, k, d->record != NULL, v);
        else if (!strcmp(k, "from_org_domain"))
            check_bool(r, k, d->from_org, v);
        else if (!strcmp(k, "error"))
            check_bool(r, k, d->status == SW_DMARC_TEMPERROR, v);
        else if (!strcmp(k, "raw_record"))
            check_str(r, k, d->record ? d->record->raw : NULL, v);
        else if (!strcmp(k, "raw_record_contains")) {
            const char *w = yt_str(v);
            if (!d->record || !w || !strstr(d->record->raw, w))
                fail(r, "raw_record_contains: got %s, expected it to contain %s",
                     d->record ? d->record->raw : "no record", w ? w : "?");
        } else if (!strcmp(k, "pct_reported") && out)
            check_bool(r, k, out->pct_applied, v);
        else
            fail(r, "unknown expectation %s for this input", k);
    }
}

static const char *from_domain(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at ? at + 1 : addr;
}

static void run_case(const yt_node *c, sw_orgdomain_ctx *psl, sw_dmarc_method method)
{
    run r = {.id = yt_str(yt_get(c, "id")), .method = sw_dmarc_method_name(method)};
    if (!r.id)
        r.id = "(no id)";
    const char *why = deviation(r.id, method);
    if (why) {
        printf("SKIP dmarc %s [%s]: %s\n", r.id, r.method, why);
        n_skipped++;
        return;
    }
    const yt_node *in = yt_get(c, "input"), *expect = yt_get(c, "expect");
    sw_resolver *res = case_resolver(c, &r);
    sw_arena a;
    sw_arena_init(&a, 16u << 20);
    if (!res) {
        fail(&r, "out of memory");
    } else if (yt_get(in, "from_domain")) {
        const char *mode = yt_str(yt_get(in, "mode"));
        int got = sw_dmarc_aligned_psl(psl, &a, yt_str(yt_get(in, "from_domain")),
                                       yt_str(yt_get(in, "auth_domain")),
                                       mode && !strcmp(mode, "strict"));
        for (size_t i = 0; i < yt_len(expect); i++) {
            if (!strcmp(yt_key_at(expect, i), "aligned"))
                check_bool(&r, "aligned", got, yt_at(expect, i));
            else
                fail(&r, "unknown expectation %s for an alignment row", yt_key_at(expect, i));
        }
    } else if (yt_get(in, "domain")) {
        sw_dmarc_policy_discovery d;
        int rc = sw_dmarc_policy_discover(res, psl, &a, yt_str(yt_get(in, "domain")), method, &d);
        if (rc)
            fail(&r, "sw_dmarc_policy_discover returned %d", rc);
        else
            check_expect(&r, expect, NULL, &d, res->log);
    } else {
        const yt_node *hf = yt_get(in, "header_from");
        if (yt_is_seq(hf) && yt_len(hf) == 1)
            hf = yt_at(hf, 0);
        const yt_node *dk = yt_get(in, "dkim_pass_domains"), *sp = yt_get(in, "spf_pass_domains");
        sw_dmarc_dkim_input dkim[64];
        size_t nd = 0;
        for (size_t i = 0; i < yt_len(dk) && nd < 64; i++)
            dkim[nd++] = (sw_dmarc_dkim_input){.domain = yt_str(yt_at(dk, i)), .result = "pass"};
        sw_dmarc_input din = {.from_domain = from_domain(yt_str(hf)), .dkim = dkim, .ndkim = nd,
                              .pct_roll = -1};
        if (yt_len(sp) > 1)
            fail(&r, "runner: several SPF domains in one case");
        if (yt_len(sp) == 1)
            din.spf = (sw_dmarc_spf_input){.domain = yt_str(yt_at(sp, 0)), .result = "pass"};
        if (!yt_is_scalar(hf)) {
            fail(&r, "runner: header_from is not one address");
        } else {
            sw_dmarc_eval_result out;
            int rc = sw_dmarc_eval(res, psl, &a, method, &din, &out);
            if (rc)
                fail(&r, "sw_dmarc_eval returned %d", rc);
            else
                check_expect(&r, expect, &out, &out.discovery, res->log);
            if (r.failed && getenv("SW_DMARC_VERBOSE"))
                for (size_t i = 0; i < out.nsteps; i++)
                    printf("    | %s\n", out.steps[i]);
        }
    }
    if (r.failed)
        n_failed++;
    else
        n_passed++;
    sw_arena_free(&a);
    sw_resolver_free(res);
}

int main(void)
{
    const char *env = getenv("SW_SHARED_DIR");
    char path[4200];
    snprintf(path, sizeof path, "%s/conformance/dmarc/cases.yaml",
             env && *env ? env : SW_SOURCE_ROOT "/../shared");
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("dmarc: 0 passed, 0 failed, 1 skipped\n");
        return 0;
    }
    char yerr[512];
    yt_doc *doc = yt_load_file(path, yerr, sizeof yerr);
    if (!doc) {
        printf("FAIL cases.yaml: %s\n", yerr);
        printf("dmarc: 0 passed, 1 failed, 0 skipped\n");
        return 1;
    }
    sw_orgdomain_ctx psl;
    sw_error err;
    sw_error_clear(&err);
    if (sw_orgdomain_open(&psl, NULL, &err)) {
        printf("FAIL Public Suffix List: %s\n", err.message);
        printf("dmarc: 0 passed, 1 failed, 0 skipped\n");
        yt_free(doc);
        return 1;
    }
    const yt_node *cases = yt_get(yt_root(doc), "cases");
    if (yt_int(yt_get(yt_root(doc), "schema_version"), 0) != 1) {
        printf("FAIL cases.yaml: schema_version is not 1\n");
        n_failed++;
    }
    if (!yt_is_seq(cases) || yt_len(cases) == 0) {
        printf("FAIL cases.yaml: no cases: list\n");
        n_failed++;
    }
    for (size_t i = 0; i < yt_len(cases); i++) {
        const yt_node *c = yt_at(cases, i);
        const char *spec = yt_str(yt_get(c, "spec")), *disc = yt_str(yt_get(c, "discovery"));
        int psl_run = 1, walk_run = 1;
        if ((spec && !strcmp(spec, "rfc9989")) || (disc && !strcmp(disc, "tree-walk")))
            psl_run = 0;
        if ((spec && !strcmp(spec, "rfc7489")) || (disc && !strcmp(disc, "psl")))
            walk_run = 0;
        if (!psl_run && !walk_run) {
            printf("FAIL dmarc %s: spec %s and discovery %s contradict each other\n",
                   yt_str(yt_get(c, "id")), spec, disc);
            n_failed++;
            continue;
        }
        if (psl_run)
            run_case(c, &psl, SW_DMARC_METHOD_PSL);
        if (walk_run)
            run_case(c, &psl, SW_DMARC_METHOD_TREEWALK);
    }
    sw_orgdomain_close(&psl);
    yt_free(doc);
    printf("dmarc: %d passed, %d failed, %d skipped\n", n_passed, n_failed, n_skipped);
    return n_failed ? 1 : 0;
}
