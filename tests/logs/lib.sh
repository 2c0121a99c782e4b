# Shared helpers for the log-source test scripts in tests/logs/*.sh (sourced, not run).
# Each script is run by tests/run.sh as `sh tests/logs/<name>.sh BUILD_DIR` and ends with
# `finish <suite>`, which prints "<suite>: N passed, N failed, N skipped".
#
#   scan_to OUT ARGS...      runs spoofwatch scan ARGS, NDJSON to OUT, stderr to OUT.err,
#                            exit status to $scan_rc
#   has NAME FILE TEXT       passes when FILE contains the fixed string TEXT
#   lacks NAME FILE TEXT     passes when it does not
#   lines NAME FILE N        passes when FILE has exactly N lines
#   shared PATH              true when ../shared/PATH exists; otherwise counts a skip
pass=0
fail=0
skip=0
B=${1:?build dir}
SHARED=${SW_SHARED_DIR:-$(pwd)/../shared}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

scan_to() {
    out=$1
    shift
    "$B/spoofwatch" scan --no-progress "$@" >"$out" 2>"$out.err"
    scan_rc=$?
}
ok() { pass=$((pass + 1)); }
ko() {
    fail=$((fail + 1))
    echo "FAIL $1"
}
has() { if grep -qF -- "$3" "$2"; then ok; else ko "$1: no '$3' in $(basename "$2")"; fi; }
lacks() { if grep -qF -- "$3" "$2"; then ko "$1: unexpected '$3' in $(basename "$2")"; else ok; fi; }
lines() {
    n=$(wc -l <"$2" | tr -d ' ')
    if [ "$n" = "$3" ]; then ok; else ko "$1: $n lines, expected $3"; fi
}
status_is() { if [ "$scan_rc" = "$2" ]; then ok; else ko "$1: exit $scan_rc, expected $2"; fi; }
shared() {
    if [ -e "$SHARED/$1" ]; then return 0; fi
    skip=$((skip + 1))
    return 1
}
finish() { echo "$1: $pass passed, $fail failed, $skip skipped"; }
