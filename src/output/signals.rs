//! Removing the staging directory of a run stopped by SIGINT, SIGTERM or SIGHUP.
//!
//! Live staging directories are registered in one process-wide list. Every write into a
//! staging directory and the swap in [`super::RunDir::commit`] hold that list's lock, so
//! the signal thread removes a staging directory only between writes, never while a file
//! is half created, and never during the swap; it then exits with 128 + the signal number.
//! A run killed with SIGKILL cannot clean up: the next run on the same output directory
//! removes what it left (see [`super::rundir`]).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

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
