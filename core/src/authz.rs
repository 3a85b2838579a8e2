//! Who may do what. The conversation engine asks [`allows`] before every role-bound command,
//! so the rules live in one table rather than in scattered `if role == …` checks. Anything
//! not listed here (HELP, LANGUAGE, STOP, START, answering one's own check-in) is open to
//! everyone enrolled; everything here is also limited to the person's own service.

use crate::domain::Role;

/// A command that not every role may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `CALLBACK`: ask a peer mentor to call.
    RequestCallback,
    /// `CANCEL CALLBACK`.
    CancelCallback,
    /// `TAKE REF` or the Accept button on a callback offer.
    TakeCallback,
    /// `DONE REF OUTCOME` or an outcome button, by the mentor who took the call.
    RecordCallback,
    /// `/available`: when a mentor takes callbacks.
    SetAvailability,
    /// `CONCERN text`: anyone enrolled can raise a safeguarding concern.
    RaiseConcern,
    /// `/escalations`.
    ListAlerts,
    /// `/ack REF` or the Acknowledge button.
    AcknowledgeAlert,
    /// `/resolve REF note`.
    ResolveAlert,
    /// `/history REF`.
    AlertHistory,
    /// `/supervision` and its buttons: book a session.
    BookSupervision,
    /// Attended / Missed / Cancelled after a session.
    RecordSupervision,
    /// `/inbox`: the service's unanswered messages.
    ReadInbox,
    /// `/reply REF text` or a Telegram reply to a listed message.
    ReplyToMessage,
    /// `/done REF`: close a thread without replying.
    CloseThread,
}

impl Action {
    /// The name the audit log uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::RequestCallback => "callback.request",
            Action::CancelCallback => "callback.cancel",
            Action::TakeCallback => "callback.take",
            Action::RecordCallback => "callback.outcome",
            Action::SetAvailability => "availability.set",
            Action::RaiseConcern => "concern.raise",
            Action::ListAlerts => "escalation.list",
            Action::AcknowledgeAlert => "escalation.acknowledge",
            Action::ResolveAlert => "escalation.resolve",
            Action::AlertHistory => "escalation.view",
            Action::BookSupervision => "supervision.book",
            Action::RecordSupervision => "supervision.record",
            Action::ReadInbox => "inbox.view",
            Action::ReplyToMessage => "inbox.reply",
            Action::CloseThread => "inbox.done",
        }
    }
}

/// Whether someone with `role` may attempt `action` at all.
pub fn allows(role: Role, action: Action) -> bool {
    match action {
        Action::RequestCallback | Action::CancelCallback => role == Role::Mentee,
        Action::TakeCallback | Action::RecordCallback | Action::SetAvailability => role == Role::Mentor,
        Action::RaiseConcern => true,
        Action::ListAlerts
        | Action::AcknowledgeAlert
        | Action::ResolveAlert
        | Action::AlertHistory
        | Action::BookSupervision
        | Action::RecordSupervision
        | Action::ReadInbox
        | Action::ReplyToMessage
        | Action::CloseThread => role.is_staff(),
    }
}
