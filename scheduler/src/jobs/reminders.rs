//! Supervision reminders 48 h and 2 h before each booked session, with Confirm / Can't make
//! it, and the place in a message of its own when it did not fit.

use chrono::{DateTime, Duration, Utc};
use peerline_core::{
    clock::{from_millis, to_millis},
    domain::{PersonId, ServiceId},
    store::{Contact, Priority},
    supervision,
};

use crate::{Scheduler, SchedulerError, TickReport};

const REMINDERS: [(&str, Duration); 2] = [("48h", Duration::hours(48)), ("2h", Duration::hours(2))];

impl Scheduler {
    pub(crate) async fn reminders(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
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
                let service = ServiceId(s.service_id);
                let Some(mut run) = self.occurrence(&job, at, Some(service), now, report).await? else {
                    continue;
                };
                let person = PersonId(s.person_id);
                let Some(identity) = self.store.reachable_identity(person).await? else {
                    continue; // rolled back: tried again on the next tick
                };
                let who = self.store.person(person).await?;
                let service = self.store.service(service).await?;
                let when = self.i18n.when(who.language, starts, service.timezone);
                let reminder = supervision::reminder_message(
                    &self.i18n,
                    who.language,
                    identity.channel,
                    s.session_id,
                    s.kind,
                    &when,
                    s.place.as_deref(),
                    self.sms_max_segments,
                );
                // Due at its scheduled instant (even when this tick runs late); the 2 h
                // reminder must not wait out quiet hours past the session itself.
                let send_at = service
                    .hours
                    .after_quiet(at)
                    .min(starts - Duration::minutes(30))
                    .max(at);
                let contact = Contact::of(&who, &identity);
                let to = |priority, kind: String, body, buttons| {
                    contact.message(priority, &kind, body, buttons, to_millis(send_at))
                };
                let main = to(
                    Priority::Reminder,
                    format!("supervision-reminder-{label}"),
                    reminder.body,
                    reminder.buttons,
                );
                run.tx().enqueue(&main, to_millis(now)).await?;
                let mut queued = 1;
                // The place that did not fit goes whole, right after (not capped: it is what
                // the mentor needs to get there).
                if let Some(place) = reminder.place {
                    let place = to(Priority::Reply, "supervision-place".into(), place, None);
                    run.tx().enqueue(&place, to_millis(now)).await?;
                    queued += 1;
                }
                run.commit(queued).await?;
                report.queued += queued;
            }
        }
        Ok(())
    }
}
