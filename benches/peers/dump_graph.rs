//! Prints a seeded synthetic graph as CSV (`source,target,cost,p`) on stdout, so that
//! the peer benchmark scripts time every library on the identical graph.
//!
//! ```text
//! cargo run --release --example dump_graph -- transit 10000 3 42 > graph.csv
//! cargo run --release --example dump_graph -- scale_free 170000 3 42 > graph.csv
//! ```
//!
//! Arguments: shape (`transit` or `scale_free`), node count, shape parameter
//! (`k_nearest` or `m`), seed. `cost` is `-ln p`, printed in shortest round-trip form.

use divnet::synth::graphs::{scale_free, transit_like};
use std::io::{BufWriter, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 4 {
        return Err("usage: dump_graph <transit|scale_free> <n> <k|m> <seed>".into());
    }
    let n: usize = args[1].parse()?;
    let k: usize = args[2].parse()?;
    let seed: u64 = args[3].parse()?;
    let g = match args[0].as_str() {
        "transit" => transit_like(n, k, seed),
        "scale_free" => scale_free(n, k, seed),
        other => return Err(format!("unknown shape {other}").into()),
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(out, "# nodes={}", g.node_count)?;
    writeln!(out, "source,target,cost,p")?;
    for e in &g.edges {
        writeln!(out, "{},{},{:?},{:?}", e.source, e.target, -e.p.ln(), e.p)?;
    }
    out.flush()?;
    Ok(())
}
