//! `peerline audit`: who saw or changed what, and when.

use anyhow::bail;
use clap::Args;
use peerline_core::{
    clock::{from_millis, to_millis},
    config::Settings,
    store::{AuditQuery, Store},
    text::{cell_safe, display_safe},
};

use super::{cell_or_dash, local_midnight, parse_date};

pub(super) async fn list(a: AuditArgs, settings: &Settings, store: &Store) -> anyhow::Result<()> {
    let service = match &a.service {
        Some(name) => Some(store.service_by_name(name).await?),
        None => None,
    };
    if a.limit < 1 {
        bail!("--limit must be at least 1");
    }
    let since = a.since.as_deref().map(parse_date).transpose()?.map(|d| {
        to_millis(match &service {
            Some(s) => local_midnight(s, d),
            None => d.and_time(chrono::NaiveTime::MIN).and_utc(),
        })
    });
    let rows = store
        .audit_rows(&AuditQuery {
            service: service.as_ref().map(|s| s.id),
            person: a.person.map(peerline_core::domain::PersonId),
            action_prefix: a.action.clone(),
            since,
            limit: a.limit,
        })
        .await?;
    if rows.is_empty() {
        println!("No audit entries match.");
    }
    let tz = service.as_ref().map_or(settings.default_timezone.0, |s| s.timezone);
    for r in rows {
        let who = |id: Option<i64>, name: &Option<String>| match (id, name) {
            (Some(id), Some(name)) => format!("{} ({id})", display_safe(name)),
            (Some(id), None) => format!("person {id}"),
            (None, _) => "-".to_owned(),
        };
        let actor = match r.actor_person_id {
            Some(_) => format!("{} via {}", who(r.actor_person_id, &r.actor_name), r.actor_label),
            None => r.actor_label.clone(),
        };
        println!(
            "{}\t{}\t{}\t{}\t{}",
            from_millis(r.at).with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z"),
            cell_safe(&actor),
            cell_safe(&r.action),
            cell_safe(&who(r.subject_person_id, &r.subject_name)),
            cell_or_dash(r.detail.as_deref())
        );
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this service.
    #[arg(long)]
    service: Option<String>,
    /// Only entries where this person (id) acted or was acted upon.
    #[arg(long)]
    person: Option<i64>,
    /// Only actions starting with this, e.g. escalation. or person.export.
    #[arg(long)]
    action: Option<String>,
    /// Only entries on or after this date (YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// At most this many entries.
    #[arg(long, default_value_t = 100)]
    limit: i64,
}
