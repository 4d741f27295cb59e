//! Graph algorithms as pure functions over petgraph's visit traits: no I/O, no tables.
//!
//! Every algorithm first flattens its graph once into the one compact adjacency of
//! [`csr`] ([`csr::Csr`]: forward rows, their transpose, a simple-digraph view), then
//! runs its searches on plain `u32`/`f64` arrays. Every algorithm of the crate that can
//! use several threads (these, and the hotspot statistics of [`crate::hotspot`]) takes a
//! [`Parallelism`]; none builds a thread pool of its own.

pub mod betweenness;
pub mod brokerage;
pub mod csr;
pub mod ksp;
pub mod pagerank;

/// How an algorithm spreads its work over threads.
///
/// Every routine that takes a `Parallelism` returns bit-identical results for both
/// variants and for any rayon pool size: work is cut into pieces whose boundaries
/// depend only on the input, and partial results are combined in piece order. The
/// routines never build a pool: [`Parallelism::Rayon`] runs on the current one, so a
/// caller that wants a given thread count enters a pool of that size with
/// `rayon::ThreadPool::install` around the call.
///
/// ```
/// use divnet::algo::Parallelism;
/// use divnet::algo::ksp::KspGraph;
///
/// assert_eq!(Parallelism::default(), Parallelism::Rayon);
/// let kg = KspGraph::from_edges(3, [(0, 1, 1.0), (1, 2, 1.0)]).unwrap();
/// let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
/// let two = pool.install(|| kg.k_shortest_paths_batch(&[(0, 2)], 1, Parallelism::Rayon));
/// let one = kg.k_shortest_paths_batch(&[(0, 2)], 1, Parallelism::Sequential);
/// assert_eq!(two.unwrap(), one.unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Parallelism {
    /// Run on the calling thread only.
    Sequential,
    /// Run on the current rayon pool (the global pool, or the pool entered with
    /// `ThreadPool::install`).
    #[default]
    Rayon,
}
