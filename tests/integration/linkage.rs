//! Record linkage against a synthetic dataset whose true source incidents are known.

use divnet::date::PartialDate;
use divnet::linkage::{LinkageParams, link};
use divnet::records::{Location, LootingIncident, RowRef, Seizure, SerialRange};
use divnet::schema::{Category, LocationPrecision};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::common::gaz;

const PREFIXES: [&str; 5] = ["MA", "IN", "KA", "AB", "FN"];
const MODELS: [&str; 5] = ["AK-47", "INSAS", "AKM", "G3", "FN FAL"];

fn loc(iso3: &str) -> Location {
    let g = gaz();
    let c = g.resolve_country(iso3).unwrap();
    Location {
        country: c,
        admin1: None,
        city: None,
        place: None,
        point: g.country(c).point,
        precision: LocationPrecision::Country,
    }
}

fn seizure(id: usize, year: i32, iso3: &str) -> Seizure {
    Seizure {
        id: format!("S{id}").into(),
        date: PartialDate::year(year).unwrap(),
        location: loc(iso3),
        category: Some(Category::AssaultRifle),
        quantity: Some(1),
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
        aggregate: None,
        row: RowRef { file: 0, line: id as u64 },
    }
}

/// Builds incidents and seizures with known truth; returns (incidents, seizures, truth).
fn dataset(seed: u64) -> (Vec<LootingIncident>, Vec<Seizure>, Vec<Option<usize>>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let countries = ["IND", "MMR", "LBY", "MLI", "NER", "MEX", "SRB", "YEM"];
    let mut incidents = Vec::new();
    for i in 0..40 {
        let mut ranges = Vec::new();
        for _ in 0..rng.random_range(1..=2) {
            let first = rng.random_range(10_000..990_000u64);
            let width = rng.random_range(200..2_000u64);
            ranges.push(SerialRange {
                model: MODELS[rng.random_range(0..MODELS.len())].into(),
                prefix: PREFIXES[rng.random_range(0..PREFIXES.len())].into(),
                first,
                last: first + width - 1,
            });
        }
        let lots = (0..rng.random_range(0..=2))
            .map(|_| format!("LOT-{}", rng.random_range(0..60)).into())
            .collect();
        incidents.push(LootingIncident {
            id: format!("L{i}").into(),
            date: PartialDate::year(rng.random_range(2015..=2022)).unwrap(),
            location: loc(countries[i % countries.len()]),
            facility: None,
            facility_type: None,
            perpetrator: None,
            weapons_looted: None,
            rounds_looted: None,
            categories: vec![Category::AssaultRifle],
            serial_ranges: ranges,
            lots,
            recovered: None,
            source: None,
            confidence: None,
            row: RowRef { file: 1, line: i as u64 },
        });
    }
    let mut seizures = Vec::new();
    let mut truth = Vec::new();
    for s in 0..2_000 {
        let roll = rng.random_range(0..100);
        if roll < 35 {
            let ii = rng.random_range(0..incidents.len());
            let inc: &LootingIncident = &incidents[ii];
            let r = &inc.serial_ranges[rng.random_range(0..inc.serial_ranges.len())];
            let year = inc.date.year_value() + rng.random_range(0..3);
            let mut z = seizure(s, year.min(2025), countries[ii % countries.len()]);
            z.serial = Some(format!("{}{}", r.prefix, rng.random_range(r.first..=r.last)).into());
            if rng.random_range(0..5) > 0 {
                z.model = Some(r.model.clone());
            }
            seizures.push(z);
            truth.push(Some(ii));
        } else if roll < 45 {
            let with_lots: Vec<usize> =
                (0..incidents.len()).filter(|&i| !incidents[i].lots.is_empty()).collect();
            let ii = with_lots[rng.random_range(0..with_lots.len())];
            let year = (incidents[ii].date.year_value() + 1).min(2025);
            let mut z = seizure(s, year, countries[ii % countries.len()]);
            z.lot = Some(incidents[ii].lots[0].clone());
            seizures.push(z);
            truth.push(Some(ii));
        } else {
            let mut z = seizure(
                s,
                rng.random_range(2015..=2025),
                countries[rng.random_range(0..countries.len())],
            );
            if rng.random_range(0..2) == 0 {
                z.serial = Some(
                    format!(
                        "{}{}",
                        PREFIXES[rng.random_range(0..PREFIXES.len())],
                        rng.random_range(10_000..999_999u64)
                    )
                    .into(),
                );
                z.model = Some(MODELS[rng.random_range(0..MODELS.len())].into());
            }
            if rng.random_range(0..10) == 0 {
                z.lot = Some(format!("LOT-{}", rng.random_range(60..120)).into());
            }
            seizures.push(z);
            truth.push(None);
        }
    }
    (incidents, seizures, truth)
}

/// Precision and recall of the top link per seizure.
fn quality(seed: u64) -> (f64, f64) {
    let (incidents, seizures, truth) = dataset(seed);
    let skip = vec![false; seizures.len()];
    let params = LinkageParams { threshold: 6.0, max_candidates: 3 };
    let links = link(&seizures, &incidents, &skip, params, |ii, si| {
        Some(if incidents[ii].location.country == seizures[si].location.country {
            1.0
        } else {
            0.2
        })
    });
    let mut best: Vec<Option<(usize, f64)>> = vec![None; seizures.len()];
    for l in &links {
        if best[l.seizure].is_none_or(|(_, s)| l.share > s) {
            best[l.seizure] = Some((l.incident, l.share));
        }
    }
    let predicted = best.iter().filter(|b| b.is_some()).count() as f64;
    let correct = best
        .iter()
        .zip(&truth)
        .filter(|(b, t)| matches!((b, t), (Some((i, _)), Some(j)) if i == j))
        .count() as f64;
    let actual = truth.iter().filter(|t| t.is_some()).count() as f64;
    (correct / predicted, correct / actual)
}

#[test]
fn linkage_precision_and_recall_on_known_truth() {
    let mut ps = Vec::new();
    let mut rs = Vec::new();
    for seed in 1..=5 {
        let (p, r) = quality(seed);
        ps.push(p);
        rs.push(r);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "linkage precision {:.3} recall {:.3} (mean of 5 seeds; per seed p={ps:.3?} r={rs:.3?})",
        mean(&ps),
        mean(&rs)
    );
    assert!(mean(&ps) >= 0.90, "precision {ps:?}");
    assert!(mean(&rs) >= 0.80, "recall {rs:?}");
}

#[test]
fn shares_sum_to_one_and_impossible_dates_are_excluded() {
    let (incidents, mut seizures, _) = dataset(11);
    // A seizure dated before every incident cannot be linked.
    let r = &incidents[0].serial_ranges[0];
    let mut early = seizure(99_999, 2000, "IND");
    early.serial = Some(format!("{}{}", r.prefix, r.first).into());
    early.model = Some(r.model.clone());
    seizures.push(early);
    let skip = vec![false; seizures.len()];
    let links = link(
        &seizures,
        &incidents,
        &skip,
        LinkageParams { threshold: 6.0, max_candidates: 3 },
        |_, _| Some(1.0),
    );
    assert!(links.iter().all(|l| l.seizure != seizures.len() - 1));
    let mut sums = std::collections::BTreeMap::new();
    for l in &links {
        *sums.entry(l.seizure).or_insert(0.0) += l.share;
        assert!(l.score >= 6.0);
    }
    assert!(sums.values().all(|s: &f64| (s - 1.0).abs() < 1e-9));
    // Output is identical on one thread.
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let again = one.install(|| {
        link(
            &seizures,
            &incidents,
            &skip,
            LinkageParams { threshold: 6.0, max_candidates: 3 },
            |_, _| Some(1.0),
        )
    });
    assert_eq!(links, again);
}
