//! Renders the seven standard figures (SVG + PNG at 2400x1500) for a demo-sized input, on one
//! thread and on two.

use criterion::{Criterion, criterion_group, criterion_main};
use divnet::chart::basemap::load_geojson;
use divnet::chart::emerging_map::{CategorizedCell, EmergingCategory, EmergingMapInput};
use divnet::chart::flow_map::{Flow, FlowMapInput, Hub};
use divnet::chart::hotspot_map::{BinnedCell, HotspotMapInput};
use divnet::chart::od_matrix::OdMatrixInput;
use divnet::chart::regional_series::{RegionSeries, RegionalSeriesInput, TrendMark};
use divnet::chart::top_hubs::{HubBar, TopHubsInput};
use divnet::chart::top_paths::{PathRow, TopPathsInput};
use divnet::chart::{Caption, FigureSet, RenderSize, render_all};

fn demo() -> FigureSet {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/geo/countries_50m.geojson");
    let basemap = std::fs::read(path).ok().and_then(|b| load_geojson(&b).ok()).unwrap_or_default();
    let pts: Vec<(f64, f64)> =
        (0..20).map(|i| (-15.0 + 2.0 * i as f64, 10.0 + (i as f64 * 1.7) % 20.0)).collect();
    let hubs: Vec<Hub> = pts
        .iter()
        .enumerate()
        .map(|(i, &(lon, lat))| Hub {
            name: format!("Hub {i}"),
            lon,
            lat,
            betweenness: (i % 7) as f64 / 7.0,
        })
        .collect();
    let flows = (0..60)
        .map(|k| Flow {
            from: pts[k % 20],
            to: pts[(k * 7 + 3) % 20],
            quantity: (k * 37 % 500) as f64,
            probability: (k % 10) as f64 / 10.0,
        })
        .collect();
    let hex = |lon: f64, lat: f64| -> Vec<(f64, f64)> {
        (0..6)
            .map(|k| {
                let a = std::f64::consts::PI / 3.0 * k as f64;
                (lon + 0.5 * a.cos(), lat + 0.5 * a.sin())
            })
            .collect()
    };
    let centres: Vec<(f64, f64)> =
        (0..400).map(|i| (-10.0 + (i % 25) as f64 * 0.9, 10.0 + (i / 25) as f64 * 0.8)).collect();
    let months: Vec<String> =
        (0..48).map(|k| format!("{}-{:02}", 2020 + k / 12, k % 12 + 1)).collect();
    let names: Vec<String> = (0..12).map(|i| format!("C{i:02}")).collect();
    FigureSet {
        caption: Caption {
            source: "bench".into(),
            date_range: "2020-01 to 2023-12".into(),
            run_date: "2026-11-22".into(),
        },
        basemap,
        flows: FlowMapInput { flows, hubs: hubs.clone(), label_top_n: 10, ..Default::default() },
        hubs: TopHubsInput {
            hubs: hubs
                .iter()
                .map(|h| HubBar { name: h.name.clone(), value: h.betweenness })
                .collect(),
            top_n: 15,
            ..Default::default()
        },
        hotspots: HotspotMapInput {
            cells: centres
                .iter()
                .enumerate()
                .map(|(i, &(x, y))| BinnedCell { ring: hex(x, y), bin: (i % 7) as i8 - 3 })
                .collect(),
            ..Default::default()
        },
        emerging: EmergingMapInput {
            cells: centres
                .iter()
                .enumerate()
                .map(|(i, &(x, y))| CategorizedCell {
                    ring: hex(x, y),
                    category: EmergingCategory::ALL[i % 17],
                })
                .collect(),
            ..Default::default()
        },
        series: RegionalSeriesInput {
            regions: (0..9)
                .map(|r| RegionSeries {
                    region: format!("Region {r}"),
                    seizures: (0..48).map(|t| ((t * (r + 3)) % 17) as f64).collect(),
                    looted: (0..48).map(|t| ((t * 31 + r) % 200) as f64).collect(),
                    seizures_trend: Some(TrendMark { z: 1.5, p: 0.13 }),
                    looted_trend: Some(TrendMark { z: -2.5, p: 0.012 }),
                })
                .collect(),
            months,
            ..Default::default()
        },
        od: OdMatrixInput {
            origins: names.clone(),
            destinations: names,
            values: (0..12)
                .map(|i| (0..12).map(|j| ((i * 7 + j * 13) % 50) as f64 * 10.0).collect())
                .collect(),
            ..Default::default()
        },
        paths: TopPathsInput {
            paths: (0..10)
                .map(|k| PathRow {
                    nodes: (0..2 + k % 3).map(|n| format!("C{:02}", (k + n * 5) % 12)).collect(),
                    expected_quantity: 1000.0 / (k + 1) as f64,
                })
                .collect(),
            ..Default::default()
        },
    }
}

fn bench(c: &mut Criterion) {
    let set = demo();
    let mut g = c.benchmark_group("render_all");
    g.sample_size(10);
    for threads in [1usize, 2] {
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| render_all(&set, RenderSize::PRINT, threads).map(|v| v.len()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
