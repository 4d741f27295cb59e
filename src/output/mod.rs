//! Output: building tables, rendering them to bytes (Parquet and CSV), and the run
//! directory they are written to.
//!
//! A run writes into a staging directory beside the output directory and swaps it into
//! place only when every file is written ([`RunDir::commit`]). A failed or killed run
//! therefore never leaves half-written outputs where good ones were. divnet writes only
//! into a directory that is new, empty, or one of its own earlier runs, and deletes only
//! files it wrote itself ([`ownership`], the rule; [`rundir`], the run directory).

use std::path::PathBuf;

use polars::prelude::*;
use sha2::{Digest, Sha256};

pub mod csv_safe;
pub mod handover;
mod history;
pub mod ownership;
mod removal;
pub mod rundir;
pub mod signals;

pub use handover::Kept;
pub use rundir::{ClaimOptions, Committed, RunDir};
pub use signals::install_signal_cleanup;

/// An output-side failure.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output directory is a mount point, which a run cannot replace.
    #[error(
        "the output directory {path} is a mount point: a run replaces its output directory by renaming, which a mount point cannot take part in; write to a directory inside it (--out {path}/run), or keep a run history there (run.keep)"
    )]
    MountPoint {
        /// The directory.
        path: PathBuf,
    },
    /// The output file is one of the command's inputs (never replaced, even with `--force`).
    #[error(
        "the output {path} is one of this command's inputs; divnet never writes over its input: choose another --out"
    )]
    OverInput {
        /// The input.
        path: PathBuf,
    },
    /// A file name a step handed over is not one divnet writes: not relative, a `..` or
    /// hidden component, a character outside `[A-Za-z0-9_.-]`, or written twice.
    #[error("refused to write {name:?}: {why}")]
    BadName {
        /// The name (at most 200 characters of it).
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A file or directory could not be read, written or renamed.
    #[error("cannot {action} {path}")]
    Io {
        /// What was being done ("write", "create directory", ...).
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A table could not be built or encoded.
    #[error("cannot encode table {table}")]
    Table {
        /// The table.
        table: String,
        /// The cause.
        #[source]
        source: PolarsError,
    },
    /// The output path names something that is not a directory.
    #[error(
        "the output path {path} is {what}, not a directory: divnet writes a directory of \
         outputs; choose a path that does not exist yet"
    )]
    NotADirectory {
        /// The output path.
        path: PathBuf,
        /// What it is ("a file", "a broken symbolic link", ...).
        what: &'static str,
    },
    /// The output directory holds files and is not one of divnet's runs.
    #[error(
        "the output directory {path} is not empty and was not written by divnet (it holds \
         {entries} entr{plural}, e.g. {example:?}); divnet writes only into a new or empty \
         directory or one of its own earlier runs, and never deletes files it did not \
         write: choose another output directory",
        plural = if *entries == 1 { "y" } else { "ies" }
    )]
    NotOurs {
        /// The output directory.
        path: PathBuf,
        /// Number of entries in it.
        entries: usize,
        /// One of them.
        example: String,
    },
    /// An earlier divnet run directory that also holds files divnet did not write.
    #[error(
        "the output directory {path} holds an earlier divnet run but also {count} file(s) \
         divnet did not write ({list}); divnet never deletes files it did not write: move \
         them out of the directory or choose another output directory",
        count = files.len(),
        list = ownership::short_list(files)
    )]
    ForeignFiles {
        /// The output directory.
        path: PathBuf,
        /// The files, relative to it.
        files: Vec<String>,
    },
    /// Files of an earlier run were changed after divnet wrote them.
    #[error(
        "the output directory {path} holds an earlier divnet run whose files were changed \
         after divnet wrote them ({list}); pass --force to replace them, or move them out",
        list = ownership::short_list(files)
    )]
    Modified {
        /// The output directory.
        path: PathBuf,
        /// The changed files, relative to it.
        files: Vec<String>,
    },
    /// The manifest of an earlier run cannot be read, so its files cannot be told apart.
    #[error(
        "{path} cannot be read as a divnet manifest ({problem}), so divnet cannot tell \
         which files in that directory are its own: move the directory away or choose \
         another output directory"
    )]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The output directory would contain an input, the config or the working directory.
    #[error(
        "the output directory {out} would replace {what} {inside}: divnet replaces its \
         output directory as a whole, so it must not contain the inputs, the config or the \
         working directory; choose a new directory, e.g. {suggestion}"
    )]
    CoversInput {
        /// The output directory.
        out: PathBuf,
        /// What it covers ("the input", "the config", "the working directory").
        what: &'static str,
        /// The covered path or pattern.
        inside: String,
        /// A directory that would do.
        suggestion: PathBuf,
    },
    /// The output directory holds the other layout (one run, or a history of runs).
    #[error(
        "the output directory {path} holds {holds}, but this run writes {wants}: choose \
         another output directory, or change run.keep back"
    )]
    Layout {
        /// The output directory.
        path: PathBuf,
        /// What it holds.
        holds: &'static str,
        /// What this run writes.
        wants: &'static str,
    },
    /// The output path has no name of its own (`/`).
    #[error("the output path {path} has no directory name: choose a directory such as ./out")]
    NoName {
        /// The output path.
        path: PathBuf,
    },
    /// Another run holds the output directory.
    #[error(
        "the output directory {path} is being written by another divnet run ({holder}); \
         wait for it to finish, or pass --wait to start when it has"
    )]
    Locked {
        /// The output directory.
        path: PathBuf,
        /// Who holds it ("pid 1234").
        holder: String,
    },
    /// An output file path names a directory.
    #[error("the output path {path} is a directory: give the path of a file to write")]
    IsADirectory {
        /// The path.
        path: PathBuf,
    },
    /// An output file exists and `--force` was not given.
    #[error(
        "{path} already exists; divnet does not replace a file it cannot tell it wrote: pass \
         --force to replace it, or choose another path"
    )]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The lock file exists but was not written by divnet.
    #[error(
        "{path} exists and was not written by divnet; divnet uses that name for the lock of \
         the output directory: move the file away or choose another output directory"
    )]
    ForeignLock {
        /// The lock file.
        path: PathBuf,
    },
}

/// Refuses an output path that is one of the command's `inputs` (compared as canonical
/// paths, so `./a.csv` and `a.csv` are one file).
pub fn check_not_an_input(
    out: &std::path::Path,
    inputs: &[&std::path::Path],
) -> Result<(), OutputError> {
    let same = |a: &std::path::Path, b: &std::path::Path| matches!((rundir::canonical(a), rundir::canonical(b)), (Ok(a), Ok(b)) if a == b);
    match inputs.iter().find(|i| same(out, i)) {
        Some(i) => Err(OutputError::OverInput { path: i.to_path_buf() }),
        None => Ok(()),
    }
}

/// Refuses to replace an existing file unless `force`: a single output file carries no
/// mark of who wrote it, so divnet replaces one only when told to.
pub fn check_replaceable(path: &std::path::Path, force: bool) -> Result<(), OutputError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Err(OutputError::IsADirectory { path: path.to_path_buf() }),
        Ok(_) if !force => Err(OutputError::Exists { path: path.to_path_buf() }),
        _ => Ok(()),
    }
}

impl OutputError {
    /// An I/O failure while doing `action` on `path`.
    pub fn io(action: &'static str, path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| OutputError::Io { action, path, source }
    }
}

/// A table under construction: named columns of equal length.
#[derive(Debug, Default)]
pub struct TableBuilder {
    name: String,
    columns: Vec<Column>,
}

impl TableBuilder {
    /// An empty table called `name`.
    pub fn new(name: &str) -> Self {
        TableBuilder { name: name.to_string(), columns: Vec::new() }
    }

    /// Adds a text column, copying each value straight into the column's buffer (no
    /// string allocated per row).
    pub fn text<S: AsRef<str>>(
        mut self,
        col: &str,
        values: impl IntoIterator<Item = Option<S>>,
    ) -> Self {
        let ca: StringChunked = values.into_iter().collect();
        self.columns.push(ca.with_name(col.into()).into_column());
        self
    }

    /// Adds an unsigned integer column.
    pub fn uint(mut self, col: &str, values: impl IntoIterator<Item = Option<u64>>) -> Self {
        let v: Vec<Option<u64>> = values.into_iter().collect();
        self.columns.push(Column::new(col.into(), v));
        self
    }

    /// Adds a signed integer column.
    pub fn int(mut self, col: &str, values: impl IntoIterator<Item = Option<i64>>) -> Self {
        let v: Vec<Option<i64>> = values.into_iter().collect();
        self.columns.push(Column::new(col.into(), v));
        self
    }

    /// Adds a float column.
    pub fn float(mut self, col: &str, values: impl IntoIterator<Item = Option<f64>>) -> Self {
        let v: Vec<Option<f64>> = values.into_iter().collect();
        self.columns.push(Column::new(col.into(), v));
        self
    }

    /// Adds a boolean column.
    pub fn boolean(mut self, col: &str, values: impl IntoIterator<Item = Option<bool>>) -> Self {
        let v: Vec<Option<bool>> = values.into_iter().collect();
        self.columns.push(Column::new(col.into(), v));
        self
    }

    /// Adds a calendar-date column from days since 1970-01-01.
    pub fn date(
        mut self,
        col: &str,
        days: impl IntoIterator<Item = Option<i32>>,
    ) -> Result<Self, OutputError> {
        let v: Vec<Option<i32>> = days.into_iter().collect();
        let c = Column::new(col.into(), v)
            .cast(&DataType::Date)
            .map_err(|source| OutputError::Table { table: self.name.clone(), source })?;
        self.columns.push(c);
        Ok(self)
    }

    /// The finished table.
    pub fn build(self) -> Result<Table, OutputError> {
        let name = self.name;
        let df = DataFrame::new_infer_height(self.columns)
            .map_err(|source| OutputError::Table { table: name.clone(), source })?;
        Ok(Table { name, df })
    }
}

/// A named table ready to be written.
#[derive(Debug, Clone)]
pub struct Table {
    /// Base file name (without extension).
    pub name: String,
    /// The data.
    pub df: DataFrame,
}

impl Table {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.df.height()
    }

    /// The table as CSV bytes (header row, `\n` line ends, empty field for null).
    ///
    /// Text cells that a spreadsheet would evaluate as a formula are written with a leading
    /// `'` ([`csv_safe`]); Parquet keeps the exact values.
    pub fn csv_bytes(&self) -> Result<Vec<u8>, OutputError> {
        let mut buf = Vec::new();
        let mut df = csv_safe::neutralise(&self.df)
            .map_err(|source| OutputError::Table { table: self.name.clone(), source })?;
        CsvWriter::new(&mut buf)
            .include_header(true)
            .finish(&mut df)
            .map_err(|source| OutputError::Table { table: self.name.clone(), source })?;
        Ok(buf)
    }

    /// The table as Parquet bytes (zstd, statistics on).
    pub fn parquet_bytes(&self) -> Result<Vec<u8>, OutputError> {
        let mut buf = Vec::new();
        let mut df = self.df.clone();
        ParquetWriter::new(&mut buf)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut df)
            .map_err(|source| OutputError::Table { table: self.name.clone(), source })?;
        Ok(buf)
    }
}

/// One file written by a run, for the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutputFile {
    /// Path relative to the run directory.
    pub file: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Data rows, for tables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `name` is a file name divnet writes into a run directory: relative, one to
/// three `/`-separated components of `[A-Za-z0-9_.-]`, none empty, hidden (`.x`) or `..`,
/// at most 200 bytes. Names come from the code; this check makes sure nothing read back
/// (a cache entry) can name a file elsewhere.
///
/// ```
/// use divnet::output::check_out_name;
/// assert!(check_out_name("hubs.csv").is_ok() && check_out_name("figures/flow_map.svg").is_ok());
/// for bad in ["/etc/passwd", "../x", "a/../../x", ".hidden", "a//b", "", "a b", "a\\b"] {
///     assert!(check_out_name(bad).is_err(), "{bad}");
/// }
/// ```
pub fn check_out_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 200 {
        return Err("not 1 to 200 bytes long");
    }
    let parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 3 {
        return Err("more than three components");
    }
    for p in parts {
        if p.is_empty() || p.starts_with('.') {
            return Err("an empty, hidden or parent-directory component");
        }
        if !p.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)) {
            return Err("a character other than letters, digits, '_', '.' and '-'");
        }
    }
    Ok(())
}
