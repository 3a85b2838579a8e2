//! Self-test of the Twilio contract harness (`support::prism`), independent of Peerline's code:
//! Prism serving Twilio's OpenAPI spec with `--errors` accepts a well-formed Messages create and
//! rejects requests that break the spec, with the statuses asserted here.

mod support;

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::Value;
use support::prism::{ACCOUNT_SID, AUTH_TOKEN, Prism};

const TO: &str = "+447700900123";
const FROM: &str = "+447700900000";
const BODY: &str = "Diolch! ŵ ł 😀";
const STATUS_CALLBACK: &str = "https://peerline.example.org/webhooks/twilio/status";

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("reqwest client")
}

/// POST form `params` to the Messages resource with basic auth; returns status, content type and body.
async fn create(prism: &Prism, params: &[(&str, &str)]) -> (StatusCode, String, String) {
    let resp = client()
        .post(prism.messages_url())
        .basic_auth(ACCOUNT_SID, Some(AUTH_TOKEN))
        .form(params)
        .send()
        .await
        .expect("POST Messages.json");
    read(resp).await
}

async fn read(resp: reqwest::Response) -> (StatusCode, String, String) {
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, resp.text().await.expect("response body"))
}

#[tokio::test]
async fn prism_accepts_a_well_formed_message_create() {
    let Some(prism) = Prism::start().await else { return };
    eprintln!("Prism started in {:?}", prism.started_in);

    let (status, content_type, body) = create(
        &prism,
        &[
            ("To", TO),
            ("From", FROM),
            ("Body", BODY),
            ("StatusCallback", STATUS_CALLBACK),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "body: {body}\nPrism log:\n{}", prism.log());
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type}"
    );
    let message: Value = serde_json::from_str(&body).expect("Message JSON");
    // Prism answers with the spec's example Message, whatever was sent.
    let sid = message["sid"].as_str().unwrap_or_else(|| panic!("no sid in {message}"));
    assert!(
        sid.len() == 34 && sid.starts_with("SM") && sid[2..].chars().all(|c| c.is_ascii_hexdigit()),
        "sid {sid}"
    );
    assert_eq!(message["status"], "queued", "{message}");
    assert!(
        prism
            .wait_for_log("The request passed the validation rules", Duration::from_secs(5))
            .await,
        "Prism log:\n{}",
        prism.log()
    );
    assert!(!prism.log().contains("✖"), "Prism logged an error:\n{}", prism.log());
}

#[tokio::test]
async fn prism_rejects_requests_that_break_the_spec() {
    let Some(prism) = Prism::start().await else { return };

    // `To` is the one required parameter of Message create: 422 with the violation.
    let (status, content_type, body) = create(&prism, &[("From", FROM), ("Body", BODY)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "body: {body}");
    assert_eq!(content_type, "application/problem+json");
    let problem: Value = serde_json::from_str(&body).expect("problem JSON");
    assert_eq!(problem["status"], 422, "{problem}");
    assert_eq!(
        problem["validation"][0]["message"], "Request body must have required property 'To'",
        "{problem}"
    );
    assert!(
        prism
            .wait_for_log("Request body must have required property 'To'", Duration::from_secs(5))
            .await,
        "the violation is not in Prism's log:\n{}",
        prism.log()
    );

    // A parameter of the wrong format (`StatusCallback` must be a URI): 422.
    let (status, _, body) = create(&prism, &[("To", TO), ("Body", BODY), ("StatusCallback", "not a url")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "body: {body}");
    assert!(body.contains("StatusCallback must match format"), "body: {body}");

    // JSON instead of a form: 415.
    let resp = client()
        .post(prism.messages_url())
        .basic_auth(ACCOUNT_SID, Some(AUTH_TOKEN))
        .json(&serde_json::json!({"To": TO, "From": FROM, "Body": BODY}))
        .send()
        .await
        .expect("POST JSON");
    let (status, _, body) = read(resp).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "body: {body}");
    assert!(body.contains("application/x-www-form-urlencoded"), "body: {body}");

    // No basic auth: 401.
    let resp = client()
        .post(prism.messages_url())
        .form(&[("To", TO), ("From", FROM), ("Body", BODY)])
        .send()
        .await
        .expect("POST without auth");
    let (status, _, body) = read(resp).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "body: {body}");

    // An Account SID that is not `AC` + 32 hex digits: 422.
    let resp = client()
        .post(format!("{}/2010-04-01/Accounts/AC123/Messages.json", prism.url))
        .basic_auth("AC123", Some(AUTH_TOKEN))
        .form(&[("To", TO), ("Body", BODY)])
        .send()
        .await
        .expect("POST with a bad SID");
    let (status, _, body) = read(resp).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "body: {body}");

    // Not a path of the spec (`.json` missing): 404.
    let resp = client()
        .post(format!("{}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages", prism.url))
        .basic_auth(ACCOUNT_SID, Some(AUTH_TOKEN))
        .form(&[("To", TO), ("Body", BODY)])
        .send()
        .await
        .expect("POST without .json");
    let (status, _, body) = read(resp).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "body: {body}");

    // The harness's limits: the spec allows unknown parameters and doesn't require Body or From
    // (real Twilio answers 400 with its own error codes), so Prism accepts these.
    let (status, _, body) = create(&prism, &[("To", TO), ("From", FROM), ("Body", BODY), ("Bogus", "1")]).await;
    assert_eq!(status, StatusCode::CREATED, "an unknown parameter; body: {body}");
    let (status, _, body) = create(&prism, &[("To", TO)]).await;
    assert_eq!(status, StatusCode::CREATED, "no Body, no From; body: {body}");
}
