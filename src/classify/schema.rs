//! The TOML form of a signature file (see `signatures/README.md`) and its translation
//! into the matcher's tables. Everything that can be wrong with a file is found here,
//! at load time, so `classify` never meets a bad table.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::OwnerState;
use super::matcher::{ByteMap, Counter, Field, Key, Pattern, Slice, Source};

/// A signature file that could not be loaded: which file, and what is wrong with it.
/// In English only, on purpose: it is read by whoever writes signature files (developers
/// and contributors, in the schema's own English terms), not by the person being tracked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signature file {file}: {problem}")]
pub struct SignatureError {
    pub file: String,
    pub problem: String,
}

/// One signature file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDef {
    pub family: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub pattern: Vec<PatternDef>,
    #[serde(default)]
    pub vector: Vec<VectorDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PatternDef {
    ad: AdKind,
    id: u16,
    #[serde(default)]
    prefix: String,
    prefix_mask: Option<String>,
    min_len: Option<usize>,
    max_len: Option<usize>,
    model: Option<FieldDef>,
    owner_state: Option<FieldDef>,
    mode: Option<FieldDef>,
    battery: Option<FieldDef>,
    network: Option<FieldDef>,
    identity: Option<SliceDef>,
    counter: Option<CounterDef>,
    status: Option<Vec<usize>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum AdKind {
    Manufacturer,
    ServiceData,
    ServiceUuid,
}

/// A text field: a constant, or a value looked up from masked bits of one byte.
#[derive(Deserialize)]
#[serde(untagged)]
enum FieldDef {
    Const(String),
    Byte(ByteFieldDef),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ByteFieldDef {
    byte: usize,
    #[serde(default = "full_mask")]
    mask: u8,
    values: BTreeMap<String, String>,
    default: Option<String>,
}

fn full_mask() -> u8 {
    0xFF
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SliceDef {
    start: usize,
    len: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CounterDef {
    start: usize,
    len: usize,
    #[serde(default)]
    endian: Endian,
    mask: Option<u32>,
    #[serde(default)]
    shift: u8,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
enum Endian {
    #[default]
    Big,
    Little,
}

/// A test vector: advertising data and what the classifier must say about it.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct VectorDef {
    pub name: String,
    /// The complete advertising data (all AD structures), hex.
    pub hex: String,
    /// `real` (recorded from a device) or `synthetic` (built from a specification).
    pub kind: VectorKind,
    /// Where the bytes come from.
    pub source: String,
    #[serde(default = "yes")]
    pub tracker: bool,
    /// Defaults to the family of the file.
    pub family: Option<String>,
    pub model: Option<String>,
    pub owner_state: Option<OwnerState>,
    pub mode: Option<String>,
    pub battery: Option<String>,
    /// Hex.
    pub identity: Option<String>,
    pub counter: Option<u32>,
    pub status: Option<u32>,
    pub network: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum VectorKind {
    Real,
    Synthetic,
}

/// Parses one file. `Err` carries the problem; the caller adds the file name.
pub(super) fn parse(text: &str) -> Result<FileDef, String> {
    let def: FileDef = toml::from_str(text).map_err(|e| e.to_string())?;
    match (&def.family, def.pattern.is_empty()) {
        (Some(family), _) => {
            if def.name.is_none() || def.description.is_none() {
                return Err(format!("family {family} needs a name and a description"));
            }
            if def.pattern.is_empty() {
                return Err(format!("family {family} has no [[pattern]]"));
            }
        }
        (None, false) => return Err("patterns need a family key".into()),
        (None, true) => {
            if let Some(v) = def.vector.iter().find(|v| v.tracker) {
                return Err(format!(
                    "vector {:?}: a file without a family holds only tracker = false vectors",
                    v.name
                ));
            }
        }
    }
    Ok(def)
}

/// Turns a pattern as written into the matcher's form, checking every offset and value.
pub(super) fn compile(family: usize, index: usize, p: &PatternDef) -> Result<Pattern, String> {
    let at = |problem: String| format!("pattern {}: {problem}", index + 1);
    let (ad_type, uses_value) = match p.ad {
        AdKind::Manufacturer => (Source::Manufacturer, true),
        AdKind::ServiceData => (Source::ServiceData, true),
        AdKind::ServiceUuid => (Source::UuidList, false),
    };
    let prefix = parse_prefix(&p.prefix, p.prefix_mask.as_deref()).map_err(at)?;
    if !uses_value {
        let extracts_bytes = [&p.model, &p.owner_state, &p.mode, &p.battery, &p.network]
            .iter()
            .any(|f| matches!(f, Some(FieldDef::Byte(_))));
        if !prefix.0.is_empty()
            || p.min_len.is_some()
            || p.max_len.is_some()
            || extracts_bytes
            || p.identity.is_some()
            || p.counter.is_some()
            || p.status.is_some()
        {
            return Err(at(
                "a service_uuid pattern has no value: only constants are allowed".into(),
            ));
        }
    }
    let min_len = p.min_len.unwrap_or(0).max(prefix.0.len());
    let max_len = p.max_len.unwrap_or(usize::MAX);
    if max_len < min_len {
        return Err(at(format!(
            "max_len {max_len} is below the minimum length {min_len}"
        )));
    }
    let owner_state = match &p.owner_state {
        None => Field::Const(OwnerState::Unknown),
        Some(f) => compile_field(f, parse_owner_state).map_err(|e| at(format!("owner_state: {e}")))?,
    };
    let text = |name: &str, f: &Option<FieldDef>| -> Result<Option<Field<Box<str>>>, String> {
        f.as_ref()
            .map(|f| compile_field(f, |s| Ok(s.into())))
            .transpose()
            .map_err(|e| at(format!("{name}: {e}")))
    };
    let identity = p.identity.as_ref().map(|s| Slice {
        start: s.start,
        len: s.len,
    });
    if let Some(Slice { len: Some(0), .. }) = identity {
        return Err(at("identity: len must be at least 1".into()));
    }
    let counter = p.counter.as_ref().map(compile_counter).transpose().map_err(at)?;
    if let Some(bytes) = &p.status
        && !(1..=4).contains(&bytes.len())
    {
        return Err(at(format!("status: {} bytes is not 1 to 4", bytes.len())));
    }
    Ok(Pattern {
        key: Key::new(ad_type, p.id),
        family,
        prefix: prefix.0,
        prefix_mask: prefix.1,
        min_len,
        max_len,
        model: text("model", &p.model)?,
        owner_state,
        mode: text("mode", &p.mode)?,
        battery: text("battery", &p.battery)?,
        network: text("network", &p.network)?,
        identity,
        counter,
        status: p.status.as_deref().map(Into::into),
    })
}

/// Prefix bytes and the mask for each.
type MaskedBytes = (Box<[u8]>, Box<[u8]>);

/// "12 19 ??" with an optional mask "ff ff 00" -> (value, mask); `??` means mask 0.
fn parse_prefix(prefix: &str, mask: Option<&str>) -> Result<MaskedBytes, String> {
    let mut value = Vec::new();
    let mut bits = Vec::new();
    for tok in hex_tokens(prefix) {
        if tok == "??" {
            value.push(0);
            bits.push(0);
        } else {
            value.push(hex_byte(&tok).map_err(|e| format!("prefix: {e}"))?);
            bits.push(0xFF);
        }
    }
    if let Some(mask) = mask {
        let mask = hex::decode(strip_spaces(mask)).map_err(|e| format!("prefix_mask: {e}"))?;
        if mask.len() != value.len() {
            return Err(format!(
                "prefix_mask has {} bytes but prefix has {}",
                mask.len(),
                value.len()
            ));
        }
        bits.iter_mut().zip(&mask).for_each(|(b, m)| *b &= m);
    }
    for (v, m) in value.iter_mut().zip(&bits) {
        if *v & !*m != 0 {
            return Err(format!("prefix byte {v:02x} has bits outside its mask {m:02x}"));
        }
        *v &= m;
    }
    Ok((value.into(), bits.into()))
}

/// Splits hex into two-character tokens, ignoring spaces.
fn hex_tokens(s: &str) -> Vec<String> {
    let s = strip_spaces(s);
    s.as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect()
}

fn strip_spaces(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn hex_byte(tok: &str) -> Result<u8, String> {
    if tok.len() != 2 {
        return Err(format!("odd number of hex digits near {tok:?}"));
    }
    u8::from_str_radix(tok, 16).map_err(|_| format!("{tok:?} is not a hex byte"))
}

/// Value-map keys are written as strings because TOML keys are strings: "0x10" or "16".
fn parse_key(k: &str) -> Result<u8, String> {
    let parsed = match k.strip_prefix("0x").or_else(|| k.strip_prefix("0X")) {
        Some(h) => u8::from_str_radix(h, 16),
        None => k.parse(),
    };
    parsed.map_err(|_| format!("value key {k:?} is not a byte (write \"0x10\" or \"16\")"))
}

fn compile_field<T>(f: &FieldDef, conv: impl Fn(&str) -> Result<T, String>) -> Result<Field<T>, String> {
    match f {
        FieldDef::Const(s) => Ok(Field::Const(conv(s)?)),
        FieldDef::Byte(b) => {
            let mut values = Vec::with_capacity(b.values.len());
            for (k, v) in &b.values {
                let key = parse_key(k)?;
                if key & !b.mask != 0 {
                    return Err(format!("value key {k} has bits outside mask 0x{:02x}", b.mask));
                }
                values.push((key, conv(v)?));
            }
            let default = b.default.as_deref().map(&conv).transpose()?;
            Ok(Field::Byte(ByteMap {
                byte: b.byte,
                mask: b.mask,
                values: values.into(),
                default,
            }))
        }
    }
}

fn parse_owner_state(s: &str) -> Result<OwnerState, String> {
    match s {
        "separated" => Ok(OwnerState::Separated),
        "near_owner" => Ok(OwnerState::NearOwner),
        "unknown" => Ok(OwnerState::Unknown),
        _ => Err(format!("{s:?} is not separated, near_owner or unknown")),
    }
}

fn compile_counter(c: &CounterDef) -> Result<Counter, String> {
    if !(1..=4).contains(&c.len) {
        return Err(format!("counter: len {} is not 1 to 4 bytes", c.len));
    }
    if c.shift >= 32 {
        return Err(format!("counter: shift {} is not below 32", c.shift));
    }
    Ok(Counter {
        start: c.start,
        len: c.len,
        little_endian: c.endian == Endian::Little,
        mask: c.mask.unwrap_or(u32::MAX),
        shift: c.shift,
    })
}

impl fmt::Display for VectorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VectorKind::Real => "real",
            VectorKind::Synthetic => "synthetic",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_with_wildcard_and_mask() {
        let (v, m) = parse_prefix("12 ?? 10", Some("ff 00 f8")).unwrap();
        assert_eq!((&*v, &*m), (&[0x12, 0, 0x10][..], &[0xff, 0, 0xf8][..]));
    }

    #[test]
    fn prefix_bits_outside_mask_are_an_error() {
        assert!(parse_prefix("13", Some("f0")).is_err());
    }

    #[test]
    fn value_keys_hex_or_decimal() {
        assert_eq!(parse_key("0x30"), Ok(0x30));
        assert_eq!(parse_key("48"), Ok(48));
        assert!(parse_key("0x130").is_err());
    }
}
