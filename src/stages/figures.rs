//! The figures stage: the registry of figures ([`FIGURES`]), each entry mapping the
//! analysis results onto its chart's input; the rendering of every registered figure (PNG at
//! print resolution and SVG); and the run report (`index.html`, `report.md`).
//!
//! Adding a figure means one entry in [`FIGURES`] (name, caption, the results it needs, render
//! function) and its chart module in `src/chart/`: the run graph (one cached step per
//! figure, reading only what the entry needs), the report and the tests all read the
//! registry.

use std::collections::{BTreeMap, HashMap};

use petgraph::graph::NodeIndex;
use rayon::prelude::*;

use crate::chart::{self, Caption, ChartError, Figure, RenderSize, basemap::Shape};
use crate::clock::Dated;
use crate::config::FiguresConfig;
use crate::geo::Gazetteer;
use crate::report::{self, ReportError, ReportInput};
use crate::stages::hotspots::{
    CellsStep, CubeStep, HotspotsResult, RegionLevel, RegionalStep, ring,
};
use crate::stages::hubs::HubsResult;
use crate::stages::paths::PathsResult;
use crate::stages::recipients::Recipients;

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
    /// The map of dated events of the report's "Explore" section ([`event_map`]).
    pub event_map: Option<Figure>,
}

/// The artifact of a figure step: the figure, or why it could not be drawn (one failed
/// figure does not stop the run; the report says which are missing and why).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FigureStep {
    /// The registry name.
    pub name: String,
    /// The figure, when it could be drawn.
    pub figure: Option<Figure>,
    /// Why it could not.
    pub error: Option<String>,
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

/// The first and last date of every dated field of the records: seizure, looting and
/// event dates, the first and last reports of routes, the order dates and delivery years
/// of transfers; `None` without a dated record. One pass, nothing collected.
pub fn record_period(
    kinds: &[&crate::ingest::Ingested],
) -> Option<(crate::date::PartialDate, crate::date::PartialDate)> {
    use crate::date::PartialDate;
    let mut span: Option<(PartialDate, PartialDate)> = None;
    let mut see = |d: PartialDate| {
        span = Some(span.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))));
    };
    for k in kinds {
        k.seizures.iter().for_each(|s| see(s.date));
        k.looting.iter().for_each(|l| see(l.date));
        k.events.iter().for_each(|e| see(e.date));
        for r in &k.routes {
            r.first_reported.into_iter().chain(r.last_reported).for_each(&mut see);
        }
        for t in &k.transfers {
            t.order_date.into_iter().for_each(&mut see);
            t.deliveries.iter().filter_map(|d| PartialDate::year(d.year).ok()).for_each(&mut see);
        }
    }
    span
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

/// The results of the earlier steps that figures and the report draw on. A figure step
/// fills in only what its [`FigureSpec::needs`] names.
#[derive(Debug, Clone, Default)]
pub struct Results<'a> {
    /// The path steps.
    pub paths: Option<&'a PathsResult>,
    /// The hubs step.
    pub hubs: Option<&'a HubsResult>,
    /// The hotspot cells step.
    pub cells: Option<CellsStep>,
    /// The space-time cube step.
    pub cube: Option<CubeStep>,
    /// The regional series step.
    pub regional: Option<RegionalStep>,
    /// The conflict-event cells step.
    pub event_cells: Option<CellsStep>,
    /// The recipients step.
    pub recipients: Option<&'a Recipients>,
}

impl<'a> Results<'a> {
    /// Every result.
    pub fn all(
        paths: &'a PathsResult,
        hubs: &'a HubsResult,
        hotspots: &HotspotsResult,
        recipients: &'a Recipients,
    ) -> Self {
        let (cells, cube, regional) = hotspots.parts();
        Results {
            paths: Some(paths),
            hubs: Some(hubs),
            cells: Some(cells),
            cube: Some(cube),
            regional: Some(regional),
            event_cells: Some(hotspots.event_cells.clone()),
            recipients: Some(recipients),
        }
    }
}

/// What a figure is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The path steps (network, cases, paths, flows).
    Paths,
    /// The hubs step.
    Hubs,
    /// The hotspot cells step.
    Cells,
    /// The space-time cube step.
    Cube,
    /// The regional series step.
    Regional,
    /// The conflict-event cells step.
    EventCells,
    /// The recipients step.
    Recipients,
}

fn missing(what: &str) -> ChartError {
    ChartError::InvalidInput(format!(
        "the figure reads {what}, which its registry entry does not name"
    ))
}

/// The caption line under every figure of a run: the title, the divnet version, the number
/// of input files, the period the records cover (every dated field, [`record_period`]),
/// and the date the figures are dated by.
pub fn run_caption(
    title: &str,
    files: usize,
    period: Option<(crate::date::PartialDate, crate::date::PartialDate)>,
    dated: &Dated,
) -> Caption {
    Caption {
        source: format!("{title} · divnet {} · {files} input file(s)", env!("CARGO_PKG_VERSION")),
        date_range: match period {
            Some((a, b)) => format!("{a} to {b}"),
            None => "no dated records".into(),
        },
        dated: dated.label(),
    }
}

/// A distinct path (by node labels) over every case: expected quantity, the cases it
/// serves, and its mean probability and share over them.
#[derive(Debug, Clone, PartialEq)]
struct PathTotal {
    labels: Vec<String>,
    quantity: f64,
    cases: u64,
    probability: f64,
    share: f64,
}

impl PathTotal {
    /// The hover text: the legs, then the numbers.
    fn tip(&self, unit: &str) -> String {
        format!(
            "{}\nexpected {unit}: {}\ncases: {}\nmean probability: {:.3}\nmean share of its cases: {:.3}",
            self.labels.join(" → "),
            fmt(self.quantity),
            self.cases,
            self.probability,
            self.share
        )
    }
}

/// Every distinct path (node labels from `label`) with at least `min_nodes` nodes, most
/// expected quantity first.
fn path_totals(
    p: &PathsResult,
    min_nodes: usize,
    label: impl Fn(&crate::network::Node) -> String,
) -> Vec<PathTotal> {
    let net = &p.network.graph;
    // Summed by node sequence first (cheap keys, one entry per distinct path), then by
    // label sequence (distinct nodes may share a label).
    type Acc = (f64, u64, f64, f64);
    let mut by_nodes: HashMap<&[NodeIndex], Acc, foldhash::fast::FixedState> = HashMap::default();
    for (c, ps) in p.case_paths() {
        for path in ps.iter().filter(|x| x.nodes.len() >= min_nodes) {
            let e = by_nodes.entry(&path.nodes).or_default();
            e.0 += c.quantity * path.share;
            e.1 += 1;
            e.2 += path.probability;
            e.3 += path.share;
        }
    }
    let mut by_nodes: Vec<(&[NodeIndex], Acc)> = by_nodes.into_iter().collect();
    by_nodes.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut seqs: BTreeMap<Vec<String>, Acc> = BTreeMap::new();
    for (nodes, v) in by_nodes {
        let e = seqs.entry(nodes.iter().map(|n| label(&net[*n])).collect()).or_default();
        e.0 += v.0;
        e.1 += v.1;
        e.2 += v.2;
        e.3 += v.3;
    }
    let mut out: Vec<PathTotal> = seqs
        .into_iter()
        .map(|(labels, (q, n, pr, sh))| PathTotal {
            labels,
            quantity: q,
            cases: n,
            probability: pr / n.max(1) as f64,
            share: sh / n.max(1) as f64,
        })
        .collect();
    out.sort_by(|a, b| b.quantity.total_cmp(&a.quantity).then(a.labels.cmp(&b.labels)));
    out
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
    /// The gazetteer (place labels of the close-ups).
    pub gazetteer: &'a Gazetteer,
}

impl<'a> FigureContext<'a> {
    /// The context of a run's figures at print size (see [`run_caption`]).
    pub fn new(
        config: &'a FiguresConfig,
        g: &'a Gazetteer,
        results: Results<'a>,
        caption: Caption,
    ) -> Self {
        FigureContext {
            config,
            results,
            caption,
            basemap: shapes(g),
            size: RenderSize::PRINT,
            gazetteer: g,
        }
    }

    fn paths(&self) -> Result<&'a PathsResult, ChartError> {
        self.results.paths.ok_or_else(|| missing("the paths"))
    }

    fn hubs(&self) -> Result<&'a HubsResult, ChartError> {
        self.results.hubs.ok_or_else(|| missing("the hubs"))
    }

    fn cells(&self) -> Result<&CellsStep, ChartError> {
        self.results.cells.as_ref().ok_or_else(|| missing("the hotspot cells"))
    }

    fn cube(&self) -> Result<&CubeStep, ChartError> {
        self.results.cube.as_ref().ok_or_else(|| missing("the space-time cube"))
    }

    fn regional(&self) -> Result<&RegionalStep, ChartError> {
        self.results.regional.as_ref().ok_or_else(|| missing("the regional series"))
    }

    fn event_cells(&self) -> Result<&CellsStep, ChartError> {
        self.results.event_cells.as_ref().ok_or_else(|| missing("the conflict-event cells"))
    }

    fn recipients(&self) -> Result<&'a Recipients, ChartError> {
        self.results.recipients.ok_or_else(|| missing("the recipients"))
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

    /// The top nodes by the hubs ranking measure (nodes scoring above zero only), best first.
    fn top_hub_nodes(&self) -> Result<Vec<usize>, ChartError> {
        let (p, h) = (self.paths()?, self.hubs()?);
        let mut ranked: Vec<usize> =
            (0..p.network.graph.node_count()).filter(|&i| h.score(i) > 0.0).collect();
        ranked.sort_by_key(|&i| h.rank[i]);
        ranked.truncate(self.top_n());
        Ok(ranked)
    }
}

/// One registered figure.
#[derive(Debug, Clone, Copy)]
pub struct FigureSpec {
    /// File stem (`figures/<name>.png`, `.svg`) and HTML id in the report (`[a-z0-9_]`).
    pub name: &'static str,
    /// What the figure shows, one sentence, printed under it in the report.
    pub caption: &'static str,
    /// The results it is drawn from (its step reads only these).
    pub needs: &'static [Need],
    /// Maps the results onto the chart's input and draws it.
    pub render: fn(&FigureContext<'_>) -> Result<Figure, ChartError>,
}

/// Every figure of a run, in report order.
pub const FIGURES: &[FigureSpec] = &[
    FigureSpec {
        name: "flow_map",
        caption: "The heaviest expected diversion flows between nodes, and the leading transit hubs.",
        needs: &[Need::Paths, Need::Hubs],
        render: flow_map,
    },
    FigureSpec {
        name: "top_hubs",
        caption: "Nodes ranked by flow betweenness over the diversion cases, or by betweenness when the run has no cases.",
        needs: &[Need::Paths, Need::Hubs],
        render: top_hubs,
    },
    FigureSpec {
        name: "hotspot_map",
        caption: "H3 cells with significant Getis-Ord Gi* values after false discovery rate control.",
        needs: &[Need::Cells],
        render: hotspot_map,
    },
    FigureSpec {
        name: "hotspot_closeups",
        caption: "The strongest clusters of hot cells (95% confidence or more), each zoomed until its H3 hexagons show, over the country outlines and the largest places of the gazetteer.",
        needs: &[Need::Cells],
        render: hotspot_closeups,
    },
    FigureSpec {
        name: "emerging_map",
        caption: "Emerging hot and cold spot categories of the space-time cube.",
        needs: &[Need::Cube],
        render: emerging_map,
    },
    FigureSpec {
        name: "emerging_closeups",
        caption: "The strongest clusters of emerging hot spots, zoomed until their H3 hexagons show.",
        needs: &[Need::Cube],
        render: emerging_closeups,
    },
    FigureSpec {
        name: "regional_series",
        caption: "Seizures and looted weapons per time step in the leading subregions, with Mann-Kendall trends.",
        needs: &[Need::Regional],
        render: regional_series,
    },
    FigureSpec {
        name: "od_matrix",
        caption: "Diverted quantity from origin to destination country over the diversion cases.",
        needs: &[Need::Paths],
        render: od_matrix,
    },
    FigureSpec {
        name: "top_paths",
        caption: "The diversion paths carrying the most expected quantity.",
        needs: &[Need::Paths],
        render: top_paths,
    },
    FigureSpec {
        name: "recipients",
        caption: "Legal deliveries to recipient states beside the diversion evidence that points back to them: seized weapons they last held legally, weapons looted from their stockpiles, expected weapons whose paths are diverted there, and their own transfers on to non-state armed groups.",
        needs: &[Need::Recipients],
        render: recipients,
    },
    FigureSpec {
        name: "event_hotspot_map",
        caption: "H3 cells where conflict events cluster (Getis-Ord Gi*, FDR-adjusted), on the grid of the seizure and looting hotspots.",
        needs: &[Need::EventCells],
        render: event_hotspot_map,
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
    let (p, h) = (cx.paths()?, cx.hubs()?);
    let node = |i: usize| &p.network.graph[petgraph::graph::NodeIndex::new(i)];
    let net = &p.network.graph;
    // The heaviest edges and the top hubs; without any flow (a run without diversion
    // cases, as with route-report data), the network's strongest edges: the most probable,
    // drawn as wide as their evidence (route reports, seizure legs, transfers).
    let mut edges: Vec<_> = net.edge_indices().filter(|e| p.edge_flow[e.index()] > 0.0).collect();
    let no_flow = edges.is_empty();
    let evidence = |e: petgraph::graph::EdgeIndex| net[e].evidence() as f64;
    let weight = |e: petgraph::graph::EdgeIndex| {
        if no_flow { evidence(e) } else { p.edge_flow[e.index()] }
    };
    if no_flow {
        edges = net.edge_indices().filter(|e| evidence(*e) > 0.0).collect();
        edges.sort_by(|a, b| {
            net[*b]
                .p
                .total_cmp(&net[*a].p)
                .then(evidence(*b).total_cmp(&evidence(*a)))
                .then(a.cmp(b))
        });
    } else {
        edges.sort_by(|a, b| weight(*b).total_cmp(&weight(*a)).then(a.cmp(b)));
    }
    edges.truncate(60);
    let pt = |i: petgraph::graph::NodeIndex| (net[i].point.lon(), net[i].point.lat());
    let flows = edges
        .iter()
        .filter_map(|e| {
            let (a, b) = net.edge_endpoints(*e)?;
            let w = &net[*e];
            let amount = if no_flow {
                format!("evidence: {} records", w.evidence())
            } else {
                format!("expected weapons: {}", fmt(weight(*e)))
            };
            let tip = format!(
                "{} → {}\n{amount}\nedge probability: {:.3}\nlayer: {}",
                net[a].name,
                net[b].name,
                w.p,
                w.layer().as_str()
            );
            Some(Flow { from: pt(a), to: pt(b), quantity: weight(*e), probability: w.p, tip })
        })
        .collect();
    let hubs = cx
        .top_hub_nodes()?
        .into_iter()
        .map(|i| Hub {
            name: node(i).name.clone(),
            lon: node(i).point.lon(),
            lat: node(i).point.lat(),
            betweenness: h.score(i),
            tip: hub_tip(h, node(i), i),
        })
        .collect();
    let (title, unit, quantity, probability) = if no_flow {
        (
            "Most probable network edges and transit hubs (no diversion cases)",
            "reports",
            "Evidence",
            "Edge probability",
        )
    } else {
        ("Expected diversion flows and transit hubs", "weapons", "", "")
    };
    let hub_label = match h.ranked_by {
        crate::stages::hubs::HubRanking::FlowBetweenness => "",
        crate::stages::hubs::HubRanking::Betweenness => "Hub betweenness",
    };
    let input = FlowMapInput {
        title: title.into(),
        flows,
        hubs,
        label_top_n: 8,
        extent: cx.extent(),
        quantity_unit: unit.into(),
        quantity_label: quantity.into(),
        probability_label: probability.into(),
        hub_label: hub_label.into(),
    };
    render(&input, &cx.basemap, &cx.caption, cx.size)
}

/// A hub's values, for hover text.
fn hub_tip(h: &HubsResult, n: &crate::network::Node, i: usize) -> String {
    format!(
        "{} ({})\nrank: {}\nflow betweenness: {}\nbetweenness: {:.4}\nPageRank: {:.4}",
        n.name,
        n.iso3,
        h.rank[i],
        fmt(h.flow[i]),
        h.betweenness[i],
        h.pagerank[i]
    )
}

fn top_hubs(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::top_hubs::{HubBar, TopHubsInput, render};
    let (p, h) = (cx.paths()?, cx.hubs()?);
    let node = |i: usize| &p.network.graph[petgraph::graph::NodeIndex::new(i)];
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
            .top_hub_nodes()?
            .into_iter()
            .map(|i| HubBar {
                name: format!("{} ({})", node(i).name, node(i).iso3),
                value: h.score(i),
                tip: hub_tip(h, node(i), i),
            })
            .collect(),
        top_n,
    };
    render(&input, &cx.caption, cx.size)
}

/// A Gi* cell's values, for hover text.
fn cell_tip(c: &crate::hotspot::GiStarCell) -> String {
    let num = |x: Option<f64>, d: usize| x.map_or("-".into(), |v| format!("{v:.d$}"));
    format!(
        "H3 cell {}\nvalue: {}\nz: {}\np: {}\nFDR q: {}\nbin: {}",
        c.cell,
        fmt(c.gi.value),
        num(c.gi.z, 2),
        num(c.gi.p, 4),
        num(c.gi.p_fdr, 4),
        c.gi.bin
    )
}

fn hotspot_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    binned_map(cx, cx.cells()?, "Hot and cold spots (Getis-Ord Gi*, FDR-adjusted)")
}

fn event_hotspot_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    let f = binned_map(
        cx,
        cx.event_cells()?,
        "Conflict-event hot and cold spots (Getis-Ord Gi*, FDR-adjusted)",
    )?;
    Ok(Figure { name: "event_hotspot_map".into(), ..f })
}

fn recipients(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::recipients::{RecipientBar, RecipientsInput, render};
    let bars = cx
        .recipients()?
        .totals()
        .into_iter()
        .map(|t| RecipientBar {
            name: format!("{} ({})", t.name, t.iso3),
            delivered: t.items_delivered as f64,
            seized: t.seized_last_legal as f64,
            looted: t.looted as f64,
            diverted: t.diverted_here,
            to_non_state: t.items_to_non_state as f64,
        })
        .collect();
    let input = RecipientsInput { title: String::new(), recipients: bars, top_n: cx.top_n() };
    render(&input, &cx.caption, cx.size)
}

fn binned_map(
    cx: &FigureContext<'_>,
    cells: &CellsStep,
    title: &str,
) -> Result<Figure, ChartError> {
    use chart::hotspot_map::{BinnedCell, HotspotMapInput, render};
    let input = HotspotMapInput {
        title: title.into(),
        cells: cells
            .cells
            .iter()
            .filter(|c| c.gi.bin != 0)
            .map(|c| BinnedCell { ring: ring(c.cell), bin: c.gi.bin, tip: cell_tip(c) })
            .collect(),
        extent: cx.extent(),
    };
    render(&input, &cx.basemap, &cx.caption, cx.size)
}

/// Clusters of `cells` (H3 cells with a strength): cells within two grid steps of one
/// another join, clusters ranked by their summed strength, strongest first (then by
/// their first cell). O(n).
fn clusters(cells: &[(h3o::CellIndex, f64)]) -> Vec<Vec<usize>> {
    let at: HashMap<h3o::CellIndex, usize> =
        cells.iter().enumerate().map(|(i, c)| (c.0, i)).collect();
    let mut parent: Vec<usize> = (0..cells.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for (i, (cell, _)) in cells.iter().enumerate() {
        for n in cell.grid_disk::<Vec<_>>(2) {
            if let Some(&j) = at.get(&n) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..cells.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    let strength = |g: &Vec<usize>| g.iter().map(|&i| cells[i].1).sum::<f64>();
    out.sort_by(|a, b| strength(b).total_cmp(&strength(a)).then(a[0].cmp(&b[0])));
    out
}

/// The panels of a close-up figure: per cluster of `strong` cells, an extent around it
/// (at least 2.4 by 1.8 degrees), every cell of `all` inside it, and the gazetteer's
/// largest places there; titled by the largest place among the cluster's cells.
fn closeup_panels(
    g: &Gazetteer,
    strong: &[(h3o::CellIndex, f64)],
    all: &[(h3o::CellIndex, [u8; 3], String)],
) -> Vec<chart::closeups::Panel> {
    use chart::closeups::{ColouredCell, MAX_PANELS, Panel, PlaceLabel};
    use chart::projection::Extent;
    let centre = |c: h3o::CellIndex| {
        let ll = h3o::LatLng::from(c);
        (ll.lng(), ll.lat())
    };
    let largest = |e: &Extent| {
        let mut inside: Vec<&crate::geo::gazetteer::City> = g
            .cities()
            .iter()
            .filter(|c| {
                let (lon, lat) = (c.point.lon(), c.point.lat());
                (e.lon_min..=e.lon_max).contains(&lon) && (e.lat_min..=e.lat_max).contains(&lat)
            })
            .collect();
        inside.sort_by(|a, b| b.population.cmp(&a.population).then(a.geonameid.cmp(&b.geonameid)));
        inside
    };
    clusters(strong)
        .into_iter()
        .take(MAX_PANELS)
        .filter_map(|group| {
            let pts: Vec<(f64, f64)> = group.iter().map(|&i| centre(strong[i].0)).collect();
            let tight = Extent::around(pts.iter().copied(), 0.0, 0.15)?;
            let mut e = Extent::around(pts.iter().copied(), 0.4, 0.4)?;
            let (cx, cy) = ((e.lon_min + e.lon_max) / 2.0, (e.lat_min + e.lat_max) / 2.0);
            let (hw, hh) = (
                ((e.lon_max - e.lon_min) / 2.0).max(1.2),
                ((e.lat_max - e.lat_min) / 2.0).max(0.9),
            );
            e = Extent {
                lon_min: (cx - hw).max(-180.0),
                lon_max: (cx + hw).min(180.0),
                lat_min: (cy - hh).max(-89.0),
                lat_max: (cy + hh).min(89.0),
            };
            let (lon, lat) = pts[0];
            let country = crate::geo::LatLon::new(lat, lon)
                .ok()
                .and_then(|p| g.country_at(p))
                .map(|c| g.country(c).name.clone());
            let title = match (largest(&tight).first(), country) {
                (Some(city), _) => {
                    format!("Around {}, {}", city.name, g.country(city.country).name)
                }
                (None, Some(c)) => c,
                (None, None) => format!(
                    "At sea, {:.1}° {}, {:.1}° {}",
                    lat.abs(),
                    if lat >= 0.0 { "N" } else { "S" },
                    lon.abs(),
                    if lon >= 0.0 { "E" } else { "W" }
                ),
            };
            let cells = all
                .iter()
                .filter(|(c, ..)| {
                    let (lon, lat) = centre(*c);
                    (e.lon_min..=e.lon_max).contains(&lon) && (e.lat_min..=e.lat_max).contains(&lat)
                })
                .map(|(c, colour, tip)| ColouredCell {
                    ring: ring(*c),
                    colour: *colour,
                    tip: tip.clone(),
                })
                .collect();
            let places = largest(&e)
                .into_iter()
                .take(10)
                .map(|c| PlaceLabel {
                    name: c.name.clone(),
                    lon: c.point.lon(),
                    lat: c.point.lat(),
                })
                .collect();
            Some(Panel { title, extent: e, cells, places })
        })
        .collect()
}

fn rgb(c: plotters::style::RGBColor) -> [u8; 3] {
    [c.0, c.1, c.2]
}

fn hotspot_closeups(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::closeups::{CloseupsInput, render};
    use chart::hotspot_map::BIN_LABELS;
    use chart::style::RDBU_7;
    let cells = &cx.cells()?.cells;
    let strong: Vec<(h3o::CellIndex, f64)> =
        cells.iter().filter(|c| c.gi.bin >= 2).map(|c| (c.cell, c.gi.z.unwrap_or(0.0))).collect();
    let all: Vec<(h3o::CellIndex, [u8; 3], String)> =
        cells.iter().map(|c| (c.cell, rgb(RDBU_7[(c.gi.bin + 3) as usize]), cell_tip(c))).collect();
    let input = CloseupsInput {
        name: "hotspot_closeups".into(),
        title: "The strongest hot-spot clusters, close up (Getis-Ord Gi*)".into(),
        panels: closeup_panels(cx.gazetteer, &strong, &all),
        legend_heading: "Gi* confidence bin".into(),
        legend: (0..7).map(|i| (rgb(RDBU_7[i]), BIN_LABELS[i].to_string())).collect(),
        empty_reason: "no hot spot at 95% confidence in this run".into(),
    };
    render(&input, &cx.basemap, &cx.caption, cx.size)
}

fn emerging_closeups(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::closeups::{CloseupsInput, render};
    let cube = cx.cube()?;
    let hot = |c: &crate::hotspot::EmergingCell| c.category.label().contains("Hot Spot");
    let strong: Vec<(h3o::CellIndex, f64)> = cube
        .emerging
        .iter()
        .filter(|c| hot(c))
        .map(|c| (c.cell, c.z.iter().flatten().copied().fold(0.0, f64::max).max(0.0) + 1.0))
        .collect();
    let patterned: Vec<&crate::hotspot::EmergingCell> = cube
        .emerging
        .iter()
        .filter(|c| c.category != crate::hotspot::EmergingCategory::NoPattern)
        .collect();
    let all: Vec<(h3o::CellIndex, [u8; 3], String)> = patterned
        .iter()
        .map(|c| (c.cell, rgb(emerging_category(c.category).color()), emerging_tip(c)))
        .collect();
    let mut shown: Vec<chart::emerging_map::EmergingCategory> =
        patterned.iter().map(|c| emerging_category(c.category)).collect();
    shown.sort_by_key(|c| chart::emerging_map::EmergingCategory::ALL.iter().position(|x| x == c));
    shown.dedup();
    let input = CloseupsInput {
        name: "emerging_closeups".into(),
        title: "The strongest emerging hot-spot clusters, close up".into(),
        panels: closeup_panels(cx.gazetteer, &strong, &all),
        legend_heading: "Emerging category".into(),
        legend: shown.iter().map(|c| (rgb(c.color()), c.label().to_string())).collect(),
        empty_reason: "no emerging hot spot in this run".into(),
    };
    render(&input, &cx.basemap, &cx.caption, cx.size)
}

/// An emerging cell's pattern, for hover text.
fn emerging_tip(c: &crate::hotspot::EmergingCell) -> String {
    let trend = c.trend.map_or("-".into(), |t| format!("z = {:.2}, p = {:.3}", t.z, t.p));
    format!("H3 cell {}\n{}\ntrend of Gi* z: {trend}", c.cell, c.category.label())
}

fn emerging_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::emerging_map::{CategorizedCell, EmergingMapInput, render};
    let input = EmergingMapInput {
        title: "Emerging hot spots".into(),
        cells: cx
            .cube()?
            .emerging
            .iter()
            .filter(|c| c.category != crate::hotspot::EmergingCategory::NoPattern)
            .map(|c| CategorizedCell {
                ring: ring(c.cell),
                category: emerging_category(c.category),
                tip: emerging_tip(c),
            })
            .collect(),
        extent: cx.extent(),
    };
    render(&input, &cx.basemap, &cx.caption, cx.size)
}

fn regional_series(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::regional_series::{RegionSeries, RegionalSeriesInput, TrendMark, render};
    let hs = cx.regional()?;
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
    let p = cx.paths()?;
    let net = &p.network.graph;
    // Origin-destination matrix at country level.
    let mut od: BTreeMap<(String, String), f64> = BTreeMap::new();
    for c in p.cases.iter() {
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
    let seqs = path_totals(cx.paths()?, 2, |n| n.iso3.clone());
    let input = TopPathsInput {
        title: "Most travelled diversion paths".into(),
        paths: seqs
            .into_iter()
            .take(10)
            .map(|t| PathRow {
                tip: t.tip("weapons"),
                nodes: t.labels,
                expected_quantity: t.quantity,
            })
            .collect(),
        top_n: 10,
        unit: "weapons".into(),
    };
    render(&input, &cx.caption, cx.size)
}

fn fmt(x: f64) -> String {
    if x.abs() >= 100.0 { format!("{x:.0}") } else { format!("{x:.3}") }
}

/// Renders one registered figure into its step artifact.
pub fn figure_step(spec: &FigureSpec, cx: &FigureContext<'_>) -> FigureStep {
    match (spec.render)(cx) {
        Ok(f) => FigureStep {
            name: spec.name.to_string(),
            figure: Some(Figure {
                name: spec.name.to_string(),
                caption: spec.caption.to_string(),
                ..f
            }),
            error: None,
        },
        Err(e) => FigureStep {
            name: spec.name.to_string(),
            figure: None,
            error: Some(format!("{}: {e}", spec.name)),
        },
    }
}

/// Most points the report's event map carries (a larger run shows every n-th event, in
/// input order, and says so).
pub const EVENT_MAP_POINTS: usize = 20_000;

/// The report's map of dated events: seizures, lootings and conflict events located more
/// finely than their country, coloured by kind, each with its id, date, place and numbers
/// on hover, filtered by date in the page.
pub fn event_map(
    config: &FiguresConfig,
    g: &Gazetteer,
    kinds: &[&crate::ingest::Ingested],
    caption: &Caption,
) -> Result<Figure, ChartError> {
    use crate::records::Location;
    use crate::schema::LocationPrecision;
    use chart::event_map::{EventMapInput, EventPoint, render};
    let mut all: Vec<(usize, &str, crate::date::PartialDate, &Location, String)> = Vec::new();
    for k in kinds {
        for s in &k.seizures {
            all.push((0, &s.id, s.date, &s.location, format!("{} items", s.items())));
        }
        for l in &k.looting {
            let n = l
                .weapons_looted
                .map_or("weapons not reported".into(), |n| format!("{n} weapons looted"));
            all.push((1, &l.id, l.date, &l.location, n));
        }
        for e in &k.events {
            let n = e
                .fatalities
                .map_or("fatalities not reported".into(), |n| format!("{n} fatalities"));
            all.push((2, &e.id, e.date, &e.location, n));
        }
    }
    all.retain(|e| e.3.precision != LocationPrecision::Country);
    let step = all.len().div_ceil(EVENT_MAP_POINTS).max(1);
    let points: Vec<EventPoint> = all
        .iter()
        .step_by(step)
        .map(|(kind, id, date, loc, what)| {
            let place = loc.place.as_deref().unwrap_or_default();
            let country = &g.country(loc.country).name;
            EventPoint {
                lon: loc.point.lon(),
                lat: loc.point.lat(),
                kind: *kind,
                day: date.first_day_epoch(),
                tip: format!(
                    "{} {id}\n{date}\n{}{country}\n{what}",
                    ["seizure", "looting", "conflict event"][*kind],
                    if place.is_empty() { String::new() } else { format!("{place}, ") }
                ),
            }
        })
        .collect();
    let sampled =
        if step > 1 { format!(" (every {step}th of {} events)", all.len()) } else { String::new() };
    let input = EventMapInput {
        title: format!("Seizures, lootings and conflict events{sampled}"),
        kinds: vec!["Seizure".into(), "Looting".into(), "Conflict event".into()],
        points,
        extent: config.extent.map(|[w, s, e, n]| chart::projection::Extent {
            lon_min: w,
            lon_max: e,
            lat_min: s,
            lat_max: n,
        }),
    };
    let f = render(&input, &shapes(g), caption, RenderSize::PRINT)?;
    Ok(Figure {
        caption: "Every event located more finely than its country, by kind; choose the dates above to show those events only.".into(),
        ..f
    })
}

/// Builds the report (`index.html`, `report.md`) from the figure steps, in registry order,
/// and the path, hubs and regional results.
#[allow(clippy::too_many_arguments)]
pub fn report(
    config: &FiguresConfig,
    figures: &[&FigureStep],
    p: &PathsResult,
    h: &HubsResult,
    hs: &HotspotsResult,
    recipients: &Recipients,
    kinds: &[&crate::ingest::Ingested],
    ctx: ReportContext,
) -> Result<report::Report, ReportError> {
    let has_events = kinds.iter().any(|k| !k.events.is_empty());
    let has_transfers = kinds.iter().any(|k| !k.transfers.is_empty());
    let errors: Vec<String> = figures.iter().filter_map(|f| f.error.clone()).collect();
    let figures: Vec<Figure> = figures.iter().filter_map(|f| f.figure.clone()).collect();
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
    let path_rows = seqs
        .iter()
        .take(config.top_n)
        .map(|t| {
            vec![
                t.labels.join(" → "),
                fmt(t.quantity),
                t.cases.to_string(),
                format!("{:.3}", t.probability),
                format!("{:.3}", t.share),
            ]
        })
        .collect();
    let regional_rows = hs
        .regional
        .iter()
        .filter(|r| r.level == RegionLevel::Country)
        .take(config.top_n)
        .map(|r| {
            let mut row = vec![
                r.name.clone(),
                r.seizures.to_string(),
                r.quantity_seized.to_string(),
                r.looting_incidents.to_string(),
                r.weapons_looted.to_string(),
            ];
            if has_events {
                row.extend([r.conflict_events.to_string(), r.fatalities.to_string()]);
            }
            row.push(
                r.trend.map(|t| format!("z = {:.2}, p = {:.3}", t.z, t.p)).unwrap_or_default(),
            );
            row
        })
        .collect();
    let diversion_rows = recipients
        .points
        .iter()
        .take(config.top_n)
        .map(|d| {
            vec![
                d.name.clone(),
                d.iso3.clone(),
                fmt(d.expected),
                fmt(d.after_legal_transfer),
                d.cases_top_path.to_string(),
            ]
        })
        .collect();
    let recipient_rows = recipients
        .totals()
        .iter()
        .take(config.top_n)
        .map(|t| {
            vec![
                t.name.clone(),
                t.iso3.clone(),
                t.items_delivered.to_string(),
                format!("{:.1}", t.tiv_delivered),
                t.seized_last_legal.to_string(),
                t.looted.to_string(),
                fmt(t.diverted_here),
                t.items_to_non_state.to_string(),
            ]
        })
        .collect();
    let mut event_cells: Vec<&crate::hotspot::GiStarCell> =
        hs.event_cells.cells.iter().filter(|c| c.gi.bin > 0).collect();
    event_cells.sort_by(|a, b| {
        b.gi.z.unwrap_or(0.0).total_cmp(&a.gi.z.unwrap_or(0.0)).then(a.cell.cmp(&b.cell))
    });
    let event_rows = event_cells
        .iter()
        .take(config.top_n)
        .map(|c| {
            let (lat, lon) = crate::stages::hotspots::centre(c.cell);
            vec![
                c.cell.to_string(),
                format!("{lat:.3}, {lon:.3}"),
                fmt(c.gi.value),
                c.gi.z.map(|z| format!("{z:.2}")).unwrap_or_default(),
                c.gi.bin.to_string(),
            ]
        })
        .collect();
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut extra = Vec::new();
    if has_transfers {
        extra.push(report::Table {
            title: "Recipients of legal transfers".into(),
            header: strings(&[
                "recipient",
                "ISO3",
                "items delivered",
                "TIV delivered (millions)",
                "seized, last legally held there",
                "looted there",
                "expected weapons diverted there",
                "transferred on to non-state groups",
            ]),
            rows: recipient_rows,
        });
    }
    if has_events {
        extra.push(report::Table {
            title: "Conflict-event hotspots (hot cells, strongest first)".into(),
            header: strings(&["cell", "centre (lat, lon)", "events", "z", "bin"]),
            rows: event_rows,
        });
    }
    let mut caveats = ctx.caveats;
    caveats.extend(errors.iter().map(|e| format!("figure not rendered: {e}")));
    let input = ReportInput {
        title: ctx.title,
        figures,
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
                header: strings(&[
                    "path",
                    "expected weapons",
                    "cases",
                    "mean probability",
                    "mean share",
                ]),
                rows: path_rows,
            },
            report::Table {
                title: "Diversion points".into(),
                header: strings(&[
                    "node",
                    "ISO3",
                    "expected weapons diverted there",
                    "of which after a legal transfer",
                    "cases (top path)",
                ]),
                rows: diversion_rows,
            },
            report::Table {
                title: "Regional hotspots (countries)".into(),
                header: if has_events {
                    strings(&[
                        "country",
                        "seizures",
                        "items seized",
                        "lootings",
                        "weapons looted",
                        "conflict events",
                        "fatalities",
                        "trend (Mann-Kendall)",
                    ])
                } else {
                    strings(&[
                        "country",
                        "seizures",
                        "items seized",
                        "lootings",
                        "weapons looted",
                        "trend (Mann-Kendall)",
                    ])
                },
                rows: regional_rows,
            },
        ],
        rejected: ctx.rejected,
        caveats,
        provenance: ctx.provenance,
        event_map: ctx.event_map,
    };
    let mut input = input;
    input.tables.extend(extra);
    report::build(&input)
}
