//! After a session, the coordinators are asked to record it: attended, missed or cancelled.

use chrono::{DateTime, Duration, Utc};
use peerline_core::{
    clock::{from_millis, to_millis},
    domain::{PersonId, ServiceId},
    supervision,
};

use super::to_staff;
use crate::{Scheduler, SchedulerError, TickReport};

/// How long after a session's start the coordinator is asked to record it.
const RECORD_AFTER: Duration = Duration::hours(1);

impl Scheduler {
    pub(crate) async fn record_prompts(
        &self,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), SchedulerError> {
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
            let service = ServiceId(s.service_id);
            let Some(mut run) = self.occurrence(&job, at, Some(service), now, report).await? else {
                continue;
            };
            let service = self.store.service(service).await?;
            let who = self.store.person(PersonId(s.person_id)).await?;
            let mut queued = 0;
            for c in run.tx().staff_contacts(service.id).await? {
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
                let message = ("supervision-record", body, buttons);
                to_staff(run.tx(), &c, message, service.hours.after_quiet(now), now).await?;
                queued += 1;
            }
            run.commit(queued).await?;
            report.queued += queued;
        }
        Ok(())
    }
}
