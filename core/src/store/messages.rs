//! Inbox (deduplicated intake) and outbox (durable, prioritised delivery queue).
//!
//! SQLite has no `SKIP LOCKED`, so a worker claims due rows with one atomic
//! `UPDATE … RETURNING` that sets a lease; a worker that dies mid-send leaves a lease that
//! expires, and the row is claimed again.

use super::{Result, Store, StoreError, Tx, corrupt};
use crate::domain::{ChannelKind, IdentityId, OutboxId, PersonId};

/// A Telegram inline keyboard: rows of (label, callback data) buttons.
pub type Keyboard = Vec<Vec<(String, String)>>;

/// Delivery order: lower goes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Safeguarding = 0,
    Callback = 1,
    Reply = 2,
    Reminder = 3,
    Checkin = 4,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Priority::Safeguarding,
        Priority::Callback,
        Priority::Reply,
        Priority::Reminder,
        Priority::Checkin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Safeguarding => "safeguarding",
            Priority::Callback => "callback",
            Priority::Reply => "reply",
            Priority::Reminder => "reminder",
            Priority::Checkin => "checkin",
        }
    }

    fn from_i64(n: i64) -> Result<Self> {
        Priority::ALL
            .get(usize::try_from(n).unwrap_or(usize::MAX))
            .copied()
            .ok_or_else(|| corrupt(format!("priority {n}")))
    }
}

/// Where an outbound message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Queued,
    Sending,
    Sent,
    Delivered,
    /// The provider refused it for good (blocked bot, invalid number, undelivered).
    Failed,
    /// Retries exhausted.
    Dead,
    /// Not sent on purpose (the person opted out).
    Skipped,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Dead => "dead",
            DeliveryStatus::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "queued" => DeliveryStatus::Queued,
            "sending" => DeliveryStatus::Sending,
            "sent" => DeliveryStatus::Sent,
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            "dead" => DeliveryStatus::Dead,
            "skipped" => DeliveryStatus::Skipped,
            other => return Err(corrupt(format!("delivery status {other:?}"))),
        })
    }
}

/// An inbound message to record.
#[derive(Debug, Clone)]
pub struct InboxInsert<'a> {
    pub channel: ChannelKind,
    /// Provider-unique key (`tg:<bot>:<update_id>`, `twilio:<sid>`, `kannel:<id>`).
    pub provider_key: &'a str,
    pub address: &'a str,
    pub body: Option<&'a str>,
    pub button_data: Option<&'a str>,
    pub received_at: i64,
}

/// An inbound message as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct InboxRow {
    pub id: i64,
    pub channel: String,
    pub provider_key: String,
    #[serde(skip_serializing)]
    pub address: String,
    pub person_id: Option<i64>,
    pub body: Option<String>,
    pub button_data: Option<String>,
    pub received_at: i64,
    pub handled_at: Option<i64>,
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewOutbound {
    pub person_id: Option<PersonId>,
    pub identity_id: Option<IdentityId>,
    pub channel: ChannelKind,
    pub address: String,
    pub priority: Priority,
    /// What the message is for (`reply`, `opt-out-confirmation`, `reminder`…), for metrics.
    pub kind: String,
    pub body: String,
    /// Telegram inline keyboard: rows of (label, callback data).
    pub buttons: Option<Keyboard>,
    pub ignore_opt_out: bool,
    pub not_before: i64,
}

/// A message claimed for sending.
#[derive(Debug, Clone)]
pub struct ClaimedMessage {
    pub id: OutboxId,
    pub person_id: Option<PersonId>,
    pub identity_id: Option<IdentityId>,
    pub channel: ChannelKind,
    pub address: String,
    pub priority: Priority,
    pub kind: String,
    pub body: String,
    pub buttons: Option<Keyboard>,
    /// Attempts including this one.
    pub attempts: u32,
    pub created_at: i64,
    /// The escalation this message alerts staff to (or tells staff about).
    pub escalation_id: Option<i64>,
    /// What to send instead if the provider refuses this for its content (too long).
    pub short_body: Option<String>,
    /// Its lane inside its priority (see `lane`): staff alerts before crisis replies.
    pub lane: u8,
}

/// What a safeguarding message carries besides the message itself.
#[derive(Debug, Clone, Default)]
pub struct Safeguard<'a> {
    /// The escalation an alert belongs to, so the watchdog can tell whether any alert of it
    /// reached a provider.
    pub escalation_id: Option<i64>,
    /// A shorter form for a provider that refuses the message for its length. Never holds a
    /// person's words.
    pub short_body: Option<&'a str>,
}

/// Where a message stands inside its priority (lower first): a flood of strangers' crisis
/// replies must never hold back an alert to staff or a reply to someone enrolled.
fn lane(m: &NewOutbound) -> i64 {
    let crisis_reply = m.kind == "crisis-reply" || m.kind.starts_with("crisis-reply-");
    match (m.priority, crisis_reply, m.person_id) {
        (Priority::Safeguarding, true, Some(_)) => 1,
        (Priority::Safeguarding, true, None) => 2,
        _ => 0,
    }
}

/// A row as stored, for tests, the CLI and exports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxRow {
    pub id: OutboxId,
    pub person_id: Option<PersonId>,
    pub channel: ChannelKind,
    #[serde(skip_serializing)]
    pub address: String,
    pub priority: Priority,
    pub kind: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub not_before: i64,
    pub last_error: Option<String>,
    pub provider_id: Option<String>,
    pub segments: Option<u32>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RawOutbox {
    id: i64,
    person_id: Option<i64>,
    identity_id: Option<i64>,
    channel: String,
    address: String,
    priority: i64,
    kind: String,
    body: String,
    buttons: Option<String>,
    status: String,
    attempts: i64,
    not_before: i64,
    last_error: Option<String>,
    provider_id: Option<String>,
    segments: Option<i64>,
    created_at: i64,
    sent_at: Option<i64>,
    escalation_id: Option<i64>,
    short_body: Option<String>,
    lane: i64,
}

const OUTBOX_COLUMNS: &str = "id, person_id, identity_id, channel, address, priority, kind, body, buttons, status, \
     attempts, not_before, last_error, provider_id, segments, created_at, sent_at, escalation_id, short_body, lane";

/// What is wrong with the way a message was addressed, when it is rerouted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Avoid {
    /// The identity refused it (blocked, unknown number): any other identity will do.
    Identity,
    /// The channel's provider is down: only another channel will do.
    Channel,
}

/// Queue `failed` again to the person's next reachable identity, as [`Store::reroute`].
async fn reroute_in(tx: &mut Tx, failed: &ClaimedMessage, now: i64, avoid: Avoid) -> Result<Option<OutboxId>> {
    let (Some(person), Some(bad)) = (failed.person_id, failed.identity_id) else {
        return Ok(None);
    };
    let next: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT id, channel, address FROM identities
         WHERE person_id = ?1 AND id != ?2 AND (?3 = 0 OR channel != ?4) AND unreachable_at IS NULL
           AND (opted_out_at IS NULL OR ?5 = 0)
         ORDER BY channel != 'telegram', id LIMIT 1",
    )
    .bind(person.0)
    .bind(bad.0)
    .bind(avoid == Avoid::Channel)
    .bind(failed.channel.as_str())
    .bind(failed.priority as i64)
    .fetch_optional(tx.conn())
    .await?;
    let Some((identity, channel, address)) = next else {
        return Ok(None);
    };
    let id = tx
        .enqueue_with(
            &NewOutbound {
                person_id: Some(person),
                identity_id: Some(IdentityId(identity)),
                channel: channel_of(&channel)?,
                address,
                priority: failed.priority,
                kind: format!("{}-fallback", failed.kind),
                body: failed.body.clone(),
                buttons: None,
                ignore_opt_out: failed.priority == Priority::Safeguarding,
                not_before: now,
            },
            &Safeguard {
                escalation_id: failed.escalation_id,
                short_body: failed.short_body.as_deref(),
            },
            now,
        )
        .await?;
    sqlx::query("UPDATE outbox SET followed_up_at = ? WHERE id = ?")
        .bind(now)
        .bind(failed.id.0)
        .execute(tx.conn())
        .await?;
    Ok(Some(id))
}

fn channel_of(s: &str) -> Result<ChannelKind> {
    ChannelKind::parse(s).ok_or_else(|| corrupt(format!("channel {s:?}")))
}

fn buttons_of(s: Option<String>) -> Result<Option<Keyboard>> {
    s.map(|j| serde_json::from_str(&j).map_err(|e| corrupt(format!("buttons: {e}"))))
        .transpose()
}

impl TryFrom<RawOutbox> for OutboxRow {
    type Error = StoreError;
    fn try_from(r: RawOutbox) -> Result<Self> {
        Ok(OutboxRow {
            id: OutboxId(r.id),
            person_id: r.person_id.map(PersonId),
            channel: channel_of(&r.channel)?,
            address: r.address,
            priority: Priority::from_i64(r.priority)?,
            kind: r.kind,
            body: r.body,
            status: DeliveryStatus::parse(&r.status)?,
            attempts: u32::try_from(r.attempts).unwrap_or(0),
            not_before: r.not_before,
            last_error: r.last_error,
            provider_id: r.provider_id,
            segments: r.segments.and_then(|s| u32::try_from(s).ok()),
            created_at: r.created_at,
            sent_at: r.sent_at,
        })
    }
}

impl TryFrom<RawOutbox> for ClaimedMessage {
    type Error = StoreError;
    fn try_from(r: RawOutbox) -> Result<Self> {
        Ok(ClaimedMessage {
            id: OutboxId(r.id),
            person_id: r.person_id.map(PersonId),
            identity_id: r.identity_id.map(IdentityId),
            channel: channel_of(&r.channel)?,
            address: r.address,
            priority: Priority::from_i64(r.priority)?,
            kind: r.kind,
            body: r.body,
            buttons: buttons_of(r.buttons)?,
            attempts: u32::try_from(r.attempts).unwrap_or(0),
            created_at: r.created_at,
            escalation_id: r.escalation_id,
            short_body: r.short_body,
            lane: u8::try_from(r.lane).unwrap_or(0),
        })
    }
}

/// What a final refusal means for the identity the message went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityEffect {
    None,
    /// The address can never be reached (blocked bot, invalid number).
    Unreachable(IdentityId),
    /// The provider says the person unsubscribed there.
    OptedOut(IdentityId),
}

/// Queue depth and oldest age for one priority.
#[derive(Debug, Clone, Copy)]
pub struct QueueStat {
    pub priority: Priority,
    pub queued: i64,
    pub oldest_created_at: Option<i64>,
}

impl Tx {
    /// Record an inbound message. `None` when the provider key was seen before: the message
    /// has already been handled (or is being handled) and must not be handled again.
    pub async fn insert_inbox(&mut self, m: InboxInsert<'_>) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "INSERT INTO inbox (channel, provider_key, address, body, button_data, received_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(provider_key) DO NOTHING RETURNING id",
        )
        .bind(m.channel.as_str())
        .bind(m.provider_key)
        .bind(m.address)
        .bind(m.body)
        .bind(m.button_data)
        .bind(m.received_at)
        .fetch_optional(self.conn())
        .await?)
    }

    /// Link an inbox row to the sender once known, and mark it handled.
    pub async fn mark_inbox_handled(
        &mut self,
        inbox_id: i64,
        identity: Option<IdentityId>,
        person: Option<PersonId>,
        now: i64,
    ) -> Result<()> {
        sqlx::query("UPDATE inbox SET identity_id = ?, person_id = ?, handled_at = ? WHERE id = ?")
            .bind(identity.map(|i| i.0))
            .bind(person.map(|p| p.0))
            .bind(now)
            .bind(inbox_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    pub async fn enqueue(&mut self, m: &NewOutbound, now: i64) -> Result<OutboxId> {
        self.enqueue_with(m, &Safeguard::default(), now).await
    }

    /// [`Tx::enqueue`] for a safeguarding message: with its escalation and a shorter form.
    pub async fn enqueue_with(&mut self, m: &NewOutbound, extra: &Safeguard<'_>, now: i64) -> Result<OutboxId> {
        let buttons = m
            .buttons
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| corrupt(format!("buttons: {e}")))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (person_id, identity_id, channel, address, priority, kind, body, buttons, ignore_opt_out, not_before, created_at,
                                 lane, escalation_id, short_body)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(m.person_id.map(|p| p.0))
        .bind(m.identity_id.map(|i| i.0))
        .bind(m.channel.as_str())
        .bind(&m.address)
        .bind(m.priority as i64)
        .bind(&m.kind)
        .bind(&m.body)
        .bind(buttons)
        .bind(m.ignore_opt_out)
        .bind(m.not_before)
        .bind(now)
        .bind(lane(m))
        .bind(extra.escalation_id)
        .bind(extra.short_body)
        .fetch_one(self.conn())
        .await?;
        metrics::counter!("peerline_outbox_queued_total", "channel" => m.channel.as_str(), "priority" => m.priority.as_str()).increment(1);
        Ok(OutboxId(id))
    }
}

impl Store {
    /// Claim up to `limit` due messages for `channel`, leasing them until `lease_until`.
    /// Messages to opted-out identities (other than safeguarding and the opt-out confirmation)
    /// are marked `skipped` instead, and messages to unreachable identities `failed`.
    /// Returned in delivery order: priority, then due time, then age.
    pub async fn claim_due(
        &self,
        channel: ChannelKind,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> Result<Vec<ClaimedMessage>> {
        let mut tx = self.begin().await?;
        // A worker that died mid-send left a lease that has run out: back in the queue.
        sqlx::query("UPDATE outbox SET status = 'queued', lease_until = NULL WHERE status = 'sending' AND channel = ?1 AND lease_until <= ?2")
            .bind(channel.as_str())
            .bind(now)
            .execute(tx.conn())
            .await?;
        // Candidates: the front of the delivery order, read off the (status, priority,
        // not_before, id) index and skipping recipients with a message in flight, so a claim
        // costs the same with a 100,000-message backlog as with ten.
        let candidates = "SELECT id FROM outbox
             WHERE status = 'queued' AND channel = ?1 AND not_before <= ?2
               AND address NOT IN (SELECT address FROM outbox WHERE status = 'sending' AND channel = ?1)
             ORDER BY priority, lane, not_before, id LIMIT ?3";
        let window = i64::from(limit.max(16)) * 16;
        let skipped = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE outbox SET status = 'skipped', last_error = 'recipient opted out', lease_until = NULL
             WHERE id IN ({candidates}) AND priority > 0 AND ignore_opt_out = 0
               AND identity_id IN (SELECT id FROM identities WHERE opted_out_at IS NOT NULL)"
        )))
        .bind(channel.as_str())
        .bind(now)
        .bind(window)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if skipped > 0 {
            metrics::counter!("peerline_outbox_skipped_total", "channel" => channel.as_str()).increment(skipped);
        }
        // One message per recipient at a time: the oldest most urgent one, and none while an
        // earlier one to the same address is still being sent. That keeps a conversation in
        // order and lets per-recipient rate limits work without holding other chats back.
        // (The candidates are a prefix of the delivery order, so the first candidate for an
        // address is that address's first due message.)
        let rows: Vec<RawOutbox> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE outbox SET status = 'sending', lease_until = ?4, attempts = attempts + 1
             WHERE id IN (
                SELECT id FROM (
                    SELECT o.id, o.priority, o.lane, o.not_before,
                           ROW_NUMBER() OVER (PARTITION BY o.address ORDER BY o.priority, o.lane, o.not_before, o.id) AS rn
                    FROM outbox o WHERE o.id IN ({candidates})
                ) WHERE rn = 1
                ORDER BY priority, lane, not_before, id LIMIT ?5)
             RETURNING {OUTBOX_COLUMNS}"
        )))
        .bind(channel.as_str())
        .bind(now)
        .bind(window)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(tx.conn())
        .await?;
        tx.commit().await?;
        let mut claimed = rows
            .into_iter()
            .map(ClaimedMessage::try_from)
            .collect::<Result<Vec<_>>>()?;
        claimed.sort_by_key(|m| (m.priority, m.lane, m.id));
        Ok(claimed)
    }

    /// The provider accepted the message. Its delivery receipt can win the race with this
    /// call (Kannel reports delivery by our id, sometimes before `sendsms` has answered):
    /// then the status the receipt set stands, and the send's details are still recorded.
    pub async fn mark_sent(
        &self,
        id: OutboxId,
        provider_id: Option<&str>,
        segments: Option<u32>,
        now: i64,
    ) -> Result<()> {
        self.wrote(
            sqlx::query(
                "UPDATE outbox SET status = CASE WHEN status = 'sending' THEN 'sent' ELSE status END,
                    provider_id = COALESCE(?1, provider_id), segments = COALESCE(?2, segments),
                    sent_at = COALESCE(sent_at, ?3), lease_until = NULL,
                    last_error = CASE WHEN status = 'sending' THEN NULL ELSE last_error END
             WHERE id = ?4 AND (status = 'sending' OR (status IN ('sent', 'delivered', 'failed') AND sent_at IS NULL))",
            )
            .bind(provider_id)
            .bind(segments.map(i64::from))
            .bind(now)
            .bind(id.0)
            .execute(&self.write)
            .await,
        )?;
        Ok(())
    }

    /// A transient failure: try again at `retry_at`.
    pub async fn mark_retry(&self, id: OutboxId, retry_at: i64, error: &str) -> Result<()> {
        self.wrote(
sqlx::query("UPDATE outbox SET status = 'queued', not_before = ?, last_error = ?, lease_until = NULL WHERE id = ? AND status = 'sending'")
            .bind(retry_at)
            .bind(error)
            .bind(id.0)
            .execute(&self.write)
            .await,
)?;
        Ok(())
    }

    /// Put a message back without counting the attempt (rate limited, or the provider is
    /// down), noting why when there was an error.
    pub async fn release(&self, id: OutboxId, retry_at: i64, error: Option<&str>) -> Result<()> {
        self.wrote(
sqlx::query(
            "UPDATE outbox SET status = 'queued', not_before = ?, attempts = MAX(attempts - 1, 0), lease_until = NULL,
                    last_error = COALESCE(?, last_error)
             WHERE id = ? AND status = 'sending'",
        )
        .bind(retry_at)
        .bind(error)
        .bind(id.0)
        .execute(&self.write)
        .await,
)?;
        Ok(())
    }

    /// Give up on a message: `failed` for a permanent refusal, `dead` for exhausted retries,
    /// with what the refusal means for the recipient's identity.
    pub async fn mark_final(
        &self,
        id: OutboxId,
        status: DeliveryStatus,
        error: &str,
        effect: IdentityEffect,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE outbox SET status = ?, last_error = ?, lease_until = NULL WHERE id = ?")
            .bind(status.as_str())
            .bind(error)
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        match effect {
            IdentityEffect::None => {}
            IdentityEffect::Unreachable(identity) => tx.mark_unreachable(identity, error, now).await?,
            IdentityEffect::OptedOut(identity) => tx.set_opted_out(identity, true, now).await?,
        }
        tx.commit().await?;
        Ok(())
    }

    /// The address of a safeguarding or callback message turned out unreachable: queue the
    /// same message to the person's next reachable identity (Telegram first, then SMS).
    /// Returns the new message's id, or `None` when there is no other way to reach them. (When
    /// the provider is down instead, see [`Store::reroute_stranded`].)
    pub async fn reroute(&self, failed: &ClaimedMessage, now: i64) -> Result<Option<OutboxId>> {
        let mut tx = self.begin().await?;
        let id = reroute_in(&mut tx, failed, now, Avoid::Identity).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// While `channel`'s provider is down: every due safeguarding and callback message queued
    /// on it, for someone reachable on another channel, goes that way now, and the original is
    /// marked `skipped` with `why`. The rest wait for the provider. Returns the pairs
    /// (original, new) moved.
    pub async fn reroute_stranded(
        &self,
        channel: ChannelKind,
        now: i64,
        why: &str,
    ) -> Result<Vec<(OutboxId, OutboxId)>> {
        let stranded = format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox o
             WHERE status = 'queued' AND channel = ?1 AND not_before <= ?2 AND priority <= ?3
               AND EXISTS (SELECT 1 FROM identities i
                           WHERE i.person_id = o.person_id AND i.channel != o.channel AND i.unreachable_at IS NULL
                             AND (i.opted_out_at IS NULL OR o.priority = 0))
             ORDER BY priority, lane, not_before, id LIMIT 100"
        );
        let query = || {
            sqlx::query_as::<_, RawOutbox>(sqlx::AssertSqlSafe(stranded.clone()))
                .bind(channel.as_str())
                .bind(now)
                .bind(Priority::Callback as i64)
        };
        // Usually there are none: look before taking the write lock.
        if query().fetch_optional(&self.read).await?.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let rows = query().fetch_all(tx.conn()).await?;
        let mut moved = Vec::new();
        for row in rows {
            let msg = ClaimedMessage::try_from(row)?;
            let Some(new) = reroute_in(&mut tx, &msg, now, Avoid::Channel).await? else {
                continue;
            };
            sqlx::query("UPDATE outbox SET status = 'skipped', last_error = ? WHERE id = ? AND status = 'queued'")
                .bind(why)
                .bind(msg.id.0)
                .execute(tx.conn())
                .await?;
            moved.push((msg.id, new));
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// A delivery receipt arrived for the message the provider knows as `provider_id`.
    /// Returns whether a message matched.
    pub async fn record_receipt(
        &self,
        outbox_id: Option<OutboxId>,
        provider_id: Option<&str>,
        status: DeliveryStatus,
        error: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        let delivered_at = (status == DeliveryStatus::Delivered).then_some(now);
        // Receipts can arrive out of order: never move a delivered message backwards.
        let n = self.wrote(
sqlx::query(
            "UPDATE outbox SET status = ?1, delivered_at = COALESCE(?2, delivered_at), last_error = COALESCE(?3, last_error)
             WHERE ((?4 IS NOT NULL AND id = ?4) OR (?4 IS NULL AND provider_id = ?5))
               AND status IN ('sending', 'sent', 'delivered', 'failed') AND status != 'delivered'",
        )
        .bind(status.as_str())
        .bind(delivered_at)
        .bind(error)
        .bind(outbox_id.map(|i| i.0))
        .bind(provider_id)
        .execute(&self.write)
        .await,
)?
        .rows_affected();
        Ok(n > 0)
    }

    /// Queue depth per priority, for metrics.
    pub async fn queue_stats(&self) -> Result<Vec<QueueStat>> {
        let rows: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT priority, COUNT(*), MIN(created_at) FROM outbox WHERE status IN ('queued', 'sending') GROUP BY priority",
        )
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|(p, queued, oldest)| {
                Ok(QueueStat {
                    priority: Priority::from_i64(p)?,
                    queued,
                    oldest_created_at: oldest,
                })
            })
            .collect()
    }

    /// Outbox rows, oldest first (tests, CLI, exports).
    pub async fn outbox_rows(&self, person: Option<PersonId>) -> Result<Vec<OutboxRow>> {
        let rows: Vec<RawOutbox> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE (?1 IS NULL OR person_id = ?1) ORDER BY id"
        )))
        .bind(person.map(|p| p.0))
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(OutboxRow::try_from).collect()
    }

    pub async fn outbox_row(&self, id: OutboxId) -> Result<OutboxRow> {
        let row: Option<RawOutbox> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?"
        )))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("no outbox message {id}")))?
            .try_into()
    }

    /// The latest inbox rows, newest first (exports, tests).
    pub async fn inbox_rows(&self, limit: i64) -> Result<Vec<InboxRow>> {
        Ok(sqlx::query_as(
            "SELECT id, channel, provider_key, address, person_id, body, button_data, received_at, handled_at
             FROM inbox ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?)
    }

    /// Purge message bodies older than `before` (inbox, and outbox messages that are finished),
    /// and escalations' verbatim words older than `escalations_before`. Metadata stays; purged
    /// rows say when. Returns (inbox, outbox, escalations) rows purged.
    pub async fn purge_bodies(&self, before: i64, escalations_before: i64, now: i64) -> Result<(u64, u64, u64)> {
        let mut tx = self.begin().await?;
        let inbox = sqlx::query(
            "UPDATE inbox SET body = NULL, button_data = NULL, body_purged_at = ?
             WHERE received_at < ? AND body_purged_at IS NULL AND handled_at IS NOT NULL",
        )
        .bind(now)
        .bind(before)
        .execute(tx.conn())
        .await?
        .rows_affected();
        let outbox = sqlx::query(
            "UPDATE outbox SET body = '', buttons = NULL, short_body = NULL, body_purged_at = ?
             WHERE created_at < ? AND body_purged_at IS NULL AND status IN ('sent', 'delivered', 'failed', 'dead', 'skipped')",
        )
        .bind(now)
        .bind(before)
        .execute(tx.conn())
        .await?
        .rows_affected();
        let escalations = sqlx::query(
            "UPDATE escalations SET verbatim = NULL WHERE created_at < ? AND verbatim IS NOT NULL AND status = 'resolved'",
        )
        .bind(escalations_before)
        .execute(tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok((inbox, outbox, escalations))
    }

    /// Number of inbox rows (tests and crash checks).
    pub async fn inbox_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM inbox")
            .fetch_one(&self.read)
            .await?)
    }
}

impl Store {
    /// Persist a small piece of process state.
    pub async fn kv_set(&self, key: &str, value: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.kv_set(key, value).await?;
        tx.commit().await
    }
}

/// A safeguarding message that ended `failed` or `dead` with no other way tried, for the
/// watchdog to report to the service's other staff.
#[derive(Debug, Clone)]
pub struct Undelivered {
    pub id: OutboxId,
    pub person_id: Option<PersonId>,
    pub channel: ChannelKind,
    pub kind: String,
    pub escalation_id: Option<i64>,
    pub status: DeliveryStatus,
}

impl Store {
    /// The provider refused a message for its content: send its shorter form instead, now.
    /// Returns false when it has none (or already is the short form).
    pub async fn shorten(&self, id: OutboxId, error: &str, now: i64) -> Result<bool> {
        let n = self
            .wrote(
                sqlx::query(
                    "UPDATE outbox SET body = short_body, short_body = NULL, status = 'queued', not_before = ?1,
                    lease_until = NULL, last_error = ?2
             WHERE id = ?3 AND status = 'sending' AND short_body IS NOT NULL AND short_body != body",
                )
                .bind(now)
                .bind(error)
                .bind(id.0)
                .execute(&self.write)
                .await,
            )?
            .rows_affected();
        Ok(n > 0)
    }

    /// Safeguarding messages that ended `failed` or `dead` and were neither sent another way
    /// nor reported yet, oldest first.
    pub async fn undelivered_safeguarding(&self, limit: u32) -> Result<Vec<Undelivered>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            person_id: Option<i64>,
            channel: String,
            kind: String,
            escalation_id: Option<i64>,
            status: String,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, person_id, channel, kind, escalation_id, status FROM outbox
             WHERE priority = 0 AND followed_up_at IS NULL AND status IN ('failed', 'dead')
             ORDER BY id LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Undelivered {
                    id: OutboxId(r.id),
                    person_id: r.person_id.map(PersonId),
                    channel: channel_of(&r.channel)?,
                    kind: r.kind,
                    escalation_id: r.escalation_id,
                    status: DeliveryStatus::parse(&r.status)?,
                })
            })
            .collect()
    }
}

impl Tx {
    /// A failed safeguarding message has been dealt with (reported, or sent another way).
    pub async fn mark_followed_up(&mut self, id: OutboxId, now: i64) -> Result<()> {
        sqlx::query("UPDATE outbox SET followed_up_at = ? WHERE id = ? AND followed_up_at IS NULL")
            .bind(now)
            .bind(id.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
