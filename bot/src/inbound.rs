//! The one shape every channel's incoming message is normalised to.

use chrono::{DateTime, Utc};
use peerline_core::domain::{ChannelKind, Language};

/// What the person sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundPayload {
    /// Free text (including `/commands` and SMS keywords).
    Text(String),
    /// A button press: the button's callback data.
    Button(String),
    /// A message edited after it was sent, in its new words: triaged for risk, never run as
    /// a command or answered otherwise.
    Edit(String),
    /// A voice note, photo, video, document or sticker: never downloaded, only its kind, its
    /// length and any caption (triaged for risk like text).
    Media {
        kind: &'static str,
        seconds: Option<u32>,
        caption: Option<String>,
        /// Telegram's id for the message, to copy it to a coordinator.
        message_id: Option<i64>,
    },
}

/// A message received on any channel.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub channel: ChannelKind,
    /// Unique per provider message: the dedup key (`tg:<bot id>:<update_id>`, `twilio:<sid>`).
    pub provider_key: String,
    /// Who sent it: Telegram chat id, or E.164 number.
    pub address: String,
    pub payload: InboundPayload,
    pub received_at: DateTime<Utc>,
    /// The language the sender's app reports, used only for people we do not know yet.
    pub language_hint: Option<Language>,
    /// The message this one answers (Telegram's reply), by the id Telegram gave it.
    pub reply_to: Option<i64>,
}
