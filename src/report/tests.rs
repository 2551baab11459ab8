use std::collections::BTreeMap;

use chrono::FixedOffset;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::fixture::{START_US, report_data};
use super::*;
use crate::classify::Classifier;
use crate::correlate::Reason;
use crate::evidence::{HEARD_EXACT, HEARD_RECONSTRUCTED, SightingRecord, TrackerRecord};

fn jst() -> Zone {
    Zone {
        offset: FixedOffset::east_opt(9 * 3600).unwrap(),
        source: ZoneSource::Positions,
    }
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
        // Nothing is loaded from elsewhere; the only addresses are map links to open by hand.
        assert!(
            !html.contains("src=\"http") && !html.contains("url(http"),
            "no external resources"
        );
        for link in html.split("href=\"").skip(1) {
            assert!(
                link.starts_with("https://maps.gsi.go.jp/#17/")
                    || link.starts_with("https://www.openstreetmap.org/?mlat="),
                "{}",
                &link[..40]
            );
        }
        assert!(html.contains("tagwatch verify --db PATH"));
    }
}

#[test]
fn times_are_local_with_utc_beside() {
    assert_eq!(
        local_and_utc(START_US, &jst()),
        "2026-01-15 17:00:00 JST (08:00:00 UTC)"
    );
    // 01:00 in Tokyo is the day before in UTC.
    assert_eq!(
        local_and_utc(START_US + 8 * 3_600_000_000, &jst()),
        "2026-01-16 01:00:00 JST (2026-01-15 16:00:00 UTC)"
    );
}

#[test]
fn japanese_verdict_is_a_phrase_from_the_numbers_with_the_english_reasons_beside() {
    let html = render_html(&report_data(), Lang::Ja, &jst());
    assert!(html.contains("1時間57分の間に4か所で合計50回検知され、場所同士は最大5.0 km離れていました。タグは所有者から離れた状態を示していました。"));
    assert!(html.contains("tagwatch の判定理由（英語原文）"));
    assert!(html.contains("<li>separated from its owner</li>"));
}

#[test]
fn reasons_with_codes_are_worded_in_the_reports_language() {
    let mut data = report_data();
    for t in data.trackers.iter_mut().filter(|t| t.following) {
        t.reason_codes = vec![
            Reason::SeparatedFromOwner,
            Reason::Following {
                after_us: 31 * 60_000_000,
            },
        ];
    }
    let html = render_html(&data, Lang::Ja, &jst());
    assert!(html.contains("tagwatch の判定理由:<ul><li>所有者から離れている</li><li>追跡の疑い：最初の検知から 31分後に警告</li></ul>"), "{html}");
    // Official wording: the person is 本人, never addressed as あなた.
    assert!(!html.contains("あなた"));
    let html = render_html(&data, Lang::En, &jst());
    assert!(html.contains("<li>following you: flagged 31 min after it was first seen</li>"));
}

#[test]
fn english_verdict_phrase_counts_in_the_singular_too() {
    let mut tile_only = report_data();
    tile_only.trackers.retain(|t| t.id == "tile-5e6f7a8b");
    let html = render_html(&tile_only, Lang::En, &jst());
    assert!(html.contains(
        "Heard 3 times at 1 place up to 0 m apart, over 10 min; the tag does not signal whether its owner is near."
    ));
    let html = render_html(&report_data(), Lang::En, &jst());
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
        // The one picture is the attached photo, inline; nothing from the data becomes an element.
        assert!(
            html.split("<img")
                .skip(1)
                .all(|i| i.starts_with(" class=\"thumb"))
        );
        assert!(!html.contains("<img src=x"));
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
        generated_us: START_US,
        ..ReportData::default()
    };
    for lang in Lang::ALL {
        let html = render_html(&empty, lang, &jst());
        assert!(html.contains(lang.t("no_trackers")) && html.contains(lang.t("no_notes")));
        // Nothing recorded is never an all-clear.
        assert!(html.contains(lang.t("conclusion_nothing")));
        well_formed(&html);
    }
    assert_eq!(to_csv(&empty, &jst()).lines().count(), 1, "the header only");
    assert_eq!(well_formed(&to_kml(&empty, &jst())).get("Placemark"), None);
}

#[test]
fn map_draws_every_located_sighting_inside_the_view_box() {
    let html = render_html(&report_data(), Lang::En, &jst());
    let counts = well_formed(&html);
    assert_eq!(counts["svg"], 2, "a map and a timeline");
    let map = &html[html.find("<svg class=\"map\"").unwrap()..];
    let map = &map[..map.find("</svg>").unwrap()];
    // The four places of the fixture are numbered stays; the walks between them are dots,
    // one per minute in which the tag was heard, far fewer than its 50 sightings.
    assert_eq!(map.matches("<g class=\"stay\">").count(), 4);
    let dots = map.matches("<circle class=\"sighting\"").count();
    assert!((1..20).contains(&dots), "{dots} dots");
    assert!(map.contains("<g class=\"alert\">"), "the alert point");
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
    let text = to_csv(&data, &jst());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().len(), 15);
    assert_eq!(&reader.headers().unwrap()[1], "time_utc");
    assert_eq!(&reader.headers().unwrap()[2], "time_local");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), data.sightings.len());
    let first = &rows[0];
    assert_eq!(&first[1], "2026-01-15T08:00:00.000000Z");
    assert_eq!(&first[2], "2026-01-15T17:00:00.000000+09:00");
    assert_eq!(
        first[3].parse::<f64>().unwrap(),
        data.sightings[0].position.unwrap().lat
    );
    assert_eq!(&first[9], snake(&data.sightings[0].pdu));
    assert_eq!(&first[11], data.sightings[0].raw_hex);
    assert!(first[12].starts_with("intact: 181 records, chain head 3b1f"));
    assert_eq!(&first[13], env!("CARGO_PKG_VERSION"));
    assert_eq!(&first[14], data.verification.head);
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
    let text = to_csv(&data, &jst());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[10], "a \"quoted\", comma\nand newline");
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
    let text = to_csv(&data, &jst());
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
        assert_eq!(&rows[row][10], want);
    }
    assert_eq!(&rows[5][0], "tile-[U+202E]gpj.exe");
    // Numbers tagwatch wrote itself stay numbers.
    assert_eq!(&rows[6][6], "-61");
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
        let _ = (
            to_csv(&data, &jst()),
            to_geojson(&data, &jst()),
            to_kml(&data, &jst()),
            to_json(&data, &jst()),
        );
    }
}

#[test]
fn geojson_has_a_point_per_located_sighting_and_the_track() {
    let data = report_data();
    let v: serde_json::Value = serde_json::from_str(&to_geojson(&data, &jst())).unwrap();
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
fn kml_has_a_placemark_per_stay_a_path_per_tracker_and_the_track() {
    let mut data = report_data();
    data.verification.head = "<bad> & \u{1}control".to_string();
    let kml = to_kml(&data, &jst());
    assert!(kml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let counts = well_formed(&kml);
    // The AirTag's four places and the Tile's one, the AirTag's path and the track: not a
    // placemark per sighting.
    assert_eq!(kml.matches("<name>apple_find_my-1a2b3c4d stay ").count(), 4);
    assert_eq!(kml.matches("<name>tile-5e6f7a8b stay 1</name>").count(), 1);
    assert!(kml.contains("<name>apple_find_my-1a2b3c4d path</name>"));
    assert_eq!(counts["Placemark"], 4 + 1 + 1 + 1);
    assert_eq!(counts["LineString"], 2);
    assert_eq!(counts.get("TimeStamp"), None);
    assert!(
        kml.contains("&lt;bad&gt; &amp; [U+0001]control"),
        "the chain head, neutralised"
    );
    for name in ["tagwatch_version", "chain_head", "time_zone"] {
        assert!(kml.contains(&format!("<Data name=\"{name}\">")), "{name}");
    }
    assert!(kml.contains("<value>JST</value>"));
}

#[test]
fn json_is_the_report_data() {
    let data = report_data();
    let json = to_json(&data, &jst());
    let back: ReportData = serde_json::from_str(&json).unwrap();
    // Pictures stay in the database and the report, not in the export.
    assert_eq!(
        back,
        ReportData {
            images: Default::default(),
            ..data
        }
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["tagwatch"]["time_zone"], "JST");
    assert_eq!(value["tagwatch"]["chain_head"], value["verification"]["head"]);
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

/// 300 fake beacons that each "follow" for 15 minutes (a flood from a spoofing device) and
/// one real AirTag carried for 3 hours: the real one comes first, at most
/// [`html::MAX_TABLE_ROWS`] rows and [`html::MAX_DETAILED`] sections are printed, and the
/// report stays small; every sighting is still in the appendix CSV.
#[test]
fn a_flood_of_fake_followers_neither_buries_the_real_one_nor_swells_the_report() {
    let mut data = report_data();
    let real = data.trackers[1].clone();
    let base = data
        .sightings
        .iter()
        .find(|s| s.tracker_id == real.id)
        .unwrap()
        .clone();
    for i in 0..300i64 {
        let id = format!("apple_find_my-f{i:07x}");
        let first = START_US + (i % 160) * 60_000_000;
        let last = first + 15 * 60_000_000;
        data.trackers.push(TrackerRecord {
            id: id.clone(),
            first_seen_us: first,
            last_seen_us: last,
            sightings: 100,
            places: 3,
            max_distance_m: 1200.0,
            alert_at_us: Some(first + 10 * 60_000_000),
            ..real.clone()
        });
        data.sightings.extend((0..100).map(|k| SightingRecord {
            tracker_id: id.clone(),
            time_us: first + k * 9_000_000,
            ..base.clone()
        }));
    }
    data.sightings.sort_by_key(|s| s.time_us);
    for lang in Lang::ALL {
        let html = render_html(&data, lang, &jst());
        println!(
            "{lang:?}: {} bytes of HTML for {} trackers",
            html.len(),
            data.trackers.len()
        );
        assert!(html.len() < 400_000, "{} bytes", html.len());
        let table = &html[html.find("<section class=\"summary\">").unwrap()..];
        let table = &table[..table.find("</section>").unwrap()];
        assert_eq!(table.matches("<tr class=\"risk-").count(), html::MAX_TABLE_ROWS);
        let first_row = table.find("<tr class=\"risk-").unwrap();
        let family = lang.name("Apple Find My (AirTag, AirPods, iPhone, third-party Find My tags)");
        assert!(table[first_row..].starts_with(&format!(
            "<tr class=\"risk-high\"><td class=\"num\">1</td><td>{}",
            super::esc(family)
        )));
        assert!(table[first_row..table[first_row..].find("</tr>").unwrap() + first_row].contains(&real.id));
        let rest = data.trackers.len() - html::MAX_TABLE_ROWS;
        assert!(html.contains(&lang.fill("table_rest", &[("n", &rest.to_string()), ("file", &APPENDIX)])));
        assert_eq!(
            html.matches("<section class=\"tracker\">").count(),
            html::MAX_DETAILED
        );
        // The conclusion is about the real tag, carried for 1 h 57 min.
        let gist = &html[html.find("<p class=\"conclusion\">").unwrap()..];
        assert!(
            gist[..gist.find("</p>").unwrap()]
                .contains(&lang.duration(real.last_seen_us - real.first_seen_us))
        );
    }
    let csv = to_csv(&data, &jst());
    assert_eq!(
        csv.lines().count(),
        data.sightings.len() + 1,
        "every sighting in the appendix"
    );
}

/// A JPEG holding only an EXIF block with DateTimeOriginal and OffsetTimeOriginal, as a
/// phone camera writes them (little-endian TIFF, IFD0 pointing to the Exif IFD).
fn jpeg_with_exif(taken: &str, offset: &str) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    // IFD0 at 8: one entry, the Exif IFD pointer (0x8769) to 26.
    tiff.extend(1u16.to_le_bytes());
    tiff.extend([0x69, 0x87, 4, 0]);
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(26u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    // Exif IFD at 26: two ASCII entries, their strings after it (26 + 2 + 2 * 12 + 4 = 56).
    let (t, o) = (format!("{taken}\0"), format!("{offset}\0"));
    tiff.extend(2u16.to_le_bytes());
    for (tag, text, at) in [(0x9003u16, &t, 56u32), (0x9011, &o, 56 + t.len() as u32)] {
        tiff.extend(tag.to_le_bytes());
        tiff.extend(2u16.to_le_bytes());
        tiff.extend((text.len() as u32).to_le_bytes());
        tiff.extend(at.to_le_bytes());
    }
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(t.as_bytes());
    tiff.extend(o.as_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
    jpeg.extend(((app1.len() + 2) as u16).to_be_bytes());
    jpeg.extend(app1);
    jpeg.extend([0xFF, 0xD9]);
    jpeg
}

#[test]
fn an_attached_photo_is_shown_with_its_hash_and_the_time_its_camera_wrote() {
    let mut data = report_data();
    data.images
        .insert(180, jpeg_with_exif("2026:01:15 18:05:09", "+09:00"));
    for lang in Lang::ALL {
        let html = render_html(&data, lang, &jst());
        // On page 1 and in the incident log, inline.
        assert_eq!(html.matches("src=\"data:image/jpeg;base64,").count(), 2);
        assert!(
            html.contains("2026-01-15 18:05:09 +09:00"),
            "{lang:?}: the EXIF time"
        );
        assert!(html.contains(data.notes[0].attachment_sha256.as_deref().unwrap()));
        assert!(html.contains("tagwatch attachment get 180 -o FILE"));
    }
}

#[test]
fn a_live_scans_source_says_whether_its_bytes_are_exact_or_reconstructed() {
    let mut data = report_data();
    let plain = render_html(&data, Lang::En, &jst());
    assert!(!plain.contains(&esc(Lang::En.t("source_exact"))));
    assert!(!plain.contains(&esc(Lang::En.t("source_reconstructed"))));
    let live = |how: &str| crate::evidence::Source::from(format!("bluetooth hci0, {how}").as_str());
    data.sessions[0].sources = vec![
        live(&format!("BlueZ D-Bus {HEARD_RECONSTRUCTED}")),
        live(&format!("HCI monitor {HEARD_EXACT}")),
    ];
    for lang in Lang::ALL {
        let html = render_html(&data, lang, &jst());
        assert!(
            html.contains("bluetooth hci0, HCI monitor (exact bytes)"),
            "{lang:?}"
        );
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
