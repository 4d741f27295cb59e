//! Renders the registered figures of a run (SVG + PNG at 2400x1500) from the demo dataset's
//! stage results, on one thread and on two.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use divnet::clock::Dated;
use divnet::config::Config;
use divnet::geo::Gazetteer;
use divnet::stages::figures::{FIGURES, FigureContext, Results, render_figures, run_caption};

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::from_file(&root.join("datasets/demo/divnet.toml")).expect("demo config");
    let g = Gazetteer::embedded().expect("gazetteer");
    let ing = divnet::pipeline::validate(&config, g).expect("demo ingests");
    let a = divnet::stages::analyse(&config, g, &ing).expect("demo analyses");
    let results = Results::all(&a.paths, &a.hubs, &a.hotspots, &a.recipients)
        .with_transfers(&a.dyads, &a.retransfers)
        .with_risk(&a.risk);
    let dated = Dated::new(a.paths.reference_date, None);
    let caption = run_caption(&config.run.title, ing.files.len(), &dated);
    let cx = FigureContext::new(&config.figures, g, results, caption);
    let mut group = c.benchmark_group("render_all");
    group.sample_size(10);
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        group.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                let figs = pool.install(|| render_figures(&cx));
                assert_eq!(figs.len(), FIGURES.len());
                figs
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
