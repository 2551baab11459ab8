//! The HTML report: one self-contained file (inline CSS and SVG, no scripts, nothing loaded
//! from elsewhere) that prints to A4, laid out for the police officer who reads it: the
//! summary on page 1, what the law asks and what the data shows, each following tracker in
//! condensed form, the person's own log, then provenance. It is also well-formed XML, which
//! the tests rely on.

use std::fmt::Write;

use super::condense::{self, Kind, Segment};
use super::{Lang, Zone, esc, svg};
use crate::classify::{Classifier, OwnerState};
use crate::evidence::{AnnotationRecord, ReportData, SightingRecord, TrackerRecord};
use crate::i18n::distance;
use crate::store::OWN;

/// At most this many trackers in the summary table: a flood of fake beacons must not bury
/// the real one. The rest are counted, and every sighting is in the appendix CSV.
pub(crate) const MAX_TABLE_ROWS: usize = 15;
/// At most this many following trackers get a section of their own.
pub(crate) const MAX_DETAILED: usize = 3;
/// At most this many Bluetooth addresses are listed per tracker (a clone has thousands).
const MAX_ADDRESSES: usize = 8;

const CSS: &str = r#"
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", system-ui, sans-serif;
  font-size: 10.5pt; color: #111; margin: 2em auto; max-width: 60em; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.5em; margin: 0 0 0.2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #333; margin-top: 1.4em; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 1.05em; margin-top: 1em; break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0; }
th, td { border: 1px solid #999; padding: 0.2em 0.35em; vertical-align: top; text-align: left; }
th { background: #eee; }
thead { display: table-header-group; }
tr, li, dl.facts > div { break-inside: avoid; page-break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; }
.small td, .small th { font-size: 0.82em; }
.following { color: #a00; font-weight: bold; }
.own { color: #1a5e20; font-weight: normal; }
.risk-high { background: #fdd; }
.risk-medium { background: #fec; }
.mono, .hex { font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK JP", monospace; font-size: 0.85em; }
.hex { overflow-wrap: anywhere; word-break: break-all; }
.note-text { white-space: pre-wrap; }
.notes td:nth-child(3), .notes td:nth-child(4) { min-width: 5.5em; }
.notes td:nth-child(7) { width: 32mm; }
.reasons, .reasons-en { color: #444; font-size: 0.9em; margin-top: 0.3em; }
.reasons ul, .reasons-en ul { margin: 0.1em 0 0 1.2em; padding: 0; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.1em 1em; margin: 0.4em 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
dl.stack dt { font-weight: bold; } dl.stack dd { margin: 0 0 0.3em 1.5em; overflow-wrap: anywhere; }
.conclusion { font-size: 1.2em; font-weight: bold; border: 2px solid #a00; padding: 0.4em 0.6em; margin: 0.5em 0; }
.conclusion.calm { border-color: #555; }
.gist-grid { display: grid; grid-template-columns: auto 44mm; gap: 0 1em; }
.thumb { width: 44mm; max-height: 60mm; object-fit: contain; border: 1px solid #999; }
.thumb-small { width: 30mm; max-height: 40mm; object-fit: contain; border: 1px solid #999; }
.next { margin: 0.3em 0 0 1.4em; padding: 0; }
.synthetic { border: 3px solid #b60; background: #fff3e0; padding: 0.3em 0.6em; font-weight: bold; color: #8a3b00; }
.check { width: 4em; text-align: center; }
.blank { height: 2.2em; }
svg { display: block; width: 100%; height: auto; }
svg.map { max-height: 110mm; } svg.timeline { max-height: 60mm; }
svg text { font-size: 13px; fill: #111; }
.map-bg { fill: #f7f7f2; stroke: #999; }
.route { fill: none; stroke: #888; stroke-width: 2.5; stroke-linejoin: round; }
.sighting { stroke: #000; stroke-width: 0.5; fill-opacity: 0.85; }
.stay circle { fill: #fff; stroke: #a00; stroke-width: 2.5; } .stay text { font-weight: bold; text-anchor: middle; }
.alert path { fill: #d00; stroke: #000; stroke-width: 1; } .alert text { font-weight: bold; fill: #a00; }
.start rect, .end rect { fill: none; stroke-width: 3; }
.start rect { stroke: #1a7f37; } .end rect { stroke: #000; }
.start text, .end text { font-weight: bold; }
.scale path { fill: none; stroke: #000; stroke-width: 2; }
.north path { fill: #000; } .north text { text-anchor: middle; font-weight: bold; }
.axis { fill: none; stroke: #555; } .tick { stroke: #555; }
.heard { fill: #2b5fae; } .not-heard { fill: #e4e4e4; } .stay-band { fill: #f2c94c; fill-opacity: 0.45; }
.signal { fill: none; stroke: #c22; stroke-width: 1.5; } .alert-line { stroke: #d00; stroke-width: 2; stroke-dasharray: 5 3; }
figure { margin: 0.4em 0; break-inside: avoid; page-break-inside: avoid; } figcaption { font-size: 0.85em; color: #333; }
pre.command { background: #f2f2f2; padding: 0.4em; border: 1px solid #ccc; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.8em; }
footer { margin-top: 2em; font-size: 0.85em; color: #555; }
.tracker { break-before: page; page-break-before: always; }
.broken { border: 3px solid #a00; background: #fdd; padding: 0.5em 1em; margin: 1em 0; }
.broken h2 { color: #a00; border-bottom: none; margin-top: 0.3em; }
.broken-mark { display: none; }
@media print {
  .broken-mark { display: block; position: fixed; top: 0; right: 0; color: #a00; font-weight: bold; }
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  .provenance, .legal { break-before: page; page-break-before: always; }
}
"#;

/// The page box: A4, and in its margins the report id and chain head (top) and the page
/// number (bottom) on every page, plus the synthetic-data mark where it applies.
fn page_css(id: &str, head: &str, synthetic: Option<&str>, lang: Lang) -> String {
    let quote = |s: &str| s.replace(['\\', '"', '\n'], " ");
    let mark = synthetic.map_or(String::new(), |m| {
        format!(
            r#"@top-right {{ content: "{}"; color: #8a3b00; font-weight: bold; font-size: 8pt; }}"#,
            quote(m)
        )
    });
    format!(
        r#"@page {{ size: A4; margin: 16mm 12mm 16mm 12mm;
  @top-left {{ content: "{}"; font-size: 8pt; color: #333; font-family: "Noto Sans CJK JP", sans-serif; }}
  {mark}
  @bottom-left {{ content: "{}"; font-size: 7pt; color: #555; font-family: monospace; }}
  @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 8pt; font-family: sans-serif; }} }}"#,
        quote(&lang.fill("page_report_id", &[("id", &id)])),
        quote(&lang.fill("page_chain_head", &[("head", &head)]))
    )
}

/// A column of a report table: its heading's message key and how it is aligned.
#[derive(Clone, Copy)]
pub(crate) enum Col {
    /// "#", the row number.
    Index,
    Text(&'static str),
    /// Numbers, right-aligned.
    Num(&'static str),
    /// A box to tick.
    Check(&'static str),
}

/// What one report is about, worked out once from the data.
pub(crate) struct Report<'a> {
    pub data: &'a ReportData,
    pub lang: Lang,
    pub zone: &'a Zone,
    /// Every tracker, most worrying first.
    pub ranked: Vec<&'a TrackerRecord>,
    /// The appendix CSV's file name, size and SHA-256.
    pub appendix: (&'a str, usize, String),
}

impl Report<'_> {
    pub(crate) fn t(&self, key: &str) -> String {
        esc(self.lang.t(key))
    }

    pub(crate) fn when(&self, us: i64) -> String {
        super::local_and_utc(us, self.zone)
    }

    /// Opens a small table with a header row of `columns`.
    pub(crate) fn table_head(&self, h: &mut String, columns: &[Col]) {
        h.push_str("<table class=\"small\"><thead><tr>");
        for column in columns {
            let _ = match *column {
                Col::Index => write!(h, "<th class=\"num\">#</th>"),
                Col::Text(key) => write!(h, "<th>{}</th>", self.t(key)),
                Col::Num(key) => write!(h, "<th class=\"num\">{}</th>", self.t(key)),
                Col::Check(key) => write!(h, "<th class=\"check\">{}</th>", self.t(key)),
            };
        }
        h.push_str("</tr></thead><tbody>");
    }

    /// "A 〜 B" in Japanese, "A – B" in English.
    pub(crate) fn range(&self, from: &str, to: &str) -> String {
        self.lang.fill("time_range", &[("from", &from), ("to", &to)])
    }

    /// The trackers that get a section: the following ones, most worrying first, or the one
    /// tracker the report was asked for.
    fn detailed(&self) -> Vec<&TrackerRecord> {
        if self.data.trackers.len() == 1 {
            return self.ranked.clone();
        }
        self.ranked
            .iter()
            .copied()
            .filter(|r| r.following)
            .take(MAX_DETAILED)
            .collect()
    }

    fn sightings_of(&self, id: &str) -> Vec<&SightingRecord> {
        self.data
            .sightings
            .iter()
            .filter(|s| s.tracker_id == id)
            .collect()
    }
}

/// "TW-20260115-1a2b3c4d": the report's date (in its zone) and the start of the chain head,
/// so a printed page names the evidence it came from.
pub(crate) fn report_id(data: &ReportData, zone: &Zone) -> String {
    let day = super::utc(data.generated_us)
        .with_timezone(&zone.offset)
        .format("%Y%m%d");
    let head: String = data.verification.head.chars().take(8).collect();
    format!("TW-{day}-{head}")
}

/// The text that marks synthetic data, when any source is synthetic (`tagwatch synth` names
/// its files `*-synthetic.*`).
pub(crate) fn synthetic(data: &ReportData) -> bool {
    let marked = |s: &str| s.to_ascii_lowercase().contains("synthetic");
    data.sessions
        .iter()
        .flat_map(|s| &s.sources)
        .any(|s| marked(&s.path))
        || data.sightings.iter().any(|s| marked(&s.source))
}

/// Following ones first (the user's own after the others), the riskiest, then the longest
/// heard and farthest carried: a real tag carried all day outranks beacons that each
/// follow for minutes.
pub(crate) fn rank(trackers: &[TrackerRecord]) -> Vec<&TrackerRecord> {
    let mut ranked: Vec<&TrackerRecord> = trackers.iter().collect();
    ranked.sort_by(|a, b| {
        let key = |r: &TrackerRecord| (!r.following, r.own, std::cmp::Reverse(risk_rank(&r.risk)));
        key(a)
            .cmp(&key(b))
            .then_with(|| span(b).cmp(&span(a)))
            .then_with(|| b.max_distance_m.total_cmp(&a.max_distance_m))
            .then_with(|| a.first_seen_us.cmp(&b.first_seen_us))
    });
    ranked
}

fn span(r: &TrackerRecord) -> i64 {
    r.last_seen_us.saturating_sub(r.first_seen_us)
}

/// The report in `lang` with times in `zone`; `appendix` is the CSV of every sighting
/// written beside it (its name and bytes).
pub fn render(data: &ReportData, lang: Lang, zone: &Zone, appendix: (&str, &[u8])) -> String {
    use sha2::Digest;
    let r = Report {
        data,
        lang,
        zone,
        ranked: rank(&data.trackers),
        appendix: (
            appendix.0,
            appendix.1.len(),
            hex::encode(sha2::Sha256::digest(appendix.1)),
        ),
    };
    let id = report_id(data, zone);
    let synthetic_mark = synthetic(data).then(|| lang.t("synthetic_mark"));
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="{}"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>{}</title><style>{}{CSS}</style></head><body>"#,
        lang.code(),
        r.t("title"),
        page_css(&id, &data.verification.head, synthetic_mark, lang)
    );
    let _ = write!(
        h,
        r#"<header><h1>{}</h1><p class="generated">{}: <span class="mono">{}</span> ・ {}: {} ・ {}</p></header>"#,
        r.t("title"),
        r.t("report_id"),
        esc(&id),
        r.t("generated"),
        esc(&r.when(data.generated_us)),
        esc(&lang.fill("time_zone", &[("tz", &zone.label(lang))]))
    );
    if let Some(mark) = synthetic_mark {
        let _ = write!(h, r#"<p class="synthetic">{}</p>"#, esc(mark));
    }
    super::provenance::broken_banner(&mut h, &data.verification, lang);
    gist(&mut h, &r);
    tracker_table(&mut h, &r);
    legal(&mut h, &r);
    for (i, t) in r.detailed().into_iter().enumerate() {
        tracker_section(&mut h, &r, i, t);
    }
    super::log::incident_log(&mut h, &r);
    super::log::sessions(&mut h, &r);
    super::log::listening(&mut h, &r);
    super::provenance::provenance(&mut h, &r);
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
pub(crate) fn type_name(r: &TrackerRecord, lang: Lang) -> String {
    let family = Classifier::builtin()
        .family(&r.family)
        .map_or(r.family.as_str(), |f| f.name.as_str());
    match &r.model {
        Some(m) => format!("{} — {}", lang.name(family), lang.name(m)),
        None => lang.name(family).to_string(),
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

/// The risk as a CSS class name; only known values, since the text comes from the data.
fn risk_class(risk: &str) -> &'static str {
    match risk {
        "high" => "high",
        "medium" => "medium",
        "low" => "low",
        _ => "none",
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
    let n_text = crate::present::grouped(n);
    lang.fill(if n == 1 { one } else { other }, &[("n", &n_text)])
}

/// The verdict in `lang` as a phrase built from the record's numbers, then the verdict's own
/// reasons: worded in `lang` from their codes, or, for records kept before reasons had codes,
/// the English sentences, labelled as such rather than machine-translated.
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
            ("duration", &lang.duration(span(r))),
            ("owner", &lang.t(owner_key(r.owner_state))),
        ],
    );
    let _ = write!(h, "<p>{}</p>", esc(&phrase));
    if !r.reason_codes.is_empty() {
        let _ = write!(h, r#"<div class="reasons">{}:<ul>"#, esc(lang.t("reasons_label")));
        for reason in &r.reason_codes {
            let _ = write!(h, "<li>{}</li>", esc(&reason.text(lang)));
        }
        h.push_str("</ul></div>");
        return;
    }
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

/// Page 1: the conclusion in one sentence, the facts an officer asks first, a photo, and
/// what the person should do next.
fn gist(h: &mut String, r: &Report) {
    let lang = r.lang;
    let data = r.data;
    let _ = write!(h, r#"<section class="gist"><h2>{}</h2>"#, r.t("gist_heading"));
    let following: Vec<&TrackerRecord> = r
        .ranked
        .iter()
        .copied()
        .filter(|t| t.following && !t.own)
        .collect();
    let Some(top) = following.first().copied() else {
        let key = if data.trackers.is_empty() && data.sightings.is_empty() {
            "conclusion_nothing"
        } else {
            "conclusion_none_following"
        };
        let n = data.trackers.len().to_string();
        let _ = write!(
            h,
            r#"<p class="conclusion calm">{}</p>"#,
            esc(&lang.fill(key, &[("n", &n)]))
        );
        next_steps(h, r, None);
        h.push_str("</section>");
        return;
    };
    let owner = match top.owner_state {
        OwnerState::Separated => lang.t("conclusion_owner_separated"),
        OwnerState::NearOwner => lang.t("conclusion_owner_near"),
        OwnerState::Unknown => "",
    };
    let mut conclusion = lang.fill(
        "conclusion_following",
        &[
            ("product", &crate::present::product(top, lang)),
            ("owner", &owner),
            ("duration", &lang.duration(span(top))),
        ],
    );
    if following.len() > 1 {
        conclusion.push_str(&lang.fill("conclusion_more", &[("n", &(following.len() - 1).to_string())]));
    }
    let _ = write!(h, r#"<p class="conclusion">{}</p>"#, esc(&conclusion));

    let sightings = r.sightings_of(&top.id);
    let segments = condense::segments(&sightings);
    let stays = segments.iter().filter(|s| s.kind == Kind::Stay).count();
    let photo = super::log::photo_of(data, &top.id);
    h.push_str(r#"<div class="gist-grid"><dl class="facts">"#);
    let mut fact = |key: &str, value: String| {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(lang.t(key)), value);
    };
    fact(
        "gist_period",
        esc(&r.range(&r.when(top.first_seen_us), &r.when(top.last_seen_us))),
    );
    fact("gist_found_by", esc(&found_by(r)));
    fact(
        "gist_identity",
        format!(
            "{}<br/><span class=\"mono\">{}</span>{}",
            esc(&type_name(top, lang)),
            esc(&top.id),
            super::log::identity_line(data, &top.id, lang)
                .map_or(String::new(), |l| format!("<br/>{}", esc(&l)))
        ),
    );
    fact(
        "gist_places",
        esc(&lang.fill(
            "gist_places_text",
            &[
                (
                    "places",
                    &count(top.places as u64, ["places_one", "places_other"], lang),
                ),
                ("stays", &stays.to_string()),
                ("distance", &distance(top.max_distance_m)),
                ("path", &distance(condense::path_m(&segments))),
                (
                    "sightings",
                    &count(top.sightings, ["times_one", "times_other"], lang),
                ),
            ],
        )),
    );
    fact(
        "gist_alert",
        esc(&top
            .alert_at_us
            .map_or(lang.t("none_value").to_string(), |at| r.when(at))),
    );
    h.push_str("</dl>");
    match photo {
        Some(img) => {
            let _ = write!(h, "<figure>{img}</figure>");
        }
        None => {
            let _ = write!(h, "<p class=\"small\">{}</p>", r.t("gist_no_photo"));
        }
    }
    h.push_str("</div>");
    next_steps(h, r, Some(top));
    h.push_str("</section>");
}

/// Who recorded it and with what: the kinds of session and their sources.
fn found_by(r: &Report) -> String {
    let kinds: Vec<&str> = r
        .data
        .sessions
        .iter()
        .map(|s| super::log::session_kind(&s.kind, r.lang))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let how = if kinds.is_empty() {
        r.lang.t("none_value").to_string()
    } else {
        kinds.join("・")
    };
    r.lang.fill("gist_found_by_text", &[("how", &how)])
}

fn next_steps(h: &mut String, r: &Report, top: Option<&TrackerRecord>) {
    let _ = write!(h, "<h3>{}</h3><ol class=\"next\">", r.t("next_heading"));
    let id = top.map_or("ID", |t| t.id.as_str());
    for key in ["next_police", "next_keep", "next_photo"] {
        let _ = write!(h, "<li>{}</li>", esc(&r.lang.fill(key, &[("id", &id)])));
    }
    h.push_str("</ol>");
}

/// Every tracker, most worrying first, at most [`MAX_TABLE_ROWS`].
fn tracker_table(h: &mut String, r: &Report) {
    let lang = r.lang;
    let _ = write!(
        h,
        "<section class=\"summary\"><h2>{}</h2>",
        r.t("summary_heading")
    );
    if r.ranked.is_empty() {
        let _ = write!(h, "<p>{}</p></section>", r.t("no_trackers"));
        return;
    }
    r.table_head(
        h,
        &[
            Col::Index,
            Col::Text("col_type"),
            Col::Text("col_verdict"),
            Col::Text("col_first_seen"),
            Col::Text("col_last_seen"),
            Col::Text("col_sightings"),
            Col::Text("col_places"),
            Col::Text("col_distance"),
        ],
    );
    for (n, t) in r.ranked.iter().take(MAX_TABLE_ROWS).enumerate() {
        let own = marked_own_at(t, r.data).map_or(String::new(), |at| {
            format!(
                r#"<br/><span class="own">{}</span>"#,
                esc(&lang.fill("marked_own_short", &[("time", &r.when(at))]))
            )
        });
        let _ = write!(
            h,
            r#"<tr class="risk-{}"><td class="num">{}</td><td>{}<br/><span class="mono">{}</span></td><td class="{}">{}<br/>{}: {}{own}</td><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            risk_class(&t.risk),
            n + 1,
            esc(&type_name(t, lang)),
            esc(&t.id),
            if t.following { "following" } else { "not-following" },
            esc(verdict_label(t, lang)),
            r.t("col_risk"),
            esc(risk_label(&t.risk, lang)),
            esc(&r.when(t.first_seen_us)),
            esc(&r.when(t.last_seen_us)),
            crate::present::grouped(t.sightings),
            t.places,
            esc(&distance(t.max_distance_m)),
        );
    }
    h.push_str("</tbody></table>");
    let rest = r.ranked.len().saturating_sub(MAX_TABLE_ROWS);
    if rest > 0 {
        let _ = write!(
            h,
            "<p>{}</p>",
            esc(&lang.fill(
                "table_rest",
                &[
                    ("n", &crate::present::grouped(rest as u64)),
                    ("file", &r.appendix.0)
                ]
            ))
        );
    }
    let following = r.ranked.iter().filter(|t| t.following).count();
    if following > MAX_DETAILED && r.data.trackers.len() > 1 {
        let _ = write!(
            h,
            "<p>{}</p>",
            esc(&lang.fill(
                "detailed_cap",
                &[
                    ("shown", &MAX_DETAILED.to_string()),
                    ("n", &following.to_string())
                ]
            ))
        );
    }
    h.push_str("</section>");
}

/// The law the findings map to, what the data can and cannot show, and the checklist the
/// officer fills in.
fn legal(h: &mut String, r: &Report) {
    let lang = r.lang;
    let _ = write!(
        h,
        r#"<section class="legal"><h2>{}</h2><p>{}</p><ul><li>{}</li><li>{}</li></ul><p>{}</p>"#,
        r.t("legal_heading"),
        r.t("legal_intro"),
        r.t("legal_2021"),
        r.t("legal_2025"),
        r.t("legal_not_judgement")
    );
    let top = r.ranked.iter().copied().find(|t| t.following && !t.own);
    let days = days_heard(r);
    let by_data = |key: &str| -> String {
        let Some(t) = top else {
            return lang.t("check_no_follower").to_string();
        };
        lang.fill(
            key,
            &[
                ("product", &type_name(t, lang)),
                ("owner", &lang.t(owner_key(t.owner_state))),
                (
                    "places",
                    &count(t.places as u64, ["places_one", "places_other"], lang),
                ),
                ("distance", &distance(t.max_distance_m)),
                ("duration", &lang.duration(span(t))),
                ("days", &days.to_string()),
            ],
        )
    };
    let _ = write!(h, "<h3>{}</h3>", r.t("check_heading"));
    r.table_head(
        h,
        &[
            Col::Text("check_element"),
            Col::Text("check_data"),
            Col::Text("check_person"),
            Col::Check("check_tick"),
        ],
    );
    let person = lang.t("check_person_supplies");
    for (element, data_says) in [
        ("check_device", by_data("check_device_data")),
        ("check_separated", by_data("check_separated_data")),
        ("check_moved", by_data("check_moved_data")),
        ("check_repeated", by_data("check_repeated_data")),
        ("check_who", lang.t("check_not_in_data").to_string()),
        ("check_purpose", lang.t("check_not_in_data").to_string()),
        ("check_consent", lang.t("check_not_in_data").to_string()),
        ("check_relation", lang.t("check_not_in_data").to_string()),
    ] {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"blank\">{}</td><td class=\"check\">☐</td></tr>",
            r.t(element),
            esc(&data_says),
            if data_says == lang.t("check_not_in_data") {
                esc(person)
            } else {
                String::new()
            }
        );
    }
    h.push_str("</tbody></table>");
    let _ = write!(h, "<h3>{}</h3><ul>", r.t("proves_heading"));
    for key in [
        "proves_positions",
        "proves_addresses",
        "proves_chain",
        "proves_verdict",
        "proves_silence",
    ] {
        let _ = write!(h, "<li>{}</li>", r.t(key));
    }
    h.push_str("</ul></section>");
}

/// On how many days (in the report's zone) any following tracker was heard.
fn days_heard(r: &Report) -> usize {
    let following: std::collections::HashSet<&str> = r
        .ranked
        .iter()
        .filter(|t| t.following && !t.own)
        .map(|t| t.id.as_str())
        .collect();
    r.data
        .sightings
        .iter()
        .filter(|s| following.contains(s.tracker_id.as_str()))
        .map(|s| super::utc(s.time_us).with_timezone(&r.zone.offset).date_naive())
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

fn tracker_section(h: &mut String, r: &Report, index: usize, t: &TrackerRecord) {
    let lang = r.lang;
    let none = lang.t("none_value");
    let sightings = r.sightings_of(&t.id);
    let segments = condense::segments(&sightings);
    let _ = write!(
        h,
        r#"<section class="tracker"><h2>{}</h2><p><strong>{}</strong> — {}</p>"#,
        esc(&lang.fill("tracker_heading", &[("id", &t.id)])),
        esc(&type_name(t, lang)),
        esc(meaning(&t.family, lang))
    );
    super::log::identification(h, r, t, &sightings);

    let _ = write!(h, "<h3>{}</h3><dl class=\"facts\">", r.t("details"));
    let mut addresses: Vec<String> = t.addresses.iter().take(MAX_ADDRESSES).cloned().collect();
    if t.addresses.len() > MAX_ADDRESSES {
        addresses.push(lang.fill(
            "more_addresses",
            &[("n", &(t.addresses.len() - MAX_ADDRESSES).to_string())],
        ));
    }
    let facts = [
        ("col_verdict", verdict_label(t, lang).to_string()),
        ("col_risk", risk_label(&t.risk, lang).to_string()),
        ("owner_state", lang.t(owner_key(t.owner_state)).to_string()),
        ("addresses", addresses.join(", ")),
        ("col_first_seen", r.when(t.first_seen_us)),
        ("col_last_seen", r.when(t.last_seen_us)),
        ("col_sightings", crate::present::grouped(t.sightings)),
        ("col_places", t.places.to_string()),
        ("col_distance", distance(t.max_distance_m)),
        (
            "alert_at",
            t.alert_at_us.map_or(none.to_string(), |at| r.when(at)),
        ),
        ("battery", battery_label(t.battery.as_deref(), lang)),
    ];
    for (key, value) in facts {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", r.t(key), esc(&value));
    }
    if let Some(at) = marked_own_at(t, r.data) {
        let text = lang.fill(
            "marked_own",
            &[
                ("time", &r.when(at)),
                ("how", &how(own_annotation(t, r.data), lang)),
            ],
        );
        let _ = write!(
            h,
            "<dt>{}</dt><dd class=\"own\">{}</dd>",
            r.t("marked_own_label"),
            esc(&text)
        );
    }
    let _ = write!(h, "<dt>{}</dt><dd>", r.t("col_reasons"));
    reasons(h, t, lang);
    h.push_str("</dd></dl>");

    let alert = t.alert_at_us.and_then(|at| {
        sightings
            .iter()
            .filter(|s| s.position.is_some())
            .min_by_key(|s| (i128::from(s.time_us) - i128::from(at)).unsigned_abs())
            .copied()
    });
    let _ = write!(h, "<h3>{}</h3>", r.t("map_heading"));
    match svg::map(index, &segments, &sightings, &r.data.track, alert, lang, r.zone) {
        Some(map) => {
            let _ = write!(
                h,
                "<figure>{map}<figcaption>{}</figcaption></figure>",
                r.t("map_caption")
            );
            key_points(h, r, &segments, &sightings, alert);
        }
        None => {
            let _ = write!(h, "<p>{}</p>", r.t("map_no_location"));
        }
    }
    if let Some(chart) = svg::timeline(&sightings, &segments, t.alert_at_us, lang, r.zone) {
        let _ = write!(
            h,
            "<h3>{}</h3><figure>{chart}<figcaption>{}</figcaption></figure>",
            r.t("timeline_heading"),
            r.t("timeline_caption")
        );
    }
    condensed_table(h, r, &segments);
    h.push_str("</section>");
}

/// 地理院地図 and OpenStreetMap at a point: links only, nothing is loaded.
fn map_links(lat: f64, lon: f64) -> String {
    format!(
        r#"<a href="https://maps.gsi.go.jp/#17/{lat:.6}/{lon:.6}/">地理院地図</a> ・ <a href="https://www.openstreetmap.org/?mlat={lat:.6}&amp;mlon={lon:.6}#map=17/{lat:.6}/{lon:.6}">OpenStreetMap</a>"#
    )
}

/// The numbered stays, the first and last sightings and the alert point, with coordinates
/// and links.
fn key_points(
    h: &mut String,
    r: &Report,
    segments: &[Segment],
    sightings: &[&SightingRecord],
    alert: Option<&SightingRecord>,
) {
    let lang = r.lang;
    r.table_head(
        h,
        &[
            Col::Text("col_point"),
            Col::Text("col_time"),
            Col::Text("col_position"),
            Col::Text("col_links"),
        ],
    );
    let mut row = |label: String, from: i64, to: Option<i64>, (lat, lon): (f64, f64)| {
        let time = match to {
            Some(to) => r.range(&r.when(from), &hm(to, r.zone)),
            None => r.when(from),
        };
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td class="mono">{lat:.6}, {lon:.6}</td><td>{}</td></tr>"#,
            esc(&label),
            esc(&time),
            map_links(lat, lon)
        );
    };
    let located = |s: &&&SightingRecord| s.position.is_some();
    if let Some(first) = sightings
        .iter()
        .find(located)
        .and_then(|s| s.position.map(|p| (s, p)))
    {
        row(
            lang.t("point_first").to_string(),
            first.0.time_us,
            None,
            (first.1.lat, first.1.lon),
        );
    }
    for (n, s) in segments.iter().filter(|s| s.kind == Kind::Stay).enumerate() {
        if let Some(p) = s.position {
            let label = lang.fill("point_stay", &[("n", &(n + 1).to_string())]);
            row(label, s.start_us, Some(s.end_us), p);
        }
    }
    if let Some(a) = alert.and_then(|s| s.position.map(|p| (s, p))) {
        row(
            lang.t("point_alert").to_string(),
            a.0.time_us,
            None,
            (a.1.lat, a.1.lon),
        );
    }
    if let Some(last) = sightings
        .iter()
        .rev()
        .find(located)
        .and_then(|s| s.position.map(|p| (s, p)))
    {
        row(
            lang.t("point_last").to_string(),
            last.0.time_us,
            None,
            (last.1.lat, last.1.lon),
        );
    }
    h.push_str("</tbody></table>");
}

/// "17:05" in the report's zone.
fn hm(us: i64, zone: &Zone) -> String {
    super::utc(us)
        .with_timezone(&zone.offset)
        .format("%H:%M:%S")
        .to_string()
}

/// One row per stay and per minute of travel; every sighting is in the appendix.
fn condensed_table(h: &mut String, r: &Report, segments: &[Segment]) {
    let lang = r.lang;
    let _ = write!(
        h,
        "<h3>{}</h3><p>{}</p>",
        r.t("table_heading"),
        esc(&lang.fill("table_intro", &[("file", &r.appendix.0)])),
    );
    r.table_head(
        h,
        &[
            Col::Text("col_segment"),
            Col::Text("col_time"),
            Col::Num("col_sightings"),
            Col::Text("col_position"),
            Col::Num("col_rssi"),
        ],
    );
    let mut stay = 0;
    for s in segments {
        let what = match s.kind {
            Kind::Stay => {
                stay += 1;
                lang.fill(
                    "segment_stay",
                    &[
                        ("n", &stay.to_string()),
                        ("duration", &lang.duration(s.end_us - s.start_us)),
                    ],
                )
            }
            Kind::Travel => lang.t("segment_travel").to_string(),
            Kind::Unlocated => lang.t("segment_unlocated").to_string(),
        };
        let time = if s.start_us == s.end_us {
            r.when(s.start_us)
        } else {
            r.range(&r.when(s.start_us), &hm(s.end_us, r.zone))
        };
        let position = s.position.map_or(lang.t("none_value").to_string(), |(lat, lon)| {
            format!("{lat:.5}, {lon:.5}")
        });
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td class="num">{}</td><td class="mono">{}</td><td class="num">{}</td></tr>"#,
            esc(&what),
            esc(&time),
            crate::present::grouped(s.sightings as u64),
            esc(&position),
            s.rssi_max
                .map_or(lang.t("none_value").to_string(), |v| v.to_string())
        );
    }
    h.push_str("</tbody></table>");
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
