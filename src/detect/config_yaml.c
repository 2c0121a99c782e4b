/* The YAML configuration file: see include/spoofwatch/config.h and docs/configuration.md.
 *
 * Parsed with libyaml's document API; every error names the file and the line. Unknown
 * keys are errors (a typo in "trusted_authserv_ids" must not silently trust nothing), as
 * are unknown signal names under weights. Strings are copied into the config's arena. */
#include "spoofwatch/config.h"
#include "spoofwatch/detect.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <yaml.h>

typedef struct loader {
    sw_config *c;
    yaml_document_t *doc;
    const char *path;
    sw_error *err;
    void (*warn)(const char *msg, void *ctx);
    void *warn_ctx;
} loader;

static int line_of(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

static int fail(loader *l, const yaml_node_t *n, const char *what, const char *detail)
{
    return sw_error_set(l->err, SW_EINVAL, "%s:%d: %s%s%s", l->path, line_of(n), what,
                        detail ? ": " : "", detail ? detail : "");
}

static void warn(loader *l, const yaml_node_t *n, const char *what, const char *detail)
{
    if (!l->warn)
        return;
    char msg[600];
    snprintf(msg, sizeof msg, "%s:%d: %s%s%s", l->path, line_of(n), what, detail ? ": " : "",
             detail ? detail : "");
    l->warn(msg, l->warn_ctx);
}

static const char *scalar(loader *l, const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    return sw_arena_strndup(&l->c->arena, (const char *)n->data.scalar.value,
                            n->data.scalar.length);
}

static yaml_node_t *node(loader *l, int id)
{
    return yaml_document_get_node(l->doc, id);
}

static int string_list(loader *l, yaml_node_t *n, sw_strlist *out, int lower)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(l, n, "expected a list", NULL);
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    const char **items = sw_arena_calloc(&l->c->arena, (count ? count : 1) * sizeof *items);
    if (!items)
        return SW_ENOMEM;
    size_t k = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *e = node(l, *it);
        const char *v = scalar(l, e);
        if (!v || !*v)
            return fail(l, e, "expected a non-empty string", NULL);
        if (lower)
            for (char *p = (char *)v; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        items[k++] = v;
    }
    out->items = items;
    out->count = k;
    return SW_OK;
}

static int parse_int(loader *l, yaml_node_t *n, int *out)
{
    const char *v = scalar(l, n);
    char *end;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end || x < -1000 || x > 1000)
        return fail(l, n, "expected an integer between -1000 and 1000", v);
    *out = (int)x;
    return SW_OK;
}

/* YYYY-MM-DD (end of that day, UTC) or Unix seconds. */
static int parse_date(loader *l, yaml_node_t *n, int64_t *out)
{
    const char *v = scalar(l, n);
    int y, m, d;
    char extra;
    if (v && sscanf(v, "%d-%d-%d%c", &y, &m, &d, &extra) == 3 && m >= 1 && m <= 12 && d >= 1 &&
        d <= 31 && y >= 1970 && y < 10000) {
        struct tm tm = {0};
        tm.tm_year = y - 1900;
        tm.tm_mon = m - 1;
        tm.tm_mday = d;
        tm.tm_hour = 23;
        tm.tm_min = 59;
        tm.tm_sec = 59;
        *out = (int64_t)timegm(&tm);
        return SW_OK;
    }
    char *end;
    long long s = v ? strtoll(v, &end, 10) : 0;
    if (v && *v && !*end && s > 0) {
        *out = s;
        return SW_OK;
    }
    return fail(l, n, "expected a date YYYY-MM-DD", v);
}

typedef int (*entry_fn)(loader *l, yaml_node_t *map, void *out);

/* Walks a list of maps, allocating one element of size `elem` per entry. */
static int map_list(loader *l, yaml_node_t *n, size_t elem, void **arr, size_t *count, entry_fn fn)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(l, n, "expected a list of entries", NULL);
    size_t total = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    char *mem = sw_arena_calloc(&l->c->arena, (total ? total : 1) * elem);
    if (!mem)
        return SW_ENOMEM;
    size_t k = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *e = node(l, *it);
        if (!e || e->type != YAML_MAPPING_NODE)
            return fail(l, e, "expected an entry with keys", NULL);
        int rc = fn(l, e, mem + k * elem);
        if (rc)
            return rc;
        k++;
    }
    *arr = mem;
    *count = k;
    return SW_OK;
}

/* Iterates a mapping's pairs with kn/vn naming each key and value node. */
#define FOR_PAIRS(l, map, kn, vn)                                                                  \
    for (yaml_node_pair_t *pr_ = (map)->data.mapping.pairs.start;                                  \
         pr_ < (map)->data.mapping.pairs.top; pr_++)                                               \
        for (yaml_node_t *kn = node(l, pr_->key), *vn = node(l, pr_->value); kn; kn = NULL)

static int key_is(yaml_node_t *k, const char *name)
{
    return k && k->type == YAML_SCALAR_NODE && strlen(name) == k->data.scalar.length &&
           !memcmp(k->data.scalar.value, name, k->data.scalar.length);
}

static int sender_rule(loader *l, yaml_node_t *map, void *out)
{
    sw_sender_rule *r = out;
    FOR_PAIRS(l, map, k, v)
    {
        if (key_is(k, "name"))
            r->name = scalar(l, v);
        else if (key_is(k, "from_domain"))
            r->from_domain = scalar(l, v);
        else if (key_is(k, "via"))
            r->via = scalar(l, v);
        else
            return fail(l, k, "unknown key (expected name, from_domain, via)", scalar(l, k));
    }
    if (!r->via)
        return fail(l, map, "entry needs \"via\": the domain it must authenticate as", NULL);
    return SW_OK;
}

static int exception_rule(loader *l, yaml_node_t *map, void *out)
{
    sw_exception *e = out;
    e->line = line_of(map);
    FOR_PAIRS(l, map, k, v)
    {
        int rc = 0;
        if (key_is(k, "id"))
            e->id = scalar(l, v);
        else if (key_is(k, "from_domain"))
            e->from_domain = scalar(l, v);
        else if (key_is(k, "from_address"))
            e->from_address = scalar(l, v);
        else if (key_is(k, "owner"))
            e->owner = scalar(l, v);
        else if (key_is(k, "reason"))
            e->reason = scalar(l, v);
        else if (key_is(k, "expires"))
            rc = parse_date(l, v, &e->expires);
        else
            return fail(l, k,
                        "unknown key (expected id, from_domain, from_address, owner, "
                        "reason, expires)",
                        scalar(l, k));
        if (rc)
            return rc;
    }
    if (!e->from_domain && !e->from_address)
        return fail(l, map, "exception needs from_domain or from_address", NULL);
    if (!e->owner || !e->reason)
        return fail(l, map, "exception needs an owner and a reason", e->id);
    if (!e->expires)
        return fail(l, map, "exception needs an expiry date (expires: YYYY-MM-DD)", e->id);
    if (e->expires < time(NULL))
        warn(l, map, "exception has expired and will not be applied", e->id);
    return SW_OK;
}

static int simulation_rule(loader *l, yaml_node_t *map, void *out)
{
    sw_simulation *s = out;
    FOR_PAIRS(l, map, k, v)
    {
        if (key_is(k, "name"))
            s->name = scalar(l, v);
        else if (key_is(k, "header"))
            s->header = scalar(l, v);
        else if (key_is(k, "return_path"))
            s->return_path = scalar(l, v);
        else
            return fail(l, k, "unknown key (expected name, header, return_path)", scalar(l, k));
    }
    if (!s->header && !s->return_path)
        return fail(l, map, "simulation needs a header or a return_path", s->name);
    if (!s->name)
        s->name = s->header ? s->header : s->return_path;
    return SW_OK;
}

static int weights(loader *l, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(l, n, "expected signal: weight pairs", NULL);
    size_t total = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    sw_config *c = l->c;
    c->weights = sw_arena_calloc(&c->arena, (total ? total : 1) * sizeof *c->weights);
    if (!c->weights)
        return SW_ENOMEM;
    FOR_PAIRS(l, n, k, v)
    {
        const char *id = scalar(l, k);
        if (!id || !sw_signal_known(id))
            return fail(l, k, "unknown signal (see docs/signals.md)", id);
        int w;
        int rc = parse_int(l, v, &w);
        if (rc)
            return rc;
        c->weights[c->nweights].signal = id;
        c->weights[c->nweights].weight = w;
        c->nweights++;
    }
    return SW_OK;
}

static int thresholds(loader *l, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(l, n, "expected suspicious: and spoofed:", NULL);
    FOR_PAIRS(l, n, k, v)
    {
        int rc;
        if (key_is(k, "suspicious"))
            rc = parse_int(l, v, &l->c->threshold_suspicious);
        else if (key_is(k, "spoofed"))
            rc = parse_int(l, v, &l->c->threshold_spoofed);
        else
            return fail(l, k, "unknown key (expected suspicious, spoofed)", scalar(l, k));
        if (rc)
            return rc;
    }
    if (l->c->threshold_suspicious <= 0 || l->c->threshold_spoofed < l->c->threshold_suspicious)
        return fail(l, n, "thresholds need 0 < suspicious <= spoofed", NULL);
    return SW_OK;
}

static int top_level(loader *l, yaml_node_t *root)
{
    sw_config *c = l->c;
    if (root->type != YAML_MAPPING_NODE)
        return fail(l, root, "the configuration must be a mapping of keys", NULL);
    FOR_PAIRS(l, root, k, v)
    {
        int rc;
        if (key_is(k, "protected_domains"))
            rc = string_list(l, v, &c->protected_domains, 1);
        else if (key_is(k, "vip_names"))
            rc = string_list(l, v, &c->vip_names, 0);
        else if (key_is(k, "brand_domains"))
            rc = string_list(l, v, &c->brand_domains, 1);
        else if (key_is(k, "freemail_domains"))
            rc = string_list(l, v, &c->freemail_domains, 1);
        else if (key_is(k, "trusted_authserv_ids"))
            rc = string_list(l, v, &c->trusted_authserv_ids, 1);
        else if (key_is(k, "trusted_arc_sealers"))
            rc = string_list(l, v, &c->trusted_arc_sealers, 1);
        else if (key_is(k, "forwarders"))
            rc = map_list(l, v, sizeof(sw_sender_rule), (void **)&c->forwarders, &c->nforwarders,
                          sender_rule);
        else if (key_is(k, "third_party_senders"))
            rc = map_list(l, v, sizeof(sw_sender_rule), (void **)&c->third_party, &c->nthird_party,
                          sender_rule);
        else if (key_is(k, "exceptions"))
            rc = map_list(l, v, sizeof(sw_exception), (void **)&c->exceptions, &c->nexceptions,
                          exception_rule);
        else if (key_is(k, "phishing_simulations"))
            rc = map_list(l, v, sizeof(sw_simulation), (void **)&c->simulations, &c->nsimulations,
                          simulation_rule);
        else if (key_is(k, "weights"))
            rc = weights(l, v);
        else if (key_is(k, "thresholds"))
            rc = thresholds(l, v);
        else if (key_is(k, "psl_file"))
            rc = (c->psl_file = scalar(l, v)) ? SW_OK : fail(l, v, "expected a path", NULL);
        else
            return fail(l, k, "unknown key", scalar(l, k));
        if (rc)
            return rc;
    }
    return SW_OK;
}

int sw_config_load(sw_config *c, const char *path, void (*warn_fn)(const char *, void *),
                   void *warn_ctx, sw_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sw_error_set(err, SW_EIO, "%s: cannot open", path);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return sw_error_set(err, SW_ENOMEM, "%s: YAML parser init failed", path);
    }
    yaml_parser_set_input_file(&parser, f);
    int rc = SW_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = sw_error_set(err, SW_EINVAL, "%s:%zu: %s", path, parser.problem_mark.line + 1,
                          parser.problem ? parser.problem : "YAML syntax error");
    } else {
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        loader l = {c, &doc, path, err, warn_fn, warn_ctx};
        if (root)
            rc = top_level(&l, root);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    if (rc == SW_OK)
        c->path = sw_arena_strndup(&c->arena, path, strlen(path));
    return rc;
}
