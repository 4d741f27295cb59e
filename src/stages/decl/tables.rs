//! The steps that encode tables (`tables:*`, in the formats of `[output]`) and the GIS
//! layers (`gis`). Each runs alone in its level (`exclusive`): its working memory grows with
//! the data.

use std::sync::Arc;

use serde::Serialize;

use super::gazetteer;
use crate::actors::Actors;
use crate::config::{Config, OutputConfig};
use crate::error::RunError;
use crate::ingest::joined_reports;
use crate::output::Table;
use crate::run::graph::{BoxError, Step};
use crate::schema::TableKind;
use crate::stages::artifact::{Artifact, OutFile, codecs};
use crate::stages::step::{
    ALL_RECORDS, Args, DYADS, EVENTS, HUBS, HotspotSteps, LOOTING, PathSteps, RECIPIENTS,
    RETRANSFERS, SEIZURES, all_records, declare, records,
};
use crate::stages::{dyads, gis, hotspots, hubs, paths, recipients, retransfers};

/// What the table of one record kind reads of the config: the kind, `[output]` and how
/// parties are read (the seizures table classifies possessors).
#[derive(Debug, Clone, Serialize)]
pub struct KindTable {
    /// The record kind.
    pub kind: TableKind,
    /// The formats.
    pub output: OutputConfig,
    /// The user's aliases.
    pub actors: Actors,
}

/// What the actors table reads of the config: `[output]` and how parties are read.
#[derive(Debug, Clone, Serialize)]
pub struct ActorsTable {
    /// The formats.
    pub output: OutputConfig,
    /// The user's aliases.
    pub actors: Actors,
}

/// The table and GIS steps of a run of `config`.
pub fn steps(config: &Config) -> Vec<Step<Artifact>> {
    let o = &config.output;
    let mut out: Vec<Step<Artifact>> = TableKind::ALL
        .into_iter()
        .map(|kind| {
            let section = KindTable { kind, output: o.clone(), actors: config.actors() };
            let name = format!("tables:{}", kind.as_str());
            declare(name, &[&records(kind)], section, codecs::FILES, kind_table)
        })
        .collect();
    out.extend([
        declare("tables:rejected", &[&ALL_RECORDS], o.clone(), codecs::FILES, rejected),
        declare(
            "tables:actors",
            &[&ALL_RECORDS],
            ActorsTable { output: o.clone(), actors: config.actors() },
            codecs::FILES,
            actors,
        ),
        declare(
            "tables:paths",
            &[&PathSteps, &SEIZURES, &LOOTING, &RETRANSFERS],
            o.clone(),
            codecs::FILES,
            path_tables,
        ),
        declare("tables:recipients", &[&RECIPIENTS], o.clone(), codecs::FILES, recipient_tables),
        declare("tables:dyads", &[&DYADS], o.clone(), codecs::FILES, dyad_tables),
        declare("tables:retransfers", &[&RETRANSFERS], o.clone(), codecs::FILES, retransfer_tables),
        declare("tables:hubs", &[&PathSteps, &HUBS], o.clone(), codecs::FILES, hub_tables),
        declare("tables:hotspots", &[&HotspotSteps], o.clone(), codecs::FILES, hotspot_tables),
        declare(
            "gis",
            &[&PathSteps, &HotspotSteps, &SEIZURES, &LOOTING, &EVENTS],
            (),
            codecs::FILES,
            run_gis,
        ),
    ]);
    for s in &mut out {
        // A large table's encoding, or the GeoPackage of every point, is a run's peak.
        s.exclusive = true;
    }
    out
}

fn boxed(e: impl Into<RunError>) -> BoxError {
    Box::new(e.into())
}

fn files(tables: &[Table], o: &OutputConfig) -> Result<Artifact, BoxError> {
    Ok(Artifact::Files(Arc::new(OutFile::tables(tables, &o.formats).map_err(boxed)?)))
}

fn kind_table(s: &KindTable, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let g = gazetteer()?;
    let ing = a.get(&records(s.kind))?;
    if s.kind == TableKind::Seizures && !ing.aggregate_checks.is_empty() {
        // National aggregates: how each country and date was reconciled, beside them.
        let t = crate::tables::seizures(g, ing).map_err(boxed)?;
        let checks = crate::tables::aggregate_checks(g, ing).map_err(boxed)?;
        return files(&[t, checks], &s.output);
    }
    let t = match s.kind {
        TableKind::Seizures => crate::tables::seizures_with(g, &s.actors, ing),
        TableKind::Looting => crate::tables::looting(g, ing),
        TableKind::Routes => crate::tables::routes(g, ing),
        TableKind::Transfers => crate::tables::transfers(g, ing),
        TableKind::Events => crate::tables::events(g, ing),
    }
    .map_err(boxed)?;
    files(&[t], &s.output)
}

fn rejected(o: &OutputConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let joined = joined_reports(&all_records(a)?);
    let rejected = crate::tables::rejected(&joined).map_err(boxed)?;
    let duplicates = crate::tables::duplicates(&joined).map_err(boxed)?;
    files(&[rejected, duplicates], o)
}

fn actors(s: &ActorsTable, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let t = crate::tables::actors_with(gazetteer()?, &s.actors, &all_records(a)?).map_err(boxed)?;
    files(&[t], &s.output)
}

fn path_tables(o: &OutputConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let p = PathSteps::get(a)?;
    let seizures = &a.get(&SEIZURES)?.seizures;
    let chains = &a.get(&RETRANSFERS)?.chains;
    let mut t =
        paths::paths_tables(&p, seizures, &a.get(&LOOTING)?.looting, chains).map_err(boxed)?;
    t.push(paths::actor_flows_table(&p, gazetteer()?, seizures).map_err(boxed)?);
    files(&t, o)
}

fn recipient_tables(o: &OutputConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    files(&recipients::recipients_tables(a.get(&RECIPIENTS)?).map_err(boxed)?, o)
}

fn dyad_tables(o: &OutputConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    files(&dyads::dyads_tables(a.get(&DYADS)?).map_err(boxed)?, o)
}

fn retransfer_tables(o: &OutputConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let t = retransfers::retransfers_tables(gazetteer()?, a.get(&RETRANSFERS)?).map_err(boxed)?;
    files(&t, o)
}

fn hub_tables(o: &OutputConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    files(&hubs::hubs_tables(a.get(&HUBS)?, &PathSteps::get(a)?).map_err(boxed)?, o)
}

fn hotspot_tables(o: &OutputConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    files(&hotspots::hotspots_tables(&HotspotSteps::get(a)?).map_err(boxed)?, o)
}

fn run_gis(_: &(), a: &Args<'_>) -> Result<Artifact, BoxError> {
    let records = gis::Records {
        seizures: &a.get(&SEIZURES)?.seizures,
        looting: &a.get(&LOOTING)?.looting,
        events: &a.get(&EVENTS)?.events,
    };
    let hs = HotspotSteps::get(a)?;
    let files = gis::gis(gazetteer()?, records, &PathSteps::get(a)?, &hs)
        .map_err(|e| boxed(RunError::Gis(e)))?;
    Ok(Artifact::Files(Arc::new(files)))
}
