//! Storage for scheduled work: who can be reached, wellbeing check-ins and flags, and
//! supervision sessions with their attendees.

use super::{Identity, Person, Result, Store, Tx};
use crate::domain::{
    AttendanceOutcome, ChannelKind, CheckinStatus, IdentityId, Language, Measure, Ons4, Outcome, PersonId, Role,
    ServiceId, SessionKind, SessionStatus,
};

/// A person and the identity to write to: Telegram when they have it, else SMS; never an
/// opted-out or unreachable identity.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub person: Person,
    pub identity: Identity,
}

/// Changes to a service's settings.
#[derive(Debug, Clone, Default)]
pub struct ServiceUpdate {
    pub checkin_schedule: Option<String>,
    pub checkin_mentees: Option<bool>,
    pub working_days: Option<String>,
    pub working_start: Option<String>,
    pub working_end: Option<String>,
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub supervision_time: Option<String>,
    pub group_schedule: Option<String>,
    pub nation: Option<crate::domain::Nation>,
}

/// Where to write to one person.
#[derive(Debug, Clone)]
pub struct Contact {
    pub person: PersonId,
    pub role: Role,
    pub language: Language,
    pub identity: IdentityId,
    pub channel: ChannelKind,
    pub address: String,
}

impl Contact {
    /// `person` by `identity`.
    pub fn of(person: &super::Person, identity: &super::Identity) -> Self {
        Contact {
            person: person.id,
            role: person.role,
            language: person.language,
            identity: identity.id,
            channel: identity.channel,
            address: identity.address.clone(),
        }
    }

    /// A message to this person by this way, due at `not_before` (ms), respecting opt-out.
    pub fn message(
        &self,
        priority: super::Priority,
        kind: &str,
        body: String,
        buttons: Option<super::Keyboard>,
        not_before: i64,
    ) -> super::NewOutbound {
        super::NewOutbound {
            person_id: Some(self.person),
            identity_id: Some(self.identity),
            channel: self.channel,
            address: self.address.clone(),
            priority,
            kind: kind.into(),
            body,
            buttons,
            ignore_opt_out: false,
            not_before,
        }
    }
}

/// A check-in as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Checkin {
    pub id: i64,
    pub person_id: i64,
    pub service_id: i64,
    pub occurrence: i64,
    pub closes_at: i64,
    pub question: i64,
    pub status: CheckinStatus,
    pub life_satisfaction: Option<i64>,
    pub worthwhile: Option<i64>,
    pub happy: Option<i64>,
    pub anxiety: Option<i64>,
    pub answered: i64,
    pub clarified: bool,
    pub late: bool,
}

impl Checkin {
    pub fn answers(&self) -> Ons4 {
        let v = |x: Option<i64>| x.and_then(|n| u8::try_from(n).ok());
        Ons4 {
            life_satisfaction: v(self.life_satisfaction),
            worthwhile: v(self.worthwhile),
            happy: v(self.happy),
            anxiety: v(self.anxiety),
        }
    }

    /// How the rules see this check-in.
    pub fn outcome(&self) -> Outcome {
        if self.status == CheckinStatus::Missed || self.answered == 0 {
            Outcome::Missed
        } else {
            Outcome::Answered(self.answers())
        }
    }
}

const CHECKIN_COLUMNS: &str = "id, person_id, service_id, occurrence, closes_at, question, status, life_satisfaction, \
     worthwhile, happy, anxiety, answered, clarified, late";

/// A session to book.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub service: ServiceId,
    pub kind: SessionKind,
    pub starts_at: i64,
    pub place: Option<&'a str>,
    /// `policy`, `cli`, `telegram`, `schedule`.
    pub source: &'a str,
    pub attendees: &'a [PersonId],
}

/// A supervision session and one attendee, for reminders and records.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionAttendee {
    pub session_id: i64,
    pub service_id: i64,
    pub kind: SessionKind,
    pub starts_at: i64,
    pub place: Option<String>,
    pub status: SessionStatus,
    pub person_id: i64,
    pub response: Option<String>,
    pub outcome: Option<AttendanceOutcome>,
}

const ATTENDEE_SELECT: &str = "SELECT s.id AS session_id, s.service_id, s.kind, s.starts_at, s.place, s.status, \
     a.person_id, a.response, a.outcome FROM supervision_sessions s JOIN supervision_attendees a ON a.session_id = s.id";

/// A walk through a service's recipients, one page at a time (see [`Store::recipient_pages`]).
pub struct RecipientPages<'a> {
    store: &'a Store,
    service: ServiceId,
    roles: &'a [Role],
    after: Option<PersonId>,
    size: u32,
}

impl RecipientPages<'_> {
    /// The next page, or `None` when everyone has been seen.
    pub async fn next(&mut self) -> Result<Option<Vec<Recipient>>> {
        let page = self
            .store
            .recipients(self.service, self.roles, self.after, self.size)
            .await?;
        Ok(page.last().map(|last| last.person.id).map(|last| {
            self.after = Some(last);
            page
        }))
    }
}

impl Store {
    /// Active people of `service` with one of `roles`, each with the identity to write to, in
    /// pages: at most `limit` people with ids after `after`, in id order. People with no
    /// reachable identity are left out. A weekly check-in may go to 100,000 people: callers
    /// walk the pages rather than hold everyone in memory at once.
    async fn recipients(
        &self,
        service: ServiceId,
        roles: &[Role],
        after: Option<PersonId>,
        limit: u32,
    ) -> Result<Vec<Recipient>> {
        // Role names come from the enum, never from input.
        let in_roles: Vec<String> = roles.iter().map(|r| format!("'{}'", r.as_str())).collect();
        if in_roles.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT p.id, p.service_id, p.role, p.display_name, p.language, p.status, p.placement_start, p.telegram_username,
                    i.id AS identity_id, i.channel, i.address, i.opted_out_at, i.unreachable_at
             FROM people p JOIN identities i ON i.person_id = p.id
             WHERE p.service_id = ?1 AND p.status = 'active' AND p.role IN ({roles})
               AND i.opted_out_at IS NULL AND i.unreachable_at IS NULL
               AND p.id IN (SELECT q.id FROM people q
                            WHERE q.service_id = ?1 AND q.status = 'active' AND q.role IN ({roles}) AND q.id > ?2
                              AND EXISTS (SELECT 1 FROM identities j WHERE j.person_id = q.id
                                          AND j.opted_out_at IS NULL AND j.unreachable_at IS NULL)
                            ORDER BY q.id LIMIT ?3)
             ORDER BY p.id, i.channel != 'telegram', i.id",
            roles = in_roles.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(service.0)
            .bind(after.map_or(0, |p| p.0))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        let mut out: Vec<Recipient> = Vec::new();
        for row in rows {
            use sqlx::Row;
            let person_id: i64 = row.try_get("id")?;
            if out.last().is_some_and(|r| r.person.id.0 == person_id) {
                continue; // first identity per person: Telegram preferred
            }
            let person = Person::try_from(super::people::PersonRow {
                id: person_id,
                service_id: row.try_get("service_id")?,
                role: row.try_get("role")?,
                display_name: row.try_get("display_name")?,
                language: row.try_get("language")?,
                status: row.try_get("status")?,
                placement_start: row.try_get("placement_start")?,
                telegram_username: row.try_get("telegram_username")?,
            })?;
            let identity = Identity::try_from(super::people::IdentityRow {
                id: row.try_get("identity_id")?,
                person_id,
                channel: row.try_get("channel")?,
                address: row.try_get("address")?,
                opted_out_at: row.try_get("opted_out_at")?,
                unreachable_at: row.try_get("unreachable_at")?,
            })?;
            out.push(Recipient { person, identity });
        }
        Ok(out)
    }

    /// Active people of `service` with one of `roles`, each with the identity to write to
    /// (Telegram first), `size` people a page, in id order; people with no reachable identity
    /// are left out.
    pub fn recipient_pages<'a>(&'a self, service: ServiceId, roles: &'a [Role], size: u32) -> RecipientPages<'a> {
        RecipientPages {
            store: self,
            service,
            roles,
            after: None,
            size,
        }
    }

    /// The identity to write to for `person`: Telegram first, then SMS; none if every identity
    /// is opted out or unreachable.
    pub async fn reachable_identity(&self, person: PersonId) -> Result<Option<Identity>> {
        let mut ids = self.identities_of(person).await?;
        ids.retain(|i| i.opted_out_at.is_none() && i.unreachable_at.is_none());
        ids.sort_by_key(|i| (i.channel != ChannelKind::Telegram, i.id.0));
        Ok(ids.into_iter().next())
    }

    /// Every check-in of `person`, oldest first.
    pub async fn checkins_of(&self, person: PersonId) -> Result<Vec<Checkin>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CHECKIN_COLUMNS} FROM checkins WHERE person_id = ? ORDER BY occurrence"
        )))
        .bind(person.0)
        .fetch_all(&self.read)
        .await?)
    }

    /// Open check-ins whose window has closed by `now`.
    pub async fn expired_checkins(&self, now: i64) -> Result<Vec<Checkin>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CHECKIN_COLUMNS} FROM checkins WHERE status = 'open' AND closes_at <= ? ORDER BY id"
        )))
        .bind(now)
        .fetch_all(&self.read)
        .await?)
    }

    /// Wellbeing flags raised for `person`: (rule, created_at), oldest first.
    pub async fn flags_of(&self, person: PersonId) -> Result<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT rule, created_at FROM wellbeing_flags WHERE person_id = ? ORDER BY id")
                .bind(person.0)
                .fetch_all(&self.read)
                .await?,
        )
    }

    /// Session/attendee pairs starting in `[from, to)`, booked ones only.
    pub async fn sessions_between(&self, from: i64, to: i64) -> Result<Vec<SessionAttendee>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ATTENDEE_SELECT} WHERE s.status = 'booked' AND s.starts_at >= ? AND s.starts_at < ? ORDER BY s.starts_at, a.person_id"
        )))
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?)
    }

    /// All of a person's sessions, oldest first.
    pub async fn sessions_of(&self, person: PersonId) -> Result<Vec<SessionAttendee>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ATTENDEE_SELECT} WHERE a.person_id = ? ORDER BY s.starts_at"
        )))
        .bind(person.0)
        .fetch_all(&self.read)
        .await?)
    }

    /// Book a session (one transaction, with its attendees). Returns its id.
    pub async fn add_session(&self, session: &NewSession<'_>, now: i64) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx.add_session(session, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Change a service's settings; `None` fields stay as they are.
    pub async fn update_service(&self, service: ServiceId, u: &ServiceUpdate) -> Result<()> {
        let mut tx = self.begin().await?;
        let fields: [(&str, Option<&str>); 9] = [
            ("checkin_schedule", u.checkin_schedule.as_deref()),
            ("working_days", u.working_days.as_deref()),
            ("working_start", u.working_start.as_deref()),
            ("working_end", u.working_end.as_deref()),
            ("quiet_start", u.quiet_start.as_deref()),
            ("quiet_end", u.quiet_end.as_deref()),
            ("supervision_time", u.supervision_time.as_deref()),
            ("group_schedule", u.group_schedule.as_deref()),
            ("nation", u.nation.map(|n| n.as_str())),
        ];
        for (column, value) in fields {
            if let Some(v) = value {
                // Column names come from the fixed list above, never from input.
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE services SET {column} = ? WHERE id = ?"
                )))
                .bind(v)
                .bind(service.0)
                .execute(tx.conn())
                .await?;
            }
        }
        if let Some(m) = u.checkin_mentees {
            sqlx::query("UPDATE services SET checkin_mentees = ? WHERE id = ?")
                .bind(m)
                .bind(service.0)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await
    }

    /// Shorthand for tests and tools: the check-in schedule (empty: off) and whether mentees get them.
    pub async fn set_schedule(
        &self,
        service: ServiceId,
        checkin_schedule: Option<&str>,
        mentees: Option<bool>,
    ) -> Result<()> {
        let update = ServiceUpdate {
            checkin_schedule: checkin_schedule.map(str::to_owned),
            checkin_mentees: mentees,
            ..ServiceUpdate::default()
        };
        self.update_service(service, &update).await
    }
}

impl Tx {
    /// Open a check-in for `person` at `occurrence`; `None` if one exists already.
    pub async fn open_checkin(
        &mut self,
        person: PersonId,
        service: ServiceId,
        occurrence: i64,
        opened_at: i64,
        closes_at: i64,
    ) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "INSERT INTO checkins (person_id, service_id, occurrence, opened_at, closes_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(person_id, occurrence) DO NOTHING RETURNING id",
        )
        .bind(person.0)
        .bind(service.0)
        .bind(occurrence)
        .bind(opened_at)
        .bind(closes_at)
        .fetch_optional(self.conn())
        .await?)
    }

    /// The check-in `person` is answering now: the latest one still open, or closed as missed
    /// less than a week ago (late answers are kept, marked late).
    pub async fn answering_checkin(&mut self, person: PersonId, now: i64) -> Result<Option<Checkin>> {
        const WEEK: i64 = 7 * 86_400_000;
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CHECKIN_COLUMNS} FROM checkins
             WHERE person_id = ? AND question < 4 AND (status = 'open' OR (status = 'missed' AND closes_at > ?))
             ORDER BY occurrence DESC LIMIT 1"
        )))
        .bind(person.0)
        .bind(now - WEEK)
        .fetch_optional(self.conn())
        .await?)
    }

    /// `None` when there is no such check-in; a database failure is an error, never "none".
    pub async fn checkin(&mut self, id: i64) -> Result<Option<Checkin>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CHECKIN_COLUMNS} FROM checkins WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(self.conn())
        .await?)
    }

    /// Record the answer to the current question and move to the next. `late` marks answers
    /// after the window closed.
    pub async fn answer_checkin(
        &mut self,
        id: i64,
        measure: Measure,
        score: Option<u8>,
        late: bool,
        now: i64,
    ) -> Result<()> {
        let sql = format!(
            "UPDATE checkins SET {col} = ?, question = question + 1, answered = answered + ?, late = MAX(late, ?),
               status = CASE WHEN question + 1 >= 4 THEN 'complete' ELSE status END,
               completed_at = CASE WHEN question + 1 >= 4 THEN ? ELSE completed_at END
             WHERE id = ?",
            col = measure.column()
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(score.map(i64::from))
            .bind(i64::from(score.is_some()))
            .bind(late)
            .bind(now)
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    pub async fn set_clarified(&mut self, id: i64) -> Result<()> {
        sqlx::query("UPDATE checkins SET clarified = 1 WHERE id = ?")
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Close an open check-in whose window has passed: `complete` if anything was answered,
    /// else `missed`. Returns false if it was no longer open.
    pub async fn close_checkin(&mut self, id: i64, now: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE checkins SET status = CASE WHEN answered > 0 THEN 'complete' ELSE 'missed' END,
               completed_at = CASE WHEN answered > 0 THEN ? ELSE completed_at END
             WHERE id = ? AND status = 'open'",
        )
        .bind(now)
        .bind(id)
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Check-ins of `person` before occurrence `before`, oldest first.
    pub async fn checkin_history(&mut self, person: PersonId, before: i64) -> Result<Vec<Checkin>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CHECKIN_COLUMNS} FROM checkins WHERE person_id = ? AND occurrence < ? ORDER BY occurrence DESC LIMIT 8"
        )))
        .bind(person.0)
        .bind(before)
        .fetch_all(self.conn())
        .await?
        .into_iter()
        .rev()
        .collect())
    }

    pub async fn add_flag(
        &mut self,
        person: PersonId,
        service: ServiceId,
        checkin: Option<i64>,
        rule: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO wellbeing_flags (person_id, service_id, checkin_id, rule, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(person.0)
        .bind(service.0)
        .bind(checkin)
        .bind(rule)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Active coordinators and deputies of a service (coordinators first), each with the
    /// identity to write to (Telegram preferred).
    /// The service's active coordinators and deputies, each on their preferred reachable
    /// identity (Telegram first), coordinators first.
    pub async fn staff_contacts(&mut self, service: ServiceId) -> Result<Vec<Contact>> {
        let mut out: Vec<Contact> = Vec::new();
        for c in self.staff_identities(service).await? {
            if !out.iter().any(|o| o.person == c.person) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Every reachable identity of the service's active coordinators and deputies, on every
    /// channel: for telling staff that a safeguarding message did not get through.
    pub async fn staff_identities(&mut self, service: ServiceId) -> Result<Vec<Contact>> {
        let rows: Vec<(i64, String, String, i64, String, String)> = sqlx::query_as(
            "SELECT p.id, p.role, p.language, i.id, i.channel, i.address FROM people p JOIN identities i ON i.person_id = p.id
             WHERE p.service_id = ? AND p.role IN ('coordinator', 'deputy') AND p.status = 'active'
               AND i.opted_out_at IS NULL AND i.unreachable_at IS NULL
             ORDER BY p.role = 'deputy', p.id, i.channel != 'telegram', i.id",
        )
        .bind(service.0)
        .fetch_all(self.conn())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(person, role, lang, identity, channel, address)| {
                Some(Contact {
                    person: PersonId(person),
                    role: role.parse().ok()?,
                    language: lang.parse().ok()?,
                    identity: IdentityId(identity),
                    channel: ChannelKind::parse(&channel)?,
                    address,
                })
            })
            .collect())
    }

    pub async fn add_session(&mut self, session: &NewSession<'_>, now: i64) -> Result<i64> {
        let NewSession {
            service,
            kind,
            starts_at,
            place,
            source,
            attendees,
        } = *session;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO supervision_sessions (service_id, kind, starts_at, place, source, created_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(service.0)
        .bind(kind)
        .bind(starts_at)
        .bind(place)
        .bind(source)
        .bind(now)
        .fetch_one(self.conn())
        .await?;
        for p in attendees {
            sqlx::query("INSERT OR IGNORE INTO supervision_attendees (session_id, person_id) VALUES (?, ?)")
                .bind(id)
                .bind(p.0)
                .execute(self.conn())
                .await?;
        }
        Ok(id)
    }

    /// Is there already a session at `starts_at`: a group session (of any status, as there is
    /// one per time), or for `mentor`, a booked session they attend?
    pub async fn session_at(&mut self, service: ServiceId, starts_at: i64, mentor: Option<PersonId>) -> Result<bool> {
        let sql = match mentor {
            None => {
                "SELECT EXISTS (SELECT 1 FROM supervision_sessions
                                WHERE service_id = ?1 AND starts_at = ?2 AND kind = 'group')"
            }
            Some(_) => {
                "SELECT EXISTS (SELECT 1 FROM supervision_sessions s JOIN supervision_attendees a ON a.session_id = s.id
                                WHERE s.service_id = ?1 AND s.starts_at = ?2 AND s.status = 'booked' AND a.person_id = ?3)"
            }
        };
        Ok(sqlx::query_scalar(sql)
            .bind(service.0)
            .bind(starts_at)
            .bind(mentor.map(|m| m.0))
            .fetch_one(self.conn())
            .await?)
    }

    /// The service a session belongs to, if it exists.
    pub async fn session_service(&mut self, session: i64) -> Result<Option<ServiceId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT service_id FROM supervision_sessions WHERE id = ?")
            .bind(session)
            .fetch_optional(self.conn())
            .await?;
        Ok(id.map(ServiceId))
    }

    /// `coordinator` booked `session`: the next thing they type before `until` is its place.
    /// Only their latest booking asks.
    pub async fn ask_place(&mut self, session: i64, coordinator: PersonId, until: i64) -> Result<()> {
        sqlx::query("UPDATE supervision_sessions SET place_asked_until = NULL WHERE booked_by = ?1 AND id != ?2")
            .bind(coordinator.0)
            .bind(session)
            .execute(self.conn())
            .await?;
        sqlx::query("UPDATE supervision_sessions SET booked_by = ?1, place_asked_until = ?2 WHERE id = ?3")
            .bind(coordinator.0)
            .bind(until)
            .bind(session)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The session waiting for `coordinator` to say where it is, if one is: (id, starts_at).
    pub async fn asking_place(&mut self, coordinator: PersonId, now: i64) -> Result<Option<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT id, starts_at FROM supervision_sessions
             WHERE booked_by = ?1 AND place_asked_until > ?2 AND status = 'booked'
             ORDER BY place_asked_until DESC LIMIT 1",
        )
        .bind(coordinator.0)
        .bind(now)
        .fetch_optional(self.conn())
        .await?)
    }

    /// Set where a session is, and stop asking.
    pub async fn set_place(&mut self, session: i64, place: &str) -> Result<()> {
        sqlx::query("UPDATE supervision_sessions SET place = ?1, place_asked_until = NULL WHERE id = ?2")
            .bind(place)
            .bind(session)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Group sessions are created once per scheduled time; `None` if it already exists.
    pub async fn add_group_session_once(
        &mut self,
        service: ServiceId,
        starts_at: i64,
        attendees: &[PersonId],
        now: i64,
    ) -> Result<Option<i64>> {
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM supervision_sessions WHERE service_id = ? AND kind = 'group' AND starts_at = ?",
        )
        .bind(service.0)
        .bind(starts_at)
        .fetch_optional(self.conn())
        .await?;
        if exists.is_some() {
            return Ok(None);
        }
        let session = NewSession {
            service,
            kind: SessionKind::Group,
            starts_at,
            place: None,
            source: "schedule",
            attendees,
        };
        self.add_session(&session, now).await.map(Some)
    }

    /// The latest 1:1 session of `person` that was not cancelled: its start, if any.
    pub async fn last_one_to_one(&mut self, person: PersonId) -> Result<Option<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT s.starts_at, s.status FROM supervision_sessions s JOIN supervision_attendees a ON a.session_id = s.id
             WHERE a.person_id = ? AND s.kind = 'one-to-one' ORDER BY s.starts_at DESC LIMIT 1",
        )
        .bind(person.0)
        .fetch_optional(self.conn())
        .await?)
    }

    /// The mentor's answer to the reminder of the nearest upcoming session they have not
    /// answered yet. Returns the session/attendee row, or `None`.
    pub async fn respond_to_session(
        &mut self,
        person: PersonId,
        session: Option<i64>,
        response: &str,
        now: i64,
    ) -> Result<Option<SessionAttendee>> {
        let row: Option<SessionAttendee> = match session {
            Some(id) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ATTENDEE_SELECT} WHERE a.person_id = ? AND s.id = ? AND s.status = 'booked' AND s.starts_at > ?"
            )))
            .bind(person.0)
            .bind(id)
            .bind(now)
            .fetch_optional(self.conn())
            .await?,
            None => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ATTENDEE_SELECT} WHERE a.person_id = ? AND s.status = 'booked' AND s.starts_at > ? AND a.response IS NULL
                 AND s.starts_at <= ? ORDER BY s.starts_at LIMIT 1"
            )))
            .bind(person.0)
            .bind(now)
            .bind(now + 3 * 86_400_000)
            .fetch_optional(self.conn())
            .await?,
        };
        let Some(row) = row else { return Ok(None) };
        sqlx::query(
            "UPDATE supervision_attendees SET response = ?, responded_at = ? WHERE session_id = ? AND person_id = ?",
        )
        .bind(response)
        .bind(now)
        .bind(row.session_id)
        .bind(person.0)
        .execute(self.conn())
        .await?;
        Ok(Some(SessionAttendee {
            response: Some(response.to_owned()),
            ..row
        }))
    }

    /// Record attendance for one attendee of a session of `service`; `None` (and nothing
    /// changed) when there is no such attendee in that service.
    pub async fn record_outcome(
        &mut self,
        service: ServiceId,
        session: i64,
        person: PersonId,
        outcome: AttendanceOutcome,
        by: Option<PersonId>,
        now: i64,
    ) -> Result<Option<SessionAttendee>> {
        let row: Option<SessionAttendee> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ATTENDEE_SELECT} WHERE s.id = ? AND a.person_id = ? AND s.service_id = ?"
        )))
        .bind(session)
        .bind(person.0)
        .bind(service.0)
        .fetch_optional(self.conn())
        .await?;
        let Some(row) = row else { return Ok(None) };
        sqlx::query("UPDATE supervision_attendees SET outcome = ?, recorded_at = ?, recorded_by = ? WHERE session_id = ? AND person_id = ?")
            .bind(outcome)
            .bind(now)
            .bind(by.map(|p| p.0))
            .bind(session)
            .bind(person.0)
            .execute(self.conn())
            .await?;
        let status = if outcome == AttendanceOutcome::Cancelled {
            SessionStatus::Cancelled
        } else {
            SessionStatus::Held
        };
        if row.kind == SessionKind::OneToOne {
            sqlx::query("UPDATE supervision_sessions SET status = ? WHERE id = ?")
                .bind(status)
                .bind(session)
                .execute(self.conn())
                .await?;
        }
        Ok(Some(SessionAttendee {
            outcome: Some(outcome),
            ..row
        }))
    }

    /// The outcome of the mentor's previous recorded session before `before`.
    pub async fn previous_outcome(&mut self, person: PersonId, before: i64) -> Result<Option<AttendanceOutcome>> {
        Ok(sqlx::query_scalar(
            "SELECT a.outcome FROM supervision_sessions s JOIN supervision_attendees a ON a.session_id = s.id
             WHERE a.person_id = ? AND s.starts_at < ? AND a.outcome IN ('attended', 'missed')
             ORDER BY s.starts_at DESC LIMIT 1",
        )
        .bind(person.0)
        .bind(before)
        .fetch_optional(self.conn())
        .await?)
    }
}
