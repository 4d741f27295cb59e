//! Deterministic synthetic data for scale tests and benchmarks.
//!
//! [`write_dataset`] writes `seizures.csv`, `looting.csv` and `routes.csv` in the input
//! schema, streaming row by row (10 million seizures need no more memory than ten), from
//! a ChaCha8 generator seeded with `seed`: the same spec gives the same bytes on every
//! machine. The records are random, not realistic; `datasets/demo/` holds the realistic
//! synthetic demo. [`graphs`] generates bare graphs for the algorithm benchmarks.

pub mod graphs;

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::geo::Gazetteer;
use crate::schema::{Category, TableKind, TransportMode};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthSpec {
    /// Seizure rows.
    pub seizures: u64,
    /// Looting incidents.
    pub looting: u64,
    /// Route reports.
    pub routes: u64,
    /// Seed.
    pub seed: u64,
}

const MODELS: [&str; 8] = ["AK-47", "AKM", "M16A2", "FN FAL", "Glock 17", "INSAS", "G3", "PKM"];

fn header(kind: TableKind) -> Vec<&'static str> {
    kind.columns().iter().map(|c| c.name).collect()
}

fn date(rng: &mut ChaCha8Rng) -> String {
    let y = rng.random_range(2015..=2025);
    match rng.random_range(0..10) {
        0 => format!("{y}"),
        1 | 2 => format!("{y}-{:02}", rng.random_range(1..=12)),
        _ => format!("{y}-{:02}-{:02}", rng.random_range(1..=12), rng.random_range(1..=28)),
    }
}

struct Site {
    iso3: String,
    place: String,
    lat: f64,
    lon: f64,
}

/// The files [`write_dataset`] writes into its directory.
pub const FILES: [&str; 3] = ["seizures.csv", "looting.csv", "routes.csv"];

/// Writes `path` through a temporary file renamed into place when complete.
fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut csv::Writer<std::io::BufWriter<std::fs::File>>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = path.with_extension("csv.partial");
    let file = std::fs::File::create(&tmp)?;
    let mut w =
        csv::WriterBuilder::new().from_writer(std::io::BufWriter::with_capacity(1 << 20, file));
    let result = fill(&mut w).and_then(|()| w.flush());
    drop(w);
    match result {
        Ok(()) => std::fs::rename(&tmp, path),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn rec(
    w: &mut csv::Writer<std::io::BufWriter<std::fs::File>>,
    fields: &[&str],
) -> std::io::Result<()> {
    w.write_record(fields).map_err(std::io::Error::other)
}

/// Writes a synthetic dataset into `dir` (created if needed).
pub fn write_dataset(spec: &SynthSpec, g: &Gazetteer, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let sites: Vec<Site> = g
        .cities()
        .iter()
        .filter(|c| c.population >= 200_000)
        .map(|c| Site {
            iso3: g.country(c.country).iso3.clone(),
            place: c.name.clone(),
            lat: c.point.lat(),
            lon: c.point.lon(),
        })
        .collect();
    if sites.is_empty() {
        return Err(std::io::Error::other("the gazetteer has no places to draw from"));
    }
    let countries: Vec<&str> = g.countries().iter().map(|c| c.iso3.as_str()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);

    // Looting incidents first: seizures draw serials from their ranges.
    let mut ranges: Vec<(String, &'static str, u64, u64)> =
        Vec::with_capacity(spec.looting as usize);
    write_atomic(&dir.join("looting.csv"), |w| {
        rec(w, &header(TableKind::Looting))?;
        for i in 0..spec.looting {
            let s = &sites[rng.random_range(0..sites.len())];
            let id = format!("LT-{i:07}");
            let weapons = rng.random_range(10..2_000u64);
            let model = MODELS[rng.random_range(0..MODELS.len())];
            let first = rng.random_range(10_000..900_000u64);
            let prefix = format!("L{i}X");
            let range = format!("{model}:{prefix}{first}-{prefix}{}", first + weapons - 1);
            ranges.push((id.clone(), model, first, weapons));
            let (lat, lon) = (format!("{:.4}", s.lat), format!("{:.4}", s.lon));
            let weapons_s = weapons.to_string();
            let rounds = (weapons * rng.random_range(50..200u64)).to_string();
            let conf = format!("{:.2}", rng.random_range(0.4..1.0f64));
            rec(
                w,
                &[
                    &id,
                    &date(&mut rng),
                    &s.iso3,
                    &s.place,
                    &lat,
                    &lon,
                    "exact",
                    "depot",
                    "military_depot",
                    "",
                    &weapons_s,
                    &rounds,
                    "assault_rifle;ammunition",
                    &range,
                    "",
                    "0",
                    "synthetic",
                    &conf,
                ],
            )?;
        }
        Ok(())
    })?;

    write_atomic(&dir.join("seizures.csv"), |w| {
        rec(w, &header(TableKind::Seizures))?;
        // Seizures of one type each: never a national aggregate's `unspecified`.
        let cats: Vec<Category> =
            Category::ALL.iter().copied().filter(|c| *c != Category::Unspecified).collect();
        let modes = TransportMode::ALL;
        for i in 0..spec.seizures {
            let s = &sites[rng.random_range(0..sites.len())];
            let id = format!("SZ-{i:09}");
            let d = date(&mut rng);
            let (country, place, lat, lon, prec) = match rng.random_range(0..20) {
                0 | 1 => (s.iso3.clone(), String::new(), String::new(), String::new(), "country"),
                2..=4 => (s.iso3.clone(), s.place.clone(), String::new(), String::new(), "place"),
                _ => (
                    s.iso3.clone(),
                    s.place.clone(),
                    format!("{:.4}", s.lat + rng.random_range(-0.05..0.05)),
                    format!("{:.4}", s.lon + rng.random_range(-0.05..0.05)),
                    "exact",
                ),
            };
            let cat = cats[rng.random_range(0..cats.len())].as_str();
            let qty = (1 + rng.random_range(0..10u64) * rng.random_range(0..3u64)).to_string();
            let (mut model, mut serial, mut traced) = (String::new(), String::new(), String::new());
            if !ranges.is_empty() && rng.random_range(0..10) == 0 {
                let r = &ranges[rng.random_range(0..ranges.len())];
                let idx = r.0.trim_start_matches("LT-").trim_start_matches('0');
                model = r.1.to_string();
                serial = format!(
                    "L{}X{}",
                    if idx.is_empty() { "0" } else { idx },
                    r.2 + rng.random_range(0..r.3)
                );
                if rng.random_range(0..3) == 0 {
                    traced = r.0.clone();
                }
            }
            let origin = if rng.random_range(0..3) == 0 {
                countries[rng.random_range(0..countries.len())]
            } else {
                ""
            };
            let transit = if rng.random_range(0..5) == 0 {
                countries[rng.random_range(0..countries.len())]
            } else {
                ""
            };
            let mode = modes[rng.random_range(0..modes.len())].as_str();
            let conf = format!("{:.2}", rng.random_range(0.3..1.0f64));
            rec(
                w,
                &[
                    &id,
                    &d,
                    &country,
                    &place,
                    &lat,
                    &lon,
                    prec,
                    cat,
                    &qty,
                    "",
                    "",
                    &model,
                    "",
                    &serial,
                    "",
                    "",
                    "",
                    origin,
                    transit,
                    "",
                    &traced,
                    mode,
                    "synthetic",
                    &conf,
                    "",
                    "",
                ],
            )?;
        }
        Ok(())
    })?;

    write_atomic(&dir.join("routes.csv"), |w| {
        rec(w, &header(TableKind::Routes))?;
        for i in 0..spec.routes {
            let a = countries[rng.random_range(0..countries.len())];
            let mut b = countries[rng.random_range(0..countries.len())];
            if a == b {
                b = countries
                    [(countries.iter().position(|c| *c == a).unwrap_or(0) + 1) % countries.len()];
            }
            let y0 = rng.random_range(2015..=2024);
            let first = format!("{y0}");
            let last = format!("{}", rng.random_range(y0..=2025));
            let reports = rng.random_range(1..6u32).to_string();
            let volume = rng.random_range(10..5_000u32).to_string();
            let conf = format!("{:.2}", rng.random_range(0.3..1.0f64));
            let mode = TransportMode::ALL[rng.random_range(0..4)].as_str();
            rec(
                w,
                &[
                    &format!("RT-{i:07}"),
                    a,
                    b,
                    mode,
                    &first,
                    &last,
                    &reports,
                    &volume,
                    &conf,
                    "synthetic",
                ],
            )?;
        }
        Ok(())
    })?;
    Ok(())
}
