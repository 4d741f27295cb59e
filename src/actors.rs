//! Armed actors: who supplies, holds, loots or receives weapons.
//!
//! Public datasets name the parties of a transfer or an event in a few conventions, which
//! SIPRI's Arms Transfers Database uses most systematically:
//!
//! | written | kind | country |
//! |---|---|---|
//! | `Mexico`, `UAE`, `Turkiye` | [`ActorKind::State`] | itself |
//! | `Soviet Union`, `East Germany (GDR)`, `Czechoslovakia` | [`ActorKind::HistoricalState`] | its successor (Russia, Germany, Czechia), the original name kept |
//! | `Hezbollah (Lebanon)*`, `Houthi rebels (Yemen)*` | [`ActorKind::ArmedGroup`] | the country in brackets (of operation) |
//! | `Libya HoR*`, `unknown rebel group*` | [`ActorKind::ArmedGroup`] | a country named at the start or end of the name, if any |
//! | `NATO**`, `African Union**`, `United Nations**` | [`ActorKind::Organisation`] | none |
//! | `unknown supplier(s)`, `unknown recipient(s)` | [`ActorKind::Unknown`] | none |
//!
//! Only a name that follows none of the conventions and names no state, current or
//! historical, is refused ([`ActorError::Unknown`], with the closest country name as a
//! suggestion).

use crate::geo::Gazetteer;
use crate::geo::gazetteer::{CountryId, Unresolved};
use crate::text::Text;

/// What kind of party an actor is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A current state.
    State,
    /// A state that no longer exists under that name, mapped to its successor.
    HistoricalState,
    /// A non-state armed group (rebels, militias, de facto authorities).
    ArmedGroup,
    /// An international organisation (NATO, the African Union, the UN).
    Organisation,
    /// A party the source does not know.
    Unknown,
}

impl ActorKind {
    /// The name used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::State => "state",
            ActorKind::HistoricalState => "historical_state",
            ActorKind::ArmedGroup => "armed_group",
            ActorKind::Organisation => "organisation",
            ActorKind::Unknown => "unknown",
        }
    }
}

/// A party, as parsed from its written name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The name without the source's marks (`*`, `**`) and surrounding space.
    pub name: String,
    /// The kind.
    pub kind: ActorKind,
    /// The state it is (a successor for a historical state) or operates in; `None` for
    /// organisations, unknown parties and groups whose name gives no country.
    pub country: Option<CountryId>,
}

/// The party a record names where it is not simply a state: its name as written (without
/// the source's marks) and its kind. Kept on the record beside the place it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActorRef {
    /// The name (`Hezbollah`, `Soviet Union`).
    pub name: Text,
    /// The kind.
    pub kind: ActorKind,
}

/// A name that cannot be read as an actor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActorError {
    /// The name is empty.
    #[error("empty actor name")]
    Empty,
    /// The name follows no convention and names no state.
    #[error(
        "unknown actor {text:?}: not a state, a historical state, an armed group \
         (`Name (Country)*`), an organisation (`Name**`) or `unknown ...`{}",
        suggestion.as_deref().map(|s| format!("; did you mean {s:?}?")).unwrap_or_default()
    )]
    Unknown {
        /// The name as given.
        text: String,
        /// The closest country name, if close enough.
        suggestion: Option<String>,
    },
}

/// Reads a party name (module docs for the conventions).
///
/// ```
/// use divnet::actors::{ActorKind, parse_actor};
/// let g = divnet::geo::Gazetteer::embedded().unwrap();
/// let h = parse_actor("Hezbollah (Lebanon)*", g).unwrap();
/// assert_eq!((h.name.as_str(), h.kind), ("Hezbollah", ActorKind::ArmedGroup));
/// assert_eq!(g.country(h.country.unwrap()).iso3, "LBN");
/// let su = parse_actor("Soviet Union", g).unwrap();
/// assert_eq!(su.kind, ActorKind::HistoricalState);
/// assert_eq!(g.country(su.country.unwrap()).iso3, "RUS");
/// assert_eq!(parse_actor("NATO**", g).unwrap().kind, ActorKind::Organisation);
/// assert!(parse_actor("Atlantis", g).is_err());
/// ```
pub fn parse_actor(text: &str, g: &Gazetteer) -> Result<Actor, ActorError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ActorError::Empty);
    }
    let actor = |name: &str, kind, country| Actor { name: name.trim().to_string(), kind, country };
    if let Some(name) = t.strip_suffix("**") {
        return Ok(actor(name, ActorKind::Organisation, None));
    }
    if let Some(name) = t.strip_suffix('*') {
        let name = name.trim();
        if let Some((group, inside)) = split_brackets(name)
            && let Some(c) = state_of(inside, g)
        {
            return Ok(actor(group, ActorKind::ArmedGroup, Some(c)));
        }
        return Ok(actor(name, ActorKind::ArmedGroup, country_at_edge(name, g)));
    }
    if t.len() >= 7 && t[..7].eq_ignore_ascii_case("unknown") {
        return Ok(actor(t, ActorKind::Unknown, None));
    }
    if let Some(c) = g.historical_country(t) {
        return Ok(actor(t, ActorKind::HistoricalState, Some(c)));
    }
    match g.resolve_country(t) {
        Ok(c) => Ok(actor(t, ActorKind::State, Some(c))),
        Err(e) => {
            // `East Germany (GDR)`: either part may be the known name.
            if let Some((outer, inner)) = split_brackets(t) {
                for part in [outer, inner] {
                    if let Some(c) = g.historical_country(part) {
                        return Ok(actor(t, ActorKind::HistoricalState, Some(c)));
                    }
                }
                for part in [outer, inner] {
                    if let Ok(c) = g.resolve_country(part) {
                        return Ok(actor(t, ActorKind::State, Some(c)));
                    }
                }
            }
            let suggestion = match e {
                Unresolved::Country { suggestion, .. } => suggestion,
                _ => None,
            };
            Err(ActorError::Unknown { text: t.to_string(), suggestion })
        }
    }
}

/// `Name (Inside)` into `("Name", "Inside")`.
fn split_brackets(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_end();
    let inner = s.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    Some((inner[..open].trim(), inner[open + 1..].trim()))
}

/// A current or historical state named by `s`.
fn state_of(s: &str, g: &Gazetteer) -> Option<CountryId> {
    g.historical_country(s).or_else(|| g.resolve_country(s).ok())
}

/// A state named by the leading or trailing words of a group's name (`Libya HoR`),
/// longest first; words of three letters or fewer alone are not taken for a code.
fn country_at_edge(name: &str, g: &Gazetteer) -> Option<CountryId> {
    let words: Vec<&str> = name.split_whitespace().collect();
    for n in (1..words.len()).rev() {
        for part in [words[..n].join(" "), words[words.len() - n..].join(" ")] {
            if part.len() > 3
                && let Some(c) = state_of(&part, g)
            {
                return Some(c);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> &'static Gazetteer {
        Gazetteer::embedded().unwrap()
    }

    fn iso(a: &Actor) -> Option<&str> {
        a.country.map(|c| g().country(c).iso3.as_str())
    }

    #[test]
    fn every_convention_reads_as_documented() {
        for (text, name, kind, country) in [
            ("Mexico", "Mexico", ActorKind::State, Some("MEX")),
            ("UAE", "UAE", ActorKind::State, Some("ARE")),
            ("Turkiye", "Turkiye", ActorKind::State, Some("TUR")),
            ("Soviet Union", "Soviet Union", ActorKind::HistoricalState, Some("RUS")),
            ("East Germany (GDR)", "East Germany (GDR)", ActorKind::HistoricalState, Some("DEU")),
            ("Czechoslovakia", "Czechoslovakia", ActorKind::HistoricalState, Some("CZE")),
            ("Hezbollah (Lebanon)*", "Hezbollah", ActorKind::ArmedGroup, Some("LBN")),
            ("Houthi rebels (Yemen)*", "Houthi rebels", ActorKind::ArmedGroup, Some("YEM")),
            ("LTTE (Sri Lanka)*", "LTTE", ActorKind::ArmedGroup, Some("LKA")),
            ("HoR (Libya)*", "HoR", ActorKind::ArmedGroup, Some("LBY")),
            ("Libya HoR*", "Libya HoR", ActorKind::ArmedGroup, Some("LBY")),
            ("unknown rebel group*", "unknown rebel group", ActorKind::ArmedGroup, None),
            ("NATO**", "NATO", ActorKind::Organisation, None),
            ("African Union**", "African Union", ActorKind::Organisation, None),
            ("United Nations**", "United Nations", ActorKind::Organisation, None),
            ("unknown supplier(s)", "unknown supplier(s)", ActorKind::Unknown, None),
            ("  Unknown recipient(s) ", "Unknown recipient(s)", ActorKind::Unknown, None),
        ] {
            let a = parse_actor(text, g()).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((a.name.as_str(), a.kind, iso(&a)), (name, kind, country), "{text}");
        }
    }

    #[test]
    fn a_name_that_is_nothing_is_refused_with_a_suggestion() {
        assert_eq!(parse_actor(" ", g()), Err(ActorError::Empty));
        let e = parse_actor("Mexcio", g()).unwrap_err();
        assert!(e.to_string().contains("did you mean \"Mexico\""), "{e}");
        assert!(matches!(parse_actor("Atlantis", g()), Err(ActorError::Unknown { .. })));
    }

    /// Every party of the SIPRI samples (both export layouts) is read, none refused.
    #[test]
    fn every_party_of_the_sipri_samples_resolves() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sources");
        let mut parties = std::collections::BTreeSet::new();
        for (file, skip, cols) in [
            ("sipri_trade_register_sample.csv", 11, [0, 1]),
            ("sipri_transfers_sample.csv", 12, [1, 2]),
        ] {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let body: String = text.lines().skip(skip).collect::<Vec<_>>().join("\n");
            let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(body.as_bytes());
            for rec in rdr.records() {
                let rec = rec.unwrap();
                for c in cols {
                    parties.insert(rec[c].to_string());
                }
            }
        }
        assert!(parties.len() > 60, "{}", parties.len());
        let mut kinds = std::collections::BTreeMap::new();
        for p in &parties {
            let a = parse_actor(p, g()).unwrap_or_else(|e| panic!("{e}"));
            *kinds.entry(a.kind).or_insert(0) += 1;
            if matches!(a.kind, ActorKind::State | ActorKind::HistoricalState) {
                assert!(a.country.is_some(), "{p}");
            }
        }
        for k in [
            ActorKind::State,
            ActorKind::HistoricalState,
            ActorKind::ArmedGroup,
            ActorKind::Organisation,
            ActorKind::Unknown,
        ] {
            assert!(kinds.contains_key(&k), "no {k:?} among {parties:?}");
        }
    }
}
