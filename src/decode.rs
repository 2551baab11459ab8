//! Advertisement decoding: the AD structures (Core Spec Vol 3, Part C, §11) inside the
//! advertising data of one advertisement.

/// AD types tagwatch looks at (Bluetooth Assigned Numbers, §2.3).
pub mod ad_type {
    pub const INCOMPLETE_UUID16: u8 = 0x02;
    pub const COMPLETE_UUID16: u8 = 0x03;
    pub const SHORT_NAME: u8 = 0x08;
    pub const COMPLETE_NAME: u8 = 0x09;
    pub const SERVICE_DATA_UUID16: u8 = 0x16;
    pub const MANUFACTURER_DATA: u8 = 0xFF;
}

/// One AD structure: its type and value (the bytes after the type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdStructure<'a> {
    pub ad_type: u8,
    pub value: &'a [u8],
}

/// Walks the AD structures of `data`. A zero length ends the data (the rest is padding,
/// as in legacy 31-byte payloads); a length running past the end is malformed and ends
/// the walk with [`AdIter::malformed`] set.
pub fn ad_structures(data: &[u8]) -> AdIter<'_> {
    AdIter {
        rest: data,
        malformed: false,
    }
}

pub struct AdIter<'a> {
    rest: &'a [u8],
    malformed: bool,
}

impl AdIter<'_> {
    /// True once the walk hit a length that runs past the end of the data.
    pub fn malformed(&self) -> bool {
        self.malformed
    }
}

impl<'a> Iterator for AdIter<'a> {
    type Item = AdStructure<'a>;

    fn next(&mut self) -> Option<AdStructure<'a>> {
        let (&len, rest) = self.rest.split_first()?;
        let len = len as usize;
        if len == 0 {
            self.rest = &[];
            return None;
        }
        if len > rest.len() {
            self.malformed = true;
            self.rest = &[];
            return None;
        }
        let (body, after) = rest.split_at(len);
        self.rest = after;
        Some(AdStructure {
            ad_type: body[0],
            value: &body[1..],
        })
    }
}

/// The advertised device name, if any (complete preferred over shortened).
pub fn local_name(data: &[u8]) -> Option<&[u8]> {
    let mut short = None;
    for ad in ad_structures(data) {
        match ad.ad_type {
            ad_type::COMPLETE_NAME => return Some(ad.value),
            ad_type::SHORT_NAME => short = Some(ad.value),
            _ => {}
        }
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_structures_and_stops_at_padding() {
        let data = [0x02, 0x01, 0x06, 0x03, 0x03, 0xaa, 0xfe, 0x00, 0x00];
        let ads: Vec<_> = ad_structures(&data).collect();
        assert_eq!(ads.len(), 2);
        assert_eq!(
            ads[1],
            AdStructure {
                ad_type: 0x03,
                value: &[0xaa, 0xfe]
            }
        );
    }

    #[test]
    fn overlong_length_is_malformed_not_a_panic() {
        let data = [0x02, 0x01, 0x06, 0x09, 0xff, 0x4c];
        let mut it = ad_structures(&data);
        assert_eq!(it.next().map(|a| a.ad_type), Some(0x01));
        assert_eq!(it.next(), None);
        assert!(it.malformed());
    }

    #[test]
    fn prefers_complete_name() {
        let data = [0x03, 0x08, b'a', b'b', 0x04, 0x09, b'a', b'b', b'c'];
        assert_eq!(local_name(&data), Some(&b"abc"[..]));
    }
}
