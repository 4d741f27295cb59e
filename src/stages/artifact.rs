//! The artifacts of a run's steps: [`Artifact`], one variant per kind of step, with its
//! accessors and cache codecs, and the small values steps hand on ([`OutFile`], [`Frame`],
//! [`Summary`]).
//!
//! This module names the result type of every stage; the stage modules themselves never
//! import it, so the computations stay free of the run graph.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::chart::Caption;
use crate::clock::Dated;
use crate::config::TableFormat;
use crate::ingest::{Counts, FileReport, Ingested};
use crate::linkage::Link;
use crate::output::{OutputError, Table};
use crate::risk::RiskResult;
use crate::run::codec;
use crate::run::graph::{BoxError, Codec};
use crate::stages::{dyads, figures, hotspots, hubs, paths, recipients};

/// One file a step writes into the run directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutFile {
    /// Path relative to the run directory, named by the code: one read back from the cache
    /// must pass [`crate::output::check_out_name`] and may not be the manifest or the run
    /// record, or the entry does not decode (and its step is recomputed).
    #[serde(deserialize_with = "out_name")]
    pub path: String,
    /// The bytes.
    #[serde(with = "crate::run::codec::bytes")]
    pub bytes: Vec<u8>,
    /// Rows or features, for a table or a single-layer file.
    pub rows: Option<u64>,
}

fn out_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let name = String::deserialize(d)?;
    crate::output::check_out_name(&name).map_err(serde::de::Error::custom)?;
    if matches!(name.as_str(), "manifest.json" | "run.json") {
        return Err(serde::de::Error::custom("the run writes that file itself"));
    }
    Ok(name)
}

impl OutFile {
    /// Each table in each of `formats` (Parquet before CSV when both).
    pub fn tables(tables: &[Table], formats: &[TableFormat]) -> Result<Vec<OutFile>, OutputError> {
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
    /// The run's caption line (each figure adds the period of its data).
    pub caption: Caption,
    /// The date shown.
    pub dated: Dated,
    /// The reference date evidence is aged at (`network.reference_date`, else the last day
    /// of the latest date of any input; `None`: nothing is dated).
    #[serde(with = "crate::run::codec::opt_naive_date")]
    pub reference_date: Option<chrono::NaiveDate>,
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
    /// The risk step.
    Risk(Arc<RiskResult>),
    /// The dyads step.
    Dyads(Arc<dyads::Dyads>),
    /// The re-transfer chains step.
    Retransfers(Arc<crate::retransfers::Retransfers>),
    /// The caption and date of the figures.
    Frame(Arc<Frame>),
    /// A figure step.
    Figure(Arc<figures::FigureStep>),
    /// A step that writes files.
    Files(Arc<Vec<OutFile>>),
    /// The data-derived parts of the manifest.
    Summary(Arc<Summary>),
}

fn wrong(kind: &str) -> BoxError {
    format!("a step was handed an artifact that is not {kind}").into()
}

/// For each variant: its view (the payload, behind its `Arc` if any) and its cache codec.
macro_rules! kinds {
    ($($variant:ident($(@$arc:ident)? $ty:ty) => $view:ident -> $out:ty, $codec:ident;)*) => {
        impl Artifact {
            $(
                #[doc = concat!("The payload of `Artifact::", stringify!($variant), "`, if it is one.")]
                pub fn $view(&self) -> Option<&$out> {
                    match self {
                        Artifact::$variant(x) => Some(x),
                        _ => None,
                    }
                }
            )*
        }

        /// The cache codec of each kind of artifact.
        pub mod codecs {
            use super::*;
            $(
                #[doc = concat!("Encodes and decodes `Artifact::", stringify!($variant), "`.")]
                pub const $codec: Codec<Artifact> = Codec {
                    kind: stringify!($variant),
                    encode: |a, w| match a {
                        Artifact::$variant(x) => codec::encode_to::<$ty>(x, w),
                        _ => Err(wrong(stringify!($variant))),
                    },
                    decode: |b| Ok(Artifact::$variant(kinds!(@wrap $($arc)? codec::decode::<$ty>(b)?))),
                };
            )*
        }
    };
    (@wrap arc $e:expr) => { Arc::new($e) };
    (@wrap $e:expr) => { $e };
}

kinds! {
    Records(@arc Ingested) => as_records -> Ingested, RECORDS;
    Network(paths::NetworkStep) => as_network -> paths::NetworkStep, NETWORK;
    Links(@arc Vec<Link>) => as_links -> Arc<Vec<Link>>, LINKS;
    Cases(paths::CasesStep) => as_cases -> paths::CasesStep, CASES;
    Paths(paths::PathsStep) => as_paths -> paths::PathsStep, PATHS;
    Flows(paths::FlowsStep) => as_flows -> paths::FlowsStep, FLOWS;
    Hubs(@arc hubs::HubsResult) => as_hubs -> hubs::HubsResult, HUBS;
    Cells(hotspots::CellsStep) => as_cells -> hotspots::CellsStep, CELLS;
    Cube(hotspots::CubeStep) => as_cube -> hotspots::CubeStep, CUBE;
    Regional(hotspots::RegionalStep) => as_regional -> hotspots::RegionalStep, REGIONAL;
    Recipients(@arc recipients::Recipients) => as_recipients -> recipients::Recipients, RECIPIENTS;
    Risk(@arc RiskResult) => as_risk -> RiskResult, RISK;
    Dyads(@arc dyads::Dyads) => as_dyads -> dyads::Dyads, DYADS;
    Retransfers(@arc crate::retransfers::Retransfers) => as_retransfers -> crate::retransfers::Retransfers, RETRANSFERS;
    Frame(@arc Frame) => as_frame -> Frame, FRAME;
    Figure(@arc figures::FigureStep) => as_figure -> figures::FigureStep, FIGURE;
    Files(@arc Vec<OutFile>) => as_files -> Vec<OutFile>, FILES;
    Summary(@arc Summary) => as_summary -> Summary, SUMMARY;
}
