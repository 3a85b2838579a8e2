//! `peerline outbox list`: what Peerline is sending or has sent.

use anyhow::bail;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use peerline_core::{
    clock::to_millis,
    store::{AuditEntry, Store},
    text::cell_safe,
};

use super::operator;

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List outbound messages, newest first.
    List {
        /// Only messages to this person (the id `people list` shows).
        #[arg(long)]
        person: Option<i64>,
        /// Only this status: queued, sending, sent, delivered, failed, dead, skipped.
        #[arg(long)]
        status: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Show each message's text too (audited as outbox.view-text).
        #[arg(long)]
        show_text: bool,
    },
}

pub(super) async fn run(command: OutboxCommand, store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let now_ms = to_millis(now);
    match command {
        OutboxCommand::List {
            person,
            status,
            limit,
            show_text,
        } => {
            const STATUSES: [&str; 7] = ["queued", "sending", "sent", "delivered", "failed", "dead", "skipped"];
            if let Some(s) = &status
                && !STATUSES.contains(&s.as_str())
            {
                bail!("--status {s:?} is not one of {}", STATUSES.join(", "));
            }
            let person = person.map(peerline_core::domain::PersonId);
            let rows = store.outbox_rows(person).await?;
            let shown: Vec<_> = rows
                .iter()
                .rev()
                .filter(|r| status.as_deref().is_none_or(|s| r.status.as_str() == s))
                .take(limit)
                .collect();
            if show_text {
                let mut tx = store.begin().await?;
                tx.audit(AuditEntry {
                    at: now_ms,
                    service_id: None,
                    actor_person_id: None,
                    actor_label: &operator(),
                    action: "outbox.view-text",
                    subject_person_id: person,
                    detail: Some(format!("{} message(s)", shown.len())),
                })
                .await?;
                tx.commit().await?;
            }
            println!(
                "id\tcreated\tperson\tchannel\tkind\tpriority\tstatus\tattempts\tsegments\tlast error{}",
                if show_text { "\ttext" } else { "" }
            );
            for r in shown {
                let created = peerline_core::clock::from_millis(r.created_at).format("%Y-%m-%d %H:%M:%S UTC");
                let text = if show_text {
                    format!("\t{}", cell_safe(&r.body))
                } else {
                    String::new()
                };
                println!(
                    "{}\t{created}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}{text}",
                    r.id.0,
                    r.person_id.map_or("-".to_owned(), |p| p.0.to_string()),
                    r.channel.as_str(),
                    cell_safe(&r.kind),
                    r.priority.as_str(),
                    r.status.as_str(),
                    r.attempts,
                    r.segments.map_or("-".to_owned(), |s| s.to_string()),
                    r.last_error
                        .as_deref()
                        .map_or("-".to_owned(), |e| cell_safe(e).into_owned()),
                );
            }
            Ok(())
        }
    }
}
