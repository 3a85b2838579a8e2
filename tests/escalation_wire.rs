//! A risk text on the wire, end to end through the real binary: the sender's crisis reply goes
//! out first, and when the coordinator's Telegram refuses (blocked bot, 403) or is down (5xx)
//! the alert reaches their phone by SMS instead.

mod support;

use std::time::Duration;

use peerline_core::{domain::ChannelKind, store::DeliveryStatus};
use support::{
    App, Home, eventually,
    fake_telegram::{Failure, FakeTelegram},
    fake_twilio::{AUTH_TOKEN, FakeTwilio},
    telegram_env,
};

const PUBLIC: &str = "https://peerline.example.org";
const WAIT: Duration = Duration::from_secs(15);

/// Camden with Chris (coordinator: a phone on file, and Telegram linked) and Jo (mentee, by
/// SMS), the real binary running against both fakes.
async fn rig() -> (Home, App, FakeTelegram, FakeTwilio) {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    // Chris has a phone on file (import) and links Telegram with the code the import printed.
    std::fs::write(
        home.path().join("staff.csv"),
        "name,role,phone\nChris,coordinator,07700 900900\nJo,mentee,07700 900303\n",
    )
    .unwrap();
    let out = home.cli_ok(&["import", "--service", "Camden", "staff.csv"]);
    let chris_code = out
        .lines()
        .find(|l| l.contains("Chris"))
        .and_then(|l| l.split_whitespace().last())
        .unwrap()
        .to_owned();

    let tg = FakeTelegram::start().await;
    let twilio = FakeTwilio::start().await;
    let mut env = telegram_env(&tg);
    env.extend(twilio.env());
    let app = App::spawn(&home, &env);
    tg.send_text(900, &format!("/start {chris_code}"));
    tg.wait_for_sent(WAIT, "Chris's welcome", |s| s.iter().any(|m| m.chat_id() == Some(900)))
        .await;

    (home, app, tg, twilio)
}

/// Jo texts risk words by SMS; the webhook accepts it.
async fn jo_texts_risk_words(app: &App) {
    let params: Vec<(String, String)> = [
        ("MessageSid", "SMrisk1"),
        ("From", "+447700900303"),
        ("To", "+447700900000"),
        ("Body", "I took too many pills and I want to die"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let sig =
        peerline_bot::sms::twilio::signature::compute(AUTH_TOKEN, &format!("{PUBLIC}/webhooks/twilio/sms"), &params);
    let resp = reqwest::Client::new()
        .post(app.url("/webhooks/twilio/sms"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", sig)
        .body(serde_urlencoded::to_string(&params).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_risk_text_gets_crisis_numbers_and_the_alert_falls_back_to_sms_when_telegram_refuses() {
    let (home, app, tg, twilio) = rig().await;
    // Chris blocks the bot; then Jo texts.
    tg.block(900);
    jo_texts_risk_words(&app).await;

    eventually(WAIT, "the alert to reach Chris's phone", || async {
        !twilio.delivered_to("+447700900900").is_empty()
    })
    .await;
    let to_jo = twilio.delivered_to("+447700900303");
    assert!(
        to_jo[0].contains("116 123") && to_jo[0].contains("FRANK"),
        "crisis reply: {to_jo:?}"
    );
    let to_chris = twilio.delivered_to("+447700900900");
    assert!(
        to_chris[0].starts_with("URGENT safeguarding") && to_chris[0].contains("Reply ACK"),
        "{to_chris:?}"
    );
    // On the SMS wire, Jo's crisis reply went before the coordinator's fallback alert.
    let order: Vec<String> = twilio
        .requests()
        .iter()
        .filter_map(|r| r.get("To").map(str::to_owned))
        .collect();
    let jo_at = order.iter().position(|t| t == "+447700900303").unwrap();
    let chris_at = order.iter().position(|t| t == "+447700900900").unwrap();
    assert!(jo_at < chris_at, "{order:?}");
    let people = home.cli_ok(&["people", "list", "--service", "Camden"]);
    assert!(
        people
            .lines()
            .any(|l| l.contains("Chris") && l.contains("telegram (unreachable)")),
        "{people}"
    );
}

#[tokio::test]
async fn when_telegram_is_down_the_alert_goes_by_sms_at_once_instead_of_waiting() {
    let (home, app, tg, twilio) = rig().await;
    // Telegram answers every call with a server error; Jo texts.
    tg.set_outage(Some(Failure::ServerError));
    jo_texts_risk_words(&app).await;

    eventually(
        WAIT,
        "the alert to reach Chris's phone while Telegram is down",
        || async {
            twilio
                .delivered_to("+447700900900")
                .iter()
                .any(|m| m.starts_with("URGENT safeguarding"))
        },
    )
    .await;
    app.wait_for_log("provider down: sent by another channel instead", WAIT)
        .await;
    // Telegram recovers: the alert is not sent twice, and Chris's Telegram was never marked
    // unreachable (it was the provider, not Chris).
    tg.set_outage(None);
    // Every Telegram message to Chris settled (the alert itself skipped: it went by SMS), so
    // none of them can still go out.
    let store = home.store().await;
    eventually(WAIT, "Chris's Telegram messages to settle", || async {
        let rows = store.outbox_rows(None).await.unwrap();
        let to_chris: Vec<_> = rows
            .iter()
            .filter(|r| r.channel == ChannelKind::Telegram && r.address == "900")
            .collect();
        !to_chris.is_empty()
            && to_chris
                .iter()
                .all(|r| !matches!(r.status, DeliveryStatus::Queued | DeliveryStatus::Sending))
    })
    .await;
    assert!(
        !tg.sent_to(900)
            .iter()
            .any(|m| m.text().starts_with("URGENT safeguarding")),
        "the alert went once, by SMS"
    );
    let people = home.cli_ok(&["people", "list", "--service", "Camden"]);
    assert!(
        people
            .lines()
            .any(|l| l.contains("Chris") && l.contains("telegram") && !l.contains("unreachable")),
        "{people}"
    );
}
