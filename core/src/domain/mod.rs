//! Domain newtypes. Each parses at the edge (CLI, CSV, webhook) into a value that cannot be
//! invalid afterwards: "parse, don't validate".

mod ids;
mod language;
mod nation;
mod phone;
mod role;
pub mod text;

pub use ids::{IdentityId, InviteId, OutboxId, PersonId, ServiceId};
pub use language::{Language, LanguageError};
pub use nation::{Nation, NationError};
pub use phone::{PhoneError, PhoneNumber};
pub use role::{ChannelKind, Role, RoleError};
pub use text::{cell_safe, display_safe};
