//! Peer callbacks: requests, offers to mentors, and the one acceptance that wins.

use rand::Rng;

use super::{Contact, Result, Store, Tx};
use crate::domain::{ChannelKind, IdentityId, PersonId, ServiceId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Callback {
    pub id: i64,
    #[sqlx(rename = "ref")]
    pub reference: String,
    pub service_id: i64,
    pub mentee_id: i64,
    pub status: String,
    pub requested_at: i64,
    pub accepted_by: Option<i64>,
    pub safe_to_call: Option<String>,
    pub outcome: Option<String>,
}

const COLUMNS: &str = "id, ref, service_id, mentee_id, status, requested_at, accepted_by, safe_to_call, outcome";
const REF_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";

/// One weekly window in which a mentor takes callbacks: `weekday` 1 (Monday) to 7, local
/// `HH:MM` times, `end` after `start` (`24:00` for a window that runs to midnight).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window {
    pub weekday: u32,
    pub start: String,
    pub end: String,
}

impl Window {
    pub fn new(weekday: u32, start: &str, end: &str) -> Self {
        Window {
            weekday,
            start: start.to_owned(),
            end: end.to_owned(),
        }
    }
}

impl Tx {
    /// Replace a mentor's weekly availability.
    pub async fn set_availability(&mut self, person: PersonId, windows: &[Window]) -> Result<()> {
        sqlx::query("DELETE FROM availability WHERE person_id = ?")
            .bind(person.0)
            .execute(self.conn())
            .await?;
        for w in windows {
            sqlx::query(
                "INSERT OR REPLACE INTO availability (person_id, weekday, start_time, end_time) VALUES (?, ?, ?, ?)",
            )
            .bind(person.0)
            .bind(w.weekday)
            .bind(&w.start)
            .bind(&w.end)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// A mentor's weekly availability, by weekday then start.
    pub async fn availability_of(&mut self, person: PersonId) -> Result<Vec<Window>> {
        let rows: Vec<(u32, String, String)> = sqlx::query_as(
            "SELECT weekday, start_time, end_time FROM availability WHERE person_id = ? ORDER BY weekday, start_time",
        )
        .bind(person.0)
        .fetch_all(self.conn())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(weekday, start, end)| Window { weekday, start, end })
            .collect())
    }

    /// A new request, `waiting` (no mentor offered yet) or `offered`.
    pub async fn open_callback(&mut self, service: ServiceId, mentee: PersonId, now: i64) -> Result<Callback> {
        for _ in 0..20 {
            let reference: String = {
                let mut rng = rand::rng();
                std::iter::once('C')
                    .chain((0..4).map(|_| REF_ALPHABET[rng.random_range(0..REF_ALPHABET.len())] as char))
                    .collect()
            };
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO callbacks (ref, service_id, mentee_id, status, requested_at) VALUES (?, ?, ?, 'waiting', ?)
                 ON CONFLICT(ref) DO NOTHING RETURNING id",
            )
            .bind(&reference)
            .bind(service.0)
            .bind(mentee.0)
            .bind(now)
            .fetch_optional(self.conn())
            .await?;
            if let Some(id) = id {
                return self.callback(id).await;
            }
        }
        Err(super::StoreError::Conflict("no free callback reference".into()))
    }

    pub async fn callback(&mut self, id: i64) -> Result<Callback> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM callbacks WHERE id = ?"
        )))
        .bind(id)
        .fetch_one(self.conn())
        .await?)
    }

    /// The mentee's request still in progress (not cancelled, no outcome recorded), if any.
    pub async fn open_callback_of(&mut self, mentee: PersonId) -> Result<Option<Callback>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM callbacks WHERE mentee_id = ? AND status IN ('waiting', 'offered', 'accepted') AND outcome IS NULL
             ORDER BY id DESC LIMIT 1"
        )))
        .bind(mentee.0)
        .fetch_optional(self.conn())
        .await?)
    }

    pub async fn callback_by_ref(&mut self, service: ServiceId, reference: &str) -> Result<Option<Callback>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM callbacks WHERE service_id = ? AND ref = ?"
        )))
        .bind(service.0)
        .bind(reference.trim().to_ascii_uppercase())
        .fetch_optional(self.conn())
        .await?)
    }

    /// Mentors of `service` available at local `weekday` (1 = Monday) and `time` (`HH:MM`),
    /// reachable and not the requester, least recently given a callback first (fair rotation).
    pub async fn available_mentors(
        &mut self,
        service: ServiceId,
        weekday: u32,
        time: &str,
        except: PersonId,
        limit: i64,
    ) -> Result<Vec<Contact>> {
        let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
            "SELECT p.id, p.language, i.id, i.channel, i.address
             FROM people p
             JOIN availability a ON a.person_id = p.id AND a.weekday = ?2 AND a.start_time <= ?3 AND a.end_time > ?3
             JOIN identities i ON i.person_id = p.id AND i.opted_out_at IS NULL AND i.unreachable_at IS NULL
             WHERE p.service_id = ?1 AND p.role = 'mentor' AND p.status = 'active' AND p.id != ?4
             ORDER BY (SELECT MAX(c.accepted_at) FROM callbacks c WHERE c.accepted_by = p.id) IS NOT NULL,
                      (SELECT MAX(c.accepted_at) FROM callbacks c WHERE c.accepted_by = p.id), p.id,
                      i.channel != 'telegram', i.id",
        )
        .bind(service.0)
        .bind(weekday)
        .bind(time)
        .bind(except.0)
        .fetch_all(self.conn())
        .await?;
        let mut out: Vec<Contact> = Vec::new();
        for (person, lang, identity, channel, address) in rows {
            if out.iter().any(|c| c.person == PersonId(person)) {
                continue;
            }
            let (Ok(language), Some(channel)) = (lang.parse(), ChannelKind::parse(&channel)) else {
                continue;
            };
            out.push(Contact {
                person: PersonId(person),
                role: crate::domain::Role::Mentor,
                language,
                identity: IdentityId(identity),
                channel,
                address,
            });
            if out.len() as i64 >= limit {
                break;
            }
        }
        Ok(out)
    }

    pub async fn offer_callback(&mut self, callback: i64, mentor: PersonId, now: i64) -> Result<()> {
        sqlx::query("INSERT OR IGNORE INTO callback_offers (callback_id, mentor_id, offered_at) VALUES (?, ?, ?)")
            .bind(callback)
            .bind(mentor.0)
            .bind(now)
            .execute(self.conn())
            .await?;
        sqlx::query("UPDATE callbacks SET status = 'offered' WHERE id = ? AND status = 'waiting'")
            .bind(callback)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// First acceptance wins: true only for the mentor whose acceptance changed the status.
    pub async fn accept_callback(&mut self, callback: i64, mentor: PersonId, now: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE callbacks SET status = 'accepted', accepted_by = ?2, accepted_at = ?3
             WHERE id = ?1 AND status = 'offered'
               AND EXISTS (SELECT 1 FROM callback_offers WHERE callback_id = ?1 AND mentor_id = ?2)",
        )
        .bind(callback)
        .bind(mentor.0)
        .bind(now)
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Mentors a callback was offered to.
    pub async fn offered_to(&mut self, callback: i64) -> Result<Vec<PersonId>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT mentor_id FROM callback_offers WHERE callback_id = ? ORDER BY offered_at")
                .bind(callback)
                .fetch_all(self.conn())
                .await?;
        Ok(ids.into_iter().map(PersonId).collect())
    }

    pub async fn cancel_callback(&mut self, callback: i64) -> Result<bool> {
        let n =
            sqlx::query("UPDATE callbacks SET status = 'cancelled' WHERE id = ? AND status IN ('waiting', 'offered')")
                .bind(callback)
                .execute(self.conn())
                .await?
                .rows_affected();
        Ok(n == 1)
    }

    /// Record the mentee's answer to "when is it safe to call, is a voicemail OK?".
    pub async fn set_safe_to_call(&mut self, callback: i64, words: &str) -> Result<()> {
        sqlx::query("UPDATE callbacks SET safe_to_call = ? WHERE id = ?")
            .bind(words)
            .bind(callback)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The mentor who took it records what happened; false if it is not theirs.
    pub async fn set_callback_outcome(
        &mut self,
        callback: i64,
        mentor: PersonId,
        outcome: &str,
        now: i64,
    ) -> Result<bool> {
        let n = sqlx::query("UPDATE callbacks SET outcome = ?, outcome_at = ? WHERE id = ? AND accepted_by = ?")
            .bind(outcome)
            .bind(now)
            .bind(callback)
            .bind(mentor.0)
            .execute(self.conn())
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Mark that the coordinators were told nobody took it; false if already marked.
    pub async fn callback_coordinator_alerted(&mut self, callback: i64, now: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE callbacks SET coordinator_alerted_at = ? WHERE id = ? AND coordinator_alerted_at IS NULL",
        )
        .bind(now)
        .bind(callback)
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }
}

impl Store {
    /// Requests not accepted within their service's `callback_accept_minutes`, whose
    /// coordinators have not been told yet.
    pub async fn callbacks_unaccepted(&self, now: i64) -> Result<Vec<Callback>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.ref, c.service_id, c.mentee_id, c.status, c.requested_at, c.accepted_by, c.safe_to_call, c.outcome
             FROM callbacks c JOIN services s ON s.id = c.service_id
             WHERE c.status IN ('waiting', 'offered') AND c.coordinator_alerted_at IS NULL
               AND COALESCE((SELECT MIN(o.offered_at) FROM callback_offers o WHERE o.callback_id = c.id), c.requested_at)
                   + s.callback_accept_minutes * 60000 <= ?",
        )
        .bind(now)
        .fetch_all(&self.read)
        .await?)
    }

    /// Requests made out of hours, not yet offered to anyone.
    pub async fn callbacks_waiting(&self) -> Result<Vec<Callback>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM callbacks WHERE status = 'waiting' AND coordinator_alerted_at IS NULL ORDER BY id"
        )))
        .fetch_all(&self.read)
        .await?)
    }

    /// Replace a mentor's weekly availability.
    pub async fn set_availability(&self, person: PersonId, windows: &[Window]) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.set_availability(person, windows).await?;
        tx.commit().await
    }
}
