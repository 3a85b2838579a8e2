//! `cargo +nightly fuzz run webhooks` (or `scripts/fuzz webhooks`); the checks live in `src/lib.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peerline_fuzz::webhooks(data));
