//! The CSV piece parser on arbitrary bytes: no panic, and a file parsed whole reads exactly
//! as the same file cut into pieces (records, line numbers, rejections). The checks are
//! `divnet::ingest::fuzz_csv_pieces`, which the test suite also runs on random input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| divnet::ingest::fuzz_csv_pieces(data));
