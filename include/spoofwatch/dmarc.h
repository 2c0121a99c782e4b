/* DMARC reports carried in mail (src/readers/logs/dmarc_mail.c).
 *
 * The batch calls sw_dmarc_mail() for every mail message it has read. When the message
 * carries a DMARC report, the report's records are handed out instead of the carrier
 * message's own record:
 *   - an aggregate report attached (zip, gzip or XML, by type or by file name) gives one
 *     "dmarc-aggregate" record per <record>, read by the dmarc-xml family reader;
 *   - a failure report (ARF, RFC 5965/6591: multipart/report with a message/feedback-report
 *     part, or a plain-text DMARC report with the original headers pasted in) gives one
 *     "dmarc-failure" record: the enclosed original message read as mail, with the
 *     report's fields as log facts.
 * Messages that carry no report are left alone (0 is returned) and cost one header lookup
 * unless their type is multipart or an archive.
 *
 * Memory: failure records live in the caller's arena `a` (like any mail record);
 * aggregate records in the log merger's own arenas. */
#ifndef SPOOFWATCH_DMARC_H
#define SPOOFWATCH_DMARC_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/record.h"

typedef struct sw_dmarc_sink {
    int (*on_record)(const sw_record *rec, sw_arena *a, void *ctx); /* non-zero stops */
    void (*on_error)(const char *message, void *ctx);
    void *ctx;
    uint64_t records; /* records handed out (added to) */
    uint64_t errors;  /* problems reported (added to) */
    int stop;         /* the callback's stop value */
} sw_dmarc_sink;

/* carrier: the record already built from msg[0..len) (its headers decide cheaply whether
 * to look further). Returns 1 when msg was a report and its records went to the sink
 * (the caller then drops the carrier record), 0 when it is ordinary mail. */
int sw_dmarc_mail(sw_arena *a, const sw_record *carrier, const char *msg, size_t len,
                  sw_dmarc_sink *sink);

/* 1 when data (XML, gzip or zip bytes) holds a DMARC aggregate report: a <feedback
 * element near the start of the XML, of the inflated gzip, or of a zip's .xml entry. */
int sw_dmarc_is_aggregate(const char *data, size_t len);

#endif
