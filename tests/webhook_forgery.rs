//! Every inbound route against forged and malformed requests, as one table: wrong or missing
//! secrets, tokens and signatures are refused; oversized, truncated, mistyped and non-UTF-8
//! bodies get a 4xx; nothing is stored; the process never panics and keeps serving.

mod support;

use std::time::Duration;

use peerline_bot::sms::twilio::signature;
use support::{App, Home, fake_telegram::FakeTelegram, telegram_env};

const SECRET: &str = "s3cret-Token_value";
const AUTH_TOKEN: &str = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
const PUBLIC: &str = "https://peerline.example.org";
const KANNEL_TOKEN: &str = "kannel-inbound-token-42";
const MAX_BODY: usize = 4096;

struct Case {
    what: String,
    path: String,
    /// GET with this query when `Some` and no body.
    method: reqwest::Method,
    content_type: Option<&'static str>,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    want: u16,
}

fn case(what: &str, path: &str, content_type: Option<&'static str>, body: impl Into<Vec<u8>>, want: u16) -> Case {
    Case {
        what: what.to_owned(),
        path: path.to_owned(),
        method: reqwest::Method::POST,
        content_type,
        headers: Vec::new(),
        body: body.into(),
        want,
    }
}

impl Case {
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn get(mut self) -> Self {
        self.method = reqwest::Method::GET;
        self
    }
}

fn form(params: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(params).unwrap()
}

fn sign(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let owned: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
    signature::compute(token, url, &owned)
}

fn telegram_cases() -> Vec<Case> {
    let path = "/webhooks/telegram";
    let json = Some("application/json");
    let update = FakeTelegram::text_update(9001, 777, "hello").to_string();
    let mut big = update.clone();
    big.insert_str(1, &format!("\"padding\":\"{}\",", "x".repeat(MAX_BODY)));
    let mut not_utf8 = update.clone().into_bytes();
    let at = not_utf8.len() - 10;
    not_utf8[at] = 0xff;
    vec![
        case("telegram: no secret", path, json, update.clone(), 401),
        case("telegram: wrong secret", path, json, update.clone(), 401)
            .header("x-telegram-bot-api-secret-token", "nope"),
        case("telegram: secret one character off", path, json, update.clone(), 401)
            .header("x-telegram-bot-api-secret-token", "s3cret-Token_valuE"),
        case("telegram: secret's prefix only", path, json, update.clone(), 401)
            .header("x-telegram-bot-api-secret-token", &SECRET[..6]),
        case("telegram: secret with a suffix", path, json, update.clone(), 401)
            .header("x-telegram-bot-api-secret-token", format!("{SECRET}x")),
        case(
            "telegram: wrong content type",
            path,
            Some("text/plain"),
            update.clone(),
            415,
        )
        .header("x-telegram-bot-api-secret-token", SECRET),
        case("telegram: no content type", path, None, update.clone(), 415)
            .header("x-telegram-bot-api-secret-token", SECRET),
        case("telegram: truncated JSON", path, json, &update[..update.len() / 2], 400)
            .header("x-telegram-bot-api-secret-token", SECRET),
        case("telegram: empty body", path, json, "", 400).header("x-telegram-bot-api-secret-token", SECRET),
        case("telegram: invalid UTF-8", path, json, not_utf8, 400).header("x-telegram-bot-api-secret-token", SECRET),
        case("telegram: JSON but not an update", path, json, "[1,2,3]", 400)
            .header("x-telegram-bot-api-secret-token", SECRET),
        case("telegram: oversized", path, json, big, 413).header("x-telegram-bot-api-secret-token", SECRET),
    ]
}

fn twilio_cases() -> Vec<Case> {
    let ct = Some("application/x-www-form-urlencoded");
    let mut cases = Vec::new();
    for (route, params) in [
        (
            "/webhooks/twilio/sms",
            vec![
                ("MessageSid", "SMforged1"),
                ("From", "+447700900303"),
                ("To", "+447700900000"),
                ("Body", "hello"),
            ],
        ),
        (
            "/webhooks/twilio/status",
            vec![("MessageSid", "SMforged2"), ("MessageStatus", "delivered")],
        ),
    ] {
        let url = format!("{PUBLIC}{route}");
        let good = sign(AUTH_TOKEN, &url, &params);
        let body = form(&params);
        let name = |what: &str| format!("twilio {route}: {what}");
        let other_route = if route.ends_with("sms") {
            "/webhooks/twilio/status"
        } else {
            "/webhooks/twilio/sms"
        };
        let mut tampered = params.clone();
        tampered[0].1 = "SMtampered";
        let mut extra = params.clone();
        extra.push(("NumMedia", "1"));
        let mut missing = params.clone();
        missing.remove(1);
        let mut big = params.clone();
        let padding = "x".repeat(MAX_BODY);
        big.push(("Padding", &padding));
        let truncated = &body[..body.len() - 3];
        let mut not_utf8 = body.clone().into_bytes();
        not_utf8.extend_from_slice(b"&Extra=%FF%FE");
        let mut lossy = params.clone();
        lossy.push(("Extra", "\u{fffd}\u{fffd}"));
        let lossy_signature = sign(AUTH_TOKEN, &url, &lossy);
        // The signature sorts every pair, so it covers both values; a handler reads one.
        let mut repeated = params.clone();
        repeated.push((params[1].0, "+447700900999"));
        cases.extend([
            case(&name("a name given twice, signed"), route, ct, form(&repeated), 400)
                .header("x-twilio-signature", sign(AUTH_TOKEN, &url, &repeated)),
            case(&name("signed for another port"), route, ct, body.clone(), 403).header(
                "x-twilio-signature",
                sign(AUTH_TOKEN, &url.replace(".org/", ".org:8443/"), &params),
            ),
            case(&name("no signature"), route, ct, body.clone(), 403),
            case(&name("garbage signature"), route, ct, body.clone(), 403).header("x-twilio-signature", "AAAA"),
            case(&name("signed for another URL"), route, ct, body.clone(), 403).header(
                "x-twilio-signature",
                sign(AUTH_TOKEN, &format!("{PUBLIC}{other_route}"), &params),
            ),
            case(&name("signed with another auth token"), route, ct, body.clone(), 403)
                .header("x-twilio-signature", sign("not-the-token", &url, &params)),
            case(&name("a signed field changed"), route, ct, form(&tampered), 403).header("x-twilio-signature", &good),
            case(&name("a field added after signing"), route, ct, form(&extra), 403)
                .header("x-twilio-signature", &good),
            case(&name("truncated"), route, ct, truncated, 403).header("x-twilio-signature", &good),
            case(
                &name("signed but a required field missing"),
                route,
                ct,
                form(&missing),
                400,
            )
            .header("x-twilio-signature", sign(AUTH_TOKEN, &url, &missing)),
            case(
                &name("wrong content type"),
                route,
                Some("application/json"),
                body.clone(),
                415,
            )
            .header("x-twilio-signature", &good),
            // Signed over what a lenient decoder would make of the bytes: still refused.
            case(&name("invalid UTF-8"), route, ct, not_utf8, 400).header("x-twilio-signature", &lossy_signature),
            case(&name("oversized"), route, ct, form(&big), 413)
                .header("x-twilio-signature", sign(AUTH_TOKEN, &url, &big)),
        ]);
    }
    cases
}

fn kannel_cases() -> Vec<Case> {
    let mo = |query: &str| format!("/webhooks/kannel/mo?{query}");
    let dlr = |query: &str| format!("/webhooks/kannel/dlr?{query}");
    let t = KANNEL_TOKEN;
    let ct = Some("application/x-www-form-urlencoded");
    let off_by_one = format!("{}X", &t[..t.len() - 1]);
    let padding = "x".repeat(MAX_BODY);
    vec![
        case(
            "kannel mo: no token",
            &mo("from=%2B447700900001&text=hi&id=k1"),
            None,
            "",
            403,
        )
        .get(),
        case(
            "kannel mo: wrong token",
            &mo("token=nope&from=%2B447700900001&text=hi&id=k1"),
            None,
            "",
            403,
        )
        .get(),
        case(
            "kannel mo: token one character off",
            &mo(&format!("token={off_by_one}&from=%2B447700900001&text=hi&id=k1")),
            None,
            "",
            403,
        )
        .get(),
        case(
            "kannel mo: token twice, the second right",
            &mo(&format!("token=nope&token={t}&from=%2B447700900001&text=hi&id=k1")),
            None,
            "",
            403,
        )
        .get(),
        case(
            "kannel mo: sender not UTF-8",
            &mo(&format!("token={t}&from=%2B4477%FF&text=hi&id=k2")),
            None,
            "",
            400,
        )
        .get(),
        case(
            "kannel mo: id not UTF-8",
            &mo(&format!("token={t}&from=%2B447700900001&text=hi&id=%FE")),
            None,
            "",
            400,
        )
        .get(),
        case(
            "kannel mo: truncated (no id)",
            &mo(&format!("token={t}&from=%2B447700900001&te")),
            None,
            "",
            400,
        )
        .get(),
        case(
            "kannel mo: POST with a JSON body",
            &mo(&format!("token={t}")),
            Some("application/json"),
            "{\"from\":\"+447700900001\",\"id\":\"k3\"}",
            415,
        ),
        case(
            "kannel mo: oversized POST",
            "/webhooks/kannel/mo",
            ct,
            form(&[
                ("token", t),
                ("from", "+447700900001"),
                ("id", "k4"),
                ("text", &padding),
            ]),
            413,
        ),
        case("kannel dlr: no token", &dlr("id=1&status=1"), None, "", 403).get(),
        case(
            "kannel dlr: wrong token",
            &dlr("token=nope&id=1&status=1"),
            None,
            "",
            403,
        )
        .get(),
        case(
            "kannel dlr: id not a number",
            &dlr(&format!("token={t}&id=abc&status=1")),
            None,
            "",
            400,
        )
        .get(),
        case(
            "kannel dlr: truncated (no status)",
            &dlr(&format!("token={t}&id=1")),
            None,
            "",
            400,
        )
        .get(),
        case(
            "kannel dlr: POST with a JSON body",
            &dlr(&format!("token={t}")),
            Some("application/json"),
            "{\"id\":1}",
            415,
        ),
    ]
}

async fn run(app: &App, cases: Vec<Case>) -> Vec<String> {
    let client = reqwest::Client::new();
    let mut wrong = Vec::new();
    for c in cases {
        let mut req = client.request(c.method.clone(), app.url(&c.path));
        if let Some(ct) = c.content_type {
            req = req.header("content-type", ct);
        }
        for (k, v) in &c.headers {
            req = req.header(*k, v);
        }
        if !c.body.is_empty() {
            req = req.body(c.body.clone());
        }
        match req.send().await {
            Ok(r) if r.status().as_u16() == c.want => {}
            Ok(r) => wrong.push(format!("{}: want {}, got {}", c.what, c.want, r.status())),
            // A server may close the connection on an oversized body; that is a refusal too,
            // but only when the answer should have been 413.
            Err(e) if c.want == 413 && (e.is_request() || e.is_body()) => {}
            Err(e) => wrong.push(format!("{}: request failed: {e}", c.what)),
        }
    }
    wrong
}

/// Every case gets its expected answer, nothing is stored or queued, and the app still serves
/// without having panicked.
async fn refuses_all(home: &Home, app: &App, cases: Vec<Case>) {
    let total = cases.len();
    let wrong = run(app, cases).await;
    assert!(
        wrong.is_empty(),
        "{} of {total} cases wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_untouched(home, app).await;
}

async fn assert_untouched(home: &Home, app: &App) {
    let store = home.store().await;
    assert_eq!(
        store.inbox_count().await.unwrap(),
        0,
        "nothing stored from refused requests"
    );
    assert!(store.outbox_rows(None).await.unwrap().is_empty(), "nothing queued");
    let health = reqwest::get(app.url("/healthz")).await.unwrap().status();
    assert_eq!(health, 200, "still serving");
    let logs = app.logs();
    assert!(!logs.iter().any(|l| l.contains("panicked")), "{logs:#?}");
}

// Multi-threaded: in webhook mode serve asks the fake Telegram for setWebhook before it
// listens, while App::spawn blocks this thread waiting for it to listen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_and_twilio_routes_refuse_forged_and_malformed_requests() {
    let home = Home::new();
    let fake = FakeTelegram::start().await;
    let mut env = telegram_env(&fake);
    env.extend([
        ("PEERLINE_TELEGRAM__MODE", "webhook".to_owned()),
        ("PEERLINE_TELEGRAM__WEBHOOK_URL", format!("{PUBLIC}/webhooks/telegram")),
        ("PEERLINE_TELEGRAM__SECRET_TOKEN", SECRET.to_owned()),
        ("PEERLINE_HTTP__MAX_BODY_BYTES", MAX_BODY.to_string()),
        ("PEERLINE_SMS__PROVIDER", "twilio".to_owned()),
        (
            "PEERLINE_SMS__TWILIO__ACCOUNT_SID",
            "AC00000000000000000000000000000000".to_owned(),
        ),
        ("PEERLINE_SMS__TWILIO__AUTH_TOKEN", AUTH_TOKEN.to_owned()),
        ("PEERLINE_SMS__TWILIO__FROM", "+447700900000".to_owned()),
        ("PEERLINE_SMS__TWILIO__API_BASE", "http://127.0.0.1:9".to_owned()),
        ("PEERLINE_SMS__TWILIO__PUBLIC_URL", PUBLIC.to_owned()),
    ]);
    let app = App::spawn(&home, &env);
    app.wait_for_log("Telegram webhook registered", Duration::from_secs(20))
        .await;
    let mut cases = telegram_cases();
    cases.extend(twilio_cases());
    refuses_all(&home, &app, cases).await;
}

#[tokio::test]
async fn kannel_routes_refuse_forged_and_malformed_requests() {
    let home = Home::new();
    let env = [
        ("PEERLINE_HTTP__MAX_BODY_BYTES", MAX_BODY.to_string()),
        ("PEERLINE_SMS__PROVIDER", "kannel".to_owned()),
        (
            "PEERLINE_SMS__KANNEL__SENDSMS_URL",
            "http://127.0.0.1:9/cgi-bin/sendsms".to_owned(),
        ),
        ("PEERLINE_SMS__KANNEL__USERNAME", "peerline".to_owned()),
        ("PEERLINE_SMS__KANNEL__PASSWORD", "secret".to_owned()),
        ("PEERLINE_SMS__KANNEL__FROM", "60001".to_owned()),
        ("PEERLINE_SMS__KANNEL__INBOUND_TOKEN", KANNEL_TOKEN.to_owned()),
        ("PEERLINE_SMS__KANNEL__PUBLIC_URL", "http://127.0.0.1:1".to_owned()),
    ];
    let app = App::spawn(&home, &env);
    refuses_all(&home, &app, kannel_cases()).await;

    // A text whose bytes are not what its charset says is still the person's message: it is
    // kept, with the undecodable bytes replaced, rather than refused and lost.
    let url = app.url(&format!(
        "/webhooks/kannel/mo?token={KANNEL_TOKEN}&from=%2B447700900001&id=k9&charset=UTF-8&coding=0&text=help+me+%FF"
    ));
    assert_eq!(reqwest::get(url).await.unwrap().status(), 200);
    let inbox = home.store().await.inbox_rows(10).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].body.as_deref(), Some("help me \u{fffd}"));
}
