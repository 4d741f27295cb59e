//! Small tables and runs for the tests of the diff modules.

use super::{LoadedRun, RunInfo};
use crate::output::{Table, TableBuilder};

pub(super) fn run(name: &str, tables: Vec<Table>) -> LoadedRun {
    let info =
        RunInfo { name: name.into(), divnet_version: Some("0.1.0".into()), started_utc: None };
    LoadedRun { info, tables: tables.into_iter().map(|t| (t.name, t.df)).collect() }
}

pub(super) fn seizures(rows: &[(&str, u64, &str, u64)]) -> Table {
    TableBuilder::new("seizures")
        .text("id", rows.iter().map(|r| Some(r.0)))
        .uint("quantity", rows.iter().map(|r| Some(r.1)))
        .text("source_file", rows.iter().map(|r| Some(r.2)))
        .uint("source_line", rows.iter().map(|r| Some(r.3)))
        .build()
        .unwrap()
}

pub(super) fn hubs(nodes: &[&str]) -> Table {
    TableBuilder::new("hubs")
        .uint("rank", (1..=nodes.len() as u64).map(Some))
        .text("node", nodes.iter().map(|n| Some(*n)))
        .text("name", nodes.iter().map(|n| Some(format!("Hub {n}"))))
        .build()
        .unwrap()
}

pub(super) fn edges(rows: &[(&str, &str, f64)]) -> Table {
    TableBuilder::new("network_edges")
        .text("source", rows.iter().map(|r| Some(r.0)))
        .text("target", rows.iter().map(|r| Some(r.1)))
        .float("p", rows.iter().map(|r| Some(r.2)))
        .build()
        .unwrap()
}

pub(super) fn layered_edges(rows: &[(&str, &str, f64, &str)]) -> Table {
    TableBuilder::new("network_edges")
        .text("source", rows.iter().map(|r| Some(r.0)))
        .text("target", rows.iter().map(|r| Some(r.1)))
        .float("p", rows.iter().map(|r| Some(r.2)))
        .text("layer", rows.iter().map(|r| Some(r.3)))
        .build()
        .unwrap()
}

pub(super) fn paths(rows: &[(&str, &str, f64)]) -> Table {
    TableBuilder::new("paths")
        .text("case", rows.iter().map(|r| Some(r.0)))
        .text("nodes", rows.iter().map(|r| Some(r.1)))
        .float("share", rows.iter().map(|r| Some(r.2)))
        .build()
        .unwrap()
}
