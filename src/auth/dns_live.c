/* The live resolver (include/spoofwatch/dns.h): c-ares in front of a recursive server,
 * with a positive/negative cache and a bounded time per query.
 *
 * The resolver owns its c-ares channel and its cache; every cache entry (name, records)
 * is malloc'd and freed when it expires, when the cache is flushed for being full
 * (SW_DNS_LIVE_CACHE entries), or with the resolver. Answers handed to callers are always
 * copies in the query's arena, so a flush never pulls records from under a verdict.
 * Answers are parsed here from the wire form (not with c-ares' per-type parsers) so that
 * every type, the obsolete SPF type 99 included, yields its records and their TTLs. */
#include "spoofwatch/dns.h"
#include "spoofwatch/limits.h"

#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#define LIVE_BUCKETS 4096

typedef struct centry {
    char *name;
    sw_dns_type type;
    sw_dns_status status;
    time_t expires; /* CLOCK_MONOTONIC seconds */
    sw_dns_rr *rrs; /* malloc'd, with their texts */
    size_t n;
    size_t bytes; /* what this entry holds, counted against SW_DNS_LIVE_CACHE_BYTES */
    struct centry *next;
} centry;

typedef struct live {
    ares_channel ch;
    sw_dns_live_opts opts;
    centry *buckets[LIVE_BUCKETS];
    size_t nentries;
    size_t bytes;
    sw_dns_live_stats stats;
} live;

static time_t now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static unsigned hash_key(const char *name, sw_dns_type type)
{
    unsigned h = 2166136261u ^ (unsigned)type;
    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 16777619u;
    return h % LIVE_BUCKETS;
}

static void free_rrs(sw_dns_rr *rrs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)rrs[i].text);
        for (size_t k = 0; k < rrs[i].nstrings; k++)
            free((char *)rrs[i].strings[k]);
        free((void *)rrs[i].strings);
    }
    free(rrs);
}

static void free_entry(centry *e)
{
    free(e->name);
    free_rrs(e->rrs, e->n);
    free(e);
}

static void flush(live *l)
{
    for (size_t b = 0; b < LIVE_BUCKETS; b++) {
        centry *e = l->buckets[b];
        while (e) {
            centry *next = e->next;
            free_entry(e);
            e = next;
        }
        l->buckets[b] = NULL;
    }
    l->nentries = 0;
    l->bytes = 0;
}

/* ---- the wire ---- */

static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Skips a (possibly compressed) name at p; its wire length, or -1. */
static long name_len(const unsigned char *abuf, int alen, const unsigned char *p)
{
    char *s = NULL;
    long enc = 0;
    if (ares_expand_name(p, abuf, alen, &s, &enc) != ARES_SUCCESS)
        return -1;
    ares_free_string(s);
    return enc;
}

/* A name in rdata (avail bytes of it left at p), malloc'd, trailing dot dropped; NULL when
 * malformed. ares_expand_name only knows the packet's end, so a name running past its
 * record's rdata (into the next record) is caught here. */
static char *rdata_name(const unsigned char *abuf, int alen, const unsigned char *p,
                        unsigned avail)
{
    char *s = NULL;
    long enc = 0;
    if (ares_expand_name(p, abuf, alen, &s, &enc) != ARES_SUCCESS)
        return NULL;
    if (enc < 1 || (unsigned long)enc > avail) {
        ares_free_string(s);
        return NULL;
    }
    size_t n = strlen(s);
    while (n && s[n - 1] == '.')
        n--;
    char *out = strndup(s, n);
    ares_free_string(s);
    return out;
}

/* One record of the asked type from its rdata into rr (malloc'd texts); 0, -1 malformed,
 * SW_ENOMEM. */
static int parse_rdata(const unsigned char *abuf, int alen, const unsigned char *rd,
                       unsigned rdlen, sw_dns_type type, sw_dns_rr *rr)
{
    char buf[INET6_ADDRSTRLEN];
    switch (type) {
    case SW_DNS_A:
    case SW_DNS_AAAA:
        if (rdlen != (type == SW_DNS_A ? 4u : 16u) ||
            !inet_ntop(type == SW_DNS_A ? AF_INET : AF_INET6, rd, buf, sizeof buf))
            return -1;
        rr->text = strdup(buf);
        rr->text_len = strlen(buf);
        return rr->text ? 0 : SW_ENOMEM;
    case SW_DNS_MX:
        if (rdlen < 3)
            return -1;
        rr->preference = (unsigned short)get16(rd);
        rr->text = rdata_name(abuf, alen, rd + 2, rdlen - 2);
        if (!rr->text)
            return -1;
        rr->text_len = strlen(rr->text);
        return 0;
    case SW_DNS_PTR:
    case SW_DNS_CNAME:
        rr->text = rdata_name(abuf, alen, rd, rdlen);
        if (!rr->text)
            return -1;
        rr->text_len = strlen(rr->text);
        return 0;
    case SW_DNS_TXT:
    case SW_DNS_SPF: {
        /* character-strings: joined without separators, and kept one by one */
        size_t count = 0, total = 0;
        for (unsigned o = 0; o < rdlen; o += 1u + rd[o]) {
            if (o + 1u + rd[o] > rdlen)
                return -1;
            count++;
            total += rd[o];
        }
        char *joined = malloc(total + 1);
        const char **strs = calloc(count ? count : 1, sizeof *strs);
        if (!joined || !strs) {
            free(joined);
            free(strs);
            return SW_ENOMEM;
        }
        size_t k = 0, j = 0;
        for (unsigned o = 0; o < rdlen; o += 1u + rd[o]) {
            memcpy(joined + j, rd + o + 1, rd[o]);
            j += rd[o];
            char *one = malloc(rd[o] + 1u);
            if (!one) {
                for (size_t i = 0; i < k; i++)
                    free((char *)strs[i]);
                free(strs);
                free(joined);
                return SW_ENOMEM;
            }
            memcpy(one, rd + o + 1, rd[o]);
            one[rd[o]] = '\0';
            strs[k++] = one;
        }
        joined[j] = '\0';
        rr->text = joined;
        rr->text_len = j;
        rr->strings = strs;
        rr->nstrings = k;
        return 0;
    }
    }
    return -1;
}

static int copy_out(sw_arena *a, const sw_dns_rr *rrs, size_t n, sw_dns_answer *out);

typedef struct pending {
    int done;
    int rc; /* 0 or SW_ENOMEM */
    sw_dns_type type;
    sw_dns_status status;
    sw_dns_rr *rrs;
    size_t n;
    size_t bytes; /* heap held by rrs */
    uint32_t ttl;
} pending;

/* A malformed packet (a bad or looping name, a record or count running past the end) is
 * a failed query, not an answer: keeping the records read before the damage would hand
 * SPF or DMARC a partial set (one TXT record of two, a NODATA that is not one). */
static void parse_answer(pending *q, const unsigned char *abuf, int alen)
{
    q->status = SW_DNS_TEMPFAIL;
    if (alen < 12)
        return;
    unsigned qd = get16(abuf + 4), an = get16(abuf + 6);
    const unsigned char *p = abuf + 12;
    size_t left = (size_t)alen - 12; /* bytes from p to the end: no pointer past the end */
    for (unsigned i = 0; i < qd; i++) {
        long nl = name_len(abuf, alen, p);
        if (nl < 0 || (size_t)nl + 4 > left)
            return;
        p += nl + 4;
        left -= (size_t)nl + 4;
    }
    sw_dns_rr *rrs = calloc(SW_DNS_LIVE_MAX_RRS, sizeof *rrs);
    if (!rrs) {
        q->rc = SW_ENOMEM;
        return;
    }
    size_t n = 0;
    uint32_t ttl = UINT32_MAX;
    for (unsigned i = 0; i < an; i++) {
        long nl = left ? name_len(abuf, alen, p) : -1;
        if (nl < 0 || (size_t)nl + 10 > left) {
            free_rrs(rrs, n);
            return;
        }
        p += nl;
        unsigned type = get16(p), rclass = get16(p + 2), rdlen = get16(p + 8);
        uint32_t rttl = get32(p + 4);
        if (rttl > INT32_MAX) /* RFC 2181 §8: a TTL with the top bit set means zero */
            rttl = 0;
        p += 10;
        left -= (size_t)nl + 10;
        if (rdlen > left) {
            free_rrs(rrs, n);
            return;
        }
        /* CNAMEs of the chain the server followed are skipped: the records asked for
         * follow them in the same answer */
        if (type == (unsigned)q->type && rclass == 1 /* IN */ && n < SW_DNS_LIVE_MAX_RRS) {
            sw_dns_rr rr = {.type = q->type};
            int rc = parse_rdata(abuf, alen, p, rdlen, q->type, &rr);
            if (rc == SW_ENOMEM) {
                free_rrs(rrs, n);
                q->rc = SW_ENOMEM;
                return;
            }
            if (rc) {
                free_rrs(rrs, n);
                return;
            }
            rr.ttl = rttl;
            rrs[n++] = rr;
            q->bytes += 2 * (rr.text_len + 1) + rr.nstrings * (sizeof(char *) + 16);
            if (rttl < ttl)
                ttl = rttl;
        }
        p += rdlen;
        left -= rdlen;
    }
    if (!n) {
        free(rrs);
        q->status = SW_DNS_NODATA;
        return;
    }
    q->status = SW_DNS_OK;
    q->bytes += SW_DNS_LIVE_MAX_RRS * sizeof *rrs;
    q->rrs = rrs;
    q->n = n;
    q->ttl = ttl;
}

int sw_dns_parse_answer(sw_arena *a, const unsigned char *abuf, size_t alen, sw_dns_type type,
                        sw_dns_answer *out, uint32_t *min_ttl)
{
    memset(out, 0, sizeof *out);
    pending q = {.type = type};
    /* a DNS message is at most 65535 bytes; anything longer cannot have come from a server */
    if (alen > 65535)
        q.status = SW_DNS_TEMPFAIL;
    else
        parse_answer(&q, abuf, (int)alen);
    int rc = q.rc ? q.rc : copy_out(a, q.rrs, q.n, out);
    out->status = q.status;
    if (min_ttl)
        *min_ttl = q.n ? q.ttl : 0;
    free_rrs(q.rrs, q.n);
    return rc;
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    (void)timeouts;
    pending *q = arg;
    q->done = 1;
    switch (status) {
    case ARES_SUCCESS: parse_answer(q, abuf, alen); break;
    case ARES_ENODATA: q->status = SW_DNS_NODATA; break;
    case ARES_ENOTFOUND:
    case ARES_EBADNAME: q->status = SW_DNS_NXDOMAIN; break;
    case ARES_ENOMEM: q->rc = SW_ENOMEM; break;
    default: q->status = SW_DNS_TEMPFAIL; break; /* timeout, SERVFAIL, refused, ... */
    }
}

/* ---- the backend ---- */

static int copy_out(sw_arena *a, const sw_dns_rr *rrs, size_t n, sw_dns_answer *out)
{
    sw_dns_rr *cp = sw_arena_alloc(a, (n ? n : 1) * sizeof *cp);
    if (!cp)
        return SW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        cp[i] = rrs[i];
        if (!(cp[i].text = sw_arena_strndup(a, rrs[i].text, rrs[i].text_len)))
            return SW_ENOMEM;
        if (rrs[i].nstrings) {
            const char **s = sw_arena_alloc(a, rrs[i].nstrings * sizeof *s);
            if (!s)
                return SW_ENOMEM;
            for (size_t k = 0; k < rrs[i].nstrings; k++)
                if (!(s[k] = sw_arena_strndup(a, rrs[i].strings[k], strlen(rrs[i].strings[k]))))
                    return SW_ENOMEM;
            cp[i].strings = s;
        }
    }
    out->rrs = cp;
    out->n = n;
    return 0;
}

static centry *cache_find(live *l, const char *name, sw_dns_type type, time_t now)
{
    centry **pp = &l->buckets[hash_key(name, type)];
    while (*pp) {
        centry *e = *pp;
        if (e->expires <= now) { /* drop stale entries as they are met */
            *pp = e->next;
            l->bytes -= e->bytes;
            free_entry(e);
            l->nentries--;
            continue;
        }
        if (e->type == type && !strcmp(e->name, name))
            return e;
        pp = &e->next;
    }
    return NULL;
}

static void wait_for(live *l, pending *q)
{
    while (!q->done) {
        fd_set rd, wr;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        int nfds = ares_fds(l->ch, &rd, &wr);
        struct timeval tv, *tvp = ares_timeout(l->ch, NULL, &tv);
        int rc = nfds ? select(nfds, &rd, &wr, NULL, tvp) : 0;
        if (nfds == 0 || (rc < 0 && errno != EINTR)) {
            /* no socket to wait on, or select broke: end the query now; c-ares calls
             * back with ARES_ECANCELLED, so nothing points at q afterwards */
            ares_cancel(l->ch);
            break;
        }
        ares_process(l->ch, &rd, &wr);
    }
}

static int live_lookup(sw_resolver *res, sw_arena *a, const char *name, sw_dns_type type,
                       sw_dns_answer *out)
{
    live *l = res->backend;
    time_t now = now_mono();
    l->stats.queries++;
    if (!l->opts.no_cache) {
        centry *e = cache_find(l, name, type, now);
        if (e) {
            l->stats.hits++;
            out->status = e->status;
            return copy_out(a, e->rrs, e->n, out);
        }
    }
    l->stats.misses++;
    pending q = {.type = type};
    ares_query(l->ch, name, 1 /* C_IN */, (int)type, on_answer, &q);
    wait_for(l, &q);
    if (!q.done)
        q.status = SW_DNS_TEMPFAIL;
    if (q.rc) {
        free_rrs(q.rrs, q.n);
        return q.rc;
    }
    out->status = q.status;
    int rc = copy_out(a, q.rrs, q.n, out);
    if (rc || q.status == SW_DNS_TEMPFAIL || l->opts.no_cache) {
        free_rrs(q.rrs, q.n);
        return rc;
    }
    size_t bytes = sizeof(centry) + strlen(name) + 1 + q.bytes;
    if (l->nentries >= SW_DNS_LIVE_CACHE || bytes > SW_DNS_LIVE_CACHE_BYTES - l->bytes) {
        flush(l);
        l->stats.flushes++;
    }
    centry *e = calloc(1, sizeof *e);
    if (!e || !(e->name = strdup(name))) {
        free(e);
        free_rrs(q.rrs, q.n);
        return 0; /* not remembered; the answer itself is already out */
    }
    uint32_t ttl = q.status == SW_DNS_OK ? q.ttl : l->opts.negative_ttl;
    if (ttl > l->opts.max_ttl)
        ttl = l->opts.max_ttl;
    e->type = type;
    e->status = q.status;
    e->rrs = q.rrs;
    e->n = q.n;
    e->bytes = bytes;
    e->expires = now + (time_t)ttl;
    unsigned h = hash_key(name, type);
    e->next = l->buckets[h];
    l->buckets[h] = e;
    l->nentries++;
    l->bytes += bytes;
    return 0;
}

static void live_destroy(sw_resolver *res)
{
    live *l = res->backend;
    flush(l);
    ares_destroy(l->ch);
    ares_library_cleanup();
    free(l);
    free(res);
}

sw_resolver *sw_dns_live_new(const sw_dns_live_opts *opts, sw_error *err)
{
    sw_resolver *r = calloc(1, sizeof *r);
    live *l = calloc(1, sizeof *l);
    if (!r || !l) {
        free(r);
        free(l);
        sw_error_set(err, SW_ENOMEM, "out of memory");
        return NULL;
    }
    if (opts)
        l->opts = *opts;
    if (!l->opts.timeout_ms)
        l->opts.timeout_ms = 2000;
    if (!l->opts.tries)
        l->opts.tries = 2;
    if (!l->opts.negative_ttl)
        l->opts.negative_ttl = 60;
    if (!l->opts.max_ttl || l->opts.max_ttl > SW_DNS_LIVE_MAX_TTL)
        l->opts.max_ttl = SW_DNS_LIVE_MAX_TTL;
    int rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) {
        sw_error_set(err, SW_EIO, "c-ares: %s", ares_strerror(rc));
        free(r);
        free(l);
        return NULL;
    }
    struct ares_options o;
    memset(&o, 0, sizeof o);
    o.timeout = (int)l->opts.timeout_ms;
    o.tries = (int)l->opts.tries;
    o.ndots = 1;
    o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
    o.ednspsz = 1232; /* the DNS flag day size; TXT records beyond it come over TCP */
    rc = ares_init_options(&l->ch, &o,
                           ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS | ARES_OPT_FLAGS |
                               ARES_OPT_EDNSPSZ);
    if (rc == ARES_SUCCESS && l->opts.servers && *l->opts.servers) {
        rc = ares_set_servers_ports_csv(l->ch, l->opts.servers);
        if (rc != ARES_SUCCESS) {
            sw_error_set(err, SW_EINVAL, "DNS servers \"%s\": %s", l->opts.servers,
                         ares_strerror(rc));
            ares_destroy(l->ch);
            ares_library_cleanup();
            free(r);
            free(l);
            return NULL;
        }
    }
    if (rc != ARES_SUCCESS) {
        sw_error_set(err, SW_EIO, "c-ares: %s", ares_strerror(rc));
        ares_library_cleanup();
        free(r);
        free(l);
        return NULL;
    }
    r->backend = l;
    r->lookup = live_lookup;
    r->destroy = live_destroy;
    return r;
}

void sw_dns_live_get_stats(const sw_resolver *r, sw_dns_live_stats *out)
{
    memset(out, 0, sizeof *out);
    if (r && r->lookup == live_lookup)
        *out = ((const live *)r->backend)->stats;
}
