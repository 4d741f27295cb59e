//! Gould & Fernandez (1989) brokerage roles, following R `sna::brokerage`.
//!
//! Gould, R. V. & Fernandez, R. M. (1989), "Structures of mediation: a formal
//! approach to brokerage in transaction networks", Sociological Methodology 19.
//! Node `b` brokers the ordered pair `(a, c)` when `a -> b -> c`, the three nodes
//! are distinct and there is **no direct arc `a -> c`** (this is the rule of
//! `sna::brokerage`, whose C routine skips two-paths whose ends are adjacent). With
//! a group label per node the two-path is classified from the broker's viewpoint
//! exactly as `sna` does:
//!
//! | role | field | two-path | `sna` column |
//! |---|---|---|---|
//! | coordinator | `coordinator` | `A -> A -> A` | `w_I` |
//! | itinerant (consultant) | `itinerant` | `A -> B -> A` | `w_O` |
//! | representative | `representative` | `A -> A -> B` | `b_IO` |
//! | gatekeeper | `gatekeeper` | `A -> B -> B` | `b_OI` |
//! | liaison | `liaison` | `A -> B -> C` | `b_O` |
//!
//! The graph is read as a simple digraph ([`Csr::simple`]): self-loops are ignored
//! and parallel arcs count once. Alongside the raw counts, [`brokerage`] returns `sna`'s expected
//! counts, standard deviations and z-scores per node under its null model (arcs
//! independent with probability `d = m / (N (N - 1))`, `m` the number of distinct
//! non-loop arcs), computed with the moment formulas of `sna::brokerage` for the
//! broker's group (`exp.nli`, `sd.nli`, `z.nli`). A zero standard deviation gives a
//! NaN or infinite z-score, as in R. Graph-level (`*.gli`) statistics are not
//! provided.
//!
//! `O(V + sum_b indeg(b) outdeg(b))` time, `O(V + E)` memory.

use crate::algo::csr::{CentralityError, Csr};
use petgraph::visit::{EdgeIndexable, IntoEdges, IntoNodeIdentifiers, NodeIndexable};

/// One value per Gould–Fernandez role, plus their total.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RoleValues<T> {
    /// `A -> A -> A` (`w_I`).
    pub coordinator: T,
    /// `A -> B -> A` (`w_O`).
    pub itinerant: T,
    /// `A -> A -> B` (`b_IO`).
    pub representative: T,
    /// `A -> B -> B` (`b_OI`).
    pub gatekeeper: T,
    /// `A -> B -> C` (`b_O`).
    pub liaison: T,
    /// Sum of the five roles (`t`).
    pub total: T,
}

/// Brokerage counts and `sna` null-model statistics per node index.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Brokerage {
    /// Raw role counts (`raw.nli`); zero for indices that are not nodes.
    pub raw: Vec<RoleValues<u64>>,
    /// Expected counts under the null model for the node's group (`exp.nli`).
    pub expected: Vec<RoleValues<f64>>,
    /// Standard deviations under the null model (`sd.nli`).
    pub sd: Vec<RoleValues<f64>>,
    /// `(raw - expected) / sd` (`z.nli`).
    pub z: Vec<RoleValues<f64>>,
}

/// Gould–Fernandez brokerage roles with `sna` null-model z-scores.
///
/// `groups[v]` is the group label of node index `v`; its length must be the
/// graph's node bound (entries of non-node indices are ignored).
/// `O(V + sum_b indeg(b) outdeg(b))`.
///
/// ```
/// use divnet::algo::brokerage::brokerage;
/// use petgraph::graph::DiGraph;
/// // 0 -> 1 -> 2 and 0 -> 1 -> 3, but 0 -> 3 exists, so only (0, 2) is brokered by 1.
/// let g = DiGraph::<(), ()>::from_edges([(0, 1), (1, 2), (1, 3), (0, 3)]);
/// let b = brokerage(&g, &[7, 7, 9, 9]).unwrap();
/// assert_eq!(b.raw[1].representative, 1);
/// assert_eq!(b.raw[1].total, 1);
/// assert_eq!(b.raw[0].total, 0);
/// // d = 4 / 12; expected representative count for a group of 2 in N = 4:
/// // d^2 (1 - d) (N - n) (n - 1) = (1/9)(2/3) * 2 * 1.
/// assert!((b.expected[1].representative - 4.0 / 27.0).abs() < 1e-15);
/// ```
pub fn brokerage<G>(g: G, groups: &[u32]) -> Result<Brokerage, CentralityError>
where
    G: IntoEdges + IntoNodeIdentifiers + NodeIndexable + EdgeIndexable,
{
    let bound = NodeIndexable::node_bound(&g);
    if groups.len() != bound {
        return Err(CentralityError::LengthMismatch {
            what: "groups",
            len: groups.len(),
            expected: bound,
        });
    }
    // Simple adjacency: sorted, deduplicated, loop-free out-neighbour rows.
    let adj = Csr::from_graph(g, |_| 0.0)?.simple();
    let out = |v: usize| &adj.targets[adj.row(v)];
    let present = &adj.present;
    let node_count = adj.node_count;
    let arcs = adj.edge_count();

    let mut raw = vec![RoleValues::<u64>::default(); bound];
    let mut mark = vec![u32::MAX; bound];
    for a in 0..bound {
        for &c in out(a) {
            mark[c as usize] = a as u32;
        }
        let ga = groups[a];
        for &b in out(a) {
            let gb = groups[b as usize];
            let r = &mut raw[b as usize];
            for &c in out(b as usize) {
                let cu = c as usize;
                if cu == a || mark[cu] == a as u32 {
                    continue;
                }
                let gc = groups[cu];
                if gb == ga {
                    if gb == gc {
                        r.coordinator += 1;
                    } else {
                        r.representative += 1;
                    }
                } else if gb == gc {
                    r.gatekeeper += 1;
                } else if ga == gc {
                    r.itinerant += 1;
                } else {
                    r.liaison += 1;
                }
            }
        }
    }
    for r in &mut raw {
        r.total = r.coordinator + r.itinerant + r.representative + r.gatekeeper + r.liaison;
    }

    // Group sizes over present nodes, in order of first appearance (as R's unique()).
    let mut labels: Vec<u32> = Vec::new();
    let mut sizes: Vec<f64> = Vec::new();
    for v in (0..bound).filter(|&v| present[v]) {
        match labels.iter().position(|&l| l == groups[v]) {
            Some(k) => sizes[k] += 1.0,
            None => {
                labels.push(groups[v]);
                sizes.push(1.0);
            }
        }
    }
    let big_n = node_count as f64;
    let d = if node_count > 1 { arcs as f64 / (big_n * (big_n - 1.0)) } else { 0.0 };
    let moments: Vec<(RoleValues<f64>, RoleValues<f64>)> =
        (0..sizes.len()).map(|k| null_moments(&sizes, k, big_n, d)).collect();
    let mut expected = vec![RoleValues::<f64>::default(); bound];
    let mut sd = vec![RoleValues::<f64>::default(); bound];
    let mut z = vec![RoleValues::<f64>::default(); bound];
    for v in (0..bound).filter(|&v| present[v]) {
        let k = labels.iter().position(|&l| l == groups[v]).unwrap_or(0);
        let (e, var) = moments[k];
        let s = map(var, f64::sqrt);
        let r = raw[v];
        let zz = |x: u64, e: f64, s: f64| (x as f64 - e) / s;
        z[v] = RoleValues {
            coordinator: zz(r.coordinator, e.coordinator, s.coordinator),
            itinerant: zz(r.itinerant, e.itinerant, s.itinerant),
            representative: zz(r.representative, e.representative, s.representative),
            gatekeeper: zz(r.gatekeeper, e.gatekeeper, s.gatekeeper),
            liaison: zz(r.liaison, e.liaison, s.liaison),
            total: zz(r.total, e.total, s.total),
        };
        expected[v] = e;
        sd[v] = s;
    }
    Ok(Brokerage { raw, expected, sd, z })
}

fn map(v: RoleValues<f64>, f: impl Fn(f64) -> f64) -> RoleValues<f64> {
    RoleValues {
        coordinator: f(v.coordinator),
        itinerant: f(v.itinerant),
        representative: f(v.representative),
        gatekeeper: f(v.gatekeeper),
        liaison: f(v.liaison),
        total: f(v.total),
    }
}

fn choose2(x: f64) -> f64 {
    x * (x - 1.0) / 2.0
}

/// `sna::brokerage` expectation and variance of each role count for a broker in
/// group `i` (sizes `n`, node count `big_n`, density `d`).
fn null_moments(n: &[f64], i: usize, big_n: f64, d: f64) -> (RoleValues<f64>, RoleValues<f64>) {
    let ni = n[i];
    let q = d * d * (1.0 - d);
    let r = d.powi(3) * (1.0 - d).powi(3);
    let others = || n.iter().enumerate().filter(move |&(j, _)| j != i).map(|(_, &x)| x);
    let e1 = q * (ni - 1.0) * (ni - 2.0);
    let v1 = e1 * (1.0 - q) + 2.0 * (ni - 1.0) * (ni - 2.0) * (ni - 3.0) * r;
    let e2 = q * others().map(|x| x * (x - 1.0)).sum::<f64>();
    let v2 = e2 * (1.0 - q) + 2.0 * others().map(|x| x * (x - 1.0) * (x - 2.0)).sum::<f64>() * r;
    let e3 = q * (big_n - ni) * (ni - 1.0);
    let v3 = e3 * (1.0 - q)
        + 2.0 * ((ni - 1.0) * choose2(big_n - ni) + (big_n - ni) * choose2(ni - 1.0)) * r;
    let so: f64 = others().sum();
    let e5 = q * (so * so - others().map(|x| x * x).sum::<f64>());
    let v5 = e5 * (1.0 - q) + 4.0 * others().map(|x| x * choose2(big_n - x - ni) * r).sum::<f64>();
    let e6 = q * (big_n - 1.0) * (big_n - 2.0);
    let v6 = e6 * (1.0 - q) + 2.0 * (big_n - 1.0) * (big_n - 2.0) * (big_n - 3.0) * r;
    (
        RoleValues {
            coordinator: e1,
            itinerant: e2,
            representative: e3,
            gatekeeper: e3,
            liaison: e5,
            total: e6,
        },
        RoleValues {
            coordinator: v1,
            itinerant: v2,
            representative: v3,
            gatekeeper: v3,
            liaison: v5,
            total: v6,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use petgraph::graph::DiGraph;

    /// Brute force over all ordered triples.
    fn brute(edges: &[(u32, u32)], n: usize, cl: &[u32]) -> Vec<[u64; 5]> {
        let has =
            |a: usize, b: usize| edges.iter().any(|&(x, y)| x as usize == a && y as usize == b);
        let mut out = vec![[0u64; 5]; n];
        for a in 0..n {
            for b in 0..n {
                for c in 0..n {
                    if a == b || b == c || a == c || !has(a, b) || !has(b, c) || has(a, c) {
                        continue;
                    }
                    let (ga, gb, gc) = (cl[a], cl[b], cl[c]);
                    let k = if ga == gb && gb == gc {
                        0
                    } else if ga != gb && ga == gc {
                        1
                    } else if ga == gb {
                        2
                    } else if gb == gc {
                        3
                    } else {
                        4
                    };
                    out[b][k] += 1;
                }
            }
        }
        out
    }

    #[test]
    fn matches_triple_enumeration() {
        let edges: Vec<(u32, u32)> = vec![
            (0, 1),
            (1, 2),
            (2, 0),
            (1, 3),
            (3, 4),
            (4, 1),
            (2, 4),
            (4, 5),
            (5, 6),
            (6, 4),
            (3, 6),
            (6, 0),
            (0, 5),
            (5, 2),
            (2, 2),
            (1, 2),
        ];
        let cl = [1, 1, 2, 2, 3, 3, 1];
        let g = DiGraph::<(), ()>::from_edges(edges.iter().copied());
        let got = brokerage(&g, &cl).unwrap();
        let want = brute(&edges, 7, &cl);
        for (v, w) in want.iter().enumerate() {
            let r = got.raw[v];
            assert_eq!(
                [r.coordinator, r.itinerant, r.representative, r.gatekeeper, r.liaison],
                *w,
                "node {v}"
            );
            assert_eq!(r.total, w.iter().sum::<u64>());
        }
        assert!(got.raw.iter().map(|r| r.total).sum::<u64>() > 0);
    }

    #[test]
    fn null_total_matches_direct_formula() {
        // Total expectation is the same for every node: d^2 (1 - d) (N - 1)(N - 2).
        let g = DiGraph::<(), ()>::from_edges([(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)]);
        let b = brokerage(&g, &[0, 0, 1, 2]).unwrap();
        let d = 5.0 / 12.0;
        let e = d * d * (1.0 - d) * 3.0 * 2.0;
        for v in 0..4 {
            assert!((b.expected[v].total - e).abs() < 1e-15);
            let z = (b.raw[v].total as f64 - e) / b.sd[v].total;
            assert_eq!(z.to_bits(), b.z[v].total.to_bits());
        }
        // Role expectations of a broker sum to the total expectation.
        for v in 0..4 {
            let x = b.expected[v];
            let s = x.coordinator + x.itinerant + x.representative + x.gatekeeper + x.liaison;
            assert!((s - x.total).abs() < 1e-12, "node {v}: {s} vs {}", x.total);
        }
    }

    #[test]
    fn wrong_group_length_is_an_error() {
        let g = DiGraph::<(), ()>::from_edges([(0, 1)]);
        assert!(matches!(
            brokerage(&g, &[0]),
            Err(CentralityError::LengthMismatch { len: 1, expected: 2, .. })
        ));
    }
}
