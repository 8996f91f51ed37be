#!/usr/bin/env bash
# Whole-process comparison: `egais-tui inspect` vs `xmllint --noout` on a
# WayBill_v4 with 100 000 stamps built from samples/kirsa/TTN-0557370828.xml.
# Requirement: inspect takes at most half of xmllint's wall time, with a lower
# peak RSS. Prints a table and exits 1 if either requirement is not met.
#
#   benches/inspect_vs_xmllint.sh [STAMPS]      (default 100000; RUNS=15 by default)
#
# Uses the main binary's `inspect` subcommand when it exists, else the
# `xml_inspect` example (the same `egais::inspect::run`).
set -euo pipefail
cd "$(dirname "$0")/.."

STAMPS=${1:-100000}
RUNS=${RUNS:-15}

command -v xmllint >/dev/null || { echo "xmllint not found (apt-get install libxml2-utils)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (apt-get install time)" >&2; exit 2; }

echo "building release (examples xml_inspect, xml_gen_big_waybill)..." >&2
cargo build --release --quiet --example xml_inspect --example xml_gen_big_waybill
TARGET=$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)
REL="$TARGET/release"

# The main binary counts only if its `inspect` really is ours (it prints --json in its help).
if [ -x "$REL/egais-tui" ] && "$REL/egais-tui" inspect --help 2>&1 | grep -q -- '--json'; then
    INSPECT=("$REL/egais-tui" inspect)
else
    INSPECT=("$REL/examples/xml_inspect")
fi

FILE=$(mktemp --suffix=.xml)
trap 'rm -f "$FILE"' EXIT
"$REL/examples/xml_gen_big_waybill" "$STAMPS" "$FILE"
SIZE=$(stat -c %s "$FILE")

# Both must accept the file, and inspect must really have read it.
"${INSPECT[@]}" "$FILE" | grep -q "$STAMPS" || { echo "inspect did not report $STAMPS stamps" >&2; exit 2; }
xmllint --noout "$FILE"
echo "inspect command: ${INSPECT[*]}" >&2

now_ns() { date +%s%N; }

declare -a T_INSPECT T_XMLLINT
# Warm the page cache, then alternate the two tools so that machine load hits both alike.
"${INSPECT[@]}" "$FILE" >/dev/null; xmllint --noout "$FILE"
for ((i = 0; i < RUNS; i++)); do
    t0=$(now_ns); "${INSPECT[@]}" "$FILE" >/dev/null; t1=$(now_ns)
    xmllint --noout "$FILE"; t2=$(now_ns)
    T_INSPECT+=($(((t1 - t0) / 1000)))
    T_XMLLINT+=($(((t2 - t1) / 1000)))
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
minimum() { printf '%s\n' "$@" | sort -n | head -1; }

TIMEOUT=$(mktemp)
trap 'rm -f "$FILE" "$TIMEOUT"' EXIT
peak_kb() {
    local best=0 kb
    for _ in 1 2 3; do
        /usr/bin/time -f '%M' -o "$TIMEOUT" "$@" >/dev/null
        kb=$(tail -1 "$TIMEOUT")
        if ((kb > best)); then best=$kb; fi
    done
    echo "$best"
}

MI=$(median "${T_INSPECT[@]}"); MX=$(median "${T_XMLLINT[@]}")
NI=$(minimum "${T_INSPECT[@]}"); NX=$(minimum "${T_XMLLINT[@]}")
RI=$(peak_kb "${INSPECT[@]}" "$FILE"); RX=$(peak_kb xmllint --noout "$FILE")

HYPERFINE=""
if command -v hyperfine >/dev/null; then
    HYPERFINE=$(hyperfine -N --warmup 3 --runs "$RUNS" "${INSPECT[*]} $FILE" "xmllint --noout $FILE" 2>&1 | tail -n 20)
fi

status=0
awk -v size="$SIZE" -v stamps="$STAMPS" -v runs="$RUNS" \
    -v mi="$MI" -v mx="$MX" -v ni="$NI" -v nx="$NX" -v ri="$RI" -v rx="$RX" '
BEGIN {
    printf "WayBill_v4 with %d stamps, %.1f MB, %d alternating runs each\n\n", stamps, size / 1e6, runs
    printf "| %-22s | %15s | %12s | %14s |\n", "command", "median wall ms", "min wall ms", "peak RSS MiB"
    printf "|%s|%s|%s|%s|\n", "------------------------", "-----------------", "--------------", "----------------"
    printf "| %-22s | %15.1f | %12.1f | %14.1f |\n", "egais-tui inspect", mi / 1000, ni / 1000, ri / 1024
    printf "| %-22s | %15.1f | %12.1f | %14.1f |\n", "xmllint --noout", mx / 1000, nx / 1000, rx / 1024
    ratio = mi / mx
    printf "\ninspect / xmllint (median wall): %.2f (required <= 0.50)\n", ratio
    printf "peak RSS: %.1f MiB vs %.1f MiB (required: lower)\n", ri / 1024, rx / 1024
    ok = (ratio <= 0.5 && ri < rx)
    print (ok ? "RESULT: OK" : "RESULT: NOT MET")
    exit (ok ? 0 : 1)
}' || status=$?
if [ -n "$HYPERFINE" ]; then
    echo
    echo "$HYPERFINE"
fi
exit $status
