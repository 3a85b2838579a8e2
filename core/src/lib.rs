//! Peerline's core: everything the channels and the scheduler share.
//!
//! - [`domain`]: newtypes that parse at the edge (phone numbers, languages, roles, ids), so the
//!   rest of the code never handles an unchecked string where a person's number belongs.
//! - [`store`]: the one SQLite database (sqlx, WAL). All SQL lives there, so a PostgreSQL backend
//!   is a new module rather than a rewrite. Writes go through a single writer connection and
//!   `BEGIN IMMEDIATE`, so read-then-write transactions never fail with `SQLITE_BUSY` in-process.
//! - [`i18n`]: Fluent bundles for every language, embedded in the binary, with an optional
//!   override directory so a service can change wording without a rebuild.
//! - [`config`]: layered settings (defaults, TOML file, `PEERLINE_SECTION__KEY` environment).
//! - [`clock`]: injected time, so tests can run weeks of schedule in a second.

pub mod authz;
pub mod callbacks;
pub mod clock;
pub mod config;
pub mod domain;
pub mod hours;
pub mod i18n;
pub mod inbox;
pub mod localtime;
pub mod quote;
pub mod risk;
pub mod safeguarding;
pub mod signal;
pub mod sms;
pub mod store;
pub mod supervision;
pub mod text;
pub mod wellbeing;

pub use clock::{Clock, ManualClock, SystemClock};
