//! Lengths of time and distances, written the same way in every output.

use super::Lang;

impl Lang {
    /// A length of time in words: "2 h 40 min", "1 h", "12 min", "3 min 5 s", "40 s"
    /// (「2時間40分」). Seconds only where they matter: under ten minutes.
    pub fn duration(self, us: i64) -> String {
        let total = us.max(0) / 1_000_000;
        let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60);
        match (h, m, s) {
            (0, 0, s) => self.fill("duration_s", &[("s", &s)]),
            (0, m, s) if m < 10 && s > 0 => self.fill("duration_min_s", &[("m", &m), ("s", &s)]),
            (0, m, _) => self.fill("duration_min", &[("m", &m)]),
            (h, 0, _) => self.fill("duration_h", &[("h", &h)]),
            (h, m, _) => self.fill("duration_h_min", &[("h", &h), ("m", &m)]),
        }
    }
}

/// Digits grouped by three with commas ("5,324", "-1,200", "12,000.5"), in Japanese as in
/// English: `text` is a number as Rust writes it.
pub fn group_digits(text: &str) -> String {
    let (sign, digits) = text.split_at(usize::from(text.starts_with('-')));
    let (int, frac) = digits.split_at(digits.find('.').unwrap_or(digits.len()));
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}

/// "850 m", "6.3 km": metres below a kilometre, then kilometres to a tenth, in every language.
pub fn distance(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}
