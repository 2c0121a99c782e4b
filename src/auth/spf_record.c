/* SPF record parser (RFC 7208 §4.5, §4.6, §5, §6, §12 ABNF), see include/spoofwatch/spf.h.
 *
 * The whole record is checked before anything is evaluated: a syntax error anywhere is a
 * permerror even when an earlier term would have matched (suite: detect-errors-anywhere).
 * Terms, their texts and domain-specs are allocated in the caller's arena; the input is
 * only read (it may contain NUL bytes, which are syntax errors like any control byte). */
#include "spoofwatch/spf.h"
#include "spoofwatch/limits.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

int sw_spf_is_record(const char *text, size_t len)
{
    return len >= 6 && !strncasecmp(text, "v=spf1", 6) && (len == 6 || text[6] == ' ');
}

/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
static int is_modname(const char *s, size_t n)
{
    if (!n || !isalpha((unsigned char)s[0]) || (unsigned char)s[0] >= 0x80)
        return 0;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || !(isalnum(c) || c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

static int name_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && !strncasecmp(s, word, n);
}

static int all_digits(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* ip4-cidr-length = "/" ( "0" / %x31-39 0*1DIGIT ) <= 32; ip6: 0*2DIGIT, <= 128. */
static int parse_cidr(const char *s, size_t n, unsigned max, unsigned *out)
{
    if (!all_digits(s, n) || n > 3 || (n > 1 && s[0] == '0'))
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static int set_domain(sw_arena *a, const char *s, size_t n, const char **out)
{
    if (sw_spf_macro_check(s, n, SW_SPF_MACRO_DOMAIN))
        return SW_EFORMAT;
    *out = sw_arena_strndup(a, s, n);
    return *out ? 0 : SW_ENOMEM;
}

/* Mechanism term t (n bytes, qualifier included). */
static int parse_mechanism(sw_arena *a, const char *t, size_t n, sw_spf_term *m)
{
    size_t i = 0;
    m->qualifier = '+';
    if (n && (t[0] == '+' || t[0] == '-' || t[0] == '~' || t[0] == '?')) {
        m->qualifier = t[0];
        i = 1;
    }
    size_t ne = i;
    while (ne < n && t[ne] != ':' && t[ne] != '/')
        ne++;
    const char *name = t + i, *rest = t + ne;
    size_t nlen = ne - i, rlen = n - ne;
    m->cidr4 = 32;
    m->cidr6 = 128;
    if (name_is(name, nlen, "all")) {
        m->mech = SW_SPF_ALL;
        return rlen ? SW_EFORMAT : 0;
    }
    if (name_is(name, nlen, "include") || name_is(name, nlen, "exists")) {
        m->mech = name_is(name, nlen, "include") ? SW_SPF_INCLUDE : SW_SPF_EXISTS;
        if (rlen < 2 || rest[0] != ':')
            return SW_EFORMAT;
        return set_domain(a, rest + 1, rlen - 1, &m->domain_spec);
    }
    if (name_is(name, nlen, "a") || name_is(name, nlen, "mx")) {
        m->mech = name_is(name, nlen, "a") ? SW_SPF_A : SW_SPF_MX;
        /* dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], at the end; a
         * '/' followed by anything but digits belongs to the domain (a:foo:bar/baz.com) */
        const char *slash = rlen ? memrchr(rest, '/', rlen) : NULL;
        if (slash && all_digits(slash + 1, (size_t)(rest + rlen - slash - 1))) {
            size_t dlen = (size_t)(rest + rlen - slash - 1);
            if (slash > rest && slash[-1] == '/') {
                if (parse_cidr(slash + 1, dlen, 128, &m->cidr6))
                    return SW_EFORMAT;
                rlen = (size_t)(slash - 1 - rest);
                slash = rlen ? memrchr(rest, '/', rlen) : NULL;
                if (slash && all_digits(slash + 1, (size_t)(rest + rlen - slash - 1))) {
                    if (parse_cidr(slash + 1, (size_t)(rest + rlen - slash - 1), 32, &m->cidr4))
                        return SW_EFORMAT;
                    rlen = (size_t)(slash - rest);
                }
            } else {
                if (parse_cidr(slash + 1, dlen, 32, &m->cidr4))
                    return SW_EFORMAT;
                rlen = (size_t)(slash - rest);
            }
        }
        if (!rlen)
            return 0;
        if (rlen < 2 || rest[0] != ':')
            return SW_EFORMAT;
        return set_domain(a, rest + 1, rlen - 1, &m->domain_spec);
    }
    if (name_is(name, nlen, "ptr")) {
        m->mech = SW_SPF_PTR;
        if (!rlen)
            return 0;
        if (rlen < 2 || rest[0] != ':')
            return SW_EFORMAT;
        return set_domain(a, rest + 1, rlen - 1, &m->domain_spec);
    }
    int v6 = name_is(name, nlen, "ip6");
    if (v6 || name_is(name, nlen, "ip4")) {
        m->mech = v6 ? SW_SPF_IP6 : SW_SPF_IP4;
        if (rlen < 2 || rest[0] != ':')
            return SW_EFORMAT;
        const char *ip = rest + 1;
        size_t iplen = rlen - 1;
        const char *slash = memrchr(ip, '/', iplen);
        if (slash) {
            if (parse_cidr(slash + 1, (size_t)(ip + iplen - slash - 1), v6 ? 128 : 32,
                           v6 ? &m->cidr6 : &m->cidr4))
                return SW_EFORMAT;
            iplen = (size_t)(slash - ip);
        }
        char buf[64];
        if (!iplen || iplen >= sizeof buf)
            return SW_EFORMAT;
        memcpy(buf, ip, iplen);
        buf[iplen] = '\0';
        if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, m->addr) != 1)
            return SW_EFORMAT;
        return 0;
    }
    return SW_EFORMAT; /* an unknown mechanism */
}

int sw_spf_record_parse(sw_arena *a, const char *text, size_t len, sw_spf_record *out,
                        const char **why)
{
    memset(out, 0, sizeof *out);
    *why = NULL;
    if (len > SW_MAX_SPF_RECORD) {
        *why = "record longer than the SW_MAX_SPF_RECORD cap";
        return SW_ELIMIT;
    }
    if (!sw_spf_is_record(text, len)) {
        *why = "not a v=spf1 record";
        return SW_EFORMAT;
    }
    size_t cap = 1;
    for (size_t i = 6; i < len; i++)
        if (text[i] == ' ')
            cap++;
    if (cap > SW_MAX_SPF_TERMS)
        cap = SW_MAX_SPF_TERMS;
    out->terms = sw_arena_alloc(a, cap * sizeof *out->terms);
    if (!out->terms)
        return SW_ENOMEM;
    for (size_t i = 6; i < len;) {
        if (text[i] == ' ') { /* terms are separated by one or more spaces; trailing ok */
            i++;
            continue;
        }
        size_t s = i;
        while (i < len && text[i] != ' ')
            i++;
        const char *t = text + s;
        size_t n = i - s;
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)t[k] < 0x21 || (unsigned char)t[k] > 0x7e) {
                *why = sw_arena_printf(a, "invalid byte 0x%02x in term \"%.*s\"",
                                       (unsigned char)t[k], (int)(n > 200 ? 200 : n), t);
                return SW_EFORMAT;
            }
        const char *eq = memchr(t, '=', n);
        if (eq && is_modname(t, (size_t)(eq - t))) {
            size_t nn = (size_t)(eq - t);
            const char *v = eq + 1;
            size_t vlen = n - nn - 1;
            int redirect = name_is(t, nn, "redirect"), exp = name_is(t, nn, "exp");
            int rc;
            if (redirect || exp) {
                const char **slot = redirect ? &out->redirect : &out->exp;
                if (*slot) {
                    *why = sw_arena_printf(a, "%s= given twice", redirect ? "redirect" : "exp");
                    return SW_EFORMAT;
                }
                rc = set_domain(a, v, vlen, slot);
            } else {
                rc = sw_spf_macro_check(v, vlen, SW_SPF_MACRO_MODIFIER);
            }
            if (rc == SW_EFORMAT)
                *why = sw_arena_printf(a, "syntax error in modifier \"%.*s\"",
                                       (int)(n > 200 ? 200 : n), t);
            if (rc)
                return rc;
            continue;
        }
        if (out->nterms == cap) {
            *why = "more terms than the SW_MAX_SPF_TERMS cap";
            return SW_ELIMIT;
        }
        sw_spf_term *m = &out->terms[out->nterms];
        memset(m, 0, sizeof *m);
        int rc = parse_mechanism(a, t, n, m);
        if (rc == SW_EFORMAT)
            *why = sw_arena_printf(a, "syntax error in term \"%.*s\"", (int)(n > 200 ? 200 : n),
                                   t);
        if (rc)
            return rc;
        if (!(m->text = sw_arena_strndup(a, t, n)))
            return SW_ENOMEM;
        out->nterms++;
    }
    return 0;
}
