//! Ingestion: every rejection reason, each format, column mapping, partial dates, aliases,
//! and the corpus of unusable files.

use divnet::config::InputSpec;
use divnet::date::DatePrecision;
use divnet::geo::Resolved;
use divnet::ingest::{IngestError, IngestOptions, InputSet, Reason, ingest};
use divnet::schema::Category;

use crate::common::{data, gaz, ingest_specs, root, spec};

fn reasons_by_id(ing: &divnet::ingest::Ingested, csv_rel: &str) -> Vec<(u64, String, Reason)> {
    let _ = csv_rel;
    ing.rejections
        .iter()
        .map(|r| (r.row.line, r.problem.column.clone(), r.problem.reason))
        .collect()
}

#[test]
fn every_seizure_rejection_reason_is_reported_with_line_and_column() {
    let ing = ingest_specs(vec![spec("rows/seizures_reasons.csv")], vec![], vec![]).unwrap();
    let got = reasons_by_id(&ing, "rows/seizures_reasons.csv");
    let expect: &[(u64, &str, Reason)] = &[
        (3, "id", Reason::Missing),
        (4, "quantity", Reason::NotANumber),
        (5, "confidence", Reason::NotFinite),
        (6, "lat", Reason::OutOfRange),
        (7, "quantity", Reason::NotAnInteger),
        (8, "date", Reason::InvalidDate),
        (9, "date", Reason::FutureDate),
        (10, "category", Reason::UnknownCategory),
        (11, "location_precision", Reason::UnknownPrecision),
        (12, "transport_mode", Reason::UnknownTransportMode),
        (13, "country", Reason::UnknownCountry),
        (14, "place", Reason::UnknownPlace),
        (15, "country", Reason::NoLocation),
        (16, "lat", Reason::CoordinatesMismatch),
        (17, "id", Reason::DuplicateId),
        (18, "confidence", Reason::OutOfRange),
        (19, "quantity", Reason::OutOfRange),
        (20, "(row)", Reason::FieldCount),
        (21, "origin", Reason::UnknownCountry),
    ];
    for (line, col, reason) in expect {
        assert!(
            got.iter().any(|(l, c, r)| l == line && c == col && r == reason),
            "expected {reason:?} on line {line} column {col}; got {got:?}"
        );
    }
    // Exactly those rows are rejected, nothing else, and nothing silently vanishes.
    let file = &ing.files[0];
    assert_eq!(file.rows_read, 21);
    assert_eq!(file.accepted + file.rejected, file.rows_read);
    assert_eq!(ing.seizures.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["OK-1", "OK-2"]);
    // The misspelt country carries a suggestion.
    let ctry = ing.rejections.iter().find(|r| r.row.line == 13).unwrap();
    assert!(ctry.problem.detail.contains("Mexico"), "{}", ctry.problem.detail);
    let cat = ing.rejections.iter().find(|r| r.row.line == 10).unwrap();
    assert_eq!(cat.problem.value, "bazooka");
}

#[test]
fn aliases_and_partial_dates_resolve() {
    let ing = ingest_specs(vec![spec("rows/seizures_reasons.csv")], vec![], vec![]).unwrap();
    let g = gaz();
    let ok2 = ing.seizures.iter().find(|s| s.id == "OK-2").unwrap();
    assert_eq!(g.country(ok2.location.country).iso3, "MMR");
    assert_eq!(ok2.date.precision(), DatePrecision::Month);
    assert_eq!(ok2.date.to_string(), "2023-05");
    let transit: Vec<String> =
        ok2.transit.iter().map(|t| g.country(g.country_of(*t)).iso3.clone()).collect();
    assert_eq!(transit, ["CIV", "COD"]);
    let ok1 = ing.seizures.iter().find(|s| s.id == "OK-1").unwrap();
    assert_eq!(ok1.date.precision(), DatePrecision::Day);
    assert_eq!(g.country(ok1.origin[0]).iso3, "USA");
    for (alias, iso3) in [
        ("Burma", "MMR"),
        ("Ivory Coast", "CIV"),
        ("Côte d'Ivoire", "CIV"),
        ("DRC", "COD"),
        ("Soviet Union", "RUS"),
        ("USSR", "RUS"),
        ("Türkiye", "TUR"),
        ("MX", "MEX"),
        ("484", "MEX"),
    ] {
        let id = g.resolve_country(alias).unwrap_or_else(|e| panic!("{alias}: {e}"));
        assert_eq!(g.country(id).iso3, iso3, "{alias}");
    }
}

#[test]
fn route_and_looting_reasons() {
    let ing = ingest_specs(
        vec![],
        vec![spec("rows/looting_reasons.csv")],
        vec![spec("rows/routes_reasons.csv")],
    )
    .unwrap();
    let g = gaz();
    assert_eq!(ing.routes.len(), 2, "{:?}", ing.rejections);
    let rt1 = &ing.routes[0];
    assert!(matches!(rt1.to, Resolved::City(c) if g.cities()[c.0 as usize].name == "Tijuana"));
    assert_eq!(rt1.reports, 3);
    assert_eq!(g.country(g.country_of(ing.routes[1].from)).iso3, "RUS");
    let has = |table: &str, line: u64, reason: Reason| {
        ing.rejections
            .iter()
            .any(|r| r.table.as_str() == table && r.row.line == line && r.problem.reason == reason)
    };
    assert!(has("routes", 3, Reason::OutOfRange), "from = to");
    assert!(has("routes", 4, Reason::DateOrder));
    assert!(has("routes", 5, Reason::OutOfRange), "reports = 0");
    assert!(has("routes", 7, Reason::Missing));
    assert!(has("looting", 3, Reason::InvalidSerialRange));
    assert!(has("looting", 4, Reason::UnknownCategory));
    let lt = &ing.looting[0];
    assert_eq!(lt.categories, [Category::AssaultRifle, Category::Ammunition]);
    assert_eq!(lt.serial_ranges[0].last - lt.serial_ranges[0].first + 1, 1200);
    assert_eq!(lt.lots, ["LOT-A", "LOT-B"]);
    let admin = lt.location.admin1.map(|a| g.admin1s()[a.0 as usize].name.clone());
    assert_eq!(admin.as_deref(), Some("Manipur"));
}

#[test]
fn bom_crlf_and_bad_utf8_rows() {
    let ing =
        ingest_specs(vec![spec("rows/bom_crlf.csv"), spec("rows/latin1.csv")], vec![], vec![])
            .unwrap();
    assert_eq!(
        ing.seizures.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["BOM-1", "BOM-2", "U-1"]
    );
    assert_eq!(ing.rejections.len(), 1);
    assert_eq!(ing.rejections[0].problem.reason, Reason::InvalidUtf8);
    assert_eq!(ing.rejections[0].row.line, 3);
}

#[test]
fn ndjson_lines_are_checked_one_by_one() {
    let ing = ingest_specs(vec![spec("rows/seizures.ndjson")], vec![], vec![]).unwrap();
    let g = gaz();
    assert_eq!(ing.seizures.len(), 2);
    assert_eq!(
        ing.seizures[0].origin.iter().map(|c| g.country(*c).iso3.as_str()).collect::<Vec<_>>(),
        ["LBY", "MLI"]
    );
    assert_eq!(ing.seizures[1].row.line, 3, "blank lines still count for line numbers");
    let lines: Vec<(u64, Reason)> =
        ing.rejections.iter().map(|r| (r.row.line, r.problem.reason)).collect();
    assert_eq!(lines, [(4, Reason::InvalidJson), (5, Reason::InvalidJson)]);
}

fn summary(ing: &divnet::ingest::Ingested) -> Vec<(String, String, u64, Vec<String>, f64, f64)> {
    let g = gaz();
    ing.seizures
        .iter()
        .map(|s| {
            (
                s.id.to_string(),
                s.date.to_string(),
                s.quantity.unwrap_or(0),
                s.origin.iter().map(|c| g.country(*c).iso3.clone()).collect(),
                s.location.point.lat(),
                s.location.point.lon(),
            )
        })
        .collect()
}

#[test]
fn csv_ndjson_parquet_and_mapped_columns_agree() {
    let csv = ingest_specs(vec![spec("formats/seizures.csv")], vec![], vec![]).unwrap();
    assert!(csv.rejections.is_empty(), "{:?}", csv.rejections);
    assert_eq!(csv.seizures.len(), 3);
    let nd = ingest_specs(vec![spec("formats/seizures.ndjson")], vec![], vec![]).unwrap();
    assert_eq!(summary(&csv), summary(&nd));

    let mut mapped = spec("formats/mapped.csv");
    for (k, v) in [
        ("id", "EventID"),
        ("date", "EventDate"),
        ("country", "Nation"),
        ("place", "Town"),
        ("lat", "Latitude"),
        ("lon", "Longitude"),
        ("category", "WeaponType"),
        ("quantity", "Count"),
        ("origin", "From"),
    ] {
        mapped.columns.insert(k.into(), v.into());
    }
    let m = ingest_specs(vec![mapped], vec![], vec![]).unwrap();
    assert_eq!(summary(&csv), summary(&m));

    // Parquet: write the normalised-input shape with polars, then read it back.
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("seizures.parquet");
    let t = divnet::output::TableBuilder::new("s")
        .text("id", ["F-1", "F-2", "F-3"].map(Some))
        .text("date", ["2023-05-28", "2022-11", "2021"].map(Some))
        .text("country", ["MEX", "IND", "CIV"].map(Some))
        .text("place", [Some("Tijuana"), Some("Imphal"), None])
        .float("lat", [Some(32.52), None, None])
        .float("lon", [Some(-117.03), None, None])
        .text("category", ["pistol", "assault_rifle", "rifle"].map(Some))
        .uint("quantity", [Some(3), Some(12), Some(1)])
        .text("origin", ["USA", "MMR", "LBY;MLI"].map(Some))
        .build()
        .unwrap();
    std::fs::write(&pq, t.parquet_bytes().unwrap()).unwrap();
    let p = ingest_specs(
        vec![divnet::config::InputSpec::file(pq.display().to_string())],
        vec![],
        vec![],
    )
    .unwrap();
    assert_eq!(summary(&csv), summary(&p));
    assert_eq!(p.seizures[2].row.line, 3);
}

#[test]
fn unusable_files_stop_with_a_message_naming_the_file() {
    let cases: &[(&str, &str)] = &[
        ("bad/empty.csv", "empty"),
        ("bad/semicolon.csv", "';'-separated"),
        ("bad/missing_id.csv", "\"id\""),
        ("bad/no_location.csv", "a location"),
        ("bad/duplicate_column.csv", "more than once"),
        ("bad/not_parquet.parquet", "not a Parquet file"),
        ("bad/garbage.parquet", "cannot read as Parquet"),
        ("bad/unknown_extension.xyz", "unknown format"),
        ("bad/binary.csv", "binary"),
        ("bad/empty.ndjson", "no JSON lines"),
        ("bad/does_not_exist.csv", "no such file"),
    ];
    for (rel, needle) in cases {
        let err = ingest_specs(vec![spec(rel)], vec![], vec![]).expect_err(rel);
        let msg = err.to_string();
        let name = std::path::Path::new(rel).file_name().unwrap().to_string_lossy().to_string();
        assert!(msg.contains(&name), "{rel}: message does not name the file: {msg}");
        assert!(msg.contains(needle), "{rel}: expected {needle:?} in {msg}");
    }
    let glob = ingest_specs(vec![spec("bad/*.nothing")], vec![], vec![]).unwrap_err();
    assert!(matches!(glob, IngestError::NoFiles { .. }));
}

#[test]
fn globs_read_every_match_in_sorted_order() {
    let ing = ingest_specs(vec![spec("formats/seizures.*")], vec![], vec![]).unwrap();
    // seizures.csv then seizures.ndjson: the ndjson ids duplicate the csv ones.
    assert_eq!(ing.files.len(), 2);
    assert!(ing.files[0].path.ends_with("seizures.csv"));
    assert_eq!(ing.seizures.len(), 3);
    assert_eq!(
        ing.rejections.iter().filter(|r| r.problem.reason == Reason::DuplicateId).count(),
        3
    );
    assert!(ing.rejections[0].problem.detail.contains("seizures.csv:2"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400), header in proptest::prelude::any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let mut content = if header { b"id,date,country,lat,lon,quantity\n".to_vec() } else { Vec::new() };
        content.extend_from_slice(&bytes);
        std::fs::write(&path, &content).unwrap();
        let _ = ingest_specs(vec![divnet::config::InputSpec::file(path.display().to_string())], vec![], vec![]);
        let nd = dir.path().join("x.ndjson");
        std::fs::write(&nd, &content).unwrap();
        let _ = ingest_specs(vec![divnet::config::InputSpec::file(nd.display().to_string())], vec![], vec![]);
    }
}

#[test]
fn data_dir_is_found() {
    assert!(data("formats/seizures.csv").is_file());
}

#[test]
fn line_numbers_count_blank_lines_crlf_and_quoted_newlines() {
    let ing = ingest_specs(vec![spec("rows/crlf_lines.csv")], vec![], vec![]).unwrap();
    assert_eq!(
        ing.seizures.iter().map(|s| (s.id.as_str(), s.row.line)).collect::<Vec<_>>(),
        [("C-1", 2)]
    );
    let lines: Vec<(u64, Reason)> =
        ing.rejections.iter().map(|r| (r.row.line, r.problem.reason)).collect();
    assert_eq!(
        lines,
        [
            (4, Reason::FutureDate),
            (5, Reason::UnknownPlace),
            (7, Reason::UnknownCountry),
            (8, Reason::UnknownPlace),
        ]
    );
    assert_eq!(ing.rejections[1].problem.value, "Lagos\r\nIsland");
    assert_eq!(ing.rejections[3].problem.value, "5\" shelf, Kano");
}

/// Ingests seizure files with CSV pieces of about `piece` bytes.
fn seizures_in_pieces(files: &[&std::path::Path], piece: usize) -> divnet::ingest::Ingested {
    let inputs = InputSet {
        seizures: files.iter().map(|f| InputSpec::file(f.display().to_string())).collect(),
        looting: vec![],
        routes: vec![],
    };
    let opts = IngestOptions {
        csv_piece_bytes: piece,
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    };
    ingest(&inputs, std::path::Path::new("/"), gaz(), opts).unwrap()
}

#[test]
fn csv_pieces_do_not_change_the_result() {
    // The demo seizures parsed as one piece and cut between every two records.
    let file = root().join("datasets/demo/seizures.csv");
    let run = |piece: usize| seizures_in_pieces(&[&file], piece);
    let (one, many) = (run(usize::MAX), run(1));
    assert!(one.seizures.len() > 1000);
    assert_eq!(one.seizures, many.seizures);
    assert_eq!(one.rejections, many.rejections);
    assert_eq!(one.files[0].rows_read, many.files[0].rows_read);
}

#[test]
fn rejected_rows_blank_lines_and_multiline_records_in_any_piece_keep_the_order() {
    // The demo seizures with every 7th row made unusable, blank lines, quoted line breaks
    // and CRLF rows, read after a second file, whole and in pieces of 1 byte (one record
    // each) to 4 KiB.
    let demo = std::fs::read_to_string(root().join("datasets/demo/seizures.csv")).unwrap();
    let mut text = String::new();
    for (i, line) in demo.lines().take(400).enumerate() {
        match i {
            0 => text.push_str(line),
            i if i % 7 == 0 => text.push_str(&line.replacen(",20", ",x20", 1)),
            i if i % 11 == 0 => {
                text.push_str(&line.replacen(",synthetic: ", ",\"two\nline\r\nsource: ", 1));
                text.insert(text.rfind(',').unwrap(), '"');
            }
            i if i % 13 == 0 => text.push_str(&format!("{line}\r\n")),
            _ => text.push_str(line),
        }
        text.push('\n');
        if i % 17 == 0 {
            text.push('\n');
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.csv");
    std::fs::write(&file, text.trim_end()).unwrap();
    let bad_rows = root().join("datasets/demo/malformed/seizures_bad_rows.csv");
    let run = |piece: usize| seizures_in_pieces(&[&bad_rows, &file], piece);
    let one = run(usize::MAX);
    let mixed: Vec<&str> =
        one.seizures.iter().filter(|s| s.row.file == 1).map(|s| s.id.as_str()).collect();
    // Rows 7, 14, ... of the 399 records were spoilt; no other row of the file is lost.
    assert_eq!(mixed.len(), 399 - 399 / 7);
    assert!(mixed.windows(2).all(|w| w[0] < w[1]), "input order kept");
    let multiline = one.seizures.iter().filter_map(|s| s.source.as_deref());
    assert!(multiline.filter(|s| s.starts_with("two\nline\r\nsource: ")).count() > 10);
    for piece in [1, 97, 1000, 4096] {
        let many = run(piece);
        assert_eq!(one.seizures, many.seizures, "pieces of {piece} bytes");
        assert_eq!(one.rejections, many.rejections, "pieces of {piece} bytes");
    }
}

#[test]
fn a_file_of_blank_lines_reserves_little_room_for_records() {
    let demo = std::fs::read_to_string(root().join("datasets/demo/seizures.csv")).unwrap();
    let mut lines = demo.lines();
    let (header, row) = (lines.next().unwrap(), lines.next().unwrap());
    let text = format!("{header}\n{}{row}\n", "\n".repeat(1_000_000));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blank.csv");
    std::fs::write(&file, text).unwrap();
    let ing = seizures_in_pieces(&[&file], 1 << 20);
    assert_eq!(ing.seizures.len(), 1);
    assert_eq!(ing.seizures[0].row.line, 1_000_002);
    // Room for a record per line would be a million slots (400 MB of seizures).
    assert!(ing.seizures.capacity() < 100_000, "{}", ing.seizures.capacity());
}
