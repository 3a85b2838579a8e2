//! The one way a job runs an occurrence: at most once across restarts and processes.
//!
//! Every occurrence goes through [`Scheduler::occurrence`]: a cheap read skips what is long
//! done; one missed by more than the grace window is recorded as skipped (logged and counted)
//! and not run; otherwise the claim is taken in a write transaction, and the job writes its
//! messages through that same transaction ([`Claimed`]), so the claim and the work commit
//! together or not at all.

use chrono::{DateTime, Utc};
use peerline_core::{
    clock::{from_millis, to_millis},
    domain::ServiceId,
    localtime::LocalSchedule,
    store::{JobClaim, JobOutcome, Service, StoreError, Tx},
};

use crate::{Scheduler, SchedulerError, TickReport};

/// An occurrence this caller claimed: write its work through [`Claimed::tx`], then
/// [`Claimed::commit`]. Dropped without committing, the claim is rolled back with the work.
pub(crate) struct Claimed {
    tx: Tx,
    job: String,
    at: DateTime<Utc>,
}

impl Claimed {
    pub(crate) fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// Commit the claim with its work, recording how many messages it queued.
    pub(crate) async fn commit(mut self, queued: usize) -> Result<(), StoreError> {
        if queued > 0 {
            let queued = i64::try_from(queued).unwrap_or(i64::MAX);
            self.tx.set_job_messages(&self.job, to_millis(self.at), queued).await?;
        }
        self.tx.commit().await
    }
}

impl Scheduler {
    /// `job`'s occurrence at `at`, if it is this caller's to run now: `None` when it ran (or
    /// was skipped) before, or when it was missed by more than the grace window, which is
    /// then recorded as skipped.
    pub(crate) async fn occurrence(
        &self,
        job: &str,
        at: DateTime<Utc>,
        service: Option<ServiceId>,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<Option<Claimed>, SchedulerError> {
        if self.store.is_claimed(job, to_millis(at)).await? {
            return Ok(None);
        }
        if now - at > self.grace {
            self.skip(job, at, service, now, report).await?;
            return Ok(None);
        }
        self.claim(job, at, service, now).await
    }

    /// Claim an occurrence whatever its age (for work that catches up by itself: planning,
    /// retention).
    pub(crate) async fn claim(
        &self,
        job: &str,
        at: DateTime<Utc>,
        service: Option<ServiceId>,
        now: DateTime<Utc>,
    ) -> Result<Option<Claimed>, SchedulerError> {
        let mut tx = self.store.begin().await?;
        let claim = tx
            .claim_occurrence(job, to_millis(at), service, to_millis(now), JobOutcome::Ran)
            .await?;
        Ok((claim == JobClaim::Claimed).then(|| Claimed {
            tx,
            job: job.to_owned(),
            at,
        }))
    }

    async fn skip(
        &self,
        job: &str,
        at: DateTime<Utc>,
        service: Option<ServiceId>,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), SchedulerError> {
        let mut tx = self.store.begin().await?;
        let claim = tx
            .claim_occurrence(job, to_millis(at), service, to_millis(now), JobOutcome::Skipped)
            .await?;
        tx.commit().await?;
        if claim == JobClaim::Claimed {
            tracing::warn!(job, occurrence = %at, "occurrence missed by more than the grace window; skipped");
            metrics::counter!("peerline_scheduler_skipped_total").increment(1);
            report.skipped_occurrences += 1;
        }
        Ok(())
    }

    /// Occurrences of `schedule` for `job` after the last one claimed (or, the first time,
    /// within the grace window) and due by `now`, oldest first.
    pub(crate) async fn due(
        &self,
        job: &str,
        schedule: &LocalSchedule,
        now: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, SchedulerError> {
        let since = match self.store.last_occurrence(job).await? {
            Some(ms) => from_millis(ms),
            None => now - self.grace,
        };
        Ok(schedule.after(since).take_while(|t| *t <= now).take(1000).collect())
    }

    /// A service's cron expression on its local clock; a bad one is logged and its job not run.
    pub(crate) fn schedule(service: &Service, expr: &str, what: &str) -> Option<LocalSchedule> {
        match LocalSchedule::parse(expr, service.timezone) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(service = %service.id, what, error = %e, "bad schedule; job not run");
                None
            }
        }
    }
}
