//! Every locale file parses, defines exactly the messages en-GB defines, uses the same
//! variables, and stays GSM-7 where the language allows, because a single curly quote doubles
//! what an SMS costs someone with little credit.

use std::collections::{BTreeMap, BTreeSet};

use fluent_bundle::FluentValue;
use fluent_syntax::ast;
use peerline_core::{domain::Language, i18n, sms};

type Messages = BTreeMap<String, BTreeSet<String>>;

fn collect_inline(e: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                collect_inline(a, vars);
            }
            for a in &arguments.named {
                collect_inline(&a.value, vars);
            }
        }
        ast::InlineExpression::Placeable { expression } => collect_expr(expression, vars),
        _ => {}
    }
}

fn collect_expr(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Select { selector, variants } => {
            collect_inline(selector, vars);
            for v in variants {
                collect_pattern(&v.value, vars);
            }
        }
        ast::Expression::Inline(i) => collect_inline(i, vars),
    }
}

fn collect_pattern(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            collect_expr(expression, vars);
        }
    }
}

fn messages(lang: Language, source: &'static str) -> Messages {
    let resource = fluent_syntax::parser::parse(source)
        .unwrap_or_else(|(_, errors)| panic!("{lang}: locale file does not parse: {errors:?}"));
    let mut out = Messages::new();
    for entry in &resource.body {
        match entry {
            ast::Entry::Message(m) => {
                let mut vars = BTreeSet::new();
                if let Some(v) = &m.value {
                    collect_pattern(v, &mut vars);
                }
                assert!(
                    out.insert(m.id.name.to_owned(), vars).is_none(),
                    "{lang}: {} defined twice",
                    m.id.name
                );
            }
            ast::Entry::Junk { content } => panic!("{lang}: unparseable entry: {content}"),
            _ => {}
        }
    }
    out
}

fn all() -> Vec<(Language, Messages)> {
    Language::ALL
        .iter()
        .map(|&lang| {
            let mut merged = Messages::new();
            for (l, _, src) in i18n::EMBEDDED {
                if *l == lang {
                    merged.extend(messages(lang, src));
                }
            }
            (lang, merged)
        })
        .collect()
}

fn sample_args<'a>(vars: &'a BTreeSet<String>, channel: &'a str) -> Vec<(&'a str, FluentValue<'a>)> {
    vars.iter()
        .map(|v| {
            let value = match v.as_str() {
                "channel" => FluentValue::from(channel),
                "days" | "count" | "minutes" | "score" => FluentValue::from(2),
                _ => FluentValue::from("Sam"),
            };
            (v.as_str(), value)
        })
        .collect()
}

#[test]
fn every_language_has_a_locale_file() {
    for lang in Language::ALL {
        assert!(
            i18n::EMBEDDED.iter().any(|(l, _, _)| *l == lang),
            "no locale file for {lang}"
        );
    }
}

#[test]
fn every_message_exists_in_every_locale_with_the_same_variables() {
    let all = all();
    let (_, reference) = &all[0];
    assert!(reference.len() > 10, "en-GB looks empty");
    for (lang, msgs) in &all[1..] {
        let missing: Vec<_> = reference.keys().filter(|k| !msgs.contains_key(*k)).collect();
        let extra: Vec<_> = msgs.keys().filter(|k| !reference.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
        assert!(extra.is_empty(), "{lang} has messages en-GB lacks: {extra:?}");
        for (id, vars) in reference {
            assert_eq!(&msgs[id], vars, "{lang}: {id} uses different variables from en-GB");
        }
    }
}

#[test]
fn every_message_formats_cleanly_in_every_language() {
    let loc = i18n::Localizer::embedded().expect("embedded locales load");
    let (_, reference) = &all()[0];
    for lang in Language::ALL {
        for (id, vars) in reference {
            assert!(loc.has(lang, id), "{lang} lacks {id}");
            let text = loc.format(lang, id, &sample_args(vars, "sms"));
            assert!(!text.is_empty() && text != *id, "{lang}/{id} formats to nothing");
            assert!(!text.contains('{'), "{lang}/{id} left a placeable unformatted: {text}");
        }
    }
}

/// Characters that have a GSM-7 equivalent: using one needlessly doubles an SMS's cost.
const NEEDLESS_UNICODE: &[char] = &[
    '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2026}', '\u{2013}', '\u{2014}', '\u{00A0}', '\u{2068}',
    '\u{2069}', '\u{200B}',
];

#[test]
fn english_and_welsh_stay_gsm7_and_no_locale_uses_needless_unicode() {
    let loc = i18n::Localizer::embedded().expect("embedded locales load");
    let (_, reference) = &all()[0];
    for lang in Language::ALL {
        for (id, vars) in reference {
            for channel in ["sms", "telegram"] {
                let text = loc.format(lang, id, &sample_args(vars, channel));
                if let Some(c) = text.chars().find(|c| NEEDLESS_UNICODE.contains(c)) {
                    panic!(
                        "{lang}/{id} contains U+{:04X}, which has a GSM-7 equivalent: {text}",
                        c as u32
                    );
                }
                // English is GSM-7 as written. Welsh is written correctly (ŵ, ô, î) and folded
                // to GSM-7 only as an SMS is sent: folded, it must be GSM-7.
                if lang == Language::EnGb {
                    assert!(sms::is_gsm7(&text), "{lang}/{id} is not GSM-7: {text}");
                }
                if lang == Language::Cy {
                    let folded = sms::fold(&text);
                    assert!(sms::is_gsm7(&folded), "{lang}/{id} is not GSM-7 even folded: {folded}");
                }
            }
        }
    }
}

/// `sms.max_segments` (default 3) caps scheduled messages (reminders, check-ins): those must
/// fit in every language. Replies and safeguarding messages go whole, but English and Welsh
/// ones should still fit, since GSM-7 leaves room for them.
#[test]
fn sms_messages_fit_three_segments_where_the_limit_applies() {
    let loc = i18n::Localizer::embedded().expect("embedded locales load");
    let (_, reference) = &all()[0];
    let mut too_long = Vec::new();
    for lang in Language::ALL {
        // Help is sent with the service hours appended: measure the pair.
        let hours = loc.format(
            lang,
            "service-hours",
            &[
                ("days", "Mon-Fri".into()),
                ("weekdays", "yes".into()),
                ("start", "09:00".into()),
                ("end", "17:00".into()),
            ],
        );
        for (id, vars) in reference {
            let mut text = loc.format(lang, id, &sample_args(vars, "sms"));
            if id.starts_with("help-") {
                text = format!("{text} {hours}");
            }
            // The first check-in question goes out with the introduction.
            if id == "checkin-q-life" {
                let intro = loc.format(lang, "checkin-intro", &[("channel", "sms".into())]);
                text = format!("{intro} {text}");
            }
            // As it is sent: folded to GSM-7 when that saves segments (sms.fold_diacritics).
            let (_, seg) = sms::prepare(&text, sms::Folding::Auto);
            // Every message, in every language, fits three segments as sent: the scheduler's
            // cap, and what a person on a cheap phone can read in one go.
            if seg.parts > 3 {
                too_long.push(format!(
                    "{lang}/{id}: {} segments ({} chars)",
                    seg.parts,
                    text.chars().count()
                ));
            }
        }
    }
    assert!(too_long.is_empty(), "messages over 3 SMS segments: {too_long:#?}");
}
