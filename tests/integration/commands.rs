//! The standalone commands (`paths`, `centrality`, `hotspots`) end to end.

use std::collections::HashMap;

use assert_cmd::Command;

use crate::common::{data, root};

fn divnet() -> Command {
    let mut c = Command::cargo_bin("divnet").unwrap();
    c.current_dir(root());
    c
}

fn read_csv(path: &std::path::Path) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

#[test]
fn paths_command_ranks_paths_and_reports_unreachable_pairs() {
    let tmp = tempfile::tempdir().unwrap();
    let edges = tmp.path().join("e.csv");
    std::fs::write(&edges, "source,target,weight\nA,B,0.5\nB,C,0.5\nA,C,0.2\nC,D,1.0\nX,Y,0.9\n")
        .unwrap();
    let pairs = tmp.path().join("p.csv");
    std::fs::write(&pairs, "source,target\nA,C\nC,A\nA,Nowhere\n").unwrap();
    let out = tmp.path().join("out.csv");
    divnet()
        .args(["paths", "--k", "3", "--weight-kind", "probability", "--edges"])
        .arg(&edges)
        .arg("--pairs")
        .arg(&pairs)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let rows = read_csv(&out);
    assert_eq!(rows.len(), 4, "{rows:?}");
    // A->B->C has p = 0.25 > A->C with 0.2: it ranks first, shares are normalised.
    assert_eq!(rows[0]["nodes"], "A;B;C");
    assert_eq!(rows[1]["nodes"], "A;C");
    let p0: f64 = rows[0]["probability"].parse().unwrap();
    let s0: f64 = rows[0]["share"].parse().unwrap();
    assert!((p0 - 0.25).abs() < 1e-12 && (s0 - 0.25 / 0.45).abs() < 1e-12);
    assert_eq!(rows[2]["status"], "unreachable");
    assert_eq!(rows[3]["status"], "unknown_node");
}

#[test]
fn paths_command_rejects_bad_weights_with_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let edges = tmp.path().join("e.csv");
    std::fs::write(&edges, "source,target,weight\nA,B,0.5\nB,C,1.5\n").unwrap();
    let pairs = tmp.path().join("p.csv");
    std::fs::write(&pairs, "source,target\nA,C\n").unwrap();
    let out = divnet()
        .args(["paths", "--weight-kind", "probability", "--edges"])
        .arg(&edges)
        .arg("--pairs")
        .arg(&pairs)
        .arg("--out")
        .arg(tmp.path().join("o.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("e.csv:3") && err.contains("(0, 1]"), "{err}");
    assert!(!tmp.path().join("o.csv").exists());
}

#[test]
fn centrality_command_matches_networkx_betweenness() {
    for case in ["random_ties", "disconnected", "scale_free", "grid_ties"] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("c.csv");
        divnet()
            .args(["centrality", "--weight-kind", "cost", "--edges"])
            .arg(data(&format!("reference/centrality/{case}_edges.csv")))
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let got: HashMap<String, f64> = read_csv(&out)
            .into_iter()
            .map(|r| (r["node"].clone(), r["betweenness_raw"].parse().unwrap()))
            .collect();
        for r in read_csv(&data(&format!("reference/centrality/{case}_nodes.csv"))) {
            let Some(g) = got.get(&r["node"]) else { continue }; // isolated nodes have no edge row
            let want: f64 = r["betweenness_raw"].parse().unwrap();
            assert!(
                (g - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{case} node {}: {g} vs {want}",
                r["node"]
            );
        }
    }
}

#[test]
fn hotspots_command_finds_a_planted_cluster() {
    let tmp = tempfile::tempdir().unwrap();
    let ev = tmp.path().join("ev.csv");
    let mut text = String::from("lat,lon,weight\n");
    // A dense cluster near 10N 10E over a sparse background.
    for i in 0..40 {
        text.push_str(&format!(
            "{},{},5\n",
            10.0 + (i % 7) as f64 * 0.01,
            10.0 + (i / 7) as f64 * 0.01
        ));
    }
    for i in 0..60 {
        text.push_str(&format!(
            "{},{},1\n",
            8.0 + (i % 10) as f64 * 0.4,
            8.0 + (i / 10) as f64 * 0.7
        ));
    }
    std::fs::write(&ev, text).unwrap();
    let out = tmp.path().join("h.csv");
    divnet()
        .args(["hotspots", "--resolution", "6", "--events"])
        .arg(&ev)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let rows = read_csv(&out);
    let hot: Vec<_> = rows.iter().filter(|r| r["bin"] == "3").collect();
    assert!(!hot.is_empty(), "no 99% hot spot");
    for r in hot {
        let (lat, lon): (f64, f64) = (r["lat"].parse().unwrap(), r["lon"].parse().unwrap());
        assert!((lat - 10.03).abs() < 0.2 && (lon - 10.03).abs() < 0.2, "hot cell at {lat},{lon}");
    }
    std::fs::write(&ev, "lat,lon\n10,10\n95,10\n").unwrap();
    let bad = divnet()
        .args(["hotspots", "--force", "--events"])
        .arg(&ev)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("ev.csv:3"));
}

#[test]
fn hotspots_command_refuses_an_unknown_domain_with_the_accepted_values() {
    let tmp = tempfile::tempdir().unwrap();
    let ev = tmp.path().join("ev.csv");
    std::fs::write(&ev, "lat,lon\n10,10\n10.01,10.01\n").unwrap();
    let out = tmp.path().join("h.csv");
    let bad = divnet()
        .args(["hotspots", "--domain", "square", "--events"])
        .arg(&ev)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("square") && stderr.contains("--domain"), "{stderr}");
    assert!(stderr.contains("ring") && stderr.contains("bbox") && stderr.contains("occupied"));
    assert!(!out.exists());
    for domain in ["ring", "occupied"] {
        divnet()
            .args(["hotspots", "--force", "--domain", domain, "--events"])
            .arg(&ev)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
    }
    let no_box = divnet()
        .args(["hotspots", "--force", "--domain", "bbox", "--events"])
        .arg(&ev)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(no_box.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_box.stderr).contains("--bbox"));
}

/// Events in two clusters and a background, enough rows (about 2.4 MB) for the reader to
/// parse the file in several pieces.
fn many_events() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (mut lat, mut lon, mut w) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..80_000u32 {
        let j = f64::from(i % 997) / 997.0;
        let (a, b) = match i % 5 {
            0 | 1 => (10.0 + 0.2 * j, 10.0 + 0.3 * (1.0 - j)),
            2 => (-3.0 + 0.1 * j, 25.0 + 0.1 * j),
            _ => (-5.0 + 20.0 * j, 30.0 * f64::from(i % 89) / 89.0),
        };
        lat.push(a);
        lon.push(b);
        w.push(f64::from(i % 4) * 0.25 + 0.5);
    }
    (lat, lon, w)
}

#[test]
fn hotspots_command_reads_csv_in_pieces_and_parquet_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let (lat, lon, w) = many_events();
    let mut text = String::from("latitude,longitude,weight\n");
    for i in 0..lat.len() {
        text.push_str(&format!("{:.9},{:.9},{}\n", lat[i], lon[i], w[i]));
    }
    assert!(text.len() > 2 << 20, "several pieces of 1 MiB");
    let csv_in = tmp.path().join("ev.csv");
    std::fs::write(&csv_in, &text).unwrap();
    // The same values (as the CSV prints them) in a Parquet file.
    let back: Vec<Vec<f64>> =
        text.lines().skip(1).map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect();
    let table = divnet::output::TableBuilder::new("ev")
        .float("lat", back.iter().map(|r| Some(r[0])))
        .float("lon", back.iter().map(|r| Some(r[1])))
        .float("weight", back.iter().map(|r| Some(r[2])))
        .build()
        .unwrap();
    let pq_in = tmp.path().join("ev.parquet");
    std::fs::write(&pq_in, table.parquet_bytes().unwrap()).unwrap();
    let run = |input: &std::path::Path, out: &str, threads: &str| {
        let out = tmp.path().join(out);
        divnet()
            .args(["hotspots", "--resolution", "6", "--threads", threads, "--events"])
            .arg(input)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        std::fs::read(out).unwrap()
    };
    let from_csv = run(&csv_in, "a.csv", "2");
    assert_eq!(from_csv, run(&csv_in, "b.csv", "1"), "byte-identical on 1 and 2 threads");
    assert_eq!(from_csv, run(&pq_in, "c.csv", "2"), "Parquet reads as the CSV does");
    // Every event is counted once, whichever piece it was read in.
    let rows = read_csv(&tmp.path().join("a.csv"));
    let summed: f64 = rows.iter().map(|r| r["value"].parse::<f64>().unwrap()).sum();
    assert!((summed - w.iter().sum::<f64>()).abs() < 1e-6, "{summed}");

    // A bad row deep in the file stops the command with its line, not the piece's.
    let mut lines: Vec<&str> = text.lines().collect();
    lines[70_001] = "12.5,not-a-lon,1";
    std::fs::write(&csv_in, lines.join("\n")).unwrap();
    let bad = divnet()
        .args(["hotspots", "--events"])
        .arg(&csv_in)
        .arg("--out")
        .arg(tmp.path().join("d.csv"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("ev.csv:70002") && err.contains("not-a-lon"), "{err}");
    assert!(!tmp.path().join("d.csv").exists());
}

#[test]
fn hotspots_command_reads_the_public_samples_or_says_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    // UCDP GED's GeoJSON: every event placed by its latitude and longitude, weight 1.
    let out = tmp.path().join("ucdp.csv");
    divnet()
        .args(["hotspots", "--events"])
        .arg(data("sources/ucdp_ged_sample.geojson"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let events: f64 = read_csv(&out).iter().map(|r| r["value"].parse::<f64>().unwrap()).sum();
    assert_eq!(events, 72.0);
    // UNODC IAFQ's workbook has no coordinates: the command names the column it looked for.
    let bad = divnet()
        .args(["hotspots", "--events"])
        .arg(data("sources/unodc_iafq_sample.xlsx"))
        .arg("--out")
        .arg(tmp.path().join("iafq.csv"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("unodc_iafq_sample.xlsx") && err.contains("lat"), "{err}");
}
