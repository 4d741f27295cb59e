//! Hot-spot map: H3 cells coloured by Getis-Ord Gi* confidence bin over the basemap.
//!
//! Bins follow the ArcGIS "Hot Spot Analysis" convention (Getis & Ord 1992; Ord & Getis 1995):
//! -3/-2/-1 = cold spot at 99/95/90 % confidence, 0 = not significant, +1/+2/+3 = hot spot at
//! 90/95/99 %. Colours are ColorBrewer RdBu (7 classes); the legend always lists all seven bins.

use plotters::backend::DrawingBackend;
use plotters::style::RGBColor;

use super::basemap::{Shape, draw_basemap};
use super::flow_map::map_and_legend;
use super::projection::{Extent, MapView};
use super::style::{self, RDBU_7};
use super::{
    Canvas, Caption, ChartError, Figure, Painter, RenderSize, check_finite, render_figure,
};

/// One H3 cell (or any polygon) with its Gi* confidence bin.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct BinnedCell {
    /// Cell boundary as `(lon, lat)` vertices (open or closed ring).
    pub ring: Vec<(f64, f64)>,
    /// Confidence bin in -3..=3.
    pub bin: i8,
    /// What the HTML report shows on hover (empty: nothing).
    #[serde(default)]
    pub tip: String,
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct HotspotMapInput {
    /// Title; empty means "Hot and cold spots (Getis-Ord Gi*)".
    pub title: String,
    /// Cells to colour.
    pub cells: Vec<BinnedCell>,
    /// Fixed view; `None` fits the cells with padding.
    pub extent: Option<Extent>,
}

/// Legend labels of the seven bins, index = bin + 3.
///
/// ```
/// use divnet::chart::hotspot_map::BIN_LABELS;
/// assert_eq!(BIN_LABELS[6], "Hot spot, 99% confidence");
/// assert_eq!(BIN_LABELS[3], "Not significant");
/// ```
pub const BIN_LABELS: [&str; 7] = [
    "Cold spot, 99% confidence",
    "Cold spot, 95% confidence",
    "Cold spot, 90% confidence",
    "Not significant",
    "Hot spot, 90% confidence",
    "Hot spot, 95% confidence",
    "Hot spot, 99% confidence",
];

pub(crate) fn validate_ring(what: &str, ring: &[(f64, f64)]) -> Result<(), ChartError> {
    for &(lon, lat) in ring {
        check_finite(&format!("{what} longitude"), lon)?;
        check_finite(&format!("{what} latitude"), lat)?;
        if lon.abs() > 180.0 || lat.abs() > 90.0 {
            let v = if lon.abs() > 180.0 { lon } else { lat };
            return Err(ChartError::InvalidValue {
                what: what.to_string(),
                value: v,
                reason: "outside the valid lon/lat range",
            });
        }
    }
    Ok(())
}

/// Renders the hot-spot map ([`Figure::name`] `"hotspot_map"`). O(basemap vertices + cell
/// vertices).
///
/// # Errors
/// [`ChartError::InvalidBin`] for a bin outside -3..=3; [`ChartError::InvalidValue`] for bad
/// coordinates or extent; drawing errors.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, hotspot_map::*};
/// let cell = BinnedCell { ring: vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)], bin: 3, ..Default::default() };
/// let input = HotspotMapInput { cells: vec![cell], ..Default::default() };
/// let fig = render(&input, &[], &Caption::default(), RenderSize::PRINT).unwrap();
/// assert!(fig.svg.contains("Hot spot, 99% confidence"));
/// let bad = HotspotMapInput { cells: vec![BinnedCell { ring: vec![], bin: 4, ..Default::default() }], ..input };
/// assert!(render(&bad, &[], &Caption::default(), RenderSize::PRINT).is_err());
/// ```
pub fn render(
    input: &HotspotMapInput,
    basemap: &[Shape],
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    for (i, cell) in input.cells.iter().enumerate() {
        if !(-3..=3).contains(&cell.bin) {
            return Err(ChartError::InvalidBin { value: cell.bin });
        }
        validate_ring(&format!("cells[{i}]"), &cell.ring)?;
    }
    if let Some(e) = &input.extent {
        e.validate()?;
    }
    let title = if input.title.is_empty() {
        "Hot and cold spots (Getis-Ord Gi*)".to_string()
    } else {
        input.title.clone()
    };
    let cells: Vec<(&[(f64, f64)], RGBColor)> =
        input.cells.iter().map(|c| (c.ring.as_slice(), RDBU_7[(c.bin + 3) as usize])).collect();
    let tips = input.cells.iter().map(|c| c.tip.as_str()).collect();
    let legend: Vec<(RGBColor, String)> =
        (0..7).map(|i| (RDBU_7[i], BIN_LABELS[i].to_string())).collect();
    let p = CellMapPainter {
        title: &title,
        caption,
        basemap,
        cells,
        tips,
        extent: input.extent,
        legend_heading: "Gi* confidence bin",
        legend,
        empty_reason: "no hot-spot cells in this run",
    };
    render_figure("hotspot_map", &title, size, &p)
}

/// Shared painter for maps of coloured cells with a swatch legend.
pub(crate) struct CellMapPainter<'a> {
    pub(crate) title: &'a str,
    pub(crate) caption: &'a Caption,
    pub(crate) basemap: &'a [Shape],
    pub(crate) cells: Vec<(&'a [(f64, f64)], RGBColor)>,
    /// Hover text per cell (empty: none).
    pub(crate) tips: Vec<&'a str>,
    pub(crate) extent: Option<Extent>,
    pub(crate) legend_heading: &'a str,
    pub(crate) legend: Vec<(RGBColor, String)>,
    pub(crate) empty_reason: &'a str,
}

impl Painter for CellMapPainter<'_> {
    fn map(&self) -> bool {
        true
    }

    fn paint<DB: DrawingBackend>(&self, c: &Canvas<'_, DB>) -> Result<(), ChartError> {
        let plot = c.frame(self.title, self.caption)?;
        if self.cells.iter().all(|(r, _)| r.len() < 3) {
            return c.no_data(plot, self.empty_reason);
        }
        let (map_r, leg_r) = map_and_legend(plot, c.px(150.0));
        let extent = match self.extent {
            Some(e) => e,
            None => {
                Extent::around(self.cells.iter().flat_map(|(r, _)| r.iter().copied()), 0.1, 2.0)
                    .unwrap_or(Extent::WORLD)
            }
        };
        let view = MapView::fit(&extent, map_r)?;
        draw_basemap(c, &view, self.basemap)?;
        let outline = c.px(0.3);
        for (k, (ring, col)) in self.cells.iter().enumerate() {
            let px = view.project_ring(ring);
            if px.len() < 3 {
                continue;
            }
            c.mark_polygon(&px, self.tips.get(k).copied().unwrap_or_default());
            // A cell smaller than a legible mark at this scale (fine cells on a wide view)
            // is drawn as a dot of its colour at its centre instead.
            let (x0, x1) = px
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.0), a.1.max(p.0)));
            let (y0, y1) = px
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.1), a.1.max(p.1)));
            let min_mark = c.px(2.5);
            if (x1 - x0).max(y1 - y0) < min_mark {
                let centre = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
                c.circle(centre, min_mark / 2.0, *col, 0.9, true, 0.0)?;
                c.circle(centre, min_mark / 2.0, style::TEXT_MUTED, 0.6, false, outline)?;
                continue;
            }
            c.polygon(&px, *col, 0.9)?;
            let mut closed = px.clone();
            closed.push(px[0]);
            c.polyline(&closed, style::TEXT_MUTED, 0.6, outline)?;
        }
        c.stroke_rect(view.rect, style::TEXT_MUTED, c.px(0.5))?;
        c.legend_swatches(self.legend_heading, &self.legend, leg_r.x0, leg_r.y0, leg_r.w())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_bin_carries_value() {
        let input = HotspotMapInput {
            cells: vec![BinnedCell { ring: vec![(0.0, 0.0); 3], bin: -4, ..Default::default() }],
            ..Default::default()
        };
        let e = render(&input, &[], &Caption::default(), RenderSize::PRINT).unwrap_err();
        assert_eq!(e, ChartError::InvalidBin { value: -4 });
    }
}
