//! What parsing the command line ends with before any command runs: help, the version, or a
//! mistake in the arguments. clap words its mistakes in English only, so in another
//! language they are written here from the error's kind and context; English keeps clap's.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::Command;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use tagwatch::exit;
use tagwatch::i18n::{Arg, Lang};
use tagwatch::present;

use super::help;

/// The command the arguments name, as far as they name one: `tagwatch synth demo`.
pub(crate) fn path(cmd: &Command, argv: &[OsString]) -> String {
    let mut path = vec![cmd.get_name().to_string()];
    let mut cmd = cmd;
    for arg in argv.iter().skip(1).filter_map(|a| a.to_str()) {
        if let Some(sub) = cmd.find_subcommand(arg) {
            path.push(sub.get_name().to_string());
            cmd = sub;
        }
    }
    path.join(" ")
}

/// Writes what clap stopped with in `lang` (`command`: the one the arguments name): help
/// and version exit 0, a mistake exits USAGE (64, never 2, which means an input could not
/// be read).
pub(crate) fn early_exit(e: &clap::Error, lang: Lang, command: &str) -> ExitCode {
    let code = ExitCode::from(if e.use_stderr() { exit::USAGE } else { exit::OK });
    let is_help = matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    let text = match lang {
        Lang::En => None,
        _ if is_help => {
            let width = present::table::terminal_width().unwrap_or(help::WIDTH_OFF_TERMINAL);
            Some(help::wrap_help(&e.render().ansi().to_string(), width))
        }
        _ if e.kind() == ErrorKind::DisplayVersion => None,
        _ => Some(mistake(e, lang, command)),
    };
    // A reader that stopped early (`--help | head`) is no failure.
    let _ = match (text, e.use_stderr()) {
        (None, _) => e.print(),
        (Some(text), true) => write!(anstream::stderr(), "{text}"),
        (Some(text), false) => write!(anstream::stdout(), "{text}"),
    };
    code
}

/// A mistake in the arguments in `lang`: what is wrong, a similar name when there is one,
/// the usage, and where to read more.
fn mistake(e: &clap::Error, lang: Lang, command: &str) -> String {
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(lang.t("separator-list")),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let (arg, value) = (text(ContextKind::InvalidArg), text(ContextKind::InvalidValue));
    let say = |key: &str, values: &[(&str, &dyn Arg)]| lang.fill(key, values);
    let what = match e.kind() {
        ErrorKind::UnknownArgument => say("usage-unknown-argument", &[("arg", &arg)]),
        ErrorKind::InvalidValue if value.is_empty() => say("usage-missing-value", &[("arg", &arg)]),
        ErrorKind::InvalidValue => {
            let mut what = say("usage-invalid-value", &[("arg", &arg), ("value", &value)]);
            let valid = text(ContextKind::ValidValue);
            if !valid.is_empty() {
                what.push_str(&say("usage-possible-values", &[("values", &valid)]));
            }
            what
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_default();
            let values: [(&str, &dyn Arg); 3] = [("arg", &arg), ("value", &value), ("why", &why)];
            say("usage-invalid-value-why", &values)
        }
        ErrorKind::InvalidSubcommand => say(
            "usage-unknown-command",
            &[("command", &text(ContextKind::InvalidSubcommand))],
        ),
        ErrorKind::MissingRequiredArgument => say("usage-missing-arguments", &[("args", &arg)]),
        ErrorKind::MissingSubcommand => say(
            "usage-missing-command",
            &[
                ("command", &text(ContextKind::InvalidSubcommand)),
                ("commands", &text(ContextKind::ValidSubcommand)),
            ],
        ),
        ErrorKind::ArgumentConflict => match text(ContextKind::PriorArg) {
            prior if prior == arg => say("usage-repeated", &[("arg", &arg)]),
            prior => say("usage-conflict", &[("arg", &arg), ("other", &prior)]),
        },
        ErrorKind::TooManyValues => say("usage-extra-value", &[("arg", &arg), ("value", &value)]),
        _ => lang.t("usage-other").to_string(),
    };
    let mut lines = vec![lang.fill("cli-error", &[("text", &present::neutralise(&what))])];
    let similar = [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .map(text)
    .find(|s| !s.is_empty());
    if let Some(similar) = similar {
        lines.push(format!("  {}", say("usage-similar", &[("similar", &similar)])));
    }
    // clap's usage, when it gives one: "Usage: tagwatch analyze [OPTIONS] <CAPTURES>...".
    if let Some(ContextValue::StyledStr(usage)) = e.get(ContextKind::Usage) {
        let usage = usage.to_string();
        let usage = usage.split_once(": ").map_or(usage.as_str(), |(_, u)| u).trim();
        lines.push(String::new());
        lines.push(say("usage-line", &[("usage", &usage)]));
    }
    lines.push(String::new());
    lines.push(say("usage-more", &[("command", &command)]));
    lines.join("\n") + "\n"
}
