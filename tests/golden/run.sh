#!/bin/sh
# Golden tests: each input under tests/golden/cases/ is scanned and its NDJSON must equal
# the checked-in <input>.json byte for byte. `make golden-update` rewrites the expectations
# after a deliberate change (review the diff!). The examples/ tree is covered too.
set -u
cd "$(dirname "$0")/../.."
B=$1
update=${2:-}
pass=0
fail=0
for input in tests/golden/cases/* examples; do
    case "$input" in *.json) continue ;; esac
    [ -e "$input" ] || continue
    want="$input.json"
    [ -d "$input" ] && want="tests/golden/examples.json"
    got=$(mktemp)
    "$B/spoofwatch" scan --no-progress -q "$input" >"$got" 2>/dev/null
    if [ "$update" = "--update" ]; then
        cp "$got" "$want"
        pass=$((pass + 1))
    elif [ -f "$want" ] && cmp -s "$got" "$want"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL golden $input"
        if [ -f "$want" ]; then diff "$want" "$got" | head -20 | sed 's/^/    /'; else echo "    no $want"; fi
    fi
    rm -f "$got"
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
