//! Deals: which transfer rows describe one deal, so that counts of deals are deals.
//!
//! A transfer row is a deal (SIPRI's trade register, most national registers), or one
//! delivery year of a deal (SIPRI's newer export writes a deal once per year it delivered
//! in, with the deal's id in `source`). Rows of one input file are one deal when they share
//! supplier, recipient, designation, order date, number ordered and `source`, each has
//! exactly one delivery year, and no two of them name the same year; a row without a
//! designation or an order date, or with no or several delivery years, is a deal of its
//! own. Counting deals, not rows, keeps a deal delivered over five years one deal in either
//! layout (counting rows of SIPRI's newer export, or delivery years of the register, counts
//! it five times).
//!
//! The value of transfers is SIPRI's trend-indicator value (TIV), summed over rows: each
//! row carries the TIV of its own deliveries, so nothing is counted twice.

use std::collections::HashMap;

use crate::records::Transfer;

/// The deals of a list of transfers: each transfer's deal and each deal's first delivery
/// year.
///
/// ```
/// use divnet::deals::Deals;
/// let d = Deals::new(&[]);
/// assert_eq!(d.len(), 0);
/// assert!(d.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deals {
    /// Per transfer (input order), its deal.
    of: Vec<u32>,
    /// Per deal (numbered in the order of their first row), its first delivery year.
    first_year: Vec<Option<i32>>,
    /// Per deal, its first row.
    first_row: Vec<u32>,
}

/// What rows of one deal share.
type Key<'a> = (u32, Option<&'a str>, &'a str, &'a str, &'a str, String, Option<u64>);

fn key(t: &Transfer) -> Option<Key<'_>> {
    let (Some(designation), Some(order)) = (t.designation.as_deref(), t.order_date) else {
        return None;
    };
    if t.deliveries.len() != 1 {
        return None;
    }
    Some((
        t.row.file,
        t.source.as_deref(),
        &t.supplier.name,
        &t.recipient.name,
        designation,
        order.to_string(),
        t.ordered,
    ))
}

impl Deals {
    /// Groups `transfers` into deals (see the module docs). O(n) expected.
    pub fn new(transfers: &[Transfer]) -> Deals {
        let mut groups: HashMap<Key<'_>, Vec<usize>> = HashMap::new();
        for (i, t) in transfers.iter().enumerate() {
            if let Some(k) = key(t) {
                groups.entry(k).or_default().push(i);
            }
        }
        // A group is one deal when its rows name distinct years; its rows point to the first.
        let mut lead: Vec<usize> = (0..transfers.len()).collect();
        for rows in groups.values().filter(|g| g.len() > 1) {
            let mut years: Vec<i32> =
                rows.iter().flat_map(|&i| transfers[i].deliveries.iter().map(|d| d.year)).collect();
            years.sort_unstable();
            if years.windows(2).all(|w| w[0] != w[1]) {
                for &i in rows {
                    lead[i] = rows[0];
                }
            }
        }
        let mut number: Vec<u32> = vec![u32::MAX; transfers.len()];
        let mut of = Vec::with_capacity(transfers.len());
        let mut first_year: Vec<Option<i32>> = Vec::new();
        let mut first_row: Vec<u32> = Vec::new();
        for (i, t) in transfers.iter().enumerate() {
            let l = lead[i];
            if number[l] == u32::MAX {
                number[l] = first_year.len() as u32;
                first_year.push(None);
                first_row.push(i as u32);
            }
            let d = number[l];
            let y = t.deliveries.first().map(|d| d.year);
            let slot = &mut first_year[d as usize];
            *slot = match (*slot, y) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            of.push(d);
        }
        Deals { of, first_year, first_row }
    }

    /// The deal of transfer `i` (input order).
    pub fn of(&self, i: usize) -> usize {
        self.of.get(i).map_or(usize::MAX, |&d| d as usize)
    }

    /// The first delivery year of deal `d` (`None`: nothing delivered).
    pub fn first_year(&self, d: usize) -> Option<i32> {
        self.first_year.get(d).copied().flatten()
    }

    /// Whether transfer `i` is the first row of its deal (counting such rows counts deals).
    pub fn opens(&self, i: usize) -> bool {
        self.first_row.get(self.of(i)).is_some_and(|&r| r as usize == i)
    }

    /// The number of deals.
    pub fn len(&self) -> usize {
        self.first_year.len()
    }

    /// Whether there is no deal.
    pub fn is_empty(&self) -> bool {
        self.first_year.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::ActorKind;
    use crate::records::{Delivery, Party, RowRef};

    fn t(file: u32, source: Option<&str>, years: &[i32], designation: Option<&str>) -> Transfer {
        let party = |n: &str| Party { name: n.into(), kind: ActorKind::State, country: None };
        Transfer {
            order_date: Some("2008".parse().unwrap()),
            deliveries: years.iter().map(|&year| Delivery { year, items: None }).collect(),
            designation: designation.map(Into::into),
            source: source.map(Into::into),
            row: RowRef { file, line: 0 },
            ..Transfer::between(party("China"), party("Pakistan"))
        }
    }

    #[test]
    fn the_years_of_one_deal_are_one_deal() {
        let rows = [
            // SIPRI's newer export: deal 39306 delivered in three years.
            t(0, Some("39306"), &[2012], Some("ZDK-03")),
            t(0, Some("39306"), &[2010], Some("ZDK-03")),
            t(0, Some("39306"), &[2011], Some("ZDK-03")),
            // Another deal id: another deal.
            t(0, Some("57259"), &[2012], Some("ZDK-03")),
            // A register row with three years is one deal.
            t(1, None, &[2010, 2011, 2012], Some("ZDK-03")),
            // The same row in another file is another deal.
            t(2, Some("39306"), &[2013], Some("ZDK-03")),
            // Two rows naming the same year are two deals.
            t(3, None, &[2015], Some("JF-17")),
            t(3, None, &[2015], Some("JF-17")),
            // Without a designation, every row is a deal.
            t(4, None, &[2016], None),
            t(4, None, &[2017], None),
        ];
        let d = Deals::new(&rows);
        let of: Vec<usize> = (0..rows.len()).map(|i| d.of(i)).collect();
        assert_eq!(of, [0, 0, 0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(d.len(), 8);
        assert_eq!(d.first_year(0), Some(2010));
        assert_eq!(d.first_year(2), Some(2010));
        assert!(d.opens(0) && !d.opens(1) && !d.opens(2) && d.opens(3));
        assert_eq!(Deals::new(&[t(0, None, &[], Some("x"))]).first_year(0), None);
    }
}
