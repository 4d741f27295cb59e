//! One function per registered figure: the analysis results mapped onto its chart's
//! input, then drawn; and the report's map of dated events.

use std::collections::BTreeMap;

use super::context::{FigureContext, emerging_category, fmt, path_totals, shapes};
use crate::absent::{
    Absent, NEEDS_CASES, NEEDS_DATED_INCIDENTS, NEEDS_EVENTS, NEEDS_LOCATED_INCIDENTS,
    NEEDS_NETWORK, NEEDS_TRANSFERS,
};
use crate::chart::{self, Caption, ChartError, Figure, RenderSize};
use crate::config::FiguresConfig;
use crate::geo::Gazetteer;
use crate::stages::hotspots::{CellsStep, RegionLevel, ring};
use crate::stages::hubs::{HubRanking, HubsResult};

/// What the flow map draws: expected diversion flows over the cases; without cases, the
/// most probable edges of the reported routes; in a run whose only evidence is transfers,
/// the transfers themselves, supplier to recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlowMode {
    Cases,
    Routes,
    Transfers,
}

/// Whether any edge carries evidence of movement beyond transfers (route reports, seizure
/// chains).
fn movement_evidence(
    net: &petgraph::graph::DiGraph<crate::network::Node, crate::network::Edge>,
) -> bool {
    net.edge_weights().any(|e| e.route_reports + e.seizure_legs + e.import_legs > 0)
}

pub(super) fn flow_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use crate::network::EdgeLayer;
    use chart::flow_map::{Flow, FlowClass, FlowMapInput, Hub, render};
    let (p, h) = (cx.paths()?, cx.hubs()?);
    let node = |i: usize| &p.network.graph[petgraph::graph::NodeIndex::new(i)];
    let net = &p.network.graph;
    type E = petgraph::graph::EdgeIndex;
    let flowing: Vec<E> = net.edge_indices().filter(|e| p.edge_flow[e.index()] > 0.0).collect();
    let traded = |e: E| net[e].transfers + net[e].non_state_transfers > 0;
    let mode = if !flowing.is_empty() {
        FlowMode::Cases
    } else if !movement_evidence(net) && net.edge_indices().any(traded) {
        FlowMode::Transfers
    } else {
        FlowMode::Routes
    };
    let tiv = |e: E| net[e].transfer_tiv + net[e].non_state_tiv;
    let no_tiv = net.edge_indices().filter(|e| traded(*e)).all(|e| tiv(e) == 0.0);
    let deals = |e: E| (net[e].transfers + net[e].non_state_transfers) as f64;
    // Routes: only edges with evidence of illicit movement (never a legal transfer or a
    // border prior), the most probable first, as wide as their evidence.
    let evidence = |e: E| net[e].evidence() as f64;
    let weight = |e: E| match mode {
        FlowMode::Cases => p.edge_flow[e.index()],
        FlowMode::Routes => evidence(e),
        FlowMode::Transfers if no_tiv => deals(e),
        FlowMode::Transfers => tiv(e),
    };
    let mut edges: Vec<E> = match mode {
        FlowMode::Cases => flowing,
        FlowMode::Routes => net
            .edge_indices()
            .filter(|e| matches!(net[*e].layer(), EdgeLayer::Illicit | EdgeLayer::Both))
            .collect(),
        FlowMode::Transfers => net.edge_indices().filter(|e| traded(*e)).collect(),
    };
    if mode == FlowMode::Routes {
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
            let mut tip = format!("{} → {}", net[a].name, net[b].name);
            match mode {
                FlowMode::Cases => tip.push_str(&format!(
                    "\nexpected weapons: {}\nedge probability: {:.3}\nlayer: {}",
                    fmt(weight(*e)),
                    w.p,
                    w.layer().as_str()
                )),
                FlowMode::Routes => tip.push_str(&format!(
                    "\nevidence: {} records\nedge probability: {:.3}\nlayer: {}",
                    w.evidence(),
                    w.p,
                    w.layer().as_str()
                )),
                FlowMode::Transfers => {}
            }
            if w.transfers > 0 {
                let tiv = w.transfer_tiv;
                tip.push_str(&format!(
                    "\ndeliveries between states: {} deals, TIV {tiv:.1}",
                    w.transfers
                ));
            }
            if mode == FlowMode::Transfers && w.non_state_transfers > 0 {
                tip.push_str(&format!(
                    "\ndeliveries to non-state armed groups: {} deals, TIV {:.1}",
                    w.non_state_transfers, w.non_state_tiv
                ));
            }
            let class = usize::from(mode == FlowMode::Transfers && w.non_state_transfers > 0);
            let probability = if mode == FlowMode::Transfers { 1.0 } else { w.p };
            Some(Flow { from: pt(a), to: pt(b), quantity: weight(*e), probability, tip, class })
        })
        .collect::<Vec<_>>();
    let hubs: Vec<Hub> = cx
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
    if flows.is_empty() && hubs.is_empty() {
        return Err(ChartError::NothingToShow(Absent::new("flow map", NEEDS_NETWORK)));
    }
    let hub_label = match h.ranked_by {
        HubRanking::FlowBetweenness => String::new(),
        r => format!("Hub {}", r.measure()),
    };
    let mut input = FlowMapInput {
        flows,
        hubs,
        label_top_n: 8,
        extent: cx.extent(),
        hub_label,
        ..FlowMapInput::default()
    };
    let caption = match mode {
        FlowMode::Cases => {
            input.title = "Expected diversion flows and transit hubs".into();
            input.quantity_unit = "weapons".into();
            String::new()
        }
        FlowMode::Routes => {
            input.title =
                "Most probable network edges of the reported routes (no diversion cases)".into();
            input.quantity_unit = "reports".into();
            input.quantity_label = "Evidence".into();
            input.probability_label = "Edge probability".into();
            "The most probable edges with evidence of illicit movement (route reports), as wide as their evidence, and the nodes most of the most probable routes pass through. The run has no seizure or looting cases, so no flow of diverted weapons is estimated.".into()
        }
        FlowMode::Transfers => {
            let non_state = input.flows.iter().any(|f| f.class == 1);
            input.title = format!(
                "Arms transfers, supplier → recipient, and the leading {}",
                h.ranked_by.nodes_called()
            );
            input.quantity_unit = if no_tiv { "deals".into() } else { "TIV, millions".into() };
            input.quantity_label = "Delivered".into();
            input.fixed_opacity = true;
            input.classes =
                vec![FlowClass { label: "Between states".into(), colour: [0, 114, 178] }];
            if non_state {
                input.classes.push(FlowClass {
                    label: "Incl. non-state groups".into(),
                    colour: [204, 121, 167],
                });
            }
            input.note = "Arrow: supplier → recipient".into();
            format!(
                "Deliveries of the transfer records from supplier to recipient, as wide as {} delivered (the heaviest 60), and the parties that broker the trade (betweenness on the supplier → recipient graph). These are transfers, not diversion: the run has no seizure or looting cases.",
                if no_tiv { "the deals" } else { "the SIPRI trend-indicator value (TIV)" }
            )
        }
    };
    let f = render(&input, &cx.basemap, &cx.caption, cx.size)?;
    Ok(Figure { caption, ..f })
}

/// A hub's values, for hover text: the measures the run has (flow betweenness only with
/// cases, trade brokerage only with transfers).
fn hub_tip(h: &HubsResult, n: &crate::network::Node, i: usize) -> String {
    let mut tip = format!("{} ({})\nrank: {}", n.name, n.iso3, h.rank[i]);
    if h.has_cases {
        tip.push_str(&format!("\nflow betweenness: {}", fmt(h.flow[i])));
    }
    if let Some(t) = &h.trade_brokerage {
        tip.push_str(&format!("\ntrade brokerage: {} pairs", fmt(t[i])));
    }
    tip.push_str(&format!(
        "\nbetweenness: {:.4}\nPageRank: {:.4}",
        h.betweenness[i], h.pagerank[i]
    ));
    tip
}

pub(super) fn top_hubs(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::top_hubs::{HubBar, TopHubsInput, render};
    let (p, h) = (cx.paths()?, cx.hubs()?);
    let node = |i: usize| &p.network.graph[petgraph::graph::NodeIndex::new(i)];
    let top_n = cx.top_n();
    let (by, measure, caption) = match h.ranked_by {
        HubRanking::FlowBetweenness => {
            ("flow betweenness", "Flow betweenness (weapons routed through the node)", "")
        }
        HubRanking::Betweenness => (
            "betweenness (no diversion cases)",
            "Betweenness (share of most probable routes through the node)",
            "Nodes ranked by betweenness over the most probable routes of the evidence (route reports); the run has no seizure or looting cases, so no flow of diverted weapons is measured.",
        ),
        HubRanking::TradeBrokerage => (
            "trade brokerage",
            "Trade brokerage (supplier-recipient pairs whose shortest delivery chain passes through the party)",
            "Parties ranked by trade brokerage: betweenness on the supplier → recipient graph of the transfers, each delivery one hop. A party scores when it imports from some and supplies others. It is a position in the trade, not evidence of diversion: the run has no seizure or looting cases.",
        ),
    };
    let bars: Vec<HubBar> = cx
        .top_hub_nodes()?
        .into_iter()
        .map(|i| HubBar {
            name: format!("{} ({})", node(i).name, node(i).iso3),
            value: h.score(i),
            tip: hub_tip(h, node(i), i),
        })
        .collect();
    if bars.is_empty() {
        let what = h.ranking_name();
        return Err(ChartError::NothingToShow(Absent::new(what, NEEDS_NETWORK)));
    }
    let input = TopHubsInput {
        title: format!("Top {} {} by {by}", top_n.min(bars.len()), h.ranked_by.nodes_called()),
        measure: measure.into(),
        hubs: bars,
        top_n,
    };
    let f = render(&input, &cx.caption, cx.size)?;
    Ok(Figure { caption: caption.into(), ..f })
}

/// A Gi* cell's values, for hover text.
pub(super) fn cell_tip(c: &crate::hotspot::GiStarCell) -> String {
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

pub(super) fn hotspot_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    let cells = cx.cells()?;
    let what = "hot or cold spots of seizures and lootings";
    no_significant_cells(cells, what, NEEDS_LOCATED_INCIDENTS, "seizures or looting incidents")?;
    binned_map(cx, cells, "Hot and cold spots (Getis-Ord Gi*, FDR-adjusted)")
}

pub(super) fn event_hotspot_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    let cells = cx.event_cells()?;
    no_significant_cells(
        cells,
        "conflict-event hot or cold spots",
        NEEDS_EVENTS,
        "conflict events",
    )?;
    let f =
        binned_map(cx, cells, "Conflict-event hot and cold spots (Getis-Ord Gi*, FDR-adjusted)")?;
    Ok(Figure { name: "event_hotspot_map".into(), ..f })
}

/// `Err(NothingToShow)` when no cell of `cells` is significant: without cells, `needs`;
/// with cells none of which is, more located `records`.
fn no_significant_cells(
    cells: &CellsStep,
    what: &str,
    needs: &str,
    records: &str,
) -> Result<(), ChartError> {
    if cells.cells.iter().any(|c| c.gi.bin != 0) {
        return Ok(());
    }
    let needs = if cells.cells.is_empty() {
        needs.to_string()
    } else {
        format!(
            "more located {records}: none of the {} cells is significant after false discovery rate control",
            cells.cells.len()
        )
    };
    Err(ChartError::NothingToShow(Absent::new(what, needs)))
}

pub(super) fn recipients(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::recipients::{RecipientBar, RecipientsInput, render};
    let totals = cx.recipients()?.totals();
    if totals.is_empty() {
        let what = "recipients of legal transfers";
        return Err(ChartError::NothingToShow(Absent::new(what, NEEDS_TRANSFERS)));
    }
    // Transfers are valued in SIPRI TIV; data without any TIV are shown in deals instead.
    let no_tiv = totals.iter().all(|t| t.tiv_delivered == 0.0 && t.tiv_to_non_state == 0.0)
        && totals.iter().any(|t| t.deals + t.transfers_to_non_state > 0);
    let bars: Vec<RecipientBar> = totals
        .into_iter()
        .map(|t| RecipientBar {
            name: format!("{} ({})", t.name, t.iso3),
            delivered: if no_tiv { t.deals as f64 } else { t.tiv_delivered },
            seized: t.seized_last_legal as f64,
            looted: t.looted as f64,
            diverted: t.diverted_here,
            to_non_state: if no_tiv { t.transfers_to_non_state as f64 } else { t.tiv_to_non_state },
        })
        .collect();
    let value_label = if no_tiv { "deals (the data carry no TIV)" } else { "" };
    // Without seizures or lootings, no evidence points back to a recipient.
    let transfers_only =
        bars.iter().all(|b: &RecipientBar| b.seized + b.looted + b.diverted == 0.0);
    let input = RecipientsInput {
        title: String::new(),
        recipients: bars,
        top_n: cx.top_n(),
        value_label: value_label.into(),
        transfers_only,
    };
    let f = render(&input, &cx.caption, cx.size)?;
    let caption = if transfers_only {
        "Legal deliveries to each recipient, and its own deliveries to non-state armed groups. No seizure or looting of the run points back to a recipient, so no diversion evidence is shown."
    } else {
        ""
    };
    Ok(Figure { caption: caption.into(), ..f })
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

/// An emerging cell's pattern, for hover text.
pub(super) fn emerging_tip(c: &crate::hotspot::EmergingCell) -> String {
    let trend = c.trend.map_or("-".into(), |t| format!("z = {:.2}, p = {:.3}", t.z, t.p));
    format!("H3 cell {}\n{}\ntrend of Gi* z: {trend}", c.cell, c.category.label())
}

/// The records of a hotspot layer, in the words of an absent part's line.
#[derive(Debug, Clone, Copy)]
pub(super) struct LayerWords {
    /// The records, plural (`seizures or looting incidents`).
    pub plural: &'static str,
    /// What a prefix of the part's name says of the layer (`conflict-event `, or nothing).
    pub prefix: &'static str,
    /// The input that fills the layer's cells.
    pub needs_located: &'static str,
    /// The input that fills the layer's space-time cube.
    pub needs_dated: &'static str,
}

/// Seizures and looting incidents.
pub(super) const INCIDENTS: LayerWords = LayerWords {
    plural: "seizures or looting incidents",
    prefix: "",
    needs_located: NEEDS_LOCATED_INCIDENTS,
    needs_dated: NEEDS_DATED_INCIDENTS,
};

/// Conflict events.
pub(super) const EVENTS: LayerWords = LayerWords {
    plural: "conflict events",
    prefix: "conflict-event ",
    needs_located: NEEDS_EVENTS,
    needs_dated: NEEDS_EVENTS,
};

/// Why a space-time cube of `layer` shows no emerging pattern (`what` follows the layer's
/// prefix).
pub(super) fn no_emerging(
    cube: &crate::stages::hotspots::CubeStep,
    layer: LayerWords,
    what: &str,
) -> Absent {
    let needs = if cube.emerging.is_empty() {
        layer.needs_dated.to_string()
    } else {
        format!(
            "more dated and located {}: none of the {} cells of the space-time cube shows a pattern",
            layer.plural,
            cube.emerging.len()
        )
    };
    Absent::new(format!("{}{what}", layer.prefix), needs)
}

pub(super) fn emerging_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    categorized_map(cx, cx.cube()?, INCIDENTS, "Emerging hot spots")
}

pub(super) fn event_emerging_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    let cube = cx.event_cube()?;
    let title =
        format!("Emerging conflict-event hot spots ({} per {})", weighed(cx)?, step_of(cube));
    let f = categorized_map(cx, cube, EVENTS, &title)?;
    Ok(Figure { name: "event_emerging_map".into(), ..f })
}

/// What a conflict event weighs in this run's figures, in words.
pub(super) fn weighed(cx: &FigureContext<'_>) -> Result<&'static str, ChartError> {
    use crate::config::ConflictWeight as W;
    Ok(match cx.regional()?.event_weight {
        W::Count => "events",
        W::Fatalities => "fatalities, best estimate",
        W::FatalitiesLow => "fatalities, low estimate",
        W::FatalitiesHigh => "fatalities, high estimate",
    })
}

/// The time step of a cube, in words (`year`), from its first label.
fn step_of(cube: &crate::stages::hotspots::CubeStep) -> &'static str {
    match cube.steps.first().map(|s| s.len()) {
        Some(4) => "year",
        Some(7) if cube.steps[0].contains('Q') => "quarter",
        Some(7) => "month",
        _ => "step",
    }
}

fn categorized_map(
    cx: &FigureContext<'_>,
    cube: &crate::stages::hotspots::CubeStep,
    layer: LayerWords,
    title: &str,
) -> Result<Figure, ChartError> {
    use chart::emerging_map::{CategorizedCell, EmergingMapInput, render};
    if cube.emerging.iter().all(|c| c.category == crate::hotspot::EmergingCategory::NoPattern) {
        let absent = no_emerging(cube, layer, "emerging hot or cold spots");
        return Err(ChartError::NothingToShow(absent));
    }
    let input = EmergingMapInput {
        title: title.into(),
        cells: cube
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

pub(super) fn regional_series(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::regional_series::{RegionSeries, RegionalSeriesInput, TrendMark, render};
    let hs = cx.regional()?;
    // Only regions with seizures or looted weapons in their series: a region known from
    // conflict events alone has no line to draw here.
    let drawn = |r: &&crate::stages::hotspots::Regional| {
        r.series_seizures.iter().chain(&r.series_looted).any(|v| *v > 0.0)
    };
    let regions: Vec<RegionSeries> = hs
        .regional
        .iter()
        .filter(|r| r.level == RegionLevel::Subregion)
        .filter(drawn)
        .take(6)
        .map(|r| RegionSeries {
            region: r.name.clone(),
            seizures: r.series_seizures.clone(),
            looted: r.series_looted.clone(),
            seizures_trend: r.trend.map(|t| TrendMark { z: t.z, p: t.p }),
            looted_trend: None,
        })
        .collect();
    if regions.is_empty() {
        let what = "regional series of seizures and lootings";
        return Err(ChartError::NothingToShow(Absent::new(what, NEEDS_DATED_INCIDENTS)));
    }
    let input = RegionalSeriesInput {
        title: format!(
            "Seizures and looted weapons per {} in the leading subregions",
            hs.regional_step
        ),
        months: hs.regional_steps.clone(),
        regions,
        looted_unit: "weapons".into(),
        alpha: 0.05,
        names: None,
    };
    render(&input, &cx.caption, cx.size)
}

pub(super) fn event_regional_series(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::regional_series::{RegionSeries, RegionalSeriesInput, TrendMark, render};
    let hs = cx.regional()?;
    let counted = hs.event_weight == crate::config::ConflictWeight::Count;
    let mut leading: Vec<&crate::stages::hotspots::Regional> =
        hs.regional.iter().filter(|r| r.conflict_events > 0).collect();
    // Countries when the events are in a few, else subregions; most weighed first.
    let countries = leading.iter().filter(|r| r.level == RegionLevel::Country).count();
    let level = if countries <= 6 { RegionLevel::Country } else { RegionLevel::Subregion };
    leading.retain(|r| r.level == level);
    leading
        .sort_by(|a, b| b.events_weighted.total_cmp(&a.events_weighted).then(a.name.cmp(&b.name)));
    let name = |r: &crate::stages::hotspots::Regional| match level {
        RegionLevel::Country => cx
            .gazetteer
            .countries()
            .iter()
            .find(|c| c.iso3 == r.name)
            .map_or_else(|| r.name.clone(), |c| c.name.clone()),
        _ => r.name.clone(),
    };
    let mark =
        |r: &crate::stages::hotspots::Regional| r.event_trend.map(|t| TrendMark { z: t.z, p: t.p });
    if leading.is_empty() {
        let what = "regional series of conflict events";
        return Err(ChartError::NothingToShow(Absent::new(what, NEEDS_EVENTS)));
    }
    let regions = leading
        .iter()
        .take(6)
        .map(|r| RegionSeries {
            region: name(r),
            seizures: r.series_events.clone(),
            looted: r.series_deaths.clone(),
            seizures_trend: if counted { mark(r) } else { None },
            looted_trend: if counted { None } else { mark(r) },
        })
        .collect();
    let estimate = match hs.event_weight {
        crate::config::ConflictWeight::FatalitiesLow => "low estimate",
        crate::config::ConflictWeight::FatalitiesHigh => "high estimate",
        _ => "best estimate",
    };
    let input = RegionalSeriesInput {
        title: format!(
            "Conflict events and fatalities per {} in the leading {}",
            hs.regional_step,
            if level == RegionLevel::Country { "countries" } else { "subregions" }
        ),
        months: hs.event_steps.clone(),
        regions,
        looted_unit: String::new(),
        alpha: 0.05,
        names: Some(chart::regional_series::SeriesNames {
            left: "Conflict events".into(),
            right: format!("Fatalities, {estimate}"),
            right_unit: "deaths".into(),
        }),
    };
    let f = render(&input, &cx.caption, cx.size)?;
    Ok(Figure { name: "event_regional_series".into(), ..f })
}

pub(super) fn od_matrix(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
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
    if od.is_empty() {
        let what = "origin-destination matrix of diverted weapons";
        return Err(ChartError::NothingToShow(Absent::new(what, NEEDS_CASES)));
    }
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
        ..OdMatrixInput::default()
    };
    render(&input, &cx.caption, cx.size)
}

pub(super) fn top_paths(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::top_paths::{PathRow, TopPathsInput, render};
    // Expected quantity per distinct node sequence.
    let seqs = path_totals(cx.paths()?, 2, |n| n.iso3.clone());
    if seqs.is_empty() {
        return Err(ChartError::NothingToShow(Absent::new("diversion paths", NEEDS_CASES)));
    }
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
        ..TopPathsInput::default()
    };
    render(&input, &cx.caption, cx.size)
}

/// Most points the report's event map carries (a larger run shows every n-th event, in
/// input order, and says so).
pub const EVENT_MAP_POINTS: usize = 20_000;

/// The report's map of dated events: seizures, lootings and conflict events located more
/// finely than their country, coloured by kind, each with its id, date, place and numbers
/// on hover, filtered by date in the page; `caption` is the run's, given the period of
/// the events shown. Without any such event, [`ChartError::NothingToShow`].
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
    if all.is_empty() {
        let needs = "seizures, looting incidents or conflict events located below country level ([[inputs.seizures]], [[inputs.looting]], [[inputs.events]])";
        return Err(ChartError::NothingToShow(Absent::new("map of dated events", needs)));
    }
    // Captioned with the period of the events it shows.
    let mut span = crate::period::Span::default();
    all.iter().for_each(|e| span.see(e.2));
    let caption = Caption { date_range: crate::period::label(span.period()), ..caption.clone() };
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
    let f = render(&input, &shapes(g), &caption, RenderSize::PRINT)?;
    Ok(Figure {
        caption: "Every event located more finely than its country, by kind; choose the dates above to show those events only.".into(),
        ..f
    })
}
