//! Domain newtypes. Each parses at the edge (CLI, CSV, webhook) into a value that cannot be
//! invalid afterwards: "parse, don't validate".

mod ids;
mod language;
mod nation;
mod ons4;
mod phone;
mod role;
mod status;

pub use ids::{IdentityId, InviteId, OutboxId, PersonId, ServiceId};
pub use language::{Language, LanguageError};
pub use nation::{Nation, NationError};
pub use ons4::{Measure, Ons4, Outcome, QUESTIONS};
pub use phone::{PhoneError, PhoneNumber};
pub use role::{ChannelKind, Role, RoleError};
pub use status::{
    AttendanceOutcome, CheckinStatus, EscalationSource, EscalationStatus, SessionKind, SessionStatus, StatusError,
};
