//! Parties: who supplies, holds, loots, receives weapons or fights.
//!
//! Public datasets name the parties of a transfer or an event in a few conventions, which
//! SIPRI's Arms Transfers Database uses most systematically; UCDP and ACLED add their own
//! for the sides of conflict events:
//!
//! | written | kind | name | country |
//! |---|---|---|---|
//! | `Mexico`, `UAE`, `Turkiye`, `Burma` | [`ActorKind::State`] | the gazetteer's (`United Arab Emirates`) | itself |
//! | `Soviet Union`, `East Germany (GDR)`, `Yemen Arab Republic (North Yemen)`, `Biafra` | [`ActorKind::HistoricalState`] | the crosswalk's (`North Yemen`) | its successor (for maps) |
//! | `Hezbollah (Lebanon)*`, `Houthi rebels (Yemen)*` | [`ActorKind::ArmedGroup`] | `Hezbollah` | the country in brackets (of operation) |
//! | `Libya HoR*`, `unknown rebel group*` | [`ActorKind::ArmedGroup`] | as written | a country named at the start or end of the name, if any |
//! | `NATO**`, `African Union**`, `United Nations**` | [`ActorKind::Organisation`] | `NATO` | none |
//! | `unknown supplier(s)`, `unknown recipient(s)` | [`ActorKind::Unknown`] | as written | none |
//! | `Government of Uganda`, `Military Forces of Sudan (2019-)`, `Police Forces of Mali` | [`ActorKind::State`] | the state's | the state |
//! | `Christians (CAR)`, `FPRC, MPC, Self-Defense Mujahidin (CAR)` | [`ActorKind::ArmedGroup`] | `Christians` | the country in brackets |
//! | `Civilians`, `Civilians (Sudan)`, `Protesters (Sudan)` | [`ActorKind::Civilians`] | `Civilians` | the country in brackets |
//!
//! Before any convention, a name is looked up among the aliases: the user's alias file
//! (`[actors] aliases`), then the built-in `datasets/actors/aliases.csv` ([`ActorAliases`]);
//! after the conventions, the name they read (`Africa Corps` of `Africa Corps (Libya)*`) is
//! looked up again.
//! Historical states come from the crosswalk `datasets/actors/historical_states.csv`
//! ([`HistoricalStates`]): each is its own actor, never its successor. A name that follows
//! none of the conventions and names no state, current or historical, is refused
//! ([`ActorError::Unknown`], with the closest country name as a suggestion); as the side of
//! a conflict event it is an armed group of the event's country ([`Actors::event_side`]).
//!
//! Every spelling of one actor gives one [`Actor`]: one name, kind and country.

pub mod aliases;
pub mod historical;

use serde::{Deserialize, Serialize};

use crate::geo::gazetteer::{CountryId, Unresolved};
use crate::geo::{Gazetteer, name_key};
use crate::text::Text;
pub use aliases::{ActorAliases, AliasEntry, AliasError};
pub use historical::{HistoricalId, HistoricalState, HistoricalStates, StateEnd};

/// What kind of party an actor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A current state.
    State,
    /// A state that no longer exists ([`HistoricalStates`]): its own actor, drawn at its
    /// successor's position.
    HistoricalState,
    /// A non-state armed group (rebels, militias, armed communities, de facto authorities).
    ArmedGroup,
    /// An international organisation (NATO, the African Union, the UN).
    Organisation,
    /// Unarmed people named as a side of an event: civilians (UCDP's one-sided violence,
    /// ACLED) and ACLED's protesters. Not an armed actor.
    Civilians,
    /// A party the source does not know.
    Unknown,
}

impl ActorKind {
    /// Every kind, in table order.
    pub const ALL: [ActorKind; 6] = [
        ActorKind::State,
        ActorKind::HistoricalState,
        ActorKind::ArmedGroup,
        ActorKind::Organisation,
        ActorKind::Civilians,
        ActorKind::Unknown,
    ];

    /// The name used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::State => "state",
            ActorKind::HistoricalState => "historical_state",
            ActorKind::ArmedGroup => "armed_group",
            ActorKind::Organisation => "organisation",
            ActorKind::Civilians => "civilians",
            ActorKind::Unknown => "unknown",
        }
    }

    /// The kind of a table name ([`ActorKind::as_str`]).
    pub fn from_name(name: &str) -> Option<ActorKind> {
        ActorKind::ALL.into_iter().find(|k| k.as_str() == name.trim())
    }

    /// A state, current or historical.
    pub fn is_state(self) -> bool {
        matches!(self, ActorKind::State | ActorKind::HistoricalState)
    }
}

/// A party, as read from its written name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Its one name: the gazetteer's name of a state, the crosswalk's of a historical
    /// state, an alias's canonical name, else the name without the source's marks (`*`,
    /// `**`), brackets naming a country and surrounding space.
    pub name: String,
    /// The kind.
    pub kind: ActorKind,
    /// The state it is (a historical state's successor) or operates in; `None` for
    /// organisations, unknown parties and groups whose name gives no country.
    pub country: Option<CountryId>,
    /// The historical state it is.
    pub historical: Option<HistoricalId>,
}

/// The party a record names where it is not simply a state: its name (an [`Actor`]'s) and
/// its kind. Kept on the record beside the place it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// `[actors]`: how parties are read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActorsConfig {
    /// An alias file (`name,canonical[,kind,country]`, relative to the config's folder)
    /// whose names stand for one actor, read before the built-in aliases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<std::path::PathBuf>,
    /// The alias file as read when the config was loaded (not a key of the file): part
    /// of the salt of every step that reads parties, so editing the file reruns them.
    #[serde(skip_deserializing, skip_serializing_if = "ActorAliases::is_empty")]
    pub table: ActorAliases,
}

/// How parties are read in a run: the user's aliases over the built-in crosswalks.
/// Serialised as the user's aliases (the built-in files are part of the build).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Actors {
    user: ActorAliases,
}

/// Prefixes of a state's own forces as UCDP and ACLED name them.
const STATE_PREFIXES: [&str; 3] = ["government of ", "military forces of ", "police forces of "];
/// Names of unarmed sides (ACLED's and UCDP's).
const CIVILIANS: [&str; 2] = ["civilians", "protesters"];

impl Actors {
    /// The built-in crosswalks only.
    pub fn builtin() -> Actors {
        Actors::default()
    }

    /// The built-in crosswalks under the user's aliases.
    pub fn with_aliases(user: ActorAliases) -> Actors {
        Actors { user }
    }

    /// The user's aliases.
    pub fn user_aliases(&self) -> &ActorAliases {
        &self.user
    }

    /// Whether a name is an alias (the user's or a built-in one) or a historical state's:
    /// a party, even where the gazetteer reads it as a country for locations.
    pub fn is_listed(&self, text: &str) -> bool {
        let key = name_key(text.trim());
        self.user.get(&key).is_some()
            || ActorAliases::builtin().get(&key).is_some()
            || HistoricalStates::embedded().find(text).is_some()
    }

    /// Reads a party name (module docs for the conventions).
    ///
    /// ```
    /// use divnet::actors::{ActorKind, Actors};
    /// let g = divnet::geo::Gazetteer::embedded().unwrap();
    /// let a = Actors::builtin();
    /// let h = a.parse("Hezbollah (Lebanon)*", g).unwrap();
    /// assert_eq!((h.name.as_str(), h.kind), ("Hezbollah", ActorKind::ArmedGroup));
    /// assert_eq!(g.country(h.country.unwrap()).iso3, "LBN");
    /// let su = a.parse("Soviet Union", g).unwrap();
    /// assert_eq!(su.kind, ActorKind::HistoricalState);
    /// assert_eq!(g.country(su.country.unwrap()).iso3, "RUS");
    /// assert_eq!(a.parse("HoR (Libya)*", g), a.parse("Libya HoR*", g));
    /// assert_eq!(a.parse("Government of Uganda", g), a.parse("Uganda", g));
    /// assert!(a.parse("Atlantis", g).is_err());
    /// ```
    pub fn parse(&self, text: &str, g: &Gazetteer) -> Result<Actor, ActorError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(ActorError::Empty);
        }
        let key = name_key(t);
        if let Some(e) = self.alias(&key) {
            return Ok(Actors::from_alias(e, g));
        }
        // `Africa Corps (Libya)*` is also found by its name, `Africa Corps`.
        let a = Actors::rules(t, g)?;
        match self.alias(&name_key(&a.name)) {
            Some(e) => Ok(Actors::from_alias(e, g)),
            None => Ok(a),
        }
    }

    /// The alias of a name key: the user's, else a built-in one.
    fn alias(&self, key: &str) -> Option<&AliasEntry> {
        self.user.get(key).or_else(|| ActorAliases::builtin().get(key))
    }

    /// The side of a conflict event that took place in `at`: as [`Actors::parse`] reads
    /// it, an armed group or civilians without a country of their own taking the event's;
    /// a name no convention reads is an armed group of the event's country (UCDP and
    /// ACLED name organised actors: governments, groups, communities). `None` for ACLED's
    /// `Rioters`, which are neither armed groups nor civilians (unclassified).
    pub fn event_side(&self, text: &str, at: CountryId, g: &Gazetteer) -> Option<Actor> {
        let t = text.trim();
        let head = t.split(['(', ':']).next().unwrap_or(t).trim();
        if head.eq_ignore_ascii_case("rioters") {
            return None;
        }
        match self.parse(t, g) {
            Ok(mut a) => {
                if a.country.is_none()
                    && matches!(a.kind, ActorKind::ArmedGroup | ActorKind::Civilians)
                {
                    a.country = Some(at);
                }
                Some(a)
            }
            Err(_) => Some(Actor {
                name: t.to_string(),
                kind: ActorKind::ArmedGroup,
                country: Some(at),
                historical: None,
            }),
        }
    }

    /// The actor an alias stands for.
    fn from_alias(e: &AliasEntry, g: &Gazetteer) -> Actor {
        let country = e.country.as_deref().and_then(|c| g.resolve_country(c).ok());
        let read = || Actors::rules(&e.canonical, g).ok();
        match e.kind {
            Some(ActorKind::HistoricalState) | None => {
                let mut a = read().unwrap_or_else(|| Actor {
                    name: e.canonical.clone(),
                    kind: e.kind.unwrap_or(ActorKind::Unknown),
                    country: None,
                    historical: None,
                });
                if let Some(c) = country {
                    a.country = Some(c);
                }
                a
            }
            Some(ActorKind::State) => {
                let own = g.resolve_country(&e.canonical).ok();
                match (own, country) {
                    (Some(c), None) => Actor::state(g, c),
                    (Some(c), Some(k)) if c == k => Actor::state(g, c),
                    (own, k) => Actor {
                        name: e.canonical.clone(),
                        kind: ActorKind::State,
                        country: k.or(own),
                        historical: None,
                    },
                }
            }
            Some(kind) => Actor { name: e.canonical.clone(), kind, country, historical: None },
        }
    }

    /// The conventions alone, without aliases.
    pub(crate) fn rules(t: &str, g: &Gazetteer) -> Result<Actor, ActorError> {
        let t = t.trim();
        if t.is_empty() {
            return Err(ActorError::Empty);
        }
        let other = |name: &str, kind, country| Actor {
            name: name.trim().to_string(),
            kind,
            country,
            historical: None,
        };
        if let Some(name) = t.strip_suffix("**") {
            return Ok(other(name, ActorKind::Organisation, None));
        }
        if let Some(name) = t.strip_suffix('*') {
            let name = name.trim();
            if let Some((group, inside)) = split_brackets(name)
                && let Some(c) = state_of(inside, g)
            {
                return Ok(other(group, ActorKind::ArmedGroup, Some(c)));
            }
            return Ok(other(name, ActorKind::ArmedGroup, country_at_edge(name, g)));
        }
        if t.len() >= 7 && t.is_char_boundary(7) && t[..7].eq_ignore_ascii_case("unknown") {
            return Ok(other(t, ActorKind::Unknown, None));
        }
        if let Some(a) = state_actor(t, g) {
            return Ok(a);
        }
        let lower = t.to_lowercase();
        for p in STATE_PREFIXES {
            if lower.starts_with(p)
                && let Some(rest) = t.get(p.len()..)
            {
                // `Russia (Soviet Union)`, `Sudan (2019-)`: the name outside the brackets
                // first, then the one inside.
                let parts = match split_brackets(rest) {
                    Some((outer, inner)) => vec![outer, inner],
                    None => vec![rest],
                };
                if let Some(a) = parts.into_iter().find_map(|p| state_actor(p, g)) {
                    return Ok(a);
                }
            }
        }
        let (head, inside) = match split_brackets(t) {
            Some((h, i)) => (h, Some(i)),
            None => (t, None),
        };
        // ACLED's `Rioters (Country)`: neither an armed group nor civilians.
        if head.eq_ignore_ascii_case("rioters") {
            return Err(ActorError::Unknown { text: t.to_string(), suggestion: None });
        }
        let in_country = inside.and_then(|i| state_of(i, g));
        if CIVILIANS.iter().any(|c| head.eq_ignore_ascii_case(c))
            && (inside.is_none() || in_country.is_some())
        {
            return Ok(other(head, ActorKind::Civilians, in_country));
        }
        // `West Germany (FRG)`: a state named outside the brackets is that state.
        if inside.is_some()
            && let Some(a) = state_actor(head, g)
        {
            return Ok(a);
        }
        // `Christians (CAR)`: a group or community of the country in brackets.
        if let Some(c) = in_country {
            return Ok(other(head, ActorKind::ArmedGroup, Some(c)));
        }
        let suggestion = match g.resolve_country(t) {
            Err(Unresolved::Country { suggestion, .. }) => suggestion,
            _ => None,
        };
        Err(ActorError::Unknown { text: t.to_string(), suggestion })
    }
}

impl Actor {
    /// A current state, under the gazetteer's name.
    fn state(g: &Gazetteer, c: CountryId) -> Actor {
        Actor {
            name: g.country(c).name.clone(),
            kind: ActorKind::State,
            country: Some(c),
            historical: None,
        }
    }

    /// A historical state, under the crosswalk's name, in its successor.
    fn historical(g: &Gazetteer, h: HistoricalId) -> Actor {
        let states = HistoricalStates::embedded();
        Actor {
            name: states.get(h).name.clone(),
            kind: ActorKind::HistoricalState,
            country: states.successor(h, g),
            historical: Some(h),
        }
    }
}

/// Reads a party name with the built-in crosswalks ([`Actors::parse`]).
///
/// ```
/// use divnet::actors::{ActorKind, parse_actor};
/// let g = divnet::geo::Gazetteer::embedded().unwrap();
/// assert_eq!(parse_actor("NATO**", g).unwrap().kind, ActorKind::Organisation);
/// assert_eq!(parse_actor("South Vietnam", g).unwrap().kind, ActorKind::HistoricalState);
/// assert!(parse_actor("Atlantis", g).is_err());
/// ```
pub fn parse_actor(text: &str, g: &Gazetteer) -> Result<Actor, ActorError> {
    Actors::builtin().parse(text, g)
}

/// A state, historical or current, named by the whole of `t`.
fn state_actor(t: &str, g: &Gazetteer) -> Option<Actor> {
    if let Some(h) = HistoricalStates::embedded().find(t) {
        return Some(Actor::historical(g, h));
    }
    g.resolve_country(t).ok().map(|c| Actor::state(g, c))
}

/// `Name (Inside)` into `("Name", "Inside")`.
fn split_brackets(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_end();
    let inner = s.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    Some((inner[..open].trim(), inner[open + 1..].trim()))
}

/// The country of a current or historical state named by `s` (a successor for a
/// historical state).
fn state_of(s: &str, g: &Gazetteer) -> Option<CountryId> {
    state_actor(s, g).and_then(|a| a.country)
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
        use ActorKind::*;
        for (text, name, kind, country) in [
            ("Mexico", "Mexico", State, Some("MEX")),
            ("UAE", "United Arab Emirates", State, Some("ARE")),
            ("Turkiye", "Türkiye", State, Some("TUR")),
            ("Burma", "Myanmar", State, Some("MMR")),
            ("West Germany (FRG)", "Germany", State, Some("DEU")),
            ("Saint Vincent", "Saint Vincent and the Grenadines", State, Some("VCT")),
            ("Soviet Union", "Soviet Union", HistoricalState, Some("RUS")),
            ("USSR", "Soviet Union", HistoricalState, Some("RUS")),
            ("East Germany (GDR)", "East Germany (GDR)", HistoricalState, Some("DEU")),
            ("Czechoslovakia", "Czechoslovakia", HistoricalState, Some("CZE")),
            ("Yugoslavia", "Yugoslavia", HistoricalState, Some("SRB")),
            ("South Vietnam", "South Vietnam", HistoricalState, Some("VNM")),
            ("North Yemen", "North Yemen", HistoricalState, Some("YEM")),
            ("Yemen Arab Republic (North Yemen)", "North Yemen", HistoricalState, Some("YEM")),
            ("South Yemen", "South Yemen", HistoricalState, Some("YEM")),
            ("Biafra", "Biafra", HistoricalState, Some("NGA")),
            ("Katanga", "Katanga", HistoricalState, Some("COD")),
            ("Hezbollah (Lebanon)*", "Hezbollah", ArmedGroup, Some("LBN")),
            ("Houthi rebels (Yemen)*", "Houthi rebels", ArmedGroup, Some("YEM")),
            ("Huthi rebels (Yemen)*", "Houthi rebels", ArmedGroup, Some("YEM")),
            ("Viet Cong (South Vietnam)*", "Viet Cong", ArmedGroup, Some("VNM")),
            ("LTTE (Sri Lanka)*", "LTTE", ArmedGroup, Some("LKA")),
            ("HoR (Libya)*", "HoR", ArmedGroup, Some("LBY")),
            ("Libya HoR*", "HoR", ArmedGroup, Some("LBY")),
            ("Libya GNC", "Libya GNC", State, Some("LBY")),
            ("Northern Cyprus", "Northern Cyprus", ArmedGroup, Some("CYP")),
            ("Syria rebels*", "Syria rebels", ArmedGroup, Some("SYR")),
            ("unknown rebel group*", "unknown rebel group", ArmedGroup, None),
            ("NATO**", "NATO", Organisation, None),
            ("African Union**", "African Union", Organisation, None),
            ("United Nations**", "United Nations", Organisation, None),
            ("unknown supplier(s)", "unknown supplier(s)", Unknown, None),
            ("  Unknown recipient(s) ", "Unknown recipient(s)", Unknown, None),
            // UCDP and ACLED sides.
            (
                "Government of Central African Republic",
                "Central African Republic",
                State,
                Some("CAF"),
            ),
            ("Government of Uganda", "Uganda", State, Some("UGA")),
            ("Government of Russia (Soviet Union)", "Russia", State, Some("RUS")),
            ("Military Forces of Sudan (2019-)", "Sudan", State, Some("SDN")),
            ("Christians (CAR)", "Christians", ArmedGroup, Some("CAF")),
            ("Muslims (CAR)", "Muslims", ArmedGroup, Some("CAF")),
            (
                "FPRC, MPC, Self-Defense Mujahidin (CAR)",
                "FPRC, MPC, Self-Defense Mujahidin",
                ArmedGroup,
                Some("CAF"),
            ),
            ("Civilians", "Civilians", Civilians, None),
            ("Civilians (Sudan)", "Civilians", Civilians, Some("SDN")),
            ("Protesters (Sudan)", "Protesters", Civilians, Some("SDN")),
        ] {
            let a = parse_actor(text, g()).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((a.name.as_str(), a.kind, iso(&a)), (name, kind, country), "{text}");
            assert_eq!(a.historical.is_some(), kind == HistoricalState, "{text}");
        }
    }

    #[test]
    fn a_name_that_is_nothing_is_refused_with_a_suggestion() {
        assert_eq!(parse_actor(" ", g()), Err(ActorError::Empty));
        let e = parse_actor("Mexcio", g()).unwrap_err();
        assert!(e.to_string().contains("did you mean \"Mexico\""), "{e}");
        for t in ["Atlantis", "LRA", "Seleka", "Government of Atlantis"] {
            assert!(matches!(parse_actor(t, g()), Err(ActorError::Unknown { .. })), "{t}");
        }
    }

    #[test]
    fn event_sides_take_the_event_country_when_they_name_none() {
        let a = Actors::builtin();
        let caf = g().resolve_country("CAF").unwrap();
        let side = |t| {
            a.event_side(t, caf, g())
                .map(|x| (x.name.clone(), x.kind.as_str(), iso(&x).map(str::to_string)))
        };
        let s = |n: &str, k: &'static str, c: &str| Some((n.to_string(), k, Some(c.to_string())));
        assert_eq!(side("LRA"), s("LRA", "armed_group", "CAF"));
        assert_eq!(side("anti-Balaka"), s("anti-Balaka", "armed_group", "CAF"));
        assert_eq!(side("Civilians"), s("Civilians", "civilians", "CAF"));
        assert_eq!(side("Government of Uganda"), s("Uganda", "state", "UGA"));
        assert_eq!(side("Christians (CAR)"), s("Christians", "armed_group", "CAF"));
        assert_eq!(side("Rioters (Sudan)"), None);
    }

    #[test]
    fn user_aliases_come_first() {
        let user = ActorAliases::parse(
            "name,canonical,kind,country\n\
             Lord's Resistance Army,LRA,armed_group,UGA\n\
             LRA,LRA,armed_group,UGA\n\
             Libya HoR,Libyan National Army,armed_group,LBY\n\
             Sowjetunion,Soviet Union,,\n",
            g(),
        )
        .unwrap();
        let a = Actors::with_aliases(user);
        assert_eq!(a.parse("Lord's Resistance Army", g()), a.parse("LRA", g()));
        assert_eq!(a.parse("LRA", g()).unwrap().kind, ActorKind::ArmedGroup);
        // The user's alias wins over the built-in one.
        assert_eq!(a.parse("Libya HoR*", g()).unwrap().name, "Libyan National Army");
        assert_eq!(a.parse("Sowjetunion", g()), a.parse("Soviet Union", g()));
    }

    /// Every party of the SIPRI samples and case excerpts (both export layouts) is read,
    /// none refused.
    #[test]
    fn every_party_of_the_sipri_samples_resolves() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sources");
        let mut parties = std::collections::BTreeSet::new();
        for (file, skip, cols) in [
            ("sipri_trade_register_sample.csv", 11, [0, 1]),
            ("sipri_trade_register_cases.csv", 11, [0, 1]),
            ("sipri_transfers_sample.csv", 11, [1, 2]),
            ("sipri_transfers_cases.csv", 11, [1, 2]),
        ] {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let body: String = text.lines().skip(skip).collect::<Vec<_>>().join("\n");
            let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(body.as_bytes());
            for rec in rdr.records() {
                let rec = rec.unwrap();
                // The cases excerpt has a comment broken over two lines: its second piece
                // has too few fields to name parties.
                if rec.len() < 10 {
                    continue;
                }
                for c in cols {
                    parties.insert(rec[c].to_string());
                }
            }
        }
        assert!(parties.len() > 80, "{}", parties.len());
        let mut kinds = std::collections::BTreeMap::new();
        for p in &parties {
            let a = parse_actor(p, g()).unwrap_or_else(|e| panic!("{e}"));
            *kinds.entry(a.kind).or_insert(0) += 1;
            if a.kind.is_state() {
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

    /// SIPRI's spellings of states and historical states (its TIV tables' names) all read
    /// as states.
    #[test]
    fn sipri_state_names_read_as_states() {
        for n in [
            "Bosnia-Herzegovina",
            "Brunei",
            "Cape Verde",
            "Cote d'Ivoire",
            "DR Congo",
            "Congo",
            "Eswatini",
            "Gambia",
            "Laos",
            "Micronesia",
            "North Macedonia",
            "Macedonia",
            "Palestine",
            "Saint Kitts and Nevis",
            "Saint Lucia",
            "Saint Vincent",
            "Sao Tome and Principe",
            "Timor-Leste",
            "East Timor",
            "Turkiye",
            "UAE",
            "Viet Nam",
            "Kosovo",
            "Taiwan",
            "Trinidad and Tobago",
            "Antigua and Barbuda",
            "Bahamas",
            "Guinea-Bissau",
            "Equatorial Guinea",
            "Central African Republic",
            "Zaire",
            "Rhodesia",
            "Libya GNC",
        ] {
            let a = parse_actor(n, g()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(a.kind, ActorKind::State, "{n}");
        }
    }
}
