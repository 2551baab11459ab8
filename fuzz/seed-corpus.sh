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
