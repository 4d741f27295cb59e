//! The outputs of a diff rendered to bytes: `diff.md` (a readable summary), the `diff_*`
//! tables, the hub rank slope chart and `diff.json` ([`DiffJson`], which lists the others
//! with their SHA-256), and the few lines for the terminal. Nothing depends on the clock.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::DiffError;
use super::compare::{HubStatus, RunDiff, Summary};
use super::load::RunInfo;
use super::rows::ValueChange;
use crate::chart::slope::{HubRankLine, SlopeInput};
use crate::chart::{Caption, RenderSize};
use crate::output::{OutputError, Table, TableBuilder, sha256_hex};
use crate::report::{md_escape_cell, md_escape_text};

/// The `format` value of `diff.json`; an output directory whose `diff.json` carries it
/// was written by `divnet diff`.
pub const FORMAT: &str = "divnet-diff/1";

/// Ids, paths, cells and hubs listed per section in `diff.md` (the tables hold all).
pub const MARKDOWN_LIST_LIMIT: usize = 20;

/// A Gi* confidence bin in words: "hot spot, 99 % confidence", "not significant", ...
///
/// ```
/// assert_eq!(divnet::diff::bin_label(-2), "cold spot, 95 % confidence");
/// assert_eq!(divnet::diff::bin_label(0), "not significant");
/// ```
pub fn bin_label(bin: i64) -> String {
    let level = match bin.unsigned_abs() {
        0 => return "not significant".to_string(),
        1 => 90,
        2 => 95,
        _ => 99,
    };
    let kind = if bin > 0 { "hot" } else { "cold" };
    format!("{kind} spot, {level} % confidence")
}

fn fmt_opt_f64(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"))
}

fn fmt_rank(r: Option<u64>) -> String {
    r.map_or_else(|| "-".to_string(), |r| r.to_string())
}

impl RunDiff {
    /// `diff.md`: a readable summary (for an email from a scheduled job). Every user string
    /// (ids, names, cells) is escaped; each list shows its first [`MARKDOWN_LIST_LIMIT`]
    /// entries (the `diff_*` tables hold all).
    pub fn markdown(&self) -> String {
        let s = self.summary();
        let top = self.options.top_n;
        let mut m = String::new();
        let _ = writeln!(
            m,
            "# divnet diff: {} → {}\n",
            md_escape_text(&self.old.name),
            md_escape_text(&self.new.name)
        );
        for (label, r) in [("Old run", &self.old), ("New run", &self.new)] {
            let _ = writeln!(
                m,
                "- {label}: {} (divnet {}, started {})",
                md_escape_text(&r.name),
                md_escape_text(r.divnet_version.as_deref().unwrap_or("unknown")),
                md_escape_text(r.started_utc.as_deref().unwrap_or("unknown"))
            );
        }
        let _ = writeln!(
            m,
            "- Compared: hubs in the top {top}; path shares moving by more than {}; edge probabilities moving by more than {}\n",
            self.options.share_threshold, self.options.probability_threshold
        );
        let _ =
            writeln!(m, "{}\n", if s.changed { "**Changes found.**" } else { "**No changes.**" });
        let _ = writeln!(m, "## Summary\n");
        let _ = writeln!(m, "| table | added | removed | changed | unchanged |");
        let _ = writeln!(m, "|---|---:|---:|---:|---:|");
        for (table, c) in &s.rows {
            let _ = writeln!(
                m,
                "| {table} | {} | {} | {} | {} |",
                c.added, c.removed, c.changed, c.unchanged
            );
        }
        let _ = writeln!(m, "\n| derived change | count |");
        let _ = writeln!(m, "|---|---:|");
        for (label, n) in s.derived() {
            let _ = writeln!(m, "| {} | {n} |", label.replace("top N", &format!("top {top}")));
        }
        if !self.not_compared.is_empty() {
            let _ = writeln!(m, "\n## Not compared\n");
            for nc in &self.not_compared {
                let _ =
                    writeln!(m, "- {}: {}", md_escape_text(&nc.table), md_escape_text(&nc.reason));
            }
        }
        self.markdown_rows(&mut m);
        self.markdown_derived(&mut m);
        m
    }

    fn markdown_rows(&self, m: &mut String) {
        let list = |m: &mut String, what: &str, ids: Vec<String>| {
            if ids.is_empty() {
                return;
            }
            let shown: Vec<String> =
                ids.iter().take(MARKDOWN_LIST_LIMIT).map(|i| md_escape_text(i)).collect();
            let more = ids.len().saturating_sub(MARKDOWN_LIST_LIMIT);
            let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
            let _ = writeln!(m, "- {what} ({}): {}{tail}", ids.len(), shown.join(", "));
        };
        for r in &self.rows {
            if r.added.is_empty()
                && r.removed.is_empty()
                && r.changed.is_empty()
                && r.columns_added.is_empty()
                && r.columns_removed.is_empty()
            {
                continue;
            }
            let _ = writeln!(m, "\n## {}\n", r.table);
            list(m, "added", r.added.clone());
            list(m, "removed", r.removed.clone());
            list(
                m,
                "changed",
                r.changed
                    .iter()
                    .map(|c| {
                        let cols: Vec<&str> = c.columns.iter().map(|v| v.column.as_str()).collect();
                        format!("{} ({})", c.id, cols.join(", "))
                    })
                    .collect(),
            );
            list(m, "columns only in the new run (not compared)", r.columns_added.clone());
            list(m, "columns only in the old run (not compared)", r.columns_removed.clone());
        }
    }

    fn markdown_derived(&self, m: &mut String) {
        let table = |m: &mut String, title: &str, header: &[&str], rows: Vec<Vec<String>>| {
            if rows.is_empty() {
                return;
            }
            let _ = writeln!(m, "\n## {title}\n");
            let _ = writeln!(m, "| {} |", header.join(" | "));
            let _ = writeln!(m, "|{}|", vec!["---"; header.len()].join("|"));
            for r in rows.iter().take(MARKDOWN_LIST_LIMIT) {
                let cells: Vec<String> = r.iter().map(|c| md_escape_cell(c)).collect();
                let _ = writeln!(m, "| {} |", cells.join(" | "));
            }
            if rows.len() > MARKDOWN_LIST_LIMIT {
                let _ = writeln!(
                    m,
                    "\n… and {} more (see the table files).",
                    rows.len() - MARKDOWN_LIST_LIMIT
                );
            }
        };
        let hubs = self
            .hubs
            .iter()
            .filter(|h| h.status != HubStatus::Unchanged)
            .map(|h| {
                vec![
                    h.name.clone(),
                    h.node.clone(),
                    h.status.as_str().into(),
                    fmt_rank(h.old_rank),
                    fmt_rank(h.new_rank),
                ]
            })
            .collect();
        table(
            m,
            &format!("Hubs (top {})", self.options.top_n),
            &["hub", "node", "change", "old rank", "new rank"],
            hubs,
        );
        let bin = |b: Option<i64>| b.map_or_else(|| "absent".to_string(), bin_label);
        let cells = self
            .bins
            .iter()
            .map(|c| vec![c.cell.clone(), bin(c.old_bin), bin(c.new_bin)])
            .collect();
        table(m, "Hotspot confidence bins", &["cell", "old", "new"], cells);
        let cat = |c: &Option<String>| c.clone().unwrap_or_else(|| "absent".to_string());
        let cats = self
            .categories
            .iter()
            .map(|c| vec![c.cell.clone(), cat(&c.old_category), cat(&c.new_category)])
            .collect();
        table(m, "Emerging hotspot categories", &["cell", "old", "new"], cats);
        let paths = self
            .paths
            .iter()
            .map(|p| {
                vec![
                    p.case.clone(),
                    p.names.clone(),
                    p.status.as_str().into(),
                    fmt_opt_f64(p.old_share),
                    fmt_opt_f64(p.new_share),
                ]
            })
            .collect();
        table(m, "Paths", &["case", "path", "change", "old share", "new share"], paths);
        let edges = self
            .edges
            .iter()
            .map(|e| {
                vec![
                    e.source.clone(),
                    e.target.clone(),
                    e.status.as_str().into(),
                    fmt_opt_f64(e.old_p),
                    fmt_opt_f64(e.new_p),
                    e.old_layer.clone().unwrap_or_default(),
                    e.new_layer.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let header = ["source", "target", "change", "old p", "new p", "old layer", "new layer"];
        table(m, "Network edges", &header, edges);
    }

    /// A few lines for the terminal: the counts that are not zero, or "no changes".
    pub fn terminal_summary(&self) -> String {
        let s = self.summary();
        let mut out = format!("{} -> {}\n", self.old.name, self.new.name);
        for (table, c) in &s.rows {
            if c.added + c.removed + c.changed > 0 {
                let _ = writeln!(
                    out,
                    "{table:<9} {} added, {} removed, {} changed",
                    c.added, c.removed, c.changed
                );
            }
        }
        for (label, n) in s.derived() {
            if n > 0 {
                let label = label.replace("top N", &format!("top {}", self.options.top_n));
                let _ = writeln!(out, "{n} {label}");
            }
        }
        for nc in &self.not_compared {
            let _ = writeln!(out, "{} not compared: {}", nc.table, nc.reason);
        }
        out.push_str(if s.changed { "changes found\n" } else { "no changes\n" });
        out
    }

    /// The `diff_rows`, `diff_hubs`, `diff_cells`, `diff_paths` and `diff_edges` tables.
    ///
    /// # Errors
    /// [`DiffError::Encode`] if a table cannot be built.
    pub fn tables(&self) -> Result<Vec<Table>, DiffError> {
        self.build_tables().map_err(DiffError::Encode)
    }

    fn build_tables(&self) -> Result<Vec<Table>, OutputError> {
        // diff_rows: one row per added, removed or changed input row.
        let mut rows: Vec<[Option<String>; 6]> = Vec::new();
        for r in &self.rows {
            let simple = |id: &String, change: &str| {
                [Some(r.table.clone()), Some(id.clone()), Some(change.into()), None, None, None]
            };
            rows.extend(r.added.iter().map(|id| simple(id, "added")));
            rows.extend(r.removed.iter().map(|id| simple(id, "removed")));
            for c in &r.changed {
                let join = |f: &dyn Fn(&ValueChange) -> String| {
                    c.columns.iter().map(f).collect::<Vec<_>>().join("; ")
                };
                rows.push([
                    Some(r.table.clone()),
                    Some(c.id.clone()),
                    Some("changed".into()),
                    Some(join(&|v| v.column.clone())),
                    Some(join(&|v| format!("{}={}", v.column, v.old.as_deref().unwrap_or("")))),
                    Some(join(&|v| format!("{}={}", v.column, v.new.as_deref().unwrap_or("")))),
                ]);
            }
        }
        let col = |i: usize| rows.iter().map(move |r| r[i].clone());
        let diff_rows = TableBuilder::new("diff_rows")
            .text("table", col(0))
            .text("id", col(1))
            .text("change", col(2))
            .text("columns", col(3))
            .text("old", col(4))
            .text("new", col(5))
            .build()?;
        let h = &self.hubs;
        let diff_hubs = TableBuilder::new("diff_hubs")
            .text("node", h.iter().map(|x| Some(&x.node)))
            .text("name", h.iter().map(|x| Some(&x.name)))
            .text("change", h.iter().map(|x| Some(x.status.as_str())))
            .uint("old_rank", h.iter().map(|x| x.old_rank))
            .uint("new_rank", h.iter().map(|x| x.new_rank))
            .build()?;
        let mut cells: Vec<(String, &str, Option<String>, Option<String>)> = self
            .bins
            .iter()
            .map(|b| {
                let t = |v: Option<i64>| v.map(|v| v.to_string());
                (b.cell.clone(), "confidence_bin", t(b.old_bin), t(b.new_bin))
            })
            .chain(self.categories.iter().map(|c| {
                (
                    c.cell.clone(),
                    "emerging_category",
                    c.old_category.clone(),
                    c.new_category.clone(),
                )
            }))
            .collect();
        cells.sort();
        let diff_cells = TableBuilder::new("diff_cells")
            .text("cell", cells.iter().map(|c| Some(&c.0)))
            .text("change", cells.iter().map(|c| Some(c.1)))
            .text("old", cells.iter().map(|c| c.2.as_deref()))
            .text("new", cells.iter().map(|c| c.3.as_deref()))
            .build()?;
        let p = &self.paths;
        let diff_paths = TableBuilder::new("diff_paths")
            .text("case", p.iter().map(|x| Some(&x.case)))
            .text("nodes", p.iter().map(|x| Some(&x.nodes)))
            .text("names", p.iter().map(|x| Some(&x.names)))
            .text("change", p.iter().map(|x| Some(x.status.as_str())))
            .float("old_share", p.iter().map(|x| x.old_share))
            .float("new_share", p.iter().map(|x| x.new_share))
            .build()?;
        let e = &self.edges;
        let diff_edges = TableBuilder::new("diff_edges")
            .text("source", e.iter().map(|x| Some(&x.source)))
            .text("target", e.iter().map(|x| Some(&x.target)))
            .text("change", e.iter().map(|x| Some(x.status.as_str())))
            .float("old_p", e.iter().map(|x| x.old_p))
            .float("new_p", e.iter().map(|x| x.new_p))
            .text("old_layer", e.iter().map(|x| x.old_layer.as_deref()))
            .text("new_layer", e.iter().map(|x| x.new_layer.as_deref()))
            .build()?;
        Ok(vec![diff_rows, diff_hubs, diff_cells, diff_paths, diff_edges])
    }

    /// The slope chart's input: every hub in the top N of either run.
    pub fn slope_input(&self) -> SlopeInput {
        SlopeInput {
            title: format!("Hub rank changes (top {})", self.options.top_n),
            old_label: self.old.name.clone(),
            new_label: self.new.name.clone(),
            top_n: self.options.top_n,
            hubs: self
                .hubs
                .iter()
                .map(|h| HubRankLine {
                    name: h.name.clone(),
                    old_rank: h.old_rank,
                    new_rank: h.new_rank,
                })
                .collect(),
        }
    }
}

/// One file of a diff's output, with its SHA-256 (listed in `diff.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputEntry {
    /// File name.
    pub file: String,
    /// SHA-256 of the content.
    pub sha256: String,
}

/// `diff.json`: the format marker, the counts, the whole diff and the other files written.
/// [`render`] writes it borrowing the diff; [`DiffJson::from_bytes`] reads one back, owned
/// (how [`write_dir`](super::write_dir) recognises an earlier diff and its files).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffJson<'a> {
    /// [`FORMAT`] in a diff this divnet wrote.
    pub format: Cow<'a, str>,
    /// The counts of `diff`.
    pub summary: Summary,
    /// The whole diff.
    pub diff: Cow<'a, RunDiff>,
    /// Every other file of the diff with its SHA-256, in the order [`render`] made them.
    pub outputs: Vec<OutputEntry>,
}

impl<'a> DiffJson<'a> {
    /// The document of `diff` in this divnet's [`FORMAT`], listing `outputs`.
    pub fn new(diff: &'a RunDiff, outputs: Vec<OutputEntry>) -> DiffJson<'a> {
        DiffJson {
            format: Cow::Borrowed(FORMAT),
            summary: diff.summary(),
            diff: Cow::Borrowed(diff),
            outputs,
        }
    }

    /// The bytes of `diff.json`: pretty-printed JSON and a final line break.
    ///
    /// # Errors
    /// [`DiffError::Json`] if the document cannot be encoded.
    pub fn to_bytes(&self) -> Result<Vec<u8>, DiffError> {
        let mut json = serde_json::to_vec_pretty(self).map_err(DiffError::Json)?;
        json.push(b'\n');
        Ok(json)
    }
}

impl DiffJson<'static> {
    /// Reads the bytes of a `diff.json` (of any format marker: see [`DiffJson::format`]).
    ///
    /// # Errors
    /// When the bytes are not a `diff.json` of this shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<DiffJson<'static>, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

/// The name of the hub rank figure (`hub_ranks.png`, `hub_ranks.svg`).
pub const FIGURE: &str = "hub_ranks";

/// Renders every output file of a diff to bytes, `diff.json` last: `diff.md`, the five
/// `diff_*` tables as `.parquet` and `.csv`, `hub_ranks.png` and `.svg`, and `diff.json`
/// (which lists the others with their SHA-256). Nothing depends on the clock, so the bytes
/// are the same for the same two runs.
///
/// # Errors
/// [`DiffError::Encode`], [`DiffError::Chart`] or [`DiffError::Json`].
pub fn render(diff: &RunDiff) -> Result<Vec<(String, Vec<u8>)>, DiffError> {
    let mut files: Vec<(String, Vec<u8>)> = vec![("diff.md".into(), diff.markdown().into_bytes())];
    for t in diff.tables()? {
        files.push((format!("{}.parquet", t.name), t.parquet_bytes().map_err(DiffError::Encode)?));
        files.push((format!("{}.csv", t.name), t.csv_bytes().map_err(DiffError::Encode)?));
    }
    let date = |r: &RunInfo| {
        r.started_utc.as_deref().map_or("unknown", |s| s.get(..10).unwrap_or(s)).to_string()
    };
    let caption = Caption {
        source: "hubs table of each run".into(),
        date_range: format!("runs started {} and {}", date(&diff.old), date(&diff.new)),
        dated: format!("{} → {}", diff.old.name, diff.new.name),
    };
    let fig = crate::chart::slope::render(&diff.slope_input(), &caption, RenderSize::PRINT)
        .map_err(DiffError::Chart)?;
    files.push((format!("{FIGURE}.png"), fig.png));
    files.push((format!("{FIGURE}.svg"), fig.svg.into_bytes()));
    let outputs = files
        .iter()
        .map(|(file, bytes)| OutputEntry { file: file.clone(), sha256: sha256_hex(bytes) })
        .collect();
    files.push(("diff.json".into(), DiffJson::new(diff, outputs).to_bytes()?));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::DiffOptions;
    use crate::diff::compare;
    use crate::diff::fixtures::{edges, hubs, run, seizures};

    #[test]
    fn markdown_escapes_user_text_and_limits_lists() {
        let ids: Vec<String> = (0..25).map(|i| format!("S{i:02}")).collect();
        let mut rows: Vec<(&str, u64, &str, u64)> =
            ids.iter().map(|i| (i.as_str(), 1, "f", 1)).collect();
        rows.push(("<img src=x>|*x*", 1, "f", 1));
        let a = run("a", vec![seizures(&[])]);
        let b = run("b", vec![seizures(&rows)]);
        let d = compare(&a, &b, &DiffOptions::default());
        let md = d.markdown();
        assert!(md.contains(r"\<img src=x\>\|\*x\*"), "{md}");
        assert!(!md.replace(r"\<", "").contains("<img"), "{md}");
        assert!(md.contains("- added (26): "), "{md}");
        assert!(md.contains(" and 6 more"), "{md}");
        assert!(md.contains("| seizures | 26 | 0 | 0 | 0 |"), "{md}");
        // All 26 are in the table.
        let t = d.tables().unwrap();
        assert_eq!(t[0].name, "diff_rows");
        assert_eq!(t[0].rows(), 26);
    }

    #[test]
    fn rendering_is_deterministic_and_lists_its_files() {
        let a = run("a", vec![hubs(&["A", "B", "C"]), edges(&[("A", "B", 0.5)])]);
        let b = run("b", vec![hubs(&["C", "A", "B"]), edges(&[("A", "B", 0.7)])]);
        let d = compare(&a, &b, &DiffOptions::default());
        let one = render(&d).unwrap();
        let two = render(&d).unwrap();
        assert_eq!(one, two);
        let names: Vec<&str> = one.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names.last(), Some(&"diff.json"));
        for f in
            ["diff.md", "diff_rows.csv", "diff_edges.parquet", "hub_ranks.png", "hub_ranks.svg"]
        {
            assert!(names.contains(&f), "{f}");
        }
        let json: serde_json::Value = serde_json::from_slice(&one.last().unwrap().1).unwrap();
        assert_eq!(json["format"], FORMAT);
        assert_eq!(json["summary"]["hubs_moved"], 3);
        assert_eq!(json["summary"]["edges_probability_moved"], 1);
        assert_eq!(json["outputs"].as_array().unwrap().len(), one.len() - 1);
    }

    #[test]
    fn diff_json_reads_back_as_it_was_written() {
        let a = run("a", vec![seizures(&[("S1", 1, "a.csv", 2)]), hubs(&["A", "B"])]);
        let b = run("b", vec![seizures(&[("S1", 2, "b.csv", 2)]), hubs(&["B", "A"])]);
        let d = compare(&a, &b, &DiffOptions::default());
        let files = render(&d).unwrap();
        let bytes = &files.last().unwrap().1;
        let doc = DiffJson::from_bytes(bytes).unwrap();
        assert_eq!(doc.format, FORMAT);
        assert_eq!(*doc.diff, d);
        assert_eq!(doc.summary, d.summary());
        assert_eq!(doc.outputs.len(), files.len() - 1);
        assert_eq!(&doc.to_bytes().unwrap(), bytes);
    }
}
