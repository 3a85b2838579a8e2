//! Peerline's conversations and channels.
//!
//! Every channel turns what it receives into one [`Inbound`] and hands it to the
//! [`conversation::Engine`], which stores it (deduplicated on the provider's id), decides what
//! to do, and writes state changes and replies to the outbox in the same SQLite transaction.
//! Only then does the channel acknowledge the provider. A [`delivery::Worker`] per channel then
//! drains the outbox through a [`channel::Channel`], honouring priorities and rate limits.
//!
//! - [`conversation`]: the channel-agnostic engine (enrolment, help, language, opt-out).
//! - [`channel`]: the sending side of a channel, with errors classified by retry class.
//! - [`delivery`]: the durable delivery worker (leases, retries, back-off, dead letters).
//! - [`telegram`]: Bot API client, long polling and the webhook route.
//! - [`webhook`]: content-type and strict form checks every inbound route shares.

pub mod channel;
pub mod conversation;
pub mod delivery;
pub mod inbound;
pub mod sms;
pub mod telegram;
pub mod webhook;

pub use inbound::{Inbound, InboundPayload};
