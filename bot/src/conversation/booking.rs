//! Coordinators book supervision from Telegram: `/supervision`, then buttons for whom (a
//! mentor, or the group), which day (the service's next working days) and what time (on the
//! hour, in working hours). Each button carries the choices so far, so there is no half-made
//! booking to keep or lose. Once booked, the next thing the coordinator types within
//! [`PLACE_PROMPT_MINUTES`] is taken as the room or video link.

use peerline_core::{
    authz::Action,
    clock::{from_millis, to_millis},
    domain::{ChannelKind, PersonId, Role, SessionKind},
    store::{AuditEntry, Keyboard, NewSession, PersonStatus, Service, StoreError},
    supervision::{self, BookWith, Booking},
};

use super::{Engine, EngineError, Reply, Sender, Turn};

/// How long after booking the coordinator's next message is taken as the place.
const PLACE_PROMPT_MINUTES: i64 = 30;
/// Buttons per keyboard row: names and dates stay readable on a small phone.
const PER_ROW: usize = 2;
/// Mentors offered at once: Telegram keyboards hold about a hundred buttons, and a long list
/// is no use on a phone anyway.
const MAX_MENTOR_BUTTONS: usize = 40;

/// Who a booking is with, once checked against the coordinator's service.
struct With {
    kind: SessionKind,
    /// The mentor's name, or empty for the group.
    name: String,
    attendees: Vec<PersonId>,
}

impl Engine {
    /// `/supervision [name]` (`step` is `None`) or a booking button (one step further).
    pub(super) async fn booking(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        step: Option<Booking>,
        name: Option<&str>,
    ) -> Result<(), EngineError> {
        let at = turn.at;
        let person = &sender.person;
        if !self.may(turn, sender, Action::BookSupervision).await? {
            return Ok(());
        }
        let lang = person.language;
        if turn.reply.inbound.channel != ChannelKind::Telegram {
            turn.reply
                .push(self.text(lang, "supervision-book-telegram", &[]), None, false, "reply");
            return Ok(());
        }
        let service = turn.tx.service(person.service_id).await?;
        let Some(step) = step else {
            self.ask_whom(&mut turn.reply, &service, name).await?;
            return Ok(());
        };
        let Some(with) = self.with(turn, sender, &service, step.with).await? else {
            return Ok(());
        };
        let (kind, name) = (with.kind, with.name.as_str());
        match (step.day, step.time) {
            (None, _) => {
                let today = at.with_timezone(&service.timezone).date_naive();
                let days = supervision::booking_days(&service, today);
                let buttons = days
                    .iter()
                    .map(|d| {
                        let next = Booking { day: Some(*d), ..step };
                        (self.i18n.day(lang, *d), supervision::booking_button(next))
                    })
                    .collect();
                let body = self.text(
                    lang,
                    "supervision-book-day",
                    &[("kind", kind.as_str().into()), ("name", name.into())],
                );
                turn.reply.push(body, Some(rows(buttons)), false, "reply");
            }
            (Some(day), None) => {
                let buttons = supervision::booking_times(&service)
                    .into_iter()
                    .map(|t| {
                        let next = Booking { time: Some(t), ..step };
                        (t.format("%H:%M").to_string(), supervision::booking_button(next))
                    })
                    .collect();
                let args = [
                    ("kind", kind.as_str().into()),
                    ("name", name.into()),
                    ("day", self.i18n.day(lang, day).into()),
                ];
                turn.reply.push(
                    self.text(lang, "supervision-book-time", &args),
                    Some(rows(buttons)),
                    false,
                    "reply",
                );
            }
            (Some(day), Some(time)) => self.book(turn, sender, &service, with, day.and_time(time)).await?,
        }
        Ok(())
    }

    /// The first step: a button per active mentor (whose name contains `name`, if given), by
    /// name, and one for the group. A big service gets the first [`MAX_MENTOR_BUTTONS`] and is
    /// asked to narrow it down with part of a name.
    async fn ask_whom(&self, reply: &mut Reply<'_>, service: &Service, name: Option<&str>) -> Result<(), EngineError> {
        let lang = reply.language;
        let mut mentors = self.active_mentors(service).await?;
        if let Some(name) = name {
            let name = name.to_lowercase();
            mentors.retain(|m| m.1.to_lowercase().contains(&name));
        }
        if mentors.is_empty() {
            let body = match name {
                Some(name) => self.text(lang, "supervision-book-no-match", &[("name", name.into())]),
                None => self.text(lang, "supervision-book-no-mentors", &[]),
            };
            reply.push(body, None, false, "reply");
            return Ok(());
        }
        let more = mentors.len() > MAX_MENTOR_BUTTONS;
        mentors.truncate(MAX_MENTOR_BUTTONS);
        let step = |with| Booking {
            with,
            day: None,
            time: None,
        };
        let mut buttons: Vec<(String, String)> = mentors
            .into_iter()
            .map(|(id, name)| (name, supervision::booking_button(step(BookWith::Mentor(id.0)))))
            .collect();
        buttons.push((
            self.text(lang, "button-book-group", &[]),
            supervision::booking_button(step(BookWith::Group)),
        ));
        let mut body = self.text(lang, "supervision-book-who", &[]);
        if more {
            body = format!("{body} {}", self.text(lang, "supervision-book-narrow", &[]));
        }
        reply.push(body, Some(rows(buttons)), false, "reply");
        Ok(())
    }

    /// The service's active mentors, by name.
    async fn active_mentors(&self, service: &Service) -> Result<Vec<(PersonId, String)>, EngineError> {
        let mut mentors: Vec<(PersonId, String)> = self
            .store
            .people(service.id)
            .await?
            .into_iter()
            .filter(|p| p.role == Role::Mentor && p.status == PersonStatus::Active)
            .map(|p| (p.id, p.display_name))
            .collect();
        mentors.sort_by_key(|m| m.1.to_lowercase());
        Ok(mentors)
    }

    /// Check whom a button books with. A mentor who has left (or never was one) gets "that
    /// booking has expired"; another service's mentor gets the same answer, audited as denied.
    async fn with(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        service: &Service,
        with: BookWith,
    ) -> Result<Option<With>, EngineError> {
        let coordinator = &sender.person;
        let gone = self.text(coordinator.language, "supervision-book-gone", &[]);
        match with {
            BookWith::Group => {
                let attendees: Vec<PersonId> = self.active_mentors(service).await?.into_iter().map(|m| m.0).collect();
                if attendees.is_empty() {
                    let body = self.text(coordinator.language, "supervision-book-no-mentors", &[]);
                    turn.reply.push(body, None, false, "reply");
                    return Ok(None);
                }
                Ok(Some(With {
                    kind: SessionKind::Group,
                    name: String::new(),
                    attendees,
                }))
            }
            BookWith::Mentor(id) => match turn
                .tx
                .person(PersonId(id))
                .await
                .map(Some)
                .or_else(not_found_is_none)?
            {
                Some(p) if p.service_id != coordinator.service_id => {
                    let why = (Action::BookSupervision, "other service");
                    self.deny(turn, sender, why, Some(gone)).await?;
                    Ok(None)
                }
                Some(p) if p.role == Role::Mentor && p.status == PersonStatus::Active => Ok(Some(With {
                    kind: SessionKind::OneToOne,
                    name: p.display_name,
                    attendees: vec![p.id],
                })),
                _ => {
                    turn.reply.push(gone, None, false, "reply");
                    Ok(None)
                }
            },
        }
    }

    /// The last step: book at local `at`, unless it has passed or is taken; then ask where.
    #[allow(clippy::too_many_arguments)]
    async fn book(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        service: &Service,
        with: With,
        at: chrono::NaiveDateTime,
    ) -> Result<(), EngineError> {
        let now = turn.at;
        let coordinator = &sender.person;
        let lang = coordinator.language;
        let starts = peerline_core::localtime::resolve(service.timezone, at);
        let when = self.i18n.when(lang, starts, service.timezone);
        let args = |when: &str| {
            [
                ("kind", with.kind.as_str().into()),
                ("name", with.name.as_str().into()),
                ("when", when.to_owned().into()),
            ]
        };
        if starts <= now {
            turn.reply
                .push(self.text(lang, "supervision-book-gone", &[]), None, false, "reply");
            return Ok(());
        }
        let mentor = with
            .attendees
            .first()
            .copied()
            .filter(|_| with.kind == SessionKind::OneToOne);
        if turn.tx.session_at(service.id, to_millis(starts), mentor).await? {
            // A second tap on the same button, or a clash: nothing is booked twice.
            turn.reply.push(
                self.text(lang, "supervision-book-clash", &args(&when)),
                None,
                false,
                "reply",
            );
            return Ok(());
        }
        let session = NewSession {
            service: service.id,
            kind: with.kind,
            starts_at: to_millis(starts),
            place: None,
            source: "telegram",
            attendees: &with.attendees,
        };
        let id = turn.tx.add_session(&session, to_millis(now)).await?;
        let until = now + chrono::Duration::minutes(PLACE_PROMPT_MINUTES);
        turn.tx.ask_place(id, coordinator.id, to_millis(until)).await?;
        turn.tx
            .audit(AuditEntry {
                at: to_millis(now),
                service_id: Some(service.id),
                actor_person_id: Some(coordinator.id),
                actor_label: turn.reply.inbound.channel.as_str(),
                action: "supervision.book",
                subject_person_id: mentor,
                detail: Some(format!("session {id}: {} at {}", with.kind, starts.to_rfc3339())),
            })
            .await?;
        tracing::info!(session = id, service = %service.id, kind = with.kind.as_str(), "supervision booked from Telegram");
        turn.reply.push(
            self.text(lang, "supervision-booked", &args(&when)),
            None,
            false,
            "reply",
        );
        Ok(())
    }

    /// Text from a coordinator who has just booked a session: where it is.
    pub(super) async fn place(&self, turn: &mut Turn<'_>, sender: &Sender, words: &str) -> Result<bool, EngineError> {
        let now = turn.now();
        let coordinator = &sender.person;
        let place = words.trim();
        if !coordinator.role.is_staff() || place.is_empty() {
            return Ok(false);
        }
        let Some((session, starts_at)) = turn.tx.asking_place(coordinator.id, now).await? else {
            return Ok(false);
        };
        // A room name or a link, not an essay: keep what fits on a reminder.
        let place: String = place.chars().take(200).collect();
        turn.tx.set_place(session, &place).await?;
        let service = turn.tx.service(coordinator.service_id).await?;
        let when = self
            .i18n
            .when(coordinator.language, from_millis(starts_at), service.timezone);
        let body = self.text(
            coordinator.language,
            "supervision-place-set",
            &[("when", when.into()), ("place", place.as_str().into())],
        );
        turn.reply.push(body, None, false, "reply");
        Ok(true)
    }
}

/// A record that does not exist is `None`; any other failure is an error.
fn not_found_is_none<T>(e: StoreError) -> Result<Option<T>, StoreError> {
    match e {
        StoreError::NotFound(_) => Ok(None),
        e => Err(e),
    }
}

/// Buttons laid out [`PER_ROW`] to a row.
fn rows(buttons: Vec<(String, String)>) -> Keyboard {
    buttons.chunks(PER_ROW).map(<[_]>::to_vec).collect()
}
