//! The user's changes win: what the user edited or added in the output directory while a
//! run was working is kept when the run is swapped into place.
//!
//! The claim records the previous run as it found it ([`Prior`]: the files its manifest
//! lists, and each file's size, times and inode). Three moments follow:
//!
//! 1. Before the manifest is written, [`super::RunDir::keep_user_changes`] looks at the
//!    live directory again. An output of the previous run whose content no longer matches
//!    its manifest (it did at the claim, or the claim would have refused it) was edited
//!    during the run; a file the manifest does not list was added during the run. Where
//!    such a file has the name of a new output, the new output is dropped from the staging
//!    directory and from the manifest: the user's version stays, now a file divnet did not
//!    write, which the next run leaves alone (it stops and asks for it to be moved out,
//!    as for any file the user adds). With `force`, edits are replaced as any changed
//!    output is.
//! 2. The exchange swaps the new run in ([`super::RunDir::commit`]).
//! 3. [`carry_over`] moves everything of the user's from the previous run's directory into
//!    the new one at the same relative path: added files, directories the previous run did
//!    not have (empty ones too), and the edits found in step 1. A file added between step 1
//!    and the exchange is carried the same way. [`retire`] then removes the previous run's
//!    own files, except one edited at the last moment (after step 1): that one, and any
//!    file whose name the new run took meanwhile, stays in the previous run's directory,
//!    which is then kept and named.
//!
//! Every file kept is reported ([`Kept`]); the `run` command prints each and exits with
//! status 4.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::ownership::{RUN_FILES, read_manifest};
use super::sha256_hex;

/// What identifies a file's content without reading it: if none of these changed, the
/// content did not (the change time cannot be set back by a user).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    unix: (i64, i64, u64, u64),
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::symlink_metadata(path).ok()?;
        #[cfg(unix)]
        let unix = {
            use std::os::unix::fs::MetadataExt;
            (m.ctime(), m.ctime_nsec(), m.ino(), m.dev())
        };
        Some(Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            unix,
        })
    }
}

/// The previous run in the output directory as the claim found it.
#[derive(Debug, Default)]
pub(super) struct Prior {
    /// The files its manifest lists: size and SHA-256.
    listing: BTreeMap<String, (u64, String)>,
    /// The directories that hold listed files (relative, with `/`).
    dirs: BTreeSet<String>,
    /// Each listed file's stamp at the claim.
    stamps: BTreeMap<String, Stamp>,
    /// Edited outputs are replaced, not kept.
    force: bool,
}

impl Prior {
    /// Records the previous run in `target` (none: an empty record). Taken before the
    /// claim's ownership check hashes the files, so a file changed after it was hashed
    /// has another stamp.
    pub(super) fn record(target: &Path, force: bool) -> Prior {
        let mut prior = Prior { force, ..Prior::default() };
        let Ok(Some(manifest)) = read_manifest(&target.join("manifest.json")) else {
            return prior;
        };
        for o in manifest.outputs {
            let mut dir = o.file.as_str();
            while let Some(i) = dir.rfind('/') {
                dir = &dir[..i];
                prior.dirs.insert(dir.to_string());
            }
            if let Some(s) = Stamp::of(&target.join(&o.file)) {
                prior.stamps.insert(o.file.clone(), s);
            }
            prior.listing.insert(o.file, (o.bytes, o.sha256));
        }
        prior
    }

    /// Whether the previous run wrote `rel`.
    fn lists(&self, rel: &str) -> bool {
        self.listing.contains_key(rel)
    }

    /// Whether `rel`, a listed file now at `dir/rel`, still holds what the manifest says
    /// (its stamp unchanged since the claim, or its bytes those listed).
    fn unchanged(&self, dir: &Path, rel: &str) -> bool {
        let path = dir.join(rel);
        if self.stamps.get(rel).is_some_and(|s| Stamp::of(&path).as_ref() == Some(s)) {
            return true;
        }
        self.listing.get(rel).is_some_and(|(bytes, sha)| {
            std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() == *bytes)
                && std::fs::read(&path).is_ok_and(|b| sha256_hex(&b) == *sha)
        })
    }

    /// The user's files in `target` now whose names the new run must leave to them: edited
    /// outputs (without `force`) and added files.
    pub(super) fn user_files(&self, target: &Path) -> std::io::Result<Vec<String>> {
        let files = match super::ownership::walk(target) {
            Ok((files, _)) => files,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(files
            .into_iter()
            .filter(|f| !RUN_FILES.contains(&f.as_str()))
            .filter(|f| !self.lists(f) || (!self.force && !self.unchanged(target, f)))
            .collect())
    }
}

/// What a run kept of the user's at the swap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// An output edited during the run: the user's version is in the run directory, the
    /// new one was not written.
    Edited(String),
    /// A file added during the run, carried into the new run directory.
    Added(String),
    /// A directory made during the run (maybe empty), carried whole.
    Directory(String),
    /// A file edited or added at the last moment that could not be carried: it is still in
    /// the previous run's directory, at the path given.
    LeftIn(PathBuf),
}

impl std::fmt::Display for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kept::Edited(p) => {
                write!(f, "kept your edited {p:?}: the new one was not written in its place")
            }
            Kept::Added(p) => write!(f, "kept {p:?}, added during the run"),
            Kept::Directory(p) => write!(f, "kept the directory {p:?}/, made during the run"),
            Kept::LeftIn(p) => write!(
                f,
                "kept {} (changed at the moment of the swap, and its name was taken): move it \
                 where you want it; divnet removes that directory once it holds only its files",
                p.display()
            ),
        }
    }
}

/// After the exchange: moves the user's files and directories from the previous run's
/// directory `old` into the new run directory `new` (module docs, step 3). `held`: the
/// listed files whose user's version wins (edits found before the manifest).
pub(super) fn carry_over(
    old: &Path,
    new: &Path,
    prior: &Prior,
    held: &BTreeSet<String>,
    kept: &mut Vec<Kept>,
) -> std::io::Result<()> {
    carry(old, new, "", prior, held, kept)
}

fn carry(
    old: &Path,
    new: &Path,
    rel: &str,
    prior: &Prior,
    held: &BTreeSet<String>,
    kept: &mut Vec<Kept>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(old.join(rel))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let to = new.join(&r);
        let free = std::fs::symlink_metadata(&to).is_err();
        if e.file_type()?.is_dir() {
            if prior.dirs.contains(&r) || !free {
                // The previous run's directory, or one the new run has too: look inside.
                if std::fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir()) || free {
                    carry(old, new, &r, prior, held, kept)?;
                }
            } else {
                move_into(&e.path(), &to)?;
                kept.push(Kept::Directory(r));
            }
            continue;
        }
        if rel.is_empty() && RUN_FILES.contains(&name.as_str()) {
            continue;
        }
        let listed = prior.lists(&r);
        if (listed && !held.contains(&r)) || !free {
            continue;
        }
        move_into(&e.path(), &to)?;
        kept.push(if listed { Kept::Edited(r) } else { Kept::Added(r) });
    }
    Ok(())
}

/// Renames `from` to `to`, creating `to`'s missing parent directories.
fn move_into(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(p) = to.parent() {
        std::fs::create_dir_all(p)?;
    }
    std::fs::rename(from, to)
}

/// After [`carry_over`]: removes the previous run's own files from `old` (an output
/// changed since the claim only with `force`), then its empty directories; what is left
/// is reported in `kept`. Returns whether `old` is gone.
pub(super) fn retire(old: &Path, prior: &Prior, kept: &mut Vec<Kept>) -> std::io::Result<bool> {
    let (files, _) = super::ownership::walk(old)?;
    let mut run_files = Vec::new();
    for f in files {
        if RUN_FILES.contains(&f.as_str()) {
            run_files.push(f);
        } else if prior.lists(&f) && (prior.force || prior.unchanged(old, &f)) {
            remove(&old.join(&f))?;
        } else {
            kept.push(Kept::LeftIn(old.join(&f)));
        }
    }
    let left = kept.iter().any(|k| matches!(k, Kept::LeftIn(p) if p.starts_with(old)));
    // The manifest goes last, and stays while anything is left: the next run's recovery
    // then removes only the files it lists.
    run_files.sort_by_key(|f| f == "manifest.json");
    for f in run_files {
        if !left {
            remove(&old.join(&f))?;
        }
    }
    remove_empty_dirs(old)?;
    Ok(std::fs::symlink_metadata(old).is_err())
}

fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Removes `dir` and its subdirectories that are (or become) empty; never a file.
pub(super) fn remove_empty_dirs(dir: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            remove_empty_dirs(&e.path())?;
        }
    }
    match std::fs::remove_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::DirectoryNotEmpty => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(dir: &Path, files: &[(&str, &[u8])]) {
        let outputs: Vec<serde_json::Value> = files
            .iter()
            .map(|(f, b)| {
                std::fs::create_dir_all(dir.join(f).parent().unwrap()).unwrap();
                std::fs::write(dir.join(f), b).unwrap();
                serde_json::json!({"file": f, "bytes": b.len(), "sha256": sha256_hex(b)})
            })
            .collect();
        let m = serde_json::json!({"divnet_version": "0", "outputs": outputs});
        std::fs::write(dir.join("manifest.json"), m.to_string()).unwrap();
    }

    #[test]
    fn edits_and_additions_are_carried_and_the_rest_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
        std::fs::create_dir_all(&new).unwrap();
        std::fs::create_dir_all(&old).unwrap();
        manifest(&old, &[("hubs.csv", b"a,b\n"), ("figures/x.svg", b"<svg/>"), ("t.csv", b"1")]);
        let prior = Prior::record(&old, false);
        // During the run: an edit, a file added at the top and in a divnet directory, an
        // empty directory and one inside a divnet directory.
        std::fs::write(old.join("hubs.csv"), b"a,b\nmine\n").unwrap();
        std::fs::write(old.join("NOTES.txt"), b"notes").unwrap();
        std::fs::write(old.join("figures/mine.svg"), b"m").unwrap();
        std::fs::create_dir(old.join("empty")).unwrap();
        std::fs::create_dir(old.join("figures/drafts")).unwrap();
        assert_eq!(prior.user_files(&old).unwrap(), ["NOTES.txt", "figures/mine.svg", "hubs.csv"]);
        let held: BTreeSet<String> = ["hubs.csv".to_string()].into();
        // The new run wrote t.csv and figures/x.svg, not hubs.csv (held back).
        std::fs::create_dir_all(new.join("figures")).unwrap();
        std::fs::write(new.join("t.csv"), b"2").unwrap();
        let mut kept = Vec::new();
        carry_over(&old, &new, &prior, &held, &mut kept).unwrap();
        assert!(retire(&old, &prior, &mut kept).unwrap(), "{kept:?}");
        assert_eq!(
            kept,
            [
                Kept::Added("NOTES.txt".into()),
                Kept::Directory("empty".into()),
                Kept::Directory("figures/drafts".into()),
                Kept::Added("figures/mine.svg".into()),
                Kept::Edited("hubs.csv".into()),
            ]
        );
        assert_eq!(std::fs::read(new.join("hubs.csv")).unwrap(), b"a,b\nmine\n");
        assert_eq!(std::fs::read(new.join("t.csv")).unwrap(), b"2");
        assert!(new.join("empty").is_dir() && new.join("figures/drafts").is_dir());
    }

    #[test]
    fn a_last_moment_edit_stays_in_the_old_directory_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
        std::fs::create_dir_all(&new).unwrap();
        std::fs::create_dir_all(&old).unwrap();
        manifest(&old, &[("a.csv", b"1"), ("b.csv", b"2")]);
        let prior = Prior::record(&old, false);
        std::fs::write(old.join("a.csv"), b"edited").unwrap();
        std::fs::write(new.join("a.csv"), b"new").unwrap();
        let mut kept = Vec::new();
        carry_over(&old, &new, &prior, &BTreeSet::new(), &mut kept).unwrap();
        assert!(!retire(&old, &prior, &mut kept).unwrap());
        assert_eq!(kept, [Kept::LeftIn(old.join("a.csv"))]);
        assert_eq!(std::fs::read(old.join("a.csv")).unwrap(), b"edited");
        assert!(old.join("manifest.json").is_file() && !old.join("b.csv").exists());
        let forced = Prior::record(&old, true);
        let mut kept = Vec::new();
        std::fs::write(old.join("a.csv"), b"again").unwrap();
        assert!(retire(&old, &forced, &mut kept).unwrap());
        assert!(kept.is_empty());
    }
}
