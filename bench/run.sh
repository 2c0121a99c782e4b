#!/bin/sh
# make bench: each figure beside a baseline measured in the same run on the same bytes.
set -eu
cd "$(dirname "$0")/.."
B=$1
DATA=bench/data
mkdir -p "$DATA"
MBOX=$DATA/bench.mbox
SIZE_MB=${SW_BENCH_MB:-320}
if [ ! -f "$MBOX" ] || [ "$(stat -c %s "$MBOX")" -lt $((SIZE_MB * 1000000)) ]; then
    echo "generating $SIZE_MB MB mbox in $MBOX ..."
    "$B/bench/gen_mbox" "$MBOX" "$SIZE_MB"
fi
bytes=$(stat -c %s "$MBOX")

best() { # best wall time of 5 runs of a command, in seconds (the machine is noisy)
    b=""
    for _ in 1 2 3 4 5; do
        s=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        e=$(date +%s.%N)
        t=$(awk "BEGIN{print $e - $s}")
        if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
    done
    echo "$b"
}

# Each input is dropped from the page cache and read back once before it is timed, so every
# run sees one layout: that of a file read from disk, which Linux caches in large folios
# (2 MiB on ext4). A file just written in small writes, as the generators write, stays cached
# in 4 KiB pages, and mapping those costs the scan about twice the kernel time; without this
# step the figures moved with the history of the file rather than with the code.
from_disk() {
    dd if="$1" iflag=nocache count=0 status=none 2>/dev/null || true
    cat "$1" >/dev/null
}

from_disk "$MBOX"
t_cat=$(best cat "$MBOX")
t_split=$(best taskset -c 0 "$B/bench/split_mbox" "$MBOX")
t_hscan=$(best taskset -c 0 "$B/bench/split_mbox" --headers "$MBOX")
t_scan=$(best taskset -c 0 "$B/spoofwatch" scan --no-progress -q "$MBOX")
msgs=$("$B/spoofwatch" scan --no-progress -q "$MBOX" | wc -l)
rate() { awk "BEGIN{printf \"%.2f\", $bytes / $1 / 1e9}"; }
echo
printf "%-44s %8s GB/s\n" "baseline: cat of the same $((bytes / 1000000)) MB" "$(rate "$t_cat")"
printf "%-44s %8s GB/s\n" "baseline: mbox read + split only (no parsing)" "$(rate "$t_split")"
printf "%-44s %8s GB/s  (unfolded and indexed, nothing built)\n" \
    "baseline: read + split + header scanner" "$(rate "$t_hscan")"
printf "%-44s %8s GB/s  (%s messages, %.0f msg/s, 1 core)\n" "spoofwatch scan (header triage, JSON out)" \
    "$(rate "$t_scan")" "$msgs" "$(awk "BEGIN{print $msgs / $t_scan}")"
printf "%-44s %8s\n" "scan speed / cat speed" "$(awk "BEGIN{printf \"%.2f\", $t_cat / $t_scan}")"
# The same scan of a copy written in 4 KiB writes and not yet evicted, as mail just delivered
# is cached: the kernel's cost of mapping it page by page, shown rather than hidden.
dd if="$MBOX" of="$MBOX.4k" bs=4k status=none
t_scan4k=$(best taskset -c 0 "$B/spoofwatch" scan --no-progress -q "$MBOX.4k")
rm -f "$MBOX.4k"
printf "%-44s %8s GB/s  (the file cached in 4 KiB pages, as just written)\n" \
    "spoofwatch scan of a just-written copy" "$(rate "$t_scan4k")"

# Real mail: the development corpus in ../shared (one file per message, as in a Maildir),
# beside cat of the same files. Skipped when the shared data is absent.
DEV=${SW_SHARED_DIR:-../shared}/corpus/dev
if [ -d "$DEV" ]; then
    dbytes=$(find "$DEV" -type f -name '*.eml' -printf '%s\n' | awk '{s += $1} END {print s}')
    dfiles=$(find "$DEV" -type f -name '*.eml' | wc -l)
    find "$DEV" -type f -name '*.eml' -print0 | xargs -0 cat >/dev/null
    t_dcat=$(best sh -c "find '$DEV' -type f -name '*.eml' -print0 | xargs -0 cat")
    t_dscan=$(best taskset -c 0 "$B/spoofwatch" scan --no-progress -q "$DEV")
    drate() { awk "BEGIN{printf \"%.2f\", $dbytes / $1 / 1e9}"; }
    echo
    printf "%-44s %8s GB/s\n" "baseline: cat of the dev corpus's $dfiles files" "$(drate "$t_dcat")"
    printf "%-44s %8s GB/s  (%.0f msg/s, real mail, 1 core)\n" "spoofwatch scan of ../shared/corpus/dev" \
        "$(drate "$t_dscan")" "$(awk "BEGIN{print $dfiles / $t_dscan}")"
else
    echo
    echo "real-mail figure skipped: $DEV not found"
fi

# Log events: Defender EmailEvents Streaming API lines, merged per message, with detection.
EVENTS=$DATA/emailevents.jsonl
NEVENTS=${SW_BENCH_EVENTS:-1000000}
if [ ! -f "$EVENTS" ] || [ "$(wc -l <"$EVENTS")" -ne "$NEVENTS" ]; then
    echo "generating $NEVENTS EmailEvents lines in $EVENTS ..."
    "$B/bench/gen_emailevents" "$EVENTS" "$NEVENTS"
fi
ebytes=$(stat -c %s "$EVENTS")
from_disk "$EVENTS"
t_ecat=$(best cat "$EVENTS")
t_eparse=$(best taskset -c 0 "$B/bench/parse_jsonl" "$EVENTS")
t_escan=$(best taskset -c 0 "$B/spoofwatch" scan --no-progress -q "$EVENTS")
t_ehunt=$(best taskset -c 0 "$B/spoofwatch" scan --no-progress -q --only spoofed,suspicious "$EVENTS")
erecs=$("$B/spoofwatch" scan --no-progress -q "$EVENTS" | wc -l)
echo
printf "%-44s %8s GB/s  (%.2f M events/s)\n" "baseline: cat of the same $((ebytes / 1000000)) MB" \
    "$(awk "BEGIN{printf \"%.2f\", $ebytes / $t_ecat / 1e9}")" "$(awk "BEGIN{print $NEVENTS / $t_ecat / 1e6}")"
printf "%-44s %8s M events/s  (each line into a JSON tree, nothing else)\n" \
    "baseline: JSON parse alone (simdjson)" "$(awk "BEGIN{printf \"%.3f\", $NEVENTS / $t_eparse / 1e6}")"
printf "%-44s %8s M events/s  (%s records, %.2f GB/s, 1 core)\n" "spoofwatch scan (EmailEvents, detection)" \
    "$(awk "BEGIN{printf \"%.3f\", $NEVENTS / $t_escan / 1e6}")" "$erecs" "$(awk "BEGIN{print $ebytes / $t_escan / 1e9}")"
printf "%-44s %8s M events/s  (detection on all, flagged records written)\n" "spoofwatch scan --only spoofed,suspicious" \
    "$(awk "BEGIN{printf \"%.3f\", $NEVENTS / $t_ehunt / 1e6}")"

# Verification: SPF + DKIM + DMARC (+ ARC) against fixture DNS, over signed mail.
SIGNED=$DATA/signed.mbox
ZONE=$DATA/signed.zone
NSIGNED=${SW_BENCH_SIGNED:-20000}
if [ ! -f "$SIGNED" ] || [ ! -f "$ZONE" ] || [ "$(grep -c '^From ' "$SIGNED")" -ne "$NSIGNED" ]; then
    echo "generating $NSIGNED signed messages in $SIGNED ..."
    "$B/bench/gen_signed" "$SIGNED" "$ZONE" "$NSIGNED"
fi
from_disk "$SIGNED"
t_noverify=$(best taskset -c 0 "$B/spoofwatch" scan --no-progress -q "$SIGNED")
t_floor=$(best taskset -c 0 "$B/bench/crypto_floor" "$SIGNED" "$ZONE")
t_verify=$(best taskset -c 0 "$B/spoofwatch" scan --no-progress -q --verify --dns-fixture "$ZONE" \
    --now 2024-01-01T12:00:00Z "$SIGNED")
echo
printf "%-44s %8s messages/s  (header triage of the same mbox)\n" "baseline: scan without --verify" \
    "$(awk "BEGIN{printf \"%.0f\", $NSIGNED / $t_noverify}")"
printf "%-44s %8s messages/s  (b= verifications and one SHA-256 per bh=, nothing else)\n" \
    "baseline: crypto + body hashing alone" "$(awk "BEGIN{printf \"%.0f\", $NSIGNED / $t_floor}")"
printf "%-44s %8s messages/s  (RSA-2048 + Ed25519, fixture DNS, 1 core)\n" \
    "spoofwatch scan --verify" "$(awk "BEGIN{printf \"%.0f\", $NSIGNED / $t_verify}")"


# Evidence store: the store path on synthetic evidence beside bare SQLite inserts of the same
# rows; ingest end to end beside scan of the same log; campaigns and trace on the 1 M store.
STORE=$DATA/bench-store.db
NSTORE=${SW_BENCH_STORE:-1000000}
rm -f "$STORE" "$STORE-wal" "$STORE-shm"
gs=$(taskset -c 0 "$B/bench/gen_store" "$STORE" "$NSTORE")
for db in bare indexed; do rm -f "$DATA/$db.db" "$DATA/$db.db-wal" "$DATA/$db.db-shm"; done
bare=$(taskset -c 0 "$B/bench/gen_store" --bare "$DATA/bare.db" "$NSTORE")
indexed=$(taskset -c 0 "$B/bench/gen_store" --indexed "$DATA/indexed.db" "$NSTORE")
rm -f "$DATA/bare.db" "$DATA/bare.db-wal" "$DATA/bare.db-shm" "$DATA/indexed.db" \
    "$DATA/indexed.db-wal" "$DATA/indexed.db-shm"
traced=$(echo "$gs" | tail -1)
t_store=$(echo "$gs" | head -1 | cut -d' ' -f2)
t_bare=$(echo "$bare" | cut -d' ' -f2)
t_indexed=$(echo "$indexed" | cut -d' ' -f2)
ILINES=${SW_BENCH_INGEST_EVENTS:-200000}
head -n "$ILINES" "$EVENTS" >"$DATA/ingest.jsonl"
t_iscan=$(best taskset -c 0 "$B/spoofwatch" scan --no-progress -q "$DATA/ingest.jsonl")
# each run starts from an empty store (a second ingest of the same input would store nothing)
t_ingest=$(best taskset -c 0 sh -c "rm -f '$DATA/ingest.db' '$DATA/ingest.db-wal' \
    '$DATA/ingest.db-shm'; exec '$B/spoofwatch' ingest --no-progress -q --store \
    '$DATA/ingest.db' '$DATA/ingest.jsonl'")
irecs=$("$B/spoofwatch" scan --no-progress -q "$DATA/ingest.jsonl" | wc -l)
t_camp=$(best taskset -c 0 "$B/spoofwatch" campaigns --store "$STORE")
t_trace=$(best taskset -c 0 "$B/spoofwatch" trace --store "$STORE" "$traced")
t_search=$(best taskset -c 0 "$B/spoofwatch" search --store "$STORE" --subject invoice --limit 20)
echo
printf "%-44s %8s rows/s  (one table, no indexes, same rows)\n" "baseline: bare SQLite inserts" \
    "$(awk "BEGIN{printf \"%.0f\", $NSTORE / $t_bare}")"
printf "%-44s %8s rows/s  (+ unique key, Message-ID, NetworkMessageId, time, FTS5)\n" \
    "baseline: SQLite with the store's indexes" \
    "$(awk "BEGIN{printf \"%.0f\", $NSTORE / $t_indexed}")"
printf "%-44s %8s records/s  (%s records: joins, campaigns, coverage, baselines, FTS)\n" \
    "evidence store writes (sw_store_put)" "$(awk "BEGIN{printf \"%.0f\", $NSTORE / $t_store}")" \
    "$NSTORE"
printf "%-44s %8s records/s  (%s EmailEvents lines -> %s records)\n" \
    "baseline: scan of the same log" "$(awk "BEGIN{printf \"%.0f\", $irecs / $t_iscan}")" \
    "$ILINES" "$irecs"
printf "%-44s %8s records/s  (read, detect, store; 1 core)\n" "spoofwatch ingest (end to end)" \
    "$(awk "BEGIN{printf \"%.0f\", $irecs / $t_ingest}")"
printf "%-44s %8s ms  (store of %s records)\n" "spoofwatch campaigns" \
    "$(awk "BEGIN{printf \"%.0f\", $t_camp * 1000}")" "$NSTORE"
printf "%-44s %8s ms\n" "spoofwatch trace <message-id>" "$(awk "BEGIN{printf \"%.0f\", $t_trace * 1000}")"
printf "%-44s %8s ms\n" "spoofwatch search --subject invoice --limit 20" \
    "$(awk "BEGIN{printf \"%.0f\", $t_search * 1000}")"
