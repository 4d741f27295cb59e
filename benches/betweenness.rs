//! Exact weighted directed betweenness on transit-like graphs (1,000 and 10,000 nodes).
//!
//! `cargo bench --bench betweenness`. Graphs come from `divnet::synth::graphs::transit_like`
//! (`k_nearest = 5`, about 6 edges per node) with cost `-ln p`; the graph is flattened
//! outside the timed loop.

use criterion::{Criterion, criterion_group, criterion_main};
use divnet::algo::betweenness::{BetweennessOptions, exact_on_csr};
use divnet::algo::csr::Csr;
use divnet::synth::graphs::transit_like;
use petgraph::graph::{DiGraph, NodeIndex};
use std::hint::black_box;
use std::time::Duration;

fn graph(n: usize) -> DiGraph<(), f64> {
    let s = transit_like(n, 5, 42);
    let mut g = DiGraph::<(), f64>::with_capacity(s.node_count, s.edges.len());
    for _ in 0..s.node_count {
        g.add_node(());
    }
    for e in &s.edges {
        g.add_edge(NodeIndex::new(e.source as usize), NodeIndex::new(e.target as usize), -e.p.ln());
    }
    g
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("betweenness_exact");
    group.sample_size(10);
    for (n, secs) in [(1_000usize, 5u64), (10_000, 120)] {
        let g = graph(n);
        let csr = Csr::from_graph(&g, |e| *e.weight()).unwrap_or_else(|e| panic!("{e}"));
        let opts = BetweennessOptions::default();
        group.measurement_time(Duration::from_secs(secs));
        group.bench_function(format!("transit_like_{n}"), |b| {
            b.iter(|| exact_on_csr(black_box(&csr), &opts, false))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
