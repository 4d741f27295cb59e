//! The hubs stage: which nodes carry the diverted flow.
//!
//! Measures per node: flow betweenness over the diversion cases (each (origin,
//! destination) pair weighted by its quantity; the default ranking), weighted
//! betweenness over all pairs (exact, or sampled above `hubs.exact_max_nodes`), PageRank on
//! the evidence probabilities, in/out strength, and Gould-Fernandez brokerage roles with
//! groups = region or subregion. Path costs are `-ln p` throughout.

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
    /// Not the origin or destination of any case.
    pub transit_only: Vec<bool>,
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
    // Without case flow, rank by betweenness, but only over a network with evidence: the
    // border prior alone would make hubs of geography.
    let evidence = g.edge_weights().any(|e| e.evidence() > 0);
    let ranked_by = if flow.node.iter().any(|&f| f > 0.0) || !evidence {
        HubRanking::FlowBetweenness
    } else {
        HubRanking::Betweenness
    };
    let score = match ranked_by {
        HubRanking::FlowBetweenness => &flow.node,
        HubRanking::Betweenness => &betweenness,
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
        rank,
        ranked_by,
    })
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
    /// evidence (route-report data without seizures or looting): hubs are still ranked by
    /// how many most probable routes pass through them, never alphabetically.
    Betweenness,
}

impl HubRanking {
    /// The name used in the `ranked_by` column.
    pub fn as_str(self) -> &'static str {
        match self {
            HubRanking::FlowBetweenness => "flow_betweenness",
            HubRanking::Betweenness => "betweenness",
        }
    }
}

impl HubsResult {
    /// The value node `i` is ranked by.
    pub fn score(&self, i: usize) -> f64 {
        match self.ranked_by {
            HubRanking::FlowBetweenness => self.flow[i],
            HubRanking::Betweenness => self.betweenness[i],
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
    let hubs = TableBuilder::new("hubs")
        .uint("rank", order.iter().map(|&i| Some(h.rank[i] as u64)))
        .text("ranked_by", order.iter().map(|_| Some(h.ranked_by.as_str())))
        .text("node", order.iter().map(|&i| Some(&node(i).id)))
        .text("name", order.iter().map(|&i| Some(&node(i).name)))
        .text("iso3", order.iter().map(|&i| Some(&node(i).iso3)))
        .text("region", order.iter().map(|&i| Some(&node(i).region)))
        .text("subregion", order.iter().map(|&i| Some(&node(i).subregion)))
        .float("flow_betweenness", order.iter().map(|&i| Some(h.flow[i])))
        .float("betweenness", order.iter().map(|&i| Some(h.betweenness[i])))
        .float("betweenness_raw", order.iter().map(|&i| h.betweenness_raw.as_ref().map(|b| b[i])))
        .float("pagerank", order.iter().map(|&i| Some(h.pagerank[i])))
        .float("in_strength", order.iter().map(|&i| Some(h.in_strength[i])))
        .float("out_strength", order.iter().map(|&i| Some(h.out_strength[i])))
        .float("expected_flow", order.iter().map(|&i| Some(p.node_flow[i])))
        .float("through_flow", order.iter().map(|&i| Some(p.node_through[i])))
        .boolean("transit_only", order.iter().map(|&i| Some(h.transit_only[i])))
        .uint("coordinator", raw(|r| r.coordinator))
        .uint("itinerant", raw(|r| r.itinerant))
        .uint("representative", raw(|r| r.representative))
        .uint("gatekeeper", raw(|r| r.gatekeeper))
        .uint("liaison", raw(|r| r.liaison))
        .text("roles", order.iter().map(|&i| Some(roles(&h.brokerage.z[i]))))
        .build()?;
    let edges: Vec<_> = g.edge_references().collect();
    let hub_edges = TableBuilder::new("hub_edges")
        .text("source", edges.iter().map(|e| Some(&g[e.source()].id)))
        .text("target", edges.iter().map(|e| Some(&g[e.target()].id)))
        .float(
            "flow_betweenness",
            edges.iter().map(|e| Some(h.edge_flow_betweenness[e.id().index()])),
        )
        .float(
            "betweenness_raw",
            edges.iter().map(|e| h.edge_betweenness_raw.as_ref().map(|b| b[e.id().index()])),
        )
        .float("expected_flow", edges.iter().map(|e| Some(p.edge_flow[e.id().index()])))
        .build()?;
    Ok(vec![hubs, hub_edges])
}
