//! Runs without seizure or looting cases say what they are: transfers drawn as transfers,
//! the transfer network's centrality named trade brokerage, border priors in their own
//! `prior` layer and never illicit, no diversion path, flow or transit hub in words, tables
//! or figures, and every part with nothing to show left out with one line naming the input
//! that would fill it.
//!
//! Inputs: the SIPRI trade-register and newer-export excerpts and the UCDP GED sample under
//! tests/data/sources/ (cited in its README). Expected counts were taken from the raw files
//! with a few lines of Python, never from divnet's output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{csv_rows, data, run_config};

const REGISTER: &str = "sources/sipri_trade_register_cases.csv";
const NEWER: &str = "sources/sipri_transfers_sample.csv";
const UCDP: &str = "sources/ucdp_ged_sample.geojson";

/// Writes a config reading `inputs` (TOML of `[[inputs.*]]` tables) and runs it; returns
/// the run directory.
fn run(dir: &Path, inputs: &str) -> PathBuf {
    let cfg = dir.join("divnet.toml");
    std::fs::write(&cfg, format!("[run]\nout = \"out\"\n{inputs}")).unwrap();
    run_config(&cfg);
    dir.join("out")
}

fn transfers_toml() -> String {
    format!(
        "[[inputs.transfers]]\npath = {:?}\npreset = \"sipri-register\"\n\
         [[inputs.transfers]]\npath = {:?}\npreset = \"sipri-transfers\"\n",
        data(REGISTER).display().to_string(),
        data(NEWER).display().to_string(),
    )
}

fn events_toml() -> String {
    format!(
        "[[inputs.events]]\npath = {:?}\npreset = \"ucdp-ged\"\n",
        data(UCDP).display().to_string()
    )
}

fn num(r: &BTreeMap<String, String>, c: &str) -> f64 {
    r[c].parse().unwrap_or_else(|_| panic!("{c} = {:?}", r[c]))
}

/// No edge is `illicit` without illicit evidence, every edge without evidence is a
/// `prior`, and the legal edges are the state-to-state transfer edges. Returns the layer
/// counts.
fn check_layers(out: &Path) -> BTreeMap<String, usize> {
    let edges = csv_rows(&out.join("network_edges.csv"));
    let mut counts = BTreeMap::new();
    for e in &edges {
        let illicit =
            num(e, "route_reports") + num(e, "seizure_legs") + num(e, "non_state_transfers");
        let legal = num(e, "transfers") + num(e, "import_legs");
        let expected = match (legal > 0.0, illicit > 0.0) {
            (true, false) => "legal",
            (true, true) => "both",
            (false, true) => "illicit",
            (false, false) => "prior",
        };
        assert_eq!(e["layer"], expected, "{e:?}");
        if expected == "prior" {
            assert_eq!(e["border_prior"], "true", "an edge without evidence is a border prior");
        }
        *counts.entry(e["layer"].clone()).or_default() += 1;
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    for (layer, n) in &counts {
        assert_eq!(manifest["notes"]["network_edges_by_layer"][layer], *n as u64, "{layer}");
    }
    counts
}

/// The report's Markdown has no table without rows, none of `banned` (case-insensitive),
/// and every line of `absent`; every figure written has data (no "No data" panel), and
/// every figure the registry has that was not written is named in the report.
fn check_report(out: &Path, banned: &[&str], absent: &[&str]) -> String {
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let lines: Vec<&str> = md.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("|")
            && lines.get(i + 1).is_some_and(|n| n.starts_with("| ---") || n.starts_with("|---"))
        {
            assert!(lines.get(i + 2).is_some_and(|r| r.starts_with('|')), "empty table at {l}");
        }
    }
    // The banned words may appear only in the lines saying what is not in the run.
    let lower: String = md
        .lines()
        .filter(|l| !(l.starts_with("- No ") && l.contains(": needs ")))
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
    for b in banned {
        assert!(!lower.contains(&b.to_lowercase()), "report says {b:?}:\n{md}");
    }
    // Markdown escapes the brackets of the config keys.
    let plain = md.replace("\\[", "[").replace("\\]", "]");
    for a in absent {
        assert!(plain.contains(a), "report lacks {a:?}:\n{md}");
    }
    for f in divnet::stages::figures::FIGURES {
        let svg = out.join(format!("figures/{}.svg", f.name));
        match std::fs::read_to_string(&svg) {
            Ok(s) => assert!(!s.contains("No data"), "{} has a no-data panel", f.name),
            Err(_) => {
                assert!(!out.join(format!("figures/{}.png", f.name)).exists(), "{}", f.name);
                let named = md.lines().any(|l| l.starts_with("- No ") && l.contains(": needs "));
                assert!(named, "{} left out without a line", f.name);
            }
        }
    }
    md
}

#[test]
fn a_transfer_only_run_calls_nothing_a_diversion() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &transfers_toml());

    // Layers: the register excerpt's deals between states are legal edges, its deals to
    // armed groups illicit ones (transfers, recorded, but not between states), and the
    // land borders no deal crosses are priors, never illicit.
    let layers = check_layers(&out);
    assert!(layers["prior"] > 400, "{layers:?}");
    assert!(layers["legal"] > 0);
    // The illicit edges are exactly the deliveries to armed groups of the two excerpts
    // (register: Hezbollah <- Iran, Libya HoR <- Jordan, UAE, Syria rebels <- Turkiye,
    // Ukraine Rebels <- Russia; newer export: SNA <- Eritrea, Houthis <- Iran, Hamas <-
    // North Korea, HoR <- Russia, UAE, Northern Alliance <- Russia, Hezbollah <- Syria).
    let edges = csv_rows(&out.join("network_edges.csv"));
    let mut illicit: Vec<(&str, &str)> = edges
        .iter()
        .filter(|e| e["layer"] == "illicit")
        .map(|e| (e["source"].as_str(), e["target"].as_str()))
        .collect();
    illicit.sort_unstable();
    let expected = [
        ("ARE", "LBY"),
        ("ERI", "SOM"),
        ("IRN", "LBN"),
        ("IRN", "YEM"),
        ("JOR", "LBY"),
        ("PRK", "PSE"),
        ("RUS", "AFG"),
        ("RUS", "LBY"),
        ("RUS", "UKR"),
        ("SYR", "LBN"),
        ("TUR", "SYR"),
    ];
    assert_eq!(illicit, expected);
    assert_eq!(layers.get("both"), None);

    // Hubs: ranked by trade brokerage, the case columns absent (not zeros).
    let hubs = csv_rows(&out.join("hubs.csv"));
    let cols: Vec<&String> = hubs[0].keys().collect();
    for c in ["flow_betweenness", "transit_only", "expected_flow", "through_flow"] {
        assert!(!hubs[0].contains_key(c), "hubs has {c}: {cols:?}");
    }
    assert!(hubs.iter().all(|h| h["ranked_by"] == "trade_brokerage"));
    let best = hubs.iter().map(|h| num(h, "trade_brokerage")).fold(0.0, f64::max);
    assert!(best > 0.0);
    assert_eq!(num(&hubs[0], "trade_brokerage"), best, "rank 1 brokers most");
    let ranked: Vec<f64> = hubs.iter().map(|h| num(h, "trade_brokerage")).collect();
    assert!(ranked.windows(2).all(|w| w[0] >= w[1]), "ordered by trade brokerage");
    let hub_edges = csv_rows(&out.join("hub_edges.csv"));
    assert!(!hub_edges[0].contains_key("flow_betweenness"));
    assert!(!hub_edges[0].contains_key("expected_flow"));
    // In supplier-recipient pairs, as NetworkX's betweenness_centrality(normalized=False)
    // gives on the transfer edges: the United States 43; Iran 8 (supplied by the United
    // States and Russia, supplying Hezbollah and the Houthis); the UAE 0 (Russia, its
    // supplier, also delivers to Libya's HoR directly).
    let by = |node: &str| num(hubs.iter().find(|h| h["node"] == node).unwrap(), "trade_brokerage");
    assert_eq!(hubs[0]["node"], "USA");
    assert_eq!((by("USA"), by("IRN"), by("ARE")), (43.0, 8.0, 0.0));

    let md = check_report(
        &out,
        &["diversion path", "transit hub", "transit only", "flow betweenness", "No data"],
        &[
            "No diversion paths: needs seizure or looting cases ([[inputs.seizures]]",
            "No diversion points: needs seizure or looting cases",
            "No origin-destination matrix of diverted weapons: needs seizure or looting cases",
            "No hot or cold spots of seizures and lootings: needs seizures or looting incidents located below country level",
            "No conflict-event hot or cold spots: needs conflict events located below country level ([[inputs.events]]",
            "This run has no seizure or looting cases",
        ],
    );
    assert!(md.contains("### Top trade brokers (betweenness on the supplier → recipient graph)"));
    assert!(md.contains("### Recipients of legal transfers"));
    assert!(md.contains("## Not in this run"));
    // Figures: the transfers as transfers, the trade brokers; the rest left out.
    let svg = |n: &str| std::fs::read_to_string(out.join(format!("figures/{n}.svg")));
    let map = svg("flow_map").unwrap();
    for word in
        ["Arrow: supplier → recipient", "Between states", "Hub trade brokerage", "TIV, millions"]
    {
        assert!(map.contains(word), "flow map lacks {word}");
    }
    for word in ["probability", "Evidence", "diversion", "transit hubs", "Flow quantity"] {
        assert!(!map.contains(word), "flow map says {word}");
    }
    assert!(map.contains("<polygon"), "arrowheads drawn");
    let top = svg("top_hubs").unwrap();
    assert!(top.contains("Top 9 trade brokers by trade brokerage"), "nine parties broker");
    assert!(!top.contains("transit"));
    let rec = svg("recipients").unwrap();
    assert!(!rec.contains("Diversion evidence"), "no empty evidence panel");
    for gone in ["top_paths", "od_matrix", "hotspot_map", "emerging_map", "regional_series"] {
        assert!(svg(gone).is_err(), "{gone} written");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let absent = manifest["notes"]["figures_absent"].as_array().unwrap();
    assert!(
        absent.iter().any(|a| a.as_str().unwrap().starts_with("top_paths: No diversion paths"))
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<h2>Not in this run</h2>"));
}

#[test]
fn a_run_of_sipri_and_ucdp_events_shows_what_it_has() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &format!("{}{}", transfers_toml(), events_toml()));
    let layers = check_layers(&out);
    assert!(layers["prior"] > 400, "{layers:?}");
    let md = check_report(
        &out,
        &["diversion path", "transit hub", "No data", "items seized"],
        &["No diversion paths: needs seizure or looting cases", "No diversion points: needs"],
    );
    // The events' country: 72 events, 570 deaths (UCDP's best estimates), as the raw file
    // has them; no seizure columns.
    assert!(md.contains("### Conflict events by country"), "{md}");
    assert!(md.contains("| CAF | 72 | 570 |"), "{md}");
    assert!(md.contains("conflict events"));
    let hubs = csv_rows(&out.join("hubs.csv"));
    assert!(hubs.iter().all(|h| h["ranked_by"] == "trade_brokerage"));
    assert!(!hubs[0].contains_key("transit_only"));
}
