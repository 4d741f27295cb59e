//! The diversion-risk screen: on a hand-computed fixture (`tests/data/risk/`, invented rows)
//! every indicator, flag and evidence id by value; on the public samples (SIPRI register
//! and case excerpts, UCDP GED for the Central African Republic) the conflict indicators of
//! each window against the raw file, the re-export flags against the register's deliveries
//! to armed groups, and no flag without evidence; the report's risk table sorts and
//! filters in a browser.
//!
//! Every expected number was computed by hand (for the samples, a few lines of Python over
//! the raw files in `tests/data/sources/`), never copied from divnet's output.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use divnet::config::Config;
use divnet::risk::{Indicator as I, RiskResult, RiskRow};

use crate::common::{StageResults, csv_rows, data};

fn fixture() -> RiskResult {
    let config = Config::from_file(&data("risk/divnet.toml")).expect("fixture config");
    StageResults::compute(config).risk
}

fn row<'a>(r: &'a RiskResult, state: &str) -> &'a RiskRow {
    r.rows.iter().find(|x| x.state == state).unwrap_or_else(|| panic!("no row for {state}"))
}

/// The evidence of one indicator of a state: (record id, value), by record id.
fn evidence(r: &RiskResult, state: &str, i: I) -> Vec<(String, f64)> {
    r.evidence
        .iter()
        .filter(|e| e.state == state && e.indicator == i)
        .map(|e| (e.record.clone(), e.value))
        .collect()
}

fn ids(r: &RiskResult, state: &str, i: I) -> Vec<String> {
    evidence(r, state, i).into_iter().map(|x| x.0).collect()
}

#[test]
fn the_fixture_gives_every_indicator_flag_and_evidence_id_by_value() {
    let r = fixture();
    // network.reference_date = 2024-12-31: the default window is 2020-2024.
    assert_eq!(r.windows.iter().map(|w| w.label()).collect::<Vec<_>>(), ["2020-2024"]);
    let states: Vec<&str> = r.rows.iter().map(|x| x.state.as_str()).collect();
    // Chad (recipient, supplier to FPRC, events), CAR (recipient, looting, events),
    // Cameroon (events); France and Russia only supply.
    assert_eq!(states, ["CAF", "CMR", "TCD"]);
    let (caf, cmr, tcd) = (row(&r, "CAF"), row(&r, "CMR"), row(&r, "TCD"));

    // Re-export record: TR-1 (2021-2022, 8 TIV shared 10:30 over the years) is in the
    // window, TR-2 (2016) is not; TR-1's BTR-80 was imported in TR-3 (2020).
    assert_eq!(tcd.value(I::NonStateDeals), Some(1.0));
    assert_eq!(tcd.value(I::NonStateTiv), Some(8.0));
    assert_eq!(tcd.value(I::NonStateLastYear), Some(2022.0));
    assert_eq!(tcd.value(I::Retransfers), Some(1.0));
    assert_eq!(ids(&r, "TCD", I::NonStateDeals), ["TR-1"]);
    assert_eq!(evidence(&r, "TCD", I::NonStateTiv), [("TR-1".to_string(), 8.0)]);
    assert_eq!(evidence(&r, "TCD", I::NonStateLastYear), [("TR-1".to_string(), 2022.0)]);
    assert_eq!(ids(&r, "TCD", I::Retransfers), ["TR-1 <- TR-3"]);
    assert_eq!(caf.value(I::NonStateDeals), Some(0.0));
    assert_eq!(caf.value(I::NonStateLastYear), None);

    // Diversion evidence: SZ-1 (2022, 5 items, last legal import Chad) and its one path,
    // diverted in Chad; SZ-2 (2018) is outside. LT-1 (2021, 120 weapons) in CAR; LT-2
    // gives no number of weapons.
    assert_eq!(tcd.value(I::SeizedLastLegal), Some(5.0));
    assert_eq!(ids(&r, "TCD", I::SeizedLastLegal), ["SZ-1"]);
    let diverted = tcd.value(I::DivertedHere).unwrap();
    assert!((diverted - 5.0).abs() < 1e-9, "{diverted}");
    assert_eq!(ids(&r, "TCD", I::DivertedHere), ["SZ-1"]);
    assert_eq!(caf.value(I::Looted), Some(120.0));
    assert_eq!(evidence(&r, "CAF", I::Looted), [("LT-1".to_string(), 120.0)]);
    assert_eq!(cmr.value(I::SeizedLastLegal), Some(0.0));

    // Armed conflict: CAR has EV-1..EV-3 in the window (EV-5 is 2019).
    assert_eq!(caf.value(I::ConflictEvents), Some(3.0));
    assert_eq!(ids(&r, "CAF", I::ConflictEvents), ["EV-1", "EV-2", "EV-3"]);
    assert_eq!(caf.value(I::FatalitiesBest), Some(35.0));
    assert_eq!(caf.value(I::FatalitiesLow), Some(28.0));
    assert_eq!(caf.value(I::FatalitiesHigh), Some(49.0));
    assert_eq!(caf.value(I::GovernmentSideEvents), Some(2.0));
    assert_eq!(ids(&r, "CAF", I::GovernmentSideEvents), ["EV-1", "EV-2"]);
    assert_eq!(caf.value(I::OneSidedEvents), Some(1.0));
    assert_eq!(ids(&r, "CAF", I::OneSidedEvents), ["EV-2"]);
    assert_eq!(caf.value(I::OneSidedFatalities), Some(5.0));
    // EV-3 is one-sided violence by FPRC, not by a government.
    assert_eq!(evidence(&r, "CAF", I::OneSidedFatalities), [("EV-2".to_string(), 5.0)]);
    assert_eq!(tcd.value(I::ConflictEvents), Some(1.0));
    assert_eq!(tcd.value(I::FatalitiesBest), Some(3.0));
    // Chad's government is a side of EV-4 (in Chad) and EV-6 (in Cameroon).
    assert_eq!(ids(&r, "TCD", I::GovernmentSideEvents), ["EV-4", "EV-6"]);
    assert_eq!(cmr.value(I::ConflictEvents), Some(1.0));
    assert_eq!(cmr.value(I::FatalitiesLow), Some(2.0));
    assert_eq!(cmr.value(I::FatalitiesHigh), Some(6.0));
    assert_eq!(ids(&r, "CMR", I::GovernmentSideEvents), ["EV-6"]);

    // Regional instability: CAR borders Chad and Cameroon; Chad borders CAR and Cameroon;
    // Cameroon borders both.
    assert_eq!(caf.value(I::NeighbourEvents), Some(2.0));
    assert_eq!(ids(&r, "CAF", I::NeighbourEvents), ["EV-4", "EV-6"]);
    assert_eq!(caf.value(I::NeighbourFatalities), Some(7.0));
    assert_eq!(tcd.value(I::NeighbourEvents), Some(4.0));
    assert_eq!(tcd.value(I::NeighbourFatalities), Some(39.0));
    assert_eq!(cmr.value(I::NeighbourEvents), Some(4.0));
    assert_eq!(cmr.value(I::NeighbourFatalities), Some(38.0));
    for x in [caf, cmr, tcd] {
        // Six events at three points form no significant cluster.
        assert_eq!(x.value(I::NeighbourHotCells), Some(0.0), "{}", x.state);
    }

    // Ranks among the three states.
    assert_eq!(caf.rank(I::ConflictEvents), Some(1));
    assert_eq!(cmr.rank(I::ConflictEvents), Some(2));
    assert_eq!(tcd.rank(I::ConflictEvents), Some(2));
    assert_eq!(tcd.rank(I::NeighbourEvents), Some(1));
    assert_eq!(cmr.rank(I::NeighbourEvents), Some(1));
    assert_eq!(caf.rank(I::NeighbourEvents), Some(3));
    assert_eq!(tcd.rank(I::NonStateLastYear), Some(1));
    assert_eq!(caf.rank(I::NonStateLastYear), None);

    // Flags at the default thresholds.
    assert_eq!(
        tcd.flags,
        [
            I::NonStateDeals,
            I::Retransfers,
            I::SeizedLastLegal,
            I::DivertedHere,
            I::GovernmentSideEvents,
            I::NeighbourFatalities
        ]
    );
    assert_eq!(
        caf.flags,
        [I::Looted, I::FatalitiesBest, I::GovernmentSideEvents, I::OneSidedEvents]
    );
    assert_eq!(cmr.flags, [I::GovernmentSideEvents, I::NeighbourFatalities]);
    assert!(r.rows.iter().all(|x| x.score.is_none()), "no score without weights");

    // Supplier exposure: France delivered 5 TIV to Chad (TR-3, 2020) and 3 to CAR (TR-4,
    // 2020-2021), both with more than three flags; Chad has a re-export flag.
    let ex: BTreeMap<&str, _> = r.exposure.iter().map(|e| (e.supplier.as_str(), e)).collect();
    assert_eq!(ex.keys().copied().collect::<Vec<_>>(), ["FRA", "RUS"]);
    let fra = ex["FRA"];
    assert_eq!((fra.tiv, fra.deals), (8.0, 2));
    assert_eq!(fra.tiv_by_flags, [0.0, 0.0, 0.0, 8.0]);
    assert_eq!((fra.tiv_re_export_flagged, fra.deals_re_export_flagged), (5.0, 1));
    let rus = ex["RUS"];
    assert_eq!((rus.tiv, rus.deals, rus.tiv_re_export_flagged), (2.0, 1, 2.0));
}

#[test]
fn thresholds_and_weights_change_flags_and_score() {
    let mut config = Config::from_file(&data("risk/divnet.toml")).expect("fixture config");
    config.risk.thresholds.insert("looted".into(), divnet::risk::Threshold::Value(121.0));
    config.risk.thresholds.insert("conflict_events".into(), divnet::risk::Threshold::Value(3.0));
    config.risk.weights.insert("conflict_events".into(), 2.0);
    config.risk.weights.insert("one_sided_events".into(), 0.5);
    let r = StageResults::compute(config).risk;
    let caf = row(&r, "CAF");
    assert_eq!(
        caf.flags,
        [I::ConflictEvents, I::FatalitiesBest, I::GovernmentSideEvents, I::OneSidedEvents]
    );
    assert_eq!(caf.score, Some(2.5));
    assert_eq!(row(&r, "TCD").score, Some(0.0));
}

/// A config reading the SIPRI register sample and case excerpt and the UCDP GED sample,
/// with `[risk]` `tail`.
fn sample_config(dir: &Path, tail: &str) -> PathBuf {
    let mut text = String::new();
    for (kind, rel, preset) in [
        ("transfers", "sources/sipri_trade_register_sample.csv", "sipri-register"),
        ("transfers", "sources/sipri_trade_register_cases.csv", "sipri-register"),
        ("events", "sources/ucdp_ged_sample.geojson", "ucdp-ged"),
    ] {
        text.push_str(&format!(
            "[[inputs.{kind}]]\npath = {:?}\npreset = \"{preset}\"\n\n",
            data(rel).display().to_string()
        ));
    }
    text.push_str(&format!("[risk]\n{tail}\n"));
    let path = dir.join("divnet.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run_samples(dir: &Path, tail: &str) -> PathBuf {
    let out = dir.join("out");
    assert_cmd::Command::cargo_bin("divnet")
        .unwrap()
        .env("DIVNET_NOW", "2026-06-01T12:00:00Z")
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["run", "--no-cache", "--config"])
        .arg(sample_config(dir, tail))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap_or_else(|_| panic!("{col} = {:?}", row[col]))
}

#[test]
fn on_the_samples_conflict_indicators_equal_the_raw_file_and_flags_have_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_samples(tmp.path(), "series = true");
    for t in ["risk", "risk_evidence", "supplier_exposure", "risk_indicators"] {
        assert!(out.join(format!("{t}.parquet")).is_file(), "{t}.parquet");
        assert!(out.join(format!("{t}.csv")).is_file(), "{t}.csv");
    }
    let risk = csv_rows(&out.join("risk.csv"));
    let evidence = csv_rows(&out.join("risk_evidence.csv"));
    let caf: BTreeMap<&str, &BTreeMap<String, String>> = risk
        .iter()
        .filter(|r| r["recipient"] == "CAF")
        .map(|r| (r["window"].as_str(), r))
        .collect();
    // The reference date is the last day of 2024 (the register's latest delivery year), so
    // the windows run from the data's first year to 2020-2024. Per window, from the GeoJSON
    // (year of date_start in the window): events, sum of best, low, high; events with
    // "Government of Central African Republic" as side_a or side_b; type_of_violence 3
    // with it as side_a (events, sum of best).
    let expected = [
        ("2020-2024", [9.0, 72.0, 72.0, 73.0, 4.0, 0.0, 0.0]),
        ("2015-2019", [15.0, 75.0, 75.0, 79.0, 0.0, 0.0, 0.0]),
        ("2010-2014", [34.0, 386.0, 270.0, 456.0, 6.0, 3.0, 14.0]),
        ("2013-2017", [38.0, 391.0, 275.0, 466.0, 4.0, 2.0, 13.0]),
    ];
    let cols = [
        "conflict_events",
        "fatalities_best",
        "fatalities_low",
        "fatalities_high",
        "government_side_events",
        "one_sided_events",
        "one_sided_fatalities",
    ];
    for (window, want) in expected {
        let r = caf.get(window).unwrap_or_else(|| panic!("no CAF row for {window}"));
        let got: Vec<f64> = cols.iter().map(|c| num(r, c)).collect();
        assert_eq!(got, want, "CAF {window}");
    }
    assert_eq!(caf.keys().last().copied(), Some("2020-2024"));
    // Uganda's government is a side of 4 events in 2010-2014 (in CAR).
    let uga = risk
        .iter()
        .find(|r| r["recipient"] == "UGA" && r["window"] == "2010-2014")
        .expect("Uganda screened");
    assert_eq!(num(uga, "government_side_events"), 4.0);
    assert_eq!(num(uga, "conflict_events"), 0.0);

    // Re-export: the transfers rows to armed groups of a state supplier, by row id.
    let transfers = csv_rows(&out.join("transfers.csv"));
    let to_groups: BTreeMap<&str, &BTreeMap<String, String>> = transfers
        .iter()
        .filter(|t| t["recipient_kind"] == "armed_group" && t["supplier_kind"].ends_with("state"))
        .map(|t| (t["id"].as_str(), t))
        .collect();
    assert!(!to_groups.is_empty());
    let mut flagged_2024: BTreeSet<&str> = BTreeSet::new();
    for r in &risk {
        let flags: BTreeSet<&str> = r["flags"].split(';').filter(|f| !f.is_empty()).collect();
        assert_eq!(flags.len(), num(r, "flag_count") as usize);
        let deals = r["non_state_deals"].parse::<f64>().unwrap_or(0.0);
        assert_eq!(flags.contains("non_state_deals"), deals >= 1.0, "{r:?}");
        if flags.contains("non_state_deals") && r["window"] == "2020-2024" {
            flagged_2024.insert(r["recipient"].as_str());
        }
        // No flag without evidence.
        for f in &flags {
            assert!(
                evidence.iter().any(|e| e["recipient"] == r["recipient"]
                    && e["window"] == r["window"]
                    && e["indicator"] == *f),
                "flag {f} of {} {} has no evidence",
                r["recipient"],
                r["window"]
            );
        }
    }
    // In 2020-2024 only Iran delivered to an armed group (Almas-1 to Hezbollah, 2023).
    assert_eq!(flagged_2024, BTreeSet::from(["IRN"]));
    // Re-transfers: in 2015-2019 the UAE passed on Pantsyr-S1 systems and their missiles
    // (to Libya HoR, 2019) and Turkiye V-150s (to Syrian rebels, 2017), each imported
    // earlier; each evidence id is a chain of the retransfers table through that state.
    let chains = csv_rows(&out.join("retransfers.csv"));
    let chains: BTreeMap<&str, &str> =
        chains.iter().map(|c| (c["chain"].as_str(), c["intermediary_country"].as_str())).collect();
    let mut re_2019: BTreeMap<&str, usize> = BTreeMap::new();
    for e in evidence.iter().filter(|e| e["record_kind"] == "retransfer") {
        assert_eq!(chains.get(e["record_id"].as_str()), Some(&e["recipient"].as_str()), "{e:?}");
        if e["window"] == "2015-2019" {
            *re_2019.entry(e["recipient"].as_str()).or_default() += 1;
        }
    }
    assert_eq!(re_2019, BTreeMap::from([("ARE", 2), ("TUR", 1)]));
    for e in evidence.iter().filter(|e| e["record_kind"] == "transfer") {
        let t = to_groups
            .get(e["record_id"].as_str())
            .unwrap_or_else(|| panic!("evidence {e:?} is no deal row to an armed group"));
        if t["supplier_kind"] == "state" {
            assert_eq!(t["supplier_country"], e["recipient"], "{e:?}");
        }
    }
    // Every conflict evidence row is an event of the events table.
    let events = csv_rows(&out.join("events.csv"));
    let events: BTreeSet<&str> = events.iter().map(|e| e["id"].as_str()).collect();
    for e in evidence.iter().filter(|e| e["record_kind"] == "event") {
        assert!(events.contains(e["record_id"].as_str()), "{e:?}");
    }
}
