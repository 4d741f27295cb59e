//! Ingestion: expand the configured inputs, read every file, validate every row in
//! parallel, and return typed records plus the rejected rows, in input order.
//!
//! A file that cannot be used at all (missing, unreadable, no required column) stops the
//! run with an [`IngestError`] naming the file; a row that cannot be used becomes a
//! [`Rejection`] and the run goes on.

pub mod read;
pub mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{Format, InputSpec};
use crate::geo::Gazetteer;
use crate::records::{LootingIncident, RouteReport, RowRef, Seizure};
use crate::schema::{Presence, TableKind};
use read::RawRow;
pub use validate::{Checker, Problem, Reason, RowNotes};

/// A file-level failure: the run stops with this message.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The path or glob matched no file.
    #[error("{table} input {pattern:?}: no such file")]
    NoFiles {
        /// Table kind.
        table: TableKind,
        /// The configured path or pattern.
        pattern: String,
    },
    /// The glob pattern is malformed.
    #[error("{table} input {pattern:?}: bad glob pattern: {problem}")]
    BadPattern {
        /// Table kind.
        table: TableKind,
        /// The pattern.
        pattern: String,
        /// What is wrong.
        problem: String,
    },
    /// The file cannot be read from disk.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The format cannot be guessed from the extension.
    #[error(
        "{path}: unknown format: name it with .csv, .parquet or .ndjson, or set format in the config"
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The file is not readable in its format.
    #[error("{path}: {problem}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// Required columns are missing.
    #[error("{path}: missing required {table} column(s) {missing}; found columns: {found}{hint}")]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// Table kind.
        table: TableKind,
        /// The missing schema columns, quoted and comma-separated.
        missing: String,
        /// The columns found, quoted and comma-separated.
        found: String,
        /// A hint (wrong delimiter, column mapping).
        hint: String,
    },
    /// A column name appears twice in the header.
    #[error("{path}: column {column:?} appears more than once in the header")]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The name.
        column: String,
    },
    /// Strict mode and at least one row was rejected.
    #[error("{count} row(s) rejected and strict mode is on; first: {first}")]
    Strict {
        /// Rejected rows.
        count: usize,
        /// The first rejection, described.
        first: String,
    },
}

/// A rejected row (one line of `rejected.csv` per problem).
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// Table kind.
    pub table: TableKind,
    /// Where.
    pub row: RowRef,
    /// The problem.
    pub problem: Problem,
}

/// What was read from one input file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    /// Table kind.
    pub table: TableKind,
    /// Path as resolved.
    pub path: PathBuf,
    /// Format.
    pub format: &'static str,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Data rows read (blank lines excluded).
    pub rows_read: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Columns present in the file but not used by the schema.
    pub ignored_columns: Vec<String>,
}

/// Everything ingestion produced.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Input files in read order (RowRef::file indexes this).
    pub files: Vec<FileReport>,
    /// Accepted seizures, in input order.
    pub seizures: Vec<Seizure>,
    /// Accepted looting incidents, in input order.
    pub looting: Vec<LootingIncident>,
    /// Accepted route reports, in input order.
    pub routes: Vec<RouteReport>,
    /// Rejected rows (one entry per problem), in input order.
    pub rejections: Vec<Rejection>,
    /// Accepted rows whose stated location precision was finer than their data supports.
    pub precision_downgraded: u64,
}

impl Ingested {
    /// Number of distinct rejected rows.
    pub fn rejected_rows(&self) -> usize {
        let mut rows: Vec<(TableKind, RowRef)> =
            self.rejections.iter().map(|r| (r.table, r.row)).collect();
        rows.sort_unstable();
        rows.dedup();
        rows.len()
    }

    /// Rejected rows per reason (a row with two problems of different reasons counts under both).
    pub fn rejections_by_reason(&self) -> Vec<(Reason, usize)> {
        let mut seen: HashMap<Reason, std::collections::HashSet<(TableKind, RowRef)>> =
            HashMap::new();
        for r in &self.rejections {
            seen.entry(r.problem.reason).or_default().insert((r.table, r.row));
        }
        let mut v: Vec<(Reason, usize)> = seen.into_iter().map(|(k, s)| (k, s.len())).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// Options of an ingestion.
#[derive(Debug, Clone, Copy)]
pub struct IngestOptions {
    /// Rows validated per parallel chunk.
    pub chunk_rows: usize,
    /// Reject everything after this day as a future date.
    pub today: chrono::NaiveDate,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions { chunk_rows: 65_536, today: chrono::Utc::now().date_naive() }
    }
}

/// The configured inputs of each kind, with paths resolved.
#[derive(Debug, Clone, Default)]
pub struct InputSet {
    /// Seizure sources.
    pub seizures: Vec<InputSpec>,
    /// Looting sources.
    pub looting: Vec<InputSpec>,
    /// Route sources.
    pub routes: Vec<InputSpec>,
}

fn expand(table: TableKind, spec: &InputSpec, base: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let full = if Path::new(&spec.path).is_absolute() {
        PathBuf::from(&spec.path)
    } else {
        crate::config::clean_path(&base.join(&spec.path))
    };
    let pattern = full.to_string_lossy().to_string();
    if !spec.path.contains(['*', '?', '[']) {
        return if full.is_file() {
            Ok(vec![full])
        } else {
            Err(IngestError::NoFiles { table, pattern })
        };
    }
    let paths = glob::glob(&pattern).map_err(|e| IngestError::BadPattern {
        table,
        pattern: pattern.clone(),
        problem: e.to_string(),
    })?;
    let mut out: Vec<PathBuf> = paths.filter_map(Result::ok).filter(|p| p.is_file()).collect();
    out.sort();
    if out.is_empty() {
        return Err(IngestError::NoFiles { table, pattern });
    }
    Ok(out)
}

/// The schema-column -> file-column mapping of one file.
fn map_columns(
    path: &Path,
    table: TableKind,
    header: &[String],
    spec: &InputSpec,
    delimiter: u8,
) -> Result<(Vec<Option<usize>>, Vec<String>), IngestError> {
    let mut seen = std::collections::HashSet::new();
    for h in header {
        if !h.is_empty() && !seen.insert(h.to_ascii_lowercase()) {
            return Err(IngestError::DuplicateColumn { path: path.into(), column: h.clone() });
        }
    }
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
    };
    let cols = table.columns();
    let mut map = Vec::with_capacity(cols.len());
    let mut missing = Vec::new();
    for c in cols {
        let source = spec.columns.get(c.name).map(String::as_str);
        let idx = find(source.unwrap_or(c.name));
        if idx.is_none() && (c.presence == Presence::Required || source.is_some()) {
            missing.push(match source {
                Some(s) => format!("{:?} (mapped from {:?})", c.name, s),
                None => format!("{:?}", c.name),
            });
        }
        map.push(idx);
    }
    let has = |n: &str| table.column_index(n).and_then(|i| map[i]).is_some();
    let location_cols = cols.iter().any(|c| c.presence == Presence::LocationGroup);
    if location_cols && !(has("country") || has("place") || (has("lat") && has("lon"))) {
        missing.push("a location (\"country\", \"place\" or \"lat\"+\"lon\")".into());
    }
    if !missing.is_empty() {
        let found = header.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ");
        let mut hint = String::new();
        if header.len() == 1 {
            for (d, name) in [(b';', "';'"), (b'\t', "tab"), (b'|', "'|'"), (b',', "','")] {
                if d != delimiter && header[0].contains(d as char) {
                    hint = format!(
                        " (the header looks {name}-separated: set delimiter in the config)"
                    );
                    break;
                }
            }
        }
        if hint.is_empty() {
            hint = " (map your column names onto the schema with [inputs.<table>.columns] in the config; see docs/schema.md)".into();
        }
        return Err(IngestError::MissingColumns {
            path: path.into(),
            table,
            missing: missing.join(", "),
            found,
            hint,
        });
    }
    let used: std::collections::HashSet<usize> = map.iter().flatten().copied().collect();
    let ignored = header
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, h)| h.clone())
        .collect();
    Ok((map, ignored))
}

/// What one record kind needs from the generic reading loop.
trait Kind: Sized + Send {
    const TABLE: TableKind;
    fn check(
        c: &Checker<'_>,
        fields: &validate::Fields<'_>,
        row: RowRef,
    ) -> Result<(Self, RowNotes), Vec<Problem>>;
    fn id(&self) -> &str;
    fn row(&self) -> RowRef;
}

impl Kind for Seizure {
    const TABLE: TableKind = TableKind::Seizures;
    fn check(
        c: &Checker<'_>,
        f: &validate::Fields<'_>,
        row: RowRef,
    ) -> Result<(Self, RowNotes), Vec<Problem>> {
        c.seizure(f, row)
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn row(&self) -> RowRef {
        self.row
    }
}

impl Kind for LootingIncident {
    const TABLE: TableKind = TableKind::Looting;
    fn check(
        c: &Checker<'_>,
        f: &validate::Fields<'_>,
        row: RowRef,
    ) -> Result<(Self, RowNotes), Vec<Problem>> {
        c.looting(f, row)
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn row(&self) -> RowRef {
        self.row
    }
}

impl Kind for RouteReport {
    const TABLE: TableKind = TableKind::Routes;
    fn check(
        c: &Checker<'_>,
        f: &validate::Fields<'_>,
        row: RowRef,
    ) -> Result<(Self, RowNotes), Vec<Problem>> {
        c.route(f, row)
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn row(&self) -> RowRef {
        self.row
    }
}

/// Validates one chunk of raw rows in parallel, in input order.
fn validate_chunk<K: Kind>(
    chunk: &[RawRow],
    map: &[Option<usize>],
    checker: &Checker<'_>,
    file: u32,
) -> Vec<Checked<K>> {
    chunk
        .par_iter()
        .map(|raw| match raw {
            RawRow::Broken { line, problem } => Err((*line, vec![problem.clone()])),
            RawRow::Record { line, record } => {
                let fields: Vec<Option<&str>> =
                    map.iter().map(|m| m.and_then(|i| record.get(i))).collect();
                K::check(checker, &fields, RowRef { file, line: *line }).map_err(|p| (*line, p))
            }
        })
        .collect()
}

/// A validated row, or its line and problems.
type Checked<K> = Result<(K, RowNotes), (u64, Vec<Problem>)>;

fn ingest_kind<K: Kind>(
    specs: &[InputSpec],
    base: &Path,
    gazetteer: &Gazetteer,
    opts: IngestOptions,
    out: &mut Ingested,
) -> Result<Vec<K>, IngestError> {
    let mut records: Vec<K> = Vec::new();
    let mut first_seen: crate::geo::gazetteer::FastMap<String, RowRef> = Default::default();
    for spec in specs {
        for path in expand(K::TABLE, spec, base)? {
            let format = spec
                .format
                .or_else(|| Format::from_path(&path))
                .ok_or_else(|| IngestError::UnknownFormat { path: path.clone() })?;
            let bytes = std::fs::read(&path)
                .map_err(|source| IngestError::Io { path: path.clone(), source })?;
            let delimiter =
                spec.delimiter.as_deref().and_then(|d| d.bytes().next()).unwrap_or(b',');
            let list_sep =
                spec.list_separator.as_deref().and_then(|d| d.chars().next()).unwrap_or(';');
            let size = bytes.len() as u64;
            let sha256 = crate::output::sha256_hex(&bytes);
            let mut opened = read::open(&path, bytes, format, delimiter, list_sep)?;
            let (map, ignored) = map_columns(&path, K::TABLE, &opened.header, spec, delimiter)?;
            let file = out.files.len() as u32;
            let checker = Checker {
                gazetteer,
                today: opts.today,
                list_separator: list_sep,
                country_margin_deg: 5.0,
            };
            let mut report = FileReport {
                table: K::TABLE,
                path: path.clone(),
                format: format.as_str(),
                bytes: size,
                sha256,
                rows_read: 0,
                accepted: 0,
                rejected: 0,
                ignored_columns: ignored,
            };
            // Reading the next chunk overlaps with validating the current one.
            let mut chunk = Vec::new();
            let mut more = opened.rows.next_chunk(&mut chunk, opts.chunk_rows);
            while more {
                let rows = &mut opened.rows;
                let (results, (next, next_more)) = rayon::join(
                    || validate_chunk::<K>(&chunk, &map, &checker, file),
                    || {
                        let mut next = Vec::new();
                        let m = rows.next_chunk(&mut next, opts.chunk_rows);
                        (next, m)
                    },
                );
                chunk = next;
                more = next_more;
                for r in results {
                    report.rows_read += 1;
                    match r {
                        Ok((rec, notes)) => {
                            let row = rec.row();
                            if let Some(prev) = first_seen.get(rec.id()) {
                                let prev_file = out
                                    .files
                                    .get(prev.file as usize)
                                    .map_or(path.clone(), |f| f.path.clone());
                                let detail = format!(
                                    "id already used at {}:{}",
                                    prev_file.display(),
                                    prev.line
                                );
                                out.rejections.push(Rejection {
                                    table: K::TABLE,
                                    row,
                                    problem: Problem::new(
                                        "id",
                                        rec.id(),
                                        Reason::DuplicateId,
                                        detail,
                                    ),
                                });
                                report.rejected += 1;
                                continue;
                            }
                            first_seen.insert(rec.id().to_string(), row);
                            out.precision_downgraded += u64::from(notes.precision_downgraded);
                            report.accepted += 1;
                            records.push(rec);
                        }
                        Err((line, problems)) => {
                            report.rejected += 1;
                            for problem in problems {
                                out.rejections.push(Rejection {
                                    table: K::TABLE,
                                    row: RowRef { file, line },
                                    problem,
                                });
                            }
                        }
                    }
                }
            }
            out.files.push(report);
        }
    }
    Ok(records)
}

/// Reads and validates every input. `base` is the directory relative paths resolve against.
pub fn ingest(
    inputs: &InputSet,
    base: &Path,
    gazetteer: &Gazetteer,
    opts: IngestOptions,
) -> Result<Ingested, IngestError> {
    let mut out = Ingested::default();
    out.seizures = ingest_kind::<Seizure>(&inputs.seizures, base, gazetteer, opts, &mut out)?;
    out.looting = ingest_kind::<LootingIncident>(&inputs.looting, base, gazetteer, opts, &mut out)?;
    out.routes = ingest_kind::<RouteReport>(&inputs.routes, base, gazetteer, opts, &mut out)?;
    Ok(out)
}
