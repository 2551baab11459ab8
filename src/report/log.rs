//! The person's own evidence in the report: the identification read off each tracker, photos,
//! the incident log (notes by when they happened, beside the detections) and the sessions
//! and sweeps that recorded it.

use std::fmt::Write;

use base64::Engine;

use super::html::{Col, Report};
use super::{Lang, esc};
use crate::evidence::{NoteCategory, NoteRecord, ReportData, SightingRecord, TrackerRecord};

/// The image type of attached bytes, for the ones a browser shows: JPEG, PNG, WebP, GIF.
pub fn image_type(data: &[u8]) -> Option<&'static str> {
    match data {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        _ => None,
    }
}

/// When a photo says it was taken (EXIF DateTimeOriginal, else DateTime, with the offset the
/// camera wrote, if any), as the file says it: the camera's clock may be wrong or in another
/// zone, so it is shown beside the note's times, never in place of them.
pub(crate) fn exif_time(bytes: &[u8]) -> Option<String> {
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .ok()?;
    let text = |tag| {
        exif.get_field(tag, exif::In::PRIMARY)
            .map(|f| f.display_value().to_string().trim_matches('"').to_string())
    };
    let time = text(exif::Tag::DateTimeOriginal).or_else(|| text(exif::Tag::DateTime))?;
    Some(match text(exif::Tag::OffsetTimeOriginal) {
        Some(offset) => format!("{time} {offset}"),
        None => time,
    })
}

/// An attached picture as an inline `<img>` (the report loads nothing from elsewhere).
fn img(data: &ReportData, seq: u64, class: &str) -> Option<String> {
    let bytes = data.images.get(&seq)?;
    let mime = image_type(bytes)?;
    Some(format!(
        r##"<img class="{class}" alt="#{seq}" src="data:{mime};base64,{}"/>"##,
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// The first photo attached to a note about `tracker`, else the first photo of any note.
pub(crate) fn photo_of(data: &ReportData, tracker: &str) -> Option<String> {
    let with_photo = |n: &&NoteRecord| n.seq.is_some_and(|s| data.images.contains_key(&s));
    let note = data
        .notes
        .iter()
        .filter(with_photo)
        .find(|n| n.tracker_id.as_deref() == Some(tracker))
        .or_else(|| data.notes.iter().find(with_photo))?;
    img(data, note.seq?, "thumb")
}

/// The notes about `tracker` that identify it, oldest first.
fn identifying<'d>(data: &'d ReportData, tracker: &str) -> Vec<&'d NoteRecord> {
    data.notes
        .iter()
        .filter(|n| n.tracker_id.as_deref() == Some(tracker))
        .filter(|n| !n.identification.is_empty() || n.identify.is_some())
        .collect()
}

/// "Serial F2LZ…, owner's phone •••• 1234" for page 1, when anything identifies `tracker`.
pub(crate) fn identity_line(data: &ReportData, tracker: &str, lang: Lang) -> Option<String> {
    let mut parts = Vec::new();
    for n in identifying(data, tracker) {
        if let Some(s) = &n.identification.serial {
            parts.push(lang.fill("id_serial_short", &[("v", s)]));
        }
        if let Some(p) = &n.identification.owner_phone {
            parts.push(lang.fill("id_phone_short", &[("v", p)]));
        }
        if let Some(i) = n.identify.as_ref().and_then(|i| i.identifier.as_ref()) {
            parts.push(lang.fill("id_identifier_short", &[("v", i)]));
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The 識別情報 block: what identifies this tracker, how and when it was read, and an
/// advertisement as received.
pub(crate) fn identification(h: &mut String, r: &Report, t: &TrackerRecord, sightings: &[&SightingRecord]) {
    let lang = r.lang;
    let _ = write!(h, "<h3>{}</h3>", r.t("id_heading"));
    r.table_head(
        h,
        &[Col::Text("id_item"), Col::Text("id_value"), Col::Text("id_how")],
    );
    let mut row = |item: &str, value: &str, how: &str| {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="hex">{}</td><td>{}</td></tr>"#,
            esc(lang.t(item)),
            esc(value),
            esc(how)
        );
    };
    let heard = lang.t("id_how_heard");
    row("id_product", &super::html::type_name(t, lang), heard);
    let notes = identifying(r.data, &t.id);
    for n in &notes {
        let how = lang.fill(
            "id_how_note",
            &[
                ("time", &r.when(n.time_us)),
                ("from", &n.identification.read_from.as_deref().unwrap_or("")),
                ("seq", &n.seq.unwrap_or(0).to_string()),
            ],
        );
        if let Some(v) = &n.identification.serial {
            row("id_serial", v, &how);
        }
        if let Some(v) = &n.identification.owner_phone {
            row("id_phone", v, &how);
        }
        if let Some(i) = &n.identify {
            let how = lang.fill(
                "id_how_identify",
                &[
                    ("time", &r.when(n.time_us)),
                    ("seq", &n.seq.unwrap_or(0).to_string()),
                ],
            );
            for (item, value) in [
                ("id_manufacturer", &i.manufacturer),
                ("id_model", &i.model),
                ("id_product_data", &i.product_data),
                ("id_identifier", &i.identifier),
                ("id_identifier_missing", &i.identifier_missing),
            ] {
                if let Some(v) = value {
                    row(item, v, &how);
                }
            }
        }
    }
    if notes.iter().all(|n| n.identification.serial.is_none()) {
        row("id_serial", lang.t("id_not_read"), lang.t("id_not_read_how"));
    }
    if let Some(s) = sightings.first() {
        row(
            "id_advertisement",
            &s.raw_hex,
            &lang.fill("id_how_advertisement", &[("time", &r.when(s.time_us))]),
        );
    }
    h.push_str("</tbody></table>");
}

fn category_key(c: Option<NoteCategory>) -> &'static str {
    match c {
        Some(NoteCategory::FoundTag) => "cat_found_tag",
        Some(NoteCategory::SawPerson) => "cat_saw_person",
        Some(NoteCategory::Message) => "cat_message",
        Some(NoteCategory::PhoneAlert) => "cat_phone_alert",
        Some(NoteCategory::Police) => "cat_police",
        Some(NoteCategory::Other) | None => "cat_other",
    }
}

/// "analyze" as the report says it.
pub(crate) fn session_kind(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "analyze" => lang.t("session_analyze"),
        "scan" => lang.t("session_scan"),
        "sweep" => lang.t("session_sweep"),
        _ => lang.t("none_value"),
    }
}

/// One line of the incident log.
struct Entry {
    happened_us: i64,
    recorded_us: Option<i64>,
    place: String,
    category: String,
    text: String,
    tracker: String,
    /// Attachment cell, already HTML.
    attachment: String,
}

/// The person's notes by when they happened, beside the detections of the detailed
/// trackers (first heard, alert, last heard); record time and event time both shown.
pub(crate) fn incident_log(h: &mut String, r: &Report) {
    let lang = r.lang;
    let _ = write!(
        h,
        "<section class=\"notes\"><h2>{}</h2><p>{}</p>",
        r.t("notes_heading"),
        r.t("notes_intro")
    );
    let none = lang.t("none_value");
    let mut entries: Vec<Entry> = r
        .data
        .notes
        .iter()
        .map(|n| Entry {
            happened_us: n.happened_us(),
            recorded_us: Some(n.time_us),
            place: n.place.clone().unwrap_or_else(|| none.to_string()),
            category: lang.t(category_key(n.category)).to_string(),
            text: n.text.clone(),
            tracker: n.tracker_id.clone().unwrap_or_else(|| none.to_string()),
            attachment: attachment_cell(r, n),
        })
        .collect();
    for t in r
        .ranked
        .iter()
        .filter(|t| t.following)
        .take(super::html::MAX_DETAILED)
    {
        let detection = lang.t("cat_detection");
        let mut add = |us: i64, key: &str| {
            entries.push(Entry {
                happened_us: us,
                recorded_us: None,
                place: none.to_string(),
                category: detection.to_string(),
                text: lang.t(key).to_string(),
                tracker: t.id.clone(),
                attachment: esc(none),
            })
        };
        add(t.first_seen_us, "log_first_heard");
        if let Some(at) = t.alert_at_us {
            add(at, "log_alert");
        }
        add(t.last_seen_us, "log_last_heard");
    }
    if entries.is_empty() {
        let _ = write!(h, "<p>{}</p></section>", r.t("no_notes"));
        return;
    }
    entries.sort_by_key(|e| e.happened_us);
    r.table_head(
        h,
        &[
            Col::Text("col_happened"),
            Col::Text("col_recorded"),
            Col::Text("col_place"),
            Col::Text("col_category"),
            Col::Text("col_note"),
            Col::Text("col_tracker"),
            Col::Text("col_attachment"),
        ],
    );
    for e in entries {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="note-text">{}</td><td class="mono">{}</td><td>{}</td></tr>"#,
            esc(&r.when(e.happened_us)),
            esc(&e.recorded_us.map_or(none.to_string(), |us| r.when(us))),
            esc(&e.place),
            esc(&e.category),
            esc(&e.text),
            esc(&e.tracker),
            e.attachment
        );
    }
    h.push_str("</tbody></table></section>");
}

/// The attached file: a thumbnail if it is a picture, its name, size and SHA-256, and how to
/// get it back out.
fn attachment_cell(r: &Report, n: &NoteRecord) -> String {
    let lang = r.lang;
    let (Some(name), Some(sha)) = (&n.attachment_name, &n.attachment_sha256) else {
        return esc(lang.t("none_value"));
    };
    let seq = n.seq.unwrap_or(0);
    let thumb = img(r.data, seq, "thumb-small").unwrap_or_default();
    let taken = r
        .data
        .images
        .get(&seq)
        .and_then(|bytes| exif_time(bytes))
        .map_or(String::new(), |t| {
            format!("<div>{}</div>", esc(&lang.fill("exif_time", &[("time", &t)])))
        });
    let size = n.attachment_size.map_or(String::new(), |s| {
        format!(" ({} bytes)", crate::present::grouped(s))
    });
    format!(
        r#"{thumb}<div>{}{}</div>{taken}<div class="hex">SHA-256 {}</div><div class="mono">tagwatch attachment get {seq} -o FILE</div>"#,
        esc(name),
        esc(&size),
        esc(sha)
    )
}

/// Every session and sweep: when, what it read, what recorded it and, for live scans and
/// sweeps, which trackers it heard.
pub(crate) fn sessions(h: &mut String, r: &Report) {
    let lang = r.lang;
    let _ = write!(
        h,
        "<section class=\"sessions\"><h2>{}</h2>",
        r.t("sessions_heading")
    );
    if r.data.sessions.is_empty() {
        let _ = write!(h, "<p>{}</p></section>", r.t("no_sessions"));
        return;
    }
    r.table_head(
        h,
        &[
            Col::Num("col_session"),
            Col::Text("col_kind"),
            Col::Text("col_period"),
            Col::Text("col_sources"),
            Col::Text("col_findings"),
        ],
    );
    let none = lang.t("none_value");
    for s in &r.data.sessions {
        let period = match s.ended_us {
            Some(end) => r.range(&r.when(s.started_us), &r.when(end)),
            None => lang.fill("session_unclosed", &[("time", &r.when(s.started_us))]),
        };
        let sources: Vec<String> = s.sources.iter().map(|s| s.path.clone()).collect();
        // Live sessions run in real time: what was heard between their start and end.
        let findings = if s.kind == "analyze" {
            none.to_string()
        } else {
            let end = s.ended_us.unwrap_or(i64::MAX);
            let heard: std::collections::BTreeSet<&str> = r
                .data
                .sightings
                .iter()
                .filter(|x| x.time_us >= s.started_us && x.time_us <= end)
                .map(|x| x.tracker_id.as_str())
                .collect();
            let place = r
                .data
                .track
                .iter()
                .find(|p| p.time_us >= s.started_us && p.time_us <= end)
                .map_or(String::new(), |p| format!(" @ {:.5}, {:.5}", p.lat, p.lon));
            if heard.is_empty() {
                lang.fill("session_heard_none", &[("place", &place)])
            } else {
                let list: Vec<&str> = heard.into_iter().collect();
                lang.fill("session_heard", &[("list", &list.join(", ")), ("place", &place)])
            }
        };
        let _ = write!(
            h,
            r#"<tr><td class="num">{}</td><td>{}</td><td>{}</td><td class="hex">{}</td><td>{}</td></tr>"#,
            s.id,
            esc(session_kind(&s.kind, lang)),
            esc(&period),
            esc(&sources.join(", ")),
            esc(&findings)
        );
    }
    h.push_str("</tbody></table></section>");
}

/// What was listened to, when: per live session, how long its radio listened (and why not)
/// and its positions were known, from its `coverage` records. Only where there are any.
pub(crate) fn listening(h: &mut String, r: &Report) {
    if r.data.listening.is_empty() {
        return;
    }
    let at = |us: i64, format: &str| {
        super::utc(us)
            .with_timezone(&r.zone.offset)
            .format(format)
            .to_string()
    };
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
        r.t("listening_heading")
    );
    for session in &r.data.listening {
        let l = session.listening();
        let _ = write!(
            h,
            "<li>{} {}: {}; {}</li>",
            esc(session_kind(&session.kind, r.lang)),
            esc(&r.when(session.started_us)),
            esc(&l.radio().statement(r.lang, &span)),
            esc(&l.positions().statement(r.lang, &span))
        );
    }
    h.push_str("</ul></section>");
}
