/* DKIM key records (RFC 6376 §3.6.1, RFC 8463 §4) and the base64 they carry: see
 * include/spoofwatch/dkim.h.
 *
 * Input is one TXT record as published (untrusted, not NUL-terminated); decoded keys and
 * tag copies live in the caller's arena. Reasons are static strings. Whether the key
 * suits a given signature (k= against a=, h=, t=s, g=) is decided by dkim.c. */
#include "spoofwatch/dkim.h"
#include "spoofwatch/error.h"
#include "spoofwatch/tags.h"

#include <string.h>
#include <strings.h>


static int is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Each byte's base64 value (0..63), or SK for FWS (skipped), PD for '=', XX for anything
 * else. A table rather than sw_base64_value's range tests: every signature's b= (344
 * characters for a 2048-bit key) and bh= go through here, one lookup per character. */
enum { SK = 64, PD = 65, XX = 66 };
static const unsigned char b64_class[256] = {
    XX, XX, XX, XX, XX, XX, XX, XX, XX, SK, SK, XX, XX, SK, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    SK, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, 62, XX, XX, XX, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, XX, XX, XX, PD, XX, XX,
    XX,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, XX, XX, XX, XX, XX,
    XX, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
};

int sw_dkim_base64_decode(sw_arena *a, const char *s, size_t n, unsigned char **out,
                          size_t *out_len)
{
    unsigned char *o = sw_arena_alloc(a, n / 4 * 3 + 3);
    if (!o)
        return SW_ENOMEM;
    size_t k = 0, q = 0, pad = 0;
    uint32_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        /* four data characters in a row, before any padding: a whole quantum at once */
        if (q == 0 && !pad && i + 4 <= n) {
            const unsigned char *u = (const unsigned char *)s + i;
            unsigned v0 = b64_class[u[0]], v1 = b64_class[u[1]], v2 = b64_class[u[2]],
                     v3 = b64_class[u[3]];
            if ((v0 | v1 | v2 | v3) < 64) {
                uint32_t w = v0 << 18 | v1 << 12 | v2 << 6 | v3;
                o[k++] = (unsigned char)(w >> 16);
                o[k++] = (unsigned char)(w >> 8);
                o[k++] = (unsigned char)w;
                i += 3;
                continue;
            }
        }
        unsigned v = b64_class[(unsigned char)s[i]];
        if (v < 64 && !pad) { /* data before any padding: nearly every character */
            acc = (acc << 6) | v;
            if (++q == 4) {
                o[k++] = (unsigned char)(acc >> 16);
                o[k++] = (unsigned char)(acc >> 8);
                o[k++] = (unsigned char)acc;
                q = 0;
                acc = 0;
            }
            continue;
        }
        if (v == SK)
            continue;
        if (v != PD) /* not base64, or data after padding */
            return SW_EFORMAT;
        if (++pad > 2)
            return SW_EFORMAT;
        acc <<= 6;
        if (++q == 4) {
            o[k++] = (unsigned char)(acc >> 16);
            if (pad < 2)
                o[k++] = (unsigned char)(acc >> 8);
            q = 0;
            acc = 0;
            pad = 3; /* nothing may follow a padded quantum */
        }
    }
    if (q != 0)
        return SW_EFORMAT;
    *out = o;
    *out_len = k;
    return SW_OK;
}

/* Does the colon-separated list v (FWS allowed around items) contain item? */
static int list_has(const char *v, const char *item)
{
    size_t il = strlen(item);
    const char *p = v;
    while (*p) {
        while (*p && (is_fws(*p) || *p == ':'))
            p++;
        const char *b = p;
        while (*p && *p != ':')
            p++;
        const char *e = p;
        while (e > b && is_fws(e[-1]))
            e--;
        if ((size_t)(e - b) == il && !strncasecmp(b, item, il))
            return 1;
    }
    return 0;
}

int sw_dkim_key_parse(sw_arena *a, const char *txt, size_t n, sw_dkim_key *out,
                      const char **why)
{
    memset(out, 0, sizeof *out);
    *why = NULL;
    sw_taglist t;
    int rc = sw_taglist_parse(a, txt, n, &t);
    if (rc)
        return rc;
    if (t.flags & SW_TAG_SYNTAX) {
        *why = "key record syntax error";
        return SW_EFORMAT;
    }
    if (t.flags & SW_TAG_DUPLICATE) {
        *why = "key record has a duplicate tag";
        return SW_EFORMAT;
    }
    if (t.flags & SW_TAG_TRUNCATED) {
        *why = "key record has too many tags";
        return SW_EFORMAT;
    }
    const char *p = NULL;
    for (size_t k = 0; k < t.count; k++) {
        const char *nm = t.tags[k].name, *v = t.tags[k].value;
        if (!strcmp(nm, "v")) {
            /* RFC 6376 §3.6.1: v= is optional, but when present it is first and DKIM1 */
            if (k != 0) {
                *why = "key record v= is not the first tag";
                return SW_EFORMAT;
            }
            if (strcmp(v, "DKIM1")) {
                *why = "unsupported key record version v=";
                return SW_EFORMAT;
            }
        } else if (!strcmp(nm, "k")) {
            if (!strcmp(v, "rsa")) {
                out->ktype = SW_DKIM_K_RSA;
            } else if (!strcmp(v, "ed25519")) {
                out->ktype = SW_DKIM_K_ED25519;
            } else {
                *why = "unsupported key type k=";
                return SW_EFORMAT;
            }
        } else if (!strcmp(nm, "h")) {
            /* unknown algorithms are ignored (§3.6.1); none known leaves the set empty */
            out->has_h = 1;
            if (list_has(v, "sha1"))
                out->hashes |= SW_DKIM_HASH_SHA1;
            if (list_has(v, "sha256"))
                out->hashes |= SW_DKIM_HASH_SHA256;
        } else if (!strcmp(nm, "s")) {
            if (!list_has(v, "*") && !list_has(v, "email")) {
                *why = "key service type s= does not include email";
                return SW_EFORMAT;
            }
        } else if (!strcmp(nm, "t")) {
            if (list_has(v, "y"))
                out->flags |= SW_DKIM_KEY_TESTING;
            if (list_has(v, "s"))
                out->flags |= SW_DKIM_KEY_STRICT;
        } else if (!strcmp(nm, "g")) {
            out->g = v;
        } else if (!strcmp(nm, "p")) {
            p = v;
        }
    }
    if (!out->has_h)
        out->hashes = SW_DKIM_HASH_SHA1 | SW_DKIM_HASH_SHA256;
    if (!p) {
        *why = "key record has no p= tag";
        return SW_EFORMAT;
    }
    size_t pl = strlen(p);
    size_t nonws = 0;
    for (size_t k = 0; k < pl; k++)
        nonws += !is_fws(p[k]);
    if (nonws == 0) {
        out->revoked = 1;
        return SW_OK;
    }
    unsigned char *raw;
    size_t rawlen;
    rc = sw_dkim_base64_decode(a, p, pl, &raw, &rawlen);
    if (rc == SW_ENOMEM)
        return rc;
    if (rc) {
        *why = "key p= is not valid base64";
        return SW_EFORMAT;
    }
    if (out->ktype == SW_DKIM_K_ED25519 && rawlen != 32) {
        /* RFC 8463 §4: the raw 32-byte key, not an SPKI wrapping of it */
        *why = "Ed25519 key p= is not 32 bytes";
        return SW_EFORMAT;
    }
    out->p = raw;
    out->p_len = rawlen;
    return SW_OK;
}
