//! Figures for a divnet run: pure rendering of plain view-model structs into SVG and PNG.
//!
//! Every figure is drawn once per backend by the same code (plotters' SVG backend writing to a
//! `String`, and its bitmap backend writing to an in-memory RGB buffer that is PNG-encoded with
//! `image`), so the two outputs show the same geometry and text. The default size is
//! [`RenderSize::PRINT`]: 2400 x 1500 px = 8 x 5 in at 300 dpi, font sizes in points scaled to
//! that resolution. Text uses the embedded DejaVu Sans ([`style::ensure_fonts`]).
//!
//! Each figure has a title, axes with units where it has axes, a legend and a caption line
//! ([`Caption`]). Empty inputs draw a "No data" panel instead of an empty plot. No function here
//! reads or writes files; the caller maps analysis outputs onto the input structs and writes the
//! returned bytes.
//!
//! Figures: [`flow_map`], [`top_hubs`], [`hotspot_map`], [`emerging_map`], [`regional_series`],
//! [`od_matrix`], [`top_paths`]. A run's figures are registered in
//! [`crate::stages::figures::FIGURES`], which maps the analysis results onto these inputs.
//! [`slope`] draws the hub rank changes of `divnet diff`.

pub mod basemap;
pub mod closeups;
pub mod emerging_map;
pub mod event_map;
pub mod flow_map;
pub mod hotspot_map;
mod label;
pub mod od_matrix;
pub mod projection;
pub mod recipients;
pub mod regional_series;
pub mod risk_heat;
pub mod slope;
pub mod style;
pub mod supplier_exposure;
pub mod top_hubs;
pub mod top_paths;

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::prelude::{
    BitMapBackend, Circle, DrawingArea, IntoDrawingArea, PathElement, Polygon, Rectangle,
    SVGBackend,
};
use plotters::style::{Color, RGBAColor, RGBColor, ShapeStyle};

pub(crate) use label::{HAlign, Label, VAlign};
pub use style::RenderSize;

/// Errors raised while validating figure inputs or rendering them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    /// The requested raster size is too small or too large.
    #[error("invalid render size {width}x{height} px at {dpi} dpi: {reason}")]
    InvalidSize {
        /// Width in px.
        width: u32,
        /// Height in px.
        height: u32,
        /// Resolution.
        dpi: u32,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A numeric input is NaN, infinite or out of its allowed range.
    #[error("invalid value {value} for {what}: {reason}")]
    InvalidValue {
        /// Which field.
        what: String,
        /// The offending value.
        value: f64,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Parallel arrays have different lengths.
    #[error("length mismatch in {what}: expected {expected}, found {found}")]
    LengthMismatch {
        /// Which field.
        what: String,
        /// Expected length.
        expected: usize,
        /// Actual length.
        found: usize,
    },
    /// A Gi* confidence bin outside -3..=3.
    #[error("invalid Gi* confidence bin {value}: must be in -3..=3")]
    InvalidBin {
        /// The offending bin.
        value: i8,
    },
    /// The embedded font could not be registered.
    #[error("embedded font {face} could not be parsed")]
    Font {
        /// Which font file.
        face: String,
    },
    /// GeoJSON input could not be parsed.
    #[error("invalid GeoJSON at {at}: {reason}")]
    GeoJson {
        /// Where in the document (feature index or "document").
        at: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A plotters backend reported an error.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Encode(String),
    /// The figure's input was not provided.
    #[error("{0}")]
    InvalidInput(String),
    /// Not a failure: the figure has nothing to show and is left out; the line says which
    /// input would fill it ([`crate::absent::Absent`]).
    #[error("{0}")]
    NothingToShow(crate::absent::Absent),
}

/// One rendered figure: SVG text and PNG bytes of the same drawing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Figure {
    /// Stable file stem, e.g. `"flow_map"`.
    pub name: String,
    /// Human-readable title drawn at the top of the figure.
    pub title: String,
    /// What the figure shows, one sentence, printed under it in the report (empty when the
    /// figure was drawn outside a run's figure registry).
    pub caption: String,
    /// Standalone SVG document.
    pub svg: String,
    /// PNG-encoded RGB raster.
    #[serde(with = "crate::run::codec::bytes")]
    pub png: Vec<u8>,
    /// Whether the figure is a map (the HTML report lets readers pan and zoom it).
    pub map: bool,
    /// What the HTML report shows when the pointer is over a part of the drawing (in the
    /// SVG's pixels). Not drawn in the figure files.
    pub marks: Vec<Mark>,
}

/// A part of a figure the HTML report explains on hover: a rectangle (a circle when
/// `round`) of the SVG drawing, in whole pixels, with the text shown, and optionally the
/// day it is dated (days since 1970-01-01), which the report's time filter reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mark {
    /// Centre, x.
    pub cx: i32,
    /// Centre, y.
    pub cy: i32,
    /// Width (the diameter of a round mark).
    pub w: i32,
    /// Height.
    pub h: i32,
    /// A circle rather than a rectangle.
    pub round: bool,
    /// The text shown on hover; lines separated by `\n`.
    pub tip: String,
    /// Drawn in this colour by the report (marks that are the figure's only drawing of
    /// their data, such as the points of the report's event map); `None` is invisible.
    pub colour: Option<[u8; 3]>,
    /// The day the mark is dated, for the time filter.
    pub day: Option<i32>,
}

/// Caption line content: data source, covered date range and the date the figure is dated by.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Caption {
    /// Data source(s), e.g. `"CAR iTrace, UNODC IASR"`.
    pub source: String,
    /// Covered period, e.g. `"2019-01 to 2024-12"`.
    pub date_range: String,
    /// The date with its label, e.g. `"Reference date: 2024-12-31"` (see
    /// [`crate::clock::Dated`]); empty leaves it out.
    pub dated: String,
}

impl Caption {
    /// The single caption line drawn under every figure. O(len).
    ///
    /// ```
    /// use divnet::chart::Caption;
    /// let c = Caption { source: "CAR".into(), date_range: "2020-01 to 2020-12".into(),
    ///     dated: "Reference date: 2020-12-31".into() };
    /// assert_eq!(c.line(),
    ///     "Source: CAR · Period: 2020-01 to 2020-12 · Reference date: 2020-12-31");
    /// ```
    pub fn line(&self) -> String {
        let mut line = format!("Source: {} · Period: {}", self.source, self.date_range);
        if !self.dated.is_empty() {
            line.push_str(" · ");
            line.push_str(&self.dated);
        }
        line
    }

    /// The caption as two lines, for a figure too narrow for [`Caption::line`]: the source,
    /// then the period and the date.
    ///
    /// ```
    /// use divnet::chart::Caption;
    /// let c = Caption { source: "CAR".into(), date_range: "2020-01 to 2020-12".into(),
    ///     dated: "Reference date: 2020-12-31".into() };
    /// assert_eq!(c.two_lines(),
    ///     ["Source: CAR".to_string(), "Period: 2020-01 to 2020-12 · Reference date: 2020-12-31".into()]);
    /// ```
    pub fn two_lines(&self) -> [String; 2] {
        let mut period = format!("Period: {}", self.date_range);
        if !self.dated.is_empty() {
            period.push_str(" · ");
            period.push_str(&self.dated);
        }
        [format!("Source: {}", self.source), period]
    }
}

/// Something that can draw itself on any plotters backend (implemented by each figure).
pub(crate) trait Painter {
    fn paint<DB: DrawingBackend>(&self, canvas: &Canvas<'_, DB>) -> Result<(), ChartError>;
    /// Whether the figure is a map.
    fn map(&self) -> bool {
        false
    }
}

fn check_size(size: RenderSize) -> Result<(), ChartError> {
    let bad = |reason| {
        Err(ChartError::InvalidSize {
            width: size.width,
            height: size.height,
            dpi: size.dpi,
            reason,
        })
    };
    if size.width < 320 || size.height < 200 {
        return bad("must be at least 320x200 px");
    }
    if size.width > 8_000 || size.height > 8_000 {
        return bad("must be at most 8000 px per side");
    }
    if size.dpi < 36 || size.dpi > 1200 {
        return bad("dpi must be in 36..=1200");
    }
    Ok(())
}

/// Renders `painter` to SVG and PNG. Cost: one pass per backend plus PNG encoding.
pub(crate) fn render_figure<P: Painter>(
    name: &str,
    title: &str,
    size: RenderSize,
    painter: &P,
) -> Result<Figure, ChartError> {
    check_size(size)?;
    style::ensure_fonts()?;
    let (w, h) = (size.width, size.height);
    let mut svg = String::new();
    let marks = std::cell::RefCell::new(Vec::new());
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        let canvas = Canvas { area: &root, size, marks: Some(&marks) };
        canvas.area.fill(&style::BACKGROUND).map_err(draw_err)?;
        painter.paint(&canvas)?;
        root.present().map_err(draw_err)?;
    }
    let mut buf = vec![0u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        let canvas = Canvas { area: &root, size, marks: None };
        canvas.area.fill(&style::BACKGROUND).map_err(draw_err)?;
        painter.paint(&canvas)?;
        root.present().map_err(draw_err)?;
    }
    let png = encode_png(&buf, w, h)?;
    Ok(Figure {
        name: name.to_string(),
        title: title.to_string(),
        caption: String::new(),
        svg,
        png,
        map: painter.map(),
        marks: marks.into_inner(),
    })
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ChartError> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Sub)
        .write_image(rgb, w, h, image::ColorType::Rgb8)
        .map_err(|e| ChartError::Encode(e.to_string()))?;
    Ok(out)
}

fn draw_err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}

/// Axis-aligned pixel rectangle (x0 < x1, y0 < y1, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PxRect {
    /// Left edge.
    pub x0: f64,
    /// Top edge.
    pub y0: f64,
    /// Right edge.
    pub x1: f64,
    /// Bottom edge.
    pub y1: f64,
}

impl PxRect {
    /// Width in px.
    pub fn w(&self) -> f64 {
        self.x1 - self.x0
    }
    /// Height in px.
    pub fn h(&self) -> f64 {
        self.y1 - self.y0
    }
    /// Whether two rectangles overlap (touching edges do not count).
    pub fn overlaps(&self, o: &PxRect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
    /// Whether `o` lies completely inside `self`.
    pub fn contains(&self, o: &PxRect) -> bool {
        o.x0 >= self.x0 && o.x1 <= self.x1 && o.y0 >= self.y0 && o.y1 <= self.y1
    }
}

/// Thin drawing layer over a plotters area in absolute pixel coordinates.
pub(crate) struct Canvas<'a, DB: DrawingBackend> {
    pub(crate) area: &'a DrawingArea<DB, Shift>,
    pub(crate) size: RenderSize,
    /// Where the hover marks go (the SVG pass only).
    pub(crate) marks: Option<&'a std::cell::RefCell<Vec<Mark>>>,
}

fn rgba(c: RGBColor, alpha: f64) -> RGBAColor {
    c.mix(alpha.clamp(0.0, 1.0))
}

fn ipt(p: (f64, f64)) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
}

impl<DB: DrawingBackend> Canvas<'_, DB> {
    pub(crate) fn w(&self) -> f64 {
        f64::from(self.size.width)
    }
    pub(crate) fn h(&self) -> f64 {
        f64::from(self.size.height)
    }
    /// Pixels for `pt` points.
    pub(crate) fn px(&self, pt: f64) -> f64 {
        self.size.px(pt)
    }

    /// Records a hover mark: a circle of diameter `d` centred at `c` (at least 8 points
    /// across, so a small dot can still be pointed at).
    pub(crate) fn mark_circle(&self, c: (f64, f64), d: f64, tip: String) {
        let d = d.max(self.px(8.0));
        self.mark(Mark {
            cx: c.0.round() as i32,
            cy: c.1.round() as i32,
            w: d.round() as i32,
            h: d.round() as i32,
            round: true,
            tip,
            colour: None,
            day: None,
        });
    }

    /// Records a round hover mark over a drawn polygon (its vertex centroid, as wide as the
    /// polygon).
    pub(crate) fn mark_polygon(&self, px: &[(f64, f64)], tip: &str) {
        if px.is_empty() || tip.is_empty() {
            return;
        }
        let n = px.len() as f64;
        let centre =
            (px.iter().map(|p| p.0).sum::<f64>() / n, px.iter().map(|p| p.1).sum::<f64>() / n);
        let span = px.iter().map(|p| (p.0 - centre.0).abs()).fold(0.0, f64::max);
        self.mark_circle(centre, 2.0 * span, tip.to_string());
    }

    /// Records a hover mark over a rectangle.
    pub(crate) fn mark_rect(&self, r: PxRect, tip: String) {
        self.mark(Mark {
            cx: ((r.x0 + r.x1) / 2.0).round() as i32,
            cy: ((r.y0 + r.y1) / 2.0).round() as i32,
            w: r.w().round().max(1.0) as i32,
            h: r.h().round().max(1.0) as i32,
            round: false,
            tip,
            colour: None,
            day: None,
        });
    }

    /// Records a hover mark (nothing happens on the raster pass).
    pub(crate) fn mark(&self, m: Mark) {
        if let Some(marks) = self.marks
            && !m.tip.is_empty()
        {
            marks.borrow_mut().push(m);
        }
    }

    pub(crate) fn fill_rect(&self, r: PxRect, c: RGBColor, alpha: f64) -> Result<(), ChartError> {
        let style = ShapeStyle { color: rgba(c, alpha), filled: true, stroke_width: 0 };
        self.area
            .draw(&Rectangle::new([ipt((r.x0, r.y0)), ipt((r.x1, r.y1))], style))
            .map_err(draw_err)
    }

    pub(crate) fn stroke_rect(&self, r: PxRect, c: RGBColor, width: f64) -> Result<(), ChartError> {
        let style = ShapeStyle {
            color: c.to_rgba(),
            filled: false,
            stroke_width: width.round().max(1.0) as u32,
        };
        self.area
            .draw(&Rectangle::new([ipt((r.x0, r.y0)), ipt((r.x1, r.y1))], style))
            .map_err(draw_err)
    }

    /// Filled polygon (points in px); degenerate polygons are skipped.
    pub(crate) fn polygon(
        &self,
        pts: &[(f64, f64)],
        c: RGBColor,
        alpha: f64,
    ) -> Result<(), ChartError> {
        let ip = dedup_px(pts);
        if ip.len() < 3 {
            return Ok(());
        }
        let style = ShapeStyle { color: rgba(c, alpha), filled: true, stroke_width: 0 };
        self.area.draw(&Polygon::new(ip, style)).map_err(draw_err)
    }

    /// Open polyline (points in px).
    pub(crate) fn polyline(
        &self,
        pts: &[(f64, f64)],
        c: RGBColor,
        alpha: f64,
        width: f64,
    ) -> Result<(), ChartError> {
        let ip = dedup_px(pts);
        if ip.len() < 2 {
            return Ok(());
        }
        let style = ShapeStyle {
            color: rgba(c, alpha),
            filled: false,
            stroke_width: width.round().max(1.0) as u32,
        };
        self.area.draw(&PathElement::new(ip, style)).map_err(draw_err)
    }

    pub(crate) fn circle(
        &self,
        center: (f64, f64),
        r: f64,
        c: RGBColor,
        alpha: f64,
        filled: bool,
        stroke: f64,
    ) -> Result<(), ChartError> {
        let style = ShapeStyle {
            color: rgba(c, alpha),
            filled,
            stroke_width: stroke.round().max(1.0) as u32,
        };
        let r = r.round().max(1.0) as u32;
        self.area.draw(&Circle::new(ipt(center), r, style)).map_err(draw_err)
    }

    /// Draws the figure frame (title, caption) and returns the free plot rectangle.
    pub(crate) fn frame(&self, title: &str, caption: &Caption) -> Result<PxRect, ChartError> {
        let m = self.px(14.0);
        let title_s = self.fit_text(title, Label::TITLE, self.w() - 2.0 * m)?;
        let t = self.text(&title_s, m, m, Label::TITLE)?;
        // One caption line; two (the source, then the period and date) when one would be
        // cut, so that the date is never lost to a long source or citation.
        let width = self.w() - 2.0 * m;
        let line = caption.line();
        let caption_label = Label::CAPTION.muted().anchor(HAlign::Left, VAlign::Bottom);
        let lines = if self.fit_text(&line, caption_label, width)? == line {
            vec![line]
        } else {
            caption.two_lines().to_vec()
        };
        let mut bottom = self.h() - m * 0.8;
        let mut top = bottom;
        for l in lines.iter().rev() {
            let fitted = self.fit_text(l, caption_label, width)?;
            let c = self.text(&fitted, m, bottom, caption_label)?;
            top = c.y0;
            bottom = c.y0 - m * 0.2;
        }
        Ok(PxRect { x0: m, y0: t.y1 + m * 0.8, x1: self.w() - m, y1: top - m * 0.6 })
    }

    /// Draws a "No data" panel filling `r` with an explanatory line.
    pub(crate) fn no_data(&self, r: PxRect, why: &str) -> Result<(), ChartError> {
        self.fill_rect(r, RGBColor(245, 245, 245), 1.0)?;
        self.stroke_rect(r, style::GRID, self.px(1.0))?;
        let cx = (r.x0 + r.x1) / 2.0;
        let cy = (r.y0 + r.y1) / 2.0;
        let big = Label::new(20.0).bold().muted().anchor(HAlign::Center, VAlign::Bottom);
        self.text("No data", cx, cy, big)?;
        let note = Label::LABEL.muted().anchor(HAlign::Center, VAlign::Top);
        let why = self.fit_text(why, note, r.w() * 0.9)?;
        self.text(&why, cx, cy + self.px(8.0), note)?;
        Ok(())
    }

    /// A horizontal value axis under `area` from 0 to a round number at or above `vmax`:
    /// vertical grid lines, tick labels below, and `title` under them. Returns the value at
    /// the right edge of `area`.
    pub(crate) fn value_axis(
        &self,
        area: PxRect,
        vmax: f64,
        ticks_wanted: usize,
        title: &str,
    ) -> Result<f64, ChartError> {
        let tick = Label::TICK.muted().anchor(HAlign::Center, VAlign::Top);
        let (_, th) = self.text_size("0", tick)?;
        let ticks = nice_ticks(0.0, vmax, ticks_wanted);
        let top = ticks.last().copied().unwrap_or(1.0).max(f64::MIN_POSITIVE);
        for &t in &ticks {
            let x = area.x0 + area.w() * t / top;
            self.polyline(&[(x, area.y0), (x, area.y1)], style::GRID, 1.0, self.px(0.4))?;
            self.text(&fmt_num(t), x, area.y1 + self.px(3.0), tick)?;
        }
        let axis = Label::LABEL.anchor(HAlign::Center, VAlign::Top);
        let at = self.fit_text(title, axis, area.w())?;
        self.text(&at, (area.x0 + area.x1) / 2.0, area.y1 + th + self.px(8.0), axis)?;
        Ok(top)
    }

    /// Legend heading + entries with colour swatches, top-down from `(x, y)`; returns the bottom.
    pub(crate) fn legend_swatches(
        &self,
        heading: &str,
        entries: &[(RGBColor, String)],
        x: f64,
        y: f64,
        max_w: f64,
    ) -> Result<f64, ChartError> {
        let mut y = y;
        if !heading.is_empty() {
            y = flow_map::legend_heading(self, heading, x, y, max_w)?;
        }
        let sw = self.px(9.0);
        let row = self.px(13.0);
        let entry = Label::TICK.anchor(HAlign::Left, VAlign::Middle);
        for (c, label) in entries {
            let sq = PxRect { x0: x, y0: y, x1: x + sw, y1: y + sw };
            self.fill_rect(sq, *c, 1.0)?;
            self.stroke_rect(sq, style::TEXT_MUTED, 1.0)?;
            let l = self.fit_text(label, entry, max_w - sw - self.px(5.0))?;
            self.text(&l, x + sw + self.px(5.0), y + sw / 2.0, entry)?;
            y += row;
        }
        Ok(y)
    }
}

/// Rounds to whole pixels and drops consecutive duplicates (keeps SVG output small).
fn dedup_px(pts: &[(f64, f64)]) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(pts.len());
    for p in pts {
        if !(p.0.is_finite() && p.1.is_finite()) {
            continue;
        }
        let q = ipt(*p);
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    out
}

/// Shortens `s` to at most `max_chars` characters, ending in an ellipsis when cut. O(len).
///
/// ```
/// use divnet::chart::truncate_chars;
/// assert_eq!(truncate_chars("Democratic Republic of the Congo", 12), "Democratic …");
/// assert_eq!(truncate_chars("Mali", 12), "Mali");
/// ```
pub fn truncate_chars(s: &str, max_chars: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= max_chars {
        return s.to_string();
    }
    let keep = max_chars.saturating_sub(1);
    let mut out: String = chars[..keep].iter().collect();
    out.push('…');
    out
}

/// "Nice" axis ticks (1, 2, 2.5, 5 x 10^k steps) covering `[lo, hi]` with about `target` ticks.
///
/// Heckbert's "nice numbers" labelling (Graphics Gems, 1990). O(number of ticks).
/// Returns an empty vector for non-finite bounds.
///
/// ```
/// use divnet::chart::nice_ticks;
/// assert_eq!(nice_ticks(0.0, 97.0, 5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
/// // A degenerate range is widened to [lo, lo + 1].
/// assert_eq!(nice_ticks(0.0, 0.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
/// ```
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let step = mag
        * if f <= 1.0 {
            1.0
        } else if f <= 2.0 {
            2.0
        } else if f <= 2.5 {
            2.5
        } else if f <= 5.0 {
            5.0
        } else {
            10.0
        };
    let start = (lo / step).floor();
    let end = (hi / step).ceil();
    let n = (end - start).max(1.0) as usize;
    (0..=n).map(|i| ((start + i as f64) * step * 1e9).round() / 1e9).collect()
}

/// Compact number label: thousands as `k`, millions as `M`, otherwise up to 2 decimals. O(1).
///
/// ```
/// use divnet::chart::fmt_num;
/// assert_eq!(fmt_num(0.0), "0");
/// assert_eq!(fmt_num(1234.0), "1,234");
/// assert_eq!(fmt_num(25_300.0), "25.3k");
/// assert_eq!(fmt_num(4_200_000.0), "4.2M");
/// assert_eq!(fmt_num(0.126), "0.13");
/// ```
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let a = v.abs();
    let trim = |s: String| {
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    };
    if a >= 1e9 {
        format!("{}B", trim(format!("{:.1}", v / 1e9)))
    } else if a >= 1e6 {
        format!("{}M", trim(format!("{:.1}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else if a >= 1000.0 {
        let i = v.round() as i64;
        let s = i.abs().to_string();
        let (head, tail) = s.split_at(s.len() - 3);
        format!("{}{head},{tail}", if i < 0 { "-" } else { "" })
    } else if a >= 100.0 || a == a.round() {
        format!("{}", v.round() as i64)
    } else {
        trim(format!("{v:.2}"))
    }
}

pub(crate) fn check_finite(what: &str, v: f64) -> Result<(), ChartError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(ChartError::InvalidValue { what: what.to_string(), value: v, reason: "not finite" })
    }
}

/// Checks that the matrix `name` has `rows` rows of `cols` cells each.
pub(crate) fn check_grid<T>(
    name: &str,
    m: &[Vec<T>],
    rows: usize,
    cols: usize,
) -> Result<(), ChartError> {
    if m.len() != rows {
        return Err(ChartError::LengthMismatch {
            what: format!("{name} (rows)"),
            expected: rows,
            found: m.len(),
        });
    }
    match m.iter().position(|r| r.len() != cols) {
        Some(i) => Err(ChartError::LengthMismatch {
            what: format!("{name}[{i}]"),
            expected: cols,
            found: m[i].len(),
        }),
        None => Ok(()),
    }
}

pub(crate) fn check_nonneg(what: &str, v: f64) -> Result<(), ChartError> {
    check_finite(what, v)?;
    if v < 0.0 {
        return Err(ChartError::InvalidValue {
            what: what.to_string(),
            value: v,
            reason: "must be >= 0",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_cover_range() {
        let t = nice_ticks(3.0, 1234.0, 5);
        assert!(t[0] <= 3.0 && *t.last().unwrap() >= 1234.0);
        assert!(t.len() >= 4 && t.len() <= 8);
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
    }

    #[test]
    fn truncation_keeps_short_strings() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("abcd", 3), "ab…");
        assert_eq!(truncate_chars("ééééé", 2), "é…");
    }

    #[test]
    fn tiny_size_rejected() {
        let r = top_hubs::render(
            &top_hubs::TopHubsInput::default(),
            &Caption::default(),
            RenderSize { width: 10, height: 10, dpi: 300 },
        );
        assert!(matches!(r, Err(ChartError::InvalidSize { width: 10, .. })));
    }
}
