#!/bin/sh
# Gmail logs: BigQuery rows (legacy and activity layouts, JSON export, positional
# tabledata.list), Reports API activities and their SIEM-flattened forms, and Elastic's
# pipeline output; events of one message merged, absent auth kept apart from false.
cd "$(dirname "$0")/../.." || exit 1
. tests/logs/lib.sh
F=tests/fixtures/logs

# JSON export of the legacy daily tables, an activity row, and two bad lines among them
scan_to "$TMP/bq" -q "$F/gmail-bigquery.jsonl"
status_is "bigquery exit (bad lines are errors)" 1
lines "bigquery: five messages from seven good events" "$TMP/bq" 5
has "bigquery: invalid JSON line reported with its number" "$TMP/bq.err" 'gmail-bigquery.jsonl:2: not valid JSON'
has "bigquery: non-record message_info reported" "$TMP/bq.err" 'gmail-bigquery.jsonl:7: Gmail BigQuery row: message_info or event_info is not a record'
has "bigquery: source id" "$TMP/bq" '"format":"gmail-bigquery"'
lacks "bigquery: no row taken by another source" "$TMP/bq" '"format":"defender-emailevents"'
has "bigquery: P1 from source.address" "$TMP/bq" '"envelope_from":"bounce@mailer.example.net"'
has "bigquery: P2 and display name" "$TMP/bq" '"from":{"address":"alerts@bank.example","display_name":"Bank Security","domain":"bank.example"}'
has "bigquery: brackets kept" "$TMP/bq" '"message_id":"<leg-1@bank.example>"'
has "bigquery: two events merged (Message-ID case folded)" "$TMP/bq" '"rows":2'
has "bigquery: later event updates the outcome (is_spam)" "$TMP/bq" '"address":"bob@corp.example","field":"destination","delivery":{"outcome":"junk","location":"gmail-ui","status":"success=true is_spam=true mail_event_type=0 message_set=46 spam_info.disposition=2"}'
has "bigquery: recipient of the later event added" "$TMP/bq" '"address":"carol@corp.example"'
has "bigquery: dmarc_pass false is fail, as logged true/false" "$TMP/bq" '"method":"dmarc","result":"fail"'
has "bigquery: dmarc domain from dmarc_published_domain" "$TMP/bq" '"header.from":"bank.example"'
has "bigquery: SPF domain from authenticated_domain type 1" "$TMP/bq" '"smtp.mailfrom":"mailer.example.net"'
has "bigquery: logged spelling kept" "$TMP/bq" '"comment":"logged as false"'
has "bigquery: µs timestamp as ISO 8601" "$TMP/bq" '"time":"2026-09-21T14:13:20.123456Z"'
has "bigquery: sender ip" "$TMP/bq" '"sender_ip":"198.51.100.7"'
has "bigquery: is_spam is the provider's spam verdict" "$TMP/bq" '"provider_verdict":"is_spam=true classification_reason=13 disposition=2","flags":["provider_spam"]'
has "bigquery: spoofed bank mail" "$TMP/bq" '"verdict":"spoofed"'
has "bigquery: attachment names kept" "$TMP/bq" '"attachment.file_name":"invoice.html"'
# dmarc_pass absent is unknown: no dmarc entry at all (leg-2), not fail
grep -F '<leg-2@partner.example>' "$TMP/bq" >"$TMP/leg2"
lacks "bigquery: absent dmarc_pass gives no dmarc entry" "$TMP/leg2" '"method":"dmarc"'
has "bigquery: DKIM domain from authenticated_domain type 2" "$TMP/leg2" '"header.d":"partner.example"'
has "bigquery: delivered when success and not spam" "$TMP/leg2" '"outcome":"delivered"'
grep -F '<leg-3@noauth.example>' "$TMP/bq" >"$TMP/leg3"
has "bigquery: all three absent is no_auth" "$TMP/leg3" '"absent":["authentication"]'
has "bigquery: success false is blocked" "$TMP/leg3" '"outcome":"blocked"'
has "bigquery: null sender kept" "$TMP/leg3" '"envelope_from":""'
grep -F '<odd-1@x.example>' "$TMP/bq" >"$TMP/odd"
has "bigquery: a non-boolean dmarc_pass is no result" "$TMP/odd" '"absent":["authentication"]'
has "bigquery: a non-boolean dmarc_pass is kept as evidence" "$TMP/odd" '"connection_info.dmarc_pass":"maybe"'
# activity-table row with string-encoded integers and booleans under "gmail"
grep -F '<act-1@shop.example>' "$TMP/bq" >"$TMP/act"
has "activity: \"false\" string is spf fail" "$TMP/act" '"method":"spf","result":"fail"'
has "activity: \"true\" string is dkim pass" "$TMP/act" '"method":"dkim","result":"pass"'
has "activity: string µs timestamp" "$TMP/act" '"time":"2026-09-21T14:18:20.654321Z"'
has "activity: BYTES ip_address decoded" "$TMP/act" '"ip_address":"192.0.2.50"'
has "activity: common columns kept" "$TMP/act" '"email":"erin@corp.example"'

# many authenticated domains (valid DKIM signatures are cheap) must not crowd out dmarc_pass
scan_to "$TMP/many" -q "$F/gmail-many-domains.jsonl"
status_is "many domains exit" 0
has "many domains: dmarc fail kept past the auth cap" "$TMP/many" '"method":"dmarc","result":"fail"'
has "many domains: spf kept" "$TMP/many" '"method":"spf","result":"pass"'
has "many domains: spoof still caught" "$TMP/many" '"verdict":"spoofed"'

# event_info.timestamp_usec 0 is no time: the activity row's time_usec is used instead
scan_to "$TMP/zero" -q "$F/gmail-zero-timestamp.jsonl"
has "zero timestamp_usec: time_usec used" "$TMP/zero" '"time":"2026-09-21T14:25:00.000000Z"'

# tabledata.list document, no schema: the built-in activity column order
scan_to "$TMP/td" -q "$F/gmail-tabledata.json"
status_is "tabledata exit" 0
lines "tabledata: one row" "$TMP/td" 1
has "tabledata: P1 by position" "$TMP/td" '"envelope_from":"spoof@evil.example"'
has "tabledata: P2 by position" "$TMP/td" '"from":{"address":"ceo@corp.example","display_name":"CEO"'
has "tabledata: both destinations" "$TMP/td" '"address":"carol@corp.example","field":"destination"'
has "tabledata: dmarc false by position" "$TMP/td" '"method":"dmarc","result":"fail"'
has "tabledata: dkim false without domain" "$TMP/td" '"absent":["dkim_domain"]'
has "tabledata: record number" "$TMP/td" '"line":1'
has "tabledata: string time" "$TMP/td" '"time":"2026-09-21T14:21:40.000001Z"'
has "tabledata: CEO spoof caught" "$TMP/td" '"verdict":"spoofed"'

# a tableDataList page of 9000 rows: they share the arena that holds the parsed page, so
# each row's named tree must not stay there (it did, and the last ~1500 rows were lost)
awk 'BEGIN { printf "{\"kind\":\"bigquery#tableDataList\",\"rows\":[" }
     { for (i = 0; i < 9000; i++) printf "%s%s", (i ? "," : ""), $0 }
     END { print "]}" }' "$F/gmail-tabledata-row.json" >"$TMP/page.json"
scan_to "$TMP/page" -q "$TMP/page.json"
status_is "big page exit" 0
lacks "big page: no row lost to the arena cap" "$TMP/page.err" 'arena full'
has "big page: every row merged" "$TMP/page" '"rows":9000'

# query results: the schema sits beside the rows, once for the document
scan_to "$TMP/qr" -q "$F/gmail-query-results.json"
has "query results: rows named by the document's schema" "$TMP/qr" '"message_id":"<pos-2@corp.example>"'
has "query results: record numbered" "$TMP/qr" '"line":1'

# one positional row per line with its schema; rows that do not fit are reported
scan_to "$TMP/pos" -q "$F/gmail-positional.jsonl"
status_is "positional exit" 1
lines "positional: the fitting row" "$TMP/pos" 1
has "positional: named by the row's own schema" "$TMP/pos" '"message_id":"<pos-2@corp.example>"'
has "positional: schema-less row of the wrong width reported" "$TMP/pos.err" 'gmail-positional.jsonl:2: Gmail BigQuery row: positional row of 8 columns without a schema'
has "positional: row not fitting its schema reported" "$TMP/pos.err" 'gmail-positional.jsonl:3: Gmail BigQuery row: positional row does not fit the schema at column source'

# Reports API activities: typed parameters, string intValue, multiMessageValue destinations
scan_to "$TMP/rp" -q "$F/gmail-reports.json"
status_is "reports exit" 0
lines "reports: two events of one message merged, drive activity ignored" "$TMP/rp" 1
has "reports: source id" "$TMP/rp" '"format":"gmail-reports"'
lacks "reports: not read as BigQuery rows" "$TMP/rp" '"format":"gmail-bigquery"'
has "reports: P1 from messageValue" "$TMP/rp" '"envelope_from":"payroll@lookalike.example"'
has "reports: P2 from messageValue" "$TMP/rp" '"from":{"address":"payroll@corp.example","display_name":"Payroll"'
has "reports: multiMessageValue destinations" "$TMP/rp" '"address":"dave@corp.example","field":"destination","delivery":{"outcome":"delivered"'
has "reports: intValue mail_event_type 4 is junk after delivery" "$TMP/rp" '"address":"bob@corp.example","field":"destination","delivery":{"outcome":"junk"'
has "reports: boolValue false is fail" "$TMP/rp" '"method":"dkim","result":"fail"'
has "reports: id.time" "$TMP/rp" '"time":"2026-09-21T12:00:00.123Z"'
has "reports: activity ids kept" "$TMP/rp" '"id.uniqueQualifier":"-123"'
has "reports: rows" "$TMP/rp" '"rows":2'
has "reports: payroll spoof" "$TMP/rp" '"verdict":"spoofed"'

# SIEM-flattened Reports events: nested parameters and fully dotted keys
scan_to "$TMP/fl" -q "$F/gmail-reports-flat.jsonl"
status_is "flattened exit" 1
lines "flattened: three events" "$TMP/fl" 3
has "flattened: nested parameters object" "$TMP/fl" '"message_id":"<flat-1@vendor.example>"'
has "flattened: lone destination object" "$TMP/fl" '"address":"bob@corp.example","field":"destination"'
has "flattened: dotted keys read" "$TMP/fl" '"envelope_from":"a@other.example"'
has "flattened: dotted dmarc_pass \"false\"" "$TMP/fl" '"method":"dmarc","result":"fail","origin":{"header":"message_info.connection_info"'
has "flattened: typed parameters beside the activity" "$TMP/fl" '"message_id":"<typed-1@corp.example>"'
has "flattened: bad events reported" "$TMP/fl.err" 'gmail-reports-flat.jsonl:3: Gmail Reports activity: events is not an array'

if shared samples/gws/test-gmail.log; then
    scan_to "$TMP/s" -q "$SHARED/samples/gws/test-gmail.log"
    status_is "sample: exit" 0
    lines "sample: lines 2 and 3 are one message" "$TMP/s" 2
    has "sample: positional rows read" "$TMP/s" '"format":"gmail-bigquery"'
    has "sample: P1" "$TMP/s" '"envelope_from":"foo@example.com"'
    has "sample: P2 with display name" "$TMP/s" '"from":{"address":"foo@example.com","display_name":"Foo Bar"'
    has "sample: escaped brackets turned back" "$TMP/s" '"message_id":"<12345627134207078908@example.com>"'
    has "sample: spf \"true\" is pass" "$TMP/s" '"method":"spf","result":"pass"'
    has "sample: dkim domain (type 2)" "$TMP/s" '"header.d":"example.com"'
    lacks "sample: dmarc_pass null is no entry" "$TMP/s" '"method":"dmarc"'
    has "sample: delivery outcome from success=false" "$TMP/s" '"address":"bar@elastic.com","field":"destination","delivery":{"outcome":"blocked"'
    has "sample: µs time" "$TMP/s" '"time":"2025-07-27T05:42:10.801601Z"'
    has "sample: merged events" "$TMP/s" '"rows":2'
    has "sample: post-delivery attachment malware" "$TMP/s" '"provider_malware"'
fi
if shared samples/gws/sample_event.json; then
    scan_to "$TMP/e" -q "$SHARED/samples/gws/sample_event.json"
    status_is "elastic: exit" 0
    lines "elastic: one record" "$TMP/e" 1
    has "elastic: P1 from email.from.address" "$TMP/e" '"envelope_from":"foo@example.com"'
    has "elastic: P2 from source.from_header_address" "$TMP/e" '"from":{"address":"bar@gmail.com","display_name":"The Google Workspace Team"'
    has "elastic: recipient from flattened_destinations" "$TMP/e" '"address":"contact@elastic.com","field":"destination","delivery":{"outcome":"delivered","location":"gmail-ui"'
    has "elastic: dkim pass with domain" "$TMP/e" '"header.d":"google.com"'
    has "elastic: spf domain" "$TMP/e" '"smtp.mailfrom":"example.bounces.google.com"'
    lacks "elastic: no dmarc" "$TMP/e" '"method":"dmarc"'
    has "elastic: time_usec" "$TMP/e" '"time":"2025-04-30T22:04:15.578390Z"'
    has "elastic: sender ip" "$TMP/e" '"sender_ip":"216.160.83.56"'
fi
finish logs-gmail
