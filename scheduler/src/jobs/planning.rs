//! Supervision planning, once a day per service: each mentor's next policy 1:1 (fortnightly
//! for the first two months, then monthly) and the group sessions of the next fortnight.
//! Planning is idempotent, so after downtime one run catches up everything.

use chrono::{DateTime, Duration, Utc};
use peerline_core::{
    clock::{from_millis, to_millis},
    domain::{Role, SessionKind},
    localtime,
    store::{NewSession, Recipient, Service},
    supervision,
};

use crate::{PAGE, Scheduler, SchedulerError};

impl Scheduler {
    pub(crate) async fn plan_supervision(&self, service: &Service, now: DateTime<Utc>) -> Result<(), SchedulerError> {
        let Some(daily) = Self::schedule(service, "0 0 0 * * *", "planning") else {
            return Ok(());
        };
        let job = format!("plan:{}", service.id);
        let Some(latest) = self.due(&job, &daily, now).await?.last().copied() else {
            return Ok(());
        };
        let Some(mut run) = self.claim(&job, latest, Some(service.id), now).await? else {
            return Ok(());
        };
        let time = service.hours.supervision_at;
        let today = now.with_timezone(&service.timezone).date_naive();
        let mut mentors = Vec::new();
        let mut pages = self.store.recipient_pages(service.id, &[Role::Mentor], PAGE);
        while let Some(page) = pages.next().await? {
            for Recipient { person, .. } in &page {
                mentors.push(person.id);
                let Some(start) = person.placement_start else { continue };
                let last = run.tx().last_one_to_one(person.id).await?;
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
                    kind: SessionKind::OneToOne,
                    starts_at: to_millis(at),
                    place: None,
                    source: "policy",
                    attendees: &[person.id],
                };
                run.tx().add_session(&session, to_millis(now)).await?;
                tracing::debug!(person = %person.id, at = %at, "policy supervision booked");
            }
        }
        if let Some(group) = Self::schedule(service, &service.group_schedule, "group supervision") {
            for at in group.after(now).take_while(|t| *t <= now + Duration::days(14)) {
                run.tx()
                    .add_group_session_once(service.id, to_millis(at), &mentors, to_millis(now))
                    .await?;
            }
        }
        run.commit(0).await?;
        Ok(())
    }
}
