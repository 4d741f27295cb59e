//! `divnet diff`: what changed between two run directories.
//!
//! [`LoadedRun::open`] reads a run directory (recognised by its `manifest.json`) and the
//! Parquet tables the comparison needs; [`compare`] is a pure function of two loaded runs
//! and returns a [`RunDiff`]; [`render`] turns that into the bytes of `diff.md`,
//! `diff.json`, the `diff_*` tables and the hub rank slope chart; [`write_dir`] writes them
//! into a fresh directory (or one an earlier diff wrote). What is compared, the keys and the
//! thresholds are documented in `docs/diff.md`.
//!
//! Everything is ordered by key, so the outputs are byte-identical for the same two runs.
//! The comparison holds the compared columns of each row table (the record kinds' tables and
//! the row-level tables about the inputs, declared once in [`ROW_TABLES`]) as text, one line
//! per row and side: memory grows with the size of the inputs.
//!
//! One job per file: `load.rs` reads run directories and finds the newest runs of a
//! history, `rows.rs` declares and compares the tables compared row by row, `compare.rs`
//! compares the rest and gathers the result, `render.rs` renders the outputs to bytes; this file
//! holds the error type, the options and the writing of the output directory, whose
//! ownership rule is [`ownership::check_listed_dir`]'s with `diff.json` as the listing.

use std::path::{Path, PathBuf};

use polars::prelude::PolarsError;
use serde::{Deserialize, Serialize};

use crate::chart::ChartError;
use crate::output::{OutputError, ownership, rundir};

mod columns;
mod compare;
#[cfg(test)]
mod fixtures;
mod load;
mod render;
mod rows;

pub use compare::{
    BinChange, CategoryChange, EdgeChange, HubRank, HubStatus, NotCompared, PathChange, Presence,
    RowCounts, RunDiff, Summary, compare,
};
pub use load::{LoadedRun, RunInfo, newest_two};
pub use render::{DiffJson, FIGURE, FORMAT, MARKDOWN_LIST_LIMIT, OutputEntry, bin_label, render};
pub use rows::{
    ChangedRow, IGNORED_COLUMNS, ROW_TABLES, RowKey, RowTable, RowsDiff, ValueChange, input_tables,
};

/// Why a diff could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The path is not a run directory divnet wrote.
    #[error("{path} is not a divnet run directory: {reason}")]
    NotARunDir {
        /// The path given.
        path: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// A run history holds fewer than two runs.
    #[error("run history {path} holds {found} run(s) with a manifest.json; diff needs two")]
    History {
        /// The `runs` directory of the history.
        path: PathBuf,
        /// Runs found.
        found: usize,
    },
    /// An option value is out of range.
    #[error("invalid {option} (got {value}): {reason}")]
    InvalidOption {
        /// The option.
        option: &'static str,
        /// The value given.
        value: String,
        /// The allowed range.
        reason: &'static str,
    },
    /// A file or directory could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A table of a run could not be decoded.
    #[error("cannot read table {path}")]
    Table {
        /// The Parquet file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: PolarsError,
    },
    /// The output directory may not be written.
    #[error("will not write the diff into {path}: {reason}")]
    OutputRefused {
        /// The output directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An output file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A `diff_*` table could not be encoded.
    #[error("cannot encode the diff tables")]
    Encode(#[source] OutputError),
    /// The hub rank chart could not be drawn.
    #[error("cannot draw the hub rank chart")]
    Chart(#[source] ChartError),
    /// `diff.json` could not be encoded.
    #[error("cannot encode diff.json")]
    Json(#[source] serde_json::Error),
}

/// Thresholds and sizes of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DiffOptions {
    /// Hubs compared: the top N by rank in each run.
    pub top_n: usize,
    /// A path whose share of its case moved by more than this counts as changed.
    pub share_threshold: f64,
    /// An edge whose probability moved by more than this counts as changed.
    pub probability_threshold: f64,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { top_n: 20, share_threshold: 0.05, probability_threshold: 0.05 }
    }
}

impl DiffOptions {
    /// Validated options: `top_n` at least 1, thresholds finite and in `0..1`.
    ///
    /// ```
    /// use divnet::diff::DiffOptions;
    /// assert!(DiffOptions::new(20, 0.05, 0.1).is_ok());
    /// let e = DiffOptions::new(20, -0.5, 0.1).unwrap_err();
    /// assert_eq!(e.to_string(), "invalid --share-threshold (got -0.5): must be finite, at least 0 and below 1");
    /// ```
    pub fn new(
        top_n: usize,
        share_threshold: f64,
        probability_threshold: f64,
    ) -> Result<DiffOptions, DiffError> {
        if top_n == 0 {
            return Err(DiffError::InvalidOption {
                option: "--top",
                value: "0".into(),
                reason: "must be at least 1",
            });
        }
        for (option, v) in [
            ("--share-threshold", share_threshold),
            ("--probability-threshold", probability_threshold),
        ] {
            if !(v.is_finite() && (0.0..1.0).contains(&v)) {
                return Err(DiffError::InvalidOption {
                    option,
                    value: v.to_string(),
                    reason: "must be finite, at least 0 and below 1",
                });
            }
        }
        Ok(DiffOptions { top_n, share_threshold, probability_threshold })
    }
}

/// Checks that `out` may receive a diff: it may not lie inside any of `protect` (the
/// compared run directories), and it must be divnet's to write by
/// [`ownership::check_listed_dir`] with an earlier diff's `diff.json` (of [`FORMAT`]) as the
/// listing: it does not exist, is empty, or holds an earlier diff whose `diff.json` lists
/// every other file there. Files of an earlier diff edited since it was written (SHA-256
/// against its `diff.json`) are replaced only with `force`; a file divnet did not write is
/// never replaced.
fn check_out_dir(out: &Path, force: bool, protect: &[&Path]) -> Result<(), DiffError> {
    let refuse = |reason: String| DiffError::OutputRefused { path: out.to_path_buf(), reason };
    let planned = rundir::canonical(out).unwrap_or_else(|_| out.to_path_buf());
    for p in protect {
        let p = rundir::canonical(p).unwrap_or_else(|_| p.to_path_buf());
        if planned.starts_with(&p) {
            return Err(refuse(format!("it lies inside the run directory {}", p.display())));
        }
    }
    let earlier = load::read_file(&out.join("diff.json"))
        .ok()
        .and_then(|bytes| DiffJson::from_bytes(&bytes).ok())
        .filter(|doc| doc.format == FORMAT);
    let listing: Option<Vec<(&str, &str)>> = earlier
        .as_ref()
        .map(|doc| doc.outputs.iter().map(|o| (o.file.as_str(), o.sha256.as_str())).collect());
    let first = |files: &[String]| files.first().cloned().unwrap_or_default();
    ownership::check_listed_dir(out, "diff.json", listing.as_deref(), force).map_err(|e| match e {
        OutputError::Io { source, .. } => DiffError::Read { path: out.to_path_buf(), source },
        OutputError::NotADirectory { .. } => refuse("it exists and is not a directory".into()),
        OutputError::NotOurs { .. } => refuse(
            "it is not empty and holds no earlier divnet diff (no diff.json); choose a new --out"
                .into(),
        ),
        OutputError::ForeignFiles { files, .. } => refuse(format!(
            "it holds {}, which divnet diff did not write (never replaced, even with --force)",
            first(&files)
        )),
        OutputError::Modified { files, .. } => refuse(format!(
            "{} was edited since divnet diff wrote it; pass --force to replace it",
            first(&files)
        )),
        other => refuse(other.to_string()),
    })
}

/// Writes rendered diff files into `out` after `check_out_dir`'s checks: each file goes
/// to a temporary name beside it and is renamed into place, `diff.json` last.
///
/// # Errors
/// [`DiffError::OutputRefused`] when `out` may not be written; [`DiffError::Write`] or
/// [`DiffError::Read`] on I/O failure.
pub fn write_dir(
    out: &Path,
    files: &[(String, Vec<u8>)],
    force: bool,
    protect: &[&Path],
) -> Result<(), DiffError> {
    check_out_dir(out, force, protect)?;
    std::fs::create_dir_all(out)
        .map_err(|source| DiffError::Write { path: out.to_path_buf(), source })?;
    let mut ordered: Vec<&(String, Vec<u8>)> = files.iter().collect();
    ordered.sort_by_key(|(name, _)| name == "diff.json");
    for (name, bytes) in ordered {
        let path = out.join(name);
        let tmp = out.join(format!(".{name}.partial-{}", std::process::id()));
        let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(source) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(DiffError::Write { path, source });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fixtures::{hubs, run};

    #[test]
    fn options_are_validated() {
        assert!(DiffOptions::new(0, 0.05, 0.05).is_err());
        assert!(DiffOptions::new(5, f64::NAN, 0.05).is_err());
        assert!(DiffOptions::new(5, 0.05, 1.0).is_err());
        assert_eq!(DiffOptions::new(20, 0.05, 0.05).unwrap(), DiffOptions::default());
    }

    #[test]
    fn the_output_directory_is_only_replaced_when_an_earlier_diff_wrote_it() {
        let tmp = tempfile::tempdir().unwrap();
        let d = compare(
            &run("a", vec![hubs(&["A"])]),
            &run("b", vec![hubs(&["A"])]),
            &DiffOptions::default(),
        );
        let files = render(&d).unwrap();
        let out = tmp.path().join("d");
        write_dir(&out, &files, false, &[]).unwrap();
        // An earlier diff is replaced without --force.
        write_dir(&out, &files, false, &[]).unwrap();
        // An edited output needs --force.
        std::fs::write(out.join("diff.md"), "my notes").unwrap();
        let e = write_dir(&out, &files, false, &[]).unwrap_err();
        assert!(e.to_string().contains("diff.md was edited"), "{e}");
        write_dir(&out, &files, true, &[]).unwrap();
        assert_eq!(std::fs::read(out.join("diff.md")).unwrap(), files[0].1);
        // A file divnet did not write: refused, with or without --force, and kept.
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        for force in [false, true] {
            let e = write_dir(&out, &files, force, &[]).unwrap_err();
            assert!(e.to_string().contains("notes.txt"), "{e}");
        }
        assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"mine");
        // A directory of someone else's files.
        let other = tmp.path().join("other");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("data.csv"), "x").unwrap();
        assert!(matches!(
            write_dir(&other, &files, true, &[]),
            Err(DiffError::OutputRefused { .. })
        ));
        // Inside a compared run directory.
        let e = write_dir(&other.join("diff"), &files, false, &[&other]).unwrap_err();
        assert!(e.to_string().contains("inside the run directory"), "{e}");
        assert!(!other.join("diff").exists());
    }
}
