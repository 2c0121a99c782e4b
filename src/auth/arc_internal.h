/* ARC internals shared by arc.c (chain validation) and arc_seal.c (sealing, which
 * validates the chain it extends); not public API. The digest callback, base64, RSA
 * verification and key table are DKIM's (dkim_internal.h). */
#ifndef SW_ARC_INTERNAL_H
#define SW_ARC_INTERNAL_H

#include "spoofwatch/arc.h"
#include "spoofwatch/canon.h"
#include "spoofwatch/limits.h"
#include "dkim_internal.h"

#include <openssl/evp.h>

typedef struct actx {
    sw_arena *a;
    const sw_header_block *h;
    sw_resolver *r;
    int64_t now;
    sw_arc_opts o;
    const char *body;
    size_t body_len;
    sw_dkim_fetched keys[SW_MAX_ARC_KEYS]; /* sw_dkim_key_get's table, one per key name */
    size_t nkeys;
    sw_dkim_bodyhashes *bh; /* opts.bodyhashes (DKIM's for the same message) or own_bh */
    sw_dkim_bodyhashes own_bh;
    const EVP_MD *sha256;   /* the key cache's fetched SHA-256, else EVP_sha256() */
    EVP_MD_CTX *mdctx;      /* for body hashes: the key cache's (lent, returned by
                               sw_arc_ctx_free), or owned and freed there */
} actx;

/* Growable text in the arena (sealing builds a few short strings). */
typedef struct sbuf {
    sw_arena *a;
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

/* A context for msg[0..len) with header block h (opts NULL: defaults); NULL when out of
 * memory. With opts->keys, a full key cache is emptied here (no key of this message
 * points into it yet). sw_arc_ctx_free releases the keys fetched through it. */
actx *sw_arc_ctx_new(sw_arena *a, const char *msg, size_t len, const sw_header_block *h,
                     sw_resolver *r, int64_t now, const sw_arc_opts *opts);
void sw_arc_ctx_free(actx *c);
/* RFC 8617 §5.2 over c's message into *out; the collected sets in *sets_out (arena).
 * 0, or SW_E* (a failed chain is 0 with out->result set). */
int sw_arc_validate(actx *c, sw_arc_report *out, sw_arc_set **sets_out, size_t *nsets_out);
/* The SHA-256 body hash for canonicalization m and l= (has_l), computed once per body-hash
 * set (the context's, or the one DKIM shared); NULL when out of memory. Good until the
 * next call (dkim_internal.h). */
const sw_dkim_bodyhash *sw_arc_body_hash(actx *c, sw_canon_mode m, int has_l, uint64_t l);

/* A field of the message, relaxed, into md (crlf: with its line end). */
void sw_arc_canon_field(const sw_header_field *f, int crlf, EVP_MD_CTX *md);

/* Appends to b; once out of memory b->oom is set and nothing more is added. */
void sw_arc_sb_put(sbuf *b, const char *s, size_t n);
void sw_arc_sb_str(sbuf *b, const char *s);
void sw_arc_sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text ("" when nothing was added), or NULL after running out of memory. */
const char *sw_arc_sb_done(sbuf *b);

#endif
