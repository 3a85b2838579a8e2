//! Services, people, their identities (ways to reach them) and one-time invite codes.

use chrono::NaiveDate;
use chrono_tz::Tz;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::{Result, Store, StoreError, Tx, corrupt};
use crate::{
    domain::{ChannelKind, IdentityId, Language, Nation, PersonId, PhoneNumber, Role, ServiceId},
    hours::{Hours, HoursText},
};

/// A recovery service.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    #[serde(serialize_with = "ser_tz")]
    pub timezone: Tz,
    pub working_days: String,
    pub working_start: String,
    pub working_end: String,
    pub quiet_start: String,
    pub quiet_end: String,
    /// Cron expression (service time) for weekly wellbeing check-ins.
    pub checkin_schedule: String,
    pub checkin_mentees: bool,
    pub checkin_window_hours: i64,
    /// Local time (`HH:MM`) at which policy 1:1 supervision is planned.
    pub supervision_time: String,
    /// Cron expression for group supervision sessions.
    pub group_schedule: String,
    /// Cron expression for the coordinators' weekly "supervision due" digest.
    pub digest_schedule: String,
    /// Minutes a mentee is told to expect a call within.
    pub callback_expected_minutes: i64,
    /// Minutes before an unaccepted callback goes to the coordinators.
    pub callback_accept_minutes: i64,
    /// May the mentor who takes a callback see the mentee's number?
    pub callback_show_number: bool,
    /// Which crisis and support lines its people are given.
    pub nation: Nation,
    /// The working days and hours, quiet hours and supervision time above, parsed.
    #[serde(skip)]
    pub hours: Hours,
}

fn ser_tz<S: serde::Serializer>(tz: &Tz, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: i64,
    name: String,
    timezone: String,
    working_days: String,
    working_start: String,
    working_end: String,
    quiet_start: String,
    quiet_end: String,
    checkin_schedule: String,
    checkin_mentees: bool,
    checkin_window_hours: i64,
    supervision_time: String,
    group_schedule: String,
    digest_schedule: String,
    callback_expected_minutes: i64,
    callback_accept_minutes: i64,
    callback_show_number: bool,
    nation: String,
}

impl TryFrom<ServiceRow> for Service {
    type Error = StoreError;
    fn try_from(r: ServiceRow) -> Result<Self> {
        let timezone: Tz = r
            .timezone
            .parse()
            .map_err(|_| corrupt(format!("service {}: time zone {:?}", r.id, r.timezone)))?;
        let hours = Hours::parse(
            timezone,
            HoursText {
                working_days: &r.working_days,
                working_start: &r.working_start,
                working_end: &r.working_end,
                quiet_start: &r.quiet_start,
                quiet_end: &r.quiet_end,
                supervision_time: &r.supervision_time,
            },
        )
        .map_err(|e| corrupt(format!("service {} ({}): {e}", r.id, r.name)))?;
        let nation = r
            .nation
            .parse()
            .map_err(|e| corrupt(format!("service {} ({}): {e}", r.id, r.name)))?;
        Ok(Service {
            id: ServiceId(r.id),
            timezone,
            nation,
            hours,
            name: r.name,
            working_days: r.working_days,
            working_start: r.working_start,
            working_end: r.working_end,
            quiet_start: r.quiet_start,
            quiet_end: r.quiet_end,
            checkin_schedule: r.checkin_schedule,
            checkin_mentees: r.checkin_mentees,
            checkin_window_hours: r.checkin_window_hours,
            supervision_time: r.supervision_time,
            group_schedule: r.group_schedule,
            digest_schedule: r.digest_schedule,
            callback_expected_minutes: r.callback_expected_minutes,
            callback_accept_minutes: r.callback_accept_minutes,
            callback_show_number: r.callback_show_number,
        })
    }
}

/// Where a person stands with the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonStatus {
    /// Has an invite code, not yet linked to any chat or phone.
    Invited,
    Active,
    Paused,
    Left,
}

impl PersonStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonStatus::Invited => "invited",
            PersonStatus::Active => "active",
            PersonStatus::Paused => "paused",
            PersonStatus::Left => "left",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "invited" => PersonStatus::Invited,
            "active" => PersonStatus::Active,
            "paused" => PersonStatus::Paused,
            "left" => PersonStatus::Left,
            other => return Err(corrupt(format!("person status {other:?}"))),
        })
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Person {
    pub id: PersonId,
    pub service_id: ServiceId,
    pub role: Role,
    pub display_name: String,
    pub language: Language,
    pub status: PersonStatus,
    pub placement_start: Option<NaiveDate>,
    pub telegram_username: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(super) struct PersonRow {
    pub(super) id: i64,
    pub(super) service_id: i64,
    pub(super) role: String,
    pub(super) display_name: String,
    pub(super) language: String,
    pub(super) status: String,
    pub(super) placement_start: Option<String>,
    pub(super) telegram_username: Option<String>,
}

pub(super) const PERSON_COLUMNS: &str =
    "id, service_id, role, display_name, language, status, placement_start, telegram_username";

impl TryFrom<PersonRow> for Person {
    type Error = StoreError;
    fn try_from(r: PersonRow) -> Result<Self> {
        Ok(Person {
            id: PersonId(r.id),
            service_id: ServiceId(r.service_id),
            role: r.role.parse().map_err(corrupt)?,
            language: r.language.parse().map_err(corrupt)?,
            status: PersonStatus::parse(&r.status)?,
            placement_start: r
                .placement_start
                .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| corrupt(format!("date {d:?}"))))
                .transpose()?,
            display_name: r.display_name,
            telegram_username: r.telegram_username,
        })
    }
}

/// One way to reach a person.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Identity {
    pub id: IdentityId,
    pub person_id: PersonId,
    pub channel: ChannelKind,
    /// Telegram chat id, or E.164 number.
    #[serde(skip_serializing)]
    pub address: String,
    pub opted_out_at: Option<i64>,
    pub unreachable_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(super) struct IdentityRow {
    pub(super) id: i64,
    pub(super) person_id: i64,
    pub(super) channel: String,
    pub(super) address: String,
    pub(super) opted_out_at: Option<i64>,
    pub(super) unreachable_at: Option<i64>,
}

impl TryFrom<IdentityRow> for Identity {
    type Error = StoreError;
    fn try_from(r: IdentityRow) -> Result<Self> {
        Ok(Identity {
            id: IdentityId(r.id),
            person_id: PersonId(r.person_id),
            channel: ChannelKind::parse(&r.channel).ok_or_else(|| corrupt(format!("channel {:?}", r.channel)))?,
            address: r.address,
            opted_out_at: r.opted_out_at,
            unreachable_at: r.unreachable_at,
        })
    }
}

/// A person to create.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub service_id: ServiceId,
    pub role: Role,
    pub display_name: String,
    pub language: Language,
    pub status: PersonStatus,
    pub placement_start: Option<NaiveDate>,
    pub telegram_username: Option<String>,
}

/// One row of a people import, with its line number in the source file.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub line: usize,
    pub person: NewPerson,
    pub phone: Option<PhoneNumber>,
}

/// A freshly issued code. The plain code exists only here; the store keeps its hash.
#[derive(Debug, Clone)]
pub struct InviteCode {
    pub code: String,
    pub person_id: PersonId,
    pub expires_at: i64,
}

/// What happened when someone tried a code. Callers answer every failure the same way, so a
/// stranger cannot tell a used code from a made-up one.
#[derive(Debug, Clone)]
pub enum RedeemOutcome {
    Redeemed {
        person: Person,
        identity: IdentityId,
    },
    Unknown,
    Used,
    Expired,
    /// This chat or number already belongs to someone; the code is left unused.
    AddressTaken,
}

/// Codes use letters and digits that cannot be confused when read aloud or typed on a phone.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 8;

/// Canonical form of a typed code: upper case, without spaces or hyphens.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

fn hash_code(code: &str) -> String {
    let digest = Sha256::digest(normalise_code(code).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

impl Store {
    pub async fn add_service(&self, name: &str, tz: Tz, now: i64) -> Result<Service> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Conflict("a service needs a name".into()));
        }
        let mut tx = self.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM services WHERE name = ?")
            .bind(name)
            .fetch_optional(tx.conn())
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!("a service named {name:?} already exists")));
        }
        let id: i64 =
            sqlx::query_scalar("INSERT INTO services (name, timezone, created_at) VALUES (?, ?, ?) RETURNING id")
                .bind(name)
                .bind(tz.name())
                .bind(now)
                .fetch_one(tx.conn())
                .await?;
        tx.audit(super::AuditEntry {
            at: now,
            service_id: Some(ServiceId(id)),
            actor_person_id: None,
            actor_label: "cli",
            action: "service.add",
            subject_person_id: None,
            detail: Some(format!("time zone {}", tz.name())),
        })
        .await?;
        tx.commit().await?;
        self.service(ServiceId(id)).await
    }

    pub async fn service(&self, id: ServiceId) -> Result<Service> {
        let row: Option<ServiceRow> = sqlx::query_as("SELECT * FROM services WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("no service with id {id}")))?
            .try_into()
    }

    /// Look a service up by name (case-insensitive).
    pub async fn service_by_name(&self, name: &str) -> Result<Service> {
        let row: Option<ServiceRow> = sqlx::query_as("SELECT * FROM services WHERE name = ?")
            .bind(name.trim())
            .fetch_optional(&self.read)
            .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("no service named {:?}", name.trim())))?
            .try_into()
    }

    pub async fn services(&self) -> Result<Vec<Service>> {
        let rows: Vec<ServiceRow> = sqlx::query_as("SELECT * FROM services ORDER BY name")
            .fetch_all(&self.read)
            .await?;
        rows.into_iter().map(Service::try_from).collect()
    }

    pub async fn person(&self, id: PersonId) -> Result<Person> {
        let row: Option<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE id = ?"
        )))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("no person with id {id}")))?
            .try_into()
    }

    pub async fn people(&self, service: ServiceId) -> Result<Vec<Person>> {
        let rows: Vec<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE service_id = ? ORDER BY role, display_name, id"
        )))
        .bind(service.0)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(Person::try_from).collect()
    }

    pub async fn identities_of(&self, person: PersonId) -> Result<Vec<Identity>> {
        let rows: Vec<IdentityRow> = sqlx::query_as(
            "SELECT id, person_id, channel, address, opted_out_at, unreachable_at FROM identities WHERE person_id = ? ORDER BY id",
        )
        .bind(person.0)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(Identity::try_from).collect()
    }

    /// Issue a one-time code for a new person, created as `invited`.
    pub async fn create_invite(&self, person: NewPerson, ttl_ms: i64, now: i64) -> Result<InviteCode> {
        let mut tx = self.begin().await?;
        let person_id = tx.insert_person(&person, now).await?;
        let code = tx
            .issue_code(person.service_id, person_id, person.role, ttl_ms, now)
            .await?;
        tx.audit(super::AuditEntry {
            at: now,
            service_id: Some(person.service_id),
            actor_person_id: None,
            actor_label: "cli",
            action: "invite.create",
            subject_person_id: Some(person_id),
            detail: Some(format!("role {}", person.role)),
        })
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Import people in one transaction: either every row goes in or none does.
    pub async fn import_people(&self, rows: &[ImportRow], now: i64) -> Result<Vec<PersonId>> {
        let mut tx = self.begin().await?;
        let mut ids = Vec::with_capacity(rows.len());
        for row in rows {
            let id = tx.insert_person(&row.person, now).await?;
            if let Some(phone) = &row.phone {
                let taken: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM identities WHERE channel = 'sms' AND address = ?")
                        .bind(phone.as_str())
                        .fetch_optional(tx.conn())
                        .await?;
                if taken.is_some() {
                    return Err(StoreError::Conflict(format!(
                        "line {}: phone number {} already belongs to someone enrolled",
                        row.line,
                        phone.redacted()
                    )));
                }
                sqlx::query(
                    "INSERT INTO identities (person_id, channel, address, consent_at, consent_source, created_at)
                     VALUES (?, 'sms', ?, ?, 'imported by coordinator', ?)",
                )
                .bind(id.0)
                .bind(phone.as_str())
                .bind(now)
                .bind(now)
                .execute(tx.conn())
                .await?;
            }
            ids.push(id);
        }
        if let Some(first) = rows.first() {
            tx.audit(super::AuditEntry {
                at: now,
                service_id: Some(first.person.service_id),
                actor_person_id: None,
                actor_label: "cli",
                action: "people.import",
                subject_person_id: None,
                detail: Some(format!("{} people", rows.len())),
            })
            .await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Issue a new code for someone already on the books (e.g. imported, or a lost code).
    pub async fn reissue_invite(&self, person: PersonId, ttl_ms: i64, now: i64) -> Result<InviteCode> {
        let p = self.person(person).await?;
        let mut tx = self.begin().await?;
        let code = tx.issue_code(p.service_id, p.id, p.role, ttl_ms, now).await?;
        tx.commit().await?;
        Ok(code)
    }
}

impl Tx {
    async fn insert_person(&mut self, p: &NewPerson, now: i64) -> Result<PersonId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO people (service_id, role, display_name, language, status, placement_start, telegram_username, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(p.service_id.0)
        .bind(p.role.as_str())
        // A name is shown to staff in alerts and in the CLI: no control characters or
        // bidirectional overrides that could disguise what it says.
        .bind(crate::quote::clean(&p.display_name))
        .bind(p.language.tag())
        .bind(p.status.as_str())
        .bind(p.placement_start.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(p.telegram_username.as_deref())
        .bind(now)
        .fetch_one(self.conn())
        .await?;
        Ok(PersonId(id))
    }

    async fn issue_code(
        &mut self,
        service: ServiceId,
        person: PersonId,
        role: Role,
        ttl_ms: i64,
        now: i64,
    ) -> Result<InviteCode> {
        // 32^8 codes: a collision is astronomically unlikely, but retry rather than fail.
        for _ in 0..5 {
            let code = new_code();
            let inserted = sqlx::query(
                "INSERT INTO invites (code_hash, service_id, person_id, role, created_at, expires_at)
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(code_hash) DO NOTHING",
            )
            .bind(hash_code(&code))
            .bind(service.0)
            .bind(person.0)
            .bind(role.as_str())
            .bind(now)
            .bind(now + ttl_ms)
            .execute(self.conn())
            .await?
            .rows_affected();
            if inserted == 1 {
                return Ok(InviteCode {
                    code,
                    person_id: person,
                    expires_at: now + ttl_ms,
                });
            }
        }
        Err(StoreError::Conflict("could not find a free invite code".into()))
    }

    /// Try `code` for the sender at `channel`/`address`. On success the code is spent, the
    /// person becomes active and the address becomes their verified identity.
    pub async fn redeem_invite(
        &mut self,
        code: &str,
        channel: ChannelKind,
        address: &str,
        now: i64,
    ) -> Result<RedeemOutcome> {
        #[derive(sqlx::FromRow)]
        struct InviteRow {
            id: i64,
            person_id: i64,
            expires_at: i64,
            used_at: Option<i64>,
        }
        let invite: Option<InviteRow> =
            sqlx::query_as("SELECT id, person_id, expires_at, used_at FROM invites WHERE code_hash = ?")
                .bind(hash_code(code))
                .fetch_optional(self.conn())
                .await?;
        let Some(invite) = invite else {
            return Ok(RedeemOutcome::Unknown);
        };
        if invite.used_at.is_some() {
            return Ok(RedeemOutcome::Used);
        }
        if invite.expires_at <= now {
            return Ok(RedeemOutcome::Expired);
        }
        if self.identity_by_address(channel, address).await?.is_some() {
            return Ok(RedeemOutcome::AddressTaken);
        }
        let identity: i64 = sqlx::query_scalar(
            "INSERT INTO identities (person_id, channel, address, verified_at, consent_at, consent_source, created_at)
             VALUES (?, ?, ?, ?, ?, 'enrolled with invite code', ?) RETURNING id",
        )
        .bind(invite.person_id)
        .bind(channel.as_str())
        .bind(address)
        .bind(now)
        .bind(now)
        .bind(now)
        .fetch_one(self.conn())
        .await?;
        sqlx::query("UPDATE invites SET used_at = ?, used_by_identity = ? WHERE id = ?")
            .bind(now)
            .bind(identity)
            .bind(invite.id)
            .execute(self.conn())
            .await?;
        sqlx::query("UPDATE people SET status = 'active' WHERE id = ? AND status = 'invited'")
            .bind(invite.person_id)
            .execute(self.conn())
            .await?;
        let person = self.person(PersonId(invite.person_id)).await?;
        self.audit(super::AuditEntry {
            at: now,
            service_id: Some(person.service_id),
            actor_person_id: Some(person.id),
            actor_label: channel.as_str(),
            action: "person.enrol",
            subject_person_id: Some(person.id),
            detail: None,
        })
        .await?;
        Ok(RedeemOutcome::Redeemed {
            person,
            identity: IdentityId(identity),
        })
    }

    pub async fn person(&mut self, id: PersonId) -> Result<Person> {
        let row: Option<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE id = ?"
        )))
        .bind(id.0)
        .fetch_optional(self.conn())
        .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("no person with id {id}")))?
            .try_into()
    }

    pub async fn service(&mut self, id: ServiceId) -> Result<Service> {
        let row: Option<ServiceRow> = sqlx::query_as("SELECT * FROM services WHERE id = ?")
            .bind(id.0)
            .fetch_optional(self.conn())
            .await?;
        row.ok_or_else(|| StoreError::NotFound(format!("no service with id {id}")))?
            .try_into()
    }

    pub async fn identity_by_address(&mut self, channel: ChannelKind, address: &str) -> Result<Option<Identity>> {
        let row: Option<IdentityRow> = sqlx::query_as(
            "SELECT id, person_id, channel, address, opted_out_at, unreachable_at FROM identities WHERE channel = ? AND address = ?",
        )
        .bind(channel.as_str())
        .bind(address)
        .fetch_optional(self.conn())
        .await?;
        row.map(Identity::try_from).transpose()
    }

    pub async fn identity_by_id(&mut self, id: IdentityId) -> Result<Option<Identity>> {
        let row: Option<IdentityRow> = sqlx::query_as(
            "SELECT id, person_id, channel, address, opted_out_at, unreachable_at FROM identities WHERE id = ?",
        )
        .bind(id.0)
        .fetch_optional(self.conn())
        .await?;
        row.map(Identity::try_from).transpose()
    }

    /// Opt an identity out of everything but safeguarding replies.
    pub async fn set_opted_out(&mut self, identity: IdentityId, opted_out: bool, now: i64) -> Result<()> {
        sqlx::query("UPDATE identities SET opted_out_at = ? WHERE id = ?")
            .bind(opted_out.then_some(now))
            .bind(identity.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    pub async fn set_language(&mut self, person: PersonId, language: Language) -> Result<()> {
        sqlx::query("UPDATE people SET language = ? WHERE id = ?")
            .bind(language.tag())
            .bind(person.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The provider says this address can never be reached (blocked bot, invalid number).
    pub async fn mark_unreachable(&mut self, identity: IdentityId, reason: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE identities SET unreachable_at = ?, unreachable_reason = ? WHERE id = ?")
            .bind(now)
            .bind(reason)
            .bind(identity.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// A message arrived from this identity: it is reachable again.
    pub async fn clear_unreachable(&mut self, identity: IdentityId) -> Result<()> {
        sqlx::query("UPDATE identities SET unreachable_at = NULL, unreachable_reason = NULL WHERE id = ? AND unreachable_at IS NOT NULL")
            .bind(identity.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unambiguous_and_normalise() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), CODE_LEN);
            assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        }
        assert_eq!(normalise_code(" abcd-2345 "), "ABCD2345");
        assert_eq!(hash_code("abcd 2345"), hash_code("ABCD2345"));
    }
}
