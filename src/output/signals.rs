//! Removing the staging directory and the temporary files of a run stopped by SIGINT,
//! SIGTERM or SIGHUP.
//!
//! Live staging directories are registered in one process-wide list. Every write into a
//! staging directory and the swap in [`super::RunDir::commit`] hold that list's lock, so
//! the signal thread removes a staging directory only between writes, never while a file
//! is half created, and never during the swap; it then exits with 128 + the signal number.
//! Temporary files outside the staging directory (a cache entry being written, a
//! GeoPackage being built) are registered as [`TempFile`]s while they exist and removed by
//! the same handler. A run killed with SIGKILL cannot clean up: the next run on the same
//! output directory removes what it left (see [`super::rundir`]), and the next run's cache
//! pruning the temporary entries of dead runs.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary file registered for removal should a signal stop the run; forgotten when
/// the guard is dropped (the file itself is then its owner's to remove or rename).
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// Registers `path` until the returned guard is dropped.
    pub fn register(path: &Path) -> TempFile {
        temporary().push(path.to_path_buf());
        TempFile { path: path.to_path_buf() }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let mut list = temporary();
        if let Some(i) = list.iter().position(|p| *p == self.path) {
            list.swap_remove(i);
        }
    }
}

fn temporary() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes a temporary file, or a temporary directory and what it holds (never following
/// a link).
fn remove_temporary(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Whether a process with this id is running: on Linux, by `/proc`; where that cannot be
/// told, every process is taken to be running (so nothing of a live run is removed).
pub fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// Removes what dead runs left in `dir` under names `<prefix><pid>-...`: temporary files
/// and directories of processes that are no longer running. Returns how many it removed.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir(dir.path().join("divnet-x-999999999-abc")).unwrap();
/// std::fs::create_dir(dir.path().join(format!("divnet-x-{}-abc", std::process::id()))).unwrap();
/// std::fs::write(dir.path().join("divnet-x-notapid"), "mine").unwrap();
/// assert_eq!(divnet::output::signals::sweep_dead(dir.path(), "divnet-x-"), 1);
/// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
/// ```
pub fn sweep_dead(dir: &Path, prefix: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !process_alive(pid) {
            remove_temporary(&e.path());
            removed += 1;
        }
    }
    removed
}

/// The lock over the live staging directories (poisoning is ignored: the list stays valid).
pub(super) fn guard() -> MutexGuard<'static, Vec<PathBuf>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Registers a live staging directory.
pub(super) fn register(dir: &Path) {
    guard().push(dir.to_path_buf());
}

/// Forgets a staging directory (committed or removed), with the lock already held.
pub(super) fn forget(list: &mut Vec<PathBuf>, dir: &Path) {
    list.retain(|d| d != dir);
}

/// Installs the handler (once per process; later calls do nothing). Called by the binary
/// for commands that write a run directory; library users who want the same behaviour
/// call it themselves.
pub fn install_signal_cleanup() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if INSTALLED.get().is_some() {
        return Ok(());
    }
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    let _ = INSTALLED.set(());
    std::thread::Builder::new().name("divnet-signals".into()).spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let list = guard();
            for tmp in temporary().iter() {
                remove_temporary(tmp);
            }
            let mut removed = 0;
            for dir in list.iter() {
                if std::fs::remove_dir_all(dir).is_ok() {
                    removed += 1;
                }
            }
            let what = if removed > 0 {
                "removed the unfinished outputs; the previous outputs are untouched"
            } else {
                "the previous outputs are untouched"
            };
            eprintln!("divnet: stopped by signal {sig}: {what}");
            std::process::exit(128 + sig);
        }
    })?;
    Ok(())
}
