//! `cargo +nightly fuzz run keywords` (or `scripts/fuzz keywords`); the checks live in `src/lib.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peerline_fuzz::keywords(data));
