//! Spreadsheets (XLSX, XLSM, XLSB, XLS, ODS) through calamine.
//!
//! One sheet is read (the `sheet` key, or the first sheet). Formulas are never evaluated:
//! a formula cell gives the value the spreadsheet program last saved with it. Cells become
//! text the way the schema reads text: whole numbers without a decimal point (`2018`, not
//! `2018.0`), other numbers in Rust's shortest round-trip form, dates as `YYYY-MM-DD`,
//! booleans as `true`/`false`, error cells (`#N/A`) as empty. The header is the row given
//! by `header_row`, or else the first of the first 50 rows that holds the most of the
//! wanted column names ([`find_header`]); rows above it are a preamble. A record's `line`
//! is its row number as the spreadsheet shows it (1-based), so `rejected.csv` points at the
//! row a person sees.

use std::path::Path;

use calamine::{Data, Reader};
use csv::StringRecord;

use super::error::IngestError;
use super::rows::{Opened, RawRow, RowSource};

/// How many leading rows [`find_header`] searches.
pub const HEADER_SEARCH_ROWS: usize = super::text::HEADER_SEARCH_LINES;

/// The index of the header among `rows`: the first row holding the most of `wanted`
/// (scored as CSV header lines are, [`super::text::count_expected`]), or `None` if no row
/// holds any.
///
/// ```
/// use divnet::ingest::sheet::find_header;
/// let rows = vec![
///     vec!["Data as of 17 June 2022".to_string()],
///     vec![String::new()],
///     vec!["Country".into(), "Year".into(), "Value".into()],
/// ];
/// assert_eq!(find_header(&rows, &["country", "value"]), Some(2));
/// assert_eq!(find_header(&rows, &["nothing"]), None);
/// ```
pub fn find_header<S: AsRef<str>>(rows: &[Vec<String>], wanted: &[S]) -> Option<usize> {
    let wanted: Vec<String> = wanted.iter().map(|w| w.as_ref().trim().to_lowercase()).collect();
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let hits = super::text::count_expected(row.iter().map(String::as_str), &wanted);
        if hits > 0 && best.is_none_or(|(_, b)| hits > b) {
            best = Some((i, hits));
        }
    }
    best.map(|(i, _)| i)
}

/// A cell as schema text.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 => {
            format!("{}", *f as i64)
        }
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// Reads one sheet of a workbook into a header and records, with the header's row number
/// (its `header_line`).
///
/// `header_row` is the 1-based row of the header as the spreadsheet numbers rows; without
/// it the header is found among the first rows by the `wanted` column names.
pub fn open_sheet(
    path: &Path,
    bytes: &[u8],
    sheet: Option<&str>,
    header_row: Option<u64>,
    wanted: &[String],
) -> Result<Opened<'static>, IngestError> {
    let bad = |problem: String| IngestError::Unreadable { path: path.to_path_buf(), problem };
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("cannot read the workbook: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| {
            bad(format!("the workbook has no sheet {s:?}; its sheets: {}", quoted(&names)))
        })?,
        None => names.first().cloned().ok_or_else(|| bad("the workbook has no sheets".into()))?,
    };
    let range =
        book.worksheet_range(&name).map_err(|e| bad(format!("cannot read sheet {name:?}: {e}")))?;
    // Row numbers as the spreadsheet shows them: the range may start below row 1.
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(cell_text).collect()).collect();
    let header_at = match header_row {
        Some(h) => {
            let i = h.checked_sub(first_row).filter(|i| (*i as usize) < rows.len());
            i.map(|i| i as usize).ok_or_else(|| {
                bad(format!("header_row {h} is outside sheet {name:?} (rows {first_row}..)"))
            })?
        }
        None => find_header(&rows, wanted).ok_or_else(|| {
            bad(format!(
                "no header row found in the first {HEADER_SEARCH_ROWS} rows of sheet {name:?}: \
                 none names a column of {}; set header_row or the column mapping",
                quoted(wanted)
            ))
        })?,
    };
    let header: Vec<String> = rows[header_at].iter().map(|h| h.trim().to_string()).collect();
    let width = header.len();
    let records = rows
        .iter()
        .enumerate()
        .skip(header_at + 1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| {
            let mut cells = r.clone();
            cells.resize(width, String::new());
            RawRow::Record { line: first_row + i as u64, record: StringRecord::from(cells) }
        })
        .collect();
    Ok(Opened {
        header,
        rows: RowSource::Ready(records),
        header_line: first_row + header_at as u64,
        encoding: "spreadsheet".into(),
    })
}

fn quoted<S: AsRef<str>>(names: &[S]) -> String {
    names.iter().map(|n| format!("{:?}", n.as_ref())).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iafq() -> (std::path::PathBuf, Vec<u8>) {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/sources/unodc_iafq_sample.xlsx");
        let b = std::fs::read(&p).unwrap();
        (p, b)
    }

    fn records(o: &Opened<'_>) -> Vec<(u64, Vec<String>)> {
        match &o.rows {
            RowSource::Ready(rows) => rows
                .iter()
                .map(|r| match r {
                    RawRow::Record { line, record } => {
                        (*line, record.iter().map(String::from).collect())
                    }
                    RawRow::Broken { line, .. } => (*line, vec![]),
                })
                .collect(),
            RowSource::Csv { .. } => panic!("not materialised"),
        }
    }

    #[test]
    fn the_iafq_workbook_is_found_below_its_preamble_with_spreadsheet_row_numbers() {
        let (p, b) = iafq();
        let wanted: Vec<String> = ["Country", "Year", "VALUE"].map(String::from).to_vec();
        let o = open_sheet(&p, &b, None, None, &wanted).unwrap();
        assert_eq!(o.header_line, 3);
        assert!(o.header.iter().any(|h| h.eq_ignore_ascii_case("country")), "{:?}", o.header);
        let recs = records(&o);
        assert_eq!(recs.len(), 264, "the sample holds 264 data rows");
        // Two rows of preamble, then the header on row 3: data starts on row 4.
        assert_eq!(recs[0].0, 4);
        assert_eq!(recs.last().unwrap().0, 4 + 263);
        // Years are whole numbers, not "2016.0".
        let year = o.header.iter().position(|h| h.eq_ignore_ascii_case("year")).unwrap();
        assert!(recs.iter().all(|(_, r)| r[year].len() == 4 && r[year].starts_with("201")));
        // The same with the header row given.
        let same = open_sheet(&p, &b, None, Some(3), &[]).unwrap();
        assert_eq!(same.header, o.header);
        assert_eq!(records(&same), recs);
    }

    #[test]
    fn a_missing_sheet_or_a_bad_header_row_is_a_clear_file_error() {
        let (p, b) = iafq();
        let e = open_sheet(&p, &b, Some("Nope"), None, &["Country".into()]).unwrap_err();
        assert!(e.to_string().contains("no sheet \"Nope\""), "{e}");
        let e = open_sheet(&p, &b, None, Some(100_000), &[]).unwrap_err();
        assert!(e.to_string().contains("header_row 100000"), "{e}");
        let e = open_sheet(&p, &b, None, None, &["nothing like it".into()]).unwrap_err();
        assert!(e.to_string().contains("no header row found"), "{e}");
        let e = open_sheet(&p, b"not a workbook", None, None, &[]).unwrap_err();
        assert!(e.to_string().contains("cannot read the workbook"), "{e}");
    }

    #[test]
    fn cells_read_as_schema_text() {
        assert_eq!(cell_text(&Data::Float(2018.0)), "2018");
        assert_eq!(cell_text(&Data::Float(0.25)), "0.25");
        assert_eq!(cell_text(&Data::Int(-3)), "-3");
        assert_eq!(cell_text(&Data::Bool(true)), "true");
        assert_eq!(cell_text(&Data::Empty), "");
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), "");
        assert_eq!(cell_text(&Data::String(" x ".into())), " x ");
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let d = |v, is_1904| {
            Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, is_1904))
        };
        // 44562 is 2022-01-01 in the 1900 date system, so 44710 is 148 days later,
        // 2022-05-29; 1904 dates run 1462 days behind.
        assert_eq!(cell_text(&d(44562.0, false)), "2022-01-01");
        assert_eq!(cell_text(&d(44710.0, false)), "2022-05-29");
        assert_eq!(cell_text(&d(44710.0 - 1462.0, true)), "2022-05-29");
        assert_eq!(cell_text(&d(44710.5, false)), "2022-05-29T12:00:00");
    }
}
