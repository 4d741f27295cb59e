//! Figure rendering: content of the SVG output, PNG headers, "no data" panels, determinism and
//! 1-thread vs N-thread identity. Each chart module is checked on a demo-sized hand-made input;
//! the figure registry (`stages::figures::FIGURES`) on the demo run's stage results.

use divnet::chart::basemap::{Shape, load_geojson};
use divnet::chart::closeups::{CloseupsInput, ColouredCell, Panel, PlaceLabel};
use divnet::chart::emerging_map::{CategorizedCell, EmergingCategory, EmergingMapInput};
use divnet::chart::flow_map::{Flow, FlowMapInput, Hub};
use divnet::chart::hotspot_map::{BIN_LABELS, BinnedCell, HotspotMapInput};
use divnet::chart::od_matrix::OdMatrixInput;
use divnet::chart::projection::Extent;
use divnet::chart::recipients::{RecipientBar, RecipientsInput};
use divnet::chart::regional_series::{RegionSeries, RegionalSeriesInput, TrendMark};
use divnet::chart::risk_heat::{HeatCell, RiskHeatInput};
use divnet::chart::supplier_exposure::{SupplierBar, SupplierExposureInput};
use divnet::chart::top_hubs::{HubBar, TopHubsInput};
use divnet::chart::top_paths::{PathRow, TopPathsInput};
use divnet::chart::{
    Caption, ChartError, Figure, RenderSize, closeups, emerging_map, flow_map, hotspot_map,
    od_matrix, recipients, regional_series, risk_heat, supplier_exposure, top_hubs, top_paths,
};
use divnet::stages::figures::{FIGURES, render_figures};

use crate::common::{StageResults, demo_results};

/// Small deterministic generator (64-bit LCG, Knuth MMIX constants) for test inputs.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn caption() -> Caption {
    Caption {
        source: "divnet demo data (synthetic)".into(),
        date_range: "2021-01 to 2023-12".into(),
        dated: "Reference date: 2023-12-31".into(),
    }
}

/// The project basemap when present, otherwise a few synthetic "countries".
pub fn basemap() -> Vec<Shape> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/geo/countries_50m.geojson");
    if let Ok(bytes) = std::fs::read(path) {
        return load_geojson(&bytes).expect("project basemap parses");
    }
    (0..6)
        .map(|i| {
            let x = -15.0 + 8.0 * i as f64;
            Shape {
                iso3: format!("C{i}"),
                rings: vec![vec![(x, 5.0), (x + 7.5, 5.0), (x + 7.5, 25.0), (x, 25.0), (x, 5.0)]],
            }
        })
        .collect()
}

fn hexagon(lon: f64, lat: f64, r: f64) -> Vec<(f64, f64)> {
    (0..6)
        .map(|k| {
            let a = std::f64::consts::PI / 3.0 * k as f64 + std::f64::consts::PI / 6.0;
            (lon + r * a.cos(), lat + r * a.sin())
        })
        .collect()
}

const PLACES: [(&str, f64, f64); 16] = [
    ("Bamako", -8.0, 12.65),
    ("Niamey", 2.11, 13.51),
    ("Gao", -0.04, 16.27),
    ("Agadez", 7.99, 16.97),
    ("Sebha", 14.43, 27.04),
    ("Tripoli", 13.19, 32.89),
    ("N'Djamena", 15.04, 12.13),
    ("Ouagadougou", -1.53, 12.37),
    ("Kidal", 1.41, 18.44),
    ("Tamanrasset", 5.52, 22.79),
    ("Maiduguri", 13.16, 11.85),
    ("Nouakchott", -15.98, 18.08),
    ("Khartoum", 32.56, 15.5),
    ("Abéché", 20.83, 13.83),
    ("Kufra", 23.31, 24.2),
    ("Zinder – Région de Zinder, République du Niger", 8.99, 13.8),
];

/// Hand-made inputs of every chart module, one figure each.
#[derive(Debug, Clone)]
pub struct DemoInputs {
    caption: Caption,
    basemap: Vec<Shape>,
    flows: FlowMapInput,
    hubs: TopHubsInput,
    hotspots: HotspotMapInput,
    emerging: EmergingMapInput,
    series: RegionalSeriesInput,
    od: OdMatrixInput,
    paths: TopPathsInput,
    recipients: RecipientsInput,
    events: HotspotMapInput,
    closeups: CloseupsInput,
    risk: RiskHeatInput,
    exposure: SupplierExposureInput,
}

impl DemoInputs {
    /// Draws every chart module's figure from these inputs.
    fn render(&self) -> Vec<Figure> {
        let (cap, map, s) = (&self.caption, &self.basemap, RenderSize::PRINT);
        vec![
            flow_map::render(&self.flows, map, cap, s),
            top_hubs::render(&self.hubs, cap, s),
            hotspot_map::render(&self.hotspots, map, cap, s),
            closeups::render(&self.closeups, map, cap, s),
            emerging_map::render(&self.emerging, map, cap, s),
            closeups::render(
                &CloseupsInput { name: "emerging_closeups".into(), ..self.closeups.clone() },
                map,
                cap,
                s,
            ),
            regional_series::render(&self.series, cap, s),
            od_matrix::render(&self.od, cap, s),
            top_paths::render(&self.paths, cap, s),
            recipients::render(&self.recipients, cap, s),
            // The dyads and re-transfer figures draw with the matrix and path charts.
            od_matrix::render(&self.od, cap, s).map(|f| Figure { name: "dyads".into(), ..f }),
            top_paths::render(&self.paths, cap, s)
                .map(|f| Figure { name: "retransfers".into(), ..f }),
            hotspot_map::render(&self.events, map, cap, s)
                .map(|f| Figure { name: "event_hotspot_map".into(), ..f }),
            closeups::render(
                &CloseupsInput { name: "event_hotspot_closeups".into(), ..self.closeups.clone() },
                map,
                cap,
                s,
            ),
            emerging_map::render(&self.emerging, map, cap, s)
                .map(|f| Figure { name: "event_emerging_map".into(), ..f }),
            closeups::render(
                &CloseupsInput { name: "event_emerging_closeups".into(), ..self.closeups.clone() },
                map,
                cap,
                s,
            ),
            regional_series::render(
                &RegionalSeriesInput {
                    names: Some(regional_series::SeriesNames {
                        left: "Conflict events".into(),
                        right: "Fatalities, best estimate".into(),
                        right_unit: "deaths".into(),
                    }),
                    ..self.series.clone()
                },
                cap,
                s,
            )
            .map(|f| Figure { name: "event_regional_series".into(), ..f }),
            risk_heat::render(&self.risk, cap, s),
            supplier_exposure::render(&self.exposure, cap, s),
        ]
        .into_iter()
        .map(|f| f.expect("figure renders"))
        .collect()
    }
}

/// A demo-sized input for every chart module.
pub fn demo_inputs() -> DemoInputs {
    let mut g = Lcg(7);
    let hubs: Vec<Hub> = PLACES
        .iter()
        .map(|&(n, lon, lat)| Hub {
            name: n.into(),
            lon,
            lat,
            betweenness: g.next(),
            ..Default::default()
        })
        .collect();
    let mut flows = Vec::new();
    for _ in 0..40 {
        let a = (g.next() * PLACES.len() as f64) as usize;
        let b = (g.next() * PLACES.len() as f64) as usize;
        if a != b {
            flows.push(Flow {
                from: (PLACES[a].1, PLACES[a].2),
                to: (PLACES[b].1, PLACES[b].2),
                quantity: (g.next() * 500.0).round(),
                probability: g.next(),
                ..Default::default()
            });
        }
    }
    let mut cells = Vec::new();
    let mut ecells = Vec::new();
    let mut hexes = Vec::new();
    let r = 0.6;
    let dx = r * 3f64.sqrt();
    for i in 0..24 {
        for j in 0..14 {
            let lon = -10.0 + i as f64 * dx + if j % 2 == 1 { dx / 2.0 } else { 0.0 };
            let lat = 10.0 + j as f64 * 1.5 * r;
            let v = ((i as f64 / 4.0).sin() + (j as f64 / 3.0).cos()) * 1.6 + g.next() - 0.5;
            let bin = (v.round() as i8).clamp(-3, 3);
            cells.push(BinnedCell { ring: hexagon(lon, lat, r), bin, ..Default::default() });
            hexes.push(BinnedCell {
                ring: hexagon(lon + 0.3, lat, r),
                bin: -bin,
                ..Default::default()
            });
            let cat = EmergingCategory::ALL[((i * 7 + j * 3) % 17) as usize];
            ecells.push(CategorizedCell {
                ring: hexagon(lon, lat, r),
                category: cat,
                tip: String::new(),
            });
        }
    }
    let months: Vec<String> =
        (0..36).map(|k| format!("{}-{:02}", 2021 + k / 12, k % 12 + 1)).collect();
    let regions = [
        "Liptako-Gourma",
        "Lake Chad Basin",
        "Fezzan",
        "Darfur",
        "Tillabéri",
        "Central Sahel borderlands (Mali / Burkina Faso / Niger)",
    ]
    .iter()
    .enumerate()
    .map(|(k, name)| {
        let s: Vec<f64> =
            (0..36).map(|t| (5.0 + t as f64 * 0.3 * k as f64 + g.next() * 6.0).round()).collect();
        let l: Vec<f64> = (0..36)
            .map(|t| if t == 10 && k == 2 { f64::NAN } else { (g.next() * 300.0).round() })
            .collect();
        RegionSeries {
            region: name.to_string(),
            seizures: s,
            looted: l,
            seizures_trend: Some(TrendMark {
                z: 0.8 * k as f64,
                p: [0.6, 0.2, 0.04, 0.01, 0.001, 0.0001][k],
            }),
            looted_trend: Some(TrendMark { z: -0.5 - 0.3 * k as f64, p: 0.3 / (k as f64 + 1.0) }),
        }
    })
    .collect();
    let countries =
        ["LBY", "NER", "MLI", "TCD", "BFA", "NGA", "SDN", "DZA", "MRT", "Central African Republic"];
    let values: Vec<Vec<f64>> = (0..10)
        .map(|i| {
            (0..10)
                .map(|j| {
                    if i == j || g.next() < 0.35 {
                        0.0
                    } else {
                        (g.next().powi(3) * 4000.0).round()
                    }
                })
                .collect()
        })
        .collect();
    let paths = vec![
        PathRow {
            nodes: vec!["LBY".into(), "NER".into(), "MLI".into()],
            expected_quantity: 820.0,
            ..Default::default()
        },
        PathRow {
            nodes: vec!["LBY".into(), "TCD".into(), "NGA".into()],
            expected_quantity: 410.0,
            ..Default::default()
        },
        PathRow {
            nodes: vec!["SDN".into(), "TCD".into(), "NER".into(), "BFA".into()],
            expected_quantity: 260.0,
            ..Default::default()
        },
        PathRow {
            nodes: vec!["LBY".into(), "DZA".into(), "MLI".into(), "BFA".into()],
            expected_quantity: 190.0,
            ..Default::default()
        },
        PathRow {
            nodes: vec!["MLI".into(), "BFA".into()],
            expected_quantity: 150.0,
            ..Default::default()
        },
        PathRow {
            nodes: vec!["Central African Republic".into(), "TCD".into(), "SDN".into()],
            expected_quantity: 75.0,
            ..Default::default()
        },
    ];
    DemoInputs {
        caption: caption(),
        basemap: basemap(),
        flows: FlowMapInput {
            flows,
            hubs: hubs.clone(),
            label_top_n: 12,
            quantity_unit: "weapons".into(),
            ..Default::default()
        },
        hubs: TopHubsInput {
            measure: "Flow betweenness (share of likely paths)".into(),
            hubs: hubs
                .iter()
                .map(|h| HubBar {
                    name: h.name.clone(),
                    value: h.betweenness,
                    ..Default::default()
                })
                .collect(),
            top_n: 12,
            ..Default::default()
        },
        hotspots: HotspotMapInput { cells, ..Default::default() },
        emerging: EmergingMapInput { cells: ecells, ..Default::default() },
        series: RegionalSeriesInput {
            months,
            regions,
            looted_unit: "weapons".into(),
            ..Default::default()
        },
        od: OdMatrixInput {
            origins: countries.iter().map(|s| s.to_string()).collect(),
            destinations: countries.iter().map(|s| s.to_string()).collect(),
            values,
            unit: "weapons".into(),
            log_scale: true,
            ..Default::default()
        },
        paths: TopPathsInput { paths, unit: "weapons".into(), ..Default::default() },
        recipients: RecipientsInput {
            recipients: ["Libya", "Mali", "Niger", "Chad", "Sudan"]
                .iter()
                .enumerate()
                .map(|(i, n)| RecipientBar {
                    name: n.to_string(),
                    delivered: 1000.0 * (5 - i) as f64,
                    seized: 100.0 * i as f64,
                    looted: 50.0 * (i % 3) as f64,
                    diverted: 30.0 * i as f64,
                    to_non_state: if i == 4 { 600.0 } else { 0.0 },
                })
                .collect(),
            ..Default::default()
        },
        risk: RiskHeatInput {
            rows: vec!["Chad (TCD)".into(), "Mali (MLI)".into()],
            columns: vec!["conflict events".into(), "looted".into()],
            cells: vec![
                vec![
                    HeatCell {
                        text: "12".into(),
                        standing: Some(1.0),
                        flagged: true,
                        tip: "a".into(),
                    },
                    HeatCell {
                        text: "0".into(),
                        standing: Some(0.0),
                        flagged: false,
                        tip: "b".into(),
                    },
                ],
                vec![
                    HeatCell {
                        text: "3".into(),
                        standing: Some(0.0),
                        flagged: false,
                        tip: "c".into(),
                    },
                    HeatCell::default(),
                ],
            ],
            ..Default::default()
        },
        exposure: SupplierExposureInput {
            suppliers: vec![
                SupplierBar {
                    name: "France (FRA)".into(),
                    by_flags: [5.0, 1.0, 0.0, 2.0],
                    re_export_flagged: 2.0,
                },
                SupplierBar {
                    name: "Russia (RUS)".into(),
                    by_flags: [9.0, 0.0, 0.0, 0.0],
                    re_export_flagged: 0.0,
                },
            ],
            ..Default::default()
        },
        closeups: CloseupsInput {
            name: "hotspot_closeups".into(),
            title: "Close-ups".into(),
            panels: (0..3)
                .map(|k| Panel {
                    title: format!("Panel {k}"),
                    extent: Extent {
                        lon_min: -10.0 + 4.0 * k as f64,
                        lon_max: -6.0 + 4.0 * k as f64,
                        lat_min: 10.0,
                        lat_max: 13.0,
                    },
                    cells: hexes
                        .iter()
                        .map(|h| ColouredCell {
                            ring: h.ring.clone(),
                            colour: [200, 30, 40],
                            ..Default::default()
                        })
                        .collect(),
                    places: PLACES
                        .iter()
                        .map(|&(n, lon, lat)| PlaceLabel { name: n.into(), lon, lat })
                        .collect(),
                    note: format!("{} records in view, 2019 to 2023", 10 * (k + 1)),
                })
                .collect(),
            legend_heading: "Bin".into(),
            legend: vec![([200, 30, 40], "Hot".into())],
            ..Default::default()
        },
        events: HotspotMapInput {
            title: "Conflict-event hot and cold spots".into(),
            cells: hexes,
            ..Default::default()
        },
    }
}

fn count(svg: &str, tag: &str) -> usize {
    svg.matches(&format!("<{tag} ")).count() + svg.matches(&format!("<{tag}>")).count()
}

/// Width and height from a PNG IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    (w, h)
}

/// The registered figures of `r` that have something to show (the others must be left out,
/// never failed), on one thread.
fn drawn_figures(r: &StageResults) -> Vec<Figure> {
    registry_figures(r, 1).into_iter().flatten().collect()
}

/// Every registered figure of `r`, in registry order: `None` for one with nothing to show
/// (left out of a run), a failure panics.
fn registry_figures(r: &StageResults, threads: usize) -> Vec<Option<Figure>> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| render_figures(&r.context()))
        .into_iter()
        .map(|f| match f {
            Ok(f) => Some(f),
            Err(ChartError::NothingToShow(_)) => None,
            Err(e) => panic!("figure failed: {e}"),
        })
        .collect()
}

#[test]
fn all_figures_render_with_expected_content() {
    let set = demo_inputs();
    let figs = set.render();
    // Every chart module names its figure as the registry does.
    let names: Vec<&str> = FIGURES.iter().map(|f| f.name).collect();
    assert_eq!(figs.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), names);
    for f in &figs {
        assert_eq!(png_size(&f.png), (2400, 1500), "{}", f.name);
        assert!(f.svg.starts_with("<svg"), "{}", f.name);
        assert!(f.svg.contains(&format!("\n{}\n</text>", f.title)), "title of {}", f.name);
        assert!(f.svg.contains("Source: divnet demo data (synthetic)"), "caption of {}", f.name);
        assert!(!f.svg.contains("No data"), "{}", f.name);
    }
    let by = |n: &str| figs.iter().find(|f| f.name == n).unwrap();

    // Recipients: rows by diversion evidence, most first (Sudan, which also transferred on
    // to non-state groups, then Chad ...), Libya (most delivered, no evidence) last.
    // Close-ups: one heading per panel, and the places inside each panel labelled.
    let cu = &by("hotspot_closeups").svg;
    for k in 0..3 {
        assert!(cu.contains(&format!("\nPanel {k}\n</text>")));
    }
    assert!(cu.contains("\nBamako\n</text>"), "Bamako lies in panel 0");
    let rc = &by("recipients").svg;
    let at = |n: &str| rc.find(&format!("\n{n}\n</text>")).unwrap_or_else(|| panic!("{n}"));
    assert!(at("Sudan") < at("Chad") && at("Chad") < at("Niger") && at("Mali") < at("Libya"));
    assert!(rc.contains("Its deliveries to non-state armed groups"));

    let fm = &by("flow_map").svg;
    // One <circle> per hub plus an outline each, plus 3 legend circles x 2.
    assert_eq!(count(fm, "circle"), 2 * PLACES.len() + 6);
    assert!(fm.contains("\nFlow quantity\n") && fm.contains("\n(weapons)\n"));
    assert!(fm.contains("\nHub flow betweenness\n") && fm.contains("\nFlow probability\n"));
    assert!(count(fm, "polyline") >= set.flows.flows.len());
    // The highest-betweenness hub is always labelled.
    let top = set.flows.hubs.iter().max_by(|a, b| a.betweenness.total_cmp(&b.betweenness)).unwrap();
    assert!(fm.contains(&format!("\n{}\n</text>", top.name)));

    let th = &by("top_hubs").svg;
    // 12 bars + legend swatch rectangle (filled + outline) + background.
    assert!(count(th, "rect") >= 12 + 2);
    assert!(th.contains("Flow betweenness (share of likely paths)"));

    let hs = &by("hotspot_map").svg;
    for l in BIN_LABELS {
        assert!(hs.contains(l), "legend entry {l}");
    }
    assert!(count(hs, "polygon") >= set.hotspots.cells.len());

    let em = &by("emerging_map").svg;
    for k in EmergingCategory::ALL {
        assert!(em.contains(k.label()), "legend entry {}", k.label());
    }

    let rs = &by("regional_series").svg;
    assert!(
        rs.contains("Seizures (count, left axis)")
            && rs.contains("Looted quantity (weapons, right axis)")
    );
    assert!(rs.contains("\nLiptako-Gourma\n</text>"));
    assert!(rs.contains("↑ z=4.00, p<0.001") || rs.contains("↑ z=4.00, p&lt;0.001"));
    assert!(rs.contains("…"), "long region name is truncated");

    let od = &by("od_matrix").svg;
    assert!(od.contains("\n(weapons, log scale)\n") && od.contains("No recorded flow"));
    // 100 cells (fill + white border) + colour bar steps.
    assert!(count(od, "rect") >= 200 + 96);

    let tp = &by("top_paths").svg;
    assert!(tp.contains("\nOrigin\n</text>") && tp.contains("\nDestination\n</text>"));
    assert!(tp.contains("\nTransit 2\n</text>"));
    assert!(tp.contains("1. LBY → NER → MLI (820)"));
}

#[test]
fn emerging_legend_lists_only_present_categories() {
    let cell = |k| CategorizedCell {
        ring: vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)],
        category: k,
        tip: String::new(),
    };
    let input = EmergingMapInput {
        cells: vec![cell(EmergingCategory::PersistentCold), cell(EmergingCategory::NoPattern)],
        ..Default::default()
    };
    let f = emerging_map::render(&input, &[], &caption(), RenderSize::PRINT).unwrap();
    assert!(f.svg.contains("Persistent cold spot") && f.svg.contains("No pattern detected"));
    assert!(!f.svg.contains("Persistent hot spot") && !f.svg.contains("New hot spot"));
}

#[test]
fn empty_inputs_leave_every_figure_out_with_its_line() {
    let empty = crate::common::empty_results();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let figs = pool.install(|| render_figures(&empty.context()));
    assert_eq!(figs.len(), FIGURES.len());
    for (f, spec) in figs.iter().zip(FIGURES) {
        match f {
            Err(ChartError::NothingToShow(a)) => {
                let line = a.line();
                assert!(line.starts_with("No ") && line.contains(": needs "), "{line}");
                assert!(line.contains("[[inputs."), "{}: {line} names no config key", spec.name);
            }
            other => panic!("{} is not left out: {other:?}", spec.name),
        }
    }
    // The step keeps the line and no figure, so no file is written.
    let step = divnet::stages::figures::figure_step(&FIGURES[0], &empty.context());
    assert!(step.figure.is_none() && step.error.is_none());
    assert_eq!(step.absent.unwrap().what, "flow map");
}

#[test]
fn title_text_is_rasterised() {
    let f = top_hubs::render(&TopHubsInput::default(), &caption(), RenderSize::PRINT).unwrap();
    let img = image::load_from_memory(&f.png).unwrap().to_rgb8();
    // Title band: top 120 px, left 1200 px. Dark pixels mean glyphs were drawn there.
    let dark = (0..120)
        .flat_map(|y| (0..1200).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|&c| c < 128))
        .count();
    assert!(dark > 2000, "title glyph pixels: {dark}");
    // The right part of the band (no title text there) stays background.
    let stray = (0..120)
        .flat_map(|y| (2000..2400).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0 != [255, 255, 255])
        .count();
    assert_eq!(stray, 0);
}

#[test]
fn registry_output_is_deterministic_and_thread_count_independent() {
    let demo = demo_results();
    let a = registry_figures(demo, 1);
    let b = registry_figures(demo, 2);
    let c = registry_figures(demo, 2);
    assert_eq!(a, b);
    assert_eq!(b, c);
    // The demo's conflict events form no emerging pattern (every cell of their cube is
    // "No Pattern Detected"): those two figures are left out; every other figure has data.
    let event_cube = &demo.hotspots.event_cube.emerging;
    assert!(!event_cube.is_empty());
    let no_pattern = event_cube.iter().all(|c| c.category.label() == "No Pattern Detected");
    for (f, spec) in a.iter().zip(FIGURES) {
        if no_pattern && spec.name.starts_with("event_emerging") {
            assert!(f.is_none(), "{} has nothing to show", spec.name);
            continue;
        }
        let f = f.as_ref().unwrap_or_else(|| panic!("{} has data in the demo run", spec.name));
        assert_eq!((f.name.as_str(), f.caption.as_str()), (spec.name, spec.caption));
        assert!(!f.svg.contains("No data"), "{} has data in the demo run", f.name);
        assert!(f.svg.contains("Reference date: "), "{} is dated by the data", f.name);
    }
}

#[test]
fn bad_inputs_are_typed_errors_not_panics() {
    let cap = caption();
    let s = RenderSize::PRINT;
    let bad_flow = FlowMapInput {
        flows: vec![Flow {
            from: (f64::NAN, 0.0),
            to: (1.0, 1.0),
            quantity: 1.0,
            probability: 0.5,
            ..Default::default()
        }],
        ..Default::default()
    };
    assert!(matches!(
        flow_map::render(&bad_flow, &[], &cap, s),
        Err(ChartError::InvalidValue { .. })
    ));
    let bad_hub = TopHubsInput {
        hubs: vec![HubBar { name: "x".into(), value: -1.0, ..Default::default() }],
        ..Default::default()
    };
    let err = top_hubs::render(&bad_hub, &cap, s).unwrap_err();
    assert!(matches!(err, ChartError::InvalidValue { value, .. } if value == -1.0));
    let bad_cell = HotspotMapInput {
        cells: vec![BinnedCell { ring: vec![(0.0, 95.0)], bin: 0, ..Default::default() }],
        ..Default::default()
    };
    assert!(hotspot_map::render(&bad_cell, &[], &cap, s).is_err());
    let bad_od = OdMatrixInput {
        origins: vec!["A".into()],
        destinations: vec!["B".into()],
        values: vec![vec![]],
        ..Default::default()
    };
    assert!(matches!(
        od_matrix::render(&bad_od, &cap, s),
        Err(ChartError::LengthMismatch { expected: 1, found: 0, .. })
    ));
    let bad_trend = RegionalSeriesInput {
        months: vec!["m".into()],
        regions: vec![RegionSeries {
            seizures: vec![1.0],
            looted: vec![1.0],
            seizures_trend: Some(TrendMark { z: 1.0, p: 2.0 }),
            ..Default::default()
        }],
        ..Default::default()
    };
    assert!(regional_series::render(&bad_trend, &cap, s).is_err());
    let bad_path = TopPathsInput {
        paths: vec![PathRow {
            nodes: vec!["a".into(), "b".into()],
            expected_quantity: f64::INFINITY,
            ..Default::default()
        }],
        ..Default::default()
    };
    assert!(top_paths::render(&bad_path, &cap, s).is_err());
}

#[test]
fn user_text_is_escaped_in_svg() {
    let input = TopHubsInput {
        measure: "a<b & \"c\"".into(),
        hubs: vec![HubBar {
            name: "<script>alert(1)</script>".into(),
            value: 1.0,
            ..Default::default()
        }],
        ..Default::default()
    };
    let f = top_hubs::render(&input, &caption(), RenderSize::PRINT).unwrap();
    assert!(!f.svg.contains("<script>"));
    assert!(f.svg.contains("&lt;script&gt;"));
}

#[test]
fn long_labels_are_ellipsized() {
    let long =
        "An exceptionally long hub name that cannot possibly fit in the label column of the chart";
    let input = TopHubsInput {
        hubs: vec![HubBar { name: long.into(), value: 1.0, ..Default::default() }],
        ..Default::default()
    };
    let f = top_hubs::render(&input, &caption(), RenderSize::PRINT).unwrap();
    assert!(!f.svg.contains(long));
    assert!(f.svg.contains("\nAn exceptionally long"));
    assert!(f.svg.contains("…\n</text>"));
}

/// Writes the demo PNGs when DIVNET_CHART_DEMO_DIR is set (for looking at them).
#[test]
fn write_demo_pngs_when_requested() {
    let Ok(dir) = std::env::var("DIVNET_CHART_DEMO_DIR") else { return };
    for f in demo_inputs().render() {
        std::fs::write(format!("{dir}/{}.png", f.name), &f.png).unwrap();
        std::fs::write(format!("{dir}/{}.svg", f.name), &f.svg).unwrap();
    }
}

/// Process CPU time (user + system) in seconds from /proc/self/stat (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    // After the command name: field 3 (state) is index 0, so utime (14) and stime (15) are
    // indices 11 and 12; the kernel reports them in clock ticks (100 per second).
    let f: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// Timing of the registered figures of the demo run (run with --release --ignored
/// --nocapture). Prints wall-clock median and minimum of 5 runs and the mean CPU time per run.
#[test]
#[ignore]
fn render_all_timing() {
    let demo = demo_results();
    for threads in [1, 2] {
        let mut times = Vec::new();
        let cpu0 = cpu_seconds();
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let figs = registry_figures(demo, threads);
            times.push(t.elapsed().as_secs_f64());
            assert_eq!(figs.len(), FIGURES.len());
            assert!(figs.iter().flatten().count() > FIGURES.len() / 2);
        }
        let cpu = (cpu_seconds() - cpu0) / 5.0;
        times.sort_by(f64::total_cmp);
        println!(
            "render_all threads={threads}: wall median {:.3} s, min {:.3} s; \
             CPU {cpu:.3} s per run",
            times[2], times[0]
        );
    }
}

/// Route reports alone give a network without diversion cases: hubs are ranked by
/// betweenness (not alphabetically, not all tied), the table and the chart say so, and the
/// top-hubs chart shows them instead of "No data".
#[test]
fn a_run_without_cases_ranks_hubs_by_betweenness_and_says_so() {
    let mut config = divnet::config::Config::empty(&crate::common::root());
    config.inputs.routes = vec![divnet::inputs::InputSpec::for_path(
        crate::common::root().join("datasets/demo/routes.csv").display().to_string(),
    )];
    let r = StageResults::compute(config);
    assert!(r.paths.cases.is_empty());
    let h = &r.hubs;
    assert_eq!(h.ranked_by, divnet::stages::hubs::HubRanking::Betweenness);
    let first = (0..h.rank.len()).find(|&i| h.rank[i] == 1).unwrap();
    let best = h.betweenness.iter().cloned().fold(0.0, f64::max);
    assert!(best > 0.0);
    assert_eq!(h.betweenness[first], best, "rank 1 is the most central node");
    let mut by_rank: Vec<usize> = (0..h.rank.len()).collect();
    by_rank.sort_by_key(|&i| h.rank[i]);
    assert!(by_rank.windows(2).all(|w| h.betweenness[w[0]] >= h.betweenness[w[1]]));
    let tables = divnet::stages::hubs::hubs_tables(h, &r.paths).unwrap();
    let col = tables[0].df.column("ranked_by").unwrap().str().unwrap().get(0).map(String::from);
    assert_eq!(col.as_deref(), Some("betweenness"));
    let figs = drawn_figures(&r);
    let hubs = figs.iter().find(|f| f.name == "top_hubs").unwrap();
    assert!(hubs.title.contains("betweenness (no diversion cases)"), "{}", hubs.title);
    assert!(!hubs.svg.contains("\nNo data\n</text>"), "the chart shows the hubs");
    // The flow map draws the network's most probable edges instead of "No data", and the
    // caption's period comes from the route reports' dates.
    let map = figs.iter().find(|f| f.name == "flow_map").unwrap();
    assert!(map.title.contains("Most probable network edges"), "{}", map.title);
    for legend in ["Evidence (reports)", "Edge probability", "Hub betweenness"] {
        assert!(map.svg.contains(legend), "legend {legend}");
    }
    assert!(!map.svg.contains("Hub flow betweenness"));
    assert!(!map.svg.contains("\nNo data\n</text>"), "the map shows edges");
    assert!(map.svg.matches("<polyline").count() > 20, "edges drawn");
    let (first, last) =
        r.ing.routes.iter().flat_map(|x| x.first_reported.into_iter().chain(x.last_reported)).fold(
            (None, None),
            |(lo, hi): (Option<divnet::date::PartialDate>, Option<_>), d| {
                (
                    Some(lo.map_or(d, |x| x.min(d))),
                    Some(hi.map_or(d, |x: divnet::date::PartialDate| x.max(d))),
                )
            },
        );
    let period = format!("Period: {} to {}", first.unwrap(), last.unwrap());
    assert!(map.svg.contains(&period), "{period}");
}

/// A caption too long for one line (a long source and citation) is drawn as two, and the
/// date it ends with is never cut.
#[test]
fn a_long_caption_wraps_and_keeps_its_date() {
    let long = Caption {
        source: format!(
            "{} · Data: SIPRI Arms Transfers Database, Stockholm International Peace Research Institute",
            "x".repeat(90)
        ),
        date_range: "1954 to 2024".into(),
        dated: "Reference date: 2024-12-31".into(),
    };
    let f = top_hubs::render(&TopHubsInput::default(), &long, RenderSize::PRINT).unwrap();
    assert!(f.svg.contains("Period: 1954 to 2024 · Reference date: 2024-12-31"), "date kept whole");
    assert!(f.svg.contains("Source: xxxx"));
    // A short caption stays on one line.
    let f = top_hubs::render(&TopHubsInput::default(), &caption(), RenderSize::PRINT).unwrap();
    assert!(f.svg.contains(&caption().line()));
}
