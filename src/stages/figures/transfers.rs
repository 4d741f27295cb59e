//! The figures of the transfer analysis: deliveries by supplier and recipient (`dyads`) and
//! the re-transfer chains (`retransfers`).

use std::collections::{BTreeMap, BTreeSet};

use crate::absent::{Absent, NEEDS_TRANSFERS};
use crate::actors::ActorKind;
use crate::chart::{self, ChartError, Figure};
use crate::stages::figures::FigureContext;

/// Most suppliers (rows) and recipients (columns) of the dyads matrix.
const MATRIX_PARTIES: usize = 15;

/// A party's label in a figure: a state's ISO3, else its name with SIPRI's mark of a
/// non-state party (`Hezbollah*`, `NATO**`).
fn label(name: &str, kind: ActorKind, iso3: Option<&str>) -> String {
    match (kind, iso3) {
        (ActorKind::State, Some(c)) => c.to_string(),
        (ActorKind::ArmedGroup, _) => format!("{name}*"),
        (ActorKind::Organisation, _) => format!("{name}**"),
        _ => name.to_string(),
    }
}

/// Delivered TIV by supplier (rows) and recipient (columns), the leading ones of each.
pub(super) fn dyads(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::od_matrix::{OdMatrixInput, render};
    let d = cx.dyads()?;
    let mut cells: BTreeMap<(String, String), f64> = BTreeMap::new();
    let (mut rows, mut cols): (BTreeMap<String, f64>, BTreeMap<String, f64>) = Default::default();
    for y in d.years.iter() {
        let s = label(&y.supplier, y.supplier_kind, y.supplier_country.as_deref());
        let r = label(&y.recipient, y.recipient_kind, y.recipient_country.as_deref());
        *rows.entry(s.clone()).or_default() += y.tiv_delivered;
        *cols.entry(r.clone()).or_default() += y.tiv_delivered;
        *cells.entry((s, r)).or_default() += y.tiv_delivered;
    }
    let top = |m: BTreeMap<String, f64>| {
        let mut v: Vec<(String, f64)> = m.into_iter().filter(|x| x.1 > 0.0).collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().take(MATRIX_PARTIES.min(cx.top_n().max(10))).map(|x| x.0).collect::<Vec<_>>()
    };
    let (suppliers, recipients) = (top(rows), top(cols));
    if suppliers.is_empty() {
        let what = "deliveries by supplier and recipient";
        return Err(ChartError::NothingToShow(Absent::new(what, NEEDS_TRANSFERS)));
    }
    let values = suppliers
        .iter()
        .map(|s| {
            recipients
                .iter()
                .map(|r| cells.get(&(s.clone(), r.clone())).copied().unwrap_or(0.0))
                .collect()
        })
        .collect();
    let input = OdMatrixInput {
        title: "Legal deliveries by supplier and recipient".into(),
        origins: suppliers,
        destinations: recipients,
        values,
        unit: "millions".into(),
        log_scale: true,
        labels: ["Supplier".into(), "Recipient".into(), "No recorded delivery".into()],
        measure: "SIPRI TIV".into(),
    };
    render(&input, &cx.caption, cx.size)
}

/// The re-transfer chains: origin, intermediary and recipient, each chain's width its
/// onward deliveries' TIV (each onward deal once).
pub(super) fn retransfers(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::top_paths::{PathRow, TopPathsInput, render};
    let r = cx.retransfers()?;
    type Acc = (f64, BTreeSet<u32>, BTreeSet<String>);
    let mut by: BTreeMap<[String; 3], Acc> = BTreeMap::new();
    for c in &r.chains {
        let key = [&c.origin, &c.intermediary, &c.recipient].map(|p| {
            label(&p.name, p.kind, p.country.map(|i| cx.gazetteer.country(i).iso3.as_str()))
        });
        let e = by.entry(key).or_default();
        if e.1.insert(c.onward.deal) {
            e.0 += c.onward.tiv;
        }
        e.2.insert(c.onward.designation.to_string());
    }
    if by.is_empty() {
        let needs = "transfers ([[inputs.transfers]]) in which a state passes on a weapon it imported earlier";
        return Err(ChartError::NothingToShow(Absent::new("re-transfer chains", needs)));
    }
    let paths = by
        .into_iter()
        .map(|(nodes, (tiv, deals, weapons))| PathRow {
            tip: format!(
                "{}\nonward deals: {}\nonward TIV (millions): {}\nweapons: {}",
                nodes.join(" → "),
                deals.len(),
                chart::fmt_num(tiv),
                weapons.into_iter().collect::<Vec<_>>().join(", ")
            ),
            nodes: nodes.to_vec(),
            expected_quantity: tiv,
        })
        .collect();
    let input = TopPathsInput {
        title: "Re-transfer chains: weapons a state imported and passed on".into(),
        paths,
        top_n: 12,
        unit: "SIPRI TIV, millions".into(),
        headers: vec!["Origin".into(), "Intermediary".into(), "Recipient".into()],
        legend_title: "Chain (onward TIV, millions)".into(),
        empty_note: "No re-transfer chains: needs transfers (inputs.transfers) in which a state passes on a weapon it imported".into(),
    };
    render(&input, &cx.caption, cx.size)
}
