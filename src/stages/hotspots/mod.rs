//! The hotspots stage: H3 Gi* hot and cold spots, regional aggregates with trends, and
//! emerging hotspot categories (docs/hotspots.md states every rule).
//!
//! Events are seizures and looting incidents, weighted by `hotspots.weight` (count;
//! quantity = items seized / weapons looted; rounds). Conflict events (UCDP GED, ACLED)
//! form a layer of their own on the same grid, weighted by `hotspots.event_weight` (count,
//! or the best, low or high estimate of deaths): Gi* cells (`event_cells`), a space-time
//! cube (`event_cube`) and regional series with Mann-Kendall trends (in `regional`), so
//! that seizure hotspots can be read beside conflict hotspots. Events located only at a country's
//! representative point are left out of the cell statistics and counted in the regional
//! ones. The space-time cube uses `hotspots.time_step`; an event whose date is coarser
//! than the step (a year-only date in a monthly cube) is left out of the cube and counted.

use std::collections::BTreeMap;
use std::sync::Arc;

use h3o::{CellIndex, LatLng};

use crate::algo::Parallelism;
use crate::config::{ConflictWeight, EventWeight, HotspotsConfig, StudyArea};
use crate::date::{PartialDate, TimeStep};
use crate::geo::Gazetteer;
use crate::hotspot::{
    Domain, EmergingCell, EmergingOptions, Event, GiStarCell, GiStarOptions, HotspotError,
    MannKendall, NeighbourLists, PermutationDraws, bin_events, build_space_time_cube,
    build_study_area, emerging_hotspots, gi_star_cells, gi_star_pseudo_p, mann_kendall,
};
use crate::period::{Period, Span};
use crate::records::{ConflictEvent, Location, LootingIncident, Seizure};
use crate::schema::LocationPrecision;

mod tables;
pub(crate) use tables::status;
pub use tables::{LayeredCells, cells_table, emerging_table, hotspots_tables, layered_cells_table};

/// Most cells a study area may have.
const MAX_CELLS: usize = 5_000_000;

/// One event as the stage sees it.
#[derive(Debug, Clone, Copy)]
struct Ev<'a> {
    location: &'a Location,
    date: PartialDate,
    weight: f64,
    /// Items seized or weapons looted (1 when not reported), or a conflict event's
    /// fatalities (best estimate, 0 when not reported), whatever the weight.
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
    /// Their summed weight (`hotspots.event_weight`: the events, or their deaths at the
    /// estimate it names).
    pub events_weighted: f64,
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
    /// Conflict events per step of the event series ([`RegionalStep::event_steps`]).
    pub series_events: Vec<f64>,
    /// Their deaths per step, at the estimate `hotspots.event_weight` reads (the best one
    /// for a count).
    pub series_deaths: Vec<f64>,
    /// Mann-Kendall test of the weighted event series (events for a count, else deaths;
    /// None with fewer than 2 steps).
    pub event_trend: Option<MannKendall>,
}

/// The records of one occupied cell: how many, and the period of their dates (what a
/// close-up says of the cells in view).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CellRecords {
    /// The cell.
    pub cell: CellIndex,
    /// Records binned into it.
    pub records: u64,
    /// Their first and last date.
    pub period: Period,
}

/// The records of each occupied cell (cell order), for the located events `evs` at
/// `resolution` (0..=15; a bad resolution or coordinate gives no entry).
fn occupied<'e, 'a: 'e>(
    evs: impl IntoIterator<Item = &'e Ev<'a>>,
    resolution: u8,
) -> Vec<CellRecords> {
    let Ok(res) = h3o::Resolution::try_from(resolution) else { return Vec::new() };
    let mut acc: BTreeMap<CellIndex, (u64, Span)> = BTreeMap::new();
    for e in evs {
        let p = &e.location.point;
        let Ok(ll) = LatLng::new(p.lat(), p.lon()) else { continue };
        let slot = acc.entry(ll.to_cell(res)).or_default();
        slot.0 += 1;
        slot.1.see(e.date);
    }
    acc.into_iter()
        .filter_map(|(cell, (records, span))| {
            Some(CellRecords { cell, records, period: span.period()? })
        })
        .collect()
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
    /// The records of each occupied cell.
    #[serde(with = "crate::run::codec::arc")]
    pub occupied: Arc<Vec<CellRecords>>,
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
    /// The records of each occupied cell of the cube.
    #[serde(with = "crate::run::codec::arc")]
    pub occupied: Arc<Vec<CellRecords>>,
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
    /// Labels of the time steps of the conflict-event series (`hotspots.trend_step`, over
    /// the events' own dates).
    pub event_steps: Vec<String>,
    /// The period of the conflict events of the series.
    pub event_period: Option<Period>,
    /// What a conflict event weighs in them (`hotspots.event_weight`).
    pub event_weight: ConflictWeight,
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
    /// The conflict events' space-time cube (empty without conflict events).
    pub event_cube: CubeStep,
    /// The cells of the records of the cells step.
    pub occupied: Arc<Vec<CellRecords>>,
    /// The cells of the records of the cube step.
    pub cube_occupied: Arc<Vec<CellRecords>>,
    /// The conflict-event series' steps, period and weight ([`RegionalStep`]).
    pub event_steps: Vec<String>,
    /// The period of the conflict events of the regional series.
    pub event_period: Option<Period>,
    /// What a conflict event weighs.
    pub event_weight: ConflictWeight,
}

impl HotspotsResult {
    /// The same result with the conflict-event layer: its cells and its cube.
    pub fn with_events(mut self, cells: &CellsStep, cube: &CubeStep) -> Self {
        self.event_cells = cells.clone();
        self.event_cube = cube.clone();
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
            event_cube: CubeStep::default(),
            occupied: cells.occupied.clone(),
            cube_occupied: cube.occupied.clone(),
            event_steps: regional.event_steps.clone(),
            event_period: regional.event_period,
            event_weight: regional.event_weight,
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
                occupied: self.occupied.clone(),
            },
            CubeStep {
                emerging: self.emerging.clone(),
                steps: self.steps.clone(),
                excluded_coarse_date: self.excluded_coarse_date,
                period: self.cube_period,
                occupied: self.cube_occupied.clone(),
            },
            RegionalStep {
                regional: self.regional.clone(),
                regional_steps: self.regional_steps.clone(),
                regional_step: self.regional_step,
                period: self.series_period,
                event_steps: self.event_steps.clone(),
                event_period: self.event_period,
                event_weight: self.event_weight,
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

/// Conflict events, weighted by `w` (`hotspots.event_weight`), their quantity the best
/// estimate of deaths.
fn conflict_events(w: ConflictWeight, events: &[ConflictEvent]) -> Vec<Ev<'_>> {
    events
        .iter()
        .map(|e| Ev {
            location: &e.location,
            date: e.date,
            weight: w.of(e),
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

/// The event cells step: Gi* of conflict events (weighted by `hotspots.event_weight`) on
/// the grid and study area rules of the seizure and looting cells.
pub fn event_cells_step(
    cfg: &HotspotsConfig,
    events: &[ConflictEvent],
) -> Result<CellsStep, HotspotError> {
    gi_cells(cfg, &conflict_events(cfg.event_weight, events))
}

fn gi_cells(cfg: &HotspotsConfig, evs: &[Ev<'_>]) -> Result<CellsStep, HotspotError> {
    let located = located(evs);
    let excluded_country_level = (evs.len() - located.len()) as u64;
    let mut span = Span::default();
    located.iter().for_each(|e| span.see(e.date));
    let period = span.period();
    let occupied = Arc::new(occupied(located.iter().copied(), cfg.resolution));
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
        return Ok(CellsStep { excluded_country_level, period, occupied, ..CellsStep::default() });
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
        occupied,
    })
}

/// The space-time cube step: emerging hot spot categories over `hotspots.time_step`.
pub fn cube_step(
    cfg: &HotspotsConfig,
    seizures: &[Seizure],
    looting: &[LootingIncident],
) -> Result<CubeStep, HotspotError> {
    cube_of(cfg, &events(cfg, seizures, looting))
}

/// The event cube step: emerging hot spot categories of conflict events (weighted by
/// `hotspots.event_weight`) over `hotspots.time_step`, on the rules of the seizure cube.
pub fn event_cube_step(
    cfg: &HotspotsConfig,
    events: &[ConflictEvent],
) -> Result<CubeStep, HotspotError> {
    cube_of(cfg, &conflict_events(cfg.event_weight, events))
}

fn cube_of(cfg: &HotspotsConfig, evs: &[Ev<'_>]) -> Result<CubeStep, HotspotError> {
    let located = located(evs);
    let domain = domain(cfg)?;
    let stepped: Vec<(i64, &Ev<'_>)> =
        located.iter().filter_map(|e| Some((cfg.time_step.index(e.date)?, *e))).collect();
    let excluded_coarse_date = (located.len() - stepped.len()) as u64;
    let mut span = Span::default();
    stepped.iter().for_each(|(_, e)| span.see(e.date));
    let period = span.period();
    let occupied = Arc::new(occupied(stepped.iter().map(|s| s.1), cfg.resolution));
    let (Some(lo), Some(hi)) =
        (stepped.iter().map(|s| s.0).min(), stepped.iter().map(|s| s.0).max())
    else {
        return Ok(CubeStep { excluded_coarse_date, period, occupied, ..CubeStep::default() });
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
        occupied,
    })
}

/// The first and last step index of `dates` at `step` (an empty range, `(0, -1)`, when
/// none has one), their labels, and the period of the dates that have one.
fn step_range(
    step: TimeStep,
    dates: impl Iterator<Item = PartialDate>,
) -> (i64, i64, Option<Period>) {
    let (mut lo, mut hi, mut span) = (i64::MAX, i64::MIN, Span::default());
    for d in dates {
        if let Some(i) = step.index(d) {
            (lo, hi) = (lo.min(i), hi.max(i));
            span.see(d);
        }
    }
    if lo > hi { (0, -1, None) } else { (lo, hi, span.period()) }
}

/// The regional series step: aggregates over every event (country-level ones included)
/// per country, subregion and region, with per-step series over `hotspots.trend_step` and
/// Mann-Kendall trends: of the seizure records, and of the conflict events weighted by
/// `hotspots.event_weight` (each kind over the steps its own dates span).
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
    let (lo, hi, period) = step_range(
        cfg.trend_step,
        evs.iter().filter(|e| e.kind != EvKind::Aggregate).map(|e| e.date),
    );
    let (elo, ehi, event_period) = step_range(cfg.trend_step, conflict.iter().map(|e| e.date));
    evs.extend(conflict_events(cfg.event_weight, conflict));
    // A conflict event's deaths in the series: its weight, or its best estimate when
    // events are counted.
    let counted = cfg.event_weight == ConflictWeight::Count;
    let width = (hi - lo + 1).max(0) as usize;
    let ewidth = (ehi - elo + 1).max(0) as usize;
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
                events_weighted: 0.0,
                share_seized: 0.0,
                share_looted: 0.0,
                trend: None,
                series_seizures: vec![0.0; width],
                series_looted: vec![0.0; width],
                series_events: vec![0.0; ewidth],
                series_deaths: vec![0.0; ewidth],
                event_trend: None,
            });
            let step = cfg.trend_step.index(e.date);
            let idx = step.map(|s| (s - lo) as usize);
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
                    r.events_weighted += e.weight;
                    if let Some(i) = step.map(|s| (s - elo) as usize) {
                        r.series_events[i] += 1.0;
                        r.series_deaths[i] += if counted { q as f64 } else { e.weight };
                    }
                }
            }
        }
    }
    let mut regional: Vec<Regional> = acc.into_values().collect();
    for r in &mut regional {
        r.share_seized = if tot_q > 0 { r.quantity_seized as f64 / tot_q as f64 } else { 0.0 };
        r.share_looted = if tot_l > 0 { r.weapons_looted as f64 / tot_l as f64 } else { 0.0 };
        r.trend = if width >= 2 { mann_kendall(&r.series_seizures, 0.05, true).ok() } else { None };
        let weighted = if counted { &r.series_events } else { &r.series_deaths };
        r.event_trend = if ewidth >= 2 && r.conflict_events > 0 {
            mann_kendall(weighted, 0.05, true).ok()
        } else {
            None
        };
    }
    regional.sort_by(|a, b| {
        a.level
            .cmp(&b.level)
            .then(
                (b.quantity_seized + b.weapons_looted).cmp(&(a.quantity_seized + a.weapons_looted)),
            )
            .then(b.conflict_events.cmp(&a.conflict_events))
            .then(a.name.cmp(&b.name))
    });
    RegionalStep {
        regional: Arc::new(regional),
        regional_steps: (lo..=hi).map(|i| cfg.trend_step.label(i)).collect(),
        regional_step: cfg.trend_step,
        period,
        event_steps: (elo..=ehi).map(|i| cfg.trend_step.label(i)).collect(),
        event_period,
        event_weight: cfg.event_weight,
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
    let event_cube = event_cube_step(cfg, conflict)?;
    let regional = regional_step(cfg, g, seizures, looting, conflict);
    Ok(HotspotsResult::assemble(&cells, &cube, &regional).with_events(&events, &event_cube))
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
