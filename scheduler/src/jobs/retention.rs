//! Retention, at most once an hour (a claimed occurrence per hour): message bodies and
//! escalations' verbatim words past `privacy.*_retention_days` are purged, and unknown
//! senders are forgotten once their rationing no longer needs them.

use chrono::{DateTime, Duration, Utc};
use peerline_core::clock::{from_millis, to_millis};

use crate::{Scheduler, SchedulerError};

impl Scheduler {
    pub(crate) async fn retention(&self, now: DateTime<Utc>) -> Result<(), SchedulerError> {
        let Some((messages, escalations)) = self.retention else {
            return Ok(());
        };
        let hour = from_millis(now.timestamp_millis() / 3_600_000 * 3_600_000);
        let Some(run) = self.claim("retention", hour, None, now).await? else {
            return Ok(());
        };
        run.commit(0).await?;
        let (inbox, outbox, esc) = self
            .store
            .purge_bodies(to_millis(now - messages), to_millis(now - escalations), to_millis(now))
            .await?;
        // Unknown senders' addresses are kept only as long as their rationing needs them
        // (a day's welcome, an hour's lock-out), unless they asked for STOP.
        let strangers = self
            .store
            .purge_strangers(
                to_millis(now - Duration::days(7)),
                &(now - Duration::days(2)).format("%Y-%m-%d").to_string(),
            )
            .await?;
        if strangers > 0 {
            tracing::info!(strangers, "retention: idle unknown senders forgotten");
        }
        if inbox + outbox + esc > 0 {
            tracing::info!(inbox, outbox, escalations = esc, "retention: message bodies purged");
            metrics::counter!("peerline_retention_purged_total", "table" => "inbox").increment(inbox);
            metrics::counter!("peerline_retention_purged_total", "table" => "outbox").increment(outbox);
            metrics::counter!("peerline_retention_purged_total", "table" => "escalations").increment(esc);
        }
        Ok(())
    }
}
