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
//! The comparison holds the compared columns of each input table as text, one line per row
//! and side: memory grows with the size of the inputs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use polars::prelude::{
    BooleanChunked, Column, DataFrame, DataType, ParquetReader, PolarsError, SerReader,
};
use serde::Serialize;

use crate::chart::slope::{HubRankLine, SlopeInput};
use crate::chart::{Caption, ChartError, RenderSize};
use crate::output::{OutputError, Table, TableBuilder, sha256_hex};
use crate::report::{md_escape_cell, md_escape_text};

/// The `format` value of `diff.json`; an output directory whose `diff.json` carries it
/// was written by `divnet diff`.
pub const FORMAT: &str = "divnet-diff/1";

/// The input tables compared row by row, by their `id` column.
pub const INPUT_TABLES: [&str; 3] = ["seizures", "looting", "routes"];

/// Columns of the input tables that are not compared: where a row was read from, which
/// changes whenever input files are renamed, split or reordered.
pub const IGNORED_COLUMNS: [&str; 2] = ["source_file", "source_line"];

/// Ids, paths, cells and hubs listed per section in `diff.md` (the tables hold all).
pub const MARKDOWN_LIST_LIMIT: usize = 20;

/// The emerging-hotspot category of a cell that has none in a run.
const NO_PATTERN: &str = "No Pattern Detected";

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
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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

/// Which run a diff compares: its directory name and what its manifest says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// The tables [`LoadedRun::open`] reads.
const READ_TABLES: [&str; 9] = [
    "seizures",
    "looting",
    "routes",
    "hubs",
    "hotspot_cells",
    "emerging_hotspots",
    "paths",
    "pair_paths",
    "network_edges",
];

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
        let bytes = std::fs::read(&manifest_path)
            .map_err(|source| DiffError::Read { path: manifest_path.clone(), source })?;
        let manifest: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| not_run("its manifest.json is not JSON"))?;
        let Some(version) = manifest.get("divnet_version").and_then(|v| v.as_str()) else {
            return Err(not_run("its manifest.json names no divnet_version"));
        };
        let info = RunInfo {
            name: dir_name(dir),
            divnet_version: Some(version.to_string()),
            started_utc: std::fs::read(dir.join("run.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .as_ref()
                .unwrap_or(&manifest)
                .get("started_utc")
                .and_then(|v| v.as_str())
                .map(str::to_string),
        };
        let mut tables = BTreeMap::new();
        for name in READ_TABLES {
            let path = dir.join(format!("{name}.parquet"));
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path)
                .map_err(|source| DiffError::Read { path: path.clone(), source })?;
            let df = ParquetReader::new(std::io::Cursor::new(bytes))
                .finish()
                .map_err(|source| DiffError::Table { path: path.clone(), source })?;
            tables.insert(name.to_string(), df);
        }
        let table_err = |name: &'static str| {
            move |source| DiffError::Table { path: dir.join(format!("{name}.parquet")), source }
        };
        // Conflict-event cells share the grid of the incidents: the comparison is of the
        // incidents layer.
        if let Some(df) = tables.get_mut("hotspot_cells")
            && df.column("layer").is_ok()
        {
            let layer = texts(df, "layer").map_err(table_err("hotspot_cells"))?;
            let mask: BooleanChunked =
                layer.iter().map(|l| Some(l.as_deref() == Some("incidents"))).collect();
            *df = df.filter(&mask).map_err(table_err("hotspot_cells"))?;
        }
        // A case's paths name their pair; the node sequences are in `pair_paths`.
        if let (Some(p), Some(pp)) = (tables.get("paths"), tables.get("pair_paths"))
            && p.column("nodes").is_err()
        {
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
            let joined: Vec<Option<String>> =
                pp.into_iter().zip(pr).map(|k| by.get(&k).cloned().flatten()).collect();
            let mut p = p.clone();
            p.with_column(Column::new("nodes".into(), joined)).map_err(table_err("paths"))?;
            tables.insert("paths".to_string(), p);
        }
        if tables.is_empty() && READ_TABLES.iter().any(|n| dir.join(format!("{n}.csv")).is_file()) {
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
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&runs).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        if entry.path().join("manifest.json").is_file() {
            names.push(name);
        }
    }
    names.sort();
    match names.as_slice() {
        [.., old, new] => Ok((runs.join(old), runs.join(new))),
        _ => Err(DiffError::History { path: runs, found: names.len() }),
    }
}

/// A table or section that was not compared, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotCompared {
    /// The table.
    pub table: String,
    /// Why (e.g. "missing in OLD").
    pub reason: String,
}

/// One column of a changed row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueChange {
    /// Column name.
    pub column: String,
    /// Value in OLD (null as `None`).
    pub old: Option<String>,
    /// Value in NEW.
    pub new: Option<String>,
}

/// A row present in both runs whose compared columns differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedRow {
    /// The row's id.
    pub id: String,
    /// The columns that differ, in table order.
    pub columns: Vec<ValueChange>,
}

/// Row changes of one input table, by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowsDiff {
    /// The table.
    pub table: String,
    /// Ids only in NEW, sorted.
    pub added: Vec<String>,
    /// Ids only in OLD, sorted.
    pub removed: Vec<String>,
    /// Rows in both whose compared columns differ, by id.
    pub changed: Vec<ChangedRow>,
    /// Rows in both and equal.
    pub unchanged: usize,
    /// Columns only in NEW (not compared).
    pub columns_added: Vec<String>,
    /// Columns only in OLD (not compared).
    pub columns_removed: Vec<String>,
}

/// How a hub's place in the top N changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HubStatus {
    /// In NEW's top N, not in OLD's.
    Entered,
    /// In OLD's top N, not in NEW's.
    Left,
    /// In both top N at different ranks.
    Moved,
    /// In both top N at the same rank.
    Unchanged,
}

impl HubStatus {
    fn as_str(self) -> &'static str {
        match self {
            HubStatus::Entered => "entered",
            HubStatus::Left => "left",
            HubStatus::Moved => "moved",
            HubStatus::Unchanged => "unchanged",
        }
    }
}

/// A hub in the top N of either run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubRank {
    /// Node id.
    pub node: String,
    /// Node name (NEW's when the hub is in both).
    pub name: String,
    /// What happened.
    pub status: HubStatus,
    /// Rank in OLD (`None` if the node is not in OLD's hubs table).
    pub old_rank: Option<u64>,
    /// Rank in NEW.
    pub new_rank: Option<u64>,
}

/// A hotspot cell whose Gi* confidence bin changed (a cell missing from a run counts as
/// bin 0, not significant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BinChange {
    /// H3 cell.
    pub cell: String,
    /// Bin in OLD (`None`: not in OLD's table).
    pub old_bin: Option<i64>,
    /// Bin in NEW.
    pub new_bin: Option<i64>,
}

/// A cell whose emerging-hotspot category changed (a cell missing from a run counts as
/// "No Pattern Detected").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryChange {
    /// H3 cell.
    pub cell: String,
    /// Category in OLD (`None`: not in OLD's table).
    pub old_category: Option<String>,
    /// Category in NEW.
    pub new_category: Option<String>,
}

/// What happened to a path or an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Only in NEW.
    Appeared,
    /// Only in OLD.
    Vanished,
    /// In both, and its share (paths) or probability (edges) moved by more than the
    /// threshold.
    Moved,
}

impl Presence {
    fn as_str(self) -> &'static str {
        match self {
            Presence::Appeared => "appeared",
            Presence::Vanished => "vanished",
            Presence::Moved => "moved",
        }
    }
}

/// A changed path of a diversion case, keyed by case and node sequence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathChange {
    /// Case id.
    pub case: String,
    /// Node ids, `;`-separated.
    pub nodes: String,
    /// Node names, `;`-separated.
    pub names: String,
    /// What happened.
    pub status: Presence,
    /// Share of the case in OLD.
    pub old_share: Option<f64>,
    /// Share of the case in NEW.
    pub new_share: Option<f64>,
}

/// A changed edge of the diversion network, keyed by (source, target).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeChange {
    /// Source node id.
    pub source: String,
    /// Target node id.
    pub target: String,
    /// What happened.
    pub status: Presence,
    /// Edge probability in OLD.
    pub old_p: Option<f64>,
    /// Edge probability in NEW.
    pub new_p: Option<f64>,
}

/// Everything that changed between two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunDiff {
    /// The older run.
    pub old: RunInfo,
    /// The newer run.
    pub new: RunInfo,
    /// Thresholds used.
    pub options: DiffOptions,
    /// Input tables compared, in the order seizures, looting, routes.
    pub rows: Vec<RowsDiff>,
    /// Hubs in the top N of either run, by NEW's rank then OLD's.
    pub hubs: Vec<HubRank>,
    /// Hotspot cells whose confidence bin changed, by cell.
    pub bins: Vec<BinChange>,
    /// Cells whose emerging category changed, by cell.
    pub categories: Vec<CategoryChange>,
    /// Paths that appeared, vanished or whose share moved, by case and nodes.
    pub paths: Vec<PathChange>,
    /// Edges that appeared, vanished or whose probability moved, by source and target.
    pub edges: Vec<EdgeChange>,
    /// Tables that could not be compared.
    pub not_compared: Vec<NotCompared>,
}

/// Added, removed and changed row counts of one input table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RowCounts {
    /// Rows only in NEW.
    pub added: usize,
    /// Rows only in OLD.
    pub removed: usize,
    /// Rows in both that differ.
    pub changed: usize,
    /// Rows in both and equal.
    pub unchanged: usize,
}

/// The counts of a [`RunDiff`] (the `summary` of `diff.json` and the tables at the top of
/// `diff.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Whether anything changed (what `--fail-on-change` tests).
    pub changed: bool,
    /// Row counts per compared input table.
    pub rows: BTreeMap<String, RowCounts>,
    /// Hubs entering the top N.
    pub hubs_entered: usize,
    /// Hubs leaving the top N.
    pub hubs_left: usize,
    /// Hubs in both top N with a different rank.
    pub hubs_moved: usize,
    /// Cells whose confidence bin changed.
    pub cells_bin_changed: usize,
    /// Cells whose emerging category changed.
    pub cells_category_changed: usize,
    /// Paths that appeared.
    pub paths_appeared: usize,
    /// Paths that vanished.
    pub paths_vanished: usize,
    /// Paths whose share moved by more than the threshold.
    pub paths_share_moved: usize,
    /// Edges that appeared.
    pub edges_appeared: usize,
    /// Edges that vanished.
    pub edges_vanished: usize,
    /// Edges whose probability moved by more than the threshold.
    pub edges_probability_moved: usize,
    /// Tables not compared.
    pub not_compared: usize,
}

impl RunDiff {
    /// The counts.
    pub fn summary(&self) -> Summary {
        let hubs = |s| self.hubs.iter().filter(|h| h.status == s).count();
        let paths = |s| self.paths.iter().filter(|p| p.status == s).count();
        let edges = |s| self.edges.iter().filter(|e| e.status == s).count();
        let rows: BTreeMap<String, RowCounts> = self
            .rows
            .iter()
            .map(|r| {
                let c = RowCounts {
                    added: r.added.len(),
                    removed: r.removed.len(),
                    changed: r.changed.len(),
                    unchanged: r.unchanged,
                };
                (r.table.clone(), c)
            })
            .collect();
        let mut s = Summary {
            changed: false,
            rows,
            hubs_entered: hubs(HubStatus::Entered),
            hubs_left: hubs(HubStatus::Left),
            hubs_moved: hubs(HubStatus::Moved),
            cells_bin_changed: self.bins.len(),
            cells_category_changed: self.categories.len(),
            paths_appeared: paths(Presence::Appeared),
            paths_vanished: paths(Presence::Vanished),
            paths_share_moved: paths(Presence::Moved),
            edges_appeared: edges(Presence::Appeared),
            edges_vanished: edges(Presence::Vanished),
            edges_probability_moved: edges(Presence::Moved),
            not_compared: self.not_compared.len(),
        };
        s.changed = s.rows.values().any(|c| c.added + c.removed + c.changed > 0)
            || s.derived().iter().any(|(_, n)| *n > 0);
        s
    }

    /// Whether anything changed: rows, hubs (entered, left, moved), cells, paths or edges.
    /// Tables not compared and columns added or removed do not count.
    pub fn has_changes(&self) -> bool {
        self.summary().changed
    }
}

impl Summary {
    /// The counts of the derived tables, labelled as in `diff.md` (`top_n` is not known
    /// here, so the hub labels say "top N").
    fn derived(&self) -> [(&'static str, usize); 11] {
        [
            ("hubs entering the top N", self.hubs_entered),
            ("hubs leaving the top N", self.hubs_left),
            ("hubs moving within the top N", self.hubs_moved),
            ("hotspot cells changing confidence bin", self.cells_bin_changed),
            ("cells changing emerging category", self.cells_category_changed),
            ("paths appeared", self.paths_appeared),
            ("paths vanished", self.paths_vanished),
            ("paths whose share moved", self.paths_share_moved),
            ("edges appeared", self.edges_appeared),
            ("edges vanished", self.edges_vanished),
            ("edges whose probability moved", self.edges_probability_moved),
        ]
    }
}

/// Text of every cell of a column (null as `None`).
fn texts(df: &DataFrame, col: &str) -> Result<Vec<Option<String>>, PolarsError> {
    let s = df.column(col)?.as_materialized_series().cast(&DataType::String)?;
    Ok(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// Every cell of a column as a float.
fn floats(df: &DataFrame, col: &str) -> Result<Vec<Option<f64>>, PolarsError> {
    let s = df.column(col)?.as_materialized_series().cast(&DataType::Float64)?;
    Ok(s.f64()?.iter().collect())
}

/// Every cell of a column as a signed integer.
fn ints(df: &DataFrame, col: &str) -> Result<Vec<Option<i64>>, PolarsError> {
    let s = df.column(col)?.as_materialized_series().cast(&DataType::Int64)?;
    Ok(s.i64()?.iter().collect())
}

fn has_column(df: &DataFrame, col: &str) -> bool {
    df.get_column_names().iter().any(|c| c.as_str() == col)
}

/// The pair of tables named `table`, or why they cannot be compared.
fn pair<'a>(
    old: &'a LoadedRun,
    new: &'a LoadedRun,
    table: &str,
    columns: &[&str],
) -> Result<(&'a DataFrame, &'a DataFrame), String> {
    let (o, n) = match (old.tables.get(table), new.tables.get(table)) {
        (Some(o), Some(n)) => (o, n),
        (None, Some(_)) => return Err("missing in OLD".into()),
        (Some(_), None) => return Err("missing in NEW".into()),
        (None, None) => return Err("missing in both runs".into()),
    };
    for c in columns {
        for (side, df) in [("OLD", o), ("NEW", n)] {
            if !has_column(df, c) {
                return Err(format!("column {c} missing in {side}"));
            }
        }
    }
    Ok((o, n))
}

/// Compares two loaded runs. Pure: no I/O, deterministic order (everything by key).
///
/// Input tables by `id` (all columns but [`IGNORED_COLUMNS`]); hubs by `node` within the
/// top `options.top_n` by `rank`; hotspot cells by `cell` (`bin`, and `category` of
/// `emerging_hotspots`); paths by `case` and `nodes` (`share`); network edges by `source`
/// and `target` (`p`). A table missing from either run, or missing a key column, is listed
/// in [`RunDiff::not_compared`]. O(n log n) in the rows of the tables.
///
/// ```
/// use std::collections::BTreeMap;
/// use divnet::diff::{compare, DiffOptions, LoadedRun, RunInfo};
/// use divnet::output::TableBuilder;
/// let run = |name: &str, ids: &[&str], qty: &[u64]| {
///     let t = TableBuilder::new("seizures")
///         .text("id", ids.iter().map(|s| Some(*s)))
///         .uint("quantity", qty.iter().map(|q| Some(*q)))
///         .build()
///         .unwrap();
///     let info = RunInfo { name: name.into(), divnet_version: None, started_utc: None };
///     LoadedRun { info, tables: BTreeMap::from([("seizures".to_string(), t.df)]) }
/// };
/// let d = compare(&run("a", &["S1", "S2"], &[1, 2]), &run("b", &["S2", "S3"], &[5, 1]),
///     &DiffOptions::default());
/// assert_eq!(d.rows[0].added, ["S3"]);
/// assert_eq!(d.rows[0].removed, ["S1"]);
/// assert_eq!(d.rows[0].changed[0].id, "S2");
/// assert!(d.has_changes());
/// ```
pub fn compare(old: &LoadedRun, new: &LoadedRun, options: &DiffOptions) -> RunDiff {
    let mut skipped = Vec::new();
    let mut rows = Vec::new();
    for table in INPUT_TABLES {
        rows.extend(section(old, new, table, &["id"], &mut skipped, |o, n| {
            compare_rows(table, o, n)
        }));
    }
    let hubs = section(old, new, "hubs", &["rank", "node"], &mut skipped, |o, n| {
        compare_hubs(o, n, options.top_n)
    });
    let bins = section(old, new, "hotspot_cells", &["cell", "bin"], &mut skipped, compare_bins);
    let categories = section(
        old,
        new,
        "emerging_hotspots",
        &["cell", "category"],
        &mut skipped,
        compare_categories,
    );
    let paths = section(old, new, "paths", &["case", "nodes", "share"], &mut skipped, |o, n| {
        compare_paths(o, n, options.share_threshold)
    });
    let edges =
        section(old, new, "network_edges", &["source", "target", "p"], &mut skipped, |o, n| {
            compare_edges(o, n, options.probability_threshold)
        });
    RunDiff {
        old: old.info.clone(),
        new: new.info.clone(),
        options: *options,
        rows,
        hubs: hubs.unwrap_or_default(),
        bins: bins.unwrap_or_default(),
        categories: categories.unwrap_or_default(),
        paths: paths.unwrap_or_default(),
        edges: edges.unwrap_or_default(),
        not_compared: skipped,
    }
}

/// Runs `f` on the two runs' `table` when both have it with the `columns`; otherwise, or
/// when `f` cannot read a column, notes why in `skipped` and returns `None`.
fn section<T>(
    old: &LoadedRun,
    new: &LoadedRun,
    table: &str,
    columns: &[&str],
    skipped: &mut Vec<NotCompared>,
    f: impl FnOnce(&DataFrame, &DataFrame) -> Result<T, PolarsError>,
) -> Option<T> {
    let result = pair(old, new, table, columns)
        .and_then(|(o, n)| f(o, n).map_err(|e| format!("cannot read its columns: {e}")));
    result.map_err(|reason| skipped.push(NotCompared { table: table.to_string(), reason })).ok()
}

/// Rows by id: the values of `columns` per row (the first row of a repeated id wins).
fn rows_by_id(
    df: &DataFrame,
    columns: &[String],
) -> Result<BTreeMap<String, Vec<Option<String>>>, PolarsError> {
    let ids = texts(df, "id")?;
    let cols: Vec<Vec<Option<String>>> =
        columns.iter().map(|c| texts(df, c)).collect::<Result<_, _>>()?;
    let mut out = BTreeMap::new();
    for (i, id) in ids.into_iter().enumerate() {
        let values = cols.iter().map(|c| c[i].clone()).collect();
        out.entry(id.unwrap_or_default()).or_insert(values);
    }
    Ok(out)
}

fn compare_rows(table: &str, old: &DataFrame, new: &DataFrame) -> Result<RowsDiff, PolarsError> {
    let names = |df: &DataFrame| -> Vec<String> {
        df.get_column_names()
            .iter()
            .map(|c| c.to_string())
            .filter(|c| c != "id" && !IGNORED_COLUMNS.contains(&c.as_str()))
            .collect()
    };
    let (old_cols, new_cols) = (names(old), names(new));
    let common: Vec<String> = old_cols.iter().filter(|c| new_cols.contains(c)).cloned().collect();
    let columns_added = new_cols.iter().filter(|c| !old_cols.contains(c)).cloned().collect();
    let columns_removed = old_cols.iter().filter(|c| !new_cols.contains(c)).cloned().collect();
    let o = rows_by_id(old, &common)?;
    let n = rows_by_id(new, &common)?;
    let mut diff = RowsDiff {
        table: table.to_string(),
        added: n.keys().filter(|id| !o.contains_key(*id)).cloned().collect(),
        removed: o.keys().filter(|id| !n.contains_key(*id)).cloned().collect(),
        changed: Vec::new(),
        unchanged: 0,
        columns_added,
        columns_removed,
    };
    for (id, ov) in &o {
        let Some(nv) = n.get(id) else { continue };
        let columns: Vec<ValueChange> = common
            .iter()
            .zip(ov.iter().zip(nv))
            .filter(|(_, (a, b))| a != b)
            .map(|(c, (a, b))| ValueChange { column: c.clone(), old: a.clone(), new: b.clone() })
            .collect();
        if columns.is_empty() {
            diff.unchanged += 1;
        } else {
            diff.changed.push(ChangedRow { id: id.clone(), columns });
        }
    }
    Ok(diff)
}

/// Node id -> (rank, name) of a hubs table.
fn hub_ranks(df: &DataFrame) -> Result<BTreeMap<String, (u64, String)>, PolarsError> {
    let nodes = texts(df, "node")?;
    let ranks = ints(df, "rank")?;
    let names = if has_column(df, "name") { texts(df, "name")? } else { nodes.clone() };
    let mut out = BTreeMap::new();
    for ((node, rank), name) in nodes.into_iter().zip(ranks).zip(names) {
        let (Some(node), Some(rank)) = (node, rank) else { continue };
        let rank = u64::try_from(rank).unwrap_or(u64::MAX);
        let name = name.unwrap_or_else(|| node.clone());
        out.entry(node).or_insert((rank, name));
    }
    Ok(out)
}

fn compare_hubs(
    old: &DataFrame,
    new: &DataFrame,
    top_n: usize,
) -> Result<Vec<HubRank>, PolarsError> {
    let (o, n) = (hub_ranks(old)?, hub_ranks(new)?);
    let top = top_n as u64;
    let nodes: BTreeSet<&String> = o
        .iter()
        .chain(n.iter())
        .filter(|(_, (rank, _))| *rank <= top)
        .map(|(node, _)| node)
        .collect();
    let mut out: Vec<HubRank> = nodes
        .into_iter()
        .map(|node| {
            let old_rank = o.get(node).map(|x| x.0);
            let new_rank = n.get(node).map(|x| x.0);
            let in_top = |r: Option<u64>| r.is_some_and(|r| r <= top);
            let status = match (in_top(old_rank), in_top(new_rank)) {
                (true, true) if old_rank == new_rank => HubStatus::Unchanged,
                (true, true) => HubStatus::Moved,
                (false, _) => HubStatus::Entered,
                (true, false) => HubStatus::Left,
            };
            let name = n.get(node).or_else(|| o.get(node)).map(|x| x.1.clone()).unwrap_or_default();
            HubRank { node: node.clone(), name, status, old_rank, new_rank }
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |h: &HubRank| {
            (
                h.new_rank.filter(|r| *r <= top).unwrap_or(u64::MAX),
                h.old_rank.unwrap_or(u64::MAX),
                h.node.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(out)
}

fn compare_bins(old: &DataFrame, new: &DataFrame) -> Result<Vec<BinChange>, PolarsError> {
    let by_cell = |df: &DataFrame| -> Result<BTreeMap<String, i64>, PolarsError> {
        let mut m = BTreeMap::new();
        for (c, b) in texts(df, "cell")?.into_iter().zip(ints(df, "bin")?) {
            if let Some(c) = c {
                m.entry(c).or_insert(b.unwrap_or(0));
            }
        }
        Ok(m)
    };
    let (o, n) = (by_cell(old)?, by_cell(new)?);
    let cells: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    Ok(cells
        .into_iter()
        .filter_map(|cell| {
            let (old_bin, new_bin) = (o.get(cell).copied(), n.get(cell).copied());
            (old_bin.unwrap_or(0) != new_bin.unwrap_or(0)).then(|| BinChange {
                cell: cell.clone(),
                old_bin,
                new_bin,
            })
        })
        .collect())
}

fn compare_categories(
    old: &DataFrame,
    new: &DataFrame,
) -> Result<Vec<CategoryChange>, PolarsError> {
    let by_cell = |df: &DataFrame| -> Result<BTreeMap<String, String>, PolarsError> {
        let mut m = BTreeMap::new();
        for (c, k) in texts(df, "cell")?.into_iter().zip(texts(df, "category")?) {
            if let Some(c) = c {
                m.entry(c).or_insert(k.unwrap_or_else(|| NO_PATTERN.to_string()));
            }
        }
        Ok(m)
    };
    let (o, n) = (by_cell(old)?, by_cell(new)?);
    let cells: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    Ok(cells
        .into_iter()
        .filter_map(|cell| {
            let (old_category, new_category) = (o.get(cell).cloned(), n.get(cell).cloned());
            let shown = |c: &Option<String>| c.clone().unwrap_or_else(|| NO_PATTERN.to_string());
            (shown(&old_category) != shown(&new_category)).then(|| CategoryChange {
                cell: cell.clone(),
                old_category,
                new_category,
            })
        })
        .collect())
}

/// Appeared, vanished and moved entries of two keyed maps of values: moved when both
/// values are known and differ by more than `threshold` (a value missing on one side
/// counts as moved when the other is known).
fn keyed_changes<K: Ord + Clone>(
    old: &BTreeMap<K, Option<f64>>,
    new: &BTreeMap<K, Option<f64>>,
    threshold: f64,
) -> Vec<(K, Presence, Option<f64>, Option<f64>)> {
    let keys: BTreeSet<&K> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (a, b) = (old.get(k), new.get(k));
            let status = match (a, b) {
                (None, Some(_)) => Presence::Appeared,
                (Some(_), None) => Presence::Vanished,
                (Some(Some(x)), Some(Some(y))) if (x - y).abs() > threshold => Presence::Moved,
                (Some(None), Some(Some(_))) | (Some(Some(_)), Some(None)) => Presence::Moved,
                _ => return None,
            };
            Some((k.clone(), status, a.copied().flatten(), b.copied().flatten()))
        })
        .collect()
}

fn compare_paths(
    old: &DataFrame,
    new: &DataFrame,
    threshold: f64,
) -> Result<Vec<PathChange>, PolarsError> {
    type Keyed = (BTreeMap<(String, String), Option<f64>>, BTreeMap<(String, String), String>);
    let read = |df: &DataFrame| -> Result<Keyed, PolarsError> {
        let (cases, nodes, shares) =
            (texts(df, "case")?, texts(df, "nodes")?, floats(df, "share")?);
        let names = if has_column(df, "names") { texts(df, "names")? } else { nodes.clone() };
        let (mut share, mut name) = (BTreeMap::new(), BTreeMap::new());
        for (((c, n), s), nm) in cases.into_iter().zip(nodes).zip(shares).zip(names) {
            let key = (c.unwrap_or_default(), n.unwrap_or_default());
            name.entry(key.clone()).or_insert(nm.unwrap_or_default());
            share.entry(key).or_insert(s);
        }
        Ok((share, name))
    };
    let ((o, o_names), (n, n_names)) = (read(old)?, read(new)?);
    Ok(keyed_changes(&o, &n, threshold)
        .into_iter()
        .map(|(key, status, old_share, new_share)| {
            let names =
                n_names.get(&key).or_else(|| o_names.get(&key)).cloned().unwrap_or_default();
            PathChange { case: key.0, nodes: key.1, names, status, old_share, new_share }
        })
        .collect())
}

fn compare_edges(
    old: &DataFrame,
    new: &DataFrame,
    threshold: f64,
) -> Result<Vec<EdgeChange>, PolarsError> {
    let read = |df: &DataFrame| -> Result<BTreeMap<(String, String), Option<f64>>, PolarsError> {
        let mut m = BTreeMap::new();
        for ((s, t), p) in
            texts(df, "source")?.into_iter().zip(texts(df, "target")?).zip(floats(df, "p")?)
        {
            m.entry((s.unwrap_or_default(), t.unwrap_or_default())).or_insert(p);
        }
        Ok(m)
    };
    let (o, n) = (read(old)?, read(new)?);
    Ok(keyed_changes(&o, &n, threshold)
        .into_iter()
        .map(|((source, target), status, old_p, new_p)| EdgeChange {
            source,
            target,
            status,
            old_p,
            new_p,
        })
        .collect())
}

/// A Gi* confidence bin in words: "hot spot, 99 % confidence", "not significant", ...
///
/// ```
/// assert_eq!(divnet::diff::bin_label(-2), "cold spot, 95 % confidence");
/// assert_eq!(divnet::diff::bin_label(0), "not significant");
/// ```
pub fn bin_label(bin: i64) -> String {
    let level = match bin.unsigned_abs() {
        0 => return "not significant".to_string(),
        1 => 90,
        2 => 95,
        _ => 99,
    };
    let kind = if bin > 0 { "hot" } else { "cold" };
    format!("{kind} spot, {level} % confidence")
}

fn fmt_opt_f64(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"))
}

fn fmt_rank(r: Option<u64>) -> String {
    r.map_or_else(|| "-".to_string(), |r| r.to_string())
}

impl RunDiff {
    /// `diff.md`: a readable summary (for an email from a scheduled job). Every user string
    /// (ids, names, cells) is escaped; each list shows its first [`MARKDOWN_LIST_LIMIT`]
    /// entries (the `diff_*` tables hold all).
    pub fn markdown(&self) -> String {
        let s = self.summary();
        let top = self.options.top_n;
        let mut m = String::new();
        let _ = writeln!(
            m,
            "# divnet diff: {} → {}\n",
            md_escape_text(&self.old.name),
            md_escape_text(&self.new.name)
        );
        for (label, r) in [("Old run", &self.old), ("New run", &self.new)] {
            let _ = writeln!(
                m,
                "- {label}: {} (divnet {}, started {})",
                md_escape_text(&r.name),
                md_escape_text(r.divnet_version.as_deref().unwrap_or("unknown")),
                md_escape_text(r.started_utc.as_deref().unwrap_or("unknown"))
            );
        }
        let _ = writeln!(
            m,
            "- Compared: hubs in the top {top}; path shares moving by more than {}; edge probabilities moving by more than {}\n",
            self.options.share_threshold, self.options.probability_threshold
        );
        let _ =
            writeln!(m, "{}\n", if s.changed { "**Changes found.**" } else { "**No changes.**" });
        let _ = writeln!(m, "## Summary\n");
        let _ = writeln!(m, "| input table | added | removed | changed | unchanged |");
        let _ = writeln!(m, "|---|---:|---:|---:|---:|");
        for (table, c) in &s.rows {
            let _ = writeln!(
                m,
                "| {table} | {} | {} | {} | {} |",
                c.added, c.removed, c.changed, c.unchanged
            );
        }
        let _ = writeln!(m, "\n| derived change | count |");
        let _ = writeln!(m, "|---|---:|");
        for (label, n) in s.derived() {
            let _ = writeln!(m, "| {} | {n} |", label.replace("top N", &format!("top {top}")));
        }
        if !self.not_compared.is_empty() {
            let _ = writeln!(m, "\n## Not compared\n");
            for nc in &self.not_compared {
                let _ =
                    writeln!(m, "- {}: {}", md_escape_text(&nc.table), md_escape_text(&nc.reason));
            }
        }
        self.markdown_rows(&mut m);
        self.markdown_derived(&mut m);
        m
    }

    fn markdown_rows(&self, m: &mut String) {
        let list = |m: &mut String, what: &str, ids: Vec<String>| {
            if ids.is_empty() {
                return;
            }
            let shown: Vec<String> =
                ids.iter().take(MARKDOWN_LIST_LIMIT).map(|i| md_escape_text(i)).collect();
            let more = ids.len().saturating_sub(MARKDOWN_LIST_LIMIT);
            let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
            let _ = writeln!(m, "- {what} ({}): {}{tail}", ids.len(), shown.join(", "));
        };
        for r in &self.rows {
            if r.added.is_empty()
                && r.removed.is_empty()
                && r.changed.is_empty()
                && r.columns_added.is_empty()
                && r.columns_removed.is_empty()
            {
                continue;
            }
            let _ = writeln!(m, "\n## {}\n", r.table);
            list(m, "added", r.added.clone());
            list(m, "removed", r.removed.clone());
            list(
                m,
                "changed",
                r.changed
                    .iter()
                    .map(|c| {
                        let cols: Vec<&str> = c.columns.iter().map(|v| v.column.as_str()).collect();
                        format!("{} ({})", c.id, cols.join(", "))
                    })
                    .collect(),
            );
            list(m, "columns only in the new run (not compared)", r.columns_added.clone());
            list(m, "columns only in the old run (not compared)", r.columns_removed.clone());
        }
    }

    fn markdown_derived(&self, m: &mut String) {
        let table = |m: &mut String, title: &str, header: &[&str], rows: Vec<Vec<String>>| {
            if rows.is_empty() {
                return;
            }
            let _ = writeln!(m, "\n## {title}\n");
            let _ = writeln!(m, "| {} |", header.join(" | "));
            let _ = writeln!(m, "|{}|", vec!["---"; header.len()].join("|"));
            for r in rows.iter().take(MARKDOWN_LIST_LIMIT) {
                let cells: Vec<String> = r.iter().map(|c| md_escape_cell(c)).collect();
                let _ = writeln!(m, "| {} |", cells.join(" | "));
            }
            if rows.len() > MARKDOWN_LIST_LIMIT {
                let _ = writeln!(
                    m,
                    "\n… and {} more (see the table files).",
                    rows.len() - MARKDOWN_LIST_LIMIT
                );
            }
        };
        let hubs = self
            .hubs
            .iter()
            .filter(|h| h.status != HubStatus::Unchanged)
            .map(|h| {
                vec![
                    h.name.clone(),
                    h.node.clone(),
                    h.status.as_str().into(),
                    fmt_rank(h.old_rank),
                    fmt_rank(h.new_rank),
                ]
            })
            .collect();
        table(
            m,
            &format!("Hubs (top {})", self.options.top_n),
            &["hub", "node", "change", "old rank", "new rank"],
            hubs,
        );
        let bin = |b: Option<i64>| b.map_or_else(|| "absent".to_string(), bin_label);
        let cells = self
            .bins
            .iter()
            .map(|c| vec![c.cell.clone(), bin(c.old_bin), bin(c.new_bin)])
            .collect();
        table(m, "Hotspot confidence bins", &["cell", "old", "new"], cells);
        let cat = |c: &Option<String>| c.clone().unwrap_or_else(|| "absent".to_string());
        let cats = self
            .categories
            .iter()
            .map(|c| vec![c.cell.clone(), cat(&c.old_category), cat(&c.new_category)])
            .collect();
        table(m, "Emerging hotspot categories", &["cell", "old", "new"], cats);
        let paths = self
            .paths
            .iter()
            .map(|p| {
                vec![
                    p.case.clone(),
                    p.names.clone(),
                    p.status.as_str().into(),
                    fmt_opt_f64(p.old_share),
                    fmt_opt_f64(p.new_share),
                ]
            })
            .collect();
        table(m, "Paths", &["case", "path", "change", "old share", "new share"], paths);
        let edges = self
            .edges
            .iter()
            .map(|e| {
                vec![
                    e.source.clone(),
                    e.target.clone(),
                    e.status.as_str().into(),
                    fmt_opt_f64(e.old_p),
                    fmt_opt_f64(e.new_p),
                ]
            })
            .collect();
        table(m, "Network edges", &["source", "target", "change", "old p", "new p"], edges);
    }

    /// A few lines for the terminal: the counts that are not zero, or "no changes".
    pub fn terminal_summary(&self) -> String {
        let s = self.summary();
        let mut out = format!("{} -> {}\n", self.old.name, self.new.name);
        for (table, c) in &s.rows {
            if c.added + c.removed + c.changed > 0 {
                let _ = writeln!(
                    out,
                    "{table:<9} {} added, {} removed, {} changed",
                    c.added, c.removed, c.changed
                );
            }
        }
        for (label, n) in s.derived() {
            if n > 0 {
                let label = label.replace("top N", &format!("top {}", self.options.top_n));
                let _ = writeln!(out, "{n} {label}");
            }
        }
        for nc in &self.not_compared {
            let _ = writeln!(out, "{} not compared: {}", nc.table, nc.reason);
        }
        out.push_str(if s.changed { "changes found\n" } else { "no changes\n" });
        out
    }

    /// The `diff_rows`, `diff_hubs`, `diff_cells`, `diff_paths` and `diff_edges` tables.
    ///
    /// # Errors
    /// [`DiffError::Encode`] if a table cannot be built.
    pub fn tables(&self) -> Result<Vec<Table>, DiffError> {
        self.build_tables().map_err(DiffError::Encode)
    }

    fn build_tables(&self) -> Result<Vec<Table>, OutputError> {
        // diff_rows: one row per added, removed or changed input row.
        let mut rows: Vec<[Option<String>; 6]> = Vec::new();
        for r in &self.rows {
            let simple = |id: &String, change: &str| {
                [Some(r.table.clone()), Some(id.clone()), Some(change.into()), None, None, None]
            };
            rows.extend(r.added.iter().map(|id| simple(id, "added")));
            rows.extend(r.removed.iter().map(|id| simple(id, "removed")));
            for c in &r.changed {
                let join = |f: &dyn Fn(&ValueChange) -> String| {
                    c.columns.iter().map(f).collect::<Vec<_>>().join("; ")
                };
                rows.push([
                    Some(r.table.clone()),
                    Some(c.id.clone()),
                    Some("changed".into()),
                    Some(join(&|v| v.column.clone())),
                    Some(join(&|v| format!("{}={}", v.column, v.old.as_deref().unwrap_or("")))),
                    Some(join(&|v| format!("{}={}", v.column, v.new.as_deref().unwrap_or("")))),
                ]);
            }
        }
        let col = |i: usize| rows.iter().map(move |r| r[i].clone());
        let diff_rows = TableBuilder::new("diff_rows")
            .text("table", col(0))
            .text("id", col(1))
            .text("change", col(2))
            .text("columns", col(3))
            .text("old", col(4))
            .text("new", col(5))
            .build()?;
        let h = &self.hubs;
        let diff_hubs = TableBuilder::new("diff_hubs")
            .text("node", h.iter().map(|x| Some(&x.node)))
            .text("name", h.iter().map(|x| Some(&x.name)))
            .text("change", h.iter().map(|x| Some(x.status.as_str())))
            .uint("old_rank", h.iter().map(|x| x.old_rank))
            .uint("new_rank", h.iter().map(|x| x.new_rank))
            .build()?;
        let mut cells: Vec<(String, &str, Option<String>, Option<String>)> = self
            .bins
            .iter()
            .map(|b| {
                let t = |v: Option<i64>| v.map(|v| v.to_string());
                (b.cell.clone(), "confidence_bin", t(b.old_bin), t(b.new_bin))
            })
            .chain(self.categories.iter().map(|c| {
                (
                    c.cell.clone(),
                    "emerging_category",
                    c.old_category.clone(),
                    c.new_category.clone(),
                )
            }))
            .collect();
        cells.sort();
        let diff_cells = TableBuilder::new("diff_cells")
            .text("cell", cells.iter().map(|c| Some(&c.0)))
            .text("change", cells.iter().map(|c| Some(c.1)))
            .text("old", cells.iter().map(|c| c.2.as_deref()))
            .text("new", cells.iter().map(|c| c.3.as_deref()))
            .build()?;
        let p = &self.paths;
        let diff_paths = TableBuilder::new("diff_paths")
            .text("case", p.iter().map(|x| Some(&x.case)))
            .text("nodes", p.iter().map(|x| Some(&x.nodes)))
            .text("names", p.iter().map(|x| Some(&x.names)))
            .text("change", p.iter().map(|x| Some(x.status.as_str())))
            .float("old_share", p.iter().map(|x| x.old_share))
            .float("new_share", p.iter().map(|x| x.new_share))
            .build()?;
        let e = &self.edges;
        let diff_edges = TableBuilder::new("diff_edges")
            .text("source", e.iter().map(|x| Some(&x.source)))
            .text("target", e.iter().map(|x| Some(&x.target)))
            .text("change", e.iter().map(|x| Some(x.status.as_str())))
            .float("old_p", e.iter().map(|x| x.old_p))
            .float("new_p", e.iter().map(|x| x.new_p))
            .build()?;
        Ok(vec![diff_rows, diff_hubs, diff_cells, diff_paths, diff_edges])
    }

    /// The slope chart's input: every hub in the top N of either run.
    pub fn slope_input(&self) -> SlopeInput {
        SlopeInput {
            title: format!("Hub rank changes (top {})", self.options.top_n),
            old_label: self.old.name.clone(),
            new_label: self.new.name.clone(),
            top_n: self.options.top_n,
            hubs: self
                .hubs
                .iter()
                .map(|h| HubRankLine {
                    name: h.name.clone(),
                    old_rank: h.old_rank,
                    new_rank: h.new_rank,
                })
                .collect(),
        }
    }
}

/// One file of a diff's output, with its SHA-256 (listed in `diff.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputEntry {
    /// File name.
    pub file: String,
    /// SHA-256 of the content.
    pub sha256: String,
}

/// `diff.json`: the format marker, the counts, the whole diff and the other files written.
#[derive(Serialize)]
struct DiffJson<'a> {
    format: &'static str,
    summary: Summary,
    diff: &'a RunDiff,
    outputs: Vec<OutputEntry>,
}

/// The name of the hub rank figure (`hub_ranks.png`, `hub_ranks.svg`).
pub const FIGURE: &str = "hub_ranks";

/// Renders every output file of a diff to bytes, `diff.json` last: `diff.md`, the five
/// `diff_*` tables as `.parquet` and `.csv`, `hub_ranks.png` and `.svg`, and `diff.json`
/// (which lists the others with their SHA-256). Nothing depends on the clock, so the bytes
/// are the same for the same two runs.
///
/// # Errors
/// [`DiffError::Encode`], [`DiffError::Chart`] or [`DiffError::Json`].
pub fn render(diff: &RunDiff) -> Result<Vec<(String, Vec<u8>)>, DiffError> {
    let mut files: Vec<(String, Vec<u8>)> = vec![("diff.md".into(), diff.markdown().into_bytes())];
    for t in diff.tables()? {
        files.push((format!("{}.parquet", t.name), t.parquet_bytes().map_err(DiffError::Encode)?));
        files.push((format!("{}.csv", t.name), t.csv_bytes().map_err(DiffError::Encode)?));
    }
    let date = |r: &RunInfo| {
        r.started_utc.as_deref().map_or("unknown", |s| s.get(..10).unwrap_or(s)).to_string()
    };
    let caption = Caption {
        source: "hubs table of each run".into(),
        date_range: format!("runs started {} and {}", date(&diff.old), date(&diff.new)),
        dated: format!("{} → {}", diff.old.name, diff.new.name),
    };
    let fig = crate::chart::slope::render(&diff.slope_input(), &caption, RenderSize::PRINT)
        .map_err(DiffError::Chart)?;
    files.push((format!("{FIGURE}.png"), fig.png));
    files.push((format!("{FIGURE}.svg"), fig.svg.into_bytes()));
    let doc = DiffJson {
        format: FORMAT,
        summary: diff.summary(),
        diff,
        outputs: files
            .iter()
            .map(|(file, bytes)| OutputEntry { file: file.clone(), sha256: sha256_hex(bytes) })
            .collect(),
    };
    let mut json = serde_json::to_vec_pretty(&doc).map_err(DiffError::Json)?;
    json.push(b'\n');
    files.push(("diff.json".into(), json));
    Ok(files)
}

/// `path` made absolute through its nearest existing ancestor (symbolic links resolved).
fn canonical_or_planned(path: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(path) {
        return c;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            canonical_or_planned(parent).join(name)
        }
        _ => path.to_path_buf(),
    }
}

/// Checks that `out` may receive a diff: it does not exist, is empty, or holds an earlier
/// diff (a `diff.json` of [`FORMAT`] listing every other file there). Files of an earlier
/// diff edited since it was written (SHA-256 against its `diff.json`) are replaced only with
/// `force`; a file divnet did not write is never replaced. `out` may not lie inside any of
/// `protect` (the compared run directories).
fn check_out_dir(out: &Path, force: bool, protect: &[&Path]) -> Result<(), DiffError> {
    let refuse = |reason: String| Err(DiffError::OutputRefused { path: out.to_path_buf(), reason });
    let planned = canonical_or_planned(out);
    for p in protect {
        let p = canonical_or_planned(p);
        if planned.starts_with(&p) {
            return refuse(format!("it lies inside the run directory {}", p.display()));
        }
    }
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return refuse("it exists and is not a directory".into());
    }
    let read_err = |source| DiffError::Read { path: out.to_path_buf(), source };
    let mut present = Vec::new();
    for entry in std::fs::read_dir(out).map_err(read_err)? {
        present.push(entry.map_err(read_err)?.file_name().to_string_lossy().to_string());
    }
    if present.is_empty() {
        return Ok(());
    }
    present.sort();
    let marker = out.join("diff.json");
    let earlier: Option<serde_json::Value> =
        std::fs::read(&marker).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let Some(earlier) = earlier.filter(|v| v["format"] == FORMAT) else {
        return refuse(
            "it is not empty and holds no earlier divnet diff (no diff.json); choose a new --out"
                .into(),
        );
    };
    let listed: BTreeMap<String, String> = earlier["outputs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|o| {
                    Some((o["file"].as_str()?.to_string(), o["sha256"].as_str()?.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    for name in &present {
        if name != "diff.json" && !listed.contains_key(name) {
            return refuse(format!(
                "it holds {name}, which divnet diff did not write (never replaced, even with --force)"
            ));
        }
    }
    if !force {
        for (name, sha) in &listed {
            let path = out.join(name);
            if let Ok(bytes) = std::fs::read(&path)
                && &sha256_hex(&bytes) != sha
            {
                return refuse(format!(
                    "{name} was edited since divnet diff wrote it; pass --force to replace it"
                ));
            }
        }
    }
    Ok(())
}

/// Writes rendered diff files into `out` after [`check_out_dir`]'s checks: each file goes
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

    fn run(name: &str, tables: Vec<Table>) -> LoadedRun {
        let info =
            RunInfo { name: name.into(), divnet_version: Some("0.1.0".into()), started_utc: None };
        LoadedRun { info, tables: tables.into_iter().map(|t| (t.name, t.df)).collect() }
    }

    fn seizures(rows: &[(&str, u64, &str, u64)]) -> Table {
        TableBuilder::new("seizures")
            .text("id", rows.iter().map(|r| Some(r.0)))
            .uint("quantity", rows.iter().map(|r| Some(r.1)))
            .text("source_file", rows.iter().map(|r| Some(r.2)))
            .uint("source_line", rows.iter().map(|r| Some(r.3)))
            .build()
            .unwrap()
    }

    fn hubs(nodes: &[&str]) -> Table {
        TableBuilder::new("hubs")
            .uint("rank", (1..=nodes.len() as u64).map(Some))
            .text("node", nodes.iter().map(|n| Some(*n)))
            .text("name", nodes.iter().map(|n| Some(format!("Hub {n}"))))
            .build()
            .unwrap()
    }

    fn edges(rows: &[(&str, &str, f64)]) -> Table {
        TableBuilder::new("network_edges")
            .text("source", rows.iter().map(|r| Some(r.0)))
            .text("target", rows.iter().map(|r| Some(r.1)))
            .float("p", rows.iter().map(|r| Some(r.2)))
            .build()
            .unwrap()
    }

    fn paths(rows: &[(&str, &str, f64)]) -> Table {
        TableBuilder::new("paths")
            .text("case", rows.iter().map(|r| Some(r.0)))
            .text("nodes", rows.iter().map(|r| Some(r.1)))
            .float("share", rows.iter().map(|r| Some(r.2)))
            .build()
            .unwrap()
    }

    #[test]
    fn rows_by_id_ignore_where_a_row_was_read() {
        let a = run(
            "a",
            vec![seizures(&[("S1", 1, "a.csv", 2), ("S2", 2, "a.csv", 3), ("S3", 3, "a.csv", 4)])],
        );
        let b = run(
            "b",
            vec![seizures(&[("S4", 1, "b.csv", 2), ("S3", 9, "b.csv", 3), ("S2", 2, "b.csv", 9)])],
        );
        let d = compare(&a, &b, &DiffOptions::default());
        let r = &d.rows[0];
        assert_eq!(r.added, ["S4"]);
        assert_eq!(r.removed, ["S1"]);
        assert_eq!(r.changed.len(), 1);
        assert_eq!(r.changed[0].id, "S3");
        assert_eq!(
            r.changed[0].columns,
            [ValueChange {
                column: "quantity".into(),
                old: Some("3".into()),
                new: Some("9".into())
            }]
        );
        assert_eq!(r.unchanged, 1);
        assert!(d.has_changes());
        // Tables missing on both sides are reported, not errors.
        assert!(
            d.not_compared
                .iter()
                .any(|n| n.table == "looting" && n.reason == "missing in both runs")
        );
        assert!(d.not_compared.iter().any(|n| n.table == "hubs"));
    }

    #[test]
    fn a_run_compared_with_itself_has_no_changes() {
        let tables = || {
            vec![
                seizures(&[("S1", 1, "a.csv", 2)]),
                hubs(&["A", "B", "C"]),
                edges(&[("A", "B", 0.5)]),
                paths(&[("C1", "A;B", 1.0)]),
            ]
        };
        let d = compare(&run("a", tables()), &run("b", tables()), &DiffOptions::default());
        assert!(!d.has_changes(), "{d:?}");
        assert!(d.hubs.iter().all(|h| h.status == HubStatus::Unchanged));
        assert!(d.markdown().contains("**No changes.**"));
        assert!(d.terminal_summary().ends_with("no changes\n"));
    }

    #[test]
    fn hubs_enter_leave_and_move_within_the_top_n() {
        let a = run("a", vec![hubs(&["A", "B", "C", "D"])]);
        let b = run("b", vec![hubs(&["B", "A", "D", "C"])]);
        let opts = DiffOptions { top_n: 2, ..DiffOptions::default() };
        let d = compare(&a, &b, &opts);
        let got: Vec<(&str, HubStatus, Option<u64>, Option<u64>)> =
            d.hubs.iter().map(|h| (h.node.as_str(), h.status, h.old_rank, h.new_rank)).collect();
        assert_eq!(
            got,
            [("B", HubStatus::Moved, Some(2), Some(1)), ("A", HubStatus::Moved, Some(1), Some(2)),]
        );
        let opts = DiffOptions { top_n: 3, ..DiffOptions::default() };
        let d = compare(&a, &b, &opts);
        let got: Vec<(&str, HubStatus)> =
            d.hubs.iter().map(|h| (h.node.as_str(), h.status)).collect();
        assert_eq!(
            got,
            [
                ("B", HubStatus::Moved),
                ("A", HubStatus::Moved),
                ("D", HubStatus::Entered),
                ("C", HubStatus::Left),
            ]
        );
        let s = d.summary();
        assert_eq!((s.hubs_entered, s.hubs_left, s.hubs_moved), (1, 1, 2));
    }

    #[test]
    fn paths_and_edges_move_only_beyond_the_threshold() {
        let a = run(
            "a",
            vec![
                paths(&[("C1", "A;B", 0.6), ("C1", "A;C;B", 0.4), ("C2", "X;Y", 1.0)]),
                edges(&[("A", "B", 0.50), ("A", "C", 0.20), ("X", "Y", 0.9)]),
            ],
        );
        let b = run(
            "b",
            vec![
                paths(&[("C1", "A;B", 0.64), ("C1", "A;C;B", 0.26), ("C1", "A;D;B", 0.1)]),
                edges(&[("A", "B", 0.54), ("A", "C", 0.30), ("A", "D", 0.1)]),
            ],
        );
        let d = compare(&a, &b, &DiffOptions::default());
        let p: Vec<(&str, &str, Presence)> =
            d.paths.iter().map(|p| (p.case.as_str(), p.nodes.as_str(), p.status)).collect();
        assert_eq!(
            p,
            [
                ("C1", "A;C;B", Presence::Moved),
                ("C1", "A;D;B", Presence::Appeared),
                ("C2", "X;Y", Presence::Vanished),
            ]
        );
        let e: Vec<(&str, &str, Presence)> =
            d.edges.iter().map(|e| (e.source.as_str(), e.target.as_str(), e.status)).collect();
        assert_eq!(
            e,
            [
                ("A", "C", Presence::Moved),
                ("A", "D", Presence::Appeared),
                ("X", "Y", Presence::Vanished)
            ]
        );
        // A larger threshold hides the moves, not the appearances.
        let opts = DiffOptions::new(20, 0.2, 0.2).unwrap();
        let d = compare(&a, &b, &opts);
        assert!(d.paths.iter().all(|p| p.status != Presence::Moved));
        assert!(d.edges.iter().all(|e| e.status != Presence::Moved));
        assert_eq!(d.paths.len(), 2);
    }

    #[test]
    fn cells_absent_count_as_not_significant_and_no_pattern() {
        let cells = |rows: &[(&str, i64)]| {
            TableBuilder::new("hotspot_cells")
                .text("cell", rows.iter().map(|r| Some(r.0)))
                .int("bin", rows.iter().map(|r| Some(r.1)))
                .build()
                .unwrap()
        };
        let emerging = |rows: &[(&str, &str)]| {
            TableBuilder::new("emerging_hotspots")
                .text("cell", rows.iter().map(|r| Some(r.0)))
                .text("category", rows.iter().map(|r| Some(r.1)))
                .build()
                .unwrap()
        };
        let a = run(
            "a",
            vec![
                cells(&[("c1", 3), ("c2", 0), ("c3", -1)]),
                emerging(&[("c1", "New Hot Spot"), ("c2", NO_PATTERN)]),
            ],
        );
        let b = run(
            "b",
            vec![
                cells(&[("c1", 2), ("c3", -1), ("c4", 0), ("c5", 1)]),
                emerging(&[("c1", "Consecutive Hot Spot"), ("c5", NO_PATTERN)]),
            ],
        );
        let d = compare(&a, &b, &DiffOptions::default());
        assert_eq!(
            d.bins,
            [
                BinChange { cell: "c1".into(), old_bin: Some(3), new_bin: Some(2) },
                BinChange { cell: "c5".into(), old_bin: None, new_bin: Some(1) },
            ]
        );
        assert_eq!(
            d.categories,
            [CategoryChange {
                cell: "c1".into(),
                old_category: Some("New Hot Spot".into()),
                new_category: Some("Consecutive Hot Spot".into()),
            }]
        );
        let md = d.markdown();
        assert!(
            md.contains("| c1 | hot spot, 99 % confidence | hot spot, 95 % confidence |"),
            "{md}"
        );
    }

    #[test]
    fn markdown_escapes_user_text_and_limits_lists() {
        let ids: Vec<String> = (0..25).map(|i| format!("S{i:02}")).collect();
        let mut rows: Vec<(&str, u64, &str, u64)> =
            ids.iter().map(|i| (i.as_str(), 1, "f", 1)).collect();
        rows.push(("<img src=x>|*x*", 1, "f", 1));
        let a = run("a", vec![seizures(&[])]);
        let b = run("b", vec![seizures(&rows)]);
        let d = compare(&a, &b, &DiffOptions::default());
        let md = d.markdown();
        assert!(md.contains(r"\<img src=x\>\|\*x\*"), "{md}");
        assert!(!md.replace(r"\<", "").contains("<img"), "{md}");
        assert!(md.contains("- added (26): "), "{md}");
        assert!(md.contains(" and 6 more"), "{md}");
        assert!(md.contains("| seizures | 26 | 0 | 0 | 0 |"), "{md}");
        // All 26 are in the table.
        let t = d.tables().unwrap();
        assert_eq!(t[0].name, "diff_rows");
        assert_eq!(t[0].rows(), 26);
    }

    #[test]
    fn options_are_validated() {
        assert!(DiffOptions::new(0, 0.05, 0.05).is_err());
        assert!(DiffOptions::new(5, f64::NAN, 0.05).is_err());
        assert!(DiffOptions::new(5, 0.05, 1.0).is_err());
        assert_eq!(DiffOptions::new(20, 0.05, 0.05).unwrap(), DiffOptions::default());
    }

    #[test]
    fn rendering_is_deterministic_and_lists_its_files() {
        let a = run("a", vec![hubs(&["A", "B", "C"]), edges(&[("A", "B", 0.5)])]);
        let b = run("b", vec![hubs(&["C", "A", "B"]), edges(&[("A", "B", 0.7)])]);
        let d = compare(&a, &b, &DiffOptions::default());
        let one = render(&d).unwrap();
        let two = render(&d).unwrap();
        assert_eq!(one, two);
        let names: Vec<&str> = one.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names.last(), Some(&"diff.json"));
        for f in
            ["diff.md", "diff_rows.csv", "diff_edges.parquet", "hub_ranks.png", "hub_ranks.svg"]
        {
            assert!(names.contains(&f), "{f}");
        }
        let json: serde_json::Value = serde_json::from_slice(&one.last().unwrap().1).unwrap();
        assert_eq!(json["format"], FORMAT);
        assert_eq!(json["summary"]["hubs_moved"], 3);
        assert_eq!(json["summary"]["edges_probability_moved"], 1);
        assert_eq!(json["outputs"].as_array().unwrap().len(), one.len() - 1);
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
