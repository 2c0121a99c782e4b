/* Detection configuration defaults: see include/spoofwatch/config.h. The YAML loader is in
 * config_yaml.c. */
#include "spoofwatch/config.h"
#include "spoofwatch/limits.h"

#include <string.h>
#include <strings.h>

/* Each default list is written once, as an X-macro, so that its entries' lengths are
 * compile-time constants beside it (sw_strlist_has_domain's loop measured every entry). */
#define SW_NAME(s) s,
#define SW_LEN(s) (uint8_t)(sizeof s - 1),

/* Free-mail providers: a Reply-To there while From is a company is a classic BEC shape. */
#define DEFAULT_FREEMAIL(X)                                                                      \
    X("gmail.com") X("googlemail.com") X("yahoo.com") X("yahoo.co.uk") X("yahoo.fr")            \
    X("ymail.com") X("hotmail.com") X("hotmail.co.uk") X("outlook.com") X("live.com")          \
    X("msn.com") X("aol.com") X("icloud.com") X("me.com") X("mac.com") X("gmx.com")            \
    X("gmx.de") X("gmx.net") X("web.de") X("mail.com") X("mail.ru") X("yandex.ru")             \
    X("yandex.com") X("proton.me") X("protonmail.com") X("zoho.com") X("qq.com") X("163.com")  \
    X("126.com") X("naver.com") X("rediffmail.com") X("tutanota.com") X("libero.it")          \
    X("orange.fr") X("free.fr")
static const char *const default_freemail[] = {DEFAULT_FREEMAIL(SW_NAME) NULL};
static const uint8_t default_freemail_len[] = {DEFAULT_FREEMAIL(SW_LEN)};

/* Brands most often impersonated in display names; configurable. */
#define DEFAULT_BRANDS(X)                                                                        \
    X("paypal.com") X("microsoft.com") X("office.com") X("apple.com") X("amazon.com")          \
    X("google.com") X("netflix.com") X("dhl.com") X("fedex.com") X("ups.com")                  \
    X("docusign.net") X("adobe.com") X("dropbox.com") X("linkedin.com") X("facebook.com")      \
    X("instagram.com") X("wellsfargo.com") X("chase.com") X("bankofamerica.com")               \
    X("americanexpress.com") X("coinbase.com") X("binance.com") X("ebay.com") X("usps.com")    \
    X("irs.gov")
static const char *const default_brands[] = {DEFAULT_BRANDS(SW_NAME) NULL};
static const uint8_t default_brands_len[] = {DEFAULT_BRANDS(SW_LEN)};

static sw_strlist from_static(const char *const *v)
{
    size_t n = 0;
    while (v[n])
        n++;
    sw_strlist l = {(const char **)v, n};
    return l;
}

void sw_config_defaults(sw_config *c)
{
    memset(c, 0, sizeof *c);
    sw_arena_init(&c->arena, SW_MAX_ARENA);
    c->freemail_domains = from_static(default_freemail);
    c->brand_domains = from_static(default_brands);
    c->threshold_suspicious = 30;
    c->threshold_spoofed = 60;
}

void sw_config_free(sw_config *c)
{
    sw_arena_free(&c->arena);
    memset(c, 0, sizeof *c);
}

/* The entries' lengths when l is one of the default lists (a loaded configuration may
 * have replaced either), else NULL. */
static const uint8_t *default_lengths(const sw_strlist *l)
{
    if (l->items == (const char **)default_freemail)
        return l->count <= sizeof default_freemail_len ? default_freemail_len : NULL;
    if (l->items == (const char **)default_brands)
        return l->count <= sizeof default_brands_len ? default_brands_len : NULL;
    return NULL;
}

int sw_strlist_has_domain(const sw_strlist *l, const char *domain)
{
    if (!domain || !l->count)
        return 0;
    size_t dn = strlen(domain);
    const uint8_t *lens = default_lengths(l);
    for (size_t i = 0; i < l->count; i++) {
        const char *e = l->items[i];
        size_t en = lens ? lens[i] : strlen(e);
        /* an entry ending in a byte the domain does not end in cannot match (bytes that
         * strcasecmp takes for equal are equal after | 0x20): most entries are settled
         * without a call */
        if (en > dn || (en && (domain[dn - 1] | 0x20) != (e[en - 1] | 0x20)))
            continue;
        if (dn == en && !strcasecmp(domain, e))
            return 1;
        if (dn > en && domain[dn - en - 1] == '.' && !strcasecmp(domain + dn - en, e))
            return 1;
    }
    return 0;
}
