//! Replies to what the scheduler started: check-in answers (buttons or numbers), a mentor's
//! YES / NO to a supervision reminder, and a coordinator's attendance record.

use peerline_core::{
    authz::Action,
    clock::{from_millis, to_millis},
    domain::{AttendanceOutcome, CheckinStatus, PersonId, ServiceId},
    store::{Checkin, NewOutbound, Priority, StoreError},
    supervision,
    wellbeing::{self, Answer, QUESTIONS},
};

use super::{Engine, EngineError, Sender, Turn, keywords::Button};

impl Engine {
    /// A button of a scheduled flow: a check-in answer, a mentor's yes or no to a supervision
    /// reminder, a coordinator's attendance record.
    pub(super) async fn flow_button(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        button: Button,
    ) -> Result<(), EngineError> {
        let person = &sender.person;
        match button {
            Button::Checkin {
                checkin,
                question,
                answer,
            } => {
                let checkin = turn.tx.checkin(checkin).await?.filter(|c| c.person_id == person.id.0);
                if let Some(c) = checkin
                    && c.question == question as i64
                {
                    self.answer(turn, sender, c, answer).await?;
                }
                // A stale or foreign button: already answered, or not theirs. Say nothing.
            }
            Button::SupervisionReply { session, yes } => {
                self.supervision_reply(turn, sender, Some(session), yes).await?;
            }
            Button::SupervisionRecord {
                session,
                mentor,
                outcome,
            } => {
                if self.may(turn, sender, Action::RecordSupervision).await? {
                    self.record(turn, sender, session, PersonId(mentor), outcome).await?;
                }
            }
            // Not a flow's button; the engine sends none of these here.
            Button::Booking(_)
            | Button::TakeCallback(_)
            | Button::CallbackDone(..)
            | Button::Acknowledge(_)
            | Button::Unknown => {}
        }
        Ok(())
    }

    /// Typed words that answer a scheduled flow: a check-in score (or a clarification when it
    /// is not one), YES or NO to a supervision reminder. Returns whether they did.
    pub(super) async fn flow_words(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        text: &str,
    ) -> Result<bool, EngineError> {
        let now = turn.now();
        let person = &sender.person;
        let open = turn.tx.answering_checkin(person.id, now).await?;
        if let Some(c) = &open
            && let Some(answer) = wellbeing::parse_answer(text)
        {
            self.answer(turn, sender, c.clone(), answer).await?;
            return Ok(true);
        }
        if let Some(yes) = supervision::parse_reply(text)
            && self.supervision_reply(turn, sender, None, yes).await?
        {
            return Ok(true);
        }
        if let Some(c) = open.filter(|c| !c.clarified && c.status == CheckinStatus::Open) {
            turn.tx.set_clarified(c.id).await?;
            let body = self.text(
                person.language,
                "checkin-clarify",
                &[("channel", turn.reply.inbound.channel.as_str().into())],
            );
            turn.reply.push(body, None, false, "checkin-clarify");
            return Ok(true);
        }
        Ok(false)
    }

    async fn answer(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        checkin: Checkin,
        answer: Answer,
    ) -> Result<(), EngineError> {
        let at = turn.at;
        let lang = sender.person.language;
        let Some(measure) = usize::try_from(checkin.question).ok().and_then(|q| QUESTIONS.get(q)) else {
            return Ok(());
        };
        let late = checkin.status == CheckinStatus::Missed || turn.now() > checkin.closes_at;
        let score = match answer {
            Answer::Score(n) => Some(n),
            Answer::Skip => None,
        };
        turn.tx
            .answer_checkin(checkin.id, *measure, score, late, turn.now())
            .await?;
        let updated = turn
            .tx
            .checkin(checkin.id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("check-in {} vanished as it was answered", checkin.id)))?;
        if let Ok(next) = usize::try_from(updated.question)
            && next < QUESTIONS.len()
        {
            let (body, buttons) =
                wellbeing::question_message(&self.i18n, lang, turn.reply.inbound.channel, updated.id, next);
            turn.reply.push(body, buttons, false, "checkin-question");
            return Ok(());
        }
        if late {
            turn.reply
                .push(self.text(lang, "checkin-late", &[]), None, false, "checkin-late");
            return Ok(());
        }
        wellbeing::conclude(&mut turn.tx, &self.i18n, &self.rules, &updated, at).await?;
        let id = if self.rules.any_low(&updated.answers()) {
            "checkin-thanks-low"
        } else {
            "checkin-thanks"
        };
        // Who is there for them depends on who they are: a mentor has a coordinator, not a
        // peer mentor.
        let role = ("role", sender.person.role.as_str().into());
        let nation = (
            "nation",
            turn.tx.service(sender.person.service_id).await?.nation.as_str().into(),
        );
        turn.reply.push(self.text(lang, id, &[role, nation]), None, false, id);
        Ok(())
    }

    /// Returns false when there was no reminder to answer.
    async fn supervision_reply(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        session: Option<i64>,
        yes: bool,
    ) -> Result<bool, EngineError> {
        let now = turn.at;
        let person = &sender.person;
        let response = if yes { "confirmed" } else { "declined" };
        let Some(row) = turn
            .tx
            .respond_to_session(person.id, session, response, turn.now())
            .await?
        else {
            return Ok(false);
        };
        let lang = person.language;
        if yes {
            turn.reply.push(
                self.text(lang, "supervision-confirmed", &[]),
                None,
                false,
                "supervision-confirmed",
            );
            return Ok(true);
        }
        turn.reply.push(
            self.text(lang, "supervision-declined", &[]),
            None,
            false,
            "supervision-declined",
        );
        // Tell the coordinators at once (outside quiet hours).
        let service = turn.tx.service(ServiceId(row.service_id)).await?;
        let at = to_millis(service.hours.after_quiet(now));
        for c in turn.tx.staff_contacts(service.id).await? {
            let when = self.i18n.when(c.language, from_millis(row.starts_at), service.timezone);
            let body = self.i18n.format(
                c.language,
                "supervision-declined-staff",
                &[("name", person.display_name.as_str().into()), ("when", when.into())],
            );
            turn.reply.also(NewOutbound {
                person_id: Some(c.person),
                identity_id: Some(c.identity),
                channel: c.channel,
                address: c.address.clone(),
                priority: Priority::Reply,
                kind: "supervision-declined".into(),
                body,
                buttons: None,
                ignore_opt_out: false,
                not_before: at,
            });
        }
        Ok(true)
    }

    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        session: i64,
        mentor: PersonId,
        outcome: AttendanceOutcome,
    ) -> Result<(), EngineError> {
        let now = turn.now();
        let staff = &sender.person;
        let Some(rec) = supervision::record_outcome(
            &mut turn.tx,
            staff.service_id,
            session,
            mentor,
            outcome,
            Some(staff.id),
            now,
        )
        .await?
        else {
            // Not a session of theirs: another service's is answered like one that does not
            // exist, and the attempt is audited.
            let gone = self.text(staff.language, "supervision-record-gone", &[]);
            if turn
                .tx
                .session_service(session)
                .await?
                .is_some_and(|s| s != staff.service_id)
            {
                let why = (Action::RecordSupervision, "other service");
                return self.deny(turn, sender, why, Some(gone)).await;
            }
            turn.reply.push(gone, None, false, "reply");
            return Ok(());
        };
        let lang = staff.language;
        let name = rec.mentor_name.as_str();
        let body = self.text(
            lang,
            "supervision-recorded",
            &[("name", name.into()), ("outcome", outcome.as_str().into())],
        );
        turn.reply.push(body, None, false, "supervision-recorded");
        let service = turn.tx.service(staff.service_id).await?;
        if rec.rebook {
            let when = self.i18n.when(lang, from_millis(rec.starts_at), service.timezone);
            let body = self.text(
                lang,
                "supervision-missed-rebook",
                &[("name", name.into()), ("when", when.into())],
            );
            turn.reply.push(body, None, false, "supervision-rebook");
        }
        if rec.review {
            let body = self.text(lang, "supervision-review-flag", &[("name", name.into())]);
            turn.reply.push(body, None, false, "supervision-review");
        }
        Ok(())
    }
}
