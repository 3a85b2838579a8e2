//! Every message a person sends reaches a human: the real binary, signed Twilio webhooks and
//! the fake Telegram. A mentee's own words and a voice note are acknowledged once, land in the
//! coordinator's `/inbox`, and the coordinator's answer (a Telegram reply, or `/reply REF`)
//! reaches the mentee on their own channel with the coordinator's name and no number.

mod support;

use std::time::Duration;

use support::{
    App, Home, eventually,
    fake_telegram::FakeTelegram,
    fake_twilio::{AUTH_TOKEN, FakeTwilio, PUBLIC_URL, inbound_sms},
    signed_twilio_post, telegram_env,
};

const WAIT: Duration = Duration::from_secs(20);
const CATH: i64 = 900;
const BEA: i64 = 950;
const KIT: i64 = 700;
const JO: &str = "+447700900303";

async fn text_in(app: &App, sid: &str, body: &str) {
    let params = inbound_sms(sid, JO, body);
    let status = signed_twilio_post(app, PUBLIC_URL, "/webhooks/twilio/sms", AUTH_TOKEN, &params).await;
    assert_eq!(status, 200, "webhook for {sid}");
}

struct Camden {
    home: Home,
    twilio: FakeTwilio,
    telegram: FakeTelegram,
    app: App,
}

/// Camden (coordinator Cath on Telegram, mentees Jo by SMS and Kit on Telegram) and Brent
/// (coordinator Bea), everyone joined; Camden's hours are `hours`.
async fn camden(hours: &str) -> Camden {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    home.cli_ok(&["service", "add", "--name", "Brent"]);
    home.cli_ok(&[
        "service",
        "set",
        "--name",
        "Camden",
        "--working-days",
        "Mon-Sun",
        "--working-hours",
        hours,
    ]);
    let cath = home.invite("Camden", "coordinator", "Cath", &[]);
    let jo = home.invite("Camden", "mentee", "Jo", &[]);
    let kit = home.invite("Camden", "mentee", "Kit", &[]);
    let bea = home.invite("Brent", "coordinator", "Bea", &[]);
    let twilio = FakeTwilio::start().await;
    let telegram = FakeTelegram::start().await;
    let mut env = twilio.env();
    env.extend(telegram_env(&telegram));
    env.push(("PEERLINE_SCHEDULER__TICK_SECS", "1".into()));
    let app = App::spawn(&home, &env);
    telegram.send_text(CATH, &format!("/start {cath}"));
    telegram.send_text(KIT, &format!("/start {kit}"));
    telegram.send_text(BEA, &format!("/start {bea}"));
    text_in(&app, "SMjoin", &format!("JOIN {jo}")).await;
    for chat in [CATH, KIT, BEA] {
        telegram
            .wait_for_sent(WAIT, "welcome", |calls| calls.iter().any(|c| c.chat_id() == Some(chat)))
            .await;
    }
    eventually(WAIT, "Jo's welcome", || async { !twilio.delivered_to(JO).is_empty() }).await;
    Camden {
        home,
        twilio,
        telegram,
        app,
    }
}

fn texts(t: &FakeTelegram, chat: i64) -> Vec<String> {
    t.sent_to(chat).iter().map(|c| c.text().to_owned()).collect()
}

/// Wait until `chat` has `n` messages; return them all.
async fn wait_texts(t: &FakeTelegram, chat: i64, n: usize) -> Vec<String> {
    t.wait_for_sent(WAIT, &format!("{n} messages to {chat}"), |calls| {
        calls.iter().filter(|c| c.chat_id() == Some(chat)).count() >= n
    })
    .await;
    texts(t, chat)
}

#[tokio::test]
async fn a_mentees_own_words_and_voice_note_reach_the_coordinator_who_answers_by_reply() {
    let c = camden("00:00-23:59").await;
    let cath_before = c.telegram.sent_to(CATH).len();
    let kit_before = c.telegram.sent_to(KIT).len();

    // Kit's voice note; then Jo's own words, and four more in a burst.
    c.telegram.send_voice(KIT, 42);
    let to_kit = wait_texts(&c.telegram, KIT, kit_before + 1).await;
    assert!(
        to_kit.last().unwrap().starts_with("Thanks for your message, Kit."),
        "{to_kit:#?}"
    );
    text_in(&c.app, "SMw1", "I feel a bit low today and my mentor hasn't called").await;
    for n in 2..=5 {
        text_in(&c.app, &format!("SMw{n}"), &format!("still here, message {n}")).await;
    }
    eventually(WAIT, "Jo's acknowledgement", || async {
        c.twilio
            .delivered_to(JO)
            .iter()
            .any(|b| b.starts_with("Thanks for your message, Jo."))
    })
    .await;

    // Cath looks: six unanswered, the oldest five listed one by one; no number anywhere.
    c.telegram.send_text(CATH, "/inbox");
    let to_cath = wait_texts(&c.telegram, CATH, cath_before + 7).await;
    let new = &to_cath[cath_before..];
    let notices: Vec<&String> = new
        .iter()
        .filter(|t| t.contains("waiting for a reply at Camden"))
        .collect();
    assert_eq!(notices.len(), 1, "one notice for the burst: {new:#?}");
    let header = new.iter().find(|t| t.starts_with("Unanswered: 6")).expect("the header");
    assert!(header.contains("oldest 5"), "{header}");
    let items: Vec<&String> = new
        .iter()
        .filter(|t| t.contains("- Jo (sms)") || t.contains("- Kit (telegram)"))
        .collect();
    assert_eq!(items.len(), 5, "{new:#?}");
    assert!(
        items[0].contains("- Kit (telegram)") && items[0].contains("Voice note (42 s)"),
        "{}",
        items[0]
    );
    assert!(
        items[1].contains("\"I feel a bit low today and my mentor hasn't called\""),
        "{}",
        items[1]
    );
    assert!(
        c.telegram.calls().iter().all(|call| call.method != "copymessage"),
        "media is not copied unless privacy.forward_media is on"
    );
    assert!(
        new.iter().all(|t| !t.contains("7700") && !t.contains("+44")),
        "no number: {new:#?}"
    );
    // The burst got one acknowledgement, not five.
    let acks = c
        .twilio
        .delivered_to(JO)
        .iter()
        .filter(|b| b.starts_with("Thanks for your message"))
        .count();
    assert_eq!(acks, 1);
    assert!(
        c.twilio
            .delivered_to(JO)
            .iter()
            .all(|b| !b.contains("did not understand")),
        "{:#?}",
        c.twilio.delivered_to(JO)
    );

    // Another service's coordinator sees nothing and cannot answer.
    let jo_ref = items[1].split(' ').next().unwrap().to_owned();
    let bea_before = c.telegram.sent_to(BEA).len();
    c.telegram.send_text(BEA, "/inbox");
    c.telegram.send_text(BEA, &format!("/reply {jo_ref} hello from Brent"));
    let to_bea = wait_texts(&c.telegram, BEA, bea_before + 2).await;
    assert_eq!(to_bea[bea_before], "No unanswered messages.");
    assert!(to_bea[bea_before + 1].starts_with(&format!("There is no unanswered message {jo_ref}")));

    // Cath answers Jo by replying to the listed message in Telegram.
    let item_call = c
        .telegram
        .sent_to(CATH)
        .into_iter()
        .find(|call| call.text().starts_with(&jo_ref))
        .expect("Jo's item");
    let jo_before = c.twilio.delivered_to(JO).len();
    c.telegram.send_reply(
        CATH,
        item_call.message_id.expect("sent id"),
        "Hi Jo, I'll ring you at 3.",
    );
    eventually(WAIT, "Cath's answer to reach Jo by SMS", || async {
        c.twilio.delivered_to(JO).len() > jo_before
    })
    .await;
    let answer = c.twilio.delivered_to(JO).last().cloned().unwrap();
    assert_eq!(answer, "Hi Jo, I'll ring you at 3. - Cath, Camden");

    // And Kit with /reply.
    let kit_ref = new
        .iter()
        .find(|t| t.contains("- Kit (telegram)"))
        .and_then(|t| t.split(' ').next())
        .expect("Kit's item")
        .to_owned();
    assert!(new.iter().any(|t| t.contains("Voice note (42 s)")), "{new:#?}");
    let kit_before = c.telegram.sent_to(KIT).len();
    c.telegram.send_text(
        CATH,
        &format!("/reply {kit_ref} Thanks Kit, lovely to hear your voice."),
    );
    let to_kit = wait_texts(&c.telegram, KIT, kit_before + 1).await;
    assert_eq!(
        to_kit.last().unwrap(),
        "Thanks Kit, lovely to hear your voice.\n- Cath, Camden"
    );

    // Both threads answered: the inbox is empty; every view and reply is audited.
    c.telegram
        .wait_for_sent(WAIT, "Cath told her replies were sent", |calls| {
            let to_cath: Vec<_> = calls.iter().filter(|c| c.chat_id() == Some(CATH)).collect();
            to_cath.iter().any(|c| c.text() == "Sent to Jo.") && to_cath.iter().any(|c| c.text() == "Sent to Kit.")
        })
        .await;
    let cath_before = c.telegram.sent_to(CATH).len();
    c.telegram.send_text(CATH, "/inbox");
    let to_cath = wait_texts(&c.telegram, CATH, cath_before + 1).await;
    assert_eq!(to_cath.last().unwrap(), "No unanswered messages.");
    let audit = c.home.cli_ok(&["audit", "--action", "inbox"]);
    assert!(audit.contains("inbox.view") && audit.contains("inbox.reply"), "{audit}");
    assert!(!audit.contains("7700"), "{audit}");
    assert!(c.telegram.violations().is_empty(), "{:#?}", c.telegram.violations());
}

#[tokio::test]
async fn an_opted_out_mentees_message_still_reaches_the_inbox_but_no_reply_is_sent() {
    let c = camden("00:00-23:59").await;
    text_in(&c.app, "SMstop", "STOP").await;
    eventually(WAIT, "the STOP confirmation", || async {
        c.twilio.delivered_to(JO).len() >= 2
    })
    .await;
    let jo_before = c.twilio.delivered_to(JO).len();
    text_in(&c.app, "SMafter", "are you still there").await;
    let cath_before = c.telegram.sent_to(CATH).len();
    c.telegram.send_text(CATH, "/inbox");
    // The notice, the header and the one item.
    let to_cath = wait_texts(&c.telegram, CATH, cath_before + 3).await;
    let item = to_cath
        .iter()
        .find(|t| t.contains("\"are you still there\""))
        .expect("Jo's message is in the inbox")
        .clone();
    let reference = item.split(' ').next().unwrap().to_owned();
    let cath_before = c.telegram.sent_to(CATH).len();
    c.telegram.send_text(CATH, &format!("/reply {reference} Hi Jo"));
    let to_cath = wait_texts(&c.telegram, CATH, cath_before + 1).await;
    assert!(
        to_cath
            .last()
            .unwrap()
            .starts_with("Jo has stopped messages from Peerline, so your reply was not sent."),
        "{to_cath:#?}"
    );
    assert_eq!(
        c.twilio.delivered_to(JO).len(),
        jo_before,
        "nothing sent to Jo after STOP"
    );
}

#[tokio::test]
async fn out_of_hours_the_acknowledgement_says_when_and_gives_the_crisis_lines() {
    // Open one minute a day: closed whenever this runs (bar a minute after midnight).
    let c = camden("00:00-00:01").await;
    text_in(&c.app, "SMnight", "cant sleep again, just wanted to tell someone").await;
    eventually(WAIT, "the acknowledgement", || async {
        c.twilio
            .delivered_to(JO)
            .iter()
            .any(|b| b.starts_with("Thanks for your message"))
    })
    .await;
    let ack = c
        .twilio
        .delivered_to(JO)
        .into_iter()
        .find(|b| b.starts_with("Thanks for your message"))
        .unwrap();
    assert!(
        ack.contains("The office is closed now; someone will read it from"),
        "{ack}"
    );
    assert!(ack.contains("116 123") && ack.contains("999"), "{ack}");
}

#[tokio::test]
async fn a_polish_crisis_reply_by_sms_is_folded_to_gsm7_and_stays_within_three_segments() {
    let c = camden("00:00-23:59").await;
    let code = c.home.invite("Camden", "mentee", "Ania", &["--language", "pl"]);
    let ania = "+447700900404";
    let send = |sid: &'static str, body: String| {
        let params = inbound_sms(sid, ania, &body);
        let app = &c.app;
        async move { signed_twilio_post(app, PUBLIC_URL, "/webhooks/twilio/sms", AUTH_TOKEN, &params).await }
    };
    assert_eq!(send("SMania1", format!("JOIN {code}")).await, 200);
    assert_eq!(send("SMania2", "chcę się zabić".to_owned()).await, 200);
    eventually(WAIT, "Ania's crisis reply", || async {
        c.twilio.delivered_to(ania).iter().any(|b| b.contains("116 123"))
    })
    .await;
    let reply = c
        .twilio
        .delivered_to(ania)
        .into_iter()
        .find(|b| b.contains("116 123"))
        .unwrap();
    let seg = peerline_core::sms::segments(&reply);
    assert!(seg.gsm7, "folded to GSM-7 on the way out: {reply}");
    assert!(seg.parts <= 3, "{} segments: {reply}", seg.parts);
    assert!(reply.contains("Jesli jestes") && reply.contains("112"), "{reply}");
}

#[tokio::test]
async fn with_forward_media_on_a_coordinator_listing_the_inbox_gets_the_voice_note_itself() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let cath = home.invite("Camden", "coordinator", "Cath", &[]);
    let kit = home.invite("Camden", "mentee", "Kit", &[]);
    let telegram = FakeTelegram::start().await;
    let mut env = telegram_env(&telegram);
    env.push(("PEERLINE_PRIVACY__FORWARD_MEDIA", "true".into()));
    let _app = App::spawn(&home, &env);
    telegram.send_text(CATH, &format!("/start {cath}"));
    telegram.send_text(KIT, &format!("/start {kit}"));
    wait_texts(&telegram, KIT, 1).await;
    wait_texts(&telegram, CATH, 1).await;
    let voice = telegram.send_voice(KIT, 17);
    wait_texts(&telegram, KIT, 2).await;
    telegram.send_text(CATH, "/inbox");
    eventually(WAIT, "copyMessage to Cath", || async {
        telegram
            .calls()
            .iter()
            .any(|c| c.method == "copymessage" && c.status == 200)
    })
    .await;
    let copy = telegram
        .calls()
        .into_iter()
        .find(|c| c.method == "copymessage")
        .unwrap();
    assert_eq!(copy.params["chat_id"], CATH);
    assert_eq!(copy.params["from_chat_id"], KIT);
    assert_eq!(copy.params["message_id"], voice, "the voice note itself");
    assert!(telegram.violations().is_empty(), "{:#?}", telegram.violations());
}
