//! Runs every test vector of every shipped signature file through the full classifier and
//! reports all mismatches at once, each with its file and vector name.

use tagwatch::classify::{Classification, Classifier, OwnerState, Vector};

#[test]
fn builtin_files_load_without_errors() {
    let errors = Classifier::builtin_errors();
    assert!(errors.is_empty(), "broken signature files:\n{errors:#?}");
    assert!(!Classifier::builtin_sources().is_empty());
}

#[test]
fn every_vector_classifies_as_expected() {
    let classifier = Classifier::builtin();
    assert!(classifier.vectors().len() >= 30, "expected the shipped vectors");
    let failures: Vec<String> = classifier
        .vectors()
        .iter()
        .filter_map(|v| {
            check(classifier, v)
                .err()
                .map(|e| format!("{} / {:?}: {e}", v.file, v.def.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} vector(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_family_has_a_real_or_synthetic_positive_vector() {
    let classifier = Classifier::builtin();
    for family in classifier.families() {
        let has = classifier
            .vectors()
            .iter()
            .any(|v| v.def.tracker && v.def.family.as_ref().or(v.file_family.as_ref()) == Some(&family.key));
        assert!(has, "family {} has no positive vector", family.key);
        assert!(!family.description.trim().is_empty() && !family.name.is_empty());
    }
}

fn check(classifier: &Classifier, v: &Vector) -> Result<(), String> {
    let data = hex::decode(&v.def.hex).map_err(|e| format!("bad hex: {e}"))?;
    let got = classifier.classify(&data);
    if !v.def.tracker {
        return match got {
            None => Ok(()),
            Some(c) => Err(format!("expected no tracker, got {c:?}")),
        };
    }
    let got = got.ok_or("expected a tracker, got none")?;
    let identity = match &v.def.identity {
        Some(h) => Some(hex::decode(h).map_err(|e| format!("bad identity hex: {e}"))?),
        None => None,
    };
    let family = v
        .def
        .family
        .as_ref()
        .or(v.file_family.as_ref())
        .ok_or("vector names no family")?;
    let expected = Classification {
        family,
        model: v.def.model.as_deref(),
        owner_state: v.def.owner_state.unwrap_or(OwnerState::Unknown),
        mode: v.def.mode.as_deref(),
        battery: v.def.battery.as_deref(),
        identity: identity.as_deref(),
        counter: v.def.counter,
        status: v.def.status,
        network: v.def.network.as_deref(),
    };
    if got == expected {
        Ok(())
    } else {
        Err(format!("\n   got      {got:?}\n   expected {expected:?}"))
    }
}
