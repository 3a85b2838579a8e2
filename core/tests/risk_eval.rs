//! Risk triage measured on the evaluation corpus (`core/risk/eval/<language>.tsv`) and on a
//! held-out set (`core/risk/eval/holdout/<language>.tsv`, set 5): recall per category and false
//! alarms on ordinary messages, for the lists as they were (exact forms, no rules: "before")
//! and for Peerline now ("after"). Each test prints its table, marks every rate short of the
//! targets with TARGET NOT MET, and fails if:
//!
//! - on the corpus: recall (any risk category matched, so the sender gets the crisis reply
//!   and a coordinator an alert) under 95% for suicide, self-harm and overdose in English or
//!   under 90% in Welsh and Polish; false alarms over 3% of a language's ordinary messages
//!   (or, where the old lists alone already pass 3%, more than one point over them);
//! - on the held-out set: anything worse than the rates first measured on it
//!   (`HELD_OUT_RECALL`, `HELD_OUT_FALSE_ALARMS`).
//!
//! The rules were tuned on the corpus, so its rates flatter them; the held-out rates are the
//! honest estimate. The corpus is separate from the lists and rules and must stay so (see its
//! header). It now also holds held-out sets 1 to 3, each measured once and then tuned on.
//! The two sets are separate tests so that tuning can run the corpus alone
//! (`cargo test --test risk_eval corpus -- --nocapture`) without seeing the held-out messages;
//! the held-out test prints its misses only when `PEERLINE_SHOW_HELD_OUT=1` is set.
//! Also: nothing the lists matched before the rules stops matching (`old_matches_still_match`).

use std::collections::BTreeMap;

use peerline_core::risk::{RiskCategory, Triage};

const CORPUS: [(&str, &str); 3] = [
    ("en-GB", include_str!("../risk/eval/en-GB.tsv")),
    ("cy", include_str!("../risk/eval/cy.tsv")),
    ("pl", include_str!("../risk/eval/pl.tsv")),
];

/// Held-out set 5, written by a session that had not read the lists, the rules, `CORPUS`
/// or an earlier held-out set, and never used to tune them. Sets 1 to 4 were measured once
/// each and then moved into `CORPUS`.
const HOLDOUT: [(&str, &str); 3] = [
    ("en-GB", include_str!("../risk/eval/holdout/en-GB.tsv")),
    ("cy", include_str!("../risk/eval/holdout/cy.tsv")),
    ("pl", include_str!("../risk/eval/holdout/pl.tsv")),
];

/// The phrase lists as they were before word forms and rules (2 December 2026).
const OLD_LISTS: [(&str, &str); 3] = [
    ("en-GB", include_str!("data/risk-lists-2026-12-02/en-GB.txt")),
    ("cy", include_str!("data/risk-lists-2026-12-02/cy.txt")),
    ("pl", include_str!("data/risk-lists-2026-12-02/pl.txt")),
];

const ORDINARY: &str = "ordinary";
const FLOORED: [RiskCategory; 3] = [RiskCategory::Suicide, RiskCategory::SelfHarm, RiskCategory::Overdose];

fn floor(language: &str) -> f64 {
    if language == "en-GB" { 0.95 } else { 0.90 }
}
const MAX_FALSE_ALARMS: f64 = 0.03;

/// Held-out set 5's first and only measurement (3 December 2026), recorded as a ratchet
/// rather than hidden. Set 5 was written by a session that never saw the lists, the rules,
/// the corpus or an earlier held-out set, and it is far short of the targets: the rules
/// generalise much less than their corpus rates suggest. The rates may only go up (recall)
/// or down (false alarms), by improving the rules on the corpus, never by tuning on the
/// held-out set; to tune on a held-out message, move it to the corpus and write a new one.
/// `(language, category, minimum recall)` and `(language, maximum false-alarm rate)`.
const HELD_OUT_RECALL: [(&str, RiskCategory, f64); 9] = [
    ("en-GB", RiskCategory::Suicide, 24.0 / 33.0),
    ("en-GB", RiskCategory::SelfHarm, 16.0 / 28.0),
    ("en-GB", RiskCategory::Overdose, 14.0 / 28.0),
    ("cy", RiskCategory::Suicide, 23.0 / 33.0),
    ("cy", RiskCategory::SelfHarm, 15.0 / 28.0),
    ("cy", RiskCategory::Overdose, 13.0 / 28.0),
    ("pl", RiskCategory::Suicide, 20.0 / 33.0),
    ("pl", RiskCategory::SelfHarm, 14.0 / 28.0),
    ("pl", RiskCategory::Overdose, 19.0 / 28.0),
];
const HELD_OUT_FALSE_ALARMS: [(&str, f64); 3] = [("en-GB", 9.0 / 96.0), ("cy", 2.0 / 99.0), ("pl", 4.0 / 95.0)];

struct Case<'a> {
    line: usize,
    category: &'a str,
    text: &'a str,
}

fn corpus(language: &str, source: &'static str) -> Vec<Case<'static>> {
    let mut out = Vec::new();
    for (n, line) in source.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((category, text)) = line.split_once('\t') else {
            panic!("{language}.tsv line {}: no tab between category and text", n + 1);
        };
        assert!(
            category == ORDINARY || RiskCategory::from_name(category).is_some(),
            "{language}.tsv line {}: unknown category {category:?}",
            n + 1
        );
        out.push(Case {
            line: n + 1,
            category,
            text,
        });
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Tally {
    n: usize,
    /// Risk: flagged with any category. Ordinary: flagged at all (a false alarm).
    flagged: usize,
    /// Risk: flagged with the labelled category among others.
    exact: usize,
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Per category tallies, and the texts that were missed or falsely flagged.
fn measure(t: &Triage, cases: &[Case<'_>]) -> (BTreeMap<String, Tally>, Vec<String>) {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut wrong = Vec::new();
    for c in cases {
        let got = t.assess(c.text);
        let tally = tallies.entry(c.category.to_owned()).or_default();
        tally.n += 1;
        if c.category == ORDINARY {
            if !got.is_empty() {
                tally.flagged += 1;
                let rules: Vec<String> = t.matches(c.text).into_iter().map(|m| m.rule).collect();
                wrong.push(format!("  false alarm line {}: {:?} by {rules:?}", c.line, c.text));
            }
        } else if got.is_empty() {
            wrong.push(format!("  missed line {} [{}]: {:?}", c.line, c.category, c.text));
        } else {
            tally.flagged += 1;
            if got.iter().any(|g| g.as_str() == c.category) {
                tally.exact += 1;
            }
        }
    }
    (tallies, wrong)
}

/// Measure one set of corpora, appending to `report` and `failures`.
/// What a set of corpora must reach: the targets, or the held-out ratchet.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Floors {
    Targets,
    HeldOutRatchet,
}

fn recall_floor(floors: Floors, language: &str, category: &str) -> Option<f64> {
    let floored = FLOORED.iter().find(|c| c.as_str() == category)?;
    match floors {
        Floors::Targets => Some(floor(language)),
        Floors::HeldOutRatchet => HELD_OUT_RECALL
            .iter()
            .find(|(l, c, _)| *l == language && c == floored)
            .map(|(_, _, f)| *f),
    }
}

fn false_alarm_ok(floors: Floors, language: &str, before: f64, after: f64) -> bool {
    match floors {
        // The old lists' own false alarms cannot be removed (nothing matched before may stop
        // matching): where they alone pass the ceiling, the rules may add at most one point.
        Floors::Targets => after <= MAX_FALSE_ALARMS || after <= before + 0.01,
        Floors::HeldOutRatchet => HELD_OUT_FALSE_ALARMS
            .iter()
            .find(|(l, _)| *l == language)
            .is_none_or(|(_, max)| after <= *max + 1e-9),
    }
}

fn evaluate(
    set: &str,
    corpora: &[(&str, &'static str)],
    min_each: usize,
    floors: Floors,
    show_misses: bool,
    report: &mut String,
    failures: &mut Vec<String>,
) {
    let (old, bad) = Triage::from_lists(&OLD_LISTS);
    assert!(bad.is_empty(), "{bad:?}");
    let before = old.phrases_only();
    let after = Triage::embedded();
    report.push_str(&format!(
        "\n=== {set}: before (old lists, exact forms) -> after (lists + word forms + rules)\n\
         recall = flagged with any category (crisis reply + alert); same category in brackets\n"
    ));
    for &(language, source) in corpora {
        let cases = corpus(language, source);
        let risk = cases.iter().filter(|c| c.category != ORDINARY).count();
        let ordinary = cases.len() - risk;
        assert!(
            risk >= min_each && ordinary >= min_each,
            "{set} {language}: {risk} risk and {ordinary} ordinary messages (need {min_each} of each)"
        );
        let (b, _) = measure(&before, &cases);
        let (a, wrong) = measure(&after, &cases);
        report.push_str(&format!("\n{language}: {risk} risk, {ordinary} ordinary messages\n"));
        let mut risk_before = (0, 0);
        let mut risk_after = (0, 0);
        for (category, ta) in &a {
            let tb = b.get(category).copied().unwrap_or_default();
            if category == ORDINARY {
                let (fb, fa) = (pct(tb.flagged, tb.n), pct(ta.flagged, ta.n));
                report.push_str(&format!(
                    "  {category:<15} n={:<4} false alarms {:>5.1}% -> {:>5.1}% ({} -> {})\n",
                    ta.n,
                    100.0 * fb,
                    100.0 * fa,
                    tb.flagged,
                    ta.flagged
                ));
                if fa > MAX_FALSE_ALARMS {
                    report.push_str(&format!(
                        "  TARGET NOT MET: false alarms {:.1}% over {:.0}%\n",
                        100.0 * fa,
                        100.0 * MAX_FALSE_ALARMS
                    ));
                }
                if !false_alarm_ok(floors, language, fb, fa) {
                    failures.push(format!(
                        "{set} {language}: false alarms {}/{} over {:.0}% (old lists alone: {}/{})",
                        ta.flagged,
                        ta.n,
                        100.0 * MAX_FALSE_ALARMS,
                        tb.flagged,
                        tb.n
                    ));
                }
                continue;
            }
            risk_before = (risk_before.0 + tb.flagged, risk_before.1 + tb.n);
            risk_after = (risk_after.0 + ta.flagged, risk_after.1 + ta.n);
            report.push_str(&format!(
                "  {category:<15} n={:<4} recall {:>5.1}% ({:>5.1}%) -> {:>5.1}% ({:>5.1}%)\n",
                ta.n,
                100.0 * pct(tb.flagged, tb.n),
                100.0 * pct(tb.exact, tb.n),
                100.0 * pct(ta.flagged, ta.n),
                100.0 * pct(ta.exact, ta.n)
            ));
            let recall = pct(ta.flagged, ta.n);
            if FLOORED.iter().any(|c| c.as_str() == category) && recall < floor(language) {
                report.push_str(&format!(
                    "  TARGET NOT MET: {category} recall {:.1}% under {:.0}%\n",
                    100.0 * recall,
                    100.0 * floor(language)
                ));
            }
            if let Some(min) = recall_floor(floors, language, category)
                && recall + 1e-9 < min
            {
                failures.push(format!(
                    "{set} {language} {category}: recall {}/{} below {:.0}%",
                    ta.flagged,
                    ta.n,
                    100.0 * min
                ));
            }
        }
        report.push_str(&format!(
            "  {:<15} n={:<4} recall {:>5.1}% -> {:>5.1}%\n",
            "all risk",
            risk_after.1,
            100.0 * pct(risk_before.0, risk_before.1),
            100.0 * pct(risk_after.0, risk_after.1)
        ));
        if show_misses {
            report.push_str(&wrong.join("\n"));
            report.push('\n');
        } else {
            report.push_str(&format!(
                "  ({} misses and false alarms not shown: set PEERLINE_SHOW_HELD_OUT=1)\n",
                wrong.len()
            ));
        }
    }
}

fn report_and_check(set: &str, corpora: &[(&str, &'static str)], min_each: usize, floors: Floors, show_misses: bool) {
    let mut report = String::new();
    let mut failures = Vec::new();
    evaluate(set, corpora, min_each, floors, show_misses, &mut report, &mut failures);
    println!("{report}");
    assert!(
        failures.is_empty(),
        "{report}\nbelow the floors:\n{}",
        failures.join("\n")
    );
}

#[test]
fn corpus_recall_and_false_alarms_meet_the_targets() {
    report_and_check("corpus (rules were tuned on it)", &CORPUS, 200, Floors::Targets, true);
}

#[test]
fn held_out_recall_and_false_alarms_hold_the_ratchet() {
    let show = std::env::var_os("PEERLINE_SHOW_HELD_OUT").is_some_and(|v| v == "1");
    report_and_check(
        "held out, set 5 (never tuned on)",
        &HOLDOUT,
        50,
        Floors::HeldOutRatchet,
        show,
    );
}

/// Sample texts for a list line: one per alternative position, `*` dropped, `<num>` as 5.
fn samples(phrase: &str) -> Vec<String> {
    let words: Vec<Vec<&str>> = phrase.split_whitespace().map(|w| w.split('|').collect()).collect();
    let most = words.iter().map(Vec::len).max().unwrap_or(0);
    (0..most)
        .map(|k| {
            words
                .iter()
                .map(|alts| {
                    let a = alts[k.min(alts.len() - 1)];
                    if a == "<num>" { "5" } else { a.trim_end_matches('*') }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Detection is a triage aid: nothing the old lists matched may lose its crisis reply, or
/// any category it had. Checked on every corpus message and every old list phrase.
#[test]
fn old_matches_still_match() {
    let (old, _) = Triage::from_lists(&OLD_LISTS);
    let old = old.phrases_only();
    let new = Triage::embedded();
    let mut texts: Vec<String> = CORPUS
        .iter()
        .chain(&HOLDOUT)
        .flat_map(|(l, s)| corpus(l, s).into_iter().map(|c| c.text.to_owned()))
        .collect();
    for p in old.phrases() {
        texts.extend(samples(p.phrase));
    }
    let mut lost = Vec::new();
    for text in &texts {
        let before = old.assess(text);
        let after = new.assess(text);
        if let Some(c) = before.iter().find(|c| !after.contains(c)) {
            lost.push(format!("{text:?}: {c} before, {after:?} now"));
        }
    }
    assert!(
        lost.is_empty(),
        "{} texts lost a category:\n{}",
        lost.len(),
        lost.join("\n")
    );
}

#[test]
fn every_rule_file_line_parses() {
    let bad = peerline_core::risk::embedded_rule_errors();
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(peerline_core::risk::embedded_rule_names().len() > 100);
}
