/* Fuzz target: RFC 5322 address-list parsing.
 *
 * Besides memory errors it checks what the parser promises: every address is its local
 * part, '@' and its domain (or the local part alone); sw_address_parse_names gives the same
 * mailboxes as sw_address_parse (address.h); and sw_address_flag_names names exactly the
 * flags that one-bit calls name, in bit order. A broken promise aborts. */
#include "spoofwatch/limits.h"
#include "spoofwatch/address.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void same_str(const char *x, const char *y)
{
    if (!x != !y || (x && strcmp(x, y)))
        abort();
}

static void check_address(const sw_mailbox *m)
{
    if (!m->local || !m->address)
        return;
    size_t ll = strlen(m->local);
    if (strncmp(m->address, m->local, ll) != 0)
        abort();
    if (m->domain) {
        if (m->address[ll] != '@' || strcmp(m->address + ll + 1, m->domain) != 0)
            abort();
    } else if (m->address[ll] != '\0') {
        abort();
    }
}

static void check_flag_names(unsigned flags)
{
    const char *names[40], *one[40];
    size_t n = sw_address_flag_names(flags, names, 40), k = 0;
    for (unsigned b = 0; b < 32; b++) {
        if (!(flags & (1u << b)))
            continue;
        size_t m = sw_address_flag_names(1u << b, one, 40);
        for (size_t i = 0; i < m; i++, k++)
            if (k >= n || !names[k] || strcmp(names[k], one[i]) != 0)
                abort();
    }
    if (k != n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    const char *s = (const char *)data;
    sw_address_list l, q;
    if (sw_address_parse(&a, s, size, &l) == 0) {
        check_flag_names(l.flags);
        for (size_t i = 0; i < l.count; i++)
            check_address(&l.items[i]);
        if (sw_address_parse_names(&a, s, size, &q) == 0) {
            if (q.count != l.count)
                abort();
            for (size_t i = 0; i < l.count; i++) {
                const sw_mailbox *x = &l.items[i], *y = &q.items[i];
                same_str(x->address, y->address);
                same_str(x->local, y->local);
                same_str(x->domain, y->domain);
                same_str(x->display_name, y->display_name);
                same_str(x->display_raw, y->display_raw);
                same_str(x->comment, y->comment);
                same_str(x->group, y->group);
            }
        }
    }
    sw_arena_free(&a);
    return 0;
}
