//! Paths stay sensible when evidence is dense: with every edge of a 12-country network
//! saturated (40 seizure legs each, p ~ 1), the transition model still finds the planted
//! corridors as the most probable paths, where the evidence model alone lets chains of
//! saturated edges tie with them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const COUNTRIES: [&str; 12] =
    ["USA", "MEX", "GTM", "HND", "LBY", "NER", "MLI", "TCD", "DZA", "EGY", "SDN", "BFA"];

/// Seizures: 40 on every ordered pair of the 12 countries (origin in one, seized in the
/// other), plus the planted corridors: 400 United States -> Mexico, 300 Libya -> Niger ->
/// Mali (transit Niger).
fn dense(dir: &Path, model: &str) -> std::path::PathBuf {
    let mut csv = String::from("id,date,country,quantity,origin,transit,confidence\n");
    let mut n = 0;
    let mut row = |csv: &mut String, at: &str, origin: &str, transit: &str| {
        n += 1;
        let _ = writeln!(csv, "s{n},2024-06-01,{at},1,{origin},{transit},0.9");
    };
    for a in COUNTRIES {
        for b in COUNTRIES {
            if a != b {
                for _ in 0..40 {
                    row(&mut csv, b, a, "");
                }
            }
        }
    }
    for _ in 0..400 {
        row(&mut csv, "MEX", "USA", "");
    }
    for _ in 0..300 {
        row(&mut csv, "MLI", "LBY", "NER");
    }
    std::fs::write(dir.join("seizures.csv"), csv).unwrap();
    let cfg = dir.join(format!("{model}.toml"));
    std::fs::write(
        &cfg,
        format!(
            "[run]\nout = \"out-{model}\"\n[[inputs.seizures]]\npath = \"seizures.csv\"\n\
             [network]\nborder_prior_p = 0.0\n[paths]\nk = 5\nmodel = \"{model}\"\n\
             [figures]\nenabled = false\n"
        ),
    )
    .unwrap();
    cfg
}

/// Top paths (rank 1) and every path's hop count, of the cases of the corridor seizures.
fn run(dir: &Path, model: &str) -> (BTreeMap<String, usize>, Vec<usize>) {
    let cfg = dense(dir, model);
    crate::common::run_config(&cfg);
    let paths = crate::common::joined_paths(&dir.join(format!("out-{model}")));
    // The corridor seizures are the last 700 (ids s5281 ..).
    let corridor = |case: &str| case[1..case.find('#').unwrap()].parse::<usize>().unwrap() > 5280;
    let mut top: BTreeMap<String, usize> = BTreeMap::new();
    let mut hops = Vec::new();
    for p in paths.iter().filter(|p| corridor(&p["case"])) {
        if p["rank"] == "1" {
            *top.entry(p["nodes"].clone()).or_default() += 1;
        }
        hops.push(p["hops"].parse().unwrap());
    }
    (top, hops)
}

#[test]
fn dense_evidence_keeps_the_planted_corridors_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let (top, hops) = run(dir.path(), "transition");
    // Every corridor case's most probable path is its planted corridor.
    assert_eq!(
        top,
        BTreeMap::from([("LBY;NER;MLI".to_string(), 300), ("USA;MEX".to_string(), 400)])
    );
    // Alternatives cost a hop each: no path of more than three hops among the top five.
    assert!(hops.iter().all(|&h| h <= 3), "{:?}", hops.iter().max());

    // The evidence model alone: every edge is saturated, so length costs next to nothing
    // and chains of saturated edges fill the other places of the top five.
    let (_, evidence_hops) = run(dir.path(), "evidence");
    let long = |h: &[usize]| h.iter().filter(|&&x| x >= 3).count();
    assert!(
        long(&evidence_hops) > 2 * long(&hops).max(1),
        "evidence model: {} paths of 3+ hops, transition model: {}",
        long(&evidence_hops),
        long(&hops)
    );
}
