//! The `k` most probable simple diversion paths between two nodes.
//!
//! Edge costs are `-ln p`, so the cheapest paths are the most probable ones. The search
//! is Yen's algorithm for the `k` shortest loopless paths (J. Y. Yen, "Finding the K
//! shortest loopless paths in a network", *Management Science* 17(11), 1971) with
//! Lawler's improvement (E. L. Lawler, "A procedure for computing the K best solutions to
//! discrete optimization problems and its application to the shortest path problem",
//! *Management Science* 18(7), 1972): a newly accepted path is only deviated from at its
//! own deviation node and later, which keeps the result exact because the earlier spur
//! nodes describe sub-spaces of paths that are already represented by candidates.
//!
//! Each spur search (and the first, unrestricted search) is an A* search. Its heuristic
//! comes from one reverse Dijkstra search from the target, run lazily: nodes it has
//! settled get their exact distance to the target, all others the current search radius,
//! a valid lower bound. The reverse search does not depend on the source, so the pairs of
//! a batch that share a target share it: it is recorded as it runs and replayed for the
//! next pair, which sees exactly the nodes its own search would have settled. Removing root nodes and spur edges
//! only lengthens distances, so the heuristic stays admissible and consistent. The
//! reverse search is advanced whenever the forward work of the pair exceeds the reverse
//! work, so the first search behaves like a work-balanced bidirectional Dijkstra
//! (small balls on small-world graphs) and later spur searches reuse an ever better
//! heuristic. When the shortest-path tree towards the target already avoids the removed
//! nodes and edges, the spur path is read off the tree without any search. Spur searches
//! whose lower bound exceeds the current `k`-th candidate cost are skipped or cut short.
//!
//! # Costs, multi-edges and self-loops
//!
//! Costs come from a caller closure. They must be non-negative and not NaN
//! ([`KspError::InvalidCost`] otherwise); `+inf` marks an impossible leg (`p = 0`) and the
//! edge is ignored. Of several parallel edges `u -> v` only the cheapest is used;
//! self-loops can never be on a simple path and are ignored.
//!
//! # Tie rule
//!
//! Paths are returned in order of non-decreasing cost. Two costs `a <= b` are *tied* when
//! `b - a <= TIE_RTOL * b` ([`TIE_RTOL`] is `1e-12`, well above the rounding error of a sum
//! of a few thousand terms). A run of consecutive paths whose costs all lie within
//! `TIE_RTOL` of the run's first cost is ordered lexicographically by node-index sequence.
//! If such a run extends past position `k`, the members that are returned are chosen
//! deterministically (smallest exact floating-point cost, then smallest node-index
//! sequence, among the candidates generated so far); they need not be the
//! lexicographically smallest members of the whole run. The cost of a path is always the
//! left-to-right sum of its edge costs, starting at the source.
//!
//! # Determinism and parallelism
//!
//! The result for one pair depends only on the graph, the pair and `k`. The batch
//! functions take a [`Parallelism`] and run on the current rayon pool (the caller picks
//! its size with `ThreadPool::install`); every pair is solved independently and the
//! output keeps the input order, so the result is bit-identical for any thread count.

use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};
use std::sync::Mutex;

use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use rayon::prelude::*;

use crate::algo::Parallelism;
use crate::algo::csr::Csr;

/// Relative tolerance under which two path costs count as tied (see the module docs).
///
/// Tied paths are returned in node-index order even when rounding makes the later one
/// a few ulps cheaper.
///
/// # Example
/// ```
/// use divnet::algo::ksp::{KspGraph, TIE_RTOL};
///
/// // 0 -> 2 -> 3 is cheaper than 0 -> 1 -> 3 by far less than TIE_RTOL: a tie.
/// let (a, b) = (0.1 + 0.2, 0.3);
/// assert!(a > b && a - b < TIE_RTOL * a);
/// let kg = KspGraph::from_edges(4, [(0, 1, a), (1, 3, 0.0), (0, 2, b), (2, 3, 0.0)]).unwrap();
/// let paths = kg.k_shortest_paths(0, 3, 2).unwrap();
/// assert_eq!((paths[0].cost, paths[1].cost), (a, b));
/// assert_eq!((&paths[0].nodes, &paths[1].nodes), (&vec![0, 1, 3], &vec![0, 2, 3]));
/// ```
pub const TIE_RTOL: f64 = 1e-12;

/// Sentinel for "no node" in the internal `u32` arrays.
const NONE: u32 = u32::MAX;

/// One simple path with its total cost.
///
/// `N` is a node id: `usize` indices from [`KspGraph`], the graph's own node ids from
/// [`k_shortest_simple_paths`].
///
/// # Example
/// ```
/// use divnet::algo::ksp::{KspGraph, Path};
///
/// let kg = KspGraph::from_edges(2, [(0, 1, 0.5)]).unwrap();
/// assert_eq!(kg.k_shortest_paths(0, 1, 1).unwrap(), vec![Path { nodes: vec![0, 1], cost: 0.5 }]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Path<N> {
    /// Node sequence from the source to the target, both included.
    pub nodes: Vec<N>,
    /// Sum of the edge costs along `nodes`, added left to right from the source.
    pub cost: f64,
}

/// Errors of the `k` shortest simple paths search.
///
/// Each variant carries the rejected value; an unreachable target is not an error (the
/// result is empty).
///
/// # Example
/// ```
/// use divnet::algo::ksp::{KspError, KspGraph};
///
/// let kg = KspGraph::from_edges(2, [(0, 1, 1.0)]).unwrap();
/// let err = kg.k_shortest_paths(0, 9, 1).unwrap_err();
/// assert_eq!(err, KspError::NodeOutOfRange { index: 9, node_bound: 2 });
/// assert_eq!(err.to_string(), "node index 9 is out of range: the graph has node bound 2");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KspError {
    /// An edge cost is negative or NaN.
    #[error("edge {from} -> {to} has cost {cost}: costs must be non-negative and not NaN")]
    InvalidCost {
        /// Index of the edge's source node.
        from: usize,
        /// Index of the edge's target node.
        to: usize,
        /// The rejected cost.
        cost: f64,
    },
    /// A source, target or edge end is not a node index of the graph.
    #[error("node index {index} is out of range: the graph has node bound {node_bound}")]
    NodeOutOfRange {
        /// The rejected index.
        index: usize,
        /// Number of node indices of the graph (`0..node_bound` are valid).
        node_bound: usize,
    },
    /// The graph has more nodes or edges than 32-bit indices can address.
    #[error("graph too large: {nodes} nodes and {edges} edges, at most {max} of each supported")]
    TooLarge {
        /// Node bound of the graph.
        nodes: usize,
        /// Number of edges of the graph.
        edges: usize,
        /// Largest supported count.
        max: usize,
    },
}

/// A directed graph prepared for repeated `k` shortest simple path queries.
///
/// Holds the forward graph as a simple digraph [`Csr`] (one cheapest edge per ordered
/// node pair, [`Csr::simple`]) and its transpose for the reverse searches. Build it once
/// and run many queries or one batch against it.
///
/// Building costs `O(n + m log m)` time and `O(n + m)` memory for `n` nodes and `m` edges.
#[derive(Debug, Clone)]
pub struct KspGraph {
    /// Out-edges, each row sorted by target.
    fwd: Csr,
    /// In-edges (`fwd` transposed), each row sorted by tail.
    rev: Csr,
}

impl KspGraph {
    /// Prepares a petgraph graph, taking each edge's cost from `edge_cost`.
    ///
    /// Method: cheapest-edge compressed sparse rows (see [`KspGraph`]). Complexity
    /// `O(n + m log m)`.
    ///
    /// * `graph` - any graph with edge references and node indices (`Graph`,
    ///   `StableGraph`, `GraphMap`, `Csr`, ...); vacant indices of a `StableGraph` act
    ///   as isolated nodes.
    /// * `edge_cost` - the cost of one edge, typically `-ln p`; `+inf` drops the edge.
    ///
    /// # Errors
    /// [`KspError::InvalidCost`] for the first negative or NaN cost (in edge iteration
    /// order), [`KspError::TooLarge`] beyond `u32` indices.
    ///
    /// # Example
    /// ```
    /// use divnet::algo::ksp::KspGraph;
    /// use petgraph::graph::DiGraph;
    ///
    /// let mut g = DiGraph::<(), f64>::new();
    /// let (a, b) = (g.add_node(()), g.add_node(()));
    /// g.add_edge(a, b, 3.0);
    /// g.add_edge(a, b, 1.0); // parallel edge: the cheaper one is kept
    /// let kg = KspGraph::from_graph(&g, |e| *e.weight()).unwrap();
    /// assert_eq!((kg.node_count(), kg.edge_count()), (2, 1));
    /// assert_eq!(kg.k_shortest_paths(0, 1, 3).unwrap()[0].cost, 1.0);
    /// ```
    pub fn from_graph<G, F>(graph: G, mut edge_cost: F) -> Result<Self, KspError>
    where
        G: IntoEdgeReferences + NodeIndexable,
        F: FnMut(G::EdgeRef) -> f64,
    {
        let n = graph.node_bound();
        let edges = graph.edge_references().map(|e| {
            let (u, v) = (graph.to_index(e.source()), graph.to_index(e.target()));
            (u, v, edge_cost(e))
        });
        Self::from_edges(n, edges)
    }

    /// Prepares a graph of `node_count` nodes from `(source, target, cost)` triples.
    ///
    /// Method and complexity as [`KspGraph::from_graph`].
    ///
    /// * `node_count` - node indices are `0..node_count`.
    /// * `edges` - directed edges; parallel edges keep the cheapest, self-loops and
    ///   `+inf` costs are dropped.
    ///
    /// # Errors
    /// [`KspError::NodeOutOfRange`] for an edge end `>= node_count`,
    /// [`KspError::InvalidCost`] for a negative or NaN cost, [`KspError::TooLarge`]
    /// beyond `u32` indices.
    ///
    /// # Example
    /// ```
    /// use divnet::algo::ksp::{KspError, KspGraph};
    ///
    /// let kg = KspGraph::from_edges(3, [(0, 1, 0.5), (1, 2, 0.25), (2, 2, 1.0)]).unwrap();
    /// assert_eq!(kg.edge_count(), 2);
    /// let bad = KspGraph::from_edges(3, [(0, 1, -1.0)]);
    /// assert_eq!(bad.unwrap_err(), KspError::InvalidCost { from: 0, to: 1, cost: -1.0 });
    /// ```
    pub fn from_edges<I>(node_count: usize, edges: I) -> Result<Self, KspError>
    where
        I: IntoIterator<Item = (usize, usize, f64)>,
    {
        let max = (u32::MAX - 1) as usize;
        let too_large = |edges: usize| KspError::TooLarge { nodes: node_count, edges, max };
        if node_count > max {
            return Err(too_large(0));
        }
        let mut list: Vec<(u32, u32, f64)> = Vec::new();
        for (u, v, c) in edges {
            for x in [u, v] {
                if x >= node_count {
                    return Err(KspError::NodeOutOfRange { index: x, node_bound: node_count });
                }
            }
            if c.is_nan() || c < 0.0 {
                return Err(KspError::InvalidCost { from: u, to: v, cost: c });
            }
            if u != v && c.is_finite() {
                // `+ 0.0` turns a negative zero into a positive one.
                list.push((u as u32, v as u32, c + 0.0));
            }
        }
        if list.len() > max {
            return Err(too_large(list.len()));
        }
        // Ends, costs and sizes are checked above, so the builder cannot fail here.
        let kept = list.iter().map(|&(u, v, c)| (u as usize, v as usize, c));
        let fwd = Csr::from_edges(node_count, kept).map_err(|_| too_large(list.len()))?.simple();
        let rev = fwd.transpose();
        Ok(Self { fwd, rev })
    }

    /// Number of nodes (node indices are `0..node_count()`).
    ///
    /// # Example
    /// ```
    /// let kg = divnet::algo::ksp::KspGraph::from_edges(4, [(0, 1, 1.0)]).unwrap();
    /// assert_eq!(kg.node_count(), 4);
    /// ```
    pub fn node_count(&self) -> usize {
        self.fwd.node_bound()
    }

    /// Number of distinct directed edges kept (parallel edges merged, self-loops and
    /// infinite costs dropped).
    ///
    /// # Example
    /// ```
    /// let kg = divnet::algo::ksp::KspGraph::from_edges(2, [(0, 1, 2.0), (0, 1, 1.0)]).unwrap();
    /// assert_eq!(kg.edge_count(), 1);
    /// ```
    pub fn edge_count(&self) -> usize {
        self.fwd.edge_count()
    }

    /// The `k` shortest simple paths from `source` to `target`, cheapest first.
    ///
    /// Method: Yen (1971) with Lawler's (1972) improvement, A* spur searches guided by a
    /// lazy reverse Dijkstra from `target` (see the module docs, including the tie rule).
    /// Complexity: at most `k * L + 1` searches of worst-case cost `O(m log n)` each, `L`
    /// the number of nodes of the longest returned path, plus one reverse search of the
    /// same cost; in practice most spur searches are tree look-ups or explore few nodes.
    /// Memory `O(n + k * L)`.
    ///
    /// * `source`, `target` - node indices; `source == target` gives the single path
    ///   `[source]` of cost 0.
    /// * `k` - the number of paths wanted; fewer are returned when fewer simple paths
    ///   exist, none when `target` is unreachable or `k == 0`.
    ///
    /// # Errors
    /// [`KspError::NodeOutOfRange`] when `source` or `target` is not a node index.
    ///
    /// # Example
    /// ```
    /// use divnet::algo::ksp::KspGraph;
    ///
    /// // 0 -> 1 -> 3 costs 2, 0 -> 2 -> 3 costs 3, 0 -> 3 costs 4.
    /// let kg = KspGraph::from_edges(
    ///     4,
    ///     [(0, 1, 1.0), (1, 3, 1.0), (0, 2, 1.0), (2, 3, 2.0), (0, 3, 4.0)],
    /// )
    /// .unwrap();
    /// let paths = kg.k_shortest_paths(0, 3, 5).unwrap();
    /// let got: Vec<(Vec<usize>, f64)> = paths.into_iter().map(|p| (p.nodes, p.cost)).collect();
    /// assert_eq!(got, vec![(vec![0, 1, 3], 2.0), (vec![0, 2, 3], 3.0), (vec![0, 3], 4.0)]);
    /// assert!(kg.k_shortest_paths(3, 0, 5).unwrap().is_empty());
    /// ```
    pub fn k_shortest_paths(
        &self,
        source: usize,
        target: usize,
        k: usize,
    ) -> Result<Vec<Path<usize>>, KspError> {
        self.check_node(source)?;
        self.check_node(target)?;
        let mut ws = Workspace::new(self.node_count());
        Ok(self.solve(&mut ws, source as u32, target as u32, k))
    }

    /// The `k` shortest simple paths for every `(source, target)` pair.
    ///
    /// Method and per-pair complexity as [`KspGraph::k_shortest_paths`]; with
    /// [`Parallelism::Rayon`] the pairs are spread over the workers of the current rayon
    /// pool (a pool of one worker, or [`Parallelism::Sequential`], runs on the calling
    /// thread). Each worker reuses one set of `O(n)` buffers. Pairs with the same
    /// target are solved together and share one reverse search (each pair still sees
    /// exactly the heuristic its own search would give it), so the reverse work is paid
    /// once per target instead of once per pair. Output order is input order and the
    /// result is bit-identical for every thread count, and to solving each pair alone.
    ///
    /// * `pairs` - `(source, target)` node indices.
    /// * `k` - paths wanted per pair.
    /// * `parallelism` - thread use; the result does not depend on it.
    ///
    /// # Errors
    /// [`KspError::NodeOutOfRange`] for the first bad pair (input order).
    ///
    /// # Example
    /// ```
    /// use divnet::algo::Parallelism;
    /// use divnet::algo::ksp::KspGraph;
    ///
    /// let kg = KspGraph::from_edges(3, [(0, 1, 1.0), (1, 2, 1.0), (0, 2, 3.0)]).unwrap();
    /// let pairs = [(0, 2), (2, 0), (1, 1)];
    /// let out = kg.k_shortest_paths_batch(&pairs, 2, Parallelism::Rayon).unwrap();
    /// let costs: Vec<Vec<f64>> =
    ///     out.iter().map(|ps| ps.iter().map(|p| p.cost).collect()).collect();
    /// assert_eq!(costs, vec![vec![2.0, 3.0], vec![], vec![0.0]]);
    /// ```
    pub fn k_shortest_paths_batch(
        &self,
        pairs: &[(usize, usize)],
        k: usize,
        parallelism: Parallelism,
    ) -> Result<Vec<Vec<Path<usize>>>, KspError> {
        for &(s, t) in pairs {
            self.check_node(s)?;
            self.check_node(t)?;
        }
        // Pairs towards the same target share the reverse search (see `Workspace`): they
        // are solved in groups by target, each group on one worker, in pieces of at most
        // `GROUP` pairs so that one busy target does not hold up the other workers.
        const GROUP: usize = 64;
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by_key(|&i| (pairs[i].1, i));
        let groups: Vec<&[usize]> = order
            .chunk_by(|&a, &b| pairs[a].1 == pairs[b].1)
            .flat_map(|g| g.chunks(GROUP))
            .collect();
        let solve_group = |ws: &mut Workspace, group: &[usize]| -> Vec<(usize, Vec<Path<usize>>)> {
            group
                .iter()
                .map(|&i| (i, self.solve(ws, pairs[i].0 as u32, pairs[i].1 as u32, k)))
                .collect()
        };
        let n = self.node_count();
        let workers = match parallelism {
            Parallelism::Sequential => 1,
            Parallelism::Rayon => rayon::current_num_threads(),
        };
        let solved: Vec<Vec<(usize, Vec<Path<usize>>)>> = if workers <= 1 || groups.len() <= 1 {
            let mut ws = Workspace::new(n);
            groups.iter().map(|g| solve_group(&mut ws, g)).collect()
        } else {
            // One buffer set per worker, picked by the worker's index in the pool.
            let buffers: Vec<Mutex<Workspace>> =
                (0..workers).map(|_| Mutex::new(Workspace::new(n))).collect();
            groups
                .par_iter()
                .with_max_len(1)
                .map(|g| {
                    let slot = rayon::current_thread_index().unwrap_or(0) % workers;
                    let mut ws = buffers[slot].lock().unwrap_or_else(|e| e.into_inner());
                    solve_group(&mut ws, g)
                })
                .collect()
        };
        let mut out: Vec<Vec<Path<usize>>> = vec![Vec::new(); pairs.len()];
        for (i, paths) in solved.into_iter().flatten() {
            out[i] = paths;
        }
        Ok(out)
    }

    fn check_node(&self, index: usize) -> Result<(), KspError> {
        let node_bound = self.node_count();
        if index < node_bound {
            Ok(())
        } else {
            Err(KspError::NodeOutOfRange { index, node_bound })
        }
    }

    fn out_edges(&self, u: u32) -> (&[u32], &[f64]) {
        let f = &self.fwd;
        let (a, b) = (f.offsets[u as usize] as usize, f.offsets[u as usize + 1] as usize);
        (&f.targets[a..b], &f.weights[a..b])
    }

    /// Starts a new pair towards `t`: its view of the reverse Dijkstra from `t` starts
    /// empty. The search itself is started only when `t` is not the target of the
    /// workspace's recorded search (see [`Workspace::tape`]).
    fn start_reverse(&self, ws: &mut Workspace, t: u32) {
        ws.p_gen = ws.p_gen.wrapping_add(1);
        if ws.p_gen == 0 {
            ws.settled.fill(0);
            ws.p_gen = 1;
        }
        ws.seen = 0;
        ws.radius = 0.0;
        ws.exhausted = false;
        ws.rev_work = 0;
        ws.fwd_work = 0;
        if ws.tape_target == t {
            return;
        }
        ws.r_gen = ws.r_gen.wrapping_add(1);
        if ws.r_gen == 0 {
            ws.r_stamp.fill(0);
            ws.known.fill(0);
            ws.r_gen = 1;
        }
        ws.r_heap.clear();
        ws.tape.clear();
        ws.tape_target = t;
        ws.tape_done = false;
        ws.tape_work = 0;
        ws.rd[t as usize] = 0.0;
        ws.r_stamp[t as usize] = ws.r_gen;
        ws.succ[t as usize] = NONE;
        ws.r_heap.push(RevItem { d: 0.0, node: t });
    }

    /// Settles reverse-Dijkstra nodes for the current pair until `rev_work` reaches
    /// `until` or the search is exhausted. Settled nodes get their exact distance to `t`
    /// and next hop towards it. Nodes that an earlier pair towards `t` made the search
    /// settle are replayed from the tape, with the work they cost then; the search itself
    /// runs only past the end of the tape.
    fn extend_reverse(&self, ws: &mut Workspace, until: u64) {
        while ws.rev_work < until {
            if ws.seen == ws.tape.len() && !self.record_next(ws) {
                ws.exhausted = true;
                return;
            }
            let (v, d, work) = ws.tape[ws.seen];
            ws.seen += 1;
            ws.settled[v as usize] = ws.p_gen;
            ws.radius = d;
            ws.rev_work = work;
        }
    }

    /// Settles the next node of the reverse Dijkstra and appends it to the tape; `false`
    /// when every node that can reach the target is settled.
    fn record_next(&self, ws: &mut Workspace) -> bool {
        let g = ws.r_gen;
        while !ws.tape_done {
            let Some(RevItem { d, node: v }) = ws.r_heap.pop() else {
                ws.tape_done = true;
                break;
            };
            let vi = v as usize;
            if ws.known[vi] == g || d > ws.rd[vi] {
                continue;
            }
            ws.known[vi] = g;
            let r = &self.rev;
            let (a, b) = (r.offsets[vi] as usize, r.offsets[vi + 1] as usize);
            ws.tape_work += (b - a) as u64 + 1;
            for (&u, &c) in r.targets[a..b].iter().zip(&r.weights[a..b]) {
                let ui = u as usize;
                if ws.known[ui] == g {
                    continue;
                }
                let nd = d + c;
                if ws.r_stamp[ui] != g || nd < ws.rd[ui] {
                    ws.r_stamp[ui] = g;
                    ws.rd[ui] = nd;
                    ws.succ[ui] = v;
                    ws.r_heap.push(RevItem { d: nd, node: u });
                }
            }
            ws.tape.push((v, d, ws.tape_work));
            return true;
        }
        false
    }

    fn solve(&self, ws: &mut Workspace, s: u32, t: u32, k: usize) -> Vec<Path<usize>> {
        if k == 0 {
            return Vec::new();
        }
        if s == t {
            return vec![Path { nodes: vec![s as usize], cost: 0.0 }];
        }
        self.start_reverse(ws, t);
        ws.next_block_gen();
        // The shortest path is an unrestricted search from the source.
        if !self.spur_path(ws, s, t, 0.0, &[], f64::INFINITY) {
            return Vec::new();
        }
        let (nodes, prefix) = (ws.tail.clone(), ws.tail_prefix.clone());
        let cost = *prefix.last().unwrap_or(&0.0);
        let mut found: Vec<Cand> = vec![Cand { cost, nodes, prefix, dev: 0 }];
        let mut cands: BTreeSet<Cand> = BTreeSet::new();
        let mut sharing: Vec<bool> = Vec::with_capacity(k);
        let mut banned: Vec<u32> = Vec::new();
        while found.len() < k {
            let last = found.len() - 1;
            let needed = k - found.len();
            ws.next_block_gen();
            let bg = ws.b_gen;
            let path = &found[last];
            let dev = path.dev;
            for &x in &path.nodes[..dev] {
                ws.blocked[x as usize] = bg;
            }
            // Which accepted paths share the root `path.nodes[..=j]`.
            sharing.clear();
            sharing.extend(
                found.iter().map(|p| p.nodes.len() > dev && p.nodes[..=dev] == path.nodes[..=dev]),
            );
            for j in dev..path.nodes.len() - 1 {
                if j > dev {
                    ws.blocked[path.nodes[j - 1] as usize] = bg;
                    for (i, p) in found.iter().enumerate() {
                        sharing[i] = sharing[i] && p.nodes.len() > j && p.nodes[j] == path.nodes[j];
                    }
                }
                let spur = path.nodes[j];
                banned.clear();
                for (i, p) in found.iter().enumerate() {
                    if sharing[i] && p.nodes.len() > j + 1 {
                        banned.push(p.nodes[j + 1]);
                    }
                }
                let root_cost = path.prefix[j];
                let thr = threshold(&cands, needed);
                let lower = root_cost + ws.h_of(spur);
                if lower.is_infinite() || lower > thr {
                    continue;
                }
                if self.spur_path(ws, spur, t, root_cost, &banned, thr) {
                    let mut nodes = Vec::with_capacity(j + ws.tail.len());
                    nodes.extend_from_slice(&path.nodes[..j]);
                    nodes.extend_from_slice(&ws.tail);
                    let mut prefix = Vec::with_capacity(nodes.len());
                    prefix.extend_from_slice(&path.prefix[..j]);
                    prefix.extend_from_slice(&ws.tail_prefix);
                    let cost = *prefix.last().unwrap_or(&root_cost);
                    cands.insert(Cand { cost, nodes, prefix, dev: j });
                }
            }
            match cands.pop_first() {
                Some(best) => found.push(best),
                None => break,
            }
        }
        order_ties(&mut found);
        found
            .into_iter()
            .map(|c| Path {
                nodes: c.nodes.into_iter().map(|x| x as usize).collect(),
                cost: c.cost,
            })
            .collect()
    }

    /// Cost of the edge `u -> v` (which exists: it is on a shortest-path tree).
    fn edge_cost(&self, u: u32, v: u32) -> f64 {
        let (dst, cost) = self.out_edges(u);
        match dst.binary_search(&v) {
            Ok(i) => cost[i],
            Err(_) => f64::INFINITY,
        }
    }

    /// Cheapest path `spur -> t` avoiding blocked nodes and banned first hops, written to
    /// `ws.tail` with its prefix costs (continuing from `root_cost`) in `ws.tail_prefix`;
    /// `false` if no such path costs at most `thr`.
    ///
    /// A* with the heuristic `min(exact distance to t, radius)`, where the exact distances
    /// come from the lazy reverse Dijkstra and `radius` is its current search radius.
    /// This heuristic is consistent at every moment and only grows as the reverse search
    /// advances; nodes may be re-opened, so the search stays exact. The reverse search is
    /// advanced whenever the forward work of the pair exceeds the reverse work,
    /// which makes the first search a work-balanced bidirectional search and lets later
    /// searches reuse the reverse ball.
    fn spur_path(
        &self,
        ws: &mut Workspace,
        spur: u32,
        t: u32,
        root_cost: f64,
        banned: &[u32],
        thr: f64,
    ) -> bool {
        ws.tail.clear();
        ws.tail_prefix.clear();
        let bg = ws.b_gen;
        let rg = ws.p_gen;
        // Fast path: a settled spur whose tree path towards `t` is free of blocked nodes
        // and banned first hops (tree paths of settled nodes stay among settled nodes).
        if ws.settled[spur as usize] == rg && !banned.contains(&ws.succ[spur as usize]) {
            let mut v = ws.succ[spur as usize];
            while v != t && ws.blocked[v as usize] != bg {
                v = ws.succ[v as usize];
            }
            if v == t {
                ws.tail.push(spur);
                ws.tail_prefix.push(root_cost);
                let (mut v, mut acc) = (spur, root_cost);
                while v != t {
                    let w = ws.succ[v as usize];
                    acc += self.edge_cost(v, w);
                    ws.tail.push(w);
                    ws.tail_prefix.push(acc);
                    v = w;
                }
                return true;
            }
        }
        ws.next_dist_gen();
        let dg = ws.d_gen;
        ws.heap.clear();
        ws.dist[spur as usize] = root_cost;
        ws.d_stamp[spur as usize] = dg;
        ws.pred[spur as usize] = NONE;
        let h0 = ws.h_of(spur);
        ws.heap.push(HeapItem { f: root_cost + h0, g: root_cost, node: spur });
        let mut reached = false;
        while let Some(HeapItem { node: u, g, .. }) = ws.heap.pop() {
            if g > ws.dist[u as usize] {
                continue; // stale entry
            }
            if u == t {
                reached = true;
                break;
            }
            if !ws.exhausted && ws.fwd_work > ws.rev_work {
                self.extend_reverse(ws, ws.fwd_work + 64);
            }
            let (dst, cost) = self.out_edges(u);
            ws.fwd_work += dst.len() as u64 + 1;
            for (&v, &c) in dst.iter().zip(cost) {
                let vi = v as usize;
                if ws.blocked[vi] == bg || (u == spur && banned.contains(&v)) {
                    continue;
                }
                let hv = ws.h_of(v);
                let ng = g + c;
                let nf = ng + hv;
                if hv.is_infinite() || nf > thr {
                    continue;
                }
                if ws.d_stamp[vi] != dg || ng < ws.dist[vi] {
                    ws.d_stamp[vi] = dg;
                    ws.dist[vi] = ng;
                    ws.pred[vi] = u;
                    ws.heap.push(HeapItem { f: nf, g: ng, node: v });
                }
            }
        }
        if !reached {
            return false;
        }
        let mut v = t;
        while v != NONE {
            ws.tail.push(v);
            ws.tail_prefix.push(ws.dist[v as usize]);
            v = ws.pred[v as usize];
        }
        ws.tail.reverse();
        ws.tail_prefix.reverse();
        true
    }
}

/// Largest cost a new candidate may have and still matter: the `needed`-th smallest
/// candidate cost widened by the tie tolerance, or `+inf` while fewer are known.
fn threshold(cands: &BTreeSet<Cand>, needed: usize) -> f64 {
    match cands.iter().nth(needed.saturating_sub(1)) {
        Some(c) if needed > 0 => c.cost + c.cost * 2.0 * TIE_RTOL,
        _ => f64::INFINITY,
    }
}

fn tied(a: f64, b: f64) -> bool {
    (b - a).abs() <= TIE_RTOL * a.abs().max(b.abs())
}

/// Orders each run of tied costs by node-index sequence (see the module docs).
fn order_ties(paths: &mut [Cand]) {
    let mut i = 0;
    while i < paths.len() {
        let mut j = i + 1;
        while j < paths.len() && tied(paths[i].cost, paths[j].cost) {
            j += 1;
        }
        paths[i..j].sort_by(|a, b| a.nodes.cmp(&b.nodes));
        i = j;
    }
}

/// A candidate or accepted path with prefix costs and Lawler deviation index.
#[derive(Debug, Clone)]
struct Cand {
    cost: f64,
    nodes: Vec<u32>,
    prefix: Vec<f64>,
    dev: usize,
}

impl PartialEq for Cand {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Cand {}
impl PartialOrd for Cand {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Cand {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cost.total_cmp(&other.cost).then_with(|| self.nodes.cmp(&other.nodes))
    }
}

/// Min-heap entry: smallest `f` first, then largest `g` (deepest), then node index.
#[derive(Debug, Clone, Copy)]
struct HeapItem {
    f: f64,
    g: f64,
    node: u32,
}

impl PartialEq for HeapItem {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for HeapItem {}
impl PartialOrd for HeapItem {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for HeapItem {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .f
            .total_cmp(&self.f)
            .then_with(|| self.g.total_cmp(&other.g))
            .then_with(|| other.node.cmp(&self.node))
    }
}

/// Min-heap entry of the reverse Dijkstra.
#[derive(Debug, Clone, Copy)]
struct RevItem {
    d: f64,
    node: u32,
}

impl PartialEq for RevItem {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for RevItem {}
impl PartialOrd for RevItem {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for RevItem {
    fn cmp(&self, other: &Self) -> Ordering {
        other.d.total_cmp(&self.d).then_with(|| other.node.cmp(&self.node))
    }
}

/// Per-thread search buffers, reused across pairs; arrays are validated by generation
/// stamps instead of being cleared.
///
/// The reverse Dijkstra from a target does not depend on the source: the order in which
/// it settles nodes, their distances and the work each costs are the same for every pair
/// towards that target. The workspace records them on a *tape* as the search advances,
/// and a later pair towards the same target (the batch solves pairs grouped by target)
/// replays the tape instead of searching again, advancing exactly as far as its own
/// search would have. Results are therefore bit-identical to a fresh search per pair.
struct Workspace {
    /// Reverse Dijkstra of the recorded target: tentative distance to the target (final
    /// for settled nodes), its stamp, settled stamp, next hop towards the target.
    rd: Vec<f64>,
    r_stamp: Vec<u32>,
    known: Vec<u32>,
    succ: Vec<u32>,
    r_gen: u32,
    r_heap: BinaryHeap<RevItem>,
    /// The recorded target, its settled nodes in order with their distance and the
    /// cumulative work after each, and whether the search is exhausted.
    tape_target: u32,
    tape: Vec<(u32, f64, u64)>,
    tape_done: bool,
    tape_work: u64,
    /// The current pair's view: nodes settled so far (stamp `p_gen`), how many tape
    /// entries that is, and the pair's search state.
    settled: Vec<u32>,
    p_gen: u32,
    seen: usize,
    /// Distance of the last settled node: a lower bound for every unsettled node.
    radius: f64,
    /// The reverse search has settled every node that can reach the target.
    exhausted: bool,
    rev_work: u64,
    fwd_work: u64,
    /// Forward A*: distance from the source, its stamp, predecessor.
    dist: Vec<f64>,
    d_stamp: Vec<u32>,
    d_gen: u32,
    pred: Vec<u32>,
    /// Root nodes removed from the current spur searches.
    blocked: Vec<u32>,
    b_gen: u32,
    heap: BinaryHeap<HeapItem>,
    /// The last spur path found and its prefix costs.
    tail: Vec<u32>,
    tail_prefix: Vec<f64>,
}

impl Workspace {
    fn new(n: usize) -> Self {
        Self {
            rd: vec![0.0; n],
            r_stamp: vec![0; n],
            known: vec![0; n],
            succ: vec![NONE; n],
            r_gen: 0,
            r_heap: BinaryHeap::new(),
            tape_target: NONE,
            tape: Vec::new(),
            tape_done: false,
            tape_work: 0,
            settled: vec![0; n],
            p_gen: 0,
            seen: 0,
            radius: 0.0,
            exhausted: false,
            rev_work: 0,
            fwd_work: 0,
            dist: vec![0.0; n],
            d_stamp: vec![0; n],
            d_gen: 0,
            pred: vec![NONE; n],
            blocked: vec![0; n],
            b_gen: 0,
            heap: BinaryHeap::new(),
            tail: Vec::new(),
            tail_prefix: Vec::new(),
        }
    }

    /// Admissible, consistent lower bound on the distance from `v` to the target.
    fn h_of(&self, v: u32) -> f64 {
        if self.settled[v as usize] == self.p_gen {
            self.rd[v as usize]
        } else if self.exhausted {
            f64::INFINITY
        } else {
            self.radius
        }
    }

    fn next_dist_gen(&mut self) {
        self.d_gen = self.d_gen.wrapping_add(1);
        if self.d_gen == 0 {
            self.d_stamp.fill(0);
            self.d_gen = 1;
        }
    }

    fn next_block_gen(&mut self) {
        self.b_gen = self.b_gen.wrapping_add(1);
        if self.b_gen == 0 {
            self.blocked.fill(0);
            self.b_gen = 1;
        }
    }
}

/// The `k` shortest simple paths from `source` to `target` in a petgraph graph.
///
/// Method: Yen's algorithm (1971) with Lawler's improvement (1972) and A* spur searches;
/// see the module docs for costs, multi-edges and the tie rule. Complexity: building the
/// [`KspGraph`] (`O(n + m log m)`) plus [`KspGraph::k_shortest_paths`].
///
/// * `graph` - a directed graph with edge references and node indices.
/// * `source`, `target` - end nodes; `source == target` gives `[source]` at cost 0.
/// * `k` - number of paths wanted; unreachable targets give an empty result.
/// * `edge_cost` - cost of one edge, e.g. `-ln p`; must be non-negative and not NaN.
///
/// # Errors
/// [`KspError::InvalidCost`], [`KspError::NodeOutOfRange`] (ids beyond the node bound),
/// [`KspError::TooLarge`].
///
/// # Example
/// ```
/// use divnet::algo::ksp::k_shortest_simple_paths;
/// use petgraph::graph::DiGraph;
///
/// let mut g = DiGraph::<&str, f64>::new();
/// let (a, b, c) = (g.add_node("a"), g.add_node("b"), g.add_node("c"));
/// g.add_edge(a, b, 0.5);
/// g.add_edge(b, c, 0.5);
/// g.add_edge(a, c, 0.25);
/// // Probabilities to costs: -ln p.
/// let paths = k_shortest_simple_paths(&g, a, c, 5, |e| -e.weight().ln()).unwrap();
/// assert_eq!(paths.len(), 2);
/// assert_eq!(paths[0].nodes, vec![a, b, c]);
/// assert_eq!(paths[1].nodes, vec![a, c]);
/// assert_eq!(paths[0].cost, 2.0 * -(0.5f64.ln()));
/// assert_eq!(paths[1].cost, -(0.25f64.ln()));
/// ```
pub fn k_shortest_simple_paths<G, F>(
    graph: G,
    source: G::NodeId,
    target: G::NodeId,
    k: usize,
    edge_cost: F,
) -> Result<Vec<Path<G::NodeId>>, KspError>
where
    G: IntoEdgeReferences + NodeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    let kg = KspGraph::from_graph(graph, edge_cost)?;
    let paths = kg.k_shortest_paths(graph.to_index(source), graph.to_index(target), k)?;
    Ok(paths.into_iter().map(|p| to_ids(graph, p)).collect())
}

/// The `k` shortest simple paths for many `(source, target)` pairs of a petgraph graph,
/// solved in parallel on the current rayon pool (or sequentially).
///
/// Method as [`k_shortest_simple_paths`]; the prepared graph is built once for the
/// batch and shared. Complexity: `O(n + m log m)` plus the per-pair cost of
/// [`KspGraph::k_shortest_paths`], divided over the threads. Output order is input order
/// and the result is bit-identical for every thread count.
///
/// * `graph`, `edge_cost`, `k` - as in [`k_shortest_simple_paths`].
/// * `pairs` - `(source, target)` node ids.
/// * `parallelism` - thread use, as in [`KspGraph::k_shortest_paths_batch`].
///
/// # Errors
/// As [`k_shortest_simple_paths`] (first bad pair in input order).
///
/// # Example
/// ```
/// use divnet::algo::Parallelism;
/// use divnet::algo::ksp::k_shortest_simple_paths_batch;
/// use petgraph::graph::DiGraph;
///
/// let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0), (0, 2, 2.5)]);
/// let ids: Vec<_> = g.node_indices().collect();
/// let pairs = [(ids[0], ids[2]), (ids[2], ids[0])];
/// let out =
///     k_shortest_simple_paths_batch(&g, &pairs, 3, |e| *e.weight(), Parallelism::Rayon).unwrap();
/// assert_eq!(out[0].iter().map(|p| p.cost).collect::<Vec<_>>(), vec![2.0, 2.5]);
/// assert!(out[1].is_empty());
/// ```
pub fn k_shortest_simple_paths_batch<G, F>(
    graph: G,
    pairs: &[(G::NodeId, G::NodeId)],
    k: usize,
    edge_cost: F,
    parallelism: Parallelism,
) -> Result<Vec<Vec<Path<G::NodeId>>>, KspError>
where
    G: IntoEdgeReferences + NodeIndexable,
    F: FnMut(G::EdgeRef) -> f64,
{
    let kg = KspGraph::from_graph(graph, edge_cost)?;
    let idx: Vec<(usize, usize)> =
        pairs.iter().map(|&(s, t)| (graph.to_index(s), graph.to_index(t))).collect();
    let out = kg.k_shortest_paths_batch(&idx, k, parallelism)?;
    Ok(out.into_iter().map(|ps| ps.into_iter().map(|p| to_ids(graph, p)).collect()).collect())
}

fn to_ids<G: NodeIndexable>(graph: G, p: Path<usize>) -> Path<G::NodeId> {
    Path { nodes: p.nodes.into_iter().map(|i| graph.from_index(i)).collect(), cost: p.cost }
}

#[cfg(test)]
mod tests {
    use super::*;
    use petgraph::graph::DiGraph;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn costs(paths: &[Path<usize>]) -> Vec<f64> {
        paths.iter().map(|p| p.cost).collect()
    }

    fn nodes(paths: &[Path<usize>]) -> Vec<Vec<usize>> {
        paths.iter().map(|p| p.nodes.clone()).collect()
    }

    /// The batch on `threads` workers: sequential for one, else on a pool of that size.
    fn batch(
        kg: &KspGraph,
        pairs: &[(usize, usize)],
        k: usize,
        threads: usize,
    ) -> Result<Vec<Vec<Path<usize>>>, KspError> {
        if threads == 1 {
            return kg.k_shortest_paths_batch(pairs, k, Parallelism::Sequential);
        }
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| kg.k_shortest_paths_batch(pairs, k, Parallelism::Rayon))
    }

    /// Every simple path by depth-first enumeration, sorted by cost.
    fn brute_force(n: usize, edges: &[(usize, usize, f64)], s: usize, t: usize) -> Vec<f64> {
        let mut best = vec![vec![f64::INFINITY; n]; n];
        for &(u, v, c) in edges {
            if u != v && c < best[u][v] {
                best[u][v] = c;
            }
        }
        fn dfs(
            best: &[Vec<f64>],
            u: usize,
            t: usize,
            cost: f64,
            on: &mut Vec<bool>,
            out: &mut Vec<f64>,
        ) {
            if u == t {
                out.push(cost);
                return;
            }
            for v in 0..best.len() {
                if best[u][v].is_finite() && !on[v] {
                    on[v] = true;
                    dfs(best, v, t, cost + best[u][v], on, out);
                    on[v] = false;
                }
            }
        }
        let mut on = vec![false; n];
        on[s] = true;
        let mut out = Vec::new();
        dfs(&best, s, t, 0.0, &mut on, &mut out);
        out.sort_by(f64::total_cmp);
        out
    }

    #[test]
    fn diamond_exact_order() {
        // Two equal-cost routes 0-1-3 and 0-2-3 (cost 2), then 0-3 (cost 2.5), then the
        // longer 0-1-2-3 (cost 3.5) through the edge 1 -> 2.
        let kg = KspGraph::from_edges(
            4,
            [(0, 2, 1.0), (2, 3, 1.0), (0, 1, 1.0), (1, 3, 1.0), (0, 3, 2.5), (1, 2, 1.5)],
        )
        .unwrap();
        let p = kg.k_shortest_paths(0, 3, 10).unwrap();
        assert_eq!(costs(&p), vec![2.0, 2.0, 2.5, 3.5]);
        // Tied paths come in node-index order.
        assert_eq!(nodes(&p), vec![vec![0, 1, 3], vec![0, 2, 3], vec![0, 3], vec![0, 1, 2, 3]]);
        let p2 = kg.k_shortest_paths(0, 3, 2).unwrap();
        assert_eq!(nodes(&p2), vec![vec![0, 1, 3], vec![0, 2, 3]]);
    }

    #[test]
    fn self_loops_and_parallel_edges() {
        let kg = KspGraph::from_edges(
            3,
            [(0, 0, 0.0), (0, 1, 5.0), (0, 1, 2.0), (1, 1, 0.0), (1, 2, 1.0)],
        )
        .unwrap();
        assert_eq!(kg.edge_count(), 2);
        let p = kg.k_shortest_paths(0, 2, 5).unwrap();
        assert_eq!(nodes(&p), vec![vec![0, 1, 2]]);
        assert_eq!(costs(&p), vec![3.0]);
    }

    #[test]
    fn source_equals_target_unreachable_and_zero_k() {
        let kg = KspGraph::from_edges(4, [(0, 1, 1.0), (1, 0, 1.0), (2, 3, 1.0)]).unwrap();
        assert_eq!(nodes(&kg.k_shortest_paths(1, 1, 3).unwrap()), vec![vec![1]]);
        assert!(kg.k_shortest_paths(0, 3, 3).unwrap().is_empty());
        assert!(kg.k_shortest_paths(3, 2, 3).unwrap().is_empty());
        assert!(kg.k_shortest_paths(0, 1, 0).unwrap().is_empty());
        assert_eq!(kg.k_shortest_paths(0, 1, 3).unwrap().len(), 1);
    }

    #[test]
    fn infinite_cost_edges_are_dropped() {
        let kg = KspGraph::from_edges(2, [(0, 1, f64::INFINITY)]).unwrap();
        assert_eq!(kg.edge_count(), 0);
        assert!(kg.k_shortest_paths(0, 1, 1).unwrap().is_empty());
    }

    #[test]
    fn errors_carry_the_bad_value() {
        let e = KspGraph::from_edges(2, [(0, 1, f64::NAN)]).unwrap_err();
        assert!(matches!(e, KspError::InvalidCost { from: 0, to: 1, cost } if cost.is_nan()));
        let e = KspGraph::from_edges(2, [(0, 5, 1.0)]).unwrap_err();
        assert_eq!(e, KspError::NodeOutOfRange { index: 5, node_bound: 2 });
        let kg = KspGraph::from_edges(2, [(0, 1, 1.0)]).unwrap();
        assert_eq!(
            kg.k_shortest_paths(0, 2, 1).unwrap_err(),
            KspError::NodeOutOfRange { index: 2, node_bound: 2 }
        );
        assert_eq!(
            kg.k_shortest_paths_batch(&[(0, 1), (7, 0)], 1, Parallelism::Sequential).unwrap_err(),
            KspError::NodeOutOfRange { index: 7, node_bound: 2 }
        );
        let mut g = DiGraph::<(), f64>::new();
        let a = g.add_node(());
        let b = g.add_node(());
        g.add_edge(a, b, -0.5);
        let e = k_shortest_simple_paths(&g, a, b, 1, |e| *e.weight()).unwrap_err();
        assert_eq!(e, KspError::InvalidCost { from: 0, to: 1, cost: -0.5 });
    }

    #[test]
    fn zero_cost_cycles_stay_simple() {
        let kg = KspGraph::from_edges(
            4,
            [(0, 1, 0.0), (1, 0, 0.0), (1, 2, 0.0), (2, 1, 0.0), (2, 3, 0.0), (0, 2, 0.0)],
        )
        .unwrap();
        let p = kg.k_shortest_paths(0, 3, 10).unwrap();
        assert_eq!(nodes(&p), vec![vec![0, 1, 2, 3], vec![0, 2, 3]]);
        assert_eq!(costs(&p), vec![0.0, 0.0]);
    }

    fn random_edges(rng: &mut ChaCha8Rng, n: usize, m: usize) -> Vec<(usize, usize, f64)> {
        (0..m)
            .map(|_| {
                let u = rng.random_range(0..n);
                let v = rng.random_range(0..n);
                // A few repeated values create ties; the rest are -ln p.
                let c = if rng.random_bool(0.3) {
                    1.0
                } else {
                    -(rng.random_range(0.05..0.99f64)).ln()
                };
                (u, v, c)
            })
            .collect()
    }

    #[test]
    fn matches_brute_force_on_small_random_graphs() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for _ in 0..60 {
            let n = rng.random_range(2..8);
            let m = rng.random_range(0..n * 3);
            let edges = random_edges(&mut rng, n, m);
            let kg = KspGraph::from_edges(n, edges.iter().copied()).unwrap();
            for s in 0..n {
                for t in 0..n {
                    if s == t {
                        continue;
                    }
                    let want = brute_force(n, &edges, s, t);
                    for k in [1, 3, 7, 1000] {
                        let got = kg.k_shortest_paths(s, t, k).unwrap();
                        assert_eq!(got.len(), want.len().min(k), "n={n} s={s} t={t} k={k}");
                        for (p, w) in got.iter().zip(&want) {
                            assert!((p.cost - w).abs() <= 1e-12 * w.max(1.0), "{} vs {w}", p.cost);
                        }
                        let mut seen = got.iter().map(|p| p.nodes.clone()).collect::<Vec<_>>();
                        seen.sort();
                        seen.dedup();
                        assert_eq!(seen.len(), got.len(), "duplicate path");
                        for p in &got {
                            assert_eq!((p.nodes[0], *p.nodes.last().unwrap()), (s, t));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn adjacency_keeps_the_cheapest_edge_per_pair_in_order_both_ways() {
        // Reference: the finite non-loop edges sorted by (from, to, cost), the first of
        // each pair kept; the reverse rows sorted by (to, from).
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..40 {
            let n = rng.random_range(1..30);
            let m = rng.random_range(0..n * 6);
            let mut edges = random_edges(&mut rng, n, m);
            if m > 2 {
                edges[0].2 = f64::INFINITY;
                edges[1].2 = -0.0;
            }
            let kg = KspGraph::from_edges(n, edges.iter().copied()).unwrap();
            let mut list: Vec<(u32, u32, u64)> = edges
                .iter()
                .filter(|e| e.0 != e.1 && e.2.is_finite())
                .map(|&(u, v, c)| (u as u32, v as u32, (c + 0.0).to_bits()))
                .collect();
            list.sort_by(|a, b| {
                (a.0, a.1)
                    .cmp(&(b.0, b.1))
                    .then(f64::from_bits(a.2).total_cmp(&f64::from_bits(b.2)))
            });
            list.dedup_by(|later, first| (later.0, later.1) == (first.0, first.1));
            let mut rev: Vec<(u32, u32, u64)> = list.iter().map(|&(u, v, c)| (v, u, c)).collect();
            rev.sort_by_key(|e| (e.0, e.1));
            let rows = |g: &Csr| {
                let mut out = Vec::new();
                for v in 0..n {
                    for p in g.row(v) {
                        out.push((v as u32, g.targets[p], g.weights[p].to_bits()));
                    }
                }
                out
            };
            assert_eq!(rows(&kg.fwd), list);
            assert_eq!(rows(&kg.rev), rev);
            assert_eq!(kg.edge_count(), list.len());
        }
    }

    #[test]
    fn batch_is_identical_for_one_and_two_threads() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let n = 60;
        let edges = random_edges(&mut rng, n, 300);
        let kg = KspGraph::from_edges(n, edges).unwrap();
        let pairs: Vec<(usize, usize)> =
            (0..40).map(|_| (rng.random_range(0..n), rng.random_range(0..n))).collect();
        let one = batch(&kg, &pairs, 6, 1).unwrap();
        let two = batch(&kg, &pairs, 6, 2).unwrap();
        assert_eq!(one.len(), pairs.len());
        for (a, b) in one.iter().zip(&two) {
            assert_eq!(nodes(a), nodes(b));
            let bits = |v: &[Path<usize>]| v.iter().map(|p| p.cost.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(a), bits(b));
        }
        for (&(s, t), got) in pairs.iter().zip(&one) {
            assert_eq!(nodes(got), nodes(&kg.k_shortest_paths(s, t, 6).unwrap()));
        }
    }

    #[test]
    fn pairs_sharing_a_target_give_what_each_gives_alone() {
        // Dense graphs with many tied costs, every source towards a few targets: the
        // pairs after the first towards a target replay its reverse search.
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let bits = |v: &[Path<usize>]| v.iter().map(|p| p.cost.to_bits()).collect::<Vec<_>>();
        for round in 0..12 {
            let n = rng.random_range(5..40);
            let m = n * rng.random_range(2..10);
            let edges = random_edges(&mut rng, n, m);
            let kg = KspGraph::from_edges(n, edges).unwrap();
            let targets: Vec<usize> = (0..3).map(|_| rng.random_range(0..n)).collect();
            let mut pairs: Vec<(usize, usize)> =
                (0..n).flat_map(|s| targets.iter().map(move |&t| (s, t))).collect();
            // Interleave the targets so that the batch has to regroup them.
            pairs.reverse();
            for k in [1, 4, 9] {
                let alone: Vec<Vec<Path<usize>>> =
                    pairs.iter().map(|&(s, t)| kg.k_shortest_paths(s, t, k).unwrap()).collect();
                for threads in [1, 2] {
                    let got = batch(&kg, &pairs, k, threads).unwrap();
                    for ((p, a), b) in pairs.iter().zip(&alone).zip(&got) {
                        assert_eq!(nodes(a), nodes(b), "round {round} pair {p:?} k {k}");
                        assert_eq!(bits(a), bits(b), "round {round} pair {p:?} k {k}");
                    }
                }
            }
            // One workspace in a row towards one target: the search ran once, and each
            // pair's view of it ended exactly where a search of its own would have.
            let mut ws = Workspace::new(n);
            let t = targets[0] as u32;
            let state =
                |w: &Workspace| (w.seen, w.rev_work, w.fwd_work, w.exhausted, w.radius.to_bits());
            for s in (0..n as u32).filter(|&s| s != t) {
                kg.solve(&mut ws, s, t, 3);
                let mut fresh = Workspace::new(n);
                kg.solve(&mut fresh, s, t, 3);
                assert_eq!(state(&ws), state(&fresh), "round {round} pair {s} -> {t}");
            }
            assert_eq!(ws.tape_target, t);
            let recorded = ws.tape.len();
            assert!(recorded >= 1 && recorded <= n);
            let mut settled: Vec<u32> = ws.tape.iter().map(|e| e.0).collect();
            settled.sort_unstable();
            settled.dedup();
            assert_eq!(settled.len(), recorded, "a node settled twice");
        }
    }
}
