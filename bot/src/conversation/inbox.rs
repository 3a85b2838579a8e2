//! Every message reaches a human. Free text no command, keyword or open question handles,
//! and any voice note, photo or other media, from someone enrolled is kept as unanswered in
//! their service's inbox; they get one warm acknowledgement per burst (saying when the team
//! will see it, with the crisis lines out of hours), and coordinators are told in batches
//! (`core::inbox`). Coordinators read the inbox with `/inbox`, answer with `/reply REF text`
//! or by replying in Telegram to a listed message, and close a thread with `/done REF`. A reply
//! goes to the person on the channel they wrote from, signed, through the outbox; every view,
//! reply and close is audited, and no number is ever shown.

use peerline_core::{
    authz::Action,
    clock::{from_millis, to_millis},
    domain::{ChannelKind, IdentityId, PersonId},
    quote,
    store::{AuditEntry, MediaNote, NewOutbound, Priority, ThreadEnd, Tx, Unanswered},
};

use super::{Engine, EngineError, Reply, Sender, Turn, keywords::Intent};
use crate::inbound::InboundPayload;

/// Listed per `/inbox` on Telegram (one message each, so each can be answered by reply) and
/// on SMS (one message in all).
const LIST_TELEGRAM: u32 = 5;
const LIST_SMS: u32 = 3;
/// The first words of a message shown to coordinators.
const FIRST_WORDS: usize = 160;

impl Engine {
    /// Keep what `sender` wrote (or sent) for a human, acknowledge it once per burst, and tell
    /// the coordinators. An opted-out person's message is kept, and nothing is sent to them.
    pub(super) async fn unanswered(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        opted_out: bool,
    ) -> Result<(), EngineError> {
        let at = turn.at;
        let person = &sender.person;
        let now = to_millis(at);
        let media = match &turn.reply.inbound.payload {
            InboundPayload::Media {
                kind,
                seconds,
                message_id,
                ..
            } => Some(MediaNote {
                kind,
                seconds: *seconds,
                message_id: *message_id,
            }),
            _ => None,
        };
        let service = turn.tx.service(person.service_id).await?;
        let reference = turn.tx.mark_unanswered(turn.reply.inbox_id, service.id, media).await?;
        turn.audit_by(person, "inbox.received", Some(person.id), Some(reference))
            .await?;
        let since = now - peerline_core::inbox::ACK_BURST.num_milliseconds();
        if !opted_out && !turn.tx.queued_since(person.id, "inbox-ack", since).await? {
            let lang = person.language;
            let open = service.hours.staffed_at(at);
            let next = service.hours.next_staffed(at);
            let mut body = self.text(
                lang,
                "inbox-ack",
                &[
                    ("name", person.display_name.as_str().into()),
                    ("service", service.name.as_str().into()),
                    ("open", if open { "yes" } else { "no" }.into()),
                    ("next", self.i18n.when(lang, next, service.timezone).into()),
                    ("channel", Self::channel_arg(turn.reply.inbound.channel)),
                ],
            );
            if !open {
                let nation = ("nation", service.nation.as_str().into());
                body = format!("{body} {}", self.text(lang, "crisis-numbers", &[nation]));
            }
            turn.reply.push(body, None, false, "inbox-ack");
        }
        turn.reply.elsewhere += peerline_core::inbox::notify(&mut turn.tx, &self.i18n, &service, at).await?;
        Ok(())
    }

    /// A coordinator's Telegram reply to a message Peerline listed: an answer to that person.
    /// Returns whether `words` were one.
    pub(super) async fn thread_answer(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        words: &str,
    ) -> Result<bool, EngineError> {
        let person = &sender.person;
        let Some(replied_to) = turn.reply.inbound.reply_to else {
            return Ok(false);
        };
        if !person.role.is_staff() || turn.reply.inbound.channel != ChannelKind::Telegram {
            return Ok(false);
        }
        let Some(item) = turn
            .tx
            .unanswered_for_sent(person.service_id, &turn.reply.inbound.address, replied_to)
            .await?
        else {
            return Ok(false);
        };
        if self.may(turn, sender, Action::ReplyToMessage).await? {
            self.answer_thread(turn, sender, &item, words).await?;
        }
        Ok(true)
    }

    /// `/inbox`, `/reply` and `/done`.
    pub(super) async fn inbox_command(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        intent: &Intent,
    ) -> Result<(), EngineError> {
        let now = turn.now();
        let person = &sender.person;
        let lang = person.language;
        match intent {
            Intent::Inbox => {
                if !self.may(turn, sender, Action::ReadInbox).await? {
                    return Ok(());
                }
                self.list(turn, sender).await?;
            }
            Intent::Reply(reference, words) => {
                if !self.may(turn, sender, Action::ReplyToMessage).await? {
                    return Ok(());
                }
                let (Some(reference), false) = (reference, words.trim().is_empty()) else {
                    self.inbox_usage(&mut turn.reply, lang);
                    return Ok(());
                };
                match turn.tx.unanswered_by_ref(person.service_id, reference).await? {
                    Some(item) => self.answer_thread(turn, sender, &item, words).await?,
                    None => self.not_found(turn, sender, reference).await?,
                }
            }
            Intent::CloseThread(reference) => {
                if !self.may(turn, sender, Action::CloseThread).await? {
                    return Ok(());
                }
                let Some(reference) = reference else {
                    self.inbox_usage(&mut turn.reply, lang);
                    return Ok(());
                };
                match turn.tx.unanswered_by_ref(person.service_id, reference).await? {
                    Some(item) => {
                        turn.tx
                            .end_thread(PersonId(item.person_id), ThreadEnd::Done, person.id, now)
                            .await?;
                        turn.tx
                            .audit(staff_audit(sender, &turn.reply, "inbox.done", &item, now))
                            .await?;
                        let body = self.text(
                            lang,
                            "inbox-closed",
                            &[
                                ("reference", item.reference.as_str().into()),
                                ("name", item.name.as_str().into()),
                            ],
                        );
                        turn.reply.push(body, None, false, "reply");
                    }
                    None => self.not_found(turn, sender, reference).await?,
                }
            }
            // Only the three commands above come here.
            _ => {}
        }
        Ok(())
    }

    fn inbox_usage(&self, reply: &mut Reply<'_>, lang: peerline_core::domain::Language) {
        let body = self.text(
            lang,
            "inbox-reply-usage",
            &[("channel", Self::channel_arg(reply.inbound.channel))],
        );
        reply.push(body, None, false, "reply");
    }

    async fn not_found(&self, turn: &mut Turn<'_>, sender: &Sender, reference: &str) -> Result<(), EngineError> {
        let now = turn.now();
        // Another service's reference is answered like one that does not exist; the attempt
        // is audited when the reference is someone else's.
        if turn
            .tx
            .unanswered_owner(reference)
            .await?
            .is_some_and(|s| s != sender.person.service_id)
        {
            turn.tx
                .audit(AuditEntry {
                    at: now,
                    service_id: Some(sender.person.service_id),
                    actor_person_id: Some(sender.person.id),
                    actor_label: turn.reply.inbound.channel.as_str(),
                    action: "denied",
                    subject_person_id: None,
                    detail: Some(format!("inbox.view (another service's {reference})")),
                })
                .await?;
        }
        let body = self.text(
            sender.person.language,
            "inbox-not-found",
            &[("reference", quote::clean(reference).into())],
        );
        turn.reply.push(body, None, false, "reply");
        Ok(())
    }

    /// The unanswered messages, oldest first: on Telegram one message each (so a coordinator
    /// can answer one by replying to it), on SMS a few in one message.
    async fn list(&self, turn: &mut Turn<'_>, sender: &Sender) -> Result<(), EngineError> {
        let person = &sender.person;
        let lang = person.language;
        let now = turn.now();
        let channel = turn.reply.inbound.channel;
        let limit = if channel == ChannelKind::Telegram {
            LIST_TELEGRAM
        } else {
            LIST_SMS
        };
        let (items, total) = turn.tx.unanswered(person.service_id, limit).await?;
        turn.tx.mark_notified(person.service_id, now).await?;
        turn.audit_by(
            person,
            "inbox.view",
            None,
            Some(items.iter().map(|i| i.reference.as_str()).collect::<Vec<_>>().join(",")),
        )
        .await?;
        if items.is_empty() {
            turn.reply
                .push(self.text(lang, "inbox-empty", &[]), None, false, "reply");
            return Ok(());
        }
        let service = turn.tx.service(person.service_id).await?;
        let shown = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let header = self.text(
            lang,
            "inbox-header",
            &[
                ("count", total.into()),
                ("shown", shown.into()),
                ("channel", Self::channel_arg(channel)),
            ],
        );
        let describe = |item: &Unanswered| {
            let what = self.what(lang, item);
            self.text(
                lang,
                "inbox-item",
                &[
                    ("reference", item.reference.as_str().into()),
                    ("name", item.name.as_str().into()),
                    ("from", item.channel.as_str().into()),
                    (
                        "when",
                        self.i18n
                            .when(lang, from_millis(item.received_at), service.timezone)
                            .into(),
                    ),
                    ("what", what.into()),
                    ("channel", Self::channel_arg(channel)),
                ],
            )
        };
        if channel == ChannelKind::Telegram {
            turn.reply.push(header, None, false, "reply");
            for item in &items {
                turn.reply
                    .push(describe(item), None, false, &format!("inbox-item:{}", item.reference));
                // The voice note or photo itself, copied Telegram to Telegram (nothing stored
                // on our side), when the deployment allows it.
                if let (true, Some(message_id), Some(from_chat)) = (
                    self.forward_media,
                    item.media_message_id,
                    self.telegram_chat_of(&mut turn.tx, item).await?,
                ) {
                    turn.reply.push(
                        copy_body(from_chat, message_id),
                        None,
                        false,
                        &format!("inbox-copy:{}", item.reference),
                    );
                }
            }
        } else {
            let lines: Vec<String> = items.iter().map(describe).collect();
            turn.reply
                .push(format!("{header}\n{}", lines.join("\n")), None, false, "reply");
        }
        Ok(())
    }

    /// What a listed message holds: its first words, or its kind and length (and caption).
    fn what(&self, lang: peerline_core::domain::Language, item: &Unanswered) -> String {
        let words = item
            .body
            .as_deref()
            .map(quote::clean)
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{}\"", quote::excerpt(&w, FIRST_WORDS)));
        match &item.media_kind {
            Some(kind) => {
                let media = self.text(
                    lang,
                    "inbox-media",
                    &[
                        ("kind", kind.as_str().into()),
                        ("seconds", item.media_seconds.unwrap_or(0).into()),
                    ],
                );
                match words {
                    Some(w) => format!("{media}: {w}"),
                    None => media,
                }
            }
            None => words.unwrap_or_else(|| self.text(lang, "inbox-no-words", &[])),
        }
    }

    /// Send `words` to the person who wrote `item`, signed, on the channel they wrote from;
    /// their thread is then answered. Refused (and said so) when they opted out, or when the
    /// signed reply would not fit one message on their channel.
    async fn answer_thread(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        item: &Unanswered,
        words: &str,
    ) -> Result<(), EngineError> {
        let staff = &sender.person;
        let now = turn.now();
        let subject = turn.tx.person(PersonId(item.person_id)).await?;
        let identity = match item.identity_id {
            Some(id) => turn.tx.identity_by_id(IdentityId(id)).await?,
            None => None,
        };
        let name = ("name", item.name.as_str().into());
        let Some(identity) = identity.filter(|i| i.opted_out_at.is_none()) else {
            turn.tx
                .audit(AuditEntry {
                    detail: Some(format!("{} (not sent: opted out)", item.reference)),
                    ..staff_audit(sender, &turn.reply, "inbox.reply", item, now)
                })
                .await?;
            let body = self.text(staff.language, "inbox-reply-opted-out", &[name]);
            turn.reply.push(body, None, false, "reply");
            return Ok(());
        };
        let service = turn.tx.service(subject.service_id).await?;
        let body = self.text(
            subject.language,
            "inbox-reply",
            &[
                ("text", words.trim().into()),
                ("name", staff.display_name.as_str().into()),
                ("service", service.name.as_str().into()),
                ("channel", identity.channel.as_str().into()),
            ],
        );
        let (length, limit) = match identity.channel {
            ChannelKind::Telegram => (body.encode_utf16().count(), quote::TELEGRAM_MAX),
            ChannelKind::Sms => (body.chars().count(), quote::SMS_MAX_CHARS),
        };
        if length > limit {
            let body = self.text(
                staff.language,
                "inbox-reply-too-long",
                &[
                    ("length", i64::try_from(length).unwrap_or(i64::MAX).into()),
                    ("limit", i64::try_from(limit).unwrap_or(i64::MAX).into()),
                ],
            );
            turn.reply.push(body, None, false, "reply");
            return Ok(());
        }
        turn.reply.also(NewOutbound {
            person_id: Some(subject.id),
            identity_id: Some(identity.id),
            channel: identity.channel,
            address: identity.address.clone(),
            priority: Priority::Reply,
            kind: "inbox-reply".into(),
            body,
            buttons: None,
            ignore_opt_out: false,
            not_before: now,
        });
        turn.tx
            .end_thread(subject.id, ThreadEnd::Answered, staff.id, now)
            .await?;
        turn.tx
            .audit(staff_audit(sender, &turn.reply, "inbox.reply", item, now))
            .await?;
        let body = self.text(staff.language, "inbox-replied", &[name]);
        turn.reply.push(body, None, false, "reply");
        Ok(())
    }
}

/// What a `inbox-copy:REF` outbox row carries for the Telegram channel: where to copy from.
fn copy_body(from_chat: i64, message_id: i64) -> String {
    format!("{from_chat}:{message_id}")
}

impl Engine {
    /// The Telegram chat a listed message came from, if it came by Telegram.
    async fn telegram_chat_of(&self, tx: &mut Tx, item: &Unanswered) -> Result<Option<i64>, EngineError> {
        let Some(id) = item.identity_id else { return Ok(None) };
        Ok(tx
            .identity_by_id(IdentityId(id))
            .await?
            .filter(|i| i.channel == ChannelKind::Telegram)
            .and_then(|i| i.address.parse().ok()))
    }
}

fn staff_audit(
    sender: &Sender,
    reply: &Reply<'_>,
    action: &'static str,
    item: &Unanswered,
    now: i64,
) -> AuditEntry<'static> {
    AuditEntry {
        at: now,
        service_id: Some(sender.person.service_id),
        actor_person_id: Some(sender.person.id),
        actor_label: reply.inbound.channel.as_str(),
        action,
        subject_person_id: Some(PersonId(item.person_id)),
        detail: Some(item.reference.clone()),
    }
}
