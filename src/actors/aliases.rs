//! Alias files: names that stand for one actor. The built-in one is
//! `datasets/actors/aliases.csv` (SIPRI's spellings that differ between its exports or name
//! a party none of the conventions reads); a run adds the user's (`[actors] aliases`).
//!
//! Columns: `name,canonical[,kind,country]` (a built-in file also has `source`). `name` is
//! matched ignoring case, accents, punctuation and SIPRI's marks (`Libya HoR*` and `Libya
//! HoR` are one key); `canonical` is the actor it stands for. `kind` (`state`,
//! `historical_state`, `armed_group`, `organisation`, `civilians`, `unknown`) and `country`
//! (a country name or code) are optional: left empty, they are those of `canonical` as the
//! conventions read it ([`super::Actors::parse`]), and an alias whose canonical name reads
//! as nothing must give its kind. A `historical_state` must be one of the crosswalk's
//! ([`super::HistoricalStates`]).

use std::sync::OnceLock;

use serde::Serialize;

use super::{ActorKind, HistoricalStates};
use crate::geo::gazetteer::FastMap;
use crate::geo::{Gazetteer, name_key};

/// The built-in alias file, compiled in.
const BUILTIN: &str = include_str!("../../datasets/actors/aliases.csv");

/// One alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AliasEntry {
    /// The name as written in the records.
    pub name: String,
    /// The actor it stands for.
    pub canonical: String,
    /// Its kind, when given.
    pub kind: Option<ActorKind>,
    /// ISO3 of its country, when given.
    pub country: Option<String>,
}

/// A set of aliases, looked up by [`name_key`]. Serialised as its entries (what a step's
/// salt hashes).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct ActorAliases {
    entries: Vec<AliasEntry>,
    #[serde(skip)]
    keys: FastMap<String, usize>,
}

/// Why an alias file cannot be used: its line and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct AliasError {
    /// The line (the header is line 1).
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

impl ActorAliases {
    /// The built-in aliases (`datasets/actors/aliases.csv`, checked by the tests; were it
    /// broken, it would read as empty rather than panic).
    pub fn builtin() -> &'static ActorAliases {
        static A: OnceLock<ActorAliases> = OnceLock::new();
        A.get_or_init(|| match Gazetteer::embedded() {
            Ok(g) => ActorAliases::parse(BUILTIN, g).unwrap_or_default(),
            Err(_) => ActorAliases::default(),
        })
    }

    /// Reads an alias file (UTF-8 CSV with a header naming at least `name` and
    /// `canonical`), checking every row: a kind of the vocabulary, a country the gazetteer
    /// knows, a historical state of the crosswalk, a canonical name that reads as an actor
    /// when no kind is given, and no name given twice.
    ///
    /// ```
    /// use divnet::actors::{ActorAliases, ActorKind};
    /// let g = divnet::geo::Gazetteer::embedded().unwrap();
    /// let a = ActorAliases::parse("name,canonical,kind,country\nLRA,Lord's Resistance Army,armed_group,UGA\n", g).unwrap();
    /// assert_eq!(a.get("lra").unwrap().kind, Some(ActorKind::ArmedGroup));
    /// assert!(ActorAliases::parse("name,canonical,kind\nX,Y,rebel\n", g).is_err());
    /// ```
    pub fn parse(text: &str, g: &Gazetteer) -> Result<ActorAliases, AliasError> {
        let bad = |line: u64, reason: String| AliasError { line, reason };
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| bad(1, e.to_string()))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let col = |n: &str| header.iter().position(|h| h == n);
        let (Some(name_at), Some(canonical_at)) = (col("name"), col("canonical")) else {
            return Err(bad(1, "the header must name the columns name and canonical".into()));
        };
        let (kind_at, country_at) = (col("kind"), col("country"));
        let mut out = ActorAliases::default();
        for rec in rdr.records() {
            let rec =
                rec.map_err(|e| bad(e.position().map_or(0, csv::Position::line), e.to_string()))?;
            let line = rec.position().map_or(0, csv::Position::line);
            let field = |at: Option<usize>| {
                at.and_then(|i| rec.get(i)).map(str::trim).filter(|s| !s.is_empty())
            };
            let (Some(name), Some(canonical)) = (field(Some(name_at)), field(Some(canonical_at)))
            else {
                if rec.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                return Err(bad(line, "name and canonical must both be given".into()));
            };
            let kind = match field(kind_at) {
                None => None,
                Some(k) => Some(ActorKind::from_name(k).ok_or_else(|| {
                    bad(
                        line,
                        format!(
                            "kind {k:?} is none of state, historical_state, armed_group, \
                             organisation, civilians, unknown"
                        ),
                    )
                })?),
            };
            let country = match field(country_at) {
                None => None,
                Some(c) => Some(
                    g.resolve_country(c)
                        .map(|id| g.country(id).iso3.clone())
                        .map_err(|e| bad(line, e.to_string()))?,
                ),
            };
            if kind == Some(ActorKind::HistoricalState)
                && HistoricalStates::embedded().find(canonical).is_none()
            {
                return Err(bad(
                    line,
                    format!(
                        "{canonical:?} is not a historical state of \
                         datasets/actors/historical_states.csv"
                    ),
                ));
            }
            if kind == Some(ActorKind::State)
                && country.is_none()
                && g.resolve_country(canonical).is_err()
            {
                return Err(bad(line, format!("state {canonical:?} needs a country")));
            }
            if kind.is_none() && super::Actors::rules(canonical, g).is_err() {
                return Err(bad(
                    line,
                    format!("{canonical:?} reads as no actor: give its kind (and country)"),
                ));
            }
            let key = name_key(name);
            if key.is_empty() {
                return Err(bad(line, format!("{name:?} has no letter or digit")));
            }
            if out.keys.insert(key, out.entries.len()).is_some() {
                return Err(bad(line, format!("{name:?} is given twice")));
            }
            out.entries.push(AliasEntry {
                name: name.to_string(),
                canonical: canonical.to_string(),
                kind,
                country,
            });
        }
        Ok(out)
    }

    /// The alias of a name key ([`name_key`]).
    pub fn get(&self, key: &str) -> Option<&AliasEntry> {
        self.keys.get(key).map(|&i| &self.entries[i])
    }

    /// Every alias, in file order.
    pub fn entries(&self) -> &[AliasEntry] {
        &self.entries
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> &'static Gazetteer {
        Gazetteer::embedded().unwrap()
    }

    #[test]
    fn the_builtin_file_is_valid() {
        let a = ActorAliases::parse(BUILTIN, g()).unwrap();
        assert!(!a.is_empty());
        assert_eq!(a.entries().len(), ActorAliases::builtin().entries().len());
    }

    #[test]
    fn bad_rows_name_their_line() {
        for (text, line, says) in [
            ("name\nA\n", 1, "canonical"),
            ("name,canonical\nA,\n", 2, "both"),
            ("name,canonical,kind\nA,B,rebels\n", 2, "rebels"),
            ("name,canonical,kind,country\nA,B,armed_group,Atlantis\n", 2, "Atlantis"),
            ("name,canonical,kind\nA,Prussia,historical_state\n", 2, "historical"),
            ("name,canonical\nA,Some militia\n", 2, "give its kind"),
            ("name,canonical,kind\nA,B,unknown\na.,C,unknown\n", 3, "twice"),
        ] {
            let e = ActorAliases::parse(text, g()).unwrap_err();
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.to_string().contains(says), "{text}: {e}");
        }
        // Blank lines are skipped.
        let ok = ActorAliases::parse("name,canonical\n\nUSSR,Soviet Union\n", g()).unwrap();
        assert_eq!(ok.entries().len(), 1);
    }
}
