/* MIME walker: see include/spoofwatch/mime.h.
 *
 * The walk is recursive over multiparts (depth-capped); each part's header block is read
 * with sw_header_scan(), so parts get the same tolerant header parsing as messages. Every
 * span stays inside the message; all allocations are in the caller's arena. */
#include "spoofwatch/mime.h"
#include "spoofwatch/hex.h"
#include "spoofwatch/base64.h"
#include "spoofwatch/error.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

typedef struct walk {
    sw_arena *a;
    const char *msg;
    sw_mime *out;
    size_t cap;
    int oom;
} walk;

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *lower_dup(sw_arena *a, const char *s, size_t n)
{
    char *o = sw_arena_strndup(a, s, n);
    if (o)
        for (size_t i = 0; i < n; i++)
            o[i] = (char)tolower((unsigned char)o[i]);
    return o;
}

/* %xx decoding of an RFC 2231 extended value, appended to out (room checked by caller). */
static size_t pct_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = sw_hex_value((unsigned char)s[i + 1])) >= 0 &&
            (l = sw_hex_value((unsigned char)s[i + 2])) >= 0) {
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

#define SW_MIME_MAX_SECTIONS 32

const char *sw_mime_param(sw_arena *a, const char *value, const char *name)
{
    if (!value || !name)
        return NULL;
    size_t nl = strlen(name);
    const char *p = strchr(value, ';');
    /* continuations name*0, name*1...: pieces by section number, then joined */
    const char *piece[SW_MIME_MAX_SECTIONS];
    size_t piece_len[SW_MIME_MAX_SECTIONS];
    int piece_ext[SW_MIME_MAX_SECTIONS];
    memset(piece, 0, sizeof piece);
    const char *plain = NULL, *ext = NULL;
    size_t plain_len = 0, ext_len = 0;
    while (p && *p) {
        while (*p == ';' || is_ws(*p))
            p++;
        const char *ns = p;
        while (*p && *p != '=' && *p != ';' && !is_ws(*p))
            p++;
        size_t len = (size_t)(p - ns);
        while (is_ws(*p))
            p++;
        if (*p != '=')
            continue;
        p++;
        while (is_ws(*p))
            p++;
        const char *vs = p, *ve;
        char *unq = NULL;
        if (*p == '"') {
            /* quoted string: copy without the quoting backslashes */
            const char *q = ++p;
            size_t cnt = 0;
            while (*q && *q != '"') {
                if (*q == '\\' && q[1])
                    q++;
                q++;
                cnt++;
            }
            unq = sw_arena_alloc(a, cnt + 1);
            if (!unq)
                return NULL;
            size_t o = 0;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1])
                    p++;
                unq[o++] = *p++;
            }
            unq[o] = '\0';
            if (*p == '"')
                p++;
            vs = unq;
            ve = unq + o;
        } else {
            while (*p && *p != ';' && !is_ws(*p))
                p++;
            ve = p;
        }
        if (len < nl || strncasecmp(ns, name, nl))
            continue;
        const char *rest = ns + nl;
        size_t rl = len - nl;
        if (rl == 0) {
            if (!plain) {
                plain = vs;
                plain_len = (size_t)(ve - vs);
            }
        } else if (rl == 1 && *rest == '*') {
            if (!ext) {
                ext = vs;
                ext_len = (size_t)(ve - vs);
            }
        } else if (*rest == '*' && isdigit((unsigned char)rest[1])) {
            size_t k = 1;
            unsigned sec = 0;
            while (k < rl && isdigit((unsigned char)rest[k]) && sec < 1000)
                sec = sec * 10 + (unsigned)(rest[k++] - '0');
            int star = k < rl && rest[k] == '*';
            if (k + (size_t)star == rl && sec < SW_MIME_MAX_SECTIONS && !piece[sec]) {
                piece[sec] = vs;
                piece_len[sec] = (size_t)(ve - vs);
                piece_ext[sec] = star;
            }
        }
    }
    if (ext) {
        /* charset'language'value: the charset is not converted (report names are ASCII) */
        const char *q1 = memchr(ext, '\'', ext_len);
        const char *q2 = q1 ? memchr(q1 + 1, '\'', ext_len - (size_t)(q1 + 1 - ext)) : NULL;
        const char *v = q2 ? q2 + 1 : ext;
        size_t vl = ext_len - (size_t)(v - ext);
        char *o = sw_arena_alloc(a, vl + 1);
        if (!o)
            return NULL;
        o[pct_decode(v, vl, o)] = '\0';
        return o;
    }
    if (piece[0]) {
        size_t total = 0;
        int n = 0;
        while (n < SW_MIME_MAX_SECTIONS && piece[n])
            total += piece_len[n++];
        char *o = sw_arena_alloc(a, total + 1);
        if (!o)
            return NULL;
        size_t at = 0;
        for (int i = 0; i < n; i++) {
            const char *v = piece[i];
            size_t vl = piece_len[i];
            if (piece_ext[i]) {
                if (i == 0) {
                    const char *q1 = memchr(v, '\'', vl);
                    const char *q2 = q1 ? memchr(q1 + 1, '\'', vl - (size_t)(q1 + 1 - v)) : NULL;
                    if (q2) {
                        vl -= (size_t)(q2 + 1 - v);
                        v = q2 + 1;
                    }
                }
                at += pct_decode(v, vl, o + at);
            } else {
                memcpy(o + at, v, vl);
                at += vl;
            }
        }
        o[at] = '\0';
        return o;
    }
    if (plain)
        return sw_arena_strndup(a, plain, plain_len);
    return NULL;
}

/* The first token of a structured value (before ';'), lower case. */
static const char *main_value(sw_arena *a, const char *v)
{
    if (!v)
        return NULL;
    while (is_ws(*v))
        v++;
    size_t n = strcspn(v, ";");
    while (n && is_ws(v[n - 1]))
        n--;
    return n ? lower_dup(a, v, n) : NULL;
}

static sw_mime_part *add_part(walk *w)
{
    sw_mime *m = w->out;
    if (m->nparts == SW_MIME_MAX_PARTS) {
        m->flags |= SW_MIME_TOO_MANY_PARTS;
        return NULL;
    }
    if (m->nparts == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 8;
        sw_mime_part *n = sw_arena_alloc(w->a, ncap * sizeof *n);
        if (!n) {
            w->oom = 1;
            return NULL;
        }
        if (m->nparts)
            memcpy(n, m->parts, m->nparts * sizeof *n);
        m->parts = n;
        w->cap = ncap;
    }
    sw_mime_part *p = &m->parts[m->nparts++];
    memset(p, 0, sizeof *p);
    return p;
}

/* Is there a delimiter line "--boundary[--]" at s (a line start)? Sets *close and the
 * offset just past the line's end. */
static int delim_at(const char *s, const char *end, const char *b, size_t bl, int *close,
                    const char **after)
{
    if ((size_t)(end - s) < bl + 2 || s[0] != '-' || s[1] != '-' || memcmp(s + 2, b, bl))
        return 0;
    const char *p = s + 2 + bl;
    *close = 0;
    if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
        *close = 1;
        p += 2;
    }
    /* transport padding only: "--b" followed by other text is a longer boundary */
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < end && *p == '\r')
        p++;
    if (p < end && *p != '\n')
        return 0;
    *after = p < end ? p + 1 : p;
    return 1;
}

/* The next delimiter line at or after s; NULL when none. */
static const char *next_delim(const char *s, const char *end, const char *b, size_t bl,
                              int *close, const char **after)
{
    const char *p = s;
    while (p < end) {
        if (delim_at(p, end, b, bl, close, after))
            return p;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    return NULL;
}

static void walk_part(walk *w, size_t start, size_t len, int depth, int parent,
                      const char *default_type);

static void walk_children(walk *w, const sw_mime_part *mp, int self, int depth)
{
    const char *b = mp->boundary;
    size_t bl = strlen(b);
    const char *body = mp->body, *end = mp->body + mp->body_len;
    const char *def = !strcmp(mp->type, "multipart/digest") ? "message/rfc822" : "text/plain";
    int close = 0;
    const char *after;
    const char *d = next_delim(body, end, b, bl, &close, &after);
    while (d && !close && !w->oom) {
        const char *cs = after;
        const char *nd = next_delim(cs, end, b, bl, &close, &after);
        const char *ce = nd ? nd : end;
        /* the line break before a delimiter belongs to the delimiter */
        if (nd && ce > cs && ce[-1] == '\n')
            ce--;
        if (nd && ce > cs && ce[-1] == '\r')
            ce--;
        if (!nd)
            w->out->flags |= SW_MIME_NO_CLOSE;
        walk_part(w, (size_t)(cs - w->msg), (size_t)(ce - cs), depth + 1, self, def);
        if (w->out->flags & SW_MIME_TOO_MANY_PARTS)
            return;
        d = nd;
    }
}

static void walk_part(walk *w, size_t start, size_t len, int depth, int parent,
                      const char *default_type)
{
    sw_mime_part *p = add_part(w);
    if (!p)
        return;
    int self = (int)(p - w->out->parts);
    const char *s = w->msg + start;
    sw_error err;
    sw_error_clear(&err);
    /* a part may begin with its empty line (no header fields at all) */
    if (len && (s[0] == '\n' || (s[0] == '\r' && len > 1 && s[1] == '\n'))) {
        memset(&p->headers, 0, sizeof p->headers);
        for (int i = 0; i < SW_HEADER_BUCKETS; i++)
            p->headers.bucket_head[i] = p->headers.bucket_tail[i] = -1;
        p->headers.header_len = p->headers.body_offset = s[0] == '\n' ? 1 : 2;
    } else if (sw_header_scan(w->a, s, len, &p->headers, &err)) {
        w->oom = 1;
        w->out->nparts--;
        return;
    }
    p->offset = start;
    p->depth = depth;
    p->parent = parent;
    p->body = s + p->headers.body_offset;
    p->body_len = len - p->headers.body_offset;

    const char *ct = sw_header_first_value(&p->headers, "Content-Type");
    const char *type = main_value(w->a, ct);
    p->type = type && strchr(type, '/') ? type : default_type;
    p->charset = sw_mime_param(w->a, ct, "charset");
    p->name = sw_mime_param(w->a, ct, "name");
    const char *rt = sw_mime_param(w->a, ct, "report-type");
    p->report_type = rt ? lower_dup(w->a, rt, strlen(rt)) : NULL;
    const char *cd = sw_header_first_value(&p->headers, "Content-Disposition");
    p->disposition = main_value(w->a, cd);
    p->filename = sw_mime_param(w->a, cd, "filename");
    const char *cte =
        main_value(w->a, sw_header_first_value(&p->headers, "Content-Transfer-Encoding"));
    p->encoding = cte ? cte : "7bit";

    if (strncmp(p->type, "multipart/", 10))
        return;
    const char *b = sw_mime_param(w->a, ct, "boundary");
    if (!b || !*b || strlen(b) > 200) {
        w->out->flags |= SW_MIME_NO_BOUNDARY;
        return;
    }
    p->boundary = b;
    if (depth + 1 > SW_MIME_MAX_DEPTH) {
        w->out->flags |= SW_MIME_TOO_DEEP;
        return;
    }
    /* copy: the array may move while the children are added */
    sw_mime_part mp = *p;
    walk_children(w, &mp, self, depth);
}

int sw_mime_parse(sw_arena *a, const char *msg, size_t len, sw_mime *out)
{
    memset(out, 0, sizeof *out);
    walk w = {.a = a, .msg = msg, .out = out};
    walk_part(&w, 0, len, 0, -1, "text/plain");
    return w.oom ? SW_ENOMEM : SW_OK;
}

/* Bodies from some senders use the URL-safe alphabet (RFC 4648 §5): '-' and '_' too. */
static int b64val(unsigned char c)
{
    return c == '-' ? 62 : c == '_' ? 63 : sw_base64_value(c);
}

size_t sw_mime_base64(const char *in, size_t n, unsigned char *out)
{
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '=')
            break;
        int v = b64val(c);
        if (v < 0)
            continue; /* line breaks and stray bytes */
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return o;
}

static size_t qp_decode(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] != '=') {
            out[o++] = in[i];
            continue;
        }
        int h, l;
        if (i + 2 < n && (h = sw_hex_value((unsigned char)in[i + 1])) >= 0 &&
            (l = sw_hex_value((unsigned char)in[i + 2])) >= 0) {
            out[o++] = (char)(h * 16 + l);
            i += 2;
            continue;
        }
        /* soft line break: "=" then optional blanks then the end of line */
        size_t j = i + 1;
        while (j < n && (in[j] == ' ' || in[j] == '\t'))
            j++;
        if (j < n && in[j] == '\r')
            j++;
        if (j < n && in[j] == '\n') {
            i = j;
            continue;
        }
        if (j >= n) {
            i = n;
            continue;
        }
        out[o++] = '='; /* a stray "=" is kept as written */
    }
    return o;
}

int sw_mime_decode(sw_arena *a, const sw_mime_part *p, const char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    size_t n = p->body_len;
    if (n > SW_MIME_MAX_DECODED)
        return -1;
    char *o = sw_arena_alloc(a, n + 4);
    if (!o)
        return -1;
    size_t len;
    if (!strcmp(p->encoding, "base64"))
        len = sw_mime_base64(p->body, n, (unsigned char *)o);
    else if (!strcmp(p->encoding, "quoted-printable"))
        len = qp_decode(p->body, n, o);
    else {
        memcpy(o, p->body, n);
        len = n;
    }
    o[len] = '\0';
    *out = o;
    *out_len = len;
    return 0;
}
