//! Weighted PageRank with NetworkX semantics, plus in/out strength.
//!
//! [`pagerank`] implements the power iteration of Page, Brin, Motwani & Winograd
//! (1999, "The PageRank citation ranking") exactly as NetworkX 3.6
//! `pagerank(G, alpha, weight=..., tol, max_iter)` does for a `DiGraph` with no
//! personalization:
//!
//! * each node's out-weights are normalised to sum to 1 (parallel edges add up);
//! * nodes with zero out-weight are dangling: their mass is spread uniformly;
//! * `x <- alpha * (x A + sum(x[dangling]) / N) + (1 - alpha) / N`, starting from
//!   `x = 1 / N`;
//! * iteration stops as soon as the L1 change `sum |x - x_last| < N * tol`, and
//!   fails with [`CentralityError::NotConverged`] after `max_iter` iterations.
//!
//! The step is computed in pull form on the transposed [`Csr`] (whose weights are
//! replaced by the normalised coefficients): each node sums its
//! in-edges, so every entry is written by exactly one worker and no reduction is
//! needed; the two sums that are reductions (dangling mass and the L1 change) are
//! taken over fixed 4096-node blocks added in block order. The result is therefore
//! bit-identical for any thread count. `O(I (V + E))` time for `I` iterations,
//! `O(V + E)` memory.

use crate::algo::Parallelism;
use crate::algo::csr::{CentralityError, Csr};
use petgraph::visit::{EdgeIndexable, IntoEdges, IntoNodeIdentifiers, NodeIndexable};
use rayon::prelude::*;

/// Options of [`pagerank`]; defaults are NetworkX's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageRankOptions {
    /// Damping factor, in `[0, 1]` (NetworkX default 0.85).
    pub alpha: f64,
    /// Per-node tolerance: stop when the L1 change is below `N * tol` (default 1e-6).
    pub tol: f64,
    /// Maximum number of iterations (default 100).
    pub max_iter: usize,
    /// Thread use; results do not depend on it.
    pub parallelism: Parallelism,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        PageRankOptions { alpha: 0.85, tol: 1e-6, max_iter: 100, parallelism: Parallelism::Rayon }
    }
}

/// PageRank scores with the number of iterations run.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRank {
    /// Score per node index (0 for indices that are not nodes); sums to 1.
    pub scores: Vec<f64>,
    /// Power iterations run until convergence.
    pub iterations: usize,
}

/// Block size of the fixed-order reductions.
const BLOCK: usize = 4096;

/// Weighted PageRank (NetworkX semantics, see the module docs).
///
/// `weight` maps each edge to a finite weight `>= 0`. `O(I (V + E))`.
///
/// ```
/// use divnet::algo::pagerank::{pagerank, PageRankOptions};
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// // A 2-cycle is symmetric: both nodes get 1/2.
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 0, 3.0)]);
/// let pr = pagerank(&g, |e| *e.weight(), &PageRankOptions::default()).unwrap();
/// assert!(pr.scores.iter().all(|&x| (x - 0.5).abs() < 1e-15));
/// // Node 1 is dangling: x0 = 0.85 x1 / 2 + 0.075 and x0 + x1 = 1, so x1 = 0.925 / 1.425.
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0)]);
/// let opts = PageRankOptions { tol: 1e-14, max_iter: 500, ..Default::default() };
/// let pr = pagerank(&g, |e| *e.weight(), &opts).unwrap();
/// assert!((pr.scores[1] - 0.925 / 1.425).abs() < 1e-12);
/// assert!((pr.scores[0] - 0.5 / 1.425).abs() < 1e-12);
/// ```
pub fn pagerank<G, F>(g: G, weight: F, opts: &PageRankOptions) -> Result<PageRank, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    check_options(opts)?;
    let csr = Csr::from_graph(g, weight)?;
    iterate(&Pull::from_csr(&csr), opts)
}

/// In-edge (pull) form of the row-normalised weight matrix.
struct Pull {
    /// The transposed graph: row `w` lists `w`'s in-edges, `targets` their tails, and
    /// `weights` hold `weight * (1 / out_strength[tail])`.
    t: Csr,
    /// Nodes whose out-strength is zero.
    dangling: Vec<u32>,
}

fn inverse(out: &[f64]) -> Vec<f64> {
    out.iter().map(|&s| if s != 0.0 { 1.0 / s } else { 0.0 }).collect()
}

impl Pull {
    fn from_csr(csr: &Csr) -> Self {
        let out = strength_rows(csr);
        let inv = inverse(&out);
        let mut t = csr.transpose();
        for (c, &tail) in t.weights.iter_mut().zip(&t.targets) {
            *c *= inv[tail as usize];
        }
        let present = &csr.present;
        let dangling = (0..csr.node_bound() as u32)
            .filter(|&v| present[v as usize] && out[v as usize] == 0.0)
            .collect();
        Pull { t, dangling }
    }
}

/// [`pagerank`] on a prebuilt [`Csr`] whose `weights` are edge weights.
///
/// ```
/// use divnet::algo::csr::Csr;
/// use divnet::algo::pagerank::{pagerank_on_csr, PageRankOptions};
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)]);
/// let csr = Csr::from_graph(&g, |e| *e.weight()).unwrap();
/// let pr = pagerank_on_csr(&csr, &PageRankOptions::default()).unwrap();
/// assert_eq!(pr.iterations, 1);
/// assert!(pr.scores.iter().all(|&x| (x - 1.0 / 3.0).abs() < 1e-15));
/// ```
pub fn pagerank_on_csr(csr: &Csr, opts: &PageRankOptions) -> Result<PageRank, CentralityError> {
    check_options(opts)?;
    iterate(&Pull::from_csr(csr), opts)
}

fn check_options(opts: &PageRankOptions) -> Result<(), CentralityError> {
    if !(0.0..=1.0).contains(&opts.alpha) {
        return Err(CentralityError::InvalidParameter {
            name: "alpha",
            value: opts.alpha,
            reason: "must be in [0, 1]",
        });
    }
    if !opts.tol.is_finite() || opts.tol < 0.0 {
        return Err(CentralityError::InvalidParameter {
            name: "tol",
            value: opts.tol,
            reason: "must be finite and >= 0",
        });
    }
    Ok(())
}

fn iterate(pull: &Pull, opts: &PageRankOptions) -> Result<PageRank, CentralityError> {
    let bound = pull.t.node_bound();
    let nn = pull.t.node_count;
    if nn == 0 {
        return Ok(PageRank { scores: vec![0.0; bound], iterations: 0 });
    }
    let n = nn as f64;
    let p = 1.0 / n;
    let present = &pull.t.present;
    let (offsets, tails, coef) = (&pull.t.offsets, &pull.t.targets, &pull.t.weights);
    let mut x: Vec<f64> = (0..bound).map(|v| if present[v] { p } else { 0.0 }).collect();
    let mut next = vec![0.0; bound];
    let par = opts.parallelism;
    let alpha = opts.alpha;
    let base = (1.0 - alpha) * p;
    for it in 1..=opts.max_iter {
        let dsum = block_sum(pull.dangling.len(), par, |i| x[pull.dangling[i] as usize]);
        let xr = &x;
        let step = |w: usize, out: &mut f64| {
            if !present[w] {
                *out = 0.0;
                return;
            }
            let (lo, hi) = (offsets[w] as usize, offsets[w + 1] as usize);
            let mut s = 0.0;
            for (&t, &c) in tails[lo..hi].iter().zip(&coef[lo..hi]) {
                s += xr[t as usize] * c;
            }
            *out = alpha * (s + dsum * p) + base;
        };
        match par {
            Parallelism::Sequential => {
                next.iter_mut().enumerate().for_each(|(w, o)| step(w, o));
            }
            Parallelism::Rayon => {
                next.par_chunks_mut(BLOCK).enumerate().for_each(|(b, chunk)| {
                    for (i, o) in chunk.iter_mut().enumerate() {
                        step(b * BLOCK + i, o);
                    }
                });
            }
        }
        let err = block_sum(bound, par, |i| (next[i] - x[i]).abs());
        std::mem::swap(&mut x, &mut next);
        if err < n * opts.tol {
            return Ok(PageRank { scores: x, iterations: it });
        }
        if it == opts.max_iter {
            return Err(CentralityError::NotConverged { iterations: it, error: err });
        }
    }
    Err(CentralityError::NotConverged { iterations: 0, error: f64::INFINITY })
}

/// Sum of `f(0..len)` in fixed blocks of [`BLOCK`] added in block order.
fn block_sum<F>(len: usize, par: Parallelism, f: F) -> f64
where
    F: Fn(usize) -> f64 + Sync,
{
    let blocks = len.div_ceil(BLOCK);
    let part = |b: usize| {
        let mut s = 0.0;
        for i in b * BLOCK..((b + 1) * BLOCK).min(len) {
            s += f(i);
        }
        s
    };
    let parts: Vec<f64> = match par {
        Parallelism::Sequential => (0..blocks).map(part).collect(),
        Parallelism::Rayon => (0..blocks).into_par_iter().map(part).collect(),
    };
    parts.into_iter().fold(0.0, |a, b| a + b)
}

fn strength_rows(csr: &Csr) -> Vec<f64> {
    (0..csr.node_bound()).map(|v| csr.weights[csr.row(v)].iter().sum::<f64>()).collect()
}

/// Out-strength: sum of out-edge weights per node index. `O(V + E)`.
///
/// ```
/// use divnet::algo::pagerank::out_strength;
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 2.0), (0, 2, 0.5), (2, 1, 1.0)]);
/// assert_eq!(out_strength(&g, |e| *e.weight()).unwrap(), vec![2.5, 0.0, 1.0]);
/// ```
pub fn out_strength<G, F>(g: G, weight: F) -> Result<Vec<f64>, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    Ok(strength_rows(&Csr::from_graph(g, weight)?))
}

/// In-strength: sum of in-edge weights per node index. `O(V + E)`.
///
/// ```
/// use divnet::algo::pagerank::in_strength;
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 2.0), (0, 2, 0.5), (2, 1, 1.0)]);
/// assert_eq!(in_strength(&g, |e| *e.weight()).unwrap(), vec![0.0, 3.0, 0.5]);
/// ```
pub fn in_strength<G, F>(g: G, weight: F) -> Result<Vec<f64>, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    Ok(strength_rows(&Csr::from_graph(g, weight)?.transpose()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use petgraph::graph::DiGraph;
    use petgraph::visit::EdgeRef;

    fn sample() -> DiGraph<(), f64> {
        DiGraph::from_edges([
            (0, 1, 1.0),
            (0, 2, 2.0),
            (1, 2, 1.0),
            (2, 0, 0.5),
            (3, 2, 4.0),
            (2, 4, 1.0),
        ])
    }

    #[test]
    fn solves_the_linear_system() {
        // At the fixed point, x = alpha (x A + dangling / N) + (1 - alpha) / N.
        let g = sample();
        let opts = PageRankOptions { tol: 1e-15, max_iter: 1000, ..Default::default() };
        let pr = pagerank(&g, |e| *e.weight(), &opts).unwrap();
        let x = &pr.scores;
        assert!((x.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let out = out_strength(&g, |e| *e.weight()).unwrap();
        let n = 5.0;
        let dangling: f64 = (0..5).filter(|&v| out[v] == 0.0).map(|v| x[v]).sum();
        for w in 0..5 {
            let mut s = 0.0;
            for e in g.edge_references().filter(|e| e.target().index() == w) {
                s += x[e.source().index()] * e.weight() / out[e.source().index()];
            }
            let want = 0.85 * (s + dangling / n) + 0.15 / n;
            assert!((x[w] - want).abs() < 1e-13, "node {w}: {} vs {want}", x[w]);
        }
    }

    #[test]
    fn thread_count_does_not_change_bits() {
        let g = sample();
        let seq = PageRankOptions { parallelism: Parallelism::Sequential, ..Default::default() };
        let a = pagerank(&g, |e| *e.weight(), &seq).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let b =
            pool.install(|| pagerank(&g, |e| *e.weight(), &PageRankOptions::default())).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn errors_are_typed() {
        let g = sample();
        let opts = PageRankOptions { tol: 0.0, max_iter: 3, ..Default::default() };
        assert!(matches!(
            pagerank(&g, |e| *e.weight(), &opts),
            Err(CentralityError::NotConverged { iterations: 3, .. })
        ));
        let bad = PageRankOptions { alpha: 1.5, ..Default::default() };
        assert!(pagerank(&g, |e| *e.weight(), &bad).is_err());
        assert!(pagerank(&g, |_| f64::NAN, &PageRankOptions::default()).is_err());
    }
}
