//! The hubs stage: which nodes carry the diverted flow, or, in a run without diversion
//! cases, which nodes broker the trade.
//!
//! Measures per node: flow betweenness over the diversion cases (each (origin,
//! destination) pair weighted by its quantity; the default ranking), weighted
//! betweenness over all pairs (exact, or sampled above `hubs.exact_max_nodes`), trade
//! brokerage (betweenness on the supplier -> recipient graph of the transfers alone, in
//! hops), PageRank on the evidence probabilities, in/out strength, and Gould-Fernandez
//! brokerage roles with groups = region or subregion. Path costs are `-ln p` but for
//! trade brokerage. Without cases, the case measures (flow betweenness, expected and
//! through flow, `transit_only`) mean nothing and are left out of the tables.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::visit::EdgeRef;

use crate::algo::Parallelism;
use crate::algo::betweenness::{
    ApproxOptions, BetweennessMethod, BetweennessOptions, DEFAULT_TIE_TOLERANCE, betweenness_auto,
    flow_betweenness, node_and_edge_betweenness,
};
use crate::algo::brokerage::{Brokerage, RoleValues, brokerage};
use crate::algo::csr::CentralityError;
use crate::algo::pagerank::{PageRankOptions, in_strength, out_strength, pagerank};
use crate::config::{BrokerageGroups, HubsConfig};
use crate::output::{OutputError, Table, TableBuilder};
use crate::stages::paths::PathsResult;

/// Hub measures, indexed by node index of the paths stage's network.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct HubsResult {
    /// Flow betweenness over the diversion cases (weighted by quantity, not normalised).
    pub flow: Vec<f64>,
    /// Normalised weighted betweenness (NetworkX convention).
    pub betweenness: Vec<f64>,
    /// Raw weighted betweenness (exact method only).
    pub betweenness_raw: Option<Vec<f64>>,
    /// Raw edge betweenness over all pairs (exact method only), by edge index.
    pub edge_betweenness_raw: Option<Vec<f64>>,
    /// Exact or sampled.
    pub method: BetweennessMethod,
    /// Edge betweenness over the cases, by edge index.
    pub edge_flow_betweenness: Vec<f64>,
    /// PageRank on edge probabilities.
    pub pagerank: Vec<f64>,
    /// Sum of incoming edge probabilities.
    pub in_strength: Vec<f64>,
    /// Sum of outgoing edge probabilities.
    pub out_strength: Vec<f64>,
    /// Brokerage roles.
    pub brokerage: Brokerage,
    /// Not the origin or destination of any case (meaningful only with cases:
    /// [`HubsResult::has_cases`]).
    pub transit_only: Vec<bool>,
    /// Whether the run has diversion cases; without, flow betweenness, the expected flows
    /// and `transit_only` are not measures of anything and the tables leave them out.
    #[serde(default)]
    pub has_cases: bool,
    /// Trade brokerage: betweenness on the supplier -> recipient graph (the edges carrying
    /// transfers, each one hop), in supplier-recipient pairs (not normalised); `None` when
    /// no edge carries a transfer.
    #[serde(default)]
    pub trade_brokerage: Option<Vec<f64>>,
    /// 1-based rank on [`HubsResult::ranked_by`] (ties by node id).
    pub rank: Vec<usize>,
    /// The measure hubs are ranked by.
    pub ranked_by: HubRanking,
}

/// Computes the hub measures.
pub fn hubs(cfg: &HubsConfig, p: &PathsResult) -> Result<HubsResult, CentralityError> {
    let g = &p.network.graph;
    let cost = |e: petgraph::graph::EdgeReference<'_, crate::network::Edge>| e.weight().cost();
    let mut demand: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut endpoints = BTreeSet::new();
    for (c, ps) in p.case_paths() {
        let (Some(a), Some(b)) = (p.network.node(c.origin), p.network.node(c.destination)) else {
            continue;
        };
        endpoints.insert(a.index());
        endpoints.insert(b.index());
        if !ps.is_empty() && a != b {
            *demand.entry((a.index(), b.index())).or_default() += c.quantity;
        }
    }
    let pairs: Vec<_> = demand
        .iter()
        .map(|(&(a, b), &q)| {
            (petgraph::graph::NodeIndex::new(a), petgraph::graph::NodeIndex::new(b), q)
        })
        .collect();
    let flow = flow_betweenness(g, cost, &pairs, DEFAULT_TIE_TOLERANCE, Parallelism::Rayon)?;
    let n = g.node_count();
    let (betweenness, betweenness_raw, edge_betweenness_raw, method) = if n <= cfg.exact_max_nodes {
        let raw = BetweennessOptions { normalized: false, ..BetweennessOptions::default() };
        let b = node_and_edge_betweenness(g, cost, &raw)?;
        // NetworkX normalisation for directed graphs: nodes by (n-1)(n-2) ordered pairs.
        let scale = if n > 2 { 1.0 / ((n - 1) * (n - 2)) as f64 } else { 1.0 };
        (
            b.node.iter().map(|x| x * scale).collect(),
            Some(b.node),
            Some(b.edge),
            BetweennessMethod::Exact,
        )
    } else {
        let approx = ApproxOptions {
            epsilon: cfg.epsilon,
            delta: cfg.delta,
            seed: cfg.seed,
            ..ApproxOptions::default()
        };
        let auto = betweenness_auto(g, cost, 0, &approx)?;
        (auto.scores, None, None, auto.method)
    };
    let pr = pagerank(
        g,
        |e| e.weight().p,
        &PageRankOptions { tol: 1e-12, max_iter: 1000, ..PageRankOptions::default() },
    )?;
    let ins = in_strength(g, |e| e.weight().p)?;
    let outs = out_strength(g, |e| e.weight().p)?;
    let labels: Vec<&str> = g
        .node_weights()
        .map(|n| match cfg.brokerage_groups {
            BrokerageGroups::Region => n.region.as_str(),
            BrokerageGroups::Subregion => n.subregion.as_str(),
        })
        .collect();
    let mut distinct: Vec<&str> = labels.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let groups: Vec<u32> =
        labels.iter().map(|l| distinct.binary_search(l).unwrap_or(0) as u32).collect();
    let brok = brokerage(g, &groups)?;
    let trade = trade_brokerage(cfg, g)?;
    // Without case flow, rank by betweenness, but only over a network with evidence: the
    // border prior alone would make hubs of geography. A network whose only evidence is
    // transfers is a trade network: ranked by trade brokerage.
    let evidence = g.edge_weights().any(|e| e.evidence() > 0);
    let movement = g.edge_weights().any(|e| e.route_reports + e.seizure_legs + e.import_legs > 0);
    let ranked_by = if flow.node.iter().any(|&f| f > 0.0) || !evidence {
        HubRanking::FlowBetweenness
    } else if !movement && trade.is_some() {
        HubRanking::TradeBrokerage
    } else {
        HubRanking::Betweenness
    };
    let score = match (ranked_by, &trade) {
        (HubRanking::FlowBetweenness, _) => &flow.node,
        (HubRanking::TradeBrokerage, Some(t)) => t,
        _ => &betweenness,
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        score[b].total_cmp(&score[a]).then(
            g[petgraph::graph::NodeIndex::new(a)].id.cmp(&g[petgraph::graph::NodeIndex::new(b)].id),
        )
    });
    let mut rank = vec![0; n];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r + 1;
    }
    Ok(HubsResult {
        flow: flow.node,
        betweenness,
        betweenness_raw,
        edge_betweenness_raw,
        method,
        edge_flow_betweenness: flow.edge,
        pagerank: pr.scores,
        in_strength: ins,
        out_strength: outs,
        brokerage: brok,
        transit_only: (0..n).map(|i| !endpoints.contains(&i)).collect(),
        has_cases: !p.cases.is_empty(),
        trade_brokerage: trade,
        rank,
        ranked_by,
    })
}

/// Trade brokerage: betweenness on the supplier -> recipient graph, the network's edges
/// that carry at least one transfer (to a state or to a non-state armed group), each one
/// hop; route reports, seizure chains and border priors are left out. A node scores when
/// it lies on the shortest chains of deliveries between other parties: it imports from
/// some and supplies others. Not normalised: the number of ordered (supplier, recipient)
/// pairs whose shortest delivery chains pass through the node, each pair split over its
/// equally short chains. Exact, or sampled above `hubs.exact_max_nodes` (the estimate
/// scaled back to pairs). `None` when no edge carries a transfer.
fn trade_brokerage(
    cfg: &HubsConfig,
    g: &petgraph::graph::DiGraph<crate::network::Node, crate::network::Edge>,
) -> Result<Option<Vec<f64>>, CentralityError> {
    let trade = g.filter_map(
        |_, _| Some(()),
        |_, e| (e.transfers + e.non_state_transfers > 0).then_some(()),
    );
    if trade.edge_count() == 0 {
        return Ok(None);
    }
    let approx = ApproxOptions {
        epsilon: cfg.epsilon,
        delta: cfg.delta,
        seed: cfg.seed,
        ..ApproxOptions::default()
    };
    let auto = betweenness_auto(&trade, |_| 1.0, cfg.exact_max_nodes, &approx)?;
    // NetworkX normalisation for directed graphs, undone: (n-1)(n-2) ordered pairs.
    let n = trade.node_count();
    let pairs = if n > 2 { ((n - 1) * (n - 2)) as f64 } else { 1.0 };
    Ok(Some(auto.scores.iter().map(|b| b * pairs).collect()))
}

/// Roles whose sna z-score is at least 1.96, `;`-separated.
fn roles(z: &RoleValues<f64>) -> String {
    let named = [
        ("coordinator", z.coordinator),
        ("itinerant", z.itinerant),
        ("representative", z.representative),
        ("gatekeeper", z.gatekeeper),
        ("liaison", z.liaison),
    ];
    named
        .iter()
        .filter(|(_, v)| v.is_finite() && *v >= 1.96)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(";")
}

/// What hubs are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum HubRanking {
    /// Flow betweenness over the diversion cases (weapons routed through the node): the
    /// default whenever any case flow crosses the network.
    FlowBetweenness,
    /// Weighted betweenness of the network, when no case flow exists but the network has
    /// evidence of movement (route-report data without seizures or looting): hubs are
    /// still ranked by how many most probable routes pass through them, never
    /// alphabetically.
    Betweenness,
    /// Trade brokerage ([`HubsResult::trade_brokerage`]), when the network's only evidence
    /// is transfers: who stands between suppliers and recipients in the trade, which says
    /// nothing about diversion.
    TradeBrokerage,
}

impl HubRanking {
    /// The name used in the `ranked_by` column.
    pub fn as_str(self) -> &'static str {
        match self {
            HubRanking::FlowBetweenness => "flow_betweenness",
            HubRanking::Betweenness => "betweenness",
            HubRanking::TradeBrokerage => "trade_brokerage",
        }
    }

    /// What the ranked nodes are called in words: "transit hubs" only when the ranking is
    /// over diversion cases or route reports.
    pub fn nodes_called(self) -> &'static str {
        match self {
            HubRanking::FlowBetweenness => "transit hubs",
            HubRanking::Betweenness => "hubs of the reported routes",
            HubRanking::TradeBrokerage => "trade brokers",
        }
    }

    /// The measure in words, as the report and the figures name it.
    pub fn measure(self) -> &'static str {
        match self {
            HubRanking::FlowBetweenness => "flow betweenness",
            HubRanking::Betweenness => "betweenness",
            HubRanking::TradeBrokerage => "trade brokerage",
        }
    }
}

impl HubsResult {
    /// What the ranking is called where it has nothing to show: a ranking of transit hubs
    /// only in a run with cases.
    pub fn ranking_name(&self) -> String {
        match (self.ranked_by, self.has_cases) {
            (HubRanking::FlowBetweenness, false) => "ranking of the network's nodes".into(),
            (r, _) => format!("ranking of {}", r.nodes_called()),
        }
    }

    /// The value node `i` is ranked by.
    pub fn score(&self, i: usize) -> f64 {
        match (self.ranked_by, &self.trade_brokerage) {
            (HubRanking::FlowBetweenness, _) => self.flow[i],
            (HubRanking::TradeBrokerage, Some(t)) => t[i],
            _ => self.betweenness[i],
        }
    }
}

/// The hubs tables: `hubs` (one row per node, ordered by rank) and `hub_edges`.
pub fn hubs_tables(h: &HubsResult, p: &PathsResult) -> Result<Vec<Table>, OutputError> {
    let g = &p.network.graph;
    let mut order: Vec<usize> = (0..g.node_count()).collect();
    order.sort_by_key(|&i| h.rank[i]);
    let node = |i: usize| &g[petgraph::graph::NodeIndex::new(i)];
    let raw = |f: fn(&RoleValues<u64>) -> u64| {
        order.iter().map(move |&i| Some(f(&h.brokerage.raw[i]))).collect::<Vec<_>>()
    };
    // The case measures only where there are cases; trade brokerage only where edges carry
    // transfers: a column that measures nothing is left out, not filled with zeros.
    let cases = h.has_cases;
    let mut hubs = TableBuilder::new("hubs")
        .uint("rank", order.iter().map(|&i| Some(h.rank[i] as u64)))
        .text("ranked_by", order.iter().map(|_| Some(h.ranked_by.as_str())))
        .text("node", order.iter().map(|&i| Some(&node(i).id)))
        .text("name", order.iter().map(|&i| Some(&node(i).name)))
        .text("iso3", order.iter().map(|&i| Some(&node(i).iso3)))
        .text("region", order.iter().map(|&i| Some(&node(i).region)))
        .text("subregion", order.iter().map(|&i| Some(&node(i).subregion)));
    if cases {
        hubs = hubs.float("flow_betweenness", order.iter().map(|&i| Some(h.flow[i])));
    }
    if let Some(t) = &h.trade_brokerage {
        hubs = hubs.float("trade_brokerage", order.iter().map(|&i| Some(t[i])));
    }
    hubs = hubs
        .float("betweenness", order.iter().map(|&i| Some(h.betweenness[i])))
        .float("betweenness_raw", order.iter().map(|&i| h.betweenness_raw.as_ref().map(|b| b[i])))
        .float("pagerank", order.iter().map(|&i| Some(h.pagerank[i])))
        .float("in_strength", order.iter().map(|&i| Some(h.in_strength[i])))
        .float("out_strength", order.iter().map(|&i| Some(h.out_strength[i])));
    if cases {
        hubs = hubs
            .float("expected_flow", order.iter().map(|&i| Some(p.node_flow[i])))
            .float("through_flow", order.iter().map(|&i| Some(p.node_through[i])))
            .boolean("transit_only", order.iter().map(|&i| Some(h.transit_only[i])));
    }
    let hubs = hubs
        .uint("coordinator", raw(|r| r.coordinator))
        .uint("itinerant", raw(|r| r.itinerant))
        .uint("representative", raw(|r| r.representative))
        .uint("gatekeeper", raw(|r| r.gatekeeper))
        .uint("liaison", raw(|r| r.liaison))
        .text("roles", order.iter().map(|&i| Some(roles(&h.brokerage.z[i]))))
        .build()?;
    let edges: Vec<_> = g.edge_references().collect();
    let mut hub_edges = TableBuilder::new("hub_edges")
        .text("source", edges.iter().map(|e| Some(&g[e.source()].id)))
        .text("target", edges.iter().map(|e| Some(&g[e.target()].id)));
    if cases {
        hub_edges = hub_edges.float(
            "flow_betweenness",
            edges.iter().map(|e| Some(h.edge_flow_betweenness[e.id().index()])),
        );
    }
    hub_edges = hub_edges.float(
        "betweenness_raw",
        edges.iter().map(|e| h.edge_betweenness_raw.as_ref().map(|b| b[e.id().index()])),
    );
    if cases {
        hub_edges = hub_edges
            .float("expected_flow", edges.iter().map(|e| Some(p.edge_flow[e.id().index()])));
    }
    let hub_edges = hub_edges.build()?;
    Ok(vec![hubs, hub_edges])
}
