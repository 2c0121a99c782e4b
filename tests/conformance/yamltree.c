/* yamltree: read-only view of one YAML document, see yamltree.h (test runners only).
 *
 * The first document of the file is loaded with libyaml's yaml_parser_load(). Every
 * libyaml node becomes exactly one yt_node (same index), so an alias is simply a second
 * pointer to its anchored node: nothing is copied, an alias bomb cannot expand, and a
 * recursive alias just makes a cycle that lookups never walk. Scalar text points into the
 * libyaml document, which yt_doc keeps alive; yt_free() releases the document, the node
 * array and the per-collection arrays. Input files are capped at YT_MAX_FILE bytes. */
#include "yamltree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#define YT_MAX_FILE (64L << 20)

enum { YT_SCALAR, YT_SEQ, YT_MAP };

struct yt_node {
    int kind;
    const char *str;      /* scalar text (NUL-terminated by libyaml) */
    size_t len;           /* scalar bytes, or number of items */
    int plain;            /* plain (unquoted) scalar style */
    int null_tag;         /* explicit !!null */
    const yt_node **vals; /* sequence items or map values */
    const yt_node **keys; /* map keys */
};

struct yt_doc {
    yaml_document_t doc;
    yt_node *nodes; /* one per libyaml node, same order */
    size_t nnodes;
    const yt_node *root;
};

static const yt_node *yt_ref(yt_doc *d, int id)
{
    /* libyaml node ids are 1-based; anything out of range is treated as absent. */
    if (id < 1 || (size_t)id > d->nnodes)
        return NULL;
    return &d->nodes[id - 1];
}

static int yt_build(yt_doc *d)
{
    yaml_node_t *start = d->doc.nodes.start, *top = d->doc.nodes.top;
    d->nnodes = (size_t)(top - start);
    d->nodes = calloc(d->nnodes ? d->nnodes : 1, sizeof *d->nodes);
    if (!d->nodes)
        return -1;
    for (size_t i = 0; i < d->nnodes; i++) {
        yaml_node_t *yn = &start[i];
        yt_node *n = &d->nodes[i];
        const char *tag = (const char *)yn->tag;
        switch (yn->type) {
        case YAML_SCALAR_NODE:
            n->kind = YT_SCALAR;
            n->str = (const char *)yn->data.scalar.value;
            n->len = yn->data.scalar.length;
            n->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            n->null_tag = tag && strcmp(tag, YAML_NULL_TAG) == 0;
            break;
        case YAML_SEQUENCE_NODE: {
            yaml_node_item_t *it = yn->data.sequence.items.start;
            size_t cnt = (size_t)(yn->data.sequence.items.top - it);
            n->kind = YT_SEQ;
            n->len = cnt;
            n->vals = calloc(cnt ? cnt : 1, sizeof *n->vals);
            if (!n->vals)
                return -1;
            for (size_t k = 0; k < cnt; k++)
                n->vals[k] = yt_ref(d, it[k]);
            break;
        }
        case YAML_MAPPING_NODE: {
            yaml_node_pair_t *pr = yn->data.mapping.pairs.start;
            size_t cnt = (size_t)(yn->data.mapping.pairs.top - pr);
            n->kind = YT_MAP;
            n->len = cnt;
            n->vals = calloc(cnt ? cnt : 1, sizeof *n->vals);
            n->keys = calloc(cnt ? cnt : 1, sizeof *n->keys);
            if (!n->vals || !n->keys)
                return -1;
            for (size_t k = 0; k < cnt; k++) {
                n->keys[k] = yt_ref(d, pr[k].key);
                n->vals[k] = yt_ref(d, pr[k].value);
            }
            break;
        }
        default:
            /* YAML_NO_NODE: an empty slot; leave it as an empty scalar. */
            n->kind = YT_SCALAR;
            n->str = "";
            n->plain = 1;
            break;
        }
    }
    d->root = yt_ref(d, 1);
    return 0;
}

yt_doc *yt_load_file(const char *path, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (st.st_size > YT_MAX_FILE) {
        snprintf(err, errlen, "%s: %lld bytes, over the %ld-byte cap", path, (long long)st.st_size,
                 YT_MAX_FILE);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    yt_doc *d = calloc(1, sizeof *d);
    yaml_parser_t parser;
    if (!d || !yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(d);
        fclose(f);
        return NULL;
    }
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &d->doc)) {
        snprintf(err, errlen, "%s:%lu:%lu: %s%s%s", path,
                 (unsigned long)parser.problem_mark.line + 1,
                 (unsigned long)parser.problem_mark.column + 1,
                 parser.problem ? parser.problem : "YAML error", parser.context ? " " : "",
                 parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        fclose(f);
        free(d);
        return NULL;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    if (!yaml_document_get_root_node(&d->doc)) {
        snprintf(err, errlen, "%s:1:1: no YAML document", path);
        yaml_document_delete(&d->doc);
        free(d);
        return NULL;
    }
    if (yt_build(d) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        yt_free(d);
        return NULL;
    }
    return d;
}

void yt_free(yt_doc *d)
{
    if (!d)
        return;
    if (d->nodes) {
        for (size_t i = 0; i < d->nnodes; i++) {
            free(d->nodes[i].vals);
            free(d->nodes[i].keys);
        }
        free(d->nodes);
    }
    yaml_document_delete(&d->doc);
    free(d);
}

const yt_node *yt_root(const yt_doc *d)
{
    return d ? d->root : NULL;
}

int yt_is_map(const yt_node *n)
{
    return n && n->kind == YT_MAP;
}

int yt_is_seq(const yt_node *n)
{
    return n && n->kind == YT_SEQ;
}

int yt_is_scalar(const yt_node *n)
{
    return n && n->kind == YT_SCALAR;
}

const char *yt_str(const yt_node *n)
{
    return yt_is_scalar(n) ? n->str : NULL;
}

int yt_is_null(const yt_node *n)
{
    if (!n)
        return 1;
    if (n->kind != YT_SCALAR)
        return 0;
    if (n->null_tag)
        return 1;
    /* Only plain scalars: a quoted "null" is the string null. */
    if (!n->plain)
        return 0;
    return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
           strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

const yt_node *yt_get(const yt_node *n, const char *key)
{
    if (!yt_is_map(n) || !key)
        return NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < n->len; i++) {
        const yt_node *k = n->keys[i];
        if (yt_is_scalar(k) && k->len == kl && memcmp(k->str, key, kl) == 0)
            return n->vals[i];
    }
    return NULL;
}

size_t yt_len(const yt_node *n)
{
    return n ? n->len : 0;
}

const yt_node *yt_at(const yt_node *n, size_t i)
{
    if (!n || n->kind == YT_SCALAR || i >= n->len)
        return NULL;
    return n->vals[i];
}

const char *yt_key_at(const yt_node *n, size_t i)
{
    if (!yt_is_map(n) || i >= n->len)
        return NULL;
    return yt_str(n->keys[i]);
}

long long yt_int(const yt_node *n, long long dflt)
{
    const char *s = yt_str(n);
    if (!s || !*s || strlen(s) != n->len)
        return dflt;
    errno = 0;
    char *end;
    long long v;
    const char *p = s + (*s == '+' || *s == '-');
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        v = strtoll(s, &end, 16);
    else
        v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return dflt;
    return v;
}

int yt_bool(const yt_node *n, int dflt)
{
    static const char *const yes[] = {"true", "yes", "on", "y"};
    static const char *const no[] = {"false", "no", "off", "n"};
    const char *s = yt_str(n);
    if (!s)
        return dflt;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    }
    return dflt;
}
