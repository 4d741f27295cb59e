//! The public exports read for their full meaning: a row filter on a column that is also
//! mapped reads the raw value and leaves the mapped one alone (every preset's sample);
//! UCDP GED and ACLED events keep their low, best and high fatalities, their date interval,
//! admin1 and source; the UNODC IAFQ's country-year totals are kept where no breakdown
//! exists, checked against their breakdown where one does, and named national aggregates.
//!
//! Every expected number here was counted by hand from the raw files (a few lines of Python
//! over the CSV, GeoJSON and workbook cells), never copied from divnet's output.

use std::collections::BTreeMap;

use divnet::ingest::{Ingested, InputSet};
use divnet::inputs::InputSpec;
use divnet::inputs::presets::Preset;
use divnet::inputs::rules::{FilterValue, RowFilter};
use divnet::schema::TableKind;

use crate::common::{csv_rows, data, gaz};

/// Reads `rel` (under tests/data) as `kind` with `preset` and the row filters `filters`.
fn read(rel: &str, kind: TableKind, preset: Preset, filters: &[(&str, RowFilter)]) -> Ingested {
    let mut spec = InputSpec::for_path(data(rel).display().to_string());
    for (column, filter) in filters {
        spec.filters.insert(column.to_string(), filter.clone());
    }
    spec.preset = Some(preset);
    spec.apply_preset(preset, kind);
    let mut inputs = InputSet::default();
    inputs.of_mut(kind).push(spec);
    crate::common::ingest_in_small_pieces(&inputs)
}

fn text(values: &[&str]) -> RowFilter {
    RowFilter::Values(values.iter().map(|v| FilterValue::Text(v.to_string())).collect())
}

/// No row was rejected for a missing value (what a filter that blanked its mapped column
/// caused).
fn none_missing(ing: &Ingested) {
    let missing: Vec<_> =
        ing.rejections.iter().filter(|r| r.problem.reason.as_str() == "missing").collect();
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn a_filter_on_the_sipri_recipient_keeps_every_matching_deal() {
    // The register excerpt: 8 deals to Myanmar, on lines 31 to 38, 692.1 TIV delivered.
    let rel = "sources/sipri_trade_register_cases.csv";
    let ing = read(
        rel,
        TableKind::Transfers,
        Preset::SipriRegister,
        &[("Recipient", text(&["Myanmar"]))],
    );
    none_missing(&ing);
    let lines: Vec<u64> = ing.transfers.iter().map(|t| t.row.line).collect();
    assert_eq!(lines, (31..=38).collect::<Vec<u64>>());
    assert!(ing.transfers.iter().all(|t| t.recipient.name == "Myanmar"));
    let suppliers: Vec<&str> = ing.transfers.iter().map(|t| t.supplier.name.as_str()).collect();
    assert_eq!(
        suppliers,
        ["China", "China", "China", "Russia", "China", "China", "Russia", "Russia"]
    );
    let tiv: f64 = ing.transfers.iter().filter_map(|t| t.tiv).sum();
    assert!((tiv - 692.1).abs() < 1e-9, "{tiv}");
    // The same deals read as route legs: the mapped `to` keeps its value.
    let routes =
        read(rel, TableKind::Routes, Preset::SipriRegister, &[("Recipient", text(&["Myanmar"]))]);
    none_missing(&routes);
    assert_eq!(routes.routes.len(), 8);
    let mmr = gaz().resolve_country("MMR").unwrap();
    assert!(routes.routes.iter().all(|r| gaz().country_of(r.to) == mmr));

    // The newer export: 15 rows (deal-years) to Myanmar, lines 13-24 and 30-32, 469 TIV.
    let ing = read(
        "sources/sipri_transfers_cases.csv",
        TableKind::Transfers,
        Preset::SipriTransfers,
        &[("Recipient", text(&["Myanmar"]))],
    );
    none_missing(&ing);
    let lines: Vec<u64> = ing.transfers.iter().map(|t| t.row.line).collect();
    assert_eq!(lines, (13..=24).chain(30..=32).collect::<Vec<u64>>());
    assert!(ing.transfers.iter().all(|t| t.recipient.name == "Myanmar"));
    let tiv: f64 = ing.transfers.iter().filter_map(|t| t.tiv).sum();
    assert!((tiv - 469.0).abs() < 1e-9, "{tiv}");
    let f = &ing.files[0];
    assert_eq!((f.accepted, f.rejected, f.filtered), (15, 0, 8));
}

#[test]
fn a_filter_on_a_mapped_acled_ucdp_or_iafq_column_keeps_every_matching_row() {
    // ACLED: the two Mali events, by `country` (mapped to country) and by `event_id_cnty`
    // (mapped to id).
    for (column, values) in
        [("country", &["Mali"][..]), ("event_id_cnty", &["MLI0003", "MLI0004"][..])]
    {
        let ing = read(
            "sources/acled_fixture.csv",
            TableKind::Events,
            Preset::Acled,
            &[(column, text(values))],
        );
        none_missing(&ing);
        let got: Vec<(&str, &str, Option<u64>)> = ing
            .events
            .iter()
            .map(|e| (e.id.as_str(), gaz().country(e.location.country).iso3.as_str(), e.fatalities))
            .collect();
        assert_eq!(got, [("MLI0003", "MLI", Some(0)), ("MLI0004", "MLI", Some(7))], "{column}");
        assert_eq!(ing.files[0].filtered, 4);
    }

    // UCDP: every event is in the Central African Republic (72); `type_of_violence` 2 is
    // mapped to `type` through a value map, and the filter reads the raw 2: 12 events,
    // 177 deaths (best estimates).
    let rel = "sources/ucdp_ged_sample.geojson";
    let all = read(
        rel,
        TableKind::Events,
        Preset::UcdpGed,
        &[("country", text(&["Central African Republic"]))],
    );
    assert_eq!((all.events.len(), all.rejected_rows()), (72, 0));
    let ing = read(
        rel,
        TableKind::Events,
        Preset::UcdpGed,
        &[("type_of_violence", RowFilter::Values(vec![FilterValue::Number(2.0)]))],
    );
    none_missing(&ing);
    let ids: Vec<&str> = ing.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "113795", "157410", "158759", "219280", "234083", "244672", "247580", "253068",
            "262283", "276577", "328242", "337998"
        ]
    );
    assert!(ing.events.iter().all(|e| e.event_type.as_deref() == Some("non-state")));
    assert_eq!(ing.events.iter().filter_map(|e| e.fatalities).sum::<u64>(), 177);

    // IAFQ: Australia by `Iso3_code` (mapped to country): its four country-years, 103,891
    // weapons; Angola by `Country` (not mapped): three totals, 25,494.
    let rel = "sources/unodc_iafq_cases.xlsx";
    let aus = read(rel, TableKind::Seizures, Preset::UnodcIafq, &[("Iso3_code", text(&["AUS"]))]);
    none_missing(&aus);
    assert!(aus.seizures.iter().all(|s| gaz().country(s.location.country).iso3 == "AUS"));
    assert_eq!(aus.seizures.iter().map(|s| s.items()).sum::<u64>(), 103_891);
    assert_eq!(aus.aggregate_checks.len(), 4);
    let ago = read(rel, TableKind::Seizures, Preset::UnodcIafq, &[("Country", text(&["Angola"]))]);
    assert_eq!(ago.seizures.len(), 3);
    assert_eq!(ago.seizures.iter().map(|s| s.items()).sum::<u64>(), 25_494);
}

#[test]
fn ucdp_events_keep_low_best_high_their_interval_admin1_and_source() {
    let ing = read("sources/ucdp_ged_sample.geojson", TableKind::Events, Preset::UcdpGed, &[]);
    assert_eq!((ing.events.len(), ing.rejected_rows()), (72, 0));
    let sum = |f: fn(&divnet::records::ConflictEvent) -> Option<u64>| -> u64 {
        ing.events.iter().filter_map(f).sum()
    };
    // The raw `low`, `best` and `high` over the 72 events.
    assert_eq!(
        (sum(|e| e.fatalities_low), sum(|e| e.fatalities), sum(|e| e.fatalities_high)),
        (454, 570, 646)
    );
    // Kept as published, even where UCDP's high is below its best (event 30272: 8, 8, 4).
    let e = ing.events.iter().find(|e| e.id == "30272").unwrap();
    assert_eq!((e.fatalities_low, e.fatalities, e.fatalities_high), (Some(8), Some(8), Some(4)));
    // 25 events span more than a day (date_start != date_end), 2,026 days in all.
    assert_eq!(ing.events.iter().filter(|e| e.days() > 1).count(), 25);
    assert_eq!(ing.events.iter().map(|e| u64::from(e.days())).sum::<u64>(), 2026);
    // 53 events name their province (`adm_1`); all 72 their source article.
    assert_eq!(ing.events.iter().filter(|e| e.admin1.is_some()).count(), 53);
    assert!(ing.events.iter().all(|e| e.source.is_some()));

    // The events table shows the whole interval: event 255861 ran from 19 February to
    // 18 March 2012 (date_prec 4); 234083 from 1 January to 20 November 2016 (date_prec 5).
    let dir = tempfile::tempdir().unwrap();
    let table = divnet::tables::events(gaz(), &ing).unwrap();
    let path = dir.path().join("events.csv");
    std::fs::write(&path, table.csv_bytes().unwrap()).unwrap();
    let rows = csv_rows(&path);
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap();
    let interval = |id: &str| {
        let r = row(id);
        [&r["date"], &r["date_precision"], &r["date_start"], &r["date_end"], &r["days"]]
            .map(|s| s.as_str())
            .to_vec()
    };
    assert_eq!(interval("255861"), ["2012-02-19", "month", "2012-02-19", "2012-03-18", "29"]);
    assert_eq!(interval("234083"), ["2016-01-01", "year", "2016-01-01", "2016-11-20", "325"]);
    assert_eq!(interval("12422"), ["2008-02-29", "day", "2008-02-29", "2008-02-29", "1"]);
    let r = row("255861");
    assert_eq!(
        [&r["fatalities_low"], &r["fatalities"], &r["fatalities_high"], &r["admin1_reported"]]
            .map(|s| s.as_str()),
        ["5", "5", "5", "Ouaka province"]
    );
    assert!(row("12422")["source"].starts_with("HRW 19 March 2008"));
    let table_low: u64 = rows.iter().map(|r| r["fatalities_low"].parse::<u64>().unwrap()).sum();
    assert_eq!(table_low, 454);
}

#[test]
fn acled_events_have_one_fatality_figure_one_day_their_admin1_and_source() {
    let ing = read("sources/acled_fixture.csv", TableKind::Events, Preset::Acled, &[]);
    assert_eq!(ing.events.len(), 5);
    let got: Vec<String> = ing
        .events
        .iter()
        .map(|e| {
            let (a, s) = (e.admin1.as_deref().unwrap_or("-"), e.source.as_deref().unwrap_or("-"));
            format!("{} {a} / {s} / {:?} / {}", e.id, e.fatalities, e.days())
        })
        .collect();
    assert_eq!(
        got,
        [
            "NGA0001 Zamfara / Daily Trust / Some(4) / 1",
            "NGA0002 Lagos / Punch / Some(0) / 1",
            "MLI0003 Mopti / RFI / Some(0) / 1",
            "MLI0004 Mopti / RFI / Some(7) / 1",
            "SDN0005 Al Jazirah / Radio Dabanga / Some(0) / 1",
        ]
    );
    // One figure: the best estimate; low and high are not reported, nor an end date.
    assert!(ing.events.iter().all(|e| e.fatalities_low.is_none()
        && e.fatalities_high.is_none()
        && e.date_end.is_none()));
}

/// Per country-year (ISO3, year), the weapons divnet counts.
fn by_country_year(ing: &Ingested) -> BTreeMap<(String, String), u64> {
    let mut out = BTreeMap::new();
    for s in &ing.seizures {
        let k = (gaz().country(s.location.country).iso3.clone(), s.date.to_string());
        *out.entry(k).or_default() += s.items();
    }
    out
}

fn country_years(rows: &[(&str, &str, u64)]) -> BTreeMap<(String, String), u64> {
    rows.iter().map(|(c, y, n)| ((c.to_string(), y.to_string()), *n)).collect()
}

#[test]
fn the_iafq_counts_every_country_year_total_and_checks_its_breakdown() {
    // The sample: 62 "Arms seized" rows of dimension Total or by type with a value of at
    // least 1 (202 filtered); 8 country-years, all with a breakdown. Colombia 2018's
    // breakdown (22,717) exceeds its Total (22,314): the Total is kept and its 8 by-type
    // rows are not counted; the 7 other Totals agree with their breakdown and stand aside.
    let ing = read("sources/unodc_iafq_sample.xlsx", TableKind::Seizures, Preset::UnodcIafq, &[]);
    let f = &ing.files[0];
    assert_eq!(
        (f.rows_read, f.filtered, f.accepted, f.superseded, f.rejected),
        (264, 202, 47, 15, 0)
    );
    assert_eq!(
        by_country_year(&ing),
        country_years(&[
            ("COL", "2016", 25677),
            ("COL", "2017", 23997),
            ("COL", "2018", 22314),
            ("MEX", "2016", 6323),
            ("MEX", "2017", 7241),
            ("MEX", "2018", 6447),
            ("PHL", "2016", 21),
            ("PHL", "2017", 38),
        ])
    );
    let col = gaz().resolve_country("COL").unwrap();
    let col_2018: Vec<_> = ing
        .seizures
        .iter()
        .filter(|s| s.location.country == col && s.date.to_string() == "2018")
        .collect();
    assert_eq!(col_2018.len(), 1);
    let s = col_2018[0];
    assert_eq!(
        (s.row.line, s.category.map(|c| c.as_str()), s.aggregate.map(|a| a.as_str())),
        (16, Some("unspecified"), Some("total"))
    );
    let checks: Vec<String> = ing
        .aggregate_checks
        .iter()
        .filter(|c| c.outcome.as_str() != "agrees")
        .map(|c| {
            let iso = &gaz().country(c.country).iso3;
            format!("{iso} {} {:?} {:?} {}", c.date, c.total, c.breakdown, c.outcome.as_str())
        })
        .collect();
    assert_eq!(checks, ["COL 2018 Some(22314) Some(22717) breakdown_exceeds"]);
    assert_eq!(ing.aggregate_checks.len(), 8);
    // Every record is a national aggregate; "Unknown status on type" is unspecified
    // (Mexico 2016: 892).
    assert!(ing.seizures.iter().all(|s| s.is_aggregate()));
    let mex = gaz().resolve_country("MEX").unwrap();
    let unknown: Vec<u64> = ing
        .seizures
        .iter()
        .filter(|s| s.location.country == mex && s.date.to_string() == "2016")
        .filter(|s| s.category.map(|c| c.as_str()) == Some("unspecified"))
        .map(|s| s.items())
        .collect();
    assert_eq!(unknown, [892]);

    // The cases: Angola's three Totals have no breakdown (kept as unspecified); Australia
    // has a breakdown for 2016 and 2017 only. 47 rows, 21 kept by the filters; the two
    // Australian Totals that agree with their breakdown stand aside.
    let ing = read("sources/unodc_iafq_cases.xlsx", TableKind::Seizures, Preset::UnodcIafq, &[]);
    let f = &ing.files[0];
    assert_eq!((f.rows_read, f.filtered, f.accepted, f.superseded, f.rejected), (47, 26, 19, 2, 0));
    assert_eq!(
        by_country_year(&ing),
        country_years(&[
            ("AGO", "2016", 11475),
            ("AGO", "2017", 10195),
            ("AGO", "2018", 3824),
            ("AUS", "2016", 25502),
            ("AUS", "2017", 27819),
            ("AUS", "2018", 25206),
            ("AUS", "2019", 25364),
        ])
    );
    let outcomes: Vec<(Option<u64>, &str, u64)> =
        ing.aggregate_checks.iter().map(|c| (c.line, c.outcome.as_str(), c.counted)).collect();
    // In the order of each country-year's first row (Angola's 2018 Total on row 18 comes
    // first; Australia's by-type rows, rows 32 to 46, before its Totals).
    assert_eq!(
        outcomes,
        [
            (Some(18), "no_breakdown", 3824),
            (Some(24), "no_breakdown", 11475),
            (Some(30), "no_breakdown", 10195),
            (Some(48), "agrees", 27819),
            (Some(50), "agrees", 25502),
            (Some(47), "no_breakdown", 25364),
            (Some(49), "no_breakdown", 25206),
        ]
    );
}

#[test]
fn a_run_names_national_aggregates_and_their_checks() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("divnet.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[inputs.seizures]]\npath = {:?}\npreset = \"unodc-iafq\"\n\n\
             [[inputs.seizures]]\npath = {:?}\npreset = \"unodc-iafq\"\n\n\
             [[inputs.events]]\npath = {:?}\npreset = \"ucdp-ged\"\n",
            data("sources/unodc_iafq_sample.xlsx").display().to_string(),
            data("sources/unodc_iafq_cases.xlsx").display().to_string(),
            data("sources/ucdp_ged_sample.geojson").display().to_string(),
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    assert_cmd::Command::cargo_bin("divnet")
        .unwrap()
        .env("DIVNET_NOW", "2026-06-01T12:00:00Z")
        .args(["run", "--no-cache", "--config"])
        .arg(&cfg)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    // Every seizure record is a national aggregate: 47 + 19 records, 92,058 + 129,385
    // weapons, equal to the 15 country-year totals.
    let seizures = csv_rows(&out.join("seizures.csv"));
    assert_eq!(seizures.len(), 66);
    assert!(seizures.iter().all(|r| ["total", "part", "remainder"].contains(&&*r["aggregate"])));
    let weapons: u64 = seizures.iter().map(|r| r["quantity"].parse::<u64>().unwrap()).sum();
    assert_eq!(weapons, 221_443);
    let checks = csv_rows(&out.join("aggregate_checks.csv"));
    assert_eq!(checks.len(), 15);
    assert_eq!(checks.iter().map(|r| r["counted"].parse::<u64>().unwrap()).sum::<u64>(), 221_443);
    let col = checks.iter().find(|r| r["country"] == "COL" && r["date"] == "2018").unwrap();
    assert_eq!(
        [&col["total"], &col["breakdown"], &col["difference"], &col["outcome"]].map(|s| s.as_str()),
        ["22314", "22717", "403", "breakdown_exceeds"]
    );
    // The regional table counts them as weapons seized, not as seizures: Australia's 16
    // records (7 + 7 by type, 2 totals), 103,891 weapons.
    let regional = csv_rows(&out.join("regional_hotspots.csv"));
    let aus = regional.iter().find(|r| r["level"] == "country" && r["name"] == "AUS").unwrap();
    assert_eq!(
        [&aus["seizures"], &aus["national_aggregates"], &aus["quantity_seized"]]
            .map(|s| s.as_str()),
        ["0", "16", "103891"]
    );
    // The report says what they are and where the breakdown and the total disagree.
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    for must in [
        "66 seizure records are national aggregates",
        "221443 weapons over 15 country-years",
        "1 country-years have a breakdown that differs from their total",
        "5 country-years have a total without breakdown by type",
        "0 of 0 seizures are located only at country level",
    ] {
        assert!(report.contains(must), "{must:?} not in the report");
    }
    // The conflict events carry their interval and estimates into the events table.
    let events = csv_rows(&out.join("events.csv"));
    let total = |c: &str| events.iter().map(|r| r[c].parse::<u64>().unwrap()).sum::<u64>();
    assert_eq!(
        (total("fatalities_low"), total("fatalities"), total("fatalities_high")),
        (454, 570, 646)
    );
    assert_eq!(events.iter().filter(|r| r["days"] != "1").count(), 25);
}
