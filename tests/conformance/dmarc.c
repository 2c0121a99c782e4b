/* Conformance runner for the DMARC report samples in <shared>/samples/dmarc-reports, driven
 * by expected.yaml (transcribed from parsedmarc's tests; see that folder's SOURCE.md).
 *
 * Every file is read the way `spoofwatch scan` reads it (sw_batch_run, format sniffed), and
 * what its records say is compared with the entry:
 *   - rules: every file in aggregate/ and aggregate_invalid/ gives dmarc-aggregate records
 *     only, every file in failure/ exactly one dmarc-failure record, and an empty file is
 *     rejected with an error (written to a temporary file here, as the sample was not
 *     copied);
 *   - files: report_type, report_metadata, xml_schema, xml_namespace, policy_published,
 *     records[i] (source_ip, count, policy_evaluated, auth_results dkim/spf in order),
 *     records_measured, feedback_type, has_authentication_results, source.ip_address.
 * A `null` expectation means the value must be absent. An expectation key this runner does
 * not know fails the case, so a newer expected.yaml cannot pass unchecked.
 *
 * Where the names differ (docs/sources.md): report_metadata org_email -> log field email,
 * org_extra_contact_info -> extra_contact_info, policy_published X -> policy_X,
 * policy_evaluated -> disposition / policy_evaluated_dkim / policy_evaluated_spf.
 *
 * The shared dir is $SW_SHARED_DIR or SW_SOURCE_ROOT "/../shared"; when absent the runner
 * reports one skipped case and exits 0. Collected records are malloc'd copies, freed after
 * each file. */
#include "yamltree.h"

#include "spoofwatch/batch.h"
#include "spoofwatch/record.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SW_SOURCE_ROOT
#define SW_SOURCE_ROOT "."
#endif

#define KEEP_RECORDS 8
#define MAX_AUTH 16

typedef struct kept_auth {
    char *method, *result, *domain, *origin;
} kept_auth;

typedef struct kept {
    char *format, *sender_ip;
    unsigned long long count;
    sw_log_kv *fields;
    size_t nfields;
    kept_auth auth[MAX_AUTH];
    size_t nauth;
} kept;

typedef struct run {
    kept recs[KEEP_RECORDS];
    size_t nrecs;  /* records seen (only the first KEEP_RECORDS kept) */
    size_t errors; /* error messages reported */
    int wrong_format;
    const char *want_format;
} run;

static int n_passed, n_failed, n_skipped;

static char *dupz(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int on_record(const sw_record *rec, sw_arena *a, void *ctx)
{
    (void)a;
    run *r = ctx;
    if (r->want_format && strcmp(rec->source.format, r->want_format))
        r->wrong_format = 1;
    if (r->nrecs < KEEP_RECORDS) {
        kept *k = &r->recs[r->nrecs];
        memset(k, 0, sizeof *k);
        k->format = dupz(rec->source.format);
        k->sender_ip = dupz(rec->log.sender_ip);
        k->count = rec->log.count;
        k->fields = calloc(rec->log.nfields + 1, sizeof *k->fields);
        for (size_t i = 0; k->fields && i < rec->log.nfields; i++) {
            k->fields[i].key = dupz(rec->log.fields[i].key);
            k->fields[i].value = dupz(rec->log.fields[i].value);
            k->nfields++;
        }
        for (size_t i = 0; i < rec->nauth && k->nauth < MAX_AUTH; i++) {
            const sw_auth_fact *f = &rec->auth[i];
            kept_auth *x = &k->auth[k->nauth++];
            x->method = dupz(f->method);
            x->result = dupz(f->result);
            x->origin = dupz(f->origin);
            for (size_t p = 0; p < f->nprops && !x->domain; p++)
                if (!strcmp(f->props[p].property, "d") || !strcmp(f->props[p].property, "mailfrom"))
                    x->domain = dupz(f->props[p].value);
        }
    }
    r->nrecs++;
    return 0;
}

static void on_error(const char *message, void *ctx)
{
    (void)message;
    ((run *)ctx)->errors++;
}

static void run_free(run *r)
{
    for (size_t i = 0; i < r->nrecs && i < KEEP_RECORDS; i++) {
        kept *k = &r->recs[i];
        free(k->format);
        free(k->sender_ip);
        for (size_t j = 0; j < k->nfields; j++) {
            free((char *)k->fields[j].key);
            free((char *)k->fields[j].value);
        }
        free(k->fields);
        for (size_t j = 0; j < k->nauth; j++) {
            free(k->auth[j].method);
            free(k->auth[j].result);
            free(k->auth[j].domain);
            free(k->auth[j].origin);
        }
    }
    memset(r, 0, sizeof *r);
}

static void read_file(const char *path, const char *want_format, run *r)
{
    memset(r, 0, sizeof *r);
    r->want_format = want_format;
    sw_batch b = {.format = SW_FMT_AUTO, .progress = 0, .on_record = on_record,
                  .on_error = on_error, .ctx = r};
    char *paths[1] = {(char *)path};
    sw_batch_run(&b, paths, 1);
}

static const char *field(const kept *k, const char *key)
{
    for (size_t i = 0; i < k->nfields; i++)
        if (!strcmp(k->fields[i].key, key))
            return k->fields[i].value;
    return NULL;
}

/* ---- a case ---- */

typedef struct cs {
    char name[512];
    int failed;
    char why[1024];
} cs;

static void fail(cs *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(cs *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
}

static void done(cs *c)
{
    if (c->failed) {
        n_failed++;
        printf("FAIL dmarc %s: %s\n", c->name, c->why);
    } else {
        n_passed++;
    }
}

/* want: a scalar, or null for "absent". */
static void expect_value(cs *c, const char *what, const char *got, const yt_node *want)
{
    if (yt_is_null(want)) {
        if (got)
            fail(c, "%s is \"%s\", expected absent", what, got);
        return;
    }
    const char *w = yt_str(want);
    if (!got || !w || strcmp(got, w))
        fail(c, "%s is \"%s\", expected \"%s\"", what, got ? got : "(absent)", w ? w : "?");
}

static void expect_fields(cs *c, const kept *k, const yt_node *map, const char *prefix,
                          const char *const (*rename)[2])
{
    for (size_t i = 0; i < yt_len(map); i++) {
        const char *key = yt_key_at(map, i);
        const char *name = key;
        for (size_t j = 0; rename && rename[j][0]; j++)
            if (!strcmp(rename[j][0], key))
                name = rename[j][1];
        char full[128];
        snprintf(full, sizeof full, "%s%s", prefix, name);
        expect_value(c, full, field(k, full), yt_at(map, i));
    }
}

/* auth_results dkim / spf lists against the record's auth entries of that method. */
static void expect_auth(cs *c, const kept *k, const char *method, const yt_node *list)
{
    size_t at = 0;
    for (size_t i = 0; i < yt_len(list); i++) {
        const yt_node *e = yt_at(list, i);
        const kept_auth *x = NULL;
        for (; at < k->nauth && !x; at++)
            if (!strcmp(k->auth[at].method, method) &&
                !strcmp(k->auth[at].origin, "dmarc-aggregate.auth_results"))
                x = &k->auth[at];
        if (!x) {
            fail(c, "no %s result #%zu", method, i + 1);
            return;
        }
        for (size_t j = 0; j < yt_len(e); j++) {
            const char *key = yt_key_at(e, j);
            char what[64];
            snprintf(what, sizeof what, "%s[%zu].%s", method, i, key);
            if (!strcmp(key, "result"))
                expect_value(c, what, x->result, yt_at(e, j));
            else if (!strcmp(key, "domain"))
                expect_value(c, what, x->domain, yt_at(e, j));
            else if (!strcmp(key, "selector") && i == 0)
                expect_value(c, what, field(k, "dkim_selector"), yt_at(e, j));
            else if (!strcmp(key, "human_result") && yt_is_null(yt_at(e, j)))
                expect_value(c, what, field(k, "human_result"), yt_at(e, j));
            else
                fail(c, "unchecked expectation %s", what);
        }
    }
}

static void expect_record(cs *c, const kept *k, const yt_node *want, size_t i)
{
    for (size_t j = 0; j < yt_len(want); j++) {
        const char *key = yt_key_at(want, j);
        const yt_node *v = yt_at(want, j);
        char what[64];
        snprintf(what, sizeof what, "records[%zu].%s", i, key);
        if (!strcmp(key, "source_ip")) {
            expect_value(c, what, k->sender_ip, v);
        } else if (!strcmp(key, "count")) {
            if ((long long)k->count != yt_int(v, -1))
                fail(c, "%s is %llu, expected %s", what, k->count, yt_str(v));
        } else if (!strcmp(key, "policy_evaluated")) {
            static const char *const ren[][2] = {{"dkim", "policy_evaluated_dkim"},
                                                 {"spf", "policy_evaluated_spf"},
                                                 {NULL, NULL}};
            expect_fields(c, k, v, "", ren);
        } else if (!strcmp(key, "auth_results")) {
            for (size_t m = 0; m < yt_len(v); m++) {
                const char *method = yt_key_at(v, m);
                if (strcmp(method, "dkim") && strcmp(method, "spf"))
                    fail(c, "unchecked expectation %s.%s", what, method);
                else
                    expect_auth(c, k, method, yt_at(v, m));
            }
        } else {
            fail(c, "unchecked expectation %s", what);
        }
    }
}

static void run_entry(const char *dir, const yt_node *entry)
{
    cs c = {.failed = 0};
    const char *file = yt_str(yt_get(entry, "file"));
    const yt_node *ex = yt_get(entry, "expect");
    snprintf(c.name, sizeof c.name, "%s", file ? file : "(no file)");
    if (!file || !yt_is_map(ex)) {
        fail(&c, "entry without file or expect");
        done(&c);
        return;
    }
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    run r;
    read_file(path, NULL, &r);
    if (!r.nrecs) {
        fail(&c, "no record read (%zu errors)", r.errors);
        run_free(&r);
        done(&c);
        return;
    }
    const kept *k = &r.recs[0];
    for (size_t i = 0; i < yt_len(ex); i++) {
        const char *key = yt_key_at(ex, i);
        const yt_node *v = yt_at(ex, i);
        if (!strcmp(key, "report_type")) {
            const char *t = yt_str(v);
            char want[64];
            snprintf(want, sizeof want, "dmarc-%s", t ? t : "?");
            for (size_t j = 0; j < r.nrecs && j < KEEP_RECORDS; j++)
                if (strcmp(r.recs[j].format, want))
                    fail(&c, "record %zu is %s, expected %s", j + 1, r.recs[j].format, want);
        } else if (!strcmp(key, "report_metadata")) {
            static const char *const ren[][2] = {{"org_email", "email"},
                                                 {"org_extra_contact_info", "extra_contact_info"},
                                                 {NULL, NULL}};
            expect_fields(&c, k, v, "", ren);
        } else if (!strcmp(key, "xml_schema") || !strcmp(key, "xml_namespace")) {
            expect_value(&c, key, field(k, key), v);
        } else if (!strcmp(key, "policy_published")) {
            expect_fields(&c, k, v, "policy_", NULL);
        } else if (!strcmp(key, "records")) {
            for (size_t j = 0; j < yt_len(v); j++) {
                if (j >= r.nrecs || j >= KEEP_RECORDS)
                    fail(&c, "records[%zu] missing (%zu records)", j, r.nrecs);
                else
                    expect_record(&c, &r.recs[j], yt_at(v, j), j);
            }
        } else if (!strcmp(key, "records_measured")) {
            if ((long long)r.nrecs != yt_int(v, -1))
                fail(&c, "%zu records, expected %s", r.nrecs, yt_str(v));
        } else if (!strcmp(key, "feedback_type")) {
            expect_value(&c, key, field(k, "Feedback-Type"), v);
        } else if (!strcmp(key, "has_authentication_results")) {
            int has = 0;
            for (size_t j = 0; j < k->nauth; j++)
                has |= strstr(k->auth[j].origin, "Authentication-Results") != NULL;
            if (has != yt_bool(v, 0))
                fail(&c, "has_authentication_results is %d", has);
        } else if (!strcmp(key, "source")) {
            for (size_t j = 0; j < yt_len(v); j++) {
                if (!strcmp(yt_key_at(v, j), "ip_address"))
                    expect_value(&c, "source.ip_address", k->sender_ip, yt_at(v, j));
                else
                    fail(&c, "unchecked expectation source.%s", yt_key_at(v, j));
            }
        } else {
            fail(&c, "unchecked expectation %s", key);
        }
    }
    run_free(&r);
    done(&c);
}

/* rules: every file of a folder gives records of one kind. */
static void run_folder(const char *dir, const char *sub, const char *format, int exactly_one)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    struct dirent **list;
    int n = scandir(path, &list, NULL, alphasort);
    if (n < 0) {
        cs c;
        snprintf(c.name, sizeof c.name, "%s/", sub);
        c.failed = 0;
        fail(&c, "cannot list the folder");
        done(&c);
        return;
    }
    for (int i = 0; i < n; i++) {
        if (list[i]->d_name[0] != '.') {
            cs c = {.failed = 0};
            snprintf(c.name, sizeof c.name, "%s/%s (rule)", sub, list[i]->d_name);
            char file[8192];
            snprintf(file, sizeof file, "%s/%s", path, list[i]->d_name);
            run r;
            read_file(file, format, &r);
            if (!r.nrecs)
                fail(&c, "no %s record (%zu errors)", format, r.errors);
            else if (r.wrong_format)
                fail(&c, "a record is not %s", format);
            else if (exactly_one && r.nrecs != 1)
                fail(&c, "%zu records, expected one", r.nrecs);
            run_free(&r);
            done(&c);
        }
        free(list[i]);
    }
    free(list);
}

static void run_empty(void)
{
    cs c = {.failed = 0};
    snprintf(c.name, sizeof c.name, "empty.xml (rule)");
    char path[] = "/tmp/spoofwatch-dmarc-empty-XXXXXX.xml";
    int fd = mkstemps(path, 4);
    if (fd < 0) {
        fail(&c, "cannot create a temporary file");
    } else {
        close(fd);
        run r;
        read_file(path, NULL, &r);
        if (r.nrecs || !r.errors)
            fail(&c, "an empty file gave %zu records and %zu errors", r.nrecs, r.errors);
        run_free(&r);
        unlink(path);
    }
    done(&c);
}

int main(void)
{
    const char *env = getenv("SW_SHARED_DIR");
    char dir[4096], ypath[4200];
    snprintf(dir, sizeof dir, "%s/samples/dmarc-reports",
             env && *env ? env : SW_SOURCE_ROOT "/../shared");
    snprintf(ypath, sizeof ypath, "%s/expected.yaml", dir);
    struct stat st;
    if (stat(ypath, &st) != 0) {
        printf("dmarc-reports: 0 passed, 0 failed, 1 skipped\n");
        return 0;
    }
    char yerr[512];
    yt_doc *doc = yt_load_file(ypath, yerr, sizeof yerr);
    if (!doc) {
        printf("FAIL expected.yaml: %s\n", yerr);
        printf("dmarc-reports: 0 passed, 1 failed, 0 skipped\n");
        return 1;
    }
    const yt_node *files = yt_get(yt_root(doc), "files");
    if (!yt_is_seq(files) || yt_len(files) == 0) {
        printf("FAIL expected.yaml: no files: list\n");
        n_failed++;
    }
    for (size_t i = 0; i < yt_len(files); i++)
        run_entry(dir, yt_at(files, i));
    run_folder(dir, "aggregate", "dmarc-aggregate", 0);
    run_folder(dir, "aggregate_invalid", "dmarc-aggregate", 0);
    run_folder(dir, "failure", "dmarc-failure", 1);
    run_empty();
    yt_free(doc);
    printf("dmarc-reports: %d passed, %d failed, %d skipped\n", n_passed, n_failed, n_skipped);
    return n_failed ? 1 : 0;
}
