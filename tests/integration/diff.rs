//! `divnet diff` on demo runs that differ by planted changes: exactly the planted input
//! rows are reported, derived changes show up, identical runs give no changes, the exit code
//! follows `--fail-on-change`, and the outputs are byte-identical when made twice.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

use crate::common::{csv_rows as rows, root};

fn divnet() -> Command {
    Command::cargo_bin("divnet").unwrap()
}

fn run(config: &Path, out: &Path) {
    divnet()
        .args(["--threads", "2", "run", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Rewrites a CSV file line by line (`None` drops the line) and appends `extra`.
fn edit(path: &Path, f: impl Fn(&str) -> Option<String>, extra: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out: String = text.lines().filter_map(&f).map(|l| l + "\n").collect();
    out.push_str(extra);
    std::fs::write(path, out).unwrap();
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn ids(diff_rows: &[BTreeMap<String, String>], table: &str, change: &str) -> Vec<String> {
    diff_rows
        .iter()
        .filter(|r| r["table"] == table && r["change"] == change)
        .map(|r| r["id"].clone())
        .collect()
}

#[test]
fn diff_reports_exactly_the_planted_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    copy_dir(&root().join("datasets/demo"), &t.join("data"));
    let config = t.join("data/divnet.toml");
    run(&config, &t.join("a"));
    run(&config, &t.join("a2"));

    // Planted: one seizure added (3000 rifles from Libya through Niger to Mali), one
    // removed, one whose quantity changes; the only route between Somalia and Yemen removed
    // and a new Somalia -> Oman route added.
    let data = t.join("data");
    edit(
        &data.join("seizures.csv"),
        |l| {
            if l.starts_with("SZ-000005,") {
                None
            } else if l.starts_with("SZ-000007,") {
                Some(l.replacen(",pistol,1,", ",pistol,40,", 1))
            } else {
                Some(l.to_string())
            }
        },
        "SZ-999001,2024-05,MLI,Gao,,,place,assault_rifle,3000,,,AKM,7.62x39mm,,,,,LBY,NER,MLI,,land,synthetic: test,0.8\n",
    );
    edit(
        &data.join("routes.csv"),
        |l| (!l.starts_with("RT-0045,SOM,YEM,")).then(|| l.to_string()),
        "RT-9001,SOM,OMN,sea,2022-01,2025-06,30,5000,0.95,synthetic: test\n",
    );
    run(&config, &t.join("b"));

    // Identical inputs: no changes, exit 0 even with --fail-on-change.
    divnet()
        .current_dir(t)
        .args(["diff", "a", "a2", "--out", "same", "--fail-on-change"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("no changes"));
    let same = std::fs::read_to_string(t.join("same/diff.md")).unwrap();
    assert!(same.contains("**No changes.**"), "{same}");
    assert!(rows(&t.join("same/diff_rows.csv")).is_empty());

    // Planted changes: exit 3 with --fail-on-change, 0 without.
    divnet()
        .current_dir(t)
        .args(["diff", "a", "b", "--out", "d", "--fail-on-change"])
        .assert()
        .code(3)
        .stdout(predicates::str::contains("changes found"));
    let first = files(&t.join("d"));
    divnet().current_dir(t).args(["diff", "a", "b", "--out", "d"]).assert().code(0);
    assert_eq!(first, files(&t.join("d")), "outputs differ between two diffs of the same runs");
    divnet().current_dir(t).args(["diff", "a", "b", "--out", "d2"]).assert().code(0);
    assert_eq!(first, files(&t.join("d2")));

    let d = t.join("d");
    let diff_rows = rows(&d.join("diff_rows.csv"));
    assert_eq!(ids(&diff_rows, "seizures", "added"), ["SZ-999001"]);
    assert_eq!(ids(&diff_rows, "seizures", "removed"), ["SZ-000005"]);
    assert_eq!(ids(&diff_rows, "seizures", "changed"), ["SZ-000007"]);
    let changed = diff_rows.iter().find(|r| r["change"] == "changed").unwrap();
    assert_eq!(
        (changed["columns"].as_str(), changed["old"].as_str(), changed["new"].as_str()),
        ("quantity", "quantity=1", "quantity=40")
    );
    assert_eq!(ids(&diff_rows, "routes", "added"), ["RT-9001"]);
    assert_eq!(ids(&diff_rows, "routes", "removed"), ["RT-0045"]);
    assert!(ids(&diff_rows, "routes", "changed").is_empty());
    assert!(diff_rows.iter().all(|r| r["table"] != "looting"));
    assert_eq!(diff_rows.len(), 5);

    // Derived changes.
    let edges = rows(&d.join("diff_edges.csv"));
    let edge = |s: &str, t: &str| edges.iter().find(|e| e["source"] == s && e["target"] == t);
    assert_eq!(edge("SOM", "OMN").map(|e| e["change"].as_str()), Some("appeared"));
    assert_eq!(edge("SOM", "YEM").map(|e| e["change"].as_str()), Some("vanished"));
    let paths = rows(&d.join("diff_paths.csv"));
    assert!(paths.iter().any(|p| p["case"].starts_with("SZ-999001") && p["change"] == "appeared"));
    assert!(paths.iter().any(|p| p["nodes"].contains("SOM;YEM") && p["change"] == "vanished"));
    let hubs = rows(&d.join("diff_hubs.csv"));
    let niger = hubs.iter().find(|h| h["node"] == "NER").unwrap();
    assert_eq!(niger["change"], "moved");
    assert!(niger["new_rank"].parse::<u64>().unwrap() < niger["old_rank"].parse::<u64>().unwrap());
    let cells = rows(&d.join("diff_cells.csv"));
    assert!(cells.iter().any(|c| c["change"] == "confidence_bin"));

    // diff.json parses and its counts are the ones in diff.md.
    let json: serde_json::Value = serde_json::from_slice(&first["diff.json"]).unwrap();
    let md = String::from_utf8(first["diff.md"].clone()).unwrap();
    let s = &json["summary"];
    assert_eq!(s["changed"], true);
    for table in ["seizures", "looting", "routes"] {
        let c = &s["rows"][table];
        let line = format!(
            "| {table} | {} | {} | {} | {} |",
            c["added"], c["removed"], c["changed"], c["unchanged"]
        );
        assert!(md.contains(&line), "{line} not in\n{md}");
    }
    for (key, label) in [
        ("hubs_entered", "hubs entering the top 20"),
        ("hubs_left", "hubs leaving the top 20"),
        ("hubs_moved", "hubs moving within the top 20"),
        ("cells_bin_changed", "hotspot cells changing confidence bin"),
        ("cells_category_changed", "cells changing emerging category"),
        ("paths_appeared", "paths appeared"),
        ("paths_vanished", "paths vanished"),
        ("paths_share_moved", "paths whose share moved"),
        ("edges_appeared", "edges appeared"),
        ("edges_vanished", "edges vanished"),
        ("edges_probability_moved", "edges whose probability moved"),
        ("edges_layer_changed", "edges whose layer changed"),
    ] {
        let line = format!("| {label} | {} |", s[key]);
        assert!(md.contains(&line), "{line} not in\n{md}");
    }
    assert_eq!(s["edges_appeared"], 1);
    assert_eq!(
        s["paths_appeared"].as_u64(),
        Some(paths.iter().filter(|p| p["change"] == "appeared").count() as u64)
    );
    assert!(md.contains("- added (1): SZ-999001"), "{md}");
    assert!(md.contains("- changed (1): SZ-000007 (quantity)"), "{md}");

    // The slope chart names the hubs that moved, on both sides.
    let svg = String::from_utf8(first["hub_ranks.svg"].clone()).unwrap();
    for h in hubs.iter().filter(|h| h["change"] != "unchanged") {
        assert!(svg.matches(&format!("\n{}\n</text>", h["name"])).count() >= 1, "{}", h["name"]);
    }
    assert!(svg.matches("\nNiger\n</text>").count() == 2);
    assert!(first["hub_ranks.png"].starts_with(b"\x89PNG"));

    // --history: the two newest runs of DIR/runs/.
    let hist = t.join("hist/runs");
    std::fs::create_dir_all(&hist).unwrap();
    std::fs::rename(t.join("a"), hist.join("20261129T221500Z-aaaa")).unwrap();
    std::fs::rename(t.join("a2"), hist.join("20261130T221500Z-bbbb")).unwrap();
    std::fs::rename(t.join("b"), hist.join("20261201T221500Z-cccc")).unwrap();
    divnet()
        .current_dir(t)
        .args(["diff", "--history", "hist", "--fail-on-change"])
        .assert()
        .code(3)
        .stdout(predicates::str::contains("20261130T221500Z-bbbb -> 20261201T221500Z-cccc"));
    let default_out = t.join("diff-20261130T221500Z-bbbb-20261201T221500Z-cccc");
    let again = files(&default_out);
    assert_eq!(again["diff_rows.csv"], first["diff_rows.csv"]);
}

#[test]
fn diff_refuses_what_is_not_a_run_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::create_dir(t.join("notes")).unwrap();
    std::fs::create_dir(t.join("run")).unwrap();
    std::fs::write(t.join("run/manifest.json"), r#"{"divnet_version": "0.1.0"}"#).unwrap();
    divnet().current_dir(t).args(["diff", "notes", "run"]).assert().code(2).stderr(
        predicates::str::contains("notes is not a divnet run directory: it has no manifest.json"),
    );
    // Two runs without tables: nothing to compare, every table reported as not compared.
    let out = divnet()
        .current_dir(t)
        .args(["diff", "run", "run", "--out", "d", "--fail-on-change"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("seizures not compared: missing in both runs"), "{out}");
    // A directory of other files is never written into, even with --force.
    std::fs::write(t.join("notes/mine.txt"), "keep").unwrap();
    divnet()
        .current_dir(t)
        .args(["diff", "run", "run", "--out", "notes", "--force"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("holds no earlier divnet diff"));
    assert_eq!(std::fs::read_dir(t.join("notes")).unwrap().count(), 1);
    divnet().current_dir(t).args(["diff", "--history", "nowhere"]).assert().code(2);
    divnet().current_dir(t).args(["diff", "run", "run", "--top", "0"]).assert().code(2);
}
