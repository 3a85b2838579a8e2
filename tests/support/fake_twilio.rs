//! A fake Twilio Messages API on 127.0.0.1 that answers with Twilio's own response and error
//! shapes, for error-classification tests. (Spec conformance of the requests is checked
//! separately against Prism serving Twilio's OpenAPI spec.)

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::post,
};
use serde_json::json;

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const AUTH_TOKEN: &str = "7e57a07470e57a07470e57a07470e57a";
/// The public URL webhooks are signed for, and the service's own number, in tests.
pub const PUBLIC_URL: &str = "https://peerline.example.org";
pub const OUR_NUMBER: &str = "+447700900000";

/// The form of an inbound-SMS webhook as Twilio posts it, from `from` to our number.
pub fn inbound_sms(sid: &str, from: &str, body: &str) -> Vec<(String, String)> {
    [
        ("MessageSid", sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", from),
        ("To", OUR_NUMBER),
        ("Body", body),
        ("NumMedia", "0"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// A scripted answer for the next create-message call.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// 400 with a Twilio error code (21610 unsubscribed, 21211 invalid number, ...).
    Error { status: u16, code: u32 },
    /// 429 with Retry-After seconds.
    TooMany { retry_after: u64 },
}

#[derive(Debug, Clone)]
pub struct Request {
    pub account: String,
    pub authorised: bool,
    pub form: Vec<(String, String)>,
    pub status: u16,
    /// The SID given to an accepted message.
    pub sid: Option<String>,
}

impl Request {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Inner {
    script: VecDeque<Answer>,
    requests: Vec<Request>,
    next: u64,
    /// Answer every create-message call with this until cleared (after any script).
    outage: Option<Answer>,
    /// Answer every message to these numbers like this (after any script).
    refuse_to: HashMap<String, Answer>,
    /// Refuse the next message to an address once.
    refuse_once: HashMap<String, Answer>,
    /// How long an accepted message's answer takes (the message is recorded as accepted at
    /// once, as Twilio would have it, before the answer goes back).
    latency: Duration,
}

#[derive(Clone)]
pub struct FakeTwilio {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl FakeTwilio {
    /// Environment that points `peerline serve` at this fake, with quick retries.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PEERLINE_SMS__PROVIDER", "twilio".into()),
            ("PEERLINE_SMS__TWILIO__ACCOUNT_SID", ACCOUNT_SID.into()),
            ("PEERLINE_SMS__TWILIO__AUTH_TOKEN", AUTH_TOKEN.into()),
            ("PEERLINE_SMS__TWILIO__FROM", OUR_NUMBER.into()),
            ("PEERLINE_SMS__TWILIO__API_BASE", self.url.clone()),
            ("PEERLINE_SMS__TWILIO__PUBLIC_URL", PUBLIC_URL.into()),
            ("PEERLINE_DELIVERY__IDLE_POLL_MS", "50".into()),
            ("PEERLINE_DELIVERY__BACKOFF_BASE_MS", "100".into()),
        ]
    }

    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake twilio");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let fake = FakeTwilio {
            inner: Arc::default(),
            url,
        };
        let app = Router::new()
            .route("/2010-04-01/Accounts/{account}/Messages.json", post(create))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn script(&self, answers: &[Answer]) {
        self.lock().script.extend(answers.iter().copied());
    }

    /// Refuse every message with `answer` until called again with `None`.
    pub fn set_outage(&self, answer: Option<Answer>) {
        self.lock().outage = answer;
    }

    /// Refuse every message to `to` with `answer` (`None`: stop refusing).
    pub fn refuse_to(&self, to: &str, answer: Option<Answer>) {
        let mut inner = self.lock();
        match answer {
            Some(a) => inner.refuse_to.insert(to.to_owned(), a),
            None => inner.refuse_to.remove(to),
        };
    }

    /// Refuse the next message to `to` with `answer`, once.
    pub fn refuse_next_to(&self, to: &str, answer: Answer) {
        self.lock().refuse_once.insert(to.to_owned(), answer);
    }

    /// Hold each accepted message's answer back this long (the message counts as accepted
    /// before the answer leaves, so a sender killed meanwhile has sent it without knowing).
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    pub fn requests(&self) -> Vec<Request> {
        self.lock().requests.clone()
    }

    /// Accepted messages to `to`, in order.
    pub fn delivered_to(&self, to: &str) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.status == 201 && r.get("To") == Some(to))
            .filter_map(|r| r.get("Body").map(str::to_owned))
            .collect()
    }
}

fn basic_auth_ok(headers: &HeaderMap) -> bool {
    use base64::Engine as _;
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{AUTH_TOKEN}"));
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(format!("Basic {expected}").as_str())
}

async fn create(
    State(fake): State<FakeTwilio>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let authorised = basic_auth_ok(&headers) && account == ACCOUNT_SID;
    let answer = if authorised {
        let mut inner = fake.lock();
        let to = form
            .iter()
            .find(|(k, _)| k == "To")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        let refused = inner
            .refuse_once
            .remove(to)
            .or_else(|| inner.refuse_to.get(to).copied());
        // Twilio refuses a body over 1,600 characters (error 21617), whatever else is going on.
        let body_chars = form
            .iter()
            .find(|(k, _)| k == "Body")
            .map_or(0, |(_, v)| v.chars().count());
        let too_long = (body_chars > 1600).then_some(Answer::Error {
            status: 400,
            code: 21617,
        });
        too_long
            .or_else(|| inner.script.pop_front())
            .or(refused)
            .or(inner.outage)
    } else {
        None
    };
    let mut sid = None;
    let (status, body, retry) = match (authorised, answer) {
        (false, _) => (
            401,
            json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}),
            None,
        ),
        (true, Some(Answer::Error { status, code })) => (
            status,
            json!({"code": code, "message": format!("error {code}"), "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status}),
            None,
        ),
        (true, Some(Answer::TooMany { retry_after })) => (
            429,
            json!({"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}),
            Some(retry_after),
        ),
        (true, None) => {
            let n = {
                let mut inner = fake.lock();
                inner.next += 1;
                inner.next
            };
            sid = Some(format!("SM{n:032x}"));
            (
                201,
                json!({
                    "sid": sid,
                    "account_sid": ACCOUNT_SID,
                    "status": "queued",
                    "num_segments": "1",
                    "to": form.iter().find(|(k, _)| k == "To").map(|(_, v)| v.clone()),
                    "body": form.iter().find(|(k, _)| k == "Body").map(|(_, v)| v.clone()),
                }),
                None,
            )
        }
    };
    let latency = {
        let mut inner = fake.lock();
        inner.requests.push(Request {
            account,
            authorised,
            form,
            status,
            sid,
        });
        if status == 201 { inner.latency } else { Duration::ZERO }
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut headers = HeaderMap::new();
    if let Some(r) = retry
        && let Ok(v) = r.to_string().parse()
    {
        headers.insert("retry-after", v);
    }
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        headers,
        axum::Json(body),
    )
}
