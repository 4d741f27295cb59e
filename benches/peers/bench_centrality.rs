//! Times divnet's betweenness or PageRank on a graph CSV written by `dump_graph` and
//! prints the compute times as one JSON object (loading is not timed).
//!
//! ```text
//! cargo run --release --example bench_centrality -- betweenness graph.csv 3
//! cargo run --release --example bench_centrality -- pagerank graph.csv 5 1e-12
//! ```
//!
//! Betweenness: exact, weighted by `cost`, normalised, on the global rayon pool
//! (`RAYON_NUM_THREADS` sets its size). PageRank: weighted by `p`, alpha 0.85, NetworkX
//! stopping rule with per-node tolerance `tol` (default 1e-6, NetworkX's default).

use divnet::algo::betweenness::{BetweennessOptions, betweenness};
use divnet::algo::pagerank::{PageRankOptions, pagerank};
use petgraph::graph::{DiGraph, NodeIndex};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 3 && args.len() != 4 {
        return Err(
            "usage: bench_centrality <betweenness|pagerank> <graph.csv> <runs> [tol]".into()
        );
    }
    let runs: usize = args[2].parse()?;
    let tol: f64 = match args.get(3) {
        Some(t) => t.parse()?,
        None => 1e-6,
    };
    let text = std::fs::read_to_string(&args[1])?;
    let mut lines = text.lines();
    let header = lines.next().ok_or("empty file")?;
    let n: usize = header.trim_start_matches("# nodes=").parse()?;
    lines.next();
    let mut g = DiGraph::<(), (f64, f64)>::with_capacity(n, 0);
    for _ in 0..n {
        g.add_node(());
    }
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 4 {
            return Err(format!("bad line {line}").into());
        }
        let (s, t): (usize, usize) = (f[0].parse()?, f[1].parse()?);
        g.add_edge(NodeIndex::new(s), NodeIndex::new(t), (f[2].parse()?, f[3].parse()?));
    }
    let mut times = Vec::with_capacity(runs);
    let mut check = 0.0;
    let mut iterations = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        match args[0].as_str() {
            "betweenness" => {
                let b = betweenness(&g, |e| e.weight().0, &BetweennessOptions::default())?;
                check = b.iter().sum();
            }
            "pagerank" => {
                let opts = PageRankOptions { tol, max_iter: 10_000, ..Default::default() };
                let pr = pagerank(&g, |e| e.weight().1, &opts)?;
                check = pr.scores.iter().cloned().fold(0.0, f64::max);
                iterations = pr.iterations;
            }
            other => return Err(format!("unknown algorithm {other}").into()),
        }
        times.push(t0.elapsed().as_secs_f64());
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
    let out = serde_json::json!({
        "algorithm": args[0],
        "nodes": g.node_count(),
        "edges": g.edge_count(),
        "threads": rayon::current_num_threads(),
        "times_s": times,
        "median_s": median,
        "check": check,
        "pagerank_iterations": iterations,
    });
    println!("{out}");
    Ok(())
}
