//! Closing check-ins whose window has passed, and applying the wellbeing rules (two missed in
//! a row, partial answers, low scores).

use chrono::{DateTime, Utc};
use peerline_core::{clock::to_millis, wellbeing};

use crate::{Scheduler, SchedulerError, TickReport};

impl Scheduler {
    pub(crate) async fn close_checkins(
        &self,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), SchedulerError> {
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
}
