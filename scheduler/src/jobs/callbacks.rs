//! Callbacks: out-of-hours requests are offered to mentors once the service opens; requests
//! nobody took within the accept window are told to the coordinators.

use chrono::{DateTime, Utc};
use peerline_core::{callbacks, clock::to_millis, domain::ServiceId};

use crate::{Scheduler, SchedulerError, TickReport};

impl Scheduler {
    pub(crate) async fn callbacks(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
        for cb in self.store.callbacks_waiting().await? {
            let service = self.store.service(ServiceId(cb.service_id)).await?;
            if !service.hours.staffed_at(now) {
                continue;
            }
            let mut tx = self.store.begin().await?;
            let offered = callbacks::offer(&mut tx, &self.i18n, &cb, &service, now).await?;
            if offered == 0 {
                report.queued += callbacks::tell_coordinators(&mut tx, &self.i18n, &cb, now).await?;
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
            report.queued += callbacks::tell_coordinators(&mut tx, &self.i18n, &cb, now).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
