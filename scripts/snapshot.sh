#!/bin/sh
# Writes what scan and check print (stdout, stderr without timings, exit status) for a fixed
# set of inputs into OUT_DIR, so that an optimization can be proved output-neutral:
#   scripts/snapshot.sh build-before /tmp/a; scripts/snapshot.sh build /tmp/b; diff -r /tmp/a /tmp/b
# Inputs: scripts/cost.sh's generated files (run it once first), the project's fixtures and
# examples, and ../shared's samples and development corpus when present.
# usage: scripts/snapshot.sh BUILD_DIR OUT_DIR
set -eu
cd "$(dirname "$0")/.."
B=$1
O=$2
mkdir -p "$O"
S=$B/spoofwatch
D=bench/data/cost
SHARED=${SW_SHARED_DIR:-../shared}
run() {
    name=$1
    shift
    rc=0
    "$S" "$@" >"$O/$name.out" 2>"$O/$name.raw" || rc=$?
    sed -E 's/ in [0-9.]+s$//' "$O/$name.raw" >"$O/$name.err"
    rm -f "$O/$name.raw"
    echo "rc=$rc" >>"$O/$name.err"
}
VERIFY="--verify --dns-fixture $D/signed.zone --now 2024-01-01T12:00:00Z"
[ -f "$D/small.mbox" ] && run mbox scan --no-progress "$D/small.mbox"
[ -f "$D/events.jsonl" ] && run events scan --no-progress "$D/events.jsonl"
[ -f "$D/signed.mbox" ] && run verify scan --no-progress $VERIFY "$D/signed.mbox"
run fixtures scan --no-progress tests/fixtures
run examples scan --no-progress examples
for f in examples/*.eml; do
    run "check-$(basename "$f")" check "$f"
done
if [ -d "$SHARED/corpus/dev" ]; then
    run dev scan --no-progress "$SHARED/corpus/dev"
    [ -f "$D/signed.zone" ] && run dev-verify scan --no-progress $VERIFY "$SHARED/corpus/dev/ham"
fi
[ -d "$SHARED/samples" ] && run samples scan --no-progress "$SHARED/samples"
exit 0
