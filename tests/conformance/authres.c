/* Authentication-Results conformance: replays ../shared/conformance/authres/cases.yaml
 * through sw_authres_parse and prints "authres: N passed, N failed, N skipped".
 *
 * Options map to parser modes: no options = default mode; relaxed: false = SW_AR_STRICT;
 * relaxed: true = SW_AR_RELAXED; i18n: true adds SW_AR_I18N. Cases where spoofwatch
 * deliberately differs are listed in `deviations` with the reason (docs/conformance.md)
 * and counted as skipped. */
#include "yamltree.h"
#include "spoofwatch/authres.h"
#include "spoofwatch/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *id;
    const char *why;
} deviations[] = {
    {"sa-ar-16", "SpamAssassin keeps the backslashes of quoted-pairs in a quoted value; RFC 2045 "
                 "quoted-string semantics (and spoofwatch) remove them"},
};

static const char *deviation(const char *id)
{
    for (size_t i = 0; i < sizeof deviations / sizeof deviations[0]; i++)
        if (!strcmp(deviations[i].id, id))
            return deviations[i].why;
    return NULL;
}

static int failures_shown;
static int quiet; /* set while replaying a documented deviation */

static int fail(const char *id, const char *what, const char *got, const char *want)
{
    if (!quiet && failures_shown++ < 200)
        printf("FAIL authres %s: %s: got \"%s\", expected \"%s\"\n", id, what, got ? got : "(null)",
               want ? want : "(null)");
    return 1;
}

static int check_result(const char *id, const sw_authres_result *r, const yt_node *e)
{
    const char *s;
    if ((s = yt_str(yt_get(e, "method"))) && strcmp(s, r->method))
        return fail(id, "method", r->method, s);
    if ((s = yt_str(yt_get(e, "result"))) && strcmp(s, r->result))
        return fail(id, "result", r->result, s);
    if ((s = yt_str(yt_get(e, "reason"))) && (!r->reason || strcmp(s, r->reason)))
        return fail(id, "reason", r->reason, s);
    if ((s = yt_str(yt_get(e, "ms_action"))) && (!r->action || strcmp(s, r->action)))
        return fail(id, "action", r->action, s);
    const yt_node *mv = yt_get(e, "method_version");
    if (mv && !yt_is_null(mv) && yt_int(mv, -1) != (r->method_version ? r->method_version : 1)) {
        char got[16];
        snprintf(got, sizeof got, "%d", r->method_version);
        return fail(id, "method_version", got, yt_str(mv));
    }
    const yt_node *props = yt_get(e, "properties");
    for (size_t i = 0; i < yt_len(props); i++) {
        const char *key = yt_key_at(props, i);
        const char *want = yt_str(yt_at(props, i));
        const char *dot = strchr(key, '.');
        if (!dot)
            return fail(id, "property key without ptype", key, want);
        char ptype[64];
        snprintf(ptype, sizeof ptype, "%.*s", (int)(dot - key), key);
        const char *got = sw_authres_prop_get(r, ptype, dot + 1);
        if (!got || strcmp(got, want))
            return fail(id, key, got, want);
    }
    return 0;
}

static int run_case(const yt_node *c, sw_arena *a)
{
    const char *id = yt_str(yt_get(c, "id"));
    const char *field = yt_str(yt_get(c, "field"));
    const yt_node *value = yt_get(c, "value");
    const yt_node *opts = yt_get(c, "options");
    const yt_node *e = yt_get(c, "expect");
    unsigned mode = 0;
    if (opts) {
        mode = yt_bool(yt_get(opts, "relaxed"), 0) ? SW_AR_RELAXED : SW_AR_STRICT;
        if (yt_bool(yt_get(opts, "i18n"), 0))
            mode |= SW_AR_I18N;
    }
    if (field && !strcmp(field, "ARC-Authentication-Results"))
        mode |= SW_AR_ARC;
    const char *text = yt_str(value) ? yt_str(value) : "";
    size_t n = yt_str(value) ? yt_len(value) : 0;
    sw_authres ar;
    sw_error err;
    sw_error_clear(&err);
    int rc = sw_authres_parse(a, text, n, mode, &ar, &err);
    const char *parse = yt_str(yt_get(e, "parse"));
    if (parse && !strcmp(parse, "error"))
        return rc ? 0 : fail(id, "parse", "ok", "error");
    if (rc)
        return fail(id, "parse", err.message, "ok");
    const char *s;
    if ((s = yt_str(yt_get(e, "authserv_id"))) && strcmp(s, ar.authserv_id))
        return fail(id, "authserv_id", ar.authserv_id, s);
    char got[32];
    const yt_node *v = yt_get(e, "version");
    if (v && yt_int(v, -1) != ar.version) {
        snprintf(got, sizeof got, "%d", ar.version);
        return fail(id, "version", got, yt_str(v));
    }
    const yt_node *ai = yt_get(e, "arc_instance");
    if (ai) {
        long want = yt_is_null(ai) ? -1 : (long)yt_int(ai, -2);
        if (want != ar.arc_instance) {
            snprintf(got, sizeof got, "%d", ar.arc_instance);
            return fail(id, "arc_instance", got, yt_is_null(ai) ? "null" : yt_str(ai));
        }
    }
    const yt_node *rcnt = yt_get(e, "result_count");
    if (rcnt && (size_t)yt_int(rcnt, -1) != ar.count) {
        snprintf(got, sizeof got, "%zu", ar.count);
        return fail(id, "result_count", got, yt_str(rcnt));
    }
    const yt_node *minm = yt_get(e, "min_methods");
    if (minm && ar.count < (size_t)yt_int(minm, 0)) {
        snprintf(got, sizeof got, "%zu", ar.count);
        return fail(id, "min_methods", got, yt_str(minm));
    }
    const yt_node *results = yt_get(e, "results");
    for (size_t i = 0; i < yt_len(results); i++) {
        const yt_node *er = yt_at(results, i);
        size_t at = (size_t)yt_int(yt_get(er, "index"), (long long)i);
        if (at >= ar.count) {
            snprintf(got, sizeof got, "%zu results", ar.count);
            return fail(id, "result missing", got, yt_str(yt_get(er, "method")));
        }
        if (check_result(id, &ar.results[at], er))
            return 1;
    }
    return 0;
}

int main(void)
{
    const char *shared = getenv("SW_SHARED_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/conformance/authres/cases.yaml",
             shared ? shared : SW_SOURCE_ROOT "/../shared");
    FILE *probe = fopen(path, "r");
    if (!probe) {
        printf("authres: skipped: shared data absent (%s)\n", path);
        printf("authres: 0 passed, 0 failed, 1 skipped\n");
        return 0;
    }
    fclose(probe);
    char err[256];
    yt_doc *d = yt_load_file(path, err, sizeof err);
    if (!d) {
        printf("FAIL authres: cannot load %s: %s\n", path, err);
        printf("authres: 0 passed, 1 failed\n");
        return 1;
    }
    const yt_node *cases = yt_get(yt_root(d), "cases");
    int passed = 0, failed = 0, skipped = 0;
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    for (size_t i = 0; i < yt_len(cases); i++) {
        const yt_node *c = yt_at(cases, i);
        const char *id = yt_str(yt_get(c, "id"));
        const char *why = deviation(id ? id : "");
        sw_arena_reset(&a);
        quiet = why != NULL;
        int bad = run_case(c, &a);
        if (why && bad) {
            printf("skip authres %s: deliberate difference: %s\n", id, why);
            skipped++;
        } else if (bad) {
            failed++;
        } else {
            passed++;
        }
    }
    sw_arena_free(&a);
    yt_free(d);
    printf("authres: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
