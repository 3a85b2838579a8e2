//! Scheduler bookkeeping: each (job, occurrence) is claimed exactly once, inside the transaction
//! that enqueues the occurrence's messages, so a crash either loses both or keeps both.

use super::{Result, Store, Tx};
use crate::domain::ServiceId;

/// How an occurrence ended, as recorded in `job_runs.outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// Its work was done (and committed with the claim).
    Ran,
    /// Missed by more than the grace window while Peerline was down: recorded, not run.
    Skipped,
}

impl JobOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            JobOutcome::Ran => "ran",
            JobOutcome::Skipped => "skipped",
        }
    }
}

/// Was this occurrence ours to run?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobClaim {
    /// First claim: run it and commit.
    Claimed,
    /// Already run (or skipped) before: do nothing.
    AlreadyRun,
}

impl Tx {
    /// Claim `job` at `occurrence` (the scheduled instant, Unix ms), recording `outcome`.
    pub async fn claim_occurrence(
        &mut self,
        job: &str,
        occurrence: i64,
        service: Option<ServiceId>,
        now: i64,
        outcome: JobOutcome,
    ) -> Result<JobClaim> {
        let inserted = sqlx::query(
            "INSERT INTO job_runs (job, occurrence, service_id, claimed_at, outcome) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(job, occurrence) DO NOTHING",
        )
        .bind(job)
        .bind(occurrence)
        .bind(service.map(|s| s.0))
        .bind(now)
        .bind(outcome.as_str())
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(if inserted == 1 {
            JobClaim::Claimed
        } else {
            JobClaim::AlreadyRun
        })
    }

    /// Record how many messages an occurrence enqueued.
    pub async fn set_job_messages(&mut self, job: &str, occurrence: i64, messages: i64) -> Result<()> {
        sqlx::query("UPDATE job_runs SET messages = ? WHERE job = ? AND occurrence = ?")
            .bind(messages)
            .bind(job)
            .bind(occurrence)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// Has this occurrence been claimed already? A cheap read that spares a write
    /// transaction on every tick for work that is long done.
    pub async fn is_claimed(&self, job: &str, occurrence: i64) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM job_runs WHERE job = ? AND occurrence = ?")
            .bind(job)
            .bind(occurrence)
            .fetch_optional(&self.read)
            .await?;
        Ok(found.is_some())
    }

    /// The latest occurrence of `job` that was claimed, if any.
    pub async fn last_occurrence(&self, job: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT MAX(occurrence) FROM job_runs WHERE job = ?")
            .bind(job)
            .fetch_one(&self.read)
            .await?)
    }
}
