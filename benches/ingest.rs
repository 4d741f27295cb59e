//! Ingest + validation of `divnet synth` output against a plain polars CSV read of the same
//! file (types inferred, no validation), on the same machine in the same run.
//!
//! `cargo bench --bench ingest`; the row count is `DIVNET_BENCH_ROWS` (default 200,000).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use divnet::geo::Gazetteer;
use divnet::ingest::{IngestOptions, InputSet, ingest};
use divnet::inputs::InputSpec;
use polars::prelude::*;

// The same allocator as the `divnet` binary, for both sides of the comparison.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let rows: u64 =
        std::env::var("DIVNET_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let g = Gazetteer::embedded().expect("gazetteer");
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = divnet::synth::SynthSpec { seizures: rows, looting: 100, routes: 100, seed: 1 };
    divnet::synth::write_dataset(&spec, g, dir.path()).expect("synth");
    let file = dir.path().join("seizures.csv");
    let mut group = c.benchmark_group(format!("ingest_{rows}_seizures"));
    group.sample_size(10);
    group.bench_function("polars_csv_read", |b| {
        b.iter(|| {
            let df = CsvReadOptions::default()
                .with_has_header(true)
                .try_into_reader_with_file_path(Some(file.clone()))
                .expect("reader")
                .finish()
                .expect("read");
            black_box(df.height())
        })
    });
    group.bench_function("divnet_ingest_validate", |b| {
        let inputs = InputSet {
            seizures: vec![InputSpec::for_path(file.display().to_string())],
            looting: vec![],
            routes: vec![],
            ..InputSet::default()
        };
        b.iter(|| {
            let ing = ingest(&inputs, Path::new("/"), g, IngestOptions::default()).expect("ingest");
            assert_eq!(ing.seizures.len() as u64, rows);
            black_box(ing.seizures.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
