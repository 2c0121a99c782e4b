/* libFuzzer target for the SPF macro expander (src/auth/spf_macro.c), the code where
 * libspf2's CVE-2021-20314 overflowed.
 *
 * The first input byte picks the client (IPv4 or IPv6) and whether %{p} has a validated
 * name; the rest is a macro string expanded as a domain-spec, an unknown-modifier value and
 * an explanation, each in a fresh arena freed before returning. Promises checked: expansion
 * succeeds exactly when the syntax check does (or fails only with SW_ELIMIT), the result is
 * at most SW_MAX_SPF_EXPANSION bytes, and a finished domain is at most 253 octets. The
 * input is also used as every macro value (sender, local part, domains, HELO), so values
 * with delimiters, '%' and high bytes reach the transformers and URL escaping. */
#include "spoofwatch/arena.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/spf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SW_FUZZ_ARENA (8u << 20)

static int ptr_name(void *ctx, const char *d, const char **name)
{
    (void)d;
    *name = ctx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size || size > 4 * SW_MAX_SPF_EXPANSION)
        return 0;
    unsigned mode = data[0];
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    char *value = malloc(len + 1); /* NUL-terminated copy for the macro values */
    if (!value)
        return 0;
    memcpy(value, in, len);
    value[len] = '\0';
    sw_spf_macro_ctx m = {.s = value, .l = value, .o = "example.com", .d = value,
                          .h = value, .r = (mode & 4) ? NULL : "mx.example.org", .t = 42,
                          .ip_v6 = mode & 1, .ptr_name = ptr_name,
                          .ptr_ctx = (mode & 2) ? (void *)"valid.example.com" : NULL};
    static const unsigned char ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                          0,    0,    0,    0,    0, 0, 0, 1};
    static const unsigned char ip4[4] = {192, 0, 2, 3};
    memcpy(m.ip, (mode & 1) ? ip6 : ip4, (mode & 1) ? 16 : 4);
    static const sw_spf_macro_kind kinds[] = {SW_SPF_MACRO_DOMAIN, SW_SPF_MACRO_MODIFIER,
                                              SW_SPF_MACRO_EXPLAIN};
    for (size_t k = 0; k < 3; k++) {
        sw_arena a;
        sw_arena_init(&a, SW_FUZZ_ARENA);
        int syntax = sw_spf_macro_check(in, len, kinds[k]);
        char *out = NULL;
        int rc = sw_spf_macro_expand(&a, &m, in, len, kinds[k], &out);
        if (syntax && rc != SW_EFORMAT)
            abort();
        if (!syntax && rc && rc != SW_ELIMIT && rc != SW_ENOMEM)
            abort();
        if (!rc) {
            size_t n = strlen(out);
            if (n > SW_MAX_SPF_EXPANSION)
                abort();
            if (kinds[k] == SW_SPF_MACRO_DOMAIN && sw_spf_domain_finish(out) &&
                strlen(out) > 253)
                abort();
        }
        sw_arena_free(&a);
    }
    free(value);
    return 0;
}
