//! The figures stage: the registry of figures ([`FIGURES`]), each entry mapping the
//! analysis results onto its chart's input ([`draw`]); the rendering of every registered
//! figure (PNG at print resolution and SVG). The report built from them is
//! [`crate::stages::report`].
//!
//! Adding a figure means one entry in [`FIGURES`] (name, caption, the results it needs, the
//! data its period is of, render function) and its chart module in `src/chart/`: the run graph (one cached step per
//! figure, reading only what the entry needs), the report and the tests all read the
//! registry.

mod closeups;
mod context;
mod draw;
mod draw_risk;
mod transfers;

use rayon::prelude::*;

use crate::chart::{ChartError, Figure};
use closeups::{
    emerging_closeups, event_emerging_closeups, event_hotspot_closeups, hotspot_closeups,
};
use draw::{
    emerging_map, event_emerging_map, event_hotspot_map, event_regional_series, flow_map,
    hotspot_map, od_matrix, recipients, regional_series, top_hubs, top_paths,
};

pub use context::{
    FigureContext, FigureStep, Need, PeriodOf, Results, figure_caption, run_caption,
};
pub(crate) use context::{fmt, path_totals};
pub use draw::{EVENT_MAP_POINTS, event_map};

/// One registered figure.
#[derive(Debug, Clone, Copy)]
pub struct FigureSpec {
    /// File stem (`figures/<name>.png`, `.svg`) and HTML id in the report (`[a-z0-9_]`).
    pub name: &'static str,
    /// What the figure shows, one sentence, printed under it in the report.
    pub caption: &'static str,
    /// The results it is drawn from (its step reads only these).
    pub needs: &'static [Need],
    /// The data whose period its caption gives (one of its `needs`).
    pub period: PeriodOf,
    /// Maps the results onto the chart's input and draws it.
    pub render: fn(&FigureContext<'_>) -> Result<Figure, ChartError>,
}

impl FigureSpec {
    /// The caption a drawn figure is shown with: its own when its render function wrote
    /// one (a figure that says what it shows in this run: transfers rather than flows),
    /// else the registry's.
    pub fn caption_of(&self, f: &Figure) -> String {
        if f.caption.is_empty() { self.caption.to_string() } else { f.caption.clone() }
    }
}

/// Every figure of a run, in report order.
pub const FIGURES: &[FigureSpec] = &[
    FigureSpec {
        name: "flow_map",
        caption: "The heaviest expected diversion flows between nodes, and the leading transit hubs.",
        needs: &[Need::Paths, Need::Hubs],
        period: PeriodOf::Network,
        render: flow_map,
    },
    FigureSpec {
        name: "top_hubs",
        caption: "Nodes ranked by flow betweenness over the diversion cases, or by betweenness when the run has no cases.",
        needs: &[Need::Paths, Need::Hubs],
        period: PeriodOf::Network,
        render: top_hubs,
    },
    FigureSpec {
        name: "hotspot_map",
        caption: "H3 cells with significant Getis-Ord Gi* values after false discovery rate control.",
        needs: &[Need::Cells],
        period: PeriodOf::Cells,
        render: hotspot_map,
    },
    FigureSpec {
        name: "hotspot_closeups",
        caption: "The strongest clusters of hot cells (95% confidence or more), each zoomed until its H3 hexagons show, over the country outlines and the largest places of the gazetteer, with a scale bar; each panel gives the number and dates of the records in view.",
        needs: &[Need::Cells],
        period: PeriodOf::Cells,
        render: hotspot_closeups,
    },
    FigureSpec {
        name: "emerging_map",
        caption: "Emerging hot and cold spot categories of the space-time cube.",
        needs: &[Need::Cube],
        period: PeriodOf::Cube,
        render: emerging_map,
    },
    FigureSpec {
        name: "emerging_closeups",
        caption: "The strongest clusters of emerging hot spots, zoomed until their H3 hexagons show, with the largest places and a scale bar; each panel gives the number and dates of the records in view.",
        needs: &[Need::Cube],
        period: PeriodOf::Cube,
        render: emerging_closeups,
    },
    FigureSpec {
        name: "regional_series",
        caption: "Seizures and looted weapons per time step in the leading subregions, with Mann-Kendall trends.",
        needs: &[Need::Regional],
        period: PeriodOf::Series,
        render: regional_series,
    },
    FigureSpec {
        name: "od_matrix",
        caption: "Diverted quantity from origin to destination country over the diversion cases.",
        needs: &[Need::Paths],
        period: PeriodOf::Cases,
        render: od_matrix,
    },
    FigureSpec {
        name: "top_paths",
        caption: "The diversion paths carrying the most expected quantity.",
        needs: &[Need::Paths],
        period: PeriodOf::Cases,
        render: top_paths,
    },
    FigureSpec {
        name: "recipients",
        caption: "Legal deliveries to recipient states beside the diversion evidence that points back to them: seized weapons they last held legally, weapons looted from their stockpiles, expected weapons whose paths are diverted there, and their own transfers on to non-state armed groups.",
        needs: &[Need::Recipients],
        period: PeriodOf::Recipients,
        render: recipients,
    },
    FigureSpec {
        name: "dyads",
        caption: "Legal deliveries in SIPRI trend-indicator value between the leading suppliers and recipients (states by ISO3; * a non-state armed group, ** an organisation), over every delivery year.",
        needs: &[Need::Dyads],
        period: PeriodOf::Dyads,
        render: transfers::dyads,
    },
    FigureSpec {
        name: "retransfers",
        caption: "Re-transfer chains: a weapon a state imported by legal transfer (origin to intermediary) and later delivered on to a third party (states by ISO3; * a non-state armed group), each chain as wide as the TIV of its onward deliveries.",
        needs: &[Need::Retransfers],
        period: PeriodOf::Retransfers,
        render: transfers::retransfers,
    },
    FigureSpec {
        name: "event_hotspot_map",
        caption: "H3 cells where conflict events cluster (Getis-Ord Gi*, FDR-adjusted), on the grid of the seizure and looting hotspots.",
        needs: &[Need::EventCells],
        period: PeriodOf::EventCells,
        render: event_hotspot_map,
    },
    FigureSpec {
        name: "event_hotspot_closeups",
        caption: "The strongest clusters of conflict-event hot cells (95% confidence or more), each zoomed until its H3 hexagons show, with the largest places and a scale bar; each panel gives the number and dates of the events in view.",
        needs: &[Need::EventCells],
        period: PeriodOf::EventCells,
        render: event_hotspot_closeups,
    },
    FigureSpec {
        name: "event_emerging_map",
        caption: "Emerging hot and cold spot categories of the conflict events' space-time cube, weighted as hotspots.event_weight says.",
        needs: &[Need::EventCube, Need::Regional],
        period: PeriodOf::EventCube,
        render: event_emerging_map,
    },
    FigureSpec {
        name: "event_emerging_closeups",
        caption: "The strongest clusters of emerging conflict-event hot spots, zoomed until their H3 hexagons show, with the largest places and a scale bar; each panel gives the number and dates of the events in view.",
        needs: &[Need::EventCube],
        period: PeriodOf::EventCube,
        render: event_emerging_closeups,
    },
    FigureSpec {
        name: "event_regional_series",
        caption: "Conflict events and their fatalities per time step in the leading countries (or subregions), with the Mann-Kendall trend of the weighted series (events, or fatalities at the estimate hotspots.event_weight names).",
        needs: &[Need::Regional],
        period: PeriodOf::EventSeries,
        render: event_regional_series,
    },
    FigureSpec {
        name: "risk_heat",
        caption: "Diversion-risk indicators of the screened states in the last assessment window: each cell shaded by the state's rank among them, raised flags outlined, grey where the run has no source for the indicator. Not a legal determination.",
        needs: &[Need::Risk],
        period: PeriodOf::Risk,
        render: draw_risk::risk_heat,
    },
    FigureSpec {
        name: "supplier_exposure",
        caption: "Legal deliveries of each supplier state in the last assessment window, by the number of risk flags their recipients raise, and those to recipients with a re-export flag.",
        needs: &[Need::Risk],
        period: PeriodOf::Risk,
        render: draw_risk::supplier_exposure,
    },
];

/// Renders every figure of [`FIGURES`], in that order, on the current rayon pool, each
/// captioned with the period of the data it draws (`cx.caption` is the run's caption). Each
/// figure is a pure function of the context, so the bytes do not depend on the number of
/// threads. Each slot carries its own result: one failed figure does not prevent the others,
/// and a figure with nothing to show is `Err(ChartError::NothingToShow)` (left out).
pub fn render_figures(cx: &FigureContext<'_>) -> Vec<Result<Figure, ChartError>> {
    FIGURES
        .par_iter()
        .map(|spec| {
            let caption = figure_caption(&cx.caption, spec.period, &cx.results);
            let cx = FigureContext { caption, ..cx.clone() };
            let f = (spec.render)(&cx)?;
            Ok(Figure { name: spec.name.to_string(), caption: spec.caption_of(&f), ..f })
        })
        .collect()
}

/// Renders one registered figure into its step artifact (`cx.caption` already carries the
/// figure's period: [`figure_caption`]). A figure with nothing to show
/// ([`ChartError::NothingToShow`]) is left out: no figure, no error, its
/// [`FigureStep::absent`] line.
pub fn figure_step(spec: &FigureSpec, cx: &FigureContext<'_>) -> FigureStep {
    let name = spec.name.to_string();
    match (spec.render)(cx) {
        Ok(f) => FigureStep {
            figure: Some(Figure { name: name.clone(), caption: spec.caption_of(&f), ..f }),
            name,
            error: None,
            absent: None,
        },
        Err(ChartError::NothingToShow(a)) => {
            FigureStep { name, figure: None, error: None, absent: Some(a) }
        }
        Err(e) => FigureStep {
            error: Some(format!("{}: {e}", spec.name)),
            name,
            figure: None,
            absent: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_figure_is_dated_by_data_it_needs() {
        for f in FIGURES {
            assert!(f.needs.contains(&f.period.need()), "{}", f.name);
        }
    }
}
