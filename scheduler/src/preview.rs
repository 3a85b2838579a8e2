//! What the scheduler would send, without sending it: `peerline schedule preview`, and the
//! "who is due supervision" rule the weekly digest uses.

use chrono::{DateTime, Duration, Utc};
use peerline_core::{
    clock::{from_millis, to_millis},
    domain::{AttendanceOutcome, Language, Role, SessionKind, SessionStatus},
    store::{Service, Store, StoreError},
    supervision,
};

use peerline_core::localtime::{self, LocalSchedule};

/// One message the scheduler would send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewLine {
    pub at: DateTime<Utc>,
    /// The person's name (never their number).
    pub name: String,
    pub what: String,
    pub language: Language,
}

/// Active mentors with no 1:1 booked within their cadence from now (and none held within it).
pub async fn mentors_due(store: &Store, service: &Service, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
    let today = now.with_timezone(&service.timezone).date_naive();
    let mut due = Vec::new();
    for p in store.people(service.id).await? {
        let (Role::Mentor, Some(start)) = (p.role, p.placement_start) else {
            continue;
        };
        if p.status != peerline_core::store::PersonStatus::Active {
            continue;
        }
        let window = Duration::days(supervision::cadence_days(start, today));
        let sessions = store.sessions_of(p.id).await?;
        let covered = sessions.iter().any(|s| {
            s.kind == SessionKind::OneToOne
                && s.status != SessionStatus::Cancelled
                && s.outcome != Some(AttendanceOutcome::Cancelled)
                && s.starts_at > to_millis(now - window)
                && s.starts_at <= to_millis(now + window)
        });
        if !covered {
            due.push(p.display_name);
        }
    }
    Ok(due)
}

/// Everything the scheduler would send for `service` in `[from, to)`: check-ins, supervision
/// reminders (for booked sessions and the ones policy will book) and digests.
pub async fn preview(
    store: &Store,
    service: &Service,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<PreviewLine>, StoreError> {
    let mut lines = Vec::new();
    let people = store.people(service.id).await?;
    let active = |roles: &[Role]| {
        people
            .iter()
            .filter(|p| roles.contains(&p.role) && p.status == peerline_core::store::PersonStatus::Active)
            .collect::<Vec<_>>()
    };
    if let Ok(schedule) = LocalSchedule::parse(&service.checkin_schedule, service.timezone) {
        let mut roles = vec![Role::Mentor];
        if service.checkin_mentees {
            roles.push(Role::Mentee);
        }
        for at in schedule
            .after(from - Duration::seconds(1))
            .take_while(|t| *t < to)
            .take(500)
        {
            let (send, note) = held(service, at, service.hours.after_quiet(at));
            for p in active(&roles) {
                lines.push(PreviewLine {
                    at: send,
                    name: p.display_name.clone(),
                    what: format!("wellbeing check-in{note}"),
                    language: p.language,
                });
            }
        }
    }
    // Sessions: booked ones, plus the policy 1:1s and group sessions not yet booked.
    let horizon = to + Duration::hours(48);
    let mut sessions: Vec<(DateTime<Utc>, SessionKind, &peerline_core::store::Person)> = Vec::new();
    let time = service.hours.supervision_at;
    for p in active(&[Role::Mentor]) {
        let booked = store.sessions_of(p.id).await?;
        for s in booked.iter().filter(|s| s.status == SessionStatus::Booked) {
            sessions.push((from_millis(s.starts_at), s.kind, p));
        }
        if let Some(start) = p.placement_start {
            let last_booked = booked
                .iter()
                .filter(|s| s.kind == SessionKind::OneToOne)
                .map(|s| s.starts_at)
                .max();
            for date in supervision::policy_dates(start) {
                let at = localtime::resolve(service.timezone, date.and_time(time));
                if at >= horizon {
                    break;
                }
                if at > from - Duration::hours(2) && last_booked.is_none_or(|b| to_millis(at) > b) {
                    sessions.push((at, SessionKind::OneToOne, p));
                }
            }
        }
    }
    if let Ok(group) = LocalSchedule::parse(&service.group_schedule, service.timezone) {
        for at in group
            .after(from - Duration::hours(2))
            .take_while(|t| *t < horizon)
            .take(100)
        {
            for p in active(&[Role::Mentor]) {
                if !sessions
                    .iter()
                    .any(|(t, k, q)| *t == at && *k == SessionKind::Group && q.id == p.id)
                {
                    sessions.push((at, SessionKind::Group, p));
                }
            }
        }
    }
    for (starts, kind, p) in sessions {
        for (label, before) in [("48 h", Duration::hours(48)), ("2 h", Duration::hours(2))] {
            let due = starts - before;
            // As the scheduler sends it: after quiet hours, but never later than half an hour
            // before the session.
            let (at, note) = held(
                service,
                due,
                service
                    .hours
                    .after_quiet(due)
                    .min(starts - Duration::minutes(30))
                    .max(due),
            );
            if at >= from && at < to {
                let what = format!("{kind} supervision reminder ({label} before){note}");
                lines.push(PreviewLine {
                    at,
                    name: p.display_name.clone(),
                    what,
                    language: p.language,
                });
            }
        }
    }
    if let Ok(digest) = LocalSchedule::parse(&service.digest_schedule, service.timezone) {
        for at in digest
            .after(from - Duration::seconds(1))
            .take_while(|t| *t < to)
            .take(100)
        {
            let (at, note) = held(service, at, service.hours.after_quiet(at));
            for p in active(&[Role::Coordinator, Role::Deputy]) {
                lines.push(PreviewLine {
                    at,
                    name: p.display_name.clone(),
                    what: format!("supervision due digest (if anyone is due){note}"),
                    language: p.language,
                });
            }
        }
    }
    lines.sort_by(|a, b| (a.at, &a.name, &a.what).cmp(&(b.at, &b.name, &b.what)));
    Ok(lines)
}

/// When a message due at `due` goes (`send`, after quiet hours), with a note saying so when
/// quiet hours moved it.
fn held(service: &Service, due: DateTime<Utc>, send: DateTime<Utc>) -> (DateTime<Utc>, String) {
    if send == due {
        return (send, String::new());
    }
    let local = due.with_timezone(&service.timezone);
    (
        send,
        format!(" (due {}, held for quiet hours)", local.format("%a %H:%M")),
    )
}
