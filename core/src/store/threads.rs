//! Unanswered messages: what a person wrote or sent that no command, keyword or open question
//! handled (free text, voice notes, photos), kept in their service's inbox until a coordinator
//! replies or closes it. A person's unanswered messages are one thread: a reply or `/done` on
//! any of them answers them all.

use rand::Rng;

use super::{Result, Store, StoreError, Tx};
use crate::domain::{ChannelKind, PersonId, ServiceId};

const REF_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";

/// A message waiting for a human, as coordinators see it (never the person's number).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Unanswered {
    pub inbox_id: i64,
    pub reference: String,
    pub person_id: i64,
    pub name: String,
    pub channel: String,
    pub received_at: i64,
    /// `None` once purged by retention, or for media without a caption.
    pub body: Option<String>,
    pub media_kind: Option<String>,
    pub media_seconds: Option<i64>,
    /// Telegram's id for a media message, to copy it to a coordinator.
    pub media_message_id: Option<i64>,
    /// The identity it came from: a reply goes back the same way.
    pub identity_id: Option<i64>,
}

impl Unanswered {
    pub fn channel(&self) -> Option<ChannelKind> {
        ChannelKind::parse(&self.channel)
    }
}

const COLUMNS: &str = "i.id AS inbox_id, i.reference, i.person_id, p.display_name AS name, i.channel, i.received_at,
    i.body, i.media_kind, i.media_seconds, i.media_message_id, i.identity_id";

/// How a thread ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadEnd {
    /// A coordinator replied.
    Answered,
    /// Closed without a reply (`/done`).
    Done,
}

impl ThreadEnd {
    fn as_str(self) -> &'static str {
        match self {
            ThreadEnd::Answered => "answered",
            ThreadEnd::Done => "done",
        }
    }
}

/// A media message's kind and length, as kept with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaNote<'a> {
    pub kind: &'a str,
    pub seconds: Option<u32>,
    /// Telegram's id for the message, when it came by Telegram.
    pub message_id: Option<i64>,
}

impl Tx {
    /// Keep inbox row `inbox_id` (already stored) as unanswered in `service`'s inbox; returns
    /// its reference.
    pub async fn mark_unanswered(
        &mut self,
        inbox_id: i64,
        service: ServiceId,
        media: Option<MediaNote<'_>>,
    ) -> Result<String> {
        for _ in 0..20 {
            let reference: String = {
                let mut rng = rand::rng();
                std::iter::once('M')
                    .chain((0..4).map(|_| REF_ALPHABET[rng.random_range(0..REF_ALPHABET.len())] as char))
                    .collect()
            };
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM inbox WHERE reference = ?")
                .bind(&reference)
                .fetch_optional(self.conn())
                .await?;
            if taken.is_some() {
                continue;
            }
            sqlx::query(
                "UPDATE inbox SET service_id = ?, thread = 'unanswered', reference = ?, media_kind = ?, media_seconds = ?,
                        media_message_id = ?
                 WHERE id = ?",
            )
            .bind(service.0)
            .bind(&reference)
            .bind(media.map(|m| m.kind))
            .bind(media.and_then(|m| m.seconds).map(i64::from))
            .bind(media.and_then(|m| m.message_id))
            .bind(inbox_id)
            .execute(self.conn())
            .await?;
            return Ok(reference);
        }
        Err(StoreError::Conflict("no free message reference".into()))
    }

    /// The service's unanswered messages, oldest first, at most `limit`, and how many there
    /// are in all.
    pub async fn unanswered(&mut self, service: ServiceId, limit: u32) -> Result<(Vec<Unanswered>, i64)> {
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM inbox i JOIN people p ON p.id = i.person_id
             WHERE i.service_id = ? AND i.thread = 'unanswered' ORDER BY i.received_at, i.id LIMIT ?"
        )))
        .bind(service.0)
        .bind(i64::from(limit))
        .fetch_all(self.conn())
        .await?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE service_id = ? AND thread = 'unanswered'")
                .bind(service.0)
                .fetch_one(self.conn())
                .await?;
        Ok((rows, total))
    }

    /// An unanswered message by reference within one service; another service's references are
    /// "none", exactly like references that do not exist.
    pub async fn unanswered_by_ref(&mut self, service: ServiceId, reference: &str) -> Result<Option<Unanswered>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM inbox i JOIN people p ON p.id = i.person_id
             WHERE i.service_id = ? AND i.reference = ? AND i.thread = 'unanswered'"
        )))
        .bind(service.0)
        .bind(reference.trim().to_ascii_uppercase())
        .fetch_optional(self.conn())
        .await?)
    }

    /// The service an unanswered-message reference belongs to, whoever asks: only for
    /// auditing attempts on another service's messages, never to answer them.
    pub async fn unanswered_owner(&mut self, reference: &str) -> Result<Option<ServiceId>> {
        let owner: Option<Option<i64>> = sqlx::query_scalar("SELECT service_id FROM inbox WHERE reference = ?")
            .bind(reference.trim().to_ascii_uppercase())
            .fetch_optional(self.conn())
            .await?;
        Ok(owner.flatten().map(ServiceId))
    }

    /// End `person`'s thread: every unanswered message of theirs. Returns how many.
    pub async fn end_thread(&mut self, person: PersonId, end: ThreadEnd, by: PersonId, now: i64) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE inbox SET thread = ?, closed_at = ?, closed_by = ? WHERE person_id = ? AND thread = 'unanswered'",
        )
        .bind(end.as_str())
        .bind(now)
        .bind(by.0)
        .bind(person.0)
        .execute(self.conn())
        .await?
        .rows_affected())
    }

    /// How many unanswered messages in `service` no coordinator has been told about.
    pub async fn unnotified(&mut self, service: ServiceId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM inbox WHERE service_id = ? AND thread = 'unanswered' AND notified_at IS NULL",
        )
        .bind(service.0)
        .fetch_one(self.conn())
        .await?)
    }

    /// Coordinators have been told (or have looked): nothing in `service` is new any more.
    pub async fn mark_notified(&mut self, service: ServiceId, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE inbox SET notified_at = ? WHERE service_id = ? AND thread = 'unanswered' AND notified_at IS NULL",
        )
        .bind(now)
        .bind(service.0)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Was anything of `kind` queued to `person` at or after `since`? (One acknowledgement
    /// per burst of messages, one notice per batch.)
    pub async fn queued_since(&mut self, person: PersonId, kind: &str, since: i64) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE person_id = ? AND kind = ? AND created_at >= ?")
                .bind(person.0)
                .bind(kind)
                .bind(since)
                .fetch_one(self.conn())
                .await?;
        Ok(n > 0)
    }

    /// The unanswered message a Telegram message (one Peerline sent to `chat` listing it)
    /// stands for: when a coordinator answers that message with Telegram's reply.
    pub async fn unanswered_for_sent(
        &mut self,
        service: ServiceId,
        chat: &str,
        telegram_message_id: i64,
    ) -> Result<Option<Unanswered>> {
        let kind: Option<String> = sqlx::query_scalar(
            "SELECT kind FROM outbox WHERE channel = 'telegram' AND address = ? AND provider_id = ?
               AND (kind LIKE 'inbox-item:%' OR kind LIKE 'inbox-copy:%')",
        )
        .bind(chat)
        .bind(telegram_message_id.to_string())
        .fetch_optional(self.conn())
        .await?;
        let reference = kind
            .as_deref()
            .and_then(|k| k.strip_prefix("inbox-item:").or_else(|| k.strip_prefix("inbox-copy:")));
        match reference {
            Some(reference) => self.unanswered_by_ref(service, reference).await,
            None => Ok(None),
        }
    }
}

impl Store {
    /// Services with unanswered messages no coordinator has been told about, received before
    /// `before`: for the scheduler's batched notice.
    pub async fn services_with_unnotified(&self, before: i64) -> Result<Vec<ServiceId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT service_id FROM inbox
             WHERE thread = 'unanswered' AND notified_at IS NULL AND service_id IS NOT NULL AND received_at < ?",
        )
        .bind(before)
        .fetch_all(&self.read)
        .await?;
        Ok(ids.into_iter().map(ServiceId).collect())
    }
}
