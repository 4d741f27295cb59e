//! The ingest steps: one per record kind, reading that kind's input files.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use super::{StepInputs, gazetteer};
use crate::actors::Actors;
use crate::config::Config;
use crate::ingest::{self, IngestError, IngestOptions};
use crate::inputs::InputSpec;
use crate::run::graph::{BoxError, Step};
use crate::schema::TableKind;
use crate::stages::artifact::{Artifact, codecs};
use crate::stages::step::{Args, declare, ingest_step};

/// What an ingest step reads of the config and the run: its inputs' reading rules, the
/// files they match with their SHA-256, the day after which dates are refused, what
/// becomes of records found in two inputs, whether a rejected row stops the run, and the
/// folder relative paths resolve against.
#[derive(Debug, Clone, Serialize)]
pub struct IngestSection {
    /// The record kind.
    pub kind: TableKind,
    /// Its input specs (presets applied).
    pub specs: Vec<InputSpec>,
    /// The files they match, with their SHA-256.
    pub files: Vec<(PathBuf, String)>,
    /// Ingest options: their day and `run.duplicates` are hashed; results do not depend on
    /// the size of the pieces a file is parsed in.
    #[serde(serialize_with = "day_only")]
    pub options: IngestOptions,
    /// `run.strict`.
    pub strict: bool,
    /// How parties are read: the user's aliases (`[actors] aliases`), so editing the
    /// alias file reruns the ingest steps.
    pub actors: Actors,
    /// The config's folder.
    pub base: PathBuf,
}

/// One ingest step per record kind.
pub fn steps(config: &Config, inputs: &StepInputs) -> Vec<Step<Artifact>> {
    TableKind::ALL
        .into_iter()
        .map(|kind| {
            let section = IngestSection {
                kind,
                specs: config.inputs.of(kind).clone(),
                files: inputs.fingerprints.get(&kind).cloned().unwrap_or_default(),
                options: IngestOptions { duplicates: config.run.duplicates, ..inputs.ingest },
                strict: config.run.strict,
                actors: config.actors(),
                base: config.base_dir.clone(),
            };
            declare(ingest_step(kind), &[], section, codecs::RECORDS, run)
        })
        .collect()
}

fn run(s: &IngestSection, _: &Args<'_>) -> Result<Artifact, BoxError> {
    let g = gazetteer()?;
    let ing =
        ingest::ingest_table(s.kind, &s.specs, &s.base, g, &s.actors, s.options).map_err(boxed)?;
    // The bytes read must be the bytes hashed for this step's key and the manifest: a file
    // rewritten in between (a nightly export landing mid-run) stops the run, and nothing
    // is cached from it.
    let read: Vec<(&std::path::Path, &str)> =
        ing.files.iter().map(|f| (f.path.as_path(), f.sha256.as_str())).collect();
    let hashed: Vec<(&std::path::Path, &str)> =
        s.files.iter().map(|(p, h)| (p.as_path(), h.as_str())).collect();
    if read != hashed {
        let path = read
            .iter()
            .zip(&hashed)
            .find(|(r, h)| r != h)
            .map(|(r, _)| r.0.to_path_buf())
            .or_else(|| {
                read.get(hashed.len()).or(hashed.get(read.len())).map(|x| x.0.to_path_buf())
            })
            .unwrap_or_default();
        return Err(boxed(IngestError::ChangedDuringRun { table: s.kind, path }));
    }
    if s.strict
        && let Some(r) = ing.rejections.first()
    {
        let file = ing
            .files
            .get(r.row.file as usize)
            .map(|f| f.path.display().to_string())
            .unwrap_or_default();
        return Err(boxed(IngestError::Strict {
            count: ing.rejected_rows(),
            first: format!(
                "{file}:{} column {}: {}",
                r.row.line, r.problem.column, r.problem.detail
            ),
        }));
    }
    Ok(Artifact::Records(Arc::new(ing)))
}

fn boxed(e: IngestError) -> BoxError {
    Box::new(crate::error::RunError::from(e))
}

fn day_only<S: serde::Serializer>(o: &IngestOptions, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeTuple;
    let mut t = s.serialize_tuple(2)?;
    t.serialize_element(&o.today.to_string())?;
    t.serialize_element(&o.duplicates)?;
    t.end()
}
