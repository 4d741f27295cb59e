//! Country shapes: (multi)polygons in lon/lat, read from GeoJSON, with bounding boxes and
//! an even-odd point-in-polygon test.

use serde::Deserialize;

/// A lon/lat rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    /// Western edge, degrees.
    pub west: f64,
    /// Southern edge, degrees.
    pub south: f64,
    /// Eastern edge, degrees.
    pub east: f64,
    /// Northern edge, degrees.
    pub north: f64,
}

impl BBox {
    /// An empty box that any point extends.
    pub fn empty() -> Self {
        BBox {
            west: f64::INFINITY,
            south: f64::INFINITY,
            east: f64::NEG_INFINITY,
            north: f64::NEG_INFINITY,
        }
    }

    /// Grows the box to contain `(lon, lat)`.
    pub fn extend(&mut self, lon: f64, lat: f64) {
        self.west = self.west.min(lon);
        self.east = self.east.max(lon);
        self.south = self.south.min(lat);
        self.north = self.north.max(lat);
    }

    /// Whether `(lon, lat)` lies inside the box grown by `margin_deg` on every side.
    pub fn contains(&self, lon: f64, lat: f64, margin_deg: f64) -> bool {
        lon >= self.west - margin_deg
            && lon <= self.east + margin_deg
            && lat >= self.south - margin_deg
            && lat <= self.north + margin_deg
    }
}

/// One polygon: an outer ring and optional holes, each a closed list of `(lon, lat)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon {
    /// Rings; the first is the outer boundary.
    pub rings: Vec<Vec<(f64, f64)>>,
}

/// The shape of one country.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryShape {
    /// ISO 3166-1 alpha-3 code.
    pub iso3: String,
    /// Display name.
    pub name: String,
    /// Its polygons.
    pub polygons: Vec<Polygon>,
    /// Bounding box of all polygons.
    pub bbox: BBox,
}

impl CountryShape {
    /// Even-odd point-in-polygon over every ring (holes excluded), after a bounding-box test.
    ///
    /// ```
    /// use divnet::geo::shapes::{BBox, CountryShape, Polygon};
    /// let ring = vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)];
    /// let hole = vec![(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0), (4.0, 4.0)];
    /// let mut bbox = BBox::empty();
    /// bbox.extend(0.0, 0.0);
    /// bbox.extend(10.0, 10.0);
    /// let s = CountryShape { iso3: "XXX".into(), name: "X".into(), polygons: vec![Polygon { rings: vec![ring, hole] }], bbox };
    /// assert!(s.contains(2.0, 2.0));
    /// assert!(!s.contains(5.0, 5.0));
    /// assert!(!s.contains(11.0, 5.0));
    /// ```
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        if !self.bbox.contains(lon, lat, 0.0) {
            return false;
        }
        self.polygons.iter().any(|p| {
            let mut inside = false;
            for ring in &p.rings {
                if ring_crossings_odd(ring, lon, lat) {
                    inside = !inside;
                }
            }
            inside
        })
    }
}

fn ring_crossings_odd(ring: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut odd = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            odd = !odd;
        }
        j = i;
    }
    odd
}

/// Why a shapes file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ShapeError {
    /// Not valid GeoJSON of the expected form.
    #[error("not a GeoJSON FeatureCollection of country polygons: {0}")]
    Json(#[from] serde_json::Error),
    /// A feature lacks the `iso3` property.
    #[error("feature {index} has no 'iso3' property")]
    MissingIso3 {
        /// Position of the feature.
        index: usize,
    },
}

#[derive(Deserialize)]
struct Fc {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: serde_json::Map<String, serde_json::Value>,
    geometry: Option<Geometry>,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

/// Reads a GeoJSON FeatureCollection whose features carry `iso3` (and `name`) properties.
pub fn read_geojson(bytes: &[u8]) -> Result<Vec<CountryShape>, ShapeError> {
    let fc: Fc = serde_json::from_slice(bytes)?;
    let mut out = Vec::with_capacity(fc.features.len());
    for (index, f) in fc.features.into_iter().enumerate() {
        let iso3 = f
            .properties
            .get("iso3")
            .and_then(|v| v.as_str())
            .ok_or(ShapeError::MissingIso3 { index })?
            .to_string();
        let name = f.properties.get("name").and_then(|v| v.as_str()).unwrap_or(&iso3).to_string();
        let polys: Vec<Vec<Vec<[f64; 2]>>> = match f.geometry {
            Some(Geometry::Polygon(p)) => vec![p],
            Some(Geometry::MultiPolygon(mp)) => mp,
            None => Vec::new(),
        };
        let mut bbox = BBox::empty();
        let polygons = polys
            .into_iter()
            .map(|rings| Polygon {
                rings: rings
                    .into_iter()
                    .map(|ring| {
                        ring.into_iter()
                            .map(|[lon, lat]| {
                                bbox.extend(lon, lat);
                                (lon, lat)
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        out.push(CountryShape { iso3, name, polygons, bbox });
    }
    Ok(out)
}
