//! Messages for a human that arrived after the last notice: told to the service's staff in one
//! notice once the batching interval has passed (`peerline_core::inbox`).

use chrono::{DateTime, Utc};
use peerline_core::clock::to_millis;

use crate::{Scheduler, SchedulerError, TickReport};

impl Scheduler {
    pub(crate) async fn inbox_notices(
        &self,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), SchedulerError> {
        for id in self.store.services_with_unnotified(to_millis(now)).await? {
            let service = self.store.service(id).await?;
            let mut tx = self.store.begin().await?;
            report.queued += peerline_core::inbox::notify(&mut tx, &self.i18n, &service, now).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
