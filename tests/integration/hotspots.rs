//! divnet::hotspot against PySAL esda / pymannkendall / statsmodels / h3-py fixtures
//! (scripts/reference/hotspot_fixtures.py), plus emerging hot spot rule fixtures.

use divnet::algo::Parallelism;
use divnet::hotspot::Significance::{Cold, Hot, None as N};
use divnet::hotspot::{
    Domain, EmergingCategory as C, EmergingOptions, Event, GiStarOptions, GiStatus, NeighbourLists,
    PermutationDraws, SpaceTimeCube, StudyArea, TrendDirection, benjamini_hochberg, bin_events,
    build_space_time_cube, build_study_area, classify_series, emerging_hotspots, gi_star,
    gi_star_cells, gi_star_pseudo_p, mann_kendall,
};
use h3o::CellIndex;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference/hotspots");

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{DIR}/{name}")).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn lists(v: &Value) -> Vec<Vec<usize>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect())
        .collect()
}

fn cells(v: &Value) -> Vec<CellIndex> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().parse().unwrap()).collect()
}

#[test]
fn gi_star_matches_esda_g_local_star_binary() {
    let fx = load("gistar.json");
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let y = f64s(&case["values"]);
        let nb = lists(&case["neighbours"]);
        let w = NeighbourLists::from_lists(&nb).unwrap();
        let zs = f64s(&case["zs"]);
        let gs = f64s(&case["gs"]);
        let p2 = f64s(&case["p_two_sided"]);
        let seq = gi_star(
            &y,
            &w,
            &GiStarOptions { parallelism: Parallelism::Sequential, ..Default::default() },
        )
        .unwrap();
        let par = gi_star(
            &y,
            &w,
            &GiStarOptions { parallelism: Parallelism::Rayon, ..Default::default() },
        )
        .unwrap();
        assert_eq!(seq, par, "{name}: parallel differs");
        let mut n_defined = 0;
        for i in 0..y.len() {
            let g = &seq[i];
            let defined = case["defined"][i].as_bool().unwrap();
            if !defined {
                assert_eq!(g.status, GiStatus::Island, "{name}[{i}]");
                assert!(g.z.is_none() && g.p.is_none() && g.bin == 0);
                continue;
            }
            n_defined += 1;
            assert_eq!(g.status, GiStatus::Defined, "{name}[{i}]");
            assert!((g.z.unwrap() - zs[i]).abs() < 1e-9, "{name}[{i}] z {:?} vs {}", g.z, zs[i]);
            assert!((g.g.unwrap() - gs[i]).abs() < 1e-12, "{name}[{i}] G");
            assert!((g.p.unwrap() - p2[i]).abs() < 1e-9, "{name}[{i}] p");
            let q = case["p_fdr_bh"][i].as_f64().unwrap();
            assert!((g.p_fdr.unwrap() - q).abs() < 1e-9, "{name}[{i}] q");
            assert_eq!(g.weight_sum as usize, nb[i].len() + 1);
        }
        assert!(n_defined > 0);
        if let Some(doc) = case.get("docstring_zs") {
            for (g, z) in seq.iter().zip(f64s(doc)) {
                assert!((g.z.unwrap() - z).abs() < 1e-8, "{name}: docstring value");
            }
        }
        // H3 cases: our k-ring weights equal the explicit lists built with h3-py
        if case["cells"].is_array() && case.get("n_steps").is_none() {
            let cs = cells(&case["cells"]);
            let k = case["k"].as_u64().unwrap() as u32;
            let ours = NeighbourLists::h3_k_ring(&cs, k, Parallelism::Rayon).unwrap();
            assert_eq!(ours, w, "{name}: k-ring weights");
            let area = StudyArea { cells: cs.clone(), values: y.clone() };
            let opts = GiStarOptions { k, fdr: true, parallelism: Parallelism::Rayon };
            let via_cells = gi_star_cells(&area, &opts).unwrap();
            assert!(via_cells.iter().zip(&seq).all(|(a, b)| a.gi == *b));
            assert!(via_cells.iter().map(|c| c.cell).eq(cs.iter().copied()));
        }
        if let Some(steps) = case.get("n_steps") {
            let cs = cells(&case["cells"]);
            let k = case["k"].as_u64().unwrap() as u32;
            let lag = case["time_lag"].as_u64().unwrap() as usize;
            let spatial = NeighbourLists::h3_k_ring(&cs, k, Parallelism::Sequential).unwrap();
            let st = spatial.space_time(steps.as_u64().unwrap() as usize, lag).unwrap();
            assert_eq!(st, w, "{name}: space-time weights");
        }
    }
}

#[test]
fn bins_follow_arcgis_levels_on_fixture() {
    let fx = load("gistar.json");
    let case = &fx["cases"][2];
    let y = f64s(&case["values"]);
    let w = NeighbourLists::from_lists(&lists(&case["neighbours"])).unwrap();
    for fdr in [false, true] {
        let out = gi_star(
            &y,
            &w,
            &GiStarOptions { fdr, parallelism: Parallelism::Sequential, ..Default::default() },
        )
        .unwrap();
        for g in &out {
            let p = if fdr { g.p_fdr.unwrap() } else { g.p.unwrap() };
            let level = if p < 0.01 {
                3
            } else if p < 0.05 {
                2
            } else if p < 0.1 {
                1
            } else {
                0
            };
            assert_eq!(g.bin, level * g.z.unwrap().signum() as i8);
        }
        assert!(out.iter().any(|g| g.bin == 3));
    }
}

#[test]
fn mann_kendall_matches_pymannkendall() {
    let fx = load("mann_kendall.json");
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = f64s(&case["x"]);
        let r = mann_kendall(&x, 0.05, true).unwrap();
        let close = |a: f64, key: &str| {
            let b = case[key].as_f64().unwrap();
            assert!((a - b).abs() < 1e-9, "{name}.{key}: {a} vs {b}");
        };
        close(r.s, "s");
        close(r.var_s, "var_s");
        close(r.z, "z");
        close(r.p, "p");
        close(r.tau, "tau");
        close(r.slope.unwrap(), "slope");
        close(r.intercept.unwrap(), "intercept");
        let expected = match case["trend"].as_str().unwrap() {
            "increasing" => TrendDirection::Increasing,
            "decreasing" => TrendDirection::Decreasing,
            _ => TrendDirection::NoTrend,
        };
        assert_eq!(r.trend, expected, "{name}");
    }
}

#[test]
fn benjamini_hochberg_matches_statsmodels() {
    let fx = load("fdr.json");
    let q = benjamini_hochberg(&f64s(&fx["p"])).unwrap();
    for (a, b) in q.iter().zip(f64s(&fx["q"])) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
}

#[test]
fn binning_and_bbox_match_h3_py() {
    let fx = load("binning.json");
    let res = fx["resolution"].as_u64().unwrap() as u8;
    let events: Vec<Event> = fx["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| Event {
            lat: e[0].as_f64().unwrap(),
            lon: e[1].as_f64().unwrap(),
            step: None,
            weight: e[2].as_f64().unwrap(),
        })
        .collect();
    for parallelism in [Parallelism::Sequential, Parallelism::Rayon] {
        let got = bin_events(&events, res, parallelism).unwrap();
        assert_eq!(got.iter().map(|c| c.cell).collect::<Vec<_>>(), cells(&fx["cells"]));
        assert_eq!(got.iter().map(|c| c.value).collect::<Vec<_>>(), f64s(&fx["sums"]));
        let counts: Vec<u64> =
            fx["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).collect();
        assert_eq!(got.iter().map(|c| c.count).collect::<Vec<_>>(), counts);
    }
    let b = &fx["bbox"];
    let domain = Domain::Bbox {
        west: b["west"].as_f64().unwrap(),
        south: b["south"].as_f64().unwrap(),
        east: b["east"].as_f64().unwrap(),
        north: b["north"].as_f64().unwrap(),
    };
    let area = build_study_area(
        &[],
        b["resolution"].as_u64().unwrap() as u8,
        &domain,
        100_000,
        Parallelism::Rayon,
    )
    .unwrap();
    assert_eq!(area.cells, cells(&fx["bbox_cells"]));
    assert!(area.values.iter().all(|v| *v == 0.0));
}

#[test]
fn permutation_pseudo_p_agrees_with_analytical_inference() {
    let fx = load("gistar.json");
    let case = &fx["cases"][2];
    let y = f64s(&case["values"]);
    let w = NeighbourLists::from_lists(&lists(&case["neighbours"])).unwrap();
    let analytical = gi_star(&y, &w, &GiStarOptions::default()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    for draws in [PermutationDraws::PerCell, PermutationDraws::PerClass] {
        let a = gi_star_pseudo_p(&y, &w, 999, 12345, draws, Parallelism::Sequential).unwrap();
        let b = pool
            .install(|| gi_star_pseudo_p(&y, &w, 999, 12345, draws, Parallelism::Rayon))
            .unwrap();
        assert_eq!(a, b);
        let mut strong = 0;
        for (g, p) in analytical.iter().zip(&a) {
            let p = p.unwrap();
            assert!((1.0 / 1000.0..=0.5 + 1e-9).contains(&p));
            let z = g.z.unwrap();
            if z > 4.0 {
                strong += 1;
                assert!(p <= 0.02, "{draws:?}: z {z} p_sim {p}");
            }
            if z.abs() < 0.3 {
                assert!(p >= 0.05, "{draws:?}: z {z} p_sim {p}");
            }
        }
        assert!(strong > 0);
    }
}

/// Hand-built significance series, one per category and per documented edge case.
#[test]
fn emerging_categories_follow_documented_rules() {
    use TrendDirection::{Decreasing as Dn, Increasing as Up, NoTrend as Flat};
    let hot10 = [Hot; 10];
    let cold10 = [Cold; 10];
    let cases: Vec<(&str, Vec<_>, Option<TrendDirection>, C)> = vec![
        ("new", vec![N, N, N, N, Hot], Some(Flat), C::NewHotSpot),
        ("new cold", vec![N, N, Cold], None, C::NewColdSpot),
        ("consecutive", vec![N, N, N, Hot, Hot, Hot], Some(Up), C::ConsecutiveHotSpot),
        ("consecutive cold", vec![N, Cold, Cold], None, C::ConsecutiveColdSpot),
        ("intensifying", hot10.to_vec(), Some(Up), C::IntensifyingHotSpot),
        ("persistent", hot10.to_vec(), Some(Flat), C::PersistentHotSpot),
        ("diminishing", hot10.to_vec(), Some(Dn), C::DiminishingHotSpot),
        ("intensifying cold", cold10.to_vec(), Some(Dn), C::IntensifyingColdSpot),
        ("persistent cold", cold10.to_vec(), Some(Flat), C::PersistentColdSpot),
        ("diminishing cold", cold10.to_vec(), Some(Up), C::DiminishingColdSpot),
        ("sporadic", vec![Hot, N, Hot, N, N, Hot], Some(Flat), C::SporadicHotSpot),
        ("sporadic cold", vec![Cold, N, Cold, Cold], None, C::SporadicColdSpot),
        ("oscillating", vec![Cold, N, Hot, Cold, Hot], Some(Flat), C::OscillatingHotSpot),
        ("oscillating cold", vec![Hot, Hot, Cold], None, C::OscillatingColdSpot),
        (
            "historical",
            vec![Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot, N],
            Some(Dn),
            C::HistoricalHotSpot,
        ),
        (
            "historical cold",
            vec![Cold, Cold, Cold, Cold, Cold, Cold, Cold, Cold, Cold, N],
            None,
            C::HistoricalColdSpot,
        ),
        ("no pattern", vec![Hot, N, N], Some(Flat), C::NoPattern),
        ("all none", vec![N; 8], Some(Flat), C::NoPattern),
        ("empty", vec![], None, C::NoPattern),
        // edge: a single time step
        ("single hot", vec![Hot], None, C::NewHotSpot),
        ("single cold", vec![Cold], None, C::NewColdSpot),
        ("single none", vec![N], None, C::NoPattern),
        // edge: exactly 90% counts as "at least 90%" (9 of 10), 8 of 9 = 88.9% does not
        (
            "ninety tie",
            vec![N, Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot],
            Some(Flat),
            C::PersistentHotSpot,
        ),
        (
            "below ninety",
            vec![N, Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot],
            Some(Flat),
            C::ConsecutiveHotSpot,
        ),
        (
            "below ninety sporadic",
            vec![Hot, N, Hot, Hot, Hot, Hot, Hot, Hot, Hot],
            Some(Up),
            C::SporadicHotSpot,
        ),
        (
            "ninety not final",
            vec![Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot, N],
            None,
            C::HistoricalHotSpot,
        ),
        (
            "eighty not final",
            vec![Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot, N, N],
            None,
            C::NoPattern,
        ),
        // edge: >= 90% hot including final with one cold bin is still a 90% pattern
        (
            "ninety with cold",
            vec![Cold, Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot, Hot],
            Some(Up),
            C::IntensifyingHotSpot,
        ),
        // edge: no trend computed (None) for a >= 90% series -> persistent
        ("no trend info", vec![Hot, Hot], None, C::PersistentHotSpot),
        // edge: hot now, only cold before -> oscillating (not new / consecutive)
        ("new after cold", vec![Cold, N, N, Hot], None, C::OscillatingHotSpot),
        ("run after cold", vec![Cold, N, Hot, Hot], None, C::OscillatingHotSpot),
        // edge: final non-significant after hot and cold history below 90% -> no pattern
        ("mixed history", vec![Hot, Cold, Hot, N], Some(Flat), C::NoPattern),
        // edge: a trailing run of length 1 with earlier hot is sporadic, not consecutive
        ("run of one", vec![Hot, Hot, N, Hot], Some(Flat), C::SporadicHotSpot),
    ];
    for (name, sig, trend, want) in cases {
        assert_eq!(classify_series(&sig, trend), want, "{name}");
    }
    assert_eq!(C::IntensifyingHotSpot.label(), "Intensifying Hot Spot");
    assert_eq!(C::NoPattern.label(), "No Pattern Detected");
}

#[test]
fn emerging_end_to_end_growing_cluster() {
    // a background of one event per cell and step over a resolution-6 disk; a cluster whose
    // intensity grows over 8 steps at its centre.
    let centre = h3o::LatLng::new(12.0, 8.5).unwrap().to_cell(h3o::Resolution::Six);
    let disk: Vec<CellIndex> = centre.grid_disk(8);
    let core: Vec<CellIndex> = centre.grid_disk(1);
    let steps = 8u32;
    let mut events = Vec::new();
    for t in 0..steps {
        for (i, c) in disk.iter().enumerate() {
            let ll = h3o::LatLng::from(*c);
            let w = 1.0 + ((i * 7 + t as usize * 3) % 5) as f64 * 0.25;
            events.push(Event { lat: ll.lat(), lon: ll.lng(), step: Some(t), weight: w });
            if core.contains(c) {
                events.push(Event {
                    lat: ll.lat(),
                    lon: ll.lng(),
                    step: Some(t),
                    weight: 40.0 + 5.0 * f64::from(t),
                });
            }
        }
    }
    let cube = build_space_time_cube(
        &events,
        6,
        steps as usize,
        &Domain::Occupied,
        10_000,
        Parallelism::Rayon,
    )
    .unwrap();
    assert_eq!(cube.cells.len(), disk.len());
    let seq = emerging_hotspots(
        &cube,
        &EmergingOptions { parallelism: Parallelism::Sequential, ..Default::default() },
    )
    .unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let par = pool.install(|| emerging_hotspots(&cube, &EmergingOptions::default())).unwrap();
    assert_eq!(seq, par);
    let at = |c: CellIndex| seq.iter().find(|e| e.cell == c).unwrap();
    let e = at(centre);
    assert_eq!(e.significance.iter().filter(|s| **s == Hot).count(), 8);
    assert_eq!(e.trend.unwrap().trend, TrendDirection::Increasing);
    assert_eq!(e.category, C::IntensifyingHotSpot);
    // a far edge cell is never hot
    let far = disk.iter().find(|c| c.grid_distance(centre).unwrap_or(0) == 8).unwrap();
    assert!(!at(*far).significance.contains(&Hot));
    let bad = SpaceTimeCube { cells: cube.cells.clone(), n_steps: 3, values: vec![0.0; 2] };
    assert!(emerging_hotspots(&bad, &EmergingOptions::default()).is_err());
    let no_step = [Event { lat: 0.0, lon: 0.0, step: None, weight: 1.0 }];
    assert!(
        build_space_time_cube(&no_step, 6, 2, &Domain::Occupied, 10, Parallelism::Sequential)
            .is_err()
    );
}
