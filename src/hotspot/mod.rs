//! Regional hotspot statistics over H3 cells.
//!
//! The pipeline is a chain of pure functions over plain data:
//!
//! 1. [`binning::bin_events`] aggregates weighted events into H3 cells (h3o).
//! 2. [`domain::build_study_area`] fixes the study area ([`domain::Domain`]): which cells take
//!    part in the statistic, empty ones with value 0.
//! 3. [`weights::NeighbourLists::h3_k_ring`] builds binary k-ring weights inside the study area.
//! 4. [`gistar::gi_star`] computes Getis-Ord Gi* z-scores, two-sided normal p-values,
//!    Benjamini-Hochberg adjusted p-values ([`fdr::benjamini_hochberg`]) and ArcGIS confidence
//!    bins; [`permutation::gi_star_pseudo_p`] adds conditional-permutation pseudo p-values.
//! 5. [`trend::mann_kendall`] and [`emerging::emerging_hotspots`] implement the Mann-Kendall
//!    trend test and ArcGIS-style Emerging Hot Spot Analysis over a space-time cube.
//!
//! The exact rules (study areas, weights, undefined cases, emerging categories) are written in
//! `docs/hotspots.md`.
//!
//! ```
//! use divnet::hotspot::{Event, analyse_events, HotspotOptions};
//! let events = vec![Event { lat: 12.0, lon: 3.0, step: None, weight: 2.0 }];
//! let cells = analyse_events(&events, &HotspotOptions::default())?;
//! // one occupied resolution-6 cell plus its 6 ring neighbours
//! assert_eq!(cells.len(), 7);
//! # Ok::<(), divnet::hotspot::HotspotError>(())
//! ```

pub mod binning;
pub mod domain;
pub mod emerging;
pub mod fdr;
pub mod gistar;
pub mod permutation;
pub mod trend;
pub mod weights;

pub use binning::{CellValue, bin_events};
pub use domain::{Domain, StudyArea, build_study_area};
pub use emerging::{
    EmergingCategory, EmergingCell, EmergingOptions, Significance, SpaceTimeCube,
    build_space_time_cube, classify_series, emerging_hotspots,
};
pub use fdr::benjamini_hochberg;
pub use gistar::{GiStarCell, GiStarOptions, GiStatus, confidence_bin, gi_star, gi_star_cells};
pub use permutation::{PermutationDraws, gi_star_pseudo_p};
pub use trend::{MannKendall, TrendDirection, mann_kendall};
pub use weights::NeighbourLists;

/// One weighted event: a seizure, looting incident or route report located at a point.
///
/// `lat`/`lon` are WGS84 degrees; `step` is the time-step index used by the space-time cube
/// (ignored by the purely spatial functions); `weight` is the quantity aggregated per cell
/// (e.g. 1.0 per incident, or the number of weapons).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// Latitude in degrees, `-90..=90`.
    pub lat: f64,
    /// Longitude in degrees, `-180..=180`.
    pub lon: f64,
    /// Time-step index (0-based) for space-time analysis.
    pub step: Option<u32>,
    /// Non-negative finite weight.
    pub weight: f64,
}

/// Errors of the hotspot module; each carries the offending value and the reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HotspotError {
    /// H3 resolution outside `0..=15`.
    #[error("invalid H3 resolution {0}: must be in 0..=15")]
    InvalidResolution(u8),
    /// Event coordinate not finite or out of range.
    #[error("event {index}: invalid coordinate (lat {lat}, lon {lon}): {reason}")]
    InvalidCoordinate {
        /// Position of the event in the input slice.
        index: usize,
        /// Latitude given.
        lat: f64,
        /// Longitude given.
        lon: f64,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Event weight negative or not finite.
    #[error("event {index}: invalid weight {weight}: must be finite and >= 0")]
    InvalidWeight {
        /// Position of the event in the input slice.
        index: usize,
        /// Weight given.
        weight: f64,
    },
    /// Event without a time step (or out of the cube) in a space-time analysis.
    #[error("event {index}: invalid time step {step:?}: {reason}")]
    InvalidStep {
        /// Position of the event in the input slice.
        index: usize,
        /// Step given.
        step: Option<u32>,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Malformed bounding box.
    #[error(
        "invalid bounding box (west {west}, south {south}, east {east}, north {north}): {reason}"
    )]
    InvalidBbox {
        /// West longitude.
        west: f64,
        /// South latitude.
        south: f64,
        /// East longitude.
        east: f64,
        /// North latitude.
        north: f64,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The study area would exceed the configured number of cells.
    #[error(
        "the study area exceeds {max} cells, the most divnet builds; choose a coarser resolution (`[hotspots] resolution`, `--resolution`) or a smaller study area (`domain = \"bbox\"` with `bbox`)"
    )]
    DomainTooLarge {
        /// Configured maximum.
        max: usize,
    },
    /// A numeric parameter or input value is out of its domain.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Value given (formatted).
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Two inputs that must have the same length do not.
    #[error("length mismatch: {what} has {got} entries, expected {expected}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Length given.
        got: usize,
        /// Length expected.
        expected: usize,
    },
}

/// Options of the one-call spatial analysis [`analyse_events`].
#[derive(Debug, Clone, PartialEq)]
pub struct HotspotOptions {
    /// H3 resolution `0..=15` (default 6).
    pub resolution: u8,
    /// Study area (default `Domain::Ring { k: 1 }`).
    pub domain: Domain,
    /// Maximum number of study-area cells (default 5,000,000).
    pub max_cells: usize,
    /// Gi* options (k-ring, FDR, parallelism).
    pub gi: GiStarOptions,
}

impl Default for HotspotOptions {
    fn default() -> Self {
        Self {
            resolution: 6,
            domain: Domain::default(),
            max_cells: 5_000_000,
            gi: GiStarOptions::default(),
        }
    }
}

/// Bins `events`, builds the study area and computes Gi* for every study-area cell.
///
/// Method: H3 binning (h3o) + Getis-Ord (1992/1995) Gi* with binary k-ring weights, as
/// [`gi_star_cells`]. Complexity: O(E log E + C k²) with E events and C study-area cells.
/// `options.gi.parallelism` selects the thread use; the result is bit-identical either way.
///
/// ```
/// use divnet::hotspot::{Event, GiStatus, HotspotOptions, analyse_events};
/// let events = vec![Event { lat: 0.0, lon: 0.0, step: None, weight: 1.0 }];
/// let out = analyse_events(&events, &HotspotOptions::default())?;
/// assert_eq!(out.len(), 7);
/// // the occupied cell's ring is the whole study area: its Gi* variance is zero
/// let centre = out.iter().find(|c| c.gi.value == 1.0).unwrap();
/// assert_eq!(centre.gi.status, GiStatus::WholeDomain);
/// assert_eq!(out.iter().filter(|c| c.gi.status == GiStatus::Defined).count(), 6);
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn analyse_events(
    events: &[Event],
    options: &HotspotOptions,
) -> Result<Vec<GiStarCell>, HotspotError> {
    let binned = bin_events(events, options.resolution, options.gi.parallelism)?;
    analyse_binned(&binned, options)
}

/// [`analyse_events`] on events already binned ([`bin_events`], [`binning::sum_cells`]).
pub fn analyse_binned(
    binned: &[CellValue],
    options: &HotspotOptions,
) -> Result<Vec<GiStarCell>, HotspotError> {
    let area = build_study_area(
        binned,
        options.resolution,
        &options.domain,
        options.max_cells,
        options.gi.parallelism,
    )?;
    gi_star_cells(&area, &options.gi)
}
