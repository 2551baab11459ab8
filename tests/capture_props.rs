//! Whatever the bytes, the readers return Ok or Err, never panic, and always terminate.

use std::io::Cursor;
use std::path::Path;

use proptest::prelude::*;
use tagwatch::capture::{self, BtsnoopWriter, JsonlWriter, PcapLlWriter};
use tagwatch::model::{AddrType, Advertisement, BdAddr, PduKind};

/// Reads a whole capture. Every record consumes bytes, so the record count is bounded
/// by the input length; the bound turns a reader that loops into a test failure.
fn drain(bytes: &[u8]) {
    let Ok(mut cap) = capture::from_reader(Box::new(Cursor::new(bytes.to_vec())), Path::new("p")) else {
        return;
    };
    let mut advs = 0u64;
    for _ in 0..=bytes.len() + 1 {
        match cap.source.next_record(&mut |a| {
            advs += 1;
            assert!(a.data.len() <= 4096);
        }) {
            Ok(true) => {}
            Ok(false) | Err(_) => {
                assert_eq!(cap.source.stats().advertisements, advs);
                assert!(cap.source.position() <= bytes.len() as u64);
                return;
            }
        }
    }
    panic!("reader did not terminate");
}

fn valid_captures() -> Vec<Vec<u8>> {
    let data = hex::decode("1eff4c00121910aabbccddeeff00112233445566778899aabbccddeeff0001").unwrap();
    let advs: Vec<Advertisement<'_>> = (0..4u8)
        .map(|i| Advertisement {
            time_us: 1_790_000_000_000_000 + i as i64,
            address: BdAddr([0xC0, 1, 2, 3, 4, i]),
            addr_type: AddrType::Random,
            rssi: Some(-60),
            pdu: if i == 3 {
                PduKind::Extended
            } else {
                PduKind::AdvNonconnInd
            },
            data: &data[..data.len() - i as usize],
        })
        .collect();
    let mut b = BtsnoopWriter::new(Vec::new()).unwrap();
    let mut p = PcapLlWriter::new(Vec::new()).unwrap();
    let mut j = JsonlWriter::new(Vec::new()).unwrap();
    for a in &advs {
        b.write_extended_report(a).unwrap();
        p.write(a).unwrap();
        j.write(a).unwrap();
        if a.pdu != PduKind::Extended {
            b.write_legacy_report(a).unwrap();
        }
    }
    vec![
        b.into_inner().unwrap(),
        p.into_inner().unwrap(),
        j.into_inner().unwrap(),
    ]
}

/// File headers that make arbitrary tails reach each reader's record parser.
fn headers() -> Vec<Vec<u8>> {
    let mut h = Vec::new();
    for datalink in [1001u32, 1002, 2001] {
        let mut b = b"btsnoop\0\0\0\0\x01".to_vec();
        b.extend_from_slice(&datalink.to_be_bytes());
        h.push(b);
    }
    for link in [187u32, 201, 251, 256, 272] {
        let mut p = vec![
            0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0,
        ];
        p.extend_from_slice(&link.to_le_bytes());
        h.push(p);
    }
    h.push(vec![0x0A, 0x0D, 0x0D, 0x0A]);
    h.push(b"{\"format\":\"tagwatch-jsonl\",\"version\":1}\n".to_vec());
    h
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        drain(&bytes);
    }

    #[test]
    fn arbitrary_records_after_a_valid_header(which in 0usize..10, tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = headers()[which % headers().len()].clone();
        bytes.extend_from_slice(&tail);
        drain(&bytes);
    }

    #[test]
    fn valid_captures_cut_and_mutated(
        which in 0usize..3,
        cut in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let mut bytes = valid_captures().swap_remove(which);
        for (at, value) in mutations {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep);
        drain(&bytes);
    }
}
