//! Anchors: `tagwatch anchor` gives the chain head away as a code, sessions end with one,
//! `verify --anchor` proves the chain extends it, and what an attacker with the file can do
//! (rehash everything, append forged verdicts, cut the tail) is caught against it. The
//! timestamp test runs a real RFC 3161 authority: `openssl ts` behind HTTP on 127.0.0.1.

mod common;
use common::*;

use std::path::Path;
use std::process::{Child, Command, Stdio};

use rusqlite::{Connection, params};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tagwatch::store::{Mode, Store};

const A: &str = "apple_find_my-aaaaaaaa";

/// A store with `sessions` sessions of ten sightings and a verdict each; its record count.
fn fill(path: &Path, sessions: i64) -> u64 {
    let mut store = Store::open(path, Mode::Create).unwrap();
    for s in 0..sessions {
        let id = store
            .begin_session("analyze", &[format!("{s}.btsnoop").into()], s)
            .unwrap();
        let sightings: Vec<_> = (0..10).map(|i| sighting(A, s * 100 + i, "x")).collect();
        store.add_sightings(id, &sightings).unwrap();
        store.save_trackers(id, &[tracker(A, "high")]).unwrap();
        store.end_session(id, s + 1, 0).unwrap();
    }
    store.chain_head().unwrap().unwrap().records
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], db: &Path) -> Run {
    let out = tagwatch().args(args).env("TAGWATCH_DB", db).output().unwrap();
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The value after `label` on the line that starts with it (`  code:    TW1-...`).
fn field(text: &str, label: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label} in {text}"))
        .trim()
        .to_string()
}

/// Keeps an anchor with `tagwatch anchor`; its short code.
fn anchor(db: &Path) -> String {
    let out = run(&["anchor", "--no-qr"], db);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    field(&out.stdout, "code:")
}

fn verify_anchor(db: &Path, code: &str) -> Run {
    run(&["verify", "--anchor", code], db)
}

/// What an attacker who read the chain's documentation does after changing records: recompute
/// every hash from the first record on, so that the chain links again (in the open, without
/// tagwatch's code).
fn rehash(conn: &Connection) {
    let rows: Vec<(i64, String, Vec<u8>)> = conn
        .prepare("SELECT seq, kind, payload FROM records ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = vec![0u8; 32];
    for (seq, kind, payload) in rows {
        let mut h = Sha256::new();
        h.update(&prev);
        h.update((seq as u64).to_be_bytes());
        h.update(kind.as_bytes());
        h.update([0]);
        h.update(&payload);
        let hash = h.finalize().to_vec();
        conn.execute(
            "UPDATE records SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            params![prev, hash, seq],
        )
        .unwrap();
        prev = hash;
    }
}

fn set_payload(conn: &Connection, seq: i64, from: &str, to: &str) {
    let payload: Vec<u8> = conn
        .query_row("SELECT payload FROM records WHERE seq = ?1", [seq], |r| r.get(0))
        .unwrap();
    let text = String::from_utf8(payload).unwrap();
    assert!(text.contains(from), "{text}");
    conn.execute(
        "UPDATE records SET payload = ?1 WHERE seq = ?2",
        params![text.replace(from, to).into_bytes(), seq],
    )
    .unwrap();
}

fn last_record(db: &Path) -> (String, Value) {
    let conn = Connection::open(db).unwrap();
    let (kind, payload): (String, Vec<u8>) = conn
        .query_row(
            "SELECT kind, payload FROM records ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    (kind, serde_json::from_slice(&payload).unwrap())
}

#[test]
fn anchor_prints_code_head_and_qr_and_keeps_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let n = fill(&db, 2);
    let head = hex::encode(
        Store::open(&db, Mode::Existing)
            .unwrap()
            .chain_head()
            .unwrap()
            .unwrap()
            .hash,
    );

    let out = run(&["anchor", "--qr"], &db);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let code = field(&out.stdout, "code:");
    // TW1, the record count, six groups of four hex digits (96 bits), two check digits.
    let groups: Vec<&str> = code.split('-').collect();
    assert_eq!(groups[..2], ["TW1", &n.to_string()], "{code}");
    assert_eq!(groups.len(), 2 + 6 + 1, "{code}");
    assert_eq!(groups[2..8].concat(), head[..24].to_uppercase(), "{code}");
    assert_eq!(field(&out.stdout, "head:"), head);
    assert_eq!(field(&out.stdout, "records:"), n.to_string());
    let full = field(&out.stdout, "full:");
    assert_eq!(
        full.split('-').skip(2).take(16).collect::<String>(),
        head.to_uppercase()
    );
    // The QR code: Unicode half blocks, two rows of modules per line.
    let qr_lines = out
        .stdout
        .lines()
        .filter(|l| l.contains('▀') || l.contains('▄'))
        .count();
    assert!(qr_lines >= 15, "no QR code:\n{}", out.stdout);

    let (kind, record) = last_record(&db);
    assert_eq!(kind, "anchor");
    assert_eq!(record["records"], n);
    assert_eq!(record["head"], head.as_str());
    assert_eq!(record["code"], code.as_str());
    assert!(record["time_us"].as_i64().unwrap() > 1_700_000_000_000_000);
    assert!(record.get("timestamp").is_none());

    // Without --qr and not on a terminal: no QR code. Both codes verify.
    let out = run(&["anchor"], &db);
    assert!(!out.stdout.contains('▀'), "{}", out.stdout);
    for code in [code, full] {
        let check = verify_anchor(&db, &code);
        assert_eq!(check.code, 0, "{code}: {}{}", check.stdout, check.stderr);
    }
}

/// The terminal QR code, read back as a phone would: its half blocks drawn as an image
/// (text-coloured parts light) and decoded with zbarimg.
#[test]
fn the_qr_code_holds_the_full_code() {
    let available = Command::new("zbarimg")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("skipping: zbarimg not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    fill(&db, 1);
    let out = run(&["anchor", "--qr"], &db);
    let mut rows: Vec<Vec<u8>> = Vec::new();
    for line in out.stdout.lines().filter(|l| l.contains('▀') || l.contains('▄')) {
        let halves = |top: bool| {
            line.chars()
                .map(|c| match (c, top) {
                    ('█', _) | ('▀', true) | ('▄', false) => 255,
                    _ => 0,
                })
                .collect()
        };
        rows.push(halves(true));
        rows.push(halves(false));
    }
    const SCALE: usize = 4;
    let mut pgm = format!("P5 {} {} 255\n", rows[0].len() * SCALE, rows.len() * SCALE).into_bytes();
    for row in &rows {
        let wide: Vec<u8> = row.iter().flat_map(|&v| [v; SCALE]).collect();
        for _ in 0..SCALE {
            pgm.extend_from_slice(&wide);
        }
    }
    let image = dir.path().join("qr.pgm");
    std::fs::write(&image, pgm).unwrap();
    let read = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&image)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&read.stdout);
    assert_eq!(text.trim(), field(&out.stdout, "full:"));
}

#[test]
fn anchor_never_creates_a_database_and_refuses_an_empty_or_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nothing-here.sqlite");
    let code = tagwatch::anchor::Code::new(1, &[0; 32]).short().to_string();
    for args in [&["anchor"][..], &["verify", "--anchor", &code]] {
        let out = run(args, &db);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("nothing-here.sqlite"), "{}", out.stderr);
        assert!(!db.exists());
    }

    Store::open(&db, Mode::Create).unwrap();
    let out = run(&["anchor"], &db);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("nothing to anchor"), "{}", out.stderr);

    // An anchor vouches for what is there: not for a chain already broken.
    fill(&db, 1);
    let conn = Connection::open(&db).unwrap();
    set_payload(&conn, 2, "\"rssi\":-60", "\"rssi\":-61");
    let out = run(&["anchor"], &db);
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("record 2: its hash does not match"),
        "{}",
        out.stderr
    );
    assert_ne!(last_record(&db).0, "anchor");
}

#[test]
fn verify_anchor_on_an_untouched_database_says_what_was_appended() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let n = fill(&db, 1);
    let code = anchor(&db);
    // Two more sessions of 13 records each, after the anchor record.
    fill(&db, 2);

    let out = verify_anchor(&db, &code);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let expected = format!(
        "the first {n} records are unchanged; {} records appended since, in 2 sessions",
        1 + 2 * n
    );
    assert!(out.stdout.contains(&expected), "{}", out.stdout);
    assert!(out.stdout.contains("anchored at "), "{}", out.stdout);
    // The plain verification runs too.
    assert!(out.stdout.contains(": intact: "), "{}", out.stdout);

    // Typed by a person: lower case, spaces instead of dashes.
    let typed = code.to_lowercase().replace('-', " ");
    assert_eq!(verify_anchor(&db, &typed).code, 0);
}

#[test]
fn forged_verdicts_appended_after_rehashing_are_caught_by_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let n = fill(&db, 2) as i64;
    let code = anchor(&db);

    // The stalker turns the stored "high" verdict into "none", appends a forged session saying
    // the tracker does not follow, and recomputes the whole chain.
    let conn = Connection::open(&db).unwrap();
    let verdict: i64 = conn
        .query_row("SELECT min(seq) FROM records WHERE kind = 'tracker'", [], |r| {
            r.get(0)
        })
        .unwrap();
    set_payload(&conn, verdict, "\"risk\":\"high\"", "\"risk\":\"none\"");
    set_payload(&conn, verdict, "\"following\":true", "\"following\":false");
    let forged: Vec<u8> = conn
        .query_row("SELECT payload FROM records WHERE seq = ?1", [verdict], |r| {
            r.get(0)
        })
        .unwrap();
    let top: i64 = conn
        .query_row("SELECT max(seq) FROM records", [], |r| r.get(0))
        .unwrap();
    conn.execute(
        "INSERT INTO records VALUES (?1, 'tracker', ?2, x'', x'')",
        params![top + 1, forged],
    )
    .unwrap();
    rehash(&conn);
    drop(conn);

    // Without the anchor nothing shows it.
    let plain = run(&["verify"], &db);
    assert_eq!(
        plain.code, 0,
        "the attack should fool a plain verify: {}",
        plain.stdout
    );

    let out = verify_anchor(&db, &code);
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("DOES NOT HOLD"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains(&format!("record {n} is not the one anchored")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("rewritten"), "{}", out.stdout);
}

#[test]
fn full_rehash_from_the_first_record_is_caught_by_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    fill(&db, 2);
    let code = anchor(&db);

    // Record 1 names the capture: rename it and recompute every hash, as the published
    // formula allows anyone to.
    let conn = Connection::open(&db).unwrap();
    set_payload(&conn, 1, "0.btsnoop", "9.btsnoop");
    rehash(&conn);
    drop(conn);
    assert_eq!(run(&["verify"], &db).code, 0);

    let out = verify_anchor(&db, &code);
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("rewritten, every hash recomputed"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_tail_cut_below_the_anchor_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let n = fill(&db, 3);
    let code = anchor(&db);

    let conn = Connection::open(&db).unwrap();
    conn.execute("DELETE FROM records WHERE seq > ?1", [n as i64 - 13])
        .unwrap();
    drop(conn);
    // What is left is a consistent, shorter chain.
    assert_eq!(run(&["verify"], &db).code, 0);

    let out = verify_anchor(&db, &code);
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    let expected = format!(
        "the chain ends at record {}, but the anchor vouches for {n} records: the last 13 were cut off",
        n - 13
    );
    assert!(out.stdout.contains(&expected), "{}", out.stdout);

    // Cutting only the anchor record (and what came after it) is seen too.
    let db2 = dir.path().join("second.sqlite");
    let n2 = fill(&db2, 1);
    let code2 = anchor(&db2);
    let conn = Connection::open(&db2).unwrap();
    conn.execute("DELETE FROM records WHERE seq > ?1", [n2 as i64])
        .unwrap();
    drop(conn);
    let out = verify_anchor(&db2, &code2);
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(
        out.stdout.contains("anchor record tagwatch kept"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_change_after_the_anchor_is_told_apart_from_one_before() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let n = fill(&db, 1);
    let code = anchor(&db);
    fill(&db, 1);
    let conn = Connection::open(&db).unwrap();
    // A sighting of the second session, changed without rehashing.
    set_payload(&conn, n as i64 + 3, "\"rssi\":-60", "\"rssi\":-99");
    drop(conn);
    let out = verify_anchor(&db, &code);
    assert_eq!(out.code, 3, "{}", out.stdout);
    let expected = format!(
        "the first {n} records are unchanged, but after them the chain breaks: record {}: its \
         hash does not match its content",
        n + 3
    );
    assert!(out.stdout.contains(&expected), "{}", out.stdout);
}

#[test]
fn a_mistyped_code_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    fill(&db, 1);
    let code = anchor(&db);
    // One hex digit of the head changed.
    let i = code.len() - 4;
    let wrong = if &code[i..=i] == "0" { "1" } else { "0" };
    let typo = format!("{}{wrong}{}", &code[..i], &code[i + 1..]);
    for bad in [typo.as_str(), "TW1-12", "hello"] {
        let out = verify_anchor(&db, bad);
        assert_eq!(out.code, 64, "{bad}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("--anchor"), "{}", out.stderr);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
    }
}

/// Analyses the small demo capture into `db` with `extra` arguments.
fn analyze(db: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["analyze", "captures/demo-synthetic.btsnoop"];
    args.extend_from_slice(extra);
    run(&args, db)
}

/// The code on a session's `anchor: ...` line.
fn session_code(stderr: &str) -> String {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("anchor: "))
        .unwrap_or_else(|| panic!("no anchor line in {stderr}"));
    assert!(
        line.contains(
            "; keep this code away from this computer: `tagwatch verify --anchor CODE` then proves the first "
        ) && line.ends_with(" records unchanged"),
        "{line}"
    );
    line["anchor: ".len()..line.find(';').unwrap()].to_string()
}

#[test]
fn every_session_ends_with_an_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let out = analyze(&db, &["--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Standard output stays JSON for programs.
    serde_json::from_str::<Value>(&out.stdout).unwrap();
    let code = session_code(&out.stderr);

    let (kind, record) = last_record(&db);
    assert_eq!(kind, "anchor");
    assert_eq!(record["code"], code.as_str());
    let conn = Connection::open(&db).unwrap();
    let before: String = conn
        .query_row(
            "SELECT kind FROM records WHERE seq = ?1",
            [record["records"].as_i64().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(before, "session_end", "the anchor follows the session's end");
    let check = verify_anchor(&db, &code);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(
        check.stdout.contains("1 record appended since"),
        "{}",
        check.stdout
    );

    // A live sweep too.
    let out = run(
        &[
            "sweep",
            "--headless",
            "--speed",
            "0",
            "--duration",
            "1m",
            "--replay",
            "captures/demo-synthetic.btsnoop",
        ],
        &db,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sweep_code = session_code(&out.stderr);
    assert_eq!(verify_anchor(&db, &sweep_code).code, 0);
    let check = verify_anchor(&db, &code);
    assert!(check.stdout.contains(", in 1 session"), "{}", check.stdout);

    // Nothing kept, nothing anchored.
    let out = analyze(&db, &["--no-store"]);
    assert!(!out.stderr.contains("anchor:"), "{}", out.stderr);
}

#[test]
fn on_anchor_hook_receives_the_anchor_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let got = dir.path().join("anchor.json");
    let hook = format!("cat > '{}'", got.display());
    let out = analyze(&db, &["--on-anchor", &hook]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The session waits for the hook (up to 10 s), so the file is complete now.
    let json: Value = serde_json::from_slice(&std::fs::read(&got).expect("the hook ran")).unwrap();
    let (_, record) = last_record(&db);
    assert_eq!(json["code"].as_str(), Some(session_code(&out.stderr).as_str()));
    assert_eq!(json["head"], record["head"]);
    assert_eq!(json["records"], record["records"]);
    assert_eq!(json["db"].as_str(), Some(db.to_str().unwrap()));
    let time = json["time"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok(), "{time}");

    // A hook that fails is reported; the evidence and the result stand.
    let out = analyze(&db, &["--on-anchor", "echo mail is down >&2; exit 7"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("mail is down"), "{}", out.stderr);
    assert!(
        out.stderr.contains("error: --on-anchor: it failed"),
        "{}",
        out.stderr
    );
    assert_eq!(last_record(&db).0, "anchor");
    // --on-anchor without a store is a usage mistake.
    assert_ne!(analyze(&db, &["--no-store", "--on-anchor", "true"]).code, 0);
}

/// A local timestamp authority: a CA, a TSA certificate for timeStamping, `openssl ts -reply`
/// behind tests/fixtures/tsa_server.py. Stopped when dropped.
struct Tsa {
    dir: tempfile::TempDir,
    server: Child,
    url: String,
}

impl Drop for Tsa {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn start_tsa() -> Option<Tsa> {
    let installed = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        eprintln!("skipping: openssl not installed");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=tagwatch test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    openssl(d, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-subj",
        "/CN=tagwatch test TSA",
    ]);
    openssl(d, &csr);
    std::fs::write(
        d.join("ext.cnf"),
        "extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n\
         basicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tsa.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
    std::fs::write(d.join("serial"), "01\n").unwrap();
    let p = |name: &str| d.join(name).display().to_string();
    std::fs::write(
        d.join("openssl.cnf"),
        format!(
            "[ tsa ]\ndefault_tsa = tsa_config\n\n[ tsa_config ]\nserial = {}\nsigner_cert = {}\n\
             certs = {}\nsigner_key = {}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n\
             digests = sha256\naccuracy = secs:1\nordering = no\ntsa_name = yes\n\
             ess_cert_id_alg = sha256\n",
            p("serial"),
            p("tsa.pem"),
            p("tsa.pem"),
            p("tsa.key")
        ),
    )
    .unwrap();
    let port_file = d.join("port");
    let server = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tsa_server.py"))
        .arg(d.join("openssl.cnf"))
        .arg(&port_file)
        .spawn()
        .expect("python3 runs");
    let mut tsa = Tsa {
        dir,
        server,
        url: String::new(),
    };
    // The server writes its port once it listens: wait for that, bounded.
    for _ in 0..500 {
        if let Ok(port) = std::fs::read_to_string(&port_file) {
            tsa.url = format!("http://127.0.0.1:{}/", port.trim());
            return Some(tsa);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the TSA server did not start");
}

/// `openssl ts -verify` of `token.der` in `dir` over `data`, trusting only the test CA.
fn openssl_ts_verify(dir: &Path, data: &[u8]) -> (bool, String) {
    std::fs::write(dir.join("data.bin"), data).unwrap();
    let out = Command::new("openssl")
        .args([
            "ts",
            "-verify",
            "-data",
            "data.bin",
            "-in",
            "token.der",
            "-token_in",
        ])
        .args(["-CAfile", "ca.pem", "-untrusted", "tsa.pem"])
        .current_dir(dir)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said.into_owned())
}

#[test]
fn tsa_timestamp_is_kept_and_verifies_independently_with_openssl() {
    let Some(tsa) = start_tsa() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    fill(&db, 1);
    let out = run(&["anchor", "--no-qr", "--tsa", &tsa.url], &db);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("timestamp: "), "{}", out.stdout);
    let code = field(&out.stdout, "code:");

    // The kept token, checked by openssl alone: signed by the TSA, over SHA-256 of the head's
    // 32 bytes.
    let (_, record) = last_record(&db);
    let token = {
        use base64::Engine;
        let b64 = record["timestamp"]["token"].as_str().unwrap();
        base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
    };
    assert_eq!(record["timestamp"]["tsa"].as_str(), Some(tsa.url.as_str()));
    let files = tsa.dir.path();
    std::fs::write(files.join("token.der"), token).unwrap();
    let head = hex::decode(record["head"].as_str().unwrap()).unwrap();
    let (ok, said) = openssl_ts_verify(files, &head);
    assert!(ok && said.contains("Verification: OK"), "{said}");
    // Other data does not verify against it.
    assert!(!openssl_ts_verify(files, &[0; 32]).0);

    // verify --anchor shows the authority's time.
    let check = verify_anchor(&db, &code);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(
        check
            .stdout
            .contains(&format!("timestamped by {} at 20", tsa.url)),
        "{}",
        check.stdout
    );

    // An authority that cannot be reached: the anchor is kept without a timestamp, exit 2.
    let out = run(&["anchor", "--no-qr", "--tsa", "http://127.0.0.1:9/"], &db);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("kept without a timestamp"), "{}", out.stderr);
    assert_eq!(last_record(&db).0, "anchor");
}
