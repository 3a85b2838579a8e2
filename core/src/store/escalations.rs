//! Safeguarding escalations and their timeline.

use rand::Rng;

use super::{Result, Store, Tx, corrupt};
use crate::domain::{EscalationSource, EscalationStatus, PersonId, ServiceId};

/// An escalation as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Escalation {
    pub id: i64,
    #[sqlx(rename = "ref")]
    #[serde(rename = "ref")]
    pub reference: String,
    pub service_id: i64,
    pub subject_person_id: Option<i64>,
    pub raised_by: Option<i64>,
    pub source: EscalationSource,
    pub channel: Option<String>,
    pub verbatim: Option<String>,
    pub categories: String,
    /// The rules that flagged it (risk language only), joined with "; ".
    pub risk_rules: String,
    pub status: EscalationStatus,
    pub created_at: i64,
    pub last_alert_at: i64,
    pub alerts_sent: i64,
    pub deputy_alerted_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by: Option<i64>,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<i64>,
    pub outcome: Option<String>,
}

/// One entry in an escalation's timeline.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct EscalationEvent {
    pub at: i64,
    pub kind: String,
    pub person_id: Option<i64>,
    pub detail: Option<String>,
}

/// An escalation to open.
#[derive(Debug, Clone)]
pub struct NewEscalation<'a> {
    pub service: ServiceId,
    pub subject: Option<PersonId>,
    pub raised_by: Option<PersonId>,
    pub source: EscalationSource,
    pub channel: Option<&'a str>,
    pub verbatim: Option<&'a str>,
    pub categories: &'a str,
    /// Names of the rules that matched (see `risk::RiskMatch::rule`), joined with "; ".
    pub risk_rules: &'a str,
}

const COLUMNS: &str = "id, ref, service_id, subject_person_id, raised_by, source, channel, verbatim, categories, risk_rules, status, \
     created_at, last_alert_at, alerts_sent, deputy_alerted_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, outcome";

/// References avoid letters and digits that are confused when read out or typed.
const REF_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";

fn new_ref() -> String {
    let mut rng = rand::rng();
    let body: String = (0..4)
        .map(|_| REF_ALPHABET[rng.random_range(0..REF_ALPHABET.len())] as char)
        .collect();
    format!("E{body}")
}

impl Tx {
    pub async fn open_escalation(&mut self, e: &NewEscalation<'_>, now: i64) -> Result<Escalation> {
        let mut attempt = 0;
        let id: i64 = loop {
            attempt += 1;
            let r = sqlx::query_scalar(
                "INSERT INTO escalations (ref, service_id, subject_person_id, raised_by, source, channel, verbatim, categories, risk_rules, created_at, last_alert_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ref) DO NOTHING RETURNING id",
            )
            .bind(new_ref())
            .bind(e.service.0)
            .bind(e.subject.map(|p| p.0))
            .bind(e.raised_by.map(|p| p.0))
            .bind(e.source)
            .bind(e.channel)
            .bind(e.verbatim)
            .bind(e.categories)
            .bind(e.risk_rules)
            .bind(now)
            .bind(now)
            .fetch_optional(self.conn())
            .await?;
            match r {
                Some(id) => break id,
                None if attempt < 20 => continue,
                None => return Err(super::StoreError::Conflict("no free escalation reference".into())),
            }
        };
        self.escalation_event(id, "opened", e.raised_by, Some(e.source.as_str()), now)
            .await?;
        self.escalation(id)
            .await?
            .ok_or_else(|| corrupt(format!("escalation {id} vanished as it was opened")))
    }

    /// `None` when there is no such escalation; a database failure is an error, never "none".
    pub async fn escalation(&mut self, id: i64) -> Result<Option<Escalation>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM escalations WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(self.conn())
        .await?)
    }

    /// The service an escalation (`E…`) or callback (`C…`) reference belongs to, whoever asks.
    /// Only for auditing attempts on another service's records; never to answer them.
    pub async fn reference_owner(&mut self, reference: &str) -> Result<Option<ServiceId>> {
        let owner: Option<i64> = sqlx::query_scalar(
            "SELECT service_id FROM escalations WHERE ref = ?1
             UNION ALL SELECT service_id FROM callbacks WHERE ref = ?1 LIMIT 1",
        )
        .bind(reference.trim().to_ascii_uppercase())
        .fetch_optional(self.conn())
        .await?;
        Ok(owner.map(ServiceId))
    }

    /// Look an escalation up by reference within one service: other services' references
    /// are "not found", exactly like references that do not exist.
    pub async fn escalation_by_ref(&mut self, service: ServiceId, reference: &str) -> Result<Option<Escalation>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM escalations WHERE service_id = ? AND ref = ?"
        )))
        .bind(service.0)
        .bind(reference.trim().to_ascii_uppercase())
        .fetch_optional(self.conn())
        .await?)
    }

    pub async fn escalation_event(
        &mut self,
        id: i64,
        kind: &str,
        person: Option<PersonId>,
        detail: Option<&str>,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO escalation_events (escalation_id, at, kind, person_id, detail) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(now)
        .bind(kind)
        .bind(person.map(|p| p.0))
        .bind(detail)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Record that alerts went out now (and whether the deputies were included).
    pub async fn alerted(&mut self, id: i64, deputies: bool, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE escalations SET last_alert_at = ?, alerts_sent = alerts_sent + 1,
               deputy_alerted_at = CASE WHEN ? AND deputy_alerted_at IS NULL THEN ? ELSE deputy_alerted_at END
             WHERE id = ?",
        )
        .bind(now)
        .bind(deputies)
        .bind(now)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Open → acknowledged. False when it was not open.
    pub async fn acknowledge(&mut self, id: i64, by: PersonId, now: i64) -> Result<bool> {
        let n = sqlx::query("UPDATE escalations SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND status = 'open'")
            .bind(now)
            .bind(by.0)
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        if n == 1 {
            self.escalation_event(id, "acknowledged", Some(by), None, now).await?;
        }
        Ok(n == 1)
    }

    /// Open or acknowledged → resolved, with an outcome note. False when already resolved.
    pub async fn resolve(&mut self, id: i64, by: PersonId, outcome: &str, now: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE escalations SET status = 'resolved', resolved_at = ?, resolved_by = ?, outcome = ?,
               acknowledged_at = COALESCE(acknowledged_at, ?), acknowledged_by = COALESCE(acknowledged_by, ?)
             WHERE id = ? AND status != 'resolved'",
        )
        .bind(now)
        .bind(by.0)
        .bind(outcome)
        .bind(now)
        .bind(by.0)
        .bind(id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 1 {
            self.escalation_event(id, "resolved", Some(by), Some(outcome), now)
                .await?;
        }
        Ok(n == 1)
    }

    pub async fn open_escalations_of(&mut self, service: ServiceId) -> Result<Vec<Escalation>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM escalations WHERE service_id = ? AND status != 'resolved' ORDER BY created_at"
        )))
        .bind(service.0)
        .fetch_all(self.conn())
        .await?)
    }

    pub async fn escalation_events(&mut self, id: i64) -> Result<Vec<EscalationEvent>> {
        Ok(sqlx::query_as(
            "SELECT at, kind, person_id, detail FROM escalation_events WHERE escalation_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.conn())
        .await?)
    }
}

impl Store {
    /// Open escalations whose last alert is at least `every_ms` old.
    pub async fn escalations_due(&self, now: i64, every_ms: i64) -> Result<Vec<Escalation>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM escalations WHERE status = 'open' AND last_alert_at + ? <= ? ORDER BY created_at"
        )))
        .bind(every_ms)
        .bind(now)
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn escalations(&self, service: Option<ServiceId>) -> Result<Vec<Escalation>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM escalations WHERE (?1 IS NULL OR service_id = ?1) ORDER BY id"
        )))
        .bind(service.map(|s| s.0))
        .fetch_all(&self.read)
        .await?)
    }
}

/// An open escalation none of whose alerts a provider has accepted, for any member of staff.
const UNREACHED: &str = "status = 'open' AND created_at <= ?1
     AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.escalation_id = escalations.id AND o.lane = 0
                     AND o.status IN ('sent', 'delivered'))";

impl Store {
    /// Open escalations older than `created_before` of which no alert has been accepted by a
    /// provider for anyone, and that staff have not yet been told about (the watchdog's work).
    pub async fn unreached_escalations(&self, created_before: i64) -> Result<Vec<Escalation>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM escalations WHERE {UNREACHED} AND undelivered_at IS NULL ORDER BY created_at"
        )))
        .bind(created_before)
        .fetch_all(&self.read)
        .await?)
    }

    /// How many open escalations older than `created_before` still have no alert accepted by
    /// a provider: while there are any, safeguarding health is degraded.
    pub async fn unreached_escalation_count(&self, created_before: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM escalations WHERE {UNREACHED}"
        )))
        .bind(created_before)
        .fetch_one(&self.read)
        .await?)
    }
}

impl Tx {
    /// Staff were told that no alert of escalation `id` reached a provider.
    pub async fn mark_undelivered(&mut self, id: i64, now: i64) -> Result<()> {
        sqlx::query("UPDATE escalations SET undelivered_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(self.conn())
            .await?;
        self.escalation_event(id, "undelivered", None, None, now).await
    }
}
