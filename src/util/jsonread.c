/* Navigation over the JSON trees of include/spoofwatch/jsonread.h (the parser side is
 * jsonread_simdjson.cpp). Lookups are linear: log records have a few dozen keys, and a
 * length check rejects most candidates before any byte is compared. */
#include "spoofwatch/jsonread.h"

#include <errno.h>
#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__SSE2__)
static inline int block_differs(const char *a, const char *b)
{
    __m128i x = _mm_loadu_si128((const __m128i *)a), y = _mm_loadu_si128((const __m128i *)b);
    return _mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) != 0xffff;
}
#endif

/* a[0..n) == b[0..n) without a call: keys are a few dozen bytes, and a memcmp call per
 * member of every row was a tenth of sw_jfields (and of sw_jget). Loads stay inside both keys (the last
 * word overlaps the one before it). */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
#if defined(__SSE2__)
    /* column names are mostly 16 to 32 bytes ("RecipientEmailAddress"): two blocks */
    if (n >= 16) {
        for (size_t i = 0; i + 16 < n; i += 16)
            if (block_differs(a + i, b + i))
                return 0;
        return !block_differs(a + n - 16, b + n - 16);
    }
#endif
    uint64_t x, y;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y)
                return 0;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    uint32_t u, v;
    if (n >= 4) {
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        if (u != v)
            return 0;
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return u == v;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

const sw_jv *sw_jget_n(const sw_jv *obj, const char *key, size_t n)
{
    if (!obj || obj->type != SW_J_OBJECT || !key)
        return NULL;
    for (uint32_t i = 0; i < obj->len; i++) {
        const sw_jmember *m = &obj->u.members[i];
        if (m->keylen == n && m->key[0] == key[0] && same_bytes(m->key, key, n))
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
        if (ks->len[s - 1] == n && same_bytes(ks->keys[s - 1], key, n))
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
        if (!k || ks->len[k - 1] != m->keylen || !same_bytes(ks->keys[k - 1], m->key, m->keylen)) {
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
