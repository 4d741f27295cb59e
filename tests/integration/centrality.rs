//! Centrality against NetworkX 3.6.1 reference values
//! (scripts/reference/centrality_fixtures.py), and thread-count independence.

use divnet::algo::Parallelism;
use divnet::algo::betweenness::{
    BetweennessOptions, DEFAULT_TIE_TOLERANCE, betweenness_subset, flow_betweenness,
    node_and_edge_betweenness,
};
use divnet::algo::pagerank::{PageRankOptions, pagerank};
use petgraph::graph::{DiGraph, NodeIndex};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference/centrality");
const CASES: [&str; 4] = ["random_ties", "disconnected", "scale_free", "grid_ties"];

fn read(case: &str, kind: &str) -> Vec<csv::StringRecord> {
    let path = format!("{DIR}/{case}_{kind}.csv");
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    rdr.records().map(|r| r.unwrap()).collect()
}

fn num(r: &csv::StringRecord, i: usize) -> f64 {
    r[i].parse().unwrap()
}

struct Case {
    graph: DiGraph<(), f64>,
    nodes: Vec<csv::StringRecord>,
    edge_bc: Vec<csv::StringRecord>,
    sources: Vec<NodeIndex>,
    targets: Vec<NodeIndex>,
}

fn load(case: &str) -> Case {
    let nodes = read(case, "nodes");
    let mut graph = DiGraph::<(), f64>::new();
    for _ in 0..nodes.len() {
        graph.add_node(());
    }
    for r in read(case, "edges") {
        let (s, t): (usize, usize) = (r[0].parse().unwrap(), r[1].parse().unwrap());
        graph.add_edge(NodeIndex::new(s), NodeIndex::new(t), num(&r, 2));
    }
    let mut sources = Vec::new();
    let mut targets = Vec::new();
    for r in read(case, "subset") {
        let v = NodeIndex::new(r[1].parse().unwrap());
        if &r[0] == "source" { sources.push(v) } else { targets.push(v) }
    }
    Case { graph, nodes, edge_bc: read(case, "edge_bc"), sources, targets }
}

fn close(got: f64, want: f64, what: &str) {
    let diff = (got - want).abs();
    assert!(diff <= 1e-9 * want.abs() || diff <= 1e-12, "{what}: got {got:e}, NetworkX {want:e}");
}

#[test]
fn betweenness_matches_networkx() {
    for case in CASES {
        let c = load(case);
        for (normalized, node_col, edge_col) in [(false, 1, 2), (true, 2, 3)] {
            let opts = BetweennessOptions { normalized, ..Default::default() };
            let b = node_and_edge_betweenness(&c.graph, |e| *e.weight(), &opts).unwrap();
            for (v, r) in c.nodes.iter().enumerate() {
                close(b.node[v], num(r, node_col), &format!("{case} node {v} norm={normalized}"));
            }
            for (e, r) in c.edge_bc.iter().enumerate() {
                let edge = c.graph.edge_endpoints(petgraph::graph::EdgeIndex::new(e)).unwrap();
                assert_eq!(
                    (edge.0.index(), edge.1.index()),
                    (r[0].parse().unwrap(), r[1].parse().unwrap())
                );
                close(b.edge[e], num(r, edge_col), &format!("{case} edge {e} norm={normalized}"));
            }
        }
    }
}

#[test]
fn subset_and_flow_match_networkx_subset() {
    for case in CASES {
        let c = load(case);
        let cost = |e: petgraph::graph::EdgeReference<'_, f64>| *e.weight();
        for (normalized, col) in [(false, 3), (true, 4)] {
            let b = betweenness_subset(
                &c.graph,
                cost,
                &c.sources,
                &c.targets,
                normalized,
                DEFAULT_TIE_TOLERANCE,
                Parallelism::Rayon,
            )
            .unwrap();
            for (v, r) in c.nodes.iter().enumerate() {
                close(b[v], num(r, col), &format!("{case} subset node {v} norm={normalized}"));
            }
        }
        // Unit demands over sources x targets are the raw subset scores; doubling the
        // weights doubles them.
        let mut demands = Vec::new();
        for &s in &c.sources {
            for &t in &c.targets {
                demands.push((s, t, 2.0));
            }
        }
        let f =
            flow_betweenness(&c.graph, cost, &demands, DEFAULT_TIE_TOLERANCE, Parallelism::Rayon)
                .unwrap();
        for (v, r) in c.nodes.iter().enumerate() {
            close(f.node[v], 2.0 * num(r, 3), &format!("{case} flow node {v}"));
        }
    }
}

#[test]
fn pagerank_matches_networkx() {
    for case in CASES {
        let c = load(case);
        let opts = PageRankOptions { tol: 1e-13, max_iter: 1000, ..Default::default() };
        let pr = pagerank(&c.graph, |e| *e.weight(), &opts).unwrap();
        for (v, r) in c.nodes.iter().enumerate() {
            close(pr.scores[v], num(r, 5), &format!("{case} pagerank node {v}"));
        }
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn one_and_two_threads_are_bit_identical() {
    let s = divnet::synth::graphs::transit_like(1_200, 3, 5);
    let mut g = DiGraph::<(), f64>::new();
    for _ in 0..s.node_count {
        g.add_node(());
    }
    for e in &s.edges {
        g.add_edge(NodeIndex::new(e.source as usize), NodeIndex::new(e.target as usize), -e.p.ln());
    }
    let pairs = divnet::synth::graphs::random_pairs(s.node_count, 300, 9);
    let demands: Vec<_> = pairs
        .iter()
        .map(|&(a, b)| (NodeIndex::new(a as usize), NodeIndex::new(b as usize), 1.5))
        .collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let opts = BetweennessOptions::default();
            let b = node_and_edge_betweenness(&g, |e| *e.weight(), &opts).unwrap();
            let f = flow_betweenness(
                &g,
                |e| *e.weight(),
                &demands,
                DEFAULT_TIE_TOLERANCE,
                Parallelism::Rayon,
            )
            .unwrap();
            let pr = pagerank(&g, |e| *e.weight(), &PageRankOptions::default()).unwrap();
            (bits(&b.node), bits(&b.edge), bits(&f.node), bits(&f.edge), bits(&pr.scores))
        })
    };
    let one = run(1);
    let two = run(2);
    assert!(one.0.iter().any(|&x| x != 0));
    assert!(one == two, "1-thread and 2-thread results differ");
    let seq = BetweennessOptions { parallelism: Parallelism::Sequential, ..Default::default() };
    let b = node_and_edge_betweenness(&g, |e| *e.weight(), &seq).unwrap();
    assert_eq!(bits(&b.node), one.0);
}
