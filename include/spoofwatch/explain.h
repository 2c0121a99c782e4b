/* Text explanation of one record for a terminal (spoofwatch check).
 *
 * Writes identities, every authentication result with the header it came from, the
 * Received path oldest-first with per-hop delays, decoded Microsoft anti-spam fields,
 * list headers, Apple Mail context and every anomaly. Read-only on the record. */
#ifndef SPOOFWATCH_EXPLAIN_H
#define SPOOFWATCH_EXPLAIN_H

#include <stdio.h>
#include "spoofwatch/detect.h"
#include "spoofwatch/record.h"

void sw_explain_record(const sw_record *r, FILE *out);
/* The verdict first: what it is, the score, every signal with its evidence and weight,
 * every suppressor, and the evaluation behind them (trusted header, alignment, PSL). */
void sw_explain_assessment(const sw_assessment *as, FILE *out);
struct sw_verification;
/* check --verify: each verification step with the DNS answers it used. */
void sw_explain_verification(const struct sw_verification *v, FILE *out);

#endif
