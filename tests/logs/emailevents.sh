#!/bin/sh
# Defender EmailEvents: every delivery shape, per-recipient rows merged, bad lines reported.
cd "$(dirname "$0")/../.." || exit 1
. tests/logs/lib.sh
F=tests/fixtures/logs

scan_to "$TMP/stream" -q "$F/emailevents-stream.jsonl"
status_is "stream exit" 1
lines "stream: three messages (rows merged per NetworkMessageId)" "$TMP/stream" 3
has "stream: both recipients kept" "$TMP/stream" '"address":"bob@corp.example","field":"RecipientEmailAddress","delivery":{"outcome":"junk","action":"Junked","location":"Junk"}'
has "stream: dmarc fail from AuthenticationDetails" "$TMP/stream" '"method":"dmarc","result":"fail"'
has "stream: P1 from SenderMailFromAddress" "$TMP/stream" '"envelope_from":"bounce@mailer.example.net"'
has "stream: rows counted" "$TMP/stream" '"rows":2'
has "stream: spoof detection flagged" "$TMP/stream" '"flags":["provider_spoof","provider_phish"]'
has "stream: spoofed on DMARC fail plus the provider's spoof detection" "$TMP/stream" '"verdict":"spoofed"'
has "stream: impact named" "$TMP/stream" '"id":"delivered_despite_auth_failure","weight":15,"evidence":"1 of 2 recipients got it delivered despite the authentication failure: ann@corp.example"'
has "stream: aligned list mail passes" "$TMP/stream" '"message_id":"<news-7@lists.example.org>"'
has "stream: simulation exempt by the tenant's policy" "$TMP/stream" '"suppressors":[{"id":"provider_policy_exempt"'
has "stream: attachment table skipped, bad line reported with its number" "$TMP/stream.err" 'emailevents-stream.jsonl:5: not valid JSON'

scan_to "$TMP/ah" -q "$F/emailevents-hunting.json"
status_is "hunting exit" 0
lines "hunting: Results rows" "$TMP/ah" 1
has "hunting: record number kept" "$TMP/ah" '"line":1'
has "hunting: brackets restored" "$TMP/ah" '"message_id":"<ah-1@sender.example>"'

"$B/spoofwatch" check "$F/emailevents-hunting.json" >"$TMP/check.txt" 2>&1
has "check: delivery shown per recipient" "$TMP/check.txt" 'ann@corp.example  -> blocked (Blocked, Quarantine)'
has "check: log facts section" "$TMP/check.txt" 'NetworkMessageId ah-nm-1'
has "check: says what the source cannot" "$TMP/check.txt" 'not in this source: the DKIM signing domain'

# post-delivery remediation (ZAP) updates the recipient it moved, and only when it worked
scan_to "$TMP/zap" -q "$F/emailevents-zap.jsonl"
lines "zap: one message" "$TMP/zap" 1
has "zap: moved copy now junk" "$TMP/zap" '"address":"ann@corp.example","field":"RecipientEmailAddress","delivery":{"outcome":"junk","action":"Delivered","location":"Inbox/folder","latest_location":"Junk","status":"Moved to junk folder (Phish ZAP, Success)"}'
has "zap: failed remediation leaves the copy where it was" "$TMP/zap" '"address":"bob@corp.example","field":"RecipientEmailAddress","delivery":{"outcome":"delivered"'
has "zap: impact counts what is still delivered" "$TMP/zap" '"evidence":"1 of 2 recipients got it delivered despite the authentication failure: bob@corp.example"'

# the same table exported as CSV (Defender portal, Log Analytics): one record per message
scan_to "$TMP/csv" -q "$F/emailevents-export.csv"
status_is "csv export exit (one broken record)" 1
lines "csv export: rows merged" "$TMP/csv" 1
has "csv export: both recipients with their outcome" "$TMP/csv" '"address":"bob@corp.example","field":"RecipientEmailAddress","delivery":{"outcome":"blocked"'
has "csv export: AuthenticationDetails cell read as JSON" "$TMP/csv" '"method":"dmarc","result":"fail"'
has "csv export: [UTC] suffix dropped from the column" "$TMP/csv" '"time":"2024-05-02T09:59:58Z"'
has "csv export: verdict" "$TMP/csv" '"verdict":"spoofed"'
has "csv export: broken record named" "$TMP/csv.err" 'emailevents-export.csv:4: quoted field not closed'

if shared samples/m365/m365_defender-test-email.log; then
    scan_to "$TMP/s" -q "$SHARED/samples/m365/m365_defender-test-email.log"
    has "sample: EmailEvents row read" "$TMP/s" '"format":"defender-emailevents"'
    has "sample: NetworkMessageId" "$TMP/s" '"network_message_id":"a194a8a6-d97c-4be1-ae31-08dacc512345"'
    has "sample: double-escaped brackets turned back" "$TMP/s" '"message_id":"<odspmicro-Share-'
    has "sample: DKIM none from AuthenticationDetails" "$TMP/s" '"method":"dkim","result":"none"'
    has "sample: delivery" "$TMP/s" '"outcome":"delivered","action":"Delivered","location":"Inbox/folder"'
fi
finish logs-emailevents
