//! The hotspots stage: H3 Gi* hot and cold spots, regional aggregates with trends, and
//! emerging hotspot categories (docs/hotspots.md states every rule).
//!
//! Events are seizures and looting incidents, weighted by `hotspots.weight` (count;
//! quantity = items seized / weapons looted; rounds). Conflict events (UCDP GED, ACLED)
//! form a layer of their own on the same grid (`event_cells`, counted one each), so that
//! seizure hotspots can be read beside conflict hotspots; the regional aggregates count
//! them and their fatalities per country, subregion and region. Events located only at a country's
//! representative point are left out of the cell statistics and counted in the regional
//! ones. The space-time cube uses `hotspots.time_step`; an event whose date is coarser
//! than the step (a year-only date in a monthly cube) is left out of the cube and counted.

use std::collections::BTreeMap;
use std::sync::Arc;

use h3o::{CellIndex, LatLng};

use crate::algo::Parallelism;
use crate::config::{EventWeight, HotspotsConfig, StudyArea};
use crate::date::{PartialDate, TimeStep};
use crate::geo::Gazetteer;
use crate::hotspot::{
    Domain, EmergingCell, EmergingOptions, Event, GiStarCell, GiStarOptions, GiStatus,
    HotspotError, MannKendall, NeighbourLists, PermutationDraws, TrendDirection, bin_events,
    build_space_time_cube, build_study_area, emerging_hotspots, gi_star_cells, gi_star_pseudo_p,
    mann_kendall,
};
use crate::output::{OutputError, Table, TableBuilder};
use crate::period::{Period, Span};
use crate::records::{ConflictEvent, Location, LootingIncident, Seizure};
use crate::schema::LocationPrecision;

/// Most cells a study area may have.
const MAX_CELLS: usize = 5_000_000;

/// One event as the stage sees it.
#[derive(Debug, Clone, Copy)]
struct Ev<'a> {
    location: &'a Location,
    date: PartialDate,
    weight: f64,
    /// Items seized or weapons looted (1 when not reported), or a conflict event's
    /// fatalities (0 when not reported), whatever the weight.
    quantity: u64,
    kind: EvKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EvKind {
    Seizure,
    /// A national aggregate of seizures (a country's total for a date, or a part of it).
    Aggregate,
    Looting,
    Conflict,
}

/// The level of a regional aggregate. The order is the order of the `regional_hotspots`
/// table: regions first, then subregions, then countries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum RegionLevel {
    /// A continent-scale region (Africa, Europe...).
    Region,
    /// A subregion (Western Africa...).
    Subregion,
    /// A country (by ISO3).
    Country,
}

impl RegionLevel {
    /// The lower-case name written to the `level` column.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Region => "region",
            RegionLevel::Subregion => "subregion",
            RegionLevel::Country => "country",
        }
    }
}

/// A region's aggregates and trend.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Regional {
    /// Country, subregion or region.
    pub level: RegionLevel,
    /// ISO3 or region name.
    pub name: String,
    /// Seizure records (national aggregates not included).
    pub seizures: u64,
    /// Items seized, national aggregates included.
    pub quantity_seized: u64,
    /// National aggregates (country totals for a date, or parts of them: the UNODC IAFQ's
    /// rows), whose weapons count in `quantity_seized`.
    #[serde(default)]
    pub national_aggregates: u64,
    /// Looting incidents.
    pub looting_incidents: u64,
    /// Weapons looted.
    pub weapons_looted: u64,
    /// Conflict events.
    pub conflict_events: u64,
    /// Their fatalities (best estimates).
    pub fatalities: u64,
    /// Share of all items seized.
    pub share_seized: f64,
    /// Share of all weapons looted.
    pub share_looted: f64,
    /// Mann-Kendall test of the per-step seizure counts (None with fewer than 2 steps).
    pub trend: Option<MannKendall>,
    /// Seizure records per time step.
    pub series_seizures: Vec<f64>,
    /// Weapons looted per time step.
    pub series_looted: Vec<f64>,
}

/// The hotspot cells step: Gi* per study-area cell.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct CellsStep {
    /// Gi* per study-area cell.
    #[serde(with = "crate::run::codec::arc")]
    pub cells: Arc<Vec<GiStarCell>>,
    /// Permutation pseudo p-values (when `permutations > 0`).
    #[serde(with = "crate::run::codec::arc")]
    pub pseudo_p: Arc<Option<Vec<Option<f64>>>>,
    /// Events left out of the cell statistics (country-level location).
    pub excluded_country_level: u64,
    /// The period of the records binned into the cells.
    pub period: Option<Period>,
}

/// The space-time cube step: emerging hot spot categories.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct CubeStep {
    /// Emerging hotspot category per cell of the cube.
    #[serde(with = "crate::run::codec::arc")]
    pub emerging: Arc<Vec<EmergingCell>>,
    /// Labels of the time steps (`2023`, `2023-05`, `2023-Q2`).
    pub steps: Vec<String>,
    /// Events left out of the cube (date coarser than the step).
    pub excluded_coarse_date: u64,
    /// The period of the records in the cube.
    pub period: Option<Period>,
}

/// The regional series step: aggregates per country, subregion and region, with trends.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RegionalStep {
    /// Regional aggregates, ranked.
    #[serde(with = "crate::run::codec::arc")]
    pub regional: Arc<Vec<Regional>>,
    /// Labels of the time steps of the regional series.
    pub regional_steps: Vec<String>,
    /// The time step of the regional series (`hotspots.trend_step`).
    pub regional_step: TimeStep,
    /// The period of the seizures and looting incidents of the series.
    pub period: Option<Period>,
}

/// Everything the three hotspot steps computed, together (sharing their artifacts).
#[derive(Debug, Clone)]
pub struct HotspotsResult {
    /// Gi* per study-area cell.
    pub cells: Arc<Vec<GiStarCell>>,
    /// Permutation pseudo p-values (when `permutations > 0`).
    pub pseudo_p: Arc<Option<Vec<Option<f64>>>>,
    /// Emerging hotspot category per cell of the cube.
    pub emerging: Arc<Vec<EmergingCell>>,
    /// Labels of the time steps (`2023`, `2023-05`, `2023-Q2`).
    pub steps: Vec<String>,
    /// Regional aggregates, ranked.
    pub regional: Arc<Vec<Regional>>,
    /// Labels of the time steps of the regional series.
    pub regional_steps: Vec<String>,
    /// The time step of the regional series (`hotspots.trend_step`).
    pub regional_step: TimeStep,
    /// Events left out of the cell statistics (country-level location).
    pub excluded_country_level: u64,
    /// Events left out of the space-time cube (date coarser than the step).
    pub excluded_coarse_date: u64,
    /// The period of the records binned into the cells.
    pub cells_period: Option<Period>,
    /// The period of the records in the space-time cube.
    pub cube_period: Option<Period>,
    /// The period of the regional series.
    pub series_period: Option<Period>,
    /// The conflict-event layer (empty without conflict events).
    pub event_cells: CellsStep,
}

impl HotspotsResult {
    /// The same result with the conflict-event layer.
    pub fn with_events(mut self, events: &CellsStep) -> Self {
        self.event_cells = events.clone();
        self
    }

    /// The steps' artifacts as one result.
    pub fn assemble(cells: &CellsStep, cube: &CubeStep, regional: &RegionalStep) -> Self {
        HotspotsResult {
            cells: cells.cells.clone(),
            pseudo_p: cells.pseudo_p.clone(),
            emerging: cube.emerging.clone(),
            steps: cube.steps.clone(),
            regional: regional.regional.clone(),
            regional_steps: regional.regional_steps.clone(),
            regional_step: regional.regional_step,
            excluded_country_level: cells.excluded_country_level,
            excluded_coarse_date: cube.excluded_coarse_date,
            cells_period: cells.period,
            cube_period: cube.period,
            series_period: regional.period,
            event_cells: CellsStep::default(),
        }
    }

    /// The steps' artifacts again (sharing the data).
    pub fn parts(&self) -> (CellsStep, CubeStep, RegionalStep) {
        (
            CellsStep {
                cells: self.cells.clone(),
                pseudo_p: self.pseudo_p.clone(),
                excluded_country_level: self.excluded_country_level,
                period: self.cells_period,
            },
            CubeStep {
                emerging: self.emerging.clone(),
                steps: self.steps.clone(),
                excluded_coarse_date: self.excluded_coarse_date,
                period: self.cube_period,
            },
            RegionalStep {
                regional: self.regional.clone(),
                regional_steps: self.regional_steps.clone(),
                regional_step: self.regional_step,
                period: self.series_period,
            },
        )
    }
}

/// The events of the stage: seizures, then looting incidents, weighted by `cfg.weight`.
fn events<'a>(
    cfg: &HotspotsConfig,
    seizures: &'a [Seizure],
    looting: &'a [LootingIncident],
) -> Vec<Ev<'a>> {
    let weight = |count: Option<u64>, rounds: Option<u64>| match cfg.weight {
        EventWeight::Count => 1.0,
        EventWeight::Rounds => rounds.unwrap_or(0) as f64,
        EventWeight::Quantity => count.unwrap_or(1) as f64,
    };
    let mut evs: Vec<Ev<'_>> = Vec::with_capacity(seizures.len() + looting.len());
    for s in seizures {
        evs.push(Ev {
            location: &s.location,
            date: s.date,
            weight: weight(s.quantity, s.rounds),
            quantity: s.quantity.unwrap_or(1),
            kind: if s.is_aggregate() { EvKind::Aggregate } else { EvKind::Seizure },
        });
    }
    for l in looting {
        evs.push(Ev {
            location: &l.location,
            date: l.date,
            weight: weight(l.weapons_looted, l.rounds_looted),
            quantity: l.weapons_looted.unwrap_or(1),
            kind: EvKind::Looting,
        });
    }
    evs
}

/// Conflict events, one each.
fn conflict_events(events: &[ConflictEvent]) -> Vec<Ev<'_>> {
    events
        .iter()
        .map(|e| Ev {
            location: &e.location,
            date: e.date,
            weight: 1.0,
            quantity: e.fatalities.unwrap_or(0),
            kind: EvKind::Conflict,
        })
        .collect()
}

fn located<'e, 'a>(evs: &'e [Ev<'a>]) -> Vec<&'e Ev<'a>> {
    evs.iter().filter(|e| e.location.precision != LocationPrecision::Country).collect()
}

fn domain(cfg: &HotspotsConfig) -> Result<Domain, HotspotError> {
    Ok(match (cfg.domain, cfg.bbox) {
        (StudyArea::Occupied, _) => Domain::Occupied,
        (StudyArea::Bbox, Some([west, south, east, north])) => {
            Domain::Bbox { west, south, east, north }
        }
        (StudyArea::Bbox, None) => {
            return Err(HotspotError::InvalidParameter {
                name: "hotspots.bbox",
                value: "(absent)".into(),
                reason: "domain = \"bbox\" needs a bounding box",
            });
        }
        (StudyArea::Ring, _) => Domain::Ring { k: cfg.k },
    })
}

/// The hotspot cells step: Gi* (FDR-controlled) over the H3 cells of the study area, with
/// conditional permutation pseudo p-values when `permutations > 0`.
pub fn cells_step(
    cfg: &HotspotsConfig,
    seizures: &[Seizure],
    looting: &[LootingIncident],
) -> Result<CellsStep, HotspotError> {
    gi_cells(cfg, &events(cfg, seizures, looting))
}

/// The event cells step: Gi* of conflict events (counted one each) on the grid and study
/// area rules of the seizure and looting cells.
pub fn event_cells_step(
    cfg: &HotspotsConfig,
    events: &[ConflictEvent],
) -> Result<CellsStep, HotspotError> {
    gi_cells(cfg, &conflict_events(events))
}

fn gi_cells(cfg: &HotspotsConfig, evs: &[Ev<'_>]) -> Result<CellsStep, HotspotError> {
    let located = located(evs);
    let excluded_country_level = (evs.len() - located.len()) as u64;
    let mut span = Span::default();
    located.iter().for_each(|e| span.see(e.date));
    let period = span.period();
    let domain = domain(cfg)?;
    let events: Vec<Event> = located
        .iter()
        .map(|e| Event {
            lat: e.location.point.lat(),
            lon: e.location.point.lon(),
            step: None,
            weight: e.weight,
        })
        .collect();
    let gi = GiStarOptions { k: cfg.k, fdr: true, parallelism: Parallelism::Rayon };
    if events.is_empty() {
        return Ok(CellsStep { excluded_country_level, period, ..CellsStep::default() });
    }
    let binned = bin_events(&events, cfg.resolution, Parallelism::Rayon)?;
    let area = build_study_area(&binned, cfg.resolution, &domain, MAX_CELLS, Parallelism::Rayon)?;
    let cells = gi_star_cells(&area, &gi)?;
    let pseudo_p = if cfg.permutations > 0 {
        let w = NeighbourLists::h3_k_ring(&area.cells, cfg.k, Parallelism::Rayon)?;
        let perms =
            u32::try_from(cfg.permutations).map_err(|_| HotspotError::InvalidParameter {
                name: "hotspots.permutations",
                value: cfg.permutations.to_string(),
                reason: "must be at most 4294967295",
            })?;
        Some(gi_star_pseudo_p(
            &area.values,
            &w,
            perms,
            cfg.seed,
            PermutationDraws::PerClass,
            Parallelism::Rayon,
        )?)
    } else {
        None
    };
    Ok(CellsStep {
        cells: Arc::new(cells),
        pseudo_p: Arc::new(pseudo_p),
        excluded_country_level,
        period,
    })
}

/// The space-time cube step: emerging hot spot categories over `hotspots.time_step`.
pub fn cube_step(
    cfg: &HotspotsConfig,
    seizures: &[Seizure],
    looting: &[LootingIncident],
) -> Result<CubeStep, HotspotError> {
    let evs = events(cfg, seizures, looting);
    let located = located(&evs);
    let domain = domain(cfg)?;
    let stepped: Vec<(i64, &Ev<'_>)> =
        located.iter().filter_map(|e| Some((cfg.time_step.index(e.date)?, *e))).collect();
    let excluded_coarse_date = (located.len() - stepped.len()) as u64;
    let mut span = Span::default();
    stepped.iter().for_each(|(_, e)| span.see(e.date));
    let period = span.period();
    let (Some(lo), Some(hi)) =
        (stepped.iter().map(|s| s.0).min(), stepped.iter().map(|s| s.0).max())
    else {
        return Ok(CubeStep { excluded_coarse_date, period, ..CubeStep::default() });
    };
    let n_steps = (hi - lo + 1) as usize;
    let events: Vec<Event> = stepped
        .iter()
        .map(|(s, e)| Event {
            lat: e.location.point.lat(),
            lon: e.location.point.lon(),
            step: Some((s - lo) as u32),
            weight: e.weight,
        })
        .collect();
    let cube = build_space_time_cube(
        &events,
        cfg.resolution,
        n_steps,
        &domain,
        MAX_CELLS,
        Parallelism::Rayon,
    )?;
    let opts =
        EmergingOptions { k: cfg.k, time_lag: cfg.time_neighbours, ..EmergingOptions::default() };
    Ok(CubeStep {
        emerging: Arc::new(emerging_hotspots(&cube, &opts)?),
        steps: (lo..=hi).map(|i| cfg.time_step.label(i)).collect(),
        excluded_coarse_date,
        period,
    })
}

/// The regional series step: aggregates over every event (country-level ones included)
/// per country, subregion and region, with per-step series over `hotspots.trend_step` and
/// Mann-Kendall trends.
pub fn regional_step(
    cfg: &HotspotsConfig,
    g: &Gazetteer,
    seizures: &[Seizure],
    looting: &[LootingIncident],
    conflict: &[ConflictEvent],
) -> RegionalStep {
    let mut evs = events(cfg, seizures, looting);
    // The series and trends are of seizures and lootings only (national aggregates count
    // in the quantities, not as seizures).
    let series = || evs.iter().filter(|e| e.kind != EvKind::Aggregate);
    let all_steps: Vec<i64> = series().filter_map(|e| cfg.trend_step.index(e.date)).collect();
    let mut span = Span::default();
    series().filter(|e| cfg.trend_step.index(e.date).is_some()).for_each(|e| span.see(e.date));
    evs.extend(conflict_events(conflict));
    let (lo, hi) = (
        all_steps.iter().min().copied().unwrap_or(0),
        all_steps.iter().max().copied().unwrap_or(-1),
    );
    let width = (hi - lo + 1).max(0) as usize;
    let mut acc: BTreeMap<(RegionLevel, String), Regional> = BTreeMap::new();
    let (mut tot_q, mut tot_l) = (0u64, 0u64);
    for e in &evs {
        let c = g.country(e.location.country);
        let q = e.quantity;
        match e.kind {
            EvKind::Looting => tot_l += q,
            EvKind::Seizure | EvKind::Aggregate => tot_q += q,
            EvKind::Conflict => {}
        }
        for (level, name) in [
            (RegionLevel::Country, c.iso3.clone()),
            (RegionLevel::Subregion, c.subregion.clone()),
            (RegionLevel::Region, c.region.clone()),
        ] {
            if name.is_empty() {
                continue;
            }
            let r = acc.entry((level, name.clone())).or_insert_with(|| Regional {
                level,
                name,
                seizures: 0,
                quantity_seized: 0,
                national_aggregates: 0,
                looting_incidents: 0,
                weapons_looted: 0,
                conflict_events: 0,
                fatalities: 0,
                share_seized: 0.0,
                share_looted: 0.0,
                trend: None,
                series_seizures: vec![0.0; width],
                series_looted: vec![0.0; width],
            });
            let idx = cfg.trend_step.index(e.date).map(|s| (s - lo) as usize);
            match e.kind {
                EvKind::Looting => {
                    r.looting_incidents += 1;
                    r.weapons_looted += q;
                    if let Some(i) = idx {
                        r.series_looted[i] += e.quantity as f64;
                    }
                }
                EvKind::Seizure => {
                    r.seizures += 1;
                    r.quantity_seized += q;
                    if let Some(i) = idx {
                        r.series_seizures[i] += 1.0;
                    }
                }
                EvKind::Aggregate => {
                    r.national_aggregates += 1;
                    r.quantity_seized += q;
                }
                EvKind::Conflict => {
                    r.conflict_events += 1;
                    r.fatalities += q;
                }
            }
        }
    }
    let mut regional: Vec<Regional> = acc.into_values().collect();
    for r in &mut regional {
        r.share_seized = if tot_q > 0 { r.quantity_seized as f64 / tot_q as f64 } else { 0.0 };
        r.share_looted = if tot_l > 0 { r.weapons_looted as f64 / tot_l as f64 } else { 0.0 };
        r.trend = if width >= 2 { mann_kendall(&r.series_seizures, 0.05, true).ok() } else { None };
    }
    regional.sort_by(|a, b| {
        a.level
            .cmp(&b.level)
            .then(
                (b.quantity_seized + b.weapons_looted).cmp(&(a.quantity_seized + a.weapons_looted)),
            )
            .then(a.name.cmp(&b.name))
    });
    RegionalStep {
        regional: Arc::new(regional),
        regional_steps: (lo..=hi).map(|i| cfg.trend_step.label(i)).collect(),
        regional_step: cfg.trend_step,
        period: span.period(),
    }
}

/// The hotspot steps in one call (the run does them as separate steps).
pub fn hotspots(
    cfg: &HotspotsConfig,
    g: &Gazetteer,
    seizures: &[Seizure],
    looting: &[LootingIncident],
    conflict: &[ConflictEvent],
) -> Result<HotspotsResult, HotspotError> {
    let cells = cells_step(cfg, seizures, looting)?;
    let events = event_cells_step(cfg, conflict)?;
    let cube = cube_step(cfg, seizures, looting)?;
    let regional = regional_step(cfg, g, seizures, looting, conflict);
    Ok(HotspotsResult::assemble(&cells, &cube, &regional).with_events(&events))
}

/// Centre of a cell as (lat, lon).
pub fn centre(cell: CellIndex) -> (f64, f64) {
    let ll = LatLng::from(cell);
    (ll.lat(), ll.lng())
}

/// Boundary of a cell as a closed ring of (lon, lat).
pub fn ring(cell: CellIndex) -> Vec<(f64, f64)> {
    let mut r: Vec<(f64, f64)> = cell.boundary().iter().map(|ll| (ll.lng(), ll.lat())).collect();
    if let Some(&first) = r.first() {
        r.push(first);
    }
    r
}

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
    let e = &h.emerging;
    let ecentres: Vec<(f64, f64)> = e.iter().map(|x| centre(x.cell)).collect();
    let emerging = TableBuilder::new("emerging_hotspots")
        .text("cell", e.iter().map(|x| Some(x.cell.to_string())))
        .float("lat", ecentres.iter().map(|x| Some(x.0)))
        .float("lon", ecentres.iter().map(|x| Some(x.1)))
        .text("category", e.iter().map(|x| Some(x.category.label())))
        .float("trend_z", e.iter().map(|x| x.trend.map(|t| t.z)))
        .float("trend_p", e.iter().map(|x| x.trend.map(|t| t.p)))
        .float("last_z", e.iter().map(|x| x.z.last().copied().flatten()))
        .build()?;
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
        .build()?;
    Ok(vec![cells, emerging, regional])
}
