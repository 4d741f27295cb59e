//! GIS layers: features with WGS 84 geometries and typed attributes, encoded as one
//! GeoPackage (one table per layer) and as GeoParquet (one file per layer).
//!
//! A [`Layer`] holds its geometries already encoded as WKB ([`wkb`]), so both encoders
//! share one encoding: [`gpkg::geopackage_bytes`] wraps each in the GeoPackage binary
//! header, [`geoparquet::geoparquet_bytes`] writes it as is. Both render to bytes, so the
//! run directory writes them atomically with the other outputs, and both are
//! byte-identical across runs and thread counts. docs/gis.md describes the layers.

pub mod geoparquet;
pub mod gpkg;
pub mod great_circle;
pub mod wkb;

/// The geometry type of every feature of a layer (2D, WGS 84 longitude/latitude).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryType {
    /// A point.
    Point,
    /// A polygon (one exterior ring here).
    Polygon,
    /// One or more line strings.
    MultiLineString,
}

impl GeometryType {
    /// Name in GeoParquet's `geometry_types` ("Point", ...).
    pub fn geoparquet_name(self) -> &'static str {
        match self {
            GeometryType::Point => "Point",
            GeometryType::Polygon => "Polygon",
            GeometryType::MultiLineString => "MultiLineString",
        }
    }

    /// Name in GeoPackage's `gpkg_geometry_columns.geometry_type_name` ("POINT", ...).
    pub fn gpkg_name(self) -> &'static str {
        match self {
            GeometryType::Point => "POINT",
            GeometryType::Polygon => "POLYGON",
            GeometryType::MultiLineString => "MULTILINESTRING",
        }
    }
}

/// Values of one attribute column.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Text (values of up to 24 bytes, most of them, are stored inline: a layer of a
    /// million points holds no string per value).
    Text(Vec<Option<compact_str::CompactString>>),
    /// Text from a small set of labels (a country code, a kind): each value is the index
    /// of its label, [`Values::NO_LABEL`] for none. Encoded exactly as [`Values::Text`].
    Coded {
        /// The distinct labels.
        labels: Vec<compact_str::CompactString>,
        /// One label index per feature.
        codes: Vec<u32>,
    },
    /// 64-bit floats.
    Real(Vec<Option<f64>>),
    /// 64-bit signed integers.
    Int(Vec<Option<i64>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
    /// Calendar dates as days since 1970-01-01.
    Date(Vec<Option<i32>>),
}

impl Values {
    /// The code of a missing value in [`Values::Coded`].
    pub const NO_LABEL: u32 = u32::MAX;

    /// A [`Values::Coded`] column of `values`, labels numbered in order of first use.
    ///
    /// ```
    /// use divnet::gis::Values;
    /// let v = Values::coded([Some("MEX"), None, Some("USA"), Some("MEX")]);
    /// assert_eq!(v.text(1), None);
    /// assert_eq!((v.text(0), v.text(3), v.len()), (Some("MEX"), Some("MEX"), 4));
    /// ```
    pub fn coded<'s>(values: impl IntoIterator<Item = Option<&'s str>>) -> Values {
        let mut index: std::collections::HashMap<&'s str, u32> = Default::default();
        let mut labels = Vec::new();
        let codes = values
            .into_iter()
            .map(|v| match v {
                None => Values::NO_LABEL,
                Some(v) => *index.entry(v).or_insert_with(|| {
                    labels.push(compact_str::CompactString::from(v));
                    (labels.len() - 1) as u32
                }),
            })
            .collect();
        Values::Coded { labels, codes }
    }

    /// The text of value `i` of a text column (`None` when missing, or for other types).
    pub fn text(&self, i: usize) -> Option<&str> {
        match self {
            Values::Text(v) => v[i].as_deref(),
            Values::Coded { labels, codes } => labels.get(codes[i] as usize).map(|l| l.as_str()),
            _ => None,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Coded { codes, .. } => codes.len(),
            Values::Real(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Date(v) => v.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Longitude/latitude bounds `[min_lon, min_lat, max_lon, max_lat]` (GeoParquet's order).
pub type Bbox = [f64; 4];

/// Extends `b` by a point; `None` starts an empty box.
pub fn extend_bbox(b: &mut Option<Bbox>, lon: f64, lat: f64) {
    match b {
        None => *b = Some([lon, lat, lon, lat]),
        Some(x) => {
            x[0] = x[0].min(lon);
            x[1] = x[1].min(lat);
            x[2] = x[2].max(lon);
            x[3] = x[3].max(lat);
        }
    }
}

/// One feature's geometry: its WKB and its bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// ISO WKB, little endian, 2D.
    pub wkb: Vec<u8>,
    /// Bounds of the coordinates.
    pub bbox: Bbox,
}

/// A layer: features of one geometry type and their attribute columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Table and file name (`hotspot_cells`, ...).
    pub name: &'static str,
    /// One-line description (GeoPackage `gpkg_contents.description`).
    pub description: &'static str,
    /// Geometry type of every feature.
    pub geometry_type: GeometryType,
    /// Geometry per feature.
    pub features: Vec<Feature>,
    /// Attribute columns, each with one value per feature.
    pub columns: Vec<(&'static str, Values)>,
}

impl Layer {
    /// A layer without attributes yet.
    pub fn new(
        name: &'static str,
        description: &'static str,
        geometry_type: GeometryType,
        features: Vec<Feature>,
    ) -> Self {
        Layer { name, description, geometry_type, features, columns: Vec::new() }
    }

    /// Adds an attribute column (one value per feature).
    pub fn column(mut self, name: &'static str, values: Values) -> Self {
        debug_assert_eq!(values.len(), self.features.len(), "column {name}");
        self.columns.push((name, values));
        self
    }

    /// Bounds of all features, `None` for an empty layer.
    pub fn bbox(&self) -> Option<Bbox> {
        let mut b = None;
        for f in &self.features {
            extend_bbox(&mut b, f.bbox[0], f.bbox[1]);
            extend_bbox(&mut b, f.bbox[2], f.bbox[3]);
        }
        b
    }
}

/// Why a layer could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum GisError {
    /// SQLite failed while building the GeoPackage.
    #[error("cannot write layer {layer} to the GeoPackage")]
    Sqlite {
        /// The layer (or `gpkg` for the schema tables).
        layer: String,
        /// The cause.
        #[source]
        source: rusqlite::Error,
    },
    /// The temporary file the GeoPackage is built in could not be made, read or removed.
    #[error(
        "cannot build the GeoPackage in a temporary file (set TMPDIR to a writable directory with room)"
    )]
    Temp {
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Polars failed while encoding a GeoParquet file.
    #[error("cannot encode layer {layer} as GeoParquet")]
    Parquet {
        /// The layer.
        layer: String,
        /// The cause.
        #[source]
        source: polars::error::PolarsError,
    },
    /// A column's length differs from the number of features.
    #[error("layer {layer}: column {column} has {got} values for {features} features")]
    Length {
        /// The layer.
        layer: String,
        /// The column.
        column: String,
        /// Its length.
        got: usize,
        /// Number of features.
        features: usize,
    },
}

impl Layer {
    /// Checks that every column has one value per feature.
    pub fn check(&self) -> Result<(), GisError> {
        for (name, v) in &self.columns {
            if v.len() != self.features.len() {
                return Err(GisError::Length {
                    layer: self.name.to_string(),
                    column: name.to_string(),
                    got: v.len(),
                    features: self.features.len(),
                });
            }
        }
        Ok(())
    }
}
