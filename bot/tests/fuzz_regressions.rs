//! The fuzz targets' checks on stable, under `cargo test`: every seed in `fuzz/corpus/<target>/`,
//! every saved crash in `fuzz/regressions/<target>/`, and the crashes `scripts/fuzz` found,
//! inlined. The checks themselves are the fuzz crate's (`fuzz/src/lib.rs`), so the two cannot
//! drift apart.

#[path = "../../fuzz/src/lib.rs"]
mod checks;

use std::{fs, path::Path};

/// Run every file in `fuzz/<dir>/<target>/` through the target's checks; returns how many.
fn replay(dir: &str, target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(dir)
        .join(target);
    let Ok(entries) = fs::read_dir(&dir) else { return 0 };
    let mut files: Vec<_> = entries.map(|e| e.expect("readable directory").path()).collect();
    files.sort();
    for file in &files {
        let data = fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("fuzz target {target} fails on {}", file.display());
        }
    }
    files.len()
}

#[test]
fn seed_corpus_and_saved_crashes_pass_every_check() {
    for (target, check) in checks::TARGETS {
        let seeds = replay("corpus", target, *check);
        assert!(seeds > 0, "fuzz/corpus/{target}/ has no seeds");
        replay("regressions", target, *check);
    }
}

// Found by `scripts/fuzz phone`: a trunk `0` after the international prefix parsed as
// +44044394385, whose E.164 form read back as another number (+4444394385).
#[test]
fn phone_trunk_zero_after_international_prefix() {
    checks::phone(b"00044 394 385");
    assert!(peerline_core::domain::PhoneNumber::parse("00044 394 385").is_err());
    assert!(peerline_core::domain::PhoneNumber::parse("0044 7700 900123").is_ok());
}

// Found by `scripts/fuzz webhooks`: a Twilio form with a blank `From` (and the same for Kannel's
// `from`) became an Inbound with an empty address, so every blank sender was one person and
// replies went nowhere. Now the webhook answers 400.
#[test]
fn webhooks_blank_sender_is_refused() {
    checks::webhooks(b"MessageSid=SM1&From=+&Body=hi");
    checks::webhooks(b"token=0123456789abcdef&id=7&from=+&text=STOP\n");
    let twilio = peerline_bot::webhook::strict_form(b"MessageSid=SM1&From=+&Body=hi").expect("a form");
    assert!(peerline_bot::sms::twilio::form_to_inbound(&twilio, chrono::Utc::now()).is_none());
    let kannel = peerline_bot::sms::kannel::raw_params(Some("token=t&id=7&from=%20&text=STOP"), b"");
    assert!(peerline_bot::sms::kannel::mo_to_inbound(&kannel, chrono::Utc::now()).is_none());
}
