//! A writer killed with SIGKILL in the middle of its writes loses nothing it was told was
//! stored, and leaves a store that opens and verifies.
//!
//! The parent re-runs this test binary as `child_writer`, which writes sightings in batches and
//! prints `acked SEQ COUNT` after each `add_sightings` returned (committed). The parent kills it
//! after a few acknowledgements, at a different moment each round, on the same database.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tagwatch::store::{Mode, Store};

const DB_VAR: &str = "TAGWATCH_CRASH_DB";
const SOURCE_VAR: &str = "TAGWATCH_CRASH_SOURCE";
const BATCH: i64 = 50;

/// The child: run only by `process_killed_mid_write_loses_no_acknowledged_record`.
#[test]
#[ignore = "run by the crash test as its child process"]
fn child_writer() {
    let (Ok(db), Ok(source)) = (std::env::var(DB_VAR), std::env::var(SOURCE_VAR)) else {
        return;
    };
    let mut store = Store::open(db.as_ref(), Mode::Create).unwrap();
    let session = store.begin_session("scan", &[source.as_str().into()], 0).unwrap();
    let started = Instant::now();
    let mut written = 0;
    // Bounded in case the parent never kills it.
    while started.elapsed() < Duration::from_secs(30) {
        let batch: Vec<_> = (written..written + BATCH)
            .map(|i| common::sighting("apple_find_my-crash", i, &source))
            .collect();
        let seq = store.add_sightings(session, &batch).unwrap();
        written += BATCH;
        println!("acked {seq} {written}");
    }
}

#[test]
fn process_killed_mid_write_loses_no_acknowledged_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let exe = std::env::current_exe().unwrap();
    // (acknowledgements to wait for, then how long to sleep before the kill)
    let rounds = [(1, 0), (3, 1), (10, 3), (25, 7), (5, 13)];
    let mut acked_per_round = Vec::new();
    for (round, &(acks, delay_ms)) in rounds.iter().enumerate() {
        let source = format!("round-{round}");
        let mut child = Command::new(&exe)
            .args(["--exact", "child_writer", "--ignored", "--nocapture"])
            .env(DB_VAR, &db)
            .env(SOURCE_VAR, &source)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("acked ") {
                    let (seq, count) = rest.split_once(' ').unwrap();
                    let _ = tx.send((seq.parse::<u64>().unwrap(), count.parse::<i64>().unwrap()));
                }
            }
        });
        let mut last = (0, 0);
        for _ in 0..acks {
            last = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("the child acknowledges writes");
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL on unix: no destructors, no flush, no checkpoint.
        child.wait().unwrap();
        reader.join().unwrap();
        // Whatever it printed before dying was acknowledged too.
        last = rx.try_iter().last().unwrap_or(last);
        let (last_seq, acked) = last;

        let store = Store::open(&db, Mode::Create).unwrap();
        let report = store.verify().unwrap();
        assert!(report.intact(), "round {round}: {report:?}");
        assert!(report.records >= last_seq, "round {round}");
        let data = store.report_data(None, 0).unwrap();
        let times: Vec<i64> = data
            .sightings
            .iter()
            .filter(|s| s.source == source)
            .map(|s| s.time_us)
            .collect();
        // Every acknowledged sighting, in order, and at most the one batch in flight besides.
        let stored = times.len() as i64;
        assert!(
            stored >= acked && stored <= acked + BATCH,
            "round {round}: {stored} stored, {acked} acknowledged"
        );
        let expected: Vec<i64> = (0..stored).map(|i| common::sighting("", i, "").time_us).collect();
        assert_eq!(times, expected, "round {round}");
        acked_per_round.push((acked, stored));
    }
    eprintln!("acknowledged, stored per round: {acked_per_round:?}");
}
