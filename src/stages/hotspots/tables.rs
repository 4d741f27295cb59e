//! The hotspot tables: `hotspot_cells` and `emerging_hotspots` (one row per cell of each
//! layer, `incidents` then `events`, with a `layer` column first) and `regional_hotspots`
//! (one row per country, subregion and region, with the seizure trend and the conflict-event
//! trend).

use super::{HotspotsResult, centre};
use crate::hotspot::{EmergingCell, GiStarCell, GiStatus, TrendDirection};
use crate::output::{OutputError, Table, TableBuilder};

/// Name of a Gi* status in the tables and layers.
pub(crate) fn status(s: GiStatus) -> &'static str {
    match s {
        GiStatus::Defined => "defined",
        GiStatus::Island => "island",
        GiStatus::ZeroSum => "zero_sum",
        GiStatus::ZeroVariance => "zero_variance",
        GiStatus::WholeDomain => "whole_domain",
    }
}

fn trend_name(t: TrendDirection) -> &'static str {
    match t {
        TrendDirection::Increasing => "increasing",
        TrendDirection::Decreasing => "decreasing",
        TrendDirection::NoTrend => "no trend",
    }
}

/// The `hotspot_cells` table: one row per study-area cell, with pseudo p-values when given.
pub fn cells_table(
    c: &[GiStarCell],
    pseudo_p: Option<&[Option<f64>]>,
) -> Result<Table, OutputError> {
    cells_builder(TableBuilder::new("hotspot_cells"), c, pseudo_p)?.build()
}

/// The `hotspot_cells` table of a run: the `incidents` layer (seizures and looting) and
/// the `events` layer (conflict events), one row per study-area cell of each, with a
/// `layer` column first.
pub fn layered_cells_table(h: &HotspotsResult) -> Result<Table, OutputError> {
    let l = h.layered_cells();
    let t = TableBuilder::new("hotspot_cells")
        .text("layer", (0..l.cells.len()).map(|i| Some(l.layer(i))));
    cells_builder(t, &l.cells, l.pseudo_p.as_deref())?.build()
}

/// The cells of both layers in one list, the incidents layer first: what the
/// `hotspot_cells` table and GIS layer hold.
#[derive(Debug, Clone)]
pub struct LayeredCells {
    /// Every cell, incidents then events.
    pub cells: Vec<GiStarCell>,
    /// How many of them are the incidents layer.
    pub incidents: usize,
    /// Pseudo p-values when either layer has them (`None` for the other layer's cells).
    pub pseudo_p: Option<Vec<Option<f64>>>,
}

impl LayeredCells {
    /// The layer of cell `i`: `incidents` or `events`.
    pub fn layer(&self, i: usize) -> &'static str {
        if i < self.incidents { "incidents" } else { "events" }
    }
}

impl HotspotsResult {
    /// The cells of both layers in one list.
    pub fn layered_cells(&self) -> LayeredCells {
        let ev = &self.event_cells;
        let cells: Vec<GiStarCell> = self.cells.iter().chain(ev.cells.iter()).cloned().collect();
        let pseudo_p = match (&*self.pseudo_p, &*ev.pseudo_p) {
            (None, None) => None,
            (a, b) => Some(
                a.clone()
                    .unwrap_or_else(|| vec![None; self.cells.len()])
                    .into_iter()
                    .chain(b.clone().unwrap_or_else(|| vec![None; ev.cells.len()]))
                    .collect(),
            ),
        };
        LayeredCells { cells, incidents: self.cells.len(), pseudo_p }
    }
}

fn cells_builder(
    t: TableBuilder,
    c: &[GiStarCell],
    pseudo_p: Option<&[Option<f64>]>,
) -> Result<TableBuilder, OutputError> {
    let centres: Vec<(f64, f64)> = c.iter().map(|x| centre(x.cell)).collect();
    let mut cells = t
        .text("cell", c.iter().map(|x| Some(x.cell.to_string())))
        .float("lat", centres.iter().map(|x| Some(x.0)))
        .float("lon", centres.iter().map(|x| Some(x.1)))
        .float("value", c.iter().map(|x| Some(x.gi.value)))
        .uint("neighbours", c.iter().map(|x| Some(u64::from(x.gi.weight_sum))))
        .float("z", c.iter().map(|x| x.gi.z))
        .float("p", c.iter().map(|x| x.gi.p))
        .float("p_fdr", c.iter().map(|x| x.gi.p_fdr))
        .int("bin", c.iter().map(|x| Some(i64::from(x.gi.bin))))
        .text("status", c.iter().map(|x| Some(status(x.gi.status))));
    if let Some(pp) = pseudo_p {
        cells = cells.float("pseudo_p", pp.iter().copied());
    }
    Ok(cells)
}

/// The hotspots tables.
pub fn hotspots_tables(h: &HotspotsResult) -> Result<Vec<Table>, OutputError> {
    let cells = layered_cells_table(h)?;
    let emerging = emerging_table(h)?;
    let r = &h.regional;
    let regional = TableBuilder::new("regional_hotspots")
        .text("level", r.iter().map(|x| Some(x.level.as_str())))
        .text("name", r.iter().map(|x| Some(&x.name)))
        .uint("seizures", r.iter().map(|x| Some(x.seizures)))
        .uint("quantity_seized", r.iter().map(|x| Some(x.quantity_seized)))
        .uint("national_aggregates", r.iter().map(|x| Some(x.national_aggregates)))
        .uint("looting_incidents", r.iter().map(|x| Some(x.looting_incidents)))
        .uint("weapons_looted", r.iter().map(|x| Some(x.weapons_looted)))
        .uint("conflict_events", r.iter().map(|x| Some(x.conflict_events)))
        .uint("fatalities", r.iter().map(|x| Some(x.fatalities)))
        .float("share_seized", r.iter().map(|x| Some(x.share_seized)))
        .float("share_looted", r.iter().map(|x| Some(x.share_looted)))
        .float("trend_z", r.iter().map(|x| x.trend.map(|t| t.z)))
        .float("trend_p", r.iter().map(|x| x.trend.map(|t| t.p)))
        .float("sen_slope", r.iter().map(|x| x.trend.and_then(|t| t.slope)))
        .text("trend", r.iter().map(|x| x.trend.map(|t| trend_name(t.trend))))
        .float("events_weighted", r.iter().map(|x| Some(x.events_weighted)))
        .float("event_trend_z", r.iter().map(|x| x.event_trend.map(|t| t.z)))
        .float("event_trend_p", r.iter().map(|x| x.event_trend.map(|t| t.p)))
        .float("event_sen_slope", r.iter().map(|x| x.event_trend.and_then(|t| t.slope)))
        .text("event_trend", r.iter().map(|x| x.event_trend.map(|t| trend_name(t.trend))))
        .build()?;
    Ok(vec![cells, emerging, regional])
}

/// The `emerging_hotspots` table: the cells of the seizure and looting cube (`incidents`),
/// then those of the conflict-event cube (`events`), with a `layer` column first.
pub fn emerging_table(h: &HotspotsResult) -> Result<Table, OutputError> {
    let e: Vec<(&str, &EmergingCell)> = h
        .emerging
        .iter()
        .map(|c| ("incidents", c))
        .chain(h.event_cube.emerging.iter().map(|c| ("events", c)))
        .collect();
    let ecentres: Vec<(f64, f64)> = e.iter().map(|x| centre(x.1.cell)).collect();
    TableBuilder::new("emerging_hotspots")
        .text("layer", e.iter().map(|x| Some(x.0)))
        .text("cell", e.iter().map(|x| Some(x.1.cell.to_string())))
        .float("lat", ecentres.iter().map(|x| Some(x.0)))
        .float("lon", ecentres.iter().map(|x| Some(x.1)))
        .text("category", e.iter().map(|x| Some(x.1.category.label())))
        .float("trend_z", e.iter().map(|x| x.1.trend.map(|t| t.z)))
        .float("trend_p", e.iter().map(|x| x.1.trend.map(|t| t.p)))
        .float("last_z", e.iter().map(|x| x.1.z.last().copied().flatten()))
        .build()
}
