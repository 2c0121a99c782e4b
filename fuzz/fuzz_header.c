/* Fuzz target: the header block scanner on arbitrary bytes.
 *
 * Besides not crashing, every field kept must match what a plain byte-at-a-time reading of
 * its raw text gives (the scanner finds colons, bad name bytes, value flags and folded
 * lines with block tests): the name is the raw text before the first colon without the WSP
 * before it, the value is the text after the colon with every line end (LF, CR LF)
 * removed, capped, flagged (NUL, bare CR, 8-bit) and trimmed of WSP and CR at both ends.
 * Lookups by name (bucket chains, prepared keys) must find what a linear walk finds. */
#include "spoofwatch/limits.h"
#include "spoofwatch/header.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int wsp(char c)
{
    return c == ' ' || c == '\t';
}

static void check_field(const sw_header_field *f, char *ref)
{
    const char *r = f->raw;
    size_t colon = 0;
    while (colon < f->raw_len && r[colon] != ':')
        colon++;
    if (colon == f->raw_len)
        abort();
    size_t ne = colon;
    int space = 0;
    while (ne > 0 && wsp(r[ne - 1]))
        ne--, space = 1;
    if (ne != f->name_len || memcmp(f->name, r, ne) != 0 || f->name[ne] != '\0' ||
        !!(f->flags & SW_HF_SPACE_BEFORE_COLON) != space)
        abort();
    int bad = 0;
    for (size_t i = 0; i < ne; i++)
        bad |= (unsigned char)r[i] < 33 || (unsigned char)r[i] > 126;
    if (!!(f->flags & SW_HF_NON_ASCII_NAME) != bad)
        abort();

    /* the value: line ends out, then capped */
    size_t span = f->raw_len - colon - 1, cap = span, n = 0;
    int trunc = 0;
    if (cap > SW_MAX_FIELD_VALUE)
        cap = SW_MAX_FIELD_VALUE, trunc = 1;
    for (size_t i = colon + 1; i < f->raw_len && n < cap; i++) {
        if (r[i] == '\n')
            continue;
        if (r[i] == '\r' && i + 1 < f->raw_len && r[i + 1] == '\n')
            continue;
        ref[n++] = r[i];
    }
    unsigned flags = trunc ? SW_HF_VALUE_TRUNCATED : 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)ref[i];
        flags |= c == 0 ? SW_HF_NUL : c == '\r' ? SW_HF_BARE_CR : c >= 0x80 ? SW_HF_EIGHTBIT : 0;
    }
    size_t s = 0;
    while (s < n && (wsp(ref[s]) || ref[s] == '\r'))
        s++;
    while (n > s && (wsp(ref[n - 1]) || ref[n - 1] == '\r'))
        n--;
    const unsigned mask = SW_HF_VALUE_TRUNCATED | SW_HF_NUL | SW_HF_BARE_CR | SW_HF_EIGHTBIT;
    if ((f->flags & mask) != flags || f->value_len != n - s ||
        memcmp(f->value, ref + s, n - s) != 0 || f->value[n - s] != '\0')
        abort();
}

/* Field i by name through every lookup: it is the k-th of the fields a linear walk with
 * strncasecmp takes for its name (fields written "Name :" never match). */
static void check_lookup(const sw_header_block *h, size_t i)
{
    const sw_header_field *f = &h->fields[i];
    size_t n = strlen(f->name);
    if (n != f->name_len || (f->flags & SW_HF_SPACE_BEFORE_COLON))
        return;
    size_t k = 0, total = 0;
    long prev = -1;
    for (size_t j = 0; j < h->count; j++) {
        const sw_header_field *g = &h->fields[j];
        if (g->name_len != n || (g->flags & SW_HF_SPACE_BEFORE_COLON) ||
            strncasecmp(g->name, f->name, n) != 0)
            continue;
        if (j < i)
            k++, prev = (long)j;
        total++;
    }
    sw_header_key key = sw_header_key_of(f->name);
    if (sw_header_find(h, f->name, k) != (long)i || sw_header_find_key(h, &key, k) != (long)i ||
        sw_header_next(h, f->name, prev) != (long)i ||
        sw_header_next_key(h, &key, prev) != (long)i || sw_header_count(h, f->name) != total ||
        sw_header_count_key(h, &key) != total || (k == 0 && sw_header_first(h, f->name) != f))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    sw_header_block h;
    if (sw_header_scan(&a, s, size, &h, NULL) == 0) {
        char *ref = malloc(size + 1);
        if (!ref)
            abort();
        for (size_t i = 0; i < h.count; i++) {
            const sw_header_field *f = &h.fields[i];
            if (f->raw < s || f->raw + f->raw_len > s + size)
                abort();
            check_field(f, ref);
            if (h.count <= 256) /* the linear walk is quadratic */
                check_lookup(&h, i);
            else
                (void)sw_header_find(&h, f->name, 0);
        }
        free(ref);
    }
    sw_arena_free(&a);
    return 0;
}
