//! `peerline person export|erase`: a subject access request and the right to erasure.

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use peerline_core::{
    clock::to_millis,
    config::Settings,
    store::{AuditEntry, Store},
    text::display_safe,
};
use std::path::PathBuf;

use super::operator;

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Everything held about a person as one JSON document (for a subject access request).
    Export {
        /// The person's id, as `people list` shows it.
        id: i64,
        /// Write the document to this file (created readable by you only) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Erase a person, keeping only what safeguarding records must keep. Without --yes, says
    /// what would be removed and kept, and changes nothing.
    Erase {
        id: i64,
        /// Really erase.
        #[arg(long)]
        yes: bool,
    },
}

pub(super) async fn run(
    command: PersonCommand,
    settings: &Settings,
    store: &Store,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let now_ms = to_millis(now);
    match command {
        PersonCommand::Export { id, out } => {
            let person = peerline_core::domain::PersonId(id);
            let mut tx = store.begin().await?;
            let doc = tx.export_person(person, now_ms).await?;
            let service_id = tx.person(person).await?.service_id;
            tx.audit(AuditEntry {
                at: now_ms,
                service_id: Some(service_id),
                actor_person_id: None,
                actor_label: &operator(),
                action: "person.export",
                subject_person_id: Some(person),
                detail: Some(out.as_ref().map_or("stdout".to_owned(), |p| p.display().to_string())),
            })
            .await?;
            let text = serde_json::to_string_pretty(&doc)?;
            match out {
                Some(path) => {
                    write_private(&path, text.as_bytes())?;
                    tx.commit().await?;
                    println!("Wrote everything held about person {id} to {}.", path.display());
                }
                None => {
                    tx.commit().await?;
                    println!("{text}");
                }
            }
            Ok(())
        }
        PersonCommand::Erase { id, yes } => {
            let person = peerline_core::domain::PersonId(id);
            let mut tx = store.begin().await?;
            let before = tx.person(person).await?;
            let erasure = tx
                .erase_person(person, settings.privacy.escalation_retention_days, now_ms)
                .await?;
            let removed: u64 = erasure.removed.iter().map(|(_, n)| n).sum();
            if yes {
                tx.audit(AuditEntry {
                    at: now_ms,
                    service_id: Some(before.service_id),
                    actor_person_id: None,
                    actor_label: &operator(),
                    action: "person.erase",
                    subject_person_id: Some(person),
                    detail: Some(format!(
                        "removed {removed} rows; kept {}",
                        erasure
                            .kept
                            .iter()
                            .filter(|(_, n, _)| *n > 0)
                            .map(|(what, n, _)| format!("{n} {what}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                })
                .await?;
                tx.commit().await?;
                println!("Erased {} (person {id}).", display_safe(&before.display_name));
            } else {
                drop(tx); // rolls back: a dry run changes nothing
                println!(
                    "Erasing {} (person {id}) would remove the following; nothing has changed yet.",
                    display_safe(&before.display_name)
                );
            }
            println!("Removed:");
            for (what, n) in &erasure.removed {
                println!("  {n}\t{what}");
            }
            println!("Kept:");
            for (what, n, why) in erasure.kept.iter().filter(|(_, n, _)| *n > 0) {
                println!("  {n}\t{what}: {why}");
            }
            if !yes {
                println!("Run again with --yes to erase.");
            }
            Ok(())
        }
    }
}

/// Write a file only its owner can read: exports hold special-category health data.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}
