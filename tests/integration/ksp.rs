//! `algo::ksp` against NetworkX `shortest_simple_paths` fixtures
//! (scripts/reference/ksp_fixtures.py).

use std::collections::HashMap;

use divnet::algo::Parallelism;
use divnet::algo::ksp::{KspGraph, Path, k_shortest_simple_paths_batch};
use petgraph::graph::{DiGraph, NodeIndex};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference/ksp");
/// Paths stored per pair: K = 5 plus one look-ahead path.
const STORED: usize = 6;
const REL_TOL: f64 = 1e-9;

struct Fixture {
    name: String,
    nodes: usize,
    edges: Vec<(usize, usize, f64)>,
    pairs: Vec<FixturePair>,
}

/// (source, target, NetworkX paths as (cost, nodes)).
type FixturePair = (usize, usize, Vec<(f64, Vec<usize>)>);

fn rows(file: &str) -> Vec<Vec<String>> {
    let path = format!("{DIR}/{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

fn num<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.trim().parse().unwrap_or_else(|e| panic!("bad number {s:?}: {e:?}"))
}

fn load() -> Vec<Fixture> {
    let mut fx: Vec<Fixture> = rows("graphs.csv")
        .iter()
        .map(|r| Fixture { name: r[1].clone(), nodes: num(&r[2]), edges: vec![], pairs: vec![] })
        .collect();
    for r in rows("edges.csv") {
        fx[num::<usize>(&r[0])].edges.push((num(&r[1]), num(&r[2]), num(&r[3])));
    }
    let mut counts = HashMap::new();
    for r in rows("pairs.csv") {
        let (g, p): (usize, usize) = (num(&r[0]), num(&r[1]));
        assert_eq!(p, fx[g].pairs.len(), "pairs.csv out of order");
        fx[g].pairs.push((num(&r[2]), num(&r[3]), vec![]));
        counts.insert((g, p), num::<usize>(&r[4]));
    }
    for r in rows("paths.csv") {
        let (g, p, rank): (usize, usize, usize) = (num(&r[0]), num(&r[1]), num(&r[2]));
        let nodes: Vec<usize> = r[4].split(' ').map(num).collect();
        let list = &mut fx[g].pairs[p].2;
        assert_eq!(rank, list.len(), "paths.csv out of order");
        list.push((num(&r[3]), nodes));
    }
    for (&(g, p), &n) in &counts {
        assert_eq!(fx[g].pairs[p].2.len(), n, "graph {g} pair {p}: path count");
    }
    assert!(fx.len() >= 6, "expected six fixture graphs");
    fx
}

fn build(f: &Fixture) -> (DiGraph<(), f64>, Vec<NodeIndex>) {
    let mut g = DiGraph::new();
    let ids: Vec<NodeIndex> = (0..f.nodes).map(|_| g.add_node(())).collect();
    for &(u, v, c) in &f.edges {
        g.add_edge(ids[u], ids[v], c);
    }
    (g, ids)
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
}

/// Cheapest cost of each ordered pair (what a path may use).
fn cheapest(f: &Fixture) -> HashMap<(usize, usize), f64> {
    let mut m: HashMap<(usize, usize), f64> = HashMap::new();
    for &(u, v, c) in &f.edges {
        let e = m.entry((u, v)).or_insert(c);
        if c < *e {
            *e = c;
        }
    }
    m
}

/// Runs of NetworkX paths with tied costs, as index ranges.
fn tie_groups(costs: &[f64]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < costs.len() {
        let mut j = i + 1;
        while j < costs.len() && rel_close(costs[j - 1], costs[j], REL_TOL) {
            j += 1;
        }
        out.push(i..j);
        i = j;
    }
    out
}

/// Runs `f` as a batch on `threads` workers: sequential for one, else on a pool of that
/// size.
fn on_threads<T: Send>(threads: usize, f: impl FnOnce(Parallelism) -> T + Send) -> T {
    if threads == 1 {
        return f(Parallelism::Sequential);
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| f(Parallelism::Rayon))
}

fn solve(f: &Fixture, threads: usize) -> Vec<Vec<Path<usize>>> {
    let (g, ids) = build(f);
    let pairs: Vec<_> = f.pairs.iter().map(|&(s, t, _)| (ids[s], ids[t])).collect();
    let out = on_threads(threads, |par| {
        k_shortest_simple_paths_batch(&g, &pairs, STORED, |e| *e.weight(), par)
    })
    .unwrap_or_else(|e| panic!("{}: {e}", f.name));
    out.into_iter()
        .map(|ps| {
            ps.into_iter()
                .map(|p| Path { nodes: p.nodes.iter().map(|n| n.index()).collect(), cost: p.cost })
                .collect()
        })
        .collect()
}

#[test]
fn ksp_matches_networkx_shortest_simple_paths() {
    let mut checked_ties = 0;
    let mut checked_paths = 0;
    for f in load() {
        let cheap = cheapest(&f);
        let got_all = solve(&f, 1);
        for ((s, t, want), got) in f.pairs.iter().zip(&got_all) {
            let ctx = format!("{} {s}->{t}", f.name);
            assert_eq!(got.len(), want.len(), "{ctx}: number of paths");
            for (i, (p, (wc, _))) in got.iter().zip(want).enumerate() {
                assert!(rel_close(p.cost, *wc, REL_TOL), "{ctx} #{i}: cost {} vs {wc}", p.cost);
                // A valid simple s-t path whose cost is the sum of its (cheapest) edges.
                assert_eq!((p.nodes[0], *p.nodes.last().unwrap()), (*s, *t), "{ctx} #{i}");
                let mut seen = p.nodes.clone();
                seen.sort_unstable();
                seen.dedup();
                assert_eq!(seen.len(), p.nodes.len(), "{ctx} #{i}: repeated node");
                let mut sum = 0.0;
                for w in p.nodes.windows(2) {
                    let c = cheap.get(&(w[0], w[1]));
                    let c = c.unwrap_or_else(|| panic!("{ctx} #{i}: no edge {w:?}"));
                    sum += c;
                }
                assert!(rel_close(p.cost, sum, 1e-12), "{ctx} #{i}: cost {} vs sum {sum}", p.cost);
                checked_paths += 1;
            }
            let costs: Vec<f64> = want.iter().map(|w| w.0).collect();
            for group in tie_groups(&costs) {
                // A group touching the look-ahead path may continue beyond what is stored.
                if want.len() == STORED && group.end == STORED {
                    continue;
                }
                let mut a: Vec<&Vec<usize>> = got[group.clone()].iter().map(|p| &p.nodes).collect();
                let mut b: Vec<&Vec<usize>> = want[group.clone()].iter().map(|w| &w.1).collect();
                if group.len() == 1 {
                    assert_eq!(a, b, "{ctx}: path #{}", group.start);
                } else {
                    a.sort();
                    b.sort();
                    assert_eq!(a, b, "{ctx}: tie group {group:?}");
                    checked_ties += 1;
                }
            }
        }
    }
    assert!(checked_paths > 300, "only {checked_paths} paths checked");
    assert!(checked_ties > 3, "fixtures should contain tie groups, found {checked_ties}");
}

#[test]
fn ksp_batch_identical_for_one_and_two_threads() {
    for f in load() {
        let one = solve(&f, 1);
        let two = solve(&f, 2);
        assert_eq!(one.len(), two.len());
        for (a, b) in one.iter().zip(&two) {
            assert_eq!(a.len(), b.len(), "{}", f.name);
            for (p, q) in a.iter().zip(b) {
                assert_eq!(p.nodes, q.nodes, "{}", f.name);
                assert_eq!(p.cost.to_bits(), q.cost.to_bits(), "{}", f.name);
            }
        }
    }
}

#[test]
fn ksp_prepared_graph_agrees_with_petgraph_entry_point() {
    for f in load() {
        let kg = KspGraph::from_edges(f.nodes, f.edges.iter().copied()).unwrap();
        let pairs: Vec<(usize, usize)> = f.pairs.iter().map(|&(s, t, _)| (s, t)).collect();
        let direct = on_threads(2, |par| kg.k_shortest_paths_batch(&pairs, STORED, par)).unwrap();
        assert_eq!(direct, solve(&f, 1), "{}", f.name);
    }
}

#[test]
fn ksp_synthetic_transit_graph_is_consistent() {
    use divnet::synth::graphs::{random_pairs, transit_like};
    let g = transit_like(3_000, 5, 9);
    let edges: Vec<(usize, usize, f64)> =
        g.edges.iter().map(|e| (e.source as usize, e.target as usize, -e.p.ln())).collect();
    let kg = KspGraph::from_edges(g.node_count, edges.iter().copied()).unwrap();
    let cost: HashMap<(usize, usize), f64> = edges.iter().map(|&(u, v, c)| ((u, v), c)).collect();
    let pairs: Vec<(usize, usize)> = random_pairs(g.node_count, 24, 9)
        .into_iter()
        .map(|(s, t)| (s as usize, t as usize))
        .collect();
    let one = on_threads(1, |par| kg.k_shortest_paths_batch(&pairs, 8, par)).unwrap();
    let two = on_threads(2, |par| kg.k_shortest_paths_batch(&pairs, 8, par)).unwrap();
    assert_eq!(one, two);
    let fewer = on_threads(2, |par| kg.k_shortest_paths_batch(&pairs, 3, par)).unwrap();
    let mut nonempty = 0;
    for ((&(s, t), all), few) in pairs.iter().zip(&one).zip(&fewer) {
        nonempty += usize::from(!all.is_empty());
        // Asking for fewer paths gives the same leading costs.
        assert_eq!(few.len(), all.len().min(3));
        for (a, b) in few.iter().zip(all) {
            assert!(rel_close(a.cost, b.cost, 1e-12), "{s}->{t}: {} vs {}", a.cost, b.cost);
        }
        for w in all.windows(2) {
            assert!(w[0].cost <= w[1].cost * (1.0 + 1e-12), "{s}->{t}: costs not sorted");
            assert_ne!(w[0].nodes, w[1].nodes);
        }
        for p in all {
            assert_eq!((p.nodes[0], *p.nodes.last().unwrap()), (s, t));
            let mut seen = p.nodes.clone();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), p.nodes.len(), "{s}->{t}: repeated node");
            let sum = p.nodes.windows(2).fold(0.0, |acc, w| acc + cost[&(w[0], w[1])]);
            assert_eq!(p.cost, sum, "{s}->{t}: cost is not the left-to-right edge sum");
        }
    }
    assert!(nonempty >= 12, "too few connected pairs: {nonempty}");
}
