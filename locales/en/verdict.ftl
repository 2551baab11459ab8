# Why a verdict is what it is (English): `reason-CODE` for each code of correlate::Reason.
# The English sentences are also the JSON's `reasons`, which programs may read: keep them.

reason-seen_at_places = seen at { $places } { $places ->
        [one] place
       *[other] places
    }{ $details } over { $with_you }, { $distance } apart
reason-details = {" "}({ $details })
reason-stays = { $n ->
        [one] 1 stay
       *[other] { $n } stays
    } of { $stay } or more
reason-seen_without_location = seen with you for { $with_you }; no location data, so tagwatch could not check that it moved with you
reason-separated_from_owner = separated from its owner
reason-owner_unknown = it does not say whether its owner is near
reason-not_flagged_near_owner = near its owner (the owner's phone is close by), so not flagged
reason-apple_device_high_sensitivity_only = an iPhone, iPad or Mac in Find My mode: flagged only at high sensitivity
reason-new_key_every_advertisement = uses a new key for every advertisement ({ $keys } keys): built to hide from tracker detection
reason-following = following you: flagged { $after } after it was first seen
reason-marked_own = marked as yours ({ $how }), so not alerted
own-via-file = allow list { $file } line { $line }
own-via-line = allow list line { $line }
own-via-live = live view m
reason-heard_on_days = heard with you on { $n } days ({ $dates }){ $following ->
        [0] {""}
       *[other] , following you on { $following } of them
    }
own-via-earlier = the same tag as { $id }, marked yours on an earlier day
reason-decided_by = decided by: { $evidence }
evidence-stays = present at { $stays } of your stays
evidence-after_ride = still with you { $after } after a ride of { $distance }, heard without a break
evidence-places = with you at { $places } places for { $stopped } while you stopped or walked
evidence-journeys = left one of your stays with you and arrived with you at the next on { $journeys } journeys in a row, each from where the last ended
evidence-long_ride = one continuous ride only, but { $with_you } long
evidence-time_only = with you for { $with_you }

# What the identity rules found (the reason with code "identity").
identity-linked = one tag through { $n } identities: { $how }
identity-by-aging-counter = its aging counter went on as a SmartTag's does
identity-by-address-ephemeral-id = its address stayed as its ephemeral id changed
identity-by-address-service-data = its address stayed as the identifier in its service data changed
identity-by-within-seconds = each new address came within seconds of the last, with the same status byte and signal
identity-by-daily-change = each new key came at the 04:00 daily change, at the same place, with the same status byte
identity-ambiguous = a new identity that { $n } earlier tags could have rotated into, none more likely: kept apart, though it may be one of them
identity-heard-again = an identity linked into this entry was heard again after its successor appeared: the sightings before then may be of two tags
identity-split-from = heard again after another identity had been linked to it as its successor: kept apart from then on (see { $entry })
