//! What every figure is drawn from: the analysis results a figure step reads
//! ([`Results`], by [`Need`]), the caption (the run's, with the period of the data the
//! figure draws: [`PeriodOf`]) and basemap ([`FigureContext`]), and the small helpers the
//! figures and the report share.

use std::collections::{BTreeMap, HashMap};

use petgraph::graph::NodeIndex;

use crate::chart::{self, Caption, ChartError, Figure, RenderSize, basemap::Shape};
use crate::clock::Dated;
use crate::config::FiguresConfig;
use crate::geo::Gazetteer;
use crate::period::Period;
use crate::retransfers::Retransfers;
use crate::stages::dyads::Dyads;
use crate::stages::hotspots::{CellsStep, CubeStep, HotspotsResult, RegionalStep};
use crate::stages::hubs::HubsResult;
use crate::stages::paths::PathsResult;
use crate::stages::recipients::Recipients;

/// The artifact of a figure step: the figure, or why it is left out (it has nothing to
/// show) or could not be drawn (one failed figure does not stop the run; the report says
/// which are missing and why).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FigureStep {
    /// The registry name.
    pub name: String,
    /// The figure, when it has something to show and could be drawn.
    pub figure: Option<Figure>,
    /// Why it could not be drawn.
    pub error: Option<String>,
    /// Left out: nothing to show, and the input that would fill it (no file is written).
    #[serde(default)]
    pub absent: Option<crate::absent::Absent>,
}

/// The country polygons of the gazetteer, drawn under the maps.
pub(crate) fn shapes(g: &Gazetteer) -> Vec<Shape> {
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

pub(crate) fn emerging_category(
    c: crate::hotspot::EmergingCategory,
) -> chart::emerging_map::EmergingCategory {
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
    /// The conflict-event cube step.
    pub event_cube: Option<CubeStep>,
    /// The recipients step.
    pub recipients: Option<&'a Recipients>,
    /// The risk step.
    pub risk: Option<&'a crate::risk::RiskResult>,
    /// The dyads step.
    pub dyads: Option<&'a Dyads>,
    /// The re-transfer chains step.
    pub retransfers: Option<&'a Retransfers>,
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
            event_cube: Some(hotspots.event_cube.clone()),
            recipients: Some(recipients),
            risk: None,
            dyads: None,
            retransfers: None,
        }
    }

    /// The same with the risk screen.
    pub fn with_risk(self, risk: &'a crate::risk::RiskResult) -> Self {
        Results { risk: Some(risk), ..self }
    }

    /// The same with the dyads and the re-transfer chains.
    pub fn with_transfers(self, dyads: &'a Dyads, retransfers: &'a Retransfers) -> Self {
        Results { dyads: Some(dyads), retransfers: Some(retransfers), ..self }
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
    /// The conflict-event cube step.
    EventCube,
    /// The recipients step.
    Recipients,
    /// The risk step.
    Risk,
    /// The dyads step.
    Dyads,
    /// The re-transfer chains step.
    Retransfers,
}

fn missing(what: &str) -> ChartError {
    ChartError::InvalidInput(format!(
        "the figure reads {what}, which its registry entry does not name"
    ))
}

/// The caption line of a run's figures: the title, the divnet version, the number of input
/// files and the date the figures are dated by. Each figure adds the period of the data it
/// draws ([`PeriodOf`], [`figure_caption`]).
pub fn run_caption(title: &str, files: usize, dated: &Dated) -> Caption {
    Caption {
        source: format!("{title} · divnet {} · {files} input file(s)", env!("CARGO_PKG_VERSION")),
        date_range: String::new(),
        dated: dated.label(),
    }
}

/// Which data a figure draws, for the period its caption gives: the first and last date of
/// exactly those records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodOf {
    /// The records the network was built from (seizures, looting incidents, route reports,
    /// transfers).
    Network,
    /// The diversion cases: their seizures and the incidents they are traced or linked to.
    Cases,
    /// The seizures and looting incidents binned into the hotspot cells.
    Cells,
    /// The seizures and looting incidents in the space-time cube.
    Cube,
    /// The seizures and looting incidents of the regional series.
    Series,
    /// The conflict events binned into their cells.
    EventCells,
    /// The conflict events in their space-time cube.
    EventCube,
    /// The conflict events of the regional series.
    EventSeries,
    /// The years of the recipients table.
    Recipients,
    /// The windows of the risk screen.
    Risk,
    /// The delivery years of the dyads.
    Dyads,
    /// The years of the re-transfer chains: first import to last onward delivery.
    Retransfers,
}

impl PeriodOf {
    /// The result the period is read from (a figure's entry must need it).
    pub fn need(self) -> Need {
        match self {
            PeriodOf::Network | PeriodOf::Cases => Need::Paths,
            PeriodOf::Cells => Need::Cells,
            PeriodOf::Cube => Need::Cube,
            PeriodOf::Series => Need::Regional,
            PeriodOf::EventCells => Need::EventCells,
            PeriodOf::EventCube => Need::EventCube,
            PeriodOf::EventSeries => Need::Regional,
            PeriodOf::Recipients => Need::Recipients,
            PeriodOf::Risk => Need::Risk,
            PeriodOf::Dyads => Need::Dyads,
            PeriodOf::Retransfers => Need::Retransfers,
        }
    }

    /// The period, from the results (`None`: no dated record, or the result is absent).
    pub fn of(self, r: &Results<'_>) -> Option<Period> {
        match self {
            PeriodOf::Network => r.paths.and_then(|p| p.network_period),
            PeriodOf::Cases => r.paths.and_then(|p| p.cases_period),
            PeriodOf::Cells => r.cells.as_ref().and_then(|c| c.period),
            PeriodOf::Cube => r.cube.as_ref().and_then(|c| c.period),
            PeriodOf::Series => r.regional.as_ref().and_then(|c| c.period),
            PeriodOf::EventCells => r.event_cells.as_ref().and_then(|c| c.period),
            PeriodOf::EventCube => r.event_cube.as_ref().and_then(|c| c.period),
            PeriodOf::EventSeries => r.regional.as_ref().and_then(|c| c.event_period),
            PeriodOf::Recipients => r.recipients.and_then(|c| c.period),
            PeriodOf::Risk => r.risk.and_then(crate::stages::risk::period),
            PeriodOf::Dyads => r.dyads.and_then(|c| c.period),
            PeriodOf::Retransfers => r.retransfers.and_then(chains_period),
        }
    }
}

/// The years of the re-transfer chains: the first import's first delivery year to the last
/// onward delivery year.
fn chains_period(r: &Retransfers) -> Option<Period> {
    let mut span = crate::period::Span::default();
    for c in &r.chains {
        for y in [c.import.first_year, c.onward.last_year] {
            if let Ok(d) = crate::date::PartialDate::year(y) {
                span.see(d);
            }
        }
    }
    span.period()
}

/// The run's caption with the period of the data a figure draws.
pub fn figure_caption(run: &Caption, period: PeriodOf, r: &Results<'_>) -> Caption {
    Caption { date_range: crate::period::label(period.of(r)), ..run.clone() }
}

/// A distinct path (by node labels) over every case: expected quantity, the cases it
/// serves, and its mean probability and share over them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PathTotal {
    pub(crate) labels: Vec<String>,
    pub(crate) quantity: f64,
    pub(crate) cases: u64,
    pub(crate) probability: f64,
    pub(crate) share: f64,
}

impl PathTotal {
    /// The hover text: the legs, then the numbers.
    pub(crate) fn tip(&self, unit: &str) -> String {
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
pub(crate) fn path_totals(
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
    /// The caption line under the figure.
    pub caption: Caption,
    /// Country polygons drawn under the maps.
    pub basemap: std::sync::Arc<Vec<Shape>>,
    /// Raster size of the PNGs (and the SVG canvas).
    pub size: RenderSize,
    /// The gazetteer (place labels of the close-ups).
    pub gazetteer: &'a Gazetteer,
}

impl<'a> FigureContext<'a> {
    /// The context of a figure at print size, captioned by `caption` (see
    /// [`figure_caption`]).
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
            basemap: std::sync::Arc::new(shapes(g)),
            size: RenderSize::PRINT,
            gazetteer: g,
        }
    }

    pub(crate) fn paths(&self) -> Result<&'a PathsResult, ChartError> {
        self.results.paths.ok_or_else(|| missing("the paths"))
    }

    pub(crate) fn hubs(&self) -> Result<&'a HubsResult, ChartError> {
        self.results.hubs.ok_or_else(|| missing("the hubs"))
    }

    pub(crate) fn cells(&self) -> Result<&CellsStep, ChartError> {
        self.results.cells.as_ref().ok_or_else(|| missing("the hotspot cells"))
    }

    pub(crate) fn cube(&self) -> Result<&CubeStep, ChartError> {
        self.results.cube.as_ref().ok_or_else(|| missing("the space-time cube"))
    }

    pub(crate) fn regional(&self) -> Result<&RegionalStep, ChartError> {
        self.results.regional.as_ref().ok_or_else(|| missing("the regional series"))
    }

    pub(crate) fn event_cells(&self) -> Result<&CellsStep, ChartError> {
        self.results.event_cells.as_ref().ok_or_else(|| missing("the conflict-event cells"))
    }

    pub(crate) fn event_cube(&self) -> Result<&CubeStep, ChartError> {
        self.results.event_cube.as_ref().ok_or_else(|| missing("the conflict-event cube"))
    }

    pub(crate) fn recipients(&self) -> Result<&'a Recipients, ChartError> {
        self.results.recipients.ok_or_else(|| missing("the recipients"))
    }

    pub(crate) fn risk(&self) -> Result<&'a crate::risk::RiskResult, ChartError> {
        self.results.risk.ok_or_else(|| missing("the risk screen"))
    }

    pub(crate) fn dyads(&self) -> Result<&'a Dyads, ChartError> {
        self.results.dyads.ok_or_else(|| missing("the dyads"))
    }

    pub(crate) fn retransfers(&self) -> Result<&'a Retransfers, ChartError> {
        self.results.retransfers.ok_or_else(|| missing("the re-transfer chains"))
    }

    pub(crate) fn top_n(&self) -> usize {
        self.config.top_n.max(1)
    }

    pub(crate) fn extent(&self) -> Option<chart::projection::Extent> {
        self.config.extent.map(|[w, s, e, n]| chart::projection::Extent {
            lon_min: w,
            lon_max: e,
            lat_min: s,
            lat_max: n,
        })
    }

    /// The top nodes by the hubs ranking measure (nodes scoring above zero only), best first.
    pub(crate) fn top_hub_nodes(&self) -> Result<Vec<usize>, ChartError> {
        let (p, h) = (self.paths()?, self.hubs()?);
        let mut ranked: Vec<usize> =
            (0..p.network.graph.node_count()).filter(|&i| h.score(i) > 0.0).collect();
        ranked.sort_by_key(|&i| h.rank[i]);
        ranked.truncate(self.top_n());
        Ok(ranked)
    }
}

pub(crate) fn fmt(x: f64) -> String {
    if x.abs() >= 100.0 { format!("{x:.0}") } else { format!("{x:.3}") }
}
