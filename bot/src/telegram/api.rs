//! The Bot API calls Peerline makes, over reqwest, with Telegram's error codes kept intact.

use std::time::Duration;

use peerline_core::config::Secret;
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Value, json, value::RawValue};
use teloxide::types::Update;

use crate::channel::SendError;

/// A Bot API failure, as Telegram reported it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("Bot API {method} failed with {code}: {description}")]
    Api {
        method: &'static str,
        code: i64,
        description: String,
        retry_after: Option<u64>,
    },
    /// Connection refused, timeout, unreadable answer. Never contains the URL (it holds the token).
    #[error("Bot API {method} unreachable: {detail}")]
    Network { method: &'static str, detail: String },
}

impl ApiError {
    /// What the delivery worker should do about this error.
    pub fn classify(&self) -> SendError {
        match self {
            ApiError::Network { detail, .. } => SendError::Transient(detail.clone()),
            ApiError::Api {
                code: 429,
                retry_after,
                description,
                ..
            } => {
                let _ = description;
                SendError::Throttled {
                    retry_after: Duration::from_secs(retry_after.unwrap_or(5)),
                }
            }
            ApiError::Api {
                code: 403, description, ..
            } => SendError::Unreachable(description.clone()),
            ApiError::Api {
                code: 400, description, ..
            } => {
                let d = description.to_ascii_lowercase();
                if d.contains("chat not found")
                    || d.contains("user not found")
                    || d.contains("peer_id_invalid")
                    || d.contains("user is deactivated")
                {
                    SendError::Unreachable(description.clone())
                } else {
                    SendError::Rejected(description.clone())
                }
            }
            // 401/404 (bad token) and 5xx: nothing the message can fix; retry with back-off
            // while an operator fixes the token or Telegram recovers.
            ApiError::Api { code, description, .. } => SendError::Transient(format!("{code}: {description}")),
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    ok: bool,
    #[serde(default)]
    result: Option<Box<RawValue>>,
    #[serde(default)]
    error_code: Option<i64>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    parameters: Option<Parameters>,
}

#[derive(Deserialize)]
struct Parameters {
    #[serde(default)]
    retry_after: Option<u64>,
}

/// Who the bot is (`getMe`).
#[derive(Debug, Clone, Deserialize)]
pub struct BotIdentity {
    pub id: i64,
    #[serde(default)]
    pub username: Option<String>,
}

/// A Bot API client. Cheap to clone.
#[derive(Clone)]
pub struct BotApi {
    http: reqwest::Client,
    /// `{api_url}/bot{token}`: a secret; never logged.
    base: String,
}

impl std::fmt::Debug for BotApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BotApi { .. }")
    }
}

impl BotApi {
    /// `request_timeout` must exceed the long-poll timeout.
    pub fn new(api_url: &str, token: &Secret, request_timeout: Duration) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .timeout(request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ApiError::Network {
                method: "client",
                detail: e.without_url().to_string(),
            })?;
        Ok(Self {
            http,
            base: format!("{}/bot{}", api_url.trim_end_matches('/'), token.expose()),
        })
    }

    async fn call<T: DeserializeOwned>(&self, method: &'static str, params: Value) -> Result<T, ApiError> {
        let net = |e: reqwest::Error| ApiError::Network {
            method,
            detail: e.without_url().to_string(),
        };
        let response = self
            .http
            .post(format!("{}/{method}", self.base))
            .json(&params)
            .send()
            .await
            .map_err(net)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(net)?;
        let envelope: Envelope = serde_json::from_slice(&bytes).map_err(|_| ApiError::Api {
            method,
            code: i64::from(status.as_u16()),
            description: format!("unreadable answer (HTTP {status})"),
            retry_after: None,
        })?;
        if !envelope.ok {
            return Err(ApiError::Api {
                method,
                code: envelope.error_code.unwrap_or_else(|| i64::from(status.as_u16())),
                description: envelope.description.unwrap_or_default(),
                retry_after: envelope.parameters.and_then(|p| p.retry_after),
            });
        }
        // Parse from text, not from a `Value`: teloxide's update types only deserialize
        // reliably from borrowed JSON.
        let raw = envelope.result.as_deref().map_or("null", RawValue::get);
        serde_json::from_str(raw).map_err(|e| ApiError::Network {
            method,
            detail: format!("unexpected result shape: {e}"),
        })
    }

    pub async fn get_me(&self) -> Result<BotIdentity, ApiError> {
        self.call("getMe", json!({})).await
    }

    /// Long-poll for updates after `offset`. Updates that teloxide cannot type are returned
    /// raw so the caller can still advance past them.
    pub async fn get_updates(&self, offset: i64, timeout_secs: u32) -> Result<Vec<RawUpdate>, ApiError> {
        let raw: Vec<Box<RawValue>> = self
            .call(
                "getUpdates",
                json!({ "offset": offset, "timeout": timeout_secs, "allowed_updates": ALLOWED_UPDATES }),
            )
            .await?;
        Ok(raw.iter().filter_map(|r| RawUpdate::from_json(r.get())).collect())
    }

    /// Send a text, optionally with an inline keyboard of (label, callback data) rows.
    /// Returns Telegram's message id.
    pub async fn send_message(
        &self,
        chat_id: i64,
        text: &str,
        buttons: Option<&[Vec<(String, String)>]>,
    ) -> Result<i64, ApiError> {
        let mut params = json!({ "chat_id": chat_id, "text": text, "link_preview_options": { "is_disabled": true } });
        if let Some(rows) = buttons {
            let keyboard: Vec<Vec<Value>> = rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|(label, data)| json!({ "text": label, "callback_data": data }))
                        .collect()
                })
                .collect();
            params["reply_markup"] = json!({ "inline_keyboard": keyboard });
        }
        #[derive(Deserialize)]
        struct Sent {
            message_id: i64,
        }
        let sent: Sent = self.call("sendMessage", params).await?;
        Ok(sent.message_id)
    }

    /// Stop the spinner on a pressed button.
    pub async fn answer_callback_query(&self, id: &str) -> Result<bool, ApiError> {
        self.call("answerCallbackQuery", json!({ "callback_query_id": id }))
            .await
    }

    /// Copy message `message_id` from chat `from_chat_id` to `chat_id`, without a link to the
    /// original sender (Telegram to Telegram: Peerline never holds the file). Returns the new
    /// message's id.
    pub async fn copy_message(&self, chat_id: i64, from_chat_id: i64, message_id: i64) -> Result<i64, ApiError> {
        #[derive(Deserialize)]
        struct Copied {
            message_id: i64,
        }
        let copied: Copied = self
            .call(
                "copyMessage",
                json!({ "chat_id": chat_id, "from_chat_id": from_chat_id, "message_id": message_id }),
            )
            .await?;
        Ok(copied.message_id)
    }

    /// Remove the keyboard from a message once its buttons have been used.
    pub async fn remove_keyboard(&self, chat_id: i64, message_id: i64) -> Result<Value, ApiError> {
        self.call(
            "editMessageReplyMarkup",
            json!({ "chat_id": chat_id, "message_id": message_id }),
        )
        .await
    }

    pub async fn set_webhook(&self, url: &str, secret_token: &Secret) -> Result<bool, ApiError> {
        self.call(
            "setWebhook",
            json!({ "url": url, "secret_token": secret_token.expose(), "allowed_updates": ALLOWED_UPDATES }),
        )
        .await
    }

    pub async fn delete_webhook(&self) -> Result<bool, ApiError> {
        self.call("deleteWebhook", json!({ "drop_pending_updates": false }))
            .await
    }
}

/// The update kinds Peerline asks Telegram for, and the only ones it decodes. An edit is
/// asked for so that words added afterwards ("I want to end it all") are triaged too.
pub const ALLOWED_UPDATES: [&str; 3] = ["message", "edited_message", "callback_query"];

/// An update as received: its id always, its typed form when it is of a kind Peerline acts on
/// and teloxide understands it.
#[derive(Debug, Clone)]
pub struct RawUpdate {
    pub update_id: i64,
    pub typed: Option<Update>,
}

impl RawUpdate {
    /// `None` when the text is not a JSON object with an integer `update_id`.
    ///
    /// Only the kinds in [`ALLOWED_UPDATES`] are decoded by teloxide; any other (Telegram may
    /// still send one, or the list may grow) is kept as an id with no typed form, so it is
    /// acknowledged and skipped. Decoding runs under `catch_unwind`: teloxide-core's
    /// deserializers have unwrapped on valid updates (`MessageReactionUpdated` without `user`
    /// or `actor_chat`), and one bad update must not drop the webhook's connection or stop
    /// polling; it is logged and skipped like an unknown kind.
    pub fn from_json(json: &str) -> Option<Self> {
        #[derive(Deserialize)]
        struct Envelope {
            update_id: i64,
            #[serde(flatten)]
            rest: serde_json::Map<String, Value>,
        }
        let Envelope { update_id, rest } = serde_json::from_str(json).ok()?;
        let acted_on = rest.keys().any(|k| ALLOWED_UPDATES.contains(&k.as_str()));
        let typed = if acted_on {
            match std::panic::catch_unwind(|| serde_json::from_str::<Update>(json)) {
                Ok(Ok(update)) => Some(update),
                Ok(Err(e)) => {
                    tracing::warn!(update_id, error = %e, "Telegram update not understood; skipped");
                    None
                }
                Err(_) => {
                    tracing::error!(update_id, "decoding a Telegram update panicked; skipped");
                    None
                }
            }
        } else {
            None
        };
        Some(Self { update_id, typed })
    }
}
