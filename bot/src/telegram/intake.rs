//! Telegram updates in: long polling with a persisted offset, or a webhook that stores the
//! update before answering 200. Either way each update goes through the conversation engine
//! exactly once, keyed on (bot id, update_id).

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use peerline_core::{
    config::Secret,
    domain::{ChannelKind, Language},
};
use subtle::ConstantTimeEq;
use teloxide::types::{MaybeInaccessibleMessage, UpdateKind};
use tokio_util::sync::CancellationToken;

use super::api::{BotApi, RawUpdate};
use crate::{
    conversation::{Engine, EngineError, Handled},
    inbound::{Inbound, InboundPayload},
};

/// A pressed button that needs its spinner stopped once the press is stored.
struct PendingAnswer {
    callback_id: String,
    chat_id: i64,
    message_id: Option<i64>,
}

/// Turn an update into an [`Inbound`], or `None` for updates Peerline does not act on
/// (group chats, unknown kinds). Only private chats are conversations; an edit is triaged
/// for risk only.
pub fn update_to_inbound(raw: &RawUpdate, bot_id: i64, received_at: chrono::DateTime<chrono::Utc>) -> Option<Inbound> {
    let update = raw.typed.as_ref()?;
    let key = format!("tg:{bot_id}:{}", raw.update_id);
    let hint = |code: Option<&String>| code.and_then(|c| Language::negotiate(c));
    match &update.kind {
        UpdateKind::Message(msg) if msg.chat.is_private() => Some(Inbound {
            channel: ChannelKind::Telegram,
            provider_key: key,
            address: msg.chat.id.0.to_string(),
            payload: match media_of(msg) {
                Some((kind, seconds)) => InboundPayload::Media {
                    kind,
                    seconds,
                    caption: msg.caption().map(str::to_owned),
                    message_id: Some(i64::from(msg.id.0)),
                },
                None => InboundPayload::Text(msg.text().or(msg.caption()).unwrap_or_default().to_owned()),
            },
            received_at,
            language_hint: hint(msg.from.as_ref().and_then(|u| u.language_code.as_ref())),
            reply_to: msg.reply_to_message().map(|m| i64::from(m.id.0)),
        }),
        UpdateKind::EditedMessage(msg) if msg.chat.is_private() => Some(Inbound {
            channel: ChannelKind::Telegram,
            provider_key: key,
            address: msg.chat.id.0.to_string(),
            payload: InboundPayload::Edit(msg.text().or(msg.caption()).unwrap_or_default().to_owned()),
            received_at,
            language_hint: hint(msg.from.as_ref().and_then(|u| u.language_code.as_ref())),
            reply_to: None,
        }),
        UpdateKind::CallbackQuery(q) => {
            let chat_id = match &q.message {
                Some(MaybeInaccessibleMessage::Regular(m)) if m.chat.is_private() => m.chat.id.0,
                Some(MaybeInaccessibleMessage::Inaccessible(m)) if m.chat.is_private() => m.chat.id.0,
                Some(_) => return None,
                None => i64::try_from(q.from.id.0).ok()?,
            };
            Some(Inbound {
                channel: ChannelKind::Telegram,
                provider_key: key,
                address: chat_id.to_string(),
                payload: InboundPayload::Button(q.data.clone().unwrap_or_default()),
                received_at,
                language_hint: hint(q.from.language_code.as_ref()),
                reply_to: None,
            })
        }
        _ => None,
    }
}

/// A message's media kind and length, if it carries media (never downloaded).
fn media_of(msg: &teloxide::types::Message) -> Option<(&'static str, Option<u32>)> {
    if let Some(v) = msg.voice() {
        Some(("voice", Some(v.duration.seconds())))
    } else if let Some(v) = msg.video_note() {
        Some(("video", Some(v.duration.seconds())))
    } else if let Some(v) = msg.video() {
        Some(("video", Some(v.duration.seconds())))
    } else if let Some(a) = msg.audio() {
        Some(("audio", Some(a.duration.seconds())))
    } else if msg.photo().is_some() {
        Some(("photo", None))
    } else if msg.animation().is_some() {
        Some(("animation", None))
    } else if msg.sticker().is_some() {
        Some(("sticker", None))
    } else if msg.document().is_some() {
        Some(("document", None))
    } else if msg.text().is_none() && msg.caption().is_none() {
        // A location, contact, poll...: something a person sent, for a human to see.
        Some(("other", None))
    } else {
        None
    }
}

fn pending_answer(raw: &RawUpdate) -> Option<PendingAnswer> {
    let UpdateKind::CallbackQuery(q) = &raw.typed.as_ref()?.kind else {
        return None;
    };
    let (chat_id, message_id) = match &q.message {
        Some(MaybeInaccessibleMessage::Regular(m)) => (m.chat.id.0, Some(i64::from(m.id.0))),
        Some(MaybeInaccessibleMessage::Inaccessible(m)) => (m.chat.id.0, None),
        None => (i64::try_from(q.from.id.0).ok()?, None),
    };
    Some(PendingAnswer {
        callback_id: q.id.0.clone(),
        chat_id,
        message_id,
    })
}

/// Receives Telegram updates and hands them to the engine.
#[derive(Clone)]
pub struct TelegramIntake {
    api: BotApi,
    engine: Engine,
    bot_id: i64,
    clock: Arc<dyn peerline_core::Clock>,
}

impl TelegramIntake {
    /// Ask Telegram who the bot is, retrying with back-off until it answers or `shutdown`.
    /// Returns `None` on shutdown.
    pub async fn connect(
        api: BotApi,
        engine: Engine,
        clock: Arc<dyn peerline_core::Clock>,
        shutdown: &CancellationToken,
    ) -> Option<Self> {
        let mut delay = Duration::from_millis(500);
        loop {
            match api.get_me().await {
                Ok(me) => {
                    tracing::info!(
                        bot_id = me.id,
                        username = me.username.as_deref().unwrap_or(""),
                        "connected to Telegram"
                    );
                    return Some(Self {
                        api,
                        engine,
                        bot_id: me.id,
                        clock,
                    });
                }
                Err(e) => tracing::warn!(error = %e, retry_in = ?delay, "Telegram getMe failed"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return None,
                _ = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(Duration::from_secs(60));
        }
    }

    pub fn bot_id(&self) -> i64 {
        self.bot_id
    }

    pub fn api(&self) -> &BotApi {
        &self.api
    }

    fn offset_key(&self) -> String {
        format!("telegram:{}:offset", self.bot_id)
    }

    /// Store and handle one update. `Ok` means it is durable.
    pub async fn handle(&self, raw: &RawUpdate) -> Result<Option<Handled>, EngineError> {
        let Some(inbound) = update_to_inbound(raw, self.bot_id, self.clock.now()) else {
            tracing::debug!(update_id = raw.update_id, "ignoring update Peerline does not act on");
            return Ok(None);
        };
        let handled = self.engine.handle(&inbound).await?;
        if let Some(answer) = pending_answer(raw) {
            // Best effort, after the press is stored: the spinner stops and the used keyboard goes.
            let api = self.api.clone();
            tokio::spawn(async move {
                if let Err(e) = api.answer_callback_query(&answer.callback_id).await {
                    tracing::debug!(error = %e, "answerCallbackQuery failed");
                }
                if let Some(message_id) = answer.message_id
                    && let Err(e) = api.remove_keyboard(answer.chat_id, message_id).await
                {
                    tracing::debug!(error = %e, "editMessageReplyMarkup failed");
                }
            });
        }
        Ok(Some(handled))
    }

    /// Long polling until `shutdown`. The offset is persisted after each batch is stored, so a
    /// restart neither loses updates nor (thanks to the inbox key) handles one twice.
    pub async fn run_polling(self, poll_timeout_secs: u32, shutdown: CancellationToken) {
        if let Err(e) = self.api.delete_webhook().await {
            tracing::warn!(error = %e, "could not remove an old webhook; polling may fail");
        }
        let mut offset: i64 = match self.engine.store().kv_get(&self.offset_key()).await {
            Ok(v) => v.and_then(|s| s.parse().ok()).unwrap_or(0),
            Err(e) => {
                tracing::error!(error = %e, "cannot read the Telegram offset; starting from Telegram's");
                0
            }
        };
        tracing::info!(offset, "Telegram long polling started");
        let mut delay = Duration::from_millis(500);
        while !shutdown.is_cancelled() {
            let updates = tokio::select! {
                _ = shutdown.cancelled() => break,
                r = self.api.get_updates(offset, poll_timeout_secs) => r,
            };
            let updates = match updates {
                Ok(u) => {
                    delay = Duration::from_millis(500);
                    u
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in = ?delay, "getUpdates failed");
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(Duration::from_secs(30));
                    continue;
                }
            };
            for raw in &updates {
                // Keep trying this update until it is stored: never skip past an unstored one.
                loop {
                    match self.handle(raw).await {
                        Ok(_) => break,
                        Err(e) => {
                            let store = self.engine.store();
                            store.note_write_error(e.store_error());
                            // A storage outage is logged once by the store, not every second.
                            if e.store_error().unavailable().is_none() {
                                tracing::error!(update_id = raw.update_id, error = %e, "could not store update; retrying");
                            }
                            tokio::select! {
                                _ = shutdown.cancelled() => return,
                                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                            }
                        }
                    }
                }
                offset = offset.max(raw.update_id + 1);
            }
            if !updates.is_empty()
                && let Err(e) = self
                    .engine
                    .store()
                    .kv_set(&self.offset_key(), &offset.to_string())
                    .await
            {
                tracing::warn!(error = %e, "could not persist the Telegram offset");
            }
        }
        tracing::info!("Telegram long polling stopped");
    }
}

/// Filled once the bot has identified itself (`getMe`); until then the webhook answers 503
/// and Telegram retries.
pub type IntakeSlot = Arc<tokio::sync::OnceCell<TelegramIntake>>;

#[derive(Clone)]
struct WebhookState {
    intake: IntakeSlot,
    secret: Arc<Secret>,
}

/// `POST /webhooks/telegram`: checks the secret token in constant time, stores the update,
/// and only then answers 200. Telegram retries anything else.
pub fn webhook_router(intake: IntakeSlot, secret: Secret, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/webhooks/telegram", post(webhook))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(WebhookState {
            intake,
            secret: Arc::new(secret),
        })
}

async fn webhook(State(state): State<WebhookState>, headers: HeaderMap, body: Bytes) -> Response {
    let given = headers
        .get("x-telegram-bot-api-secret-token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !bool::from(given.ct_eq(state.secret.expose().as_bytes())) {
        metrics::counter!("peerline_webhook_rejected_total", "channel" => "telegram", "reason" => "secret")
            .increment(1);
        return (StatusCode::UNAUTHORIZED, "bad secret token").into_response();
    }
    if !crate::webhook::content_type_is(&headers, "application/json") {
        return crate::webhook::UNSUPPORTED.into_response();
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return (StatusCode::BAD_REQUEST, "body is not UTF-8").into_response();
    };
    let Some(raw) = RawUpdate::from_json(text) else {
        return (StatusCode::BAD_REQUEST, "not a Telegram update").into_response();
    };
    let Some(intake) = state.intake.get() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "starting; retry").into_response();
    };
    match intake.handle(&raw).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => crate::webhook::not_stored(intake.engine.store(), e.store_error(), "could not store webhook update"),
    }
}
