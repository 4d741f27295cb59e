//! Output: building tables, rendering them to bytes (Parquet and CSV), and writing a run
//! directory atomically.
//!
//! A run writes into a staging directory beside the output directory and swaps it into
//! place only when every file is written ([`RunDir::commit`]). A failed or killed run
//! therefore never leaves half-written outputs where good ones were: the previous outputs
//! stay until the new set is complete.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use sha2::{Digest, Sha256};

/// An output-side failure.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or directory could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A table could not be built or encoded.
    #[error("cannot encode table {table}: {source}")]
    Table {
        /// The table.
        table: String,
        /// The cause.
        source: PolarsError,
    },
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

    /// Adds a text column.
    pub fn text<S: AsRef<str>>(
        mut self,
        col: &str,
        values: impl IntoIterator<Item = Option<S>>,
    ) -> Self {
        let v: Vec<Option<String>> =
            values.into_iter().map(|s| s.map(|s| s.as_ref().to_string())).collect();
        self.columns.push(Column::new(col.into(), v));
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
    pub fn csv_bytes(&self) -> Result<Vec<u8>, OutputError> {
        let mut buf = Vec::new();
        let mut df = self.df.clone();
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

/// A run directory being written: files go to a staging directory until [`RunDir::commit`].
#[derive(Debug)]
pub struct RunDir {
    target: PathBuf,
    staging: PathBuf,
    written: Vec<OutputFile>,
    committed: bool,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.to_path_buf(), source }
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl RunDir {
    /// Starts a run that will end up in `target`.
    pub fn create(target: &Path) -> Result<RunDir, OutputError> {
        let parent =
            target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let leaf = target
            .file_name()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "out".into());
        let staging = parent.join(format!(".{leaf}.staging-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        std::fs::create_dir_all(&staging).map_err(io(&staging))?;
        Ok(RunDir { target: target.to_path_buf(), staging, written: Vec::new(), committed: false })
    }

    /// Where the outputs will be once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes one file (relative path) into the staging directory.
    pub fn write(&mut self, rel: &str, bytes: &[u8], rows: Option<u64>) -> Result<(), OutputError> {
        let path = self.staging.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(io(p))?;
        }
        std::fs::write(&path, bytes).map_err(io(&path))?;
        self.written.push(OutputFile {
            file: rel.to_string(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
            rows,
        });
        Ok(())
    }

    /// Writes a table as `<name>.parquet` and `<name>.csv`.
    pub fn write_table(&mut self, table: &Table) -> Result<(), OutputError> {
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

    /// Swaps the staging directory into place. The previous outputs are removed only after
    /// the new set is in place.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let old = self.staging.with_extension("old");
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(io(&self.target))?;
        }
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(OutputError::Io { path: self.target.clone(), source: e });
        }
        self.committed = true;
        if had_old {
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}
