use std::collections::BTreeMap;

use chrono::FixedOffset;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::fixture::{START_US, report_data};
use super::*;
use crate::classify::Classifier;
use crate::evidence::{HEARD_EXACT, HEARD_RECONSTRUCTED};

fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap()
}

#[test]
fn every_family_has_a_description_in_every_language() {
    for family in Classifier::builtin().families() {
        for lang in Lang::ALL {
            let text = html_meaning(&family.key, lang);
            assert!(!text.is_empty(), "{} has no {lang:?} description", family.key);
            if lang != Lang::En {
                assert_ne!(
                    text, family.description,
                    "{} not translated to {lang:?}",
                    family.key
                );
            }
        }
    }
}

fn html_meaning(family: &str, lang: Lang) -> String {
    // Through the rendered report, so this checks what a reader gets.
    let mut data = report_data();
    data.trackers.truncate(1);
    data.trackers[0].family = family.to_string();
    let description = match lang.family_description(family) {
        Some(text) => text.to_string(),
        None => Classifier::builtin().family(family).unwrap().description.clone(),
    };
    let html = render_html(&data, lang, &jst());
    match html.contains(&esc(&description)) {
        true => description,
        false => String::new(),
    }
}

#[test]
fn both_languages_render_without_a_missing_message() {
    // `Lang::t` panics in test builds on a missing message, so rendering is the check.
    for lang in Lang::ALL {
        let html = render_html(&report_data(), lang, &jst());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.code())));
        assert!(html.contains(lang.t("title")));
        assert!(!html.contains("<script"), "no scripts");
        assert!(!html.contains("http"), "no external resources or links");
        assert!(html.contains("tagwatch verify --db PATH"));
    }
}

#[test]
fn times_are_local_with_utc_beside() {
    assert_eq!(
        local_and_utc(START_US, &jst()),
        "2026-01-15 17:00:00 +09:00 (08:00:00 UTC)"
    );
    // 01:00 in Tokyo is the day before in UTC.
    assert_eq!(
        local_and_utc(START_US + 8 * 3_600_000_000, &jst()),
        "2026-01-16 01:00:00 +09:00 (2026-01-15 16:00:00 UTC)"
    );
}

#[test]
fn japanese_verdict_is_a_phrase_from_the_numbers_with_the_english_reasons_beside() {
    let html = render_html(&report_data(), Lang::Ja, &jst());
    assert!(html.contains("1時間57分の間に4か所で合計50回検知され、場所同士は最大5.0 km離れていました。所有者から離れている状態を示していました。"));
    assert!(html.contains("tagwatch の判定理由（英語原文）"));
    assert!(html.contains("<li>separated from its owner</li>"));
}

#[test]
fn english_verdict_phrase_counts_in_the_singular_too() {
    let html = render_html(&report_data(), Lang::En, &jst());
    assert!(html.contains(
        "Heard 3 times at 1 place up to 0 m apart, over 10 min; it does not say whether its owner is near."
    ));
    assert!(html.contains("Heard 50 times at 4 places up to 5.0 km apart, over 1 h 57 min;"));
}

#[test]
fn following_trackers_come_first_and_only_they_get_details() {
    let html = render_html(&report_data(), Lang::En, &jst());
    let airtag = html.find("apple_find_my-1a2b3c4d").unwrap();
    let tile = html.find("tile-5e6f7a8b").unwrap();
    assert!(airtag < tile);
    assert_eq!(html.matches("<section class=\"tracker\">").count(), 1);
    assert!(html.contains("Tracker apple_find_my-1a2b3c4d"));
    // One tracker asked for: it gets its details though it is not following.
    let mut data = report_data();
    data.trackers.retain(|t| !t.following);
    let html = render_html(&data, Lang::En, &jst());
    assert!(html.contains("Tracker tile-5e6f7a8b"));
}

#[test]
fn text_from_the_data_never_becomes_markup() {
    let mut data = report_data();
    data.notes[0].text = "<script>alert('x')</script> & \u{7}bell \u{202e}reversed\u{1b}[31m".to_string();
    data.notes[0].attachment_name = Some("\"><img src=x onerror=alert(1)>.jpg".to_string());
    data.sightings[0].source = "</td><b>bold</b>".to_string();
    data.trackers[1].reasons.push("<i>reason</i>".to_string());
    for lang in Lang::ALL {
        let html = render_html(&data, lang, &jst());
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>bold"));
        assert!(!html.contains("<i>reason"));
        assert!(html.contains(
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; [U+0007]bell [U+202E]reversed[U+001B][31m"
        ));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.jpg"));
        assert!(!html.contains('\u{7}') && !html.contains('\u{202e}') && !html.contains('\u{1b}'));
        well_formed(&html);
    }
}

/// Parses `xml` strictly (matching end tags) and counts its elements by name.
fn well_formed(xml: &str) -> BTreeMap<String, usize> {
    let mut reader = Reader::from_str(xml);
    let mut counts = BTreeMap::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.name().as_ref().to_string();
                *counts.entry(name).or_default() += 1;
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    counts
}

/// The report's structure: elements with their class, headings and table headers with their
/// text, and the contents of each `svg` and `tbody` as counts of element names (so 50 rows
/// or dots are one line). Coordinates, times and hashes are left out.
fn outline(html: &str) -> String {
    let mut reader = Reader::from_str(html);
    let mut out = String::new();
    let mut depth = 0usize;
    // While inside an svg or tbody: its depth and the counts of what is in it.
    let mut summary: Option<(usize, BTreeMap<String, usize>)> = None;
    let mut text_of: Option<String> = None;
    loop {
        let event = reader.read_event().expect("well-formed");
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                if let Some((_, counts)) = &mut summary {
                    *counts.entry(name).or_default() += 1;
                } else {
                    let class = e
                        .try_get_attribute("class")
                        .unwrap()
                        .map(|a| format!(".{}", a.value))
                        .unwrap_or_default();
                    out.push_str(&format!("{}{name}{class}", "  ".repeat(depth)));
                    if matches!(name.as_str(), "svg" | "tbody") {
                        summary = Some((depth, BTreeMap::new()));
                    } else if matches!(name.as_str(), "h1" | "h2" | "h3" | "th" | "dt" | "title") {
                        text_of = Some(String::new());
                    } else {
                        out.push('\n');
                    }
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::Text(t) => {
                if let Some(s) = &mut text_of {
                    s.push_str(t.as_ref());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(s) = &mut text_of {
                    s.push_str(&format!("&{};", r.as_ref() as &str));
                }
            }
            Event::End(_) => {
                depth -= 1;
                if let Some(s) = text_of.take() {
                    out.push_str(&format!(" {s:?}\n"));
                }
                if summary.as_ref().is_some_and(|(d, _)| *d == depth) {
                    let (_, counts) = summary.take().unwrap();
                    let list: Vec<String> = counts.iter().map(|(n, c)| format!("{n}×{c}")).collect();
                    out.push_str(&format!(" [{}]\n", list.join(" ")));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn html_structure_snapshot() {
    let mut shapes = Vec::new();
    for lang in Lang::ALL {
        let html = render_html(&report_data(), lang, &jst());
        let outline = outline(&html);
        insta::assert_snapshot!(format!("html_outline_{}", lang.code()), outline);
        // One template: the languages differ in their texts only.
        let shape: Vec<&str> = outline.lines().map(|l| l.split(" \"").next().unwrap()).collect();
        shapes.push(shape.join("\n"));
    }
    assert!(shapes.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn empty_data_and_sightings_without_positions_still_make_a_report() {
    let mut data = report_data();
    data.sightings.iter_mut().for_each(|s| s.position = None);
    data.track.clear();
    let html = render_html(&data, Lang::En, &jst());
    assert!(!html.contains("<svg class=\"map\""));
    assert!(html.contains(Lang::En.t("map_no_location")));
    assert!(html.contains("<svg class=\"timeline\""));
    well_formed(&html);

    let empty = ReportData {
        trackers: vec![],
        sightings: vec![],
        track: vec![],
        notes: vec![],
        annotations: vec![],
        anchors: vec![],
        listening: vec![],
        verification: Default::default(),
        generated_us: START_US,
    };
    for lang in Lang::ALL {
        let html = render_html(&empty, lang, &jst());
        assert!(html.contains(lang.t("no_trackers")) && html.contains(lang.t("no_notes")));
        well_formed(&html);
    }
    assert_eq!(to_csv(&empty).lines().count(), 1, "the header only");
    assert_eq!(well_formed(&to_kml(&empty)).get("Placemark"), None);
}

#[test]
fn map_draws_every_located_sighting_inside_the_view_box() {
    let html = render_html(&report_data(), Lang::En, &jst());
    let counts = well_formed(&html);
    assert_eq!(counts["svg"], 2, "a map and a timeline");
    let map = &html[html.find("<svg class=\"map\"").unwrap()..];
    let map = &map[..map.find("</svg>").unwrap()];
    assert_eq!(map.matches("<circle class=\"sighting\"").count(), 50);
    for attr in ["cx=\"", "cy=\""] {
        for v in map.split(attr).skip(1) {
            let v: f64 = v[..v.find('"').unwrap()].parse().unwrap();
            assert!((0.0..=svg::MAP_W.max(svg::MAP_H)).contains(&v), "{attr}{v}");
        }
    }
    assert!(map.contains("<polyline class=\"route\""));
    assert!(
        map.contains("km</text>") || map.contains(" m</text>"),
        "a scale bar"
    );
}

#[test]
fn csv_round_trips_through_a_csv_parser() {
    let data = report_data();
    let text = to_csv(&data);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().len(), 12);
    assert_eq!(&reader.headers().unwrap()[1], "time_utc");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), data.sightings.len());
    let first = &rows[0];
    assert_eq!(&first[1], "2026-01-15T08:00:00.000000Z");
    assert_eq!(
        first[2].parse::<f64>().unwrap(),
        data.sightings[0].position.unwrap().lat
    );
    assert_eq!(&first[8], snake(&data.sightings[0].pdu));
    assert_eq!(&first[10], data.sightings[0].raw_hex);
    assert!(first[11].starts_with("intact: 181 records, chain head 3b1f"));
}

#[test]
fn only_a_report_of_a_broken_chain_carries_the_warning() {
    use crate::store::{Problem, ProblemKind};
    let mut data = report_data();
    for lang in Lang::ALL {
        let html = render_html(&data, lang, &jst());
        assert!(!html.contains(lang.t("broken_title")) && !html.contains("class=\"broken-mark\""));
    }
    data.verification.problems = vec![Problem {
        kind: ProblemKind::Missing,
        first: 400,
        last: 411,
        detail: String::new(),
    }];
    for (lang, range) in [
        (Lang::En, "after record 399: 12 records missing"),
        (Lang::Ja, "記録 399 の後：12 件の記録が欠落しています"),
    ] {
        let html = render_html(&data, lang, &jst());
        assert!(html.contains(lang.t("broken_title")), "{lang:?}");
        assert!(html.contains(lang.t("broken_mark")), "{lang:?}");
        assert_eq!(
            html.matches(range).count(),
            2,
            "{lang:?}: banner and integrity section"
        );
        well_formed(&html);
    }
}

#[test]
fn csv_quotes_awkward_fields() {
    let mut data = report_data();
    data.sightings[0].source = "a \"quoted\", comma\nand newline".to_string();
    let text = to_csv(&data);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[9], "a \"quoted\", comma\nand newline");
}

#[test]
fn csv_cells_never_run_as_formulas_nor_reorder_text() {
    let mut data = report_data();
    data.sightings[0].source = "=HYPERLINK(\"http://x\",\"open\")".to_string();
    data.sightings[1].source = "+cmd|' /C calc'!A0".to_string();
    data.sightings[2].source = "@SUM(A1)".to_string();
    data.sightings[3].source = "-2+3".to_string();
    data.sightings[4].source = "\tstarts with a tab".to_string();
    data.sightings[5].tracker_id = "tile-\u{202e}gpj.exe".to_string();
    data.sightings[6].rssi = Some(-61);
    let text = to_csv(&data);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    for (row, want) in [
        (0, "'=HYPERLINK(\"http://x\",\"open\")"),
        (1, "'+cmd|' /C calc'!A0"),
        (2, "'@SUM(A1)"),
        (3, "'-2+3"),
        (4, "'\tstarts with a tab"),
    ] {
        assert_eq!(&rows[row][9], want);
    }
    assert_eq!(&rows[5][0], "tile-[U+202E]gpj.exe");
    // Numbers tagwatch wrote itself stay numbers.
    assert_eq!(&rows[6][5], "-61");
}

#[test]
fn times_at_the_ends_of_the_range_make_a_report_not_a_panic() {
    for times in [
        [i64::MIN, 0, i64::MAX],
        [i64::MAX, i64::MAX - 1, i64::MIN],
        [-1, 0, 1],
    ] {
        let mut data = report_data();
        data.sightings.truncate(3);
        for (s, t) in data.sightings.iter_mut().zip(times) {
            s.time_us = t;
        }
        data.trackers[0].first_seen_us = i64::MIN;
        data.trackers[0].last_seen_us = i64::MAX;
        data.trackers[0].alert_at_us = Some(i64::MAX);
        data.track[0].time_us = i64::MIN;
        // A forged record numbered at the ends of i64, reported with --even-if-broken.
        for kind in [
            crate::store::ProblemKind::OutOfNumbering,
            crate::store::ProblemKind::Missing,
        ] {
            data.verification.problems.push(crate::store::Problem {
                kind,
                first: i64::MIN,
                last: i64::MAX,
                detail: String::new(),
            });
        }
        for lang in Lang::ALL {
            well_formed(&render_html(&data, lang, &jst()));
        }
        let _ = (to_csv(&data), to_geojson(&data), to_kml(&data), to_json(&data));
    }
}

#[test]
fn geojson_has_a_point_per_located_sighting_and_the_track() {
    let data = report_data();
    let v: serde_json::Value = serde_json::from_str(&to_geojson(&data)).unwrap();
    assert_eq!(v["type"], "FeatureCollection");
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), data.sightings.len() + 1);
    assert_eq!(features[0]["geometry"]["type"], "Point");
    let p = data.sightings[0].position.unwrap();
    assert_eq!(
        features[0]["geometry"]["coordinates"],
        serde_json::json!([p.lon, p.lat])
    );
    assert_eq!(features[0]["properties"]["pdu"], snake(&data.sightings[0].pdu));
    let track = features.last().unwrap();
    assert_eq!(track["geometry"]["type"], "LineString");
    assert_eq!(
        track["geometry"]["coordinates"].as_array().unwrap().len(),
        data.track.len()
    );
}

#[test]
fn kml_is_well_formed_with_a_placemark_per_located_sighting_and_the_track() {
    let mut data = report_data();
    data.sightings[0].source = "<bad> & \u{1}control".to_string();
    data.sightings[1].position = None;
    let kml = to_kml(&data);
    assert!(kml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let counts = well_formed(&kml);
    assert_eq!(counts["Placemark"], data.sightings.len() - 1 + 1);
    assert_eq!(counts["TimeStamp"], data.sightings.len() - 1);
    assert_eq!(counts["LineString"], 1);
    assert!(kml.contains("&lt;bad&gt; &amp; [U+0001]control"));
}

#[test]
fn json_is_the_report_data() {
    let data = report_data();
    let back: ReportData = serde_json::from_str(&to_json(&data)).unwrap();
    assert_eq!(back, data);
}

#[test]
fn write_report_names_the_file_by_language() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_report(dir.path(), &report_data(), Lang::Ja, &jst()).unwrap();
    assert_eq!(path, dir.path().join("report-ja.html"));
    assert!(
        std::fs::read_to_string(path)
            .unwrap()
            .contains("<html lang=\"ja\">")
    );
}

#[test]
fn a_follower_marked_as_own_keeps_its_alert_and_says_when_it_was_marked() {
    let mut data = report_data();
    let airtag = data.trackers.iter_mut().find(|t| t.following).unwrap();
    airtag.own = true;
    let marked = START_US + 90 * 60_000_000;
    airtag.marked_own_at_us = Some(marked);
    data.annotations.push(crate::evidence::AnnotationRecord {
        time_us: marked,
        tracker_id: airtag.id.clone(),
        what: "own".into(),
        how: "live view m".into(),
        file: None,
        line: None,
        address: Some("C4:12:34:56:78:9A".into()),
        identity: None,
    });
    let at = local_and_utc(marked, &jst());
    for (lang, how) in [
        (Lang::En, "in the live view, key m"),
        (Lang::Ja, "ライブ画面の m キー"),
    ] {
        let html = render_html(&data, lang, &jst());
        well_formed(&html);
        assert!(html.contains(lang.t("following_yes")), "the alert stays");
        let said = lang.fill("marked_own", &[("time", &at), ("how", &how)]);
        assert!(html.contains(&esc(&said)), "{lang:?}: {said}");
        let short = lang.fill("marked_own_short", &[("time", &at)]);
        assert!(html.contains(&esc(&short)), "{lang:?}: the summary says it too");
    }
}

#[test]
fn the_integrity_section_says_what_the_chain_proves_and_lists_every_anchor() {
    let mut data = report_data();
    for lang in Lang::ALL {
        let html = render_html(&data, lang, &jst());
        assert!(html.contains(&esc(lang.t("integrity_proves"))));
        assert!(
            html.contains(&esc(lang.t("no_anchor"))),
            "said when there is none"
        );
    }
    data.anchors.push(crate::store::anchor::AnchorRecord {
        records: 5324,
        head: "ab".repeat(32),
        time_us: START_US + 3 * 3_600_000_000,
        code: "TW1-5324-ABAB-ABAB-ABAB-ABAB-ABAB-ABAB-5E".to_string(),
        timestamp: Some(crate::store::anchor::Timestamp {
            tsa: "http://127.0.0.1:3180/".to_string(),
            token: "bm90IGEgdG9rZW4=".to_string(),
        }),
    });
    for lang in Lang::ALL {
        let html = render_html(&data, lang, &jst());
        well_formed(&html);
        assert!(!html.contains(&esc(lang.t("no_anchor"))));
        assert!(html.contains("TW1-5324-ABAB-ABAB-ABAB-ABAB-ABAB-ABAB-5E") && html.contains("5,324"));
        // A token that does not read or match is said, never shown as a time.
        assert!(html.contains(&esc(lang.t("anchor_tsa_bad"))));
        assert!(html.contains("tagwatch verify --anchor CODE --db PATH"));
    }
}

#[test]
fn a_live_scans_sightings_say_whether_their_bytes_are_exact_or_reconstructed() {
    let mut data = report_data();
    let plain = render_html(&data, Lang::En, &jst());
    assert!(!plain.contains("(exact bytes)") && !plain.contains("(reconstructed)"));
    // Two sightings of the tracker whose sightings the report lists.
    let id = data.trackers.iter().find(|t| t.following).unwrap().id.clone();
    let mut listed = data.sightings.iter_mut().filter(|s| s.tracker_id == id);
    listed.next().unwrap().source = format!("bluetooth hci0, BlueZ D-Bus {HEARD_RECONSTRUCTED}");
    listed.next().unwrap().source = format!("bluetooth hci0, HCI monitor {HEARD_EXACT}");
    for lang in Lang::ALL {
        let html = render_html(&data, lang, &jst());
        assert!(html.contains(&esc(lang.t("source_reconstructed"))), "{lang:?}");
        assert!(html.contains(&esc(lang.t("source_exact"))), "{lang:?}");
    }
}

#[test]
fn a_session_whose_radio_was_down_says_what_was_not_listened_to() {
    use crate::evidence::SessionListening;
    use crate::listening::{Cause, Change, Channel, Outage};
    let mut data = report_data();
    let change = |channel, s: i64, cause: Option<Cause>| Change {
        channel,
        time_us: START_US + s * 1_000_000,
        down: cause.map(|cause| Outage {
            cause,
            detail: String::new(),
        }),
    };
    data.listening = vec![SessionListening {
        session: 1,
        kind: "scan".into(),
        started_us: START_US,
        ended_us: Some(START_US + 600 * 1_000_000),
        changes: vec![
            change(Channel::Radio, 0, None),
            change(Channel::Position, 0, None),
            change(Channel::Radio, 300, Some(Cause::PoweredOff)),
        ],
    }];
    let en = render_html(&data, Lang::En, &jst());
    assert!(en.contains(Lang::En.t("listening_heading")), "{en}");
    assert!(
        en.contains("not checked for 5 min of 10 min: the adapter powered off 01-15 17:05:00–17:10:00"),
        "{en}"
    );
    assert!(en.contains("positions for the whole 10 min"), "{en}");
    let ja = render_html(&data, Lang::Ja, &jst());
    assert!(
        ja.contains("10 分のうち 5 分 は未確認: アダプタの電源オフ"),
        "{ja}"
    );
    well_formed(&ja);
}
