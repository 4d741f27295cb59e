//! The `run` and `validate` pipelines: configuration in, run directory out.
//!
//! Stages run in order (ingest, tables, then the analyses); each is timed and the times
//! go to `run.json` ([`crate::clock::RunRecord`]), apart from `manifest.json`, which holds
//! only what determines the outputs. Outputs are staged and committed atomically by
//! [`crate::output::RunDir`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::config::{Config, ConfigError};
use crate::geo::Gazetteer;
use crate::geo::gazetteer::GazetteerError;
use crate::ingest::{self, FileReport, IngestError, IngestOptions, Ingested, InputSet};
use crate::output::{ClaimOptions, OutputError, OutputFile, RunDir};

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The gazetteer could not be loaded.
    #[error("{0}")]
    Gazetteer(String),
    /// An input file could not be used.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// An output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// An analysis stage failed.
    #[error("stage {stage}: {message}")]
    Stage {
        /// The stage.
        stage: &'static str,
        /// What went wrong.
        message: String,
    },
}

impl From<&GazetteerError> for RunError {
    fn from(e: &GazetteerError) -> Self {
        RunError::Gazetteer(e.to_string())
    }
}

/// Row counts of one table kind.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    /// Rows read.
    pub read: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// `manifest.json`: what a run read, how, and what it wrote. It holds nothing that depends
/// on when or where the run happened or on the thread count, so identical inputs and config
/// give an identical manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// divnet version.
    pub divnet_version: &'static str,
    /// The configuration file.
    pub config_source: String,
    /// The configuration as applied (defaults filled in).
    pub config: Config,
    /// Every input file with its SHA-256 and counts.
    pub inputs: Vec<FileReport>,
    /// Counts per table kind.
    pub tables: BTreeMap<&'static str, Counts>,
    /// Distinct rejected rows.
    pub rejected_rows: usize,
    /// Rejected rows per reason.
    pub rejections_by_reason: BTreeMap<&'static str, usize>,
    /// Facts the stages report (sizes, methods chosen, exclusions).
    pub notes: BTreeMap<String, serde_json::Value>,
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

/// The inputs of a config, as an [`InputSet`].
pub fn inputs_of(config: &Config) -> InputSet {
    InputSet {
        seizures: config.inputs.seizures.clone(),
        looting: config.inputs.looting.clone(),
        routes: config.inputs.routes.clone(),
    }
}

/// Reads and validates the inputs of a config (the `validate` command).
pub fn validate(config: &Config, gazetteer: &Gazetteer) -> Result<Ingested, RunError> {
    Ok(ingest::ingest(&inputs_of(config), &config.base_dir, gazetteer, IngestOptions::default())?)
}

/// Counts per table kind.
pub fn counts(ing: &Ingested) -> BTreeMap<&'static str, Counts> {
    let mut m: BTreeMap<&'static str, Counts> = BTreeMap::new();
    for f in &ing.files {
        let c = m.entry(f.table.as_str()).or_default();
        c.read += f.rows_read;
        c.accepted += f.accepted;
        c.rejected += f.rejected;
    }
    m
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
}

/// What the output directory must never contain: the config and every input path; the
/// glob patterns among the inputs.
fn protected_paths(config: &Config) -> (Vec<(&'static str, PathBuf)>, Vec<String>) {
    let mut paths = vec![("the config", config.source.clone())];
    let mut patterns = Vec::new();
    let specs =
        config.inputs.seizures.iter().chain(&config.inputs.looting).chain(&config.inputs.routes);
    for spec in specs {
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

/// Runs the whole pipeline for `config`. The output directory is claimed first (see
/// [`RunDir::claim`]), so a directory divnet may not write is refused before any work.
pub fn run(config: &Config, opts: &RunOptions) -> Result<RunOutcome, RunError> {
    let clock = crate::clock::RunClock::from_env()?;
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
    let mut dir = RunDir::claim(&target, &claim)?;
    let mut timings = Timings::default();
    let gazetteer = timings.time("gazetteer", Gazetteer::embedded)?;
    let ing = timings.time("ingest", || validate(config, gazetteer))?;
    if config.run.strict && !ing.rejections.is_empty() {
        let r = &ing.rejections[0];
        let file = ing
            .files
            .get(r.row.file as usize)
            .map(|f| f.path.display().to_string())
            .unwrap_or_default();
        return Err(IngestError::Strict {
            count: ing.rejected_rows(),
            first: format!(
                "{file}:{} column {}: {}",
                r.row.line, r.problem.column, r.problem.detail
            ),
        }
        .into());
    }
    let mut notes: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    notes.insert("precision_downgraded".into(), ing.precision_downgraded.into());
    timings.time("tables", || -> Result<(), RunError> {
        let tables = [
            crate::tables::seizures(gazetteer, &ing)?,
            crate::tables::looting(gazetteer, &ing)?,
            crate::tables::routes(gazetteer, &ing)?,
            crate::tables::rejected(&ing)?,
        ];
        for t in &tables {
            dir.write_table(t)?;
        }
        Ok(())
    })?;
    crate::stages::run_all(config, gazetteer, &ing, &mut dir, &mut notes, &mut timings)?;
    let manifest = Manifest {
        divnet_version: env!("CARGO_PKG_VERSION"),
        config_source: config.source.display().to_string(),
        config: config.clone(),
        inputs: ing.files.clone(),
        tables: counts(&ing),
        rejected_rows: ing.rejected_rows(),
        rejections_by_reason: ing
            .rejections_by_reason()
            .into_iter()
            .map(|(r, n)| (r.as_str(), n))
            .collect(),
        notes,
        outputs: dir.written().to_vec(),
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| RunError::Stage { stage: "manifest", message: e.to_string() })?;
    dir.write("manifest.json", &json, None)?;
    dir.set_inputs_hash(&inputs_digest(&manifest));
    let record = crate::clock::RunRecord {
        divnet_version: env!("CARGO_PKG_VERSION"),
        started_utc: clock.started_utc(),
        finished_utc: clock.now_utc(),
        threads,
        timings_ms: timings.map.clone(),
    };
    let json = serde_json::to_vec_pretty(&record)
        .map_err(|e| RunError::Stage { stage: "run record", message: e.to_string() })?;
    dir.write("run.json", &json, None)?;
    let committed = dir.commit()?;
    Ok(RunOutcome { out_dir: committed.dir, manifest, notices: committed.notices })
}
