//! The figures stage: maps the analysis results onto the chart inputs, renders the seven
//! figures (PNG at print resolution and SVG) and the run report (`index.html`,
//! `report.md`).

use std::collections::BTreeMap;

use crate::chart::{self, Caption, Figure, FigureSet, RenderSize, basemap::Shape};
use crate::config::Config;
use crate::geo::Gazetteer;
use crate::ingest::Ingested;
use crate::pipeline::RunError;
use crate::report::{self, ReportInput};
use crate::stages::hotspots::{HotspotsResult, RegionLevel, ring};
use crate::stages::hubs::HubsResult;
use crate::stages::paths::PathsResult;

/// Everything the report needs besides the analysis results.
#[derive(Debug, Clone)]
pub struct ReportContext {
    /// Rejected rows per reason.
    pub rejected: Vec<(String, u64)>,
    /// Coverage caveats.
    pub caveats: Vec<String>,
    /// Provenance key/value pairs.
    pub provenance: Vec<(String, String)>,
}

/// Rendered figures and report.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The figures, in chart::FIGURE_NAMES order (failed ones are reported in `errors`).
    pub figures: Vec<Figure>,
    /// Figures that could not be rendered, with the reason.
    pub errors: Vec<String>,
    /// The report.
    pub report: report::Report,
}

fn shapes(g: &Gazetteer) -> Vec<Shape> {
    g.countries()
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let s = g.shape(crate::geo::CountryId(i as u16))?;
            Some(Shape {
                iso3: c.iso3.clone(),
                rings: s.polygons.iter().flat_map(|p| p.rings.iter().cloned()).collect(),
            })
        })
        .collect()
}

fn date_range(ing: &Ingested) -> String {
    let dates = ing.seizures.iter().map(|s| s.date).chain(ing.looting.iter().map(|l| l.date));
    let (lo, hi) = dates.fold(
        (None, None),
        |(lo, hi): (Option<crate::date::PartialDate>, Option<crate::date::PartialDate>), d| {
            (Some(lo.map_or(d, |x| x.min(d))), Some(hi.map_or(d, |x| x.max(d))))
        },
    );
    match (lo, hi) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no dated records".into(),
    }
}

fn emerging_category(c: crate::hotspot::EmergingCategory) -> chart::emerging_map::EmergingCategory {
    use crate::hotspot::EmergingCategory as H;
    use chart::emerging_map::EmergingCategory as C;
    match c {
        H::NewHotSpot => C::NewHot,
        H::ConsecutiveHotSpot => C::ConsecutiveHot,
        H::IntensifyingHotSpot => C::IntensifyingHot,
        H::PersistentHotSpot => C::PersistentHot,
        H::DiminishingHotSpot => C::DiminishingHot,
        H::SporadicHotSpot => C::SporadicHot,
        H::OscillatingHotSpot => C::OscillatingHot,
        H::HistoricalHotSpot => C::HistoricalHot,
        H::NewColdSpot => C::NewCold,
        H::ConsecutiveColdSpot => C::ConsecutiveCold,
        H::IntensifyingColdSpot => C::IntensifyingCold,
        H::PersistentColdSpot => C::PersistentCold,
        H::DiminishingColdSpot => C::DiminishingCold,
        H::SporadicColdSpot => C::SporadicCold,
        H::OscillatingColdSpot => C::OscillatingCold,
        H::HistoricalColdSpot => C::HistoricalCold,
        H::NoPattern => C::NoPattern,
    }
}

/// The results of the earlier stages that figures and the report draw on.
#[derive(Debug, Clone, Copy)]
pub struct Results<'a> {
    /// Ingested records.
    pub ing: &'a Ingested,
    /// The paths stage.
    pub paths: &'a PathsResult,
    /// The hubs stage.
    pub hubs: &'a HubsResult,
    /// The hotspots stage.
    pub hotspots: &'a HotspotsResult,
}

/// Expected quantity per distinct path (node labels from `label`) with at least
/// `min_nodes` nodes, largest first.
fn path_totals(
    p: &PathsResult,
    min_nodes: usize,
    label: impl Fn(&crate::network::Node) -> String,
) -> Vec<(Vec<String>, f64)> {
    let net = &p.network.graph;
    let mut seqs: BTreeMap<Vec<String>, f64> = BTreeMap::new();
    for (c, ps) in p.cases.iter().zip(&p.paths) {
        for path in ps.iter().filter(|x| x.nodes.len() >= min_nodes) {
            *seqs.entry(path.nodes.iter().map(|n| label(&net[*n])).collect()).or_default() +=
                c.quantity * path.share;
        }
    }
    let mut seqs: Vec<(Vec<String>, f64)> = seqs.into_iter().collect();
    seqs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    seqs
}

/// Builds the chart inputs from the stage results.
pub fn figure_set(config: &Config, g: &Gazetteer, r: Results<'_>, run_date: &str) -> FigureSet {
    let (ing, p, h, hs) = (r.ing, r.paths, r.hubs, r.hotspots);
    use chart::{
        emerging_map, flow_map, hotspot_map, od_matrix, regional_series, top_hubs, top_paths,
    };
    let net = &p.network.graph;
    let top_n = config.figures.top_n.max(1);
    let extent = config.figures.extent.map(|[w, s, e, n]| chart::projection::Extent {
        lon_min: w,
        lon_max: e,
        lat_min: s,
        lat_max: n,
    });
    let caption = Caption {
        source: format!(
            "{} · divnet {} · {} input file(s)",
            config.run.title,
            env!("CARGO_PKG_VERSION"),
            ing.files.len()
        ),
        date_range: date_range(ing),
        run_date: run_date.to_string(),
    };
    // Flow map: the heaviest edges and the top hubs.
    let mut edges: Vec<_> = net.edge_indices().filter(|e| p.edge_flow[e.index()] > 0.0).collect();
    edges.sort_by(|a, b| p.edge_flow[b.index()].total_cmp(&p.edge_flow[a.index()]).then(a.cmp(b)));
    edges.truncate(60);
    let pt = |i: petgraph::graph::NodeIndex| (net[i].point.lon(), net[i].point.lat());
    let flows = edges
        .iter()
        .filter_map(|e| {
            let (a, b) = net.edge_endpoints(*e)?;
            Some(flow_map::Flow {
                from: pt(a),
                to: pt(b),
                quantity: p.edge_flow[e.index()],
                probability: net[*e].p,
            })
        })
        .collect();
    let mut ranked: Vec<usize> = (0..net.node_count()).filter(|&i| h.flow[i] > 0.0).collect();
    ranked.sort_by_key(|&i| h.rank[i]);
    let hub_nodes: Vec<usize> = ranked.iter().take(top_n).copied().collect();
    let node = |i: usize| &net[petgraph::graph::NodeIndex::new(i)];
    let hubs = hub_nodes
        .iter()
        .map(|&i| flow_map::Hub {
            name: node(i).name.clone(),
            lon: node(i).point.lon(),
            lat: node(i).point.lat(),
            betweenness: h.flow[i],
        })
        .collect();
    let flows_in = flow_map::FlowMapInput {
        title: "Expected diversion flows and transit hubs".into(),
        flows,
        hubs,
        label_top_n: 8,
        extent,
        quantity_unit: "weapons".into(),
    };
    let hubs_in = top_hubs::TopHubsInput {
        title: format!("Top {top_n} transit hubs by flow betweenness"),
        measure: "Flow betweenness (weapons routed through the node)".into(),
        hubs: hub_nodes
            .iter()
            .map(|&i| top_hubs::HubBar {
                name: format!("{} ({})", node(i).name, node(i).iso3),
                value: h.flow[i],
            })
            .collect(),
        top_n,
    };
    let hot_in = hotspot_map::HotspotMapInput {
        title: "Hot and cold spots (Getis-Ord Gi*, FDR-adjusted)".into(),
        cells: hs
            .cells
            .iter()
            .filter(|c| c.gi.bin != 0)
            .map(|c| hotspot_map::BinnedCell { ring: ring(c.cell), bin: c.gi.bin })
            .collect(),
        extent,
    };
    let em_in = emerging_map::EmergingMapInput {
        title: "Emerging hot spots".into(),
        cells: hs
            .emerging
            .iter()
            .filter(|c| c.category != crate::hotspot::EmergingCategory::NoPattern)
            .map(|c| emerging_map::CategorizedCell {
                ring: ring(c.cell),
                category: emerging_category(c.category),
            })
            .collect(),
        extent,
    };
    let regions: Vec<regional_series::RegionSeries> = hs
        .regional
        .iter()
        .filter(|r| r.level == RegionLevel::Subregion)
        .take(6)
        .map(|r| regional_series::RegionSeries {
            region: r.name.clone(),
            seizures: r.series_seizures.clone(),
            looted: r.series_looted.clone(),
            seizures_trend: r.trend.map(|t| regional_series::TrendMark { z: t.z, p: t.p }),
            looted_trend: None,
        })
        .collect();
    let series_in = regional_series::RegionalSeriesInput {
        title: format!(
            "Seizures and looted weapons per {} in the leading subregions",
            config.hotspots.trend_step
        ),
        months: hs.regional_steps.clone(),
        regions,
        looted_unit: "weapons".into(),
        alpha: 0.05,
    };
    // Origin-destination matrix at country level.
    let mut od: BTreeMap<(String, String), f64> = BTreeMap::new();
    for c in &p.cases {
        let (Some(a), Some(b)) = (p.network.node(c.origin), p.network.node(c.destination)) else {
            continue;
        };
        *od.entry((net[a].iso3.clone(), net[b].iso3.clone())).or_default() += c.quantity;
    }
    let top_keys = |pick: fn(&(String, String)) -> &String| {
        let mut tot: BTreeMap<String, f64> = BTreeMap::new();
        for (k, v) in &od {
            *tot.entry(pick(k).clone()).or_default() += v;
        }
        let mut v: Vec<(String, f64)> = tot.into_iter().collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().take(12).map(|x| x.0).collect::<Vec<_>>()
    };
    let (origins, dests) = (top_keys(|k| &k.0), top_keys(|k| &k.1));
    let values = origins
        .iter()
        .map(|o| {
            dests.iter().map(|d| od.get(&(o.clone(), d.clone())).copied().unwrap_or(0.0)).collect()
        })
        .collect();
    let od_in = od_matrix::OdMatrixInput {
        title: "Diverted quantity by origin and destination country".into(),
        origins,
        destinations: dests,
        values,
        unit: "weapons".into(),
        log_scale: true,
    };
    // Top paths: expected quantity per distinct node sequence.
    let seqs = path_totals(p, 2, |n| n.iso3.clone());
    let paths_in = top_paths::TopPathsInput {
        title: "Most travelled diversion paths".into(),
        paths: seqs
            .into_iter()
            .take(10)
            .map(|(nodes, q)| top_paths::PathRow { nodes, expected_quantity: q })
            .collect(),
        top_n: 10,
        unit: "weapons".into(),
    };
    FigureSet {
        caption,
        basemap: shapes(g),
        flows: flows_in,
        hubs: hubs_in,
        hotspots: hot_in,
        emerging: em_in,
        series: series_in,
        od: od_in,
        paths: paths_in,
    }
}

fn fmt(x: f64) -> String {
    if x.abs() >= 100.0 { format!("{x:.0}") } else { format!("{x:.3}") }
}

/// Renders the figures and the report.
pub fn render(
    config: &Config,
    g: &Gazetteer,
    r: Results<'_>,
    ctx: ReportContext,
    run_date: &str,
) -> Result<Rendered, RunError> {
    let (p, h, hs) = (r.paths, r.hubs, r.hotspots);
    let set = figure_set(config, g, r, run_date);
    let threads = rayon::current_num_threads().max(1);
    let results = chart::render_all(&set, RenderSize::PRINT, threads)
        .map_err(|e| RunError::Stage { stage: "figures", message: e.to_string() })?;
    let mut figures = Vec::new();
    let mut errors = Vec::new();
    for (name, r) in chart::FIGURE_NAMES.iter().zip(results) {
        match r {
            Ok(f) => figures.push(f),
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    let net = &p.network.graph;
    let node = |i: usize| &net[petgraph::graph::NodeIndex::new(i)];
    let mut order: Vec<usize> = (0..net.node_count()).collect();
    order.sort_by_key(|&i| h.rank[i]);
    let hubs_rows = order
        .iter()
        .take(config.figures.top_n)
        .map(|&i| {
            vec![
                h.rank[i].to_string(),
                node(i).name.clone(),
                node(i).iso3.clone(),
                fmt(h.flow[i]),
                fmt(h.betweenness[i]),
                if h.transit_only[i] { "yes".into() } else { "no".into() },
            ]
        })
        .collect();
    let seqs = path_totals(p, 1, |n| n.name.clone());
    let path_rows =
        seqs.iter().take(config.figures.top_n).map(|(n, q)| vec![n.join(" → "), fmt(*q)]).collect();
    let regional_rows = hs
        .regional
        .iter()
        .filter(|r| r.level == RegionLevel::Country)
        .take(config.figures.top_n)
        .map(|r| {
            vec![
                r.name.clone(),
                r.seizures.to_string(),
                r.quantity_seized.to_string(),
                r.looting_incidents.to_string(),
                r.weapons_looted.to_string(),
                r.trend.map(|t| format!("z = {:.2}, p = {:.3}", t.z, t.p)).unwrap_or_default(),
            ]
        })
        .collect();
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut caveats = ctx.caveats;
    caveats.extend(errors.iter().map(|e| format!("figure not rendered: {e}")));
    let input = ReportInput {
        title: config.run.title.clone(),
        figures: figures.clone(),
        embed: report::FigureEmbed::Svg,
        figure_dir: "figures".into(),
        tables: vec![
            report::Table {
                title: "Top transit hubs".into(),
                header: strings(&[
                    "rank",
                    "hub",
                    "ISO3",
                    "flow betweenness",
                    "betweenness",
                    "transit only",
                ]),
                rows: hubs_rows,
            },
            report::Table {
                title: "Top diversion paths".into(),
                header: strings(&["path", "expected weapons"]),
                rows: path_rows,
            },
            report::Table {
                title: "Regional hotspots (countries)".into(),
                header: strings(&[
                    "country",
                    "seizures",
                    "items seized",
                    "lootings",
                    "weapons looted",
                    "trend (Mann-Kendall)",
                ]),
                rows: regional_rows,
            },
        ],
        rejected: ctx.rejected,
        caveats,
        provenance: ctx.provenance,
    };
    let report = report::build(&input)
        .map_err(|e| RunError::Stage { stage: "report", message: e.to_string() })?;
    Ok(Rendered { figures, errors, report })
}
