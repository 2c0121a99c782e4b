#!/bin/sh
# macOS unified log (log ndjson, Jamf Compliance Reporter, osquery unified_log): Mail events
# read as records, the rest skipped, bad lines reported; scan/check --context attaching the
# same user's events to an Apple Mail tree.
cd "$(dirname "$0")/../.." || exit 1
. tests/logs/lib.sh
F=tests/fixtures/logs
M=$F/macos-mail

# ---- the three shapes, scanned directly ----
scan_to "$TMP/nd" -q "$F/macos-unified.ndjson"
status_is "ndjson exit (bad lines)" 1
lines "ndjson: five Mail events, one record each" "$TMP/nd" 5
has "ndjson: source id" "$TMP/nd" '"format":"macos-unified-log","line":1}'
has "ndjson: local time with offset kept, UTC worked out" "$TMP/nd" '"time":"2025-03-02 09:14:07.120331+0100","time_utc":"2025-03-02T08:14:07Z"'
has "ndjson: nothing about sender or auth" "$TMP/nd" '"absent":["authentication","header_from","envelope_from","delivery"]'
has "ndjson: process, subsystem, category, message kept" "$TMP/nd" '"process":"Mail","processImagePath":"/System/Applications/Mail.app/Contents/MacOS/Mail","senderImagePath":"/System/Applications/Mail.app/Contents/MacOS/Mail","subsystem":"com.apple.mail","category":"IMAP","message":"Fetched 3 new messages for account <private>"'
has "ndjson: user id kept" "$TMP/nd" '"userID":"501"'
has "ndjson: Mail framework in another process counts" "$TMP/nd" '"process":"mdworker_shared"'
lacks "ndjson: mDNSResponder skipped" "$TMP/nd" 'mDNSResponder'
has "ndjson: truncated line named with its number" "$TMP/nd.err" 'macos-unified.ndjson:3: not valid JSON'
has "ndjson: unreadable timestamp named" "$TMP/nd.err" 'macos-unified.ndjson:7: unified-log event without a readable time (yesterday)'
has "ndjson: line after the bad one read" "$TMP/nd" '"line":4}'
has "ndjson: last line read" "$TMP/nd" '"line":8}'

scan_to "$TMP/jamf" -q "$F/macos-jamf.jsonl"
status_is "jamf exit (bad record)" 1
lines "jamf: the Mail event only" "$TMP/jamf" 1
has "jamf: source id" "$TMP/jamf" '"format":"jamf-unified-log"'
has "jamf: event time from event_attributes" "$TMP/jamf" '"time_utc":"2025-03-02T08:14:30Z"'
has "jamf: host from host_info" "$TMP/jamf" '"host":"alice-mbp","host_uuid":"5D1C2B3A-1111-4222-8333-A11CE0000001"'
lacks "jamf: CryptoTokenKit skipped" "$TMP/jamf" 'CryptoTokenKit'
has "jamf: record without event_attributes reported" "$TMP/jamf.err" 'macos-jamf.jsonl:3: UNIFIED_LOG_EVENT without event_attributes'

scan_to "$TMP/osq" -q "$F/macos-osquery.jsonl"
status_is "osquery exit" 0
lines "osquery: differential row and one snapshot row" "$TMP/osq" 2
has "osquery: source id" "$TMP/osq" '"format":"osquery-unified-log"'
has "osquery: Unix seconds column as UTC" "$TMP/osq" '"time":"2025-03-05T10:00:00Z"'
has "osquery: hostIdentifier and decorations user" "$TMP/osq" '"user":"alice","host":"alice-mbp"'
has "osquery: snapshot row read" "$TMP/osq" '"process":"MailService","sender":"MailService"'
has "osquery: query name kept" "$TMP/osq" '"query":"pack_mail_unified_log"'
lacks "osquery: kernel row skipped" "$TMP/osq" 'AppleKeyStore'
lacks "osquery: other query skipped" "$TMP/osq" 'launchd'

# ---- scan --context on an Apple Mail tree ----
ctx="--context $F/macos-unified.ndjson --context $F/macos-jamf.jsonl --context=$F/macos-osquery.jsonl"
# shellcheck disable=SC2086
scan_to "$TMP/ctx" $ctx --context-user 501=alice "$M"
status_is "context exit (context files had bad lines)" 1
lines "context: three messages" "$TMP/ctx" 3
grep '/101.emlx"' "$TMP/ctx" >"$TMP/a101"
grep '/102.emlx"' "$TMP/ctx" >"$TMP/a102"
grep '/201.emlx"' "$TMP/ctx" >"$TMP/b201"
has "alice 101: junk-filter event 60 s before" "$TMP/a101" '"time_utc":"2025-03-02T08:13:00Z","match":"time","process":"MailService"'
has "alice 101: fetch event (uid mapped)" "$TMP/a101" '"message":"Fetched 3 new messages for account <private>","source":"macos-unified-log"'
has "alice 101: osquery snapshot event with device" "$TMP/a101" '"message":"Applied rule <private> to 1 message","device":"alice-mbp","source":"osquery-unified-log"'
has "alice 101: Jamf event, user from the mailbox path" "$TMP/a101" '"device":"alice-mbp","source":"jamf-unified-log"'
lacks "alice 101: 26 minutes later is outside the window" "$TMP/a101" 'Moved 1 message to Archive'
lacks "alice 101: 16 minutes later is outside the window" "$TMP/a101" 'Indexed message'
lacks "alice 101: bob's event not attached" "$TMP/a101" '/Users/bob/'
lacks "alice 101: the Message-ID event of 102 not attached" "$TMP/a101" 'Promo-102'
has "alice 102: event naming its Message-ID, days later" "$TMP/a102" '"device_events":[{"time":"2025-03-05T10:00:00Z","time_utc":"2025-03-05T10:00:00Z","match":"message-id","process":"Mail"'
has "bob 201: his own event" "$TMP/b201" '"device_events":[{"time":"2025-03-02 09:15:30.000000+0100","time_utc":"2025-03-02T08:15:30Z","match":"time","process":"Mail","subsystem":"com.apple.mail","message":"Saved mailbox /Users/bob/'
lacks "bob 201: alice's events not attached (same minute)" "$TMP/b201" 'alice'
has "context: summary" "$TMP/ctx.err" 'context: 8 mail events from 3 files, 6 attached, 0 without a user name'
has "context: bad context line reported" "$TMP/ctx.err" 'macos-unified.ndjson:3: not valid JSON'

# without the uid map, events that only carry userID are not anybody's
# shellcheck disable=SC2086
scan_to "$TMP/nomap" $ctx "$M"
grep '/101.emlx"' "$TMP/nomap" >"$TMP/n101"
lacks "no map: uid-only events not attached" "$TMP/n101" 'Fetched 3 new messages'
has "no map: named events still attached" "$TMP/n101" '"source":"jamf-unified-log"'
has "no map: uid-only events counted" "$TMP/nomap.err" '4 without a user name'

# the account the process ran as beats a /Users/<name>/ path its message names
# shellcheck disable=SC2086
scan_to "$TMP/uid" $ctx --context-user 501=alice --context-user 502=carol "$M"
grep '/201.emlx"' "$TMP/uid" >"$TMP/u201"
has "uid map over path: bob's mailbox event is carol's" "$TMP/u201" '"device_events":[]'

# a narrow window
# shellcheck disable=SC2086
scan_to "$TMP/w30" $ctx --context-user 501=alice --context-window 30 "$M"
grep '/101.emlx"' "$TMP/w30" >"$TMP/w101"
has "window 30: 7 s away kept" "$TMP/w101" 'Fetched 3 new messages'
has "window 30: 30 s away kept" "$TMP/w101" 'jamf-unified-log'
lacks "window 30: 60 s away dropped" "$TMP/w101" 'Junk filter evaluated'

# date-received is the message's own plist integer: the ends of int64 are no window at all
# (UBSan on the ASan build stops on the overflow this once was)
scan_to "$TMP/far" -q --context "$F/macos-osquery.jsonl" --context-user 501=alice \
    --context-window 31622400 "$F/macos-mail-far"
status_is "far dates: exit" 0
lines "far dates: both messages written" "$TMP/far" 2
has "far dates: nothing attached" "$TMP/far" '"device_events":[]'
lacks "far dates: no runtime error" "$TMP/far.err" 'runtime error'

# without --context nothing changes in the record
scan_to "$TMP/plain" -q "$M"
lacks "no context: no device_events member" "$TMP/plain" 'device_events'

# bad option values and context files that are not unified logs
scan_to "$TMP/bad" --context-user alice "$M"
status_is "--context-user without UID= is a usage error" 2
scan_to "$TMP/bad" --context-window soon "$M"
status_is "--context-window not a number is a usage error" 2
scan_to "$TMP/notlog" -q --context "$M/Users/bob/Library/Mail/V10/7B2E1D4F-6C3E-4F9B-8D82-0B0B00000002/INBOX.mbox/3C9D2E71-AAAA-4BBB-8CCC-D00000000001/Data/Messages/201.emlx" "$M"
status_is "context file that is mail: exit 1" 1
has "context file that is mail: reported" "$TMP/notlog.err" 'not a unified-log file'
scan_to "$TMP/missing" -q --context "$TMP/no-such-file" "$M"
has "missing context file: reported" "$TMP/missing.err" 'cannot read context file'
lines "missing context file: mail still scanned" "$TMP/missing" 3

# check --json takes the same options
"$B/spoofwatch" check --json --context "$F/macos-unified.ndjson" --context-user 501=alice \
    "$M/Users/alice/Library/Mail/V10/6A1F0C3E-5B2D-4E8A-9C71-0A11CE000001/INBOX.mbox/3C9D2E71-AAAA-4BBB-8CCC-D00000000001/Data/Messages/101.emlx" \
    >"$TMP/check" 2>"$TMP/check.err"
has "check: events attached" "$TMP/check" '"message":"Fetched 3 new messages for account <private>"'
has "check: summary on stderr" "$TMP/check.err" 'context: 5 mail events from 1 files'
# and the text explanation lists them
"$B/spoofwatch" check --context "$F/macos-unified.ndjson" --context-user 501=alice \
    "$M/Users/alice/Library/Mail/V10/6A1F0C3E-5B2D-4E8A-9C71-0A11CE000001/INBOX.mbox/3C9D2E71-AAAA-4BBB-8CCC-D00000000001/Data/Messages/101.emlx" \
    >"$TMP/check.txt" 2>/dev/null
has "check text: device events listed" "$TMP/check.txt" 'device events (--context):'
has "check text: an event with its process and match" "$TMP/check.txt" '[time] Fetched 3 new messages for account <private>'

finish logs-macos
