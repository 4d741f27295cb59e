//! The `divnet` binary: parses the command line and maps the result to an exit code.
//! Exit codes: 0 success, 1 rows rejected (`validate`, or `--strict`), 2 the run could not
//! be done (bad config, unusable file, write failure), 3 `diff --fail-on-change` found
//! changes.

use std::process::ExitCode;

use clap::Parser;

// Ingestion builds hundreds of thousands of small records; mimalloc allocates and frees
// them about a quarter faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = divnet::cli::Cli::parse();
    match divnet::cli::run(cli) {
        Ok(divnet::cli::Status::Ok) => ExitCode::SUCCESS,
        Ok(divnet::cli::Status::Rejected) => ExitCode::from(1),
        Ok(divnet::cli::Status::Changed) => ExitCode::from(3),
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
