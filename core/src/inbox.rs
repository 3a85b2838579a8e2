//! Telling coordinators that messages are waiting for a human. Free text and media that no
//! command handled are kept as unanswered threads (see `store::threads`); this module queues
//! the notice to the service's coordinators and deputies, batched: the first message after a
//! quiet spell is announced at once, and whatever arrives after that is announced together at
//! most once every [`NOTICE_EVERY`]. Staff on Telegram get it at once; staff reachable only by
//! SMS get it in working hours. The engine calls [`notify`] as a message arrives; the
//! scheduler calls it every tick for what is left.

use chrono::{DateTime, Duration, Utc};

use crate::{
    clock::to_millis,
    domain::ChannelKind,
    i18n::Localizer,
    store::{Priority, Service, StoreError, Tx},
};

/// At most one notice per service this often.
pub const NOTICE_EVERY: Duration = Duration::minutes(10);

/// One acknowledgement per person per burst of messages this long.
pub const ACK_BURST: Duration = Duration::minutes(30);

fn notice_key(service: &Service) -> String {
    format!("inbox.notice:{}", service.id.0)
}

/// Queue "N new messages: /inbox" to the service's staff if there is anything they have not
/// been told and the last notice is older than [`NOTICE_EVERY`]. Returns the messages queued.
pub async fn notify(tx: &mut Tx, i18n: &Localizer, service: &Service, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let count = tx.unnotified(service.id).await?;
    if count == 0 {
        return Ok(0);
    }
    let now_ms = to_millis(now);
    let last = tx
        .kv_get(&notice_key(service))
        .await?
        .and_then(|v| v.parse::<i64>().ok());
    if last.is_some_and(|t| now_ms - t < NOTICE_EVERY.num_milliseconds()) {
        return Ok(0);
    }
    let mut queued = 0;
    for c in tx.staff_contacts(service.id).await? {
        let not_before = match c.channel {
            ChannelKind::Sms if !service.hours.staffed_at(now) => service.hours.next_staffed(now),
            _ => now,
        };
        let body = i18n.format(
            c.language,
            "inbox-notice",
            &[
                ("count", count.into()),
                ("service", service.name.as_str().into()),
                ("channel", c.channel.as_str().into()),
            ],
        );
        let m = c.message(Priority::Reply, "inbox-notice", body, None, to_millis(not_before));
        tx.enqueue(&m, now_ms).await?;
        queued += 1;
    }
    tx.mark_notified(service.id, now_ms).await?;
    tx.kv_set(&notice_key(service), &now_ms.to_string()).await?;
    Ok(queued)
}
