# The table `analyze` and `scan` print, and the lines about what was read (English).

col-id = ID
col-tracker = TRACKER
col-verdict = VERDICT
col-owner = OWNER
col-addresses = ADDRESSES
col-first-seen = FIRST SEEN
col-last-seen = LAST SEEN
col-sightings = SIGHTINGS
col-rssi = RSSI MAX
col-places = PLACES
col-distance = DISTANCE
tracker-details = { $name } ({ $details })
table-hidden = ({ $n } { $n ->
        [one] phone, computer or headphones near its owner not listed
       *[other] phones, computers or headphones near their owners not listed
    }; --all lists them.)
table-left-out = (Left out to fit { $width } columns: { $columns }; a wider terminal shows them.)
table-why = Why:
table-why-line = { $id }: { $reasons }.
statement-incomplete = Incomplete: reading stopped early (see error); this covers only what was read.
statement-partly = Partly checked: { $n } records could not be interpreted (see above); this covers only what was understood.
heard-over = { $n } { $n ->
        [one] advertisement
       *[other] advertisements
    } heard over { $duration } ({ $span })
heard-ran = ran for { $duration }, 0 advertisements
heard-zero = 0 advertisements
heard-captures = { $n } { $n ->
        [one] capture
       *[other] captures
    } read, 0 advertisements
outcome-nothing = Nothing was heard: { $heard }. This is not an all-clear: no tracker could have been seen.
outcome-no-trackers = No trackers among { $heard }{ $placed }.
outcome-trackers = { $heard }{ $placed }.
placed-no-track = ; no track, so none of the { $n } tracker sightings has a position
placed = ; { $placed } of { $n } tracker sightings placed
placed-partial = : the track covers { $span } only
placed-outside = : the track ({ $span }) is outside the time heard
track-file = Track { $path }: { $format }, { $n } fixes
track-span = {" "}({ $span })
track-skipped = , { $n } records skipped
track-first-problem = {" "}(first at { $problem })
track-total = Track: { $n } fixes ({ $span })
capture-line = { $path }: { $format }, { $n } advertisements
capture-unknown-format = unknown format
capture-damaged = , { $n } damaged records skipped
capture-not-understood = , { $n } records not understood ({ $why })
capture-stopped = , stopped early (see error)
times-local = Times are local.
summary-total = { $n } { $n ->
        [one] tracker
       *[other] trackers
    }; { $others } advertisements from other devices counted, not kept. Times are local.
warning-track-outside = the track ({ $track }) does not overlap the time heard ({ $heard }): no sighting could be placed. Is it the track of this trip, and is its clock right?
warning-track-partial = the track ({ $track }) covers only part of the time heard ({ $heard }): sightings outside it have no position
warning-heard-nothing = { $path }: this capture holds no advertisement: nothing was heard in it
warning-implausible-times = { $n } advertisements were dated outside 2000-2100 and were not kept: is this computer's clock set (`timedatectl`)?
warning-not-understood = { $path }: { $n } records could not be interpreted ({ $reason }): what they held was not checked
