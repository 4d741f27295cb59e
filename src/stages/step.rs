//! How a stage declares its steps: named, typed inputs ([`Input`]), the config section the
//! step receives (which is also its salt), and the function, a plain `fn` that sees nothing
//! else.
//!
//! [`declare`] turns a declaration into a [`Step`] of the run graph. Because the step's
//! function is a `fn` pointer, it cannot capture the config: every value it reads comes from
//! its section, and the section's canonical JSON is the step's salt. A config value a step
//! reads is therefore always part of its cache key. Its inputs are read by name through
//! [`Args`]: [`Args::get`] with one of the handles below, never by position.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::ingest::Ingested;
use crate::linkage::Link;
use crate::run::graph::{BoxError, Codec, Step};
use crate::schema::TableKind;
use crate::stages::artifact::{Artifact, Frame};
use crate::stages::{dyads, figures, hotspots, hubs, paths, recipients};

/// A named, typed input of a step: the step whose artifact it reads, and the view of that
/// artifact as the type the reader wants.
pub struct Input<T: ?Sized + 'static> {
    step: Cow<'static, str>,
    view: fn(&Artifact) -> Option<&T>,
}

impl<T: ?Sized + 'static> Clone for Input<T> {
    fn clone(&self) -> Self {
        Input { step: self.step.clone(), view: self.view }
    }
}

impl<T: ?Sized + 'static> Input<T> {
    /// The input that reads step `step`'s artifact through `view`.
    pub const fn new(step: &'static str, view: fn(&Artifact) -> Option<&T>) -> Self {
        Input { step: Cow::Borrowed(step), view }
    }

    /// The same with a name made at run time (a figure step's).
    pub fn named(step: String, view: fn(&Artifact) -> Option<&T>) -> Self {
        Input { step: Cow::Owned(step), view }
    }

    /// The name of the step it reads.
    pub fn step(&self) -> &str {
        &self.step
    }
}

/// What a step declares it reads: one input or a group of them, by step name.
pub trait Reads {
    /// The names of the steps read, in order.
    fn steps(&self) -> Vec<String>;
}

impl<T: ?Sized + 'static> Reads for Input<T> {
    fn steps(&self) -> Vec<String> {
        vec![self.step.to_string()]
    }
}

impl<R: Reads, const N: usize> Reads for [R; N] {
    fn steps(&self) -> Vec<String> {
        self.iter().flat_map(Reads::steps).collect()
    }
}

/// The input artifacts of a running step, by name.
pub struct Args<'a> {
    step: &'a str,
    deps: &'a [String],
    artifacts: &'a [&'a Artifact],
}

impl<'a> Args<'a> {
    /// The artifacts `artifacts` of the declared inputs `deps` (in the same order) of step
    /// `step`.
    pub fn new(step: &'a str, deps: &'a [String], artifacts: &'a [&'a Artifact]) -> Self {
        Args { step, deps, artifacts }
    }

    /// The name of the running step.
    pub fn step(&self) -> &'a str {
        self.step
    }

    /// The artifact of `input`; an error when the step did not declare it or it is of
    /// another kind (both mistakes of a declaration, caught by any run of the step).
    pub fn get<T: ?Sized>(&self, input: &Input<T>) -> Result<&'a T, BoxError> {
        self.opt(input)?.ok_or_else(|| {
            format!("step {} reads {}, which it does not declare", self.step, input.step).into()
        })
    }

    /// The artifact of `input` when the step declared it (figure steps read what their
    /// registry entry needs), else `None`.
    pub fn opt<T: ?Sized>(&self, input: &Input<T>) -> Result<Option<&'a T>, BoxError> {
        let Some(i) = self.deps.iter().position(|d| *d == input.step) else {
            return Ok(None);
        };
        let artifact: &'a Artifact = self.artifacts[i];
        (input.view)(artifact).map(Some).ok_or_else(|| {
            format!("step {} was handed an artifact of another kind as {}", self.step, input.step)
                .into()
        })
    }
}

/// A step's declaration turned into a step of the run graph: its name, what it reads, the
/// config section it receives (hashed as its salt), how its artifact is cached and its
/// function. The function is a `fn`: it cannot capture anything but sees only `section` and
/// its declared inputs.
pub fn declare<S>(
    name: impl Into<String>,
    reads: &[&dyn Reads],
    section: S,
    codec: Codec<Artifact>,
    run: fn(&S, &Args<'_>) -> Result<Artifact, BoxError>,
) -> Step<Artifact>
where
    S: Serialize + Send + Sync + 'static,
{
    let name = name.into();
    let deps: Vec<String> = reads.iter().flat_map(|r| r.steps()).collect();
    let salt = serde_json::to_vec(&section).unwrap_or_default();
    let (step, names) = (name.clone(), deps.clone());
    Step {
        name,
        deps,
        salt,
        run: Box::new(move |a| run(&section, &Args::new(&step, &names, a))),
        codec: Some(codec),
        exclusive: false,
    }
}

/// The step of the records of one table kind.
pub const fn ingest_step(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Seizures => "ingest:seizures",
        TableKind::Looting => "ingest:looting",
        TableKind::Routes => "ingest:routes",
        TableKind::Transfers => "ingest:transfers",
        TableKind::Events => "ingest:events",
    }
}

/// The records of one table kind.
pub const fn records(kind: TableKind) -> Input<Ingested> {
    Input::new(ingest_step(kind), Artifact::as_records)
}

/// The seizures.
pub static SEIZURES: Input<Ingested> = records(TableKind::Seizures);
/// The looting incidents.
pub static LOOTING: Input<Ingested> = records(TableKind::Looting);
/// The route reports.
pub static ROUTES: Input<Ingested> = records(TableKind::Routes);
/// The legal transfers.
pub static TRANSFERS: Input<Ingested> = records(TableKind::Transfers);
/// The conflict events.
pub static EVENTS: Input<Ingested> = records(TableKind::Events);
/// Every record kind, in table order.
pub static ALL_RECORDS: [Input<Ingested>; 5] = [
    records(TableKind::Seizures),
    records(TableKind::Looting),
    records(TableKind::Routes),
    records(TableKind::Transfers),
    records(TableKind::Events),
];

/// The diversion network.
pub static NETWORK: Input<paths::NetworkStep> = Input::new("network", Artifact::as_network);
/// Links of seizures to looting incidents.
pub static LINKAGE: Input<Arc<Vec<Link>>> = Input::new("linkage", Artifact::as_links);
/// The diversion cases.
pub static CASES: Input<paths::CasesStep> = Input::new("cases", Artifact::as_cases);
/// The k paths per origin-destination pair.
pub static PATHS: Input<paths::PathsStep> = Input::new("paths", Artifact::as_paths);
/// The expected flows.
pub static FLOWS: Input<paths::FlowsStep> = Input::new("flows", Artifact::as_flows);
/// The hubs.
pub static HUBS: Input<hubs::HubsResult> = Input::new("hubs", Artifact::as_hubs);
/// The Gi* cells of seizures and looting.
pub static CELLS: Input<hotspots::CellsStep> = Input::new("cells", Artifact::as_cells);
/// The Gi* cells of conflict events.
pub static EVENT_CELLS: Input<hotspots::CellsStep> = Input::new("event_cells", Artifact::as_cells);
/// The space-time cube.
pub static CUBE: Input<hotspots::CubeStep> = Input::new("cube", Artifact::as_cube);
/// The space-time cube of conflict events.
pub static EVENT_CUBE: Input<hotspots::CubeStep> = Input::new("event_cube", Artifact::as_cube);
/// The regional series.
pub static REGIONAL: Input<hotspots::RegionalStep> = Input::new("regional", Artifact::as_regional);
/// The recipients of legal transfers.
pub static RECIPIENTS: Input<recipients::Recipients> =
    Input::new("recipients", Artifact::as_recipients);
/// The diversion-risk screen.
pub static RISK: Input<crate::risk::RiskResult> = Input::new("risk", Artifact::as_risk);
/// Deliveries per supplier, recipient and year.
pub static DYADS: Input<dyads::Dyads> = Input::new("dyads", Artifact::as_dyads);
/// The re-transfer chains.
pub static RETRANSFERS: Input<crate::retransfers::Retransfers> =
    Input::new("retransfers", Artifact::as_retransfers);
/// The caption and date of the figures.
pub static FRAME: Input<Frame> = Input::new("frame", Artifact::as_frame);

/// The name of the step of a registered figure.
pub fn figure_step_name(name: &str) -> String {
    format!("figure:{name}")
}

/// The figure step of registry entry `name`.
pub fn figure(name: &str) -> Input<figures::FigureStep> {
    Input::named(figure_step_name(name), Artifact::as_figure)
}

/// The five path steps, read together as a [`paths::PathsResult`].
pub struct PathSteps;

impl Reads for PathSteps {
    fn steps(&self) -> Vec<String> {
        [NETWORK.step(), LINKAGE.step(), CASES.step(), PATHS.step(), FLOWS.step()]
            .map(String::from)
            .to_vec()
    }
}

impl PathSteps {
    /// The five path artifacts of `args` assembled (nothing copied).
    pub fn get(args: &Args<'_>) -> Result<paths::PathsResult, BoxError> {
        Ok(paths::PathsResult::assemble(
            args.get(&NETWORK)?,
            args.get(&LINKAGE)?,
            args.get(&CASES)?,
            args.get(&PATHS)?,
            args.get(&FLOWS)?,
        ))
    }

    /// The same when the step declared them, else `None`.
    pub fn opt(args: &Args<'_>) -> Result<Option<paths::PathsResult>, BoxError> {
        match args.opt(&NETWORK)? {
            Some(_) => Self::get(args).map(Some),
            None => Ok(None),
        }
    }
}

/// The three hotspot steps and the conflict-event cells and cube, read together as a
/// [`hotspots::HotspotsResult`].
pub struct HotspotSteps;

impl Reads for HotspotSteps {
    fn steps(&self) -> Vec<String> {
        [CELLS.step(), CUBE.step(), REGIONAL.step(), EVENT_CELLS.step(), EVENT_CUBE.step()]
            .map(String::from)
            .to_vec()
    }
}

impl HotspotSteps {
    /// The five hotspot artifacts of `args` assembled.
    pub fn get(args: &Args<'_>) -> Result<hotspots::HotspotsResult, BoxError> {
        Ok(hotspots::HotspotsResult::assemble(
            args.get(&CELLS)?,
            args.get(&CUBE)?,
            args.get(&REGIONAL)?,
        )
        .with_events(args.get(&EVENT_CELLS)?, args.get(&EVENT_CUBE)?))
    }
}

/// The records of every kind, in table order.
pub fn all_records<'a>(args: &Args<'a>) -> Result<Vec<&'a Ingested>, BoxError> {
    ALL_RECORDS.iter().map(|i| args.get(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_read_by_name_and_kind() {
        let ing = Artifact::Records(Arc::new(Ingested::default()));
        let deps = vec!["ingest:looting".to_string(), "ingest:seizures".to_string()];
        let arts = [&ing, &ing];
        let args = Args::new("x", &deps, &arts);
        assert!(args.get(&SEIZURES).is_ok());
        let undeclared = args.get(&ROUTES).err().map(|e| e.to_string());
        assert_eq!(
            undeclared.as_deref(),
            Some("step x reads ingest:routes, which it does not declare")
        );
        assert!(args.opt(&ROUTES).unwrap().is_none());
        let wrong = Input::<hubs::HubsResult>::new("ingest:seizures", Artifact::as_hubs);
        assert!(args.get(&wrong).is_err(), "an artifact of another kind is refused");
    }

    #[test]
    fn a_declared_step_hashes_its_section_and_lists_its_inputs() {
        fn run(_: &u32, args: &Args<'_>) -> Result<Artifact, BoxError> {
            args.get(&SEIZURES)?;
            Ok(Artifact::Links(Arc::new(vec![])))
        }
        let a = declare(
            "s",
            &[&SEIZURES, &PathSteps],
            7u32,
            crate::stages::artifact::codecs::LINKS,
            run,
        );
        let b = declare(
            "s",
            &[&SEIZURES, &PathSteps],
            8u32,
            crate::stages::artifact::codecs::LINKS,
            run,
        );
        assert_eq!(a.deps, ["ingest:seizures", "network", "linkage", "cases", "paths", "flows"]);
        assert_eq!(a.salt, b"7");
        assert_ne!(a.salt, b.salt);
    }
}
