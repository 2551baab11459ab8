//! `tagwatch sweep --headless` and `scan --headless` as a service or a person runs them, with
//! Bluetooth that does not work: no adapter, the adapter powered off, pulled out mid-scan,
//! BlueZ gone, no system bus. BlueZ is python3-dbusmock's bluez5 template on a private bus
//! (tests/fixtures/bluez_mock.py). Each run must say what was not listened to, for how long
//! and what to do, keep it in the evidence (`coverage` records that verify and report), and
//! exit 4 ("not checked"), never an all-clear.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::bluez::MockBluez;
use tagwatch::evidence::SessionListening;
use tagwatch::listening::{Cause, Channel};
use tagwatch::store::Store;

/// A phone (Microsoft's company id): a bystander, no tracker.
const PHONE: &str = "7A:11:22:33:44:55";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// The sessions' listening as the store gives it to a report.
    listening: Vec<SessionListening>,
    db: PathBuf,
    _dir: tempfile::TempDir,
}

impl Run {
    /// The causes of the radio's outages, in time order, and whether it was ever up.
    fn radio(&self) -> (Vec<Cause>, bool) {
        let [session] = self.listening.as_slice() else {
            panic!("one session expected: {:?}\n{}", self.listening, self.stderr);
        };
        let radio = session.listening().radio();
        (
            radio.down.iter().map(|s| s.outage.cause).collect(),
            !radio.never_up(),
        )
    }
}

/// tagwatch on `bus`, writing in `lang` ("en" unless a test is about the Japanese).
fn tagwatch(bus: &str, args: &[&str], db: &Path, lang: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tagwatch"));
    cmd.args(args)
        .arg("--db")
        .arg(db)
        // No gpsd is looked for.
        .args(["--gpsd", "127.0.0.1:9", "--lang", lang])
        .env("DBUS_SYSTEM_BUS_ADDRESS", bus)
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn finish(child: Child, dir: tempfile::TempDir) -> Run {
    let out = child.wait_with_output().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let store = Store::open_read_only(&db).unwrap();
    let data = store.report_data(None, 0).unwrap();
    assert!(data.verification.intact(), "{:?}", data.verification);
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        listening: data.listening,
        db,
        _dir: dir,
    }
}

/// A headless sweep of `seconds` on `bus`, in English.
fn sweep(bus: &str, seconds: u32) -> Run {
    sweep_in(bus, seconds, "en")
}

fn sweep_in(bus: &str, seconds: u32, lang: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let duration = format!("{seconds}s");
    let child = tagwatch(bus, &["sweep", "--headless", "--duration", &duration], &db, lang)
        .spawn()
        .unwrap();
    finish(child, dir)
}

/// A headless scan on `bus`: `during` does things to BlueZ while it runs, then it is stopped
/// as systemd stops a service (SIGTERM).
fn scan(bluez: &mut MockBluez, during: impl FnOnce(&mut MockBluez)) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let child = tagwatch(&bluez.bus.clone(), &["scan", "--headless"], &db, "en")
        .spawn()
        .unwrap();
    during(bluez);
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    finish(child, dir)
}

fn assert_not_checked(run: &Run, line: &str, hint: &str) {
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(line), "{line:?} not in\n{}", run.stdout);
    assert!(run.stderr.contains(hint), "{hint:?} not in\n{}", run.stderr);
    assert!(
        !run.stdout.contains("No trackers"),
        "an all-clear:\n{}",
        run.stdout
    );
}

#[test]
fn sweep_without_an_adapter_is_not_checked_for_the_whole_time() {
    let Some(bluez) = MockBluez::start() else {
        return;
    };
    assert!(bluez.drive(&["remove-adapter", "hci0"]));
    let run = sweep(&bluez.bus, 4);
    assert_not_checked(
        &run,
        "not checked: no Bluetooth adapter for the whole 4 s",
        "bluetoothctl list",
    );
    assert!(run.stdout.contains("This is not an all-clear"), "{}", run.stdout);
    assert_eq!(run.radio(), (vec![Cause::NoAdapter], false));
    // The position is kept too: no gpsd answered.
    let changes = &run.listening[0].changes;
    let position = changes.iter().find(|c| c.channel == Channel::Position).unwrap();
    assert_eq!(position.down.as_ref().unwrap().cause, Cause::NoGpsd);
    // `list` and the report say it too, and the evidence verifies.
    let cli = |args: &[&str]| {
        common::tagwatch()
            .args(args)
            .arg("--db")
            .arg(&run.db)
            .output()
            .unwrap()
    };
    let list = cli(&["list"]);
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.contains("not checked: no Bluetooth adapter for the whole 4 s"),
        "{list}"
    );
    assert_eq!(cli(&["verify"]).status.code(), Some(0));
    let reports = run._dir.path().join("report");
    let report = cli(&["report", "--lang", "ja", "-o", reports.to_str().unwrap()]);
    assert_eq!(
        report.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let html: String = std::fs::read_dir(&reports)
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect();
    assert!(
        html.contains("未確認: 4 秒のあいだずっとBluetooth アダプタなし"),
        "{html}"
    );
}

#[test]
fn sweep_with_the_adapter_powered_off_says_how_to_power_it_on() {
    let Some(bluez) = MockBluez::start() else {
        return;
    };
    assert!(bluez.drive(&["power", "hci0", "off"]));
    let run = sweep(&bluez.bus, 4);
    assert_not_checked(
        &run,
        "not checked: the adapter powered off for the whole 4 s",
        "bluetoothctl power on",
    );
    assert_eq!(run.radio(), (vec![Cause::PoweredOff], false));
}

#[test]
fn in_japanese_a_powered_off_adapter_is_logged_and_explained_with_its_command() {
    let Some(bluez) = MockBluez::start() else {
        return;
    };
    assert!(bluez.drive(&["power", "hci0", "off"]));
    let run = sweep_in(&bluez.bus, 3, "ja");
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("未確認: 3 秒のあいだずっとアダプタの電源オフ"),
        "{}",
        run.stdout
    );
    // The headless log names the cause in Japanese, with BlueZ's own words after it.
    assert!(
        run.stderr.contains("アダプター：停止：アダプタの電源オフ（"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("電源を入れてください: `bluetoothctl power on`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("adapter: down"), "{}", run.stderr);
}

#[test]
fn sweep_without_bluez_says_which_service_to_start() {
    let Some(mut bluez) = MockBluez::start() else {
        return;
    };
    bluez.stop_bluez();
    let run = sweep(&bluez.bus, 4);
    assert_not_checked(
        &run,
        "not checked: BlueZ not running for the whole 4 s",
        "sudo systemctl start bluetooth",
    );
    assert_eq!(run.radio(), (vec![Cause::NoBluez], false));
}

#[test]
fn sweep_without_a_system_bus_says_to_start_dbus() {
    // No mock needed: nothing listens at this address.
    let dir = tempfile::tempdir().unwrap();
    let bus = format!("unix:path={}", dir.path().join("no-bus").display());
    let run = sweep(&bus, 3);
    assert_not_checked(
        &run,
        "not checked: the system D-Bus not running for the whole 3 s",
        "sudo systemctl start dbus",
    );
    assert_eq!(run.radio(), (vec![Cause::NoSystemBus], false));
}

#[test]
fn scan_with_the_adapter_pulled_out_midway_is_not_checked_for_that_time() {
    let Some(mut bluez) = MockBluez::start() else {
        return;
    };
    let run = scan(&mut bluez, |bluez| {
        std::thread::sleep(Duration::from_secs(3));
        assert!(bluez.drive(&["remove-adapter", "hci0"]));
        // The scanner looks at the adapter every 2 s.
        std::thread::sleep(Duration::from_secs(5));
    });
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("not checked for "), "{}", run.stdout);
    assert!(run.stdout.contains(": no Bluetooth adapter "), "{}", run.stdout);
    assert!(run.stderr.contains("adapter: down: "), "{}", run.stderr);
    assert!(run.stderr.contains("bluetoothctl list"), "{}", run.stderr);
    assert_eq!(run.radio(), (vec![Cause::NoAdapter], true));
    let radio = run.listening[0].listening().radio();
    let down = radio.down_us();
    assert!(
        (1_000_000..=7_000_000).contains(&down) && radio.up_us >= 2_000_000,
        "down {down} us, up {} us",
        radio.up_us
    );
}

#[test]
fn scan_that_listened_throughout_is_checked_and_one_whose_bluez_left_is_not() {
    let Some(mut bluez) = MockBluez::start() else {
        return;
    };
    // Listening the whole time, a phone about and no tracker: the all-clear stands (exit 0).
    assert!(bluez.drive(&["add-device", "hci0", PHONE]));
    let phone = bluez.keep_advertising(PHONE, &["0006", "0109200211223344"]);
    let run = scan(&mut bluez, |_| std::thread::sleep(Duration::from_secs(3)));
    drop(phone);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("No trackers among"), "{}", run.stdout);
    assert!(run.stdout.contains("listened for the whole"), "{}", run.stdout);
    assert_eq!(run.radio(), (vec![], true));
    // bluetoothd stops in the middle of a scan.
    let run = scan(&mut bluez, |bluez| {
        std::thread::sleep(Duration::from_secs(3));
        bluez.stop_bluez();
        std::thread::sleep(Duration::from_secs(4));
    });
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(": BlueZ not running "), "{}", run.stdout);
    assert!(
        run.stderr.contains("sudo systemctl start bluetooth"),
        "{}",
        run.stderr
    );
    assert_eq!(run.radio(), (vec![Cause::NoBluez], true));
}
