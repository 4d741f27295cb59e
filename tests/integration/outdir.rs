//! The output directory: what divnet may replace, one run at a time, interrupted runs,
//! and formula-safe CSV. Each test works in its own temporary directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

use crate::common::{data, root};

fn divnet() -> std::process::Command {
    let mut c = std::process::Command::cargo_bin("divnet").unwrap();
    c.current_dir(root()).env_remove("DIVNET_FAULT_INJECTION");
    c
}

/// A small config in `dir` whose inputs are copied into `dir/in/`.
fn setup(dir: &Path) -> PathBuf {
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    for (src, name) in [
        ("formats/seizures.csv", "seizures.csv"),
        ("rows/looting_reasons.csv", "looting.csv"),
        ("rows/routes_reasons.csv", "routes.csv"),
    ] {
        std::fs::copy(data(src), inputs.join(name)).unwrap();
    }
    let cfg = inputs.join("divnet.toml");
    std::fs::write(
        &cfg,
        "[run]\nout = \"../out\"\n\n[[inputs.seizures]]\npath = \"seizures.csv\"\n\n\
         [[inputs.looting]]\npath = \"looting.csv\"\n\n[[inputs.routes]]\npath = \"routes.csv\"\n",
    )
    .unwrap();
    cfg
}

/// `divnet run --config CFG --out OUT`.
fn run_cmd(cfg: &Path, out: &Path) -> std::process::Command {
    let mut c = divnet();
    c.arg("run").arg("--config").arg(cfg).arg("--out").arg(out);
    c
}

fn run(cfg: &Path, out: &Path, extra: &[&str]) -> Output {
    run_cmd(cfg, out).args(extra).output().unwrap()
}

/// A temporary directory with the config and inputs of [`setup`], and `out` inside it.
fn fixture() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    let out = tmp.path().join("out");
    (tmp, cfg, out)
}

fn run_ok(cfg: &Path, out: &Path) {
    let o = run(cfg, out, &[]);
    assert!(o.status.success(), "run failed: {}", String::from_utf8_lossy(&o.stderr));
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file below `dir`, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn go(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                go(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut m = BTreeMap::new();
    if dir.exists() {
        go(dir, dir, &mut m);
    }
    m
}

/// The directory holds one complete run: exactly the files its manifest lists (plus the
/// manifest and run.json), each with the listed size and hash.
fn assert_complete_run(dir: &Path) {
    let snap = snapshot(dir);
    let manifest: serde_json::Value =
        serde_json::from_slice(snap.get("manifest.json").expect("a manifest")).unwrap();
    let mut listed = BTreeMap::new();
    for o in manifest["outputs"].as_array().unwrap() {
        listed.insert(o["file"].as_str().unwrap().to_string(), o["sha256"].as_str().unwrap());
    }
    for (f, bytes) in &snap {
        if f == "manifest.json" || f == "run.json" {
            continue;
        }
        let sha = listed.get(f).unwrap_or_else(|| panic!("{f} not in the manifest"));
        assert_eq!(divnet::output::sha256_hex(bytes), *sha, "{f} differs from its manifest");
    }
    assert_eq!(listed.len() + 1, snap.len() - usize::from(snap.contains_key("run.json")));
}

/// Names in `parent` that a run leaves beside its output directory, other than the lock.
fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && !n.ends_with(".divnet-lock"))
        .collect()
}

#[test]
fn a_directory_divnet_did_not_write_is_refused_and_its_files_survive() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    let d = tmp.path().join("d");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("my_thesis.docx"), "precious").unwrap();
    let o = run(&cfg, &d, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("was not written by divnet"), "{}", stderr(&o));
    assert!(stderr(&o).contains("my_thesis.docx"), "{}", stderr(&o));
    let o = run(&cfg, &d, &["--force"]);
    assert_eq!(o.status.code(), Some(2), "--force must not replace a foreign directory");
    assert_eq!(snapshot(&d), BTreeMap::from([("my_thesis.docx".into(), b"precious".to_vec())]));
    assert!(leftovers(tmp.path()).is_empty(), "{:?}", leftovers(tmp.path()));
}

#[test]
fn an_empty_directory_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    let d = tmp.path().join("empty");
    std::fs::create_dir(&d).unwrap();
    run_ok(&cfg, &d);
    assert_complete_run(&d);
}

#[test]
fn the_input_folder_its_ancestors_and_the_working_directory_are_refused_up_front() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    let inputs = tmp.path().join("in");
    let before = snapshot(&inputs);
    for out in [inputs.clone(), tmp.path().to_path_buf(), inputs.join("..").join("in")] {
        let o = run(&cfg, &out, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("must not contain the inputs"), "{}", stderr(&o));
    }
    // `--out .` from inside the inputs' folder.
    let o = divnet()
        .current_dir(&inputs)
        .args(["run", "--config", "divnet.toml", "--out", "."])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(snapshot(&inputs), before, "inputs changed");
    // Refused before any work: nothing was staged or written beside them.
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_recursive_input_pattern_may_not_reach_into_the_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    let text =
        std::fs::read_to_string(&cfg).unwrap().replace("\"seizures.csv\"", "\"**/seizures.csv\"");
    std::fs::write(&cfg, text).unwrap();
    let o = run(&cfg, &tmp.path().join("in/out"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("**/seizures.csv"), "{}", stderr(&o));
}

#[test]
fn a_file_as_output_path_is_refused_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "mine").unwrap();
    for _ in 0..2 {
        let o = run(&cfg, &notes, &[]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("is a file, not a directory"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&notes).unwrap(), b"mine");
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_dotdot_path_is_resolved_and_replaced_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    let x = tmp.path().join("x");
    run_ok(&cfg, &x);
    let first = snapshot(&x);
    run_ok(&cfg, &tmp.path().join("x/../x"));
    assert_complete_run(&x);
    let second = snapshot(&x);
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn an_earlier_run_with_added_or_changed_files_is_protected() {
    let (_tmp, cfg, out) = fixture();
    run_ok(&cfg, &out);
    // A file added by the user: refused, with and without --force.
    std::fs::write(out.join("my_notes.md"), "mine").unwrap();
    for extra in [&[][..], &["--force"][..]] {
        let o = run(&cfg, &out, extra);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("my_notes.md"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(out.join("my_notes.md")).unwrap(), b"mine");
    std::fs::remove_file(out.join("my_notes.md")).unwrap();
    // An output edited by the user: refused without --force, replaced with it.
    std::fs::write(out.join("report.md"), "edited").unwrap();
    let o = run(&cfg, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read(out.join("report.md")).unwrap(), b"edited");
    let o = run(&cfg, &out, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_complete_run(&out);
}

fn run_with_fault(cfg: &Path, out: &Path, fault: &str) -> Output {
    run_cmd(cfg, out).env("DIVNET_FAULT_INJECTION", fault).output().unwrap()
}

#[test]
fn a_run_killed_between_the_renames_is_repaired_by_the_next() {
    let (tmp, cfg, out) = fixture();
    run_ok(&cfg, &out);
    let good = snapshot(&out);
    let o = run_with_fault(&cfg, &out, "no-exchange,abort@backed-up");
    assert!(!o.status.success());
    assert!(!out.exists(), "the fault should stop the run with the outputs moved aside");
    run_ok(&cfg, &out);
    assert_complete_run(&out);
    assert_eq!(snapshot(&out).keys().collect::<Vec<_>>(), good.keys().collect::<Vec<_>>());
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn stale_staging_directories_are_removed_by_the_next_run() {
    let (tmp, cfg, out) = fixture();
    run_ok(&cfg, &out);
    let good = snapshot(&out);
    for _ in 0..3 {
        let o = run_with_fault(&cfg, &out, "abort@written:5");
        assert!(!o.status.success());
        // Each killed run left its staging directory, and removed the one before it.
        assert_eq!(staging_dirs(tmp.path()).len(), 1, "{:?}", leftovers(tmp.path()));
    }
    // Two more dead runs' directories, as a crash at another moment leaves them.
    let stale = tmp.path().join(&staging_dirs(tmp.path())[0]);
    for n in 1..=2 {
        let copy = tmp.path().join(format!(".out.divnet-staging-1-{n}"));
        std::fs::create_dir(&copy).unwrap();
        for e in std::fs::read_dir(&stale).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
        }
    }
    assert_eq!(snapshot(&out), good);
    let o = run(&cfg, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("removed 3 unfinished"), "{}", stderr(&o));
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

/// Waits until `cond` holds (a test fails after 60 s).
fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let t = Instant::now();
    while !cond() {
        assert!(t.elapsed() < Duration::from_secs(60), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spawn_paused(cfg: &Path, out: &Path, fault: &str, extra: &[&str]) -> Child {
    run_cmd(cfg, out)
        .env("DIVNET_FAULT_INJECTION", fault)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn staging_dirs(parent: &Path) -> Vec<String> {
    leftovers(parent).into_iter().filter(|n| n.contains("divnet-staging")).collect()
}

#[test]
fn sigterm_and_sigint_remove_the_staging_directory() {
    let (tmp, cfg, out) = fixture();
    run_ok(&cfg, &out);
    let good = snapshot(&out);
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let child = spawn_paused(&cfg, &out, "pause@written:3@20000", &[]);
        let parent = tmp.path().to_path_buf();
        wait_for("three staged files", || {
            staging_dirs(&parent)
                .iter()
                .any(|s| std::fs::read_dir(parent.join(s)).map_or(0, |d| d.count()) >= 4)
        });
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(code), "{}", stderr(&o));
        assert_eq!(staging_dirs(tmp.path()), Vec::<String>::new());
        assert_eq!(snapshot(&out), good);
    }
    run_ok(&cfg, &out);
}

#[test]
fn a_second_run_on_the_same_directory_stops_or_waits() {
    let (tmp, cfg, out) = fixture();
    let first = spawn_paused(&cfg, &out, "pause@claimed@1500", &[]);
    wait_for("the first run to claim", || !staging_dirs(tmp.path()).is_empty());
    let o = run(&cfg, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    let msg = stderr(&o);
    assert!(msg.contains("being written by another divnet run"), "{msg}");
    assert!(msg.contains(&format!("pid {}", first.id())), "{msg}");
    let o = first.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_complete_run(&out);

    let first = spawn_paused(&cfg, &out, "pause@claimed@1500", &[]);
    wait_for("the first run to claim", || !staging_dirs(tmp.path()).is_empty());
    let o = run(&cfg, &out, &["--wait"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!(
        "waiting for the other run on this output directory (pid {})",
        first.id()
    )));
    assert!(first.wait_with_output().unwrap().status.success());
    assert_complete_run(&out);
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

/// Kills a run at every point of the output protocol, with the atomic exchange and with
/// the two-rename fallback, and checks after each that the output directory holds one
/// complete run and that the next run succeeds and leaves nothing behind.
#[test]
fn killed_at_any_point_the_outputs_stay_whole_and_the_next_run_succeeds() {
    let (tmp, cfg, out) = fixture();
    run_ok(&cfg, &out);
    let files = snapshot(&out).len();
    let mut points: Vec<String> =
        ["claimed", "commit", "unmarked", "swapped"].map(String::from).to_vec();
    points.extend([1, 2, files / 2, files - 2].map(|n| format!("written:{n}")));
    for exchange in ["", "no-exchange,"] {
        for point in points.iter().chain([&"backed-up".to_string()]) {
            if point == "backed-up" && exchange.is_empty() {
                continue;
            }
            let before = snapshot(&out);
            let o = run_with_fault(&cfg, &out, &format!("{exchange}abort@{point}"));
            assert!(!o.status.success(), "{point}: the fault did not fire");
            if out.exists() {
                assert_complete_run(&out);
                if !["swapped"].contains(&point.as_str()) {
                    assert_eq!(snapshot(&out), before, "{exchange}{point}: outputs changed");
                }
            }
            run_ok(&cfg, &out);
            assert_complete_run(&out);
            assert_eq!(leftovers(tmp.path()), Vec::<String>::new(), "{exchange}{point}");
        }
    }
}

/// SIGKILL at arbitrary moments of a real run, with no hook.
#[test]
fn sigkill_at_arbitrary_moments_never_blocks_the_next_run() {
    let (tmp, cfg, out) = fixture();
    run_ok(&cfg, &out);
    let t = Instant::now();
    run_ok(&cfg, &out);
    let full = t.elapsed();
    for i in 1..=8u32 {
        let before = snapshot(&out);
        let mut child =
            run_cmd(&cfg, &out).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(full * i / 8);
        let _ = child.kill();
        let status = child.wait().unwrap();
        assert_complete_run(&out);
        if !status.success() {
            // Killed before its swap: the previous outputs are exactly as they were, or the
            // new run had completed its swap (tables are byte-identical across runs anyway).
            let now = snapshot(&out);
            assert_eq!(now.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>());
        }
        run_ok(&cfg, &out);
        assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
    }
}

#[test]
fn formula_cells_are_neutralised_in_every_csv_and_exact_in_parquet() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    let seizures = tmp.path().join("in/seizures.csv");
    let mut text = std::fs::read_to_string(&seizures).unwrap();
    text.push_str("\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",2023-05-28,MEX,Tijuana,32.52,-117.03,pistol,3,USA\n");
    text.push_str("@SUM-1,2023-05-28,MEX,Tijuana,32.52,-117.03,pistol,3,USA\n");
    text.push_str("+cmd,2023-05-28,MEX,+Nowhere,,,pistol,3,USA\n");
    text.push_str("\"\t-2+3\",2023-05-28,MEX,Tijuana,32.52,-117.03,pistol,-1+1,USA\n");
    std::fs::write(&seizures, text).unwrap();
    let out = tmp.path().join("out");
    run_ok(&cfg, &out);
    let mut seen = BTreeMap::new();
    for (file, bytes) in snapshot(&out) {
        if !file.ends_with(".csv") {
            continue;
        }
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[..]);
        for rec in rdr.records() {
            for cell in rec.unwrap().iter() {
                assert!(
                    !divnet::output::csv_safe::is_formula_like(cell),
                    "{file}: formula cell {cell:?}"
                );
                if cell.starts_with('\'') {
                    *seen.entry(file.clone()).or_insert(0) += 1;
                }
            }
        }
    }
    assert!(seen.contains_key("seizures.csv"), "{seen:?}");
    assert!(seen.contains_key("rejected.csv"), "{seen:?}");
    let csv = std::fs::read_to_string(out.join("seizures.csv")).unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""), "{csv}");
    assert!(csv.contains("'@SUM-1"), "{csv}");
    // Negative coordinates stay numbers.
    assert!(csv.contains("-117.03"), "{csv}");
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    assert!(rejected.contains("'+Nowhere") || rejected.contains("'-1+1"), "{rejected}");
    // Parquet keeps the exact value.
    let pq = std::fs::File::open(out.join("seizures.parquet")).unwrap();
    use polars::prelude::SerReader;
    let df = polars::prelude::ParquetReader::new(pq).finish().unwrap();
    let ids: Vec<String> =
        df.column("id").unwrap().str().unwrap().iter().flatten().map(String::from).collect();
    assert!(ids.contains(&"=HYPERLINK(\"http://x\",\"y\")".to_string()), "{ids:?}");
    assert!(ids.contains(&"@SUM-1".to_string()), "{ids:?}");
}

#[test]
fn standalone_commands_replace_an_existing_file_only_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let ev = tmp.path().join("ev.csv");
    std::fs::write(&ev, "lat,lon\n10,10\n10.1,10.1\n").unwrap();
    let out = tmp.path().join("cells.csv");
    std::fs::write(&out, "my own table").unwrap();
    let o =
        divnet().args(["hotspots", "--events"]).arg(&ev).arg("--out").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"my own table");
    let o = divnet()
        .args(["hotspots", "--force", "--events"])
        .arg(&ev)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("cell"));
    // synth refuses to replace its three files in a folder that has them.
    let dir = tmp.path().join("synth");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("routes.csv"), "mine").unwrap();
    let o = divnet().args(["synth", "--seizures", "10", "--out"]).arg(&dir).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(dir.join("routes.csv")).unwrap(), b"mine");
}

#[test]
fn a_backup_left_by_the_previous_version_is_restored_or_removed() {
    let (tmp, cfg, out) = fixture();
    run_ok(&cfg, &out);
    let good = snapshot(&out);
    // Killed just after the old version's first rename: only `.out.old` is left.
    std::fs::rename(&out, tmp.path().join(".out.old")).unwrap();
    run_ok(&cfg, &out);
    assert_eq!(snapshot(&out).keys().collect::<Vec<_>>(), good.keys().collect::<Vec<_>>());
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
    // Killed after the old version's swap: `.out.old` beside a complete output.
    let copy = tmp.path().join(".out.old");
    std::fs::create_dir(&copy).unwrap();
    for (f, bytes) in &good {
        let p = copy.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    run_ok(&cfg, &out);
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

fn with_keep(cfg: &Path, keep: u32) {
    let text = std::fs::read_to_string(cfg).unwrap();
    std::fs::write(cfg, text.replacen("[run]\n", &format!("[run]\nkeep = {keep}\n"), 1)).unwrap();
}

/// The entries of `<out>/runs/` but the index divnet keeps of its runs there.
fn run_names(out: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != divnet::output::rundir::HISTORY_INDEX)
        .collect();
    v.sort();
    v
}

fn add_seizure(cfg: &Path, id: &str) {
    let p = cfg.parent().unwrap().join("seizures.csv");
    let mut text = std::fs::read_to_string(&p).unwrap();
    text.push_str(&format!("{id},2023-05-28,MEX,Tijuana,32.52,-117.03,pistol,3,USA\n"));
    std::fs::write(p, text).unwrap();
}

#[test]
fn a_run_history_keeps_the_last_runs_and_links_the_newest() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    with_keep(&cfg, 2);
    let out = tmp.path().join("out");
    run_ok(&cfg, &out);
    let first = run_names(&out);
    assert_eq!(first.len(), 1);
    // `<UTC start, ms>-<12 hex digits of the inputs digest>`
    let name = &first[0];
    assert_eq!(name.len(), 20 + 1 + 12, "{name}");
    assert!(name[..20].ends_with('Z') && name[21..].bytes().all(|b| b.is_ascii_hexdigit()));
    for id in ["H-2", "H-3"] {
        add_seizure(&cfg, id);
        run_ok(&cfg, &out);
    }
    let names = run_names(&out);
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!names.contains(&first[0]), "the oldest run was not pruned: {names:?}");
    let latest = std::fs::read_link(out.join("latest")).unwrap();
    assert_eq!(latest, Path::new("runs").join(&names[1]));
    for n in &names {
        assert_complete_run(&out.join("runs").join(n));
    }
    let newest = std::fs::read_to_string(out.join("latest/seizures.csv")).unwrap();
    assert!(newest.contains("H-3"));
    // The same inputs again in the same second still get a run of their own.
    run_ok(&cfg, &out);
    run_ok(&cfg, &out);
    assert_eq!(run_names(&out).len(), 2);
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        2,
        "only runs/ and latest in the history directory"
    );

    // A file of the user's in a run about to be pruned keeps that run; one beside the
    // runs stops the next run.
    let oldest = out.join("runs").join(&run_names(&out)[0]);
    std::fs::write(oldest.join("notes.md"), "mine").unwrap();
    add_seizure(&cfg, "H-4");
    let o = run(&cfg, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("notes.md"), "{}", stderr(&o));
    assert_eq!(std::fs::read(oldest.join("notes.md")).unwrap(), b"mine");
    std::fs::write(out.join("mine.txt"), "mine").unwrap();
    let o = run(&cfg, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("mine.txt"), "{}", stderr(&o));
    std::fs::remove_file(out.join("mine.txt")).unwrap();

    // The layouts are not mixed: a history is not replaced by a single run, nor the reverse.
    let single = tmp.path().join("in/plain.toml");
    std::fs::write(&single, std::fs::read_to_string(&cfg).unwrap().replace("keep = 2\n", ""))
        .unwrap();
    let o = run(&single, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds a history of runs"), "{}", stderr(&o));
    let plain_out = tmp.path().join("plain");
    run_ok(&single, &plain_out);
    let o = run(&cfg, &plain_out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds one run"), "{}", stderr(&o));
}

#[test]
fn a_killed_run_in_a_history_leaves_it_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    with_keep(&cfg, 3);
    let out = tmp.path().join("out");
    run_ok(&cfg, &out);
    for point in ["claimed", "written:3", "unmarked", "stored", "linked"] {
        add_seizure(&cfg, &format!("K-{point}"));
        let o = run_with_fault(&cfg, &out, &format!("abort@{point}"));
        assert!(!o.status.success(), "{point}");
        let latest = out.join("latest");
        assert_complete_run(&latest);
        run_ok(&cfg, &out);
        assert_complete_run(&latest);
        assert!(
            std::fs::read_to_string(latest.join("seizures.csv"))
                .unwrap()
                .contains(&format!("K-{point}"))
        );
        for n in run_names(&out) {
            assert!(!n.starts_with('.'), "{point}: left {n}");
            assert_complete_run(&out.join("runs").join(n));
        }
        assert!(run_names(&out).len() <= 3);
    }
}

#[test]
fn diff_compares_the_two_newest_runs_of_a_run_history() {
    let (tmp, cfg, out) = fixture();
    with_keep(&cfg, 3);
    run_ok(&cfg, &out);
    add_seizure(&cfg, "H-NEW");
    run_ok(&cfg, &out);
    let d = tmp.path().join("d");
    let o = divnet()
        .args(["diff", "--fail-on-change", "--history"])
        .arg(&out)
        .arg("--out")
        .arg(&d)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let rows = std::fs::read_to_string(d.join("diff_rows.csv")).unwrap();
    let added: Vec<&str> = rows.lines().filter(|l| l.contains(",added")).collect();
    assert_eq!(added.len(), 1, "{rows}");
    assert!(added[0].contains("H-NEW"), "{rows}");
}
