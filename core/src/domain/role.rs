//! Roles people hold in a service, and the channels they are reached on.

use std::{fmt, str::FromStr};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown role {0:?} (expected coordinator, deputy, mentor or mentee)")]
pub struct RoleError(pub String);

/// What a person does in a service. Deputies share a coordinator's powers and receive
/// safeguarding alerts once they are escalated past the on-duty coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Coordinator,
    Deputy,
    Mentor,
    Mentee,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Coordinator, Role::Deputy, Role::Mentor, Role::Mentee];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Deputy => "deputy",
            Role::Mentor => "mentor",
            Role::Mentee => "mentee",
        }
    }

    /// Coordinators and deputies supervise; they may see and act on the service's records.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Coordinator | Role::Deputy)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = RoleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "coordinator" => Ok(Role::Coordinator),
            "deputy" | "safeguarding-lead" | "safeguarding_lead" => Ok(Role::Deputy),
            "mentor" => Ok(Role::Mentor),
            "mentee" => Ok(Role::Mentee),
            _ => Err(RoleError(s.to_owned())),
        }
    }
}

/// The transports Peerline speaks. An identity's address is a chat id for Telegram and an
/// E.164 number for SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Telegram,
    Sms,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Telegram => "telegram",
            ChannelKind::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "telegram" => Some(ChannelKind::Telegram),
            "sms" => Some(ChannelKind::Sms),
            _ => None,
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_case_insensitively_and_reject_others() {
        assert_eq!(" Mentor ".parse::<Role>(), Ok(Role::Mentor));
        assert_eq!("COORDINATOR".parse::<Role>(), Ok(Role::Coordinator));
        assert!("admin".parse::<Role>().is_err());
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
    }
}
