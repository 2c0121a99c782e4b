#!/bin/sh
# Runs every test layer on the release build and again on the ASan+UBSan build, then sums
# the per-suite lines "<suite>: N passed, N failed[, N skipped]" into the final line.
set -u
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
for dir in "$@"; do
    label=$(basename "$dir")
    echo "== $label"
    tests/run.sh "$dir" 2>&1 | tee -a "$out" | sed -n '/: [0-9]* passed, [0-9]* failed/p;/^FAIL/p;/^    /p'
done
awk '
/^[A-Za-z0-9_.\/-]+: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$/ {
    p += $2; f += $4; if (NF >= 7) s += $6
}
END {
    if (s > 0) printf "%d passed, %d failed, %d skipped\n", p, f, s
    else printf "%d passed, %d failed\n", p, f
    exit (f > 0 || p == 0) ? 1 : 0
}' "$out"
