#!/bin/sh
# Instructions per message or event on each scan path, counted by callgrind over small fixed
# inputs the bench generators write. Unlike wall time, the count does not move with machine
# noise, so a change's effect is seen in one run: record the figure before and after.
# usage: scripts/cost.sh [BUILD_DIR] [mbox|events|verify|arc|dev|all]   (needs valgrind)
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
W=${2:-all}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "cost.sh: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
fi
D=bench/data/cost
mkdir -p "$D"
[ -f "$D/small.mbox" ] || "$B/bench/gen_mbox" "$D/small.mbox" 40 >/dev/null
[ -f "$D/events.jsonl" ] || "$B/bench/gen_emailevents" "$D/events.jsonl" 20000 >/dev/null
[ -f "$D/signed.mbox" ] || "$B/bench/gen_signed" "$D/signed.mbox" "$D/signed.zone" 2000 >/dev/null
[ -f "$D/arc.mbox" ] ||
    "$B/bench/gen_arc" "$D/signed.mbox" "$D/signed.zone" "$D/arc.mbox" "$D/arc.zone" 500

# whole-process instruction count of a command (its output thrown away)
ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    sed -n 's/.*Collected : //p'; }
per() { awk "BEGIN{printf \"%.0f\", $1 / $2}"; }
S="$B/spoofwatch scan --no-progress -q"

if [ "$W" = mbox ] || [ "$W" = all ]; then
    n=$($S "$D/small.mbox" | wc -l)
    i=$(ir $S "$D/small.mbox")
    echo "mbox:   $(per "$i" "$n") instructions/message ($n messages, generated)"
fi
if [ "$W" = events ] || [ "$W" = all ]; then
    i=$(ir $S "$D/events.jsonl")
    echo "events: $(per "$i" 20000) instructions/event (EmailEvents lines, generated)"
fi
if [ "$W" = verify ] || [ "$W" = all ]; then
    i=$(ir $S --verify --dns-fixture "$D/signed.zone" --now 2024-01-01T12:00:00Z "$D/signed.mbox")
    echo "verify: $(per "$i" 2000) instructions/message (signed, fixture DNS; crypto included)"
fi
if [ "$W" = arc ] || [ "$W" = all ]; then
    i=$(ir $S --verify --dns-fixture "$D/arc.zone" --now 2024-01-01T12:00:00Z "$D/arc.mbox")
    echo "arc:    $(per "$i" 500) instructions/message (one DKIM-signed, ARC-sealed message 500" \
        "times; fixture DNS)"
fi
DEV=${SW_SHARED_DIR:-../shared}/corpus/dev
if [ "$W" = dev ] || [ "$W" = all ]; then
    if [ -d "$DEV" ]; then
        n=$(find "$DEV" -type f -name '*.eml' | wc -l)
        i=$(ir $S "$DEV")
        echo "dev:    $(per "$i" "$n") instructions/message ($n real messages, one file each)"
    else
        echo "dev:    skipped ($DEV not found)"
    fi
fi
