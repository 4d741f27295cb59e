//! What ingestion produces: the accepted records of each kind ([`Ingested`]), the rejected
//! rows ([`Rejection`]), the records found in two inputs ([`Duplicate`]), a report per file
//! ([`FileReport`]) and row counts ([`Counts`]).

use std::collections::HashMap;
use std::path::PathBuf;

use super::dedup::Duplicate;
use super::validate::{Problem, Reason};
use crate::inputs::rules::Format;
use crate::records::{ConflictEvent, LootingIncident, RouteReport, RowRef, Seizure, Transfer};
use crate::schema::TableKind;

/// A rejected row (one line of `rejected.csv` per problem).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rejection {
    /// Table kind.
    pub table: TableKind,
    /// Where.
    pub row: RowRef,
    /// The problem.
    pub problem: Problem,
}

/// What was read from one input file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FileReport {
    /// Table kind.
    pub table: TableKind,
    /// Path as resolved.
    pub path: PathBuf,
    /// Format.
    pub format: Format,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Data rows read (blank lines excluded), filtered ones included.
    pub rows_read: u64,
    /// Rows left out by the input's row filters (`where`).
    pub filtered: u64,
    /// Rows valid but not counted: national aggregates a total or a breakdown of the same
    /// country and date stands for (see the `aggregate_checks` table).
    #[serde(default)]
    pub superseded: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Rows dropped as duplicates of a record of another input of the kind (counted once;
    /// the `duplicates` table says which).
    pub duplicates: u64,
    /// Columns present in the file but not used by the schema.
    pub ignored_columns: Vec<String>,
    /// The text encoding it was read in (`utf-8`; `windows-1252 (auto)` when
    /// `encoding = "auto"` found a file that is not UTF-8).
    pub encoding: String,
    /// The line of the header (lines above it, a preamble, were skipped).
    pub header_line: u64,
    /// The first and last date over every dated field of its accepted rows (`None`: no
    /// dated row).
    #[serde(default)]
    pub period: Option<crate::period::Period>,
}

/// Everything ingestion produced.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Ingested {
    /// Input files in read order (RowRef::file indexes this).
    pub files: Vec<FileReport>,
    /// Accepted seizures, in input order.
    pub seizures: Vec<Seizure>,
    /// Accepted looting incidents, in input order.
    pub looting: Vec<LootingIncident>,
    /// Accepted route reports, in input order.
    pub routes: Vec<RouteReport>,
    /// Accepted transfers, in input order.
    pub transfers: Vec<Transfer>,
    /// Accepted conflict events, in input order.
    pub events: Vec<ConflictEvent>,
    /// Rejected rows (one entry per problem), in input order.
    pub rejections: Vec<Rejection>,
    /// Records found in two inputs of a kind, by the duplicate's position in input order.
    pub duplicates: Vec<Duplicate>,
    /// Accepted rows whose stated location precision was finer than their data supports.
    pub precision_downgraded: u64,
    /// How the national aggregates among the seizures were reconciled, one per file,
    /// country and date ([`super::aggregates`]).
    #[serde(default)]
    pub aggregate_checks: Vec<AggregateCheck>,
}

/// Row counts of one table kind.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    /// Rows read.
    pub read: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Rows left out by row filters.
    pub filtered: u64,
    /// Rows valid but not counted, national aggregates that a total or breakdown stands
    /// for (`read` = accepted + rejected + filtered + superseded + duplicates).
    #[serde(default)]
    pub superseded: u64,
    /// Rows dropped as duplicates of another input's records.
    #[serde(default)]
    pub duplicates: u64,
}

impl Ingested {
    /// Counts per table kind, over the kinds that have files.
    pub fn counts_by_kind(&self) -> std::collections::BTreeMap<&'static str, Counts> {
        let mut m: std::collections::BTreeMap<&'static str, Counts> = Default::default();
        for f in &self.files {
            let c = m.entry(f.table.as_str()).or_default();
            c.read += f.rows_read;
            c.accepted += f.accepted;
            c.rejected += f.rejected;
            c.filtered += f.filtered;
            c.superseded += f.superseded;
            c.duplicates += f.duplicates;
        }
        m
    }

    /// The counts over every file.
    pub fn counts(&self) -> Counts {
        self.counts_by_kind().into_values().fold(Counts::default(), |a, c| Counts {
            read: a.read + c.read,
            accepted: a.accepted + c.accepted,
            rejected: a.rejected + c.rejected,
            filtered: a.filtered + c.filtered,
            superseded: a.superseded + c.superseded,
            duplicates: a.duplicates + c.duplicates,
        })
    }

    /// Number of distinct rejected rows.
    pub fn rejected_rows(&self) -> usize {
        let mut rows: Vec<(TableKind, RowRef)> =
            self.rejections.iter().map(|r| (r.table, r.row)).collect();
        rows.sort_unstable();
        rows.dedup();
        rows.len()
    }

    /// Rejected rows per reason (a row with two problems of different reasons counts under both).
    pub fn rejections_by_reason(&self) -> Vec<(Reason, usize)> {
        let mut seen: HashMap<Reason, std::collections::HashSet<(TableKind, RowRef)>> =
            HashMap::new();
        for r in &self.rejections {
            seen.entry(r.problem.reason).or_default().insert((r.table, r.row));
        }
        let mut v: Vec<(Reason, usize)> = seen.into_iter().map(|(k, s)| (k, s.len())).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// The files, rejections, duplicates and counts of the ingest artifacts as one
/// [`Ingested`] without records (file numbers renumbered into the joined file list).
pub fn joined_reports(kinds: &[&Ingested]) -> Ingested {
    let mut out = Ingested::default();
    for k in kinds {
        let offset = out.files.len() as u32;
        out.files.extend(k.files.iter().cloned());
        out.rejections.extend(k.rejections.iter().map(|r| {
            let mut r = r.clone();
            r.row.file += offset;
            r
        }));
        out.duplicates.extend(k.duplicates.iter().map(|d| {
            let mut d = d.clone();
            d.kept.file += offset;
            d.duplicate.file += offset;
            d
        }));
        out.precision_downgraded += k.precision_downgraded;
        out.aggregate_checks.extend(k.aggregate_checks.iter().map(|c| {
            let mut c = c.clone();
            c.file += offset;
            c
        }));
    }
    out
}

/// How the aggregates of one file, country and date were reconciled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AggregateOutcome {
    /// The parts add up to the total: the parts are kept.
    Agrees,
    /// A total without parts: the total is kept, its category `unspecified`.
    NoBreakdown,
    /// The parts fall short of the total: they are kept, and the rest of the total as a
    /// remainder of category `unspecified`.
    BreakdownShort,
    /// The parts exceed the total: the total is kept (category `unspecified`), the parts
    /// are not counted.
    BreakdownExceeds,
    /// Parts without a total: the parts are kept.
    NoTotal,
}

impl AggregateOutcome {
    /// The name in the `aggregate_checks` table.
    pub fn as_str(self) -> &'static str {
        match self {
            AggregateOutcome::Agrees => "agrees",
            AggregateOutcome::NoBreakdown => "no_breakdown",
            AggregateOutcome::BreakdownShort => "breakdown_short",
            AggregateOutcome::BreakdownExceeds => "breakdown_exceeds",
            AggregateOutcome::NoTotal => "no_total",
        }
    }

    /// Whether the breakdown and the total disagree (a caveat of the report).
    pub fn disagrees(self) -> bool {
        matches!(self, AggregateOutcome::BreakdownShort | AggregateOutcome::BreakdownExceeds)
    }
}

/// The reconciliation of the national aggregates of one file, country and date.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AggregateCheck {
    /// The input file (index into the files of the ingest result).
    pub file: u32,
    /// The line (row) of the total, when there is one.
    pub line: Option<u64>,
    /// The country.
    pub country: crate::geo::CountryId,
    /// The date.
    pub date: crate::date::PartialDate,
    /// The total (the largest, when several are given).
    pub total: Option<u64>,
    /// The number of total rows.
    pub totals: u32,
    /// The sum of the parts, when there are parts.
    pub breakdown: Option<u64>,
    /// The number of part rows.
    pub parts: u32,
    /// What was kept.
    pub outcome: AggregateOutcome,
    /// The weapons counted for the country and date after reconciliation.
    pub counted: u64,
}

impl AggregateCheck {
    /// The breakdown minus the total, when both are given.
    pub fn difference(&self) -> Option<i64> {
        Some(self.breakdown? as i64 - self.total? as i64)
    }
}
