//! What every reader of an input file shares: the options a file is read by
//! ([`ReadOptions`]), the file opened into a header and records ([`Opened`], [`RowSource`],
//! [`RawRow`]), and the helpers that word their problems. The readers (`read` for CSV,
//! Parquet and NDJSON, `sheet`, `geojson`) import these and never each other, but for
//! [`super::read::open`], the one place that picks the reader by format.

use std::borrow::Cow;
use std::path::Path;

use csv::StringRecord;

use super::error::IngestError;
use super::validate::{Problem, Reason};
use crate::inputs::rules::{HeaderRow, TextEncoding};

/// How a file is read, whatever its format (each reader uses the options of its format).
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions<'a> {
    /// CSV: the field delimiter.
    pub delimiter: u8,
    /// Parquet, NDJSON, GeoJSON: the separator list values are joined with.
    pub list_separator: char,
    /// CSV: the text encoding (`None`: UTF-8).
    pub encoding: Option<TextEncoding>,
    /// CSV: a character that ends every line as a stray extra, removed before parsing.
    pub trailing: Option<u8>,
    /// CSV and spreadsheets: the line (row) of the header, or `Auto`: the one among the
    /// first 50 that holds the most of `wanted`.
    pub header_row: HeaderRow,
    /// Spreadsheets: the sheet (`None`: the first).
    pub sheet: Option<&'a str>,
    /// The column names a header is found by (lower case).
    pub wanted: &'a [String],
}

impl Default for ReadOptions<'_> {
    /// Comma-separated UTF-8, lists joined with `;`, the header found by no names (CSV: the
    /// first line), the first sheet.
    fn default() -> Self {
        ReadOptions {
            delimiter: b',',
            list_separator: ';',
            encoding: None,
            trailing: None,
            header_row: HeaderRow::Auto,
            sheet: None,
            wanted: &[],
        }
    }
}

/// One record read from a file, or the reason it could not be read.
#[derive(Debug)]
pub enum RawRow {
    /// A record with its line (CSV, NDJSON) or row (Parquet) number.
    Record {
        /// Line or row number, 1-based.
        line: u64,
        /// Field texts, aligned with the header.
        record: StringRecord,
    },
    /// A record that could not be read.
    Broken {
        /// Line or row number.
        line: u64,
        /// What is wrong.
        problem: Problem,
    },
}

/// A file read into memory: its header and its records.
#[derive(Debug)]
pub struct Opened<'a> {
    /// Column names as found in the file.
    pub header: Vec<String>,
    /// The records.
    pub rows: RowSource<'a>,
    /// The line (spreadsheet row) of the header; lines above it, a preamble, are skipped.
    pub header_line: u64,
    /// The text encoding it was read in (`utf-8`; `windows-1252 (auto)` when `auto` chose
    /// it; `spreadsheet` for a workbook).
    pub encoding: String,
}

/// Where records come from.
#[derive(Debug)]
pub enum RowSource<'a> {
    /// CSV text, parsed in pieces (see [`super::read::csv_piece`]).
    Csv {
        /// The text from the header line on, UTF-8 unless the file is not and no encoding
        /// was given (then its bad rows are rejected one by one).
        text: Cow<'a, [u8]>,
        /// Field delimiter.
        delimiter: u8,
        /// Number of header fields.
        width: usize,
    },
    /// Rows already materialised (Parquet, NDJSON, GeoJSON, spreadsheets).
    Ready(Vec<RawRow>),
}

/// The error of a file that cannot be read in its format.
pub(crate) fn bad(path: &Path, problem: impl Into<String>) -> IngestError {
    IngestError::Unreadable { path: path.to_path_buf(), problem: problem.into() }
}

/// `str::trim`, skipped for the usual field that neither starts nor ends with a space.
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let plain = |c: Option<&u8>| c.is_none_or(|c| c.is_ascii_graphic());
    if plain(b.first()) && plain(b.last()) { s } else { s.trim() }
}

/// Header names as a message lists them: each quoted and clipped
/// ([`crate::text::clip`]), at most 50 of them, then how many more.
pub(crate) fn quote_names(names: &[String]) -> String {
    let mut s = names
        .iter()
        .take(50)
        .map(|h| format!("{:?}", crate::text::clip(h)))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 50 {
        s.push_str(&format!(" and {} more", names.len() - 50));
    }
    s
}

/// The longest field a CSV row may hold: a longer one rejects its row (`too_long`).
pub const MAX_FIELD_BYTES: usize = 16 << 20;

/// The longest line (or record) a CSV or NDJSON row may take: a longer one rejects its row
/// (`too_long`); a longer header line stops the file.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// A row's bytes as text for `rejected.csv`: bytes that are not UTF-8 as U+FFFD, NULs as
/// `␀`, so that no output ever carries a NUL; at most [`crate::text::QUOTE_BYTES`] of them,
/// then their whole length ([`crate::text::clip`]).
pub(crate) fn shown(raw: &[u8]) -> String {
    let q = crate::text::QUOTE_BYTES;
    if raw.len() <= q {
        return String::from_utf8_lossy(raw).replace('\0', "\u{2400}");
    }
    let head = String::from_utf8_lossy(&raw[..q]).replace('\0', "\u{2400}");
    let cut = crate::text::clip(&head);
    let cut = cut.split('…').next().unwrap_or_default();
    format!("{cut}…({} bytes)", raw.len())
}

/// The problem of a row whose line, or one of whose fields (`field`: its 1-based number),
/// is longer than divnet reads ([`MAX_LINE_BYTES`], [`MAX_FIELD_BYTES`]).
pub(crate) fn too_long(raw: &[u8], field: Option<(usize, usize)>) -> Problem {
    let (column, detail) = match field {
        Some((n, len)) => (
            format!("#{n}"),
            format!(
                "field {n} of the row is {len} bytes long, more than the {} MiB divnet reads in one field",
                MAX_FIELD_BYTES >> 20
            ),
        ),
        None => (
            "(row)".to_string(),
            format!(
                "the row is {} bytes long, more than the {} MiB divnet reads in one line",
                raw.len(),
                MAX_LINE_BYTES >> 20
            ),
        ),
    };
    Problem::new(&column, &shown(raw), Reason::TooLong, detail)
}

/// The problem of a row holding a NUL byte; `shown` is the row (or value) as text, its
/// NULs shown as `␀` so that no output ever carries one.
pub(crate) fn nul_problem(shown: &str) -> Problem {
    Problem::new(
        "(row)",
        &shown.replace('\0', "\u{2400}"),
        Reason::NulByte,
        "the row holds a NUL byte (binary data, or a file not saved as UTF-8 text)",
    )
}

/// A JSON value as the text of a field: `None` for null, scalars as written, arrays joined
/// with `sep`; `None` (outer) for an object, which no field holds.
pub(crate) fn json_text(v: &serde_json::Value, sep: char) -> Option<Option<String>> {
    use serde_json::Value;
    Some(match v {
        Value::Null => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for it in items {
                if let Some(t) = json_text(it, sep)? {
                    parts.push(t)
                }
            }
            Some(parts.join(&sep.to_string()))
        }
        Value::Object(_) => return None,
    })
}
