//! What the fuzz targets check, one function per target. Each takes arbitrary bytes, feeds them
//! to Peerline's parsers of untrusted input and panics when an invariant fails (a panic inside
//! a parser fails it too).
//!
//! The same file is compiled into `bot/tests/fuzz_regressions.rs`, which replays the seed
//! corpus (`fuzz/corpus/<target>/`) and every saved crash (`fuzz/regressions/<target>/`) on
//! stable under `cargo test`, so keep it free of crate attributes and of dependencies
//! `peerline-bot`'s tests do not have.

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use peerline_bot::{
    Inbound, InboundPayload,
    conversation::{
        availability,
        keywords::{self, Intent},
    },
    sms::{kannel, normalise_sender, twilio},
    telegram::{RawUpdate, update_to_inbound},
    webhook,
};
use peerline_core::{
    callbacks,
    domain::{ChannelKind, Language, PhoneNumber},
    risk::Triage,
    safeguarding, supervision,
    wellbeing::{self, Answer},
};

/// A target's checks.
pub type Check = fn(&[u8]);

/// Every target, by name, for the replay test.
pub const TARGETS: &[(&str, Check)] = &[("keywords", keywords), ("phone", phone), ("webhooks", webhooks)];

fn received_at() -> DateTime<Utc> {
    Utc.timestamp_opt(1_780_000_000, 0).single().unwrap_or_default()
}

fn no_whitespace(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_whitespace)
}

/// What a person types, by SMS or Telegram: keywords and commands, check-in and supervision
/// replies, risk triage, language names; and the callback data of pressed buttons.
pub fn keywords(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    let intent = keywords::parse(text);
    assert_eq!(intent, keywords::parse(text), "parse is deterministic");
    assert_eq!(
        intent,
        keywords::parse(text.trim()),
        "surrounding space does not matter"
    );
    match &intent {
        Intent::Text(t) => assert_eq!(t, text.trim(), "unrecognised text is kept as typed"),
        Intent::Join(code) | Intent::Take(code) => assert!(no_whitespace(code), "{intent:?}"),
        Intent::CallbackDone(reference, outcome) => {
            assert!(no_whitespace(reference) && no_whitespace(outcome), "{intent:?}")
        }
        Intent::Concern(Some(t)) => assert!(!t.is_empty() && t.trim() == t, "{intent:?}"),
        Intent::Language(Some(l)) => assert!(!l.is_empty(), "{intent:?}"),
        Intent::Available(Some(t)) => assert!(!t.is_empty() && t.trim() == t, "{intent:?}"),
        _ => {}
    }
    // Availability: whatever reads is a real week, and reads back the same when printed.
    if let Ok(windows) = availability::parse(text) {
        assert!(!windows.is_empty());
        for w in &windows {
            assert!((1..=7).contains(&w.weekday), "{w:?}");
            assert!(
                w.start.len() == 5 && w.end.len() == 5 && w.start < w.end && w.end.as_str() <= "24:00",
                "{w:?}"
            );
        }
        let printed = availability::describe(&windows, availability::english_day);
        assert_eq!(availability::parse(&printed).as_ref(), Ok(&windows), "{printed:?}");
    }
    let norm = peerline_core::text::keyword_form(text);
    assert_eq!(
        peerline_core::text::keyword_form(&norm),
        norm,
        "keyword_form is idempotent"
    );
    assert!(
        !norm.starts_with(' ') && !norm.ends_with(' ') && !norm.contains("  "),
        "{norm:?}"
    );

    if let Some(Answer::Score(n)) = wellbeing::parse_answer(text) {
        assert!(n <= 10, "score {n} from {text:?}");
    }
    let _ = supervision::parse_reply(text);
    if let Some(outcome) = callbacks::parse_outcome(text) {
        assert!(callbacks::OUTCOMES.contains(&outcome), "{outcome}");
    }
    let _ = Language::negotiate(text);

    static TRIAGE: OnceLock<Triage> = OnceLock::new();
    let triage = TRIAGE.get_or_init(Triage::embedded);
    let risks = triage.assess(text);
    assert!(risks.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats: {risks:?}");
    let explained = triage.explain(text);
    for r in &risks {
        assert!(
            explained.iter().any(|m| m.category == Some(*r) && !m.suppressed),
            "{r:?} has an unsuppressed match"
        );
    }

    // Button callback data: whatever parses is what the matching builder makes.
    if let Some((id, question, answer)) = wellbeing::parse_button(text) {
        let again = wellbeing::parse_button(&wellbeing::button_data(id, question, answer));
        assert_eq!(again, Some((id, question, answer)));
    }
    if let Some((session, yes)) = supervision::parse_reply_button(text) {
        assert_eq!(
            supervision::parse_reply_button(&supervision::reply_button(session, yes)),
            Some((session, yes))
        );
    }
    if let Some(step) = supervision::parse_booking_button(text) {
        let data = supervision::booking_button(step);
        assert!(data.len() <= 64, "Telegram's limit: {data:?}");
        assert_eq!(supervision::parse_booking_button(&data), Some(step));
    }
    if let Some((session, person, outcome)) = supervision::parse_record_button(text) {
        let data = supervision::record_button(session, person, outcome);
        assert_eq!(
            supervision::parse_record_button(&data),
            Some((session, person, outcome))
        );
    }
    if let Some(id) = callbacks::parse_take_button(text) {
        assert_eq!(callbacks::parse_take_button(&callbacks::take_button(id)), Some(id));
    }
    if let Some((id, outcome)) = callbacks::parse_done_button(text) {
        assert!(callbacks::OUTCOMES.contains(&outcome), "{outcome}");
        assert_eq!(
            callbacks::parse_done_button(&callbacks::done_button(id, outcome)),
            Some((id, outcome))
        );
    }
    if let Some(id) = safeguarding::parse_ack_button(text) {
        assert_eq!(safeguarding::parse_ack_button(&safeguarding::ack_button(id)), Some(id));
    }
}

fn check_e164(input: &str, number: &PhoneNumber) {
    let e164 = number.as_str();
    assert!(
        e164.strip_prefix('+')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())),
        "{input:?} gave {e164:?}, not E.164"
    );
    assert_eq!(
        PhoneNumber::parse(e164).as_ref(),
        Ok(number),
        "{input:?} gave {e164:?}, which does not parse back to itself"
    );
    let redacted = number.redacted();
    assert_eq!(redacted.len(), e164.len(), "{redacted:?}");
    assert!(
        redacted.ends_with(&e164[e164.len().saturating_sub(3)..]),
        "{redacted:?}"
    );
    assert!(!format!("{number:?}").contains(e164), "Debug hides the number");
}

/// Phone numbers as people type them (CSV imports, CLI, SMS senders).
pub fn phone(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    if let Ok(number) = PhoneNumber::parse(text) {
        check_e164(text, &number);
    }
    let sender = normalise_sender(text);
    if sender.starts_with('+')
        && let Ok(number) = PhoneNumber::parse(&sender)
    {
        assert_eq!(normalise_sender(number.as_str()), number.as_str());
    }
}

fn check_inbound(inbound: &Inbound, channel: ChannelKind, key_prefix: &str) {
    assert_eq!(inbound.channel, channel);
    assert!(
        inbound.provider_key.starts_with(key_prefix),
        "{:?}",
        inbound.provider_key
    );
    assert_eq!(inbound.received_at, received_at());
    assert!(
        !inbound.address.trim().is_empty(),
        "a reply needs somewhere to go: {inbound:?}"
    );
}

/// What Telegram, Twilio and Kannel send to the webhooks: every input is tried as each.
pub fn webhooks(data: &[u8]) {
    telegram(data);
    twilio_form(data);
    kannel_mo(data);
}

const BOT_ID: i64 = 7_700_900_123;

fn telegram(data: &[u8]) {
    // What the webhook and getUpdates do with a body.
    let Ok(json) = std::str::from_utf8(data) else { return };
    let Some(raw) = RawUpdate::from_json(json) else { return };
    let Some(inbound) = update_to_inbound(&raw, BOT_ID, received_at()) else {
        return;
    };
    check_inbound(
        &inbound,
        ChannelKind::Telegram,
        &format!("tg:{BOT_ID}:{}", raw.update_id),
    );
    assert_eq!(inbound.provider_key, format!("tg:{BOT_ID}:{}", raw.update_id));
    assert!(inbound.address.parse::<i64>().is_ok(), "chat id {:?}", inbound.address);
}

fn twilio_form(data: &[u8]) {
    // Whatever public URL is configured, its signing variants are itself and at most one more
    // (the default port added or the port taken away), and finding them never panics.
    if let Ok(text) = std::str::from_utf8(data) {
        let variants = twilio::signature::url_variants(text);
        assert_eq!(variants[0], text.trim_end_matches('/'));
        assert!(variants.len() <= 2, "{variants:?}");
    }
    // What the Twilio webhooks decode a body with; where it accepts a form, it reads it as the
    // lenient standard decoder does.
    let Some(params) = webhook::strict_form(data) else {
        return;
    };
    assert_eq!(
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(data)
            .ok()
            .as_ref(),
        Some(&params),
        "strict and standard form decoding disagree"
    );
    let token = "fuzz-auth-token";
    let url = "https://peerline.example.org/webhooks/twilio/sms";
    let signature = twilio::signature::compute(token, url, &params);
    assert_eq!(signature.len(), 28, "base64 of a SHA-1 MAC");
    assert!(twilio::signature::verify(token, url, &params, &signature));
    assert!(twilio::signature::verify(
        token,
        url,
        &params,
        &format!(" {signature}\n")
    ));
    assert!(!twilio::signature::verify(token, url, &params, ""));
    assert!(!twilio::signature::verify("another-token", url, &params, &signature));
    let mut reversed = params.clone();
    reversed.reverse();
    assert_eq!(
        twilio::signature::compute(token, url, &reversed),
        signature,
        "order does not matter"
    );
    // A signature header is whatever the sender put there.
    if let Some((_, given)) = params.iter().find(|(k, _)| k == "Signature") {
        let _ = twilio::signature::verify(token, url, &params, given);
    }

    // The first of a repeated name counts.
    let given = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .is_some_and(|(_, v)| !v.trim().is_empty())
    };
    match twilio::form_to_inbound(&params, received_at()) {
        Some(inbound) => {
            check_inbound(&inbound, ChannelKind::Sms, "twilio:");
            assert!(matches!(inbound.payload, InboundPayload::Text(_)));
        }
        None => assert!(!given("MessageSid") || !given("From"), "{params:?}"),
    }
}

fn kannel_mo(data: &[u8]) {
    // smsbox's get-url puts the parameters in the query; a POST may carry more in the body.
    let (query, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (Some(String::from_utf8_lossy(&data[..i])), &data[i + 1..]),
        None => (None, data),
    };
    let params = kannel::raw_params(query.as_deref(), body);
    if let Some(inbound) = kannel::mo_to_inbound(&params, received_at()) {
        check_inbound(&inbound, ChannelKind::Sms, "kannel:");
    }
}
