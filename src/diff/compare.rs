//! The comparison itself: [`compare`], a pure function of two loaded runs, into the serde
//! [`RunDiff`] and its counts ([`Summary`]); the row tables are compared by
//! [`super::rows`]. What is compared, the keys and the thresholds
//! are documented in `docs/diff.md`.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::{DataFrame, PolarsError};
use serde::{Deserialize, Serialize};

use super::DiffOptions;
use super::columns::{floats, has_column, ints, texts};
use super::load::{LoadedRun, RunInfo};
use super::rows::{ROW_TABLES, RowKey, RowsDiff, compare_rows};

/// The emerging-hotspot category of a cell that has none in a run.
const NO_PATTERN: &str = "No Pattern Detected";

/// A table or section that was not compared, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCompared {
    /// The table.
    pub table: String,
    /// Why (e.g. "missing in OLD").
    pub reason: String,
}

/// How a hub's place in the top N changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HubStatus {
    /// In NEW's top N, not in OLD's.
    Entered,
    /// In OLD's top N, not in NEW's.
    Left,
    /// In both top N at different ranks.
    Moved,
    /// In both top N at the same rank.
    Unchanged,
}

impl HubStatus {
    /// The word `diff.md` and the `diff_*` tables use.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            HubStatus::Entered => "entered",
            HubStatus::Left => "left",
            HubStatus::Moved => "moved",
            HubStatus::Unchanged => "unchanged",
        }
    }
}

/// A hub in the top N of either run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubRank {
    /// Node id.
    pub node: String,
    /// Node name (NEW's when the hub is in both).
    pub name: String,
    /// What happened.
    pub status: HubStatus,
    /// Rank in OLD (`None` if the node is not in OLD's hubs table).
    pub old_rank: Option<u64>,
    /// Rank in NEW.
    pub new_rank: Option<u64>,
}

/// A hotspot cell whose Gi* confidence bin changed (a cell missing from a run counts as
/// bin 0, not significant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinChange {
    /// H3 cell.
    pub cell: String,
    /// Bin in OLD (`None`: not in OLD's table).
    pub old_bin: Option<i64>,
    /// Bin in NEW.
    pub new_bin: Option<i64>,
}

/// A cell whose emerging-hotspot category changed (a cell missing from a run counts as
/// "No Pattern Detected").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryChange {
    /// H3 cell.
    pub cell: String,
    /// Category in OLD (`None`: not in OLD's table).
    pub old_category: Option<String>,
    /// Category in NEW.
    pub new_category: Option<String>,
}

/// What happened to a path or an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Only in NEW.
    Appeared,
    /// Only in OLD.
    Vanished,
    /// In both, and its share (paths) or probability (edges) moved by more than the
    /// threshold.
    Moved,
    /// An edge in both, its probability within the threshold, whose layer changed (legal,
    /// illicit, both, prior: new evidence on a border prior, or the last illicit evidence
    /// gone).
    Relayered,
}

impl Presence {
    /// The word `diff.md` and the `diff_*` tables use.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Presence::Appeared => "appeared",
            Presence::Vanished => "vanished",
            Presence::Moved => "moved",
            Presence::Relayered => "layer changed",
        }
    }
}

/// A changed path of a diversion case, keyed by case and node sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathChange {
    /// Case id.
    pub case: String,
    /// Node ids, `;`-separated.
    pub nodes: String,
    /// Node names, `;`-separated.
    pub names: String,
    /// What happened.
    pub status: Presence,
    /// Share of the case in OLD.
    pub old_share: Option<f64>,
    /// Share of the case in NEW.
    pub new_share: Option<f64>,
}

/// A changed edge of the diversion network, keyed by (source, target).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgeChange {
    /// Source node id.
    pub source: String,
    /// Target node id.
    pub target: String,
    /// What happened.
    pub status: Presence,
    /// Edge probability in OLD.
    pub old_p: Option<f64>,
    /// Edge probability in NEW.
    pub new_p: Option<f64>,
    /// Edge layer in OLD (`legal`, `illicit`, `both`, `prior`), when OLD has the edge and
    /// the column.
    #[serde(default)]
    pub old_layer: Option<String>,
    /// Edge layer in NEW.
    #[serde(default)]
    pub new_layer: Option<String>,
}

/// Everything that changed between two runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunDiff {
    /// The older run.
    pub old: RunInfo,
    /// The newer run.
    pub new: RunInfo,
    /// Thresholds used.
    pub options: DiffOptions,
    /// Row tables compared, in the order of [`ROW_TABLES`].
    pub rows: Vec<RowsDiff>,
    /// Hubs in the top N of either run, by NEW's rank then OLD's.
    pub hubs: Vec<HubRank>,
    /// Hotspot cells whose confidence bin changed, by cell.
    pub bins: Vec<BinChange>,
    /// Cells whose emerging category changed, by cell.
    pub categories: Vec<CategoryChange>,
    /// Paths that appeared, vanished or whose share moved, by case and nodes.
    pub paths: Vec<PathChange>,
    /// Edges that appeared, vanished or whose probability moved, by source and target.
    pub edges: Vec<EdgeChange>,
    /// Tables that could not be compared.
    pub not_compared: Vec<NotCompared>,
}

/// Added, removed and changed row counts of one row table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowCounts {
    /// Rows only in NEW.
    pub added: usize,
    /// Rows only in OLD.
    pub removed: usize,
    /// Rows in both that differ.
    pub changed: usize,
    /// Rows in both and equal.
    pub unchanged: usize,
}

/// The counts of a [`RunDiff`] (the `summary` of `diff.json` and the tables at the top of
/// `diff.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Whether anything changed (what `--fail-on-change` tests).
    pub changed: bool,
    /// Row counts per compared row table.
    pub rows: BTreeMap<String, RowCounts>,
    /// Hubs entering the top N.
    pub hubs_entered: usize,
    /// Hubs leaving the top N.
    pub hubs_left: usize,
    /// Hubs in both top N with a different rank.
    pub hubs_moved: usize,
    /// Cells whose confidence bin changed.
    pub cells_bin_changed: usize,
    /// Cells whose emerging category changed.
    pub cells_category_changed: usize,
    /// Paths that appeared.
    pub paths_appeared: usize,
    /// Paths that vanished.
    pub paths_vanished: usize,
    /// Paths whose share moved by more than the threshold.
    pub paths_share_moved: usize,
    /// Edges that appeared.
    pub edges_appeared: usize,
    /// Edges that vanished.
    pub edges_vanished: usize,
    /// Edges whose probability moved by more than the threshold.
    pub edges_probability_moved: usize,
    /// Edges in both whose layer changed while their probability did not move.
    #[serde(default)]
    pub edges_layer_changed: usize,
    /// Tables not compared.
    pub not_compared: usize,
}

impl RunDiff {
    /// The counts.
    pub fn summary(&self) -> Summary {
        let hubs = |s| self.hubs.iter().filter(|h| h.status == s).count();
        let paths = |s| self.paths.iter().filter(|p| p.status == s).count();
        let edges = |s| self.edges.iter().filter(|e| e.status == s).count();
        let rows: BTreeMap<String, RowCounts> = self
            .rows
            .iter()
            .map(|r| {
                let c = RowCounts {
                    added: r.added.len(),
                    removed: r.removed.len(),
                    changed: r.changed.len(),
                    unchanged: r.unchanged,
                };
                (r.table.clone(), c)
            })
            .collect();
        let mut s = Summary {
            changed: false,
            rows,
            hubs_entered: hubs(HubStatus::Entered),
            hubs_left: hubs(HubStatus::Left),
            hubs_moved: hubs(HubStatus::Moved),
            cells_bin_changed: self.bins.len(),
            cells_category_changed: self.categories.len(),
            paths_appeared: paths(Presence::Appeared),
            paths_vanished: paths(Presence::Vanished),
            paths_share_moved: paths(Presence::Moved),
            edges_appeared: edges(Presence::Appeared),
            edges_vanished: edges(Presence::Vanished),
            edges_probability_moved: edges(Presence::Moved),
            edges_layer_changed: edges(Presence::Relayered),
            not_compared: self.not_compared.len(),
        };
        s.changed = s.rows.values().any(|c| c.added + c.removed + c.changed > 0)
            || s.derived().iter().any(|(_, n)| *n > 0);
        s
    }

    /// Whether anything changed: rows, hubs (entered, left, moved), cells, paths or edges.
    /// Tables not compared and columns added or removed do not count.
    pub fn has_changes(&self) -> bool {
        self.summary().changed
    }
}

impl Summary {
    /// The counts of the derived tables, labelled as in `diff.md` (`top_n` is not known
    /// here, so the hub labels say "top N").
    pub(super) fn derived(&self) -> [(&'static str, usize); 12] {
        [
            ("hubs entering the top N", self.hubs_entered),
            ("hubs leaving the top N", self.hubs_left),
            ("hubs moving within the top N", self.hubs_moved),
            ("hotspot cells changing confidence bin", self.cells_bin_changed),
            ("cells changing emerging category", self.cells_category_changed),
            ("paths appeared", self.paths_appeared),
            ("paths vanished", self.paths_vanished),
            ("paths whose share moved", self.paths_share_moved),
            ("edges appeared", self.edges_appeared),
            ("edges vanished", self.edges_vanished),
            ("edges whose probability moved", self.edges_probability_moved),
            ("edges whose layer changed", self.edges_layer_changed),
        ]
    }
}

/// The pair of tables named `table`, or why they cannot be compared.
fn pair<'a>(
    old: &'a LoadedRun,
    new: &'a LoadedRun,
    table: &str,
    columns: &[&str],
) -> Result<(&'a DataFrame, &'a DataFrame), String> {
    let (o, n) = match (old.tables.get(table), new.tables.get(table)) {
        (Some(o), Some(n)) => (o, n),
        (None, Some(_)) => return Err("missing in OLD".into()),
        (Some(_), None) => return Err("missing in NEW".into()),
        (None, None) => return Err("missing in both runs".into()),
    };
    for c in columns {
        for (side, df) in [("OLD", o), ("NEW", n)] {
            if !has_column(df, c) {
                return Err(format!("column {c} missing in {side}"));
            }
        }
    }
    Ok((o, n))
}

/// Compares two loaded runs. Pure: no I/O, deterministic order (everything by key).
///
/// Row tables ([`ROW_TABLES`]) by `id` or by the whole row (all columns but
/// [`IGNORED_COLUMNS`]); hubs by `node` within the
/// top `options.top_n` by `rank`; hotspot cells by `cell` (`bin`, and `category` of
/// `emerging_hotspots`); paths by `case` and `nodes` (`share`); network edges by `source`
/// and `target` (`p`, then `layer` where both runs have it). A table missing from either run, or missing a key column, is listed
/// in [`RunDiff::not_compared`]. O(n log n) in the rows of the tables.
///
/// ```
/// use std::collections::BTreeMap;
/// use divnet::diff::{compare, DiffOptions, LoadedRun, RunInfo};
/// use divnet::output::TableBuilder;
/// let run = |name: &str, ids: &[&str], qty: &[u64]| {
///     let t = TableBuilder::new("seizures")
///         .text("id", ids.iter().map(|s| Some(*s)))
///         .uint("quantity", qty.iter().map(|q| Some(*q)))
///         .build()
///         .unwrap();
///     let info = RunInfo { name: name.into(), divnet_version: None, started_utc: None };
///     LoadedRun { info, tables: BTreeMap::from([("seizures".to_string(), t.df)]) }
/// };
/// let d = compare(&run("a", &["S1", "S2"], &[1, 2]), &run("b", &["S2", "S3"], &[5, 1]),
///     &DiffOptions::default());
/// assert_eq!(d.rows[0].added, ["S3"]);
/// assert_eq!(d.rows[0].removed, ["S1"]);
/// assert_eq!(d.rows[0].changed[0].id, "S2");
/// assert!(d.has_changes());
/// ```
pub fn compare(old: &LoadedRun, new: &LoadedRun, options: &DiffOptions) -> RunDiff {
    let mut skipped = Vec::new();
    let mut rows = Vec::new();
    for t in ROW_TABLES {
        let absent = |r: &LoadedRun| !r.tables.contains_key(t.name);
        if !t.always_written && absent(old) && absent(new) {
            continue;
        }
        let key: &[&str] = match t.key {
            RowKey::Id => &["id"],
            RowKey::WholeRow => &[],
        };
        rows.extend(section(old, new, t.name, key, &mut skipped, |o, n| compare_rows(t, o, n)));
    }
    // Ranks by different measures (flow betweenness over cases, trade brokerage over
    // transfers) are not comparable.
    let ranked_by = |r: &LoadedRun| {
        let df = r.tables.get("hubs").filter(|df| has_column(df, "ranked_by"))?;
        texts(df, "ranked_by").ok()?.into_iter().flatten().next()
    };
    let hubs = match (ranked_by(old), ranked_by(new)) {
        (Some(a), Some(b)) if a != b => {
            let reason = format!("ranked by {a} in OLD and by {b} in NEW");
            skipped.push(NotCompared { table: "hubs".into(), reason });
            None
        }
        _ => section(old, new, "hubs", &["rank", "node"], &mut skipped, |o, n| {
            compare_hubs(o, n, options.top_n)
        }),
    };
    let bins = section(old, new, "hotspot_cells", &["cell", "bin"], &mut skipped, compare_bins);
    let categories = section(
        old,
        new,
        "emerging_hotspots",
        &["cell", "category"],
        &mut skipped,
        compare_categories,
    );
    let paths = section(old, new, "paths", &["case", "nodes", "share"], &mut skipped, |o, n| {
        compare_paths(o, n, options.share_threshold)
    });
    let edges =
        section(old, new, "network_edges", &["source", "target", "p"], &mut skipped, |o, n| {
            compare_edges(o, n, options.probability_threshold)
        });
    RunDiff {
        old: old.info.clone(),
        new: new.info.clone(),
        options: *options,
        rows,
        hubs: hubs.unwrap_or_default(),
        bins: bins.unwrap_or_default(),
        categories: categories.unwrap_or_default(),
        paths: paths.unwrap_or_default(),
        edges: edges.unwrap_or_default(),
        not_compared: skipped,
    }
}

/// Runs `f` on the two runs' `table` when both have it with the `columns`; otherwise, or
/// when `f` cannot read a column, notes why in `skipped` and returns `None`.
fn section<T>(
    old: &LoadedRun,
    new: &LoadedRun,
    table: &str,
    columns: &[&str],
    skipped: &mut Vec<NotCompared>,
    f: impl FnOnce(&DataFrame, &DataFrame) -> Result<T, PolarsError>,
) -> Option<T> {
    let result = pair(old, new, table, columns)
        .and_then(|(o, n)| f(o, n).map_err(|e| format!("cannot read its columns: {e}")));
    result.map_err(|reason| skipped.push(NotCompared { table: table.to_string(), reason })).ok()
}

/// Node id -> (rank, name) of a hubs table.
fn hub_ranks(df: &DataFrame) -> Result<BTreeMap<String, (u64, String)>, PolarsError> {
    let nodes = texts(df, "node")?;
    let ranks = ints(df, "rank")?;
    let names = if has_column(df, "name") { texts(df, "name")? } else { nodes.clone() };
    let mut out = BTreeMap::new();
    for ((node, rank), name) in nodes.into_iter().zip(ranks).zip(names) {
        let (Some(node), Some(rank)) = (node, rank) else { continue };
        let rank = u64::try_from(rank).unwrap_or(u64::MAX);
        let name = name.unwrap_or_else(|| node.clone());
        out.entry(node).or_insert((rank, name));
    }
    Ok(out)
}

fn compare_hubs(
    old: &DataFrame,
    new: &DataFrame,
    top_n: usize,
) -> Result<Vec<HubRank>, PolarsError> {
    let (o, n) = (hub_ranks(old)?, hub_ranks(new)?);
    let top = top_n as u64;
    let nodes: BTreeSet<&String> = o
        .iter()
        .chain(n.iter())
        .filter(|(_, (rank, _))| *rank <= top)
        .map(|(node, _)| node)
        .collect();
    let mut out: Vec<HubRank> = nodes
        .into_iter()
        .map(|node| {
            let old_rank = o.get(node).map(|x| x.0);
            let new_rank = n.get(node).map(|x| x.0);
            let in_top = |r: Option<u64>| r.is_some_and(|r| r <= top);
            let status = match (in_top(old_rank), in_top(new_rank)) {
                (true, true) if old_rank == new_rank => HubStatus::Unchanged,
                (true, true) => HubStatus::Moved,
                (false, _) => HubStatus::Entered,
                (true, false) => HubStatus::Left,
            };
            let name = n.get(node).or_else(|| o.get(node)).map(|x| x.1.clone()).unwrap_or_default();
            HubRank { node: node.clone(), name, status, old_rank, new_rank }
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |h: &HubRank| {
            (
                h.new_rank.filter(|r| *r <= top).unwrap_or(u64::MAX),
                h.old_rank.unwrap_or(u64::MAX),
                h.node.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(out)
}

fn compare_bins(old: &DataFrame, new: &DataFrame) -> Result<Vec<BinChange>, PolarsError> {
    let by_cell = |df: &DataFrame| -> Result<BTreeMap<String, i64>, PolarsError> {
        let mut m = BTreeMap::new();
        for (c, b) in texts(df, "cell")?.into_iter().zip(ints(df, "bin")?) {
            if let Some(c) = c {
                m.entry(c).or_insert(b.unwrap_or(0));
            }
        }
        Ok(m)
    };
    let (o, n) = (by_cell(old)?, by_cell(new)?);
    let cells: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    Ok(cells
        .into_iter()
        .filter_map(|cell| {
            let (old_bin, new_bin) = (o.get(cell).copied(), n.get(cell).copied());
            (old_bin.unwrap_or(0) != new_bin.unwrap_or(0)).then(|| BinChange {
                cell: cell.clone(),
                old_bin,
                new_bin,
            })
        })
        .collect())
}

fn compare_categories(
    old: &DataFrame,
    new: &DataFrame,
) -> Result<Vec<CategoryChange>, PolarsError> {
    let by_cell = |df: &DataFrame| -> Result<BTreeMap<String, String>, PolarsError> {
        let mut m = BTreeMap::new();
        for (c, k) in texts(df, "cell")?.into_iter().zip(texts(df, "category")?) {
            if let Some(c) = c {
                m.entry(c).or_insert(k.unwrap_or_else(|| NO_PATTERN.to_string()));
            }
        }
        Ok(m)
    };
    let (o, n) = (by_cell(old)?, by_cell(new)?);
    let cells: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    Ok(cells
        .into_iter()
        .filter_map(|cell| {
            let (old_category, new_category) = (o.get(cell).cloned(), n.get(cell).cloned());
            let shown = |c: &Option<String>| c.clone().unwrap_or_else(|| NO_PATTERN.to_string());
            (shown(&old_category) != shown(&new_category)).then(|| CategoryChange {
                cell: cell.clone(),
                old_category,
                new_category,
            })
        })
        .collect())
}

/// Appeared, vanished and moved entries of two keyed maps of values: moved when both
/// values are known and differ by more than `threshold` (a value missing on one side
/// counts as moved when the other is known).
fn keyed_changes<K: Ord + Clone>(
    old: &BTreeMap<K, Option<f64>>,
    new: &BTreeMap<K, Option<f64>>,
    threshold: f64,
) -> Vec<(K, Presence, Option<f64>, Option<f64>)> {
    let keys: BTreeSet<&K> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (a, b) = (old.get(k), new.get(k));
            let status = match (a, b) {
                (None, Some(_)) => Presence::Appeared,
                (Some(_), None) => Presence::Vanished,
                (Some(Some(x)), Some(Some(y))) if (x - y).abs() > threshold => Presence::Moved,
                (Some(None), Some(Some(_))) | (Some(Some(_)), Some(None)) => Presence::Moved,
                _ => return None,
            };
            Some((k.clone(), status, a.copied().flatten(), b.copied().flatten()))
        })
        .collect()
}

fn compare_paths(
    old: &DataFrame,
    new: &DataFrame,
    threshold: f64,
) -> Result<Vec<PathChange>, PolarsError> {
    type Keyed = (BTreeMap<(String, String), Option<f64>>, BTreeMap<(String, String), String>);
    let read = |df: &DataFrame| -> Result<Keyed, PolarsError> {
        let (cases, nodes, shares) =
            (texts(df, "case")?, texts(df, "nodes")?, floats(df, "share")?);
        let names = if has_column(df, "names") { texts(df, "names")? } else { nodes.clone() };
        let (mut share, mut name) = (BTreeMap::new(), BTreeMap::new());
        for (((c, n), s), nm) in cases.into_iter().zip(nodes).zip(shares).zip(names) {
            let key = (c.unwrap_or_default(), n.unwrap_or_default());
            name.entry(key.clone()).or_insert(nm.unwrap_or_default());
            share.entry(key).or_insert(s);
        }
        Ok((share, name))
    };
    let ((o, o_names), (n, n_names)) = (read(old)?, read(new)?);
    Ok(keyed_changes(&o, &n, threshold)
        .into_iter()
        .map(|(key, status, old_share, new_share)| {
            let names =
                n_names.get(&key).or_else(|| o_names.get(&key)).cloned().unwrap_or_default();
            PathChange { case: key.0, nodes: key.1, names, status, old_share, new_share }
        })
        .collect())
}

/// An edge's (source, target).
type EdgeKey = (String, String);

/// Edge probability and layer (when the table has the column) by (source, target).
type EdgeRows = (BTreeMap<EdgeKey, Option<f64>>, BTreeMap<EdgeKey, String>);

/// What happened to an edge, with its probability in OLD and NEW.
type EdgeStatus = (Presence, Option<f64>, Option<f64>);

fn compare_edges(
    old: &DataFrame,
    new: &DataFrame,
    threshold: f64,
) -> Result<Vec<EdgeChange>, PolarsError> {
    let read = |df: &DataFrame| -> Result<EdgeRows, PolarsError> {
        let (mut m, mut layers) = (BTreeMap::new(), BTreeMap::new());
        let layer = if has_column(df, "layer") { Some(texts(df, "layer")?) } else { None };
        let keys = texts(df, "source")?.into_iter().zip(texts(df, "target")?);
        for (i, ((s, t), p)) in keys.zip(floats(df, "p")?).enumerate() {
            let key = (s.unwrap_or_default(), t.unwrap_or_default());
            if let Some(l) = layer.as_ref().and_then(|l| l[i].clone()) {
                layers.entry(key.clone()).or_insert(l);
            }
            m.entry(key).or_insert(p);
        }
        Ok((m, layers))
    };
    let ((o, o_layers), (n, n_layers)) = (read(old)?, read(new)?);
    let mut changes: BTreeMap<EdgeKey, EdgeStatus> =
        keyed_changes(&o, &n, threshold).into_iter().map(|(k, s, a, b)| (k, (s, a, b))).collect();
    for (k, l) in &n_layers {
        if o_layers.get(k).is_some_and(|x| x != l) && !changes.contains_key(k) {
            let p = |m: &BTreeMap<EdgeKey, Option<f64>>| m.get(k).copied().flatten();
            changes.insert(k.clone(), (Presence::Relayered, p(&o), p(&n)));
        }
    }
    Ok(changes
        .into_iter()
        .map(|((source, target), (status, old_p, new_p))| EdgeChange {
            old_layer: o_layers.get(&(source.clone(), target.clone())).cloned(),
            new_layer: n_layers.get(&(source.clone(), target.clone())).cloned(),
            source,
            target,
            status,
            old_p,
            new_p,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::fixtures::{edges, hubs, paths, run, seizures};
    use crate::diff::rows::ValueChange;
    use crate::output::TableBuilder;

    #[test]
    fn rows_by_id_ignore_where_a_row_was_read() {
        let a = run(
            "a",
            vec![seizures(&[("S1", 1, "a.csv", 2), ("S2", 2, "a.csv", 3), ("S3", 3, "a.csv", 4)])],
        );
        let b = run(
            "b",
            vec![seizures(&[("S4", 1, "b.csv", 2), ("S3", 9, "b.csv", 3), ("S2", 2, "b.csv", 9)])],
        );
        let d = compare(&a, &b, &DiffOptions::default());
        let r = &d.rows[0];
        assert_eq!(r.added, ["S4"]);
        assert_eq!(r.removed, ["S1"]);
        assert_eq!(r.changed.len(), 1);
        assert_eq!(r.changed[0].id, "S3");
        assert_eq!(
            r.changed[0].columns,
            [ValueChange {
                column: "quantity".into(),
                old: Some("3".into()),
                new: Some("9".into())
            }]
        );
        assert_eq!(r.unchanged, 1);
        assert!(d.has_changes());
        // Tables missing on both sides are reported, not errors.
        assert!(
            d.not_compared
                .iter()
                .any(|n| n.table == "looting" && n.reason == "missing in both runs")
        );
        assert!(d.not_compared.iter().any(|n| n.table == "hubs"));
    }

    #[test]
    fn a_run_compared_with_itself_has_no_changes() {
        let tables = || {
            vec![
                seizures(&[("S1", 1, "a.csv", 2)]),
                hubs(&["A", "B", "C"]),
                edges(&[("A", "B", 0.5)]),
                paths(&[("C1", "A;B", 1.0)]),
            ]
        };
        let d = compare(&run("a", tables()), &run("b", tables()), &DiffOptions::default());
        assert!(!d.has_changes(), "{d:?}");
        assert!(d.hubs.iter().all(|h| h.status == HubStatus::Unchanged));
        assert!(d.markdown().contains("**No changes.**"));
        assert!(d.terminal_summary().ends_with("no changes\n"));
    }

    #[test]
    fn hubs_enter_leave_and_move_within_the_top_n() {
        let a = run("a", vec![hubs(&["A", "B", "C", "D"])]);
        let b = run("b", vec![hubs(&["B", "A", "D", "C"])]);
        let opts = DiffOptions { top_n: 2, ..DiffOptions::default() };
        let d = compare(&a, &b, &opts);
        let got: Vec<(&str, HubStatus, Option<u64>, Option<u64>)> =
            d.hubs.iter().map(|h| (h.node.as_str(), h.status, h.old_rank, h.new_rank)).collect();
        assert_eq!(
            got,
            [("B", HubStatus::Moved, Some(2), Some(1)), ("A", HubStatus::Moved, Some(1), Some(2)),]
        );
        let opts = DiffOptions { top_n: 3, ..DiffOptions::default() };
        let d = compare(&a, &b, &opts);
        let got: Vec<(&str, HubStatus)> =
            d.hubs.iter().map(|h| (h.node.as_str(), h.status)).collect();
        assert_eq!(
            got,
            [
                ("B", HubStatus::Moved),
                ("A", HubStatus::Moved),
                ("D", HubStatus::Entered),
                ("C", HubStatus::Left),
            ]
        );
        let s = d.summary();
        assert_eq!((s.hubs_entered, s.hubs_left, s.hubs_moved), (1, 1, 2));
    }

    #[test]
    fn hubs_ranked_by_different_measures_are_not_compared() {
        let ranked = |by: &str| {
            TableBuilder::new("hubs")
                .uint("rank", [Some(1u64)])
                .text("ranked_by", [Some(by)])
                .text("node", [Some("A")])
                .build()
                .unwrap()
        };
        let d = compare(
            &run("a", vec![ranked("flow_betweenness")]),
            &run("b", vec![ranked("trade_brokerage")]),
            &DiffOptions::default(),
        );
        assert!(d.hubs.is_empty());
        let n = d.not_compared.iter().find(|n| n.table == "hubs").unwrap();
        assert_eq!(n.reason, "ranked by flow_betweenness in OLD and by trade_brokerage in NEW");
        let same = compare(
            &run("a", vec![ranked("trade_brokerage")]),
            &run("b", vec![ranked("trade_brokerage")]),
            &DiffOptions::default(),
        );
        assert!(same.not_compared.iter().all(|n| n.table != "hubs"));
    }

    #[test]
    fn an_edge_whose_layer_changed_is_listed_with_both_layers() {
        use crate::diff::fixtures::layered_edges;
        // A border prior that gained a route report (p within the threshold), and an
        // edge that kept its layer.
        let a =
            run("a", vec![layered_edges(&[("A", "B", 0.05, "illicit"), ("B", "C", 0.3, "legal")])]);
        let b =
            run("b", vec![layered_edges(&[("A", "B", 0.06, "prior"), ("B", "C", 0.3, "legal")])]);
        let d = compare(&a, &b, &DiffOptions::default());
        assert_eq!(d.edges.len(), 1);
        let e = &d.edges[0];
        assert_eq!(
            (e.source.as_str(), e.target.as_str(), e.status),
            ("A", "B", Presence::Relayered)
        );
        assert_eq!(
            (e.old_layer.as_deref(), e.new_layer.as_deref()),
            (Some("illicit"), Some("prior"))
        );
        assert_eq!(d.summary().edges_layer_changed, 1);
        assert!(d.has_changes());
    }

    #[test]
    fn paths_and_edges_move_only_beyond_the_threshold() {
        let a = run(
            "a",
            vec![
                paths(&[("C1", "A;B", 0.6), ("C1", "A;C;B", 0.4), ("C2", "X;Y", 1.0)]),
                edges(&[("A", "B", 0.50), ("A", "C", 0.20), ("X", "Y", 0.9)]),
            ],
        );
        let b = run(
            "b",
            vec![
                paths(&[("C1", "A;B", 0.64), ("C1", "A;C;B", 0.26), ("C1", "A;D;B", 0.1)]),
                edges(&[("A", "B", 0.54), ("A", "C", 0.30), ("A", "D", 0.1)]),
            ],
        );
        let d = compare(&a, &b, &DiffOptions::default());
        let p: Vec<(&str, &str, Presence)> =
            d.paths.iter().map(|p| (p.case.as_str(), p.nodes.as_str(), p.status)).collect();
        assert_eq!(
            p,
            [
                ("C1", "A;C;B", Presence::Moved),
                ("C1", "A;D;B", Presence::Appeared),
                ("C2", "X;Y", Presence::Vanished),
            ]
        );
        let e: Vec<(&str, &str, Presence)> =
            d.edges.iter().map(|e| (e.source.as_str(), e.target.as_str(), e.status)).collect();
        assert_eq!(
            e,
            [
                ("A", "C", Presence::Moved),
                ("A", "D", Presence::Appeared),
                ("X", "Y", Presence::Vanished)
            ]
        );
        // A larger threshold hides the moves, not the appearances.
        let opts = DiffOptions::new(20, 0.2, 0.2).unwrap();
        let d = compare(&a, &b, &opts);
        assert!(d.paths.iter().all(|p| p.status != Presence::Moved));
        assert!(d.edges.iter().all(|e| e.status != Presence::Moved));
        assert_eq!(d.paths.len(), 2);
    }

    #[test]
    fn cells_absent_count_as_not_significant_and_no_pattern() {
        let cells = |rows: &[(&str, i64)]| {
            TableBuilder::new("hotspot_cells")
                .text("cell", rows.iter().map(|r| Some(r.0)))
                .int("bin", rows.iter().map(|r| Some(r.1)))
                .build()
                .unwrap()
        };
        let emerging = |rows: &[(&str, &str)]| {
            TableBuilder::new("emerging_hotspots")
                .text("cell", rows.iter().map(|r| Some(r.0)))
                .text("category", rows.iter().map(|r| Some(r.1)))
                .build()
                .unwrap()
        };
        let a = run(
            "a",
            vec![
                cells(&[("c1", 3), ("c2", 0), ("c3", -1)]),
                emerging(&[("c1", "New Hot Spot"), ("c2", NO_PATTERN)]),
            ],
        );
        let b = run(
            "b",
            vec![
                cells(&[("c1", 2), ("c3", -1), ("c4", 0), ("c5", 1)]),
                emerging(&[("c1", "Consecutive Hot Spot"), ("c5", NO_PATTERN)]),
            ],
        );
        let d = compare(&a, &b, &DiffOptions::default());
        assert_eq!(
            d.bins,
            [
                BinChange { cell: "c1".into(), old_bin: Some(3), new_bin: Some(2) },
                BinChange { cell: "c5".into(), old_bin: None, new_bin: Some(1) },
            ]
        );
        assert_eq!(
            d.categories,
            [CategoryChange {
                cell: "c1".into(),
                old_category: Some("New Hot Spot".into()),
                new_category: Some("Consecutive Hot Spot".into()),
            }]
        );
        let md = d.markdown();
        assert!(
            md.contains("| c1 | hot spot, 99 % confidence | hot spot, 95 % confidence |"),
            "{md}"
        );
    }
}
