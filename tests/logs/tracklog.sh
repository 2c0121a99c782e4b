#!/bin/sh
# Exchange Server message tracking logs: #Fields of 2013+ and 2010 (re-read mid-file),
# headerless files, events merged per message, delivery outcome, bad lines reported.
cd "$(dirname "$0")/../.." || exit 1
. tests/logs/lib.sh
F=tests/fixtures/logs

scan_to "$TMP/t" -q "$F/tracklog-2013.log"
status_is "2013 exit (one bad line)" 1
lines "2013: three messages (NOTIFYMAPI names none)" "$TMP/t" 3
has "2013: source id" "$TMP/t" '"format":"exchange-tracking"'
has "2013: five events merged on network-message-id" "$TMP/t" '"rows":5'
has "2013: first event's line (after BOM and # lines)" "$TMP/t" '"line":6'
has "2013: sender-address as From" "$TMP/t" '"from":{"address":"ceo@contoso.com"'
has "2013: return-path as envelope" "$TMP/t" '"envelope_from":"billing@partner.example"'
has "2013: DELIVER outcome for its recipient" "$TMP/t" '"address":"finance@contoso.com","field":"recipient-address","delivery":{"outcome":"delivered","action":"DELIVER","status":"250 2.1.5 Queued"}'
has "2013: FAIL for the other recipient" "$TMP/t" '"address":"cfo@contoso.com","field":"recipient-address","delivery":{"outcome":"blocked","action":"FAIL"'
has "2013: proxied client IP from RECEIVE" "$TMP/t" '"sender_ip":"203.0.113.20"'
has "2013: S:OriginalFromAddress kept" "$TMP/t" '"custom-data.OriginalFromAddress":"billing@partner.example"'
has "2013: transport-rule entry kept whole" "$TMP/t" '"custom-data.TRA":"ETR|ruleId=1|action=SetHeader"'
has "2013: directionality" "$TMP/t" '"direction":"Incoming"'
has "2013: no auth in tracking logs, said so" "$TMP/t" '"absent":["authentication"]'
has "2013: null sender <> is an empty envelope" "$TMP/t" '"envelope_from":""'
has "2013: doubled quotes" "$TMP/t" '"subject":"Quote \"final\""'
has "2013: received-only message has no outcome, said so" "$TMP/t" '"absent":["authentication","delivery"]'
has "2013: line after the bad one read" "$TMP/t" '"message_id":"<late-4@ok.example>"'
has "2013: bad line reported with file and line" "$TMP/t.err" 'tracklog-2013.log:13: quoted field not closed before the end of the file; line skipped'
lacks "2013: NOTIFYMAPI is no record" "$TMP/t" '"message_id":null'

scan_to "$TMP/late" -q "$F/tracklog-laterstep.log"
has "later transport step keeps the known outcome" "$TMP/late" '"address":"ann@contoso.com","field":"recipient-address","delivery":{"outcome":"delivered"'
scan_to "$TMP/c" -q "$F/tracklog-concat.log"
status_is "concat exit" 0
lines "concat: a 2010 and a 2013 message" "$TMP/c" 2
has "concat: 2010 events merged on internal-message-id" "$TMP/c" '"format":"exchange-tracking","line":6},"message_id":"<old-1@sender.example>"'
has "concat: two events" "$TMP/c" '"rows":2'
has "concat: 2010 RECEIVE+DELIVER" "$TMP/c" '"address":"gina@contoso.com","field":"recipient-address","delivery":{"outcome":"delivered","action":"DELIVER"}'
has "concat: second #Fields re-read (2013 column network-message-id)" "$TMP/c" '"network_message_id":"bb00cc00-0000-4000-8000-000000000901"'
has "concat: SEND is delivered onward" "$TMP/c" '"outcome":"delivered","action":"SEND"'
has "concat: 2010 has no network-message-id" "$TMP/c" '"time":"2014-06-01T10:00:00.000Z","time_utc":"2014-06-01T10:00:00Z","direction":"Incoming"'

scan_to "$TMP/h" -q "$F/tracklog-headerless.log"
status_is "headerless exit" 0
lines "headerless: read with the 2013+ field list" "$TMP/h" 2
has "headerless: RECEIVE and DELIVER merged" "$TMP/h" '"rows":2'
has "headerless: columns right" "$TMP/h" '"envelope_from":"billing@partner.example"'

scan_to "$TMP/f" -q --format exchange-tracking "$F/tracklog-headerless.log"
lines "--format exchange-tracking" "$TMP/f" 2

# recipient-status: positions kept (an empty status stays with its recipient), a ';'
# inside a status text is not a separator, an empty #Fields name keeps the columns in place
scan_to "$TMP/st" -q "$F/tracklog-status.log"
status_is "status exit" 0
lines "status: four messages" "$TMP/st" 4
has "status: one recipient keeps the whole status" "$TMP/st" '"status":"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"}'
has "status: ';' inside the second status" "$TMP/st" '"address":"bo@example.net","field":"recipient-address","delivery":{"outcome":"blocked","action":"SEND","status":"550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"}'
has "status: first of two delivered" "$TMP/st" '"address":"ann@example.net","field":"recipient-address","delivery":{"outcome":"delivered","action":"SEND","status":"250 2.1.5 Recipient OK"}'
has "status: empty first status stays with the first recipient" "$TMP/st" '"address":"cy@contoso.com","field":"recipient-address","delivery":{"outcome":"delivered","action":"DELIVER"}'
has "status: second recipient's 5xx" "$TMP/st" '"address":"di@contoso.com","field":"recipient-address","delivery":{"outcome":"blocked","action":"DELIVER","status":"550 5.2.2 mailbox full"}'
has "status: empty #Fields name keeps its column" "$TMP/st" '"address":"ed@contoso.com","field":"recipient-address","delivery":{"outcome":"delivered","action":"DELIVER","status":"250 2.1.5 Queued"}'

# a #Fields line that cannot be read: its events are skipped (said once), not read with
# the earlier #Fields; the next #Fields line is read again
H=$(sed -n 4p "$F/tracklog-status.log" | tr -d '\r')
{
    sed -n 1,5p "$F/tracklog-status.log"
    printf '#Fields: date-time,event-id'
    i=0
    while [ $i -lt 1030 ]; do printf ',c%d' $i; i=$((i + 1)); done
    printf '\r\n'
    sed -n 6p "$F/tracklog-status.log"
    printf '%s\r\n' "$H"
    sed -n 7p "$F/tracklog-status.log"
} >"$TMP/wide.log"
scan_to "$TMP/w" -q "$TMP/wide.log"
status_is "wide #Fields exit" 1
lines "wide #Fields: events before it and after the next #Fields read" "$TMP/w" 2
lacks "wide #Fields: its event not read" "$TMP/w" 'two-2@partner.example'
has "wide #Fields: reported once with its line" "$TMP/w.err" 'wide.log:6: #Fields line names more than 1024 columns; events up to the next #Fields line skipped'

# a headerless CSV that only starts with a time is reported once, not per line
printf '2025-03-09T01:00:00Z,alpha,beta\n2025-03-09T01:00:01Z,gamma,delta\n' >"$TMP/times.csv"
scan_to "$TMP/n" -q "$TMP/times.csv"
status_is "time-led CSV exit" 1
lines "time-led CSV: no records" "$TMP/n" 0
has "time-led CSV: reported once with its line" "$TMP/n.err" 'times.csv:1: no #Fields line and no tracking-log event'
lacks "time-led CSV: not per line" "$TMP/n.err" 'times.csv:2:'

S=samples/m365/exchange_server-test-messagetracking.log
if shared "$S"; then
    scan_to "$TMP/s" -q "$SHARED/$S"
    status_is "sample exit" 0
    lines "sample: five messages, NOTIFYMAPI skipped" "$TMP/s" 5
    has "sample: sniffed headerless" "$TMP/s" '"format":"exchange-tracking"'
    has "sample: header sender vs return-path" "$TMP/s" '"from":{"address":"MAILER-DAEMON@host01.my.domain.com","display_name":null,"domain":"host01.my.domain.com"},"from_header_count":1,"sender":null,"envelope_from":"root@host01.my.domain.com"'
    has "sample: HAREDIRECTFAIL is no delivery outcome" "$TMP/s" '"recipients":[{"address":"mailuser@my.domain.com","field":"recipient-address"}]'
    has "sample: proxied client IP" "$TMP/s" '"sender_ip":"10.11.12.13"'
    has "sample: SEND delivered with its status" "$TMP/s" '"address":"uwe.musterman@example.com","field":"recipient-address","delivery":{"outcome":"delivered","action":"SEND","status":"250 2.1.5Recipient OK"}'
    has "sample: SENDEXTERNAL null sender" "$TMP/s" '"message_id":"<1736846922.907742.2942@foo.bar.local>","subject":"John Doe","date":null,"from":null'
    has "sample: network-message-id" "$TMP/s" '"network_message_id":"cb1ce4e7-cbb6-46e8-8a4c-e1f2efbdd202"'
    has "sample: OriginalFromAddress" "$TMP/s" '"custom-data.OriginalFromAddress":"root@host01.my.domain.com"'
fi
finish logs-tracklog
