//! `analyze` in two threads (reading and classifying beside correlation) gives exactly what one
//! thread gives: the same JSON to the byte, on real captures, on a tracker-dense synthetic one
//! with a track, and on one cut short in the middle of a record; and the same evidence.

mod common;
use common::*;

use std::path::{Path, PathBuf};

use tagwatch::analyze::{AnalyzeOptions, Threads, analyze_files_in};
use tagwatch::location::read_track;
use tagwatch::present::json;
use tagwatch::store::{Mode, Recorder, Store};
use tagwatch::synth::scenario::{self, Container};

/// Same start as `tagwatch synth`.
const START_US: i64 = 1_763_798_400_000_000;

/// The JSON of analysing `paths` in `threads`, and how many advertisements it read.
fn analysed(threads: Threads, paths: &[PathBuf], options: &AnalyzeOptions<'_>) -> (String, u64) {
    let mut positions = Vec::new();
    let analysis = analyze_files_in(threads, paths, options, None, |p| positions.push(p));
    // Progress only goes forward, in either mode.
    assert!(positions.is_sorted(), "{threads:?}: {positions:?}");
    let mut out = Vec::new();
    json::write(&analysis, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), analysis.coverage.advertisements)
}

/// Analyses `paths` both ways, asserts the same result, and returns it.
fn same_both_ways(paths: &[PathBuf], options: &AnalyzeOptions<'_>) -> (String, u64) {
    let one = analysed(Threads::One, paths, options);
    let two = analysed(Threads::Two, paths, options);
    assert!(
        one.0 == two.0,
        "{paths:?}: one thread and two differ:\n{}\n---\n{}",
        one.0,
        two.0
    );
    one
}

fn dense_capture(name: &str, minutes: i64, devices: usize) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let (start, end, emitters) = scenario::dense(START_US, minutes, devices);
    let file = std::fs::File::create(&path).unwrap();
    scenario::write_capture(
        std::io::BufWriter::new(file),
        Container::Btsnoop,
        start,
        end,
        &emitters,
    )
    .unwrap();
    path
}

#[test]
fn real_captures_give_the_same_result_in_two_threads() {
    let Some(ext) = external() else { return };
    let smarttag = ext.join("galaxy_smarttag_research/investigation/log_analysis/owner_tag_interaction");
    // The four SmartTag logs as one session (rotations linked across files), an iPhone
    // sniffed with an nRF52 (pcapng), and a base station's sniff of everything around (pcap).
    let sets = [
        ["playsound.log", "playsound_2.log", "playsound_3.log"]
            .map(|f| smarttag.join(f))
            .to_vec(),
        vec![ext.join("PACTTemplateDataset/nRF52/iPhone_11-1/btle_sniffer_05-07-2020-122940.pcapng")],
        vec![ext.join("Boston-Mesh-Open-Source-Base-Station/data/take_2/ble_all_adv.pcap")],
    ];
    for paths in sets {
        let (json, ads) = same_both_ways(&paths, &AnalyzeOptions::default());
        assert!(ads > 0 && json.contains("\"trackers\""), "{paths:?}: {json}");
    }
}

#[test]
fn a_dense_capture_with_a_track_gives_the_same_result_in_two_threads() {
    // Thousands of batches' worth: trackers and phones coming and going, keys rotating.
    let capture = dense_capture("threads-dense-synthetic.btsnoop", 20, 300);
    let (json, ads) = same_both_ways(std::slice::from_ref(&capture), &AnalyzeOptions::default());
    assert!(ads > 100_000, "{ads}");
    assert!(json.matches("\"family\"").count() > 50, "{json}");
    // With a track the sightings get positions, places and verdicts from where they were.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let track = read_track(&dir.join("commute_airtag-synthetic.gpx")).unwrap();
    let options = AnalyzeOptions {
        track: Some(&track),
        ..AnalyzeOptions::default()
    };
    let commute = dir.join("commute_airtag-synthetic.btsnoop");
    let (json, _) = same_both_ways(&[commute.clone(), capture], &options);
    assert!(json.contains("\"following\": true"), "{json}");
}

#[test]
fn a_capture_cut_short_gives_the_same_result_and_error_in_two_threads() {
    let whole = dense_capture("threads-cut-synthetic.btsnoop", 5, 200);
    let bytes = std::fs::read(&whole).unwrap();
    let cut = whole.with_file_name("threads-cut-short-synthetic.btsnoop");
    // In the middle of a record, well past the first batches.
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3 + 7]).unwrap();
    let (json, ads) = same_both_ways(std::slice::from_ref(&cut), &AnalyzeOptions::default());
    assert!(ads > 10_000, "{ads}");
    assert!(
        json.contains("\"error\": \"") && json.contains("offset"),
        "{json}"
    );
}

#[test]
fn the_evidence_of_a_dense_capture_is_the_same_in_two_threads() {
    let capture = dense_capture("threads-store-synthetic.btsnoop", 10, 300);
    let dir = tempfile::tempdir().unwrap();
    let stored = |threads: Threads| {
        let db = dir.path().join(format!("{threads:?}.sqlite"));
        let mut store = Store::open(&db, Mode::Create).unwrap();
        let recorder = Recorder::begin(&mut store, "analyze", &["dense".into()], 0).unwrap();
        let analysis = analyze_files_in(
            threads,
            std::slice::from_ref(&capture),
            &AnalyzeOptions::default(),
            Some(recorder),
            |_| {},
        );
        assert!(analysis.store_error.is_none(), "{:?}", analysis.store_error);
        db
    };
    let (one, two) = (stored(Threads::One), stored(Threads::Two));
    for kind in ["sighting", "tracker"] {
        let records = payloads(&one, kind);
        assert!(records.len() > 100, "{kind}: {}", records.len());
        assert!(records == payloads(&two, kind), "{kind} records differ");
    }
}

#[test]
fn a_capture_through_a_pipe_gives_the_same_result_and_progress_only_moves_on() {
    let capture = dense_capture("threads-pipe-synthetic.btsnoop", 2, 50);
    let bytes = std::fs::read(&capture).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("capture.fifo");
    mkfifo(&fifo);
    let mut results = Vec::new();
    for threads in [Threads::One, Threads::Two] {
        // A pipe's size is 0: progress must not fall back to it once the capture is read.
        let writer = {
            let (fifo, bytes) = (fifo.clone(), bytes.clone());
            std::thread::spawn(move || std::fs::write(fifo, bytes).unwrap())
        };
        results.push(analysed(
            threads,
            std::slice::from_ref(&fifo),
            &AnalyzeOptions::default(),
        ));
        writer.join().unwrap();
    }
    assert!(results[0].1 > 1_000, "{}", results[0].1);
    assert!(
        results[0] == results[1],
        "one thread and two differ through a pipe"
    );
}
