//! Getis-Ord Gi* local statistic with binary weights.

use h3o::CellIndex;
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, Normal};

use super::HotspotError;
use super::domain::StudyArea;
use super::fdr::benjamini_hochberg;
use super::weights::NeighbourLists;
use crate::algo::Parallelism;

/// Options of the Gi* computation.
#[derive(Debug, Clone, PartialEq)]
pub struct GiStarOptions {
    /// k of the k-ring weights used by [`gi_star_cells`] (default 1).
    pub k: u32,
    /// Confidence bins from Benjamini-Hochberg adjusted p-values instead of raw ones
    /// (default true, as ArcGIS's "Apply False Discovery Rate Correction").
    pub fdr: bool,
    /// Thread use (default [`Parallelism::Rayon`]). Results are bit-identical either way.
    pub parallelism: Parallelism,
}

impl Default for GiStarOptions {
    fn default() -> Self {
        Self { k: 1, fdr: true, parallelism: Parallelism::Rayon }
    }
}

/// Why a Gi* value is or is not defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum GiStatus {
    /// z-score and p-values are defined.
    Defined,
    /// No neighbour other than the cell itself inside the study area.
    Island,
    /// All values are equal (zero variance): no z-score is defined for any cell.
    ZeroVariance,
    /// The values sum to zero: the statistic's denominator vanishes.
    ZeroSum,
    /// The neighbourhood covers the whole study area: the variance of Gi* is zero.
    WholeDomain,
}

/// Gi* result of one observation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GiStar {
    /// Observed value.
    pub value: f64,
    /// Neighbourhood size including the observation itself (sum of binary weights).
    pub weight_sum: u32,
    /// `G*_i = sum_j w_ij y_j / sum_j y_j` (None unless `status == Defined`).
    pub g: Option<f64>,
    /// z-score (esda `Zs`).
    pub z: Option<f64>,
    /// Two-sided normal p-value `2 (1 - Phi(|z|))` (twice esda's one-sided `p_norm`).
    pub p: Option<f64>,
    /// Benjamini-Hochberg adjusted `p` over all defined observations.
    pub p_fdr: Option<f64>,
    /// ArcGIS confidence bin -3..=3 (0 when not defined or not significant).
    pub bin: i8,
    /// Status of the statistic.
    pub status: GiStatus,
}

/// Gi* result of one H3 cell.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GiStarCell {
    /// The cell.
    pub cell: CellIndex,
    /// Its statistic.
    pub gi: GiStar,
}

/// Global moments of the values used by Gi*.
pub(crate) struct Moments {
    pub(crate) sum: f64,
    pub(crate) mean: f64,
    pub(crate) var: f64,
    zero_var: bool,
}

impl Moments {
    pub(crate) fn of(values: &[f64]) -> Self {
        let nf = values.len() as f64;
        let sum: f64 = values.iter().sum();
        let sum_sq: f64 = values.iter().map(|v| v * v).sum();
        let mean = sum / nf;
        let mean_sq = sum_sq / nf;
        let var = mean_sq - mean * mean;
        // NaN-safe: a NaN variance counts as zero variance
        let zero_var = var.partial_cmp(&(1e-14 * mean_sq)) != Some(std::cmp::Ordering::Greater);
        Self { sum, mean, var, zero_var }
    }

    /// Status of an observation whose neighbourhood (self included) has `card` members.
    pub(crate) fn status(&self, card: usize, n: usize) -> GiStatus {
        if card <= 1 {
            GiStatus::Island
        } else if self.sum == 0.0 {
            GiStatus::ZeroSum
        } else if self.zero_var {
            GiStatus::ZeroVariance
        } else if card >= n {
            GiStatus::WholeDomain
        } else {
            GiStatus::Defined
        }
    }
}

/// ArcGIS Hot Spot Analysis confidence bin: ±3 for p < 0.01, ±2 for p < 0.05, ±1 for
/// p < 0.10, signed by z; 0 otherwise (including z = 0).
///
/// ```
/// use divnet::hotspot::confidence_bin;
/// assert_eq!(confidence_bin(3.0, 0.0027), 3);
/// assert_eq!(confidence_bin(-2.0, 0.0455), -2);
/// assert_eq!(confidence_bin(1.7, 0.089), 1);
/// assert_eq!(confidence_bin(1.7, 0.10), 0);
/// ```
#[must_use]
pub fn confidence_bin(z: f64, p: f64) -> i8 {
    let level = if p < 0.01 {
        3
    } else if p < 0.05 {
        2
    } else if p < 0.10 {
        1
    } else {
        0
    };
    if z > 0.0 {
        level
    } else if z < 0.0 {
        -level
    } else {
        0
    }
}

/// Getis-Ord Gi* (Getis & Ord 1992; Ord & Getis 1995) with binary weights plus self weight 1.
///
/// Method: identical to PySAL esda `G_Local(y, w, star=True, transform='B')` analytical
/// inference: with n observations, `W_i = 1 + |N(i)|`, `G_i = (y_i + sum_{N(i)} y_j) / sum y`,
/// `E[G_i] = W_i / n`, `V[G_i] = W_i (n - W_i) / (n - 1) / n² * s² / ybar²` with
/// `s² = sum y²/n - ybar²`, `z_i = (G_i - E[G_i]) / sqrt(V[G_i])`. p is two-sided normal,
/// `p_fdr` Benjamini-Hochberg over defined observations, `bin` from `p_fdr` when
/// `options.fdr`, else from `p`. Undefined cases get a [`GiStatus`], never NaN:
/// `Island` (W_i = 1), then `ZeroSum`, `ZeroVariance` (s² <= 1e-14 · mean of squares),
/// `WholeDomain` (W_i = n). `options.k` is not used here.
///
/// Complexity O(n + L + m log m) for L neighbour entries and m defined observations.
///
/// Errors: [`HotspotError::LengthMismatch`] when `values.len() != w.len()`,
/// [`HotspotError::InvalidParameter`] for a non-finite value.
///
/// ```
/// use divnet::hotspot::{GiStarOptions, GiStatus, NeighbourLists, gi_star};
/// // esda's G_Local docstring example (DistanceBand threshold 15 on six points).
/// let w = NeighbourLists::from_lists(&[
///     vec![1, 3], vec![0, 3, 4], vec![4], vec![0, 1, 4], vec![1, 2, 3, 5], vec![4],
/// ])?;
/// let y = [2.0, 3.0, 3.2, 5.0, 8.0, 7.0];
/// let out = gi_star(&y, &w, &GiStarOptions::default())?;
/// let z: Vec<f64> = out.iter().map(|g| g.z.unwrap()).collect();
/// let esda = [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331];
/// for (a, b) in z.iter().zip(esda) { assert!((a - b).abs() < 1e-8); }
/// assert_eq!(out[5].status, GiStatus::Defined);
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn gi_star(
    values: &[f64],
    w: &NeighbourLists,
    options: &GiStarOptions,
) -> Result<Vec<GiStar>, HotspotError> {
    let n = values.len();
    if w.len() != n {
        return Err(HotspotError::LengthMismatch {
            what: "neighbour lists",
            got: w.len(),
            expected: n,
        });
    }
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(HotspotError::InvalidParameter {
            name: "value",
            value: v.to_string(),
            reason: "must be finite",
        });
    }
    let nf = n as f64;
    let m = Moments::of(values);
    let (sum, mean, var) = (m.sum, m.mean, m.var);
    let normal = Normal::standard();
    let one = |i: usize| -> GiStar {
        let nb = w.neighbours(i);
        let card = nb.len() + 1;
        let value = values[i];
        let mut base = GiStar {
            value,
            weight_sum: card as u32,
            g: None,
            z: None,
            p: None,
            p_fdr: None,
            bin: 0,
            status: m.status(card, n),
        };
        if base.status != GiStatus::Defined {
            return base;
        }
        let lag: f64 = value + nb.iter().map(|&j| values[j as usize]).sum::<f64>();
        let cf = card as f64;
        let g = lag / sum;
        let eg = cf / nf;
        let vg = cf * (nf - cf) / (nf - 1.0) / (nf * nf) * var / (mean * mean);
        let z = (g - eg) / vg.sqrt();
        base.g = Some(g);
        base.z = Some(z);
        base.p = Some(2.0 * normal.sf(z.abs()));
        base
    };
    let mut out: Vec<GiStar> = if options.parallelism == Parallelism::Rayon {
        (0..n).into_par_iter().map(one).collect()
    } else {
        (0..n).map(one).collect()
    };
    let defined: Vec<usize> = (0..n).filter(|&i| out[i].p.is_some()).collect();
    let ps: Vec<f64> = defined.iter().filter_map(|&i| out[i].p).collect();
    let qs = benjamini_hochberg(&ps)?;
    for (&i, q) in defined.iter().zip(qs) {
        let g = &mut out[i];
        g.p_fdr = Some(q);
        let p = if options.fdr { q } else { g.p.unwrap_or(1.0) };
        g.bin = confidence_bin(g.z.unwrap_or(0.0), p);
    }
    Ok(out)
}

/// Gi* of every study-area cell with binary `grid_disk(options.k)` weights (self included,
/// cells outside the study area dropped), see [`gi_star`] and `docs/hotspots.md`.
///
/// Complexity O(C k² log C) for C cells.
///
/// ```
/// use divnet::algo::Parallelism;
/// use divnet::hotspot::{Domain, Event, GiStarOptions, bin_events, build_study_area};
/// use divnet::hotspot::gi_star_cells;
/// let e = |lat, lon, weight| Event { lat, lon, step: None, weight };
/// let occ = bin_events(&[e(0.0, 0.0, 10.0), e(1.0, 1.0, 1.0)], 6, Parallelism::Sequential)?;
/// let area = build_study_area(&occ, 6, &Domain::Ring { k: 1 }, 1000, Parallelism::Sequential)?;
/// let out = gi_star_cells(&area, &GiStarOptions::default())?;
/// assert_eq!(out.len(), 14);
/// let hot = out.iter().find(|c| c.gi.value == 10.0).unwrap();
/// assert!(hot.gi.z.unwrap() > 0.0);
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn gi_star_cells(
    area: &StudyArea,
    options: &GiStarOptions,
) -> Result<Vec<GiStarCell>, HotspotError> {
    let w = NeighbourLists::h3_k_ring(&area.cells, options.k, options.parallelism)?;
    let stats = gi_star(&area.values, &w, options)?;
    Ok(area.cells.iter().zip(stats).map(|(&cell, gi)| GiStarCell { cell, gi }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(n: usize) -> NeighbourLists {
        let lists: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                let mut v = Vec::new();
                if i > 0 {
                    v.push(i - 1);
                }
                if i + 1 < n {
                    v.push(i + 1);
                }
                v
            })
            .collect();
        NeighbourLists::from_lists(&lists).unwrap()
    }

    #[test]
    fn statuses() {
        let opts = GiStarOptions { parallelism: Parallelism::Sequential, ..Default::default() };
        let w = NeighbourLists::from_lists(&[vec![1], vec![0], vec![]]).unwrap();
        let out = gi_star(&[1.0, 2.0, 5.0], &w, &opts).unwrap();
        assert_eq!(out[2].status, GiStatus::Island);
        assert_eq!(out[2].z, None);
        assert_eq!(out[0].status, GiStatus::Defined);
        let out = gi_star(&[3.0, 3.0, 3.0], &w, &opts).unwrap();
        assert_eq!(out[0].status, GiStatus::ZeroVariance);
        let out = gi_star(&[0.0, 0.0, 0.0], &w, &opts).unwrap();
        assert_eq!(out[0].status, GiStatus::ZeroSum);
        let full = NeighbourLists::from_lists(&[vec![1, 2], vec![0], vec![0]]).unwrap();
        let out = gi_star(&[1.0, 2.0, 5.0], &full, &opts).unwrap();
        assert_eq!(out[0].status, GiStatus::WholeDomain);
        assert_eq!(out[1].status, GiStatus::Defined);
        assert!(gi_star(&[1.0], &w, &opts).is_err());
        assert!(gi_star(&[1.0, f64::NAN, 2.0], &w, &opts).is_err());
    }

    #[test]
    fn parallel_bitwise_and_bins() {
        let n = 5000;
        let w = path(n);
        let y: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % 101) as f64 + if i / 50 == 3 { 200.0 } else { 0.0 })
            .collect();
        let a = gi_star(
            &y,
            &w,
            &GiStarOptions { parallelism: Parallelism::Sequential, ..Default::default() },
        )
        .unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let b = pool
            .install(|| {
                gi_star(
                    &y,
                    &w,
                    &GiStarOptions { parallelism: Parallelism::Rayon, ..Default::default() },
                )
            })
            .unwrap();
        assert_eq!(a, b);
        assert!(a[160].bin == 3 && a[160].z.unwrap() > 3.0);
        for g in &a {
            let q = g.p_fdr.unwrap();
            assert!(q >= g.p.unwrap());
            assert_eq!(g.bin, confidence_bin(g.z.unwrap(), q));
        }
    }
}
