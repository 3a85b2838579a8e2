//! What Peerline remembers about addresses that write without being enrolled: when each was
//! last welcomed or sent crisis numbers, whether it asked to hear nothing more, its wrong
//! invite codes, and how many replies strangers have been sent today. Strangers cost money
//! (every SMS reply is paid), can flood the queue and can guess invite codes: these are the
//! facts the conversation engine's limits are decided on.

use super::{Result, Store, Tx};
use crate::domain::ChannelKind;

/// One unknown address's history.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Stranger {
    pub welcomed_at: Option<i64>,
    pub crisis_replied_at: Option<i64>,
    /// Set by STOP: nothing but a crisis reply goes to the address until it sends START.
    pub suppressed_at: Option<i64>,
    pub failed_codes: i64,
    pub failed_since: Option<i64>,
    pub locked_until: Option<i64>,
}

/// Something sent to a stranger, to remember when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrangerSent {
    Welcome,
    Crisis,
}

/// What a wrong invite code did to the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongCode {
    /// Wrong codes within the current window, this one included.
    pub count: i64,
    /// This code locked the address out.
    pub locked: bool,
}

impl Tx {
    /// Note that `address` wrote now, and return what is known about it.
    pub async fn touch_stranger(&mut self, channel: ChannelKind, address: &str, now: i64) -> Result<Stranger> {
        Ok(sqlx::query_as(
            "INSERT INTO strangers (channel, address, last_seen_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (channel, address) DO UPDATE SET last_seen_at = excluded.last_seen_at
             RETURNING welcomed_at, crisis_replied_at, suppressed_at, failed_codes, failed_since, locked_until",
        )
        .bind(channel.as_str())
        .bind(address)
        .bind(now)
        .fetch_one(self.conn())
        .await?)
    }

    pub async fn stranger_sent(
        &mut self,
        channel: ChannelKind,
        address: &str,
        what: StrangerSent,
        now: i64,
    ) -> Result<()> {
        let sql = match what {
            StrangerSent::Welcome => "UPDATE strangers SET welcomed_at = ?1 WHERE channel = ?2 AND address = ?3",
            StrangerSent::Crisis => "UPDATE strangers SET crisis_replied_at = ?1 WHERE channel = ?2 AND address = ?3",
        };
        sqlx::query(sql)
            .bind(now)
            .bind(channel.as_str())
            .bind(address)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// STOP (`Some(now)`) or START (`None`) from an unknown address.
    pub async fn suppress_stranger(&mut self, channel: ChannelKind, address: &str, at: Option<i64>) -> Result<()> {
        sqlx::query("UPDATE strangers SET suppressed_at = ?1 WHERE channel = ?2 AND address = ?3")
            .bind(at)
            .bind(channel.as_str())
            .bind(address)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Count a wrong invite code: the window restarts when the last one is older than
    /// `window_ms`; reaching `limit` locks the address until `now + lock_ms`.
    pub async fn stranger_wrong_code(
        &mut self,
        channel: ChannelKind,
        address: &str,
        now: i64,
        (window_ms, limit, lock_ms): (i64, i64, i64),
    ) -> Result<WrongCode> {
        let (count, locked_until): (i64, Option<i64>) = sqlx::query_as(
            "UPDATE strangers SET
                 failed_codes = CASE WHEN failed_since IS NULL OR failed_since <= ?1 - ?2 THEN 1 ELSE failed_codes + 1 END,
                 failed_since = CASE WHEN failed_since IS NULL OR failed_since <= ?1 - ?2 THEN ?1 ELSE failed_since END
             WHERE channel = ?3 AND address = ?4
             RETURNING failed_codes, locked_until",
        )
        .bind(now)
        .bind(window_ms)
        .bind(channel.as_str())
        .bind(address)
        .fetch_one(self.conn())
        .await?;
        let locked = count >= limit && locked_until.is_none_or(|t| t <= now);
        if locked {
            // The next window starts when the lock-out ends.
            sqlx::query(
                "UPDATE strangers SET locked_until = ?1, failed_codes = 0, failed_since = NULL WHERE channel = ?2 AND address = ?3",
            )
            .bind(now + lock_ms)
            .bind(channel.as_str())
            .bind(address)
            .execute(self.conn())
            .await?;
        }
        Ok(WrongCode { count, locked })
    }

    /// The address enrolled: it is no stranger any more.
    pub async fn forget_stranger(&mut self, channel: ChannelKind, address: &str) -> Result<()> {
        sqlx::query("DELETE FROM strangers WHERE channel = ? AND address = ?")
            .bind(channel.as_str())
            .bind(address)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Spend one reply from `channel`'s budget for strangers on `day` (a UTC date). Returns
    /// how many replies that day has now been asked for, this one included: the reply may go
    /// when that is at most the budget.
    pub async fn spend_stranger_budget(&mut self, channel: ChannelKind, day: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO stranger_budget (channel, day, replies) VALUES (?1, ?2, 1)
             ON CONFLICT (channel, day) DO UPDATE SET replies = replies + 1
             RETURNING replies",
        )
        .bind(channel.as_str())
        .bind(day)
        .fetch_one(self.conn())
        .await?)
    }
}

impl Store {
    /// Forget strangers idle since before `idle_before` (those that asked for STOP are kept,
    /// so their wish holds), and budgets of days before `day_before`. Returns rows removed.
    pub async fn purge_strangers(&self, idle_before: i64, day_before: &str) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("DELETE FROM strangers WHERE last_seen_at < ? AND suppressed_at IS NULL")
            .bind(idle_before)
            .execute(tx.conn())
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM stranger_budget WHERE day < ?")
            .bind(day_before)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// What is known about one unknown address (tests, support).
    pub async fn stranger(&self, channel: ChannelKind, address: &str) -> Result<Option<Stranger>> {
        Ok(sqlx::query_as(
            "SELECT welcomed_at, crisis_replied_at, suppressed_at, failed_codes, failed_since, locked_until
             FROM strangers WHERE channel = ? AND address = ?",
        )
        .bind(channel.as_str())
        .bind(address)
        .fetch_optional(&self.read)
        .await?)
    }
}
