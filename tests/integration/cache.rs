//! Cached incremental reruns: an unchanged rerun runs no step, an edited routes file reruns
//! only the steps that depend on routes (and gives the bytes a run without the cache
//! gives), a damaged or foreign cache entry is recomputed, and the size bound is kept.
//! `run.json` is the witness: it lists every step with its key and whether it came from
//! the cache.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A copy of the demo dataset whose config keeps its cache in `<dir>/cache` (plus `extra`
/// config text).
fn demo_copy(dir: &Path, extra: &str) -> PathBuf {
    crate::common::demo_copy_with(dir, &format!("[cache]\ndir = \"../cache\"\n{extra}"))
}

/// Runs `divnet run` on `config` into `out` at a fixed clock.
fn run(config: &Path, out: &Path, args: &[&str]) -> std::process::Output {
    let mut c = Command::cargo_bin("divnet").unwrap();
    c.env("DIVNET_NOW", "2026-06-01T12:00:00Z")
        .env_remove("DIVNET_CACHE_DIR")
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["--threads", "2", "run", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .args(args);
    let output = c.output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

/// Each step of a finished run: (key, came from the cache, cache note).
fn steps(out: &Path) -> BTreeMap<String, (String, bool, Option<String>)> {
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                (
                    s["key"].as_str().unwrap().to_string(),
                    s["cached"].as_bool().unwrap(),
                    s.get("cache_note").and_then(|n| n.as_str()).map(str::to_string),
                ),
            )
        })
        .collect()
}

fn ran(out: &Path) -> BTreeSet<String> {
    steps(out).into_iter().filter(|(_, s)| !s.1).map(|(n, _)| n).collect()
}

/// Every file of a run but `run.json`, by relative path.
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = crate::common::files_under(dir);
    out.remove("run.json");
    out
}

fn assert_same_outputs(a: &Path, b: &Path) {
    let (a, b) = (outputs(a), outputs(b));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(&b[name] == bytes, "{name} differs");
    }
}

/// The steps that read `from`, directly or through other steps, with `from` itself.
fn dependents(config: &Path, from: &str) -> BTreeSet<String> {
    let config = divnet::config::Config::from_file(config).unwrap();
    let inputs = divnet::stages::StepInputs {
        ingest: divnet::ingest::IngestOptions::default(),
        source_date: None,
        fingerprints: BTreeMap::new(),
    };
    let steps = divnet::stages::steps(&config, &inputs);
    let mut out: BTreeSet<String> = [from.to_string()].into();
    loop {
        let before = out.len();
        for s in &steps {
            if s.deps.iter().any(|d| out.contains(d)) {
                out.insert(s.name.clone());
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

#[test]
fn an_unchanged_rerun_runs_no_step_and_writes_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&config, &a, &[]);
    let first = steps(&a);
    assert!(first.len() >= 30, "{first:?}");
    assert!(first.values().all(|s| !s.1), "a cold cache runs every step");
    run(&config, &b, &[]);
    assert_eq!(ran(&b), BTreeSet::new(), "nothing reruns");
    let second = steps(&b);
    assert_eq!(
        first.iter().map(|(n, s)| (n, &s.0)).collect::<Vec<_>>(),
        second.iter().map(|(n, s)| (n, &s.0)).collect::<Vec<_>>(),
        "same keys"
    );
    assert_same_outputs(&a, &b);
}

#[test]
fn editing_one_routes_row_reruns_only_what_depends_on_routes() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "");
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    run(&config, &a, &[]);
    // One row: RT-0002 (AUT -> DEU) reported 20 times becomes 2 times.
    let routes = config.with_file_name("routes.csv");
    let text = std::fs::read_to_string(&routes).unwrap();
    let edited = text.replacen(",2017-01,2022-09,20,", ",2017-01,2022-09,2,", 1);
    assert_ne!(text, edited);
    std::fs::write(&routes, edited).unwrap();
    run(&config, &b, &[]);

    let ran = ran(&b);
    let may = dependents(&config, "ingest:routes");
    assert!(ran.is_subset(&may), "ran {:?} beyond the dependents", ran.difference(&may));
    for must in [
        "ingest:routes",
        "network",
        "paths",
        "hubs",
        "tables:routes",
        "tables:hubs",
        "figure:flow_map",
        "figure:top_hubs",
        "report",
    ] {
        assert!(ran.contains(must), "{must} reran: {ran:?}");
    }
    // The hotspot steps and everything built only on seizures and looting come from the
    // cache.
    for kept in [
        "ingest:seizures",
        "ingest:looting",
        "cells",
        "cube",
        "regional",
        "tables:seizures",
        "tables:looting",
        "tables:hotspots",
    ] {
        assert!(!may.contains(kept), "{kept} does not read routes");
        assert!(!ran.contains(kept), "{kept} was recomputed");
    }
    // The hotspot figures read routes only through the caption (the reference date is the
    // latest seizure or route report): the caption step reran, found the same caption, and
    // the figures stayed cached.
    assert!(ran.contains("frame"));
    for kept in ["figure:hotspot_map", "figure:emerging_map", "figure:regional_series"] {
        assert!(!ran.contains(kept), "{kept} was recomputed");
    }
    // The incremental result is the result.
    run(&config, &c, &["--no-cache"]);
    assert_same_outputs(&b, &c);
    assert_ne!(
        std::fs::read(a.join("network_edges.csv")).unwrap(),
        std::fs::read(b.join("network_edges.csv")).unwrap(),
        "the edit shows in the network"
    );
}

#[test]
fn a_damaged_or_foreign_cache_entry_is_recomputed_never_trusted() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "");
    let (a, b, c, d) =
        (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"), tmp.path().join("d"));
    run(&config, &a, &[]);
    let keys = steps(&a);
    let entry = |step: &str| {
        let key = &keys[step].0;
        tmp.path().join("cache").join(&key[..2]).join(format!("{key}.art"))
    };
    // One bit flipped in the middle of the cells entry (its header stays sound).
    let cells = entry("cells");
    let mut bytes = std::fs::read(&cells).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x10;
    std::fs::write(&cells, bytes).unwrap();
    // A file that is no entry at all in place of the regional step's.
    std::fs::write(entry("regional"), b"not an artifact").unwrap();
    // A truncated hubs entry.
    let hubs = entry("hubs");
    let len = std::fs::metadata(&hubs).unwrap().len();
    std::fs::File::options().write(true).open(&hubs).unwrap().set_len(len - 7).unwrap();

    // The entries with a bad header are caught when looked up: exactly those steps ran,
    // each saying why; their results were the same as before, so nothing below them
    // reran. The cells entry is not read by this rerun (nothing that reads it runs).
    run(&config, &b, &[]);
    let after = steps(&b);
    assert_eq!(ran(&b), ["hubs", "regional"].map(String::from).into());
    for step in ["hubs", "regional"] {
        let note = after[step].2.as_deref().unwrap_or_default();
        assert!(note.starts_with("damaged cache entry"), "{step}: {note}");
    }
    assert_same_outputs(&a, &b);

    // A rerun that draws the figures again reads the cells entry, finds it damaged by its
    // checksum, recomputes the cells and rewrites the entry.
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[figures]\ntop_n = 14\n")).unwrap();
    run(&config, &c, &[]);
    let after = steps(&c);
    assert!(!after["cells"].1, "cells recomputed");
    let note = after["cells"].2.as_deref().unwrap_or_default();
    assert!(note.contains("found when read"), "{note}");
    for t in ["hotspot_cells.csv", "hotspot_cells.parquet"] {
        assert_eq!(std::fs::read(a.join(t)).unwrap(), std::fs::read(c.join(t)).unwrap(), "{t}");
    }
    // Every entry is sound again.
    run(&config, &d, &[]);
    assert_eq!(ran(&d), BTreeSet::new());
}

#[test]
fn the_cache_can_be_bounded_or_turned_off() {
    let tmp = tempfile::tempdir().unwrap();
    let entries = |dir: &Path| -> usize {
        let Ok(shards) = std::fs::read_dir(dir) else { return 0 };
        shards.map(|s| std::fs::read_dir(s.unwrap().path()).unwrap().count()).sum()
    };
    // A bound of 0 MiB keeps nothing after the run, and says so.
    let bounded = demo_copy(&tmp.path().join("bounded"), "max_size_mb = 0\n");
    let out = run(&bounded, &tmp.path().join("a"), &[]);
    assert_eq!(entries(&tmp.path().join("bounded/cache")), 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("least recently used entries from the cache"), "{stderr}");
    // `enabled = false` writes no cache and run.json names none.
    let off = demo_copy(&tmp.path().join("off"), "enabled = false\n");
    run(&off, &tmp.path().join("b"), &[]);
    assert!(!tmp.path().join("off/cache").exists());
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("b/run.json")).unwrap()).unwrap();
    assert_eq!(r.get("cache"), None);
    // The default bound keeps every entry of one run.
    let kept = demo_copy(&tmp.path().join("kept"), "");
    run(&kept, &tmp.path().join("c"), &[]);
    assert_eq!(entries(&tmp.path().join("kept/cache")), steps(&tmp.path().join("c")).len());
    // The cache settings decide nothing about the results: the manifests agree.
    let manifest = |d: &str| std::fs::read(tmp.path().join(d).join("manifest.json")).unwrap();
    let strip = |b: Vec<u8>| {
        let mut v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        for key in ["config_source", "inputs", "outputs", "steps"] {
            v[key] = serde_json::Value::Null;
        }
        serde_json::to_vec(&v).unwrap()
    };
    assert_eq!(strip(manifest("a")), strip(manifest("b")));
}

#[test]
fn output_formats_choose_the_table_files_and_rerun_only_the_table_steps() {
    let dir = tempfile::tempdir().unwrap();
    let both = demo_copy(dir.path(), "");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(&both, &a, &[]);
    // The same data with Parquet only: the table steps rerun, nothing else does.
    let config = std::fs::read_to_string(&both).unwrap();
    std::fs::write(&both, format!("{config}\n[output]\nformats = [\"parquet\"]\n")).unwrap();
    run(&both, &b, &[]);
    let reran = ran(&b);
    assert!(reran.contains("tables:seizures") && reran.contains("tables:paths"), "{reran:?}");
    assert!(reran.iter().all(|s| s.starts_with("tables:") || s == "summary"), "{reran:?}");
    let (fa, fb) = (outputs(&a), outputs(&b));
    let tables = |f: &BTreeMap<String, Vec<u8>>, ext: &str| -> BTreeSet<String> {
        f.keys().filter(|k| !k.contains('/') && k.ends_with(ext)).cloned().collect()
    };
    assert!(tables(&fb, ".csv").is_empty(), "{:?}", tables(&fb, ".csv"));
    assert_eq!(tables(&fa, ".parquet"), tables(&fb, ".parquet"));
    assert!(tables(&fb, ".parquet").len() > 20);
    for name in tables(&fb, ".parquet") {
        assert_eq!(fa[&name], fb[&name], "{name} differs");
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> =
        m["outputs"].as_array().unwrap().iter().map(|o| o["file"].as_str().unwrap()).collect();
    assert!(listed.contains(&"seizures.parquet") && !listed.contains(&"seizures.csv"));
    // A format list that is empty or names a format twice stops the run, naming the key.
    std::fs::write(&both, format!("{config}\n[output]\nformats = []\n")).unwrap();
    let mut c = Command::cargo_bin("divnet").unwrap();
    let out = c.args(["run", "--config"]).arg(&both).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("output.formats"));
}
