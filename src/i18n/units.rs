//! Lengths of time and distances, written the same way in every output.

use super::Lang;

impl Lang {
    /// "1 h 42 min", "35 min", "40 s" (「1時間42分」).
    pub fn duration(self, us: i64) -> String {
        let s = us.max(0) / 1_000_000;
        let (h, m) = (s / 3600, s % 3600 / 60);
        match (h, m) {
            (0, 0) => self.fill("duration_s", &[("s", &s)]),
            (0, _) => self.fill("duration_min", &[("m", &m)]),
            _ => self.fill("duration_h_min", &[("h", &h), ("m", &m)]),
        }
    }
}

/// "850 m", "6.3 km": metres below a kilometre, then kilometres to a tenth, in every language.
pub fn distance(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}
