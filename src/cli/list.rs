//! `list`: what the evidence database holds.

use std::io::Write;
use std::process::ExitCode;

use tagwatch::present;

use super::args::DbArgs;
use super::store_failed;

/// `list`: what the database holds, read only.
pub(crate) fn run(db: &DbArgs) -> ExitCode {
    let store = match db.open_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let data = match store.report_data(None, chrono::Utc::now().timestamp_micros()) {
        Ok(d) => d,
        Err(e) => return store_failed(&e),
    };
    let mut out = std::io::BufWriter::new(anstream::stdout());
    let _ = present::list::write(&data, super::lang(), &mut out).and_then(|()| out.flush());
    if !data.verification.intact() {
        super::warning(super::lang().t("list-not-verified"));
    }
    ExitCode::SUCCESS
}
