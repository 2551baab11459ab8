# The live view's map, timeline and status line (English).

map = map
timeline = timeline
no_tracker = no tracker selected
no_position = no position yet: no GPS fix or track
zoom_fit = fit
zoom = zoom ×{ $factor }
map_keys = +/- zoom · 0 fit
you = you
alert = alert
stay = stay
signal = signal
not_heard = not heard
radio = radio
gps = GPS
checking = checking:
adapter = adapter { $name }: { $state }
adapter_up = up
adapter_reconnecting = reconnecting
adapter_down = down ({ $why })
replay = replay { $file }
exact = exact bytes (HCI monitor)
reconstructed = reconstructed (BlueZ D-Bus)
capture = capture
rate = { $rate } adv/s
fix = GPS fix { $accuracy }{ $age } old
no_fix = no GPS fix
evidence = evidence { $db }
no_evidence = evidence not kept (--no-store)
anchor = last anchor { $code }
advisory = advisory: the same nearby devices (near their owner) have been with you at { $places } places for { $minutes } min: someone may be staying near you (a companion or your own devices look the same)
no_anchor_yet = no anchor yet
seconds = { $n } s
minutes = { $n } min
hours = { $n } h
monitor_refused = error: cannot open the HCI monitor: { $why }
monitor_fallback = note: cannot open the HCI monitor ({ $why }): listening through BlueZ over D-Bus, whose advertisements are reconstructed (no Flags, advertisement and scan response merged, no PDU type).
monitor_hint = To hear the exact bytes, let tagwatch read the HCI monitor: `sudo setcap cap_net_raw+ep $(command -v tagwatch)`, or run the packaged service (tagwatch.service), which has CAP_NET_RAW.
desktop_off = desktop notifications off: { $why }
alert-line = ALERT { $time } { $model } ({ $id }) is following you: { $reasons }
live-sweep-left = sweep: { $left } left
live-sweep-waiting = sweep: waiting
live-live = live
live-trackers = trackers: { $n }
live-others = advertisements from others: { $n }
live-filter = filter "{ $filter }"
live-help-hint = ? help
live-banner = ⚠ { $tracker } is following you{ $since } ({ $places } { $places ->
        [one] place
       *[other] places
    }, { $distance }) · Enter: details · m: it is mine
live-banner-since = {" "}since { $time }
live-col-tracker = TRACKER
live-col-owner = OWNER
live-col-signal = SIGNAL
live-col-dbm = DBM
live-col-first = FIRST
live-col-last = LAST
live-col-places = PLACES
live-col-distance = DISTANCE
live-col-verdict = VERDICT
live-detail-head = { $id } · { $tracker } · { $owner } · battery { $battery }
live-battery-unknown = unknown
live-detail-address = address { $address } ({ $used } used) · { $sightings } sightings · first { $first } · last { $last }
live-detail-raw = raw: { $hex }
live-detail-title = {" "}details · s: play its sound · i: identify{" "}
live-find-title = {" "}find { $tracker } ({ $id }) · s: play its sound · Esc: back{" "}
live-no-signal = no signal
live-last-heard = { $trend } · last heard { $age } ago
live-input-filter = filter: { $text }_  (Enter: apply, Esc: clear)
live-input-note = note: { $text }_  (Enter: store, Esc: cancel)
live-confirm-mine = Mark { $tracker } { $id } as yours? It will not alert again. y/n
live-key-select = ↑↓ select
live-key-details = Enter details
live-key-pane = Tab pane
live-key-find = f find
live-key-mine = m mine
live-key-note = n note
live-key-report = r report
live-key-filter = / filter
live-key-help = ? help
live-key-quit = q quit
live-help-title = {" "}keys{" "}
live-help-select = select a tracker
live-help-details = details: why, and the raw advertisement
live-help-pane = next pane: table, map, timeline (one at a time when small)
live-help-zoom = zoom the map in, out, to fit everything
live-help-find = find mode: signal meter, warmer or colder
live-help-mine = it is mine (asks y/n): no more alerts, noted in evidence
live-help-note = add a note to the evidence
live-help-report = write the evidence report (ja and en)
live-help-ring = make the tracker play its sound (live scan)
live-help-identify = read a DULT tracker's maker and identifier (live scan)
live-help-filter = filter by name or id
live-help-esc = close the pane, find mode or help; clear the filter
live-help-this = this help
live-help-quit = quit (the evidence is kept)
live-not-marked = { $id } not marked: it still alerts
live-marked-already = { $id } is marked as yours already
live-report-written = report written to { $dir }
live-report-failed = no report: { $error }
live-note-stored = note stored
live-note-failed = note not stored: { $error }
live-busy = busy: still { $action ->
        [ring] ringing
       *[other] identifying
    } another tracker
live-needs-adapter = { $action ->
        [ring] ring
       *[other] identify
    } needs a Bluetooth adapter: this is a replay
live-mine-session = { $id } is yours for this session{ $kept } (start with --allow FILE to keep it)
live-mine-added = { $id } added to { $file }{ $kept }
live-mine-listed = { $id } is yours; { $file } lists it already{ $kept }
live-mine-file-error = { $id } is yours for this session{ $kept }; { $file }: { $error }
live-mine-not-kept = {" "}(the mark is not in the evidence: { $error })
live-kept = {" "}(kept in the evidence)
live-not-kept = {" "}(not kept: { $error })
sweep-heading = Sweep: { $n } { $n ->
        [one] tracker
       *[other] trackers
    } heard, strongest first
sweep-col-signal = SIGNAL
sweep-col-raw = RAW
live-stored = Evidence kept in { $db }.
live-not-stored = Evidence not kept (--no-store).
live-recap-alerts = { $n ->
        [0] No alert this session.
        [one] 1 alert this session:
       *[other] { $n } alerts this session:
    }
live-start-failed = { $action ->
        [ring] ring
       *[other] identify
    } failed: { $error }
live-starting = { $action ->
        [ring] ring { $address }: listening, then connecting ...
       *[other] identify { $address }: listening, then connecting ... (do the physical action its maker describes first)
    }
live-error-terminal = terminal: { $error } (without a terminal, use --headless)
live-error-record = --record { $file }: { $error }
live-error-record-incomplete = --record: { $error }; the capture is incomplete
live-error-signals = cannot handle signals: { $error }
live-error-on-alert = --on-alert: { $error }
live-dropped = { $n } advertisements dropped: this computer did not keep up

# The view's title: what is listened with.
feed-adapter = { $name } { $state } ({ $source }), { $gpsd }
feed-hci-monitor = HCI monitor
feed-gpsd = gpsd { $state }
feed-no-gpsd = no gpsd
feed-replay-ended = replay ended
feed-replay-fastest = replay, as fast as possible
feed-replay-speed = replay { $speed }×
link-down = down: { $why }

# Lines of the headless log (--headless): what the radio and gpsd did.
log-adapter = adapter: { $state }
log-adapter-down = adapter: down: { $cause } ({ $why })
log-adapter-event = adapter { $name }: { $event }
log-monitor-down = HCI monitor: down: { $why }
log-gpsd = gpsd: { $state }
radio-present = { $name } ({ $address }) present
radio-opened = opened
radio-closed = closed
radio-removed = removed
