/* Fuzz target for src/mail/mstransport.c.
 *
 * Contract: the input is scanned as a message; the Microsoft headers are collected with
 * sw_ms_transport_collect and every decoded KEY:value pair goes through sw_ms_meaning and
 * sw_ms_key_name. Each call uses a fresh arena capped at SW_MAX_ARENA, freed before
 * returning; returned strings are read to their NUL so ASan sees any bad pointer. */
#include "spoofwatch/arena.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/mstransport.h"

#include <stdint.h>
#include <string.h>

static volatile size_t sink;

static void touch(const char *s)
{
    if (s)
        sink += strlen(s);
}

static void touch_report(const sw_header_block *h, const sw_ms_antispam *r)
{
    if (r->field_index >= (long)h->count || (r->field_index < 0 && r->count))
        __builtin_trap();
    for (size_t i = 0; i < r->count; i++) {
        const sw_ms_pair *p = &r->pairs[i];
        touch(p->key);
        touch(p->value);
        touch(sw_ms_meaning(p->key, p->value));
        touch(sw_ms_key_name(p->key));
        if (!sw_ms_get(r, p->key))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_header_block h;
    sw_error err;
    if (sw_header_scan(&a, (const char *)data, size, &h, &err) == 0) {
        sw_ms_transport t;
        if (sw_ms_transport_collect(&a, &h, &t) == 0) {
            touch_report(&h, &t.forefront);
            touch_report(&h, &t.forefront_untrusted);
            touch_report(&h, &t.antispam);
            touch(t.mailbox_delivery);
            touch(t.delivery_dest);
            touch(sw_ms_meaning("dest", t.delivery_dest));
            touch(t.network_message_id);
            touch(t.crosstenant_network_message_id);
            touch(t.auth_as);
            touch(sw_ms_meaning("AuthAs", t.auth_as));
            touch(t.auth_source);
            touch(t.directionality);
            touch(sw_ms_meaning("MessageDirectionality", t.directionality));
            touch(t.org_scl);
            touch(sw_ms_meaning("SCL", t.org_scl));
            touch(t.crosstenant_original_arrival);
            touch(t.external_original_sender);
        }
    }
    sw_arena_free(&a);
    return 0;
}
