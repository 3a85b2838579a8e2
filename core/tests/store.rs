//! The store as the rest of Peerline uses it: a real SQLite file in a temporary directory.

use peerline_core::{
    domain::{ChannelKind, Language, PersonId, PhoneNumber, Role, ServiceId},
    store::{
        DeliveryStatus, ImportRow, InboxInsert, JobClaim, JobOutcome, NewOutbound, NewPerson, PersonStatus, Priority,
        RedeemOutcome, Store, StoreError,
    },
};

const HOUR: i64 = 3_600_000;
const T0: i64 = 1_790_000_000_000;

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = Store::open(&url).await.expect("open store");
    (dir, store)
}

fn mentor(service: ServiceId, name: &str) -> NewPerson {
    NewPerson {
        service_id: service,
        role: Role::Mentor,
        display_name: name.into(),
        language: Language::EnGb,
        status: PersonStatus::Invited,
        placement_start: None,
        telegram_username: None,
    }
}

#[tokio::test]
async fn migrations_create_the_file_and_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url).await.unwrap();
    assert!(path.exists());
    store.ping().await.unwrap();
    store.close().await;
    // Opening again applies nothing new and keeps data.
    let again = Store::open(&url).await.unwrap();
    again
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    assert_eq!(again.services().await.unwrap().len(), 1);
}

#[tokio::test]
async fn service_names_are_unique_ignoring_case() {
    let (_d, store) = store().await;
    store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    let err = store
        .add_service("camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(store.service_by_name("CAMDEN").await.unwrap().name, "Camden");
    assert!(matches!(
        store.service_by_name("Hackney").await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn inbox_deduplicates_on_the_provider_key() {
    let (_d, store) = store().await;
    let msg = |key: &'static str| InboxInsert {
        channel: ChannelKind::Sms,
        provider_key: key,
        address: "+447700900123",
        body: Some("hello"),
        button_data: None,
        received_at: T0,
    };
    let mut tx = store.begin().await.unwrap();
    assert!(tx.insert_inbox(msg("twilio:SM1")).await.unwrap().is_some());
    assert!(tx.insert_inbox(msg("twilio:SM1")).await.unwrap().is_none());
    assert!(tx.insert_inbox(msg("twilio:SM2")).await.unwrap().is_some());
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(tx.insert_inbox(msg("twilio:SM1")).await.unwrap().is_none());
    tx.commit().await.unwrap();
    assert_eq!(store.inbox_count().await.unwrap(), 2);
}

#[tokio::test]
async fn an_invite_works_once_and_only_before_it_expires() {
    let (_d, store) = store().await;
    let svc = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    let invite = store.create_invite(mentor(svc.id, "Sam"), 72 * HOUR, T0).await.unwrap();
    assert_eq!(invite.expires_at, T0 + 72 * HOUR);
    assert_eq!(
        store.person(invite.person_id).await.unwrap().status,
        PersonStatus::Invited
    );

    // Typed in lower case with a space: still the same code.
    let typed = format!("{} {}", &invite.code[..4].to_lowercase(), &invite.code[4..]);
    let mut tx = store.begin().await.unwrap();
    let outcome = tx
        .redeem_invite(&typed, ChannelKind::Telegram, "1001", T0 + HOUR)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let RedeemOutcome::Redeemed { person, .. } = outcome else {
        panic!("expected redeemed, got {outcome:?}")
    };
    assert_eq!(person.display_name, "Sam");
    assert_eq!(person.status, PersonStatus::Active);
    assert_eq!(store.identities_of(person.id).await.unwrap()[0].address, "1001");

    let mut tx = store.begin().await.unwrap();
    let again = tx
        .redeem_invite(&invite.code, ChannelKind::Telegram, "2002", T0 + HOUR)
        .await
        .unwrap();
    assert!(matches!(again, RedeemOutcome::Used), "{again:?}");
    assert!(matches!(
        tx.redeem_invite("ZZZZ9999", ChannelKind::Telegram, "2002", T0)
            .await
            .unwrap(),
        RedeemOutcome::Unknown
    ));
    drop(tx);

    let late = store
        .create_invite(mentor(svc.id, "Alex"), 72 * HOUR, T0)
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    let expired = tx
        .redeem_invite(&late.code, ChannelKind::Telegram, "2002", T0 + 72 * HOUR)
        .await
        .unwrap();
    assert!(matches!(expired, RedeemOutcome::Expired), "{expired:?}");
}

#[tokio::test]
async fn an_address_already_enrolled_cannot_take_a_second_code() {
    let (_d, store) = store().await;
    let svc = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    let a = store.create_invite(mentor(svc.id, "Sam"), HOUR, T0).await.unwrap();
    let b = store.create_invite(mentor(svc.id, "Alex"), HOUR, T0).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.redeem_invite(&a.code, ChannelKind::Sms, "+447700900123", T0)
            .await
            .unwrap(),
        RedeemOutcome::Redeemed { .. }
    ));
    assert!(matches!(
        tx.redeem_invite(&b.code, ChannelKind::Sms, "+447700900123", T0)
            .await
            .unwrap(),
        RedeemOutcome::AddressTaken
    ));
    tx.commit().await.unwrap();
    // Alex's code is still usable from Alex's own phone.
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.redeem_invite(&b.code, ChannelKind::Sms, "+447700900456", T0)
            .await
            .unwrap(),
        RedeemOutcome::Redeemed { .. }
    ));
}

#[tokio::test]
async fn import_is_all_or_nothing() {
    let (_d, store) = store().await;
    let svc = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    let row = |line, name: &str, phone: &str| ImportRow {
        line,
        person: mentor(svc.id, name),
        phone: Some(PhoneNumber::parse(phone).unwrap()),
    };
    store.import_people(&[row(2, "Sam", "07700 900001")], T0).await.unwrap();
    // Line 3 reuses Sam's number: nothing from this file goes in.
    let err = store
        .import_people(&[row(2, "Alex", "07700 900002"), row(3, "Jo", "07700 900001")], T0)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3"), "{err}");
    assert!(!err.contains("900001"), "the error must not print the number: {err}");
    let names: Vec<_> = store
        .people(svc.id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.display_name)
        .collect();
    assert_eq!(names, ["Sam"]);
}

#[tokio::test]
async fn scheduler_occurrences_are_claimed_once() {
    let (_d, store) = store().await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.claim_occurrence("checkin:1", T0, None, T0, JobOutcome::Ran)
            .await
            .unwrap(),
        JobClaim::Claimed
    );
    assert_eq!(
        tx.claim_occurrence("checkin:1", T0, None, T0, JobOutcome::Ran)
            .await
            .unwrap(),
        JobClaim::AlreadyRun
    );
    assert_eq!(
        tx.claim_occurrence("checkin:1", T0 + 1, None, T0, JobOutcome::Ran)
            .await
            .unwrap(),
        JobClaim::Claimed
    );
    tx.commit().await.unwrap();
    assert_eq!(store.last_occurrence("checkin:1").await.unwrap(), Some(T0 + 1));
}

fn outbound(person: PersonId, priority: Priority, body: &str, not_before: i64) -> NewOutbound {
    to("1001", person, priority, body, not_before)
}

fn to(address: &str, person: PersonId, priority: Priority, body: &str, not_before: i64) -> NewOutbound {
    NewOutbound {
        person_id: Some(person),
        identity_id: None,
        channel: ChannelKind::Telegram,
        address: address.into(),
        priority,
        kind: "test".into(),
        body: body.into(),
        buttons: None,
        ignore_opt_out: false,
        not_before,
    }
}

#[tokio::test]
async fn outbox_claims_by_priority_then_age_and_leases_expire() {
    let (_d, store) = store().await;
    let svc = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    let p = store
        .create_invite(mentor(svc.id, "Sam"), HOUR, T0)
        .await
        .unwrap()
        .person_id;
    let mut tx = store.begin().await.unwrap();
    tx.enqueue(&to("1003", p, Priority::Checkin, "check-in", T0), T0)
        .await
        .unwrap();
    tx.enqueue(&to("1002", p, Priority::Reply, "reply", T0), T0)
        .await
        .unwrap();
    tx.enqueue(&to("1001", p, Priority::Safeguarding, "crisis", T0), T0)
        .await
        .unwrap();
    tx.enqueue(&to("1004", p, Priority::Safeguarding, "later", T0 + HOUR), T0)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let first = store
        .claim_due(ChannelKind::Telegram, T0, T0 + 60_000, 2)
        .await
        .unwrap();
    let bodies: Vec<_> = first.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["crisis", "reply"]);
    // Nothing else is due except the check-in; the claimed ones are leased.
    let second = store
        .claim_due(ChannelKind::Telegram, T0 + 1, T0 + 60_000, 10)
        .await
        .unwrap();
    assert_eq!(second.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["check-in"]);
    store.mark_sent(first[0].id, Some("tg-1"), None, T0 + 2).await.unwrap();
    // The worker holding "reply" died: after the lease the row comes back, attempts counted.
    let again = store
        .claim_due(ChannelKind::Telegram, T0 + 60_000, T0 + 120_000, 10)
        .await
        .unwrap();
    let reply = again.iter().find(|m| m.body == "reply").expect("reply re-claimed");
    assert_eq!(reply.attempts, 2);
    assert!(
        !again.iter().any(|m| m.body == "crisis"),
        "a sent message is never re-claimed"
    );
    assert_eq!(
        store.outbox_row(first[0].id).await.unwrap().status,
        DeliveryStatus::Sent
    );
}

#[tokio::test]
async fn opted_out_identities_get_only_safeguarding_and_the_confirmation() {
    let (_d, store) = store().await;
    let svc = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    let invite = store.create_invite(mentor(svc.id, "Sam"), HOUR, T0).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let RedeemOutcome::Redeemed { identity, person } = tx
        .redeem_invite(&invite.code, ChannelKind::Telegram, "1001", T0)
        .await
        .unwrap()
    else {
        panic!("redeem")
    };
    tx.set_opted_out(identity, true, T0).await.unwrap();
    let with_identity = |priority, body: &str, ignore| {
        let mut m = outbound(person.id, priority, body, T0);
        m.identity_id = Some(identity);
        m.ignore_opt_out = ignore;
        m
    };
    let reminder = with_identity(Priority::Reminder, "reminder", false);
    let confirm = with_identity(Priority::Reply, "confirmation", true);
    let crisis = with_identity(Priority::Safeguarding, "crisis", false);
    let reminder_id = tx.enqueue(&reminder, T0).await.unwrap();
    tx.enqueue(&confirm, T0).await.unwrap();
    tx.enqueue(&crisis, T0).await.unwrap();
    tx.commit().await.unwrap();
    let mut bodies = Vec::new();
    for step in 0..3 {
        for m in store
            .claim_due(ChannelKind::Telegram, T0 + step, T0 + 60_000, 10)
            .await
            .unwrap()
        {
            bodies.push(m.body.clone());
            store.mark_sent(m.id, None, None, T0 + step).await.unwrap();
        }
    }
    assert_eq!(bodies, ["crisis", "confirmation"]);
    assert_eq!(
        store.outbox_row(reminder_id).await.unwrap().status,
        DeliveryStatus::Skipped
    );
}

/// While Telegram is down, alerts and callbacks that are due and have another channel to the
/// person move there, once; an opted-out phone still takes an alert but not a callback.
#[tokio::test]
async fn stranded_alerts_and_callbacks_move_to_another_channel_once() {
    let (_d, store) = store().await;
    let svc = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    let people = store
        .import_people(
            &[
                ImportRow {
                    line: 2,
                    person: mentor(svc.id, "Sam"),
                    phone: Some(PhoneNumber::parse("+447700900111").unwrap()),
                },
                ImportRow {
                    line: 3,
                    person: mentor(svc.id, "Alex"),
                    phone: None,
                },
            ],
            T0,
        )
        .await
        .unwrap();
    let mut telegram = Vec::new();
    for (person, chat) in people.iter().zip(["1001", "1002"]) {
        let code = store.reissue_invite(*person, HOUR, T0).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let RedeemOutcome::Redeemed { identity, .. } = tx
            .redeem_invite(&code.code, ChannelKind::Telegram, chat, T0)
            .await
            .unwrap()
        else {
            panic!("redeem")
        };
        tx.commit().await.unwrap();
        telegram.push((*person, identity, chat));
    }
    let phone = store
        .identities_of(people[0])
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.channel == ChannelKind::Sms)
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.set_opted_out(phone.id, true, T0).await.unwrap();
    let queue = |i: usize, priority, body: &'static str, not_before| {
        let (person, identity, chat) = telegram[i];
        let mut m = to(chat, person, priority, body, not_before);
        m.identity_id = Some(identity);
        m
    };
    for m in [
        queue(0, Priority::Safeguarding, "alert for Sam", T0),
        queue(0, Priority::Safeguarding, "later alert for Sam", T0 + HOUR),
        queue(0, Priority::Callback, "callback for Sam", T0),
        queue(0, Priority::Reply, "reply for Sam", T0),
        queue(1, Priority::Safeguarding, "alert for Alex", T0),
    ] {
        tx.enqueue(&m, T0).await.unwrap();
    }
    tx.commit().await.unwrap();

    let moved = store
        .reroute_stranded(ChannelKind::Telegram, T0 + 1, "telegram down")
        .await
        .unwrap();
    assert_eq!(moved.len(), 1, "{moved:?}");
    let rows = store.outbox_rows(None).await.unwrap();
    let row = |body: &str, channel| rows.iter().find(|r| r.body == body && r.channel == channel);
    let original = row("alert for Sam", ChannelKind::Telegram).unwrap();
    assert_eq!(original.status, DeliveryStatus::Skipped);
    assert_eq!(original.last_error.as_deref(), Some("telegram down"));
    let by_sms = row("alert for Sam", ChannelKind::Sms).expect("the alert went to Sam's phone");
    assert_eq!((by_sms.id, by_sms.status), (moved[0].1, DeliveryStatus::Queued));
    assert_eq!(by_sms.address, "+447700900111");
    for body in [
        "later alert for Sam",
        "callback for Sam",
        "reply for Sam",
        "alert for Alex",
    ] {
        let r = row(body, ChannelKind::Telegram).unwrap();
        assert_eq!(r.status, DeliveryStatus::Queued, "{body} stays for Telegram");
        assert!(row(body, ChannelKind::Sms).is_none(), "{body}");
    }
    assert!(
        store
            .reroute_stranded(ChannelKind::Telegram, T0 + 2, "telegram down")
            .await
            .unwrap()
            .is_empty(),
        "moved once"
    );
}

#[tokio::test]
async fn concurrent_read_then_write_transactions_never_fail_busy() {
    let (_d, store) = store().await;
    let svc = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    let p = store
        .create_invite(mentor(svc.id, "Sam"), HOUR, T0)
        .await
        .unwrap()
        .person_id;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for j in 0..25 {
                let key = format!("k:{i}:{j}");
                let mut tx = store.begin().await?;
                if tx
                    .insert_inbox(InboxInsert {
                        channel: ChannelKind::Sms,
                        provider_key: &key,
                        address: "+447700900123",
                        body: None,
                        button_data: None,
                        received_at: T0,
                    })
                    .await?
                    .is_some()
                {
                    tx.enqueue(&outbound(p, Priority::Reply, "r", T0), T0).await?;
                }
                tx.commit().await?;
            }
            Ok::<_, StoreError>(())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(store.inbox_count().await.unwrap(), 400);
    assert_eq!(store.outbox_rows(None).await.unwrap().len(), 400);
}

#[tokio::test]
async fn one_message_per_recipient_is_in_flight_and_order_is_kept() {
    let (_d, store) = store().await;
    let svc = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    let p = store
        .create_invite(mentor(svc.id, "Sam"), HOUR, T0)
        .await
        .unwrap()
        .person_id;
    let mut tx = store.begin().await.unwrap();
    for (addr, prio, body) in [
        ("1001", Priority::Reply, "first"),
        ("1001", Priority::Reply, "second"),
        ("1001", Priority::Safeguarding, "urgent"),
        ("1002", Priority::Checkin, "other chat"),
    ] {
        tx.enqueue(&to(addr, p, prio, body, T0), T0).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut seen = Vec::new();
    for step in 0..5 {
        let batch = store
            .claim_due(ChannelKind::Telegram, T0 + step, T0 + 60_000, 10)
            .await
            .unwrap();
        // Claiming again while they are in flight yields nothing for the same recipients.
        assert!(
            store
                .claim_due(ChannelKind::Telegram, T0 + step, T0 + 60_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        for m in batch {
            seen.push((step, m.body.clone()));
            store.mark_sent(m.id, None, None, T0 + step).await.unwrap();
        }
    }
    let bodies: Vec<_> = seen.iter().map(|(s, b)| format!("{s}:{b}")).collect();
    assert_eq!(bodies, ["0:urgent", "0:other chat", "1:first", "2:second"]);
}

#[tokio::test]
async fn receipts_that_beat_the_send_call_keep_their_status_and_the_send_details_are_still_kept() {
    use DeliveryStatus::{Delivered, Failed, Sent};
    // Kannel reports by our id and can report before sendsms has answered: "accepted by the
    // SMSC" (8) alone, then "delivered" (1), or a failure.
    for (receipts, want) in [
        (&[Delivered][..], Delivered),
        (&[Sent][..], Sent),
        (&[Sent, Delivered][..], Delivered),
        (&[Failed][..], Failed),
    ] {
        let (_d, store) = store().await;
        let mut tx = store.begin().await.unwrap();
        let id = tx
            .enqueue(
                &NewOutbound {
                    person_id: None,
                    identity_id: None,
                    channel: ChannelKind::Sms,
                    address: "+447700900123".into(),
                    priority: Priority::Reply,
                    kind: "reply".into(),
                    body: "hello".into(),
                    buttons: None,
                    ignore_opt_out: false,
                    not_before: T0,
                },
                T0,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let claimed = store.claim_due(ChannelKind::Sms, T0, T0 + 60_000, 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        for status in receipts {
            assert!(
                store
                    .record_receipt(Some(id), None, *status, None, T0 + 1)
                    .await
                    .unwrap()
            );
        }
        store.mark_sent(id, Some("kannel-7"), Some(2), T0 + 2).await.unwrap();
        let row = store.outbox_row(id).await.unwrap();
        assert_eq!(row.status, want, "{receipts:?}: the receipt's status stands");
        assert_eq!(
            row.segments,
            Some(2),
            "{receipts:?}: the segment count (the cost) is kept"
        );
        assert_eq!(row.provider_id.as_deref(), Some("kannel-7"), "{receipts:?}");
        assert_eq!(row.sent_at, Some(T0 + 2), "{receipts:?}");
        assert!(
            store
                .claim_due(ChannelKind::Sms, T0 + 120_000, T0 + 180_000, 10)
                .await
                .unwrap()
                .is_empty(),
            "{receipts:?}: not sent again"
        );
    }
}

#[tokio::test]
async fn recipients_come_in_pages_that_cover_everyone_reachable_exactly_once() {
    let (_d, store) = store().await;
    let service = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap()
        .id;
    let rows: Vec<ImportRow> = (0..7)
        .map(|i| ImportRow {
            line: i + 2,
            person: NewPerson {
                status: PersonStatus::Active,
                role: if i == 3 { Role::Mentee } else { Role::Mentor },
                ..mentor(service, &format!("Mentor {i}"))
            },
            phone: (i != 5).then(|| PhoneNumber::parse(&format!("+4474000000{i:02}")).unwrap()),
        })
        .collect();
    let ids = store.import_people(&rows, T0).await.unwrap();
    // Mentor 1 opted out of their only number; Mentor 5 has none; Mentor 3 is a mentee.
    let opted = store.identities_of(ids[1]).await.unwrap()[0].id;
    let mut tx = store.begin().await.unwrap();
    tx.set_opted_out(opted, true, T0).await.unwrap();
    tx.commit().await.unwrap();

    let mut seen = Vec::new();
    let mut walk = store.recipient_pages(service, &[Role::Mentor], 2);
    let mut pages = 0;
    while let Some(page) = walk.next().await.unwrap() {
        assert!(page.len() <= 2);
        seen.extend(page.iter().map(|r| r.person.display_name.clone()));
        pages += 1;
    }
    assert_eq!(seen, ["Mentor 0", "Mentor 2", "Mentor 4", "Mentor 6"]);
    assert_eq!(pages, 2, "full pages until the end: no empty pages in between");
}

#[tokio::test]
async fn staff_alerts_go_before_crisis_replies_and_strangers_crisis_replies_last() {
    let (_d, store) = store().await;
    let service = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    let code = store.create_invite(mentor(service.id, "Jo"), HOUR, T0).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let RedeemOutcome::Redeemed { person: jo, .. } = tx
        .redeem_invite(&code.code, ChannelKind::Sms, "+447700900303", T0)
        .await
        .unwrap()
    else {
        panic!("enrol")
    };
    let crisis = |address: &str, person: Option<PersonId>, kind: &str| NewOutbound {
        person_id: person,
        identity_id: None,
        channel: ChannelKind::Sms,
        address: address.into(),
        priority: Priority::Safeguarding,
        kind: kind.into(),
        body: kind.into(),
        buttons: None,
        ignore_opt_out: true,
        not_before: T0,
    };
    // Oldest first: strangers' crisis replies, then one to Jo, then the coordinator's alert.
    for i in 0..5 {
        tx.enqueue(&crisis(&format!("+44770090{i:04}"), None, "crisis-reply"), T0)
            .await
            .unwrap();
    }
    tx.enqueue(&crisis("+447700900303", Some(jo.id), "crisis-reply"), T0 + 1)
        .await
        .unwrap();
    tx.enqueue(&crisis("+447700900901", Some(jo.id), "escalation-alert"), T0 + 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let order: Vec<String> = store
        .claim_due(ChannelKind::Sms, T0 + 10, T0 + 60_000, 3)
        .await
        .unwrap()
        .into_iter()
        .map(|m| format!("{} {}", m.kind, m.address))
        .collect();
    assert_eq!(
        order,
        [
            "escalation-alert +447700900901",
            "crisis-reply +447700900303",
            "crisis-reply +447700900000"
        ]
    );
}

#[tokio::test]
async fn a_service_with_corrupt_hours_is_reported_naming_the_value_never_defaulted() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("hours.db").display());
    let store = Store::open(&url).await.unwrap();
    let camden = store
        .add_service("Camden", chrono_tz::Europe::London, T0)
        .await
        .unwrap();
    // Edited by hand, outside Peerline.
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("UPDATE services SET working_start = '9am' WHERE id = ?")
        .bind(camden.id.0)
        .execute(&mut conn)
        .await
        .unwrap();
    let e = store.service(camden.id).await.map(|_| ()).expect_err("corrupt hours");
    assert!(matches!(e, StoreError::Corrupt(_)), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("Camden") && msg.contains("working_start \"9am\""), "{msg}");
}
