//! Country polygons for map figures and a small GeoJSON loader.
//!
//! The loader reads an RFC 7946 FeatureCollection whose features carry `properties.iso3` (and
//! optionally `name`) and a `Polygon` or `MultiPolygon` geometry in lon/lat degrees, e.g.
//! `datasets/geo/countries_50m.geojson`. Every ring (outer rings and holes) becomes one entry of
//! [`Shape::rings`]. Maps fill every ring with the land colour, so holes (mostly enclaves, which
//! are features of their own) are drawn as land, which is what a basemap needs.

use serde_json::Value;

use super::{Canvas, ChartError, style};
use crate::chart::projection::MapView;

/// One country (or other area) as polygons in lon/lat degrees.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Shape {
    /// ISO 3166-1 alpha-3 code (free text; not validated).
    pub iso3: String,
    /// Rings of all polygons (outer rings and holes), each a list of `(lon, lat)` vertices.
    pub rings: Vec<Vec<(f64, f64)>>,
}

/// Parses a GeoJSON FeatureCollection of (Multi)Polygon features into shapes. O(vertices).
///
/// Features with a `null` geometry are skipped; other geometry types are an error, as are
/// non-numeric or out-of-range coordinates.
///
/// # Errors
/// [`ChartError::GeoJson`] with the feature index and the reason.
///
/// ```
/// let gj = br#"{"type":"FeatureCollection","features":[{"type":"Feature",
///   "properties":{"iso3":"MLI","name":"Mali"},
///   "geometry":{"type":"Polygon","coordinates":[[[0,10],[5,10],[5,15],[0,10]]]}}]}"#;
/// let shapes = divnet::chart::basemap::load_geojson(gj).unwrap();
/// assert_eq!(shapes[0].iso3, "MLI");
/// assert_eq!(shapes[0].rings[0].len(), 4);
/// ```
pub fn load_geojson(bytes: &[u8]) -> Result<Vec<Shape>, ChartError> {
    let err = |at: String, reason: String| ChartError::GeoJson { at, reason };
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| err("document".into(), e.to_string()))?;
    let feats = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| err("document".into(), "missing \"features\" array".into()))?;
    let mut out = Vec::with_capacity(feats.len());
    for (i, f) in feats.iter().enumerate() {
        let at = format!("feature {i}");
        let props = f.get("properties");
        let iso3 = props
            .and_then(|p| p.get("iso3").or_else(|| p.get("ISO3")).or_else(|| p.get("iso_a3")))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let geom = match f.get("geometry") {
            None | Some(Value::Null) => continue,
            Some(g) => g,
        };
        let kind = geom.get("type").and_then(Value::as_str).unwrap_or("");
        let coords =
            geom.get("coordinates").ok_or_else(|| err(at.clone(), "no coordinates".into()))?;
        let rings = match kind {
            "Polygon" => parse_polygon(coords, &at)?,
            "MultiPolygon" => coords
                .as_array()
                .ok_or_else(|| err(at.clone(), "MultiPolygon coordinates not an array".into()))?
                .iter()
                .map(|p| parse_polygon(p, &at))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect(),
            other => return Err(err(at, format!("unsupported geometry type {other:?}"))),
        };
        out.push(Shape { iso3, rings });
    }
    Ok(out)
}

fn parse_polygon(v: &Value, at: &str) -> Result<Vec<Vec<(f64, f64)>>, ChartError> {
    let err = |reason: String| ChartError::GeoJson { at: at.to_string(), reason };
    let rings = v.as_array().ok_or_else(|| err("polygon is not an array of rings".into()))?;
    rings
        .iter()
        .map(|ring| {
            ring.as_array()
                .ok_or_else(|| err("ring is not an array".into()))?
                .iter()
                .map(|p| {
                    let lon = p.get(0).and_then(Value::as_f64);
                    let lat = p.get(1).and_then(Value::as_f64);
                    match (lon, lat) {
                        (Some(lon), Some(lat)) if lon.abs() <= 180.0 && lat.abs() <= 90.0 => {
                            Ok((lon, lat))
                        }
                        _ => Err(err(format!("bad position {p}"))),
                    }
                })
                .collect()
        })
        .collect()
}

/// Draws land (every ring filled) and borders inside the view.
pub(crate) fn draw_basemap<DB: plotters::backend::DrawingBackend>(
    c: &Canvas<'_, DB>,
    view: &MapView,
    shapes: &[Shape],
) -> Result<(), ChartError> {
    c.fill_rect(view.rect, style::OCEAN, 1.0)?;
    let bw = c.px(0.5);
    let projected: Vec<Vec<(f64, f64)>> = shapes
        .iter()
        .flat_map(|s| s.rings.iter())
        .map(|ring| view.project_ring(ring))
        .filter(|px| px.len() >= 3)
        .collect();
    for px in &projected {
        c.polygon(px, style::LAND, 1.0)?;
    }
    for px in &projected {
        let mut closed = px.clone();
        closed.push(px[0]);
        c.polyline(&closed, style::BORDER, 1.0, bw)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipolygon_and_errors() {
        let gj = br#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"iso3":"A"},"geometry":{"type":"MultiPolygon",
           "coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]],
           [[2.1,2.1],[2.2,2.1],[2.2,2.2],[2.1,2.1]]]]}},
          {"type":"Feature","properties":{"iso3":"B"},"geometry":null}]}"#;
        let s = load_geojson(gj).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].rings.len(), 3);
        assert_eq!(s[0].rings[2][0], (2.1, 2.1));
        let bad = br#"{"type":"FeatureCollection","features":[{"type":"Feature",
          "properties":{},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#;
        assert!(matches!(load_geojson(bad), Err(ChartError::GeoJson { .. })));
        let bad = br#"{"type":"FeatureCollection","features":[{"type":"Feature",
          "properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,95],[1,0],[0,0]]]}}]}"#;
        assert!(matches!(load_geojson(bad), Err(ChartError::GeoJson { .. })));
        assert!(load_geojson(b"not json").is_err());
    }
}
