//! `risk` (the diversion-risk screen) and `tables:risk` (its tables).

use std::sync::Arc;

use serde::Serialize;

use super::gazetteer;
use crate::actors::Actors;
use crate::config::{Config, OutputConfig};
use crate::error::RunError;
use crate::risk::RiskConfig;
use crate::run::graph::{BoxError, Step};
use crate::stages::artifact::{Artifact, OutFile, codecs};
use crate::stages::risk::{RiskInputs, RiskRecords, retransfer_records, risk_step, risk_tables};
use crate::stages::step::{
    Args, EVENT_CELLS, EVENTS, FRAME, LOOTING, PathSteps, RETRANSFERS, RISK, SEIZURES, TRANSFERS,
    declare,
};

/// What the `risk` step reads of the config.
#[derive(Debug, Clone, Serialize)]
pub struct RiskSection {
    /// `[risk]`.
    pub risk: RiskConfig,
    /// `network.merge_historical`: a historical state counts for its successor.
    pub merge_historical: bool,
    /// How parties are read (the sides of events).
    pub actors: Actors,
}

/// The `risk` and `tables:risk` steps of a run of `config`.
pub fn steps(config: &Config) -> Vec<Step<Artifact>> {
    let section = RiskSection {
        risk: config.risk.clone(),
        merge_historical: config.network.merge_historical,
        actors: config.actors(),
    };
    let mut tables = declare("tables:risk", &[&RISK], config.output.clone(), codecs::FILES, tables);
    tables.exclusive = true;
    vec![
        declare(
            "risk",
            &[
                &FRAME,
                &TRANSFERS,
                &SEIZURES,
                &LOOTING,
                &EVENTS,
                &PathSteps,
                &EVENT_CELLS,
                &RETRANSFERS,
            ],
            section,
            codecs::RISK,
            run_risk,
        ),
        tables,
    ]
}

fn run_risk(c: &RiskSection, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let mut records = RiskRecords {
        transfers: RiskRecords::of(a.get(&TRANSFERS)?).transfers,
        seizures: RiskRecords::of(a.get(&SEIZURES)?).seizures,
        looting: RiskRecords::of(a.get(&LOOTING)?).looting,
        events: RiskRecords::of(a.get(&EVENTS)?).events,
        retransfers: None,
    };
    let chains = retransfer_records(gazetteer()?, a.get(&RETRANSFERS)?, c.merge_historical);
    if records.transfers.is_some() {
        records.retransfers = Some(&chains);
    }
    let p = PathSteps::get(a)?;
    let frame = a.get(&FRAME)?;
    let cx = RiskInputs {
        gazetteer: gazetteer()?,
        actors: &c.actors,
        records,
        paths: &p,
        event_cells: a.get(&EVENT_CELLS)?,
        reference_date: frame.reference_date,
        merge_historical: c.merge_historical,
    };
    let r = risk_step(&c.risk, &cx);
    Ok(Artifact::Risk(Arc::new(r)))
}

fn tables(o: &OutputConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let t = risk_tables(a.get(&RISK)?).map_err(|e| Box::new(RunError::from(e)) as BoxError)?;
    let files =
        OutFile::tables(&t, &o.formats).map_err(|e| Box::new(RunError::from(e)) as BoxError)?;
    Ok(Artifact::Files(Arc::new(files)))
}
