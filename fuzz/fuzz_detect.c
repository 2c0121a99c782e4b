/* Fuzz target: record builder plus the whole detector (trust, alignment, signals,
 * suppressors, verdict, JSON) on one raw message. The detector is built once and reused,
 * as scan does. The JSON written must parse back as one object and be valid UTF-8. Each
 * line of the input is also taken as a domain name: sw_orgdomain (its caches live across
 * inputs, as in a scan) must give what libpsl's psl_registrable_domain gives. */
#include "spoofwatch/detect.h"
#include "spoofwatch/jsonread.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/orgdomain.h"
#include "spoofwatch/utf8.h"

#include <libpsl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static sw_config cfg;
static sw_detector det;
static int ready;
static sw_jreader *reader;
static sw_orgdomain_ctx od;

/* sw_orgdomain(name) against libpsl: the registrable domain of the name lower-cased and
 * without one trailing root dot, or that name itself when it has none, whatever spellings
 * of it were asked before (its caches would keep an answer for another spelling). */
static void check_orgdomain(const char *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, 1u << 20);
    const char *p = data, *end = data + size;
    for (int k = 0; k < 64 && p < end; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        const char *line = p;
        p = nl ? nl + 1 : end;
        if (!n || memchr(line, '\0', n))
            continue;
        char *name = sw_arena_strndup(&a, line, n);
        char *bare = sw_arena_strndup_lower(&a, line, name[n - 1] == '.' ? n - 1 : n);
        if (!name || !bare)
            break;
        const char *want = *bare ? psl_registrable_domain(od.psl, bare) : NULL;
        if (!want)
            want = bare;
        const char *got = sw_orgdomain(&od, &a, name);
        if (!got || strcmp(got, want) != 0)
            abort();
    }
    sw_arena_free(&a);
}

static void setup(void)
{
    static const char *own[] = {"victim.example", "corp.example"};
    static const char *vips[] = {"Jane Doe"};
    static const char *sealers[] = {"lists.example.org"};
    sw_config_defaults(&cfg);
    cfg.protected_domains.items = own;
    cfg.protected_domains.count = 2;
    cfg.vip_names.items = vips;
    cfg.vip_names.count = 1;
    cfg.trusted_arc_sealers.items = sealers;
    cfg.trusted_arc_sealers.count = 1;
    sw_error err;
    if (sw_detector_init(&det, &cfg, &err))
        abort();
    if (!(reader = sw_jreader_new()) || sw_orgdomain_open(&od, NULL, &err))
        abort();
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    check_orgdomain((const char *)data, size);
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_record r;
    sw_source src = {.path = "fuzz", .format = "eml", .index = -1};
    if (sw_record_from_mail(&a, (const char *)data, size, &src, &r, NULL) == 0) {
        sw_assessment as;
        sw_detect(&det, &a, &r, &as);
        if (as.verdict > SW_VERDICT_SPOOFED)
            abort();
        sw_buf b;
        sw_buf_init(&b, SW_MAX_RECORD_JSON);
        sw_json j;
        sw_json_init(&j, &b);
        sw_json_object_begin(&j);
        sw_record_write_json_members(&r, &j);
        sw_assessment_write_json(&as, &j);
        sw_json_object_end(&j);
        if (j.status == 0) {
            sw_arena ja;
            sw_arena_init(&ja, SW_MAX_ARENA);
            const sw_jv *v = NULL;
            int rc = sw_jparse(reader, &ja, b.data, b.len, &v, NULL);
            if ((rc == 0 && (!v || v->type != SW_J_OBJECT)) ||
                (rc != 0 && rc != SW_ENOMEM && rc != SW_ELIMIT) || !sw_utf8_valid(b.data, b.len))
                abort();
            sw_arena_free(&ja);
        }
        sw_buf_free(&b);
    }
    sw_arena_free(&a);
    return 0;
}

/* The driver and libFuzzer both exit without a hook; free at exit so LeakSanitizer sees a
 * clean heap. */
__attribute__((destructor)) static void teardown(void)
{
    if (ready) {
        sw_detector_close(&det);
        sw_jreader_free(reader);
        sw_orgdomain_close(&od);
        sw_config_free(&cfg);
    }
}
