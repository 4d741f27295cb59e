//! Close-ups: small multiples of map panels, each zoomed on one cluster of cells, at an
//! extent where every H3 hexagon is drawn as a hexagon, with the country outlines, the
//! largest places of the gazetteer labelled, a scale bar in kilometres and a line saying
//! what the panel's cells hold (how many records, of which dates). One shared colour
//! legend.

use plotters::backend::DrawingBackend;
use plotters::style::RGBColor;

use super::basemap::{Shape, draw_basemap};
use super::flow_map::map_and_legend;
use super::hotspot_map::validate_ring;
use super::projection::{Extent, MapView};
use super::style;
use super::{
    Canvas, Caption, ChartError, Figure, HAlign, Label, Painter, PxRect, RenderSize, VAlign,
    render_figure,
};

/// A cell of a panel: its boundary and its colour (`[r, g, b]`).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ColouredCell {
    /// Boundary as `(lon, lat)` vertices.
    pub ring: Vec<(f64, f64)>,
    /// Fill colour.
    pub colour: [u8; 3],
    /// What the HTML report shows on hover (empty: nothing).
    #[serde(default)]
    pub tip: String,
}

/// A labelled place.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct PlaceLabel {
    /// Its name.
    pub name: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
}

/// One zoomed panel.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Panel {
    /// Panel heading (`Imphal area, India`).
    pub title: String,
    /// What the panel shows.
    pub extent: Extent,
    /// Cells, drawn in order.
    pub cells: Vec<ColouredCell>,
    /// Places to label, most important first (labels that would overlap an earlier one
    /// or the scale bar are left out).
    pub places: Vec<PlaceLabel>,
    /// A line under the heading (`23 events, 2013-02 to 2021-06`); empty: none.
    #[serde(default)]
    pub note: String,
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CloseupsInput {
    /// Figure name (`hotspot_closeups`, `emerging_closeups`).
    pub name: String,
    /// Title.
    pub title: String,
    /// Panels, in reading order (at most four are drawn).
    pub panels: Vec<Panel>,
    /// Legend heading.
    pub legend_heading: String,
    /// Legend entries: colour and label.
    pub legend: Vec<([u8; 3], String)>,
    /// What the figure says when there is no panel.
    pub empty_reason: String,
}

/// Most panels a figure draws.
pub const MAX_PANELS: usize = 4;

/// Renders the close-ups (two columns; one panel takes the whole map area). O(basemap
/// vertices x panels + cells).
///
/// # Errors
/// [`ChartError::InvalidValue`] for bad coordinates or extents; drawing errors.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, closeups::*, projection::Extent};
/// let extent = Extent { lon_min: 93.0, lon_max: 95.0, lat_min: 23.8, lat_max: 25.8 };
/// let cell = ColouredCell { ring: vec![(93.9, 24.8), (94.0, 24.8), (94.0, 24.9)], colour: [200, 0, 0], ..Default::default() };
/// let place = PlaceLabel { name: "Imphal".into(), lon: 93.94, lat: 24.81 };
/// let note = "3 seizures, 2021-04 to 2023-01".to_string();
/// let panel = Panel { title: "Imphal area".into(), extent, cells: vec![cell], places: vec![place], note };
/// let input = CloseupsInput { name: "hotspot_closeups".into(), panels: vec![panel], ..Default::default() };
/// let fig = render(&input, &[], &Caption::default(), RenderSize::PRINT).unwrap();
/// assert!(fig.svg.contains("\nImphal area\n</text>") && fig.svg.contains("\nImphal\n</text>"));
/// assert!(fig.svg.contains("\n3 seizures, 2021-04 to 2023-01\n</text>"));
/// // A scale bar of a round length.
/// assert!(fig.svg.contains("\n50 km\n</text>"), "{}", fig.svg);
/// ```
pub fn render(
    input: &CloseupsInput,
    basemap: &[Shape],
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    for (i, p) in input.panels.iter().enumerate() {
        p.extent.validate()?;
        for (j, c) in p.cells.iter().enumerate() {
            validate_ring(&format!("panels[{i}].cells[{j}]"), &c.ring)?;
        }
    }
    let name = if input.name.is_empty() { "closeups" } else { input.name.as_str() };
    let painter = CloseupsPainter { input, basemap, caption };
    render_figure(name, &input.title, size, &painter)
}

struct CloseupsPainter<'a> {
    input: &'a CloseupsInput,
    basemap: &'a [Shape],
    caption: &'a Caption,
}

fn rgb(c: [u8; 3]) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

impl CloseupsPainter<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        p: &Panel,
        r: PxRect,
    ) -> Result<(), ChartError> {
        let head = Label::LABEL.bold();
        let (_, th) = c.text_size("Ag", head)?;
        let heading = c.fit_text(&p.title, head, r.w())?;
        c.text(&heading, r.x0, r.y0, head)?;
        let mut top = r.y0 + th + c.px(4.0);
        if !p.note.is_empty() {
            let note_label = Label::TICK.muted();
            let (_, nh) = c.text_size("Ag", note_label)?;
            c.text(&c.fit_text(&p.note, note_label, r.w())?, r.x0, top - c.px(2.0), note_label)?;
            top += nh + c.px(2.0);
        }
        let map = PxRect { y0: top, ..r };
        let view = MapView::fit(&p.extent, map)?;
        draw_basemap(c, &view, self.basemap)?;
        let outline = c.px(0.4);
        for cell in &p.cells {
            let px = view.project_ring(&cell.ring);
            if px.len() < 3 {
                continue;
            }
            c.polygon(&px, rgb(cell.colour), 0.9)?;
            c.mark_polygon(&px, &cell.tip);
            let mut closed = px.clone();
            closed.push(px[0]);
            c.polyline(&closed, style::TEXT_MUTED, 0.7, outline)?;
        }
        // Place labels: a dot and the name to its right, inside the panel, never over an
        // earlier label or the scale bar.
        let mut taken: Vec<PxRect> = self.scale_bar(c, &view, &p.extent)?.into_iter().collect();
        let dot = c.px(1.6);
        let place_name = Label::TICK.anchor(HAlign::Left, VAlign::Middle);
        for place in &p.places {
            let (x, y) = view.project(place.lon, place.lat);
            let (w, h) = c.text_size(&place.name, place_name)?;
            let label = PxRect {
                x0: x - dot,
                y0: y - h / 2.0 - dot,
                x1: x + dot + c.px(3.0) + w,
                y1: y + h / 2.0 + dot,
            };
            if !view.rect.contains(&label) || taken.iter().any(|t| t.overlaps(&label)) {
                continue;
            }
            taken.push(label);
            c.circle((x, y), dot, style::TEXT, 1.0, true, 0.0)?;
            c.text(&place.name, x + dot + c.px(3.0), y, place_name)?;
        }
        c.stroke_rect(view.rect, style::TEXT_MUTED, c.px(0.5))?;
        Ok(())
    }
}

/// The longest round length (1, 2 or 5 times a power of ten) of at most `max_km`
/// kilometres; `None` when `max_km` is not positive and finite.
///
/// ```
/// use divnet::chart::closeups::round_km;
/// assert_eq!(round_km(73.0), Some(50.0));
/// assert_eq!(round_km(199.9), Some(100.0));
/// assert_eq!(round_km(0.3), Some(0.2));
/// assert_eq!(round_km(0.0), None);
/// ```
pub fn round_km(max_km: f64) -> Option<f64> {
    if !(max_km.is_finite() && max_km > 0.0) {
        return None;
    }
    let p = 10f64.powf(max_km.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * p).find(|&l| l <= max_km)
}

/// Mean radius of the Earth in km (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0088;

impl CloseupsPainter<'_> {
    /// Draws a scale bar at the bottom left of the map: a round length of at most a quarter
    /// of the map's width, measured along the parallel through the extent's centre (Equal
    /// Earth keeps areas, not lengths: the bar holds at that latitude, east-west). Returns
    /// the box it covers.
    fn scale_bar<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        view: &MapView,
        e: &Extent,
    ) -> Result<Option<PxRect>, ChartError> {
        let (lon, lat) = ((e.lon_min + e.lon_max) / 2.0, (e.lat_min + e.lat_max) / 2.0);
        let step = 0.1;
        let (x0, _) = view.project(lon, lat);
        let (x1, _) = view.project(lon + step, lat);
        let px_per_km = (x1 - x0) / (EARTH_RADIUS_KM * lat.to_radians().cos() * step.to_radians());
        let Some(km) = round_km(view.rect.w() / 4.0 / px_per_km) else { return Ok(None) };
        let len = km * px_per_km;
        let label = Label::TICK.anchor(HAlign::Center, VAlign::Bottom);
        let text = if km >= 1.0 { format!("{km:.0} km") } else { format!("{km} km") };
        let (tw, th) = c.text_size(&text, label)?;
        let pad = c.px(4.0);
        let (bx, by) = (view.rect.x0 + pad * 2.0, view.rect.y1 - pad * 2.0);
        let mid = bx + len / 2.0;
        let back = PxRect {
            x0: bx.min(mid - tw / 2.0) - pad,
            y0: by - th - c.px(6.0) - pad,
            x1: (bx + len).max(mid + tw / 2.0) + pad,
            y1: by + pad,
        };
        c.fill_rect(back, style::BACKGROUND, 0.8)?;
        let w = c.px(1.0);
        let tick = c.px(3.0);
        c.polyline(&[(bx, by), (bx + len, by)], style::TEXT, 1.0, w)?;
        c.polyline(&[(bx, by - tick), (bx, by)], style::TEXT, 1.0, w)?;
        c.polyline(&[(bx + len, by - tick), (bx + len, by)], style::TEXT, 1.0, w)?;
        c.text(&text, mid, by - tick - c.px(1.0), label)?;
        Ok(Some(back))
    }
}

impl Painter for CloseupsPainter<'_> {
    fn map(&self) -> bool {
        true
    }

    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(&self.input.title, self.caption)?;
        let panels: Vec<&Panel> = self.input.panels.iter().take(MAX_PANELS).collect();
        if panels.is_empty() {
            let why = if self.input.empty_reason.is_empty() {
                "no clusters to show"
            } else {
                &self.input.empty_reason
            };
            return c.no_data(plot, why);
        }
        let (grid, leg) = map_and_legend(plot, c.px(150.0));
        let cols = if panels.len() == 1 { 1 } else { 2 };
        let rows = panels.len().div_ceil(cols);
        let gap = c.px(10.0);
        let w = (grid.w() - gap * (cols - 1) as f64) / cols as f64;
        let h = (grid.h() - gap * (rows - 1) as f64) / rows as f64;
        for (i, p) in panels.iter().enumerate() {
            let (col, row) = ((i % cols) as f64, (i / cols) as f64);
            let x0 = grid.x0 + col * (w + gap);
            let y0 = grid.y0 + row * (h + gap);
            self.panel(c, p, PxRect { x0, y0, x1: x0 + w, y1: y0 + h })?;
        }
        let legend: Vec<(RGBColor, String)> =
            self.input.legend.iter().map(|(col, l)| (rgb(*col), l.clone())).collect();
        c.legend_swatches(&self.input.legend_heading, &legend, leg.x0, leg.y0, leg.w())?;
        Ok(())
    }
}
