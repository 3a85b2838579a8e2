//! The scheduler on a simulated clock: months of supervision and check-ins in seconds, across
//! both daylight-saving changes, through restarts, and the check-in conversation on both
//! channels with the wellbeing rules.

mod support;

use chrono::{DateTime, Duration, Utc};
use peerline_bot::InboundPayload;
use peerline_core::Clock;
use peerline_core::{
    clock::{from_millis, to_millis},
    domain::{AttendanceOutcome, ChannelKind, EscalationSource, PersonId, Role, SessionKind},
    store::OutboxRow,
};
use support::world::{World, utc};

#[tokio::test]
async fn supervision_reminders_land_at_exact_instants_over_sixteen_weeks_across_both_dst_changes() {
    // Sam starts in February (spring change on 29 March), Alex in September (autumn change on 25 October).
    let w = World::new("2026-02-02T00:00:00Z").await;
    let sam = w
        .enrol("Sam", Role::Mentor, Some("2026-02-02"), ChannelKind::Telegram, "101")
        .await;
    // Supervision only: no check-ins (so no wellbeing flags) in this run.
    w.store.set_schedule(w.service.id, Some(""), None).await.unwrap();
    let scheduler = w.scheduler();
    let started = std::time::Instant::now();
    w.run_until(&scheduler, utc("2026-05-25T00:00:00Z"), Duration::hours(1))
        .await;
    let alex_world_start = utc("2026-09-07T00:00:00Z");
    w.clock.set(alex_world_start);
    let alex = w
        .enrol(
            "Alex",
            Role::Mentor,
            Some("2026-09-07"),
            ChannelKind::Sms,
            "+447700900202",
        )
        .await;
    w.run_until(&scheduler, utc("2026-12-28T00:00:00Z"), Duration::hours(1))
        .await;
    println!("simulated 32 weeks of schedule in {:?}", started.elapsed());

    let reminders = |who: PersonId, rows: &[OutboxRow]| -> Vec<(String, DateTime<Utc>)> {
        rows.iter()
            .filter(|r| r.person_id == Some(who) && r.body.contains("1:1"))
            .map(|r| {
                (
                    r.kind.trim_start_matches("supervision-reminder-").to_owned(),
                    from_millis(r.not_before),
                )
            })
            .collect()
    };
    let rows = w.rows("supervision-reminder").await;
    // 1:1 at 14:00 London time: weeks 2, 4, 6, 8, then monthly; 48 h and 2 h before, exactly.
    let sam_sessions = [
        "2026-02-16T14:00:00Z",
        "2026-03-02T14:00:00Z",
        "2026-03-16T14:00:00Z",
        "2026-03-30T13:00:00Z",
        "2026-04-30T13:00:00Z",
    ];
    let mut expected = Vec::new();
    for s in sam_sessions {
        expected.push(("48h".to_owned(), utc(s) - Duration::hours(48)));
        expected.push(("2h".to_owned(), utc(s) - Duration::hours(2)));
    }
    let sixteen_weeks = utc("2026-05-25T00:00:00Z");
    let sam_spring: Vec<_> = reminders(sam, &rows)
        .into_iter()
        .filter(|(_, t)| *t < sixteen_weeks)
        .collect();
    assert_eq!(sam_spring, expected, "Sam (spring)");
    // Autumn: 21 Sep, 5 Oct, 19 Oct (BST), 2 Nov (GMT), then 2 Dec.
    let alex_sessions = [
        "2026-09-21T13:00:00Z",
        "2026-10-05T13:00:00Z",
        "2026-10-19T13:00:00Z",
        "2026-11-02T14:00:00Z",
        "2026-12-02T14:00:00Z",
    ];
    let mut expected = Vec::new();
    for s in alex_sessions {
        expected.push(("48h".to_owned(), utc(s) - Duration::hours(48)));
        expected.push(("2h".to_owned(), utc(s) - Duration::hours(2)));
    }
    assert_eq!(reminders(alex, &rows), expected, "Alex (autumn)");
    // Reminders are in the mentor's channel's form: buttons on Telegram, YES/NO by SMS.
    let tg = rows.iter().find(|r| r.person_id == Some(sam)).unwrap();
    assert!(tg.body.contains("Can you come?"), "{}", tg.body);
    let sms = rows.iter().find(|r| r.person_id == Some(alex)).unwrap();
    assert!(sms.body.contains("Reply YES"), "{}", sms.body);
    // Monthly group sessions (first Thursday, 18:00) get reminders too.
    assert!(
        rows.iter()
            .any(|r| r.person_id == Some(sam) && r.body.contains("group supervision"))
    );
}

#[tokio::test]
async fn a_0130_job_runs_exactly_once_on_each_dst_day() {
    let w = World::new("2026-03-27T12:00:00Z").await;
    let mut tx = w.store.begin().await.unwrap();
    tx.kv_set("unused", "x").await.unwrap();
    tx.commit().await.unwrap();
    w.store
        .set_schedule(w.service.id, Some("0 30 1 * * *"), None)
        .await
        .unwrap();
    w.enrol("Sam", Role::Mentor, Some("2026-01-05"), ChannelKind::Telegram, "101")
        .await;
    let scheduler = w.scheduler();
    w.run_until(&scheduler, utc("2026-03-31T00:00:00Z"), Duration::minutes(15))
        .await;
    w.clock.set(utc("2026-10-23T12:00:00Z"));
    w.run_until(&scheduler, utc("2026-10-27T00:00:00Z"), Duration::minutes(15))
        .await;
    let occurrences: Vec<DateTime<Utc>> = w
        .store
        .checkins_of(PersonId(1))
        .await
        .unwrap()
        .iter()
        .map(|c| from_millis(c.occurrence))
        .collect();
    assert_eq!(
        occurrences,
        [
            utc("2026-03-28T01:30:00Z"),
            utc("2026-03-29T01:30:00Z"), // 01:30 does not exist: 02:30 BST, once
            utc("2026-03-30T00:30:00Z"),
            utc("2026-10-24T00:30:00Z"),
            utc("2026-10-25T00:30:00Z"), // 01:30 happens twice: the first one, once
            utc("2026-10-26T01:30:00Z"),
        ]
    );
}

#[tokio::test]
async fn a_restart_or_a_crash_mid_tick_neither_repeats_nor_loses_a_reminder() {
    let w = World::new("2026-02-02T00:00:00Z").await;
    for i in 0..5 {
        w.enrol(
            &format!("Mentor {i}"),
            Role::Mentor,
            Some("2026-02-02"),
            ChannelKind::Telegram,
            &format!("{}", 100 + i),
        )
        .await;
    }
    w.store.set_schedule(w.service.id, Some(""), None).await.unwrap();
    let end = utc("2026-04-06T00:00:00Z");
    // Crash-prone scheduler: every tick is aborted at an arbitrary point, then a fresh
    // scheduler (a restart) runs the same moment again.
    while w.clock.now() < end {
        w.clock.advance(Duration::hours(1));
        let doomed = w.scheduler();
        let handle = tokio::spawn(async move { doomed.tick().await });
        for _ in 0..(w.clock.now().timestamp() % 7) {
            tokio::task::yield_now().await;
        }
        handle.abort();
        let _ = handle.await;
        w.scheduler().tick().await.unwrap();
    }
    let rows = w.rows("supervision-reminder").await;
    let mut keys: Vec<(Option<PersonId>, String, i64)> = rows
        .iter()
        .map(|r| (r.person_id, r.kind.clone(), r.not_before))
        .collect();
    let total = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), total, "a reminder was queued twice");
    // Each mentor: 4 fortnightly 1:1s x 2 reminders, plus group sessions (5 Feb, 5 Mar, 2 Apr) x 2.
    for i in 0..5 {
        let mine = rows.iter().filter(|r| r.person_id == Some(PersonId(i + 1))).count();
        assert_eq!(mine, 4 * 2 + 3 * 2, "mentor {i}");
    }
}

fn button(data: String) -> InboundPayload {
    InboundPayload::Button(data)
}

fn text(t: &str) -> InboundPayload {
    InboundPayload::Text(t.into())
}

#[tokio::test]
async fn check_ins_by_telegram_buttons_and_sms_numbers_flag_exactly_per_the_rules() {
    // Monday 2 November 2026, before the 10:00 check-in.
    let w = World::new("2026-11-02T09:00:00Z").await;
    let coordinator = w
        .enrol("Chris", Role::Coordinator, None, ChannelKind::Telegram, "900")
        .await;
    let sam = w
        .enrol("Sam", Role::Mentor, Some("2026-06-01"), ChannelKind::Telegram, "101")
        .await;
    let jo = w
        .enrol(
            "Jo",
            Role::Mentor,
            Some("2026-06-01"),
            ChannelKind::Sms,
            "+447700900303",
        )
        .await;
    let scheduler = w.scheduler();
    // Each flag opens one escalation, alerting the coordinator (and again until acknowledged).
    let flags_to_coordinator = || async {
        let alerted = w
            .store
            .outbox_rows(Some(coordinator))
            .await
            .unwrap()
            .iter()
            .any(|r| r.kind == "wellbeing-flag");
        let n = w
            .store
            .escalations(None)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.source == EscalationSource::WellbeingFlag)
            .count();
        assert_eq!(alerted, n > 0);
        n
    };

    // Week 1. Sam answers with buttons; one low answer gets a kind reply, no alert.
    w.run_until(&scheduler, utc("2026-11-02T10:30:00Z"), Duration::minutes(30))
        .await;
    let first = w.last_to("101").await;
    assert!(
        first.body.contains("1/4") && first.body.contains("satisfied"),
        "{}",
        first.body
    );
    let checkin = w.store.checkins_of(sam).await.unwrap()[0].id;
    for (q, score) in [(0, "7"), (1, "8"), (2, "3"), (3, "2")] {
        w.say(
            ChannelKind::Telegram,
            "101",
            button(format!("ci:{checkin}:{q}:{score}")),
        )
        .await;
    }
    assert!(
        w.last_to("101").await.body.contains("116 123"),
        "kind reply with numbers"
    );
    assert_eq!(flags_to_coordinator().await, 0);
    // A stale button (question 0 again) changes nothing.
    w.say(ChannelKind::Telegram, "101", button(format!("ci:{checkin}:0:1")))
        .await;
    assert_eq!(w.store.checkins_of(sam).await.unwrap()[0].life_satisfaction, Some(7));

    // Jo answers by text: a number, SKIP, garbage (one clarification), then numbers.
    w.say(ChannelKind::Sms, "+447700900303", text("6")).await;
    w.say(ChannelKind::Sms, "+447700900303", text("skip")).await;
    w.say(ChannelKind::Sms, "+447700900303", text("dunno really")).await;
    assert!(
        w.last_to("+447700900303")
            .await
            .body
            .starts_with("Sorry, I need a number from 0 to 10, or SKIP")
    );
    // Only one clarification: words after it are for a human, acknowledged as such.
    w.say(ChannelKind::Sms, "+447700900303", text("still dunno")).await;
    let last = w.last_to("+447700900303").await.body;
    assert!(
        last.starts_with("Thanks for your message, Jo."),
        "only one clarification: {last}"
    );
    w.say(ChannelKind::Sms, "+447700900303", text("7")).await;
    w.say(ChannelKind::Sms, "+447700900303", text("4/10")).await;
    assert!(
        w.last_to("+447700900303")
            .await
            .body
            .starts_with("Thank you for checking in.")
    );
    let jo1 = &w.store.checkins_of(jo).await.unwrap()[0];
    assert_eq!(
        (jo1.life_satisfaction, jo1.worthwhile, jo1.happy, jo1.anxiety),
        (Some(6), None, Some(7), Some(4))
    );

    // Week 2: Sam low again (two in a row: flag); Jo does not answer (one miss: no flag).
    w.run_until(&scheduler, utc("2026-11-09T10:30:00Z"), Duration::hours(1))
        .await;
    let checkin = w.store.checkins_of(sam).await.unwrap()[1].id;
    for (q, score) in [(0, "4"), (1, "8"), (2, "8"), (3, "2")] {
        w.say(
            ChannelKind::Telegram,
            "101",
            button(format!("ci:{checkin}:{q}:{score}")),
        )
        .await;
    }
    assert_eq!(flags_to_coordinator().await, 1);
    let alert = w
        .store
        .outbox_rows(Some(coordinator))
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.kind == "wellbeing-flag")
        .unwrap();
    assert!(
        alert.body.contains("Sam") && alert.body.contains("two check-ins in a row"),
        "{}",
        alert.body
    );

    // Week 3: Jo misses again (two in a row: flag when the window closes). Sam fine: no flag.
    w.run_until(&scheduler, utc("2026-11-16T10:30:00Z"), Duration::hours(1))
        .await;
    let checkin = w.store.checkins_of(sam).await.unwrap()[2].id;
    for (q, score) in [(0, "8"), (1, "8"), (2, "8"), (3, "1")] {
        w.say(
            ChannelKind::Telegram,
            "101",
            button(format!("ci:{checkin}:{q}:{score}")),
        )
        .await;
    }
    assert_eq!(flags_to_coordinator().await, 1);
    w.run_until(&scheduler, utc("2026-11-18T11:00:00Z"), Duration::hours(1))
        .await;
    assert_eq!(flags_to_coordinator().await, 2);
    let flags: Vec<String> = w.store.flags_of(jo).await.unwrap().into_iter().map(|f| f.0).collect();
    assert_eq!(flags, ["missed-twice"]);
    let flags: Vec<String> = w.store.flags_of(sam).await.unwrap().into_iter().map(|f| f.0).collect();
    assert_eq!(flags, ["low-scores"]);

    // A late answer after the window closed is kept and marked late, without a new flag.
    w.say(ChannelKind::Sms, "+447700900303", text("5")).await;
    let late = w.store.checkins_of(jo).await.unwrap().pop().unwrap();
    assert_eq!((late.life_satisfaction, late.late), (Some(5), true));
    assert_eq!(flags_to_coordinator().await, 2);
}

#[tokio::test]
async fn a_declined_reminder_tells_the_coordinator_and_two_misses_raise_a_review() {
    let w = World::new("2026-02-02T00:00:00Z").await;
    let chris = w
        .enrol("Chris", Role::Coordinator, None, ChannelKind::Telegram, "900")
        .await;
    let sam = w
        .enrol(
            "Sam",
            Role::Mentor,
            Some("2026-02-02"),
            ChannelKind::Sms,
            "+447700900101",
        )
        .await;
    let scheduler = w.scheduler();
    // 48 h before the first 1:1 (16 Feb 14:00): Sam replies NO by text.
    w.run_until(&scheduler, utc("2026-02-14T15:00:00Z"), Duration::hours(1))
        .await;
    w.say(ChannelKind::Sms, "+447700900101", text("No")).await;
    assert!(w.last_to("+447700900101").await.body.contains("rebook"));
    let to_chris = w.store.outbox_rows(Some(chris)).await.unwrap();
    assert!(to_chris.iter().any(
        |r| r.kind == "supervision-declined" && r.body.contains("Sam can't make supervision on Mon 16 Feb, 14:00")
    ));
    // No 2 h reminder after a decline.
    w.run_until(&scheduler, utc("2026-02-16T16:00:00Z"), Duration::hours(1))
        .await;
    let one_to_one_2h = w.rows("supervision-reminder-2h").await;
    assert!(
        !one_to_one_2h
            .iter()
            .any(|r| r.person_id == Some(sam) && r.body.contains("1:1 supervision on Mon 16 Feb")),
        "no 2 h reminder after a decline"
    );
    assert!(
        w.rows("supervision-reminder-48h")
            .await
            .iter()
            .any(|r| r.body.contains("on Mon 16 Feb, 14:00, at the usual place"))
    );
    // After the session Chris is asked to record it, with buttons. (The next policy 1:1 is
    // booked overnight.)
    w.run_until(&scheduler, utc("2026-02-17T02:00:00Z"), Duration::hours(1))
        .await;
    let prompt = w
        .store
        .outbox_rows(Some(chris))
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.kind == "supervision-record")
        .expect("prompt");
    assert!(prompt.body.contains("How did supervision with Sam"));
    let sessions = w.store.sessions_of(sam).await.unwrap();
    let first = sessions[0].session_id;
    w.say(
        ChannelKind::Telegram,
        "900",
        button(format!("svr:{first}:{}:missed", sam.0)),
    )
    .await;
    assert!(w.last_to("900").await.body.contains("rebook within 7 days"));
    // Sam, a mentor, cannot record anything.
    let second = w
        .store
        .sessions_of(sam)
        .await
        .unwrap()
        .iter()
        .find(|s| s.starts_at > to_millis(utc("2026-02-20T00:00:00Z")))
        .unwrap()
        .session_id;
    w.say(
        ChannelKind::Sms,
        "+447700900101",
        button(format!("svr:{second}:{}:attended", sam.0)),
    )
    .await;
    assert!(
        w.store
            .sessions_of(sam)
            .await
            .unwrap()
            .iter()
            .all(|s| s.outcome != Some(AttendanceOutcome::Attended))
    );
    // The next one is missed too: review flag.
    w.run_until(&scheduler, utc("2026-03-02T16:00:00Z"), Duration::hours(1))
        .await;
    w.say(
        ChannelKind::Telegram,
        "900",
        button(format!("svr:{second}:{}:missed", sam.0)),
    )
    .await;
    assert!(
        w.last_to("900")
            .await
            .body
            .contains("missed supervision twice in a row")
    );
    // (Sam never answers check-ins here either, so "missed-twice" check-in flags are expected too.)
    let flags: Vec<String> = w
        .store
        .flags_of(sam)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.0)
        .filter(|f| f.starts_with("supervision"))
        .collect();
    assert_eq!(flags, ["supervision-missed-twice"]);
}

#[tokio::test]
async fn missed_occurrences_are_caught_up_within_grace_and_skipped_beyond_it() {
    let w = World::new("2026-11-02T09:00:00Z").await;
    let sam = w
        .enrol("Sam", Role::Mentor, Some("2026-06-01"), ChannelKind::Telegram, "101")
        .await;
    let scheduler = w.scheduler();
    scheduler.tick().await.unwrap();
    // Down from 09:00 to 14:00: the 10:00 check-in is 4 h late, within the 6 h grace.
    w.clock.set(utc("2026-11-02T14:00:00Z"));
    let r = scheduler.tick().await.unwrap();
    assert_eq!(w.store.checkins_of(sam).await.unwrap().len(), 1);
    assert_eq!(r.skipped_occurrences, 0);
    // Down for a week and a day: last Monday's check-in is too old: skipped, not sent late.
    w.clock.set(utc("2026-11-10T12:00:00Z"));
    let r = scheduler.tick().await.unwrap();
    assert_eq!(r.skipped_occurrences, 2, "the check-in and the coordinators' digest");
    assert_eq!(w.store.checkins_of(sam).await.unwrap().len(), 1);
}

/// A 1:1 Chris books from Telegram for the Wednesday after the clocks go back gets its
/// reminders 48 h and 2 h before in GMT, with the place Chris typed after booking. Words typed
/// more than half an hour after booking are just a message.
#[tokio::test]
async fn a_session_booked_from_telegram_gets_its_reminders_with_the_place_typed_after_booking() {
    use peerline_core::supervision::{BookWith, Booking, booking_button};
    // Tuesday 20 October 2026, 10:00 BST.
    let w = World::new("2026-10-20T09:00:00Z").await;
    w.enrol("Chris", Role::Coordinator, None, ChannelKind::Telegram, "900")
        .await;
    let sam = w
        .enrol(
            "Sam",
            Role::Mentor,
            Some("2025-01-06"),
            ChannelKind::Sms,
            "+447700900101",
        )
        .await;
    w.say(ChannelKind::Telegram, "900", text("/supervision")).await;
    assert_eq!(w.last_to("900").await.body, "Book supervision: with whom?");
    let at = Booking {
        with: BookWith::Mentor(sam.0),
        day: chrono::NaiveDate::from_ymd_opt(2026, 10, 28),
        time: chrono::NaiveTime::from_hms_opt(15, 0, 0),
    };
    w.say(ChannelKind::Telegram, "900", button(booking_button(at))).await;
    assert!(
        w.last_to("900")
            .await
            .body
            .starts_with("Booked: 1:1 supervision with Sam on Wed 28 Oct, 15:00."),
        "{}",
        w.last_to("900").await.body
    );
    w.clock.advance(Duration::minutes(5));
    w.say(ChannelKind::Telegram, "900", text("Room 2, Camden Road")).await;
    assert_eq!(
        w.last_to("900").await.body,
        "Added: supervision on Wed 28 Oct, 15:00 is at Room 2, Camden Road."
    );
    w.clock.advance(Duration::minutes(31));
    w.say(ChannelKind::Telegram, "900", text("Room 3")).await;
    assert!(
        !w.last_to("900").await.body.starts_with("Added"),
        "the prompt has closed"
    );

    let scheduler = w.scheduler();
    w.run_until(&scheduler, utc("2026-10-28T16:00:00Z"), Duration::minutes(10))
        .await;
    for (kind, due) in [
        ("supervision-reminder-48h", "2026-10-26T15:00:00Z"),
        ("supervision-reminder-2h", "2026-10-28T13:00:00Z"),
    ] {
        let reminder = w
            .rows(kind)
            .await
            .into_iter()
            .find(|r| r.person_id == Some(sam) && r.body.contains("Wed 28 Oct, 15:00"))
            .unwrap_or_else(|| panic!("no {kind}"));
        assert!(reminder.body.contains("at Room 2, Camden Road"), "{}", reminder.body);
        let late = reminder.created_at - to_millis(utc(due));
        assert!(
            (0..600_000).contains(&late),
            "{kind} at {}",
            from_millis(reminder.created_at)
        );
    }
}

/// A big service: the first forty mentors are offered, with a hint to narrow it down by name.
#[tokio::test]
async fn booking_in_a_big_service_offers_forty_mentors_and_a_way_to_find_the_rest() {
    let w = World::new("2026-10-20T09:00:00Z").await;
    w.enrol("Chris", Role::Coordinator, None, ChannelKind::Telegram, "900")
        .await;
    for i in 0..41 {
        let chat = format!("{}", 1000 + i);
        w.enrol(
            &format!("Mentor {i:02}"),
            Role::Mentor,
            Some("2026-09-01"),
            ChannelKind::Telegram,
            &chat,
        )
        .await;
    }
    w.say(ChannelKind::Telegram, "900", text("/supervision")).await;
    assert_eq!(
        w.last_to("900").await.body,
        "Book supervision: with whom? Not everyone fits: send /supervision and part of a name to find someone."
    );
    w.say(ChannelKind::Telegram, "900", text("/supervision 40")).await;
    assert_eq!(w.last_to("900").await.body, "Book supervision: with whom?");
    w.say(ChannelKind::Telegram, "900", text("/supervision Nobody")).await;
    assert_eq!(
        w.last_to("900").await.body,
        "No active mentor's name has \"Nobody\" in it."
    );
}

#[tokio::test]
async fn a_reminder_whose_place_is_a_long_link_still_reaches_an_sms_mentor_with_the_link_whole() {
    // Monday 30 November 2026; the session is Wednesday 2 December at 15:00.
    let w = World::new("2026-11-30T09:00:00Z").await;
    let jo = w
        .enrol(
            "Jo",
            Role::Mentor,
            Some("2026-06-01"),
            ChannelKind::Sms,
            "+447700900303",
        )
        .await;
    let link = format!(
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_{}%40thread.v2/0?context=%7b%22Tid%22%3a%22{}%22%7d",
        "N2Q4ZjQ2YzEtYjBkNi00ZWQ1LTk5NzMtMTAwZDJjZDJmNTFk".repeat(9),
        "72f988bf-86f1-41af-91ab-2d7cd011db47"
    );
    let starts = peerline_core::clock::to_millis(utc("2026-12-02T15:00:00Z"));
    let session = peerline_core::store::NewSession {
        service: w.service.id,
        kind: SessionKind::OneToOne,
        starts_at: starts,
        place: Some(&link),
        source: "cli",
        attendees: &[jo],
    };
    w.store
        .add_session(&session, peerline_core::clock::to_millis(w.clock.now()))
        .await
        .unwrap();
    let scheduler = w.scheduler();
    w.run_until(&scheduler, utc("2026-11-30T16:00:00Z"), Duration::minutes(30))
        .await;
    let reminder = w
        .rows("supervision-reminder-48h")
        .await
        .into_iter()
        .next()
        .expect("the 48 h reminder is queued");
    assert!(
        peerline_core::sms::segments(&reminder.body).parts <= 3,
        "within sms.max_segments: {}",
        reminder.body
    );
    assert!(
        reminder.body.contains("at the place in the next message"),
        "{}",
        reminder.body
    );
    let place = w.rows("supervision-place").await;
    assert_eq!(place.len(), 1, "the place follows once");
    assert_eq!(place[0].body, format!("Where: {link}"), "the link goes whole");
}
