//! Top paths: layered diagram (origin column -> transit columns -> destination column).
//!
//! A path with k transit countries places them in transit columns 1..=k; the destination is
//! always in the last column. Nodes within a column are ordered by the total expected quantity
//! passing through them (ties by name), in the spirit of Sugiyama-style layered drawings
//! (Sugiyama, Tagawa & Toda 1981) without crossing minimisation. Links are cubic Bézier curves
//! with width proportional to the square root of expected quantity, one Okabe-Ito colour per
//! path rank.

use std::collections::BTreeMap;

use plotters::backend::DrawingBackend;

use super::flow_map::legend_heading;
use super::style::{self, OKABE_ITO};
use super::{
    Canvas, Caption, ChartError, Figure, HAlign, Label, Painter, PxRect, RenderSize, VAlign,
    check_nonneg, fmt_num, render_figure,
};

/// One path: origin, transit countries, destination.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct PathRow {
    /// Node names from origin to destination (at least two).
    pub nodes: Vec<String>,
    /// Expected quantity carried by the path (>= 0).
    pub expected_quantity: f64,
    /// What the HTML report shows on hover (empty: the legs and the quantity).
    #[serde(default)]
    pub tip: String,
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TopPathsInput {
    /// Title; empty means "Most likely diversion paths".
    pub title: String,
    /// Paths, drawn in descending expected quantity (ties keep input order).
    pub paths: Vec<PathRow>,
    /// Number of paths drawn (0 = all, capped at 12).
    pub top_n: usize,
    /// Quantity unit, e.g. "weapons"; empty means "units".
    pub unit: String,
    /// Column headings, first to last; missing or empty ones mean "Origin", "Transit k",
    /// "Destination".
    #[serde(default)]
    pub headers: Vec<String>,
    /// Heading of the legend; empty means "Path (expected quantity, <unit>)".
    #[serde(default)]
    pub legend_title: String,
    /// The line under "No data" when there is no path; empty means "no diversion paths in
    /// this run".
    #[serde(default)]
    pub empty_note: String,
}

/// Most paths drawn.
pub const MAX_PATHS: usize = 12;

/// Renders the layered path diagram ([`Figure::name`] `"top_paths"`). O(P * L) for P paths of
/// length L.
///
/// # Errors
/// [`ChartError::LengthMismatch`] for a path with fewer than two nodes;
/// [`ChartError::InvalidValue`] for negative or non-finite quantities.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, top_paths::*};
/// let input = TopPathsInput {
///     paths: vec![PathRow { nodes: vec!["LBY".into(), "NER".into(), "MLI".into()],
///         expected_quantity: 80.0, tip: String::new() }],
///     ..Default::default()
/// };
/// let fig = render(&input, &Caption::default(), RenderSize::PRINT).unwrap();
/// assert!(fig.svg.contains("\nTransit 1\n</text>") && fig.svg.contains("\nNER\n</text>"));
/// ```
pub fn render(
    input: &TopPathsInput,
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    for (i, p) in input.paths.iter().enumerate() {
        if p.nodes.len() < 2 {
            return Err(ChartError::LengthMismatch {
                what: format!("paths[{i}].nodes (at least)"),
                expected: 2,
                found: p.nodes.len(),
            });
        }
        check_nonneg(&format!("paths[{i}].expected_quantity"), p.expected_quantity)?;
    }
    let title = if input.title.is_empty() {
        "Most likely diversion paths".to_string()
    } else {
        input.title.clone()
    };
    let mut paths: Vec<&PathRow> = input.paths.iter().collect();
    paths.sort_by(|a, b| b.expected_quantity.total_cmp(&a.expected_quantity));
    let n = if input.top_n == 0 { MAX_PATHS } else { input.top_n.min(MAX_PATHS) };
    paths.truncate(n);
    let p = PathsPainter { title: &title, caption, paths, input };
    render_figure("top_paths", &title, size, &p)
}

struct PathsPainter<'a> {
    title: &'a str,
    caption: &'a Caption,
    paths: Vec<&'a PathRow>,
    input: &'a TopPathsInput,
}

/// Column of node `k` of a path with `len` nodes in a diagram with `ncol` columns.
fn column(k: usize, len: usize, ncol: usize) -> usize {
    if k + 1 == len { ncol - 1 } else { k }
}

fn cubic(a: (f64, f64), b: (f64, f64), n: usize) -> Vec<(f64, f64)> {
    let mx = (a.0 + b.0) / 2.0;
    let (c1, c2) = ((mx, a.1), (mx, b.1));
    (0..=n)
        .map(|i| {
            let t = i as f64 / n as f64;
            let u = 1.0 - t;
            let (w0, w1, w2, w3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
            (
                w0 * a.0 + w1 * c1.0 + w2 * c2.0 + w3 * b.0,
                w0 * a.1 + w1 * c1.1 + w2 * c2.1 + w3 * b.1,
            )
        })
        .collect()
}

impl Painter for PathsPainter<'_> {
    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(self.title, self.caption)?;
        let inp = self.input;
        if self.paths.is_empty() {
            let note = if inp.empty_note.is_empty() {
                "no diversion paths in this run"
            } else {
                &inp.empty_note
            };
            return c.no_data(plot, note);
        }
        let unit = if inp.unit.is_empty() { "units" } else { &inp.unit };
        let ncol = self.paths.iter().map(|p| p.nodes.len()).max().unwrap_or(2);
        // Each path as (column, key, is_dummy); a link that skips transit columns passes
        // through dummy slots so it never runs behind another node's box.
        let expanded: Vec<Vec<(usize, String, bool)>> = self
            .paths
            .iter()
            .enumerate()
            .map(|(rank, p)| {
                let len = p.nodes.len();
                let mut v: Vec<(usize, String, bool)> = Vec::with_capacity(ncol);
                for (k, name) in p.nodes.iter().enumerate() {
                    let col = column(k, len, ncol);
                    let prev = v.last().map_or(0, |x| x.0);
                    for d in prev + 1..col {
                        v.push((d, format!("\u{1}{rank}"), true));
                    }
                    v.push((col, name.clone(), false));
                }
                v
            })
            .collect();
        // Node totals per (column, key).
        let mut totals: BTreeMap<(usize, &str), (f64, bool)> = BTreeMap::new();
        for (p, ex) in self.paths.iter().zip(&expanded) {
            for (ci, key, dummy) in ex {
                totals.entry((*ci, key.as_str())).or_insert((0.0, *dummy)).0 += p.expected_quantity;
            }
        }
        let mut cols: Vec<Vec<(&str, f64)>> = vec![Vec::new(); ncol];
        for (&(ci, name), &(q, _)) in &totals {
            cols[ci].push((name, q));
        }
        for col in &mut cols {
            col.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        }
        let leg_w = plot.w() * 0.3;
        let head = Label::HEADING.anchor(HAlign::Center, VAlign::Top);
        let (_, hh) = c.text_size("Ag", head)?;
        let diag = PxRect {
            x0: plot.x0,
            y0: plot.y0 + hh + c.px(8.0),
            x1: plot.x1 - leg_w - c.px(12.0),
            y1: plot.y1,
        };
        let colw = diag.w() / ncol as f64;
        let boxw = colw * 0.55;
        let mut boxes: BTreeMap<(usize, &str), PxRect> = BTreeMap::new();
        for (ci, col) in cols.iter().enumerate() {
            let x0 = diag.x0 + ci as f64 * colw + (colw - boxw) / 2.0;
            let header = match ci {
                _ if inp.headers.get(ci).is_some_and(|h| !h.is_empty()) => inp.headers[ci].clone(),
                0 => "Origin".to_string(),
                _ if ci == ncol - 1 => "Destination".to_string(),
                _ => format!("Transit {ci}"),
            };
            let header = c.fit_text(&header, head, colw)?;
            c.text(&header, x0 + boxw / 2.0, plot.y0, head)?;
            if col.is_empty() {
                continue;
            }
            let slot = diag.h() / col.len() as f64;
            let bh = (slot * 0.7).min(c.px(40.0));
            for (k, (name, _)) in col.iter().enumerate() {
                let yc = diag.y0 + slot * (k as f64 + 0.5);
                boxes.insert(
                    (ci, *name),
                    PxRect { x0, y0: yc - bh / 2.0, x1: x0 + boxw, y1: yc + bh / 2.0 },
                );
            }
        }
        let qmax = self.paths.iter().map(|p| p.expected_quantity).fold(0.0, f64::max);
        let (wmin, wmax) = (c.px(1.0), c.px(9.0));
        let width =
            |q: f64| if qmax > 0.0 { wmin + (wmax - wmin) * (q / qmax).sqrt() } else { wmin };
        // Links: largest paths last so they stay on top.
        let mut legend = Vec::new();
        let nrank = self.paths.len() as f64;
        for (rank, (p, ex)) in self.paths.iter().zip(&expanded).enumerate().rev() {
            let col = OKABE_ITO[rank % 7];
            // Spread path endpoints over the box height by path rank.
            let f = 0.2 + 0.6 * (rank as f64 + 0.5) / nrank;
            let mut line: Vec<(f64, f64)> = Vec::new();
            for w in ex.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                let (Some(ra), Some(rb)) =
                    (boxes.get(&(a.0, a.1.as_str())), boxes.get(&(b.0, b.1.as_str())))
                else {
                    continue;
                };
                let ya = if a.2 { (ra.y0 + ra.y1) / 2.0 } else { ra.y0 + ra.h() * f };
                let yb = if b.2 { (rb.y0 + rb.y1) / 2.0 } else { rb.y0 + rb.h() * f };
                line.extend(cubic((ra.x1, ya), (rb.x0, yb), 40));
                if b.2 {
                    line.push((rb.x1, yb));
                }
            }
            c.polyline(&line, col, 0.75, width(p.expected_quantity))?;
            if let Some(&mid) = line.get(line.len() / 2) {
                let tip = if p.tip.is_empty() { p.nodes.join(" → ") } else { p.tip.clone() };
                c.mark_circle(mid, 2.0 * width(p.expected_quantity), tip);
            }
            legend.push((rank, col, *p));
        }
        let dummies: Vec<bool> = boxes.keys().map(|k| totals.get(k).is_some_and(|t| t.1)).collect();
        let boxes: Vec<(&(usize, &str), &PxRect)> =
            boxes.iter().zip(dummies).filter(|(_, d)| !d).map(|(b, _)| b).collect();
        for (&(_, name), r) in boxes {
            c.fill_rect(*r, style::BACKGROUND, 1.0)?;
            c.stroke_rect(*r, style::TEXT_MUTED, c.px(0.6))?;
            let (_, th) = c.text_size("Ag", Label::TICK)?;
            let inside = if th > r.h() * 0.9 { Label::CAPTION } else { Label::TICK };
            let inside = inside.anchor(HAlign::Center, VAlign::Middle);
            let s = c.fit_text(name, inside, r.w() - c.px(4.0))?;
            c.text(&s, (r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0, inside)?;
        }
        legend.reverse();
        let lx = plot.x1 - leg_w;
        let heading = if inp.legend_title.is_empty() {
            format!("Path (expected quantity, {unit})")
        } else {
            inp.legend_title.clone()
        };
        let mut y = legend_heading(c, &heading, lx, plot.y0, leg_w)?;
        let row = c.px(13.0);
        let sample = c.px(20.0);
        let entry = Label::TICK.anchor(HAlign::Left, VAlign::Middle);
        for (rank, col, p) in legend {
            let yy = y + row / 2.0;
            let tip = if p.tip.is_empty() {
                format!("{}\nexpected: {}", p.nodes.join(" → "), fmt_num(p.expected_quantity))
            } else {
                p.tip.clone()
            };
            c.mark_rect(PxRect { x0: lx, y0: y, x1: plot.x1, y1: y + row }, tip.clone());
            c.polyline(&[(lx, yy), (lx + sample, yy)], col, 0.75, width(p.expected_quantity))?;
            let label =
                format!("{}. {} ({})", rank + 1, p.nodes.join(" → "), fmt_num(p.expected_quantity));
            let label = c.fit_text(&label, entry, leg_w - sample - c.px(5.0))?;
            c.text(&label, lx + sample + c.px(5.0), yy, entry)?;
            y += row;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_always_last_column() {
        assert_eq!(column(0, 2, 4), 0);
        assert_eq!(column(1, 2, 4), 3);
        assert_eq!(column(1, 3, 4), 1);
        assert_eq!(column(2, 3, 4), 3);
    }

    #[test]
    fn short_path_rejected() {
        let input = TopPathsInput {
            paths: vec![PathRow {
                nodes: vec!["A".into()],
                expected_quantity: 1.0,
                ..Default::default()
            }],
            ..Default::default()
        };
        let e = render(&input, &Caption::default(), RenderSize::PRINT).unwrap_err();
        assert!(matches!(e, ChartError::LengthMismatch { found: 1, .. }));
    }
}
