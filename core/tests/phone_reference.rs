//! Peerline's phone numbers against Google's libphonenumber: the verdicts in
//! `fixtures/phone_vectors.tsv` were produced by the reference itself (the `phonenumbers`
//! Python port; `scripts/reference/phone_vectors.py` regenerates them). Peerline must accept
//! exactly what the reference calls valid, with the same E.164 form, plus Ofcom's reserved
//! drama numbers, which the reference calls unallocated and which services use for training.

use peerline_core::domain::PhoneNumber;

fn drama(e164_or_input: &str) -> bool {
    let digits: String = e164_or_input.chars().filter(char::is_ascii_digit).collect();
    ["07700900", "01632960"]
        .iter()
        .any(|p| digits.len() == 11 && digits.starts_with(p))
}

#[test]
fn peerline_agrees_with_libphonenumber_on_every_vector() {
    let fixture = include_str!("fixtures/phone_vectors.tsv");
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for line in fixture.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let (input, verdict) = line.split_once('\t').expect("input<TAB>verdict");
        let ours = PhoneNumber::parse(input).map(|p| p.as_str().to_owned()).ok();
        let reference = (verdict != "-").then(|| verdict.to_owned());
        let expected = if reference.is_none() && drama(input) {
            // The one deliberate difference: Ofcom's drama ranges.
            PhoneNumber::parse(input).ok().map(|p| p.as_str().to_owned())
        } else {
            reference.clone()
        };
        if ours != expected {
            disagreements.push(format!("{input:?}: reference {reference:?}, Peerline {ours:?}"));
        }
        checked += 1;
    }
    println!(
        "{checked} vectors compared with libphonenumber; {} disagreements",
        disagreements.len()
    );
    assert!(checked >= 40, "{checked}");
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    // The drama range, and its edge.
    assert!(PhoneNumber::parse("07700 900999").is_ok());
    assert!(PhoneNumber::parse("07700 901000").is_err());
}

#[test]
fn numbers_from_abroad_typed_without_their_code_are_refused_with_a_hint() {
    for (input, hint) in [
        ("512 345 678", "+48"),
        ("087 123 4567", "+353"),
        // Also a valid Irish landline: both are offered.
        ("(415) 555-2671", "+1 for the US"),
    ] {
        let e = PhoneNumber::parse(input).expect_err(input).to_string();
        assert!(e.contains(hint), "{input}: {e}");
    }
    let e = PhoneNumber::parse("0791 112345").unwrap_err().to_string();
    assert!(e.contains("check the digits"), "{e}");
}

#[test]
fn pasted_numbers_read_as_typed() {
    let expected = "+447911123456";
    for input in [
        "07911\u{00A0}123456",
        "\u{FEFF}07911 123456",
        "07911\u{2013}123\u{2013}456",
        "\u{200E}+44 7911 123456\u{200F}",
        "\u{FF10}\u{FF17}\u{FF19}\u{FF11}\u{FF11} \u{FF11}\u{FF12}\u{FF13}\u{FF14}\u{FF15}\u{FF16}",
        "\u{2066}07911 123456\u{2069}",
    ] {
        assert_eq!(
            PhoneNumber::parse(input).map(|p| p.as_str().to_owned()),
            Ok(expected.to_owned()),
            "{input:?}"
        );
    }
    // Still refused: letters and extensions.
    assert!(PhoneNumber::parse("07911 123456 ext 12").is_err());
    assert!(PhoneNumber::parse("O7911 123456").is_err());
}
