//! The run directory: which directory a run may write, one run at a time, and the swap that
//! puts a finished run in place.
//!
//! # Claiming
//! A run writes into a directory only if [`super::ownership`] says it is divnet's to
//! replace: it does not exist, is empty, or holds an earlier divnet run whose manifest lists
//! every file in it (files changed since are replaced only with `force`). With a history
//! (`keep`), the directory may hold only `runs/` (divnet runs) and the `latest` link. The
//! output directory may not contain an input, the config or the working directory. Every
//! check is on canonical paths (symbolic links and `..` resolved).
//!
//! # One run at a time
//! A run holds an advisory lock (`flock`) on `.<name>.divnet-lock` beside the output
//! directory from before its checks until it ends. A second run stops at once, naming the
//! holder's pid, or waits with `wait`. The kernel releases the lock when a process dies,
//! so a killed run never blocks the next one.
//!
//! # Staging and the swap
//! Files go to `.<name>.divnet-staging-<pid>-<nonce>` beside the output directory, which
//! carries a `.divnet-staging` marker while it is being written. [`RunDir::commit`] writes
//! nothing new; it removes the marker (the staging directory then holds a complete run
//! with its manifest) and exchanges the two directories in one atomic `renameat2(...,
//! RENAME_EXCHANGE)`, so at every instant the output path holds either the previous run or
//! the new one. Where the file system cannot exchange, it renames the previous run to
//! `.<name>.divnet-old-<pid>-<nonce>` and the new one into place; a run killed between the
//! two renames is repaired by the next run, which renames the backup back.
//!
//! # Recovery
//! Holding the lock, a run knows that every staging or backup directory of its output
//! directory belongs to a run that is no longer running. It restores a backup if the output
//! directory is missing, then removes the leftovers: a staging directory with its marker
//! whole, a finished run by its manifest (only the files listed there), an empty directory.
//! Anything else is left in place and reported.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Component, Path, PathBuf};

use super::handover::{Kept, Prior, carry_over, retire};
pub use super::history::{HISTORY_INDEX, history_runs};
use super::history::{check_history, link_latest, prune, record_run, recover_history};
use super::ownership::check_ownership;
use super::removal::{STAGING_MARKER, remove_dead};
use super::{OutputError, OutputFile, sha256_hex, signals};

/// First line of the lock file.
const LOCK_HEADER: &str = "divnet output lock";

/// How a run claims its output directory.
#[derive(Debug, Clone, Default)]
pub struct ClaimOptions {
    /// Replace an earlier divnet run whose files were changed after it was written.
    pub force: bool,
    /// Wait for another run that holds the directory instead of stopping at once.
    pub wait: bool,
    /// Called once when the run starts waiting, with the holder ("pid 1234").
    pub on_wait: Option<fn(&str)>,
    /// Input files and the config: the output directory must not contain them.
    pub protected: Vec<(&'static str, PathBuf)>,
    /// Input glob patterns: their fixed directory must not lie inside the output directory,
    /// and a recursive (`**`) pattern must not reach into it.
    pub patterns: Vec<String>,
    /// Keep a history of this many runs (`<out>/runs/<name>/` and `<out>/latest`); `None`:
    /// the output directory is the latest run itself.
    pub keep: Option<usize>,
}

/// How runs are laid out in the output directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// The output directory is one run, replaced by the next.
    Single,
    /// `runs/<started>-<inputs>/` for the last `keep` runs, `latest` -> the newest.
    History { keep: usize },
}

/// A run directory being written: files go to a staging directory until
/// [`RunDir::commit`]; dropping it uncommitted removes the staging directory.
#[derive(Debug)]
pub struct RunDir {
    target: PathBuf,
    staging: PathBuf,
    parent: PathBuf,
    leaf: OsString,
    layout: Layout,
    started: String,
    inputs_hash: String,
    written: Vec<OutputFile>,
    notices: Vec<String>,
    /// The previous run as the claim found it (one run, not a history).
    prior: Prior,
    /// Outputs whose user's version wins over the new one ([`RunDir::keep_user_changes`]).
    held: BTreeSet<String>,
    committed: bool,
    _lock: File,
}

/// A committed run.
#[derive(Debug)]
pub struct Committed {
    /// The run's directory: the output directory, or `<out>/runs/<name>` with a history.
    pub dir: PathBuf,
    /// What the run found and did beside writing (stale directories removed, leftovers
    /// kept), one sentence each.
    pub notices: Vec<String>,
    /// What the user changed in the output directory during the run and the run kept
    /// (the `run` command exits with status 4 when there is any).
    pub kept: Vec<Kept>,
}

impl RunDir {
    /// Claims `target` for a run: resolves it, refuses what is not divnet's to replace,
    /// takes the lock, repairs and removes what dead runs left, and creates the staging
    /// directory. Nothing is written when a check fails.
    pub fn claim(target: &Path, opts: &ClaimOptions) -> Result<RunDir, OutputError> {
        let target = canonical(target).map_err(OutputError::io("resolve", target))?;
        let (parent, leaf) = match (target.parent(), target.file_name()) {
            (Some(p), Some(l)) => (p.to_path_buf(), l.to_os_string()),
            _ => return Err(OutputError::NoName { path: target }),
        };
        check_coverage(&target, opts)?;
        if let Ok(meta) = std::fs::symlink_metadata(&target) {
            let what = if meta.file_type().is_symlink() {
                Some("a broken symbolic link")
            } else if !meta.is_dir() {
                Some("a file")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(OutputError::NotADirectory { path: target, what });
            }
        }
        std::fs::create_dir_all(&parent).map_err(OutputError::io("create directory", &parent))?;
        // A run replaces its output directory by an exchange of names, which a mount point
        // cannot take part in: refused before any work, not after it (a run history,
        // which swaps a link inside the directory, is fine).
        if opts.keep.is_none() && is_mount_point(&target, &parent) {
            return Err(OutputError::MountPoint { path: target });
        }
        let lock = lock(&parent, &leaf, &target, opts)?;
        let mut notices = Vec::new();
        let layout = match opts.keep {
            None => Layout::Single,
            Some(keep) => Layout::History { keep: keep.max(1) },
        };
        let mut prior = Prior::default();
        let staging = match layout {
            Layout::Single => {
                recover(&parent, &leaf, &target, &mut notices)?;
                prior = Prior::record(&target, opts.force);
                check_ownership(&target, opts.force)?;
                create_staging(&parent, &sibling_name(&leaf, "staging"))?
            }
            Layout::History { .. } => {
                check_history(&target)?;
                let runs = target.join("runs");
                std::fs::create_dir_all(&runs)
                    .map_err(OutputError::io("create directory", &runs))?;
                recover_history(&target, &mut notices)?;
                create_staging(&runs, ".divnet-staging")?
            }
        };
        fault_point("claimed");
        // Taken with the lock held, so successive runs of one history sort by start.
        let started = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
        Ok(RunDir {
            target,
            staging,
            parent,
            leaf,
            layout,
            started,
            inputs_hash: "000000000000".into(),
            written: Vec::new(),
            notices,
            prior,
            held: BTreeSet::new(),
            committed: false,
            _lock: lock,
        })
    }

    /// Where the outputs will be once committed (canonical).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The staging directory the files go to until the commit.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// Writes one file (relative path with `/`) into the staging directory.
    pub fn write(&mut self, rel: &str, bytes: &[u8], rows: Option<u64>) -> Result<(), OutputError> {
        let bad = |why| OutputError::BadName { name: rel.chars().take(200).collect(), why };
        super::check_out_name(rel).map_err(bad)?;
        if self.written.iter().any(|f| f.file == rel) {
            return Err(bad("written twice in one run"));
        }
        let path = self.staging.join(rel);
        {
            let _no_signal_cleanup_meanwhile = signals::guard();
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).map_err(OutputError::io("create directory", p))?;
            }
            std::fs::write(&path, bytes).map_err(OutputError::io("write", &path))?;
        }
        self.written.push(OutputFile {
            file: rel.to_string(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
            rows,
        });
        fault_point(&format!("written:{}", self.written.len()));
        Ok(())
    }

    /// Writes a table as `<name>.parquet` and `<name>.csv`.
    pub fn write_table(&mut self, table: &super::Table) -> Result<(), OutputError> {
        let rows = Some(table.rows() as u64);
        let (pq, csv) = rayon::join(|| table.parquet_bytes(), || table.csv_bytes());
        self.write(&format!("{}.parquet", table.name), &pq?, rows)?;
        self.write(&format!("{}.csv", table.name), &csv?, rows)?;
        Ok(())
    }

    /// Files written so far.
    pub fn written(&self) -> &[OutputFile] {
        &self.written
    }

    /// Names the run by its inputs (a hex digest; the first 12 digits are used) in a run
    /// history: `runs/<started>-<digest>`. Unused without a history.
    pub fn set_inputs_hash(&mut self, digest: &str) {
        self.inputs_hash = digest.chars().take(12).collect();
    }

    /// Looks at the output directory again before the manifest is written: where the user
    /// edited an output of the previous run (without `force`) or added a file during the
    /// run under the name of a new output, the new output is taken out of the staging
    /// directory and out of [`RunDir::written`], so the user's version is what the run
    /// directory holds after the commit (`handover` module docs). No-op with a history.
    pub fn keep_user_changes(&mut self) -> Result<(), OutputError> {
        if self.layout != Layout::Single {
            return Ok(());
        }
        fault_point("recheck");
        let users =
            self.prior.user_files(&self.target).map_err(OutputError::io("list", &self.target))?;
        for f in users {
            if let Some(i) = self.written.iter().position(|w| w.file == f) {
                let path = self.staging.join(&f);
                std::fs::remove_file(&path).map_err(OutputError::io("remove", &path))?;
                self.written.remove(i);
            }
            self.held.insert(f);
        }
        Ok(())
    }

    /// Puts the finished run in place of the previous one (see the module docs), then
    /// removes the previous run's files. The manifest must have been written.
    pub fn commit(mut self) -> Result<Committed, OutputError> {
        let mut active = signals::guard();
        fault_point("commit");
        let marker = self.staging.join(STAGING_MARKER);
        std::fs::remove_file(&marker).map_err(OutputError::io("remove", &marker))?;
        fault_point("unmarked");
        if let Layout::History { keep } = self.layout {
            let runs = self.target.join("runs");
            let base = format!("{}-{}", self.started, self.inputs_hash);
            let mut dir = runs.join(&base);
            let mut n = 1;
            while std::fs::symlink_metadata(&dir).is_ok() {
                n += 1;
                dir = runs.join(format!("{base}-{n}"));
            }
            // Recorded before it is stored, so that a run killed in between is still one of
            // the history's (the index lists only names that exist).
            let name = dir.file_name().map(OsString::from).unwrap_or_default();
            if let Err(e) = record_run(&runs, &name) {
                self.notices.push(format!("could not record the run in {}: {e}", runs.display()));
            }
            std::fs::rename(&self.staging, &dir)
                .map_err(OutputError::io("move the finished run to", &dir))?;
            signals::forget(&mut active, &self.staging);
            self.committed = true;
            drop(active);
            fault_point("stored");
            link_latest(&self.target, &name)?;
            fault_point("linked");
            prune(&runs, &name, keep, &mut self.notices);
            let notices = std::mem::take(&mut self.notices);
            return Ok(Committed { dir, notices, kept: Vec::new() });
        }
        let previous = if std::fs::symlink_metadata(&self.target).is_ok() {
            Some(self.swap()?)
        } else {
            std::fs::rename(&self.staging, &self.target)
                .map_err(OutputError::io("move the finished run to", &self.target))?;
            None
        };
        signals::forget(&mut active, &self.staging);
        self.committed = true;
        drop(active);
        fault_point("swapped");
        let mut kept = Vec::new();
        if let Some(prev) = previous {
            // The user's files first (also those added since the recheck), then the
            // previous run's own.
            carry_over(&prev, &self.target, &self.prior, &self.held, &mut kept)
                .map_err(OutputError::io("carry your files over from", &prev))?;
            retire(&prev, &self.prior, &mut kept)
                .map_err(OutputError::io("remove the previous run in", &prev))?;
        }
        let notices = std::mem::take(&mut self.notices);
        Ok(Committed { dir: self.target.clone(), notices, kept })
    }

    /// Exchanges staging and target; returns where the previous run now is.
    fn swap(&mut self) -> Result<PathBuf, OutputError> {
        if !fault_flag("no-exchange") {
            match exchange(&self.staging, &self.target) {
                Ok(()) => return Ok(self.staging.clone()),
                Err(e) if exchange_unsupported(&e) => {}
                Err(e) => return Err(OutputError::io("swap the new run into", &self.target)(e)),
            }
        }
        let backup = unique_sibling(&self.parent, &self.leaf, "old");
        std::fs::rename(&self.target, &backup)
            .map_err(OutputError::io("move the previous run aside from", &self.target))?;
        fault_point("backed-up");
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            let _ = std::fs::rename(&backup, &self.target);
            return Err(OutputError::io("move the finished run to", &self.target)(e));
        }
        Ok(backup)
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.committed {
            let mut active = signals::guard();
            let _ = std::fs::remove_dir_all(&self.staging);
            signals::forget(&mut active, &self.staging);
        }
    }
}

/// Whether the directory `dir` is mounted on another file system than its `parent`.
fn is_mount_point(dir: &Path, parent: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::symlink_metadata(dir), std::fs::metadata(parent)) {
            (Ok(d), Ok(p)) => d.is_dir() && d.dev() != p.dev(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, parent);
        false
    }
}

/// `path` made absolute with symbolic links and `..` resolved, also when its last
/// components do not exist yet (those are folded lexically, which is exact for names
/// that do not exist).
pub fn canonical(path: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(path)?;
    let comps: Vec<Component<'_>> = abs.components().collect();
    for split in (1..=comps.len()).rev() {
        let head: PathBuf = comps[..split].iter().collect();
        match std::fs::canonicalize(&head) {
            Ok(mut out) => {
                for c in &comps[split..] {
                    match c {
                        Component::ParentDir => {
                            out.pop();
                        }
                        Component::Normal(n) => out.push(n),
                        _ => {}
                    }
                }
                return Ok(out);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(abs)
}

/// The output directory must not contain the working directory, an input or the config.
fn check_coverage(target: &Path, opts: &ClaimOptions) -> Result<(), OutputError> {
    let suggestion = |covered: &Path| -> PathBuf {
        let base = if covered.is_dir() { covered } else { covered.parent().unwrap_or(covered) };
        base.join("divnet-out")
    };
    let refuse = |what: &'static str, inside: String, covered: &Path| OutputError::CoversInput {
        out: target.to_path_buf(),
        what,
        inside,
        suggestion: suggestion(covered),
    };
    if let Ok(cwd) = std::env::current_dir().and_then(|c| canonical(&c))
        && cwd.starts_with(target)
    {
        let base = target.parent().unwrap_or(target);
        return Err(refuse("the working directory", cwd.display().to_string(), base));
    }
    for (what, p) in &opts.protected {
        let c = canonical(p).unwrap_or_else(|_| p.clone());
        if c.starts_with(target) {
            return Err(refuse(what, c.display().to_string(), target.parent().unwrap_or(target)));
        }
    }
    for pattern in &opts.patterns {
        let fixed: PathBuf = Path::new(pattern)
            .components()
            .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
            .collect();
        let fixed = canonical(&fixed).unwrap_or(fixed);
        let recursive = pattern.contains("**");
        if fixed.starts_with(target) || (recursive && target.starts_with(&fixed)) {
            let base = target.parent().unwrap_or(target);
            return Err(refuse("the inputs matched by", format!("{pattern:?}"), base));
        }
    }
    Ok(())
}

/// Takes the advisory lock of the output directory.
fn lock(
    parent: &Path,
    leaf: &OsString,
    target: &Path,
    opts: &ClaimOptions,
) -> Result<File, OutputError> {
    let path = parent.join(sibling_name(leaf, "lock"));
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    // Never through a link: a link in its place (even a dangling one, which would create
    // its target) is refused.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let mut file = options.open(&path).map_err(OutputError::io("open the lock file", &path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = holder_of(&mut file);
            if !opts.wait {
                return Err(OutputError::Locked { path: target.to_path_buf(), holder });
            }
            if let Some(f) = opts.on_wait {
                f(&holder);
            }
            file.lock().map_err(OutputError::io("lock", &path))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(OutputError::io("lock", &path)(e)),
    }
    let mut text = String::new();
    file.rewind().map_err(OutputError::io("read", &path))?;
    let _ = file.read_to_string(&mut text);
    if !text.is_empty() && !text.starts_with(LOCK_HEADER) {
        return Err(OutputError::ForeignLock { path });
    }
    let line = format!("{LOCK_HEADER}\npid {}\n", std::process::id());
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(line.as_bytes()))
        .map_err(OutputError::io("write", &path))?;
    Ok(file)
}

fn holder_of(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text).map(drop));
    text.lines()
        .find_map(|l| l.strip_prefix("pid "))
        .map(|pid| format!("pid {}", pid.trim()))
        .unwrap_or_else(|| "pid unknown".into())
}

/// `.<leaf>.divnet-<kind>`.
fn sibling_name(leaf: &OsString, kind: &str) -> String {
    format!(".{}.divnet-{kind}", leaf.to_string_lossy())
}

/// A new name `.<leaf>.divnet-<kind>-<pid>-<nonce>` that does not exist yet.
fn unique_sibling(parent: &Path, leaf: &OsString, kind: &str) -> PathBuf {
    unique_name(parent, &sibling_name(leaf, kind))
}

/// A new path `<dir>/<prefix>-<pid>-<nonce>` that does not exist yet.
fn unique_name(dir: &Path, prefix: &str) -> PathBuf {
    let pid = std::process::id();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut n = 0u32;
    loop {
        let p = dir.join(format!("{prefix}-{pid}-{nanos:x}{n}"));
        if std::fs::symlink_metadata(&p).is_err() {
            return p;
        }
        n += 1;
    }
}

/// Creates `<dir>/<prefix>-<pid>-<nonce>` with its marker and registers it for cleanup.
fn create_staging(dir: &Path, prefix: &str) -> Result<PathBuf, OutputError> {
    let staging = unique_name(dir, prefix);
    std::fs::create_dir(&staging).map_err(OutputError::io("create directory", &staging))?;
    signals::register(&staging);
    let marker = staging.join(STAGING_MARKER);
    std::fs::write(&marker, format!("pid {}\n", std::process::id()))
        .map_err(OutputError::io("write", &marker))?;
    Ok(staging)
}

/// With the lock held: restores a backup if the output directory is missing, then removes
/// every staging and backup directory that dead runs left.
fn recover(
    parent: &Path,
    leaf: &OsString,
    target: &Path,
    notices: &mut Vec<String>,
) -> Result<(), OutputError> {
    let staging_prefix = format!("{}-", sibling_name(leaf, "staging"));
    let old_prefix = format!("{}-", sibling_name(leaf, "old"));
    // Names of divnet 0.1's backup and staging directories.
    let legacy_old = format!(".{}.old", leaf.to_string_lossy());
    let legacy_staging = format!(".{}.staging-", leaf.to_string_lossy());
    let mut backups = Vec::new();
    let mut staging = Vec::new();
    let entries = std::fs::read_dir(parent).map_err(OutputError::io("list", parent))?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if name.starts_with(&old_prefix) || name == legacy_old {
            backups.push(e.path());
        } else if name.starts_with(&staging_prefix) {
            staging.push(e.path());
        } else if name
            .strip_prefix(&legacy_staging)
            .is_some_and(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        {
            notices.push(format!(
                "{} was left by an interrupted run of an earlier divnet version; it holds no \
                 complete run and can be removed",
                e.path().display()
            ));
        }
    }
    backups.sort();
    staging.sort();
    if std::fs::symlink_metadata(target).is_err() {
        // Killed between the two renames of the fallback swap: the newest complete backup
        // is the last good run.
        if let Some(b) = backups.iter().rev().find(|b| b.join("manifest.json").is_file()) {
            std::fs::rename(b, target).map_err(OutputError::io("restore", b))?;
            notices.push(format!(
                "restored the previous outputs from {} (an interrupted run had moved them aside)",
                b.display()
            ));
            let b = b.clone();
            backups.retain(|x| *x != b);
        }
    }
    remove_dead(staging.iter().chain(&backups), notices);
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

fn exchange_unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(code) if code == rustix::io::Errno::INVAL.raw_os_error()
            || code == rustix::io::Errno::NOSYS.raw_os_error()
            || code == rustix::io::Errno::OPNOTSUPP.raw_os_error())
}

/// The fault-injection setting, `DIVNET_FAULT_INJECTION`: comma-separated items, each
/// `abort@<point>` (the process aborts there, as if killed), `pause@<point>@<ms>`,
/// `hold@<point>@<file>` (waits there for `file` to exist, see [`hold`]) or a flag
/// (`no-exchange`: use the two-rename swap). Used by the crash tests; unset in normal use.
fn fault_items() -> &'static [String] {
    static ITEMS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ITEMS.get_or_init(|| {
        std::env::var("DIVNET_FAULT_INJECTION")
            .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    })
}

fn fault_flag(flag: &str) -> bool {
    fault_items().iter().any(|i| i == flag)
}

/// Writes `<file>.reached`, then waits until `file` exists (at most two minutes): a test
/// changes the output directory at a known moment of the run, then lets it go on.
fn hold(file: &Path) {
    let mut reached = file.as_os_str().to_owned();
    reached.push(".reached");
    let _ = std::fs::write(&reached, b"");
    let start = std::time::Instant::now();
    while !file.exists() && start.elapsed() < std::time::Duration::from_secs(120) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A named point of the run-directory protocol where a crash test may stop the process.
fn fault_point(point: &str) {
    for item in fault_items() {
        let mut parts = item.split('@');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("abort"), Some(p), None) if p == point => std::process::abort(),
            (Some("pause"), Some(p), Some(ms)) if p == point => {
                std::thread::sleep(std::time::Duration::from_millis(ms.parse().unwrap_or(0)));
            }
            (Some("hold"), Some(p), Some(file)) if p == point => hold(Path::new(file)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_mount_point_is_told_from_a_directory() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("d")).unwrap();
        assert!(!is_mount_point(&tmp.path().join("d"), tmp.path()));
        assert!(!is_mount_point(&tmp.path().join("missing"), tmp.path()));
        // /proc is a file system of its own wherever it exists.
        if Path::new("/proc/self").exists() {
            assert!(is_mount_point(Path::new("/proc"), Path::new("/")));
        }
    }

    #[test]
    fn canonical_folds_missing_components_and_resolves_existing_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(tmp.path()).unwrap();
        std::fs::create_dir(real.join("x")).unwrap();
        assert_eq!(canonical(&real.join("x/../x")).unwrap(), real.join("x"));
        assert_eq!(canonical(&real.join("nope/../y/./z")).unwrap(), real.join("y/z"));
        std::os::unix::fs::symlink(real.join("x"), real.join("link")).unwrap();
        assert_eq!(canonical(&real.join("link/new")).unwrap(), real.join("x/new"));
    }
}
