//! The period of each input file: the first and last date over every dated field of its
//! accepted rows, written into its [`FileReport`](super::FileReport) (`manifest.json`, the
//! report's provenance), and the period of everything a kind read.

use super::Ingested;
use crate::period::{DatedRecord, Period, Span};
use crate::records::RowRef;

/// Sets the period of every file of `out` from the records that were read from it. One
/// pass over the records.
pub(super) fn set_file_periods(out: &mut Ingested) {
    let mut spans = vec![Span::default(); out.files.len()];
    fn add<R: DatedRecord>(spans: &mut [Span], records: &[R], row: impl Fn(&R) -> RowRef) {
        for r in records {
            if let Some(s) = spans.get_mut(row(r).file as usize) {
                s.record(r);
            }
        }
    }
    add(&mut spans, &out.seizures, |r| r.row);
    add(&mut spans, &out.looting, |r| r.row);
    add(&mut spans, &out.routes, |r| r.row);
    add(&mut spans, &out.transfers, |r| r.row);
    add(&mut spans, &out.events, |r| r.row);
    for (f, s) in out.files.iter_mut().zip(spans) {
        f.period = s.period();
    }
}

impl Ingested {
    /// The period of everything read: the union of the files' periods (`None` without a
    /// dated row). Its last day is the latest date of any input.
    pub fn period(&self) -> Option<Period> {
        Period::union_all(self.files.iter().map(|f| f.period))
    }
}
