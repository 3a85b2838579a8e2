//! The sending side of a channel. Errors carry a retry class, so the delivery worker can treat
//! every provider alike: wait as told, back off and retry, or stop for good.

use std::time::Duration;

use async_trait::async_trait;
use peerline_core::{domain::ChannelKind, store::ClaimedMessage};

/// The provider accepted the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReceipt {
    /// The provider's id for it (Telegram message id, Twilio SID), for delivery receipts.
    pub provider_id: Option<String>,
    /// SMS segments billed, where the provider counts them.
    pub segments: Option<u32>,
}

/// Why a send failed, by what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The provider asked us to slow down (HTTP 429): wait exactly this long.
    #[error("rate limited; retry after {retry_after:?}")]
    Throttled { retry_after: Duration },
    /// Worth retrying with back-off: 5xx, timeouts, connection errors.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// The address can never be reached (bot blocked, chat not found, invalid number).
    #[error("recipient unreachable: {0}")]
    Unreachable(String),
    /// The provider says the recipient unsubscribed (e.g. Twilio 21610).
    #[error("recipient opted out at the provider: {0}")]
    OptedOut(String),
    /// This message can never be sent as it is (malformed, too long).
    #[error("message rejected: {0}")]
    Rejected(String),
}

/// Sends one message. Implementations do no retrying of their own.
#[async_trait]
pub trait Channel: Send + Sync + 'static {
    fn kind(&self) -> ChannelKind;

    /// The rate key for per-recipient limits (usually the address).
    fn rate_key(&self, msg: &ClaimedMessage) -> String {
        msg.address.clone()
    }

    async fn send(&self, msg: &ClaimedMessage) -> Result<SendReceipt, SendError>;
}
