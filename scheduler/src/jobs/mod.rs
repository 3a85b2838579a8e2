//! The scheduler's jobs, one file each. Each is an `impl Scheduler` block with one entry
//! point called from [`Scheduler::tick`](crate::Scheduler::tick); cron-driven ones run each
//! occurrence through [`Scheduler::occurrence`](crate::Scheduler::occurrence).

mod callbacks;
mod checkins;
mod close_checkins;
mod digest;
mod escalations;
mod inbox;
mod planning;
mod record_prompts;
mod reminders;
mod retention;
mod watchdog;

use chrono::{DateTime, Utc};
use peerline_core::{
    clock::to_millis,
    store::{Contact, Keyboard, Priority, StoreError, Tx},
};

/// Queue a message to a member of staff, respecting opt-out.
async fn to_staff(
    tx: &mut Tx,
    c: &Contact,
    (kind, body, buttons): (&str, String, Option<Keyboard>),
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let m = c.message(Priority::Reminder, kind, body, buttons, to_millis(at));
    tx.enqueue(&m, to_millis(now)).await.map(|_| ())
}
