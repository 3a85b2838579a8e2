//! Telegram end to end: the real binary against a fake Bot API server that checks every call
//! against the Bot API spec. Each test reads like what a coordinator or mentor would see.

mod support;

use std::time::{Duration, Instant};

use peerline_core::{
    domain::ChannelKind,
    store::{DeliveryStatus, NewOutbound, Priority},
};
use support::{
    App, Home,
    fake_telegram::{Failure, FakeTelegram},
    telegram_env,
};

const WAIT: Duration = Duration::from_secs(15);

fn setup_service(home: &Home) {
    home.cli_ok(&["service", "add", "--name", "Camden peer mentoring"]);
}

fn no_violations(fake: &FakeTelegram) {
    assert!(
        fake.violations().is_empty(),
        "calls broke the Bot API spec: {:#?}",
        fake.violations()
    );
}

async fn reply_to(fake: &FakeTelegram, chat: i64, n: usize) -> Vec<String> {
    fake.wait_for_sent(WAIT, &format!("{n} messages to chat {chat}"), |s| {
        s.iter().filter(|c| c.chat_id() == Some(chat)).count() >= n
    })
    .await;
    fake.sent_to(chat).iter().map(|c| c.text().to_owned()).collect()
}

#[tokio::test]
async fn enrolment_by_code_welcomes_the_person_and_refuses_bad_codes_neutrally() {
    let home = Home::new();
    setup_service(&home);
    let code = home.invite(
        "Camden peer mentoring",
        "mentor",
        "Sam",
        &["--placement-start", "2026-11-02"],
    );
    let expired = {
        let out = home.cli(
            &[
                "invite",
                "--service",
                "Camden peer mentoring",
                "--role",
                "mentee",
                "--name",
                "Jo",
            ],
            &[("PEERLINE_INVITES__TTL_HOURS", "0")],
        );
        support::code_from(&String::from_utf8_lossy(&out.stdout))
    };
    let fake = FakeTelegram::start().await;
    let _app = App::spawn(&home, &telegram_env(&fake));

    // A stranger says hello: a neutral welcome explaining how to join.
    fake.send_text(500, "hello?");
    let hello = reply_to(&fake, 500, 1).await;
    assert!(hello[0].contains("/start followed by the code"), "{hello:?}");

    // Sam uses the deep link: welcomed by name, told what triggers a flag.
    fake.send_text(101, &format!("/start {code}"));
    let welcome = reply_to(&fake, 101, 1).await;
    assert!(welcome[0].starts_with("Welcome, Sam. You are now connected to Camden peer mentoring as a peer mentor."));
    assert!(welcome[0].contains("wellbeing check-in"), "{welcome:?}");

    // The same code again from another chat, an expired code, and a made-up code: one identical
    // neutral reply each, revealing nothing about who is enrolled.
    fake.send_text(202, &format!("/start {code}"));
    fake.send_text(303, &format!("/start {expired}"));
    fake.send_text(404, "/start ZZZZ2345");
    for chat in [202, 303, 404] {
        reply_to(&fake, chat, 1).await;
    }
    let texts: Vec<String> = [202, 303, 404]
        .iter()
        .map(|c| fake.sent_to(*c)[0].text().to_owned())
        .collect();
    assert!(texts.iter().all(|t| t == &texts[0]), "identical refusals: {texts:#?}");
    assert!(texts[0].contains("That code did not work"), "{texts:?}");
    assert!(!texts[0].contains("Sam") && !texts[0].contains("Jo"));

    // Sam is now active with a Telegram identity.
    let people = home.cli_ok(&["people", "list", "--service", "Camden peer mentoring"]);
    assert!(
        people
            .lines()
            .any(|l| l.contains("Sam") && l.contains("active") && l.contains("telegram")),
        "{people}"
    );
    no_violations(&fake);
}

async fn enrolled(home: &Home, fake: &FakeTelegram, chat: i64, name: &str, role: &str) {
    let code = home.invite(
        "Camden peer mentoring",
        role,
        name,
        &["--placement-start", "2026-11-02"],
    );
    fake.send_text(chat, &format!("/start {code}"));
    reply_to(fake, chat, 1).await;
}

#[tokio::test]
async fn choosing_welsh_changes_the_language_of_the_next_reply() {
    let home = Home::new();
    setup_service(&home);
    let fake = FakeTelegram::start().await;
    let _app = App::spawn(&home, &telegram_env(&fake));
    enrolled(&home, &fake, 101, "Sam", "mentor").await;

    fake.send_text(101, "/language");
    let msgs = reply_to(&fake, 101, 2).await;
    assert_eq!(msgs[1], "Choose your language:");
    let picker = &fake.sent_to(101)[1];
    let buttons = &picker.params["reply_markup"]["inline_keyboard"][0];
    let labels: Vec<&str> = buttons
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["English", "Cymraeg", "Polski"]);

    fake.press(101, 2, "lang:cy");
    let msgs = reply_to(&fake, 101, 3).await;
    assert!(msgs[2].contains("Gymraeg"), "confirmation in Welsh: {msgs:?}");
    // The spinner is stopped once the press is stored.
    let deadline = Instant::now() + WAIT;
    while !fake.calls().iter().any(|c| c.method == "answercallbackquery") {
        assert!(Instant::now() < deadline, "answerCallbackQuery never called");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Sam's own words go to the team; the acknowledgement is in Welsh.
    fake.send_text(101, "what is this");
    let msgs = reply_to(&fake, 101, 4).await;
    assert!(
        msgs[3].starts_with("Diolch am eich neges, Sam."),
        "next reply in Welsh: {:?}",
        msgs[3]
    );

    // Typing works too.
    fake.send_text(101, "/language polski");
    let msgs = reply_to(&fake, 101, 5).await;
    assert!(msgs[4].contains("po polsku"), "{msgs:?}");
    no_violations(&fake);
}

#[tokio::test]
async fn after_stop_nothing_but_the_confirmation_is_sent_until_start() {
    let home = Home::new();
    setup_service(&home);
    let fake = FakeTelegram::start().await;
    let _app = App::spawn(&home, &telegram_env(&fake));
    enrolled(&home, &fake, 101, "Sam", "mentor").await;

    fake.send_text(101, "/stop");
    let msgs = reply_to(&fake, 101, 2).await;
    assert!(
        msgs[1].contains("no more messages") && msgs[1].contains("116 123") && msgs[1].contains("85258"),
        "{msgs:?}"
    );

    // A reminder is queued for Sam: it must never reach Telegram.
    let store = home.store().await;
    let people = store
        .people(store.service_by_name("Camden peer mentoring").await.unwrap().id)
        .await
        .unwrap();
    let sam = people.iter().find(|p| p.display_name == "Sam").unwrap();
    let identity = store.identities_of(sam.id).await.unwrap()[0].id;
    let mut tx = store.begin().await.unwrap();
    let reminder = tx
        .enqueue(
            &NewOutbound {
                person_id: Some(sam.id),
                identity_id: Some(identity),
                ..support::message(
                    ChannelKind::Telegram,
                    "101",
                    Priority::Reminder,
                    "Supervision tomorrow at 10:00",
                )
            },
            0,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Help while opted out gets no answer either; the stop was confirmed once.
    let stored = store.inbox_count().await.unwrap() as usize;
    let queued = support::queued_to(&store, "101").await;
    fake.send_text(101, "/help");
    fake.send_text(101, "/stop");
    let deadline = Instant::now() + WAIT;
    while store.outbox_row(reminder).await.unwrap().status != DeliveryStatus::Skipped {
        assert!(Instant::now() < deadline, "reminder never skipped");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Both handled: any answer they got would be queued by now.
    support::handled(&store, stored + 2).await;
    assert_eq!(
        support::queued_to(&store, "101").await,
        queued,
        "nothing queued for Sam"
    );
    assert_eq!(
        fake.sent_to(101).len(),
        2,
        "{:#?}",
        fake.sent_to(101)
            .iter()
            .map(|c| c.text().to_owned())
            .collect::<Vec<_>>()
    );

    fake.send_text(101, "/start");
    let msgs = reply_to(&fake, 101, 3).await;
    assert!(msgs[2].starts_with("Welcome back"), "{msgs:?}");
    no_violations(&fake);
}

#[tokio::test]
async fn every_update_is_handled_exactly_once_across_replays_and_a_hard_restart() {
    let home = Home::new();
    setup_service(&home);
    let fake = FakeTelegram::start().await;
    let mut env = telegram_env(&fake);
    // A message that was mid-send at the kill is re-sent once its lease expires.
    env.push(("PEERLINE_DELIVERY__LEASE_SECS", "2".into()));
    let mut app = App::spawn(&home, &env);
    // Strangers each send one message; each must be handled once and get a reply.
    let chats: Vec<i64> = (1000..1040).collect();
    for &chat in &chats[..20] {
        fake.send_text(chat, "hello");
    }
    fake.wait_for_sent(WAIT, "the first replies", |s| s.len() >= 5).await;
    // kill -9 mid-stream, queue more (and redeliveries of old updates), then restart.
    app.kill_hard();
    let store = home.store().await;
    let mid_send = store
        .outbox_rows(None)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.status == DeliveryStatus::Sending)
        .count();
    let last = chats[20..]
        .iter()
        .map(|&chat| fake.send_text(chat, "hello"))
        .max()
        .unwrap();
    fake.replay(1);
    fake.replay(2);
    let _app = App::spawn(&home, &env);
    fake.wait_for_sent(WAIT, "a reply to every chat", |s| {
        chats.iter().all(|c| s.iter().any(|m| m.chat_id() == Some(*c)))
    })
    .await;
    // Everything, replays included, handled; and every queued reply sent (a message that was
    // mid-send at the kill is re-sent once its lease expires).
    fake.wait_acknowledged(last, WAIT).await;
    support::eventually(WAIT, "every reply to be sent", || async {
        store
            .outbox_rows(None)
            .await
            .unwrap()
            .iter()
            .all(|r| matches!(r.status, DeliveryStatus::Sent | DeliveryStatus::Delivered))
    })
    .await;

    // Every update stored and handled once: one inbox row and one reply queued per chat.
    assert_eq!(store.inbox_count().await.unwrap(), 40);
    assert_eq!(store.outbox_rows(None).await.unwrap().len(), 40);
    // On the wire, only a message that was mid-send at the kill may arrive twice.
    let duplicates: usize = chats.iter().map(|c| fake.sent_to(*c).len().saturating_sub(1)).sum();
    println!("restart: {mid_send} message(s) mid-send at the kill, {duplicates} duplicate(s) on the wire");
    assert!(
        duplicates <= mid_send,
        "{duplicates} duplicates but only {mid_send} were mid-send"
    );
    no_violations(&fake);
}

#[tokio::test]
async fn a_429_storm_is_waited_out_exactly_and_everything_arrives() {
    let home = Home::new();
    setup_service(&home);
    let fake = FakeTelegram::start().await;
    let _app = App::spawn(&home, &telegram_env(&fake));
    fake.fail_next(3, Failure::TooManyRequests { retry_after: 1 });
    for chat in 2000..2010 {
        fake.send_text(chat, "hi");
    }
    fake.wait_for_sent(WAIT, "a reply to all ten", |s| s.len() >= 10).await;
    let calls: Vec<_> = fake.calls().into_iter().filter(|c| c.method == "sendmessage").collect();
    let throttled: Vec<_> = calls.iter().filter(|c| c.status == 429).collect();
    assert_eq!(throttled.len(), 3);
    // After each 429, nothing more went to that chat until retry_after had passed, and the
    // first retry came no earlier than retry_after after the first 429.
    for t in &throttled {
        let next = calls
            .iter()
            .find(|c| c.chat_id() == t.chat_id() && c.at > t.at)
            .expect("retried");
        assert!(
            next.at.duration_since(t.at) >= Duration::from_millis(990),
            "retry after {:?}",
            next.at.duration_since(t.at)
        );
    }
    let first_429 = throttled[0].at;
    let later_success = calls
        .iter()
        .filter(|c| c.status == 200 && c.at > first_429)
        .map(|c| c.at)
        .min()
        .unwrap();
    assert!(later_success.duration_since(first_429) >= Duration::from_millis(990));
    no_violations(&fake);
}

#[tokio::test]
async fn server_errors_are_retried_and_a_blocked_chat_is_marked_unreachable() {
    let home = Home::new();
    setup_service(&home);
    let fake = FakeTelegram::start().await;
    let _app = App::spawn(&home, &telegram_env(&fake));
    enrolled(&home, &fake, 101, "Sam", "mentor").await;

    fake.fail_next(2, Failure::ServerError);
    fake.send_text(101, "/help");
    let msgs = reply_to(&fake, 101, 2).await;
    assert!(msgs[1].starts_with("Peerline for peer mentors"), "{msgs:?}");

    fake.block(101);
    fake.send_text(101, "/help");
    let store = home.store().await;
    let deadline = Instant::now() + WAIT;
    loop {
        let rows = store.outbox_rows(None).await.unwrap();
        if let Some(last) = rows.last().filter(|r| r.status == DeliveryStatus::Failed) {
            assert!(last.last_error.as_deref().unwrap_or_default().contains("blocked"));
            assert_eq!(last.attempts, 1, "a blocked chat is not retried");
            break;
        }
        assert!(Instant::now() < deadline, "never marked failed: {rows:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let people = home.cli_ok(&["people", "list", "--service", "Camden peer mentoring"]);
    assert!(people.contains("telegram (unreachable)"), "{people}");
    no_violations(&fake);
}

#[tokio::test]
async fn delivery_never_exceeds_one_per_second_per_chat_or_thirty_per_second_overall() {
    let home = Home::new();
    setup_service(&home);
    let fake = FakeTelegram::start().await;
    let _app = App::spawn(&home, &telegram_env(&fake));

    // 500 check-ins to 50 chats, queued at once.
    let store = home.store().await;
    let mut tx = store.begin().await.unwrap();
    for i in 0..500 {
        let chat = 3000 + (i % 50);
        tx.enqueue(
            &support::message(
                ChannelKind::Telegram,
                &chat.to_string(),
                Priority::Checkin,
                &format!("check-in {i}"),
            ),
            0,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let sent = fake
        .wait_for_sent(Duration::from_secs(60), "500 messages", |s| s.len() >= 500)
        .await;
    let times: Vec<Instant> = sent.iter().map(|c| c.at).collect();
    let elapsed = times[499].duration_since(times[0]);
    let rate = 499.0 / elapsed.as_secs_f64();

    // Overall: no 31 messages inside one second (20 ms allowed for network jitter).
    let global_violations = times
        .windows(31)
        .filter(|w| w[30].duration_since(w[0]) < Duration::from_millis(980))
        .count();
    // Per chat: at least a second apart, and in the order they were queued.
    let mut chat_violations = 0;
    for chat in 3000..3050 {
        let to_chat: Vec<_> = sent.iter().filter(|c| c.chat_id() == Some(chat)).collect();
        assert_eq!(to_chat.len(), 10);
        chat_violations += to_chat
            .windows(2)
            .filter(|w| w[1].at.duration_since(w[0].at) < Duration::from_millis(980))
            .count();
        let order: Vec<u32> = to_chat
            .iter()
            .map(|c| c.text().trim_start_matches("check-in ").parse().unwrap())
            .collect();
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "chat {chat} out of order: {order:?}"
        );
    }
    println!(
        "delivery: 500 messages to 50 chats in {:.2}s = {rate:.1} msg/s (limit 30/s); global violations {global_violations}, per-chat violations {chat_violations}",
        elapsed.as_secs_f64()
    );
    assert_eq!(global_violations, 0);
    assert_eq!(chat_violations, 0);
    assert!(rate > 25.0, "achieved {rate:.1} msg/s, far under the 30/s limit");
    no_violations(&fake);
}

// Multi-threaded: in webhook mode serve asks the fake Telegram for setWebhook before it
// listens, while App::spawn blocks this thread waiting for it to listen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_stores_before_answering_and_refuses_forgeries() {
    let home = Home::new();
    setup_service(&home);
    let fake = FakeTelegram::start().await;
    let mut env = telegram_env(&fake);
    env.push(("PEERLINE_TELEGRAM__MODE", "webhook".into()));
    env.push((
        "PEERLINE_TELEGRAM__WEBHOOK_URL",
        "https://peerline.example.org/webhooks/telegram".into(),
    ));
    env.push(("PEERLINE_TELEGRAM__SECRET_TOKEN", "s3cret-Token_value".into()));
    env.push(("PEERLINE_HTTP__MAX_BODY_BYTES", "4096".into()));
    let app = App::spawn(&home, &env);
    app.wait_for_log("Telegram webhook registered", WAIT).await;
    assert_eq!(
        fake.webhook(),
        Some((
            "https://peerline.example.org/webhooks/telegram".into(),
            Some("s3cret-Token_value".into())
        ))
    );
    let client = reqwest::Client::new();
    let post = |secret: Option<&'static str>, body: String| {
        let mut req = client
            .post(app.url("/webhooks/telegram"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(s) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        req.send()
    };
    let update = FakeTelegram::text_update(9001, 777, "hello").to_string();
    assert_eq!(post(None, update.clone()).await.unwrap().status(), 401);
    assert_eq!(post(Some("wrong"), update.clone()).await.unwrap().status(), 401);
    assert_eq!(
        post(Some("s3cret-Token_valuE"), update.clone()).await.unwrap().status(),
        401
    );
    let store = home.store().await;
    assert_eq!(
        store.inbox_count().await.unwrap(),
        0,
        "nothing stored from forged requests"
    );

    assert_eq!(
        post(Some("s3cret-Token_value"), "{not json".into())
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        post(Some("s3cret-Token_value"), "{\"hello\":1}".into())
            .await
            .unwrap()
            .status(),
        400
    );
    let huge = FakeTelegram::text_update(9002, 777, &"x".repeat(10_000)).to_string();
    assert_eq!(post(Some("s3cret-Token_value"), huge).await.unwrap().status(), 413);
    assert_eq!(store.inbox_count().await.unwrap(), 0);

    // The genuine update: stored by the time 200 comes back, and answered once even if
    // Telegram delivers it twice.
    let resp = post(Some("s3cret-Token_value"), update.clone()).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(store.inbox_count().await.unwrap(), 1);
    assert_eq!(post(Some("s3cret-Token_value"), update).await.unwrap().status(), 200);
    let msgs = reply_to(&fake, 777, 1).await;
    assert!(msgs[0].contains("/start followed by the code"));
    // Both webhooks were handled before they were answered: one reply is all there is.
    assert_eq!(support::queued_to(&store, "777").await, 1);
    assert_eq!(fake.sent_to(777).len(), 1);
    assert_eq!(store.inbox_count().await.unwrap(), 1);
    assert!(
        app.logs().iter().all(|l| !l.contains(support::fake_telegram::TOKEN)),
        "the bot token is never logged"
    );
    no_violations(&fake);
}

#[tokio::test]
async fn the_fake_refuses_calls_that_break_the_spec() {
    let fake = FakeTelegram::start().await;
    if !fake.checks_spec() {
        return; // announced loudly by the fake; CI fails instead of getting here
    }
    let client = reqwest::Client::new();
    let url = format!("{}/bot{}/sendMessage", fake.url, support::fake_telegram::TOKEN);
    let missing_text = client
        .post(&url)
        .json(&serde_json::json!({ "chat_id": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_text.status(), 400);
    let unknown_param = client
        .post(&url)
        .json(&serde_json::json!({ "chat_id": 1, "text": "x", "colour": "red" }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_param.status(), 400);
    let bad_keyboard = client
        .post(&url)
        .json(&serde_json::json!({ "chat_id": 1, "text": "x", "reply_markup": { "inline_keyboard": [[{ "label": "x" }]] } }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_keyboard.status(), 400);
    assert_eq!(fake.violations().len(), 3, "{:#?}", fake.violations());
}

/// The newest message to `chat` whose text starts with `prefix`, once there is one.
async fn message_starting(fake: &FakeTelegram, chat: i64, prefix: &str) -> support::fake_telegram::Call {
    fake.wait_for_sent(WAIT, &format!("{prefix:?} to chat {chat}"), |s| {
        s.iter()
            .any(|c| c.chat_id() == Some(chat) && c.text().starts_with(prefix))
    })
    .await;
    fake.sent_to(chat)
        .into_iter()
        .rev()
        .find(|c| c.text().starts_with(prefix))
        .unwrap()
}

/// A message's buttons, row by row flattened: (label, data).
fn buttons(call: &support::fake_telegram::Call) -> Vec<(String, String)> {
    call.params["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter())
        .map(|b| {
            (
                b["text"].as_str().unwrap().to_owned(),
                b["callback_data"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_coordinator_books_supervision_with_buttons_then_says_where() {
    let home = Home::new();
    setup_service(&home);
    let fake = FakeTelegram::start().await;
    let _app = App::spawn(&home, &telegram_env(&fake));
    enrolled(&home, &fake, 900, "Chris", "coordinator").await;
    enrolled(&home, &fake, 101, "Sam", "mentor").await;
    enrolled(&home, &fake, 102, "Alex", "mentor").await;

    // Mentors cannot book.
    fake.send_text(101, "/supervision");
    message_starting(&fake, 101, "Sorry, you can't do that from this account.").await;

    // Whom: every active mentor by name, and the group.
    fake.send_text(900, "/supervision");
    let whom = buttons(&message_starting(&fake, 900, "Book supervision: with whom?").await);
    let labels: Vec<&str> = whom.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(labels, ["Alex", "Sam", "Group (all mentors)"]);
    let sam = &whom[1].1;
    // Part of a name narrows it down.
    fake.send_text(900, "/supervision sa");
    fake.wait_for_sent(WAIT, "the narrowed list", |s| {
        s.iter()
            .filter(|c| c.chat_id() == Some(900) && c.text().starts_with("Book supervision"))
            .count()
            == 2
    })
    .await;
    let narrowed = buttons(&message_starting(&fake, 900, "Book supervision: with whom?").await);
    let labels: Vec<&str> = narrowed.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(labels, ["Sam", "Group (all mentors)"]);

    // Which day: the service's next ten working days (Monday to Friday), from tomorrow.
    fake.press(900, 2, sam);
    let days = buttons(&message_starting(&fake, 900, "Supervision with Sam: which day?").await);
    assert_eq!(days.len(), 10, "{days:?}");
    assert!(
        days.iter().all(|d| !d.0.starts_with("Sat") && !d.0.starts_with("Sun")),
        "{days:?}"
    );
    let (day, day_data) = days[1].clone();

    // What time: on the hour, 09:00 to 16:00 (the service closes at 17:00).
    fake.press(900, 3, &day_data);
    let times = buttons(&message_starting(&fake, 900, &format!("Supervision with Sam on {day}: what time?")).await);
    let labels: Vec<&str> = times.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(
        labels,
        ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]
    );
    let at_three = &times[6].1;
    fake.press(900, 4, at_three);
    let booked = message_starting(&fake, 900, "Booked: 1:1 supervision with Sam").await;
    assert_eq!(
        booked.text(),
        format!(
            "Booked: 1:1 supervision with Sam on {day}, 15:00. Reminders go out 48 hours and 2 hours before. \
             To add a room or video link, send it now."
        )
    );
    // A second tap books nothing more.
    fake.press(900, 4, at_three);
    message_starting(&fake, 900, &format!("Sam is already booked for {day}, 15:00.")).await;

    // Where: the next thing Chris types.
    fake.send_text(900, "Room 2, Camden Road");
    message_starting(
        &fake,
        900,
        &format!("Added: supervision on {day}, 15:00 is at Room 2, Camden Road."),
    )
    .await;
    let list = home.cli_ok(&["supervision", "list", "--service", "Camden peer mentoring"]);
    let booked: Vec<&str> = list
        .lines()
        .filter(|l| l.contains("15:00") && l.contains("\tSam\t"))
        .collect();
    assert_eq!(booked.len(), 1, "{list}");
    assert!(
        booked[0].contains("one-to-one") && booked[0].contains("Room 2, Camden Road"),
        "{list}"
    );
    no_violations(&fake);
}

#[tokio::test]
async fn an_edit_that_adds_risk_words_is_answered_and_escalated_but_an_edit_is_never_a_command() {
    let home = Home::new();
    setup_service(&home);
    let fake = FakeTelegram::start().await;
    let app = App::spawn(&home, &telegram_env(&fake));
    enrolled(&home, &fake, 900, "Cath", "coordinator").await;
    enrolled(&home, &fake, 700, "Kit", "mentee").await;
    assert!(
        fake.allowed_updates()
            .is_some_and(|kinds| kinds.iter().any(|k| k == "edited_message")),
        "Peerline asks Telegram for edits: {:?}",
        fake.allowed_updates()
    );

    // Kit sent "rough day" earlier, then edits it to say more.
    fake.edit_text(700, 41, "rough day. honestly I want to kill myself");
    let to_kit = reply_to(&fake, 700, 2).await;
    assert!(to_kit[1].contains("116 123"), "crisis numbers at once: {}", to_kit[1]);
    let to_cath = reply_to(&fake, 900, 2).await;
    assert!(to_cath[1].contains("URGENT safeguarding"), "{}", to_cath[1]);

    // An edit to STOP opts no one out and is not answered; the next real message is.
    fake.edit_text(700, 41, "STOP");
    fake.send_text(700, "HELP");
    let to_kit = reply_to(&fake, 700, 3).await;
    assert_eq!(
        to_kit.len(),
        3,
        "only the answer to HELP after the crisis reply: {to_kit:#?}"
    );
    assert!(
        to_kit[2].starts_with("Peerline: /callback"),
        "the answer to HELP: {to_kit:#?}"
    );
    let people = home.cli_ok(&["people", "list", "--service", "Camden peer mentoring"]);
    assert!(!people.contains("opted"), "an edit to STOP opts no one out: {people}");
    drop(app);
    no_violations(&fake);
}

// Multi-threaded for webhook mode, as above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_peerline_does_not_decode_is_acknowledged_and_skipped_and_the_next_is_handled() {
    let home = Home::new();
    setup_service(&home);
    let fake = FakeTelegram::start().await;
    let mut env = telegram_env(&fake);
    env.push(("PEERLINE_TELEGRAM__MODE", "webhook".into()));
    env.push((
        "PEERLINE_TELEGRAM__WEBHOOK_URL",
        "https://peerline.example.org/webhooks/telegram".into(),
    ));
    env.push(("PEERLINE_TELEGRAM__SECRET_TOKEN", "s3cret-Token_value".into()));
    let app = App::spawn(&home, &env);
    app.wait_for_log("Telegram webhook registered", WAIT).await;
    // Until the bot knows who it is, updates are answered 503 (Telegram retries them).
    app.wait_for_log("connected to Telegram", WAIT).await;
    let client = reqwest::Client::new();
    let post = |body: String| {
        client
            .post(app.url("/webhooks/telegram"))
            .header("content-type", "application/json")
            .header("X-Telegram-Bot-Api-Secret-Token", "s3cret-Token_value")
            .body(body)
            .send()
    };
    // A reaction in a channel: valid per the Bot API (neither `user` nor `actor_chat` is
    // required), and one that teloxide-core's decoder unwraps on.
    let reaction = serde_json::json!({
        "update_id": 9100,
        "message_reaction": {
            "chat": { "id": -100123, "type": "channel", "title": "News" },
            "message_id": 5,
            "date": 1_790_000_000,
            "old_reaction": [],
            "new_reaction": [{ "type": "emoji", "emoji": "\u{1F44D}" }]
        }
    });
    // A message whose shape teloxide does not accept (no chat).
    let shapeless = serde_json::json!({
        "update_id": 9101,
        "message": { "message_id": 6, "date": 1_790_000_000, "text": "hello" }
    });
    for update in [reaction, shapeless] {
        let status = post(update.to_string()).await.expect("post").status();
        assert_eq!(
            status, 200,
            "acknowledged so Telegram does not resend it forever: {update}"
        );
    }
    let next = FakeTelegram::text_update(9102, 777, "hello").to_string();
    assert_eq!(post(next).await.expect("post").status(), 200);
    let msgs = reply_to(&fake, 777, 1).await;
    assert!(msgs[0].contains("/start followed by the code"), "{}", msgs[0]);
    assert!(
        app.logs().iter().all(|l| !l.contains("panicked")),
        "no panic: {:#?}",
        app.logs()
    );
    no_violations(&fake);
}

#[tokio::test]
async fn the_fake_polls_as_telegram_does_one_poller_and_only_the_kinds_asked_for() {
    let fake = FakeTelegram::start().await;
    let client = reqwest::Client::new();
    let url = format!("{}/bot{}/getUpdates", fake.url, support::fake_telegram::TOKEN);
    let poll = |params: serde_json::Value| client.post(&url).json(&params).send();
    let reaction = serde_json::json!({ "message_reaction": {
        "chat": { "id": 5, "type": "private", "first_name": "T" }, "message_id": 1, "date": 1_790_000_000,
        "user": { "id": 5, "is_bot": false, "first_name": "T" }, "old_reaction": [], "new_reaction": []
    }});
    fake.push_raw(reaction);
    fake.send_text(5, "hi");
    // Telegram's default leaves reactions out.
    let body: serde_json::Value = poll(serde_json::json!({ "offset": 0, "timeout": 0 }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<bool> = body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.get("message").is_some())
        .collect();
    assert_eq!(kinds, vec![true], "{body}");
    // Asked for by name, they come; the list is remembered for the next call.
    let body: serde_json::Value = poll(serde_json::json!({ "offset": 0, "allowed_updates": ["message_reaction"] }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["result"].as_array().unwrap().len(), 1, "{body}");
    assert!(body["result"][0].get("message_reaction").is_some());
    // A second poller while one waits is told 409.
    let waiting = poll(serde_json::json!({ "offset": 100, "timeout": 2 }));
    let second = async {
        while fake.pollers() == 0 {
            tokio::task::yield_now().await;
        }
        poll(serde_json::json!({ "offset": 100, "timeout": 0 })).await
    };
    let (first, second) = tokio::join!(waiting, second);
    assert_eq!(first.unwrap().status(), 200);
    assert_eq!(second.unwrap().status(), 409);
}
