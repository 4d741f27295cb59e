//! The tables compared row by row: the one list of them ([`ROW_TABLES`]: every record
//! kind's table by `id`, the row-level tables about the inputs by the whole row), and their
//! comparison into a [`RowsDiff`] per table.

use std::collections::BTreeMap;

use polars::prelude::{DataFrame, PolarsError};
use serde::{Deserialize, Serialize};

use super::columns::texts;

/// How the rows of a table compared row by row are matched between two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKey {
    /// By the `id` column: a row is added, removed, or changed in its other columns.
    Id,
    /// By the whole row (every compared column): a row is added or removed, never changed.
    /// For tables without an id of their own.
    WholeRow,
}

/// A table compared row by row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowTable {
    /// The table (`<name>.parquet` in a run directory).
    pub name: &'static str,
    /// How its rows are matched.
    pub key: RowKey,
    /// Whether every run writes it (a record kind's table, even empty): missing from both
    /// runs, it is listed as not compared; a table written only when it has rows is then
    /// left out silently.
    pub always_written: bool,
}

/// Every table compared row by row, in this order: the record kinds' tables by `id`, then
/// the row-level tables about the inputs. A table added here is loaded, compared, counted
/// and rendered like the others, with nothing else to change.
pub const ROW_TABLES: &[RowTable] = &[
    RowTable { name: "seizures", key: RowKey::Id, always_written: true },
    RowTable { name: "looting", key: RowKey::Id, always_written: true },
    RowTable { name: "routes", key: RowKey::Id, always_written: true },
    RowTable { name: "transfers", key: RowKey::Id, always_written: true },
    RowTable { name: "events", key: RowKey::Id, always_written: true },
    // Which rows of overlapping inputs were kept and which dropped as duplicates.
    RowTable { name: "duplicates", key: RowKey::WholeRow, always_written: false },
    // Where a source's breakdown and its published total disagree.
    RowTable { name: "aggregate_checks", key: RowKey::WholeRow, always_written: false },
];

/// The names of [`ROW_TABLES`], in order.
pub fn input_tables() -> impl Iterator<Item = &'static str> {
    ROW_TABLES.iter().map(|t| t.name)
}

/// Columns of the row tables that are not compared: where a row was read from, which
/// changes whenever input files are renamed, split or reordered.
pub const IGNORED_COLUMNS: [&str; 2] = ["source_file", "source_line"];

/// One column of a changed row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueChange {
    /// Column name.
    pub column: String,
    /// Value in OLD (null as `None`).
    pub old: Option<String>,
    /// Value in NEW.
    pub new: Option<String>,
}

/// A row present in both runs whose compared columns differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedRow {
    /// The row's id.
    pub id: String,
    /// The columns that differ, in table order.
    pub columns: Vec<ValueChange>,
}

/// Row changes of one row table, by id (or by the whole row, [`RowKey::WholeRow`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowsDiff {
    /// The table.
    pub table: String,
    /// Ids only in NEW, sorted.
    pub added: Vec<String>,
    /// Ids only in OLD, sorted.
    pub removed: Vec<String>,
    /// Rows in both whose compared columns differ, by id.
    pub changed: Vec<ChangedRow>,
    /// Rows in both and equal.
    pub unchanged: usize,
    /// Columns only in NEW (not compared).
    pub columns_added: Vec<String>,
    /// Columns only in OLD (not compared).
    pub columns_removed: Vec<String>,
}

/// Rows by key: the values of `columns` per row, keyed by the `id` column, or by the row
/// itself (`column=value` pairs, `; `-separated) for [`RowKey::WholeRow`]. The first row of
/// a repeated key wins.
fn rows_by_key(
    df: &DataFrame,
    key: RowKey,
    columns: &[String],
) -> Result<BTreeMap<String, Vec<Option<String>>>, PolarsError> {
    let cols: Vec<Vec<Option<String>>> =
        columns.iter().map(|c| texts(df, c)).collect::<Result<_, _>>()?;
    let ids = match key {
        RowKey::Id => texts(df, "id")?,
        RowKey::WholeRow => (0..df.height())
            .map(|i| {
                let pairs: Vec<String> = columns
                    .iter()
                    .zip(&cols)
                    .map(|(c, v)| format!("{c}={}", v[i].as_deref().unwrap_or("")))
                    .collect();
                Some(pairs.join("; "))
            })
            .collect(),
    };
    let mut out = BTreeMap::new();
    for (i, id) in ids.into_iter().enumerate() {
        let values = cols.iter().map(|c| c[i].clone()).collect();
        out.entry(id.unwrap_or_default()).or_insert(values);
    }
    Ok(out)
}

pub(super) fn compare_rows(
    t: &RowTable,
    old: &DataFrame,
    new: &DataFrame,
) -> Result<RowsDiff, PolarsError> {
    let names = |df: &DataFrame| -> Vec<String> {
        df.get_column_names()
            .iter()
            .map(|c| c.to_string())
            .filter(|c| {
                (t.key != RowKey::Id || c != "id") && !IGNORED_COLUMNS.contains(&c.as_str())
            })
            .collect()
    };
    let (old_cols, new_cols) = (names(old), names(new));
    let common: Vec<String> = old_cols.iter().filter(|c| new_cols.contains(c)).cloned().collect();
    let columns_added = new_cols.iter().filter(|c| !old_cols.contains(c)).cloned().collect();
    let columns_removed = old_cols.iter().filter(|c| !new_cols.contains(c)).cloned().collect();
    let o = rows_by_key(old, t.key, &common)?;
    let n = rows_by_key(new, t.key, &common)?;
    let mut diff = RowsDiff {
        table: t.name.to_string(),
        added: n.keys().filter(|id| !o.contains_key(*id)).cloned().collect(),
        removed: o.keys().filter(|id| !n.contains_key(*id)).cloned().collect(),
        changed: Vec::new(),
        unchanged: 0,
        columns_added,
        columns_removed,
    };
    for (id, ov) in &o {
        let Some(nv) = n.get(id) else { continue };
        let columns: Vec<ValueChange> = common
            .iter()
            .zip(ov.iter().zip(nv))
            .filter(|(_, (a, b))| a != b)
            .map(|(c, (a, b))| ValueChange { column: c.clone(), old: a.clone(), new: b.clone() })
            .collect();
        if columns.is_empty() {
            diff.unchanged += 1;
        } else {
            diff.changed.push(ChangedRow { id: id.clone(), columns });
        }
    }
    Ok(diff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::fixtures::run;
    use crate::diff::{DiffOptions, compare};
    use crate::output::TableBuilder;

    #[test]
    fn every_row_table_is_compared_the_way_it_is_declared() {
        let events = |ids: &[&str]| {
            TableBuilder::new("events")
                .text("id", ids.iter().map(|s| Some(*s)))
                .uint("fatalities", ids.iter().map(|_| Some(1)))
                .build()
                .unwrap()
        };
        let duplicates = |rows: &[(&str, &str)]| {
            TableBuilder::new("duplicates")
                .text("kept", rows.iter().map(|r| Some(r.0)))
                .text("dropped", rows.iter().map(|r| Some(r.1)))
                .build()
                .unwrap()
        };
        let a = run("a", vec![events(&["E1"])]);
        let b = run(
            "b",
            vec![
                events(&["E1", "E2"]),
                duplicates(&[("t:3", "u:7"), ("t:3", "u:7"), ("t:4", "u:9")]),
            ],
        );
        let d = compare(&a, &b, &DiffOptions::default());
        let names: Vec<&str> = d.rows.iter().map(|r| r.table.as_str()).collect();
        // Record kinds are listed even when missing from both runs; `duplicates` is read
        // where a run wrote it, `aggregate_checks` written by neither is left out.
        assert_eq!(names, ["events"]);
        assert!(d.not_compared.iter().any(|n| n.table == "transfers"));
        assert!(
            d.not_compared.iter().any(|n| n.table == "duplicates" && n.reason == "missing in OLD")
        );
        assert!(d.not_compared.iter().all(|n| n.table != "aggregate_checks"));
        assert_eq!(d.rows[0].added, ["E2"]);
        // Keyed by the whole row: rows are added or removed, never changed.
        let c = run("c", vec![duplicates(&[("t:3", "u:7"), ("t:5", "u:9")])]);
        let d = compare(&b, &c, &DiffOptions::default());
        let dup = d.rows.iter().find(|r| r.table == "duplicates").unwrap();
        assert_eq!(dup.added, ["kept=t:5; dropped=u:9"]);
        assert_eq!(dup.removed, ["kept=t:4; dropped=u:9"]);
        assert!(dup.changed.is_empty());
        assert_eq!(dup.unchanged, 1);
        assert_eq!(ROW_TABLES.iter().filter(|t| t.key == RowKey::Id).count(), 5);
    }
}
