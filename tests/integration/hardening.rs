//! What the artifact cache and the end of a run must not let happen (issue: a cache and a
//! run that cannot be turned against the user): a crafted entry never writes outside the
//! run directory, an entry of another step or kind is never served, a named pipe never
//! hangs a run, an unsafe cache directory is not used, and what killed runs left is
//! removed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;

use divnet::run::cache::Cache;
use divnet::stages::artifact::{Artifact, OutFile, codecs};

/// A copy of the demo dataset whose config keeps its cache in `cache` (relative to the
/// config's folder), with figures off.
fn demo_copy(dir: &Path, cache: &str) -> PathBuf {
    let tail = format!("[cache]\ndir = \"{cache}\"\n[figures]\nenabled = false\n");
    crate::common::demo_copy_with(dir, &tail)
}

fn command(config: &Path, out: &Path, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("divnet").unwrap();
    c.env("DIVNET_NOW", "2026-06-01T12:00:00Z")
        .env_remove("DIVNET_CACHE_DIR")
        .env_remove("SOURCE_DATE_EPOCH")
        .timeout(std::time::Duration::from_secs(120))
        .args(["--threads", "2", "run", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .args(args);
    c
}

fn run(config: &Path, out: &Path, args: &[&str]) -> std::process::Output {
    let output = command(config, out, args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

/// Each step's (key, came from the cache, cache note) in a finished run.
fn step(out: &Path, name: &str) -> (String, bool, Option<String>) {
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let s = r["steps"].as_array().unwrap().iter().find(|s| s["step"] == name).unwrap().clone();
    (
        s["key"].as_str().unwrap().to_string(),
        s["cached"].as_bool().unwrap(),
        s.get("cache_note").and_then(|n| n.as_str()).map(str::to_string),
    )
}

fn entry(cache: &Path, key: &str) -> PathBuf {
    cache.join(&key[..2]).join(format!("{key}.art"))
}

fn outputs(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = crate::common::files_under(dir);
    out.remove("run.json");
    out
}

#[test]
fn a_crafted_entry_never_names_a_file_and_is_recomputed() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "../cache");
    let cache_dir = tmp.path().join("cache");
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    run(&config, &a, &[]);
    let (key, _, _) = step(&a, "tables:routes");
    // An entry with a sound header and label whose files name an absolute path, a path
    // beside the output directory and the manifest.
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "the user's file").unwrap();
    let files = vec![
        OutFile { path: victim.display().to_string(), bytes: b"owned".to_vec(), rows: None },
        OutFile { path: "../escaped.txt".into(), bytes: b"owned".to_vec(), rows: None },
        OutFile { path: "manifest.json".into(), bytes: b"{}".to_vec(), rows: None },
    ];
    let mut payload = Vec::new();
    (codecs::FILES.encode)(&Artifact::Files(Arc::new(files)), &mut payload).unwrap();
    let cache = Cache::new(&cache_dir, u64::MAX);
    cache.put(&key, "tables:routes/Files", &payload).unwrap();
    run(&config, &b, &[]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "the user's file");
    assert!(!tmp.path().join("escaped.txt").exists());
    let (_, cached, note) = step(&b, "tables:routes");
    assert!(!cached, "recomputed");
    assert!(note.unwrap_or_default().contains("cannot be decoded"));
    let manifest = std::fs::read_to_string(b.join("manifest.json")).unwrap();
    assert!(!manifest.contains("escaped") && !manifest.contains("victim"), "{manifest}");
    run(&config, &c, &["--no-cache"]);
    assert_eq!(outputs(&b), outputs(&c), "the same outputs as without the cache");
}

#[test]
fn an_entry_of_another_step_or_kind_is_never_served_nor_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "../cache");
    let cache_dir = tmp.path().join("cache");
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    run(&config, &a, &[]);
    // The looting table's entry copied over the seizures table's.
    let (seizures, _, _) = step(&a, "tables:seizures");
    let (looting, _, _) = step(&a, "tables:looting");
    std::fs::copy(entry(&cache_dir, &looting), entry(&cache_dir, &seizures)).unwrap();
    // An intact entry, under the right key and label, that is no artifact of its kind.
    let (cells, _, _) = step(&a, "cells");
    Cache::new(&cache_dir, u64::MAX).put(&cells, "cells/Cells", b"not cells").unwrap();
    run(&config, &b, &[]);
    let (_, cached, note) = step(&b, "tables:seizures");
    assert!(!cached && note.unwrap_or_default().contains("another key"));
    assert_eq!(
        std::fs::read(b.join("seizures.csv")).unwrap(),
        std::fs::read(a.join("seizures.csv")).unwrap(),
        "seizure rows, not looting rows"
    );
    // The cells entry was only looked up (its header is sound): a run that reads it
    // finds it does not decode, removes it and recomputes; the run goes on.
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("enabled = false", "enabled = true")).unwrap();
    run(&config, &c, &[]);
    match Cache::new(&cache_dir, u64::MAX).get(&cells, "cells/Cells") {
        divnet::run::cache::Lookup::Hit { bytes, .. } => {
            assert_ne!(bytes, b"not cells", "the planted entry was replaced")
        }
        other => panic!("the cells entry was not rewritten: {other:?}"),
    }
    let d = tmp.path().join("d");
    run(&config, &d, &["--no-cache"]);
    assert_eq!(outputs(&c), outputs(&d), "the same outputs as without the cache");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_in_place_of_an_entry_does_not_hang_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "../cache");
    let cache_dir = tmp.path().join("cache");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&config, &a, &[]);
    let (key, _, _) = step(&a, "network");
    let path = entry(&cache_dir, &key);
    std::fs::remove_file(&path).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(made.success());
    // The command has a time limit: a run that waited on the pipe would fail here.
    run(&config, &b, &[]);
    let (_, cached, note) = step(&b, "network");
    assert!(!cached && note.unwrap_or_default().contains("not a regular file"));
}

#[cfg(unix)]
#[test]
fn an_unsafe_cache_directory_is_not_used_and_the_run_says_why() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    // Inside the output directory, which every run replaces.
    let config = demo_copy(tmp.path(), "../out/cache");
    let out = tmp.path().join("out");
    let o = run(&config, &out, &[]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("inside the output directory"), "{said}");
    assert!(!out.join("cache").exists());
    // Writable by others.
    let config = demo_copy(tmp.path(), "../shared");
    let shared = tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let o = run(&config, &tmp.path().join("b"), &[]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("others may write the cache directory"), "{said}");
    assert_eq!(std::fs::read_dir(&shared).unwrap().count(), 0, "nothing written there");
}

#[test]
fn what_killed_runs_left_is_removed_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "../cache");
    let cache_dir = tmp.path().join("cache");
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let a = tmp.path().join("a");
    run(&config, &a, &[]);
    let (key, _, _) = step(&a, "network");
    // A temporary entry and a GeoPackage directory of a process that no longer runs.
    let stale = cache_dir.join(&key[..2]).join(format!(".{key}.999999999.tmp"));
    std::fs::write(&stale, vec![0u8; 4096]).unwrap();
    let gpkg = scratch.join("divnet-gpkg-999999999-abc");
    std::fs::create_dir(&gpkg).unwrap();
    std::fs::write(gpkg.join("layers.gpkg"), "half").unwrap();
    let mine = scratch.join("divnet-gpkg-notes");
    std::fs::write(&mine, "not divnet's").unwrap();
    let out = command(&config, &tmp.path().join("b"), &["--no-cache"])
        .env("TMPDIR", &scratch)
        .output()
        .unwrap();
    assert!(out.status.success());
    run(&config, &tmp.path().join("c"), &[]);
    assert!(!stale.exists(), "the dead run's temporary entry is pruned");
    assert!(!gpkg.exists(), "the dead run's GeoPackage directory is removed");
    assert!(mine.exists(), "a file not named by a process id is left alone");
}

#[test]
fn an_input_rewritten_after_the_run_hashed_it_stops_the_run_and_caches_nothing_of_it() {
    use divnet::schema::TableKind;
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "../cache");
    let cfg = divnet::config::Config::from_file(&config).unwrap();
    let mut fingerprints = std::collections::BTreeMap::new();
    for kind in TableKind::ALL {
        let files = divnet::ingest::fingerprint(kind, cfg.inputs.of(kind), &cfg.base_dir).unwrap();
        fingerprints.insert(kind, files);
    }
    // The nightly export lands between the hashing and the reading: one row less.
    let routes = config.with_file_name("routes.csv");
    let text = std::fs::read_to_string(&routes).unwrap();
    let cut = text.trim_end().rfind('\n').unwrap();
    std::fs::write(&routes, &text[..=cut]).unwrap();
    let inputs = divnet::stages::StepInputs {
        ingest: divnet::ingest::IngestOptions::default(),
        source_date: None,
        fingerprints,
    };
    let steps = divnet::stages::steps(&cfg, &inputs);
    let cache_dir = tmp.path().join("cache2");
    let cache = Cache::new(&cache_dir, u64::MAX);
    let Err(e) = divnet::run::graph::run(steps, Some(&cache), "test") else {
        panic!("the run went on with a file that changed under it")
    };
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        chain.push_str(&format!(": {s}"));
        source = s.source();
    }
    assert!(chain.contains("changed while the run read it"), "{chain}");
    assert!(chain.contains("routes.csv"), "{chain}");
    // No entry of the routes records was written.
    for shard in std::fs::read_dir(&cache_dir).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(shard.path()).unwrap().flatten() {
            let bytes = std::fs::read(f.path()).unwrap();
            let (k, l) = (
                u16::from_le_bytes([bytes[48], bytes[49]]) as usize,
                u16::from_le_bytes([bytes[50], bytes[51]]) as usize,
            );
            let label = String::from_utf8_lossy(&bytes[52 + k..52 + k + l]).to_string();
            assert_ne!(label, "ingest:routes/Records", "cached from a changed file");
        }
    }
}

#[test]
fn small_command_line_mistakes_are_mended() {
    let tmp = tempfile::tempdir().unwrap();
    // A study box west of Greenwich and south of the equator, in both spellings.
    let events = tmp.path().join("events.csv");
    std::fs::write(&events, "lat,lon\n-10.5,-15.2\n-10.6,-15.3\n-10.5,-15.25\n5.0,20.0\n").unwrap();
    for bbox in [vec!["--bbox", "-20", "-35", "55", "38"], vec!["--bbox=-20,-35,55,38"]] {
        let out = tmp.path().join("cells.csv");
        let mut c = Command::cargo_bin("divnet").unwrap();
        c.args(["hotspots", "--events"]).arg(&events).args(["--domain", "bbox"]).args(&bbox);
        c.args(["--resolution", "3", "--force", "--out"]).arg(&out);
        let o = c.output().unwrap();
        assert!(o.status.success(), "{bbox:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(std::fs::read_to_string(&out).unwrap().lines().count() > 1);
    }
    // An output over the command's own input is refused, even with --force.
    let edges = tmp.path().join("edges.csv");
    std::fs::write(&edges, "source,target,weight\nA,B,1\nB,C,1\n").unwrap();
    let pairs = tmp.path().join("pairs.csv");
    std::fs::write(&pairs, "source,target\nA,C\n").unwrap();
    let mut c = Command::cargo_bin("divnet").unwrap();
    c.args(["paths", "--edges"]).arg(&edges).arg("--pairs").arg(&pairs);
    c.args(["--force", "--out"]).arg(tmp.path().join(".").join("edges.csv"));
    let o = c.output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("one of this command's inputs"));
    assert_eq!(std::fs::read_to_string(&edges).unwrap(), "source,target,weight\nA,B,1\nB,C,1\n");
    // A relative XDG_CACHE_HOME is ignored (the XDG spec), never taken from the working
    // directory.
    let c = divnet::config::CacheConfig::default();
    let env = |k: &str| (k == "XDG_CACHE_HOME").then(|| "relative/cache".into());
    assert_eq!(c.resolve_dir_in(tmp.path(), env), None);
}

#[test]
fn outputs_do_not_depend_on_how_the_config_is_spelled() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "../cache");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&config, &a, &[]);
    // The same config named from its own folder.
    let mut c = command(Path::new("divnet.toml"), &b, &[]);
    c.current_dir(config.parent().unwrap());
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(outputs(&a), outputs(&b), "the same bytes");
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.join("run.json")).unwrap()).unwrap();
    let ran: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["cached"] == false)
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert!(ran.is_empty(), "every step came from the cache: {ran:?}");
    let seizures = std::fs::read_to_string(a.join("seizures.csv")).unwrap();
    assert!(seizures.lines().nth(1).unwrap().contains(",seizures.csv,"), "relative to the config");
}

#[test]
fn a_folder_the_user_put_in_a_history_takes_no_slot_and_is_never_compared_or_pruned() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "../cache");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replacen("[run]\n", "[run]\nkeep = 2\n", 1)).unwrap();
    let out = tmp.path().join("history");
    run(&config, &out, &[]);
    let runs = out.join("runs");
    let first = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().into_string().unwrap())
        .find(|n| !n.starts_with('.'))
        .unwrap();
    // The user keeps a copy of the first run, and a copy named like an old run.
    let copy = |to: &str| {
        let dest = runs.join(to);
        std::fs::create_dir_all(&dest).unwrap();
        for (name, bytes) in crate::common::files_under(&runs.join(&first)) {
            let p = dest.join(&name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
    };
    copy("keepme");
    copy("20000101T000000.000Z-000000000000");
    std::thread::sleep(std::time::Duration::from_millis(20));
    run(&config, &out, &[]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    run(&config, &out, &[]);
    // Two runs of divnet's kept (the first pruned), and both of the user's folders.
    let names = divnet::output::rundir::history_runs(&runs);
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!runs.join(&first).exists(), "the oldest run of the history is pruned");
    assert!(runs.join("keepme").join("manifest.json").exists());
    assert!(runs.join("20000101T000000.000Z-000000000000").join("manifest.json").exists());
    // diff --history compares divnet's two newest runs, not the user's folder.
    let diff = tmp.path().join("diff");
    let mut c = Command::cargo_bin("divnet").unwrap();
    c.args(["diff", "--history"]).arg(&out).arg("--out").arg(&diff);
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json = std::fs::read_to_string(diff.join("diff.json")).unwrap();
    assert!(!json.contains("keepme"), "{json}");
    for n in &names {
        assert!(json.contains(n.to_str().unwrap()), "compares {n:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_pipe_for_run_json_and_a_link_for_the_lock_are_refused_without_waiting() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "../cache");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&config, &a, &[]);
    run(&config, &b, &[]);
    // A named pipe in place of run.json: diff reads the rest and does not wait on it.
    std::fs::remove_file(b.join("run.json")).unwrap();
    assert!(
        std::process::Command::new("mkfifo").arg(b.join("run.json")).status().unwrap().success()
    );
    let mut c = Command::cargo_bin("divnet").unwrap();
    c.timeout(std::time::Duration::from_secs(60));
    c.arg("diff").arg(&a).arg(&b).arg("--out").arg(tmp.path().join("diff"));
    let o = c.output().unwrap();
    assert!(o.status.code().is_some(), "diff ended by itself");
    // A dangling link in place of the lock file: refused, its target never created.
    let out = tmp.path().join("c");
    let target = tmp.path().join("created-through-the-link");
    std::os::unix::fs::symlink(&target, tmp.path().join(".c.divnet-lock")).unwrap();
    let o = command(&config, &out, &[]).output().unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("lock file"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!target.exists(), "nothing created through the link");
}

/// Starts a run that stops at the fault point `point` until the test lets it go on:
/// returns the run (joined for its output) and the gate file to create.
fn held_run(
    config: &Path,
    out: &Path,
    point: &str,
    args: &[&str],
) -> (std::thread::JoinHandle<std::process::Output>, PathBuf) {
    let leaf = out.file_name().unwrap().to_string_lossy().into_owned();
    let gate = out.with_file_name(format!("gate-{leaf}-{point}"));
    let reached = out.with_file_name(format!("gate-{leaf}-{point}.reached"));
    let _ = (std::fs::remove_file(&gate), std::fs::remove_file(&reached));
    let mut c = command(config, out, args);
    c.env("DIVNET_FAULT_INJECTION", format!("hold@{point}@{}", gate.display()));
    let run = std::thread::spawn(move || c.output().unwrap());
    let t = std::time::Instant::now();
    while !reached.exists() {
        assert!(t.elapsed().as_secs() < 120, "the run never reached {point}");
        assert!(!run.is_finished(), "the run ended before {point}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (run, gate)
}

/// The files a run directory's manifest lists.
fn listed(out: &Path) -> Vec<String> {
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    m["outputs"].as_array().unwrap().iter().map(|o| o["file"].as_str().unwrap().into()).collect()
}

/// What is beside the output directory `out` but its lock file.
fn beside(out: &Path) -> Vec<String> {
    let leaf = out.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{leaf}.")) && !n.ends_with(".divnet-lock"))
        .collect()
}

#[test]
fn what_the_user_edits_and_adds_during_a_run_is_kept_at_the_swap() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "../cache");
    let out = tmp.path().join("out");
    run(&config, &out, &[]);
    let before = std::fs::read(out.join("hubs.csv")).unwrap();
    assert!(listed(&out).contains(&"hubs.csv".to_string()));
    // After the claim checked the directory, before the run looks again.
    let (job, gate) = held_run(&config, &out, "recheck", &[]);
    let mut edited = before.clone();
    edited.extend_from_slice(b"my own row\n");
    std::fs::write(out.join("hubs.csv"), &edited).unwrap();
    std::fs::write(out.join("NOTES.txt"), "what I found").unwrap();
    std::fs::create_dir(out.join("drafts")).unwrap();
    std::fs::write(&gate, "").unwrap();
    let o = job.join().unwrap();
    let said = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{said}");
    assert!(said.contains("kept your edited \"hubs.csv\""), "{said}");
    assert!(said.contains("kept \"NOTES.txt\", added during the run"), "{said}");
    assert!(said.contains("kept the directory \"drafts\"/"), "{said}");
    assert_eq!(std::fs::read(out.join("hubs.csv")).unwrap(), edited);
    assert_eq!(std::fs::read_to_string(out.join("NOTES.txt")).unwrap(), "what I found");
    assert!(out.join("drafts").is_dir());
    // The new run is in place, without the output the user's version stands for.
    let files = listed(&out);
    assert!(!files.contains(&"hubs.csv".to_string()), "{files:?}");
    assert!(files.contains(&"hubs.parquet".to_string()), "{files:?}");
    assert!(!files.contains(&"NOTES.txt".to_string()));
    assert_eq!(beside(&out), Vec::<String>::new(), "nothing hidden beside the output");
    // The user's files are now files divnet did not write: the next run leaves them alone.
    let o = command(&config, &out, &["--force"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("hubs.csv"));
    assert_eq!(std::fs::read(out.join("hubs.csv")).unwrap(), edited);

    // With --force an edit made during the run is replaced, as any changed output is;
    // an added file is still kept.
    let out = tmp.path().join("forced");
    run(&config, &out, &[]);
    let (job, gate) = held_run(&config, &out, "recheck", &["--force"]);
    std::fs::write(out.join("hubs.csv"), "edited").unwrap();
    std::fs::write(out.join("NOTES.txt"), "mine").unwrap();
    std::fs::write(&gate, "").unwrap();
    let o = job.join().unwrap();
    let said = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{said}");
    assert!(!said.contains("hubs.csv"), "{said}");
    assert_eq!(std::fs::read(out.join("hubs.csv")).unwrap(), before);
    assert_eq!(std::fs::read_to_string(out.join("NOTES.txt")).unwrap(), "mine");
}

#[test]
fn a_file_added_or_edited_at_the_moment_of_the_swap_is_not_destroyed() {
    let tmp = tempfile::tempdir().unwrap();
    let config = demo_copy(tmp.path(), "../cache");
    let out = tmp.path().join("out");
    run(&config, &out, &[]);
    // After the recheck and the manifest, just before the exchange.
    let (job, gate) = held_run(&config, &out, "commit", &[]);
    std::fs::write(out.join("LATE.txt"), "late").unwrap();
    std::fs::write(out.join("hubs.csv"), "edited late").unwrap();
    std::fs::write(&gate, "").unwrap();
    let o = job.join().unwrap();
    let said = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{said}");
    // The added file is carried into the new run.
    assert_eq!(std::fs::read_to_string(out.join("LATE.txt")).unwrap(), "late");
    assert!(said.contains("kept \"LATE.txt\""), "{said}");
    // The edit lost the race for the name: it stays, with the previous run, beside it.
    let kept = beside(&out);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let old = tmp.path().join(&kept[0]);
    assert_eq!(std::fs::read_to_string(old.join("hubs.csv")).unwrap(), "edited late");
    assert!(said.contains(&old.join("hubs.csv").display().to_string()), "{said}");
    assert!(listed(&out).contains(&"hubs.csv".to_string()));
    // The next run does not remove it while it holds the edit.
    let _ = std::fs::remove_file(out.join("LATE.txt"));
    let o = run(&config, &out, &[]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("kept the old run"));
    assert_eq!(std::fs::read_to_string(old.join("hubs.csv")).unwrap(), "edited late");
}

/// Ingests `file` as the seizures input: the error as printed, or the rejections as
/// `line:column:reason` with their values.
fn ingest_seizures(file: &Path) -> Result<(u64, Vec<(String, String)>), String> {
    let mut inputs = divnet::ingest::InputSet::default();
    inputs.seizures = vec![divnet::inputs::InputSpec::for_path(file.display().to_string())];
    let opts = divnet::ingest::IngestOptions {
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        ..divnet::ingest::IngestOptions::default()
    };
    match divnet::ingest::ingest(&inputs, Path::new("/"), crate::common::gaz(), opts) {
        Err(e) => Err(crate::malformed::chain(&e)),
        Ok(ing) => Ok((
            ing.files[0].accepted,
            ing.rejections
                .iter()
                .map(|r| {
                    let p = &r.problem;
                    (format!("{}:{}:{}", r.row.line, p.column, p.reason.as_str()), p.value.clone())
                })
                .collect(),
        )),
    }
}

#[test]
fn a_field_or_a_header_longer_than_divnet_reads_is_rejected_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let huge = "x".repeat(20 << 20);
    // A 20 MiB field in a data row: that row is rejected, naming its field; the others read.
    let csv = tmp.path().join("long_field.csv");
    std::fs::write(
        &csv,
        format!(
            "id,date,country,quantity,source\nS-1,2023-05-28,MEX,3,court\n\
             S-2,2023-05-28,MEX,3,{huge}\nS-3,2021,CIV,1,press\n"
        ),
    )
    .unwrap();
    let (accepted, rejected) = ingest_seizures(&csv).unwrap();
    assert_eq!(accepted, 2);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].0, "3:#5:too_long");
    assert!(rejected[0].1.len() < 300 && rejected[0].1.ends_with(" bytes)"), "{}", rejected[0].1);
    // The same field quoted (read by csv_core) and a line of many short fields.
    let many = "y,".repeat(34 << 20);
    std::fs::write(
        &csv,
        format!(
            "id,date,country,quantity,source\nS-1,2023-05-28,MEX,3,\"{huge}\"\n{many}\nS-3,2021,CIV,1,press\n"
        ),
    )
    .unwrap();
    let (accepted, rejected) = ingest_seizures(&csv).unwrap();
    assert_eq!(accepted, 1);
    let where_: Vec<&str> = rejected.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(where_, ["2:#5:too_long", "3:(row):too_long"]);
    // A 20 MiB header line: the file is refused, and the message quotes a little of it.
    std::fs::write(&csv, format!("{huge}\nS-1,2023-05-28,MEX,3,court\n")).unwrap();
    let e = ingest_seizures(&csv).unwrap_err();
    assert!(e.contains("the header row is") && e.contains("long_field.csv"), "{e}");
    assert!(e.len() < 1000, "the message quotes {} bytes", e.len());
    // A header of one 1 MiB name (under the limits) is quoted clipped where it is named.
    std::fs::write(&csv, format!("{}\nS-1\n", &huge[..1 << 20])).unwrap();
    let e = ingest_seizures(&csv).unwrap_err();
    assert!(e.contains("…(1048576 bytes)") && e.len() < 2000, "{}", &e[..e.len().min(2000)]);
}

#[test]
fn a_workbook_claiming_every_cell_of_a_sheet_is_read_by_the_cells_it_holds() {
    let file = crate::common::data("malformed").join("sparse_dimension.xlsx");
    let (accepted, rejected) = ingest_seizures(&file).unwrap();
    assert_eq!((accepted, rejected.len()), (1, 0));
}

/// Every artifact codec, as the fuzz target `cache_entry` passes them.
fn all_codecs() -> Vec<divnet::run::graph::Codec<Artifact>> {
    use codecs::*;
    vec![
        RECORDS, NETWORK, LINKS, CASES, PATHS, FLOWS, HUBS, CELLS, CUBE, REGIONAL, RECIPIENTS,
        FRAME, FIGURE, FILES, SUMMARY,
    ]
}

/// `base` with the bytes at `edits` (position modulo its length, new byte) replaced.
fn mutated(base: &[u8], edits: &[(usize, u8)]) -> Vec<u8> {
    let mut b = base.to_vec();
    for &(at, v) in edits {
        let n = b.len();
        b[at % n] = v;
    }
    b
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// The fuzz targets' checks on random input: spreadsheets (arbitrary bytes, and a real
    /// workbook and the sparse one with bytes changed) and cache entries (arbitrary bytes,
    /// and a sound header over arbitrary bytes).
    #[test]
    fn the_fuzz_checks_hold_on_random_sheets_and_cache_entries(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
        edits in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 1..4),
        header in 0u8..6,
    ) {
        divnet::ingest::fuzz_sheet(&bytes);
        for book in [
            crate::common::root().join("tests/data/sources/unodc_iafq_sample.xlsx"),
            crate::common::data("malformed").join("sparse_dimension.xlsx"),
        ] {
            let mut data = vec![header];
            data.extend(mutated(&std::fs::read(book).unwrap(), &edits));
            divnet::ingest::fuzz_sheet(&data);
        }
        let codecs = all_codecs();
        divnet::run::cache::fuzz_cache_entry(&bytes, &codecs);
        let (key, label) = ("ab0123456789", "step/Kind");
        let mut entry = b"DIVNETA2".to_vec();
        entry.extend([0u8; 32]);
        entry.extend((bytes.len() as u64).to_le_bytes());
        entry.extend((key.len() as u16).to_le_bytes());
        entry.extend((label.len() as u16).to_le_bytes());
        entry.extend(key.as_bytes());
        entry.extend(label.as_bytes());
        entry.extend(&bytes);
        divnet::run::cache::fuzz_cache_entry(&entry, &codecs);
    }
}
