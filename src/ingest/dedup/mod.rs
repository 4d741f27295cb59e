//! Records that describe the same thing in two inputs of one kind, found once a kind's files
//! are read, so that every later step sees each thing once (docs/sources.md, "Records in
//! two inputs").
//!
//! Three rules, applied in this order to the accepted records of a kind, in input order
//! (the files in config order, globs expanded in sorted order):
//!
//! 1. **`same_id`**: a record whose id (from the data, not made from line numbers with
//!    `@line`) a record of an earlier file already has, when both describe the same
//!    subject ([`Record::same_subject`]: the same date and country, the same leg, the same
//!    parties). The same id on a different subject is an id clash, rejected as
//!    `duplicate_id` (as is the same id twice in one file).
//! 2. **`same_deal`**: a SIPRI deal in both of SIPRI's layouts, the trade register and the
//!    newer transfers export ([`sipri`]).
//! 3. **`same_content`**: a record whose every field but `id`, `source` and the row it was
//!    read from equals a record of an earlier file. Counted as multisets: a record that a
//!    file holds `n` times is found `n` times in each later file before the later file's
//!    copies count as new. Records an earlier rule found are left out.
//!
//! The earlier record is kept (for `same_deal`, the register's), the later one is dropped,
//! or, with [`DuplicatePolicy::Keep`], both are kept; every pair is a [`Duplicate`]. One
//! file alone has no duplicates here: nothing is looked at when a kind has one file.

mod sipri;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::inputs::presets::Preset;
use crate::inputs::rules::DuplicatePolicy;
use crate::records::{
    ConflictEvent, LootingIncident, RouteReport, RowRef, Seizure, Text, Transfer,
};
use crate::schema::TableKind;

/// Why two records were taken for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// One SIPRI deal in the trade register and in the newer transfers export.
    SameDeal,
    /// The same id, on the same subject, in two files.
    SameId,
    /// The same content (every field but id, source and row) in two files.
    SameContent,
}

impl DuplicateReason {
    /// The name in the `duplicates` table.
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateReason::SameDeal => "same_deal",
            DuplicateReason::SameId => "same_id",
            DuplicateReason::SameContent => "same_content",
        }
    }
}

/// A record of one input that describes what a record of another input of its kind
/// describes: one line of the `duplicates` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    /// Table kind.
    pub table: TableKind,
    /// The record kept.
    pub kept: RowRef,
    /// Its id.
    pub kept_id: Text,
    /// The record found to be the same.
    pub duplicate: RowRef,
    /// Its id.
    pub duplicate_id: Text,
    /// Why.
    pub reason: DuplicateReason,
    /// Both were kept (`run.duplicates = "keep"`); else the duplicate was dropped.
    pub kept_both: bool,
    /// What agrees, or what differs (for `same_id`).
    pub detail: String,
}

/// What the rules need to know of an input file.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FileInfo {
    /// The preset it was read with.
    pub preset: Option<Preset>,
    /// Its ids were made from line numbers (`@line`): they name no subject.
    pub line_ids: bool,
}

/// A record kind as the duplicate rules see it.
pub(super) trait Record: Serialize + Send + Sync + Sized {
    /// The record's id.
    fn id(&self) -> &str;
    /// Where it was read.
    fn row(&self) -> RowRef;
    /// The id, source and row: what two records describing one thing may differ in.
    fn identity_mut(&mut self) -> (&mut Text, &mut Option<Text>, &mut RowRef);
    /// Whether two records with the same id describe the same subject.
    fn same_subject(&self, other: &Self) -> bool;
    /// Pairs `(duplicate, kept, detail)` of a rule of this kind's own, over the records not
    /// `gone`, in input order (read from `files`, the first numbered as given); the kept record may take over what the duplicate adds when
    /// `drop` (see [`sipri`]).
    fn same_deals(
        _records: &mut [Self],
        _files: (&[FileInfo], u32),
        _gone: &[bool],
        _drop: bool,
    ) -> Vec<(usize, usize, String)> {
        Vec::new()
    }
}

/// Implements [`Record`]'s access to the id, source and row of the record types.
macro_rules! record {
    ($($record:ident, |$a:ident, $b:ident| $same:expr;)*) => {
        $(
            impl Record for $record {
                fn id(&self) -> &str {
                    &self.id
                }
                fn row(&self) -> RowRef {
                    self.row
                }
                fn identity_mut(&mut self) -> (&mut Text, &mut Option<Text>, &mut RowRef) {
                    (&mut self.id, &mut self.source, &mut self.row)
                }
                fn same_subject(&self, $b: &Self) -> bool {
                    let $a = self;
                    $same
                }
                record!(@deals $record);
            }
        )*
    };
    (@deals Transfer) => {
        fn same_deals(
            records: &mut [Self],
            files: (&[FileInfo], u32),
            gone: &[bool],
            drop: bool,
        ) -> Vec<(usize, usize, String)> {
            sipri::same_deals(records, files, gone, drop)
        }
    };
    (@deals $other:ident) => {};
}

record! {
    Seizure, |a, b| a.date == b.date && a.location.country == b.location.country;
    LootingIncident, |a, b| a.date == b.date && a.location.country == b.location.country;
    RouteReport, |a, b| a.from == b.from && a.to == b.to;
    Transfer, |a, b| {
        sipri::same_party(&a.supplier, &b.supplier) && sipri::same_party(&a.recipient, &b.recipient)
    };
    ConflictEvent, |a, b| a.date == b.date && a.location.country == b.location.country;
}

/// A pair found by a rule: the duplicate's and the kept record's positions.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pair {
    /// Position of the duplicate.
    pub duplicate: usize,
    /// Position of the record kept.
    pub kept: usize,
    /// Why.
    pub reason: DuplicateReason,
    /// What agrees or differs.
    pub detail: String,
}

/// The file of a record, as an index into `files`.
fn file_of<K: Record>(r: &K, first_file: u32) -> usize {
    r.row().file.saturating_sub(first_file) as usize
}

/// Finds the duplicates among `records` (every accepted record of a kind, in input order,
/// read from `files`, the first numbered `first_file`): `same_id` holds the pairs
/// `(duplicate, kept)` of records with the same id in two files and the same subject,
/// `clashes` the positions rejected as `duplicate_id` (left out here). With `drop`, a kept
/// SIPRI register deal takes over the newer export's deal id, numbers per year and
/// armament category. Returns the pairs, by the duplicate's position.
pub(super) fn find<K: Record>(
    records: &mut [K],
    files: &[FileInfo],
    first_file: u32,
    same_id: &[(usize, usize)],
    clashes: &[usize],
    policy: DuplicatePolicy,
) -> Vec<Pair> {
    if files.len() < 2 {
        return Vec::new();
    }
    let mut gone = vec![false; records.len()];
    for &i in clashes {
        gone[i] = true;
    }
    let mut pairs: Vec<Pair> = same_id
        .iter()
        .map(|&(duplicate, kept)| Pair {
            duplicate,
            kept,
            reason: DuplicateReason::SameId,
            detail: differences(&records[kept], &records[duplicate]),
        })
        .collect();
    for p in &pairs {
        gone[p.duplicate] = true;
    }
    let drop = policy == DuplicatePolicy::Drop;
    for (duplicate, kept, detail) in K::same_deals(records, (files, first_file), &gone, drop) {
        gone[duplicate] = true;
        pairs.push(Pair { duplicate, kept, reason: DuplicateReason::SameDeal, detail });
    }
    for (duplicate, kept) in same_content(records, &gone, first_file) {
        pairs.push(Pair {
            duplicate,
            kept,
            reason: DuplicateReason::SameContent,
            detail: "every field but id, source and row equal".into(),
        });
    }
    pairs.sort_by_key(|p| p.duplicate);
    pairs
}

/// What two records with the same id differ in, field by field (id and row aside).
fn differences<K: Record>(kept: &K, other: &K) -> String {
    let (Ok(a), Ok(b)) = (serde_json::to_value(kept), serde_json::to_value(other)) else {
        return "same id".into();
    };
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return "same id".into();
    };
    let differ: Vec<&str> = a
        .iter()
        .filter(|(k, v)| k.as_str() != "id" && k.as_str() != "row" && b.get(k.as_str()) != Some(v))
        .map(|(k, _)| k.as_str())
        .collect();
    if differ.is_empty() {
        "same id, every field equal".into()
    } else {
        format!("same id, differing in {}", differ.join(", "))
    }
}

/// The content of a record (every field but id, source and row) encoded into `buf`;
/// false if it cannot be encoded (records always can: such a record would match nothing).
fn content<K: Record>(r: &mut K, buf: &mut Vec<u8>) -> bool {
    let saved = {
        let (id, source, row) = r.identity_mut();
        (std::mem::take(id), source.take(), std::mem::replace(row, RowRef { file: 0, line: 0 }))
    };
    buf.clear();
    let encoded = postcard::to_io(&*r, &mut *buf).is_ok();
    let (id, source, row) = r.identity_mut();
    (*id, *source, *row) = saved;
    encoded
}

/// Pairs `(duplicate, kept)` of records not `gone` whose content equals that of a record of
/// an earlier file (multiset rule: see the module docs).
fn same_content<K: Record>(
    records: &mut [K],
    gone: &[bool],
    first_file: u32,
) -> Vec<(usize, usize)> {
    use std::hash::BuildHasher;
    let hash = |bytes: &[u8]| foldhash::fast::FixedState::default().hash_one(bytes);
    let mut keyed: Vec<(u64, usize)> = records
        .par_iter_mut()
        .enumerate()
        .filter(|(i, _)| !gone[*i])
        .map_init(Vec::new, |buf, (i, r)| content(r, buf).then(|| (hash(buf), i)))
        .flatten()
        .collect();
    keyed.par_sort_unstable();
    let mut pairs = Vec::new();
    let mut buf = Vec::new();
    for group in keyed.chunk_by(|a, b| a.0 == b.0) {
        let first = file_of(&records[group[0].1], first_file);
        if group.iter().all(|&(_, i)| file_of(&records[i], first_file) == first) {
            continue;
        }
        // Records with equal hashes, told apart by their encodings, in input order.
        let mut classes: Vec<(Vec<u8>, Vec<usize>)> = Vec::new();
        for &(_, i) in group {
            let _ = content(&mut records[i], &mut buf);
            match classes.iter_mut().find(|c| c.0 == buf) {
                Some(c) => c.1.push(i),
                None => classes.push((buf.clone(), vec![i])),
            }
        }
        for (_, members) in classes {
            // Per file (in input order), the class's records read so far.
            let mut seen: Vec<(usize, Vec<usize>)> = Vec::new();
            for i in members {
                let f = file_of(&records[i], first_file);
                let k = seen.iter().find(|s| s.0 == f).map_or(0, |s| s.1.len());
                if let Some(s) = seen.iter().find(|s| s.0 != f && s.1.len() > k) {
                    pairs.push((i, s.1[k]));
                }
                match seen.iter_mut().find(|s| s.0 == f) {
                    Some(s) => s.1.push(i),
                    None => seen.push((f, vec![i])),
                }
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Gazetteer;
    use crate::ingest::validate::{Checker, ResolveCache};

    fn route(id: &str, from: &str, to: &str, file: u32, line: u64) -> RouteReport {
        static ACTORS: std::sync::OnceLock<crate::actors::Actors> = std::sync::OnceLock::new();
        let checker = Checker {
            gazetteer: Gazetteer::embedded().unwrap(),
            actors: ACTORS.get_or_init(crate::actors::Actors::builtin),
            today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            list_separator: ';',
            country_margin_deg: 5.0,
        };
        let mut fields = [None; 10];
        fields[0] = Some(id);
        fields[1] = Some(from);
        fields[2] = Some(to);
        checker.route(&fields, RowRef { file, line }, &mut ResolveCache::default()).unwrap().0
    }

    #[test]
    fn the_same_content_counts_as_a_multiset() {
        // File 0 holds MEX-USA twice, file 1 three times, file 2 once: file 1's third copy
        // is new; file 2's copy is file 0's first.
        let mut rs = vec![
            route("a", "MEX", "USA", 0, 2),
            route("b", "MEX", "USA", 0, 3),
            route("c", "GTM", "MEX", 0, 4),
            route("d", "MEX", "USA", 1, 2),
            route("e", "MEX", "USA", 1, 3),
            route("f", "MEX", "USA", 1, 4),
            route("g", "GTM", "MEX", 2, 2),
            route("h", "MEX", "USA", 2, 3),
        ];
        let files = [FileInfo::default(); 3];
        let pairs = find(&mut rs, &files, 0, &[], &[], DuplicatePolicy::Drop);
        let got: Vec<(usize, usize, DuplicateReason)> =
            pairs.iter().map(|p| (p.duplicate, p.kept, p.reason)).collect();
        let c = DuplicateReason::SameContent;
        assert_eq!(got, [(3, 0, c), (4, 1, c), (6, 2, c), (7, 0, c)]);
        // The records are untouched.
        assert_eq!(rs[3].id, "d");
        assert_eq!(rs[3].row, RowRef { file: 1, line: 2 });
        // One file: nothing is looked at.
        assert!(find(&mut rs, &files[..1], 0, &[], &[], DuplicatePolicy::Drop).is_empty());
        // What is gone already is not found again.
        let pairs = find(&mut rs, &files, 0, &[(3, 0)], &[4], DuplicatePolicy::Drop);
        let got: Vec<(usize, usize, DuplicateReason)> =
            pairs.iter().map(|p| (p.duplicate, p.kept, p.reason)).collect();
        let i = DuplicateReason::SameId;
        // Records an earlier rule found are left out: 5 is file 1's first copy now.
        assert_eq!(got, [(3, 0, i), (5, 0, c), (6, 2, c), (7, 0, c)]);
        assert_eq!(pairs[0].detail, "same id, every field equal");
    }
}
