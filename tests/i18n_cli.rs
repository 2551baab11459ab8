//! The command line in Japanese and English, as a person runs it: clap's own mistakes, the
//! anchor and `verify --anchor` lines, `ring` refused, `report`'s suggestion, `synth`,
//! `analyze`'s closing line, and the Japanese `--help` wrapped to the terminal.

mod common;

use std::path::Path;

use common::*;
use unicode_width::UnicodeWidthStr;

const DEMO: &str = "captures/demo-synthetic.btsnoop";
const JA: (&str, &str) = ("LANG", "ja_JP.UTF-8");

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `tagwatch ARGS` with the environment `env`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = tagwatch();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `run` in Japanese (LANG) and with `--lang en` in the same Japanese locale.
fn both(args: &[&str]) -> (Out, Out) {
    let en: Vec<&str> = ["--lang", "en"].iter().chain(args).copied().collect();
    (run(args, &[JA]), run(&en, &[JA]))
}

/// Runs `args` in both languages: each exits `code` and says `ja` or `en` on standard error.
/// The Japanese run, to check more of it.
fn says(args: &[&str], code: i32, ja: &str, en: &str) -> Out {
    let (j, e) = both(args);
    assert_eq!(
        (j.code, e.code),
        (code, code),
        "{args:?}: {}{}",
        j.stderr,
        e.stderr
    );
    assert!(j.stderr.contains(ja), "{args:?}: {}", j.stderr);
    assert!(e.stderr.contains(en), "{args:?}: {}", e.stderr);
    j
}

#[test]
fn mistakes_on_the_command_line_are_japanese_and_exit_64() {
    // (arguments, the Japanese, the English clap writes)
    let cases: [(&[&str], &[&str], &str); 6] = [
        (
            &["analyze", "--bogus", DEMO],
            &[
                "エラー：「--bogus」という引数はありません",
                "使い方: tagwatch analyze",
            ],
            "unexpected argument '--bogus' found",
        ),
        (
            &["analyze", DEMO, "--format"],
            &["エラー：--format <FORMAT> に値がありません"],
            "a value is required for '--format <FORMAT>'",
        ),
        (
            &["analyze", DEMO, "--format", "xml"],
            &["エラー：「xml」は --format <FORMAT> の値として使えません（使える値：table、json）"],
            "invalid value 'xml' for '--format <FORMAT>'",
        ),
        (
            &["analyze"],
            &["エラー：次の引数が必要です：<CAPTURES>..."],
            "the following required arguments were not provided",
        ),
        (
            &["anlyze", DEMO],
            &[
                "エラー：「anlyze」というコマンドはありません",
                "もしかして：analyze",
            ],
            "unrecognized subcommand 'anlyze'",
        ),
        (
            &["sweep", "--duration", "soon"],
            &[
                "「soon」は --duration <DURATION> の値として使えません：90s、2m、1h のような時間の長さではありません",
            ],
            "invalid value 'soon' for '--duration <DURATION>': it is not a duration like 90s, 2m or 1h",
        ),
    ];
    for (args, japanese, english) in cases {
        let (ja, en) = both(args);
        assert_eq!(
            (ja.code, en.code),
            (64, 64),
            "{args:?}: {}{}",
            ja.stderr,
            en.stderr
        );
        assert!(ja.stdout.is_empty() && en.stdout.is_empty(), "{args:?}");
        for line in japanese {
            assert!(ja.stderr.contains(line), "{args:?}: {}", ja.stderr);
        }
        assert!(
            !ja.stderr.contains("error:") && !ja.stderr.contains("Usage"),
            "{}",
            ja.stderr
        );
        assert!(en.stderr.contains(english), "{args:?}: {}", en.stderr);
    }
    // Where to read more names the command the mistake was made in.
    let (ja, _) = both(&["synth", "demo", "--minutes", "x", "-o", "x-synthetic.btsnoop"]);
    assert!(
        ja.stderr
            .contains("詳しくは `tagwatch synth demo --help` をご覧ください。"),
        "{}",
        ja.stderr
    );
}

/// Every command's path, from `tagwatch --help` down.
fn commands() -> Vec<Vec<String>> {
    let mut all = vec![vec![]];
    let mut i = 0;
    while i < all.len() {
        let path = all[i].clone();
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.extend(["--lang", "en", "--help"]);
        let help = run(&args, &[]).stdout;
        // The commands are listed under "Commands:", two spaces in.
        let listed = help
            .lines()
            .skip_while(|l| *l != "Commands:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter_map(|l| l.strip_prefix("  ")?.split(' ').next())
            .filter(|name| !name.is_empty() && *name != "help");
        all.extend(listed.map(|name| [path.clone(), vec![name.to_string()]].concat()));
        i += 1;
    }
    all
}

/// The runs of ASCII letters, digits and marks in `text`, in order (but the `#` that goes
/// on a comment broken in two).
fn ascii_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_graphic())
        .filter(|w| !w.is_empty() && *w != "#")
        .map(String::from)
        .collect()
}

#[test]
fn japanese_help_fits_the_terminal_counting_wide_characters_twice() {
    let commands = commands();
    assert!(commands.len() > 15, "{commands:?}");
    for path in &commands {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = |columns: Option<&str>| {
            let mut env = vec![JA];
            env.extend(columns.map(|c| ("COLUMNS", c)));
            let out = run(&args, &env);
            assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
            out.stdout
        };
        // Not a terminal and no COLUMNS: 100 columns.
        for (text, width) in [(help(Some("80")), 80), (help(None), 100), (help(Some("60")), 60)] {
            assert!(text.contains("使い方: tagwatch"), "{args:?}: {text}");
            for line in text.lines() {
                // Example command lines stay whole, to be copied.
                if line.trim_start().starts_with("tagwatch ") {
                    continue;
                }
                assert!(
                    line.width() <= width,
                    "{args:?} at {width}: {} columns: {line}",
                    line.width()
                );
                let first = line.trim_start().chars().next();
                assert!(
                    !first.is_some_and(|c| "、。）」』］：".contains(c)),
                    "{args:?} at {width}: a line starts with closing punctuation: {line}"
                );
                assert!(
                    !line.ends_with(['（', '「', '［']),
                    "{args:?} at {width}: a line ends with an opening bracket: {line}"
                );
            }
            // Breaking lines never cut an ASCII word (an option, a path, a number) in two.
            let unbroken = help(Some("10000"));
            assert_eq!(ascii_words(&text), ascii_words(&unbroken), "{args:?} at {width}");
        }
    }
    // A help that would be too narrow beside its options is written under each one.
    let analyze = run(&["analyze", "--help"], &[JA, ("COLUMNS", "80")]).stdout;
    assert!(
        analyze.lines().any(|l| l == "      --format <FORMAT>"),
        "{analyze}"
    );
    let wide = run(&["analyze", "--help"], &[JA, ("COLUMNS", "200")]).stdout;
    assert!(
        wide.lines()
            .any(|l| l.starts_with("      --format <FORMAT>  ") && l.contains("出力")),
        "{wide}"
    );
    // English stays clap's own.
    let en = run(&["--lang", "en", "analyze", "--help"], &[JA]).stdout;
    assert!(
        en.contains("Usage: tagwatch analyze") && en.contains("Capture files"),
        "{en}"
    );
}

/// An evidence database in `dir` holding the demo capture's trackers; the first tracker's id.
fn evidence(dir: &Path) -> (String, String) {
    let db = dir.join("evidence.sqlite");
    let db = db.to_str().unwrap().to_string();
    let stored = run(&["analyze", DEMO, "--format", "json", "--db", &db], &[]);
    assert_eq!(stored.code, 0, "{}", stored.stderr);
    let json: serde_json::Value = serde_json::from_str(&stored.stdout).unwrap();
    let id = trackers(&json)[0]["id"].as_str().unwrap().to_string();
    (db, id)
}

#[test]
fn anchor_and_verify_anchor_speak_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = evidence(dir.path());
    let (ja, en) = both(&["anchor", "--no-qr", "--db", &db]);
    assert_eq!((ja.code, en.code), (0, 0), "{}{}", ja.stderr, en.stderr);
    assert!(ja.stdout.contains(" のアンカー（"), "{}", ja.stdout);
    assert!(
        ja.stdout
            .contains("このコードは、このパソコンから届かない場所に残してください"),
        "{}",
        ja.stdout
    );
    assert!(en.stdout.starts_with("Anchor of "), "{}", en.stdout);
    let field = |text: &str, label: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .unwrap_or_else(|| panic!("no {label} in {text}"))
            .trim()
            .to_string()
    };
    let code = field(&ja.stdout, "コード：");
    let records = field(&ja.stdout, "記録数：");
    assert!(code.starts_with("TW1-"), "{code}");
    assert!(field(&en.stdout, "code:").starts_with("TW1-"), "{}", en.stdout);
    // The values line up, whatever the width of the labels before them.
    let value_at = |line: &str| {
        let label = line.trim_start();
        let after = &label[label.find(' ').unwrap()..];
        line[..line.len() - after.trim_start().len()].width()
    };
    let columns: Vec<usize> = ja.stdout.lines().skip(1).take(4).map(value_at).collect();
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "{columns:?}: {}",
        ja.stdout
    );

    let (ja, en) = both(&["verify", "--db", &db, "--anchor", &code]);
    assert_eq!((ja.code, en.code), (0, 0), "{}{}", ja.stdout, en.stdout);
    assert!(
        ja.stdout.contains(&format!(
            "アンカー {code}：最初の {records} 件の記録は変わっていません。"
        )),
        "{}",
        ja.stdout
    );
    assert!(ja.stdout.contains("アンカーを残した日時："), "{}", ja.stdout);
    assert!(ja.stdout.contains("改変なし"), "{}", ja.stdout);
    assert!(
        en.stdout.contains(&format!(
            "anchor {code}: the first {records} records are unchanged"
        )),
        "{}",
        en.stdout
    );

    // A mistyped code: what is wrong with it, exit 64.
    let typo = code.replacen("TW1-", "TW1-9", 1);
    says(
        &["verify", "--db", &db, "--anchor", &typo],
        64,
        "チェック用の桁が合いません",
        "the check digits do not match",
    );
}

#[test]
fn ring_report_and_analyze_say_it_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let (db, id) = evidence(dir.path());

    // A tracker id the evidence does not hold: said before any radio, exit 7.
    says(
        &["ring", "tw-nothere", "--db", &db],
        7,
        "エラー：tw-nothere はアドレス（AA:BB:CC:DD:EE:FF）でも、証拠にあるトラッカーでもありません",
        "is neither an address",
    );

    // A tracker id with a typo: the near ones, in the person's language.
    let typo = format!("{}x", &id[..id.len() - 1]);
    let out = dir.path().join("reports");
    let out = out.to_str().unwrap();
    let ja = says(
        &["report", "--db", &db, "--tracker", &typo, "-o", out],
        7,
        &format!("もしかして：{id}"),
        &format!("did you mean: {id}?"),
    );
    assert!(
        ja.stderr.contains("`tagwatch list` ですべて見られます"),
        "{}",
        ja.stderr
    );

    // analyze's closing line.
    says(
        &["analyze", DEMO, "--db", &db],
        0,
        &format!(
            "証拠を {db} に保存しました。`tagwatch verify` で確認し、`tagwatch report -o DIR` で報告書を作れます。"
        ),
        &format!("Evidence kept in {db}: check it"),
    );
}

#[test]
fn a_tracker_whose_family_cannot_ring_is_refused_in_japanese() {
    // The commute's tracker is an AirTag, which can be rung, but not identified by
    // Bluetooth: refused before the radio, with the reason, exit 6.
    let dir = tempfile::tempdir().unwrap();
    commute(dir.path());
    let db = dir.path().join("evidence.sqlite");
    let db = db.to_str().unwrap();
    let capture = dir.path().join("commute_airtag-synthetic.btsnoop");
    let stored = run(
        &[
            "analyze",
            capture.to_str().unwrap(),
            "--format",
            "json",
            "--db",
            db,
        ],
        &[],
    );
    let json: serde_json::Value = serde_json::from_str(&stored.stdout).unwrap();
    let airtag = trackers(&json)
        .iter()
        .find(|t| t["family"] == "apple_find_my")
        .expect("an AirTag");
    let id = airtag["id"].as_str().unwrap();
    says(
        &["identify", id, "--db", db],
        6,
        "エラー：apple_find_my：対応していません：Apple は Find My トラッカーの識別子を所有者以外が Bluetooth で読む方法を公開していません",
        "apple_find_my: not supported: Apple publishes",
    );
}

#[test]
fn synth_says_what_it_wrote_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo-synthetic.btsnoop");
    let file = file.to_str().unwrap();
    let (ja, en) = both(&["synth", "demo", "--minutes", "1", "-o", file]);
    assert_eq!((ja.code, en.code), (0, 0), "{}", ja.stderr);
    assert!(
        ja.stderr.contains(&format!(" 件を {file} に書きました")),
        "{}",
        ja.stderr
    );
    assert!(ja.stderr.starts_with("合成データの電波 "), "{}", ja.stderr);
    assert!(
        en.stderr.contains(&format!("synthetic advertisements to {file}")),
        "{}",
        en.stderr
    );
    let scenarios = dir.path().to_str().unwrap();
    let (ja, _) = both(&["synth", "scenario", "commute_airtag", "-o", scenarios]);
    assert!(
        ja.stderr.starts_with("commute_airtag：合成データの電波 ") && ja.stderr.contains("分間）を"),
        "{}",
        ja.stderr
    );
}
