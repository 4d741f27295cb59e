//! GeoParquet 1.1 encoder: a Parquet file with a WKB `geometry` column and the file-level
//! `geo` metadata (<https://geoparquet.org/releases/v1.1.0/>).
//!
//! polars' `ParquetWriter` writes the file and takes the `geo` key through its
//! `with_key_value_metadata`, so no second Parquet implementation is needed. The `crs` key
//! is omitted, which GeoParquet defines as OGC:CRS84 (WGS 84, longitude/latitude order),
//! the same datum and axis order as the GeoPackage's EPSG:4326 coordinates.

use polars::prelude::*;

use super::{GisError, Layer, Values};

/// Name of the geometry column.
pub const GEOMETRY_COLUMN: &str = "geometry";

/// The `geo` metadata of a layer (version 1.1.0, WKB, its geometry type and bounds).
pub fn geo_metadata(layer: &Layer) -> serde_json::Value {
    let mut col = serde_json::json!({
        "encoding": "WKB",
        "geometry_types": [layer.geometry_type.geoparquet_name()],
    });
    if let Some(b) = layer.bbox() {
        col["bbox"] = serde_json::json!(b);
    }
    serde_json::json!({
        "version": "1.1.0",
        "primary_column": GEOMETRY_COLUMN,
        "columns": { GEOMETRY_COLUMN: col },
    })
}

fn column(name: &str, v: &Values) -> PolarsResult<Column> {
    let name: PlSmallStr = name.into();
    Ok(match v {
        Values::Text(_) | Values::Coded { .. } => {
            StringChunked::from_iter_options(name, (0..v.len()).map(|i| v.text(i))).into_column()
        }
        Values::Real(x) => Column::new(name, x),
        Values::Int(x) => Column::new(name, x),
        Values::Bool(x) => Column::new(name, x),
        Values::Date(x) => Column::new(name, x).cast(&DataType::Date)?,
    })
}

/// The layer as a GeoParquet file: the attributes, then `geometry` (zstd, statistics on).
pub fn geoparquet_bytes(layer: &Layer) -> Result<Vec<u8>, GisError> {
    layer.check()?;
    let err = |source| GisError::Parquet { layer: layer.name.to_string(), source };
    let mut cols = layer
        .columns
        .iter()
        .map(|(n, v)| column(n, v))
        .collect::<PolarsResult<Vec<Column>>>()
        .map_err(err)?;
    let geom = BinaryChunked::from_iter_values(
        GEOMETRY_COLUMN.into(),
        layer.features.iter().map(|f| f.wkb.as_slice()),
    );
    cols.push(geom.into_series().into_column());
    let mut df = DataFrame::new(layer.features.len(), cols).map_err(err)?;
    let geo = geo_metadata(layer).to_string();
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![("geo".into(), geo)])))
        .finish(&mut df)
        .map_err(err)?;
    Ok(buf)
}
