//! The crisis and support lines people are given follow their service's nation, and every
//! number Peerline names is one listed, with its source, in `core/crisis/resources.toml`.

use chrono::{NaiveDate, Utc};
use peerline_core::{
    domain::{Language, Nation},
    i18n::Localizer,
    safeguarding::crisis_reply,
    sms::{Folding, prepare},
};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    resource: Vec<Resource>,
}

#[derive(Deserialize)]
struct Resource {
    name: String,
    number: String,
    #[serde(default)]
    also: Vec<String>,
    nations: Vec<String>,
    source: String,
    listed: String,
    checked: String,
}

fn resources() -> Vec<Resource> {
    let text = include_str!("../crisis/resources.toml");
    toml::from_str::<File>(text).expect("resources.toml parses").resource
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The numbers in a text: runs of digits joined by single spaces, three digits or more
/// ("0800 83 85 87", "116 123", "85258"; not "option 2" or "24/7").
fn numbers_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            current.push(*c);
        } else if *c == ' '
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
            && chars.get(i.wrapping_sub(1)).is_some_and(char::is_ascii_digit)
        {
            continue;
        } else {
            if current.len() >= 3 {
                out.push(std::mem::take(&mut current));
            }
            current.clear();
        }
    }
    if current.len() >= 3 {
        out.push(current);
    }
    out
}

#[test]
fn every_resource_has_a_source_and_was_checked_or_listed_within_a_year() {
    let today = Utc::now().date_naive();
    let mut unverified = Vec::new();
    for r in resources() {
        assert!(r.source.starts_with("https://"), "{}: no source", r.name);
        assert!(!r.number.trim().is_empty(), "{}: no number", r.name);
        let date = if r.checked.is_empty() {
            unverified.push(r.name.clone());
            &r.listed
        } else {
            &r.checked
        };
        let date =
            NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap_or_else(|_| panic!("{}: bad date {date:?}", r.name));
        assert!(
            (today - date).num_days() <= 365,
            "{}: last checked {date}, over a year ago: check it at {} and update `checked`",
            r.name,
            r.source
        );
        for n in &r.nations {
            assert!(n.parse::<Nation>().is_ok(), "{}: unknown nation {n}", r.name);
        }
    }
    if !unverified.is_empty() {
        println!("NOT YET CHECKED against their sources: {}", unverified.join(", "));
    }
}

#[test]
fn each_nation_gets_its_own_lines_and_every_number_is_a_listed_one() {
    let i18n = Localizer::embedded().unwrap();
    let listed = resources();
    for nation in Nation::ALL {
        let allowed: Vec<String> = listed
            .iter()
            .filter(|r| r.nations.iter().any(|n| n == nation.as_str()))
            .flat_map(|r| std::iter::once(digits(&r.number)).chain(r.also.iter().map(|a| digits(a))))
            .collect();
        for lang in Language::ALL {
            for extra in ["none", "drugs", "abuse"] {
                let reply = crisis_reply(&i18n, lang, nation, extra, true, None);
                for n in numbers_in(&reply) {
                    assert!(
                        allowed.contains(&n),
                        "{nation}/{lang}/{extra}: {n} is not listed for {nation} in resources.toml: {reply}"
                    );
                }
                // As an SMS goes (Polish folded to GSM-7 when that is cheaper, the default):
                // within three segments in every language, nation and extra.
                let (sent, seg) = prepare(&reply, Folding::Auto);
                assert!(
                    seg.parts <= 3,
                    "{nation}/{lang}/{extra}: {} segments: {sent}",
                    seg.parts
                );
            }
        }
    }
    let en = |nation, extra| crisis_reply(&i18n, Language::EnGb, nation, extra, true, None);
    assert!(
        en(Nation::Wales, "none").contains("0808 164 0123"),
        "the Welsh Language Line"
    );
    assert!(en(Nation::Wales, "drugs").contains("DAN 24/7"));
    assert!(en(Nation::Wales, "abuse").contains("Live Fear Free"));
    assert!(en(Nation::Scotland, "none").contains("Breathing Space"));
    assert!(en(Nation::Scotland, "abuse").contains("0800 027 1234"));
    assert!(en(Nation::NorthernIreland, "none").contains("Lifeline: 0808 808 8000"));
    assert!(en(Nation::NorthernIreland, "abuse").contains("0808 802 1414"));
    assert!(
        !en(Nation::England, "drugs").contains("DAN"),
        "England's drug line is FRANK"
    );
    assert!(
        !en(Nation::Scotland, "drugs").contains("FRANK"),
        "FRANK is not Scotland's"
    );
    let pl = crisis_reply(&i18n, Language::Pl, Nation::England, "none", true, None);
    assert!(pl.contains("112") && pl.contains("\"Polish\""), "{pl}");
}

#[test]
fn the_number_finder_finds_numbers_and_not_counts() {
    assert_eq!(
        numbers_in("Call 999. Samaritans: 116 123 (free). NHS 111, option 2. DAN 24/7: 0800 83 85 87."),
        ["999", "116123", "111", "0800838587"]
    );
}
