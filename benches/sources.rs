//! Reading the field's public exports at realistic sizes, each beside a baseline read of the
//! same bytes in the same run:
//!
//! - 30,000 SIPRI trade-register rows (the sample's 60 rows, preamble and Windows-1252 bytes
//!   kept, repeated 500 times) read as transfers through the `sipri-register` preset (find
//!   the header, decode, resolve every party, read the `?` marks and delivery years,
//!   validate), against polars' CSV reader on the same file (rows
//!   below the preamble, lossy UTF-8, types inferred, no validation);
//! - an 11,088-row UNODC IAFQ workbook (the sample's 264 rows repeated 42 times) through the
//!   `unodc-iafq` preset, against calamine reading every cell of the sheet (polars has no
//!   spreadsheet reader);
//! - 2,016 UCDP GED events as GeoJSON (the sample's 72 features repeated 28 times, ids made
//!   unique) read as conflict events through the `ucdp-ged` preset, against `serde_json`
//!   parsing the document (polars has no GeoJSON reader).
//!
//! `cargo bench --bench sources`.

use std::hint::black_box;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use calamine::Reader;
use criterion::{Criterion, criterion_group, criterion_main};
use divnet::geo::Gazetteer;
use divnet::ingest::{IngestOptions, InputSet, ingest};
use divnet::inputs::InputSpec;
use divnet::inputs::presets::Preset;
use divnet::schema::TableKind;
use polars::prelude::*;

// The same allocator as the `divnet` binary, for both sides of the comparison.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sources").join(name)
}

/// The register sample with its data rows repeated `times` times.
fn sipri_register(dir: &Path, times: usize) -> PathBuf {
    let bytes = std::fs::read(sample("sipri_trade_register_sample.csv")).expect("sample");
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let mut out = lines[..12].concat();
    for _ in 0..times {
        for l in &lines[12..] {
            out.extend_from_slice(l);
            if !l.ends_with(b"\n") {
                out.push(b'\n');
            }
        }
    }
    let path = dir.join("register.csv");
    std::fs::write(&path, out).expect("write");
    path
}

/// The IAFQ sample with its data rows repeated `times` times: the sheet's row elements
/// copied with their row numbers (and cell references) shifted.
fn iafq(dir: &Path, times: usize) -> PathBuf {
    let file = std::fs::File::open(sample("unodc_iafq_sample.xlsx")).expect("sample");
    let mut zin = ::zip::ZipArchive::new(file).expect("zip");
    let path = dir.join("iafq.xlsx");
    let mut zout = ::zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    let opts = ::zip::write::SimpleFileOptions::default()
        .compression_method(::zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i).expect("entry");
        let name = entry.name().expect("entry name").to_string();
        let mut text = Vec::new();
        entry.read_to_end(&mut text).expect("read");
        if name == "xl/worksheets/sheet1.xml" {
            text = repeat_rows(&String::from_utf8(text).expect("xml"), 4, times).into_bytes();
        }
        zout.start_file(name, opts).expect("start");
        zout.write_all(&text).expect("write");
    }
    zout.finish().expect("finish");
    path
}

/// `sheet` with its `<row>` elements from row `first` on repeated `times` times in all,
/// each copy's row numbers shifted past the previous copy's (no `<dimension>` kept).
fn repeat_rows(sheet: &str, first: u32, times: usize) -> String {
    let start = sheet.find("<sheetData>").expect("sheetData") + "<sheetData>".len();
    let end = sheet.find("</sheetData>").expect("/sheetData");
    let body = &sheet[start..end];
    let rows: Vec<&str> =
        body.split("</row>").filter(|r| !r.trim().is_empty()).map(|r| r.trim()).collect();
    let number = |row: &str| -> u32 {
        let at = row.find(" r=\"").expect("r") + 4;
        row[at..].split('"').next().expect("n").parse().expect("number")
    };
    let (head, data): (Vec<&str>, Vec<&str>) = rows.iter().partition(|r| number(r) < first);
    let per = data.len() as u32;
    let mut out = String::with_capacity(sheet.len() * times);
    out.push_str(&sheet[..start]);
    for r in &head {
        out.push_str(r);
        out.push_str("</row>");
    }
    for k in 0..times as u32 {
        for r in &data {
            let (old, new) = (number(r), number(r) + k * per);
            // Row attribute and every cell reference ("A12" -> "A1068").
            let moved = r
                .replace(&format!(" r=\"{old}\""), &format!(" r=\"{new}\""))
                .replace(&format!("{old}\""), &format!("{new}\""));
            out.push_str(&moved);
            out.push_str("</row>");
        }
    }
    out.push_str(&sheet[end..]);
    match (out.find("<dimension"), out.find("<dimension").and_then(|d| out[d..].find("/>"))) {
        (Some(d), Some(e)) => format!("{}{}", &out[..d], &out[d + e + 2..]),
        _ => out,
    }
}

/// The UCDP sample's features repeated `times` times with unique ids.
fn ucdp(dir: &Path, times: usize) -> PathBuf {
    let text = std::fs::read_to_string(sample("ucdp_ged_sample.geojson")).expect("sample");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let features = doc["features"].as_array().expect("features").clone();
    let mut all = Vec::with_capacity(features.len() * times);
    for k in 0..times {
        for f in &features {
            let mut f = f.clone();
            let id = f["properties"]["id"].to_string();
            f["properties"]["id"] = serde_json::Value::String(format!("{id}-{k}"));
            all.push(f);
        }
    }
    doc["features"] = serde_json::Value::Array(all);
    let path = dir.join("ged.geojson");
    std::fs::write(&path, serde_json::to_vec(&doc).expect("encode")).expect("write");
    path
}

fn read(g: &Gazetteer, inputs: &InputSet) -> divnet::ingest::Ingested {
    ingest(inputs, Path::new("/"), g, IngestOptions::default()).expect("ingest")
}

fn bench(c: &mut Criterion) {
    let g = Gazetteer::embedded().expect("gazetteer");
    let dir = tempfile::tempdir().expect("tempdir");

    let register = sipri_register(dir.path(), 500);
    let mut spec = InputSpec::for_path(register.display().to_string());
    spec.preset = Some(Preset::SipriRegister);
    spec.apply_preset(Preset::SipriRegister, TableKind::Transfers);
    let inputs = InputSet { transfers: vec![spec], ..InputSet::default() };
    let mut group = c.benchmark_group("sipri_register_30000_rows");
    group.sample_size(10);
    group.bench_function("polars_csv_read", |b| {
        b.iter(|| {
            let df = CsvReadOptions::default()
                .with_has_header(true)
                .with_skip_rows(11)
                .map_parse_options(|p| p.with_encoding(CsvEncoding::LossyUtf8))
                .try_into_reader_with_file_path(Some(register.clone()))
                .expect("reader")
                .finish()
                .expect("read");
            assert_eq!(df.height(), 30_000);
            black_box(df.height())
        })
    });
    group.bench_function("divnet_preset_ingest_validate", |b| {
        b.iter(|| {
            let ing = read(g, &inputs);
            assert_eq!(ing.files[0].rows_read, 30_000);
            assert_eq!(ing.transfers.len(), 30_000);
            black_box(ing.transfers.len())
        })
    });
    group.finish();

    let workbook = iafq(dir.path(), 42);
    let mut spec = InputSpec::for_path(workbook.display().to_string());
    spec.apply_preset(Preset::UnodcIafq, TableKind::Seizures);
    let inputs = InputSet { seizures: vec![spec], ..InputSet::default() };
    let mut group = c.benchmark_group("unodc_iafq_11088_rows");
    group.sample_size(10);
    group.bench_function("calamine_read_every_cell", |b| {
        b.iter(|| {
            let mut book = calamine::open_workbook_auto(&workbook).expect("open");
            let range = book.worksheet_range_at(0).expect("sheet").expect("range");
            assert_eq!(range.height(), 3 + 11_088);
            black_box(range.rows().map(|r| r.len()).sum::<usize>())
        })
    });
    group.bench_function("divnet_preset_ingest_validate", |b| {
        b.iter(|| {
            let ing = read(g, &inputs);
            assert_eq!(ing.files[0].rows_read, 11_088);
            black_box(ing.seizures.len())
        })
    });
    group.finish();

    let ged = ucdp(dir.path(), 28);
    let mut spec = InputSpec::for_path(ged.display().to_string());
    spec.apply_preset(Preset::UcdpGed, TableKind::Events);
    let inputs = InputSet { events: vec![spec], ..InputSet::default() };
    let mut group = c.benchmark_group("ucdp_ged_2016_events_geojson");
    group.sample_size(20);
    group.bench_function("serde_json_parse", |b| {
        b.iter(|| {
            let text = std::fs::read(&ged).expect("read");
            let doc: serde_json::Value = serde_json::from_slice(&text).expect("json");
            black_box(doc["features"].as_array().map(Vec::len))
        })
    });
    group.bench_function("divnet_ingest_validate", |b| {
        b.iter(|| {
            let ing = read(g, &inputs);
            assert_eq!(ing.events.len(), 2_016);
            black_box(ing.events.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
