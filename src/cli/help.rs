//! `--help` in the chosen language. The English help is clap's, from the doc comments of the
//! argument structs; the Japanese is `locales/ja/cli-help.ftl`, put in place of it here.
//! Examples (`examples-COMMAND`) come from the catalogue in both languages.
//!
//! Keys: `about-PATH` for a command (PATH: `tagwatch`, `analyze`, `synth-demo`), and for an
//! argument `help-PATH-ID`, or `help-ID` when the argument means the same in every command.

use std::ffi::OsString;

use clap::{Arg, Command};

use tagwatch::i18n::Lang;
use tagwatch::present::wrap::{columns, wrap};

/// The width help is wrapped to when standard output is not a terminal.
pub(crate) const WIDTH_OFF_TERMINAL: usize = 100;
/// clap's indent of an argument's help written under it: its TAB and NEXT_LINE_INDENT.
const NEXT_LINE_INDENT: usize = 10;
/// Columns an argument's help needs beside it (24 wide characters); with fewer, a list writes each help under its
/// argument instead, as clap does.
const MIN_HELP_COLUMNS: usize = 48;

/// The first valid `--lang ja` or `--lang=ja` on the command line.
pub(crate) fn lang_in(argv: &[OsString]) -> Option<Lang> {
    let args: Vec<&str> = argv.iter().filter_map(|a| a.to_str()).collect();
    args.iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--lang") {
            Some("") => args.get(i + 1)?.parse().ok(),
            Some(v) => v.strip_prefix('=')?.parse().ok(),
            None => None,
        })
}

/// `cmd` with its help, every subcommand's and every argument's, in `lang`, and examples.
pub(crate) fn localise(mut cmd: Command, lang: Lang) -> Command {
    // clap breaks lines only at spaces and counts a wide character as one column: in a
    // language other than English, the help is written unbroken and [`wrap_help`] breaks it.
    if lang != Lang::En {
        cmd = cmd.term_width(0);
    }
    // Built first so clap's own --help, --version and `help` command are there to translate.
    cmd.build();
    localise_command(cmd, lang, None)
}

fn localise_command(mut cmd: Command, lang: Lang, parent: Option<&str>) -> Command {
    let name = cmd.get_name().to_string();
    let path = match parent {
        None => name.clone(),
        Some("tagwatch") => name.clone(),
        Some(parent) => format!("{parent}-{name}"),
    };
    // clap's `help` command lists the others: it needs no examples, and its own subcommands
    // are never shown.
    if name == "help" {
        return match lang {
            Lang::En => cmd,
            Lang::Ja => cmd.about(lang.t("about-help")),
        };
    }
    cmd = cmd.after_help(lang.t(&format!("examples-{path}")));
    if lang != Lang::En {
        cmd = cmd
            .about(lang.t(&format!("about-{path}")))
            .long_about(None)
            .help_template(lang.t("help-template"))
            .subcommand_help_heading(lang.t("help-heading-commands"));
        // Every argument goes through `mut_arg`, which moves it to the end: done for all, in
        // order, the order (and clap's index of long names, built before) stays as it was.
        let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
        for id in ids {
            cmd = cmd.mut_arg(&id, |a| localise_arg(a, lang, &path));
        }
    }
    let subcommands: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for sub in subcommands {
        cmd = cmd.mut_subcommand(&sub, |s| localise_command(s, lang, Some(&path)));
    }
    cmd
}

/// The help as clap wrote it, unbroken, in lines of at most `width` columns: East Asian wide
/// characters count two, a line breaks between them but not inside an ASCII word
/// ([`wrap`]); an argument's or command's help continues under where it started. A list
/// (blocks between blank lines) whose help would be left too narrow has every help written
/// under its argument. Example command lines stay whole, to be copied as they are.
pub(crate) fn wrap_help(text: &str, width: usize) -> String {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.split('\n').collect();
    for block in lines.split(|l| l.trim().is_empty()) {
        let narrow = block.iter().any(|line| {
            columns(line) > width
                && two_columns(line)
                    .is_some_and(|(_, help)| columns(&line[..help]) + MIN_HELP_COLUMNS > width)
        });
        for line in block {
            let lead = line.len() - line.trim_start_matches(' ').len();
            let rest = &line[lead..];
            match two_columns(line) {
                Some((end, help)) if narrow => {
                    out.push(line[..end].to_string());
                    let indent = " ".repeat(NEXT_LINE_INDENT);
                    out.extend(wrap(&format!("{indent}{}", &line[help..]), width, &indent));
                }
                Some((_, help)) => out.extend(wrap(line, width, &" ".repeat(columns(&line[..help])))),
                None if rest.starts_with("tagwatch ") => out.push(line.to_string()),
                // A comment in the examples goes on as a comment.
                None if rest.starts_with("# ") => {
                    out.extend(wrap(line, width, &format!("{}# ", &line[..lead])))
                }
                None => out.extend(wrap(line, width, &line[..lead])),
            }
        }
        out.push(String::new());
    }
    // The split put a blank line between blocks and one after the last: as many as were.
    out.truncate(out.len() - 1);
    out.join("\n")
}

/// Where a line of a list (`  --format <FORMAT>  出力…`) ends its first column and starts its
/// second: the first run of two spaces or more after something.
fn two_columns(line: &str) -> Option<(usize, usize)> {
    let start = line.len() - line.trim_start_matches(' ').len();
    let end = start + line[start..].find("  ")?;
    let help = end + line[end..].find(|c| c != ' ')?;
    Some((end, help))
}

fn localise_arg(arg: Arg, lang: Lang, path: &str) -> Arg {
    // A hidden argument (a test hook) is never shown: it keeps its English text.
    if arg.is_hide_set() {
        return arg;
    }
    let id = arg.get_id().to_string();
    let specific = format!("help-{path}-{id}");
    let key = match lang.has(&specific) {
        true => specific,
        false => format!("help-{id}"),
    };
    let heading = match arg.is_positional() {
        true => "help-heading-arguments",
        false => "help-heading-options",
    };
    // clap writes "[default: …]", "[possible values: …]" and "[env: …]" in English: they are
    // written here in the help's language instead.
    let mut help = lang.t(&key).to_string();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() && arg.get_action().takes_values() {
        help.push_str(&lang.fill("help-default", &[("value", &defaults.join(" "))]));
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !values.is_empty() && !arg.is_hide_possible_values_set() {
        help.push_str(&lang.fill(
            "help-values",
            &[("values", &values.join(lang.t("separator-list")))],
        ));
    }
    if let Some(env) = arg.get_env() {
        help.push_str(&lang.fill("help-env", &[("name", &env.to_string_lossy().into_owned())]));
    }
    arg.help(help)
        .long_help(None)
        .help_heading(lang.t(heading))
        .hide_default_value(true)
        .hide_possible_values(true)
        .hide_env(true)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::cli::Cli;

    /// Every command of `cmd` with its path, but clap's `help` command.
    fn commands(cmd: &Command, path: &str, out: &mut Vec<(String, Command)>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = format!("{path} {}", sub.get_name());
            out.push((path.clone(), sub.clone()));
            commands(sub, &path, out);
        }
    }

    /// Every command in `lang`, the root first, with its path and its examples.
    fn all_commands(lang: Lang) -> Vec<(String, Command, String)> {
        let root = localise(Cli::command(), lang);
        let mut all = vec![("tagwatch".to_string(), root.clone())];
        commands(&root, "tagwatch", &mut all);
        all.into_iter()
            .map(|(path, cmd)| {
                let after = cmd.get_after_help().map(|s| s.to_string()).unwrap_or_default();
                (path, cmd, after)
            })
            .collect()
    }

    #[test]
    fn every_command_and_argument_is_described_with_examples_in_both_languages() {
        for lang in Lang::ALL {
            // Test builds panic on a missing message, so localising is the first check.
            for (path, cmd, after) in all_commands(lang) {
                assert!(after.contains("tagwatch"), "{lang:?} {path}: no examples");
                assert!(cmd.get_about().is_some(), "{lang:?} {path}: no description");
                for arg in cmd.get_arguments() {
                    let help = arg.get_help().map(|s| s.to_string()).unwrap_or_default();
                    assert!(
                        !help.trim().is_empty(),
                        "{lang:?} {path} {}: no help",
                        arg.get_id()
                    );
                }
            }
        }
    }

    /// `line` split as a shell would: words, with '…' and "…" quoting.
    fn words(line: &str) -> Vec<String> {
        let (mut words, mut word, mut quote, mut started) = (Vec::new(), String::new(), None, false);
        for c in line.chars() {
            match (quote, c) {
                (None, '\'' | '"') => (quote, started) = (Some(c), true),
                (Some(q), c) if c == q => quote = None,
                (None, ' ') if started => {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
                (None, ' ') => {}
                _ => (word, started) = (word + &c.to_string(), true),
            }
        }
        words.extend(started.then_some(word));
        words
    }

    #[test]
    fn every_example_is_a_valid_command_line() {
        for lang in Lang::ALL {
            for (path, _, after) in all_commands(lang) {
                for line in after
                    .lines()
                    .map(str::trim)
                    .filter(|l| l.starts_with("tagwatch "))
                {
                    let parsed = Cli::command().try_get_matches_from(words(line));
                    if let Err(e) = parsed {
                        assert_eq!(
                            e.kind(),
                            clap::error::ErrorKind::DisplayHelp,
                            "{path}: {line}: {e}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn japanese_help_is_japanese_and_english_stays_claps() {
        let render = |lang, args: &[&str]| {
            let argv: Vec<OsString> = args.iter().map(OsString::from).collect();
            match localise(Cli::command(), lang).try_get_matches_from(argv) {
                Err(e) => e.render().to_string(),
                Ok(_) => panic!("--help is an early exit"),
            }
        };
        let ja = render(Lang::Ja, &["tagwatch", "--help"]);
        assert!(ja.contains("使い方: tagwatch"), "{ja}");
        assert!(ja.contains("コマンド:") && ja.contains("オプション:"), "{ja}");
        assert!(ja.contains("例:"), "{ja}");
        let analyze = render(Lang::Ja, &["tagwatch", "analyze", "--help"]);
        assert!(analyze.contains("引数:") && analyze.contains("追跡"), "{analyze}");
        assert!(!analyze.contains("Capture files"), "{analyze}");
        // clap's own bracketed notes are in Japanese too.
        assert!(
            analyze.contains("［既定：table］［値：table、json］"),
            "{analyze}"
        );
        assert!(
            !analyze.contains("[default:") && !analyze.contains("[possible values"),
            "{analyze}"
        );
        assert!(!analyze.contains("［既定：false］"), "{analyze}");
        let en = render(Lang::En, &["tagwatch", "analyze", "--help"]);
        assert!(
            en.contains("Usage: tagwatch analyze") && en.contains("Capture files"),
            "{en}"
        );
        assert!(en.contains("Examples:"), "{en}");
    }

    #[test]
    fn lang_is_found_before_parsing() {
        let argv = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            lang_in(&argv(&["tagwatch", "--lang", "ja", "--help"])),
            Some(Lang::Ja)
        );
        assert_eq!(lang_in(&argv(&["tagwatch", "scan", "--lang=en"])), Some(Lang::En));
        assert_eq!(
            lang_in(&argv(&["tagwatch", "--lang", "fr", "--lang", "ja"])),
            Some(Lang::Ja)
        );
        assert_eq!(lang_in(&argv(&["tagwatch", "--language", "ja"])), None);
        assert_eq!(lang_in(&argv(&["tagwatch", "--lang"])), None);
    }
}
