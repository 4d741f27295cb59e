//! Times divnet::hotspot on events read from a CSV (`lat,lon,weight` with a header) and prints
//! median compute times (seconds, loading excluded) as one JSON object. Used by
//! scripts/bench/hotspot_peers.py for same-run comparisons with h3-py + esda.
//!
//! Usage: `bench_hotspots EVENTS.csv [REPEATS=5] [PERMUTATION_REPEATS=3] [RESOLUTION=6]`

use std::time::Instant;

use divnet::algo::Parallelism;
use divnet::hotspot::{
    Domain, Event, GiStarOptions, NeighbourLists, PermutationDraws, bin_events, build_study_area,
    gi_star, gi_star_pseudo_p,
};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn read_events(path: &str) -> Result<Vec<Event>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let mut it = line.split(',').map(|s| s.trim().parse::<f64>());
        match (it.next(), it.next(), it.next()) {
            (Some(Ok(lat)), Some(Ok(lon)), Some(Ok(weight))) => {
                out.push(Event { lat, lon, step: None, weight })
            }
            _ => return Err(format!("{path}:{}: expected lat,lon,weight", i + 1)),
        }
    }
    Ok(out)
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let path =
        args.get(1).ok_or("usage: bench_hotspots EVENTS.csv [REPEATS] [PERM_REPEATS] [RES]")?;
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let repeats = arg(2, 5).max(1);
    let perm_repeats = arg(3, 3).max(1);
    let res = arg(4, 6) as u8;
    let events = read_events(path)?;
    let opts = GiStarOptions::default();
    let err = |e: divnet::hotspot::HotspotError| e.to_string();

    let (mut t_bin, mut t_dom, mut t_gi, mut t_whole, mut t_perm) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut sizes = (0, 0);
    for _ in 0..repeats {
        let t0 = Instant::now();
        let occ = bin_events(&events, res, Parallelism::Rayon).map_err(err)?;
        let t1 = Instant::now();
        let area = build_study_area(&occ, res, &Domain::default(), 50_000_000, Parallelism::Rayon)
            .map_err(err)?;
        let w = NeighbourLists::h3_k_ring(&area.cells, 1, Parallelism::Rayon).map_err(err)?;
        let t2 = Instant::now();
        let gi = gi_star(&area.values, &w, &opts).map_err(err)?;
        let t3 = Instant::now();
        std::hint::black_box(&gi);
        t_bin.push((t1 - t0).as_secs_f64());
        t_dom.push((t2 - t1).as_secs_f64());
        t_gi.push((t3 - t2).as_secs_f64());
        t_whole.push((t3 - t0).as_secs_f64());
        sizes = (occ.len(), area.len());
    }
    let occ = bin_events(&events, res, Parallelism::Rayon).map_err(err)?;
    let area = build_study_area(&occ, res, &Domain::default(), 50_000_000, Parallelism::Rayon)
        .map_err(err)?;
    let w = NeighbourLists::h3_k_ring(&area.cells, 1, Parallelism::Rayon).map_err(err)?;
    let mut t_perm_cell = Vec::new();
    for _ in 0..perm_repeats {
        let t0 = Instant::now();
        let p = gi_star_pseudo_p(
            &area.values,
            &w,
            999,
            11,
            PermutationDraws::PerClass,
            Parallelism::Rayon,
        )
        .map_err(err)?;
        t_perm.push(t0.elapsed().as_secs_f64());
        std::hint::black_box(&p);
        let t0 = Instant::now();
        let p = gi_star_pseudo_p(
            &area.values,
            &w,
            999,
            11,
            PermutationDraws::PerCell,
            Parallelism::Rayon,
        )
        .map_err(err)?;
        t_perm_cell.push(t0.elapsed().as_secs_f64());
        std::hint::black_box(&p);
    }
    println!(
        "{{\"n_events\": {}, \"occupied_cells\": {}, \"study_area_cells\": {}, \"threads\": {}, \
         \"bin_s\": {}, \"domain_weights_s\": {}, \"gistar_s\": {}, \"whole_s\": {}, \
         \"perm999_s\": {}, \"perm999_per_cell_s\": {}}}",
        events.len(),
        sizes.0,
        sizes.1,
        rayon::current_num_threads(),
        median(t_bin),
        median(t_dom),
        median(t_gi),
        median(t_whole),
        median(t_perm),
        median(t_perm_cell)
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_hotspots: {e}");
        std::process::exit(2);
    }
}
