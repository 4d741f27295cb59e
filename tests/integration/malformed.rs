//! The corpus of malformed inputs in `tests/data/malformed/`: every file goes through the
//! ingest, and its outcome (refused with a message, or rows accepted and rejected with
//! their lines, columns and reasons) must be exactly the one written in `expected.toml`.
//! A file without an entry, or an entry without a file, fails the test.

use std::collections::BTreeMap;
use std::path::Path;

use divnet::ingest::{IngestOptions, InputSet, ingest};
use divnet::inputs::InputSpec;

use crate::common::{data, gaz};

/// What the ingest made of one file.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Refused: the error and its sources, joined as the binary prints them.
    Refused(String),
    /// Read: rows accepted, and every problem as `line:column:reason`, in order.
    Read { accepted: u64, rejected: Vec<String> },
}

/// An error with its chain of sources, as `divnet` prints it.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn run(path: &Path, table: &str, piece: usize) -> Outcome {
    let spec = vec![InputSpec::for_path(path.display().to_string())];
    let mut inputs = InputSet::default();
    match table {
        "seizures" => inputs.seizures = spec,
        "looting" => inputs.looting = spec,
        "routes" => inputs.routes = spec,
        other => panic!("{}: unknown table {other:?}", path.display()),
    }
    let opts = IngestOptions {
        csv_piece_bytes: piece,
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        ..IngestOptions::default()
    };
    match ingest(&inputs, Path::new("/"), gaz(), opts) {
        Err(e) => Outcome::Refused(chain(&e)),
        Ok(ing) => {
            let file = &ing.files[0];
            assert_eq!(
                file.accepted + file.rejected,
                file.rows_read,
                "{}: every row read is accepted or rejected",
                path.display()
            );
            let rejected = ing
                .rejections
                .iter()
                .map(|r| {
                    format!("{}:{}:{}", r.row.line, r.problem.column, r.problem.reason.as_str())
                })
                .collect();
            Outcome::Read { accepted: file.accepted, rejected }
        }
    }
}

/// The entry that `outcome` would need, to paste into expected.toml once checked by eye.
fn as_entry(name: &str, table: &str, outcome: &Outcome) -> String {
    let body = match outcome {
        Outcome::Refused(msg) => format!("refused = {msg:?}"),
        Outcome::Read { accepted, rejected } => {
            format!("accepted = {accepted}\nrejected = {rejected:?}")
        }
    };
    format!("[files.{name:?}]\ntable = {table:?}\nwhat = \"...\"\n{body}\n")
}

#[test]
fn every_malformed_input_has_exactly_its_expected_outcome() {
    let dir = data("malformed");
    let text = std::fs::read_to_string(dir.join("expected.toml")).unwrap();
    let expected: toml::Table = toml::from_str(&text).unwrap();
    let entries = expected.get("files").and_then(|f| f.as_table()).expect("a [files] table");
    let mut corpus = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name != "expected.toml" && name != "README.md" {
            corpus.insert(name, path);
        }
    }
    assert!(corpus.len() >= 40, "the corpus has {} files", corpus.len());
    let mut failures = Vec::new();
    for name in entries.keys() {
        if !corpus.contains_key(name) {
            failures.push(format!("{name}: in expected.toml but not in the corpus"));
        }
    }
    for (name, path) in &corpus {
        let Some(entry) = entries.get(name).and_then(|e| e.as_table()) else {
            let outcome = run(path, "seizures", 4);
            failures.push(format!(
                "{name}: no entry in expected.toml; as a seizures file it gives:\n{}",
                as_entry(name, "seizures", &outcome)
            ));
            continue;
        };
        let table = entry.get("table").and_then(|t| t.as_str()).unwrap_or("?");
        assert!(
            entry.get("what").and_then(|t| t.as_str()).is_some_and(|w| !w.is_empty()),
            "{name}: say what the case is in `what`"
        );
        // Pieces of 4 bytes put a cut between nearly every two records; the outcome must
        // not depend on the cuts.
        let outcome = run(path, table, 4);
        assert_eq!(outcome, run(path, table, 1 << 20), "{name}: pieces change the outcome");
        let ok = match (&outcome, entry.get("refused")) {
            (Outcome::Refused(msg), Some(want)) => {
                let want = want.as_str().unwrap_or_default();
                msg.contains(want) && msg.contains(name.as_str())
            }
            (Outcome::Read { accepted, rejected }, None) => {
                let want_acc = entry.get("accepted").and_then(|a| a.as_integer());
                let want_rej: Option<Vec<&str>> = entry
                    .get("rejected")
                    .and_then(|r| r.as_array())
                    .map(|r| r.iter().filter_map(|v| v.as_str()).collect());
                want_acc == Some(*accepted as i64)
                    && want_rej.is_some_and(|w| {
                        w == rejected.iter().map(String::as_str).collect::<Vec<_>>()
                    })
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{name}: the outcome differs from expected.toml; it is:\n{}",
                as_entry(name, table, &outcome)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
