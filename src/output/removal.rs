//! Removing what divnet wrote: a dead run's staging directory (known by its marker), a
//! finished run (only the files its manifest lists, and only while none of them changed and
//! it holds no other), an empty directory. Used when a run starts (what dead runs left) and
//! when a history is pruned.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::handover::remove_empty_dirs;
use super::ownership::{RUN_FILES, changed_files, foreign_files, read_manifest, short_list, walk};

/// The marker file of a staging directory.
pub(super) const STAGING_MARKER: &str = ".divnet-staging";

/// Removes the directories dead runs left (with the lock held), and says how many in
/// `notices`; what cannot be removed is reported there too. A finished run among them is
/// removed only if none of its files was changed since: a previous run kept because the
/// user edited one of its outputs at the moment of a swap keeps that edit.
pub(super) fn remove_dead<'a>(
    dirs: impl IntoIterator<Item = &'a PathBuf>,
    notices: &mut Vec<String>,
) {
    let mut removed = 0;
    for dir in dirs {
        match remove_run_dir(dir, notices) {
            Ok(true) => removed += 1,
            Ok(false) => {}
            Err(e) => notices.push(format!("could not remove {}: {e}", dir.display())),
        }
    }
    if removed > 0 {
        notices.push(format!(
            "removed {removed} unfinished or replaced output director{} left by interrupted runs",
            if removed == 1 { "y" } else { "ies" }
        ));
    }
}

/// Removes a directory divnet wrote: a staging directory (by its marker) entirely, a
/// finished run by its manifest (only the files listed there, and only if none of them was
/// changed since and it holds no other), an empty directory. Returns whether the directory
/// is gone; what is kept is said in `notices`.
pub(super) fn remove_run_dir(dir: &Path, notices: &mut Vec<String>) -> std::io::Result<bool> {
    if dir.join(STAGING_MARKER).is_file() {
        std::fs::remove_dir_all(dir)?;
        return Ok(true);
    }
    let manifest = match read_manifest(&dir.join("manifest.json")) {
        Ok(m) => m,
        Err(problem) => {
            notices.push(format!("kept {}: {problem}", dir.display()));
            return Ok(false);
        }
    };
    let (files, _) = walk(dir)?;
    let listed: BTreeSet<String> =
        manifest.iter().flat_map(|m| &m.outputs).map(|o| o.file.clone()).collect();
    if let Some(m) = &manifest {
        let listing = m.listing();
        let foreign = foreign_files(&files, &listing, &RUN_FILES);
        let changed = changed_files(dir, &files, &listing);
        if !changed.is_empty() || !foreign.is_empty() {
            notices.push(format!(
                "kept the old run {}: it holds files divnet did not write or that were \
                 changed since ({}); move them out and divnet removes it next time",
                dir.display(),
                short_list(&[foreign, changed].concat())
            ));
            return Ok(false);
        }
    }
    let mut kept = Vec::new();
    let mut run_files = Vec::new();
    for f in files {
        if RUN_FILES.contains(&f.as_str()) {
            run_files.push(f);
        } else if listed.contains(&f) {
            std::fs::remove_file(dir.join(&f))?;
        } else {
            kept.push(f);
        }
    }
    // The manifest goes last: a run killed while removing an old run leaves a directory
    // whose manifest still lists every file in it, which the next run removes.
    run_files.sort_by_key(|f| f == "manifest.json");
    for f in run_files {
        std::fs::remove_file(dir.join(&f))?;
    }
    remove_empty_dirs(dir)?;
    if kept.is_empty() && std::fs::symlink_metadata(dir).is_err() {
        return Ok(true);
    }
    notices.push(format!(
        "kept {}: it holds files divnet did not write ({}); move them and remove the directory",
        dir.display(),
        short_list(&kept)
    ));
    Ok(false)
}
