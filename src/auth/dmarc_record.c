/* DMARC record parser (RFC 7489 §6.3, RFC 9989 tags): sw_dmarc_policy_parse(), see
 * include/spoofwatch/dmarcpol.h.
 *
 * Input is one TXT record as published (untrusted, not NUL-terminated). Bad values fall
 * back to the defaults and are only counted or flagged, as RFC 7489 §6.3 asks; deciding
 * what an unusable policy means is the evaluation's (dmarc.c). Tag copies and the raw
 * record live in the caller's arena. */
#include "spoofwatch/dmarcpol.h"
#include "spoofwatch/error.h"
#include "spoofwatch/limits.h"

#include <string.h>
#include <strings.h>

static int is_wsp(char c)
{
    /* tag-list FWS: folded records arrive with CR LF too */
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && is_wsp(**s))
        (*s)++;
    while (*e > *s && is_wsp((*e)[-1]))
        (*e)--;
}

static int eq_ci(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && !strncasecmp(s, lit, n);
}

static sw_dmarc_policy policy_word(const char *s, size_t n)
{
    if (eq_ci(s, n, "none"))
        return SW_DMARC_POLICY_NONE;
    if (eq_ci(s, n, "quarantine"))
        return SW_DMARC_POLICY_QUARANTINE;
    if (eq_ci(s, n, "reject"))
        return SW_DMARC_POLICY_REJECT;
    return SW_DMARC_POLICY_UNSET;
}

/* Decimal, digits only, at most `maxdigits`; -1 when not one. */
static long long decimal(const char *s, size_t n, size_t maxdigits)
{
    if (!n || n > maxdigits)
        return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* At least one syntactically valid URI (RFC 3986 scheme ":" something) in a
 * comma-separated DMARC URI list; a "!size" suffix (RFC 7489) is allowed. */
static int uri_list_valid(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *q = memchr(p, ',', (size_t)(end - p));
        const char *ue = q ? q : end, *us = p;
        trim(&us, &ue);
        size_t i = 0, len = (size_t)(ue - us);
        int ok = len > 0 && ((us[0] | 32) >= 'a' && (us[0] | 32) <= 'z');
        for (i = 1; ok && i < len && us[i] != ':'; i++) {
            char c = us[i];
            if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9') && c != '+' &&
                c != '-' && c != '.')
                ok = 0;
        }
        if (ok && i < len && us[i] == ':' && i + 1 < len) {
            int clean = 1;
            for (size_t k = i + 1; k < len; k++)
                if (is_wsp(us[k]) || (unsigned char)us[k] < 0x21)
                    clean = 0;
            if (clean && us[i + 1] != '!')
                return 1;
        }
        p = q ? q + 1 : end;
    }
    return 0;
}

enum {
    T_P = 1 << 0, T_SP = 1 << 1, T_NP = 1 << 2, T_ADKIM = 1 << 3, T_ASPF = 1 << 4,
    T_PCT = 1 << 5, T_PSD = 1 << 6, T_T = 1 << 7, T_RUA = 1 << 8, T_RUF = 1 << 9,
    T_FO = 1 << 10, T_RF = 1 << 11, T_RI = 1 << 12, T_V = 1 << 13
};

static const struct {
    const char *name;
    unsigned bit;
} known_tags[] = {{"p", T_P},     {"sp", T_SP},   {"np", T_NP},   {"adkim", T_ADKIM},
                  {"aspf", T_ASPF}, {"pct", T_PCT}, {"psd", T_PSD}, {"t", T_T},
                  {"rua", T_RUA}, {"ruf", T_RUF}, {"fo", T_FO},   {"rf", T_RF},
                  {"ri", T_RI},   {"v", T_V}};

int sw_dmarc_policy_parse(sw_arena *a, const char *txt, size_t len, sw_dmarc_policy_record *out)
{
    memset(out, 0, sizeof *out);
    out->adkim = out->aspf = 'r';
    out->pct = 100;
    out->psd = 'u';
    out->ri = 86400;
    if (!txt)
        return SW_ENOTFOUND;
    if (len > SW_DMARC_MAX_RECORD)
        return SW_ELIMIT;
    const char *p = txt, *end = txt + len;
    unsigned seen = 0;
    int first = 1;
    while (p <= end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *s = p, *e = semi ? semi : end;
        p = semi ? semi + 1 : end + 1;
        trim(&s, &e);
        if (s == e) {
            if (first)
                return SW_ENOTFOUND; /* the record must open with v= */
            continue;                /* empty segment, e.g. a trailing ';' */
        }
        const char *eq = memchr(s, '=', (size_t)(e - s));
        const char *ns = s, *ne = eq ? eq : e, *vs = eq ? eq + 1 : e, *ve = e;
        trim(&ns, &ne);
        trim(&vs, &ve);
        size_t nl = (size_t)(ne - ns), vl = (size_t)(ve - vs);
        if (first) {
            /* v is an ABNF literal (case-insensitive name), DMARC1 an exact value */
            if (!eq || !eq_ci(ns, nl, "v") || vl != 6 || memcmp(vs, "DMARC1", 6))
                return SW_ENOTFOUND;
            first = 0;
            seen |= T_V;
            continue;
        }
        if (!eq || nl == 0) {
            out->malformed_tags++;
            continue;
        }
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof known_tags / sizeof known_tags[0]; i++)
            if (eq_ci(ns, nl, known_tags[i].name))
                bit = known_tags[i].bit;
        if (!bit) {
            out->unknown_tags++;
            continue;
        }
        if (seen & bit) {
            out->duplicate_tags++; /* the first copy stands */
            continue;
        }
        seen |= bit;
        char *val = sw_arena_strndup(a, vs, vl);
        if (!val)
            return SW_ENOMEM;
        switch (bit) {
        case T_P:
        case T_SP:
        case T_NP: {
            sw_dmarc_policy pol = policy_word(vs, vl);
            if (bit == T_P) {
                out->p_present = 1;
                out->p = pol;
                out->p_invalid = pol == SW_DMARC_POLICY_UNSET;
            } else if (bit == T_SP) {
                out->sp_present = 1;
                out->sp = pol;
                out->sp_invalid = pol == SW_DMARC_POLICY_UNSET;
            } else {
                out->np_present = 1;
                out->np = pol;
                out->np_invalid = pol == SW_DMARC_POLICY_UNSET;
            }
            break;
        }
        case T_ADKIM:
        case T_ASPF:
            if (vl == 1 && ((vs[0] | 32) == 'r' || (vs[0] | 32) == 's')) {
                if (bit == T_ADKIM)
                    out->adkim = (char)(vs[0] | 32);
                else
                    out->aspf = (char)(vs[0] | 32);
            }
            break;
        case T_PCT: {
            long long v = decimal(vs, vl, 3);
            out->pct_present = 1;
            if (v < 0 || v > 100)
                out->pct_invalid = 1; /* RFC 7489 §6.3: syntax errors fall back to defaults */
            else
                out->pct = (int)v;
            break;
        }
        case T_PSD:
            if (vl == 1 && ((vs[0] | 32) == 'y' || (vs[0] | 32) == 'n' || (vs[0] | 32) == 'u'))
                out->psd = (char)(vs[0] | 32);
            break;
        case T_T:
            if (vl == 1 && ((vs[0] | 32) == 'y' || (vs[0] | 32) == 'n'))
                out->testing = (vs[0] | 32) == 'y';
            break;
        case T_RUA:
            out->rua = val;
            out->rua_valid = uri_list_valid(vs, vl);
            break;
        case T_RUF: out->ruf = val; break;
        case T_FO: out->fo = val; break;
        case T_RF: out->rf = val; break;
        case T_RI: {
            long long v = decimal(vs, vl, 10);
            if (v >= 0 && v <= 0xffffffffLL) {
                out->ri = (unsigned long)v;
                out->ri_present = 1;
            }
            break;
        }
        }
    }
    if (first)
        return SW_ENOTFOUND;
    if (!(out->raw = sw_arena_strndup(a, txt, len)))
        return SW_ENOMEM;
    out->raw_len = len;
    return 0;
}
