//! Telegram: a small Bot API client, update intake (long polling or webhook) and the sending
//! side of the channel.
//!
//! Why not teloxide's `Bot` and dispatcher: its webhook answers 200 before the handler runs,
//! its polling offset lives only in memory, and its errors drop Telegram's `error_code`, which
//! the delivery worker needs to tell a 5xx (retry) from a 403 (stop). We keep teloxide's
//! well-maintained Bot API *types* for parsing updates and hand-write the few HTTP calls.

mod api;
mod intake;

pub use api::{ApiError, BotApi, BotIdentity, RawUpdate};
pub use intake::{IntakeSlot, TelegramIntake, update_to_inbound, webhook_router};

use std::time::Duration;

use async_trait::async_trait;
use peerline_core::{config::Secret, domain::ChannelKind, store::ClaimedMessage};

use crate::channel::{Channel, SendError, SendReceipt};

/// Tell Telegram to post updates to `url` with `secret`. Telegram's refusal (a URL it will not
/// call, a port it does not allow) is returned at once; a network failure or a Telegram 5xx or
/// 429 is tried three times in all.
pub async fn register_webhook(api: &BotApi, url: &str, secret: &Secret) -> Result<(), ApiError> {
    let mut delay = Duration::from_millis(500);
    let mut attempt = 1;
    loop {
        let Err(e) = api.set_webhook(url, secret).await else {
            return Ok(());
        };
        let transient = matches!(
            e,
            ApiError::Network { .. }
                | ApiError::Api {
                    code: 429 | 500..=599,
                    ..
                }
        );
        if !transient || attempt == 3 {
            return Err(e);
        }
        tracing::warn!(error = %e, retry_in = ?delay, "setWebhook failed; trying again");
        tokio::time::sleep(delay).await;
        delay *= 2;
        attempt += 1;
    }
}

/// The sending side of Telegram.
pub struct TelegramChannel {
    api: BotApi,
}

impl TelegramChannel {
    pub fn new(api: BotApi) -> Self {
        Self { api }
    }
}

#[async_trait]
impl Channel for TelegramChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Telegram
    }

    async fn send(&self, msg: &ClaimedMessage) -> Result<SendReceipt, SendError> {
        let chat_id: i64 = msg
            .address
            .parse()
            .map_err(|_| SendError::Rejected("telegram address is not a chat id".into()))?;
        // A voice note or photo from a person, copied to the coordinator listing the inbox:
        // the body says where from (`<chat>:<message id>`).
        if msg.kind.starts_with("inbox-copy:") {
            let (from, id) = msg
                .body
                .split_once(':')
                .and_then(|(c, m)| Some((c.parse::<i64>().ok()?, m.parse::<i64>().ok()?)))
                .ok_or_else(|| SendError::Rejected("inbox copy without a source message".into()))?;
            return match self.api.copy_message(chat_id, from, id).await {
                Ok(message_id) => Ok(SendReceipt {
                    provider_id: Some(message_id.to_string()),
                    segments: None,
                }),
                Err(e) => Err(e.classify()),
            };
        }
        match self.api.send_message(chat_id, &msg.body, msg.buttons.as_deref()).await {
            Ok(message_id) => Ok(SendReceipt {
                provider_id: Some(message_id.to_string()),
                segments: None,
            }),
            Err(e) => Err(e.classify()),
        }
    }
}
