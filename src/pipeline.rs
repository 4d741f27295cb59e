//! The `run` and `validate` pipelines: configuration in, run directory out.
//!
//! A run claims its output directory, fingerprints its input files, runs the step graph of
//! [`crate::stages`] (cached by the hash of each step's inputs), writes the files the steps
//! produced, then `manifest.json` (what determines the outputs) and `run.json` (when, how
//! long, which steps ran and which came from the cache: [`crate::clock::RunRecord`]).
//! Outputs are staged and committed atomically by [`crate::output::RunDir`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::config::Config;
use crate::error::RunError;
use crate::geo::Gazetteer;
use crate::ingest::{self, Counts, FileReport, IngestOptions, Ingested};
use crate::output::{ClaimOptions, OutputFile, RunDir};
use crate::run::cache::Cache;
use crate::run::graph;
use crate::stages::{self, StepInputs};

/// `manifest.json`: what a run read, how, and what it wrote. It holds nothing that depends
/// on when or where the run happened or on the thread count, so identical inputs and config
/// give an identical manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// divnet version.
    pub divnet_version: &'static str,
    /// The configuration file.
    pub config_source: String,
    /// The configuration as applied (defaults filled in; the cache settings left out).
    pub config: Config,
    /// Every input file with its SHA-256 and counts.
    pub inputs: Vec<FileReport>,
    /// Counts per table kind.
    pub tables: BTreeMap<String, Counts>,
    /// Distinct rejected rows.
    pub rejected_rows: usize,
    /// Rejected rows per reason.
    pub rejections_by_reason: BTreeMap<String, usize>,
    /// Facts the steps report (sizes, methods chosen, exclusions).
    pub notes: BTreeMap<String, serde_json::Value>,
    /// The SHA-256 of each step's artifact (its result), by step: equal hashes, equal
    /// results. Input hashes and whether a step ran or came from the cache are facts of the
    /// execution and go to `run.json`.
    pub steps: BTreeMap<String, String>,
    /// Files written (the manifest and `run.json` excluded).
    pub outputs: Vec<OutputFile>,
}

/// Stage timer.
#[derive(Debug, Default)]
pub struct Timings {
    map: BTreeMap<String, u64>,
}

impl Timings {
    /// Runs `f` and records its wall time under `stage`.
    pub fn time<T>(&mut self, stage: &str, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = f();
        self.map.insert(stage.to_string(), t.elapsed().as_millis() as u64);
        out
    }
}

/// Reads and validates the inputs of a config (the `validate` command).
pub fn validate(config: &Config, gazetteer: &Gazetteer) -> Result<Ingested, RunError> {
    // The same day as a run would take (`DIVNET_NOW` or the clock), for future dates.
    let today = crate::clock::RunClock::from_env()?.today();
    let opts =
        IngestOptions { today, duplicates: config.run.duplicates, ..IngestOptions::default() };
    Ok(ingest::ingest_with(&config.inputs, &config.base_dir, gazetteer, &config.actors(), opts)?)
}

/// What a finished run reports back.
#[derive(Debug)]
pub struct RunOutcome {
    /// The run directory.
    pub out_dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// What the run found and did beside its analysis (stale directories of interrupted
    /// runs removed, leftovers kept), one sentence each.
    pub notices: Vec<String>,
    /// What the user changed in the output directory during the run and the run kept.
    pub kept: Vec<crate::output::Kept>,
}

/// How `run` treats its output directory.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Output directory (default: `run.out` of the config).
    pub out: Option<PathBuf>,
    /// Worker threads in use (recorded, not set: the caller installs the pool).
    pub threads: usize,
    /// Replace an earlier divnet run whose files were changed after it was written.
    pub force: bool,
    /// Wait for another run on the same output directory instead of stopping.
    pub wait: bool,
    /// Called once if the run waits for another, with the holder ("pid 1234").
    pub on_wait: Option<fn(&str)>,
    /// Compute every step, reading and writing no cache.
    pub no_cache: bool,
}

/// What the output directory must never contain: the config and every input path; the
/// glob patterns among the inputs.
fn protected_paths(config: &Config) -> (Vec<(&'static str, PathBuf)>, Vec<String>) {
    let mut paths = vec![("the config", config.source.clone())];
    let mut patterns = Vec::new();
    for (_, spec) in config.inputs.all() {
        let full = config.resolve(Path::new(&spec.path));
        if spec.path.contains(['*', '?', '[']) {
            patterns.push(full.display().to_string());
        } else {
            paths.push(("the input", full));
        }
    }
    (paths, patterns)
}

/// A digest of what determines a run's results: the applied config and every input
/// file's SHA-256, in input order. Names runs in a run history.
pub fn inputs_digest(manifest: &Manifest) -> String {
    let config = serde_json::to_vec(&manifest.config).unwrap_or_default();
    let mut text = crate::output::sha256_hex(&config);
    for f in &manifest.inputs {
        text.push(' ');
        text.push_str(&f.sha256);
    }
    crate::output::sha256_hex(text.as_bytes())
}

/// The artifact cache of a run, if any, and why a configured one is not used: a
/// directory another user owns or others may write (see [`Cache::open`]), or one inside
/// the output directory (which each run replaces).
fn cache_of(config: &Config, opts: &RunOptions, out: &Path) -> (Option<Cache>, Option<String>) {
    if opts.no_cache || !config.cache.enabled || crate::run::build_id().is_none() {
        return (None, None);
    }
    let Some(root) = config.cache.resolve_dir(&config.base_dir) else { return (None, None) };
    let inside = |a: &Path, b: &Path| {
        let (a, b) = (crate::output::rundir::canonical(a), crate::output::rundir::canonical(b));
        matches!((a, b), (Ok(a), Ok(b)) if a.starts_with(&b))
    };
    if inside(&root, out) {
        let why = format!(
            "the cache directory {} lies inside the output directory {}, which every run replaces: this run used no cache (set [cache] dir or DIVNET_CACHE_DIR elsewhere)",
            root.display(),
            out.display()
        );
        return (None, Some(why));
    }
    // No entry is larger than the cache may grow (a bound of a few MiB still caches a small
    // run's entries until the pruning after it).
    let max = config.cache.max_size_mb.saturating_mul(1 << 20).max(64 << 20);
    match Cache::open(root, max) {
        Ok(c) => (Some(c), None),
        Err(e) => (None, Some(format!("{e}: this run used no cache"))),
    }
}

/// Runs the whole pipeline for `config`. The output directory is claimed first (see
/// [`RunDir::claim`]), so a directory divnet may not write is refused before any work.
/// The analysis runs as the step graph of [`stages::steps`], cached in the artifact cache
/// unless `opts.no_cache`.
pub fn run(config: &Config, opts: &RunOptions) -> Result<RunOutcome, RunError> {
    let clock = crate::clock::RunClock::from_env()?;
    // Read first, so that a malformed value stops the run before any work.
    let source_date = crate::clock::source_date_from_env()?;
    let threads = opts.threads;
    let target = opts.out.clone().unwrap_or_else(|| config.resolve(&config.run.out));
    let (protected, patterns) = protected_paths(config);
    let claim = ClaimOptions {
        force: opts.force,
        wait: opts.wait,
        on_wait: opts.on_wait,
        protected,
        patterns,
        keep: config.run.keep.map(|k| k as usize),
    };
    let dir = RunDir::claim(&target, &claim)?;
    let mut timings = Timings::default();
    let inputs = &config.inputs;
    let fingerprints = timings.time("fingerprint", || -> Result<_, RunError> {
        let mut m = BTreeMap::new();
        for kind in crate::schema::TableKind::ALL {
            m.insert(kind, ingest::fingerprint(kind, inputs.of(kind), &config.base_dir)?);
        }
        Ok(m)
    })?;
    let step_inputs = StepInputs {
        ingest: IngestOptions { today: clock.today(), ..IngestOptions::default() },
        source_date,
        fingerprints,
    };
    let (cache, cache_refused) = timings.time("build id", || cache_of(config, opts, &target));
    let steps = stages::steps(config, &step_inputs);
    let build = crate::run::build_id().unwrap_or(env!("CARGO_PKG_VERSION"));
    // Each file step's files are written into the staging directory as soon as the step
    // is done, and every artifact is dropped once no step still to run reads it: a run
    // holds what it still needs, not every output at once. Steps of a level finish on
    // several threads; their writes take turns.
    let write_ms = std::sync::atomic::AtomicU64::new(0);
    let write_error: std::sync::Mutex<Option<RunError>> = std::sync::Mutex::new(None);
    let staging = std::sync::Mutex::new(dir);
    let sink = |name: &str, a: &stages::Artifact| -> Result<(), graph::BoxError> {
        let r = stages::for_each_file(a, |path, bytes, rows| {
            let mut dir = staging.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let t = Instant::now();
            let r = dir.write(path, bytes, rows);
            write_ms
                .fetch_add(t.elapsed().as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
            r
        });
        match r {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                let mut first =
                    write_error.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                first.get_or_insert(e.into());
                Err(format!("cannot write the files of {name}").into())
            }
            Err(e) => Err(e),
        }
    };
    let delivery = graph::Delivery {
        streamed: stages::file_steps(config).into_iter().collect(),
        kept: ["summary".to_string()].into_iter().collect(),
        sink: &sink,
    };
    let run = graph::run_with(steps, cache.as_ref(), build, Some(delivery));
    let mut dir = staging.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(e) = write_error.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
        return Err(e);
    }
    let mut done = run.map_err(RunError::from_graph)?;
    timings.map.insert("write".to_string(), write_ms.into_inner());
    let reports = done.reports.clone();
    for r in &reports {
        timings.map.insert(r.step.clone(), r.ms);
    }
    let take = |done: &mut graph::Outcome<stages::Artifact>, name: &str| {
        done.take(name)
            .unwrap_or_else(|| {
                Err(graph::GraphError::UnknownDep { step: "the run".into(), dep: name.into() })
            })
            .map_err(RunError::from_graph)
    };
    let summary = take(&mut done, "summary")?;
    let summary = summary.as_summary().ok_or_else(|| {
        let source = "the summary step was handed an artifact of another kind".into();
        RunError::from_graph(graph::GraphError::Step { step: "summary".into(), source })
    })?;
    let notes: BTreeMap<String, serde_json::Value> = serde_json::from_str(&summary.notes_json)
        .map_err(|source| RunError::Serialize { what: "the manifest notes", source })?;
    // What the user edited or added in the output directory meanwhile wins over the new
    // outputs of the same name, which the manifest then does not list.
    dir.keep_user_changes()?;
    let manifest = Manifest {
        divnet_version: env!("CARGO_PKG_VERSION"),
        // Its file name: the folder is where the run was started from, which the outputs do
        // not depend on (input paths are shown relative to it).
        config_source: config.source.file_name().map_or_else(
            || config.source.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        config: config.clone(),
        inputs: summary.inputs.clone(),
        tables: summary.tables.clone(),
        rejected_rows: summary.rejected_rows,
        rejections_by_reason: summary.rejections_by_reason.clone(),
        notes,
        steps: reports.iter().map(|r| (r.step.clone(), r.content.clone())).collect(),
        outputs: {
            // Files are written as their steps finish, in no fixed order: list them by name.
            let mut files = dir.written().to_vec();
            files.sort_by(|a, b| a.file.cmp(&b.file));
            files
        },
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|source| RunError::Serialize { what: "manifest.json", source })?;
    dir.write("manifest.json", &json, None)?;
    dir.set_inputs_hash(&inputs_digest(&manifest));
    let record = crate::clock::RunRecord {
        divnet_version: env!("CARGO_PKG_VERSION"),
        started_utc: clock.started_utc(),
        finished_utc: clock.now_utc(),
        threads,
        timings_ms: timings.map.clone(),
        cache: cache.as_ref().map(|c| c.root().display().to_string()),
        steps: reports,
    };
    let json = serde_json::to_vec_pretty(&record)
        .map_err(|source| RunError::Serialize { what: "run.json", source })?;
    dir.write("run.json", &json, None)?;
    let committed = dir.commit()?;
    let mut notices = committed.notices;
    notices.extend(cache_refused);
    if let Some(c) = &cache {
        let removed = c.prune(config.cache.max_size_mb.saturating_mul(1 << 20));
        if removed > 0 {
            notices.push(format!(
                "removed {removed} least recently used entries from the cache at {} to keep it under {} MiB",
                c.root().display(),
                config.cache.max_size_mb
            ));
        }
    }
    Ok(RunOutcome { out_dir: committed.dir, manifest, notices, kept: committed.kept })
}
