//! A run history (`run.keep`): `<out>/runs/<name>/` for the last runs and the `latest`
//! link; which folders of `runs/` are divnet's runs (those recorded in its index,
//! [`HISTORY_INDEX`]), switching the link and pruning the oldest runs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::OutputError;
use super::ownership::read_manifest;
use super::removal::{remove_dead, remove_run_dir};

/// Refuses an output directory that is not a run history divnet may add to: anything but
/// `runs/` (each entry a divnet run, or a dead run's staging directory) and the `latest`
/// link.
pub(super) fn check_history(target: &Path) -> Result<(), OutputError> {
    let entries = match std::fs::read_dir(target) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(OutputError::io("list", target)(e)),
    };
    let mut foreign = Vec::new();
    let mut has_runs = false;
    for e in entries {
        let e = e.map_err(OutputError::io("list", target))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let is_link = e.file_type().is_ok_and(|t| t.is_symlink());
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        match name.as_str() {
            "manifest.json" => {
                return Err(OutputError::Layout {
                    path: target.to_path_buf(),
                    holds: "one run (written without run.keep)",
                    wants: "a history of runs (run.keep is set)",
                });
            }
            "runs" if is_dir => {
                has_runs = true;
                let runs = e.path();
                for r in std::fs::read_dir(&runs).map_err(OutputError::io("list", &runs))? {
                    let r = r.map_err(OutputError::io("list", &runs))?;
                    let rname = r.file_name().to_string_lossy().into_owned();
                    let ours = rname.starts_with(".divnet-staging-")
                        || rname == HISTORY_INDEX
                        || rname.starts_with(&format!("{HISTORY_INDEX}."))
                        || (r.file_type().is_ok_and(|t| t.is_dir())
                            && matches!(
                                read_manifest(&r.path().join("manifest.json")),
                                Ok(Some(_))
                            ));
                    if !ours {
                        foreign.push(format!("runs/{rname}"));
                    }
                }
            }
            "latest" if is_link => {}
            n if n.starts_with(".latest-") && is_link => {}
            _ => foreign.push(name),
        }
    }
    foreign.sort();
    match (foreign.is_empty(), has_runs) {
        (true, _) => Ok(()),
        (false, true) => {
            Err(OutputError::ForeignFiles { path: target.to_path_buf(), files: foreign })
        }
        (false, false) => Err(OutputError::NotOurs {
            path: target.to_path_buf(),
            entries: foreign.len(),
            example: foreign[0].clone(),
        }),
    }
}

/// With the lock held: removes dead runs' staging directories in `runs/` and their
/// temporary `latest` links.
pub(super) fn recover_history(target: &Path, notices: &mut Vec<String>) -> Result<(), OutputError> {
    let runs = target.join("runs");
    let dead: Vec<PathBuf> = std::fs::read_dir(&runs)
        .map_err(OutputError::io("list", &runs))?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".divnet-staging-"))
        .map(|e| e.path())
        .collect();
    remove_dead(&dead, notices);
    for e in std::fs::read_dir(target).map_err(OutputError::io("list", target))?.flatten() {
        if e.file_name().to_string_lossy().starts_with(".latest-")
            && e.file_type().is_ok_and(|t| t.is_symlink())
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
    Ok(())
}

/// Points `<target>/latest` at `runs/<name>` in one rename of a new link over the old.
pub(super) fn link_latest(target: &Path, name: &std::ffi::OsStr) -> Result<(), OutputError> {
    let tmp = target.join(format!(".latest-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(Path::new("runs").join(name), &tmp)
        .map_err(OutputError::io("create the link", &tmp))?;
    let latest = target.join("latest");
    std::fs::rename(&tmp, &latest).map_err(OutputError::io("switch", &latest))
}

/// Removes the oldest runs of `runs/` beyond `keep` (never `newest`), each only if it is
/// unchanged since divnet wrote it.
pub(super) fn prune(runs: &Path, newest: &std::ffi::OsStr, keep: usize, notices: &mut Vec<String>) {
    let names: Vec<OsString> = history_runs(runs).into_iter().filter(|n| n != newest).collect();
    let excess = (names.len() + 1).saturating_sub(keep);
    for name in names.into_iter().take(excess) {
        let dir = runs.join(&name);
        match remove_run_dir(&dir, notices) {
            Ok(true) => forget_run(runs, &name),
            // Kept (files changed since): it stays a run of the history, and says so.
            Ok(false) => {}
            Err(e) => notices.push(format!("could not remove the old run {}: {e}", dir.display())),
        }
    }
}

/// The file in a history's `runs/` that lists, one name a line, the runs divnet stored
/// there.
pub const HISTORY_INDEX: &str = ".divnet-runs";

/// Whether `name` is shaped like the name divnet gives a stored run:
/// `<YYYYMMDD>T<HHMMSS>[.<fraction>]Z-<inputs digest>`, maybe with `-<n>`.
fn is_run_name(name: &str) -> bool {
    let b = name.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if b.len() < 16 || !digits(&b[..8]) || b[8] != b'T' || !digits(&b[9..15]) {
        return false;
    }
    let mut rest = &name[15..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    rest.strip_prefix("Z-").is_some_and(|rest| {
        rest.split('-').all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_hexdigit()))
    })
}

/// The runs of a history in `runs/`, oldest first: those divnet recorded in its index
/// ([`HISTORY_INDEX`]) that are still there; in a history kept before the index existed,
/// the directories named as divnet names runs. A folder a user put there (`runs/keepme`,
/// or a copy named like an old run) is never one of them: it takes no slot, is never
/// pruned and is never compared by `divnet diff --history`.
pub fn history_runs(runs: &Path) -> Vec<OsString> {
    let is_dir =
        |n: &std::ffi::OsStr| std::fs::symlink_metadata(runs.join(n)).is_ok_and(|m| m.is_dir());
    let mut names: Vec<OsString> = match std::fs::read_to_string(runs.join(HISTORY_INDEX)) {
        Ok(text) => text
            .lines()
            .filter(|l| is_run_name(l))
            .map(OsString::from)
            .filter(|n| is_dir(n))
            .collect(),
        Err(_) => std::fs::read_dir(runs)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n.to_str().is_some_and(is_run_name) && is_dir(n))
            .collect(),
    };
    names.sort();
    names.dedup();
    names
}

/// Adds `name` to the history's index (rewritten whole and renamed into place).
pub(super) fn record_run(runs: &Path, name: &std::ffi::OsStr) -> std::io::Result<()> {
    // In a history kept before the index, its earlier runs are those named as divnet
    // names them: recorded now with this one.
    let mut names = history_runs(runs);
    names.push(name.to_os_string());
    write_index(runs, &names)
}

/// Drops `name` from the history's index.
fn forget_run(runs: &Path, name: &std::ffi::OsStr) {
    let names: Vec<OsString> = history_runs(runs).into_iter().filter(|n| n != name).collect();
    let _ = write_index(runs, &names);
}

fn write_index(runs: &Path, names: &[OsString]) -> std::io::Result<()> {
    let mut names: Vec<String> = names.iter().map(|n| n.to_string_lossy().into_owned()).collect();
    names.sort();
    names.dedup();
    let tmp = runs.join(format!("{HISTORY_INDEX}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, names.iter().map(|n| format!("{n}\n")).collect::<String>())?;
    std::fs::rename(&tmp, runs.join(HISTORY_INDEX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_runs_divnet_stored_count_in_a_history() {
        assert!(is_run_name("20261207T150000.123Z-abcdef123456"));
        assert!(is_run_name("20261207T150000.123Z-abcdef123456-2"));
        assert!(is_run_name("20261129T221500Z-aaaa"), "runs named before milliseconds");
        for not in [
            "keepme",
            "20261207T150000.123Z",
            "20261207T150000.123Z-xyz",
            "2026-12-07",
            "20261207T150000.Z-ab",
        ] {
            assert!(!is_run_name(not), "{not}");
        }
        let tmp = tempfile::tempdir().unwrap();
        let runs = tmp.path();
        let (a, b) = ("20260101T000000.000Z-aaaaaaaaaaaa", "20260102T000000.000Z-bbbbbbbbbbbb");
        for d in [a, b, "keepme", "20250101T000000.000Z-cccccccccccc"] {
            std::fs::create_dir(runs.join(d)).unwrap();
        }
        // Before the index: the folders named like runs.
        let names =
            |v: Vec<OsString>| v.into_iter().map(|n| n.into_string().unwrap()).collect::<Vec<_>>();
        assert_eq!(names(history_runs(runs)).len(), 3);
        write_index(runs, &[a.into(), b.into()]).unwrap();
        // With it: only what divnet recorded; the copy named like an old run is not one.
        assert_eq!(names(history_runs(runs)), [a, b]);
        forget_run(runs, std::ffi::OsStr::new(a));
        assert_eq!(names(history_runs(runs)), [b]);
    }
}
