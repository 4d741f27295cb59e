//! Criterion benchmarks of divnet::hotspot: 1,000,000 seeded events binned to resolution-6
//! H3 cells, the ring study area (~43,000 cells), analytical Gi* and 999-permutation pseudo
//! p-values.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use divnet::algo::Parallelism;
use divnet::hotspot::{
    Domain, Event, GiStarOptions, NeighbourLists, PermutationDraws, bin_events, build_study_area,
    gi_star, gi_star_pseudo_p,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 40 Gaussian clusters (sd 0.25 degrees) in lat -5..15, lon 0..30, plus 0.1% uniform
/// background (the same recipe as scripts/bench/hotspot_peers.py).
fn events(n: usize, seed: u64) -> Vec<Event> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres: Vec<(f64, f64)> =
        (0..40).map(|_| (rng.random_range(-5.0..15.0), rng.random_range(0.0..30.0))).collect();
    let normal = |rng: &mut ChaCha8Rng| {
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    };
    let background = n / 1000;
    (0..n)
        .map(|i| {
            let (lat, lon) = if i < background {
                (rng.random_range(-5.0..15.0), rng.random_range(0.0..30.0))
            } else {
                let (a, b) = centres[rng.random_range(0..centres.len())];
                (a + 0.25 * normal(&mut rng), b + 0.25 * normal(&mut rng))
            };
            Event { lat, lon, step: None, weight: 1.0 }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let ev = events(1_000_000, 7);
    let opts = GiStarOptions::default();
    let occupied = bin_events(&ev, 6, Parallelism::Rayon).expect("valid events");
    let area = build_study_area(&occupied, 6, &Domain::default(), 10_000_000, Parallelism::Rayon)
        .expect("study area");
    let w = NeighbourLists::h3_k_ring(&area.cells, 1, Parallelism::Rayon).expect("weights");
    eprintln!("occupied cells {}, study area {}", occupied.len(), area.len());

    let mut g = c.benchmark_group("hotspots");
    g.sample_size(10);
    g.bench_function("bin_1m_events_res6", |b| {
        b.iter(|| bin_events(black_box(&ev), 6, Parallelism::Rayon).map(|v| v.len()))
    });
    g.bench_function("ring_domain_and_weights", |b| {
        b.iter(|| {
            let a = build_study_area(
                black_box(&occupied),
                6,
                &Domain::default(),
                10_000_000,
                Parallelism::Rayon,
            )?;
            NeighbourLists::h3_k_ring(&a.cells, 1, Parallelism::Rayon).map(|w| w.len())
        })
    });
    g.bench_function("gistar_analytical", |b| {
        b.iter(|| gi_star(black_box(&area.values), &w, &opts).map(|v| v.len()))
    });
    g.bench_function("whole_step_bin_ring_gistar", |b| {
        b.iter(|| {
            let occ = bin_events(black_box(&ev), 6, Parallelism::Rayon)?;
            let a = build_study_area(&occ, 6, &Domain::default(), 10_000_000, Parallelism::Rayon)?;
            let w = NeighbourLists::h3_k_ring(&a.cells, 1, Parallelism::Rayon)?;
            gi_star(&a.values, &w, &opts).map(|v| v.len())
        })
    });
    g.bench_function("gistar_pseudo_p_999_per_class", |b| {
        b.iter(|| {
            gi_star_pseudo_p(
                black_box(&area.values),
                &w,
                999,
                11,
                PermutationDraws::PerClass,
                Parallelism::Rayon,
            )
            .map(|v| v.len())
        })
    });
    g.bench_function("gistar_pseudo_p_999_per_cell", |b| {
        b.iter(|| {
            gi_star_pseudo_p(
                black_box(&area.values),
                &w,
                999,
                11,
                PermutationDraws::PerCell,
                Parallelism::Rayon,
            )
            .map(|v| v.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
