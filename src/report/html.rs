//! The HTML report: one self-contained file (inline CSS and SVG, no scripts, no external
//! resources) that prints to A4. It is also well-formed XML, which the tests rely on.

use std::fmt::{Display, Write};

use chrono::TimeZone;

use super::{Lang, distance, duration, esc, local_and_utc, rfc3339, snake, svg, utc};
use crate::classify::{Classifier, OwnerState};
use crate::evidence::{
    AnnotationRecord, HEARD_EXACT, HEARD_RECONSTRUCTED, NoteRecord, ReportData, SightingRecord, TrackerRecord,
};
use crate::store::{OWN, Problem, ProblemKind, VerifyReport};

const CSS: &str = r#"
@page { size: A4; margin: 15mm 12mm; }
body { font-family: system-ui, "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif;
  font-size: 10.5pt; color: #111; margin: 2em auto; max-width: 78em; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 2px solid #333; margin-top: 1.6em; }
h3 { font-size: 1.1em; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #999; padding: 0.25em 0.4em; vertical-align: top; text-align: left; }
th { background: #eee; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
.summary td, .sightings td { font-size: 0.85em; }
.meaning { min-width: 20em; }
.summary th { word-break: keep-all; }
.summary .reasons { min-width: 16em; }
.summary .following, .summary .not-following { min-width: 5em; }
.following { color: #a00; font-weight: bold; }
.own { color: #1a5e20; font-weight: normal; }
.risk-high { background: #fdd; }
.risk-medium { background: #fec; }
.mono, .hex { font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK JP", monospace; font-size: 0.85em; }
.hex { overflow-wrap: anywhere; word-break: break-all; max-width: 18em; }
.note-text { white-space: pre-wrap; }
.reasons-en { color: #444; font-size: 0.9em; margin-top: 0.3em; }
.reasons-en ul { margin: 0.1em 0 0 1.2em; padding: 0; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.1em 1em; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
svg { display: block; width: 100%; height: auto; max-height: 120mm; }
svg text { font-size: 13px; fill: #111; }
.map-bg { fill: #f7f7f2; stroke: #999; }
.route { fill: none; stroke: #888; stroke-width: 2.5; stroke-linejoin: round; }
.sighting { stroke: #000; stroke-width: 0.6; fill-opacity: 0.85; }
.start rect, .end rect { fill: none; stroke-width: 3; }
.start rect { stroke: #1a7f37; } .end rect { stroke: #000; }
.start text, .end text { font-weight: bold; }
.scale path { fill: none; stroke: #000; stroke-width: 2; }
.north path { fill: #000; } .north text { text-anchor: middle; font-weight: bold; }
.axis { fill: none; stroke: #555; } .tick { stroke: #555; }
.bar { fill: #6b8fc7; } .rssi { fill: #c22; }
figure { margin: 0.5em 0; } figcaption { font-size: 0.85em; color: #333; }
pre.command { background: #f2f2f2; padding: 0.5em; border: 1px solid #ccc; }
footer { margin-top: 2em; font-size: 0.85em; color: #555; }
.tracker { break-before: page; page-break-before: always; }
.broken { border: 3px solid #a00; background: #fdd; padding: 0.5em 1em; margin: 1em 0; }
.broken h2 { color: #a00; border-bottom: none; margin-top: 0.3em; }
.broken-mark { display: none; }
@media print {
  .broken-mark { display: block; position: fixed; top: 0; right: 0; color: #a00; font-weight: bold; }
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, svg { break-inside: avoid; page-break-inside: avoid; }
  .integrity { break-before: page; page-break-before: always; }
}
"#;

/// The report for a police consultation, in `lang`, with times in `tz` (a `FixedOffset`,
/// `chrono::Local` or a `chrono_tz` zone; its offset is printed as the zone's name).
pub fn render_html<Tz: TimeZone>(data: &ReportData, lang: Lang, tz: &Tz) -> String
where
    Tz::Offset: Display,
{
    let t = |key: &str| lang.t(key);
    let mut trackers: Vec<&TrackerRecord> = data.trackers.iter().collect();
    // Following ones first (the user's own after the others), the riskiest of them first,
    // then by time.
    trackers.sort_by_key(|r| {
        (
            !r.following,
            r.own,
            std::cmp::Reverse(risk_rank(&r.risk)),
            r.first_seen_us,
        )
    });

    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="{}"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>{}</title><style>{CSS}</style></head><body>"#,
        lang.code(),
        esc(t("title"))
    );
    let _ = write!(h, "<header><h1>{}</h1>", esc(t("title")));
    let zone = utc(data.generated_us).with_timezone(tz).format("%Z").to_string();
    let _ = write!(
        h,
        r#"<p class="generated">{}: {}</p><p>{}</p><p>{}</p></header>"#,
        esc(t("generated")),
        esc(&local_and_utc(data.generated_us, tz)),
        esc(t("intro")),
        esc(&lang.fill("time_zone", &[("tz", &zone)]))
    );

    broken_banner(&mut h, &data.verification, lang);
    summary(&mut h, &trackers, data, lang, tz);
    // Details for the trackers that follow the person, or for the one tracker asked about.
    let detailed = trackers
        .iter()
        .filter(|r| r.following || data.trackers.len() == 1);
    for (i, r) in detailed.enumerate() {
        let sightings: Vec<&SightingRecord> =
            data.sightings.iter().filter(|s| s.tracker_id == r.id).collect();
        tracker_section(&mut h, i, r, &sightings, data, lang, tz);
    }
    notes(&mut h, &data.notes, lang, tz);
    listening(&mut h, data, lang, tz);
    integrity(&mut h, data, lang, tz);
    let _ = writeln!(
        h,
        "<footer>{}</footer></body></html>",
        esc(&lang.fill("footer", &[("version", &env!("CARGO_PKG_VERSION"))]))
    );
    h
}

fn risk_rank(risk: &str) -> u8 {
    match risk {
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// "Apple Find My (...) — AirTag": the family's display name and the model.
fn type_name(r: &TrackerRecord) -> String {
    let family = Classifier::builtin()
        .family(&r.family)
        .map_or(r.family.as_str(), |f| f.name.as_str());
    match &r.model {
        Some(m) => format!("{family} — {m}"),
        None => family.to_string(),
    }
}

/// The family's plain-language description: English from its signature file, other
/// languages from the catalogue (English when a translation is missing).
fn meaning(family: &str, lang: Lang) -> &'static str {
    let english = Classifier::builtin()
        .family(family)
        .map_or("", |f| f.description.as_str());
    lang.family_description(family).unwrap_or(english)
}

fn owner_key(state: OwnerState) -> &'static str {
    match state {
        OwnerState::Separated => "owner_separated",
        OwnerState::NearOwner => "owner_near",
        OwnerState::Unknown => "owner_unknown",
    }
}

fn risk_label(risk: &str, lang: Lang) -> &'static str {
    match risk {
        "high" => lang.t("risk_high"),
        "medium" => lang.t("risk_medium"),
        "low" => lang.t("risk_low"),
        _ => lang.t("risk_none"),
    }
}

/// The battery level in `lang`; a level the catalogue does not know is shown as it is.
fn battery_label(level: Option<&str>, lang: Lang) -> String {
    let key = match level {
        None => "none_value",
        Some("full") => "battery_full",
        Some("medium") => "battery_medium",
        Some("low") => "battery_low",
        Some("critical") => "battery_critical",
        Some(other) => return other.to_string(),
    };
    lang.t(key).to_string()
}

fn verdict_label(r: &TrackerRecord, lang: Lang) -> &'static str {
    lang.t(if r.following {
        "following_yes"
    } else {
        "following_no"
    })
}

/// "1 place", "4 places": the singular or plural message, with `{n}` filled in.
fn count(n: u64, [one, other]: [&str; 2], lang: Lang) -> String {
    lang.fill(if n == 1 { one } else { other }, &[("n", &n)])
}

/// The verdict in `lang` as a phrase built from the record's numbers, then the verdict's own
/// reasons, which are English sentences, labelled as such rather than machine-translated.
fn reasons(h: &mut String, r: &TrackerRecord, lang: Lang) {
    let phrase = lang.fill(
        "verdict_phrase",
        &[
            (
                "sightings",
                &count(r.sightings, ["times_one", "times_other"], lang),
            ),
            (
                "places",
                &count(r.places as u64, ["places_one", "places_other"], lang),
            ),
            ("distance", &distance(r.max_distance_m)),
            (
                "duration",
                &duration(r.last_seen_us.saturating_sub(r.first_seen_us), lang),
            ),
            ("owner", &lang.t(owner_key(r.owner_state))),
        ],
    );
    let _ = write!(h, "<p>{}</p>", esc(&phrase));
    if r.reasons.is_empty() {
        return;
    }
    let _ = write!(
        h,
        r#"<div class="reasons-en">{}:<ul lang="en">"#,
        esc(lang.t("reasons_en_label"))
    );
    for reason in &r.reasons {
        let _ = write!(h, "<li>{}</li>", esc(reason));
    }
    h.push_str("</ul></div>");
}

fn summary<Tz: TimeZone>(h: &mut String, trackers: &[&TrackerRecord], data: &ReportData, lang: Lang, tz: &Tz)
where
    Tz::Offset: Display,
{
    let t = |key: &str| esc(lang.t(key));
    let _ = write!(h, "<section class=\"summary\"><h2>{}</h2>", t("summary_heading"));
    if trackers.is_empty() {
        let _ = write!(h, "<p>{}</p></section>", t("no_trackers"));
        return;
    }
    h.push_str("<table><thead><tr>");
    for key in [
        "col_type",
        "col_meaning",
        "col_first_seen",
        "col_last_seen",
        "col_sightings",
        "col_places",
        "col_distance",
        "col_verdict",
        "col_risk",
        "col_reasons",
    ] {
        let _ = write!(h, "<th>{}</th>", t(key));
    }
    h.push_str("</tr></thead><tbody>");
    for r in trackers {
        let _ = write!(
            h,
            r#"<tr class="risk-{}"><td>{}<br/><span class="mono">{}</span></td><td class="meaning">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="{}">{}{}</td><td>{}</td><td class="reasons">"#,
            risk_class(&r.risk),
            esc(&type_name(r)),
            esc(&r.id),
            esc(meaning(&r.family, lang)),
            esc(&local_and_utc(r.first_seen_us, tz)),
            esc(&local_and_utc(r.last_seen_us, tz)),
            r.sightings,
            r.places,
            esc(&distance(r.max_distance_m)),
            if r.following { "following" } else { "not-following" },
            esc(verdict_label(r, lang)),
            marked_own_at(r, data).map_or(String::new(), |at| format!(
                r#"<br/><span class="own">{}</span>"#,
                esc(&lang.fill("marked_own_short", &[("time", &local_and_utc(at, tz))]))
            )),
            esc(risk_label(&r.risk, lang)),
        );
        reasons(h, r, lang);
        h.push_str("</td></tr>");
    }
    h.push_str("</tbody></table></section>");
}

/// The risk as a CSS class name; only known values, since the text comes from the data.
fn risk_class(risk: &str) -> &'static str {
    match risk {
        "high" => "high",
        "medium" => "medium",
        "low" => "low",
        _ => "none",
    }
}

fn tracker_section<Tz: TimeZone>(
    h: &mut String,
    index: usize,
    r: &TrackerRecord,
    sightings: &[&SightingRecord],
    data: &ReportData,
    lang: Lang,
    tz: &Tz,
) where
    Tz::Offset: Display,
{
    let t = |key: &str| esc(lang.t(key));
    let none = lang.t("none_value");
    let _ = write!(
        h,
        r#"<section class="tracker"><h2>{}</h2><p><strong>{}</strong></p><p>{}</p>"#,
        esc(&lang.fill("tracker_heading", &[("id", &r.id)])),
        esc(&type_name(r)),
        esc(meaning(&r.family, lang))
    );
    let _ = write!(h, "<h3>{}</h3><dl class=\"facts\">", t("details"));
    let facts = [
        ("col_verdict", verdict_label(r, lang).to_string()),
        ("col_risk", risk_label(&r.risk, lang).to_string()),
        ("owner_state", lang.t(owner_key(r.owner_state)).to_string()),
        ("addresses", r.addresses.join(", ")),
        ("col_first_seen", local_and_utc(r.first_seen_us, tz)),
        ("col_last_seen", local_and_utc(r.last_seen_us, tz)),
        ("col_sightings", r.sightings.to_string()),
        ("col_places", r.places.to_string()),
        ("col_distance", distance(r.max_distance_m)),
        (
            "alert_at",
            r.alert_at_us.map_or(none.to_string(), |at| local_and_utc(at, tz)),
        ),
        ("battery", battery_label(r.battery.as_deref(), lang)),
    ];
    for (key, value) in facts {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", t(key), esc(&value));
    }
    if let Some(at) = marked_own_at(r, data) {
        let text = lang.fill(
            "marked_own",
            &[
                ("time", &local_and_utc(at, tz)),
                ("how", &how(own_annotation(r, data), lang)),
            ],
        );
        let _ = write!(
            h,
            "<dt>{}</dt><dd class=\"own\">{}</dd>",
            t("marked_own_label"),
            esc(&text)
        );
    }
    let _ = write!(h, "<dt>{}</dt><dd>", t("col_reasons"));
    reasons(h, r, lang);
    h.push_str("</dd></dl>");

    let _ = write!(h, "<h3>{}</h3>", t("map_heading"));
    match svg::map(index, sightings, &data.track, lang, tz) {
        Some(map) => {
            let _ = write!(
                h,
                "<figure>{map}<figcaption>{}</figcaption></figure>",
                t("map_caption")
            );
        }
        None => {
            let _ = write!(h, "<p>{}</p>", t("map_no_location"));
        }
    }
    if let Some((chart, bin_min)) = svg::timeline(sightings, tz) {
        let _ = write!(
            h,
            "<h3>{}</h3><figure>{chart}<figcaption>{}</figcaption></figure>",
            t("timeline_heading"),
            esc(&lang.fill("timeline_caption", &[("bin", &bin_min.to_string())]))
        );
    }

    let _ = write!(
        h,
        "<h3>{}</h3><table class=\"sightings\"><thead><tr><th>#</th>",
        t("table_heading")
    );
    for key in [
        "col_time",
        "col_position",
        "col_rssi",
        "col_address",
        "col_pdu",
        "col_source",
        "col_raw",
    ] {
        let _ = write!(h, "<th>{}</th>", t(key));
    }
    h.push_str("</tr></thead><tbody>");
    for (n, s) in sightings.iter().enumerate() {
        let position = s.position.map_or(none.to_string(), |p| {
            let acc = p.accuracy_m.map_or(String::new(), |a| format!(" ±{a:.0} m"));
            format!("{:.6}, {:.6}{acc}", p.lat, p.lon)
        });
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}<br/><span class="mono">{}</span></td><td class="mono">{}</td><td>{}</td><td class="mono">{} ({})</td><td class="mono">{}</td><td>{}</td><td class="hex">{}</td></tr>"#,
            n + 1,
            esc(&local_and_utc(s.time_us, tz)),
            esc(&rfc3339(s.time_us)),
            esc(&position),
            s.rssi.map_or(none.to_string(), |r| r.to_string()),
            esc(&s.address),
            esc(&snake(&s.address_type)),
            esc(&snake(&s.pdu)),
            esc(&s.source),
            esc(&s.raw_hex)
        );
    }
    h.push_str("</tbody></table>");
    // What "exact bytes" and "reconstructed" in the source column mean for the raw data.
    for (label, key) in [
        (HEARD_EXACT, "source_exact"),
        (HEARD_RECONSTRUCTED, "source_reconstructed"),
    ] {
        if sightings.iter().any(|s| s.source.ends_with(label)) {
            let _ = write!(h, "<p>{}</p>", t(key));
        }
    }
    h.push_str("</section>");
}

/// The first annotation that marked `r` as the user's own.
fn own_annotation<'d>(r: &TrackerRecord, data: &'d ReportData) -> Option<&'d AnnotationRecord> {
    data.annotations
        .iter()
        .find(|a| a.tracker_id == r.id && a.what == OWN)
}

/// When the user marked `r` as their own, if they did (`Store::report_data` gives the
/// earliest annotation's time).
fn marked_own_at(r: &TrackerRecord, data: &ReportData) -> Option<i64> {
    r.marked_own_at_us
        .or_else(|| own_annotation(r, data).map(|a| a.time_us))
}

/// How the user marked it, in `lang`.
fn how(annotation: Option<&AnnotationRecord>, lang: Lang) -> String {
    match annotation {
        Some(AnnotationRecord {
            file: Some(file),
            line: Some(line),
            ..
        }) => lang.fill("how_allow_list", &[("file", file), ("line", &line.to_string())]),
        Some(a) if a.line.is_none() => lang.t("how_live_view").to_string(),
        Some(a) => a.how.clone(),
        None => lang.t("none_value").to_string(),
    }
}

fn notes<Tz: TimeZone>(h: &mut String, notes: &[NoteRecord], lang: Lang, tz: &Tz)
where
    Tz::Offset: Display,
{
    let t = |key: &str| esc(lang.t(key));
    let _ = write!(h, "<section class=\"notes\"><h2>{}</h2>", t("notes_heading"));
    if notes.is_empty() {
        let _ = write!(h, "<p>{}</p></section>", t("no_notes"));
        return;
    }
    let _ = write!(
        h,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t("col_time"),
        t("col_note"),
        t("col_attachment"),
        t("col_sha256")
    );
    let none = lang.t("none_value");
    for n in notes {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="note-text">{}</td><td>{}</td><td class="hex">{}</td></tr>"#,
            esc(&local_and_utc(n.time_us, tz)),
            esc(&n.text),
            esc(n.attachment_name.as_deref().unwrap_or(none)),
            esc(n.attachment_sha256.as_deref().unwrap_or(none))
        );
    }
    h.push_str("</tbody></table></section>");
}

/// What was listened to, when: per live session, how long its radio listened (and why not)
/// and its positions were known, from its `coverage` records. Only where there are any.
fn listening<Tz: TimeZone>(h: &mut String, data: &ReportData, lang: Lang, tz: &Tz)
where
    Tz::Offset: Display,
{
    if data.listening.is_empty() {
        return;
    }
    let at = |us: i64, format: &str| utc(us).with_timezone(tz).format(format).to_string();
    let span = |s: crate::coverage::Span| {
        format!(
            "{}–{}",
            at(s.first_us, "%m-%d %H:%M:%S"),
            at(s.last_us, "%H:%M:%S")
        )
    };
    let _ = write!(
        h,
        "<section class=\"listening\"><h2>{}</h2><ul>",
        esc(lang.t("listening_heading"))
    );
    for session in &data.listening {
        let l = session.listening();
        let _ = write!(
            h,
            "<li>{} {}: {}; {}</li>",
            esc(&session.kind),
            esc(&local_and_utc(session.started_us, tz)),
            esc(&l.radio().statement(lang, &span)),
            esc(&l.positions().statement(lang, &span))
        );
    }
    h.push_str("</ul></section>");
}

/// A report of evidence that does not verify says so at the top, where it breaks, and (in
/// print) on every page.
fn broken_banner(h: &mut String, verification: &VerifyReport, lang: Lang) {
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
        let _ = write!(h, "<li>{}</li>", esc(&problem_text(p, lang)));
    }
    h.push_str("</ul>");
}

fn problem_text(p: &Problem, lang: Lang) -> String {
    let range = if p.first == p.last {
        lang.fill("range_one", &[("n", &p.first.to_string())])
    } else {
        let (first, last) = (p.first.to_string(), p.last.to_string());
        lang.fill("range_many", &[("first", &first), ("last", &last)])
    };
    let key = match p.kind {
        ProblemKind::Database => "problem_database",
        ProblemKind::SchemaObject => "problem_schema_object",
        ProblemKind::ContentChanged => "problem_content_changed",
        ProblemKind::LinkBroken => "problem_link_broken",
        ProblemKind::Missing if p.first == 1 => "problem_missing_start",
        ProblemKind::Missing => "problem_missing",
        ProblemKind::OutOfNumbering => "problem_out_of_numbering",
        ProblemKind::Unreadable => "problem_unreadable",
        ProblemKind::AttachmentMissing => "problem_attachment_missing",
        ProblemKind::AttachmentChanged => "problem_attachment_changed",
        ProblemKind::StrayAttachment => "problem_stray_attachment",
    };
    // In i128: a forged seq at the end of i64 must give a strange number, never an overflow.
    let (first, last) = (i128::from(p.first), i128::from(p.last));
    let (after, count) = ((first - 1).to_string(), (last - first + 1).to_string());
    lang.fill(
        key,
        &[
            ("range", &range),
            ("detail", &p.detail),
            ("after", &after),
            ("count", &count),
        ],
    )
}

fn integrity<Tz: TimeZone>(h: &mut String, data: &ReportData, lang: Lang, tz: &Tz)
where
    Tz::Offset: Display,
{
    let t = |key: &str| esc(lang.t(key));
    let _ = write!(
        h,
        r#"<section class="integrity"><h2>{}</h2><p>{}</p><dl class="facts"><dt>{}</dt><dd class="hex">{}</dd><dt>{}</dt><dd>{}</dd></dl>"#,
        t("integrity_heading"),
        t("integrity_text"),
        t("chain_head"),
        esc(&data.verification.head),
        t("chain_records"),
        data.verification.records,
    );
    let verification = &data.verification;
    if !verification.intact() {
        let _ = write!(h, "<p class=\"following\">{}</p>", t("broken_title"));
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
        r#"<p>{}</p><pre class="command">tagwatch verify --db PATH</pre>"#,
        t("integrity_verify")
    );
    anchors(h, data, lang, tz);
    h.push_str("</section>");
}

/// What the chain proves with and without an anchor, and every anchor the database keeps (its
/// time, code, and a timestamp authority's time where one signed it).
fn anchors<Tz: TimeZone>(h: &mut String, data: &ReportData, lang: Lang, tz: &Tz)
where
    Tz::Offset: Display,
{
    let t = |key: &str| esc(lang.t(key));
    let _ = write!(
        h,
        "<h3>{}</h3><p>{}</p>",
        t("anchors_heading"),
        t("integrity_proves")
    );
    if data.anchors.is_empty() {
        let _ = write!(h, "<p>{}</p>", t("no_anchor"));
        return;
    }
    let _ = write!(
        h,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t("anchor_time"),
        t("anchor_code"),
        t("chain_records"),
        t("anchor_tsa")
    );
    for a in &data.anchors {
        let stamped = a.timestamp.as_ref().map(|ts| {
            let head: Option<[u8; 32]> = hex::decode(&a.head).ok().and_then(|b| b.try_into().ok());
            match head.map(|head| crate::anchor::tsa::check_stored(&ts.token, &head)) {
                Some(Ok(time)) => format!("{} ({})", local_and_utc(time.timestamp_micros(), tz), ts.tsa),
                _ => lang.t("anchor_tsa_bad").to_string(),
            }
        });
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="hex">{}</td><td>{}</td><td>{}</td></tr>"#,
            esc(&local_and_utc(a.time_us, tz)),
            esc(&a.code),
            esc(&crate::present::grouped(a.records)),
            esc(&stamped.unwrap_or_else(|| "-".to_string()))
        );
    }
    let _ = write!(
        h,
        r#"</tbody></table><p>{}</p><pre class="command">tagwatch verify --anchor CODE --db PATH</pre>"#,
        t("anchor_verify")
    );
}
