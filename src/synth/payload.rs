//! Advertising data for synthetic devices, laid out as each family's real advertisements
//! are (see the matching `signatures/*.toml` for the sources of each layout).

use crate::model::BdAddr;

/// One AD structure: length, type, value.
fn ad(ad_type: u8, value: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(value.len() + 2);
    v.push(value.len() as u8 + 1);
    v.push(ad_type);
    v.extend_from_slice(value);
    v
}

fn flags() -> Vec<u8> {
    ad(0x01, &[0x06])
}

fn uuid16_list(uuid: u16) -> Vec<u8> {
    ad(0x03, &uuid.to_le_bytes())
}

fn service_data(uuid: u16, value: &[u8]) -> Vec<u8> {
    let mut v = uuid.to_le_bytes().to_vec();
    v.extend_from_slice(value);
    ad(0x16, &v)
}

fn manufacturer(company: u16, value: &[u8]) -> Vec<u8> {
    let mut v = company.to_le_bytes().to_vec();
    v.extend_from_slice(value);
    ad(0xFF, &v)
}

/// Apple Find My offline-finding frame, separated from its owner: status byte then the
/// 22 key bytes that do not fit in the address, the top bits of key byte 0 and a hint.
pub fn apple_find_my_separated(status: u8, key: &[u8; 28]) -> Vec<u8> {
    let mut v = vec![0x12, 0x19, status];
    v.extend_from_slice(&key[6..28]);
    v.push(key[0] >> 6);
    v.push(0x00);
    manufacturer(0x004C, &v)
}

/// Apple Find My near-owner frame: status byte and the top key bits only.
pub fn apple_find_my_near_owner(status: u8, key0: u8) -> Vec<u8> {
    manufacturer(0x004C, &[0x12, 0x02, status, key0 >> 6])
}

/// Apple Nearby Info (Continuity 0x10), what every iPhone nearby sends: not a tracker.
pub fn apple_nearby_info(seed: u8) -> Vec<u8> {
    [
        flags(),
        manufacturer(0x004C, &[0x10, 0x05, 0x01, 0x18, seed, 0x2a, 0x1c]),
    ]
    .concat()
}

/// Samsung SmartTag 0xFD5A: state byte, 24-bit aging counter (little endian), 8-byte
/// privacy id, then region, battery and a 4-byte signature.
pub fn smarttag(state: u8, counter: u32, privacy_id: &[u8; 8]) -> Vec<u8> {
    let mut v = vec![state];
    v.extend_from_slice(&counter.to_le_bytes()[..3]);
    v.extend_from_slice(privacy_id);
    v.extend_from_slice(&[0xc3, 0x00, 0x00, 0x00, 0x5e, 0x11, 0xa2, 0x07]);
    service_data(0xFD5A, &v)
}

/// Tile: the 0xFEED service UUID and service data carrying the Tile id.
pub fn tile(tile_id: &[u8; 8]) -> Vec<u8> {
    let mut v = vec![0x02, 0x00];
    v.extend_from_slice(tile_id);
    [flags(), uuid16_list(0xFEED), service_data(0xFEED, &v)].concat()
}

/// Chipolo: service data under 0xFE33, shaped like a real Chipolo ONE's (`01 0s 01 00` then
/// its address), where bit 0 of byte 1 says the owner's phone has been away for 30 minutes.
pub fn chipolo(separated: bool, address: BdAddr) -> Vec<u8> {
    let mut v = vec![0x01, u8::from(separated), 0x01, 0x00];
    v.extend_from_slice(&address.0);
    [flags(), service_data(0xFE33, &v)].concat()
}

/// Pebblebee: service data under 0xFA25.
pub fn pebblebee(id: &[u8; 6]) -> Vec<u8> {
    let mut v = vec![0x01];
    v.extend_from_slice(id);
    [flags(), service_data(0xFA25, &v)].concat()
}

/// Google Find My Device Network: Eddystone service data with frame 0x40 (normal) or
/// 0x41 (unwanted-tracking protection, i.e. separated), a 20-byte EID and hashed flags.
pub fn google_fmdn(frame: u8, eid: &[u8; 20]) -> Vec<u8> {
    let mut v = vec![frame];
    v.extend_from_slice(eid);
    v.push(0x81);
    [flags(), uuid16_list(0xFEAA), service_data(0xFEAA, &v)].concat()
}

/// DULT accessory: service data 0xFCB2 with network id, the near-owner bit and an identifier.
pub fn dult(network_id: u8, near_owner: bool, id: &[u8; 20]) -> Vec<u8> {
    let mut v = vec![network_id, u8::from(near_owner)];
    v.extend_from_slice(id);
    [flags(), service_data(0xFCB2, &v)].concat()
}

/// An iBeacon (Apple 0x02 0x15): a fixed beacon, not a tracker.
pub fn ibeacon(uuid: &[u8; 16]) -> Vec<u8> {
    let mut v = vec![0x02, 0x15];
    v.extend_from_slice(uuid);
    v.extend_from_slice(&[0x00, 0x01, 0x00, 0x02, 0xc5]);
    [flags(), manufacturer(0x004C, &v)].concat()
}

/// Eddystone-UID: a fixed beacon, not a tracker.
pub fn eddystone_uid(namespace: &[u8; 10]) -> Vec<u8> {
    let mut v = vec![0x00, 0xee];
    v.extend_from_slice(namespace);
    v.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0, 0]);
    [flags(), uuid16_list(0xFEAA), service_data(0xFEAA, &v)].concat()
}

/// A Samsung phone's manufacturer data: not a tracker.
pub fn samsung_phone(seed: u8) -> Vec<u8> {
    [
        flags(),
        manufacturer(0x0075, &[0x42, 0x04, 0x01, 0x01, seed, 0x0c, 0x22]),
    ]
    .concat()
}
