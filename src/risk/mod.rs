//! A diversion-risk screen for arms transfers: per screened state and assessment window,
//! transparent indicators (each a number with its unit and its rank), flags past
//! configured thresholds, the record ids behind every value, and each supplier's exposure
//! to flagged recipients.
//!
//! Plain data in ([`RiskData`]: deliveries, diversion records, conflict events, land
//! borders, hot cells, each naming its record id), plain data out ([`RiskResult`]); no
//! files, no polars, no gazetteer. The indicators, their sources, units, thresholds and the
//! criteria of the Arms Trade Treaty (Articles 7 and 11) and the EU Common Position they
//! serve are listed in [`Indicator::info`] and documented in `docs/risk.md`. The screen
//! flags what the records show; it is not a legal determination.

mod config;
mod indicators;
mod screen;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use config::{Off, RiskConfig, RiskConfigError, Threshold};
pub use indicators::{EvidenceKind, Group, Indicator, IndicatorInfo};
pub use screen::{screen, windows};

/// A transfer row as the screen reads it: who delivered to whom, the deal it opens (if it
/// is its deal's first row) and its value per delivery year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// The transfer's record id.
    pub record: String,
    /// The supplier state's id.
    pub supplier: String,
    /// The recipient state's id; `None`: a non-state armed group.
    pub recipient: Option<String>,
    /// When the row opens its deal, the year the deal counts in (its first delivery, or
    /// for a deal to a non-state group without deliveries, its order year).
    pub deal_year: Option<i32>,
    /// SIPRI TIV (millions) per delivery year (0 where the row carries no TIV).
    pub tiv_by_year: Vec<(i32, f64)>,
}

/// The kind of a diversion record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DiversionKind {
    /// A seizure whose last legal import the state was (amount: items).
    SeizedLastLegal,
    /// A looting of stockpiles on the state's territory (amount: weapons).
    Looted,
    /// A diversion case whose paths are diverted at the state (amount: expected weapons).
    DivertedHere,
}

/// One piece of diversion evidence about a state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiversionRecord {
    /// The record id (a seizure's or a looting incident's).
    pub record: String,
    /// The state.
    pub state: String,
    /// Year of the seizure or incident.
    pub year: i32,
    /// What it is.
    pub kind: DiversionKind,
    /// Items, weapons or expected weapons.
    pub amount: f64,
}

/// A conflict event as the screen reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// The event's record id.
    pub record: String,
    /// The state it took place in.
    pub country: String,
    /// Its year.
    pub year: i32,
    /// Deaths, best estimate.
    pub best: Option<u64>,
    /// Deaths, low estimate.
    pub low: Option<u64>,
    /// Deaths, high estimate.
    pub high: Option<u64>,
    /// The states whose governments are a side of it.
    pub government_sides: Vec<String>,
    /// For one-sided violence against civilians by a government's forces: that state.
    pub one_sided_by: Option<String>,
}

/// A re-transfer of an imported weapon by a state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetransferRecord {
    /// The id of the re-transfer (its row of the `retransfers` table).
    pub record: String,
    /// The state that passed the weapon on.
    pub state: String,
    /// Year of the onward delivery.
    pub year: i32,
}

/// A hot cell of the conflict-event layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotCell {
    /// The cell (H3 index).
    pub cell: String,
    /// The state its centre lies in.
    pub country: String,
}

/// Which sources the run read: an indicator whose source is missing has no value (empty,
/// never 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Legal transfers were read.
    pub transfers: bool,
    /// Re-transfer chains were computed.
    pub retransfers: bool,
    /// Seizures were read.
    pub seizures: bool,
    /// Looting incidents were read.
    pub looting: bool,
    /// Conflict events were read.
    pub events: bool,
    /// Some event carries a low estimate of deaths.
    pub fatalities_low: bool,
    /// Some event carries a high estimate of deaths.
    pub fatalities_high: bool,
}

impl Coverage {
    /// Whether the run has the source of `i`.
    pub fn has(&self, i: Indicator) -> bool {
        match i {
            Indicator::NonStateDeals | Indicator::NonStateTiv | Indicator::NonStateLastYear => {
                self.transfers
            }
            Indicator::Retransfers => self.retransfers,
            Indicator::SeizedLastLegal | Indicator::DivertedHere => self.seizures,
            Indicator::Looted => self.looting,
            Indicator::FatalitiesLow => self.fatalities_low,
            Indicator::FatalitiesHigh => self.fatalities_high,
            _ => self.events,
        }
    }
}

/// Everything the screen reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskData {
    /// The screened states (id to name): recipients of legal transfers and every state
    /// the records hold risk evidence about.
    pub states: BTreeMap<String, String>,
    /// The years a historical state among `states` existed (first, last): it is screened
    /// only in the windows that overlap them (no East Germany in a window of the 2020s).
    #[serde(default)]
    pub lifespans: BTreeMap<String, (i32, i32)>,
    /// Names of every other state named (suppliers).
    pub names: BTreeMap<String, String>,
    /// Which sources were read.
    pub coverage: Coverage,
    /// Transfer rows by a state, to a state or a non-state armed group.
    pub deliveries: Vec<Delivery>,
    /// Re-transfers of imported weapons.
    pub retransfers: Vec<RetransferRecord>,
    /// Diversion evidence.
    pub diversion: Vec<DiversionRecord>,
    /// Conflict events.
    pub events: Vec<EventRecord>,
    /// Each state's land neighbours.
    pub neighbours: BTreeMap<String, Vec<String>>,
    /// Hot cells of the conflict-event layer.
    pub hot_cells: Vec<HotCell>,
    /// The year of the reference date (`None`: nothing is dated; no window).
    pub reference_year: Option<i32>,
}

/// An assessment window: calendar years `start..=end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Window {
    /// First year.
    pub start: i32,
    /// Last year.
    pub end: i32,
}

impl Window {
    /// Whether `year` lies in it.
    pub fn contains(&self, year: i32) -> bool {
        (self.start..=self.end).contains(&year)
    }

    /// `2020-2024`, or `2024` for one year.
    pub fn label(&self) -> String {
        if self.start == self.end {
            self.start.to_string()
        } else {
            format!("{}-{}", self.start, self.end)
        }
    }
}

/// One screened state in one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskRow {
    /// State id (ISO3, or a historical state's code).
    pub state: String,
    /// Its name.
    pub name: String,
    /// The window.
    pub window: Window,
    /// Each indicator's value, in [`Indicator::ALL`] order (`None`: the run has no source
    /// for it, or, for `non_state_last_year`, no such delivery in the window).
    pub values: Vec<Option<f64>>,
    /// Each indicator's rank among the window's screened states (1 = highest value; equal
    /// values share the best rank; `None` with the value).
    pub ranks: Vec<Option<u32>>,
    /// The indicators whose flag is raised, in [`Indicator::ALL`] order.
    pub flags: Vec<Indicator>,
    /// The sum of the weights of the raised flags, when weights are configured.
    pub score: Option<f64>,
}

impl RiskRow {
    /// The value of `i`.
    pub fn value(&self, i: Indicator) -> Option<f64> {
        self.values.get(i.index()).copied().flatten()
    }

    /// The rank of `i`.
    pub fn rank(&self, i: Indicator) -> Option<u32> {
        self.ranks.get(i.index()).copied().flatten()
    }

    /// Whether a flag of `group` is raised.
    pub fn flagged_in(&self, group: Group) -> bool {
        self.flags.iter().any(|f| f.info().group == group)
    }
}

/// One record behind one indicator value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// State id.
    pub state: String,
    /// The window.
    pub window: Window,
    /// The indicator.
    pub indicator: Indicator,
    /// The record's kind.
    pub kind: EvidenceKind,
    /// Its id.
    pub record: String,
    /// What it adds to the value (for `non_state_last_year`: the year).
    pub value: f64,
}

/// One supplier state's deliveries in one window, by the flags of their recipients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    /// Supplier state id.
    pub supplier: String,
    /// Its name.
    pub name: String,
    /// The window.
    pub window: Window,
    /// TIV delivered to states in the window.
    pub tiv: f64,
    /// Deals with states whose deliveries began in the window.
    pub deals: u64,
    /// TIV by the recipient's flag count: none, one, two, three or more.
    pub tiv_by_flags: [f64; 4],
    /// TIV delivered to recipients with a re-export flag.
    pub tiv_re_export_flagged: f64,
    /// Deals with recipients with a re-export flag.
    pub deals_re_export_flagged: u64,
}

/// The result of the screen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskResult {
    /// The windows, oldest first.
    pub windows: Vec<Window>,
    /// Per window (oldest first) and state (by id).
    pub rows: Vec<RiskRow>,
    /// Per row, indicator (table order), record kind and record id.
    pub evidence: Vec<Evidence>,
    /// Per window and supplier (by id).
    pub exposure: Vec<Exposure>,
    /// The thresholds in force, in [`Indicator::ALL`] order.
    pub thresholds: Vec<Option<f64>>,
    /// Which sources the run read.
    pub coverage: Coverage,
}

impl RiskResult {
    /// The rows of the last window.
    pub fn latest(&self) -> impl Iterator<Item = &RiskRow> {
        let last = self.windows.last().copied();
        self.rows.iter().filter(move |r| Some(r.window) == last)
    }

    /// The exposure rows of the last window.
    pub fn latest_exposure(&self) -> impl Iterator<Item = &Exposure> {
        let last = self.windows.last().copied();
        self.exposure.iter().filter(move |r| Some(r.window) == last)
    }
}
