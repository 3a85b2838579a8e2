//! `cargo +nightly fuzz run phone` (or `scripts/fuzz phone`); the checks live in `src/lib.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peerline_fuzz::phone(data));
