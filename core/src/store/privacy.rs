//! Subject access and erasure. [`Tx::export_person`] gathers everything Peerline holds about one
//! person into one JSON document; [`Tx::erase_person`] removes it, keeping only what
//! safeguarding records and the audit trail must keep, and reports what it kept and why.
//!
//! Sections are read with `SELECT` into JSON generically, column by column, so a column added
//! by a later migration shows up in exports without anyone remembering to add it here.

use serde_json::{Map, Value};
use sqlx::{Column, Row, TypeInfo, ValueRef, sqlite::SqliteRow};

use super::{Result, StoreError, Tx};
use crate::{clock::from_millis, domain::PersonId};

/// What each section of an export holds, in order. `?1` is the person's id.
const EXPORT_SECTIONS: &[(&str, &str)] = &[
    (
        "person",
        "SELECT p.id, s.name AS service, p.role, p.display_name, p.language, p.status, p.placement_start,
                p.telegram_username, p.created_at, p.erased_at
         FROM people p JOIN services s ON s.id = p.service_id WHERE p.id = ?1",
    ),
    (
        "identities",
        "SELECT id, channel, address, verified_at, consent_at, consent_source, opted_out_at, unreachable_at,
                unreachable_reason, created_at
         FROM identities WHERE person_id = ?1 ORDER BY id",
    ),
    (
        "invites",
        "SELECT id, role, created_at, expires_at, used_at FROM invites WHERE person_id = ?1 ORDER BY id",
    ),
    (
        "messages_from_you",
        "SELECT id, channel, body, button_data, received_at, handled_at, body_purged_at FROM inbox
         WHERE person_id = ?1 OR identity_id IN (SELECT id FROM identities WHERE person_id = ?1) ORDER BY id",
    ),
    (
        "messages_to_you",
        "SELECT id, channel, kind, body, status, created_at, sent_at, delivered_at, body_purged_at FROM outbox
         WHERE person_id = ?1 ORDER BY id",
    ),
    (
        "wellbeing_checkins",
        "SELECT id, opened_at, closes_at, status, life_satisfaction, worthwhile, happy, anxiety, late, completed_at
         FROM checkins WHERE person_id = ?1 ORDER BY id",
    ),
    (
        "wellbeing_flags",
        "SELECT id, checkin_id, rule, created_at FROM wellbeing_flags WHERE person_id = ?1 ORDER BY id",
    ),
    (
        "supervision",
        "SELECT s.id AS session, s.kind, s.starts_at, s.place, s.status, a.response, a.responded_at, a.outcome,
                a.recorded_at
         FROM supervision_attendees a JOIN supervision_sessions s ON s.id = a.session_id
         WHERE a.person_id = ?1 ORDER BY s.starts_at",
    ),
    (
        "supervision_booked_by_you",
        "SELECT id AS session, kind, starts_at, place, status, source, created_at FROM supervision_sessions
         WHERE booked_by = ?1 ORDER BY starts_at",
    ),
    (
        "callback_availability",
        "SELECT weekday, start_time, end_time FROM availability WHERE person_id = ?1 ORDER BY weekday, start_time",
    ),
    (
        "callbacks_requested",
        "SELECT ref, status, requested_at, accepted_at, safe_to_call, outcome, outcome_at FROM callbacks
         WHERE mentee_id = ?1 ORDER BY id",
    ),
    (
        "callbacks_taken",
        "SELECT ref, status, accepted_at, outcome, outcome_at FROM callbacks WHERE accepted_by = ?1 ORDER BY id",
    ),
    (
        "callbacks_offered",
        "SELECT c.ref, o.offered_at FROM callback_offers o JOIN callbacks c ON c.id = o.callback_id
         WHERE o.mentor_id = ?1 ORDER BY o.offered_at",
    ),
    (
        "safeguarding",
        "SELECT ref, CASE WHEN subject_person_id = ?1 THEN 'about you' ELSE 'raised by you' END AS relation,
                source, channel, verbatim, categories, status, created_at, acknowledged_at, resolved_at, outcome
         FROM escalations WHERE subject_person_id = ?1 OR raised_by = ?1 ORDER BY id",
    ),
    (
        "safeguarding_events",
        "SELECT e.ref, v.at, v.kind FROM escalation_events v JOIN escalations e ON e.id = v.escalation_id
         WHERE e.subject_person_id = ?1 OR e.raised_by = ?1 ORDER BY v.escalation_id, v.at",
    ),
    (
        "audit_log",
        "SELECT at, actor_label, action, detail,
                CASE WHEN actor_person_id = ?1 THEN 'by you' ELSE 'about you' END AS relation
         FROM audit_log WHERE actor_person_id = ?1 OR subject_person_id = ?1 ORDER BY id",
    ),
];

/// Instants are stored as Unix milliseconds; exports show them as RFC 3339 UTC.
fn is_instant(column: &str) -> bool {
    column == "at" || column.ends_with("_at") || column == "opened_at"
}

fn cell(row: &SqliteRow, column: &sqlx::sqlite::SqliteColumn) -> Value {
    let i = column.ordinal();
    let Ok(raw) = row.try_get_raw(i) else {
        return Value::Null;
    };
    if raw.is_null() {
        return Value::Null;
    }
    let kind = raw.type_info().name().to_owned();
    match kind.as_str() {
        "INTEGER" => match row.try_get::<i64, _>(i) {
            Ok(ms) if is_instant(column.name()) => Value::from(from_millis(ms).to_rfc3339()),
            Ok(n) => Value::from(n),
            Err(_) => Value::Null,
        },
        "REAL" => row.try_get::<f64, _>(i).map(Value::from).unwrap_or(Value::Null),
        _ => row.try_get::<String, _>(i).map(Value::from).unwrap_or(Value::Null),
    }
}

fn row_json(row: &SqliteRow) -> Value {
    let map: Map<String, Value> = row
        .columns()
        .iter()
        .map(|c| (c.name().to_owned(), cell(row, c)))
        .collect();
    Value::Object(map)
}

/// Whether `text` mentions `name` as a word ("Jo" in "from Jo:", not in "Join").
fn names(text: &str, name: &str) -> bool {
    let name = name.trim();
    !name.is_empty()
        && text.match_indices(name).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
}

/// What an erasure removed and what it kept.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Erasure {
    /// What was removed, as (what, how many).
    pub removed: Vec<(&'static str, u64)>,
    /// What was kept, as (what, how many, why).
    pub kept: Vec<(&'static str, u64, String)>,
    /// The name stays on the person's record because safeguarding records refer to them.
    pub name_kept: bool,
}

impl Tx {
    /// Everything held about a person, for a subject access request.
    pub async fn export_person(&mut self, person: PersonId, now: i64) -> Result<Value> {
        self.person(person).await?;
        let mut doc = Map::new();
        doc.insert("generated_at".into(), Value::from(from_millis(now).to_rfc3339()));
        doc.insert(
            "note".into(),
            Value::from(
                "Everything Peerline holds about this person. Times are UTC. Message text older than the \
                 retention period has already been deleted (body_purged_at).",
            ),
        );
        for (name, sql) in EXPORT_SECTIONS {
            let rows = sqlx::query(*sql).bind(person.0).fetch_all(self.conn()).await?;
            let mut values: Vec<Value> = rows.iter().map(row_json).collect();
            let value = if *name == "person" {
                values.pop().unwrap_or(Value::Null)
            } else {
                Value::Array(values)
            };
            doc.insert((*name).to_owned(), value);
        }
        Ok(Value::Object(doc))
    }

    /// Erase a person: their contact details, messages, wellbeing answers, supervision and
    /// callback requests go; safeguarding records (and the name on the person's row, when such
    /// records refer to them) and the audit trail stay, for `safeguarding_retention_days`.
    pub async fn erase_person(
        &mut self,
        person: PersonId,
        safeguarding_retention_days: u32,
        now: i64,
    ) -> Result<Erasure> {
        let p = self.person(person).await?;
        let erased: Option<i64> = sqlx::query_scalar("SELECT erased_at FROM people WHERE id = ?")
            .bind(person.0)
            .fetch_one(self.conn())
            .await?;
        if let Some(at) = erased {
            return Err(StoreError::Conflict(format!(
                "person {} was already erased on {}",
                person.0,
                from_millis(at).format("%Y-%m-%d")
            )));
        }
        let id = person.0;
        let mut out = Erasure::default();
        let escalations: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM escalations WHERE subject_person_id = ?1 OR raised_by = ?1")
                .bind(id)
                .fetch_one(self.conn())
                .await?;
        // Order matters: rows that point at identities go before the identities.
        let steps: [(&'static str, &'static str); 11] = [
            (
                "messages to them",
                "DELETE FROM outbox WHERE person_id = ?1
                   OR (channel, address) IN (SELECT channel, address FROM identities WHERE person_id = ?1)",
            ),
            (
                "messages from them",
                "DELETE FROM inbox WHERE person_id = ?1
                   OR (channel, address) IN (SELECT channel, address FROM identities WHERE person_id = ?1)",
            ),
            ("wellbeing flags", "DELETE FROM wellbeing_flags WHERE person_id = ?1"),
            ("wellbeing check-ins", "DELETE FROM checkins WHERE person_id = ?1"),
            (
                "one-to-one supervision sessions",
                "DELETE FROM supervision_sessions WHERE kind = 'one-to-one'
                   AND id IN (SELECT session_id FROM supervision_attendees WHERE person_id = ?1)
                   AND NOT EXISTS (SELECT 1 FROM supervision_attendees o
                                   WHERE o.session_id = supervision_sessions.id AND o.person_id <> ?1)",
            ),
            (
                "supervision attendance records",
                "DELETE FROM supervision_attendees WHERE person_id = ?1",
            ),
            (
                "callback availability windows",
                "DELETE FROM availability WHERE person_id = ?1",
            ),
            ("callback offers", "DELETE FROM callback_offers WHERE mentor_id = ?1"),
            ("callback requests", "DELETE FROM callbacks WHERE mentee_id = ?1"),
            ("invite codes", "DELETE FROM invites WHERE person_id = ?1"),
            (
                "phone numbers and Telegram chats",
                "DELETE FROM identities WHERE person_id = ?1",
            ),
        ];
        for (what, sql) in &steps {
            let n = sqlx::query(*sql).bind(id).execute(self.conn()).await?.rows_affected();
            out.removed.push((what, n));
        }
        // Sent messages to their team that named them: the text goes, the record stays.
        // (Queued ones, such as an alert still to be delivered, keep their text until sent.)
        let candidates: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, body FROM outbox
             WHERE body_purged_at IS NULL AND status NOT IN ('queued', 'sending') AND instr(body, ?1) > 0
               AND person_id IN (SELECT id FROM people WHERE service_id = ?2)",
        )
        .bind(&p.display_name)
        .bind(p.service_id.0)
        .fetch_all(self.conn())
        .await?;
        let mut purged = 0;
        for (message, _) in candidates.iter().filter(|(_, body)| names(body, &p.display_name)) {
            purged += sqlx::query("UPDATE outbox SET body = '', body_purged_at = ? WHERE id = ?")
                .bind(now)
                .bind(message)
                .execute(self.conn())
                .await?
                .rows_affected();
        }
        out.removed
            .push(("texts of sent staff messages that named them", purged));
        out.name_kept = escalations > 0;
        sqlx::query(
            "UPDATE people SET display_name = CASE WHEN ?2 THEN display_name ELSE 'Erased person ' || id END,
                    telegram_username = NULL, placement_start = NULL, status = 'left', erased_at = ?3
             WHERE id = ?1",
        )
        .bind(id)
        .bind(out.name_kept)
        .bind(now)
        .execute(self.conn())
        .await?;
        let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql).bind(id);
        let events: i64 = count(
            "SELECT COUNT(*) FROM escalation_events v JOIN escalations e ON e.id = v.escalation_id
             WHERE e.subject_person_id = ?1 OR e.raised_by = ?1",
        )
        .fetch_one(self.conn())
        .await?;
        let audit: i64 = count("SELECT COUNT(*) FROM audit_log WHERE actor_person_id = ?1 OR subject_person_id = ?1")
            .fetch_one(self.conn())
            .await?;
        let taken: i64 = count("SELECT COUNT(*) FROM callbacks WHERE accepted_by = ?1")
            .fetch_one(self.conn())
            .await?;
        let years = f64::from(safeguarding_retention_days) / 365.0;
        let as_u64 = |n: i64| u64::try_from(n).unwrap_or(0);
        out.kept.push((
            "safeguarding records (with the words that raised them)",
            as_u64(escalations),
            format!(
                "safeguarding records are kept for {years:.0} years (privacy.escalation_retention_days) so a \
                 serious case review can follow what happened"
            ),
        ));
        out.kept.push((
            "safeguarding timeline entries",
            as_u64(events),
            "part of the safeguarding records above".to_owned(),
        ));
        out.kept.push((
            "audit log entries",
            as_u64(audit),
            "the record of who did what; it holds no message text or phone numbers".to_owned(),
        ));
        out.kept.push((
            "callbacks they took for mentees",
            as_u64(taken),
            "these are the mentees' records; they point only at the erased person's anonymous id".to_owned(),
        ));
        if out.name_kept {
            out.kept.push((
                "their name on the person record",
                1,
                "safeguarding records refer to them by it".to_owned(),
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn a_name_counts_only_as_a_whole_word() {
        assert!(names("risk words from Jo: \"help\"", "Jo"));
        assert!(names("Jo", "Jo"));
        assert!(names("Callback for Zoë Ann-Marie.", "Zoë Ann-Marie"));
        assert!(!names("Join us", "Jo"));
        assert!(!names("from Bojo", "Jo"));
        assert!(!names("anything", " "));
    }
}
