#!/bin/sh
# Runs every test layer against one build directory. Each layer prints its own line
# "<suite>: N passed, N failed[, N skipped]"; a layer that crashes counts as one failure.
set -u
cd "$(dirname "$0")/.."
B=$1
export SW_SHARED_DIR="${SW_SHARED_DIR:-$(pwd)/../shared}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

layer() { # name, command...
    name=$1; shift
    log=$(mktemp)
    "$@" >"$log" 2>&1
    rc=$?
    cat "$log"
    if ! grep -Eq "^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed" "$log"; then
        echo "$name: 0 passed, 1 failed"
        echo "FAIL $name exited $rc without a result line"
    elif [ $rc -ne 0 ] && ! grep -Eq ": [0-9]+ passed, [1-9][0-9]* failed" "$log"; then
        echo "$name-exit: 0 passed, 1 failed"
        echo "FAIL $name exited $rc"
    fi
    rm -f "$log"
}

layer unit "$B/tests/unit_tests"
layer authres "$B/tests/conf_authres"
layer authres-trust "$B/tests/conf_trust"
layer apple "$B/tests/conf_apple"
layer dmarc-reports "$B/tests/conf_dmarc"
layer dkim "$B/tests/conf_dkim"
layer spf "$B/tests/conf_spf"
layer dmarc "$B/tests/conf_dmarcpol"
layer arc "$B/tests/conf_arc"
layer golden tests/golden/run.sh "$B"
layer cli tests/cli/run.sh "$B"
layer corpus tests/corpus/run.sh "$B"
for t in tests/logs/*.sh; do # one script per log source family; lib.sh is shared
    case "$t" in */lib.sh) continue ;; esac
    layer "logs-$(basename "$t" .sh)" sh "$t" "$B"
done
for t in tests/store/*.sh; do # the evidence store and its commands
    layer "store-$(basename "$t" .sh)" sh "$t" "$B"
done
for t in fuzz/corpus/*/; do
    t=$(basename "$t")
    [ -x "$B/fuzz/fuzz_$t" ] && layer "fuzz-$t" "$B/fuzz/fuzz_$t" "fuzz/corpus/$t"
done
exit 0
