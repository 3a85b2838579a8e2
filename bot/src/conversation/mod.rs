//! The channel-agnostic conversation engine: one inbound message in, one SQLite transaction
//! out (the inbox row, any state change, every reply). A message seen before (same provider
//! key) is recognised inside that transaction and changes nothing.

pub mod availability;
mod booking;
mod callbacks;
mod flows;
mod inbox;
pub mod keywords;
mod safeguarding;
mod strangers;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use peerline_core::{
    Clock,
    authz::{self, Action},
    clock::to_millis,
    domain::{ChannelKind, IdentityId, Language, PersonId, Role},
    i18n::{Args, FluentValue, Localizer},
    signal::OutboxSignal,
    store::{AuditEntry, Identity, InboxInsert, NewOutbound, Person, Priority, Safeguard, Store, StoreError, Tx},
};

use crate::inbound::{Inbound, InboundPayload};
use keywords::{Button, Intent, LANGUAGE_BUTTON_PREFIX};
pub use strangers::StrangerPolicy;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EngineError {
    /// The store's failure underneath (every engine error is one today).
    pub fn store_error(&self) -> &StoreError {
        match self {
            EngineError::Store(e) => e,
        }
    }
}

/// What became of an inbound message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Stored and acted on; this many messages were queued.
    Processed { queued: usize },
    /// Seen before (provider redelivery): nothing done.
    Duplicate,
}

/// Decides what to do with each inbound message.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    i18n: Arc<Localizer>,
    clock: Arc<dyn Clock>,
    /// Woken whenever something is queued, so delivery does not wait for its next poll.
    outbox_ready: OutboxSignal,
    invite_ttl_days: u32,
    rules: peerline_core::wellbeing::Rules,
    triage: Arc<peerline_core::risk::Triage>,
    strangers: StrangerPolicy,
    alarms: strangers::Alarms,
    /// `privacy.forward_media`: copy a voice note or photo to the coordinator who lists it.
    forward_media: bool,
}

/// The sender as far as the conversation knows them.
struct Sender {
    person: Person,
    identity: Identity,
}

/// Replies gathered while handling one message, written before commit.
struct Reply<'a> {
    inbound: &'a Inbound,
    /// The stored row of the message being handled.
    inbox_id: i64,
    /// Messages queued straight into the transaction rather than through `queued` (staff
    /// notices), counted so the outbox is woken for them too.
    elsewhere: usize,
    identity: Option<IdentityId>,
    person: Option<PersonId>,
    language: Language,
    queued: Vec<NewOutbound>,
    /// Crisis replies, each with the shorter form to send if the provider refuses the first.
    crisis: Vec<(NewOutbound, String)>,
}

/// One inbound message being handled: its transaction, the replies gathered so far, and the
/// moment it is handled at (from the injected clock). Every handler takes one, so the
/// transaction, the reply and the time travel together.
struct Turn<'a> {
    tx: Tx,
    reply: Reply<'a>,
    at: DateTime<Utc>,
}

impl Turn<'_> {
    /// [`Turn::at`] in epoch milliseconds, as the store keeps instants.
    fn now(&self) -> i64 {
        to_millis(self.at)
    }

    /// Audit what `actor` did in this turn, in their own service, labelled with the channel
    /// the message came on.
    async fn audit_by(
        &mut self,
        actor: &Person,
        action: &'static str,
        subject: Option<PersonId>,
        detail: Option<String>,
    ) -> Result<(), StoreError> {
        let entry = AuditEntry {
            at: self.now(),
            service_id: Some(actor.service_id),
            actor_person_id: Some(actor.id),
            actor_label: self.reply.inbound.channel.as_str(),
            action,
            subject_person_id: subject,
            detail,
        };
        self.tx.audit(entry).await
    }
}

impl Reply<'_> {
    /// Queue a message to someone other than the sender (e.g. a coordinator).
    fn also(&mut self, message: NewOutbound) {
        self.queued.push(message);
    }

    fn push(&mut self, body: String, buttons: Option<Vec<Vec<(String, String)>>>, ignore_opt_out: bool, kind: &str) {
        self.push_with(body, buttons, ignore_opt_out, kind, Priority::Reply);
    }

    /// Queue a crisis reply to the sender, with a shorter form for a provider that refuses it.
    fn push_crisis(&mut self, body: String, short: String) {
        self.push_with(body, None, true, "crisis-reply", Priority::Safeguarding);
        if let Some(m) = self.queued.pop() {
            self.crisis.push((m, short));
        }
    }

    fn push_with(
        &mut self,
        body: String,
        buttons: Option<Vec<Vec<(String, String)>>>,
        ignore_opt_out: bool,
        kind: &str,
        priority: Priority,
    ) {
        self.queued.push(NewOutbound {
            person_id: self.person,
            identity_id: self.identity,
            channel: self.inbound.channel,
            address: self.inbound.address.clone(),
            priority,
            kind: kind.to_owned(),
            body,
            buttons,
            ignore_opt_out,
            not_before: to_millis(self.inbound.received_at),
        });
    }
}

impl Engine {
    pub fn new(
        store: Store,
        i18n: Arc<Localizer>,
        clock: Arc<dyn Clock>,
        outbox_ready: OutboxSignal,
        invite_ttl_hours: u32,
    ) -> Self {
        Self {
            store,
            i18n,
            clock,
            outbox_ready,
            invite_ttl_days: invite_ttl_hours.div_ceil(24).max(1),
            rules: peerline_core::wellbeing::Rules::default(),
            triage: Arc::new(peerline_core::risk::Triage::embedded()),
            strangers: StrangerPolicy::default(),
            alarms: strangers::Alarms::default(),
            forward_media: false,
        }
    }

    /// The risk triage to use: the built-in lists and rules plus the configured extra phrases
    /// (see `Triage::with_extra_phrases`).
    pub fn with_triage(mut self, triage: Arc<peerline_core::risk::Triage>) -> Self {
        self.triage = triage;
        self
    }

    /// How strangers are rationed (see [`StrangerPolicy`]).
    pub fn with_strangers(mut self, policy: StrangerPolicy) -> Self {
        self.strangers = policy;
        self
    }

    /// Whether `/inbox` copies a Telegram voice note or photo to the coordinator
    /// (`privacy.forward_media`; off unless set).
    pub fn with_forward_media(mut self, on: bool) -> Self {
        self.forward_media = on;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn i18n(&self) -> &Localizer {
        &self.i18n
    }

    /// Store, deduplicate and act on one inbound message, in one transaction. When this
    /// returns `Ok`, the message is durable and the provider may be acknowledged.
    pub async fn handle(&self, inbound: &Inbound) -> Result<Handled, EngineError> {
        let at = self.clock.now();
        let now = to_millis(at);
        let mut tx = self.store.begin().await?;
        let (text, button) = match &inbound.payload {
            InboundPayload::Text(t) | InboundPayload::Edit(t) => (Some(t.as_str()), None),
            InboundPayload::Media { caption, .. } => (caption.as_deref(), None),
            InboundPayload::Button(b) => (None, Some(b.as_str())),
        };
        let Some(inbox_id) = tx
            .insert_inbox(InboxInsert {
                channel: inbound.channel,
                provider_key: &inbound.provider_key,
                address: &inbound.address,
                body: text,
                button_data: button,
                received_at: to_millis(inbound.received_at),
            })
            .await?
        else {
            metrics::counter!("peerline_inbound_duplicates_total", "channel" => inbound.channel.as_str()).increment(1);
            return Ok(Handled::Duplicate);
        };

        let sender = match tx.identity_by_address(inbound.channel, &inbound.address).await? {
            Some(identity) => {
                let person = tx.person(identity.person_id).await?;
                tx.clear_unreachable(identity.id).await?;
                Some(Sender { person, identity })
            }
            None => None,
        };
        let stranger = match sender {
            Some(_) => None,
            None => Some(tx.touch_stranger(inbound.channel, &inbound.address, now).await?),
        };
        let reply = Reply {
            inbound,
            inbox_id,
            elsewhere: 0,
            identity: sender.as_ref().map(|s| s.identity.id),
            person: sender.as_ref().map(|s| s.person.id),
            language: sender
                .as_ref()
                .map(|s| s.person.language)
                .or(inbound.language_hint)
                .unwrap_or_default(),
            queued: Vec::new(),
            crisis: Vec::new(),
        };
        let mut turn = Turn { tx, reply, at };
        let intent = match &inbound.payload {
            InboundPayload::Text(t) => keywords::parse(t),
            // An edit is never a command: "STOP" edited in does not opt anyone out.
            InboundPayload::Edit(t) => Intent::Text(t.clone()),
            // A caption is triaged for risk, then the media goes to a human.
            InboundPayload::Media { caption, .. } => Intent::Text(caption.clone().unwrap_or_default()),
            InboundPayload::Button(data) => keywords::parse_button(data),
        };
        let risky = match &intent {
            Intent::Text(t) | Intent::UnknownCommand(t) => {
                self.risk(&mut turn, (sender.as_ref(), stranger.as_ref()), t).await?
            }
            _ => false,
        };
        let edit = matches!(inbound.payload, InboundPayload::Edit(_));
        match (sender, stranger) {
            // Risk is answered above; an edit without risk needs no answer (the message it
            // changes was answered when it came).
            _ if risky || edit => {}
            (Some(sender), _) => self.known(&mut turn, sender, intent).await?,
            (None, Some(state)) => self.stranger(&mut turn, &state, intent).await?,
            (None, None) => {}
        }

        let Turn { mut tx, reply, .. } = turn;
        let queued = reply.queued.len() + reply.crisis.len() + reply.elsewhere;
        for (m, short) in &reply.crisis {
            let extra = Safeguard {
                escalation_id: None,
                short_body: Some(short),
            };
            tx.enqueue_with(m, &extra, now).await?;
        }
        for m in &reply.queued {
            tx.enqueue(m, now).await?;
        }
        tx.mark_inbox_handled(inbox_id, reply.identity, reply.person, now)
            .await?;
        tx.commit().await?;
        metrics::counter!("peerline_inbound_total", "channel" => inbound.channel.as_str()).increment(1);
        if queued > 0 {
            self.outbox_ready.notify();
        }
        Ok(Handled::Processed { queued })
    }

    /// Refuse a command: audited as `denied`, answered with `answer`. For a role that may not
    /// use the command that is the neutral `not-allowed`; for another service's reference it is
    /// the same "not found" anyone gets for a reference that does not exist, so nothing leaks.
    async fn deny(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        (action, why): (Action, &str),
        answer: Option<String>,
    ) -> Result<(), EngineError> {
        let person = &sender.person;
        turn.audit_by(person, "denied", None, Some(format!("{} ({why})", action.as_str())))
            .await?;
        metrics::counter!("peerline_commands_denied_total", "action" => action.as_str()).increment(1);
        let answer = answer.unwrap_or_else(|| self.text(person.language, "not-allowed", &[]));
        turn.reply.push(answer, None, false, "reply");
        Ok(())
    }

    /// May `sender`'s role use `action` (see [`authz`])? If not, they are refused as
    /// [`Engine::deny`] does, and this says no.
    async fn may(&self, turn: &mut Turn<'_>, sender: &Sender, action: Action) -> Result<bool, EngineError> {
        if authz::allows(sender.person.role, action) {
            return Ok(true);
        }
        self.deny(turn, sender, (action, "role"), None).await?;
        Ok(false)
    }

    fn text(&self, lang: Language, id: &str, args: &Args<'_>) -> String {
        self.i18n.format(lang, id, args)
    }

    fn channel_arg(channel: ChannelKind) -> FluentValue<'static> {
        FluentValue::from(channel.as_str())
    }

    /// A message from someone enrolled: one arm per intent. Order matters only for words,
    /// which [`Engine::words`] offers to each flow in turn.
    async fn known(&self, turn: &mut Turn<'_>, sender: Sender, intent: Intent) -> Result<(), EngineError> {
        let now = turn.now();
        let (person, identity) = (&sender.person, &sender.identity);
        let channel = turn.reply.inbound.channel;
        let lang = person.language;
        let ch = || Self::channel_arg(channel);
        let opted_out = identity.opted_out_at.is_some();
        let audit = |action: &'static str, detail: Option<String>| AuditEntry {
            at: now,
            service_id: Some(person.service_id),
            actor_person_id: Some(person.id),
            actor_label: channel.as_str(),
            action,
            subject_person_id: Some(person.id),
            detail,
        };

        match intent {
            // A concern, a coordinator's command and the callback buttons work even after STOP.
            Intent::Concern(text) => {
                if self.may(turn, &sender, Action::RaiseConcern).await? {
                    self.concern(turn, &sender, text).await?;
                }
            }
            Intent::Ack(_)
            | Intent::Resolve(..)
            | Intent::Escalations
            | Intent::History(_)
            | Intent::Button(Button::Acknowledge(_)) => self.staff_command(turn, &sender, &intent).await?,
            Intent::Inbox | Intent::Reply(..) | Intent::CloseThread(_) => {
                self.inbox_command(turn, &sender, &intent).await?
            }
            Intent::Supervision(name) => self.booking(turn, &sender, None, name.as_deref()).await?,
            Intent::Button(Button::Booking(step)) => self.booking(turn, &sender, Some(step), None).await?,
            Intent::Button(Button::TakeCallback(id)) => self.take_callback(turn, &sender, Some(id), None).await?,
            Intent::Button(Button::CallbackDone(id, outcome)) => {
                self.callback_done(turn, &sender, (Some(id), None), Some(outcome))
                    .await?
            }
            Intent::CallbackDone(reference, word) => {
                let outcome = peerline_core::callbacks::parse_outcome(&word);
                self.callback_done(turn, &sender, (None, Some(&reference)), outcome)
                    .await?
            }
            // Answers to what the scheduler asked; an opted-out person is asked nothing, so a
            // stale button does nothing.
            Intent::Button(
                button @ (Button::Checkin { .. } | Button::SupervisionReply { .. } | Button::SupervisionRecord { .. }),
            ) => {
                if !opted_out {
                    self.flow_button(turn, &sender, button).await?;
                }
            }
            Intent::Text(words) => self.words(turn, &sender, &words, opted_out).await?,
            Intent::Stop => {
                if !opted_out {
                    turn.tx.set_opted_out(identity.id, true, now).await?;
                    turn.tx.audit(audit("identity.opt-out", None)).await?;
                    let nation = turn.tx.service(person.service_id).await?.nation;
                    let body = self.text(
                        lang,
                        "stop-confirm",
                        &[("channel", ch()), ("nation", nation.as_str().into())],
                    );
                    turn.reply.push(body, None, true, "opt-out-confirmation");
                }
                // Already opted out: the confirmation was sent once; say nothing more.
            }
            Intent::Start | Intent::Join(_) if opted_out => {
                turn.tx.set_opted_out(identity.id, false, now).await?;
                turn.tx.audit(audit("identity.opt-in", None)).await?;
                let body = self.text(lang, "resume-confirm", &[("channel", ch())]);
                turn.reply.push(body, None, false, "opt-in-confirmation");
            }
            // Opted out: no replies to anything else (risk replies are the one exception, and
            // come from the safeguarding module).
            _ if opted_out => {}
            Intent::Start | Intent::Join(_) => {
                let body = self.text(lang, "enrol-already", &[("channel", ch())]);
                turn.reply.push(body, None, false, "reply");
            }
            Intent::Help => {
                let id = match person.role {
                    Role::Coordinator | Role::Deputy => "help-coordinator",
                    Role::Mentor => "help-mentor",
                    Role::Mentee => "help-mentee",
                };
                let service = turn.tx.service(person.service_id).await?;
                // The days in the reader's own language, never the stored "Mon-Fri".
                let day = |n: u8| self.text(lang, "weekday", &[("n", i64::from(n).into())]);
                let days = service
                    .hours
                    .days
                    .runs()
                    .into_iter()
                    .map(|(a, b)| {
                        if a == b {
                            day(a)
                        } else {
                            format!("{}-{}", day(a), day(b))
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let hours = self.text(
                    lang,
                    "service-hours",
                    &[
                        ("days", days.into()),
                        (
                            "weekdays",
                            if service.hours.days.is_weekdays() { "yes" } else { "no" }.into(),
                        ),
                        ("start", service.working_start.as_str().into()),
                        ("end", service.working_end.as_str().into()),
                    ],
                );
                let nation = ("nation", service.nation.as_str().into());
                let body = format!("{} {hours}", self.text(lang, id, &[("channel", ch()), nation]));
                turn.reply.push(body, None, false, "help");
            }
            Intent::Language(None) => {
                let body = self.text(lang, "language-choose", &[("channel", ch())]);
                let buttons = (channel == ChannelKind::Telegram).then(|| {
                    vec![
                        Language::ALL
                            .iter()
                            .map(|l| {
                                (
                                    self.text(*l, &format!("language-name-{}", l.tag()), &[]),
                                    format!("{LANGUAGE_BUTTON_PREFIX}{}", l.tag()),
                                )
                            })
                            .collect(),
                    ]
                });
                turn.reply.push(body, buttons, false, "language-choose");
            }
            Intent::Language(Some(choice)) => match Language::negotiate(&choice) {
                Some(new) => {
                    turn.tx.set_language(person.id, new).await?;
                    turn.tx
                        .audit(audit("person.language", Some(new.tag().to_owned())))
                        .await?;
                    turn.reply.language = new;
                    let body = self.text(new, "language-changed", &[]);
                    turn.reply.push(body, None, false, "language-changed");
                }
                None => {
                    let body = self.text(lang, "language-unknown", &[]);
                    turn.reply.push(body, None, false, "reply");
                }
            },
            Intent::Callback | Intent::CancelCallback => {
                let action = if intent == Intent::Callback {
                    Action::RequestCallback
                } else {
                    Action::CancelCallback
                };
                if self.may(turn, &sender, action).await? {
                    if action == Action::RequestCallback {
                        self.callback_request(turn, &sender).await?;
                    } else {
                        self.cancel_callback(turn, &sender).await?;
                    }
                }
            }
            Intent::Available(spec) => {
                if self.may(turn, &sender, Action::SetAvailability).await? {
                    self.availability(turn, &sender, spec).await?;
                }
            }
            Intent::Take(reference) => self.take_callback(turn, &sender, None, Some(&reference)).await?,
            Intent::UnknownCommand(_) | Intent::Button(Button::Unknown) => {
                let body = self.text(lang, "unknown-text", &[("channel", ch())]);
                turn.reply.push(body, None, false, "reply");
            }
        }
        Ok(())
    }

    /// Words no command claimed, offered in turn to what may be waiting for them: a
    /// coordinator's Telegram reply to a listed message, the place of a session just booked,
    /// an answer to an open check-in or supervision reminder, a mentee's callback details.
    /// Anything else is for a human, whether or not the sender opted out (then nothing is
    /// sent back to them).
    async fn words(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        words: &str,
        opted_out: bool,
    ) -> Result<(), EngineError> {
        if self.thread_answer(turn, sender, words).await? {
            return Ok(());
        }
        // A caption is not a place.
        if matches!(turn.reply.inbound.payload, InboundPayload::Text(_)) && self.place(turn, sender, words).await? {
            return Ok(());
        }
        if !opted_out
            && (self.flow_words(turn, sender, words).await? || self.callback_details(turn, sender, words).await?)
        {
            return Ok(());
        }
        self.unanswered(turn, sender, opted_out).await
    }
}
