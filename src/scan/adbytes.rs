//! Rebuilds advertising data (AD structures) from what BlueZ reports about a device.
//!
//! BlueZ's D-Bus API, and so btleplug, never hands out the raw advertising bytes: only the
//! parsed properties (manufacturer data per company, service data per UUID, the service
//! UUIDs, the name, the TX power). The classifier reads AD structures, so we write them
//! back in the standard layout. What this cannot give back:
//! - the Flags structure and any AD type BlueZ does not parse (it is not on D-Bus);
//! - which bytes came in the advertisement and which in the scan response (BlueZ merges
//!   them), and their order (we write a fixed order, keys ascending);
//! - the PDU type (the advertisements are `PduKind::Unknown`).

use btleplug::api::PeripheralProperties;
use btleplug::api::bleuuid::BleUuid;
use uuid::Uuid;

use crate::decode::ad_type;

const COMPLETE_UUID128: u8 = 0x07;
const TX_POWER: u8 = 0x0A;
const SERVICE_DATA_UUID128: u8 = 0x21;

/// The AD structures equivalent to `p`: UUID lists, service data, manufacturer data,
/// the name and TX power. Structures too long for one AD length byte are left out.
pub fn ad_bytes(p: &PeripheralProperties) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    let (short, long): (Vec<&Uuid>, Vec<&Uuid>) = p.services.iter().partition(|u| u.to_ble_u16().is_some());
    let short: Vec<u8> = short
        .iter()
        .filter_map(|u| u.to_ble_u16())
        .flat_map(u16::to_le_bytes)
        .collect();
    push(&mut out, ad_type::COMPLETE_UUID16, &[&short]);
    let long: Vec<u8> = long.iter().flat_map(|u| uuid128_le(u)).collect();
    push(&mut out, COMPLETE_UUID128, &[&long]);

    let mut service_data: Vec<_> = p.service_data.iter().collect();
    service_data.sort();
    for (uuid, data) in service_data {
        match uuid.to_ble_u16() {
            Some(short) => push(
                &mut out,
                ad_type::SERVICE_DATA_UUID16,
                &[&short.to_le_bytes(), data],
            ),
            None => push(&mut out, SERVICE_DATA_UUID128, &[&uuid128_le(uuid), data]),
        }
    }
    let mut manufacturer: Vec<_> = p.manufacturer_data.iter().collect();
    manufacturer.sort();
    for (company, data) in manufacturer {
        push(
            &mut out,
            ad_type::MANUFACTURER_DATA,
            &[&company.to_le_bytes(), data],
        );
    }
    // `local_name` is BlueZ's Alias, which is the address when the device sent no name.
    if let Some(name) = &p.advertisement_name {
        push(&mut out, ad_type::COMPLETE_NAME, &[name.as_bytes()]);
    }
    if let Some(tx) = p.tx_power_level.and_then(|t| i8::try_from(t).ok()) {
        push(&mut out, TX_POWER, &[&tx.to_le_bytes()]);
    }
    out
}

/// On air a 128-bit UUID is little-endian; `Uuid` keeps it big-endian.
fn uuid128_le(u: &Uuid) -> [u8; 16] {
    u.as_u128().to_le_bytes()
}

/// Appends one AD structure made of `parts`, unless it is empty or too long.
fn push(out: &mut Vec<u8>, ad_type: u8, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    if len == 0 && ad_type != ad_type::MANUFACTURER_DATA {
        return;
    }
    let Ok(len_byte) = u8::try_from(len + 1) else {
        return;
    };
    out.push(len_byte);
    out.push(ad_type);
    for p in parts {
        out.extend_from_slice(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use btleplug::api::bleuuid::uuid_from_u16;

    /// An AirTag separated from its owner: Apple's company id, then the Find My layout.
    const AIRTAG: [u8; 27] = [
        0x12, 0x19, 0x10, 0x8c, 0x3d, 0x2e, 0x5a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
        0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x01, 0x00,
    ];

    #[test]
    fn airtag_manufacturer_data_classifies_as_airtag() {
        let mut p = PeripheralProperties::default();
        p.manufacturer_data.insert(0x004c, AIRTAG.to_vec());
        let data = ad_bytes(&p);
        assert_eq!(&data[..4], &[0x1e, 0xff, 0x4c, 0x00]);
        let c = Classifier::builtin().classify(&data).expect("a tracker");
        assert_eq!((c.family, c.model), ("apple_find_my", Some("AirTag")));
    }

    #[test]
    fn writes_uuids_service_data_name_and_tx_power() {
        let custom = Uuid::from_u128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10);
        let mut p = PeripheralProperties {
            services: vec![uuid_from_u16(0xfeed), custom, uuid_from_u16(0x180f)],
            advertisement_name: Some("Tile".into()),
            local_name: Some("AA-BB-CC-DD-EE-FF".into()),
            tx_power_level: Some(-4),
            ..Default::default()
        };
        p.service_data.insert(uuid_from_u16(0xfeed), vec![0x02, 0x00]);
        p.service_data.insert(custom, vec![0x7f]);
        let data = ad_bytes(&p);
        let mut want = vec![5, 0x03, 0xed, 0xfe, 0x0f, 0x18, 17, 0x07];
        want.extend((1..=16u8).rev());
        want.extend([5, 0x16, 0xed, 0xfe, 0x02, 0x00, 18, 0x21]);
        want.extend((1..=16u8).rev());
        want.extend([0x7f, 5, 0x09, b'T', b'i', b'l', b'e', 2, 0x0a, 0xfc]);
        assert_eq!(data, want);
    }

    #[test]
    fn empty_manufacturer_data_keeps_its_company_and_overlong_is_left_out() {
        let mut p = PeripheralProperties::default();
        p.manufacturer_data.insert(0x0075, vec![]);
        p.manufacturer_data.insert(0x0006, vec![0; 300]);
        assert_eq!(ad_bytes(&p), [3, 0xff, 0x75, 0x00]);
        assert_eq!(ad_bytes(&PeripheralProperties::default()), Vec::<u8>::new());
    }
}
