/* Fuzz target for the Received parser and the RFC 5322 date parser.
 *
 * Each input is one unfolded Received value (bytes, not NUL-terminated). Both parsers must
 * return without crashing, reading past `size`, leaking or taking more than linear time;
 * the checks below turn silent contract breaks (unterminated strings, a date flag that
 * contradicts has_time, a clause longer than its cap) into aborts the fuzzer reports. */
#include "spoofwatch/arena.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/error.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/received.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_str(const char *s)
{
    /* Clause copies are capped at 1024 bytes; a longer one means the cap was bypassed. */
    if (s && strlen(s) > 1024)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int64_t epoch;
    int off;
    if (sw_datetime_parse_rfc5322(s, size, &epoch, &off) == 0) {
        char out[32];
        sw_datetime_format_utc(epoch, out);
        if (off < -24 * 60 || off > 24 * 60)
            abort();
    }

    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_received_hop h;
    memset(&h, 0, sizeof h);
    int rc = sw_received_parse(&a, s, size, &h);
    if (rc == 0) {
        if (!h.raw || memcmp(h.raw, s, size) != 0)
            abort();
        check_str(h.from_helo);
        check_str(h.from_rdns);
        check_str(h.by);
        check_str(h.via);
        check_str(h.with);
        check_str(h.id);
        check_str(h.for_addr);
        check_str(h.date);
        if (h.has_time && (h.flags & (SW_RCV_NO_DATE | SW_RCV_BAD_DATE)))
            abort();
        if (!h.has_time && !(h.flags & (SW_RCV_NO_DATE | SW_RCV_BAD_DATE)))
            abort();
        if (h.from_ip) {
            /* from_ip must be an address sw_ip_is_private can read back. */
            if (strlen(h.from_ip) >= 46)
                abort();
            if (!!(h.flags & SW_RCV_PRIVATE_IP) != sw_ip_is_private(h.from_ip))
                abort();
        } else if (h.flags & (SW_RCV_PRIVATE_IP | SW_RCV_IPV6)) {
            abort();
        }
    } else if (rc != SW_ENOMEM) {
        abort();
    }
    sw_arena_free(&a);
    return 0;
}
