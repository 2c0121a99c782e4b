/* ARC chain validation: see include/spoofwatch/arc.h.
 *
 * One sw_arc_verify() call owns a context on the heap: the keys fetched so far (one DNS
 * query, one parse and one OpenSSL key per selector) and the body hashes computed so far
 * (one per body canonicalization and l=). Both can be DKIM's: opts.bodyhashes lends the
 * message's body-hash set, which sw_dkim_verify has filled already, and opts.keys the key
 * cache, whose entries a key borrows until the context is freed and whose rsa-sha256
 * verify context and digest context ARC reuses as dkim.c does. Keys are freed (the
 * borrowed digest context handed back) before returning; everything handed back lives in
 * the caller's arena. Checks follow RFC 8617 §5.2 in order, so the reason names the first
 * step that failed.
 *
 * Sealing (arc_seal.c) must validate the chain it extends, so the context, the body hash,
 * the validation itself and the arena text buffer are shared with it through
 * arc_internal.h. Key fetching and the per-message key table, the h= splitter, the
 * DNS-name check, the digest callback, base64 and the RSA verification are dkim's
 * (dkim.h, dkim_internal.h); the reasons given for a failed check are worded here. */
#include "spoofwatch/arc.h"
#include "spoofwatch/canon.h"
#include "spoofwatch/error.h"
#include "spoofwatch/limits.h"
#include "arc_internal.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *sw_arc_result_name(sw_arc_result r)
{
    switch (r) {
    case SW_ARC_PASS: return "pass";
    case SW_ARC_FAIL: return "fail";
    case SW_ARC_NONE: break;
    }
    return "none";
}

const char *sw_arc_step_name(sw_arc_step s)
{
    switch (s) {
    case SW_ARC_STEP_STRUCTURE: return "structure";
    case SW_ARC_STEP_CV_FAIL: return "cv-fail";
    case SW_ARC_STEP_CV: return "cv";
    case SW_ARC_STEP_AMS: return "ams";
    case SW_ARC_STEP_SEAL: return "seal";
    case SW_ARC_STEP_NONE: break;
    }
    return "none";
}

void sw_arc_opts_default(sw_arc_opts *o)
{
    memset(o, 0, sizeof *o);
    o->skew = 300;
    o->oldest_pass = 1;
    o->min_bits = SW_ARC_MIN_RSA_BITS;
}

/* ---- context (actx is arc_internal.h's: sealing shares it) ---- */

/* A check's outcome: 0 passed, else the DKIM-style word and a reason. */
typedef struct verdict {
    sw_dkim_result res;
    const char *why;
    unsigned bits;
    const char *bh_computed;
    int temp;
} verdict;

static int bad(verdict *v, sw_dkim_result r, const char *why)
{
    v->res = r;
    v->why = why ? why : "out of memory while explaining";
    v->temp = r == SW_DKIM_TEMPERROR;
    return 1;
}

/* The key of a signature or seal, checked for ARC use (rsa, sha256 allowed, size): its
 * entry in the context's key table, or NULL (v says why, or *oom is set). */
static sw_dkim_fetched *usable_key(actx *c, const sw_dkim_sig *s, verdict *v, int *oom)
{
    sw_arena *a = c->a;
    /* one query and one parse per <s>._domainkey.<d>; with a key cache, a record seen in
     * an earlier message (DKIM's or ARC's) is not parsed again */
    sw_dkim_fetched *ke = sw_dkim_key_get(a, c->r, c->o.keys, c->keys, &c->nkeys,
                                          SW_MAX_ARC_KEYS, s->s, s->d, oom);
    if (*oom)
        return NULL;
    if (!ke)
        return bad(v, SW_DKIM_TEMPERROR, "public key: too many keys in one chain"), NULL;
    switch (ke->status) {
    case SW_DNS_OK: break;
    case SW_DNS_NXDOMAIN:
        return bad(v, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key not found: %s NXDOMAIN", ke->name)),
               NULL;
    case SW_DNS_NODATA:
        return bad(v, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key not found: %s has no TXT record", ke->name)),
               NULL;
    case SW_DNS_TEMPFAIL:
    case SW_DNS_DENIED:
        return bad(v, SW_DKIM_TEMPERROR,
                   sw_arena_printf(a, "public key unavailable: DNS query for %s %s", ke->name,
                                   ke->status == SW_DNS_DENIED ? "denied"
                                                               : "timed out or failed")),
               NULL;
    }
    if (!ke->parsed)
        return bad(v, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key unusable: %s", ke->why ? ke->why : "?")),
               NULL;
    if (ke->key.revoked)
        return bad(v, SW_DKIM_PERMERROR, "public key revoked (empty p=)"), NULL;
    if (ke->key.ktype != SW_DKIM_K_RSA)
        return bad(v, SW_DKIM_PERMERROR, "public key is not an RSA key (a=rsa-sha256)"), NULL;
    if (!(ke->key.hashes & SW_DKIM_HASH_SHA256))
        return bad(v, SW_DKIM_PERMERROR, "public key h= does not allow sha256"), NULL;
    if (!ke->pkey)
        return bad(v, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key unusable: %s",
                                   ke->pkey_err ? ke->pkey_err : "no RSA key")),
               NULL;
    v->bits = (unsigned)EVP_PKEY_get_bits(ke->pkey);
    if (v->bits > SW_MAX_DKIM_RSA_BITS) /* as dkim.c: a huge modulus is only a cost */
        return bad(v, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key unusable: RSA key of %u bits (limit %u)",
                                   v->bits, SW_MAX_DKIM_RSA_BITS)),
               NULL;
    if (v->bits < c->o.min_bits)
        return bad(v, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "public key of %u bits is under the %u-bit minimum",
                                   v->bits, c->o.min_bits)),
               NULL;
    return ke;
}

/* Where the key cache keeps an rsa-sha256 verify context for ke's key (shared with DKIM,
 * dkim_internal.h), or NULL for one made and freed per check. */
static EVP_PKEY_CTX **verify_keep(const sw_dkim_fetched *ke)
{
    return ke->cached ? &ke->cached->verify[1] : NULL;
}

/* The arena text buffer (sbuf, arc_internal.h): the evidence line and sealing's headers. */
void sw_arc_sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = (b->cap ? b->cap * 2 : 256);
        while (nc < b->n + n + 1)
            nc *= 2;
        char *np = sw_arena_alloc(b->a, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        if (b->n)
            memcpy(np, b->p, b->n);
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void sw_arc_sb_str(sbuf *b, const char *s)
{
    sw_arc_sb_put(b, s, strlen(s));
}

/* sw_arena_printf stops at 1023 bytes; seal inputs (a long AAR, a 4096-bit b=) and the
 * evidence line can be longer, and a silently cut header would be signed wrongly. */
void sw_arc_sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || b->oom) {
        b->oom = 1;
        return;
    }
    char *tmp = malloc((size_t)n + 1);
    if (!tmp) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sw_arc_sb_put(b, tmp, (size_t)n);
    free(tmp);
}

const char *sw_arc_sb_done(sbuf *b)
{
    if (!b->p && !b->oom)
        sw_arc_sb_put(b, "", 0);
    return b->oom ? NULL : b->p;
}

const sw_dkim_bodyhash *sw_arc_body_hash(actx *c, sw_canon_mode m, int has_l, uint64_t l)
{
    return sw_dkim_body_hash(c->bh, c->body, c->body_len, m, 1, has_l, l, &c->mdctx,
                             c->sha256);
}

/* ---- tag rules shared by AMS and AS ---- */

/* Checks common to both headers: tag-list syntax, a=, b=, d=, s=, t=. Decodes b=. */
static int common_tags(actx *c, const sw_dkim_sig *s, const char *what, verdict *v,
                       unsigned char **b_raw, size_t *b_len, int *oom)
{
    sw_arena *a = c->a;
    *oom = 0;
    if (s->tags.flags & SW_TAG_DUPLICATE)
        return bad(v, SW_DKIM_NEUTRAL, sw_arena_printf(a, "%s has a duplicate tag", what));
    if (s->tags.flags & (SW_TAG_SYNTAX | SW_TAG_TRUNCATED))
        return bad(v, SW_DKIM_NEUTRAL, sw_arena_printf(a, "%s tag-list syntax error", what));
    const char *req[] = {"a", "b", "d", "s"};
    const char *vals[] = {s->a, s->b, s->d, s->s};
    for (size_t k = 0; k < 4; k++)
        if (!vals[k] || !*vals[k])
            return bad(v, SW_DKIM_NEUTRAL,
                       sw_arena_printf(a, "%s lacks the required %s= tag", what, req[k]));
    if (strcmp(s->a, "rsa-sha256"))
        return bad(v, SW_DKIM_NEUTRAL,
                   sw_arena_printf(a, "%s: unsupported algorithm a=%s (RFC 8617: rsa-sha256)",
                                   what, s->a));
    if (!sw_dkim_dns_name_ok(s->d) || !sw_dkim_dns_name_ok(s->s))
        return bad(v, SW_DKIM_NEUTRAL,
                   sw_arena_printf(a, "%s: d= or s= is not a domain name", what));
    const char *traw = sw_taglist_get(&s->tags, "t");
    if (traw && !s->has_t)
        return bad(v, SW_DKIM_NEUTRAL, sw_arena_printf(a, "%s: t= is not a number", what));
    if (s->has_t && c->o.skew >= 0 && s->t > c->now + c->o.skew)
        return bad(v, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "%s: t=%lld is in the future (now %lld)", what,
                                   (long long)s->t, (long long)c->now));
    int rc = sw_dkim_base64_decode(a, s->b, strlen(s->b), b_raw, b_len);
    if (rc == SW_ENOMEM) {
        *oom = 1;
        return 1;
    }
    if (rc)
        return bad(v, SW_DKIM_NEUTRAL, sw_arena_printf(a, "%s: b= is not base64", what));
    return 0;
}

/* ---- ARC-Message-Signature ---- */

/* Verifies the AMS of set st like a DKIM signature. 0 verified, 1 not (v set), or a
 * negative SW_E* code. */
/* Ends an AMS or seal hash with the field itself, its b= value emptied (as in DKIM),
 * and frees md. SW_ENOMEM or 0 with dig[0..*dl). */
static int hash_self(actx *c, const sw_dkim_sig *s, sw_canon_mode hc, EVP_MD_CTX *md,
                     unsigned char *dig, unsigned *dl)
{
    const sw_header_field *self = &c->h->fields[s->field_index];
    const char *stripped;
    size_t sl;
    int ok = sw_canon_strip_b(c->a, self->raw, self->raw_len, &stripped, &sl) == SW_OK;
    if (ok) {
        sw_canon_header(hc, stripped, sl, 0, sw_dkim_md_write, md);
        ok = EVP_DigestFinal_ex(md, dig, dl);
    }
    EVP_MD_CTX_free(md);
    return ok ? SW_OK : SW_ENOMEM;
}

static int verify_ams(actx *c, const sw_arc_set *st, verdict *v)
{
    sw_arena *a = c->a;
    const sw_dkim_sig *s = &st->ams;
    memset(v, 0, sizeof *v);
    unsigned char *b_raw, *bh_raw;
    size_t b_len, bh_len;
    int oom;
    if (common_tags(c, s, "AMS", v, &b_raw, &b_len, &oom))
        return oom ? SW_ENOMEM : 1;
    if (!s->bh || !*s->bh)
        return bad(v, SW_DKIM_NEUTRAL, "AMS lacks the required bh= tag");
    if (!s->h)
        return bad(v, SW_DKIM_NEUTRAL, "AMS lacks the required h= tag");
    int rc = sw_dkim_base64_decode(a, s->bh, strlen(s->bh), &bh_raw, &bh_len);
    if (rc == SW_ENOMEM)
        return rc;
    if (rc)
        return bad(v, SW_DKIM_NEUTRAL, "AMS: bh= is not base64");
    sw_canon_mode hc, bc;
    /* c= may be absent (simple/simple, RFC 6376), not present and empty */
    if ((s->c && !*s->c) || sw_canon_parse(s->c, &hc, &bc))
        return bad(v, SW_DKIM_NEUTRAL,
                   sw_arena_printf(a, "AMS: unsupported canonicalization c=%s", s->c));
    if (s->q && strcmp(s->q, "dns/txt"))
        return bad(v, SW_DKIM_NEUTRAL, sw_arena_printf(a, "AMS: unsupported q=%s", s->q));
    const char *lraw = sw_taglist_get(&s->tags, "l");
    const char *xraw = sw_taglist_get(&s->tags, "x");
    if ((lraw && !s->has_l) || (xraw && !s->has_x))
        return bad(v, SW_DKIM_NEUTRAL, "AMS: l= or x= is not a number");
    if (s->has_x && c->o.skew >= 0 && c->now > s->x + c->o.skew)
        return bad(v, SW_DKIM_PERMERROR,
                   sw_arena_printf(a, "AMS expired (x=%lld, now %lld)", (long long)s->x,
                                   (long long)c->now));
    const char **names;
    size_t nn;
    rc = sw_dkim_split_h(a, s->h, &names, &nn);
    if (rc == SW_ELIMIT)
        return bad(v, SW_DKIM_NEUTRAL, "AMS h= lists more header names than spoofwatch verifies");
    if (rc)
        return rc;
    for (size_t k = 0; k < nn; k++)
        if (!strcasecmp(names[k], "ARC-Seal"))
            return bad(v, SW_DKIM_NEUTRAL, "AMS h= signs ARC-Seal (RFC 8617 §4.1.2 forbids it)");

    sw_dkim_fetched *ke = usable_key(c, s, v, &oom);
    if (oom)
        return SW_ENOMEM;
    if (!ke)
        return 1;

    const sw_dkim_bodyhash *bh =
        sw_arc_body_hash(c, bc, s->has_l, s->has_l ? (uint64_t)s->l : 0);
    if (!bh)
        return SW_ENOMEM;
    v->bh_computed = sw_dkim_b64(a, bh->dig, 32);
    if (!v->bh_computed)
        return SW_ENOMEM;
    if (s->has_l && (uint64_t)s->l > bh->total)
        return bad(v, SW_DKIM_FAIL,
                   sw_arena_printf(a, "AMS l=%lld exceeds the body length %llu",
                                   (long long)s->l, (unsigned long long)bh->total));
    if (bh_len != 32 || memcmp(bh_raw, bh->dig, 32))
        return bad(v, SW_DKIM_FAIL,
                   sw_arena_printf(a, "body has been altered: AMS body hash did not verify "
                                      "(expected bh=%s, computed %s)",
                                   s->bh, v->bh_computed));

    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || !EVP_DigestInit_ex(md, c->sha256, NULL)) {
        EVP_MD_CTX_free(md);
        return SW_ENOMEM;
    }
    /* h= from the bottom up, as DKIM (RFC 6376 §5.4.2); an absent instance adds nothing */
    for (size_t k = 0; k < nn; k++) {
        size_t used = 0;
        for (size_t j = 0; j < k; j++)
            used += !strcasecmp(names[j], names[k]);
        size_t have = sw_header_count(c->h, names[k]);
        if (used >= have)
            continue;
        long fi = sw_header_find(c->h, names[k], have - 1 - used);
        if (fi < 0)
            continue;
        const sw_header_field *f = &c->h->fields[fi];
        sw_canon_header(hc, f->raw, f->raw_len, 1, sw_dkim_md_write, md);
    }
    unsigned char dig[32];
    unsigned dl = 0;
    if (hash_self(c, s, hc, md, dig, &dl))
        return SW_ENOMEM;
    if (!sw_dkim_rsa_verify(c->a, ke->pkey, c->sha256, verify_keep(ke), b_raw, b_len, dig, dl,
                            NULL))
        return bad(v, SW_DKIM_FAIL,
                   "message has been altered: the AMS signature does not match the signed "
                   "headers");
    v->res = SW_DKIM_PASS;
    v->why = sw_arena_printf(a, "AMS verified (rsa-sha256, %u-bit key, c=%s/%s%s)", v->bits,
                             sw_canon_name(hc), sw_canon_name(bc),
                             s->has_l && (uint64_t)s->l < bh->total ? ", l= covers part of "
                                                                      "the body"
                                                                    : "");
    return 0;
}

/* ---- ARC-Seal ---- */

static int seal_tags_ok(actx *c, const sw_dkim_sig *s, verdict *v, unsigned char **b_raw,
                        size_t *b_len, int *oom)
{
    if (common_tags(c, s, "AS", v, b_raw, b_len, oom))
        return 0;
    if (sw_taglist_get(&s->tags, "h"))
        return bad(v, SW_DKIM_NEUTRAL, "AS carries h=, which RFC 8617 §4.1.3 does not allow"),
               0;
    if (!s->cv || (strcmp(s->cv, "none") && strcmp(s->cv, "pass") && strcmp(s->cv, "fail")))
        return bad(v, SW_DKIM_NEUTRAL,
                   s->cv ? sw_arena_printf(c->a, "AS cv=%s is not none, pass or fail", s->cv)
                         : "AS lacks the required cv= tag"),
               0;
    return 1;
}

void sw_arc_canon_field(const sw_header_field *f, int crlf, EVP_MD_CTX *md)
{
    sw_canon_header(SW_CANON_RELAXED, f->raw, f->raw_len, crlf, sw_dkim_md_write, md);
}

/* Verifies the AS of sets[idx] over sets[0..idx]. 0 verified, 1 not, or SW_E*. */
static int verify_seal(actx *c, const sw_arc_set *sets, size_t idx, verdict *v)
{
    const sw_dkim_sig *s = &sets[idx].seal;
    memset(v, 0, sizeof *v);
    unsigned char *b_raw;
    size_t b_len;
    int oom;
    if (!seal_tags_ok(c, s, v, &b_raw, &b_len, &oom))
        return oom ? SW_ENOMEM : 1;
    sw_dkim_fetched *ke = usable_key(c, s, v, &oom);
    if (oom)
        return SW_ENOMEM;
    if (!ke)
        return 1;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || !EVP_DigestInit_ex(md, c->sha256, NULL)) {
        EVP_MD_CTX_free(md);
        return SW_ENOMEM;
    }
    for (size_t k = 0; k <= idx; k++) {
        const sw_header_field *aar = &c->h->fields[sets[k].aar_field];
        sw_arc_canon_field(aar, 1, md);
        sw_arc_canon_field(&c->h->fields[sets[k].ams.field_index], 1, md);
        if (k < idx)
            sw_arc_canon_field(&c->h->fields[sets[k].seal.field_index], 1, md);
    }
    unsigned char dig[32];
    unsigned dl = 0;
    if (hash_self(c, s, SW_CANON_RELAXED, md, dig, &dl))
        return SW_ENOMEM;
    if (!sw_dkim_rsa_verify(c->a, ke->pkey, c->sha256, verify_keep(ke), b_raw, b_len, dig, dl,
                            NULL))
        return bad(v, SW_DKIM_FAIL,
                   "the seal does not match the ARC sets it covers (a set was altered)");
    v->res = SW_DKIM_PASS;
    v->why = sw_arena_printf(c->a, "AS verified (rsa-sha256, %u-bit key)", v->bits);
    return 0;
}

/* ---- validation ---- */

static void fail_at(sw_arc_report *out, sw_arc_step step, int inst, const char *why)
{
    out->result = SW_ARC_FAIL;
    out->step = step;
    out->fail_instance = inst;
    out->reason = why ? why : "out of memory while explaining";
}

static const char *aar_text(const sw_header_field *f)
{
    /* the value after "i=N;" (sw_arc_collect vouched for that prefix) */
    const char *semi = strchr(f->value, ';');
    if (!semi)
        return f->value;
    semi++;
    while (*semi == ' ' || *semi == '\t')
        semi++;
    return semi;
}

int sw_arc_validate(actx *c, sw_arc_report *out, sw_arc_set **sets_out, size_t *nsets_out)
{
    sw_arena *a = c->a;
    sw_arc_set *sets;
    size_t n;
    int rc = sw_arc_collect(a, c->h, &sets, &n);
    if (rc)
        return rc;
    *sets_out = sets;
    *nsets_out = n;
    out->oldest_pass = -1;
    if (n == 0) {
        out->result = SW_ARC_NONE;
        out->reason = "no ARC header fields";
        return 0;
    }
    out->sets = sw_arena_calloc(a, n * sizeof *out->sets);
    if (!out->sets)
        return SW_ENOMEM;
    out->nsets = n;
    for (size_t k = 0; k < n; k++) {
        sw_arc_instance *in = &out->sets[k];
        const sw_arc_set *st = &sets[k];
        in->instance = st->instance;
        if (!(st->flags & SW_ARC_MISSING_SEAL)) {
            in->seal_d = st->seal.d;
            in->seal_s = st->seal.s;
            in->cv = st->seal.cv;
        }
        if (!(st->flags & SW_ARC_MISSING_AMS)) {
            in->ams_d = st->ams.d;
            in->ams_s = st->ams.s;
        }
        if (st->aar_field >= 0)
            in->aar = aar_text(&c->h->fields[st->aar_field]);
        if (st->instance > out->count)
            out->count = st->instance;
    }

    /* step 2: structure */
    for (size_t k = 0; k < n; k++) {
        const sw_arc_set *st = &sets[k];
        const char *why = NULL;
        if (st->flags & SW_ARC_BAD_INSTANCE)
            why = "an ARC header has a missing or invalid instance (i= outside 1..50)";
        else if (st->flags & SW_ARC_DUPLICATE)
            why = sw_arena_printf(a, "instance %d has more than one header of a kind",
                                  st->instance);
        else if (st->flags & SW_ARC_MISSING_SEAL)
            why = sw_arena_printf(a, "instance %d has no ARC-Seal", st->instance);
        else if (st->flags & SW_ARC_MISSING_AMS)
            why = sw_arena_printf(a, "instance %d has no ARC-Message-Signature", st->instance);
        else if (st->flags & SW_ARC_MISSING_AAR)
            why = sw_arena_printf(a, "instance %d has no ARC-Authentication-Results",
                                  st->instance);
        else if (st->instance != (int)k + 1)
            why = sw_arena_printf(a, "instances are not 1..%d without gaps (instance %zu "
                                     "missing)",
                                  out->count, k + 1);
        if (why) {
            fail_at(out, SW_ARC_STEP_STRUCTURE, st->instance, why);
            return 0;
        }
    }
    int N = (int)n;
    /* step 3: the newest seal already says the chain failed */
    const sw_dkim_sig *top = &sets[n - 1].seal;
    if (top->cv && !strcmp(top->cv, "fail")) {
        fail_at(out, SW_ARC_STEP_CV_FAIL, N,
                sw_arena_printf(a, "the newest ARC-Seal (i=%d) says cv=fail", N));
        return 0;
    }
    /* step 4: cv= none for i=1, pass above */
    for (size_t k = 0; k < n; k++) {
        const char *want = k == 0 ? "none" : "pass";
        const char *cv = sets[k].seal.cv;
        if (!cv || strcmp(cv, want)) {
            fail_at(out, SW_ARC_STEP_CV, (int)k + 1,
                    sw_arena_printf(a, "ARC-Seal i=%zu has cv=%s, must be %s", k + 1,
                                    cv ? cv : "(absent)", want));
            return 0;
        }
    }
    /* step 5: the newest AMS */
    verdict v;
    rc = verify_ams(c, &sets[n - 1], &v);
    if (rc < 0)
        return rc;
    sw_arc_instance *tin = &out->sets[n - 1];
    tin->ams_result = rc ? v.res : SW_DKIM_PASS;
    tin->ams_reason = v.why;
    tin->ams_key_bits = v.bits;
    tin->ams_bh_computed = v.bh_computed;
    if (rc) {
        fail_at(out, SW_ARC_STEP_AMS, N,
                sw_arena_printf(a, "ARC-Message-Signature i=%d: %s", N, v.why));
        out->temperror = v.temp;
        return 0;
    }
    /* step 6: oldest-pass, walking older AMS down until one fails */
    if (c->o.oldest_pass) {
        out->oldest_pass = 0;
        for (size_t k = n - 1; k-- > 0;) {
            rc = verify_ams(c, &sets[k], &v);
            if (rc < 0)
                return rc;
            sw_arc_instance *in = &out->sets[k];
            in->ams_result = rc ? v.res : SW_DKIM_PASS;
            in->ams_reason = v.why;
            in->ams_key_bits = v.bits;
            in->ams_bh_computed = v.bh_computed;
            if (rc) {
                out->oldest_pass = (int)k + 2;
                break;
            }
        }
    }
    /* step 7: every seal, newest first */
    for (size_t k = n; k-- > 0;) {
        rc = verify_seal(c, sets, k, &v);
        if (rc < 0)
            return rc;
        sw_arc_instance *in = &out->sets[k];
        in->seal_result = rc ? v.res : SW_DKIM_PASS;
        in->seal_reason = v.why;
        in->seal_key_bits = v.bits;
        if (rc) {
            fail_at(out, SW_ARC_STEP_SEAL, (int)k + 1,
                    sw_arena_printf(a, "ARC-Seal i=%zu: %s", k + 1, v.why));
            out->temperror = v.temp;
            return 0;
        }
    }
    out->result = SW_ARC_PASS;
    out->reason = sw_arena_printf(a, "chain of %d set%s verified, newest sealer %s", N,
                                  N == 1 ? "" : "s", sets[n - 1].seal.d);
    return 0;
}

actx *sw_arc_ctx_new(sw_arena *a, const char *msg, size_t len, const sw_header_block *h,
                     sw_resolver *r, int64_t now, const sw_arc_opts *opts)
{
    actx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->a = a;
    c->h = h;
    c->r = r;
    c->now = now;
    if (opts)
        c->o = *opts;
    else
        sw_arc_opts_default(&c->o);
    sw_dkim_keycache *kc = c->o.keys;
    if (kc && sw_dkim_keycache_full(kc))
        sw_dkim_keycache_clear(kc); /* as sw_dkim_verify: before any key points into it */
    c->sha256 = kc && kc->md[1] ? kc->md[1] : EVP_sha256();
    c->mdctx = kc ? kc->mdctx : NULL;
    c->bh = c->o.bodyhashes;
    if (!c->bh) {
        sw_dkim_bodyhashes_init(&c->own_bh);
        c->bh = &c->own_bh;
    }
    size_t off = h->body_offset <= len ? h->body_offset : len;
    c->body = msg + off;
    c->body_len = (h->anomalies & SW_HB_NO_SEPARATOR) ? 0 : len - off;
    return c;
}

void sw_arc_ctx_free(actx *c)
{
    for (size_t k = 0; k < c->nkeys; k++)
        sw_dkim_fetched_release(&c->keys[k]);
    if (c->o.keys)
        c->o.keys->mdctx = c->mdctx; /* made here on first use: the cache keeps it */
    else
        EVP_MD_CTX_free(c->mdctx);
    free(c);
}

int sw_arc_verify(sw_arena *a, const char *msg, size_t len, const sw_header_block *h,
                  sw_resolver *r, int64_t now, const sw_arc_opts *opts, sw_arc_report *out)
{
    memset(out, 0, sizeof *out);
    out->oldest_pass = -1;
    if (!a || !h || !r || (!msg && len))
        return SW_EINVAL;
    actx *c = sw_arc_ctx_new(a, msg, len, h, r, now, opts);
    if (!c)
        return SW_ENOMEM;
    sw_arc_set *sets;
    size_t n;
    size_t computed = c->bh->computed;
    int rc = sw_arc_validate(c, out, &sets, &n);
    out->body_hashes = c->bh->computed - computed;
    sw_arc_ctx_free(c);
    return rc;
}

const char *sw_arc_evidence(sw_arena *a, const sw_arc_report *rep)
{
    sbuf b = {a, NULL, 0, 0, 0};
    sw_arc_sb_printf(&b, "arc=%s sets=%d", sw_arc_result_name(rep->result), rep->count);
    if (rep->oldest_pass >= 0)
        sw_arc_sb_printf(&b, " oldest-pass=%d", rep->oldest_pass);
    for (size_t k = 0; k < rep->nsets; k++) {
        const sw_arc_instance *in = &rep->sets[k];
        sw_arc_sb_printf(&b, "; i=%d sealer=%s s=%s cv=%s ams=%s/%s", in->instance,
                         in->seal_d ? in->seal_d : "-", in->seal_s ? in->seal_s : "-",
                         in->cv ? in->cv : "-", in->ams_d ? in->ams_d : "-",
                         in->ams_s ? in->ams_s : "-");
        if (in->ams_result != SW_DKIM_NONE)
            sw_arc_sb_printf(&b, " ams-result=%s", sw_dkim_result_name(in->ams_result));
        if (in->seal_result != SW_DKIM_NONE)
            sw_arc_sb_printf(&b, " seal-result=%s", sw_dkim_result_name(in->seal_result));
    }
    if (rep->step != SW_ARC_STEP_NONE)
        sw_arc_sb_printf(&b, "; failed at %s (instance %d)%s", sw_arc_step_name(rep->step),
                         rep->fail_instance, rep->temperror ? " [DNS temporary failure]" : "");
    sw_arc_sb_printf(&b, ": %s", rep->reason ? rep->reason : "");
    return sw_arc_sb_done(&b);
}

int sw_arc_sealer_trusted(const sw_arc_report *rep, const char *const *trusted, size_t n)
{
    if (rep->result != SW_ARC_PASS || rep->nsets == 0)
        return 0;
    const char *d = rep->sets[rep->nsets - 1].seal_d;
    if (!d)
        return 0;
    size_t dl = strlen(d);
    for (size_t k = 0; k < n; k++) {
        const char *t = trusted[k];
        if (!t || !*t)
            continue;
        size_t tl = strlen(t);
        if (t[0] == '.') {
            /* ".example.com": example.com itself and every subdomain */
            if ((dl == tl - 1 && !strcasecmp(d, t + 1)) ||
                (dl > tl && !strcasecmp(d + dl - tl, t)))
                return 1;
        } else if (!strcasecmp(d, t)) {
            return 1;
        }
    }
    return 0;
}
