/* Fuzz target for src/mail/tags.c.
 *
 * Contract: the input is fed, unchanged, to sw_taglist_parse and sw_received_spf_parse
 * (as a bare header value), then scanned as a message whose ARC, DKIM-Signature and
 * List-* headers go through sw_arc_collect, sw_dkim_sig_parse and sw_list_info_collect.
 * Each call uses a fresh arena capped at SW_MAX_ARENA and frees it before returning; every
 * string the parsers hand back is read to its NUL so ASan sees any bad pointer. The tag
 * list must be exactly what the byte-at-a-time reading of tags.h below gives (names,
 * values with FWS dropped from bh=, flags, count). */
#include "spoofwatch/arena.h"
#include "spoofwatch/header.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/tags.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static volatile size_t sink;

static int ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* tags.h: fragments split on ';' and trimmed of FWS; an empty one before a ';', one without
 * '=' or with a bad name (ALPHA *(ALPHA / DIGIT / "_")) is a syntax error and skipped; the
 * first of two equal names is kept; at most SW_MAX_TAGS. Aborts on any difference. */
static void check_taglist(const char *s, size_t n, const sw_taglist *t)
{
    unsigned flags = 0;
    size_t count = 0, i = 0;
    char *v = malloc(n + 1);
    if (!v)
        __builtin_trap();
    while (i < n) {
        size_t fb = i, fe = i;
        while (fe < n && s[fe] != ';')
            fe++;
        int semi = fe < n;
        i = semi ? fe + 1 : n;
        while (fb < fe && ws(s[fb]))
            fb++;
        while (fe > fb && ws(s[fe - 1]))
            fe--;
        if (fb == fe) {
            if (semi)
                flags |= SW_TAG_SYNTAX;
            continue;
        }
        size_t eq = fb;
        while (eq < fe && s[eq] != '=')
            eq++;
        size_t nb = fb, ne = eq;
        while (ne > nb && ws(s[ne - 1]))
            ne--;
        int good = eq < fe && ne > nb &&
                   ((s[nb] >= 'a' && s[nb] <= 'z') || (s[nb] >= 'A' && s[nb] <= 'Z'));
        for (size_t k = nb + 1; good && k < ne; k++)
            good = (s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
                   (s[k] >= '0' && s[k] <= '9') || s[k] == '_';
        if (!good) {
            flags |= SW_TAG_SYNTAX;
            continue;
        }
        size_t nlen = ne - nb, dup = 0;
        for (size_t k = 0; k < count && !dup; k++)
            dup = strlen(t->tags[k].name) == nlen && !memcmp(t->tags[k].name, s + nb, nlen);
        if (dup) {
            flags |= SW_TAG_DUPLICATE;
            continue;
        }
        if (count == SW_MAX_TAGS) {
            flags |= SW_TAG_TRUNCATED;
            break;
        }
        size_t vb = eq + 1, ve = fe, vn = 0;
        while (vb < ve && ws(s[vb]))
            vb++;
        int strip = nlen == 2 && s[nb] == 'b' && s[nb + 1] == 'h';
        for (size_t k = vb; k < ve; k++)
            if (!strip || !ws(s[k]))
                v[vn++] = s[k];
        if (count >= t->count || strlen(t->tags[count].name) != nlen ||
            memcmp(t->tags[count].name, s + nb, nlen) || memcmp(t->tags[count].value, v, vn) ||
            t->tags[count].value[vn] != '\0')
            __builtin_trap();
        count++;
    }
    if (count != t->count || flags != t->flags)
        __builtin_trap();
    free(v);
}

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
        check_taglist(s, size, &t);
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
