//! The hotspot steps: `cells` and `cube` (seizures and looting), `event_cells` and
//! `event_cube` (conflict events) and `regional` (all three kinds), each receiving the
//! whole `[hotspots]` section.

use super::gazetteer;
use crate::config::{Config, HotspotsConfig};
use crate::error::RunError;
use crate::hotspot::HotspotError;
use crate::run::graph::{BoxError, Step};
use crate::stages::artifact::{Artifact, codecs};
use crate::stages::hotspots;
use crate::stages::step::{Args, EVENTS, LOOTING, SEIZURES, declare};

/// The hotspot steps of a run of `config`.
pub fn steps(config: &Config) -> Vec<Step<Artifact>> {
    let h = &config.hotspots;
    vec![
        declare("cells", &[&SEIZURES, &LOOTING], h.clone(), codecs::CELLS, cells),
        declare("event_cells", &[&EVENTS], h.clone(), codecs::CELLS, event_cells),
        declare("cube", &[&SEIZURES, &LOOTING], h.clone(), codecs::CUBE, cube),
        declare("event_cube", &[&EVENTS], h.clone(), codecs::CUBE, event_cube),
        declare("regional", &[&SEIZURES, &LOOTING, &EVENTS], h.clone(), codecs::REGIONAL, regional),
    ]
}

fn failed(step: &'static str) -> impl FnOnce(HotspotError) -> BoxError {
    move |source| Box::new(RunError::Hotspots { step, source })
}

fn cells(c: &HotspotsConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let (s, l) = (a.get(&SEIZURES)?, a.get(&LOOTING)?);
    let cells = hotspots::cells_step(c, &s.seizures, &l.looting).map_err(failed("cells"))?;
    Ok(Artifact::Cells(cells))
}

fn event_cells(c: &HotspotsConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let e = a.get(&EVENTS)?;
    let cells = hotspots::event_cells_step(c, &e.events).map_err(failed("event_cells"))?;
    Ok(Artifact::Cells(cells))
}

fn cube(c: &HotspotsConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let (s, l) = (a.get(&SEIZURES)?, a.get(&LOOTING)?);
    let cube = hotspots::cube_step(c, &s.seizures, &l.looting).map_err(failed("cube"))?;
    Ok(Artifact::Cube(cube))
}

fn event_cube(c: &HotspotsConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let e = a.get(&EVENTS)?;
    let cube = hotspots::event_cube_step(c, &e.events).map_err(failed("event_cube"))?;
    Ok(Artifact::Cube(cube))
}

fn regional(c: &HotspotsConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let (s, l, e) = (a.get(&SEIZURES)?, a.get(&LOOTING)?, a.get(&EVENTS)?);
    Ok(Artifact::Regional(hotspots::regional_step(
        c,
        gazetteer()?,
        &s.seizures,
        &l.looting,
        &e.events,
    )))
}
