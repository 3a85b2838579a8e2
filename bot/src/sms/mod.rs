//! SMS, on the same conversation engine and outbox as Telegram.
//!
//! One folder per provider (`twilio/`, `kannel/`), each with its sender and its inbound
//! webhook routes, built from its checked settings in `peerline_core::config` (typed there so
//! that `config check` and every log can redact its secrets); [`build`] picks the one
//! `sms.provider` names.
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
    config::{ConfigError, SmsProvider, SmsSettings},
    domain::{ChannelKind, OutboxId, PhoneNumber},
    sms::{Folding, prepare},
    store::{ClaimedMessage, Priority, Store},
};

use crate::{
    channel::{Channel, SendError, SendReceipt},
    conversation::Engine,
};

/// The chosen provider cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum SmsConfigError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("sms.{provider}: cannot set up its HTTP client: {message}")]
    Client { provider: &'static str, message: String },
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

/// Build the chosen provider from its checked settings, or `None` when SMS is off.
pub fn build(settings: &SmsSettings, ctx: &SmsContext) -> Result<Option<Provider>, SmsConfigError> {
    settings.validate()?;
    match settings.provider {
        SmsProvider::None => Ok(None),
        SmsProvider::Twilio => twilio::build(settings.twilio()?, ctx).map(Some),
        SmsProvider::Kannel => kannel::build(settings.kannel()?, ctx).map(Some),
    }
}

/// A reqwest client for a provider's API, with its timeout.
fn http_client(provider: &'static str, timeout_secs: u64) -> Result<reqwest::Client, SmsConfigError> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(timeout_secs))
        .build()
        .map_err(|e| SmsConfigError::Client {
            provider,
            message: e.without_url().to_string(),
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
    folding: Folding,
}

impl SmsChannel {
    pub fn new(sender: Arc<dyn SmsSender>, max_segments: u32) -> Self {
        Self {
            sender,
            max_segments,
            folding: Folding::Auto,
        }
    }

    /// How to fold letters GSM-7 lacks (`sms.fold_diacritics`).
    pub fn with_folding(mut self, folding: Folding) -> Self {
        self.folding = folding;
        self
    }
}

#[async_trait]
impl Channel for SmsChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Sms
    }

    async fn send(&self, msg: &ClaimedMessage) -> Result<SendReceipt, SendError> {
        // Written correctly; folded to GSM-7 here, on the way out, when that is cheaper.
        let (body, seg) = prepare(&msg.body, self.folding);
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
            body: &body,
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
}
