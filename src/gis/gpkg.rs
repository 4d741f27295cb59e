//! GeoPackage 1.3 (OGC 12-128r18) encoder: one SQLite file, one feature table per layer.
//!
//! The schema is written here, following the specification's requirements for a vector
//! GeoPackage: the `application_id` ('GPKG') and `user_version` (10300) pragmas,
//! `gpkg_spatial_ref_sys` with the required -1 and 0 rows and EPSG:4326,
//! `gpkg_contents` with each layer's bounds, `gpkg_geometry_columns`, and per layer a
//! table with an `INTEGER PRIMARY KEY AUTOINCREMENT` `fid`, a `geom` column of
//! GeoPackageBinary blobs ([`gpkg_blob`]) and the attributes.
//!
//! Determinism: the database is built with one fixed sequence of statements, without a
//! journal, so the bytes depend only on the layers. It is built in a temporary file (in
//! the system's temporary directory, removed when done) and read back once: an in-memory
//! database would hold the file three times over (its pages, `sqlite3_serialize`'s copy
//! and the returned bytes), 660 MB for the 220 MB GeoPackage of a million points. `gpkg_contents.last_change` is the fixed
//! [`LAST_CHANGE`] instead of the clock. No spatial index (the optional `gpkg_rtree_index`
//! extension) is written; QGIS and ogr2ogr build one on request.

use rusqlite::Connection;

use super::{GeometryType, GisError, Layer, Values};

/// `gpkg_contents.last_change` of every layer: a fixed instant, so that two runs on the
/// same data give the same bytes (the run's time is in manifest.json).
pub const LAST_CHANGE: &str = "1970-01-01T00:00:00.000Z";

/// `PRAGMA application_id`: the ASCII bytes 'GPKG'.
pub const APPLICATION_ID: i32 = 0x4750_4B47;

/// `PRAGMA user_version` of GeoPackage 1.3.0.
pub const USER_VERSION: i32 = 10300;

/// The WKT of EPSG:4326 as GDAL writes it into `gpkg_spatial_ref_sys.definition`.
const WGS84_WKT: &str = concat!(
    r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,"#,
    r#"AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,"#,
    r#"AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],"#,
    r#"AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#
);

const SCHEMA: &str = r#"
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"#;

/// GeoPackageBinary (spec 2.1.3): magic `GP`, version 0, flags, `srs_id` 4326, envelope,
/// then the WKB. Little endian throughout. Points carry no envelope (flags `0x01`, as
/// GDAL writes them); other geometries carry `[min_x, max_x, min_y, max_y]` (`0x03`).
///
/// ```
/// let f = divnet::gis::wkb::point(1.0, 2.0);
/// let b = divnet::gis::gpkg::gpkg_blob(divnet::gis::GeometryType::Point, &f);
/// assert_eq!(&b[..8], b"GP\x00\x01\xE6\x10\x00\x00");
/// ```
pub fn gpkg_blob(kind: GeometryType, f: &super::Feature) -> Vec<u8> {
    let mut out = Vec::with_capacity(40 + f.wkb.len());
    write_blob(&mut out, kind, f);
    out
}

fn write_blob(out: &mut Vec<u8>, kind: GeometryType, f: &super::Feature) {
    let envelope = kind != GeometryType::Point;
    out.extend_from_slice(b"GP");
    out.push(0);
    out.push(if envelope { 0b0000_0011 } else { 0b0000_0001 });
    out.extend_from_slice(&4326i32.to_le_bytes());
    if envelope {
        for v in [f.bbox[0], f.bbox[2], f.bbox[1], f.bbox[3]] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out.extend_from_slice(&f.wkb);
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn sql_type(v: &Values) -> &'static str {
    match v {
        Values::Text(_) | Values::Coded { .. } => "TEXT",
        Values::Real(_) => "REAL",
        Values::Int(_) => "INTEGER",
        Values::Bool(_) => "BOOLEAN",
        Values::Date(_) => "DATE",
    }
}

/// Binds attribute `i` of column `v` to parameter `idx` without copying text.
fn bind(
    stmt: &mut rusqlite::Statement<'_>,
    idx: usize,
    v: &Values,
    i: usize,
) -> rusqlite::Result<()> {
    match v {
        Values::Text(_) | Values::Coded { .. } => stmt.raw_bind_parameter(idx, v.text(i)),
        Values::Real(x) => stmt.raw_bind_parameter(idx, x[i].filter(|f| !f.is_nan())),
        Values::Int(x) => stmt.raw_bind_parameter(idx, x[i]),
        Values::Bool(x) => stmt.raw_bind_parameter(idx, x[i].map(i64::from)),
        Values::Date(x) => stmt.raw_bind_parameter(idx, x[i].map(iso_date)),
    }
}

/// `YYYY-MM-DD` of days since 1970-01-01 (GeoPackage DATE is ISO 8601 text).
fn iso_date(days: i32) -> String {
    chrono::DateTime::from_timestamp(i64::from(days) * 86_400, 0)
        .map(|d| d.date_naive().to_string())
        .unwrap_or_default()
}

fn add_layer(db: &Connection, layer: &Layer) -> rusqlite::Result<()> {
    let name = layer.name;
    let mut create = format!(
        "CREATE TABLE {} (\"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \"geom\" {}",
        quote(name),
        layer.geometry_type.gpkg_name()
    );
    for (col, v) in &layer.columns {
        create.push_str(&format!(", {} {}", quote(col), sql_type(v)));
    }
    create.push(')');
    db.execute_batch(&create)?;
    let bbox = layer.bbox();
    db.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, \
         min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, ?7, 4326)",
        rusqlite::params![
            name,
            layer.description,
            LAST_CHANGE,
            bbox.map(|b| b[0]),
            bbox.map(|b| b[1]),
            bbox.map(|b| b[2]),
            bbox.map(|b| b[3]),
        ],
    )?;
    db.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, 4326, 0, 0)",
        rusqlite::params![name, layer.geometry_type.gpkg_name()],
    )?;
    let placeholders = vec!["?"; layer.columns.len() + 1].join(", ");
    let cols: Vec<String> = std::iter::once("\"geom\"".to_string())
        .chain(layer.columns.iter().map(|(c, _)| quote(c)))
        .collect();
    let mut stmt = db.prepare(&format!(
        "INSERT INTO {} ({}) VALUES ({placeholders})",
        quote(name),
        cols.join(", ")
    ))?;
    let mut blob = Vec::new();
    for (i, f) in layer.features.iter().enumerate() {
        blob.clear();
        write_blob(&mut blob, layer.geometry_type, f);
        stmt.raw_bind_parameter(1, blob.as_slice())?;
        for (c, (_, v)) in layer.columns.iter().enumerate() {
            bind(&mut stmt, c + 2, v, i)?;
        }
        stmt.raw_execute()?;
    }
    Ok(())
}

/// The start of the names of the temporary directories GeoPackages are built in
/// (`divnet-gpkg-<process id>-...`).
pub const GPKG_PREFIX: &str = "divnet-gpkg-";

/// The layers as one GeoPackage file, in the given order.
pub fn geopackage_bytes(layers: &[Layer]) -> Result<Vec<u8>, GisError> {
    let err = |layer: &str| {
        let layer = layer.to_string();
        move |source| GisError::Sqlite { layer, source }
    };
    for l in layers {
        l.check()?;
    }
    // Named after this process, so that the next run removes what a killed one left;
    // registered, so that a signal removes it.
    let tmp = std::env::temp_dir();
    crate::output::signals::sweep_dead(&tmp, GPKG_PREFIX);
    let dir = tempfile::Builder::new()
        .prefix(&format!("{GPKG_PREFIX}{}-", std::process::id()))
        .tempdir()
        .map_err(|source| GisError::Temp { source })?;
    let _registered = crate::output::signals::TempFile::register(dir.path());
    let path = dir.path().join("layers.gpkg");
    let mut db = Connection::open(&path).map_err(err("gpkg"))?;
    db.execute_batch(&format!(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;\n\
         PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};\n{SCHEMA}"
    ))
    .map_err(err("gpkg"))?;
    db.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES \
         ('Undefined Cartesian SRS', -1, 'NONE', -1, 'undefined', \
          'undefined Cartesian coordinate reference system'), \
         ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', \
          'undefined geographic coordinate reference system'), \
         ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, \
          'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
        [WGS84_WKT],
    )
    .map_err(err("gpkg"))?;
    for l in layers {
        let tx = db.transaction().map_err(err(l.name))?;
        add_layer(&tx, l).map_err(err(l.name))?;
        tx.commit().map_err(err(l.name))?;
    }
    db.close().map_err(|(_, e)| err("gpkg")(e))?;
    let bytes = std::fs::read(&path).map_err(|source| GisError::Temp { source })?;
    dir.close().map_err(|source| GisError::Temp { source })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gis::wkb;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02X}")).collect()
    }

    // Reference blobs: what GDAL 3.6 (ogr2ogr -f GPKG -a_srs EPSG:4326) stores for the
    // same geometries.

    #[test]
    fn point_blob_matches_gdal() {
        let b = gpkg_blob(GeometryType::Point, &wkb::point(1.0, 2.0));
        assert_eq!(hex(&b), "47500001E61000000101000000000000000000F03F0000000000000040");
    }

    #[test]
    fn multi_line_string_blob_matches_gdal() {
        let f =
            wkb::multi_line_string(&[vec![(0.0, 0.0), (1.0, 1.0)], vec![(-1.0, -2.0), (3.0, 4.0)]]);
        let b = gpkg_blob(GeometryType::MultiLineString, &f);
        assert_eq!(
            hex(&b[..40]),
            concat!(
                "47500003E6100000000000000000F0BF0000000000000840",
                "00000000000000C00000000000001040"
            )
        );
        assert_eq!(&b[40..], &f.wkb[..]);
    }

    fn sample() -> Vec<Layer> {
        let pts = Layer::new(
            "points",
            "two points",
            GeometryType::Point,
            vec![wkb::point(1.0, 2.0), wkb::point(-3.0, 4.5)],
        )
        .column("name", Values::Text(vec![Some("a".into()), None]))
        .column("n", Values::Int(vec![Some(1), None]))
        .column("x", Values::Real(vec![Some(0.5), Some(f64::NAN)]))
        .column("ok", Values::Bool(vec![Some(true), Some(false)]))
        .column("day", Values::Date(vec![Some(19_723), None]));
        let empty = Layer::new("nothing", "no features", GeometryType::Polygon, Vec::new());
        vec![pts, empty]
    }

    #[test]
    fn file_has_the_geopackage_header_and_tables() {
        let bytes = geopackage_bytes(&sample()).unwrap();
        assert_eq!(&bytes[..16], b"SQLite format 3\0");
        // application_id at offset 68, user_version at 60, both big endian.
        assert_eq!(&bytes[68..72], b"GPKG");
        assert_eq!(i32::from_be_bytes(bytes[60..64].try_into().unwrap()), 10300);

        let mut db = Connection::open_in_memory().unwrap();
        db.deserialize_read_exact(rusqlite::MAIN_DB, &bytes[..], bytes.len(), false).unwrap();
        let contents: Vec<(String, Option<f64>, String)> = db
            .prepare("SELECT table_name, min_x, last_change FROM gpkg_contents ORDER BY table_name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            contents,
            vec![
                ("nothing".to_string(), None, LAST_CHANGE.to_string()),
                ("points".to_string(), Some(-3.0), LAST_CHANGE.to_string()),
            ]
        );
        let srs: Vec<i64> = db
            .prepare("SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(srs, vec![-1, 0, 4326]);
        let row: (i64, Option<String>, Option<f64>, i64, Option<String>) = db
            .query_row("SELECT fid, name, x, ok, day FROM points WHERE fid = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap();
        assert_eq!(row, (1, Some("a".into()), Some(0.5), 1, Some("2024-01-01".into())));
        let x: Option<f64> =
            db.query_row("SELECT x FROM points WHERE fid = 2", [], |r| r.get(0)).unwrap();
        assert_eq!(x, None);
    }

    #[test]
    fn same_layers_give_the_same_bytes() {
        assert_eq!(geopackage_bytes(&sample()).unwrap(), geopackage_bytes(&sample()).unwrap());
    }
}
