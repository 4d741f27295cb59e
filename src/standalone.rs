//! Standalone graph commands on any edge list (`divnet paths`, `divnet centrality`):
//! reading `source,target,weight` CSV files and `source,target` pair lists.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How the weight column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum WeightKind {
    /// A cost (length) >= 0; paths minimise its sum.
    Cost,
    /// A probability in (0, 1]; the cost is `-ln p`, so paths maximise the product.
    Probability,
    /// A strength (flow volume, tie strength) > 0; the cost is `1 / w`.
    Strength,
}

/// Why an edge or pair file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EdgeListError {
    /// The file cannot be read (missing, not a regular file, not readable, or an error of
    /// the operating system: the source says which, once).
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: crate::ingest::file::FileError,
    },
    /// A line is malformed.
    #[error("{path}:{line}: {problem}")]
    Line {
        /// The file.
        path: PathBuf,
        /// The line (header = 1).
        line: u64,
        /// What is wrong.
        problem: String,
    },
}

/// An edge list with string node names mapped to indices `0..names.len()` in order of
/// first appearance.
#[derive(Debug, Clone, Default)]
pub struct EdgeList {
    /// Node names.
    pub names: Vec<String>,
    /// Name -> index.
    pub index: HashMap<String, usize>,
    /// `(source, target, raw weight, cost)`.
    pub edges: Vec<(usize, usize, f64, f64)>,
}

impl EdgeList {
    fn id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }
}

fn line_err(path: &Path, line: u64, problem: impl Into<String>) -> EdgeListError {
    EdgeListError::Line { path: path.to_path_buf(), line, problem: problem.into() }
}

/// A CSV file's lower-cased header and its records with their line numbers.
type Records = (Vec<String>, Vec<(u64, csv::StringRecord)>);

fn records(path: &Path) -> Result<Records, EdgeListError> {
    let bytes = crate::ingest::file::read_regular_file(path)
        .map_err(|source| EdgeListError::Io { path: path.into(), source })?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| line_err(path, 1, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    for r in rdr.records() {
        let r =
            r.map_err(|e| line_err(path, e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = r.position().map_or(0, |p| p.line());
        if r.len() != header.len() {
            return Err(line_err(
                path,
                line,
                format!("expected {} fields, found {}", header.len(), r.len()),
            ));
        }
        out.push((line, r));
    }
    Ok((header, out))
}

fn column(path: &Path, header: &[String], names: &[&str]) -> Result<usize, EdgeListError> {
    header.iter().position(|h| names.contains(&h.as_str())).ok_or_else(|| {
        line_err(path, 1, format!("no {} column (found: {})", names[0], header.join(", ")))
    })
}

/// Reads an edge list with columns `source`, `target` and `weight` (or `cost`, `p`).
/// A missing weight column means weight 1 for every edge.
pub fn read_edges(path: &Path, kind: WeightKind) -> Result<EdgeList, EdgeListError> {
    let (header, rows) = records(path)?;
    let s = column(path, &header, &["source", "from", "src"])?;
    let t = column(path, &header, &["target", "to", "dst"])?;
    let w = column(path, &header, &["weight", "cost", "p", "probability", "strength"]).ok();
    let mut list = EdgeList::default();
    for (line, r) in rows {
        let (a, b) = (r[s].trim(), r[t].trim());
        if a.is_empty() || b.is_empty() {
            return Err(line_err(path, line, "empty source or target"));
        }
        let raw = match w {
            Some(w) => r[w]
                .trim()
                .parse::<f64>()
                .map_err(|_| line_err(path, line, format!("weight {:?} is not a number", &r[w])))?,
            None => 1.0,
        };
        let cost = match kind {
            WeightKind::Cost if raw >= 0.0 && raw.is_finite() => raw,
            WeightKind::Probability if raw > 0.0 && raw <= 1.0 => -raw.ln(),
            WeightKind::Strength if raw > 0.0 && raw.is_finite() => 1.0 / raw,
            _ => {
                let need = match kind {
                    WeightKind::Cost => "a cost must be finite and >= 0",
                    WeightKind::Probability => "a probability must lie in (0, 1]",
                    WeightKind::Strength => "a strength must be finite and > 0",
                };
                return Err(line_err(path, line, format!("weight {raw}: {need}")));
            }
        };
        let (ia, ib) = (list.id(a), list.id(b));
        list.edges.push((ia, ib, raw, cost));
    }
    Ok(list)
}

/// Reads `source,target` pairs (extra columns such as `weight` are read when present).
/// Returns `(line, source, target, weight)`; weight defaults to 1.
pub fn read_pairs(path: &Path) -> Result<Vec<(u64, String, String, f64)>, EdgeListError> {
    let (header, rows) = records(path)?;
    let s = column(path, &header, &["source", "from", "origin", "src"])?;
    let t = column(path, &header, &["target", "to", "destination", "dst"])?;
    let w = column(path, &header, &["weight", "quantity", "volume"]).ok();
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in rows {
        let weight = match w {
            Some(w) => {
                r[w].trim().parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).ok_or_else(
                    || line_err(path, line, format!("weight {:?} must be a number >= 0", &r[w])),
                )?
            }
            None => 1.0,
        };
        out.push((line, r[s].trim().to_string(), r[t].trim().to_string(), weight));
    }
    Ok(out)
}

/// Writes bytes to `path` through a temporary file renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.partial-{}",
        path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default(),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// `divnet paths`: the k most probable simple paths for every pair. Returns the output
/// table and the number of pairs without a path (unreachable or naming unknown nodes).
pub fn paths_command(
    edges: &Path,
    pairs: &Path,
    k: usize,
    kind: WeightKind,
    threads: usize,
) -> anyhow::Result<(crate::output::Table, usize)> {
    use crate::algo::ksp::KspGraph;
    let list = read_edges(edges, kind)?;
    let pairs = read_pairs(pairs)?;
    let kg =
        KspGraph::from_edges(list.names.len(), list.edges.iter().map(|&(a, b, _, c)| (a, b, c)))?;
    let known: Vec<Option<(usize, usize)>> =
        pairs.iter().map(|(_, s, t, _)| Some((*list.index.get(s)?, *list.index.get(t)?))).collect();
    let query: Vec<(usize, usize)> = known.iter().flatten().copied().collect();
    let mut found = kg.k_shortest_paths_batch(&query, k, threads.max(1))?.into_iter();
    let mut rows: Vec<(String, String, &'static str, Option<crate::stages::RankedPath>)> =
        Vec::new();
    let mut missing = 0;
    for ((_, s, t, _), q) in pairs.iter().zip(&known) {
        let ranked = match q {
            None => {
                missing += 1;
                rows.push((s.clone(), t.clone(), "unknown_node", None));
                continue;
            }
            Some(_) => crate::stages::rank_paths(found.next().unwrap_or_default()),
        };
        if ranked.is_empty() {
            missing += 1;
            rows.push((s.clone(), t.clone(), "unreachable", None));
        }
        for p in ranked {
            rows.push((s.clone(), t.clone(), "ok", Some(p)));
        }
    }
    let names = |p: &crate::stages::RankedPath| {
        p.nodes.iter().map(|n| list.names[n.index()].as_str()).collect::<Vec<_>>().join(";")
    };
    let table = crate::output::TableBuilder::new("paths")
        .text("source", rows.iter().map(|r| Some(&r.0)))
        .text("target", rows.iter().map(|r| Some(&r.1)))
        .text("status", rows.iter().map(|r| Some(r.2)))
        .uint("rank", rows.iter().map(|r| r.3.as_ref().map(|p| p.rank as u64)))
        .uint(
            "hops",
            rows.iter().map(|r| r.3.as_ref().map(|p| p.nodes.len().saturating_sub(1) as u64)),
        )
        .float("cost", rows.iter().map(|r| r.3.as_ref().map(|p| p.cost)))
        .float("probability", rows.iter().map(|r| r.3.as_ref().map(|p| p.probability)))
        .float("share", rows.iter().map(|r| r.3.as_ref().map(|p| p.share)))
        .text("nodes", rows.iter().map(|r| r.3.as_ref().map(names)))
        .build()?;
    Ok((table, missing))
}

/// `divnet centrality`: betweenness, PageRank and strengths of any edge list, plus flow
/// betweenness when `pairs` (source, target, optional weight) are given.
pub fn centrality_command(
    edges: &Path,
    pairs: Option<&Path>,
    kind: WeightKind,
) -> anyhow::Result<crate::output::Table> {
    use crate::algo::betweenness::{
        BetweennessOptions, DEFAULT_TIE_TOLERANCE, betweenness, flow_betweenness,
    };
    use crate::algo::csr::Parallelism;
    use crate::algo::pagerank::{PageRankOptions, in_strength, out_strength, pagerank};
    use petgraph::graph::{DiGraph, NodeIndex};
    let list = read_edges(edges, kind)?;
    let mut g: DiGraph<(), (f64, f64)> = DiGraph::with_capacity(list.names.len(), list.edges.len());
    for _ in &list.names {
        g.add_node(());
    }
    for &(a, b, raw, cost) in &list.edges {
        // PageRank and strengths use a "bigger is stronger" weight: the probability or
        // strength as given, or exp(-cost) for costs.
        let strength = if kind == WeightKind::Cost { (-cost).exp() } else { raw };
        g.add_edge(NodeIndex::new(a), NodeIndex::new(b), (cost, strength));
    }
    let cost = |e: petgraph::graph::EdgeReference<'_, (f64, f64)>| e.weight().0;
    let strength = |e: petgraph::graph::EdgeReference<'_, (f64, f64)>| e.weight().1;
    let raw = betweenness(
        &g,
        cost,
        &BetweennessOptions { normalized: false, ..BetweennessOptions::default() },
    )?;
    // NetworkX normalisation for directed graphs: (n-1)(n-2) ordered pairs.
    let n = list.names.len();
    let scale = if n > 2 { 1.0 / ((n - 1) * (n - 2)) as f64 } else { 1.0 };
    let b: Vec<f64> = raw.iter().map(|x| x * scale).collect();
    let pr = pagerank(
        &g,
        strength,
        &PageRankOptions { tol: 1e-12, max_iter: 1000, ..PageRankOptions::default() },
    )?;
    let ins = in_strength(&g, strength)?;
    let outs = out_strength(&g, strength)?;
    let mut t = crate::output::TableBuilder::new("centrality")
        .text("node", list.names.iter().map(Some))
        .float("betweenness", b.iter().map(|x| Some(*x)))
        .float("betweenness_raw", raw.iter().map(|x| Some(*x)))
        .float("pagerank", pr.scores.iter().map(|x| Some(*x)))
        .float("in_strength", ins.iter().map(|x| Some(*x)))
        .float("out_strength", outs.iter().map(|x| Some(*x)));
    if let Some(p) = pairs {
        let mut demand = Vec::new();
        for (line, s, d, w) in read_pairs(p)? {
            let (Some(&a), Some(&z)) = (list.index.get(&s), list.index.get(&d)) else {
                return Err(line_err(
                    p,
                    line,
                    format!("pair {s} -> {d} names a node that is not in {}", edges.display()),
                )
                .into());
            };
            demand.push((NodeIndex::new(a), NodeIndex::new(z), w));
        }
        let f = flow_betweenness(&g, cost, &demand, DEFAULT_TIE_TOLERANCE, Parallelism::Rayon)?;
        t = t.float("flow_betweenness", f.node.iter().map(|x| Some(*x)));
    }
    Ok(t.build()?)
}

/// `divnet hotspots`: Gi* over H3 cells for any table with `lat`, `lon` and an optional
/// `weight` column (CSV). Rows with unusable coordinates or weights stop the command with
/// their line number.
pub fn hotspots_command(
    events: &Path,
    resolution: u8,
    k: u32,
    domain: crate::hotspot::Domain,
) -> anyhow::Result<crate::output::Table> {
    use crate::hotspot::{Event, GiStarOptions, HotspotOptions, analyse_events};
    let (header, rows) = records(events)?;
    let lat = column(events, &header, &["lat", "latitude"])?;
    let lon = column(events, &header, &["lon", "lng", "longitude"])?;
    let w = column(events, &header, &["weight", "quantity", "count"]).ok();
    let mut evs = Vec::with_capacity(rows.len());
    for (line, r) in rows {
        let num = |i: usize, what: &str| -> Result<f64, EdgeListError> {
            r[i].trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                line_err(events, line, format!("{what} {:?} is not a finite number", &r[i]))
            })
        };
        let (la, lo) = (num(lat, "lat")?, num(lon, "lon")?);
        crate::geo::LatLon::new(la, lo).map_err(|e| line_err(events, line, e.to_string()))?;
        let weight = match w {
            Some(i) if !r[i].trim().is_empty() => num(i, "weight")?,
            _ => 1.0,
        };
        if weight < 0.0 {
            return Err(line_err(events, line, "weight must be >= 0").into());
        }
        evs.push(Event { lat: la, lon: lo, step: None, weight });
    }
    let opts = HotspotOptions {
        resolution,
        domain,
        gi: GiStarOptions { k, fdr: true, parallel: true },
        ..HotspotOptions::default()
    };
    let cells = analyse_events(&evs, &opts)?;
    Ok(crate::stages::hotspots::cells_table(&cells, None)?)
}
