//! The states and kinds Peerline stores as words: where an escalation, a check-in, a session
//! or a callback stands, and what kind of thing it is. Each is an enum, so code compares
//! variants rather than string literals, and a word in the database that is not one of them
//! fails to load with an error naming the column's value, never a silent default.
//!
//! The words are the ones the migrations' `CHECK` constraints list; they are also what the
//! CLI and exports print.

use std::{fmt, str::FromStr};

/// A stored word that is not one of the values its kind allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct StatusError {
    pub what: &'static str,
    pub value: String,
}

/// An enum stored as a word: `as_str`, `FromStr` (erroring with [`StatusError`]), `Display`,
/// serde, and sqlx's `Type`/`Encode`/`Decode` for any database that stores text.
macro_rules! stored_word {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl FromStr for $name {
            type Err = StatusError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    other => Err(StatusError { what: $what, value: other.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let word = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(word.parse::<$name>()?)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            &'static str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'static str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }
    };
}

stored_word!(
    /// Where a safeguarding escalation stands. Only an open one is re-alerted.
    EscalationStatus, "escalation status" {
        Open => "open",
        Acknowledged => "acknowledged",
        Resolved => "resolved",
    }
);

stored_word!(
    /// What raised an escalation.
    EscalationSource, "escalation source" {
        /// Risk language in someone's own message.
        RiskLanguage => "risk-language",
        /// A mentor's or coordinator's `/concern`.
        Concern => "concern",
        /// Low or missed wellbeing check-ins.
        WellbeingFlag => "wellbeing-flag",
    }
);

stored_word!(
    /// Where a wellbeing check-in stands.
    CheckinStatus, "check-in status" {
        Open => "open",
        Complete => "complete",
        /// Closed without all answers; late answers are still kept.
        Missed => "missed",
    }
);

stored_word!(
    /// Who a supervision session is with.
    SessionKind, "session kind" {
        OneToOne => "one-to-one",
        Group => "group",
    }
);

stored_word!(
    /// Where a supervision session stands.
    SessionStatus, "session status" {
        Booked => "booked",
        Held => "held",
        Cancelled => "cancelled",
    }
);

stored_word!(
    /// What a mentor recorded (or a coordinator recorded for them) about a session.
    AttendanceOutcome, "attendance outcome" {
        Attended => "attended",
        Missed => "missed",
        Cancelled => "cancelled",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_and_others_are_named_in_the_error() {
        for s in EscalationStatus::ALL {
            assert_eq!(s.as_str().parse::<EscalationStatus>(), Ok(*s));
        }
        for k in SessionKind::ALL {
            assert_eq!(k.to_string().parse::<SessionKind>(), Ok(*k));
        }
        let err = "Open".parse::<EscalationStatus>().unwrap_err();
        assert_eq!(err.to_string(), "unknown escalation status \"Open\"");
    }
}
