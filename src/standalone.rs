//! Standalone commands on any table (`divnet paths`, `divnet centrality`, `divnet
//! hotspots`): `source,target,weight` edge lists, `source,target` pair lists and
//! `lat,lon,weight` points, read from CSV, TSV, Parquet, NDJSON, GeoJSON or a spreadsheet
//! by `scan` with the reader of `divnet run`.

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
        source: crate::inputs::file::FileError,
    },
    /// The file cannot be read in its format (not a CSV or Parquet file, an empty file, a
    /// broken header).
    #[error(transparent)]
    Format(#[from] crate::ingest::IngestError),
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

/// Columns a standalone command reads: for each, the names it accepts (lower case; the
/// first names it in messages) and whether the file must have it.
type Wanted<'a> = &'a [(&'a [&'a str], bool)];

/// Reads the `wanted` columns of a CSV (TSV by its extension), Parquet, NDJSON, GeoJSON or
/// spreadsheet file (by its extension; CSV otherwise) with the reader of `divnet run`
/// ([`crate::ingest::read`]) and calls `parse(line, fields)` for
/// every record: `fields[i]` is the text of the i-th wanted column, trimmed, `None` when
/// empty or when the file has no such (optional) column. CSV is parsed in pieces of about
/// 1 MiB on the rayon pool. Returns the parsed values in file order, or the error of the
/// first record (in file order) that is malformed or that `parse` refuses.
fn scan<T: Send>(
    path: &Path,
    wanted: Wanted<'_>,
    parse: impl Fn(u64, &[Option<&str>]) -> Result<T, EdgeListError> + Sync,
) -> Result<Vec<T>, EdgeListError> {
    use crate::ingest::read;
    use crate::ingest::rows::{RawRow, ReadOptions, RowSource};
    use crate::inputs::rules::{Format, HeaderRow};
    use rayon::prelude::*;
    let bytes = crate::inputs::file::read_regular_file(path)
        .map_err(|source| EdgeListError::Io { path: path.into(), source })?;
    let format = Format::from_path(path).unwrap_or(Format::Csv);
    let tsv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let delimiter = if tsv { b'\t' } else { b',' };
    let names: Vec<String> =
        wanted.iter().flat_map(|w| w.0.iter().map(|n| n.to_string())).collect();
    // A sheet's header row is found by the names it holds; a text file's is its first line.
    let header_row =
        if format == Format::Spreadsheet { HeaderRow::Auto } else { HeaderRow::Line(1) };
    let opts = ReadOptions { delimiter, header_row, wanted: &names, ..ReadOptions::default() };
    let opened = read::open(path, &bytes, format, &opts)?;
    let header: Vec<String> = opened.header.iter().map(|h| h.to_ascii_lowercase()).collect();
    let mut map = Vec::with_capacity(wanted.len());
    for &(names, required) in wanted {
        let at = header.iter().position(|h| names.contains(&h.as_str()));
        if at.is_none() && required {
            let found = crate::ingest::rows::quote_names(&opened.header);
            return Err(line_err(path, 1, format!("no {} column (found: {found})", names[0])));
        }
        map.push(at);
    }
    let pieces: Vec<Result<Vec<T>, EdgeListError>> = match opened.rows {
        RowSource::Csv { text, delimiter, width } => {
            let (jobs, breaks) = crate::ingest::csv_jobs(&text, delimiter, width, 1 << 20, 1);
            jobs.par_iter()
                .zip(&breaks)
                .map(|(&(range, first_line), &lines)| {
                    // At most one record per line break, and one after the last.
                    let (mut out, mut err) = (Vec::with_capacity(lines as usize + 1), None);
                    read::csv_piece(
                        &text,
                        range,
                        first_line,
                        delimiter,
                        width,
                        &map,
                        |line, rec| {
                            if err.is_some() {
                                return;
                            }
                            let parsed = rec
                                .map_err(|p| line_err(path, line, p.detail))
                                .and_then(|fields| parse(line, fields));
                            match parsed {
                                Ok(v) => out.push(v),
                                Err(e) => err = Some(e),
                            }
                        },
                    );
                    err.map_or(Ok(out), Err)
                })
                .collect()
        }
        RowSource::Ready(rows) => rows
            .par_chunks(1 << 14)
            .map(|chunk| {
                let mut fields = vec![None; map.len()];
                let mut out = Vec::with_capacity(chunk.len());
                for row in chunk {
                    match row {
                        RawRow::Record { line, record } => {
                            for (f, m) in fields.iter_mut().zip(&map) {
                                *f = m
                                    .and_then(|i| record.get(i))
                                    .map(crate::ingest::rows::trim)
                                    .filter(|v| !v.is_empty());
                            }
                            out.push(parse(*line, &fields)?);
                        }
                        RawRow::Broken { line, problem } => {
                            return Err(line_err(path, *line, problem.detail.clone()));
                        }
                    }
                }
                Ok(out)
            })
            .collect(),
    };
    let mut out = Vec::with_capacity(pieces.iter().map(|p| p.as_ref().map_or(0, Vec::len)).sum());
    for piece in pieces {
        out.extend(piece?);
    }
    Ok(out)
}

/// A field of a record that [`scan`] passed on, required not to be empty.
fn filled<'f>(
    path: &Path,
    line: u64,
    field: Option<&'f str>,
    what: &str,
) -> Result<&'f str, EdgeListError> {
    field.ok_or_else(|| line_err(path, line, format!("empty {what}")))
}

/// A number field, or the error naming it (`rule` says what it must be).
fn number(
    path: &Path,
    line: u64,
    field: &str,
    what: &str,
    ok: impl Fn(f64) -> bool,
    rule: &str,
) -> Result<f64, EdgeListError> {
    crate::ingest::validate::parse_f64(field).ok().filter(|x| ok(*x)).ok_or_else(|| {
        line_err(path, line, format!("{what} {:?} {rule}", crate::text::clip(field)))
    })
}

/// Reads an edge list with columns `source`, `target` and `weight` (or `cost`, `p`).
/// A missing weight column means weight 1 for every edge.
pub fn read_edges(path: &Path, kind: WeightKind) -> Result<EdgeList, EdgeListError> {
    let wanted: Wanted<'_> = &[
        (&["source", "from", "src"], true),
        (&["target", "to", "dst"], true),
        (&["weight", "cost", "p", "probability", "strength"], false),
    ];
    let (ok, rule): (fn(f64) -> bool, &str) = match kind {
        WeightKind::Cost => {
            (|x| x >= 0.0 && x.is_finite(), "is not a cost: it must be finite and >= 0")
        }
        WeightKind::Probability => {
            (|x| x > 0.0 && x <= 1.0, "is not a probability: it must lie in (0, 1]")
        }
        WeightKind::Strength => {
            (|x| x > 0.0 && x.is_finite(), "is not a strength: it must be finite and > 0")
        }
    };
    let rows = scan(path, wanted, |line, f| {
        let a = filled(path, line, f[0], "source")?;
        let b = filled(path, line, f[1], "target")?;
        let raw = match f[2] {
            Some(w) => number(path, line, w, "weight", ok, rule)?,
            None => 1.0,
        };
        let cost = match kind {
            WeightKind::Cost => raw,
            WeightKind::Probability => -raw.ln(),
            WeightKind::Strength => 1.0 / raw,
        };
        Ok((a.to_string(), b.to_string(), raw, cost))
    })?;
    let mut list = EdgeList::default();
    for (a, b, raw, cost) in rows {
        let (ia, ib) = (list.id(&a), list.id(&b));
        list.edges.push((ia, ib, raw, cost));
    }
    Ok(list)
}

/// Reads `source,target` pairs (extra columns such as `weight` are read when present).
/// Returns `(line, source, target, weight)`; weight defaults to 1.
pub fn read_pairs(path: &Path) -> Result<Vec<(u64, String, String, f64)>, EdgeListError> {
    let wanted: Wanted<'_> = &[
        (&["source", "from", "origin", "src"], true),
        (&["target", "to", "destination", "dst"], true),
        (&["weight", "quantity", "volume"], false),
    ];
    scan(path, wanted, |line, f| {
        let weight = match f[2] {
            Some(w) => number(
                path,
                line,
                w,
                "weight",
                |x| x.is_finite() && x >= 0.0,
                "must be a number >= 0",
            )?,
            None => 1.0,
        };
        let s = filled(path, line, f[0], "source")?;
        let t = filled(path, line, f[1], "target")?;
        Ok((line, s.to_string(), t.to_string(), weight))
    })
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
) -> anyhow::Result<(crate::output::Table, usize)> {
    use crate::algo::ksp::KspGraph;
    let list = read_edges(edges, kind)?;
    let pairs = read_pairs(pairs)?;
    let kg =
        KspGraph::from_edges(list.names.len(), list.edges.iter().map(|&(a, b, _, c)| (a, b, c)))?;
    let known: Vec<Option<(usize, usize)>> =
        pairs.iter().map(|(_, s, t, _)| Some((*list.index.get(s)?, *list.index.get(t)?))).collect();
    let query: Vec<(usize, usize)> = known.iter().flatten().copied().collect();
    let mut found =
        kg.k_shortest_paths_batch(&query, k, crate::algo::Parallelism::Rayon)?.into_iter();
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
    use crate::algo::Parallelism;
    use crate::algo::betweenness::{
        BetweennessOptions, DEFAULT_TIE_TOLERANCE, betweenness, flow_betweenness,
    };
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
/// `weight` column (CSV or Parquet). Rows with unusable coordinates or weights stop the
/// command with their line number.
pub fn hotspots_command(
    events: &Path,
    resolution: u8,
    k: u32,
    domain: crate::hotspot::Domain,
) -> anyhow::Result<crate::output::Table> {
    use crate::hotspot::{GiStarOptions, HotspotError, HotspotOptions, analyse_binned};
    let res = h3o::Resolution::try_from(resolution)
        .map_err(|_| HotspotError::InvalidResolution(resolution))?;
    let wanted: Wanted<'_> = &[
        (&["lat", "latitude"], true),
        (&["lon", "lng", "longitude"], true),
        (&["weight", "quantity", "count"], false),
    ];
    let finite = |x: f64| x.is_finite();
    // Each event's cell is found while its piece of the file is parsed, on all cores.
    let placed = scan(events, wanted, |line, f| {
        let lat = filled(events, line, f[0], "lat")?;
        let lon = filled(events, line, f[1], "lon")?;
        let lat = number(events, line, lat, "lat", finite, "is not a finite number")?;
        let lon = number(events, line, lon, "lon", finite, "is not a finite number")?;
        let at =
            crate::geo::LatLon::new(lat, lon).map_err(|e| line_err(events, line, e.to_string()))?;
        let cell = h3o::LatLng::new(at.lat(), at.lon())
            .map_err(|e| line_err(events, line, e.to_string()))?
            .to_cell(res);
        let weight = match f[2] {
            Some(w) => number(
                events,
                line,
                w,
                "weight",
                |x| x >= 0.0 && x.is_finite(),
                "must be a number >= 0",
            )?,
            None => 1.0,
        };
        Ok((cell, weight))
    })?;
    let opts = HotspotOptions {
        resolution,
        domain,
        gi: GiStarOptions { k, fdr: true, parallelism: crate::algo::Parallelism::Rayon },
        ..HotspotOptions::default()
    };
    let binned = crate::hotspot::binning::sum_cells(&placed, crate::algo::Parallelism::Rayon);
    drop(placed);
    let cells = analyse_binned(&binned, &opts)?;
    Ok(crate::stages::hotspots::cells_table(&cells, None)?)
}
