//! The binary end to end, each test in its own temporary directory.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;

use crate::common::{data, root};

fn divnet() -> Command {
    let mut c = Command::cargo_bin("divnet").unwrap();
    c.current_dir(root());
    c
}

fn write_config(dir: &Path, seizures: &str) -> std::path::PathBuf {
    let text = format!(
        "[run]\nout = \"out\"\n\n[[inputs.seizures]]\npath = {:?}\n\n[[inputs.looting]]\npath = {:?}\n\n[[inputs.routes]]\npath = {:?}\n",
        seizures,
        data("rows/looting_reasons.csv").display().to_string(),
        data("rows/routes_reasons.csv").display().to_string(),
    );
    let p = dir.join("divnet.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn tables(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_file()
            && name != "manifest.json"
            && (name.ends_with(".csv") || name.ends_with(".parquet"))
        {
            m.insert(name, std::fs::read(&p).unwrap());
        }
    }
    m
}

#[test]
fn validate_reports_rejections_and_exits_1() {
    let out = divnet()
        .args(["validate", "--seizures"])
        .arg(data("rows/seizures_reasons.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("seizures  read        21  accepted         2"), "{stdout}");
    assert!(stdout.contains("unknown_category"), "{stdout}");
    assert!(stdout.contains("seizures_reasons.csv:10: category \"bazooka\""), "{stdout}");
}

#[test]
fn validate_of_an_unusable_file_names_it_and_exits_2() {
    let out =
        divnet().args(["validate", "--seizures"]).arg(data("bad/semicolon.csv")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("semicolon.csv") && stderr.contains("delimiter"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one clear message: {stderr}");
}

#[test]
fn run_writes_tables_manifest_and_rejected_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), &data("rows/seizures_reasons.csv").display().to_string());
    divnet().args(["run", "--config"]).arg(&cfg).assert().success();
    let out = tmp.path().join("out");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["tables"]["seizures"]["accepted"], 2);
    assert_eq!(manifest["tables"]["seizures"]["rejected"], 19);
    let input_sha = manifest["inputs"][0]["sha256"].as_str().unwrap();
    let bytes = std::fs::read(data("rows/seizures_reasons.csv")).unwrap();
    assert_eq!(input_sha, divnet::output::sha256_hex(&bytes));
    // "bazooka" in the seizures and "laser" in the looting file.
    assert_eq!(manifest["rejections_by_reason"]["unknown_category"], 2);
    assert_eq!(manifest["tables"]["looting"]["rejected"], 2);
    let seizures = std::fs::read_to_string(out.join("seizures.csv")).unwrap();
    let mut lines = seizures.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("id,date,date_precision,date_start,date_end,country,"), "{header}");
    assert_eq!(lines.count(), 2);
    assert!(seizures.contains("OK-2,2023-05,month,2023-05-01,2023-05-31,MMR,"), "{seizures}");
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    assert!(rejected.starts_with("table,file,line,column,value,reason,detail\n"));
    assert!(
        rejected.contains("seizures_reasons.csv,10,category,bazooka,unknown_category,"),
        "{rejected}"
    );
    // Every output listed in the manifest exists with the recorded hash.
    for o in manifest["outputs"].as_array().unwrap() {
        let b = std::fs::read(out.join(o["file"].as_str().unwrap())).unwrap();
        assert_eq!(o["sha256"].as_str().unwrap(), divnet::output::sha256_hex(&b));
    }
}

#[test]
fn tables_are_byte_identical_across_runs_and_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), &data("rows/seizures_reasons.csv").display().to_string());
    let mut seen = Vec::new();
    for threads in ["1", "2", "2"] {
        let out = tmp.path().join(format!("out{}", seen.len()));
        divnet()
            .args(["--threads", threads, "run", "--config"])
            .arg(&cfg)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        seen.push(tables(&out));
    }
    assert!(seen[0].len() >= 8, "{:?}", seen[0].keys());
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[1], seen[2]);
}

#[test]
fn a_failed_run_leaves_the_previous_outputs_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), &data("formats/seizures.csv").display().to_string());
    divnet().args(["run", "--config"]).arg(&cfg).assert().success();
    let before = tables(&tmp.path().join("out"));
    let bad = write_config(tmp.path(), &data("bad/missing_id.csv").display().to_string());
    let out = divnet().args(["run", "--config"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing_id.csv"));
    assert_eq!(tables(&tmp.path().join("out")), before);
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn strict_mode_fails_on_rejected_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), &data("rows/seizures_reasons.csv").display().to_string());
    let out = divnet().args(["run", "--strict", "--config"]).arg(&cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("strict"));
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn bad_config_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bad.toml");
    std::fs::write(&p, "[paths]\nk = 0\n").unwrap();
    let out = divnet().args(["run", "--config"]).arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.toml") && stderr.contains("paths.k"), "{stderr}");
}

#[test]
fn synth_is_deterministic_and_valid() {
    let tmp = tempfile::tempdir().unwrap();
    for d in ["a", "b"] {
        divnet()
            .args(["synth", "--seizures", "3000", "--seed", "9", "--out"])
            .arg(tmp.path().join(d))
            .assert()
            .success();
    }
    for f in ["seizures.csv", "looting.csv", "routes.csv"] {
        assert_eq!(
            std::fs::read(tmp.path().join("a").join(f)).unwrap(),
            std::fs::read(tmp.path().join("b").join(f)).unwrap(),
            "{f}"
        );
    }
    let a = tmp.path().join("a");
    let out = divnet()
        .args(["validate", "--seizures"])
        .arg(a.join("seizures.csv"))
        .arg("--looting")
        .arg(a.join("looting.csv"))
        .arg("--routes")
        .arg(a.join("routes.csv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("seizures  read      3000  accepted      3000"), "{stdout}");
}

#[test]
fn an_os_error_is_printed_once_naming_the_file() {
    // A path through a regular file fails with ENOTDIR whoever runs the test.
    let through_a_file = data("formats/seizures.csv").join("x.csv");
    let tmp = tempfile::tempdir().unwrap();
    let locked = tmp.path().join("locked.csv");
    std::fs::copy(data("formats/seizures.csv"), &locked).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut cases: Vec<(Vec<std::ffi::OsString>, &str, &str)> = vec![
        (
            vec!["validate".into(), "--seizures".into(), through_a_file.clone().into()],
            "cannot read seizures input",
            "os error 20",
        ),
        (
            vec!["validate".into(), "--config".into(), through_a_file.clone().into()],
            "cannot read config",
            "os error 20",
        ),
        (
            vec![
                "paths".into(),
                "--edges".into(),
                through_a_file.clone().into(),
                "--pairs".into(),
                through_a_file.clone().into(),
                "--out".into(),
                tmp.path().join("out.csv").into(),
            ],
            "cannot read",
            "os error 20",
        ),
    ];
    // As root, permissions do not stop reading: the permission case needs another user.
    if std::fs::read(&locked).is_err() {
        cases.push((
            vec!["validate".into(), "--seizures".into(), locked.clone().into()],
            "may not read it",
            "os error 13",
        ));
    }
    for (args, what, os_error) in cases {
        let out = divnet().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
        let names_the_file = stderr.contains("x.csv") || stderr.contains("locked.csv");
        assert!(stderr.contains(what) && names_the_file, "{stderr}");
        assert_eq!(stderr.matches(os_error).count(), 1, "the OS error once: {stderr}");
        assert_eq!(stderr.matches("(os error").count(), 1, "{stderr}");
    }
}

#[test]
fn a_directory_given_as_input_is_not_called_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = divnet().args(["validate", "--seizures"]).arg(tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is a directory") && !stderr.contains("no such file"), "{stderr}");
}
