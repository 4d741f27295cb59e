//! The same inputs and config give the same bytes on any day, with any thread count, and
//! whether the steps ran or came from the artifact cache: only `run.json` records when and
//! how a run happened, and `SOURCE_DATE_EPOCH` changes exactly the date shown in figure
//! captions, the report and the manifest's `dated` note.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;

use crate::common::root;

/// Runs the demo into `out` with only the given clock variables set, and the artifact
/// cache in `<out>.cache` unless `env` names `DIVNET_CACHE_DIR`.
fn run_demo(out: &Path, threads: &str, env: &[(&str, &str)]) {
    let mut cmd = Command::cargo_bin("divnet").unwrap();
    cmd.current_dir(root()).env_remove("SOURCE_DATE_EPOCH").env_remove("DIVNET_NOW");
    cmd.env("DIVNET_CACHE_DIR", out.with_extension("cache"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(["--threads", threads, "run", "--out"]).arg(out).assert().success();
}

/// Whether each step of a run came from the cache, from its `run.json`.
fn cached(run_json: &[u8]) -> BTreeMap<String, bool> {
    json(run_json)["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap().to_string(), s["cached"].as_bool().unwrap()))
        .collect()
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    crate::common::files_under(dir)
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

#[test]
fn outputs_do_not_depend_on_the_clock_or_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let (a_dir, b_dir, c_dir) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    let cache = tmp.path().join("shared.cache");
    let cache = cache.to_str().unwrap();
    // a computes every step into an empty cache; b, a year later on two threads, takes
    // them from that cache; c computes every step again without one.
    run_demo(&a_dir, "1", &[("DIVNET_NOW", "2027-03-01T08:00:00Z"), ("DIVNET_CACHE_DIR", cache)]);
    run_demo(
        &b_dir,
        "2",
        &[("DIVNET_NOW", "2028-06-15T23:30:00+02:00"), ("DIVNET_CACHE_DIR", cache)],
    );
    let mut cmd = Command::cargo_bin("divnet").unwrap();
    cmd.current_dir(root()).env_remove("SOURCE_DATE_EPOCH").env("DIVNET_CACHE_DIR", cache);
    cmd.args(["--threads", "2", "run", "--no-cache", "--out"]).arg(&c_dir).assert().success();
    let (a, b, c) = (files(&a_dir), files(&b_dir), files(&c_dir));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert_eq!(a.keys().collect::<Vec<_>>(), c.keys().collect::<Vec<_>>());
    for must in ["figures/flow_map.png", "figures/top_paths.svg", "index.html", "report.md"] {
        assert!(a.contains_key(must), "{must} written");
    }
    for (name, bytes) in a.iter().filter(|(n, _)| n.as_str() != "run.json") {
        assert!(&b[name] == bytes, "{name} differs between the cold and the cached run");
        assert!(&c[name] == bytes, "{name} differs between a cached and an uncached run");
    }
    // The runs did what they say: a and c ran every step, b ran only the ingest steps
    // (their key holds the day, for future dates) and took everything else from the cache.
    let (ca, cb, cc) = (cached(&a["run.json"]), cached(&b["run.json"]), cached(&c["run.json"]));
    assert!(ca.values().chain(cc.values()).all(|c| !c), "{ca:?} {cc:?}");
    for (step, from_cache) in &cb {
        assert_eq!(*from_cache, !step.starts_with("ingest:"), "{step}");
    }
    assert_eq!(json(&c["run.json"]).get("cache"), None, "--no-cache uses no cache");

    // run.json holds the (injected) clock, the threads and the timings.
    let (ra, rb) = (json(&a["run.json"]), json(&b["run.json"]));
    assert_eq!(ra["started_utc"], "2027-03-01T08:00:00Z");
    assert_eq!(rb["started_utc"], "2028-06-15T21:30:00Z");
    assert!(ra["finished_utc"].as_str().unwrap().starts_with("2027-03-01T08:"));
    assert_eq!((ra["threads"].as_u64(), rb["threads"].as_u64()), (Some(1), Some(2)));
    assert!(ra["timings_ms"]["figure:flow_map"].is_u64());
    assert!(ra["timings_ms"]["ingest:seizures"].is_u64());

    // The manifest holds none of that, and no path of the output directory.
    let text = String::from_utf8(a["manifest.json"].clone()).unwrap();
    let manifest = json(&a["manifest.json"]);
    for key in ["started_utc", "threads", "timings_ms"] {
        assert!(manifest.get(key).is_none(), "manifest has {key}");
    }
    for needle in ["2027-", "2028-", tmp.path().to_str().unwrap(), "run.json"] {
        assert!(!text.contains(needle), "manifest mentions {needle}");
    }
    // It lists every other file with its hash.
    let listed: BTreeSet<&str> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["file"].as_str().unwrap())
        .collect();
    let written: BTreeSet<&str> = a
        .keys()
        .map(String::as_str)
        .filter(|n| !["manifest.json", "run.json"].contains(n))
        .collect();
    assert_eq!(listed, written);
}

#[test]
fn source_date_epoch_changes_exactly_the_date_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let (a_dir, c_dir) = (tmp.path().join("a"), tmp.path().join("c"));
    run_demo(&a_dir, "2", &[]);
    // 2027-01-01T12:00:00Z.
    run_demo(&c_dir, "2", &[("SOURCE_DATE_EPOCH", "1798804800")]);
    let (a, c) = (files(&a_dir), files(&c_dir));
    let (ma, mc) = (json(&a["manifest.json"]), json(&c["manifest.json"]));
    let from = ma["notes"]["dated"].as_str().unwrap().to_string();
    let to = "Generated: 2027-01-01";
    assert!(from.starts_with("Reference date: 20"), "{from}");
    assert_eq!(mc["notes"]["dated"], to);

    let mut changed = BTreeSet::new();
    for (name, bytes) in
        a.iter().filter(|(n, _)| !["run.json", "manifest.json"].contains(&n.as_str()))
    {
        if name.ends_with(".png") {
            assert!(&c[name] != bytes, "{name}: the caption is drawn into the PNG");
            changed.insert(name.as_str());
            continue;
        }
        let before = String::from_utf8(bytes.clone()).unwrap_or_default();
        let after = String::from_utf8(c[name].clone()).unwrap_or_default();
        assert_eq!(after, before.replace(&from, to), "{name}: only the date label changes");
        if after != before {
            changed.insert(name.as_str());
        }
    }
    let expected: BTreeSet<&str> = a
        .keys()
        .map(String::as_str)
        .filter(|n| n.starts_with("figures/") || ["index.html", "report.md"].contains(n))
        .collect();
    assert_eq!(changed, expected, "exactly the figures and the report change");
    assert!(String::from_utf8_lossy(&c["index.html"]).contains(to));

    // The manifest differs only in that note, in the hashes of the changed files, and in
    // the result hashes of the steps that show the date: the caption (frame), the figures,
    // the report and the summary that holds the note.
    let strip = |m: &serde_json::Value| {
        let mut m = m.clone();
        m["notes"]["dated"] = serde_json::Value::Null;
        m["outputs"] = serde_json::Value::Null;
        m["steps"] = serde_json::Value::Null;
        m
    };
    assert_eq!(strip(&ma), strip(&mc));
    let steps_changed: BTreeSet<&str> = ma["steps"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| mc["steps"][k.as_str()] != **v)
        .map(|(k, _)| k.as_str())
        .collect();
    let mut want: BTreeSet<&str> = ["frame", "report", "summary"].into();
    // Every drawn figure shows the date; one left out for want of data has no date to show.
    let figure_steps: Vec<String> =
        crate::common::demo_figure_names().iter().map(|f| format!("figure:{f}")).collect();
    want.extend(figure_steps.iter().map(String::as_str));
    assert_eq!(steps_changed, want);
}

#[test]
fn a_bad_clock_variable_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    for (var, value) in [("SOURCE_DATE_EPOCH", "yesterday"), ("DIVNET_NOW", "2027-13-01")] {
        let out = Command::cargo_bin("divnet")
            .unwrap()
            .current_dir(root())
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("DIVNET_NOW")
            .env(var, value)
            .args(["run", "--out"])
            .arg(tmp.path().join("out"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(var) && stderr.contains(value), "{stderr}");
    }
}
