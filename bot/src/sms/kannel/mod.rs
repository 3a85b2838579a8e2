//! Kannel: the open-source SMS gateway many services run with an SMSC link or a modem.
//!
//! - Out: smsbox's `sendsms` with every parameter URL-encoded (an unencoded `+` becomes a
//!   space), `coding=2&charset=UTF-8` when the text is not GSM-7 (otherwise Welsh `ŵ` and Polish
//!   `ł` arrive as `?`), and `dlr-mask` with a `dlr-url` that carries the outbox id.
//! - In: `GET|POST /webhooks/kannel/mo` (smsbox's get-url with `%p %P %b %I %c %C`) and
//!   `/webhooks/kannel/dlr`, both requiring a shared token and a source address on the
//!   allow-list. smsbox should run with `mo-recode = true` and `http-request-retry`, since it
//!   drops an MO whose HTTP call fails.

use std::{net::SocketAddr, sync::Arc};

use async_trait::async_trait;
use axum::{
    Router,
    body::Bytes,
    extract::{ConnectInfo, DefaultBodyLimit, State},
    http::{HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use peerline_core::{
    clock::to_millis,
    config::KannelSettings,
    domain::{ChannelKind, OutboxId},
    store::DeliveryStatus,
};
use subtle::ConstantTimeEq;

use super::{Provider, SmsConfigError, SmsContext, SmsOut, SmsSender, normalise_sender};
use crate::{
    channel::{SendError, SendReceipt},
    inbound::{Inbound, InboundPayload},
};

pub(super) fn build(settings: KannelSettings, ctx: &SmsContext) -> Result<Provider, SmsConfigError> {
    let http = super::http_client("kannel", settings.timeout_secs)?;
    let settings = Arc::new(settings);
    let routes = Router::new()
        .route("/webhooks/kannel/mo", get(mo).post(mo))
        .route("/webhooks/kannel/dlr", get(dlr).post(dlr))
        .layer(DefaultBodyLimit::max(ctx.max_body_bytes))
        .with_state(WebhookState {
            settings: Arc::clone(&settings),
            ctx: ctx.clone(),
        });
    Ok(Provider {
        name: "kannel",
        sender: Arc::new(KannelSender { http, settings }),
        routes,
    })
}

struct KannelSender {
    http: reqwest::Client,
    settings: Arc<KannelSettings>,
}

/// DLR events we ask for: delivered (1), undelivered (2), buffered (4), SMSC ack (8), SMSC reject (16).
const DLR_MASK: &str = "31";

#[async_trait]
impl SmsSender for KannelSender {
    async fn send(&self, out: &SmsOut<'_>) -> Result<SendReceipt, SendError> {
        let s = &self.settings;
        let dlr_url = format!(
            "{}/webhooks/kannel/dlr?token={}&id={}&status=%d",
            s.public_url.trim_end_matches('/'),
            s.inbound_token.expose(),
            out.outbox_id
        );
        let mut query: Vec<(&str, &str)> = vec![
            ("username", &s.username),
            ("password", s.password.expose()),
            ("to", out.to),
            ("text", out.body),
            ("charset", "UTF-8"),
            ("dlr-mask", DLR_MASK),
            ("dlr-url", &dlr_url),
        ];
        if !out.gsm7 {
            query.push(("coding", "2"));
        }
        if let Some(from) = &s.from {
            query.push(("from", from));
        }
        if let Some(smsc) = &s.smsc {
            query.push(("smsc", smsc));
        }
        // reqwest percent-encodes every value, including `+` and the dlr-url's own `&`.
        let response = self
            .http
            .get(&s.sendsms_url)
            .query(&query)
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("Kannel unreachable: {}", e.without_url())))?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let text = text.trim();
        match status {
            200..=299 => Ok(SendReceipt::default()),
            // smsbox answers 503 when its queue is full or bearerbox is away.
            500..=599 => Err(SendError::Transient(format!("Kannel {status}: {text}"))),
            // Wrong credentials or a sender not allowed: an operator must fix it; keep retrying.
            401 | 403 => Err(SendError::Transient(format!("Kannel {status}: {text}"))),
            _ if text.to_ascii_lowercase().contains("receiver") => {
                Err(SendError::Unreachable(format!("Kannel {status}: {text}")))
            }
            _ => Err(SendError::Rejected(format!("Kannel {status}: {text}"))),
        }
    }
}

#[derive(Clone)]
struct WebhookState {
    settings: Arc<KannelSettings>,
    ctx: SmsContext,
}

/// A request's parameters: names, and values as raw bytes.
pub type Params = Vec<(String, Vec<u8>)>;

/// Query and form parameters as raw bytes: Kannel's `%b` may be UTF-8 or, without
/// `mo-recode`, UTF-16BE, so decoding waits until the charset is known.
pub fn raw_params(query: Option<&str>, body: &[u8]) -> Params {
    query
        .map(str::as_bytes)
        .into_iter()
        .chain(std::iter::once(body))
        .flat_map(crate::webhook::form_pairs)
        .map(|(key, value)| (String::from_utf8_lossy(&key).into_owned(), value))
        .collect()
}

fn param<'a>(params: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_slice())
}

fn text_of(raw: &[u8], charset: Option<&str>, coding: Option<&str>) -> String {
    let charset = charset.unwrap_or("").to_ascii_uppercase();
    if charset == "UTF-16BE" || charset == "UCS-2" || (charset.is_empty() && coding == Some("2")) {
        let units: Vec<u16> = raw
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if charset == "ISO-8859-1" || charset == "WINDOWS-1252" {
        return raw.iter().map(|b| char::from(*b)).collect();
    }
    String::from_utf8_lossy(raw).into_owned()
}

/// The [`Inbound`] for an MO's (already authorised) parameters from [`raw_params`], or `None`
/// when `id` or `from` is missing, blank (a blank sender has nowhere to reply to) or not UTF-8.
/// The text itself is decoded leniently: bytes that do not match the declared charset become
/// U+FFFD rather than losing the message of someone who may be in crisis.
pub fn mo_to_inbound(params: &[(String, Vec<u8>)], received_at: DateTime<Utc>) -> Option<Inbound> {
    // Identifiers must be what they say; only the message text is decoded leniently (below).
    let utf8 = |name: &str| {
        param(params, name)
            .and_then(|v| std::str::from_utf8(v).ok())
            .map(str::to_owned)
    };
    let (Some(id), Some(from)) = (
        utf8("id").filter(|s| !s.trim().is_empty()),
        utf8("from").filter(|s| !s.trim().is_empty()),
    ) else {
        return None;
    };
    let text = text_of(
        param(params, "text").unwrap_or_default(),
        utf8("charset").as_deref(),
        utf8("coding").as_deref(),
    );
    Some(Inbound {
        channel: ChannelKind::Sms,
        provider_key: format!("kannel:{id}"),
        address: normalise_sender(&from),
        payload: InboundPayload::Text(text),
        received_at,
        language_hint: None,
        reply_to: None,
    })
}

/// The request's parameters, once its content type, source address and token pass: the checks
/// both routes share. smsbox sends GET with a query (get-url) or POST with a form (post-url).
fn authorised_params(
    state: &WebhookState,
    peer: SocketAddr,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Params, (StatusCode, &'static str)> {
    if !body.is_empty() && !crate::webhook::content_type_is(headers, "application/x-www-form-urlencoded") {
        return Err(crate::webhook::UNSUPPORTED);
    }
    let params = raw_params(uri.query(), body);
    authorised(state, peer, &params)?;
    Ok(params)
}

/// Token and source address checks.
fn authorised(
    state: &WebhookState,
    peer: SocketAddr,
    params: &[(String, Vec<u8>)],
) -> Result<(), (StatusCode, &'static str)> {
    let ip = peer.ip();
    let allowed = if state.settings.allowed_ips.is_empty() {
        ip.is_loopback() || ip.to_canonical().is_loopback()
    } else {
        state
            .settings
            .allowed_ips
            .iter()
            .any(|a| *a == ip || *a == ip.to_canonical())
    };
    if !allowed {
        metrics::counter!("peerline_webhook_rejected_total", "channel" => "kannel", "reason" => "ip").increment(1);
        tracing::warn!(%ip, "Kannel webhook refused: address not allowed");
        return Err((StatusCode::FORBIDDEN, "address not allowed"));
    }
    let token = param(params, "token").unwrap_or_default();
    if !bool::from(token.ct_eq(state.settings.inbound_token.expose().as_bytes())) {
        metrics::counter!("peerline_webhook_rejected_total", "channel" => "kannel", "reason" => "token").increment(1);
        tracing::warn!("Kannel webhook refused: bad or missing token");
        return Err((StatusCode::FORBIDDEN, "bad token"));
    }
    Ok(())
}

async fn mo(
    State(state): State<WebhookState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match authorised_params(&state, peer, &uri, &headers, &body) {
        Ok(p) => p,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(inbound) = mo_to_inbound(&params, state.ctx.clock.now()) else {
        return (StatusCode::BAD_REQUEST, "id and from are required, in UTF-8").into_response();
    };
    match state.ctx.engine.handle(&inbound).await {
        // An empty answer: smsbox's sms-service has max-messages = 0, so nothing is sent back.
        Ok(_) => StatusCode::OK.into_response(),
        // smsbox retries on failure (http-request-retry).
        Err(e) => crate::webhook::not_stored(&state.ctx.store, e.store_error(), "could not store Kannel MO"),
    }
}

async fn dlr(
    State(state): State<WebhookState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match authorised_params(&state, peer, &uri, &headers, &body) {
        Ok(p) => p,
        Err(refusal) => return refusal.into_response(),
    };
    let number = |name: &str| {
        param(&params, name)
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|s| s.trim().parse::<i64>().ok())
    };
    let (Some(id), Some(code)) = (number("id"), number("status")) else {
        return (StatusCode::BAD_REQUEST, "id and status are required").into_response();
    };
    let (status, error) = match code {
        1 => (DeliveryStatus::Delivered, None),
        2 => (DeliveryStatus::Failed, Some("Kannel DLR 2: undelivered")),
        16 => (DeliveryStatus::Failed, Some("Kannel DLR 16: rejected by SMSC")),
        8 => (DeliveryStatus::Sent, None),
        // 4 (buffered) and anything else: no change.
        _ => return StatusCode::OK.into_response(),
    };
    let now = to_millis(state.ctx.clock.now());
    match state
        .ctx
        .store
        .record_receipt(Some(OutboxId(id)), None, status, error, now)
        .await
    {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => crate::webhook::not_stored(&state.ctx.store, &e, "could not record Kannel DLR"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mo_text_decodes_in_every_charset_kannel_uses() {
        let p = raw_params(
            Some("text=Dw%C5%B5r+%C5%82%C3%B3d%C5%BA+%F0%9F%98%80&charset=UTF-8&coding=2"),
            b"",
        );
        assert_eq!(
            text_of(param(&p, "text").unwrap(), Some("UTF-8"), Some("2")),
            "Dwŵr łódź 😀"
        );
        let utf16: Vec<u8> = "Dŵr ł".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let encoded: String = utf16.iter().map(|b| format!("%{b:02X}")).collect();
        let p = raw_params(Some(&format!("text={encoded}&coding=2")), b"");
        assert_eq!(text_of(param(&p, "text").unwrap(), None, Some("2")), "Dŵr ł");
        let p = raw_params(None, b"text=caf%E9&charset=ISO-8859-1");
        assert_eq!(text_of(param(&p, "text").unwrap(), Some("ISO-8859-1"), None), "café");
        // `+` in a query is a space; a literal plus arrives as %2B.
        let p = raw_params(Some("from=%2B447700900123&text=STOP+ALL"), b"");
        assert_eq!(param(&p, "from").unwrap(), b"+447700900123");
        assert_eq!(param(&p, "text").unwrap(), b"STOP ALL");
    }
}
