//! Seeded synthetic graphs for tests, benchmarks and the side-by-side peer scripts.
//!
//! Two shapes are offered:
//!
//! * [`transit_like`]: a spatial network in which every node links to its nearest
//!   neighbours (as land and sea transit legs do) plus a small share of long-range
//!   links (air and postal legs). With `k_nearest = 5` a node has about 6 out-edges.
//! * [`scale_free`]: Barabási–Albert preferential attachment, each new node linking
//!   to `m` existing nodes in both directions, so a few hubs carry many edges.
//!
//! Every edge carries a probability `p` in `[0.05, 0.99)`; the path cost used by the
//! algorithms is `-ln p`. The same `(shape, n, seed)` always yields the same edge list,
//! on every machine (the generator is ChaCha8, which is portable).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One directed edge of a synthetic graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthEdge {
    /// Index of the source node, `0..n`.
    pub source: u32,
    /// Index of the target node, `0..n`.
    pub target: u32,
    /// Probability that the leg is used, in `[0.05, 0.99)`.
    pub p: f64,
}

/// A synthetic directed graph: node count and edge list (no self-loops, no parallel edges).
#[derive(Debug, Clone, PartialEq)]
pub struct SynthGraph {
    /// Number of nodes; node ids are `0..node_count`.
    pub node_count: usize,
    /// Directed edges, sorted by `(source, target)`.
    pub edges: Vec<SynthEdge>,
}

fn draw_p(rng: &mut ChaCha8Rng) -> f64 {
    // Rounded to 1e-6 so that text round trips (CSV for the peers) are exact.
    (rng.random_range(0.05..0.99) * 1e6_f64).round() / 1e6
}

fn finish(node_count: usize, mut pairs: Vec<(u32, u32)>, rng: &mut ChaCha8Rng) -> SynthGraph {
    pairs.retain(|&(s, t)| s != t);
    pairs.sort_unstable();
    pairs.dedup();
    let edges = pairs
        .into_iter()
        .map(|(source, target)| SynthEdge { source, target, p: draw_p(rng) })
        .collect();
    SynthGraph { node_count, edges }
}

/// A transit-like spatial graph of `n` nodes.
///
/// Nodes are dropped uniformly in the unit square; each links in both directions to
/// its `k_nearest` nearest neighbours (found through a uniform grid, so the cost is
/// `O(n * k)`), and 2% of nodes get one extra long-range link each way. Mutual
/// neighbours share their pair of edges, so the mean out-degree lies between `k_nearest`
/// and `2 * k_nearest`: about 6.2 for `k_nearest = 5`, the setting of the benchmarks.
pub fn transit_like(n: usize, k_nearest: usize, seed: u64) -> SynthGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pts: Vec<(f64, f64)> = (0..n).map(|_| (rng.random::<f64>(), rng.random::<f64>())).collect();
    let side = ((n as f64 / 2.0).sqrt().ceil() as usize).max(1);
    let cell_of = |x: f64| ((x * side as f64) as usize).min(side - 1);
    let mut grid: Vec<Vec<u32>> = vec![Vec::new(); side * side];
    for (i, &(x, y)) in pts.iter().enumerate() {
        grid[cell_of(y) * side + cell_of(x)].push(i as u32);
    }
    let mut pairs = Vec::with_capacity(n * (2 * k_nearest + 1));
    let mut cand: Vec<(f64, u32)> = Vec::new();
    for (i, &(x, y)) in pts.iter().enumerate() {
        let (cx, cy) = (cell_of(x) as isize, cell_of(y) as isize);
        let mut radius = 1isize;
        loop {
            cand.clear();
            for gy in (cy - radius).max(0)..=(cy + radius).min(side as isize - 1) {
                for gx in (cx - radius).max(0)..=(cx + radius).min(side as isize - 1) {
                    for &j in &grid[gy as usize * side + gx as usize] {
                        if j as usize != i {
                            let (dx, dy) = (pts[j as usize].0 - x, pts[j as usize].1 - y);
                            cand.push((dx * dx + dy * dy, j));
                        }
                    }
                }
            }
            // Enough candidates within the searched square guarantee the true k nearest.
            let covered = radius as f64 / side as f64;
            cand.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let ok = cand.len() >= k_nearest && cand[k_nearest - 1].0.sqrt() <= covered;
            if ok || radius as usize >= side {
                break;
            }
            radius += 1;
        }
        for &(_, j) in cand.iter().take(k_nearest) {
            pairs.push((i as u32, j));
            pairs.push((j, i as u32));
        }
    }
    if n > 1 {
        for _ in 0..(n / 50).max(1) {
            let a = rng.random_range(0..n as u32);
            let b = rng.random_range(0..n as u32);
            pairs.push((a, b));
            pairs.push((b, a));
        }
    }
    finish(n, pairs, &mut rng)
}

/// A scale-free graph of `n` nodes by Barabási–Albert preferential attachment.
///
/// Starts from a directed cycle on `m + 1` nodes; every later node links to `m`
/// distinct earlier nodes chosen with probability proportional to their degree, one
/// edge in each direction.
pub fn scale_free(n: usize, m: usize, seed: u64) -> SynthGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let m = m.max(1);
    let core = (m + 1).min(n);
    let mut pairs = Vec::with_capacity(2 * n * m);
    let mut ends: Vec<u32> = Vec::with_capacity(2 * n * m);
    for i in 0..core {
        let j = (i + 1) % core;
        if i != j {
            pairs.push((i as u32, j as u32));
            pairs.push((j as u32, i as u32));
            ends.push(i as u32);
            ends.push(j as u32);
        }
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(m);
    for v in core..n {
        chosen.clear();
        while chosen.len() < m.min(v) {
            let t = ends[rng.random_range(0..ends.len())];
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        for &t in &chosen {
            pairs.push((v as u32, t));
            pairs.push((t, v as u32));
            ends.push(v as u32);
            ends.push(t);
        }
    }
    finish(n, pairs, &mut rng)
}

/// `count` distinct seeded `(source, target)` pairs with `source != target`.
pub fn random_pairs(node_count: usize, count: usize, seed: u64) -> Vec<(u32, u32)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(count);
    if node_count < 2 {
        return out;
    }
    let max = node_count * (node_count - 1);
    while out.len() < count.min(max) {
        let s = rng.random_range(0..node_count as u32);
        let t = rng.random_range(0..node_count as u32);
        if s != t && !out.contains(&(s, t)) {
            out.push((s, t));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transit_like_is_deterministic_and_sized() {
        let a = transit_like(2_000, 5, 7);
        let b = transit_like(2_000, 5, 7);
        assert_eq!(a, b);
        let mean = a.edges.len() as f64 / a.node_count as f64;
        assert!((5.0..8.0).contains(&mean), "mean out-degree {mean}");
        assert!(a.edges.iter().all(|e| e.source != e.target && e.p >= 0.05 && e.p < 0.99));
    }

    #[test]
    fn scale_free_has_hubs() {
        let g = scale_free(3_000, 3, 1);
        let mut deg = vec![0usize; g.node_count];
        for e in &g.edges {
            deg[e.source as usize] += 1;
        }
        let max = *deg.iter().max().unwrap();
        assert!(max > 60, "largest out-degree {max}");
        assert_ne!(g, scale_free(3_000, 3, 2));
    }

    #[test]
    fn pairs_are_distinct() {
        let p = random_pairs(10, 30, 3);
        assert_eq!(p.len(), 30);
        assert!(p.iter().all(|&(s, t)| s != t));
    }
}
