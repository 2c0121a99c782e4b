/* libFuzzer target for the DMARC aggregate report reader (src/readers/logs/dmarc_xml.c).
 *
 * Each input is read as a whole dmarc-xml file (XML, gzip or zip bytes) through
 * sw_log_read(), the path every report file and mail attachment takes, with a callback
 * that touches every string of every record so ASan sees a bad pointer; it is also given
 * to sw_dmarc_is_aggregate(). Promises checked: every record is a dmarc-aggregate record
 * flagged as such, and the reader never reports more records than rows it read. A broken
 * promise aborts so that the fuzzer keeps the input. The arena is freed before returning. */
#include "spoofwatch/dmarc.h"
#include "spoofwatch/logsource.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int on_record(const sw_record *rec, sw_arena *a, void *ctx)
{
    (void)a;
    (*(uint64_t *)ctx)++;
    if (!rec->has_log || !(rec->log.flags & SW_LOGF_DMARC_AGGREGATE) ||
        strcmp(rec->source.format, "dmarc-aggregate"))
        abort();
    volatile size_t sum = 0;
    for (size_t i = 0; i < rec->log.nfields; i++)
        sum += strlen(rec->log.fields[i].key) + strlen(rec->log.fields[i].value);
    for (size_t i = 0; i < rec->nauth; i++)
        sum += strlen(rec->auth[i].method) + strlen(rec->auth[i].result);
    if (rec->has_from)
        sum += strlen(rec->from.domain);
    if (rec->envelope_from)
        sum += strlen(rec->envelope_from);
    if (rec->log.sender_ip)
        sum += strlen(rec->log.sender_ip);
    (void)sum;
    return 0;
}

static void on_error(const char *message, void *ctx)
{
    (void)ctx;
    if (!message || !*message)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_input in;
    memset(&in, 0, sizeof in);
    in.path = "fuzz.xml";
    in.data = (const char *)data;
    in.len = size;
    in.format = SW_FMT_DMARCXML;
    in.fd = -1;
    sw_arena a;
    sw_arena_init(&a, 4u << 20);
    uint64_t seen = 0, records = 0, errors = 0;
    sw_log_read(&in, &a, on_record, &seen, on_error, &records, &errors);
    if (seen != records)
        abort();
    sw_arena_free(&a);
    (void)sw_dmarc_is_aggregate((const char *)data, size);
    return 0;
}
