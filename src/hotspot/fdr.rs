//! Benjamini-Hochberg false discovery rate adjustment.

use super::HotspotError;

/// Benjamini-Hochberg (1995) adjusted p-values ("q-values"), in input order.
///
/// Method: with p sorted ascending, `q(i) = min_{j >= i} p(j) m / j`, clipped to 1 (the same
/// as statsmodels `multipletests(method="fdr_bh")`). Rejecting `q <= alpha` is the BH
/// step-up procedure at level alpha. Complexity O(m log m).
///
/// Errors: [`HotspotError::InvalidParameter`] for a p-value that is NaN or outside `[0, 1]`.
///
/// ```
/// use divnet::hotspot::benjamini_hochberg;
/// let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.20])?;
/// assert_eq!(q, vec![0.04, 0.04 * 4.0 / 3.0, 0.04 * 4.0 / 3.0, 0.2]);
/// # Ok::<(), divnet::hotspot::HotspotError>(())
/// ```
pub fn benjamini_hochberg(p: &[f64]) -> Result<Vec<f64>, HotspotError> {
    if let Some(bad) = p.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(HotspotError::InvalidParameter {
            name: "p-value",
            value: bad.to_string(),
            reason: "must be in [0, 1]",
        });
    }
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut q = vec![0.0; m];
    let mut running = f64::INFINITY;
    for rank in (0..m).rev() {
        let i = order[rank];
        let v = p[i] * m as f64 / (rank + 1) as f64;
        running = running.min(v);
        q[i] = running.min(1.0);
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotone_and_bounded() {
        let p = [0.5, 0.001, 0.9, 0.04, 0.04, 1.0, 0.0];
        let q = benjamini_hochberg(&p).unwrap();
        for (a, b) in p.iter().zip(&q) {
            assert!(b >= a && *b <= 1.0);
        }
        assert_eq!(q[3], q[4]);
        assert_eq!(q[6], 0.0);
        assert!(benjamini_hochberg(&[f64::NAN]).is_err());
        assert!(benjamini_hochberg(&[1.5]).is_err());
        assert!(benjamini_hochberg(&[]).unwrap().is_empty());
    }
}
