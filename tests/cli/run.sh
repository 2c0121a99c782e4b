#!/bin/sh
# Command-line behaviour a user relies on: exit codes, errors that name the file and
# offset, batches that survive bad input, stdin, --format, bounded memory on huge headers.
set -u
cd "$(dirname "$0")/../.."
B=$1
SW="$B/spoofwatch"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL cli: $1"; }
expect() { # description, condition...
    d=$1; shift
    if "$@"; then ok; else no "$d"; fi
}

# --help everywhere, usage errors exit 2
expect "scan --help exits 0" sh -c "$SW scan --help | grep -q 'usage: spoofwatch scan'"
expect "check --help exits 0" sh -c "$SW check --help | grep -q 'usage: spoofwatch check'"
expect "top-level help" sh -c "$SW --help | grep -q 'commands:'"
"$SW" scan --bogus >/dev/null 2>&1; expect "unknown option exits 2" [ $? -eq 2 ]
"$SW" frobnicate >/dev/null 2>&1; expect "unknown command exits 2" [ $? -eq 2 ]
"$SW" scan >/dev/null 2>&1; expect "scan without paths exits 2" [ $? -eq 2 ]

# a clean scan exits 0 and writes one line per message
"$SW" scan --no-progress -q examples/list-archive.mbox >"$T/out" 2>"$T/err"
expect "mbox scan exits 0" [ $? -eq 0 ]
expect "mbox gives 2 records" [ "$(wc -l <"$T/out")" -eq 2 ]

# stdin and -o
"$SW" scan --no-progress -q -o "$T/o.json" - <examples/gmail-signed.eml
expect "stdin scan exits 0" [ $? -eq 0 ]
expect "-o writes the record" grep -q '"path":"-"' "$T/o.json"

# gzip input
gzip -c examples/list-archive.mbox >"$T/box.mbox.gz"
expect "gzip mbox gives 2 records" [ "$("$SW" scan --no-progress -q "$T/box.mbox.gz" | wc -l)" -eq 2 ]

# bad input inside a batch: errors named, batch continues, exit 1, summary counts
printf 'From: a@b.example\nSubject: truncated mid-head' >"$T/truncated.eml"
head -c 4096 "$SW" >"$T/garbage.eml" # binary garbage (an ELF header), deterministic
printf '\0\0\0\0binary\0' >"$T/nul.eml"
printf '497\nFrom: x@y.example\n\nshort' >"$T/lying.emlx"
printf '' >"$T/empty.eml"
cp examples/gmail-signed.eml "$T/good.eml"
"$SW" scan --no-progress "$T/garbage.eml" "$T/nul.eml" "$T/lying.emlx" "$T/empty.eml" \
    "$T/truncated.eml" "$T/good.eml" >"$T/out" 2>"$T/err"
rc=$?
expect "bad batch exits 1" [ $rc -eq 1 ]
expect "good file still scanned" grep -q 'CAF=news-2024-03-06' "$T/out"
expect "truncated header still scanned" grep -q 'truncated mid-head' "$T/out"
expect "lying emlx error names the file" grep -q 'lying.emlx' "$T/err"
expect "lying emlx error names an offset" grep -Eq 'lying.emlx.*(byte|offset)' "$T/err"
expect "garbage error names the file" grep -q 'garbage.eml' "$T/err"
expect "empty file error" grep -q 'empty.eml: empty file' "$T/err"
expect "summary counts 4 errors" grep -q ', 4 errors,' "$T/err"

# 10 MB header line and a 1 GB header block: cut at the cap, flagged, memory bounded
{ printf 'From: a@b.example\nX-Long: '; head -c 10485760 /dev/zero | tr '\0' 'a'; printf '\nTo: c@d.example\n\nbody\n'; } >"$T/longline.eml"
"$SW" scan --no-progress -q "$T/longline.eml" >"$T/out" 2>"$T/err"
expect "10 MB header line is recorded as truncated" grep -q 'header_block_truncated' "$T/out"
{ printf 'From: a@b.example\nX-Pad: '; } >"$T/huge.eml"
truncate -s 1G "$T/huge.eml"
# Address-space cap proves memory stays bounded (not under ASan, whose shadow needs more).
case "$B" in *asan*) limit=unlimited ;; *) limit=1500000 ;; esac
( ulimit -v $limit; "$SW" scan --no-progress -q "$T/huge.eml" >"$T/out" 2>"$T/err" )
rc=$?
expect "1 GB header block exits 1 (not fully read)" [ $rc -eq 1 ]
expect "1 GB header block error names the file" grep -q 'huge.eml: message at byte 0' "$T/err"
expect "1 GB header block still yields the record" grep -q '"address":"a@b.example"' "$T/out"

# --format override: an mbox read as one eml
expect "--format eml reads an mbox as one message" \
    [ "$("$SW" scan --no-progress -q --format eml examples/list-archive.mbox | wc -l)" -eq 1 ]

# directory walk: Maildir and emlx, non-mail files skipped without error
mkdir -p "$T/md/cur" "$T/md/new" "$T/md/tmp"
cp examples/gmail-signed.eml "$T/md/cur/1:2,S"
cp examples/composition-tricks.eml "$T/md/new/2"
cp examples/composition-tricks.eml "$T/md/tmp/3"
echo "not mail" >"$T/md/notes.txt"
"$SW" scan --no-progress "$T/md" >"$T/out" 2>"$T/err"
expect "maildir walk exits 0" [ $? -eq 0 ]
expect "maildir gives 2 records (tmp skipped)" [ "$(wc -l <"$T/out")" -eq 2 ]
expect "non-mail file counted as skipped" grep -q '1 non-mail files skipped' "$T/err"
"$SW" scan --no-progress -q examples >"$T/out" 2>&1
expect "emlx in examples carries Apple context" grep -q '"mail_client":{"client":"apple-mail","user":"ann"' "$T/out"

# check explains and --json prints the record
"$SW" check examples/display-name-spoof.eml >"$T/out" 2>&1
expect "check exits 0" [ $? -eq 0 ]
expect "check names the A-R origin" grep -q 'Authentication-Results #1 by (no authserv-id: Microsoft form)' "$T/out"
expect "check decodes SFV" grep -q 'SFV.*SPM' "$T/out"
expect "check shows per-hop delay" grep -q '(+' "$T/out"
expect "check --json" sh -c "$SW check --json examples/display-name-spoof.eml | grep -q '\"schema\":\"spoofwatch.record/1\"'"
"$SW" check "$T/garbage.eml" >/dev/null 2>&1; expect "check on garbage exits 1" [ $? -eq 1 ]

# detection configuration: validated with line numbers, applied by scan and check
expect "example config is valid" sh -c "$SW config check examples/spoofwatch.yaml | grep -q 'valid'"
printf 'protected_domains: [a.example]\nweights:\n  not_a_signal: 3\n' >"$T/bad.yaml"
"$SW" config check "$T/bad.yaml" >/dev/null 2>"$T/err"
expect "bad config exits 1" [ $? -eq 1 ]
expect "bad config error names file and line" grep -q "bad.yaml:3: unknown signal" "$T/err"
printf 'exceptions:\n  - id: OLD\n    from_domain: a.example\n    owner: me\n    reason: r\n    expires: 2020-01-01\n' >"$T/old.yaml"
"$SW" config check "$T/old.yaml" >/dev/null 2>"$T/err"
expect "expired exception only warns" [ $? -eq 0 ]
expect "expired exception warning names the line" grep -q "old.yaml:2: exception has expired" "$T/err"
"$SW" scan --config "$T/bad.yaml" examples/gmail-signed.eml >/dev/null 2>&1
expect "scan refuses a bad config" [ $? -eq 2 ]
printf 'weights:\n  display_name_address: 0\n  display_name_brand: 0\n' >"$T/w.yaml"
"$SW" check --json --config "$T/w.yaml" examples/display-name-spoof.eml >"$T/out"
expect "a weight of 0 turns a signal off" grep -q '"id":"display_name_address","weight":0' "$T/out"
"$SW" scan --no-progress examples/display-name-spoof.eml >"$T/out" 2>"$T/err"
expect "scan record carries the verdict" grep -q '"verdict":"spoofed","score":' "$T/out"
expect "scan summary counts verdicts" grep -q 'verdicts: 1 spoofed, 0 suspicious, 0 pass, 0 unknown' "$T/err"
"$SW" check examples/display-name-spoof.eml >"$T/out"
expect "check explains the verdict first" sh -c "head -1 '$T/out' | grep -q '^Verdict: spoofed'"
expect "check shows the compauth reason meaning" grep -q 'explicit: DMARC failed' "$T/out"

# --only: a hunt writes the flagged records; the summary still counts every message
"$SW" scan --no-progress --only spoofed,suspicious examples/ >"$T/out" 2>"$T/err"
expect "--only writes only those verdicts" sh -c "! grep -q '\"verdict\":\"pass\"' '$T/out' && grep -q '\"verdict\":\"spoofed\"' '$T/out'"
expect "--only leaves the summary whole" grep -q ' pass, ' "$T/err"
"$SW" scan --only bogus examples/ >/dev/null 2>&1
expect "--only with an unknown verdict is a usage error" [ $? -eq 2 ]

# --psl-file: a newer suffix list changes the organizational domain, and its date is shown
printf '// ===BEGIN ICANN DOMAINS===\nexample\nsub.example\n// ===END ICANN DOMAINS===\n' >"$T/t.psl"
touch -d 2026-01-02 "$T/t.psl"
printf 'Received: from a by mx.victim.example; Mon, 1 Jan 2024 10:00:00 +0000\nAuthentication-Results: mx.victim.example; spf=pass smtp.mailfrom=x.org.sub.example\nFrom: <a@mail.org.sub.example>\n\n' >"$T/psl.eml"
"$SW" check --json --psl-file "$T/t.psl" "$T/psl.eml" >"$T/out"
expect "--psl-file decides the organizational domain" grep -q '"from_org_domain":"org.sub.example"' "$T/out"
expect "--psl-file date is reported" grep -q '"psl_date":"2026-01-02"' "$T/out"
"$SW" check --psl-file "$T/missing.psl" "$T/psl.eml" >/dev/null 2>&1
expect "a missing --psl-file is a usage error" [ $? -eq 2 ]

# --verify: spoofwatch's own SPF, DKIM and DMARC against fixture DNS (never the network)
V=tests/fixtures/verify
VOPT="--verify --dns-fixture $V/zone.txt --now 2024-01-01T12:00:00Z"
# shellcheck disable=SC2086
"$SW" check --json $VOPT "$V/signed.eml" >"$T/out" 2>"$T/err"
expect "verify: signed message exits 0" [ $? -eq 0 ]
expect "verify: DKIM ed25519 signature verified" grep -q '"result":"pass","d":"sender.example","s":"ed","a":"ed25519-sha256"' "$T/out"
expect "verify: SPF from the receiving hop's client" grep -q '"result":"pass","domain":"mail.sender.example","client_ip":"192.0.2.25"' "$T/out"
expect "verify: DMARC by the RFC 9989 tree walk" grep -q '"result":"pass","domain":"sender.example","method":"treewalk"' "$T/out"
expect "verify: the DNS evidence is in the record" grep -q '"name":"_dmarc.sender.example","type":"TXT","status":"ok"' "$T/out"
expect "verify: verified message passes" grep -q '"verdict":"pass"' "$T/out"
expect "verify: no ARC chain is arc none" grep -q '"arc":{"result":"none"}' "$T/out"
# shellcheck disable=SC2086
"$SW" check --json $VOPT "$V/tampered.eml" >"$T/out" 2>"$T/err"
expect "verify: changed body fails DKIM, with both hashes" grep -q '"result":"fail","d":"sender.example".*"bh_computed":"' "$T/out"
expect "verify: forged client fails SPF" grep -q '"result":"fail","domain":"mail.sender.example","client_ip":"203.0.113.66"' "$T/out"
expect "verify: the header's pass is contradicted" grep -q '"id":"verification_disagrees","weight":15,"evidence":"Authentication-Results #1 says dmarc=pass, but spoofwatch verified dmarc=fail' "$T/out"
expect "verify: own results decide the verdict" grep -q '"verdict":"spoofed"' "$T/out"
expect "verify: header outcomes kept beside" grep -q '"verified":true,"header_spf":{"result":"pass"' "$T/out"
# shellcheck disable=SC2086
"$SW" check $VOPT "$V/tampered.eml" >"$T/out" 2>&1
expect "verify: check explains each step" grep -q 'match: -all -> fail' "$T/out"
expect "verify: check lists the DNS queries" grep -q 'mail.sender.example TXT -> ok "v=spf1 ip4:192.0.2.0/24 -all"' "$T/out"
# shellcheck disable=SC2086
"$SW" scan --no-progress -q $VOPT --client-ip 192.0.2.30 --helo mail.sender.example "$V/signed.eml" >"$T/out"
expect "verify: --client-ip overrides the Received hop" grep -q '"client_ip":"192.0.2.30","helo":"mail.sender.example","mailfrom":"bounce@mail.sender.example","transaction_from":"options"' "$T/out"
"$SW" scan --no-progress -q --verify --dns-fixture "$V/zone.txt" --dmarc-discovery psl "$V/signed.eml" >"$T/out"
expect "verify: --dmarc-discovery psl" grep -q '"method":"psl"' "$T/out"
"$SW" scan --verify --dns-fixture "$T/missing-zone" "$V/signed.eml" >/dev/null 2>"$T/err"
expect "verify: a missing zone file is a usage error" [ $? -eq 2 ]
"$SW" scan --verify --dns-fixture "$V/zone.txt" --now yesterday "$V/signed.eml" >/dev/null 2>&1
expect "verify: a bad --now is a usage error" [ $? -eq 2 ]
"$SW" scan --no-progress -q --verify --dns-fixture "$V/zone.txt" examples/logs/defender-emailevents.jsonl >"$T/out"
expect "verify: log rows are not verified (no message)" sh -c "! grep -q '\"verification\"' '$T/out'"

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
