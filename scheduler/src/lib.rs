//! Peerline's scheduler: cron expressions evaluated on each service's local wall clock,
//! resolved to instants exactly once across daylight-saving changes (`peerline_core::localtime`), each
//! occurrence claimed in the `job_runs` table in the same transaction that queues its
//! messages, so a crash or restart neither loses nor repeats a run. Occurrences missed while
//! Peerline was down are caught up within a grace window; older ones are skipped, logged and
//! counted.
//!
//! Layout: [`Scheduler::tick`] (here) calls each job once per tick; every job is a file of its
//! own under `jobs/` (check-ins and closing them, supervision planning, reminders 48 h and
//! 2 h before, the after-session record prompt, the weekly "supervision due" digest,
//! safeguarding re-alerts and the watchdog, callbacks, inbox notices, retention); every
//! cron occurrence goes through the one exactly-once helper in `occurrence.rs`; `preview`
//! answers "what will run when" for the CLI without running anything.
//!
//! This crate depends on `peerline-core` only: it writes to the outbox and never talks to a
//! channel itself. Time comes from the injected clock.

mod jobs;
mod occurrence;
pub mod preview;

use std::{sync::Arc, time::Duration as StdDuration};

use chrono::Duration;
use peerline_core::{
    Clock,
    i18n::Localizer,
    safeguarding::EscalationPolicy,
    signal::OutboxSignal,
    store::{Store, StoreError},
    wellbeing::Rules,
};
use tokio_util::sync::CancellationToken;

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one tick did (tests and logs).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub queued: usize,
    pub skipped_occurrences: usize,
}

/// Runs scheduled jobs for every service.
#[derive(Clone)]
pub struct Scheduler {
    store: Store,
    i18n: Arc<Localizer>,
    clock: Arc<dyn Clock>,
    signal: OutboxSignal,
    /// Occurrences missed by more than this (while Peerline was down) are skipped.
    grace: Duration,
    rules: Rules,
    escalation: EscalationPolicy,
    /// Message bodies older than this are purged (`privacy.message_retention_days`).
    retention: Option<(Duration, Duration)>,
    /// `sms.max_segments`: the most a scheduled SMS may take.
    sms_max_segments: u32,
}

/// People read per query when a job goes to a whole service (a fan-out to 100,000 people holds
/// one page in memory, not everyone).
const PAGE: u32 = 1_000;

impl Scheduler {
    pub fn new(
        store: Store,
        i18n: Arc<Localizer>,
        clock: Arc<dyn Clock>,
        signal: OutboxSignal,
        grace: Duration,
    ) -> Self {
        Self {
            store,
            i18n,
            clock,
            signal,
            grace,
            rules: Rules::default(),
            escalation: EscalationPolicy::default(),
            retention: Some((Duration::days(90), Duration::days(6 * 365))),
            sms_max_segments: peerline_core::quote::SMS_SEGMENTS,
        }
    }

    /// How long message bodies and escalations' verbatim words are kept.
    pub fn with_retention(mut self, messages: Duration, escalations: Duration) -> Self {
        self.retention = Some((messages, escalations));
        self
    }

    /// Re-alert and deputy intervals for unacknowledged escalations.
    pub fn with_escalation_policy(mut self, policy: EscalationPolicy) -> Self {
        self.escalation = policy;
        self
    }

    /// The cap on a scheduled SMS (`sms.max_segments`; 3 unless set).
    pub fn with_sms_max_segments(mut self, segments: u32) -> Self {
        self.sms_max_segments = segments.max(1);
        self
    }

    /// Run until `shutdown`, ticking every `every` (and at start).
    pub async fn run(self, every: StdDuration, shutdown: CancellationToken) {
        tracing::info!(every = ?every, grace_hours = self.grace.num_hours(), "scheduler started");
        // After a tick that failed because the database took no writes, the next comes sooner
        // (1 s, doubling up to `every`), so reminders and re-alerts resume within seconds of
        // the cause going away; the store logs the outage once.
        let mut retry = None::<StdDuration>;
        loop {
            let wait = match self.tick().await {
                Ok(r) => {
                    if r.queued > 0 || r.skipped_occurrences > 0 {
                        tracing::info!(queued = r.queued, skipped = r.skipped_occurrences, "scheduler tick");
                    }
                    retry = None;
                    every
                }
                Err(SchedulerError::Store(e)) if e.unavailable().is_some() => {
                    self.store.note_write_error(&e);
                    let next = retry.map_or(StdDuration::from_secs(1), |r| r * 2).min(every);
                    retry = Some(next);
                    next
                }
                Err(e) => {
                    tracing::error!(error = %e, "scheduler tick failed; will retry");
                    every
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(wait) => {}
            }
        }
        tracing::info!("scheduler stopped");
    }

    /// Do everything due at the clock's current time. Safe to call as often as you like, from
    /// several processes: every run is claimed once.
    pub async fn tick(&self) -> Result<TickReport, SchedulerError> {
        let now = self.clock.now();
        let mut report = TickReport::default();
        for service in self.store.services().await? {
            self.plan_supervision(&service, now).await?;
            self.checkins(&service, now, &mut report).await?;
            self.digest(&service, now, &mut report).await?;
        }
        self.escalations(now, &mut report).await?;
        self.watchdog(now, &mut report).await?;
        self.callbacks(now, &mut report).await?;
        self.retention(now).await?;
        self.close_checkins(now, &mut report).await?;
        self.reminders(now, &mut report).await?;
        self.record_prompts(now, &mut report).await?;
        self.inbox_notices(now, &mut report).await?;
        if report.queued > 0 {
            self.signal.notify();
        }
        Ok(report)
    }
}
