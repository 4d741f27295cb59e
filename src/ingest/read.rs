//! Reading input files into header + text records, whatever their format.
//!
//! CSV is read with the `csv` crate (per-record line numbers, ragged rows and bad UTF-8
//! reported per row); Parquet with polars (values rendered as text, list columns joined
//! with the list separator); NDJSON line by line with serde_json (a bad line is a bad row,
//! not a bad file). Everything downstream sees the same [`RawRow`]s.

use std::path::Path;

use csv::StringRecord;

use super::IngestError;
use super::validate::{Problem, Reason};
use crate::config::Format;

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

/// A file read into memory: its header and a way to pull records in chunks.
pub struct Opened {
    /// Column names as found in the file.
    pub header: Vec<String>,
    /// The records.
    pub rows: RowSource,
}

/// Where records come from.
pub enum RowSource {
    /// A CSV reader over the file's bytes.
    Csv(csv::Reader<std::io::Cursor<Vec<u8>>>, usize),
    /// Rows already materialised (Parquet, NDJSON).
    Ready(std::vec::IntoIter<RawRow>),
}

impl RowSource {
    /// Fills `out` with up to `max` rows; returns false when the source is exhausted.
    pub fn next_chunk(&mut self, out: &mut Vec<RawRow>, max: usize) -> bool {
        out.clear();
        match self {
            RowSource::Ready(it) => {
                out.extend(it.by_ref().take(max));
            }
            RowSource::Csv(rdr, width) => {
                while out.len() < max {
                    let mut rec = csv::ByteRecord::new();
                    match rdr.read_byte_record(&mut rec) {
                        Ok(false) => break,
                        Ok(true) => {
                            let line = rec.position().map_or(0, |p| p.line());
                            if rec.len() != *width {
                                if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
                                    continue; // a blank line
                                }
                                out.push(RawRow::Broken {
                                    line,
                                    problem: Problem::new(
                                        "(row)",
                                        &String::from_utf8_lossy(rec.as_slice()),
                                        Reason::FieldCount,
                                        format!("expected {} fields, found {}", width, rec.len()),
                                    ),
                                });
                                continue;
                            }
                            match StringRecord::from_byte_record(rec) {
                                Ok(record) => out.push(RawRow::Record { line, record }),
                                Err(e) => out.push(RawRow::Broken {
                                    line,
                                    problem: Problem::new(
                                        "(row)",
                                        &String::from_utf8_lossy(e.into_byte_record().as_slice()),
                                        Reason::InvalidUtf8,
                                        "the row is not valid UTF-8: save the file as UTF-8",
                                    ),
                                }),
                            }
                        }
                        Err(e) => {
                            let line = e.position().map_or(0, |p| p.line());
                            out.push(RawRow::Broken {
                                line,
                                problem: Problem::new(
                                    "(row)",
                                    "",
                                    Reason::FieldCount,
                                    format!("unreadable CSV record: {e}"),
                                ),
                            });
                            // The csv reader cannot always resume after an I/O-level error.
                            if !matches!(
                                e.kind(),
                                csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                            ) {
                                break;
                            }
                        }
                    }
                }
            }
        }
        !out.is_empty()
    }
}

/// Opens a file of the given format.
pub fn open(
    path: &Path,
    bytes: Vec<u8>,
    format: Format,
    delimiter: u8,
    list_sep: char,
) -> Result<Opened, IngestError> {
    match format {
        Format::Csv => open_csv(path, bytes, delimiter),
        Format::Parquet => open_parquet(path, bytes, list_sep),
        Format::Ndjson => open_ndjson(path, &bytes, list_sep),
    }
}

fn bad(path: &Path, problem: impl Into<String>) -> IngestError {
    IngestError::Unreadable { path: path.to_path_buf(), problem: problem.into() }
}

fn open_csv(path: &Path, bytes: Vec<u8>, delimiter: u8) -> Result<Opened, IngestError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(bad(path, "the file is empty: expected a header row"));
    }
    if bytes.starts_with(b"PAR1") || bytes.iter().take(4096).any(|&b| b == 0) {
        return Err(bad(
            path,
            "this is not a text CSV file (binary content); is the format right?",
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(std::io::Cursor::new(bytes));
    let header = rdr
        .headers()
        .map_err(|e| bad(path, format!("cannot read the header row: {e}")))?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 { h.trim_start_matches('\u{feff}') } else { h };
            h.trim().to_string()
        })
        .collect::<Vec<_>>();
    let width = header.len();
    Ok(Opened { header, rows: RowSource::Csv(rdr, width) })
}

/// The fields of one NDJSON line (column index, text), or why it cannot be used.
type ParsedLine = Result<Vec<(usize, Option<String>)>, Problem>;

fn open_ndjson(path: &Path, bytes: &[u8], list_sep: char) -> Result<Opened, IngestError> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut header: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::<String, usize>::new();
    let mut parsed: Vec<(u64, ParsedLine)> = Vec::new();
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let line = i as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let shown = String::from_utf8_lossy(raw);
        let obj = match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(raw) {
            Ok(o) => o,
            Err(e) => {
                parsed.push((
                    line,
                    Err(Problem::new(
                        "(row)",
                        &shown,
                        Reason::InvalidJson,
                        format!("not a JSON object: {e}"),
                    )),
                ));
                continue;
            }
        };
        let mut fields = Vec::with_capacity(obj.len());
        let mut problem = None;
        for (k, v) in obj {
            let idx = *index.entry(k.clone()).or_insert_with(|| {
                header.push(k.clone());
                header.len() - 1
            });
            match json_text(&v, list_sep) {
                Some(t) => fields.push((idx, t)),
                None => {
                    problem = Some(Problem::new(
                        &k,
                        &v.to_string(),
                        Reason::InvalidJson,
                        "nested objects are not supported",
                    ))
                }
            }
        }
        parsed.push((line, problem.map_or(Ok(fields), Err)));
    }
    if parsed.is_empty() {
        return Err(bad(path, "the file has no JSON lines"));
    }
    let width = header.len();
    let rows: Vec<RawRow> = parsed
        .into_iter()
        .map(|(line, r)| match r {
            Ok(fields) => {
                let mut cells = vec![String::new(); width];
                for (i, v) in fields {
                    cells[i] = v.unwrap_or_default();
                }
                RawRow::Record { line, record: StringRecord::from(cells) }
            }
            Err(problem) => RawRow::Broken { line, problem },
        })
        .collect();
    Ok(Opened { header, rows: RowSource::Ready(rows.into_iter()) })
}

fn json_text(v: &serde_json::Value, sep: char) -> Option<Option<String>> {
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

fn open_parquet(path: &Path, bytes: Vec<u8>, list_sep: char) -> Result<Opened, IngestError> {
    use polars::prelude::*;
    if !bytes.starts_with(b"PAR1") {
        return Err(bad(path, "not a Parquet file (no PAR1 magic bytes)"));
    }
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .map_err(|e| bad(path, format!("cannot read as Parquet: {e}")))?;
    let header: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let height = df.height();
    let mut columns: Vec<Vec<Option<String>>> = Vec::with_capacity(header.len());
    for c in df.columns() {
        let s = c.as_materialized_series();
        let texts = series_text(s, list_sep)
            .map_err(|e| bad(path, format!("column {:?}: {e}", s.name())))?;
        columns.push(texts);
    }
    let rows = (0..height)
        .map(|i| {
            let record: StringRecord =
                columns.iter().map(|c| c[i].as_deref().unwrap_or("")).collect::<Vec<&str>>().into();
            RawRow::Record { line: i as u64 + 1, record }
        })
        .collect::<Vec<_>>();
    Ok(Opened { header, rows: RowSource::Ready(rows.into_iter()) })
}

fn series_text(
    s: &polars::prelude::Series,
    sep: char,
) -> polars::prelude::PolarsResult<Vec<Option<String>>> {
    use polars::prelude::*;
    if let DataType::List(_) = s.dtype() {
        let ca = s.list()?;
        let mut out = Vec::with_capacity(s.len());
        for item in ca.amortized_iter() {
            out.push(match item {
                None => None,
                Some(inner) => {
                    let parts = series_text(inner.as_ref(), sep)?;
                    Some(parts.into_iter().flatten().collect::<Vec<_>>().join(&sep.to_string()))
                }
            });
        }
        return Ok(out);
    }
    let st = s.cast(&DataType::String)?;
    Ok(st.str()?.iter().map(|v| v.map(str::to_string)).collect())
}
