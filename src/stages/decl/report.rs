//! `report` (`index.html`, `report.md`) and `summary` (the data-derived parts of the
//! manifest).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::gazetteer;
use crate::algo::betweenness::BetweennessMethod;
use crate::config::{Config, FiguresConfig, HubsConfig};
use crate::error::RunError;
use crate::ingest::{Counts, joined_reports};
use crate::network::EdgeLayer;
use crate::run::graph::{BoxError, Step};
use crate::schema::TableKind;
use crate::stages::artifact::{Artifact, OutFile, Summary, codecs};
use crate::stages::figures::{self, FigureStep};
use crate::stages::report;
use crate::stages::step::{
    ALL_RECORDS, Args, CELLS, CUBE, DYADS, EVENT_CELLS, EVENT_CUBE, EVENTS, FRAME, HUBS,
    HotspotSteps, Input, PathSteps, RECIPIENTS, RETRANSFERS, RISK, Reads, TRANSFERS, all_records,
    declare, figure,
};

/// What the `report` step reads of the config.
#[derive(Debug, Clone, Serialize)]
pub struct ReportSection {
    /// `[figures]`.
    pub figures: FiguresConfig,
    /// `run.title`.
    pub title: String,
    /// The citations of the inputs' presets.
    pub citations: Vec<&'static str>,
}

/// What the `summary` step reads of the config.
#[derive(Debug, Clone, Serialize)]
pub struct SummarySection {
    /// `[hubs]`: the manifest names the betweenness method and its parameters.
    pub hubs: HubsConfig,
    /// `figures.enabled`.
    pub figures: bool,
    /// The divnet version.
    pub version: &'static str,
}

fn figure_inputs(config: &Config) -> Vec<Input<FigureStep>> {
    if config.figures.enabled {
        figures::FIGURES.iter().map(|f| figure(f.name)).collect()
    } else {
        Vec::new()
    }
}

fn read_figures<'a>(a: &Args<'a>) -> Result<Vec<&'a FigureStep>, BoxError> {
    figures::FIGURES.iter().filter_map(|f| a.opt(&figure(f.name)).transpose()).collect()
}

/// The `report` step (when figures are enabled).
pub fn report_step(config: &Config) -> Step<Artifact> {
    let figs = figure_inputs(config);
    let mut reads: Vec<&dyn Reads> = figs.iter().map(|f| f as &dyn Reads).collect();
    reads.extend([
        &PathSteps as &dyn Reads,
        &HUBS,
        &HotspotSteps,
        &FRAME,
        &RECIPIENTS,
        &DYADS,
        &RETRANSFERS,
        &ALL_RECORDS,
        &RISK,
    ]);
    let section = ReportSection {
        figures: config.figures.clone(),
        title: config.run.title.clone(),
        citations: config.citations(),
    };
    declare("report", &reads, section, codecs::FILES, run_report)
}

fn run_report(c: &ReportSection, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let figs = read_figures(a)?;
    let p = PathSteps::get(a)?;
    let hs = HotspotSteps::get(a)?;
    let frame = a.get(&FRAME)?;
    let kinds = all_records(a)?;
    let mut ctx = report::report_context(&c.title, frame.dated, &kinds, &hs, &p);
    match figures::event_map(&c.figures, gazetteer()?, &kinds, &frame.caption) {
        Ok(f) => ctx.event_map = Some(f),
        Err(crate::chart::ChartError::NothingToShow(a)) => ctx.absent.push(a),
        Err(e) => ctx.caveats.push(format!("event map not rendered: {e}")),
    }
    for cite in &c.citations {
        ctx.provenance.push(("data source".into(), (*cite).into()));
    }
    let risk = a.get(&RISK)?;
    ctx.extra_tables.extend(crate::stages::risk::report_tables(risk));
    if risk.rows.is_empty() {
        ctx.caveats.push(
            "No diversion-risk screen: needs transfers, conflict events, seizures or looting (inputs) with dated records.".into(),
        );
    } else {
        ctx.caveats.push(
            "The diversion-risk screen flags what the run's records show past configured thresholds ([risk], docs/risk.md); it is not a legal determination under the Arms Trade Treaty or the EU Common Position, and a state without flags is not shown to be safe.".into(),
        );
    }
    let rec = a.get(&RECIPIENTS)?;
    let transfers = (a.get(&DYADS)?, a.get(&RETRANSFERS)?);
    let r = report::report(&c.figures, &figs, &p, a.get(&HUBS)?, &hs, rec, transfers, &kinds, ctx)
        .map_err(|e| Box::new(RunError::Report(e)))?;
    Ok(Artifact::Files(Arc::new(vec![
        OutFile { path: "index.html".into(), bytes: r.html, rows: None },
        OutFile { path: "report.md".into(), bytes: r.markdown, rows: None },
    ])))
}

/// The `summary` step.
pub fn summary_step(config: &Config) -> Step<Artifact> {
    let figs = figure_inputs(config);
    let mut reads: Vec<&dyn Reads> = vec![&ALL_RECORDS, &PathSteps, &HUBS, &CELLS, &CUBE, &FRAME];
    reads.extend([&EVENT_CELLS as &dyn Reads, &EVENT_CUBE, &RETRANSFERS]);
    reads.extend(figs.iter().map(|f| f as &dyn Reads));
    let section = SummarySection {
        hubs: config.hubs.clone(),
        figures: config.figures.enabled,
        version: env!("CARGO_PKG_VERSION"),
    };
    declare("summary", &reads, section, codecs::SUMMARY, summary)
}

fn summary(c: &SummarySection, a: &Args<'_>) -> Result<Artifact, BoxError> {
    let kinds = all_records(a)?;
    let p = PathSteps::get(a)?;
    let (h, cells, cube) = (a.get(&HUBS)?, a.get(&CELLS)?, a.get(&CUBE)?);
    let (frame, event_cells) = (a.get(&FRAME)?, a.get(&EVENT_CELLS)?);
    let figs = read_figures(a)?;
    let joined = joined_reports(&kinds);
    let mut tables: BTreeMap<String, Counts> = BTreeMap::new();
    for (kind, k) in TableKind::ALL.iter().zip(&kinds) {
        if !k.files.is_empty() {
            tables.insert(kind.as_str().to_string(), k.counts());
        }
    }
    let mut notes: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    notes.insert("precision_downgraded".into(), joined.precision_downgraded.into());
    let by = |r: crate::ingest::DuplicateReason| {
        joined.duplicates.iter().filter(|d| d.reason == r).count()
    };
    notes.insert(
        "duplicates".into(),
        serde_json::json!({
            "same_deal": by(crate::ingest::DuplicateReason::SameDeal),
            "same_id": by(crate::ingest::DuplicateReason::SameId),
            "same_content": by(crate::ingest::DuplicateReason::SameContent),
            "kept_both": joined.duplicates.iter().filter(|d| d.kept_both).count(),
        }),
    );
    notes.insert("network_nodes".into(), p.network.graph.node_count().into());
    notes.insert("network_edges".into(), p.network.graph.edge_count().into());
    notes.insert("cases".into(), p.cases.len().into());
    let chains = a.get(&RETRANSFERS)?;
    notes.insert("retransfer_chains".into(), chains.chains.len().into());
    notes.insert("retransfer_onward_deals".into(), chains.onward_deals.into());
    notes.insert("retransfer_onward_with_chain".into(), chains.onward_with_chain.into());
    notes.insert(
        "cases_unreachable".into(),
        p.case_paths().filter(|x| x.1.is_empty()).count().into(),
    );
    notes.insert("linkage_links".into(), p.links.len().into());
    notes.insert("traces_unmatched".into(), p.case_stats.unmatched_traces.into());
    notes.insert("seizures_without_case".into(), p.case_stats.without_case.into());
    let method = match h.method {
        BetweennessMethod::Exact => serde_json::json!({"method": "exact"}),
        BetweennessMethod::Approximate { sample_size, vertex_diameter_bound } => {
            serde_json::json!({
                "method": "riondato-kornaropoulos sampling",
                "epsilon": c.hubs.epsilon,
                "delta": c.hubs.delta,
                "sample_size": sample_size,
                "vertex_diameter_bound": vertex_diameter_bound,
            })
        }
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
    if !a.get(&EVENTS)?.events.is_empty() {
        notes.insert("event_hotspot_cells".into(), event_cells.cells.len().into());
        notes.insert(
            "conflict_events_country_level_excluded".into(),
            event_cells.excluded_country_level.into(),
        );
        notes.insert(
            "conflict_events_date_coarser_than_step_excluded".into(),
            a.get(&EVENT_CUBE)?.excluded_coarse_date.into(),
        );
    }
    if !a.get(&TRANSFERS)?.transfers.is_empty() {
        let gr = &p.network.graph;
        let layer = |l| gr.edge_weights().filter(|e| e.layer() == l).count();
        notes.insert(
            "network_edges_by_layer".into(),
            serde_json::json!({
                "legal": layer(EdgeLayer::Legal),
                "illicit": layer(EdgeLayer::Illicit),
                "both": layer(EdgeLayer::Both),
                "prior": layer(EdgeLayer::Prior),
            }),
        );
    }
    notes.insert("dated".into(), frame.dated.label().into());
    notes.insert("reference_date".into(), frame.reference_date.map(|d| d.to_string()).into());
    if c.figures {
        notes.insert("figures".into(), figs.iter().filter(|f| f.figure.is_some()).count().into());
        let absent: Vec<String> = figs
            .iter()
            .filter_map(|f| f.absent.as_ref().map(|a| format!("{}: {a}", f.name)))
            .collect();
        if !absent.is_empty() {
            notes.insert("figures_absent".into(), absent.into());
        }
        let errors: Vec<String> = figs.iter().filter_map(|f| f.error.clone()).collect();
        if !errors.is_empty() {
            notes.insert("figure_errors".into(), errors.into());
        }
    }
    let notes_json = serde_json::to_string(&notes)
        .map_err(|source| Box::new(RunError::Serialize { what: "the manifest notes", source }))?;
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
}
