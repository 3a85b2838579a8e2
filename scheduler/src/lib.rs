//! Peerline's scheduler: cron expressions evaluated on each service's local wall clock,
//! resolved to instants exactly once across daylight-saving changes, each occurrence claimed
//! in the `job_runs` table in the same transaction that queues its messages.
//!
//! This crate depends on `peerline-core` only; it queues messages in the outbox and never talks
//! to a channel itself.

pub mod occurrence;
