//! The command line: flags parsed by clap into [`Cli`], turned into library calls.
//! The library never sees the command line; `main.rs` only maps the result to an exit code.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::config::{Config, InputSpec, StudyArea};
use crate::geo::Gazetteer;
use crate::ingest::Ingested;
use crate::pipeline;
use crate::standalone::WeightKind;

/// divnet: diversion networks, paths, hubs and hotspots from arms seizure and looting data.
#[derive(Debug, Parser)]
#[command(name = "divnet", version, about, long_about = None)]
pub struct Cli {
    /// Worker threads (0 = one per core). Results are identical for any value.
    #[arg(long, global = true, default_value_t = 0)]
    pub threads: usize,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the full analysis (default config: the shipped demo dataset).
    Run {
        /// Configuration file (default: the built-in demo config, datasets/demo/divnet.toml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Output directory (default: run.out of the config).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Fail if any row is rejected.
        #[arg(long)]
        strict: bool,
    },
    /// Ingest and validate only; print a summary and the rejected rows.
    Validate {
        /// Configuration file (ignored when files are given directly).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Seizure files (repeatable).
        #[arg(long)]
        seizures: Vec<String>,
        /// Looting-incident files (repeatable).
        #[arg(long)]
        looting: Vec<String>,
        /// Route-report files (repeatable).
        #[arg(long)]
        routes: Vec<String>,
        /// Rejected rows to print (the rest are counted).
        #[arg(long, default_value_t = 20)]
        show: usize,
    },
    /// Write a deterministic synthetic dataset of the input schema, for scale tests.
    Synth {
        /// Seizure rows.
        #[arg(long)]
        seizures: u64,
        /// Looting incidents (default: seizures / 30, at least 1).
        #[arg(long)]
        looting: Option<u64>,
        /// Route reports (default: seizures / 13, at least 1).
        #[arg(long)]
        routes: Option<u64>,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// The k most probable simple paths for pairs of nodes of any weighted edge list.
    Paths {
        /// Edge list CSV: source,target,weight.
        #[arg(long)]
        edges: PathBuf,
        /// Pairs CSV: source,target.
        #[arg(long)]
        pairs: PathBuf,
        /// Paths per pair.
        #[arg(long, default_value_t = 5)]
        k: usize,
        /// How the weight column is read.
        #[arg(long, value_enum, default_value_t = WeightKind::Cost)]
        weight_kind: WeightKind,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
    /// Betweenness, flow betweenness, PageRank and strengths of any weighted edge list.
    Centrality {
        /// Edge list CSV: source,target,weight.
        #[arg(long)]
        edges: PathBuf,
        /// Optional (source,target[,weight]) pairs for flow betweenness.
        #[arg(long)]
        pairs: Option<PathBuf>,
        /// How the weight column is read.
        #[arg(long, value_enum, default_value_t = WeightKind::Cost)]
        weight_kind: WeightKind,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
    /// Getis-Ord Gi* hot and cold spots on H3 cells for any table with lat, lon (weight).
    Hotspots {
        /// Events CSV with lat, lon and optionally weight.
        #[arg(long)]
        events: PathBuf,
        /// H3 resolution, 0..=15.
        #[arg(long, default_value_t = 5)]
        resolution: u8,
        /// k-ring radius of the neighbourhood.
        #[arg(long, default_value_t = 1)]
        k: u32,
        /// Study area.
        #[arg(long, value_enum, default_value_t = StudyArea::Ring)]
        domain: StudyArea,
        /// West,South,East,North for --domain bbox.
        #[arg(long, value_delimiter = ',', num_args = 4)]
        bbox: Option<Vec<f64>>,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Exit status of a command that finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything fine.
    Ok,
    /// Finished, but rows were rejected where that counts as failure (validate).
    Rejected,
}

fn load_config(config: Option<&PathBuf>) -> Result<Config> {
    match config {
        Some(p) => Ok(Config::from_file(p)?),
        None => {
            let dir = std::path::Path::new(crate::config::DEFAULT_CONFIG_DIR);
            anyhow::ensure!(
                dir.is_dir(),
                "no --config given and {} does not exist here: run from a divnet checkout or pass --config",
                dir.display()
            );
            Ok(Config::builtin_default()?)
        }
    }
}

fn summary(ing: &Ingested, out: &mut dyn Write) -> std::io::Result<()> {
    for (table, c) in pipeline::counts(ing) {
        writeln!(
            out,
            "{table:<9} read {:>9}  accepted {:>9}  rejected {:>7}",
            c.read, c.accepted, c.rejected
        )?;
    }
    let by = ing.rejections_by_reason();
    if !by.is_empty() {
        writeln!(out, "rejected rows by reason:")?;
        for (r, n) in by {
            writeln!(out, "  {:<24} {n}", r.as_str())?;
        }
    }
    Ok(())
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Status> {
    let threads = if cli.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        cli.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    pool.install(|| dispatch(cli.command, threads))
}

fn dispatch(command: Command, threads: usize) -> Result<Status> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        Command::Run { config, out: out_dir, strict } => {
            let mut cfg = load_config(config.as_ref())?;
            cfg.run.strict |= strict;
            let outcome = pipeline::run(&cfg, out_dir.as_deref(), threads)?;
            let m = &outcome.manifest;
            for (table, c) in &m.tables {
                writeln!(
                    out,
                    "{table:<9} read {:>9}  accepted {:>9}  rejected {:>7}",
                    c.read, c.accepted, c.rejected
                )?;
            }
            if m.rejected_rows > 0 {
                writeln!(out, "{} rejected row(s): see rejected.csv", m.rejected_rows)?;
            }
            writeln!(out, "wrote {} files to {}", m.outputs.len() + 1, outcome.out_dir.display())?;
            Ok(Status::Ok)
        }
        Command::Validate { config, seizures, looting, routes, show } => {
            let direct = !(seizures.is_empty() && looting.is_empty() && routes.is_empty());
            let cfg = if direct {
                let mut c = Config::empty(std::path::Path::new("."));
                c.inputs.seizures = seizures.into_iter().map(InputSpec::file).collect();
                c.inputs.looting = looting.into_iter().map(InputSpec::file).collect();
                c.inputs.routes = routes.into_iter().map(InputSpec::file).collect();
                c
            } else {
                load_config(config.as_ref())?
            };
            let g = Gazetteer::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
            let ing = pipeline::validate(&cfg, g)?;
            summary(&ing, &mut out)?;
            for r in ing.rejections.iter().take(show) {
                let file = ing
                    .files
                    .get(r.row.file as usize)
                    .map(|f| f.path.display().to_string())
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{file}:{}: {} {:?}: {} ({})",
                    r.row.line,
                    r.problem.column,
                    r.problem.value,
                    r.problem.detail,
                    r.problem.reason.as_str()
                )?;
            }
            if ing.rejections.len() > show {
                writeln!(out, "... and {} more problem(s)", ing.rejections.len() - show)?;
            }
            Ok(if ing.rejections.is_empty() { Status::Ok } else { Status::Rejected })
        }
        Command::Synth { seizures, looting, routes, seed, out: dir } => {
            let g = Gazetteer::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
            let spec = crate::synth::SynthSpec {
                seizures,
                looting: looting.unwrap_or((seizures / 30).max(1)),
                routes: routes.unwrap_or((seizures / 13).max(1)),
                seed,
            };
            crate::synth::write_dataset(&spec, g, &dir)
                .with_context(|| format!("cannot write synthetic data to {}", dir.display()))?;
            writeln!(
                out,
                "wrote {} seizures, {} looting incidents, {} route reports to {}",
                spec.seizures,
                spec.looting,
                spec.routes,
                dir.display()
            )?;
            Ok(Status::Ok)
        }
        Command::Centrality { edges, pairs, weight_kind, out: out_path } => {
            let table =
                crate::standalone::centrality_command(&edges, pairs.as_deref(), weight_kind)?;
            crate::standalone::write_atomic(&out_path, &table.csv_bytes()?)
                .with_context(|| format!("cannot write {}", out_path.display()))?;
            writeln!(out, "wrote {} nodes to {}", table.rows(), out_path.display())?;
            Ok(Status::Ok)
        }
        Command::Hotspots { events, resolution, k, domain, bbox, out: out_path } => {
            anyhow::ensure!(resolution <= 15, "--resolution must lie in 0..=15 (got {resolution})");
            anyhow::ensure!((1..=10).contains(&k), "--k must lie in 1..=10 (got {k})");
            let domain = match (domain, bbox.as_deref()) {
                (StudyArea::Ring, _) => crate::hotspot::Domain::Ring { k },
                (StudyArea::Occupied, _) => crate::hotspot::Domain::Occupied,
                (StudyArea::Bbox, Some([west, south, east, north])) => {
                    crate::hotspot::Domain::Bbox {
                        west: *west,
                        south: *south,
                        east: *east,
                        north: *north,
                    }
                }
                (StudyArea::Bbox, _) => {
                    anyhow::bail!("--domain bbox needs --bbox WEST,SOUTH,EAST,NORTH")
                }
            };
            let table = crate::standalone::hotspots_command(&events, resolution, k, domain)?;
            crate::standalone::write_atomic(&out_path, &table.csv_bytes()?)
                .with_context(|| format!("cannot write {}", out_path.display()))?;
            writeln!(out, "wrote {} cells to {}", table.rows(), out_path.display())?;
            Ok(Status::Ok)
        }
        Command::Paths { edges, pairs, k, weight_kind, out: out_path } => {
            anyhow::ensure!((1..=1000).contains(&k), "--k must lie in 1..=1000 (got {k})");
            let (table, unreachable) =
                crate::standalone::paths_command(&edges, &pairs, k, weight_kind, threads)?;
            let bytes = table.csv_bytes()?;
            crate::standalone::write_atomic(&out_path, &bytes)
                .with_context(|| format!("cannot write {}", out_path.display()))?;
            writeln!(
                out,
                "wrote {} path rows to {} ({} pair(s) without a path)",
                table.rows(),
                out_path.display(),
                unreachable
            )?;
            Ok(Status::Ok)
        }
    }
}
