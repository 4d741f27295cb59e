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

use std::io::Read;
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

/// The most bytes one part of a zipped workbook (XLSX, XLSM, XLSB, ODS) may decompress to:
/// a sheet, the shared strings, the styles. Checked by decompressing each part once into
/// nothing before the workbook is read, so a small file that inflates to gigabytes (or a
/// part that claims a small size and holds a huge one) is refused with its name.
pub const MAX_PART_BYTES: u64 = 256 << 20;

/// The most bytes all parts of a zipped workbook may decompress to together.
pub const MAX_WORKBOOK_BYTES: u64 = 1 << 30;

/// Refuses a zipped workbook with a part (or parts together) that decompresses beyond
/// [`MAX_PART_BYTES`] ([`MAX_WORKBOOK_BYTES`]); the problem names the part. Other bytes
/// (XLS, not a zip) pass: calamine says what is wrong with them.
pub fn check_parts(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(b"PK") {
        return Ok(());
    }
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else { continue };
        let name = part.name().map(|n| crate::text::clip(&n).into_owned()).unwrap_or_default();
        let limit = MAX_PART_BYTES.min(MAX_WORKBOOK_BYTES - total);
        let too_big = |n: u64| {
            if n > MAX_PART_BYTES {
                format!(
                    "its part {name:?} decompresses to more than {} MiB (the limit of one part): not a workbook divnet reads",
                    MAX_PART_BYTES >> 20
                )
            } else {
                format!(
                    "its parts decompress to more than {} MiB together: not a workbook divnet reads",
                    MAX_WORKBOOK_BYTES >> 20
                )
            }
        };
        if part.size() > limit {
            return Err(too_big(part.size().max(total + part.size())));
        }
        // The stated size may lie: count what the part really inflates to.
        let mut counted = Counted(0);
        // A part that fails to inflate is left for calamine to report.
        let _ = std::io::copy(&mut (&mut part).take(limit + 1), &mut counted);
        let n = counted.0;
        if n > limit {
            return Err(too_big(if n > MAX_PART_BYTES { n } else { total + n }));
        }
        total += n;
    }
    if let Ok(content) = zip.by_name("content.xml") {
        check_ods_cells(std::io::BufReader::new(content.take(MAX_PART_BYTES)))?;
    }
    Ok(())
}

/// The most cells calamine may lay out for one sheet of an ODS workbook. Its rows and
/// cells repeat by count (`table:number-rows-repeated`, `table:number-columns-repeated`),
/// and calamine lays out every cell between the first and the last that hold a value: a
/// few hundred bytes can claim a billion cells. Repeats after the last value (how
/// spreadsheet programs fill a sheet to its end) count for nothing.
pub const MAX_ODS_CELLS: u64 = 20_000_000;

/// Refuses an ODS `content.xml` one of whose sheets would lay out more than
/// [`MAX_ODS_CELLS`] cells: rows up to the last with a value, times the widest row up to
/// its last value. XML that does not parse is left for calamine to report.
fn check_ods_cells(content: impl std::io::BufRead) -> Result<(), String> {
    use quick_xml::events::Event;
    let repeats = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> u64 {
        e.try_get_attribute(name)
            .ok()
            .flatten()
            .and_then(|a| a.value.trim().parse().ok())
            .unwrap_or(1)
    };
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut buf = Vec::new();
    let (mut rows, mut used_rows, mut width) = (0u64, 0u64, 0u64);
    let (mut row_repeat, mut col, mut row_width) = (1u64, 0u64, 0u64);
    loop {
        let (start, empty) = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => (Some(e.into_owned()), false),
            Ok(Event::Empty(e)) => (Some(e.into_owned()), true),
            Ok(Event::End(e)) if e.local_name().as_ref() == "table-row" => {
                rows = rows.saturating_add(row_repeat);
                if row_width > 0 {
                    used_rows = rows;
                    width = width.max(row_width);
                }
                (None, false)
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            _ => (None, false),
        };
        if let Some(e) = start {
            match e.local_name().as_ref() {
                "table" => (rows, used_rows, width) = (0, 0, 0),
                "table-row" => {
                    (row_repeat, col, row_width) =
                        (repeats(&e, "table:number-rows-repeated"), 0, 0);
                    if empty {
                        rows = rows.saturating_add(row_repeat);
                    }
                }
                "table-cell" | "covered-table-cell" => {
                    col = col.saturating_add(repeats(&e, "table:number-columns-repeated"));
                    if matches!(e.try_get_attribute("office:value-type"), Ok(Some(_))) {
                        row_width = col;
                    }
                }
                _ => {}
            }
        }
        let cells = used_rows.saturating_mul(width);
        if cells > MAX_ODS_CELLS {
            return Err(format!(
                "a sheet of its content.xml repeats rows and cells into {cells} cells \
                 (divnet reads at most {MAX_ODS_CELLS} of one sheet): not a workbook divnet reads"
            ));
        }
        buf.clear();
    }
}

/// A sink that counts the bytes written to it.
struct Counted(u64);

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The non-empty cells of a sheet as text, by row and column (0-based), read one cell at a
/// time where the format allows (XLSX, XLSM, XLSB), so memory follows the cells the file
/// holds, never the dimensions it claims; XLS (at most 65,536 x 256 cells) and ODS (its
/// repeats checked first, [`MAX_ODS_CELLS`]) through calamine's range.
type Cells = std::collections::BTreeMap<u32, Vec<(u32, String)>>;

fn sheet_cells<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Sheets<RS>,
    name: &str,
) -> Result<Cells, String> {
    let mut cells = Cells::new();
    let mut put = |(r, c): (u32, u32), d: Data| {
        let t = cell_text(&d);
        if !t.is_empty() {
            cells.entry(r).or_default().push((c, t));
        }
    };
    match book {
        calamine::Sheets::Xlsx(x) => {
            let mut rd = x.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
            while let Some(cell) = rd.next_cell().map_err(|e| e.to_string())? {
                let pos = cell.get_position();
                put(pos, Data::from(cell.get_value().clone()));
            }
        }
        calamine::Sheets::Xlsb(x) => {
            let mut rd = x.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
            while let Some(cell) = rd.next_cell().map_err(|e| e.to_string())? {
                let pos = cell.get_position();
                put(pos, Data::from(cell.get_value().clone()));
            }
        }
        other => {
            let range = other.worksheet_range(name).map_err(|e| e.to_string())?;
            for (r, c, d) in range.used_cells() {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                put((r0 + r as u32, c0 + c as u32), d.clone());
            }
        }
    }
    for row in cells.values_mut() {
        row.sort_by_key(|(c, _)| *c);
        row.dedup_by_key(|(c, _)| *c);
    }
    Ok(cells)
}

/// One row of `cells` as dense text from column `from` to its last cell (at most `width`
/// columns, when given).
fn dense(row: Option<&Vec<(u32, String)>>, from: u32, width: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    for (c, t) in row.into_iter().flatten() {
        let i = (c - from) as usize;
        if width.is_some_and(|w| i >= w) {
            break;
        }
        out.resize(i, String::new());
        out.push(t.clone());
    }
    out
}

/// Reads one sheet of a workbook into a header and records, with the header's row number
/// (its `header_line`).
///
/// `header_row` is the 1-based row of the header as the spreadsheet numbers rows; without
/// it the header is found among the first rows by the `wanted` column names. Records hold
/// the cells up to their last one within the header's width (a missing cell reads as
/// empty), so memory follows the cells the file holds.
pub fn open_sheet(
    path: &Path,
    bytes: &[u8],
    sheet: Option<&str>,
    header_row: Option<u64>,
    wanted: &[String],
) -> Result<Opened<'static>, IngestError> {
    let bad = |problem: String| IngestError::Unreadable { path: path.to_path_buf(), problem };
    check_parts(bytes).map_err(bad)?;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("cannot read the workbook: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| {
            bad(format!(
                "the workbook has no sheet {:?}; its sheets: {}",
                crate::text::clip(s),
                quoted(&names)
            ))
        })?,
        None => names.first().cloned().ok_or_else(|| bad("the workbook has no sheets".into()))?,
    };
    let shown = crate::text::clip(&name).into_owned();
    let cells = sheet_cells(&mut book, &name)
        .map_err(|e| bad(format!("cannot read sheet {shown:?}: {}", crate::text::clip(&e))))?;
    // Rows and columns as the spreadsheet numbers them, from the first that holds a cell.
    let first_row = u64::from(cells.keys().next().copied().unwrap_or(0)) + 1;
    let last_row = u64::from(cells.keys().next_back().copied().unwrap_or(0)) + 1;
    let from = cells.values().filter_map(|r| r.first()).map(|(c, _)| *c).min().unwrap_or(0);
    let row_at = |line: u64| cells.get(&((line - 1) as u32));
    let header_line = match header_row {
        Some(h) if !cells.is_empty() && (first_row..=last_row).contains(&h) => h,
        Some(h) => {
            return Err(bad(format!(
                "header_row {h} is outside sheet {shown:?} (rows {first_row}..)"
            )));
        }
        None => {
            let search: Vec<Vec<String>> = (first_row..first_row + HEADER_SEARCH_ROWS as u64)
                .map(|l| dense(row_at(l), from, None))
                .collect();
            let at = find_header(&search, wanted).ok_or_else(|| {
                bad(format!(
                    "no header row found in the first {HEADER_SEARCH_ROWS} rows of sheet \
                     {shown:?}: none names a column of {}; set header_row or the column mapping",
                    quoted(wanted)
                ))
            })?;
            first_row + at as u64
        }
    };
    let header: Vec<String> =
        dense(row_at(header_line), from, None).iter().map(|h| h.trim().to_string()).collect();
    let width = header.len();
    let records = cells
        .range(header_line as u32..)
        .map(|(r, row)| (u64::from(*r) + 1, dense(Some(row), from, Some(width))))
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(line, r)| RawRow::Record { line, record: StringRecord::from(r) })
        .collect();
    Ok(Opened {
        header,
        rows: RowSource::Ready(records),
        header_line,
        encoding: "spreadsheet".into(),
    })
}

/// The invariants of the spreadsheet reader on arbitrary bytes (the body of the fuzz
/// target `sheet`, also run by a property test): no panic, and a workbook that reads gives
/// rows below its header, numbered upwards, none wider than the header nor empty. The
/// first byte picks the header row (0: found by name).
///
/// # Panics
///
/// When an invariant does not hold: that is what it is for.
///
/// ```
/// divnet::ingest::fuzz_sheet(b"\x00PK\x03\x04 not really a workbook");
/// ```
pub fn fuzz_sheet(data: &[u8]) {
    let Some((&choice, bytes)) = data.split_first() else { return };
    let header_row = (choice != 0).then_some(u64::from(choice));
    let wanted = ["id".to_string(), "country".to_string()];
    let Ok(o) = open_sheet(Path::new("fuzz.xlsx"), bytes, None, header_row, &wanted) else {
        return;
    };
    let RowSource::Ready(rows) = &o.rows else { panic!("a sheet gave CSV pieces") };
    let mut previous = o.header_line;
    for row in rows {
        let RawRow::Record { line, record } = row else { continue };
        assert!(*line > previous, "row {line} after {previous}");
        previous = *line;
        assert!(record.len() <= o.header.len().max(1), "row {line} wider than the header");
        assert!(record.iter().any(|c| !c.trim().is_empty()), "empty row {line} kept");
    }
}

fn quoted<S: AsRef<str>>(names: &[S]) -> String {
    let mut s = names
        .iter()
        .take(20)
        .map(|n| format!("{:?}", crate::text::clip(n.as_ref())))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 20 {
        s.push_str(&format!(" and {} more", names.len() - 20));
    }
    s
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

    /// A workbook of one sheet (`Sheet1`) with the given rows XML and dimension, and the
    /// extra parts given.
    fn book(dimension: &str, rows: &str, extra: &mut [(&str, &mut dyn std::io::Read)]) -> Vec<u8> {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let ns = "http://schemas.openxmlformats.org";
        let parts = [
            (
                "[Content_Types].xml",
                format!(
                    r#"<Types xmlns="{ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
                ),
            ),
            (
                "_rels/.rels",
                format!(
                    r#"<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    r#"<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(
                    r#"<worksheet xmlns="{ns}/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#
                ),
            ),
        ];
        for (name, text) in parts {
            z.start_file(name, opts).unwrap();
            z.write_all(text.as_bytes()).unwrap();
        }
        for (name, r) in extra.iter_mut() {
            z.start_file(*name, opts).unwrap();
            std::io::copy(r, &mut z).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    fn text_cell(at: &str, v: &str) -> String {
        format!(r#"<c r="{at}" t="inlineStr"><is><t>{v}</t></is></c>"#)
    }

    #[test]
    fn a_sheet_is_read_by_its_cells_not_by_the_dimensions_it_claims() {
        // A header in A1:B1, a row, and one cell in the last row and column a sheet has:
        // as a range that is 17 billion cells; read by cells, three rows.
        let rows = format!(
            r#"<row r="1">{}{}</row><row r="2">{}{}</row><row r="1048576"><c r="XFD1048576"><v>7</v></c></row>"#,
            text_cell("A1", "id"),
            text_cell("B1", "country"),
            text_cell("A2", "S-1"),
            text_cell("B2", "MEX"),
        );
        let b = book("A1:XFD1048576", &rows, &mut []);
        let p = Path::new("sparse.xlsx");
        let o = open_sheet(p, &b, None, None, &["id".into()]).unwrap();
        assert_eq!(o.header, ["id", "country"]);
        // The last row's only cell lies beyond the header: an empty row, skipped.
        assert_eq!(records(&o), [(2, vec!["S-1".to_string(), "MEX".to_string()])]);
        // A header row given as the last row: as wide as the sheet (one row of cells),
        // and nothing below it.
        let o = open_sheet(p, &b, None, Some(1048576), &[]).unwrap();
        assert_eq!(o.header.len(), 16384);
        assert!(records(&o).is_empty());
        let e = open_sheet(p, &b, None, Some(1048577), &[]).unwrap_err();
        assert!(e.to_string().contains("outside sheet"), "{e}");
    }

    #[test]
    fn a_part_that_inflates_beyond_the_limit_is_refused_by_name() {
        // 300 MiB of shared strings in about 300 KB.
        struct Zeros(u64);
        impl std::io::Read for Zeros {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = (buf.len() as u64).min(self.0) as usize;
                buf[..n].fill(b'a');
                self.0 -= n as u64;
                Ok(n)
            }
        }
        let rows = format!(r#"<row r="1">{}</row>"#, text_cell("A1", "id"));
        let mut big = Zeros(300 << 20);
        let b = book("A1", &rows, &mut [("xl/sharedStrings.xml", &mut big)]);
        assert!(b.len() < 2 << 20, "{} bytes", b.len());
        let e = open_sheet(Path::new("bomb.xlsx"), &b, None, None, &["id".into()]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("\"xl/sharedStrings.xml\" decompresses to more than 256 MiB"),
            "{msg}"
        );
        // The same workbook without it reads.
        assert!(
            open_sheet(
                Path::new("ok.xlsx"),
                &book("A1", &rows, &mut []),
                None,
                None,
                &["id".into()]
            )
            .is_ok()
        );
    }

    #[test]
    fn an_ods_sheet_repeating_cells_into_billions_is_refused_and_trailing_repeats_pass() {
        let ods = |rows: &str| {
            use std::io::Write;
            let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let opts = zip::write::SimpleFileOptions::default();
            z.start_file("mimetype", opts).unwrap();
            z.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
            z.start_file("content.xml", opts).unwrap();
            write!(z, r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet><table:table table:name="S">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#).unwrap();
            z.finish().unwrap().into_inner()
        };
        let value = r#"<table:table-cell office:value-type="float" office:value="1"/>"#;
        // A value, a million empty rows, a value 16,000 columns out: 16 billion cells.
        let bomb = ods(&format!(
            r#"<table:table-row>{value}</table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16000"/>{value}</table:table-row>"#
        ));
        let e = check_parts(&bomb).unwrap_err();
        assert!(e.contains("into 16001032002 cells"), "{e}");
        // How spreadsheet programs end a sheet: empty rows and cells repeated to its end.
        let filled = ods(&format!(
            r#"<table:table-row>{value}{value}<table:table-cell table:number-columns-repeated="1022"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#
        ));
        assert_eq!(check_parts(&filled), Ok(()));
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
