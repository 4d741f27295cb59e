//! The steps of a run and the graph that connects them.
//!
//! Every step is a pure function of its declared inputs (the artifacts of earlier steps)
//! and its *salt* (the config values it reads, and for an ingest step the SHA-256 of every
//! file it reads): [`steps`] lists them for a config, and [`crate::run::graph`] runs them in
//! dependency order, independent ones in parallel, each cached by the hash of its inputs.
//!
//! The steps: `ingest:seizures`, `ingest:looting`, `ingest:routes` (one per record kind);
//! the path steps `network`, `linkage`, `cases`, `paths`, `flows`, then `hubs`; the
//! hotspot steps `cells`, `cube`, `regional` (seizures and looting only); the transfer steps
//! `dyads` and `retransfers` (re-transfer chains); `frame` (the
//! caption and date of the figures); the steps that encode files (`tables:*`, `gis`, one
//! `figure:<name>` per registered figure, `report`); and `summary` (the manifest's counts
//! and notes).
//!
//! The exact edges are the `deps` of each step below; `ARCHITECTURE.md` draws them. The
//! steps that write files (`tables:*`, `gis`, `figure:*`, `report`) produce the encoded
//! bytes as their artifact, so a rerun whose inputs did not change decodes nothing but
//! the files it writes.

pub mod artifact;
pub mod decl;
pub mod dyads;
pub mod figures;
pub mod gis;
pub mod hotspots;
pub mod hubs;
pub mod paths;
pub mod recipients;
pub mod report;
pub mod retransfers;
pub mod risk;
pub mod step;
pub mod transfer_report;

use crate::config::Config;
use crate::error::RunError;
use crate::geo::Gazetteer;
use crate::ingest::Ingested;
use crate::run::graph::BoxError;

pub use artifact::{Artifact, Frame, OutFile, Summary};
pub use decl::{FILE_STEPS, StepInputs, file_steps, steps};
pub use paths::{RankedPath, rank_paths};
pub use step::figure_step_name;

/// Every analysis result of a run, computed in one call from records ingested together
/// (what the step graph computes step by step): for tests, benchmarks and library users.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The path steps.
    pub paths: paths::PathsResult,
    /// The hubs step.
    pub hubs: hubs::HubsResult,
    /// The hotspot steps, with the conflict-event layer.
    pub hotspots: hotspots::HotspotsResult,
    /// The recipients step.
    pub recipients: recipients::Recipients,
    /// The risk step.
    pub risk: crate::risk::RiskResult,
    /// The dyads step.
    pub dyads: dyads::Dyads,
    /// The re-transfer chains step.
    pub retransfers: crate::retransfers::Retransfers,
}

/// Computes every analysis step of `config` over `ing` (see [`Analysis`]).
pub fn analyse(config: &Config, g: &Gazetteer, ing: &Ingested) -> Result<Analysis, RunError> {
    // The latest date of any record, conflict events included (the union of the files'
    // periods, for records read by `ingest`).
    let mut span = crate::period::Span::default();
    span.records(&ing.seizures);
    span.records(&ing.looting);
    span.records(&ing.routes);
    span.records(&ing.transfers);
    span.records(&ing.events);
    let latest = span.period().map(|p| p.last);
    let paths =
        paths::paths(config, g, latest, &ing.seizures, &ing.looting, &ing.routes, &ing.transfers)
            .map_err(RunError::Paths)?;
    let hubs = hubs::hubs(&config.hubs, &paths).map_err(RunError::Hubs)?;
    let hotspots =
        hotspots::hotspots(&config.hotspots, g, &ing.seizures, &ing.looting, &ing.events)
            .map_err(|source| RunError::Hotspots { step: "hotspots", source })?;
    let merge = config.network.merge_historical;
    let recipients =
        recipients::recipients(g, &ing.transfers, &ing.seizures, &ing.looting, &paths, merge);
    let dyads = dyads::dyads(g, &ing.transfers);
    let deals = crate::deals::Deals::new(&ing.transfers);
    let retransfers = crate::retransfers::find(&ing.transfers, &deals, config.retransfers);
    let mut records = risk::RiskRecords::of(ing);
    let chains = risk::retransfer_records(g, &retransfers, merge);
    if records.transfers.is_some() {
        records.retransfers = Some(&chains);
    }
    let actors = config.actors();
    let cx = risk::RiskInputs {
        gazetteer: g,
        actors: &actors,
        records,
        paths: &paths,
        event_cells: &hotspots.event_cells,
        reference_date: paths.reference_date,
        merge_historical: merge,
    };
    let risk = risk::risk_step(&config.risk, &cx);
    Ok(Analysis { paths, hubs, hotspots, recipients, dyads, retransfers, risk })
}

/// Hands each file of a file-writing step's artifact (a figure as PNG and SVG) to `write`
/// (path in the run directory, bytes, rows), in order, stopping at its first error; an
/// artifact of another kind is an error.
pub fn for_each_file<E>(
    a: &Artifact,
    mut write: impl FnMut(&str, &[u8], Option<u64>) -> Result<(), E>,
) -> Result<Result<(), E>, BoxError> {
    Ok(match a {
        Artifact::Files(files) => files.iter().try_for_each(|f| write(&f.path, &f.bytes, f.rows)),
        Artifact::Figure(f) => match &f.figure {
            Some(fig) => {
                write(&format!("figures/{}.png", fig.name), &fig.png, None).and_then(|()| {
                    write(&format!("figures/{}.svg", fig.name), fig.svg.as_bytes(), None)
                })
            }
            None => Ok(()),
        },
        _ => return Err("not a file-writing step".into()),
    })
}
