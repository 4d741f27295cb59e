//! The spreadsheet reader on arbitrary bytes: no panic, and no allocation beyond the
//! limits (a part that inflates too far is refused, a sheet is read by its cells). The
//! checks are `divnet::ingest::fuzz_sheet`, which the test suite also runs on random input
//! and on mutations of a real workbook. Seed the corpus with the workbooks of
//! `tests/data/sources/` and `tests/data/malformed/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| divnet::ingest::fuzz_sheet(data));
