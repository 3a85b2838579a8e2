//! SMS, on the same conversation engine and outbox as Telegram.
//!
//! One folder per provider (`twilio/`, `kannel/`), each with its settings, its sender and its
//! inbound webhook routes; [`PROVIDERS`] is the only place that lists them. Adding a provider
//! is a new folder and one line there.
//!
//! What is common lives here: the [`SmsSender`] a provider implements, and [`SmsChannel`],
//! which counts GSM-7/UCS-2 segments for every message and enforces `sms.max_segments` before
//! anything reaches a provider.

pub mod kannel;
pub mod twilio;

use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use peerline_core::{
    Clock,
    config::SmsSettings,
    domain::{ChannelKind, OutboxId, PhoneNumber},
    sms::segments,
    store::{ClaimedMessage, Priority, Store},
};

use crate::{
    channel::{Channel, SendError, SendReceipt},
    conversation::Engine,
};

/// A provider's settings section is missing, malformed or unknown.
#[derive(Debug, thiserror::Error)]
pub enum SmsConfigError {
    #[error("sms.provider = {0:?} is not a known SMS provider (known: {known})", known = known_names())]
    UnknownProvider(String),
    #[error("[sms.{0}] is not a known SMS provider section (known: {known})", known = known_names())]
    UnknownSection(String),
    #[error("[sms.{provider}] is missing; sms.provider = {provider:?} needs it")]
    MissingSection { provider: String },
    #[error("sms.{provider}: {message}")]
    Invalid { provider: &'static str, message: String },
}

/// What the shared machinery needs from a provider to build it.
#[derive(Clone)]
pub struct SmsContext {
    pub engine: Engine,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub max_body_bytes: usize,
}

/// A built provider: how to send, and the webhook routes it serves.
pub struct Provider {
    pub name: &'static str,
    pub sender: Arc<dyn SmsSender>,
    pub routes: Router,
}

/// One registered provider.
pub struct Registration {
    pub name: &'static str,
    /// Check a settings section without building anything (`peerline config check`).
    pub validate: fn(&serde_json::Value) -> Result<(), SmsConfigError>,
    pub build: fn(&serde_json::Value, &SmsContext) -> Result<Provider, SmsConfigError>,
}

/// Every SMS provider Peerline can use.
pub const PROVIDERS: &[Registration] = &[twilio::REGISTRATION, kannel::REGISTRATION];

fn known_names() -> String {
    PROVIDERS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

fn registration(name: &str) -> Option<&'static Registration> {
    PROVIDERS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// Check the `[sms]` settings: the provider is known, and every provider section present
/// parses (a typo in an unused section is still worth hearing about).
pub fn validate(settings: &SmsSettings) -> Result<(), SmsConfigError> {
    for (name, section) in &settings.providers {
        let reg = registration(name).ok_or_else(|| SmsConfigError::UnknownSection(name.clone()))?;
        (reg.validate)(section)?;
    }
    if let Some(active) = settings.active() {
        let reg = registration(active).ok_or_else(|| SmsConfigError::UnknownProvider(active.to_owned()))?;
        if !settings.providers.keys().any(|k| k.eq_ignore_ascii_case(reg.name)) {
            return Err(SmsConfigError::MissingSection {
                provider: reg.name.to_owned(),
            });
        }
    }
    Ok(())
}

/// Build the chosen provider, or `None` when SMS is off.
pub fn build(settings: &SmsSettings, ctx: &SmsContext) -> Result<Option<Provider>, SmsConfigError> {
    validate(settings)?;
    let Some(active) = settings.active() else {
        return Ok(None);
    };
    let reg = registration(active).ok_or_else(|| SmsConfigError::UnknownProvider(active.to_owned()))?;
    let section = settings
        .providers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(reg.name))
        .map(|(_, v)| v)
        .ok_or_else(|| SmsConfigError::MissingSection {
            provider: reg.name.to_owned(),
        })?;
    (reg.build)(section, ctx).map(Some)
}

/// Parse a provider's section into its settings type, naming the provider in errors.
pub fn parse_section<T: serde::de::DeserializeOwned>(
    provider: &'static str,
    section: &serde_json::Value,
) -> Result<T, SmsConfigError> {
    serde_json::from_value(section.clone()).map_err(|e| SmsConfigError::Invalid {
        provider,
        message: e.to_string(),
    })
}

/// One outbound SMS, as a provider sees it.
#[derive(Debug, Clone)]
pub struct SmsOut<'a> {
    /// Our id for the message, for delivery receipts.
    pub outbox_id: OutboxId,
    /// E.164 number.
    pub to: &'a str,
    pub body: &'a str,
    /// Every character is GSM-7 (otherwise the provider must send UCS-2).
    pub gsm7: bool,
    pub segments: u32,
}

/// Sends one SMS through a provider. No retrying: the delivery worker does that.
#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    async fn send(&self, out: &SmsOut<'_>) -> Result<SendReceipt, SendError>;
}

/// The SMS [`Channel`]: segment accounting and the length limit, then the provider.
pub struct SmsChannel {
    sender: Arc<dyn SmsSender>,
    max_segments: u32,
}

impl SmsChannel {
    pub fn new(sender: Arc<dyn SmsSender>, max_segments: u32) -> Self {
        Self { sender, max_segments }
    }
}

#[async_trait]
impl Channel for SmsChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Sms
    }

    async fn send(&self, msg: &ClaimedMessage) -> Result<SendReceipt, SendError> {
        let seg = segments(&msg.body);
        // The cap is for what Peerline sends on its own initiative, in bulk. A reply to what
        // someone just wrote, a callback message or crisis information always goes whole.
        let capped = matches!(msg.priority, Priority::Reminder | Priority::Checkin);
        if seg.parts > self.max_segments && capped {
            metrics::counter!("peerline_sms_refused_too_long_total").increment(1);
            return Err(SendError::Rejected(format!(
                "message needs {} SMS segments; sms.max_segments is {}",
                seg.parts, self.max_segments
            )));
        }
        let out = SmsOut {
            outbox_id: msg.id,
            to: &msg.address,
            body: &msg.body,
            gsm7: seg.gsm7,
            segments: seg.parts,
        };
        let mut receipt = self.sender.send(&out).await?;
        receipt.segments.get_or_insert(seg.parts);
        Ok(receipt)
    }
}

/// The address we key a sender on: E.164 when the number parses, else as given (short codes,
/// alphanumeric senders), so a reply still goes back where the message came from.
pub fn normalise_sender(raw: &str) -> String {
    let trimmed = raw.trim();
    // Some SMSCs drop the plus from international numbers.
    let candidate = if trimmed.len() > 10 && trimmed.starts_with("44") && trimmed.chars().all(|c| c.is_ascii_digit()) {
        format!("+{trimmed}")
    } else {
        trimmed.to_owned()
    };
    PhoneNumber::parse(&candidate)
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|_| trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_are_normalised_to_e164_when_possible() {
        assert_eq!(normalise_sender("+447700900123"), "+447700900123");
        assert_eq!(normalise_sender("447700900123"), "+447700900123");
        assert_eq!(normalise_sender("07700 900123"), "+447700900123");
        assert_eq!(normalise_sender("60001"), "60001");
        assert_eq!(normalise_sender("NHS"), "NHS");
    }

    #[test]
    fn unknown_and_missing_sections_are_named() {
        let mut s = SmsSettings::default();
        assert!(validate(&s).is_ok());
        s.provider = "nexmo".into();
        assert!(validate(&s).unwrap_err().to_string().contains("nexmo"));
        s.provider = "kannel".into();
        assert!(
            validate(&s)
                .unwrap_err()
                .to_string()
                .contains("[sms.kannel] is missing")
        );
        s.provider = "none".into();
        s.providers.insert("twillio".into(), serde_json::json!({}));
        assert!(validate(&s).unwrap_err().to_string().contains("twillio"));
    }
}
