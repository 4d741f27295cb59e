//! Helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use divnet::config::InputSpec;
use divnet::geo::Gazetteer;
use divnet::ingest::{IngestError, IngestOptions, Ingested, InputSet, ingest};

/// Path of a test data file.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(rel)
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The embedded gazetteer.
pub fn gaz() -> &'static Gazetteer {
    Gazetteer::embedded().expect("embedded gazetteer loads")
}

/// Ingests the given specs per table kind.
pub fn ingest_specs(
    seizures: Vec<InputSpec>,
    looting: Vec<InputSpec>,
    routes: Vec<InputSpec>,
) -> Result<Ingested, IngestError> {
    let inputs = InputSet { seizures, looting, routes };
    let opts = IngestOptions {
        csv_piece_bytes: 4,
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    };
    ingest(&inputs, Path::new("/"), gaz(), opts)
}

/// A spec for one test data file.
pub fn spec(rel: &str) -> InputSpec {
    InputSpec::file(data(rel).display().to_string())
}

/// The rows of a CSV file as column -> value maps.
pub fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect()
}
