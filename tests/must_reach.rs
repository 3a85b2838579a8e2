//! A safeguarding alert reaches a coordinator, or someone finds out at once that it did not;
//! and strangers cannot run up costs, flood the queue or guess invite codes. The real binary,
//! signed Twilio webhooks in, the Twilio fake and the fake Telegram out.

mod support;

use std::time::{Duration, Instant};

use peerline_core::sms::segments;
use support::{
    App, Home, eventually,
    fake_telegram::FakeTelegram,
    fake_twilio::{AUTH_TOKEN, Answer, FakeTwilio, PUBLIC_URL, inbound_sms},
    signed_twilio_post, telegram_env,
};

const WAIT: Duration = Duration::from_secs(20);
const CATH_CHAT: i64 = 900;
const SOL: &str = "+447700900901";
const JO: &str = "+447700900303";
const KIT_CHAT: i64 = 700;

async fn text_in(app: &App, sid: &str, from: &str, body: &str) {
    let status = signed_twilio_post(
        app,
        PUBLIC_URL,
        "/webhooks/twilio/sms",
        AUTH_TOKEN,
        &inbound_sms(sid, from, body),
    )
    .await;
    assert_eq!(status, 200, "webhook for {sid}");
}

/// `words` padded with ordinary words to exactly `chars` characters.
fn long(words: &str, chars: usize) -> String {
    let mut s = words.to_owned();
    while s.chars().count() < chars {
        s.push_str(" and I keep thinking about it");
    }
    let s: String = s.chars().take(chars).collect();
    // Providers trim what people send; so does Peerline.
    format!("{}.", s.trim_end().trim_end_matches('.'))
}

struct Camden {
    home: Home,
    twilio: FakeTwilio,
    telegram: FakeTelegram,
    app: App,
}

/// A service with a coordinator on Telegram (Cath) and one on SMS only (Sol), and mentees
/// Jo (SMS) and Kit (Telegram), all enrolled by their codes.
async fn camden(extra: &[(&'static str, &str)], cath_blocked: bool) -> Camden {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let codes = [
        home.invite("Camden", "coordinator", "Cath", &[]),
        home.invite("Camden", "coordinator", "Sol", &[]),
        home.invite("Camden", "mentee", "Jo", &[]),
        home.invite("Camden", "mentee", "Kit", &[]),
    ];
    let twilio = FakeTwilio::start().await;
    let telegram = FakeTelegram::start().await;
    let mut env = twilio.env();
    env.extend(telegram_env(&telegram));
    env.push(("PEERLINE_SCHEDULER__TICK_SECS", "1".into()));
    env.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let app = App::spawn(&home, &env);
    telegram.send_text(CATH_CHAT, &format!("/start {}", codes[0]));
    text_in(&app, "SMjoin1", SOL, &format!("JOIN {}", codes[1])).await;
    text_in(&app, "SMjoin2", JO, &format!("JOIN {}", codes[2])).await;
    telegram.send_text(KIT_CHAT, &format!("/start {}", codes[3]));
    telegram
        .wait_for_sent(WAIT, "welcomes on Telegram", |calls| {
            calls
                .iter()
                .filter(|c| c.chat_id() == Some(CATH_CHAT) || c.chat_id() == Some(KIT_CHAT))
                .count()
                >= 2
        })
        .await;
    eventually(WAIT, "welcomes by SMS", || async {
        !twilio.delivered_to(SOL).is_empty() && !twilio.delivered_to(JO).is_empty()
    })
    .await;
    if cath_blocked {
        telegram.block(CATH_CHAT);
    }
    Camden {
        home,
        twilio,
        telegram,
        app,
    }
}

fn alerts(bodies: Vec<String>) -> Vec<String> {
    bodies
        .into_iter()
        .filter(|b| b.contains("URGENT safeguarding"))
        .collect()
}

fn telegram_alerts(t: &FakeTelegram, chat: i64) -> Vec<String> {
    alerts(t.sent_to(chat).iter().map(|c| c.text().to_owned()).collect())
}

#[tokio::test]
async fn the_longest_risk_messages_still_alert_coordinators_on_both_channels() {
    let c = camden(&[], false).await;
    // 1,590 characters by SMS: quoted whole, the alert would be over Twilio's 1,600.
    let by_sms = long("I have been saving my pills and I want to kill myself tonight", 1590);
    text_in(&c.app, "SMlong", JO, &by_sms).await;
    eventually(WAIT, "both coordinators alerted about Jo", || async {
        alerts(c.twilio.delivered_to(SOL)).len() == 1 && telegram_alerts(&c.telegram, CATH_CHAT).len() == 1
    })
    .await;
    // 4,090 characters on Telegram: quoted whole, over Telegram's 4,096.
    let on_telegram = long("I want to end it all, I have the rope ready", 4090);
    c.telegram.send_text(KIT_CHAT, &on_telegram);
    eventually(WAIT, "both coordinators alerted about Kit", || async {
        alerts(c.twilio.delivered_to(SOL)).len() == 2 && telegram_alerts(&c.telegram, CATH_CHAT).len() == 2
    })
    .await;

    for alert in alerts(c.twilio.delivered_to(SOL)) {
        assert!(segments(&alert).parts <= 3, "an SMS alert fits 3 segments: {alert}");
        assert!(alert.contains("(full text: /history E"), "{alert}");
        assert!(
            alert.contains("Reply ACK E"),
            "the reference and how to acknowledge stay: {alert}"
        );
    }
    for alert in telegram_alerts(&c.telegram, CATH_CHAT) {
        assert!(
            alert.encode_utf16().count() <= 4096,
            "{} characters",
            alert.chars().count()
        );
        assert!(alert.contains("(full text: /history E"), "{alert}");
    }
    // Nothing Peerline built from their words was refused, and the crisis numbers reached both.
    assert!(
        c.twilio.requests().iter().all(|r| r.status == 201),
        "every SMS accepted"
    );
    assert!(c.twilio.delivered_to(JO).iter().any(|b| b.contains("116 123")));
    assert!(
        c.telegram
            .sent_to(KIT_CHAT)
            .iter()
            .any(|m| m.text().contains("116 123"))
    );
    // The whole text stays in the escalation record.
    let store = c.home.store().await;
    let words: Vec<String> = store
        .escalations(None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.verbatim.unwrap_or_default())
        .collect();
    assert_eq!(words, vec![by_sms, on_telegram]);
}

#[tokio::test]
async fn an_alert_refused_for_its_length_goes_again_in_its_short_form() {
    let c = camden(&[], false).await;
    c.twilio.refuse_next_to(
        SOL,
        Answer::Error {
            status: 400,
            code: 21617,
        },
    );
    text_in(&c.app, "SMrisk", JO, "I want to kill myself").await;
    eventually(WAIT, "Sol's alert in its short form", || async {
        alerts(c.twilio.delivered_to(SOL)).len() == 1
    })
    .await;
    let to_sol: Vec<_> = c
        .twilio
        .requests()
        .into_iter()
        .filter(|r| r.get("To") == Some(SOL) && r.get("Body").is_some_and(|b| b.contains("URGENT")))
        .collect();
    assert_eq!(to_sol.len(), 2, "refused once, then sent");
    assert_eq!(to_sol[0].status, 400);
    let short = to_sol[1].get("Body").unwrap_or_default();
    assert!(short.contains("for Jo. Reply ACK E"), "{short}");
    assert!(!short.contains("kill myself"), "the short form quotes nobody: {short}");
}

#[tokio::test]
async fn an_alert_that_cannot_reach_one_coordinator_is_reported_to_the_others() {
    // Cath's only way in is a Telegram chat that has blocked the bot.
    let c = camden(&[], true).await;
    text_in(&c.app, "SMrisk", JO, "I took all my tablets, I don't want to wake up").await;
    eventually(WAIT, "Sol told that Cath's alert did not get through", || async {
        c.twilio
            .delivered_to(SOL)
            .iter()
            .any(|b| b.contains("could not deliver the safeguarding alert E") && b.contains("to Cath by telegram"))
    })
    .await;
    c.app.wait_for_log("safeguarding message not delivered", WAIT).await;
    // Sol had the alert itself as well.
    assert_eq!(alerts(c.twilio.delivered_to(SOL)).len(), 1);
}

#[tokio::test]
async fn safeguarding_health_degrades_while_no_alert_has_reached_anyone() {
    // One coordinator, whose Telegram has blocked the bot: nobody can be alerted.
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let cath = home.invite("Camden", "coordinator", "Cath", &[]);
    let kit = home.invite("Camden", "mentee", "Kit", &[]);
    let telegram = FakeTelegram::start().await;
    let mut env = telegram_env(&telegram);
    env.push(("PEERLINE_SCHEDULER__TICK_SECS", "1".into()));
    env.push(("PEERLINE_ESCALATION__UNDELIVERED_AFTER_MINUTES", "1".into()));
    let app = App::spawn(&home, &env);
    telegram.send_text(CATH_CHAT, &format!("/start {cath}"));
    telegram.send_text(KIT_CHAT, &format!("/start {kit}"));
    telegram.wait_for_sent(WAIT, "welcomes", |calls| calls.len() >= 2).await;
    let health = || async {
        let r = reqwest::get(app.url("/healthz/safeguarding")).await.expect("health");
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    };
    assert_eq!(health().await.0, 200);
    telegram.block(CATH_CHAT);
    telegram.send_text(KIT_CHAT, "I want to die");
    app.wait_for_log(
        "no safeguarding alert has reached a coordinator",
        Duration::from_secs(90),
    )
    .await;
    let (status, body) = health().await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("degraded: 1 open safeguarding escalation"), "{body}");
    // Cath unblocks the bot and acknowledges: health is good again.
    telegram.unblock(CATH_CHAT);
    let store = home.store().await;
    let reference = store.escalations(None).await.unwrap()[0].reference.clone();
    telegram.send_text(CATH_CHAT, &format!("/ack {reference}"));
    eventually(WAIT, "health good again", || async { health().await.0 == 200 }).await;
}

#[tokio::test]
async fn a_flood_of_strangers_in_crisis_does_not_delay_a_staff_alert() {
    let c = camden(&[("PEERLINE_STRANGERS__DAILY_REPLY_BUDGET", "100000")], false).await;
    let flood = 2000;
    let client_posts: Vec<_> = (0..flood)
        .map(|i| (format!("SMflood{i}"), format!("+4477009{:05}", 10_000 + i)))
        .collect();
    for chunk in client_posts.chunks(32) {
        let posts = chunk
            .iter()
            .map(|(sid, from)| text_in(&c.app, sid, from, "I want to kill myself"));
        futures_join(posts).await;
    }
    let before = c.twilio.requests().len();
    let posted = Instant::now();
    text_in(&c.app, "SMjo", JO, "I can't do this any more, I'm going to end my life").await;
    eventually(Duration::from_secs(60), "Sol's alert", || async {
        !alerts(c.twilio.delivered_to(SOL)).is_empty()
    })
    .await;
    let waited = posted.elapsed();
    let sends = c.twilio.requests();
    let position = sends[before..]
        .iter()
        .position(|r| r.get("To") == Some(SOL) && r.get("Body").is_some_and(|b| b.contains("URGENT")))
        .unwrap_or(usize::MAX);
    let strangers_left = flood
        - sends
            .iter()
            .filter(|r| r.get("Body").is_some_and(|b| b.contains("116 123")) && r.get("To") != Some(JO))
            .count();
    println!(
        "staff alert behind {flood} strangers' crisis replies: sent {position} sends after the mentee's text, {:.2} s; {strangers_left} strangers' replies still queued",
        waited.as_secs_f64()
    );
    assert!(
        position < 10,
        "the alert was send number {position} after the mentee's text"
    );
    assert!(strangers_left > 100, "the flood was still queued when the alert went");
}

/// Await every future, in order (a tiny `join_all`, to keep dev-dependencies as they are).
async fn futures_join<F: std::future::Future<Output = ()>>(futs: impl Iterator<Item = F>) {
    let handles: Vec<_> = futs.collect();
    for f in handles {
        f.await;
    }
}

#[tokio::test]
async fn strangers_get_one_welcome_a_day_and_no_more_than_the_budget() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let twilio = FakeTwilio::start().await;
    let mut env = twilio.env();
    env.push(("PEERLINE_STRANGERS__DAILY_REPLY_BUDGET", "100".into()));
    env.push(("PEERLINE_SMS__RATE_PER_SECOND", "500".into()));
    let app = App::spawn(&home, &env);
    // One stranger writing three times is welcomed once.
    let one = "+447700900500";
    for i in 0..3 {
        text_in(&app, &format!("SMone{i}"), one, "HELP").await;
    }
    // 5,000 strangers' HELPs.
    let flood: Vec<_> = (0..5000)
        .map(|i| (format!("SMhelp{i}"), format!("+4477009{:05}", 20_000 + i)))
        .collect();
    for chunk in flood.chunks(64) {
        futures_join(chunk.iter().map(|(sid, from)| text_in(&app, sid, from, "HELP"))).await;
    }
    let store = home.store().await;
    eventually(Duration::from_secs(60), "the replies sent", || async {
        store.outbox_rows(None).await.unwrap().iter().all(|r| {
            !matches!(
                r.status,
                peerline_core::store::DeliveryStatus::Queued | peerline_core::store::DeliveryStatus::Sending
            )
        })
    })
    .await;
    let sent = twilio.requests().iter().filter(|r| r.status == 201).count();
    println!("replies sent to 5,000 strangers' HELPs (and one stranger's three): {sent}");
    assert_eq!(twilio.delivered_to(one).len(), 1, "one welcome a day");
    assert_eq!(sent, 100, "the day's budget, and not one more");
    let logs = app.logs();
    assert_eq!(
        logs.iter()
            .filter(|l| l.contains("daily budget for replies to unknown senders spent"))
            .count(),
        1,
        "said once, not per message"
    );
}

#[tokio::test]
async fn a_strangers_stop_silences_everything_but_crisis_numbers_until_start() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let twilio = FakeTwilio::start().await;
    let app = App::spawn(&home, &twilio.env());
    let who = "+447700900600";
    text_in(&app, "SMs1", who, "STOP").await;
    text_in(&app, "SMs2", who, "HELP").await;
    text_in(&app, "SMs3", who, "hello?").await;
    text_in(&app, "SMs4", who, "I want to kill myself").await;
    eventually(WAIT, "the crisis reply", || async {
        twilio.delivered_to(who).iter().any(|b| b.contains("You are not alone"))
    })
    .await;
    let got = twilio.delivered_to(who);
    assert_eq!(
        got.len(),
        2,
        "the STOP confirmation and the crisis numbers only: {got:?}"
    );
    assert!(got.iter().any(|b| b.contains("no more messages")), "{got:?}");
    text_in(&app, "SMs5", who, "START").await;
    eventually(WAIT, "a welcome after START", || async {
        twilio.delivered_to(who).len() == 3
    })
    .await;
    assert!(twilio.delivered_to(who)[2].contains("JOIN"));
}

#[tokio::test]
async fn five_wrong_invite_codes_lock_an_address_out_and_its_next_code_is_not_tried() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let code = home.invite("Camden", "mentee", "Jo", &[]);
    let twilio = FakeTwilio::start().await;
    let app = App::spawn(&home, &twilio.env());
    let guesser = "+447700900700";
    for i in 0..5 {
        text_in(&app, &format!("SMg{i}"), guesser, &format!("JOIN ZZZZ{i:04}")).await;
    }
    eventually(WAIT, "five refusals", || async {
        twilio.delivered_to(guesser).len() == 5
    })
    .await;
    // Locked out: even the right code is not tried, and gets no answer.
    text_in(&app, "SMg5", guesser, &format!("JOIN {code}")).await;
    // The code is still unused: Jo can enrol with it.
    text_in(&app, "SMjo", JO, &format!("JOIN {code}")).await;
    eventually(WAIT, "Jo enrolled", || async {
        twilio.delivered_to(JO).iter().any(|b| b.contains("Jo"))
    })
    .await;
    assert_eq!(
        twilio.delivered_to(guesser).len(),
        5,
        "nothing after the fifth wrong code"
    );
    let audit = home.cli_ok(&["audit", "--action", "invite.lockout"]);
    assert!(audit.contains("invite.lockout"), "{audit}");
    assert!(!audit.contains("700700"), "no number in the audit log: {audit}");
    app.wait_for_log("address locked out after wrong invite codes", WAIT)
        .await;
}
