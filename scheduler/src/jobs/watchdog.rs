//! The safeguarding watchdog: a safeguarding message that did not get through, or an
//! escalation none of whose alerts has reached anyone, is told to staff at once on every
//! channel they have.

use chrono::{DateTime, Utc};
use peerline_core::{clock::to_millis, safeguarding};

use crate::{Scheduler, SchedulerError, TickReport};

impl Scheduler {
    pub(crate) async fn watchdog(&self, now: DateTime<Utc>, report: &mut TickReport) -> Result<(), SchedulerError> {
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
}
