//! divnet's integration tests: one test binary, one module per topic.

mod centrality;
mod charts;
mod cli;
mod commands;
mod common;
mod gis;
mod hotspots;
mod ingest;
mod ksp;
mod linkage;
mod outdir;
mod report_browser;
mod run_demo;
