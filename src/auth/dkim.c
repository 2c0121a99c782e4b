/* DKIM verification: see include/spoofwatch/dkim.h.
 *
 * One sw_dkim_verify() call owns a small context on the heap: the body hashes computed
 * so far (one per body canonicalization, hash and l=, shared by every signature that
 * asks; the caller's set when opts.bodyhashes lends one, so that ARC finds them too) and
 * the keys fetched so far for this message (one DNS query and one parse per selector).
 * Fetching a key and keeping it across messages is dkim_keycache.c's job
 * (dkim_internal.h); the record syntax is dkimkey.c's. Here: the signature's tags, the
 * key's fitness for it, the body and header hashes and the RSA or Ed25519 check; the
 * key table, the body-hash set, the digest callback, base64 and the RSA check serve ARC
 * too (dkim_internal.h). OpenSSL keys and digest contexts are released before returning (the
 * cache's digest context goes back to the cache); everything handed back lives in the
 * caller's arena. Checks follow RFC 6376 §6.1 in order, so the reason names the first
 * thing that is wrong. */
#include "spoofwatch/dkim.h"
#include "spoofwatch/hex.h"
#include "spoofwatch/error.h"
#include "spoofwatch/limits.h"
#include "dkim_internal.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *sw_dkim_result_name(sw_dkim_result r)
{
    switch (r) {
    case SW_DKIM_NONE: return "none";
    case SW_DKIM_PASS: return "pass";
    case SW_DKIM_FAIL: return "fail";
    case SW_DKIM_POLICY: return "policy";
    case SW_DKIM_NEUTRAL: return "neutral";
    case SW_DKIM_TEMPERROR: return "temperror";
    case SW_DKIM_PERMERROR: return "permerror";
    }
    return "none";
}

void sw_dkim_opts_default(sw_dkim_opts *o)
{
    memset(o, 0, sizeof *o);
    o->skew = 300;
    o->policy = SW_DKIM_POLICY_DEFAULT;
    o->max_sigs = SW_MAX_DKIM_SIGS;
}

/* Best first: the summary is the most favourable signature (RFC 6376 §6.1: each
 * signature is independent; one pass is enough). */
static int rank(sw_dkim_result r)
{
    switch (r) {
    case SW_DKIM_PASS: return 6;
    case SW_DKIM_POLICY: return 5;
    case SW_DKIM_FAIL: return 4;
    case SW_DKIM_TEMPERROR: return 3;
    case SW_DKIM_PERMERROR: return 2;
    case SW_DKIM_NEUTRAL: return 1;
    case SW_DKIM_NONE: return 0;
    }
    return 0;
}

typedef enum { ALG_RSA_SHA1, ALG_RSA_SHA256, ALG_ED25519_SHA256 } alg_t;

typedef sw_dkim_fetched keyent; /* a message's keys, one per distinct key name */

typedef struct vctx {
    sw_arena *a;
    const sw_header_block *h;
    sw_resolver *r;
    int64_t now;
    sw_dkim_opts o;
    const char *body;
    size_t body_len;
    sw_dkim_bodyhashes *bh; /* the caller's (opts.bodyhashes) or own_bh */
    sw_dkim_bodyhashes own_bh;
    keyent keys[SW_MAX_DKIM_SIGS];
    size_t nkeys;
    const EVP_MD *md[2]; /* SHA-1, SHA-256 */
    EVP_MD_CTX *mdctx;   /* the digest context every hash reuses (the key cache's, or owned) */
} vctx;

void sw_dkim_md_write(void *ctx, const void *p, size_t n)
{
    EVP_DigestUpdate((EVP_MD_CTX *)ctx, p, n);
}

/* A digest context started for t. One context serves every body and header hash in turn
 * (none overlaps another), kept with the key cache across messages when there is one:
 * allocating and freeing one per hash, with its provider state, cost more than the
 * bookkeeping of the hash itself. NULL when it cannot be made. */
static EVP_MD_CTX *digest_begin(vctx *c, const EVP_MD *t)
{
    if (!c->mdctx && !(c->mdctx = EVP_MD_CTX_new()))
        return NULL;
    return EVP_DigestInit_ex(c->mdctx, t, NULL) ? c->mdctx : NULL;
}

/* ---- body hashes (sw_dkim_bodyhashes: one set per message, shared with ARC) ---- */

sw_dkim_bodyhashes *sw_dkim_bodyhashes_new(sw_arena *a)
{
    sw_dkim_bodyhashes *bh = sw_arena_alloc(a, sizeof *bh);
    if (bh)
        sw_dkim_bodyhashes_init(bh);
    return bh;
}

void sw_dkim_bodyhashes_init(sw_dkim_bodyhashes *bh)
{
    bh->body = NULL;
    bh->body_len = 0;
    bh->n = 0;
    bh->computed = 0;
}

size_t sw_dkim_bodyhashes_computed(const sw_dkim_bodyhashes *bh)
{
    return bh->computed;
}

inline __attribute__((always_inline)) const sw_dkim_bodyhash *
sw_dkim_body_hash(sw_dkim_bodyhashes *bh, const char *body, size_t len, sw_canon_mode m,
                  int sha256, int has_l, uint64_t l, EVP_MD_CTX **mdctx, const EVP_MD *t)
{
    if (bh->body != body || bh->body_len != len) {
        /* another message's body (or the first use): nothing here describes it */
        bh->body = body;
        bh->body_len = len;
        bh->n = 0;
    }
    for (size_t k = 0; k < bh->n; k++) {
        const sw_dkim_bodyhash *b = &bh->e[k];
        if (b->mode == m && b->sha256 == sha256 && b->has_l == has_l && (!has_l || b->l == l))
            return b;
    }
    if (!*mdctx && !(*mdctx = EVP_MD_CTX_new()))
        return NULL;
    if (!EVP_DigestInit_ex(*mdctx, t, NULL))
        return NULL;
    /* Full (hostile l= values): recompute into the last slot; callers use a hash at once. */
    size_t slot = bh->n < BODYHASH_SLOTS ? bh->n : BODYHASH_SLOTS - 1;
    sw_dkim_bodyhash *b = &bh->e[slot];
    b->mode = m;
    b->sha256 = sha256;
    b->has_l = has_l;
    b->l = l;
    b->total = sw_canon_body(m, body, len, has_l ? l : UINT64_MAX, sw_dkim_md_write, *mdctx);
    bh->computed++;
    if (!EVP_DigestFinal_ex(*mdctx, b->dig, &b->dlen)) {
        bh->n = slot; /* not a usable entry */
        return NULL;
    }
    if (slot == bh->n)
        bh->n++;
    return b;
}

/* s= and d= become a DNS name: letters, digits, '-', '_' and dots, no empty label. */
int sw_dkim_dns_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    size_t label = 0;
    for (size_t k = 0; k < n; k++) {
        char ch = s[k];
        if (ch == '.') {
            if (label == 0)
                return 0;
            label = 0;
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return 0;
        if (++label > 63)
            return 0;
    }
    return 1;
}

/* dkim-quoted-printable (RFC 6376 §2.11): =XX escapes, FWS dropped. NULL on a bad escape
 * or a full arena (*oom tells which). */
static char *qp_decode(sw_arena *a, const char *s, int *oom)
{
    size_t n = strlen(s);
    char *o = sw_arena_alloc(a, n + 1);
    *oom = !o;
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        if (ch == '=') {
            if (i + 2 >= n)
                return NULL;
            int hi = sw_hex_value((unsigned char)s[i + 1]),
                lo = hi < 0 ? -1 : sw_hex_value((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            o[k++] = (char)(hi * 16 + lo);
            i += 2;
            continue;
        }
        o[k++] = ch;
    }
    o[k] = '\0';
    return o;
}

/* Is dom equal to d or a subdomain of it (ASCII case-insensitive)? */
static int in_domain(const char *dom, const char *d)
{
    size_t a = strlen(dom), b = strlen(d);
    if (a == b)
        return !strcasecmp(dom, d);
    return a > b && dom[a - b - 1] == '.' && !strcasecmp(dom + a - b, d);
}

/* RFC 4871 §3.6.1 g=: the local-part of i= against a pattern with at most one '*';
 * an empty g= matches nothing. */
static int granularity_ok(const char *g, const char *local, size_t ln)
{
    const char *star = strchr(g, '*');
    size_t gl = strlen(g);
    if (gl == 0)
        return 0;
    if (!star)
        return gl == ln && !memcmp(g, local, ln);
    size_t pre = (size_t)(star - g), suf = gl - pre - 1;
    if (pre + suf > ln)
        return 0;
    return !memcmp(g, local, pre) && !memcmp(star + 1, local + ln - suf, suf);
}

/* The colon-separated list of h= into names (FWS trimmed, empty items dropped).
 * SW_ELIMIT when it has more than SW_MAX_DKIM_HNAMES items. */
int sw_dkim_split_h(sw_arena *a, const char *h, const char ***out, size_t *n)
{
    size_t cap = 1;
    for (const char *p = h; *p; p++)
        cap += *p == ':';
    if (cap > SW_MAX_DKIM_HNAMES)
        return SW_ELIMIT;
    const char **v = sw_arena_alloc(a, cap * sizeof *v);
    if (!v)
        return SW_ENOMEM;
    size_t k = 0;
    const char *p = h;
    while (*p && k < cap) {
        const char *e = strchr(p, ':');
        if (!e)
            e = p + strlen(p);
        const char *b = p, *f = e;
        while (b < f && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n'))
            b++;
        while (f > b && (f[-1] == ' ' || f[-1] == '\t' || f[-1] == '\r' || f[-1] == '\n'))
            f--;
        if (f > b) {
            v[k] = sw_arena_strndup(a, b, (size_t)(f - b));
            if (!v[k])
                return SW_ENOMEM;
            k++;
        }
        p = *e ? e + 1 : e;
    }
    *out = v;
    *n = k;
    return SW_OK;
}

inline __attribute__((always_inline)) sw_dkim_fetched *
sw_dkim_key_get(sw_arena *a, sw_resolver *r, sw_dkim_keycache *kc, sw_dkim_fetched *keys,
                size_t *nkeys, size_t cap, const char *s, const char *d, int *oom)
{
    *oom = 0;
    char *name = sw_dkim_key_name(a, s, d);
    if (!name) {
        *oom = 1;
        return NULL;
    }
    for (size_t k = 0; k < *nkeys; k++)
        if (!strcmp(keys[k].name, name))
            return &keys[k];
    if (*nkeys == cap)
        return NULL;
    sw_dkim_fetched *ke = &keys[*nkeys];
    if (sw_dkim_key_fetch(a, r, kc, name, ke)) {
        *oom = 1;
        return NULL;
    }
    ++*nkeys;
    return ke;
}

static sw_dkim_result set(sw_dkim_sigresult *sr, sw_dkim_result r, const char *reason)
{
    sr->result = r;
    sr->reason = reason ? reason : "out of memory while explaining";
    return r;
}

/* The h= names as header lookup keys, with how many fields of each name the message has
 * and how many times the name came earlier in h=: the header hash and the unsigned-instance
 * count both need them, and a key's length and hash make the name comparisons cheap. */
typedef struct hname {
    sw_header_key key;
    size_t have;   /* fields with this name */
    size_t before; /* earlier h= items with this name */
} hname;

static int same_name(const sw_header_key *x, const sw_header_key *y)
{
    return x->hash == y->hash && x->len == y->len && !strcasecmp(x->name, y->name);
}

static hname *index_names(vctx *c, const char **names, size_t nn)
{
    hname *v = sw_arena_alloc(c->a, (nn ? nn : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t k = 0; k < nn; k++) {
        v[k].key = sw_header_key_of(names[k]);
        v[k].before = 0;
        v[k].have = (size_t)-1;
        for (size_t j = 0; j < k; j++)
            if (same_name(&v[j].key, &v[k].key)) {
                v[k].before++;
                v[k].have = v[j].have;
            }
        if (v[k].have == (size_t)-1)
            v[k].have = sw_header_count_key(c->h, &v[k].key);
    }
    return v;
}

/* The header hash: h= fields from the bottom up, then this signature without b=. */
static int header_hash(vctx *c, const sw_dkim_sigresult *sr, const hname *hn, size_t nn,
                       const EVP_MD *mdt, unsigned char *dig, unsigned *dlen)
{
    EVP_MD_CTX *md = digest_begin(c, mdt);
    if (!md)
        return SW_ENOMEM;
    for (size_t k = 0; k < nn; k++) {
        size_t used = hn[k].before, have = hn[k].have;
        if (used >= have)
            continue; /* over-signed: an absent instance adds nothing (§5.4.2) */
        long fi = sw_header_find_key(c->h, &hn[k].key, have - 1 - used);
        if (fi < 0)
            continue;
        const sw_header_field *f = &c->h->fields[fi];
        sw_canon_header(sr->hcanon, f->raw, f->raw_len, 1, sw_dkim_md_write, md);
    }
    const sw_header_field *self = &c->h->fields[sr->field_index];
    const char *stripped;
    size_t sl;
    if (sw_canon_strip_b(c->a, self->raw, self->raw_len, &stripped, &sl))
        return SW_ENOMEM;
    sw_canon_header(sr->hcanon, stripped, sl, 0, sw_dkim_md_write, md);
    return EVP_DigestFinal_ex(md, dig, dlen) ? SW_OK : SW_ENOMEM;
}

inline __attribute__((always_inline)) const char *
sw_dkim_b64(sw_arena *a, const unsigned char *p, size_t n)
{
    char *o = sw_arena_alloc(a, 4 * ((n + 2) / 3) + 1);
    if (o)
        EVP_EncodeBlock((unsigned char *)o, p, (int)n);
    return o;
}

static EVP_PKEY_CTX *verify_ctx(EVP_PKEY *pk, const EVP_MD *mdt)
{
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pk, NULL);
    if (pc && EVP_PKEY_verify_init(pc) > 0 &&
        EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) > 0 &&
        EVP_PKEY_CTX_set_signature_md(pc, mdt) > 0)
        return pc;
    EVP_PKEY_CTX_free(pc);
    return NULL;
}

/* The reason tells a wrong key or mangled b= (the signature does not even decrypt) from
 * altered headers (it decrypts to another hash). */
inline __attribute__((always_inline)) int
sw_dkim_rsa_verify(sw_arena *a, EVP_PKEY *pk, const EVP_MD *mdt, EVP_PKEY_CTX **keep,
                   const unsigned char *sig, size_t siglen, const unsigned char *dig,
                   unsigned dlen, const char **why)
{
    EVP_PKEY_CTX *pc = keep && *keep ? *keep : verify_ctx(pk, mdt);
    /* a one-shot verify leaves the context as verify_init set it up, so it is reused */
    int ok = pc && EVP_PKEY_verify(pc, sig, siglen, dig, dlen) == 1;
    if (keep)
        *keep = pc;
    else
        EVP_PKEY_CTX_free(pc);
    if (ok) {
        ERR_clear_error();
        return 1;
    }
    ERR_clear_error();
    if (!why)
        return 0;
    /* Does b= decrypt to a PKCS#1 DigestInfo at all? */
    int decrypts = 0;
    pc = EVP_PKEY_CTX_new(pk, NULL);
    unsigned char buf[1024];
    size_t outlen = sizeof buf;
    if (pc && EVP_PKEY_verify_recover_init(pc) > 0 &&
        EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) > 0 &&
        EVP_PKEY_CTX_set_signature_md(pc, mdt) > 0 && siglen <= sizeof buf)
        decrypts = EVP_PKEY_verify_recover(pc, buf, &outlen, sig, siglen) > 0;
    unsigned long e = ERR_get_error();
    EVP_PKEY_CTX_free(pc);
    ERR_clear_error();
    if (decrypts) {
        *why = "message has been altered: the header signature does not match the signed "
               "headers";
    } else {
        char eb[200] = "";
        if (e)
            ERR_error_string_n(e, eb, sizeof eb);
        *why = sw_arena_printf(a, "RSA verification failed: b= does not decrypt under the "
                                  "public key (OpenSSL: %s)",
                               e ? eb : "no error detail");
    }
    return 0;
}

static int verify_one(vctx *c, size_t fi, sw_dkim_sigresult *sr)
{
    sw_arena *a = c->a;
    memset(sr, 0, sizeof *sr);
    sr->field_index = fi;
    int rc = sw_dkim_sig_parse(a, &c->h->fields[fi], fi, &sr->sig);
    if (rc)
        return rc;
    const sw_dkim_sig *s = &sr->sig;
    sr->bh_expected = s->bh;

    /* ---- the signature itself (§6.1.1) ---- */
    if (s->tags.flags & SW_TAG_DUPLICATE)
        return set(sr, SW_DKIM_NEUTRAL, "signature has a duplicate tag"), 0;
    if (s->tags.flags & (SW_TAG_SYNTAX | SW_TAG_TRUNCATED))
        return set(sr, SW_DKIM_NEUTRAL, "signature tag-list syntax error"), 0;
    if (!s->v) {
        if (!(c->o.legacy & SW_DKIM_LEGACY_DRAFTS))
            return set(sr, SW_DKIM_NEUTRAL, "signature has no v= tag"), 0;
        sr->flags |= SW_DKIM_F_PRESTANDARD;
    } else if (strcmp(s->v, "1")) {
        if (!(c->o.legacy & SW_DKIM_LEGACY_DRAFTS) || strcmp(s->v, "0.5"))
            return set(sr, SW_DKIM_NEUTRAL,
                       sw_arena_printf(a, "unsupported signature version v=%s", s->v)),
                   0;
        sr->flags |= SW_DKIM_F_PRESTANDARD;
    }
    static const char *const req[] = {"a", "b", "bh", "d", "h", "s"};
    const char *vals[] = {s->a, s->b, s->bh, s->d, s->h, s->s};
    for (size_t k = 0; k < 6; k++)
        if (!vals[k] || !*vals[k])
            return set(sr, SW_DKIM_NEUTRAL,
                       sw_arena_printf(a, "signature lacks the required %s= tag", req[k])),
                   0;
    alg_t alg;
    if (!strcmp(s->a, "rsa-sha256"))
        alg = ALG_RSA_SHA256;
    else if (!strcmp(s->a, "rsa-sha1"))
        alg = ALG_RSA_SHA1;
    else if (!strcmp(s->a, "ed25519-sha256"))
        alg = ALG_ED25519_SHA256;
    else
        return set(sr, SW_DKIM_NEUTRAL, sw_arena_printf(a, "unsupported algorithm a=%s", s->a)),
               0;
    if (sw_canon_parse(s->c, &sr->hcanon, &sr->bcanon))
        return set(sr, SW_DKIM_NEUTRAL,
                   sw_arena_printf(a, "unsupported canonicalization c=%s", s->c)),
               0;
    if (s->q) {
        /* q= is a colon-separated list; dns/txt must be in it ("dns" in drafts) */
        int ok = 0;
        const char *p = s->q;
        while (*p && !ok) {
            const char *e = strchr(p, ':');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if ((n == 7 && !strncmp(p, "dns/txt", 7)) ||
                ((c->o.legacy & SW_DKIM_LEGACY_DRAFTS) && n == 3 && !strncmp(p, "dns", 3)))
                ok = 1;
            p = e ? e + 1 : p + n;
        }
        if (!ok)
            return set(sr, SW_DKIM_NEUTRAL,
                       sw_arena_printf(a, "unsupported query method q=%s", s->q)),
                   0;
    }
    if (!sw_dkim_dns_name_ok(s->d) || !sw_dkim_dns_name_ok(s->s))
        return set(sr, SW_DKIM_NEUTRAL, "d= or s= is not a domain name"), 0;
    const char **names;
    size_t nn;
    rc = sw_dkim_split_h(a, s->h, &names, &nn);
    if (rc == SW_ELIMIT)
        return set(sr, SW_DKIM_NEUTRAL, "h= lists more header names than spoofwatch verifies"),
               0;
    if (rc)
        return rc;
    int has_from = 0;
    for (size_t k = 0; k < nn; k++)
        has_from |= !strcasecmp(names[k], "from");
    if (!has_from)
        return set(sr, SW_DKIM_PERMERROR, "h= does not sign the From header"), 0;
    if (s->i) {
        int oom;
        char *auid = qp_decode(a, s->i, &oom);
        if (oom)
            return SW_ENOMEM;
        const char *at = auid ? strrchr(auid, '@') : NULL;
        if (!at)
            return set(sr, SW_DKIM_NEUTRAL, "i= is not an identity (local@domain)"), 0;
        if (!in_domain(at + 1, s->d))
            return set(sr, SW_DKIM_PERMERROR,
                       sw_arena_printf(a, "i= domain %s is not d=%s or a subdomain of it",
                                       at + 1, s->d)),
                   0;
        sr->auid = auid;
    } else {
        sr->auid = sw_arena_printf(a, "@%s", s->d);
        if (!sr->auid)
            return SW_ENOMEM;
    }
    const char *lraw = sw_taglist_get(&s->tags, "l");
    const char *traw = sw_taglist_get(&s->tags, "t");
    const char *xraw = sw_taglist_get(&s->tags, "x");
    if ((lraw && !s->has_l) || (traw && !s->has_t) || (xraw && !s->has_x))
        return set(sr, SW_DKIM_NEUTRAL, "l=, t= or x= is not a decimal number"), 0;
    if (s->has_t && s->has_x && s->x < s->t)
        return set(sr, SW_DKIM_NEUTRAL, "x= is earlier than t="), 0;
    if (s->has_x && c->now > s->x + c->o.skew)
        return set(sr, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "signature expired (x=%lld, now %lld)", (long long)s->x,
                                   (long long)c->now)),
               0;
    if (s->has_t && s->t > c->now + c->o.skew)
        return set(sr, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "signature timestamp t=%lld is in the future (now %lld)",
                                   (long long)s->t, (long long)c->now)),
               0;
    unsigned char *bh_raw, *b_raw;
    size_t bh_len, b_len;
    rc = sw_dkim_base64_decode(a, s->bh, strlen(s->bh), &bh_raw, &bh_len);
    if (rc == SW_ENOMEM)
        return rc;
    if (rc)
        return set(sr, SW_DKIM_NEUTRAL, "bh= is not base64"), 0;
    rc = sw_dkim_base64_decode(a, s->b, strlen(s->b), &b_raw, &b_len);
    if (rc == SW_ENOMEM)
        return rc;
    if (rc)
        return set(sr, SW_DKIM_NEUTRAL, "b= is not base64"), 0;

    /* ---- the key (§6.1.2) ---- */
    int oom;
    keyent *ke = sw_dkim_key_get(a, c->r, c->o.keys, c->keys, &c->nkeys, SW_MAX_DKIM_SIGS, s->s,
                                 s->d, &oom);
    if (oom)
        return SW_ENOMEM;
    if (!ke)
        return set(sr, SW_DKIM_TEMPERROR, "public key: too many keys in one message"), 0;
    sr->key_name = ke->name;
    sr->key_record = ke->record;
    switch (ke->status) {
    case SW_DNS_OK: break;
    case SW_DNS_NXDOMAIN:
        return set(sr, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key not found: %s NXDOMAIN", ke->name)),
               0;
    case SW_DNS_NODATA:
        return set(sr, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key not found: %s has no TXT record", ke->name)),
               0;
    case SW_DNS_TEMPFAIL:
        return set(sr, SW_DKIM_TEMPERROR,
                   sw_arena_printf(a, "public key unavailable: DNS query for %s timed out or "
                                      "failed (SERVFAIL)",
                                   ke->name)),
               0;
    case SW_DNS_DENIED:
        return set(sr, SW_DKIM_TEMPERROR,
                   sw_arena_printf(a, "public key unavailable: DNS query for %s denied",
                                   ke->name)),
               0;
    }
    if (!ke->parsed)
        return set(sr, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key unusable: %s", ke->why)),
               0;
    const sw_dkim_key *k = &ke->key;
    sr->key_type = k->ktype == SW_DKIM_K_ED25519 ? "ed25519" : "rsa";
    sr->key_flags = k->flags;
    if (k->revoked)
        return set(sr, SW_DKIM_PERMERROR, "public key revoked (empty p=)"), 0;
    int want_ed = alg == ALG_ED25519_SHA256;
    if (want_ed != (k->ktype == SW_DKIM_K_ED25519))
        return set(sr, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key type k=%s does not match a=%s", sr->key_type,
                                   s->a)),
               0;
    unsigned hbit = alg == ALG_RSA_SHA1 ? SW_DKIM_HASH_SHA1 : SW_DKIM_HASH_SHA256;
    if (!(k->hashes & hbit))
        return set(sr, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key h= does not allow %s",
                                   alg == ALG_RSA_SHA1 ? "sha1" : "sha256")),
               0;
    const char *at = strrchr(sr->auid, '@');
    if ((k->flags & SW_DKIM_KEY_STRICT) && strcasecmp(at + 1, s->d))
        return set(sr, SW_DKIM_PERMERROR,
                   "public key t=s requires the i= domain to equal d="),
               0;
    if ((c->o.legacy & SW_DKIM_LEGACY_GRANULARITY) && k->g &&
        !granularity_ok(k->g, sr->auid, (size_t)(at - sr->auid)))
        return set(sr, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key granularity g=%s does not match i=", k->g)),
               0;
    if (want_ed) {
        sr->key_bits = 256;
    } else {
        if (!ke->pkey)
            return set(sr, SW_DKIM_PERMERROR,
                       sw_arena_printf(a, "public key unusable: %s", ke->pkey_err)),
                   0;
        sr->key_bits = (unsigned)EVP_PKEY_get_bits(ke->pkey);
        if (sr->key_bits > SW_MAX_DKIM_RSA_BITS)
            return set(sr, SW_DKIM_PERMERROR,
                       sw_arena_printf(a, "public key unusable: RSA key of %u bits (limit %u)",
                                       sr->key_bits, SW_MAX_DKIM_RSA_BITS)),
                   0;
    }

    /* ---- the body (§6.1.3 steps 1-3) ---- */
    int sha256 = alg != ALG_RSA_SHA1;
    const sw_dkim_bodyhash *bhh =
        sw_dkim_body_hash(c->bh, c->body, c->body_len, sr->bcanon, sha256, s->has_l,
                          s->has_l ? (uint64_t)s->l : 0, &c->mdctx, c->md[sha256]);
    if (!bhh)
        return SW_ENOMEM;
    sr->body_len = bhh->total;
    sr->bh_computed = sw_dkim_b64(a, bhh->dig, bhh->dlen);
    if (!sr->bh_computed)
        return SW_ENOMEM;
    if (s->has_l && (uint64_t)s->l > bhh->total)
        return set(sr, SW_DKIM_FAIL,
                   sw_arena_printf(a, "body has been altered or cut: l=%lld exceeds the body "
                                      "length %llu",
                                   (long long)s->l, (unsigned long long)bhh->total)),
               0;
    if (bh_len != bhh->dlen || memcmp(bh_raw, bhh->dig, bh_len))
        return set(sr, SW_DKIM_FAIL,
                   sw_arena_printf(a, "body has been altered: body hash did not verify "
                                      "(expected bh=%s, computed %s)",
                                   s->bh, sr->bh_computed)),
               0;

    /* ---- the headers (§6.1.3 steps 4-5) ---- */
    const EVP_MD *mdt = c->md[alg != ALG_RSA_SHA1];
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned dlen;
    hname *hn = index_names(c, names, nn);
    if (!hn)
        return SW_ENOMEM;
    if ((rc = header_hash(c, sr, hn, nn, mdt, dig, &dlen)))
        return rc;
    if (want_ed) {
        if (b_len != crypto_sign_BYTES ||
            crypto_sign_verify_detached(b_raw, dig, dlen, k->p) != 0)
            return set(sr, SW_DKIM_FAIL,
                       "message has been altered: the Ed25519 signature does not match the "
                       "signed headers"),
                   0;
    } else {
        const char *why = NULL;
        EVP_PKEY_CTX **keep = ke->cached ? &ke->cached->verify[alg == ALG_RSA_SHA256] : NULL;
        if (!sw_dkim_rsa_verify(a, ke->pkey, mdt, keep, b_raw, b_len, dig, dlen, &why))
            return set(sr, SW_DKIM_FAIL, why), 0;
    }

    /* ---- verified: what weakens it ---- */
    if (alg == ALG_RSA_SHA1)
        sr->flags |= SW_DKIM_F_WEAK_HASH;
    if (!want_ed && sr->key_bits < 1024)
        sr->flags |= SW_DKIM_F_WEAK_KEY;
    if (s->has_l && (uint64_t)s->l < bhh->total)
        sr->flags |= SW_DKIM_F_PARTIAL_BODY;
    if (k->flags & SW_DKIM_KEY_TESTING)
        sr->flags |= SW_DKIM_F_TESTING;
    for (size_t j = 0; j < nn; j++) {
        if (hn[j].before)
            continue; /* counted at the name's first item */
        size_t listed = 1;
        for (size_t m = j + 1; m < nn; m++)
            listed += same_name(&hn[m].key, &hn[j].key);
        if (hn[j].have > listed)
            sr->unsigned_dups += hn[j].have - listed;
    }
    if (sr->unsigned_dups)
        sr->flags |= SW_DKIM_F_UNSIGNED_DUP;
    unsigned demote = sr->flags & c->o.policy;
    if (demote)
        return set(sr, SW_DKIM_POLICY,
                   sw_arena_printf(a, "verified, but rejected by local policy:%s%s%s%s%s",
                                   demote & SW_DKIM_F_WEAK_HASH ? " rsa-sha1 (RFC 8301)" : "",
                                   demote & SW_DKIM_F_WEAK_KEY ? " RSA key under 1024 bits" : "",
                                   demote & SW_DKIM_F_PARTIAL_BODY ? " l= covers part of the body" : "",
                                   demote & SW_DKIM_F_TESTING ? " key in testing mode (t=y)" : "",
                                   demote & SW_DKIM_F_UNSIGNED_DUP ? " unsigned header instances" : "")),
               0;
    return set(sr, SW_DKIM_PASS,
               sw_arena_printf(a, "signature verified (%s, %u-bit %s key)", s->a, sr->key_bits,
                               sr->key_type)),
           0;
}

int sw_dkim_verify(sw_arena *a, const char *msg, size_t len, const sw_header_block *h,
                   sw_resolver *r, int64_t now, const sw_dkim_opts *opts, sw_dkim_report *out)
{
    memset(out, 0, sizeof *out);
    out->best = -1;
    if (!a || !h || !r || (!msg && len))
        return SW_EINVAL;
    if (sodium_init() < 0)
        return SW_ENOMEM;
    /* Not calloc: own_bh and keys[] (7 KB) are only read below their counts, and zeroing
     * them per message cost as much as parsing a signature. */
    vctx *c = malloc(sizeof *c);
    if (!c)
        return SW_ENOMEM;
    c->nkeys = 0;
    c->a = a;
    c->h = h;
    c->r = r;
    c->now = now;
    if (opts)
        c->o = *opts;
    else
        sw_dkim_opts_default(&c->o);
    if (c->o.keys && sw_dkim_keycache_full(c->o.keys))
        sw_dkim_keycache_clear(c->o.keys); /* never mid-message: keyents point into the entries */
    c->md[0] = c->o.keys && c->o.keys->md[0] ? c->o.keys->md[0] : EVP_sha1();
    c->md[1] = c->o.keys && c->o.keys->md[1] ? c->o.keys->md[1] : EVP_sha256();
    c->mdctx = c->o.keys ? c->o.keys->mdctx : NULL;
    c->bh = c->o.bodyhashes;
    if (!c->bh) {
        sw_dkim_bodyhashes_init(&c->own_bh);
        c->bh = &c->own_bh;
    }
    size_t computed = c->bh->computed;
    size_t cap = c->o.max_sigs && c->o.max_sigs < SW_MAX_DKIM_SIGS ? c->o.max_sigs
                                                                     : SW_MAX_DKIM_SIGS;
    size_t off = h->body_offset <= len ? h->body_offset : len;
    c->body = msg + off;
    c->body_len = (h->anomalies & SW_HB_NO_SEPARATOR) ? 0 : len - off;

    size_t total = sw_header_count(h, "DKIM-Signature");
    size_t n = total < cap ? total : cap;
    out->skipped = total - n;
    int rc = SW_OK;
    if (n) {
        out->sigs = sw_arena_calloc(a, n * sizeof *out->sigs);
        if (!out->sigs)
            rc = SW_ENOMEM;
    }
    long fi = -1;
    for (size_t k = 0; rc == SW_OK && k < n; k++) {
        fi = sw_header_next(h, "DKIM-Signature", fi);
        if (fi < 0)
            break;
        rc = verify_one(c, (size_t)fi, &out->sigs[k]);
        if (rc)
            break;
        out->nsigs++;
        if (out->best < 0 || rank(out->sigs[k].result) > rank(out->result)) {
            out->best = (long)k;
            out->result = out->sigs[k].result;
        }
    }
    out->body_hashes = c->bh->computed - computed;
    for (size_t k = 0; k < c->nkeys; k++)
        sw_dkim_fetched_release(&c->keys[k]);
    if (c->o.keys)
        c->o.keys->mdctx = c->mdctx; /* made here on first use: the cache keeps it */
    else
        EVP_MD_CTX_free(c->mdctx);
    free(c);
    return rc;
}

const char *sw_dkim_evidence(sw_arena *a, const sw_dkim_sigresult *s)
{
    const sw_dkim_sig *g = &s->sig;
    char lbuf[64] = "";
    if (g->has_l)
        snprintf(lbuf, sizeof lbuf, " l=%lld of %llu", (long long)g->l,
                 (unsigned long long)s->body_len);
    char tbuf[64] = "";
    int tl = 0;
    if (g->has_t)
        tl = snprintf(tbuf, sizeof tbuf, " t=%lld", (long long)g->t);
    if (g->has_x)
        snprintf(tbuf + tl, sizeof tbuf - (size_t)tl, " x=%lld", (long long)g->x);
    char kbuf[96] = "";
    if (s->key_type)
        snprintf(kbuf, sizeof kbuf, " key=%s/%u%s%s", s->key_type, s->key_bits,
                 s->key_flags & SW_DKIM_KEY_TESTING ? " t=y" : "",
                 s->key_flags & SW_DKIM_KEY_STRICT ? " t=s" : "");
    char ubuf[48] = "";
    if (s->unsigned_dups)
        snprintf(ubuf, sizeof ubuf, " unsigned-instances=%zu", s->unsigned_dups);
    return sw_arena_printf(a, "dkim=%s d=%s s=%s a=%s c=%s/%s h=%s%s%s%s%s bh=%s computed=%s: %s",
                           sw_dkim_result_name(s->result), g->d ? g->d : "-",
                           g->s ? g->s : "-", g->a ? g->a : "-", sw_canon_name(s->hcanon),
                           sw_canon_name(s->bcanon), g->h ? g->h : "-", lbuf, tbuf, ubuf, kbuf,
                           g->bh ? g->bh : "-", s->bh_computed ? s->bh_computed : "-",
                           s->reason ? s->reason : "");
}
