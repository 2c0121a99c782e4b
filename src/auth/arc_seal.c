/* ARC sealing: sw_arc_seal(), see include/spoofwatch/arc.h.
 *
 * Adds one set (AAR, AMS, AS) to a message as RFC 8617 §5.1 and the ValiMail sign suite
 * expect. The chain being extended is validated first with arc.c's context and validation
 * (arc_internal.h), which also lend the body hash, the relaxed header canonicalization and
 * the arena text buffer the new headers are built in. The private key is read from PEM
 * here; it and the digest contexts are freed before returning, and the headers handed
 * back live in the caller's arena. */
#include "spoofwatch/arc.h"
#include "spoofwatch/authres.h"
#include "spoofwatch/canon.h"
#include "spoofwatch/error.h"
#include "arc_internal.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Appends s with folding whitespace unfolded and WSP runs made one SP, trimmed: the AAR
 * carries the upstream results as one line. */
static void sb_collapsed(sbuf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    int pending = 0;
    for (; i < n; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            pending = 1;
            continue;
        }
        if (pending)
            sw_arc_sb_put(b, " ", 1);
        pending = 0;
        sw_arc_sb_put(b, &ch, 1);
    }
}

/* AAR value: "i=N; <authserv-id>; <results of every Authentication-Results with that
 * authserv-id, in header order, joined by "; ">", or "...; none" without any. */
static int build_aar(sw_arena *a, const sw_header_block *h, const char *srv, int inst,
                     const char **out)
{
    sbuf b = {a, NULL, 0, 0, 0};
    char head[32];
    snprintf(head, sizeof head, "i=%d; ", inst);
    sw_arc_sb_str(&b, head);
    sw_arc_sb_str(&b, srv);
    size_t found = 0;
    for (long fi = sw_header_next(h, "Authentication-Results", -1); fi >= 0;
         fi = sw_header_next(h, "Authentication-Results", fi)) {
        const sw_header_field *f = &h->fields[fi];
        sw_authres ar;
        sw_error err;
        sw_error_clear(&err);
        int rc = sw_authres_parse(a, f->value, f->value_len, 0, &ar, &err);
        if (rc == SW_ENOMEM)
            return rc;
        if (rc || !ar.authserv_id || strcasecmp(ar.authserv_id, srv))
            continue;
        const char *semi = memchr(f->value, ';', f->value_len);
        if (!semi)
            continue; /* "srv-id" alone: no results */
        size_t off = (size_t)(semi + 1 - f->value);
        const char *rest = semi + 1;
        size_t rn = f->value_len - off;
        /* drop a trailing ';' and whitespace */
        while (rn && (rest[rn - 1] == ';' || rest[rn - 1] == ' ' || rest[rn - 1] == '\t' ||
                      rest[rn - 1] == '\r' || rest[rn - 1] == '\n'))
            rn--;
        size_t lead = 0;
        while (lead < rn && (rest[lead] == ' ' || rest[lead] == '\t'))
            lead++;
        if (lead == rn || (rn - lead == 4 && !strncasecmp(rest + lead, "none", 4)))
            continue;
        sw_arc_sb_put(&b, "; ", 2);
        sb_collapsed(&b, rest, rn);
        found++;
    }
    if (!found)
        sw_arc_sb_str(&b, "; none");
    if (b.oom)
        return SW_ENOMEM;
    *out = b.p;
    return SW_OK;
}

static int rsa_sign(EVP_PKEY *pk, const unsigned char *dig, size_t dl, sw_arena *a,
                    const char **out)
{
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pk, NULL);
    size_t sl = 0;
    unsigned char *sig = NULL;
    int ok = pc && EVP_PKEY_sign_init(pc) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) > 0 &&
             EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) > 0 &&
             EVP_PKEY_sign(pc, NULL, &sl, dig, dl) > 0;
    if (ok) {
        sig = sw_arena_alloc(a, sl);
        ok = sig && EVP_PKEY_sign(pc, sig, &sl, dig, dl) > 0;
    }
    EVP_PKEY_CTX_free(pc);
    ERR_clear_error();
    if (!ok)
        return SW_ENOMEM;
    *out = sw_dkim_b64(a, sig, sl);
    return *out ? SW_OK : SW_ENOMEM;
}

/* Canonicalizes "Name:value" built here (not in the message) into md. */
static int canon_built(sw_arena *a, const char *name, const char *value, int crlf,
                       EVP_MD_CTX *md)
{
    sbuf b = {a, NULL, 0, 0, 0};
    sw_arc_sb_printf(&b, "%s: %s", name, value);
    const char *f = sw_arc_sb_done(&b);
    if (!f)
        return SW_ENOMEM;
    sw_canon_header(SW_CANON_RELAXED, f, b.n, crlf, sw_dkim_md_write, md);
    return SW_OK;
}

static int digest_done(EVP_MD_CTX *md, unsigned char *dig)
{
    unsigned dl = 0;
    int ok = EVP_DigestFinal_ex(md, dig, &dl);
    EVP_MD_CTX_free(md);
    return ok && dl == 32 ? SW_OK : SW_ENOMEM;
}

/* The suite's layout: tags in alphabetical order, "; " between them, one line. */
static const char *ams_value(sw_arena *a, const char *b, const char *bh,
                             const sw_arc_seal_params *p, int inst)
{
    sbuf sb = {a, NULL, 0, 0, 0};
    sw_arc_sb_printf(&sb,
                     "a=rsa-sha256; b=%s; bh=%s; c=relaxed/relaxed; d=%s; h=%s; i=%d; s=%s; t=%lld",
                     b, bh, p->domain, p->headers, inst, p->selector, (long long)p->timestamp);
    return sw_arc_sb_done(&sb);
}

static const char *as_value(sw_arena *a, const char *b, const char *cv,
                            const sw_arc_seal_params *p, int inst)
{
    sbuf sb = {a, NULL, 0, 0, 0};
    sw_arc_sb_printf(&sb, "a=rsa-sha256; b=%s; cv=%s; d=%s; i=%d; s=%s; t=%lld", b, cv, p->domain,
                     inst, p->selector, (long long)p->timestamp);
    return sw_arc_sb_done(&sb);
}

int sw_arc_seal(sw_arena *a, const char *msg, size_t len, const sw_header_block *h,
                sw_resolver *r, int64_t now, const sw_arc_seal_params *p, sw_arc_sealed *out)
{
    memset(out, 0, sizeof *out);
    if (!a || !h || !r || !p || (!msg && len) || !p->domain || !p->selector || !p->key_pem ||
        !p->authserv_id || !p->headers || !sw_dkim_dns_name_ok(p->domain) || !sw_dkim_dns_name_ok(p->selector))
        return SW_EINVAL;
    BIO *bio = BIO_new_mem_buf(p->key_pem, (int)p->key_pem_len);
    EVP_PKEY *pk = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    ERR_clear_error();
    if (!pk || EVP_PKEY_base_id(pk) != EVP_PKEY_RSA) {
        EVP_PKEY_free(pk);
        return SW_EFORMAT;
    }
    actx *c = sw_arc_ctx_new(a, msg, len, h, r, now, NULL);
    if (!c) {
        EVP_PKEY_free(pk);
        return SW_ENOMEM;
    }
    sw_arc_set *sets = NULL;
    size_t n = 0;
    int rc = sw_arc_validate(c, &out->chain, &sets, &n);
    EVP_MD_CTX *md = NULL;
    if (rc)
        goto done;

    /* RFC 8617 §5.1: a chain its newest sealer already marked failed gets no new set
     * (the suite's no_additional_sig), and a full chain cannot grow. */
    if (n && !(sets[n - 1].flags & SW_ARC_MISSING_SEAL) && sets[n - 1].seal.cv &&
        !strcmp(sets[n - 1].seal.cv, "fail")) {
        out->reason = "not sealed: the newest ARC-Seal already says cv=fail";
        goto done;
    }
    if (out->chain.count >= SW_ARC_MAX_INSTANCE) {
        out->reason = "not sealed: the chain already has 50 sets";
        goto done;
    }
    out->cv = out->chain.result;
    out->instance = out->chain.count + 1;
    const char *cvw = sw_arc_result_name(out->cv);

    if ((rc = build_aar(a, h, p->authserv_id, out->instance, &out->aar)))
        goto done;

    /* AMS: relaxed/relaxed over h= (bottom up, the new AAR counted as the topmost
     * field) and the AMS itself with b= empty. */
    const sw_dkim_bodyhash *bh = sw_arc_body_hash(c, SW_CANON_RELAXED, 0, 0);
    const char *bhs = bh ? sw_dkim_b64(a, bh->dig, 32) : NULL;
    const char *ams0 = bhs ? ams_value(a, "", bhs, p, out->instance) : NULL;
    const char **names;
    size_t nn;
    if (!ams0) {
        rc = SW_ENOMEM;
        goto done;
    }
    if ((rc = sw_dkim_split_h(a, p->headers, &names, &nn)))
        goto done; /* SW_ELIMIT: more header names to sign than SW_MAX_DKIM_HNAMES */
    md = EVP_MD_CTX_new();
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        rc = SW_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < nn; k++) {
        size_t used = 0;
        for (size_t j = 0; j < k; j++)
            used += !strcasecmp(names[j], names[k]);
        size_t have = sw_header_count(h, names[k]);
        if (used < have) {
            long fi = sw_header_find(h, names[k], have - 1 - used);
            if (fi >= 0)
                sw_canon_header(SW_CANON_RELAXED, h->fields[fi].raw, h->fields[fi].raw_len, 1,
                                sw_dkim_md_write, md);
        } else if (used == have && !strcasecmp(names[k], "ARC-Authentication-Results")) {
            if ((rc = canon_built(a, "ARC-Authentication-Results", out->aar, 1, md)))
                goto done;
        }
    }
    if ((rc = canon_built(a, "ARC-Message-Signature", ams0, 0, md)))
        goto done;
    unsigned char dig[32];
    rc = digest_done(md, dig);
    md = NULL;
    const char *sig;
    if (rc || (rc = rsa_sign(pk, dig, 32, a, &sig)))
        goto done;
    out->ams = ams_value(a, sig, bhs, p, out->instance);
    const char *as0 = as_value(a, "", cvw, p, out->instance);
    if (!out->ams || !as0) {
        rc = SW_ENOMEM;
        goto done;
    }

    /* AS: every set 1..N in order, or only the new one when the chain failed
     * (RFC 8617 §5.1.1). */
    md = EVP_MD_CTX_new();
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        rc = SW_ENOMEM;
        goto done;
    }
    if (out->cv != SW_ARC_FAIL)
        for (size_t k = 0; k < n; k++) {
            sw_arc_canon_field(&h->fields[sets[k].aar_field], 1, md);
            sw_arc_canon_field(&h->fields[sets[k].ams.field_index], 1, md);
            sw_arc_canon_field(&h->fields[sets[k].seal.field_index], 1, md);
        }
    if ((rc = canon_built(a, "ARC-Authentication-Results", out->aar, 1, md)) ||
        (rc = canon_built(a, "ARC-Message-Signature", out->ams, 1, md)) ||
        (rc = canon_built(a, "ARC-Seal", as0, 0, md)))
        goto done;
    rc = digest_done(md, dig);
    md = NULL;
    if (rc || (rc = rsa_sign(pk, dig, 32, a, &sig)))
        goto done;
    out->as = as_value(a, sig, cvw, p, out->instance);
    if (!out->as) {
        rc = SW_ENOMEM;
        goto done;
    }
    out->sealed = 1;
    out->reason = sw_arena_printf(a, "sealed instance %d with cv=%s", out->instance, cvw);
done:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    sw_arc_ctx_free(c);
    return rc;
}
