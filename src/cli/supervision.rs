//! `peerline supervision add|list|record`: booking sessions and recording who came.

use anyhow::bail;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use peerline_core::domain::{AttendanceOutcome, SessionKind};
use peerline_core::{
    clock::{from_millis, to_millis},
    config::Settings,
    domain::Role,
    store::Store,
    text::{cell_safe, display_safe},
};

use super::cell_or_dash;

#[derive(Debug, Subcommand)]
pub enum SupervisionCommand {
    /// Book a session.
    Add {
        #[arg(long)]
        service: String,
        /// Mentor's name; repeat for a group.
        #[arg(long = "mentor", required = true)]
        mentors: Vec<String>,
        /// Local date and time, "YYYY-MM-DD HH:MM".
        #[arg(long)]
        at: String,
        /// one-to-one or group.
        #[arg(long, default_value = "one-to-one")]
        kind: String,
        /// Room or video link.
        #[arg(long)]
        place: Option<String>,
    },
    /// Upcoming and recent sessions: id, time, kind, mentor, place, their answer, the outcome.
    List {
        #[arg(long)]
        service: String,
    },
    /// Record attended, missed or cancelled for a mentor's session.
    Record {
        #[arg(long)]
        service: String,
        #[arg(long)]
        session: i64,
        #[arg(long)]
        mentor: String,
        /// attended, missed or cancelled.
        #[arg(long)]
        outcome: String,
    },
}

pub(super) async fn run(
    command: SupervisionCommand,
    settings: &Settings,
    store: &Store,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let now_ms = to_millis(now);
    match command {
        SupervisionCommand::Add {
            service,
            mentors,
            at,
            kind,
            place,
        } => {
            let service = store.service_by_name(&service).await?;
            let Ok(kind) = kind.parse::<SessionKind>() else {
                bail!("--kind must be one-to-one or group");
            };
            let local = chrono::NaiveDateTime::parse_from_str(at.trim(), "%Y-%m-%d %H:%M")
                .map_err(|_| anyhow::anyhow!("--at {at:?} is not \"YYYY-MM-DD HH:MM\""))?;
            let starts = peerline_core::localtime::resolve(service.timezone, local);
            if starts <= now {
                bail!("--at is in the past");
            }
            let people = store.people(service.id).await?;
            let mut ids = Vec::new();
            for name in &mentors {
                let p = people
                    .iter()
                    .find(|p| peerline_core::quote::same_name(&p.display_name, name) && p.role == Role::Mentor)
                    .ok_or_else(|| anyhow::anyhow!("no mentor named {name:?} in {}", service.name))?;
                ids.push(p.id);
            }
            let session = peerline_core::store::NewSession {
                service: service.id,
                kind,
                starts_at: to_millis(starts),
                place: place.as_deref(),
                source: "cli",
                attendees: &ids,
            };
            let id = store.add_session(&session, now_ms).await?;
            println!(
                "Booked {kind} supervision {id} on {} for {}.",
                starts.with_timezone(&service.timezone).format("%a %-d %b %Y %H:%M %Z"),
                mentors.join(", ")
            );
            // A place too long for an SMS reminder still reaches the mentor, as its own message.
            if let Some(p) = place.as_deref() {
                let reminder = peerline_core::supervision::reminder_message(
                    &peerline_core::i18n::Localizer::embedded()?,
                    peerline_core::domain::Language::EnGb,
                    peerline_core::domain::ChannelKind::Sms,
                    id,
                    kind,
                    "Tue 22 Dec, 15:30",
                    Some(p),
                    settings.sms.max_segments,
                );
                if reminder.place.is_some() {
                    println!(
                        "Note: the place is too long to fit in an SMS reminder (sms.max_segments = {}); mentors on SMS will get it as a separate message after the reminder.",
                        settings.sms.max_segments
                    );
                }
            }
            Ok(())
        }
        SupervisionCommand::List { service } => {
            let service = store.service_by_name(&service).await?;
            let from = now - chrono::Duration::days(31);
            let rows = store
                .sessions_between(to_millis(from), to_millis(now + chrono::Duration::days(92)))
                .await?;
            if rows.is_empty() {
                println!("No booked sessions from a month ago to three months ahead.");
            }
            for r in rows.iter().filter(|r| r.service_id == service.id.0) {
                let name = store
                    .person(peerline_core::domain::PersonId(r.person_id))
                    .await?
                    .display_name;
                let at = from_millis(r.starts_at).with_timezone(&service.timezone);
                println!(
                    "{}	{}	{}	{}	{}	{}	{}",
                    r.session_id,
                    at.format("%a %Y-%m-%d %H:%M %Z"),
                    r.kind,
                    cell_safe(&name),
                    cell_or_dash(r.place.as_deref()),
                    cell_or_dash(r.response.as_deref()),
                    cell_or_dash(r.outcome.map(AttendanceOutcome::as_str))
                );
            }
            Ok(())
        }
        SupervisionCommand::Record {
            service,
            session,
            mentor,
            outcome,
        } => {
            let service = store.service_by_name(&service).await?;
            let Ok(outcome) = outcome.parse::<AttendanceOutcome>() else {
                bail!("--outcome must be attended, missed or cancelled");
            };
            let person = store
                .people(service.id)
                .await?
                .into_iter()
                .find(|p| peerline_core::quote::same_name(&p.display_name, &mentor))
                .ok_or_else(|| anyhow::anyhow!("no one named {mentor:?} in {}", service.name))?;
            let mut tx = store.begin().await?;
            let rec = peerline_core::supervision::record_outcome(
                &mut tx, service.id, session, person.id, outcome, None, now_ms,
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("{mentor} is not booked on session {session} of {}", service.name))?;
            tx.commit().await?;
            println!("Recorded: {} {outcome}.", display_safe(&rec.mentor_name));
            if rec.rebook {
                println!("Please rebook within 7 days.");
            }
            if rec.review {
                println!("Second miss in a row: a review flag was raised.");
            }
            Ok(())
        }
    }
}
