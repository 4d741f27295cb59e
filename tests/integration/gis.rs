//! The GIS layers of a demo run read back by GDAL's `ogrinfo`: layer names, geometry
//! types, CRS and feature counts equal the tables'. GeoParquet is read back with GDAL when
//! its Parquet driver is present (Debian's gdal-bin has none) and otherwise with polars,
//! checking the `geo` metadata and every WKB geometry. Without `ogrinfo` the test fails
//! when CI is set and is skipped otherwise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use polars::prelude::*;

use crate::run_demo::run_demo;

const OGRINFO: &str = "ogrinfo";

/// (layer, GDAL geometry name, GeoParquet geometry type, WKB type code).
const LAYERS: [(&str, &str, &str, u32); 5] = [
    ("hotspot_cells", "Polygon", "Polygon", 3),
    ("network_nodes", "Point", "Point", 1),
    ("network_edges", "Multi Line String", "MultiLineString", 5),
    ("edge_flows", "Multi Line String", "MultiLineString", 5),
    ("events", "Point", "Point", 1),
];

fn ogrinfo_available() -> bool {
    if Command::new(OGRINFO).arg("--version").output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("ogrinfo is missing; CI must install gdal-bin (apt-get install gdal-bin)");
    }
    eprintln!("note: ogrinfo not found; skipping the GDAL read-back of the GIS layers");
    false
}

fn ogrinfo(args: &[&str], file: &Path) -> String {
    let out = Command::new(OGRINFO).args(args).arg(file).output().expect("ogrinfo runs");
    assert!(out.status.success(), "ogrinfo {file:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn csv_rows(path: &Path) -> usize {
    csv::Reader::from_path(path).unwrap().records().count()
}

/// Feature count each layer must have: the row count of its table.
fn expected_counts(out: &Path) -> BTreeMap<&'static str, usize> {
    let t = |n: &str| csv_rows(&out.join(format!("{n}.csv")));
    BTreeMap::from([
        ("hotspot_cells", t("hotspot_cells")),
        ("network_nodes", t("network_nodes")),
        ("network_edges", t("network_edges")),
        ("edge_flows", t("edge_flows")),
        ("events", t("seizures") + t("looting") + t("events")),
    ])
}

/// Per layer of an `ogrinfo -so -al` listing: (geometry, feature count, CRS is EPSG:4326).
fn summaries(listing: &str) -> BTreeMap<String, (String, usize, bool)> {
    let mut out = BTreeMap::new();
    for block in listing.split("\nLayer name: ").skip(1) {
        let name = block.lines().next().unwrap().trim().to_string();
        let field = |key: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .unwrap_or_else(|| panic!("{key} missing for {name}"))
                .trim()
                .to_string()
        };
        let geometry = field("Geometry:");
        let count = field("Feature Count:").parse().unwrap();
        let wgs84 =
            block.contains("ID[\"EPSG\",4326]]") || block.contains("AUTHORITY[\"EPSG\",\"4326\"]]");
        out.insert(name, (geometry, count, wgs84));
    }
    out
}

/// Checks one WKB geometry of type `kind` (1, 3 or 5) and returns its byte length.
fn wkb_len(b: &[u8], kind: u32) -> usize {
    let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
    assert_eq!(b[0], 1, "little endian");
    assert_eq!(u32_at(1), kind);
    let coords = |i: usize| {
        let n = u32_at(i) as usize;
        for k in 0..n {
            let at = i + 4 + 16 * k;
            let x = f64::from_le_bytes(b[at..at + 8].try_into().unwrap());
            let y = f64::from_le_bytes(b[at + 8..at + 16].try_into().unwrap());
            assert!((-180.0..=540.0).contains(&x) && (-90.0..=90.0).contains(&y), "{x} {y}");
        }
        (n, i + 4 + 16 * n)
    };
    match kind {
        1 => {
            let x = f64::from_le_bytes(b[5..13].try_into().unwrap());
            assert!((-180.0..=180.0).contains(&x));
            21
        }
        3 => {
            assert_eq!(u32_at(5), 1, "one ring");
            let (n, end) = coords(9);
            assert!(n >= 4);
            end
        }
        5 => {
            let parts = u32_at(5) as usize;
            assert!(parts >= 1);
            let mut at = 9;
            for _ in 0..parts {
                assert_eq!(u32_at(at + 1), 2, "line string part");
                let (n, end) = coords(at + 5);
                assert!(n >= 2);
                at = end;
            }
            at
        }
        _ => unreachable!(),
    }
}

fn check_geoparquet(path: &Path, geo_type: &str, kind: u32, rows: usize) {
    let mut reader = ParquetReader::new(std::fs::File::open(path).unwrap());
    let meta = reader.get_metadata().unwrap().clone();
    let geo = meta
        .key_value_metadata()
        .as_ref()
        .and_then(|kv| kv.iter().find(|k| k.key == "geo"))
        .and_then(|k| k.value.clone())
        .unwrap_or_else(|| panic!("{path:?} has no geo metadata"));
    let geo: serde_json::Value = serde_json::from_str(&geo).unwrap();
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(geo["primary_column"], "geometry");
    let col = &geo["columns"]["geometry"];
    assert_eq!(col["encoding"], "WKB");
    assert_eq!(col["geometry_types"], serde_json::json!([geo_type]));
    // No `crs` key: OGC:CRS84, i.e. WGS 84 longitude/latitude.
    assert!(col.get("crs").is_none());
    let df = reader.finish().unwrap();
    assert_eq!(df.height(), rows, "{path:?}");
    let g = df.column("geometry").unwrap().binary().unwrap().clone();
    for i in 0..g.len() {
        let b = g.get(i).expect("no null geometry");
        assert_eq!(wkb_len(b, kind), b.len(), "{path:?}");
    }
    if rows > 0 {
        let bbox = col["bbox"].as_array().expect("bbox");
        assert_eq!(bbox.len(), 4);
    }
}

fn gis_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    std::fs::read_dir(dir.join("gis"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().into(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn demo_gis_layers_read_back_with_gdal_and_match_the_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a");
    run_demo(&out, "2");
    let expected = expected_counts(&out);
    assert!(expected.values().all(|n| *n > 0), "{expected:?}");

    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert!(record["timings_ms"]["gis"].is_u64());
    assert!(record["steps"].as_array().unwrap().iter().any(|s| s["step"] == "gis"));

    // GeoParquet, with polars (and GDAL below when it can).
    for (name, _, geo_type, kind) in LAYERS {
        check_geoparquet(&out.join(format!("gis/{name}.parquet")), geo_type, kind, expected[name]);
    }

    // The demo network has a leg across the Pacific: its line is split at the antimeridian.
    let edges =
        ParquetReader::new(std::fs::File::open(out.join("gis/network_edges.parquet")).unwrap())
            .finish()
            .unwrap();
    let g = edges.column("geometry").unwrap().binary().unwrap().clone();
    let split = (0..g.len())
        .filter(|i| g.get(*i).is_some_and(|b| u32::from_le_bytes(b[5..9].try_into().unwrap()) > 1))
        .count();
    assert!(split >= 1, "no edge is split at the antimeridian");

    // Same bytes for another run with another thread count.
    run_demo(&tmp.path().join("b"), "1");
    let (a, b) = (gis_files(&out), gis_files(&tmp.path().join("b")));
    assert_eq!(a.len(), 6, "{:?}", a.keys());
    for (name, bytes) in &a {
        assert!(b.get(name) == Some(bytes), "{name:?} differs between runs");
    }

    if !ogrinfo_available() {
        return;
    }
    let gpkg = out.join("gis/divnet.gpkg");
    let layers = summaries(&ogrinfo(&["-ro", "-so", "-al"], &gpkg));
    assert_eq!(layers.len(), LAYERS.len(), "{layers:?}");
    for (name, geometry, _, _) in LAYERS {
        let (g, n, wgs84) = &layers[name];
        assert_eq!(g, geometry, "{name}");
        assert_eq!(*n, expected[name], "{name}");
        assert!(wgs84, "{name} is not in EPSG:4326");
    }
    // Reading every feature raises no GDAL warning or error.
    let full = Command::new(OGRINFO).args(["-ro", "-al", "-q"]).arg(&gpkg).output().unwrap();
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert!(
        full.status.success() && !stderr.contains("Warning") && !stderr.contains("ERROR"),
        "{stderr}"
    );
    let formats = Command::new(OGRINFO).arg("--formats").output().unwrap();
    if String::from_utf8_lossy(&formats.stdout).contains("Parquet") {
        for (name, geometry, _, _) in LAYERS {
            let l = summaries(&ogrinfo(
                &["-ro", "-so", "-al"],
                &out.join(format!("gis/{name}.parquet")),
            ));
            let (g, n, wgs84) = l.values().next().unwrap();
            assert_eq!((g.as_str(), *n, *wgs84), (geometry, expected[name], true), "{name}");
        }
    }
}
