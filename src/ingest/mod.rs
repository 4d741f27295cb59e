//! Ingestion: expand the configured inputs, read every file, validate every row in
//! parallel, and return typed records plus the rejected rows, in input order.
//!
//! A file that cannot be used at all (missing, unreadable, no required column) stops the
//! run with an [`IngestError`] naming the file; a row that cannot be used becomes a
//! [`Rejection`] and the run goes on.
//!
//! The modules, each importing only those listed before it: `error` and [`validate`] (row
//! checks); [`rows`] (what every reader yields); [`split`], [`text`] (a CSV file's bytes
//! made ready), [`sheet`], [`geojson`], then [`read`] (CSV, Parquet, NDJSON, and the one
//! `open` that picks the reader of a format); `plan` (an input's files and columns);
//! `dedup` (records found in two inputs of a kind: [`Duplicate`]); `results`; `engine`
//! (parallel parsing and validation); [`aggregates`] (national aggregates among the
//! seizures reconciled per country and date); `periods` (each file's period); here, the
//! entry points.

pub mod aggregates;
mod dedup;
mod engine;
mod error;
pub mod geojson;
mod periods;
mod plan;
pub mod read;
mod results;
pub mod rows;
pub mod sheet;
pub mod split;
pub mod text;
pub mod validate;

use std::path::{Path, PathBuf};

use crate::actors::Actors;
use crate::geo::Gazetteer;
use crate::inputs::{InputSpec, Inputs};
use crate::records::{ConflictEvent, LootingIncident, RouteReport, Seizure, Transfer};
use crate::schema::TableKind;
pub use dedup::{Duplicate, DuplicateReason};
use engine::ingest_kind;
pub use engine::{CsvJobs, IngestOptions, csv_jobs, fuzz_csv_pieces};
pub use error::IngestError;
pub use results::{Counts, FileReport, Ingested, Rejection, joined_reports};
pub use sheet::fuzz_sheet;
pub use validate::{Checker, Problem, Reason, ResolveCache, RowNotes};

/// The configured inputs of each kind (the `[inputs]` section of a config).
pub type InputSet = Inputs;

/// Reads and validates the inputs of one table kind (the ingest step of that kind), their
/// parties read with `actors`; the files and row references of the result are numbered
/// within the kind.
pub fn ingest_table(
    kind: TableKind,
    specs: &[InputSpec],
    base: &Path,
    gazetteer: &Gazetteer,
    actors: &Actors,
    opts: IngestOptions,
) -> Result<Ingested, IngestError> {
    let mut out = Ingested::default();
    match kind {
        TableKind::Seizures => {
            out.seizures = ingest_kind::<Seizure>(specs, base, gazetteer, actors, opts, &mut out)?;
            aggregates::reconcile(&mut out);
        }
        TableKind::Looting => {
            out.looting =
                ingest_kind::<LootingIncident>(specs, base, gazetteer, actors, opts, &mut out)?
        }
        TableKind::Routes => {
            out.routes = ingest_kind::<RouteReport>(specs, base, gazetteer, actors, opts, &mut out)?
        }
        TableKind::Transfers => {
            out.transfers = ingest_kind::<Transfer>(specs, base, gazetteer, actors, opts, &mut out)?
        }
        TableKind::Events => {
            out.events =
                ingest_kind::<ConflictEvent>(specs, base, gazetteer, actors, opts, &mut out)?
        }
    }
    periods::set_file_periods(&mut out);
    Ok(out)
}

/// The files the specs of `kind` name (globs expanded, in read order), each with the
/// SHA-256 of its content: what an ingest step's result depends on. Read in parallel; a
/// file that cannot be read gives the error ingestion would give.
pub fn fingerprint(
    kind: TableKind,
    specs: &[InputSpec],
    base: &Path,
) -> Result<Vec<(PathBuf, String)>, IngestError> {
    use rayon::prelude::*;
    let mut paths = Vec::new();
    for spec in specs {
        paths.extend(plan::expand(kind, spec, base)?);
    }
    paths
        .into_par_iter()
        .map(|path| {
            let bytes = plan::read_input(kind, &path)?;
            let sha = crate::output::sha256_hex(&bytes);
            Ok((plan::shown(&path, base), sha))
        })
        .collect()
}

/// Reads and validates every input with the built-in crosswalks of parties
/// ([`ingest_with`]).
pub fn ingest(
    inputs: &InputSet,
    base: &Path,
    gazetteer: &Gazetteer,
    opts: IngestOptions,
) -> Result<Ingested, IngestError> {
    ingest_with(inputs, base, gazetteer, &Actors::builtin(), opts)
}

/// Reads and validates every input, parties read with `actors` (the `validate` command; a
/// run reads each kind in its own step, [`ingest_table`]). `base` is the directory relative
/// paths resolve against.
pub fn ingest_with(
    inputs: &InputSet,
    base: &Path,
    gazetteer: &Gazetteer,
    actors: &Actors,
    opts: IngestOptions,
) -> Result<Ingested, IngestError> {
    let mut out = Ingested::default();
    // Each kind in table order, the file numbers running on across kinds.
    out.seizures =
        ingest_kind::<Seizure>(&inputs.seizures, base, gazetteer, actors, opts, &mut out)?;
    aggregates::reconcile(&mut out);
    out.looting =
        ingest_kind::<LootingIncident>(&inputs.looting, base, gazetteer, actors, opts, &mut out)?;
    out.routes =
        ingest_kind::<RouteReport>(&inputs.routes, base, gazetteer, actors, opts, &mut out)?;
    out.transfers =
        ingest_kind::<Transfer>(&inputs.transfers, base, gazetteer, actors, opts, &mut out)?;
    out.events =
        ingest_kind::<ConflictEvent>(&inputs.events, base, gazetteer, actors, opts, &mut out)?;
    periods::set_file_periods(&mut out);
    Ok(out)
}
