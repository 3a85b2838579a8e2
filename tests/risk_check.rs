//! `peerline risk check`: coordinators tuning phrases see whether a text matches, the
//! category and the rule; configured extra phrases take part, and a bad one stops start-up
//! with an error naming it.

mod support;

use support::Home;

#[test]
fn risk_check_names_the_category_and_the_rule() {
    let home = Home::new();
    let out = home.cli_ok(&["risk", "check", "I hurt myself last night"]);
    assert!(out.starts_with("Match: self-harm"), "{out}");
    assert!(out.contains("rule:en-GB:self-harm:harm-self"), "{out}");

    let out = home.cli_ok(&["risk", "check", "dying to see the match"]);
    assert!(out.starts_with("No match"), "{out}");
    assert!(out.contains("not an all-clear"), "{out}");

    let out = home.cli_ok(&["risk", "check", "--language", "cy", "dw i isio marw"]);
    assert!(out.contains("rule:cy:suicide:isio-marw"), "{out}");
    assert!(!out.contains(":en-GB:"), "{out}");

    let bad = home.cli(&["risk", "check", "--language", "fr", "text"], &[]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown language"));
}

#[test]
fn configured_extra_phrases_match_and_bad_ones_stop_start_up() {
    let home = Home::new();
    let config = home.path().join("peerline.toml");
    std::fs::write(
        &config,
        "[[risk.extra_phrases]]\ncategory = \"overdose\"\nphrase = \"gouch|gouching out for good\"\n",
    )
    .expect("write config");
    let before = home.cli_ok(&["risk", "check", "gonna gouch out for good"]);
    assert!(
        before.contains("service:en-GB:overdose:gouch|gouching out for good"),
        "{before}"
    );

    for (toml, why) in [
        ("category = \"sadness\"\nphrase = \"low\"", "unknown category"),
        ("category = \"overdose\"\nphrase = \"  \"", "empty"),
        ("category = \"overdose\"\nphrase = \"a||b\"", "empty alternative"),
        (
            "category = \"overdose\"\nphrase = \"gear\"\nlanguage = \"fr\"",
            "unknown language",
        ),
    ] {
        std::fs::write(&config, format!("[[risk.extra_phrases]]\n{toml}\n")).expect("write config");
        let out = home.cli(&["risk", "check", "text"], &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{toml}");
        assert!(
            err.contains("risk.extra_phrases[0]") && err.contains(why),
            "{toml}: {err}"
        );
    }
}
