# Errors of the library a person reads: bad captures, tracks, databases, lists, missing files
# (English; also what logs and the JSON keep).

## Why a system call failed.
io-not-found = the file does not exist
io-permission = no permission to read it
io-folder = it is a folder
as-is = { $text }

## Captures: "FILE: FORMAT capture: PROBLEM at byte offset N".
capture-error-at = { $path }: { $format } capture: { $problem } at byte offset { $offset }
capture-error-unknown = { $path }: { $problem }
capture-error-zip = { $path }: { $problem }
capture-error-zip-entry = { $path }: { $problem } (zip entry at byte offset { $offset })
capture-cannot-open = cannot open: { $why }
capture-read-error = read error: { $why }
capture-cannot-write = cannot write: { $why }
capture-folder = a folder, not a capture: give the capture files in it
capture-empty = empty file, not a capture
capture-no-known-format = unknown format: not a btsnoop, pcap, pcapng, PacketLogger or tagwatch JSON Lines capture
capture-zip-stream = a zip is read as a file, not from a stream
capture-is-zip = this is a zip archive, not a capture: unpack it and give the capture files in it
capture-is-track = this looks like a { $track } track, not a capture: give it with --track
capture-is-track-an = this looks like an { $track } track, not a capture: give it with --track
capture-truncated = truncated { $what }
capture-too-long = { $what } length { $len } exceeds 1 MiB
capture-line-too-long = line longer than 1 MiB
capture-not-btsnoop = not a btsnoop file
capture-btsnoop-version = unsupported btsnoop version { $version }
capture-btsnoop-datalink = unsupported datalink { $datalink } (tagwatch reads 1001, 1002 and 2001)
capture-not-monitor = datalink { $datalink }, not 2001 (monitor frames)
capture-jsonl-no-header = no header line
capture-jsonl-version = unsupported tagwatch-jsonl version { $version }
capture-jsonl-bad-header = first line is not a {"{"}"format":"tagwatch-jsonl","version":1{"}"} header
capture-pcapng-idb-short = interface description block too short
capture-pcapng-no-bom = section header block has no byte-order magic
capture-pcapng-no-shb = does not start with a section header block
capture-pcapng-block-length = block length { $len } is invalid for block type { $kind }
capture-pklg-short = record length { $len } is shorter than its timestamp
capture-link-type = unsupported link type { $link } (tagwatch reads 187, 201, 251, 256 and 272)
part-file-header = file header
part-record-header = record header
part-record = record
part-block-header = block header
part-section-header = section header block
part-block = block

## Android bug reports (zip).
zip-unreadable = a zip archive that cannot be read ({ $detail }): unpack it and give the capture files in it
zip-entry-unreadable = { $entry }: { $detail }
zip-too-many-files = holds { $n } files, more than a bug report
zip-no-snoop-log = this zip holds no Bluetooth HCI snoop log: if it is an Android bug report, enable "Bluetooth HCI snoop log" in the phone's developer options, turn Bluetooth off and on, and make the bug report again; if it holds captures, unpack it and give the capture files in it
zip-logs-too-large = its snoop logs inflate to { $bytes } bytes, more than the 2 GiB tagwatch reads
zip-entry-too-large = { $entry } inflates to { $bytes } bytes, more than the 2 GiB tagwatch reads
zip-entry-lies = { $entry } inflates to more than the { $bytes } bytes it declares

## Tracks, lists and attachments read whole (src/files).
file-cannot-read = { $path }: cannot read: { $why }
file-not-regular = { $path }: not a regular file ({ $kind })
file-too-large = { $path }: { $size } is larger than the { $cap } { $what } may be
file-holds-more = { $path }: holds more than the { $cap } { $what } may be
file-cap-track = a track
file-cap-list = a list
file-cap-attachment = an attachment
file-kind-folder = a folder
file-kind-char-device = a character device
file-kind-block-device = a block device
file-kind-pipe = a named pipe
file-kind-socket = a socket
file-kind-unknown = an unknown kind of file

## GPS tracks.
at-line = line { $n }
at-byte = byte { $n }
at-record = record { $n }
track-at = { $at }: { $problem }
track-unknown = { $path }: not a recognised track (expected GPX, NMEA 0183, gpsd JSON, Google location history (Records.json) or Timeline export, or CSV with a header naming time, latitude and longitude columns)
track-unknown-json = { $path }: not a recognised track (expected GPX, NMEA 0183, gpsd JSON, Google location history (Records.json) or Timeline export, or CSV with a header naming time, latitude and longitude columns); this JSON is neither gpsd's reports nor Google's, whose document opens with "locations" (Records.json) or "semanticSegments" (Timeline.json)
track-broken = { $path }: { $format }: { $detail }
track-no-fix = { $path }: { $format }: no usable fix: { $detail }
track-read = { $fixes } { $fixes ->
    [one] fix
   *[other] fixes
}, { $skipped } { $skipped ->
    [one] record
   *[other] records
} skipped
track-read-outliers = {" "}(time outliers: { $outliers }, impossible jumps: { $jumps })
track-read-first = {" "}(first at { $at }: { $problem })
track-broken-xml = broken XML: { $detail }
track-not-gpx-root = root element is not <gpx>
track-no-gpx = no <gpx> element
track-csv-header = header does not name time, latitude and longitude columns
track-not-google = not Google location history: { $detail }

## The evidence database.
store-io = { $path }: { $what }: { $why }
store-cannot-open = cannot open
store-cannot-read = cannot read
store-cannot-create = cannot create
store-cannot-create-folder = cannot create its folder
store-cannot-set-mode = cannot set mode 0600
store-attachment = the attachment: { $error }
store-sqlite = { $path }: { $detail }
store-not-tagwatch = { $path }: not a tagwatch evidence database (left untouched)
store-newer-schema = { $path }: made by a newer tagwatch (schema { $found }, this one knows { $known })
store-damaged = { $path }: the database is damaged: { $detail }
store-read-only = { $path }: the database is read-only
store-missing = { $path }: there is no evidence database here (`tagwatch analyze`, `scan` or `sweep` creates one)
store-no-folder = { $path }: the folder { $folder } does not exist; tagwatch creates no folder but its own data folder ({ $own }): create it first
store-unknown-schema = { $path }: { $objects } — the database may have been tampered with; keep a copy and run verify
store-not-kept = { $path }: a write did not take effect ({ $detail }); the evidence is not being kept — keep a copy of the file and run verify
store-changed-while-read = { $path }: the database was written to while it was being read; run the command again
store-session-kind = unknown session kind { $kind } (analyze, scan or sweep)
store-unknown-session = session { $id } was not begun by this store or has ended
store-unknown-tracker = no tracker { $id } in the evidence database
store-no-attachment = record { $seq }: no attached file ({ $detail }; the report lists each attached file with its record number)
store-unstorable = cannot store a { $kind } record: { $detail }

## Allow lists.
allow-line = { $path }: line { $line }: { $problem }
allow-not-hex = identity is not hex: { $detail }
allow-bad-line = { $line } is not an address, a tagwatch id or identity:HEX
store-missing-hint = (give the database with --db PATH or TAGWATCH_DB)
store-other-place-hint = (give another place with --db PATH, or --no-store to only look)

## Live inputs that cannot be started.
live-scan-failed = cannot start scanning: { $why }
live-monitor-stopped = the HCI monitor stopped: { $why }
live-monitor-socket-failed = --monitor-socket { $path }: { $why }
live-monitor-socket-stopped = the monitor frames stopped: { $why }
live-gpsd-failed = cannot start following gpsd: { $why }
live-no-gpsd = no gpsd at { $addr } (give --gpsd HOST:PORT): sightings get no position

## A session verify finds never closed (what is wrong with records: report.ftl's problem_*).
verify-unclosed = session { $session } ({ $kind }, began { $began }) never closed: { $why }
verify-unclosed-last = tagwatch is still running it or was stopped without finishing, or records were cut from the end; only an anchor kept elsewhere can tell
verify-unclosed-earlier = tagwatch was stopped without finishing it (a crash or power cut)

## Anchors: why none was kept, why the chain does not extend one, and timestamp authorities.
anchor-empty = the database holds no records yet: nothing to anchor
anchor-broken = the chain does not verify ({ $problem }); no anchor kept, run `tagwatch verify`
chain-gap = record { $seq } follows record { $before }: records are missing or were inserted
chain-link = record { $seq }: prev_hash is not the hash of the record before
chain-hash = record { $seq }: its hash does not match its content
chain-column = record { $seq }: a column has the wrong type
anchor-problem-changed = { $problem }: the records the anchor vouches for were changed
anchor-problem-cut = the chain ends at record { $records }, but the anchor vouches for { $n } records: the last { $cut } were cut off
anchor-problem-rewritten = record { $n } is not the one anchored (its hash starts { $found }, the anchor's { $head }): the chain up to it was rewritten, every hash recomputed
anchor-problem-after = the first { $n } records are unchanged, but after them the chain breaks: { $problem }
anchor-problem-not-kept = the anchor record tagwatch kept after record { $n } is not in the chain: the records after the anchor were rewritten or cut off
tsa-unreachable = cannot reach it: { $detail }
tsa-status = it answered HTTP { $status }
tsa-refused = it refused: status { $status }{ $text }
tsa-malformed = its answer is not a timestamp reply: { $detail }
tsa-imprint = its token is not over this head (wrong message imprint)
tsa-nonce = its token does not echo our nonce (a replayed answer?)
hook-cannot-start = cannot start it ({ $why })
hook-failed = it failed ({ $status })
hook-still-running = still running after { $s } s; left to finish on its own
hook-cannot-wait = cannot wait for it ({ $why })

## gpsd, followed live.
gpsd-unreachable = cannot reach gpsd at { $addr }: { $why }
gpsd-no-fix = no fix from gpsd at { $addr } within { $s } s
gpsd-closed = gpsd at { $addr } closed the connection
gpsd-io = reading from gpsd at { $addr }: { $why }
gpsd-protocol = { $addr } does not speak gpsd JSON: { $problem }

## Why one record of a track was skipped (the first is shown; values are the record's own).
record-no-checksum = no *hh checksum
record-checksum-not-two = checksum is not two hex digits
record-checksum-not-hex = checksum is not hex
record-checksum = checksum { $given } does not match computed { $computed }
record-fields = { $n } fields, need { $need }
record-sentence = { $kind }: { $problem }
record-no-rmc = no dated RMC before it
record-bad = bad { $what } { $value }
record-bad-timestamp = bad timestamp
record-no-timestamp = no timestamp
record-no-e7 = no latitudeE7/longitudeE7
record-no-place-or-time = a place or time is missing
record-gpx-no-lat-lon = point without numeric lat/lon
record-gpx-no-time = point without <time>
record-bad-json = bad JSON: { $detail }
record-no-class = no "class" member
record-tpv-no-time = TPV without time
record-out-of-range = coordinates out of range: { $lat }, { $lon }
record-implausible-time = time { $time } is not between 2000 and 2100
record-time-outlier = time { $time } is more than a day from the rest of the track
record-jump = position { $lat }, { $lon } at { $time } is a jump away and back at more than { $speed } m/s
field-time = time
field-date = date
field-gpx-time = <time>
field-position = position
field-coordinate = coordinate
field-minutes = coordinate minutes
field-lat-hemisphere = latitude hemisphere
field-lon-hemisphere = longitude hemisphere
gpsd-line-too-long = a line longer than 1 MiB

## A line of a places file (NAME=LAT,LON[,RADIUS_M]).
place-bad-line = { $text } is not NAME=LAT,LON[,RADIUS_M]
place-steering = { $name }: a place name may not hold control or bidirectional characters

## Why records of a capture were not understood (well-formed, of a kind tagwatch does not read).
unreadable-link-type = link type { $link }: tagwatch reads 187, 201, 251, 256 and 272
unreadable-nordic-version = nRF Sniffer header version { $version }: tagwatch reads versions 0 to 3
unreadable-nordic-packet = nRF Sniffer message { $id }: not a received packet in header version { $version }
unreadable-nordic-header = nRF Sniffer packet header of { $n } bytes: versions 1 to 3 have 10
unreadable-nordic-phy = nRF Sniffer PHY { $phy }: reserved

## Sizes of files.
size-bytes = { $n } { $n ->
    [one] byte
   *[other] bytes
}
size-kib = { $n } KiB
size-mib = { $n } MiB
