//! Peerline's scheduler: cron expressions evaluated on each service's local wall clock,
//! resolved to instants exactly once across daylight-saving changes (`peerline_core::localtime`), each
//! occurrence claimed in the `job_runs` table in the same transaction that queues its
//! messages, so a crash or restart neither loses nor repeats a run. Occurrences missed while
//! Peerline was down are caught up within a grace window; older ones are skipped, logged and
//! counted.
//!
//! Jobs: weekly wellbeing check-ins; supervision planning (policy 1:1s, group sessions),
//! reminders 48 h and 2 h before, the coordinator's after-session record prompt and weekly
//! "supervision due" digest; closing check-in windows.
//!
//! This crate depends on `peerline-core` only: it writes to the outbox and never talks to a
//! channel itself. Time comes from the injected clock.

pub mod preview;

use std::{sync::Arc, time::Duration as StdDuration};

use chrono::{DateTime, Duration, Utc};
use peerline_core::{
    Clock,
    clock::{from_millis, to_millis},
    domain::{PersonId, Role, ServiceId},
    i18n::Localizer,
    safeguarding::{self, EscalationPolicy},
    signal::OutboxSignal,
    store::{Contact, JobClaim, NewOutbound, NewSession, Priority, Recipient, Service, Store, StoreError},
    supervision,
    wellbeing::{self, Rules},
};
use tokio_util::sync::CancellationToken;

use peerline_core::localtime::{self, LocalSchedule};

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

/// How long after a session's start the coordinator is asked to record it.
const RECORD_AFTER: Duration = Duration::hours(1);
/// People read per query when a job goes to a whole service (a fan-out to 100,000 people holds
/// one page in memory, not everyone).
const PAGE: u32 = 1_000;
const REMINDERS: [(&str, Duration); 2] = [("48h", Duration::hours(48)), ("2h", Duration::hours(2))];

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
            self.plan_supervision(&service, now, &mut report).await?;
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

    /// Messages for a human that arrived after the last notice: told to the service's staff in
    /// one notice once the batching interval has passed (`core::inbox`).
    async fn inbox_notices(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
        for id in self.store.services_with_unnotified(to_millis(now)).await? {
            let service = self.store.service(id).await?;
            let mut tx = self.store.begin().await?;
            report.queued += peerline_core::inbox::notify(&mut tx, &self.i18n, &service, now).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Occurrences of `schedule` for `job` that are due by `now`, each with whether it is still
    /// within the grace window.
    async fn due(
        &self,
        job: &str,
        schedule: &LocalSchedule,
        now: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, bool)>, SchedulerError> {
        let since = match self.store.last_occurrence(job).await? {
            Some(ms) => from_millis(ms),
            None => now - self.grace,
        };
        Ok(schedule
            .after(since)
            .take_while(|t| *t <= now)
            .take(1000)
            .map(|t| (t, now - t <= self.grace))
            .collect())
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
        if tx
            .claim_occurrence(job, to_millis(at), service, to_millis(now), "skipped")
            .await?
            == JobClaim::Claimed
        {
            tracing::warn!(job, occurrence = %at, "occurrence missed by more than the grace window; skipped");
            metrics::counter!("peerline_scheduler_skipped_total").increment(1);
            report.skipped_occurrences += 1;
        }
        tx.commit().await?;
        Ok(())
    }

    fn schedule(service: &Service, expr: &str, what: &str) -> Option<LocalSchedule> {
        match LocalSchedule::parse(expr, service.timezone) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(service = %service.id, what, error = %e, "bad schedule; job not run");
                None
            }
        }
    }

    /// Weekly ONS4 check-ins: open one per person and ask the first question.
    async fn checkins(
        &self,
        service: &Service,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), SchedulerError> {
        if service.checkin_schedule.trim().is_empty() {
            return Ok(()); // check-ins switched off for this service
        }
        let Some(schedule) = Self::schedule(service, &service.checkin_schedule, "check-ins") else {
            return Ok(());
        };
        let job = format!("checkin:{}", service.id);
        for (at, in_grace) in self.due(&job, &schedule, now).await? {
            if !in_grace {
                self.skip(&job, at, Some(service.id), now, report).await?;
                continue;
            }
            let mut roles = vec![Role::Mentor];
            if service.checkin_mentees {
                roles.push(Role::Mentee);
            }
            let closes = at + Duration::hours(service.checkin_window_hours.max(1));
            // Sent for the scheduled instant (even when this tick runs late), outside quiet hours.
            let send_at = to_millis(service.hours.after_quiet(at));
            let mut tx = self.store.begin().await?;
            if tx
                .claim_occurrence(&job, to_millis(at), Some(service.id), to_millis(now), "ran")
                .await?
                == JobClaim::AlreadyRun
            {
                continue;
            }
            let mut queued = 0;
            // Everyone in one transaction (all or none of the occurrence), read a page at a time.
            let mut pages = self.store.recipient_pages(service.id, &roles, PAGE);
            while let Some(page) = pages.next().await? {
                for Recipient { person, identity } in &page {
                    let Some(id) = tx
                        .open_checkin(person.id, service.id, to_millis(at), to_millis(now), to_millis(closes))
                        .await?
                    else {
                        continue;
                    };
                    let (body, buttons) =
                        wellbeing::question_message(&self.i18n, person.language, identity.channel, id, 0);
                    tx.enqueue(
                        &NewOutbound {
                            person_id: Some(person.id),
                            identity_id: Some(identity.id),
                            channel: identity.channel,
                            address: identity.address.clone(),
                            priority: Priority::Checkin,
                            kind: "checkin".into(),
                            body,
                            buttons,
                            ignore_opt_out: false,
                            not_before: send_at,
                        },
                        to_millis(now),
                    )
                    .await?;
                    queued += 1;
                }
            }
            tx.set_job_messages(&job, to_millis(at), queued as i64).await?;
            tx.commit().await?;
            tracing::info!(service = %service.id, occurrence = %at, queued, "wellbeing check-ins opened");
            report.queued += queued;
        }
        Ok(())
    }

    /// Re-send every unacknowledged alert, widening to deputies once it has waited long enough.
    async fn escalations(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
        let every = self.escalation.reprompt_every;
        for due in self
            .store
            .escalations_due(to_millis(now), every.num_milliseconds())
            .await?
        {
            // A wellbeing flag is not an emergency: it comes back during working hours only.
            if due.source == "wellbeing-flag" {
                let service = self.store.service(ServiceId(due.service_id)).await?;
                if !service.hours.staffed_at(now) {
                    continue;
                }
            }
            let mut tx = self.store.begin().await?;
            let Some(esc) = tx.escalation(due.id).await? else {
                continue;
            };
            if esc.status != "open" || esc.last_alert_at + every.num_milliseconds() > to_millis(now) {
                continue;
            }
            let deputies = to_millis(now) - esc.created_at >= self.escalation.deputy_after.num_milliseconds();
            let queued = safeguarding::alert(&mut tx, &self.i18n, &esc, deputies, true, now).await?;
            tx.commit().await?;
            tracing::warn!(escalation = %esc.reference, deputies, "safeguarding alert still unacknowledged; sent again");
            metrics::counter!("peerline_escalation_reprompts_total").increment(1);
            report.queued += queued;
        }
        Ok(())
    }

    /// Safeguarding messages that did not get through, and escalations none of whose alerts
    /// has reached anyone: staff are told at once, on every channel they have.
    async fn watchdog(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
        for msg in self.store.undelivered_safeguarding(100).await? {
            let mut tx = self.store.begin().await?;
            report.queued += safeguarding::report_undelivered(&mut tx, &self.i18n, &msg, now).await?;
            tx.commit().await?;
        }
        let before = to_millis(now - self.escalation.undelivered_after);
        for esc in self.store.unreached_escalations(before).await? {
            let mut tx = self.store.begin().await?;
            report.queued += safeguarding::report_unreached(&mut tx, &self.i18n, &esc, now).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Purge old message bodies, at most once an hour (a claimed occurrence per hour).
    async fn retention(&self, now: DateTime<Utc>) -> Result<(), SchedulerError> {
        let Some((messages, escalations)) = self.retention else {
            return Ok(());
        };
        let hour = now.timestamp_millis() / 3_600_000 * 3_600_000;
        let mut tx = self.store.begin().await?;
        if tx
            .claim_occurrence("retention", hour, None, to_millis(now), "ran")
            .await?
            == JobClaim::AlreadyRun
        {
            return Ok(());
        }
        tx.commit().await?;
        let (inbox, outbox, esc) = self
            .store
            .purge_bodies(to_millis(now - messages), to_millis(now - escalations), to_millis(now))
            .await?;
        // Unknown senders' addresses are kept only as long as their rationing needs them
        // (a day's welcome, an hour's lock-out), unless they asked for STOP.
        let strangers = self
            .store
            .purge_strangers(
                to_millis(now - Duration::days(7)),
                &(now - Duration::days(2)).format("%Y-%m-%d").to_string(),
            )
            .await?;
        if strangers > 0 {
            tracing::info!(strangers, "retention: idle unknown senders forgotten");
        }
        if inbox + outbox + esc > 0 {
            tracing::info!(inbox, outbox, escalations = esc, "retention: message bodies purged");
            metrics::counter!("peerline_retention_purged_total", "table" => "inbox").increment(inbox);
            metrics::counter!("peerline_retention_purged_total", "table" => "outbox").increment(outbox);
            metrics::counter!("peerline_retention_purged_total", "table" => "escalations").increment(esc);
        }
        Ok(())
    }

    /// Offer out-of-hours callback requests once the service opens; tell the coordinators
    /// about requests nobody took in time.
    async fn callbacks(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
        for cb in self.store.callbacks_waiting().await? {
            let service = self.store.service(ServiceId(cb.service_id)).await?;
            if !service.hours.staffed_at(now) {
                continue;
            }
            let mut tx = self.store.begin().await?;
            let offered = peerline_core::callbacks::offer(&mut tx, &self.i18n, &cb, &service, now).await?;
            if offered == 0 {
                report.queued += peerline_core::callbacks::tell_coordinators(&mut tx, &self.i18n, &cb, now).await?;
            }
            report.queued += offered;
            tx.commit().await?;
        }
        for cb in self.store.callbacks_unaccepted(to_millis(now)).await? {
            let service = self.store.service(ServiceId(cb.service_id)).await?;
            // The accept window runs in working hours: an out-of-hours request waits for the morning.
            if !service.hours.staffed_at(now) {
                continue;
            }
            let mut tx = self.store.begin().await?;
            report.queued += peerline_core::callbacks::tell_coordinators(&mut tx, &self.i18n, &cb, now).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Close check-ins whose window has passed and apply the rules (two missed in a row, or
    /// partial answers).
    async fn close_checkins(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
        for c in self.store.expired_checkins(to_millis(now)).await? {
            let mut tx = self.store.begin().await?;
            if tx.close_checkin(c.id, to_millis(now)).await? {
                let Some(closed) = tx.checkin(c.id).await? else {
                    continue;
                };
                let flags = wellbeing::conclude(&mut tx, &self.i18n, &self.rules, &closed, now).await?;
                report.queued += flags.len();
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Book each mentor's next policy 1:1, and the service's group sessions for the next
    /// fortnight. Once a day per service.
    async fn plan_supervision(
        &self,
        service: &Service,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), SchedulerError> {
        let Some(daily) = Self::schedule(service, "0 0 0 * * *", "planning") else {
            return Ok(());
        };
        let job = format!("plan:{}", service.id);
        let due = self.due(&job, &daily, now).await?;
        // Planning is idempotent: after downtime, one run catches up everything.
        let Some((latest, _)) = due.last().copied() else {
            return Ok(());
        };
        let time = service.hours.supervision_at;
        let today = now.with_timezone(&service.timezone).date_naive();
        let mut tx = self.store.begin().await?;
        if tx
            .claim_occurrence(&job, to_millis(latest), Some(service.id), to_millis(now), "ran")
            .await?
            == JobClaim::AlreadyRun
        {
            return Ok(());
        }
        let mut mentors = Vec::new();
        let mut pages = self.store.recipient_pages(service.id, &[Role::Mentor], PAGE);
        while let Some(page) = pages.next().await? {
            for Recipient { person, .. } in &page {
                mentors.push(person.id);
                let Some(start) = person.placement_start else { continue };
                let last = tx.last_one_to_one(person.id).await?;
                if last.as_ref().is_some_and(|(at, _)| *at > to_millis(now)) {
                    continue; // already booked (or deliberately cancelled: see the digest)
                }
                let after = last
                    .map(|(at, _)| from_millis(at).with_timezone(&service.timezone).date_naive())
                    .map_or(today - chrono::Days::new(1), |d| d.max(today - chrono::Days::new(1)));
                let Some(date) = supervision::next_policy_date(start, after) else {
                    continue;
                };
                let at = localtime::resolve(service.timezone, date.and_time(time));
                let session = NewSession {
                    service: service.id,
                    kind: "one-to-one",
                    starts_at: to_millis(at),
                    place: None,
                    source: "policy",
                    attendees: &[person.id],
                };
                tx.add_session(&session, to_millis(now)).await?;
                tracing::debug!(person = %person.id, at = %at, "policy supervision booked");
            }
        }
        if let Some(group) = Self::schedule(service, &service.group_schedule, "group supervision") {
            let attendees = &mentors;
            for at in group.after(now).take_while(|t| *t <= now + Duration::days(14)) {
                tx.add_group_session_once(service.id, to_millis(at), attendees, to_millis(now))
                    .await?;
            }
        }
        tx.commit().await?;
        let _ = report;
        Ok(())
    }

    /// Reminders 48 h and 2 h before each booked session, with Confirm / Can't make it.
    async fn reminders(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
        let window_end = now + Duration::hours(48) + Duration::minutes(1);
        for s in self
            .store
            .sessions_between(to_millis(now), to_millis(window_end))
            .await?
        {
            let starts = from_millis(s.starts_at);
            for (label, before) in REMINDERS {
                let at = starts - before;
                if at > now || (label == "2h" && s.response.as_deref() == Some("declined")) {
                    continue;
                }
                let job = format!("supervision-{label}:{}:{}", s.session_id, s.person_id);
                if self.store.is_claimed(&job, to_millis(at)).await? {
                    continue;
                }
                if now - at > self.grace {
                    self.skip(&job, at, Some(ServiceId(s.service_id)), now, report).await?;
                    continue;
                }
                let person = PersonId(s.person_id);
                let Some(identity) = self.store.reachable_identity(person).await? else {
                    continue;
                };
                let who = self.store.person(person).await?;
                let service = self.store.service(ServiceId(s.service_id)).await?;
                let when = self.i18n.when(who.language, starts, service.timezone);
                let reminder = supervision::reminder_message(
                    &self.i18n,
                    who.language,
                    identity.channel,
                    s.session_id,
                    &s.kind,
                    &when,
                    s.place.as_deref(),
                    self.sms_max_segments,
                );
                let mut tx = self.store.begin().await?;
                if tx
                    .claim_occurrence(&job, to_millis(at), Some(service.id), to_millis(now), "ran")
                    .await?
                    == JobClaim::Claimed
                {
                    // Due at its scheduled instant (even when this tick runs late); the 2 h
                    // reminder must not wait out quiet hours past the session itself.
                    let send_at = service
                        .hours
                        .after_quiet(at)
                        .min(starts - Duration::minutes(30))
                        .max(at);
                    let to = |priority, kind: String, body, buttons| NewOutbound {
                        person_id: Some(person),
                        identity_id: Some(identity.id),
                        channel: identity.channel,
                        address: identity.address.clone(),
                        priority,
                        kind,
                        body,
                        buttons,
                        ignore_opt_out: false,
                        not_before: to_millis(send_at),
                    };
                    let main = to(
                        Priority::Reminder,
                        format!("supervision-reminder-{label}"),
                        reminder.body,
                        reminder.buttons,
                    );
                    tx.enqueue(&main, to_millis(now)).await?;
                    report.queued += 1;
                    // The place that did not fit goes whole, right after (not capped: it is
                    // what the mentor needs to get there).
                    if let Some(place) = reminder.place {
                        let place = to(Priority::Reply, "supervision-place".into(), place, None);
                        tx.enqueue(&place, to_millis(now)).await?;
                        report.queued += 1;
                    }
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// After a session, ask the coordinators to record attended / missed / cancelled.
    async fn record_prompts(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
        let from = now - RECORD_AFTER - self.grace;
        for s in self
            .store
            .sessions_between(to_millis(from), to_millis(now - RECORD_AFTER))
            .await?
        {
            if s.outcome.is_some() {
                continue;
            }
            let at = from_millis(s.starts_at) + RECORD_AFTER;
            let job = format!("supervision-record:{}:{}", s.session_id, s.person_id);
            if self.store.is_claimed(&job, to_millis(at)).await? {
                continue;
            }
            let service = self.store.service(ServiceId(s.service_id)).await?;
            let who = self.store.person(PersonId(s.person_id)).await?;
            let mut tx = self.store.begin().await?;
            if tx
                .claim_occurrence(&job, to_millis(at), Some(service.id), to_millis(now), "ran")
                .await?
                == JobClaim::Claimed
            {
                for c in tx.staff_contacts(service.id).await? {
                    let when = self.i18n.when(c.language, from_millis(s.starts_at), service.timezone);
                    let (body, buttons) = supervision::record_prompt(
                        &self.i18n,
                        c.language,
                        c.channel,
                        s.session_id,
                        s.person_id,
                        &who.display_name,
                        &when,
                    );
                    enqueue_to(
                        &mut tx,
                        &c,
                        body,
                        buttons,
                        "supervision-record",
                        service.hours.after_quiet(now),
                        now,
                    )
                    .await?;
                    report.queued += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// The coordinators' weekly list of mentors with no 1:1 booked inside the cadence.
    async fn digest(
        &self,
        service: &Service,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), SchedulerError> {
        let Some(schedule) = Self::schedule(service, &service.digest_schedule, "digest") else {
            return Ok(());
        };
        let job = format!("digest:{}", service.id);
        for (at, in_grace) in self.due(&job, &schedule, now).await? {
            if !in_grace {
                self.skip(&job, at, Some(service.id), now, report).await?;
                continue;
            }
            let due = preview::mentors_due(&self.store, service, now).await?;
            let mut tx = self.store.begin().await?;
            if tx
                .claim_occurrence(&job, to_millis(at), Some(service.id), to_millis(now), "ran")
                .await?
                == JobClaim::AlreadyRun
            {
                continue;
            }
            if !due.is_empty() {
                let names = due.join(", ");
                for c in tx.staff_contacts(service.id).await? {
                    let body = self.i18n.format(
                        c.language,
                        "supervision-due-digest",
                        &[("names", names.as_str().into())],
                    );
                    enqueue_to(
                        &mut tx,
                        &c,
                        body,
                        None,
                        "supervision-digest",
                        service.hours.after_quiet(now),
                        now,
                    )
                    .await?;
                    report.queued += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }
}

/// Queue a staff message.
async fn enqueue_to(
    tx: &mut peerline_core::store::Tx,
    c: &Contact,
    body: String,
    buttons: Option<peerline_core::store::Keyboard>,
    kind: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let m = c.message(Priority::Reminder, kind, body, buttons, to_millis(at));
    tx.enqueue(&m, to_millis(now)).await.map(|_| ())
}
