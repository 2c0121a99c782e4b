/* Fuzz target: Authentication-Results parsing in every mode. A field that strict mode
 * accepts is RFC 8601 syntax, which the default mode reads the same way unless it takes a
 * result for a stray fragment and skips it (its methodspec test allows only SP and HTAB
 * before the '=', strict mode any CFWS): without SW_ARF_SKIPPED the two results must agree
 * (the default mode finds value ends with a class lookup, strict mode with its own loop),
 * with and without SW_AR_I18N. */
#include "spoofwatch/limits.h"
#include "spoofwatch/authres.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void same_str(const char *x, const char *y)
{
    if (!x != !y || (x && strcmp(x, y)))
        abort();
}

static void same(const sw_authres *x, const sw_authres *y)
{
    same_str(x->authserv_id, y->authserv_id);
    if (x->version != y->version || x->count != y->count)
        abort();
    for (size_t i = 0; i < x->count; i++) {
        const sw_authres_result *p = &x->results[i], *q = &y->results[i];
        same_str(p->method, q->method);
        same_str(p->result, q->result);
        same_str(p->reason, q->reason);
        same_str(p->comment, q->comment);
        if (p->method_version != q->method_version || p->nprops != q->nprops)
            abort();
        for (size_t k = 0; k < p->nprops; k++) {
            same_str(p->props[k].ptype, q->props[k].ptype);
            same_str(p->props[k].property, q->props[k].property);
            same_str(p->props[k].value, q->props[k].value);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    static const unsigned modes[] = {0, SW_AR_STRICT, SW_AR_RELAXED | SW_AR_I18N,
                                     SW_AR_RELAXED | SW_AR_ARC, SW_AR_STRICT | SW_AR_I18N};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        sw_authres ar;
        sw_authres_parse(&a, s, size, modes[m], &ar, NULL);
        sw_arena_reset(&a);
    }
    for (unsigned i18n = 0; i18n <= SW_AR_I18N; i18n += SW_AR_I18N) {
        sw_authres st, df;
        if (sw_authres_parse(&a, s, size, SW_AR_STRICT | i18n, &st, NULL) == 0 &&
            sw_authres_parse(&a, s, size, i18n, &df, NULL) != SW_ENOMEM) {
            if (!(df.flags & (SW_ARF_SKIPPED | SW_ARF_NO_AUTHSERV_ID))) {
                if (df.flags != st.flags)
                    abort();
                same(&st, &df);
            }
        }
        sw_arena_reset(&a);
    }
    sw_arena_free(&a);
    return 0;
}
