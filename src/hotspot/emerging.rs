//! Emerging Hot Spot Analysis over a space-time cube of H3 cells.

use h3o::CellIndex;
use rayon::prelude::*;

use super::binning::{CellValue, event_cell, resolution};
use super::domain::{Domain, build_study_area};
use super::gistar::{GiStarOptions, gi_star};
use super::trend::{MannKendall, TrendDirection, mann_kendall};
use super::weights::NeighbourLists;
use super::{Event, HotspotError};
use crate::algo::Parallelism;

/// Space-time cube: `cells.len()` cells x `n_steps` steps, values cell-major
/// (`values[c * n_steps + t]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpaceTimeCube {
    /// Cells, strictly increasing by index.
    pub cells: Vec<CellIndex>,
    /// Number of time steps.
    pub n_steps: usize,
    /// Values, cell-major.
    pub values: Vec<f64>,
}

/// Significance of one bin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Significance {
    /// z > 0 and p < alpha.
    Hot,
    /// z < 0 and p < alpha.
    Cold,
    /// Not significant or Gi* undefined.
    None,
}

/// ArcGIS Emerging Hot Spot Analysis pattern of a location. Rules in `docs/hotspots.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EmergingCategory {
    /// None of the patterns below.
    NoPattern,
    /// Hot in the final step only (no significant bin before).
    NewHotSpot,
    /// Final run of >= 2 hot bins, no significant bin before it, < 90 % hot.
    ConsecutiveHotSpot,
    /// >= 90 % hot incl. the final step, significant increasing z trend.
    IntensifyingHotSpot,
    /// >= 90 % hot incl. the final step, no significant trend.
    PersistentHotSpot,
    /// >= 90 % hot incl. the final step, significant decreasing z trend.
    DiminishingHotSpot,
    /// Hot in the final step, on-and-off hot before, < 90 % hot, never cold.
    SporadicHotSpot,
    /// Hot in the final step, cold in some earlier step, < 90 % hot.
    OscillatingHotSpot,
    /// Not significant in the final step, >= 90 % hot.
    HistoricalHotSpot,
    /// Cold mirror of `NewHotSpot`.
    NewColdSpot,
    /// Cold mirror of `ConsecutiveHotSpot`.
    ConsecutiveColdSpot,
    /// Cold mirror of `IntensifyingHotSpot` (z trend significantly decreasing).
    IntensifyingColdSpot,
    /// Cold mirror of `PersistentHotSpot`.
    PersistentColdSpot,
    /// Cold mirror of `DiminishingHotSpot` (z trend significantly increasing).
    DiminishingColdSpot,
    /// Cold mirror of `SporadicHotSpot`.
    SporadicColdSpot,
    /// Cold mirror of `OscillatingHotSpot`.
    OscillatingColdSpot,
    /// Cold mirror of `HistoricalHotSpot`.
    HistoricalColdSpot,
}

impl EmergingCategory {
    /// ArcGIS label, e.g. "Intensifying Hot Spot" or "No Pattern Detected".
    ///
    /// ```
    /// use divnet::hotspot::EmergingCategory;
    /// assert_eq!(EmergingCategory::OscillatingColdSpot.label(), "Oscillating Cold Spot");
    /// ```
    #[must_use]
    pub fn label(self) -> &'static str {
        use EmergingCategory::*;
        match self {
            NoPattern => "No Pattern Detected",
            NewHotSpot => "New Hot Spot",
            ConsecutiveHotSpot => "Consecutive Hot Spot",
            IntensifyingHotSpot => "Intensifying Hot Spot",
            PersistentHotSpot => "Persistent Hot Spot",
            DiminishingHotSpot => "Diminishing Hot Spot",
            SporadicHotSpot => "Sporadic Hot Spot",
            OscillatingHotSpot => "Oscillating Hot Spot",
            HistoricalHotSpot => "Historical Hot Spot",
            NewColdSpot => "New Cold Spot",
            ConsecutiveColdSpot => "Consecutive Cold Spot",
            IntensifyingColdSpot => "Intensifying Cold Spot",
            PersistentColdSpot => "Persistent Cold Spot",
            DiminishingColdSpot => "Diminishing Cold Spot",
            SporadicColdSpot => "Sporadic Cold Spot",
            OscillatingColdSpot => "Oscillating Cold Spot",
            HistoricalColdSpot => "Historical Cold Spot",
        }
    }
}

/// Options of [`emerging_hotspots`].
#[derive(Debug, Clone, PartialEq)]
pub struct EmergingOptions {
    /// Spatial k-ring (default 1).
    pub k: u32,
    /// Neighbourhood time steps: the same neighbourhood in the previous `time_lag` steps also
    /// counts (default 1; 0 = purely spatial neighbourhoods).
    pub time_lag: usize,
    /// Bin significance level (default 0.05).
    pub alpha: f64,
    /// Use Benjamini-Hochberg adjusted p-values (over all bins of the cube) for bin
    /// significance (default true).
    pub fdr: bool,
    /// Mann-Kendall significance level for the trend of the z-scores (default 0.05).
    pub trend_alpha: f64,
    /// Thread use (default [`Parallelism::Rayon`]); results are bit-identical either way.
    pub parallelism: Parallelism,
}

impl Default for EmergingOptions {
    fn default() -> Self {
        Self {
            k: 1,
            time_lag: 1,
            alpha: 0.05,
            fdr: true,
            trend_alpha: 0.05,
            parallelism: Parallelism::Rayon,
        }
    }
}

/// Emerging hot spot result of one cell.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EmergingCell {
    /// The cell.
    pub cell: CellIndex,
    /// Its pattern.
    pub category: EmergingCategory,
    /// Gi* z-score per step (None where undefined).
    pub z: Vec<Option<f64>>,
    /// Significance per step.
    pub significance: Vec<Significance>,
    /// Mann-Kendall test of the z series (undefined z taken as 0); None for one step.
    pub trend: Option<MannKendall>,
}

/// Builds a space-time cube from events with `step` in `0..n_steps`.
///
/// Method: h3o binning per (cell, step), weights summed in input order; the cube's cells are
/// the study area ([`build_study_area`]) of the cells occupied at any step. Complexity
/// O(E log E + C n_steps). Bit-identical for either [`Parallelism`].
///
/// Errors: as [`super::bin_events`] and [`build_study_area`], plus
/// [`HotspotError::InvalidStep`] for a missing step or one `>= n_steps`, and
/// [`HotspotError::InvalidParameter`] for `n_steps == 0`.
///
/// ```
/// use divnet::algo::Parallelism;
/// use divnet::hotspot::{Domain, Event, build_space_time_cube};
/// let e = |step, weight| Event { lat: 1.0, lon: 1.0, step: Some(step), weight };
/// let events = [e(0, 1.0), e(2, 4.0), e(2, 1.0)];
/// let cube = build_space_time_cube(&events, 5, 3, &Domain::Occupied, 100, Parallelism::Sequential)?;
/// assert_eq!(cube.values, vec![1.0, 0.0, 5.0]);
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn build_space_time_cube(
    events: &[Event],
    resolution_: u8,
    n_steps: usize,
    domain: &Domain,
    max_cells: usize,
    parallelism: Parallelism,
) -> Result<SpaceTimeCube, HotspotError> {
    let res = resolution(resolution_)?;
    if n_steps == 0 {
        return Err(HotspotError::InvalidParameter {
            name: "n_steps",
            value: "0".into(),
            reason: "must be at least 1",
        });
    }
    let map = |(i, e): (usize, &Event)| -> Result<(u64, usize, f64), HotspotError> {
        let cell = event_cell(i, e, res)?;
        let step = match e.step {
            Some(s) if (s as usize) < n_steps => s as usize,
            Some(_) => {
                return Err(HotspotError::InvalidStep {
                    index: i,
                    step: e.step,
                    reason: "step must be < n_steps",
                });
            }
            None => {
                return Err(HotspotError::InvalidStep {
                    index: i,
                    step: None,
                    reason: "space-time analysis needs a step on every event",
                });
            }
        };
        Ok((u64::from(cell), step, e.weight))
    };
    let mut triples: Vec<(u64, usize, f64)> = if parallelism == Parallelism::Rayon {
        events.par_iter().enumerate().map(map).collect::<Result<_, _>>()?
    } else {
        events.iter().enumerate().map(map).collect::<Result<_, _>>()?
    };
    if parallelism == Parallelism::Rayon {
        triples.par_sort_by_key(|t| (t.0, t.1));
    } else {
        triples.sort_by_key(|t| (t.0, t.1));
    }
    let mut occupied: Vec<CellValue> = Vec::new();
    for t in &triples {
        match occupied.last_mut() {
            Some(last) if u64::from(last.cell) == t.0 => {
                last.value += t.2;
                last.count += 1;
            }
            _ => {
                if let Ok(cell) = CellIndex::try_from(t.0) {
                    occupied.push(CellValue { cell, value: t.2, count: 1 });
                }
            }
        }
    }
    let area = build_study_area(&occupied, resolution_, domain, max_cells, parallelism)?;
    let mut values = vec![0.0; area.cells.len() * n_steps];
    for t in &triples {
        if let Ok(cell) = CellIndex::try_from(t.0)
            && let Ok(c) = area.cells.binary_search(&cell)
        {
            values[c * n_steps + t.1] += t.2;
        }
    }
    Ok(SpaceTimeCube { cells: area.cells, n_steps, values })
}

#[derive(Clone, Copy)]
enum Pattern {
    New,
    Consecutive,
    Intensifying,
    Persistent,
    Diminishing,
    Sporadic,
    Oscillating,
}

fn at_least_90(count: usize, n: usize) -> bool {
    10 * count >= 9 * n
}

/// Pattern of side `s` (Hot or Cold) when the final bin is `s`.
fn final_pattern(
    sig: &[Significance],
    s: Significance,
    o: Significance,
    trend: Option<TrendDirection>,
    toward: TrendDirection,
) -> Pattern {
    let n = sig.len();
    if n == 1 {
        return Pattern::New;
    }
    let count = sig.iter().filter(|&&x| x == s).count();
    if at_least_90(count, n) {
        return match trend {
            Some(t) if t == toward => Pattern::Intensifying,
            Some(TrendDirection::NoTrend) | None => Pattern::Persistent,
            Some(_) => Pattern::Diminishing,
        };
    }
    let significant_before = |end: usize| sig[..end].iter().any(|&x| x != Significance::None);
    if !significant_before(n - 1) {
        return Pattern::New;
    }
    let run = sig.iter().rev().take_while(|&&x| x == s).count();
    if run >= 2 && !significant_before(n - run) {
        return Pattern::Consecutive;
    }
    if sig.contains(&o) { Pattern::Oscillating } else { Pattern::Sporadic }
}

/// Classifies one location from its per-step significance and the Mann-Kendall trend
/// direction of its z-scores (None when not computed, e.g. one step).
///
/// Method: ArcGIS Emerging Hot Spot Analysis definitions with the precedence and edge cases
/// documented in `docs/hotspots.md`. Complexity O(n).
///
/// ```
/// use divnet::hotspot::Significance::{Cold, Hot, None as N};
/// use divnet::hotspot::{EmergingCategory, TrendDirection, classify_series};
/// assert_eq!(classify_series(&[N, N, N, Hot], None), EmergingCategory::NewHotSpot);
/// assert_eq!(classify_series(&[N, N, Hot, Hot], None), EmergingCategory::ConsecutiveHotSpot);
/// assert_eq!(classify_series(&[Hot, N, Hot, Hot], None), EmergingCategory::SporadicHotSpot);
/// assert_eq!(classify_series(&[Hot, Cold, N, Hot], None), EmergingCategory::OscillatingHotSpot);
/// let down = Some(TrendDirection::Decreasing);
/// assert_eq!(classify_series(&[Cold; 10], down), EmergingCategory::IntensifyingColdSpot);
/// ```
#[must_use]
pub fn classify_series(sig: &[Significance], trend: Option<TrendDirection>) -> EmergingCategory {
    use EmergingCategory as C;
    use Significance::{Cold, Hot};
    let n = sig.len();
    let Some(&last) = sig.last() else {
        return C::NoPattern;
    };
    match last {
        Hot => match final_pattern(sig, Hot, Cold, trend, TrendDirection::Increasing) {
            Pattern::New => C::NewHotSpot,
            Pattern::Consecutive => C::ConsecutiveHotSpot,
            Pattern::Intensifying => C::IntensifyingHotSpot,
            Pattern::Persistent => C::PersistentHotSpot,
            Pattern::Diminishing => C::DiminishingHotSpot,
            Pattern::Sporadic => C::SporadicHotSpot,
            Pattern::Oscillating => C::OscillatingHotSpot,
        },
        Cold => match final_pattern(sig, Cold, Hot, trend, TrendDirection::Decreasing) {
            Pattern::New => C::NewColdSpot,
            Pattern::Consecutive => C::ConsecutiveColdSpot,
            Pattern::Intensifying => C::IntensifyingColdSpot,
            Pattern::Persistent => C::PersistentColdSpot,
            Pattern::Diminishing => C::DiminishingColdSpot,
            Pattern::Sporadic => C::SporadicColdSpot,
            Pattern::Oscillating => C::OscillatingColdSpot,
        },
        Significance::None => {
            let hot = sig.iter().filter(|&&x| x == Hot).count();
            let cold = sig.iter().filter(|&&x| x == Cold).count();
            if at_least_90(hot, n) {
                C::HistoricalHotSpot
            } else if at_least_90(cold, n) {
                C::HistoricalColdSpot
            } else {
                C::NoPattern
            }
        }
    }
}

/// Emerging Hot Spot Analysis (ArcGIS): space-time Gi* per bin, Mann-Kendall on each cell's
/// z series, and the 17 pattern categories.
///
/// Method: observations are all `cells x steps` bins (population for the Gi* moments is the
/// whole cube); bin `(c, t)` has binary weights on the bins of `grid_disk(k)` of `c` (inside
/// the cube) at steps `t - time_lag ..= t`, self weight 1 ([`NeighbourLists::space_time`],
/// [`gi_star`]); a bin is Hot/Cold when its (BH-adjusted if `fdr`) two-sided p is `< alpha`
/// and z is positive/negative; the trend is [`mann_kendall`] of the z series at
/// `trend_alpha`; [`classify_series`] gives the category.
///
/// Complexity O(C T ((k²)(lag+1) + T)) for C cells and T steps.
///
/// Errors: [`HotspotError::InvalidParameter`] for `alpha`/`trend_alpha` outside (0, 1) or a
/// cube whose `values.len() != cells.len() * n_steps`; errors of [`gi_star`].
///
/// ```
/// use divnet::hotspot::{EmergingCategory, EmergingOptions, SpaceTimeCube, emerging_hotspots};
/// let c = h3o::LatLng::new(0.0, 0.0).unwrap().to_cell(h3o::Resolution::Four);
/// let mut cells: Vec<h3o::CellIndex> = c.grid_disk(3);
/// cells.sort_unstable();
/// let core: Vec<h3o::CellIndex> = c.grid_disk(1);
/// let t = 3;
/// // 20 in the centre cell and its ring at every step, 1 elsewhere
/// let values: Vec<f64> = cells
///     .iter()
///     .flat_map(|x| std::iter::repeat_n(if core.contains(x) { 20.0 } else { 1.0 }, t))
///     .collect();
/// let cube = SpaceTimeCube { cells: cells.clone(), n_steps: t, values };
/// let out = emerging_hotspots(&cube, &EmergingOptions::default())?;
/// let centre = out.iter().find(|e| e.cell == c).unwrap();
/// // hot at all 3 steps; 3 steps can never give a significant Mann-Kendall trend
/// assert_eq!(centre.category, EmergingCategory::PersistentHotSpot);
/// assert_eq!(out.iter().filter(|e| e.category == EmergingCategory::NoPattern).count() > 20, true);
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn emerging_hotspots(
    cube: &SpaceTimeCube,
    options: &EmergingOptions,
) -> Result<Vec<EmergingCell>, HotspotError> {
    for (name, v) in [("alpha", options.alpha), ("trend_alpha", options.trend_alpha)] {
        if !(v > 0.0 && v < 1.0) {
            return Err(HotspotError::InvalidParameter {
                name,
                value: v.to_string(),
                reason: "must be in (0, 1)",
            });
        }
    }
    let t = cube.n_steps;
    if cube.values.len() != cube.cells.len() * t {
        return Err(HotspotError::LengthMismatch {
            what: "cube values",
            got: cube.values.len(),
            expected: cube.cells.len() * t,
        });
    }
    let spatial = NeighbourLists::h3_k_ring(&cube.cells, options.k, options.parallelism)?;
    let w = spatial.space_time(t, options.time_lag)?;
    let gopts = GiStarOptions { k: options.k, fdr: options.fdr, parallelism: options.parallelism };
    let stats = gi_star(&cube.values, &w, &gopts)?;
    let one = |c: usize| -> EmergingCell {
        let bins = &stats[c * t..(c + 1) * t];
        let z: Vec<Option<f64>> = bins.iter().map(|g| g.z).collect();
        let significance = bins
            .iter()
            .map(|g| {
                let p = if options.fdr { g.p_fdr } else { g.p };
                match (g.z, p) {
                    (Some(z), Some(p)) if p < options.alpha && z > 0.0 => Significance::Hot,
                    (Some(z), Some(p)) if p < options.alpha && z < 0.0 => Significance::Cold,
                    _ => Significance::None,
                }
            })
            .collect::<Vec<_>>();
        let series: Vec<f64> = z.iter().map(|v| v.unwrap_or(0.0)).collect();
        let trend = mann_kendall(&series, options.trend_alpha, false).ok();
        let category = classify_series(&significance, trend.map(|m| m.trend));
        EmergingCell { cell: cube.cells[c], category, z, significance, trend }
    };
    Ok(if options.parallelism == Parallelism::Rayon {
        (0..cube.cells.len()).into_par_iter().map(one).collect()
    } else {
        (0..cube.cells.len()).map(one).collect()
    })
}
