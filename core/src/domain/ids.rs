//! Typed row ids, so a person id can never be passed where a service id belongs.

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// A recovery service (one deployment serves many).
    ServiceId,
    /// A coordinator, deputy, mentor or mentee.
    PersonId,
    /// One way to reach a person: a Telegram chat or a phone number.
    IdentityId,
    /// A one-time enrolment code.
    InviteId,
    /// A queued outbound message.
    OutboxId,
);
