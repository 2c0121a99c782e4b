/* The resolver front: normalised queries, the evidence log, names. See
 * include/spoofwatch/dns.h; backends are in dns_fixture.c (fixture, deny-network). */
#include "spoofwatch/dns.h"
#include "spoofwatch/authfmt.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int sw_dns_query(sw_resolver *r, sw_arena *a, const char *name, sw_dns_type type,
                 sw_dns_answer *out)
{
    memset(out, 0, sizeof *out);
    size_t n = name ? strlen(name) : 0;
    while (n && name[n - 1] == '.')
        n--;
    char *norm = sw_arena_strndup_lower(a, name ? name : "", n);
    sw_dns_logentry *e = sw_arena_alloc(a, sizeof *e);
    if (!norm || !e)
        return SW_ENOMEM;
    int rc = r->lookup(r, a, norm, type, out);
    if (rc)
        return rc;
    e->name = norm;
    e->type = type;
    e->answer = *out;
    e->next = r->log;
    r->log = e;
    r->nqueries++;
    return 0;
}

size_t sw_dns_log_in_order(const sw_dns_logentry *log, const sw_dns_logentry **out, size_t max)
{
    size_t n = 0;
    for (const sw_dns_logentry *e = log; e && n < max; e = e->next)
        n++;
    size_t i = n;
    for (const sw_dns_logentry *e = log; e && i; e = e->next)
        out[--i] = e;
    return n;
}

void sw_dns_log_reset(sw_resolver *r)
{
    r->log = NULL;
    r->nqueries = 0;
}

void sw_resolver_free(sw_resolver *r)
{
    if (r && r->destroy)
        r->destroy(r);
}

static const struct {
    sw_dns_type type;
    const char *name;
} type_names[] = {{SW_DNS_A, "A"},     {SW_DNS_AAAA, "AAAA"}, {SW_DNS_TXT, "TXT"},
                  {SW_DNS_MX, "MX"},   {SW_DNS_PTR, "PTR"},   {SW_DNS_CNAME, "CNAME"},
                  {SW_DNS_SPF, "SPF"}};

const char *sw_dns_type_name(sw_dns_type t)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].type == t)
            return type_names[i].name;
    return "?";
}

int sw_dns_type_from_name(const char *name, sw_dns_type *out)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (!strcasecmp(type_names[i].name, name)) {
            *out = type_names[i].type;
            return 0;
        }
    return -1;
}

const char *sw_dns_status_name(sw_dns_status s)
{
    switch (s) {
    case SW_DNS_OK: return "ok";
    case SW_DNS_NXDOMAIN: return "nxdomain";
    case SW_DNS_NODATA: return "nodata";
    case SW_DNS_TEMPFAIL: return "tempfail";
    case SW_DNS_DENIED: return "denied";
    }
    return "?";
}

/* ---- explanation text (include/spoofwatch/authfmt.h) ---- */

/* Appends n bytes to buf[0..cap) at *k as far as they fit (one byte kept for the NUL);
 * *k counts them all, as vsnprintf's return value does. */
static void fmt_put(char *buf, size_t cap, size_t *k, const char *s, size_t n)
{
    if (*k + 1 < cap) {
        size_t room = cap - 1 - *k;
        memcpy(buf + *k, s, n < room ? n : room);
    }
    *k += n;
}

/* Decimal digits of v (with a '-' when neg) ending at end; returns where they start. */
static char *fmt_dec(char *end, unsigned long long v, int neg)
{
    char *p = end;
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    if (neg)
        *--p = '-';
    return p;
}

static char *fmt_signed(char *end, long long v)
{
    return v < 0 ? fmt_dec(end, 0ull - (unsigned long long)v, 1) : fmt_dec(end, (unsigned long long)v, 0);
}

int sw_auth_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    va_list again; /* for vsnprintf from the start when a conversion is not ours */
    va_copy(again, ap);
    size_t k = 0;
    const char *p = fmt;
    for (;;) {
        const char *pct = strchr(p, '%');
        fmt_put(buf, cap, &k, p, pct ? (size_t)(pct - p) : strlen(p));
        if (!pct)
            break;
        p = pct + 1;
        char num[24], *end = num + sizeof num;
        const char *s;
        size_t n;
        if (p[0] == 's') {
            s = va_arg(ap, const char *);
            if (!s)
                goto other;
            n = strlen(s);
            p += 1;
        } else if (p[0] == '.' && p[1] == '*' && p[2] == 's') {
            int prec = va_arg(ap, int);
            s = va_arg(ap, const char *);
            if (!s || prec < 0)
                goto other;
            n = strnlen(s, (size_t)prec);
            p += 3;
        } else if (p[0] == '%') {
            s = "%";
            n = 1;
            p += 1;
        } else {
            if (p[0] == 'd') {
                s = fmt_signed(end, va_arg(ap, int));
                p += 1;
            } else if (p[0] == 'u') {
                s = fmt_dec(end, va_arg(ap, unsigned), 0);
                p += 1;
            } else if (p[0] == 'z' && p[1] == 'u') {
                s = fmt_dec(end, va_arg(ap, size_t), 0);
                p += 2;
            } else if (p[0] == 'l' && p[1] == 'd') {
                s = fmt_signed(end, va_arg(ap, long));
                p += 2;
            } else if (p[0] == 'l' && p[1] == 'l' && p[2] == 'd') {
                s = fmt_signed(end, va_arg(ap, long long));
                p += 3;
            } else if (p[0] == 'l' && p[1] == 'l' && p[2] == 'u') {
                s = fmt_dec(end, va_arg(ap, unsigned long long), 0);
                p += 3;
            } else {
                goto other;
            }
            n = (size_t)(end - s);
        }
        fmt_put(buf, cap, &k, s, n);
    }
    if (cap)
        buf[k < cap ? k : cap - 1] = '\0';
    va_end(again);
    return k > INT_MAX ? -1 : (int)k;
other:;
    int r = vsnprintf(buf, cap, fmt, again);
    va_end(again);
    return r;
}

char *sw_auth_vprintf(sw_arena *a, const char *fmt, va_list ap)
{
    char text[1024];
    int n = sw_auth_vformat(text, sizeof text, fmt, ap);
    if (n < 0)
        return NULL;
    size_t len = (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
    return sw_arena_strndup(a, text, len);
}

char *sw_auth_printf(sw_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = sw_auth_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}
