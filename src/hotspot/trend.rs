//! Mann-Kendall trend test.

use statrs::distribution::{ContinuousCDF, Normal};

use super::HotspotError;

/// Direction of a Mann-Kendall trend at the chosen significance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TrendDirection {
    /// Significant positive trend.
    Increasing,
    /// Significant negative trend.
    Decreasing,
    /// No significant trend.
    NoTrend,
}

/// Result of the Mann-Kendall test (field names as pymannkendall `original_test`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MannKendall {
    /// Mann-Kendall score S.
    pub s: f64,
    /// Variance of S with tie correction.
    pub var_s: f64,
    /// Normalised statistic with continuity correction (0 when S = 0).
    pub z: f64,
    /// Two-sided normal p-value.
    pub p: f64,
    /// Kendall's tau, `S / (n (n - 1) / 2)`.
    pub tau: f64,
    /// Trend decision at `alpha`: `|z| > Phi^-1(1 - alpha/2)`.
    pub trend: TrendDirection,
    /// Theil-Sen slope (median pairwise slope), when requested.
    pub slope: Option<f64>,
    /// Intercept `median(x) - median(0..n) * slope`, when the slope is requested.
    pub intercept: Option<f64>,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// Mann-Kendall (Mann 1945, Kendall 1975) trend test of an equally spaced series.
///
/// Method: `S = sum_{i<j} sign(x_j - x_i)`; `var(S) = (n(n-1)(2n+5) - sum_t t(t-1)(2t+5)) / 18`
/// over groups of exactly equal values; `z = (S - sign(S)) / sqrt(var(S))`; `p = 2 (1 - Phi(|z|))`;
/// optional Sen (1968) slope. Matches pymannkendall `original_test`.
/// Complexity O(n²) (S and Sen's slope), O(n²) memory with `sen`.
///
/// Parameters: `x` (at least 2 finite values), `alpha` in (0, 1) for the trend decision,
/// `sen` to compute the Theil-Sen slope and intercept.
///
/// Errors: [`HotspotError::InvalidParameter`] for fewer than 2 values, a non-finite value, or
/// `alpha` outside (0, 1).
///
/// ```
/// use divnet::hotspot::{TrendDirection, mann_kendall};
/// let r = mann_kendall(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.05, true)?;
/// assert_eq!(r.s, 10.0);
/// assert_eq!(r.var_s, 300.0 / 18.0);
/// assert!((r.z - 9.0 / (300.0f64 / 18.0).sqrt()).abs() < 1e-15);
/// assert_eq!(r.trend, TrendDirection::Increasing);
/// assert_eq!((r.slope, r.intercept), (Some(1.0), Some(1.0)));
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn mann_kendall(x: &[f64], alpha: f64, sen: bool) -> Result<MannKendall, HotspotError> {
    let n = x.len();
    if n < 2 {
        return Err(HotspotError::InvalidParameter {
            name: "series length",
            value: n.to_string(),
            reason: "Mann-Kendall needs at least 2 values",
        });
    }
    if let Some(v) = x.iter().find(|v| !v.is_finite()) {
        return Err(HotspotError::InvalidParameter {
            name: "series value",
            value: v.to_string(),
            reason: "must be finite",
        });
    }
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(HotspotError::InvalidParameter {
            name: "alpha",
            value: alpha.to_string(),
            reason: "must be in (0, 1)",
        });
    }
    let mut s: i64 = 0;
    for i in 0..n - 1 {
        for j in i + 1..n {
            if x[j] > x[i] {
                s += 1;
            } else if x[j] < x[i] {
                s -= 1;
            }
        }
    }
    let nf = n as f64;
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && sorted[j] == sorted[i] {
            j += 1;
        }
        let t = (j - i) as f64;
        ties += t * (t - 1.0) * (2.0 * t + 5.0);
        i = j;
    }
    let var_s = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    let sf = s as f64;
    let z = if s > 0 {
        (sf - 1.0) / var_s.sqrt()
    } else if s < 0 {
        (sf + 1.0) / var_s.sqrt()
    } else {
        0.0
    };
    let normal = Normal::standard();
    let p = 2.0 * normal.sf(z.abs());
    let crit = normal.inverse_cdf(1.0 - alpha / 2.0);
    let trend = if z.abs() > crit {
        if z > 0.0 { TrendDirection::Increasing } else { TrendDirection::Decreasing }
    } else {
        TrendDirection::NoTrend
    };
    let tau = sf / (0.5 * nf * (nf - 1.0));
    let (slope, intercept) = if sen {
        let mut d = Vec::with_capacity(n * (n - 1) / 2);
        for i in 0..n - 1 {
            for j in i + 1..n {
                d.push((x[j] - x[i]) / (j - i) as f64);
            }
        }
        let slope = median(&mut d);
        let mut xs = x.to_vec();
        let mx = median(&mut xs);
        (Some(slope), Some(mx - (nf - 1.0) / 2.0 * slope))
    } else {
        (None, None)
    };
    Ok(MannKendall { s: sf, var_s, z, p, tau, trend, slope, intercept })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_and_errors() {
        let r = mann_kendall(&[1.0, 1.0, 1.0], 0.05, false).unwrap();
        assert_eq!((r.s, r.var_s, r.z, r.p), (0.0, 0.0, 0.0, 1.0));
        assert_eq!(r.trend, TrendDirection::NoTrend);
        // 1,2,2,3: S = 5, var = (4*3*13 - 2*1*9)/18 = 138/18
        let r = mann_kendall(&[1.0, 2.0, 2.0, 3.0], 0.05, false).unwrap();
        assert_eq!(r.s, 5.0);
        assert!((r.var_s - 138.0 / 18.0).abs() < 1e-12);
        assert!((r.z - 4.0 / (138.0f64 / 18.0).sqrt()).abs() < 1e-12);
        assert!(mann_kendall(&[1.0], 0.05, false).is_err());
        assert!(mann_kendall(&[1.0, f64::NAN], 0.05, false).is_err());
        assert!(mann_kendall(&[1.0, 2.0], 0.0, false).is_err());
    }
}
