//! Running an analysis as a graph of cached steps.
//!
//! - [`graph`]: steps with declared inputs and one artifact each, run in dependency order
//!   (independent steps in parallel), keyed by the hash of their inputs, with early
//!   cut-off on unchanged artifacts.
//! - [`cache`]: the content-addressed, checksummed artifact store the keys point into,
//!   with a size bound.
//! - [`codec`]: how artifacts are encoded for the cache.
//!
//! [`BoxError`], the error a step, a codec or the cache's writer returns, lives here,
//! below all three.
//!
//! The run directory itself (ownership, the lock, the atomic swap, the run history) lives
//! in [`crate::output::rundir`].

pub mod cache;
pub mod codec;
pub mod graph;

/// A boxed error from a step or a codec.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What identifies the code computing the artifacts, for the cache keys: the divnet
/// version and the SHA-256 of the running executable (so a rebuilt binary never reads
/// artifacts of another build, even at the same version). `None` when the executable
/// cannot be read; a run then uses no cache.
pub fn build_id() -> Option<&'static str> {
    static ID: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let exe = std::env::current_exe().ok()?;
        let bytes = std::fs::read(exe).ok()?;
        let sha = crate::output::sha256_hex(&bytes);
        Some(format!("{}+{}", env!("CARGO_PKG_VERSION"), &sha[..16]))
    })
    .as_deref()
}
