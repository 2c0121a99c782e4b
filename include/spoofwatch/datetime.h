/* Date and time parsing for mail headers (RFC 5322 §3.3, with the obsolete forms of §4.3).
 *
 * Accepts day names, comments, two- and four-digit years, numeric zones and the obsolete
 * names (UT, GMT, EST... and military letters); "-0000" parses as UTC with unknown zone.
 * Pure functions, no allocation, no locale, no global state (no mktime/TZ). */
#ifndef SPOOFWATCH_DATETIME_H
#define SPOOFWATCH_DATETIME_H

#include <stddef.h>
#include <stdint.h>

/* Parses s[0..n). On success stores UTC seconds and the written zone offset in minutes and
 * returns 0; returns SW_EFORMAT when no date-time can be read. */
int sw_datetime_parse_rfc5322(const char *s, size_t n, int64_t *epoch_out, int *offset_min_out);
/* Days from civil date (proleptic Gregorian) to 1970-01-01; used by every time parser. */
int64_t sw_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with the NUL) into out. */
void sw_datetime_format_utc(int64_t epoch, char out[32]);

#endif
