/* The JSON log sources, tried in this order for every record (logjson.c). A source's
 * claims() must be specific enough not to take another source's records: keep the more
 * specific tests first. */
#include "spoofwatch/logsource.h"

extern const sw_json_source sw_src_emailevents;
extern const sw_json_source sw_src_timaildata;
extern const sw_json_source sw_src_msgtrace_json;
extern const sw_json_source sw_src_jamf_unified_log;
extern const sw_json_source sw_src_osquery_unified_log;
extern const sw_json_source sw_src_macos_unified_log;
extern const sw_json_source sw_src_gmail_reports;
extern const sw_json_source sw_src_gmail_bigquery;

const sw_json_source *const sw_json_sources[] = {
    &sw_src_timaildata, /* RecordType with the audit schema: nobody else has it */
    &sw_src_emailevents,
    &sw_src_msgtrace_json, /* SenderAddress + RecipientAddress, and no RecordType */
    /* macOS unified log: the wrapped shapes before the bare ndjson event */
    &sw_src_jamf_unified_log,
    &sw_src_osquery_unified_log,
    &sw_src_macos_unified_log,
    &sw_src_gmail_reports, /* id.applicationName "gmail": before the BigQuery forms */
    &sw_src_gmail_bigquery,
    NULL,
};
