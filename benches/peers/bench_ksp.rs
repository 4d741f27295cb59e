//! Times the `k` shortest simple paths batch on a seeded synthetic graph.
//!
//! ```text
//! cargo run --release --example bench_ksp -- --shape transit|scale-free --nodes N \
//!     --seed S --pairs P --k K [--threads T] [--runs R] [--dump-edges FILE] \
//!     [--dump-pairs FILE] [--dump-costs FILE]
//! ```
//!
//! The graph comes from `divnet::synth::graphs` (`transit_like(n, 5, seed)` or
//! `scale_free(n, 3, seed)`), the pairs from `random_pairs(n, P, seed)`, edge costs are
//! `-ln p`. Optional dumps: edges as `source,target,p,cost`, pairs as `source,target`,
//! and the path costs found as `pair,rank,cost` (for cross-checks by the peer script).
//! Prints one JSON object: sizes, the preparation time and the median time of the batch
//! over the runs (seconds; the graph is prepared once, outside the timed batch).

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use divnet::algo::Parallelism;
use divnet::algo::ksp::KspGraph;
use divnet::synth::graphs::{SynthGraph, random_pairs, scale_free, transit_like};

struct Args {
    shape: String,
    nodes: usize,
    seed: u64,
    pairs: usize,
    k: usize,
    threads: usize,
    runs: usize,
    dump_edges: Option<String>,
    dump_pairs: Option<String>,
    dump_costs: Option<String>,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        shape: "transit".into(),
        nodes: 10_000,
        seed: 1,
        pairs: 10,
        k: 5,
        threads: 1,
        runs: 5,
        dump_edges: None,
        dump_pairs: None,
        dump_costs: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let int = |v: String| v.parse::<usize>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--shape" => a.shape = value()?,
            "--nodes" => a.nodes = int(value()?)?,
            "--seed" => a.seed = int(value()?)? as u64,
            "--pairs" => a.pairs = int(value()?)?,
            "--k" => a.k = int(value()?)?,
            "--threads" => a.threads = int(value()?)?,
            "--runs" => a.runs = int(value()?)?.max(1),
            "--dump-edges" => a.dump_edges = Some(value()?),
            "--dump-pairs" => a.dump_pairs = Some(value()?),
            "--dump-costs" => a.dump_costs = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

fn run() -> Result<String, String> {
    let a = parse()?;
    let g: SynthGraph = match a.shape.as_str() {
        "transit" => transit_like(a.nodes, 5, a.seed),
        "scale-free" => scale_free(a.nodes, 3, a.seed),
        s => return Err(format!("unknown shape {s} (transit | scale-free)")),
    };
    let pairs: Vec<(usize, usize)> = random_pairs(g.node_count, a.pairs, a.seed)
        .into_iter()
        .map(|(s, t)| (s as usize, t as usize))
        .collect();
    let write =
        |path: &str, text: &str| std::fs::write(path, text).map_err(|e| format!("{path}: {e}"));
    if let Some(path) = &a.dump_edges {
        let mut s = String::from("source,target,p,cost\n");
        for e in &g.edges {
            let _ = writeln!(s, "{},{},{},{}", e.source, e.target, e.p, -e.p.ln());
        }
        write(path, &s)?;
    }
    if let Some(path) = &a.dump_pairs {
        let mut s = String::from("source,target\n");
        for (u, v) in &pairs {
            let _ = writeln!(s, "{u},{v}");
        }
        write(path, &s)?;
    }
    let t0 = Instant::now();
    let edges = g.edges.iter().map(|e| (e.source as usize, e.target as usize, -e.p.ln()));
    let kg = KspGraph::from_edges(g.node_count, edges).map_err(|e| e.to_string())?;
    let prepare = t0.elapsed().as_secs_f64();
    // One thread runs on this thread; more run on a pool of that size, built once.
    let pool = match a.threads {
        0 => return Err("--threads must be at least 1".into()),
        1 => None,
        n => Some(
            rayon::ThreadPoolBuilder::new().num_threads(n).build().map_err(|e| e.to_string())?,
        ),
    };
    let batch = || match &pool {
        None => kg.k_shortest_paths_batch(&pairs, a.k, Parallelism::Sequential),
        Some(pool) => pool.install(|| kg.k_shortest_paths_batch(&pairs, a.k, Parallelism::Rayon)),
    };
    let mut times = Vec::with_capacity(a.runs);
    let mut result = Vec::new();
    for _ in 0..a.runs {
        let t = Instant::now();
        result = batch().map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    if let Some(path) = &a.dump_costs {
        let mut s = String::from("pair,rank,cost\n");
        for (i, ps) in result.iter().enumerate() {
            for (r, p) in ps.iter().enumerate() {
                let _ = writeln!(s, "{i},{r},{}", p.cost);
            }
        }
        write(path, &s)?;
    }
    let found: usize = result.iter().map(Vec::len).sum();
    Ok(format!(
        "{{\"shape\":\"{}\",\"nodes\":{},\"edges\":{},\"pairs\":{},\"k\":{},\"threads\":{},\
         \"runs\":{},\"prepare_s\":{prepare},\"median_s\":{median},\"min_s\":{},\"paths_found\":{found}}}",
        a.shape,
        g.node_count,
        g.edges.len(),
        pairs.len(),
        a.k,
        a.threads,
        a.runs,
        times[0],
    ))
}

fn main() -> ExitCode {
    match run() {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench_ksp: {e}");
            ExitCode::FAILURE
        }
    }
}
