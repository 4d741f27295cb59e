//! The run report's content: the tables, caveats and provenance of `index.html` and
//! `report.md`, assembled from the analysis results and the figure steps. Rendering them
//! (HTML, Markdown, escaping) is [`crate::report`]'s job.

use std::collections::BTreeMap;

use crate::absent::{Absent, NEEDS_CASES, NEEDS_EVENTS, NEEDS_NETWORK, NEEDS_TRANSFERS};
use crate::chart::Figure;
use crate::clock::Dated;
use crate::config::FiguresConfig;
use crate::ingest::{Ingested, joined_reports};
use crate::network::EdgeLayer;
use crate::report::{self, ReportError, ReportInput};
use crate::stages::figures::{FigureStep, fmt, path_totals};
use crate::stages::hotspots::{HotspotsResult, RegionLevel};
use crate::stages::hubs::{HubRanking, HubsResult};
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
    /// Tables a step adds after the others (the risk screen's).
    pub extra_tables: Vec<report::Table>,
    /// Parts left out for want of data (the event map without located events), listed
    /// after the figures' lines.
    pub absent: Vec<Absent>,
}

/// Builds the report (`index.html`, `report.md`) from the figure steps, in registry order,
/// and the path, hubs, regional and transfer results (the dyads and the re-transfer
/// chains).
#[allow(clippy::too_many_arguments)]
pub fn report(
    config: &FiguresConfig,
    figures: &[&FigureStep],
    p: &PathsResult,
    h: &HubsResult,
    hs: &HotspotsResult,
    recipients: &Recipients,
    transfers: (&crate::stages::dyads::Dyads, &crate::retransfers::Retransfers),
    kinds: &[&Ingested],
    ctx: ReportContext,
) -> Result<report::Report, ReportError> {
    let has_events = kinds.iter().any(|k| !k.events.is_empty());
    let has_transfers = kinds.iter().any(|k| !k.transfers.is_empty());
    let has_incidents = kinds.iter().any(|k| !k.seizures.is_empty() || !k.looting.is_empty());
    let has_cases = !p.cases.is_empty();
    let errors: Vec<String> = figures.iter().filter_map(|f| f.error.clone()).collect();
    let mut absent_figures: Vec<Absent> = figures.iter().filter_map(|f| f.absent.clone()).collect();
    absent_figures.extend(ctx.absent);
    let figures: Vec<Figure> = figures.iter().filter_map(|f| f.figure.clone()).collect();
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut input = ReportInput {
        title: ctx.title,
        figures,
        embed: report::FigureEmbed::Svg,
        figure_dir: "figures".into(),
        rejected: ctx.rejected,
        provenance: ctx.provenance,
        event_map: ctx.event_map,
        absent: absent_figures,
        ..ReportInput::default()
    };
    let (hubs, hubs_absent) = hubs_table(config, p, h);
    input.table_or_absent(hubs, hubs_absent);
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
    input.table_or_absent(
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
        Absent::new("diversion paths", NEEDS_CASES),
    );
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
    input.table_or_absent(
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
        Absent::new("diversion points", NEEDS_CASES),
    );
    input.table_or_absent(
        regional_table(config, hs, has_incidents, has_events),
        Absent::new("regional aggregates", NEEDS_REGIONAL),
    );
    // The evidence pointing back to a recipient exists only with seizures or lootings.
    let recipient_rows = recipients
        .totals()
        .iter()
        .take(config.top_n)
        .map(|t| {
            let mut row = vec![
                t.name.clone(),
                t.iso3.clone(),
                t.deals.to_string(),
                format!("{:.1}", t.tiv_delivered),
                t.transfers_to_non_state.to_string(),
                format!("{:.1}", t.tiv_to_non_state),
            ];
            if has_incidents {
                row.extend([
                    t.seized_last_legal.to_string(),
                    t.looted.to_string(),
                    fmt(t.diverted_here),
                ]);
            }
            row
        })
        .collect();
    let mut header = vec![
        "recipient",
        "ISO3",
        "deals",
        "TIV delivered (millions)",
        "deals with non-state groups",
        "TIV to non-state groups (millions)",
    ];
    if has_incidents {
        header.extend([
            "seized, last legally held there",
            "looted there",
            "expected weapons diverted there",
        ]);
    }
    input.table_or_absent(
        report::Table {
            title: "Recipients of legal transfers".into(),
            header: strings(&header),
            rows: if has_transfers { recipient_rows } else { Vec::new() },
        },
        Absent::new("recipients of legal transfers", NEEDS_TRANSFERS),
    );
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
    let cells = hs.event_cells.cells.len();
    let event_needs = if cells == 0 {
        NEEDS_EVENTS.to_string()
    } else {
        format!(
            "more located conflict events: none of the {cells} cells is a hot spot after false discovery rate control"
        )
    };
    let weight = hs.event_weight.as_str();
    let counted = hs.event_weight == crate::config::ConflictWeight::Count;
    let value = if counted { "events" } else { weight };
    input.table_or_absent(
        report::Table {
            title: format!(
                "Conflict-event hotspots (hot cells, strongest first; weight: {weight})"
            ),
            header: strings(&["cell", "centre (lat, lon)", value, "z", "bin"]),
            rows: event_rows,
        },
        // Without events, the line of the event map (one line for both).
        Absent::new(
            if cells == 0 {
                "conflict-event hot or cold spots"
            } else {
                "conflict-event hot spots"
            },
            event_needs,
        ),
    );
    if has_events {
        let [trends, emerging] = event_tables(config, hs);
        input.table_or_absent(trends, Absent::new("conflict-event trends", NEEDS_EVENTS));
        let needs = format!(
            "more dated and located conflict events: none of the {} cells of the space-time cube shows a pattern",
            hs.event_cube.emerging.len()
        );
        input.table_or_absent(emerging, Absent::new("emerging conflict-event hot spots", needs));
    }
    let mut caveats = ctx.caveats;
    let (transfer_tables, transfer_lines) =
        crate::stages::transfer_report::transfer_sections(config.top_n, transfers.0, transfers.1);
    input.tables.extend(transfer_tables);
    input.tables.extend(ctx.extra_tables);
    caveats.extend(transfer_lines);
    if !has_cases {
        caveats.insert(0, no_cases_caveat(kinds, h));
    }
    let transfers = kinds.iter().map(|k| k.transfers.len()).sum::<usize>();
    let no_tiv = kinds.iter().flat_map(|k| &k.transfers).filter(|t| t.tiv.is_none()).count();
    if no_tiv > 0 {
        caveats.push(format!(
            "{no_tiv} of {transfers} transfer rows carry no SIPRI trend-indicator value (TIV; SIPRI values major conventional weapons only): they count in deals, and in items within their armament category (recipient_categories), but add nothing to the TIV of the tables and figures."
        ));
    }
    caveats.extend(errors.iter().map(|e| format!("figure not rendered: {e}")));
    input.caveats = caveats;
    report::build(&input)
}

/// What fills the regional table: any dated record kind binned by country.
const NEEDS_REGIONAL: &str = "seizures, looting incidents or conflict events ([[inputs.seizures]], [[inputs.looting]], [[inputs.events]])";

/// The first caveat of a run without diversion cases: what the run describes, and that it
/// estimates no diversion path, flow or transit hub.
fn no_cases_caveat(kinds: &[&Ingested], h: &HubsResult) -> String {
    let count = |f: fn(&Ingested) -> usize| kinds.iter().map(|k| f(k)).sum::<usize>();
    let mut what = Vec::new();
    for (n, kind) in [
        (count(|k| k.transfers.len()), "transfer records"),
        (count(|k| k.routes.len()), "route reports"),
        (count(|k| k.events.len()), "conflict events"),
        (count(|k| k.seizures.len()), "seizures without a traced or declared origin"),
        (count(|k| k.looting.len()), "looting incidents linked to no seizure"),
    ] {
        if n > 0 {
            what.push(format!("{n} {kind}"));
        }
    }
    let what = if what.is_empty() { "no records".to_string() } else { what.join(", ") };
    format!(
        "This run has no seizure or looting cases: it describes {what}, and estimates nothing about diversion (no paths, flows or hubs of diverted weapons). Its nodes are ranked by {} ({}); edges with no evidence, land-border priors only, form the \"prior\" layer.",
        h.ranked_by.measure(),
        match h.ranked_by {
            HubRanking::TradeBrokerage =>
                "betweenness on the supplier → recipient graph of the transfers",
            HubRanking::Betweenness => "betweenness over the most probable routes of the evidence",
            HubRanking::FlowBetweenness => "no evidence ranks them",
        }
    )
}

/// The hubs table of the report, named for what ranks it ("Top transit hubs" only over
/// diversion cases), with the case columns only when there are cases; without a node that
/// scores, the line saying what would fill it.
fn hubs_table(config: &FiguresConfig, p: &PathsResult, h: &HubsResult) -> (report::Table, Absent) {
    let net = &p.network.graph;
    let node = |i: usize| &net[petgraph::graph::NodeIndex::new(i)];
    let mut order: Vec<usize> = (0..net.node_count()).collect();
    order.sort_by_key(|&i| h.rank[i]);
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let absent = Absent::new(h.ranking_name(), NEEDS_NETWORK);
    if h.ranked_by == HubRanking::FlowBetweenness && h.has_cases {
        let rows = order
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
        let header =
            strings(&["rank", "hub", "ISO3", "flow betweenness", "betweenness", "transit only"]);
        return (report::Table { title: "Top transit hubs".into(), header, rows }, absent);
    }
    // Without cases: only nodes the measure ranks (a score above zero).
    let rows = order
        .iter()
        .filter(|&&i| h.score(i) > 0.0)
        .take(config.top_n)
        .map(|&i| {
            vec![h.rank[i].to_string(), node(i).name.clone(), node(i).iso3.clone(), fmt(h.score(i))]
        })
        .collect();
    let (title, who) = match h.ranked_by {
        HubRanking::TradeBrokerage => {
            ("Top trade brokers (betweenness on the supplier → recipient graph)", "party")
        }
        _ => ("Top hubs of the reported routes (betweenness; no diversion cases)", "node"),
    };
    let header = strings(&["rank", who, "ISO3", h.ranked_by.measure()]);
    (report::Table { title: title.into(), header, rows }, absent)
}

/// The regional table (countries): the seizure and looting columns when the run has
/// seizures or lootings, the conflict-event columns when it has events.
fn regional_table(
    config: &FiguresConfig,
    hs: &HotspotsResult,
    incidents: bool,
    events: bool,
) -> report::Table {
    let rows = hs
        .regional
        .iter()
        .filter(|r| r.level == RegionLevel::Country)
        .filter(|r| {
            let seized = r.seizures + r.looting_incidents + r.quantity_seized + r.weapons_looted;
            (incidents && seized > 0) || (events && r.conflict_events > 0)
        })
        .take(config.top_n)
        .map(|r| {
            let mut row = vec![r.name.clone()];
            if incidents {
                row.extend([
                    r.seizures.to_string(),
                    r.quantity_seized.to_string(),
                    r.looting_incidents.to_string(),
                    r.weapons_looted.to_string(),
                ]);
            }
            if events {
                row.extend([r.conflict_events.to_string(), r.fatalities.to_string()]);
            }
            if incidents {
                row.push(
                    r.trend.map(|t| format!("z = {:.2}, p = {:.3}", t.z, t.p)).unwrap_or_default(),
                );
            }
            row
        })
        .collect();
    let mut header = vec!["country"];
    if incidents {
        header.extend(["seizures", "items seized", "lootings", "weapons looted"]);
    }
    if events {
        header.extend(["conflict events", "fatalities"]);
    }
    if incidents {
        header.push("trend (Mann-Kendall)");
    }
    let title =
        if incidents { "Regional hotspots (countries)" } else { "Conflict events by country" };
    report::Table {
        title: title.into(),
        header: header.iter().map(|s| s.to_string()).collect(),
        rows,
    }
}

/// The report's tables of the conflict-event layer beyond its hot cells: the regional
/// trends of the countries with events, and the emerging categories of the event cube.
fn event_tables(config: &FiguresConfig, hs: &HotspotsResult) -> [report::Table; 2] {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let weight = hs.event_weight.as_str();
    let mut countries: Vec<&crate::stages::hotspots::Regional> = hs
        .regional
        .iter()
        .filter(|r| r.level == RegionLevel::Country && r.conflict_events > 0)
        .collect();
    countries
        .sort_by(|a, b| b.events_weighted.total_cmp(&a.events_weighted).then(a.name.cmp(&b.name)));
    let period = crate::period::label(hs.event_period);
    let trend_rows = countries
        .iter()
        .take(config.top_n)
        .map(|r| {
            vec![
                r.name.clone(),
                r.conflict_events.to_string(),
                r.fatalities.to_string(),
                fmt(r.events_weighted),
                r.event_trend
                    .map(|t| {
                        let dir = match t.trend {
                            crate::hotspot::TrendDirection::Increasing => "increasing",
                            crate::hotspot::TrendDirection::Decreasing => "decreasing",
                            crate::hotspot::TrendDirection::NoTrend => "no trend",
                        };
                        format!("{dir} (z = {:.2}, p = {:.3})", t.z, t.p)
                    })
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let mut categories: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    // The cells with a pattern: a cube without one leaves the table out.
    let patterned = hs.event_cube.emerging.iter().enumerate();
    for (i, c) in
        patterned.filter(|(_, c)| c.category != crate::hotspot::EmergingCategory::NoPattern)
    {
        let slot = categories.entry(c.category.label()).or_insert((i, 0));
        slot.1 += 1;
    }
    let mut categories: Vec<(&str, (usize, usize))> = categories.into_iter().collect();
    categories.sort_by_key(|(_, (first, n))| (usize::MAX - n, *first));
    let category_rows =
        categories.iter().map(|(label, (_, n))| vec![label.to_string(), n.to_string()]).collect();
    [
        report::Table {
            title: format!(
                "Conflict-event trends (countries; Mann-Kendall per {} of {weight}, {period})",
                hs.regional_step
            ),
            header: vec![
                "country".into(),
                "conflict events".into(),
                "fatalities (best)".into(),
                format!("weighted ({weight})"),
                "trend (Mann-Kendall)".into(),
            ],
            rows: trend_rows,
        },
        report::Table {
            title: format!(
                "Emerging conflict-event hot spots (cells of the space-time cube, {})",
                crate::period::label(hs.event_cube.period)
            ),
            header: strings(&["category", "cells"]),
            rows: category_rows,
        },
    ]
}

/// The caveats of national aggregates among the seizures (`aggregates` of them): what they
/// are and count in, and the country-dates whose breakdown and total disagree or that have
/// a total only (the `aggregate_checks` table).
fn aggregate_caveats(seizures: &Ingested, aggregates: usize) -> Vec<String> {
    use crate::ingest::aggregates::AggregateOutcome;
    let checks = &seizures.aggregate_checks;
    let weapons: u64 =
        seizures.seizures.iter().filter(|s| s.is_aggregate()).map(|s| s.items()).sum();
    let mut out = vec![format!(
        "{aggregates} seizure records are national aggregates (a country's weapons seized in a year, such as the UNODC IAFQ's totals and their breakdown by type; {weapons} weapons over {} country-years), not single seizures: they count in the items seized of the regional tables, never as seizures, in the hotspot cells or in diversion cases.",
        checks.len()
    )];
    let count = |o: AggregateOutcome| checks.iter().filter(|c| c.outcome == o).count();
    let (short, over) =
        (count(AggregateOutcome::BreakdownShort), count(AggregateOutcome::BreakdownExceeds));
    if short + over > 0 {
        out.push(format!(
            "{} country-years have a breakdown that differs from their total (aggregate_checks.csv): {short} fall short of it (the rest of the total is counted as unspecified), {over} exceed it (the total is counted, the breakdown is not).",
            short + over
        ));
    }
    let total_only = count(AggregateOutcome::NoBreakdown);
    if total_only > 0 {
        out.push(format!(
            "{total_only} country-years have a total without breakdown by type: counted as unspecified."
        ));
    }
    out
}

/// The report's title, date, rejected rows, coverage caveats and provenance.
pub fn report_context(
    title: &str,
    dated: Dated,
    kinds: &[&Ingested],
    hs: &HotspotsResult,
    p: &PathsResult,
) -> ReportContext {
    let seizures = kinds[0];
    let joined = joined_reports(kinds);
    let rejected = joined
        .rejections_by_reason()
        .into_iter()
        .map(|(r, n)| (r.as_str().to_string(), n as u64))
        .collect();
    // National aggregates (country totals such as the UNODC IAFQ's) are not seizures.
    let single: Vec<&crate::records::Seizure> =
        seizures.seizures.iter().filter(|s| !s.is_aggregate()).collect();
    let aggregates = seizures.seizures.len() - single.len();
    let country_only = single
        .iter()
        .filter(|s| s.location.precision == crate::schema::LocationPrecision::Country)
        .count();
    let with_case: std::collections::BTreeSet<usize> = p.cases.iter().map(|c| c.seizure).collect();
    let aggregates_without_case = seizures
        .seizures
        .iter()
        .enumerate()
        .filter(|(i, s)| s.is_aggregate() && !with_case.contains(i))
        .count() as u64;
    // The seizure caveats only where there are seizures or lootings to speak of.
    let incidents =
        !seizures.seizures.is_empty() || kinds.get(1).is_some_and(|k| !k.looting.is_empty());
    let mut caveats = Vec::new();
    if incidents {
        caveats.push(format!(
            "{} of {} seizures are located only at country level: they count in the regional figures but not in the hotspot cells ({} events left out of the cell statistics in all).",
            country_only,
            single.len(),
            hs.excluded_country_level
        ));
        caveats.push(format!(
            "{} events have a date coarser than the time step and are left out of the emerging-hotspot cube.",
            hs.excluded_coarse_date
        ));
    }
    if hs.event_cube.excluded_coarse_date > 0 {
        caveats.push(format!(
            "{} located conflict events have a date coarser than the time step (hotspots.time_step) and are left out of the conflict events' emerging-hotspot cube.",
            hs.event_cube.excluded_coarse_date
        ));
    }
    if !single.is_empty() {
        caveats.push(format!(
            "{} seizures carry no trace, linkable serial or lot, origin, last legal import or country of manufacture, and so form no diversion case.",
            p.case_stats.without_case.saturating_sub(aggregates_without_case)
        ));
    }
    if aggregates > 0 {
        caveats.extend(aggregate_caveats(seizures, aggregates));
    }
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
    if let Some(line) = duplicates_caveat(&joined.duplicates) {
        caveats.push(line);
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
        let duplicates = match f.duplicates {
            0 => String::new(),
            n => format!(", {n} duplicates of another input's records"),
        };
        provenance.push((
            format!("{} input", f.table),
            format!(
                "{} ({} rows read, {} accepted, {} rejected{}{duplicates}; period {}; sha256 {})",
                f.path.display(),
                f.rows_read,
                f.accepted,
                f.rejected,
                if f.superseded > 0 {
                    format!(
                        ", {} national aggregates superseded by a total or breakdown",
                        f.superseded
                    )
                } else {
                    String::new()
                },
                crate::period::label(f.period),
                f.sha256
            ),
        ));
    }
    provenance.push((
        "period of the inputs".into(),
        crate::period::label(crate::period::Period::union_all(
            joined.files.iter().map(|f| f.period),
        )),
    ));
    let gr = &p.network.graph;
    let layer = |l| gr.edge_weights().filter(|e| e.layer() == l).count();
    provenance.push((
        "network".into(),
        format!(
            "{} nodes, {} edges ({} legal, {} illicit, {} both, {} prior: land borders with no evidence)",
            gr.node_count(),
            gr.edge_count(),
            layer(EdgeLayer::Legal),
            layer(EdgeLayer::Illicit),
            layer(EdgeLayer::Both),
            layer(EdgeLayer::Prior)
        ),
    ));
    ReportContext {
        title: title.to_string(),
        dated,
        rejected,
        caveats,
        provenance,
        event_map: None,
        extra_tables: Vec::new(),
        absent: Vec::new(),
    }
}

/// The report's line on the records found in two inputs, if any: how many, why, and
/// whether they were counted once or kept both.
pub fn duplicates_caveat(duplicates: &[crate::ingest::Duplicate]) -> Option<String> {
    use crate::ingest::DuplicateReason as R;
    let n = duplicates.len();
    if n == 0 {
        return None;
    }
    let count = |r: R| duplicates.iter().filter(|d| d.reason == r).count();
    let mut deals: Vec<(u32, u64)> = duplicates
        .iter()
        .filter(|d| d.reason == R::SameDeal)
        .map(|d| (d.kept.file, d.kept.line))
        .collect();
    deals.sort_unstable();
    deals.dedup();
    let mut why = Vec::new();
    if !deals.is_empty() {
        why.push(format!(
            "{} rows of {} SIPRI deals found in both the trade register and the newer export",
            count(R::SameDeal),
            deals.len()
        ));
    }
    for (r, what) in [(R::SameId, "with the same id"), (R::SameContent, "with the same content")] {
        if count(r) > 0 {
            why.push(format!("{} {what}", count(r)));
        }
    }
    let how = if duplicates.iter().all(|d| d.kept_both) {
        "counted in both, as run.duplicates = \"keep\" asks"
    } else {
        "counted once"
    };
    let (what, were) = if n == 1 { ("record", "was") } else { ("records", "were") };
    Some(format!(
        "{n} {what} appeared in two inputs and {were} {how} ({}); see duplicates.csv.",
        why.join("; ")
    ))
}
