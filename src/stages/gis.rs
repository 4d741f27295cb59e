//! The GIS stage: the run's spatial results as layers for QGIS, ArcGIS and notebooks,
//! written as one GeoPackage and one GeoParquet file per layer (docs/gis.md).
//!
//! Layers, in GeoPackage order: `hotspot_cells` (H3 hexagons with Gi* and the emerging
//! category, in two layers told apart by the `layer` column: `incidents` for seizures and
//! looting, `events` for conflict events), `network_nodes` (points with their flows),
//! `network_edges` (every edge as a great-circle line, with its legal/illicit `layer`),
//! `edge_flows` (the edges that carry expected flow) and `events` (seizures, looting
//! incidents and conflict events as points with their location precision). Feature
//! counts equal the row counts of the matching tables (`events`: seizures + looting +
//! conflict events).

use std::collections::HashMap;

use petgraph::visit::EdgeRef;

use crate::geo::Gazetteer;
use crate::gis::GisError;
use crate::gis::great_circle::great_circle;
use crate::gis::{GeometryType, Layer, Values, geoparquet, gpkg, wkb};
use crate::records::{ConflictEvent, LootingIncident, Seizure};
use crate::stages::artifact::OutFile;
use crate::stages::hotspots::{self, HotspotsResult};
use crate::stages::paths::PathsResult;

/// Path of the GeoPackage in the run directory.
pub const GEOPACKAGE: &str = "gis/divnet.gpkg";

/// The point records of a run.
#[derive(Debug, Clone, Copy)]
pub struct Records<'a> {
    /// Seizures.
    pub seizures: &'a [Seizure],
    /// Looting incidents.
    pub looting: &'a [LootingIncident],
    /// Conflict events.
    pub events: &'a [ConflictEvent],
}

fn text<S: Into<compact_str::CompactString>>(v: impl IntoIterator<Item = Option<S>>) -> Values {
    Values::Text(v.into_iter().map(|s| s.map(Into::into)).collect())
}

fn real(v: impl IntoIterator<Item = Option<f64>>) -> Values {
    Values::Real(v.into_iter().collect())
}

fn int(v: impl IntoIterator<Item = Option<i64>>) -> Values {
    Values::Int(v.into_iter().collect())
}

/// A closed H3 boundary ring, unwrapped across the antimeridian: a cell that straddles it
/// keeps contiguous longitudes, its eastern vertices past 180.
fn cell_ring(cell: h3o::CellIndex) -> Vec<(f64, f64)> {
    let mut ring = hotspots::ring(cell);
    let first = ring.first().map_or(0.0, |p| p.0);
    if ring.iter().any(|p| (p.0 - first).abs() > 180.0) {
        for p in &mut ring {
            if p.0 < 0.0 {
                p.0 += 360.0;
            }
        }
    }
    ring
}

/// The `hotspot_cells` layer: one hexagon per row of the `hotspot_cells` table.
pub fn hotspot_cells(h: &HotspotsResult) -> Layer {
    let l = h.layered_cells();
    let c = &l.cells;
    let categories =
        |cube: &[crate::hotspot::EmergingCell]| -> HashMap<h3o::CellIndex, &'static str> {
            cube.iter().map(|e| (e.cell, e.category.label())).collect()
        };
    let (emerging, event_emerging) = (categories(&h.emerging), categories(&h.event_cube.emerging));
    let mut layer = Layer::new(
        "hotspot_cells",
        "H3 cells of the study area with Gi* z, p, FDR-adjusted p, confidence bin and emerging category",
        GeometryType::Polygon,
        c.iter().map(|x| wkb::polygon(&cell_ring(x.cell))).collect(),
    )
    .column("layer", text((0..c.len()).map(|i| Some(l.layer(i)))))
    .column("cell", text(c.iter().map(|x| Some(compact_str::format_compact!("{}", x.cell)))))
    .column("value", real(c.iter().map(|x| Some(x.gi.value))))
    .column("neighbours", int(c.iter().map(|x| Some(i64::from(x.gi.weight_sum)))))
    .column("z", real(c.iter().map(|x| x.gi.z)))
    .column("p", real(c.iter().map(|x| x.gi.p)))
    .column("p_fdr", real(c.iter().map(|x| x.gi.p_fdr)))
    .column("bin", int(c.iter().map(|x| Some(i64::from(x.gi.bin)))))
    .column("status", text(c.iter().map(|x| Some(hotspots::status(x.gi.status)))));
    if let Some(pp) = &l.pseudo_p {
        layer = layer.column("pseudo_p", real(pp.iter().copied()));
    }
    layer.column(
        "emerging",
        text(c.iter().enumerate().map(|(i, x)| {
            let cube = if i < l.incidents { &emerging } else { &event_emerging };
            cube.get(&x.cell).copied()
        })),
    )
}

/// The `network_nodes` layer: one point per node, with its expected flows when the run
/// has diversion cases (without, there is no flow and the columns are left out).
pub fn network_nodes(p: &PathsResult) -> Layer {
    let gr = &p.network.graph;
    let nodes: Vec<&crate::network::Node> = gr.node_weights().collect();
    let layer = Layer::new(
        "network_nodes",
        "Network nodes, with expected diverted flow (total and as transit) in runs with cases",
        GeometryType::Point,
        nodes.iter().map(|n| wkb::point(n.point.lon(), n.point.lat())).collect(),
    )
    .column("node", text(nodes.iter().map(|n| Some(n.id.as_str()))))
    .column("name", text(nodes.iter().map(|n| Some(n.name.as_str()))))
    .column("iso3", text(nodes.iter().map(|n| Some(n.iso3.as_str()))))
    .column("region", text(nodes.iter().map(|n| Some(n.region.as_str()))))
    .column("subregion", text(nodes.iter().map(|n| Some(n.subregion.as_str()))));
    if p.cases.is_empty() {
        return layer;
    }
    layer
        .column("flow", real(p.node_flow.iter().map(|f| Some(*f))))
        .column("through", real(p.node_through.iter().map(|f| Some(*f))))
}

fn edge_line(p: &PathsResult, e: petgraph::graph::EdgeIndex) -> crate::gis::Feature {
    let gr = &p.network.graph;
    let (a, b) = gr.edge_endpoints(e).map_or((None, None), |(a, b)| (Some(a), Some(b)));
    let at = |n: Option<petgraph::graph::NodeIndex>| {
        n.map_or((0.0, 0.0), |n| (gr[n].point.lon(), gr[n].point.lat()))
    };
    wkb::multi_line_string(&great_circle(at(a), at(b)))
}

/// The `network_edges` layer: every edge as a great-circle line, with its probability,
/// its evidence and `layer` (`prior` for a border prior without evidence), and its
/// expected flow when the run has diversion cases (without, there is no flow and the
/// column is left out).
pub fn network_edges(p: &PathsResult) -> Layer {
    let gr = &p.network.graph;
    let edges: Vec<_> = gr.edge_references().collect();
    let layer = Layer::new(
        "network_edges",
        "Network edges as great-circle lines with their evidence, layer and probability",
        GeometryType::MultiLineString,
        edges.iter().map(|e| edge_line(p, e.id())).collect(),
    )
    .column("source", text(edges.iter().map(|e| Some(gr[e.source()].id.as_str()))))
    .column("target", text(edges.iter().map(|e| Some(gr[e.target()].id.as_str()))))
    .column("p", real(edges.iter().map(|e| Some(e.weight().p))))
    .column("cost", real(edges.iter().map(|e| Some(e.weight().cost()))))
    .column("route_reports", int(edges.iter().map(|e| Some(e.weight().route_reports as i64))))
    .column("seizure_legs", int(edges.iter().map(|e| Some(e.weight().seizure_legs as i64))))
    .column("import_legs", int(edges.iter().map(|e| Some(e.weight().import_legs as i64))))
    .column("border_prior", Values::Bool(edges.iter().map(|e| Some(e.weight().border)).collect()));
    let layer = if p.cases.is_empty() {
        layer
    } else {
        layer.column("flow", real(edges.iter().map(|e| Some(p.edge_flow[e.id().index()]))))
    };
    layer
        .column("transfers", int(edges.iter().map(|e| Some(e.weight().transfers as i64))))
        .column("transfer_tiv", real(edges.iter().map(|e| Some(e.weight().transfer_tiv))))
        .column(
            "non_state_transfers",
            int(edges.iter().map(|e| Some(e.weight().non_state_transfers as i64))),
        )
        .column("non_state_tiv", real(edges.iter().map(|e| Some(e.weight().non_state_tiv))))
        .column("layer", text(edges.iter().map(|e| Some(e.weight().layer().as_str()))))
}

/// The `edge_flows` layer: the edges with expected flow, as in the `edge_flows` table.
pub fn edge_flows(p: &PathsResult) -> Layer {
    let gr = &p.network.graph;
    let flowing: Vec<_> = gr.edge_indices().filter(|e| p.edge_flow[e.index()] > 0.0).collect();
    let end = |e: &petgraph::graph::EdgeIndex, second: bool| {
        gr.edge_endpoints(*e).map(|(a, b)| gr[if second { b } else { a }].id.as_str())
    };
    Layer::new(
        "edge_flows",
        "Expected diverted quantity per network edge, as great-circle lines",
        GeometryType::MultiLineString,
        flowing.iter().map(|e| edge_line(p, *e)).collect(),
    )
    .column("source", text(flowing.iter().map(|e| end(e, false))))
    .column("target", text(flowing.iter().map(|e| end(e, true))))
    .column("flow", real(flowing.iter().map(|e| Some(p.edge_flow[e.index()]))))
    .column("p", real(flowing.iter().map(|e| Some(gr[*e].p))))
    .column("transfers", int(flowing.iter().map(|e| Some(gr[*e].transfers as i64))))
    .column("transfer_tiv", real(flowing.iter().map(|e| Some(gr[*e].transfer_tiv))))
    .column("layer", text(flowing.iter().map(|e| Some(gr[*e].layer().as_str()))))
}

/// The `events` layer: seizures (kind `aggregate` for a national aggregate), looting
/// incidents, then conflict events, as points at their located coordinates with the
/// precision of that location (`quantity`: items seized or weapons looted; `fatalities`,
/// `fatalities_low`, `fatalities_high`: a conflict event's; `date_end`: a conflict event's
/// end when it spans several days).
pub fn events(g: &Gazetteer, r: Records<'_>) -> Layer {
    use crate::date::PartialDate;
    use crate::records::Location;
    /// One point: a reference to its record (16 bytes per point of a large run).
    #[derive(Clone, Copy)]
    enum Ev<'a> {
        Seizure(&'a Seizure),
        Looting(&'a LootingIncident),
        Conflict(&'a ConflictEvent),
    }
    impl<'a> Ev<'a> {
        fn kind(self) -> &'static str {
            match self {
                Ev::Seizure(s) if s.is_aggregate() => "aggregate",
                Ev::Seizure(_) => "seizure",
                Ev::Looting(_) => "looting",
                Ev::Conflict(_) => "conflict",
            }
        }
        fn id(self) -> &'a str {
            match self {
                Ev::Seizure(s) => &s.id,
                Ev::Looting(l) => &l.id,
                Ev::Conflict(e) => &e.id,
            }
        }
        fn date(self) -> PartialDate {
            match self {
                Ev::Seizure(s) => s.date,
                Ev::Looting(l) => l.date,
                Ev::Conflict(e) => e.date,
            }
        }
        fn location(self) -> &'a Location {
            match self {
                Ev::Seizure(s) => &s.location,
                Ev::Looting(l) => &l.location,
                Ev::Conflict(e) => &e.location,
            }
        }
        fn quantity(self) -> Option<u64> {
            match self {
                Ev::Seizure(s) => s.quantity,
                Ev::Looting(l) => l.weapons_looted,
                Ev::Conflict(_) => None,
            }
        }
        /// The last day: a conflict event's end, else the date's own.
        fn last_day_epoch(self) -> i32 {
            match self {
                Ev::Conflict(e) => e.last_day_epoch(),
                _ => self.date().last_day_epoch(),
            }
        }
        /// A conflict event's low, best and high estimates of deaths.
        fn fatalities(self) -> [Option<u64>; 3] {
            match self {
                Ev::Conflict(e) => [e.fatalities_low, e.fatalities, e.fatalities_high],
                _ => [None; 3],
            }
        }
    }
    let evs: Vec<Ev<'_>> = r
        .seizures
        .iter()
        .map(Ev::Seizure)
        .chain(r.looting.iter().map(Ev::Looting))
        .chain(r.events.iter().map(Ev::Conflict))
        .collect();
    Layer::new(
        "events",
        "Seizures, looting incidents and conflict events at their located coordinates",
        GeometryType::Point,
        evs.iter()
            .map(|e| wkb::point(e.location().point.lon(), e.location().point.lat()))
            .collect(),
    )
    .column("kind", Values::coded(evs.iter().map(|e| Some(e.kind()))))
    .column("id", text(evs.iter().map(|e| Some(e.id()))))
    .column("date", text(evs.iter().map(|e| Some(compact_str::format_compact!("{}", e.date())))))
    .column(
        "date_precision",
        Values::coded(evs.iter().map(|e| Some(e.date().precision().as_str()))),
    )
    .column(
        "date_start",
        Values::Date(evs.iter().map(|e| Some(e.date().first_day_epoch())).collect()),
    )
    .column("date_end", Values::Date(evs.iter().map(|e| Some(e.last_day_epoch())).collect()))
    .column(
        "country",
        Values::coded(evs.iter().map(|e| Some(g.country(e.location().country).iso3.as_str()))),
    )
    .column(
        "admin1",
        Values::coded(
            evs.iter()
                .map(|e| e.location().admin1.map(|a| g.admin1s()[a.0 as usize].name.as_str())),
        ),
    )
    .column("place", text(evs.iter().map(|e| e.location().place.as_deref())))
    .column(
        "location_precision",
        Values::coded(evs.iter().map(|e| Some(e.location().precision.as_str()))),
    )
    .column("quantity", int(evs.iter().map(|e| e.quantity().map(|q| q as i64))))
    .column("fatalities", int(evs.iter().map(|e| e.fatalities()[1].map(|q| q as i64))))
    .column("fatalities_low", int(evs.iter().map(|e| e.fatalities()[0].map(|q| q as i64))))
    .column("fatalities_high", int(evs.iter().map(|e| e.fatalities()[2].map(|q| q as i64))))
}

/// Every layer, in GeoPackage order (built concurrently; the result does not depend on
/// the thread count).
pub fn layers(
    g: &Gazetteer,
    records: Records<'_>,
    p: &PathsResult,
    h: &HotspotsResult,
) -> Vec<Layer> {
    let ((cells, nodes), (edges, (flows, evs))) = rayon::join(
        || rayon::join(|| hotspot_cells(h), || network_nodes(p)),
        || {
            rayon::join(
                || network_edges(p),
                || rayon::join(|| edge_flows(p), || events(g, records)),
            )
        },
    );
    vec![cells, nodes, edges, flows, evs]
}

/// Builds the layers and encodes them: `gis/divnet.gpkg` with every layer, then
/// `gis/<layer>.parquet` per layer. The GeoPackage and the GeoParquet files are encoded
/// concurrently; the bytes do not depend on the thread count.
pub fn gis(
    g: &Gazetteer,
    records: Records<'_>,
    p: &PathsResult,
    h: &HotspotsResult,
) -> Result<Vec<OutFile>, GisError> {
    use rayon::prelude::*;
    let layers = layers(g, records, p, h);
    let (gpkg, parquet) = rayon::join(
        || gpkg::geopackage_bytes(&layers),
        || layers.par_iter().map(geoparquet::geoparquet_bytes).collect::<Result<Vec<_>, _>>(),
    );
    let mut files = vec![OutFile { path: GEOPACKAGE.to_string(), bytes: gpkg?, rows: None }];
    for (l, bytes) in layers.iter().zip(parquet?) {
        files.push(OutFile {
            path: format!("gis/{}.parquet", l.name),
            bytes,
            rows: Some(l.features.len() as u64),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_ring_is_closed_and_contiguous() {
        // A resolution-3 cell on the antimeridian (near Fiji) and one far from it.
        for (ll, straddles) in [((-16.5, 179.99), true), ((48.85, 2.35), false)] {
            let cell = h3o::LatLng::new(ll.0, ll.1).unwrap().to_cell(h3o::Resolution::Three);
            let raw = hotspots::ring(cell);
            assert_eq!(raw.windows(2).any(|w| (w[1].0 - w[0].0).abs() > 180.0), straddles);
            let ring = cell_ring(cell);
            assert_eq!(ring.first(), ring.last());
            for w in ring.windows(2) {
                assert!((w[1].0 - w[0].0).abs() < 10.0, "{ring:?}");
            }
            assert_eq!(ring.iter().any(|p| p.0 > 180.0), straddles, "{ring:?}");
        }
    }
}
