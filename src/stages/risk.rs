//! The risk step: the records of a run read as [`crate::risk::RiskData`] (states by their
//! ids, every record by its id) and screened ([`crate::risk::screen`]); its tables `risk`,
//! `risk_evidence`, `supplier_exposure` and `risk_indicators`, and its report tables.
//!
//! What each indicator reads is shared with the recipients step: onward transfers to
//! non-state armed groups ([`recipients::onward`]), TIV per delivery year
//! ([`recipients::tiv_by_year`]) and the diversion point of each case path
//! ([`recipients::diverted_at`]).

use std::collections::BTreeSet;

use crate::actors::{ActorKind, Actors};
use crate::geo::{Gazetteer, LatLon};
use crate::network::NodeKey;
use crate::output::{OutputError, Table, TableBuilder};
use crate::records::{ConflictEvent, LootingIncident, Seizure, Transfer};
use crate::risk::{
    Coverage, Delivery, DiversionKind, DiversionRecord, EventRecord, HotCell, Indicator,
    RetransferRecord, RiskConfig, RiskData, RiskResult,
};
use crate::stages::hotspots::CellsStep;
use crate::stages::paths::PathsResult;
use crate::stages::recipients::{self, state_label};

/// The records the screen reads, as the run holds them.
#[derive(Debug, Clone, Copy)]
pub struct RiskRecords<'a> {
    /// Legal transfers (`None`: the run read no transfers input).
    pub transfers: Option<&'a [Transfer]>,
    /// Seizures (`None`: no seizures input).
    pub seizures: Option<&'a [Seizure]>,
    /// Looting incidents (`None`: no looting input).
    pub looting: Option<&'a [LootingIncident]>,
    /// Conflict events (`None`: no events input).
    pub events: Option<&'a [ConflictEvent]>,
    /// Re-transfers of imported weapons (`None`: not computed).
    pub retransfers: Option<&'a [RetransferRecord]>,
}

impl<'a> RiskRecords<'a> {
    /// The records of `ing`, each kind when `ing` read a file of it (no retransfers).
    pub fn of(ing: &'a crate::ingest::Ingested) -> Self {
        let has = |k: crate::schema::TableKind| ing.files.iter().any(|f| f.table == k);
        use crate::schema::TableKind as K;
        RiskRecords {
            transfers: has(K::Transfers).then_some(&ing.transfers[..]),
            seizures: has(K::Seizures).then_some(&ing.seizures[..]),
            looting: has(K::Looting).then_some(&ing.looting[..]),
            events: has(K::Events).then_some(&ing.events[..]),
            retransfers: None,
        }
    }
}

/// Event types of one-sided violence against civilians: UCDP's type 3 (read by the
/// `ucdp-ged` preset as `one-sided`), ACLED's event type and its sub-event types.
const ONE_SIDED: [&str; 5] = [
    "one-sided",
    "violence against civilians",
    "attack",
    "abduction/forced disappearance",
    "sexual violence",
];

/// Whether an event type is one-sided violence against civilians.
///
/// ```
/// use divnet::stages::risk::is_one_sided;
/// assert!(is_one_sided("one-sided") && is_one_sided("Violence against civilians"));
/// assert!(!is_one_sided("state-based"));
/// ```
pub fn is_one_sided(event_type: &str) -> bool {
    let t = event_type.trim();
    ONE_SIDED.iter().any(|o| t.eq_ignore_ascii_case(o))
}

/// The state a side of an event is, when it is a government; `merge` counts a historical
/// state for its successor.
fn government(
    (actors, g, merge): (&Actors, &Gazetteer, bool),
    text: &str,
    e: &ConflictEvent,
) -> Option<NodeKey> {
    let a = actors.event_side(text, e.location.country, g)?;
    match (a.kind, a.historical, a.country) {
        (ActorKind::HistoricalState, Some(h), _) if !merge => Some(NodeKey::Historical(h)),
        (ActorKind::State | ActorKind::HistoricalState, _, Some(c)) => Some(NodeKey::Country(c)),
        _ => None,
    }
}

/// What the risk step reads besides `[risk]`.
#[derive(Clone, Copy)]
pub struct RiskInputs<'a> {
    /// The gazetteer.
    pub gazetteer: &'a Gazetteer,
    /// How parties are read (the sides of events).
    pub actors: &'a Actors,
    /// The records.
    pub records: RiskRecords<'a>,
    /// The path steps (the diversion points of the case paths).
    pub paths: &'a PathsResult,
    /// The conflict-event hotspot cells.
    pub event_cells: &'a CellsStep,
    /// The run's reference date (the frame's).
    pub reference_date: Option<chrono::NaiveDate>,
    /// A historical state counts for its successor (`network.merge_historical`).
    pub merge_historical: bool,
}

/// The records of a run as the screen's plain data.
pub fn risk_data(cx: &RiskInputs<'_>) -> RiskData {
    let RiskInputs {
        gazetteer: g,
        actors,
        records: r,
        paths,
        event_cells,
        reference_date,
        merge_historical,
    } = *cx;
    let mut states: BTreeSet<NodeKey> = BTreeSet::new();
    let mut suppliers: BTreeSet<NodeKey> = BTreeSet::new();
    let id = |k: NodeKey| state_label(g, k).0;
    let country = |c| id(NodeKey::Country(c));
    let mut data = RiskData {
        coverage: Coverage {
            transfers: r.transfers.is_some(),
            retransfers: r.retransfers.is_some() && r.transfers.is_some(),
            seizures: r.seizures.is_some(),
            looting: r.looting.is_some(),
            events: r.events.is_some(),
            fatalities_low: r.events.unwrap_or(&[]).iter().any(|e| e.fatalities_low.is_some()),
            fatalities_high: r.events.unwrap_or(&[]).iter().any(|e| e.fatalities_high.is_some()),
        },
        reference_year: reference_date.map(|d| chrono::Datelike::year(&d)),
        ..RiskData::default()
    };
    let transfers = r.transfers.unwrap_or(&[]);
    let deals = crate::deals::Deals::new(transfers);
    let node = |p| crate::network::party_node(p, merge_historical);
    for (i, t) in transfers.iter().enumerate() {
        if let Some(o) = recipients::onward(t, i, &deals, merge_historical) {
            states.insert(o.supplier);
            data.deliveries.push(Delivery {
                record: t.id.to_string(),
                supplier: id(o.supplier),
                recipient: None,
                deal_year: o.deal_year,
                tiv_by_year: o.by_year.iter().map(|&(y, _, v)| (y, v)).collect(),
            });
            continue;
        }
        let (Some(s), Some(rc)) = (node(&t.supplier), node(&t.recipient)) else { continue };
        if !t.supplier.kind.is_state() || !t.recipient.kind.is_state() || s == rc {
            continue;
        }
        states.insert(rc);
        suppliers.insert(s);
        let deal_year = deals.first_year(deals.of(i)).filter(|_| deals.opens(i));
        data.deliveries.push(Delivery {
            record: t.id.to_string(),
            supplier: id(s),
            recipient: Some(id(rc)),
            deal_year,
            tiv_by_year: recipients::tiv_by_year(t).into_iter().map(|(y, _, v)| (y, v)).collect(),
        });
    }
    let seizures = r.seizures.unwrap_or(&[]);
    for s in seizures {
        if let Some(c) = s.last_legal_import {
            states.insert(NodeKey::Country(c));
            data.diversion.push(DiversionRecord {
                record: s.id.to_string(),
                state: country(c),
                year: s.date.year_value(),
                kind: DiversionKind::SeizedLastLegal,
                amount: s.items() as f64,
            });
        }
    }
    for l in r.looting.unwrap_or(&[]) {
        states.insert(NodeKey::Country(l.location.country));
        data.diversion.push(DiversionRecord {
            record: l.id.to_string(),
            state: country(l.location.country),
            year: l.date.year_value(),
            kind: DiversionKind::Looted,
            amount: l.weapons_looted.unwrap_or(0) as f64,
        });
    }
    let net = &paths.network;
    for d in recipients::diverted_at(paths, seizures) {
        let k = recipients::state_key(g, net.graph[d.node].key);
        states.insert(k);
        data.diversion.push(DiversionRecord {
            record: seizures[d.seizure].id.to_string(),
            state: id(k),
            year: seizures[d.seizure].date.year_value(),
            kind: DiversionKind::DivertedHere,
            amount: d.expected,
        });
    }
    for e in r.events.unwrap_or(&[]) {
        states.insert(NodeKey::Country(e.location.country));
        let side = |t: &Option<crate::records::Text>| {
            t.as_deref().and_then(|t| government((actors, g, merge_historical), t, e))
        };
        let (a, b) = (side(&e.side_a), side(&e.side_b));
        let mut sides: Vec<NodeKey> = a.into_iter().chain(b).collect();
        sides.dedup();
        states.extend(sides.iter().copied());
        let one_sided = e.event_type.as_deref().is_some_and(is_one_sided);
        data.events.push(EventRecord {
            record: e.id.to_string(),
            country: country(e.location.country),
            year: e.date.year_value(),
            best: e.fatalities,
            low: e.fatalities_low,
            high: e.fatalities_high,
            government_sides: sides.iter().map(|&k| id(k)).collect(),
            one_sided_by: a.filter(|_| one_sided).map(id),
        });
    }
    for c in event_cells.cells.iter().filter(|c| c.gi.bin > 0) {
        let (lat, lon) = crate::stages::hotspots::centre(c.cell);
        let Some(at) = LatLon::new(lat, lon).ok().and_then(|p| g.country_at(p)) else { continue };
        data.hot_cells.push(HotCell { cell: c.cell.to_string(), country: country(at) });
    }
    for &(a, b) in g.borders() {
        data.neighbours.entry(country(a)).or_default().push(country(b));
        data.neighbours.entry(country(b)).or_default().push(country(a));
    }
    for v in data.neighbours.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    if let Some(re) = r.retransfers {
        data.retransfers = re.to_vec();
    }
    for k in states {
        let (i, n) = state_label(g, k);
        if let NodeKey::Historical(h) = k {
            let s = crate::actors::HistoricalStates::embedded().get(h);
            data.lifespans.insert(i.clone(), (s.first_year, s.last_year));
        }
        data.states.insert(i, n);
    }
    for k in suppliers {
        let (i, n) = state_label(g, k);
        if !data.states.contains_key(&i) {
            data.names.insert(i, n);
        }
    }
    data
}

/// The screen of a run's records under `[risk]`.
pub fn risk_step(config: &RiskConfig, cx: &RiskInputs<'_>) -> RiskResult {
    crate::risk::screen(&risk_data(cx), config)
}

/// The `risk`, `risk_evidence`, `supplier_exposure` and `risk_indicators` tables.
pub fn risk_tables(r: &RiskResult) -> Result<Vec<Table>, OutputError> {
    let rows = &r.rows;
    let mut t = TableBuilder::new("risk")
        .text("recipient", rows.iter().map(|x| Some(&x.state)))
        .text("name", rows.iter().map(|x| Some(&x.name)))
        .text("window", rows.iter().map(|x| Some(x.window.label())))
        .int("window_start", rows.iter().map(|x| Some(i64::from(x.window.start))))
        .int("window_end", rows.iter().map(|x| Some(i64::from(x.window.end))));
    for i in Indicator::ALL {
        let name = i.name();
        t = t.float(name, rows.iter().map(|x| x.value(i)));
        t = t.uint(&format!("{name}_rank"), rows.iter().map(|x| x.rank(i).map(u64::from)));
    }
    let flags =
        |x: &crate::risk::RiskRow| x.flags.iter().map(|f| f.name()).collect::<Vec<_>>().join(";");
    t = t
        .text("flags", rows.iter().map(|x| Some(flags(x))))
        .uint("flag_count", rows.iter().map(|x| Some(x.flags.len() as u64)));
    if rows.iter().any(|x| x.score.is_some()) {
        t = t.float("score", rows.iter().map(|x| x.score));
    }
    let risk = t.build()?;
    let e = &r.evidence;
    let evidence = TableBuilder::new("risk_evidence")
        .text("recipient", e.iter().map(|x| Some(&x.state)))
        .text("window", e.iter().map(|x| Some(x.window.label())))
        .text("indicator", e.iter().map(|x| Some(x.indicator.name())))
        .text("record_kind", e.iter().map(|x| Some(x.kind.as_str())))
        .text("record_id", e.iter().map(|x| Some(&x.record)))
        .float("value", e.iter().map(|x| Some(x.value)))
        .build()?;
    let x = &r.exposure;
    let bins = ["tiv_no_flag", "tiv_one_flag", "tiv_two_flags", "tiv_three_or_more_flags"];
    let mut exposure = TableBuilder::new("supplier_exposure")
        .text("supplier", x.iter().map(|x| Some(&x.supplier)))
        .text("name", x.iter().map(|x| Some(&x.name)))
        .text("window", x.iter().map(|x| Some(x.window.label())))
        .float("tiv", x.iter().map(|x| Some(x.tiv)))
        .uint("deals", x.iter().map(|x| Some(x.deals)));
    for (k, col) in bins.iter().enumerate() {
        exposure = exposure.float(col, x.iter().map(|x| Some(x.tiv_by_flags[k])));
    }
    let exposure = exposure
        .float("tiv_re_export_flagged", x.iter().map(|x| Some(x.tiv_re_export_flagged)))
        .uint("deals_re_export_flagged", x.iter().map(|x| Some(x.deals_re_export_flagged)))
        .build()?;
    let info: Vec<_> = Indicator::ALL.iter().map(|i| i.info()).collect();
    let indicators = TableBuilder::new("risk_indicators")
        .text("indicator", info.iter().map(|i| Some(i.name)))
        .text("group", info.iter().map(|i| Some(i.group.as_str())))
        .text("unit", info.iter().map(|i| Some(i.unit)))
        .text("record_kind", info.iter().map(|i| Some(i.source.as_str())))
        .float("threshold", r.thresholds.iter().copied())
        .boolean("source_read", Indicator::ALL.iter().map(|&i| Some(r.coverage.has(i))))
        .text("criteria", info.iter().map(|i| Some(i.criteria)))
        .build()?;
    Ok(vec![risk, evidence, exposure, indicators])
}

/// The period of the screen: the first year of its first window to the last of its last.
pub fn period(r: &RiskResult) -> Option<crate::period::Period> {
    let (first, last) = (r.windows.first()?, r.windows.last()?);
    let mut span = crate::period::Span::default();
    for y in [first.start, last.end] {
        span.see(crate::date::PartialDate::year(y).ok()?);
    }
    span.period()
}

/// What each group of indicators cannot see, for the report.
fn caveat(group: crate::risk::Group) -> &'static str {
    use crate::risk::Group as G;
    match group {
        G::ReExport => {
            "SIPRI covers major conventional weapons only (no small arms); a state with no record may still have passed arms on. Empty: the run read no transfers."
        }
        G::Diversion => {
            "Only seizures traced to a last legal import, lootings with a count of weapons and cases with a path count; reporting is uneven between states. Empty: no seizures or looting input."
        }
        G::Conflict => {
            "Counts the events of the run's event inputs only (UCDP GED: organised violence with at least one death; ACLED: what it codes); a government side is read from the sides' names. Empty: no events input (low and high estimates: no event carries them)."
        }
        G::Regional => {
            "Land borders of the gazetteer only; hot cells are those of the run's whole period, not of the window. Empty: no events input."
        }
    }
}

/// The report's tables of the screen (its last window): the screened states with their
/// flags and values, supplier exposure, and the indicators with their thresholds and
/// caveats. None when nothing was screened.
pub fn report_tables(r: &RiskResult) -> Vec<crate::report::Table> {
    use crate::report::Table as T;
    let Some(window) = r.windows.last() else { return Vec::new() };
    let mut rows: Vec<&crate::risk::RiskRow> = r.latest().collect();
    if rows.is_empty() {
        return Vec::new();
    }
    rows.sort_by(|a, b| b.flags.len().cmp(&a.flags.len()).then(a.name.cmp(&b.name)));
    let shown: Vec<Indicator> = Indicator::ALL.into_iter().filter(|&i| r.coverage.has(i)).collect();
    let num = |v: f64| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") };
    let mut header: Vec<String> =
        ["state", "ISO3", "flags", "flags raised"].map(String::from).to_vec();
    header.extend(shown.iter().map(|i| format!("{} ({})", i.info().label, i.info().unit)));
    let table_rows = rows
        .iter()
        .map(|x| {
            let mut row = vec![
                x.name.clone(),
                x.state.clone(),
                x.flags.len().to_string(),
                x.flags.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "),
            ];
            row.extend(shown.iter().map(|&i| x.value(i).map(num).unwrap_or_default()));
            row
        })
        .collect();
    let label = window.label();
    let mut out = vec![T {
        title: format!("Diversion-risk screen, {label} (flags, not a legal determination)"),
        header,
        rows: table_rows,
    }];
    let exposure: Vec<Vec<String>> = r
        .latest_exposure()
        .map(|e| {
            let mut row = vec![e.name.clone(), e.supplier.clone(), num(e.tiv), e.deals.to_string()];
            row.extend(e.tiv_by_flags.iter().map(|&v| num(v)));
            row.extend([num(e.tiv_re_export_flagged), e.deals_re_export_flagged.to_string()]);
            row
        })
        .collect();
    if !exposure.is_empty() {
        out.push(T {
            title: format!("Supplier exposure, {label}"),
            header: [
                "supplier",
                "ISO3",
                "TIV delivered (millions)",
                "deals",
                "TIV to recipients with no flag",
                "one flag",
                "two flags",
                "three or more",
                "TIV to recipients with a re-export flag",
                "deals with them",
            ]
            .map(String::from)
            .to_vec(),
            rows: exposure,
        });
    }
    out.push(T {
        title: "Risk indicators: sources, thresholds and caveats".into(),
        header: ["indicator", "unit", "records", "flag threshold", "serves", "caveat"]
            .map(String::from)
            .to_vec(),
        rows: Indicator::ALL
            .iter()
            .map(|&i| {
                let info = i.info();
                let threshold = r.thresholds.get(i.index()).copied().flatten();
                vec![
                    info.name.to_string(),
                    info.unit.to_string(),
                    if r.coverage.has(i) {
                        info.source.as_str().to_string()
                    } else {
                        format!("{} (not read: no value)", info.source.as_str())
                    },
                    threshold.map(|t| format!("at least {}", num(t))).unwrap_or("no flag".into()),
                    info.criteria.to_string(),
                    caveat(info.group).to_string(),
                ]
            })
            .collect(),
    });
    out
}

/// The re-transfer chains as the screen reads them: one per chain (its `chain` id in the
/// `retransfers` table), for the intermediary state, in the first year of the onward deal.
pub fn retransfer_records(
    g: &Gazetteer,
    r: &crate::retransfers::Retransfers,
    merge_historical: bool,
) -> Vec<RetransferRecord> {
    r.chains
        .iter()
        .filter(|c| c.intermediary.kind.is_state())
        .filter_map(|c| {
            let k = crate::network::party_node(&c.intermediary, merge_historical)?;
            Some(RetransferRecord {
                record: crate::stages::retransfers::chain_id(c),
                state: state_label(g, k).0,
                year: c.onward.first_year,
            })
        })
        .collect()
}
