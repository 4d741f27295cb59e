//! The diversion network: nodes (countries or places) and directed edges whose
//! probability combines the evidence for each leg (docs/model.md has the formulas).
//!
//! Evidence items on an edge each have a strength `s` in [0, 1):
//! - a route report: `s = c * 2^(-age / half_life)`, counted `reports` times;
//! - a seizure chain leg (origin -> last legal import -> transit... -> seizure location;
//!   the last legal import only when an origin is given and the transit list does not
//!   name it):
//!   `s = w_leg * c * 2^(-age / half_life) / n_origins`;
//! - a legal transfer (a deal, or one delivery year of it) between two states:
//!   `s = transfer_weight * 2^(-age / half_life)`, aged from its last delivery year;
//! - a transfer to a non-state armed group: the same strength, as illicit evidence;
//! - a land border (optional prior): `s = border_prior_p`.
//!
//! Each edge belongs to a layer ([`EdgeLayer`]): legal when all its evidence is legal
//! (transfers between states, seizure chains' legs into their last legal import),
//! illicit when none is, both otherwise; an edge with no evidence at all, only the border
//! prior, is a prior (the border prior is not evidence, decides no other layer and makes
//! no edge illicit).
//!
//! and combine as a noisy-OR, `p = 1 - prod(1 - s_i)`. The path cost of an edge is
//! `-ln p`, so the most probable path is the cheapest.

pub mod cases;
mod params;

use std::collections::{BTreeMap, HashMap};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::date::PartialDate;
use crate::geo::{CountryId, Gazetteer, LatLon, Resolved};
use crate::records::{Location, RouteReport, Seizure, Transfer};
pub use params::{NetworkConfig, PathModel, Resolution};

/// What a node stands for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum NodeKey {
    /// A country.
    Country(CountryId),
    /// An admin1 division.
    Admin1(crate::geo::Admin1Id),
    /// A place.
    City(crate::geo::CityId),
    /// A historical state (`Soviet Union`), its own node at its successor's position
    /// ([`crate::actors::HistoricalStates`]).
    Historical(crate::actors::HistoricalId),
}

/// A network node.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Node {
    /// What it stands for.
    pub key: NodeKey,
    /// Stable text id: ISO3 for a country, `ISO3:geonameid` / `ISO3:admin1` for a place,
    /// the crosswalk's code for a historical state (`SUN`, `DDR`, `XSV`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// ISO3 of its country (a historical state's successor, where maps draw it).
    pub iso3: String,
    /// Region of its country.
    pub region: String,
    /// Subregion of its country.
    pub subregion: String,
    /// Coordinates (representative point).
    pub point: LatLon,
}

/// The evidence behind an edge and its combined probability.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Edge {
    /// Route reports on this leg (sum of `reports`).
    pub route_reports: u64,
    /// Seizure chain legs on this leg (illicit ones; see `import_legs`).
    pub seizure_legs: u64,
    /// Seizure chain legs from an origin to the seizure's last legal import: legal
    /// evidence.
    pub import_legs: u64,
    /// Whether a land border prior contributed.
    pub border: bool,
    /// Legal transfer deals on this leg (state to state; a deal delivered over several
    /// years is one deal, [`crate::deals`]).
    pub transfers: u64,
    /// SIPRI trend-indicator value those deals delivered (millions).
    pub transfer_tiv: f64,
    /// Transfer deals to non-state armed groups on this leg.
    pub non_state_transfers: u64,
    /// Trend-indicator value delivered to non-state armed groups (millions).
    pub non_state_tiv: f64,
    /// Product of `(1 - s_i)` over the evidence (kept in log space for accuracy).
    log_miss: f64,
    /// Evidence volume: the sum of the evidence strengths (each report counted), the
    /// weight of the edge among its source's out-edges in the transition model.
    pub volume: f64,
    /// Combined probability, in (0, 1].
    pub p: f64,
}

/// Which kind of evidence an edge carries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum EdgeLayer {
    /// Legal evidence only: transfers between states, seizure chains' legal imports.
    Legal,
    /// Illicit evidence only (route reports, seizure chains, transfers to non-state
    /// groups).
    Illicit,
    /// Both.
    Both,
    /// No evidence: a land border prior alone (`network.border_prior_p`), which lets paths
    /// cross a border no record names. Never counted or drawn as illicit.
    Prior,
}

impl EdgeLayer {
    /// The name used in tables and layers.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeLayer::Legal => "legal",
            EdgeLayer::Illicit => "illicit",
            EdgeLayer::Both => "both",
            EdgeLayer::Prior => "prior",
        }
    }
}

impl Edge {
    /// Records of evidence on the edge (route reports, seizure legs, transfers), the border
    /// prior not counted.
    pub fn evidence(&self) -> u64 {
        self.route_reports
            + self.seizure_legs
            + self.import_legs
            + self.transfers
            + self.non_state_transfers
    }

    /// The layer of the edge: by its evidence, [`EdgeLayer::Prior`] without any.
    ///
    /// ```
    /// use divnet::network::{Edge, EdgeLayer};
    /// let mut e = Edge::default();
    /// e.border = true;
    /// assert_eq!(e.layer(), EdgeLayer::Prior);
    /// e.route_reports = 2;
    /// assert_eq!(e.layer(), EdgeLayer::Illicit);
    /// e.route_reports = 0;
    /// e.transfers = 1;
    /// assert_eq!(e.layer(), EdgeLayer::Legal);
    /// ```
    pub fn layer(&self) -> EdgeLayer {
        let illicit = self.route_reports + self.seizure_legs + self.non_state_transfers > 0;
        match (self.transfers + self.import_legs > 0, illicit) {
            (true, false) => EdgeLayer::Legal,
            (true, true) => EdgeLayer::Both,
            (false, true) => EdgeLayer::Illicit,
            (false, false) => EdgeLayer::Prior,
        }
    }

    fn add(&mut self, strength: f64, times: u64) {
        let s = strength.clamp(0.0, 1.0 - 1e-12);
        self.log_miss += (times as f64) * (-s).ln_1p();
        self.volume += (times as f64) * s;
    }

    fn finish(&mut self) {
        self.p = (-self.log_miss.exp_m1()).clamp(1e-12, 1.0);
    }

    /// Path cost `-ln p`, >= 0.
    pub fn cost(&self) -> f64 {
        -self.p.ln()
    }
}

/// The path cost of every edge (by edge index) under `model`: `-ln p` for the evidence
/// model; `-ln p - ln t` for the transition model, where `t` is the edge's share of its
/// source's evidence volume (docs/model.md).
pub fn edge_costs(graph: &DiGraph<Node, Edge>, model: PathModel) -> Vec<f64> {
    use petgraph::visit::EdgeRef;
    let mut out_volume = vec![0.0; graph.node_count()];
    for e in graph.edge_references() {
        out_volume[e.source().index()] += e.weight().volume;
    }
    graph
        .edge_references()
        .map(|e| {
            let w = e.weight();
            match model {
                PathModel::Evidence => w.cost(),
                PathModel::Transition => {
                    let total = out_volume[e.source().index()];
                    let share =
                        if total > 0.0 { (w.volume / total).clamp(1e-12, 1.0) } else { 1.0 };
                    w.cost() - share.ln()
                }
            }
        })
        .collect()
}

/// The network and the index from [`NodeKey`] to node. Serialised as its graph and
/// resolution; the index is rebuilt from the nodes' keys.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "NetworkRepr", from = "NetworkRepr")]
pub struct DiversionNetwork {
    /// The graph; node and edge indices are stable for a given input.
    pub graph: DiGraph<Node, Edge>,
    index: HashMap<NodeKey, NodeIndex>,
    /// Node resolution.
    pub resolution: Resolution,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct NetworkRepr {
    graph: DiGraph<Node, Edge>,
    resolution: Resolution,
}

impl From<DiversionNetwork> for NetworkRepr {
    fn from(n: DiversionNetwork) -> Self {
        NetworkRepr { graph: n.graph, resolution: n.resolution }
    }
}

impl From<NetworkRepr> for DiversionNetwork {
    fn from(r: NetworkRepr) -> Self {
        let index = r.graph.node_indices().map(|i| (r.graph[i].key, i)).collect();
        DiversionNetwork { graph: r.graph, index, resolution: r.resolution }
    }
}

/// Evidence age decay: `2^(-age_years / half_life_years)`, 1 for evidence newer than the
/// reference date.
pub fn decay(date: Option<PartialDate>, reference: chrono::NaiveDate, half_life_years: f64) -> f64 {
    match date {
        None => 1.0,
        Some(d) => {
            let age = (reference - d.last_day().min(reference)).num_days() as f64 / 365.25;
            (-age / half_life_years).exp2()
        }
    }
}

impl DiversionNetwork {
    /// The node for a key, if present.
    pub fn node(&self, key: NodeKey) -> Option<NodeIndex> {
        self.index.get(&key).copied()
    }

    /// The key a location maps to at this network's resolution.
    pub fn key_of_location(resolution: Resolution, loc: &Location) -> NodeKey {
        match resolution {
            Resolution::Country => NodeKey::Country(loc.country),
            Resolution::Place => match (loc.city, loc.admin1) {
                (Some(c), _) => NodeKey::City(c),
                (None, Some(a)) => NodeKey::Admin1(a),
                _ => NodeKey::Country(loc.country),
            },
        }
    }

    /// The key a resolved reference maps to at this network's resolution.
    pub fn key_of_resolved(resolution: Resolution, g: &Gazetteer, r: Resolved) -> NodeKey {
        match (resolution, r) {
            (Resolution::Country, r) => NodeKey::Country(g.country_of(r)),
            (Resolution::Place, Resolved::City(c)) => NodeKey::City(c),
            (Resolution::Place, Resolved::Admin1(a)) => NodeKey::Admin1(a),
            (Resolution::Place, Resolved::Country(c)) => NodeKey::Country(c),
        }
    }

    /// The key of a route end: a historical state's own node unless `merge_historical`,
    /// else the resolved place at this resolution.
    pub fn key_of_route_end(
        resolution: Resolution,
        g: &Gazetteer,
        at: Resolved,
        party: Option<&crate::actors::ActorRef>,
        merge_historical: bool,
    ) -> NodeKey {
        party
            .filter(|p| !merge_historical && p.kind == crate::actors::ActorKind::HistoricalState)
            .and_then(|p| crate::actors::HistoricalStates::embedded().find(&p.name))
            .map_or_else(|| Self::key_of_resolved(resolution, g, at), NodeKey::Historical)
    }

    fn make_node(g: &Gazetteer, key: NodeKey) -> Node {
        if let NodeKey::Historical(h) = key {
            let states = crate::actors::HistoricalStates::embedded();
            let s = states.get(h);
            // The crosswalk's successors are countries of the gazetteer (tested); were one
            // not, the node would sit at the first country rather than fail.
            let c = g.country(states.successor(h, g).unwrap_or(CountryId(0)));
            return Node {
                key,
                id: s.code.clone(),
                name: s.name.clone(),
                iso3: c.iso3.clone(),
                region: c.region.clone(),
                subregion: c.subregion.clone(),
                point: c.point,
            };
        }
        let (country, id, name, point) = match key {
            NodeKey::Country(c) => {
                (c, g.country(c).iso3.clone(), g.country(c).name.clone(), g.country(c).point)
            }
            NodeKey::Admin1(a) => {
                let x = &g.admin1s()[a.0 as usize];
                (
                    x.country,
                    format!("{}:{}", g.country(x.country).iso3, x.code),
                    x.name.clone(),
                    x.point,
                )
            }
            NodeKey::City(c) => {
                let x = &g.cities()[c.0 as usize];
                (
                    x.country,
                    format!("{}:{}", g.country(x.country).iso3, x.geonameid),
                    x.name.clone(),
                    x.point,
                )
            }
            NodeKey::Historical(_) => unreachable!("handled above"),
        };
        let c = g.country(country);
        Node {
            key,
            id,
            name,
            iso3: c.iso3.clone(),
            region: c.region.clone(),
            subregion: c.subregion.clone(),
            point,
        }
    }
}

/// The reference date for evidence age: `network.reference_date` when configured, else the
/// last day of `latest`, the latest date of any input (of every dated field of every record
/// kind, conflict events and transfers included: the day the data end). `None` only when
/// nothing is dated, and then no evidence has an age.
///
/// ```
/// use divnet::network::{NetworkConfig, reference_date};
/// let cfg = NetworkConfig::default();
/// let latest = Some("2024".parse().unwrap());
/// assert_eq!(reference_date(&cfg, latest).unwrap().to_string(), "2024-12-31");
/// assert_eq!(reference_date(&cfg, None), None);
/// ```
pub fn reference_date(
    cfg: &NetworkConfig,
    latest: Option<PartialDate>,
) -> Option<chrono::NaiveDate> {
    cfg.reference_date.or(latest).map(|d| d.last_day())
}

/// The legs of a seizure's chain at a resolution: (from, to, origin share, legal). A leg
/// is legal when it ends at the seizure's last legal import, inserted after the origin
/// (the weapons' legal import).
pub fn seizure_legs(
    resolution: Resolution,
    g: &Gazetteer,
    s: &Seizure,
) -> Vec<(NodeKey, NodeKey, f64, bool)> {
    let origins: Vec<CountryId> = if !s.origin.is_empty() {
        s.origin.clone()
    } else if let Some(c) = s.last_legal_import {
        vec![c]
    } else {
        Vec::new()
    };
    let mut legs = Vec::new();
    if origins.is_empty() {
        return legs;
    }
    let share = 1.0 / origins.len() as f64;
    let mut tail: Vec<NodeKey> = Vec::with_capacity(s.transit.len() + 2);
    // Weapons last imported legally into a country were there: the chain passes through
    // it first, unless the transit list already names it.
    let mut import = None;
    if let Some(l) = s.last_legal_import
        && !s.origin.is_empty()
        && !s.transit.iter().any(|t| g.country_of(*t) == l)
    {
        tail.push(NodeKey::Country(l));
        import = Some(NodeKey::Country(l));
    }
    tail.extend(s.transit.iter().map(|t| DiversionNetwork::key_of_resolved(resolution, g, *t)));
    tail.push(DiversionNetwork::key_of_location(resolution, &s.location));
    for o in origins {
        let mut prev = NodeKey::Country(o);
        for (i, &next) in tail.iter().enumerate() {
            if next != prev {
                legs.push((prev, next, share, i == 0 && import == Some(next)));
                prev = next;
            }
        }
    }
    legs
}

/// The node of a transfer party: its country's, or a historical state's own unless
/// `merge_historical`; `None` for a party without a country.
pub fn party_node(p: &crate::records::Party, merge_historical: bool) -> Option<NodeKey> {
    let c = p.country?;
    if !merge_historical
        && p.kind == crate::actors::ActorKind::HistoricalState
        && let Some(h) = crate::actors::HistoricalStates::embedded().find(&p.name)
    {
        return Some(NodeKey::Historical(h));
    }
    Some(NodeKey::Country(c))
}

/// The leg of a transfer: supplier and recipient nodes ([`party_node`]), when both have
/// one and they differ, and whether it goes to a non-state armed group.
pub fn transfer_leg(t: &Transfer, merge_historical: bool) -> Option<(NodeKey, NodeKey, bool)> {
    use crate::actors::ActorKind;
    let a = party_node(&t.supplier, merge_historical)?;
    let b = party_node(&t.recipient, merge_historical)?;
    (a != b).then_some((a, b, t.recipient.kind == ActorKind::ArmedGroup))
}

/// Builds the network from the validated records.
///
/// Evidence is aged at `reference` ([`reference_date`]); without one (nothing is dated),
/// no evidence has an age.
pub fn build(
    cfg: &NetworkConfig,
    g: &Gazetteer,
    reference: Option<chrono::NaiveDate>,
    seizures: &[Seizure],
    routes: &[RouteReport],
    transfers: &[Transfer],
) -> DiversionNetwork {
    let aged = |d: Option<PartialDate>| reference.map_or(1.0, |r| decay(d, r, cfg.half_life_years));
    let res = cfg.resolution;
    // Accumulate in ordered maps so that node and edge order never depends on hashing.
    let mut edges: BTreeMap<(NodeKey, NodeKey), Edge> = BTreeMap::new();
    let merge = cfg.merge_historical;
    for r in routes {
        let (a, b) = (
            DiversionNetwork::key_of_route_end(res, g, r.from, r.from_actor.as_ref(), merge),
            DiversionNetwork::key_of_route_end(res, g, r.to, r.to_actor.as_ref(), merge),
        );
        if a == b {
            continue;
        }
        let c = r.confidence.unwrap_or(cfg.default_confidence);
        let s = c * aged(r.last_reported.or(r.first_reported));
        let e = edges.entry((a, b)).or_default();
        e.route_reports += u64::from(r.reports);
        e.add(s, u64::from(r.reports));
    }
    for z in seizures {
        let c = z.confidence.unwrap_or(cfg.default_confidence);
        let base = cfg.seizure_leg_weight * c * aged(Some(z.date));
        for (a, b, share, legal) in seizure_legs(res, g, z) {
            let e = edges.entry((a, b)).or_default();
            if legal {
                e.import_legs += 1;
            } else {
                e.seizure_legs += 1;
            }
            e.add(base * share, 1);
        }
    }
    let deals = crate::deals::Deals::new(transfers);
    for (i, t) in transfers.iter().enumerate() {
        let Some((a, b, non_state)) = transfer_leg(t, merge) else { continue };
        let year = t.last_year().and_then(|y| PartialDate::year(y).ok());
        let s = cfg.transfer_weight * aged(year);
        let e = edges.entry((a, b)).or_default();
        // The rows of one deal share supplier and recipient, so one edge: its first row
        // counts the deal.
        let deal = u64::from(deals.opens(i));
        let tiv = t.tiv.unwrap_or(0.0);
        if non_state {
            e.non_state_transfers += deal;
            e.non_state_tiv += tiv;
        } else {
            e.transfers += deal;
            e.transfer_tiv += tiv;
        }
        e.add(s, 1);
    }
    if cfg.border_prior_p > 0.0 {
        for &(x, y) in g.borders() {
            for (a, b) in [(x, y), (y, x)] {
                let e = edges.entry((NodeKey::Country(a), NodeKey::Country(b))).or_default();
                e.border = true;
                e.add(cfg.border_prior_p, 1);
            }
        }
    }
    let mut keys: Vec<NodeKey> = edges.keys().flat_map(|&(a, b)| [a, b]).collect();
    for z in seizures {
        keys.push(DiversionNetwork::key_of_location(res, &z.location));
    }
    keys.sort_unstable();
    keys.dedup();
    let mut graph = DiGraph::with_capacity(keys.len(), edges.len());
    let mut index = HashMap::with_capacity(keys.len());
    for k in keys {
        let i = graph.add_node(DiversionNetwork::make_node(g, k));
        index.insert(k, i);
    }
    for ((a, b), mut e) in edges {
        e.finish();
        graph.add_edge(index[&a], index[&b], e);
    }
    DiversionNetwork { graph, index, resolution: res }
}

/// Adds a node for `key` if it is missing (cases may end at a place with no edge).
pub fn ensure_node(net: &mut DiversionNetwork, g: &Gazetteer, key: NodeKey) -> NodeIndex {
    if let Some(i) = net.index.get(&key) {
        return *i;
    }
    let i = net.graph.add_node(DiversionNetwork::make_node(g, key));
    net.index.insert(key, i);
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noisy_or_combines_independent_evidence() {
        let mut e = Edge::default();
        e.add(0.5, 1);
        e.add(0.5, 1);
        e.finish();
        assert!((e.p - 0.75).abs() < 1e-12);
        let mut f = Edge::default();
        f.add(0.5, 2);
        f.finish();
        assert!((f.p - 0.75).abs() < 1e-12);
        assert!((e.cost() - (-(0.75f64).ln())).abs() < 1e-12);
    }

    #[test]
    fn decay_halves_per_half_life() {
        let r = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let d: PartialDate = "2022-12-31".parse().unwrap();
        assert!((decay(Some(d), r, 3.0) - 0.5).abs() < 1e-3);
        let future: PartialDate = "2026-01".parse().unwrap();
        assert_eq!(decay(Some(future), r, 3.0), 1.0);
    }
}
