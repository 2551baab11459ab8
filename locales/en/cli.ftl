# The command line (English): examples under every command's --help (`examples-PATH`,
# src/cli/help.rs), and what the commands say.

examples-tagwatch =
    Examples:
      # find the trackers in a capture, with where you were
      tagwatch analyze capture.btsnoop --track walk.gpx
      # watch live and be warned when one follows you
      tagwatch scan
      # check a car or a room
      tagwatch sweep --duration 2m
      # write the evidence report for the police
      tagwatch report -o reports
      # the help of one command
      tagwatch analyze --help
examples-analyze =
    Examples:
      # the trackers in one capture
      tagwatch analyze capture.btsnoop
      # an Android bug report with your Google location history
      tagwatch analyze bugreport.zip --track Records.json
      # two captures as one session, JSON for programs
      tagwatch analyze day1.pcapng day2.pcapng --format json
      # your own tags left out, home named
      tagwatch analyze capture.btsnoop --allow mine.txt --place home=35.6812,139.7671
examples-scan =
    Examples:
      # the live view with the first adapter
      tagwatch scan
      # no screen: a command for each alert
      tagwatch scan --headless --on-alert 'notify-send tagwatch "$(cat)"'
      # replay a capture sixty times as fast
      tagwatch scan --replay demo-synthetic.btsnoop --speed 60
examples-sweep =
    Examples:
      # two minutes in the live view
      tagwatch sweep
      # five minutes, the list on standard output
      tagwatch sweep --duration 5m --headless
examples-verify =
    Examples:
      # check the whole chain
      tagwatch verify
      # and prove it continues a code you kept
      tagwatch verify --anchor TW1-5324-3F9A-2C71-E0B4-D6A8-B1C2-D3E4-7C
examples-anchor =
    Examples:
      # the code and a QR code to photograph
      tagwatch anchor
      # also a signed timestamp (needs the network)
      tagwatch anchor --tsa https://freetsa.org/tsr
examples-ring =
    Examples:
      # by its address
      tagwatch ring AA:BB:CC:DD:EE:FF
      # by its id from analyze or the live view
      tagwatch ring apple_find_my-1a2b3c4d
examples-identify =
    Examples:
      # read its maker, model and identifier
      tagwatch identify AA:BB:CC:DD:EE:FF
      # wait longer for it
      tagwatch identify AA:BB:CC:DD:EE:FF --listen 1m
examples-note =
    Examples:
      # a note with a photo
      tagwatch note "found it under the car seat" --file photo.jpg
      # a note alone
      tagwatch note "went to the police station"
      # a note about a tracker, when and where it happened
      tagwatch note "found it in my bag" --at "2026-01-15 08:40" --place "station" --tracker apple_find_my-1a2b3c4d
examples-attachment =
    Examples:
      # the photo kept with note 42
      tagwatch attachment get 42 -o photo.jpg
examples-attachment-get =
    Examples:
      # the photo kept with note 42
      tagwatch attachment get 42 -o photo.jpg
      # to standard output
      tagwatch attachment get 42 -o -
examples-report =
    Examples:
      # Japanese and English HTML
      tagwatch report -o reports
      # one tracker, in Japanese
      tagwatch report -o reports --lang ja --tracker apple_find_my-1a2b3c4d
examples-export =
    Examples:
      # every sighting as CSV
      tagwatch export --format csv -o sightings.csv
      # for Google Earth
      tagwatch export --format kml -o map.kml
examples-list =
    Examples:
      # what the default database holds
      tagwatch list
      # another database
      tagwatch list --db /media/stick/evidence.sqlite
examples-synth =
    Examples:
      # a short demo capture
      tagwatch synth demo -o demo-synthetic.btsnoop
      # every labelled day
      tagwatch synth scenario all -o scenarios
examples-synth-demo =
    Examples:
      # ten minutes as btsnoop
      tagwatch synth demo -o demo-synthetic.btsnoop
      # as the nRF Sniffer writes it
      tagwatch synth demo --nordic 3 -o demo-synthetic.pcap
examples-synth-crowd =
    Examples:
      # the demo among 500 phones
      tagwatch synth crowd --phones 500 -o crowd-synthetic.btsnoop
examples-synth-passers-by =
    Examples:
      # a hundred thousand devices
      tagwatch synth passers-by --count 100000 -o passers-synthetic.btsnoop
examples-synth-scenario =
    Examples:
      # one labelled day
      tagwatch synth scenario commute_airtag -o /tmp/demo
      # all of them
      tagwatch synth scenario all -o scenarios
examples-synth-dense =
    Examples:
      # the tracker-dense benchmark capture
      tagwatch synth dense -o dense-synthetic.btsnoop
cli-error = error: { $text }
cli-warning = warning: { $text }
cli-store-failed = error: evidence store: { $error }; what was stored before this is kept
note-stored = note stored
note-stored-with = note stored with { $file } (SHA-256 { $sha })
verify-intact = { $path }: intact: { $records } records, chain head { $head }
verify-broken = { $path }: BROKEN: { $n } { $n ->
        [one] problem
       *[other] problems
    } in { $records } records (chain head as the file is now: { $head })
list-heading = { $what } ({ $n })
list-sessions = Sessions
list-sweeps = Sweeps
list-trackers = Trackers
list-notes = Notes
list-anchors = Anchors
list-never-closed = never closed
list-days = { $n ->
        [one] 1 day
       *[other] { $n } days
    }
anchor-tsa-failed = timestamp authority { $url }: { $error }; the anchor is kept without a timestamp
anchor-keep = Keep the code where this computer cannot reach it (a photo, a message to someone you trust, paper): `tagwatch verify --anchor CODE` then proves these { $n } records unchanged.
anchor-session = anchor: { $code }; keep this code away from this computer: `tagwatch verify --anchor CODE` then proves the first { $n } records unchanged
anchor-hook-failed = --on-anchor: { $error }; the anchor is kept in the evidence all the same

## Mistakes on the command line (clap's own errors, written in languages other than English;
## src/cli/usage.rs). The values are as clap gives them: `--format <FORMAT>`, `<CAPTURES>...`.
usage-unknown-argument = there is no argument '{ $arg }'
usage-missing-value = { $arg } needs a value
usage-invalid-value = '{ $value }' is not a value of { $arg }
usage-possible-values = {" "}(possible values: { $values })
usage-invalid-value-why = '{ $value }' is not a value of { $arg }: { $why }
usage-unknown-command = there is no command '{ $command }'
usage-missing-arguments = these arguments are needed: { $args }
usage-missing-command = { $command } needs a command: { $commands }
usage-conflict = { $arg } cannot be used with { $other }
usage-repeated = { $arg } can be given only once
usage-extra-value = '{ $value }' is one value too many for { $arg }
usage-other = the arguments are not right
usage-similar = did you mean: { $similar }
usage-line = Usage: { $usage }
usage-more = For more, see `{ $command } --help`.
duration-invalid = it is not a duration like 90s, 2m or 1h
duration-unit = the unit is s, m or h
duration-too-long = it is too long
time-invalid = it is not a time: give 2026-01-15T08:40:00+09:00 or "2026-01-15 08:40"
time-nonexistent = it does not exist in this computer's time zone

## Anchors (`anchor`, `verify --anchor`; src/anchor).
anchor-of = Anchor of { $db } at { $time }
anchor-label-code = code:
anchor-label-records = records:
anchor-label-head = head:
anchor-label-full = full:
anchor-label-timestamp = timestamp:
anchor-timestamp-by = { $time } by { $tsa }
anchor-does-not-hold = anchor { $code }: DOES NOT HOLD: { $problem }
anchor-holds = anchor { $code }: the first { $n } records are unchanged; { $appended } { $appended ->
        [one] record
       *[other] records
    } appended since{ $sessions ->
        [0] {""}
        [one] , in 1 session
       *[other] , in { $sessions } sessions
    }
anchor-anchored-at = anchored at { $time }
anchor-timestamped = timestamped by { $tsa } at { $time } (its signature: openssl ts -verify, README "Anchors")
anchor-timestamp-broken = BUT the timestamp kept with it (from { $tsa }) does not check: { $error }: the anchor record was changed after it was kept
anchor-unchecked = anchor { $code }: cannot be checked: { $error }
anchor-not-kept = anchor: { $error }
code-tag = { $code }: an anchor code starts with { $tag }-
code-count = { $code }: the record count after { $tag }- is not a number
code-not-hex = { $code }: { $char } is not a hex digit (0-9, A-F)
code-length = { $code }: a code holds { $min } to 64 hex digits of the head and 2 check digits, this one { $n } in all
code-check = { $code }: the check digits do not match: a character was mistyped (compare it with the code you kept)

## report, export, list, note, attachment, analyze, synth.
report-not-verified = { $path }: the evidence does not verify:
report-refused = refused; give --even-if-broken to write it anyway, marked as broken on every page
report-anyway = writing it anyway (--even-if-broken), marked as broken
cli-did-you-mean = did you mean: { $ids }?
cli-list-hint = (`tagwatch list` shows every stored tracker)
list-not-verified = the evidence does not verify: run `tagwatch verify`
attachment-written = { $file }: { $bytes } bytes, SHA-256 { $sha } (matches note { $record })
analyze-kept = Evidence kept in { $path }: check it with `tagwatch verify`, write a report with `tagwatch report -o DIR`.
synth-wrote = wrote { $n } synthetic advertisements to { $file }
synth-wrote-scenario = wrote { $name }: { $n } synthetic advertisements, { $fixes } fixes over { $minutes } min to { $dir }

## ring and identify (src/interact).
identify-first = A DULT tracker gives its identifier only for 5 minutes after the physical action its maker describes (often: hold its button for a few seconds). Do that first.
interact-listening = listening for { $address } for up to { $seconds } s ...
interact-refusal-kept = the refusal is kept in the evidence ({ $path })
interact-kept = kept in the evidence ({ $path })
interact-not-in-evidence = { $what } is neither an address (AA:BB:CC:DD:EE:FF) nor a tracker in the evidence
interact-no-evidence = { $what } is not an address (AA:BB:CC:DD:EE:FF); a tracker id needs the evidence database
interact-no-address = the evidence holds no usable address for { $what }
interact-rang = { $address } played its sound ({ $how }) and finished
interact-ringing = { $address } is playing its sound ({ $how })
interact-asked = { $address } was asked to play its sound ({ $how }; this kind does not confirm): listen
interact-identified = { $address } identified: identifier { $id }
interact-identified-without = { $address } identified without identifier: { $why }
sound-dult = DULT non-owner sound
sound-find-my = Find My non-owner sound
sound-airtag-legacy = AirTag sound characteristic
sound-pebblebee = Pebblebee sound
interact-out-of-range = the tracker is out of range or stopped answering; move closer and try again
interact-connection-refused = the tracker refused the connection ({ $detail })
interact-not-supported = { $family }: not supported: { $reason }
interact-permission = Bluetooth refused for lack of permission ({ $detail }); on Linux, is your user allowed to use BlueZ (the bluetooth group, polkit)? A tracker that asks for pairing only talks to its owner
interact-refused = the tracker answered { $status } to opcode { $opcode }: { $meaning }
interact-protocol = the tracker's answer does not follow its protocol: { $detail }
interact-timeout = the tracker did not answer in time
interact-adapter = Bluetooth is not available: { $detail }
why-nfc-only = Apple publishes no non-owner identifier read over Bluetooth for Find My trackers: hold an NFC phone to the tracker to read its identifier
why-pebblebee-no-identifier = Pebblebee publishes no way to read an identifier, except through the DULT service of its Find My / Find Hub models
why-smarttag-no-ring = Samsung publishes no non-owner ring command and AirGuard, which rings other tags, rings none for SmartTags; ringing is done from the owner's SmartThings app
why-smarttag-no-identifier = Samsung publishes no non-owner identifier read
why-tile-no-ring = Tile's ring command belongs to the owner's Tile / Life360 app and is not published; AirGuard cannot ring Tiles either
why-tile-no-identifier = Tile publishes no non-owner identifier read
why-chipolo-no-ring = Chipolo ONE and CARD on Chipolo's own network have no published non-owner ring; AirGuard cannot ring them (Chipolo ONE Spot and POINT are Find My / Find Hub tags and can be rung as those)
why-chipolo-no-identifier = Chipolo publishes no non-owner identifier read
why-unknown-no-ring = tagwatch knows no sound command for this family
why-unknown-no-identifier = tagwatch knows no identifier read for this family
why-no-sound-service = the tracker offers none of the sound services of its family
why-no-dult-service = the tracker does not offer the DULT non-owner service
why-legacy-no-stop = the first-generation AirTag sound has no stop command; it ends by itself
why-identifier-by-nfc = the tracker says it gives its identifier by NFC only, not over Bluetooth
why-identifier-locked = the identifier is not readable now: do the physical action the maker describes (e.g. hold the button) and try again within 5 minutes
why-with-owner = refused: the tracker is with its owner (these commands only work while it is separated) or does not support this
why-sound-state = a sound is already playing, or there is no sound started by this device to stop
why-rejected = the tracker rejected the command
