//! Machine-readable exports of the sightings: CSV for spreadsheets, GeoJSON for GIS tools,
//! KML for Google Earth and JSON of the whole `ReportData`. Each carries the tagwatch version,
//! the chain head it was made from and the time zone of its local times.

use std::io;

use geojson::{Feature, FeatureCollection, Geometry, JsonObject};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use serde_json::json;

use super::condense::{self, Kind};
use super::{Zone, neutralise, rfc3339, snake};
use crate::evidence::{ReportData, SightingRecord};

const CSV_HEADER: [&str; 15] = [
    "tracker_id",
    "time_utc",
    "time_local",
    "lat",
    "lon",
    "accuracy_m",
    "rssi",
    "address",
    "address_type",
    "pdu",
    "source",
    "raw_hex",
    "verification",
    "tagwatch_version",
    "chain_head",
];

/// A time in the export's zone, RFC 3339 with its offset: "2026-01-15T17:00:00.000000+09:00".
fn local(us: i64, zone: &Zone) -> String {
    super::utc(us)
        .with_timezone(&zone.offset)
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// What every export says about itself.
fn about(data: &ReportData, zone: &Zone) -> serde_json::Value {
    json!({
        "tagwatch_version": env!("CARGO_PKG_VERSION"),
        "chain_head": data.verification.head,
        "records": data.verification.records,
        "time_zone": zone.abbreviation(),
        "utc_offset": zone.offset.to_string(),
    })
}

/// A text cell a spreadsheet will not run: one that starts like a formula (`= + - @`, or a tab
/// or carriage return before one) gets a leading `'`, and steering characters are made
/// visible. Numbers we wrote ourselves (a negative RSSI) do not go through this.
fn text_cell(s: &str) -> String {
    let s = neutralise(s);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// Every sighting as one CSV row (RFC 4180, header row first); empty fields where there
/// is no position, accuracy or RSSI. Every row carries what verify found, so no row of a
/// broken chain can be taken for verified evidence, and the version and chain head it was
/// made with; `time_local` is in `zone`.
pub fn to_csv(data: &ReportData, zone: &Zone) -> String {
    let verification = neutralise(&data.verification.summary());
    let version = env!("CARGO_PKG_VERSION").to_string();
    let head = neutralise(&data.verification.head);
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every row has the header's length.
    let rows = std::iter::once(CSV_HEADER.map(str::to_string)).chain(data.sightings.iter().map(|s| {
        let p = s.position;
        [
            text_cell(&s.tracker_id),
            rfc3339(s.time_us),
            local(s.time_us, zone),
            opt(p.map(|p| p.lat)),
            opt(p.map(|p| p.lon)),
            opt(p.and_then(|p| p.accuracy_m)),
            opt(s.rssi),
            text_cell(&s.address),
            snake(&s.address_type),
            snake(&s.pdu),
            text_cell(&s.source),
            text_cell(&s.raw_hex),
            verification.clone(),
            version.clone(),
            head.clone(),
        ]
    }));
    for row in rows {
        w.write_record(&row).expect("CSV into memory");
    }
    String::from_utf8(w.into_inner().expect("CSV into memory")).expect("CSV of UTF-8 fields")
}

fn properties(s: &SightingRecord) -> JsonObject {
    let value = json!({
        "tracker_id": s.tracker_id,
        "time": rfc3339(s.time_us),
        "accuracy_m": s.position.and_then(|p| p.accuracy_m),
        "rssi": s.rssi,
        "address": s.address,
        "address_type": s.address_type,
        "pdu": s.pdu,
        "source": s.source,
        "raw_hex": s.raw_hex,
    });
    match value {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("json! of an object literal"),
    }
}

/// A GeoJSON FeatureCollection (RFC 7946): a Point per sighting with a position, with the
/// sighting's fields as properties, and a LineString of the person's track (when it has
/// two points or more) with its times.
pub fn to_geojson(data: &ReportData, zone: &Zone) -> String {
    let mut features: Vec<Feature> = data
        .sightings
        .iter()
        .filter_map(|s| {
            let p = s.position?;
            let mut f = Feature::from(Geometry::new_point([p.lon, p.lat]));
            f.properties = Some(properties(s));
            Some(f)
        })
        .collect();
    if data.track.len() > 1 {
        let mut f = Feature::from(Geometry::new_line_string(
            data.track.iter().map(|p| [p.lon, p.lat]),
        ));
        let times: Vec<String> = data.track.iter().map(|p| rfc3339(p.time_us)).collect();
        let props = json!({ "kind": "track", "times": times });
        f.properties = props.as_object().cloned();
        features.push(f);
    }
    let verification = serde_json::to_value(&data.verification).expect("VerifyReport serialises");
    crate::present::safe_json::to_string(&FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(JsonObject::from_iter([
            ("verification".to_string(), verification),
            ("tagwatch".to_string(), about(data, zone)),
        ])),
    })
}

/// KML 2.2 for Google Earth: per tracker, one named placemark per stay (its time span,
/// sightings and strongest signal) and its path through the minutes of travel; the person's
/// track as a LineString; the version, chain head and zone as the document's ExtendedData.
pub fn to_kml(data: &ReportData, zone: &Zone) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    kml(&mut w, data, zone).expect("KML into memory");
    String::from_utf8(w.into_inner()).expect("KML of UTF-8 text")
}

/// A `<Placemark>` named `name` over `begin`..`end` with `geometry` written by `inner`.
fn placemark(
    w: &mut Writer<Vec<u8>>,
    name: &str,
    description: &str,
    (begin, end): (i64, i64),
    inner: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>,
) -> io::Result<()> {
    let text = |s: &str| BytesText::new(&neutralise(s)).into_owned();
    w.create_element("Placemark").write_inner_content(|w| {
        w.create_element("name").write_text_content(text(name))?;
        w.create_element("description")
            .write_text_content(text(description))?;
        w.create_element("TimeSpan").write_inner_content(|w| {
            w.create_element("begin")
                .write_text_content(BytesText::new(&rfc3339(begin)))?;
            w.create_element("end")
                .write_text_content(BytesText::new(&rfc3339(end)))?;
            Ok(())
        })?;
        inner(w)
    })?;
    Ok(())
}

fn line(w: &mut Writer<Vec<u8>>, points: &[(f64, f64)]) -> io::Result<()> {
    let coords: Vec<String> = points.iter().map(|(lat, lon)| format!("{lon},{lat}")).collect();
    w.create_element("LineString").write_inner_content(|w| {
        w.create_element("tessellate")
            .write_text_content(BytesText::new("1"))?;
        w.create_element("coordinates")
            .write_text_content(BytesText::new(&coords.join(" ")))?;
        Ok(())
    })?;
    Ok(())
}

fn kml(w: &mut Writer<Vec<u8>>, data: &ReportData, zone: &Zone) -> io::Result<()> {
    // Text from the data is escaped by quick-xml; controls, invalid in XML 1.0, are neutralised.
    let text = |s: &str| BytesText::new(&neutralise(s)).into_owned();
    let about = about(data, zone);
    let mut meta: Vec<(String, String)> = vec![("verification".into(), data.verification.summary())];
    if let Some(map) = about.as_object() {
        meta.extend(
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_string))),
        );
    }
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("kml")
        .with_attribute(("xmlns", "http://www.opengis.net/kml/2.2"))
        .write_inner_content(|w| {
            w.create_element("Document").write_inner_content(|w| {
                w.create_element("name")
                    .write_text_content(BytesText::new("tagwatch sightings"))?;
                w.create_element("ExtendedData").write_inner_content(|w| {
                    for (name, value) in &meta {
                        w.create_element("Data")
                            .with_attribute(("name", name.as_str()))
                            .write_inner_content(|w| {
                                w.create_element("value").write_text_content(text(value))?;
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
                for t in &data.trackers {
                    let sightings: Vec<&SightingRecord> =
                        data.sightings.iter().filter(|s| s.tracker_id == t.id).collect();
                    let segments = condense::segments(&sightings);
                    let mut stay = 0;
                    for g in segments.iter().filter(|g| g.kind == Kind::Stay) {
                        let Some((lat, lon)) = g.position else { continue };
                        stay += 1;
                        let description = format!(
                            "{} sightings from {} to {}, strongest RSSI {} dBm",
                            g.sightings,
                            local(g.start_us, zone),
                            local(g.end_us, zone),
                            opt(g.rssi_max)
                        );
                        placemark(
                            w,
                            &format!("{} stay {stay}", t.id),
                            &description,
                            (g.start_us, g.end_us),
                            |w| {
                                w.create_element("Point").write_inner_content(|w| {
                                    w.create_element("coordinates")
                                        .write_text_content(BytesText::new(&format!("{lon},{lat}")))?;
                                    Ok(())
                                })?;
                                Ok(())
                            },
                        )?;
                    }
                    let path: Vec<(f64, f64)> = segments.iter().filter_map(|g| g.position).collect();
                    if let (true, Some(first), Some(last)) =
                        (path.len() > 1, sightings.first(), sightings.last())
                    {
                        let description = format!(
                            "{} sightings, {} stays, one point per stay and per minute of travel",
                            sightings.len(),
                            stay
                        );
                        placemark(
                            w,
                            &format!("{} path", t.id),
                            &description,
                            (first.time_us, last.time_us),
                            |w| line(w, &path),
                        )?;
                    }
                }
                if let (true, Some(a), Some(b)) =
                    (data.track.len() > 1, data.track.first(), data.track.last())
                {
                    let points: Vec<(f64, f64)> = data.track.iter().map(|p| (p.lat, p.lon)).collect();
                    placemark(
                        w,
                        "track",
                        "the person's positions",
                        (a.time_us, b.time_us),
                        |w| line(w, &points),
                    )?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

/// The whole `ReportData` as pretty JSON (its serde form), for other tools, with a `tagwatch`
/// member saying the version, chain head and zone.
pub fn to_json(data: &ReportData, zone: &Zone) -> String {
    #[derive(serde::Serialize)]
    struct Export<'a> {
        tagwatch: serde_json::Value,
        #[serde(flatten)]
        data: &'a ReportData,
    }
    crate::present::safe_json::to_string(&Export {
        tagwatch: about(data, zone),
        data,
    })
}
