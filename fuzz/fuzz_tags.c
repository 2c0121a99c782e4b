/* Fuzz target for src/mail/tags.c.
 *
 * Contract: the input is fed, unchanged, to sw_taglist_parse and sw_received_spf_parse
 * (as a bare header value), then scanned as a message whose ARC, DKIM-Signature and
 * List-* headers go through sw_arc_collect, sw_dkim_sig_parse and sw_list_info_collect.
 * Each call uses a fresh arena capped at SW_MAX_ARENA and frees it before returning; every
 * string the parsers hand back is read to its NUL so ASan sees any bad pointer. */
#include "spoofwatch/arena.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/tags.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

static volatile size_t sink;

static void touch(const char *s)
{
    if (s)
        sink += strlen(s);
}

static void touch_sig(const sw_dkim_sig *s)
{
    for (size_t i = 0; i < s->tags.count; i++) {
        touch(s->tags.tags[i].name);
        touch(s->tags.tags[i].value);
    }
    touch(s->v), touch(s->a), touch(s->d), touch(s->s), touch(s->c), touch(s->h);
    touch(s->i), touch(s->bh), touch(s->b), touch(s->q), touch(s->cv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);

    sw_taglist t;
    if (sw_taglist_parse(&a, s, size, &t) == 0) {
        for (size_t i = 0; i < t.count; i++) {
            touch(t.tags[i].name);
            touch(t.tags[i].value);
            /* Whatever was kept must be found again, and it is the first of its name. */
            if (sw_taglist_get(&t, t.tags[i].name) != t.tags[i].value)
                __builtin_trap();
        }
        if (t.count > SW_MAX_TAGS)
            __builtin_trap();
    }

    sw_received_spf r;
    if (sw_received_spf_parse(&a, s, size, &r) == 0) {
        touch(r.result), touch(r.comment), touch(r.client_ip), touch(r.envelope_from);
        touch(r.helo), touch(r.receiver), touch(r.identity), touch(r.mechanism);
        touch(r.problem);
    }

    sw_header_block h;
    sw_error err;
    if (sw_header_scan(&a, s, size, &h, &err) == 0) {
        sw_arc_set *sets;
        size_t n;
        if (sw_arc_collect(&a, &h, &sets, &n) == 0) {
            int prev = -1;
            for (size_t i = 0; i < n; i++) {
                /* Sorted, unique, within 0..50. */
                if (sets[i].instance <= prev || sets[i].instance > SW_ARC_MAX_INSTANCE)
                    __builtin_trap();
                prev = sets[i].instance;
                if (!(sets[i].flags & SW_ARC_MISSING_SEAL))
                    touch_sig(&sets[i].seal);
                if (!(sets[i].flags & SW_ARC_MISSING_AMS))
                    touch_sig(&sets[i].ams);
                if (sets[i].aar_field >= (long)h.count)
                    __builtin_trap();
            }
        }
        for (size_t i = 0; i < h.count; i++) {
            if (strcasecmp(h.fields[i].name, "DKIM-Signature") != 0)
                continue;
            sw_dkim_sig sig;
            if (sw_dkim_sig_parse(&a, &h.fields[i], i, &sig) == 0)
                touch_sig(&sig);
        }
        sw_list_info li;
        sw_list_info_collect(&a, &h, &li);
        touch(li.id), touch(li.id_raw), touch(li.post), touch(li.unsubscribe);
        touch(li.unsubscribe_post), touch(li.archive), touch(li.help), touch(li.owner);
        touch(li.subscribe), touch(li.precedence);
    }

    sw_arena_free(&a);
    return 0;
}
