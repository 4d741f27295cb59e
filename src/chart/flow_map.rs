//! Flow map: directed lines (diversion flows, or transfers from supplier to recipient) as
//! curved arrows over a country basemap, with the leading hubs.
//!
//! Flows are quadratic Bézier arcs (bending to the left of the travel direction, so A->B and
//! B->A stay apart) with an arrowhead near their end, width proportional to the square root
//! of quantity and opacity `0.15 + 0.85 * probability` (or one opacity, for lines that carry
//! no probability: [`FlowMapInput::fixed_opacity`]); [`FlowMapInput::classes`] colours
//! them by what they are, and the legend names each class. Hubs are circles whose area is
//! proportional to their measure.
//! The top N hubs are labelled with greedy label placement (Imhof-style candidate positions tried
//! in a fixed order; a label is placed at the first candidate that stays inside the map and
//! overlaps neither earlier labels nor hub circles, otherwise it is dropped). The view fits the
//! data extent with padding, or a given [`Extent`].

use plotters::backend::DrawingBackend;

use super::basemap::{Shape, draw_basemap};
use super::projection::{Extent, MapView, clip_polyline};
use super::style::{self, OKABE_ITO};
use super::{
    Canvas, Caption, ChartError, Figure, HAlign, Label, Painter, PxRect, RenderSize, VAlign,
    check_finite, check_nonneg, fmt_num, render_figure, truncate_chars,
};

/// A flow between two points.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Flow {
    /// Origin `(lon, lat)` in degrees.
    pub from: (f64, f64),
    /// Destination `(lon, lat)` in degrees.
    pub to: (f64, f64),
    /// Expected quantity (>= 0), drives line width.
    pub quantity: f64,
    /// Probability in [0, 1], drives line opacity.
    pub probability: f64,
    /// What the HTML report shows on hover at the middle of the flow (empty: nothing).
    #[serde(default)]
    pub tip: String,
    /// Index into [`FlowMapInput::classes`] (ignored without classes).
    #[serde(default)]
    pub class: usize,
}

/// A kind of line, named in the legend with its colour.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct FlowClass {
    /// What the lines of this class are ("Deliveries between states").
    pub label: String,
    /// Their colour (RGB).
    pub colour: [u8; 3],
}

/// A transit hub.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Hub {
    /// Display name.
    pub name: String,
    /// Longitude in degrees.
    pub lon: f64,
    /// Latitude in degrees.
    pub lat: f64,
    /// Flow betweenness (>= 0), drives circle area.
    pub betweenness: f64,
    /// What the HTML report shows on hover (empty: the name and the value).
    #[serde(default)]
    pub tip: String,
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct FlowMapInput {
    /// Title; empty means "Diversion flows and transit hubs".
    pub title: String,
    /// Flows to draw.
    pub flows: Vec<Flow>,
    /// Hubs to draw.
    pub hubs: Vec<Hub>,
    /// How many of the highest-betweenness hubs get a name label.
    pub label_top_n: usize,
    /// Fixed view; `None` fits flows and hubs with padding.
    pub extent: Option<Extent>,
    /// Quantity unit shown in the legend, e.g. "weapons".
    pub quantity_unit: String,
    /// Legend heading of the line widths; empty means "Flow quantity".
    pub quantity_label: String,
    /// Legend heading of the line shades; empty means "Flow probability".
    pub probability_label: String,
    /// Legend heading of the hub circles; empty means "Hub flow betweenness".
    pub hub_label: String,
    /// One opacity for every line: the lines carry no probability (legal transfers are
    /// facts, not estimates), and the legend shows no probability scale.
    #[serde(default)]
    pub fixed_opacity: bool,
    /// The kinds of line, by [`Flow::class`]; empty: one class in the default colour.
    #[serde(default)]
    pub classes: Vec<FlowClass>,
    /// A note under the legend saying what the lines are (empty: none).
    #[serde(default)]
    pub note: String,
}

/// `text`, or `default` when it is empty.
fn or<'a>(text: &'a str, default: &'a str) -> &'a str {
    if text.is_empty() { default } else { text }
}

impl FlowMapInput {
    fn validate(&self) -> Result<(), ChartError> {
        let ll = |what: &str, (lon, lat): (f64, f64)| -> Result<(), ChartError> {
            check_finite(&format!("{what} longitude"), lon)?;
            check_finite(&format!("{what} latitude"), lat)?;
            if lon.abs() > 180.0 || lat.abs() > 90.0 {
                let (v, w) = if lon.abs() > 180.0 { (lon, "longitude") } else { (lat, "latitude") };
                return Err(ChartError::InvalidValue {
                    what: format!("{what} {w}"),
                    value: v,
                    reason: "outside the valid lon/lat range",
                });
            }
            Ok(())
        };
        for (i, f) in self.flows.iter().enumerate() {
            ll(&format!("flows[{i}].from"), f.from)?;
            ll(&format!("flows[{i}].to"), f.to)?;
            check_nonneg(&format!("flows[{i}].quantity"), f.quantity)?;
            check_nonneg(&format!("flows[{i}].probability"), f.probability)?;
            if f.probability > 1.0 {
                return Err(ChartError::InvalidValue {
                    what: format!("flows[{i}].probability"),
                    value: f.probability,
                    reason: "must be <= 1",
                });
            }
        }
        if let Some(i) = self
            .flows
            .iter()
            .position(|f| !self.classes.is_empty() && f.class >= self.classes.len())
        {
            return Err(ChartError::InvalidValue {
                what: format!("flows[{i}].class"),
                value: self.flows[i].class as f64,
                reason: "names no class of the input",
            });
        }
        for (i, h) in self.hubs.iter().enumerate() {
            ll(&format!("hubs[{i}]"), (h.lon, h.lat))?;
            check_nonneg(&format!("hubs[{i}].betweenness"), h.betweenness)?;
        }
        if let Some(e) = &self.extent {
            e.validate()?;
        }
        Ok(())
    }
}

/// Renders the flow map ([`Figure::name`] `"flow_map"`).
///
/// Cost: O(basemap vertices + flows + hubs * N) for N labelled hubs.
///
/// # Errors
/// [`ChartError::InvalidValue`] for non-finite or out-of-range coordinates, negative quantities
/// or betweenness, probabilities outside [0, 1], an invalid extent; drawing errors.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, flow_map::*};
/// let input = FlowMapInput {
///     flows: vec![Flow { from: (-8.0, 12.6), to: (2.1, 13.5), quantity: 40.0, probability: 0.8, ..Default::default() }],
///     hubs: vec![Hub { name: "Bamako".into(), lon: -8.0, lat: 12.6, betweenness: 0.5, ..Default::default() }],
///     label_top_n: 1,
///     ..Default::default()
/// };
/// let fig = render(&input, &[], &Caption::default(), RenderSize::PRINT).unwrap();
/// assert_eq!(fig.name, "flow_map");
/// assert!(fig.svg.contains("\nBamako\n</text>"));
/// ```
pub fn render(
    input: &FlowMapInput,
    basemap: &[Shape],
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    input.validate()?;
    let title = if input.title.is_empty() {
        "Diversion flows and transit hubs".to_string()
    } else {
        input.title.clone()
    };
    let p = FlowPainter { input, basemap, caption, title: &title };
    render_figure("flow_map", &title, size, &p)
}

struct FlowPainter<'a> {
    input: &'a FlowMapInput,
    basemap: &'a [Shape],
    caption: &'a Caption,
    title: &'a str,
}

/// Splits the plot area into a map panel (left) and a legend column (right).
pub(crate) fn map_and_legend(plot: PxRect, legend_w: f64) -> (PxRect, PxRect) {
    let gap = legend_w * 0.08;
    let map = PxRect { x1: plot.x1 - legend_w - gap, ..plot };
    let legend = PxRect { x0: plot.x1 - legend_w, ..plot };
    (map, legend)
}

fn bezier(a: (f64, f64), b: (f64, f64), n: usize) -> Vec<(f64, f64)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    // Control point: midpoint pushed to the left of the direction of travel.
    let ctrl = ((a.0 + b.0) / 2.0 + 0.2 * dy, (a.1 + b.1) / 2.0 - 0.2 * dx);
    (0..=n)
        .map(|i| {
            let t = i as f64 / n as f64;
            let u = 1.0 - t;
            (
                u * u * a.0 + 2.0 * u * t * ctrl.0 + t * t * b.0,
                u * u * a.1 + 2.0 * u * t * ctrl.1 + t * t * b.1,
            )
        })
        .collect()
}

impl Painter for FlowPainter<'_> {
    fn map(&self) -> bool {
        true
    }

    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(self.title, self.caption)?;
        let inp = self.input;
        if inp.flows.is_empty() && inp.hubs.is_empty() {
            return c.no_data(plot, "no flows or hubs in this run");
        }
        let (map_r, leg_r) = map_and_legend(plot, c.px(130.0));
        let pts = inp
            .flows
            .iter()
            .flat_map(|f| [f.from, f.to])
            .chain(inp.hubs.iter().map(|h| (h.lon, h.lat)));
        let extent = match inp.extent {
            Some(e) => e,
            None => Extent::around(pts, 0.08, 3.0).unwrap_or(Extent::WORLD),
        };
        let view = MapView::fit(&extent, map_r)?;
        draw_basemap(c, &view, self.basemap)?;

        let qmax = inp.flows.iter().map(|f| f.quantity).fold(0.0, f64::max);
        let (wmin, wmax) = (c.px(1.2), c.px(6.0));
        let width =
            |q: f64| if qmax > 0.0 { wmin + (wmax - wmin) * (q / qmax).sqrt() } else { wmin };
        let alpha = |p: f64| if inp.fixed_opacity { 0.75 } else { 0.15 + 0.85 * p };
        let flow_col = OKABE_ITO[4];
        let colour = |f: &Flow| {
            inp.classes.get(f.class).map_or(flow_col, |k| {
                plotters::style::RGBColor(k.colour[0], k.colour[1], k.colour[2])
            })
        };
        // Thick flows first so thin ones stay visible on top; ties keep input order.
        let mut order: Vec<usize> = (0..inp.flows.len()).collect();
        order.sort_by(|&a, &b| inp.flows[b].quantity.total_cmp(&inp.flows[a].quantity));
        for &i in &order {
            let f = &inp.flows[i];
            let a = view.project(f.from.0, f.from.1);
            let b = view.project(f.to.0, f.to.1);
            if (a.0 - b.0).abs() < 0.5 && (a.1 - b.1).abs() < 0.5 {
                continue;
            }
            let curve = bezier(a, b, 32);
            let (col, w) = (colour(f), width(f.quantity));
            for run in clip_polyline(&curve, &view.rect) {
                c.polyline(&run, col, alpha(f.probability), w)?;
            }
            // The arrowhead sits at 85% of the way, clear of the hub circle at the end.
            let head = arrowhead(curve[26], curve[28], (w * 2.2).max(c.px(5.0)));
            let bounds = PxRect { x0: head[0].0, y0: head[0].1, x1: head[0].0, y1: head[0].1 };
            if view.rect.contains(&bounds) {
                c.polygon(&head, col, alpha(f.probability).max(0.6))?;
            }
            let mid = curve[curve.len() / 2];
            let inside = PxRect { x0: mid.0, y0: mid.1, x1: mid.0, y1: mid.1 };
            if view.rect.contains(&inside) {
                c.mark_circle(mid, width(f.quantity) * 2.0, f.tip.clone());
            }
        }

        let bmax = inp.hubs.iter().map(|h| h.betweenness).fold(0.0, f64::max);
        let (rmin, rmax) = (c.px(2.5), c.px(9.0));
        let radius =
            |b: f64| if bmax > 0.0 { rmin + (rmax - rmin) * (b / bmax).sqrt() } else { rmin };
        let hub_col = OKABE_ITO[5];
        // Rank: betweenness descending, then name, then index (total, deterministic).
        let mut rank: Vec<usize> = (0..inp.hubs.len()).collect();
        rank.sort_by(|&a, &b| {
            let (x, y) = (&inp.hubs[a], &inp.hubs[b]);
            y.betweenness.total_cmp(&x.betweenness).then(x.name.cmp(&y.name)).then(a.cmp(&b))
        });
        let mut discs: Vec<PxRect> = Vec::new();
        let mut hub_marks = Vec::new();
        for &i in &rank {
            let h = &inp.hubs[i];
            let p = view.project(h.lon, h.lat);
            let r = radius(h.betweenness);
            let bb = PxRect { x0: p.0 - r, y0: p.1 - r, x1: p.0 + r, y1: p.1 + r };
            if !view.rect.contains(&bb) {
                discs.push(PxRect { x0: 0.0, y0: 0.0, x1: 0.0, y1: 0.0 });
                continue;
            }
            c.circle(p, r, hub_col, 0.85, true, 1.0)?;
            c.circle(p, r, style::TEXT, 1.0, false, c.px(0.5))?;
            let tip = if h.tip.is_empty() {
                format!(
                    "{}\n{}: {}",
                    h.name,
                    or(&inp.hub_label, "Hub flow betweenness"),
                    fmt_num(h.betweenness)
                )
            } else {
                h.tip.clone()
            };
            hub_marks.push((p, 2.0 * r, tip));
            discs.push(bb);
        }
        // Hover marks, the top hub last (on top of the others).
        for (p, d, tip) in hub_marks.into_iter().rev() {
            c.mark_circle(p, d, tip);
        }
        // Greedy labels for the top N hubs.
        let mut placed: Vec<PxRect> = Vec::new();
        let pad = c.px(1.5);
        let hub_name = Label::TICK.bold();
        for (k, &i) in rank.iter().take(inp.label_top_n).enumerate() {
            let h = &inp.hubs[i];
            let d = discs[k];
            if d.w() <= 0.0 {
                continue;
            }
            let name = truncate_chars(&h.name, 28);
            let (tw, th) = c.text_size(&name, hub_name)?;
            let (cx, cy) = ((d.x0 + d.x1) / 2.0, (d.y0 + d.y1) / 2.0);
            let r = d.w() / 2.0 + c.px(2.0);
            let cands = [
                (cx + r, cy - th / 2.0),
                (cx - r - tw, cy - th / 2.0),
                (cx - tw / 2.0, cy - r - th),
                (cx - tw / 2.0, cy + r),
                (cx + r * 0.7, cy - r * 0.7 - th),
                (cx + r * 0.7, cy + r * 0.7),
                (cx - r * 0.7 - tw, cy - r * 0.7 - th),
                (cx - r * 0.7 - tw, cy + r * 0.7),
            ];
            for (x, y) in cands {
                let bb = PxRect { x0: x - pad, y0: y - pad, x1: x + tw + pad, y1: y + th + pad };
                let clash = placed.iter().any(|p| p.overlaps(&bb))
                    || discs.iter().any(|p| p.w() > 0.0 && p.overlaps(&bb));
                if view.rect.contains(&bb) && !clash {
                    c.fill_rect(bb, style::BACKGROUND, 0.8)?;
                    c.text(&name, x, y, hub_name)?;
                    placed.push(bb);
                    break;
                }
            }
        }
        c.stroke_rect(view.rect, style::TEXT_MUTED, c.px(0.5))?;

        // Legend column.
        let lx = leg_r.x0;
        let lw = leg_r.w();
        let mut y = leg_r.y0;
        let unit = if inp.quantity_unit.is_empty() { "units" } else { &inp.quantity_unit };
        let row = c.px(14.0);
        let sample = c.px(28.0);
        let entry = Label::TICK.anchor(HAlign::Left, VAlign::Middle);
        if !inp.flows.is_empty() {
            let qmin = inp.flows.iter().map(|f| f.quantity).fold(f64::INFINITY, f64::min);
            let mut qs = vec![qmax, (qmax * qmin).sqrt(), qmin];
            qs.dedup_by(|a, b| fmt_num(*a) == fmt_num(*b));
            let label = or(&inp.quantity_label, "Flow quantity");
            y = legend_heading(c, &format!("{label} ({unit})"), lx, y, lw)?;
            for q in qs {
                let yy = y + row / 2.0;
                let col = if inp.classes.is_empty() { flow_col } else { TEXT_GREY };
                c.polyline(&[(lx, yy), (lx + sample, yy)], col, 1.0, width(q))?;
                c.text(&fmt_num(q), lx + sample + c.px(5.0), yy, entry)?;
                y += row;
            }
            y += c.px(6.0);
            for k in &inp.classes {
                let yy = y + row / 2.0;
                let col = plotters::style::RGBColor(k.colour[0], k.colour[1], k.colour[2]);
                c.polyline(&[(lx, yy), (lx + sample, yy)], col, 0.75, c.px(3.0))?;
                let at = lx + sample + c.px(5.0);
                let name = c.fit_text(&k.label, Label::TICK, lw - (at - lx))?;
                c.text(&name, at, yy, entry)?;
                y += row;
            }
            if !inp.classes.is_empty() {
                y += c.px(6.0);
            }
            if !inp.fixed_opacity {
                y = legend_heading(c, or(&inp.probability_label, "Flow probability"), lx, y, lw)?;
                for p in [1.0, 0.5, 0.1] {
                    let yy = y + row / 2.0;
                    c.polyline(&[(lx, yy), (lx + sample, yy)], flow_col, alpha(p), c.px(4.0))?;
                    c.text(&format!("{p:.1}"), lx + sample + c.px(5.0), yy, entry)?;
                    y += row;
                }
                y += c.px(6.0);
            }
            if !inp.note.is_empty() {
                for line in inp.note.lines() {
                    let t = c.fit_text(line, Label::TICK, lw)?;
                    c.text(&t, lx, y, Label::TICK.muted())?;
                    y += row;
                }
                y += c.px(6.0);
            }
        }
        if !inp.hubs.is_empty() {
            let bmin = inp.hubs.iter().map(|h| h.betweenness).fold(f64::INFINITY, f64::min);
            let mut bs = vec![bmax, (bmax + bmin) / 2.0, bmin];
            bs.dedup_by(|a, b| fmt_num(*a) == fmt_num(*b));
            y = legend_heading(c, or(&inp.hub_label, "Hub flow betweenness"), lx, y, lw)?;
            for b in bs {
                let r = radius(b);
                let h = (2.0 * r + c.px(3.0)).max(row);
                let cc = (lx + rmax, y + h / 2.0);
                c.circle(cc, r, hub_col, 0.85, true, 1.0)?;
                c.circle(cc, r, style::TEXT, 1.0, false, c.px(0.5))?;
                c.text(&fmt_num(b), lx + 2.0 * rmax + c.px(5.0), cc.1, entry)?;
                y += h;
            }
            y += c.px(6.0);
            let n = inp.label_top_n.min(inp.hubs.len());
            let note = c.fit_text(&format!("Labels: the top {n}"), Label::TICK, lw)?;
            c.text(&note, lx, y, Label::TICK.muted())?;
        }
        Ok(())
    }
}

/// The line widths' legend colour when lines have classes of their own colours.
const TEXT_GREY: plotters::style::RGBColor = plotters::style::RGBColor(97, 97, 97);

/// A filled arrowhead pointing from `from` to `to` (px), its tip `len` beyond `to`'s
/// direction from `from`, starting at `to`: three points, the tip first.
fn arrowhead(from: (f64, f64), to: (f64, f64), len: f64) -> [(f64, f64); 3] {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let d = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / d, dy / d);
    let tip = (to.0 + ux * len * 0.5, to.1 + uy * len * 0.5);
    let base = (tip.0 - ux * len, tip.1 - uy * len);
    let half = len * 0.45;
    [tip, (base.0 - uy * half, base.1 + ux * half), (base.0 + uy * half, base.1 - ux * half)]
}

/// Draws a bold legend heading within width `w` (two lines if needed, then ellipsized);
/// returns the y below it.
pub(crate) fn legend_heading<DB: DrawingBackend>(
    c: &Canvas<'_, DB>,
    s: &str,
    x: f64,
    y: f64,
    w: f64,
) -> Result<f64, ChartError> {
    // Too wide: break before a parenthesised unit (or at the last space) onto a second line.
    let lines: Vec<&str> = if c.text_size(s, Label::HEADING)?.0 > w {
        match s.find(" (").or_else(|| s.rfind(' ')) {
            Some(k) => vec![&s[..k], s[k..].trim_start()],
            None => vec![s],
        }
    } else {
        vec![s]
    };
    let mut y = y;
    for line in lines {
        let t = c.fit_text(line, Label::HEADING, w)?;
        let r = c.text(&t, x, y, Label::HEADING)?;
        y = r.y1 + c.px(1.5);
    }
    Ok(y + c.px(2.5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_probability() {
        let input = FlowMapInput {
            flows: vec![Flow {
                from: (0.0, 0.0),
                to: (1.0, 1.0),
                quantity: 1.0,
                probability: 1.5,
                ..Default::default()
            }],
            ..Default::default()
        };
        let e = render(&input, &[], &Caption::default(), RenderSize::PRINT).unwrap_err();
        assert!(matches!(e, ChartError::InvalidValue { value, .. } if value == 1.5));
    }

    #[test]
    fn arrowheads_point_along_the_line() {
        let [tip, l, r] = arrowhead((0.0, 0.0), (10.0, 0.0), 4.0);
        assert_eq!(tip, (12.0, 0.0));
        assert_eq!((l.0, r.0), (8.0, 8.0));
        assert!((l.1 - 1.8).abs() < 1e-12 && (r.1 + 1.8).abs() < 1e-12);
    }

    #[test]
    fn bezier_bends_left_and_hits_endpoints() {
        let pts = bezier((0.0, 0.0), (100.0, 0.0), 10);
        assert_eq!(pts[0], (0.0, 0.0));
        assert_eq!(pts[10], (100.0, 0.0));
        // y grows downward, so "left of travel" for +x travel is negative y.
        assert!(pts[5].1 < 0.0);
    }
}
