//! Machine-readable exports of the sightings: CSV for spreadsheets, GeoJSON for GIS tools,
//! KML for Google Earth and JSON of the whole `ReportData`.

use std::io;

use geojson::{Feature, FeatureCollection, Geometry, JsonObject};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use serde_json::json;

use super::{neutralise, rfc3339, snake};
use crate::evidence::{ReportData, SightingRecord};

const CSV_HEADER: [&str; 12] = [
    "tracker_id",
    "time_utc",
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
];

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
/// broken chain can be taken for verified evidence.
pub fn to_csv(data: &ReportData) -> String {
    let verification = neutralise(&data.verification.summary());
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every row has the header's length.
    let rows = std::iter::once(CSV_HEADER.map(str::to_string)).chain(data.sightings.iter().map(|s| {
        let p = s.position;
        [
            text_cell(&s.tracker_id),
            rfc3339(s.time_us),
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
pub fn to_geojson(data: &ReportData) -> String {
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
        foreign_members: Some(JsonObject::from_iter([(
            "verification".to_string(),
            verification,
        )])),
    })
}

/// KML 2.2 for Google Earth: a Placemark per located sighting with its TimeStamp, and the
/// person's track as a LineString.
pub fn to_kml(data: &ReportData) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    kml(&mut w, data).expect("KML into memory");
    String::from_utf8(w.into_inner()).expect("KML of UTF-8 text")
}

fn kml(w: &mut Writer<Vec<u8>>, data: &ReportData) -> io::Result<()> {
    // Text from the data is escaped by quick-xml; controls, invalid in XML 1.0, are neutralised.
    let text = |s: &str| BytesText::new(&neutralise(s)).into_owned();
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("kml")
        .with_attribute(("xmlns", "http://www.opengis.net/kml/2.2"))
        .write_inner_content(|w| {
            w.create_element("Document").write_inner_content(|w| {
                w.create_element("name")
                    .write_text_content(BytesText::new("tagwatch sightings"))?;
                w.create_element("ExtendedData").write_inner_content(|w| {
                    w.create_element("Data")
                        .with_attribute(("name", "verification"))
                        .write_inner_content(|w| {
                            w.create_element("value")
                                .write_text_content(text(&data.verification.summary()))?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
                for s in &data.sightings {
                    let Some(p) = s.position else { continue };
                    let description = format!(
                        "time {}\nrssi {}\naddress {} ({})\npdu {}\nsource {}\naccuracy_m {}\nraw {}",
                        rfc3339(s.time_us),
                        opt(s.rssi),
                        s.address,
                        snake(&s.address_type),
                        snake(&s.pdu),
                        s.source,
                        opt(p.accuracy_m),
                        s.raw_hex
                    );
                    w.create_element("Placemark").write_inner_content(|w| {
                        w.create_element("name").write_text_content(text(&s.tracker_id))?;
                        w.create_element("description")
                            .write_text_content(text(&description))?;
                        w.create_element("TimeStamp").write_inner_content(|w| {
                            w.create_element("when")
                                .write_text_content(BytesText::new(&rfc3339(s.time_us)))?;
                            Ok(())
                        })?;
                        w.create_element("Point").write_inner_content(|w| {
                            w.create_element("coordinates")
                                .write_text_content(BytesText::new(&format!("{},{}", p.lon, p.lat)))?;
                            Ok(())
                        })?;
                        Ok(())
                    })?;
                }
                if data.track.len() > 1 {
                    let coords: Vec<String> = data
                        .track
                        .iter()
                        .map(|p| format!("{},{}", p.lon, p.lat))
                        .collect();
                    w.create_element("Placemark").write_inner_content(|w| {
                        w.create_element("name")
                            .write_text_content(BytesText::new("track"))?;
                        w.create_element("TimeSpan").write_inner_content(|w| {
                            let (a, b) = (&data.track[0], &data.track[data.track.len() - 1]);
                            w.create_element("begin")
                                .write_text_content(BytesText::new(&rfc3339(a.time_us)))?;
                            w.create_element("end")
                                .write_text_content(BytesText::new(&rfc3339(b.time_us)))?;
                            Ok(())
                        })?;
                        w.create_element("LineString").write_inner_content(|w| {
                            w.create_element("tessellate")
                                .write_text_content(BytesText::new("1"))?;
                            w.create_element("coordinates")
                                .write_text_content(BytesText::new(&coords.join(" ")))?;
                            Ok(())
                        })?;
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

/// The whole `ReportData` as pretty JSON (its serde form), for other tools.
pub fn to_json(data: &ReportData) -> String {
    crate::present::safe_json::to_string(data)
}
