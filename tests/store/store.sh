# The evidence store end to end: ingest, joins across sources, trace, campaigns, search,
# alerts, coverage, baselines, retention, idempotent re-ingest and kill -9 recovery.
# Fixtures: tests/fixtures/store/README.md says what each file must lead to.
. tests/logs/lib.sh
F=tests/fixtures/store
SW="$B/spoofwatch"
# never the user's own store: the default location comes from here
export SPOOFWATCH_STORE="$TMP/default/evidence.db"
MID=20240305101455.4f1c9a@mx.northwind-mail.example
NMID=9e4f2a71-3c5d-4b8e-a1f0-08dc3cf5a001

run() { # run OUT ARGS...: spoofwatch ARGS, stdout to OUT, stderr to OUT.err, status in $rc
    out=$1
    shift
    "$SW" "$@" >"$out" 2>"$out.err"
    rc=$?
}
rc_is() { if [ "$rc" = "$2" ]; then ok; else ko "$1: exit $rc, expected $2 ($(head -c 300 "$out.err"))"; fi; }
same() { if cmp -s "$2" "$3"; then ok; else ko "$1: $(basename "$2") and $(basename "$3") differ"; fi; }

# --- one message in four sources ---
S=$TMP/a.db
run "$TMP/ing" ingest --no-progress --store "$S" "$F/msg-a.eml" "$F/msg-a-emailevents.jsonl" \
    "$F/msg-a-timaildata.json" "$F/msg-a-trace.csv"
rc_is "ingest four sources" 0
has "four new observations" "$TMP/ing.err" "4 new observations"
has "three joined" "$TMP/ing.err" "3 joined"
run "$TMP/again" ingest --no-progress --store "$S" "$F/msg-a.eml" "$F/msg-a-emailevents.jsonl" \
    "$F/msg-a-timaildata.json" "$F/msg-a-trace.csv"
has "re-ingest stores nothing" "$TMP/again.err" "0 new observations"
has "re-ingest: all already there" "$TMP/again.err" "4 already there"

run "$TMP/trace" trace --store "$S" "<$MID>"
rc_is "trace by Message-ID" 0
has "trace: four observations" "$TMP/trace" "4 observations"
for src in eml defender-emailevents o365-timaildata exo-message-trace; do
    has "trace names $src" "$TMP/trace" "] $src "
done
has "trace: ann delivered per EmailEvents" "$TMP/trace" "ann@corp.example  delivered (Delivered, Inbox/folder)"
has "trace: bob junk" "$TMP/trace" "bob@corp.example  junk"
has "trace: dmarc fail with its origin" "$TMP/trace" "dmarc     fail"
has "trace: message trace has no auth" "$TMP/trace" "auth      none in this source"
run "$TMP/trace2" trace --store "$S" --json "$(echo $NMID | tr a-f A-F)"
rc_is "trace by NetworkMessageId, any case" 0
n=$(grep -o '"observation":' "$TMP/trace2" | wc -l | tr -d ' ')
if [ "$n" = 4 ]; then ok; else ko "trace --json by NMID: $n observations, expected 4"; fi
has "trace names the campaign of a flagged observation" "$TMP/trace" "campaign  0f6014d6e69032fff32308231e3f5328"
run "$TMP/acamp" campaigns --store "$S"
has "one message seen in three flagged records is one campaign message" "$TMP/acamp" "spoofed: 1 message to 2 recipients"
has "its observations are counted apart" "$TMP/acamp" "3 spoofed, 0 suspicious (3 observations)"
# --- a record with both ids merges two messages: its campaign counts one message ---
# the trace (Message-ID only) and the mail without its Message-ID (NetworkMessageId only) are
# two messages until EmailEvents, carrying both, shows them to be one
grep -v '^Message-ID:' "$F/msg-a.eml" >"$TMP/nomid.eml"
M=$TMP/merge.db
run "$TMP/mi" ingest --no-progress --store "$M" "$F/msg-a-trace.csv" "$TMP/nomid.eml"
run "$TMP/mi2" ingest --no-progress --store "$M" "$F/msg-a-emailevents.jsonl"
run "$TMP/mcamp" campaigns --store "$M"
has "merged message: one campaign message" "$TMP/mcamp" "spoofed: 1 message to 2 recipients"
M2=$TMP/merge2.db
run "$TMP/mi3" ingest --no-progress --store "$M2" "$F/msg-a-trace.csv" "$TMP/nomid.eml" \
    "$F/msg-a-emailevents.jsonl"
run "$TMP/mcamp2" campaigns --store "$M2" --json
run "$TMP/mp" prune --store "$M2" --older-than 100000d
run "$TMP/mcamp3" campaigns --store "$M2" --json
same "merge in one transaction equals a regroup" "$TMP/mcamp2" "$TMP/mcamp3"
has "merge in one transaction: one message" "$TMP/mcamp2" '"messages":1,'

# a second message that copies the Message-ID under another From is not merged into it
sed -e 's/^From: .*/From: "Dana Reyes" <dana.reyes@corp-example.example>/' \
    -e '/Network-Message-Id/d' "$F/msg-a.eml" >"$TMP/copied-id.eml"
"$SW" ingest --no-progress -q --store "$S" "$TMP/copied-id.eml" 2>/dev/null
run "$TMP/tcopy" trace --store "$S" "$MID"
has "a copied Message-ID stays a message of its own" "$TMP/tcopy" "warning: 2 different messages carry this id"
has "trace lists both messages" "$TMP/tcopy" "== message 2 of 2"
# a forged NetworkMessageId header under another From joins nothing either
sed -e 's/^From: .*/From: <payroll@corp-example.example>/' -e '/^Message-ID:/Id' \
    "$F/msg-a.eml" >"$TMP/forged-nmid.eml"
run "$TMP/fn" ingest --no-progress --store "$S" "$TMP/forged-nmid.eml"
has "a forged NetworkMessageId under another From is not joined" "$TMP/fn.err" "0 joined"
run "$TMP/tcopyj" trace --store "$S" --json "$MID"
has "trace --json counts the messages" "$TMP/tcopyj" '"messages":2'
run "$TMP/trace3" trace --store "$S" "<nobody@nowhere.example>"
rc_is "trace of an unknown id fails" 1
has "trace says what is missing" "$TMP/trace3.err" "is not in"
run "$TMP/trace4" trace --store "$S" "< >"
rc_is "trace of an empty id is a usage error" 2

# --- campaigns: stable ids, stable across input order ---
C=$TMP/c.db
run "$TMP/ci" ingest --no-progress --store "$C" "$F/campaign.mbox"
rc_is "ingest campaign.mbox" 0
run "$TMP/camps" campaigns --store "$C" --json
rc_is "campaigns --json" 0
lines "two campaigns" "$TMP/camps" 2
has "198.51.100.0/24 campaign id" "$TMP/camps" '"campaign":"aba9545facd0091d3e50c3d9db035bc5"'
has "192.0.2.0/24 campaign id" "$TMP/camps" '"campaign":"98af2026b70e2c25950a3833ace00287"'
has "five messages to five recipients" "$TMP/camps" '"messages":5,"observations":5,"recipients":5,"spoofed":3,"suspicious":2'
has "two messages to two recipients" "$TMP/camps" '"messages":2,"observations":2,"recipients":2,"spoofed":1,"suspicious":1'
has "auth mix counted" "$TMP/camps" '"compauth=fail":5'
# the same messages one file each, in reverse order, into a new store
mkdir -p "$TMP/split"
awk -v d="$TMP/split" '/^From /{n++} {print > (d "/m" sprintf("%02d", n) ".mbox")}' "$F/campaign.mbox"
R=$TMP/r.db
for m in $(ls "$TMP/split" | sort -r); do
    "$SW" ingest --no-progress -q --store "$R" "$TMP/split/$m" 2>/dev/null
done
run "$TMP/camps-r" campaigns --store "$R" --json
same "campaigns independent of input order" "$TMP/camps" "$TMP/camps-r"
run "$TMP/ctext" campaigns --store "$C"
has "campaign text shows its key" "$TMP/ctext" "key        from_org=fabrikam.example subject=invoice # overdue network=198.51.100.0/24"
has "campaign text shows delivery" "$TMP/ctext" "delivery"
has "campaign text names its recipients" "$TMP/ctext" "recipients ann@corp.example, bob@corp.example, carol@corp.example, dave@corp.example, erin@corp.example"

# a new key regroups what is stored; going back gives the first grouping byte for byte
cp "$C" "$TMP/rk.db"
"$SW" ingest --no-progress -q --campaign-key from_org --campaign-window 30d --store "$TMP/rk.db" \
    "$F/campaign.mbox" 2>/dev/null
run "$TMP/rk1" campaigns --store "$TMP/rk.db" --json
lines "from_org alone: one campaign" "$TMP/rk1" 1
has "from_org alone: all seven flagged messages" "$TMP/rk1" '"messages":7'
"$SW" ingest --no-progress -q --campaign-key from_org,subject,network --campaign-window 7d \
    --store "$TMP/rk.db" "$F/campaign.mbox" 2>/dev/null
run "$TMP/rk2" campaigns --store "$TMP/rk.db" --json
same "regrouped back to the default key" "$TMP/camps" "$TMP/rk2"
run "$TMP/rk3" search --store "$TMP/rk.db" --campaign aba9545facd0091d3e50c3d9db035bc5 --json
lines "members follow the regrouping" "$TMP/rk3" 5

# a key without from_org: --sender-domain still finds the campaigns by their members
"$SW" ingest --no-progress -q --campaign-key subject,network --store "$TMP/kn.db" "$F/campaign.mbox" 2>/dev/null
run "$TMP/kn" campaigns --store "$TMP/kn.db" --sender-domain fabrikam.example --json
lines "campaigns --sender-domain under a key without from_org" "$TMP/kn" 2
run "$TMP/kn2" campaigns --store "$TMP/kn.db" --sender-domain other.example --json
lines "campaigns --sender-domain of another domain" "$TMP/kn2" 0

# --- a time from the future is not believed: Received stamps of 2031 give way to Date ---
sed -e '1,19s/Mar 2024/Mar 2031/' -e 's/^Message-ID: <\(.*\)>/Message-ID: <future.\1>/' \
    "$F/msg-a.eml" >"$TMP/future.eml"
"$SW" ingest --no-progress -q --store "$TMP/fut.db" "$TMP/future.eml" 2>/dev/null
run "$TMP/fut" trace --store "$TMP/fut.db" "future.$MID"
has "a message stamped in 2031 is dated by its Date" "$TMP/fut" "time      2024-03-05T10:14:55Z"

# --- a DMARC aggregate row stands for the messages it counts ---
"$SW" ingest --no-progress -q --store "$TMP/d.db" tests/fixtures/logs/dmarc-rfc7489.xml 2>/dev/null
run "$TMP/dc" campaigns --store "$TMP/d.db"
has "an aggregate row of count 3 is a campaign of 3 messages" "$TMP/dc" "spoofed: 3 messages to 0 recipients"
run "$TMP/dj" search --store "$TMP/d.db" --json --verdict spoofed
has "search --json keeps the row's count" "$TMP/dj" '"count":3'

# --- search ---
run "$TMP/s1" search --store "$C" --sender-domain fabrikam.example --verdict spoofed
lines "search: four spoofed from fabrikam" "$TMP/s1" 4
run "$TMP/s2" search --store "$C" --subject invoice
lines "search: full text on subjects" "$TMP/s2" 7
run "$TMP/s3" search --store "$C" --recipient ann@corp.example
lines "search: by recipient" "$TMP/s3" 2
sed 's/^To: .*/To: Ann <ann@corp.example.attacker.example>/' "$F/msg-a.eml" >"$TMP/lookalike.eml"
"$SW" ingest --no-progress -q --store "$TMP/la.db" "$TMP/lookalike.eml" "$F/campaign.mbox" 2>/dev/null
run "$TMP/sr1" search --store "$TMP/la.db" --recipient @corp.example
lines "search --recipient @domain: addresses ending in it" "$TMP/sr1" 8
run "$TMP/sr2" search --store "$TMP/la.db" --recipient ann@corp.example
lines "search --recipient ADDR: that address only" "$TMP/sr2" 2
run "$TMP/sr3" search --store "$TMP/la.db" --recipient attacker
lines "search --recipient part: addresses containing it" "$TMP/sr3" 1
run "$TMP/s4" search --store "$C" --signal spf_fail --since 2024-03-04 --until 2024-03-05 --json
lines "search: signal and time range" "$TMP/s4" 2
run "$TMP/s5" search --store "$C" --json --records --verdict spoofed --limit 1
has "search --records gives the stored record" "$TMP/s5" '"schema":"spoofwatch.record/1"'
run "$TMP/s6" search --store "$C" --verdict bogus
rc_is "search: bad verdict is a usage error" 2
run "$TMP/s7" search --store "$C" --subject 'invoice AND'
rc_is "search: a malformed full-text query is a usage error" 2
has "search: the message names --subject" "$TMP/s7.err" "--subject"
for bad in "--limit -1" "--limit +2" "--limit 99999999999999999999999" "--since 2024-02-30" \
    "--until 2024-13-01"; do
    # shellcheck disable=SC2086
    run "$TMP/s8" search --store "$C" $bad
    rc_is "search $bad is a usage error" 2
done
run "$TMP/s10" search --store "$C" --since 2024-03-05 --until 2024-03-01
rc_is "search --since after --until is a usage error" 2
run "$TMP/s11" campaigns --store "$C" --until 2024-03-01 --since 2024-03-01
rc_is "campaigns: an empty range is a usage error" 2
run "$TMP/s9" ingest --no-progress --store "$TMP/ce.db" --commit-every -3 "$F/msg-a.eml"
rc_is "ingest --commit-every -3 is a usage error" 2

# --- alerts: deterministic, one per campaign or per message ---
run "$TMP/al1" alerts --store "$C"
rc_is "alerts" 0
lines "one alert per campaign" "$TMP/al1" 2
has "OCSF Email Activity" "$TMP/al1" '"class_uid":4009'
run "$TMP/al2" alerts --store "$C"
same "alerts are deterministic" "$TMP/al1" "$TMP/al2"
run "$TMP/al3" alerts --store "$C" --per-message
lines "one alert per flagged message" "$TMP/al3" 7
has "message alerts name their campaign" "$TMP/al3" '"correlation_uid":"aba9545facd0091d3e50c3d9db035bc5"'
has "campaign alerts correlate to themselves" "$TMP/al1" '"correlation_uid":"98af2026b70e2c25950a3833ace00287"'
run "$TMP/al4" scan --no-progress --alerts "$F/campaign.mbox"
lines "scan --alerts writes flagged messages only" "$TMP/al4" 7

# --- baselines: a later run knows the senders of earlier ones ---
run "$TMP/b2" ingest --no-progress --store "$C" "$F/msg-a.eml"
run "$TMP/b3" search --store "$C" --signal first_seen_sender --json
lines "first_seen_sender on a later run" "$TMP/b3" 1
has "first_seen_sender names the domain" "$TMP/b3" "corp.example never appeared in earlier runs"
# R was filled one message per run, newest first: fabrikam.example was known after its first
# run, lists.example.org (message 3) arrived new in a later one
run "$TMP/b4" search --store "$R" --signal first_seen_sender --json
lines "first run sets the baseline; a new domain later is flagged once" "$TMP/b4" 1
has "the new domain is the list's" "$TMP/b4" "domain example.org never appeared"

# --- coverage ---
V=$TMP/v.db
"$SW" ingest --no-progress -q --store "$V" "$F/coverage-emailevents.jsonl" "$F/coverage-trace.json" 2>/dev/null
run "$TMP/cov" coverage --store "$V"
rc_is "coverage" 0
has "blind spot: message trace only" "$TMP/cov" "message trace only: no authentication results"
has "blind spot: the days before EmailEvents" "$TMP/cov" "2024-03-01..2024-03-04 (4 days)"
run "$TMP/covj" coverage --store "$V" --json
has "coverage --json names the sources" "$TMP/covj" '"source":"defender-emailevents"'

# one absurd date pushes the real days past the report's 3660-day span: --since brings them back
grep -v '^Received:' "$F/msg-a.eml" | grep -v '^ ' | sed 's/^Date: .*/Date: Fri, 1 Jan 1971 00:00:00 +0000/' >"$TMP/old.eml"
cp "$V" "$TMP/vo.db"
"$SW" ingest --no-progress -q --store "$TMP/vo.db" "$TMP/old.eml" 2>/dev/null
run "$TMP/cvo" coverage --store "$TMP/vo.db" --json
has "coverage: a 1971 record truncates the report" "$TMP/cvo" '"truncated":true'
run "$TMP/cvo2" coverage --store "$TMP/vo.db" --json --since 2024-01-01
has "coverage --since: the real span" "$TMP/cvo2" '"first_day":"2024-03-01","last_day":"2024-03-12","span_days":12'
run "$TMP/cvo3" coverage --store "$TMP/vo.db" --since 2024-03-05 --until 2024-03-07
has "coverage --since --until: those days" "$TMP/cvo3" "Coverage 2024-03-05..2024-03-06 (2 days)"

# --- retention: the cutoff's own day keeps only the records that remain ---
cp "$V" "$TMP/pv.db"
age=$(($(date +%s) - $(date -u -d 2024-03-06T14:00:00Z +%s)))
run "$TMP/pv" prune --store "$TMP/pv.db" --older-than "$age"
has "prune mid-day: eight observations go" "$TMP/pv.err" "8 observations deleted"
run "$TMP/pvc" coverage --store "$TMP/pv.db" --json
has "prune mid-day: coverage counts what is left" "$TMP/pvc" '"source":"defender-emailevents","first":"2024-03-07","last":"2024-03-12","days":6,"records":6'
has "prune mid-day: message trace too" "$TMP/pvc" '"source":"exo-message-trace","first":"2024-03-07","last":"2024-03-09","days":3,"records":3'

# --- retention ---
cp "$C" "$TMP/p.db"
run "$TMP/pr" prune --store "$TMP/p.db" --older-than 30d
rc_is "prune" 0
has "prune deletes the 2024 evidence" "$TMP/pr.err" "9 observations deleted"
run "$TMP/pc" campaigns --store "$TMP/p.db" --json
lines "prune regroups campaigns" "$TMP/pc" 0
run "$TMP/pu" prune --store "$TMP/p.db"
rc_is "prune without --older-than is a usage error" 2

# --- kill -9 mid-ingest, then re-ingest: the same store as one clean run ---
"$B/bench/gen_mbox" "$TMP/big.mbox" 40 >/dev/null 2>&1
"$SW" ingest --no-progress -q --store "$TMP/clean.db" "$TMP/big.mbox" 2>/dev/null
"$SW" ingest --no-progress -q --commit-every 50 --store "$TMP/k.db" "$TMP/big.mbox" 2>/dev/null &
pid=$!
sleep 0.4
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
"$SW" ingest --no-progress --store "$TMP/k.db" "$TMP/big.mbox" 2>"$TMP/k.err" >/dev/null
for q in "search --json" "campaigns --json" "coverage --json"; do
    # shellcheck disable=SC2086
    "$SW" $q --store "$TMP/clean.db" 2>/dev/null | sed 's/"observation":"[0-9a-f]*",//' | sort >"$TMP/q1"
    # shellcheck disable=SC2086
    "$SW" $q --store "$TMP/k.db" 2>/dev/null | sed 's/"observation":"[0-9a-f]*",//' | sort >"$TMP/q2"
    same "killed then re-ingested equals one clean run: $q" "$TMP/q1" "$TMP/q2"
done
if [ -s "$TMP/q1" ]; then ok; else ko "kill test: the clean store is empty"; fi

# --- scan --store: records on stdout and the same evidence kept ---
run "$TMP/ss" scan --no-progress --store "$TMP/ss.db" "$F/campaign.mbox"
rc_is "scan --store" 0
lines "scan --store still writes every record" "$TMP/ss" 8
has "scan --store reports the store" "$TMP/ss.err" "8 new observations (7 flagged"
run "$TMP/ss2" search --store "$TMP/ss.db" --json
lines "scan --store kept every record" "$TMP/ss2" 8
run "$TMP/ss4" scan --no-progress --store "$TMP/so.db" -o "$TMP/no/such/dir/out" "$F/msg-a.eml"
rc_is "scan --store with an unwritable --output fails" 2
if [ -e "$TMP/so.db" ]; then ko "an unwritable --output still began a store run"; else ok; fi
"$SW" search --store "$TMP/ss.db" --json --records --verdict spoofed,suspicious | sort >"$TMP/ss4"
grep -E '"verdict":"(spoofed|suspicious)"' "$TMP/ss" | sort >"$TMP/ss5"
same "the store keeps the flagged records exactly as scan wrote them" "$TMP/ss4" "$TMP/ss5"
run "$TMP/ss3" scan --no-progress --campaign-key subject "$F/campaign.mbox"
rc_is "--campaign-key without a store is a usage error" 2

# --- the default location: $SPOOFWATCH_STORE, its folder created ---
run "$TMP/def" ingest --no-progress "$F/msg-a.eml"
rc_is "ingest to the default store" 0
if [ -f "$SPOOFWATCH_STORE" ]; then ok; else ko "default store not created at \$SPOOFWATCH_STORE"; fi
run "$TMP/def2" trace "$MID"
rc_is "trace reads the default store" 0

# --- help on every store command ---
for c in ingest trace campaigns search alerts coverage prune; do
    run "$TMP/h" $c --help
    rc_is "$c --help" 0
    has "$c --help names the store option" "$TMP/h" "--store"
done

run "$TMP/mem" ingest --no-progress --store :memory: "$F/msg-a.eml"
rc_is "an in-memory store would lose the evidence: usage error" 2

# --- bad store paths ---
run "$TMP/bad" campaigns --store "$TMP/does-not-exist.db"
rc_is "reading a missing store fails" 1
run "$TMP/bad1" ingest --no-progress --store "" "$F/msg-a.eml"
rc_is "ingest --store '' is a usage error (not a temporary database)" 2
printf 'not sqlite' >"$TMP/junk.db"
run "$TMP/bad2" trace --store "$TMP/junk.db" x
rc_is "a file that is not a store fails" 1

# --- the ../shared samples: coverage names every source ---
if shared samples/m365 && shared samples/gws; then
    "$SW" ingest --no-progress -q --store "$TMP/sh.db" "$SHARED/samples/m365" "$SHARED/samples/gws" 2>/dev/null
    run "$TMP/shcov" coverage --store "$TMP/sh.db" --json
    rc_is "coverage on the shared samples" 0
    has "shared: EmailEvents counted" "$TMP/shcov" '"source":"defender-emailevents"'
    has "shared: Gmail counted" "$TMP/shcov" '"source":"gmail'
fi
finish store
