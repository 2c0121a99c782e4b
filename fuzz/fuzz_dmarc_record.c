/* libFuzzer target for the DMARC record parser and the evaluation behind it
 * (src/auth/dmarc.c).
 *
 * Each input is parsed as one TXT record, and its parse is checked against the parser's
 * promises: a record is only ever one opening with v=DMARC1, raw is the input, every
 * keyword field holds one of its values and pct stays in 0..100. The input is then
 * published at _dmarc.example.com (and, split in two character-strings, at
 * _dmarc.example.net) in a fixture zone and evaluated by both discovery methods, so
 * hostile records reach the policy, alignment and evidence code too. A broken promise
 * aborts so that the fuzzer records the input. The arena, resolver and PSL context are
 * freed before returning. */
#include "spoofwatch/arena.h"
#include "spoofwatch/dmarcpol.h"
#include "spoofwatch/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SW_FUZZ_ARENA (4u << 20)

static void check_record(const sw_dmarc_policy_record *r, const uint8_t *data, size_t size)
{
    if (r->raw_len != size || memcmp(r->raw, data, size))
        abort();
    if (size < 8)
        abort(); /* "v=DMARC1" is the shortest record */
    if ((r->adkim != 'r' && r->adkim != 's') || (r->aspf != 'r' && r->aspf != 's'))
        abort();
    if (r->psd != 'y' && r->psd != 'n' && r->psd != 'u')
        abort();
    if (r->pct < 0 || r->pct > 100)
        abort();
    if (r->p_invalid && r->p != SW_DMARC_POLICY_UNSET)
        abort();
    volatile size_t sum = 0;
    const char *strs[] = {r->rua, r->ruf, r->fo, r->rf};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strs[i])
            sum += strlen(strs[i]);
    (void)sum;
}

static void check_result(const sw_dmarc_eval_result *o)
{
    if (o->result > SW_DMARC_PERMERROR || o->policy > SW_DMARC_POLICY_REJECT)
        abort();
    if (o->result == SW_DMARC_PASS && o->disposition != SW_DMARC_POLICY_NONE)
        abort();
    if (o->discovery.queries > 2 * 8 + 2)
        abort(); /* one author walk and one identifier walk at most here */
    volatile size_t sum = 0;
    for (size_t i = 0; i < o->nsteps; i++)
        sum += strlen(o->steps[i]);
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_FUZZ_ARENA);
    sw_dmarc_policy_record rec;
    int rc = sw_dmarc_policy_parse(&a, (const char *)data, size, &rec);
    if (rc == 0)
        check_record(&rec, data, size);
    else if (rc != SW_ENOTFOUND && rc != SW_ELIMIT && rc != SW_ENOMEM)
        abort();

    /* TXT character-strings are C strings in the fixture: cut at the first NUL */
    char *txt = malloc(size + 1);
    sw_resolver *r = sw_dns_fixture_new();
    sw_orgdomain_ctx psl;
    sw_error err;
    sw_error_clear(&err);
    int psl_ok = sw_orgdomain_open(&psl, NULL, &err) == 0;
    if (txt && r && psl_ok) {
        memcpy(txt, data, size);
        txt[size] = '\0';
        size_t half = strlen(txt) / 2;
        sw_dns_fixture_add(r, "_dmarc.example.com", SW_DNS_TXT, txt);
        char *tail = strdup(txt + half);
        txt[half] = '\0';
        const char *parts[] = {txt, tail ? tail : ""};
        sw_dns_fixture_add_txt(r, "_dmarc.example.net", parts, 2);
        free(tail);
        sw_dmarc_dkim_input dk = {.domain = "mail.example.com", .result = "pass"};
        sw_dmarc_spf_input spf = {.domain = "example.org", .result = "pass"};
        const char *froms[] = {"example.com", "sub.example.com", "a.example.net"};
        for (size_t f = 0; f < 3; f++)
            for (int m = SW_DMARC_METHOD_PSL; m <= SW_DMARC_METHOD_TREEWALK; m++) {
                sw_dmarc_input in = {.from_domain = froms[f], .spf = spf, .dkim = &dk,
                                     .ndkim = 1, .pct_roll = (int)(size % 100)};
                sw_dmarc_eval_result out;
                sw_dns_log_reset(r);
                if (sw_dmarc_eval(r, &psl, &a, (sw_dmarc_method)m, &in, &out) == 0)
                    check_result(&out);
            }
    }
    if (psl_ok)
        sw_orgdomain_close(&psl);
    sw_resolver_free(r);
    free(txt);
    sw_arena_free(&a);
    return 0;
}
