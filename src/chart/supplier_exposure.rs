//! Supplier exposure: per supplier state, the value it delivered to states in the
//! assessment window, stacked by the number of risk flags its recipients raise, and beside
//! it what went to recipients with a re-export flag.

use plotters::backend::DrawingBackend;
use plotters::style::RGBColor;

use super::{
    Canvas, Caption, ChartError, Figure, HAlign, Label, Painter, PxRect, RenderSize, VAlign,
    check_nonneg, render_figure, style,
};

/// One supplier.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct SupplierBar {
    /// Row label.
    pub name: String,
    /// Value delivered to recipients raising no, one, two, three or more flags.
    pub by_flags: [f64; 4],
    /// Value delivered to recipients with a re-export flag.
    pub re_export_flagged: f64,
}

impl SupplierBar {
    fn flagged(&self) -> f64 {
        self.by_flags[1..].iter().sum()
    }

    fn total(&self) -> f64 {
        self.by_flags.iter().sum()
    }
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct SupplierExposureInput {
    /// Title; empty means "Supplier exposure to flagged recipients".
    pub title: String,
    /// Suppliers in any order.
    pub suppliers: Vec<SupplierBar>,
    /// Number of rows (most delivered to flagged recipients first, then most delivered,
    /// then name); 0 shows all.
    pub top_n: usize,
    /// The measure; empty means "SIPRI TIV (millions)".
    pub value_label: String,
}

/// Colours of the stacks: no flag to three or more.
const STACK: [RGBColor; 4] =
    [RGBColor(189, 189, 189), RGBColor(253, 174, 97), RGBColor(244, 109, 67), RGBColor(165, 0, 38)];
const RE_EXPORT: RGBColor = RGBColor(49, 54, 149);

/// Renders the chart ([`Figure::name`] `"supplier_exposure"`): one row per supplier, a bar
/// stacked by its recipients' flag counts and under it a thin bar of its deliveries to
/// recipients with a re-export flag. O(n log n).
///
/// # Errors
/// [`ChartError::InvalidValue`] for negative or non-finite values; drawing errors.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, supplier_exposure::*};
/// let input = SupplierExposureInput {
///     suppliers: vec![
///         SupplierBar { name: "Aland".into(), by_flags: [5.0, 0.0, 2.0, 0.0], re_export_flagged: 2.0 },
///         SupplierBar { name: "Bland".into(), by_flags: [9.0, 0.0, 0.0, 0.0], re_export_flagged: 0.0 },
///     ],
///     top_n: 1,
///     ..Default::default()
/// };
/// let fig = render(&input, &Caption::default(), RenderSize::PRINT).unwrap();
/// assert!(fig.svg.contains("\nAland\n</text>") && !fig.svg.contains("\nBland\n</text>"));
/// ```
pub fn render(
    input: &SupplierExposureInput,
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    for (i, s) in input.suppliers.iter().enumerate() {
        for (k, v) in s.by_flags.iter().enumerate() {
            check_nonneg(&format!("suppliers[{i}].by_flags[{k}]"), *v)?;
        }
        check_nonneg(&format!("suppliers[{i}].re_export_flagged"), s.re_export_flagged)?;
    }
    let title = if input.title.is_empty() {
        "Supplier exposure to flagged recipients".to_string()
    } else {
        input.title.clone()
    };
    let mut rows: Vec<&SupplierBar> = input.suppliers.iter().collect();
    rows.sort_by(|a, b| {
        b.flagged()
            .total_cmp(&a.flagged())
            .then(b.total().total_cmp(&a.total()))
            .then(a.name.cmp(&b.name))
    });
    if input.top_n > 0 {
        rows.truncate(input.top_n);
    }
    let unit =
        if input.value_label.is_empty() { "SIPRI TIV (millions)" } else { &input.value_label };
    let painter = ExposurePainter { title: &title, caption, rows, unit };
    render_figure("supplier_exposure", &title, size, &painter)
}

struct ExposurePainter<'a> {
    title: &'a str,
    caption: &'a Caption,
    rows: Vec<&'a SupplierBar>,
    unit: &'a str,
}

impl Painter for ExposurePainter<'_> {
    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(self.title, self.caption)?;
        if self.rows.iter().all(|r| r.total() <= 0.0) {
            return c.no_data(plot, "no deliveries by state suppliers in the window");
        }
        let entries = [
            (STACK[0], "Recipient raises no flag".to_string()),
            (STACK[1], "One flag".to_string()),
            (STACK[2], "Two flags".to_string()),
            (STACK[3], "Three or more flags".to_string()),
            (RE_EXPORT, "Of which to recipients with a re-export flag".to_string()),
        ];
        let leg_w = plot.w() * 0.4;
        let leg_bottom = c.legend_swatches("", &entries, plot.x1 - leg_w, plot.y0, leg_w)?;
        let (_, th) = c.text_size("0", Label::TICK)?;
        let (_, ah) = c.text_size("0", Label::LABEL)?;
        let label_w = plot.w() * 0.2;
        let area = PxRect {
            x0: plot.x0 + label_w + c.px(6.0),
            y0: leg_bottom + c.px(6.0),
            x1: plot.x1 - c.px(10.0),
            y1: plot.y1 - th - ah - c.px(14.0),
        };
        let vmax = self.rows.iter().map(|r| r.total()).fold(0.0, f64::max);
        let top = c.value_axis(area, vmax, 5, &format!("Delivered to states, {}", self.unit))?;
        let xpos = |v: f64| area.x0 + area.w() * v / top;
        let slot = area.h() / self.rows.len() as f64;
        let bar_h = slot * 0.55;
        let thin = slot * 0.2;
        for (i, r) in self.rows.iter().enumerate() {
            let y0 = area.y0 + slot * i as f64 + (slot - bar_h - thin) / 2.0;
            let mut acc = 0.0;
            for (k, &v) in r.by_flags.iter().enumerate() {
                if v <= 0.0 {
                    continue;
                }
                let rect = PxRect {
                    x0: xpos(acc),
                    y0,
                    x1: xpos(acc + v).max(xpos(acc) + 1.0),
                    y1: y0 + bar_h,
                };
                c.fill_rect(rect, STACK[k], 1.0)?;
                let what = ["no flag", "one flag", "two flags", "three or more flags"][k];
                c.mark_rect(
                    rect,
                    format!("{}\nto recipients with {what}: {}", r.name, super::fmt_num(v)),
                );
                acc += v;
            }
            if r.re_export_flagged > 0.0 {
                let y = y0 + bar_h;
                let rect = PxRect {
                    x0: area.x0,
                    y0: y,
                    x1: xpos(r.re_export_flagged).max(area.x0 + 1.0),
                    y1: y + thin,
                };
                c.fill_rect(rect, RE_EXPORT, 1.0)?;
                c.mark_rect(
                    rect,
                    format!(
                        "{}\nto recipients with a re-export flag: {}",
                        r.name,
                        super::fmt_num(r.re_export_flagged)
                    ),
                );
            }
        }
        c.polyline(&[(area.x0, area.y0), (area.x0, area.y1)], style::TEXT_MUTED, 1.0, c.px(0.6))?;
        let names = if slot < c.px(11.0) { Label::CAPTION } else { Label::TICK };
        let names = names.anchor(HAlign::Right, VAlign::Middle);
        for (i, r) in self.rows.iter().enumerate() {
            let yc = area.y0 + slot * (i as f64 + 0.5);
            let name = c.fit_text(&r.name, names, label_w)?;
            c.text(&name, area.x0 - c.px(5.0), yc, names)?;
        }
        Ok(())
    }
}
