//! Shortest-path betweenness on weighted directed graphs: exact, flow-restricted and sampled.
//!
//! * [`betweenness`], [`edge_betweenness`], [`node_and_edge_betweenness`]: exact
//!   Brandes (2001, "A faster algorithm for betweenness centrality", J. Math. Sociol.
//!   25(2)) with one Dijkstra search per source, `O(V E + V^2 log V)` time and
//!   `O(V + E)` memory per worker thread. Values follow NetworkX 3.6
//!   `betweenness_centrality(G, weight=..., normalized=...)` and
//!   `edge_betweenness_centrality` for `DiGraph`s: raw values count, for every
//!   ordered pair `(s, t)`, the share of shortest `s`-`t` paths through the node
//!   (endpoints excluded) or edge; normalised values divide node scores by
//!   `(n - 1)(n - 2)` and edge scores by `n (n - 1)`, where `n` is the node count
//!   (no scaling when `n <= 2`, resp. `n <= 1`).
//! * [`flow_betweenness`]: the same dependency accumulation restricted to given
//!   `(source, target, weight)` demands, each pair's shares multiplied by its weight
//!   (a diverted quantity). With unit weights on every pair of a source set `S`
//!   times a target set `T` the node scores equal NetworkX
//!   `betweenness_centrality_subset(G, S, T, normalized, weight)`; for directed
//!   graphs NetworkX applies no factor to raw values (its `0.5` factor is for
//!   undirected graphs only) and divides normalised values by `(n - 1)(n - 2)`.
//!   [`betweenness_subset`] is that convenience wrapper. Flow edge scores split a
//!   node's dependency over its shortest-path predecessors in proportion to path
//!   counts (as in exact edge betweenness); NetworkX's
//!   `edge_betweenness_centrality_subset` splits the non-target part evenly instead,
//!   so the two differ where shortest paths branch.
//! * [`approx_betweenness`]: Riondato & Kornaropoulos (2016, "Fast approximation of
//!   betweenness centrality through sampling", Data Min. Knowl. Disc. 30) with an
//!   `(epsilon, delta)` guarantee, and [`betweenness_auto`] which picks exact or
//!   sampled by node count.
//!
//! # Costs and ties
//! Edge costs come from a caller closure (in divnet `-ln p` of a leg probability)
//! and must be finite and `>= 0`; others are rejected with
//! [`CentralityError::InvalidEdgeValue`]. Self-loops never lie on a shortest path and
//! are skipped. Parallel edges are distinct paths (each counts in `sigma`).
//!
//! Path lengths are sums of floating-point costs, so two routes of equal true cost
//! can differ by a few units in the last place depending on summation order. Two
//! tentative lengths `a`, `b` are treated as equal when
//! `|a - b| <= tol * max(|a|, |b|)` with `tol` = [`DEFAULT_TIE_TOLERANCE`] (`1e-12`)
//! unless set otherwise. A path of `k` edges accumulates at most about
//! `k * 2^-53 * length` of rounding error, so `1e-12` absorbs rounding on paths of
//! up to several thousand legs, while lengths that truly differ by more than one
//! part in `10^12` stay distinct; divnet's leg probabilities are recorded with at
//! most six significant digits, so genuinely different costs differ far more than
//! that. `tol = 0.0` gives exact comparison (NetworkX behaviour). When a candidate
//! length ties, the first length found is kept as the node's distance. Strictly
//! positive costs are assumed for the tie rule to be transitive; zero-cost edges
//! are accepted but a zero-cost edge between two nodes at equal distance is not
//! treated as a shortest-path edge once its head has been settled.
//!
//! # Parallelism and determinism
//! Sources are cut into chunks whose boundaries depend only on the node bound; each
//! chunk is processed sequentially into its own partial sum, and partials are added
//! in chunk order. Results are therefore bit-identical for [`Parallelism::Sequential`],
//! [`Parallelism::Rayon`] and any rayon pool size.

use crate::algo::Parallelism;
use crate::algo::csr::{CentralityError, Csr};
use petgraph::visit::{EdgeIndexable, IntoEdges, IntoNodeIdentifiers, NodeIndexable};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Default relative tolerance under which two path lengths count as equal (see the
/// module docs for the choice).
pub const DEFAULT_TIE_TOLERANCE: f64 = 1e-12;

/// Options of the exact betweenness routines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BetweennessOptions {
    /// Divide by the number of ordered pairs (NetworkX `normalized=True`).
    pub normalized: bool,
    /// Relative tolerance for equal path lengths, `>= 0` and finite.
    pub tie_tolerance: f64,
    /// Thread use; results do not depend on it.
    pub parallelism: Parallelism,
}

impl Default for BetweennessOptions {
    fn default() -> Self {
        BetweennessOptions {
            normalized: true,
            tie_tolerance: DEFAULT_TIE_TOLERANCE,
            parallelism: Parallelism::Rayon,
        }
    }
}

/// Node and edge betweenness, indexed by petgraph node index and edge index.
#[derive(Debug, Clone, PartialEq)]
pub struct Betweenness {
    /// Score per node index (0 for indices that are not nodes).
    pub node: Vec<f64>,
    /// Score per edge index (0 for indices that are not edges and for self-loops).
    pub edge: Vec<f64>,
}

/// Exact node betweenness (Brandes with Dijkstra), NetworkX conventions.
///
/// `cost` maps each edge to its length (finite, `>= 0`). Returns one score per node
/// index. `O(V E + V^2 log V)` time, `O(V + E)` memory per thread.
///
/// ```
/// use divnet::algo::betweenness::{betweenness, BetweennessOptions};
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// // 0 -> 1 -> 2 and 0 -> 3 -> 2, both of cost 2, plus a costlier direct leg 0 -> 2.
/// let g = DiGraph::<(), f64>::from_edges([
///     (0, 1, 1.0), (1, 2, 1.0), (0, 3, 1.0), (3, 2, 1.0), (0, 2, 5.0),
/// ]);
/// let raw = BetweennessOptions { normalized: false, ..Default::default() };
/// let b = betweenness(&g, |e| *e.weight(), &raw).unwrap();
/// assert_eq!(b, vec![0.0, 0.5, 0.0, 0.5]);
/// let norm = betweenness(&g, |e| *e.weight(), &BetweennessOptions::default()).unwrap();
/// assert_eq!(norm, vec![0.0, 0.5 / 6.0, 0.0, 0.5 / 6.0]);
/// ```
pub fn betweenness<G, F>(
    g: G,
    cost: F,
    opts: &BetweennessOptions,
) -> Result<Vec<f64>, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    let csr = Csr::from_graph(g, cost)?;
    Ok(exact_on_csr(&csr, opts, false)?.node)
}

/// Exact edge betweenness, NetworkX `edge_betweenness_centrality` conventions
/// (normalised: divided by `n (n - 1)`).
///
/// Returns one score per edge index. Complexity as [`betweenness`].
///
/// ```
/// use divnet::algo::betweenness::{edge_betweenness, BetweennessOptions};
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0)]);
/// let raw = BetweennessOptions { normalized: false, ..Default::default() };
/// // Edge 0->1 lies on the paths 0-1 and 0-2; edge 1->2 on 1-2 and 0-2.
/// assert_eq!(edge_betweenness(&g, |e| *e.weight(), &raw).unwrap(), vec![2.0, 2.0]);
/// ```
pub fn edge_betweenness<G, F>(
    g: G,
    cost: F,
    opts: &BetweennessOptions,
) -> Result<Vec<f64>, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    let csr = Csr::from_graph(g, cost)?;
    Ok(exact_on_csr(&csr, opts, true)?.edge)
}

/// Exact node and edge betweenness from the same searches.
///
/// Complexity as [`betweenness`], plus `O(E)` memory per chunk partial.
///
/// ```
/// use divnet::algo::betweenness::{node_and_edge_betweenness, BetweennessOptions};
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0)]);
/// let raw = BetweennessOptions { normalized: false, ..Default::default() };
/// let b = node_and_edge_betweenness(&g, |e| *e.weight(), &raw).unwrap();
/// assert_eq!(b.node, vec![0.0, 1.0, 0.0]);
/// assert_eq!(b.edge, vec![2.0, 2.0]);
/// ```
pub fn node_and_edge_betweenness<G, F>(
    g: G,
    cost: F,
    opts: &BetweennessOptions,
) -> Result<Betweenness, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    let csr = Csr::from_graph(g, cost)?;
    exact_on_csr(&csr, opts, true)
}

/// Exact node and edge betweenness on a prebuilt [`Csr`] whose `weights` are costs.
///
/// Lets callers that run several analyses on one graph flatten it once. When
/// `with_edges` is false the returned `edge` vector is empty (and the edge
/// accumulation is skipped). Complexity as [`betweenness`].
///
/// ```
/// use divnet::algo::betweenness::{exact_on_csr, BetweennessOptions};
/// use divnet::algo::csr::Csr;
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0)]);
/// let csr = Csr::from_graph(&g, |e| *e.weight()).unwrap();
/// let raw = BetweennessOptions { normalized: false, ..Default::default() };
/// assert_eq!(exact_on_csr(&csr, &raw, false).unwrap().node, vec![0.0, 1.0, 0.0]);
/// ```
pub fn exact_on_csr(
    csr: &Csr,
    opts: &BetweennessOptions,
    with_edges: bool,
) -> Result<Betweenness, CentralityError> {
    check_tolerance(opts.tie_tolerance)?;
    let (local, old_of_new) = csr.relabel_bfs();
    let sources: Vec<u32> =
        (0..local.node_bound() as u32).filter(|&v| local.present[v as usize]).collect();
    let job = Job { csr: &local, tol: opts.tie_tolerance, with_edges, demands: None };
    let (node_local, mut edge_pos) = run_chunks(&job, &sources, opts.parallelism);
    let mut node = vec![0.0; csr.node_bound()];
    for (new, &old) in old_of_new.iter().enumerate() {
        node[old as usize] = node_local[new];
    }
    let n = csr.node_count;
    if opts.normalized {
        if n > 2 {
            let scale = 1.0 / ((n - 1) * (n - 2)) as f64;
            node.iter_mut().for_each(|x| *x *= scale);
        }
        if n > 1 {
            let scale = 1.0 / (n * (n - 1)) as f64;
            edge_pos.iter_mut().for_each(|x| *x *= scale);
        }
    }
    let edge = if with_edges { scatter_edges(&local, &edge_pos) } else { Vec::new() };
    Ok(Betweenness { node, edge })
}

/// Betweenness restricted to `(source, target, weight)` demands ("flow" betweenness).
///
/// Only shortest paths of the listed pairs contribute, each pair's path shares
/// multiplied by its weight (finite, `>= 0`); repeated pairs add up and pairs with
/// `source == target` contribute nothing. Nodes are petgraph node ids. No
/// normalisation is applied. With unit weights over all pairs of `S x T` the node
/// scores equal NetworkX `betweenness_centrality_subset(G, S, T, normalized=False)`.
/// `O(S' (E + V log V))` time for `S'` distinct sources.
///
/// ```
/// use divnet::algo::betweenness::{flow_betweenness, DEFAULT_TIE_TOLERANCE};
/// use divnet::algo::Parallelism;
/// use petgraph::graph::{DiGraph, NodeIndex};
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([
///     (0, 1, 1.0), (1, 2, 1.0), (0, 3, 1.0), (3, 2, 1.0), (2, 4, 1.0),
/// ]);
/// let n = NodeIndex::new;
/// // 10 units from 0 to 4 split over two equal routes via 1 and 3, then through 2.
/// let b = flow_betweenness(&g, |e| *e.weight(), &[(n(0), n(4), 10.0)],
///     DEFAULT_TIE_TOLERANCE, Parallelism::Sequential).unwrap();
/// assert_eq!(b.node, vec![0.0, 5.0, 10.0, 5.0, 0.0]);
/// assert_eq!(b.edge, vec![5.0, 5.0, 5.0, 5.0, 10.0]);
/// ```
pub fn flow_betweenness<G, F>(
    g: G,
    cost: F,
    demands: &[(G::NodeId, G::NodeId, f64)],
    tie_tolerance: f64,
    parallelism: Parallelism,
) -> Result<Betweenness, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    let csr = Csr::from_graph(g, cost)?;
    let mut idx = Vec::with_capacity(demands.len());
    for &(s, t, w) in demands {
        let (s, t) = (NodeIndexable::to_index(&g, s), NodeIndexable::to_index(&g, t));
        check_node(&csr, s)?;
        check_node(&csr, t)?;
        if !w.is_finite() || w < 0.0 {
            return Err(CentralityError::InvalidParameter {
                name: "demand weight",
                value: w,
                reason: "must be finite and >= 0",
            });
        }
        idx.push((s as u32, t as u32, w));
    }
    flow_on_csr(&csr, &idx, tie_tolerance, parallelism, true)
}

/// NetworkX-compatible subset betweenness: unit demands on every pair of
/// `sources x targets`.
///
/// Raw values are not rescaled (directed graphs); with `normalized` they are
/// divided by `(n - 1)(n - 2)` (no scaling when `n <= 2`), exactly as
/// `betweenness_centrality_subset`. Repeated sources count repeatedly, like
/// NetworkX's loop over `sources`. Returns node scores. Complexity as
/// [`flow_betweenness`].
///
/// ```
/// use divnet::algo::betweenness::{betweenness_subset, DEFAULT_TIE_TOLERANCE};
/// use divnet::algo::Parallelism;
/// use petgraph::graph::{DiGraph, NodeIndex};
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)]);
/// let n = NodeIndex::new;
/// let b = betweenness_subset(&g, |e| *e.weight(), &[n(0)], &[n(2), n(3)], false,
///     DEFAULT_TIE_TOLERANCE, Parallelism::Sequential).unwrap();
/// assert_eq!(b, vec![0.0, 2.0, 1.0, 0.0]);
/// ```
pub fn betweenness_subset<G, F>(
    g: G,
    cost: F,
    sources: &[G::NodeId],
    targets: &[G::NodeId],
    normalized: bool,
    tie_tolerance: f64,
    parallelism: Parallelism,
) -> Result<Vec<f64>, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    let csr = Csr::from_graph(g, cost)?;
    let mut ts: Vec<u32> = Vec::with_capacity(targets.len());
    for &t in targets {
        let t = NodeIndexable::to_index(&g, t);
        check_node(&csr, t)?;
        ts.push(t as u32);
    }
    // NetworkX uses a set of targets: duplicates in `targets` count once.
    ts.sort_unstable();
    ts.dedup();
    let mut idx = Vec::with_capacity(sources.len() * ts.len());
    for &s in sources {
        let s = NodeIndexable::to_index(&g, s);
        check_node(&csr, s)?;
        idx.extend(ts.iter().map(|&t| (s as u32, t, 1.0)));
    }
    let mut out = flow_on_csr(&csr, &idx, tie_tolerance, parallelism, false)?.node;
    let n = csr.node_count;
    if normalized && n > 2 {
        let scale = 1.0 / ((n - 1) * (n - 2)) as f64;
        out.iter_mut().for_each(|x| *x *= scale);
    }
    Ok(out)
}

/// Flow betweenness on a prebuilt [`Csr`] with demands given as node indices.
///
/// Repeated `(source, target)` pairs add their weights; demands of one source are
/// served by one search. With `with_edges == false` the `edge` vector is empty.
/// Complexity as [`flow_betweenness`].
///
/// ```
/// use divnet::algo::betweenness::{flow_on_csr, DEFAULT_TIE_TOLERANCE};
/// use divnet::algo::Parallelism;
/// use divnet::algo::csr::Csr;
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0)]);
/// let csr = Csr::from_graph(&g, |e| *e.weight()).unwrap();
/// let b = flow_on_csr(&csr, &[(0, 2, 3.0), (0, 2, 1.0)], DEFAULT_TIE_TOLERANCE,
///     Parallelism::Sequential, false).unwrap();
/// assert_eq!(b.node, vec![0.0, 4.0, 0.0]);
/// ```
pub fn flow_on_csr(
    csr: &Csr,
    demands: &[(u32, u32, f64)],
    tie_tolerance: f64,
    parallelism: Parallelism,
    with_edges: bool,
) -> Result<Betweenness, CentralityError> {
    check_tolerance(tie_tolerance)?;
    let n = csr.node_bound();
    let mut sorted: Vec<(u32, u32, f64)> = Vec::with_capacity(demands.len());
    for &(s, t, w) in demands {
        check_node(csr, s as usize)?;
        check_node(csr, t as usize)?;
        if !w.is_finite() || w < 0.0 {
            return Err(CentralityError::InvalidParameter {
                name: "demand weight",
                value: w,
                reason: "must be finite and >= 0",
            });
        }
        if s != t {
            sorted.push((s, t, w));
        }
    }
    // Stable sort: the order of weights summed for a repeated pair stays the input order.
    sorted.sort_by_key(|&(s, t, _)| (s, t));
    let mut sources: Vec<u32> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    for (i, &(s, _, _)) in sorted.iter().enumerate() {
        if sources.last() != Some(&s) {
            sources.push(s);
            starts.push(i);
        }
    }
    starts.push(sorted.len());
    let demands = Demands { sorted, starts, source_pos: vec![u32::MAX; n] };
    let mut demands = demands;
    for (k, &s) in sources.iter().enumerate() {
        demands.source_pos[s as usize] = k as u32;
    }
    let job = Job { csr, tol: tie_tolerance, with_edges, demands: Some(&demands) };
    let (node, edge_pos) = run_chunks(&job, &sources, parallelism);
    let edge = if with_edges { scatter_edges(csr, &edge_pos) } else { Vec::new() };
    Ok(Betweenness { node, edge })
}

fn check_node(csr: &Csr, v: usize) -> Result<(), CentralityError> {
    if v >= csr.node_bound() || !csr.present[v] {
        return Err(CentralityError::UnknownNode { index: v, bound: csr.node_bound() });
    }
    Ok(())
}

fn check_tolerance(tol: f64) -> Result<(), CentralityError> {
    if !tol.is_finite() || !(0.0..0.5).contains(&tol) {
        return Err(CentralityError::InvalidParameter {
            name: "tie_tolerance",
            value: tol,
            reason: "must be finite and in [0, 0.5)",
        });
    }
    Ok(())
}

fn scatter_edges(csr: &Csr, by_pos: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; csr.edge_bound];
    for (p, &x) in by_pos.iter().enumerate() {
        out[csr.edge_ids[p] as usize] = x;
    }
    out
}

struct Demands {
    /// Demands sorted by (source, target), self-pairs removed.
    sorted: Vec<(u32, u32, f64)>,
    /// `starts[k]..starts[k + 1]` are the demands of the `k`-th distinct source.
    starts: Vec<usize>,
    /// Position of a node in the distinct-source list, or `u32::MAX`.
    source_pos: Vec<u32>,
}

struct Job<'a> {
    csr: &'a Csr,
    tol: f64,
    with_edges: bool,
    demands: Option<&'a Demands>,
}

/// Number of source chunks: a function of the source count only, never of threads.
fn chunk_len(sources: usize) -> usize {
    sources.div_ceil(256).max(1)
}

fn run_chunks(job: &Job<'_>, sources: &[u32], par: Parallelism) -> (Vec<f64>, Vec<f64>) {
    let n = job.csr.node_bound();
    let m = if job.with_edges { job.csr.edge_count() } else { 0 };
    let mut node = vec![0.0; n];
    let mut edge = vec![0.0; m];
    if sources.is_empty() {
        return (node, edge);
    }
    let chunks: Vec<&[u32]> = sources.chunks(chunk_len(sources.len())).collect();
    let add = |node: &mut Vec<f64>, edge: &mut Vec<f64>, part: Partial| {
        node.iter_mut().zip(&part.node).for_each(|(a, b)| *a += b);
        edge.iter_mut().zip(&part.edge).for_each(|(a, b)| *a += b);
    };
    match par {
        Parallelism::Sequential => {
            let mut ws = Workspace::new(job.csr);
            for c in chunks {
                add(&mut node, &mut edge, run_chunk(job, c, &mut ws));
            }
        }
        Parallelism::Rayon => {
            // Waves bound the memory of live partials (about 64 MiB); the sum order is
            // chunk order whatever the wave width, so the width may follow the pool size
            // and the graph size without changing a bit of the result.
            let per_partial = (n + m).max(1) * std::mem::size_of::<f64>();
            let wave = (2 * rayon::current_num_threads()).max((64 << 20) / per_partial).max(1);
            for group in chunks.chunks(wave) {
                let parts: Vec<Partial> = group
                    .par_iter()
                    .map_init(|| Workspace::new(job.csr), |ws, c| run_chunk(job, c, ws))
                    .collect();
                for part in parts {
                    add(&mut node, &mut edge, part);
                }
            }
        }
    }
    (node, edge)
}

struct Partial {
    node: Vec<f64>,
    edge: Vec<f64>,
}

fn run_chunk(job: &Job<'_>, chunk: &[u32], ws: &mut Workspace) -> Partial {
    let n = job.csr.node_bound();
    let mut part = Partial {
        node: vec![0.0; n],
        edge: vec![0.0; if job.with_edges { job.csr.edge_count() } else { 0 }],
    };
    for &s in chunk {
        ws.dijkstra(job.csr, s, job.tol, u32::MAX);
        match job.demands {
            None => {
                if job.with_edges {
                    ws.accumulate::<true>(job.csr, s, &mut part);
                } else {
                    ws.accumulate::<false>(job.csr, s, &mut part);
                }
            }
            Some(d) => {
                let k = d.source_pos[s as usize] as usize;
                for &(_, t, w) in &d.sorted[d.starts[k]..d.starts[k + 1]] {
                    ws.target_weight[t as usize] += w;
                }
                ws.accumulate_flow(job.csr, s, &mut part, job.with_edges);
                for &(_, t, _) in &d.sorted[d.starts[k]..d.starts[k + 1]] {
                    ws.target_weight[t as usize] = 0.0;
                }
            }
        }
        ws.reset();
    }
    part
}

/// High bit of [`Slot::pred_len`]: the node is settled.
const SETTLED: u32 = 1 << 31;

/// Per-node search state packed into 32 bytes, so a relaxation touches one cache line.
#[derive(Clone, Copy)]
struct Slot {
    /// Tentative or final distance; infinite when unseen.
    dist: f64,
    /// Number (weight) of shortest paths from the source.
    sigma: f64,
    /// Dependency accumulated in the backward pass.
    delta: f64,
    /// First predecessor slot in `Workspace::preds` (the node's in-degree range).
    pred_base: u32,
    /// Number of predecessors, with [`SETTLED`] as flag.
    pred_len: u32,
}

impl Slot {
    #[inline(always)]
    fn preds(&self) -> std::ops::Range<usize> {
        let b = self.pred_base as usize;
        b..b + (self.pred_len & !SETTLED) as usize
    }
}

/// Per-thread search state, reused across sources (only touched entries are reset).
struct Workspace {
    slots: Vec<Slot>,
    /// Settled nodes in non-decreasing distance order.
    order: Vec<u32>,
    /// Nodes reached (settled or queued), for resetting.
    touched: Vec<u32>,
    /// Predecessor edge positions; node `w` owns `slots[w].preds()`.
    preds: Vec<u32>,
    heap: Heap,
    target_weight: Vec<f64>,
}

impl Workspace {
    fn new(csr: &Csr) -> Self {
        let n = csr.node_bound();
        // Each predecessor entry is an in-edge, so in-degree slots suffice.
        let base = csr.in_offsets();
        let slots = (0..n)
            .map(|v| Slot {
                dist: f64::INFINITY,
                sigma: 0.0,
                delta: 0.0,
                pred_base: base[v],
                pred_len: 0,
            })
            .collect();
        Workspace {
            slots,
            order: Vec::with_capacity(n),
            touched: Vec::with_capacity(n),
            preds: vec![0; csr.edge_count()],
            heap: Heap::new(n),
            target_weight: vec![0.0; n],
        }
    }

    fn reset(&mut self) {
        for &v in &self.touched {
            let s = &mut self.slots[v as usize];
            s.dist = f64::INFINITY;
            s.sigma = 0.0;
            s.delta = 0.0;
            s.pred_len = 0;
        }
        self.touched.clear();
        self.order.clear();
        self.heap.clear();
    }

    fn settled(&self, v: u32) -> bool {
        self.slots[v as usize].pred_len & SETTLED != 0
    }

    /// Dijkstra from `s` counting shortest paths; stops after settling `stop`.
    fn dijkstra(&mut self, csr: &Csr, s: u32, tol: f64, stop: u32) {
        let Workspace { slots, order, touched, preds, heap, .. } = self;
        let slots = &mut slots[..];
        let preds = &mut preds[..];
        let src = &mut slots[s as usize];
        src.dist = 0.0;
        src.sigma = 1.0;
        touched.push(s);
        heap.push(s, 0.0);
        let offsets = &csr.offsets[..];
        let targets = &csr.targets[..];
        let weights = &csr.weights[..];
        while let Some((dv, v)) = heap.pop() {
            let vu = v as usize;
            slots[vu].pred_len |= SETTLED;
            order.push(v);
            if v == stop {
                break;
            }
            let sv = slots[vu].sigma;
            let (lo, hi) = (offsets[vu] as usize, offsets[vu + 1] as usize);
            for (p, (&w, &c)) in targets[lo..hi].iter().zip(&weights[lo..hi]).enumerate() {
                let p = (lo + p) as u32;
                let slot = &mut slots[w as usize];
                if slot.pred_len & SETTLED != 0 {
                    continue;
                }
                let nd = dv + c;
                let dw = slot.dist;
                if dw == f64::INFINITY {
                    slot.dist = nd;
                    slot.sigma = sv;
                    preds[slot.pred_base as usize] = p;
                    slot.pred_len = 1;
                    touched.push(w);
                    heap.push(w, nd);
                } else if (nd - dw).abs() <= tol * nd.max(dw) {
                    slot.sigma += sv;
                    preds[(slot.pred_base + slot.pred_len) as usize] = p;
                    slot.pred_len += 1;
                } else if nd < dw {
                    slot.dist = nd;
                    slot.sigma = sv;
                    preds[slot.pred_base as usize] = p;
                    slot.pred_len = 1;
                    heap.decrease(w, nd);
                }
            }
        }
    }

    fn accumulate<const EDGES: bool>(&mut self, csr: &Csr, s: u32, part: &mut Partial) {
        let sources = &csr.sources[..];
        let slots = &mut self.slots[..];
        for &w in self.order.iter().rev() {
            let sw = slots[w as usize];
            let coeff = (1.0 + sw.delta) / sw.sigma;
            for &p in &self.preds[sw.preds()] {
                let v = &mut slots[sources[p as usize] as usize];
                let c = v.sigma * coeff;
                if EDGES {
                    part.edge[p as usize] += c;
                }
                v.delta += c;
            }
            if w != s {
                part.node[w as usize] += sw.delta;
            }
        }
    }

    fn accumulate_flow(&mut self, csr: &Csr, s: u32, part: &mut Partial, edges: bool) {
        let sources = &csr.sources[..];
        let slots = &mut self.slots[..];
        for &w in self.order.iter().rev() {
            let sw = slots[w as usize];
            let coeff = (sw.delta + self.target_weight[w as usize]) / sw.sigma;
            for &p in &self.preds[sw.preds()] {
                let v = &mut slots[sources[p as usize] as usize];
                let c = v.sigma * coeff;
                if edges {
                    part.edge[p as usize] += c;
                }
                v.delta += c;
            }
            if w != s {
                part.node[w as usize] += sw.delta;
            }
        }
    }
}

/// Indexed 4-ary min-heap of `(distance, node)` with decrease-key; ties on distance
/// are broken by node index so the settle order is fully determined.
struct Heap {
    items: Vec<(f64, u32)>,
    pos: Vec<u32>,
}

const NOT_IN_HEAP: u32 = u32::MAX;

impl Heap {
    fn new(n: usize) -> Self {
        Heap { items: Vec::with_capacity(n), pos: vec![NOT_IN_HEAP; n] }
    }

    fn clear(&mut self) {
        for &(_, v) in &self.items {
            self.pos[v as usize] = NOT_IN_HEAP;
        }
        self.items.clear();
    }

    #[inline(always)]
    fn less(a: (f64, u32), b: (f64, u32)) -> bool {
        a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
    }

    #[inline]
    fn push(&mut self, v: u32, d: f64) {
        let i = self.items.len();
        self.items.push((d, v));
        self.sift_up(i);
    }

    #[inline]
    fn decrease(&mut self, v: u32, d: f64) {
        let i = self.pos[v as usize];
        if i != NOT_IN_HEAP {
            self.items[i as usize].0 = d;
            self.sift_up(i as usize);
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<(f64, u32)> {
        let top = *self.items.first()?;
        self.pos[top.1 as usize] = NOT_IN_HEAP;
        let last = self.items.pop()?;
        if !self.items.is_empty() {
            self.sift_down(last);
        }
        Some(top)
    }

    #[inline]
    fn sift_up(&mut self, mut i: usize) {
        let x = self.items[i];
        while i > 0 {
            let parent = (i - 1) / 4;
            let u = self.items[parent];
            if !Self::less(x, u) {
                break;
            }
            self.items[i] = u;
            self.pos[u.1 as usize] = i as u32;
            i = parent;
        }
        self.items[i] = x;
        self.pos[x.1 as usize] = i as u32;
    }

    /// Places `x` at the root and sinks it.
    #[inline]
    fn sift_down(&mut self, x: (f64, u32)) {
        let len = self.items.len();
        let items = &mut self.items[..];
        let mut i = 0usize;
        loop {
            let first = 4 * i + 1;
            if first >= len {
                break;
            }
            let end = (first + 4).min(len);
            let mut best = first;
            let mut bk = items[first];
            for (c, &k) in items[first + 1..end].iter().enumerate() {
                if Self::less(k, bk) {
                    best = first + 1 + c;
                    bk = k;
                }
            }
            if !Self::less(bk, x) {
                break;
            }
            items[i] = bk;
            self.pos[bk.1 as usize] = i as u32;
            i = best;
        }
        items[i] = x;
        self.pos[x.1 as usize] = i as u32;
    }
}

/// Options of [`approx_betweenness`] (Riondato & Kornaropoulos sampling).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApproxOptions {
    /// Additive error bound on the normalised scores, in `(0, 1)`.
    pub epsilon: f64,
    /// Failure probability, in `(0, 1)`.
    pub delta: f64,
    /// Universal constant `c` of the sample-size bound; `0.5` as in the paper.
    pub c: f64,
    /// Seed of the ChaCha8 streams (sample `i` uses stream `i`).
    pub seed: u64,
    /// Upper bound on the vertex diameter (nodes on a shortest path); `None`
    /// uses the size of the largest weakly connected component.
    pub vertex_diameter: Option<usize>,
    /// Relative tolerance for equal path lengths.
    pub tie_tolerance: f64,
    /// Thread use; results do not depend on it.
    pub parallelism: Parallelism,
}

impl Default for ApproxOptions {
    fn default() -> Self {
        ApproxOptions {
            epsilon: 0.01,
            delta: 0.1,
            c: 0.5,
            seed: 0,
            vertex_diameter: None,
            tie_tolerance: DEFAULT_TIE_TOLERANCE,
            parallelism: Parallelism::Rayon,
        }
    }
}

/// Result of [`approx_betweenness`].
#[derive(Debug, Clone, PartialEq)]
pub struct ApproxBetweenness {
    /// Estimated share of ordered node pairs `(s, t)`, `s != t`, whose shortest
    /// paths pass through each node (Riondato & Kornaropoulos normalisation: true
    /// raw betweenness divided by `n (n - 1)`). With probability `>= 1 - delta`
    /// every estimate is within `epsilon` of that share.
    pub scores: Vec<f64>,
    /// Number of sampled pairs `r`.
    pub sample_size: usize,
    /// Vertex-diameter bound used for `r`.
    pub vertex_diameter_bound: usize,
}

impl ApproxBetweenness {
    /// The estimates rescaled to NetworkX's normalisation (divide raw by
    /// `(n - 1)(n - 2)`), i.e. `scores * n / (n - 2)` for node count `n > 2`.
    ///
    /// ```
    /// use divnet::algo::betweenness::ApproxBetweenness;
    /// let a = ApproxBetweenness { scores: vec![0.25, 0.0], sample_size: 4, vertex_diameter_bound: 3 };
    /// assert_eq!(a.networkx_normalized(4), vec![0.5, 0.0]);
    /// ```
    pub fn networkx_normalized(&self, node_count: usize) -> Vec<f64> {
        if node_count <= 2 {
            return self.scores.clone();
        }
        let f = node_count as f64 / (node_count - 2) as f64;
        self.scores.iter().map(|x| x * f).collect()
    }
}

/// Riondato & Kornaropoulos sample size
/// `r = ceil((c / eps^2) (floor(log2(VD - 2)) + 1 + ln(1 / delta)))`.
///
/// `VD - 2` is clamped to at least 1. Validates `epsilon`, `delta` in `(0, 1)` and
/// `c > 0`. `O(1)`.
///
/// ```
/// use divnet::algo::betweenness::rk_sample_size;
/// // eps 0.1, delta 0.1, c 0.5, VD 10: 50 * (3 + 1 + ln 10) = 315.13 -> 316
/// assert_eq!(rk_sample_size(10, 0.1, 0.1, 0.5).unwrap(), 316);
/// ```
pub fn rk_sample_size(
    vertex_diameter: usize,
    epsilon: f64,
    delta: f64,
    c: f64,
) -> Result<usize, CentralityError> {
    let unit = |name: &'static str, x: f64| {
        if x.is_finite() && x > 0.0 && x < 1.0 {
            Ok(())
        } else {
            Err(CentralityError::InvalidParameter { name, value: x, reason: "must be in (0, 1)" })
        }
    };
    unit("epsilon", epsilon)?;
    unit("delta", delta)?;
    if !c.is_finite() || c <= 0.0 {
        return Err(CentralityError::InvalidParameter {
            name: "c",
            value: c,
            reason: "must be > 0",
        });
    }
    let span = vertex_diameter.saturating_sub(2).max(1);
    let log2 = (usize::BITS - 1 - span.leading_zeros()) as f64;
    let r = (c / (epsilon * epsilon)) * (log2 + 1.0 + (1.0 / delta).ln());
    Ok(r.ceil() as usize)
}

/// Size of the largest weakly connected component: an upper bound on the number of
/// nodes of any shortest path. `O(V + E α(V))` with union-find.
fn largest_wcc(csr: &Csr) -> usize {
    let n = csr.node_bound();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for p in 0..csr.edge_count() {
        let a = find(&mut parent, csr.sources[p]);
        let b = find(&mut parent, csr.targets[p]);
        if a != b {
            parent[a.max(b) as usize] = a.min(b);
        }
    }
    let mut size = vec![0usize; n];
    for v in 0..n {
        if csr.present[v] {
            let r = find(&mut parent, v as u32);
            size[r as usize] += 1;
        }
    }
    size.into_iter().max().unwrap_or(0)
}

/// Approximate node betweenness by Riondato & Kornaropoulos (2016) pair sampling.
///
/// Draws `r` ordered pairs `(u, v)`, `u != v`, uniformly among nodes, picks one
/// shortest `u`-`v` path uniformly at random (backwards, choosing each predecessor
/// with probability proportional to its path count) and credits `1 / r` to each
/// interior node. `r` comes from [`rk_sample_size`] with a vertex-diameter bound
/// (the caller's, or the largest weakly connected component, which is always valid
/// for directed weighted graphs and enters `r` only through `log2`). Sample `i`
/// draws from ChaCha8 stream `i` of `seed`, and per-node counts are integers, so the
/// result is identical for any thread count. `O(r (E + V log V))` worst case; each
/// search stops once its target is settled.
///
/// ```
/// use divnet::algo::betweenness::{approx_betweenness, ApproxOptions};
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// // A directed 3-cycle: every node is interior to exactly one of the 6 ordered pairs.
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)]);
/// let opts = ApproxOptions { epsilon: 0.1, delta: 0.1, seed: 7, ..Default::default() };
/// let a = approx_betweenness(&g, |e| *e.weight(), &opts).unwrap();
/// assert_eq!(a.vertex_diameter_bound, 3);
/// assert_eq!(a.sample_size, 166); // 50 * (0 + 1 + ln 10) = 165.13
/// assert!(a.scores.iter().all(|&s| (s - 1.0 / 6.0).abs() < 0.1));
/// ```
pub fn approx_betweenness<G, F>(
    g: G,
    cost: F,
    opts: &ApproxOptions,
) -> Result<ApproxBetweenness, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    let csr = Csr::from_graph(g, cost)?;
    approx_on_csr(&csr, opts)
}

/// [`approx_betweenness`] on a prebuilt [`Csr`] whose `weights` are costs.
///
/// ```
/// use divnet::algo::betweenness::{approx_on_csr, ApproxOptions};
/// use divnet::algo::csr::Csr;
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0)]);
/// let csr = Csr::from_graph(&g, |e| *e.weight()).unwrap();
/// let opts = ApproxOptions { epsilon: 0.2, delta: 0.2, ..Default::default() };
/// let a = approx_on_csr(&csr, &opts).unwrap();
/// assert_eq!(a.scores[0], 0.0);
/// assert_eq!(a.scores[2], 0.0);
/// ```
pub fn approx_on_csr(
    csr: &Csr,
    opts: &ApproxOptions,
) -> Result<ApproxBetweenness, CentralityError> {
    check_tolerance(opts.tie_tolerance)?;
    let vd = match opts.vertex_diameter {
        Some(vd) => vd,
        None => largest_wcc(csr),
    };
    let r = rk_sample_size(vd, opts.epsilon, opts.delta, opts.c)?;
    let n = csr.node_bound();
    let nodes: Vec<u32> = (0..n as u32).filter(|&v| csr.present[v as usize]).collect();
    let mut counts = vec![0u64; n];
    if nodes.len() >= 2 && r > 0 {
        let samples: Vec<usize> = (0..r).collect();
        let per = r.div_ceil(256).max(1);
        let chunks: Vec<&[usize]> = samples.chunks(per).collect();
        let run = |ws: &mut Workspace, c: &[usize]| -> Vec<u64> {
            let mut local = vec![0u64; n];
            for &i in c {
                sample_path(csr, &nodes, opts, i as u64, ws, &mut local);
            }
            local
        };
        let parts: Vec<Vec<u64>> = match opts.parallelism {
            Parallelism::Sequential => {
                let mut ws = Workspace::new(csr);
                chunks.iter().map(|c| run(&mut ws, c)).collect()
            }
            Parallelism::Rayon => {
                chunks.par_iter().map_init(|| Workspace::new(csr), |ws, c| run(ws, c)).collect()
            }
        };
        for part in parts {
            counts.iter_mut().zip(&part).for_each(|(a, b)| *a += b);
        }
    }
    let scores = counts.iter().map(|&k| k as f64 / r as f64).collect();
    Ok(ApproxBetweenness { scores, sample_size: r, vertex_diameter_bound: vd })
}

fn sample_path(
    csr: &Csr,
    nodes: &[u32],
    opts: &ApproxOptions,
    index: u64,
    ws: &mut Workspace,
    counts: &mut [u64],
) {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    rng.set_stream(index);
    let k = nodes.len();
    let a = rng.random_range(0..k);
    let mut b = rng.random_range(0..k - 1);
    if b >= a {
        b += 1;
    }
    let (u, v) = (nodes[a], nodes[b]);
    ws.dijkstra(csr, u, opts.tie_tolerance, v);
    if ws.settled(v) {
        let mut w = v;
        loop {
            let sw = ws.slots[w as usize];
            let preds = &ws.preds[sw.preds()];
            let mut x = rng.random::<f64>() * sw.sigma;
            let mut pick = csr.sources[preds[preds.len() - 1] as usize];
            for &p in preds {
                let s = csr.sources[p as usize];
                x -= ws.slots[s as usize].sigma;
                if x < 0.0 {
                    pick = s;
                    break;
                }
            }
            if pick == u {
                break;
            }
            counts[pick as usize] += 1;
            w = pick;
        }
    }
    ws.reset();
}

/// How [`betweenness_auto`] computed its scores.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum BetweennessMethod {
    /// Exact Brandes.
    Exact,
    /// Riondato & Kornaropoulos sampling with `sample_size` pairs.
    Approximate {
        /// Pairs sampled.
        sample_size: usize,
        /// Vertex-diameter bound used.
        vertex_diameter_bound: usize,
    },
}

/// Scores of [`betweenness_auto`] with the method used.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoBetweenness {
    /// Node betweenness, NetworkX normalisation (raw divided by `(n - 1)(n - 2)`).
    pub scores: Vec<f64>,
    /// Exact or sampled.
    pub method: BetweennessMethod,
}

/// Exact normalised node betweenness when the graph has at most `exact_max_nodes`
/// nodes, otherwise the Riondato & Kornaropoulos estimate rescaled to the same
/// normalisation ([`ApproxBetweenness::networkx_normalized`]).
///
/// Exact: `O(V E + V^2 log V)`; approximate: see [`approx_betweenness`].
///
/// ```
/// use divnet::algo::betweenness::{betweenness_auto, ApproxOptions, BetweennessMethod};
/// use divnet::algo::Parallelism;
/// use petgraph::graph::DiGraph;
/// use petgraph::visit::EdgeRef;
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0)]);
/// let a = betweenness_auto(&g, |e| *e.weight(), 10, &ApproxOptions::default()).unwrap();
/// assert_eq!(a.method, BetweennessMethod::Exact);
/// assert_eq!(a.scores, vec![0.0, 0.5, 0.0]);
/// ```
pub fn betweenness_auto<G, F>(
    g: G,
    cost: F,
    exact_max_nodes: usize,
    approx: &ApproxOptions,
) -> Result<AutoBetweenness, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    let csr = Csr::from_graph(g, cost)?;
    if csr.node_count <= exact_max_nodes {
        let opts = BetweennessOptions {
            normalized: true,
            tie_tolerance: approx.tie_tolerance,
            parallelism: approx.parallelism,
        };
        let b = exact_on_csr(&csr, &opts, false)?;
        Ok(AutoBetweenness { scores: b.node, method: BetweennessMethod::Exact })
    } else {
        let a = approx_on_csr(&csr, approx)?;
        Ok(AutoBetweenness {
            scores: a.networkx_normalized(csr.node_count),
            method: BetweennessMethod::Approximate {
                sample_size: a.sample_size,
                vertex_diameter_bound: a.vertex_diameter_bound,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use petgraph::graph::{DiGraph, NodeIndex};
    use petgraph::visit::EdgeRef;

    fn grid(k: usize) -> DiGraph<(), f64> {
        // k x k grid with unit costs both ways: many equal-length paths.
        let mut edges = Vec::new();
        for r in 0..k {
            for c in 0..k {
                let v = (r * k + c) as u32;
                if c + 1 < k {
                    edges.push((v, v + 1, 1.0));
                    edges.push((v + 1, v, 1.0));
                }
                if r + 1 < k {
                    edges.push((v, v + k as u32, 1.0));
                    edges.push((v + k as u32, v, 1.0));
                }
            }
        }
        DiGraph::from_edges(edges)
    }

    /// Brute force: all-pairs Floyd–Warshall distances and path counts.
    fn brute(g: &DiGraph<(), f64>) -> Vec<f64> {
        let n = g.node_count();
        let mut d = vec![vec![f64::INFINITY; n]; n];
        for e in g.edge_references() {
            let (a, b) = (e.source().index(), e.target().index());
            d[a][b] = d[a][b].min(*e.weight());
        }
        for (i, row) in d.iter_mut().enumerate() {
            row[i] = 0.0;
        }
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    if d[i][k] + d[k][j] < d[i][j] {
                        d[i][j] = d[i][k] + d[k][j];
                    }
                }
            }
        }
        // sigma[s][t]: number of shortest paths, by DP over nodes in distance order.
        let mut sigma = vec![vec![0.0; n]; n];
        for s in 0..n {
            let mut order: Vec<usize> = (0..n).filter(|&t| d[s][t].is_finite()).collect();
            order.sort_by(|&a, &b| d[s][a].total_cmp(&d[s][b]));
            sigma[s][s] = 1.0;
            for &t in &order {
                if t == s {
                    continue;
                }
                let mut c = 0.0;
                for e in g.edges_directed(NodeIndex::new(t), petgraph::Direction::Incoming) {
                    let v = e.source().index();
                    if v != t && d[s][v] + *e.weight() == d[s][t] {
                        c += sigma[s][v];
                    }
                }
                sigma[s][t] = c;
            }
        }
        let mut b = vec![0.0; n];
        for s in 0..n {
            for t in 0..n {
                if s == t || !d[s][t].is_finite() {
                    continue;
                }
                for v in 0..n {
                    if v != s && v != t && d[s][v] + d[v][t] == d[s][t] {
                        b[v] += sigma[s][v] * sigma[v][t] / sigma[s][t];
                    }
                }
            }
        }
        b
    }

    #[test]
    fn matches_brute_force_on_grid_with_ties() {
        let g = grid(5);
        let raw = BetweennessOptions { normalized: false, ..Default::default() };
        let got = betweenness(&g, |e| *e.weight(), &raw).unwrap();
        let want = brute(&g);
        for (a, b) in got.iter().zip(&want) {
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
        }
        // The centre of a 5x5 grid carries more than a corner.
        assert!(got[12] > got[0]);
    }

    #[test]
    fn sequential_and_parallel_are_bit_identical() {
        let g = grid(9);
        let seq = BetweennessOptions { parallelism: Parallelism::Sequential, ..Default::default() };
        let par = BetweennessOptions { parallelism: Parallelism::Rayon, ..Default::default() };
        let a = node_and_edge_betweenness(&g, |e| *e.weight(), &seq).unwrap();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let b = pool.install(|| node_and_edge_betweenness(&g, |e| *e.weight(), &par)).unwrap();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a.node), bits(&b.node));
            assert_eq!(bits(&a.edge), bits(&b.edge));
        }
    }

    #[test]
    fn tolerance_merges_rounding_ties() {
        // 0.1 + 0.2 != 0.3 in binary; with a tolerance both routes count.
        let g =
            DiGraph::<(), f64>::from_edges([(0, 1, 0.1), (1, 3, 0.2), (0, 2, 0.3), (2, 3, 0.0)]);
        assert_ne!(0.1 + 0.2, 0.3 + 0.0);
        let raw = BetweennessOptions { normalized: false, ..Default::default() };
        let tied = betweenness(&g, |e| *e.weight(), &raw).unwrap();
        assert_eq!(tied, vec![0.0, 0.5, 0.5, 0.0]);
        let exact = BetweennessOptions { tie_tolerance: 0.0, ..raw };
        let strict = betweenness(&g, |e| *e.weight(), &exact).unwrap();
        assert_eq!(strict[1] + strict[2], 1.0);
        assert_ne!(strict[1], 0.5);
    }

    #[test]
    fn rejects_bad_costs_and_parameters() {
        let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, -0.5)]);
        let err = betweenness(&g, |e| *e.weight(), &BetweennessOptions::default()).unwrap_err();
        assert!(
            matches!(err, CentralityError::InvalidEdgeValue { edge: 1, value, .. } if value == -0.5)
        );
        let ok = DiGraph::<(), f64>::from_edges([(0, 1, 1.0)]);
        let bad = BetweennessOptions { tie_tolerance: f64::NAN, ..Default::default() };
        assert!(betweenness(&ok, |e| *e.weight(), &bad).is_err());
        let n = NodeIndex::new;
        let err = flow_betweenness(
            &ok,
            |e| *e.weight(),
            &[(n(0), n(1), -1.0)],
            0.0,
            Parallelism::Sequential,
        );
        assert!(err.is_err());
        let err = flow_betweenness(
            &ok,
            |e| *e.weight(),
            &[(n(0), n(5), 1.0)],
            0.0,
            Parallelism::Sequential,
        );
        assert!(matches!(err, Err(CentralityError::UnknownNode { index: 5, .. })));
        assert!(rk_sample_size(10, 0.0, 0.1, 0.5).is_err());
    }

    #[test]
    fn flow_with_all_pairs_equals_exact() {
        let g = grid(4);
        let n = g.node_count();
        let mut demands = Vec::new();
        for s in 0..n {
            for t in 0..n {
                demands.push((NodeIndex::new(s), NodeIndex::new(t), 1.0));
            }
        }
        let raw = BetweennessOptions { normalized: false, ..Default::default() };
        let exact = node_and_edge_betweenness(&g, |e| *e.weight(), &raw).unwrap();
        let flow = flow_betweenness(
            &g,
            |e| *e.weight(),
            &demands,
            DEFAULT_TIE_TOLERANCE,
            Parallelism::Rayon,
        )
        .unwrap();
        for (a, b) in exact.node.iter().zip(&flow.node) {
            assert!((a - b).abs() < 1e-9);
        }
        for (a, b) in exact.edge.iter().zip(&flow.edge) {
            assert!((a - b).abs() < 1e-9);
        }
    }

    #[test]
    fn approx_is_close_and_thread_independent() {
        let g = grid(6);
        let opts = ApproxOptions { epsilon: 0.02, delta: 0.1, seed: 11, ..Default::default() };
        let a = approx_betweenness(&g, |e| *e.weight(), &opts).unwrap();
        let seq = ApproxOptions { parallelism: Parallelism::Sequential, ..opts };
        let b = approx_betweenness(&g, |e| *e.weight(), &seq).unwrap();
        assert_eq!(a, b);
        let n = g.node_count() as f64;
        let exact = brute(&g);
        for (est, raw) in a.scores.iter().zip(&exact) {
            assert!(
                (est - raw / (n * (n - 1.0))).abs() <= 0.02,
                "{est} vs {}",
                raw / (n * (n - 1.0))
            );
        }
        let other =
            approx_betweenness(&g, |e| *e.weight(), &ApproxOptions { seed: 12, ..opts }).unwrap();
        assert_ne!(a.scores, other.scores);
    }

    #[test]
    fn auto_switches_to_sampling_above_threshold() {
        let g = grid(4);
        let a = betweenness_auto(&g, |e| *e.weight(), 3, &ApproxOptions::default()).unwrap();
        assert!(matches!(
            a.method,
            BetweennessMethod::Approximate { vertex_diameter_bound: 16, .. }
        ));
    }
}
