//! GeoJSON FeatureCollections of points (`format = "geojson"`, or a `.geojson` file).
//!
//! Each feature is a record: its `properties` become columns (in order of first
//! appearance), and a `Point` geometry becomes the columns `lat` and `lon` (GeoJSON stores
//! `[lon, lat]`, in WGS 84 / CRS84). A property already called `lat` or `lon` is kept as
//! `properties.lat` / `properties.lon`. A feature with a `null` geometry has empty
//! coordinates (its place or country may still locate it); a feature with another geometry
//! type, or properties that are not scalars or arrays of scalars, is rejected with the
//! reason `invalid_json` and no other. A record's `line` is the feature's number in the
//! collection, 1-based, as for Parquet rows.

use std::path::Path;

use csv::StringRecord;
use serde_json::Value;

use super::error::IngestError;
use super::rows::{Opened, RawRow, RowSource, json_text};
use super::validate::{Problem, Reason};

/// A feature's fields: (column index, text).
type Fields = Vec<(usize, String)>;

/// Reads a FeatureCollection.
pub fn open_geojson(
    path: &Path,
    bytes: &[u8],
    list_sep: char,
) -> Result<Opened<'static>, IngestError> {
    let bad = |problem: String| IngestError::Unreadable { path: path.to_path_buf(), problem };
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Value =
        serde_json::from_slice(text).map_err(|e| bad(format!("not a JSON document: {e}")))?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(bad(
            "not a GeoJSON FeatureCollection (its \"type\" is not \"FeatureCollection\")".into(),
        ));
    }
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("the FeatureCollection has no \"features\" array".into()))?;
    let mut header: Vec<String> = vec!["lat".into(), "lon".into()];
    let mut index: std::collections::HashMap<String, usize> =
        header.iter().enumerate().map(|(i, h)| (h.clone(), i)).collect();
    let mut parsed: Vec<(u64, Result<Fields, Problem>)> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let line = i as u64 + 1;
        parsed.push((line, feature(f, list_sep, &mut header, &mut index)));
    }
    let width = header.len();
    let rows = parsed
        .into_iter()
        .map(|(line, r)| match r {
            Ok(fields) => {
                let mut cells = vec![String::new(); width];
                for (i, v) in fields {
                    cells[i] = v;
                }
                RawRow::Record { line, record: StringRecord::from(cells) }
            }
            Err(problem) => RawRow::Broken { line, problem },
        })
        .collect();
    Ok(Opened { header, rows: RowSource::Ready(rows), header_line: 1, encoding: "utf-8".into() })
}

fn feature(
    f: &Value,
    list_sep: char,
    header: &mut Vec<String>,
    index: &mut std::collections::HashMap<String, usize>,
) -> Result<Fields, Problem> {
    let broken = |column: &str, value: &Value, detail: String| {
        Problem::new(column, &value.to_string(), Reason::InvalidJson, detail)
    };
    if f.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err(broken("(feature)", f, "not a GeoJSON Feature".into()));
    }
    let mut fields = Vec::new();
    match f.get("geometry") {
        None | Some(Value::Null) => {}
        Some(g) => {
            let kind = g.get("type").and_then(Value::as_str).unwrap_or("");
            let coords = g.get("coordinates").and_then(Value::as_array);
            match (kind, coords.map(Vec::as_slice)) {
                ("Point", Some([lon, lat, ..])) => {
                    let num = |v: &Value| v.as_f64().map(|x| x.to_string());
                    match (num(lat), num(lon)) {
                        (Some(lat), Some(lon)) => {
                            fields.push((0, lat));
                            fields.push((1, lon));
                        }
                        _ => {
                            return Err(broken(
                                "geometry",
                                g,
                                "point coordinates are not numbers".into(),
                            ));
                        }
                    }
                }
                ("Point", _) => {
                    return Err(broken(
                        "geometry",
                        g,
                        "a Point needs [lon, lat] coordinates".into(),
                    ));
                }
                (other, _) => {
                    return Err(broken(
                        "geometry",
                        g,
                        format!("a {other:?} geometry: only Point features are read"),
                    ));
                }
            }
        }
    }
    if let Some(props) = f.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let name = if k == "lat" || k == "lon" { format!("properties.{k}") } else { k.clone() };
            let idx = *index.entry(name.clone()).or_insert_with(|| {
                header.push(name.clone());
                header.len() - 1
            });
            match json_text(v, list_sep) {
                Some(t) => fields.push((idx, t.unwrap_or_default())),
                None => {
                    return Err(broken(k, v, "nested objects are not supported".into()));
                }
            }
        }
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records<'a>(o: &'a Opened<'_>) -> Vec<&'a RawRow> {
        match &o.rows {
            RowSource::Ready(rows) => rows.iter().collect(),
            RowSource::Csv { .. } => panic!("not materialised"),
        }
    }

    fn field<'a>(o: &'a Opened<'_>, row: &'a RawRow, col: &str) -> &'a str {
        let i = o.header.iter().position(|h| h == col).unwrap();
        match row {
            RawRow::Record { record, .. } => &record[i],
            RawRow::Broken { .. } => panic!("broken row"),
        }
    }

    #[test]
    fn the_ucdp_sample_reads_every_event_with_its_point() {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/sources/ucdp_ged_sample.geojson");
        let o = open_geojson(&p, &std::fs::read(&p).unwrap(), ';').unwrap();
        let rows = records(&o);
        assert_eq!(rows.len(), 72);
        for col in ["id", "date_start", "where_prec", "side_a", "best", "country"] {
            assert!(o.header.iter().any(|h| h == col), "{col} missing from {:?}", o.header);
        }
        for r in &rows {
            let lat: f64 = field(&o, r, "lat").parse().unwrap();
            let lon: f64 = field(&o, r, "lon").parse().unwrap();
            // The Central African Republic.
            assert!((2.0..12.0).contains(&lat) && (14.0..28.0).contains(&lon), "{lat},{lon}");
        }
        let precs: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| field(&o, r, "where_prec")).collect();
        assert_eq!(precs.into_iter().collect::<Vec<_>>(), ["1", "2", "3", "4", "5", "6"]);
    }

    #[test]
    fn bad_features_are_rejected_one_by_one_and_bad_documents_refused() {
        let doc = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[10.5,-2.25]},"properties":{"id":"a","lat":"x"}},
            {"type":"Feature","geometry":{"type":"Polygon","coordinates":[]},"properties":{"id":"b"}},
            {"type":"Feature","geometry":null,"properties":{"id":"c","tags":["x","y"]}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[1]},"properties":{"id":"d"}},
            {"type":"Feature","geometry":null,"properties":{"id":"e","nested":{"a":1}}}
        ]}"#;
        let o = open_geojson(Path::new("t.geojson"), doc, ';').unwrap();
        let rows = records(&o);
        assert_eq!(o.header[..4], ["lat", "lon", "id", "properties.lat"]);
        assert_eq!((field(&o, rows[0], "lat"), field(&o, rows[0], "lon")), ("-2.25", "10.5"));
        assert_eq!(field(&o, rows[2], "tags"), "x;y");
        assert_eq!(field(&o, rows[2], "lat"), "");
        let broken: Vec<(u64, String)> = rows
            .iter()
            .filter_map(|r| match r {
                RawRow::Broken { line, problem } => Some((*line, problem.detail.clone())),
                RawRow::Record { .. } => None,
            })
            .collect();
        assert_eq!(broken.len(), 3, "{broken:?}");
        assert_eq!(broken[0].0, 2);
        assert!(broken[0].1.contains("Polygon"));
        assert_eq!(broken[1].0, 4);
        assert_eq!(broken[2].0, 5);
        for bad in [
            &b"[1,2]"[..],
            b"{\"type\":\"Feature\"}",
            b"not json",
            b"{\"type\":\"FeatureCollection\"}",
        ] {
            assert!(open_geojson(Path::new("t.geojson"), bad, ';').is_err());
        }
    }
}
