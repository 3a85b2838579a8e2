//! The coordinators' weekly list of mentors with no 1:1 booked inside the cadence.

use chrono::{DateTime, Utc};
use peerline_core::store::Service;

use super::to_staff;
use crate::{Scheduler, SchedulerError, TickReport, preview};

impl Scheduler {
    pub(crate) async fn digest(
        &self,
        service: &Service,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), SchedulerError> {
        let Some(schedule) = Self::schedule(service, &service.digest_schedule, "digest") else {
            return Ok(());
        };
        let job = format!("digest:{}", service.id);
        for at in self.due(&job, &schedule, now).await? {
            let Some(mut run) = self.occurrence(&job, at, Some(service.id), now, report).await? else {
                continue;
            };
            let due = preview::mentors_due(&self.store, service, now).await?;
            let mut queued = 0;
            if !due.is_empty() {
                let names = due.join(", ");
                for c in run.tx().staff_contacts(service.id).await? {
                    let body = self.i18n.format(
                        c.language,
                        "supervision-due-digest",
                        &[("names", names.as_str().into())],
                    );
                    let message = ("supervision-digest", body, None);
                    to_staff(run.tx(), &c, message, service.hours.after_quiet(now), now).await?;
                    queued += 1;
                }
            }
            run.commit(queued).await?;
            report.queued += queued;
        }
        Ok(())
    }
}
