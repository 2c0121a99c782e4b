/* The resolver front: normalised queries, the evidence log, names. See
 * include/spoofwatch/dns.h; backends are in dns_fixture.c (fixture, deny-network). */
#include "spoofwatch/dns.h"

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
