//! Graph algorithms as pure functions over petgraph's visit traits: no I/O, no tables.

pub mod betweenness;
pub mod brokerage;
pub mod csr;
pub mod ksp;
pub mod pagerank;
