//! Properties of `classify` on arbitrary input: it never panics, and bytes after the AD
//! structures of a test vector do not change what the vector classifies as.

use proptest::prelude::*;
use tagwatch::classify::Classifier;

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Classifier::builtin().classify(&data);
    }

    #[test]
    fn structured_noise_never_panics(
        parts in proptest::collection::vec(
            (0u8..40, prop::sample::select(vec![0x02u8, 0x03, 0x16, 0xFF]), proptest::collection::vec(any::<u8>(), 0..40)),
            0..6,
        )
    ) {
        // Known AD types with lengths that may lie, to reach deep into the patterns.
        let mut data = Vec::new();
        for (len, ty, body) in parts {
            data.push(len);
            data.push(ty);
            data.extend(body);
        }
        let _ = Classifier::builtin().classify(&data);
    }

    #[test]
    fn garbage_after_a_vector_changes_nothing(
        index in any::<prop::sample::Index>(),
        garbage in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let classifier = Classifier::builtin();
        let vector = index.get(classifier.vectors());
        let data = hex::decode(&vector.def.hex).unwrap();
        let mut longer = data.clone();
        longer.extend(&garbage);
        prop_assert_eq!(classifier.classify(&data), classifier.classify(&longer), "{}", vector.def.name);
    }
}

#[test]
fn damage_after_a_match_keeps_the_match_and_damage_before_hides_it() {
    let airtag = hex::decode("1eff4c0012191096431f9ca2496a6825b31915412b6436d2f30933a0930386").unwrap();
    let c = Classifier::builtin();
    let mut overlong = airtag.clone();
    overlong.extend([0xF0, 0x16, 0x5A]);
    assert_eq!(c.classify(&overlong).map(|x| x.family), Some("apple_find_my"));
    let mut cut = airtag.clone();
    cut.truncate(20);
    assert_eq!(c.classify(&cut), None);
    let mut zero_first = vec![0x00];
    zero_first.extend(&airtag);
    assert_eq!(c.classify(&zero_first), None);
}
