//! SIPRI transfers counted right: a deal in both of SIPRI's layouts (the trade register and
//! the newer transfers export) counted once, the general rules for records found in two
//! inputs (same id, same content) and `run.duplicates = "keep"`, the status and aid flags
//! of every form the register writes, and a register record broken by a line break in its
//! comments read whole again.
//!
//! Expected numbers are taken from the raw files in `tests/data/sources/` by hand (listed in
//! the comments); rows of historical parties that another part of the work resolves are
//! left out of the totals (only parties that resolve today are summed).

use std::collections::BTreeMap;
use std::path::Path;

use divnet::ingest::{DuplicateReason, IngestOptions, Ingested, InputSet, ingest};
use divnet::inputs::InputSpec;
use divnet::inputs::presets::Preset;
use divnet::inputs::rules::DuplicatePolicy;
use divnet::records::Transfer;
use divnet::schema::TableKind;

use crate::common::{data, gaz};

const REGISTER: &str = "sources/sipri_trade_register_cases.csv";
const NEWER: &str = "sources/sipri_transfers_cases.csv";
/// The newer export's cases less the five rows of deals the register excerpt lacks
/// (`68113` twice, `28189`, `65151`, `54475`).
const OVERLAP: &str = "sources/sipri_transfers_overlap.csv";

fn spec(path: &Path, kind: TableKind, preset: Preset) -> InputSpec {
    let mut s = InputSpec::for_path(path.display().to_string());
    s.preset = Some(preset);
    s.apply_preset(preset, kind);
    s
}

/// Reads the given files as transfers, in order, each with its preset.
fn read(files: &[(&Path, Preset)], policy: DuplicatePolicy, piece: usize) -> Ingested {
    let mut inputs = InputSet::default();
    for (path, preset) in files {
        inputs.transfers.push(spec(path, TableKind::Transfers, *preset));
    }
    let opts = IngestOptions {
        csv_piece_bytes: piece,
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        duplicates: policy,
    };
    ingest(&inputs, Path::new("/"), gaz(), opts).unwrap()
}

fn both(newer: &str, policy: DuplicatePolicy) -> Ingested {
    let (r, n) = (data(REGISTER), data(newer));
    read(&[(&r, Preset::SipriRegister), (&n, Preset::SipriTransfers)], policy, 64)
}

/// Delivered TIV per recipient, as SIPRI names it.
fn tiv_by_recipient(ts: &[Transfer]) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    for t in ts {
        *m.entry(t.recipient.name.to_string()).or_insert(0.0) += t.tiv.unwrap_or(0.0);
    }
    m
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// (register line, newer line, deal id) of every deal both excerpts hold, read off the
/// files: the register's K-8 (line 32), JF-17 Thunder (33), Y-12 (36), Yak-130 of 2018 (37)
/// and 2015 (38), Syria rebels' Commando V-150 (47) and AIFV-APC (48), UAE's 96K9
/// Pantsyr-S1 (50).
const PAIRS: [(u64, u64, &str); 18] = [
    (32, 19, "52027"),
    (32, 20, "52027"),
    (32, 21, "52027"),
    (32, 22, "52027"),
    (32, 23, "52027"),
    (33, 17, "58552"),
    (33, 18, "58552"),
    (36, 16, "58749"),
    (37, 31, "64228"),
    (37, 32, "64228"),
    (38, 30, "60206"),
    (47, 33, "61723"),
    (48, 34, "63416"),
    (50, 25, "27414"),
    (50, 26, "27414"),
    (50, 27, "27414"),
    (50, 28, "27414"),
    (50, 29, "27414"),
];

#[test]
fn a_deal_in_both_layouts_is_counted_once_with_the_registers_tiv() {
    // The newer export's rows all belong to deals of the register excerpt: together they
    // give the register's own delivered TIV. By hand from the register: Myanmar 329 + 94.5
    // + 105 + 0 + 6.6 + 10 + 84 + 63 = 692.1; UAE 550 + 300 = 850; Syria rebels 0.96 + 0.6.
    let alone = read(&[(&data(REGISTER), Preset::SipriRegister)], DuplicatePolicy::Drop, 64);
    let ing = both(OVERLAP, DuplicatePolicy::Drop);
    let tiv = tiv_by_recipient(&ing.transfers);
    for (recipient, want) in
        [("Myanmar", 692.1), ("United Arab Emirates", 850.0), ("Syria rebels", 1.56)]
    {
        assert!(close(tiv[recipient], want), "{recipient}: {} against {want}", tiv[recipient]);
    }
    // Nothing of the newer export is left; every other total is the register's alone.
    assert_eq!(ing.transfers.len(), alone.transfers.len());
    assert_eq!(tiv, tiv_by_recipient(&alone.transfers));
    assert_eq!(ing.duplicates.len(), 18);
    assert!(ing.duplicates.iter().all(|d| d.reason == DuplicateReason::SameDeal && !d.kept_both));
    let newer = &ing.files[1];
    assert_eq!((newer.rows_read, newer.accepted, newer.duplicates), (18, 0, 18));
    let c = ing.counts();
    assert_eq!(c.read, c.accepted + c.rejected + c.filtered + c.duplicates);
}

#[test]
fn the_duplicates_table_lists_every_pair_and_the_kept_deal_carries_the_newer_id() {
    let ing = both(NEWER, DuplicatePolicy::Drop);
    let got: Vec<(u64, u64, String)> = ing
        .duplicates
        .iter()
        .map(|d| (d.kept.line, d.duplicate.line, d.detail.split(' ').nth(2).unwrap().into()))
        .collect();
    let mut want: Vec<(u64, u64, String)> =
        PAIRS.iter().map(|&(a, b, id)| (a, b, id.to_string())).collect();
    want.sort_by_key(|p| p.1);
    assert_eq!(got, want);
    for d in &ing.duplicates {
        assert_eq!((d.kept.file, d.duplicate.file), (0, 1));
        assert_eq!(d.kept_id, format!("sipri_trade_register_cases.csv:{}", d.kept.line));
        assert_eq!(d.duplicate_id, format!("sipri_transfers_cases.csv:{}", d.duplicate.line));
    }
    let pantsyr = ing.duplicates.iter().find(|d| d.kept.line == 50).unwrap();
    assert_eq!(
        pantsyr.detail,
        "SIPRI deal 27414 (\"96K9 Pantsyr-S1\" in the register, \"Pantsyr\" in the newer export), \
         ordered 2000: delivery years 2009, 2010, 2011, 2012, 2013 and 50 delivered agree"
    );
    // The kept register deal: the newer export's deal id, its numbers per year (K-8: 12 in
    // 2011, 6 in 2015, 4 in 2021 and 2022, 1 in 2024) and its armament category; the
    // register's own TIV (94.5) and comments.
    let k8 = ing.transfers.iter().find(|t| t.row.line == 32).unwrap();
    assert_eq!(k8.source.as_deref(), Some("52027"));
    assert_eq!(k8.armament_category.as_deref(), Some("Aircraft"));
    let years: Vec<(i32, Option<u64>)> = k8.deliveries.iter().map(|d| (d.year, d.items)).collect();
    assert_eq!(
        years,
        [(2011, Some(12)), (2015, Some(6)), (2021, Some(4)), (2022, Some(4)), (2024, Some(1))]
    );
    assert_eq!((k8.tiv, k8.delivered, k8.ordered), (Some(94.5), Some(27), Some(48)));
    assert_eq!(k8.comments.as_deref(), Some("K-8W version; incl assembly in Myanmar"));
    // The deals only the newer export has stay: Y-12 of 2015 (two years), K-8 of 1997,
    // Yak-130 of 2019 (Myanmar), ZPT (Syria rebels).
    let mut left: Vec<u64> =
        ing.transfers.iter().filter(|t| t.row.file == 1).map(|t| t.row.line).collect();
    left.sort_unstable();
    assert_eq!(left, [13, 14, 15, 24, 35]);
    // Myanmar: the register's 692.1 and the newer export's own 5 + 2.5 + 42 + 63 = 112.5.
    let tiv = tiv_by_recipient(&ing.transfers);
    assert!(close(tiv["Myanmar"], 804.6), "{}", tiv["Myanmar"]);
    assert!(close(tiv["Syria rebels"], 1.78), "{}", tiv["Syria rebels"]);
    assert!(close(tiv["United Arab Emirates"], 850.0), "{}", tiv["United Arab Emirates"]);
    // Results do not depend on the pieces the files are read in, nor on the order of the
    // inputs in the config: the register's row is kept either way.
    let (r, n) = (data(REGISTER), data(NEWER));
    let other = read(
        &[(&n, Preset::SipriTransfers), (&r, Preset::SipriRegister)],
        DuplicatePolicy::Drop,
        1 << 20,
    );
    assert_eq!(other.duplicates.len(), 18);
    assert!(other.duplicates.iter().all(|d| (d.kept.file, d.duplicate.file) == (1, 0)));
    let reordered = tiv_by_recipient(&other.transfers);
    assert_eq!(reordered.len(), tiv.len());
    assert!(tiv.iter().all(|(k, v)| close(reordered[k], *v)), "{reordered:?}");
}

#[test]
fn keep_keeps_both_and_lists_them() {
    let ing = both(NEWER, DuplicatePolicy::Keep);
    assert_eq!(ing.duplicates.len(), 18);
    assert!(ing.duplicates.iter().all(|d| d.kept_both));
    // Every row of the newer export is kept, and the register's rows are as read.
    assert_eq!(ing.transfers.iter().filter(|t| t.row.file == 1).count(), 23);
    assert_eq!(ing.files[1].duplicates, 0);
    let k8 = ing.transfers.iter().find(|t| t.row.file == 0 && t.row.line == 32).unwrap();
    assert_eq!((k8.source.as_deref(), k8.deliveries[0].items), (None, None));
    // Myanmar counted twice where both have the deal: 692.1 + the newer export's 469.
    let tiv = tiv_by_recipient(&ing.transfers);
    assert!(close(tiv["Myanmar"], 1161.1), "{}", tiv["Myanmar"]);
}

#[test]
fn the_samples_share_one_deal() {
    // SNA (Somalia) from Eritrea, Strela-2 ordered 1998: 50 delivered in 1998 in both.
    let (r, n) = (
        data("sources/sipri_trade_register_sample.csv"),
        data("sources/sipri_transfers_sample.csv"),
    );
    let ing = read(
        &[(&r, Preset::SipriRegister), (&n, Preset::SipriTransfers)],
        DuplicatePolicy::Drop,
        64,
    );
    let got: Vec<(u64, u64, DuplicateReason)> =
        ing.duplicates.iter().map(|d| (d.kept.line, d.duplicate.line, d.reason)).collect();
    let kept = ing.transfers.iter().find(|t| t.row.file == 0 && t.row.line == got[0].0).unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(kept.recipient.name.as_str(), "SNA");
    assert_eq!(kept.source.as_deref(), Some("39781"));
    assert_eq!(got[0].2, DuplicateReason::SameDeal);
}

#[test]
fn the_same_content_and_the_same_id_in_two_files_count_once() {
    let dir = tempfile::tempdir().unwrap();
    // The newer export twice under two names: its ids are made from the file name and
    // line (`@line`), so no id is shared, but every row's content is.
    let a = dir.path().join("transfers_a.csv");
    let b = dir.path().join("transfers_b.csv");
    std::fs::copy(data(NEWER), &a).unwrap();
    std::fs::copy(data(NEWER), &b).unwrap();
    let ing = read(
        &[(&a, Preset::SipriTransfers), (&b, Preset::SipriTransfers)],
        DuplicatePolicy::Drop,
        64,
    );
    assert_eq!(ing.transfers.len(), 23);
    assert_eq!(ing.duplicates.len(), 23);
    for d in &ing.duplicates {
        assert_eq!(d.reason, DuplicateReason::SameContent);
        assert_eq!((d.kept.file, d.duplicate.file, d.kept.line), (0, 1, d.duplicate.line));
    }
    // ACLED's own ids, in two files: the same id on the same subject is one event.
    let e1 = dir.path().join("acled_1.csv");
    let e2 = dir.path().join("acled_2.csv");
    std::fs::copy(data("sources/acled_fixture.csv"), &e1).unwrap();
    std::fs::copy(data("sources/acled_fixture.csv"), &e2).unwrap();
    let mut inputs = InputSet::default();
    for p in [&e1, &e2] {
        inputs.events.push(spec(p, TableKind::Events, Preset::Acled));
    }
    let opts = IngestOptions {
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        ..IngestOptions::default()
    };
    let ing = ingest(&inputs, Path::new("/"), gaz(), opts).unwrap();
    let once = ing.files[0].accepted as usize;
    assert!(once > 0);
    assert_eq!(ing.events.len(), once);
    assert_eq!(ing.duplicates.len(), once);
    assert!(ing.duplicates.iter().all(|d| d.reason == DuplicateReason::SameId
        && d.kept_id == d.duplicate_id
        && d.detail == "same id, every field equal"));
    assert_eq!(ing.rejected_rows(), 2 * ing.files[0].rejected as usize);
}

/// The register's status and aid flags, by line, from its Status and Comments columns:
/// (line, second_hand, modernised, aid, aid_uncertain).
const FLAGS: [(u64, bool, bool, bool, bool); 44] = [
    (13, true, true, false, false),  // Second hand but modernized
    (14, true, true, true, false),   // ...; aid (aircraft donated by Czech Republic ...)
    (15, false, false, false, true), // probably aid
    (16, true, false, true, false),  // Second-hand; 'MDAP' aid
    (17, false, false, true, false), // 'MDAP' aid
    (18, true, false, false, false), // Biafra
    (19, true, false, false, false),
    (20, false, false, false, false), // the broken line
    (22, false, false, false, false),
    (23, false, false, false, false),
    (24, false, false, false, false),
    (25, false, false, false, false),
    (26, true, false, false, false),
    (27, false, false, false, false),
    (28, false, false, false, false),
    (29, false, false, false, false),
    (30, true, false, true, false), // Second-hand; aid
    (31, false, false, false, false),
    (32, false, false, false, false),
    (33, false, false, false, false),
    (34, false, false, false, false),
    (35, false, false, false, false),
    (36, false, false, false, false),
    (37, false, false, false, false),
    (38, false, false, false, false),
    (39, true, false, false, false),
    (40, false, false, false, false),
    (41, false, false, false, false),
    (42, true, false, false, false),
    (43, true, false, false, false),
    (44, false, false, false, false),
    (45, false, false, false, false),
    (46, true, false, false, false),
    (47, true, false, true, false), // For Free Syrian Army Coalition; second-hand; aid
    (48, true, false, true, false),
    (49, false, false, false, false),
    (50, false, false, false, false),
    (51, false, false, false, false),
    (52, false, false, true, false), // Aid after 2022 Russian invasion of Ukraine; ...
    (53, false, false, true, false), // Aid after 2022 Russian invasion of Ukraine
    (54, false, false, true, false), // Probably second-hand (...); BTR-82AM version; aid
    (55, true, false, false, false),
    (56, true, false, true, false), // Second-hand; aid
    (57, true, false, true, false),
];

#[test]
fn status_and_aid_flags_follow_every_form_of_the_register() {
    let ing = read(&[(&data(REGISTER), Preset::SipriRegister)], DuplicatePolicy::Drop, 64);
    // Every deal of the excerpt is read: a row is rejected only when its party is a
    // historical one not resolved yet (another part of the work); nothing else.
    for r in &ing.rejections {
        assert_eq!(r.problem.reason.as_str(), "unknown_actor", "{r:?}");
    }
    assert_eq!(ing.files[0].rows_read, 44);
    let mut checked = 0;
    for (line, second_hand, modernised, aid, aid_uncertain) in FLAGS {
        let Some(t) = ing.transfers.iter().find(|t| t.row.line == line) else {
            assert!(ing.rejections.iter().any(|r| r.row.line == line), "line {line} lost");
            continue;
        };
        checked += 1;
        assert_eq!(
            (t.second_hand, t.modernised, t.aid, t.aid_uncertain),
            (second_hand, modernised, aid, aid_uncertain),
            "line {line}"
        );
    }
    // At least every row of resolvable parties (all but Biafra, Katanga, North and South
    // Yemen, the Yemen Arab Republic, South Vietnam and Saint Vincent) is checked.
    assert!(checked >= 44 - 16, "{checked}");
}

#[test]
fn a_register_record_broken_in_its_comments_is_read_whole() {
    // Lines 20 and 21: `...for 12 Puma M-36 APC from South Africa` and `,0.03,0.36,0`.
    for piece in [1, 7, 64, 1 << 20] {
        let ing = read(&[(&data(REGISTER), Preset::SipriRegister)], DuplicatePolicy::Drop, piece);
        assert!(
            ing.rejections.iter().all(|r| r.problem.reason.as_str() != "field_count"),
            "{:?}",
            ing.rejections
        );
        let t = ing.transfers.iter().find(|t| t.recipient.name.as_str() == "Ivory Coast").unwrap();
        assert_eq!(t.row.line, 20);
        assert_eq!(t.id, "sipri_trade_register_cases.csv:20");
        assert_eq!(
            t.comments.as_deref(),
            Some("Cummins (275hp) diesel engine for 12 Puma M-36 APC from South Africa")
        );
        assert_eq!((t.ordered, t.delivered, t.tiv), (Some(12), Some(0), Some(0.0)));
        assert!(t.deliveries.is_empty());
        // The next record keeps its own line.
        assert!(
            ing.transfers
                .iter()
                .any(|t| t.row.line == 22 && t.recipient.name.as_str() == "Hezbollah")
        );
    }
}

#[test]
fn a_run_writes_the_duplicates_table_counts_and_the_report_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("divnet.toml");
    let write = |policy: &str| {
        std::fs::write(
            &cfg,
            format!(
                "[run]\nout = \"out\"\nduplicates = \"{policy}\"\n\
                 [[inputs.transfers]]\npath = {:?}\npreset = \"sipri-register\"\n\
                 [[inputs.transfers]]\npath = {:?}\npreset = \"sipri-transfers\"\n",
                data(REGISTER).display().to_string(),
                data(NEWER).display().to_string(),
            ),
        )
        .unwrap();
    };
    write("drop");
    crate::common::run_config(&cfg);
    let out = dir.path().join("out");
    let rows = crate::common::csv_rows(&out.join("duplicates.csv"));
    assert_eq!(rows.len(), 18);
    let first = &rows[0];
    assert_eq!(first["table"], "transfers");
    assert_eq!(first["kept_file"], data(REGISTER).display().to_string());
    assert_eq!((first["kept_line"].as_str(), first["duplicate_line"].as_str()), ("36", "16"));
    assert_eq!((first["reason"].as_str(), first["action"].as_str()), ("same_deal", "dropped"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["tables"]["transfers"]["duplicates"], 18);
    assert_eq!(manifest["inputs"][1]["duplicates"], 18);
    assert_eq!(manifest["notes"]["duplicates"]["same_deal"], 18);
    assert_eq!(manifest["config"]["run"]["duplicates"], "drop");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains(
            "18 records appeared in two inputs and were counted once (18 rows of 8 SIPRI deals \
             found in both the trade register and the newer export); see duplicates.csv."
        ),
        "{report}"
    );
    // `keep`: both counted, still listed.
    write("keep");
    crate::common::run_config(&cfg);
    let rows = crate::common::csv_rows(&out.join("duplicates.csv"));
    assert_eq!(rows.len(), 18);
    assert!(rows.iter().all(|r| r["action"] == "kept_both"));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("18 records appeared in two inputs and were counted in both"),
        "{report}"
    );
    let transfers = crate::common::csv_rows(&out.join("transfers.csv"));
    assert_eq!(
        transfers
            .iter()
            .filter(|t| t["source_file"].ends_with("sipri_transfers_cases.csv"))
            .count(),
        23
    );
}
