/* Detection configuration defaults: see include/spoofwatch/config.h. The YAML loader is in
 * config_yaml.c. */
#include "spoofwatch/config.h"
#include "spoofwatch/limits.h"

#include <string.h>
#include <strings.h>

/* Free-mail providers: a Reply-To there while From is a company is a classic BEC shape. */
static const char *const default_freemail[] = {
    "gmail.com",      "googlemail.com", "yahoo.com",   "yahoo.co.uk", "yahoo.fr",   "ymail.com",
    "hotmail.com",    "hotmail.co.uk",  "outlook.com", "live.com",    "msn.com",    "aol.com",
    "icloud.com",     "me.com",         "mac.com",     "gmx.com",     "gmx.de",     "gmx.net",
    "web.de",         "mail.com",       "mail.ru",     "yandex.ru",   "yandex.com", "proton.me",
    "protonmail.com", "zoho.com",       "qq.com",      "163.com",     "126.com",    "naver.com",
    "rediffmail.com", "tutanota.com",   "libero.it",   "orange.fr",   "free.fr",    NULL};

/* Brands most often impersonated in display names; configurable. */
static const char *const default_brands[] = {"paypal.com",        "microsoft.com",
                                             "office.com",        "apple.com",
                                             "amazon.com",        "google.com",
                                             "netflix.com",       "dhl.com",
                                             "fedex.com",         "ups.com",
                                             "docusign.net",      "adobe.com",
                                             "dropbox.com",       "linkedin.com",
                                             "facebook.com",      "instagram.com",
                                             "wellsfargo.com",    "chase.com",
                                             "bankofamerica.com", "americanexpress.com",
                                             "coinbase.com",      "binance.com",
                                             "ebay.com",          "usps.com",
                                             "irs.gov",           NULL};

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

int sw_strlist_has_domain(const sw_strlist *l, const char *domain)
{
    if (!domain)
        return 0;
    size_t dn = strlen(domain);
    for (size_t i = 0; i < l->count; i++) {
        const char *e = l->items[i];
        size_t en = strlen(e);
        if (dn == en && !strcasecmp(domain, e))
            return 1;
        if (dn > en && domain[dn - en - 1] == '.' && !strcasecmp(domain + dn - en, e))
            return 1;
    }
    return 0;
}
