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
mod hardening;
mod hotspots;
mod ingest;
mod ksp;
mod legal;
mod linkage;
mod malformed;
mod outdir;
mod parties;
mod path_model;
mod real_sources;
mod report_browser;
mod report_explore;
mod run_demo;
mod sipri;
mod sources;
