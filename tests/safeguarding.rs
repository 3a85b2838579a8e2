//! Safeguarding: what happens, and when, after someone writes that they are at risk.

mod support;

use chrono::Duration;
use peerline_bot::InboundPayload;
use peerline_core::Clock;
use peerline_core::{
    clock::{from_millis, to_millis},
    domain::{ChannelKind, Role},
    store::{DeliveryStatus, NewOutbound, Priority},
};
use support::world::{World, utc};

fn text(t: &str) -> InboundPayload {
    InboundPayload::Text(t.into())
}

/// Monday 2 November 2026, 11:00 London: inside working hours.
const WORKING: &str = "2026-11-02T11:00:00Z";

async fn staffed() -> World {
    let w = World::new(WORKING).await;
    w.enrol("Chris", Role::Coordinator, None, ChannelKind::Telegram, "900")
        .await;
    w.enrol("Dee", Role::Deputy, None, ChannelKind::Telegram, "901").await;
    w
}

#[tokio::test]
async fn risk_words_by_sms_get_crisis_numbers_ahead_of_everything_and_alert_the_coordinator_at_once() {
    let w = staffed().await;
    let jo = w
        .enrol("Jo", Role::Mentee, None, ChannelKind::Sms, "+447700900303")
        .await;
    // A bulk send is already queued for Jo.
    let mut tx = w.store.begin().await.unwrap();
    for i in 0..3 {
        tx.enqueue(
            &NewOutbound {
                person_id: Some(jo),
                ..support::message(
                    ChannelKind::Sms,
                    "+447700900303",
                    Priority::Checkin,
                    &format!("bulk {i}"),
                )
            },
            0,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    w.say(
        ChannelKind::Sms,
        "+447700900303",
        text("i cant go on, i want to kill myself tonight"),
    )
    .await;

    // Crisis reply: the first message Jo's phone gets, before the queued bulk.
    let first = w
        .store
        .claim_due(
            ChannelKind::Sms,
            to_millis(w.clock.now()),
            to_millis(w.clock.now()) + 60_000,
            1,
        )
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].priority, Priority::Safeguarding);
    for number in ["999", "116 123", "85258", "111"] {
        assert!(first[0].body.contains(number), "{number} in {}", first[0].body);
    }
    assert!(first[0].body.contains("We have told your coordinator"));
    // The coordinator's alert was written in the same transaction: it is already queued.
    let alerts = w
        .store
        .outbox_rows(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "escalation-alert")
        .collect::<Vec<_>>();
    assert_eq!(alerts.len(), 1, "coordinator only, not yet the deputy");
    assert_eq!(alerts[0].address, "900");
    assert_eq!(alerts[0].priority, Priority::Safeguarding);
    assert!(
        alerts[0].body.contains("Jo") && alerts[0].body.contains("kill myself"),
        "verbatim: {}",
        alerts[0].body
    );
    let esc = &w.store.escalations(None).await.unwrap()[0];
    assert_eq!((esc.status.as_str(), esc.source.as_str()), ("open", "risk-language"));
    assert!(esc.categories.contains("suicide"), "{}", esc.categories);
    assert!(alerts[0].body.contains(&esc.reference));
}

#[tokio::test]
async fn an_unacknowledged_alert_comes_back_every_ten_minutes_and_reaches_the_deputy_at_thirty() {
    let w = staffed().await;
    w.enrol("Jo", Role::Mentee, None, ChannelKind::Sms, "+447700900303")
        .await;
    let t0 = w.clock.now();
    w.say(ChannelKind::Sms, "+447700900303", text("I took too many pills"))
        .await;
    let scheduler = w.scheduler();
    w.run_until(&scheduler, t0 + Duration::minutes(35), Duration::minutes(1))
        .await;
    let alerts = w
        .store
        .outbox_rows(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "escalation-alert")
        .collect::<Vec<_>>();
    let at = |addr: &str| -> Vec<i64> {
        alerts
            .iter()
            .filter(|r| r.address == addr)
            .map(|r| (from_millis(r.created_at) - t0).num_minutes())
            .collect()
    };
    assert_eq!(at("900"), [0, 10, 20, 30], "coordinator");
    assert_eq!(at("901"), [30], "deputy joins at 30 minutes");
    assert!(
        alerts
            .iter()
            .skip(1)
            .all(|r| r.body.starts_with("STILL NOT ACKNOWLEDGED"))
    );
    // The crisis reply mentions FRANK for an overdose.
    let reply = w.last_to("+447700900303").await;
    assert!(
        reply.body.contains("FRANK") && reply.body.contains("0300 123 6600"),
        "{}",
        reply.body
    );

    // Chris taps Acknowledge: no more alerts.
    let esc = w.store.escalations(None).await.unwrap()[0].clone();
    w.say(
        ChannelKind::Telegram,
        "900",
        InboundPayload::Button(format!("esc-ack:{}", esc.id)),
    )
    .await;
    assert!(
        w.last_to("900")
            .await
            .body
            .starts_with(&format!("Acknowledged {}", esc.reference))
    );
    w.run_until(&scheduler, t0 + Duration::minutes(70), Duration::minutes(1))
        .await;
    let after = w
        .store
        .outbox_rows(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "escalation-alert")
        .count();
    assert_eq!(after, alerts.len());
    // Resolve with a note, then the history shows the whole timeline.
    w.say(
        ChannelKind::Telegram,
        "900",
        text(&format!(
            "/resolve {} spoke to Jo, safe with family",
            esc.reference.to_lowercase()
        )),
    )
    .await;
    assert!(w.last_to("900").await.body.starts_with("Resolved"));
    w.say(
        ChannelKind::Telegram,
        "900",
        text(&format!("/history {}", esc.reference)),
    )
    .await;
    let history = w.last_to("900").await.body;
    for kind in [
        "opened",
        "alerted",
        "reprompted",
        "deputy-alerted",
        "acknowledged",
        "resolved",
    ] {
        assert!(history.contains(kind), "{kind} in {history}");
    }
    let stored = w.store.escalations(None).await.unwrap()[0].clone();
    assert_eq!(stored.status.as_str(), "resolved");
    assert_eq!(stored.outcome.as_deref(), Some("spoke to Jo, safe with family"));
    // Which rule flagged it is recorded, and coordinators see it in the history.
    let first_rule = stored.risk_rules.split("; ").next().unwrap_or_default();
    assert!(
        first_rule.starts_with("phrase:") || first_rule.starts_with("rule:"),
        "{stored:?}"
    );
    assert!(
        history.contains(&format!("Flagged by: {}", stored.risk_rules)),
        "{history}"
    );
}

#[tokio::test]
async fn only_coordinators_of_that_service_can_see_or_act_on_its_alerts() {
    let w = staffed().await;
    w.enrol("Jo", Role::Mentee, None, ChannelKind::Sms, "+447700900303")
        .await;
    let other = w
        .store
        .add_service("Hackney", chrono_tz::Europe::London, to_millis(w.clock.now()))
        .await
        .unwrap();
    w.enrol_at(&other, "Olu", Role::Coordinator, None, ChannelKind::Telegram, "950")
        .await;
    w.enrol("Sam", Role::Mentor, Some("2026-06-01"), ChannelKind::Telegram, "101")
        .await;
    w.say(ChannelKind::Sms, "+447700900303", text("he hits me and im scared"))
        .await;
    let esc = w.store.escalations(None).await.unwrap()[0].clone();
    assert!(
        w.last_to("+447700900303").await.body.contains("0808 2000 247"),
        "domestic abuse helpline"
    );

    // Another service's coordinator: neither the list nor the reference reveal anything.
    w.say(ChannelKind::Telegram, "950", text("/escalations")).await;
    assert_eq!(w.last_to("950").await.body, "No open alerts.");
    w.say(ChannelKind::Telegram, "950", text(&format!("/ack {}", esc.reference)))
        .await;
    assert!(w.last_to("950").await.body.starts_with("There is no open alert"));
    w.say(
        ChannelKind::Telegram,
        "950",
        InboundPayload::Button(format!("esc-ack:{}", esc.id)),
    )
    .await;
    assert_eq!(w.store.escalations(None).await.unwrap()[0].status.as_str(), "open");
    // A mentor: a neutral refusal, audited.
    w.say(ChannelKind::Telegram, "101", text("/escalations")).await;
    assert_eq!(
        w.last_to("101").await.body,
        "Sorry, you can't do that from this account."
    );
    let audit = w.audit().await;
    assert!(audit.iter().any(|a| a.action == "denied"));
    // Their own coordinator sees it and acknowledges by text.
    w.say(ChannelKind::Telegram, "900", text("/escalations")).await;
    assert!(w.last_to("900").await.body.contains(&esc.reference));
    w.say(ChannelKind::Telegram, "900", text(&format!("ACK {}", esc.reference)))
        .await;
    assert_eq!(
        w.store.escalations(None).await.unwrap()[0].status.as_str(),
        "acknowledged"
    );
}

#[tokio::test]
async fn a_mentor_raises_a_concern_by_text_and_gets_a_reference() {
    let w = staffed().await;
    w.enrol(
        "Sam",
        Role::Mentor,
        Some("2026-06-01"),
        ChannelKind::Sms,
        "+447700900101",
    )
    .await;
    w.say(
        ChannelKind::Sms,
        "+447700900101",
        text("CONCERN Kim said she has not eaten for days"),
    )
    .await;
    let esc = w.store.escalations(None).await.unwrap()[0].clone();
    assert_eq!(esc.source.as_str(), "concern");
    assert_eq!(esc.verbatim.as_deref(), Some("Kim said she has not eaten for days"));
    assert!(w.last_to("+447700900101").await.body.contains(&esc.reference));
    assert!(w.last_to("900").await.body.contains("Sam raised a concern"));
    w.say(ChannelKind::Sms, "+447700900101", text("concern")).await;
    assert!(
        w.last_to("+447700900101")
            .await
            .body
            .starts_with("Text CONCERN followed by")
    );
}

#[tokio::test]
async fn opted_out_and_unknown_senders_still_get_crisis_numbers_and_out_of_hours_says_when() {
    let w = World::new("2026-11-02T23:30:00Z").await; // Monday 23:30: out of hours
    w.enrol("Chris", Role::Coordinator, None, ChannelKind::Telegram, "900")
        .await;
    w.enrol("Jo", Role::Mentee, None, ChannelKind::Sms, "+447700900303")
        .await;
    w.say(ChannelKind::Sms, "+447700900303", text("STOP")).await;
    w.say(ChannelKind::Sms, "+447700900303", text("i want to end it all"))
        .await;
    let reply = w.last_to("+447700900303").await;
    assert!(reply.body.contains("116 123"));
    assert!(
        reply.body.contains("from Tue 3 Nov, 09:00"),
        "next working time: {}",
        reply.body
    );
    // The crisis reply reaches an opted-out phone; nothing else does.
    let claimed = w
        .store
        .claim_due(
            ChannelKind::Sms,
            to_millis(w.clock.now()),
            to_millis(w.clock.now()) + 60_000,
            10,
        )
        .await
        .unwrap();
    assert!(claimed.iter().any(|m| m.priority == Priority::Safeguarding));

    // A stranger: crisis numbers, no escalation (we do not know their service).
    w.say(ChannelKind::Sms, "+447700900999", text("going to kill myself"))
        .await;
    assert!(w.last_to("+447700900999").await.body.contains("Samaritans"));
    assert_eq!(w.store.escalations(None).await.unwrap().len(), 1);
    let _ = (DeliveryStatus::Queued, utc(WORKING));
}

#[tokio::test]
async fn jokes_and_figures_of_speech_do_not_raise_alerts() {
    let w = staffed().await;
    w.enrol("Sam", Role::Mentor, Some("2026-06-01"), ChannelKind::Telegram, "101")
        .await;
    for t in [
        "this traffic is killing me",
        "I could murder a pizza",
        "dying to see you all on Thursday",
    ] {
        w.say(ChannelKind::Telegram, "101", text(t)).await;
    }
    assert!(w.store.escalations(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_mentee_of_a_service_in_wales_gets_the_welsh_lines_and_one_in_belfast_lifeline() {
    for (nation, line, not) in [
        (peerline_core::domain::Nation::Wales, "0808 164 0123", "Lifeline"),
        (
            peerline_core::domain::Nation::NorthernIreland,
            "Lifeline: 0808 808 8000",
            "0808 164 0123",
        ),
    ] {
        let w = staffed().await;
        let update = peerline_core::store::ServiceUpdate {
            nation: Some(nation),
            ..Default::default()
        };
        w.store.update_service(w.service.id, &update).await.unwrap();
        w.enrol("Jo", Role::Mentee, None, ChannelKind::Sms, "+447700900303")
            .await;
        w.say(ChannelKind::Sms, "+447700900303", text("I want to kill myself"))
            .await;
        let reply = w.last_to("+447700900303").await.body;
        assert!(reply.contains(line) && !reply.contains(not), "{nation}: {reply}");
    }
}

#[tokio::test]
async fn out_of_hours_an_sms_only_coordinator_is_told_about_new_messages_when_the_service_opens() {
    // Saturday 7 November 2026, noon: the service works Monday to Friday, 09:00-17:00.
    let w = World::new("2026-11-07T12:00:00Z").await;
    let sol = w
        .enrol("Sol", Role::Coordinator, None, ChannelKind::Sms, "+447700900901")
        .await;
    let cath = w
        .enrol("Cath", Role::Coordinator, None, ChannelKind::Telegram, "900")
        .await;
    w.enrol("Kit", Role::Mentee, None, ChannelKind::Telegram, "700").await;
    w.say(
        ChannelKind::Telegram,
        "700",
        text("feeling rubbish today, nobody around"),
    )
    .await;
    let notices = w.rows("inbox-notice").await;
    let to = |p| notices.iter().find(|r| r.person_id == Some(p)).expect("a notice");
    // On Telegram at once; by SMS on Monday at 09:00, not on a Saturday.
    assert_eq!(to(cath).not_before, to_millis(w.clock.now()));
    assert_eq!(to(sol).not_before, to_millis(utc("2026-11-09T09:00:00Z")));
    assert!(to(sol).body.contains("Text INBOX"), "{}", to(sol).body);
}

#[tokio::test]
async fn service_hours_are_given_in_the_readers_language_not_as_stored() {
    let w = staffed().await;
    let update = peerline_core::store::ServiceUpdate {
        working_days: Some("Mon-Sat".into()),
        ..Default::default()
    };
    w.store.update_service(w.service.id, &update).await.unwrap();
    w.enrol("Kit", Role::Mentee, None, ChannelKind::Telegram, "700").await;
    w.say(ChannelKind::Telegram, "700", text("/language cymraeg")).await;
    w.say(ChannelKind::Telegram, "700", text("/help")).await;
    let help = w.last_to("700").await.body;
    assert!(
        help.contains("Oriau'r gwasanaeth: Llun-Sad, 09:00 tan 17:00."),
        "{help}"
    );
    assert!(!help.contains("Mon"), "no English day names: {help}");
}
