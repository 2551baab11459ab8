//! What a [`Summary`] says to a person, in Japanese and English, with what to do about each
//! fault (which service to start, which command powers the adapter, which group to join).

use super::{Cause, Channel, Summary};
use crate::coverage::Span;
use crate::i18n::Lang;
use crate::live::age;

/// Stretches named one by one; the rest are counted.
const LISTED: usize = 3;

/// The messages of a cause: its name, and what to do about it (None: nothing to say).
fn keys(cause: Cause) -> (&'static str, Option<&'static str>) {
    match cause {
        Cause::NoAdapter => ("cause_no_adapter", Some("hint_no_adapter")),
        Cause::PoweredOff => ("cause_powered_off", Some("hint_powered_off")),
        Cause::NoBluez => ("cause_no_bluez", Some("hint_no_bluez")),
        Cause::NoSystemBus => ("cause_no_system_bus", Some("hint_no_system_bus")),
        Cause::Permission => ("cause_permission", Some("hint_permission")),
        Cause::NoGpsd => ("cause_no_gpsd", Some("hint_no_gpsd")),
        Cause::NoFix => ("cause_no_fix", Some("hint_no_fix")),
        Cause::NoPositionSource => ("cause_no_position_source", Some("hint_no_position_source")),
        Cause::Other => ("cause_other", None),
    }
}

/// The cause in a few words: "no Bluetooth adapter".
pub fn name(cause: Cause, lang: Lang) -> String {
    lang.t(keys(cause).0).to_string()
}

/// What to do about it, when there is something to do.
pub fn hint(cause: Cause, lang: Lang) -> Option<String> {
    keys(cause).1.map(|k| lang.t(k).to_string())
}

impl Summary {
    /// One line: what the channel did over the session ("not checked: no Bluetooth adapter for
    /// the whole 5 min"); `span` writes a span of time (local for a screen, the report's zone).
    pub fn statement(&self, lang: Lang, span: &dyn Fn(Span) -> String) -> String {
        let duration = age(lang, self.to_us - self.from_us);
        let by_cause = self.by_cause();
        let stretches = || {
            let mut named: Vec<String> = self
                .down
                .iter()
                .take(LISTED)
                .map(|s| {
                    let when = span(Span {
                        first_us: s.first_us,
                        last_us: s.last_us,
                    });
                    format!("{} {when}", name(s.outage.cause, lang))
                })
                .collect();
            if self.down.len() > LISTED {
                named.push(lang.fill("more", &[("n", &(self.down.len() - LISTED))]));
            }
            named.join(", ")
        };
        let values = |extra: &[(&'static str, String)]| {
            let mut v = vec![("duration", duration.clone())];
            v.extend(extra.iter().cloned());
            v
        };
        let (key, values) = match (self.channel, self.never_up(), by_cause.as_slice()) {
            (Channel::Radio, true, [(cause, _)]) => ("radio_whole", values(&[("cause", name(*cause, lang))])),
            (Channel::Radio, true, causes) => {
                let causes = causes
                    .iter()
                    .map(|(c, us)| format!("{} {}", name(*c, lang), age(lang, *us)))
                    .collect::<Vec<_>>()
                    .join(", ");
                ("radio_whole_mixed", values(&[("causes", causes)]))
            }
            (Channel::Radio, false, []) => ("radio_all", values(&[])),
            (Channel::Radio, false, _) => (
                "radio_part",
                values(&[("down", age(lang, self.down_us())), ("stretches", stretches())]),
            ),
            (Channel::Position, true, causes) => {
                let cause = causes.first().map_or(Cause::Other, |(c, _)| *c);
                ("positions_none", values(&[("cause", name(cause, lang))]))
            }
            (Channel::Position, false, []) => ("positions_all", values(&[])),
            (Channel::Position, false, _) => (
                "positions_part",
                values(&[("up", age(lang, self.up_us)), ("stretches", stretches())]),
            ),
        };
        let values: Vec<(&str, &dyn crate::i18n::Arg)> = values
            .iter()
            .map(|(k, v)| (*k, v as &dyn crate::i18n::Arg))
            .collect();
        lang.fill(key, &values)
    }

    /// What to do about each cause of a fault, the longest first.
    pub fn hints(&self, lang: Lang) -> Vec<String> {
        self.by_cause()
            .into_iter()
            .filter_map(|(cause, _)| hint(cause, lang))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_has_a_name_and_all_but_other_a_hint_in_every_language() {
        let causes = [
            Cause::NoAdapter,
            Cause::PoweredOff,
            Cause::NoBluez,
            Cause::NoSystemBus,
            Cause::Permission,
            Cause::NoGpsd,
            Cause::NoFix,
            Cause::NoPositionSource,
            Cause::Other,
        ];
        for lang in Lang::ALL {
            for c in causes {
                assert!(!name(c, lang).is_empty());
                assert_eq!(hint(c, lang).is_some(), c != Cause::Other, "{c:?}");
            }
        }
    }
}
