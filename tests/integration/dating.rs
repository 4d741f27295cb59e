//! Runs on the field's public exports are dated by their own data: each input's period in
//! the manifest and the report, the reference date at the latest date of any input, each
//! figure captioned with the period of what it draws; transfers valued in SIPRI TIV and
//! counted in deals; `divnet diff` reporting every record kind.
//!
//! Every expected number below was computed by hand (a few lines of Python over the raw
//! files in `tests/data/sources/`), never copied from divnet's output.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::{csv_rows, data, gaz, run_fixed_clock as run};

const REGISTER: &str = "sources/sipri_trade_register_sample.csv";
const UCDP: &str = "sources/ucdp_ged_sample.geojson";
const NEWER_CASES: &str = "sources/sipri_transfers_cases.csv";

/// A config reading the register, and the other inputs given as (kind, file, preset).
fn config(dir: &Path, name: &str, extra: &[(&str, &str, &str)], figures: bool) -> PathBuf {
    let mut text = String::new();
    for (kind, rel, preset) in [("transfers", REGISTER, "sipri-register")].iter().chain(extra) {
        text.push_str(&format!(
            "[[inputs.{kind}]]\npath = {:?}\npreset = \"{preset}\"\n\n",
            data(rel).display().to_string()
        ));
    }
    if !figures {
        text.push_str("[figures]\nenabled = false\n");
    }
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn svg(out: &Path, figure: &str) -> String {
    std::fs::read_to_string(out.join(format!("figures/{figure}.svg"))).unwrap()
}

#[test]
fn a_register_and_ucdp_run_is_dated_by_the_latest_date_of_any_input() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (both, alone) = (t.join("both"), t.join("alone"));
    run(&config(t, "both", &[("events", UCDP, "ucdp-ged")], true), &both);
    run(&config(t, "alone", &[], false), &alone);

    // Each input's own period. The register: orders and deliveries from 1954 (China's
    // self-propelled guns from the Soviet Union) to 2024 (Georgia's vehicle engines).
    // UCDP: the events' start dates (at their precision: a month- or year-precise event
    // keeps its month or year) from 1993-05-15 (event 22781) to 2022-06-13 (442602).
    let m = manifest(&both);
    let period = |file: &str| {
        let f = m["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(file));
        f.unwrap()["period"].clone()
    };
    let json = |a: &str, b: &str| serde_json::json!({"first": a, "last": b});
    assert_eq!(period("sipri_trade_register_sample.csv"), json("1954", "2024"));
    assert_eq!(period("ucdp_ged_sample.geojson"), json("1993-05-15", "2022-06-13"));
    // The run is dated by the latest of them: the register's 2024, to its last day.
    assert_eq!(m["notes"]["reference_date"], "2024-12-31");
    assert_eq!(m["notes"]["dated"], "Reference date: 2024-12-31");
    // So the events, which end earlier, change nothing in the network: same ages, same
    // edges, same hub ranking as the register alone.
    assert_eq!(manifest(&alone)["notes"]["reference_date"], "2024-12-31");
    for table in ["network_edges.csv", "hubs.csv"] {
        assert_eq!(
            std::fs::read(both.join(table)).unwrap(),
            std::fs::read(alone.join(table)).unwrap(),
            "{table}"
        );
    }

    // The report's provenance gives each input's period.
    let md = std::fs::read_to_string(both.join("report.md")).unwrap();
    assert!(md.contains("period 1954 to 2024;"), "{md}");
    assert!(md.contains("period 1993-05-15 to 2022-06-13;"), "{md}");

    // Each figure gives the period of the data it draws: the network and the recipients
    // the register's; the conflict-event cells those of the 48 events located more finely
    // than their country (where_prec 1 to 4), 1993-05-15 to 2022-06-13; the seizure and
    // looting hotspots are not drawn at all (the run has no seizures or lootings).
    assert!(!both.join("figures/hotspot_map.svg").exists());
    assert!(md.contains("- No hot or cold spots of seizures and lootings: needs"), "{md}");
    for (figure, shown) in [
        ("flow_map", "Period: 1954 to 2024"),
        ("top_hubs", "Period: 1954 to 2024"),
        ("recipients", "Period: 1954 to 2024"),
        ("event_hotspot_map", "Period: 1993-05-15 to 2022-06-13"),
        ("event_hotspot_closeups", "Period: 1993-05-15 to 2022-06-13"),
        // The located events all fall in a year of the cube, and all 72 in a month of the
        // series: the same first and last date.
        ("event_emerging_map", "Period: 1993-05-15 to 2022-06-13"),
        ("event_emerging_closeups", "Period: 1993-05-15 to 2022-06-13"),
        ("event_regional_series", "Period: 1993-05-15 to 2022-06-13"),
    ] {
        let s = svg(&both, figure);
        assert!(s.contains(shown), "{figure} should show {shown}");
        assert!(s.contains("Reference date: 2024-12-31"), "{figure}");
        // No date of 1940 (a pixel coordinate of 1940 is no date).
        assert!(
            !s.contains("\n1940") && !s.contains("1940-") && !s.contains("to 1940"),
            "{figure}"
        );
    }
    // The report's map of events: the same 48 located events; with the five event figures
    // above, six captions.
    let html = std::fs::read_to_string(both.join("index.html")).unwrap();
    assert_eq!(html.matches("Period: 1993-05-15 to 2022-06-13").count(), 6, "six event captions");
}

/// Per recipient state of the register sample (current states only), the delivered SIPRI
/// TIV and the deals with deliveries (`SIPRI TIV of delivered weapons` summed over the rows
/// with a delivery year; each row a deal).
const REGISTER_RECIPIENTS: [(&str, f64, u64); 31] = [
    ("AGO", 10.69, 2),
    ("ARG", 29.9, 2),
    ("CHL", 20.0, 3),
    ("CHN", 6.5, 1),
    ("EGY", 35.0, 1),
    ("ESP", 135.0, 2),
    ("FIN", 1.2, 1),
    ("GAB", 4.5, 1),
    ("GEO", 2.3, 1),
    ("IND", 64.0, 2),
    ("IRQ", 3.0, 1),
    ("ISR", 94.0, 1),
    ("ITA", 20.0, 1),
    ("JOR", 294.0, 1),
    ("KWT", 20.0, 1),
    ("LBN", 1.0, 1),
    ("MAR", 5.76, 1),
    ("MMR", 3.4, 1),
    ("NGA", 37.8, 1),
    ("PAK", 540.0, 1),
    ("POL", 48.0, 1),
    ("QAT", 5.4, 1),
    ("SDN", 60.0, 1),
    ("SGP", 10.0, 1),
    ("SSD", 3.5, 1),
    ("SVK", 0.9, 1),
    ("THA", 8.0, 1),
    ("TUN", 0.6, 1),
    ("TUR", 70.0, 2),
    ("VEN", 1.75, 2),
    ("YEM", 1.4, 1),
];

#[test]
fn transfers_are_valued_in_tiv_and_counted_in_deals() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let out = t.join("out");
    let cfg = config(t, "both", &[("transfers", NEWER_CASES, "sipri-transfers")], true);
    run(&cfg, &out);

    // Per recipient: the table's years summed.
    let rec = csv_rows(&out.join("recipients.csv"));
    let mut by: BTreeMap<String, (f64, u64, f64, u64)> = BTreeMap::new();
    for r in &rec {
        let e = by.entry(r["recipient"].clone()).or_default();
        e.0 += r["tiv_delivered"].parse::<f64>().unwrap();
        e.1 += r["deals"].parse::<u64>().unwrap();
        e.2 += r["tiv_to_non_state"].parse::<f64>().unwrap();
        e.3 += r["transfers_to_non_state"].parse::<u64>().unwrap();
    }
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    // Myanmar and the UAE also receive in the newer export's cases (below).
    for (iso3, tiv, deals) in REGISTER_RECIPIENTS.iter().filter(|r| r.0 != "MMR") {
        let got = by.get(*iso3).unwrap_or_else(|| panic!("{iso3} is a recipient"));
        assert!(close(got.0, *tiv), "{iso3}: TIV {} against {tiv}", got.0);
        assert_eq!(got.1, *deals, "{iso3}: deals");
    }
    // The newer export writes a deal once per delivery year: 15 rows to Myanmar are 8
    // deals (68113, 28189, 58749, 58552, 52027, 65151, 60206, 64228) worth 469 TIV; with
    // the register's 1982 US transport aircraft (3.4), 9 deals and 472.4. The UAE's
    // Pantsyr (deal 27414): 5 rows, 1 deal, 550 TIV.
    assert!(close(by["MMR"].0, 472.4) && by["MMR"].1 == 9, "{:?}", by["MMR"]);
    assert!(close(by["ARE"].0, 550.0) && by["ARE"].1 == 1, "{:?}", by["ARE"]);
    // Onward transfers to non-state armed groups, in deals and TIV: Israel's three to the
    // SLA (6 + 1.5 + 1.3); Turkiye's three to Syrian rebels (0.96 + 0.6 + 0.22).
    assert!(close(by["ISR"].2, 8.8) && by["ISR"].3 == 3, "{:?}", by["ISR"]);
    assert!(close(by["TUR"].2, 1.78) && by["TUR"].3 == 3, "{:?}", by["TUR"]);
    // A register deal delivered over five years (Spain's US sonars, 2002-2012, 25 TIV for
    // 5 items) counts once, in its first year; its TIV follows the items, 5 a year.
    let year = |iso3: &str, y: &str| {
        rec.iter().find(|r| r["recipient"] == iso3 && r["year"] == y).unwrap().clone()
    };
    assert_eq!(year("ESP", "2002")["deals"], "1");
    assert_eq!(year("ESP", "2012")["deals"], "0");
    assert!(close(year("ESP", "2012")["tiv_delivered"].parse().unwrap(), 5.0));
    // No column sums items across categories; items stay within one category: Myanmar's
    // 72 aircraft of the newer export, and the register's F-27 (its description, "transport
    // aircraft", names the category the register does not give).
    assert!(!rec[0].contains_key("items_delivered") && !rec[0].contains_key("items_to_non_state"));
    let cats = csv_rows(&out.join("recipient_categories.csv"));
    let aircraft: u64 = cats
        .iter()
        .filter(|r| r["recipient"] == "MMR" && r["armament_category"] == "Aircraft")
        .map(|r| r["items"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(aircraft, 73);

    // Network edges and flows: TIV beside deal counts.
    let edges = csv_rows(&out.join("network_edges.csv"));
    let edge = |a: &str, b: &str| {
        let e = edges.iter().find(|e| e["source"] == a && e["target"] == b).unwrap();
        let f = |c: &str| e[c].parse::<f64>().unwrap();
        (f("transfers"), f("transfer_tiv"), f("non_state_transfers"), f("non_state_tiv"))
    };
    assert_eq!(edge("CHN", "MMR"), (5.0, 259.0, 0.0, 0.0));
    assert_eq!(edge("RUS", "MMR"), (3.0, 210.0, 0.0, 0.0));
    assert_eq!(edge("RUS", "ARE"), (1.0, 550.0, 0.0, 0.0));
    let (_, _, n, tiv) = edge("ISR", "LBN");
    assert!(n == 3.0 && close(tiv, 8.8));
    assert!(!edges[0].contains_key("transfer_items"));
    let flows = csv_rows(&out.join("edge_flows.csv"));
    assert!(flows.is_empty() || flows[0].contains_key("transfer_tiv"));

    // The figure and the report show TIV.
    assert!(svg(&out, "recipients").contains("Legal transfers, SIPRI TIV (millions)"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("TIV delivered (millions)") && !md.contains("items delivered"));

    // The figure's input is the table's: the totals per recipient, in TIV.
    let config = divnet::config::Config::from_file(&cfg).unwrap();
    let ing = divnet::pipeline::validate(&config, gaz()).unwrap();
    let a = divnet::stages::analyse(&config, gaz(), &ing).unwrap();
    let totals = a.recipients.totals();
    for (iso3, got) in &by {
        let x = totals.iter().find(|x| &x.iso3 == iso3).unwrap();
        assert!(close(x.tiv_delivered, got.0) && x.deals == got.1, "{iso3}");
    }
}

fn diff(t: &Path, old: &Path, new: &Path, out: &str) -> Vec<BTreeMap<String, String>> {
    Command::cargo_bin("divnet")
        .unwrap()
        .current_dir(t)
        .arg("diff")
        .args([old, new])
        .args(["--out", out])
        .assert()
        .success();
    csv_rows(&t.join(out).join("diff_rows.csv"))
}

fn ids(rows: &[BTreeMap<String, String>], table: &str, change: &str) -> BTreeSet<String> {
    rows.iter()
        .filter(|r| r["table"] == table && r["change"] == change)
        .map(|r| r["id"].clone())
        .collect()
}

#[test]
fn a_diff_reports_added_events_and_transfers() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (reg, with_events, with_transfers) = (t.join("reg"), t.join("ev"), t.join("tr"));
    run(&config(t, "reg", &[], false), &reg);
    run(&config(t, "ev", &[("events", UCDP, "ucdp-ged")], false), &with_events);
    run(&config(t, "tr", &[("transfers", NEWER_CASES, "sipri-transfers")], false), &with_transfers);

    // Adding UCDP: its 72 events are added, by their UCDP ids; no transfer changes.
    let rows = diff(t, &reg, &with_events, "d1");
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data(UCDP)).unwrap()).unwrap();
    let ucdp: BTreeSet<String> = raw["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["id"].to_string())
        .collect();
    assert_eq!(ucdp.len(), 72);
    assert_eq!(ids(&rows, "events", "added"), ucdp);
    assert!(rows.iter().all(|r| r["table"] == "events"), "only events change");
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.join("d1/diff.json")).unwrap()).unwrap();
    assert_eq!(s["summary"]["rows"]["events"]["added"], 72);
    assert_eq!(s["summary"]["rows"]["transfers"]["unchanged"], 60);
    assert_eq!(s["summary"]["changed"], true);
    let md = std::fs::read_to_string(t.join("d1/diff.md")).unwrap();
    assert!(md.contains("| events | 72 | 0 | 0 | 0 |"), "{md}");

    // Adding the newer export's cases: its 23 rows (lines 13 to 35, the header on line 12)
    // are added transfers; the register's 60 are unchanged.
    let rows = diff(t, &reg, &with_transfers, "d2");
    let added: BTreeSet<String> =
        (13..=35).map(|l| format!("sipri_transfers_cases.csv:{l}")).collect();
    assert_eq!(ids(&rows, "transfers", "added"), added);
    assert!(ids(&rows, "transfers", "removed").is_empty());
    assert!(ids(&rows, "transfers", "changed").is_empty());
    // The new deals show in the network too.
    let edges = csv_rows(&t.join("d2/diff_edges.csv"));
    assert!(edges.iter().any(|e| e["source"] == "RUS" && e["target"] == "ARE"));
}
