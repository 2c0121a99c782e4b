#!/bin/sh
# Microsoft 365 JSON sources: Management Activity TIMailData (o365-timaildata) and Exchange
# Online message trace (exo-message-trace), every delivery shape, merging, skipped record
# types, bad rows reported with their neighbours still read, and the two shared samples.
cd "$(dirname "$0")/../.." || exit 1
. tests/logs/lib.sh
F=tests/fixtures/logs

# ---- TIMailData: a content blob (JSON array) ----
scan_to "$TMP/blob" -q "$F/timaildata-blob.json"
status_is "blob exit" 0
lines "blob: three messages (ZAP record merged, RecordType 2 and 50 skipped)" "$TMP/blob" 3
has "blob: source id" "$TMP/blob" '"format":"o365-timaildata","line":1}'
has "blob: P2Sender is the From" "$TMP/blob" '"from":{"address":"accounts@fabrikam.example"'
has "blob: P1Sender is the envelope" "$TMP/blob" '"envelope_from":"bounces+4411@billing-mailer.example.net"'
has "blob: Comp Auth read as compauth" "$TMP/blob" '"method":"compauth","result":"fail","origin":{"header":"TIMailData.AuthDetails"'
has "blob: capitalised Pass normalised" "$TMP/blob" '"method":"spf","result":"pass"'
has "blob: Permanent error normalised, spelling kept" "$TMP/blob" '"result":"permerror","origin":{"header":"TIMailData.AuthDetails","index":0,"authserv_id":"o365-timaildata","offset":0},"properties":{"header.from":"news.example.org"},"comment":"logged as Permanent error"'
has "blob: missing SPF entry stays absent (first auth is dkim)" "$TMP/blob" '"auth":[{"method":"dkim","result":"pass"'
has "blob: unknown AuthDetails name kept as evidence" "$TMP/blob" '"AuthDetails.BIMI":"Pass"'
has "blob: ZAP record moved one recipient to quarantine" "$TMP/blob" '{"address":"dana@contoso.example","field":"Recipients","delivery":{"outcome":"blocked","action":"DeliveredAsSpam","location":"JunkFolder","latest_location":"Quarantine"}}'
has "blob: other recipient still in junk" "$TMP/blob" '{"address":"eli@contoso.example","field":"Recipients","delivery":{"outcome":"junk","action":"DeliveredAsSpam","location":"JunkFolder","latest_location":"JunkFolder"}}'
has "blob: rows merged on NetworkMessageId" "$TMP/blob" '"network_message_id":"ti-net-0001-08dc83a1f0e2","direction":"Inbound","sender_ip":"198.51.100.23"'
has "blob: two rows" "$TMP/blob" '"rows":2'
has "blob: detection joins DetectionMethod and ThreatsAndDetectionTech" "$TMP/blob" '"detection":"Spoof external domain; Phish: [Spoof external domain]; Spam: [Advanced filter]","flags":["provider_spoof","provider_phish"]'
has "blob: MessageTime zone-less UTC" "$TMP/blob" '"time":"2024-06-03T08:14:57","time_utc":"2024-06-03T08:14:57Z"'
has "blob: policy kept" "$TMP/blob" '"Policy":"Spoof","PolicyAction":"MoveToJmf"'
has "blob: later record's actions kept" "$TMP/blob" '"AdditionalActionsAndResults":"ZAP: [MovedToQuarantine]"'
has "blob: final allow override flagged" "$TMP/blob" '"flags":["provider_phish","override_allow"]'
has "blob: overrides as readable text" "$TMP/blob" '"overrides":"Details=Allowed by user policy, FinalOverride=No, Result=Allow, Source=User; Details=Tenant Allow/Block List, FinalOverride=Yes, Result=Allow, Source=Tenant"'
has "blob: attachment summary" "$TMP/blob" '"AttachmentData":"FileName=digest.pdf, FileType=pdf, FileVerdict=0, SHA256=5f0c'
has "blob: singular and plural Connector both kept" "$TMP/blob" '"Connectors":"c0ffee00-3333-4d4d-8e8e-cccccccc0002: [Inbound from news relay]"'
has "blob: no AuthDetails: authentication absent" "$TMP/blob" '"absent":["authentication"]'
has "blob: null sender P1 kept as empty" "$TMP/blob" '"envelope_from":"","reply_to"'
has "blob: malware verdict" "$TMP/blob" '"provider_verdict":"Malware","detection":"Antimalware protection","flags":["provider_malware"]'
has "blob: spoofed message found" "$TMP/blob" '"verdict":"spoofed"'
lacks "blob: mailbox audit is no message" "$TMP/blob" 'MoveToDeletedItems'
lacks "blob: unknown column ignored" "$TMP/blob" 'ColumnAddedNextYear'

# ---- TIMailData: JSON Lines (CRLF), a bad line in the middle, Search-UnifiedAuditLog rows ----
scan_to "$TMP/tl" -q "$F/timaildata-lines.jsonl"
status_is "lines exit (bad rows)" 1
lines "lines: four messages around two bad rows and a Safe Links record" "$TMP/tl" 4
has "lines: bad JSON reported with its line" "$TMP/tl.err" 'timaildata-lines.jsonl:3: not valid JSON'
has "lines: bad AuditData reported with its line" "$TMP/tl.err" 'timaildata-lines.jsonl:5: AuditData is not a JSON object'
has "lines: record before the bad line" "$TMP/tl" '"format":"o365-timaildata","line":1}'
has "lines: AuditData JSON text read (Search-UnifiedAuditLog)" "$TMP/tl" '"format":"o365-timaildata","line":4}'
has "lines: AuditData identities" "$TMP/tl" '"envelope_from":"msprvs1=abc@bulk.example.com"'
has "lines: bulk spam flagged" "$TMP/tl" '"detection":"Spam: [Bulk]","flags":["provider_spam"]'
has "lines: record after the bad lines" "$TMP/tl" '"network_message_id":"ti-net-0106"'
has "lines: intra-org spoof" "$TMP/tl" '"detection":"Spoof intra-org","flags":["provider_spoof","provider_phish"]'
has "lines: AuthDetails of an unknown shape kept, not trusted" "$TMP/tl" '"AuthDetails":"SPF=Fail;DMARC=Fail"'
lacks "lines: Safe Links record is no message" "$TMP/tl" 'click.example'
n=$(grep -c '"absent":\["authentication"\]' "$TMP/tl")
if [ "$n" = 2 ]; then ok; else ko "lines: $n records without auth, expected 2"; fi

# ---- TIMailData: Elastic's event.original wrapper ----
scan_to "$TMP/el" -q "$F/timaildata-elastic.json"
status_is "elastic exit" 0
lines "elastic: one message, the admin record skipped" "$TMP/el" 1
has "elastic: transport-rule allow overrode a spoof" "$TMP/el" '"flags":["provider_spoof","provider_phish","override_allow"]'
has "elastic: missing DKIM entry stays absent" "$TMP/el" '"auth":[{"method":"spf","result":"none"'

# ---- only other RecordTypes: recognised, skipped, no error ----
scan_to "$TMP/other" "$F/timaildata-otheronly.json"
status_is "other record types exit" 0
lines "other record types: no record" "$TMP/other" 0
lacks "other record types: not reported as unknown JSON" "$TMP/other.err" 'no record of a log source'

# ---- message trace: Get-MessageTrace | ConvertTo-Json (BOM, CRLF, /Date()/) ----
scan_to "$TMP/ps" -q "$F/msgtrace-cmdlet.json"
status_is "cmdlet exit" 0
lines "cmdlet: three messages from six rows" "$TMP/ps" 3
has "cmdlet: source id" "$TMP/ps" '"format":"exo-message-trace","line":1}'
has "cmdlet: SenderAddress as the envelope" "$TMP/ps" '"envelope_from":"reports@partners.example.com"'
has "cmdlet: no header From invented" "$TMP/ps" '"from":null'
has "cmdlet: rows merged on MessageTraceId" "$TMP/ps" '"rows":3'
has "cmdlet: delivered recipient" "$TMP/ps" '{"address":"ann@contoso.example","field":"RecipientAddress","delivery":{"outcome":"delivered","status":"Delivered"}}'
has "cmdlet: FilteredAsSpam is junk" "$TMP/ps" '{"address":"bea@contoso.example","field":"RecipientAddress","delivery":{"outcome":"junk","status":"FilteredAsSpam"}}'
has "cmdlet: Failed never delivered" "$TMP/ps" '"delivery":{"outcome":"blocked","status":"Failed"}'
has "cmdlet: Quarantined never delivered" "$TMP/ps" '"delivery":{"outcome":"blocked","status":"Quarantined"}'
has "cmdlet: Expanded says nothing yet" "$TMP/ps" '"delivery":{"outcome":"unknown","status":"Expanded"}'
has "cmdlet: /Date(ms)/ read as UTC, as logged kept" "$TMP/ps" '"time":"2024-06-03T08:14:57Z","time_utc":"2024-06-03T08:14:57Z","sender_ip":"198.51.100.40"'
has "cmdlet: raw Received kept" "$TMP/ps" '"Received":"/Date(1717402497123)/"'
has "cmdlet: auth and header From absent" "$TMP/ps" '"absent":["authentication","header_from"]'
has "cmdlet: trace facts kept" "$TMP/ps" '"Size":"48211","MessageTraceId":"6f1d2c3b-aaaa-4bbb-8ccc-08dc83a10001","Organization":"contoso.onmicrosoft.com"'
has "cmdlet: MessageId fallback merges rows without MessageTraceId" "$TMP/ps" '"recipients":[{"address":"everyone@contoso.example","field":"RecipientAddress","delivery":{"outcome":"unknown","status":"Expanded"}},{"address":"dev@contoso.example"'
lacks "cmdlet: PowerShell's own properties ignored" "$TMP/ps" 'RunspaceId'
lacks "cmdlet: no authentication invented" "$TMP/ps" '"method":'

lacks "trace: no_from not claimed where the source has no header From" "$TMP/ps" '"id":"no_from"'
has "trace: the gap is said instead" "$TMP/ps" '"id":"log_facts_absent","weight":0'
has "trace: no verdict from a source without authentication" "$TMP/ps" '"verdict":"unknown"'
scan_to "$TMP/u16" -q "$F/msgtrace-utf16.json"
has "trace: UTF-16 (PowerShell 5.1 redirection) read" "$TMP/u16" '"message_id":"<u16@sender.example>"'
has "trace: UTF-16 row keeps its record number" "$TMP/u16" '"format":"exo-message-trace","line":1'
scan_to "$TMP/one" -q "$F/msgtrace-single.json"
status_is "single object exit" 0
lines "single object: one record" "$TMP/one" 1
has "single object: null sender kept" "$TMP/one" '"envelope_from":""'
has "single object: time with Z" "$TMP/one" '"time_utc":"2024-06-03T10:11:12Z"'
# /Date(ms)/ before the epoch: seconds are the floor, not the truncation toward zero
scan_to "$TMP/ep" -q "$F/msgtrace-epoch.json"
has "trace: negative /Date(ms)/ floored" "$TMP/ep" '"time":"1969-12-31T23:59:58Z"'

# ---- message trace: Reporting Web Service OData ----
scan_to "$TMP/od" -q "$F/msgtrace-odata-verbose.json"
status_is "odata verbose exit" 0
lines "odata verbose: d.results rows merged" "$TMP/od" 1
has "odata verbose: both recipients" "$TMP/od" '{"address":"fox@contoso.example","field":"RecipientAddress","delivery":{"outcome":"unknown","status":"GettingStatus"}}'
has "odata verbose: /Date()/ time" "$TMP/od" '"time_utc":"2024-06-03T08:56:40Z"'
lacks "odata verbose: __metadata ignored" "$TMP/od" 'TenantReporting'

scan_to "$TMP/lt" -q "$F/msgtrace-odata-light.json"
status_is "odata light exit" 0
lines "odata light: value rows" "$TMP/lt" 2
has "odata light: rows numbered" "$TMP/lt" '"format":"exo-message-trace","line":2}'
has "odata light: zone-less Received is UTC" "$TMP/lt" '"time":"2024-06-03T12:05:00.1000000","time_utc":"2024-06-03T12:05:00Z"'
has "odata light: status None is unknown" "$TMP/lt" '"delivery":{"outcome":"unknown","status":"None"}'

scan_to "$TMP/v1" -q "$F/msgtrace-odata-v1.json"
lines "odata v1: d array" "$TMP/v1" 1
has "odata v1: row read" "$TMP/v1" '"message_id":"<v1@x.example>"'

# ---- message trace: JSON Lines with a bad line in the middle ----
scan_to "$TMP/ml" -q "$F/msgtrace-lines.jsonl"
status_is "trace lines exit (bad line)" 1
lines "trace lines: two messages" "$TMP/ml" 2
has "trace lines: bad line reported" "$TMP/ml.err" 'msgtrace-lines.jsonl:2: not valid JSON'
has "trace lines: rows around the bad line merged" "$TMP/ml" '{"address":"jan@contoso.example","field":"RecipientAddress","delivery":{"outcome":"delivered","status":"Delivered"}}'
has "trace lines: literal \\u003c brackets turned back" "$TMP/ml" '"message_id":"<ln-1@shipper.example>"'
has "trace lines: row with neither id is its own record" "$TMP/ml" '"format":"exo-message-trace","line":4}'

# ---- shared samples ----
S=samples/m365
if shared $S/o365_audit-test-wl-threatintelligence.json; then
    scan_to "$TMP/ti" -q "$SHARED/$S/o365_audit-test-wl-threatintelligence.json"
    status_is "sample TIMailData exit" 0
    # the five anonymised records share one NetworkMessageId, so they merge into one
    lines "sample TIMailData: one NetworkMessageId" "$TMP/ti" 1
    has "sample TIMailData: five rows" "$TMP/ti" '"rows":5'
    has "sample TIMailData: From" "$TMP/ti" '"from":{"address":"sender@example.com"'
    has "sample TIMailData: Permanent error" "$TMP/ti" '"method":"dmarc","result":"permerror"'
    has "sample TIMailData: spoof record's flag merged" "$TMP/ti" '"flags":["provider_spoof","provider_phish","provider_malware"]'
    has "sample TIMailData: last record's delivery" "$TMP/ti" '"delivery":{"outcome":"blocked","action":"Blocked","location":"Quarantine","latest_location":"Quarantine"}'
    # each record on its own, through the same event.original wrapper
    awk -v dir="$TMP" '/"original":/ {
        n++; sub(/^[ \t]*"original":[ \t]*/, ""); sub(/,[ \t]*$/, "")
        print "{\"event\":{\"original\":" $0 "}}" > (dir "/ti-" n ".json") }' \
        "$SHARED/$S/o365_audit-test-wl-threatintelligence.json"
    for i in 1 2 3 4 5; do scan_to "$TMP/ti$i" -q "$TMP/ti-$i.json"; done
    lines "sample record 1 read" "$TMP/ti1" 1
    has "sample record 1: SPF Fail" "$TMP/ti1" '"method":"spf","result":"fail"'
    has "sample record 1: blocked" "$TMP/ti1" '"outcome":"blocked","action":"Blocked"'
    has "sample record 1: transport rule did not override" "$TMP/ti1" '"overrides":"Details=Exchange transport rule, FinalOverride=No, Source=Tenant, Result=Block","flags":["provider_phish"]'
    has "sample record 2: delivered to junk" "$TMP/ti2" '"outcome":"junk","action":"Delivered","location":"JunkFolder"'
    has "sample record 2: DMARC pass" "$TMP/ti2" '"method":"dmarc","result":"pass"'
    has "sample record 3: P1 differs from P2" "$TMP/ti3" '"from":{"address":"sender@example.com","display_name":null,"domain":"example.com"},"from_header_count":1,"sender":null,"envelope_from":"p1sender@example.com"'
    has "sample record 3: spoof detection" "$TMP/ti3" '"detection":"Spoof external domain","flags":["provider_spoof","provider_phish"]'
    has "sample record 3: Comp Auth fail" "$TMP/ti3" '"method":"compauth","result":"fail"'
    has "sample record 3: delivered to the inbox" "$TMP/ti3" '"outcome":"delivered","action":"Delivered","location":"Inbox"'
    has "sample record 4: Comp Auth none" "$TMP/ti4" '"method":"compauth","result":"none"'
    has "sample record 4: DeliveredAsSpam is junk" "$TMP/ti4" '"outcome":"junk","action":"DeliveredAsSpam"'
    has "sample record 5: only DKIM and DMARC" "$TMP/ti5" '"auth":[{"method":"dkim","result":"none"'
    has "sample record 5: attachments summarised" "$TMP/ti5" 'FileName=untitled2.eml, MalwareFamily=HTML/Phish.PAZU!MTB'
    has "sample record 5: Intraorg direction" "$TMP/ti5" '"direction":"Intraorg"'
fi
if shared $S/exchange_online_message_trace-test-log.log; then
    scan_to "$TMP/mt" -q "$SHARED/$S/exchange_online_message_trace-test-log.log"
    status_is "sample trace exit" 0
    lines "sample trace: one row" "$TMP/mt" 1
    has "sample trace: source id" "$TMP/mt" '"format":"exo-message-trace"'
    has "sample trace: envelope" "$TMP/mt" '"envelope_from":"azure-noreply@microsoft.com"'
    has "sample trace: no From" "$TMP/mt" '"from":null'
    has "sample trace: escaped brackets" "$TMP/mt" '"message_id":"<a210cf91-4f2e-484c-8ada-3b27064ee5e3@az.uksouth.production.microsoft.com>"'
    has "sample trace: delivered" "$TMP/mt" '{"address":"linus@wildsecurity.onmicrosoft.com","field":"RecipientAddress","delivery":{"outcome":"delivered","status":"Delivered"}}'
    has "sample trace: time and IP" "$TMP/mt" '"time":"2022-09-05T18:10:13.4907658","time_utc":"2022-09-05T18:10:13Z","sender_ip":"81.2.69.144"'
    has "sample trace: blind spots" "$TMP/mt" '"absent":["authentication","header_from"]'
    has "sample trace: ToIP kept" "$TMP/mt" '"ToIP":"216.160.83.56"'
fi
finish logs-m365
