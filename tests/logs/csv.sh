#!/bin/sh
# CSV family: EXO message trace (UTF-8, BOM, UTF-16 LE/BE, #TYPE, quoting), EXO enhanced
# summary and extended reports, Gmail Email Log Search; ragged and malformed rows.
cd "$(dirname "$0")/../.." || exit 1
. tests/logs/lib.sh
F=tests/fixtures/logs

scan_to "$TMP/t" -q "$F/exo-trace.csv"
status_is "trace exit" 0
lines "trace: per-recipient rows merged on MessageTraceId" "$TMP/t" 2
has "trace: source id" "$TMP/t" '"format":"exo-message-trace"'
has "trace: first data row is line 3 (#TYPE and header before it)" "$TMP/t" '"line":3'
has "trace: quoted newline kept, next record numbered after it" "$TMP/t" '"subject":"Weekly\ndigest"'
has "trace: doubled quotes and comma inside quotes" "$TMP/t" '"subject":"Invoice \"March\", final"'
has "trace: Delivered row" "$TMP/t" '"address":"alice@contoso.com","field":"RecipientAddress","delivery":{"outcome":"delivered","action":"Delivered","status":"Delivered"}'
has "trace: FilteredAsSpam is junk" "$TMP/t" '"address":"bob@contoso.com","field":"RecipientAddress","delivery":{"outcome":"junk"'
has "trace: Quarantined is blocked" "$TMP/t" '"outcome":"blocked","action":"Quarantined"'
has "trace: SenderAddress as envelope sender" "$TMP/t" '"envelope_from":"bounce@billing.example.net"'
has "trace: no header From, no auth, said so" "$TMP/t" '"absent":["authentication","header_from"]'
has "trace: FromIP as sender IP" "$TMP/t" '"sender_ip":"192.0.2.7"'
has "trace: zone-less Received read as UTC" "$TMP/t" '"time_utc":"2025-03-02T09:14:07Z"'
has "trace: rows counted" "$TMP/t" '"rows":2'

scan_to "$TMP/b" -q "$F/exo-trace-bom.csv"
status_is "BOM+CRLF exit" 0
lines "BOM+CRLF: same two messages" "$TMP/b" 2
has "BOM+CRLF: first column found after the BOM" "$TMP/b" '"MessageTraceId":"7b1c4a2e-0001-4f00-9a00-08dd5a000001","Organization":"contoso.onmicrosoft.com"'
has "BOM+CRLF: no CR left in the last field" "$TMP/b" '"Index":"0"}'
has "BOM+CRLF: quoted line break kept as written" "$TMP/b" '"subject":"Weekly\r\ndigest"'

for e in le be; do
    scan_to "$TMP/u$e" -q "$F/exo-trace-utf16$e.csv"
    status_is "UTF-16$e exit" 0
    lines "UTF-16$e: one message" "$TMP/u$e" 1
    has "UTF-16$e: converted to UTF-8" "$TMP/u$e" '"subject":"Rechnung für März"'
    has "UTF-16$e: columns found" "$TMP/u$e" '"envelope_from":"rechnung@lieferant.example.de"'
done

scan_to "$TMP/r" -q "$F/exo-ragged.csv"
status_is "ragged exit (bad rows)" 1
lines "ragged: the three good rows read" "$TMP/r" 3
has "ragged: short row read, missing cells empty" "$TMP/r" '"envelope_from":"b@two.example"'
has "ragged: extra cells ignored" "$TMP/r" '"outcome":"blocked","action":"Failed"'
lacks "ragged: record after a closing quote skipped" "$TMP/r" 'three.example'
has "ragged: bad quote reported with file and line" "$TMP/r.err" 'exo-ragged.csv:4: characters after a closing quote; record skipped'
has "ragged: unterminated quote reported with its line" "$TMP/r.err" 'exo-ragged.csv:6: quoted field not closed before the end of the file'

scan_to "$TMP/s" -q "$F/exo-summary.csv"
status_is "summary exit" 0
lines "summary: one record per message" "$TMP/s" 2
has "summary: source id" "$TMP/s" '"format":"exo-report"'
has "summary: sender_address as From" "$TMP/s" '"from":{"address":"ceo@contoso.com"'
has "summary: recipient_status split, last event is the outcome" "$TMP/s" '"address":"payroll@contoso.com","field":"recipient_status","delivery":{"outcome":"blocked","action":"Fail","status":"Receive, Fail"}'
has "summary: delivered recipient" "$TMP/s" '"address":"alice@contoso.com","field":"recipient_status","delivery":{"outcome":"delivered"'
has "summary: directionality 1 is inbound" "$TMP/s" '"direction":"Inbound"'
has "summary: no return_path column, said so" "$TMP/s" '"absent":["authentication","envelope_from"]'

scan_to "$TMP/x" -q "$F/exo-extended.csv"
status_is "extended exit" 0
lines "extended: events merged into one message" "$TMP/x" 1
has "extended: three events" "$TMP/x" '"rows":3'
has "extended: return_path as envelope" "$TMP/x" '"envelope_from":"bounce@example.net"'
has "extended: ';'-separated recipients, DELIVER outcome" "$TMP/x" '"address":"boss@contoso.com","field":"recipient_address","delivery":{"outcome":"delivered","action":"DELIVER"'
has "extended: custom_data SFV=SPM and CAT=SPOOF to flags" "$TMP/x" '"flags":["provider_spoof","provider_spam"]'
has "extended: verdict as logged" "$TMP/x" '"provider_verdict":"SFV=SPM SCL=5 CAT=SPOOF"'
has "extended: date_time_utc" "$TMP/x" '"time_utc":"2025-03-02T09:14:05Z"'

scan_to "$TMP/g" -q "$F/gmail-logsearch-export.csv"
status_is "gmail exit" 0
lines "gmail: events merged per Message ID, placeholder id alone" "$TMP/g" 3
has "gmail: source id" "$TMP/g" '"format":"gmail-log-search"'
has "gmail: GMAIL_SPAM target is junk" "$TMP/g" '"address":"user@example.org","field":"Recipient address","delivery":{"outcome":"junk","location":"GMAIL_SPAM"'
has "gmail: spam flagged" "$TMP/g" '"flags":["provider_spam"]'
has "gmail: inbox" "$TMP/g" '"outcome":"delivered","location":"GMAIL_INBOX"'
has "gmail: rejected session blocked" "$TMP/g" '"outcome":"blocked","status":"Rejected"'
has "gmail: placeholder id is not a Message-ID" "$TMP/g" '"message_id":null'
has "gmail: quoted comma in a reply" "$TMP/g" '"SMTP reply description":"5.7.1 rejected, policy"'

# sniffing: a header row starting "Received," is CSV, a "Received: from" line stays mail
printf 'Received,SenderAddress,RecipientAddress,Status\r\n2025-03-09T01:00:00,x@a.example,y@b.example,Delivered\r\n' >"$TMP/rcv.csv"
scan_to "$TMP/rc" -q "$TMP/rcv.csv"
has "sniff: Received,SenderAddress header is message trace" "$TMP/rc" '"format":"exo-message-trace"'
printf 'Received: from mx.example (mx.example [192.0.2.1])\nFrom: a@example.com\nSubject: hi\n\nbody\n' >"$TMP/m.eml"
scan_to "$TMP/me" -q "$TMP/m.eml"
has "sniff: mail with Received: first stays mail" "$TMP/me" '"format":"eml"'
printf 'a,b,c\n1,2,3\n' >"$TMP/other.csv"
scan_to "$TMP/o" -q --format csv "$TMP/other.csv"
status_is "forced csv of an unknown header exit" 1
has "unknown header reported" "$TMP/o.err" 'other.csv:1: CSV header names no log source'
printf '"SenderAddress"x,RecipientAddress\nSenderAddress,RecipientAddress\na@x.example,b@y.example\n' >"$TMP/badhdr.csv"
scan_to "$TMP/bh" -q --format csv "$TMP/badhdr.csv"
status_is "malformed header exit" 1
lines "malformed header: the next record is the header" "$TMP/bh" 1
has "malformed header: said so" "$TMP/bh.err" 'badhdr.csv:1: characters after a closing quote; header row skipped, the next record is taken as the header'

# custom_data CAT codes matched whole; impersonation is the provider's spoof verdict, as for
# CAT in X-Forefront-Antispam-Report
X=event_id,sender_address,message_id,network_message_id,recipient_address,date_time_utc,custom_data
printf '%s\n%s\n%s\n' "$X" \
    'AGENTINFO,ceo@contoso.com,<d@x.example>,n-1,a@contoso.com,2025-03-02T09:14:07Z,S:SFA=SUM|SFV=SPM|CAT=DIMP' \
    'AGENTINFO,it@contoso.com,<h@x.example>,n-2,b@contoso.com,2025-03-02T09:15:07Z,S:SFA=SUM|SFV=NSPM|CAT=HPHSH' >"$TMP/cat.csv"
scan_to "$TMP/ct" -q "$TMP/cat.csv"
has "CAT=DIMP is a spoof verdict" "$TMP/ct" '"flags":["provider_spoof","provider_spam"]'
has "CAT=HPHSH is phish, not spam" "$TMP/ct" '"flags":["provider_phish"]'
finish logs-csv
