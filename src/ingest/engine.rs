//! The parallel engine of ingestion: a file's rows parsed and validated on the rayon pool
//! (a CSV file cut into pieces at record boundaries, other formats in chunks of rows), each
//! piece writing its accepted records straight into their place in the kind's record list,
//! in input order; then duplicate ids settled and the records found in two inputs of the
//! kind taken once (`dedup`), and a report per file. Results never depend on the number of threads or the piece size.

use std::mem::MaybeUninit;
use std::path::Path;

use rayon::prelude::*;

use super::dedup::{self, Duplicate, FileInfo, Record};
use super::error::IngestError;
use super::plan::{FilePlan, Rewrite, expand, expected_names, read_input, read_options};
use super::read::{csv_piece, open, record_cuts};
use super::results::{FileReport, Ingested, Rejection};
use super::rows::{RawRow, ReadOptions, RowSource, nul_problem, trim};
use super::split::count_line_breaks;
use super::validate::{Checker, Fields, Problem, Reason, ResolveCache, RowNotes};
use crate::geo::Gazetteer;
use crate::inputs::InputSpec;
use crate::inputs::rules::{DuplicatePolicy, Format, HeaderRow, LINE_ID};
use crate::records::{ConflictEvent, LootingIncident, RouteReport, RowRef, Seizure, Transfer};
use crate::schema::TableKind;

/// Options of an ingestion.
#[derive(Debug, Clone, Copy)]
pub struct IngestOptions {
    /// Size in bytes of the pieces a CSV file is cut into for parallel parsing (results do
    /// not depend on it; tests make it tiny to put a cut between every two records).
    pub csv_piece_bytes: usize,
    /// Reject everything after this day as a future date.
    pub today: chrono::NaiveDate,
    /// What becomes of records that describe the same thing in two inputs of a kind
    /// (`run.duplicates`).
    pub duplicates: DuplicatePolicy,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            csv_piece_bytes: 1 << 20,
            today: chrono::Utc::now().date_naive(),
            duplicates: DuplicatePolicy::Drop,
        }
    }
}

/// What one record kind needs from the generic reading loop (and, through [`Record`], from
/// the rules on records found in two inputs).
pub(super) trait Kind: Record {
    const TABLE: TableKind;
    fn check(
        c: &Checker<'_>,
        fields: &Fields<'_>,
        row: RowRef,
        cache: &mut ResolveCache,
    ) -> Result<(Self, RowNotes), Vec<Problem>>;
}

/// The [`Kind`] of a record type: its table and its row check.
macro_rules! kind {
    ($($record:ty => $table:ident, $check:ident;)*) => {
        $(
            impl Kind for $record {
                const TABLE: TableKind = TableKind::$table;
                fn check(
                    c: &Checker<'_>,
                    f: &Fields<'_>,
                    row: RowRef,
                    cache: &mut ResolveCache,
                ) -> Result<(Self, RowNotes), Vec<Problem>> {
                    c.$check(f, row, cache)
                }
            }
        )*
    };
}

kind! {
    Seizure => Seizures, seizure;
    LootingIncident => Looting, looting;
    RouteReport => Routes, route;
    Transfer => Transfers, transfer;
    ConflictEvent => Events, event;
}

/// The bookkeeping of one validated piece of a file; its accepted records go, in input
/// order, to the record list of their kind.
#[derive(Default)]
struct Piece {
    /// Number of accepted records.
    accepted: usize,
    /// Hashes of their ids (see [`id_hash`]).
    id_hashes: Vec<u64>,
    /// Positions among the piece's accepted records of rows whose stated precision was
    /// lowered.
    downgraded: Vec<u32>,
    /// Rejected rows: line and problems.
    rejected: Vec<(u64, Vec<Problem>)>,
    /// Rows left out by the input's row filters.
    filtered: u64,
}

impl Piece {
    fn rows(&self) -> u64 {
        (self.accepted + self.rejected.len()) as u64 + self.filtered
    }
}

/// Hash of a record id, for finding duplicates (fixed seed: the same on every run).
fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(id)
}

/// Where one piece of work (a piece of a CSV file, a chunk of rows) puts what it accepts:
/// straight into its own run of slots in the spare capacity of the kind's record list, so
/// each record is written once, in its place. A piece is given as many slots as it can
/// hold records; should it ever accept more, the rest wait in `extra`.
struct Slots<'a, K> {
    free: &'a mut [MaybeUninit<K>],
    used: usize,
    extra: Vec<K>,
    piece: Piece,
}

impl<K: Kind> Slots<'_, K> {
    fn push(&mut self, line: u64, checked: Result<(K, RowNotes), Vec<Problem>>) {
        let piece = &mut self.piece;
        match checked {
            Ok((rec, notes)) => {
                if notes.precision_downgraded {
                    piece.downgraded.push(piece.accepted as u32);
                }
                piece.id_hashes.push(id_hash(rec.id()));
                piece.accepted += 1;
                match self.free.get_mut(self.used) {
                    Some(slot) => {
                        slot.write(rec);
                        self.used += 1;
                    }
                    None => self.extra.push(rec),
                }
            }
            Err(problems) => piece.rejected.push((line, problems)),
        }
    }

    /// A row left out by a row filter.
    fn skip(&mut self) {
        self.piece.filtered += 1;
    }
}

/// Runs `check` on every job in parallel, job `i` writing its accepted records into
/// `bounds[i]` slots of its own after the end of `records`; then closes the gaps that
/// rejected rows left (none in a clean file), so that `records` holds every accepted record
/// in input order. Returns each job's bookkeeping, in order.
fn check_in_place<K: Kind, J: Sync>(
    records: &mut Vec<K>,
    jobs: &[J],
    bounds: &[usize],
    check: impl Fn(&J, &mut Slots<'_, K>) + Sync,
) -> Vec<Piece> {
    debug_assert_eq!(jobs.len(), bounds.len());
    let start = records.len();
    records.reserve(bounds.iter().sum());
    let mut free = records.spare_capacity_mut();
    let mut runs = Vec::with_capacity(bounds.len());
    for &bound in bounds {
        let (run, rest) = std::mem::take(&mut free).split_at_mut(bound);
        runs.push(run);
        free = rest;
    }
    let done: Vec<(usize, Vec<K>, Piece)> = runs
        .into_par_iter()
        .zip(jobs)
        .map(|(run, job)| {
            let piece = Piece { id_hashes: Vec::with_capacity(run.len()), ..Piece::default() };
            let mut slots = Slots { free: run, used: 0, extra: Vec::new(), piece };
            check(job, &mut slots);
            (slots.used, slots.extra, slots.piece)
        })
        .collect();
    // Job `i` has written its first `done[i].0` slots, which start `bounds[..i].sum()`
    // slots after `start`; nothing else past `start` holds a record.
    let base = records.as_mut_ptr();
    let mut from = start;
    let mut pieces = Vec::with_capacity(done.len());
    if done.iter().all(|d| d.1.is_empty()) {
        let mut to = start;
        for (&bound, (used, _, piece)) in bounds.iter().zip(done) {
            if from != to {
                // SAFETY: `from..from + used` holds records written by the job; `to <= from`
                // and both ranges lie within the reserved capacity (`copy` allows overlap).
                // The records keep their order and each is moved exactly once.
                unsafe { std::ptr::copy(base.add(from), base.add(to), used) };
            }
            from += bound;
            to += used;
            pieces.push(piece);
        }
        // SAFETY: `start..to` now holds, in input order, every record the jobs accepted.
        unsafe { records.set_len(to) };
    } else {
        // A job accepted more records than it had slots for: gather them afresh.
        let mut all = Vec::with_capacity(done.iter().map(|d| d.0 + d.1.len()).sum());
        for (&bound, (used, extra, piece)) in bounds.iter().zip(done) {
            for k in from..from + used {
                // SAFETY: slot `k` was written by its job and is read once; `records` keeps
                // its length, so the slot is spare capacity again and never dropped.
                all.push(unsafe { std::ptr::read(base.add(k)) });
            }
            all.extend(extra);
            from += bound;
            pieces.push(piece);
        }
        records.append(&mut all);
    }
    pieces
}

/// One [`ResolveCache`] per worker thread of the rayon pool, kept across the pieces of a
/// file (answers do not depend on it, so neither do results).
struct WorkerCaches(Vec<std::sync::Mutex<ResolveCache>>);

impl WorkerCaches {
    fn new() -> Self {
        WorkerCaches((0..rayon::current_num_threads()).map(|_| Default::default()).collect())
    }

    /// Runs `f` with the calling worker's cache.
    fn with<R>(&self, f: impl FnOnce(&mut ResolveCache) -> R) -> R {
        let worker = rayon::current_thread_index().unwrap_or(0) % self.0.len();
        f(&mut self.0[worker].lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Validates materialised rows (Parquet, NDJSON) in parallel, appending the accepted
/// records to `records` in input order.
fn check_rows<K: Kind>(
    rows: &[RawRow],
    plan: &FilePlan<'_>,
    checker: &Checker<'_>,
    file: u32,
    records: &mut Vec<K>,
) -> Vec<Piece> {
    let (map, filters, ids) = (&plan.map, &plan.filters, plan.rewrite.as_ref());
    let caches = WorkerCaches::new();
    let chunks: Vec<&[RawRow]> = rows.chunks(4096).collect();
    let bounds: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
    check_in_place(records, &chunks, &bounds, |chunk, out| {
        let mut fields: Vec<Option<&str>> = Vec::with_capacity(map.len());
        caches.with(|cache| {
            for raw in *chunk {
                match raw {
                    RawRow::Broken { line, problem } => out.push(*line, Err(vec![problem.clone()])),
                    // A NUL character in any value (a `\u0000` escape in NDJSON, a
                    // Parquet string) rejects the row, as a NUL byte in a CSV row does.
                    RawRow::Record { line, record }
                        if memchr::memchr(0, record.as_slice().as_bytes()).is_some() =>
                    {
                        let value = record.iter().find(|v| v.contains('\0')).unwrap_or_default();
                        out.push(*line, Err(vec![nul_problem(value)]));
                    }
                    RawRow::Record { line, record } => {
                        fields.clear();
                        fields.extend(map.iter().map(|m| {
                            m.and_then(|i| record.get(i)).map(trim).filter(|v| !v.is_empty())
                        }));
                        let n = map.len() - filters.0.len();
                        if !filters.keep(&fields[n..]) {
                            out.skip();
                            continue;
                        }
                        let row = RowRef { file, line: *line };
                        let checked = Rewrite::with(ids, &fields[..n], *line, |f| {
                            K::check(checker, f, row, cache)
                        });
                        out.push(*line, checked);
                    }
                }
            }
        })
    })
}

/// The pieces of a CSV file whose header has `width` fields (see
/// [`super::read::record_cuts`]): each piece's byte range with the line number of its first
/// byte, and the number of line breaks in each piece. `first_line` is the line number of
/// the first byte (the header's).
pub fn csv_jobs(
    bytes: &[u8],
    delimiter: u8,
    width: usize,
    piece_bytes: usize,
    first_line: u64,
) -> CsvJobs {
    let cuts = record_cuts(bytes, delimiter, width, piece_bytes);
    let ranges: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    let breaks: Vec<u64> =
        ranges.par_iter().map(|&(a, b)| count_line_breaks(&bytes[a..b])).collect();
    let jobs = ranges
        .iter()
        .zip(&breaks)
        .scan(first_line, |line, (&range, &n)| {
            let first = *line;
            *line += n;
            Some((range, first))
        })
        .collect();
    (jobs, breaks)
}

/// Pieces of a CSV file: `((start, end), first line)` each, and their line-break counts.
pub type CsvJobs = (Vec<((usize, usize), u64)>, Vec<u64>);

/// What the CSV piece parser made of a record: its line and its fields (trimmed, `None`
/// when empty), or the reason, column and value of its rejection.
type ParsedRecord = (u64, Result<Vec<Option<String>>, (Reason, String, String)>);

/// Parses the records of a CSV file in the pieces that a piece size of `piece_bytes` cuts
/// it into, every file column kept, as `check_csv` does before validation.
fn parse_csv_pieces(
    bytes: &[u8],
    delimiter: u8,
    width: usize,
    piece_bytes: usize,
) -> Vec<ParsedRecord> {
    let map: Vec<Option<usize>> = (0..width).map(Some).collect();
    let (jobs, _) = csv_jobs(bytes, delimiter, width, piece_bytes, 1);
    let mut out = Vec::new();
    for (range, first_line) in jobs {
        csv_piece(bytes, range, first_line, delimiter, width, &map, |line, rec| {
            let rec = match rec {
                Ok(fields) => Ok(fields.iter().map(|f| f.map(str::to_string)).collect()),
                Err(p) => Err((p.reason, p.column, p.value)),
            };
            out.push((line, rec));
        });
    }
    out
}

/// Checks the invariants of the CSV reader on any bytes; the body of the `csv_pieces`
/// cargo-fuzz target in `fuzz/` (see README.md, Development), and of a property test so
/// that the same checks run in every test run without a nightly compiler.
///
/// The first byte chooses the delimiter (`,` `;` tab `|`) and a piece size of 1 to 64
/// bytes; the rest is the file. A file that [`open`] refuses is fine (nothing to
/// parse). Otherwise the records of the file parsed as one piece and parsed cut into
/// pieces must be identical (fields, line numbers, rejections with their reason, column
/// and value), line numbers must rise and lie within the file, every accepted record has a
/// field per header column, trimmed and never empty, and no field holds a NUL.
///
/// # Panics
///
/// When an invariant does not hold: that is what it is for.
///
/// ```
/// divnet::ingest::fuzz_csv_pieces(b"\x05id,note\n1,\"a\nb\"\n2,\0\n\xff,x\n3");
/// ```
pub fn fuzz_csv_pieces(data: &[u8]) {
    let Some((&choice, bytes)) = data.split_first() else { return };
    let delimiter = [b',', b';', b'\t', b'|'][usize::from(choice & 3)];
    let piece_bytes = usize::from(choice >> 2) + 1;
    let path = Path::new("fuzz.csv");
    let opts = ReadOptions { delimiter, header_row: HeaderRow::Line(1), ..ReadOptions::default() };
    let Ok(opened) = open(path, bytes, Format::Csv, &opts) else { return };
    let RowSource::Csv { width, .. } = opened.rows else {
        panic!("a CSV file gave rows that are not CSV pieces")
    };
    assert_eq!(width, opened.header.len(), "header width");
    let whole = parse_csv_pieces(bytes, delimiter, width, usize::MAX);
    let pieced = parse_csv_pieces(bytes, delimiter, width, piece_bytes);
    assert_eq!(whole, pieced, "pieces of {piece_bytes} bytes read differently from the whole");
    let last_line = 1 + count_line_breaks(bytes);
    let mut previous = 1; // the header's line
    for (line, rec) in &whole {
        assert!(*line > previous && *line <= last_line, "line {line} after {previous}");
        previous = *line;
        match rec {
            Ok(fields) => {
                assert_eq!(fields.len(), width, "fields of line {line}");
                for f in fields.iter().flatten() {
                    assert!(!f.is_empty() && f.as_str() == trim(f), "untrimmed {f:?}");
                    assert!(!f.contains('\0'), "a NUL in an accepted field on line {line}");
                }
            }
            Err((reason, _, value)) => {
                let row_reasons = [
                    Reason::InvalidUtf8,
                    Reason::NulByte,
                    Reason::UnterminatedQuote,
                    Reason::FieldCount,
                ];
                assert!(row_reasons.contains(reason), "{reason:?} on line {line}");
                assert!(!value.contains('\0'), "a NUL in a rejected value on line {line}");
            }
        }
    }
}

/// Parses and validates a CSV file (its bytes, delimiter and header width): cut into
/// pieces at record boundaries, each piece parsed and validated on its own (in parallel),
/// its accepted records written straight into their place in `records`, in input order.
fn check_csv<K: Kind>(
    (bytes, delimiter, width, header_line): (&[u8], u8, usize, u64),
    piece_bytes: usize,
    plan: &FilePlan<'_>,
    checker: &Checker<'_>,
    file: u32,
    records: &mut Vec<K>,
) -> Vec<Piece> {
    let (map, filters, ids) = (&plan.map, &plan.filters, plan.rewrite.as_ref());
    let (jobs, breaks) = csv_jobs(bytes, delimiter, width, piece_bytes, header_line);
    let ranges: Vec<(usize, usize)> = jobs.iter().map(|j| j.0).collect();
    // Every record ends in a line break but perhaps the file's last, and pieces are cut
    // between records: a piece holds at most as many records as line breaks, the last one
    // more, the first one fewer (the header). Clean files fill their slots exactly. An
    // accepted record also takes at least `width` bytes (its delimiters and line break),
    // which keeps a file of blank lines from reserving room for records it does not hold.
    let last = breaks.len().saturating_sub(1);
    let bounds: Vec<usize> = breaks
        .iter()
        .zip(&ranges)
        .enumerate()
        .map(|(i, (&n, &(a, b)))| {
            let lines = (n as usize + usize::from(i == last)).saturating_sub(usize::from(i == 0));
            lines.min((b - a) / width.max(1) + 1)
        })
        .collect();
    let caches = WorkerCaches::new();
    check_in_place(records, &jobs, &bounds, |&(range, first_line), out| {
        caches.with(|cache| {
            let n = map.len() - filters.0.len();
            csv_piece(bytes, range, first_line, delimiter, width, map, |line, rec| match rec {
                Ok(fields) if !filters.keep(&fields[n..]) => out.skip(),
                Ok(fields) => {
                    let row = RowRef { file, line };
                    let checked = Rewrite::with(ids, &fields[..n], line, |f| {
                        K::check(checker, f, row, cache)
                    });
                    out.push(line, checked)
                }
                Err(problem) => out.push(line, Err(vec![problem])),
            })
        })
    })
}

/// For every accepted record whose id an earlier accepted record already has (in input
/// order), its position in `records` and the first such record's. `hashes` are the
/// records' id hashes, in the same order.
///
/// Records are first sorted into shards by the top bits of their id hash (keeping input
/// order within a shard), then every shard is searched on its own, in parallel, with a
/// map small enough to stay in cache. Ids are compared as strings only when their hashes
/// are equal.
fn duplicate_ids<K: Kind>(
    records: &[K],
    hashes: impl Iterator<Item = u64> + Clone,
) -> Vec<(usize, usize)> {
    use crate::geo::gazetteer::FastMap;
    const SHARD_BITS: u32 = 8;
    let shard = |h: u64| (h >> (64 - SHARD_BITS)) as usize;
    let mut starts = vec![0usize; (1 << SHARD_BITS) + 1];
    for h in hashes.clone() {
        starts[shard(h) + 1] += 1;
    }
    for s in 1..starts.len() {
        starts[s] += starts[s - 1];
    }
    let mut next = starts.clone();
    let mut sorted = vec![(0u64, 0usize); records.len()];
    for (i, h) in hashes.enumerate() {
        let at = &mut next[shard(h)];
        sorted[*at] = (h, i);
        *at += 1;
    }
    let mut dups: Vec<(usize, usize)> = starts
        .par_windows(2)
        .flat_map_iter(|w| {
            let part = &sorted[w[0]..w[1]];
            let mut first: FastMap<u64, usize> =
                FastMap::with_capacity_and_hasher(part.len(), Default::default());
            // Distinct ids that share a hash with an earlier one (vanishingly rare).
            let mut others: FastMap<u64, Vec<usize>> = FastMap::default();
            let mut dups = Vec::new();
            for &(h, i) in part {
                let f = *first.entry(h).or_insert(i);
                if f == i {
                    continue;
                }
                let id = records[i].id();
                let list = others.entry(h).or_default();
                match std::iter::once(f)
                    .chain(list.iter().copied())
                    .find(|&k| records[k].id() == id)
                {
                    Some(k) => dups.push((i, k)),
                    None => list.push(i),
                }
            }
            dups
        })
        .collect();
    dups.sort_unstable_by_key(|d| d.0);
    dups
}

/// Reads and validates the files of `specs`, inputs of kind `K`, appending a report per
/// file and the rejected rows to `out`: the accepted records, in input order.
pub(super) fn ingest_kind<K: Kind>(
    specs: &[InputSpec],
    base: &Path,
    gazetteer: &Gazetteer,
    actors: &crate::actors::Actors,
    opts: IngestOptions,
    out: &mut Ingested,
) -> Result<Vec<K>, IngestError> {
    // Read and validate every file, then settle duplicate ids across them in input order.
    let first_file = out.files.len();
    let mut records: Vec<K> = Vec::new();
    let mut files: Vec<(FileReport, Vec<Piece>)> = Vec::new();
    let mut infos: Vec<FileInfo> = Vec::new();
    for spec in specs {
        let info = FileInfo {
            preset: spec.preset,
            line_ids: spec.columns.get("id").map(String::as_str) == Some(LINE_ID),
        };
        for path in expand(K::TABLE, spec, base)? {
            infos.push(info);
            let format = spec
                .format
                .or_else(|| Format::from_path(&path))
                .ok_or_else(|| IngestError::UnknownFormat { path: path.clone() })?;
            let bytes = read_input(K::TABLE, &path)?;
            let wanted = expected_names(spec, K::TABLE);
            let read = read_options(spec, &wanted);
            let size = bytes.len() as u64;
            let file = (first_file + files.len()) as u32;
            let checker = Checker {
                gazetteer,
                actors,
                today: opts.today,
                list_separator: read.list_separator,
                country_margin_deg: 5.0,
            };
            // The checksum is computed while the file is parsed and validated.
            let records = &mut records;
            let (sha256, checked) = rayon::join(
                || crate::output::sha256_hex(&bytes),
                || -> Result<_, IngestError> {
                    let opened = open(&path, &bytes, format, &read)?;
                    let plan =
                        FilePlan::new(&path, K::TABLE, &opened.header, spec, read.delimiter)?;
                    let pieces = match &opened.rows {
                        RowSource::Csv { text, delimiter, width } => check_csv::<K>(
                            (text, *delimiter, *width, opened.header_line),
                            opts.csv_piece_bytes,
                            &plan,
                            &checker,
                            file,
                            records,
                        ),
                        RowSource::Ready(rows) => {
                            check_rows::<K>(rows, &plan, &checker, file, records)
                        }
                    };
                    Ok((plan.ignored, pieces, opened.encoding, opened.header_line))
                },
            );
            let (ignored, pieces, encoding, header_line) = checked?;
            let report = FileReport {
                table: K::TABLE,
                path: super::plan::shown(&path, base),
                format,
                bytes: size,
                sha256,
                rows_read: pieces.iter().map(Piece::rows).sum(),
                filtered: pieces.iter().map(|p| p.filtered).sum(),
                superseded: 0,
                accepted: 0,
                rejected: 0,
                duplicates: 0,
                ignored_columns: ignored,
                encoding,
                header_line,
                period: None,
            };
            files.push((report, pieces));
        }
    }
    // The first accepted row with an id keeps it. A later row of the same file with that
    // id is rejected, and so is one of another file that describes another subject (an id
    // clash); one of another file on the same subject is the same record read twice.
    let hashes = files.iter().flat_map(|f| &f.1).flat_map(|p| p.id_hashes.iter().copied());
    let mut clashes: Vec<(usize, usize)> = Vec::new();
    let mut same_id: Vec<(usize, usize)> = Vec::new();
    for (at, first) in duplicate_ids(&records, hashes) {
        let (a, b) = (&records[first], &records[at]);
        let (fa, fb) = (a.row().file, b.row().file);
        let line_ids = |f: u32| infos.get(f as usize - first_file).is_some_and(|i| i.line_ids);
        let line_ids = line_ids(fa) || line_ids(fb);
        if fa != fb && !line_ids && a.same_subject(b) {
            same_id.push((at, first));
        } else {
            clashes.push((at, first));
        }
    }
    let clash_at: Vec<usize> = clashes.iter().map(|c| c.0).collect();
    let pairs =
        dedup::find(&mut records, &infos, first_file as u32, &same_id, &clash_at, opts.duplicates);
    let drop = opts.duplicates == DuplicatePolicy::Drop;
    // Positions that leave `records`, in order: rejected id clashes and dropped duplicates.
    let mut gone: Vec<(usize, Option<usize>)> =
        clashes.iter().map(|&(at, f)| (at, Some(f))).collect();
    if drop {
        gone.extend(pairs.iter().map(|p| (p.duplicate, None)));
        gone.sort_unstable();
    }
    out.duplicates.extend(pairs.iter().map(|p| Duplicate {
        table: K::TABLE,
        kept: records[p.kept].row(),
        kept_id: records[p.kept].id().into(),
        duplicate: records[p.duplicate].row(),
        duplicate_id: records[p.duplicate].id().into(),
        reason: p.reason,
        kept_both: !drop,
        detail: p.detail.clone(),
    }));
    let mut next_gone = gone.iter().peekable();
    let mut position = 0; // of the piece's first accepted record in `records`
    for (i, (mut report, pieces)) in files.into_iter().enumerate() {
        let file = (first_file + i) as u32;
        for piece in pieces {
            let n = piece.accepted;
            let mut rejected: Vec<(u64, Vec<Problem>)> = piece.rejected;
            let mut left: Vec<usize> = Vec::new();
            let mut clashed = false;
            while let Some(&&(at, first)) = next_gone.peek()
                && at < position + n
            {
                next_gone.next();
                left.push(at - position);
                let Some(first) = first else {
                    report.duplicates += 1;
                    continue;
                };
                let (rec, first) = (&records[at], records[first].row());
                let first_path = out
                    .files
                    .get(first.file as usize)
                    .map_or(report.path.as_path(), |f| f.path.as_path());
                let detail = format!("id already used at {}:{}", first_path.display(), first.line);
                let problem = Problem::new("id", rec.id(), Reason::DuplicateId, detail);
                rejected.push((rec.row().line, vec![problem]));
                clashed = true;
            }
            out.precision_downgraded += piece
                .downgraded
                .iter()
                .filter(|&&k| left.binary_search(&(k as usize)).is_err())
                .count() as u64;
            report.accepted += (n - left.len()) as u64;
            report.rejected += rejected.len() as u64;
            if clashed {
                rejected.sort_by_key(|r| r.0);
            }
            for (line, problems) in rejected {
                for problem in problems {
                    out.rejections.push(Rejection {
                        table: K::TABLE,
                        row: RowRef { file, line },
                        problem,
                    });
                }
            }
            position += n;
        }
        out.files.push(report);
    }
    if !gone.is_empty() {
        let mut leave = gone.iter().map(|d| d.0).peekable();
        let mut k = 0;
        records.retain(|_| {
            let keep = leave.peek() != Some(&k);
            if !keep {
                leave.next();
            }
            k += 1;
            keep
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker() -> Checker<'static> {
        static ACTORS: std::sync::OnceLock<crate::actors::Actors> = std::sync::OnceLock::new();
        Checker {
            gazetteer: Gazetteer::embedded().unwrap(),
            actors: ACTORS.get_or_init(crate::actors::Actors::builtin),
            today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            list_separator: ';',
            country_margin_deg: 5.0,
        }
    }

    #[test]
    fn records_are_placed_in_input_order_whatever_the_slots() {
        let checker = checker();
        let mut cache = ResolveCache::default();
        // Job j holds j + 2 rows; every third row (counting across jobs) is unusable.
        let jobs: Vec<Vec<(u64, Option<String>)>> = (0..6u64)
            .map(|j| {
                (0..j + 2)
                    .map(|k| {
                        let line = 10 * j + k;
                        (line, (line % 3 != 0).then(|| format!("r{line}")))
                    })
                    .collect()
            })
            .collect();
        let mut routes = Vec::new();
        for job in &jobs {
            for (line, id) in job {
                let mut fields = [None; 10];
                fields[0] = id.as_deref();
                fields[1] = Some("MEX");
                fields[2] = Some("USA");
                routes.push((
                    *line,
                    checker.route(&fields, RowRef { file: 0, line: *line }, &mut cache),
                ));
            }
        }
        let want: Vec<String> =
            routes.iter().filter_map(|r| r.1.as_ref().ok()).map(|r| r.0.id.to_string()).collect();
        let rows: Vec<usize> = jobs.iter().map(Vec::len).collect();
        let ranges: Vec<std::ops::Range<usize>> = rows
            .iter()
            .scan(0, |at, n| {
                *at += n;
                Some(*at - n..*at)
            })
            .collect();
        // Exact, roomy (gaps to close) and too few slots (records past the slots).
        let bound_sets: [Vec<usize>; 4] = [
            rows.clone(),
            rows.iter().map(|n| n + 3).collect(),
            rows.iter().map(|n| n / 2).collect(),
            vec![0; rows.len()],
        ];
        for bounds in bound_sets {
            let mut records: Vec<RouteReport> = vec![routes[1].1.clone().unwrap().0];
            let pieces = check_in_place(&mut records, &ranges, &bounds, |range, out| {
                for (line, r) in &routes[range.clone()] {
                    out.push(*line, r.clone());
                }
            });
            let got: Vec<String> = records.iter().skip(1).map(|r| r.id.to_string()).collect();
            assert_eq!(got, want, "bounds {bounds:?}");
            assert_eq!(records[0].id, routes[1].1.as_ref().unwrap().0.id);
            let accepted: usize = pieces.iter().map(|p| p.accepted).sum();
            assert_eq!(accepted, want.len());
            assert_eq!(pieces.iter().map(Piece::rows).sum::<u64>(), routes.len() as u64);
        }
    }

    #[test]
    fn the_fuzz_checks_hold_on_tricky_files() {
        let files: [&[u8]; 6] = [
            b"id,note\r\n1,\"a\r\nb\"\r\n\r\n2, x \r\n3,\"q\"\"q\",extra\r\n\"\"\r\n4,5\" x\n5,\"\xc3\xa9\"",
            b"a;b\n\0;1\n2;\xff\n\"3\";\"\0\"\n4;4",
            b"\xef\xbb\xbfh\rx\r\"y\rz\"\r",
            b"",
            b"h1\th2\n\t\n\"unterminated\tx\n",
            b"PAR1\n1,2",
        ];
        for file in files {
            for choice in 0..=255u8 {
                let mut data = vec![choice];
                data.extend_from_slice(file);
                fuzz_csv_pieces(&data);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::with_cases(500)
        })]
        #[test]
        fn the_fuzz_checks_hold_on_arbitrary_input(
            choice in proptest::prelude::any::<u8>(),
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just(&b"\""[..]), proptest::prelude::Just(&b","[..]),
                    proptest::prelude::Just(&b";"[..]), proptest::prelude::Just(&b"\t"[..]),
                    proptest::prelude::Just(&b"\n"[..]), proptest::prelude::Just(&b"\r"[..]),
                    proptest::prelude::Just(&b"ab"[..]), proptest::prelude::Just(&b" "[..]),
                    proptest::prelude::Just(&b"\0"[..]), proptest::prelude::Just(&b"\xff"[..]),
                    proptest::prelude::Just(&b"\xc3\xa9"[..]), proptest::prelude::Just(&b"\xc3"[..]),
                ],
                0..80,
            ),
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
        ) {
            let mut data = vec![choice];
            data.extend_from_slice(b"h1,h2;h3\th4\n");
            data.extend(parts.concat());
            fuzz_csv_pieces(&data);
            data.extend(noise);
            fuzz_csv_pieces(&data);
        }
    }

    #[test]
    fn duplicate_ids_are_found_even_when_hashes_collide() {
        let checker = checker();
        let mut cache = ResolveCache::default();
        let mut route = |id: &str, line: u64| {
            let mut fields = [None; 10];
            fields[0] = Some(id);
            fields[1] = Some("MEX");
            fields[2] = Some("USA");
            checker.route(&fields, RowRef { file: 0, line }, &mut cache).unwrap().0
        };
        let records = [route("a", 2), route("b", 3), route("a", 4), route("c", 5), route("b", 6)];
        let expected = vec![(2, 0), (4, 1)];
        let real = duplicate_ids(&records, records.iter().map(|r| id_hash(&r.id)));
        assert_eq!(real, expected);
        // Every id given the same hash: ids are told apart by comparing the strings.
        assert_eq!(duplicate_ids(&records, std::iter::repeat_n(7, records.len())), expected);
    }
}
