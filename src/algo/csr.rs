//! The one compact adjacency (CSR) of the graph algorithms.
//!
//! The algorithms of [`crate::algo`] walk the same graph millions of times. Walking
//! a petgraph graph through its visit traits on every step costs pointer chasing and
//! closure calls, so each algorithm first flattens the graph once into a [`Csr`]:
//! for every node index `v` the out-edges live in the contiguous range
//! `offsets[v]..offsets[v + 1]` of four parallel arrays (`targets`, `weights`,
//! `sources`, `edge_ids`), `u32` indices and `f64` weights. Node ids are petgraph
//! node indices ([`NodeIndexable::to_index`]); edge ids are petgraph edge indices
//! ([`EdgeIndexable::to_index`]), or positions in the input list for
//! [`Csr::from_edges`], so results map straight back onto the caller's graph.
//! Indices that do not name a node (holes of a `StableGraph`) are kept as empty rows
//! and flagged as absent.
//!
//! Weights come from a caller closure and are checked once here (finite, `>= 0`).
//! What each algorithm needs beyond the forward rows is derived from them:
//!
//! | need | method | user |
//! |---|---|---|
//! | every edge, self-loops and parallel edges included, in the graph's order | [`Csr::from_graph`], [`Csr::from_edges`] | betweenness, PageRank, strengths |
//! | in-edges (reverse adjacency) | [`Csr::transpose`], [`Csr::in_offsets`] | PageRank (pull form), strengths, betweenness (predecessor slots), k shortest paths (reverse search) |
//! | a simple digraph: no self-loops, one (cheapest) edge per ordered pair, rows sorted by target | [`Csr::simple`] | k shortest paths, brokerage |
//! | a cache-friendly numbering | [`Csr::relabel_bfs`] | betweenness |
//!
//! Building costs `O(V + E)` time and `20 E + 5 V` bytes; [`Csr::simple`] costs
//! `O(E log E)`.

use petgraph::visit::{EdgeIndexable, EdgeRef, IntoEdges, IntoNodeIdentifiers, NodeIndexable};
use thiserror::Error;

/// Errors raised by the compact-graph builder and the centrality routines
/// (betweenness, PageRank, brokerage).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CentralityError {
    /// An edge cost or weight supplied by the caller is negative, NaN or infinite.
    #[error("edge {edge} ({source_node} -> {target}) has invalid value {value}: {reason}")]
    InvalidEdgeValue {
        /// Edge index of the offending edge.
        edge: usize,
        /// Node index of the edge's source.
        source_node: usize,
        /// Node index of the edge's target.
        target: usize,
        /// The value returned by the caller's closure.
        value: f64,
        /// Why the value was rejected.
        reason: &'static str,
    },
    /// The graph has more nodes or edges than the 32-bit compact indices can hold.
    #[error("graph too large for compact indices: {what} = {value} exceeds {limit}")]
    TooLarge {
        /// Which quantity overflowed ("node bound" or "edge count").
        what: &'static str,
        /// Its value.
        value: usize,
        /// The largest supported value.
        limit: usize,
    },
    /// A numeric parameter is outside its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A node index given by the caller does not name a node of the graph.
    #[error("node index {index} is not a node of the graph (node bound {bound})")]
    UnknownNode {
        /// The node index given.
        index: usize,
        /// The graph's node bound.
        bound: usize,
    },
    /// A per-node input vector has the wrong length.
    #[error("{what} has length {len}, expected the node bound {expected}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The expected length.
        expected: usize,
    },
    /// The PageRank power iteration did not reach the tolerance.
    #[error("power iteration did not converge in {iterations} iterations (L1 change {error})")]
    NotConverged {
        /// Iterations run.
        iterations: usize,
        /// L1 change of the last iteration.
        error: f64,
    },
}

/// A directed graph flattened into compressed sparse rows (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Csr {
    /// `offsets[v]..offsets[v + 1]` is the range of `v`'s out-edges; length `node_bound + 1`.
    pub offsets: Vec<u32>,
    /// Head (target node index) of the edge at each position.
    pub targets: Vec<u32>,
    /// Tail (source node index) of the edge at each position.
    pub sources: Vec<u32>,
    /// Cost or weight of the edge at each position, as returned by the caller's closure.
    pub weights: Vec<f64>,
    /// petgraph edge index of the edge at each position.
    pub edge_ids: Vec<u32>,
    /// `present[v]` is true when index `v` names a node.
    pub present: Vec<bool>,
    /// Number of nodes (indices with `present[v]`).
    pub node_count: usize,
    /// Edge bound of the source graph (length of per-edge result vectors).
    pub edge_bound: usize,
}

/// One edge on its way into a [`Csr`].
struct Row {
    source: u32,
    target: u32,
    id: u32,
    weight: f64,
}

/// Largest node bound or edge count of a [`Csr`] (`u32::MAX` is kept as a sentinel).
const LIMIT: usize = u32::MAX as usize - 1;

fn check_size(what: &'static str, value: usize) -> Result<(), CentralityError> {
    if value > LIMIT {
        return Err(CentralityError::TooLarge { what, value, limit: LIMIT });
    }
    Ok(())
}

/// `x` if it is a valid edge value (finite, `>= 0`), else the error naming the edge.
fn check_value(
    x: f64,
    edge: usize,
    source_node: usize,
    target: usize,
) -> Result<f64, CentralityError> {
    if x.is_finite() && x >= 0.0 {
        return Ok(x);
    }
    let reason = if x.is_nan() {
        "value is NaN"
    } else if x.is_infinite() {
        "value is infinite"
    } else {
        "value is negative"
    };
    Err(CentralityError::InvalidEdgeValue { edge, source_node, target, value: x, reason })
}

impl Csr {
    /// Flattens `g`, calling `value` once per edge to obtain its cost or weight.
    ///
    /// Values must be finite and `>= 0`; anything else returns
    /// [`CentralityError::InvalidEdgeValue`] naming the edge. Every edge is kept,
    /// self-loops and parallel edges included; out-edges keep the order in which
    /// `g.edges(v)` yields them. `O(V + E)` time.
    ///
    /// ```
    /// use divnet::algo::csr::Csr;
    /// use petgraph::graph::DiGraph;
    /// let g = DiGraph::<(), f64>::from_edges([(0, 1, 2.0), (0, 2, 3.0), (2, 1, 1.0)]);
    /// let csr = Csr::from_graph(&g, |e| *e.weight()).unwrap();
    /// assert_eq!(csr.offsets, vec![0, 2, 2, 3]);
    /// assert_eq!(csr.node_count, 3);
    /// assert_eq!(csr.out_degree(0), 2);
    /// let bad = Csr::from_graph(&g, |_| -1.0);
    /// assert!(bad.is_err());
    /// ```
    pub fn from_graph<G, F>(g: G, mut value: F) -> Result<Self, CentralityError>
    where
        G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
        F: FnMut(G::EdgeRef) -> f64,
    {
        let node_bound = NodeIndexable::node_bound(&g);
        check_size("node bound", node_bound)?;
        let edge_bound = EdgeIndexable::edge_bound(&g);
        check_size("edge bound", edge_bound)?;
        let mut present = vec![false; node_bound];
        let mut rows: Vec<Row> = Vec::new();
        for n in g.node_identifiers() {
            let v = NodeIndexable::to_index(&g, n);
            present[v] = true;
            for e in g.edges(n) {
                let t = NodeIndexable::to_index(&g, e.target());
                let id = EdgeIndexable::to_index(&g, e.id());
                let x = check_value(value(e), id, v, t)?;
                rows.push(Row { source: v as u32, target: t as u32, id: id as u32, weight: x });
            }
        }
        check_size("edge count", rows.len())?;
        Ok(Self::assemble(present, edge_bound, rows))
    }

    /// Builds the graph of `node_bound` nodes (every index in `0..node_bound` is a
    /// node) from `(source, target, value)` triples. The edge id of a triple is its
    /// position in `edges`.
    ///
    /// Values must be finite and `>= 0` ([`CentralityError::InvalidEdgeValue`]
    /// otherwise); an end `>= node_bound` returns [`CentralityError::UnknownNode`].
    /// Every edge is kept; out-edges keep their order in `edges`. `O(V + E)` time.
    ///
    /// ```
    /// use divnet::algo::csr::Csr;
    /// let csr = Csr::from_edges(3, [(2, 0, 1.5), (0, 1, 0.5), (0, 2, 2.0)]).unwrap();
    /// assert_eq!(csr.offsets, vec![0, 2, 2, 3]);
    /// assert_eq!(csr.targets, vec![1, 2, 0]);
    /// assert_eq!(csr.edge_ids, vec![1, 2, 0]);
    /// assert!(Csr::from_edges(2, [(0, 2, 1.0)]).is_err());
    /// ```
    pub fn from_edges<I>(node_bound: usize, edges: I) -> Result<Self, CentralityError>
    where
        I: IntoIterator<Item = (usize, usize, f64)>,
    {
        check_size("node bound", node_bound)?;
        let mut rows: Vec<Row> = Vec::new();
        for (id, (v, t, x)) in edges.into_iter().enumerate() {
            check_size("edge count", id + 1)?;
            for end in [v, t] {
                if end >= node_bound {
                    return Err(CentralityError::UnknownNode { index: end, bound: node_bound });
                }
            }
            let x = check_value(x, id, v, t)?;
            rows.push(Row { source: v as u32, target: t as u32, id: id as u32, weight: x });
        }
        let edge_bound = rows.len();
        Ok(Self::assemble(vec![true; node_bound], edge_bound, rows))
    }

    /// Places `rows` into their source's row, keeping their order within a row.
    fn assemble(present: Vec<bool>, edge_bound: usize, rows: Vec<Row>) -> Self {
        let node_bound = present.len();
        let node_count = present.iter().filter(|&&p| p).count();
        let mut offsets = vec![0u32; node_bound + 1];
        for r in &rows {
            offsets[r.source as usize + 1] += 1;
        }
        for v in 0..node_bound {
            offsets[v + 1] += offsets[v];
        }
        let m = rows.len();
        let mut fill: Vec<u32> = offsets[..node_bound].to_vec();
        let mut targets = vec![0u32; m];
        let mut sources = vec![0u32; m];
        let mut weights = vec![0f64; m];
        let mut edge_ids = vec![0u32; m];
        for r in rows {
            let p = fill[r.source as usize] as usize;
            fill[r.source as usize] += 1;
            targets[p] = r.target;
            sources[p] = r.source;
            weights[p] = r.weight;
            edge_ids[p] = r.id;
        }
        Csr { offsets, targets, sources, weights, edge_ids, present, node_count, edge_bound }
    }

    /// Number of node indices (`present.len()`), including holes.
    pub fn node_bound(&self) -> usize {
        self.present.len()
    }

    /// Number of stored edges.
    pub fn edge_count(&self) -> usize {
        self.targets.len()
    }

    /// Out-degree of node index `v` (0 for holes). `O(1)`.
    pub fn out_degree(&self, v: usize) -> usize {
        (self.offsets[v + 1] - self.offsets[v]) as usize
    }

    /// Positions of `v`'s out-edges in `targets`, `weights`, `sources` and
    /// `edge_ids`. `O(1)`.
    ///
    /// ```
    /// use divnet::algo::csr::Csr;
    /// let csr = Csr::from_edges(3, [(0, 1, 1.0), (1, 2, 1.0), (1, 0, 2.0)]).unwrap();
    /// assert_eq!(csr.row(1), 1..3);
    /// assert_eq!(&csr.targets[csr.row(1)], &[2, 0]);
    /// ```
    #[inline]
    pub fn row(&self, v: usize) -> std::ops::Range<usize> {
        self.offsets[v] as usize..self.offsets[v + 1] as usize
    }

    /// Row offsets of the transposed graph: `in_offsets()[v]..in_offsets()[v + 1]` is
    /// the range of `v`'s in-edges in [`Csr::transpose`] (length `node_bound + 1`).
    /// `O(V + E)`.
    ///
    /// ```
    /// use divnet::algo::csr::Csr;
    /// let csr = Csr::from_edges(3, [(0, 1, 1.0), (2, 1, 1.0), (1, 2, 1.0)]).unwrap();
    /// assert_eq!(csr.in_offsets(), vec![0, 0, 2, 3]);
    /// ```
    pub fn in_offsets(&self) -> Vec<u32> {
        let n = self.node_bound();
        let mut counts = vec![0u32; n + 1];
        for &t in &self.targets {
            counts[t as usize + 1] += 1;
        }
        for v in 0..n {
            counts[v + 1] += counts[v];
        }
        counts
    }

    /// The transposed graph: row `v` lists `v`'s in-edges, `targets` hold their tails
    /// and `sources` their heads; weights and edge ids travel with their edges.
    /// In-edges of a node appear in increasing order of their position in `self`.
    /// `O(V + E)`.
    ///
    /// ```
    /// use divnet::algo::csr::Csr;
    /// use petgraph::graph::DiGraph;
    /// let g = DiGraph::<(), f64>::from_edges([(0, 1, 2.0), (2, 1, 1.0)]);
    /// let t = Csr::from_graph(&g, |e| *e.weight()).unwrap().transpose();
    /// assert_eq!(t.offsets, vec![0, 0, 2, 2]);
    /// assert_eq!(t.targets, vec![0, 2]);
    /// ```
    pub fn transpose(&self) -> Csr {
        let n = self.node_bound();
        let m = self.edge_count();
        let counts = self.in_offsets();
        let mut fill: Vec<u32> = counts[..n].to_vec();
        let mut targets = vec![0u32; m];
        let mut sources = vec![0u32; m];
        let mut weights = vec![0f64; m];
        let mut edge_ids = vec![0u32; m];
        for p in 0..m {
            let h = self.targets[p] as usize;
            let q = fill[h] as usize;
            fill[h] += 1;
            targets[q] = self.sources[p];
            sources[q] = self.targets[p];
            weights[q] = self.weights[p];
            edge_ids[q] = self.edge_ids[p];
        }
        Csr {
            offsets: counts,
            targets,
            sources,
            weights,
            edge_ids,
            present: self.present.clone(),
            node_count: self.node_count,
            edge_bound: self.edge_bound,
        }
    }

    /// The graph read as a simple digraph: self-loops dropped and, of parallel edges
    /// `u -> v`, only the one of smallest weight kept (the first in `self` among equal
    /// weights, compared by `f64::total_cmp`); every row sorted by target, so an edge
    /// can be found by binary search. Edge ids and `edge_bound` are kept.
    /// `O(E log E)`.
    ///
    /// ```
    /// use divnet::algo::csr::Csr;
    /// let csr = Csr::from_edges(3, [(0, 2, 1.0), (0, 1, 3.0), (0, 0, 1.0), (0, 1, 2.0)])
    ///     .unwrap()
    ///     .simple();
    /// assert_eq!(csr.targets, vec![1, 2]);
    /// assert_eq!(csr.weights, vec![2.0, 1.0]);
    /// assert_eq!(csr.edge_ids, vec![3, 0]);
    /// assert_eq!(csr.offsets, vec![0, 2, 2, 2]);
    /// ```
    pub fn simple(&self) -> Csr {
        let n = self.node_bound();
        let mut rows: Vec<Row> = (0..self.edge_count())
            .filter(|&p| self.sources[p] != self.targets[p])
            .map(|p| Row {
                source: self.sources[p],
                target: self.targets[p],
                id: p as u32,
                weight: self.weights[p],
            })
            .collect();
        rows.sort_unstable_by(|a, b| {
            (a.source, a.target)
                .cmp(&(b.source, b.target))
                .then(a.weight.total_cmp(&b.weight))
                .then(a.id.cmp(&b.id))
        });
        rows.dedup_by(|later, first| (later.source, later.target) == (first.source, first.target));
        let mut offsets = vec![0u32; n + 1];
        for r in &rows {
            offsets[r.source as usize + 1] += 1;
        }
        for v in 0..n {
            offsets[v + 1] += offsets[v];
        }
        Csr {
            offsets,
            targets: rows.iter().map(|r| r.target).collect(),
            sources: rows.iter().map(|r| r.source).collect(),
            weights: rows.iter().map(|r| r.weight).collect(),
            edge_ids: rows.iter().map(|r| self.edge_ids[r.id as usize]).collect(),
            present: self.present.clone(),
            node_count: self.node_count,
            edge_bound: self.edge_bound,
        }
    }
}

impl Csr {
    /// The same graph with node indices renumbered in breadth-first order over the
    /// undirected view (roots taken in increasing index order; out-neighbours before
    /// in-neighbours, each in CSR order), holes last. Returns the relabelled graph and
    /// `old_of_new`, the original index of every new index.
    ///
    /// Nodes close in the graph get close indices, so searches touch fewer cache
    /// lines; edge ids are kept, so per-edge results need no mapping. The numbering
    /// depends only on the graph. `O(V + E)`.
    ///
    /// ```
    /// use divnet::algo::csr::Csr;
    /// use petgraph::graph::DiGraph;
    /// use petgraph::visit::EdgeRef;
    /// let g = DiGraph::<(), f64>::from_edges([(0, 2, 1.0), (2, 1, 1.0)]);
    /// let (r, old_of_new) = Csr::from_graph(&g, |e| *e.weight()).unwrap().relabel_bfs();
    /// assert_eq!(old_of_new, vec![0, 2, 1]);
    /// assert_eq!(r.targets, vec![1, 2]);
    /// assert_eq!(r.edge_ids, vec![0, 1]);
    /// ```
    pub fn relabel_bfs(&self) -> (Csr, Vec<u32>) {
        let n = self.node_bound();
        let tr = self.transpose();
        let mut new_of_old = vec![u32::MAX; n];
        let mut old_of_new: Vec<u32> = Vec::with_capacity(n);
        for root in 0..n {
            if !self.present[root] || new_of_old[root] != u32::MAX {
                continue;
            }
            new_of_old[root] = old_of_new.len() as u32;
            old_of_new.push(root as u32);
            let mut head = old_of_new.len() - 1;
            while head < old_of_new.len() {
                let v = old_of_new[head] as usize;
                head += 1;
                let outs = &self.targets[self.offsets[v] as usize..self.offsets[v + 1] as usize];
                let ins = &tr.targets[tr.offsets[v] as usize..tr.offsets[v + 1] as usize];
                for &w in outs.iter().chain(ins) {
                    if new_of_old[w as usize] == u32::MAX {
                        new_of_old[w as usize] = old_of_new.len() as u32;
                        old_of_new.push(w);
                    }
                }
            }
        }
        for (v, slot) in new_of_old.iter_mut().enumerate() {
            if *slot == u32::MAX {
                *slot = old_of_new.len() as u32;
                old_of_new.push(v as u32);
            }
        }
        let m = self.edge_count();
        let mut offsets = vec![0u32; n + 1];
        let mut targets = Vec::with_capacity(m);
        let mut sources = Vec::with_capacity(m);
        let mut weights = Vec::with_capacity(m);
        let mut edge_ids = Vec::with_capacity(m);
        let mut present = vec![false; n];
        for (new, &old) in old_of_new.iter().enumerate() {
            let old = old as usize;
            present[new] = self.present[old];
            for p in self.offsets[old] as usize..self.offsets[old + 1] as usize {
                targets.push(new_of_old[self.targets[p] as usize]);
                sources.push(new as u32);
                weights.push(self.weights[p]);
                edge_ids.push(self.edge_ids[p]);
            }
            offsets[new + 1] = targets.len() as u32;
        }
        let csr = Csr {
            offsets,
            targets,
            sources,
            weights,
            edge_ids,
            present,
            node_count: self.node_count,
            edge_bound: self.edge_bound,
        };
        (csr, old_of_new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_transpose_keep_edge_ids() {
        let g = petgraph::graph::DiGraph::<(), f64>::from_edges([
            (2, 0, 1.0),
            (0, 2, 2.0),
            (1, 2, 3.0),
        ]);
        let csr = Csr::from_graph(&g, |e| *e.weight()).unwrap();
        assert_eq!(csr.present, vec![true, true, true]);
        assert_eq!(csr.offsets, vec![0, 1, 2, 3]);
        assert_eq!(csr.targets, vec![2, 2, 0]);
        assert_eq!(csr.edge_ids, vec![1, 2, 0]);
        let t = csr.transpose();
        assert_eq!(t.offsets, vec![0, 1, 1, 3]);
        assert_eq!(t.targets, vec![2, 0, 1]);
        assert_eq!(t.weights, vec![1.0, 2.0, 3.0]);
        assert_eq!(t.edge_ids, vec![0, 1, 2]);
    }

    #[test]
    fn rejects_nan_with_edge_id() {
        let g = petgraph::graph::DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, f64::NAN)]);
        let err = Csr::from_graph(&g, |e| *e.weight()).unwrap_err();
        match err {
            CentralityError::InvalidEdgeValue { edge, source_node, target, .. } => {
                assert_eq!((edge, source_node, target), (1, 1, 2));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn edge_lists_are_checked_and_simplified() {
        assert_eq!(
            Csr::from_edges(2, [(0, 1, 1.0), (1, 3, 1.0)]).unwrap_err(),
            CentralityError::UnknownNode { index: 3, bound: 2 }
        );
        match Csr::from_edges(2, [(0, 1, 1.0), (1, 0, f64::INFINITY)]).unwrap_err() {
            CentralityError::InvalidEdgeValue { edge, source_node, target, .. } => {
                assert_eq!((edge, source_node, target), (1, 1, 0));
            }
            other => panic!("unexpected {other:?}"),
        }
        // Parallel edges keep the cheapest, among equals the first that `edges(v)`
        // yields (petgraph yields the newest edge first); self-loops go.
        let mut g = petgraph::graph::DiGraph::<(), f64>::new();
        let n: Vec<_> = (0..4).map(|_| g.add_node(())).collect();
        g.add_edge(n[3], n[0], 2.0);
        g.add_edge(n[3], n[0], 1.0);
        g.add_edge(n[3], n[0], 1.0);
        g.add_edge(n[3], n[3], 0.0);
        g.add_edge(n[0], n[3], 5.0);
        let s = Csr::from_graph(&g, |e| *e.weight()).unwrap().simple();
        assert_eq!(s.present, vec![true; 4]);
        assert_eq!((s.node_count, s.edge_bound), (4, 5));
        assert_eq!(s.offsets, vec![0, 1, 1, 1, 2]);
        assert_eq!(s.targets, vec![3, 0]);
        assert_eq!(s.sources, vec![0, 3]);
        assert_eq!(s.weights, vec![5.0, 1.0]);
        assert_eq!(s.edge_ids, vec![4, 2]);
    }
}
