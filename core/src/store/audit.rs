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
    pub actor_label: String,
    pub action: String,
    pub subject_person_id: Option<i64>,
    pub detail: Option<String>,
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
    /// Most recent audit rows for a service (or all services), newest first.
    pub async fn audit_rows(&self, service: Option<ServiceId>, limit: i64) -> Result<Vec<AuditRow>> {
        Ok(sqlx::query_as(
            "SELECT id, at, service_id, actor_person_id, actor_label, action, subject_person_id, detail
             FROM audit_log WHERE (?1 IS NULL OR service_id = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .bind(service.map(|s| s.0))
        .bind(limit)
        .fetch_all(&self.read)
        .await?)
    }
}
