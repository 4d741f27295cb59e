//! Ingestion: every rejection reason, each format, column mapping, partial dates, aliases,
//! and the corpus of unusable files.

use std::path::Path;

use divnet::date::DatePrecision;
use divnet::geo::Resolved;
use divnet::ingest::{IngestError, IngestOptions, InputSet, Reason, ingest};
use divnet::inputs::InputSpec;
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
    // U-1 (2021, NGA) is read, and found to hold what BOM-1 of the other file holds: it is
    // counted once, as a duplicate.
    assert_eq!(ing.seizures.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["BOM-1", "BOM-2"]);
    let d = &ing.duplicates;
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].kept_id.as_str(), d[0].duplicate_id.as_str()), ("BOM-1", "U-1"));
    assert_eq!(d[0].reason, divnet::ingest::DuplicateReason::SameContent);
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
        vec![divnet::inputs::InputSpec::for_path(pq.display().to_string())],
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
    // seizures.csv then seizures.ndjson: the ndjson rows are the csv ones again (same ids,
    // same seizures), so they are counted once, as duplicates, not rejected.
    assert_eq!(ing.files.len(), 2);
    assert!(ing.files[0].path.ends_with("seizures.csv"));
    assert_eq!(ing.seizures.len(), 3);
    assert_eq!(ing.rejected_rows(), 0);
    let pairs: Vec<(u32, u64, u32, u64, &str)> = ing
        .duplicates
        .iter()
        .map(|d| (d.kept.file, d.kept.line, d.duplicate.file, d.duplicate.line, d.kept_id.as_str()))
        .collect();
    assert_eq!(pairs, [(0, 2, 1, 1, "F-1"), (0, 3, 1, 2, "F-2"), (0, 4, 1, 3, "F-3")]);
    assert!(ing.duplicates.iter().all(|d| d.reason == divnet::ingest::DuplicateReason::SameId));
    assert_eq!((ing.files[1].accepted, ing.files[1].duplicates), (0, 3));
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
        let _ = ingest_specs(vec![divnet::inputs::InputSpec::for_path(path.display().to_string())], vec![], vec![]);
        let nd = dir.path().join("x.ndjson");
        std::fs::write(&nd, &content).unwrap();
        let _ = ingest_specs(vec![divnet::inputs::InputSpec::for_path(nd.display().to_string())], vec![], vec![]);
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
        seizures: files.iter().map(|f| InputSpec::for_path(f.display().to_string())).collect(),
        looting: vec![],
        routes: vec![],
        ..InputSet::default()
    };
    let opts = IngestOptions {
        csv_piece_bytes: piece,
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        ..IngestOptions::default()
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

/// Writes `content` to `name` in a new temporary directory.
fn temp_file(name: &str, content: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

fn file_spec(path: &std::path::Path) -> InputSpec {
    InputSpec::for_path(path.display().to_string())
}

/// `(line, column, reason)` of every problem, in order.
fn problems(ing: &divnet::ingest::Ingested) -> Vec<(u64, String, Reason)> {
    reasons_by_id(ing, "")
}

#[test]
fn whole_numbers_too_large_for_their_field_are_out_of_range() {
    let (_d, seizures) = temp_file(
        "s.csv",
        concat!(
            "id,date,country,lat,lon,quantity,rounds,confidence\n",
            "R-1,2023-05-28,MEX,,,99999999999999999999999,,\n",
            "R-2,2023-05-28,MEX,1e400,-100,,,\n",
            "R-3,0000-01-01,MEX,,,,,\n",
            "R-4,2023-05-28,MEX,,,,18446744073709551616,\n",
            "R-5,2023-05-28,MEX,,,9007199254740993,,\n",
            "R-6,2023-05-28,MEX,,,9007199254740992,,\n",
            "R-7,2023-05-28,MEX,,,1e30,,\n",
            "R-8,2023-05-28,MEX,,,inf,,\n",
            "R-9,2023-05-28,MEX,,,,,1e400\n",
            "R-10,99999-01-01,MEX,,,,,\n",
            "R-11,2023-05-28,MEX,,,2.5,,\n",
        )
        .as_bytes(),
    );
    let (_e, routes) = temp_file(
        "r.csv",
        b"id,from,to,reports,volume\nRT-1,MEX,USA,99999999999999999999,\nRT-2,MEX,USA,,1e400\n",
    );
    let (_f, looting) = temp_file(
        "l.csv",
        concat!(
            "id,date,country,serial_ranges,weapons_looted\n",
            "L-1,2023-01-01,MLI,AK-47:MA1000000000000000000000-MA1000000000000000000001,\n",
            "L-2,2023-01-01,MLI,,123456789012345678901234567890\n",
        )
        .as_bytes(),
    );
    let ing = ingest_specs(
        vec![file_spec(&seizures)],
        vec![file_spec(&looting)],
        vec![file_spec(&routes)],
    )
    .unwrap();
    let out = |col: &str, line: u64| (line, col.to_string(), Reason::OutOfRange);
    let mut want = vec![
        out("quantity", 2),
        out("lat", 3),
        out("date", 4),
        out("rounds", 5),
        out("quantity", 6),
        out("quantity", 8),
        (9, "quantity".into(), Reason::NotFinite),
        out("confidence", 10),
        out("date", 11),
        (12, "quantity".into(), Reason::NotAnInteger),
    ];
    want.extend([out("serial_ranges", 2), out("weapons_looted", 3)]);
    want.extend([out("reports", 2), out("volume", 3)]);
    assert_eq!(problems(&ing), want);
    assert_eq!(ing.seizures.len(), 1);
    assert_eq!(ing.seizures[0].quantity, Some(1 << 53));
}

/// The same rows, good and bad, as CSV and as NDJSON: one with a NUL byte and one that is
/// not UTF-8 in the middle of good rows.
const NUL_AND_LATIN1_CSV: &[u8] = b"id,date,country,quantity,source\n\
OK-1,2023-05-28,MEX,3,\n\
NUL-1,2023-05-28,ME\0X,3,\n\
OK-2,2023-05,IND,1,\n\
BAD-1,2023-05-28,M\xe9xico,1,\n\
\n\
OK-3,2022,CIV,2,\n\
\"Q-1\",\"2023\",MEX,1,\"a\0b\"\n\
OK-4,2021,MLI,1,\"quoted\"\n";

const NUL_AND_LATIN1_NDJSON: &[u8] =
    b"{\"id\":\"OK-1\",\"date\":\"2023-05-28\",\"country\":\"MEX\",\"quantity\":3}\n\
{\"id\":\"NUL-1\",\"date\":\"2023-05-28\",\"country\":\"ME\0X\",\"quantity\":3}\n\
{\"id\":\"OK-2\",\"date\":\"2023-05\",\"country\":\"IND\",\"quantity\":1}\n\
{\"id\":\"BAD-1\",\"date\":\"2023-05-28\",\"country\":\"M\xe9xico\",\"quantity\":1}\n\
\n\
{\"id\":\"OK-3\",\"date\":\"2022\",\"country\":\"CIV\",\"quantity\":2}\n\
{\"id\":\"Q-1\",\"date\":\"2023\",\"country\":\"MEX\",\"quantity\":1,\"source\":\"a\\u0000b\"}\n\
{\"id\":\"OK-4\",\"date\":\"2021\",\"country\":\"MLI\",\"quantity\":1,\"source\":\"quoted\"}\n";

#[test]
fn a_nul_row_and_a_non_utf8_row_lose_only_themselves_in_csv_and_ndjson() {
    for (name, content) in
        [("rows.csv", NUL_AND_LATIN1_CSV), ("rows.ndjson", NUL_AND_LATIN1_NDJSON)]
    {
        let (_d, path) = temp_file(name, content);
        let ing = ingest_specs(vec![file_spec(&path)], vec![], vec![]).unwrap();
        // NDJSON has no header line: its lines are one less.
        let shift = u64::from(name.ends_with(".ndjson"));
        let kept: Vec<(&str, u64)> =
            ing.seizures.iter().map(|s| (s.id.as_str(), s.row.line + shift)).collect();
        assert_eq!(kept, [("OK-1", 2), ("OK-2", 4), ("OK-3", 7), ("OK-4", 9)], "{name}");
        let row = |line: u64, reason| (line - shift, "(row)".to_string(), reason);
        let want = [row(3, Reason::NulByte), row(5, Reason::InvalidUtf8), row(8, Reason::NulByte)];
        assert_eq!(problems(&ing), want, "{name}");
        // No output ever carries a NUL: the value shows it as U+2400.
        let nul = ing.rejections.iter().find(|r| r.problem.reason == Reason::NulByte).unwrap();
        assert!(!nul.problem.value.contains('\0') && nul.problem.value.contains('\u{2400}'));
        assert_eq!(ing.files[0].rows_read, 7);
    }
}

#[test]
fn a_mostly_binary_file_is_still_refused_whole() {
    let mut mostly_nul = b"id,date,country\nS-1,2023,MEX\n".to_vec();
    mostly_nul.extend([0u8; 2048]);
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend("id,date,country\nS-1,2023,MEX\n".encode_utf16().flat_map(u16::to_le_bytes));
    let cases: [(&str, &[u8], &str); 5] = [
        ("padded.csv", &mostly_nul, "binary content"),
        ("padded.ndjson", &mostly_nul, "binary content"),
        ("wide.csv", &utf16, "UTF-16"),
        ("wide.ndjson", &utf16, "UTF-16"),
        ("sheet.csv", b"PK\x03\x04\x14\0\0\0\x08\0", "ZIP archive"),
    ];
    for (name, content, needle) in cases {
        let (_d, path) = temp_file(name, content);
        let err = ingest_specs(vec![file_spec(&path)], vec![], vec![]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(name) && msg.contains(needle), "{name}: {msg}");
    }
}

/// Runs an ingest in a thread so that a test of a named pipe fails instead of hanging
/// should the pipe ever be opened.
fn ingest_within_a_minute(spec: InputSpec) -> Result<divnet::ingest::Ingested, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(
            ingest_specs(vec![spec], vec![], vec![]).map_err(|e| crate::malformed::chain(&e)),
        );
    });
    rx.recv_timeout(std::time::Duration::from_secs(60)).expect("the ingest never returned")
}

#[test]
fn directories_pipes_and_unreadable_files_each_get_their_own_message() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("reports.csv");
    std::fs::create_dir(&sub).unwrap();
    let msg = ingest_within_a_minute(file_spec(&sub)).unwrap_err();
    assert!(msg.contains("reports.csv") && msg.contains("is a directory"), "{msg}");
    assert!(!msg.contains("no such file"), "{msg}");

    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let msg = ingest_within_a_minute(file_spec(&fifo)).unwrap_err();
    assert!(msg.contains("pipe.csv") && msg.contains("named pipe (FIFO)"), "{msg}");
    // A glob passes over directories but not over a pipe it matches.
    let msg = ingest_within_a_minute(file_spec(&dir.path().join("*.csv"))).unwrap_err();
    assert!(msg.contains("pipe.csv") && msg.contains("named pipe"), "{msg}");
    std::fs::remove_file(&fifo).unwrap();
    let msg = ingest_within_a_minute(file_spec(&dir.path().join("*.csv"))).unwrap_err();
    assert!(msg.contains("no such file"), "only a directory matches: {msg}");

    let msg = ingest_within_a_minute(file_spec(Path::new("/dev/null"))).unwrap_err();
    assert!(msg.contains("/dev/null") && msg.contains("character device"), "{msg}");

    let locked = dir.path().join("locked.csv");
    std::fs::copy(data("formats/seizures.csv"), &locked).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let result = ingest_within_a_minute(file_spec(&locked));
    if std::fs::read(&locked).is_ok() {
        // Running as root: permissions do not stop reading, and the file is read.
        assert_eq!(result.unwrap().seizures.len(), 3);
    } else {
        let msg = result.unwrap_err();
        assert!(msg.contains("locked.csv") && msg.contains("may not read it"), "{msg}");
        assert_eq!(msg.matches("os error 13").count(), 1, "{msg}");
    }

    let msg = ingest_within_a_minute(file_spec(&dir.path().join("missing.csv"))).unwrap_err();
    assert!(msg.contains("missing.csv") && msg.contains("no such file"), "{msg}");
}

#[test]
fn a_tab_before_a_formula_is_trimmed_and_the_value_kept_as_text() {
    // Leading and trailing whitespace is trimmed from every field; a value that then starts
    // with `=`, `+`, `-` or `@` is kept as text (CSV outputs neutralise such cells when
    // they write them), and a country that is a formula is simply unknown.
    let (_d, path) = temp_file(
        "f.csv",
        b"id,date,country,source\n\t=F-1,2023,MEX,\t=cmd|' /C calc'!A0\nF-2,2023,\t=cmd(),x\n",
    );
    let ing = ingest_specs(vec![file_spec(&path)], vec![], vec![]).unwrap();
    assert_eq!(ing.seizures.len(), 1);
    assert_eq!(ing.seizures[0].id, "=F-1");
    assert_eq!(ing.seizures[0].source.as_deref(), Some("=cmd|' /C calc'!A0"));
    assert_eq!(problems(&ing), [(3, "country".to_string(), Reason::UnknownCountry)]);
    assert_eq!(ing.rejections[0].problem.value, "=cmd()");
}

#[test]
fn a_geojson_file_reads_as_a_table_with_its_points_and_feature_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("seizures.geojson");
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[-117.03,32.52]},
  "properties":{"event":"G-1","when":"2023-05-28","country":"MEX","category":"pistol","quantity":3}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[]},
  "properties":{"event":"G-2","when":"2023-05-28","country":"MEX","category":"pistol","quantity":1}},
 {"type":"Feature","geometry":null,
  "properties":{"event":"G-3","when":"2022-11","country":"IND","category":"assault_rifle","quantity":"x"}}
]}"#,
    )
    .unwrap();
    let mut s = InputSpec::for_path(path.display().to_string());
    s.columns.insert("id".into(), "event".into());
    s.columns.insert("date".into(), "when".into());
    let ing = ingest_specs(vec![s], vec![], vec![]).unwrap();
    assert_eq!(ing.seizures.len(), 1);
    let z = &ing.seizures[0];
    assert_eq!(z.id.as_str(), "G-1");
    assert_eq!(z.row.line, 1);
    assert!((z.location.point.lat() - 32.52).abs() < 1e-9, "the point is the location");
    assert!((z.location.point.lon() + 117.03).abs() < 1e-9);
    let got: Vec<(u64, String, Reason)> = ing
        .rejections
        .iter()
        .map(|r| (r.row.line, r.problem.column.clone(), r.problem.reason))
        .collect();
    assert_eq!(
        got,
        [
            (2, "geometry".to_string(), Reason::InvalidJson),
            (3, "quantity".into(), Reason::NotANumber)
        ]
    );
    assert_eq!(ing.files[0].format, divnet::inputs::rules::Format::Geojson);
}
