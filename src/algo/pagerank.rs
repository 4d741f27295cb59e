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
//! The step is computed in pull form on the transposed graph: each node sums its
//! in-edges, so every entry is written by exactly one worker and no reduction is
//! needed; the two sums that are reductions (dangling mass and the L1 change) are
//! taken over fixed 4096-node blocks added in block order. The result is therefore
//! bit-identical for any thread count. `O(I (V + E))` time for `I` iterations,
//! `O(V + E)` memory.

use crate::algo::csr::{CentralityError, Csr, Parallelism};
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
    let pull = Pull::from_graph(g, weight)?;
    iterate(&pull, opts)
}

/// In-edge (pull) form of the row-normalised weight matrix.
struct Pull {
    present: Vec<bool>,
    node_count: usize,
    /// `offsets[w]..offsets[w + 1]`: in-edges of `w`.
    offsets: Vec<u32>,
    /// Tail of each in-edge.
    tails: Vec<u32>,
    /// `weight * (1 / out_strength[tail])`.
    coef: Vec<f64>,
    /// Nodes whose out-strength is zero.
    dangling: Vec<u32>,
}

fn inverse(out: &[f64]) -> Vec<f64> {
    out.iter().map(|&s| if s != 0.0 { 1.0 / s } else { 0.0 }).collect()
}

impl Pull {
    fn from_graph<G, F>(g: G, mut value: F) -> Result<Self, CentralityError>
    where
        G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
        F: FnMut(G::EdgeRef) -> f64,
    {
        use petgraph::visit::EdgeRef;
        let bound = NodeIndexable::node_bound(&g);
        let limit = u32::MAX as usize - 1;
        if bound > limit {
            return Err(CentralityError::TooLarge { what: "node bound", value: bound, limit });
        }
        let mut present = vec![false; bound];
        let mut out = vec![0.0f64; bound];
        let mut offsets = vec![0u32; bound + 1];
        let mut tmp: Vec<(u32, u32, f64)> = Vec::with_capacity(EdgeIndexable::edge_bound(&g));
        let mut node_count = 0;
        for n in g.node_identifiers() {
            let v = NodeIndexable::to_index(&g, n);
            present[v] = true;
            node_count += 1;
            let mut s = 0.0;
            for e in g.edges(n) {
                let t = NodeIndexable::to_index(&g, e.target());
                let x = value(e);
                if !x.is_finite() || x < 0.0 {
                    return Err(CentralityError::InvalidEdgeValue {
                        edge: EdgeIndexable::to_index(&g, e.id()),
                        source_node: v,
                        target: t,
                        value: x,
                        reason: if x.is_nan() {
                            "value is NaN"
                        } else {
                            "value is negative or infinite"
                        },
                    });
                }
                s += x;
                offsets[t + 1] += 1;
                tmp.push((t as u32, v as u32, x));
            }
            out[v] = s;
        }
        if tmp.len() > limit {
            return Err(CentralityError::TooLarge { what: "edge count", value: tmp.len(), limit });
        }
        Ok(Self::assemble(present, node_count, &out, offsets, &tmp))
    }

    fn from_csr(csr: &Csr) -> Self {
        let bound = csr.node_bound();
        let out = strength_rows(csr);
        let mut offsets = vec![0u32; bound + 1];
        let mut tmp = Vec::with_capacity(csr.edge_count());
        for p in 0..csr.edge_count() {
            offsets[csr.targets[p] as usize + 1] += 1;
            tmp.push((csr.targets[p], csr.sources[p], csr.weights[p]));
        }
        Self::assemble(csr.present.clone(), csr.node_count, &out, offsets, &tmp)
    }

    fn assemble(
        present: Vec<bool>,
        node_count: usize,
        out: &[f64],
        mut offsets: Vec<u32>,
        tmp: &[(u32, u32, f64)],
    ) -> Self {
        let bound = present.len();
        for v in 0..bound {
            offsets[v + 1] += offsets[v];
        }
        let inv = inverse(out);
        let mut fill: Vec<u32> = offsets[..bound].to_vec();
        let mut tails = vec![0u32; tmp.len()];
        let mut coef = vec![0f64; tmp.len()];
        for &(t, v, x) in tmp {
            let q = fill[t as usize] as usize;
            fill[t as usize] += 1;
            tails[q] = v;
            coef[q] = x * inv[v as usize];
        }
        let dangling =
            (0..bound as u32).filter(|&v| present[v as usize] && out[v as usize] == 0.0).collect();
        Pull { present, node_count, offsets, tails, coef, dangling }
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
    let bound = pull.present.len();
    let nn = pull.node_count;
    if nn == 0 {
        return Ok(PageRank { scores: vec![0.0; bound], iterations: 0 });
    }
    let n = nn as f64;
    let p = 1.0 / n;
    let present = &pull.present;
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
            let (lo, hi) = (pull.offsets[w] as usize, pull.offsets[w + 1] as usize);
            let mut s = 0.0;
            for (&t, &c) in pull.tails[lo..hi].iter().zip(&pull.coef[lo..hi]) {
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
    (0..csr.node_bound())
        .map(|v| {
            csr.weights[csr.offsets[v] as usize..csr.offsets[v + 1] as usize].iter().sum::<f64>()
        })
        .collect()
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
