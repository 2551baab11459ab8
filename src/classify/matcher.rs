//! The compiled form of the signatures and the hot path that applies them.
//!
//! Patterns are grouped by [`Key`] (where to look: AD type and company id or UUID) so that
//! one probe of a small hash table per AD structure finds the few patterns that can apply;
//! most advertisements carry no structure with a known key and cost one walk over their bytes.

use super::{Classification, OwnerState};
use crate::decode::{ad_structures, ad_type};

/// Which kind of AD structure a pattern reads.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Source {
    Manufacturer,
    ServiceData,
    /// A 16-bit UUID in the (complete or incomplete) service UUID list. It carries no
    /// value, so such a pattern only says the family is present.
    UuidList,
}

/// Source and 16-bit id (company id or UUID) in one sortable word.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) struct Key(u32);

impl Key {
    pub(super) fn new(source: Source, id: u16) -> Key {
        Key((source as u32) << 16 | id as u32)
    }
}

/// A field read from `value[byte] & mask` through a table of known values.
#[derive(Debug)]
pub(super) struct ByteMap<T> {
    pub byte: usize,
    pub mask: u8,
    pub values: Box<[(u8, T)]>,
    pub default: Option<T>,
}

#[derive(Debug)]
pub(super) enum Field<T> {
    Const(T),
    Byte(ByteMap<T>),
}

impl<T> Field<T> {
    fn get(&self, value: &[u8]) -> Option<&T> {
        match self {
            Field::Const(c) => Some(c),
            Field::Byte(m) => {
                let b = *value.get(m.byte)? & m.mask;
                m.values
                    .iter()
                    .find(|(k, _)| *k == b)
                    .map(|(_, v)| v)
                    .or(m.default.as_ref())
            }
        }
    }
}

/// `value[start..start + len]`, or to the end when `len` is `None`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Slice {
    pub start: usize,
    pub len: Option<usize>,
}

impl Slice {
    fn get<'d>(&self, value: &'d [u8]) -> Option<&'d [u8]> {
        let rest = value.get(self.start..)?;
        let bytes = match self.len {
            Some(len) => rest.get(..len)?,
            None => rest,
        };
        (!bytes.is_empty()).then_some(bytes)
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Counter {
    pub start: usize,
    pub len: usize,
    pub little_endian: bool,
    pub mask: u32,
    pub shift: u8,
}

impl Counter {
    fn get(&self, value: &[u8]) -> Option<u32> {
        let bytes = value.get(self.start..self.start.checked_add(self.len)?)?;
        let fold = |acc: u32, b: &u8| acc << 8 | *b as u32;
        let raw = if self.little_endian {
            bytes.iter().rev().fold(0, fold)
        } else {
            bytes.iter().fold(0, fold)
        };
        Some((raw & self.mask) >> self.shift)
    }
}

#[derive(Debug)]
pub(super) struct Pattern {
    pub key: Key,
    /// Index into the classifier's families.
    pub family: usize,
    pub prefix: Box<[u8]>,
    pub prefix_mask: Box<[u8]>,
    pub min_len: usize,
    pub max_len: usize,
    pub model: Option<Field<Box<str>>>,
    pub owner_state: Field<OwnerState>,
    pub mode: Option<Field<Box<str>>>,
    pub battery: Option<Field<Box<str>>>,
    pub network: Option<Field<Box<str>>>,
    pub identity: Option<Slice>,
    pub counter: Option<Counter>,
    /// The bytes that make up the status (see [`Classification::status`]).
    pub status: Option<Box<[usize]>>,
}

impl Pattern {
    fn matches(&self, value: &[u8]) -> bool {
        (self.min_len..=self.max_len).contains(&value.len())
            && value
                .iter()
                .zip(self.prefix.iter().zip(&self.prefix_mask))
                .all(|(b, (p, m))| b & m == *p)
    }

    fn extract<'c, 'd>(&'c self, family: &'c str, value: &'d [u8]) -> Classification<'c, 'd> {
        let text = |f: &'c Option<Field<Box<str>>>| f.as_ref().and_then(|f| f.get(value)).map(|s| &**s);
        Classification {
            family,
            model: text(&self.model),
            owner_state: self
                .owner_state
                .get(value)
                .copied()
                .unwrap_or(OwnerState::Unknown),
            mode: text(&self.mode),
            battery: text(&self.battery),
            identity: self.identity.and_then(|s| s.get(value)),
            counter: self.counter.and_then(|c| c.get(value)),
            status: self.status.as_deref().and_then(|bytes| {
                bytes
                    .iter()
                    .try_fold(0u32, |acc, &i| Some(acc << 8 | u32::from(*value.get(i)?)))
            }),
            network: text(&self.network),
        }
    }
}

/// All patterns, sorted by key (file order within a key), and the distinct keys with the
/// range of patterns each one selects, in an open-addressing table: every AD structure of
/// every advertisement is looked up, and a binary search showed in the tracker-dense profile.
#[derive(Debug)]
pub(super) struct Dispatch {
    patterns: Box<[Pattern]>,
    /// A power of two long, at most a quarter full; an empty slot has an empty range.
    slots: Box<[(Key, u32, u32)]>,
}

impl Default for Dispatch {
    fn default() -> Self {
        Dispatch::new(Vec::new())
    }
}

impl Dispatch {
    pub(super) fn new(mut patterns: Vec<Pattern>) -> Dispatch {
        // Stable sort: within one key, earlier files and earlier patterns are tried first.
        patterns.sort_by_key(|p| p.key);
        let mut keys: Vec<(Key, u32, u32)> = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            match keys.last_mut() {
                Some((k, _, end)) if *k == p.key => *end = i as u32 + 1,
                _ => keys.push((p.key, i as u32, i as u32 + 1)),
            }
        }
        let mut slots = vec![(Key(u32::MAX), 0, 0); (keys.len() * 4).next_power_of_two().max(16)];
        for key in keys {
            let mut i = Self::slot(key.0, slots.len());
            while slots[i].1 != slots[i].2 {
                i = (i + 1) & (slots.len() - 1);
            }
            slots[i] = key;
        }
        Dispatch {
            patterns: patterns.into(),
            slots: slots.into(),
        }
    }

    /// Where `key`'s probe starts in a table of `len` slots (Fibonacci hashing).
    fn slot(key: Key, len: usize) -> usize {
        (key.0.wrapping_mul(0x9E37_79B9) >> 16) as usize & (len - 1)
    }

    /// `key`'s patterns, and the index of the first.
    fn candidates(&self, key: Key) -> (usize, &[Pattern]) {
        let mut i = Self::slot(key, self.slots.len());
        loop {
            let (k, start, end) = self.slots[i];
            if k == key || start == end {
                // An empty slot's range is empty: no pattern.
                return (start as usize, &self.patterns[start as usize..end as usize]);
            }
            i = (i + 1) & (self.slots.len() - 1);
        }
    }

    /// The first of `key`'s patterns that matches `value`, by index.
    fn first_match(&self, key: Key, value: &[u8]) -> Option<usize> {
        let (start, patterns) = self.candidates(key);
        patterns.iter().position(|p| p.matches(value)).map(|i| start + i)
    }

    /// Walks the AD structures once. A match in manufacturer or service data wins at
    /// once; a UUID-list match is kept only in case no structure with a value matches,
    /// because the value (when the same advertisement has one) says more.
    pub(super) fn find(&self, data: &[u8]) -> Option<Match> {
        let mut from_uuid_list = None;
        for ad in ad_structures(data) {
            let source = match ad.ad_type {
                ad_type::MANUFACTURER_DATA => Source::Manufacturer,
                ad_type::SERVICE_DATA_UUID16 => Source::ServiceData,
                ad_type::COMPLETE_UUID16 | ad_type::INCOMPLETE_UUID16 => {
                    if from_uuid_list.is_none() {
                        from_uuid_list = ad.value.chunks_exact(2).find_map(|u| {
                            let key = Key::new(Source::UuidList, u16::from_le_bytes([u[0], u[1]]));
                            let pattern = self.first_match(key, &[])?;
                            Some(Match { pattern, value: 0..0 })
                        });
                    }
                    continue;
                }
                _ => continue,
            };
            let Some((id, value)) = ad.value.split_first_chunk::<2>() else {
                continue;
            };
            let key = Key::new(source, u16::from_le_bytes(*id));
            if let Some(pattern) = self.first_match(key, value) {
                // The value is a slice of `data`: where in it.
                let start = value.as_ptr() as usize - data.as_ptr() as usize;
                return Some(Match {
                    pattern,
                    value: start..start + value.len(),
                });
            }
        }
        from_uuid_list
    }

    /// What the pattern `found` in `data` reads from it.
    pub(super) fn extract<'c, 'd>(
        &'c self,
        families: &'c [Box<str>],
        found: &Match,
        data: &'d [u8],
    ) -> Classification<'c, 'd> {
        let p = &self.patterns[found.pattern];
        p.extract(&families[p.family], &data[found.value.clone()])
    }
}

/// Which pattern matched an advertisement's data, and where in the data the value it reads
/// is: enough to read the classification from the same bytes later, in another thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Match {
    pattern: usize,
    value: std::ops::Range<usize>,
}
