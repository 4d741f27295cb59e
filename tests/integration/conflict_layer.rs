//! The conflict-event layer on UCDP GED (the sample of 72 events in the Central African
//! Republic, `tests/data/sources/ucdp_ged_sample.geojson`): events weighted by their
//! deaths (`hotspots.event_weight`) in the Gi* cells, the regional trends and the
//! space-time cube; one-sided violence by a named government through `where`; the event
//! figures, close-ups and report tables.
//!
//! Every expected number was counted from the raw GeoJSON with a few lines of Python:
//! 72 events, deaths best/low/high 570/454/646 in all; 48 located more finely than a
//! region of the country (`where_prec` 1-4), with best/low/high 483/367/538; 11 events of
//! one-sided violence (`type_of_violence` 3) by "Government of Central African Republic",
//! 34 deaths (best).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use divnet::config::{ConflictWeight, HotspotsConfig};
use divnet::ingest::{IngestOptions, InputSet, ingest};
use divnet::inputs::InputSpec;
use divnet::inputs::presets::Preset;
use divnet::inputs::rules::{FilterValue, RowFilter};
use divnet::schema::TableKind;
use divnet::stages::hotspots::{event_cells_step, event_cube_step, regional_step};

use crate::common::{csv_rows, data, gaz, run_config};

const UCDP: &str = "sources/ucdp_ged_sample.geojson";

fn ucdp_events() -> Vec<divnet::records::ConflictEvent> {
    read_events(UCDP, Preset::UcdpGed, &[])
}

/// The events of `rel` read with `preset` and the row filters `filters`.
fn read_events(
    rel: &str,
    preset: Preset,
    filters: &[(&str, RowFilter)],
) -> Vec<divnet::records::ConflictEvent> {
    let mut spec = InputSpec::for_path(data(rel).display().to_string());
    for (column, filter) in filters {
        spec.filters.insert(column.to_string(), filter.clone());
    }
    spec.preset = Some(preset);
    spec.apply_preset(preset, TableKind::Events);
    let mut inputs = InputSet::default();
    inputs.of_mut(TableKind::Events).push(spec);
    let opts = IngestOptions {
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        ..IngestOptions::default()
    };
    ingest(&inputs, Path::new("/"), gaz(), opts).unwrap().events
}

#[test]
fn each_event_weight_sums_its_estimate_of_the_raw_file_in_cells_cube_and_regions() {
    let events = ucdp_events();
    assert_eq!(events.len(), 72);
    for (w, located, all) in [
        (ConflictWeight::Count, 48.0, 72.0),
        (ConflictWeight::Fatalities, 483.0, 570.0),
        (ConflictWeight::FatalitiesLow, 367.0, 454.0),
        (ConflictWeight::FatalitiesHigh, 538.0, 646.0),
    ] {
        let cfg = HotspotsConfig {
            event_weight: w,
            trend_step: divnet::date::TimeStep::Year,
            ..HotspotsConfig::default()
        };
        let cells = event_cells_step(&cfg, &events).unwrap();
        let total: f64 = cells.cells.iter().map(|c| c.gi.value).sum();
        assert_eq!(total, located, "{w:?}: the Gi* cells");
        assert_eq!(cells.excluded_country_level, 24);
        assert_eq!(cells.occupied.iter().map(|c| c.records).sum::<u64>(), 48);
        // The cube holds the located events whose date fits a year (all of them).
        let cube = event_cube_step(&cfg, &events).unwrap();
        assert_eq!(cube.excluded_coarse_date, 0);
        assert!(!cube.emerging.is_empty(), "{w:?}: no emerging cells");
        assert_eq!(cube.steps.first().map(String::as_str), Some("1993"));
        assert_eq!(cube.steps.last().map(String::as_str), Some("2022"));
        // The regional aggregate of the country counts every event, located or not.
        let reg = regional_step(&cfg, gaz(), &[], &[], &events);
        let caf = reg.regional.iter().find(|r| r.name == "CAF").unwrap();
        assert_eq!((caf.conflict_events, caf.fatalities), (72, 570));
        assert_eq!(caf.events_weighted, all, "{w:?}: the regional weight");
        assert_eq!(caf.series_events.iter().sum::<f64>(), 72.0);
        let deaths = if w == ConflictWeight::Count { 570.0 } else { all };
        assert_eq!(caf.series_deaths.iter().sum::<f64>(), deaths, "{w:?}");
        assert_eq!(reg.event_steps.len(), 30);
        assert!(caf.event_trend.is_some(), "{w:?}: no trend");
    }
}

/// Runs the UCDP sample with the config lines `input` (added to the input) and `tail`;
/// returns the output directory.
#[test]
fn acled_events_filtered_by_event_type_weigh_their_one_estimate_whatever_the_estimate() {
    // The ACLED fixture's three "Violence against civilians" events (NGA0001, MLI0003,
    // SDN0005), 4 + 0 + 0 fatalities, each located at a place or a province.
    let kept = RowFilter::Values(vec![FilterValue::Text("Violence against civilians".into())]);
    let events = read_events("sources/acled_fixture.csv", Preset::Acled, &[("event_type", kept)]);
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["NGA0001", "MLI0003", "SDN0005"]);
    for (w, want) in [
        (ConflictWeight::Count, 3.0),
        (ConflictWeight::Fatalities, 4.0),
        (ConflictWeight::FatalitiesLow, 4.0),
        (ConflictWeight::FatalitiesHigh, 4.0),
    ] {
        let cfg = HotspotsConfig { event_weight: w, ..HotspotsConfig::default() };
        let cells = event_cells_step(&cfg, &events).unwrap();
        assert_eq!(cells.cells.iter().map(|c| c.gi.value).sum::<f64>(), want, "{w:?}");
    }
}

fn run(dir: &Path, name: &str, input: &str, tail: &str) -> std::path::PathBuf {
    let cfg = dir.join(format!("{name}.toml"));
    let path = data(UCDP).display().to_string();
    std::fs::write(
        &cfg,
        format!(
            "[run]\nout = {name:?}\n\n[[inputs.events]]\npath = {path:?}\npreset = \"ucdp-ged\"\n{input}\n{tail}"
        ),
    )
    .unwrap();
    run_config(&cfg);
    dir.join(name)
}

fn sum(rows: &[BTreeMap<String, String>], column: &str) -> f64 {
    rows.iter().map(|r| r[column].parse::<f64>().unwrap()).sum()
}

/// Monthly steps: a located event dated only by its year has no month, is left out of the
/// event cube, and the run says how many; yearly steps keep it.
#[test]
fn events_dated_more_coarsely_than_the_step_are_counted_out_of_the_cube() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.csv");
    std::fs::write(
        &events,
        "id,date,country,lat,lon,location_precision,fatalities\n\
         E1,2019-03-02,CAF,4.36,18.56,exact,2\n\
         E2,2019,CAF,4.37,18.57,exact,1\n\
         E3,2020-07-11,CAF,6.48,21.98,exact,5\n",
    )
    .unwrap();
    let note = |step: &str| {
        let cfg = dir.path().join(format!("{step}.toml"));
        let out = dir.path().join(step);
        std::fs::write(
            &cfg,
            format!(
                "[run]\nout = {step:?}\n\n[[inputs.events]]\npath = \"events.csv\"\n\n\
                 [hotspots]\ntime_step = {step:?}\n"
            ),
        )
        .unwrap();
        run_config(&cfg);
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        let report = std::fs::read_to_string(out.join("report.md")).unwrap();
        (manifest["notes"]["conflict_events_date_coarser_than_step_excluded"].clone(), report)
    };
    let (monthly, report) = note("month");
    assert_eq!(monthly, 1);
    assert!(report.contains("1 located conflict events have a date coarser than the time step"));
    let (yearly, report) = note("year");
    assert_eq!(yearly, 0);
    assert!(!report.contains("have a date coarser than the time step"));
}

#[test]
fn a_run_weighted_by_fatalities_has_event_cells_trends_emerging_spots_and_figures() {
    let dir = tempfile::tempdir().unwrap();
    let tail = "[hotspots]\nevent_weight = \"fatalities\"\ntrend_step = \"year\"\n";
    let out = run(dir.path(), "fatalities", "", tail);
    // The event cells hold the best estimates of the located events.
    let cells = csv_rows(&out.join("hotspot_cells.csv"));
    let events: Vec<_> = cells.iter().filter(|c| c["layer"] == "events").cloned().collect();
    assert_eq!(sum(&events, "value"), 483.0);
    // The regional table: every event, its deaths and the weighted trend per year.
    let regional = csv_rows(&out.join("regional_hotspots.csv"));
    let caf = regional.iter().find(|r| r["level"] == "country" && r["name"] == "CAF").unwrap();
    assert_eq!([&caf["conflict_events"], &caf["fatalities"]].map(|s| s.as_str()), ["72", "570"]);
    assert_eq!(caf["events_weighted"].parse::<f64>().unwrap(), 570.0);
    assert!(["increasing", "decreasing", "no trend"].contains(&caf["event_trend"].as_str()));
    assert!(!caf["event_trend_z"].is_empty() && !caf["event_trend_p"].is_empty());
    // The seizure columns keep their place and are empty of trend (no seizures).
    assert!(caf["trend"].is_empty() && caf["seizures"] == "0");
    // Emerging hot spots of the events, in the layer column.
    let emerging = csv_rows(&out.join("emerging_hotspots.csv"));
    assert!(!emerging.is_empty());
    assert!(emerging.iter().all(|r| r["layer"] == "events"));
    let categories: BTreeSet<&str> = emerging.iter().map(|r| r["category"].as_str()).collect();
    assert!(!categories.is_empty());
    // The report names the weight and has the trends and emerging categories.
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    for must in [
        "Conflict-event hotspots (hot cells, strongest first; weight: fatalities)",
        "Conflict-event trends (countries; Mann-Kendall per year of fatalities, 1993",
        "Emerging conflict-event hot spots (cells of the space-time cube, 1993",
    ] {
        assert!(report.contains(must), "{must:?} not in the report");
    }
    // The event figures: drawn, with their period; the close-ups with the dates and count
    // of the events in view and a scale bar.
    for f in [
        "event_hotspot_map",
        "event_hotspot_closeups",
        "event_emerging_map",
        "event_emerging_closeups",
        "event_regional_series",
    ] {
        let svg = std::fs::read_to_string(out.join(format!("figures/{f}.svg"))).unwrap();
        assert!(!svg.contains("No data"), "{f} says no data");
        assert!(svg.contains("Period: 1993"), "{f}: no period");
        assert!(out.join(format!("figures/{f}.png")).is_file(), "{f}.png");
    }
    let closeups = std::fs::read_to_string(out.join("figures/event_hotspot_closeups.svg")).unwrap();
    assert!(closeups.contains(" events in view, "), "no count and dates in view");
    assert!(closeups.contains(" km\n</text>"), "no scale bar");
    assert!(closeups.contains("Around "), "no place names the panel");
    let series = std::fs::read_to_string(out.join("figures/event_regional_series.svg")).unwrap();
    assert!(series.contains("Fatalities, best estimate (deaths, right axis)"));
    assert!(series.contains("Central African Republic"));
}

#[test]
fn one_sided_violence_by_a_named_government_is_read_through_where() {
    let dir = tempfile::tempdir().unwrap();
    let one_sided =
        "where = { type_of_violence = [3], side_a = [\"Government of Central African Republic\"] }";
    let out = run(dir.path(), "one_sided", one_sided, "");
    let events = csv_rows(&out.join("events.csv"));
    let ids: BTreeSet<&str> = events.iter().map(|r| r["id"].as_str()).collect();
    let raw: BTreeSet<&str> = [
        "22769", "22773", "22781", "22802", "22806", "22915", "22917", "22952", "45842", "255909",
        "256914",
    ]
    .into_iter()
    .collect();
    assert_eq!(ids, raw);
    assert_eq!(sum(&events, "fatalities"), 34.0);
    assert!(events.iter().all(|r| r["type"] == "one-sided"));
    let regional = csv_rows(&out.join("regional_hotspots.csv"));
    let caf = regional.iter().find(|r| r["level"] == "country" && r["name"] == "CAF").unwrap();
    assert_eq!([&caf["conflict_events"], &caf["fatalities"]].map(|s| s.as_str()), ["11", "34"]);
    // The other 61 events are filtered, neither accepted nor rejected.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let text = manifest.to_string();
    assert!(text.contains("\"filtered\":61"), "{text}");
}
