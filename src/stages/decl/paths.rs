//! The path steps (`network`, `linkage`, `cases`, `paths`, `flows`), `hubs`,
//! `recipients`, and the transfer steps `dyads` and `retransfers`.

use std::sync::Arc;

use super::gazetteer;
use crate::config::{Config, HubsConfig, LinkageConfig, PathsConfig};
use crate::error::RunError;
use crate::network::{NetworkConfig, Resolution};
use crate::period::Period;
use crate::retransfers::RetransferOptions;
use crate::run::graph::{BoxError, Step};
use crate::stages::artifact::{Artifact, codecs};
use crate::stages::step::{
    Args, CASES, EVENTS, LINKAGE, LOOTING, NETWORK, PATHS, PathSteps, ROUTES, SEIZURES, TRANSFERS,
    declare,
};
use crate::stages::{dyads, hubs, paths, recipients};

/// The path steps, `hubs` and `recipients` of a run of `config`.
pub fn steps(config: &Config) -> Vec<Step<Artifact>> {
    vec![
        declare(
            "network",
            &[&SEIZURES, &LOOTING, &ROUTES, &TRANSFERS, &EVENTS],
            config.network.clone(),
            codecs::NETWORK,
            network,
        ),
        declare(
            "linkage",
            &[&NETWORK, &SEIZURES, &LOOTING],
            config.linkage.clone(),
            codecs::LINKS,
            linkage,
        ),
        declare(
            "cases",
            &[&SEIZURES, &LOOTING, &LINKAGE],
            config.network.resolution,
            codecs::CASES,
            cases,
        ),
        declare("paths", &[&NETWORK, &CASES], config.paths.clone(), codecs::PATHS, k_paths),
        declare("flows", &[&PATHS, &CASES], (), codecs::FLOWS, flows),
        declare("hubs", &[&PathSteps], config.hubs.clone(), codecs::HUBS, run_hubs),
        declare(
            "recipients",
            &[&PathSteps, &TRANSFERS, &SEIZURES, &LOOTING],
            config.network.merge_historical,
            codecs::RECIPIENTS,
            run_recipients,
        ),
        declare("dyads", &[&TRANSFERS], (), codecs::DYADS, run_dyads),
        declare(
            "retransfers",
            &[&TRANSFERS],
            config.retransfers,
            codecs::RETRANSFERS,
            run_retransfers,
        ),
    ]
}

/// The network, aged at the latest date of any input: conflict events are read for their
/// period only.
fn network(c: &NetworkConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let (s, l, r, t) = (a.get(&SEIZURES)?, a.get(&LOOTING)?, a.get(&ROUTES)?, a.get(&TRANSFERS)?);
    let e = a.get(&EVENTS)?;
    let latest = Period::union_all([s, l, r, t, e].map(|k| k.period())).map(|p| p.last);
    Ok(Artifact::Network(paths::network_step(
        c,
        gazetteer()?,
        latest,
        &s.seizures,
        &l.looting,
        &r.routes,
        &t.transfers,
    )))
}

fn linkage(c: &LinkageConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let (n, s, l) = (a.get(&NETWORK)?, a.get(&SEIZURES)?, a.get(&LOOTING)?);
    let links = paths::linkage_step(c, &n.network, &s.seizures, &l.looting);
    Ok(Artifact::Links(Arc::new(links)))
}

fn cases(res: &Resolution, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let (s, l, links) = (a.get(&SEIZURES)?, a.get(&LOOTING)?, a.get(&LINKAGE)?);
    Ok(Artifact::Cases(paths::cases_step(*res, gazetteer()?, &s.seizures, &l.looting, links)))
}

fn k_paths(c: &PathsConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let (n, cs) = (a.get(&NETWORK)?, a.get(&CASES)?);
    let p = paths::paths_step(c, gazetteer()?, &n.network, &cs.cases)
        .map_err(|e| Box::new(RunError::Paths(e)))?;
    Ok(Artifact::Paths(p))
}

fn flows(_: &(), a: &Args<'_>) -> Result<Artifact, BoxError> {
    let (p, cs) = (a.get(&PATHS)?, a.get(&CASES)?);
    Ok(Artifact::Flows(paths::flows_step(p, &cs.cases)))
}

fn run_hubs(c: &HubsConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let h = hubs::hubs(c, &PathSteps::get(a)?).map_err(|e| Box::new(RunError::Hubs(e)))?;
    Ok(Artifact::Hubs(Arc::new(h)))
}

fn run_recipients(merge: &bool, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let p = PathSteps::get(a)?;
    let (t, s, l) = (a.get(&TRANSFERS)?, a.get(&SEIZURES)?, a.get(&LOOTING)?);
    let r = recipients::recipients(gazetteer()?, &t.transfers, &s.seizures, &l.looting, &p, *merge);
    Ok(Artifact::Recipients(Arc::new(r)))
}

fn run_dyads(_: &(), a: &Args<'_>) -> Result<Artifact, BoxError> {
    let d = dyads::dyads(gazetteer()?, &a.get(&TRANSFERS)?.transfers);
    Ok(Artifact::Dyads(Arc::new(d)))
}

fn run_retransfers(c: &RetransferOptions, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let t = &a.get(&TRANSFERS)?.transfers;
    let r = crate::retransfers::find(t, &crate::deals::Deals::new(t), *c);
    Ok(Artifact::Retransfers(Arc::new(r)))
}
