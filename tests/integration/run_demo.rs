//! The README's main command on the shipped demo dataset: every stage's outputs, the
//! planted structure, the report, and determinism across thread counts.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

use crate::common::{csv_rows as rows, root};

pub(crate) fn run_demo(out: &Path, threads: &str) {
    Command::cargo_bin("divnet")
        .unwrap()
        .current_dir(root())
        .args(["--threads", threads, "run", "--out"])
        .arg(out)
        .assert()
        .success();
}

fn tables(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv" || x == "parquet"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn demo_run_writes_every_stage_and_finds_the_planted_structure() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("default");
    run_demo(&out, "2");

    // The malformed demo rows are all rejected, each with its reason.
    let rejected = rows(&out.join("rejected.csv"));
    let bad: Vec<_> =
        rejected.iter().filter(|r| r["file"].ends_with("seizures_bad_rows.csv")).collect();
    assert!(bad.len() >= 12, "{bad:?}");
    for reason in [
        "unknown_category",
        "future_date",
        "invalid_date",
        "unknown_country",
        "duplicate_id",
        "unknown_transport_mode",
    ] {
        assert!(bad.iter().any(|r| r["reason"] == reason), "{reason}");
    }

    // Linkage: serial-range links to the Manipur armoury lootings.
    let links = rows(&out.join("linkage.csv"));
    let manipur: Vec<_> = links
        .iter()
        .filter(|l| {
            l["tier"] == "serial"
                && l["incident"].as_str() >= "LT-0042"
                && l["incident"].as_str() <= "LT-0053"
        })
        .collect();
    assert!(manipur.len() >= 50, "{} serial links to Manipur lootings", manipur.len());
    let cases = rows(&out.join("cases.csv"));
    assert!(cases.iter().any(|c| c["kind"] == "trace"));
    assert!(cases.iter().any(|c| c["kind"] == "linkage"));
    assert!(cases.iter().all(|c| c["reachable"] == "true"));

    // Paths: the Balkan corridor runs through Croatia, Slovenia and Austria.
    let paths = crate::common::joined_paths(&out);
    assert!(paths.iter().any(|p| p["nodes"].contains("HRV;SVN;AUT")));
    for p in &paths {
        let prob: f64 = p["probability"].parse().unwrap();
        let cost: f64 = p["cost"].parse().unwrap();
        assert!((prob - (-cost).exp()).abs() < 1e-12);
    }

    // Hubs: ranked by flow betweenness; the top hubs carry Balkan or Sahel transit.
    let hubs = rows(&out.join("hubs.csv"));
    assert_eq!(hubs[0]["rank"], "1");
    let top5: Vec<&str> = hubs.iter().take(5).map(|h| h["iso3"].as_str()).collect();
    assert!(top5.iter().any(|c| ["HRV", "SVN", "AUT", "NER"].contains(c)), "{top5:?}");
    // Normalised betweenness is the raw value over (n-1)(n-2) ordered pairs (NetworkX).
    let n = rows(&out.join("network_nodes.csv")).len() as f64;
    for h in &hubs {
        let (norm, raw): (f64, f64) =
            (h["betweenness"].parse().unwrap(), h["betweenness_raw"].parse().unwrap());
        assert!((norm - raw / ((n - 1.0) * (n - 2.0))).abs() < 1e-12, "{h:?}");
    }
    let flows: Vec<f64> = hubs.iter().map(|h| h["flow_betweenness"].parse().unwrap()).collect();
    assert!(flows.windows(2).all(|w| w[0] >= w[1]));

    // Hotspots: the planted Manipur cluster and the northern Mexico border.
    let cells = rows(&out.join("hotspot_cells.csv"));
    let hot_in = |layer: &str, lat: (f64, f64), lon: (f64, f64)| {
        cells.iter().any(|c| {
            let (la, lo): (f64, f64) = (c["lat"].parse().unwrap(), c["lon"].parse().unwrap());
            c["layer"] == layer
                && c["bin"].parse::<i64>().unwrap() >= 2
                && (lat.0..lat.1).contains(&la)
                && (lon.0..lon.1).contains(&lo)
        })
    };
    let (manipur, border) = (((23.8, 25.8), (93.0, 94.8)), ((25.0, 33.0), (-118.0, -97.0)));
    assert!(hot_in("incidents", manipur.0, manipur.1), "no hot spot in Manipur");
    assert!(hot_in("incidents", border.0, border.1), "no hot spot on the Mexican border");
    // The conflict-event layer, on the same grid, finds the planted event clusters.
    assert!(hot_in("events", manipur.0, manipur.1), "no conflict-event hot spot in Manipur");
    assert!(hot_in("events", border.0, border.1), "no conflict-event hot spot at the border");
    assert!(!hot_in("events", (40.0, 60.0), (-10.0, 30.0)), "events were never in Europe");

    // The legal layer: Libya's pre-2011 imports, its looted stock, its diverted weapons.
    let edges = rows(&out.join("network_edges.csv"));
    let layer = |a: &str, b: &str| {
        edges.iter().find(|e| e["source"] == a && e["target"] == b).map(|e| e["layer"].clone())
    };
    assert_eq!(layer("BEL", "LBY").as_deref(), Some("legal"));
    assert_eq!(layer("IRN", "YEM").as_deref(), Some("illicit"), "Iran -> Houthis is no legal leg");
    let recipients = rows(&out.join("recipients.csv"));
    let lby = |col: &str| -> f64 {
        recipients
            .iter()
            .filter(|r| r["recipient"] == "LBY")
            .map(|r| r[col].parse::<f64>().unwrap())
            .sum()
    };
    assert!(lby("deals") > 0.0 && lby("looted") == 11510.0 && lby("seized_last_legal") > 0.0);
    let points = rows(&out.join("diversion_points.csv"));
    let libya = points.iter().find(|p| p["node"] == "LBY").unwrap();
    assert!(libya["after_legal_transfer"].parse::<f64>().unwrap() > 0.0);
    assert!(paths.iter().any(|p| p["legal_legs"] != "0"));
    let regional = rows(&out.join("regional_hotspots.csv"));
    let mex = regional.iter().find(|r| r["level"] == "country" && r["name"] == "MEX").unwrap();
    assert!(mex["seizures"].parse::<u64>().unwrap() >= 900);
    assert!(!mex["trend_z"].is_empty(), "monthly Mann-Kendall trend for Mexico");
    let emerging = rows(&out.join("emerging_hotspots.csv"));
    assert!(!emerging.is_empty());

    // Figures and report.
    let drawn = crate::common::demo_figure_names();
    for &name in &drawn {
        let png = std::fs::read(out.join(format!("figures/{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 2400, "{name} width");
        let svg = std::fs::read_to_string(out.join(format!("figures/{name}.svg"))).unwrap();
        assert!(svg.contains("divnet demo (synthetic data)"), "{name} caption");
    }
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    // Every registered figure, and the event map of the "Explore" section.
    assert_eq!(html.matches("<figure").count(), drawn.len() + 1);
    assert!(html.contains("<figure id=\"fig-event_map\" data-map>"));
    assert!(!html.contains("figure not rendered"));
    assert!(html.contains("Top transit hubs") && html.contains("unknown_category"));
    for table in ["Diversion points", "Recipients of legal transfers", "Conflict-event hotspots"] {
        assert!(html.contains(table), "{table} missing from the report");
    }
    // A run with cases keeps the words of diversion, and leaves out only the parts of the
    // conflict events' space-time cube, which shows no pattern in the demo.
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    for words in
        ["### Top transit hubs", "### Top diversion paths", "transit only", "flow betweenness"]
    {
        assert!(md.contains(words), "{words} missing from report.md");
    }
    assert!(!md.contains("This run has no seizure"));
    let left_out = md.split("## Not in this run\n\n").nth(1).expect("a list of parts left out");
    let left_out: Vec<&str> = left_out.lines().take_while(|l| l.starts_with("- ")).collect();
    assert_eq!(left_out.len(), 3, "{left_out:?}");
    for line in left_out {
        assert!(
            line.contains("emerging conflict-event") || line.contains("conflict-event emerging"),
            "{line}"
        );
        assert!(line.contains("none of the") && line.contains("shows a pattern"), "{line}");
    }
    let hubs = rows(&out.join("hubs.csv"));
    for col in ["flow_betweenness", "transit_only", "expected_flow", "trade_brokerage"] {
        assert!(hubs[0].contains_key(col), "hubs lacks {col}");
    }
    assert!(edges.iter().any(|e| e["layer"] == "prior"), "border priors are their own layer");
    // The close-ups show the Manipur and northern-Mexico clusters as hexagons.
    let closeups = std::fs::read_to_string(out.join("figures/hotspot_closeups.svg")).unwrap();
    assert!(closeups.contains(", India\n</text>"), "no Manipur panel");
    assert!(closeups.contains(", Mexico\n</text>"), "no northern Mexico panel");
    // A hexagon: a closed ring of 7 vertices (the first repeated).
    let hexagons = closeups
        .split(" points=\"")
        .skip(1)
        .filter(|p| p.split('"').next().is_some_and(|pts| pts.split_whitespace().count() == 7))
        .count();
    assert!(hexagons > 50, "{hexagons} hexagons drawn");
    for fig in ["recipients", "event_hotspot_map", "hotspot_closeups", "emerging_closeups"] {
        assert!(html.contains(&format!("<figure id=\"fig-{fig}\"")), "{fig} not in the report");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["notes"]["figures"], drawn.len());
    // The figures left out: not written, and each named with its line.
    let absent: Vec<&str> = manifest["notes"]["figures_absent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().split(':').next().unwrap())
        .collect();
    assert_eq!(absent, crate::common::DEMO_ABSENT_FIGURES);
    for name in crate::common::DEMO_ABSENT_FIGURES {
        assert!(!out.join(format!("figures/{name}.png")).exists(), "{name} written");
    }
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert!(run["timings_ms"]["figure:flow_map"].is_u64());
    assert_eq!(manifest["notes"]["betweenness"]["method"], "exact");
}

#[test]
fn demo_tables_are_identical_for_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    run_demo(&tmp.path().join("a"), "1");
    run_demo(&tmp.path().join("b"), "2");
    let (a, b) = (tables(&tmp.path().join("a")), tables(&tmp.path().join("b")));
    assert!(a.len() >= 30);
    for (name, bytes) in &a {
        assert!(b.get(name) == Some(bytes), "{name} differs between 1 and 2 threads");
    }
}
