//! Cache entries on arbitrary bytes: the header check never lets a foreign file through,
//! a damaged entry is removed, and every artifact decoder turns bad bytes into an error,
//! never a panic. The checks are `divnet::run::cache::fuzz_cache_entry`, which the test
//! suite also runs on random input.
#![no_main]

use divnet::stages::artifact::codecs::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    divnet::run::cache::fuzz_cache_entry(
        data,
        &[
            RECORDS, NETWORK, LINKS, CASES, PATHS, FLOWS, HUBS, CELLS, CUBE, REGIONAL,
            RECIPIENTS, FRAME, FIGURE, FILES, SUMMARY,
        ],
    )
});
