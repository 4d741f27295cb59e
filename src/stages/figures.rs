//! The figures stage: the registry of figures ([`FIGURES`]), each entry mapping the
//! analysis results onto its chart's input; the rendering of every registered figure (PNG at
//! print resolution and SVG); and the run report (`index.html`, `report.md`).
//!
//! Adding a figure means one entry in [`FIGURES`] (name, caption, render function) and its
//! chart module in `src/chart/`: the run, the report and the tests all read the registry.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::chart::{self, Caption, ChartError, Figure, RenderSize, basemap::Shape};
use crate::clock::Dated;
use crate::config::FiguresConfig;
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
    /// The run's title (`run.title`).
    pub title: String,
    /// The date the figures and the report are dated by.
    pub dated: Dated,
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
    /// The figures, in [`FIGURES`] order (failed ones are reported in `errors`).
    pub figures: Vec<Figure>,
    /// Figures that could not be rendered, with the reason.
    pub errors: Vec<String>,
    /// The report.
    pub report: report::Report,
}

/// The country polygons of the gazetteer, drawn under the maps.
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

/// What every figure is drawn from: the figure settings, the upstream results, the shared
/// caption and basemap, and the raster size.
#[derive(Debug, Clone)]
pub struct FigureContext<'a> {
    /// `[figures]` of the config.
    pub config: &'a FiguresConfig,
    /// The analysis results.
    pub results: Results<'a>,
    /// The caption line under every figure.
    pub caption: Caption,
    /// Country polygons drawn under the maps.
    pub basemap: Vec<Shape>,
    /// Raster size of the PNGs (and the SVG canvas).
    pub size: RenderSize,
}

impl<'a> FigureContext<'a> {
    /// The context of a run's figures at print size: the caption names `title`, the divnet
    /// version, the number of input files, the period covered by the records, and `dated`.
    pub fn new(
        config: &'a FiguresConfig,
        g: &Gazetteer,
        results: Results<'a>,
        title: &str,
        dated: &Dated,
    ) -> Self {
        let caption = Caption {
            source: format!(
                "{title} · divnet {} · {} input file(s)",
                env!("CARGO_PKG_VERSION"),
                results.ing.files.len()
            ),
            date_range: date_range(results.ing),
            dated: dated.label(),
        };
        FigureContext { config, results, caption, basemap: shapes(g), size: RenderSize::PRINT }
    }

    fn top_n(&self) -> usize {
        self.config.top_n.max(1)
    }

    fn extent(&self) -> Option<chart::projection::Extent> {
        self.config.extent.map(|[w, s, e, n]| chart::projection::Extent {
            lon_min: w,
            lon_max: e,
            lat_min: s,
            lat_max: n,
        })
    }

    fn node(&self, i: usize) -> &crate::network::Node {
        &self.results.paths.network.graph[petgraph::graph::NodeIndex::new(i)]
    }

    /// The top nodes by the hubs ranking measure (nodes scoring above zero only), best first.
    fn top_hub_nodes(&self) -> Vec<usize> {
        let (p, h) = (self.results.paths, self.results.hubs);
        let mut ranked: Vec<usize> =
            (0..p.network.graph.node_count()).filter(|&i| h.score(i) > 0.0).collect();
        ranked.sort_by_key(|&i| h.rank[i]);
        ranked.truncate(self.top_n());
        ranked
    }
}

/// One registered figure.
#[derive(Debug, Clone, Copy)]
pub struct FigureSpec {
    /// File stem (`figures/<name>.png`, `.svg`) and HTML id in the report (`[a-z0-9_]`).
    pub name: &'static str,
    /// What the figure shows, one sentence, printed under it in the report.
    pub caption: &'static str,
    /// Maps the results onto the chart's input and draws it.
    pub render: fn(&FigureContext<'_>) -> Result<Figure, ChartError>,
}

/// Every figure of a run, in report order.
pub const FIGURES: &[FigureSpec] = &[
    FigureSpec {
        name: "flow_map",
        caption: "The heaviest expected diversion flows between nodes, and the leading transit hubs.",
        render: flow_map,
    },
    FigureSpec {
        name: "top_hubs",
        caption: "Nodes ranked by flow betweenness over the diversion cases, or by betweenness when the run has no cases.",
        render: top_hubs,
    },
    FigureSpec {
        name: "hotspot_map",
        caption: "H3 cells with significant Getis-Ord Gi* values after false discovery rate control.",
        render: hotspot_map,
    },
    FigureSpec {
        name: "emerging_map",
        caption: "Emerging hot and cold spot categories of the space-time cube.",
        render: emerging_map,
    },
    FigureSpec {
        name: "regional_series",
        caption: "Seizures and looted weapons per time step in the leading subregions, with Mann-Kendall trends.",
        render: regional_series,
    },
    FigureSpec {
        name: "od_matrix",
        caption: "Diverted quantity from origin to destination country over the diversion cases.",
        render: od_matrix,
    },
    FigureSpec {
        name: "top_paths",
        caption: "The diversion paths carrying the most expected quantity.",
        render: top_paths,
    },
];

/// Renders every figure of [`FIGURES`], in that order, on the current rayon pool. Each figure
/// is a pure function of the context, so the bytes do not depend on the number of threads.
/// Each slot carries its own result: one failed figure does not prevent the others.
pub fn render_figures(cx: &FigureContext<'_>) -> Vec<Result<Figure, ChartError>> {
    FIGURES
        .par_iter()
        .map(|spec| {
            let f = (spec.render)(cx)?;
            Ok(Figure { name: spec.name.to_string(), caption: spec.caption.to_string(), ..f })
        })
        .collect()
}

fn flow_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::flow_map::{Flow, FlowMapInput, Hub, render};
    let (p, h) = (cx.results.paths, cx.results.hubs);
    let net = &p.network.graph;
    // The heaviest edges and the top hubs.
    let mut edges: Vec<_> = net.edge_indices().filter(|e| p.edge_flow[e.index()] > 0.0).collect();
    edges.sort_by(|a, b| p.edge_flow[b.index()].total_cmp(&p.edge_flow[a.index()]).then(a.cmp(b)));
    edges.truncate(60);
    let pt = |i: petgraph::graph::NodeIndex| (net[i].point.lon(), net[i].point.lat());
    let flows = edges
        .iter()
        .filter_map(|e| {
            let (a, b) = net.edge_endpoints(*e)?;
            Some(Flow {
                from: pt(a),
                to: pt(b),
                quantity: p.edge_flow[e.index()],
                probability: net[*e].p,
            })
        })
        .collect();
    let hubs = cx
        .top_hub_nodes()
        .into_iter()
        .map(|i| Hub {
            name: cx.node(i).name.clone(),
            lon: cx.node(i).point.lon(),
            lat: cx.node(i).point.lat(),
            betweenness: h.score(i),
        })
        .collect();
    let input = FlowMapInput {
        title: "Expected diversion flows and transit hubs".into(),
        flows,
        hubs,
        label_top_n: 8,
        extent: cx.extent(),
        quantity_unit: "weapons".into(),
    };
    render(&input, &cx.basemap, &cx.caption, cx.size)
}

fn top_hubs(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::top_hubs::{HubBar, TopHubsInput, render};
    let h = cx.results.hubs;
    let top_n = cx.top_n();
    let (by, measure) = match h.ranked_by {
        crate::stages::hubs::HubRanking::FlowBetweenness => {
            ("flow betweenness", "Flow betweenness (weapons routed through the node)")
        }
        crate::stages::hubs::HubRanking::Betweenness => (
            "betweenness (no diversion cases)",
            "Betweenness (share of most probable routes through the node)",
        ),
    };
    let input = TopHubsInput {
        title: format!("Top {top_n} transit hubs by {by}"),
        measure: measure.into(),
        hubs: cx
            .top_hub_nodes()
            .into_iter()
            .map(|i| HubBar {
                name: format!("{} ({})", cx.node(i).name, cx.node(i).iso3),
                value: h.score(i),
            })
            .collect(),
        top_n,
    };
    render(&input, &cx.caption, cx.size)
}

fn hotspot_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::hotspot_map::{BinnedCell, HotspotMapInput, render};
    let input = HotspotMapInput {
        title: "Hot and cold spots (Getis-Ord Gi*, FDR-adjusted)".into(),
        cells: cx
            .results
            .hotspots
            .cells
            .iter()
            .filter(|c| c.gi.bin != 0)
            .map(|c| BinnedCell { ring: ring(c.cell), bin: c.gi.bin })
            .collect(),
        extent: cx.extent(),
    };
    render(&input, &cx.basemap, &cx.caption, cx.size)
}

fn emerging_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::emerging_map::{CategorizedCell, EmergingMapInput, render};
    let input = EmergingMapInput {
        title: "Emerging hot spots".into(),
        cells: cx
            .results
            .hotspots
            .emerging
            .iter()
            .filter(|c| c.category != crate::hotspot::EmergingCategory::NoPattern)
            .map(|c| CategorizedCell {
                ring: ring(c.cell),
                category: emerging_category(c.category),
            })
            .collect(),
        extent: cx.extent(),
    };
    render(&input, &cx.basemap, &cx.caption, cx.size)
}

fn regional_series(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::regional_series::{RegionSeries, RegionalSeriesInput, TrendMark, render};
    let hs = cx.results.hotspots;
    let regions = hs
        .regional
        .iter()
        .filter(|r| r.level == RegionLevel::Subregion)
        .take(6)
        .map(|r| RegionSeries {
            region: r.name.clone(),
            seizures: r.series_seizures.clone(),
            looted: r.series_looted.clone(),
            seizures_trend: r.trend.map(|t| TrendMark { z: t.z, p: t.p }),
            looted_trend: None,
        })
        .collect();
    let input = RegionalSeriesInput {
        title: format!(
            "Seizures and looted weapons per {} in the leading subregions",
            hs.regional_step
        ),
        months: hs.regional_steps.clone(),
        regions,
        looted_unit: "weapons".into(),
        alpha: 0.05,
    };
    render(&input, &cx.caption, cx.size)
}

fn od_matrix(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::od_matrix::{OdMatrixInput, render};
    let p = cx.results.paths;
    let net = &p.network.graph;
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
    let input = OdMatrixInput {
        title: "Diverted quantity by origin and destination country".into(),
        origins,
        destinations: dests,
        values,
        unit: "weapons".into(),
        log_scale: true,
    };
    render(&input, &cx.caption, cx.size)
}

fn top_paths(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::top_paths::{PathRow, TopPathsInput, render};
    // Expected quantity per distinct node sequence.
    let seqs = path_totals(cx.results.paths, 2, |n| n.iso3.clone());
    let input = TopPathsInput {
        title: "Most travelled diversion paths".into(),
        paths: seqs
            .into_iter()
            .take(10)
            .map(|(nodes, q)| PathRow { nodes, expected_quantity: q })
            .collect(),
        top_n: 10,
        unit: "weapons".into(),
    };
    render(&input, &cx.caption, cx.size)
}

fn fmt(x: f64) -> String {
    if x.abs() >= 100.0 { format!("{x:.0}") } else { format!("{x:.3}") }
}

/// Renders the registered figures and the report.
pub fn render(
    config: &FiguresConfig,
    g: &Gazetteer,
    r: Results<'_>,
    ctx: ReportContext,
) -> Result<Rendered, RunError> {
    let (p, h, hs) = (r.paths, r.hubs, r.hotspots);
    let cx = FigureContext::new(config, g, r, &ctx.title, &ctx.dated);
    let mut figures = Vec::new();
    let mut errors = Vec::new();
    for (spec, result) in FIGURES.iter().zip(render_figures(&cx)) {
        match result {
            Ok(f) => figures.push(f),
            Err(e) => errors.push(format!("{}: {e}", spec.name)),
        }
    }
    let net = &p.network.graph;
    let node = |i: usize| &net[petgraph::graph::NodeIndex::new(i)];
    let mut order: Vec<usize> = (0..net.node_count()).collect();
    order.sort_by_key(|&i| h.rank[i]);
    let hubs_rows = order
        .iter()
        .take(config.top_n)
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
        seqs.iter().take(config.top_n).map(|(n, q)| vec![n.join(" → "), fmt(*q)]).collect();
    let regional_rows = hs
        .regional
        .iter()
        .filter(|r| r.level == RegionLevel::Country)
        .take(config.top_n)
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
        title: ctx.title,
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
