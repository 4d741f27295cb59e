//! Historical states: states that no longer exist (dissolved, merged into another,
//! secessionist states that were reabsorbed), each its own party with its own code, and
//! its successor, the current state whose position maps draw it at.
//!
//! The crosswalk is `datasets/actors/historical_states.csv`, maintained by hand and
//! compiled into the binary. Its columns: `code` (the former ISO 3166-1 alpha-3 code where
//! ISO assigned one, listed in ISO 3166-3; else a code of ISO 3166-1's user-assigned range
//! `XAA`-`XZZ`, which ISO never assigns to a country), `name` (the name as SIPRI's Arms
//! Transfers Database writes it), `aliases` (`;`-separated: other names and spellings, SIPRI's
//! own included), `successor` (ISO3 of the current state), `first_year`, `last_year`,
//! `end` (`dissolved`, `merged` or `secessionist`) and `source` (where the code and names
//! come from). A name of a current state under an earlier name (`Burma`, `Zaire`,
//! `Swaziland`, `West Germany (FRG)`) is no historical state: the state continued, and it
//! is read as that state.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::geo::gazetteer::{CountryId, FastMap};
use crate::geo::{Gazetteer, name_key};

/// The crosswalk's text, compiled in.
const CROSSWALK: &str = include_str!("../../datasets/actors/historical_states.csv");

/// Index of a historical state in [`HistoricalStates::all`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct HistoricalId(pub u16);

/// How a historical state ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateEnd {
    /// Split into several states (the Soviet Union, Yugoslavia, Czechoslovakia).
    Dissolved,
    /// Joined another state or united with it (the GDR, North and South Yemen, South
    /// Vietnam).
    Merged,
    /// A secessionist state reabsorbed by the state it broke from (Biafra, Katanga).
    Secessionist,
}

/// One historical state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricalState {
    /// Its code: the node id, and the `recipient` of the recipients table.
    pub code: String,
    /// Its name, as SIPRI writes it.
    pub name: String,
    /// Other names and spellings.
    pub aliases: Vec<String>,
    /// ISO3 of its successor, where maps draw it.
    pub successor_iso3: String,
    /// First year of its existence.
    pub first_year: i32,
    /// Last year of its existence.
    pub last_year: i32,
    /// How it ended.
    pub end: StateEnd,
    /// Where its code and names come from.
    pub source: String,
}

#[derive(Deserialize)]
struct Row {
    code: String,
    name: String,
    aliases: String,
    successor: String,
    first_year: i32,
    last_year: i32,
    end: StateEnd,
    source: String,
}

/// The crosswalk of historical states, with a lookup by any of their names.
#[derive(Debug)]
pub struct HistoricalStates {
    states: Vec<HistoricalState>,
    keys: FastMap<String, HistoricalId>,
    codes: FastMap<String, HistoricalId>,
}

/// Why the crosswalk cannot be read (a test holds the compiled-in one valid).
#[derive(Debug, thiserror::Error)]
pub enum CrosswalkError {
    /// A row does not parse.
    #[error("datasets/actors/historical_states.csv: {0}")]
    Csv(#[from] csv::Error),
    /// Two states claim one name or code.
    #[error("datasets/actors/historical_states.csv: {0:?} names two historical states")]
    Duplicate(String),
    /// A successor is no country of the gazetteer, or a code is a country's.
    #[error("datasets/actors/historical_states.csv: {0}")]
    Invalid(String),
}

impl HistoricalStates {
    /// The compiled-in crosswalk (parsed once). It is checked by the tests, so a failure
    /// here is a build defect; it is reported as an empty crosswalk rather than a panic.
    pub fn embedded() -> &'static HistoricalStates {
        static H: OnceLock<HistoricalStates> = OnceLock::new();
        H.get_or_init(|| {
            HistoricalStates::parse(CROSSWALK).unwrap_or_else(|_| HistoricalStates {
                states: Vec::new(),
                keys: FastMap::default(),
                codes: FastMap::default(),
            })
        })
    }

    /// Parses a crosswalk in the layout of `datasets/actors/historical_states.csv`.
    pub fn parse(text: &str) -> Result<HistoricalStates, CrosswalkError> {
        let mut states = Vec::new();
        let mut keys = FastMap::default();
        let mut codes = FastMap::default();
        for row in csv::Reader::from_reader(text.as_bytes()).into_deserialize::<Row>() {
            let r = row?;
            let id = HistoricalId(states.len() as u16);
            let aliases: Vec<String> = r
                .aliases
                .split(';')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
            for n in std::iter::once(&r.name).chain(&aliases) {
                if keys.insert(name_key(n), id).is_some() {
                    return Err(CrosswalkError::Duplicate(n.clone()));
                }
            }
            if codes.insert(r.code.clone(), id).is_some() {
                return Err(CrosswalkError::Duplicate(r.code));
            }
            states.push(HistoricalState {
                code: r.code,
                name: r.name,
                aliases,
                successor_iso3: r.successor,
                first_year: r.first_year,
                last_year: r.last_year,
                end: r.end,
                source: r.source,
            });
        }
        Ok(HistoricalStates { states, keys, codes })
    }

    /// Every historical state, indexed by [`HistoricalId`].
    pub fn all(&self) -> &[HistoricalState] {
        &self.states
    }

    /// One historical state.
    pub fn get(&self, id: HistoricalId) -> &HistoricalState {
        &self.states[usize::from(id.0)]
    }

    /// The historical state of a name or alias (case, accents and punctuation ignored).
    ///
    /// ```
    /// use divnet::actors::HistoricalStates;
    /// let h = HistoricalStates::embedded();
    /// let ny = h.find("Yemen Arab Republic (North Yemen)").unwrap();
    /// assert_eq!(h.get(ny).name, "North Yemen");
    /// assert_eq!(h.find("USSR"), h.find("Soviet Union"));
    /// assert_eq!(h.find("Russia"), None);
    /// ```
    pub fn find(&self, text: &str) -> Option<HistoricalId> {
        self.keys.get(&name_key(text.trim())).copied()
    }

    /// The historical state of a code (`SUN`).
    pub fn by_code(&self, code: &str) -> Option<HistoricalId> {
        self.codes.get(code).copied()
    }

    /// The successor of a historical state in `g`.
    pub fn successor(&self, id: HistoricalId, g: &Gazetteer) -> Option<CountryId> {
        g.resolve_country(&self.get(id).successor_iso3).ok()
    }

    /// Checks the crosswalk against a gazetteer: every successor is a country, no code is a
    /// country's code, no name or alias names a current country.
    pub fn check(&self, g: &Gazetteer) -> Result<(), CrosswalkError> {
        for (i, s) in self.states.iter().enumerate() {
            if self.successor(HistoricalId(i as u16), g).is_none() {
                return Err(CrosswalkError::Invalid(format!(
                    "{}: successor {} is no country",
                    s.name, s.successor_iso3
                )));
            }
            if g.countries().iter().any(|c| c.iso3 == s.code) {
                return Err(CrosswalkError::Invalid(format!("code {} is a country's", s.code)));
            }
            if s.first_year > s.last_year {
                return Err(CrosswalkError::Invalid(format!("{}: years out of order", s.name)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crosswalk_is_valid_against_the_gazetteer() {
        let h = HistoricalStates::parse(CROSSWALK).unwrap();
        let g = Gazetteer::embedded().unwrap();
        h.check(g).unwrap();
        assert_eq!(h.all().len(), HistoricalStates::embedded().all().len());
        for s in h.all() {
            // Names and aliases are no current country's: else they would read as one.
            for n in std::iter::once(&s.name).chain(&s.aliases) {
                if let Ok(c) = g.resolve_country(n) {
                    // Only the gazetteer's own historical aliases may (`Soviet Union` ->
                    // RUS for locations); they name the successor.
                    assert_eq!(g.country(c).iso3, s.successor_iso3, "{n}");
                }
            }
            assert_eq!(s.code.len(), 3, "{}", s.code);
        }
        let names: Vec<&str> = h.all().iter().map(|s| s.name.as_str()).collect();
        for n in ["Soviet Union", "East Germany (GDR)", "Czechoslovakia", "Yugoslavia"] {
            assert!(names.contains(&n), "{n}");
        }
    }

    #[test]
    fn a_duplicate_name_is_refused() {
        let text = "code,name,aliases,successor,first_year,last_year,end,source\n\
                    AAA,A,B,RUS,1900,1901,merged,x\nBBB,B,,RUS,1900,1901,merged,x\n";
        assert!(
            matches!(HistoricalStates::parse(text), Err(CrosswalkError::Duplicate(n)) if n == "B")
        );
    }
}
