#!/usr/bin/env bash
# Compares `tagwatch analyze` with `tshark -T fields` on the same btsnoop file.
# Usage: bench/tshark_ratio.sh [PHONES] [MINUTES]   (needs tshark: apt-get install tshark)
set -euo pipefail
cd "$(dirname "$0")/.."
phones=${1:-400}
minutes=${2:-20}
command -v tshark >/dev/null || { echo "tshark is not installed (apt-get install tshark)"; exit 1; }
cargo build --release --quiet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
file="$dir/crowd-synthetic.btsnoop"
./target/release/tagwatch synth crowd --phones "$phones" --minutes "$minutes" -o "$file"
ads=$(./target/release/tagwatch analyze --format json "$file" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["captures"][0]["advertisements"])')

calc() { python3 -c "print($1)"; }
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); calc "$e - $s"; }
tw=$(seconds ./target/release/tagwatch analyze --format json "$file")
ts=$(seconds tshark -r "$file" -T fields -e frame.time_epoch -e bthci_evt.bd_addr -e bthci_evt.rssi -e btcommon.eir_ad.entry.type)
printf 'file: %s (%s bytes, %s advertisements)\n' "$(basename "$file")" "$(stat -c %s "$file")" "$ads"
printf 'tagwatch analyze: %.3f s (%.0f advertisements/s)\n' "$tw" "$(calc "$ads / $tw")"
printf 'tshark -T fields: %.3f s (%.0f advertisements/s)\n' "$ts" "$(calc "$ads / $ts")"
printf 'ratio: tagwatch is %.0fx faster\n' "$(calc "$ts / $tw")"
