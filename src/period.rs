//! The period records cover: the first and last date over every dated field
//! ([`Period`], built with a [`Span`]), and which fields of each record kind are dated
//! ([`DatedRecord`]).
//!
//! A run shows three kinds of period: each input file's (`manifest.json`, the report's
//! provenance), each figure's (the records it draws, in its caption), and through the
//! latest date of any input the run's reference date, at which evidence age is measured
//! (`network::reference_date`, docs/model.md).

use chrono::NaiveDate;

use crate::date::PartialDate;
use crate::records::{ConflictEvent, LootingIncident, RouteReport, Seizure, Transfer};

/// The first and last date of some records, each at the precision it was given.
///
/// `first` is the date that starts earliest, `last` the one that ends latest (a year ends
/// on 31 December: of `2024-06-15` and `2024`, `2024` is the last).
///
/// ```
/// use divnet::period::Span;
/// let mut s = Span::default();
/// for d in ["2024-06-15", "1954", "2024", "2001-05"] {
///     s.see(d.parse().unwrap());
/// }
/// let p = s.period().unwrap();
/// assert_eq!(p.to_string(), "1954 to 2024");
/// assert_eq!(p.last_day().to_string(), "2024-12-31");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Period {
    /// The date that starts earliest.
    pub first: PartialDate,
    /// The date that ends latest.
    pub last: PartialDate,
}

impl Period {
    /// The period of one date.
    pub fn of(d: PartialDate) -> Period {
        Period { first: d, last: d }
    }

    /// The day the period ends: the last day of `last`.
    pub fn last_day(&self) -> NaiveDate {
        self.last.last_day()
    }

    /// The period covering both (either may be absent).
    pub fn union(a: Option<Period>, b: Option<Period>) -> Option<Period> {
        match (a, b) {
            (Some(a), Some(b)) => {
                let mut s = Span(Some(a));
                s.see(b.first);
                s.see(b.last);
                s.period()
            }
            (a, b) => a.or(b),
        }
    }

    /// The period covering every one given.
    pub fn union_all(periods: impl IntoIterator<Item = Option<Period>>) -> Option<Period> {
        periods.into_iter().fold(None, Period::union)
    }
}

/// `1954 to 2024`, `2022-06-13` when both ends are the same date.
impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{} to {}", self.first, self.last)
        }
    }
}

/// The caption text of a possibly empty period: the period, or `no dated records`.
pub fn label(p: Option<Period>) -> String {
    p.map_or_else(|| "no dated records".to_string(), |p| p.to_string())
}

/// A period being built, one date at a time. O(1) per date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span(Option<Period>);

impl Span {
    /// Takes in one date.
    pub fn see(&mut self, d: PartialDate) {
        self.0 = Some(match self.0 {
            None => Period::of(d),
            Some(p) => Period {
                first: if d < p.first { d } else { p.first },
                last: if (d.last_day(), d.first_day()) > (p.last.last_day(), p.last.first_day()) {
                    d
                } else {
                    p.last
                },
            },
        });
    }

    /// Takes in every dated field of a record.
    pub fn record<R: DatedRecord + ?Sized>(&mut self, r: &R) {
        r.each_date(&mut |d| self.see(d));
    }

    /// Takes in every dated field of each record.
    pub fn records<'a, R: DatedRecord + 'a>(&mut self, rs: impl IntoIterator<Item = &'a R>) {
        for r in rs {
            self.record(r);
        }
    }

    /// The period, `None` when no date was seen.
    pub fn period(self) -> Option<Period> {
        self.0
    }
}

/// The period of every dated field of `records`.
pub fn of_records<'a, R: DatedRecord + 'a>(
    records: impl IntoIterator<Item = &'a R>,
) -> Option<Period> {
    let mut s = Span::default();
    s.records(records);
    s.period()
}

/// A record with dated fields.
pub trait DatedRecord {
    /// Calls `f` with each date of the record.
    fn each_date(&self, f: &mut dyn FnMut(PartialDate));
}

/// The date of the seizure.
impl DatedRecord for Seizure {
    fn each_date(&self, f: &mut dyn FnMut(PartialDate)) {
        f(self.date)
    }
}

/// The date of the looting.
impl DatedRecord for LootingIncident {
    fn each_date(&self, f: &mut dyn FnMut(PartialDate)) {
        f(self.date)
    }
}

/// The first and last report.
impl DatedRecord for RouteReport {
    fn each_date(&self, f: &mut dyn FnMut(PartialDate)) {
        self.first_reported.into_iter().chain(self.last_reported).for_each(f)
    }
}

/// The order date and every delivery year.
impl DatedRecord for Transfer {
    fn each_date(&self, f: &mut dyn FnMut(PartialDate)) {
        self.order_date.into_iter().for_each(&mut *f);
        self.deliveries.iter().filter_map(|d| PartialDate::year(d.year).ok()).for_each(f)
    }
}

/// The date of the event, at its precision.
impl DatedRecord for ConflictEvent {
    fn each_date(&self, f: &mut dyn FnMut(PartialDate)) {
        f(self.date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_last_date_is_the_one_that_ends_latest() {
        let mut s = Span::default();
        assert_eq!(s.period(), None);
        s.see(d("2024-06-15"));
        s.see(d("2024"));
        s.see(d("2024-03"));
        let p = s.period().unwrap();
        assert_eq!((p.first.to_string(), p.last.to_string()), ("2024".into(), "2024".into()));
        // Equal last days: the finer date is kept, whatever the order seen.
        let mut a = Span::default();
        a.see(d("2024-12-31"));
        a.see(d("2024"));
        let mut b = Span::default();
        b.see(d("2024"));
        b.see(d("2024-12-31"));
        assert_eq!(a.period(), b.period());
        assert_eq!(a.period().unwrap().last.to_string(), "2024-12-31");
        assert_eq!(label(None), "no dated records");
        assert_eq!(Period::of(d("2022-06-13")).to_string(), "2022-06-13");
    }

    #[test]
    fn a_union_covers_both() {
        let p = Period { first: d("1993-05-15"), last: d("2022-06-13") };
        let q = Period { first: d("1954"), last: d("2024") };
        let u = Period::union(Some(p), Some(q)).unwrap();
        assert_eq!(u.to_string(), "1954 to 2024");
        assert_eq!(Period::union(None, Some(p)), Some(p));
        assert_eq!(Period::union_all([None, Some(p), None, Some(q)]), Some(u));
        assert_eq!(Period::union_all([None, None]), None);
    }
}
