//! Provenance and chain of custody: where every record came from, what made it, the
//! evidence database and its chain, how an examiner checks it without tagwatch, and the
//! submission block the receiving officer signs.

use std::fmt::Write;

use super::html::{Col, Report};
use super::{Lang, esc};
use crate::evidence::{HEARD_EXACT, HEARD_RECONSTRUCTED};
use crate::i18n::Localised;
use crate::store::VerifyReport;

/// How to check the chain with sqlite3 and coreutils alone: recompute each record's hash from
/// the one before it, and check each record links to the hash of the one before.
/// hash(n) = SHA-256(hash(n-1) || seq as 8 bytes big-endian || kind || 0x00 || payload),
/// hash(0) = 32 zero bytes. Prints nothing but the count and head when the chain is intact.
pub const CHECK_RECIPE: &str = r#"DB=evidence.sqlite
sqlite3 "$DB" "SELECT seq, hex(prev_hash) || printf('%016X', seq) || hex(CAST(kind AS BLOB)) || '00' || hex(payload), lower(hex(hash)) FROM records ORDER BY seq" |
while IFS='|' read -r seq data hash; do
  [ "$(printf %s "$data" | basenc --base16 -d | sha256sum | cut -c1-64)" = "$hash" ] || echo "record $seq: hash does not match"
done
sqlite3 "$DB" "SELECT 'record ' || b.seq || ': not linked' FROM records a JOIN records b ON b.seq = a.seq + 1 WHERE b.prev_hash != a.hash UNION ALL SELECT 'record 1: not the start' FROM records WHERE seq = 1 AND prev_hash != zeroblob(32)"
sqlite3 "$DB" "SELECT (SELECT count(*) FROM records) || ' records, chain head ' || lower(hex(hash)) FROM records WHERE seq = (SELECT max(seq) FROM records)""#;

/// A report of evidence that does not verify says so at the top, where it breaks, and (in
/// print) on every page.
pub(crate) fn broken_banner(h: &mut String, verification: &VerifyReport, lang: Lang) {
    if verification.intact() {
        return;
    }
    let _ = write!(
        h,
        r#"<div class="broken-mark">{}</div><section class="broken" role="alert"><h2>{}</h2><p>{}</p>"#,
        esc(lang.t("broken_mark")),
        esc(lang.t("broken_title")),
        esc(lang.t("broken_text"))
    );
    problem_list(h, verification, lang);
    h.push_str("</section>");
}

fn problem_list(h: &mut String, verification: &VerifyReport, lang: Lang) {
    h.push_str("<ul class=\"problems\">");
    for p in &verification.problems {
        let _ = write!(h, "<li>{}</li>", esc(&p.text(lang)));
    }
    h.push_str("</ul>");
}

/// The provenance section: sources, tools, settings, times, the database and its chain,
/// anchors, the examiner's recipe, the appendix and the submission block.
pub(crate) fn provenance(h: &mut String, r: &Report) {
    let lang = r.lang;
    let data = r.data;
    let none = lang.t("none_value");
    let _ = write!(
        h,
        r#"<section class="provenance integrity"><h2>{}</h2><h3>{}</h3>"#,
        r.t("provenance_heading"),
        r.t("sources_heading")
    );
    let files: Vec<&crate::evidence::Source> = {
        let mut seen = std::collections::BTreeSet::new();
        data.sessions
            .iter()
            .flat_map(|s| &s.sources)
            .filter(|s| seen.insert((s.path.clone(), s.sha256.clone())))
            .collect()
    };
    if files.is_empty() {
        let _ = write!(h, "<p>{}</p>", r.t("no_sources"));
    } else {
        // One block per file, not a table: a printed hash must read as one run of text.
        h.push_str("<ol class=\"sources\">");
        for f in &files {
            let _ = write!(
                h,
                r#"<li><div class="hex">{}</div><div>{}: {}</div><div class="hex">SHA-256: {}</div></li>"#,
                esc(&f.path),
                r.t("col_size"),
                f.size.map_or(none.to_string(), crate::present::grouped),
                esc(f.sha256.as_deref().unwrap_or(lang.t("source_live")))
            );
        }
        h.push_str("</ol>");
        // What a live scan's "(exact bytes)" and "(reconstructed)" mean for its raw data.
        for (label, key) in [
            (HEARD_EXACT, "source_exact"),
            (HEARD_RECONSTRUCTED, "source_reconstructed"),
        ] {
            if files.iter().any(|f| f.path.ends_with(label)) {
                let _ = write!(h, "<p>{}</p>", r.t(key));
            }
        }
    }

    let tools: std::collections::BTreeSet<&str> = data
        .sessions
        .iter()
        .map(|s| s.tool.as_deref().unwrap_or(none))
        .collect();
    let first_session = data.sessions.iter().map(|s| s.started_us).min();
    let last_session = data.sessions.iter().filter_map(|s| s.ended_us).max();
    // Stacked, not side by side: a hash that wraps must print as one run of text.
    let _ = write!(h, "<h3>{}</h3><dl class=\"stack\">", r.t("custody_heading"));
    let facts: [(&str, String); 10] = [
        ("recorded_by", tools.into_iter().collect::<Vec<_>>().join(", ")),
        ("reported_by", crate::store::chain::tool()),
        ("settings", settings(r)),
        (
            "analysis_time",
            match (first_session, last_session) {
                (Some(a), Some(b)) => r.range(&r.when(a), &r.when(b)),
                (Some(a), None) => r.when(a),
                _ => none.to_string(),
            },
        ),
        ("generated", r.when(data.generated_us)),
        (
            "database",
            data.database.clone().unwrap_or_else(|| none.to_string()),
        ),
        (
            "chain_records",
            crate::present::grouped(data.verification.records),
        ),
        ("chain_head", data.verification.head.clone()),
        (
            "appendix",
            lang.fill(
                "appendix_text",
                &[
                    ("file", &r.appendix.0),
                    ("size", &crate::present::grouped(r.appendix.1 as u64)),
                ],
            ),
        ),
        ("appendix_sha", r.appendix.2.clone()),
    ];
    for (key, value) in facts {
        let class = if matches!(key, "chain_head" | "appendix_sha" | "database") {
            " class=\"hex\""
        } else {
            ""
        };
        let _ = write!(h, "<dt>{}</dt><dd{class}>{}</dd>", r.t(key), esc(&value));
    }
    h.push_str("</dl>");
    integrity(h, r);
    submission(h, r);
    h.push_str("</section>");
}

/// The settings each session judged with, "key=value" joined; sessions of older versions
/// kept none, and the report says so rather than guess.
fn settings(r: &Report) -> String {
    let mut lines: Vec<String> = r
        .data
        .sessions
        .iter()
        .filter(|s| !s.settings.is_empty())
        .map(|s| {
            let pairs: Vec<String> = s.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("#{}: {}", s.id, pairs.join(", "))
        })
        .collect();
    if r.data.sessions.iter().any(|s| s.settings.is_empty()) {
        lines.push(r.lang.t("settings_not_kept").to_string());
    }
    lines.join(" / ")
}

fn integrity(h: &mut String, r: &Report) {
    let lang = r.lang;
    let data = r.data;
    let _ = write!(
        h,
        r#"<h3>{}</h3><p>{}</p>"#,
        r.t("integrity_heading"),
        r.t("integrity_text"),
    );
    let verification = &data.verification;
    if !verification.intact() {
        let _ = write!(h, "<p class=\"following\">{}</p>", r.t("broken_title"));
        problem_list(h, verification, lang);
    }
    // Only the last session can hide a cut tail; earlier unclosed ones were crashes.
    for s in verification.unclosed_sessions.iter().filter(|s| s.last) {
        let (session, began) = (s.session.to_string(), super::rfc3339(s.started_us));
        let text = lang.fill(
            "unclosed_session",
            &[("session", &session), ("kind", &s.kind), ("time", &began)],
        );
        let _ = write!(h, "<p>{}</p>", esc(&text));
    }
    let _ = write!(
        h,
        r#"<p>{}</p><pre class="command">tagwatch verify --db PATH</pre><p>{}</p><pre class="command">{}</pre>"#,
        r.t("integrity_verify"),
        r.t("recipe_text"),
        esc(CHECK_RECIPE)
    );
    anchors(h, r);
}

/// What the chain proves with and without an anchor, and every anchor the database keeps (its
/// time, code, and a timestamp authority's time where one signed it).
fn anchors(h: &mut String, r: &Report) {
    let data = r.data;
    let _ = write!(
        h,
        "<h3>{}</h3><p>{}</p>",
        r.t("anchors_heading"),
        r.t("integrity_proves")
    );
    if data.anchors.is_empty() {
        let _ = write!(h, "<p>{}</p>", r.t("no_anchor"));
        return;
    }
    r.table_head(
        h,
        &[
            Col::Text("anchor_time"),
            Col::Text("anchor_code"),
            Col::Num("chain_records"),
            Col::Text("anchor_tsa"),
        ],
    );
    for a in &data.anchors {
        let stamped = a.timestamp.as_ref().map(|ts| {
            let head: Option<[u8; 32]> = hex::decode(&a.head).ok().and_then(|b| b.try_into().ok());
            match head.map(|head| crate::anchor::tsa::check_stored(&ts.token, &head)) {
                Some(Ok(time)) => format!("{} ({})", r.when(time.timestamp_micros()), ts.tsa),
                _ => r.lang.t("anchor_tsa_bad").to_string(),
            }
        });
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="hex">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
            esc(&r.when(a.time_us)),
            esc(&a.code),
            esc(&crate::present::grouped(a.records)),
            esc(&stamped.unwrap_or_else(|| "-".to_string()))
        );
    }
    let _ = write!(
        h,
        r#"</tbody></table><p>{}</p><pre class="command">tagwatch verify --anchor CODE --db PATH</pre>"#,
        r.t("anchor_verify")
    );
}

/// 提出・受領: blank lines for the date, who handed it over, who received it and signatures.
fn submission(h: &mut String, r: &Report) {
    let _ = write!(
        h,
        "<h3>{}</h3><p>{}</p><table><tbody>",
        r.t("submission_heading"),
        r.t("submission_text")
    );
    for key in [
        "submission_date",
        "submission_by",
        "submission_media",
        "submission_receiver",
        "submission_received_at",
        "submission_signature",
    ] {
        let _ = write!(
            h,
            "<tr><th style=\"width:30%\">{}</th><td class=\"blank\"></td></tr>",
            r.t(key)
        );
    }
    h.push_str("</tbody></table>");
}
