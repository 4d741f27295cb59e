//! divnet's integration tests: one test binary, one module per topic.

mod cache;
mod centrality;
mod charts;
mod cli;
mod commands;
mod common;
mod dating;
mod determinism;
mod diff;
mod gis;
mod hotspots;
mod ingest;
mod ksp;
mod legal;
mod linkage;
mod malformed;
mod outdir;
mod path_model;
mod report_browser;
mod report_explore;
mod run_demo;
mod sources;
