//! A mentee asks for a call from a peer mentor; mentors take it; the mentee can cancel.

use peerline_core::{
    authz::Action,
    callbacks,
    domain::{ChannelKind, PersonId},
    quote,
    store::{NewOutbound, Priority},
};

use super::{Engine, EngineError, Sender, Turn, availability};

impl Engine {
    /// `/available [days and hours]`: show, set or clear when this mentor is offered callback
    /// requests. A spec that cannot be read changes nothing and says which words were at fault.
    pub(super) async fn availability(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        spec: Option<String>,
    ) -> Result<(), EngineError> {
        let person = &sender.person;
        let lang = person.language;
        let how = self.text(
            lang,
            "availability-how",
            &[("channel", Self::channel_arg(turn.reply.inbound.channel))],
        );
        let day = |d: u32| self.text(lang, "weekday", &[("n", d.into())]);
        let (windows, message) = match spec {
            None => {
                let current = turn.tx.availability_of(person.id).await?;
                let body = if current.is_empty() {
                    self.text(lang, "availability-none", &[])
                } else {
                    let windows = availability::describe(&current, day);
                    self.text(lang, "availability-current", &[("windows", windows.into())])
                };
                turn.reply.push(format!("{body} {how}"), None, false, "reply");
                return Ok(());
            }
            Some(spec) if availability::is_off(&spec) => (Vec::new(), "availability-off"),
            Some(spec) => match availability::parse(&spec) {
                Ok(windows) => (windows, "availability-set"),
                Err(e) => {
                    let body = match e.words() {
                        Some(words) => self.text(lang, "availability-not-understood", &[("words", words.into())]),
                        None if e == availability::SpecError::TooMany => self.text(lang, "availability-too-many", &[]),
                        None => String::new(),
                    };
                    turn.reply
                        .push(format!("{body} {how}").trim().to_owned(), None, false, "reply");
                    return Ok(());
                }
            },
        };
        turn.tx.set_availability(person.id, &windows).await?;
        let english = availability::describe(&windows, availability::english_day);
        turn.audit_by(
            person,
            "availability.set",
            Some(person.id),
            Some(if english.is_empty() { "off".to_owned() } else { english }),
        )
        .await?;
        let body = self.text(
            lang,
            message,
            &[("windows", availability::describe(&windows, day).into())],
        );
        turn.reply.push(body, None, false, "reply");
        Ok(())
    }

    /// `CALLBACK`: record, acknowledge with an expected time (or, out of hours, when and the
    /// crisis numbers) and offer it to the mentors available now.
    pub(super) async fn callback_request(&self, turn: &mut Turn<'_>, sender: &Sender) -> Result<(), EngineError> {
        let at = turn.at;
        let person = &sender.person;
        let lang = person.language;
        if let Some(open) = turn.tx.open_callback_of(person.id).await? {
            let body = self.text(
                lang,
                "callback-already",
                &[("reference", open.reference.as_str().into())],
            );
            turn.reply
                .push_with(body, None, false, "callback-ack", Priority::Callback);
            return Ok(());
        }
        let service = turn.tx.service(person.service_id).await?;
        let cb = turn.tx.open_callback(service.id, person.id, turn.now()).await?;
        turn.audit_by(person, "callback.request", Some(person.id), Some(cb.reference.clone()))
            .await?;
        if !service.hours.staffed_at(at) {
            let when = self.i18n.when(lang, service.hours.next_staffed(at), service.timezone);
            let body = self.text(
                lang,
                "callback-out-of-hours",
                &[
                    ("reference", cb.reference.as_str().into()),
                    ("when", when.into()),
                    ("nation", service.nation.as_str().into()),
                ],
            );
            turn.reply
                .push_with(body, None, false, "callback-ack", Priority::Callback);
            turn.reply.push_with(
                self.text(lang, "callback-ask-safe", &[]),
                None,
                false,
                "callback-ask",
                Priority::Callback,
            );
            return Ok(());
        }
        let body = self.text(
            lang,
            "callback-ack",
            &[
                ("reference", cb.reference.as_str().into()),
                ("minutes", service.callback_expected_minutes.into()),
                ("channel", turn.reply.inbound.channel.as_str().into()),
            ],
        );
        turn.reply
            .push_with(body, None, false, "callback-ack", Priority::Callback);
        turn.reply.push_with(
            self.text(lang, "callback-ask-safe", &[]),
            None,
            false,
            "callback-ask",
            Priority::Callback,
        );
        if callbacks::offer(&mut turn.tx, &self.i18n, &cb, &service, at).await? == 0 {
            // Nobody is available right at: the coordinators arrange it.
            callbacks::tell_coordinators(&mut turn.tx, &self.i18n, &cb, at).await?;
        }
        Ok(())
    }

    /// A mentor takes a callback (button or `TAKE <ref>`): exactly one acceptance wins.
    pub(super) async fn take_callback(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        id: Option<i64>,
        reference: Option<&str>,
    ) -> Result<(), EngineError> {
        let now = turn.now();
        let mentor = &sender.person;
        let lang = mentor.language;
        if !self.may(turn, sender, Action::TakeCallback).await? {
            return Ok(());
        }
        let Some(cb) = self
            .own_callback(turn, sender, Action::TakeCallback, (id, reference))
            .await?
        else {
            return Ok(());
        };
        if !turn.tx.accept_callback(cb.id, mentor.id, now).await? {
            let body = self.text(lang, "callback-taken", &[("reference", cb.reference.as_str().into())]);
            turn.reply
                .push_with(body, None, false, "callback-taken", Priority::Callback);
            return Ok(());
        }
        let service = turn.tx.service(mentor.service_id).await?;
        let mentee = turn.tx.person(PersonId(cb.mentee_id)).await?;
        let number = if service.callback_show_number {
            let phone = self
                .store
                .identities_of(mentee.id)
                .await?
                .into_iter()
                .find(|i| i.channel == ChannelKind::Sms);
            if let Some(p) = &phone {
                turn.audit_by(
                    mentor,
                    "callback.number-shown",
                    Some(mentee.id),
                    Some(cb.reference.clone()),
                )
                .await?;
                Some(p.address.clone())
            } else {
                None
            }
        } else {
            None
        };
        let body = self.text(
            lang,
            "callback-won",
            &[
                ("name", mentee.display_name.as_str().into()),
                ("reference", cb.reference.as_str().into()),
                ("number", number.as_deref().unwrap_or("hidden").into()),
            ],
        );
        turn.reply
            .push_with(body, None, false, "callback-won", Priority::Callback);
        if let Some(words) = &cb.safe_to_call {
            let body = quote::build_quoting(turn.reply.inbound.channel, words, |q, _| {
                self.text(
                    lang,
                    "callback-safe-forward",
                    &[
                        ("name", quote::clean(&mentee.display_name).into()),
                        ("reference", cb.reference.as_str().into()),
                        ("words", q.into()),
                    ],
                )
            });
            turn.reply
                .push_with(body, None, false, "callback-safe", Priority::Callback);
        }
        let channel = turn.reply.inbound.channel;
        let buttons = (channel == ChannelKind::Telegram).then(|| {
            vec![
                [
                    ("called", "button-called"),
                    ("no-answer", "button-no-answer"),
                    ("follow-up", "button-follow-up"),
                ]
                .iter()
                .map(|(o, label)| (self.text(lang, label, &[]), callbacks::done_button(cb.id, o)))
                .collect(),
            ]
        });
        let body = self.text(
            lang,
            "callback-record-how",
            &[
                ("reference", cb.reference.as_str().into()),
                ("channel", channel.as_str().into()),
            ],
        );
        turn.reply
            .push_with(body, buttons, false, "callback-record", Priority::Callback);
        // The others offered it are told it has gone; the mentee that someone will call.
        for other in turn.tx.offered_to(cb.id).await? {
            if other == mentor.id {
                continue;
            }
            let p = turn.tx.person(other).await?;
            if let Some(identity) = self.store.reachable_identity(other).await? {
                let body = self.text(
                    p.language,
                    "callback-taken",
                    &[("reference", cb.reference.as_str().into())],
                );
                turn.reply.also(NewOutbound {
                    person_id: Some(other),
                    identity_id: Some(identity.id),
                    channel: identity.channel,
                    address: identity.address,
                    priority: Priority::Callback,
                    kind: "callback-taken".into(),
                    body,
                    buttons: None,
                    ignore_opt_out: false,
                    not_before: now,
                });
            }
        }
        if let Some(identity) = self.store.reachable_identity(mentee.id).await? {
            turn.reply.also(NewOutbound {
                person_id: Some(mentee.id),
                identity_id: Some(identity.id),
                channel: identity.channel,
                address: identity.address,
                priority: Priority::Callback,
                kind: "callback-accepted".into(),
                body: self.text(mentee.language, "callback-accepted", &[]),
                buttons: None,
                ignore_opt_out: false,
                not_before: now,
            });
        }
        Ok(())
    }

    /// The mentee's reply about when it is safe to call: kept, and passed to the mentor who
    /// took the call. Returns false when there is no request waiting for that answer.
    pub(super) async fn callback_details(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        words: &str,
    ) -> Result<bool, EngineError> {
        let now = turn.now();
        let Some(cb) = turn
            .tx
            .open_callback_of(sender.person.id)
            .await?
            .filter(|c| c.safe_to_call.is_none())
        else {
            return Ok(false);
        };
        let words = words.trim();
        if words.is_empty() {
            return Ok(false);
        }
        turn.tx.set_safe_to_call(cb.id, words).await?;
        turn.reply.push_with(
            self.text(sender.person.language, "callback-safe-noted", &[]),
            None,
            false,
            "callback-safe",
            Priority::Callback,
        );
        if let Some(mentor) = cb.accepted_by.map(PersonId)
            && let Some(identity) = self.store.reachable_identity(mentor).await?
        {
            let m = turn.tx.person(mentor).await?;
            let body = quote::build_quoting(identity.channel, words, |q, _| {
                self.text(
                    m.language,
                    "callback-safe-forward",
                    &[
                        ("name", quote::clean(&sender.person.display_name).into()),
                        ("reference", cb.reference.as_str().into()),
                        ("words", q.into()),
                    ],
                )
            });
            turn.reply.also(NewOutbound {
                person_id: Some(mentor),
                identity_id: Some(identity.id),
                channel: identity.channel,
                address: identity.address,
                priority: Priority::Callback,
                kind: "callback-safe".into(),
                body,
                buttons: None,
                ignore_opt_out: false,
                not_before: now,
            });
        }
        Ok(true)
    }

    /// The mentor who took a callback records how it went; follow-up needed tells the team.
    pub(super) async fn callback_done(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        (id, reference): (Option<i64>, Option<&str>),
        outcome: Option<&'static str>,
    ) -> Result<(), EngineError> {
        let now = turn.now();
        let mentor = &sender.person;
        let channel = turn.reply.inbound.channel.as_str();
        if !self.may(turn, sender, Action::RecordCallback).await? {
            return Ok(());
        }
        let Some(cb) = self
            .own_callback(turn, sender, Action::RecordCallback, (id, reference))
            .await?
        else {
            return Ok(());
        };
        let Some(outcome) = outcome else {
            let body = self.text(
                mentor.language,
                "callback-record-how",
                &[("reference", cb.reference.as_str().into()), ("channel", channel.into())],
            );
            turn.reply.push(body, None, false, "reply");
            return Ok(());
        };
        if cb.accepted_by != Some(mentor.id.0) {
            // Offered to them, perhaps, but taken by someone else (or by nobody yet).
            return self
                .deny(turn, sender, (Action::RecordCallback, "not their call"), None)
                .await;
        }
        if !turn.tx.set_callback_outcome(cb.id, mentor.id, outcome, now).await? {
            let body = self.text(
                mentor.language,
                "callback-not-found",
                &[("reference", cb.reference.as_str().into())],
            );
            turn.reply.push(body, None, false, "reply");
            return Ok(());
        }
        turn.audit_by(
            mentor,
            "callback.outcome",
            Some(PersonId(cb.mentee_id)),
            Some(format!("{} {outcome}", cb.reference)),
        )
        .await?;
        let body = self.text(
            mentor.language,
            "callback-outcome-noted",
            &[("reference", cb.reference.as_str().into())],
        );
        turn.reply
            .push_with(body, None, false, "callback-outcome", Priority::Callback);
        if outcome == "follow-up" {
            let mentee = turn.tx.person(PersonId(cb.mentee_id)).await?;
            for c in turn.tx.staff_contacts(mentor.service_id).await? {
                let body = self.text(
                    c.language,
                    "callback-follow-up-staff",
                    &[
                        ("reference", cb.reference.as_str().into()),
                        ("name", mentee.display_name.as_str().into()),
                    ],
                );
                turn.reply.also(NewOutbound {
                    person_id: Some(c.person),
                    identity_id: Some(c.identity),
                    channel: c.channel,
                    address: c.address.clone(),
                    priority: Priority::Callback,
                    kind: "callback-follow-up".into(),
                    body,
                    buttons: None,
                    ignore_opt_out: false,
                    not_before: now,
                });
            }
        }
        Ok(())
    }

    /// `CANCEL CALLBACK`.
    pub(super) async fn cancel_callback(&self, turn: &mut Turn<'_>, sender: &Sender) -> Result<(), EngineError> {
        let lang = sender.person.language;
        if let Some(cb) = turn.tx.open_callback_of(sender.person.id).await? {
            turn.tx.cancel_callback(cb.id).await?;
        }
        turn.reply.push_with(
            self.text(
                lang,
                "callback-cancelled",
                &[("channel", turn.reply.inbound.channel.as_str().into())],
            ),
            None,
            false,
            "callback-cancelled",
            Priority::Callback,
        );
        Ok(())
    }
}

impl Engine {
    /// A callback of the mentor's own service, by id (a button) or reference (typed). When
    /// there is none, the mentor has been told so; another service's callback gets the same
    /// answer, and the attempt is audited.
    async fn own_callback(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        action: Action,
        (id, reference): (Option<i64>, Option<&str>),
    ) -> Result<Option<peerline_core::store::Callback>, EngineError> {
        let service = sender.person.service_id;
        let (found, foreign) = match (id, reference) {
            (Some(id), _) => match turn.tx.callback(id).await {
                Ok(c) if c.service_id == service.0 => (Some(c), None),
                Ok(c) => (None, Some(c.reference)),
                Err(_) => (None, None),
            },
            (None, Some(r)) => match turn.tx.callback_by_ref(service, r).await? {
                Some(c) => (Some(c), None),
                None => {
                    let owner = turn.tx.reference_owner(r).await?;
                    (None, owner.filter(|o| *o != service).map(|_| r.to_owned()))
                }
            },
            (None, None) => (None, None),
        };
        if found.is_some() {
            return Ok(found);
        }
        // Typed: name the reference they typed. A button: say it has gone, naming nothing.
        let lang = sender.person.language;
        let body = match reference {
            Some(r) => self.text(
                lang,
                "callback-not-found",
                &[("reference", r.trim().to_ascii_uppercase().into())],
            ),
            None => self.text(lang, "callback-gone", &[]),
        };
        match foreign {
            Some(_) => self.deny(turn, sender, (action, "other service"), Some(body)).await?,
            None => turn.reply.push(body, None, false, "reply"),
        }
        Ok(None)
    }
}
