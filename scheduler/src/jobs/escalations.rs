//! Re-alerts: every escalation nobody has acknowledged is sent again each
//! `escalation.reprompt_minutes`, widening to deputies once it has waited long enough.

use chrono::{DateTime, Utc};
use peerline_core::{
    clock::to_millis,
    domain::{EscalationSource, EscalationStatus, ServiceId},
    safeguarding,
};

use crate::{Scheduler, SchedulerError, TickReport};

impl Scheduler {
    pub(crate) async fn escalations(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
        let every = self.escalation.reprompt_every;
        for due in self
            .store
            .escalations_due(to_millis(now), every.num_milliseconds())
            .await?
        {
            // A wellbeing flag is not an emergency: it comes back during working hours only.
            if due.source == EscalationSource::WellbeingFlag {
                let service = self.store.service(ServiceId(due.service_id)).await?;
                if !service.hours.staffed_at(now) {
                    continue;
                }
            }
            let mut tx = self.store.begin().await?;
            let Some(esc) = tx.escalation(due.id).await? else {
                continue;
            };
            if esc.status != EscalationStatus::Open || esc.last_alert_at + every.num_milliseconds() > to_millis(now) {
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
}
