//! The computation of the screen: windows, indicator values with their evidence, ranks,
//! flags, scores and supplier exposure.

use std::collections::BTreeMap;

use super::{
    Evidence, EvidenceKind, Exposure, Group, Indicator, RiskConfig, RiskData, RiskResult, RiskRow,
    Window,
};

/// The assessment windows: `years` calendar years ending with `reference_year`, or with
/// `series`, one such window ending in each year from `first_year` (the first year of the
/// data; never after the reference year) to `reference_year`. None without a reference
/// year.
///
/// ```
/// use divnet::risk::{Window, windows};
/// assert_eq!(windows(Some(2024), Some(2001), 5, false), [Window { start: 2020, end: 2024 }]);
/// let s = windows(Some(2024), Some(2022), 5, true);
/// assert_eq!(s.iter().map(|w| w.label()).collect::<Vec<_>>(), ["2018-2022", "2019-2023", "2020-2024"]);
/// assert!(windows(None, None, 5, true).is_empty());
/// ```
pub fn windows(
    reference_year: Option<i32>,
    first_year: Option<i32>,
    years: u32,
    series: bool,
) -> Vec<Window> {
    let Some(end) = reference_year else { return Vec::new() };
    let len = years.max(1) as i32;
    let first = if series { first_year.unwrap_or(end).min(end) } else { end };
    (first..=end).map(|e| Window { start: e - len + 1, end: e }).collect()
}

/// The first year of any dated record of `data`.
fn first_year(data: &RiskData) -> Option<i32> {
    let d = data
        .deliveries
        .iter()
        .flat_map(|d| d.tiv_by_year.iter().map(|(y, _)| *y).chain(d.deal_year));
    let others = data.diversion.iter().map(|r| r.year);
    let events = data.events.iter().map(|e| e.year);
    let re = data.retransfers.iter().map(|r| r.year);
    d.chain(others).chain(events).chain(re).min()
}

/// One state's values and evidence in one window.
#[derive(Default)]
struct Acc<'a> {
    values: [f64; Indicator::ALL.len()],
    last_year: Option<i32>,
    evidence: BTreeMap<(Indicator, EvidenceKind, &'a str), f64>,
}

impl<'a> Acc<'a> {
    fn add(&mut self, i: Indicator, record: &'a str, v: f64) {
        if v <= 0.0 {
            return;
        }
        self.values[i.index()] += v;
        *self.evidence.entry((i, i.info().source, record)).or_insert(0.0) += v;
    }
}

/// Runs the screen over `data` with `config`. Pure; rows sorted by window then state id,
/// evidence by row then indicator, kind and record, exposure by window then supplier.
/// O(windows × records).
pub fn screen(data: &RiskData, config: &RiskConfig) -> RiskResult {
    let ws = windows(data.reference_year, first_year(data), config.window_years, config.series);
    let thresholds: Vec<Option<f64>> = Indicator::ALL.map(|i| config.threshold(i)).to_vec();
    let weights = config.weights();
    let mut out = RiskResult {
        windows: ws.clone(),
        thresholds: thresholds.clone(),
        coverage: data.coverage,
        ..RiskResult::default()
    };
    for w in ws {
        let accs = accumulate(data, w);
        let existed = |id: &String| {
            data.lifespans.get(id).is_none_or(|&(first, last)| first <= w.end && last >= w.start)
        };
        let mut rows: Vec<RiskRow> = data
            .states
            .iter()
            .filter(|(id, _)| existed(id))
            .map(|(id, name)| {
                let acc = accs.get(id.as_str());
                let values = Indicator::ALL
                    .map(|i| {
                        if !data.coverage.has(i) {
                            return None;
                        }
                        if i == Indicator::NonStateLastYear {
                            return acc.and_then(|a| a.last_year).map(f64::from);
                        }
                        Some(acc.map_or(0.0, |a| a.values[i.index()]))
                    })
                    .to_vec();
                let flags: Vec<Indicator> = Indicator::ALL
                    .into_iter()
                    .filter(|i| {
                        matches!((values[i.index()], thresholds[i.index()]), (Some(v), Some(t)) if v >= t)
                    })
                    .collect();
                let score = weights.as_ref().map(|w| flags.iter().map(|f| w[f.index()]).sum());
                RiskRow {
                    state: id.clone(),
                    name: name.clone(),
                    window: w,
                    values,
                    ranks: vec![None; Indicator::ALL.len()],
                    flags,
                    score,
                }
            })
            .collect();
        rank(&mut rows);
        for r in &rows {
            let Some(acc) = accs.get(r.state.as_str()) else { continue };
            for (&(indicator, kind, record), &value) in &acc.evidence {
                if r.values[indicator.index()].is_none() {
                    continue;
                }
                out.evidence.push(Evidence {
                    state: r.state.clone(),
                    window: w,
                    indicator,
                    kind,
                    record: record.to_string(),
                    value,
                });
            }
        }
        out.exposure.extend(exposure(data, w, &rows));
        out.rows.extend(rows);
    }
    out
}

/// Every state's values and evidence in window `w`.
fn accumulate(data: &RiskData, w: Window) -> BTreeMap<&str, Acc<'_>> {
    let mut accs: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
    for d in data.deliveries.iter().filter(|d| d.recipient.is_none()) {
        let a = accs.entry(d.supplier.as_str()).or_default();
        if d.deal_year.is_some_and(|y| w.contains(y)) {
            a.add(Indicator::NonStateDeals, &d.record, 1.0);
        }
        for &(y, tiv) in d.tiv_by_year.iter().filter(|(y, _)| w.contains(*y)) {
            a.add(Indicator::NonStateTiv, &d.record, tiv);
            a.last_year = a.last_year.max(Some(y));
        }
    }
    // The evidence of the last year: the rows delivering in it.
    for d in data.deliveries.iter().filter(|d| d.recipient.is_none()) {
        let a = accs.entry(d.supplier.as_str()).or_default();
        if let Some(y) = a.last_year
            && d.tiv_by_year.iter().any(|(dy, _)| *dy == y)
        {
            let key = (Indicator::NonStateLastYear, EvidenceKind::Transfer, d.record.as_str());
            a.evidence.insert(key, f64::from(y));
        }
    }
    for r in data.retransfers.iter().filter(|r| w.contains(r.year)) {
        accs.entry(r.state.as_str()).or_default().add(Indicator::Retransfers, &r.record, 1.0);
    }
    for r in data.diversion.iter().filter(|r| w.contains(r.year)) {
        let i = match r.kind {
            super::DiversionKind::SeizedLastLegal => Indicator::SeizedLastLegal,
            super::DiversionKind::Looted => Indicator::Looted,
            super::DiversionKind::DivertedHere => Indicator::DivertedHere,
        };
        accs.entry(r.state.as_str()).or_default().add(i, &r.record, r.amount);
    }
    for e in data.events.iter().filter(|e| w.contains(e.year)) {
        let id = e.record.as_str();
        let f = |v: Option<u64>| v.map_or(0.0, |v| v as f64);
        let a = accs.entry(e.country.as_str()).or_default();
        a.add(Indicator::ConflictEvents, id, 1.0);
        a.add(Indicator::FatalitiesBest, id, f(e.best));
        a.add(Indicator::FatalitiesLow, id, f(e.low));
        a.add(Indicator::FatalitiesHigh, id, f(e.high));
        for s in &e.government_sides {
            accs.entry(s.as_str()).or_default().add(Indicator::GovernmentSideEvents, id, 1.0);
        }
        if let Some(s) = &e.one_sided_by {
            let a = accs.entry(s.as_str()).or_default();
            a.add(Indicator::OneSidedEvents, id, 1.0);
            a.add(Indicator::OneSidedFatalities, id, f(e.best));
        }
        for n in data.neighbours.get(&e.country).into_iter().flatten() {
            let a = accs.entry(n.as_str()).or_default();
            a.add(Indicator::NeighbourEvents, id, 1.0);
            a.add(Indicator::NeighbourFatalities, id, f(e.best));
        }
    }
    for c in &data.hot_cells {
        for n in data.neighbours.get(&c.country).into_iter().flatten() {
            accs.entry(n.as_str()).or_default().add(Indicator::NeighbourHotCells, &c.cell, 1.0);
        }
    }
    accs
}

/// Each indicator's rank among `rows` (one window): 1 for the highest value, equal values
/// sharing the best rank (competition ranking); rows without a value get none.
fn rank(rows: &mut [RiskRow]) {
    for i in Indicator::ALL {
        let mut vals: Vec<f64> = rows.iter().filter_map(|r| r.values[i.index()]).collect();
        vals.sort_by(|a, b| b.total_cmp(a));
        for r in rows.iter_mut() {
            r.ranks[i.index()] = r.values[i.index()].map(|v| {
                let better = vals.partition_point(|&x| x > v);
                better as u32 + 1
            });
        }
    }
}

/// Each supplier's deliveries to states in window `w`, by the flags of the recipients'
/// `rows` in that window.
fn exposure(data: &RiskData, w: Window, rows: &[RiskRow]) -> Vec<Exposure> {
    let flags: BTreeMap<&str, &RiskRow> = rows.iter().map(|r| (r.state.as_str(), r)).collect();
    let mut out: BTreeMap<&str, Exposure> = BTreeMap::new();
    for d in &data.deliveries {
        let Some(to) = d.recipient.as_deref() else { continue };
        let row = flags.get(to);
        let n = row.map_or(0, |r| r.flags.len()).min(3);
        let re_export = row.is_some_and(|r| r.flagged_in(Group::ReExport));
        let new_deal = d.deal_year.is_some_and(|y| w.contains(y));
        let tiv: f64 = d.tiv_by_year.iter().filter(|(y, _)| w.contains(*y)).map(|(_, v)| v).sum();
        let delivered = d.tiv_by_year.iter().any(|(y, _)| w.contains(*y));
        if !new_deal && !delivered {
            continue;
        }
        let e = out.entry(d.supplier.as_str()).or_insert_with(|| Exposure {
            supplier: d.supplier.clone(),
            name: data
                .states
                .get(&d.supplier)
                .or_else(|| data.names.get(&d.supplier))
                .cloned()
                .unwrap_or_else(|| d.supplier.clone()),
            window: w,
            tiv: 0.0,
            deals: 0,
            tiv_by_flags: [0.0; 4],
            tiv_re_export_flagged: 0.0,
            deals_re_export_flagged: 0,
        });
        e.tiv += tiv;
        e.tiv_by_flags[n] += tiv;
        if new_deal {
            e.deals += 1;
        }
        if re_export {
            e.tiv_re_export_flagged += tiv;
            e.deals_re_export_flagged += u64::from(new_deal);
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    fn s(x: &str) -> String {
        x.to_string()
    }

    /// A hand-computed example: A delivers to a non-state group and to B; B has conflict,
    /// seizures and looting; C borders B.
    fn data() -> RiskData {
        let mut states = BTreeMap::new();
        for (id, name) in [("AAA", "Aland"), ("BBB", "Bland"), ("CCC", "Cland")] {
            states.insert(s(id), s(name));
        }
        let ev = |id: &str, c: &str, year, best, gov: &[&str], one: Option<&str>| EventRecord {
            record: s(id),
            country: s(c),
            year,
            best: Some(best),
            low: Some(best / 2),
            high: Some(best * 2),
            government_sides: gov.iter().map(|g| s(g)).collect(),
            one_sided_by: one.map(s),
        };
        RiskData {
            states,
            lifespans: BTreeMap::new(),
            names: BTreeMap::from([(s("SSS"), s("Supplierland"))]),
            coverage: Coverage {
                transfers: true,
                retransfers: true,
                seizures: true,
                looting: true,
                events: true,
                fatalities_low: true,
                fatalities_high: true,
            },
            deliveries: vec![
                Delivery {
                    record: s("t1"),
                    supplier: s("AAA"),
                    recipient: None,
                    deal_year: Some(2021),
                    tiv_by_year: vec![(2021, 2.0), (2022, 3.0)],
                },
                // Outside the window.
                Delivery {
                    record: s("t2"),
                    supplier: s("AAA"),
                    recipient: None,
                    deal_year: Some(2010),
                    tiv_by_year: vec![(2010, 7.0)],
                },
                Delivery {
                    record: s("t3"),
                    supplier: s("SSS"),
                    recipient: Some(s("BBB")),
                    deal_year: Some(2023),
                    tiv_by_year: vec![(2023, 10.0)],
                },
                Delivery {
                    record: s("t4"),
                    supplier: s("SSS"),
                    recipient: Some(s("AAA")),
                    deal_year: Some(2020),
                    tiv_by_year: vec![(2020, 4.0)],
                },
            ],
            retransfers: vec![RetransferRecord { record: s("r1"), state: s("AAA"), year: 2022 }],
            diversion: vec![
                DiversionRecord {
                    record: s("s1"),
                    state: s("BBB"),
                    year: 2022,
                    kind: DiversionKind::SeizedLastLegal,
                    amount: 4.0,
                },
                DiversionRecord {
                    record: s("l1"),
                    state: s("BBB"),
                    year: 2021,
                    kind: DiversionKind::Looted,
                    amount: 30.0,
                },
                DiversionRecord {
                    record: s("s1"),
                    state: s("BBB"),
                    year: 2022,
                    kind: DiversionKind::DivertedHere,
                    amount: 0.5,
                },
                DiversionRecord {
                    record: s("s1"),
                    state: s("BBB"),
                    year: 2022,
                    kind: DiversionKind::DivertedHere,
                    amount: 0.25,
                },
            ],
            events: vec![
                ev("e1", "BBB", 2022, 10, &["BBB"], None),
                ev("e2", "BBB", 2023, 20, &["BBB", "AAA"], Some("BBB")),
                ev("e3", "BBB", 2019, 100, &[], None),
            ],
            neighbours: BTreeMap::from([(s("BBB"), vec![s("CCC")]), (s("CCC"), vec![s("BBB")])]),
            hot_cells: vec![HotCell { cell: s("h1"), country: s("BBB") }],
            reference_year: Some(2024),
        }
    }

    fn ev_ids(r: &RiskResult, state: &str, i: Indicator) -> Vec<(String, f64)> {
        r.evidence
            .iter()
            .filter(|e| e.state == state && e.indicator == i)
            .map(|e| (e.record.clone(), e.value))
            .collect()
    }

    #[test]
    fn a_historical_state_is_screened_only_in_windows_it_existed() {
        let mut d = data();
        d.states.insert(s("XGD"), s("Gone state"));
        d.lifespans.insert(s("XGD"), (2000, 2012));
        let last = screen(&d, &RiskConfig::default());
        assert!(last.rows.iter().all(|r| r.state != "XGD"), "not in 2020-2024");
        assert!(last.rows.iter().any(|r| r.state == "CCC"), "other states kept");
        let config = RiskConfig { series: true, ..RiskConfig::default() };
        let series = screen(&d, &config);
        let gone: Vec<Window> =
            series.rows.iter().filter(|r| r.state == "XGD").map(|r| r.window).collect();
        assert!(!gone.is_empty(), "screened in a window of its years");
        assert!(gone.iter().all(|w| w.start <= 2012 && w.end >= 2000), "{gone:?}");
        let overlapping = series.windows.iter().filter(|w| w.start <= 2012).count();
        assert_eq!(gone.len(), overlapping);
    }

    #[test]
    fn every_indicator_flag_and_evidence_by_value() {
        let r = screen(&data(), &RiskConfig::default());
        assert_eq!(r.windows, [Window { start: 2020, end: 2024 }]);
        let row = |id: &str| r.rows.iter().find(|x| x.state == id).unwrap();
        let (a, b, c) = (row("AAA"), row("BBB"), row("CCC"));
        use Indicator as I;
        assert_eq!(a.value(I::NonStateDeals), Some(1.0));
        assert_eq!(a.value(I::NonStateTiv), Some(5.0));
        assert_eq!(a.value(I::NonStateLastYear), Some(2022.0));
        assert_eq!(a.value(I::Retransfers), Some(1.0));
        assert_eq!(a.value(I::GovernmentSideEvents), Some(1.0));
        assert_eq!(b.value(I::NonStateLastYear), None);
        assert_eq!(b.value(I::SeizedLastLegal), Some(4.0));
        assert_eq!(b.value(I::Looted), Some(30.0));
        assert_eq!(b.value(I::DivertedHere), Some(0.75));
        assert_eq!(b.value(I::ConflictEvents), Some(2.0));
        assert_eq!(b.value(I::FatalitiesBest), Some(30.0));
        assert_eq!(b.value(I::FatalitiesLow), Some(15.0));
        assert_eq!(b.value(I::FatalitiesHigh), Some(60.0));
        assert_eq!(b.value(I::GovernmentSideEvents), Some(2.0));
        assert_eq!(b.value(I::OneSidedEvents), Some(1.0));
        assert_eq!(b.value(I::OneSidedFatalities), Some(20.0));
        assert_eq!(c.value(I::NeighbourEvents), Some(2.0));
        assert_eq!(c.value(I::NeighbourFatalities), Some(30.0));
        assert_eq!(c.value(I::NeighbourHotCells), Some(1.0));
        assert_eq!(b.value(I::NeighbourEvents), Some(0.0));
        // Flags at the default thresholds.
        assert_eq!(a.flags, [I::NonStateDeals, I::Retransfers, I::GovernmentSideEvents]);
        assert_eq!(
            b.flags,
            [
                I::SeizedLastLegal,
                I::Looted,
                I::FatalitiesBest,
                I::GovernmentSideEvents,
                I::OneSidedEvents
            ]
        );
        assert_eq!(c.flags, [I::NeighbourFatalities]);
        assert_eq!(a.score, None);
        // Ranks: B first in conflict events, A and C share rank 2 with 0.
        assert_eq!(b.rank(I::ConflictEvents), Some(1));
        assert_eq!(a.rank(I::ConflictEvents), Some(2));
        assert_eq!(c.rank(I::ConflictEvents), Some(2));
        assert_eq!(a.rank(I::NonStateLastYear), Some(1));
        assert_eq!(b.rank(I::NonStateLastYear), None);
        // Evidence.
        assert_eq!(ev_ids(&r, "AAA", I::NonStateDeals), [(s("t1"), 1.0)]);
        assert_eq!(ev_ids(&r, "AAA", I::NonStateTiv), [(s("t1"), 5.0)]);
        assert_eq!(ev_ids(&r, "AAA", I::NonStateLastYear), [(s("t1"), 2022.0)]);
        assert_eq!(ev_ids(&r, "AAA", I::Retransfers), [(s("r1"), 1.0)]);
        assert_eq!(ev_ids(&r, "BBB", I::DivertedHere), [(s("s1"), 0.75)]);
        assert_eq!(ev_ids(&r, "BBB", I::FatalitiesBest), [(s("e1"), 10.0), (s("e2"), 20.0)]);
        assert_eq!(ev_ids(&r, "BBB", I::OneSidedEvents), [(s("e2"), 1.0)]);
        assert_eq!(ev_ids(&r, "CCC", I::NeighbourHotCells), [(s("h1"), 1.0)]);
        // Every flag has evidence, and the evidence of a sum adds up to its value.
        for row in &r.rows {
            for f in &row.flags {
                assert!(!ev_ids(&r, &row.state, *f).is_empty(), "{} {f:?}", row.state);
            }
            for i in Indicator::ALL.into_iter().filter(|i| *i != I::NonStateLastYear) {
                let sum: f64 = ev_ids(&r, &row.state, i).iter().map(|x| x.1).sum();
                assert_eq!(sum, row.value(i).unwrap_or(0.0), "{} {i:?}", row.state);
            }
        }
        // Exposure: SSS delivered 10 to B (5 flags) and 4 to A (3 flags, re-export).
        assert_eq!(r.exposure.len(), 1);
        let e = &r.exposure[0];
        assert_eq!((e.supplier.as_str(), e.name.as_str()), ("SSS", "Supplierland"));
        assert_eq!((e.tiv, e.deals), (14.0, 2));
        assert_eq!(e.tiv_by_flags, [0.0, 0.0, 0.0, 14.0]);
        assert_eq!((e.tiv_re_export_flagged, e.deals_re_export_flagged), (4.0, 1));
    }

    #[test]
    fn missing_sources_leave_values_empty_and_raise_nothing() {
        let mut d = data();
        d.coverage.events = false;
        d.coverage.retransfers = false;
        let r = screen(&d, &RiskConfig::default());
        for row in &r.rows {
            assert_eq!(row.value(Indicator::ConflictEvents), None);
            assert_eq!(row.rank(Indicator::ConflictEvents), None);
            assert_eq!(row.value(Indicator::Retransfers), None);
            assert!(!row.flags.contains(&Indicator::Retransfers));
        }
        assert!(r.evidence.iter().all(|e| e.indicator != Indicator::Retransfers));
    }

    #[test]
    fn a_series_has_a_window_per_year_and_weights_give_a_score() {
        let mut c = RiskConfig { series: true, window_years: 2, ..RiskConfig::default() };
        c.weights.insert(s("looted"), 2.0);
        c.weights.insert(s("fatalities_best"), 0.5);
        let r = screen(&data(), &c);
        let labels: Vec<String> = r.windows.iter().map(Window::label).collect();
        assert_eq!(labels.first().map(String::as_str), Some("2009-2010"));
        assert_eq!(labels.len(), 15);
        let b22 = r
            .rows
            .iter()
            .find(|x| x.state == "BBB" && x.window == Window { start: 2021, end: 2022 })
            .unwrap();
        assert_eq!(b22.value(Indicator::ConflictEvents), Some(1.0));
        assert_eq!(b22.value(Indicator::FatalitiesBest), Some(10.0));
        assert_eq!(b22.score, Some(2.0));
        let b19 = r
            .rows
            .iter()
            .find(|x| x.state == "BBB" && x.window == Window { start: 2018, end: 2019 })
            .unwrap();
        assert_eq!(b19.score, Some(0.5));
    }
}
