//! A mentee asks for a call: who is offered it, who gets it, and what happens when nobody
//! takes it or it is out of hours.

mod support;

use chrono::Duration;
use peerline_bot::{Inbound, InboundPayload};
use peerline_core::{
    Clock,
    clock::to_millis,
    domain::{ChannelKind, Role},
    store::Window,
};
use support::world::{World, utc};

/// The last acknowledgement Jo got for a request (a question about a safe time follows it).
async fn ack(w: &World) -> String {
    let rows = w.store.outbox_rows(None).await.unwrap();
    rows.into_iter()
        .rev()
        .find(|r| r.kind == "callback-ack")
        .map(|r| r.body)
        .expect("an acknowledgement")
}

fn text(t: &str) -> InboundPayload {
    InboundPayload::Text(t.into())
}

async fn world() -> World {
    // Monday 2 November 2026, 11:00 London: working hours.
    let w = World::new("2026-11-02T11:00:00Z").await;
    w.enrol("Chris", Role::Coordinator, None, ChannelKind::Telegram, "900")
        .await;
    let sam = w
        .enrol("Sam", Role::Mentor, Some("2026-06-01"), ChannelKind::Telegram, "101")
        .await;
    let alex = w
        .enrol(
            "Alex",
            Role::Mentor,
            Some("2026-06-01"),
            ChannelKind::Sms,
            "+447700900102",
        )
        .await;
    let kim = w
        .enrol("Kim", Role::Mentor, Some("2026-06-01"), ChannelKind::Telegram, "103")
        .await;
    w.store
        .set_availability(
            sam,
            &[Window::new(1, "09:00", "17:00"), Window::new(2, "09:00", "17:00")],
        )
        .await
        .unwrap();
    w.store
        .set_availability(alex, &[Window::new(1, "10:00", "12:00")])
        .await
        .unwrap();
    // Kim works Tuesdays only: never offered a Monday request.
    w.store
        .set_availability(kim, &[Window::new(2, "09:00", "17:00")])
        .await
        .unwrap();
    w.enrol("Jo", Role::Mentee, None, ChannelKind::Sms, "+447700900303")
        .await;
    w
}

#[tokio::test]
async fn a_callback_goes_to_the_available_mentors_and_exactly_one_of_two_simultaneous_accepts_wins() {
    let w = world().await;
    w.say(ChannelKind::Sms, "+447700900303", text("CALLBACK")).await;
    let ack = ack(&w).await;
    assert!(
        ack.contains("within about 60 minutes") && ack.contains("CANCEL CALLBACK"),
        "{ack}"
    );

    let offers: Vec<_> = w
        .store
        .outbox_rows(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "callback-offer")
        .collect();
    let mut to: Vec<&str> = offers.iter().map(|r| r.address.as_str()).collect();
    to.sort_unstable();
    assert_eq!(
        to,
        ["+447700900102", "101"],
        "only Sam and Alex are available on Monday at 11:00"
    );
    assert!(
        offers.iter().all(|r| !r.body.contains("900303")),
        "offers never show the mentee's number"
    );
    let reference = offers[0]
        .body
        .split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches(':')
        .to_owned();

    // Sam taps Accept and Alex texts TAKE at the same instant.
    let id = 1; // the first request in this database: what Sam's Accept button carries
    let sam = Inbound {
        channel: ChannelKind::Telegram,
        provider_key: "race:sam".into(),
        address: "101".into(),
        payload: InboundPayload::Button(format!("cb-take:{id}")),
        received_at: w.clock.now(),
        language_hint: None,
        reply_to: None,
    };
    let alex = Inbound {
        channel: ChannelKind::Sms,
        provider_key: "race:alex".into(),
        address: "+447700900102".into(),
        payload: text(&format!("take {reference}")),
        received_at: w.clock.now(),
        language_hint: None,
        reply_to: None,
    };
    let (a, b) = tokio::join!(w.engine.handle(&sam), w.engine.handle(&alex));
    a.unwrap();
    b.unwrap();
    let rows = w.store.outbox_rows(None).await.unwrap();
    let won: Vec<_> = rows.iter().filter(|r| r.kind == "callback-won").collect();
    assert_eq!(won.len(), 1, "exactly one winner");
    assert!(
        won[0].body.contains("Jo") && won[0].body.contains("not shown"),
        "{}",
        won[0].body
    );
    let loser = if won[0].address == "101" {
        "+447700900102"
    } else {
        "101"
    };
    assert!(
        rows.iter().any(|r| r.address == loser && r.kind == "callback-taken"),
        "the other mentor is told"
    );
    assert!(
        rows.iter()
            .any(|r| r.address == "+447700900303" && r.kind == "callback-accepted")
    );
    // Asking again while one is in hand does not open a second request.
    w.say(ChannelKind::Sms, "+447700900303", text("callback")).await;
    assert!(
        w.last_to("+447700900303")
            .await
            .body
            .starts_with("We already have your request")
    );
}

#[tokio::test]
async fn nobody_takes_it_in_time_so_the_coordinators_are_told() {
    let w = world().await;
    w.say(ChannelKind::Sms, "+447700900303", text("call me back")).await;
    let scheduler = w.scheduler();
    w.run_until(&scheduler, w.clock.now() + Duration::minutes(29), Duration::minutes(1))
        .await;
    let told =
        |rows: &[peerline_core::store::OutboxRow]| rows.iter().filter(|r| r.kind == "callback-unaccepted").count();
    assert_eq!(told(&w.store.outbox_rows(None).await.unwrap()), 0);
    w.run_until(&scheduler, w.clock.now() + Duration::minutes(3), Duration::minutes(1))
        .await;
    let rows = w.store.outbox_rows(None).await.unwrap();
    assert_eq!(told(&rows), 1, "once, to Chris");
    assert!(
        rows.iter()
            .any(|r| r.address == "900" && r.body.contains("has not been taken"))
    );
    // Telling them once is enough.
    w.run_until(&scheduler, w.clock.now() + Duration::minutes(30), Duration::minutes(5))
        .await;
    assert_eq!(told(&w.store.outbox_rows(None).await.unwrap()), 1);
}

#[tokio::test]
async fn out_of_hours_the_mentee_is_told_when_and_mentors_are_asked_in_the_morning() {
    let w = world().await;
    w.clock.set(utc("2026-11-02T22:30:00Z"));
    w.say(ChannelKind::Sms, "+447700900303", text("CALLBACK")).await;
    let reply = ack(&w).await;
    assert!(
        reply.contains("from Tue 3 Nov, 09:00") && reply.contains("116 123"),
        "{reply}"
    );
    let offers = |rows: &[peerline_core::store::OutboxRow]| rows.iter().filter(|r| r.kind == "callback-offer").count();
    assert_eq!(
        offers(&w.store.outbox_rows(None).await.unwrap()),
        0,
        "nobody is woken at night"
    );
    let scheduler = w.scheduler();
    w.run_until(&scheduler, utc("2026-11-03T09:10:00Z"), Duration::minutes(10))
        .await;
    let rows = w.store.outbox_rows(None).await.unwrap();
    let mut to: Vec<&str> = rows
        .iter()
        .filter(|r| r.kind == "callback-offer")
        .map(|r| r.address.as_str())
        .collect();
    to.sort_unstable();
    assert_eq!(to, ["101", "103"], "Tuesday's mentors");
    assert!(
        rows.iter()
            .filter(|r| r.kind == "callback-offer")
            .all(|r| r.not_before >= to_millis(utc("2026-11-03T09:00:00Z")))
    );
}

#[tokio::test]
async fn the_mentee_can_cancel_and_a_late_accept_is_told_it_is_gone() {
    let w = world().await;
    w.say(ChannelKind::Sms, "+447700900303", text("CALLBACK")).await;
    w.say(ChannelKind::Sms, "+447700900303", text("cancel callback")).await;
    assert!(
        w.last_to("+447700900303")
            .await
            .body
            .starts_with("Your request for a call is cancelled")
    );
    w.say(ChannelKind::Telegram, "101", InboundPayload::Button("cb-take:1".into()))
        .await;
    assert!(w.last_to("101").await.body.contains("already been taken"));
    assert!(
        !w.store
            .outbox_rows(None)
            .await
            .unwrap()
            .iter()
            .any(|r| r.kind == "callback-won")
    );
}

#[tokio::test]
async fn the_mentee_says_when_it_is_safe_to_call_and_the_mentor_records_how_it_went() {
    let w = world().await;
    w.say(ChannelKind::Sms, "+447700900303", text("CALLBACK")).await;
    assert!(
        w.last_to("+447700900303")
            .await
            .body
            .starts_with("When is it safe to call you")
    );
    w.say(
        ChannelKind::Sms,
        "+447700900303",
        text("after 6pm please, no voicemail"),
    )
    .await;
    assert!(
        w.last_to("+447700900303")
            .await
            .body
            .starts_with("Thank you, we will pass that on")
    );
    w.say(ChannelKind::Telegram, "101", InboundPayload::Button("cb-take:1".into()))
        .await;
    let to_sam = w.bodies_to("101").await;
    assert!(
        to_sam.iter().any(|b| b.contains("\"after 6pm please, no voicemail\"")),
        "{to_sam:#?}"
    );
    assert!(to_sam.last().unwrap().starts_with("After the call, tap how it went"));
    // Alex did not take it: his DONE is not accepted.
    let reference = to_sam
        .iter()
        .find(|b| b.starts_with("It's yours"))
        .unwrap()
        .split(['(', ')'])
        .nth(1)
        .unwrap()
        .to_owned();
    w.say(
        ChannelKind::Sms,
        "+447700900102",
        text(&format!("DONE {reference} CALLED")),
    )
    .await;
    assert_eq!(
        w.last_to("+447700900102").await.body,
        "Sorry, you can't do that from this account."
    );
    // Sam: follow-up needed, and the team hears of it.
    w.say(
        ChannelKind::Telegram,
        "101",
        InboundPayload::Button("cb-done:1:follow-up".into()),
    )
    .await;
    assert!(
        w.last_to("101")
            .await
            .body
            .starts_with(&format!("Thank you, noted for {reference}"))
    );
    assert!(w.last_to("900").await.body.contains("needs follow-up"));
    let audit = w.audit().await;
    assert!(
        audit
            .iter()
            .any(|a| a.action == "callback.outcome" && a.detail.as_deref() == Some(&format!("{reference} follow-up")))
    );
    assert!(
        audit
            .iter()
            .any(|a| a.action == "denied" && a.detail.as_deref() == Some("callback.outcome (not their call)"))
    );
    // That call is over: asking again is a new request, not "you already asked".
    w.say(ChannelKind::Sms, "+447700900303", text("CALLBACK")).await;
    let to_jo = w.bodies_to("+447700900303").await;
    let ack = &to_jo[to_jo.len() - 2];
    assert!(
        ack.starts_with("Thank you, we have your request for a call") && !ack.contains(&reference),
        "{to_jo:#?}"
    );
}

/// Say `words` as `address` and return the last message it was sent.
async fn exchange(w: &World, channel: ChannelKind, address: &str, words: &str) -> String {
    w.say(channel, address, text(words)).await;
    w.last_to(address).await.body
}

/// Offers of Jo's next request, by address.
async fn offered_to(w: &World) -> Vec<String> {
    let mut to: Vec<String> = w
        .store
        .outbox_rows(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "callback-offer")
        .map(|r| r.address)
        .collect();
    to.sort_unstable();
    to
}

#[tokio::test]
async fn mentors_set_when_they_take_callbacks_themselves_and_requests_follow_it() {
    let w = world().await;
    // Kim (Telegram) works Tuesdays only; she adds Monday mornings in her own words. Alex
    // (SMS) stops taking calls. Both are read back.
    let kim = w
        .say(ChannelKind::Telegram, "103", text("/available Mon-Tue 9am-5pm"))
        .await;
    assert!(matches!(
        kim,
        peerline_bot::conversation::Handled::Processed { queued: 1 }
    ));
    assert_eq!(
        w.last_to("103").await.body,
        "Thanks. You'll be offered callback requests at these times: Mon Tue 09:00-17:00."
    );
    let alex = |words: &'static str| exchange(&w, ChannelKind::Sms, "+447700900102", words);
    let answer = alex("available off").await;
    assert!(answer.starts_with("Done. You won't be offered"), "{answer}");
    assert_eq!(
        alex("AVAILABLE").await,
        "You have no times set for callback requests. Send AVAILABLE with days and hours, e.g. \
         AVAILABLE Mon-Fri 18:00-21:00, or AVAILABLE OFF to stop."
    );

    // Words it cannot read change nothing, and it says which.
    let kim = |words: &'static str| exchange(&w, ChannelKind::Telegram, "103", words);
    let answer = kim("/available Mun 9-5").await;
    assert!(
        answer.starts_with("Sorry, I couldn't read \"MUN\". Send /available"),
        "{answer}"
    );
    let answer = kim("/available").await;
    assert!(
        answer.starts_with("You're offered callback requests at these times: Mon Tue 09:00-17:00."),
        "{answer}"
    );

    // A coordinator has no availability to set: a neutral refusal, audited.
    assert_eq!(
        exchange(&w, ChannelKind::Telegram, "900", "/available Mon 9-5").await,
        "Sorry, you can't do that from this account."
    );
    let audit = w.audit().await;
    assert!(
        audit
            .iter()
            .any(|a| a.action == "availability.set" && a.detail.as_deref() == Some("Mon Tue 09:00-17:00"))
    );
    assert!(
        audit
            .iter()
            .any(|a| a.action == "availability.set" && a.detail.as_deref() == Some("off"))
    );
    assert!(
        audit
            .iter()
            .any(|a| a.action == "denied" && a.detail.as_deref() == Some("availability.set (role)"))
    );

    // Monday 11:00: Jo's request goes to Sam and now Kim, not to Alex.
    w.say(ChannelKind::Sms, "+447700900303", text("CALLBACK")).await;
    assert_eq!(offered_to(&w).await, ["101", "103"]);
}

#[tokio::test]
async fn a_welsh_or_polish_mentor_reads_their_times_in_their_language_and_can_type_them_back() {
    let w = world().await;
    for (language, words, want) in [
        ("cymraeg", "ar gael Llun-Gwener 6-9pm", "Llun-Gwe 18:00-21:00"),
        (
            "polski",
            "dostępny pon.-pt. 18-21, sob 10-12",
            "pon.-pt. 18:00-21:00, sob. 10:00-12:00",
        ),
    ] {
        let alex = "+447700900102";
        exchange(&w, ChannelKind::Sms, alex, &format!("language {language}")).await;
        let set = exchange(&w, ChannelKind::Sms, alex, words).await;
        assert!(set.contains(want), "{language}: {set}");
        // What they were told can be sent back as it is.
        let again = exchange(&w, ChannelKind::Sms, alex, &format!("AVAILABLE {want}")).await;
        assert_eq!(again, set, "{language}");
    }
}
