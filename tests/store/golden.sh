# Golden outputs of the store commands: a store built from the project's fixtures (in a fixed
# order), and what trace, campaigns, search, alerts and coverage write from it, byte for byte
# against tests/store/golden/. SIEM rules and scripts depend on these shapes. After a
# deliberate change: `make golden-update` (review the diff!).
. tests/logs/lib.sh
update=${2:-}
F=tests/fixtures/store
G=tests/store/golden
SW="$B/spoofwatch"
export SPOOFWATCH_STORE="$TMP/golden.db"
"$SW" ingest --no-progress -q "$F/msg-a.eml" "$F/msg-a-emailevents.jsonl" \
    "$F/msg-a-timaildata.json" "$F/msg-a-trace.csv" "$F/campaign.mbox" \
    "$F/coverage-emailevents.jsonl" "$F/coverage-trace.json" 2>"$TMP/ingest.err"
golden() { # golden NAME ARGS...: spoofwatch ARGS must print tests/store/golden/NAME
    name=$1
    shift
    "$SW" "$@" >"$TMP/$name" 2>/dev/null
    if [ "$update" = "--update" ]; then
        cp "$TMP/$name" "$G/$name"
        ok
    elif [ -f "$G/$name" ] && cmp -s "$TMP/$name" "$G/$name"; then
        ok
    else
        ko "golden $name"
        if [ -f "$G/$name" ]; then diff "$G/$name" "$TMP/$name" | head -20 | sed 's/^/    /'; fi
    fi
}
golden trace-msg-a.json trace --json '<20240305101455.4f1c9a@mx.northwind-mail.example>'
golden trace-msg-a.txt trace 20240305101455.4f1c9a@mx.northwind-mail.example
golden campaigns.json campaigns --json
golden campaigns.txt campaigns
golden search-spoofed.json search --json --verdict spoofed
golden alerts-campaigns.ndjson alerts
golden alerts-messages.ndjson alerts --per-message
golden coverage.json coverage --json
golden coverage.txt coverage
finish store-golden
