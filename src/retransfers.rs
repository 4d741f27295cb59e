//! Re-transfer chains: a state passes on a weapon it imported earlier.
//!
//! An *onward* deal is a deal (each deal once, [`Deals`]) with deliveries from a state
//! (current or historical) to a non-state armed group, or, with
//! [`RetransferOptions::third_parties`], to any other party but the weapon's origin. Its
//! *imports* are the deals with deliveries of the same weapon to that state (the
//! intermediary) from another party (the origin), whose first delivery year is no later than
//! the onward deal's first delivery year. Each (import, onward) pair is one legal-then-onward
//! chain `origin -> intermediary -> recipient`.
//!
//! The same weapon ([`WeaponKey`]):
//!
//! - **designation**: the designations are equal once normalised ([`designation_key`]): case,
//!   accents, spaces, hyphens, slashes and other punctuation ignored, a trailing ` -` (SIPRI's
//!   newer export writes `K-8 -`) dropped, and known transliterations spelt one way
//!   ([`TRANSLITERATIONS`]): `BGM-71 TOW` = `bgm 71 tow`, `K-8 -` = `K-8`;
//! - **family** (with [`RetransferOptions::family`]): the designations share a family token
//!   ([`family_tokens`]): a word's model number (`Mi-24V` -> `mi24`, `F-16C` -> `f16`), a
//!   name of four or more letters before a hyphen and a variant (`Pantsyr-S1` -> `pantsyr`,
//!   but not the maker of `Cessna-208`), or a whole word of three or more characters
//!   (`Pantsyr`, `JF-17`; a word without digits only when no word of the designation has
//!   any, so the maker in `Zastava M70` or the name in `A-10 Thunderbolt` is no family), so
//!   `96K9 Pantsyr-S1` and `Pantsyr`, `JF-17 Thunder` and `JF-17 -` are one family. Calibres (`122mm`), bare
//!   numbers and generic words ([`GENERIC_WORDS`]: `version`, `engine`, `radar` ...) are no
//!   family tokens; when both deals come from one input file and both have a description,
//!   the descriptions must be equal too (names shared by unrelated weapons, such as
//!   `Thunderbolt`, then need the same kind of weapon).
//!
//! A designation made only of generic words (`vehicle engine`, `gas turbine`) names no
//! weapon and is never matched. This is a pure function over validated transfers: no I/O.

use std::collections::{BTreeMap, BTreeSet};

use crate::deals::Deals;
use crate::records::{Party, Text, Transfer};

/// Spellings of one name that sources write differently, as (variant, spelling used): applied
/// to the normalised (lower-case, letters and digits only) designation.
pub const TRANSLITERATIONS: [(&str, &str); 3] =
    [("pantsir", "pantsyr"), ("konkours", "konkurs"), ("sturm", "shturm")];

/// Words of designations that name no weapon family on their own.
pub const GENERIC_WORDS: [&str; 34] = [
    "version",
    "type",
    "class",
    "mk",
    "mod",
    "model",
    "series",
    "light",
    "heavy",
    "vehicle",
    "engine",
    "diesel",
    "gas",
    "turbine",
    "turbofan",
    "turbojet",
    "turboprop",
    "turboshaft",
    "radar",
    "sonar",
    "system",
    "systems",
    "gun",
    "missile",
    "boat",
    "ship",
    "patrol",
    "truck",
    "car",
    "armoured",
    "support",
    "unknown",
    "air",
    "the",
];

/// Which earlier imports count as the same weapon, and which onward deliveries are looked
/// at (`[retransfers]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetransferOptions {
    /// Also match designations of one family ([`family_tokens`]), not only equal ones.
    pub family: bool,
    /// Look at onward deliveries to any third party (states, organisations), not only to
    /// non-state armed groups.
    pub third_parties: bool,
}

impl Default for RetransferOptions {
    fn default() -> Self {
        RetransferOptions { family: true, third_parties: false }
    }
}

/// How an import was found to be the onward deal's weapon.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum WeaponKey {
    /// Equal normalised designations.
    Designation,
    /// Designations of one family.
    Family,
}

impl WeaponKey {
    /// The name used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            WeaponKey::Designation => "designation",
            WeaponKey::Family => "family",
        }
    }
}

/// One deal, its rows taken together.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DealLeg {
    /// The deal ([`Deals::of`]).
    pub deal: u32,
    /// Its first transfer row (input order).
    pub row: u32,
    /// The id of its first row (the transfers table's `id`).
    pub id: Text,
    /// Its source label (SIPRI's newer export: the SIPRI AT Database ID).
    pub source: Option<Text>,
    /// The designation, as written.
    pub designation: Text,
    /// The description, as written.
    pub description: Option<Text>,
    /// The first delivery year.
    pub first_year: i32,
    /// The last delivery year.
    pub last_year: i32,
    /// Items delivered, over its rows.
    pub delivered: Option<u64>,
    /// SIPRI trend-indicator value delivered, over its rows (millions).
    pub tiv: f64,
    /// Second-hand (from the supplier's holdings).
    pub second_hand: bool,
}

/// A legal-then-onward chain: `origin -> intermediary -> recipient`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Chain {
    /// Who supplied the intermediary (the import's supplier).
    pub origin: Party,
    /// The state that imported the weapon and passed it on.
    pub intermediary: Party,
    /// Who received it from the intermediary.
    pub recipient: Party,
    /// The intermediary's import.
    pub import: DealLeg,
    /// The onward deal.
    pub onward: DealLeg,
    /// How the two were matched.
    pub matched: WeaponKey,
}

/// The chains of a list of transfers, and how many onward deals were looked at.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Retransfers {
    /// Every chain, by onward deal (intermediary, recipient, first year, id), then import
    /// (first year, origin, id).
    pub chains: Vec<Chain>,
    /// Onward deals looked at (delivered, from a state, to a party in scope).
    pub onward_deals: u64,
    /// Of which at least one chain was found for.
    pub onward_with_chain: u64,
}

/// Folds a character to lower-case ASCII where it is a Latin letter with a mark.
fn fold(c: char) -> Option<char> {
    let c = c.to_lowercase().next().unwrap_or(c);
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        c => c,
    };
    base.is_ascii_alphanumeric().then_some(base)
}

/// Letters and digits of `s`, lower case, accents dropped, transliterations applied.
fn alnum(s: &str) -> String {
    let mut out: String = s.chars().filter_map(fold).collect();
    for (from, to) in TRANSLITERATIONS {
        if from != to && out.contains(from) {
            out = out.replace(from, to);
        }
    }
    out
}

/// The designation without SIPRI's trailing ` -` and surrounding space.
fn trimmed(designation: &str) -> &str {
    designation.trim().trim_end_matches(|c: char| c == '-' || c.is_whitespace())
}

/// The normalised designation: lower-case letters and digits only (see the module docs).
///
/// ```
/// use divnet::retransfers::designation_key;
/// assert_eq!(designation_key("K-8 -"), designation_key("k 8"));
/// assert_eq!(designation_key("BGM-71 TOW"), "bgm71tow");
/// assert_eq!(designation_key("Pantsir-S1"), designation_key("Pantsyr S1"));
/// assert_eq!(designation_key("Bü-181"), "bu181");
/// ```
pub fn designation_key(designation: &str) -> String {
    alnum(trimmed(designation))
}

fn words(designation: &str) -> impl Iterator<Item = &str> {
    trimmed(designation)
        .split(|c: char| c.is_whitespace() || matches!(c, '/' | ',' | ';' | '(' | ')' | '+'))
        .filter(|w| !w.is_empty())
}

/// Whether a normalised word can stand for a family: not a bare number or calibre, not
/// generic, three characters or more.
fn family_word(w: &str) -> bool {
    let rest = w.trim_start_matches(|c: char| c.is_ascii_digit());
    let calibre = rest.len() < w.len() && matches!(rest, "mm" | "cm" | "in" | "pdr");
    w.len() >= 3 && !rest.is_empty() && !calibre && !GENERIC_WORDS.contains(&w)
}

/// A word's model number: its letters and the first run of digits after a letter
/// (`mi24v` -> `mi24`), when shorter than the word.
fn model_number(w: &str) -> Option<&str> {
    let b = w.as_bytes();
    let letter = b.iter().position(u8::is_ascii_alphabetic)?;
    let start = letter + b[letter..].iter().position(u8::is_ascii_digit)?;
    let end = start + b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    (end < b.len()).then(|| &w[..end])
}

/// The family tokens of a designation (see the module docs).
///
/// ```
/// use divnet::retransfers::family_tokens;
/// let t = family_tokens("96K9 Pantsyr-S1");
/// assert!(t.contains("pantsyr") && t.contains("96k9"));
/// assert!(family_tokens("Mi-24V/Mi-35").contains("mi24"));
/// assert!(family_tokens("D-30 122mm").iter().all(|t| t != "122mm"));
/// assert!(family_tokens("vehicle engine").is_empty());
/// // A maker's name is no family: `Zastava M70` and `Zastava M84`, `Cessna-172` and
/// // `Cessna-208` share none.
/// assert!(family_tokens("Zastava M70").is_disjoint(&family_tokens("Zastava M84")));
/// assert!(family_tokens("Cessna-172").is_disjoint(&family_tokens("Cessna-208")));
/// ```
pub fn family_tokens(designation: &str) -> BTreeSet<String> {
    let digit = |w: &str| w.bytes().any(|c| c.is_ascii_digit());
    // With a numbered word, words without digits (makers, nicknames) are no family.
    let numbered = words(designation).any(|w| digit(w) && family_word(&alnum(w)));
    let mut out = BTreeSet::new();
    for word in words(designation) {
        let whole = alnum(word);
        if let Some((head, tail)) = word.split_once('-') {
            let head = alnum(head);
            let variant = !tail.bytes().all(|c| c.is_ascii_digit() || c == b'-');
            if variant && head.len() >= 4 && head.bytes().all(|c| c.is_ascii_alphabetic()) {
                out.insert(head);
            }
        }
        if let Some(m) = model_number(&whole).filter(|m| family_word(m)) {
            out.insert(m.to_string());
        }
        if family_word(&whole) && (digit(&whole) || !numbered) {
            out.insert(whole);
        }
    }
    out.retain(|t| family_word(t));
    out
}

/// Whether a designation names no weapon (all its words generic, numbers or calibres).
pub fn is_generic(designation: &str) -> bool {
    family_tokens(designation).is_empty()
}

/// The deals of `transfers` with their rows taken together, by deal.
fn legs(transfers: &[Transfer], deals: &Deals) -> Vec<Option<DealLeg>> {
    let mut out: Vec<Option<DealLeg>> = vec![None; deals.len()];
    for (i, t) in transfers.iter().enumerate() {
        let d = deals.of(i);
        let (Some(slot), Some(designation)) = (out.get_mut(d), t.designation.as_ref()) else {
            continue;
        };
        let (Some(first), Some(last)) = (t.deliveries.first(), t.deliveries.last()) else {
            continue;
        };
        let leg = slot.get_or_insert_with(|| DealLeg {
            deal: d as u32,
            row: i as u32,
            id: t.id.clone(),
            source: t.source.clone(),
            designation: designation.clone(),
            description: t.description.clone(),
            first_year: first.year,
            last_year: last.year,
            delivered: None,
            tiv: 0.0,
            second_hand: false,
        });
        leg.first_year = leg.first_year.min(first.year);
        leg.last_year = leg.last_year.max(last.year);
        leg.delivered = match (leg.delivered, t.delivered) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        leg.tiv += t.tiv.unwrap_or(0.0);
        leg.second_hand |= t.second_hand;
    }
    out
}

/// Whether an onward delivery to `recipient` is in scope.
fn in_scope(t: &Transfer, opts: RetransferOptions) -> bool {
    use crate::actors::ActorKind;
    t.supplier.kind.is_state()
        && t.recipient.name != t.supplier.name
        && (t.recipient.kind == ActorKind::ArmedGroup
            || opts.third_parties && t.recipient.kind != ActorKind::Unknown)
}

/// What a deal's weapon is compared by: its normalised designation, family tokens and
/// description, and its input file.
struct Weapon {
    key: String,
    family: BTreeSet<String>,
    description: Option<String>,
    file: u32,
}

impl Weapon {
    /// The weapon of a deal; `None` for a designation that names no weapon.
    fn of(leg: &DealLeg, file: u32) -> Option<Weapon> {
        let family = family_tokens(&leg.designation);
        (!family.is_empty()).then(|| Weapon {
            key: designation_key(&leg.designation),
            family,
            description: leg.description.as_deref().map(alnum),
            file,
        })
    }
}

/// How `import` is `onward`'s weapon, if it is.
fn same_weapon(import: &Weapon, onward: &Weapon, opts: RetransferOptions) -> Option<WeaponKey> {
    if import.key == onward.key {
        return Some(WeaponKey::Designation);
    }
    if !opts.family {
        return None;
    }
    let other_kind = import.file == onward.file
        && matches!((&import.description, &onward.description), (Some(x), Some(y)) if x != y);
    let shared = !import.family.is_disjoint(&onward.family);
    (shared && !other_kind).then_some(WeaponKey::Family)
}

/// Finds every re-transfer chain of `transfers` (see the module docs). `deals` must be
/// [`Deals::new`] of the same transfers. O(n + onward deals x the intermediary's imports).
pub fn find(transfers: &[Transfer], deals: &Deals, opts: RetransferOptions) -> Retransfers {
    let legs = legs(transfers, deals);
    let lead = |d: usize| legs[d].as_ref().and_then(|l| Some((l, transfers.get(l.row as usize)?)));
    // Each state's imports: deals delivered to it by another party.
    let mut imports: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut onward: Vec<usize> = Vec::new();
    for d in 0..legs.len() {
        let Some((_, t)) = lead(d) else { continue };
        if t.recipient.kind.is_state() && t.supplier.name != t.recipient.name {
            imports.entry(&t.recipient.name).or_default().push(d);
        }
        if in_scope(t, opts) {
            onward.push(d);
        }
    }
    // Each deal's weapon, computed once.
    let weapons: Vec<Option<Weapon>> =
        (0..legs.len()).map(|d| lead(d).and_then(|(l, t)| Weapon::of(l, t.row.file))).collect();
    let mut out = Retransfers { onward_deals: onward.len() as u64, ..Retransfers::default() };
    for d in onward {
        let Some((on, t)) = lead(d) else { continue };
        let mut found: Vec<Chain> = Vec::new();
        for &i in imports.get(t.supplier.name.as_str()).into_iter().flatten() {
            let Some((im, s)) = lead(i) else { continue };
            if im.first_year > on.first_year || s.supplier.name == t.recipient.name {
                continue;
            }
            let (Some(a), Some(b)) = (&weapons[i], &weapons[d]) else { continue };
            let Some(matched) = same_weapon(a, b, opts) else { continue };
            found.push(Chain {
                origin: s.supplier.clone(),
                intermediary: t.supplier.clone(),
                recipient: t.recipient.clone(),
                import: im.clone(),
                onward: on.clone(),
                matched,
            });
        }
        out.onward_with_chain += u64::from(!found.is_empty());
        out.chains.extend(found);
    }
    out.chains.sort_by(|a, b| {
        (&a.intermediary.name, &a.recipient.name, a.onward.first_year, &a.onward.id, a.onward.deal)
            .cmp(&(
                &b.intermediary.name,
                &b.recipient.name,
                b.onward.first_year,
                &b.onward.id,
                b.onward.deal,
            ))
            .then_with(|| {
                (a.import.first_year, &a.origin.name, &a.import.id, a.import.deal).cmp(&(
                    b.import.first_year,
                    &b.origin.name,
                    &b.import.id,
                    b.import.deal,
                ))
            })
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::ActorKind;
    use crate::records::Delivery;

    fn party(name: &str, kind: ActorKind) -> Party {
        Party { name: name.into(), kind, country: None }
    }

    /// A transfer from `from` to `to` of `designation`, delivered in `years`.
    fn t(from: &str, to: &str, designation: &str, years: &[i32], tiv: f64) -> Transfer {
        let kind =
            |n: &str| if n.ends_with('*') { ActorKind::ArmedGroup } else { ActorKind::State };
        Transfer {
            id: format!("{from}>{to}:{designation}:{years:?}").into(),
            order_date: years.first().map(|y| crate::date::PartialDate::year(*y).unwrap()),
            deliveries: years.iter().map(|&year| Delivery { year, items: None }).collect(),
            designation: Some(designation.into()),
            delivered: Some(10),
            tiv: Some(tiv),
            ..Transfer::between(
                party(from.trim_end_matches('*'), kind(from)),
                party(to.trim_end_matches('*'), kind(to)),
            )
        }
    }

    fn run(rows: &[Transfer], opts: RetransferOptions) -> Retransfers {
        find(rows, &Deals::new(rows), opts)
    }

    #[test]
    fn a_chain_is_found_with_both_legs() {
        let rows = [
            t("United States", "Iran", "BGM-71 TOW", &[1973, 1974, 1975, 1976], 47.6),
            t("Iran", "Hezbollah*", "BGM-71 TOW", &[1999], 0.1),
            t("Iran", "Hezbollah*", "RPG-7", &[1999], 0.1),
        ];
        let r = run(&rows, RetransferOptions::default());
        assert_eq!((r.onward_deals, r.onward_with_chain), (2, 1));
        assert_eq!(r.chains.len(), 1);
        let c = &r.chains[0];
        assert_eq!(
            (c.origin.name.as_str(), c.intermediary.name.as_str(), c.recipient.name.as_str()),
            ("United States", "Iran", "Hezbollah")
        );
        assert_eq!((c.import.first_year, c.import.last_year, c.import.tiv), (1973, 1976, 47.6));
        assert_eq!((c.onward.first_year, c.onward.row, c.import.row), (1999, 1, 0));
        assert_eq!(c.matched, WeaponKey::Designation);
    }

    #[test]
    fn an_import_after_the_onward_delivery_is_no_chain() {
        let rows = [
            t("Iran", "Hezbollah*", "BGM-71 TOW", &[1999], 0.1),
            t("United States", "Iran", "BGM-71 TOW", &[2000, 2001], 47.6),
            // The same year counts.
            t("United States", "Iran", "BGM-71 TOW", &[1999], 1.0),
        ];
        let r = run(&rows, RetransferOptions::default());
        assert_eq!(r.chains.len(), 1);
        assert_eq!(r.chains[0].import.row, 2);
    }

    #[test]
    fn another_weapon_or_another_state_is_no_chain() {
        let rows = [
            t("Russia", "UAE", "96K9 Pantsyr-S1", &[2009], 550.0),
            t("Russia", "Qatar", "Tor-M1", &[2009], 5.0),
            t("UAE", "Libya HoR*", "Tor-M1", &[2019], 8.8),
            t("Qatar", "Libya HoR*", "96K9 Pantsyr-S1", &[2019], 8.8),
            // A maker's name is no family.
            t("Serbia", "UAE", "Zastava M84", &[2017], 1.0),
            t("UAE", "Giants Brigades*", "Zastava M70", &[2018], 1.0),
            // Generic designations are never matched.
            t("Germany", "UAE", "vehicle engine", &[2005], 1.0),
            t("UAE", "Libya HoR*", "vehicle engine", &[2019], 0.4),
        ];
        let r = run(&rows, RetransferOptions::default());
        assert_eq!(r.onward_deals, 4);
        assert!(r.chains.is_empty(), "{:?}", r.chains);
    }

    #[test]
    fn the_family_rule_matches_one_family_and_can_be_switched_off() {
        let rows = [
            t("Russia", "UAE", "96K9 Pantsyr-S1", &[2009, 2013], 550.0),
            t("China", "Pakistan", "JF-17 Thunder", &[2010], 100.0),
            t("UAE", "Libya HoR*", "Pantsir", &[2019], 8.8),
            t("Pakistan", "Some group*", "JF-17 -", &[2020], 17.5),
            t("Pakistan", "Some group*", "F-17", &[2020], 17.5),
        ];
        let r = run(&rows, RetransferOptions::default());
        let pairs: Vec<(&str, &str, WeaponKey)> = r
            .chains
            .iter()
            .map(|c| (c.import.designation.as_str(), c.onward.designation.as_str(), c.matched))
            .collect();
        assert_eq!(
            pairs,
            [
                ("JF-17 Thunder", "JF-17 -", WeaponKey::Family),
                ("96K9 Pantsyr-S1", "Pantsir", WeaponKey::Family),
            ]
        );
        let strict = run(&rows, RetransferOptions { family: false, ..Default::default() });
        assert!(strict.chains.is_empty());
    }

    #[test]
    fn third_parties_are_looked_at_when_asked_but_never_the_origin() {
        let rows = [
            t("United States", "Turkiye", "Commando V-150", &[1992, 1994], 24.8),
            t("Turkiye", "Syria rebels*", "Commando V-150", &[2017], 0.96),
            t("Turkiye", "Georgia", "commando v150", &[2000], 1.0),
            t("Turkiye", "United States", "Commando V-150", &[2001], 1.0),
        ];
        assert_eq!(run(&rows, RetransferOptions::default()).chains.len(), 1);
        let all = run(&rows, RetransferOptions { third_parties: true, ..Default::default() });
        let to: Vec<&str> = all.chains.iter().map(|c| c.recipient.name.as_str()).collect();
        assert_eq!(to, ["Georgia", "Syria rebels"]);
        // Every deal from a state is then looked at, the import too.
        assert_eq!(all.onward_deals, 4);
    }

    #[test]
    fn the_delivery_years_of_one_deal_are_one_leg() {
        let mut a = t("Russia", "UAE", "Pantsyr", &[2009], 88.0);
        let mut b = t("Russia", "UAE", "Pantsyr", &[2010], 264.0);
        for x in [&mut a, &mut b] {
            x.source = Some("27414".into());
            x.order_date = Some("2000".parse().unwrap());
        }
        let rows = [a, b, t("UAE", "Libya HoR*", "96K9 Pantsyr-S1", &[2019], 8.8)];
        let r = run(&rows, RetransferOptions::default());
        assert_eq!(r.chains.len(), 1);
        let im = &r.chains[0].import;
        assert_eq!(
            (im.first_year, im.last_year, im.tiv, im.delivered),
            (2009, 2010, 352.0, Some(20))
        );
        assert_eq!(im.source.as_deref(), Some("27414"));
    }
}
