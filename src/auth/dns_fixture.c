/* The fixture and deny-network resolvers (include/spoofwatch/dns.h).
 *
 * The fixture keeps its zone in a hash table of names; every string lives in the fixture's
 * own arena, freed with it. Answers handed out point into that arena (they outlive the
 * message), only the answer arrays are allocated in the query's arena. */
#include "spoofwatch/dns.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FIXTURE_BUCKETS 1024
#define FIXTURE_ARENA (256u << 20)
#define MAX_CNAME_CHAIN 8

typedef struct zrec {
    sw_dns_rr rr;
    struct zrec *next;
} zrec;

typedef struct zname {
    const char *name;
    zrec *recs;
    struct {
        sw_dns_type type; /* 0 = every type */
        sw_dns_status status;
        int set;
    } fail[4];
    struct zname *next;
} zname;

typedef struct fixture {
    sw_arena arena;
    zname *buckets[FIXTURE_BUCKETS];
} fixture;

static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)tolower((unsigned char)*s)) * 16777619u;
    return h % FIXTURE_BUCKETS;
}

static zname *find_name(fixture *f, const char *name)
{
    for (zname *z = f->buckets[name_hash(name)]; z; z = z->next)
        if (!strcasecmp(z->name, name))
            return z;
    return NULL;
}

static zname *get_name(fixture *f, const char *name)
{
    size_t n = strlen(name);
    while (n && name[n - 1] == '.')
        n--;
    char *norm = sw_arena_strndup_lower(&f->arena, name, n);
    if (!norm)
        return NULL;
    zname *z = find_name(f, norm);
    if (z)
        return z;
    z = sw_arena_calloc(&f->arena, sizeof *z);
    if (!z)
        return NULL;
    z->name = norm;
    unsigned h = name_hash(norm);
    z->next = f->buckets[h];
    f->buckets[h] = z;
    return z;
}

static int add_rr(fixture *f, const char *name, const sw_dns_rr *rr)
{
    zname *z = get_name(f, name);
    zrec *r = z ? sw_arena_alloc(&f->arena, sizeof *r) : NULL;
    if (!r)
        return SW_ENOMEM;
    r->rr = *rr;
    r->next = NULL;
    zrec **tail = &z->recs; /* keep publication order */
    while (*tail)
        tail = &(*tail)->next;
    *tail = r;
    return 0;
}

/* TXT, or the obsolete SPF type 99 that carries the same character-strings. */
static int add_strings(sw_resolver *res, const char *name, sw_dns_type type,
                       const char *const *strings, size_t nstrings)
{
    fixture *f = res->backend;
    const char **copy = sw_arena_alloc(&f->arena, (nstrings ? nstrings : 1) * sizeof *copy);
    if (!copy)
        return SW_ENOMEM;
    size_t total = 0;
    for (size_t i = 0; i < nstrings; i++)
        total += strlen(strings[i]);
    char *joined = sw_arena_alloc(&f->arena, total + 1);
    if (!joined)
        return SW_ENOMEM;
    size_t o = 0;
    for (size_t i = 0; i < nstrings; i++) {
        size_t n = strlen(strings[i]);
        if (!(copy[i] = sw_arena_strndup(&f->arena, strings[i], n)))
            return SW_ENOMEM;
        memcpy(joined + o, strings[i], n);
        o += n;
    }
    joined[o] = '\0';
    sw_dns_rr rr = {.type = type, .text = joined, .text_len = o, .strings = copy,
                    .nstrings = nstrings, .ttl = 300};
    return add_rr(f, name, &rr);
}

int sw_dns_fixture_add_txt(sw_resolver *res, const char *name, const char *const *strings,
                           size_t nstrings)
{
    return add_strings(res, name, SW_DNS_TXT, strings, nstrings);
}

int sw_dns_fixture_add(sw_resolver *res, const char *name, sw_dns_type type, const char *value)
{
    fixture *f = res->backend;
    if (!name || !value)
        return SW_EINVAL;
    if (type == SW_DNS_TXT || type == SW_DNS_SPF)
        return add_strings(res, name, type, &value, 1);
    sw_dns_rr rr = {.type = type, .ttl = 300};
    const char *v = value;
    if (type == SW_DNS_MX) {
        char *end;
        long pref = strtol(v, &end, 10);
        if (end == v || pref < 0 || pref > 65535)
            return SW_EINVAL;
        rr.preference = (unsigned short)pref;
        v = end;
        while (*v == ' ' || *v == '\t')
            v++;
    }
    size_t n = strlen(v);
    if (type != SW_DNS_A && type != SW_DNS_AAAA)
        while (n && v[n - 1] == '.')
            n--;
    if (!(rr.text = sw_arena_strndup(&f->arena, v, n)))
        return SW_ENOMEM;
    rr.text_len = n;
    return add_rr(f, name, &rr);
}

int sw_dns_fixture_fail(sw_resolver *res, const char *name, sw_dns_type type,
                        sw_dns_status status)
{
    fixture *f = res->backend;
    zname *z = get_name(f, name);
    if (!z)
        return SW_ENOMEM;
    for (size_t i = 0; i < sizeof z->fail / sizeof z->fail[0]; i++)
        if (!z->fail[i].set || z->fail[i].type == type) {
            z->fail[i].set = 1;
            z->fail[i].type = type;
            z->fail[i].status = status;
            return 0;
        }
    return SW_EINVAL;
}

static int fixture_lookup(sw_resolver *res, sw_arena *a, const char *name, sw_dns_type type,
                          sw_dns_answer *out)
{
    fixture *f = res->backend;
    const char *cur = name;
    for (int depth = 0; depth <= MAX_CNAME_CHAIN; depth++) {
        zname *z = find_name(f, cur);
        if (!z) {
            out->status = SW_DNS_NXDOMAIN;
            return 0;
        }
        for (size_t i = 0; i < sizeof z->fail / sizeof z->fail[0]; i++)
            if (z->fail[i].set && (!z->fail[i].type || z->fail[i].type == type)) {
                out->status = z->fail[i].status;
                return 0;
            }
        size_t n = 0;
        const zrec *cname = NULL;
        for (const zrec *r = z->recs; r; r = r->next) {
            if (r->rr.type == type)
                n++;
            else if (r->rr.type == SW_DNS_CNAME && !cname)
                cname = r;
        }
        if (!n && cname && type != SW_DNS_CNAME) {
            cur = cname->rr.text;
            continue;
        }
        if (!n) {
            /* the name exists (it has other records, or a failure mark for another type) */
            out->status = SW_DNS_NODATA;
            return 0;
        }
        sw_dns_rr *rrs = sw_arena_alloc(a, n * sizeof *rrs);
        if (!rrs)
            return SW_ENOMEM;
        size_t k = 0;
        for (const zrec *r = z->recs; r; r = r->next)
            if (r->rr.type == type)
                rrs[k++] = r->rr;
        out->status = SW_DNS_OK;
        out->rrs = rrs;
        out->n = n;
        return 0;
    }
    out->status = SW_DNS_TEMPFAIL; /* a CNAME loop */
    return 0;
}

static void fixture_destroy(sw_resolver *res)
{
    fixture *f = res->backend;
    sw_arena_free(&f->arena);
    free(f);
    free(res);
}

sw_resolver *sw_dns_fixture_new(void)
{
    sw_resolver *r = calloc(1, sizeof *r);
    fixture *f = calloc(1, sizeof *f);
    if (!r || !f) {
        free(r);
        free(f);
        return NULL;
    }
    sw_arena_init(&f->arena, FIXTURE_ARENA);
    r->backend = f;
    r->lookup = fixture_lookup;
    r->destroy = fixture_destroy;
    return r;
}

/* ---- zone files ---- */

/* Next whitespace-separated token, or a "quoted string" (\" and \\ escapes) into buf.
 * NULL when it does not fit in cap or a quote is never closed: a zone is test data, and a
 * record cut short silently would make a test pass or fail for the wrong reason. */
static const char *token(const char *p, char *buf, size_t cap, int *quoted)
{
    while (*p == ' ' || *p == '\t')
        p++;
    *quoted = 0;
    size_t n = 0;
    if (*p == '"') {
        *quoted = 1;
        p++;
        while (*p && *p != '"') {
            if (*p == '\\' && p[1])
                p++;
            if (n + 1 >= cap)
                return NULL;
            buf[n++] = *p;
            p++;
        }
        if (*p != '"')
            return NULL;
        p++;
    } else {
        while (*p && *p != ' ' && *p != '\t') {
            if (n + 1 >= cap)
                return NULL;
            buf[n++] = *p;
            p++;
        }
    }
    buf[n] = '\0';
    return p;
}

int sw_dns_fixture_load(sw_resolver *r, const char *path, sw_error *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return sw_error_set(err, SW_EIO, "%s: cannot open DNS fixture", path);
    char line[8192];
    unsigned lineno = 0;
    int rc = 0;
    while (!rc && fgets(line, sizeof line, fp)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(fp)) {
            /* the rest would be read as a line of its own */
            rc = sw_error_set(err, SW_ELIMIT, "%s:%u: line longer than %zu bytes", path, lineno,
                              sizeof line - 2);
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        char name[1024], type[32];
        int q;
        p = token(p, name, sizeof name, &q);
        if (p)
            p = token(p, type, sizeof type, &q);
        sw_dns_type t;
        if (!p || !name[0] || sw_dns_type_from_name(type, &t)) {
            rc = sw_error_set(err, SW_EFORMAT, "%s:%u: expected \"name TYPE value\"", path,
                              lineno);
            break;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (!strcmp(p, "TIMEOUT") || !strcmp(p, "SERVFAIL")) {
            rc = sw_dns_fixture_fail(r, name, t, SW_DNS_TEMPFAIL);
            continue;
        }
        if (t == SW_DNS_TXT || t == SW_DNS_SPF) {
            /* one or more character-strings */
            char parts[16][4096];
            const char *ptrs[16];
            size_t np = 0;
            while (*p) {
                if (np == 16 || !(p = token(p, parts[np], sizeof parts[np], &q))) {
                    rc = sw_error_set(err, SW_EFORMAT,
                                      "%s:%u: TXT strings: more than 16, one over 4095 bytes, "
                                      "or an unclosed quote",
                                      path, lineno);
                    break;
                }
                ptrs[np] = parts[np];
                np++;
                while (*p == ' ' || *p == '\t')
                    p++;
            }
            if (rc)
                break;
            rc = add_strings(r, name, t, ptrs, np);
        } else {
            rc = sw_dns_fixture_add(r, name, t, p);
        }
        if (rc)
            sw_error_set(err, rc, "%s:%u: bad %s record", path, lineno, type);
    }
    fclose(fp);
    return rc;
}

/* ---- deny-network ---- */

typedef struct deny {
    void (*on_denied)(const char *name, sw_dns_type t, void *ctx);
    void *ctx;
} deny;

static int deny_lookup(sw_resolver *res, sw_arena *a, const char *name, sw_dns_type type,
                       sw_dns_answer *out)
{
    (void)a;
    deny *d = res->backend;
    if (d->on_denied)
        d->on_denied(name, type, d->ctx);
    out->status = SW_DNS_DENIED;
    return 0;
}

static void deny_destroy(sw_resolver *res)
{
    free(res->backend);
    free(res);
}

sw_resolver *sw_dns_deny_new(void (*on_denied)(const char *name, sw_dns_type t, void *ctx),
                             void *ctx)
{
    sw_resolver *r = calloc(1, sizeof *r);
    deny *d = calloc(1, sizeof *d);
    if (!r || !d) {
        free(r);
        free(d);
        return NULL;
    }
    d->on_denied = on_denied;
    d->ctx = ctx;
    r->backend = d;
    r->lookup = deny_lookup;
    r->destroy = deny_destroy;
    return r;
}
