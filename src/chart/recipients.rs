//! Recipients: legal deliveries to each recipient state beside the diversion evidence that
//! points back to it, as two bar panels sharing one row per state: the value of its legal
//! transfers (SIPRI TIV: what it received, what it passed on to non-state armed groups),
//! and the weapons of the diversion evidence.

use plotters::backend::DrawingBackend;
use plotters::style::RGBColor;

use super::style::{self, OKABE_ITO};
use super::{
    Canvas, Caption, ChartError, Figure, HAlign, Label, Painter, PxRect, RenderSize, VAlign,
    check_nonneg, render_figure,
};

/// One recipient state.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RecipientBar {
    /// Row label.
    pub name: String,
    /// Value delivered to it by legal transfer (SIPRI TIV, millions, or what
    /// [`RecipientsInput::value_label`] names).
    pub delivered: f64,
    /// Seized weapons whose last legal holder it was.
    pub seized: f64,
    /// Weapons looted from its stockpiles.
    pub looted: f64,
    /// Expected weapons whose paths have their diversion point there.
    pub diverted: f64,
    /// Value it transferred on to non-state armed groups (the unit of `delivered`).
    pub to_non_state: f64,
}

impl RecipientBar {
    /// The diversion evidence in weapons.
    fn evidence(&self) -> f64 {
        self.seized + self.looted + self.diverted
    }
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RecipientsInput {
    /// Title; empty means "Legal deliveries and diversion evidence by recipient".
    pub title: String,
    /// Recipients in any order.
    pub recipients: Vec<RecipientBar>,
    /// Number of rows (most diversion evidence first, then most transferred on to non-state
    /// groups, then most delivered); 0 shows all.
    pub top_n: usize,
    /// The measure of the transfer panel; empty means "SIPRI TIV (millions)".
    pub value_label: String,
    /// Draw the transfer panel alone, across the figure: the run has no diversion evidence
    /// (no seizure or looting), so an evidence panel would be an empty axis.
    #[serde(default)]
    pub transfers_only: bool,
}

/// Renders the chart ([`Figure::name`] `"recipients"`): left, the value of legal transfers
/// (delivered to the state, and passed on by it to non-state armed groups); right, the three
/// kinds of diversion evidence in weapons, side by side. Rows are sorted by diversion
/// evidence, then transfers to non-state groups, then deliveries, then name. O(n log n).
///
/// # Errors
/// [`ChartError::InvalidValue`] for negative or non-finite values; drawing errors.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, recipients::*};
/// let input = RecipientsInput {
///     recipients: vec![
///         RecipientBar { name: "Libya".into(), delivered: 300.0, seized: 120.0, ..Default::default() },
///         RecipientBar { name: "Chile".into(), delivered: 900.0, ..Default::default() },
///     ],
///     top_n: 1,
///     ..Default::default()
/// };
/// let fig = render(&input, &Caption::default(), RenderSize::PRINT).unwrap();
/// assert!(fig.svg.contains("\nLibya\n</text>") && !fig.svg.contains("\nChile\n</text>"));
/// ```
pub fn render(
    input: &RecipientsInput,
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    for (i, r) in input.recipients.iter().enumerate() {
        for (what, v) in [
            ("delivered", r.delivered),
            ("seized", r.seized),
            ("looted", r.looted),
            ("diverted", r.diverted),
            ("to_non_state", r.to_non_state),
        ] {
            check_nonneg(&format!("recipients[{i}].{what}"), v)?;
        }
    }
    let title = match (input.title.is_empty(), input.transfers_only) {
        (false, _) => input.title.clone(),
        (true, false) => "Legal deliveries and diversion evidence by recipient".to_string(),
        (true, true) => "Legal deliveries by recipient".to_string(),
    };
    let mut rows: Vec<&RecipientBar> = input.recipients.iter().collect();
    rows.sort_by(|a, b| {
        b.evidence()
            .total_cmp(&a.evidence())
            .then(b.to_non_state.total_cmp(&a.to_non_state))
            .then(b.delivered.total_cmp(&a.delivered))
            .then(a.name.cmp(&b.name))
    });
    if input.top_n > 0 {
        rows.truncate(input.top_n);
    }
    let unit =
        if input.value_label.is_empty() { "SIPRI TIV (millions)" } else { &input.value_label };
    let only = input.transfers_only;
    let painter = RecipientsPainter { title: &title, caption, rows, unit, transfers_only: only };
    render_figure("recipients", &title, size, &painter)
}

struct RecipientsPainter<'a> {
    title: &'a str,
    caption: &'a Caption,
    rows: Vec<&'a RecipientBar>,
    unit: &'a str,
    transfers_only: bool,
}

/// A bar of a row: its colour and the value it shows.
type BarOf = (RGBColor, fn(&RecipientBar) -> f64);

const DELIVERED: RGBColor = OKABE_ITO[4];
const SEIZED: RGBColor = OKABE_ITO[5];
const LOOTED: RGBColor = OKABE_ITO[0];
const DIVERTED: RGBColor = OKABE_ITO[6];
const ONWARD: RGBColor = OKABE_ITO[7];

impl RecipientsPainter<'_> {
    /// One panel: axis, ticks, title, and per row the bars `values(row)` (side by side).
    fn panel<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        area: PxRect,
        axis_title: &str,
        bars: &[BarOf],
    ) -> Result<(), ChartError> {
        let vmax =
            self.rows.iter().flat_map(|r| bars.iter().map(move |(_, f)| f(r))).fold(0.0, f64::max);
        let top = c.value_axis(area, vmax, 4, axis_title)?;
        let xpos = |v: f64| area.x0 + area.w() * v / top;
        let slot = area.h() / self.rows.len() as f64;
        let group = slot * 0.75;
        let bar_h = group / bars.len() as f64;
        for (i, r) in self.rows.iter().enumerate() {
            let top_y = area.y0 + slot * i as f64 + (slot - group) / 2.0;
            for (j, (col, f)) in bars.iter().enumerate() {
                let v = f(r);
                if v <= 0.0 {
                    continue;
                }
                let y0 = top_y + bar_h * j as f64;
                let rect =
                    PxRect { x0: area.x0, y0, x1: xpos(v).max(area.x0 + 1.0), y1: y0 + bar_h };
                c.fill_rect(rect, *col, 1.0)?;
            }
        }
        c.polyline(&[(area.x0, area.y0), (area.x0, area.y1)], style::TEXT_MUTED, 1.0, c.px(0.6))?;
        Ok(())
    }
}

impl Painter for RecipientsPainter<'_> {
    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(self.title, self.caption)?;
        if self.rows.is_empty() {
            return c.no_data(plot, "no legal transfers to states in this run");
        }
        let entries = [
            (DELIVERED, "Delivered by legal transfer".to_string()),
            (ONWARD, "Its deliveries to non-state armed groups".to_string()),
            (SEIZED, "Seized, last legally held here".to_string()),
            (LOOTED, "Looted from stockpiles here".to_string()),
            (DIVERTED, "Diverted here (expected, by path)".to_string()),
        ];
        let shown = if self.transfers_only { &entries[..2] } else { &entries[..] };
        let leg_w = plot.w() * 0.36;
        let leg_bottom = c.legend_swatches("", shown, plot.x1 - leg_w, plot.y0, leg_w)?;
        let (_, th) = c.text_size("0", Label::TICK)?;
        let (_, ah) = c.text_size("0", Label::LABEL)?;
        let label_w = plot.w() * 0.2;
        let y0 = leg_bottom + c.px(6.0);
        let y1 = plot.y1 - th - ah - c.px(14.0);
        let x0 = plot.x0 + label_w + c.px(6.0);
        let gap = c.px(24.0);
        let half = (plot.x1 - c.px(10.0) - x0 - gap) / 2.0;
        let left = if self.transfers_only {
            PxRect { x0, y0, x1: plot.x1 - c.px(10.0), y1 }
        } else {
            PxRect { x0, y0, x1: x0 + half, y1 }
        };
        let right = PxRect { x0: x0 + half + gap, y0, x1: x0 + 2.0 * half + gap, y1 };
        self.panel(
            c,
            left,
            &format!("Legal transfers, {}", self.unit),
            &[(DELIVERED, |r| r.delivered), (ONWARD, |r| r.to_non_state)],
        )?;
        if !self.transfers_only {
            self.panel(
                c,
                right,
                "Diversion evidence (weapons)",
                &[(SEIZED, |r| r.seized), (LOOTED, |r| r.looted), (DIVERTED, |r| r.diverted)],
            )?;
        }
        let slot = (y1 - y0) / self.rows.len() as f64;
        let names = if slot < c.px(11.0) { Label::CAPTION } else { Label::TICK };
        let names = names.anchor(HAlign::Right, VAlign::Middle);
        for (i, r) in self.rows.iter().enumerate() {
            let yc = y0 + slot * (i as f64 + 0.5);
            let name = c.fit_text(&r.name, names, label_w)?;
            c.text(&name, x0 - c.px(5.0), yc, names)?;
        }
        Ok(())
    }
}
