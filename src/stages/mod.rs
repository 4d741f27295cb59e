//! The analysis stages of a run, after ingestion: each reads the validated records,
//! computes, and hands its results on (hubs use the paths' flows; figures use
//! everything); [`run_all`] writes their tables into the run directory.

pub mod figures;
pub mod gis;
pub mod hotspots;
pub mod hubs;
pub mod paths;

use std::collections::BTreeMap;

use crate::config::Config;
use crate::geo::Gazetteer;
use crate::ingest::Ingested;
use crate::output::RunDir;
use crate::pipeline::{RunError, Timings};

pub use paths::{RankedPath, rank_paths};

/// Runs every analysis stage in order and writes their outputs.
pub fn run_all(
    config: &Config,
    g: &Gazetteer,
    ing: &Ingested,
    dir: &mut RunDir,
    notes: &mut BTreeMap<String, serde_json::Value>,
    timings: &mut Timings,
) -> Result<(), RunError> {
    // Read first, so that a malformed value stops the run before any work.
    let source_date = crate::clock::source_date_from_env()?;
    let p = timings.time("paths", || paths::paths(config, g, ing))?;
    notes.insert("network_nodes".into(), p.network.graph.node_count().into());
    notes.insert("network_edges".into(), p.network.graph.edge_count().into());
    notes.insert("cases".into(), p.cases.len().into());
    notes
        .insert("cases_unreachable".into(), p.paths.iter().filter(|x| x.is_empty()).count().into());
    notes.insert("linkage_links".into(), p.links.len().into());
    notes.insert("traces_unmatched".into(), p.case_stats.unmatched_traces.into());
    notes.insert("seizures_without_case".into(), p.case_stats.without_case.into());
    for t in paths::paths_tables(&p, ing)? {
        dir.write_table(&t)?;
    }

    let h = timings.time("hubs", || hubs::hubs(&config.hubs, &p))?;
    let method = match h.method {
        crate::algo::betweenness::BetweennessMethod::Exact => {
            serde_json::json!({"method": "exact"})
        }
        crate::algo::betweenness::BetweennessMethod::Approximate {
            sample_size,
            vertex_diameter_bound,
        } => serde_json::json!({
            "method": "riondato-kornaropoulos sampling",
            "epsilon": config.hubs.epsilon,
            "delta": config.hubs.delta,
            "sample_size": sample_size,
            "vertex_diameter_bound": vertex_diameter_bound,
        }),
    };
    notes.insert("betweenness".into(), method);
    for t in hubs::hubs_tables(&h, &p)? {
        dir.write_table(&t)?;
    }

    let hs = timings.time("hotspots", || hotspots::hotspots(&config.hotspots, g, ing))?;
    notes.insert("hotspot_events_country_level_excluded".into(), hs.excluded_country_level.into());
    notes.insert(
        "hotspot_events_date_coarser_than_step_excluded".into(),
        hs.excluded_coarse_date.into(),
    );
    notes.insert("hotspot_cells".into(), hs.cells.len().into());
    for t in hotspots::hotspots_tables(&hs)? {
        dir.write_table(&t)?;
    }

    let dated = crate::clock::Dated::new(p.reference_date, source_date);
    notes.insert("dated".into(), dated.label().into());
    timings.time("gis", || -> Result<(), RunError> {
        for f in gis::gis(g, ing, &p, &hs)? {
            dir.write(&f.path, &f.bytes, f.rows)?;
        }
        Ok(())
    })?;

    if config.figures.enabled {
        let ctx = report_context(&config.run.title, dated, ing, notes, &hs, &p);
        let r = timings.time("figures", || {
            figures::render(
                &config.figures,
                g,
                figures::Results { ing, paths: &p, hubs: &h, hotspots: &hs },
                ctx,
            )
        })?;
        for f in &r.figures {
            dir.write(&format!("figures/{}.png", f.name), &f.png, None)?;
            dir.write(&format!("figures/{}.svg", f.name), f.svg.as_bytes(), None)?;
        }
        dir.write("index.html", &r.report.html, None)?;
        dir.write("report.md", &r.report.markdown, None)?;
        notes.insert("figures".into(), r.figures.len().into());
        if !r.errors.is_empty() {
            notes.insert("figure_errors".into(), r.errors.clone().into());
        }
    }
    Ok(())
}

fn report_context(
    title: &str,
    dated: crate::clock::Dated,
    ing: &Ingested,
    notes: &BTreeMap<String, serde_json::Value>,
    hs: &hotspots::HotspotsResult,
    p: &paths::PathsResult,
) -> figures::ReportContext {
    let rejected = ing
        .rejections_by_reason()
        .into_iter()
        .map(|(r, n)| (r.as_str().to_string(), n as u64))
        .collect();
    let country_only = ing
        .seizures
        .iter()
        .filter(|s| s.location.precision == crate::schema::LocationPrecision::Country)
        .count();
    let mut caveats = vec![
        format!(
            "{} of {} seizures are located only at country level: they count in the regional figures but not in the hotspot cells ({} events left out of the cell statistics in all).",
            country_only,
            ing.seizures.len(),
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
    let unreachable = p.paths.iter().filter(|x| x.is_empty()).count();
    if unreachable > 0 {
        caveats.push(format!(
            "{unreachable} diversion cases have no path in the network and carry no flow."
        ));
    }
    if let Some(n) = notes.get("precision_downgraded").and_then(|v| v.as_u64()).filter(|n| *n > 0) {
        caveats.push(format!("{n} rows claimed a finer location precision than their data supports and were downgraded."));
    }
    let mut provenance = vec![
        ("divnet version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        ("dated".to_string(), dated.label()),
    ];
    for f in &ing.files {
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
    figures::ReportContext { title: title.to_string(), dated, rejected, caveats, provenance }
}
