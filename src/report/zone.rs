//! The time zone a report shows its times in: where the events happened (from the positions),
//! not where the computer making the report happens to be set.

use chrono::{FixedOffset, Offset};

use super::Lang;
use crate::evidence::ReportData;

/// Japan's extent (Yonaguni to Minamitorishima, Okinotorishima to Etorofu), less the Korean
/// peninsula and Jeju, which the rectangle also covers and which keep KST.
fn in_japan(lat: f64, lon: f64) -> bool {
    let japan = (20.0..=45.8).contains(&lat) && (122.5..=154.0).contains(&lon);
    let korea = (33.9..=38.7).contains(&lat) && (124.5..=129.2).contains(&lon);
    let jeju = (33.1..=33.6).contains(&lat) && (126.1..=127.0).contains(&lon);
    japan && !korea && !jeju
}

const JST_S: i32 = 9 * 3600;

/// Where the zone came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneSource {
    /// Most positions lie in Japan: Japan Standard Time.
    Positions,
    /// `--utc-offset`.
    Override,
    /// No position says where: this computer's zone.
    Machine,
}

/// The zone of a report's times: an offset, and whether it is Japan Standard Time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zone {
    pub offset: FixedOffset,
    pub source: ZoneSource,
}

impl Zone {
    /// The zone for `data`: `overridden` if given, else JST when most of the person's positions
    /// (the track, else the sightings') are in Japan, else `machine`.
    pub fn choose(data: &ReportData, overridden: Option<FixedOffset>, machine: FixedOffset) -> Zone {
        if let Some(offset) = overridden {
            return Zone {
                offset,
                source: ZoneSource::Override,
            };
        }
        match positions_offset(data) {
            Some(offset) => Zone {
                offset,
                source: ZoneSource::Positions,
            },
            None => Zone {
                offset: machine,
                source: ZoneSource::Machine,
            },
        }
    }

    /// This computer's UTC offset now.
    pub fn machine_offset() -> FixedOffset {
        chrono::Local::now().offset().fix()
    }

    /// A warning when the positions say one zone and this computer another (in `lang`).
    pub fn disagreement(data: &ReportData, machine: FixedOffset, lang: Lang) -> Option<String> {
        let positions = positions_offset(data)?;
        (positions != machine).then(|| {
            lang.fill(
                "zone_disagrees",
                &[
                    ("machine", &utc_name(machine)),
                    ("positions", &utc_name(positions)),
                ],
            )
        })
    }

    fn is_jst(&self) -> bool {
        self.offset.local_minus_utc() == JST_S && self.source != ZoneSource::Machine
    }

    /// 「日本標準時（JST, UTC+9）」, or "UTC+05:30" for any other zone.
    pub fn label(&self, lang: Lang) -> String {
        if self.is_jst() {
            lang.t("zone_jst").to_string()
        } else {
            utc_name(self.offset)
        }
    }

    /// The short name printed after each time: "JST", "UTC+05:30".
    pub fn abbreviation(&self) -> String {
        if self.is_jst() {
            "JST".to_string()
        } else {
            utc_name(self.offset)
        }
    }
}

/// "UTC+9", "UTC-03:30", "UTC".
fn utc_name(offset: FixedOffset) -> String {
    let s = offset.local_minus_utc();
    let (sign, a) = (if s < 0 { '-' } else { '+' }, s.abs());
    match (a / 3600, a % 3600 / 60) {
        (0, 0) => "UTC".to_string(),
        (h, 0) => format!("UTC{sign}{h}"),
        (h, m) => format!("UTC{sign}{h:02}:{m:02}"),
    }
}

/// JST when more than half of the positions (the track's, else the sightings') are in Japan.
fn positions_offset(data: &ReportData) -> Option<FixedOffset> {
    let points: Vec<(f64, f64)> = if data.track.is_empty() {
        data.sightings
            .iter()
            .filter_map(|s| s.position.map(|p| (p.lat, p.lon)))
            .collect()
    } else {
        data.track.iter().map(|p| (p.lat, p.lon)).collect()
    };
    let in_japan = points.iter().filter(|(lat, lon)| in_japan(*lat, *lon)).count();
    (in_japan * 2 > points.len()).then(|| FixedOffset::east_opt(JST_S).expect("+9 h is a valid offset"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japan_but_not_korea() {
        assert!(in_japan(35.68, 139.76)); // Tokyo
        assert!(in_japan(26.21, 127.68)); // Naha
        assert!(in_japan(43.06, 141.35)); // Sapporo
        assert!(in_japan(33.59, 130.40)); // Fukuoka
        assert!(!in_japan(37.57, 126.98)); // Seoul
        assert!(!in_japan(35.18, 129.08)); // Busan
        assert!(!in_japan(33.50, 126.53)); // Jeju
        assert!(!in_japan(51.5, -0.1));
    }

    #[test]
    fn utc_names() {
        assert_eq!(utc_name(FixedOffset::east_opt(9 * 3600).unwrap()), "UTC+9");
        assert_eq!(utc_name(FixedOffset::east_opt(19800).unwrap()), "UTC+05:30");
        assert_eq!(utc_name(FixedOffset::west_opt(12600).unwrap()), "UTC-03:30");
        assert_eq!(utc_name(FixedOffset::east_opt(0).unwrap()), "UTC");
    }
}
