//! Running an analysis as a graph of cached steps.
//!
//! - [`graph`]: steps with declared inputs and one artifact each, run in dependency order
//!   (independent steps in parallel), keyed by the hash of their inputs, with early
//!   cut-off on unchanged artifacts.
//! - [`cache`]: the content-addressed, checksummed artifact store the keys point into,
//!   with a size bound.
//!
//! The run directory itself (ownership, the lock, the atomic swap, the run history) lives
//! in [`crate::output::rundir`].

pub mod cache;
pub mod graph;
