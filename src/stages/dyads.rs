//! The dyads step: per supplier, recipient and delivery year, what was delivered, with the
//! parties' kinds; and the supplier and recipient profiles the report draws from it.
//!
//! Parties are the transfer's parties as read (their one name and kind: state, historical
//! state, armed group, organisation, unknown), so a deal to `Hezbollah` is its own dyad, not
//! Lebanon's. For each (supplier, recipient, year):
//!
//! - `deals`: the deals whose deliveries began that year, each deal once ([`Deals`]: a deal
//!   written once per delivery year in SIPRI's newer export is one deal); a deal with no
//!   delivery yet is in no year;
//! - `tiv_delivered`: SIPRI's trend-indicator value of the deliveries, a row's TIV shared
//!   over its delivery years in proportion to the items delivered each year (evenly when no
//!   items are known), so a pair's years sum to the TIV of delivered weapons the source
//!   gives;
//! - `items`: items delivered that year ([`Transfer::items_by_year`]), and per armament
//!   category in `dyad_categories` (items count one kind of thing only within a category).
//!   The category is the source's (SIPRI's newer export), else read from the weapon
//!   description ([`category_of_description`]: the trade register has none), else
//!   `unspecified`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::actors::ActorKind;
use crate::deals::Deals;
use crate::geo::Gazetteer;
use crate::output::{OutputError, Table, TableBuilder};
use crate::records::{Party, Transfer};

/// One supplier, recipient and delivery year.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DyadYear {
    /// The supplier's name.
    pub supplier: String,
    /// Its kind.
    pub supplier_kind: ActorKind,
    /// Its country (ISO3), when it has one.
    pub supplier_country: Option<String>,
    /// The recipient's name.
    pub recipient: String,
    /// Its kind.
    pub recipient_kind: ActorKind,
    /// Its country (ISO3), when it has one.
    pub recipient_country: Option<String>,
    /// The delivery year.
    pub year: i32,
    /// Deals whose deliveries began that year.
    pub deals: u64,
    /// SIPRI trend-indicator value delivered that year (millions).
    pub tiv_delivered: f64,
    /// Items delivered that year, over every armament category.
    pub items: u64,
}

/// One supplier, recipient, delivery year and armament category.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DyadCategory {
    /// The supplier's name.
    pub supplier: String,
    /// The recipient's name.
    pub recipient: String,
    /// The delivery year.
    pub year: i32,
    /// Armament category ([`category_of`]).
    pub category: String,
    /// Deals whose deliveries began that year.
    pub deals: u64,
    /// Items delivered that year.
    pub items: u64,
    /// TIV delivered that year (millions).
    pub tiv: f64,
}

/// The artifact of the dyads step.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Dyads {
    /// Per supplier, recipient and year, sorted so.
    #[serde(with = "crate::run::codec::arc")]
    pub years: Arc<Vec<DyadYear>>,
    /// Per supplier, recipient, year and category, sorted so.
    #[serde(with = "crate::run::codec::arc")]
    pub categories: Arc<Vec<DyadCategory>>,
    /// The delivery years, first to last.
    pub period: Option<crate::period::Period>,
}

/// SIPRI's armament categories, by words of the weapon descriptions of its trade register
/// (first match wins; the words are matched as whole words of the lower-case description).
const DESCRIPTION_CATEGORIES: [(&str, &[&str]); 10] = [
    ("Engines", &["engine", "turbofan", "turbojet", "turboprop", "turboshaft", "turbine"]),
    ("Sensors", &["radar", "sonar", "sensor"]),
    ("Satellites", &["satellite"]),
    ("Air-defence systems", &["air-defence", "sam system"]),
    ("Missiles", &["missile", "sam", "bomb", "torpedo", "rocket"]),
    ("Aircraft", &["aircraft", "helicopter", "uav", "ucav", "drone", "aew&c", "tanker"]),
    ("Armoured vehicles", &["apc", "ifv", "tank", "armoured", "vehicle", "apv", "aev", "arv"]),
    ("Artillery", &["gun", "howitzer", "mortar", "mrl", "artillery"]),
    (
        "Ships",
        &[
            "ship",
            "boat",
            "frigate",
            "corvette",
            "submarine",
            "destroyer",
            "fac",
            "opv",
            "landing",
            "minehunter",
            "minesweeper",
            "vessel",
            "craft",
        ],
    ),
    ("Naval weapons", &["naval", "coastal"]),
];

/// The armament category a weapon description names (`FGA aircraft` -> `Aircraft`,
/// `self-propelled air-defence system` -> `Air-defence systems`), if any.
///
/// ```
/// use divnet::stages::dyads::category_of_description;
/// assert_eq!(category_of_description("trainer/combat aircraft"), Some("Aircraft"));
/// assert_eq!(category_of_description("SAM"), Some("Missiles"));
/// assert_eq!(category_of_description("self-propelled air-defence system"), Some("Air-defence systems"));
/// assert_eq!(category_of_description("anti-tank missile"), Some("Missiles"));
/// assert_eq!(category_of_description("something else"), None);
/// ```
pub fn category_of_description(description: &str) -> Option<&'static str> {
    let d = description.to_lowercase();
    let words: Vec<&str> = d
        .split(|c: char| c.is_whitespace() || c == '/' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    DESCRIPTION_CATEGORIES.iter().find_map(|(cat, keys)| {
        keys.iter()
            .any(|k| if k.contains(' ') { d.contains(k) } else { words.contains(k) })
            .then_some(*cat)
    })
}

/// The armament category of a transfer: the source's, else its description's, else
/// `unspecified`.
pub fn category_of(t: &Transfer) -> String {
    t.armament_category
        .as_deref()
        .map(str::to_string)
        .or_else(|| t.description.as_deref().and_then(category_of_description).map(String::from))
        .unwrap_or_else(|| "unspecified".to_string())
}

type Key = (String, String, i32);

/// The row of a supplier, recipient, year and category.
fn category_row<'a>(
    cats: &'a mut BTreeMap<(Key, String), DyadCategory>,
    (s, r, year): (&str, &str, i32),
    category: &str,
) -> &'a mut DyadCategory {
    let key = ((s.to_string(), r.to_string(), year), category.to_string());
    cats.entry(key).or_insert_with(|| DyadCategory {
        supplier: s.to_string(),
        recipient: r.to_string(),
        year,
        category: category.to_string(),
        deals: 0,
        items: 0,
        tiv: 0.0,
    })
}

/// The dyads of `transfers` (see the module docs). O(n log n).
pub fn dyads(g: &Gazetteer, transfers: &[Transfer]) -> Dyads {
    let deals = Deals::new(transfers);
    let iso3 = |p: &Party| p.country.map(|c| g.country(c).iso3.clone());
    let mut rows: BTreeMap<Key, DyadYear> = BTreeMap::new();
    let mut cats: BTreeMap<(Key, String), DyadCategory> = BTreeMap::new();
    for (i, t) in transfers.iter().enumerate() {
        let (s, r) = (t.supplier.name.to_string(), t.recipient.name.to_string());
        let category = category_of(t);
        let mut row = |year: i32| {
            rows.entry((s.clone(), r.clone(), year)).or_insert_with(|| DyadYear {
                supplier: s.clone(),
                supplier_kind: t.supplier.kind,
                supplier_country: iso3(&t.supplier),
                recipient: r.clone(),
                recipient_kind: t.recipient.kind,
                recipient_country: iso3(&t.recipient),
                year,
                deals: 0,
                tiv_delivered: 0.0,
                items: 0,
            });
        };
        let by_year = t.items_by_year();
        for &(y, _) in &by_year {
            row(y);
        }
        let first = deals.first_year(deals.of(i)).filter(|_| deals.opens(i));
        if let Some(y) = first {
            row(y);
        }
        let tiv = t.tiv.unwrap_or(0.0);
        let total: u64 = by_year.iter().map(|(_, n)| n).sum();
        let years = by_year.len() as f64;
        for &(y, n) in &by_year {
            let v = if total > 0 { tiv * n as f64 / total as f64 } else { tiv / years };
            let c = category_row(&mut cats, (&s, &r, y), &category);
            c.items += n;
            c.tiv += v;
            if let Some(d) = rows.get_mut(&(s.clone(), r.clone(), y)) {
                d.items += n;
                d.tiv_delivered += v;
            }
        }
        if let Some(y) = first {
            category_row(&mut cats, (&s, &r, y), &category).deals += 1;
            if let Some(d) = rows.get_mut(&(s.clone(), r.clone(), y)) {
                d.deals += 1;
            }
        }
    }
    let mut span = crate::period::Span::default();
    for y in rows.keys().filter_map(|k| crate::date::PartialDate::year(k.2).ok()) {
        span.see(y);
    }
    Dyads {
        years: Arc::new(rows.into_values().collect()),
        categories: Arc::new(cats.into_values().collect()),
        period: span.period(),
    }
}

/// One party's deliveries over every year, as supplier or as recipient.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// The party's name.
    pub name: String,
    /// Its kind.
    pub kind: Option<ActorKind>,
    /// Deals.
    pub deals: u64,
    /// TIV delivered (millions).
    pub tiv: f64,
    /// TIV delivered to (as supplier) or by (as recipient) non-state armed groups.
    pub tiv_armed_groups: f64,
    /// Deals with non-state armed groups.
    pub deals_armed_groups: u64,
    /// Partners, most TIV first (then most deals, then by name): name, deals, TIV.
    pub partners: Vec<(String, u64, f64)>,
    /// TIV per year, by year.
    pub by_year: Vec<(i32, f64)>,
}

impl Dyads {
    /// Every supplier's profile (`as_supplier`), or every recipient's, most TIV first (then
    /// most deals, then by name).
    pub fn profiles(&self, as_supplier: bool) -> Vec<Profile> {
        type Acc = (Profile, BTreeMap<String, (u64, f64)>, BTreeMap<i32, f64>);
        let mut acc: BTreeMap<&str, Acc> = BTreeMap::new();
        for d in self.years.iter() {
            let (me, kind, other, other_kind) = if as_supplier {
                (&d.supplier, d.supplier_kind, &d.recipient, d.recipient_kind)
            } else {
                (&d.recipient, d.recipient_kind, &d.supplier, d.supplier_kind)
            };
            let e = acc.entry(me).or_default();
            e.0.name.clone_from(me);
            e.0.kind = Some(kind);
            e.0.deals += d.deals;
            e.0.tiv += d.tiv_delivered;
            if other_kind == ActorKind::ArmedGroup {
                e.0.tiv_armed_groups += d.tiv_delivered;
                e.0.deals_armed_groups += d.deals;
            }
            let p = e.1.entry(other.clone()).or_default();
            p.0 += d.deals;
            p.1 += d.tiv_delivered;
            *e.2.entry(d.year).or_default() += d.tiv_delivered;
        }
        let mut out: Vec<Profile> = acc
            .into_values()
            .map(|(mut p, partners, years)| {
                p.partners = partners.into_iter().map(|(n, (d, t))| (n, d, t)).collect();
                p.partners
                    .sort_by(|a, b| b.2.total_cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
                p.by_year = years.into_iter().collect();
                p
            })
            .collect();
        out.sort_by(|a, b| {
            b.tiv.total_cmp(&a.tiv).then(b.deals.cmp(&a.deals)).then(a.name.cmp(&b.name))
        });
        out
    }
}

/// The `dyads` and `dyad_categories` tables.
pub fn dyads_tables(d: &Dyads) -> Result<Vec<Table>, OutputError> {
    let y = &d.years;
    let years = TableBuilder::new("dyads")
        .text("supplier", y.iter().map(|x| Some(&x.supplier)))
        .text("supplier_kind", y.iter().map(|x| Some(x.supplier_kind.as_str())))
        .text("supplier_country", y.iter().map(|x| x.supplier_country.as_deref()))
        .text("recipient", y.iter().map(|x| Some(&x.recipient)))
        .text("recipient_kind", y.iter().map(|x| Some(x.recipient_kind.as_str())))
        .text("recipient_country", y.iter().map(|x| x.recipient_country.as_deref()))
        .int("year", y.iter().map(|x| Some(i64::from(x.year))))
        .uint("deals", y.iter().map(|x| Some(x.deals)))
        .float("tiv_delivered", y.iter().map(|x| Some(x.tiv_delivered)))
        .uint("items", y.iter().map(|x| Some(x.items)))
        .build()?;
    let c = &d.categories;
    let cats = TableBuilder::new("dyad_categories")
        .text("supplier", c.iter().map(|x| Some(&x.supplier)))
        .text("recipient", c.iter().map(|x| Some(&x.recipient)))
        .int("year", c.iter().map(|x| Some(i64::from(x.year))))
        .text("armament_category", c.iter().map(|x| Some(&x.category)))
        .uint("deals", c.iter().map(|x| Some(x.deals)))
        .uint("items", c.iter().map(|x| Some(x.items)))
        .float("tiv", c.iter().map(|x| Some(x.tiv)))
        .build()?;
    Ok(vec![years, cats])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Delivery;

    fn t(source: &str, years: &[(i32, Option<u64>)], delivered: u64, tiv: f64) -> Transfer {
        let g = Gazetteer::embedded().unwrap();
        let party = |n: &str| Party {
            name: n.into(),
            kind: ActorKind::State,
            country: Some(g.resolve_country(n).unwrap()),
        };
        Transfer {
            order_date: Some("2015".parse().unwrap()),
            deliveries: years.iter().map(|&(year, items)| Delivery { year, items }).collect(),
            designation: Some("Yak-130".into()),
            description: Some("trainer/combat aircraft".into()),
            delivered: Some(delivered),
            tiv: Some(tiv),
            source: Some(source.into()),
            ..Transfer::between(party("Russia"), party("Myanmar"))
        }
    }

    #[test]
    fn a_deal_counts_once_and_its_tiv_follows_its_items() {
        let g = Gazetteer::embedded().unwrap();
        // One deal of the newer export in two rows (6 in 2018, 2 in 2019), and a register
        // row delivering 4 over 2018 and 2019 (items unknown per year: 2 and 2).
        let rows = [
            t("64228", &[(2018, None)], 6, 63.0),
            t("64228", &[(2019, None)], 2, 21.0),
            t("", &[(2018, None), (2019, None)], 4, 40.0),
        ];
        let d = dyads(g, &rows);
        let got: Vec<(i32, u64, u64, f64)> =
            d.years.iter().map(|y| (y.year, y.deals, y.items, y.tiv_delivered)).collect();
        assert_eq!(got, [(2018, 2, 8, 83.0), (2019, 0, 4, 41.0)]);
        assert_eq!(d.years[0].supplier_country.as_deref(), Some("RUS"));
        assert!(d.categories.iter().all(|c| c.category == "Aircraft"));
        let p = d.profiles(false);
        assert_eq!((p[0].name.as_str(), p[0].deals, p[0].tiv), ("Myanmar", 2, 124.0));
        assert_eq!(p[0].by_year, [(2018, 83.0), (2019, 41.0)]);
    }
}
