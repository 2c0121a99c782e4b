/* libFuzzer target for the MIME walker (src/mail/mime.c) and the DMARC report hook on
 * mail (src/readers/logs/dmarc_mail.c), which walks what it is given.
 *
 * Each input is walked as a message; every part's header block, body span and parameters
 * are touched, every body decoded, and the structured fields re-read with sw_mime_param().
 * Promises checked: parts[0] is the message at depth 0, every span lies inside the input,
 * depths respect SW_MIME_MAX_DEPTH, a parent comes before its children, and decoding never
 * writes more than the encoded size. The input is then read as a mail record and handed
 * to sw_dmarc_mail(), whose records must be dmarc-aggregate or dmarc-failure records with
 * their strings intact. A broken promise aborts. The arenas are freed. */
#include "spoofwatch/dmarc.h"
#include "spoofwatch/mime.h"
#include "spoofwatch/record.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int on_record(const sw_record *rec, sw_arena *a, void *ctx)
{
    (void)a;
    (void)ctx;
    if (!rec->has_log || (strcmp(rec->source.format, "dmarc-aggregate") &&
                          strcmp(rec->source.format, "dmarc-failure")))
        abort();
    volatile size_t sum = 0;
    for (size_t i = 0; i < rec->log.nfields; i++)
        sum += strlen(rec->log.fields[i].key) + strlen(rec->log.fields[i].value);
    for (size_t i = 0; i < rec->nauth; i++)
        sum += strlen(rec->auth[i].method) + strlen(rec->auth[i].result);
    for (size_t i = 0; i < rec->nrecipients; i++)
        sum += strlen(rec->recipients[i].address);
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

static void report_hook(const char *msg, size_t size)
{
    sw_arena a;
    sw_arena_init(&a, 16u << 20);
    sw_source src = {.path = "fuzz.eml", .format = "eml", .length = size, .index = -1};
    sw_record rec;
    sw_error err;
    sw_error_clear(&err);
    if (sw_record_from_mail(&a, msg, size, &src, &rec, &err) == 0) {
        sw_dmarc_sink sink = {.on_record = on_record, .on_error = on_error};
        sw_dmarc_mail(&a, &rec, msg, size, &sink);
    }
    sw_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *msg = (const char *)data;
    sw_arena a;
    sw_arena_init(&a, 16u << 20);
    sw_mime m;
    if (sw_mime_parse(&a, msg, size, &m) == 0) {
        if (!m.nparts || m.parts[0].depth != 0 || m.parts[0].parent != -1 ||
            m.nparts > SW_MIME_MAX_PARTS)
            abort();
        volatile size_t sum = 0;
        for (size_t i = 0; i < m.nparts; i++) {
            const sw_mime_part *p = &m.parts[i];
            if (p->body < msg || p->body_len > size || p->body + p->body_len > msg + size ||
                p->depth > SW_MIME_MAX_DEPTH || p->parent >= (int)i || (i && p->parent < 0))
                abort();
            for (size_t k = 0; k < p->body_len; k++)
                sum += (unsigned char)p->body[k];
            sum += strlen(p->type) + strlen(p->encoding);
            if (p->filename)
                sum += strlen(p->filename);
            for (size_t f = 0; f < p->headers.count; f++) {
                const char *v = p->headers.fields[f].value;
                const char *b = sw_mime_param(&a, v, "boundary");
                const char *n = sw_mime_param(&a, v, "filename");
                sum += (b ? strlen(b) : 0) + (n ? strlen(n) : 0);
            }
            const char *out;
            size_t len;
            if (sw_mime_decode(&a, p, &out, &len) == 0) {
                if (len > p->body_len || out[len] != '\0')
                    abort();
                for (size_t k = 0; k < len; k++)
                    sum += (unsigned char)out[k];
            }
        }
        (void)sum;
    }
    sw_arena_free(&a);
    report_hook(msg, size);
    return 0;
}
