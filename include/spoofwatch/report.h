/* Text and JSON forms of stored evidence and campaigns, for trace, search and campaigns.
 *
 * Text is for an analyst at a terminal: every fact names the source it came from. JSON is one
 * object per call (the commands write one per line). Writers own nothing; the buffer is the
 * caller's. */
#ifndef SPOOFWATCH_REPORT_H
#define SPOOFWATCH_REPORT_H
#include "spoofwatch/buf.h"
#include "spoofwatch/campaign.h"
#include "spoofwatch/evidence.h"
#include "spoofwatch/json.h"

/* Members of one observation into an open JSON object. */
void sw_evidence_write_json_members(const sw_evidence *ev, sw_json *j);
/* The trace of one message: its observations (oldest first) as one JSON object, and as
 * text: identities and authentication per source, then every recipient's delivery. */
int sw_trace_write_json(const char *id, const sw_evidence *obs, size_t n, sw_buf *out);
int sw_trace_write_text(const char *id, const sw_evidence *obs, size_t n, sw_buf *out);
/* One search hit as a line of text. */
int sw_evidence_write_line(const sw_evidence *ev, sw_buf *out);
/* One campaign as JSON, and as a text block. */
int sw_campaign_write_json(const sw_campaign *c, sw_buf *out);
int sw_campaign_write_text(const sw_campaign *c, sw_buf *out);

#endif
