//! Risk heat table: one row per screened state, one column per indicator; a cell's shade
//! is the state's standing among the screened states on that indicator (rank 1 darkest),
//! a raised flag is outlined, and a value the run has no source for is grey.

use plotters::backend::DrawingBackend;
use plotters::style::RGBColor;

use super::flow_map::legend_heading;
use super::style;
use super::{
    Canvas, Caption, ChartError, Figure, HAlign, Label, Painter, PxRect, RenderSize, VAlign,
    check_finite, check_grid, render_figure,
};

/// One cell of the table.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct HeatCell {
    /// The value as printed (empty: no value).
    pub text: String,
    /// The state's standing in [0, 1] (1: the highest value), `None`: no value.
    pub standing: Option<f64>,
    /// The indicator's flag is raised.
    pub flagged: bool,
    /// Hover text.
    pub tip: String,
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RiskHeatInput {
    /// Title; empty means "Diversion-risk indicators by state".
    pub title: String,
    /// Row labels (states), top to bottom.
    pub rows: Vec<String>,
    /// Column labels (indicators), left to right.
    pub columns: Vec<String>,
    /// `cells[i][j]`: row `i`, column `j`.
    pub cells: Vec<Vec<HeatCell>>,
}

/// Renders the heat table ([`Figure::name`] `"risk_heat"`). O(rows × columns).
///
/// # Errors
/// [`ChartError::LengthMismatch`] when `cells` is not rows × columns;
/// [`ChartError::InvalidValue`] for a standing that is not finite.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, risk_heat::*};
/// let cell = |t: &str, s, f| HeatCell { text: t.into(), standing: s, flagged: f, tip: t.into() };
/// let input = RiskHeatInput {
///     rows: vec!["Mali (MLI)".into()],
///     columns: vec!["conflict events".into(), "looted".into()],
///     cells: vec![vec![cell("12", Some(1.0), true), cell("", None, false)]],
///     ..Default::default()
/// };
/// let fig = render(&input, &Caption::default(), RenderSize::PRINT).unwrap();
/// assert!(fig.svg.contains("\n12\n</text>") && fig.svg.contains("Flag raised"));
/// // One hover mark per cell with a tip (the empty cell has none).
/// assert_eq!(fig.marks.len(), 1);
/// ```
pub fn render(
    input: &RiskHeatInput,
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    check_grid("cells", &input.cells, input.rows.len(), input.columns.len())?;
    for (i, row) in input.cells.iter().enumerate() {
        for (j, c) in row.iter().enumerate() {
            if let Some(s) = c.standing {
                check_finite(&format!("cells[{i}][{j}].standing"), s)?;
            }
        }
    }
    let title = if input.title.is_empty() {
        "Diversion-risk indicators by state".to_string()
    } else {
        input.title.clone()
    };
    render_figure("risk_heat", &title, size, &HeatPainter { title: &title, caption, input })
}

struct HeatPainter<'a> {
    title: &'a str,
    caption: &'a Caption,
    input: &'a RiskHeatInput,
}

/// The outline of a raised flag.
const FLAG: RGBColor = RGBColor(213, 94, 0);

/// The shade of a standing: from near-white (0, or a value of 0) to deep purple (rank 1).
fn shade(standing: f64) -> RGBColor {
    let t = standing.clamp(0.0, 1.0);
    let (lo, hi) = ([247.0, 247.0, 247.0], [63.0, 0.0, 125.0]);
    let c = |k: usize| (lo[k] + (hi[k] - lo[k]) * t).round() as u8;
    RGBColor(c(0), c(1), c(2))
}

fn luminance(c: RGBColor) -> f64 {
    0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2)
}

impl Painter for HeatPainter<'_> {
    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(self.title, self.caption)?;
        let inp = self.input;
        if inp.rows.is_empty() || inp.columns.is_empty() {
            return c.no_data(plot, "no screened states in this run");
        }
        let (nr, nc) = (inp.rows.len() as f64, inp.columns.len() as f64);
        let leg_w = c.px(110.0);
        let lab_w = plot.w() * 0.17;
        let head_h = plot.h() * 0.3;
        let grid = PxRect {
            x0: plot.x0 + lab_w,
            y0: plot.y0 + head_h,
            x1: plot.x1 - leg_w - c.px(10.0),
            y1: plot.y1,
        };
        let (cw, ch) = (grid.w() / nc, grid.h() / nr);
        let value = Label::CAPTION.anchor(HAlign::Center, VAlign::Middle);
        for (i, row) in inp.cells.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let r = PxRect {
                    x0: grid.x0 + j as f64 * cw,
                    y0: grid.y0 + i as f64 * ch,
                    x1: grid.x0 + (j + 1) as f64 * cw,
                    y1: grid.y0 + (i + 1) as f64 * ch,
                };
                let col = cell.standing.map_or(style::NO_VALUE, shade);
                c.fill_rect(r, col, 1.0)?;
                c.stroke_rect(r, style::BACKGROUND, 1.0)?;
                if cell.flagged {
                    let inner = PxRect {
                        x0: r.x0 + c.px(1.0),
                        y0: r.y0 + c.px(1.0),
                        x1: r.x1 - c.px(1.0),
                        y1: r.y1 - c.px(1.0),
                    };
                    c.stroke_rect(inner, FLAG, c.px(1.6))?;
                }
                c.mark_rect(r, cell.tip.clone());
                if !cell.text.is_empty() {
                    let (tw, th) = c.text_size(&cell.text, value)?;
                    if tw < cw * 0.9 && th < ch * 0.8 {
                        let tc =
                            if luminance(col) > 140.0 { style::TEXT } else { style::BACKGROUND };
                        let (x, y) = ((r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0);
                        c.text(&cell.text, x, y, value.color(tc))?;
                    }
                }
            }
        }
        let names = if ch.min(cw) < c.px(10.0) { Label::CAPTION } else { Label::TICK };
        let rows = names.anchor(HAlign::Right, VAlign::Middle);
        for (i, name) in inp.rows.iter().enumerate() {
            let s = c.fit_text(name, rows, lab_w - c.px(6.0))?;
            c.text(&s, grid.x0 - c.px(4.0), grid.y0 + (i as f64 + 0.5) * ch, rows)?;
        }
        let cols = names.anchor(HAlign::Left, VAlign::Middle);
        for (j, name) in inp.columns.iter().enumerate() {
            let s = c.fit_text(name, cols, head_h - c.px(6.0))?;
            let x = grid.x0 + (j as f64 + 0.5) * cw;
            // Rotated: starts just above the grid.
            c.text_vertical(&s, x, grid.y0 - c.px(4.0), cols)?;
        }
        let lx = plot.x1 - leg_w;
        let y = legend_heading(c, "Standing among the states", lx, grid.y0, leg_w)?;
        let entries = [
            (shade(1.0), "Highest value (rank 1)".to_string()),
            (shade(0.5), "Middle".to_string()),
            (shade(0.0), "Lowest value, or 0".to_string()),
            (style::NO_VALUE, "No source in this run".to_string()),
        ];
        let bottom = c.legend_swatches("", &entries, lx, y + c.px(2.0), leg_w)?;
        let sw = c.px(9.0);
        let sq =
            PxRect { x0: lx, y0: bottom + c.px(4.0), x1: lx + sw, y1: bottom + c.px(4.0) + sw };
        c.stroke_rect(sq, FLAG, c.px(1.6))?;
        let entry = Label::TICK.anchor(HAlign::Left, VAlign::Middle);
        c.text("Flag raised", lx + sw + c.px(5.0), sq.y0 + sw / 2.0, entry)?;
        Ok(())
    }
}
