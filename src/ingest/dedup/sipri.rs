//! One SIPRI deal in both of SIPRI's layouts: the trade register (`sipri-register`, one row
//! per deal, its delivery years listed) and the newer transfers export (`sipri-transfers`,
//! one row per deal and delivery year, the deal's id in `source`).
//!
//! A register deal and the newer export's rows of one deal id are the same deal when
//!
//! - the suppliers and the recipients are the same parties ([`same_party`]);
//! - the order years are equal;
//! - the designations agree ([`designation_words`]): equal once written as their words
//!   (runs of letters and digits, in lower case: `K-8` and `K-8 -` are both `k 8`), or else
//!   the shorter one's words are a run of the longer one's (`JF-17 -` in `JF-17 Thunder`,
//!   `Pantsyr` in `96K9 Pantsyr-S1`, never `MiG-29` in `MiG-29SMT`): equal designations
//!   are matched first;
//! - the register's delivery years from [`FIRST_YEAR`] on (the years the newer export
//!   covers) are exactly the newer rows' years, and a number the register gives for one of
//!   those years is the newer row's;
//! - the numbers delivered agree: the newer rows' sum equals the register's number, or,
//!   when the register also delivered before [`FIRST_YEAR`], leaves at least one item for
//!   each earlier year; or neither gives a number.
//!
//! Every newer row of the deal is then a duplicate of the register's row, which is kept: it
//! carries the whole deal (years before 1995, the number ordered, the comments that say
//! aid), and its delivered TIV is the deal's. When the newer rows are dropped, the kept row
//! takes over the newer export's deal id (as its `source`), its numbers per delivery year
//! (where the register gives none) and its armament category (where it has none). Register
//! deals are taken in input order, each matched to the first deal (in the order of the
//! deals' first rows) that fits and no other deal took: two deals that agree in all of the
//! above are interchangeable.

use std::collections::{BTreeMap, HashMap};

use super::FileInfo;
use crate::geo::CountryId;
use crate::inputs::presets::Preset;
use crate::records::{Party, Transfer};

/// The first delivery year of SIPRI's newer transfers export ("Deals with deliveries made
/// for the year range '1995' to ...").
pub const FIRST_YEAR: i32 = 1995;

/// Whether two parties are one: the same kind, and the same name (case aside) or the same
/// country (`Libya HoR*` and `HoR (Libya)*`, two spellings of one armed group).
pub fn same_party(a: &Party, b: &Party) -> bool {
    a.kind == b.kind
        && (a.name.eq_ignore_ascii_case(&b.name) || (a.country.is_some() && a.country == b.country))
}

/// A designation as its words: runs of letters and digits, in lower case.
///
/// ```text
/// "K-8 -" -> [k, 8]; "96K9 Pantsyr-S1" -> [96k9, pantsyr, s1]
/// ```
pub fn designation_words(designation: &str) -> Vec<String> {
    designation
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether the shorter of two word lists is a run of the longer one's.
fn one_within_the_other(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    !short.is_empty() && long.windows(short.len()).any(|w| w == short)
}

/// The newer export's rows of one deal.
struct Deal {
    /// The deal id.
    id: String,
    /// Positions of its rows.
    rows: Vec<usize>,
    /// Numbers delivered per year (`None`: some row of that year gives none).
    years: BTreeMap<i32, Option<u64>>,
    /// The sum of the numbers, if every row gives one.
    delivered: Option<u64>,
    /// Its designation's words.
    words: Vec<String>,
    /// Its rows agree on the parties, order year and designation, and each has one year.
    usable: bool,
}

/// The key deals are looked up by: order year and recipient country (one party has the
/// other's country when [`same_party`] holds).
type Key = (i32, Option<CountryId>);

fn key(t: &Transfer) -> Option<Key> {
    Some((t.order_date?.year_value(), t.recipient.country))
}

/// Whether the newer export's deal `d` is the register's deal `r` (see the module docs),
/// the designations compared `exactly` or as a run of words.
fn same_deal(r: &Transfer, d: &Deal, records: &[Transfer], exactly: bool) -> bool {
    let first = &records[d.rows[0]];
    let words = designation_words(r.designation.as_deref().unwrap_or_default());
    let designation =
        if exactly { words == d.words } else { one_within_the_other(&words, &d.words) };
    if !(designation
        && r.order_date.map(|x| x.year_value()) == first.order_date.map(|x| x.year_value())
        && same_party(&r.supplier, &first.supplier)
        && same_party(&r.recipient, &first.recipient))
    {
        return false;
    }
    let mut later: Vec<i32> = Vec::new();
    for x in &r.deliveries {
        if x.year < FIRST_YEAR {
            continue;
        }
        if let Some(n) = x.items
            && d.years.get(&x.year) != Some(&Some(n))
        {
            return false;
        }
        later.push(x.year);
    }
    later.dedup();
    let earlier = r.deliveries.iter().filter(|x| x.year < FIRST_YEAR).count() as u64;
    if !later.iter().copied().eq(d.years.keys().copied()) {
        return false;
    }
    match (r.delivered, d.delivered) {
        (Some(n), Some(m)) if earlier == 0 => n == m,
        (Some(n), Some(m)) => m + earlier <= n,
        (None, None) => true,
        _ => false,
    }
}

/// The pairs `(newer row, register row, detail)` of the deals found in both layouts among
/// the records not `gone` (read from `files`, the first numbered `first_file`); with `drop`, each kept register row takes over the newer
/// export's deal id, numbers per year and armament category.
pub(super) fn same_deals(
    records: &mut [Transfer],
    (files, first_file): (&[FileInfo], u32),
    gone: &[bool],
    drop: bool,
) -> Vec<(usize, usize, String)> {
    let preset = |r: &Transfer| {
        files.get(r.row.file.saturating_sub(first_file) as usize).and_then(|f| f.preset)
    };
    let mut deals: Vec<Deal> = Vec::new();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut registers: Vec<usize> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if gone[i] {
            continue;
        }
        match preset(r) {
            Some(Preset::SipriRegister)
                if r.designation.is_some() && r.deliveries.iter().any(|d| d.year >= FIRST_YEAR) =>
            {
                registers.push(i);
            }
            Some(Preset::SipriTransfers) => {
                let Some(id) = r.source.as_deref() else { continue };
                let at = *by_id.entry(id).or_insert_with(|| {
                    deals.push(Deal {
                        id: id.to_string(),
                        rows: Vec::new(),
                        years: BTreeMap::new(),
                        delivered: Some(0),
                        words: designation_words(r.designation.as_deref().unwrap_or_default()),
                        usable: true,
                    });
                    deals.len() - 1
                });
                let deal = &mut deals[at];
                if let Some(&f) = deal.rows.first() {
                    let first = &records[f];
                    deal.usable &= same_party(&first.supplier, &r.supplier)
                        && same_party(&first.recipient, &r.recipient)
                        && first.order_date == r.order_date
                        && first.designation == r.designation;
                }
                deal.rows.push(i);
                match r.deliveries.as_slice() {
                    [one] => {
                        let year = deal.years.entry(one.year).or_insert(Some(0));
                        *year = year.zip(r.delivered).map(|(a, b)| a + b);
                    }
                    _ => deal.usable = false,
                }
                deal.delivered = deal.delivered.zip(r.delivered).map(|(a, b)| a + b);
            }
            _ => {}
        }
    }
    if deals.is_empty() || registers.is_empty() {
        return Vec::new();
    }
    let mut index: HashMap<Key, Vec<usize>> = HashMap::new();
    for (k, d) in deals.iter().enumerate() {
        if let Some(key) = d.usable.then(|| key(&records[d.rows[0]])).flatten() {
            index.entry(key).or_default().push(k);
        }
    }
    let mut taken = vec![false; deals.len()];
    let mut matched: Vec<(usize, usize)> = Vec::new(); // (register row, deal)
    let mut done = vec![false; registers.len()];
    for exactly in [true, false] {
        for (n, &r) in registers.iter().enumerate() {
            if done[n] {
                continue;
            }
            let Some(candidates) = key(&records[r]).and_then(|k| index.get(&k)) else {
                continue;
            };
            let found = candidates
                .iter()
                .copied()
                .find(|&k| !taken[k] && same_deal(&records[r], &deals[k], records, exactly));
            if let Some(k) = found {
                taken[k] = true;
                done[n] = true;
                matched.push((r, k));
            }
        }
    }
    let mut pairs = Vec::new();
    for (r, k) in matched {
        let deal = &deals[k];
        let first = &records[deal.rows[0]];
        let detail = detail(&records[r], deal, first);
        let category = first.armament_category.clone();
        pairs.extend(deal.rows.iter().map(|&row| (row, r, detail.clone())));
        if drop {
            let kept = &mut records[r];
            kept.source = Some(deal.id.as_str().into());
            if kept.armament_category.is_none() {
                kept.armament_category = category;
            }
            for x in &mut kept.deliveries {
                if x.items.is_none() {
                    x.items = deal.years.get(&x.year).copied().flatten();
                }
            }
        }
    }
    pairs
}

/// What agreed: the deal id, designation, order year, delivery years and numbers.
fn detail(register: &Transfer, deal: &Deal, first: &Transfer) -> String {
    let years: Vec<String> = deal.years.keys().map(i32::to_string).collect();
    let numbers = match (register.delivered, deal.delivered) {
        (Some(n), Some(m)) if n == m => format!("{m} delivered"),
        (Some(n), Some(m)) => {
            format!("{m} of the register's {n} delivered (the rest before {FIRST_YEAR})")
        }
        _ => "no number delivered".to_string(),
    };
    format!(
        "SIPRI deal {} ({:?} in the register, {:?} in the newer export), ordered {}: delivery years {} and {numbers} agree",
        deal.id,
        register.designation.as_deref().unwrap_or_default(),
        first.designation.as_deref().unwrap_or_default(),
        first.order_date.map(|d| d.year_value().to_string()).unwrap_or_default(),
        years.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(a: &str, b: &str) -> (bool, bool) {
        let (a, b) = (designation_words(a), designation_words(b));
        (a == b, one_within_the_other(&a, &b))
    }

    #[test]
    fn designations_match_strictly() {
        assert_eq!(words("K-8", "K-8 -"), (true, true));
        assert_eq!(words("Y-12", "Y-12"), (true, true));
        assert_eq!(words("JF-17 Thunder", "JF-17 -"), (false, true));
        assert_eq!(words("96K9 Pantsyr-S1", "Pantsyr"), (false, true));
        assert_eq!(words("Commando V-150", "Commando V-150"), (true, true));
        for (a, b) in [
            ("MiG-29", "MiG-29SMT"),
            ("F-16C", "F-16"),
            ("Su-30MK2", "Su-30"),
            ("K-8", "K-9"),
            ("Yak-130", "Yak-13"),
            ("57-E6", "Pantsyr"),
            ("", "Pantsyr"),
        ] {
            assert_eq!(words(a, b), (false, false), "{a} / {b}");
        }
    }
}
