//! Ownership: what divnet may delete or replace in a directory.
//!
//! A run writes into a directory only if it does not exist, is empty, or holds an earlier
//! divnet run: a `manifest.json` that lists every file in the directory (plus the
//! manifest and `run.json`, [`RUN_FILES`]). Anything else is refused before any work
//! ([`OutputError::NotOurs`], [`OutputError::ForeignFiles`]); files of an earlier run that
//! were changed since (size or SHA-256 differs from its manifest) are replaced only with
//! `force` ([`OutputError::Modified`]). The same rule guards a directory divnet fills file
//! by file under a listing of its own instead of a manifest (`divnet diff`'s output and its
//! `diff.json`): [`check_listed_dir`].
//!
//! This module only reads: it walks a directory, reads a manifest or takes a listing, and
//! says which files are not divnet's or were changed. Claiming, staging, the swap and the
//! removal of old runs are [`super::rundir`]'s, which asks here first.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use super::{OutputError, sha256_hex};

/// Files a run writes besides those its manifest lists.
pub const RUN_FILES: [&str; 2] = ["manifest.json", "run.json"];

/// Every file (and symbolic link or other non-directory) below `dir`, as relative paths
/// with `/`, sorted; and whether `dir` has any entry at all.
pub(super) fn walk(dir: &Path) -> std::io::Result<(Vec<String>, bool)> {
    fn go(base: &Path, rel: &str, out: &mut Vec<String>, any: &mut bool) -> std::io::Result<()> {
        for e in std::fs::read_dir(base.join(rel))? {
            let e = e?;
            *any = true;
            let name = e.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            if e.file_type()?.is_dir() {
                go(base, &r, out, any)?;
            } else {
                out.push(r);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    let mut any = false;
    go(dir, "", &mut out, &mut any)?;
    out.sort();
    Ok((out, any))
}

/// What ownership needs of an earlier run's manifest.
#[derive(Debug, serde::Deserialize)]
pub(super) struct ManifestOutputs {
    #[allow(dead_code)]
    divnet_version: String,
    /// The files the run wrote.
    pub(super) outputs: Vec<ListedFile>,
}

/// One file a manifest lists.
#[derive(Debug, serde::Deserialize)]
pub(super) struct ListedFile {
    /// Relative path with `/`.
    pub(super) file: String,
    /// Size in bytes.
    pub(super) bytes: u64,
    /// SHA-256, hex.
    pub(super) sha256: String,
}

/// The files an earlier output lists, by relative path: the size where the listing
/// records it, and the SHA-256.
pub(super) type Listing<'a> = BTreeMap<&'a str, (Option<u64>, &'a str)>;

impl ManifestOutputs {
    /// The manifest's files as a [`Listing`].
    pub(super) fn listing(&self) -> Listing<'_> {
        self.outputs.iter().map(|o| (o.file.as_str(), (Some(o.bytes), o.sha256.as_str()))).collect()
    }
}

/// `Ok(None)` if there is no manifest; `Err` if there is one divnet cannot read.
pub(super) fn read_manifest(path: &Path) -> Result<Option<ManifestOutputs>, String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| e.to_string())
}

/// Refuses a target that is not divnet's to replace as one run (module docs).
pub(super) fn check_ownership(target: &Path, force: bool) -> Result<(), OutputError> {
    let (files, any) = match walk(target) {
        Ok(w) => w,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(OutputError::io("list", target)(e)),
    };
    if !any {
        return Ok(());
    }
    let manifest_path = target.join("manifest.json");
    let manifest = match read_manifest(&manifest_path) {
        Ok(Some(m)) => m,
        Ok(None) => {
            if target.join("runs").is_dir()
                && std::fs::symlink_metadata(target.join("latest"))
                    .is_ok_and(|m| m.file_type().is_symlink())
            {
                return Err(OutputError::Layout {
                    path: target.to_path_buf(),
                    holds: "a history of runs (written with run.keep)",
                    wants: "one run (run.keep is not set)",
                });
            }
            return Err(not_ours(target, &files));
        }
        Err(problem) => return Err(OutputError::BadManifest { path: manifest_path, problem }),
    };
    check_listed_files(target, &files, &manifest.listing(), &RUN_FILES, force)
}

/// May divnet write into `dir`, which it fills file by file under a listing of its own
/// (`divnet diff`'s `diff.json`) instead of a run manifest? The rule of the module docs
/// with that listing: yes if `dir` does not exist, is empty, or `listing` (each file with its
/// SHA-256; `None`: no listing divnet can read) names every file in it but `marker`. A
/// listed file changed since is replaced only with `force`; an unlisted one, never.
///
/// # Errors
/// [`OutputError::NotADirectory`], [`OutputError::NotOurs`] (no listing),
/// [`OutputError::ForeignFiles`], [`OutputError::Modified`], or [`OutputError::Io`].
pub fn check_listed_dir(
    dir: &Path,
    marker: &str,
    listing: Option<&[(&str, &str)]>,
    force: bool,
) -> Result<(), OutputError> {
    match std::fs::metadata(dir) {
        Err(_) => return Ok(()),
        Ok(m) if !m.is_dir() => {
            return Err(OutputError::NotADirectory { path: dir.to_path_buf(), what: "a file" });
        }
        Ok(_) => {}
    }
    let (files, any) = walk(dir).map_err(OutputError::io("list", dir))?;
    if !any {
        return Ok(());
    }
    let Some(listing) = listing else {
        return Err(not_ours(dir, &files));
    };
    let listing: Listing<'_> = listing.iter().map(|&(file, sha)| (file, (None, sha))).collect();
    check_listed_files(dir, &files, &listing, &[marker], force)
}

/// Refuses `files` of `dir` (from [`walk`]) that `listing` does not name (but `own`), and
/// without `force` listed files changed since.
fn check_listed_files(
    dir: &Path,
    files: &[String],
    listing: &Listing<'_>,
    own: &[&str],
    force: bool,
) -> Result<(), OutputError> {
    let foreign = foreign_files(files, listing, own);
    if !foreign.is_empty() {
        return Err(OutputError::ForeignFiles { path: dir.to_path_buf(), files: foreign });
    }
    if force {
        return Ok(());
    }
    let modified = changed_files(dir, files, listing);
    if !modified.is_empty() {
        return Err(OutputError::Modified { path: dir.to_path_buf(), files: modified });
    }
    Ok(())
}

/// A directory that holds `files` (from [`walk`]) and is no output of divnet's.
fn not_ours(dir: &Path, files: &[String]) -> OutputError {
    let entries = std::fs::read_dir(dir).map_or(0, |d| d.count());
    let example = files.first().cloned().unwrap_or_else(|| {
        std::fs::read_dir(dir)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    OutputError::NotOurs { path: dir.to_path_buf(), entries, example }
}

/// The files of `files` that `listing` does not name and that are not among `own`.
pub(super) fn foreign_files(files: &[String], listing: &Listing<'_>, own: &[&str]) -> Vec<String> {
    files
        .iter()
        .filter(|f| !listing.contains_key(f.as_str()) && !own.contains(&f.as_str()))
        .cloned()
        .collect()
}

/// The files of `files` (relative to `dir`) that `listing` names with another size (where
/// it records one) or SHA-256; files it does not name are not looked at.
pub(super) fn changed_files(dir: &Path, files: &[String], listing: &Listing<'_>) -> Vec<String> {
    files
        .par_iter()
        .filter_map(|f| {
            let (bytes, sha256) = listing.get(f.as_str())?;
            let path = dir.join(f);
            let same = bytes.is_none_or(|b| std::fs::metadata(&path).is_ok_and(|m| m.len() == b))
                && std::fs::read(&path).is_ok_and(|b| sha256_hex(&b) == *sha256);
            (!same).then(|| f.clone())
        })
        .collect()
}

/// Up to five names, then how many more.
pub(crate) fn short_list(files: &[String]) -> String {
    let mut s = files.iter().take(5).map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ");
    if files.len() > 5 {
        s.push_str(&format!(" and {} more", files.len() - 5));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_list_counts_the_rest() {
        let files: Vec<String> = (0..7).map(|i| format!("f{i}")).collect();
        assert_eq!(short_list(&files[..2]), "\"f0\", \"f1\"");
        assert!(short_list(&files).ends_with("and 2 more"));
    }
}
