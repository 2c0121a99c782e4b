/* Navigation over the JSON trees of include/spoofwatch/jsonread.h (the parser side is
 * jsonread_simdjson.cpp). Lookups are linear: log records have a few dozen keys, and a
 * length check rejects most candidates before any byte is compared. */
#include "spoofwatch/jsonread.h"
#include "spoofwatch/copy.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const sw_jv *sw_jget_n(const sw_jv *obj, const char *key, size_t n)
{
    if (!obj || obj->type != SW_J_OBJECT || !key)
        return NULL;
    for (uint32_t i = 0; i < obj->len; i++) {
        const sw_jmember *m = &obj->u.members[i];
        if (m->keylen == n && m->key[0] == key[0] && sw_same_short(m->key, key, n))
            return &m->value;
    }
    return NULL;
}

/* Length and three bytes: column names of one table differ there almost always, and a
 * collision only costs a probe and a memcmp. */
static unsigned key_hash(const char *k, size_t n)
{
    if (!n)
        return 0;
    return (unsigned)n * 131u + (unsigned char)k[0] * 31u + (unsigned char)k[n / 2] * 7u +
           (unsigned char)k[n - 1];
}

static void keyset_build(sw_jkeyset *ks)
{
    memset(ks->slot, 0, sizeof ks->slot);
    for (size_t i = 0; i < ks->n && i < 255; i++) {
        ks->len[i] = (uint32_t)strlen(ks->keys[i]);
        unsigned h = key_hash(ks->keys[i], ks->len[i]);
        for (unsigned p = 0; p < sizeof ks->slot; p++) {
            unsigned char *s = &ks->slot[(h + p) % sizeof ks->slot];
            if (!*s) {
                *s = (unsigned char)(i + 1);
                break;
            }
        }
    }
    ks->built = 1;
}

/* key index + 1 of key[0..n) in the set, 0 when it is not one */
static unsigned keyset_find(const sw_jkeyset *ks, const char *key, uint32_t n)
{
    unsigned h = key_hash(key, n);
    /* probe until an empty slot: the table is at most half full */
    for (unsigned p = 0; p < sizeof ks->slot; p++) {
        unsigned char s = ks->slot[(h + p) % sizeof ks->slot];
        if (!s)
            return 0;
        if (ks->len[s - 1] == n && sw_same_short(ks->keys[s - 1], key, n))
            return s;
    }
    return 0;
}

void sw_jfields(const sw_jv *obj, sw_jkeyset *ks, const sw_jv **out)
{
    if (!ks->built)
        keyset_build(ks);
    for (size_t i = 0; i < ks->n; i++)
        out[i] = NULL;
    if (!obj || obj->type != SW_J_OBJECT)
        return;
    for (uint32_t i = 0; i < obj->len; i++) {
        const sw_jmember *m = &obj->u.members[i];
        unsigned k = i < sizeof ks->last ? ks->last[i] : 0;
        if (!k || ks->len[k - 1] != m->keylen ||
            !sw_same_short(ks->keys[k - 1], m->key, m->keylen)) {
            k = keyset_find(ks, m->key, m->keylen);
            if (i < sizeof ks->last)
                ks->last[i] = (unsigned char)k;
        }
        if (k && !out[k - 1])
            out[k - 1] = &m->value;
    }
}

const sw_jv *sw_jget_ci(const sw_jv *obj, const char *key)
{
    if (!obj || obj->type != SW_J_OBJECT || !key)
        return NULL;
    size_t n = strlen(key);
    for (uint32_t i = 0; i < obj->len; i++) {
        const sw_jmember *m = &obj->u.members[i];
        if (m->keylen == n && !strncasecmp(m->key, key, n))
            return &m->value;
    }
    return NULL;
}

const sw_jv *sw_jpath(const sw_jv *v, const char *path)
{
    char key[256];
    while (v && path && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        v = sw_jget(v, key);
        path = dot ? dot + 1 : NULL;
    }
    return v;
}

const sw_jv *sw_jindex(const sw_jv *arr, size_t i)
{
    if (!arr || arr->type != SW_J_ARRAY || i >= arr->len)
        return NULL;
    return &arr->u.items[i];
}


int sw_jint(const sw_jv *v, int64_t *out)
{
    if (!v)
        return -1;
    switch (v->type) {
    case SW_J_INT:
        *out = v->u.i;
        return 0;
    case SW_J_DOUBLE:
        if (!isfinite(v->u.d) || v->u.d != floor(v->u.d) || fabs(v->u.d) > 9.2e18)
            return -1;
        *out = (int64_t)v->u.d;
        return 0;
    case SW_J_STRING: {
        const char *s = v->u.s;
        if (!v->len || v->len > 20 || strlen(s) != v->len)
            return -1;
        char *end;
        errno = 0;
        long long x = strtoll(s, &end, 10);
        if (errno || *end || end == s)
            return -1;
        *out = x;
        return 0;
    }
    default:
        return -1;
    }
}

int sw_jbool(const sw_jv *v, int *out)
{
    if (!v)
        return -1;
    if (v->type == SW_J_BOOL) {
        *out = v->u.b;
        return 0;
    }
    if (v->type == SW_J_STRING) {
        if (!strcasecmp(v->u.s, "true")) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(v->u.s, "false")) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}
