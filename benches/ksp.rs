//! `k = 5` shortest simple paths for a batch of seeded pairs on synthetic graphs
//! (single thread; the graph is prepared once, outside the timed loop).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use divnet::algo::Parallelism;
use divnet::algo::ksp::KspGraph;
use divnet::synth::graphs::{SynthGraph, random_pairs, scale_free, transit_like};

const K: usize = 5;
const SEED: u64 = 1;

fn prepare(g: &SynthGraph, pairs: usize) -> (KspGraph, Vec<(usize, usize)>) {
    let edges = g.edges.iter().map(|e| (e.source as usize, e.target as usize, -e.p.ln()));
    let kg = match KspGraph::from_edges(g.node_count, edges) {
        Ok(kg) => kg,
        Err(e) => panic!("synthetic graph rejected: {e}"),
    };
    let pairs = random_pairs(g.node_count, pairs, SEED)
        .into_iter()
        .map(|(s, t)| (s as usize, t as usize))
        .collect();
    (kg, pairs)
}

fn bench_ksp(c: &mut Criterion) {
    let mut group = c.benchmark_group("ksp_k5");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    let cases: [(&str, SynthGraph, usize); 4] = [
        ("transit", transit_like(1_000, 5, SEED), 10),
        ("transit", transit_like(10_000, 5, SEED), 10),
        ("transit", transit_like(166_000, 5, SEED), 10),
        ("scale_free", scale_free(190_000, 3, SEED), 10),
    ];
    for (shape, g, npairs) in &cases {
        let (kg, pairs) = prepare(g, *npairs);
        let id = BenchmarkId::new(*shape, format!("{}n_{}pairs", g.node_count, pairs.len()));
        group.bench_with_input(id, &pairs, |b, pairs| {
            b.iter(|| kg.k_shortest_paths_batch(black_box(pairs), K, Parallelism::Sequential))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_ksp);
criterion_main!(benches);
