/* Fuzz target for the Received parser and the RFC 5322 date parser.
 *
 * Each input is one unfolded Received value (bytes, not NUL-terminated). Both parsers must
 * return without crashing, reading past `size`, leaking or taking more than linear time;
 * the checks below turn silent contract breaks (unterminated strings, a date flag that
 * contradicts has_time, a clause longer than its cap, the record's no-copy variant of the
 * parser disagreeing with the plain one) into aborts the fuzzer reports. The first 16 bytes
 * of the input, as an IPv6 address, must get from sw_ip6_text exactly glibc's inet_ntop
 * text, an IPv6 from_ip must be the inet_ntop text of its own address, and a parsed date
 * must be formatted as gmtime_r gives it. */
#include "spoofwatch/arena.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/error.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/received.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void check_str(const char *s)
{
    /* Clause copies are capped at 1024 bytes; a longer one means the cap was bypassed. */
    if (s && strlen(s) > 1024)
        abort();
}

static void same_str(const char *x, const char *y)
{
    if (!x != !y || (x && strcmp(x, y)))
        abort();
}

/* sw_received_parse_stable, which the record uses, must give what sw_received_parse gives
 * for the same value held NUL-terminated in the arena. */
static void check_stable(sw_arena *a, const char *s, size_t size, const sw_received_hop *h)
{
    char *copy = sw_arena_alloc(a, size + 1);
    if (!copy)
        return;
    memcpy(copy, s, size);
    copy[size] = '\0';
    sw_received_hop st;
    memset(&st, 0, sizeof st);
    if (sw_received_parse_stable(a, copy, size, &st))
        return; /* the arena filled up: the copy above took room the first parse had */
    if (memcmp(st.raw, s, size) != 0)
        abort();
    same_str(st.from_helo, h->from_helo);
    same_str(st.from_rdns, h->from_rdns);
    same_str(st.from_ip, h->from_ip);
    same_str(st.by, h->by);
    same_str(st.via, h->via);
    same_str(st.with, h->with);
    same_str(st.id, h->id);
    same_str(st.for_addr, h->for_addr);
    same_str(st.date, h->date);
    if (st.has_time != h->has_time || st.flags != h->flags ||
        (h->has_time && (st.epoch != h->epoch || st.tz_offset_min != h->tz_offset_min)))
        abort();
}

/* sw_ip6_text(bin) == inet_ntop(AF_INET6, bin) */
static void check_ip6(const unsigned char bin[16])
{
    char want[INET6_ADDRSTRLEN], got[SW_IP6_TEXT_MAX];
    if (!inet_ntop(AF_INET6, bin, want, sizeof want))
        abort();
    sw_ip6_text(bin, got);
    if (strcmp(want, got) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 16) {
        unsigned char bin[16];
        memcpy(bin, data, 16);
        check_ip6(bin);
        /* zero groups are what the formatter's rules are about: also with every byte
         * below 0x10 taken as zero */
        for (int i = 0; i < 16; i++)
            bin[i] = bin[i] < 0x10 ? 0 : bin[i];
        check_ip6(bin);
    }
    const char *s = (const char *)data;
    int64_t epoch;
    int off;
    if (sw_datetime_parse_rfc5322(s, size, &epoch, &off) == 0) {
        char out[32], want[64];
        sw_datetime_format_utc(epoch, out);
        /* the table-driven formatter against gmtime_r and snprintf */
        time_t t = (time_t)epoch;
        struct tm tm;
        if (gmtime_r(&t, &tm) && tm.tm_year + 1900L >= 0 && tm.tm_year + 1900L <= 9999) {
            snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
            if (strcmp(out, want) != 0)
                abort();
        }
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
            unsigned char bin[16];
            if (strchr(h.from_ip, ':')) {
                if (inet_pton(AF_INET6, h.from_ip, bin) != 1)
                    abort();
                char text[SW_IP6_TEXT_MAX];
                sw_ip6_text(bin, text);
                if (strcmp(text, h.from_ip) != 0)
                    abort();
                check_ip6(bin);
            }
        } else if (h.flags & (SW_RCV_PRIVATE_IP | SW_RCV_IPV6)) {
            abort();
        }
        check_stable(&a, s, size, &h);
    } else if (rc != SW_ENOMEM) {
        abort();
    }
    sw_arena_free(&a);
    return 0;
}
