//! Weighted PageRank (NetworkX defaults) on a scale-free graph of about 1,000,000 edges.
//!
//! `cargo bench --bench pagerank`. Graph: `divnet::synth::graphs::scale_free(170_000, 3, 42)`,
//! weights `p`; the graph is flattened outside the timed loop.

use criterion::{Criterion, criterion_group, criterion_main};
use divnet::algo::csr::Csr;
use divnet::algo::pagerank::{PageRankOptions, pagerank_on_csr};
use divnet::synth::graphs::scale_free;
use petgraph::graph::{DiGraph, NodeIndex};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let s = scale_free(170_000, 3, 42);
    let mut g = DiGraph::<(), f64>::with_capacity(s.node_count, s.edges.len());
    for _ in 0..s.node_count {
        g.add_node(());
    }
    for e in &s.edges {
        g.add_edge(NodeIndex::new(e.source as usize), NodeIndex::new(e.target as usize), e.p);
    }
    let csr = Csr::from_graph(&g, |e| *e.weight()).unwrap_or_else(|e| panic!("{e}"));
    let opts = PageRankOptions::default();
    let mut group = c.benchmark_group("pagerank");
    group.sample_size(20);
    group.bench_function(format!("scale_free_{}_edges", csr.edge_count()), |b| {
        b.iter(|| pagerank_on_csr(black_box(&csr), &opts))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
