//! Cutting a CSV file into pieces that start at record boundaries, so the pieces can be
//! parsed in parallel and give exactly the records (and line numbers) of one sequential
//! parse.
//!
//! A newline ends a record unless it lies inside a quoted field. Whether it does depends on
//! every quote before it, read with the rules of the `csv` crate's parser (RFC 4180 with
//! doubled quotes as escapes): a quote opens a quoted field only at the start of a field; a
//! quote inside an unquoted field is a literal character (`5" barrel`); in a quoted field a
//! doubled quote is an escaped quote and a single quote closes the field, after which any
//! further characters continue the field unquoted. [`cut_points`] follows these rules with
//! `memchr` jumps from quote to quote, so a file without quotes costs one scan for newlines
//! near each cut.

use memchr::memchr;

/// Byte offsets that cut `bytes` into pieces of about `target` bytes, each starting at the
/// start of a record (just after a newline outside quotes). The first offset is 0 and the
/// last is `bytes.len()`; consecutive offsets differ. The cuts depend only on the bytes, the
/// delimiter and `target`, never on the number of threads.
///
/// ```
/// use divnet::ingest::split::cut_points;
/// let csv = b"id,note\n1,\"a\nb\"\n2,x\n3,y\n";
/// // a cut is never placed inside the quoted field of record 1
/// for t in 1..csv.len() {
///     let cuts = cut_points(csv, b',', t);
///     assert!(cuts.iter().all(|&c| c != 11), "{cuts:?}");
///     assert_eq!((cuts[0], *cuts.last().unwrap()), (0, csv.len()));
/// }
/// ```
pub fn cut_points(bytes: &[u8], delimiter: u8, target: usize) -> Vec<usize> {
    let len = bytes.len();
    let target = target.max(1);
    let mut cuts = vec![0];
    let mut next_cut = target;
    // `pos` is always outside a quoted field.
    let mut pos = 0;
    loop {
        let quote = memchr(b'"', &bytes[pos..]).map_or(len, |o| pos + o);
        // Cut at the first newline at or after each target offset that comes before the
        // next quote (newlines before that quote are all outside quotes).
        while next_cut < quote {
            let from = next_cut.max(pos);
            match memchr(b'\n', &bytes[from..quote]) {
                Some(o) => {
                    let cut = from + o + 1;
                    if cut < len {
                        cuts.push(cut);
                    }
                    next_cut = cut.saturating_add(target);
                }
                None => break,
            }
        }
        if quote >= len {
            break;
        }
        let before = quote.checked_sub(1).map(|i| bytes[i]);
        let field_start = before.is_none_or(|b| b == b'\n' || b == b'\r' || b == delimiter);
        if !field_start {
            // A literal quote inside an unquoted field.
            pos = quote + 1;
            continue;
        }
        // Inside a quoted field: find the quote that closes it.
        let mut p = quote + 1;
        let closed = loop {
            match memchr(b'"', &bytes[p..]) {
                None => break None,
                Some(o) if bytes.get(p + o + 1) == Some(&b'"') => p += o + 2,
                Some(o) => break Some(p + o + 1),
            }
        };
        match closed {
            Some(after) => pos = after,
            // An unterminated quoted field runs to the end of the file.
            None => break,
        }
    }
    cuts.push(len);
    cuts.dedup();
    cuts
}

/// Whether `bytes`, read from the start of a record, ends inside a quoted field that is
/// never closed (by the rules of [`cut_points`]). Such a field runs to the end of the file,
/// swallowing every line after its opening quote.
///
/// ```
/// use divnet::ingest::split::ends_in_open_quote;
/// assert!(ends_in_open_quote(b"1,\"open\n2,x\n", b','));
/// assert!(!ends_in_open_quote(b"1,\"a\"\"b\"\n2,5\" barrel\n", b','));
/// ```
pub fn ends_in_open_quote(bytes: &[u8], delimiter: u8) -> bool {
    let mut pos = 0;
    while let Some(o) = memchr(b'"', &bytes[pos..]) {
        let quote = pos + o;
        let before = quote.checked_sub(1).map(|i| bytes[i]);
        let field_start = before.is_none_or(|b| b == b'\n' || b == b'\r' || b == delimiter);
        pos = quote + 1;
        if !field_start {
            continue; // a literal quote inside an unquoted field
        }
        loop {
            match memchr(b'"', &bytes[pos..]) {
                None => return true,
                Some(o) if bytes.get(pos + o + 1) == Some(&b'"') => pos += o + 2,
                Some(o) => {
                    pos += o + 1;
                    break;
                }
            }
        }
    }
    false
}

/// Number of line breaks in `bytes`: `\n`, `\r\n` and a lone `\r` each count once.
///
/// ```
/// use divnet::ingest::split::count_line_breaks;
/// assert_eq!(count_line_breaks(b"a\nb\r\nc\rd\r\r\n"), 5);
/// ```
pub fn count_line_breaks(bytes: &[u8]) -> u64 {
    if bytes.len() < 4096 {
        // The usual call, from one record to the next: one search for both bytes.
        return memchr::memchr2_iter(b'\n', b'\r', bytes)
            .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
            .count() as u64;
    }
    // A whole piece: memchr counts one byte with vector code; a lone `\r` (old Mac line
    // ends) is rare and looked for separately.
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    let lone_returns = match memchr::memchr(b'\r', bytes) {
        None => 0,
        Some(first) => memchr::memchr_iter(b'\r', &bytes[first..])
            .filter(|&i| bytes.get(first + i + 1) != Some(&b'\n'))
            .count() as u64,
    };
    newlines + lone_returns
}

/// Line numbers of the records of one piece, in order.
///
/// The `csv` crate reports a record's position before the line terminators and blank lines
/// that precede it, so its line numbers run behind after a blank line or in a CRLF file;
/// this counts the line breaks up to the record's first byte instead.
#[derive(Debug, Clone, Copy)]
pub struct LineCounter {
    cursor: usize,
    line: u64,
}

impl LineCounter {
    /// A counter for a piece whose first byte lies on `first_line`.
    pub fn new(first_line: u64) -> LineCounter {
        LineCounter { cursor: 0, line: first_line }
    }

    /// The line of the record that the `csv` crate positions at byte `at` of `piece`.
    /// Calls must come in record order.
    pub fn line_of(&mut self, piece: &[u8], at: usize) -> u64 {
        let at = at.min(piece.len());
        let skip = piece[at..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        // The record starts after the skipped bytes, so `start` never splits a `\r\n`.
        let start = (at + skip).max(self.cursor);
        self.line += count_line_breaks(&piece[self.cursor..start]);
        self.cursor = start;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (line, fields) of every record of a sequential parse of `bytes`.
    fn sequential(bytes: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        parse(bytes, delimiter, 1)
    }

    fn parse(bytes: &[u8], delimiter: u8, first_line: u64) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(bytes);
        let mut out = Vec::new();
        let mut rec = csv::ByteRecord::new();
        let mut lines = LineCounter::new(first_line);
        while rdr.read_byte_record(&mut rec).unwrap() {
            let line = lines.line_of(bytes, rec.position().unwrap().byte() as usize);
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// The same, parsing each piece on its own and shifting its line numbers.
    fn pieced(bytes: &[u8], delimiter: u8, target: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let cuts = cut_points(bytes, delimiter, target);
        let mut out = Vec::new();
        for w in cuts.windows(2) {
            let first_line = 1 + count_line_breaks(&bytes[..w[0]]);
            out.extend(parse(&bytes[w[0]..w[1]], delimiter, first_line));
        }
        out
    }

    fn lines(text: &str) -> Vec<u64> {
        sequential(text.as_bytes(), b',').iter().skip(1).map(|r| r.0).collect()
    }

    #[test]
    fn line_numbers_count_blank_lines_and_every_line_ending() {
        assert_eq!(lines("h\na\n\n\nb\n"), [2, 5]);
        assert_eq!(lines("h\r\na\r\n\r\nb\r\n"), [2, 4]);
        assert_eq!(lines("h\ra\rb\r"), [2, 3]);
        assert_eq!(lines("h\n\"x\ny\"\nz\n"), [2, 4]);
        assert_eq!(lines("h\r\n\"x\r\ny\"\r\n\r\nz"), [2, 5]);
    }

    #[test]
    fn quoted_newlines_and_literal_quotes() {
        let csv = b"a,b\n1,\"x\ny\"\n2,5\" barrel\n3,\"q\"\"\nq\"\n4,\"c\"d\ne\n5,z";
        let whole = sequential(csv, b',');
        assert_eq!(whole.len(), 7);
        for t in 1..=csv.len() + 1 {
            assert_eq!(pieced(csv, b',', t), whole, "target {t}");
        }
    }

    #[test]
    fn unterminated_quote_runs_to_the_end() {
        let csv = b"a,b\n1,\"open\n2,x\n3,y\n";
        let cuts = cut_points(csv, b',', 1);
        assert_eq!(cuts, [0, 4, csv.len()]);
    }

    #[test]
    fn crlf_and_other_delimiters() {
        let csv = b"a;b\r\n1;\"x\r\ny\"\r\n2;\"z\"\r\n\r\n3;w\r\n";
        for t in 1..csv.len() {
            assert_eq!(pieced(csv, b';', t), sequential(csv, b';'), "target {t}");
        }
    }

    #[test]
    fn quote_runs_before_a_crlf() {
        // A case the property below once found: runs of quotes, then CRLF.
        let csv = b"\"\"\"\"\"\"\"\"x\"\"\"\"\"\",\"\"\"\",,\"\r\n\"\"";
        for t in 1..csv.len() {
            assert_eq!(pieced(csv, b',', t), sequential(csv, b','), "target {t}");
        }
    }

    proptest! {
        // Failing cases are kept as tests above, not as files beside `src/`.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(400) })]
        #[test]
        fn line_breaks_are_counted_like_a_byte_loop(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'\n'), Just(b'\r'), Just(b'a'), Just(0xff)], 0..6000
            ),
        ) {
            let naive = (0..bytes.len())
                .filter(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
                .count() as u64;
            prop_assert_eq!(count_line_breaks(&bytes), naive);
        }

        #[test]
        fn pieces_parse_like_the_whole(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(&b"\""[..]), Just(&b","[..]), Just(&b"\n"[..]), Just(&b"\r"[..]),
                    Just(&b"\"\""[..]), Just(&b"ab"[..]), Just(&b"\r\n"[..]), Just(&b"x"[..]),
                ],
                0..60,
            ),
            target in 1usize..40,
        ) {
            let bytes: Vec<u8> = parts.concat();
            prop_assert_eq!(pieced(&bytes, b',', target), sequential(&bytes, b','));
        }
    }
}
