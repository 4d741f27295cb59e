//! Event map: dated points (seizures, lootings, conflict events) over the basemap, for the
//! HTML report's "Explore" section. The points are not drawn into the figure: they are its
//! [`Mark`]s, coloured by kind and dated, so that the report can filter them by date.

use plotters::backend::DrawingBackend;

use super::basemap::{Shape, draw_basemap};
use super::flow_map::map_and_legend;
use super::projection::{Extent, MapView};
use super::style::{self, OKABE_ITO};
use super::{Canvas, Caption, ChartError, Figure, Mark, Painter, RenderSize, render_figure};

/// One dated point.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct EventPoint {
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Index into [`EventMapInput::kinds`].
    pub kind: usize,
    /// Days since 1970-01-01 (the first day of its date).
    pub day: i32,
    /// Hover text.
    pub tip: String,
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct EventMapInput {
    /// Title.
    pub title: String,
    /// The kinds of point, named in the legend and coloured in order.
    pub kinds: Vec<String>,
    /// The points.
    pub points: Vec<EventPoint>,
    /// Fixed view; `None` fits the points.
    pub extent: Option<Extent>,
}

/// The colour of the points of kind `k`.
pub fn kind_colour(k: usize) -> [u8; 3] {
    let c = [OKABE_ITO[5], OKABE_ITO[0], OKABE_ITO[4], OKABE_ITO[2], OKABE_ITO[6]][k % 5];
    [c.0, c.1, c.2]
}

/// Renders the map ([`Figure::name`] `"event_map"`): the basemap, the legend of kinds, and
/// one round mark per point inside the view. O(basemap vertices + points).
///
/// # Errors
/// [`ChartError::InvalidValue`] for coordinates off the globe; drawing errors.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, event_map::*};
/// let p = EventPoint { lon: 94.0, lat: 24.8, kind: 0, day: 19500, tip: "SZ-1".into() };
/// let input = EventMapInput { kinds: vec!["seizure".into()], points: vec![p], ..Default::default() };
/// let fig = render(&input, &[], &Caption::default(), RenderSize::PRINT).unwrap();
/// assert_eq!(fig.marks.len(), 1);
/// assert_eq!((fig.marks[0].day, fig.marks[0].colour.is_some()), (Some(19500), true));
/// ```
pub fn render(
    input: &EventMapInput,
    basemap: &[Shape],
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    for (i, p) in input.points.iter().enumerate() {
        super::hotspot_map::validate_ring(&format!("points[{i}]"), &[(p.lon, p.lat)])?;
    }
    if let Some(e) = &input.extent {
        e.validate()?;
    }
    render_figure("event_map", &input.title, size, &EventPainter { input, basemap, caption })
}

struct EventPainter<'a> {
    input: &'a EventMapInput,
    basemap: &'a [Shape],
    caption: &'a Caption,
}

impl Painter for EventPainter<'_> {
    fn map(&self) -> bool {
        true
    }

    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(&self.input.title, self.caption)?;
        if self.input.points.is_empty() {
            return c.no_data(plot, "no located events in this run");
        }
        let (map_r, leg_r) = map_and_legend(plot, c.px(130.0));
        let extent = match self.input.extent {
            Some(e) => e,
            None => Extent::around(self.input.points.iter().map(|p| (p.lon, p.lat)), 0.08, 3.0)
                .unwrap_or(Extent::WORLD),
        };
        let view = MapView::fit(&extent, map_r)?;
        draw_basemap(c, &view, self.basemap)?;
        c.stroke_rect(view.rect, style::TEXT_MUTED, c.px(0.5))?;
        let d = c.px(3.0).round() as i32;
        for p in &self.input.points {
            let (x, y) = view.project(p.lon, p.lat);
            if !(view.rect.x0..=view.rect.x1).contains(&x)
                || !(view.rect.y0..=view.rect.y1).contains(&y)
            {
                continue;
            }
            c.mark(Mark {
                cx: x.round() as i32,
                cy: y.round() as i32,
                w: d,
                h: d,
                round: true,
                tip: p.tip.clone(),
                colour: Some(kind_colour(p.kind)),
                day: Some(p.day),
            });
        }
        let legend: Vec<(plotters::style::RGBColor, String)> = self
            .input
            .kinds
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let [r, g, b] = kind_colour(k);
                (plotters::style::RGBColor(r, g, b), name.clone())
            })
            .collect();
        c.legend_swatches("Events", &legend, leg_r.x0, leg_r.y0, leg_r.w())?;
        Ok(())
    }
}
