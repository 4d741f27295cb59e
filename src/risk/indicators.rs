//! The indicators of the diversion-risk screen: one value per screened state and
//! assessment window each, with its group, unit, source, default threshold and the
//! criteria of the Arms Trade Treaty and the EU Common Position it serves.

use serde::{Deserialize, Serialize};

/// The four groups of indicators, after the EU Common Position's User's Guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// The state's record of passing arms on to non-state armed groups or third parties.
    ReExport,
    /// Evidence that weapons it held were diverted.
    Diversion,
    /// Armed conflict on its territory and its forces' part in it.
    Conflict,
    /// Armed conflict in neighbouring states.
    Regional,
}

impl Group {
    /// The name used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::ReExport => "re_export",
            Group::Diversion => "diversion",
            Group::Conflict => "conflict",
            Group::Regional => "regional",
        }
    }
}

/// The record kind an indicator is computed from (its evidence rows name records of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A row of the `transfers` table.
    Transfer,
    /// A row of the `retransfers` table (a re-transfer chain, by its `chain` id).
    Retransfer,
    /// A row of the `seizures` table.
    Seizure,
    /// A row of the `looting` table.
    Looting,
    /// A row of the `events` table.
    Event,
    /// A hot cell of the conflict-event hotspot layer (`event_hotspots` table, H3 index).
    EventHotCell,
}

impl EvidenceKind {
    /// The name used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Transfer => "transfer",
            EvidenceKind::Retransfer => "retransfer",
            EvidenceKind::Seizure => "seizure",
            EvidenceKind::Looting => "looting",
            EvidenceKind::Event => "event",
            EvidenceKind::EventHotCell => "event_hot_cell",
        }
    }
}

/// One indicator of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// Deals the state made with non-state armed groups whose deliveries began in the window
    /// (an undelivered deal: its order year), each deal counted once.
    NonStateDeals,
    /// SIPRI TIV the state delivered to non-state armed groups in the window.
    NonStateTiv,
    /// The last year of the window in which it delivered to a non-state armed group.
    NonStateLastYear,
    /// Re-transfers of weapons it had imported (re-transfer chains) in the window.
    Retransfers,
    /// Weapons seized in the window whose last legal holder it was.
    SeizedLastLegal,
    /// Weapons looted from stockpiles on its territory in the window.
    Looted,
    /// Expected weapons of the diversion cases of the window whose paths are diverted at it.
    DivertedHere,
    /// Conflict events on its territory in the window.
    ConflictEvents,
    /// Deaths in those events, best estimate.
    FatalitiesBest,
    /// Deaths in those events, low estimate.
    FatalitiesLow,
    /// Deaths in those events, high estimate.
    FatalitiesHigh,
    /// Conflict events anywhere in which its government is a side.
    GovernmentSideEvents,
    /// One-sided violence against civilians by its government's forces (events).
    OneSidedEvents,
    /// Deaths in that one-sided violence, best estimate.
    OneSidedFatalities,
    /// Conflict events in the states it shares a land border with.
    NeighbourEvents,
    /// Deaths in those events, best estimate.
    NeighbourFatalities,
    /// Hot cells of the conflict-event hotspot layer in those states (over the run's whole
    /// period, not the window).
    NeighbourHotCells,
}

/// What the screen says about one indicator: its name, group, unit, source and default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorInfo {
    /// The indicator.
    pub indicator: Indicator,
    /// Column name in the `risk` table and key in `[risk] thresholds` and `weights`.
    pub name: &'static str,
    /// Its group.
    pub group: Group,
    /// The unit of its value.
    pub unit: &'static str,
    /// The records it is computed from.
    pub source: EvidenceKind,
    /// The default threshold of its flag (`None`: no flag unless configured).
    pub default_threshold: Option<f64>,
    /// The Arms Trade Treaty articles and EU Common Position criteria it serves.
    pub criteria: &'static str,
    /// A short heading for the report and figures.
    pub label: &'static str,
}

const REEXPORT: &str = "ATT Art. 11 (diversion); EU Common Position Criterion 7 (re-export)";
const DIVERSION: &str = "ATT Art. 11 (diversion); EU Common Position Criterion 7 (diversion)";
const CONFLICT: &str = "ATT Art. 7(1)(b) (serious violations of IHL and human rights); EU Common Position Criteria 2 and 3";
const REGIONAL: &str =
    "ATT Art. 7(1)(a) (peace and security); EU Common Position Criterion 4 (regional stability)";

impl Indicator {
    /// Every indicator, in table order.
    pub const ALL: [Indicator; 17] = [
        Indicator::NonStateDeals,
        Indicator::NonStateTiv,
        Indicator::NonStateLastYear,
        Indicator::Retransfers,
        Indicator::SeizedLastLegal,
        Indicator::Looted,
        Indicator::DivertedHere,
        Indicator::ConflictEvents,
        Indicator::FatalitiesBest,
        Indicator::FatalitiesLow,
        Indicator::FatalitiesHigh,
        Indicator::GovernmentSideEvents,
        Indicator::OneSidedEvents,
        Indicator::OneSidedFatalities,
        Indicator::NeighbourEvents,
        Indicator::NeighbourFatalities,
        Indicator::NeighbourHotCells,
    ];

    /// Its position in [`Indicator::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The indicator named `name` ([`IndicatorInfo::name`]).
    ///
    /// ```
    /// use divnet::risk::Indicator;
    /// assert_eq!(Indicator::from_name("looted"), Some(Indicator::Looted));
    /// assert_eq!(Indicator::from_name("nope"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.info().name == name)
    }

    /// The name used in tables and config.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Everything the screen says about it.
    pub fn info(self) -> IndicatorInfo {
        use EvidenceKind as K;
        use Group as G;
        let (name, group, unit, source, default_threshold, label) = match self {
            Indicator::NonStateDeals => {
                ("non_state_deals", G::ReExport, "deals", K::Transfer, Some(1.0), "non-state deals")
            }
            Indicator::NonStateTiv => (
                "non_state_tiv",
                G::ReExport,
                "SIPRI TIV (millions)",
                K::Transfer,
                None,
                "TIV to non-state groups",
            ),
            Indicator::NonStateLastYear => (
                "non_state_last_year",
                G::ReExport,
                "year",
                K::Transfer,
                None,
                "last non-state delivery",
            ),
            Indicator::Retransfers => (
                "retransfers",
                G::ReExport,
                "re-transfer chains",
                K::Retransfer,
                Some(1.0),
                "re-transfers",
            ),
            Indicator::SeizedLastLegal => (
                "seized_last_legal",
                G::Diversion,
                "weapons",
                K::Seizure,
                Some(1.0),
                "seized, last legal holder",
            ),
            Indicator::Looted => {
                ("looted", G::Diversion, "weapons", K::Looting, Some(1.0), "looted")
            }
            Indicator::DivertedHere => (
                "diverted_here",
                G::Diversion,
                "expected weapons",
                K::Seizure,
                Some(1.0),
                "diverted here",
            ),
            Indicator::ConflictEvents => {
                ("conflict_events", G::Conflict, "events", K::Event, None, "conflict events")
            }
            Indicator::FatalitiesBest => (
                "fatalities_best",
                G::Conflict,
                "deaths (best estimate)",
                K::Event,
                Some(25.0),
                "fatalities (best)",
            ),
            Indicator::FatalitiesLow => (
                "fatalities_low",
                G::Conflict,
                "deaths (low estimate)",
                K::Event,
                None,
                "fatalities (low)",
            ),
            Indicator::FatalitiesHigh => (
                "fatalities_high",
                G::Conflict,
                "deaths (high estimate)",
                K::Event,
                None,
                "fatalities (high)",
            ),
            Indicator::GovernmentSideEvents => (
                "government_side_events",
                G::Conflict,
                "events",
                K::Event,
                Some(1.0),
                "government a side",
            ),
            Indicator::OneSidedEvents => (
                "one_sided_events",
                G::Conflict,
                "events",
                K::Event,
                Some(1.0),
                "one-sided violence",
            ),
            Indicator::OneSidedFatalities => (
                "one_sided_fatalities",
                G::Conflict,
                "deaths (best estimate)",
                K::Event,
                None,
                "one-sided deaths",
            ),
            Indicator::NeighbourEvents => {
                ("neighbour_events", G::Regional, "events", K::Event, None, "neighbour events")
            }
            Indicator::NeighbourFatalities => (
                "neighbour_fatalities",
                G::Regional,
                "deaths (best estimate)",
                K::Event,
                Some(25.0),
                "neighbour fatalities",
            ),
            Indicator::NeighbourHotCells => (
                "neighbour_hot_cells",
                G::Regional,
                "hot cells",
                K::EventHotCell,
                None,
                "neighbour hot cells",
            ),
        };
        let criteria = match group {
            G::ReExport => REEXPORT,
            G::Diversion => DIVERSION,
            G::Conflict => CONFLICT,
            G::Regional => REGIONAL,
        };
        IndicatorInfo {
            indicator: self,
            name,
            group,
            unit,
            source,
            default_threshold,
            criteria,
            label,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_indices_follow_the_list() {
        let mut names: Vec<&str> = Indicator::ALL.iter().map(|i| i.name()).collect();
        for (k, i) in Indicator::ALL.iter().enumerate() {
            assert_eq!(i.index(), k);
            assert_eq!(Indicator::from_name(i.name()), Some(*i));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Indicator::ALL.len());
    }
}
