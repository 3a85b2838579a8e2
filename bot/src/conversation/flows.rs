//! Replies to what the scheduler started: check-in answers (buttons or numbers), a mentor's
//! YES / NO to a supervision reminder, and a coordinator's attendance record.

use peerline_core::{
    authz::Action,
    clock::{from_millis, to_millis},
    domain::{AttendanceOutcome, CheckinStatus, PersonId, ServiceId},
    store::{Checkin, NewOutbound, Priority, StoreError, Tx},
    supervision,
    wellbeing::{self, Answer, QUESTIONS},
};

use super::{Engine, EngineError, Reply, Sender, keywords::Button};

impl Engine {
    /// A button of a scheduled flow: a check-in answer, a mentor's yes or no to a supervision
    /// reminder, a coordinator's attendance record.
    pub(super) async fn flow_button(
        &self,
        tx: &mut Tx,
        reply: &mut Reply<'_>,
        sender: &Sender,
        button: Button,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), EngineError> {
        let person = &sender.person;
        match button {
            Button::Checkin {
                checkin,
                question,
                answer,
            } => {
                let checkin = tx.checkin(checkin).await?.filter(|c| c.person_id == person.id.0);
                if let Some(c) = checkin
                    && c.question == question as i64
                {
                    self.answer(tx, reply, sender, c, answer, now).await?;
                }
                // A stale or foreign button: already answered, or not theirs. Say nothing.
            }
            Button::SupervisionReply { session, yes } => {
                self.supervision_reply(tx, reply, sender, Some(session), yes, now)
                    .await?;
            }
            Button::SupervisionRecord {
                session,
                mentor,
                outcome,
            } => {
                if self
                    .may(tx, reply, sender, Action::RecordSupervision, to_millis(now))
                    .await?
                {
                    self.record(tx, reply, sender, session, PersonId(mentor), outcome, now)
                        .await?;
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
        tx: &mut Tx,
        reply: &mut Reply<'_>,
        sender: &Sender,
        text: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, EngineError> {
        let person = &sender.person;
        let open = tx.answering_checkin(person.id, to_millis(now)).await?;
        if let Some(c) = &open
            && let Some(answer) = wellbeing::parse_answer(text)
        {
            self.answer(tx, reply, sender, c.clone(), answer, now).await?;
            return Ok(true);
        }
        if let Some(yes) = supervision::parse_reply(text)
            && self.supervision_reply(tx, reply, sender, None, yes, now).await?
        {
            return Ok(true);
        }
        if let Some(c) = open.filter(|c| !c.clarified && c.status == CheckinStatus::Open) {
            tx.set_clarified(c.id).await?;
            let body = self.text(
                person.language,
                "checkin-clarify",
                &[("channel", reply.inbound.channel.as_str().into())],
            );
            reply.push(body, None, false, "checkin-clarify");
            return Ok(true);
        }
        Ok(false)
    }

    async fn answer(
        &self,
        tx: &mut Tx,
        reply: &mut Reply<'_>,
        sender: &Sender,
        checkin: Checkin,
        answer: Answer,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), EngineError> {
        let lang = sender.person.language;
        let Some(measure) = usize::try_from(checkin.question).ok().and_then(|q| QUESTIONS.get(q)) else {
            return Ok(());
        };
        let late = checkin.status == CheckinStatus::Missed || to_millis(now) > checkin.closes_at;
        let score = match answer {
            Answer::Score(n) => Some(n),
            Answer::Skip => None,
        };
        tx.answer_checkin(checkin.id, *measure, score, late, to_millis(now))
            .await?;
        let updated = tx
            .checkin(checkin.id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("check-in {} vanished as it was answered", checkin.id)))?;
        if let Ok(next) = usize::try_from(updated.question)
            && next < QUESTIONS.len()
        {
            let (body, buttons) =
                wellbeing::question_message(&self.i18n, lang, reply.inbound.channel, updated.id, next);
            reply.push(body, buttons, false, "checkin-question");
            return Ok(());
        }
        if late {
            reply.push(self.text(lang, "checkin-late", &[]), None, false, "checkin-late");
            return Ok(());
        }
        wellbeing::conclude(tx, &self.i18n, &self.rules, &updated, now).await?;
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
            tx.service(sender.person.service_id).await?.nation.as_str().into(),
        );
        reply.push(self.text(lang, id, &[role, nation]), None, false, id);
        Ok(())
    }

    /// Returns false when there was no reminder to answer.
    async fn supervision_reply(
        &self,
        tx: &mut Tx,
        reply: &mut Reply<'_>,
        sender: &Sender,
        session: Option<i64>,
        yes: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, EngineError> {
        let person = &sender.person;
        let response = if yes { "confirmed" } else { "declined" };
        let Some(row) = tx
            .respond_to_session(person.id, session, response, to_millis(now))
            .await?
        else {
            return Ok(false);
        };
        let lang = person.language;
        if yes {
            reply.push(
                self.text(lang, "supervision-confirmed", &[]),
                None,
                false,
                "supervision-confirmed",
            );
            return Ok(true);
        }
        reply.push(
            self.text(lang, "supervision-declined", &[]),
            None,
            false,
            "supervision-declined",
        );
        // Tell the coordinators at once (outside quiet hours).
        let service = tx.service(ServiceId(row.service_id)).await?;
        let at = to_millis(service.hours.after_quiet(now));
        for c in tx.staff_contacts(service.id).await? {
            let when = self.i18n.when(c.language, from_millis(row.starts_at), service.timezone);
            let body = self.i18n.format(
                c.language,
                "supervision-declined-staff",
                &[("name", person.display_name.as_str().into()), ("when", when.into())],
            );
            reply.also(NewOutbound {
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
        tx: &mut Tx,
        reply: &mut Reply<'_>,
        sender: &Sender,
        session: i64,
        mentor: PersonId,
        outcome: AttendanceOutcome,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), EngineError> {
        let staff = &sender.person;
        let Some(rec) = supervision::record_outcome(
            tx,
            staff.service_id,
            session,
            mentor,
            outcome,
            Some(staff.id),
            to_millis(now),
        )
        .await?
        else {
            // Not a session of theirs: another service's is answered like one that does not
            // exist, and the attempt is audited.
            let gone = self.text(staff.language, "supervision-record-gone", &[]);
            if tx
                .session_service(session)
                .await?
                .is_some_and(|s| s != staff.service_id)
            {
                let why = (Action::RecordSupervision, "other service");
                return self.deny(tx, reply, sender, why, Some(gone), to_millis(now)).await;
            }
            reply.push(gone, None, false, "reply");
            return Ok(());
        };
        let lang = staff.language;
        let name = rec.mentor_name.as_str();
        let body = self.text(
            lang,
            "supervision-recorded",
            &[("name", name.into()), ("outcome", outcome.as_str().into())],
        );
        reply.push(body, None, false, "supervision-recorded");
        let service = tx.service(staff.service_id).await?;
        if rec.rebook {
            let when = self.i18n.when(lang, from_millis(rec.starts_at), service.timezone);
            let body = self.text(
                lang,
                "supervision-missed-rebook",
                &[("name", name.into()), ("when", when.into())],
            );
            reply.push(body, None, false, "supervision-rebook");
        }
        if rec.review {
            let body = self.text(lang, "supervision-review-flag", &[("name", name.into())]);
            reply.push(body, None, false, "supervision-review");
        }
        Ok(())
    }
}
