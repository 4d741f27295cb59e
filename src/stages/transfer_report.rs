//! The report's transfer sections: supplier and recipient profiles (from the dyads) and the
//! re-transfer chains, with the lines that say what they count or which input would fill
//! them.

use crate::report::Table;
use crate::retransfers::Retransfers;
use crate::stages::dyads::{Dyads, Profile};
use crate::stages::figures::fmt;

/// Delivery years a profile shows (the latest ones).
const PROFILE_YEARS: usize = 8;
/// Partners a profile names.
const PROFILE_PARTNERS: usize = 3;

fn tiv(x: f64) -> String {
    format!("{x:.1}")
}

/// A profile's partners: the leading ones with their TIV and deals.
fn partners(p: &Profile) -> String {
    let mut out: Vec<String> = p
        .partners
        .iter()
        .take(PROFILE_PARTNERS)
        .map(|(n, d, t)| format!("{n} ({}; {d} deal{})", tiv(*t), if *d == 1 { "" } else { "s" }))
        .collect();
    if p.partners.len() > PROFILE_PARTNERS {
        out.push(format!("{} more", p.partners.len() - PROFILE_PARTNERS));
    }
    out.join(", ")
}

/// A profile's TIV by year: its latest delivery years.
fn by_year(p: &Profile) -> String {
    let skip = p.by_year.len().saturating_sub(PROFILE_YEARS);
    let years: Vec<String> =
        p.by_year.iter().skip(skip).map(|(y, t)| format!("{y}: {}", tiv(*t))).collect();
    let earlier = if skip > 0 { format!("{skip} earlier years; ") } else { String::new() };
    format!("{earlier}{}", years.join(", "))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The supplier and recipient profiles (the `top_n` with the most TIV of each) and the
/// re-transfer chains (the `top_n` first), each only when it has rows; and the report's
/// lines about them (what the chains count, or the input that would fill an empty section).
pub fn transfer_sections(
    top_n: usize,
    dyads: &Dyads,
    chains: &Retransfers,
) -> (Vec<Table>, Vec<String>) {
    let mut tables = Vec::new();
    let mut lines = Vec::new();
    if dyads.years.is_empty() {
        lines.push(
            "No supplier or recipient profiles: needs delivered transfers (inputs.transfers)."
                .to_string(),
        );
    } else {
        let suppliers = dyads.profiles(true);
        tables.push(Table {
            title: "Suppliers: legal deliveries by supplier".into(),
            header: strings(&[
                "supplier",
                "kind",
                "deals",
                "TIV delivered (millions)",
                "share to non-state armed groups",
                "leading recipients (TIV; deals)",
                "TIV by delivery year",
            ]),
            rows: suppliers
                .iter()
                .take(top_n)
                .map(|p| {
                    let share = if p.tiv > 0.0 {
                        format!("{:.1}%", 100.0 * p.tiv_armed_groups / p.tiv)
                    } else {
                        format!("{} of {} deals", p.deals_armed_groups, p.deals)
                    };
                    vec![
                        p.name.clone(),
                        p.kind.map(|k| k.as_str()).unwrap_or_default().to_string(),
                        p.deals.to_string(),
                        tiv(p.tiv),
                        share,
                        partners(p),
                        by_year(p),
                    ]
                })
                .collect(),
        });
        let recipients = dyads.profiles(false);
        tables.push(Table {
            title: "Recipients: legal deliveries by recipient".into(),
            header: strings(&[
                "recipient",
                "kind",
                "deals",
                "TIV received (millions)",
                "leading suppliers (TIV; deals)",
                "TIV by delivery year",
            ]),
            rows: recipients
                .iter()
                .take(top_n)
                .map(|p| {
                    vec![
                        p.name.clone(),
                        p.kind.map(|k| k.as_str()).unwrap_or_default().to_string(),
                        p.deals.to_string(),
                        tiv(p.tiv),
                        partners(p),
                        by_year(p),
                    ]
                })
                .collect(),
        });
    }
    if chains.chains.is_empty() {
        lines.push(format!(
            "No re-transfer chains: needs transfers (inputs.transfers) in which a state delivers on a weapon it imported earlier ({} onward deals looked at).",
            chains.onward_deals
        ));
        return (tables, lines);
    }
    lines.push(format!(
        "Re-transfer chains: {} of {} onward deals (from a state to a non-state armed group, or to a third party where retransfers.third_parties is set) concern a weapon the supplier had itself imported earlier, in {} legal-then-onward chains (retransfers.csv; matched by designation or weapon family, docs/model.md).",
        chains.onward_with_chain,
        chains.onward_deals,
        chains.chains.len()
    ));
    tables.push(Table {
        title: "Re-transfer chains (legal import, then onward delivery)".into(),
        header: strings(&[
            "chain",
            "weapon imported",
            "imported (years)",
            "second-hand import",
            "import TIV (millions)",
            "weapon delivered onward",
            "delivered onward (years)",
            "onward TIV (millions)",
            "matched by",
        ]),
        rows: chains
            .chains
            .iter()
            .take(top_n)
            .map(|c| {
                let years =
                    |a: i32, b: i32| if a == b { a.to_string() } else { format!("{a}-{b}") };
                vec![
                    format!("{} → {} → {}", c.origin.name, c.intermediary.name, c.recipient.name),
                    c.import.designation.to_string(),
                    years(c.import.first_year, c.import.last_year),
                    if c.import.second_hand { "yes".into() } else { "no".into() },
                    fmt(c.import.tiv),
                    c.onward.designation.to_string(),
                    years(c.onward.first_year, c.onward.last_year),
                    fmt(c.onward.tiv),
                    c.matched.as_str().to_string(),
                ]
            })
            .collect(),
    });
    (tables, lines)
}
