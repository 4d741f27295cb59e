//! The close-up figures: the strongest clusters of hot cells or emerging hot spots of a
//! layer (seizures and looting, or conflict events), each zoomed until its H3 hexagons
//! show, with the gazetteer's largest places, a scale bar, and the number and dates of the
//! records in view.

use std::collections::{BTreeMap, HashMap};

use super::context::{FigureContext, emerging_category};
use super::draw::{EVENTS, INCIDENTS, LayerWords, cell_tip, emerging_tip, no_emerging};
use crate::absent::Absent;
use crate::chart::{self, ChartError, Figure};
use crate::geo::Gazetteer;
use crate::hotspot::{EmergingCategory, EmergingCell, GiStarCell};
use crate::period::Period;
use crate::stages::hotspots::{CellRecords, ring};

/// Clusters of `cells` (H3 cells with a strength): cells within two grid steps of one
/// another join, clusters ranked by their summed strength, strongest first (then by
/// their first cell). O(n).
fn clusters(cells: &[(h3o::CellIndex, f64)]) -> Vec<Vec<usize>> {
    let at: HashMap<h3o::CellIndex, usize> =
        cells.iter().enumerate().map(|(i, c)| (c.0, i)).collect();
    let mut parent: Vec<usize> = (0..cells.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for (i, (cell, _)) in cells.iter().enumerate() {
        for n in cell.grid_disk::<Vec<_>>(2) {
            if let Some(&j) = at.get(&n) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..cells.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    let strength = |g: &Vec<usize>| g.iter().map(|&i| cells[i].1).sum::<f64>();
    out.sort_by(|a, b| strength(b).total_cmp(&strength(a)).then(a[0].cmp(&b[0])));
    out
}

/// What a close-up figure draws: the layer's strong cells, every coloured cell, and the
/// records of each occupied cell with the word for them (`records`, `events`).
struct Layer<'a> {
    strong: Vec<(h3o::CellIndex, f64)>,
    all: Vec<(h3o::CellIndex, [u8; 3], String)>,
    occupied: &'a [CellRecords],
    records: &'static str,
}

fn inside(e: &chart::projection::Extent, (lon, lat): (f64, f64)) -> bool {
    (e.lon_min..=e.lon_max).contains(&lon) && (e.lat_min..=e.lat_max).contains(&lat)
}

fn centre(c: h3o::CellIndex) -> (f64, f64) {
    let ll = h3o::LatLng::from(c);
    (ll.lng(), ll.lat())
}

/// The line under a panel's heading: how many records the occupied cells in `e` hold and
/// the period of their dates (`12 events in view, 2013-02 to 2021-06`).
fn note(occupied: &[CellRecords], records: &str, e: &chart::projection::Extent) -> String {
    let in_view: Vec<&CellRecords> =
        occupied.iter().filter(|c| inside(e, centre(c.cell))).collect();
    let n: u64 = in_view.iter().map(|c| c.records).sum();
    let period = Period::union_all(in_view.iter().map(|c| Some(c.period)));
    match period {
        Some(p) => format!("{n} {records} in view, {p}"),
        None => String::new(),
    }
}

/// The panels of a close-up figure: per cluster of strong cells, an extent around it
/// (at least 2.4 by 1.8 degrees), every coloured cell inside it, the gazetteer's largest
/// places there, and the records in view; titled by the largest place among the cluster's
/// cells.
fn closeup_panels(g: &Gazetteer, layer: &Layer<'_>) -> Vec<chart::closeups::Panel> {
    use chart::closeups::{ColouredCell, MAX_PANELS, Panel, PlaceLabel};
    use chart::projection::Extent;
    let largest = |e: &Extent| {
        let mut found: Vec<&crate::geo::gazetteer::City> =
            g.cities().iter().filter(|c| inside(e, (c.point.lon(), c.point.lat()))).collect();
        found.sort_by(|a, b| b.population.cmp(&a.population).then(a.geonameid.cmp(&b.geonameid)));
        found
    };
    let strong = &layer.strong;
    clusters(strong)
        .into_iter()
        .take(MAX_PANELS)
        .filter_map(|group| {
            let pts: Vec<(f64, f64)> = group.iter().map(|&i| centre(strong[i].0)).collect();
            let tight = Extent::around(pts.iter().copied(), 0.0, 0.15)?;
            let mut e = Extent::around(pts.iter().copied(), 0.4, 0.4)?;
            let (cx, cy) = ((e.lon_min + e.lon_max) / 2.0, (e.lat_min + e.lat_max) / 2.0);
            let (hw, hh) = (
                ((e.lon_max - e.lon_min) / 2.0).max(1.2),
                ((e.lat_max - e.lat_min) / 2.0).max(0.9),
            );
            e = Extent {
                lon_min: (cx - hw).max(-180.0),
                lon_max: (cx + hw).min(180.0),
                lat_min: (cy - hh).max(-89.0),
                lat_max: (cy + hh).min(89.0),
            };
            let (lon, lat) = pts[0];
            let country = crate::geo::LatLon::new(lat, lon)
                .ok()
                .and_then(|p| g.country_at(p))
                .map(|c| g.country(c).name.clone());
            // The nearest of the panel's ten largest places, when none lies in the cluster.
            let near = largest(&e).into_iter().take(10).min_by(|a, b| {
                let d = |c: &crate::geo::gazetteer::City| {
                    (c.point.lon() - lon).powi(2) + (c.point.lat() - lat).powi(2)
                };
                d(a).total_cmp(&d(b)).then(a.geonameid.cmp(&b.geonameid))
            });
            let title = match (largest(&tight).first(), near, country) {
                (Some(city), ..) => {
                    format!("Around {}, {}", city.name, g.country(city.country).name)
                }
                (None, Some(city), Some(c)) => format!("Near {}, {c}", city.name),
                (None, None, Some(c)) => c,
                (None, _, None) => format!(
                    "At sea, {:.1}° {}, {:.1}° {}",
                    lat.abs(),
                    if lat >= 0.0 { "N" } else { "S" },
                    lon.abs(),
                    if lon >= 0.0 { "E" } else { "W" }
                ),
            };
            let cells = layer
                .all
                .iter()
                .filter(|(c, ..)| inside(&e, centre(*c)))
                .map(|(c, colour, tip)| ColouredCell {
                    ring: ring(*c),
                    colour: *colour,
                    tip: tip.clone(),
                })
                .collect();
            let places = largest(&e)
                .into_iter()
                .take(10)
                .map(|c| PlaceLabel {
                    name: c.name.clone(),
                    lon: c.point.lon(),
                    lat: c.point.lat(),
                })
                .collect();
            let note = note(layer.occupied, layer.records, &e);
            Some(Panel { title, extent: e, cells, places, note })
        })
        .collect()
}

fn rgb(c: plotters::style::RGBColor) -> [u8; 3] {
    [c.0, c.1, c.2]
}

/// The Gi* close-ups of `cells`.
fn gi_closeups(
    cx: &FigureContext<'_>,
    name: &str,
    title: &str,
    cells: &[GiStarCell],
    occupied: &[CellRecords],
    (words, records): (LayerWords, &'static str),
) -> Result<Figure, ChartError> {
    use chart::closeups::{CloseupsInput, render};
    use chart::hotspot_map::BIN_LABELS;
    use chart::style::RDBU_7;
    if !cells.iter().any(|c| c.gi.bin >= 2) {
        let needs = if cells.is_empty() {
            words.needs_located.to_string()
        } else {
            format!(
                "more located {}: none of the {} cells is a hot spot at 95% confidence",
                words.plural,
                cells.len()
            )
        };
        let what = format!("{}hot-spot close-ups", words.prefix);
        return Err(ChartError::NothingToShow(Absent::new(what, needs)));
    }
    let layer = Layer {
        strong: cells
            .iter()
            .filter(|c| c.gi.bin >= 2)
            .map(|c| (c.cell, c.gi.z.unwrap_or(0.0)))
            .collect(),
        all: cells
            .iter()
            .map(|c| (c.cell, rgb(RDBU_7[(c.gi.bin + 3) as usize]), cell_tip(c)))
            .collect(),
        occupied,
        records,
    };
    let input = CloseupsInput {
        name: name.into(),
        title: title.into(),
        panels: closeup_panels(cx.gazetteer, &layer),
        legend_heading: "Gi* confidence bin".into(),
        legend: (0..7).map(|i| (rgb(RDBU_7[i]), BIN_LABELS[i].to_string())).collect(),
        empty_reason: "no hot spot at 95% confidence in this run".into(),
    };
    render(&input, &cx.basemap, &cx.caption, cx.size)
}

/// The emerging hot spot close-ups of `emerging`.
fn emerging_closeups_of(
    cx: &FigureContext<'_>,
    name: &str,
    title: &str,
    cube: &crate::stages::hotspots::CubeStep,
    (words, records): (LayerWords, &'static str),
) -> Result<Figure, ChartError> {
    use chart::closeups::{CloseupsInput, render};
    let (emerging, occupied) = (&cube.emerging, &cube.occupied);
    let hot = |c: &EmergingCell| c.category.label().contains("Hot Spot");
    if !emerging.iter().any(hot) {
        return Err(ChartError::NothingToShow(no_emerging(
            cube,
            words,
            "emerging hot-spot close-ups",
        )));
    }
    let patterned: Vec<&EmergingCell> =
        emerging.iter().filter(|c| c.category != EmergingCategory::NoPattern).collect();
    let layer = Layer {
        strong: emerging
            .iter()
            .filter(|c| hot(c))
            .map(|c| (c.cell, c.z.iter().flatten().copied().fold(0.0, f64::max).max(0.0) + 1.0))
            .collect(),
        all: patterned
            .iter()
            .map(|c| (c.cell, rgb(emerging_category(c.category).color()), emerging_tip(c)))
            .collect(),
        occupied,
        records,
    };
    let mut shown: Vec<chart::emerging_map::EmergingCategory> =
        patterned.iter().map(|c| emerging_category(c.category)).collect();
    shown.sort_by_key(|c| chart::emerging_map::EmergingCategory::ALL.iter().position(|x| x == c));
    shown.dedup();
    let input = CloseupsInput {
        name: name.into(),
        title: title.into(),
        panels: closeup_panels(cx.gazetteer, &layer),
        legend_heading: "Emerging category".into(),
        legend: shown.iter().map(|c| (rgb(c.color()), c.label().to_string())).collect(),
        empty_reason: "no emerging hot spot in this run".into(),
    };
    render(&input, &cx.basemap, &cx.caption, cx.size)
}

pub(super) fn hotspot_closeups(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    let cells = cx.cells()?;
    let title = "The strongest hot-spot clusters, close up (Gi*, all dates pooled)";
    let layer = (INCIDENTS, "records");
    gi_closeups(cx, "hotspot_closeups", title, &cells.cells, &cells.occupied, layer)
}

pub(super) fn event_hotspot_closeups(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    let cells = cx.event_cells()?;
    let title = "Conflict-event hot-spot clusters, close up (Gi*, all dates pooled)";
    let name = "event_hotspot_closeups";
    gi_closeups(cx, name, title, &cells.cells, &cells.occupied, (EVENTS, "events"))
}

pub(super) fn emerging_closeups(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    let cube = cx.cube()?;
    let title = "The strongest emerging hot-spot clusters, close up";
    emerging_closeups_of(cx, "emerging_closeups", title, cube, (INCIDENTS, "records"))
}

pub(super) fn event_emerging_closeups(cx: &FigureContext<'_>) -> Result<Figure, ChartError> {
    let cube = cx.event_cube()?;
    let title = "The strongest emerging conflict-event hot-spot clusters, close up";
    let name = "event_emerging_closeups";
    emerging_closeups_of(cx, name, title, cube, (EVENTS, "events"))
}
