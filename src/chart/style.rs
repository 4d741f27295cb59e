//! Palettes, the embedded font and print sizes shared by every figure.
//!
//! * Categories use the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), which
//!   stays distinguishable under the common colour-vision deficiencies.
//! * Getis-Ord Gi* confidence bins use the seven-class ColorBrewer RdBu diverging scheme
//!   (Harrower & Brewer 2003), reversed so that hot spots are red and cold spots are blue.
//! * Quantities use a viridis ramp (van der Walt & Smith 2015), perceptually uniform and
//!   readable in greyscale.
//! * Text uses DejaVu Sans, embedded in the binary (`src/chart/fonts/`, Bitstream Vera licence in
//!   `src/chart/fonts/LICENSE`) and registered once with plotters' `ab_glyph` font table; the
//!   system font configuration is never consulted.

use std::sync::OnceLock;

use plotters::style::{FontStyle, RGBColor};

use super::ChartError;

/// Font family name under which the embedded DejaVu Sans is registered.
///
/// The name doubles as a CSS font-family list in SVG output (`font-family="DejaVu Sans,
/// sans-serif"`), so browsers without DejaVu fall back to a generic sans-serif face.
///
/// ```
/// assert_eq!(divnet::chart::style::FONT_FAMILY, "DejaVu Sans, sans-serif");
/// ```
pub const FONT_FAMILY: &str = "DejaVu Sans, sans-serif";

static DEJAVU_SANS: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static DEJAVU_SANS_BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");
static FONTS: OnceLock<Result<(), String>> = OnceLock::new();

/// Registers the embedded regular and bold DejaVu Sans faces with plotters, exactly once.
///
/// Later calls return the cached outcome in O(1). Every render entry point calls this, so callers
/// only need it when drawing with plotters directly.
///
/// # Errors
/// [`ChartError::Font`] if a face cannot be parsed (only possible with a corrupted build).
///
/// ```
/// divnet::chart::style::ensure_fonts().unwrap();
/// assert!(divnet::chart::style::ensure_fonts().is_ok());
/// ```
pub fn ensure_fonts() -> Result<(), ChartError> {
    FONTS
        .get_or_init(|| {
            plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, DEJAVU_SANS)
                .map_err(|_| "DejaVuSans.ttf".to_string())?;
            plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, DEJAVU_SANS_BOLD)
                .map_err(|_| "DejaVuSans-Bold.ttf".to_string())
        })
        .clone()
        .map_err(|face| ChartError::Font { face })
}

/// The eight Okabe-Ito colours, black last (orange, sky blue, bluish green, yellow, blue,
/// vermillion, reddish purple, black).
///
/// ```
/// use divnet::chart::style::OKABE_ITO;
/// assert_eq!((OKABE_ITO[4].0, OKABE_ITO[4].1, OKABE_ITO[4].2), (0, 114, 178));
/// ```
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(240, 228, 66),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(0, 0, 0),
];

/// ColorBrewer RdBu, 7 classes, indexed by Gi* bin + 3 (index 0 = 99 % cold, 6 = 99 % hot).
///
/// ```
/// use divnet::chart::style::RDBU_7;
/// assert_eq!((RDBU_7[6].0, RDBU_7[6].1, RDBU_7[6].2), (178, 24, 43));
/// ```
pub const RDBU_7: [RGBColor; 7] = [
    RGBColor(33, 102, 172),
    RGBColor(103, 169, 207),
    RGBColor(209, 229, 240),
    RGBColor(247, 247, 247),
    RGBColor(253, 219, 199),
    RGBColor(239, 138, 98),
    RGBColor(178, 24, 43),
];

/// Ten evenly spaced stops of the viridis colour map, dark purple to yellow.
const VIRIDIS: [(u8, u8, u8); 10] = [
    (68, 1, 84),
    (72, 40, 120),
    (62, 73, 137),
    (49, 104, 142),
    (38, 130, 142),
    (31, 158, 137),
    (53, 183, 121),
    (110, 206, 88),
    (181, 222, 43),
    (253, 231, 37),
];

/// Samples the viridis ramp at `t` in [0, 1] (clamped; NaN maps to 0) by linear interpolation
/// between ten stops. O(1).
///
/// ```
/// use divnet::chart::style::viridis;
/// let c = viridis(0.0);
/// assert_eq!((c.0, c.1, c.2), (68, 1, 84));
/// let c = viridis(1.0);
/// assert_eq!((c.0, c.1, c.2), (253, 231, 37));
/// ```
pub fn viridis(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Page background.
pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
/// Main text colour.
pub const TEXT: RGBColor = RGBColor(33, 33, 33);
/// Secondary text colour (captions, ticks, notes).
pub const TEXT_MUTED: RGBColor = RGBColor(97, 97, 97);
/// Axis and grid line colour.
pub const GRID: RGBColor = RGBColor(224, 224, 224);
/// Ocean / map background.
pub const OCEAN: RGBColor = RGBColor(238, 243, 247);
/// Land fill of the basemap.
pub const LAND: RGBColor = RGBColor(221, 221, 221);
/// Country border colour.
pub const BORDER: RGBColor = RGBColor(255, 255, 255);
/// Colour for "no value" cells (zero flows, no pattern).
pub const NO_VALUE: RGBColor = RGBColor(217, 217, 217);

/// Output raster size and resolution; font sizes are given in points and scaled by `dpi`.
///
/// [`RenderSize::PRINT`] is 2400 x 1500 px, i.e. 8 x 5 in at 300 dpi.
///
/// ```
/// use divnet::chart::style::RenderSize;
/// let s = RenderSize::PRINT;
/// assert_eq!((s.width, s.height, s.dpi), (2400, 1500, 300));
/// // 10 pt at 300 dpi is 41.67 px per em; plotters sizes are ascent+descent (1.164 em).
/// assert!((s.font_px(10.0) - 48.5).abs() < 0.1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderSize {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Dots per inch used to convert point sizes to pixels.
    pub dpi: u32,
}

impl RenderSize {
    /// 8 x 5 in at 300 dpi (2400 x 1500 px).
    pub const PRINT: RenderSize = RenderSize { width: 2400, height: 1500, dpi: 300 };

    /// Pixel size for plotters (ascent + descent of DejaVu Sans, 1.164 em) of a `pt`-point font.
    pub fn font_px(&self, pt: f64) -> f64 {
        pt * f64::from(self.dpi) / 72.0 * 1.164
    }

    /// Pixels for a length of `pt` points (1/72 in).
    pub fn px(&self, pt: f64) -> f64 {
        pt * f64::from(self.dpi) / 72.0
    }
}

/// Font sizes in points.
pub mod pt {
    /// Figure title.
    pub const TITLE: f64 = 13.0;
    /// Panel titles and legend headings.
    pub const HEADING: f64 = 9.5;
    /// Axis titles and labels.
    pub const LABEL: f64 = 8.5;
    /// Tick labels, legend entries.
    pub const TICK: f64 = 7.5;
    /// Caption line.
    pub const CAPTION: f64 = 6.5;
}
