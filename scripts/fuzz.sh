#!/bin/sh
# Coverage-guided fuzzing with libFuzzer: builds every target with clang and ASan+UBSan in
# build-fuzz/ and runs each for FUZZ_SECONDS (default 60) on a copy of its corpus. New
# crashers land in build-fuzz/crash-*; add the minimized input to fuzz/corpus/<target>/.
# An input that runs over 10 s or 2 GB is a finding too (timeout-*, oom-*), and a UBSan
# report stops the run: UBSan alone only prints and goes on, so libFuzzer would not keep
# the input (tests/run.sh replays the corpora with the same setting).
set -eu
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang CXX=clang++ meson setup build-fuzz -Dlibfuzzer=true -Dbuildtype=debug -Doptimization=1 \
        -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C build-fuzz >/dev/null
for t in ${FUZZ_TARGETS:-$(ls fuzz/corpus)}; do
    work=build-fuzz/corpus-$t
    mkdir -p "$work"
    cp -n fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
    echo "== fuzz_$t for ${SECONDS_EACH}s"
    (cd build-fuzz && ./fuzz/fuzz_"$t" -max_total_time="$SECONDS_EACH" -max_len=65536 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "corpus-$t" 2>&1 |
        grep -E "^(#|==|stat::number_of_executed_units|SUMMARY)" | tail -3)
done
