//! Hub rank changes between two runs as a slope chart: the top N of the old run on the left,
//! of the new run on the right, one line per hub. Hubs outside a run's top N sit in a band
//! below the ranks.

use plotters::backend::DrawingBackend;
use plotters::style::RGBColor;

use super::style::{self, OKABE_ITO};
use super::{
    Canvas, Caption, ChartError, Figure, HAlign, Label, Painter, RenderSize, VAlign, render_figure,
};

/// One hub: its rank in each run (`None`: not ranked in that run).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct HubRankLine {
    /// Hub name.
    pub name: String,
    /// Rank in the old run (1 = top).
    pub old_rank: Option<u64>,
    /// Rank in the new run.
    pub new_rank: Option<u64>,
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SlopeInput {
    /// Title; empty means "Hub rank changes".
    pub title: String,
    /// Heading of the left column (the old run).
    pub old_label: String,
    /// Heading of the right column (the new run).
    pub new_label: String,
    /// Ranks shown (1..=top_n); lower ranks go to the "outside the top N" band.
    pub top_n: usize,
    /// Hubs in any order; those in neither top N are not drawn.
    pub hubs: Vec<HubRankLine>,
}

const ROSE: RGBColor = OKABE_ITO[2];
const FELL: RGBColor = OKABE_ITO[5];

/// Renders the slope chart ([`Figure::name`] `"hub_ranks"`): rising hubs in bluish green,
/// falling ones in vermillion, unchanged in grey (Okabe-Ito). Each hub is labelled with its
/// rank and name on the side(s) where it is in the top N. O(n log n).
///
/// # Errors
/// [`ChartError::InvalidValue`] if `top_n` is 0; drawing errors.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, slope::*};
/// let input = SlopeInput {
///     top_n: 2,
///     old_label: "run A".into(),
///     new_label: "run B".into(),
///     hubs: vec![
///         HubRankLine { name: "Gao".into(), old_rank: Some(1), new_rank: Some(3) },
///         HubRankLine { name: "Niamey".into(), old_rank: Some(2), new_rank: Some(1) },
///         HubRankLine { name: "Agadez".into(), old_rank: Some(3), new_rank: Some(2) },
///     ],
///     ..Default::default()
/// };
/// let fig = render(&input, &Caption::default(), RenderSize::PRINT).unwrap();
/// assert_eq!(fig.name, "hub_ranks");
/// for name in ["Gao", "Niamey", "Agadez"] {
///     assert!(fig.svg.contains(&format!("\n{name}\n</text>")), "{name}");
/// }
/// ```
pub fn render(
    input: &SlopeInput,
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    if input.top_n == 0 {
        return Err(ChartError::InvalidValue {
            what: "top_n".into(),
            value: 0.0,
            reason: "must be at least 1",
        });
    }
    let title =
        if input.title.is_empty() { "Hub rank changes".to_string() } else { input.title.clone() };
    let top = input.top_n as u64;
    let in_top = |r: Option<u64>| r.filter(|r| (1..=top).contains(r));
    let mut lines: Vec<&HubRankLine> = input
        .hubs
        .iter()
        .filter(|h| in_top(h.old_rank).is_some() || in_top(h.new_rank).is_some())
        .collect();
    lines.sort_by(|a, b| {
        let key = |h: &HubRankLine| {
            (in_top(h.new_rank).unwrap_or(u64::MAX), in_top(h.old_rank).unwrap_or(u64::MAX))
        };
        key(a).cmp(&key(b)).then(a.name.cmp(&b.name))
    });
    let p = SlopePainter { title: &title, caption, input, lines };
    render_figure("hub_ranks", &title, size, &p)
}

struct SlopePainter<'a> {
    title: &'a str,
    caption: &'a Caption,
    input: &'a SlopeInput,
    lines: Vec<&'a HubRankLine>,
}

impl Painter for SlopePainter<'_> {
    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(self.title, self.caption)?;
        if self.lines.is_empty() {
            return c.no_data(plot, "no hubs ranked in either run");
        }
        let top = self.input.top_n as u64;
        // Legend (top right).
        let entries = [
            (ROSE, "rose".to_string()),
            (FELL, "fell".to_string()),
            (style::TEXT_MUTED, "same rank".to_string()),
        ];
        let leg_w = plot.w() * 0.14;
        c.legend_swatches("", &entries, plot.x1 - leg_w, plot.y0, leg_w)?;
        // Columns: ranks on the inner side of each axis, names outside.
        let xl = plot.x0 + plot.w() * 0.36;
        let xr = plot.x0 + plot.w() * 0.64;
        let head = Label::HEADING.anchor(HAlign::Center, VAlign::Top);
        let (_, head_h) = c.text_size("0", head)?;
        let head_y = plot.y0;
        for (x, label) in [(xl, &self.input.old_label), (xr, &self.input.new_label)] {
            let s = c.fit_text(label, head, plot.w() * 0.3)?;
            c.text(&s, x, head_y, head)?;
        }
        let y0 = head_y + head_h + c.px(10.0);
        let slots = self.input.top_n as f64 + 1.5;
        let slot = (plot.y1 - y0) / slots;
        let names = if slot < c.px(11.0) { Label::CAPTION } else { Label::TICK };
        let ypos = |r: Option<u64>| match r.filter(|r| (1..=top).contains(r)) {
            Some(r) => y0 + slot * (r as f64 - 0.5),
            None => y0 + slot * (self.input.top_n as f64 + 1.0),
        };
        let band_y = ypos(None);
        for x in [xl, xr] {
            c.polyline(&[(x, y0), (x, band_y)], style::GRID, 1.0, c.px(0.6))?;
        }
        let band = Label::TICK.muted().anchor(HAlign::Center, VAlign::Top);
        c.text(&format!("outside the top {top}"), (xl + xr) / 2.0, band_y + slot * 0.3, band)?;
        let name_w = plot.w() * 0.22;
        let dot = c.px(2.2);
        // Unchanged hubs first, so that the coloured lines are drawn on top.
        let mut order = self.lines.clone();
        order.sort_by_key(|h| h.old_rank != h.new_rank);
        for h in &order {
            let colour = match (h.old_rank.filter(|r| *r <= top), h.new_rank.filter(|r| *r <= top))
            {
                (Some(a), Some(b)) if a == b => style::TEXT_MUTED,
                (Some(a), Some(b)) if b < a => ROSE,
                (None, Some(_)) => ROSE,
                _ => FELL,
            };
            let (ya, yb) = (ypos(h.old_rank), ypos(h.new_rank));
            c.polyline(&[(xl, ya), (xr, yb)], colour, 0.9, c.px(1.4))?;
            c.circle((xl, ya), dot, colour, 1.0, true, 1.0)?;
            c.circle((xr, yb), dot, colour, 1.0, true, 1.0)?;
            for (rank, x, side) in [(h.old_rank, xl, HAlign::Right), (h.new_rank, xr, HAlign::Left)]
            {
                let Some(r) = rank.filter(|r| (1..=top).contains(r)) else { continue };
                let y = ypos(rank);
                let (rank_x, name_x) = match side {
                    HAlign::Right => (x - c.px(6.0), x - c.px(24.0)),
                    _ => (x + c.px(6.0), x + c.px(24.0)),
                };
                let beside = names.anchor(side, VAlign::Middle);
                c.text(&r.to_string(), rank_x, y, beside.muted())?;
                let name = c.fit_text(&h.name, beside, name_w)?;
                c.text(&name, name_x, y, beside)?;
            }
        }
        Ok(())
    }
}
