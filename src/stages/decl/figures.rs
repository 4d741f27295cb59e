//! `frame` (the run's caption and the date every figure is drawn with) and one
//! `figure:<name>` step per entry of the figure registry ([`figures::FIGURES`]), reading only
//! what the entry needs; each figure's caption adds the period of the data it draws, read
//! from those results, so a figure reruns only when its own data change.

use std::sync::Arc;

use serde::Serialize;

use super::gazetteer;
use crate::clock::Dated;
use crate::config::{Config, FiguresConfig};
use crate::network::NetworkConfig;
use crate::period::Period;
use crate::run::graph::{BoxError, Step};
use crate::stages::artifact::{Artifact, Frame, codecs};
use crate::stages::figures::{self, Need};
use crate::stages::step::{
    ALL_RECORDS, Args, CELLS, CUBE, DYADS, EVENT_CELLS, EVENT_CUBE, FRAME, HUBS, PathSteps,
    RECIPIENTS, REGIONAL, RETRANSFERS, RISK, Reads, all_records, declare, figure_step_name,
};

/// What the `frame` step reads of the config and the run.
#[derive(Debug, Clone, Serialize)]
pub struct FrameSection {
    /// `run.title`.
    pub title: String,
    /// `[network]`: the reference date follows its rules.
    pub network: NetworkConfig,
    /// `SOURCE_DATE_EPOCH`'s date, if set.
    #[serde(serialize_with = "opt_day")]
    pub source_date: Option<chrono::NaiveDate>,
    /// The citations of the inputs' presets.
    pub citations: Vec<&'static str>,
}

fn opt_day<S: serde::Serializer>(d: &Option<chrono::NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// The `frame` step.
pub fn frame_step(config: &Config, source_date: Option<chrono::NaiveDate>) -> Step<Artifact> {
    let section = FrameSection {
        title: config.run.title.clone(),
        network: config.network.clone(),
        source_date,
        citations: config.citations(),
    };
    declare("frame", &[&ALL_RECORDS], section, codecs::FRAME, frame)
}

fn frame(c: &FrameSection, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let kinds = all_records(a)?;
    // The latest date of any input: the union of the input files' periods.
    let latest = Period::union_all(kinds.iter().map(|k| k.period())).map(|p| p.last);
    let reference_date = crate::network::reference_date(&c.network, latest);
    let dated = Dated::new(reference_date, c.source_date);
    let files = kinds.iter().map(|k| k.files.len()).sum();
    let mut caption = figures::run_caption(&c.title, files, &dated);
    if !c.citations.is_empty() {
        caption.source.push_str(&format!(" · Data: {}", c.citations.join("; ")));
    }
    Ok(Artifact::Frame(Arc::new(Frame { caption, dated, reference_date })))
}

/// One step per registered figure, reading the frame and what its entry needs.
pub fn figure_steps(config: &Config) -> Vec<Step<Artifact>> {
    figures::FIGURES
        .iter()
        .map(|spec| {
            let mut reads: Vec<&dyn Reads> = vec![&FRAME];
            for need in spec.needs {
                reads.push(match need {
                    Need::Paths => &PathSteps,
                    Need::Hubs => &HUBS,
                    Need::Cells => &CELLS,
                    Need::Cube => &CUBE,
                    Need::Regional => &REGIONAL,
                    Need::EventCells => &EVENT_CELLS,
                    Need::EventCube => &EVENT_CUBE,
                    Need::Recipients => &RECIPIENTS,
                    Need::Risk => &RISK,
                    Need::Dyads => &DYADS,
                    Need::Retransfers => &RETRANSFERS,
                });
            }
            let name = figure_step_name(spec.name);
            declare(name, &reads, config.figures.clone(), codecs::FIGURE, figure)
        })
        .collect()
}

fn figure(c: &FiguresConfig, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let spec = figures::FIGURES
        .iter()
        .find(|f| figure_step_name(f.name) == a.step())
        .ok_or_else(|| format!("step {} is no registered figure", a.step()))?;
    let paths = PathSteps::opt(a)?;
    let results = figures::Results {
        paths: paths.as_ref(),
        hubs: a.opt(&HUBS)?,
        cells: a.opt(&CELLS)?.cloned(),
        cube: a.opt(&CUBE)?.cloned(),
        regional: a.opt(&REGIONAL)?.cloned(),
        event_cells: a.opt(&EVENT_CELLS)?.cloned(),
        event_cube: a.opt(&EVENT_CUBE)?.cloned(),
        recipients: a.opt(&RECIPIENTS)?,
        risk: a.opt(&RISK)?,
        dyads: a.opt(&DYADS)?,
        retransfers: a.opt(&RETRANSFERS)?,
    };
    let frame = a.get(&FRAME)?;
    let caption = figures::figure_caption(&frame.caption, spec.period, &results);
    let cx = figures::FigureContext::new(c, gazetteer()?, results, caption);
    Ok(Artifact::Figure(Arc::new(figures::figure_step(spec, &cx))))
}
