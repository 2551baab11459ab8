//! JSON that is safe to show: the same data, but every steering character
//! ([`super::is_steering`]) written as a `\uXXXX` escape. serde_json already escapes control
//! characters; this adds the bidirectional marks, overrides and isolates, which JSON may carry
//! raw and which would make a terminal or an editor show a line in another order. A program
//! that parses the output reads exactly the text it would have read without this.

use std::io;

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter, Serializer};

/// serde_json's pretty layout, with steering characters escaped.
struct Safe<'a>(PrettyFormatter<'a>);

impl Formatter for Safe<'_> {
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((i, c)) = rest.char_indices().find(|&(_, c)| super::is_steering(c)) {
            w.write_all(&rest.as_bytes()[..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }

    // The layout is PrettyFormatter's.
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as pretty JSON with steering characters escaped.
pub fn to_writer<W: io::Write, T: Serialize + ?Sized>(w: W, value: &T) -> io::Result<()> {
    let mut ser = Serializer::with_formatter(w, Safe(PrettyFormatter::new()));
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// [`to_writer`] into a string.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    // Serialising our own types into memory cannot fail: they are plain data with string keys.
    to_writer(&mut out, value).expect("JSON into memory");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steering_characters_are_escaped_and_read_back_the_same() {
        let value = serde_json::json!({"path": "trip\u{202e}gol.btsnoop", "name": "自宅\u{2066}x\u{2069}", "bell": "\u{7}"});
        let text = to_string(&value);
        assert!(text.contains("trip\\u202egol.btsnoop"), "{text}");
        assert!(text.contains("自宅\\u2066x\\u2069"), "{text}");
        assert!(!text.contains('\u{202e}') && !text.contains('\u{7}'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        // The layout is serde_json's pretty one.
        let plain = serde_json::json!({"a": [1, {"b": "c"}]});
        assert_eq!(to_string(&plain), serde_json::to_string_pretty(&plain).unwrap());
    }
}
