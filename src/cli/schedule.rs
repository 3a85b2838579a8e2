//! `peerline schedule preview`: what the scheduler would send, without sending it.

use anyhow::bail;
use clap::Subcommand;
use peerline_core::{
    store::Store,
    text::{cell_safe, display_safe},
};

use super::{local_midnight, parse_date};

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// List what would be sent between two dates: to whom (names, never numbers), when, in
    /// which language.
    Preview {
        #[arg(long)]
        service: String,
        /// First day (YYYY-MM-DD), in the service's time zone.
        #[arg(long)]
        from: String,
        /// Last day (YYYY-MM-DD), inclusive.
        #[arg(long)]
        to: String,
        /// `text` (for people), or `tsv` / `json` with RFC 3339 times and UTC offsets (for tools).
        #[arg(long, default_value = "text")]
        format: PreviewFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PreviewFormat {
    Text,
    Tsv,
    Json,
}

pub(super) async fn run(command: ScheduleCommand, store: &Store) -> anyhow::Result<()> {
    match command {
        ScheduleCommand::Preview {
            service,
            from,
            to,
            format,
        } => {
            let service = store.service_by_name(&service).await?;
            let (from, to) = (parse_date(&from)?, parse_date(&to)?);
            if to < from {
                bail!("--to is before --from");
            }
            let start = local_midnight(&service, from);
            let end = local_midnight(&service, to + chrono::Days::new(1));
            let lines = peerline_scheduler::preview::preview(store, &service, start, end).await?;
            if format == PreviewFormat::Json {
                let rows: Vec<serde_json::Value> = lines
                    .iter()
                    .map(|l| {
                        serde_json::json!({
                            "at": l.at.with_timezone(&service.timezone).to_rfc3339(),
                            "name": l.name,
                            "what": l.what,
                            "language": l.language.tag(),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            if format == PreviewFormat::Tsv {
                println!("at\tname\twhat\tlanguage");
                for l in &lines {
                    println!(
                        "{}\t{}\t{}\t{}",
                        l.at.with_timezone(&service.timezone).to_rfc3339(),
                        cell_safe(&l.name),
                        cell_safe(&l.what),
                        l.language
                    );
                }
                return Ok(());
            }
            if lines.is_empty() {
                println!(
                    "Nothing would be sent by {} in that period.",
                    display_safe(&service.name)
                );
            }
            for l in lines {
                let at = l.at.with_timezone(&service.timezone);
                println!(
                    "{}	{}	{}	{}",
                    at.format("%a %Y-%m-%d %H:%M %Z"),
                    cell_safe(&l.name),
                    cell_safe(&l.what),
                    l.language
                );
            }
            Ok(())
        }
    }
}
