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
