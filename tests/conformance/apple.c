/* Conformance runner for the Apple Mail samples in <shared>/samples/apple, driven by
 * expected.yaml (see samples/apple/SOURCE.md).
 *
 * Each `files:` entry is one case: the file is read whole, parsed with sw_emlx_parse()
 * (partial when the name ends in .partial.emlx) and checked against what the entry asserts
 * that a header reader can see: error / error_contains, byte_count, bytes_after_count_line,
 * plist date-received / date-last-viewed / flags / remote-id, flags_raw, flags_named, flags,
 * message_id and subject. Converter-only expectations (converted_eml, text/html lengths,
 * attachment errors under expect.default) are not ours and are ignored. Every other .eml /
 * .emlx in the sample tree is one more case that must parse or fail with a message.
 *
 * The shared dir is $SW_SHARED_DIR or SW_SOURCE_ROOT "/../shared"; when it is absent the
 * runner reports one skipped case and exits 0. Exit status 1 on any failure. Each case
 * gets a fresh arena and file buffer, both freed before the next. */
#include "yamltree.h"

#include "spoofwatch/arena.h"
#include "spoofwatch/emlx.h"
#include "spoofwatch/error.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef SW_SOURCE_ROOT
#define SW_SOURCE_ROOT "."
#endif

/* Sample files are small; a cap keeps a wrong path from slurping something huge. */
#define SW_APPLE_MAX_FILE (64u << 20)
#define SW_APPLE_MAX_LISTED 256
#define SW_APPLE_MAX_DEPTH 16

typedef struct sw_case {
    const char *name; /* path relative to the sample dir */
    int failed;
    char why[1024];
} sw_case;

static int n_passed, n_failed, n_skipped;

static void sw_case_fail(sw_case *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keeps the first reason per case: one printed line per failing case. */
static void sw_case_fail(sw_case *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
}

static void sw_case_end(sw_case *c)
{
    if (c->failed) {
        n_failed++;
        printf("FAIL %s: %s\n", c->name, c->why);
    } else {
        n_passed++;
    }
}

/* Reads a whole file into an exact-size malloc'd buffer (so ASan sees reads past it). */
static char *sw_read_file(const char *path, size_t *len, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || st.st_size > SW_APPLE_MAX_FILE) {
        snprintf(why, whylen, "cannot size or too large");
        fclose(f);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n ? n : 1);
    if (!buf || fread(buf, 1, n, f) != n) {
        snprintf(why, whylen, "cannot read");
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int sw_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Scalar to unsigned 64-bit, all digits required (flags exceed 32 bits). */
static int sw_scalar_u64(const yt_node *n, uint64_t *out)
{
    const char *s = yt_str(n);
    if (!s || !isdigit((unsigned char)*s))
        return 0;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return 0;
    *out = v;
    return 1;
}

/* Scalar to whole seconds: the YAML may say 0.0 for a plist <real>. */
static int sw_scalar_secs(const yt_node *n, int64_t *out)
{
    const char *s = yt_str(n);
    if (!s || !*s)
        return 0;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!errno && !*end) {
        *out = v;
        return 1;
    }
    double d = strtod(s, &end);
    if (*end || d != d || d > 9e18 || d < -9e18)
        return 0;
    *out = (int64_t)d;
    return 1;
}

/* "notJunk", "is_not_junk", "is_read", "Draft" -> "not_junk", "not_junk", "read", "draft". */
static void sw_flag_key(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    if (!strncmp(in, "is_", 3))
        in += 3;
    else if (!strncmp(in, "is", 2) && isupper((unsigned char)in[2]))
        in += 2;
    for (size_t i = 0; in[i] && o + 2 < outlen; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (isupper(ch)) {
            if (o)
                out[o++] = '_';
            out[o++] = (char)tolower(ch);
        } else if (ch == '-') {
            out[o++] = '_';
        } else {
            out[o++] = (char)ch;
        }
    }
    out[o] = '\0';
}

/* Checks one named flag against the reader's flag names (which must know the name). */
static void sw_check_flag(sw_case *c, const sw_emlx *e, const char *yname, int want)
{
    char key[64];
    sw_flag_key(yname, key, sizeof key);
    /* Every name the reader can produce, to tell an unknown name from an unset bit. */
    const char *all[32], *set[32];
    size_t nall = sw_emlx_flag_names(UINT64_MAX, all, 32);
    size_t nset = sw_emlx_flag_names(e->ctx.flags, set, 32);
    int known = 0, on = 0;
    for (size_t i = 0; i < nall; i++)
        known |= strcmp(all[i], key) == 0;
    for (size_t i = 0; i < nset; i++)
        on |= strcmp(set[i], key) == 0;
    if (!known) {
        sw_case_fail(c, "flag name %s (%s) is not a known emlx flag", yname, key);
        return;
    }
    if (!e->ctx.has_flags) {
        sw_case_fail(c, "flag %s expected but the plist has no flags", yname);
        return;
    }
    if (on != want)
        sw_case_fail(c, "flag %s is %s, expected %s (flags %" PRIu64 ")", yname,
                     on ? "set" : "clear", want ? "set" : "clear", e->ctx.flags);
}

/* flags_named as a list of set names, or flags/flags_named as a map name: bool. */
static void sw_check_flags_node(sw_case *c, const sw_emlx *e, const yt_node *n, const char *what)
{
    if (!n || yt_is_null(n))
        return;
    if (yt_is_seq(n)) {
        for (size_t i = 0; i < yt_len(n); i++) {
            const char *s = yt_str(yt_at(n, i));
            if (!s)
                sw_case_fail(c, "%s[%zu] is not a name", what, i);
            else
                sw_check_flag(c, e, s, 1);
        }
    } else if (yt_is_map(n)) {
        for (size_t i = 0; i < yt_len(n); i++) {
            const char *k = yt_key_at(n, i);
            int b = yt_bool(yt_at(n, i), -1);
            if (!k || b < 0)
                sw_case_fail(c, "%s entry %zu is not name: bool", what, i);
            else
                sw_check_flag(c, e, k, b);
        }
    } else {
        sw_case_fail(c, "%s is neither a list nor a map", what);
    }
}

static void sw_check_secs(sw_case *c, const yt_node *want, int has, int64_t got, const char *key)
{
    if (!want)
        return;
    int64_t w;
    if (!sw_scalar_secs(want, &w)) {
        sw_case_fail(c, "plist %s: expectation is not a number", key);
        return;
    }
    if (!has)
        sw_case_fail(c, "plist %s missing, expected %" PRId64, key, w);
    else if (got != w)
        sw_case_fail(c, "plist %s is %" PRId64 ", expected %" PRId64, key, got, w);
}

static void sw_check_flags_value(sw_case *c, const sw_emlx *e, const yt_node *want,
                                 const char *what)
{
    if (!want)
        return;
    uint64_t w;
    if (!sw_scalar_u64(want, &w))
        sw_case_fail(c, "%s: expectation is not an unsigned integer", what);
    else if (!e->ctx.has_flags)
        sw_case_fail(c, "%s missing, expected %" PRIu64, what, w);
    else if (e->ctx.flags != w)
        sw_case_fail(c, "%s is %" PRIu64 ", expected %" PRIu64, what, e->ctx.flags, w);
}

static void sw_trim_span(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Header value of the first field named name, compared after trimming both sides. */
static void sw_check_header(sw_case *c, sw_arena *a, const sw_emlx *e, const char *name,
                            const yt_node *want)
{
    if (!want)
        return;
    const char *w = yt_str(want);
    if (!w) {
        sw_case_fail(c, "%s expectation is not a string", name);
        return;
    }
    sw_header_block h;
    sw_error herr;
    sw_error_clear(&herr);
    if (sw_header_scan(a, e->msg, e->msg_len, &h, &herr) != SW_OK) {
        sw_case_fail(c, "header scan failed: %s", herr.message);
        return;
    }
    long idx = sw_header_find(&h, name, 0);
    if (idx < 0) {
        sw_case_fail(c, "no %s header, expected \"%s\"", name, w);
        return;
    }
    const char *g = h.fields[idx].value;
    size_t gn = h.fields[idx].value_len, wn = strlen(w);
    sw_trim_span(&g, &gn);
    sw_trim_span(&w, &wn);
    if (gn != wn || memcmp(g, w, gn) != 0)
        sw_case_fail(c, "%s is \"%.*s\", expected \"%.*s\"", name, (int)gn, g, (int)wn, w);
}

static void sw_run_entry(const char *dir, const yt_node *entry)
{
    sw_case c = {.name = yt_str(yt_get(entry, "file")), .failed = 0, .why = ""};
    if (!c.name) {
        c.name = "(entry without file)";
        sw_case_fail(&c, "no file name in expected.yaml entry");
        sw_case_end(&c);
        return;
    }
    char path[4096];
    size_t len = 0;
    char why[256];
    char *data = NULL;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, c.name) >= sizeof path)
        snprintf(why, sizeof why, "path too long");
    else
        data = sw_read_file(path, &len, why, sizeof why);
    if (!data) {
        sw_case_fail(&c, "%s", why);
        sw_case_end(&c);
        return;
    }
    const yt_node *expect = yt_get(entry, "expect");
    const yt_node *econt = yt_get(expect, "error_contains");
    int want_error = yt_bool(yt_get(expect, "error"), 0) || (econt && !yt_is_null(econt));

    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_emlx e;
    sw_error err;
    sw_error_clear(&err);
    int partial = sw_ends_with(c.name, ".partial.emlx");
    int rc = sw_emlx_parse(&a, data, len, partial, &e, &err);

    if (want_error) {
        /* The upstream wording (e.g. "Invalid structure; ...") is the converter's; we ask
         * only for a clean failure that explains itself. */
        if (rc == SW_OK)
            sw_case_fail(&c, "parsed, but the file is broken and must be rejected");
        else if (!err.message[0])
            sw_case_fail(&c, "rejected (%s) without a message", sw_strerror(rc));
    } else if (rc != SW_OK) {
        sw_case_fail(&c, "parse failed: %s", err.message);
    } else {
        const yt_node *bc = yt_get(entry, "byte_count");
        uint64_t want;
        if (bc) {
            if (!sw_scalar_u64(bc, &want))
                sw_case_fail(&c, "byte_count is not a number");
            else if (e.ctx.declared_length != want)
                sw_case_fail(&c, "byte count %" PRIu64 ", expected %" PRIu64, e.ctx.declared_length,
                             want);
        }
        const yt_node *after = yt_get(entry, "bytes_after_count_line");
        if (after && sw_scalar_u64(after, &want) && len - e.msg_offset != want)
            sw_case_fail(&c, "%" PRIu64 " bytes after the count line, expected %" PRIu64,
                         (uint64_t)(len - e.msg_offset), want);
        if (!partial && e.msg_len != e.ctx.declared_length)
            sw_case_fail(&c, "message is %zu bytes, the count says %" PRIu64, e.msg_len,
                         e.ctx.declared_length);
        if (e.msg < data || e.msg_offset + e.msg_len > len || e.msg != data + e.msg_offset)
            sw_case_fail(&c, "message span outside the file");
        if (e.ctx.partial != partial)
            sw_case_fail(&c, "ctx.partial is %d, expected %d", e.ctx.partial, partial);

        const yt_node *pl = yt_get(expect, "plist");
        sw_check_secs(&c, yt_get(pl, "date-received"), e.ctx.has_date_received, e.ctx.date_received,
                      "date-received");
        sw_check_secs(&c, yt_get(pl, "date-last-viewed"), e.ctx.has_date_last_viewed,
                      e.ctx.date_last_viewed, "date-last-viewed");
        sw_check_flags_value(&c, &e, yt_get(pl, "flags"), "plist flags");
        sw_check_flags_value(&c, &e, yt_get(expect, "flags_raw"), "flags_raw");
        const yt_node *rid = yt_get(pl, "remote-id");
        if (rid) {
            const char *w = yt_str(rid);
            if (!w || !e.ctx.remote_id || strcmp(w, e.ctx.remote_id) != 0)
                sw_case_fail(&c, "remote-id is \"%s\", expected \"%s\"",
                             e.ctx.remote_id ? e.ctx.remote_id : "(none)", w ? w : "(none)");
        }
        sw_check_flags_node(&c, &e, yt_get(expect, "flags_named"), "flags_named");
        sw_check_flags_node(&c, &e, yt_get(expect, "flags"), "flags");
        sw_check_header(&c, &a, &e, "Message-ID", yt_get(expect, "message_id"));
        sw_check_header(&c, &a, &e, "Subject", yt_get(expect, "subject"));
    }
    sw_arena_free(&a);
    free(data);
    sw_case_end(&c);
}

/* A sample file that expected.yaml does not list: it must parse or fail with a message,
 * and an .eml (converter output) must at least scan as a header block. */
static void sw_run_unlisted(const char *dir, const char *rel)
{
    sw_case c = {.name = rel, .failed = 0, .why = ""};
    char path[4096];
    size_t len = 0;
    char why[256];
    char *data = NULL;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, rel) >= sizeof path)
        snprintf(why, sizeof why, "path too long");
    else
        data = sw_read_file(path, &len, why, sizeof why);
    if (!data) {
        sw_case_fail(&c, "%s", why);
        sw_case_end(&c);
        return;
    }
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_emlx e;
    sw_error err;
    sw_error_clear(&err);
    sw_header_block h;
    int rc = sw_emlx_parse(&a, data, len, sw_ends_with(rel, ".partial.emlx"), &e, &err);
    if (rc != SW_OK && !err.message[0])
        sw_case_fail(&c, "rejected (%s) without a message", sw_strerror(rc));
    if (rc == SW_OK && sw_header_scan(&a, e.msg, e.msg_len, &h, &err) != SW_OK)
        sw_case_fail(&c, "header scan of the message failed: %s", err.message);
    if (sw_ends_with(rel, ".eml") && sw_header_scan(&a, data, len, &h, &err) != SW_OK)
        sw_case_fail(&c, "header scan failed: %s", err.message);
    sw_arena_free(&a);
    free(data);
    sw_case_end(&c);
}

typedef struct sw_listed {
    const char *names[SW_APPLE_MAX_LISTED];
    size_t n;
} sw_listed;

static int sw_is_listed(const sw_listed *l, const char *rel)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->names[i], rel) == 0)
            return 1;
    return 0;
}

/* Walks the sample tree (bounded depth, no symlink following) for unlisted mail files. */
static void sw_walk(const char *dir, const char *rel, int depth, const sw_listed *l)
{
    if (depth > SW_APPLE_MAX_DEPTH)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
    /* Sorted order keeps the output stable across file systems. */
    struct dirent **list = NULL;
    int n = scandir(path, &list, NULL, alphasort);
    if (n < 0)
        return;
    for (int i = 0; i < n; i++) {
        const char *nm = list[i]->d_name;
        if (nm[0] != '.') {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", nm);
            char full[8192];
            snprintf(full, sizeof full, "%s/%s", dir, sub);
            struct stat st;
            if (lstat(full, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                    sw_walk(dir, sub, depth + 1, l);
                else if (S_ISREG(st.st_mode) &&
                         (sw_ends_with(nm, ".emlx") || sw_ends_with(nm, ".eml")) &&
                         !sw_is_listed(l, sub))
                    sw_run_unlisted(dir, sub);
            }
        }
        free(list[i]);
    }
    free(list);
}

int main(void)
{
    const char *env = getenv("SW_SHARED_DIR");
    char dir[4096], ypath[4200];
    snprintf(dir, sizeof dir, "%s/samples/apple", env && *env ? env : SW_SOURCE_ROOT "/../shared");
    snprintf(ypath, sizeof ypath, "%s/expected.yaml", dir);
    struct stat st;
    if (stat(ypath, &st) != 0) {
        printf("apple: 0 passed, 0 failed, 1 skipped\n");
        return 0;
    }
    char yerr[512];
    yt_doc *doc = yt_load_file(ypath, yerr, sizeof yerr);
    if (!doc) {
        printf("FAIL expected.yaml: %s\n", yerr);
        printf("apple: 0 passed, 1 failed, 0 skipped\n");
        return 1;
    }
    const yt_node *files = yt_get(yt_root(doc), "files");
    if (!yt_is_seq(files) || yt_len(files) == 0) {
        printf("FAIL expected.yaml: no files: list\n");
        n_failed++;
    }
    sw_listed listed = {.n = 0};
    for (size_t i = 0; i < yt_len(files); i++) {
        const yt_node *entry = yt_at(files, i);
        sw_run_entry(dir, entry);
        const char *nm = yt_str(yt_get(entry, "file"));
        if (nm && listed.n < SW_APPLE_MAX_LISTED)
            listed.names[listed.n++] = nm;
    }
    sw_walk(dir, "", 0, &listed);
    yt_free(doc);
    printf("apple: %d passed, %d failed, %d skipped\n", n_passed, n_failed, n_skipped);
    return n_failed ? 1 : 0;
}
