//! The `divnet` binary: parses the command line and maps the result to an exit code.
//! Exit codes: 0 success, 1 rows rejected (`validate`, or `--strict`), 2 the run could not
//! be done (bad config, unusable file, write failure), 3 `diff --fail-on-change` found
//! changes, 4 a run finished but kept files the user edited or added in its output
//! directory while it ran (outputs kept).

use std::process::ExitCode;

use clap::Parser;

// Ingestion builds hundreds of thousands of small records; mimalloc allocates and frees
// them about a quarter faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` of mimalloc.h: milliseconds that freed memory stays committed
/// before it is returned to the operating system.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

// Part of the mimalloc library that the `mimalloc` crate links (its options API).
unsafe extern "C" {
    #[cfg(test)]
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// Returns freed memory to the operating system after 100 ms instead of mimalloc's 1 s.
/// A run's steps that build large outputs follow each other; with the default, the
/// memory one of them frees is still resident while the next builds its own, and the
/// peak of a million-seizure run is 1.50 GB instead of 1.42 GB (BENCHMARKS.md), at the
/// same speed.
fn tune_allocator() {
    // SAFETY: called once, first thing in `main`, before any other thread exists (the
    // option functions are not thread-safe); the option index is mimalloc's.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 100) }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = divnet::cli::Cli::parse();
    match divnet::cli::run(cli) {
        Ok(divnet::cli::Status::Ok) => ExitCode::SUCCESS,
        Ok(divnet::cli::Status::Rejected) => ExitCode::from(1),
        Ok(divnet::cli::Status::Changed) => ExitCode::from(3),
        Ok(divnet::cli::Status::Kept) => ExitCode::from(4),
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let strict = e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<divnet::error::RunError>(),
                    Some(divnet::error::RunError::Ingest(
                        divnet::ingest::IngestError::Strict { .. }
                    ))
                )
            });
            eprintln!("divnet: error: {e:#}");
            ExitCode::from(if strict { 1 } else { 2 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // mimalloc's default purge delay is 1000 ms; no other option defaults to it.
        // SAFETY: reading an option; nothing in this test binary sets options.
        assert_eq!(unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) }, 1000);
    }
}
