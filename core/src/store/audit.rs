//! The audit log: who did what, to whom, when. Written in the same transaction as the action.

use super::{Result, Store, Tx};
use crate::domain::{PersonId, ServiceId};

/// One action to record.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub at: i64,
    pub service_id: Option<ServiceId>,
    pub actor_person_id: Option<PersonId>,
    /// `cli`, `system`, or the channel the actor used.
    pub actor_label: &'a str,
    pub action: &'a str,
    pub subject_person_id: Option<PersonId>,
    /// Free text without message bodies or phone numbers.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub service_id: Option<i64>,
    pub actor_person_id: Option<i64>,
    /// The actor's name as the service knows them (an erased person's anonymous label).
    pub actor_name: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub subject_person_id: Option<i64>,
    pub subject_name: Option<String>,
    pub detail: Option<String>,
}

/// Which audit rows to read; every field narrows the search.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub service: Option<ServiceId>,
    /// Rows where this person acted or was acted upon.
    pub person: Option<PersonId>,
    /// Actions starting with this, e.g. `escalation.` or `person.export`.
    pub action_prefix: Option<String>,
    /// Rows at or after this instant (Unix ms).
    pub since: Option<i64>,
    pub limit: i64,
}

impl Tx {
    pub async fn audit(&mut self, e: AuditEntry<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, service_id, actor_person_id, actor_label, action, subject_person_id, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.at)
        .bind(e.service_id.map(|s| s.0))
        .bind(e.actor_person_id.map(|p| p.0))
        .bind(e.actor_label)
        .bind(e.action)
        .bind(e.subject_person_id.map(|p| p.0))
        .bind(e.detail)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// Audit rows matching `q`, newest first.
    pub async fn audit_rows(&self, q: &AuditQuery) -> Result<Vec<AuditRow>> {
        Ok(sqlx::query_as(
            "SELECT l.id, l.at, l.service_id, l.actor_person_id, a.display_name AS actor_name, l.actor_label, l.action,
                    l.subject_person_id, s.display_name AS subject_name, l.detail
             FROM audit_log l
             LEFT JOIN people a ON a.id = l.actor_person_id
             LEFT JOIN people s ON s.id = l.subject_person_id
             WHERE (?1 IS NULL OR l.service_id = ?1)
               AND (?2 IS NULL OR l.actor_person_id = ?2 OR l.subject_person_id = ?2)
               AND (?3 IS NULL OR substr(l.action, 1, length(?3)) = ?3)
               AND (?4 IS NULL OR l.at >= ?4)
             ORDER BY l.id DESC LIMIT ?5",
        )
        .bind(q.service.map(|s| s.0))
        .bind(q.person.map(|p| p.0))
        .bind(q.action_prefix.as_deref())
        .bind(q.since)
        .bind(q.limit)
        .fetch_all(&self.read)
        .await?)
    }
}
