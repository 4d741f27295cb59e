//! Loading what a diff compares: a run directory recognised by its `manifest.json`, the
//! Parquet tables the comparison reads (a case's paths joined to their node sequences,
//! hotspot cells of the incidents layer), and the two newest runs of a run history.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use polars::prelude::{BooleanChunked, Column, DataFrame, ParquetReader, SerReader};
use serde::{Deserialize, Serialize};

use super::DiffError;
use super::columns::{has_column, ints, texts};

/// Which run a diff compares: its directory name and what its manifest says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The run directory's name (last path component).
    pub name: String,
    /// `divnet_version` from the manifest.
    pub divnet_version: Option<String>,
    /// `started_utc` from `run.json` (from the manifest for runs of divnet before
    /// `run.json`).
    pub started_utc: Option<String>,
}

/// A run directory with the tables a diff reads.
#[derive(Debug, Clone)]
pub struct LoadedRun {
    /// Name and manifest facts.
    pub info: RunInfo,
    /// Tables by name; a table the run did not write is absent.
    pub tables: BTreeMap<String, DataFrame>,
}

/// The derived tables [`LoadedRun::open`] reads, besides the row tables
/// ([`super::rows::ROW_TABLES`]).
const DERIVED_TABLES: [&str; 6] =
    ["hubs", "hotspot_cells", "emerging_hotspots", "paths", "pair_paths", "network_edges"];

/// Every table [`LoadedRun::open`] reads: the row tables, then the derived ones.
fn read_tables() -> impl Iterator<Item = &'static str> {
    super::rows::input_tables().chain(DERIVED_TABLES)
}

impl LoadedRun {
    /// Reads the run directory `dir`: its `manifest.json` (which must exist and name a
    /// divnet version) and those of its Parquet tables the comparison uses. A table the run
    /// did not write is left out, not an error.
    ///
    /// # Errors
    /// [`DiffError::NotARunDir`] when `dir` is not a directory or has no divnet manifest;
    /// [`DiffError::Read`] or [`DiffError::Table`] when a file cannot be read.
    pub fn open(dir: &Path) -> Result<LoadedRun, DiffError> {
        let not_run = |reason: &str| DiffError::NotARunDir {
            path: dir.to_path_buf(),
            reason: reason.to_string(),
        };
        if !dir.is_dir() {
            return Err(not_run("no such directory"));
        }
        let manifest_path = dir.join("manifest.json");
        if !manifest_path.is_file() {
            return Err(not_run("it has no manifest.json"));
        }
        let bytes = read_file(&manifest_path)
            .map_err(|source| DiffError::Read { path: manifest_path.clone(), source })?;
        let manifest: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| not_run("its manifest.json is not JSON"))?;
        let Some(version) = manifest.get("divnet_version").and_then(|v| v.as_str()) else {
            return Err(not_run("its manifest.json names no divnet_version"));
        };
        let info = RunInfo {
            name: dir_name(dir),
            divnet_version: Some(version.to_string()),
            started_utc: read_file(&dir.join("run.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .as_ref()
                .unwrap_or(&manifest)
                .get("started_utc")
                .and_then(|v| v.as_str())
                .map(str::to_string),
        };
        let mut tables = BTreeMap::new();
        for name in read_tables() {
            let path = dir.join(format!("{name}.parquet"));
            if !path.is_file() {
                continue;
            }
            let bytes = read_file(&path)
                .map_err(|source| DiffError::Read { path: path.clone(), source })?;
            let df = ParquetReader::new(std::io::Cursor::new(bytes))
                .finish()
                .map_err(|source| DiffError::Table { path: path.clone(), source })?;
            tables.insert(name.to_string(), df);
        }
        let table_err = |name: &'static str| {
            move |source| DiffError::Table { path: dir.join(format!("{name}.parquet")), source }
        };
        // Conflict-event cells and cube share the grid of the incidents: the comparison is
        // of the incidents layer.
        for name in ["hotspot_cells", "emerging_hotspots"] {
            if let Some(df) = tables.get_mut(name)
                && df.column("layer").is_ok()
            {
                let layer = texts(df, "layer").map_err(table_err(name))?;
                let mask: BooleanChunked =
                    layer.iter().map(|l| Some(l.as_deref() == Some("incidents"))).collect();
                *df = df.filter(&mask).map_err(table_err(name))?;
            }
        }
        // A case's paths name their pair; the node sequences are in `pair_paths`. A
        // re-transfer chain's row has its own `nodes`.
        if let (Some(p), Some(pp)) = (tables.get("paths"), tables.get("pair_paths")) {
            let err = table_err("pair_paths");
            let (pairs, ranks, nodes) = (
                ints(pp, "pair").map_err(err)?,
                ints(pp, "rank").map_err(table_err("pair_paths"))?,
                texts(pp, "nodes").map_err(table_err("pair_paths"))?,
            );
            let by: HashMap<(Option<i64>, Option<i64>), Option<String>> =
                pairs.into_iter().zip(ranks).zip(nodes).collect();
            let (pp, pr) = (
                ints(p, "pair").map_err(table_err("paths"))?,
                ints(p, "rank").map_err(table_err("paths"))?,
            );
            let own: Vec<Option<String>> = if has_column(p, "nodes") {
                texts(p, "nodes").map_err(table_err("paths"))?
            } else {
                vec![None; p.height()]
            };
            let joined: Vec<Option<String>> = pp
                .into_iter()
                .zip(pr)
                .zip(own)
                .map(|(k, own)| own.or_else(|| by.get(&k).cloned().flatten()))
                .collect();
            let mut p = p.clone();
            p.with_column(Column::new("nodes".into(), joined)).map_err(table_err("paths"))?;
            tables.insert("paths".to_string(), p);
        }
        if tables.is_empty() && read_tables().any(|n| dir.join(format!("{n}.csv")).is_file()) {
            return Err(not_run(
                "its tables were written as CSV only ([output] formats); divnet diff reads the Parquet tables",
            ));
        }
        Ok(LoadedRun { info, tables })
    }
}

/// The last component of a path, for display (the whole path if it has none).
fn dir_name(dir: &Path) -> String {
    let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    canonical
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| dir.display().to_string())
}

/// The two newest runs of a run history `history` (layout `history/runs/<name>/`): the last
/// two names in byte order among the subdirectories with a `manifest.json` (names start with
/// a sortable UTC timestamp). Hidden entries (names starting with `.`) are skipped.
///
/// # Errors
/// [`DiffError::Read`] if `history/runs` cannot be listed, [`DiffError::History`] if it
/// holds fewer than two runs.
pub fn newest_two(history: &Path) -> Result<(PathBuf, PathBuf), DiffError> {
    let runs = history.join("runs");
    let read_err = |source| DiffError::Read { path: runs.clone(), source };
    std::fs::read_dir(&runs).map_err(read_err)?;
    // Only the runs divnet stored: a folder a user put in `runs/` is never compared.
    let mut names: Vec<_> = crate::output::rundir::history_runs(&runs)
        .into_iter()
        .filter(|n| runs.join(n).join("manifest.json").is_file())
        .collect();
    names.sort();
    match names.as_slice() {
        [.., old, new] => Ok((runs.join(old), runs.join(new))),
        _ => Err(DiffError::History { path: runs, found: names.len() }),
    }
}

/// A file of a run directory read whole, if it is a regular file: a named pipe or a device
/// in its place is refused without being opened (reading one could wait for ever).
pub(super) fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use crate::inputs::file::FileError;
    crate::inputs::file::read_regular_file(path).map_err(|e| match e {
        FileError::Io(e) | FileError::PermissionDenied(e) => e,
        FileError::NotFound => std::io::Error::from(std::io::ErrorKind::NotFound),
        other => std::io::Error::other(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_gives_its_two_newest_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let runs = tmp.path().join("runs");
        for name in ["20261130T221500Z-aa", "20261201T221500Z-bb", "20261129T221500Z-cc"] {
            std::fs::create_dir_all(runs.join(name)).unwrap();
            std::fs::write(runs.join(name).join("manifest.json"), "{}").unwrap();
        }
        // Hidden entries and directories without a manifest are not runs.
        std::fs::create_dir_all(runs.join(".20991231T000000Z-x.divnet-staging")).unwrap();
        std::fs::create_dir_all(runs.join("20991231T000000Z-unfinished")).unwrap();
        let (old, new) = newest_two(tmp.path()).unwrap();
        assert_eq!(old, runs.join("20261130T221500Z-aa"));
        assert_eq!(new, runs.join("20261201T221500Z-bb"));
        std::fs::remove_dir_all(runs.join("20261201T221500Z-bb")).unwrap();
        std::fs::remove_dir_all(runs.join("20261130T221500Z-aa")).unwrap();
        let e = newest_two(tmp.path()).unwrap_err();
        assert!(matches!(e, DiffError::History { found: 1, .. }), "{e}");
    }

    #[test]
    fn a_directory_without_a_manifest_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let e = LoadedRun::open(tmp.path()).unwrap_err();
        assert!(
            e.to_string().ends_with("is not a divnet run directory: it has no manifest.json"),
            "{e}"
        );
        std::fs::write(tmp.path().join("manifest.json"), "{\"x\": 1}").unwrap();
        let e = LoadedRun::open(tmp.path()).unwrap_err();
        assert!(e.to_string().contains("names no divnet_version"), "{e}");
        std::fs::write(tmp.path().join("manifest.json"), "{\"divnet_version\": \"0.1.0\"}")
            .unwrap();
        let r = LoadedRun::open(tmp.path()).unwrap();
        assert!(r.tables.is_empty());
    }
}
