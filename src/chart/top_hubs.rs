//! Top hubs: horizontal bar chart of the N hubs with the highest value of a centrality measure.

use plotters::backend::DrawingBackend;

use super::style::{self, OKABE_ITO};
use super::{
    Canvas, Caption, ChartError, Figure, HAlign, Label, Painter, PxRect, RenderSize, VAlign,
    check_nonneg, fmt_num, render_figure,
};

/// One bar.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct HubBar {
    /// Hub name (long names are shortened with an ellipsis).
    pub name: String,
    /// Measure value (>= 0).
    pub value: f64,
    /// What the HTML report shows on hover (empty: the name and the value).
    #[serde(default)]
    pub tip: String,
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TopHubsInput {
    /// Title; empty means "Top transit hubs".
    pub title: String,
    /// Measure name with unit, used as axis title and legend entry, e.g.
    /// "Flow betweenness (share of shortest paths)".
    pub measure: String,
    /// Hubs in any order.
    pub hubs: Vec<HubBar>,
    /// Number of bars (highest values first); 0 shows all.
    pub top_n: usize,
}

/// Renders the bar chart ([`Figure::name`] `"top_hubs"`). Bars are sorted by value descending,
/// ties by name. O(n log n).
///
/// # Errors
/// [`ChartError::InvalidValue`] for negative or non-finite values; drawing errors.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, top_hubs::*};
/// let input = TopHubsInput {
///     measure: "Betweenness".into(),
///     hubs: vec![HubBar { name: "Gao".into(), value: 0.4, ..Default::default() },
///                HubBar { name: "Niamey".into(), value: 0.7, ..Default::default() }],
///     top_n: 1,
///     ..Default::default()
/// };
/// let fig = render(&input, &Caption::default(), RenderSize::PRINT).unwrap();
/// assert!(fig.svg.contains("\nNiamey\n</text>") && !fig.svg.contains("\nGao\n</text>"));
/// ```
pub fn render(
    input: &TopHubsInput,
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    for (i, h) in input.hubs.iter().enumerate() {
        check_nonneg(&format!("hubs[{i}].value"), h.value)?;
    }
    let title =
        if input.title.is_empty() { "Top transit hubs".to_string() } else { input.title.clone() };
    let mut bars: Vec<&HubBar> = input.hubs.iter().collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.name.cmp(&b.name)));
    if input.top_n > 0 {
        bars.truncate(input.top_n);
    }
    let p = BarPainter { title: &title, caption, measure: &input.measure, bars };
    render_figure("top_hubs", &title, size, &p)
}

struct BarPainter<'a> {
    title: &'a str,
    caption: &'a Caption,
    measure: &'a str,
    bars: Vec<&'a HubBar>,
}

impl Painter for BarPainter<'_> {
    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(self.title, self.caption)?;
        if self.bars.is_empty() {
            return c.no_data(plot, "no hubs in this run");
        }
        let measure = if self.measure.is_empty() { "Value" } else { self.measure };
        let col = OKABE_ITO[4];
        // Legend (top right).
        let (lw, _) = c.text_size(measure, Label::TICK)?;
        let leg_w = (lw + c.px(16.0)).min(plot.w() * 0.5);
        c.legend_swatches("", &[(col, measure.to_string())], plot.x1 - leg_w, plot.y0, leg_w)?;
        let (_, th) = c.text_size("0", Label::TICK)?;
        let (_, ah) = c.text_size("0", Label::LABEL)?;
        let label_w = plot.w() * 0.24;
        let area = PxRect {
            x0: plot.x0 + label_w + c.px(6.0),
            y0: plot.y0 + c.px(16.0),
            x1: plot.x1 - c.px(30.0),
            y1: plot.y1 - th - ah - c.px(14.0),
        };
        let vmax = self.bars.iter().map(|b| b.value).fold(0.0, f64::max);
        let top = c.value_axis(area, vmax, 5, measure)?;
        let xpos = |v: f64| area.x0 + area.w() * v / top;
        let n = self.bars.len() as f64;
        let slot = area.h() / n;
        let bar_h = slot * 0.7;
        let small = if slot < c.px(11.0) { Label::CAPTION } else { Label::TICK };
        let name_label = small.anchor(HAlign::Right, VAlign::Middle);
        let value_outside = small.anchor(HAlign::Left, VAlign::Middle);
        let value_inside = small.color(style::BACKGROUND).anchor(HAlign::Right, VAlign::Middle);
        for (i, b) in self.bars.iter().enumerate() {
            let yc = area.y0 + slot * (i as f64 + 0.5);
            let r = PxRect {
                x0: area.x0,
                y0: yc - bar_h / 2.0,
                x1: xpos(b.value),
                y1: yc + bar_h / 2.0,
            };
            c.fill_rect(r, col, 1.0)?;
            let tip = if b.tip.is_empty() {
                format!("{}\n{measure}: {}", b.name, fmt_num(b.value))
            } else {
                b.tip.clone()
            };
            c.mark_rect(PxRect { x0: area.x0 - label_w, x1: area.x1, ..r }, tip);
            let name = c.fit_text(&b.name, name_label, label_w)?;
            c.text(&name, area.x0 - c.px(5.0), yc, name_label)?;
            let val = fmt_num(b.value);
            let (vw, _) = c.text_size(&val, small)?;
            // Value right of the bar, or inside it (white) when there is no room.
            if r.x1 + c.px(4.0) + vw <= plot.x1 {
                c.text(&val, r.x1 + c.px(4.0), yc, value_outside)?;
            } else {
                c.text(&val, r.x1 - c.px(4.0), yc, value_inside)?;
            }
        }
        c.polyline(&[(area.x0, area.y0), (area.x0, area.y1)], style::TEXT_MUTED, 1.0, c.px(0.6))?;
        Ok(())
    }
}
