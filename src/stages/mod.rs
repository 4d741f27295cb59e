//! The steps of a run and the graph that connects them.
//!
//! Every step is a pure function of its declared inputs (the artifacts of earlier steps)
//! and its *salt* (the config values it reads, and for an ingest step the SHA-256 of every
//! file it reads): [`steps`] lists them for a config, and [`crate::run::graph`] runs them in
//! dependency order, independent ones in parallel, each cached by the hash of its inputs.
//!
//! The steps: `ingest:seizures`, `ingest:looting`, `ingest:routes` (one per record kind);
//! the path steps `network`, `linkage`, `cases`, `paths`, `flows`, then `hubs`; the
//! hotspot steps `cells`, `cube`, `regional` (seizures and looting only); `frame` (the
//! caption and date of the figures); the steps that encode files (`tables:*`, `gis`, one
//! `figure:<name>` per registered figure, `report`); and `summary` (the manifest's counts
//! and notes).
//!
//! The exact edges are the `deps` of each step below; `ARCHITECTURE.md` draws them. The
//! steps that write files (`tables:*`, `gis`, `figure:*`, `report`) produce the encoded
//! bytes as their artifact, so a rerun whose inputs did not change decodes nothing but
//! the files it writes.

pub mod figures;
pub mod gis;
pub mod hotspots;
pub mod hubs;
pub mod paths;
pub mod recipients;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::chart::Caption;
use crate::clock::Dated;
use crate::config::Config;
use crate::error::RunError;
use crate::geo::Gazetteer;
use crate::ingest::{self, Counts, FileReport, IngestError, IngestOptions, Ingested};
use crate::linkage::Link;
use crate::output::{OutputError, Table};
use crate::run::codec;
use crate::run::graph::{BoxError, Codec, Step};
use crate::schema::TableKind;

pub use paths::{RankedPath, rank_paths};

/// One file a step writes into the run directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutFile {
    /// Path relative to the run directory.
    pub path: String,
    /// The bytes.
    #[serde(with = "crate::run::codec::bytes")]
    pub bytes: Vec<u8>,
    /// Rows or features, for a table or a single-layer file.
    pub rows: Option<u64>,
}

impl OutFile {
    /// Each table in each of `formats` (Parquet before CSV when both).
    pub fn tables(
        tables: &[Table],
        formats: &[crate::config::TableFormat],
    ) -> Result<Vec<OutFile>, OutputError> {
        use crate::config::TableFormat;
        let (parquet, csv) =
            (formats.contains(&TableFormat::Parquet), formats.contains(&TableFormat::Csv));
        let mut out = Vec::with_capacity(2 * tables.len());
        for t in tables {
            let rows = Some(t.rows() as u64);
            // One encoding after the other: each is parallel inside, and the two at once
            // would hold both working sets (a large table's step is a run's peak).
            let pq = parquet.then(|| t.parquet_bytes()).transpose();
            let text = csv.then(|| t.csv_bytes()).transpose();
            if let Some(bytes) = pq? {
                out.push(OutFile { path: format!("{}.parquet", t.name), bytes, rows });
            }
            if let Some(bytes) = text? {
                out.push(OutFile { path: format!("{}.csv", t.name), bytes, rows });
            }
        }
        Ok(out)
    }
}

/// What every figure and the report are captioned and dated by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Frame {
    /// The caption line under every figure.
    pub caption: Caption,
    /// The date shown.
    pub dated: Dated,
}

/// The parts of `manifest.json` that the data determine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// Every input file with its SHA-256 and counts.
    pub inputs: Vec<FileReport>,
    /// Counts per table kind.
    pub tables: BTreeMap<String, Counts>,
    /// Distinct rejected rows.
    pub rejected_rows: usize,
    /// Rejected rows per reason.
    pub rejections_by_reason: BTreeMap<String, usize>,
    /// Facts the steps report (sizes, methods chosen, exclusions), as a JSON object.
    pub notes_json: String,
}

/// The artifact of a step. Large parts sit behind `Arc`s, so handing an artifact to several
/// steps, or assembling a [`paths::PathsResult`], copies nothing.
#[derive(Debug, Clone)]
pub enum Artifact {
    /// An ingest step: the records, files and rejections of one table kind.
    Records(Arc<Ingested>),
    /// The network step.
    Network(paths::NetworkStep),
    /// The linkage step.
    Links(Arc<Vec<Link>>),
    /// The cases step.
    Cases(paths::CasesStep),
    /// The paths step.
    Paths(paths::PathsStep),
    /// The flows step.
    Flows(paths::FlowsStep),
    /// The hubs step.
    Hubs(Arc<hubs::HubsResult>),
    /// The hotspot cells step.
    Cells(hotspots::CellsStep),
    /// The space-time cube step.
    Cube(hotspots::CubeStep),
    /// The regional series step.
    Regional(hotspots::RegionalStep),
    /// The recipients step.
    Recipients(Arc<recipients::Recipients>),
    /// The caption and date of the figures.
    Frame(Arc<Frame>),
    /// A figure step.
    Figure(Arc<figures::FigureStep>),
    /// A step that writes files.
    Files(Arc<Vec<OutFile>>),
    /// The data-derived parts of the manifest.
    Summary(Arc<Summary>),
}

fn wrong(step: &str) -> BoxError {
    format!("step {step} was handed an artifact of another kind").into()
}

macro_rules! accessors {
    ($($fn:ident: $variant:ident => $ty:ty;)*) => {
        impl Artifact {
            $(
                #[doc = concat!("The artifact as `", stringify!($variant), "`.")]
                pub fn $fn(&self) -> Result<&$ty, BoxError> {
                    match self {
                        Artifact::$variant(x) => Ok(x),
                        _ => Err(wrong(stringify!($fn))),
                    }
                }
            )*
        }
    };
}

accessors! {
    records: Records => Arc<Ingested>;
    network: Network => paths::NetworkStep;
    links: Links => Arc<Vec<Link>>;
    cases: Cases => paths::CasesStep;
    paths: Paths => paths::PathsStep;
    flows: Flows => paths::FlowsStep;
    hubs: Hubs => Arc<hubs::HubsResult>;
    cells: Cells => hotspots::CellsStep;
    cube: Cube => hotspots::CubeStep;
    regional: Regional => hotspots::RegionalStep;
    recipients: Recipients => Arc<recipients::Recipients>;
    frame: Frame => Arc<Frame>;
    figure: Figure => Arc<figures::FigureStep>;
    files: Files => Arc<Vec<OutFile>>;
    summary: Summary => Arc<Summary>;
}

/// The cache codec of a variant whose payload is `Arc<T>` (`arc`) or a plain struct.
macro_rules! codec {
    (arc $variant:ident, $ty:ty) => {
        Some(Codec {
            encode: |a, w| match a {
                Artifact::$variant(x) => codec::encode_to::<$ty>(x, w),
                _ => Err(wrong(stringify!($variant))),
            },
            decode: |b| Ok(Artifact::$variant(Arc::new(codec::decode::<$ty>(b)?))),
        })
    };
    ($variant:ident, $ty:ty) => {
        Some(Codec {
            encode: |a, w| match a {
                Artifact::$variant(x) => codec::encode_to::<$ty>(x, w),
                _ => Err(wrong(stringify!($variant))),
            },
            decode: |b| Ok(Artifact::$variant(codec::decode::<$ty>(b)?)),
        })
    };
}

/// The step names of the ingest steps, in table order.
pub const INGEST: [(&str, TableKind); 5] = [
    ("ingest:seizures", TableKind::Seizures),
    ("ingest:looting", TableKind::Looting),
    ("ingest:routes", TableKind::Routes),
    ("ingest:transfers", TableKind::Transfers),
    ("ingest:events", TableKind::Events),
];

/// The steps whose artifacts are files (the figure steps and the report add to them, when
/// enabled).
pub const FILE_STEPS: [&str; 12] = [
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
    "gis",
];

/// The name of the step of a registered figure.
pub fn figure_step_name(name: &str) -> String {
    format!("figure:{name}")
}

/// What the steps need besides the config.
#[derive(Debug, Clone)]
pub struct StepInputs {
    /// Options of the ingest steps (the day after which dates are refused).
    pub ingest: IngestOptions,
    /// `SOURCE_DATE_EPOCH`'s date, if set.
    pub source_date: Option<chrono::NaiveDate>,
    /// Per ingest step, the files it will read with their SHA-256 (see
    /// [`ingest::fingerprint`]).
    pub fingerprints: BTreeMap<TableKind, Vec<(PathBuf, String)>>,
}

fn json<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

fn salt(parts: &[&dyn erased::Salt]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        let bytes = p.bytes();
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(&bytes);
    }
    out
}

mod erased {
    /// A value that goes into a step's salt as its canonical JSON.
    pub trait Salt {
        fn bytes(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Salt for T {
        fn bytes(&self) -> Vec<u8> {
            super::json(self)
        }
    }
}

/// The embedded gazetteer, loaded when a step that needs it runs (a rerun whose steps all
/// come from the cache never parses it).
fn gazetteer() -> Result<&'static Gazetteer, BoxError> {
    Gazetteer::embedded().map_err(boxed)
}

fn boxed(e: impl Into<RunError>) -> BoxError {
    Box::new(e.into())
}

fn step(
    name: &str,
    deps: &[&str],
    salt: Vec<u8>,
    codec: Option<Codec<Artifact>>,
    run: impl Fn(&[&Artifact]) -> Result<Artifact, BoxError> + Send + Sync + 'static,
) -> Step<Artifact> {
    Step {
        name: name.to_string(),
        deps: deps.iter().map(|d| d.to_string()).collect(),
        salt,
        run: Box::new(run),
        codec,
        exclusive: false,
    }
}

/// A step that encodes the tables `make` builds, in the formats of `[output]` (part of its
/// salt, so a change of formats reruns it).
fn table_step(
    name: &str,
    deps: &[&str],
    output: &crate::config::OutputConfig,
    make: impl Fn(&[&Artifact]) -> Result<Vec<Table>, BoxError> + Send + Sync + 'static,
) -> Step<Artifact> {
    let formats = output.formats.clone();
    let mut s = step(name, deps, salt(&[output]), codec!(arc Files, Vec<OutFile>), move |a| {
        let t = make(a)?;
        Ok(Artifact::Files(Arc::new(OutFile::tables(&t, &formats).map_err(boxed)?)))
    });
    s.exclusive = true;
    s
}

/// The files, rejections and counts of the ingest artifacts as one [`Ingested`]
/// without records (file numbers of the rejections renumbered into the joined file list).
pub fn joined_reports(kinds: &[&Ingested]) -> Ingested {
    let mut out = Ingested::default();
    for k in kinds {
        let offset = out.files.len() as u32;
        out.files.extend(k.files.iter().cloned());
        out.rejections.extend(k.rejections.iter().map(|r| {
            let mut r = r.clone();
            r.row.file += offset;
            r
        }));
        out.precision_downgraded += k.precision_downgraded;
    }
    out
}

/// The steps of a run of `config`, in no particular order (the runner orders them).
pub fn steps(config: &Config, inputs: &StepInputs) -> Vec<Step<Artifact>> {
    let cfg = Arc::new(config.clone());
    let version = env!("CARGO_PKG_VERSION");
    let mut out = Vec::new();

    // Ingest, one step per table kind.
    for (name, kind) in INGEST {
        let specs = config.inputs.of(kind).clone();
        let files = inputs.fingerprints.get(&kind).cloned().unwrap_or_default();
        let opts = inputs.ingest;
        let strict = config.run.strict;
        let base = config.base_dir.clone();
        let s = salt(&[&specs, &files, &opts.today.to_string(), &strict, &base]);
        out.push(step(name, &[], s, codec!(arc Records, Ingested), move |_| {
            let g = gazetteer()?;
            let ing = ingest::ingest_table(kind, &specs, &base, g, opts).map_err(boxed)?;
            if strict && let Some(r) = ing.rejections.first() {
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
        }));
    }
    let [seiz, loot, rout, xfer, evts] = INGEST.map(|(n, _)| n);
    let all_ingest = INGEST.map(|(n, _)| n);
    fn ingested<'a>(a: &[&'a Artifact]) -> Result<Vec<&'a Ingested>, BoxError> {
        a.iter().map(|x| x.records().map(|r| &**r)).collect()
    }

    // The path steps.
    let c = cfg.clone();
    out.push(step(
        "network",
        &[seiz, loot, rout, xfer],
        salt(&[&config.network]),
        codec!(Network, paths::NetworkStep),
        move |a| {
            let g = gazetteer()?;
            let (s, l, r, t) = (a[0].records()?, a[1].records()?, a[2].records()?, a[3].records()?);
            Ok(Artifact::Network(paths::network_step(
                &c.network,
                g,
                &s.seizures,
                &l.looting,
                &r.routes,
                &t.transfers,
            )))
        },
    ));
    let c = cfg.clone();
    out.push(step(
        "linkage",
        &["network", seiz, loot],
        salt(&[&config.linkage]),
        codec!(arc Links, Vec<Link>),
        move |a| {
            let (n, s, l) = (a[0].network()?, a[1].records()?, a[2].records()?);
            let links = paths::linkage_step(&c.linkage, &n.network, &s.seizures, &l.looting);
            Ok(Artifact::Links(Arc::new(links)))
        },
    ));
    let res = config.network.resolution;
    out.push(step(
        "cases",
        &[seiz, loot, "linkage"],
        salt(&[&res]),
        codec!(Cases, paths::CasesStep),
        move |a| {
            let g = gazetteer()?;
            let (s, l, links) = (a[0].records()?, a[1].records()?, a[2].links()?);
            Ok(Artifact::Cases(paths::cases_step(res, g, &s.seizures, &l.looting, links)))
        },
    ));
    let pcfg = config.paths.clone();
    out.push(step(
        "paths",
        &["network", "cases"],
        salt(&[&config.paths]),
        codec!(Paths, paths::PathsStep),
        move |a| {
            let g = gazetteer()?;
            let (n, cs) = (a[0].network()?, a[1].cases()?);
            let p = paths::paths_step(&pcfg, g, &n.network, &cs.cases)
                .map_err(|e| boxed(RunError::Paths(e)))?;
            Ok(Artifact::Paths(p))
        },
    ));
    out.push(step(
        "flows",
        &["paths", "cases"],
        Vec::new(),
        codec!(Flows, paths::FlowsStep),
        |a| {
            let (p, cs) = (a[0].paths()?, a[1].cases()?);
            Ok(Artifact::Flows(paths::flows_step(p, &cs.cases)))
        },
    ));
    const PATHS: [&str; 5] = ["network", "linkage", "cases", "paths", "flows"];
    fn paths_result(a: &[&Artifact]) -> Result<paths::PathsResult, BoxError> {
        Ok(paths::PathsResult::assemble(
            a[0].network()?,
            a[1].links()?,
            a[2].cases()?,
            a[3].paths()?,
            a[4].flows()?,
        ))
    }
    let c = cfg.clone();
    out.push(step(
        "hubs",
        &PATHS,
        salt(&[&config.hubs]),
        codec!(arc Hubs, hubs::HubsResult),
        move |a| {
            let p = paths_result(a)?;
            let h = hubs::hubs(&c.hubs, &p).map_err(|e| boxed(RunError::Hubs(e)))?;
            Ok(Artifact::Hubs(Arc::new(h)))
        },
    ));

    // The hotspot steps.
    let h = &config.hotspots;
    let c = cfg.clone();
    let cells_salt =
        salt(&[&h.weight, &h.domain, &h.bbox, &h.k, &h.resolution, &h.permutations, &h.seed]);
    out.push(step(
        "cells",
        &[seiz, loot],
        cells_salt,
        codec!(Cells, hotspots::CellsStep),
        move |a| {
            let (s, l) = (a[0].records()?, a[1].records()?);
            let cells = hotspots::cells_step(&c.hotspots, &s.seizures, &l.looting)
                .map_err(|source| boxed(RunError::Hotspots { step: "cells", source }))?;
            Ok(Artifact::Cells(cells))
        },
    ));
    let c = cfg.clone();
    let event_cells_salt =
        salt(&[&h.domain, &h.bbox, &h.k, &h.resolution, &h.permutations, &h.seed]);
    out.push(step(
        "event_cells",
        &[evts],
        event_cells_salt,
        codec!(Cells, hotspots::CellsStep),
        move |a| {
            let e = a[0].records()?;
            let cells = hotspots::event_cells_step(&c.hotspots, &e.events)
                .map_err(|source| boxed(RunError::Hotspots { step: "event_cells", source }))?;
            Ok(Artifact::Cells(cells))
        },
    ));
    let c = cfg.clone();
    let cube_salt = salt(&[
        &h.weight,
        &h.domain,
        &h.bbox,
        &h.k,
        &h.resolution,
        &h.time_step,
        &h.time_neighbours,
    ]);
    out.push(step("cube", &[seiz, loot], cube_salt, codec!(Cube, hotspots::CubeStep), move |a| {
        let (s, l) = (a[0].records()?, a[1].records()?);
        let cube = hotspots::cube_step(&c.hotspots, &s.seizures, &l.looting)
            .map_err(|source| boxed(RunError::Hotspots { step: "cube", source }))?;
        Ok(Artifact::Cube(cube))
    }));
    let c = cfg.clone();
    out.push(step(
        "regional",
        &[seiz, loot, evts],
        salt(&[&h.trend_step]),
        codec!(Regional, hotspots::RegionalStep),
        move |a| {
            let g = gazetteer()?;
            let (s, l, e) = (a[0].records()?, a[1].records()?, a[2].records()?);
            Ok(Artifact::Regional(hotspots::regional_step(
                &c.hotspots,
                g,
                &s.seizures,
                &l.looting,
                &e.events,
            )))
        },
    ));

    // The caption and date of the figures.
    let c = cfg.clone();
    let source_date = inputs.source_date;
    out.push(step(
        "frame",
        &all_ingest,
        salt(&[
            &config.run.title,
            &config.network,
            &source_date.map(|d| d.to_string()),
            &config.citations(),
        ]),
        codec!(arc Frame, Frame),
        move |a| {
            let kinds = ingested(a)?;
            let (s, r) = (kinds[0], kinds[2]);
            let reference = crate::network::reference_date(&c.network, &s.seizures, &r.routes);
            let dated = Dated::new(reference, source_date);
            let files = kinds.iter().map(|k| k.files.len()).sum();
            let period = figures::record_period(&kinds);
            let mut caption = figures::run_caption(&c.run.title, files, period, &dated);
            let citations = c.citations();
            if !citations.is_empty() {
                caption.source.push_str(&format!(" · Data: {}", citations.join("; ")));
            }
            Ok(Artifact::Frame(Arc::new(Frame { caption, dated })))
        },
    ));

    // Tables.
    type TableFn = fn(&Gazetteer, &Ingested) -> Result<Table, OutputError>;
    let kinds: [(&str, &str, TableFn); 5] = [
        ("tables:seizures", seiz, crate::tables::seizures),
        ("tables:looting", loot, crate::tables::looting),
        ("tables:routes", rout, crate::tables::routes),
        ("tables:transfers", xfer, crate::tables::transfers),
        ("tables:events", evts, crate::tables::events),
    ];
    let output = &config.output;
    for (name, dep, table) in kinds {
        out.push(table_step(name, &[dep], output, move |a| {
            Ok(vec![table(gazetteer()?, a[0].records()?).map_err(boxed)?])
        }));
    }
    out.push(table_step("tables:rejected", &all_ingest, output, |a| {
        Ok(vec![crate::tables::rejected(&joined_reports(&ingested(a)?)).map_err(boxed)?])
    }));
    out.push(table_step("tables:actors", &all_ingest, output, |a| {
        Ok(vec![crate::tables::actors(gazetteer()?, &ingested(a)?).map_err(boxed)?])
    }));
    let deps: Vec<&str> = PATHS.iter().copied().chain([seiz, loot]).collect();
    out.push(table_step("tables:paths", &deps, output, |a| {
        let g = gazetteer()?;
        let p = paths_result(a)?;
        let seizures = &a[5].records()?.seizures;
        let mut t = paths::paths_tables(&p, seizures, &a[6].records()?.looting).map_err(boxed)?;
        t.push(paths::actor_flows_table(&p, g, seizures).map_err(boxed)?);
        Ok(t)
    }));
    let deps: Vec<&str> = PATHS.iter().copied().chain([xfer, seiz, loot]).collect();
    out.push(step(
        "recipients",
        &deps,
        Vec::new(),
        codec!(arc Recipients, recipients::Recipients),
        move |a| {
            let g = gazetteer()?;
            let p = paths_result(a)?;
            let (t, s, l) = (a[5].records()?, a[6].records()?, a[7].records()?);
            let r = recipients::recipients(g, &t.transfers, &s.seizures, &l.looting, &p);
            Ok(Artifact::Recipients(Arc::new(r)))
        },
    ));
    out.push(table_step("tables:recipients", &["recipients"], output, |a| {
        recipients::recipients_tables(a[0].recipients()?).map_err(boxed)
    }));
    let deps: Vec<&str> = PATHS.iter().copied().chain(["hubs"]).collect();
    out.push(table_step("tables:hubs", &deps, output, |a| {
        hubs::hubs_tables(a[5].hubs()?, &paths_result(a)?).map_err(boxed)
    }));
    out.push(table_step(
        "tables:hotspots",
        &["cells", "cube", "regional", "event_cells"],
        output,
        |a| {
            let hs =
                hotspots::HotspotsResult::assemble(a[0].cells()?, a[1].cube()?, a[2].regional()?)
                    .with_events(a[3].cells()?);
            hotspots::hotspots_tables(&hs).map_err(boxed)
        },
    ));
    let deps: Vec<&str> = PATHS
        .iter()
        .copied()
        .chain(["cells", "cube", "regional", "event_cells", seiz, loot, evts])
        .collect();
    let mut gis_step = step("gis", &deps, Vec::new(), codec!(arc Files, Vec<OutFile>), move |a| {
        let g = gazetteer()?;
        let p = paths_result(a)?;
        let hs = hotspots::HotspotsResult::assemble(a[5].cells()?, a[6].cube()?, a[7].regional()?)
            .with_events(a[8].cells()?);
        let records = gis::Records {
            seizures: &a[9].records()?.seizures,
            looting: &a[10].records()?.looting,
            events: &a[11].records()?.events,
        };
        let files = gis::gis(g, records, &p, &hs).map_err(|e| boxed(RunError::Gis(e)))?;
        Ok(Artifact::Files(Arc::new(files)))
    });
    gis_step.exclusive = true; // a GeoPackage of every point is built in memory
    out.push(gis_step);

    // Figures, one step each, reading only what the registry entry needs.
    if config.figures.enabled {
        for spec in figures::FIGURES {
            let mut deps = vec!["frame"];
            for need in spec.needs {
                match need {
                    figures::Need::Paths => deps.extend(PATHS),
                    figures::Need::Hubs => deps.push("hubs"),
                    figures::Need::Cells => deps.push("cells"),
                    figures::Need::Cube => deps.push("cube"),
                    figures::Need::Regional => deps.push("regional"),
                    figures::Need::EventCells => deps.push("event_cells"),
                    figures::Need::Recipients => deps.push("recipients"),
                }
            }
            deps.dedup();
            let names = deps.iter().map(|d| d.to_string()).collect::<Vec<_>>();
            let c = cfg.clone();
            out.push(step(
                &figure_step_name(spec.name),
                &deps,
                salt(&[&config.figures]),
                codec!(arc Figure, figures::FigureStep),
                move |a| {
                    let g = gazetteer()?;
                    let at = |name: &str| names.iter().position(|d| d == name).map(|i| a[i]);
                    let paths = match at("network") {
                        Some(_) => {
                            let i = names.iter().position(|d| d == "network").unwrap_or(0);
                            Some(paths_result(&a[i..i + 5])?)
                        }
                        None => None,
                    };
                    let results = figures::Results {
                        paths: paths.as_ref(),
                        hubs: at("hubs").map(|x| x.hubs()).transpose()?.map(|h| &**h),
                        cells: at("cells").map(|x| x.cells()).transpose()?.cloned(),
                        cube: at("cube").map(|x| x.cube()).transpose()?.cloned(),
                        regional: at("regional").map(|x| x.regional()).transpose()?.cloned(),
                        event_cells: at("event_cells").map(|x| x.cells()).transpose()?.cloned(),
                        recipients: at("recipients")
                            .map(|x| x.recipients())
                            .transpose()?
                            .map(|r| &**r),
                    };
                    let frame = a[0].frame()?;
                    let cx =
                        figures::FigureContext::new(&c.figures, g, results, frame.caption.clone());
                    Ok(Artifact::Figure(Arc::new(figures::figure_step(spec, &cx))))
                },
            ));
        }
        let figure_steps: Vec<String> =
            figures::FIGURES.iter().map(|f| figure_step_name(f.name)).collect();
        let mut deps: Vec<&str> = figure_steps.iter().map(String::as_str).collect();
        let nf = deps.len();
        deps.extend(PATHS);
        deps.extend(["hubs", "cells", "cube", "regional", "frame", "event_cells", "recipients"]);
        deps.extend(all_ingest);
        let c = cfg.clone();
        out.push(step(
            "report",
            &deps,
            salt(&[&config.figures, &config.run.title, &config.citations()]),
            codec!(arc Files, Vec<OutFile>),
            move |a| {
                let figs: Vec<&figures::FigureStep> =
                    a[..nf].iter().map(|x| x.figure().map(|f| &**f)).collect::<Result<_, _>>()?;
                let r = &a[nf..];
                let p = paths_result(&r[..5])?;
                let h = r[5].hubs()?;
                let hs = hotspots::HotspotsResult::assemble(
                    r[6].cells()?,
                    r[7].cube()?,
                    r[8].regional()?,
                )
                .with_events(r[10].cells()?);
                let frame = r[9].frame()?;
                let rec = r[11].recipients()?;
                let kinds = ingested(&r[12..])?;
                let mut ctx = report_context(&c.run.title, frame.dated, &kinds, &hs, &p);
                let g = gazetteer()?;
                match figures::event_map(&c.figures, g, &kinds, &frame.caption) {
                    Ok(f) => ctx.event_map = Some(f),
                    Err(e) => ctx.caveats.push(format!("event map not rendered: {e}")),
                }
                for cite in c.citations() {
                    ctx.provenance.push(("data source".into(), cite.into()));
                }
                let report = figures::report(&c.figures, &figs, &p, h, &hs, rec, &kinds, ctx)
                    .map_err(|e| boxed(RunError::Report(e)))?;
                Ok(Artifact::Files(Arc::new(vec![
                    OutFile { path: "index.html".into(), bytes: report.html, rows: None },
                    OutFile { path: "report.md".into(), bytes: report.markdown, rows: None },
                ])))
            },
        ));
    }

    // The data-derived parts of the manifest.
    let mut deps: Vec<&str> = all_ingest.to_vec();
    deps.extend(PATHS);
    deps.extend(["hubs", "cells", "cube", "frame", "event_cells"]);
    let figure_steps: Vec<String> = if config.figures.enabled {
        figures::FIGURES.iter().map(|f| figure_step_name(f.name)).collect()
    } else {
        Vec::new()
    };
    deps.extend(figure_steps.iter().map(String::as_str));
    let c = cfg.clone();
    out.push(step(
        "summary",
        &deps,
        salt(&[&config.hubs, &version]),
        codec!(arc Summary, Summary),
        move |a| {
            let kinds = ingested(&a[..5])?;
            let p = paths_result(&a[5..10])?;
            let (h, cells, cube, frame, event_cells) =
                (a[10].hubs()?, a[11].cells()?, a[12].cube()?, a[13].frame()?, a[14].cells()?);
            let figs: Vec<&figures::FigureStep> =
                a[15..].iter().map(|x| x.figure().map(|f| &**f)).collect::<Result<_, _>>()?;
            let joined = joined_reports(&kinds);
            let mut tables: BTreeMap<String, Counts> = BTreeMap::new();
            for (kind, k) in INGEST.iter().zip(&kinds) {
                if !k.files.is_empty() {
                    tables.insert(kind.1.as_str().to_string(), k.counts());
                }
            }
            let mut notes: BTreeMap<String, serde_json::Value> = BTreeMap::new();
            notes.insert("precision_downgraded".into(), joined.precision_downgraded.into());
            notes.insert("network_nodes".into(), p.network.graph.node_count().into());
            notes.insert("network_edges".into(), p.network.graph.edge_count().into());
            notes.insert("cases".into(), p.cases.len().into());
            notes.insert(
                "cases_unreachable".into(),
                p.case_paths().filter(|x| x.1.is_empty()).count().into(),
            );
            notes.insert("linkage_links".into(), p.links.len().into());
            notes.insert("traces_unmatched".into(), p.case_stats.unmatched_traces.into());
            notes.insert("seizures_without_case".into(), p.case_stats.without_case.into());
            let method = match h.method {
                crate::algo::betweenness::BetweennessMethod::Exact => {
                    serde_json::json!({"method": "exact"})
                }
                crate::algo::betweenness::BetweennessMethod::Approximate {
                    sample_size,
                    vertex_diameter_bound,
                } => serde_json::json!({
                    "method": "riondato-kornaropoulos sampling",
                    "epsilon": c.hubs.epsilon,
                    "delta": c.hubs.delta,
                    "sample_size": sample_size,
                    "vertex_diameter_bound": vertex_diameter_bound,
                }),
            };
            notes.insert("betweenness".into(), method);
            notes.insert(
                "hotspot_events_country_level_excluded".into(),
                cells.excluded_country_level.into(),
            );
            notes.insert(
                "hotspot_events_date_coarser_than_step_excluded".into(),
                cube.excluded_coarse_date.into(),
            );
            notes.insert("hotspot_cells".into(), cells.cells.len().into());
            if !kinds[4].events.is_empty() {
                notes.insert("event_hotspot_cells".into(), event_cells.cells.len().into());
                notes.insert(
                    "conflict_events_country_level_excluded".into(),
                    event_cells.excluded_country_level.into(),
                );
            }
            if !kinds[3].transfers.is_empty() {
                let gr = &p.network.graph;
                let layer = |l| gr.edge_weights().filter(|e| e.layer() == l).count();
                use crate::network::EdgeLayer;
                notes.insert(
                    "network_edges_by_layer".into(),
                    serde_json::json!({
                        "legal": layer(EdgeLayer::Legal),
                        "illicit": layer(EdgeLayer::Illicit),
                        "both": layer(EdgeLayer::Both),
                    }),
                );
            }
            notes.insert("dated".into(), frame.dated.label().into());
            if c.figures.enabled {
                notes.insert(
                    "figures".into(),
                    figs.iter().filter(|f| f.figure.is_some()).count().into(),
                );
                let errors: Vec<String> = figs.iter().filter_map(|f| f.error.clone()).collect();
                if !errors.is_empty() {
                    notes.insert("figure_errors".into(), errors.into());
                }
            }
            let notes_json = serde_json::to_string(&notes).map_err(|source| {
                boxed(RunError::Serialize { what: "the manifest notes", source })
            })?;
            Ok(Artifact::Summary(Arc::new(Summary {
                inputs: joined.files.clone(),
                tables,
                rejected_rows: joined.rejected_rows(),
                rejections_by_reason: joined
                    .rejections_by_reason()
                    .into_iter()
                    .map(|(r, n)| (r.as_str().to_string(), n))
                    .collect(),
                notes_json,
            })))
        },
    ));
    out
}

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
}

/// Computes every analysis step of `config` over `ing` (see [`Analysis`]).
pub fn analyse(config: &Config, g: &Gazetteer, ing: &Ingested) -> Result<Analysis, RunError> {
    let paths = paths::paths(config, g, &ing.seizures, &ing.looting, &ing.routes, &ing.transfers)
        .map_err(RunError::Paths)?;
    let hubs = hubs::hubs(&config.hubs, &paths).map_err(RunError::Hubs)?;
    let hotspots =
        hotspots::hotspots(&config.hotspots, g, &ing.seizures, &ing.looting, &ing.events)
            .map_err(|source| RunError::Hotspots { step: "hotspots", source })?;
    let recipients = recipients::recipients(g, &ing.transfers, &ing.seizures, &ing.looting, &paths);
    Ok(Analysis { paths, hubs, hotspots, recipients })
}

/// The names of the file-writing steps of a run of `config` (written as their levels of the graph finish).
pub fn file_steps(config: &Config) -> Vec<String> {
    let mut out: Vec<String> = FILE_STEPS.iter().map(|s| s.to_string()).collect();
    if config.figures.enabled {
        out.extend(figures::FIGURES.iter().map(|f| figure_step_name(f.name)));
        out.push("report".into());
    }
    out
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

fn report_context(
    title: &str,
    dated: Dated,
    kinds: &[&Ingested],
    hs: &hotspots::HotspotsResult,
    p: &paths::PathsResult,
) -> figures::ReportContext {
    let seizures = kinds[0];
    let joined = joined_reports(kinds);
    let rejected = joined
        .rejections_by_reason()
        .into_iter()
        .map(|(r, n)| (r.as_str().to_string(), n as u64))
        .collect();
    let country_only = seizures
        .seizures
        .iter()
        .filter(|s| s.location.precision == crate::schema::LocationPrecision::Country)
        .count();
    let mut caveats = vec![
        format!(
            "{} of {} seizures are located only at country level: they count in the regional figures but not in the hotspot cells ({} events left out of the cell statistics in all).",
            country_only,
            seizures.seizures.len(),
            hs.excluded_country_level
        ),
        format!(
            "{} events have a date coarser than the time step and are left out of the emerging-hotspot cube.",
            hs.excluded_coarse_date
        ),
        format!(
            "{} seizures carry no trace, linkable serial or lot, origin, last legal import or country of manufacture, and so form no diversion case.",
            p.case_stats.without_case
        ),
    ];
    if let Some(events) = kinds.get(4).filter(|k| !k.events.is_empty()) {
        caveats.push(format!(
            "{} of {} conflict events are located only at country level: they count in the regional figures but not in the conflict-event cells.",
            hs.event_cells.excluded_country_level,
            events.events.len()
        ));
    }
    let unreachable = p.case_paths().filter(|x| x.1.is_empty()).count();
    if unreachable > 0 {
        caveats.push(format!(
            "{unreachable} diversion cases have no path in the network and carry no flow."
        ));
    }
    if joined.precision_downgraded > 0 {
        caveats.push(format!(
            "{} rows claimed a finer location precision than their data supports and were downgraded.",
            joined.precision_downgraded
        ));
    }
    let mut provenance = vec![
        ("divnet version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        ("dated".to_string(), dated.label()),
    ];
    for f in &joined.files {
        provenance.push((
            format!("{} input", f.table),
            format!(
                "{} ({} rows read, {} accepted, {} rejected; sha256 {})",
                f.path.display(),
                f.rows_read,
                f.accepted,
                f.rejected,
                f.sha256
            ),
        ));
    }
    provenance.push((
        "network".into(),
        format!("{} nodes, {} edges", p.network.graph.node_count(), p.network.graph.edge_count()),
    ));
    figures::ReportContext {
        title: title.to_string(),
        dated,
        rejected,
        caveats,
        provenance,
        event_map: None,
    }
}
