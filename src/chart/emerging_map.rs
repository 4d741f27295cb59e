//! Emerging hot-spot map: cells coloured by space-time pattern category.
//!
//! Categories are those of the emerging hot spot analysis in ArcGIS Pro (Getis-Ord Gi* per time
//! step combined with a Mann-Kendall trend test): new, consecutive, intensifying, persistent,
//! diminishing, sporadic, oscillating and historical hot spots, their cold counterparts, and no
//! pattern. Hot categories use warm hues, cold ones cool hues; the legend names only the
//! categories present, in the canonical order of [`EmergingCategory::ALL`].

use plotters::style::RGBColor;

use super::basemap::Shape;
use super::hotspot_map::{CellMapPainter, validate_ring};
use super::projection::Extent;
use super::{Caption, ChartError, Figure, RenderSize, render_figure};

/// Emerging hot-spot pattern category.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[allow(missing_docs)]
pub enum EmergingCategory {
    NewHot,
    ConsecutiveHot,
    IntensifyingHot,
    PersistentHot,
    DiminishingHot,
    SporadicHot,
    OscillatingHot,
    HistoricalHot,
    NewCold,
    ConsecutiveCold,
    IntensifyingCold,
    PersistentCold,
    DiminishingCold,
    SporadicCold,
    OscillatingCold,
    HistoricalCold,
    NoPattern,
}

impl EmergingCategory {
    /// All 17 categories in legend order.
    pub const ALL: [EmergingCategory; 17] = [
        Self::NewHot,
        Self::ConsecutiveHot,
        Self::IntensifyingHot,
        Self::PersistentHot,
        Self::DiminishingHot,
        Self::SporadicHot,
        Self::OscillatingHot,
        Self::HistoricalHot,
        Self::NewCold,
        Self::ConsecutiveCold,
        Self::IntensifyingCold,
        Self::PersistentCold,
        Self::DiminishingCold,
        Self::SporadicCold,
        Self::OscillatingCold,
        Self::HistoricalCold,
        Self::NoPattern,
    ];

    /// Legend label. O(1).
    ///
    /// ```
    /// use divnet::chart::emerging_map::EmergingCategory;
    /// assert_eq!(EmergingCategory::IntensifyingHot.label(), "Intensifying hot spot");
    /// assert_eq!(EmergingCategory::NoPattern.label(), "No pattern detected");
    /// ```
    pub fn label(self) -> &'static str {
        use EmergingCategory::*;
        match self {
            NewHot => "New hot spot",
            ConsecutiveHot => "Consecutive hot spot",
            IntensifyingHot => "Intensifying hot spot",
            PersistentHot => "Persistent hot spot",
            DiminishingHot => "Diminishing hot spot",
            SporadicHot => "Sporadic hot spot",
            OscillatingHot => "Oscillating hot spot",
            HistoricalHot => "Historical hot spot",
            NewCold => "New cold spot",
            ConsecutiveCold => "Consecutive cold spot",
            IntensifyingCold => "Intensifying cold spot",
            PersistentCold => "Persistent cold spot",
            DiminishingCold => "Diminishing cold spot",
            SporadicCold => "Sporadic cold spot",
            OscillatingCold => "Oscillating cold spot",
            HistoricalCold => "Historical cold spot",
            NoPattern => "No pattern detected",
        }
    }

    /// Fill colour (warm hues for hot, cool hues for cold, grey for no pattern). O(1).
    pub fn color(self) -> RGBColor {
        use EmergingCategory::*;
        match self {
            NewHot => RGBColor(253, 174, 97),
            ConsecutiveHot => RGBColor(244, 109, 67),
            IntensifyingHot => RGBColor(215, 48, 39),
            PersistentHot => RGBColor(165, 0, 38),
            DiminishingHot => RGBColor(254, 224, 144),
            SporadicHot => RGBColor(224, 130, 20),
            OscillatingHot => RGBColor(197, 27, 125),
            HistoricalHot => RGBColor(140, 81, 10),
            NewCold => RGBColor(171, 217, 233),
            ConsecutiveCold => RGBColor(116, 173, 209),
            IntensifyingCold => RGBColor(69, 117, 180),
            PersistentCold => RGBColor(49, 54, 149),
            DiminishingCold => RGBColor(224, 243, 248),
            SporadicCold => RGBColor(53, 151, 143),
            OscillatingCold => RGBColor(118, 42, 131),
            HistoricalCold => RGBColor(1, 102, 94),
            NoPattern => RGBColor(245, 245, 245),
        }
    }
}

/// One cell with its pattern category.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CategorizedCell {
    /// Cell boundary as `(lon, lat)` vertices.
    pub ring: Vec<(f64, f64)>,
    /// Pattern category.
    pub category: EmergingCategory,
    /// What the HTML report shows on hover (empty: nothing).
    #[serde(default)]
    pub tip: String,
}

/// Input of [`render`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct EmergingMapInput {
    /// Title; empty means "Emerging hot spots".
    pub title: String,
    /// Cells to colour.
    pub cells: Vec<CategorizedCell>,
    /// Fixed view; `None` fits the cells with padding.
    pub extent: Option<Extent>,
}

/// Renders the emerging hot-spot map ([`Figure::name`] `"emerging_map"`). O(basemap vertices +
/// cell vertices).
///
/// # Errors
/// [`ChartError::InvalidValue`] for bad coordinates or extent; drawing errors.
///
/// ```
/// use divnet::chart::{Caption, RenderSize, emerging_map::*};
/// let cell = CategorizedCell { ring: vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)],
///     category: EmergingCategory::NewHot, tip: String::new() };
/// let input = EmergingMapInput { cells: vec![cell], ..Default::default() };
/// let fig = render(&input, &[], &Caption::default(), RenderSize::PRINT).unwrap();
/// assert!(fig.svg.contains("New hot spot") && !fig.svg.contains("New cold spot"));
/// ```
pub fn render(
    input: &EmergingMapInput,
    basemap: &[Shape],
    caption: &Caption,
    size: RenderSize,
) -> Result<Figure, ChartError> {
    for (i, cell) in input.cells.iter().enumerate() {
        validate_ring(&format!("cells[{i}]"), &cell.ring)?;
    }
    if let Some(e) = &input.extent {
        e.validate()?;
    }
    let title =
        if input.title.is_empty() { "Emerging hot spots".to_string() } else { input.title.clone() };
    let present: std::collections::BTreeSet<EmergingCategory> =
        input.cells.iter().map(|c| c.category).collect();
    let legend: Vec<(RGBColor, String)> = EmergingCategory::ALL
        .iter()
        .filter(|k| present.contains(k))
        .map(|k| (k.color(), k.label().to_string()))
        .collect();
    let p = CellMapPainter {
        title: &title,
        caption,
        basemap,
        cells: input.cells.iter().map(|c| (c.ring.as_slice(), c.category.color())).collect(),
        tips: input.cells.iter().map(|c| c.tip.as_str()).collect(),
        extent: input.extent,
        legend_heading: "Space-time pattern",
        legend,
        empty_reason: "no emerging hot-spot cells in this run",
    };
    render_figure("emerging_map", &title, size, &p)
}
