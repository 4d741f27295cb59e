//! Origin-destination matrix: heatmap of diverted quantity between countries, with a colour bar.
//!
//! Colours follow the viridis ramp on a linear or `ln(1 + v)` scale; zero cells are grey and
//! listed in the legend as "no recorded flow". Values are printed in cells that are large enough.

use plotters::backend::DrawingBackend;
use plotters::style::RGBColor;

use super::flow_map::legend_heading;
use super::style::{self, viridis};
use super::{
    Canvas, Caption, ChartError, Figure, HAlign, Label, Painter, PxRect, RenderSize, VAlign,
    check_grid, check_nonneg, fmt_num, nice_ticks, render_figure,
};

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct OdMatrixInput {
    /// Title; empty means "Diverted quantity by origin and destination".
    pub title: String,
    /// Row labels (origin countries).
    pub origins: Vec<String>,
    /// Column labels (destination countries).
    pub destinations: Vec<String>,
    /// `values[i][j]` = quantity from `origins[i]` to `destinations[j]` (>= 0).
    pub values: Vec<Vec<f64>>,
    /// Quantity unit for the colour bar, e.g. "weapons"; empty means "units".
    pub unit: String,
    /// Colour by `ln(1 + v)` instead of `v`.
    pub log_scale: bool,
    /// Axis titles of the rows and the columns and what an empty cell means; empty strings
    /// mean "Origin country", "Destination country" and "No recorded flow".
    #[serde(default)]
    pub labels: [String; 3],
    /// What the colour bar measures; empty means "Quantity".
    #[serde(default)]
    pub measure: String,
}

/// Renders the heatmap ([`Figure::name`] `"od_matrix"`). O(origins * destinations).
///
/// # Errors
/// [`ChartError::LengthMismatch`] when `values` is not origins x destinations;
/// [`ChartError::InvalidValue`] for negative or non-finite values.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, od_matrix::*};
/// let input = OdMatrixInput {
///     origins: vec!["LBY".into()], destinations: vec!["MLI".into(), "NER".into()],
///     values: vec![vec![120.0, 0.0]], ..Default::default()
/// };
/// let fig = render(&input, &Caption::default(), RenderSize::PRINT).unwrap();
/// assert!(fig.svg.contains("\n120\n</text>") && fig.svg.contains("No recorded flow"));
/// ```
pub fn render(
    input: &OdMatrixInput,
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    check_grid("values", &input.values, input.origins.len(), input.destinations.len())?;
    for (i, row) in input.values.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            check_nonneg(&format!("values[{i}][{j}]"), v)?;
        }
    }
    let title = if input.title.is_empty() {
        "Diverted quantity by origin and destination".to_string()
    } else {
        input.title.clone()
    };
    render_figure("od_matrix", &title, size, &OdPainter { title: &title, caption, input })
}

struct OdPainter<'a> {
    title: &'a str,
    caption: &'a Caption,
    input: &'a OdMatrixInput,
}

fn luminance(c: RGBColor) -> f64 {
    0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2)
}

impl<'a> Painter for OdPainter<'a> {
    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(self.title, self.caption)?;
        let inp = self.input;
        let vmax = inp.values.iter().flatten().copied().fold(0.0, f64::max);
        if inp.origins.is_empty() || inp.destinations.is_empty() || vmax <= 0.0 {
            return c.no_data(plot, "no origin-destination quantities in this run");
        }
        let unit = if inp.unit.is_empty() { "units" } else { &inp.unit };
        let scale = |v: f64| if inp.log_scale { v.ln_1p() / vmax.ln_1p() } else { v / vmax };
        let (nr, nc) = (inp.origins.len() as f64, inp.destinations.len() as f64);
        let leg_w = c.px(120.0);
        let (_, lh) = c.text_size("Ag", Label::LABEL)?;
        let lab_w = plot.w() * 0.16;
        let lab_h = plot.h() * 0.16;
        let grid = PxRect {
            x0: plot.x0 + lh + c.px(6.0) + lab_w,
            y0: plot.y0,
            x1: plot.x1 - leg_w - c.px(12.0),
            y1: plot.y1 - lh - c.px(6.0) - lab_h,
        };
        let (cw, ch) = (grid.w() / nc, grid.h() / nr);
        for (i, row) in inp.values.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                let r = PxRect {
                    x0: grid.x0 + j as f64 * cw,
                    y0: grid.y0 + i as f64 * ch,
                    x1: grid.x0 + (j + 1) as f64 * cw,
                    y1: grid.y0 + (i + 1) as f64 * ch,
                };
                let col = if v > 0.0 { viridis(scale(v)) } else { style::NO_VALUE };
                c.fill_rect(r, col, 1.0)?;
                c.stroke_rect(r, style::BACKGROUND, 1.0)?;
                if v > 0.0 {
                    let s = fmt_num(v);
                    let value = Label::CAPTION.anchor(HAlign::Center, VAlign::Middle);
                    let (tw, th) = c.text_size(&s, value)?;
                    if tw < cw * 0.9 && th < ch * 0.8 {
                        let tc =
                            if luminance(col) > 140.0 { style::TEXT } else { style::BACKGROUND };
                        c.text(&s, (r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0, value.color(tc))?;
                    }
                }
            }
        }
        let names = if ch.min(cw) < c.px(10.0) { Label::CAPTION } else { Label::TICK };
        let names = names.anchor(HAlign::Right, VAlign::Middle);
        for (i, o) in inp.origins.iter().enumerate() {
            let s = c.fit_text(o, names, lab_w - c.px(4.0))?;
            let y = grid.y0 + (i as f64 + 0.5) * ch;
            c.text(&s, grid.x0 - c.px(4.0), y, names)?;
        }
        for (j, d) in inp.destinations.iter().enumerate() {
            let s = c.fit_text(d, names, lab_h - c.px(4.0))?;
            let x = grid.x0 + (j as f64 + 0.5) * cw;
            // Rotated: ends at the grid.
            c.text_vertical(&s, x, grid.y1 + c.px(4.0), names)?;
        }
        let ylabel = Label::LABEL.anchor(HAlign::Center, VAlign::Middle);
        let (yx, yy) = (plot.x0 + lh / 2.0, (grid.y0 + grid.y1) / 2.0);
        let or = |s: &'a str, d: &'a str| if s.is_empty() { d } else { s };
        let [rows, cols, zero] = &inp.labels;
        c.text_vertical(or(rows, "Origin country"), yx, yy, ylabel)?;
        let xlabel = Label::LABEL.anchor(HAlign::Center, VAlign::Bottom);
        c.text(or(cols, "Destination country"), (grid.x0 + grid.x1) / 2.0, plot.y1, xlabel)?;
        let measure = or(&inp.measure, "Quantity");

        // Colour bar.
        let lx = plot.x1 - leg_w;
        let head = if inp.log_scale {
            format!("{measure} ({unit}, log scale)")
        } else {
            format!("{measure} ({unit})")
        };
        let y = legend_heading(c, &head, lx, plot.y0, leg_w)?;
        let bar = PxRect {
            x0: lx,
            y0: y + c.px(4.0),
            x1: lx + c.px(14.0),
            y1: y + c.px(4.0) + plot.h() * 0.55,
        };
        let steps = 96;
        for k in 0..steps {
            let t0 = k as f64 / steps as f64;
            let t1 = (k + 1) as f64 / steps as f64;
            let r = PxRect {
                x0: bar.x0,
                x1: bar.x1,
                y0: bar.y1 - t1 * bar.h(),
                y1: bar.y1 - t0 * bar.h() + 1.0,
            };
            c.fill_rect(r, viridis((t0 + t1) / 2.0), 1.0)?;
        }
        c.stroke_rect(bar, style::TEXT_MUTED, 1.0)?;
        let ticks: Vec<f64> = if inp.log_scale {
            let mut t = vec![0.0];
            let mut p = 1.0;
            while p <= vmax {
                t.push(p);
                p *= 10.0;
            }
            t.push(vmax);
            t
        } else {
            let mut t: Vec<f64> =
                nice_ticks(0.0, vmax, 5).into_iter().filter(|&v| v <= vmax).collect();
            t.push(vmax);
            t
        };
        let mut last_y = f64::INFINITY;
        let tick = Label::TICK.anchor(HAlign::Left, VAlign::Middle);
        let (_, th) = c.text_size("0", tick)?;
        let y_max = bar.y1 - scale(vmax) * bar.h();
        for (k, &v) in ticks.iter().enumerate() {
            let yy = bar.y1 - scale(v) * bar.h();
            let is_max = k == ticks.len() - 1;
            // Skip ticks whose labels would overlap the previous one or the maximum's.
            if !is_max && (last_y - yy < th * 1.1 || yy - y_max < th * 1.1) {
                continue;
            }
            c.polyline(&[(bar.x1, yy), (bar.x1 + c.px(3.0), yy)], style::TEXT_MUTED, 1.0, 1.0)?;
            let s = if is_max { format!("{} (max)", fmt_num(v)) } else { fmt_num(v) };
            c.text(&s, bar.x1 + c.px(5.0), yy, tick)?;
            last_y = yy;
        }
        c.legend_swatches(
            "",
            &[(style::NO_VALUE, or(zero, "No recorded flow").to_string())],
            lx,
            bar.y1 + c.px(14.0),
            leg_w,
        )?;
        Ok(())
    }
}
