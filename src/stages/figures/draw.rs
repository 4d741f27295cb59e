//! One function per registered figure: the analysis results mapped onto its chart's
//! input, then drawn; and the report's map of dated events.

use std::collections::BTreeMap;

use super::context::{FigureContext, emerging_category, fmt, path_totals, shapes};
use crate::chart::{self, Caption, ChartError, Figure, RenderSize};
use crate::config::FiguresConfig;
use crate::geo::Gazetteer;
use crate::stages::hotspots::{CellsStep, RegionLevel, ring};
use crate::stages::hubs::HubsResult;

pub(super) fn flow_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
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
            let mut tip = format!(
                "{} → {}\n{amount}\nedge probability: {:.3}\nlayer: {}",
                net[a].name,
                net[b].name,
                w.p,
                w.layer().as_str()
            );
            if w.transfers > 0 {
                let tiv = w.transfer_tiv;
                tip.push_str(&format!("\nlegal transfers: {} deals, TIV {tiv:.1}", w.transfers));
            }
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

pub(super) fn top_hubs(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
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
    binned_map(cx, cx.cells()?, "Hot and cold spots (Getis-Ord Gi*, FDR-adjusted)")
}

pub(super) fn event_hotspot_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    let f = binned_map(
        cx,
        cx.event_cells()?,
        "Conflict-event hot and cold spots (Getis-Ord Gi*, FDR-adjusted)",
    )?;
    Ok(Figure { name: "event_hotspot_map".into(), ..f })
}

pub(super) fn recipients(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::recipients::{RecipientBar, RecipientsInput, render};
    let totals = cx.recipients()?.totals();
    // Transfers are valued in SIPRI TIV; data without any TIV are shown in deals instead.
    let no_tiv = totals.iter().all(|t| t.tiv_delivered == 0.0 && t.tiv_to_non_state == 0.0)
        && totals.iter().any(|t| t.deals + t.transfers_to_non_state > 0);
    let bars = totals
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
    let input = RecipientsInput {
        title: String::new(),
        recipients: bars,
        top_n: cx.top_n(),
        value_label: value_label.into(),
    };
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

/// An emerging cell's pattern, for hover text.
pub(super) fn emerging_tip(c: &crate::hotspot::EmergingCell) -> String {
    let trend = c.trend.map_or("-".into(), |t| format!("z = {:.2}, p = {:.3}", t.z, t.p));
    format!("H3 cell {}\n{}\ntrend of Gi* z: {trend}", c.cell, c.category.label())
}

pub(super) fn emerging_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    categorized_map(cx, cx.cube()?, "Emerging hot spots")
}

pub(super) fn event_emerging_map(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    let cube = cx.event_cube()?;
    let title =
        format!("Emerging conflict-event hot spots ({} per {})", weighed(cx)?, step_of(cube));
    let f = categorized_map(cx, cube, &title)?;
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
    title: &str,
) -> Result<Figure, ChartError> {
    use chart::emerging_map::{CategorizedCell, EmergingMapInput, render};
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

pub(super) fn top_paths(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
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

/// Most points the report's event map carries (a larger run shows every n-th event, in
/// input order, and says so).
pub const EVENT_MAP_POINTS: usize = 20_000;

/// The report's map of dated events: seizures, lootings and conflict events located more
/// finely than their country, coloured by kind, each with its id, date, place and numbers
/// on hover, filtered by date in the page; `caption` is the run's, given the period of
/// the events shown.
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
