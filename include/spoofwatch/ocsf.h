/* Alerts as OCSF Email Activity (class_uid 4009) events, one NDJSON line each.
 *
 * A message alert is written for one spoofed (or suspicious) message from its evidence; a
 * campaign alert for one campaign from its summary. Both carry `email` (from, reply_to,
 * smtp_from, to, subject, message_uid, uid, x_originating_ip), `email_auth` (spf, dkim,
 * dkim_domain, dmarc, dmarc_policy), the recipients with their delivery status, and the
 * signals behind the verdict. The alert's `metadata.uid` is deterministic (SHA-256 of the
 * observation key or the campaign id), so a re-run never produces a second alert for the
 * same thing. The writer owns nothing; the buffer belongs to the caller. */
#ifndef SPOOFWATCH_OCSF_H
#define SPOOFWATCH_OCSF_H
#include "spoofwatch/buf.h"
#include "spoofwatch/campaign.h"
#include "spoofwatch/evidence.h"

/* Appends one alert object (no newline) for a flagged message. Returns the JSON writer
 * status (non-zero when the buffer cap was reached). */
int sw_ocsf_write_message_alert(const sw_evidence *ev, sw_buf *out);
/* Appends one alert object for a campaign; samples: up to nsamples evidence records of
 * it (the first few, for the email object), may be 0. */
int sw_ocsf_write_campaign_alert(const sw_campaign *c, const sw_evidence *samples,
                                 size_t nsamples, sw_buf *out);

#endif
