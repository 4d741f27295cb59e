//! The figures of the diversion-risk screen: the heat table of its indicators and the
//! exposure of suppliers to flagged recipients, both for the last assessment window.

use super::context::{FigureContext, fmt};
use crate::absent::{Absent, NEEDS_TRANSFERS};
use crate::chart::{self, ChartError, Figure};
use crate::risk::{Indicator, RiskRow};

/// A value as printed: whole numbers without decimals, others with one.
pub(crate) fn value_text(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}

/// The rows a figure or the report shows: most flags first, then by name.
pub(crate) fn leading_rows<'a>(rows: impl Iterator<Item = &'a RiskRow>) -> Vec<&'a RiskRow> {
    let mut rows: Vec<&RiskRow> = rows.collect();
    rows.sort_by(|a, b| b.flags.len().cmp(&a.flags.len()).then(a.name.cmp(&b.name)));
    rows
}

pub(super) fn risk_heat(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::risk_heat::{HeatCell, RiskHeatInput, render};
    let r = cx.risk()?;
    let all = leading_rows(r.latest());
    if all.is_empty() {
        let needs = "transfers, conflict events, seizures or looting incidents that name a state ([[inputs.transfers]], [[inputs.events]], [[inputs.seizures]], [[inputs.looting]])";
        return Err(ChartError::NothingToShow(Absent::new("diversion-risk indicators", needs)));
    }
    let counted: Vec<usize> = Indicator::ALL
        .iter()
        .map(|&i| all.iter().filter(|x| x.value(i).is_some()).count())
        .collect();
    let rows: Vec<&RiskRow> = all.into_iter().take(cx.top_n()).collect();
    let cells = rows
        .iter()
        .map(|row| {
            Indicator::ALL
                .iter()
                .map(|&i| {
                    let info = i.info();
                    let n = counted[i.index()];
                    let (Some(v), Some(rank)) = (row.value(i), row.rank(i)) else {
                        return HeatCell {
                            tip: format!("{}\n{}: no value", row.name, info.label),
                            ..HeatCell::default()
                        };
                    };
                    let standing = if v == 0.0 {
                        0.0
                    } else {
                        1.0 - f64::from(rank - 1) / (n.max(2) - 1) as f64
                    };
                    let flagged = row.flags.contains(&i);
                    let threshold = r.thresholds.get(i.index()).copied().flatten();
                    let flag = match (flagged, threshold) {
                        (true, Some(t)) => format!("\nflag raised (threshold {})", fmt(t)),
                        _ => String::new(),
                    };
                    HeatCell {
                        text: value_text(v),
                        standing: Some(standing),
                        flagged,
                        tip: format!(
                            "{}\n{}: {} {}\nrank {rank} of {n}{flag}",
                            row.name,
                            info.label,
                            value_text(v),
                            info.unit
                        ),
                    }
                })
                .collect()
        })
        .collect();
    let window = r.windows.last().map(|w| w.label()).unwrap_or_default();
    let input = RiskHeatInput {
        title: format!("Diversion-risk indicators by state, {window}"),
        rows: rows.iter().map(|x| format!("{} ({})", x.name, x.state)).collect(),
        columns: Indicator::ALL.iter().map(|i| i.info().label.to_string()).collect(),
        cells,
    };
    render(&input, &cx.caption, cx.size)
}

pub(super) fn supplier_exposure(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    use chart::supplier_exposure::{SupplierBar, SupplierExposureInput, render};
    let r = cx.risk()?;
    let window = r.windows.last().map(|w| w.label()).unwrap_or_default();
    if r.latest_exposure().next().is_none() {
        let what = "supplier exposure to flagged recipients";
        return Err(ChartError::NothingToShow(Absent::new(what, NEEDS_TRANSFERS)));
    }
    let input = SupplierExposureInput {
        title: format!("Supplier exposure to flagged recipients, {window}"),
        suppliers: r
            .latest_exposure()
            .map(|e| SupplierBar {
                name: format!("{} ({})", e.name, e.supplier),
                by_flags: e.tiv_by_flags,
                re_export_flagged: e.tiv_re_export_flagged,
            })
            .collect(),
        top_n: cx.top_n(),
        value_label: String::new(),
    };
    render(&input, &cx.caption, cx.size)
}
