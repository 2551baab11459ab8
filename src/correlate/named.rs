//! Places the user names (`--place home=35.68,139.76`), so reports say "home" and "work"
//! instead of coordinates.

use crate::files;
use crate::i18n::Message;
use crate::location::{Fix, distance_m};

use super::{AllowError, Places};

/// A named place matches a tracker's place whose centre is this close, unless given.
pub const DEFAULT_RADIUS_M: f64 = 150.0;

#[derive(Clone, Debug, PartialEq)]
pub struct NamedPlace {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
}

impl NamedPlace {
    /// Parses `NAME=LAT,LON[,RADIUS_M]` (for `--place`: clap's errors are in English).
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::parse_line(text).map_err(|problem| problem.to_string())
    }

    /// Parses `NAME=LAT,LON[,RADIUS_M]`, saying what is wrong in each language.
    fn parse_line(text: &str) -> Result<Self, Message> {
        let bad = || Message::new("place-bad-line").with("text", format!("{text:?}"));
        let (name, coords) = text.split_once('=').ok_or_else(bad)?;
        let numbers: Vec<f64> = coords
            .split(',')
            .map(|n| n.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        let (lat, lon, radius_m) = match numbers[..] {
            [lat, lon] => (lat, lon, DEFAULT_RADIUS_M),
            [lat, lon, r] => (lat, lon, r),
            _ => return Err(bad()),
        };
        let name = name.trim();
        if name.chars().any(crate::present::is_steering) {
            let name = format!("{:?}", crate::present::neutralise(name));
            return Err(Message::new("place-steering").with("name", name));
        }
        if name.is_empty()
            || !(-90.0..=90.0).contains(&lat)
            || !(-180.0..=180.0).contains(&lon)
            || radius_m.is_nan()
            || radius_m <= 0.0
        {
            return Err(bad());
        }
        Ok(NamedPlace {
            name: name.to_string(),
            lat,
            lon,
            radius_m,
        })
    }

    /// Reads a places file: one `NAME=LAT,LON[,RADIUS_M]` per line, `#` comments.
    pub fn parse_file(text: &str) -> Result<Vec<Self>, (usize, Message)> {
        text.lines()
            .enumerate()
            .map(|(n, l)| (n, l.split('#').next().unwrap_or("").trim()))
            .filter(|(_, l)| !l.is_empty())
            .map(|(n, l)| Self::parse_line(l).map_err(|e| (n + 1, e)))
            .collect()
    }

    /// Reads a places file (a regular file of at most [`files::LIST`]), naming it and the
    /// line in any error.
    pub fn read_file(path: &std::path::Path) -> Result<Vec<Self>, AllowError> {
        let bytes = files::read_regular(path, files::LIST)?;
        Self::parse_file(&String::from_utf8_lossy(&bytes)).map_err(|(line, problem)| AllowError::Line {
            path: path.display().to_string(),
            line,
            problem,
        })
    }

    fn contains(&self, at: &Fix) -> bool {
        let me = Fix {
            time_us: 0,
            lat: self.lat,
            lon: self.lon,
            accuracy_m: None,
        };
        distance_m(&me, at) <= self.radius_m
    }
}

/// The names of the named places among a tracker's places, in the order first visited.
pub fn names(places: &Places, named: &[NamedPlace]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for centre in places.centres() {
        for n in named.iter().filter(|n| n.contains(centre)) {
            if !out.contains(&n.name) {
                out.push(n.name.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_with_and_without_radius() {
        let home = NamedPlace::parse("home=35.6812,139.7671").unwrap();
        assert_eq!(home.radius_m, DEFAULT_RADIUS_M);
        assert_eq!(
            NamedPlace::parse("work = 35.0, 139.0, 300").unwrap().radius_m,
            300.0
        );
        for bad in [
            "home",
            "=1,2",
            "home=1",
            "home=95,0",
            "home=1,2,0",
            "home=a,b",
            "\u{202e}emoh=35,139",
            "home\u{1b}[2J=35,139",
        ] {
            assert!(NamedPlace::parse(bad).is_err(), "{bad}");
        }
        let file = NamedPlace::parse_file("# mine\nhome=35,139\n\nwork=35.1,139.1,200 # office\n").unwrap();
        assert_eq!(file.len(), 2);
        assert_eq!(NamedPlace::parse_file("home=35,139\nbad\n").unwrap_err().0, 2);
    }

    #[test]
    fn names_the_places_a_tracker_visited() {
        let fix = |lat| Fix {
            time_us: 0,
            lat,
            lon: 139.0,
            accuracy_m: None,
        };
        let mut places = Places::default();
        // Two minutes at each, a sighting every 10 s.
        for (n, lat) in [35.0, 35.01, 35.02].into_iter().enumerate() {
            for s in 0..12 {
                places.add((n as i64 * 12 + s) * 10_000_000, Some(&fix(lat)));
            }
        }
        let named = [
            NamedPlace::parse("work=35.0201,139.0").unwrap(),
            NamedPlace::parse("home=35.0,139.0").unwrap(),
            NamedPlace::parse("gym=36.0,139.0").unwrap(),
        ];
        assert_eq!(names(&places, &named), ["home", "work"]);
    }
}
