#!/bin/sh
# Shared corpora read end to end: every file in ../shared/corpus/dev and
# ../shared/samples/apple must be read without a crash or sanitizer report (a sanitizer
# aborts the process), and every message must yield exactly one record. Skipped when the
# shared data is absent.
set -u
cd "$(dirname "$0")/../.."
B=$1
S=${SW_SHARED_DIR:-../shared}
pass=0; fail=0; skip=0
check_tree() { # dir, expected records (or "" for any)
    dir=$1; want=$2
    if [ ! -d "$dir" ]; then skip=$((skip + 1)); echo "skipped: shared data absent ($dir)"; return; fi
    out=$(mktemp); err=$(mktemp)
    "$B/spoofwatch" scan --no-progress "$dir" >"$out" 2>"$err"
    rc=$?
    n=$(wc -l <"$out")
    if [ $rc -gt 1 ]; then
        fail=$((fail + 1)); echo "FAIL corpus $dir: exit $rc"; tail -5 "$err"
    elif [ -n "$want" ] && [ "$n" -ne "$want" ]; then
        fail=$((fail + 1)); echo "FAIL corpus $dir: $n records, expected $want"
    else
        pass=$((pass + 1)); echo "corpus $dir: $n records; $(tail -1 "$err")"
    fi
    rm -f "$out" "$err"
}
check_tree "$S/corpus/dev/phish" 791
check_tree "$S/corpus/dev/ham" 1000
check_tree "$S/samples/apple" 18 # 20 emlx + 2 eml, of which 4 are broken on purpose
check_tree "$S/conformance/authres" ""
echo "corpus: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
