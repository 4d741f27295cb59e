//! National aggregates among the seizures: rows that are a country's total of weapons
//! seized for a date (`aggregate = total`) or one part of that total, such as one weapon
//! type (`aggregate = part`). The UNODC IAFQ workbook is such a table: a `Total` row per
//! country and year beside its breakdown by type, which may be missing, partial or larger
//! than the total.
//!
//! After the rows of a file are checked, its aggregates are reconciled per country and
//! date ([`reconcile`]) so that the weapons counted for a country and date are its total
//! whenever the file gives one, broken down by part where the breakdown allows:
//!
//! | the file gives | kept | outcome |
//! |---|---|---|
//! | a total and parts that add up to it | the parts | `agrees` |
//! | a total, no part | the total, category `unspecified` | `no_breakdown` |
//! | a total and parts short of it | the parts, and the rest of the total as a `remainder` of category `unspecified` | `breakdown_short` |
//! | a total and parts that exceed it | the total, category `unspecified`; the parts are not counted | `breakdown_exceeds` |
//! | parts, no total | the parts | `no_total` |
//!
//! Several totals for one country and date: the largest is the total (the first of equal
//! ones), the others are not counted. Rows not counted are `superseded` in their file's
//! report; each country and date is one [`AggregateCheck`] (the `aggregate_checks`
//! table). Pure and deterministic: records keep their input order, checks follow the
//! order of each group's first row.

use std::collections::BTreeMap;

use super::results::Ingested;
pub use super::results::{AggregateCheck, AggregateOutcome};
use crate::date::PartialDate;
use crate::geo::CountryId;
use crate::schema::{Category, NationalAggregate};

/// Reconciles the national aggregates among `ing.seizures` (file by file, per country and
/// date; see the module documentation): rewrites the totals it keeps, removes the rows it
/// does not count (moving them from `accepted` to `superseded` in their file's report) and
/// appends one [`AggregateCheck`] per country and date to `ing.aggregate_checks`.
pub fn reconcile(ing: &mut Ingested) {
    // (file, country, date) -> (the totals, the parts), by record position.
    type Groups = BTreeMap<(u32, CountryId, PartialDate), (Vec<usize>, Vec<usize>)>;
    let mut groups = Groups::new();
    for (i, s) in ing.seizures.iter().enumerate() {
        let Some(role) = s.aggregate else { continue };
        let g = groups.entry((s.row.file, s.location.country, s.date)).or_default();
        match role {
            NationalAggregate::Total => g.0.push(i),
            NationalAggregate::Part | NationalAggregate::Remainder => g.1.push(i),
        }
    }
    if groups.is_empty() {
        return;
    }
    let mut order: Vec<_> = groups.into_iter().collect();
    order.sort_by_key(|(_, (t, p))| t.iter().chain(p).min().copied());
    let mut drop = vec![false; ing.seizures.len()];
    let mut checks = Vec::with_capacity(order.len());
    for ((file, country, date), (totals, parts)) in order {
        let s = &mut ing.seizures;
        // The largest total, the first of equal ones; the others are not counted.
        let kept = totals.iter().copied().max_by_key(|&i| (s[i].items(), std::cmp::Reverse(i)));
        for &i in totals.iter().filter(|&&i| Some(i) != kept) {
            drop[i] = true;
        }
        let breakdown = (!parts.is_empty()).then(|| parts.iter().map(|&i| s[i].items()).sum());
        let total = kept.map(|i| s[i].items());
        let outcome = match (total, breakdown) {
            (None, _) => AggregateOutcome::NoTotal,
            (Some(_), None) => AggregateOutcome::NoBreakdown,
            (Some(t), Some(b)) if b == t => AggregateOutcome::Agrees,
            (Some(t), Some(b)) if b < t => AggregateOutcome::BreakdownShort,
            (Some(_), Some(_)) => AggregateOutcome::BreakdownExceeds,
        };
        if let Some(k) = kept {
            match outcome {
                AggregateOutcome::Agrees => drop[k] = true,
                AggregateOutcome::BreakdownShort => {
                    let rest = total.unwrap_or(0) - breakdown.unwrap_or(0);
                    s[k].quantity = Some(rest);
                    s[k].category = Some(Category::Unspecified);
                    s[k].aggregate = Some(NationalAggregate::Remainder);
                }
                _ => {
                    s[k].category = Some(Category::Unspecified);
                    if outcome == AggregateOutcome::BreakdownExceeds {
                        for &i in &parts {
                            drop[i] = true;
                        }
                    }
                }
            }
        }
        let counted = match outcome {
            AggregateOutcome::NoTotal => breakdown.unwrap_or(0),
            _ => total.unwrap_or(0),
        };
        checks.push(AggregateCheck {
            file,
            line: kept.map(|k| s[k].row.line),
            country,
            date,
            total,
            totals: totals.len() as u32,
            breakdown,
            parts: parts.len() as u32,
            outcome,
            counted,
        });
    }
    for (s, _) in ing.seizures.iter().zip(&drop).filter(|(_, d)| **d) {
        if let Some(f) = ing.files.get_mut(s.row.file as usize) {
            f.accepted -= 1;
            f.superseded += 1;
        }
    }
    let mut k = 0;
    ing.seizures.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
    ing.aggregate_checks.extend(checks);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Gazetteer;
    use crate::records::{Location, RowRef, Seizure};
    use crate::schema::LocationPrecision;

    fn seizure(g: &Gazetteer, line: u64, iso3: &str, year: i32, n: u64, role: &str) -> Seizure {
        let country = g.resolve_country(iso3).unwrap();
        Seizure {
            id: format!("x:{line}").into(),
            date: PartialDate::year(year).unwrap(),
            location: Location {
                country,
                admin1: None,
                city: None,
                place: None,
                point: g.country(country).point,
                precision: LocationPrecision::Country,
            },
            category: Some(if role == "total" { Category::Unspecified } else { Category::Pistol }),
            quantity: Some(n),
            rounds: None,
            make: None,
            model: None,
            calibre: None,
            serial: None,
            lot: None,
            country_of_manufacture: None,
            last_legal_import: None,
            origin: vec![],
            transit: vec![],
            destination: None,
            traced_incident_id: None,
            transport_mode: None,
            source: None,
            confidence: None,
            possessor: None,
            aggregate: NationalAggregate::parse(role),
            row: RowRef { file: 0, line },
        }
    }

    fn report(accepted: u64) -> crate::ingest::FileReport {
        crate::ingest::FileReport {
            table: crate::schema::TableKind::Seizures,
            path: "x.xlsx".into(),
            format: crate::inputs::rules::Format::Spreadsheet,
            bytes: 0,
            sha256: String::new(),
            rows_read: accepted,
            filtered: 0,
            superseded: 0,
            duplicates: 0,
            period: None,
            accepted,
            rejected: 0,
            ignored_columns: vec![],
            encoding: String::new(),
            header_line: 1,
        }
    }

    #[test]
    fn every_outcome_keeps_the_total() {
        let g = Gazetteer::embedded().unwrap();
        let rows = vec![
            // AGO 2016: a total only.
            seizure(g, 2, "AGO", 2016, 11475, "total"),
            // AUS 2016: parts that add up.
            seizure(g, 3, "AUS", 2016, 10, "part"),
            seizure(g, 4, "AUS", 2016, 90, "total"),
            seizure(g, 5, "AUS", 2016, 80, "part"),
            // COL 2018: parts exceeding the total.
            seizure(g, 6, "COL", 2018, 30, "part"),
            seizure(g, 7, "COL", 2018, 20, "total"),
            // MEX 2017: parts short of it, and a second, smaller total.
            seizure(g, 8, "MEX", 2017, 15, "total"),
            seizure(g, 9, "MEX", 2017, 40, "total"),
            seizure(g, 10, "MEX", 2017, 25, "part"),
            // PHL 2017: a part alone; and a seizure, untouched.
            seizure(g, 11, "PHL", 2017, 4, "part"),
            seizure(g, 12, "PHL", 2017, 1, "none"),
        ];
        let mut ing = Ingested { files: vec![report(11)], seizures: rows, ..Default::default() };
        reconcile(&mut ing);
        let kept: Vec<(u64, u64, Option<&str>, Option<&str>)> = ing
            .seizures
            .iter()
            .map(|s| {
                let cat = s.category.map(|c| c.as_str());
                (s.row.line, s.items(), cat, s.aggregate.map(|a| a.as_str()))
            })
            .collect();
        assert_eq!(
            kept,
            [
                (2, 11475, Some("unspecified"), Some("total")),
                (3, 10, Some("pistol"), Some("part")),
                (5, 80, Some("pistol"), Some("part")),
                (7, 20, Some("unspecified"), Some("total")),
                (9, 15, Some("unspecified"), Some("remainder")),
                (10, 25, Some("pistol"), Some("part")),
                (11, 4, Some("pistol"), Some("part")),
                (12, 1, Some("pistol"), None),
            ]
        );
        let outcomes: Vec<(Option<u64>, &str, u64, Option<i64>)> = ing
            .aggregate_checks
            .iter()
            .map(|c| (c.line, c.outcome.as_str(), c.counted, c.difference()))
            .collect();
        assert_eq!(
            outcomes,
            [
                (Some(2), "no_breakdown", 11475, None),
                (Some(4), "agrees", 90, Some(0)),
                (Some(7), "breakdown_exceeds", 20, Some(10)),
                (Some(9), "breakdown_short", 40, Some(-15)),
                (None, "no_total", 4, None),
            ]
        );
        assert_eq!(ing.aggregate_checks[3].totals, 2);
        // The AUS total, the COL part and the smaller MEX total are not counted.
        let f = &ing.files[0];
        assert_eq!((f.accepted, f.superseded), (8, 3));
        assert_eq!(f.accepted, ing.seizures.len() as u64);
    }
}
