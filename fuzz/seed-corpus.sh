#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/, not committed) from the bundled synthetic captures
# and, where ../shared is beside the project, from the real captures recorded by others
# (their licences keep them out of the repository, so they are copied here only locally).
set -euo pipefail
cd "$(dirname "$0")"
shared=../../shared/captures/external
mkdir -p corpus/capture corpus/advertisement corpus/track corpus/lists
cp ../captures/demo-synthetic.btsnoop corpus/capture/
head -c 65536 ../captures/commute_airtag-synthetic.btsnoop > corpus/capture/commute-head.btsnoop
head -c 16384 ../captures/commute_airtag-synthetic.gpx > corpus/track/commute-head.gpx
printf '{"locations": [{"latitudeE7": 356812000, "longitudeE7": 1397671000, "accuracy": 12, "timestamp": "2026-01-15T08:00:00Z"}, {"latitudeE7": 356813000, "longitudeE7": 1397672000, "timestampMs": "1768464060000"}]}\n' > corpus/track/Records.json
printf '{"semanticSegments": [{"startTime": "2026-01-15T17:00:00.000+09:00", "endTime": "2026-01-15T17:30:00.000+09:00", "timelinePath": [{"point": "35.6812°, 139.7671°", "time": "2026-01-15T17:10:00.000+09:00"}], "visit": {"topCandidate": {"placeLocation": {"latLng": "35.6812°, 139.7671°"}}}}], "rawSignals": [{"position": {"LatLng": "35.68°, 139.76°", "accuracyMeters": 8, "timestamp": "2026-01-15T08:45:30.000Z"}}]}\n' > corpus/track/Timeline.json
# A PacketLogger file (synthetic): an HCI command, then an LE Advertising Report, big endian.
python3 - <<'PY'
import struct
def record(kind, data, secs=1768464000):
    return struct.pack(">III", 9 + len(data), secs, 0) + bytes([kind]) + data
report = bytes([0x3E, 19, 0x02, 1, 3, 1]) + bytes(6) + bytes([7, 6, 0xFF, 0x4C, 0, 0x12, 0x19, 0]) + bytes([0xC4])
open("corpus/capture/synthetic.pklg", "wb").write(record(0, bytes([0x0C, 0x20, 2, 1, 0])) + record(1, report))
PY
printf 'C4:12:34:56:78:9A\nidentity:53bddab1f1e0d0aa\napple_find_my-0b04929b\n' > corpus/lists/allow.txt
printf 'home=35.6812,139.7671\nwork=35.68,139.70,300 # office\n' > corpus/lists/places.txt
# Advertising data: the hex vectors of every signature file.
python3 - <<'PY'
import glob, re
for path in glob.glob("../signatures/*.toml"):
    for h in re.findall(r'hex = "([0-9a-f]+)"', open(path).read()):
        open(f"corpus/advertisement/{h[:64]}", "wb").write(bytes.fromhex(h))
PY
if [ -d "$shared" ]; then
    find "$shared" -name '*.pcap' -o -name '*.pcapng' -o -name '*.log' -path '*log_analysis*' | while read -r f; do
        head -c 65536 "$f" > "corpus/capture/$(basename "$f")"
    done
    for f in "$shared"/gps/*.log "$shared"/gps/*.chk "$shared"/offline-finding-evaluation/data/gps/*.csv; do
        head -c 16384 "$f" > "corpus/track/$(basename "$f")"
    done
else
    echo "note: $shared not found: seeded from the bundled synthetic captures only"
fi
echo "corpora: $(find corpus -type f | wc -l) files"
