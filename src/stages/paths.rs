//! The path steps: the network, record linkage, diversion cases, the k most probable paths
//! per case, and expected flows on edges and nodes, each a pure function of its inputs
//! (the run graph in [`crate::stages`] makes each one a cached step), and their tables.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::algo::ksp::{KspError, KspGraph};
use crate::config::{Config, LinkageConfig};
use crate::date::PartialDate;
use crate::geo::Gazetteer;
use crate::linkage::{self, Link, LinkageParams};
use crate::network::EdgeLayer;
use crate::network::cases::{Case, CaseStats, build_cases};
use crate::network::{self, DiversionNetwork, NetworkConfig, Resolution};
use crate::output::{OutputError, Table, TableBuilder};
use crate::period::{Period, Span};
use crate::records::{LootingIncident, RouteReport, Seizure, Transfer};

/// One path of a case.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RankedPath {
    /// Rank, 1 = most probable.
    pub rank: usize,
    /// Nodes from origin to destination.
    pub nodes: Vec<NodeIndex>,
    /// Sum of `-ln p` over the edges.
    pub cost: f64,
    /// `exp(-cost)`.
    pub probability: f64,
    /// Probability normalised over the case's paths.
    pub share: f64,
}

/// The network step: the diversion network built from the evidence, with a node for
/// every looting incident's place, and the date evidence age is measured at.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NetworkStep {
    /// The network.
    #[serde(with = "crate::run::codec::arc")]
    pub network: Arc<DiversionNetwork>,
    /// `network.reference_date`, else the last day of the latest date of any input (`None`:
    /// nothing is dated).
    #[serde(with = "crate::run::codec::opt_naive_date")]
    pub reference_date: Option<chrono::NaiveDate>,
    /// The period of the records the network was built from (seizures, looting incidents,
    /// route reports, transfers).
    pub period: Option<Period>,
}

/// The cases step: diversion cases and the counts of how they were built.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CasesStep {
    /// The cases.
    #[serde(with = "crate::run::codec::arc")]
    pub cases: Arc<Vec<Case>>,
    /// Case building counts.
    pub stats: CaseStats,
    /// The period of the cases: the dates of their seizures and of the looting incidents
    /// they are traced or linked to.
    pub period: Option<Period>,
}

/// The paths step: the network with every case endpoint as a node, the paths of every
/// distinct origin-destination pair of the cases, and each case's pair.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PathsStep {
    /// The network of the network step plus the case endpoints it lacked.
    #[serde(with = "crate::run::codec::arc")]
    pub network: Arc<DiversionNetwork>,
    /// The distinct (origin, destination) node pairs of the cases, sorted.
    #[serde(with = "crate::run::codec::arc")]
    pub pairs: Arc<Vec<(NodeIndex, NodeIndex)>>,
    /// Paths per pair, in pair order (empty when unreachable).
    #[serde(with = "crate::run::codec::arc")]
    pub pair_paths: Arc<Vec<Vec<RankedPath>>>,
    /// Each case's pair (index into `pairs`), in case order.
    #[serde(with = "crate::run::codec::arc")]
    pub case_pair: Arc<Vec<u32>>,
}

/// The flows step: expected diverted quantities on the paths step's network.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FlowsStep {
    /// Per edge (by edge index).
    #[serde(with = "crate::run::codec::arc")]
    pub edge_flow: Arc<Vec<f64>>,
    /// Per node, endpoints included.
    #[serde(with = "crate::run::codec::arc")]
    pub node_flow: Arc<Vec<f64>>,
    /// Per node as an interior (transit) node.
    #[serde(with = "crate::run::codec::arc")]
    pub node_through: Arc<Vec<f64>>,
}

/// Everything the network, linkage, cases, paths and flows steps computed, together (the
/// fields share the steps' artifacts, so assembling one copies nothing).
#[derive(Debug, Clone)]
pub struct PathsResult {
    /// The network (with any case endpoints added as nodes).
    pub network: Arc<DiversionNetwork>,
    /// The date evidence age is measured at: `network.reference_date`, else the last day of
    /// the latest date of any input (`None`: nothing is dated).
    pub reference_date: Option<chrono::NaiveDate>,
    /// The period of the records the network was built from.
    pub network_period: Option<Period>,
    /// The period of the cases (their seizures and incidents).
    pub cases_period: Option<Period>,
    /// Kept linkage candidates.
    pub links: Arc<Vec<Link>>,
    /// The cases.
    pub cases: Arc<Vec<Case>>,
    /// Case building counts.
    pub case_stats: CaseStats,
    /// The distinct (origin, destination) node pairs of the cases, sorted.
    pub pairs: Arc<Vec<(NodeIndex, NodeIndex)>>,
    /// Paths per pair (empty when unreachable).
    pub pair_paths: Arc<Vec<Vec<RankedPath>>>,
    /// Each case's pair (index into `pairs`).
    pub case_pair: Arc<Vec<u32>>,
    /// Expected diverted quantity per edge (indexed by edge index).
    pub edge_flow: Arc<Vec<f64>>,
    /// Expected diverted quantity per node, endpoints included.
    pub node_flow: Arc<Vec<f64>>,
    /// Expected diverted quantity through each node as an interior (transit) node.
    pub node_through: Arc<Vec<f64>>,
}

impl PathsResult {
    /// The paths of case `i` (those of its pair; empty when unreachable).
    pub fn paths_of(&self, i: usize) -> &[RankedPath] {
        self.case_pair
            .get(i)
            .and_then(|&k| self.pair_paths.get(k as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// Every case with its paths, in case order.
    pub fn case_paths(&self) -> impl Iterator<Item = (&Case, &[RankedPath])> {
        self.cases.iter().enumerate().map(|(i, c)| (c, self.paths_of(i)))
    }

    /// The steps' artifacts as one result.
    pub fn assemble(
        network: &NetworkStep,
        links: &Arc<Vec<Link>>,
        cases: &CasesStep,
        paths: &PathsStep,
        flows: &FlowsStep,
    ) -> PathsResult {
        PathsResult {
            network: paths.network.clone(),
            reference_date: network.reference_date,
            network_period: network.period,
            cases_period: cases.period,
            links: links.clone(),
            cases: cases.cases.clone(),
            case_stats: cases.stats,
            pairs: paths.pairs.clone(),
            pair_paths: paths.pair_paths.clone(),
            case_pair: paths.case_pair.clone(),
            edge_flow: flows.edge_flow.clone(),
            node_flow: flows.node_flow.clone(),
            node_through: flows.node_through.clone(),
        }
    }
}

/// Turns the k cheapest paths into ranked paths with probabilities and shares.
pub fn rank_paths(found: Vec<crate::algo::ksp::Path<usize>>) -> Vec<RankedPath> {
    let total: f64 = found.iter().map(|p| (-p.cost).exp()).sum();
    found
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let probability = (-p.cost).exp();
            RankedPath {
                rank: i + 1,
                nodes: p.nodes.into_iter().map(NodeIndex::new).collect(),
                cost: p.cost,
                probability,
                share: if total > 0.0 { probability / total } else { 0.0 },
            }
        })
        .collect()
}

/// The network step: builds the network from the route reports, seizure chains and
/// transfers, aged at the reference date of `latest` (the latest date of any input:
/// [`network::reference_date`]), and adds a node for every looting incident's place.
pub fn network_step(
    cfg: &NetworkConfig,
    g: &Gazetteer,
    latest: Option<PartialDate>,
    seizures: &[Seizure],
    looting: &[LootingIncident],
    routes: &[RouteReport],
    transfers: &[Transfer],
) -> NetworkStep {
    let reference_date = network::reference_date(cfg, latest);
    let mut net = network::build(cfg, g, reference_date, seizures, routes, transfers);
    for inc in looting {
        network::ensure_node(
            &mut net,
            g,
            DiversionNetwork::key_of_location(cfg.resolution, &inc.location),
        );
    }
    let mut span = Span::default();
    span.records(seizures);
    span.records(looting);
    span.records(routes);
    span.records(transfers);
    NetworkStep { network: Arc::new(net), reference_date, period: span.period() }
}

/// The linkage step: links untraced seizures to looting incidents, scoring place by the
/// most probable path from the incident's node to the seizure's.
pub fn linkage_step(
    cfg: &LinkageConfig,
    net: &DiversionNetwork,
    seizures: &[Seizure],
    looting: &[LootingIncident],
) -> Vec<Link> {
    let res = net.resolution;
    // Most probable path probability from every incident's node (Dijkstra over -ln p).
    let mut from_node: BTreeMap<NodeIndex, HashMap<NodeIndex, f64>> = BTreeMap::new();
    for inc in looting {
        let n = net.node(DiversionNetwork::key_of_location(res, &inc.location)).unwrap_or_default();
        from_node.entry(n).or_insert_with(|| {
            petgraph::algo::dijkstra(&net.graph, n, None, |e| e.weight().cost())
                .into_iter()
                .map(|(k, d)| (k, (-d).exp()))
                .collect()
        });
    }
    let ids: HashMap<&str, usize> =
        looting.iter().enumerate().map(|(i, x)| (x.id.as_str(), i)).collect();
    let skip: Vec<bool> = seizures
        .iter()
        .map(|s| s.traced_incident_id.as_deref().is_some_and(|t| ids.contains_key(t)))
        .collect();
    let params = LinkageParams { threshold: cfg.threshold, max_candidates: cfg.max_candidates };
    linkage::link(seizures, looting, &skip, params, |ii, si| {
        let a = net.node(DiversionNetwork::key_of_location(res, &looting[ii].location))?;
        let b = net.node(DiversionNetwork::key_of_location(res, &seizures[si].location))?;
        from_node.get(&a).and_then(|m| m.get(&b)).copied()
    })
}

/// The cases step.
pub fn cases_step(
    resolution: Resolution,
    g: &Gazetteer,
    seizures: &[Seizure],
    looting: &[LootingIncident],
    links: &[Link],
) -> CasesStep {
    let (cases, stats) = build_cases(resolution, g, seizures, looting, links);
    let mut span = Span::default();
    for c in &cases {
        seizures.get(c.seizure).into_iter().for_each(|s| span.record(s));
        c.incident.and_then(|i| looting.get(i)).into_iter().for_each(|l| span.record(l));
    }
    CasesStep { cases: Arc::new(cases), stats, period: span.period() }
}

/// The paths step: the k most probable paths of every case, searched once per distinct
/// origin-destination pair.
pub fn paths_step(
    cfg: &crate::config::PathsConfig,
    g: &Gazetteer,
    net: &DiversionNetwork,
    cases: &[Case],
) -> Result<PathsStep, KspError> {
    let k = cfg.k;
    let mut net = net.clone();
    for c in cases {
        network::ensure_node(&mut net, g, c.origin);
        network::ensure_node(&mut net, g, c.destination);
    }
    let costs = network::edge_costs(&net.graph, cfg.model);
    let kg = KspGraph::from_graph(&net.graph, |e| costs[e.id().index()])?;
    let mut pairs: Vec<(usize, usize)> = cases
        .iter()
        .filter_map(|c| Some((net.node(c.origin)?.index(), net.node(c.destination)?.index())))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let found = kg.k_shortest_paths_batch(&pairs, k, crate::algo::Parallelism::Rayon)?;
    let pair_paths: Vec<Vec<RankedPath>> = found.into_iter().map(rank_paths).collect();
    let case_pair = cases
        .iter()
        .map(|c| {
            let key = net
                .node(c.origin)
                .zip(net.node(c.destination))
                .map(|(a, b)| (a.index(), b.index()));
            key.and_then(|k| pairs.binary_search(&k).ok()).map_or(u32::MAX, |i| i as u32)
        })
        .collect();
    let pairs = pairs.into_iter().map(|(a, b)| (NodeIndex::new(a), NodeIndex::new(b))).collect();
    Ok(PathsStep {
        network: Arc::new(net),
        pairs: Arc::new(pairs),
        pair_paths: Arc::new(pair_paths),
        case_pair: Arc::new(case_pair),
    })
}

/// The flows step: each case's quantity spread over its paths by their shares.
pub fn flows_step(p: &PathsStep, cases: &[Case]) -> FlowsStep {
    let gr = &p.network.graph;
    // Edge of each (source, target): one hash lookup per leg instead of a scan of the
    // source's out-edges (hundreds at country resolution).
    let edge_of: HashMap<(NodeIndex, NodeIndex), EdgeIndex, foldhash::fast::FixedState> =
        gr.edge_references().map(|e| ((e.source(), e.target()), e.id())).collect();
    let mut edge_flow = vec![0.0; gr.edge_count()];
    let mut node_flow = vec![0.0; gr.node_count()];
    let mut node_through = vec![0.0; gr.node_count()];
    // The quantity of every pair's cases, then spread over the pair's paths once.
    let mut demand = vec![0.0; p.pair_paths.len()];
    for (c, &k) in cases.iter().zip(p.case_pair.iter()) {
        if let Some(d) = demand.get_mut(k as usize) {
            *d += c.quantity;
        }
    }
    for (ps, &q_pair) in p.pair_paths.iter().zip(&demand) {
        for path in ps {
            let q = q_pair * path.share;
            for (i, n) in path.nodes.iter().enumerate() {
                node_flow[n.index()] += q;
                if i > 0 && i + 1 < path.nodes.len() {
                    node_through[n.index()] += q;
                }
            }
            for w in path.nodes.windows(2) {
                if let Some(e) = edge_of.get(&(w[0], w[1])) {
                    edge_flow[e.index()] += q;
                }
            }
        }
    }
    FlowsStep {
        edge_flow: Arc::new(edge_flow),
        node_flow: Arc::new(node_flow),
        node_through: Arc::new(node_through),
    }
}

/// Where a path's diversion happened: the legs that are legal, and the position in the path
/// of its diversion point, the last node weapons reached by legal transfer before the first
/// illicit leg.
///
/// When the case's seizure names its last legal import and the path passes through that
/// country, the path is legal up to it. Otherwise the legal part is the longest start of
/// the path along edges whose evidence is all legal ([`EdgeLayer::Legal`]). A
/// path with no legal leg was diverted at its origin (a looted stockpile, a declared
/// origin).
#[derive(Debug)]
pub struct Diversion {
    legal: std::collections::HashSet<(NodeIndex, NodeIndex), foldhash::fast::FixedState>,
}

impl Diversion {
    /// The legal-only edges of a network.
    pub fn new(net: &DiversionNetwork) -> Diversion {
        let gr = &net.graph;
        let legal = gr
            .edge_references()
            .filter(|e| e.weight().layer() == EdgeLayer::Legal)
            .map(|e| (e.source(), e.target()))
            .collect();
        Diversion { legal }
    }

    /// The position in `nodes` of the diversion point; legs before it are legal, legs from
    /// it on illicit.
    pub fn point(&self, nodes: &[NodeIndex], last_legal: Option<NodeIndex>) -> usize {
        self.reached(nodes, last_legal).0
    }

    /// The diversion point as [`Diversion::point`] gives it, and whether weapons reached it
    /// by legal transfer: along legal legs of the path, or because the seizure names it as
    /// its last legal import.
    pub fn reached(&self, nodes: &[NodeIndex], last_legal: Option<NodeIndex>) -> (usize, bool) {
        if let Some(i) = last_legal.and_then(|l| nodes.iter().position(|n| *n == l)) {
            return (i, true);
        }
        let mut i = 0;
        while i + 1 < nodes.len() && self.legal.contains(&(nodes[i], nodes[i + 1])) {
            i += 1;
        }
        (i, i > 0)
    }

    /// The node of a case's seizure's last legal import, if in the network.
    pub fn last_legal(net: &DiversionNetwork, seizure: Option<&Seizure>) -> Option<NodeIndex> {
        net.node(network::NodeKey::Country(seizure?.last_legal_import?))
    }
}

/// Network, linkage, cases, paths and flows in one call (the run does them as separate
/// steps; this is for tests, benchmarks and library users).
///
/// Evidence is aged at the reference date of `latest`, the latest date of any input
/// ([`network::reference_date`]); `None` dates the run by these records alone.
pub fn paths(
    config: &Config,
    g: &Gazetteer,
    latest: Option<PartialDate>,
    seizures: &[Seizure],
    looting: &[LootingIncident],
    routes: &[RouteReport],
    transfers: &[Transfer],
) -> Result<PathsResult, KspError> {
    let latest = latest.or_else(|| {
        let mut span = Span::default();
        span.records(seizures);
        span.records(looting);
        span.records(routes);
        span.records(transfers);
        span.period().map(|p| p.last)
    });
    let n = network_step(&config.network, g, latest, seizures, looting, routes, transfers);
    let links = Arc::new(linkage_step(&config.linkage, &n.network, seizures, looting));
    let c = cases_step(config.network.resolution, g, seizures, looting, &links);
    let p = paths_step(&config.paths, g, &n.network, &c.cases)?;
    let f = flows_step(&p, &c.cases);
    Ok(PathsResult::assemble(&n, &links, &c, &p, &f))
}

fn node_ids(
    net: &DiversionNetwork,
    nodes: &[NodeIndex],
    f: impl Fn(&network::Node) -> &str,
) -> String {
    nodes.iter().map(|n| f(&net.graph[*n])).collect::<Vec<_>>().join(";")
}

/// A case's path in the `paths` table: the case, its pair, the path, its diversion point.
type CaseRow<'a> = (&'a Case, u64, &'a RankedPath, usize);
/// A re-transfer chain in the `paths` table: its id, nodes and items delivered onward.
type ChainRow = (String, Vec<NodeIndex>, Option<u64>);

/// The tables of the paths stage. The `paths` table lists each case's paths (`kind` =
/// `case`; their nodes are their pair's, in `pair_paths`) and each re-transfer chain of
/// `chains` whose parties are in the network (`kind` = `retransfer`: its nodes, origin,
/// intermediary and recipient, in `nodes`; its quantity the items delivered onward).
pub fn paths_tables(
    r: &PathsResult,
    seizures: &[Seizure],
    looting: &[LootingIncident],
    chains: &[crate::retransfers::Chain],
) -> Result<Vec<Table>, OutputError> {
    let net = &r.network;
    let gr = &net.graph;
    let nodes: Vec<&network::Node> = gr.node_weights().collect();
    let nodes_t = TableBuilder::new("network_nodes")
        .text("node", nodes.iter().map(|n| Some(&n.id)))
        .text("name", nodes.iter().map(|n| Some(&n.name)))
        .text("iso3", nodes.iter().map(|n| Some(&n.iso3)))
        .text("region", nodes.iter().map(|n| Some(&n.region)))
        .text("subregion", nodes.iter().map(|n| Some(&n.subregion)))
        .float("lat", nodes.iter().map(|n| Some(n.point.lat())))
        .float("lon", nodes.iter().map(|n| Some(n.point.lon())))
        .build()?;
    let edges: Vec<_> = gr.edge_references().collect();
    let edges_t = TableBuilder::new("network_edges")
        .text("source", edges.iter().map(|e| Some(&gr[e.source()].id)))
        .text("target", edges.iter().map(|e| Some(&gr[e.target()].id)))
        .float("p", edges.iter().map(|e| Some(e.weight().p)))
        .float("cost", edges.iter().map(|e| Some(e.weight().cost())))
        .float("volume", edges.iter().map(|e| Some(e.weight().volume)))
        .uint("route_reports", edges.iter().map(|e| Some(e.weight().route_reports)))
        .uint("seizure_legs", edges.iter().map(|e| Some(e.weight().seizure_legs)))
        .uint("import_legs", edges.iter().map(|e| Some(e.weight().import_legs)))
        .boolean("border_prior", edges.iter().map(|e| Some(e.weight().border)))
        .uint("transfers", edges.iter().map(|e| Some(e.weight().transfers)))
        .float("transfer_tiv", edges.iter().map(|e| Some(e.weight().transfer_tiv)))
        .uint("non_state_transfers", edges.iter().map(|e| Some(e.weight().non_state_transfers)))
        .float("non_state_tiv", edges.iter().map(|e| Some(e.weight().non_state_tiv)))
        .text("layer", edges.iter().map(|e| Some(e.weight().layer().as_str())))
        .build()?;
    let key_id = |k| net.node(k).map(|n| gr[n].id.as_str());
    let cases_t = TableBuilder::new("cases")
        .text("case", r.cases.iter().map(|c| Some(&c.id)))
        .text("seizure", r.cases.iter().map(|c| Some(&seizures[c.seizure].id)))
        .text("kind", r.cases.iter().map(|c| Some(c.kind.as_str())))
        .text("incident", r.cases.iter().map(|c| c.incident.map(|i| looting[i].id.as_str())))
        .text("origin", r.cases.iter().map(|c| key_id(c.origin)))
        .text("destination", r.cases.iter().map(|c| key_id(c.destination)))
        .float("quantity", r.cases.iter().map(|c| Some(c.quantity)))
        .float("share", r.cases.iter().map(|c| Some(c.share)))
        .uint("paths_found", (0..r.cases.len()).map(|i| Some(r.paths_of(i).len() as u64)))
        .boolean("reachable", (0..r.cases.len()).map(|i| Some(!r.paths_of(i).is_empty())))
        .text("evidence", r.cases.iter().map(|c| Some(&c.evidence)))
        .build()?;
    let links_t = TableBuilder::new("linkage")
        .text("seizure", r.links.iter().map(|l| Some(&seizures[l.seizure].id)))
        .text("incident", r.links.iter().map(|l| Some(&looting[l.incident].id)))
        .float("score", r.links.iter().map(|l| Some(l.score)))
        .text("tier", r.links.iter().map(|l| Some(l.tier.as_str())))
        .float("share", r.links.iter().map(|l| Some(l.share)))
        .text("evidence", r.links.iter().map(|l| Some(&l.evidence)))
        .build()?;
    // Paths are found per distinct origin-destination pair: each pair's paths are written
    // once (`pair_paths`, node ids only: names join from `network_nodes`), and each case
    // refers to its pair (`paths`: its share, quantity and diversion point per path).
    let pair_rows: Vec<(u64, (NodeIndex, NodeIndex), &RankedPath)> = r
        .pairs
        .iter()
        .zip(r.pair_paths.iter())
        .enumerate()
        .flat_map(|(id, (&k, ps))| ps.iter().map(move |p| (id as u64, k, p)))
        .collect();
    let pair_paths_t = TableBuilder::new("pair_paths")
        .uint("pair", pair_rows.iter().map(|x| Some(x.0)))
        .text("origin", pair_rows.iter().map(|x| Some(&gr[x.1.0].id)))
        .text("destination", pair_rows.iter().map(|x| Some(&gr[x.1.1].id)))
        .uint("rank", pair_rows.iter().map(|x| Some(x.2.rank as u64)))
        .text("nodes", pair_rows.iter().map(|x| Some(node_ids(net, &x.2.nodes, |n| &n.id))))
        .uint("hops", pair_rows.iter().map(|x| Some(x.2.nodes.len().saturating_sub(1) as u64)))
        .float("cost", pair_rows.iter().map(|x| Some(x.2.cost)))
        .float("probability", pair_rows.iter().map(|x| Some(x.2.probability)))
        .float("share", pair_rows.iter().map(|x| Some(x.2.share)))
        .build()?;
    let diversion = Diversion::new(net);
    let rows: Vec<CaseRow<'_>> = r
        .case_paths()
        .zip(r.case_pair.iter())
        .flat_map(|((c, ps), &pair)| {
            let last_legal = Diversion::last_legal(net, seizures.get(c.seizure));
            let d = &diversion;
            ps.iter().map(move |p| (c, u64::from(pair), p, d.point(&p.nodes, last_legal)))
        })
        .collect();
    // Re-transfer chains are paths on the legal layer too: origin, intermediary (the
    // diversion point, reached by one legal leg), recipient.
    let chains: Vec<ChainRow> = chains
        .iter()
        .filter_map(|c| {
            let nodes = crate::stages::retransfers::chain_nodes(net, c)?;
            Some((crate::stages::retransfers::chain_id(c), nodes, c.onward.delivered))
        })
        .collect();
    let n_cases = rows.len();
    let both = |f: &dyn Fn(&CaseRow<'_>) -> Option<u64>, g: &dyn Fn(&ChainRow) -> Option<u64>| {
        rows.iter().map(f).chain(chains.iter().map(g)).collect::<Vec<_>>()
    };
    let paths_t = TableBuilder::new("paths")
        .text(
            "case",
            rows.iter()
                .map(|(c, ..)| Some(c.id.as_str()))
                .chain(chains.iter().map(|x| Some(x.0.as_str()))),
        )
        .text(
            "kind",
            (0..n_cases + chains.len())
                .map(|i| Some(if i < n_cases { "case" } else { "retransfer" })),
        )
        .uint("pair", both(&|x| Some(x.1), &|_| None))
        .uint("rank", both(&|x| Some(x.2.rank as u64), &|_| Some(1)))
        .float(
            "share",
            rows.iter().map(|x| Some(x.2.share)).chain(chains.iter().map(|_| Some(1.0))),
        )
        .float(
            "quantity",
            rows.iter()
                .map(|x| Some(x.0.quantity * x.2.share))
                .chain(chains.iter().map(|x| x.2.map(|n| n as f64))),
        )
        .text(
            "diversion_point",
            rows.iter()
                .map(|x| x.2.nodes.get(x.3).map(|n| gr[*n].id.as_str()))
                .chain(chains.iter().map(|x| x.1.get(1).map(|n| gr[*n].id.as_str()))),
        )
        .uint("legal_legs", both(&|x| Some(x.3 as u64), &|_| Some(1)))
        .text(
            "nodes",
            rows.iter()
                .map(|_| None)
                .chain(chains.iter().map(|x| Some(node_ids(net, &x.1, |n| &n.id)))),
        )
        .build()?;
    let flowing: Vec<EdgeIndex> =
        gr.edge_indices().filter(|e| r.edge_flow[e.index()] > 0.0).collect();
    let edge_flows_t = TableBuilder::new("edge_flows")
        .text(
            "source",
            flowing.iter().map(|e| gr.edge_endpoints(*e).map(|(a, _)| gr[a].id.as_str())),
        )
        .text(
            "target",
            flowing.iter().map(|e| gr.edge_endpoints(*e).map(|(_, b)| gr[b].id.as_str())),
        )
        .float("flow", flowing.iter().map(|e| Some(r.edge_flow[e.index()])))
        .float("p", flowing.iter().map(|e| Some(gr[*e].p)))
        .uint("transfers", flowing.iter().map(|e| Some(gr[*e].transfers)))
        .float("transfer_tiv", flowing.iter().map(|e| Some(gr[*e].transfer_tiv)))
        .text("layer", flowing.iter().map(|e| Some(gr[*e].layer().as_str())))
        .build()?;
    let mut as_origin = vec![0.0; gr.node_count()];
    let mut as_dest = vec![0.0; gr.node_count()];
    for (c, ps) in r.case_paths() {
        if ps.is_empty() {
            continue;
        }
        if let (Some(a), Some(b)) = (net.node(c.origin), net.node(c.destination)) {
            as_origin[a.index()] += c.quantity;
            as_dest[b.index()] += c.quantity;
        }
    }
    let flow_nodes: Vec<NodeIndex> =
        gr.node_indices().filter(|n| r.node_flow[n.index()] > 0.0).collect();
    let node_flows_t = TableBuilder::new("node_flows")
        .text("node", flow_nodes.iter().map(|n| Some(&gr[*n].id)))
        .text("name", flow_nodes.iter().map(|n| Some(&gr[*n].name)))
        .float("flow", flow_nodes.iter().map(|n| Some(r.node_flow[n.index()])))
        .float("through", flow_nodes.iter().map(|n| Some(r.node_through[n.index()])))
        .float("as_origin", flow_nodes.iter().map(|n| Some(as_origin[n.index()])))
        .float("as_destination", flow_nodes.iter().map(|n| Some(as_dest[n.index()])))
        .build()?;
    Ok(vec![nodes_t, edges_t, cases_t, links_t, pair_paths_t, paths_t, edge_flows_t, node_flows_t])
}

/// The `actor_flows` table: expected weapons reaching each receiving actor (the possessor
/// of the seized weapons, where a seizure names one), by path: one row per actor, its kind
/// (SIPRI's conventions, else `unclassified`) and node sequence, with the expected quantity
/// (each case's quantity times the path's share) and the number of cases. Sorted by actor,
/// then quantity (largest first), then path.
pub fn actor_flows_table(
    r: &PathsResult,
    g: &Gazetteer,
    seizures: &[Seizure],
) -> Result<Table, OutputError> {
    let net = &r.network;
    let mut parties = crate::tables::PartyKinds::new(g);
    let mut kinds: HashMap<&str, &'static str> = HashMap::new();
    let mut acc: BTreeMap<(&str, &[NodeIndex]), (f64, u64)> = BTreeMap::new();
    for (c, ps) in r.case_paths() {
        let Some(actor) = seizures.get(c.seizure).and_then(|s| s.possessor.as_deref()) else {
            continue;
        };
        kinds.entry(actor).or_insert_with(|| parties.kind(actor));
        for p in ps {
            let e = acc.entry((actor, &p.nodes)).or_default();
            e.0 += c.quantity * p.share;
            e.1 += 1;
        }
    }
    let mut rows: Vec<_> = acc.into_iter().collect();
    rows.sort_by(|a, b| a.0.0.cmp(b.0.0).then(b.1.0.total_cmp(&a.1.0)).then(a.0.1.cmp(b.0.1)));
    TableBuilder::new("actor_flows")
        .text("actor", rows.iter().map(|(k, _)| Some(k.0)))
        .text("actor_kind", rows.iter().map(|(k, _)| kinds.get(k.0).copied()))
        .text("nodes", rows.iter().map(|(k, _)| Some(node_ids(net, k.1, |n| &n.id))))
        .text("names", rows.iter().map(|(k, _)| Some(node_ids(net, k.1, |n| &n.name))))
        .uint("hops", rows.iter().map(|(k, _)| Some(k.1.len().saturating_sub(1) as u64)))
        .float("expected_quantity", rows.iter().map(|(_, v)| Some(v.0)))
        .uint("cases", rows.iter().map(|(_, v)| Some(v.1)))
        .build()
}
