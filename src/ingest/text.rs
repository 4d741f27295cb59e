//! Getting a CSV file's bytes ready for the parser: its text encoding (UTF-8, a named
//! encoding, or `auto`), a stray character at the end of every line, and the line that
//! holds the header (a preamble above it is skipped). Line numbers stay those of the file:
//! decoding and stripping never add or remove a line break, and the header's line number
//! is kept so rows are numbered from it.

use std::borrow::Cow;
use std::path::Path;

use super::error::IngestError;
use super::rows::ReadOptions;
use crate::inputs::rules::{HeaderRow, TextEncoding};

/// How many lines the automatic header detection looks at.
pub const HEADER_SEARCH_LINES: usize = 50;

/// A CSV file ready to parse.
#[derive(Debug)]
pub struct Prepared<'a> {
    /// The text, UTF-8 unless the file is not and no encoding was given (then its bad rows
    /// are rejected one by one).
    pub text: Cow<'a, [u8]>,
    /// Byte offset of the header line in `text`.
    pub start: usize,
    /// Line number of the header (1 = the first line of the file).
    pub header_line: u64,
    /// The encoding the text was read in (`utf-8`, `windows-1252`, ...; `windows-1252
    /// (auto)` when `auto` chose it).
    pub encoding: String,
}

/// Decodes, strips and finds the header of a CSV file's bytes as `opts` say (its
/// encoding, trailing character, header row, the names the header is found by, and the
/// delimiter).
pub fn prepare<'a>(
    path: &Path,
    bytes: &'a [u8],
    opts: &ReadOptions<'_>,
) -> Result<Prepared<'a>, IngestError> {
    let (text, encoding) = decode(bytes, opts.encoding);
    let text = match opts.trailing {
        Some(t) => Cow::Owned(strip_trailing(&text, t)),
        None => text,
    };
    let (start, header_line) = match opts.header_row {
        HeaderRow::Line(n) => match line_start(&text, n) {
            Some(at) => (at, n),
            None => {
                return Err(IngestError::Unreadable {
                    path: path.to_path_buf(),
                    problem: format!("header_row = {n}, but the file has fewer than {n} lines"),
                });
            }
        },
        HeaderRow::Auto => find_header(&text, opts.wanted, opts.delimiter),
    };
    Ok(Prepared { text, start, header_line, encoding })
}

/// The text in UTF-8 and the name of the encoding it was read in.
fn decode(bytes: &[u8], encoding: Option<TextEncoding>) -> (Cow<'_, [u8]>, String) {
    let utf8 = || (Cow::Borrowed(bytes), "utf-8".to_string());
    match encoding {
        None => utf8(),
        Some(TextEncoding::Named(e)) if e == encoding_rs::UTF_8 => utf8(),
        Some(TextEncoding::Named(e)) => {
            let (text, _) = e.decode_without_bom_handling(bytes);
            (Cow::Owned(text.into_owned().into_bytes()), e.name().to_ascii_lowercase())
        }
        Some(TextEncoding::Auto) => {
            if std::str::from_utf8(bytes).is_ok() || has_utf8_multibyte(bytes) {
                utf8()
            } else {
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                (Cow::Owned(text.into_owned().into_bytes()), "windows-1252 (auto)".to_string())
            }
        }
    }
}

/// Whether the bytes hold at least one valid UTF-8 character beyond ASCII: then a file
/// with some invalid bytes is UTF-8 with bad rows, not a single-byte encoding.
fn has_utf8_multibyte(bytes: &[u8]) -> bool {
    bytes.utf8_chunks().any(|c| !c.valid().is_ascii())
}

/// `text` without the byte `t` where it directly precedes a line break (or the end) outside
/// a quoted field.
fn strip_trailing(text: &[u8], t: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut quoted = false;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if b == b'"' {
            quoted = !quoted;
        }
        if b == t && !quoted {
            let rest = &text[i + 1..];
            if rest.is_empty() || rest[0] == b'\n' || rest.starts_with(b"\r\n") {
                i += 1;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// Byte offset of line `n` (1-based), if the text has it.
fn line_start(text: &[u8], n: u64) -> Option<usize> {
    if n == 1 {
        return Some(0);
    }
    let at = memchr::memchr_iter(b'\n', text).nth(usize::try_from(n - 2).ok()?)? + 1;
    (at < text.len()).then_some(at)
}

/// How many expected names a line's fields carry.
fn score(line: &[u8], expected: &[String], delimiter: u8) -> usize {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(line);
    let mut rec = csv::ByteRecord::new();
    if !matches!(rdr.read_byte_record(&mut rec), Ok(true)) {
        return 0;
    }
    let fields: Vec<std::borrow::Cow<'_, str>> = rec.iter().map(String::from_utf8_lossy).collect();
    count_expected(fields.iter().map(|f| f.as_ref()), expected)
}

/// How many distinct names of `expected` (lower case) a candidate header's fields carry,
/// compared trimmed, without a byte-order mark and in any case: the score by which CSV
/// lines and spreadsheet rows are chosen as the header.
pub fn count_expected<'a>(fields: impl IntoIterator<Item = &'a str>, expected: &[String]) -> usize {
    let mut seen: Vec<&String> = Vec::new();
    for f in fields {
        let f = f.trim().trim_start_matches('\u{feff}').trim().to_lowercase();
        if let Some(e) = expected.iter().find(|e| **e == f)
            && !seen.contains(&e)
        {
            seen.push(e);
        }
    }
    seen.len()
}

/// (byte offset, line number) of the header: the line among the first
/// [`HEADER_SEARCH_LINES`] that carries the most expected names, the earliest on a tie, and
/// the first line when none carries any.
fn find_header(text: &[u8], expected: &[String], delimiter: u8) -> (usize, u64) {
    let mut best = (0usize, 0usize, 1u64);
    let mut at = 0usize;
    for (i, line) in text.split(|&b| b == b'\n').take(HEADER_SEARCH_LINES).enumerate() {
        let s = score(line, expected, delimiter);
        if s > best.0 {
            best = (s, at, i as u64 + 1);
        }
        at += line.len() + 1;
    }
    (best.1, best.2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::InputSpec;
    use crate::schema::TableKind;

    fn spec() -> InputSpec {
        InputSpec::for_path("x.csv")
    }

    /// [`prepare`] with the options of `spec`, an input of `table`, as ingestion reads it.
    fn prepare_as<'a>(
        path: &Path,
        bytes: &'a [u8],
        spec: &InputSpec,
        table: TableKind,
        delimiter: u8,
    ) -> Result<Prepared<'a>, IngestError> {
        let wanted = crate::ingest::plan::expected_names(spec, table);
        let opts = ReadOptions { delimiter, ..crate::ingest::plan::read_options(spec, &wanted) };
        prepare(path, bytes, &opts)
    }

    #[test]
    fn the_header_is_found_below_a_preamble_and_line_numbers_kept() {
        let text = b"Report of things, 2025\nA line; with id and date words\n\nid,date,from,to\nr1,2020,MEX,USA\n";
        let p = prepare_as(Path::new("x"), text, &spec(), TableKind::Routes, b',').unwrap();
        assert_eq!(p.header_line, 4);
        assert!(p.text[p.start..].starts_with(b"id,date,from,to\n"));
        // Without a preamble, the first line; with an explicit line, that line.
        let p =
            prepare_as(Path::new("x"), b"id,from,to\n", &spec(), TableKind::Routes, b',').unwrap();
        assert_eq!((p.start, p.header_line), (0, 1));
        let mut s = spec();
        s.header_row = Some(HeaderRow::Line(2));
        let p =
            prepare_as(Path::new("x"), b"junk\nid,from,to\n", &s, TableKind::Routes, b',').unwrap();
        assert_eq!((p.start, p.header_line), (5, 2));
        s.header_row = Some(HeaderRow::Line(9));
        assert!(prepare_as(Path::new("x"), b"junk\nid\n", &s, TableKind::Routes, b',').is_err());
    }

    #[test]
    fn mapped_names_count_towards_the_header() {
        let mut s = spec();
        s.columns.insert("from".into(), "Supplier".into());
        s.columns.insert("to".into(), "Recipient".into());
        let text = b"Source: somewhere\nRecipient,Supplier,Year\nA,B,1999\n";
        let p = prepare_as(Path::new("x"), text, &s, TableKind::Routes, b',').unwrap();
        assert_eq!(p.header_line, 2);
    }

    #[test]
    fn windows_1252_is_decoded_when_named_or_when_auto_finds_no_utf8() {
        let cp1252 = b"id,name\n1,W\xe4rtsil\xe4\n2,Bu\x96181\n";
        let mut s = spec();
        s.encoding = Some(TextEncoding::Auto);
        let p = prepare_as(Path::new("x"), cp1252, &s, TableKind::Routes, b',').unwrap();
        assert_eq!(p.encoding, "windows-1252 (auto)");
        assert_eq!(std::str::from_utf8(&p.text).unwrap(), "id,name\n1,Wärtsilä\n2,Bu–181\n");
        // A UTF-8 file with one bad byte stays UTF-8 (the bad row is rejected later).
        let utf8 = "id,name\n1,Wärtsilä\n2,x\u{0}\n".replace('\u{0}', "");
        let mut bytes = utf8.into_bytes();
        bytes.extend_from_slice(b"3,\xff\n");
        let p = prepare_as(Path::new("x"), &bytes, &s, TableKind::Routes, b',').unwrap();
        assert_eq!(p.encoding, "utf-8");
        assert_eq!(&p.text[..], &bytes[..]);
        s.encoding = Some(TextEncoding::Named(encoding_rs::WINDOWS_1252));
        let p = prepare_as(Path::new("x"), cp1252, &s, TableKind::Routes, b',').unwrap();
        assert_eq!(p.encoding, "windows-1252");
    }

    #[test]
    fn a_trailing_character_is_stripped_outside_quotes_only() {
        assert_eq!(
            strip_trailing(b"a,b;\nc,d;\r\ne,\"f;\ng\";\nh;", b';'),
            b"a,b\nc,d\r\ne,\"f;\ng\"\nh"
        );
        assert_eq!(strip_trailing(b"a;b\n", b';'), b"a;b\n");
    }
}
