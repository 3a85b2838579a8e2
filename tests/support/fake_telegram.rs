//! A fake Telegram Bot API server on 127.0.0.1 that checks every call against the Bot API spec.
//!
//! It serves `getMe`, `getUpdates` (long polling over injected updates), `sendMessage`,
//! `answerCallbackQuery`, `editMessageReplyMarkup`, `setWebhook`, `deleteWebhook` and
//! `getWebhookInfo`; records each call with its arrival time; answers `429` with
//! `retry_after`, `500`, or `403` (blocked) on demand; and refuses a webhook URL Telegram
//! would refuse (not HTTPS, or a port other than 443, 80, 88 and 8443). As Telegram does, it
//! delivers only the update kinds named in the last `allowed_updates` (by default all but
//! `chat_member`, `message_reaction` and `message_reaction_count`), and answers a `getUpdates`
//! made while another is being answered with 409.
//!
//! The spec is read from `PEERLINE_BOT_API_SPEC` (default `../shared/telegram/bot-api-10.1.json`
//! beside the repository). When it is missing the contract check is skipped with a loud notice,
//! except under `CI`, where a missing spec fails the test.

use std::{
    collections::{HashSet, VecDeque},
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::IntoResponse,
    routing::post,
};
use serde_json::{Map, Value, json};
use tokio::sync::Notify;

pub const BOT_ID: i64 = 777_000_111;
pub const TOKEN: &str = "777000111:TEST-token-never-logged";

/// A scripted failure for the next `sendMessage` calls.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    TooManyRequests { retry_after: u64 },
    ServerError,
}

/// One call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub params: Value,
    pub at: Instant,
    /// The HTTP status the fake answered.
    pub status: u16,
    /// The id Telegram gave a sent message (what a person's reply refers to).
    pub message_id: Option<i64>,
}

impl Call {
    pub fn chat_id(&self) -> Option<i64> {
        self.params.get("chat_id").and_then(Value::as_i64)
    }
    pub fn text(&self) -> &str {
        self.params.get("text").and_then(Value::as_str).unwrap_or_default()
    }
}

#[derive(Default)]
struct Inner {
    updates: Vec<Value>,
    replays: Vec<Value>,
    next_update: i64,
    next_message: i64,
    calls: Vec<Call>,
    violations: Vec<String>,
    failures: VecDeque<Failure>,
    /// Every `sendMessage` fails like this until cleared (after any scripted failures).
    outage: Option<Failure>,
    blocked: HashSet<i64>,
    webhook: Option<(String, Option<String>)>,
    /// The last `allowed_updates` the bot sent (Telegram keeps it between calls); `None`
    /// until it sends one, when Telegram's default applies.
    allowed: Option<Vec<String>>,
    /// `getUpdates` requests being answered now.
    polling: usize,
}

/// The update kinds Telegram leaves out unless a bot asks for them by name.
const NOT_BY_DEFAULT: [&str; 3] = ["chat_member", "message_reaction", "message_reaction_count"];

/// The kind of an update: its one field besides `update_id`.
fn update_kind(update: &Value) -> &str {
    update
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "update_id"))
        .map_or("", String::as_str)
}

impl Inner {
    fn allows(&self, update: &Value) -> bool {
        let kind = update_kind(update);
        match &self.allowed {
            Some(list) if !list.is_empty() => list.iter().any(|k| k == kind),
            _ => !NOT_BY_DEFAULT.contains(&kind),
        }
    }

    fn remember_allowed(&mut self, params: &Value) {
        if let Some(list) = params.get("allowed_updates").and_then(Value::as_array) {
            self.allowed = Some(list.iter().filter_map(Value::as_str).map(str::to_owned).collect());
        }
    }
}

/// Ends a `getUpdates` request's claim on the poller slot, however it returns.
struct PollSlot(FakeTelegram);

impl Drop for PollSlot {
    fn drop(&mut self) {
        self.0.lock().polling -= 1;
    }
}

#[derive(Clone)]
pub struct FakeTelegram {
    inner: Arc<Mutex<Inner>>,
    updated: Arc<Notify>,
    spec: Option<Arc<Value>>,
    pub url: String,
}

fn spec_path() -> PathBuf {
    std::env::var_os("PEERLINE_BOT_API_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/telegram/bot-api-10.1.json"))
}

fn load_spec() -> Option<Arc<Value>> {
    let path = spec_path();
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(Arc::new(
            serde_json::from_str(&text).expect("Bot API spec is valid JSON"),
        )),
        Err(e) => {
            let msg = format!(
                "Telegram Bot API spec not found at {} ({e}). Set PEERLINE_BOT_API_SPEC to a copy of \
                 bot-api-10.1.json (MIT, telegram-bot-api-spec; shipped in the developers' shared/telegram/).",
                path.display()
            );
            if std::env::var_os("CI").is_some() {
                panic!("{msg}");
            }
            eprintln!("\n!!!!!!!!!!\n!!! SKIPPING the Bot API contract check: {msg}\n!!!!!!!!!!\n");
            None
        }
    }
}

impl FakeTelegram {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake telegram");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let fake = FakeTelegram {
            inner: Arc::new(Mutex::new(Inner {
                next_update: 1,
                next_message: 1,
                ..Inner::default()
            })),
            updated: Arc::new(Notify::new()),
            spec: load_spec(),
            url,
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(handle).get(handle))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn user(chat_id: i64, language: &str) -> Value {
        json!({ "id": chat_id, "is_bot": false, "first_name": "Tester", "language_code": language })
    }

    fn push(&self, mut update: Value) -> i64 {
        let mut inner = self.lock();
        let id = inner.next_update;
        inner.next_update += 1;
        update["update_id"] = json!(id);
        inner.updates.push(update);
        drop(inner);
        self.updated.notify_waiters();
        id
    }

    /// A person types `text` in their private chat. Returns the update id.
    pub fn send_text(&self, chat_id: i64, text: &str) -> i64 {
        self.send_text_lang(chat_id, text, "en")
    }

    pub fn send_text_lang(&self, chat_id: i64, text: &str, language: &str) -> i64 {
        let message_id = self.lock().next_message;
        self.lock().next_message += 1;
        self.push(json!({
            "message": {
                "message_id": message_id,
                "date": 1_790_000_000,
                "chat": { "id": chat_id, "type": "private", "first_name": "Tester" },
                "from": Self::user(chat_id, language),
                "text": text,
            }
        }))
    }

    /// A person sends a voice note of `seconds`. Returns the message's id (what copyMessage
    /// names).
    pub fn send_voice(&self, chat_id: i64, seconds: u32) -> i64 {
        let message_id = self.lock().next_message;
        self.lock().next_message += 1;
        self.push(json!({
            "message": {
                "message_id": message_id,
                "date": 1_790_000_000,
                "chat": { "id": chat_id, "type": "private", "first_name": "Tester" },
                "from": Self::user(chat_id, "en"),
                "voice": { "file_id": format!("voice-{message_id}"), "file_unique_id": format!("u{message_id}"), "duration": seconds, "mime_type": "audio/ogg" },
            }
        }));
        message_id
    }

    /// A person answers the bot's message `to_message_id` with Telegram's reply. Returns the
    /// update id.
    pub fn send_reply(&self, chat_id: i64, to_message_id: i64, text: &str) -> i64 {
        let message_id = self.lock().next_message;
        self.lock().next_message += 1;
        self.push(json!({
            "message": {
                "message_id": message_id,
                "date": 1_790_000_000,
                "chat": { "id": chat_id, "type": "private", "first_name": "Tester" },
                "from": Self::user(chat_id, "en"),
                "text": text,
                "reply_to_message": {
                    "message_id": to_message_id,
                    "date": 1_790_000_000,
                    "chat": { "id": chat_id, "type": "private", "first_name": "Tester" },
                    "from": { "id": BOT_ID, "is_bot": true, "first_name": "Peerline Test" },
                    "text": "(the bot's message)",
                },
            }
        }))
    }

    /// A person edits their message `message_id` to read `text`. Returns the update id.
    pub fn edit_text(&self, chat_id: i64, message_id: i64, text: &str) -> i64 {
        self.push(json!({
            "edited_message": {
                "message_id": message_id,
                "date": 1_790_000_000,
                "edit_date": 1_790_000_060,
                "chat": { "id": chat_id, "type": "private", "first_name": "Tester" },
                "from": Self::user(chat_id, "en"),
                "text": text,
            }
        }))
    }

    /// Queue an update of any kind, as given (its `update_id` is assigned). Returns the id.
    pub fn push_raw(&self, update: Value) -> i64 {
        self.push(update)
    }

    /// A person presses a button with callback `data` on message `message_id`.
    pub fn press(&self, chat_id: i64, message_id: i64, data: &str) -> i64 {
        self.push(json!({
            "callback_query": {
                "id": format!("cb-{chat_id}-{message_id}-{data}"),
                "from": Self::user(chat_id, "en"),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": 1_790_000_000,
                    "chat": { "id": chat_id, "type": "private", "first_name": "Tester" },
                    "text": "buttons",
                }
            }
        }))
    }

    /// Serve an update again under the same update id (provider redelivery).
    pub fn replay(&self, update_id: i64) {
        let mut inner = self.lock();
        if let Some(u) = inner
            .updates
            .iter()
            .find(|u| u["update_id"] == json!(update_id))
            .cloned()
        {
            inner.replays.push(u);
        }
        drop(inner);
        self.updated.notify_waiters();
    }

    /// Build an update's JSON without queueing it (for webhook tests).
    pub fn text_update(update_id: i64, chat_id: i64, text: &str) -> Value {
        json!({
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1_790_000_000,
                "chat": { "id": chat_id, "type": "private", "first_name": "Tester" },
                "from": Self::user(chat_id, "en"),
                "text": text,
            }
        })
    }

    pub fn fail_next(&self, n: usize, failure: Failure) {
        let mut inner = self.lock();
        for _ in 0..n {
            inner.failures.push_back(failure);
        }
    }

    /// Fail every `sendMessage` with `failure` until called again with `None`.
    pub fn set_outage(&self, failure: Option<Failure>) {
        self.lock().outage = failure;
    }

    pub fn block(&self, chat_id: i64) {
        self.lock().blocked.insert(chat_id);
    }

    pub fn unblock(&self, chat_id: i64) {
        self.lock().blocked.remove(&chat_id);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Successful `sendMessage` calls, in arrival order.
    pub fn sent(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == "sendmessage" && c.status == 200)
            .collect()
    }

    pub fn sent_to(&self, chat_id: i64) -> Vec<Call> {
        self.sent()
            .into_iter()
            .filter(|c| c.chat_id() == Some(chat_id))
            .collect()
    }

    /// Wait until the bot has asked for the updates after `update_id`. The intake asks for
    /// the next batch only once every update of the last one is stored and handled, replays
    /// served with it included, so from here the outbox holds every reply they will get.
    pub async fn wait_acknowledged(&self, update_id: i64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.calls().iter().any(|c| {
            c.method == "getupdates" && c.status == 200 && c.params["offset"].as_i64().is_some_and(|o| o > update_id)
        }) {
            assert!(
                Instant::now() < deadline,
                "the bot never asked for the updates after {update_id}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `getUpdates` requests being answered now.
    pub fn pollers(&self) -> usize {
        self.lock().polling
    }

    /// The update kinds the bot last asked for (`allowed_updates`), if it ever did.
    pub fn allowed_updates(&self) -> Option<Vec<String>> {
        self.lock().allowed.clone()
    }

    pub fn webhook(&self) -> Option<(String, Option<String>)> {
        self.lock().webhook.clone()
    }

    /// Is the contract check on (the spec was found)?
    pub fn checks_spec(&self) -> bool {
        self.spec.is_some()
    }

    /// Calls that broke the Bot API spec. Tests assert this is empty.
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    /// Wait until `pred` holds for the successful sends, or panic after `timeout`.
    pub async fn wait_for_sent(&self, timeout: Duration, what: &str, pred: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        let deadline = Instant::now() + timeout;
        loop {
            let sent = self.sent();
            if pred(&sent) {
                return sent;
            }
            if Instant::now() > deadline {
                let texts: Vec<_> = sent
                    .iter()
                    .map(|c| format!("{:?}: {}", c.chat_id(), c.text()))
                    .collect();
                panic!("timed out waiting for {what}; sent so far: {texts:#?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn check(&self, method: &str, params: &Value) -> Result<(), String> {
        let Some(spec) = &self.spec else { return Ok(()) };
        let methods = spec["methods"].as_object().ok_or("spec has no methods")?;
        let (name, m) = methods
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(method))
            .ok_or_else(|| format!("unknown method {method}"))?;
        let fields = m["fields"].as_array().cloned().unwrap_or_default();
        let given = params.as_object().cloned().unwrap_or_default();
        for f in &fields {
            let fname = f["name"].as_str().unwrap_or_default();
            if f["required"].as_bool() == Some(true) && !given.contains_key(fname) {
                return Err(format!("{name}: missing required parameter {fname}"));
            }
        }
        for (k, v) in &given {
            let f = fields
                .iter()
                .find(|f| f["name"] == json!(k))
                .ok_or_else(|| format!("{name}: unknown parameter {k}"))?;
            let types: Vec<String> = f["types"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect();
            if !types.iter().any(|t| fits(spec, v, t)) {
                return Err(format!("{name}: parameter {k} = {v} is not {types:?}"));
            }
        }
        Ok(())
    }
}

/// Does `v` fit spec type `t` (`Integer`, `Array of X`, an object type)?
fn fits(spec: &Value, v: &Value, t: &str) -> bool {
    if let Some(inner) = t.strip_prefix("Array of ") {
        return v.as_array().is_some_and(|a| a.iter().all(|e| fits(spec, e, inner)));
    }
    match t {
        "Integer" => v.is_i64() || v.is_u64(),
        "Float" => v.is_number(),
        "String" => v.is_string(),
        "Boolean" => v.is_boolean(),
        "True" => v == &json!(true),
        "InputFile" => true,
        object => {
            let Some(def) = spec["types"].get(object) else {
                return false;
            };
            if let Some(subtypes) = def["subtypes"].as_array() {
                return subtypes.iter().filter_map(Value::as_str).any(|s| fits(spec, v, s));
            }
            let Some(obj) = v.as_object() else { return false };
            let fields = def["fields"].as_array().cloned().unwrap_or_default();
            let required_ok = fields
                .iter()
                .filter(|f| f["required"].as_bool() == Some(true))
                .all(|f| obj.contains_key(f["name"].as_str().unwrap_or_default()));
            let each_ok = obj.iter().all(|(k, val)| {
                fields.iter().find(|f| f["name"] == json!(k)).is_some_and(|f| {
                    f["types"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .any(|ft| fits(spec, val, ft))
                })
            });
            required_ok && each_ok
        }
    }
}

fn ok(result: Value) -> (StatusCode, axum::Json<Value>) {
    (StatusCode::OK, axum::Json(json!({ "ok": true, "result": result })))
}

fn err(code: u16, description: &str, extra: Option<Value>) -> (StatusCode, axum::Json<Value>) {
    let mut body = json!({ "ok": false, "error_code": code, "description": description });
    if let Some(p) = extra {
        body["parameters"] = p;
    }
    (
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(body),
    )
}

async fn handle(
    State(fake): State<FakeTelegram>,
    Path((bot, method)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> impl IntoResponse {
    let method = method.to_ascii_lowercase();
    if bot != format!("bot{TOKEN}") {
        return err(401, "Unauthorized", None);
    }
    let params: Value = if body.is_empty() {
        Value::Object(Map::new())
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return err(400, "Bad Request: body is not JSON", None),
        }
    };
    let at = Instant::now();
    if let Err(v) = fake.check(&method, &params) {
        fake.lock().violations.push(v.clone());
        return err(400, &format!("Bad Request: {v}"), None);
    }
    let record_sent = |status: u16, message_id: Option<i64>| {
        fake.lock().calls.push(Call {
            method: method.clone(),
            params: params.clone(),
            at,
            status,
            message_id,
        });
    };
    let record = |status: u16| record_sent(status, None);
    match method.as_str() {
        "getme" => {
            record(200);
            ok(json!({ "id": BOT_ID, "is_bot": true, "first_name": "Peerline Test", "username": "peerline_test_bot" }))
        }
        "getupdates" => {
            // One poller at a time: Telegram ends a second concurrent request with 409.
            let slot = {
                let mut inner = fake.lock();
                if inner.polling > 0 {
                    drop(inner);
                    record(409);
                    return err(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                        None,
                    );
                }
                inner.polling += 1;
                inner.remember_allowed(&params);
                PollSlot(fake.clone())
            };
            let offset = params["offset"].as_i64().unwrap_or(0);
            let timeout = Duration::from_secs(params["timeout"].as_u64().unwrap_or(0).min(5));
            let deadline = tokio::time::Instant::now() + timeout;
            loop {
                let notified = fake.updated.notified();
                let ready: Vec<Value> = {
                    let mut inner = fake.lock();
                    // Replays are served once more whatever the offset, as a provider
                    // redelivering after a lost acknowledgement would.
                    let mut batch: Vec<Value> = std::mem::take(&mut inner.replays);
                    batch.extend(
                        inner
                            .updates
                            .iter()
                            .filter(|u| u["update_id"].as_i64().unwrap_or(0) >= offset)
                            .take(100)
                            .cloned(),
                    );
                    // Kinds the bot did not ask for are never delivered.
                    batch.retain(|u| inner.allows(u));
                    batch
                };
                if !ready.is_empty() || tokio::time::Instant::now() >= deadline {
                    drop(slot);
                    record(200);
                    return ok(Value::Array(ready));
                }
                tokio::select! {
                    _ = notified => {}
                    _ = tokio::time::sleep_until(deadline) => {}
                }
            }
        }
        "sendmessage" => {
            let chat_id = params["chat_id"].as_i64().unwrap_or_default();
            // Telegram's own limits: a text of at most 4,096 characters (UTF-16 code units),
            // and callback data of at most 64 bytes.
            let text_len = params["text"].as_str().map_or(0, |t| t.encode_utf16().count());
            if text_len > 4096 {
                record(400);
                return err(400, "Bad Request: message is too long", None);
            }
            let buttons = params["reply_markup"]["inline_keyboard"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let data_too_long = buttons
                .iter()
                .filter_map(Value::as_array)
                .flatten()
                .any(|b| b["callback_data"].as_str().is_some_and(|d| d.len() > 64));
            if data_too_long {
                record(400);
                return err(400, "Bad Request: BUTTON_DATA_INVALID", None);
            }
            let failure = {
                let mut inner = fake.lock();
                inner.failures.pop_front().or(inner.outage)
            };
            match failure {
                Some(Failure::TooManyRequests { retry_after }) => {
                    record(429);
                    return err(
                        429,
                        &format!("Too Many Requests: retry after {retry_after}"),
                        Some(json!({ "retry_after": retry_after })),
                    );
                }
                Some(Failure::ServerError) => {
                    record(500);
                    return err(500, "Internal Server Error", None);
                }
                None => {}
            }
            if fake.lock().blocked.contains(&chat_id) {
                record(403);
                return err(403, "Forbidden: bot was blocked by the user", None);
            }
            let message_id = {
                let mut inner = fake.lock();
                inner.next_message += 1;
                inner.next_message
            };
            record_sent(200, Some(message_id));
            ok(json!({
                "message_id": message_id,
                "date": 1_790_000_000,
                "chat": { "id": chat_id, "type": "private" },
                "text": params["text"],
            }))
        }
        "copymessage" => {
            let message_id = {
                let mut inner = fake.lock();
                inner.next_message += 1;
                inner.next_message
            };
            record_sent(200, Some(message_id));
            ok(json!({ "message_id": message_id }))
        }
        "answercallbackquery" | "deletewebhook" => {
            if method == "deletewebhook" {
                fake.lock().webhook = None;
            }
            record(200);
            ok(json!(true))
        }
        "editmessagereplymarkup" => {
            record(200);
            ok(json!(true))
        }
        "setwebhook" => {
            let url = params["url"].as_str().unwrap_or_default().to_owned();
            // Telegram's own refusals: it calls HTTPS only, on four ports.
            let Some(rest) = url.strip_prefix("https://") else {
                record(400);
                return err(
                    400,
                    "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
                    None,
                );
            };
            let authority = rest.split('/').next().unwrap_or_default();
            let port = authority.rsplit_once(':').map_or("443", |(_, p)| p);
            if !["443", "80", "88", "8443"].contains(&port) {
                record(400);
                return err(
                    400,
                    "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
                    None,
                );
            }
            let secret = params["secret_token"].as_str().map(str::to_owned);
            let mut inner = fake.lock();
            inner.webhook = Some((url, secret));
            inner.remember_allowed(&params);
            drop(inner);
            record(200);
            ok(json!(true))
        }
        "getwebhookinfo" => {
            record(200);
            let url = fake.webhook().map(|w| w.0).unwrap_or_default();
            ok(json!({ "url": url, "has_custom_certificate": false, "pending_update_count": 0 }))
        }
        _ => {
            record(404);
            err(404, "Not Found: method not implemented by the fake", None)
        }
    }
}
