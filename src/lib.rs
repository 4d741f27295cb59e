//! divnet: a batch engine for illicit arms diversion networks.
//!
//! It ingests seizure reports, stockpile looting incidents and trafficking-route reports,
//! validates every row against a gazetteer, builds a diversion network, and computes the
//! likely diversion paths, the transit hubs that carry the flow, and regional hotspots.
//! ARCHITECTURE.md maps the modules; docs/ documents the schema, the model and the
//! statistics.

#![warn(missing_docs)]

pub mod absent;
pub mod actors;
pub mod algo;
pub mod chart;
pub mod cli;
pub mod clock;
pub mod config;
pub mod date;
pub mod deals;
pub mod diff;
pub mod error;
pub mod geo;
pub mod gis;
pub mod hotspot;
pub mod ingest;
pub mod inputs;
pub mod linkage;
pub mod network;
pub mod output;
pub mod period;
pub mod pipeline;
pub mod records;
pub mod report;
pub mod retransfers;
pub mod risk;
pub mod run;
pub mod schema;
pub mod stages;
pub mod standalone;
pub mod synth;
pub mod tables;
pub mod text;
