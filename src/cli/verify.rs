//! `verify`: the evidence's hash chain checked read-only, and against anchors kept elsewhere.

use std::process::ExitCode;

use clap::Args;

use tagwatch::anchor::{self as anchors, Code};
use tagwatch::exit;
use tagwatch::i18n::{Arg, Localised};
use tagwatch::present;
use tagwatch::store::StoreError;

use super::args::DbArgs;
use super::store_failed;

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// Also prove the chain extends this anchor code (from `tagwatch anchor` or a
    /// session's end): the records it vouches for are unchanged. Repeatable.
    #[arg(long = "anchor", value_name = "CODE")]
    anchors: Vec<String>,
    #[command(flatten)]
    db: DbArgs,
}

impl VerifyArgs {
    pub(crate) fn run(&self) -> ExitCode {
        if self.anchors.is_empty() {
            verify(&self.db)
        } else {
            verify_anchors(&self.anchors, &self.db)
        }
    }
}

/// Checks the chain read-only; prints every damaged range and every session never closed.
fn verify(db: &DbArgs) -> ExitCode {
    let store = match db.open_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result = match store.verify() {
        Ok(r) => r,
        Err(e) => return store_failed(&e),
    };
    let path = present::neutralise(&store.path().display().to_string());
    let lang = super::lang();
    for s in &result.unclosed_sessions {
        println!(
            "{}",
            lang.fill("cli-warning", &[("text", &present::neutralise(&s.text(lang)))])
        );
    }
    let values: [(&str, &dyn Arg); 4] = [
        ("path", &path),
        ("records", &result.records),
        ("head", &result.head),
        ("n", &result.problems.len()),
    ];
    if result.intact() {
        println!("{}", lang.fill("verify-intact", &values));
        return ExitCode::SUCCESS;
    }
    println!("{}", lang.fill("verify-broken", &values));
    for p in &result.problems {
        println!("  {}", present::neutralise(&p.text(lang)));
    }
    ExitCode::from(exit::BROKEN)
}

/// `verify --anchor`: the plain check, then whether the chain extends each anchor.
fn verify_anchors(texts: &[String], db: &DbArgs) -> ExitCode {
    let mut codes = Vec::new();
    for text in texts {
        match Code::parse(text) {
            Ok(code) => codes.push(code),
            Err(e) => {
                super::error(&format!("--anchor {}", e.text(text, super::lang())));
                return ExitCode::from(exit::USAGE);
            }
        }
    }
    let store = match db.open_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let plain = verify(db);
    let mut all_hold = true;
    for code in &codes {
        let check = match store.check_anchor(code) {
            Ok(c) => c,
            // Damage to the file: the plain check above has said where.
            Err(e @ StoreError::Damaged { .. }) => {
                let values: [(&str, &dyn Arg); 2] = [
                    ("code", &code.short().to_string()),
                    ("error", &present::neutralise(&e.text(super::lang()))),
                ];
                println!("{}", super::lang().fill("anchor-unchecked", &values));
                all_hold = false;
                continue;
            }
            Err(e) => return store_failed(&e),
        };
        let (holds, lines) = anchors::explain(code, &check, super::lang());
        for line in lines {
            println!("{line}");
        }
        all_hold &= holds;
    }
    if all_hold {
        plain
    } else {
        ExitCode::from(exit::BROKEN)
    }
}
