#!/bin/sh
# Defender EmailEvents: every delivery shape, per-recipient rows merged, bad lines reported.
cd "$(dirname "$0")/../.." || exit 1
. tests/logs/lib.sh
F=tests/fixtures/logs

scan_to "$TMP/stream" -q "$F/emailevents-stream.jsonl"
status_is "stream exit" 1
lines "stream: two messages (rows merged per NetworkMessageId)" "$TMP/stream" 2
has "stream: both recipients kept" "$TMP/stream" '"address":"bob@corp.example","field":"RecipientEmailAddress","delivery":{"outcome":"junk","action":"Junked","location":"Junk"}'
has "stream: dmarc fail from AuthenticationDetails" "$TMP/stream" '"method":"dmarc","result":"fail"'
has "stream: P1 from SenderMailFromAddress" "$TMP/stream" '"envelope_from":"bounce@mailer.example.net"'
has "stream: rows counted" "$TMP/stream" '"rows":2'
has "stream: spoof detection flagged" "$TMP/stream" '"flags":["provider_spoof","provider_phish"]'
has "stream: attachment table skipped, bad line reported with its number" "$TMP/stream.err" 'emailevents-stream.jsonl:5: not valid JSON'

scan_to "$TMP/ah" -q "$F/emailevents-hunting.json"
status_is "hunting exit" 0
lines "hunting: Results rows" "$TMP/ah" 1
has "hunting: record number kept" "$TMP/ah" '"line":1'
has "hunting: brackets restored" "$TMP/ah" '"message_id":"<ah-1@sender.example>"'

if shared samples/m365/m365_defender-test-email.log; then
    scan_to "$TMP/s" -q "$SHARED/samples/m365/m365_defender-test-email.log"
    has "sample: EmailEvents row read" "$TMP/s" '"format":"defender-emailevents"'
    has "sample: NetworkMessageId" "$TMP/s" '"network_message_id":"a194a8a6-d97c-4be1-ae31-08dacc512345"'
    has "sample: double-escaped brackets turned back" "$TMP/s" '"message_id":"<odspmicro-Share-'
    has "sample: DKIM none from AuthenticationDetails" "$TMP/s" '"method":"dkim","result":"none"'
    has "sample: delivery" "$TMP/s" '"outcome":"delivered","action":"Delivered","location":"Inbox/folder"'
fi
finish logs-emailevents
