//! Storage limitation: message bodies are purged after the retention period, metadata stays,
//! and safeguarding records keep their words for much longer.

mod support;

use chrono::Duration;
use peerline_bot::InboundPayload;
use peerline_core::{
    Clock,
    domain::{ChannelKind, Role},
};
use support::world::World;

#[tokio::test]
async fn bodies_older_than_ninety_days_are_purged_but_escalation_words_are_kept() {
    let w = World::new("2026-11-02T11:00:00Z").await;
    w.store.set_schedule(w.service.id, Some(""), None).await.unwrap();
    w.enrol("Chris", Role::Coordinator, None, ChannelKind::Telegram, "900")
        .await;
    w.enrol("Jo", Role::Mentee, None, ChannelKind::Sms, "+447700900303")
        .await;
    w.say(
        ChannelKind::Sms,
        "+447700900303",
        InboundPayload::Text("an old private message".into()),
    )
    .await;
    w.say(
        ChannelKind::Sms,
        "+447700900303",
        InboundPayload::Text("i want to kill myself".into()),
    )
    .await;
    let esc = w.store.escalations(None).await.unwrap()[0].clone();
    w.say(
        ChannelKind::Telegram,
        "900",
        InboundPayload::Text(format!("/resolve {} safe now", esc.reference)),
    )
    .await;
    // Everything queued so far counts as delivered.
    for m in w
        .store
        .claim_due(ChannelKind::Sms, i64::MAX / 2, i64::MAX / 2, 100)
        .await
        .unwrap()
    {
        w.store.mark_sent(m.id, None, None, 0).await.unwrap();
    }
    for m in w
        .store
        .claim_due(ChannelKind::Telegram, i64::MAX / 2, i64::MAX / 2, 100)
        .await
        .unwrap()
    {
        w.store.mark_sent(m.id, None, None, 0).await.unwrap();
    }
    let scheduler = w.scheduler();
    w.run_until(&scheduler, w.clock.now() + Duration::days(89), Duration::hours(12))
        .await;
    w.say(
        ChannelKind::Sms,
        "+447700900303",
        InboundPayload::Text("a recent message".into()),
    )
    .await;
    assert!(
        w.store.inbox_rows(10).await.unwrap().iter().all(|r| r.body.is_some()),
        "nothing purged before 90 days"
    );
    w.run_until(&scheduler, w.clock.now() + Duration::days(2), Duration::hours(1))
        .await;

    let inbox = w.store.inbox_rows(10).await.unwrap();
    let body = |text: &str| inbox.iter().find(|r| r.body.as_deref() == Some(text)).is_some();
    assert!(
        !body("an old private message") && !body("i want to kill myself"),
        "old bodies purged"
    );
    assert!(body("a recent message"), "recent bodies kept");
    assert_eq!(inbox.len(), 4, "the rows themselves (metadata) stay");
    let old_out: Vec<_> = w
        .store
        .outbox_rows(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.sent_at.is_some())
        .collect();
    assert!(
        !old_out.is_empty() && old_out.iter().all(|r| r.body.is_empty()),
        "sent message bodies purged"
    );
    let esc = w.store.escalations(None).await.unwrap()[0].clone();
    assert_eq!(
        esc.verbatim.as_deref(),
        Some("i want to kill myself"),
        "safeguarding records keep the words"
    );
    assert_eq!(esc.outcome.as_deref(), Some("safe now"));
}
