//! The Debian package as `cargo deb` makes it (Cargo.toml `[package.metadata.deb]`), taken
//! apart with dpkg-deb: its files and modes, the service's settings, the settings file, and the
//! postinst run against stand-ins for useradd and friends. Also the alert examples it ships,
//! run as `--on-alert` hooks with stand-ins for curl and mail.
//!
//! The package is made from the debug binary this test run built (`--no-build --profile dev`),
//! not a release build: a release build of everything would take minutes more on CI, and the
//! packaging does not depend on the profile. Needs cargo-deb 3.8 (.ci/run installs it) and
//! dpkg-deb; without them it says "skipping".

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn available(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Builds the package into `dir`; returns its path.
fn build_deb(dir: &Path) -> PathBuf {
    run(Command::new(env!("CARGO"))
        .args([
            "deb",
            "--no-build",
            "--profile",
            "dev",
            "--no-strip",
            "--fast",
            "-o",
        ])
        .arg(dir)
        .current_dir(MANIFEST));
    let debs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .collect();
    let [deb] = debs.as_slice() else {
        panic!("one package expected: {debs:?}");
    };
    assert!(
        deb.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("tagwatch_")
    );
    deb.clone()
}

/// `dpkg-deb -c`: path -> (mode string, owner).
fn listing(deb: &Path) -> Vec<(String, String, String)> {
    text(&run(Command::new("dpkg-deb").arg("-c").arg(deb)))
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (
                f[5].trim_start_matches('.').to_string(),
                f[0].to_string(),
                f[1].to_string(),
            )
        })
        .collect()
}

/// Stand-in programs that log their name and arguments to `log`, one line per call, and
/// exit with `code`.
fn shims(dir: &Path, log: &Path, names: &[(&str, i32)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, code) in names {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\necho \"{name} $*\" >> '{}'\nexit {code}\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Runs the postinst as dpkg does on install (`configure`), with user and systemd tools
/// replaced by stand-ins; `exists` says whether getent finds the user and group.
fn postinst(script: &Path, dir: &Path, exists: bool) -> Vec<String> {
    let log = dir.join(format!("calls-{exists}"));
    let bin = dir.join(format!("bin-{exists}"));
    let getent = if exists { 0 } else { 2 };
    shims(
        &bin,
        &log,
        &[
            ("getent", getent),
            ("useradd", 0),
            ("usermod", 0),
            ("groupadd", 0),
            ("deb-systemd-helper", 1),
            ("deb-systemd-invoke", 0),
            ("systemctl", 0),
        ],
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    run(Command::new("sh").arg(script).arg("configure").env("PATH", path));
    std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with("getent") && !l.starts_with("deb-systemd"))
        .map(String::from)
        .collect()
}

#[test]
fn the_package_holds_the_binary_the_service_and_its_user() {
    if !available("dpkg-deb", "--version") {
        eprintln!("skipping: dpkg-deb not installed");
        return;
    }
    let cargo_deb = Command::new(env!("CARGO")).args(["deb", "--version"]).output();
    if !cargo_deb.is_ok_and(|o| o.status.success()) {
        eprintln!("skipping: cargo-deb not installed (cargo install cargo-deb --version 3.8.0 --locked)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let deb = build_deb(dir.path());

    let info = text(&run(Command::new("dpkg-deb").arg("-I").arg(&deb)));
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in\n{info}"))
            .to_string()
    };
    assert_eq!(field("Package"), "tagwatch");
    let depends = field("Depends");
    for dep in ["bluez", "dbus", "passwd", "libc6"] {
        assert!(depends.contains(dep), "{depends}");
    }
    assert!(field("Recommends").contains("gpsd"));

    let files = listing(&deb);
    let mode = |path: &str| {
        files
            .iter()
            .find(|(p, ..)| p == path)
            .map(|(_, m, owner)| (m.as_str(), owner.as_str()))
            .unwrap_or_else(|| panic!("{path} not in the package: {files:?}"))
    };
    assert_eq!(mode("/usr/bin/tagwatch"), ("-rwxr-xr-x", "0/0"));
    assert_eq!(
        mode("/usr/lib/systemd/system/tagwatch.service"),
        ("-rw-r--r--", "0/0")
    );
    assert_eq!(mode("/etc/default/tagwatch"), ("-rw-r--r--", "0/0"));
    assert_eq!(mode("/usr/share/doc/tagwatch/README.md").0, "-rw-r--r--");
    for example in ["alert-ntfy", "alert-mail"] {
        assert_eq!(
            mode(&format!("/usr/share/doc/tagwatch/examples/{example}")).0,
            "-rwxr-xr-x"
        );
    }
    // The evidence folder is systemd's to make (StateDirectory): never in the package, so
    // removing or purging the package never touches the evidence.
    assert!(files.iter().all(|(p, ..)| !p.starts_with("/var")), "{files:?}");

    let root = dir.path().join("root");
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root));
    // The binary packaged is the one this test run built, and it runs.
    assert_eq!(
        std::fs::read(root.join("usr/bin/tagwatch")).unwrap(),
        std::fs::read(env!("CARGO_BIN_EXE_tagwatch")).unwrap()
    );
    let version = text(&run(Command::new(root.join("usr/bin/tagwatch")).arg("--version")));
    assert!(version.starts_with("tagwatch "), "{version}");

    let unit = std::fs::read_to_string(root.join("usr/lib/systemd/system/tagwatch.service")).unwrap();
    let settings: Vec<&str> = unit
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .collect();
    for want in [
        "User=tagwatch",
        "SupplementaryGroups=bluetooth",
        "AmbientCapabilities=CAP_NET_RAW",
        "CapabilityBoundingSet=CAP_NET_RAW",
        "StateDirectory=tagwatch",
        "StateDirectoryMode=0700",
        "UMask=0077",
        "NoNewPrivileges=yes",
        "EnvironmentFile=-/etc/default/tagwatch",
        "ExecStart=/usr/bin/tagwatch scan --headless --db %S/tagwatch/evidence.sqlite",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_BLUETOOTH",
        "WantedBy=multi-user.target",
    ] {
        assert!(settings.contains(&want), "{want} not in the unit:\n{unit}");
    }
    verify_unit(&unit, &root, dir.path());

    // Every setting the settings file offers is one the scan reads from its environment.
    let defaults = std::fs::read_to_string(root.join("etc/default/tagwatch")).unwrap();
    let help = text(&common::tagwatch().args(["scan", "--help"]).output().unwrap());
    let names: Vec<&str> = defaults
        .lines()
        .filter_map(|l| l.trim_start_matches('#').split_once('='))
        .map(|(name, _)| name)
        .filter(|n| n.starts_with("TAGWATCH_"))
        .collect();
    assert!(names.len() >= 4, "{defaults}");
    for name in names {
        assert!(help.contains(name), "{name} is not read by scan:\n{help}");
    }
    let conffiles = dir.path().join("control");
    run(Command::new("dpkg-deb").arg("-e").arg(&deb).arg(&conffiles));
    assert_eq!(
        std::fs::read_to_string(conffiles.join("conffiles"))
            .unwrap()
            .trim(),
        "/etc/default/tagwatch"
    );

    // The postinst makes the system user in the bluetooth group on a fresh system, and on an
    // upgrade only makes sure of the group.
    let script = conffiles.join("postinst");
    let fresh = postinst(&script, dir.path(), false);
    assert_eq!(
        fresh,
        [
            "groupadd --system bluetooth",
            "useradd --system --user-group --home-dir /var/lib/tagwatch --no-create-home --shell \
             /usr/sbin/nologin --comment tagwatch tracker watch tagwatch",
            "usermod --append --groups bluetooth tagwatch",
        ]
    );
    assert_eq!(
        postinst(&script, dir.path(), true),
        ["usermod --append --groups bluetooth tagwatch"]
    );
}

/// systemd's own check of the unit, its ExecStart pointed at the packaged binary (the unit
/// names /usr/bin/tagwatch, which is not installed here).
fn verify_unit(unit: &str, root: &Path, dir: &Path) {
    if !available("systemd-analyze", "--version") {
        eprintln!("skipping the unit check: systemd-analyze not installed");
        return;
    }
    let copy = dir.join("tagwatch.service");
    let binary = root.join("usr/bin/tagwatch");
    std::fs::write(
        &copy,
        unit.replace("/usr/bin/tagwatch", &binary.display().to_string()),
    )
    .unwrap();
    let out = run(Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&copy));
    let complaints = String::from_utf8_lossy(&out.stderr);
    assert!(
        complaints.trim().is_empty(),
        "systemd-analyze verify: {complaints}"
    );
}

/// Runs a shipped alert example as the `--on-alert` hook of a replayed scan that raises an
/// alert, with `program` replaced by a stand-in that keeps its arguments and input; returns
/// (arguments, input).
fn alert_example(example: &str, program: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (args, input) = (dir.path().join("args"), dir.path().join("input"));
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let shim = bin.join(program);
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '{}'\ncat > '{1}.part' && mv '{1}.part' '{1}'\n",
            args.display(),
            input.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    let hook = Path::new(MANIFEST).join("packaging/examples").join(example);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    common::tagwatch()
        .args(["scan", "--headless", "--no-store", "--speed", "0", "--on-alert"])
        .arg(&hook)
        .args(["--track", "captures/commute_airtag-synthetic.gpx"])
        .args(["--replay", "captures/commute_airtag-synthetic.btsnoop"])
        .env("PATH", path)
        .assert()
        .success();
    // The scan gives a running hook a few seconds, not the end of it: wait (bounded).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !input.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (
        std::fs::read_to_string(&args).expect("the example ran its program"),
        std::fs::read_to_string(&input).expect("the example gave its program the alert"),
    )
}

#[test]
fn the_ntfy_example_pushes_a_line_saying_what_follows_and_since_when() {
    if !available("jq", "--version") {
        eprintln!("skipping: jq not installed");
        return;
    }
    let (args, message) = alert_example("alert-ntfy", "curl");
    let args: Vec<&str> = args.lines().collect();
    assert!(
        args.contains(&"Title: tagwatch") && args.contains(&"Priority: urgent"),
        "{args:?}"
    );
    assert!(
        args.last().unwrap().starts_with("https://ntfy.sh/tagwatch-"),
        "{args:?}"
    );
    assert!(
        message.starts_with("AirTag (") && message.contains(") is following you since 2026-01-15T08:30:02"),
        "{message}"
    );
}

#[test]
fn the_mail_example_sends_the_alert_as_json() {
    let (args, body) = alert_example("alert-mail", "mail");
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        ["-s", "tagwatch: a tracker is following you", "you@example.com"]
    );
    let alert: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (alert["alert"].as_str(), alert["tracker"]["model"].as_str()),
        (Some("following"), Some("AirTag"))
    );
}
