/* Organizational domains through libpsl: see include/spoofwatch/orgdomain.h. */
#include "spoofwatch/orgdomain.h"

#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void format_date(time_t t, char out[32])
{
    struct tm tm;
    if (t <= 0 || !gmtime_r(&t, &tm)) {
        out[0] = '\0';
        return;
    }
    strftime(out, 32, "%Y-%m-%d", &tm);
}

#define SW_ORG_CACHE_BYTES (4u << 20)
#define SW_PS_CACHE_BYTES (2u << 20)

int sw_orgdomain_open(sw_orgdomain_ctx *c, const char *psl_file, sw_error *err)
{
    memset(c, 0, sizeof *c);
    sw_arena_init(&c->cache_arena, SW_ORG_CACHE_BYTES + (1u << 20));
    sw_arena_init(&c->ps_arena, SW_PS_CACHE_BYTES + (1u << 20));
    c->slots = calloc(SW_ORG_CACHE_SLOTS, sizeof *c->slots);
    c->ps_slots = calloc(SW_PS_CACHE_SLOTS, sizeof *c->ps_slots);
    if (!c->slots || !c->ps_slots) {
        sw_orgdomain_close(c);
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    }
    if (psl_file) {
        c->psl = psl_load_file(psl_file);
        if (!c->psl) {
            /* nothing else owns the caches yet: an unloadable list must not leak them */
            sw_orgdomain_close(c);
            return sw_error_set(err, SW_EIO, "%s: cannot load the Public Suffix List", psl_file);
        }
        c->owned = 1;
        snprintf(c->source, sizeof c->source, "%s", psl_file);
        struct stat st;
        if (stat(psl_file, &st) == 0)
            format_date(st.st_mtime, c->list_date);
        return SW_OK;
    }
    /* psl_latest() picks the newer of the built-in list and the distribution's file. */
    const char *dist = psl_dist_filename();
    struct stat st;
    time_t builtin = psl_builtin_file_time();
    if (dist && *dist && stat(dist, &st) == 0 && st.st_mtime > builtin) {
        c->psl = psl_latest(NULL);
        c->owned = c->psl != psl_builtin();
        snprintf(c->source, sizeof c->source, "%s", c->owned ? dist : "builtin");
        format_date(c->owned ? st.st_mtime : builtin, c->list_date);
    } else {
        c->psl = (void *)psl_builtin();
        snprintf(c->source, sizeof c->source, "builtin");
        format_date(builtin, c->list_date);
    }
    if (!c->psl)
        return sw_error_set(err, SW_EIO, "no Public Suffix List available");
    return SW_OK;
}

void sw_orgdomain_close(sw_orgdomain_ctx *c)
{
    if (c->owned && c->psl)
        psl_free(c->psl);
    c->psl = NULL;
    free(c->slots);
    c->slots = NULL;
    sw_arena_free(&c->cache_arena);
    free(c->ps_slots);
    c->ps_slots = NULL;
    sw_arena_free(&c->ps_arena);
}

/* Hash of s[0..n), the key of both caches, eight bytes at a time (FNV-1a's byte loop was
 * most of a cache hit's cost). Both caches are keyed by exact text: sw_orgdomain lower-cases
 * a name before either sees it. *upper gains whether s holds an ASCII capital. */
static inline __attribute__((always_inline)) uint32_t text_hash(const char *s, size_t n,
                                                                  int *upper)
{
    const uint64_t ones = 0x0101010101010101u;
    uint64_t h = n * 0x9e3779b97f4a7c15u, caps = 0;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w = 0; /* the last word's missing bytes are 0, not a capital */
        if (n - i >= 8) {
            memcpy(&w, s + i, 8);
        } else if (n >= 8) {
            /* the last 8 bytes of s, cut to the n - i not yet hashed: the word the short
             * copy makes, without a copy of variable length */
            memcpy(&w, s + n - 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            w >>= 8 * (8 - (n - i));
#else
            w &= (1ull << 8 * (n - i)) - 1; /* the last bytes are the low-order ones */
#endif
        } else {
            memcpy(&w, s + i, n - i);
        }
        /* bytes between 'A' - 1 and 'Z' + 1, exclusive (bit hacks' hasbetween: no carry
         * crosses a byte, so it is exact) */
        uint64_t low7 = w & ones * 127;
        caps |=
            (ones * (127 + 'Z' + 1) - low7) & ~w & (low7 + ones * (127 - ('A' - 1))) & ones * 128;
        h = (h ^ w) * 0x9e3779b97f4a7c15u;
        h ^= h >> 29;
    }
    *upper |= caps != 0;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return (uint32_t)h;
}

/* libpsl's answer to psl_is_public_suffix(tail), asked once per distinct text. */
static int public_suffix(sw_orgdomain_ctx *c, const char *tail)
{
    size_t n = strlen(tail);
    int upper_unused = 0;
    uint32_t h = text_hash(tail, n, &upper_unused);
    size_t mask = SW_PS_CACHE_SLOTS - 1, i = h & mask;
    for (; c->ps_slots[i].text; i = (i + 1) & mask) {
        const struct sw_ps_slot *e = &c->ps_slots[i];
        if (e->hash == h && e->len == n && !memcmp(e->text, tail, n))
            return e->public_suffix;
    }
    int answer = psl_is_public_suffix(c->psl, tail);
    if (c->ps_used >= SW_PS_CACHE_SLOTS / 4 * 3 || c->ps_arena.used_total > SW_PS_CACHE_BYTES) {
        memset(c->ps_slots, 0, SW_PS_CACHE_SLOTS * sizeof *c->ps_slots);
        sw_arena_reset(&c->ps_arena);
        c->ps_used = 0;
        for (i = h & mask; c->ps_slots[i].text; i = (i + 1) & mask)
            ;
    }
    const char *text = sw_arena_strndup(&c->ps_arena, tail, n);
    if (text) {
        c->ps_slots[i] = (struct sw_ps_slot){text, h, (uint32_t)n, answer};
        c->ps_used++;
    }
    return answer;
}

/* psl_registrable_domain's walk, left to right so that a rule below a gap in the list
 * ("forgot.his.name" beside "name", with no "his.name") is found: the tail before the first
 * public suffix is the registrable domain. Each question goes through the cache above. */
static const char *registrable(sw_orgdomain_ctx *c, const char *domain, size_t n)
{
    /* no name is longer than 253 bytes: anything else is asked of libpsl as it is */
    if (!c->ps_slots || *domain == '.' || n > 253)
        return psl_registrable_domain(c->psl, domain);
    const char *regdom = NULL, *dot;
    while (!public_suffix(c, domain) && (dot = strchr(domain, '.'))) {
        regdom = domain;
        domain = dot + 1;
    }
    return regdom;
}

static const char *lookup(sw_orgdomain_ctx *c, const char *domain, size_t n)
{
    const char *r = c->psl ? registrable(c, domain, n) : NULL;
    return r ? r : domain; /* r points into domain: no copy needed */
}

const char *sw_orgdomain(sw_orgdomain_ctx *c, sw_arena *a, const char *domain)
{
    if (!domain || !*domain)
        return domain;
    return sw_orgdomain_n(c, a, domain, strlen(domain));
}

const char *sw_orgdomain_n(sw_orgdomain_ctx *c, sw_arena *a, const char *domain, size_t n)
{
    if (!domain || !n)
        return domain;
    /* A trailing root dot names the same domain, and so does any mix of ASCII case
     * (RFC 4343); libpsl and both caches match byte for byte, so a name with capitals is
     * asked in lower case: its answer then never depends on how it was spelt, or on which
     * spelling was asked first. */
    int upper = 0;
    uint32_t h = text_hash(domain, n, &upper);
    if (domain[n - 1] == '.' || upper) {
        if (domain[n - 1] == '.')
            n--;
        domain = sw_arena_strndup_lower(a, domain, n);
        if (!domain)
            return NULL;
        h = text_hash(domain, n, &upper);
    }
    if (!c->slots || n > 253)
        return lookup(c, domain, n);
    /* The answer is a tail of the name (libpsl's and registrable()'s both point into it):
     * a slot keeps where it starts, and a hit points into the caller's name, uncopied. */
    uint32_t slot = h % SW_ORG_CACHE_SLOTS;
    if (c->slots[slot].domain && !strcmp(c->slots[slot].domain, domain))
        return domain + (c->slots[slot].org - c->slots[slot].domain);
    const char *org = lookup(c, domain, n);
    if (org < domain || org > domain + n)
        return org; /* not a tail: not cached */
    if (c->cache_arena.used_total > SW_ORG_CACHE_BYTES) {
        memset(c->slots, 0, SW_ORG_CACHE_SLOTS * sizeof *c->slots);
        sw_arena_reset(&c->cache_arena);
    }
    char *kd = sw_arena_strndup(&c->cache_arena, domain, n);
    if (kd) {
        c->slots[slot].domain = kd;
        c->slots[slot].org = kd + (org - domain);
    }
    return org;
}
