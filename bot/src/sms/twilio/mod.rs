//! Twilio: Programmable Messaging API out, signed webhooks in.
//!
//! - Out: `POST {api_base}/2010-04-01/Accounts/{sid}/Messages.json` (form, basic auth) with a
//!   `StatusCallback`; Twilio's error codes decide the retry class.
//! - In: `POST /webhooks/twilio/sms` (a text from a person) and `POST /webhooks/twilio/status`
//!   (delivery status), both refused with 403 unless `X-Twilio-Signature` matches the public URL
//!   configured in `sms.twilio.public_url` (so it works behind a proxy). A text is stored before
//!   Twilio gets its empty `<Response/>`.

pub mod signature;

use std::{collections::HashSet, sync::Arc, time::Duration};

use async_trait::async_trait;
use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::post,
};
use chrono::{DateTime, Utc};
use peerline_core::{clock::to_millis, config::TwilioSettings, domain::ChannelKind, store::DeliveryStatus};
use serde::Deserialize;

use super::{Provider, SmsConfigError, SmsContext, SmsOut, SmsSender, normalise_sender};
use crate::{
    channel::{SendError, SendReceipt},
    inbound::{Inbound, InboundPayload},
};

pub(super) fn build(settings: TwilioSettings, ctx: &SmsContext) -> Result<Provider, SmsConfigError> {
    let http = super::http_client("twilio", settings.timeout_secs)?;
    let settings = Arc::new(settings);
    let routes = Router::new()
        .route("/webhooks/twilio/sms", post(inbound_sms))
        .route("/webhooks/twilio/status", post(status_callback))
        .layer(DefaultBodyLimit::max(ctx.max_body_bytes))
        .with_state(WebhookState {
            settings: Arc::clone(&settings),
            ctx: ctx.clone(),
        });
    Ok(Provider {
        name: "twilio",
        sender: Arc::new(TwilioSender { http, settings }),
        routes,
    })
}

struct TwilioSender {
    http: reqwest::Client,
    settings: Arc<TwilioSettings>,
}

#[derive(Deserialize)]
struct Created {
    sid: String,
    #[serde(default)]
    num_segments: Option<String>,
}

#[derive(Deserialize, Default)]
struct TwilioError {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

/// What a Twilio error means for the message.
pub fn classify(http_status: u16, code: Option<i64>, message: &str, retry_after: Option<Duration>) -> SendError {
    let detail = match code {
        Some(c) => format!("Twilio {c}: {message}"),
        None => format!("Twilio HTTP {http_status}: {message}"),
    };
    match (http_status, code) {
        (_, Some(21610)) => SendError::OptedOut(detail),
        // Invalid 'To' number, not a mobile number, unreachable region.
        (_, Some(21211 | 21614 | 21612 | 21408 | 21217)) => SendError::Unreachable(detail),
        (429, _) | (_, Some(20429)) => SendError::Throttled {
            retry_after: retry_after.unwrap_or(Duration::from_secs(1)),
        },
        (500..=599, _) => SendError::Transient(detail),
        // Bad credentials or a suspended account: nothing this message can fix, but an
        // operator can; keep retrying with back-off rather than dropping people's messages.
        (401 | 403, _) | (_, Some(20003)) => SendError::Transient(detail),
        _ => SendError::Rejected(detail),
    }
}

#[async_trait]
impl SmsSender for TwilioSender {
    async fn send(&self, out: &SmsOut<'_>) -> Result<SendReceipt, SendError> {
        let s = &self.settings;
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            s.api_base.trim_end_matches('/'),
            s.account_sid
        );
        let callback = format!("{}/webhooks/twilio/status", s.public_url.trim_end_matches('/'));
        let from_key = if s.from.starts_with("MG") {
            "MessagingServiceSid"
        } else {
            "From"
        };
        let form = [
            ("To", out.to),
            (from_key, s.from.as_str()),
            ("Body", out.body),
            ("StatusCallback", callback.as_str()),
        ];
        let response = self
            .http
            .post(&url)
            .basic_auth(&s.account_sid, Some(s.auth_token.expose()))
            .form(&form)
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("Twilio unreachable: {}", e.without_url())))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response
            .bytes()
            .await
            .map_err(|e| SendError::Transient(e.without_url().to_string()))?;
        if (200..300).contains(&status) {
            let created: Created = serde_json::from_slice(&body)
                .map_err(|e| SendError::Transient(format!("unreadable Twilio answer: {e}")))?;
            return Ok(SendReceipt {
                provider_id: Some(created.sid),
                segments: created.num_segments.and_then(|n| n.parse().ok()),
            });
        }
        let err: TwilioError = serde_json::from_slice(&body).unwrap_or_default();
        Err(classify(
            status,
            err.code,
            err.message.as_deref().unwrap_or(""),
            retry_after,
        ))
    }
}

#[derive(Clone)]
struct WebhookState {
    settings: Arc<TwilioSettings>,
    ctx: SmsContext,
}

/// Parse the form and check the signature. `Err` is the response to give.
///
/// A name given twice is refused: the signature covers every pair, sorted, but the handler
/// reads one value per name, so a signed form could otherwise say two things at once. Twilio
/// never repeats a name in a messaging webhook.
fn verified_form(
    state: &WebhookState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Vec<(String, String)>, (StatusCode, &'static str)> {
    if !crate::webhook::content_type_is(headers, "application/x-www-form-urlencoded") {
        return Err(crate::webhook::UNSUPPORTED);
    }
    let params = crate::webhook::strict_form(body).ok_or((StatusCode::BAD_REQUEST, "body is not a UTF-8 form"))?;
    let mut names = HashSet::new();
    if !params.iter().all(|(name, _)| names.insert(name.as_str())) {
        metrics::counter!("peerline_webhook_rejected_total", "channel" => "twilio", "reason" => "repeated_name")
            .increment(1);
        tracing::warn!("Twilio webhook refused: a parameter name is repeated");
        return Err((StatusCode::BAD_REQUEST, "a parameter is repeated"));
    }
    let path = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    let given = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let signed = signature::url_variants(&state.settings.public_url).iter().any(|base| {
        signature::verify(
            state.settings.auth_token.expose(),
            &format!("{base}{path}"),
            &params,
            given,
        )
    });
    if !signed {
        metrics::counter!("peerline_webhook_rejected_total", "channel" => "twilio", "reason" => "signature")
            .increment(1);
        tracing::warn!("Twilio webhook refused: bad or missing signature");
        return Err((StatusCode::FORBIDDEN, "bad signature"));
    }
    Ok(params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The [`Inbound`] for an inbound-SMS webhook's (already verified) form parameters, or `None`
/// when `MessageSid` or `From` is missing or blank (a blank sender has nowhere to reply to).
pub fn form_to_inbound(params: &[(String, String)], received_at: DateTime<Utc>) -> Option<Inbound> {
    let present = |name: &str| param(params, name).filter(|v| !v.trim().is_empty());
    let (Some(sid), Some(from)) = (present("MessageSid"), present("From")) else {
        return None;
    };
    Some(Inbound {
        channel: ChannelKind::Sms,
        provider_key: format!("twilio:{sid}"),
        address: normalise_sender(from),
        payload: InboundPayload::Text(param(params, "Body").unwrap_or_default().to_owned()),
        received_at,
        language_hint: None,
        reply_to: None,
    })
}

const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

async fn inbound_sms(State(state): State<WebhookState>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let params = match verified_form(&state, &uri, &headers, &body) {
        Ok(p) => p,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(inbound) = form_to_inbound(&params, state.ctx.clock.now()) else {
        return (StatusCode::BAD_REQUEST, "MessageSid and From are required").into_response();
    };
    match state.ctx.engine.handle(&inbound).await {
        Ok(_) => ([(header::CONTENT_TYPE, "text/xml")], EMPTY_TWIML).into_response(),
        Err(e) => crate::webhook::not_stored(&state.ctx.store, e.store_error(), "could not store Twilio message"),
    }
}

async fn status_callback(State(state): State<WebhookState>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let params = match verified_form(&state, &uri, &headers, &body) {
        Ok(p) => p,
        Err(refusal) => return refusal.into_response(),
    };
    let (Some(sid), Some(status)) = (param(&params, "MessageSid"), param(&params, "MessageStatus")) else {
        return (StatusCode::BAD_REQUEST, "MessageSid and MessageStatus are required").into_response();
    };
    let mapped = match status {
        "delivered" => DeliveryStatus::Delivered,
        "undelivered" | "failed" => DeliveryStatus::Failed,
        "sent" => DeliveryStatus::Sent,
        // queued, accepted, sending, scheduled: nothing new to record.
        _ => return StatusCode::NO_CONTENT.into_response(),
    };
    let error = param(&params, "ErrorCode").map(|c| format!("Twilio {c}: {status}"));
    let now = to_millis(state.ctx.clock.now());
    match state
        .ctx
        .store
        .record_receipt(None, Some(sid), mapped, error.as_deref(), now)
        .await
    {
        Ok(matched) => {
            if !matched {
                tracing::debug!("Twilio status for a message we do not know");
            }
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => crate::webhook::not_stored(&state.ctx.store, &e, "could not record Twilio status"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_errors_map_to_retry_classes() {
        type Check = fn(&SendError) -> bool;
        let cases: &[(u16, Option<i64>, Check)] = &[
            (400, Some(21610), |e| matches!(e, SendError::OptedOut(_))),
            (400, Some(21211), |e| matches!(e, SendError::Unreachable(_))),
            (400, Some(21614), |e| matches!(e, SendError::Unreachable(_))),
            (429, Some(20429), |e| matches!(e, SendError::Throttled { .. })),
            (429, None, |e| matches!(e, SendError::Throttled { .. })),
            (500, None, |e| matches!(e, SendError::Transient(_))),
            (503, Some(20500), |e| matches!(e, SendError::Transient(_))),
            (401, Some(20003), |e| matches!(e, SendError::Transient(_))),
            (400, Some(21602), |e| matches!(e, SendError::Rejected(_))),
        ];
        for (status, code, check) in cases {
            let e = classify(*status, *code, "x", None);
            assert!(check(&e), "{status} {code:?} -> {e:?}");
        }
        assert_eq!(
            classify(429, None, "x", Some(Duration::from_secs(7))),
            SendError::Throttled {
                retry_after: Duration::from_secs(7)
            }
        );
    }
}
