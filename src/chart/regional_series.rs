//! Regional series: small multiples of monthly seizures and looted quantities per region.
//!
//! Each panel shows two series on independent axes (seizures on the left axis, looted quantity on
//! the right) and the Mann-Kendall trend of each (Mann 1945; Kendall 1975) as an arrow with the
//! z statistic and p-value supplied by the caller: up for z > 0, down for z < 0, bold when
//! p < `alpha`, grey "n.s." otherwise.

use plotters::backend::DrawingBackend;
use plotters::style::RGBColor;

use super::style::{self, OKABE_ITO};
use super::{
    Canvas, Caption, ChartError, Figure, HAlign, Label, Painter, PxRect, RenderSize, VAlign,
    check_finite, fmt_num, nice_ticks, render_figure,
};

/// Mann-Kendall trend statistics of one series.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TrendMark {
    /// Standardised test statistic z.
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// Monthly series of one region.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RegionSeries {
    /// Region name (panel title).
    pub region: String,
    /// Seizures per month (NaN = missing month), same length as the input's `months`.
    pub seizures: Vec<f64>,
    /// Looted quantity per month (NaN = missing), same length as `months`.
    pub looted: Vec<f64>,
    /// Trend of the seizure series, if tested.
    pub seizures_trend: Option<TrendMark>,
    /// Trend of the looted series, if tested.
    pub looted_trend: Option<TrendMark>,
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RegionalSeriesInput {
    /// Title; empty means "Monthly seizures and looting by region".
    pub title: String,
    /// Month labels, e.g. "2023-01", shared by all panels.
    pub months: Vec<String>,
    /// Regions in display order (at most 12 are drawn).
    pub regions: Vec<RegionSeries>,
    /// Unit of the looted quantity, e.g. "weapons"; empty means "units".
    pub looted_unit: String,
    /// Significance level for trend marks; 0 means 0.05.
    pub alpha: f64,
    /// What the two series are; `None`: seizures (left) and looted quantity (right).
    #[serde(default)]
    pub names: Option<SeriesNames>,
}

/// What the two series of each panel are, when they are not seizures and looted weapons
/// (conflict events and their fatalities).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct SeriesNames {
    /// The left-axis series, a count (`Conflict events`).
    pub left: String,
    /// The right-axis series (`Fatalities, best estimate`; its trend is labelled by the
    /// words before the first comma).
    pub right: String,
    /// The unit of the right-axis series (`deaths`).
    pub right_unit: String,
}

/// The words of the two series: legend entries, axis titles and trend labels.
struct Words {
    left_legend: String,
    right_legend: String,
    left_axis: String,
    right_axis: String,
    left_short: String,
    right_short: String,
}

impl Words {
    fn of(inp: &RegionalSeriesInput) -> Words {
        match &inp.names {
            Some(n) => Words {
                left_legend: format!("{} (count, left axis)", n.left),
                right_legend: format!("{} ({}, right axis)", n.right, n.right_unit),
                left_axis: format!("{} (count)", n.left),
                right_axis: n.right.clone(),
                left_short: n.left.clone(),
                right_short: n.right.split(',').next().unwrap_or_default().to_string(),
            },
            None => {
                let unit = if inp.looted_unit.is_empty() { "units" } else { &inp.looted_unit };
                Words {
                    left_legend: "Seizures (count, left axis)".into(),
                    right_legend: format!("Looted quantity ({unit}, right axis)"),
                    left_axis: "Seizures (count)".into(),
                    right_axis: format!("Looted ({unit})"),
                    left_short: "Seizures".into(),
                    right_short: "Looted".into(),
                }
            }
        }
    }
}

/// Most panels drawn; further regions are listed as omitted in the legend row.
pub const MAX_PANELS: usize = 12;

/// Renders the small multiples ([`Figure::name`] `"regional_series"`). O(regions * months).
///
/// # Errors
/// [`ChartError::LengthMismatch`] when a series length differs from `months`;
/// [`ChartError::InvalidValue`] for infinite or negative values or bad trend statistics.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, regional_series::*};
/// let input = RegionalSeriesInput {
///     months: vec!["2024-01".into(), "2024-02".into(), "2024-03".into()],
///     regions: vec![RegionSeries { region: "Sahel".into(), seizures: vec![1.0, 3.0, 5.0],
///         looted: vec![10.0, 5.0, 0.0], seizures_trend: Some(TrendMark { z: 2.5, p: 0.012 }),
///         looted_trend: None }],
///     ..Default::default()
/// };
/// let fig = render(&input, &Caption::default(), RenderSize::PRINT).unwrap();
/// assert!(fig.svg.contains("↑ z=2.50, p=0.012"));
/// ```
pub fn render(
    input: &RegionalSeriesInput,
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    let m = input.months.len();
    for (i, r) in input.regions.iter().enumerate() {
        for (what, v) in [("seizures", &r.seizures), ("looted", &r.looted)] {
            if v.len() != m {
                return Err(ChartError::LengthMismatch {
                    what: format!("regions[{i}].{what}"),
                    expected: m,
                    found: v.len(),
                });
            }
            for &x in v.iter() {
                if x.is_infinite() || x < 0.0 {
                    return Err(ChartError::InvalidValue {
                        what: format!("regions[{i}].{what}"),
                        value: x,
                        reason: "must be >= 0 and finite (NaN marks a missing month)",
                    });
                }
            }
        }
        for t in [r.seizures_trend, r.looted_trend].into_iter().flatten() {
            check_finite(&format!("regions[{i}] trend z"), t.z)?;
            if !(0.0..=1.0).contains(&t.p) {
                return Err(ChartError::InvalidValue {
                    what: format!("regions[{i}] trend p"),
                    value: t.p,
                    reason: "must be in [0, 1]",
                });
            }
        }
    }
    let title = if input.title.is_empty() {
        "Monthly seizures and looting by region".to_string()
    } else {
        input.title.clone()
    };
    let p = SeriesPainter { title: &title, caption, input };
    render_figure("regional_series", &title, size, &p)
}

struct SeriesPainter<'a> {
    title: &'a str,
    caption: &'a Caption,
    input: &'a RegionalSeriesInput,
}

const SEIZ: RGBColor = OKABE_ITO[4];
const LOOT: RGBColor = OKABE_ITO[0];

/// Trend label: arrow, z and p; "n.s." when p >= alpha.
fn trend_text(t: &TrendMark, alpha: f64) -> String {
    let arrow = if t.z > 0.0 {
        "↑"
    } else if t.z < 0.0 {
        "↓"
    } else {
        "→"
    };
    let ns = if t.p < alpha { "" } else { " n.s." };
    if t.p < 0.001 {
        format!("{arrow} z={:.2}, p<0.001{ns}", t.z)
    } else {
        format!("{arrow} z={:.2}, p={:.3}{ns}", t.z, t.p)
    }
}

impl Painter for SeriesPainter<'_> {
    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(self.title, self.caption)?;
        let inp = self.input;
        if inp.regions.is_empty() || inp.months.is_empty() {
            return c.no_data(plot, "no regional monthly series in this run");
        }
        let alpha = if inp.alpha > 0.0 { inp.alpha } else { 0.05 };
        let words = Words::of(inp);
        // Legend row.
        let mut x = plot.x0;
        let ly = plot.y0;
        let sw = c.px(16.0);
        let entries = [(SEIZ, words.left_legend.clone()), (LOOT, words.right_legend.clone())];
        let mut row_h: f64 = 0.0;
        for (col, label) in &entries {
            let (_, th) = c.text_size(label, Label::TICK)?;
            c.polyline(&[(x, ly + th / 2.0), (x + sw, ly + th / 2.0)], *col, 1.0, c.px(1.6))?;
            let r = c.text(label, x + sw + c.px(4.0), ly, Label::TICK)?;
            x = r.x1 + c.px(14.0);
            row_h = row_h.max(r.h());
        }
        let omitted = inp.regions.len().saturating_sub(MAX_PANELS);
        let mut note = format!("Arrows: Mann-Kendall trend (z, p); n.s. = p ≥ {alpha}");
        if omitted > 0 {
            note.push_str(&format!("; {omitted} more regions not shown"));
        }
        let note = c.fit_text(&note, Label::TICK, plot.x1 - x)?;
        c.text(&note, x, ly, Label::TICK.muted())?;

        // Axis titles around the grid.
        let (_, lh) = c.text_size("Ag", Label::LABEL)?;
        let grid = PxRect {
            x0: plot.x0 + lh + c.px(4.0),
            y0: ly + row_h + c.px(8.0),
            x1: plot.x1 - lh - c.px(4.0),
            y1: plot.y1 - lh - c.px(4.0),
        };
        let ymid = (grid.y0 + grid.y1) / 2.0;
        let ylabel = Label::LABEL.anchor(HAlign::Center, VAlign::Middle);
        c.text_vertical(&words.left_axis, plot.x0 + lh / 2.0, ymid, ylabel.color(SEIZ))?;
        c.text_vertical(&words.right_axis, plot.x1 - lh / 2.0, ymid, ylabel.color(LOOT))?;
        let xlabel = Label::LABEL.anchor(HAlign::Center, VAlign::Bottom);
        let step = match inp.months.first().map(|m| m.len()) {
            Some(4) => "Year",
            Some(7) if inp.months[0].contains('Q') => "Quarter",
            _ => "Month",
        };
        c.text(step, (grid.x0 + grid.x1) / 2.0, plot.y1, xlabel)?;

        let regions = &inp.regions[..inp.regions.len().min(MAX_PANELS)];
        let n = regions.len();
        let cols = match n {
            1 => 1,
            2..=4 => 2,
            5..=9 => 3,
            _ => 4,
        };
        let rows = n.div_ceil(cols);
        let gap = c.px(8.0);
        let pw = (grid.w() - gap * (cols as f64 - 1.0)) / cols as f64;
        let ph = (grid.h() - gap * (rows as f64 - 1.0)) / rows as f64;
        for (k, r) in regions.iter().enumerate() {
            let (ci, ri) = ((k % cols) as f64, (k / cols) as f64);
            let cell = PxRect {
                x0: grid.x0 + ci * (pw + gap),
                y0: grid.y0 + ri * (ph + gap),
                x1: grid.x0 + ci * (pw + gap) + pw,
                y1: grid.y0 + ri * (ph + gap) + ph,
            };
            self.panel(c, cell, r, alpha, &words)?;
        }
        Ok(())
    }
}

impl SeriesPainter<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        cell: PxRect,
        r: &RegionSeries,
        alpha: f64,
        words: &Words,
    ) -> Result<(), ChartError> {
        let months = &self.input.months;
        let m = months.len();
        let name = c.fit_text(&r.region, Label::HEADING, cell.w())?;
        let t = c.text(&name, cell.x0, cell.y0, Label::HEADING)?;
        let mut y = t.y1 + c.px(1.5);
        for (tr, col, lab) in [
            (r.seizures_trend, SEIZ, words.left_short.as_str()),
            (r.looted_trend, LOOT, words.right_short.as_str()),
        ] {
            if let Some(tm) = tr {
                let s = format!("{lab} {}", trend_text(&tm, alpha));
                let sig = tm.p < alpha;
                let colr = if sig { col } else { style::TEXT_MUTED };
                let trend = Label::TICK.bold_if(sig).color(colr);
                let s = c.fit_text(&s, trend, cell.w())?;
                let b = c.text(&s, cell.x0, y, trend)?;
                y = b.y1 + c.px(1.0);
            }
        }
        y += c.px(3.0);
        let (tw_l, th) = c.text_size("0000", Label::TICK)?;
        let area = PxRect {
            x0: cell.x0 + tw_l * 0.9 + c.px(4.0),
            y0: y + th / 2.0,
            x1: cell.x1 - tw_l * 0.9 - c.px(4.0),
            y1: cell.y1 - th - c.px(4.0),
        };
        if area.h() < c.px(10.0) || area.w() < c.px(20.0) {
            return Ok(());
        }
        let maxv = |v: &[f64]| v.iter().copied().filter(|x| x.is_finite()).fold(0.0, f64::max);
        let ts = nice_ticks(0.0, maxv(&r.seizures), 4);
        let tl = nice_ticks(0.0, maxv(&r.looted), 4);
        let top_s = ts.last().copied().unwrap_or(1.0);
        let top_l = tl.last().copied().unwrap_or(1.0);
        let xat = |i: usize| {
            if m <= 1 {
                (area.x0 + area.x1) / 2.0
            } else {
                area.x0 + area.w() * i as f64 / (m - 1) as f64
            }
        };
        c.fill_rect(area, RGBColor(250, 250, 250), 1.0)?;
        let left_tick = Label::TICK.color(SEIZ).anchor(HAlign::Right, VAlign::Middle);
        let right_tick = Label::TICK.color(LOOT).anchor(HAlign::Left, VAlign::Middle);
        for &v in &ts {
            let yy = area.y1 - area.h() * v / top_s;
            c.polyline(&[(area.x0, yy), (area.x1, yy)], style::GRID, 1.0, c.px(0.4))?;
            c.text(&fmt_num(v), area.x0 - c.px(3.0), yy, left_tick)?;
        }
        for &v in &tl {
            let yy = area.y1 - area.h() * v / top_l;
            c.text(&fmt_num(v), area.x1 + c.px(3.0), yy, right_tick)?;
        }
        // X ticks: first, last and evenly spaced between, without overlapping labels.
        let (lw, _) = c.text_size("2024-01", Label::TICK)?;
        let max_ticks = ((area.w() / (lw * 1.15)).floor() as usize).max(2);
        let step = (m.saturating_sub(1)).div_ceil(max_ticks - 1).max(1);
        let mut idx: Vec<usize> = (0..m).step_by(step).collect();
        if let Some(&last) = idx.last()
            && last != m - 1
        {
            if m - 1 - last < step / 2 + 1 && idx.len() > 1 {
                idx.pop();
            }
            idx.push(m - 1);
        }
        for &i in &idx {
            let x = xat(i);
            c.polyline(&[(x, area.y1), (x, area.y1 + c.px(2.0))], style::TEXT_MUTED, 1.0, 1.0)?;
            let lab = c.fit_text(&months[i], Label::TICK, lw * 1.1)?;
            let ha = if i == 0 && m > 1 {
                HAlign::Left
            } else if i == m - 1 && m > 1 {
                HAlign::Right
            } else {
                HAlign::Center
            };
            let ax = match ha {
                HAlign::Left => x - c.px(2.0),
                HAlign::Right => x + c.px(2.0),
                HAlign::Center => x,
            };
            c.text(&lab, ax, area.y1 + c.px(3.0), Label::TICK.muted().anchor(ha, VAlign::Top))?;
        }
        for (vals, col, top) in [(&r.looted, LOOT, top_l), (&r.seizures, SEIZ, top_s)] {
            let mut run: Vec<(f64, f64)> = Vec::new();
            let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
            for (i, &v) in vals.iter().enumerate() {
                if v.is_finite() {
                    run.push((xat(i), area.y1 - area.h() * v / top));
                } else if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
            runs.push(run);
            for run in &runs {
                c.polyline(run, col, 1.0, c.px(1.3))?;
                if m <= 36 || run.len() == 1 {
                    for &p in run {
                        c.circle(p, c.px(1.6), col, 1.0, true, 1.0)?;
                    }
                }
            }
        }
        c.stroke_rect(area, style::TEXT_MUTED, c.px(0.4))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_text_direction_and_significance() {
        assert_eq!(trend_text(&TrendMark { z: -1.2, p: 0.23 }, 0.05), "↓ z=-1.20, p=0.230 n.s.");
        assert_eq!(trend_text(&TrendMark { z: 3.0, p: 0.0027 }, 0.05), "↑ z=3.00, p=0.003");
        assert_eq!(trend_text(&TrendMark { z: 0.0, p: 0.0004 }, 0.05), "→ z=0.00, p<0.001");
    }

    #[test]
    fn length_mismatch_is_reported() {
        let input = RegionalSeriesInput {
            months: vec!["a".into(), "b".into()],
            regions: vec![RegionSeries {
                seizures: vec![1.0],
                looted: vec![1.0, 2.0],
                ..Default::default()
            }],
            ..Default::default()
        };
        let e = render(&input, &Caption::default(), RenderSize::PRINT).unwrap_err();
        assert_eq!(
            e,
            ChartError::LengthMismatch {
                what: "regions[0].seizures".into(),
                expected: 2,
                found: 1
            }
        );
    }
}
