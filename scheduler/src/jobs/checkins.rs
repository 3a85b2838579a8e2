//! Weekly ONS4 check-ins: on each occurrence of the service's schedule, open one check-in per
//! mentor (and mentee, if the service asks them) and send the first question.

use chrono::{DateTime, Duration, Utc};
use peerline_core::{
    clock::to_millis,
    domain::Role,
    store::{Contact, Priority, Recipient, Service},
    wellbeing,
};

use crate::{PAGE, Scheduler, SchedulerError, TickReport};

impl Scheduler {
    pub(crate) async fn checkins(
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
        for at in self.due(&job, &schedule, now).await? {
            let Some(mut run) = self.occurrence(&job, at, Some(service.id), now, report).await? else {
                continue;
            };
            let mut roles = vec![Role::Mentor];
            if service.checkin_mentees {
                roles.push(Role::Mentee);
            }
            let closes = at + Duration::hours(service.checkin_window_hours.max(1));
            // Sent for the scheduled instant (even when this tick runs late), outside quiet hours.
            let send_at = to_millis(service.hours.after_quiet(at));
            let mut queued = 0;
            // Everyone in one transaction (all or none of the occurrence), read a page at a time.
            let mut pages = self.store.recipient_pages(service.id, &roles, PAGE);
            while let Some(page) = pages.next().await? {
                for Recipient { person, identity } in &page {
                    let Some(id) = run
                        .tx()
                        .open_checkin(person.id, service.id, to_millis(at), to_millis(now), to_millis(closes))
                        .await?
                    else {
                        continue;
                    };
                    let (body, buttons) =
                        wellbeing::question_message(&self.i18n, person.language, identity.channel, id, 0);
                    let m = Contact::of(person, identity).message(Priority::Checkin, "checkin", body, buttons, send_at);
                    run.tx().enqueue(&m, to_millis(now)).await?;
                    queued += 1;
                }
            }
            run.commit(queued).await?;
            tracing::info!(service = %service.id, occurrence = %at, queued, "wellbeing check-ins opened");
            report.queued += queued;
        }
        Ok(())
    }
}
