/* DMARC aggregate reports, split by job: dmarc_container.c takes the input apart (plain
 * XML, gzip, zip entries) and dmarc_xml.c turns each XML document into rows. Internal to
 * the log readers. */
#ifndef SW_DMARC_REPORT_H
#define SW_DMARC_REPORT_H

#include "spoofwatch/logsource.h"

#include <stddef.h>

/* dmarc_container.c: the "dmarc-aggregate" source's reader, over c->data. */
int sw_dmarcxml_read(sw_logctx *c);

/* dmarc_xml.c: the rows of one XML document; entry names the zip entry it came from (kept
 * as a field of every row), NULL otherwise. */
void sw_dmarcxml_read_document(sw_logctx *c, const char *entry, const char *xml, size_t len);

#endif
