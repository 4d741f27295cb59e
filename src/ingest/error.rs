//! [`IngestError`]: why an input cannot be used at all (the run stops, naming the file).

use std::path::PathBuf;

use crate::inputs::file::FileError;
use crate::schema::TableKind;

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
    /// The path cannot be read as a file: a directory, a named pipe or another special
    /// file, not readable by this user, or an error of the operating system (the source says
    /// which, once).
    #[error("cannot read {table} input {path}")]
    Io {
        /// Table kind.
        table: TableKind,
        /// The path.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: FileError,
    },
    /// The format cannot be guessed from the extension.
    #[error(
        "{path}: unknown format: name it with .csv, .parquet, .ndjson or .geojson, or set format in the config"
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
    /// An input's content, or the set of files its pattern matches, changed between the
    /// start of the run (when its files were hashed for the cache keys and the manifest)
    /// and the moment the run read it.
    #[error(
        "{table} input {path} changed while the run read it (it is not what the run hashed when it started); run again once the file is complete"
    )]
    ChangedDuringRun {
        /// Table kind.
        table: TableKind,
        /// The file (or the pattern whose matches changed).
        path: PathBuf,
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
