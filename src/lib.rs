//! Peerline: a companion for peer-support programmes on the phones people already carry.
//!
//! This crate is the binary's wiring: the command line ([`cli`]), the long-running service
//! ([`startup::Application`], which binds happily to port 0 so tests can spawn it), the HTTP
//! server with its timeouts and connection cap ([`server`]), and logging and metrics
//! ([`telemetry`]). The product itself lives in `peerline-core` (domain, store, i18n, clock),
//! `peerline-bot` (conversations and channels) and `peerline-scheduler`.

pub mod cli;
pub mod instance;
pub mod server;
pub mod startup;
pub mod telemetry;
