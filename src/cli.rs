//! The command line: flags parsed by clap into [`Cli`], turned into library calls.
//! The library never sees the command line; `main.rs` only maps the result to an exit code.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::config::{Config, StudyArea};
use crate::geo::Gazetteer;
use crate::ingest::Ingested;
use crate::inputs::InputSpec;
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
        /// Replace an earlier divnet run in the output directory even if its files were
        /// changed since (files divnet did not write are never deleted).
        #[arg(long)]
        force: bool,
        /// If another run is writing the same output directory, wait for it instead of
        /// stopping.
        #[arg(long)]
        wait: bool,
        /// Compute every step, reading and writing no cached artifact (the cache itself is
        /// left as it is).
        #[arg(long)]
        no_cache: bool,
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
        /// Legal-transfer files (repeatable).
        #[arg(long)]
        transfers: Vec<String>,
        /// Conflict-event files (repeatable).
        #[arg(long)]
        events: Vec<String>,
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
        /// Replace seizures.csv, looting.csv and routes.csv if they exist in the directory.
        #[arg(long)]
        force: bool,
    },
    /// The k most probable simple paths for pairs of nodes of any weighted edge list.
    Paths {
        /// Edge list (CSV, TSV, Parquet, NDJSON, GeoJSON or spreadsheet): source,target,weight.
        #[arg(long)]
        edges: PathBuf,
        /// Pairs (CSV, TSV, Parquet, NDJSON, GeoJSON or spreadsheet): source,target.
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
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Betweenness, flow betweenness, PageRank and strengths of any weighted edge list.
    Centrality {
        /// Edge list (CSV, TSV, Parquet, NDJSON, GeoJSON or spreadsheet): source,target,weight.
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
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Getis-Ord Gi* hot and cold spots on H3 cells for any table with lat, lon (weight).
    Hotspots {
        /// Events (CSV, TSV, Parquet, NDJSON, GeoJSON or spreadsheet) with lat, lon and optionally weight.
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
        #[arg(long, value_delimiter = ',', num_args = 1..=4, allow_negative_numbers = true)]
        bbox: Option<Vec<f64>>,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// What changed between two run directories (rows, hubs, hotspot cells, paths, edges).
    Diff {
        /// The older run directory (with NEW; or use --history).
        #[arg(requires = "new", conflicts_with = "history")]
        old: Option<PathBuf>,
        /// The newer run directory.
        new: Option<PathBuf>,
        /// Run history: compare the two newest runs of DIR/runs/.
        #[arg(long, value_name = "DIR")]
        history: Option<PathBuf>,
        /// Output directory (default: diff-<OLD name>-<NEW name> in the working directory).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Hubs compared: the top N by rank.
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// A path's share must move by more than this to count.
        #[arg(long, default_value_t = 0.05)]
        share_threshold: f64,
        /// An edge's probability must move by more than this to count.
        #[arg(long, default_value_t = 0.05)]
        probability_threshold: f64,
        /// Exit with code 3 when anything changed.
        #[arg(long)]
        fail_on_change: bool,
        /// Replace outputs of an earlier diff that were edited since.
        #[arg(long)]
        force: bool,
    },
}

/// The options of `divnet diff`, as parsed.
#[derive(Debug)]
struct DiffArgs {
    old: Option<PathBuf>,
    new: Option<PathBuf>,
    history: Option<PathBuf>,
    out: Option<PathBuf>,
    options: crate::diff::DiffOptions,
    fail_on_change: bool,
    force: bool,
}

fn diff_command(args: DiffArgs, out: &mut dyn Write) -> Result<Status> {
    use crate::diff;
    let (old, new) = match (args.old, args.new, args.history) {
        (Some(old), Some(new), None) => (old, new),
        (None, None, Some(h)) => diff::newest_two(&h)?,
        _ => anyhow::bail!("give two run directories OLD NEW, or --history DIR"),
    };
    let old_run = diff::LoadedRun::open(&old)?;
    let new_run = diff::LoadedRun::open(&new)?;
    let d = diff::compare(&old_run, &new_run, &args.options);
    let files = diff::render(&d)?;
    let dir =
        args.out.unwrap_or_else(|| PathBuf::from(format!("diff-{}-{}", d.old.name, d.new.name)));
    diff::write_dir(&dir, &files, args.force, &[&old, &new])?;
    write!(out, "{}", d.terminal_summary())?;
    writeln!(out, "wrote {} files to {}", files.len(), dir.display())?;
    Ok(if args.fail_on_change && d.has_changes() { Status::Changed } else { Status::Ok })
}

/// Exit status of a command that finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything fine.
    Ok,
    /// Finished, but rows were rejected where that counts as failure (validate).
    Rejected,
    /// `diff --fail-on-change` found changes.
    Changed,
    /// A run finished, but kept files the user edited or added in its output directory
    /// while it ran (each named on standard error).
    Kept,
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

/// `  filtered N` after a table's counts when row filters left rows out,
/// `  superseded N` when national aggregates stood for other rows, and
/// `  duplicates N` when rows were dropped as duplicates of another input's.
fn filtered_note(c: &crate::ingest::Counts) -> String {
    let mut note = String::new();
    if c.filtered > 0 {
        note += &format!("  filtered {:>7}", c.filtered);
    }
    if c.superseded > 0 {
        note += &format!("  superseded {:>7}", c.superseded);
    }
    if c.duplicates > 0 {
        note += &format!("  duplicates {:>7}", c.duplicates);
    }
    note
}

fn summary(ing: &Ingested, out: &mut dyn Write) -> std::io::Result<()> {
    for (table, c) in ing.counts_by_kind() {
        writeln!(
            out,
            "{table:<9} read {:>9}  accepted {:>9}  rejected {:>7}{}",
            c.read,
            c.accepted,
            c.rejected,
            filtered_note(&c)
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
        Command::Run { config, out: out_dir, strict, force, wait, no_cache } => {
            let mut cfg = load_config(config.as_ref())?;
            cfg.run.strict |= strict;
            crate::output::install_signal_cleanup()
                .context("cannot install the handler that cleans up after an interrupt")?;
            let opts = pipeline::RunOptions {
                out: out_dir,
                threads,
                force,
                wait,
                on_wait: Some(|holder| {
                    eprintln!(
                        "divnet: waiting for the other run on this output directory ({holder})"
                    )
                }),
                no_cache,
            };
            let outcome = pipeline::run(&cfg, &opts)?;
            for n in &outcome.notices {
                eprintln!("divnet: note: {n}");
            }
            let m = &outcome.manifest;
            for (table, c) in &m.tables {
                writeln!(
                    out,
                    "{table:<9} read {:>9}  accepted {:>9}  rejected {:>7}{}",
                    c.read,
                    c.accepted,
                    c.rejected,
                    filtered_note(c)
                )?;
            }
            if m.rejected_rows > 0 {
                writeln!(out, "{} rejected row(s): see rejected.csv", m.rejected_rows)?;
            }
            writeln!(out, "wrote {} files to {}", m.outputs.len() + 2, outcome.out_dir.display())?;
            for k in &outcome.kept {
                eprintln!("divnet: {k}");
            }
            if outcome.kept.is_empty() {
                Ok(Status::Ok)
            } else {
                eprintln!(
                    "divnet: the output directory was changed during the run; your files were \
                     kept and are not listed in manifest.json"
                );
                Ok(Status::Kept)
            }
        }
        Command::Validate { config, seizures, looting, routes, transfers, events, show } => {
            let direct =
                [&seizures, &looting, &routes, &transfers, &events].iter().any(|f| !f.is_empty());
            let cfg = if direct {
                let mut c = Config::empty(std::path::Path::new("."));
                c.inputs.seizures = seizures.into_iter().map(InputSpec::for_path).collect();
                c.inputs.looting = looting.into_iter().map(InputSpec::for_path).collect();
                c.inputs.routes = routes.into_iter().map(InputSpec::for_path).collect();
                c.inputs.transfers = transfers.into_iter().map(InputSpec::for_path).collect();
                c.inputs.events = events.into_iter().map(InputSpec::for_path).collect();
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
        Command::Synth { seizures, looting, routes, seed, out: dir, force } => {
            for name in crate::synth::FILES {
                crate::output::check_replaceable(&dir.join(name), force)?;
            }
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
        Command::Centrality { edges, pairs, weight_kind, out: out_path, force } => {
            let mut inputs = vec![edges.as_path()];
            inputs.extend(pairs.as_deref());
            crate::output::check_not_an_input(&out_path, &inputs)?;
            crate::output::check_replaceable(&out_path, force)?;
            let table =
                crate::standalone::centrality_command(&edges, pairs.as_deref(), weight_kind)?;
            crate::standalone::write_atomic(&out_path, &table.csv_bytes()?)
                .with_context(|| format!("cannot write {}", out_path.display()))?;
            writeln!(out, "wrote {} nodes to {}", table.rows(), out_path.display())?;
            Ok(Status::Ok)
        }
        Command::Hotspots { events, resolution, k, domain, bbox, out: out_path, force } => {
            crate::output::check_not_an_input(&out_path, &[&events])?;
            crate::output::check_replaceable(&out_path, force)?;
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
        Command::Diff {
            old,
            new,
            history,
            out: out_dir,
            top,
            share_threshold,
            probability_threshold,
            fail_on_change,
            force,
        } => {
            let options =
                crate::diff::DiffOptions::new(top, share_threshold, probability_threshold)?;
            let args = DiffArgs { old, new, history, out: out_dir, options, fail_on_change, force };
            diff_command(args, &mut out)
        }
        Command::Paths { edges, pairs, k, weight_kind, out: out_path, force } => {
            crate::output::check_not_an_input(&out_path, &[&edges, &pairs])?;
            crate::output::check_replaceable(&out_path, force)?;
            anyhow::ensure!((1..=1000).contains(&k), "--k must lie in 1..=1000 (got {k})");
            let (table, unreachable) =
                crate::standalone::paths_command(&edges, &pairs, k, weight_kind)?;
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
