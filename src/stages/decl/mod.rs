//! The steps of a run, as each stage declares them (see [`crate::stages::step`]): one module
//! per stage, gathered by [`steps`].
//!
//! The declarations live apart from the stage modules they call: a declaration names the
//! [`Artifact`] of every step it reads, and [`Artifact`] names the results of every stage,
//! so the stage modules stay free of the run graph and no import runs in a circle.

mod figures;
mod hotspots;
mod ingest;
mod paths;
mod report;
mod risk;
mod tables;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use figures::FrameSection;
pub use ingest::IngestSection;
pub use report::{ReportSection, SummarySection};
pub use risk::RiskSection;
pub use tables::KindTable;

use crate::config::Config;
use crate::geo::Gazetteer;
use crate::ingest::IngestOptions;
use crate::run::graph::{BoxError, Step};
use crate::schema::TableKind;
use crate::stages::artifact::Artifact;
use crate::stages::step::figure_step_name;

/// What the steps need besides the config.
#[derive(Debug, Clone)]
pub struct StepInputs {
    /// Options of the ingest steps (the day after which dates are refused).
    pub ingest: IngestOptions,
    /// `SOURCE_DATE_EPOCH`'s date, if set.
    pub source_date: Option<chrono::NaiveDate>,
    /// Per ingest step, the files it will read with their SHA-256 (see
    /// [`crate::ingest::fingerprint`]).
    pub fingerprints: BTreeMap<TableKind, Vec<(PathBuf, String)>>,
}

/// The embedded gazetteer, loaded when a step that needs it runs (a rerun whose steps all
/// come from the cache never parses it).
fn gazetteer() -> Result<&'static Gazetteer, BoxError> {
    Gazetteer::embedded().map_err(|e| Box::new(crate::error::RunError::from(e)) as BoxError)
}

/// The steps of a run of `config`, in no particular order (the runner orders them).
pub fn steps(config: &Config, inputs: &StepInputs) -> Vec<Step<Artifact>> {
    let mut out = ingest::steps(config, inputs);
    out.extend(paths::steps(config));
    out.extend(hotspots::steps(config));
    out.push(figures::frame_step(config, inputs.source_date));
    out.extend(tables::steps(config));
    out.extend(risk::steps(config));
    if config.figures.enabled {
        out.extend(figures::figure_steps(config));
        out.push(report::report_step(config));
    }
    out.push(report::summary_step(config));
    out
}

/// The steps whose artifacts are files (the figure steps and the report add to them, when
/// enabled).
pub const FILE_STEPS: [&str; 15] = [
    "tables:seizures",
    "tables:looting",
    "tables:routes",
    "tables:transfers",
    "tables:events",
    "tables:rejected",
    "tables:actors",
    "tables:paths",
    "tables:hubs",
    "tables:hotspots",
    "tables:recipients",
    "tables:risk",
    "tables:dyads",
    "tables:retransfers",
    "gis",
];

/// The names of the file-writing steps of a run of `config` (written as their levels of
/// the graph finish).
pub fn file_steps(config: &Config) -> Vec<String> {
    let mut out: Vec<String> = FILE_STEPS.iter().map(|s| s.to_string()).collect();
    if config.figures.enabled {
        out.extend(crate::stages::figures::FIGURES.iter().map(|f| figure_step_name(f.name)));
        out.push("report".into());
    }
    out
}
