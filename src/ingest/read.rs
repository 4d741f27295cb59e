//! Reading input files into header + text records, whatever their format.
//!
//! CSV is parsed piece by piece (see [`super::split`] and [`csv_piece`]): one-line records
//! without quotes are split directly, any other record is read by `csv_core`, and ragged
//! rows and bad UTF-8 are reported per row; the header is read with the `csv` crate.
//! Parquet is read with polars (values rendered as text, list columns joined with the list
//! separator); NDJSON line by line with serde_json (a bad line is a bad row, not a bad
//! file); both into [`RawRow`]s. [`open`] picks the reader of a file's format, here or in
//! [`super::sheet`] and [`super::geojson`], for a run and the standalone commands alike.

use std::borrow::Cow;
use std::path::Path;

use csv::StringRecord;

use super::error::IngestError;
use super::rows::{
    MAX_FIELD_BYTES, MAX_LINE_BYTES, Opened, RawRow, ReadOptions, RowSource, bad, json_text,
    nul_problem, shown, too_long, trim,
};
use super::text::Prepared;
use super::validate::{Problem, Reason};
use crate::inputs::rules::{Format, HeaderRow};

/// One CSV record handed to the caller of [`csv_piece`]: its fields by schema column
/// (`None` where the file has no such column), or why the record cannot be used.
pub type CsvRecord<'r> = Result<&'r [Option<&'r str>], Problem>;

/// Empties a vector of borrowed texts so that its allocation can be reused with another
/// lifetime (the in-place `collect` of an empty vector keeps the buffer).
fn recycle<'b>(mut v: Vec<Option<&str>>) -> Vec<Option<&'b str>> {
    v.clear();
    v.into_iter().map(|_| None).collect()
}

/// Splits a line with no quotes on an ASCII `delimiter`, eight bytes at a time (fields are
/// short, so this beats both a byte loop and a search per field), calling
/// `on_field(index, text)` for each field; returns the number of fields.
fn split_fields<'t>(t: &'t str, delimiter: u8, mut on_field: impl FnMut(usize, &'t str)) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let bytes = t.as_bytes();
    let pattern = u64::from_ne_bytes([delimiter; 8]);
    let (mut from, mut n) = (0, 0);
    let mut cut = |at: usize| {
        on_field(n, t.get(from..at).unwrap_or_default());
        from = at + 1;
        n += 1;
    };
    let mut words = bytes.chunks_exact(8);
    for (w, word) in words.by_ref().enumerate() {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ pattern;
        // High bit set for every zero byte of x (and, after a zero byte, possibly for a
        // 0x01 byte: candidates are checked).
        let mut zeros = x.wrapping_sub(ONES) & !x & HIGH;
        while zeros != 0 {
            let at = w * 8 + (zeros.trailing_zeros() / 8) as usize;
            if bytes[at] == delimiter {
                cut(at);
            }
            zeros &= zeros - 1;
        }
    }
    let base = bytes.len() - words.remainder().len();
    for (k, &b) in words.remainder().iter().enumerate() {
        if b == delimiter {
            cut(base + k);
        }
    }
    on_field(n, t.get(from..).unwrap_or_default());
    n + 1
}

/// Reads one record that needs a full CSV parser (quotes, stray carriage returns) with
/// `csv_core`: fills `out` with the unescaped fields, `ends` with their end offsets in
/// `out`, and returns the number of input bytes consumed.
fn core_record(
    core: &mut csv_core::Reader,
    input: &[u8],
    out: &mut Vec<u8>,
    ends: &mut Vec<usize>,
) -> usize {
    use csv_core::ReadRecordResult as R;
    out.resize(out.len().max(1024), 0);
    ends.resize(ends.len().max(64), 0);
    let (mut nin, mut nout, mut nend) = (0, 0, 0);
    let mut at_end = false;
    loop {
        let rest = if at_end { &[][..] } else { &input[nin..] };
        // `csv_core` writes field ends relative to the start of the record.
        let (res, i, o, e) = core.read_record(rest, &mut out[nout..], &mut ends[nend..]);
        nin += i;
        nout += o;
        nend += e;
        match res {
            R::Record | R::End => break,
            R::OutputFull => out.resize(out.len() * 2, 0),
            R::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            R::InputEmpty if at_end => break,
            // An empty call tells the parser that the input ends here.
            R::InputEmpty => at_end = nin >= input.len(),
        }
    }
    out.truncate(nout);
    ends.truncate(nend);
    nin
}

/// Parses the records of `bytes[start..end]`, a piece that begins at a record boundary
/// (see [`super::split::cut_points`]), and calls `f(line, record)` for each, in order. The
/// piece at offset 0 begins with the header, which is skipped. `first_line` is the line
/// number of the piece's first byte; `map` gives, for each schema column, the index of the
/// file column that holds it. Field texts are trimmed, and empty ones passed as `None`.
///
/// A record that is one line with no quote and no stray carriage return (most records) is
/// split on the delimiter directly, its fields borrowed from the file's bytes; any other
/// record is read by `csv_core` with the same rules as the `csv` crate. Blank lines are
/// skipped; a record with the wrong number of fields or with bytes that are not UTF-8 is
/// passed as a [`Problem`] instead of fields. Nothing is allocated per record unless it is
/// broken.
///
/// A record broken in two by a line break outside quotes (SIPRI's register writes line
/// breaks into its comments unquoted) is read whole again, see [`rejoin`]: its line is the
/// line of its first piece. For a piece to hold both halves of such a record, cut the file
/// with [`record_cuts`].
pub fn csv_piece(
    bytes: &[u8],
    (start, end): (usize, usize),
    first_line: u64,
    delimiter: u8,
    width: usize,
    map: &[Option<usize>],
    mut f: impl FnMut(u64, CsvRecord<'_>),
) {
    let piece = &bytes[start..end];
    // One check for the whole piece; only a piece with bad bytes is checked per record.
    let piece_text = std::str::from_utf8(piece).ok();
    let fast = delimiter.is_ascii() && !matches!(delimiter, b'"' | b'\r' | b'\n' | 0);
    // A piece without quotes, carriage returns or NUL bytes (the usual case) needs no check
    // per line. A line with any of them is read by `csv_core`, which also looks for NULs.
    let plain = fast && memchr::memchr3(b'"', b'\r', 0, piece).is_none();
    let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let (mut out, mut ends) = (Vec::new(), Vec::new());
    let mut lines = super::split::LineCounter::new(first_line);
    let mut columns: Vec<Option<&str>> = Vec::with_capacity(width);
    let mut spare: Vec<Option<&str>> = Vec::with_capacity(map.len());
    // For each file column, the first field it fills; a file column that fills several
    // fields (a column both mapped and read by a row filter, or mapped onto two schema
    // columns) is copied into the others after the split (`copies`: from, to).
    let mut slot: Vec<Option<usize>> = vec![None; width];
    let mut copies: Vec<(usize, usize)> = Vec::new();
    for (j, m) in map.iter().enumerate() {
        if let Some(i) = *m
            && i < width
        {
            match slot[i] {
                Some(first) => copies.push((first, j)),
                None => slot[i] = Some(j),
            }
        }
    }
    let mut pos = 0;
    if start == 0 {
        pos = core_record(&mut core, piece, &mut out, &mut ends); // the header
    } else {
        // `csv_core` strips a byte-order mark from the first bytes it reads: feed it a blank
        // line so that a later piece is read exactly as in a parse of the whole file.
        let _ = core.read_record(b"\n", &mut [], &mut []);
    }
    let bad_utf8 = |raw: &[u8]| {
        Problem::new(
            "(row)",
            &shown(raw),
            Reason::InvalidUtf8,
            "the row is not valid UTF-8: save the file as UTF-8",
        )
    };
    let nul = |raw: &[u8]| nul_problem(&shown(raw));
    let open_quote = |raw: &[u8]| {
        let lines = super::split::count_line_breaks(raw);
        Problem::new(
            "(row)",
            &shown(raw),
            Reason::UnterminatedQuote,
            format!(
                "a quoted field opened in this row is never closed: the {lines} line break(s) after it to the end of the file were read into it"
            ),
        )
    };
    loop {
        // Blank lines (and the rest of a CRLF) before a record are skipped.
        pos += piece[pos..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        if pos >= piece.len() {
            break;
        }
        let line = lines.line_of(piece, pos);
        let record_start = pos;
        let line_end = memchr::memchr(b'\n', &piece[pos..]).map_or(piece.len(), |o| pos + o);
        let raw = &piece[pos..line_end];
        let content = raw.strip_suffix(b"\r").unwrap_or(raw);
        let mut fields = recycle(std::mem::take(&mut spare));
        fields.resize(map.len(), None);
        let field_count = |n: usize, shown: &str| {
            Problem::new(
                "(row)",
                shown,
                Reason::FieldCount,
                format!("expected {width} fields, found {n}"),
            )
        };
        let outcome = if content.len() > MAX_LINE_BYTES {
            // Never copied nor split: its line is skipped whole.
            pos = (line_end + 1).min(piece.len());
            Err(Some(too_long(content, None)))
        } else if plain || (fast && memchr::memchr3(b'"', b'\r', 0, content).is_none()) {
            // One line, no quotes: split on the delimiter, borrowing from the file, each
            // field put straight into its schema column.
            pos = (line_end + 1).min(piece.len());
            let text = match piece_text {
                Some(t) => t.get(record_start..record_start + content.len()),
                None => std::str::from_utf8(content).ok(),
            };
            match text {
                None => Err(Some(bad_utf8(content))),
                Some(t) => {
                    let mut long = None;
                    let n = split_fields(t, delimiter, |k, v| {
                        if v.len() > MAX_FIELD_BYTES && long.is_none() {
                            long = Some((k + 1, v.len()));
                        }
                        if let Some(&Some(j)) = slot.get(k) {
                            fields[j] = Some(trim(v)).filter(|v| !v.is_empty());
                        }
                    });
                    for &(from, to) in &copies {
                        fields[to] = fields[from];
                    }
                    if long.is_some() {
                        Err(Some(too_long(content, long)))
                    } else if n == width {
                        Ok(())
                    } else {
                        Err(Some(field_count(n, t)))
                    }
                }
            }
        } else {
            let used = core_record(&mut core, &piece[pos..], &mut out, &mut ends);
            let raw = &piece[pos..pos + used];
            pos = (pos + used.max(1)).min(piece.len());
            let mut cols = recycle(std::mem::take(&mut columns));
            let mut from = 0;
            let long = ends.iter().enumerate().find_map(|(k, &e)| {
                let len = e - std::mem::replace(&mut from, e);
                (len > MAX_FIELD_BYTES).then_some((k + 1, len))
            });
            let outcome = if used > MAX_LINE_BYTES || long.is_some() {
                Err(Some(too_long(raw, long)))
            } else {
                match std::str::from_utf8(&out) {
                    Err(_) => Err(Some(bad_utf8(raw))),
                    Ok(t) => {
                        let mut from = 0;
                        for &e in &ends {
                            cols.push(t.get(from..e));
                            from = e;
                        }
                        if cols.iter().any(Option::is_none) {
                            // A field boundary inside a character: the fields are not UTF-8.
                            Err(Some(bad_utf8(raw)))
                        } else if memchr::memchr(0, &out).is_some() {
                            Err(Some(nul(raw)))
                        } else if cols.len() == 1 && cols[0] == Some("") {
                            Err(None) // a line holding only `""` (or a last `"`) is blank too
                        } else if pos == piece.len()
                            && super::split::ends_in_open_quote(raw, delimiter)
                        {
                            // Only a file's last record can run to its end inside quotes.
                            Err(Some(open_quote(raw)))
                        } else if cols.len() != width {
                            Err(Some(field_count(cols.len(), &String::from_utf8_lossy(raw))))
                        } else {
                            for (field, m) in fields.iter_mut().zip(map) {
                                *field =
                                    m.and_then(|i| cols[i]).map(trim).filter(|v| !v.is_empty());
                            }
                            Ok(())
                        }
                    }
                }
            };
            columns = recycle(cols);
            outcome
        };
        // Only a record with too few fields is looked at again.
        let joined = match &outcome {
            Err(Some(p)) if p.reason == Reason::FieldCount => {
                rejoin(piece, record_start, delimiter, width)
            }
            _ => None,
        };
        match (joined, outcome) {
            (Some((whole, next)), _) => {
                let mut mapped: Vec<Option<&str>> = Vec::with_capacity(map.len());
                mapped.extend(map.iter().map(|m| {
                    m.and_then(|i| whole.get(i)).map(|v| trim(v)).filter(|v| !v.is_empty())
                }));
                f(line, Ok(&mapped));
                pos = next;
            }
            (None, Ok(())) => f(line, Ok(&fields)),
            (None, Err(Some(problem))) => f(line, Err(problem)),
            (None, Err(None)) => {}
        }
        spare = recycle(fields);
    }
}

/// The fields of the one record at the start of `bytes`, read by `csv_core` as a piece
/// after the first reads it (`None` when they are not UTF-8 or hold a NUL), their number,
/// and the number of bytes the record takes (its line break included).
fn one_record(bytes: &[u8], delimiter: u8) -> (Option<Vec<String>>, usize, usize) {
    let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    // As in `csv_piece`: not the file's start, so no byte-order mark is stripped.
    let _ = core.read_record(b"\n", &mut [], &mut []);
    let (mut out, mut ends) = (Vec::new(), Vec::new());
    let used = core_record(&mut core, bytes, &mut out, &mut ends);
    let fields = std::str::from_utf8(&out).ok().filter(|t| !t.contains('\0')).and_then(|t| {
        let mut from = 0;
        let mut fields = Vec::with_capacity(ends.len());
        for &e in &ends {
            fields.push(t.get(from..e)?.to_string());
            from = e;
        }
        Some(fields)
    });
    (fields, ends.len(), used)
}

/// A CSV record broken in two by a line break outside quotes, read whole again: the record
/// starting at `bytes[start]` (its first piece) has fewer fields than the header's
/// `width`, the record on the very next line (no blank line between) has fewer too, and
/// together they have `width + 1`, the field the line break cut in two counting in both.
/// Returns the fields of the whole record (the cut field's halves joined by `\n`) and
/// where the next record starts; `None` when the pieces do not make exactly one record
/// (either is not UTF-8, holds a NUL, or the second opens a quote it never closes).
///
/// ```text
/// Cote d'Ivoire,...,New,Cummins diesel engine for 12 Puma M-36 APC from South Africa
/// ,0.03,0.36,0
/// ```
/// is one record of 16 fields (13 on the first line, 4 on the second).
pub fn rejoin(
    bytes: &[u8],
    start: usize,
    delimiter: u8,
    width: usize,
) -> Option<(Vec<String>, usize)> {
    let (first, _, used) = one_record(&bytes[start..], delimiter);
    let first = first?;
    if first.len() >= width {
        return None;
    }
    // Exactly one line break between the first piece's last byte and the second's first.
    let mut end = start + used;
    while end > start && matches!(bytes[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    let next = end + bytes[end..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
    if next >= bytes.len() || super::split::count_line_breaks(&bytes[end..next]) != 1 {
        return None;
    }
    let (second, _, used) = one_record(&bytes[next..], delimiter);
    let second = second?;
    if second.len() >= width || first.len() + second.len() != width + 1 {
        return None;
    }
    let after = next + used;
    if after >= bytes.len() && super::split::ends_in_open_quote(&bytes[next..], delimiter) {
        return None;
    }
    let mut whole = first;
    let mut rest = second.into_iter();
    if let (Some(last), Some(head)) = (whole.last_mut(), rest.next()) {
        last.push('\n');
        last.push_str(&head);
    }
    whole.extend(rest);
    Some((whole, after))
}

/// Where to cut a CSV file (`bytes`, the header's `width` fields) into pieces of about
/// `target` bytes: [`super::split::cut_points`], each cut then moved past the records
/// after it that have fewer fields than the header (and on to the next record that
/// starts a line after a `\n`), so that a record broken by a line break outside quotes
/// (see [`rejoin`]) lies whole in one piece. The cuts depend only on the bytes, the
/// delimiter, `width` and `target`.
///
/// ```
/// use divnet::ingest::read::record_cuts;
/// let csv = b"a,b,c\n1,2,3\n4,x\ny,5\n6,7,8\n";
/// for t in 1..csv.len() {
///     // never between `4,x` and `y,5`
///     assert!(!record_cuts(csv, b',', 3, t).contains(&16));
/// }
/// ```
pub fn record_cuts(bytes: &[u8], delimiter: u8, width: usize, target: usize) -> Vec<usize> {
    let cuts = super::split::cut_points(bytes, delimiter, target);
    let len = bytes.len();
    let mut out: Vec<usize> = Vec::with_capacity(cuts.len());
    for &cut in &cuts {
        let mut at = cut.max(out.last().copied().unwrap_or(0));
        // Cuts stay where `cut_points` may put them: just after a `\n`, at a record's start.
        while at > 0 && at < len {
            let blank = matches!(bytes[at], b'\r' | b'\n');
            if blank {
                // A blank line parts the records around it.
                if bytes[at - 1] == b'\n' {
                    break;
                }
                at += 1;
                continue;
            }
            let (_, fields, used) = one_record(&bytes[at..], delimiter);
            if (fields >= width && bytes[at - 1] == b'\n') || used == 0 {
                break;
            }
            at += used;
            if bytes[at - 1] == b'\r' && bytes.get(at) == Some(&b'\n') {
                at += 1;
            }
        }
        if out.last() != Some(&at) {
            out.push(at.min(len));
        }
    }
    out.dedup();
    out
}

/// Opens a file of the given format as `opts` say: its header, its records (CSV text to
/// parse in pieces, or rows already read), the line of its header and the encoding it was
/// read in. The one place that picks the reader of a format.
pub fn open<'a>(
    path: &Path,
    bytes: &'a [u8],
    format: Format,
    opts: &ReadOptions<'_>,
) -> Result<Opened<'a>, IngestError> {
    match format {
        Format::Csv => open_csv(path, super::text::prepare(path, bytes, opts)?, opts.delimiter),
        Format::Parquet => open_parquet(path, bytes, opts.list_separator),
        Format::Ndjson => open_ndjson(path, bytes, opts.list_separator),
        Format::Geojson => super::geojson::open_geojson(path, bytes, opts.list_separator),
        Format::Spreadsheet => {
            let given = match opts.header_row {
                HeaderRow::Line(n) => Some(n),
                HeaderRow::Auto => None,
            };
            super::sheet::open_sheet(path, bytes, opts.sheet, given, opts.wanted)
        }
    }
}

/// How many bytes at the start of a CSV or NDJSON file [`binary_content`] looks at.
pub const SNIFF_BYTES: usize = 8192;

/// Whether a byte is a control character that text files do not hold: NUL, the other C0
/// controls but tab, line feed, form feed and carriage return, and DEL.
fn is_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0c | b'\r')) || b == 0x7f
}

/// Why a file given as CSV or NDJSON is not text at all, if it is not: then the file is
/// refused whole (a text file with a few bad rows is read, and the bad rows rejected).
///
/// The rule, on the file's first [`SNIFF_BYTES`] bytes only (so clean files pay nothing
/// per byte): the file starts with the magic bytes of Parquet (`PAR1`), ZIP (`PK\x03\x04`,
/// an Excel workbook) or gzip, or with a UTF-16 byte-order mark; or at least a quarter of
/// those bytes are NUL bytes, other control characters (but tab, line feed, form feed and
/// carriage return) or bytes that are not part of valid UTF-8.
///
/// ```
/// use divnet::ingest::read::binary_content;
/// assert!(binary_content(b"id,date\n1,2023\n").is_none());
/// assert!(binary_content(b"id,date\n1,2\x0023\n\xe9,2023\n").is_none()); // a few bad rows
/// assert!(binary_content(b"PAR1\x15\x04").unwrap().contains("Parquet"));
/// assert!(binary_content(b"\xff\xfei\0d\0").unwrap().contains("UTF-16"));
/// assert!(binary_content(&[0u8, 1, 2, 3, 200, 201, b'a', b'\n']).unwrap().contains("binary"));
/// ```
pub fn binary_content(bytes: &[u8]) -> Option<String> {
    let magic: [(&[u8], &str); 6] = [
        (
            b"PAR1",
            "this is a Parquet file, not text (binary content): name it .parquet or set format = \"parquet\"",
        ),
        (
            b"PK\x03\x04",
            "this is a ZIP archive (an Excel workbook?), not text (binary content): export it as CSV",
        ),
        (b"\x1f\x8b", "this is a gzip-compressed file (binary content): decompress it first"),
        (
            b"\xff\xfe",
            "the file is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8",
        ),
        (
            b"\xfe\xff",
            "the file is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8",
        ),
        (
            b"\0\0\xfe\xff",
            "the file is UTF-32 text (it starts with a UTF-32 byte-order mark): save it as UTF-8",
        ),
    ];
    if let Some((_, why)) = magic.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some((*why).to_string());
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let controls = |t: &[u8]| t.iter().filter(|&&b| is_control(b)).count();
    let (mut non_text, mut rest) = (0, head);
    loop {
        match std::str::from_utf8(rest) {
            Ok(_) => {
                non_text += controls(rest);
                break;
            }
            Err(e) => {
                let (good, after) = rest.split_at(e.valid_up_to());
                non_text += controls(good);
                match e.error_len() {
                    Some(n) => {
                        non_text += n;
                        rest = &after[n..];
                    }
                    // A character cut by the end of the block.
                    None => break,
                }
            }
        }
    }
    if head.is_empty() || non_text * 4 < head.len() {
        return None;
    }
    let nuls = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (nuls(0), nuls(1));
    if (even + odd) * 3 >= head.len() && (even.min(odd) * 8 <= even.max(odd)) {
        return Some(
            "the file looks like UTF-16 text without a byte-order mark (every other byte is NUL): save it as UTF-8"
                .into(),
        );
    }
    Some(format!(
        "this is not a text file: {non_text} of its first {} bytes are NUL, control or non-UTF-8 bytes (binary content, or text in another encoding: save it as UTF-8); is the format right?",
        head.len()
    ))
}

/// The error of a header line (or a header field) longer than divnet reads.
fn hostile_header(path: &Path, line: &[u8]) -> IngestError {
    bad(
        path,
        format!(
            "the header row is {} bytes long (or holds a field of more than {} MiB), more than \
             the {} MiB divnet reads in one line: not a table header (it begins {:?}); is this \
             the right file and delimiter?",
            line.len(),
            MAX_FIELD_BYTES >> 20,
            MAX_LINE_BYTES >> 20,
            shown(line)
        ),
    )
}

/// Reads the header of a CSV file made ready by [`super::text::prepare`].
fn open_csv<'a>(
    path: &Path,
    prepared: Prepared<'a>,
    delimiter: u8,
) -> Result<Opened<'a>, IngestError> {
    let Prepared { text: whole, start, header_line, encoding } = prepared;
    let bytes = &whole[start..];
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(bad(path, "the file is empty: expected a header row"));
    }
    if let Some(why) = binary_content(bytes) {
        return Err(bad(path, why));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    // A header line longer than any divnet reads is not parsed at all.
    let first_line = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    if first_line > MAX_LINE_BYTES {
        return Err(hostile_header(path, &bytes[..first_line]));
    }
    let header_record =
        rdr.headers().map_err(|e| bad(path, format!("cannot read the header row: {e}")))?.clone();
    if rdr.position().byte() > MAX_LINE_BYTES as u64
        || header_record.iter().any(|h| h.len() > MAX_FIELD_BYTES)
    {
        let end = (rdr.position().byte() as usize).min(bytes.len());
        return Err(hostile_header(path, &bytes[..end]));
    }
    let no_bom = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if rdr.position().byte() >= bytes.len() as u64
        && super::split::ends_in_open_quote(no_bom, delimiter)
    {
        return Err(bad(
            path,
            "the header row opens a quoted field that is never closed (a stray '\"'), so the whole file reads as one row",
        ));
    }
    let header = header_record
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 { h.trim_start_matches('\u{feff}') } else { h };
            h.trim().to_string()
        })
        .collect::<Vec<_>>();
    let width = header.len();
    // The text from the header line on (a preamble is dropped).
    let text = match whole {
        Cow::Borrowed(b) => Cow::Borrowed(&b[start..]),
        Cow::Owned(mut v) => {
            v.drain(..start);
            Cow::Owned(v)
        }
    };
    Ok(Opened { header, rows: RowSource::Csv { text, delimiter, width }, header_line, encoding })
}

/// The fields of one NDJSON line (column index, text), or why it cannot be used.
type ParsedLine = Result<Vec<(usize, Option<String>)>, Problem>;

fn open_ndjson(path: &Path, bytes: &[u8], list_sep: char) -> Result<Opened<'static>, IngestError> {
    if let Some(why) = binary_content(bytes) {
        return Err(bad(path, why));
    }
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
        if raw.len() > MAX_LINE_BYTES {
            parsed.push((line, Err(too_long(raw, None))));
            continue;
        }
        let shown = shown(raw);
        // The same row problems, in the same order, as in a CSV file.
        let Ok(json) = std::str::from_utf8(raw) else {
            let detail = "the line is not valid UTF-8: save the file as UTF-8";
            parsed.push((line, Err(Problem::new("(row)", &shown, Reason::InvalidUtf8, detail))));
            continue;
        };
        if memchr::memchr(0, raw).is_some() {
            parsed.push((line, Err(nul_problem(&shown))));
            continue;
        }
        let obj = match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json) {
            Ok(o) => o,
            // serde_json refuses a number no double holds (`1e400`) while parsing.
            Err(e) if e.to_string().starts_with("number out of range") => {
                let detail = format!("a number on this line is too large (beyond +-1.8e308): {e}");
                parsed.push((line, Err(Problem::new("(row)", &shown, Reason::OutOfRange, detail))));
                continue;
            }
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
    Ok(Opened { header, rows: RowSource::Ready(rows), header_line: 1, encoding: "utf-8".into() })
}

fn open_parquet(path: &Path, bytes: &[u8], list_sep: char) -> Result<Opened<'static>, IngestError> {
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
    Ok(Opened { header, rows: RowSource::Ready(rows), header_line: 1, encoding: "utf-8".into() })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::split::{LineCounter, count_line_breaks};
    use proptest::prelude::*;

    /// What a record should become: trimmed fields (None if empty) or the reason it fails.
    type Expected = (u64, Result<Vec<Option<String>>, Reason>);

    /// Whether `bytes` ends inside a quoted field, by a byte-at-a-time state machine of the
    /// quoting rules (independent of the quote jumps of `split`).
    fn naive_open_quote(bytes: &[u8], delimiter: u8) -> bool {
        #[derive(PartialEq)]
        enum S {
            FieldStart,
            Unquoted,
            Quoted,
            QuoteInQuoted,
        }
        let mut s = S::FieldStart;
        for &b in bytes {
            let end = b == delimiter || b == b'\n' || b == b'\r';
            s = match s {
                S::FieldStart if b == b'"' => S::Quoted,
                S::FieldStart | S::Unquoted if end => S::FieldStart,
                S::FieldStart | S::Unquoted => S::Unquoted,
                S::Quoted if b == b'"' => S::QuoteInQuoted,
                S::Quoted => S::Quoted,
                S::QuoteInQuoted if b == b'"' => S::Quoted,
                S::QuoteInQuoted if end => S::FieldStart,
                S::QuoteInQuoted => S::Unquoted,
            };
        }
        s == S::Quoted
    }

    /// The reference: a sequential parse with the `csv` crate.
    fn reference(bytes: &[u8], delimiter: u8) -> (usize, Vec<Expected>) {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(bytes);
        let width = rdr.byte_headers().map_or(0, |h| h.len());
        let mut lines = LineCounter::new(1);
        // Every record: its line, first byte, fields (when UTF-8) and what it is alone.
        type Read = (u64, usize, Option<Vec<String>>, Result<(), Reason>, bool);
        let mut read: Vec<Read> = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let at = rec.position().unwrap().byte() as usize;
            let start = at + bytes[at..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
            let line = lines.line_of(bytes, at);
            let blank = rec.len() == 1 && rec[0].is_empty();
            let texts: Option<Vec<String>> =
                rec.iter().map(|f| std::str::from_utf8(f).ok().map(str::to_string)).collect();
            let at_end = rdr.position().byte() as usize >= bytes.len();
            let alone = match &texts {
                None => Err(Reason::InvalidUtf8),
                Some(t) if t.iter().any(|f| f.contains('\0')) => Err(Reason::NulByte),
                Some(_) if at_end && naive_open_quote(&bytes[start..], delimiter) => {
                    Err(Reason::UnterminatedQuote)
                }
                Some(t) if t.len() != width => Err(Reason::FieldCount),
                Some(_) => Ok(()),
            };
            read.push((line, start, texts, alone, blank));
        }
        // A record with too few fields and the next, on the very next line, with too few
        // too, whose counts add up to the header's plus one, are one record.
        let short = |r: &Read| {
            r.3 == Err(Reason::FieldCount) && r.2.as_ref().is_some_and(|t| t.len() < width)
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < read.len() {
            let (line, _, texts, alone, blank) = &read[i];
            i += 1;
            if *blank {
                continue;
            }
            let trimmed = |t: &[String]| -> Vec<Option<String>> {
                t.iter().map(|s| Some(s.trim().to_string()).filter(|s| !s.is_empty())).collect()
            };
            if let Some(next) = read.get(i)
                && short(&read[i - 1])
                && short(next)
                && !next.4
            {
                let (a, b) = (texts.as_ref().unwrap(), next.2.as_ref().unwrap());
                let mut end = next.1;
                while matches!(bytes[end - 1], b'\r' | b'\n') {
                    end -= 1;
                }
                if a.len() + b.len() == width + 1 && count_line_breaks(&bytes[end..next.1]) == 1 {
                    let mut whole = a.clone();
                    *whole.last_mut().unwrap() += &format!("\n{}", b[0]);
                    whole.extend(b[1..].iter().cloned());
                    out.push((*line, Ok(trimmed(&whole))));
                    i += 1;
                    continue;
                }
            }
            out.push((*line, alone.map(|()| trimmed(texts.as_ref().unwrap()))));
        }
        (width, out)
    }

    fn pieced(bytes: &[u8], delimiter: u8, width: usize, target: usize) -> Vec<Expected> {
        let map: Vec<Option<usize>> = (0..width).map(Some).collect();
        let cuts = record_cuts(bytes, delimiter, width, target);
        let mut out = Vec::new();
        for w in cuts.windows(2) {
            let first_line = 1 + count_line_breaks(&bytes[..w[0]]);
            csv_piece(bytes, (w[0], w[1]), first_line, delimiter, width, &map, |line, rec| {
                out.push((
                    line,
                    rec.map(|f| f.iter().map(|v| v.map(str::to_string)).collect())
                        .map_err(|p| p.reason),
                ))
            });
        }
        out
    }

    #[test]
    fn a_column_read_into_two_fields_fills_both() {
        // Field 0 and field 2 both read file column 1 (a mapped column that a row filter
        // also reads), in a plain line and in a quoted one.
        let csv = b"id,recipient\n1,Myanmar\n2,\"Myanmar, Union of\"\n";
        let map = [Some(0), Some(1), Some(1)];
        let mut got = Vec::new();
        csv_piece(csv, (0, csv.len()), 1, b',', 2, &map, |line, rec| {
            got.push((line, rec.map(|f| f.iter().map(|v| v.map(str::to_string)).collect())))
        });
        type Row = Result<Vec<Option<String>>, Problem>;
        let row = |id: &str, r: &str| -> Row {
            Ok(vec![Some(id.into()), Some(r.into()), Some(r.into())])
        };
        let want = vec![(2, row("1", "Myanmar")), (3, row("2", "Myanmar, Union of"))];
        assert_eq!(got, want);
    }

    #[test]
    fn split_fields_finds_every_delimiter() {
        for line in
            ["", ",", "a", ",,,,,,,,,", "abcdefgh,ijklmnop", "\u{1}\u{1},\u{1},,\u{1}x,", "é,ü;x,,"]
        {
            for d in [b',', b';', b'\t'] {
                let mut got = Vec::new();
                let n = split_fields(line, d, |k, v| got.push((k, v)));
                let want: Vec<(usize, &str)> = line.split(d as char).enumerate().collect();
                assert_eq!(n, want.len());
                assert_eq!(got, want, "{line:?} split on {d}");
            }
        }
    }

    #[test]
    fn quoted_crlf_and_broken_records() {
        let csv = "id,note\r\n1,\"a\r\nb\"\r\n\r\n2, x \r\n3,\"q\"\"q\",extra\r\n\"\"\r\n4,5\" shelf\n5,\"é\"";
        let (width, want) = reference(csv.as_bytes(), b',');
        assert_eq!(want.len(), 5);
        for t in [1, 3, 7, 1 << 20] {
            assert_eq!(pieced(csv.as_bytes(), b',', width, t), want, "target {t}");
        }
    }

    #[test]
    fn a_nul_byte_rejects_its_row_only_wherever_it_is() {
        let csv = b"id,note\n1,a\n2,b\0c\n3,\"q\0\"\n\0\n4,\xff\0\n5,x\n";
        let (width, want) = reference(csv, b',');
        let reasons: Vec<(u64, Result<usize, Reason>)> =
            want.iter().map(|(l, r)| (*l, r.as_ref().map(Vec::len).map_err(|e| *e))).collect();
        assert_eq!(
            reasons,
            [
                (2, Ok(2)),
                (3, Err(Reason::NulByte)),
                (4, Err(Reason::NulByte)),
                (5, Err(Reason::NulByte)),
                (6, Err(Reason::InvalidUtf8)),
                (7, Ok(2)),
            ]
        );
        for t in 1..csv.len() {
            assert_eq!(pieced(csv, b',', width, t), want, "target {t}");
        }
    }

    #[test]
    fn a_record_broken_by_a_line_break_is_read_whole() {
        // Width 4. Lines 3+4 make one record (3 + 2 fields); 5 and 6 do not (2 + 2); 6 and 8
        // have a blank line between; 10+11 do, across a CRLF; 12 is followed by a complete
        // record; 14 and 15 make 1 + 3; 15 (a quoted line break in it) and 17 make 3 + 2.
        let csv = b"a,b,c,d\n1,2,3,4\n5,6,note\nmore,7\n8,9\n10,11\n\n12,13,x\n1,2,3,4\n\
            14,15,y\r\nz,16\n17,18\n1,2,3,4\n5\n6,\"q\nq\",x\ny,7\n";
        let (width, want) = reference(csv, b',');
        let s = |v: &str| Some(v.to_string());
        let got: Vec<(u64, Result<usize, Reason>)> =
            want.iter().map(|(l, r)| (*l, r.as_ref().map(Vec::len).map_err(|e| *e))).collect();
        let fc = Err(Reason::FieldCount);
        assert_eq!(
            got,
            [
                (2, Ok(4)),
                (3, Ok(4)),
                (5, fc),
                (6, fc),
                (8, fc),
                (9, Ok(4)),
                (10, Ok(4)),
                (12, fc),
                (13, Ok(4)),
                (14, fc),
                (15, Ok(4)),
            ]
        );
        assert_eq!(want[1].1, Ok(vec![s("5"), s("6"), s("note\nmore"), s("7")]));
        assert_eq!(want[6].1, Ok(vec![s("14"), s("15"), s("y\nz"), s("16")]));
        assert_eq!(want[10].1, Ok(vec![s("6"), s("q\nq"), s("x\ny"), s("7")]));
        for t in 1..csv.len() {
            assert_eq!(pieced(csv, b',', width, t), want, "target {t}");
        }
        // The SIPRI register's broken comment.
        let sipri = b"Recipient,Supplier,Comments,TIV per unit,TIV total,TIV delivered\n\
            Cote d'Ivoire,United States,Cummins diesel engine for 12 Puma M-36 APC\n,0.03,0.36,0\n";
        let (_, want) = reference(sipri, b',');
        assert_eq!(
            want,
            [(
                2,
                Ok(vec![
                    s("Cote d'Ivoire"),
                    s("United States"),
                    s("Cummins diesel engine for 12 Puma M-36 APC"),
                    s("0.03"),
                    s("0.36"),
                    s("0"),
                ])
            )]
        );
        assert_eq!(pieced(sipri, b',', 6, 1), want);
    }

    #[test]
    fn binary_content_is_told_from_text_with_a_few_bad_rows() {
        let row = b"S-1,2023-05-28,MEX,32.5,-117.0,3\n";
        let mut text = b"id,date,country,lat,lon,quantity\n".to_vec();
        for _ in 0..50 {
            text.extend_from_slice(row);
        }
        text.extend_from_slice(b"S-2,2023\0\0\0\0,MEX,\xe9\xe8,,\n");
        assert_eq!(binary_content(&text), None);
        // A quarter of control and non-UTF-8 bytes in the first block: binary.
        let mut junk = text.clone();
        junk.extend(std::iter::repeat_n(0x01u8, text.len() / 3));
        assert!(binary_content(&junk).unwrap().contains("binary"));
        // Bad bytes after the first block are never looked at.
        let mut late = text.repeat(SNIFF_BYTES / text.len() + 1);
        late.extend(std::iter::repeat_n(0u8, SNIFF_BYTES * 4));
        assert_eq!(binary_content(&late), None);
        // UTF-16 without a byte-order mark: every other byte is NUL.
        let utf16: Vec<u8> = text.iter().flat_map(|&b| [b, 0]).collect();
        assert!(binary_content(&utf16).unwrap().contains("UTF-16"));
        for magic in [&b"PAR1"[..], b"PK\x03\x04", b"\x1f\x8b", b"\xff\xfe", b"\xfe\xff"] {
            let mut f = magic.to_vec();
            f.extend_from_slice(&text);
            assert!(binary_content(&f).is_some(), "{magic:?}");
        }
    }

    #[test]
    fn byte_order_marks_inside_the_file_are_data() {
        // A case the property below once found: a piece that starts with a byte-order mark.
        let csv = b"h1,h2,h3\n\"\",,\xc3\xa9\"\"\xc3\xa9\xc3\xa9\xef\xbb\xbf\xef\xbb\xbf\n\xef\xbb\xbf\r ";
        let (width, want) = reference(csv, b',');
        assert_eq!(want.len(), 3);
        for t in 1..csv.len() {
            assert_eq!(pieced(csv, b',', width, t), want, "target {t}");
        }
    }

    proptest! {
        // Failing cases are kept as tests above, not as files beside `src/`.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(500) })]
        #[test]
        fn pieces_read_like_the_csv_crate(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(&b"\""[..]), Just(&b","[..]), Just(&b"\n"[..]), Just(&b"\r"[..]),
                    Just(&b"ab"[..]), Just(&b"\r\n"[..]), Just(&b" "[..]), Just(&b"\xc3\xa9"[..]),
                    Just(&b"\xff"[..]), Just(&b"\xc3"[..]), Just(&b"\xef\xbb\xbf"[..]),
                    Just(&b"\0"[..]),
                ],
                0..80,
            ),
            target in 1usize..50,
        ) {
            let mut bytes = b"h1,h2,h3\n".to_vec();
            bytes.extend(parts.concat());
            let (width, want) = reference(&bytes, b',');
            prop_assert_eq!(pieced(&bytes, b',', width, target), want);
        }

        #[test]
        fn split_fields_equals_str_split(line in "[,;\\x00\\x01\\x2b\\x2dab é]{0,70}") {
            let mut got = Vec::new();
            split_fields(&line, b',', |k, v| got.push((k, v)));
            let want: Vec<(usize, &str)> = line.split(',').enumerate().collect();
            prop_assert_eq!(got, want);
        }
    }
}
