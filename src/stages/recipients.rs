//! The recipients step: per recipient state and year, what it received by legal transfer
//! beside the diversion evidence that points back to it.
//!
//! A recipient state is a state, or a historical state (its own recipient, under its own
//! name and code, unless `network.merge_historical` merges it into its successor), that
//! received at least one legal transfer. For each such state and year:
//!
//! - legal deliveries, valued in SIPRI's trend-indicator value (TIV: a row's TIV shared over
//!   its delivery years in proportion to the items, evenly when no items are known), and the
//!   deals whose deliveries began that year (each deal counted once, [`crate::deals`]);
//!   items only per armament category ([`Transfer::items_by_year`]), where they count one
//!   kind of thing;
//! - its onward transfers to non-state armed groups (as a supplier): deals and TIV;
//! - seized weapons whose last legal holder it was (`last_legal_import`), by seizure year;
//! - weapons looted from stockpiles in it, by incident year;
//! - diversion cases originating there (expected items, by seizure year), and the expected
//!   items whose paths name it as their diversion point.
//!
//! The same pass over every case's paths sums the expected weapons per diversion point
//! (any node, state or not): the `diversion_points` table and the report read it from
//! here.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::geo::{CountryId, Gazetteer};
use crate::network::NodeKey;
use crate::output::{OutputError, Table, TableBuilder};
use crate::records::{LootingIncident, Seizure, Transfer};
use crate::stages::paths::{Diversion, PathsResult};

/// One recipient state and year.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecipientYear {
    /// ISO3 of the state, or a historical state's code (`SUN`; its network node id).
    pub iso3: String,
    /// Its name.
    pub name: String,
    /// The year.
    pub year: i32,
    /// Deals to it whose deliveries began that year (each deal counted once, in the year of
    /// its first delivery).
    pub deals: u64,
    /// SIPRI trend-indicator value delivered to it that year (millions).
    pub tiv_delivered: f64,
    /// Deals it made with non-state armed groups whose deliveries began that year (an
    /// undelivered deal: its order year).
    pub transfers_to_non_state: u64,
    /// SIPRI trend-indicator value it delivered to non-state armed groups that year.
    pub tiv_to_non_state: f64,
    /// Items seized (anywhere) whose last legal import it was.
    pub seized_last_legal: u64,
    /// Weapons looted from stockpiles in it.
    pub looted: u64,
    /// Expected items of diversion cases originating there.
    pub cases_originating: f64,
    /// Expected items whose paths have their diversion point there.
    pub diverted_here: f64,
}

impl RecipientYear {
    /// The diversion evidence of the row, in weapons: seized with it as last legal holder,
    /// looted there, and diverted there by the paths (its onward transfers to non-state
    /// groups are valued in TIV, [`RecipientYear::tiv_to_non_state`]).
    pub fn evidence(&self) -> f64 {
        self.seized_last_legal as f64 + self.looted as f64 + self.diverted_here
    }

    fn add(&mut self, o: &RecipientYear) {
        self.year = self.year.max(o.year);
        self.deals += o.deals;
        self.tiv_delivered += o.tiv_delivered;
        self.transfers_to_non_state += o.transfers_to_non_state;
        self.tiv_to_non_state += o.tiv_to_non_state;
        self.seized_last_legal += o.seized_last_legal;
        self.looted += o.looted;
        self.cases_originating += o.cases_originating;
        self.diverted_here += o.diverted_here;
    }
}

/// Deliveries to one recipient state in one year and armament category.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecipientCategory {
    /// ISO3 of the state.
    pub iso3: String,
    /// The year.
    pub year: i32,
    /// Armament category: the source's, else the one its description names
    /// ([`crate::stages::dyads::category_of`]), else `unspecified`.
    pub category: String,
    /// Deals whose deliveries began that year.
    pub deals: u64,
    /// Items delivered that year (one armament category: items of one kind).
    pub items: u64,
    /// TIV (millions).
    pub tiv: f64,
}

/// A node where paths are diverted: expected weapons over every case's paths whose
/// diversion point it is ([`Diversion`]).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DiversionPoint {
    /// Node id.
    pub node: String,
    /// Node name.
    pub name: String,
    /// ISO3 of its country.
    pub iso3: String,
    /// Expected weapons (each case's quantity times each path's share).
    pub expected: f64,
    /// Of which reached it by legal transfer (legal legs before it, or the seizure names
    /// it as its last legal import).
    pub after_legal_transfer: f64,
    /// Cases whose most probable path is diverted there.
    pub cases_top_path: u64,
}

/// The artifact of the recipients step.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Recipients {
    /// Per state and year, sorted by state (ISO3) then year.
    #[serde(with = "crate::run::codec::arc")]
    pub years: Arc<Vec<RecipientYear>>,
    /// Per state, year and category, sorted likewise then by category.
    #[serde(with = "crate::run::codec::arc")]
    pub categories: Arc<Vec<RecipientCategory>>,
    /// Every diversion point, most expected weapons first (then by node id).
    #[serde(with = "crate::run::codec::arc")]
    pub points: Arc<Vec<DiversionPoint>>,
    /// The years of `years`, first to last.
    pub period: Option<crate::period::Period>,
}

fn is_state(kind: crate::actors::ActorKind) -> bool {
    kind.is_state()
}

/// The id and name of a recipient state's node key (a country or a historical state).
pub(crate) fn state_label(g: &Gazetteer, k: NodeKey) -> (String, String) {
    match k {
        NodeKey::Historical(h) => {
            let s = crate::actors::HistoricalStates::embedded().get(h);
            (s.code.clone(), s.name.clone())
        }
        other => {
            let c = g.country(country_of(g, other));
            (c.iso3.clone(), c.name.clone())
        }
    }
}

/// The country of a node key (a historical state's successor).
fn country_of(g: &Gazetteer, k: NodeKey) -> CountryId {
    match k {
        NodeKey::Country(c) => c,
        NodeKey::Admin1(a) => g.admin1s()[a.0 as usize].country,
        NodeKey::City(c) => g.cities()[c.0 as usize].country,
        NodeKey::Historical(h) => {
            let states = crate::actors::HistoricalStates::embedded();
            states.successor(h, g).unwrap_or(CountryId(0))
        }
    }
}

/// The state a node key counts for: itself for a country or a historical state, the
/// country of a place.
pub(crate) fn state_key(g: &Gazetteer, k: NodeKey) -> NodeKey {
    match k {
        NodeKey::Historical(_) | NodeKey::Country(_) => k,
        other => NodeKey::Country(country_of(g, other)),
    }
}

/// A transfer row's items and SIPRI TIV per delivery year: the row's TIV shared over its
/// delivery years in proportion to the items, evenly when no items are known (0 without
/// TIV).
pub fn tiv_by_year(t: &Transfer) -> Vec<(i32, u64, f64)> {
    let tiv = t.tiv.unwrap_or(0.0);
    let by_year = t.items_by_year();
    let total: u64 = by_year.iter().map(|(_, n)| n).sum();
    let years = by_year.len() as f64;
    let share = |n: u64| if total > 0 { n as f64 / total as f64 } else { 1.0 / years };
    by_year.into_iter().map(|(y, n)| (y, n, tiv * share(n))).collect()
}

/// A transfer row by a state to a non-state armed group.
#[derive(Debug, Clone, PartialEq)]
pub struct Onward {
    /// The supplier state.
    pub supplier: NodeKey,
    /// When the row opens its deal, the year the deal counts in: its first delivery, else
    /// the row's last year ([`Transfer::last_year`]: its order year when undelivered).
    pub deal_year: Option<i32>,
    /// Items and TIV per delivery year ([`tiv_by_year`]).
    pub by_year: Vec<(i32, u64, f64)>,
}

/// Transfer `i` (`t`) as an onward transfer by a state to a non-state armed group, or
/// `None` when it is not one; `merge_historical` counts a historical state for its
/// successor.
pub fn onward(
    t: &Transfer,
    i: usize,
    deals: &crate::deals::Deals,
    merge_historical: bool,
) -> Option<Onward> {
    let supplier = crate::network::party_node(&t.supplier, merge_historical)?;
    let armed = t.recipient.kind == crate::actors::ActorKind::ArmedGroup;
    if !is_state(t.supplier.kind) || !armed || is_state(t.recipient.kind) {
        return None;
    }
    let deal_year = deals.first_year(deals.of(i)).or(t.last_year()).filter(|_| deals.opens(i));
    Some(Onward { supplier, deal_year, by_year: tiv_by_year(t) })
}

/// One path of a diversion case at its diversion point ([`Diversion::reached`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DivertedAt {
    /// The case's seizure (index into the seizures).
    pub seizure: usize,
    /// The node the path is diverted at.
    pub node: petgraph::graph::NodeIndex,
    /// Expected weapons: the case's quantity times the path's share.
    pub expected: f64,
    /// Reached by legal transfer (legal legs before it, or the seizure names it as its
    /// last legal import).
    pub after_legal_transfer: bool,
    /// The case's most probable path.
    pub top_path: bool,
}

/// Every case path's diversion point, in case and path order.
pub fn diverted_at(paths: &PathsResult, seizures: &[Seizure]) -> Vec<DivertedAt> {
    let net = &paths.network;
    let diversion = Diversion::new(net);
    let mut out = Vec::new();
    for (case, ps) in paths.case_paths() {
        let Some(s) = seizures.get(case.seizure) else { continue };
        let last_legal = Diversion::last_legal(net, Some(s));
        for p in ps {
            let (at, legal) = diversion.reached(&p.nodes, last_legal);
            let Some(&node) = p.nodes.get(at) else { continue };
            out.push(DivertedAt {
                seizure: case.seizure,
                node,
                expected: case.quantity * p.share,
                after_legal_transfer: legal,
                top_path: p.rank == 1,
            });
        }
    }
    out
}

impl Recipients {
    /// Every recipient state's years summed (`year`: its last), most diversion evidence
    /// first, then most TIV transferred on to non-state groups, then most TIV delivered,
    /// then by ISO3.
    pub fn totals(&self) -> Vec<RecipientYear> {
        let mut by_state: BTreeMap<&str, RecipientYear> = BTreeMap::new();
        for y in self.years.iter() {
            by_state
                .entry(&y.iso3)
                .or_insert_with(|| RecipientYear {
                    iso3: y.iso3.clone(),
                    name: y.name.clone(),
                    year: y.year,
                    ..RecipientYear::default()
                })
                .add(y);
        }
        let mut out: Vec<RecipientYear> = by_state.into_values().collect();
        out.sort_by(|a, b| {
            b.evidence()
                .total_cmp(&a.evidence())
                .then(b.tiv_to_non_state.total_cmp(&a.tiv_to_non_state))
                .then(b.tiv_delivered.total_cmp(&a.tiv_delivered))
                .then(a.iso3.cmp(&b.iso3))
        });
        out
    }
}

type CategoryKey = (NodeKey, i32, String);

/// The row of a recipient state, year and category.
fn category_row<'a>(
    cats: &'a mut BTreeMap<CategoryKey, RecipientCategory>,
    iso3: &str,
    (c, year): (NodeKey, i32),
    category: &str,
) -> &'a mut RecipientCategory {
    cats.entry((c, year, category.to_string())).or_insert_with(|| RecipientCategory {
        iso3: iso3.to_string(),
        year,
        category: category.to_string(),
        ..RecipientCategory::default()
    })
}

/// The recipients step; `merge_historical` counts a historical state for its successor.
pub fn recipients(
    g: &Gazetteer,
    transfers: &[Transfer],
    seizures: &[Seizure],
    looting: &[LootingIncident],
    paths: &PathsResult,
    merge_historical: bool,
) -> Recipients {
    let mut rows: BTreeMap<(NodeKey, i32), RecipientYear> = BTreeMap::new();
    let mut cats: BTreeMap<CategoryKey, RecipientCategory> = BTreeMap::new();
    let mut states: std::collections::BTreeSet<NodeKey> = Default::default();
    let mut add = |c: NodeKey, year: i32, f: &dyn Fn(&mut RecipientYear)| {
        let r = rows.entry((c, year)).or_insert_with(|| {
            let (iso3, name) = state_label(g, c);
            RecipientYear { iso3, name, year, ..RecipientYear::default() }
        });
        f(r);
    };
    let node = |p: &crate::records::Party| crate::network::party_node(p, merge_historical);
    let deals = crate::deals::Deals::new(transfers);
    // The years a state received deliveries in (kept even when their TIV is unknown).
    let mut delivered: std::collections::BTreeSet<(NodeKey, i32)> = Default::default();
    for (i, t) in transfers.iter().enumerate() {
        // A deal is counted once, by its first row, in the year its deliveries began.
        let deal = deals.of(i);
        let new_deal = deals.opens(i);
        let (Some(rc), true) = (node(&t.recipient), is_state(t.recipient.kind)) else {
            // To a non-state armed group: counted for a state supplier.
            if let Some(o) = onward(t, i, &deals, merge_historical) {
                if let Some(y) = o.deal_year {
                    add(o.supplier, y, &|r| r.transfers_to_non_state += 1);
                }
                for (y, _, v) in o.by_year {
                    add(o.supplier, y, &|r| r.tiv_to_non_state += v);
                }
            }
            continue;
        };
        if node(&t.supplier) == Some(rc) {
            continue;
        }
        states.insert(rc);
        let category = crate::stages::dyads::category_of(t);
        let first = deals.first_year(deal).filter(|_| new_deal);
        if let Some(y) = first {
            add(rc, y, &|r| r.deals += 1);
        }
        for (y, n, v) in tiv_by_year(t) {
            delivered.insert((rc, y));
            add(rc, y, &|r| r.tiv_delivered += v);
            let e = category_row(&mut cats, &state_label(g, rc).0, (rc, y), &category);
            e.items += n;
            e.tiv += v;
        }
        if let Some(y) = first {
            category_row(&mut cats, &state_label(g, rc).0, (rc, y), &category).deals += 1;
        }
    }
    for s in seizures {
        if let Some(c) = s.last_legal_import {
            let n = s.items();
            add(NodeKey::Country(c), s.date.year_value(), &|r| r.seized_last_legal += n);
        }
    }
    for l in looting {
        let n = l.weapons_looted.unwrap_or(0);
        add(NodeKey::Country(l.location.country), l.date.year_value(), &|r| r.looted += n);
    }
    let net = &paths.network;
    let country_of = |k: NodeKey| state_key(g, k);
    for (case, ps) in paths.case_paths() {
        let Some(s) = seizures.get(case.seizure) else { continue };
        if !ps.is_empty() {
            let q = case.quantity;
            add(country_of(case.origin), s.date.year_value(), &|r| r.cases_originating += q);
        }
    }
    let mut points: BTreeMap<petgraph::graph::NodeIndex, DiversionPoint> = BTreeMap::new();
    for d in diverted_at(paths, seizures) {
        let year = seizures[d.seizure].date.year_value();
        let q = d.expected;
        add(country_of(net.graph[d.node].key), year, &|r| r.diverted_here += q);
        let e = points.entry(d.node).or_default();
        e.expected += q;
        if d.after_legal_transfer {
            e.after_legal_transfer += q;
        }
        if d.top_path {
            e.cases_top_path += 1;
        }
    }
    let mut points: Vec<DiversionPoint> = points
        .into_iter()
        .map(|(n, d)| {
            let node = &net.graph[n];
            DiversionPoint {
                node: node.id.clone(),
                name: node.name.clone(),
                iso3: node.iso3.clone(),
                ..d
            }
        })
        .collect();
    points.sort_by(|a, b| b.expected.total_cmp(&a.expected).then(a.node.cmp(&b.node)));
    let mut years: Vec<RecipientYear> = rows
        .into_iter()
        .filter(|((c, _), _)| states.contains(c))
        .filter(|(k, r)| {
            delivered.contains(k)
                || r.deals + r.transfers_to_non_state + r.seized_last_legal + r.looted > 0
                || r.tiv_delivered > 0.0
                || r.tiv_to_non_state > 0.0
                || r.cases_originating > 0.0
                || r.diverted_here > 0.0
        })
        .map(|(_, r)| r)
        .collect();
    years.sort_by(|a, b| a.iso3.cmp(&b.iso3).then(a.year.cmp(&b.year)));
    let mut categories: Vec<RecipientCategory> = cats.into_values().collect();
    categories.sort_by(|a, b| {
        a.iso3.cmp(&b.iso3).then(a.year.cmp(&b.year)).then(a.category.cmp(&b.category))
    });
    let mut span = crate::period::Span::default();
    for y in years.iter().filter_map(|r| crate::date::PartialDate::year(r.year).ok()) {
        span.see(y);
    }
    Recipients {
        years: Arc::new(years),
        categories: Arc::new(categories),
        points: Arc::new(points),
        period: span.period(),
    }
}

/// The `recipients`, `recipient_categories` and `diversion_points` tables.
pub fn recipients_tables(r: &Recipients) -> Result<Vec<Table>, OutputError> {
    let y = &r.years;
    let years = TableBuilder::new("recipients")
        .text("recipient", y.iter().map(|x| Some(&x.iso3)))
        .text("name", y.iter().map(|x| Some(&x.name)))
        .int("year", y.iter().map(|x| Some(i64::from(x.year))))
        .uint("deals", y.iter().map(|x| Some(x.deals)))
        .float("tiv_delivered", y.iter().map(|x| Some(x.tiv_delivered)))
        .uint("transfers_to_non_state", y.iter().map(|x| Some(x.transfers_to_non_state)))
        .float("tiv_to_non_state", y.iter().map(|x| Some(x.tiv_to_non_state)))
        .uint("seized_last_legal", y.iter().map(|x| Some(x.seized_last_legal)))
        .uint("looted", y.iter().map(|x| Some(x.looted)))
        .float("cases_originating", y.iter().map(|x| Some(x.cases_originating)))
        .float("diverted_here", y.iter().map(|x| Some(x.diverted_here)))
        .build()?;
    let c = &r.categories;
    let cats = TableBuilder::new("recipient_categories")
        .text("recipient", c.iter().map(|x| Some(&x.iso3)))
        .int("year", c.iter().map(|x| Some(i64::from(x.year))))
        .text("armament_category", c.iter().map(|x| Some(&x.category)))
        .uint("deals", c.iter().map(|x| Some(x.deals)))
        .uint("items", c.iter().map(|x| Some(x.items)))
        .float("tiv", c.iter().map(|x| Some(x.tiv)))
        .build()?;
    let d = &r.points;
    let points = TableBuilder::new("diversion_points")
        .text("node", d.iter().map(|x| Some(&x.node)))
        .text("name", d.iter().map(|x| Some(&x.name)))
        .float("expected_items", d.iter().map(|x| Some(x.expected)))
        .float("after_legal_transfer", d.iter().map(|x| Some(x.after_legal_transfer)))
        .uint("cases_top_path", d.iter().map(|x| Some(x.cases_top_path)))
        .build()?;
    Ok(vec![years, cats, points])
}
